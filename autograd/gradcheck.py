"""Numerical gradient checking in float64, in the spirit of CS231n's gradient_check.py.

The analytic gradient of ``sum(fn(*inputs) * v)`` (v a fixed random array, so
errors cannot cancel out) is compared with central differences, element by
element; a failure reports the worst element with its relative error
``|a - n| / max(|a|, |n|, tiny)``.
"""
import math
import numbers
from dataclasses import dataclass

import numpy as np

from .engine import grad as autograd_grad
from .grad_mode import state
from .ops import args, concatenate
from ._tensor import Tensor

__all__ = ["numerical_grad", "gradcheck", "gradgradcheck", "relative_error", "GradcheckError",
           "InputReport"]

TINY = np.finfo(np.float64).tiny


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; ``.reports`` has one InputReport per input.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> gradcheck(lambda t: (t * t.detach()).sum(), [x])    # detach() hides half of 2t
        Traceback (most recent call last):
        autograd.gradcheck.GradcheckError: gradcheck failed (atol=1e-05, rtol=0.001):
          input 0 shape (2,): worst element (0,): analytic 0.12573, numerical 0.25146, ...
    """

    def __init__(self, message, reports):
        super().__init__(message)
        self.reports = reports


@dataclass
class InputReport:
    """How one input's analytic gradient compares with the numerical one.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> try:
        ...     gradcheck(lambda t: (t * t.detach()).sum(), [x])
        ... except GradcheckError as e:
        ...     r = e.reports[0]
        >>> r.input, r.index, round(r.numerical / r.analytic, 6), r.passed
        (0, (0,), 2.0, False)
    """
    input: int
    shape: tuple
    index: tuple          # the worst element
    analytic: float
    numerical: float
    relative_error: float
    passed: bool

    def __str__(self):
        verdict = "ok" if self.passed else "MISMATCH"
        return (f"input {self.input} shape {self.shape}: worst element {self.index}: analytic "
                f"{self.analytic:.6g}, numerical {self.numerical:.6g}, relative error "
                f"{self.relative_error:.3g} [{verdict}]")


def relative_error(a, n):
    """Elementwise |a - n| / max(|a|, |n|, tiny).

    Example:
        >>> relative_error(np.array([1.0]), np.array([1.001]))
        array([0.000999])
    """
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), TINY)


def _float64_inputs(op, fn, inputs):
    """float64 copies; ndarrays and numbers are checked too, Tensors only if they require grad."""
    if not callable(fn):
        raise TypeError(f"{op}: fn must be a function of the inputs, got {type(fn).__name__}")
    if isinstance(inputs, (Tensor, np.ndarray)):
        inputs = [inputs]            # a bare Tensor is one input, as torch's gradcheck takes it
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(f"{op}: inputs must be a Tensor or a list of Tensors (or arrays), got "
                        f"{type(inputs).__name__}")
    out = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            data, needs = x.data, x.requires_grad
        else:
            data, needs = np.asarray(x), True
        if data.dtype.kind not in "biufc":
            raise TypeError(f"{op}: input {i} is a {type(x).__name__} of numpy dtype "
                            f"{data.dtype}; pass Tensors or arrays of numbers")
        copy = np.array(data, dtype=np.float64) if data.dtype.kind in "fc" or needs else data
        t = Tensor(copy)
        if needs:
            t.requires_grad_()
        out.append(t)
    return out


def numerical_grad(fn, inputs, eps=1e-6, grad_output=None):
    """Central differences of ``sum(fn(*inputs) * grad_output)`` w.r.t. each input, in float64.

    ``grad_output`` defaults to ones (so a scalar ``fn`` gives its plain gradient).
    Returns one ndarray per input (None for Tensors that do not require grad).

    Example:
        >>> numerical_grad(lambda x: (x ** 2).sum(), [np.array([1.0, 2.0])])
        [array([2., 4.])]
    """
    xs = _float64_inputs("numerical_grad", fn, inputs)
    eps = _settings("numerical_grad", eps)[0]
    shape = _output("numerical_grad", fn, xs).shape
    if grad_output is not None:
        grad_output = np.asarray(grad_output.data if isinstance(grad_output, Tensor)
                                 else grad_output)
        if grad_output.dtype.kind not in "biuf" or grad_output.shape != shape:
            raise ValueError(f"numerical_grad: grad_output must be real numbers of the "
                             f"output's shape {shape}, got shape {grad_output.shape} "
                             f"{grad_output.dtype}")
    return _numerical(fn, xs, eps, grad_output)


def _settings(op, eps, atol=0.0, rtol=0.0, seed=0):
    """The checked numbers: eps > 0, atol and rtol >= 0, a seed >= 0."""
    for what, v in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v) \
                or v < 0 or (what == "eps" and v == 0):
            raise ValueError(f"{op}: {what} must be a finite number "
                             f"{'> 0' if what == 'eps' else '>= 0'}, got {args._short(v)}")
    if args.index(op, "seed", seed) < 0:
        raise ValueError(f"{op}: seed must be >= 0, got {seed}")
    return eps, atol, rtol, seed


def _output(op, fn, xs):
    """``fn(*xs)``, which must be a Tensor."""
    out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}: fn returned a {type(out).__name__}; it must return a Tensor "
                        "(compute it with Tensor ops of its inputs)")
    return out


def _numerical(fn, xs, eps, grad_output):
    def objective():
        out = np.asarray(fn(*xs).data, dtype=np.float64)
        return float(np.sum(out if grad_output is None else out * grad_output))

    grads = []
    for x in xs:
        if not x.requires_grad:
            grads.append(None)
            continue
        flat = x.data.reshape(-1)            # a view: x.data is our own contiguous copy
        g = np.zeros(flat.shape)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            plus = objective()
            flat[i] = orig - eps
            minus = objective()
            flat[i] = orig
            g[i] = (plus - minus) / (2 * eps)
        grads.append(g.reshape(x.shape))
    return grads


def _compare(op, fn, xs, eps, atol, rtol, seed):
    out = _output(op, fn, xs)
    v = np.random.default_rng(seed).standard_normal(out.shape)
    wanted = [x for x in xs if x.requires_grad]
    if out.requires_grad:
        analytic = autograd_grad(out, wanted, grad_outputs=Tensor(v), allow_unused=True)
    else:
        analytic = [None] * len(wanted)
    analytic = iter(analytic)
    numerical = _numerical(fn, xs, eps, v)
    reports = []
    for i, (x, n) in enumerate(zip(xs, numerical)):
        if n is None:
            continue
        a = next(analytic)
        a = np.zeros(x.shape) if a is None else np.asarray(a.data, dtype=np.float64)
        if a.shape != n.shape:
            raise GradcheckError(f"{op}: input {i}: analytic gradient has shape {a.shape} "
                                 f"but the input is {n.shape}", [])
        rel = relative_error(a, n)
        bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
        scores = np.where(bad, np.inf, rel) if bad.any() else rel
        worst = np.unravel_index(int(np.argmax(np.where(np.isnan(scores), np.inf, scores))),
                                 n.shape) if n.size else ()
        reports.append(InputReport(
            i, x.shape, tuple(int(k) for k in worst),
            float(a[worst]) if n.size else 0.0, float(n[worst]) if n.size else 0.0,
            float(rel[worst]) if n.size else 0.0, not bad.any()))
    return reports


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=0):
    """Check ``fn``'s analytic gradients against central differences in float64.

    Passes when every element satisfies ``|a - n| <= atol + rtol * |n|``;
    otherwise raises GradcheckError naming each failing input's worst element
    (or returns False with ``raise_exception=False``).

    Example:
        >>> x = Tensor(np.random.randn(3, 4), requires_grad=True)
        >>> gradcheck(lambda t: t.tanh().sum(axis=1), [x])
        True
    """
    xs = _float64_inputs("gradcheck", fn, inputs)
    eps, atol, rtol, seed = _settings("gradcheck", eps, atol, rtol, seed)
    raise_exception = args.flag("gradcheck", "raise_exception", raise_exception)
    reports = _compare("gradcheck", fn, xs, eps, atol, rtol, seed)
    return _verdict("gradcheck", reports, atol, rtol, raise_exception)


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=0):
    """Check second derivatives: gradcheck of the gradient of ``fn`` (with create_graph=True).

    Example:
        >>> x = Tensor(np.random.randn(3), requires_grad=True)
        >>> gradgradcheck(lambda t: (t ** 3).sum(), [x])
        True
    """
    xs = _float64_inputs("gradgradcheck", fn, inputs)
    eps, atol, rtol, seed = _settings("gradgradcheck", eps, atol, rtol, seed)
    raise_exception = args.flag("gradgradcheck", "raise_exception", raise_exception)
    probe = _output("gradgradcheck", fn, xs)
    v = Tensor(np.random.default_rng(seed + 1).standard_normal(probe.shape))

    def first_derivative(*ys):
        out = fn(*ys)
        wanted = [y for y in ys if y.requires_grad]
        if not out.requires_grad:
            return Tensor(np.zeros(sum(y.size for y in wanted)))
        grads = autograd_grad(out, wanted, grad_outputs=v, create_graph=True, allow_unused=True)
        flat = [(g if g is not None else Tensor(np.zeros(y.shape))).reshape(-1)
                for g, y in zip(grads, wanted)]
        return concatenate(flat)

    unrecorded = state.unrecorded = set()
    try:
        reports = _compare("gradgradcheck", first_derivative, xs, eps, atol, rtol, seed)
    finally:
        state.unrecorded = None
    hint = ""
    if unrecorded:
        hint = (f"\n  The backward of {', '.join(sorted(unrecorded))} returned NumPy arrays while "
                "create_graph=True, so it was not recorded and its own derivative reads as 0. "
                "Write that backward with Tensor ops (ctx.saved_tensors, operators, methods, "
                "Function.apply) to make it differentiable.")
    return _verdict("gradgradcheck", reports, atol, rtol, raise_exception, hint)


def _verdict(name, reports, atol, rtol, raise_exception, hint=""):
    failed = [r for r in reports if not r.passed]
    if not failed:
        return True
    if not raise_exception:
        return False
    lines = "\n  ".join(str(r) for r in failed)
    raise GradcheckError(f"{name} failed (atol={atol}, rtol={rtol}):\n  {lines}{hint}",
                         reports)
