"""Reductions beyond sum and mean: prod, std, norm.

``prod``'s gradient at each element is the product of all the others,
computed as (product of those before) x (product of those after), so it is
exact with zeros and needs no division. ``std`` takes the same arguments as
``var`` (NumPy's ``ddof=0`` by default; PyTorch's ``unbiased=``/``correction=``
accepted). ``norm``'s subgradient at 0 is 0, as PyTorch's.

Example:
    >>> x = Tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> prod(x).backward(); x.grad
    Tensor([0., 6., 0.], dtype=float32)
"""
import numpy as np

from ..function import Function
from ..function import data_of as _d
from .. import function as generic
from .._tensor import Tensor, tensor_arg
from . import args
from .reduce import correction_of
from .arrange import flip
from .elementwise import where
from .shape import pad
from .scan import _cumprod
from .unary import sign

__all__ = ["prod", "std", "norm"]


def _where(mask, a, b):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return where(mask, a, b)
    return np.where(mask, a, b)


def _flip(v, axis):
    return flip(v, axis) if isinstance(v, Tensor) else np.flip(v, axis)


def _sign(v):
    return sign(v) if isinstance(v, Tensor) else np.sign(v)


def _shift_in_one(v, axis):
    """``v`` moved one place along ``axis``: 1 enters at the start, the last element leaves."""
    widths = [(0, 0)] * v.ndim
    widths[axis] = (1, 0)
    lead = (slice(None),) * axis + (slice(0, -1),)
    if isinstance(v, Tensor):
        return pad(v[lead], tuple(widths), 1)
    return np.pad(v[lead], widths, constant_values=1)


