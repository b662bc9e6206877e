"""softmax and log_softmax along one axis, stable (shifted by the maximum)."""
import numpy as np

from ..function import Function
from . import dual

__all__ = ["softmax", "log_softmax"]


def _check_axis(op, x, axis):
    if not -x.ndim <= axis < x.ndim:
        raise np.exceptions.AxisError(f"{op}: axis {axis} out of range for shape {x.shape} "
                                      f"{x.dtype} (valid: {-x.ndim}..{x.ndim - 1})")


class Softmax(Function):
    raw = True
    uses_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        e = np.exp(x.data - x.data.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return y * (g - (g * y).sum(axis=ctx.axis, keepdims=True)), None


class LogSoftmax(Function):
    raw = True
    uses_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        shifted = x.data - x.data.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        return g - dual.exp(ctx.output) * g.sum(axis=ctx.axis, keepdims=True), None


def softmax(x, axis=-1, *, dim=None):
    """exp(x) / sum(exp(x)) along ``axis`` (alias ``dim``), stable for large inputs.

    Example:
        >>> softmax(Tensor([1.0, 1.0]))
        Tensor([0.5, 0.5], dtype=float32)
    """
    axis = axis if dim is None else dim
    if x.ndim == 0:
        axis = None
    else:
        _check_axis("softmax", x, axis)
    return Softmax.apply(x, axis)


def log_softmax(x, axis=-1, *, dim=None):
    """log(softmax(x)) along ``axis`` (alias ``dim``), computed without overflow.

    Example:
        >>> log_softmax(Tensor([0.0, 0.0]))
        Tensor([-0.693147, -0.693147], dtype=float32)
    """
    axis = axis if dim is None else dim
    if x.ndim == 0:
        axis = None
    else:
        _check_axis("log_softmax", x, axis)
    return LogSoftmax.apply(x, axis)
