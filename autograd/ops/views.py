"""PyTorch's names for shape changes and copies: view, view_as, t, expand_as, clone,
contiguous, meshgrid.

``view`` is ``reshape`` (NumPy gives a view when the memory allows one, a
copy otherwise, so there is no "not contiguous" error); ``clone`` is a copy
that passes the gradient unchanged.

Example:
    >>> x = Tensor(np.arange(6.0))
    >>> t(view(x, 2, 3))
    Tensor([[0., 3.],
            [1., 4.],
            [2., 5.]], dtype=float64)
"""
import numpy as np

from ..function import Function
from .._tensor import Tensor, tensor_arg
from .shape import reshape, expand, transpose

__all__ = ["view", "view_as", "t", "expand_as", "clone", "contiguous", "meshgrid"]


class Clone(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x):
        return x.data.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def view(x, *shape):
    """The same elements in a new shape (one -1 is inferred), as ``reshape``.

    Example:
        >>> view(Tensor(np.arange(6.0)), -1, 2)
        Tensor([[0., 1.],
                [2., 3.],
                [4., 5.]], dtype=float64)
    """
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer)):
        raise TypeError(f"view: takes sizes; viewing as another dtype ({shape[0]!r}) is not "
                        "supported, use .to(dtype) to convert")
    return reshape(x, *shape)


def view_as(x, other):
    """``x`` in ``other``'s shape.

    Example:
        >>> view_as(Tensor(np.zeros(4)), Tensor(np.zeros((2, 2)))).shape
        (2, 2)
    """
    return reshape(x, _tensor("view_as", other).shape)


def t(x):
    """The transpose of a matrix; 0-d and 1-d tensors are returned as they are.

    Example:
        >>> t(Tensor([[1.0, 2.0, 3.0]]))
        Tensor([[1.],
                [2.],
                [3.]], dtype=float32)
    """
    x = tensor_arg(x, "t")
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor with <= 2 dims, got shape {x.shape} {x.dtype}; "
                         "use transpose(dim0, dim1) or permute")
    return transpose(x, 0, 1) if x.ndim == 2 else transpose(x)


def expand_as(x, other):
    """``x`` broadcast to ``other``'s shape (size-1 dims grow, without copying).

    Example:
        >>> expand_as(Tensor([[1.0], [2.0]]), Tensor(np.zeros((2, 3))))
        Tensor([[1., 1., 1.],
                [2., 2., 2.]], dtype=float32)
    """
    return expand(x, _tensor("expand_as", other).shape)


def clone(x, *, memory_format=None):
    """A copy of ``x`` with its own memory; the gradient passes through unchanged.

    Example:
        >>> x = Tensor([1.0]); y = clone(x); _ = y.add_(1); x
        Tensor([1.], dtype=float32)
    """
    return Clone.apply(tensor_arg(x, "clone"))


def contiguous(x, memory_format=None):
    """``x`` itself if its memory is laid out in row-major order, else a row-major copy.

    Example:
        >>> x = Tensor(np.zeros((2, 3))); contiguous(x) is x, contiguous(x.T) is x.T
        (True, False)
    """
    x = tensor_arg(x, "contiguous")
    return x if x.data.flags.c_contiguous else Clone.apply(x)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-d tensors: ``indexing='ij'`` (PyTorch's default) or 'xy'.

    With 'ij' the i-th result varies along dim i; 'xy' swaps the first two
    dims (NumPy's default). Each result is an expanded view; gradients sum
    over the grid.

    Example:
        >>> gx, gy = meshgrid(Tensor([1.0, 2.0]), Tensor([3.0, 4.0, 5.0]))
        >>> gx.shape, gy[0]
        ((2, 3), Tensor([3., 4., 5.], dtype=float32))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not isinstance(indexing, str) or indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    tensors = [tensor_arg(v, "meshgrid") for v in tensors]
    for i, v in enumerate(tensors):
        if v.ndim > 1:
            raise ValueError(f"meshgrid: expects 0-d or 1-d tensors, got shape {v.shape} for "
                             f"tensor {i}")
    sizes = [v.data.size for v in tensors]
    if indexing == "xy" and len(tensors) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, v in enumerate(tensors):
        pos = i
        if indexing == "xy" and len(tensors) >= 2 and i < 2:
            pos = 1 - i
        shape = [1] * len(tensors)
        shape[pos] = sizes[pos]
        out.append(expand(reshape(v, tuple(shape)), tuple(sizes)))
    return tuple(out)


def _tensor(op, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"{op}: expected a Tensor to take the shape of, got "
                        f"{type(other).__name__}")
    return other

