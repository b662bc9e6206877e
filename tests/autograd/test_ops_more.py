"""The ops added for PyTorch fluency: gradients vs central differences, first and second order.

One table of cases, as in test_ops_grad.py: each draws its inputs with
``autograd.testing`` strategies (0-d included where the op takes it,
broadcasting shapes where it broadcasts, index tensors with repeats where
they may repeat), keeps elements away from kinks and discontinuities, and
returns ``(fn, inputs)``. Every case runs ``gradcheck`` and
``gradgradcheck`` in float64. cumprod and prod are drawn with exact zeros:
their gradients must be exact there too. The in-place ops and PyTorch's
kink choices are checked with hard numbers at the end.
"""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import autograd
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import broadcastable_shapes, floats_away_from, shapes, tensors

MAX_SIDE = 3
ANY = floats_away_from((), 0.0)
NONZERO = floats_away_from((0.0,), 0.3)
POSITIVE = floats_away_from((), 0.0, low=0.3, high=3.0)
# exact zeros, else clearly non-zero: cumprod's gradient divides by x where x != 0, so its
# own derivative near (not at) 0 carries rounding error of order 1e-16 / |x|, as PyTorch's
WITH_ZEROS = st.one_of(st.just(0.0), floats_away_from((0.0,), 0.1, low=-2.0, high=2.0))
HALVES = [k + 0.5 for k in range(-4, 4)]
INTEGERS = list(range(-4, 5))

CASES = {}     # name -> (draw(data) -> (fn, inputs), gradcheck eps)


def case(name, eps=1e-6):
    def register(draw):
        CASES[name] = (draw, eps)
        return draw
    return register


def _shape(data, min_dims=0, max_dims=3):
    return data.draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=MAX_SIDE))


def _tensor(data, shape=None, elements=ANY, requires_grad=True, distinct=None):
    shape = _shape(data) if shape is None else shape
    return data.draw(tensors(shape=shape, elements=elements, requires_grad=requires_grad,
                             distinct=distinct))


def _spelling(data, name):
    """``x.name(...)`` or ``autograd.name(x, ...)``: both must work alike."""
    if data.draw(st.booleans()):
        return getattr(autograd, name)
    return lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


def _dim(data, x):
    return data.draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim else data.draw(
        st.sampled_from([0, -1]))


def _indices(data, shape, high):
    size = int(np.prod(shape))
    return np.array(data.draw(st.lists(st.integers(0, high - 1), min_size=size,
                                       max_size=size)), dtype=np.int64).reshape(shape)


# -- elementwise -------------------------------------------------------------------------


def _unary(name, elements):
    @case(name)
    def _(data):
        f = _spelling(data, name)
        return (lambda x: f(x)), [_tensor(data, elements=elements)]


_unary("sin", ANY)
_unary("cos", ANY)
_unary("tan", floats_away_from((), 0.0, low=-1.2, high=1.2))
_unary("asin", floats_away_from((), 0.0, low=-0.9, high=0.9))
_unary("acos", floats_away_from((), 0.0, low=-0.9, high=0.9))
_unary("atan", ANY)
_unary("sinh", ANY)
_unary("cosh", ANY)
_unary("log1p", floats_away_from((), 0.0, low=-0.7, high=3.0))
_unary("expm1", ANY)
_unary("log2", POSITIVE)
_unary("exp2", ANY)
_unary("square", ANY)
_unary("erf", ANY)
_unary("sign", floats_away_from((0.0,), 0.05))               # zero gradient (PyTorch's)
_unary("round", floats_away_from(HALVES, 0.05, low=-3.4, high=3.4))
_unary("floor", floats_away_from(INTEGERS, 0.05))
_unary("ceil", floats_away_from(INTEGERS, 0.05))


@case("round_decimals")
def _(data):
    x = _tensor(data, elements=floats_away_from([k / 10 + 0.05 for k in range(-30, 30)], 0.01))
    return (lambda t: t.round(decimals=1) * t), [x]


@case("clamp_number_bounds")
def _(data):
    lo = data.draw(st.floats(-2.0, 0.5))
    hi = lo + data.draw(st.floats(0.3, 2.5))
    lo, hi = data.draw(st.sampled_from([(lo, hi), (lo, None), (None, hi), (hi, lo)]))
    f = _spelling(data, "clamp")
    x = _tensor(data, elements=floats_away_from([p for p in (lo, hi) if p is not None], 0.05))
    return (lambda t: f(t, min=lo, max=hi)), [x]


