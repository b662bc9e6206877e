"""Shape ops: reshape, transpose, permute, flatten, squeeze, unsqueeze, expand,
indexing, concatenate, stack, pad.

They move or copy elements without arithmetic, so each backward moves the
gradient back the same way.
"""
import numpy as np

from ..function import Function
from ..tensor import Tensor
from . import dual

__all__ = ["reshape", "transpose", "swapaxes", "permute", "flatten", "squeeze", "unsqueeze",
           "expand", "getitem", "concatenate", "stack", "pad"]


def _check_dim(op, x, dim):
    lo, hi = (-x.ndim, x.ndim - 1) if x.ndim else (-1, 0)    # a 0-d tensor takes 0 and -1
    if not lo <= dim <= hi:
        raise np.exceptions.AxisError(f"{op}: dim {dim} out of range for shape {x.shape} "
                                      f"{x.dtype} (valid: {lo}..{hi})")


def _sizes(op, sizes):
    """Accept sizes as varargs or as one tuple/list, as PyTorch does."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = sizes[0]
    try:
        return tuple(int(s) for s in sizes)
    except TypeError:
        raise TypeError(f"{op}: sizes must be integers, got {sizes!r}") from None


class Reshape(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        try:
            return x.data.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape {x.shape} {x.dtype} ({x.size} elements) "
                             f"into {shape}; the number of elements must match") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Permute(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, axes):
        if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
            raise ValueError(f"permute: axes {axes} are not a permutation of the "
                             f"{x.ndim} axes of shape {x.shape}")
        ctx.inverse = tuple(np.argsort([a % x.ndim for a in axes]))
        return x.data.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return dual.permute(g, ctx.inverse), None


class Expand(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, shape):
        lead = len(shape) - x.ndim
        if lead < 0:
            raise ValueError(f"expand: target {shape} has fewer dims than {x.shape}")
        shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        try:
            return np.broadcast_to(x.data, shape)
        except ValueError:
            raise ValueError(f"expand: cannot expand {x.shape} to {shape}; only size-1 "
                             "dims can grow (use -1 to keep a size)") from None

    @staticmethod
    def backward(ctx, g):
        return g, None           # the engine sums the gradient back to the input's shape


class GetItem(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        try:
            return x.data[index]
        except IndexError as e:
            raise IndexError(f"getitem: index {_show(index)} is invalid for shape {x.shape}: "
                             f"{e}") from None

    @staticmethod
    def backward(ctx, g):
        return scatter_add(g, ctx.shape, ctx.index), None


class ScatterAdd(Function):
    """The adjoint of indexing: add ``g`` into zeros of ``shape`` at ``index``."""
    raw = True

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        g = dual.data(g)
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g                 # a basic index never repeats an element
        else:
            np.add.at(out, index, g)       # advanced indices may repeat: accumulate
        return out

    @staticmethod
    def backward(ctx, g):
        return g[ctx.index], None, None


def scatter_add(g, shape, index):
    """Zeros of ``shape`` with ``g`` added at ``index`` (array or recorded Tensor, like g)."""
    out = ScatterAdd.apply(g, shape, index)
    return out if isinstance(g, Tensor) else out.data


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


def _show(index):
    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(f"array{p.shape}" if isinstance(p, np.ndarray) else repr(p)
                           for p in parts) + "]"


class Concatenate(Function):
    raw = True

    @staticmethod
    def forward(ctx, axis, *tensors):
        arrays = [dual.data(t) for t in tensors]
        try:
            out = np.concatenate(arrays, axis=axis)
        except (ValueError, np.exceptions.AxisError) as e:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"concatenate: cannot join shapes {shapes} along axis {axis}: "
                             f"{e}") from None
        ctx.axis = axis % out.ndim
        ctx.bounds = np.cumsum([0] + [a.shape[ctx.axis] for a in arrays])
        return out

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.axis
        return (None, *(g[lead + (slice(lo, hi),)]
                        for lo, hi in zip(ctx.bounds[:-1], ctx.bounds[1:])))


class Stack(Function):
    raw = True

    @staticmethod
    def forward(ctx, axis, *tensors):
        arrays = [dual.data(t) for t in tensors]
        try:
            out = np.stack(arrays, axis=axis)
        except (ValueError, np.exceptions.AxisError) as e:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"stack: cannot stack shapes {shapes} along axis {axis}: "
                             f"{e}; all must have the same shape") from None
        ctx.axis = axis % out.ndim
        return out

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.axis
        return (None, *(g[lead + (i,)] for i in range(g.shape[ctx.axis])))


class Pad(Function):
    raw = True

    @staticmethod
    def forward(ctx, x, pad_width, value):
        widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2)) \
            if x.ndim else np.zeros((0, 2), dtype=int)
        if (widths < 0).any():
            raise ValueError(f"pad: negative pad_width {pad_width} for shape {x.shape}")
        ctx.window = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        if x.ndim == 0:
            return x.data.copy()        # no axes to pad (np.pad rejects an empty pad_width)
        return np.pad(x.data, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.window], None, None


def reshape(x, *shape):
    """The same elements in a new shape (one -1 is inferred); sizes as varargs or a tuple.

    Example:
        >>> Tensor(np.arange(6.0)).reshape(2, -1).shape
        (2, 3)
    """
    return Reshape.apply(x, _sizes("reshape", shape))


def permute(x, *axes):
    """Reorder all axes (PyTorch's permute; NumPy's transpose(axes)).

    Example:
        >>> Tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape
        (4, 2, 3)
    """
    return Permute.apply(x, _sizes("permute", axes))


def transpose(x, dim0=-2, dim1=-1):
    """Swap two axes (PyTorch's transpose); ``.T`` reverses all axes.

    Example:
        >>> Tensor(np.zeros((2, 3, 4))).transpose(0, 2).shape
        (4, 3, 2)
    """
    axes = list(range(x.ndim))
    try:
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
    except IndexError:
        raise np.exceptions.AxisError(f"transpose: axes ({dim0}, {dim1}) out of range for "
                                      f"shape {x.shape} {x.dtype} (valid: "
                                      f"{-x.ndim}..{x.ndim - 1})") from None
    return Permute.apply(x, tuple(axes))


swapaxes = transpose


def flatten(x, start_dim=0, end_dim=-1):
    """Merge the axes start_dim..end_dim (inclusive) into one.

    Example:
        >>> Tensor(np.zeros((2, 3, 4))).flatten(1).shape
        (2, 12)
    """
    if x.ndim == 0:
        return reshape(x, 1)
    for d in (start_dim, end_dim):
        _check_dim("flatten", x, d)
    start, end = start_dim % x.ndim, end_dim % x.ndim
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                         f"for shape {x.shape}")
    merged = int(np.prod(x.shape[start:end + 1]))
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1:])


def squeeze(x, axis=None, *, dim=None):
    """Drop size-1 axes (all of them when axis is None; a named axis of another size stays).

    Example:
        >>> Tensor(np.zeros((1, 3, 1))).squeeze().shape
        (3,)
    """
    axis = dim if dim is not None else axis
    if axis is None:
        drop = {i for i, n in enumerate(x.shape) if n == 1}
    else:
        axes = (axis,) if isinstance(axis, int) else axis
        for a in axes:
            _check_dim("squeeze", x, a)
        drop = {a % x.ndim for a in axes if x.shape[a] == 1} if x.ndim else set()
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in drop))


def unsqueeze(x, axis=None, *, dim=None):
    """Insert a size-1 axis at ``axis`` (negative counts from the end of the result).

    Example:
        >>> Tensor(np.zeros(3)).unsqueeze(0).shape
        (1, 3)
    """
    axis = dim if dim is not None else axis
    if axis is None or not -x.ndim - 1 <= axis <= x.ndim:
        raise np.exceptions.AxisError(f"unsqueeze: axis {axis} out of range for shape "
                                      f"{x.shape} {x.dtype} (valid: {-x.ndim - 1}..{x.ndim})")
    axis %= x.ndim + 1
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def expand(x, *sizes):
    """Broadcast size-1 axes to ``sizes`` without copying (-1 keeps a size).

    Example:
        >>> Tensor(np.zeros((3, 1))).expand(3, 4).shape
        (3, 4)
    """
    return Expand.apply(x, _sizes("expand", sizes))


def getitem(x, index):
    """``x[index]`` with NumPy's basic and advanced indexing; repeated picks add up in backward.

    Example:
        >>> logp = Tensor(np.log(np.full((2, 3), 1 / 3)))
        >>> logp[np.arange(2), np.array([0, 2])].shape
        (2,)
    """
    if isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    elif isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, list):
        index = np.asarray(index)
    return GetItem.apply(x, index)


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis.

    Example:
        >>> concatenate([Tensor([1.0]), Tensor([2.0, 3.0])])
        Tensor([1., 2., 3.], dtype=float32)
    """
    return Concatenate.apply(axis, *tensors)


def stack(tensors, axis=0):
    """Join same-shaped tensors along a new axis.

    Example:
        >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])], axis=1).shape
        (2, 2)
    """
    return Stack.apply(axis, *tensors)


def pad(x, pad_width, value=0):
    """Pad with a constant, taking NumPy's ``pad_width`` ((before, after) per axis).

    Example:
        >>> pad(Tensor([1.0, 2.0]), (1, 2))
        Tensor([0., 1., 2., 0., 0.], dtype=float32)
    """
    return Pad.apply(x, pad_width, value)
