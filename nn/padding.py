"""nn.functional.pad with PyTorch's pad tuple and modes: constant, reflect, replicate, circular.

PyTorch's ``pad`` lists (before, after) pairs starting from the **last**
dimension: ``(left, right)`` pads the last dim, ``(left, right, top, bottom)``
the last two. (``autograd.pad`` takes NumPy's ``pad_width``, first dim first.)
Constant padding may be negative (it crops). The other modes gather with an
index array per padded dimension, so their gradients add up where an input
element is copied more than once.
"""
import numpy as np

from autograd import Tensor, pad as _autograd_pad  # noqa: F401  (Tensor: the examples)
from .arguments import check_output_size, choice, number, tensor

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(n, before, after, mode):
    """Which input position each output position copies, along one dimension of size n."""
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    period = 2 * (n - 1)                      # reflect: ... 2 1 [0 1 2 ... n-1] n-2 ...
    i = np.abs(i) % period if period else np.zeros_like(i)
    return np.where(i > n - 1, period - i, i)


def pad(input, pad, mode="constant", value=None):
    """Pad ``input``; ``pad`` = (before, after) pairs from the last dimension backwards.

    Example:
        >>> pad(Tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
        Tensor([[3., 2., 1., 2., 3., 2.]], dtype=float32)
        >>> pad(Tensor([[1.0, 2.0]]), (1, -1), value=9.0)
        Tensor([[9., 1.]], dtype=float32)
    """
    x = tensor("pad", "input", input)
    pairs = list(pad) if isinstance(pad, (tuple, list)) else None
    if pairs is None or len(pairs) % 2 or len(pairs) // 2 > x.ndim \
            or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool)
                       for p in pairs):
        raise ValueError(f"pad: pad must be a tuple of ints of even length, at most 2 * ndim "
                         f"= {2 * x.ndim} for input {x.shape}, got {pad!r}")
    mode = choice("pad", "mode", mode, _MODES)
    if value is not None:
        number("pad", "value", value)       # checked, kept as given (an int pads an int tensor)
    widths = [(0, 0)] * x.ndim
    for k in range(len(pairs) // 2):
        widths[x.ndim - 1 - k] = (int(pairs[2 * k]), int(pairs[2 * k + 1]))
    check_output_size("pad", [max(n + lo + hi, 0) for n, (lo, hi) in zip(x.shape, widths)],
                      x.dtype, "pad")
    if mode == "constant":
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(widths, x.shape))
        if any(s.start or s.stop != n for s, n in zip(crop, x.shape)):
            if any(s.stop - s.start < 0 for s in crop):
                raise ValueError(f"pad: negative padding {pad} crops more than input {x.shape} "
                                 "has")
            x = x[crop]
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        return _autograd_pad(x, grow, value=0 if value is None else value) \
            if any(lo or hi for lo, hi in grow) else x
    if value not in (None, 0):
        raise ValueError(f"pad: value={value} applies only to mode='constant', not {mode!r}")
    for axis, (lo, hi) in enumerate(widths):
        if not lo and not hi:
            continue
        n = x.shape[axis]
        limit = n - 1 if mode == "reflect" else n
        if lo < 0 or hi < 0 or (mode != "replicate" and max(lo, hi) > limit) or n == 0:
            raise ValueError(f"pad: {mode} padding ({lo}, {hi}) of dimension {axis} (size {n}) "
                             f"of input {x.shape} must be non-negative"
                             + (f" and at most {limit}" if mode != "replicate" else "")
                             + (" (reflect cannot repeat the edge)" if mode == "reflect" else ""))
        index = (slice(None),) * axis + (_source_index(n, lo, hi, mode),)
        x = x[index]
    return x
