"""Every differentiable op: analytic gradients vs central differences, first and second order.

One table of op cases. A case draws its inputs with ``autograd.testing``
strategies (shapes up to 3 dims of side <= 3, 0-d and size-1 dims included,
mutually broadcastable shapes for binary ops, drawn axes and keepdims for
reductions, basic and advanced indices) with elements kept away from kinks,
poles and ties, and returns ``(fn, inputs)``. Each case runs ``gradcheck`` and
``gradgradcheck`` in float64: smooth ops have real second derivatives, and the
piecewise-linear ones (relu, abs, clip, maximum/minimum, max/min, the shape
ops) must give 0 away from their kinks.
"""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import autograd
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import (advanced_indices, axes_and_keepdims, basic_indices,
                              broadcastable_shapes, floats_away_from, shapes, tensors)

MAX_SIDE = 3
ANY = floats_away_from((), 0.0)                        # [-3, 3]
NONZERO = floats_away_from((0.0,), 0.5)                # denominators, abs/relu kinks
POSITIVE = floats_away_from((), 0.0, low=0.3, high=3.0)  # log, sqrt, pow bases
SIDES = st.integers(1, MAX_SIDE)

CASES = {}     # name -> (draw(data) -> (fn, inputs), gradcheck eps)


def case(name, eps=1e-6):
    """Register ``draw(data) -> (fn, inputs)`` as the op case ``name``."""
    def register(draw):
        CASES[name] = (draw, eps)
        return draw
    return register


# -- drawing helpers ---------------------------------------------------------------


def _shape(data, min_dims=0, max_dims=3):
    return data.draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=MAX_SIDE))


def _tensor(data, shape=None, elements=ANY, requires_grad=True, distinct=None):
    shape = _shape(data) if shape is None else shape
    return data.draw(tensors(shape=shape, elements=elements, requires_grad=requires_grad,
                             distinct=distinct))


def _which_require_grad(data, n):
    """Which of n inputs require grad (at least one), so every needs_input_grad path runs."""
    return data.draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any))


def _binary(data, elements_a=ANY, elements_b=ANY):
    shape_a, shape_b = data.draw(broadcastable_shapes(2, max_side=MAX_SIDE))
    need_a, need_b = _which_require_grad(data, 2)
    return (_tensor(data, shape_a, elements_a, need_a),
            _tensor(data, shape_b, elements_b, need_b))


def _distinct_pair(data):
    """Two broadcastable tensors whose broadcast elements differ by >= 0.05 (no ties)."""
    shape_a, shape_b = data.draw(broadcastable_shapes(2, max_side=MAX_SIDE))
    out = np.broadcast_shapes(shape_a, shape_b)
    pool = _tensor(data, (2,) + out, distinct=0.05).data      # all elements distinct

    def part(values, shape):
        values = values[(0,) * (values.ndim - len(shape))]
        return values[tuple(slice(0, 1) if n == 1 else slice(None) for n in shape)].copy()

    need_a, need_b = _which_require_grad(data, 2)
    return (Tensor(part(pool[0], shape_a), requires_grad=need_a),
            Tensor(part(pool[1], shape_b), requires_grad=need_b))


def _method_or_function(data, name):
    """``x.name(...)`` or ``autograd.name(x, ...)``: both spellings must work alike."""
    if data.draw(st.booleans()):
        return getattr(autograd, name)
    return lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


def _reduce_kwargs(data, ndim):
    axis, keepdims = data.draw(axes_and_keepdims(ndim))
    if data.draw(st.booleans()):
        return {"dim": axis, "keepdim": keepdims}             # PyTorch's spelling
    return {"axis": axis, "keepdims": keepdims}


def _count(shape, axis):
    if axis is None:
        return int(np.prod(shape))
    axis = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axis]))


# -- elementwise, binary (broadcasting, 0-d and size-1 dims) ---------------------------


@case("add")
def _(data):
    return (lambda a, b: a + b), list(_binary(data))


@case("sub")
def _(data):
    return (lambda a, b: a - b), list(_binary(data))


@case("mul")
def _(data):
    return (lambda a, b: a * b), list(_binary(data))


@case("div")
def _(data):
    return (lambda a, b: a / b), list(_binary(data, elements_b=NONZERO))


@case("pow_tensor_exponent")
def _(data):
    base, exponent = _binary(data, POSITIVE, floats_away_from((), 0.0, low=-2.0, high=2.0))
    return (lambda a, b: a ** b), [base, exponent]


