"""Shape ops: reshape, transpose, permute, flatten, squeeze, unsqueeze, expand,
indexing, concatenate, stack, pad.

They move or copy elements without arithmetic, so each backward moves the
gradient back the same way.
"""
import numpy as np

from ..function import Function
from .._tensor import Tensor, tensor_arg, _short
from .. import function as generic
from . import args

__all__ = ["reshape", "transpose", "swapaxes", "permute", "flatten", "squeeze", "unsqueeze",
           "expand", "getitem", "concatenate", "stack", "pad"]


class Reshape(Function):
    array_backward = True
    makes_view = True     # its output may share the input's memory

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        if shape.count(-1) > 1 or any(n < -1 for n in shape):
            raise ValueError(f"reshape: cannot reshape {x.shape} {x.dtype} into {shape}: "
                             "sizes must be >= 0, with at most one -1 (inferred)")
        try:
            return x.data.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape {x.shape} {x.dtype} ({x.size} elements) "
                             f"into {shape}; the number of elements must match") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Permute(Function):
    array_backward = True
    makes_view = True     # its output may share the input's memory

    @staticmethod
    def forward(ctx, x, axes):
        if len(axes) != x.ndim or \
                sorted(args.dim("permute", x, a) for a in axes) != list(range(x.ndim)):
            raise ValueError(f"permute: axes {axes} are not a permutation of the "
                             f"{x.ndim} axes of shape {x.shape} {x.dtype}; give each of "
                             f"0..{x.ndim - 1} once")
        ctx.inverse = tuple(int(i) for i in np.argsort([a % x.ndim for a in axes]))
        return x.data.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return generic.permute(g, ctx.inverse), None


class Expand(Function):
    array_backward = True
    makes_view = True     # its output may share the input's memory

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
    array_backward = True
    makes_view = "index"  # a basic index gives a view: ctx.index says of which elements

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        try:
            out = x.data[index]
            if type(out) is not np.ndarray and _is_basic(index) and index is not Ellipsis:
                out = x.data[(index if type(index) is tuple else (index,)) + (Ellipsis,)]
            return out                # a 0-d view, as PyTorch's x[0] (NumPy gives a copy)
        except (IndexError, TypeError, ValueError) as e:
            raise IndexError(f"getitem: index {_show(index)} is invalid for shape {x.shape} "
                             f"{x.dtype}: {e}") from None

    @staticmethod
    def backward(ctx, g):
        return ScatterAdd.apply(g, ctx.shape, ctx.index), None


class ScatterAdd(Function):
    """The adjoint of indexing: add ``g`` into zeros of ``shape`` at ``index``."""
    array_backward = True

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        g = generic.data_of(g)
        # like=: an array of g's kind (traced); g is a NumPy scalar when 0-d in a plain backward
        out = np.zeros(shape, dtype=g.dtype, like=g if isinstance(g, np.ndarray) else None)
        if _is_basic(index):
            out[index] = g                 # a basic index never repeats an element
        else:
            np.add.at(out, index, g)       # advanced indices may repeat: accumulate
        return out

    @staticmethod
    def backward(ctx, g):
        return g[ctx.index], None, None


class SetItem(Function):
    """``x`` with ``x[index] = value``, out of place: the node a recorded ``x[index] = v``
    (or an in-place op through a view) gives ``x``."""
    array_backward = True

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index = index
        out = x.data.copy()
        try:
            out[index] = generic.data_of(value)
        except (IndexError, TypeError, ValueError) as e:
            raise type(e)(f"__setitem__: cannot set {_show(index)} of shape {x.shape} "
                          f"{x.dtype} to a value of shape {np.shape(generic.data_of(value))}: "
                          f"{e}") from None
        ctx.keep = np.ones(x.shape, dtype=bool)
        ctx.keep[index] = False
        return out

    @staticmethod
    def backward(ctx, g):
        need_x, need_value, _ = ctx.needs_input_grad
        return (g * ctx.keep if need_x else None), (g[ctx.index] if need_value else None), None


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


