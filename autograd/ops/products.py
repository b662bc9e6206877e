"""Products with PyTorch's shape rules: mm (2-d), bmm (3-d), dot (1-d), outer, einsum.

``mm``, ``bmm`` and ``dot`` are ``matmul`` restricted to the shapes PyTorch
allows them (so a wrong shape is an error, not a silent broadcast).
``einsum`` takes PyTorch's equations (explicit or implicit output,
``...``, repeated subscripts for diagonals, size-1 broadcasting); the
gradient of each operand is itself an einsum of the others, so gradients of
gradients work too.

Example:
    >>> a = Tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> einsum("ij,jk->ik", a, Tensor([[1.0], [1.0]])), einsum("ii->", a)     # a product, a trace
    (Tensor([[3.],
            [7.]], dtype=float32), Tensor(5., dtype=float32))
"""
import string

import numpy as np

from ..function import Function
from ..function import data_of as _d
from .._tensor import Tensor, tensor_arg
from .linalg import matmul
from .shape import reshape

__all__ = ["mm", "bmm", "dot", "outer", "einsum"]


def _need(op, x, ndim, what):
    x = tensor_arg(x, op)
    if x.ndim != ndim:
        raise ValueError(f"{op}: expected {what} ({ndim}-d), got shape {x.shape} {x.dtype}")
    return x


def mm(a, b):
    """The matrix product of two 2-d tensors.

    Example:
        >>> mm(Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]]))
        Tensor([[11.]], dtype=float32)
    """
    return matmul(_need("mm", a, 2, "a matrix"), _need("mm", b, 2, "a matrix"))


def bmm(a, b):
    """Batched matrix products of two 3-d tensors (b, n, m) @ (b, m, p) -> (b, n, p).

    Example:
        >>> bmm(Tensor(np.arange(8.0).reshape(2, 2, 2)), Tensor(np.ones((2, 2, 1))))  # row sums
        Tensor([[[ 1.],
                 [ 5.]],
        <BLANKLINE>
                [[ 9.],
                 [13.]]], dtype=float64)
    """
    a = _need("bmm", a, 3, "a batch of matrices")
    b = _need("bmm", b, 3, "a batch of matrices")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: batch sizes differ: {a.shape} and {b.shape}; they must be "
                         "equal (use matmul to broadcast)")
    return matmul(a, b)


def dot(a, b):
    """The dot product of two 1-d tensors of the same length (a 0-d tensor).

    Example:
        >>> dot(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
        Tensor(11., dtype=float32)
    """
    a, b = _need("dot", a, 1, "a vector"), _need("dot", b, 1, "a vector")
    if a.shape != b.shape:
        raise ValueError(f"dot: lengths differ: {a.shape} and {b.shape}")
    return matmul(a, b)


def outer(a, b):
    """The outer product ``a[i] * b[j]`` of two 1-d tensors.

    Example:
        >>> outer(Tensor([1.0, 2.0]), Tensor([1.0, 10.0]))
        Tensor([[ 1., 10.],
                [ 2., 20.]], dtype=float32)
    """
    a, b = _need("outer", a, 1, "a vector"), _need("outer", b, 1, "a vector")
    return reshape(a, -1, 1) * reshape(b, 1, -1)


class Einsum(Function):
    """A sum of products over subscripts; ``spec`` is (input subscripts, output subscripts)
    with every ``...`` spelled out as letters."""
    array_backward = True

    @staticmethod
    def forward(ctx, spec, *operands):
        ctx.save_for_backward(*operands)
        ctx.spec = spec
        ins, out = spec
        arrays = [_d(o) for o in operands]
        return np.einsum(",".join(ins) + "->" + out, *arrays, optimize=len(arrays) > 2)

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        ins, out = ctx.spec
        grads = [None]
        for i, need in enumerate(ctx.needs_input_grad[1:]):
            grads.append(_operand_grad(i, ins, out, operands, g) if need else None)
        return tuple(grads)


