"""Sorting and selecting: sort, topk, kthvalue, median, mode return PyTorch's named pair
(values, indices) (median with no dim: the value); argsort the indices.

Sorting is stable (equal elements keep their order, also when descending);
NaN sorts as the largest value, as in PyTorch. The values are gathered at
the indices, so their gradient is scattered back to exactly the picked
elements.

Example:
    >>> values, indices = sort(Tensor([3.0, 1.0, 2.0]))
    >>> values, indices
    (Tensor([1., 2., 3.], dtype=float32), Tensor([1, 2, 0], dtype=int64))
"""
import numpy as np

from ..function import Function
from .._tensor import Tensor, tensor_arg
from . import args
from .index import Gather, _coords
from .reduce import ValuesIndices

__all__ = ["sort", "argsort", "topk", "kthvalue", "median", "mode"]


def _order(a, axis, descending):
    """Stable sorting indices of ``a`` along ``axis``; NaN counts as the largest."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    if a.dtype.kind in "biu":
        return np.argsort(np.invert(a), axis=axis, kind="stable")   # order-reversing, exact
    moved = np.moveaxis(a, axis, -1)
    order = np.lexsort((-moved, ~np.isnan(moved)), axis=-1)        # NaN first, then largest
    return np.moveaxis(order, -1, axis)


def _picked(op, x, order, axis):
    """(values, indices) of ``x`` at ``order`` along ``axis``, the values differentiable."""
    indices = Tensor(np.array(order, dtype=np.int64))
    if x.ndim == 0:
        return ValuesIndices(Gather.apply(x, ()), indices)
    return ValuesIndices(Gather.apply(x, _coords(op, x, axis, order)), indices)


def _dim(op, x, dim):
    d = args.dim(op, x, dim)
    return d if x.ndim else None


def sort(x, dim=-1, descending=False, stable=False):
    """The values of ``x`` sorted along ``dim`` and where they came from: (values, indices).

    Example:
        >>> sort(Tensor([[2.0, 9.0, 4.0]]), descending=True).indices
        Tensor([[1, 2, 0]], dtype=int64)
    """
    x = tensor_arg(x, "sort")
    d = _dim("sort", x, dim)
    if d is None:
        return _picked("sort", x, np.zeros((), np.int64), None)
    return _picked("sort", x, _order(x.data, d, args.flag("sort", "descending", descending)), d)


def argsort(x, dim=-1, descending=False, stable=False):
    """The indices that sort ``x`` along ``dim`` (an int64 tensor).

    Example:
        >>> argsort(Tensor([3.0, 1.0, 2.0]))
        Tensor([1, 2, 0], dtype=int64)
    """
    x = tensor_arg(x, "argsort")
    d = _dim("argsort", x, dim)
    if d is None:
        return Tensor(np.zeros((), np.int64))
    order = _order(x.data, d, args.flag("argsort", "descending", descending))
    return Tensor(np.array(order, dtype=np.int64))


def topk(x, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, largest first.

    Example:
        >>> topk(Tensor([1.0, 5.0, 3.0, 4.0]), 2)
        ValuesIndices(values=Tensor([5., 4.], dtype=float32), indices=Tensor([1, 3], dtype=int64))
    """
    x = tensor_arg(x, "topk")
    k, d = _rank("topk", x, k, dim, first=0)
    if d is None:
        return _picked("topk", x, np.zeros((), np.int64), None)
    order = _order(x.data, d, args.flag("topk", "largest", largest))
    order = order[(slice(None),) * d + (slice(0, k),)]
    return _picked("topk", x, order, d)


def kthvalue(x, k, dim=-1, keepdim=False):
    """The ``k``-th smallest value along ``dim`` (k counts from 1) and its index.

    At ties the index is the k-th in a stable sort (PyTorch's choice among equal values
    depends on its implementation); the gradient goes to that element.

    Example:
        >>> kthvalue(Tensor([[3.0, 1.0, 2.0]]), 2, 1)
        ValuesIndices(values=Tensor([2.], dtype=float32), indices=Tensor([2], dtype=int64))
    """
    x = tensor_arg(x, "kthvalue")
    k, d = _rank("kthvalue", x, k, dim, first=1)
    if d is None:
        return _picked("kthvalue", x, np.zeros((), np.int64), None)
    order = _order(x.data, d, False)
    return _selected("kthvalue", x, np.take(order, [k - 1], axis=d), d, keepdim)


