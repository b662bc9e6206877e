"""softmax and log_softmax along one axis, stable (shifted by the maximum)."""
import numpy as np

from ..function import Function
from .. import function as generic
from .._tensor import tensor_arg
from . import args

__all__ = ["softmax", "log_softmax"]


def _axis(op, x, axis, dim):
    """The one axis softmax runs along (None for a 0-d tensor)."""
    axis = axis if dim is None else dim
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"{op}: takes one axis, got {axis!r}")
    axis = args.dim(op, x, axis)
    return None if x.ndim == 0 else axis


class Softmax(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        if x.data.size == 0:
            return x.data.copy()         # nothing to normalise: an empty result, as PyTorch
        e = np.exp(x.data - x.data.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return y * (g - (g * y).sum(axis=ctx.axis, keepdims=True)), None


class LogSoftmax(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        if x.data.size == 0:
            return x.data.copy()
        shifted = x.data - x.data.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        return g - generic.exp(ctx.output) * g.sum(axis=ctx.axis, keepdims=True), None


def softmax(x, axis=-1, *, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along ``axis`` (alias ``dim``), stable for large inputs.

    ``dtype`` (PyTorch's): the input is cast to it first (differentiably).

    Example:
        >>> from autograd import Tensor
        >>> softmax(Tensor([1.0, 2.0, 3.0]))
        Tensor([0.090031, 0.244728, 0.665241], dtype=float32)
        >>> softmax(Tensor([1000.0, 1000.0]))
        Tensor([0.5, 0.5], dtype=float32)
        >>> softmax(Tensor([0.0, 0.0]), 0, dtype="float64")
        Tensor([0.5, 0.5], dtype=float64)
    """
    x = _cast(tensor_arg(x, "softmax"), dtype, "softmax")
    axis = _axis("softmax", x, axis, dim)
    return Softmax.apply(x, axis)


def log_softmax(x, axis=-1, *, dim=None, dtype=None):
    """log(softmax(x)) along ``axis`` (alias ``dim``), computed without overflow.

    ``dtype`` (PyTorch's): the input is cast to it first (differentiably).

    Example:
        >>> from autograd import Tensor
        >>> log_softmax(Tensor([[0.0, 0.0], [1.0, 2.0]]), dim=1)
        Tensor([[-0.693147, -0.693147],
                [-1.313262, -0.313262]], dtype=float32)
    """
    x = _cast(tensor_arg(x, "log_softmax"), dtype, "log_softmax")
    axis = _axis("log_softmax", x, axis, dim)
    return LogSoftmax.apply(x, axis)


def _cast(x, dtype, op):
    if dtype is None:
        return x
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: dtype {dtype!r} is not a dtype; use e.g. autograd.float64") \
            from None
    if dtype.kind != "f":
        raise TypeError(f"{op}: dtype must be a floating dtype, got {dtype} (input shape "
                        f"{x.shape} {x.dtype})")
    return x if x.dtype == dtype else x.astype(dtype)
