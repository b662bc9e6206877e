"""2-d convolution: im2col over strided windows, one GEMM, and col2im back for the gradient.

Layout: the columns are (N, C*kh*kw, Ho*Wo), so the forward pass is one batched
GEMM ``weight(F, C*kh*kw) @ cols`` that lands directly in NCHW order, and the
backward pass two more; no transposes anywhere.

Convolution is bilinear: <g, conv(x, w)> is a trilinear form T(x, w, g), and
the three ops below are its three partial derivatives. Each one's backward is
made of the other two, so gradients of gradients work to any order.
"""
import math

import numpy as np

from autograd import Function, Tensor, get_default_dtype
from autograd.function import data_of
from . import init
from .module import Module, Parameter
from .windows import col2im, geometry, im2col, pair

__all__ = ["conv2d", "Conv2d"]


def _conv(cols, w, bias, geo):
    """The forward kernel: columns of x -> (N, F, Ho, Wo) by one batched GEMM."""
    out = np.matmul(w.reshape(w.shape[0], -1), cols)          # (N, F, Ho*Wo)
    if bias is not None:            # in place unless a wider bias dtype must promote
        out = np.add(out, bias.reshape(-1, 1), out=out if bias.dtype <= out.dtype else None)
    return out.reshape(out.shape[:2] + geo.out_hw)


def _input_grad(g, w, x_shape, geo):
    """col2im(w^T g): the gradient w.r.t. the input (a transposed convolution)."""
    g3 = g.reshape(g.shape[:2] + (-1,))
    return col2im(np.matmul(w.reshape(w.shape[0], -1).T, g3), x_shape, geo)


def _weight_grad(g, cols, w_shape):
    """sum over the batch of g im2col(x)^T: the gradient w.r.t. the weight."""
    g3 = g.reshape(g.shape[:2] + (-1,))
    return np.matmul(g3, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w_shape)


class Conv2dFunction(Function):
    """out = conv(x, w) + b as one node; a plain backward reuses the forward's columns.

    Example:
        >>> Conv2dFunction.apply(x, w, b, geometry("conv2d", x.shape[2:], w.shape[2:], 1, 0, 1))
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, weight, bias, geo):
        cols = im2col(data_of(x), geo)
        ctx.save_for_backward(x, weight)
        ctx.geo = geo
        ctx.cols = cols if ctx.needs_input_grad[1] else None   # for the weight's gradient
        return _conv(cols, data_of(weight), data_of(bias), geo)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        geo = ctx.geo
        gb = g.sum(axis=(0, 2, 3)) if need_b else None
        gx = ConvInputGrad.apply(g, w, x.shape, geo) if need_x else None
        gw = ConvWeightGrad.apply(x, g, w.shape, geo, ctx.cols) if need_w else None
        return gx, gw, gb, None


class ConvInputGrad(Function):
    """d<g, conv(x, w)>/dx = col2im(w^T g): the transposed convolution of g by w.

    Example:
        >>> ConvInputGrad.apply(g, w, x.shape, geo)      # shaped like x
    """
    array_backward = True

    @staticmethod
    def forward(ctx, g, weight, x_shape, geo):
        ctx.save_for_backward(g, weight)
        ctx.geo = geo
        return _input_grad(data_of(g), data_of(weight), x_shape, geo)

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        need_g, need_w = ctx.needs_input_grad[:2]
        dg = Conv2dFunction.apply(gg, w, None, ctx.geo) if need_g else None
        dw = ConvWeightGrad.apply(gg, g, w.shape, ctx.geo) if need_w else None
        return dg, dw, None, None


class ConvWeightGrad(Function):
    """d<g, conv(x, w)>/dw = g im2col(x)^T.

    Example:
        >>> ConvWeightGrad.apply(x, g, w.shape, geo)     # shaped like w
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, g, w_shape, geo, cols=None):
        ctx.save_for_backward(x, g)
        ctx.geo = geo
        cols = im2col(data_of(x), geo) if cols is None else cols    # the forward's, if kept
        return _weight_grad(data_of(g), cols, w_shape)

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved_tensors
        need_x, need_g = ctx.needs_input_grad[:2]
        dx = ConvInputGrad.apply(g, gw, x.shape, ctx.geo) if need_x else None
        dg = Conv2dFunction.apply(x, gw, None, ctx.geo) if need_g else None
        return dx, dg, None, None, None