@case("pow_scalar_exponent")
def _(data):
    p = data.draw(st.sampled_from([2, 3, -1, 0.5, -1.5, 2.5]))
    return (lambda a: a ** p), [_tensor(data, elements=POSITIVE)]


@case("pow_integer_exponent_negative_base")
def _(data):
    p = data.draw(st.sampled_from([2, 3, -2]))
    x = _tensor(data, elements=floats_away_from((0.0,), 0.4, low=-2.5, high=2.5))
    return (lambda a: a ** p), [x]


@case("pow_scalar_base")
def _(data):
    base = data.draw(st.sampled_from([2, 0.5, 3.0, float(np.e)]))
    return (lambda a: base ** a), [_tensor(data)]


@case("python_scalar_operands")
def _(data):
    c = data.draw(NONZERO)
    op = data.draw(st.sampled_from(["x+c", "c+x", "x-c", "c-x", "x*c", "c*x", "x/c", "c/x"]))
    fns = {"x+c": lambda x: x + c, "c+x": lambda x: c + x, "x-c": lambda x: x - c,
           "c-x": lambda x: c - x, "x*c": lambda x: x * c, "c*x": lambda x: c * x,
           "x/c": lambda x: x / c, "c/x": lambda x: c / x}
    return fns[op], [_tensor(data, elements=NONZERO)]


@case("maximum")
def _(data):
    f = _method_or_function(data, "maximum")
    return (lambda a, b: f(a, b)), list(_distinct_pair(data))


@case("minimum")
def _(data):
    f = _method_or_function(data, "minimum")
    return (lambda a, b: f(a, b)), list(_distinct_pair(data))


@case("where")
def _(data):
    shape_c, shape_a, shape_b = data.draw(broadcastable_shapes(3, max_side=MAX_SIDE))
    cond = data.draw(st.lists(st.booleans(), min_size=int(np.prod(shape_c)),
                              max_size=int(np.prod(shape_c))))
    cond = np.array(cond, dtype=bool).reshape(shape_c)
    need_a, need_b = _which_require_grad(data, 2)
    a, b = _tensor(data, shape_a, requires_grad=need_a), _tensor(data, shape_b,
                                                                 requires_grad=need_b)
    return (lambda a, b: autograd.where(cond, a, b)), [a, b]


# -- elementwise, unary ----------------------------------------------------------------


@case("neg")
def _(data):
    return (lambda x: -x), [_tensor(data)]


def _unary_case(name, elements):
    @case(name)
    def _(data):
        f = _method_or_function(data, name)
        return (lambda x: f(x)), [_tensor(data, elements=elements)]


_unary_case("exp", ANY)
_unary_case("log", POSITIVE)
_unary_case("sqrt", POSITIVE)
_unary_case("abs", floats_away_from((0.0,), 0.05))
_unary_case("tanh", ANY)
_unary_case("sigmoid", floats_away_from((), 0.0, low=-6.0, high=6.0))
_unary_case("relu", floats_away_from((0.0,), 0.05))


@case("clip")
def _(data):
    lo = data.draw(st.floats(-2.0, 0.5))
    hi = lo + data.draw(st.floats(0.3, 2.5))
    lo, hi = data.draw(st.sampled_from([(lo, hi), (lo, None), (None, hi)]))
    f = _method_or_function(data, "clip")
    x = _tensor(data, elements=floats_away_from([p for p in (lo, hi) if p is not None], 0.05))
    return (lambda t: f(t, lo, hi)), [x]


@case("astype_float64")
def _(data):
    f = _method_or_function(data, "astype")
    return (lambda x: f(x, np.float64) * 1.5), [_tensor(data)]


# Through float32 the function is still linear, so a coarse eps is exact up to float32 rounding.
@case("astype_float32", eps=1e-3)
def _(data):
    f = _method_or_function(data, "astype")
    return (lambda x: f(x, np.float32) * 1.5), [_tensor(data)]


# -- reductions over drawn axes and keepdims -------------------------------------------


def _reduction_case(name, distinct=None):
    @case(name)
    def _(data):
        x = _tensor(data, distinct=distinct)
        f = _method_or_function(data, name)
        kwargs = _reduce_kwargs(data, x.ndim)
        if name in ("max", "min") and "dim" in kwargs:
            if isinstance(kwargs["dim"], int):      # PyTorch's max(dim=): (values, indices)
                return (lambda t: f(t, **kwargs).values), [x]
            kwargs = {"axis": kwargs["dim"], "keepdims": kwargs["keepdim"]}
        return (lambda t: f(t, **kwargs)), [x]


