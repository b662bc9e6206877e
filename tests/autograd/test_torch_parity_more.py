"""The ops added for PyTorch fluency against PyTorch itself: values, dtypes and gradients.

Each case draws NumPy inputs and returns ``(ours, theirs, arrays[, requires])``:
the same computation written with chainrule and with torch, usually with the
very same spelling (``x.gather(1, i)`` on both). Inputs hit the kinks where
the op has some (zeros for sign/norm/cumprod/prod, values on clamp's bounds,
halves for round, integers for floor/ceil), since both libraries must make
the same choice there. Skips cleanly without torch.
"""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import autograd
from autograd import Tensor
from autograd.testing import broadcastable_shapes, floats_away_from, shapes

torch = pytest.importorskip("torch")

MAX_SIDE = 3
ANY = floats_away_from((), 0.0)
KINKY = st.one_of(st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0]), ANY)
POSITIVE = floats_away_from((), 0.0, low=0.3, high=3.0)
WITH_ZEROS = st.one_of(st.just(0.0), ANY)

CASES = {}


def case(name):
    def register(draw):
        CASES[name] = draw
        return draw
    return register


def _shape(data, min_dims=0, max_dims=3):
    return data.draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=MAX_SIDE))


def _array(data, shape=None, elements=ANY, distinct=False):
    shape = _shape(data) if shape is None else shape
    size = int(np.prod(shape))
    values = data.draw(st.lists(elements, min_size=size, max_size=size, unique=distinct))
    return np.array(values, dtype=np.float64).reshape(shape)


def _dim(data, a):
    return data.draw(st.integers(-a.ndim, a.ndim - 1)) if a.ndim else 0


def _ints(data, shape, high):
    size = int(np.prod(shape))
    return np.array(data.draw(st.lists(st.integers(0, high - 1), min_size=size,
                                       max_size=size)), dtype=np.int64).reshape(shape)


def _same(op):
    """One spelling for both libraries."""
    return op, op


