"""Reductions: sum, mean, var, max, min, argmax, logsumexp.

Axes follow NumPy (``axis=``, ``keepdims=``); PyTorch's ``dim=`` and
``keepdim=`` are accepted as aliases. ``max``/``min`` return values only (as
``torch.amax``/``amin``) and share the gradient equally among tied elements.
"""
import numpy as np

from ..function import Function
from ..tensor import Tensor
from . import dual

__all__ = ["sum", "mean", "var", "max", "min", "argmax", "logsumexp"]


def normalize_axis(op, x, axis, dim=None, keepdims=False, keepdim=None):
    """Resolve ``axis``/``dim`` to None or a sorted tuple of non-negative axes, and keepdims."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: give axis= or its alias dim=, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    if axis is None:
        return None, bool(keepdims)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    ndim = x.ndim
    out = []
    for a in axes:
        if not -ndim <= a < ndim and not (ndim == 0 and a in (0, -1)):
            raise np.exceptions.AxisError(
                f"{op}: axis {a} is out of range for a tensor of shape {x.shape} {x.dtype} "
                f"(valid: {-ndim}..{ndim - 1})")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis} for shape {x.shape}")
    return (tuple(sorted(out)) if ndim else None), bool(keepdims)


def _count(shape, axes):
    """How many elements each reduction over ``axes`` combines."""
    return int(np.prod(shape if axes is None else [shape[a] for a in axes]))


class Sum(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.shape, ctx.axis = x.shape, axis
        return np.sum(x.data, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = g.reshape(dual.reduced_shape(ctx.shape, ctx.axis))
        return dual.expand(g, ctx.shape), None, None


class Mean(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.shape, ctx.axis = x.shape, axis
        ctx.count = _count(x.shape, axis)
        return np.mean(x.data, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = g.reshape(dual.reduced_shape(ctx.shape, ctx.axis)) * (1.0 / ctx.count)
        return dual.expand(g, ctx.shape), None, None


class Var(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, axis, ddof, keepdims):
        ctx.save_for_backward(x)
        ctx.axis, ctx.ddof = axis, ddof
        n = _count(x.shape, axis)
        if n - ddof <= 0:
            raise ValueError(f"var: {n} element(s) per reduction with ddof={ddof} for shape "
                             f"{x.shape}; need more than ddof elements")
        ctx.denominator = n - ddof
        return np.var(x.data, axis=axis, ddof=ddof, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        centred = x - x.mean(axis=ctx.axis, keepdims=True)
        g = g.reshape(dual.reduced_shape(x.shape, ctx.axis))
        return g * centred * (2.0 / ctx.denominator), None, None, None


class _Extreme(Function):
    """max/min over axes: the gradient is shared equally among the tied extreme elements."""
    raw = True
    reduce = None

    @classmethod
    def forward(cls, ctx, x, axis, keepdims):
        if x.data.size == 0:
            raise ValueError(f"{cls.__name__.lower()}: empty tensor of shape {x.shape} "
                             "has no extreme value")
        extreme = cls.reduce(x.data, axis=axis, keepdims=True)
        hits = (x.data == extreme).astype(x.dtype)
        ctx.axis = axis
        ctx.share = hits / hits.sum(axis=axis, keepdims=True)
        if keepdims:
            return extreme
        return extreme.reshape(()) if axis is None else np.squeeze(extreme, axis=axis)

    @staticmethod
    def backward(ctx, g):
        share = ctx.share
        return g.reshape(dual.reduced_shape(share.shape, ctx.axis)) * share, None, None


class Max(_Extreme):
    reduce = staticmethod(np.max)


class Min(_Extreme):
    reduce = staticmethod(np.min)


class LogSumExp(Function):
    raw = True
    uses_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.save_for_backward(x)
        ctx.axis = axis
        m = np.max(x.data, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.sum(np.exp(x.data - m), axis=axis, keepdims=True)) + m
        return out if keepdims else np.squeeze(out, axis=axis)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        kshape = dual.reduced_shape(x.shape, ctx.axis)
        y = ctx.output.reshape(kshape)
        return g.reshape(kshape) * dual.exp(x - y), None, None


def _reduce(op_cls, name, x, axis, keepdims, dim, keepdim):
    axis, keepdims = normalize_axis(name, x, axis, dim, keepdims, keepdim)
    return op_cls.apply(x, axis, keepdims)


def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Sum over ``axis`` (all axes when None).

    Example:
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
        Tensor([4., 6.], dtype=float32)
    """
    return _reduce(Sum, "sum", x, axis, keepdims, dim, keepdim)


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Mean over ``axis`` (all axes when None).

    Example:
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=1)
        Tensor([1.5, 3.5], dtype=float32)
    """
    return _reduce(Mean, "mean", x, axis, keepdims, dim, keepdim)


def var(x, axis=None, ddof=0, keepdims=False, *, dim=None, keepdim=None):
    """Variance over ``axis``, dividing by N - ddof (NumPy's default ddof=0).

    Example:
        >>> Tensor([1.0, 2.0, 3.0, 4.0]).var()
        Tensor(1.25, dtype=float32)
    """
    axis, keepdims = normalize_axis("var", x, axis, dim, keepdims, keepdim)
    return Var.apply(x, axis, ddof, keepdims)


def max(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Largest value over ``axis`` (values only, like torch.amax); ties share the gradient.

    Example:
        >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).max(axis=1)
        Tensor([5., 7.], dtype=float32)
    """
    return _reduce(Max, "max", x, axis, keepdims, dim, keepdim)


def min(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Smallest value over ``axis`` (values only, like torch.amin); ties share the gradient.

    Example:
        >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).min()
        Tensor(1., dtype=float32)
    """
    return _reduce(Min, "min", x, axis, keepdims, dim, keepdim)


def argmax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the largest value (flat index when axis is None); an int64 tensor, no gradient.

    Example:
        >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(axis=1)
        Tensor([1, 0], dtype=int64)
    """
    if dim is not None:
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if axis is not None:
        normalize_axis("argmax", data, axis)
    return Tensor(np.argmax(data, axis=axis, keepdims=keepdims).astype(np.int64))


def logsumexp(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """log(sum(exp(x))) over ``axis``, computed stably (shifted by the maximum).

    Example:
        >>> logsumexp(Tensor([1000.0, 1000.0]))
        Tensor(1000.6931, dtype=float32)
    """
    return _reduce(LogSumExp, "logsumexp", x, axis, keepdims, dim, keepdim)