_reduction_case("sum")
_reduction_case("mean")
_reduction_case("logsumexp")
_reduction_case("max", distinct=0.05)      # no ties: the gradient is a clean one-hot
_reduction_case("min", distinct=0.05)


def _var_case(ddof):
    @case(f"var_ddof{ddof}")
    def _(data):
        x = _tensor(data)
        kwargs = _reduce_kwargs(data, x.ndim)
        assume(_count(x.shape, kwargs.get("axis", kwargs.get("dim"))) > ddof)
        f = _method_or_function(data, "var")
        return (lambda t: f(t, ddof=ddof, **kwargs)), [x]


_var_case(0)
_var_case(1)


# -- shape ops -------------------------------------------------------------------------


@case("reshape")
def _(data):
    x = _tensor(data)
    dims = list(data.draw(st.permutations(x.shape))) if x.ndim else []
    for _ in range(data.draw(st.integers(0, 2))):
        dims.insert(data.draw(st.integers(0, len(dims))), 1)
    kind = data.draw(st.sampled_from(["dims", "flat", "infer"]))
    if kind == "flat":
        dims = [x.size]
    elif kind == "infer" and dims:
        dims[data.draw(st.integers(0, len(dims) - 1))] = -1
    as_tuple = data.draw(st.booleans())
    f = _method_or_function(data, "reshape")
    return (lambda t: f(t, tuple(dims)) if as_tuple else f(t, *dims)), [x]


@case("transpose")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    d0, d1 = data.draw(st.tuples(*[st.integers(-x.ndim, x.ndim - 1)] * 2))
    f = data.draw(st.sampled_from([autograd.transpose, lambda t, *dims: t.transpose(*dims),
                                   lambda t, *dims: t.swapaxes(*dims)]))
    return (lambda t: f(t, d0, d1)), [x]


@case("permute")
def _(data):
    x = _tensor(data)
    axes = data.draw(st.permutations(range(x.ndim)))
    as_tuple = data.draw(st.booleans())
    f = _method_or_function(data, "permute")
    return (lambda t: f(t, tuple(axes)) if as_tuple else f(t, *axes)), [x]


@case("T")
def _(data):
    return (lambda t: t.T), [_tensor(data)]


@case("flatten")
def _(data):
    x = _tensor(data)
    if x.ndim == 0:
        return (lambda t: t.flatten()), [x]
    dims = data.draw(st.tuples(*[st.integers(-x.ndim, x.ndim - 1)] * 2))
    start, end = sorted(dims, key=lambda d: d % x.ndim)
    f = _method_or_function(data, "flatten")
    return (lambda t: f(t, start, end)), [x]


@case("squeeze")
def _(data):
    x = _tensor(data)
    options = [None]
    if x.ndim:
        options += list(range(-x.ndim, x.ndim))
        options.append(tuple(i for i, n in enumerate(x.shape) if n == 1) or (0,))
    axis = data.draw(st.sampled_from(options))
    f = _method_or_function(data, "squeeze")
    return (lambda t: f(t, axis)), [x]


@case("unsqueeze")
def _(data):
    x = _tensor(data)
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    f = _method_or_function(data, "unsqueeze")
    return (lambda t: f(t, axis)), [x]


@case("expand")
def _(data):
    shape_x, other = data.draw(broadcastable_shapes(2, max_side=MAX_SIDE))
    target = list(np.broadcast_shapes(shape_x, other))
    assume(len(target) >= len(shape_x))
    lead = len(target) - len(shape_x)
    for i, n in enumerate(shape_x):          # -1 keeps x's own size at that position
        if data.draw(st.booleans()):
            target[lead + i] = -1
    f = _method_or_function(data, "expand")
    return (lambda t: f(t, *target)), [_tensor(data, shape_x)]


@case("getitem_basic")
def _(data):
    x = _tensor(data)
    index = data.draw(basic_indices(x.shape))
    return (lambda t: t[index]), [x]


@case("getitem_advanced")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    index = data.draw(advanced_indices(x.shape))
    return (lambda t: t[index]), [x]


@case("getitem_repeated")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    n = x.shape[0]
    picks = data.draw(st.lists(st.integers(-n, n - 1), min_size=n + 1, max_size=n + 3))
    index = data.draw(st.sampled_from([picks, np.array(picks), Tensor(np.array(picks))]))
    return (lambda t: t[index]), [x]                 # n + 1 picks of n rows: some repeat


