"""Reductions: sum, mean, var, max, min, amax, amin, argmax, argmin, logsumexp.

Axes follow NumPy (``axis=``, ``keepdims=``); PyTorch's ``dim=`` and
``keepdim=`` are accepted as aliases. ``max``/``min`` with a dim (positional,
as ``torch.max(x, 1)``, or ``dim=``) return PyTorch's pair ``(values,
indices)``; with NumPy's keyword ``axis=`` (or no axis) the values only, as
``np.max``. ``amax``/``amin`` always give values. At ties the gradient of the
values is shared equally among the tied elements (PyTorch's amax).
"""
from collections import namedtuple

import numpy as np

from ..function import Function
from .._tensor import Tensor, tensor_arg
from .. import function as generic
from . import args
from .elementwise import maximum, minimum

__all__ = ["sum", "mean", "var", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp"]

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "The (values, indices) pair of max/min with a dim (torch.return_types)."


def _count(shape, axes):
    """How many elements each reduction over ``axes`` combines."""
    return int(np.prod(shape if axes is None else [shape[a] for a in axes]))


class Sum(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.shape, ctx.axis = x.shape, axis
        return np.sum(x.data, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = g.reshape(generic.reduced_shape(ctx.shape, ctx.axis))
        return generic.expand(g, ctx.shape), None, None


class Mean(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.shape, ctx.axis = x.shape, axis
        ctx.count = _count(x.shape, axis)
        if ctx.count == 0:               # PyTorch: the mean of nothing is NaN, not an error
            return np.full(np.sum(x.data, axis=axis, keepdims=keepdims).shape, np.nan,
                           dtype=x.dtype)
        return np.mean(x.data, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        scale = 1.0 / ctx.count if ctx.count else np.nan    # only ever scales empty gradients
        g = g.reshape(generic.reduced_shape(ctx.shape, ctx.axis)) * scale
        return generic.expand(g, ctx.shape), None, None


class Var(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, axis, ddof, keepdims):
        ctx.save_for_backward(x)
        ctx.axis, ctx.ddof = axis, ddof
        n = _count(x.shape, axis)
        if n - ddof <= 0:
            raise ValueError(f"var: {n} element(s) per reduction with ddof={ddof} for shape "
                             f"{x.shape} {x.dtype}; need more than ddof elements")
        ctx.denominator = n - ddof
        return np.var(x.data, axis=axis, ddof=ddof, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        centred = x - x.mean(axis=ctx.axis, keepdims=True)
        g = g.reshape(generic.reduced_shape(x.shape, ctx.axis))
        return g * centred * (2.0 / ctx.denominator), None, None, None


class _Extreme(Function):
    """max/min over axes: the gradient is shared equally among the tied extreme elements."""
    array_backward = True
    reduce = None

    @classmethod
    def forward(cls, ctx, x, axis, keepdims):
        extreme = cls.reduce(x.data, axis=axis, keepdims=True)
        hits = (x.data == extreme).astype(x.dtype)
        ctx.axis = axis
        with np.errstate(invalid="ignore", divide="ignore"):
            ctx.share = hits / hits.sum(axis=axis, keepdims=True)
        if keepdims:
            return extreme
        return extreme.reshape(()) if axis is None else np.squeeze(extreme, axis=axis)

    @staticmethod
    def backward(ctx, g):
        share = ctx.share
        return g.reshape(generic.reduced_shape(share.shape, ctx.axis)) * share, None, None


class Max(_Extreme):
    reduce = staticmethod(np.max)


class Min(_Extreme):
    reduce = staticmethod(np.min)


class LogSumExp(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.save_for_backward(x)
        ctx.axis = axis
        if x.data.size == 0:            # log(sum of nothing) = -inf, as PyTorch
            with np.errstate(divide="ignore"):      # log 0: -inf, without a warning
                return np.log(np.sum(np.exp(x.data), axis=axis, keepdims=keepdims))
        m = np.max(x.data, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.sum(np.exp(x.data - m), axis=axis, keepdims=True)) + m
        return out if keepdims else (out.reshape(()) if axis is None
                                     else np.squeeze(out, axis=axis))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        kshape = generic.reduced_shape(x.shape, ctx.axis)
        y = ctx.output.reshape(kshape)
        return g.reshape(kshape) * generic.exp(x - y), None, None


def _check_not_empty(op, x, axis):
    reduced = x.shape if axis is None or x.ndim == 0 else [x.shape[a] for a in axis]
    if 0 in reduced or (axis is None and x.data.size == 0):
        raise ValueError(f"{op}: cannot reduce a tensor of shape {x.shape} {x.dtype} over "
                         f"{'all axes' if axis is None else f'axis {axis}'}: that has no "
                         "elements, so there is no extreme value. Reduce over a non-empty "
                         "axis, or check the batch is not empty")


def _reduce(op_cls, name, x, axis, keepdims, dim, keepdim):
    x = tensor_arg(x, name)
    axis, keepdims = args.keepdims_of(name, axis, dim, keepdims, keepdim)
    axes = args.axes(name, x, axis)
    if issubclass(op_cls, _Extreme):
        _check_not_empty(name, x, axes)
    return op_cls.apply(x, axes, keepdims)


def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None, dtype=None):
    """Sum over ``axis`` (all axes when None).

    Example:
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
        Tensor([4., 6.], dtype=float32)
    """
    if dtype is not None:
        x = tensor_arg(x, "sum").astype(args.dtype("sum", dtype))
    return _reduce(Sum, "sum", x, axis, keepdims, dim, keepdim)


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Mean over ``axis`` (all axes when None); the mean of nothing is NaN, as PyTorch's.

    Example:
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=1)
        Tensor([1.5, 3.5], dtype=float32)
    """
    return _reduce(Mean, "mean", x, axis, keepdims, dim, keepdim)


def var(x, dim=None, ddof=None, keepdims=False, *, axis=None, keepdim=None, unbiased=None,
        correction=None):
    """Variance, dividing by N - ddof; which default applies follows the spelling used.

    With a ``dim`` (positional or ``dim=``), PyTorch's unbiased default (N - 1),
    as ``torch.var(x, 1)``; with NumPy's keyword ``axis=`` or no axis, NumPy's
    population formula (ddof 0), as ``np.var``. ``ddof=``, ``unbiased=`` and
    ``correction=`` always say it explicitly.

    Example:
        >>> x = Tensor([[1.0, 2.0, 3.0, 4.0]])
        >>> x.var(), x.var(axis=1), x.var(1)
        (Tensor(1.25, dtype=float32), Tensor([1.25], dtype=float32), Tensor([1.666667], dtype=float32))
    """
    x = tensor_arg(x, "var")
    axis, keepdims = args.keepdims_of("var", axis, dim, keepdims, keepdim)
    ddof = correction_of("var", dim, ddof, unbiased, correction)
    return Var.apply(x, args.axes("var", x, axis), ddof, keepdims)


def correction_of(op, dim, ddof, unbiased, correction):
    """The ddof of var/std: given explicitly, else 1 with PyTorch's ``dim``, else NumPy's 0.

    A bool in ddof's place is PyTorch's positional ``unbiased`` (``torch.var(x, 1, True)``).
    """
    if isinstance(ddof, (bool, np.bool_)):
        ddof, unbiased = None, ddof if unbiased is None else unbiased
    given = [v for v in (ddof, unbiased, correction) if v is not None]
    if len(given) > 1:
        raise TypeError(f"{op}: give one of ddof=, unbiased= or correction=, not several")
    if unbiased is not None:
        return int(args.flag(op, "unbiased", unbiased))
    if given:
        return args.index(op, "ddof" if ddof is not None else "correction", given[0])
    return 1 if dim is not None else 0


def _extreme_with_dim(op_cls, name, pick_index, pairwise, x, dim, keepdim, axis, keepdims):
    if isinstance(dim, Tensor) or (dim is not None and isinstance(dim, np.ndarray)):
        return pairwise(x, dim)          # torch.max(a, b): the elementwise maximum
    x = tensor_arg(x, name)
    if dim is None:                      # NumPy's spelling, or no axis: values only
        keep = keepdims if keepdims is not None else keepdim
        return _reduce(op_cls, name, x, axis, args.flag(name, "keepdims", keep), None, None)
    if axis is not None:
        raise TypeError(f"{name}: give dim (PyTorch: returns values and indices) or axis= "
                        "(NumPy: returns values), not both")
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}: dim must be one int for (values, indices); use "
                        f"amax/amin or axis= to reduce over several axes")
    keep = args.flag(name, "keepdim", keepdim if keepdims is None else keepdims)
    d = args.dim(name, x, dim)
    _check_not_empty(name, x, (d,))
    values = op_cls.apply(x, (d,) if x.ndim else None, keep)
    indices = pick_index(x.data, axis=d if x.ndim else None, keepdims=bool(keep) and x.ndim > 0)
    return ValuesIndices(values, Tensor(np.asarray(indices, dtype=np.int64)))


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The largest value, or with a dim PyTorch's ``(values, indices)``; ``axis=`` gives values.

    ``max(x)`` and ``max(x, axis=1)`` (NumPy) return values; ``max(x, 1)`` and
    ``max(x, dim=1)`` (PyTorch) return the named pair ``(values, indices)``;
    ``max(a, b)`` with a tensor ``b`` is the elementwise maximum. Tied elements
    share the gradient of the values equally.

    Example:
        >>> x = Tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> x.max(axis=1)
        Tensor([5., 7.], dtype=float32)
        >>> values, indices = x.max(1); indices
        Tensor([1, 0], dtype=int64)
    """
    return _extreme_with_dim(Max, "max", np.argmax, maximum, x, dim, keepdim, axis, keepdims)


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The smallest value, or with a dim PyTorch's ``(values, indices)``; ``axis=`` gives values.

    Example:
        >>> x = Tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> x.min()
        Tensor(1., dtype=float32)
        >>> x.min(dim=0).indices
        Tensor([0, 1], dtype=int64)
    """
    return _extreme_with_dim(Min, "min", np.argmin, minimum, x, dim, keepdim, axis, keepdims)


def amax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """The largest values over ``axis``/``dim`` (values only, as ``torch.amax``/``np.max``).

    Example:
        >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).amax(dim=0)
        Tensor([7., 5.], dtype=float32)
    """
    return _reduce(Max, "amax", x, axis, keepdims, dim, keepdim)


def amin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """The smallest values over ``axis``/``dim`` (values only, as ``torch.amin``/``np.min``).

    Example:
        >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).amin(dim=1)
        Tensor([1., 2.], dtype=float32)
    """
    return _reduce(Min, "amin", x, axis, keepdims, dim, keepdim)


def _arg(name, pick, x, axis, keepdims, dim, keepdim):
    x = tensor_arg(x, name)
    axis, keepdims = args.keepdims_of(name, axis, dim, keepdims, keepdim)
    if axis is not None:
        if isinstance(axis, (tuple, list)):
            raise TypeError(f"{name}: takes one axis, got {axis!r}")
        axis = args.dim(name, x, axis)
    _check_not_empty(name, x, None if axis is None else (axis,))
    if x.ndim == 0:
        axis = None
    out = pick(x.data, axis=axis, keepdims=keepdims)
    return Tensor(np.asarray(out, dtype=np.int64))


def argmax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the largest value (flat index when axis is None); an int64 tensor, no gradient.

    Example:
        >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(axis=1)
        Tensor([1, 0], dtype=int64)
    """
    return _arg("argmax", np.argmax, x, axis, keepdims, dim, keepdim)


def argmin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the smallest value (flat index when axis is None); an int64 tensor.

    Example:
        >>> Tensor([[1.0, 5.0], [7.0, 2.0]]).argmin(dim=0)
        Tensor([0, 1], dtype=int64)
    """
    return _arg("argmin", np.argmin, x, axis, keepdims, dim, keepdim)


def logsumexp(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """log(sum(exp(x))) over ``axis``, computed stably (shifted by the maximum).

    Example:
        >>> logsumexp(Tensor([1000.0, 1000.0]))       # 1000 + log 2; exp(1000) overflows
        Tensor(1000.6932, dtype=float32)
    """
    return _reduce(LogSumExp, "logsumexp", x, axis, keepdims, dim, keepdim)
