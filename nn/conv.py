"""Convolution: two algorithms for the same three GEMM kernels, chosen per shape;
Conv2d (groups, dilation, padding modes), Conv1d (a Conv2d of height 1) and
ConvTranspose2d (the input-gradient of a convolution, run forward).

"im2col" (any stride): the columns are (N, C*kh*kw, Ho*Wo), copied from a
strided view of the padded input, so the forward pass is one batched GEMM
``weight(F, C*kh*kw) @ cols`` that lands directly in NCHW order, and the
backward pass two more plus col2im; no transposes. With ``groups`` = G the
columns are viewed as (N, G, C/G*kh*kw, L) and the weight as (G, F/G, C/G*kh*kw).

"shifted" (stride 1): the padded images are flattened into one row per channel
(see ``_grid``), where the columns of kernel tap (i, j) are one contiguous
slice shifted by i*Wp + j. Building the columns is then kh*kw plain copies,
and each kernel is one 2-d GEMM over every position of the grid (the positions
that are not outputs are computed and dropped). The grid is compact: one run
of zeros between two rows is both the right padding of the first and the left
padding of the next, and likewise between two images, so 32x32 with padding 1
is a 33x33 grid per image (1.06x the output's positions, not 34x34's 1.13x).
It runs over chunks of whole samples with about CHUNK_BYTES of columns, which
stay in cache, in buffers reused from call to call, so nothing image-sized is
built beyond the input, the output and their gradients. A plain backward that
needs both gradients makes one pass for the two. When the output is as wide as
the input ('same' padding), the forward kernel skips the grid: the images
themselves are the rows (``_same_width_conv``), so nothing is copied in or
out, the GEMM writes NCHW and adds the bias. ``_choose`` picks the algorithm
per shape, as measured (benchmarks/README.md, "Conv2d").

Convolution is bilinear: <g, conv(x, w)> is a trilinear form T(x, w, g), and
the three ops below are its three partial derivatives. Each one's backward is
made of the other two, so gradients of gradients work to any order.
"""
import math
import threading

import numpy as np

from autograd import Function, Tensor, get_default_dtype
from autograd.function import data_of
from . import init
from .arguments import tensor
from .module import Module, Parameter
from .padding import pad as _pad
from .windows import col2im, geometry, im2col, pair

__all__ = ["conv2d", "conv1d", "conv_transpose2d", "Conv2d", "Conv1d", "ConvTranspose2d"]

# "shifted" when the padded grid is at most this many times the output, and columns of about
# this many bytes per chunk: both measured (benchmarks/README.md, "Conv2d").
SHIFTED_MAX_GRID = 2.0
CHUNK_BYTES = 1280 << 10
SCRATCH_MAX = 8 << 20        # chunk buffers up to this size are kept per thread and reused


def _choose(geo):
    """The faster algorithm for this geometry, as measured: "shifted" for stride 1 unless the
    padded grid is over SHIFTED_MAX_GRID times the output; "im2col" for other strides and
    for 1x1 kernels (whose columns are the input itself, no copy).

    Example:
        >>> _choose(geometry("conv2d", (32, 32), 3, 1, 1, 1))
        'shifted'
    """
    if geo.stride != (1, 1) or geo.kernel == (1, 1):
        return "im2col"
    (hp, wp), _ = _grid(geo)
    return "shifted" if hp * wp <= SHIFTED_MAX_GRID * math.prod(geo.out_hw) else "im2col"


def _grid(geo):
    """(Hp, Wp) of one image's slot on the compact grid, and the flat offset of each tap.

    Pixel (r, s) sits at (r + top, s + left) of its slot, output (y, x) at (y, x),
    and tap (i, j) of output q reads q + i*dh*Wp + j*dw. A row holds W pixels and
    then max(left, right) zeros, which serve as this row's right padding and the
    next row's left padding (a read past either edge lands on them, never on a
    pixel); an image holds H rows of pixels and then max(top, bottom) rows of zeros,
    likewise. The slot also holds every output: Wp >= Wo, Hp >= Ho.

    Example:
        >>> _grid(geometry("conv2d", (4, 4), 3, 1, 1, 1))      # 5x5, not 6x6
        ((5, 5), [0, 1, 2, 5, 6, 7, 10, 11, 12])
    """
    (pt, pb), (pl, pr) = geo.padding
    (h, w), (ho, wo) = geo.in_hw, geo.out_hw
    hp, wp = max(h + max(pt, pb), ho), max(w + max(pl, pr), wo)
    (kh, kw), (dh, dw) = geo.kernel, geo.dilation
    return (hp, wp), [i * dh * wp + j * dw for i in range(kh) for j in range(kw)]


# -- im2col ---------------------------------------------------------------------------

