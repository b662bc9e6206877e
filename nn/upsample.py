"""Resizing: nn.functional.interpolate and Upsample (nearest, nearest-exact, linear,
bilinear with or without align_corners, area), with PyTorch's source-index rules.

Each resized dimension is a gather along that dimension: nearest modes pick
one source element per output position, linear modes mix two neighbours with
weights (1 - l, l), dimension by dimension (bilinear = linear along H, then
along W). So the gradient of an input element is the sum of the weights with
which it was used. Source positions follow ATen's UpSample.h: nearest uses
``min(floor(i * scale), n - 1)`` in float32 arithmetic, ``scale = 1 /
scale_factor`` when a scale factor is given (else ``n_in / n_out``);
linear modes use ``i * (n_in - 1) / (n_out - 1)`` with ``align_corners=True``,
else ``max((i + 0.5) * scale - 0.5, 0)``. 'area' is adaptive average pooling.
"""
import math

import numpy as np

from autograd import Tensor
from .arguments import check_output_size, choice, flag, tensor
from .adaptive import adaptive_avg_pool2d
from .module import Module

__all__ = ["interpolate", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]

_LINEAR = {"linear": 3, "bilinear": 4}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "area")


def _output_sizes(x, size, scale_factor, spatial):
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        sizes = (size,) * spatial if isinstance(size, (int, np.integer)) else tuple(size) \
            if isinstance(size, (tuple, list)) else ()
        if len(sizes) != spatial or not all(isinstance(s, (int, np.integer)) and
                                            not isinstance(s, bool) and s >= 1 for s in sizes):
            raise ValueError(f"interpolate: size {size!r} must be {spatial} positive ints for "
                             f"input {x.shape}")
        sizes = tuple(int(s) for s in sizes)
        check_output_size("interpolate", x.shape[:2] + sizes, x.dtype, "size")
        return sizes, (None,) * spatial
    real = (int, float, np.integer, np.floating)
    scales = (scale_factor,) * spatial if isinstance(scale_factor, real) \
        else tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else ()
    if len(scales) != spatial or not all(isinstance(s, real) and not isinstance(s, bool)
                                         and 0 < s < math.inf for s in scales):
        raise ValueError(f"interpolate: scale_factor {scale_factor!r} must be {spatial} "
                         f"positive numbers for input {x.shape}")
    sizes = tuple(int(math.floor(n * float(s))) for n, s in zip(x.shape[2:], scales))
    check_output_size("interpolate", x.shape[:2] + sizes, x.dtype, "scale_factor")
    return sizes, tuple(float(s) for s in scales)


def _nearest_index(n_in, n_out, scale, exact):
    if n_out == n_in and not exact:
        return np.arange(n_out)
    s = np.float32(1.0 / scale) if scale is not None else np.float32(n_in) / np.float32(n_out)
    i = np.arange(n_out, dtype=np.float32)
    src = np.floor((i + np.float32(0.5)) * s if exact else i * s).astype(np.int64)
    return np.minimum(src, n_in - 1)


def _linear_weights(n_in, n_out, scale, align_corners, dtype):
    """(index0, index1, lambda1): out[i] = (1 - l) x[i0] + l x[i1], PyTorch's formula."""
    ftype = np.float32 if dtype == np.float32 else np.float64
    i = np.arange(n_out, dtype=ftype)
    if align_corners:
        s = ftype((n_in - 1) / (n_out - 1)) if n_out > 1 else ftype(0)
        src = i * s
    else:
        s = ftype(1.0 / scale) if scale is not None else ftype(n_in) / ftype(n_out)
        src = np.maximum((i + ftype(0.5)) * s - ftype(0.5), ftype(0))
    i0 = src.astype(np.int64)
    i1 = np.where(i0 < n_in - 1, i0 + 1, i0)
    lam = (src - i0).astype(dtype)
    return i0, i1, lam


def _take(x, axis, index):
    return x[(slice(None),) * axis + (index,)]


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of (N, C, L) or (N, C, H, W) input, as torch's F.interpolate.

    Example:
        >>> x = Tensor([[[1.0, 2.0]]])
        >>> interpolate(x, scale_factor=2).data
        array([[[1., 1., 2., 2.]]], dtype=float32)
        >>> interpolate(x, size=3, mode="linear", align_corners=True).data
        array([[[1. , 1.5, 2. ]]], dtype=float32)
    """
    x = tensor("interpolate", "input", input)
    if isinstance(mode, str) and mode in ("bicubic", "trilinear"):
        raise ValueError(f"interpolate: mode {mode!r}: bicubic and trilinear are not "
                         f"supported; use one of {', '.join(_MODES)}")
    mode = choice("interpolate", "mode", mode, _MODES)
    if align_corners is not None:
        align_corners = flag("interpolate", "align_corners", align_corners)
    if recompute_scale_factor is not None:
        recompute_scale_factor = flag("interpolate", "recompute_scale_factor",
                                      recompute_scale_factor)
    if flag("interpolate", "antialias", antialias):
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if x.ndim not in (3, 4) or x.dtype.kind != "f":
        raise ValueError(f"interpolate: expected a float (N, C, L) or (N, C, H, W) input, got "
                         f"{x.shape} {x.dtype}")
    if mode in _LINEAR and x.ndim != _LINEAR[mode]:
        raise ValueError(f"interpolate: mode {mode!r} needs a {_LINEAR[mode]}-d input, got "
                         f"{x.shape}; use 'linear' for 3-d and 'bilinear' for 4-d")
    if align_corners is not None and mode not in _LINEAR:
        raise ValueError(f"interpolate: align_corners applies only to linear modes, not "
                         f"{mode!r}")
    spatial = x.ndim - 2
    sizes, scales = _output_sizes(x, size, scale_factor, spatial)
    if recompute_scale_factor:
        scales = (None,) * spatial
    if mode == "area":
        if spatial == 1:
            return adaptive_avg_pool2d(x.unsqueeze(2), (1, sizes[0])).squeeze(2)
        return adaptive_avg_pool2d(x, sizes)
    for k, (n_out, scale) in enumerate(zip(sizes, scales)):
        axis, n_in = 2 + k, x.shape[2 + k]
        if mode in _LINEAR:
            i0, i1, lam = _linear_weights(n_in, n_out, scale, bool(align_corners), x.dtype)
            shape = (n_out,) + (1,) * (x.ndim - axis - 1)
            lam = lam.reshape(shape)
            x = _take(x, axis, i0) * Tensor(1 - lam) + _take(x, axis, i1) * Tensor(lam)
        else:
            x = _take(x, axis, _nearest_index(n_in, n_out, scale, mode == "nearest-exact"))
    return x


class Upsample(Module):
    """Module form of interpolate(input, size, scale_factor, mode, align_corners).

    Example:
        >>> Upsample(scale_factor=2, mode="bilinear")(Tensor(np.zeros((1, 3, 4, 4)))).shape
        (1, 3, 8, 8)
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           self.recompute_scale_factor)

    def extra_repr(self):
        what = f"size={self.size}" if self.size is not None else \
            f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W) input (Upsample with mode='nearest').

    Example:
        >>> UpsamplingNearest2d(scale_factor=2)(Tensor(np.zeros((1, 1, 2, 2)))).shape
        (1, 1, 4, 4)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling with align_corners=True, as torch.nn.UpsamplingBilinear2d.

    Example:
        >>> UpsamplingBilinear2d(scale_factor=2)(Tensor(np.zeros((1, 1, 2, 2)))).shape
        (1, 1, 4, 4)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