def _describe(t):
    return f"{tuple(t.shape)} {t.dtype}"


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-d cross-correlation over an NCHW batch, as torch.nn.functional.conv2d (groups=1).

    ``weight`` is (out_channels, in_channels, kh, kw), ``bias`` (out_channels,).
    ``padding`` is an int, a pair, 'valid' or 'same' (stride 1). A 3-d
    (C, H, W) input is treated as a batch of one. Mixed float dtypes promote
    as NumPy does; float32 in, float32 out.

    Example:
        >>> x = Tensor(np.zeros((8, 3, 32, 32), dtype=np.float32))
        >>> w = Tensor(np.zeros((16, 3, 3, 3), dtype=np.float32))
        >>> conv2d(x, w, padding=1).shape
        (8, 16, 32, 32)
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    weight = weight if isinstance(weight, Tensor) else Tensor(weight)
    bias = bias if bias is None or isinstance(bias, Tensor) else Tensor(bias)
    if x.ndim == 3:
        return conv2d(x.unsqueeze(0), weight, bias, stride, padding, dilation).squeeze(0)
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"conv2d: expected input (N, C, H, W) or (C, H, W) and weight "
                         f"(out_channels, in_channels, kh, kw), got input {_describe(x)} and "
                         f"weight {_describe(weight)}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"conv2d: input {_describe(x)} has {x.shape[1]} channels but weight "
                         f"{_describe(weight)} expects {weight.shape[1]}")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"conv2d: bias {_describe(bias)} must have shape "
                         f"({weight.shape[0]},), one per output channel")
    if x.dtype.kind != "f" or weight.dtype.kind != "f":
        raise TypeError(f"conv2d: input {_describe(x)} and weight {_describe(weight)} must be "
                        "float tensors; convert with .astype(np.float32) first")
    geo = geometry("conv2d", x.shape[2:], weight.shape[2:], stride, padding, dilation)
    return Conv2dFunction.apply(x, weight, bias, geo)


class Conv2d(Module):
    """2-d convolution layer, as torch.nn.Conv2d (groups=1, zero padding).

    weight is (out_channels, in_channels, kh, kw); weight and bias start as
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels*kh*kw
    (PyTorch's default), drawn from nn's seeded generator.

    Example:
        >>> conv = Conv2d(3, 16, 3, padding=1)
        >>> conv(Tensor(np.zeros((8, 3, 32, 32), dtype=np.float32))).shape
        (8, 16, 32, 32)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, *, bias=True, dtype=None):
        # bias is keyword-only: PyTorch's 7th positional argument is groups, not bias
        super().__init__()
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {v!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair("Conv2d", "kernel_size", kernel_size, 1)
        self.stride = pair("Conv2d", "stride", stride, 1)
        self.dilation = pair("Conv2d", "dilation", dilation, 1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Conv2d: padding must be an int, a pair, 'same' or 'valid', "
                                 f"got {padding!r}")
            if padding == "same" and self.stride != (1, 1):
                raise ValueError(f"Conv2d: padding='same' needs stride 1, got {self.stride}")
            self.padding = padding
        else:
            self.padding = pair("Conv2d", "padding", padding, 0)
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        dtype = get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw weight and bias as PyTorch does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

        Example:
            >>> Conv2d(3, 8, 3).reset_parameters()
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding not in ((0, 0), "valid"):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        return s + ("" if self.bias is not None else ", bias=False")