def _grouped(a, groups):
    """(N, R, L) -> (N, G, R/G, L): a view of rows in G consecutive blocks."""
    return a.reshape(a.shape[0], groups, a.shape[1] // groups, a.shape[2])


def _im2col_conv(cols, w, bias, geo):
    """The forward kernel: columns of x -> (N, F, Ho, Wo) by one batched GEMM."""
    g = geo.groups
    if g == 1:
        out = np.matmul(w.reshape(w.shape[0], -1), cols)          # (N, F, Ho*Wo)
    else:
        out = np.matmul(w.reshape(g, w.shape[0] // g, -1), _grouped(cols, g))
        out = out.reshape(out.shape[0], w.shape[0], -1)
    if bias is not None:            # in place unless a wider bias dtype must promote
        out = np.add(out, bias.reshape(-1, 1), out=out if bias.dtype <= out.dtype else None)
    return out.reshape(out.shape[:2] + geo.out_hw)


def _im2col_input_grad(g, w, x_shape, geo):
    """col2im(w^T g): the gradient w.r.t. the input (a transposed convolution)."""
    g3 = g.reshape(g.shape[:2] + (-1,))
    groups = geo.groups
    if groups == 1:
        cols = np.matmul(w.reshape(w.shape[0], -1).T, g3)
    else:
        wt = w.reshape(groups, w.shape[0] // groups, -1).transpose(0, 2, 1)
        cols = np.matmul(wt, _grouped(g3, groups))
        cols = cols.reshape(cols.shape[0], -1, cols.shape[-1])
    return col2im(cols, x_shape, geo)


def _im2col_weight_grad(g, cols, w_shape, groups=1):
    """sum over the batch of g im2col(x)^T: the gradient w.r.t. the weight."""
    g3 = g.reshape(g.shape[:2] + (-1,))
    if groups == 1:
        return np.matmul(g3, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w_shape)
    gw = np.matmul(_grouped(g3, groups), _grouped(cols, groups).transpose(0, 1, 3, 2))
    return gw.sum(axis=0).reshape(w_shape)


# -- shifted ----------------------------------------------------------------------------

_SCRATCH = threading.local()


def _scratch(name, shape, dtype, zero=False):
    """A work array of a kernel call: this thread's block ``name``, kept for the next call.

    Fresh multi-MB arrays cost page faults on every call (glibc hands large
    blocks back to the system when they are freed); the chunk buffers never
    leave the kernel that asked for them, so they are reused instead.
    Blocks larger than SCRATCH_MAX are allocated for the call only.
    """
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > SCRATCH_MAX:
        return (np.zeros if zero else np.empty)(shape, dtype)
    block = getattr(_SCRATCH, name, None)
    if block is None or block.nbytes < nbytes:
        block = np.empty(nbytes, np.uint8)
        setattr(_SCRATCH, name, block)
    out = block[:nbytes].view(dtype).reshape(shape)
    if zero:
        out.fill(0)
    return out


class _Shifted:
    """The padded grid of a stride-1 geometry, walked in chunks of whole samples.

    Example:
        >>> grid = _Shifted(geometry("conv2d", (32, 32), 3, 1, 1, 1), n=64, rows=16 * 9, itemsize=4)
        >>> grid.batch, grid.size, grid.taps[-1]
        (2, 1089, 68)
    """

    def __init__(self, geo, n, rows, itemsize):
        (self.hp, self.wp), self.taps = _grid(geo)
        self.size = self.hp * self.wp                   # grid positions per sample
        self.batch = max(1, min(n, CHUNK_BYTES // (rows * self.size * itemsize)))
        self.n, self.geo = n, geo

    def chunks(self):
        """(first, last + 1, grid positions) of each chunk of samples."""
        for n0 in range(0, self.n, self.batch):
            n1 = min(self.n, n0 + self.batch)
            yield n0, n1, (n1 - n0) * self.size

    def buffer(self, name, rows, dtype, halo=False, zero=False):
        """Scratch (rows, positions of one chunk [+ the largest tap offset])."""
        shape = (rows, self.batch * self.size + (self.taps[-1] if halo else 0))
        return _scratch(name, shape, dtype, zero)

    def tap_buffer(self, name, c, dtype):
        """Scratch (C, taps, positions of one chunk): columns, or W^T g."""
        return _scratch(name, (c, len(self.taps), self.batch * self.size), dtype)

    def images(self, buf, m):
        """The first m positions of ``buf`` as (rows, samples, Hp, Wp): a view."""
        return buf[:, :m].reshape(buf.shape[0], m // self.size, self.hp, self.wp)

    def interior(self, buf, m):
        """Where the input pixels sit in ``images(buf, m)``."""
        (pt, _), (pl, _) = self.geo.padding
        h, w = self.geo.in_hw
        return self.images(buf, m)[:, :, pt:pt + h, pl:pl + w]

    def outputs(self, buf, m):
        """Where the outputs sit in ``images(buf, m)``."""
        ho, wo = self.geo.out_hw
        return self.images(buf, m)[:, :, :ho, :wo]

    def columns(self, x, n0, n1, m, xp, cols):
        """Pad samples n0:n1 of x into the grid ``xp`` and copy each tap's slice into ``cols``."""
        self.interior(xp, m)[...] = x[n0:n1].transpose(1, 0, 2, 3)
        for t, o in enumerate(self.taps):
            cols[:, t, :m] = xp[:, o:o + m]
        return cols[:, :, :m].reshape(self.geo.groups, -1, m)      # (G, C/G*kh*kw, m)


# -- same width: stride 1 and the output as wide as the input ('same' padding) -----------

def _same_width_taps(geo):
    """For each kernel column j, the input columns [lo, hi) its taps read without wrapping,
    and its taps (i*kw + j, shift, a, b): output q in [a, b) reads pixel q + shift.

    Output q = y*W + x of tap (i, j) reads pixel q + (i*dh - top)*W + j*dw - left of its
    image: the images themselves are the grid. Outputs outside [a, b) read past the top
    or bottom (zero). A read past the left or right edge wraps onto the other edge of the
    neighbouring row: outside [lo, hi), so those columns are zeroed in what taps j read.

    Example:
        >>> _same_width_taps(geometry("conv2d", (3, 4), (1, 3), 1, (0, 1), 1))
        [(0, 3, [(0, -1, 1, 12)]), (0, 4, [(1, 0, 0, 12)]), (1, 4, [(2, 1, 0, 11)])]
    """
    (pt, _), (pl, _) = geo.padding
    (h, wd), ho = geo.in_hw, geo.out_hw[0]
    (kh, kw), (dh, dw) = geo.kernel, geo.dilation
    columns = []
    for j in range(kw):
        taps = []
        for i in range(kh):
            shift = (i * dh - pt) * wd + j * dw - pl
            a = min(ho * wd, max(max(0, pt - i * dh) * wd, -shift))
            b = max(a, min(min(ho, h + pt - i * dh) * wd, h * wd - shift))
            taps.append((i * kw + j, shift, a, b))
        lo = min(wd, max(0, j * dw - pl))
        columns.append((lo, max(lo, min(wd, wd + j * dw - pl)), taps))
    return columns


def _same_width_columns(x, taps, cols, edged):
    """The columns (k, C, kh*kw, Ho*W) of images x (k, C, H, W), built in ``cols``, whose
    positions outside each tap's [a, b) were zeroed before (``_same_width_zero_ends``)."""
    k, c, h, wd = x.shape
    for lo, hi, column in taps:
        src = x
        if lo > 0 or hi < wd:                 # a copy with the wrapped-onto columns zeroed
            src = edged[:k]
            src[...] = x
            src[..., :lo] = 0
            src[..., hi:] = 0
        src = src.reshape(k, c, h * wd)
        for t, shift, a, b in column:
            cols[:k, :, t, a:b] = src[..., a + shift:b + shift]
    return cols[:k]


def _same_width_zero_ends(taps, cols):
    """Zero each tap's columns outside its [a, b), once for all the chunks of a call."""
    for _, _, column in taps:
        for t, _, a, b in column:
            cols[:, :, t, :a] = 0
            cols[:, :, t, b:] = 0


def _same_width_rows(name, shape, dtype):
    """Scratch ``shape`` whose rows start 64 bytes apart from a multiple of 4 KB: rows of a
    power-of-two size (32x32 images) map to the same cache sets, and OpenBLAS ran the
    GEMMs reading them about 1.25x slower."""
    return _scratch(name, shape[:-1] + (shape[-1] + 64 // np.dtype(dtype).itemsize,),
                    dtype)[..., :shape[-1]]


def _same_width_batch(geo, n, rows, itemsize):
    """Samples per chunk: about CHUNK_BYTES / 2 of columns (one sample of shape B, 590 KB,
    measured 5% faster than two)."""
    return max(1, min(n, CHUNK_BYTES // (2 * rows * math.prod(geo.out_hw) * itemsize)))


def _same_width_conv(x, w, bias, geo):
    """The forward kernel when the output is as wide as the input: the GEMM of each chunk
    of samples writes the NCHW output itself, nothing is copied in or out.

    Example:
        >>> x, w = np.ones((1, 1, 3, 4)), np.ones((1, 1, 3, 3))
        >>> _same_width_conv(x, w, None, geometry("conv2d", (3, 4), 3, 1, 1, 1))[0, 0]
        array([[4., 6., 6., 4.],
               [6., 9., 9., 6.],
               [4., 6., 6., 4.]])
    """
    x = np.ascontiguousarray(x)
    n, c = x.shape[:2]
    f, groups, taps = w.shape[0], geo.groups, _same_width_taps(geo)
    length, rows = math.prod(geo.out_hw), c * w.shape[2] * w.shape[3]
    batch = _same_width_batch(geo, n, rows, x.dtype.itemsize)
    dtype = np.result_type(x, w)
    out = np.empty((n, f) + geo.out_hw, dtype if bias is None else np.result_type(dtype, bias))
    out4 = out.reshape(n, groups, f // groups, length)
    wg = w.reshape(groups, f // groups, -1)
    ones = bias is not None and groups == 1    # the bias rides the GEMM: 1 ms less than +=
    if ones:                                   # as one more column of W, against a row of 1s
        wg = np.concatenate([wg, bias.reshape(1, f, 1)], axis=2)
    cols = _same_width_rows("cols", (batch, rows + 1 if ones else rows, length), x.dtype)
    cols[:, rows:] = 1
    taps_cols = cols[:, :rows].reshape(batch, c, rows // c, length)
    _same_width_zero_ends(taps, taps_cols)
    edged = _scratch("edged", (batch,) + x.shape[1:], x.dtype)
    for n0 in range(0, n, batch):
        k = len(_same_width_columns(x[n0:n0 + batch], taps, taps_cols, edged))
        np.matmul(wg, cols[:k].reshape(k, groups, -1, length), out=out4[n0:n0 + k])
        if bias is not None and not ones:
            out4[n0:n0 + k] += bias.reshape(groups, -1, 1)
    return out


# -- shifted: the padded grid ----------------------------------------------------------------

def _shifted_conv(x, w, bias, geo):
    """The forward kernel on the padded grid: W (F, C*kh*kw) @ columns, chunk by chunk."""
    if geo.out_hw[1] == geo.in_hw[1]:
        return _same_width_conv(x, w, bias, geo)
    n, c = x.shape[:2]
    f, groups = w.shape[0], geo.groups
    dtype = np.result_type(x, w)
    grid = _Shifted(geo, n, c * w.shape[2] * w.shape[3], dtype.itemsize)
    xp = grid.buffer("xp", c, x.dtype, halo=True, zero=True)
    cols = grid.tap_buffer("cols", c, x.dtype)
    y = grid.buffer("y", f, dtype)
    out = np.empty((n, f) + geo.out_hw, dtype if bias is None else np.result_type(dtype, bias))
    wg = w.reshape(groups, f // groups, -1)
    for n0, n1, m in grid.chunks():
        np.matmul(wg, grid.columns(x, n0, n1, m, xp, cols),
                  out=y[:, :m].reshape(groups, f // groups, m))
        y_m = grid.outputs(y, m).transpose(1, 0, 2, 3)
        if bias is None:
            out[n0:n1] = y_m
        else:                                # the bias added on the way out: one pass
            np.add(y_m, bias.reshape(-1, 1, 1), out=out[n0:n1])
    return out


def _shifted_backward(g, w, x, x_shape, w_shape, geo, input_grad=True, weight_grad=True,
                      bias_grad=False):
    """The input gradient col2im(W^T g) and/or the weight gradient g @ columns(x)^T on the
    padded grid, in one pass over chunks that lays g on the grid once; (dx, dw, db).

    ``w`` is needed for the input gradient only, ``x`` for the weight gradient only. With
    ``bias_grad`` (and the weight's, groups=1) the weight's GEMM also sums g per filter:
    the columns get a row of ones (0.9 ms less than summing g apart on shape B).
    """
    n, c = x_shape[:2]
    f, groups, rows = w_shape[0], geo.groups, c * w_shape[2] * w_shape[3]
    grid = _Shifted(geo, n, rows, g.dtype.itemsize)
    dy = grid.buffer("dy", f, g.dtype, zero=True)       # zero where no output sits
    ones = bias_grad and weight_grad and groups == 1
    if weight_grad:
        xp = grid.buffer("xp", c, x.dtype, halo=True, zero=True)
        block = _scratch("cols", (rows + 1 if ones else rows, grid.batch * grid.size), x.dtype)
        block[rows:] = 1
        cols = block[:rows].reshape(c, -1, block.shape[1])
        # accumulated transposed, columns @ g^T: OpenBLAS runs this (C*kh*kw x F) product
        # 1.4x faster than g @ columns^T (F x C*kh*kw) on these shapes (long K, small output)
        gw_t = np.zeros((groups, len(block) // groups, f // groups), np.result_type(x, g))
        part = np.empty_like(gw_t)
    if input_grad:                                     # W^T g reuses the columns' buffer
        dx_type = np.result_type(g, w)
        z = cols if weight_grad and cols.dtype == dx_type else grid.tap_buffer("z", c, dx_type)
        dxp = grid.buffer("dxp", c, dx_type, halo=True)
        dx = np.empty(x_shape, dx_type)
        wt = w.reshape(groups, f // groups, -1).transpose(0, 2, 1)   # (G, C/G*kh*kw, F/G)
    for n0, n1, m in grid.chunks():
        grid.outputs(dy, m)[...] = g[n0:n1].transpose(1, 0, 2, 3)
        dy_m = dy[:, :m].reshape(groups, f // groups, m)
        if weight_grad:
            cols_m = grid.columns(x, n0, n1, m, xp, cols)
            if ones:
                cols_m = block[None, :, :m]
            gw_t += np.matmul(cols_m, dy_m.transpose(0, 2, 1), out=part)
        if input_grad:
            np.matmul(wt, dy_m, out=z[:, :, :m].reshape(groups, -1, m))
            dxp[:, m:] = 0
            dxp[:, :m] = z[:, 0, :m]                      # the first tap's offset is 0
            for t, o in enumerate(grid.taps[1:], 1):
                dxp[:, o:o + m] += z[:, t, :m]
            dx[n0:n1] = grid.interior(dxp, m).transpose(1, 0, 2, 3)
    gb = gw_t[0, rows].astype(g.dtype) if ones else None
    gw = gw_t[:, :rows // groups].transpose(0, 2, 1).reshape(w_shape) if weight_grad else None
    return dx if input_grad else None, gw, gb


# -- the three kernels as nodes -----------------------------------------------------------

class Conv2dFunction(Function):
    """out = conv(x, w) + b as one node; im2col's plain backward reuses the forward's columns.

    ``geo.algorithm`` ("im2col" or "shifted") picks how the three kernels compute;
    ``cols`` (im2col only) are the columns of x when the caller has them already.

    Example:
        >>> x = Tensor(np.arange(9.0, dtype=np.float32).reshape(1, 1, 3, 3))
        >>> w = Tensor(np.ones((1, 1, 2, 2), np.float32))      # sums each 2x2 window
        >>> geo = geometry("conv2d", x.shape[2:], w.shape[2:], 1, 0, 1)
        >>> Conv2dFunction.apply(x, w, Tensor([1.0]), geo)
        Tensor([[[[ 9., 13.],
                  [21., 25.]]]], dtype=float32)
        >>> Conv2dFunction.apply(x, w, Tensor([1.0]), geo._replace(algorithm="shifted"))[0, 0]
        Tensor([[ 9., 13.],
                [21., 25.]], dtype=float32)
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, weight, bias, geo, cols=None):
        ctx.save_for_backward(x, weight)
        ctx.geo, ctx.cols = geo, None
        x, weight, bias = data_of(x), data_of(weight), data_of(bias)
        if geo.algorithm == "shifted":
            return _shifted_conv(x, weight, bias, geo)
        cols = im2col(x, geo) if cols is None else cols
        if ctx.needs_input_grad[1]:
            ctx.cols = cols                                   # for the weight's gradient
        return _im2col_conv(cols, weight, bias, geo)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        geo = ctx.geo
        if need_x and need_w and geo.algorithm == "shifted" and not ctx.create_graph:
            gx, gw, gb = _shifted_backward(g, w, x, x.shape, w.shape, geo,   # one pass, arrays
                                           bias_grad=need_b)
        else:
            gx = ConvInputGrad.apply(g, w, x.shape, geo) if need_x else None
            gw = ConvWeightGrad.apply(x, g, w.shape, geo, ctx.cols) if need_w else None
            gb = None
        if need_b and gb is None:
            # the batch first, then each channel's plane: 1.5x faster than sum(axis=(0, 2, 3))
            gb = g.sum(axis=0).reshape(g.shape[1], -1).sum(axis=1)
        return (gx, gw, gb) + (None,) * (len(ctx.inputs) - 3)


class ConvInputGrad(Function):
    """d<g, conv(x, w)>/dx = col2im(w^T g): the transposed convolution of g by w.

    Example:
        >>> w = g = Tensor(np.ones((1, 1, 2, 2), np.float32))
        >>> geo = geometry("conv2d", (3, 3), (2, 2), 1, 0, 1)
        >>> ConvInputGrad.apply(g, w, (1, 1, 3, 3), geo)[0, 0]   # windows over each pixel
        Tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]], dtype=float32)
    """
    array_backward = True

    @staticmethod
    def forward(ctx, g, weight, x_shape, geo):
        ctx.save_for_backward(g, weight)
        ctx.geo = geo
        g, weight = data_of(g), data_of(weight)
        if geo.algorithm == "shifted":
            return _shifted_backward(g, weight, None, x_shape, weight.shape, geo,
                                     weight_grad=False)[0]
        return _im2col_input_grad(g, weight, x_shape, geo)

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        need_g, need_w = ctx.needs_input_grad[:2]
        # im2col's plain backward (arrays) that needs both: im2col(gg) once, for the two GEMMs
        cols = im2col(gg, ctx.geo) if need_g and need_w and isinstance(gg, np.ndarray) \
            and ctx.geo.algorithm == "im2col" else None
        dg = Conv2dFunction.apply(gg, w, None, ctx.geo, cols) if need_g else None
        dw = ConvWeightGrad.apply(gg, g, w.shape, ctx.geo, cols) if need_w else None
        return dg, dw, None, None


class ConvWeightGrad(Function):
    """d<g, conv(x, w)>/dw = g im2col(x)^T.

    Example:
        >>> x = Tensor(np.arange(9.0, dtype=np.float32).reshape(1, 1, 3, 3))
        >>> g = Tensor(np.ones((1, 1, 2, 2), np.float32))
        >>> geo = geometry("conv2d", (3, 3), (2, 2), 1, 0, 1)
        >>> ConvWeightGrad.apply(x, g, (1, 1, 2, 2), geo)[0, 0]  # the x each tap touched, summed
        Tensor([[ 8., 12.],
                [20., 24.]], dtype=float32)
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, g, w_shape, geo, cols=None):
        ctx.save_for_backward(x, g)
        ctx.geo = geo
        x, g = data_of(x), data_of(g)
        if geo.algorithm == "shifted":
            return _shifted_backward(g, None, x, x.shape, w_shape, geo, input_grad=False)[1]
        cols = im2col(x, geo) if cols is None else cols    # the forward's, if kept
        return _im2col_weight_grad(g, cols, w_shape, geo.groups)

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved_tensors
        need_x, need_g = ctx.needs_input_grad[:2]
        dx = ConvInputGrad.apply(g, gw, x.shape, ctx.geo) if need_x else None
        dg = Conv2dFunction.apply(x, gw, None, ctx.geo) if need_g else None
        return (dx, dg) + (None,) * (len(ctx.inputs) - 2)     # cols is optional


def _describe(t):
    return f"{tuple(t.shape)} {t.dtype}"


def _tensors(op, input, weight, bias):
    return (tensor(op, "input", input), tensor(op, "weight", weight),
            tensor(op, "bias", bias, optional=True))


def _check_groups(op, groups, **channels):
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    for name, n in channels.items():
        if n % groups:
            raise ValueError(f"{op}: {name}={n} must be divisible by groups={groups}")
    return int(groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation over an NCHW batch, as torch.nn.functional.conv2d.

    ``weight`` is (out_channels, in_channels / groups, kh, kw), ``bias``
    (out_channels,). ``padding`` is an int, a pair, 'valid' or 'same' (stride
    1). With ``groups`` = G, input and output channels split into G groups
    convolved independently (G = in_channels: depthwise). A 3-d (C, H, W)
    input is treated as a batch of one. Mixed float dtypes promote as NumPy
    does; float32 in, float32 out.

    Example:
        >>> x = Tensor(np.zeros((8, 4, 32, 32), dtype=np.float32))
        >>> w = Tensor(np.zeros((16, 2, 3, 3), dtype=np.float32))
        >>> conv2d(x, w, padding=1, groups=2).shape
        (8, 16, 32, 32)
    """
    x, weight, bias = _tensors("conv2d", input, weight, bias)
    if x.ndim == 3:
        return conv2d(x.unsqueeze(0), weight, bias, stride, padding, dilation,
                      groups).squeeze(0)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"conv2d: expected input (N, C, H, W) or (C, H, W) and weight "
                         f"(out_channels, in_channels / groups, kh, kw), got input "
                         f"{_describe(x)} and weight {_describe(weight)}")
    groups = _check_groups("conv2d", groups, out_channels=weight.shape[0])
    if x.shape[1] != weight.shape[1] * groups:
        raise ValueError(f"conv2d: input {_describe(x)} has {x.shape[1]} channels but weight "
                         f"{_describe(weight)} with groups={groups} expects "
                         f"{weight.shape[1] * groups}")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"conv2d: bias {_describe(bias)} must have shape "
                         f"({weight.shape[0]},), one per output channel")
    if x.dtype.kind != "f" or weight.dtype.kind != "f":
        raise TypeError(f"conv2d: input {_describe(x)} and weight {_describe(weight)} must be "
                        "float tensors; convert with .astype(np.float32) first")
    geo = geometry("conv2d", x.shape[2:], weight.shape[2:], stride, padding, dilation)
    geo = geo._replace(groups=groups)
    return Conv2dFunction.apply(x, weight, bias, geo._replace(algorithm=_choose(geo)))


def _one(op, name, v, minimum):
    if isinstance(v, str):
        return v
    t = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    if len(t) != 1:
        raise ValueError(f"{op}: {name} must be an int (or a 1-tuple), got {v!r}")
    return pair(op, name, (1 if minimum else 0, t[0]), minimum)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation over (N, C, L) input, as torch.nn.functional.conv1d.

    Computed as a conv2d of height 1; ``weight`` is (out_channels,
    in_channels / groups, k). A 2-d (C, L) input is a batch of one.

    Example:
        >>> conv1d(Tensor(np.zeros((8, 3, 50))), Tensor(np.zeros((4, 3, 5))), padding=2).shape
        (8, 4, 50)
    """
    x, weight, bias = _tensors("conv1d", input, weight, bias)
    if x.ndim == 2:
        return conv1d(x.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if x.ndim != 3 or weight.ndim != 3:
        raise ValueError(f"conv1d: expected input (N, C, L) or (C, L) and weight "
                         f"(out_channels, in_channels / groups, k), got input {_describe(x)} "
                         f"and weight {_describe(weight)}")
    padding = padding if isinstance(padding, str) else _one("conv1d", "padding", padding, 0)
    out = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, _one("conv1d", "stride", stride, 1),
                 padding, _one("conv1d", "dilation", dilation, 1), groups)
    return out.squeeze(2)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 2-d convolution (the gradient of conv2d w.r.t. its input, run forward), as
    torch.nn.functional.conv_transpose2d.

    ``weight`` is (in_channels, out_channels / groups, kh, kw). The output is
    H_out = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1
    (likewise W); ``output_padding`` (< stride or dilation) picks among the
    sizes that a strided convolution maps onto the same H.

    Example:
        >>> x = Tensor(np.zeros((8, 16, 7, 7), dtype=np.float32))
        >>> w = Tensor(np.zeros((16, 3, 4, 4), dtype=np.float32))
        >>> conv_transpose2d(x, w, stride=2, padding=1).shape
        (8, 3, 14, 14)
    """
    x, weight, bias = _tensors("conv_transpose2d", input, weight, bias)
    if x.ndim == 3:
        return conv_transpose2d(x.unsqueeze(0), weight, bias, stride, padding, output_padding,
                                groups, dilation).squeeze(0)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"conv_transpose2d: expected input (N, C, H, W) or (C, H, W) and "
                         f"weight (in_channels, out_channels / groups, kh, kw), got input "
                         f"{_describe(x)} and weight {_describe(weight)}")
    groups = _check_groups("conv_transpose2d", groups, in_channels=weight.shape[0])
    if x.shape[1] != weight.shape[0]:
        raise ValueError(f"conv_transpose2d: input {_describe(x)} has {x.shape[1]} channels "
                         f"but weight {_describe(weight)} expects {weight.shape[0]}")
    out_channels = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"conv_transpose2d: bias {_describe(bias)} must have shape "
                         f"({out_channels},)")
    if x.dtype.kind != "f" or weight.dtype.kind != "f":
        raise TypeError(f"conv_transpose2d: input {_describe(x)} and weight "
                        f"{_describe(weight)} must be float tensors")
    kernel = weight.shape[2:]
    stride_ = pair("conv_transpose2d", "stride", stride, 1)
    padding_ = pair("conv_transpose2d", "padding", padding, 0)
    dilation_ = pair("conv_transpose2d", "dilation", dilation, 1)
    extra = pair("conv_transpose2d", "output_padding", output_padding, 0)
    if any(e >= max(s, d) for e, s, d in zip(extra, stride_, dilation_)):
        raise ValueError(f"conv_transpose2d: output_padding {extra} must be smaller than "
                         f"stride {stride_} or dilation {dilation_}")
    out_hw = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1 for n, s, p, d, k, e in
                   zip(x.shape[2:], stride_, padding_, dilation_, kernel, extra))
    if min(out_hw) < 1:
        raise ValueError(f"conv_transpose2d: the output size {out_hw} for input "
                         f"{_describe(x)} is not positive; use less padding")
    geo = geometry("conv_transpose2d", out_hw, kernel, stride_, padding_, dilation_)
    geo = geo._replace(groups=groups)
    geo = geo._replace(algorithm=_choose(geo))
    out = ConvInputGrad.apply(x, weight, (x.shape[0], out_channels) + out_hw, geo)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


def _padding_mode(op, padding_mode):
    if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
        raise ValueError(f"{op}: padding_mode must be 'zeros', 'reflect', 'replicate' or "
                         f"'circular', got {padding_mode!r}")
    return padding_mode


class _ConvNd(Module):
    _rank = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 groups, bias, padding_mode, dtype):
        super().__init__()
        name = type(self).__name__
        for label, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name}: {label} must be a positive int, got {v!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.groups = _check_groups(name, groups, in_channels=self.in_channels,
                                    out_channels=self.out_channels)
        size = pair if self._rank == 2 else (lambda op, n, v, m: _one(op, n, v, m)[1:])
        self.kernel_size = size(name, "kernel_size", kernel_size, 1)
        self.stride = size(name, "stride", stride, 1)
        self.dilation = size(name, "dilation", dilation, 1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding must be an int, a pair, 'same' or 'valid', "
                                 f"got {padding!r}")
            if padding == "same" and set(self.stride) != {1}:
                raise ValueError(f"{name}: padding='same' needs stride 1, got {self.stride}")
            self.padding = padding
        else:
            self.padding = size(name, "padding", padding, 0)
        self.padding_mode = _padding_mode(name, padding_mode)
        if padding_mode != "zeros" and isinstance(padding, str):
            raise ValueError(f"{name}: padding_mode={padding_mode!r} needs numeric padding")
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.empty(self._weight_shape(), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _weight_shape(self):
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    def reset_parameters(self):
        """Redraw weight and bias as PyTorch does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

        Example:
            >>> conv = Conv2d(3, 8, 3); conv.reset_parameters()
            >>> bool(np.abs(conv.weight.data).max() <= 1 / math.sqrt(3 * 3 * 3))    # fan_in 27
            True
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in else 0
            init.uniform_(self.bias, -bound, bound)

    def _pad_input(self, x):
        """Non-zero padding modes pad explicitly first (PyTorch's _reversed_padding...)."""
        if self.padding_mode == "zeros":
            return x, self.padding
        widths = tuple(p for p in reversed(self.padding) for _ in range(2))
        return _pad(x, widths, mode=self.padding_mode), (0,) * self._rank

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding not in ((0,) * self._rank, "valid"):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._rank:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        return s + ("" if self.bias is not None else ", bias=False")


class Conv2d(_ConvNd):
    """2-d convolution layer, as torch.nn.Conv2d (groups, dilation, padding modes).

    weight is (out_channels, in_channels / groups, kh, kw); weight and bias
    start as U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels /
    groups * kh * kw (PyTorch's default), drawn from nn's seeded generator.
    ``padding_mode`` is 'zeros', 'reflect', 'replicate' or 'circular'.

    Example:
        >>> conv = Conv2d(3, 16, 3, padding=1)
        >>> conv(Tensor(np.zeros((8, 3, 32, 32), dtype=np.float32))).shape
        (8, 16, 32, 32)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype)

    def forward(self, input):
        x, padding = self._pad_input(input)
        return conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                      self.groups)


class Conv1d(_ConvNd):
    """1-d convolution layer over (N, C, L), as torch.nn.Conv1d.

    Example:
        >>> conv = Conv1d(3, 8, 5, padding=2)
        >>> conv(Tensor(np.zeros((4, 3, 50), dtype=np.float32))).shape
        (4, 8, 50)
    """
    _rank = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype)

    def forward(self, input):
        x, padding = self._pad_input(input)
        return conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                      self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-d convolution layer (a learned upsampling), as torch.nn.ConvTranspose2d.

    weight is (in_channels, out_channels / groups, kh, kw); init as PyTorch's
    (fan_in computed from that shape: out_channels / groups * kh * kw).

    Example:
        >>> up = ConvTranspose2d(16, 8, 4, stride=2, padding=1)
        >>> up(Tensor(np.zeros((2, 16, 7, 7), dtype=np.float32))).shape
        (2, 8, 14, 14)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f"ConvTranspose2d: only padding_mode='zeros' is supported (as in "
                             f"PyTorch), got {padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got "
                             f"{padding!r}")
        self.__dict__["output_padding"] = pair("ConvTranspose2d", "output_padding",
                                               output_padding, 0)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype)

    def _weight_shape(self):
        return (self.in_channels, self.out_channels // self.groups) + self.kernel_size

    def forward(self, input, output_size=None):
        extra = self.output_padding
        if output_size is not None:
            x = tensor("ConvTranspose2d", "input", input)
            want = tuple(output_size)[-2:]
            base = tuple((n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                         zip(x.shape[-2:], self.stride, self.padding, self.dilation,
                             self.kernel_size))
            extra = tuple(w - b for w, b in zip(want, base))
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                extra, self.groups, self.dilation)

    def extra_repr(self):
        s = super().extra_repr()
        return s + (f", output_padding={self.output_padding}"
                    if self.output_padding != (0, 0) else "")
