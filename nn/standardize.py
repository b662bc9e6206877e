"""The one differentiable op behind batch and layer normalization.

``Normalize`` standardizes x over some axes and applies a per-feature affine
map, as a single node with an exact backward; with ``create_graph=True`` the
backward is rebuilt from recorded ops, so second derivatives work too.
"""
import numpy as np

from autograd import Function, Tensor

__all__ = ["moments", "Normalize"]


def moments(x, axes):
    """(mean, x - mean, biased variance) of an ndarray over ``axes``, keepdims.

    Example:
        >>> mean, centered, var = moments(np.array([[1.0], [3.0]]), (0,))
        >>> mean, var
        (array([[2.]]), array([[1.]]))
    """
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    return mean, xc, np.square(xc).mean(axis=axes, keepdims=True)


class Normalize(Function):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, statistics over ``axes``.

    ``param_axes`` are the axes weight and bias are broadcast along (batch
    norm: the same as ``axes``). ``centered`` (x - mean, which forward takes
    over and overwrites) and ``var`` come from ``moments``.

    Example:
        >>> x = Tensor([[1.0, 10.0], [3.0, 30.0]])        # (N, C): batch norm over axis 0
        >>> _, xc, var = moments(x.data, (0,))
        >>> Normalize.apply(x, Tensor([1.0, 2.0]), Tensor([0.0, 1.0]), (0,), (0,), 0.0, xc, var)
        Tensor([[-1., -1.],
                [ 1.,  3.]], dtype=float32)
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, weight, bias, axes, param_axes, eps, centered, var):
        inv = 1 / np.sqrt(var + eps)
        xhat = np.multiply(centered, inv, out=centered)
        ctx.save_for_backward(x, weight)
        ctx.xhat, ctx.inv, ctx.axes, ctx.param_axes, ctx.eps = xhat, inv, axes, param_axes, eps
        out = xhat if weight is None else xhat * _expand(weight.data, x.shape, param_axes)
        if bias is not None:
            b = _expand(bias.data, x.shape, param_axes)
            out = np.add(out, b, out=out if out is not xhat and b.dtype <= out.dtype else None)
        return out.copy() if out is xhat else out      # never hand out the saved xhat

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        axes, param_axes = ctx.axes, ctx.param_axes
        if ctx.create_graph:
            # recorded: rebuild the statistics from x with recorded ops, so the
            # gradient itself is differentiable w.r.t. x.
            xc = x - x.mean(axis=axes, keepdims=True)
            inv = ((xc * xc).mean(axis=axes, keepdims=True) + ctx.eps) ** -0.5
            xhat = xc * inv
        else:
            xhat, inv = ctx.xhat, ctx.inv
            if axes == param_axes:
                return _batch_norm_backward(ctx, g, xhat, inv, w)
        gx = gw = gb = None
        if need_x:
            gxhat = g if w is None else g * _expand(w, x.shape, param_axes)
            gx = inv * (gxhat - gxhat.mean(axis=axes, keepdims=True)
                        - xhat * (gxhat * xhat).mean(axis=axes, keepdims=True))
        if need_w:
            gw = (g * xhat).sum(axis=param_axes).reshape(w.shape)
        if need_b:
            gb = g.sum(axis=param_axes).reshape(ctx.inputs[2].shape)
        return gx, gw, gb, None, None, None, None, None


def _batch_norm_backward(ctx, g, xhat, inv, w):
    """The plain backward when weight is constant along the reduced axes (batch norm).

    Then mean(g * w) and mean(g * w * xhat) are w times the bias and weight
    gradients over n, so two reductions serve all three gradients:
    gx = s * (g - sum(g) / n - xhat * sum(g * xhat) / n), with s = w / std.
    """
    axes = ctx.axes
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    n = g.size // inv.size
    sum_g = g.sum(axis=axes, keepdims=True)
    gxhat = g * xhat
    sum_gx = gxhat.sum(axis=axes, keepdims=True)
    gx = None
    if need_x:
        s = inv if w is None else inv * _expand(w, g.shape, axes)
        gx = g * s
        gx -= s * sum_g / n
        gx -= np.multiply(xhat, s * sum_gx / n, out=gxhat)
    gw = sum_gx.reshape(w.shape) if need_w else None
    gb = sum_g.reshape(ctx.inputs[2].shape) if need_b else None
    return gx, gw, gb, None, None, None, None, None


def _expand(p, x_shape, param_axes):
    """Reshape a per-feature parameter so it broadcasts against x (size 1 on param_axes)."""
    return p.reshape(tuple(1 if a in param_axes else n for a, n in enumerate(x_shape)))
