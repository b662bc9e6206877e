"""2-d max and average pooling: a loop over the kh*kw kernel offsets, each a strided
slice of the whole batch (no loop over batch, channels or pixels).

Average pooling is linear, so it is one ``LinearMap`` node whose backward is
its adjoint; max pooling's backward routes each gradient to the first maximum
of its window (PyTorch's choice at ties), also a linear map given the argmax.
"""
import numpy as np

from autograd import Function, Tensor
from autograd.function import data_of
from .arguments import flag, tensor
from .windows import cropped, geometry, padded, pair, window
from .module import Module

__all__ = ["max_pool2d", "avg_pool2d", "MaxPool2d", "AvgPool2d", "LinearMap"]


class LinearMap(Function):
    """y = f(x) for a linear ``f`` given with its ``adjoint``; differentiable to any order.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = LinearMap.apply(x, lambda a: 2 * a, lambda g: 2 * g); y
        Tensor([2., 4.], dtype=float32, grad_fn=LinearMap)
        >>> y.sum().backward(); x.grad
        Tensor([2., 2.], dtype=float32)
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, f, adjoint):
        ctx.f, ctx.adjoint = f, adjoint
        return f(data_of(x))

    @staticmethod
    def backward(ctx, g):
        return LinearMap.apply(g, ctx.adjoint, ctx.f), None, None     # the adjoint, as a node


class AvgPool2dFunction(LinearMap):
    """Average pooling as a LinearMap node (named so in graph pictures).

    Example:
        >>> x = Tensor([1.0, 3.0, 5.0, 9.0], requires_grad=True)
        >>> pool = lambda a: (a[0::2] + a[1::2]) / 2           # the means of pairs
        >>> y = AvgPool2dFunction.apply(x, pool, lambda g: np.repeat(g / 2, 2)); y
        Tensor([2., 7.], dtype=float32, grad_fn=AvgPool2dFunction)
        >>> y.sum().backward(); x.grad
        Tensor([0.5, 0.5, 0.5, 0.5], dtype=float32)
    """


def _offsets(geo):
    kh, kw = geo.kernel
    return [(k, k // kw, k % kw) for k in range(kh * kw)]


class MaxPool2dFunction(Function):
    """Max over each window; remembers which offset won (the first maximum, NaN wins).

    Example:
        >>> x = Tensor([[[[1.0, 4.0], [3.0, 4.0]]]], requires_grad=True)
        >>> y = MaxPool2dFunction.apply(x, geometry("max_pool2d", x.shape[2:], 2, 2, 0, 1)); y
        Tensor([[[[4.]]]], dtype=float32, grad_fn=MaxPool2dFunction)
        >>> y.sum().backward(); x.grad                   # to the first of the tied maxima
        Tensor([[[[0., 1.],
                  [0., 0.]]]], dtype=float32)
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, geo):
        xp = padded(x.data, geo, fill=-np.inf)
        views = [window(xp, geo, i, j) for _, i, j in _offsets(geo)]
        best = views[0].copy()
        for v in views[1:]:
            np.maximum(best, v, out=best)           # NaN propagates, as in PyTorch
        has_nan = np.isnan(best).any()

        def hit(v):
            return (v == best) | np.isnan(v) if has_nan else v == best

        # idx = the first offset that attains the max; bool arithmetic, no masked stores
        idx = np.zeros(best.shape, dtype=np.min_scalar_type(len(views) - 1))
        found = hit(views[0])
        for k, v in enumerate(views[1:], 1):
            h = hit(v)
            h &= ~found
            idx += h * idx.dtype.type(k)
            found |= h
        ctx.geo, ctx.idx, ctx.x_shape = geo, idx, x.shape
        return best

    @staticmethod
    def backward(ctx, g):
        geo, idx, x_shape = ctx.geo, ctx.idx, ctx.x_shape
        disjoint = all(s >= d * (k - 1) + 1 for s, k, d in zip(geo.stride, geo.kernel,
                                                               geo.dilation))

        def scatter(g):                 # output-shaped -> input-shaped
            finite = np.isfinite(g).all()   # then g * mask is exact (no inf * 0)
            dxp = padded(np.zeros(x_shape, dtype=g.dtype), geo)
            for k, i, j in _offsets(geo):
                routed = g * (idx == k) if finite else np.where(idx == k, g, 0)
                if disjoint:            # each pixel is in at most one window
                    window(dxp, geo, i, j)[...] = routed
                else:
                    window(dxp, geo, i, j)[...] += routed
            return cropped(dxp, geo)

        def gather(gx):                 # input-shaped -> output-shaped (the adjoint)
            gp = padded(gx, geo)
            out = np.empty(idx.shape, dtype=gx.dtype)
            for k, i, j in _offsets(geo):
                np.copyto(out, window(gp, geo, i, j), where=idx == k)
            return out

        return LinearMap.apply(g, scatter, gather), None


def _pool_input(op, input):
    x = tensor(op, "input", input)
    if x.ndim not in (3, 4) or x.dtype.kind != "f":
        raise ValueError(f"{op}: expected a float input (N, C, H, W) or (C, H, W), got shape "
                         f"{tuple(x.shape)} {x.dtype}")
    return x


