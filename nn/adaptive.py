"""Adaptive pooling to a fixed output size, as torch.nn.AdaptiveAvgPool2d/AdaptiveMaxPool2d.

Output cell i along a dimension of size n pools the input window
[floor(i n / out), ceil((i + 1) n / out)), PyTorch's rule (windows may
overlap when ``out`` does not divide ``n``). Average pooling is linear and
separable: two products with averaging matrices, ``A_h @ x @ A_w^T``.
Max pooling finds each window's first maximum (NaN wins, as PyTorch) and
gathers it, so its gradient goes to that element (added up where windows
overlap); ``return_indices`` gives the flat ``h * W + w`` positions.
"""
import numpy as np

from autograd import Tensor
from .arguments import check_output_size, flag, tensor
from .module import Module

__all__ = ["adaptive_avg_pool2d", "adaptive_max_pool2d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool2d", "adaptive_windows"]


def adaptive_windows(n, out):
    """[(start, end), ...] of the ``out`` pooling windows over a dimension of size ``n``.

    Example:
        >>> adaptive_windows(5, 3)
        [(0, 2), (1, 4), (3, 5)]
    """
    return [(i * n // out, -((-(i + 1) * n) // out)) for i in range(out)]


def _sizes(op, x, output_size):
    if x.ndim not in (3, 4):
        raise ValueError(f"{op}: expected a 3-d (C, H, W) or 4-d (N, C, H, W) input, got shape "
                         f"{x.shape} {x.dtype}")
    pair = (output_size, output_size) if output_size is None or \
        isinstance(output_size, (int, np.integer)) else tuple(output_size) \
        if isinstance(output_size, (tuple, list)) else ()
    if len(pair) != 2 or not all(s is None or (isinstance(s, (int, np.integer))
                                               and not isinstance(s, bool)) for s in pair):
        raise TypeError(f"{op}: output_size must be an int, None or a pair of them, got "
                        f"{output_size!r}")
    sizes = tuple(x.shape[-2 + k] if s is None else int(s) for k, s in enumerate(pair))
    if min(sizes) < 1 or min(x.shape[-2:]) < 1:
        raise ValueError(f"{op}: output size {sizes} and input size {x.shape[-2:]} must be "
                         "positive")
    check_output_size(op, x.shape[:-2] + sizes, x.dtype)
    return sizes


def _averaging_matrix(n, out, dtype):
    a = np.zeros((out, n), dtype=dtype)
    for i, (lo, hi) in enumerate(adaptive_windows(n, out)):
        a[i, lo:hi] = 1.0 / (hi - lo)
    return a


def adaptive_avg_pool2d(input, output_size):
    """Average over adaptive windows so the output is (..., out_h, out_w).

    Example:
        >>> adaptive_avg_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 1)
        Tensor([[[[7.5]]]], dtype=float64)
    """
    x = tensor("adaptive_avg_pool2d", "input", input)
    oh, ow = _sizes("adaptive_avg_pool2d", x, output_size)
    h, w = x.shape[-2:]
    if (oh, ow) == (h, w):
        return x
    if oh == 1 and ow == 1:
        return x.mean(axis=(-2, -1), keepdims=True)
    a_h = Tensor(_averaging_matrix(h, oh, x.dtype))
    a_w = Tensor(np.ascontiguousarray(_averaging_matrix(w, ow, x.dtype).T))
    return (a_h @ x) @ a_w


def _first_max_index(x, oh, ow):
    """Flat h * W + w index of each window's first maximum (NaN counts as the maximum).

    Separable, so it loops over oh + ow windows, not oh * ow: first each row's
    maximum within each column window, then the first row whose maximum is the
    window's (the row-major first maximum, as np.argmax finds the first).
    """
    h, w = x.shape[-2:]
    lead = x.shape[:-2]
    if not x.size:                                          # an empty batch: no windows
        return np.zeros(lead + (oh, ow), dtype=np.int64)
    best = np.empty(lead + (h, ow), dtype=x.dtype)          # max over each column window
    best_col = np.empty(lead + (h, ow), dtype=np.int64)      # ... and its first column
    for j, (c0, c1) in enumerate(adaptive_windows(w, ow)):
        k = np.argmax(x[..., c0:c1], axis=-1)               # np.argmax: the first NaN if any
        best_col[..., j] = c0 + k
        best[..., j] = np.take_along_axis(x[..., c0:c1], k[..., None], axis=-1)[..., 0]
    out = np.empty(lead + (oh, ow), dtype=np.int64)
    for i, (r0, r1) in enumerate(adaptive_windows(h, oh)):
        k = np.argmax(best[..., r0:r1, :], axis=-2)[..., None, :]
        col = np.take_along_axis(best_col[..., r0:r1, :], k, axis=-2)[..., 0, :]
        out[..., i, :] = (r0 + k[..., 0, :]) * w + col
    return out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over adaptive windows; with ``return_indices`` also the flat argmax positions.

    Example:
        >>> adaptive_max_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2)
        Tensor([[[[ 5.,  7.],
                  [13., 15.]]]], dtype=float64)
    """
    x = tensor("adaptive_max_pool2d", "input", input)
    oh, ow = _sizes("adaptive_max_pool2d", x, output_size)
    return_indices = flag("adaptive_max_pool2d", "return_indices", return_indices)
    h, w = x.shape[-2:]
    check_output_size("adaptive_max_pool2d", x.shape[:-2] + (h, ow), x.dtype)  # a scratch
    idx = _first_max_index(x.data, oh, ow)
    lead = x.shape[:-2]
    grids = np.ix_(*[np.arange(n) for n in lead]) if lead else ()
    flat = x.reshape(lead + (h * w,))
    index = tuple(g[..., None, None] for g in grids) + (idx,)
    out = flat[index]
    return (out, Tensor(idx)) if return_indices else out


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed (out_h, out_w); ``None`` keeps that input size.

    Example:
        >>> AdaptiveAvgPool2d((2, None))(Tensor(np.zeros((1, 3, 5, 7)))).shape
        (1, 3, 2, 7)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed (out_h, out_w); ``return_indices`` also returns the argmaxes.

    Example:
        >>> AdaptiveMaxPool2d(1)(Tensor(np.zeros((1, 3, 5, 7)))).shape
        (1, 3, 1, 1)
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"