def _show(index):
    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(f"array{p.shape}" if isinstance(p, np.ndarray) else repr(p)
                           for p in parts) + "]"


class Concatenate(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, axis, *tensors):
        arrays = [generic.data_of(t) for t in tensors]
        if not arrays:
            raise ValueError("concatenate: expected a non-empty list of tensors")
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
    array_backward = True

    @staticmethod
    def forward(ctx, axis, *tensors):
        arrays = [generic.data_of(t) for t in tensors]
        if not arrays:
            raise ValueError("stack: expected a non-empty list of tensors")
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
    array_backward = True

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.window = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        if x.ndim == 0:
            return x.data.copy()        # no axes to pad (np.pad rejects an empty pad_width)
        return np.pad(x.data, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.window], None, None


def _pad_widths(x, pad_width):
    """NumPy's pad_width (n, (n,), (before, after), or one pair per axis) as ndim int pairs."""
    try:
        widths = np.asarray(pad_width)
    except ValueError:
        widths = None
    if widths is not None and x.ndim == 0 and widths.size == 0:
        return ()
    ok = widths is not None and widths.dtype.kind in "iu" and (
        widths.ndim == 0 or widths.shape in ((1,), (2,), (1, 2), (x.ndim, 2)))
    if not ok:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a tensor of shape "
                         f"{x.shape} {x.dtype}: give integers as n, (before, after), or one "
                         f"(before, after) pair per axis ({x.ndim} pairs)")
    if (widths < 0).any():
        raise ValueError(f"pad: negative pad_width {pad_width!r} for shape {x.shape}; "
                         "widths must be >= 0")
    if x.ndim == 0:
        return ()
    pairs = widths.reshape(-1, 2) if widths.size % 2 == 0 else widths.reshape(())  # n or (n,)
    return tuple((int(lo), int(hi)) for lo, hi in np.broadcast_to(pairs, (x.ndim, 2)))


def reshape(x, *shape):
    """The same elements in a new shape (one -1 is inferred); sizes as varargs or a tuple.

    Example:
        >>> Tensor(np.arange(6.0)).reshape(2, -1)
        Tensor([[0., 1., 2.],
                [3., 4., 5.]], dtype=float64)
    """
    return Reshape.apply(tensor_arg(x, "reshape"), args.sizes("reshape", shape))


def permute(x, *axes):
    """Reorder all axes (PyTorch's permute; NumPy's transpose(axes)).

    Example:
        >>> Tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape
        (4, 2, 3)
    """
    return Permute.apply(tensor_arg(x, "permute"), args.sizes("permute", axes))


def transpose(x, dim0=-2, dim1=-1):
    """Swap two axes (PyTorch's transpose); ``.T`` reverses all axes.

    Example:
        >>> Tensor(np.zeros((2, 3, 4))).transpose(0, 2).shape
        (4, 3, 2)
    """
    x = tensor_arg(x, "transpose")
    dim0, dim1 = args.index("transpose", "dim0", dim0), args.index("transpose", "dim1", dim1)
    if x.ndim < 2 and dim0 in (-2, -1, 0) and dim1 in (-2, -1, 0):
        return Permute.apply(x, tuple(range(x.ndim)))    # 0-d and 1-d: nothing to swap
    a, b = args.dim("transpose", x, dim0), args.dim("transpose", x, dim1)
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return Permute.apply(x, tuple(axes))


swapaxes = transpose


def flatten(x, start_dim=0, end_dim=-1):
    """Merge the axes start_dim..end_dim (inclusive) into one.

    Example:
        >>> Tensor(np.zeros((2, 3, 4))).flatten(1).shape
        (2, 12)
    """
    x = tensor_arg(x, "flatten")
    start, end = args.dim("flatten", x, start_dim), args.dim("flatten", x, end_dim)
    if x.ndim == 0:
        return reshape(x, 1)
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
    x = tensor_arg(x, "squeeze")
    axis = dim if dim is not None else axis
    if axis is None:
        drop = {i for i, n in enumerate(x.shape) if n == 1}
    else:
        named = args.axes("squeeze", x, axis) or ()
        drop = {a for a in named if x.shape[a] == 1}
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in drop))