@case("clamp_tensor_bounds")
def _(data):
    sx, slo, shi = data.draw(broadcastable_shapes(3, max_side=MAX_SIDE))
    x, lo, hi = _tensor(data, sx), _tensor(data, slo), _tensor(data, shi)
    out = np.broadcast_shapes(sx, slo, shi)
    bx, blo, bhi = (np.broadcast_to(t.data, out) for t in (x, lo, hi))
    assume(min(np.abs(bx - blo).min(), np.abs(bx - bhi).min(), np.abs(blo - bhi).min()) > 0.05)
    return (lambda a, b, c: autograd.clamp(a, b, c)), [x, lo, hi]


@case("clamp_tensor_min_only")
def _(data):
    sx, slo = data.draw(broadcastable_shapes(2, max_side=MAX_SIDE))
    x, lo = _tensor(data, sx), _tensor(data, slo)
    out = np.broadcast_shapes(sx, slo)
    assume(np.abs(np.broadcast_to(x.data, out) - np.broadcast_to(lo.data, out)).min() > 0.05)
    return (lambda a, b: a.clamp(min=b)), [x, lo]


# -- indexing along a dim ---------------------------------------------------------------


@case("gather")
def _(data):
    x = _tensor(data)
    d = _dim(data, x)
    if x.ndim == 0:
        index = np.zeros((), np.int64)
    else:
        shape = tuple(data.draw(st.integers(1, 4)) if i == d % x.ndim else
                      data.draw(st.integers(1, n)) for i, n in enumerate(x.shape))
        index = _indices(data, shape, x.shape[d])
    f = _spelling(data, "gather")
    return (lambda t: f(t, d, Tensor(index))), [x]


def _unique_index(data, x_shape, d, index_shape):
    """Per position of the other dims, distinct indices along d (no write races)."""
    index = np.zeros(index_shape, np.int64)
    moved = np.moveaxis(index, d, -1)
    for pos in np.ndindex(moved.shape[:-1]):
        perm = data.draw(st.permutations(range(x_shape[d])))
        moved[pos] = perm[:index_shape[d]]
    return index


@case("scatter")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    d = _dim(data, x)
    ishape = tuple(data.draw(st.integers(1, n)) for n in x.shape)
    index = _unique_index(data, x.shape, d, ishape)
    src = _tensor(data, tuple(n + data.draw(st.integers(0, 1)) for n in ishape))
    need = data.draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    x.requires_grad, src.requires_grad = need
    return (lambda a, b: a.scatter(d, Tensor(index), b)), [x, src]


@case("scatter_add")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    d = _dim(data, x)
    ishape = tuple(data.draw(st.integers(1, 4)) if i == d % x.ndim else
                   data.draw(st.integers(1, n)) for i, n in enumerate(x.shape))
    index = _indices(data, ishape, x.shape[d])          # repeats add up
    src = _tensor(data, ishape)
    f = _spelling(data, "scatter_add")
    return (lambda a, b: f(a, d, Tensor(index), b)), [x, src]


@case("index_select")
def _(data):
    x = _tensor(data)
    d = _dim(data, x)
    n = x.shape[d] if x.ndim else 1
    index = _indices(data, (data.draw(st.integers(1, 4)) if x.ndim else 1,), n)
    f = _spelling(data, "index_select")
    return (lambda t: f(t, d, Tensor(index))), [x]


@case("masked_fill")
def _(data):
    x = _tensor(data)
    mshape = tuple(n if data.draw(st.booleans()) else 1 for n in x.shape)
    mshape = mshape[data.draw(st.integers(0, len(mshape))):]
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=int(np.prod(mshape)),
                                       max_size=int(np.prod(mshape))))).reshape(mshape)
    if data.draw(st.booleans()):
        value = _tensor(data, ())
        return (lambda t, v: t.masked_fill(Tensor(mask), v)), [x, value]
    return (lambda t: autograd.masked_fill(t, Tensor(mask), 0.5)), [x]


# -- pieces ------------------------------------------------------------------------------