def _operand_grad(i, ins, out, operands, g):
    """d(einsum)/d(operand i): the einsum of g with the other operands, onto i's subscripts.

    Subscripts only operand i has (summed only there) come back by broadcasting;
    a subscript repeated in operand i (a diagonal) comes back on that diagonal,
    by a product with identity matrices.
    """
    subs = ins[i]
    others = [j for j in range(len(ins)) if j != i]
    seen = set(out).union(*(ins[j] for j in others))
    unique = "".join(dict.fromkeys(subs))
    kept = "".join(c for c in unique if c in seen)
    gi = Einsum.apply(([out] + [ins[j] for j in others], kept), g,
                      *[operands[j] for j in others])
    sizes = _sizes(ins, [_d(o).shape for o in operands])
    if kept != unique:                  # subscripts summed only in operand i: broadcast back
        gi = gi.reshape(tuple(sizes[c] if c in seen else 1 for c in unique)).expand(
            tuple(sizes[c] for c in unique))
    if unique != subs:                  # a repeated subscript: put gi on that diagonal
        free = iter(c for c in string.ascii_letters if c not in "".join(ins) + out)
        target, eyes, eye_subs = "", [], []
        for c in subs:
            if c in target:
                fresh = next(free)
                eyes.append(Tensor(np.eye(sizes[c], dtype=_d(g).dtype)))
                eye_subs.append(c + fresh)
                target += fresh
            else:
                target += c
        gi = Einsum.apply(([unique] + eye_subs, target), gi, *eyes)
    return gi


def _sizes(ins, shapes):
    sizes = {}
    for subs, shape in zip(ins, shapes):
        for c, n in zip(subs, shape):
            sizes[c] = max(sizes.get(c, 1), n)
    return sizes


def _parse(equation, shapes):
    """PyTorch's equation as explicit (input subscripts, output subscripts), ``...`` spelled out."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: the equation {equation!r} has {len(ins)} operands but "
                         f"{len(shapes)} tensors were given")
    letters = set(c for c in eq if c.isalpha())
    bad = set(eq) - letters - set(",.->")
    if bad:
        raise ValueError(f"einsum: invalid subscripts {sorted(bad)} in {equation!r}; use "
                         "letters a-z, A-Z and '...'")
    free = [c for c in string.ascii_letters if c not in letters]
    ellipsis_dims = 0
    for subs, shape in zip(ins, shapes):
        if subs.count("...") > 1:
            raise ValueError(f"einsum: more than one '...' in {subs!r}")
        named = len(subs.replace("...", ""))
        if ("..." in subs and named > len(shape)) or ("..." not in subs and
                                                        named != len(shape)):
            raise ValueError(f"einsum: subscripts {subs!r} do not fit an operand of shape "
                             f"{shape} ({named} subscripts for {len(shape)} dims)")
        if "..." in subs:
            ellipsis_dims = max(ellipsis_dims, len(shape) - named)
    batch = "".join(free[:ellipsis_dims])
    explicit = []
    for subs, shape in zip(ins, shapes):
        if "..." in subs:
            k = len(shape) - len(subs.replace("...", ""))
            subs = subs.replace("...", batch[ellipsis_dims - k:] if k else "")
        explicit.append(subs)
    if arrow:
        rhs = rhs.replace("...", batch)   # '...' left out of the output: those dims are summed
        unknown = set(rhs) - set("".join(explicit))
        if unknown or len(set(rhs)) != len(rhs):
            raise ValueError(f"einsum: output subscripts {rhs!r} must be distinct and appear "
                             f"in the inputs ({equation!r})")
    else:
        counts = {}
        for c in "".join(explicit):
            counts[c] = counts.get(c, 0) + 1
        rhs = batch + "".join(sorted(c for c in counts if counts[c] == 1 and c not in batch))
    sizes = {}
    for subs, shape in zip(explicit, shapes):
        for c, n in zip(subs, shape):
            if sizes.get(c, 1) != 1 and n != 1 and sizes[c] != n:
                raise ValueError(f"einsum: subscript {c!r} has sizes {sizes[c]} and {n} in "
                                 f"{equation!r} with shapes {shapes}; they must be equal or 1")
            sizes[c] = max(sizes.get(c, 1), n)
    return explicit, rhs


def einsum(equation, *operands):
    """Sum of products over the subscripts of ``equation`` (``torch.einsum``).

    Operands are given as arguments or as one list. Without ``->`` the output
    has the subscripts seen once, in alphabetical order.

    Example:
        >>> a = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> einsum("ii", a), einsum("ij->j", a), einsum("i,i->", a[0], a[1])
        (Tensor(5., dtype=float32), Tensor([4., 6.], dtype=float32), Tensor(11., dtype=float32))
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the first argument is the equation (a str), got "
                        f"{type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = [tensor_arg(o, "einsum") for o in operands]
    spec = _parse(equation, [o.shape for o in operands])
    return Einsum.apply(spec, *operands)