def assert_matches_torch(ours, theirs, arrays, requires=None, rtol=1e-10, atol=1e-12):
    """Same outputs (values, shapes, dtypes; each of a tuple) and the same input gradients."""
    requires = [True] * len(arrays) if requires is None else requires
    xs = [Tensor(a.copy(), requires_grad=r) for a, r in zip(arrays, requires)]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=r) for a, r in zip(arrays, requires)]
    ys, zs = ours(*xs), theirs(*ts)
    ys = list(ys) if isinstance(ys, tuple) else [ys]
    zs = list(zs) if isinstance(zs, tuple) else [zs]
    assert len(ys) == len(zs)
    rng = np.random.default_rng(0)
    loss_ours, loss_theirs = 0, 0
    for y, z in zip(ys, zs):
        assert y.shape == tuple(z.shape)
        assert y.dtype == np.dtype(str(z.dtype).removeprefix("torch."))
        np.testing.assert_allclose(y.data, z.detach().numpy(), rtol=rtol, atol=atol)
        if y.requires_grad:
            v = rng.standard_normal(y.shape)
            loss_ours = loss_ours + (y * Tensor(v)).sum()
            loss_theirs = loss_theirs + (z * torch.from_numpy(v)).sum()
    if not isinstance(loss_ours, Tensor):
        return
    loss_ours.backward()
    loss_theirs.backward()
    for i, (x, t, r) in enumerate(zip(xs, ts, requires)):
        if not r:
            continue
        ours_g = np.zeros(x.shape) if x.grad is None else x.grad.data
        theirs_g = np.zeros(x.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(ours_g, theirs_g, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")


# -- elementwise -----------------------------------------------------------------------


def _unary(name, elements, method=True):
    @case(name)
    def _(data):
        if method and data.draw(st.booleans()):
            op = lambda t: getattr(t, name)()              # noqa: E731
            return op, op, [_array(data, elements=elements)]
        return getattr(autograd, name), getattr(torch, name), [_array(data, elements=elements)]


for _name, _elements in [("sin", ANY), ("cos", ANY), ("tan", floats_away_from((), 0, -1.2, 1.2)),
                         ("asin", floats_away_from((), 0, -0.95, 0.95)),
                         ("acos", floats_away_from((), 0, -0.95, 0.95)), ("atan", ANY),
                         ("sinh", ANY), ("cosh", ANY),
                         ("log1p", floats_away_from((), 0, -0.9, 3.0)), ("expm1", ANY),
                         ("log2", POSITIVE), ("exp2", ANY), ("square", KINKY), ("erf", ANY),
                         ("sign", KINKY), ("round", st.one_of(st.sampled_from(
                             [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]), ANY)),
                         ("floor", st.one_of(st.sampled_from([-2.0, -1.0, 0.0, 1.0]), ANY)),
                         ("ceil", st.one_of(st.sampled_from([-2.0, -1.0, 0.0, 1.0]), ANY))]:
    _unary(_name, _elements)


@case("clamp_numbers")
def _(data):
    lo, hi = sorted(data.draw(st.tuples(KINKY, KINKY)))
    lo, hi = data.draw(st.sampled_from([(lo, hi), (lo, None), (None, hi), (hi, lo)]))
    return _same(lambda t: t.clamp(min=lo, max=hi)) + ([_array(data, elements=KINKY)],)


@case("clamp_tensors")
def _(data):
    sx, slo, shi = data.draw(broadcastable_shapes(3, max_side=MAX_SIDE))
    sx = np.broadcast_shapes(sx, slo, shi)         # torch's clamp keeps x's shape
    arrays = [_array(data, s, KINKY) for s in (sx, slo, shi)]       # ties on the bounds
    requires = data.draw(st.lists(st.booleans(), min_size=3, max_size=3).filter(any))
    which = data.draw(st.sampled_from(["both", "min", "max"]))
    if which == "min":
        return _same(lambda x, lo, hi: x.clamp(min=lo)) + (arrays, requires)
    if which == "max":
        return _same(lambda x, lo, hi: torch.clamp(x, max=hi) if isinstance(x, torch.Tensor)
                     else autograd.clamp(x, max=hi)) + (arrays, requires)
    return (autograd.clamp, torch.clamp, arrays, requires)


# -- indexing along a dim -------------------------------------------------------------------


@case("gather")
def _(data):
    a = _array(data, elements=KINKY)
    d = _dim(data, a)
    if a.ndim == 0:
        index = np.zeros((), np.int64)
    else:
        shape = tuple(data.draw(st.integers(1, 4)) if i == d % a.ndim else
                      data.draw(st.integers(1, n)) for i, n in enumerate(a.shape))
        index = _ints(data, shape, a.shape[d])
    return (lambda t: t.gather(d, Tensor(index)),
            lambda t: t.gather(d, torch.from_numpy(index)), [a])


@case("scatter_add")
def _(data):
    a = _array(data, _shape(data, min_dims=1))
    d = _dim(data, a)
    ishape = tuple(data.draw(st.integers(1, n)) for n in a.shape)
    index = _ints(data, ishape, a.shape[d])
    src = _array(data, ishape)     # torch's backward fails for a src larger than the index
    return (lambda x, s: x.scatter_add(d, Tensor(index), s),
            lambda x, s: x.scatter_add(d, torch.from_numpy(index), s), [a, src],
            data.draw(st.lists(st.booleans(), min_size=2, max_size=2).filter(any)))


@case("scatter")
def _(data):
    a = _array(data, _shape(data, min_dims=1))
    d = _dim(data, a)
    ishape = tuple(data.draw(st.integers(1, n)) for n in a.shape)
    index = np.zeros(ishape, np.int64)
    moved = np.moveaxis(index, d, -1)
    for pos in np.ndindex(moved.shape[:-1]):          # distinct per slot: no write races
        moved[pos] = data.draw(st.permutations(range(a.shape[d])))[:ishape[d]]
    src = _array(data, ishape)
    if data.draw(st.booleans()):
        return (lambda x: autograd.scatter(x, d, Tensor(index), value=2.5),
                lambda x: torch.scatter(x, d, torch.from_numpy(index), value=2.5), [a])
    return (lambda x, s: x.scatter(d, Tensor(index), s),
            lambda x, s: x.scatter(d, torch.from_numpy(index), s), [a, src],
            data.draw(st.lists(st.booleans(), min_size=2, max_size=2).filter(any)))


@case("index_select")
def _(data):
    a = _array(data)
    d = _dim(data, a)
    index = _ints(data, (data.draw(st.integers(1, 4)) if a.ndim else 1,),
                  a.shape[d] if a.ndim else 1)
    return (lambda t: autograd.index_select(t, d, Tensor(index)),
            lambda t: torch.index_select(t, d, torch.from_numpy(index)), [a])


@case("masked_fill")
def _(data):
    a = _array(data)
    mshape = tuple(n if data.draw(st.booleans()) else 1 for n in a.shape)
    mshape = mshape[data.draw(st.integers(0, len(mshape))):]
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=int(np.prod(mshape)),
                                       max_size=int(np.prod(mshape))))).reshape(mshape)
    if data.draw(st.booleans()):
        return (lambda t, v: t.masked_fill(Tensor(mask), v),
                lambda t, v: t.masked_fill(torch.from_numpy(mask), v), [a, _array(data, ())])
    return (lambda t: t.masked_fill(Tensor(mask), -1.5),
            lambda t: t.masked_fill(torch.from_numpy(mask), -1.5), [a])


