"""Gradient clipping, as torch.nn.utils: clip_grad_norm_ and clip_grad_value_.

Both change the ``.grad`` Tensors of the given parameters in place (bumping
their version counters) and skip parameters whose ``.grad`` is None.
"""
import math

import numpy as np

from autograd import Tensor, no_grad

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(fname, parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = []
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(f"{fname}: parameter {i} is a {type(p).__name__}, not a Tensor; "
                            "pass model.parameters() or a list of Tensors")
        if p.grad is not None:
            grads.append(p.grad)
    return grads


def _norm_type(fname, norm_type):
    try:
        norm_type = float(norm_type)
    except (TypeError, ValueError):
        norm_type = math.nan
    if not norm_type > 0:
        raise ValueError(f"{fname}: norm_type must be a positive number or inf, got {norm_type!r}")
    return norm_type


def _total_norm(grads, norm_type):
    # float64 accumulation: the returned norm and the clip factor do not depend on
    # how many parameters the model is split into.
    if math.isinf(norm_type):
        # np.max, not Python's max: it propagates a NaN wherever it sits
        return float(np.max([np.max(np.abs(g.data)) if g.size else 0.0 for g in grads]))
    if norm_type == 1.0:
        return float(sum(np.sum(np.abs(g.data), dtype=np.float64) for g in grads))
    if norm_type == 2.0:
        return math.sqrt(sum(float(np.vdot(d, d)) for d in
                             (np.asarray(g.data, dtype=np.float64).ravel() for g in grads)))
    per = [np.sum(np.abs(np.asarray(g.data, dtype=np.float64)) ** norm_type) for g in grads]
    return float(np.sum(per)) ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``.

    The norm is taken over all gradients as if concatenated into one vector
    (``inf`` gives the largest absolute entry). When it exceeds ``max_norm``
    every gradient is multiplied by ``max_norm / (total_norm + 1e-6)``, as
    PyTorch does; otherwise the gradients are left unchanged. Returns the
    total norm *before* clipping as a 0-d Tensor (the gradients' dtype).

    Example:
        >>> w = Tensor([3.0, 4.0], requires_grad=True)
        >>> (w * w / 2).sum().backward()                   # w.grad = w = [3, 4]
        >>> clip_grad_norm_([w], max_norm=1.0)            # the norm before clipping
        Tensor(5., dtype=float32)
        >>> w.grad                                          # rescaled to norm 1
        Tensor([0.6, 0.8], dtype=float32)
    """
    fname = "clip_grad_norm_"
    grads = _grads(fname, parameters)
    norm_type = _norm_type(fname, norm_type)
    max_norm = float(max_norm)
    if not grads:
        return Tensor(np.array(0.0, dtype=np.float32))
    dtype = np.result_type(*[g.dtype for g in grads])
    total = _total_norm(grads, norm_type)
    if not math.isfinite(total) and error_if_nonfinite:
        raise RuntimeError(
            f"{fname}: the total {norm_type}-norm of the gradients of {len(grads)} parameters "
            f"is {total}, so they cannot be clipped. Find the NaN/Inf with "
            "autograd.detect_anomaly(), or pass error_if_nonfinite=False to scale anyway.")
    clip_coef = max_norm / (total + 1e-6)
    if not clip_coef >= 1.0:       # also NaN: scaling by NaN spreads it, as PyTorch does
        with no_grad(), np.errstate(invalid="ignore"):      # inf * 0 in a non-finite grad
            for g in grads:
                g.mul_(clip_coef)
    return Tensor(np.array(total, dtype=dtype if dtype.kind == "f" else np.float64))


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry into ``[-clip_value, clip_value]``, in place.

    Example:
        >>> w = Tensor([-2.0, 0.25, 3.0], requires_grad=True)
        >>> (w * w / 2).sum().backward()                   # w.grad = w
        >>> clip_grad_value_([w], clip_value=0.5); w.grad
        Tensor([-0.5 ,  0.25,  0.5 ], dtype=float32)
    """
    fname = "clip_grad_value_"
    grads = _grads(fname, parameters)
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"{fname}: clip_value must be >= 0, got {clip_value}")
    with no_grad():
        for g in grads:
            g.copy_(np.clip(g.data, -clip_value, clip_value))
