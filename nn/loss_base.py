"""What every loss shares: the reduction, input and target checks, and the module base."""
import numpy as np

from autograd import Tensor
from .arguments import tensor
from .module import Module

__all__ = ["Loss", "check_reduction", "reduce_loss", "as_input", "as_target", "as_array"]

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
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
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
    x = tensor(op, "input", x)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: input must be a floating Tensor, got shape {x.shape} {x.dtype}; "
                        "convert with .astype(np.float32)")
    return x


def as_array(op, what, value, dtype):
    """``value`` (an array, a number or a list of numbers) as an ndarray of ``dtype``, or a
    TypeError naming ``op`` and the argument.

    Example:
        >>> as_array("mse_loss", "target", [1, 2], np.float32)
        array([1., 2.], dtype=float32)
    """
    try:
        if isinstance(value, (str, bytes)) or (isinstance(value, np.ndarray)
                                               and value.dtype.kind not in "biuf"):
            raise TypeError
        return np.asanyarray(value, dtype=dtype)       # a traced array stays traced
    except (TypeError, ValueError):
        shown = f"an ndarray of dtype {value.dtype}" if isinstance(value, np.ndarray) else \
            f"{type(value).__name__} ({str(value)[:40]!r})"
        raise TypeError(f"{op}: {what} must be a Tensor, an array of numbers or a number, "
                        f"got {shown}") from None


def as_target(op, target, like, dtype=None):
    """A float target with ``like``'s shape (a Tensor keeps its graph; arrays are wrapped).

    Arrays and lists take ``like``'s dtype (no silent upcast of a float32 loss).

    Example:
        >>> as_target("mse_loss", [1.0, 2.0], Tensor(np.zeros(2, np.float32))).dtype
        dtype('float32')
    """
    if not isinstance(target, Tensor):
        target = Tensor(as_array(op, "target", target, dtype or like.dtype))
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