class Prod(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.save_for_backward(x)
        ctx.axis = axis
        return np.prod(x.data, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        shape = x.shape
        if x.size == 0:
            return x * 0, None, None            # nothing was multiplied: an empty gradient
        if ctx.axis is None:
            x, axis = x.reshape(-1), 0
        else:
            axis, = ctx.axis
        before = _cumprod(_shift_in_one(x, axis), axis)
        after = _flip(_cumprod(_shift_in_one(_flip(x, axis), axis), axis), axis)
        g = g.reshape(generic.reduced_shape(shape, ctx.axis))
        if ctx.axis is None:
            g = g.reshape(1)
        return (g * before * after).reshape(shape), None, None


class Std(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis, ddof, keepdims):
        ctx.save_for_backward(x)
        ctx.axis = axis
        n = int(np.prod(x.shape if axis is None else [x.shape[a] for a in axis]))
        if n - ddof <= 0:
            raise ValueError(f"std: {n} element(s) per reduction with ddof={ddof} for shape "
                             f"{x.shape} {x.dtype}; need more than ddof elements")
        ctx.denominator = n - ddof
        return np.std(x.data, axis=axis, ddof=ddof, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        kshape = generic.reduced_shape(x.shape, ctx.axis)
        centred = x - x.mean(axis=ctx.axis, keepdims=True)
        std = ctx.output.reshape(kshape)
        zero = _d(std) == 0                    # no spread: gradient 0, as PyTorch's
        grad = g.reshape(kshape) * centred / (_where(zero, 1, std) * ctx.denominator)
        return (grad * ~zero if zero.any() else grad), None, None, None


class Norm(Function):
    """The vector p-norm over axes: p > 0, inf, -inf, or 0 (the count of non-zeros)."""
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x, p, axis, keepdims):
        ctx.save_for_backward(x)
        ctx.p, ctx.axis = p, axis
        a = np.abs(x.data)
        if p == np.inf or p == -np.inf:
            if a.size == 0 and p == np.inf:
                return np.zeros(np.sum(a, axis=axis, keepdims=keepdims).shape, a.dtype)
            pick = np.max if p == np.inf else np.min
            out = pick(a, axis=axis, keepdims=True)
            hits = (a == out).astype(a.dtype)
            with np.errstate(invalid="ignore", divide="ignore"):
                ctx.share = hits / hits.sum(axis=axis, keepdims=True)
            return out if keepdims else _drop(out, axis)
        if p == 0:
            return np.sum(a != 0, axis=axis, keepdims=keepdims).astype(a.dtype)
        # scaled by the largest |x|, so neither tiny nor huge values under- or overflow
        m = np.max(a, axis=axis, keepdims=True) if a.size else \
            np.zeros(np.sum(a, axis=axis, keepdims=True).shape, a.dtype)
        scale = np.where(m > 0, m, 1).astype(a.dtype)
        with np.errstate(invalid="ignore"):
            ratio = a / scale
            total = np.sum(ratio * ratio if p == 2 else ratio ** p, axis=axis, keepdims=True)
            out = scale * (np.sqrt(total) if p == 2 else total ** (1.0 / p))
        out = np.where(np.isinf(m), np.inf, out).astype(a.dtype, copy=False)
        return out if keepdims else _drop(out, axis)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        p = ctx.p
        kshape = generic.reduced_shape(x.shape, ctx.axis)
        g = g.reshape(kshape)
        if p == 0:
            return g * 0 * x, None, None, None
        if p == np.inf or p == -np.inf:
            return g * _sign(x) * ctx.share, None, None, None
        norm = ctx.output.reshape(kshape)
        safe_norm = _where(_d(norm) == 0, 1, norm)     # all-zero slices: subgradient 0
        if p == 2:
            return g * x / safe_norm, None, None, None
        if p == 1:
            return g * _sign(x), None, None, None
        # (|x| / norm) ** (p - 1): the ratio first, so tiny values neither under- nor overflow;
        # where x is 0 the ratio is taken as 1 and sign 0 zeroes it (no 0 ** negative)
        ratio = _where(_d(x) == 0, 1, abs(x) / safe_norm)
        return g * _sign(x) * ratio ** (p - 1), None, None, None


def _drop(out, axis):
    return out.reshape(()) if axis is None else np.squeeze(out, axis=axis)


def prod(x, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """The product of the elements over ``dim`` (all when None); integers give int64.

    Example:
        >>> prod(Tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
        Tensor([ 2., 12.], dtype=float32)
    """
    x = tensor_arg(x, "prod")
    if dtype is not None:
        x = x.astype(args.dtype("prod", dtype))
    elif x.dtype.kind in "biu":
        x = x.astype(np.int64)
    keepdims = False if keepdims is None else keepdims
    axis, keep = args.keepdims_of("prod", axis, dim, keepdims, keepdim)
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"prod: takes one dim, got {axis!r}")
    axis = None if axis is None or x.ndim == 0 else (args.dim("prod", x, axis),)
    return Prod.apply(x, axis, keep)


def std(x, dim=None, ddof=None, keepdims=False, *, axis=None, keepdim=None, unbiased=None,
        correction=None):
    """Standard deviation: the square root of ``var`` with the same arguments and defaults.

    With a ``dim``, PyTorch's unbiased default (N - 1); with ``axis=`` or no
    axis, NumPy's ddof 0. Where the deviation is 0 the gradient is 0, as in
    PyTorch.

    Example:
        >>> std(Tensor([1.0, 2.0, 3.0, 4.0]), correction=1)
        Tensor(1.290994, dtype=float32)
    """
    x = tensor_arg(x, "std")
    axis, keepdims = args.keepdims_of("std", axis, dim, keepdims, keepdim)
    ddof = correction_of("std", dim, ddof, unbiased, correction)
    return Std.apply(x, args.axes("std", x, axis), ddof, keepdims)


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm over ``dim`` (all elements when None), as ``torch.norm``.

    ``p``: 'fro' or 2 (Euclidean), any number > 0, ``inf`` / ``-inf`` (largest /
    smallest absolute value) or 0 (the number of non-zeros, no gradient). At
    ties of the inf-norm the gradient is shared equally; where the norm is 0
    the subgradient is 0.

    Example:
        >>> x = Tensor([3.0, -4.0])
        >>> norm(x), norm(x, 1), norm(x, float("inf"))
        (Tensor(5., dtype=float32), Tensor(7., dtype=float32), Tensor(4., dtype=float32))
    """
    x = tensor_arg(x, "norm")
    if dtype is not None:
        x = x.astype(args.dtype("norm", dtype))
    if x.dtype.kind != "f":
        raise TypeError(f"norm: expected a floating tensor, got shape {x.shape} {x.dtype}; "
                        "convert with .float()")
    if p is None or (isinstance(p, str) and p == "fro"):
        p = 2
    if isinstance(p, str) or isinstance(p, bool) or not isinstance(p, (int, float, np.number)) \
            or np.isnan(p) or (p < 0 and p != -np.inf):
        raise ValueError(f"norm: p must be 'fro', a number >= 0, inf or -inf, got {p!r} "
                         "('nuc' and negative p are not supported)")
    return Norm.apply(x, float(p), args.axes("norm", x, dim), args.flag("norm", "keepdim", keepdim))
