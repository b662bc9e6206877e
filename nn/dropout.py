"""Inverted dropout: zero each unit with probability p at train time and scale the rest by
1/(1-p), so evaluation is the identity and needs no rescaling.

Masks come from nn's seeded generator (``nn.parameter.manual_seed``), so a
seeded run draws the same masks every time.
"""
import warnings

import numpy as np

from autograd import Tensor
from autograd.inplace import replace_
from .arguments import flag, tensor
from .module import Module
from .parameter import get_generator

__all__ = ["dropout", "dropout1d", "dropout2d", "Dropout", "Dropout1d", "Dropout2d"]


def _check_p(op, p):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) \
            or not 0 <= p <= 1:
        raise ValueError(f"{op}: dropout probability p must be a number in [0, 1], got {p!r}")
    return float(p)


def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout, as torch.nn.functional.dropout: identity unless ``training``.

    Each element is kept with probability 1-p and then multiplied by 1/(1-p)
    (the expectation is unchanged); p=1 gives zeros. The gradient is the same
    mask times the upstream gradient. ``inplace=True`` overwrites the input
    and returns it, as PyTorch's (recorded as its in-place ops are; a leaf that
    requires grad is refused).

    Example:
        >>> from nn import manual_seed
        >>> _ = manual_seed(0)
        >>> dropout(Tensor(np.ones(6, dtype=np.float32)), p=0.5)    # kept ones become 2
        Tensor([2., 2., 2., 0., 0., 0.], dtype=float32)
        >>> dropout(Tensor([1.0, 2.0]), p=0.5, training=False)     # eval: the identity
        Tensor([1., 2.], dtype=float32)
    """
    return _masked("dropout", input, p, training, inplace, lambda shape: shape)


def _masked(op, input, p, training, inplace, mask_shape):
    """x times an inverted-dropout mask drawn with shape ``mask_shape(x.shape)`` (broadcast)."""
    p = _check_p(op, p)
    x = tensor(op, "input", input)
    training, _ = flag(op, "training", training), flag(op, "inplace", inplace)
    if not training or p == 0.0:
        return x
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a float tensor, got shape {tuple(x.shape)} "
                        f"{x.dtype}; convert with .astype(np.float32)")
    shape = mask_shape(x.shape)
    if p == 1.0:
        mask = np.zeros(shape, dtype=x.dtype)
    else:
        draw = get_generator().random(shape, dtype=np.float64 if x.dtype == np.float64
                                      else np.float32)
        mask = (draw >= p).astype(x.dtype)
        mask *= 1 / (1 - p)
    mask = Tensor(mask)
    return replace_(x, lambda t: t * mask, op + "_") if inplace else x * mask


def _channel_mask(op, batched_rank):
    """The mask shape of channel dropout: one draw per (sample, channel), or per channel
    of an unbatched input (one dim fewer)."""
    def shape_of(shape):
        if len(shape) not in (batched_rank - 1, batched_rank):
            raise ValueError(f"{op}: expected a {batched_rank}-d (N, C, ...) or unbatched "
                             f"{batched_rank - 1}-d input, got shape {shape}")
        lead = 2 if len(shape) == batched_rank else 1
        return shape[:lead] + (1,) * (len(shape) - lead)
    return shape_of


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p; scale by 1/(1-p).

    Example:
        >>> dropout1d(Tensor(np.ones((2, 3, 4))), 0.5).shape
        (2, 3, 4)
    """
    return _masked("dropout1d", input, p, training, inplace, _channel_mask("dropout1d", 3))


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (feature maps) of (N, C, H, W) input; scale by 1/(1-p).

    A 3-d input is read as (N, C, L), one draw per sample and channel, with a
    warning: PyTorch does the same (it may read it as unbatched (C, H, W) in a
    future release).

    Example:
        >>> dropout2d(Tensor(np.ones((2, 3, 4, 4))), 0.5).shape
        (2, 3, 4, 4)
    """
    def shape_of(shape):
        if len(shape) == 3:
            warnings.warn("dropout2d: a 3-d input is read as (N, C, L) (channel-wise 1-d "
                          "dropout), as PyTorch does; use dropout1d to say so", stacklevel=4)
            return shape[:2] + (1,)
        return _channel_mask("dropout2d", 4)(shape)
    return _masked("dropout2d", input, p, training, inplace, shape_of)


class Dropout(Module):
    """Inverted dropout layer: active in ``train()`` mode, the identity in ``eval()`` mode.

    Example:
        >>> drop = Dropout(0.5)
        >>> drop.eval()(Tensor([1.0, 2.0])).data
        array([1., 2.], dtype=float32)
    """

    _function = staticmethod(dropout)

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p, self.inplace = _check_p(type(self).__name__, p), inplace

    def forward(self, input):
        return self._function(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}" + (", inplace=True" if self.inplace else "")


class Dropout1d(Dropout):
    """Channel dropout of (N, C, L) input: each channel of each sample is kept or zeroed whole.

    Example:
        >>> Dropout1d(0.2).eval()(Tensor(np.ones((2, 3, 4)))).shape
        (2, 3, 4)
    """
    _function = staticmethod(dropout1d)


class Dropout2d(Dropout):
    """Channel dropout of (N, C, H, W) input (Tompson et al. 2015), as torch.nn.Dropout2d.

    Example:
        >>> Dropout2d(0.2)(Tensor(np.ones((2, 3, 4, 4)))).shape
        (2, 3, 4, 4)
    """
    _function = staticmethod(dropout2d)