def median(x, dim=None, keepdim=False):
    """The median: the lower of the two middle values for an even count (PyTorch's rule);
    NaN if the values hold a NaN.

    With no ``dim``: the median of all elements (a 0-d tensor), whose gradient is shared
    equally by the elements equal to it (PyTorch's). With a ``dim``: the named pair
    ``(values, indices)``, the gradient going to the picked element (at ties, the one a
    stable sort puts in the middle; PyTorch may pick another of the equal values).

    Example:
        >>> median(Tensor([4.0, 1.0, 3.0, 2.0]))
        Tensor(2., dtype=float32)
        >>> median(Tensor([[4.0, 1.0, 3.0], [0.0, 5.0, 6.0]]), 1).indices
        Tensor([2, 1], dtype=int64)
    """
    x = tensor_arg(x, "median")
    if dim is None:
        if x.data.size == 0:
            raise ValueError(f"median: the tensor is empty (shape {x.shape} {x.dtype}); "
                             "it has no median")
        return Median.apply(x)
    d = _dim("median", x, dim)
    if d is None:
        return _picked("median", x, np.zeros((), np.int64), None)
    n = x.shape[d]
    if n == 0:
        raise ValueError(f"median: dim {dim} of shape {x.shape} is empty; it has no median")
    a = x.data
    order = np.take(_order(a, d, False), [(n - 1) // 2], axis=d)
    if a.dtype.kind in "fc":
        nan = np.isnan(a)
        has_nan = nan.any(axis=d, keepdims=True)
        if has_nan.any():                  # the median of values with a NaN is NaN
            order = np.where(has_nan, nan.argmax(axis=d, keepdims=True), order)
    return _selected("median", x, order, d, keepdim)


def mode(x, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
    index of its last occurrence, as PyTorch's; the gradient goes to that element.

    Example:
        >>> mode(Tensor([[1.0, 2.0, 2.0, 1.0, 2.0]]), 1)
        ValuesIndices(values=Tensor([2.], dtype=float32), indices=Tensor([4], dtype=int64))
    """
    x = tensor_arg(x, "mode")
    d = _dim("mode", x, dim)
    if d is None:
        return _picked("mode", x, np.zeros((), np.int64), None)
    if x.shape[d] == 0:
        raise ValueError(f"mode: dim {dim} of shape {x.shape} is empty; it has no mode")
    rows = np.moveaxis(x.data, d, -1)
    flat = rows.reshape(-1, rows.shape[-1])
    picked = np.empty(len(flat), dtype=np.int64)
    for r, row in enumerate(flat):
        values, counts = np.unique(row, return_counts=True)
        best = values[np.argmax(counts)]            # the first maximum: the smallest value
        same = np.isnan(row) if best != best else row == best
        picked[r] = len(row) - 1 - np.argmax(same[::-1])     # its last occurrence
    order = np.moveaxis(picked.reshape(rows.shape[:-1] + (1,)), -1, d)
    return _selected("mode", x, order, d, keepdim)


def _rank(op, x, k, dim, first):
    """``k`` checked to be in first..n (n: the size of ``dim``) and the dim's index (None for
    a 0-d x); out of range is PyTorch's error type: IndexError for kthvalue (first 1),
    ValueError for topk (first 0)."""
    k = args.index(op, "k", k)
    d = _dim(op, x, dim)
    n = 1 if d is None else x.shape[d]
    if not first <= k <= n:
        raise (IndexError if first else ValueError)(
            f"{op}: k={k} is out of range for dim {dim} of size {n} (shape {x.shape} "
            f"{x.dtype}); k must be in {first}..{n}")
    return k, d


def _selected(op, x, order, d, keepdim):
    """(values, indices) at ``order`` (size 1 along ``d``), that dim dropped unless keepdim."""
    values, indices = _picked(op, x, order, d)
    if not args.flag(op, "keepdim", keepdim):
        values, indices = values.squeeze(d), Tensor(indices.data.squeeze(d))
    return ValuesIndices(values, indices)


class Median(Function):
    """The median of all elements; its gradient is shared by the elements equal to it."""
    array_backward = True

    @staticmethod
    def forward(ctx, x):
        a = x.data.reshape(-1)
        if a.dtype.kind in "fc" and np.isnan(a).any():
            mask, value = np.isnan(x.data), np.nan
        else:
            value = a[_order(a, 0, False)[(a.size - 1) // 2]]
            mask = x.data == value
        ctx.share = (mask / mask.sum()).astype(x.dtype)
        return np.array(value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.share