def _joined(pieces, keep):
    """One tensor from the kept pieces (the others get no gradient: zeros must arrive)."""
    kept = [p.reshape(-1) * (i + 1) for i, p in enumerate(pieces) if keep[i % len(keep)]]
    return autograd.cat(kept) if kept else pieces[0].reshape(-1) * 0


@case("narrow")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    d = _dim(data, x)
    n = x.shape[d]
    start = data.draw(st.integers(-n, n - 1))
    length = data.draw(st.integers(0, n - start % n))
    f = _spelling(data, "narrow")
    return (lambda t: f(t, d, start, length)), [x]


@case("split")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    d = _dim(data, x)
    n = x.shape[d]
    if data.draw(st.booleans()):
        how = data.draw(st.integers(1, n + 1))
    else:
        cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
        how = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    keep = data.draw(st.lists(st.booleans(), min_size=1, max_size=4))
    f = _spelling(data, "split")
    return (lambda t: _joined(f(t, how, d), keep)), [x]


@case("chunk")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    d = _dim(data, x)
    chunks = data.draw(st.integers(1, 4))
    keep = data.draw(st.lists(st.booleans(), min_size=1, max_size=4))
    return (lambda t: _joined(t.chunk(chunks, d), keep)), [x]


@case("unbind")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    d = _dim(data, x)
    keep = data.draw(st.lists(st.booleans(), min_size=1, max_size=4))
    f = _spelling(data, "unbind")
    return (lambda t: _joined(f(t, d), keep)), [x]


# -- rearranging -------------------------------------------------------------------------


@case("flip")
def _(data):
    x = _tensor(data)
    dims = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), unique_by=lambda d: d % x.ndim)
                     ) if x.ndim else []
    varargs = data.draw(st.booleans())
    f = _spelling(data, "flip")
    return (lambda t: f(t, *dims) if varargs else f(t, tuple(dims))), [x]


@case("roll")
def _(data):
    x = _tensor(data)
    if x.ndim == 0 or data.draw(st.booleans()):
        shift = data.draw(st.integers(-5, 5))
        return (lambda t: autograd.roll(t, shift)), [x]
    dims = data.draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True))
    shifts = [data.draw(st.integers(-5, 5)) for _ in dims]
    return (lambda t: t.roll(shifts, dims)), [x]


def _triangle(name):
    @case(name)
    def _(data):
        x = _tensor(data, _shape(data, min_dims=2))
        k = data.draw(st.integers(-3, 3))
        f = _spelling(data, name)
        return (lambda t: f(t, k)), [x]


_triangle("tril")
_triangle("triu")


@case("diag")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1, max_dims=2))
    k = data.draw(st.integers(-2, 2))
    if x.ndim == 2:
        assume(-x.shape[0] < k < x.shape[1])
    f = _spelling(data, "diag")
    return (lambda t: f(t, k)), [x]


@case("repeat")
def _(data):
    x = _tensor(data, _shape(data, max_dims=2))
    reps = [data.draw(st.integers(1, 3)) for _ in range(x.ndim + data.draw(st.integers(0, 1)))]
    return (lambda t: t.repeat(*reps)), [x]


@case("tile")
def _(data):
    x = _tensor(data)
    reps = [data.draw(st.integers(1, 3)) for _ in range(data.draw(st.integers(0, x.ndim + 1)))]
    f = _spelling(data, "tile")
    return (lambda t: f(t, tuple(reps))), [x]


# -- PyTorch's shape names ------------------------------------------------------------------


@case("view")
def _(data):
    x = _tensor(data)
    dims = list(data.draw(st.permutations(x.shape))) if x.ndim else []
    if dims and data.draw(st.booleans()):
        dims[data.draw(st.integers(0, len(dims) - 1))] = -1
    return (lambda t: t.view(*dims)), [x]


@case("view_as")
def _(data):
    x = _tensor(data)
    other = Tensor(np.zeros((x.data.size,)))
    return (lambda t: t.view_as(other).view_as(t) * 2), [x]


@case("t")
def _(data):
    x = _tensor(data, _shape(data, max_dims=2))
    f = _spelling(data, "t")
    return (lambda a: f(a)), [x]


