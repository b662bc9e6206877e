"""Cutting a tensor into pieces along a dim, and joining pieces: narrow, split, chunk,
unbind, cat.

``split``, ``chunk`` and ``unbind`` are one op with several outputs (one
node in the graph); backward joins the pieces' gradients (zeros for pieces
that got none). ``cat`` is ``concatenate`` under PyTorch's name.

Example:
    >>> a, b = split(Tensor([1.0, 2.0, 3.0]), [1, 2])
    >>> a, b
    (Tensor([1.], dtype=float32), Tensor([2., 3.], dtype=float32))
"""
import numpy as np

from ..function import Function
from ..function import data_of as _d
from .._tensor import Tensor, tensor_arg
from . import args
from .shape import GetItem, Concatenate, Stack, concatenate

__all__ = ["narrow", "split", "chunk", "unbind", "cat", "concat"]


class Narrow(GetItem):
    """A slice of ``length`` elements from ``start`` along one dim (a view, as PyTorch's)."""


class Split(Function):
    """Pieces of the given sizes along a dim; backward concatenates their gradients."""
    array_backward = True
    makes_view = True

    @staticmethod
    def forward(ctx, x, dim, sizes):
        ctx.dim = dim
        bounds = np.cumsum(sizes)[:-1]
        return tuple(np.split(_d(x), bounds, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return Concatenate.apply(ctx.dim, *grads), None, None


class Unbind(Function):
    """Every slice along a dim, with that dim removed; backward stacks their gradients."""
    array_backward = True
    makes_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        a = _d(x)
        lead = (slice(None),) * dim
        return tuple(a[lead + (i,)] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(ctx.dim, *grads), None


def _dim_of(op, x, dim):
    if x.ndim == 0:
        raise ValueError(f"{op}: needs at least one dim, got a 0-d tensor ({x.dtype})")
    return args.dim(op, x, dim)


def narrow(x, dim, start, length):
    """``length`` elements of ``x`` along ``dim`` from ``start`` (negative counts from the end).

    Example:
        >>> narrow(Tensor([[1.0, 2.0, 3.0]]), 1, 1, 2)
        Tensor([[2., 3.]], dtype=float32)
    """
    x = tensor_arg(x, "narrow")
    d = _dim_of("narrow", x, dim)
    n = x.shape[d]
    start = args.index("narrow", "start", start.data if isinstance(start, Tensor) else start)
    length = args.index("narrow", "length", length)
    if not -n <= start <= n:
        raise IndexError(f"narrow: start {start} is out of range for dim {dim} of size {n} "
                         f"(shape {x.shape})")
    start %= n if n else 1
    if length < 0 or start + length > n:
        raise ValueError(f"narrow: start {start} + length {length} exceeds dim {dim} of size "
                         f"{n} (shape {x.shape}); length must be in 0..{n - start}")
    return Narrow.apply(x, (slice(None),) * d + (slice(start, start + length),))


def split(x, split_size_or_sections, dim=0):
    """Pieces of ``x`` along ``dim``: of equal size (an int; the last may be smaller) or of
    the listed sizes (which must add up to the dim's size). Returns a tuple.

    Example:
        >>> [p.shape for p in split(Tensor(np.zeros((5, 2))), 2)]
        [(2, 2), (2, 2), (1, 2)]
    """
    x = tensor_arg(x, "split")
    d = _dim_of("split", x, dim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [args.index("split", "each section size", s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise ValueError(f"split: section sizes {sizes} must be >= 0 and add up to the "
                             f"size {n} of dim {dim} (shape {x.shape})")
    else:
        size = args.index("split", "split_size", split_size_or_sections)
        if size <= 0 and not (size == 0 and n == 0):
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    if not sizes:
        raise ValueError(f"split: no sections given for dim {dim} of size {n}")
    return Split.apply(x, d, tuple(sizes))


def chunk(x, chunks, dim=0):
    """At most ``chunks`` pieces of ``x`` along ``dim``, each ceil(size / chunks) long
    (PyTorch's rule: fewer pieces when the sizes work out so). Returns a tuple.

    Example:
        >>> [p.shape[0] for p in chunk(Tensor(np.zeros(6)), 4)]
        [2, 2, 2]
    """
    x = tensor_arg(x, "chunk")
    chunks = args.index("chunk", "chunks", chunks)
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    d = _dim_of("chunk", x, dim)
    n = x.shape[d]
    return split(x, max(-(-n // chunks), 1) if n else 0, d)


def unbind(x, dim=0):
    """Every slice of ``x`` along ``dim``, that dim removed, as a tuple.

    Example:
        >>> unbind(Tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
        (Tensor([1., 3.], dtype=float32), Tensor([2., 4.], dtype=float32))
    """
    x = tensor_arg(x, "unbind")
    d = _dim_of("unbind", x, dim)
    if x.shape[d] == 0:
        return ()
    return Unbind.apply(x, d)


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing dim (``torch.cat``; ``concatenate`` with ``dim=``).

    Example:
        >>> cat([Tensor([[1.0]]), Tensor([[2.0]])], dim=1)
        Tensor([[1., 2.]], dtype=float32)
    """
    return concatenate(tensors, dim=dim if axis is None else axis)


concat = cat