def _pool_geometry(op, x, kernel_size, stride, padding, dilation=1, ceil_mode=False):
    padding = pair(op, "padding", padding, 0)      # no 'same'/'valid' for pooling
    geo = geometry(op, x.shape[-2:], kernel_size, kernel_size if stride is None else stride,
                   padding, dilation, ceil_mode)
    for (p, _), k, d in zip(geo.padding, geo.kernel, geo.dilation):
        if 2 * p > d * (k - 1) + 1:
            raise ValueError(f"{op}: padding {geo.padding[0][0], geo.padding[1][0]} should be "
                             f"at most half of the (dilated) kernel {geo.kernel}")
    return geo


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kh x kw windows, as torch.nn.functional.max_pool2d (stride defaults to the kernel).

    Padding counts as -inf. The gradient flows to the first maximum of each
    window (row-major order), as in PyTorch. ``ceil_mode`` rounds the output
    size up (PyTorch's rule: the last window must start inside the input or
    its left padding). ``return_indices=True`` is not supported.

    Example:
        >>> max_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2).data[0, 0]
        array([[ 5.,  7.],
               [13., 15.]])
    """
    if flag("max_pool2d", "return_indices", return_indices):
        raise NotImplementedError("max_pool2d: return_indices=True is not supported; "
                                  "nn.functional.adaptive_max_pool2d can return indices")
    x = _pool_input("max_pool2d", input)
    ceil_mode = flag("max_pool2d", "ceil_mode", ceil_mode)
    if x.ndim == 3:
        return max_pool2d(x.unsqueeze(0), kernel_size, stride, padding, dilation,
                          ceil_mode).squeeze(0)
    geo = _pool_geometry("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    return MaxPool2dFunction.apply(x, geo)


def avg_pool2d(input, kernel_size, stride=None, padding=0, *, count_include_pad=True):
    """Mean over kh x kw windows, as torch.nn.functional.avg_pool2d (stride defaults to the kernel).

    With ``count_include_pad=True`` (PyTorch's default) zero padding counts in
    the mean's denominator; with False only the input's own pixels do.

    Example:
        >>> avg_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2).data[0, 0]
        array([[ 2.5,  4.5],
               [10.5, 12.5]])
    """
    x = _pool_input("avg_pool2d", input)
    count_include_pad = flag("avg_pool2d", "count_include_pad", count_include_pad)
    if x.ndim == 3:
        return avg_pool2d(x.unsqueeze(0), kernel_size, stride, padding,
                          count_include_pad=count_include_pad).squeeze(0)
    geo = _pool_geometry("avg_pool2d", x, kernel_size, stride, padding)
    offsets, shape = _offsets(geo), x.shape
    if count_include_pad:
        scale = np.asarray(1.0 / len(offsets), dtype=x.dtype)
    else:                               # 1 / (how many real pixels each window covers)
        ones = padded(np.ones((1, 1) + geo.in_hw, dtype=x.dtype), geo)
        scale = 1 / sum(window(ones, geo, i, j) for _, i, j in offsets)

    def pool(a):
        ap = padded(a, geo)
        out = window(ap, geo, 0, 0).copy()
        for _, i, j in offsets[1:]:
            out += window(ap, geo, i, j)
        out *= scale
        return out

    def adjoint(g):
        gs = g * scale
        dxp = padded(np.zeros(shape, dtype=g.dtype), geo)
        for _, i, j in offsets:
            window(dxp, geo, i, j)[...] += gs
        return cropped(dxp, geo)

    return AvgPool2dFunction.apply(x, pool, adjoint)


def _check_args(op, kernel_size, stride, padding, dilation=1):
    pair(op, "kernel_size", kernel_size, 1)
    pair(op, "stride", kernel_size if stride is None else stride, 1)
    pair(op, "padding", padding, 0)
    pair(op, "dilation", dilation, 1)


class MaxPool2d(Module):
    """Max pooling layer, as torch.nn.MaxPool2d (stride defaults to kernel_size).

    Example:
        >>> MaxPool2d(2)(Tensor(np.zeros((8, 16, 32, 32), dtype=np.float32))).shape
        (8, 16, 16, 16)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        _check_args("MaxPool2d", kernel_size, stride, padding, dilation)
        if return_indices:
            raise NotImplementedError("MaxPool2d: return_indices=True is not supported; "
                                      "AdaptiveMaxPool2d can return indices")
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = False, bool(ceil_mode)

    def forward(self, input):
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Average pooling layer, as torch.nn.AvgPool2d (stride defaults to kernel_size).

    Example:
        >>> AvgPool2d(2)(Tensor(np.zeros((8, 16, 32, 32), dtype=np.float32))).shape
        (8, 16, 16, 16)
    """

    def __init__(self, kernel_size, stride=None, padding=0, *, count_include_pad=True):
        # keyword-only: PyTorch's 4th positional argument is ceil_mode
        super().__init__()
        _check_args("AvgPool2d", kernel_size, stride, padding)
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.count_include_pad = padding, count_include_pad

    def forward(self, input):
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                          count_include_pad=self.count_include_pad)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"count_include_pad={self.count_include_pad}")
