"""Inverted dropout: zero each unit with probability p at train time and scale the rest by
1/(1-p), so evaluation is the identity and needs no rescaling.

Masks come from nn's seeded generator (``nn.parameter.manual_seed``), so a
seeded run draws the same masks every time.
"""
import numpy as np

from autograd import Tensor
from .module import Module
from .parameter import get_generator

__all__ = ["dropout", "Dropout"]


def _check_p(op, p):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) \
            or not 0 <= p <= 1:
        raise ValueError(f"{op}: dropout probability p must be a number in [0, 1], got {p!r}")
    return float(p)


def dropout(input, p=0.5, training=True):
    """Inverted dropout, as torch.nn.functional.dropout: identity unless ``training``.

    Each element is kept with probability 1-p and then multiplied by 1/(1-p)
    (the expectation is unchanged); p=1 gives zeros. The gradient is the same
    mask times the upstream gradient.

    Example:
        >>> manual_seed(0)
        >>> dropout(Tensor(np.ones(6, dtype=np.float32)), p=0.5).data
        array([2., 2., 2., 0., 0., 0.], dtype=float32)
    """
    p = _check_p("dropout", p)
    x = input if isinstance(input, Tensor) else Tensor(input)
    if not training or p == 0.0:
        return x
    if x.dtype.kind != "f":
        raise TypeError(f"dropout: expected a float tensor, got shape {tuple(x.shape)} "
                        f"{x.dtype}; convert with .astype(np.float32)")
    if p == 1.0:
        mask = np.zeros(x.shape, dtype=x.dtype)
    else:
        draw = get_generator().random(x.shape, dtype=np.float64 if x.dtype == np.float64
                                      else np.float32)
        mask = (draw >= p).astype(x.dtype)
        mask *= 1 / (1 - p)
    return x * Tensor(mask)


class Dropout(Module):
    """Inverted dropout layer: active in ``train()`` mode, the identity in ``eval()`` mode.

    Example:
        >>> drop = Dropout(0.5)
        >>> drop.eval()(Tensor([1.0, 2.0])).data
        array([1., 2.], dtype=float32)
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = _check_p("Dropout", p)

    def forward(self, input):
        return dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