def unsqueeze(x, axis=None, *, dim=None):
    """Insert a size-1 axis at ``axis`` (negative counts from the end of the result).

    Example:
        >>> Tensor(np.zeros(3)).unsqueeze(0).shape
        (1, 3)
    """
    x = tensor_arg(x, "unsqueeze")
    axis = dim if dim is not None else axis
    if axis is None:
        raise TypeError(f"unsqueeze: give the dim at which to insert a size-1 axis (shape "
                        f"{x.shape}: valid {-x.ndim - 1}..{x.ndim})")
    axis = args.dim("unsqueeze", x, axis, extra=1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def expand(x, *sizes):
    """Broadcast size-1 axes to ``sizes`` without copying (-1 keeps a size).

    Example:
        >>> Tensor([[1.0], [2.0]]).expand(2, 3)
        Tensor([[1., 1., 1.],
                [2., 2., 2.]], dtype=float32)
    """
    return Expand.apply(tensor_arg(x, "expand"), args.sizes("expand", sizes))


def getitem(x, index):
    """``x[index]`` with NumPy's basic and advanced indexing; repeated picks add up in backward.

    Index arrays are copied, so changing them later cannot change the gradient.

    Example:
        >>> logp = Tensor(np.log([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]))
        >>> logp[np.arange(2), np.array([0, 2])]            # each row's target: log 0.5, log 0.8
        Tensor([-0.693147, -0.223144], dtype=float64)
    """
    if isinstance(index, tuple):
        index = tuple(_index_part(i) for i in index)
    else:
        index = _index_part(index)
    return GetItem.apply(tensor_arg(x, "getitem"), index)


def _index_part(i):
    if isinstance(i, Tensor):
        i = i.data
    if isinstance(i, list):
        try:
            i = np.asarray(i)
        except ValueError as e:
            raise IndexError(f"getitem: the index list {_short(i)} is not a rectangular list "
                             f"of integers or bools ({e})") from None
    if isinstance(i, np.ndarray):
        if i.dtype.kind not in "biu":
            raise IndexError(f"getitem: index arrays must be integers or bools, got "
                             f"{i.dtype} of shape {i.shape}; convert with .astype(np.int64)")
        return i.copy()
    if isinstance(i, float):
        raise IndexError(f"getitem: index {i!r} is a float; indices must be integers, slices, "
                         "None, ... or integer/bool arrays")
    return i


def _tensor_list(op, tensors):
    if isinstance(tensors, (Tensor, np.ndarray)) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got "
                        f"{type(tensors).__name__}; write {op}([a, b, ...])")
    return [t if isinstance(t, Tensor) else tensor_arg(t, op) for t in tensors]


def concatenate(tensors, axis=0, *, dim=None):
    """Join tensors along an existing axis (``dim=`` as PyTorch's ``cat``).

    Example:
        >>> concatenate([Tensor([1.0]), Tensor([2.0, 3.0])])
        Tensor([1., 2., 3.], dtype=float32)
    """
    axis = args.index("concatenate", "axis", dim if dim is not None else axis)
    return Concatenate.apply(axis, *_tensor_list("concatenate", tensors))


def stack(tensors, axis=0, *, dim=None):
    """Join same-shaped tensors along a new axis (``dim=`` as PyTorch's).

    Example:
        >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])], axis=1)
        Tensor([[1., 3.],
                [2., 4.]], dtype=float32)
    """
    axis = args.index("stack", "axis", dim if dim is not None else axis)
    return Stack.apply(axis, *_tensor_list("stack", tensors))


def pad(x, pad_width, value=0):
    """Pad with a constant, taking NumPy's ``pad_width`` ((before, after) per axis).

    Example:
        >>> pad(Tensor([1.0, 2.0]), (1, 2))
        Tensor([0., 1., 2., 0., 0.], dtype=float32)
    """
    x = tensor_arg(x, "pad")
    return Pad.apply(x, _pad_widths(x, pad_width), value)
