"""Indexing along a dim with index tensors: gather, scatter, scatter_add, index_select,
masked_fill (PyTorch's semantics).

``gather(x, dim, index)`` reads ``x`` at ``index`` along ``dim`` (elsewhere at
the same position); ``scatter``/``scatter_add`` write or add ``src`` there.
Indices must be integers in [0, size) (no negative indices, as PyTorch).
Gradients move back the same way: gather's is a scatter-add (repeated picks
add up), scatter's reaches ``src`` by a gather and ``x`` where nothing was
written.

Example:
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> gather(x, 1, Tensor([[1, 1], [0, 1]], dtype="int64"))
    Tensor([[2., 2.],
            [3., 4.]], dtype=float32)
"""
import numpy as np

from ..function import Function
from ..function import data_of as _d
from .._tensor import Tensor, tensor_arg
from . import args
from .shape import GetItem

__all__ = ["gather", "scatter", "scatter_add", "index_select", "masked_fill"]


def _index_array(op, index):
    try:
        idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    except ValueError as e:
        raise TypeError(f"{op}: index must be an integer tensor, got a ragged "
                        f"{type(index).__name__} ({e})") from None
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got shape {idx.shape} "
                        f"{idx.dtype}; convert it with .long()")
    return idx.copy()          # later writes to the caller's index cannot change the gradient


def _check_range(op, idx, size, dim):
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{op}: index {bad} is out of range for dim {dim} of size {size} "
                         f"(valid: 0..{size - 1})")


def _coords(op, x, dim, idx, src=None):
    """The advanced index that reads ``x`` along ``dim`` at ``idx`` (PyTorch's gather rule)."""
    if idx.ndim != x.ndim:
        raise ValueError(f"{op}: index has {idx.ndim} dims (shape {idx.shape}) but the tensor "
                         f"has {x.ndim} (shape {x.shape} {x.dtype}); they must match")
    if x.ndim == 0:
        _check_range(op, idx, 1, 0)
        return ()
    for d, n in enumerate(idx.shape):
        if d != dim and n > x.shape[d]:
            raise ValueError(f"{op}: index shape {idx.shape} is larger than the tensor's "
                             f"{x.shape} in dim {d}; it may be larger only in dim {dim}")
        if src is not None and n > src.shape[d]:
            raise ValueError(f"{op}: index shape {idx.shape} is larger than src's "
                             f"{src.shape} in dim {d}")
    _check_range(op, idx, x.shape[dim], dim)
    return tuple(idx if d == dim else
                 np.arange(n).reshape((n,) + (1,) * (idx.ndim - d - 1))
                 for d, n in enumerate(idx.shape))


class Gather(GetItem):
    """x read at an advanced index; its backward adds the gradient back (GetItem's)."""


class IndexSelect(GetItem):
    """Whole slices of x picked along one dim; repeated picks add up in backward."""


class ScatterAdd(Function):
    """x with src added at an advanced index (repeats accumulate)."""
    array_backward = True

    @staticmethod
    def forward(ctx, x, src, coords):
        ctx.coords = coords
        out = np.array(_d(x), dtype=np.result_type(_d(x), _d(src)))
        np.add.at(out, coords, _d(src))
        return out

    @staticmethod
    def backward(ctx, g):
        need_x, need_src, _ = ctx.needs_input_grad
        return (g if need_x else None), (g[ctx.coords] if need_src else None), None


class Scatter(Function):
    """x with src written at an advanced index; the written places pass no gradient to x."""
    array_backward = True

    @staticmethod
    def forward(ctx, x, src, coords):
        ctx.coords = coords
        out = np.array(_d(x))
        out[coords] = _d(src)
        kept = np.ones(out.shape, dtype=bool)
        kept[coords] = False
        ctx.kept = kept
        return out

    @staticmethod
    def backward(ctx, g):
        need_x, need_src, _ = ctx.needs_input_grad
        return (g * ctx.kept if need_x else None), (g[ctx.coords] if need_src else None), None


class MaskedFill(Function):
    """x with ``value`` where mask holds; value may be a (0-d) tensor that gets a gradient."""
    array_backward = True

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        try:
            out = np.where(mask, _d(value), x.data)
        except ValueError:
            out = None
        if out is None or out.shape != x.shape:
            raise ValueError(f"masked_fill: mask of shape {mask.shape} does not broadcast to "
                             f"the tensor's shape {x.shape} {x.dtype}")
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        need_x, _, need_value = ctx.needs_input_grad
        return (g * ~ctx.mask if need_x else None), None, (g * ctx.mask if need_value else None)


def gather(x, dim, index, *, sparse_grad=False):
    """``out[i][j] = x[index[i][j]][j]`` for dim 0 (and so on): values picked along ``dim``.

    ``index`` has x's number of dims and is no larger than x except along
    ``dim``; the result has index's shape.

    Example:
        >>> gather(Tensor([10.0, 20.0, 30.0]), 0, Tensor([2, 0, 2], dtype="int64"))
        Tensor([30., 10., 30.], dtype=float32)
    """
    x = tensor_arg(x, "gather")
    d = args.dim("gather", x, dim)
    idx = _index_array("gather", index)
    return Gather.apply(x, _coords("gather", x, d, idx))