# -- pieces --------------------------------------------------------------------------------


@case("narrow")
def _(data):
    a = _array(data, _shape(data, min_dims=1))
    d = _dim(data, a)
    n = a.shape[d]
    start = data.draw(st.integers(-n, n - 1))
    length = data.draw(st.integers(0, n - start % n))
    return _same(lambda t: t.narrow(d, start, length)) + ([a],)


@case("split")
def _(data):
    a = _array(data, _shape(data, min_dims=1))
    d = _dim(data, a)
    n = a.shape[d]
    if data.draw(st.booleans()):
        how = data.draw(st.integers(1, n + 1))
    else:
        cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
        how = [b - c for c, b in zip([0] + cuts, cuts + [n])]
    return _same(lambda t: tuple(t.split(how, d))) + ([a],)


@case("chunk_and_unbind")
def _(data):
    a = _array(data, _shape(data, min_dims=1))
    d = _dim(data, a)
    chunks = data.draw(st.integers(1, 4))
    if data.draw(st.booleans()):
        return _same(lambda t: tuple(t.chunk(chunks, d))) + ([a],)
    return _same(lambda t: tuple(t.unbind(d))) + ([a],)


@case("cat")
def _(data):
    shape = _shape(data, min_dims=1)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[d] = data.draw(st.integers(1, MAX_SIDE))
        parts.append(_array(data, tuple(s)))
    return (lambda *ts: autograd.cat(list(ts), d), lambda *ts: torch.cat(ts, d), parts)


# -- rearranging -----------------------------------------------------------------------------


@case("flip")
def _(data):
    a = _array(data)
    dims = data.draw(st.lists(st.integers(0, a.ndim - 1), unique=True)) if a.ndim else []
    return (lambda t: t.flip(*dims), lambda t: t.flip(dims), [a])


@case("roll")
def _(data):
    a = _array(data)
    if a.ndim == 0 or data.draw(st.booleans()):
        shift = data.draw(st.integers(-5, 5))
        return (lambda t: autograd.roll(t, shift), lambda t: torch.roll(t, shift), [a])
    dims = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1,
                              unique_by=lambda v: v % a.ndim))
    shifts = [data.draw(st.integers(-5, 5)) for _ in dims]
    return _same(lambda t: t.roll(shifts, dims)) + ([a],)


@case("tril_triu")
def _(data):
    a = _array(data, _shape(data, min_dims=2))
    k = data.draw(st.integers(-3, 3))
    name = data.draw(st.sampled_from(["tril", "triu"]))
    return _same(lambda t: getattr(t, name)(k)) + ([a],)


@case("diag")
def _(data):
    a = _array(data, _shape(data, min_dims=1, max_dims=2))
    k = data.draw(st.integers(-3, 3))
    return _same(lambda t: t.diag(k)) + ([a],)


@case("repeat_and_tile")
def _(data):
    a = _array(data, _shape(data, max_dims=2))
    if data.draw(st.booleans()):
        reps = [data.draw(st.integers(0, 3))
                for _ in range(max(a.ndim, 1) + data.draw(st.integers(0, 1)))]
        return _same(lambda t: t.repeat(*reps)) + ([a],)
    reps = tuple(data.draw(st.integers(1, 3)) for _ in range(data.draw(st.integers(1, 3))))
    return _same(lambda t: t.tile(reps)) + ([a],)


