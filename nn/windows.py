"""Sliding windows over NCHW arrays, shared by convolution and pooling: the window
geometry (kernel, stride, padding, dilation, output size), padding and cropping,
the strided view of one kernel offset, im2col / col2im, and the flat offsets of
the kernel taps on a padded grid (convolution's "shifted" algorithm).

All of it works on plain ndarrays; the differentiable ops live in nn.conv and
nn.pooling.
"""
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["Geometry", "pair", "geometry", "padded", "cropped", "window", "im2col", "col2im",
           "padded_grid"]


class Geometry(NamedTuple):
    """Where the windows of a 2-d convolution or pooling sit (all pairs are (rows, cols)).

    ``groups`` splits a convolution's channels into independent groups;
    ``algorithm`` is how a convolution computes ("im2col" or "shifted", see nn.conv).

    Example:
        >>> geometry("conv2d", (32, 32), 3, 1, 1, 1).out_hw
        (32, 32)
    """
    kernel: tuple
    stride: tuple
    padding: tuple       # ((top, bottom), (left, right))
    dilation: tuple
    in_hw: tuple
    out_hw: tuple
    groups: int = 1
    algorithm: str = "im2col"


def pair(op, name, v, minimum):
    """An int or a pair of ints -> a pair, each at least ``minimum``.

    Example:
        >>> pair("conv2d", "stride", 2, 1)
        (2, 2)
    """
    t = (v, v) if isinstance(v, (int, np.integer)) else tuple(v) \
        if isinstance(v, (tuple, list)) else ()
    if len(t) != 2 or not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                              and i >= minimum for i in t):
        raise ValueError(f"{op}: {name} must be an int >= {minimum} or a pair of them, got {v!r}")
    return int(t[0]), int(t[1])


