"""Rearranging and copying elements: flip, roll, tril, triu, diag, repeat, tile.

Each backward moves the gradient back the same way: flip and roll undo
themselves, tril/triu keep the same triangle, diag turns a vector into a
matrix and back, and repeat sums the copies.

Example:
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (roll(x, 1) * Tensor([1.0, 10.0, 100.0])).sum().backward(); x.grad
    Tensor([ 10., 100.,   1.], dtype=float32)
"""
import numpy as np

from ..function import Function
from ..function import data_of as _d
from .._tensor import Tensor, tensor_arg  # noqa: F401  (Tensor: the docstring examples)
from . import args

__all__ = ["flip", "roll", "tril", "triu", "diag", "repeat", "tile"]


class Flip(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(_d(x), dims).copy() if dims else np.array(_d(x))

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dims), None


class Roll(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        a = _d(x)
        if dims is None:                       # roll the flattened tensor, keep the shape
            return np.roll(a.reshape(-1), shifts).reshape(a.shape)
        return np.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        back = -ctx.shifts if ctx.dims is None else tuple(-s for s in ctx.shifts)
        return Roll.apply(g, back, ctx.dims), None, None


class _Triangle(Function):
    """Keep one triangle of the last two dims, zero the rest; the gradient keeps it too."""
    array_backward = True
    numpy = None

    @classmethod
    def forward(cls, ctx, x, diagonal):
        ctx.diagonal = diagonal
        return cls.numpy(_d(x), diagonal)

    @classmethod
    def backward(cls, ctx, g):
        return cls.apply(g, ctx.diagonal), None


class Tril(_Triangle):
    numpy = staticmethod(np.tril)


class Triu(_Triangle):
    numpy = staticmethod(np.triu)


class Diag(Function):
    """A vector on a matrix's k-th diagonal, or a matrix's k-th diagonal as a vector."""
    array_backward = True

    @staticmethod
    def forward(ctx, x, diagonal):
        a = _d(x)
        ctx.shape, ctx.diagonal = a.shape, diagonal
        if a.ndim == 1:
            return np.diag(a, diagonal)
        return np.diagonal(a, diagonal).copy()

    @staticmethod
    def backward(ctx, g):
        if len(ctx.shape) == 1:
            return Diag.apply(g, ctx.diagonal), None
        return DiagEmbed.apply(g, ctx.shape, ctx.diagonal), None


class DiagEmbed(Function):
    """A vector placed on the k-th diagonal of zeros of a given 2-d shape (diag's adjoint)."""
    array_backward = True

    @staticmethod
    def forward(ctx, v, shape, diagonal):
        ctx.diagonal = diagonal
        v = _d(v)
        out = np.zeros(shape, dtype=v.dtype)
        rows = np.arange(v.shape[0]) + max(-diagonal, 0)
        out[rows, rows + diagonal] = v
        return out

    @staticmethod
    def backward(ctx, g):
        return Diag.apply(g, ctx.diagonal), None, None


class Repeat(Function):
    """x tiled ``reps`` times per dim (leading dims added); backward sums the copies."""
    array_backward = True

    @staticmethod
    def forward(ctx, x, reps):
        a = _d(x)
        shape = (1,) * (len(reps) - a.ndim) + a.shape
        ctx.shape, ctx.reps, ctx.x_shape = shape, reps, a.shape
        return np.tile(a.reshape(shape), reps)

    @staticmethod
    def backward(ctx, g):
        split = tuple(n for pair in zip(ctx.reps, ctx.shape) for n in pair)
        summed = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.x_shape), None


def _dims(op, x, dims):
    given = args.sizes(op, dims)
    out = tuple(args.dim(op, x, d) for d in given)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dims {given} repeat a dim of shape {x.shape}")
    return out if x.ndim else ()


def flip(x, *dims, **keyword):
    """``x`` with the order of elements reversed along ``dims`` (varargs, a tuple or a list,
    or PyTorch's keyword ``dims=``).

    Example:
        >>> flip(Tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
        Tensor([[2., 1.],
                [4., 3.]], dtype=float32)
        >>> flip(Tensor([[1.0, 2.0], [3.0, 4.0]]), dims=[0, 1])
        Tensor([[4., 3.],
                [2., 1.]], dtype=float32)
    """
    if keyword:
        if set(keyword) != {"dims"} or dims:
            raise TypeError(f"flip: takes the dims positionally or as dims=, got "
                            f"{len(dims)} positional and keywords {sorted(keyword)}")
        dims = (keyword["dims"],)
    x = tensor_arg(x, "flip")
    return Flip.apply(x, _dims("flip", x, dims))