@case("expand_as")
def _(data):
    shape_x, other = data.draw(broadcastable_shapes(2, max_side=MAX_SIDE))
    target = Tensor(np.zeros(np.broadcast_shapes(shape_x, other)))
    assume(target.ndim >= len(shape_x))
    return (lambda t: t.expand_as(target)), [_tensor(data, shape_x)]


@case("clone_and_contiguous")
def _(data):
    x = _tensor(data, _shape(data, min_dims=2))
    return (lambda t: t.clone().T.contiguous() * t.T), [x]


@case("meshgrid")
def _(data):
    xs = [_tensor(data, (data.draw(st.integers(1, MAX_SIDE)),))
          for _ in range(data.draw(st.integers(1, 3)))]
    indexing = data.draw(st.sampled_from(["ij", "xy"]))
    return (lambda *ts: autograd.stack(autograd.meshgrid(*ts, indexing=indexing))), xs


# -- products ------------------------------------------------------------------------------


def _sides(data, n):
    return [data.draw(st.integers(1, MAX_SIDE)) for _ in range(n)]


@case("mm")
def _(data):
    n, k, m = _sides(data, 3)
    f = _spelling(data, "mm")
    return (lambda a, b: f(a, b)), [_tensor(data, (n, k)), _tensor(data, (k, m))]


@case("bmm")
def _(data):
    b, n, k, m = _sides(data, 4)
    return (lambda x, y: autograd.bmm(x, y)), [_tensor(data, (b, n, k)), _tensor(data, (b, k, m))]


@case("dot")
def _(data):
    n, = _sides(data, 1)
    f = _spelling(data, "dot")
    return (lambda a, b: f(a, b)), [_tensor(data, (n,)), _tensor(data, (n,))]


@case("outer")
def _(data):
    n, m = _sides(data, 2)
    f = _spelling(data, "outer")
    return (lambda a, b: f(a, b)), [_tensor(data, (n,)), _tensor(data, (m,))]


EINSUMS = {   # equation -> shapes from sides (a, b, c, d)
    "ij,jk->ik": lambda a, b, c, d: [(a, b), (b, c)],
    "ij,jk": lambda a, b, c, d: [(a, b), (b, c)],                     # implicit output
    "bij,bjk->bik": lambda a, b, c, d: [(d, a, b), (d, b, c)],
    "ii->i": lambda a, b, c, d: [(a, a)],
    "ii": lambda a, b, c, d: [(a, a)],                                # trace
    "iij->ji": lambda a, b, c, d: [(a, a, b)],
    "ij->": lambda a, b, c, d: [(a, b)],
    "ij->ji": lambda a, b, c, d: [(a, b)],
    "i,j->ij": lambda a, b, c, d: [(a,), (b,)],
    "i,i,i->": lambda a, b, c, d: [(a,), (a,), (a,)],
    "ij,ij->ij": lambda a, b, c, d: [(1, b), (a, b)],                 # size-1 broadcasting
    "...ij,...jk->...ik": lambda a, b, c, d: [(d, 1, a, b), (c, b, a)],
    "b...,b->...": lambda a, b, c, d: [(a, b, c), (a,)],
    "ijk,ikl->jl": lambda a, b, c, d: [(a, b, c), (a, c, d)],
    "i,->i": lambda a, b, c, d: [(a,), ()],                            # a 0-d operand
}


@case("einsum")
def _(data):
    equation = data.draw(st.sampled_from(sorted(EINSUMS)))
    shapes_ = EINSUMS[equation](*_sides(data, 4))
    xs = [_tensor(data, s) for s in shapes_]
    for x in xs:
        x.requires_grad = data.draw(st.booleans())
    assume(any(x.requires_grad for x in xs))
    as_list = data.draw(st.booleans())
    return (lambda *ts: autograd.einsum(equation, list(ts) if as_list else ts[0], *(
        () if as_list else ts[1:]))), xs


# -- running totals and more reductions -----------------------------------------------------


@case("cumsum")
def _(data):
    x = _tensor(data)
    d = _dim(data, x)
    f = _spelling(data, "cumsum")
    return (lambda t: f(t, d)), [x]


@case("cumprod_with_zeros")
def _(data):
    x = _tensor(data, elements=WITH_ZEROS)          # exact zeros, often several per row
    d = _dim(data, x)
    f = _spelling(data, "cumprod")
    return (lambda t: f(t, d)), [x]


