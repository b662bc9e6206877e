"""Weight penalties (regularization terms) to add to a loss: L1, L2 and elastic net.

Each returns a differentiable 0-d Tensor built from autograd ops, so
``(loss + l2_penalty(model, 1e-3)).backward()`` adds the penalty's gradient
to every weight's ``.grad``.

Which parameters: given a Module, its weight matrices and kernels, i.e. the
parameters whose name ends with "weight" and that have at least 2 dimensions
(Linear's and Conv2d's weights). Biases, normalization scales (BatchNorm's
and LayerNorm's 1-d "weight") and PReLU slopes are left out, as CS231n
does. Given an iterable of Tensors (or one Tensor), exactly those.

The L2 convention: ``l2_penalty = 0.5 * reg * sum(W**2)`` (CS231n's
``0.5 * reg * np.sum(W * W)``), so its gradient is ``reg * W``, the
same update as ``optim.SGD(weight_decay=reg)``. ``reg`` is the
regularization strength.
"""
from autograd import Tensor

__all__ = ["l1_penalty", "l2_penalty", "elastic_net", "penalized_parameters"]


def penalized_parameters(module_or_params):
    """The Tensors a penalty sums over: a module's weight matrices, or the given Tensors.

    For a Module: every parameter whose dotted name ends with "weight" and
    that has 2 or more dimensions (so no biases, no BatchNorm/LayerNorm
    scales, no PReLU slopes). For an iterable (or a single Tensor): all of
    them, in order.

    Example:
        >>> import nn
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> [p.shape for p in penalized_parameters(model)]
        [(8, 4), (2, 8)]
    """
    if hasattr(module_or_params, "named_modules") and hasattr(module_or_params, "named_parameters"):
        return [p for name, p in module_or_params.named_parameters()
                if name.endswith("weight") and p.ndim >= 2]
    if isinstance(module_or_params, Tensor):
        return [module_or_params]
    try:
        params = list(module_or_params)
    except TypeError:
        raise TypeError(f"penalty: expected a Module or an iterable of Tensors, got "
                        f"{type(module_or_params).__name__}") from None
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"penalty: item {i} is a {type(p).__name__}, not a Tensor; pass "
                            "a Module or a list of parameters")
    return params


def _total(fname, params, term):
    if not params:
        raise ValueError(f"{fname}: no parameters to penalize (a Module with no parameter "
                         "named '*weight', or an empty list); pass the parameters explicitly")
    total = term(params[0]).sum()
    for p in params[1:]:
        total = total + term(p).sum()
    return total


def l1_penalty(module_or_params, reg=1.0):
    """``reg * sum(|W|)`` over the weights: sparsifying (LASSO) regularization.

    Its gradient is ``reg * sign(W)`` (0 at W == 0, the subgradient
    autograd's abs uses).

    Example:
        >>> w = Tensor([[1.0, -2.0], [0.0, 3.0]], requires_grad=True)
        >>> l1_penalty([w], reg=0.1)                         # 0.1 * (1 + 2 + 0 + 3)
        Tensor(0.6, dtype=float32, grad_fn=Mul)
    """
    params = penalized_parameters(module_or_params)
    return _total("l1_penalty", params, lambda p: p.abs()) * reg


def l2_penalty(module_or_params, reg=1.0):
    """``0.5 * reg * sum(W**2)`` over the weights (CS231n's convention).

    The 0.5 makes the gradient exactly ``reg * W``.

    Example:
        >>> w = Tensor([[1.0, -2.0], [0.0, 3.0]], requires_grad=True)
        >>> penalty = l2_penalty([w], reg=0.1); penalty      # 0.5 * 0.1 * (1 + 4 + 0 + 9)
        Tensor(0.7, dtype=float32, grad_fn=Mul)
        >>> penalty.backward(); w.grad                       # reg * W
        Tensor([[ 0.1, -0.2],
                [ 0. ,  0.3]], dtype=float32)
    """
    params = penalized_parameters(module_or_params)
    return _total("l2_penalty", params, lambda p: p * p) * (0.5 * reg)


def elastic_net(module_or_params, l1_ratio=0.5, reg=1.0):
    """Zou & Hastie's mix: ``reg * (l1_ratio * sum|W| + (1 - l1_ratio) * 0.5 * sum W**2)``.

    ``l1_ratio=1`` is ``l1_penalty``, ``l1_ratio=0`` is ``l2_penalty`` (with
    its 0.5), as scikit-learn's ElasticNet parametrizes it.

    Example:
        >>> w = Tensor([[1.0, -2.0], [0.0, 3.0]])            # sum |W| = 6, sum W**2 = 14
        >>> elastic_net([w], l1_ratio=0.5, reg=1.0)           # 0.5 * 6 + 0.5 * 0.5 * 14
        Tensor(6.5, dtype=float32)
    """
    if not 0.0 <= l1_ratio <= 1.0:
        raise ValueError(f"elastic_net: l1_ratio must be in [0, 1], got {l1_ratio}")
    params = penalized_parameters(module_or_params)
    l1 = _total("elastic_net", params, lambda p: p.abs())
    l2 = _total("elastic_net", params, lambda p: p * p)
    return (l1 * l1_ratio + l2 * (0.5 * (1.0 - l1_ratio))) * reg