def geometry(op, in_hw, kernel, stride, padding, dilation, ceil_mode=False):
    """Validate the hyperparameters against the input's (H, W); the Geometry with the output size.

    ``ceil_mode`` (pooling) rounds the output size up, PyTorch's rule: a last
    window may hang over the bottom/right edge (the padding grows to hold it)
    but must start inside the input or its top/left padding.

    Example:
        >>> geometry("conv2d", (7, 7), (3, 3), 2, "valid", 1).out_hw
        (3, 3)
        >>> geometry("max_pool2d", (5, 5), 2, 2, 0, 1, ceil_mode=True).out_hw
        (3, 3)
    """
    kernel = pair(op, "kernel_size", kernel, 1)
    stride = pair(op, "stride", stride, 1)
    dilation = pair(op, "dilation", dilation, 1)
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if isinstance(padding, str) and padding == "valid":
        padding = ((0, 0), (0, 0))
    elif isinstance(padding, str) and padding == "same":
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}")
        padding = tuple(((s - 1) // 2, s - 1 - (s - 1) // 2) for s in span)
    else:
        padding = tuple((p, p) for p in pair(op, "padding", padding, 0))
    out = tuple((n + sum(p) - s + (st - 1 if ceil_mode else 0)) // st + 1
                for n, p, s, st in zip(in_hw, padding, span, stride))
    if ceil_mode:
        out = tuple(o - 1 if (o - 1) * st >= n + p[0] else o
                    for o, st, n, p in zip(out, stride, in_hw, padding))
        padding = tuple((p[0], p[1] + max(0, (o - 1) * st + s - (n + sum(p))))
                        for p, o, st, s, n in zip(padding, out, stride, span, in_hw))
    if min(out) < 1:
        raise ValueError(f"{op}: the (dilated) kernel {span} is larger than the padded input "
                         f"{tuple(n + sum(p) for n, p in zip(in_hw, padding))}; use a smaller "
                         "kernel or more padding")
    return Geometry(kernel, stride, padding, dilation, tuple(in_hw), out)


def padded(x, geo, fill=0.0):
    """x (N, C, H, W) with the geometry's padding filled with ``fill`` (x itself if none).

    Example:
        >>> padded(np.ones((1, 1, 2, 2)), geometry("pad", (2, 2), 1, 1, 1, 1)).shape
        (1, 1, 4, 4)
    """
    (pt, pb), (pl, pr) = geo.padding
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    xp = np.full((n, c, h + pt + pb, w + pl + pr), fill, dtype=x.dtype)
    xp[:, :, pt:pt + h, pl:pl + w] = x
    return xp


def cropped(xp, geo):
    """The inverse of ``padded``: the (H, W) interior (a view) of a padded array.

    Example:
        >>> x, geo = np.ones((1, 1, 2, 3)), geometry("pad", (2, 3), 1, 1, 1, 1)
        >>> bool((cropped(padded(x, geo), geo) == x).all())
        True
    """
    (pt, pb), (pl, pr) = geo.padding
    if not (pt or pb or pl or pr):
        return xp
    h, w = geo.in_hw
    return xp[:, :, pt:pt + h, pl:pl + w]


def window(xp, geo, i, j):
    """The (N, C, Ho, Wo) view of padded ``xp`` seen by kernel offset (i, j).

    Example:
        >>> x, geo = np.ones((2, 3, 5, 5)), geometry("conv2d", (5, 5), 3, 2, 1, 1)
        >>> window(padded(x, geo), geo, 0, 0).shape
        (2, 3, 3, 3)
    """
    (sh, sw), (dh, dw), (ho, wo) = geo.stride, geo.dilation, geo.out_hw
    return xp[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]


def im2col(x, geo):
    """(N, C, H, W) -> columns (N, C*kh*kw, Ho*Wo), one copy of a strided view.

    Sample n's columns are ``cols[n]``, so ``weight2d @ cols`` (a batched GEMM)
    is already the NCHW output: no transpose on the way in or out.

    Example:
        >>> im2col(np.ones((8, 3, 5, 5)), geometry("conv2d", (5, 5), 3, 1, 0, 1)).shape
        (8, 27, 9)
    """
    xp = padded(x, geo)
    n, c = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out_hw
    s_n, s_c, s_h, s_w = xp.strides
    view = as_strided(xp, (n, c, kh, kw, ho, wo),
                      (s_n, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w), writeable=False)
    return view.reshape(n, c * kh * kw, ho * wo)


def col2im(cols, x_shape, geo):
    """The adjoint of im2col: add every column entry back onto the pixel it came from.

    Example:
        >>> geo = geometry("conv2d", (5, 5), 3, 1, 0, 1)
        >>> float(col2im(np.ones((8, 27, 9)), (8, 3, 5, 5), geo)[0, 0, 2, 2])
        9.0
    """
    n, c, h, w = x_shape
    (kh, kw), (ho, wo) = geo.kernel, geo.out_hw
    (pt, pb), (pl, pr) = geo.padding
    cols = cols.reshape(n, c, kh, kw, ho, wo)
    dxp = np.zeros((n, c, h + pt + pb, w + pl + pr), dtype=cols.dtype)
    for i in range(kh):           # kh*kw slice-adds; everything else is vectorized
        for j in range(kw):
            window(dxp, geo, i, j)[...] += cols[:, :, i, j]
    out = cropped(dxp, geo)
    return out if out is dxp else np.ascontiguousarray(out)


def padded_grid(geo):
    """(Hp, Wp) of the padded input, and the flat offset of each kernel tap on it (stride 1).

    Flatten the padded images of a batch into one row per channel: the input
    pixel under tap (i, j) of the window whose corner is at flat position q sits
    at q + offset[i*kw + j], so the columns of every tap are one contiguous
    slice, shifted. An output (y, x) of stride 1 sits at position y*Wp + x of
    its image; the other positions of the grid hold windows that wrap across a
    row's end or the image's, which the convolution computes and drops.

    Example:
        >>> padded_grid(geometry("conv2d", (4, 4), 3, 1, 1, 1))
        ((6, 6), [0, 1, 2, 6, 7, 8, 12, 13, 14])
    """
    (pt, pb), (pl, pr) = geo.padding
    hp, wp = geo.in_hw[0] + pt + pb, geo.in_hw[1] + pl + pr
    (kh, kw), (dh, dw) = geo.kernel, geo.dilation
    return (hp, wp), [i * dh * wp + j * dw for i in range(kh) for j in range(kw)]