# -- PyTorch's shape names -----------------------------------------------------------------


@case("views")
def _(data):
    a = _array(data, _shape(data, max_dims=2))
    return _same(lambda t: (t.view(-1).view_as(t).t().clone().contiguous()
                            .expand_as(t.t().unsqueeze(0).expand(2, *t.t().shape)))) + ([a],)


@case("meshgrid")
def _(data):
    xs = [_array(data, (data.draw(st.integers(1, MAX_SIDE)),))
          for _ in range(data.draw(st.integers(1, 3)))]
    indexing = data.draw(st.sampled_from(["ij", "xy"]))
    return (lambda *ts: autograd.meshgrid(*ts, indexing=indexing),
            lambda *ts: torch.meshgrid(*ts, indexing=indexing), xs)


# -- products --------------------------------------------------------------------------------


@case("mm_bmm_dot_outer")
def _(data):
    b, n, k, m = (data.draw(st.integers(1, MAX_SIDE)) for _ in range(4))
    kind = data.draw(st.sampled_from(["mm", "bmm", "dot", "outer"]))
    shapes_ = {"mm": [(n, k), (k, m)], "bmm": [(b, n, k), (b, k, m)], "dot": [(n,), (n,)],
               "outer": [(n,), (m,)]}[kind]
    return (getattr(autograd, kind), getattr(torch, kind), [_array(data, s) for s in shapes_],
            data.draw(st.lists(st.booleans(), min_size=2, max_size=2).filter(any)))


EINSUMS = {
    "ij,jk->ik": lambda a, b, c, d: [(a, b), (b, c)],
    "ij,jk": lambda a, b, c, d: [(a, b), (b, c)],
    "bij,bjk->bik": lambda a, b, c, d: [(d, a, b), (d, b, c)],
    "ii->i": lambda a, b, c, d: [(a, a)],
    "ii": lambda a, b, c, d: [(a, a)],
    "iij->ji": lambda a, b, c, d: [(a, a, b)],
    "ij->": lambda a, b, c, d: [(a, b)],
    "i,j->ij": lambda a, b, c, d: [(a,), (b,)],
    "i,i,i->": lambda a, b, c, d: [(a,), (a,), (a,)],
    "ij,ij->ij": lambda a, b, c, d: [(1, b), (a, b)],
    "...ij,...jk->...ik": lambda a, b, c, d: [(d, 1, a, b), (c, b, a)],
    "b...,b->...": lambda a, b, c, d: [(a, b, c), (a,)],
    "ijk,ikl->jl": lambda a, b, c, d: [(a, b, c), (a, c, d)],
    "ba,ab": lambda a, b, c, d: [(b, a), (a, b)],
}


@case("einsum")
def _(data):
    equation = data.draw(st.sampled_from(sorted(EINSUMS)))
    shapes_ = EINSUMS[equation](*(data.draw(st.integers(1, MAX_SIDE)) for _ in range(4)))
    arrays = [_array(data, s) for s in shapes_]
    return (lambda *ts: autograd.einsum(equation, *ts),
            lambda *ts: torch.einsum(equation, *ts), arrays,
            data.draw(st.lists(st.booleans(), min_size=len(arrays),
                               max_size=len(arrays)).filter(any)))


# -- running totals and reductions -----------------------------------------------------------


@case("cumsum_cumprod")
def _(data):
    a = _array(data, elements=WITH_ZEROS)
    d = _dim(data, a)
    name = data.draw(st.sampled_from(["cumsum", "cumprod"]))
    return _same(lambda t: getattr(t, name)(d)) + ([a],)


@case("prod")
def _(data):
    a = _array(data, elements=WITH_ZEROS)
    if a.ndim == 0 or data.draw(st.booleans()):
        return _same(lambda t: t.prod()) + ([a],)
    d, keep = _dim(data, a), data.draw(st.booleans())
    return _same(lambda t: t.prod(d, keep)) + ([a],)