@case("getitem_mixed")
def _(data):
    x = _tensor(data, _shape(data, min_dims=2))
    rows = np.array(data.draw(st.lists(st.integers(0, x.shape[0] - 1), min_size=1,
                                       max_size=4)))
    last = np.array(data.draw(st.lists(st.integers(0, x.shape[-1] - 1), min_size=len(rows),
                                       max_size=len(rows))))
    # (array, slice) keeps the advanced dims in place; (array, slice, array) moves them first
    options = [(rows, slice(None)), (Ellipsis, last[:, None]), (rows, Ellipsis, last)]
    if x.ndim == 3:
        options.append((rows, slice(1, None), last))
    index = data.draw(st.sampled_from(options))
    return (lambda t: t[index]), [x]


@case("getitem_boolean_mask")
def _(data):
    x = _tensor(data, _shape(data, min_dims=1))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)),
                    dtype=bool).reshape(x.shape)
    return (lambda t: t[mask]), [x]


@case("concatenate")
def _(data):
    shape = _shape(data, min_dims=1)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[axis] = data.draw(SIDES)
        parts.append(_tensor(data, tuple(s)))
    return (lambda *ts: autograd.concatenate(list(ts), axis=axis)), parts


@case("stack")
def _(data):
    shape = _shape(data)
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    parts = [_tensor(data, shape) for _ in range(data.draw(st.integers(1, 3)))]
    return (lambda *ts: autograd.stack(list(ts), axis=axis)), parts


def pad_widths(ndim):
    """NumPy pad_width forms: an int, one (before, after) pair, or one pair per axis."""
    width = st.integers(0, 2)
    return st.one_of(width, st.tuples(width, width),
                     st.tuples(*[st.tuples(width, width)] * ndim))


@case("pad")
def _(data):
    x = _tensor(data)
    pad_width = data.draw(pad_widths(x.ndim))
    value = data.draw(ANY)
    return (lambda t: autograd.pad(t, pad_width, value)), [x]


# -- matmul and softmax ----------------------------------------------------------------


def _matmul_shapes(data, kind):
    n = data.draw(SIDES)
    if kind == "1d":        # a vector on one side (or both); the other side 1-d, 2-d or batched
        other, p = data.draw(st.sampled_from(["1d", "2d", "batched"])), data.draw(SIDES)
        batch = _shape(data, 1, 2) if other == "batched" else ()
        if other == "1d":
            return (n,), (n,)
        if data.draw(st.booleans()):
            return (n,), batch + (n, p)
        return batch + (p, n), (n,)
    k, m = data.draw(SIDES), data.draw(SIDES)
    if kind == "2d":
        return (k, n), (n, m)
    batch_a, batch_b = data.draw(broadcastable_shapes(2, min_dims=0, max_dims=2,
                                                      max_side=MAX_SIDE))
    assume(batch_a or batch_b)
    return batch_a + (k, n), batch_b + (n, m)


def _matmul_case(kind):
    @case(f"matmul_{kind}")
    def _(data):
        shape_a, shape_b = _matmul_shapes(data, kind)
        need_a, need_b = _which_require_grad(data, 2)
        f = data.draw(st.sampled_from([lambda a, b: a @ b, autograd.matmul,
                                       lambda a, b: a.matmul(b)]))
        return f, [_tensor(data, shape_a, requires_grad=need_a),
                   _tensor(data, shape_b, requires_grad=need_b)]


_matmul_case("1d")
_matmul_case("2d")
_matmul_case("batched")


def _softmax_case(name):
    @case(name)
    def _(data):
        x = _tensor(data)
        f = _method_or_function(data, name)
        if x.ndim == 0:
            return (lambda t: f(t)), [x]
        axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
        kw = data.draw(st.sampled_from(["axis", "dim"]))
        return (lambda t: f(t, **{kw: axis})), [x]


_softmax_case("softmax")
_softmax_case("log_softmax")


# -- the properties --------------------------------------------------------------------


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


def test_every_op_of_the_contract_has_a_case():
    ops = ["add", "sub", "mul", "div", "pow_tensor_exponent", "pow_scalar_exponent",
           "pow_scalar_base", "neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu",
           "clip", "maximum", "minimum", "where", "astype_float64", "sum", "mean",
           "var_ddof0", "var_ddof1", "max", "min", "logsumexp", "reshape", "transpose",
           "permute", "flatten", "squeeze", "unsqueeze", "expand", "getitem_basic",
           "getitem_advanced", "getitem_repeated", "concatenate", "stack", "pad", "matmul_1d",
           "matmul_2d", "matmul_batched", "softmax", "log_softmax", "T"]
    assert sorted(set(ops) - set(CASES)) == []