def scatter_add(x, dim, index, src):
    """``x`` with ``src`` added at ``index`` along ``dim`` (repeated indices add up).

    Only the part of ``src`` of index's shape is used.

    Example:
        >>> scatter_add(Tensor([0.0, 0.0, 0.0]), 0, Tensor([0, 2, 0], dtype="int64"),
        ...             Tensor([1.0, 2.0, 3.0]))
        Tensor([4., 0., 2.], dtype=float32)
    """
    x, src = tensor_arg(x, "scatter_add"), tensor_arg(src, "scatter_add")
    return ScatterAdd.apply(x, *_source_and_coords("scatter_add", x, dim, index, src))


def scatter(x, dim, index, src=None, *, value=None, reduce=None):
    """``x`` with ``src`` (a tensor, or a number ``value``) written at ``index`` along ``dim``.

    Where an index repeats, one of the writes wins (PyTorch leaves which one
    unspecified). ``reduce=`` is not supported: use ``scatter_add``.

    Example:
        >>> scatter(Tensor([0.0, 0.0, 0.0]), 0, Tensor([2, 0], dtype="int64"),
        ...         Tensor([5.0, 6.0]))
        Tensor([6., 0., 5.], dtype=float32)
        >>> scatter(Tensor([0.0, 0.0]), 0, Tensor([1], dtype="int64"), value=7.0)
        Tensor([0., 7.], dtype=float32)
    """
    if reduce is not None:
        raise ValueError(f"scatter: reduce={reduce!r} is not supported; use scatter_add for "
                         "'add'")
    if (src is None) == (value is None):
        raise TypeError("scatter: give either src (a tensor or number) or value=")
    if value is not None or not isinstance(src, (Tensor, np.ndarray, list)):
        number = value if value is not None else src
        if not isinstance(number, (int, float, np.number)):
            raise TypeError(f"scatter: src must be a tensor or a number (or give value=), got "
                            f"{type(number).__name__}")
        x = tensor_arg(x, "scatter")
        idx = _index_array("scatter", index)
        src = Tensor(np.full(idx.shape, number, dtype=x.dtype))
    x, src = tensor_arg(x, "scatter"), tensor_arg(src, "scatter")
    return Scatter.apply(x, *_source_and_coords("scatter", x, dim, index, src))


def _source_and_coords(op, x, dim, index, src):
    d = args.dim(op, x, dim)
    idx = _index_array(op, index)
    if src.ndim != idx.ndim:
        raise ValueError(f"{op}: src has {src.ndim} dims (shape {src.shape}) but index has "
                         f"{idx.ndim} (shape {idx.shape}); they must match")
    coords = _coords(op, x, d, idx, src)
    if src.shape != idx.shape:
        src = src[tuple(slice(0, n) for n in idx.shape)]   # only index's part is used
    return src, coords


def index_select(x, dim, index):
    """The slices of ``x`` at the positions ``index`` (1-d) along ``dim``.

    Example:
        >>> index_select(Tensor([[1.0, 2.0], [3.0, 4.0]]), 0, Tensor([1, 1], dtype="int64"))
        Tensor([[3., 4.],
                [3., 4.]], dtype=float32)
    """
    x = tensor_arg(x, "index_select")
    d = args.dim("index_select", x, dim)
    idx = _index_array("index_select", index)
    if idx.ndim > 1:
        raise ValueError(f"index_select: index must be 1-d, got shape {idx.shape}")
    if x.ndim == 0:                      # a 0-d tensor stays 0-d, as in PyTorch
        _check_range("index_select", idx, 1, 0)
        if idx.size != 1:
            raise ValueError(f"index_select: a 0-d tensor takes one index, got {idx.size}")
        return IndexSelect.apply(x, ())
    _check_range("index_select", idx, x.shape[d], d)
    return IndexSelect.apply(x, (slice(None),) * d + (idx.reshape(-1),))


def masked_fill(x, mask, value):
    """``x`` with ``value`` where the bool ``mask`` (broadcast to x's shape) is True.

    ``value`` is a number or a 0-d tensor (which then gets the gradient of
    the places it fills).

    Example:
        >>> x = Tensor([1.0, 2.0, 3.0])
        >>> masked_fill(x, x > 1.5, 0.0)
        Tensor([1., 0., 0.], dtype=float32)
    """
    x = tensor_arg(x, "masked_fill")
    try:
        m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    except ValueError as e:               # a ragged list
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {type(mask).__name__} "
                        f"({e})") from None
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got shape {m.shape} "
                        f"{m.dtype}; make one with a comparison (x > 0) or .bool()")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape "
                         f"{value.shape}")
    if not isinstance(value, (Tensor, int, float, bool, np.number, np.bool_)):
        raise TypeError(f"masked_fill: value must be a number or a 0-d tensor, got "
                        f"{type(value).__name__}")
    return MaskedFill.apply(x, m.copy(), value)