@case("prod_with_zeros")
def _(data):
    x = _tensor(data, elements=WITH_ZEROS)
    f = _spelling(data, "prod")
    if x.ndim == 0 or data.draw(st.booleans()):
        return (lambda t: f(t)), [x]
    d, keep = _dim(data, x), data.draw(st.booleans())
    return (lambda t: f(t, d, keep)), [x]


def _std_case(ddof):
    @case(f"std_ddof{ddof}")
    def _(data):
        x = _tensor(data, distinct=0.05)
        axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1))) if x.ndim \
            else None
        count = x.data.size if axis is None else x.shape[axis]
        assume(count >= 2)                    # a one-element spread is 0: NaN gradient
        keep = data.draw(st.booleans())
        f = _spelling(data, "std")
        spelling = data.draw(st.sampled_from(["ddof", "correction", "unbiased"]))
        kwargs = {"ddof": ddof, "correction": ddof, "unbiased": bool(ddof)}[spelling]
        return (lambda t: f(t, dim=axis, keepdim=keep, **{spelling: kwargs})), [x]


_std_case(0)
_std_case(1)


@case("norm")
def _(data):
    p = data.draw(st.sampled_from([1, 2, 3, 0.5, 1.5, "fro", float("inf"), float("-inf"), 0]))
    x = _tensor(data, elements=floats_away_from((0.0,), 0.2), distinct=0.05)
    assume(len(np.unique(np.round(np.abs(x.data), 8))) == x.data.size)   # no inf-norm ties
    dim = None
    if x.ndim and data.draw(st.booleans()):
        dims = data.draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim,
                                  unique=True))
        dim = dims[0] if len(dims) == 1 else tuple(dims)
    keep = data.draw(st.booleans())
    f = _spelling(data, "norm")
    return (lambda t: f(t, p, dim, keep)), [x]


# -- sorting -------------------------------------------------------------------------------


@case("sort")
def _(data):
    x = _tensor(data, distinct=0.05)
    d = _dim(data, x)
    descending = data.draw(st.booleans())
    f = _spelling(data, "sort")
    return (lambda t: f(t, d, descending).values * 1.5), [x]


@case("topk")
def _(data):
    x = _tensor(data, distinct=0.05)
    d = _dim(data, x)
    k = data.draw(st.integers(0, x.shape[d] if x.ndim else 1))
    largest = data.draw(st.booleans())
    f = _spelling(data, "topk")
    return (lambda t: f(t, k, d, largest).values), [x]


# -- casts that keep the gradient ---------------------------------------------------------


@case("to_double_and_type")
def _(data):
    x = _tensor(data)
    how = data.draw(st.sampled_from(["double", "to", "type", "type_as"]))
    fns = {"double": lambda t: t.double() * 1.5,
           "to": lambda t: t.to(autograd.float64) * 1.5,
           "type": lambda t: t.type(autograd.float64) * 1.5,
           "type_as": lambda t: t.type_as(Tensor(np.zeros(1))) * 1.5}
    return fns[how], [x]


# Through float32 the function is linear, so a coarse eps is exact up to float32 rounding.
@case("float_cast", eps=1e-3)
def _(data):
    how = data.draw(st.sampled_from(["float", "to"]))
    return ((lambda t: t.float() * 1.5) if how == "float" else
            (lambda t: t.to("cpu", autograd.float32) * 1.5)), [_tensor(data)]


# -- the properties -------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
@given(data=st.data())
def test_gradient_matches_central_differences(name, data):
    draw, eps = CASES[name]
    fn, inputs = draw(data)
    assert gradcheck(fn, inputs, eps=eps)


@pytest.mark.parametrize("name", list(CASES))
@given(data=st.data())
def test_second_derivative_matches_central_differences(name, data):
    draw, eps = CASES[name]
    fn, inputs = draw(data)
    assert gradgradcheck(fn, inputs, eps=eps)


