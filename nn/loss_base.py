"""What every loss shares: the reduction, input and target checks, and the module base."""
import numpy as np

from autograd import Tensor
from .module import Module

__all__ = ["Loss", "check_reduction", "reduce_loss", "as_input", "as_target"]

_REDUCTIONS = ("none", "mean", "sum")


def check_reduction(op, reduction):
    """Raise a clear ValueError unless ``reduction`` is 'none', 'mean' or 'sum'.

    Example:
        >>> check_reduction("my_loss", "sum")    # a valid reduction passes silently
        >>> check_reduction("my_loss", "avg")
        Traceback (most recent call last):
            ...
        ValueError: my_loss: reduction must be 'none', 'mean' or 'sum', got 'avg'
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'none', 'mean' or 'sum', got {reduction!r}")


def reduce_loss(loss, reduction):
    """Apply a loss reduction: 'none' (elementwise), 'mean' or 'sum'.

    Example:
        >>> reduce_loss(Tensor([1.0, 3.0]), "mean")
        Tensor(2., dtype=float32)
    """
    check_reduction("reduce_loss", reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def as_input(op, x):
    """The loss input as a float Tensor (an ndarray is wrapped), or a clear TypeError.

    Example:
        >>> as_input("mse_loss", np.zeros(3)).shape
        (3,)
    """
    if isinstance(x, np.ndarray):
        x = Tensor(x)
    if not isinstance(x, Tensor) or x.dtype.kind != "f":
        raise TypeError(f"{op}: input must be a floating Tensor, got "
                        f"{getattr(x, 'dtype', type(x).__name__)}")
    return x


def as_target(op, target, like, dtype=None):
    """A float target with ``like``'s shape (a Tensor keeps its graph; arrays are wrapped).

    Arrays and lists take ``like``'s dtype (no silent upcast of a float32 loss).

    Example:
        >>> as_target("mse_loss", [1.0, 2.0], Tensor(np.zeros(2, np.float32))).dtype
        dtype('float32')
    """
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target, dtype=dtype or like.dtype))
    elif target.dtype.kind != "f":
        target = Tensor(target.data.astype(like.dtype))     # integer labels: no upcast
    if target.shape != like.shape:
        raise ValueError(f"{op}: target shape {target.shape} {target.dtype} must equal the input "
                         f"shape {like.shape} {like.dtype} (no silent broadcasting); reshape "
                         "one of them")
    return target


class Loss(Module):
    """Base of the loss modules: holds ``reduction`` and shows it in the repr.

    Example:
        >>> class Half(Loss):
        ...     def forward(self, input, target):
        ...         return reduce_loss((input - target).abs() * 0.5, self.reduction)
        >>> Half(reduction="sum")(Tensor([1.0, 2.0]), Tensor([3.0, 3.0]))
        Tensor(1.5, dtype=float32)
        >>> Half()
        Half(reduction='mean')
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"
