"""Running totals along a dim: cumsum and cumprod.

cumsum's gradient is the reversed running sum of the gradient. cumprod's is
``sum over j >= i of g[j] * y[j] / x[i]`` where ``x[i] != 0``; at a zero (or
a value too small to divide by twice) it is computed directly as the sum of
``g[j]`` times the running product with ``x[i]`` left out: exact with any
number of zeros, and built from recorded ops, so second derivatives are
exact there too. (Near, but not at, a zero the second derivative inherits
the division's rounding error, about 1e-16 / |x| in float64, as PyTorch's.)

Example:
    >>> x = Tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> cumprod(x, 0).sum().backward(); x.grad
    Tensor([1., 8., 0.], dtype=float32)
"""
import numpy as np

from ..function import Function
from ..function import data_of as _d
from .._tensor import Tensor, tensor_arg
from . import args
from .arrange import flip
from .elementwise import where

__all__ = ["cumsum", "cumprod"]


def _cumsum(v, axis):
    return CumSum.apply(v, axis) if isinstance(v, Tensor) else np.cumsum(v, axis)


def _cumprod(v, axis):
    return CumProd.apply(v, axis) if isinstance(v, Tensor) else np.cumprod(v, axis)


def _reverse_cumsum(v, axis):
    """Sums from each position to the end along ``axis``."""
    if isinstance(v, Tensor):
        return flip(_cumsum(flip(v, axis), axis), axis)
    return np.flip(np.cumsum(np.flip(v, axis), axis), axis)


def _where(mask, a, b):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return where(mask, a, b)
    return np.where(mask, a, b)


class CumSum(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        a = _d(x)
        return a.copy() if axis is None else np.cumsum(a, axis)

    @staticmethod
    def backward(ctx, g):
        return (g if ctx.axis is None else _reverse_cumsum(g, ctx.axis)), None


class CumProd(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.save_for_backward(x)
        ctx.axis = axis
        a = _d(x)
        return a.copy() if axis is None else np.cumprod(a, axis)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        axis = ctx.axis
        if axis is None:
            return g, None
        xd = _d(x)
        # zeros, and values so small that dividing by their square would overflow
        zero = np.abs(xd) < np.sqrt(np.finfo(xd.dtype).tiny) if xd.dtype.kind == "f" \
            else xd == 0
        safe = _where(zero, 1, x)
        grad = _reverse_cumsum(g * ctx.output, axis) / safe
        if not zero.any():
            return grad, None
        grad = grad * ~zero
        rank = np.cumsum(zero, axis) - 1          # which zero of its row each zero is
        for r in range(int(zero.sum(axis=axis).max())):
            at = zero & (rank == r)               # the r-th zero of each row (if any)
            after = np.cumsum(at, axis) > 0       # positions j >= that zero
            without = _cumprod(_where(at, 1, x), axis)
            term = (g * without * after).sum(axis=axis, keepdims=True)
            grad = grad + term * at
        return grad, None


def _axis(op, x, dim, axis):
    if dim is not None and axis is not None:
        raise TypeError(f"{op}: give dim or its alias axis, not both")
    dim = axis if dim is None else dim
    if dim is None:
        raise TypeError(f"{op}: give the dim to accumulate along (shape {x.shape}), e.g. "
                        f"{op}(x, dim=0)")
    d = args.dim(op, x, dim)
    return d if x.ndim else None


def cumsum(x, dim=None, *, axis=None, dtype=None):
    """Running sums along ``dim`` (``axis`` as NumPy's alias); integers accumulate as int64.

    Example:
        >>> cumsum(Tensor([[1.0, 2.0], [3.0, 4.0]]), dim=1)
        Tensor([[1., 3.],
                [3., 7.]], dtype=float32)
    """
    x = tensor_arg(x, "cumsum")
    if dtype is not None:
        x = x.astype(args.dtype("cumsum", dtype))
    elif x.dtype.kind in "biu":
        x = x.astype(np.int64)
    return CumSum.apply(x, _axis("cumsum", x, dim, axis))


def cumprod(x, dim=None, *, axis=None, dtype=None):
    """Running products along ``dim``; exact gradients with zeros in ``x``.

    Example:
        >>> cumprod(Tensor([1.0, 2.0, 3.0]), 0)
        Tensor([1., 2., 6.], dtype=float32)
    """
    x = tensor_arg(x, "cumprod")
    if dtype is not None:
        x = x.astype(args.dtype("cumprod", dtype))
    elif x.dtype.kind in "biu":
        x = x.astype(np.int64)
    return CumProd.apply(x, _axis("cumprod", x, dim, axis))