def test_every_new_differentiable_op_has_a_case():
    ops = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1",
           "log2", "exp2", "square", "sign", "round", "floor", "ceil", "erf",
           "clamp_number_bounds", "clamp_tensor_bounds", "gather", "scatter", "scatter_add",
           "index_select", "masked_fill", "narrow", "split", "chunk", "unbind", "flip", "roll",
           "tril", "triu", "diag", "repeat", "tile", "view", "view_as", "t", "expand_as",
           "clone_and_contiguous", "meshgrid", "mm", "bmm", "dot", "outer", "einsum", "cumsum",
           "cumprod_with_zeros", "prod_with_zeros", "std_ddof0", "std_ddof1", "norm", "sort",
           "topk", "to_double_and_type", "float_cast"]
    assert sorted(set(ops) - set(CASES)) == []


# -- hard numbers: kinks, zeros, several outputs -------------------------------------------


def _grad(fn, *arrays):
    xs = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    fn(*xs).sum().backward()
    return [x.grad.data for x in xs]


def test_rounding_and_sign_have_zero_gradient_everywhere():
    for name in ("sign", "round", "floor", "ceil"):
        g, = _grad(getattr(autograd, name), [-1.5, -0.5, 0.0, 0.5, 2.0])
        assert g.tolist() == [0.0] * 5, name


def test_clamp_gradient_at_and_between_bounds():
    g, = _grad(lambda x: x.clamp(-1, 1), [-2.0, -1.0, 0.0, 1.0, 2.0])
    assert g.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    gx, glo, ghi = _grad(autograd.clamp, [0.0, 1.0, 1.5, 2.0, 3.0], [1.0] * 5, [2.0] * 5)
    assert gx.tolist() == [0, 1, 1, 1, 0] and glo.tolist() == [1, 0, 0, 0, 0] \
        and ghi.tolist() == [0, 0, 0, 0, 1]
    gx, glo, ghi = _grad(autograd.clamp, [0.0, 1.5, 3.0], [2.0] * 3, [1.0] * 3)   # min > max
    assert gx.tolist() == [0, 0, 0] and glo.tolist() == [0, 0, 0] and ghi.tolist() == [1, 1, 1]


def test_cumprod_gradient_with_zeros_is_exact():
    g, = _grad(lambda x: autograd.cumprod(x, 0), [2.0, 0.0, 3.0, 0.0, 5.0])
    # d/dx_i sum_j prod_{k<=j} x_k, by hand: only products that skip both zeros survive
    assert g.tolist() == [1.0, 2.0 + 6.0, 0.0, 0.0, 0.0]
    g, = _grad(lambda x: autograd.cumprod(x, 0), [0.0, 0.0, 2.0])
    assert g.tolist() == [1.0, 0.0, 0.0]


def test_prod_gradient_is_the_product_of_the_others():
    g, = _grad(autograd.prod, [[2.0, 0.0, 3.0], [0.0, 0.0, 4.0]])
    assert g.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    g, = _grad(lambda x: x.prod(1), [[2.0, 0.0, 3.0], [1.0, 2.0, 4.0]])
    assert g.tolist() == [[0.0, 6.0, 0.0], [8.0, 4.0, 2.0]]


def test_norm_subgradient_at_zero_is_zero():
    for p in (1, 2, 3, 0.5, "fro"):
        g, = _grad(lambda x: x.norm(p), [0.0, 0.0])
        assert g.tolist() == [0.0, 0.0], p
    g, = _grad(lambda x: x.norm(0.5), [0.0, 4.0])
    assert g.tolist() == [0.0, 1.0]
    g, = _grad(lambda x: x.norm(float("inf")), [1.0, -1.0, 0.5])
    assert g.tolist() == [0.5, -0.5, 0.0]                      # ties share, with the sign


def test_sort_and_topk_send_the_gradient_to_the_picked_elements():
    x = Tensor(np.array([3.0, 1.0, 3.0, 2.0]), requires_grad=True)
    values, indices = x.topk(2)
    assert indices.tolist() == [0, 2]                          # stable: first of the ties
    (values * Tensor(np.array([10.0, 1.0]))).sum().backward()
    assert x.grad.tolist() == [10.0, 0.0, 1.0, 0.0]
    values, indices = autograd.sort(Tensor(np.array([2.0, np.nan, 1.0])), descending=True)
    assert indices.tolist() == [1, 0, 2]                       # NaN is the largest
    assert autograd.argsort(Tensor(np.array([2.0, np.nan, 1.0]))).tolist() == [2, 0, 1]


