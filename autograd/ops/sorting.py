"""Sorting: sort and topk return PyTorch's named pair (values, indices); argsort the indices.

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

from .._tensor import Tensor, tensor_arg
from . import args
from .index import Gather, _coords
from .reduce import ValuesIndices

__all__ = ["sort", "argsort", "topk"]


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
    k = args.index("topk", "k", k)
    d = _dim("topk", x, dim)
    n = 1 if d is None else x.shape[d]
    if not 0 <= k <= n:
        raise ValueError(f"topk: k={k} is out of range for dim {dim} of size {n} (shape "
                         f"{x.shape}); k must be in 0..{n}")
    if d is None:
        return _picked("topk", x, np.zeros((), np.int64), None)
    order = _order(x.data, d, args.flag("topk", "largest", largest))
    order = order[(slice(None),) * d + (slice(0, k),)]
    return _picked("topk", x, order, d)