@case("std")
def _(data):
    a = _array(data, elements=ANY, distinct=True)
    d = None if a.ndim == 0 or data.draw(st.booleans()) else _dim(data, a)
    n = a.size if d is None else a.shape[d]
    correction = data.draw(st.sampled_from([0, 1]))
    assume(n > 1)
    keep = data.draw(st.booleans())
    return (lambda t: t.std(dim=d, correction=correction, keepdim=keep),
            lambda t: t.std(dim=d, correction=correction, keepdim=keep), [a])


@case("norm")
def _(data):
    p = data.draw(st.sampled_from([1, 2, 3, 0.5, 1.5, "fro", float("inf"), float("-inf"), 0]))
    a = _array(data, elements=KINKY)                 # zeros and ties of |x|
    dim = None
    if a.ndim and data.draw(st.booleans()):
        dims = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim,
                                  unique=True))
        dim = dims[0] if len(dims) == 1 else tuple(dims)
    if p == "fro" and dim is not None and not isinstance(dim, int) and len(dim) > 2:
        dim = dim[:2]
    if p in (float("-inf"),) or (p == 0.5) or (p == 1.5):
        assume(not np.any(a == 0))    # torch's subgradient choices differ at 0 for these
    keep = data.draw(st.booleans())
    return _same(lambda t: t.norm(p, dim, keep)) + ([a],)


# -- sorting ---------------------------------------------------------------------------------


@case("sort")
def _(data):
    a = _array(data, distinct=True)
    d = _dim(data, a)
    descending = data.draw(st.booleans())
    return (lambda t: tuple(t.sort(d, descending)), lambda t: tuple(t.sort(d, descending)), [a])


@case("topk")
def _(data):
    a = _array(data, distinct=True)
    d = _dim(data, a)
    k = data.draw(st.integers(0, a.shape[d] if a.ndim else 1))
    largest = data.draw(st.booleans())
    return _same(lambda t: tuple(t.topk(k, d, largest))) + ([a],)


@case("argsort")
def _(data):
    a = _array(data, distinct=True)
    d = _dim(data, a)
    descending = data.draw(st.booleans())
    return (lambda t: t.argsort(d, descending) if t.ndim else t.argsort(),
            lambda t: t.argsort(d, descending), [a], [False])


# -- casts -------------------------------------------------------------------------------------


@case("casts")
def _(data):
    a = _array(data, elements=KINKY)
    name = data.draw(st.sampled_from(["float", "double", "long", "int", "bool", "half"]))
    return (lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), [a])


@pytest.mark.parametrize("name", list(CASES))
@given(data=st.data())
def test_values_and_gradients_match_torch(name, data):
    drawn = CASES[name](data)
    ours, theirs, arrays = drawn[:3]
    rtol = {"casts": 1e-3, "erf": 1e-9}.get(name, 1e-10)
    assert_matches_torch(ours, theirs, arrays, drawn[3] if len(drawn) > 3 else None, rtol=rtol)


def test_every_new_op_is_compared():
    ops = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1",
           "log2", "exp2", "square", "erf", "sign", "round", "floor", "ceil", "clamp_numbers",
           "clamp_tensors", "gather", "scatter_add", "scatter", "index_select", "masked_fill",
           "narrow", "split", "chunk_and_unbind", "cat", "flip", "roll", "tril_triu", "diag",
           "repeat_and_tile", "views", "meshgrid", "mm_bmm_dot_outer", "einsum",
           "cumsum_cumprod", "prod", "std", "norm", "sort", "topk", "argsort", "casts"]
    assert sorted(set(ops) - set(CASES)) == []


def test_logical_operators_match_torch():
    a = np.array([[True, False], [True, True]])
    b = np.array([True, False])
    for op in (lambda x, y: x & y, lambda x, y: x | y, lambda x, y: x ^ y,
               lambda x, y: ~x, lambda x, y: x.logical_not(),
               lambda x, y: x.logical_and(y), lambda x, y: x.logical_or(y)):
        ours = op(Tensor(a), Tensor(b))
        theirs = op(torch.from_numpy(a), torch.from_numpy(b))
        assert ours.dtype == np.bool_ and ours.tolist() == theirs.tolist()
    ints = np.array([6, 3])
    assert (Tensor(ints) & Tensor(np.array([3, 1]))).tolist() == (
        torch.from_numpy(ints) & torch.tensor([3, 1])).tolist()