def roll(x, shifts, dims=None):
    """``x`` shifted circularly by ``shifts`` along ``dims`` (the flattened tensor if None).

    Example:
        >>> roll(Tensor([[1.0, 2.0], [3.0, 4.0]]), 1, 0)
        Tensor([[3., 4.],
                [1., 2.]], dtype=float32)
    """
    x = tensor_arg(x, "roll")
    if dims is None:
        if isinstance(shifts, (tuple, list)):
            if len(shifts) != 1:
                raise ValueError(f"roll: without dims, give one shift, got {shifts}")
            shifts = shifts[0]
        return Roll.apply(x, args.index("roll", "shift", shifts), None)
    shifts = args.sizes("roll", (shifts,))
    dims = tuple(args.dim("roll", x, d) for d in args.sizes("roll", (dims,)))
    if len(shifts) != len(dims):
        raise ValueError(f"roll: {len(shifts)} shifts for {len(dims)} dims; give one each")
    if x.ndim == 0:
        return Roll.apply(x, 0, None)
    return Roll.apply(x, shifts, dims)


def _matrix(op, x):
    x = tensor_arg(x, op)
    if x.ndim < 2:
        raise ValueError(f"{op}: needs at least 2 dims (the last two are the matrix), got "
                         f"shape {x.shape} {x.dtype}")
    return x


def tril(x, diagonal=0):
    """The lower triangle of the last two dims (on and below diagonal ``diagonal``), zeros above.

    Example:
        >>> tril(Tensor([[1.0, 1.0], [1.0, 1.0]]))
        Tensor([[1., 0.],
                [1., 1.]], dtype=float32)
    """
    return Tril.apply(_matrix("tril", x), args.index("tril", "diagonal", diagonal))


def triu(x, diagonal=0):
    """The upper triangle of the last two dims (on and above diagonal ``diagonal``), zeros below.

    Example:
        >>> triu(Tensor([[1.0, 1.0], [1.0, 1.0]]), 1)
        Tensor([[0., 1.],
                [0., 0.]], dtype=float32)
    """
    return Triu.apply(_matrix("triu", x), args.index("triu", "diagonal", diagonal))


def diag(x, diagonal=0):
    """A 1-d tensor as a matrix with it on diagonal ``diagonal``; a 2-d tensor's diagonal.

    Example:
        >>> diag(Tensor([1.0, 2.0]))
        Tensor([[1., 0.],
                [0., 2.]], dtype=float32)
        >>> diag(Tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
        Tensor([2.], dtype=float32)
    """
    x = tensor_arg(x, "diag")
    if x.ndim not in (1, 2):
        raise ValueError(f"diag: expected a 1-d or 2-d tensor, got shape {x.shape} {x.dtype}")
    return Diag.apply(x, args.index("diag", "diagonal", diagonal))


def repeat(x, *sizes):
    """``x`` repeated ``sizes[i]`` times along each dim (PyTorch's repeat, NumPy's tile).

    ``sizes`` may have more entries than x has dims (new leading dims), not fewer.

    Example:
        >>> repeat(Tensor([1.0, 2.0]), 2, 2)
        Tensor([[1., 2., 1., 2.],
                [1., 2., 1., 2.]], dtype=float32)
    """
    x = tensor_arg(x, "repeat")
    reps = args.sizes("repeat", sizes)
    if len(reps) < x.ndim:
        raise ValueError(f"repeat: {len(reps)} repeat counts for a tensor with {x.ndim} dims "
                         f"(shape {x.shape}); give at least one per dim (tile pads with 1s)")
    if any(r < 0 for r in reps):
        raise ValueError(f"repeat: repeat counts must be >= 0, got {reps}")
    return Repeat.apply(x, reps)


def tile(x, *dims):
    """``x`` repeated along each dim; fewer counts than dims are padded with leading 1s.

    Example:
        >>> tile(Tensor([[1.0, 2.0]]), 2)
        Tensor([[1., 2., 1., 2.]], dtype=float32)
    """
    x = tensor_arg(x, "tile")
    reps = args.sizes("tile", dims)
    return repeat(x, (1,) * (x.ndim - len(reps)) + reps)