def test_pieces_that_get_no_gradient_pass_zeros():
    x = Tensor(np.arange(6.0), requires_grad=True)
    a, b, c = x.split(2)
    (b * 3).sum().backward()
    assert x.grad.tolist() == [0, 0, 3, 3, 0, 0]
    assert [p.shape for p in autograd.chunk(Tensor(np.zeros(5)), 3)] == [(2,), (2,), (1,)]
    assert autograd.unbind(Tensor(np.zeros((0, 2)))) == ()


def test_multi_output_and_index_ops_are_one_named_node():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    pieces = x.unbind(1)
    assert len({id(p.grad_fn) for p in pieces}) == 1 and pieces[0].grad_fn.name == "Unbind"
    assert autograd.gather(x, 1, Tensor(np.zeros((2, 1), np.int64))).grad_fn.name == "Gather"


def test_integer_inputs_give_float_results_for_float_functions_and_stay_integer_when_rounded():
    ints = Tensor(np.array([1, 2], dtype=np.int64))
    assert autograd.sin(ints).dtype == np.float32 and autograd.erf(ints).dtype == np.float32
    assert autograd.floor(ints).dtype == np.int64 and autograd.sign(ints).dtype == np.int64
    assert autograd.cumsum(Tensor(np.array([1, 2], np.int32)), 0).dtype == np.int64
    assert autograd.prod(Tensor(np.array([True, True]))).dtype == np.int64


# -- in place ------------------------------------------------------------------------------


INPLACE = {
    "exp_": lambda t: t.exp_(),
    "clamp_": lambda t: t.clamp_(0.0, 0.5),
    "clip_": lambda t: t.clip_(max=0.5),
    "masked_fill_": lambda t: t.masked_fill_(t > 0.2, 7.0),
    "normal_": lambda t: t.normal_(),
    "uniform_": lambda t: t.uniform_(-1, 1),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_ops_are_refused_on_tensors_requiring_grad_while_recording(name):
    w = Tensor(np.array([0.1, 0.3, 0.9]), requires_grad=True)
    before = w.data.copy()
    with pytest.raises(RuntimeError, match=f"{name}: in-place change of a tensor that requires "
                                           "grad"):
        INPLACE[name](w)
    assert np.array_equal(w.data, before) and w._version == 0
    with autograd.no_grad():
        assert INPLACE[name](w) is w
    assert w._version == 1


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_ops_are_seen_by_ops_that_saved_the_tensor(name):
    a = Tensor(np.array([0.1, 0.3, 0.9]))
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = (w * a[:]).sum()                        # Mul saved a view of a
    INPLACE[name](a)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_inplace_values():
    x = Tensor(np.array([0.0, 1.0, -2.0]))
    assert np.allclose(x.exp_().data, np.exp([0.0, 1.0, -2.0]))
    assert Tensor(np.array([-2.0, 0.5, 3.0])).clamp_(-1, 1).tolist() == [-1.0, 0.5, 1.0]
    assert Tensor(np.array([-2.0, 0.5, 3.0])).clamp_(min=0).tolist() == [0.0, 0.5, 3.0]
    m = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert m.masked_fill_(Tensor(np.array([True, False])), 0.0).tolist() == [[0, 2], [0, 4]]
    with pytest.raises(TypeError, match="masked_fill_: mask must be a bool tensor"):
        m.masked_fill_(Tensor(np.array([1.0, 0.0])), 0.0)
    with pytest.raises(ValueError, match=r"masked_fill_: mask of shape \(3,\)"):
        m.masked_fill_(Tensor(np.array([True, False, True])), 0.0)
    assert m.tolist() == [[0, 2], [0, 4]]                       # nothing half-changed
    with pytest.raises(TypeError, match="exp_: needs a floating tensor"):
        Tensor(np.array([1, 2])).exp_()
    with pytest.raises(TypeError, match="clamp_: an integer tensor"):
        Tensor(np.array([1, 2])).clamp_(0.5)
    assert Tensor(np.array([1, 5])).clamp_(2, 4).tolist() == [2, 4]
    assert Tensor(np.array([1, 5])).masked_fill_(Tensor(np.array([True, False])),
                                                  2.7).tolist() == [2, 5]
