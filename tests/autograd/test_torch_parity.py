"""Values and gradients of every op against PyTorch (float64), random DAGs with fan-out,
and second- and third-order derivatives.

Each op case draws NumPy inputs and returns ``(ours, theirs, arrays)``: the same
computation written with chainrule and with torch (mapping names: max -> amax,
clip -> clamp, var(ddof) -> var(correction=), concatenate -> cat, NumPy's
pad_width -> F.pad's flat last-axis-first list). Ops with kinks get inputs that
hit the kinks (zeros, ties, values on clip's bounds), since both libraries must
make the same choice there.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import autograd
from autograd import Tensor
from autograd.testing import (advanced_indices, axes_and_keepdims, basic_indices,
                              broadcastable_shapes, floats_away_from, shapes)

torch = pytest.importorskip("torch")
F = torch.nn.functional

MAX_SIDE = 3
ANY = floats_away_from((), 0.0)
KINKY = st.one_of(st.sampled_from([-1.0, 0.0, 0.5, 1.0]), ANY)   # zeros, ties, clip bounds
NONZERO = floats_away_from((0.0,), 0.5)
POSITIVE = floats_away_from((), 0.0, low=0.3, high=3.0)
SIDES = st.integers(1, MAX_SIDE)

CASES = {}     # name -> draw(data) -> (ours, theirs, arrays[, requires_grad flags])


def case(name):
    """Register ``draw(data) -> (ours, theirs, arrays[, requires])`` as the op case ``name``."""
    def register(draw):
        CASES[name] = draw
        return draw
    return register


# -- drawing ---------------------------------------------------------------------------


def _shape(data, min_dims=0, max_dims=3):
    return data.draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=MAX_SIDE))


def _array(data, shape=None, elements=ANY):
    shape = _shape(data) if shape is None else shape
    values = data.draw(st.lists(elements, min_size=int(np.prod(shape)),
                                max_size=int(np.prod(shape))))
    return np.array(values, dtype=np.float64).reshape(shape)


def _pair(data, elements_a=ANY, elements_b=ANY):
    shape_a, shape_b = data.draw(broadcastable_shapes(2, max_side=MAX_SIDE))
    return [_array(data, shape_a, elements_a), _array(data, shape_b, elements_b)]


def _requires(data, n):
    return data.draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any))


def _dims(axis, ndim):
    """Our axis (None, int or tuple) as torch's dim tuple."""
    if axis is None:
        return tuple(range(ndim))
    return axis if isinstance(axis, tuple) else (axis,)


# -- the comparison --------------------------------------------------------------------


def assert_matches_torch(ours, theirs, arrays, requires=None, rtol=1e-10, atol=1e-12):
    """Same output (value, shape, dtype) and the same gradient for every input."""
    requires = [True] * len(arrays) if requires is None else requires
    xs = [Tensor(a.copy(), requires_grad=r) for a, r in zip(arrays, requires)]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=r) for a, r in zip(arrays, requires)]
    y, z = ours(*xs), theirs(*ts)
    assert y.shape == tuple(z.shape)
    assert y.dtype == np.dtype(str(z.dtype).removeprefix("torch."))
    np.testing.assert_allclose(y.data, z.detach().numpy(), rtol=rtol, atol=atol)
    v = np.random.default_rng(0).standard_normal(y.shape)
    y.backward(Tensor(v.astype(y.dtype)))
    z.backward(torch.from_numpy(v).to(z.dtype))
    for i, (x, t, r) in enumerate(zip(xs, ts, requires)):
        if not r:
            assert x.grad is None
            continue
        ours_g = np.zeros(x.shape) if x.grad is None else x.grad.data
        theirs_g = np.zeros(x.shape) if t.grad is None else t.grad.numpy()
        assert ours_g.shape == x.shape and ours_g.dtype == np.float64, f"input {i}"
        np.testing.assert_allclose(ours_g, theirs_g, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")


# -- elementwise -----------------------------------------------------------------------


def _binary_case(name, op, torch_op=None, elements_a=ANY, elements_b=ANY):
    @case(name)
    def _(data):
        arrays = _pair(data, elements_a, elements_b)
        return op, torch_op or op, arrays, _requires(data, 2)


_binary_case("add", lambda a, b: a + b, elements_a=KINKY, elements_b=KINKY)
_binary_case("sub", lambda a, b: a - b, elements_a=KINKY, elements_b=KINKY)
_binary_case("mul", lambda a, b: a * b, elements_a=KINKY, elements_b=KINKY)
_binary_case("div", lambda a, b: a / b, elements_a=KINKY, elements_b=NONZERO)
_binary_case("pow_tensor_exponent", lambda a, b: a ** b, elements_a=POSITIVE,
             elements_b=floats_away_from((), 0.0, low=-2.0, high=2.0))
_binary_case("maximum", autograd.maximum, torch.maximum, KINKY, KINKY)   # ties: half each
_binary_case("minimum", autograd.minimum, torch.minimum, KINKY, KINKY)


@case("matmul_operator_with_fan_out")
def _(data):
    k, n, m = data.draw(SIDES), data.draw(SIDES), data.draw(SIDES)
    op = lambda a, b: (a @ b.T) @ b         # noqa: E731  (b is used twice)
    return op, op, [_array(data, (k, n)), _array(data, (m, n))], _requires(data, 2)


@case("pow_scalar_exponent")
def _(data):
    p = data.draw(st.sampled_from([2, 3, -1, 0.5, -1.5, 2.5]))
    return (lambda a: a ** p), (lambda a: a ** p), [_array(data, elements=POSITIVE)]


@case("pow_integer_exponent_any_base")
def _(data):
    p = data.draw(st.sampled_from([2, 3]))
    return (lambda a: a ** p), (lambda a: a ** p), [_array(data, elements=KINKY)]


@case("pow_scalar_base")
def _(data):
    base = data.draw(st.sampled_from([2, 0.5, 3.0]))
    return (lambda a: base ** a), (lambda a: base ** a), [_array(data)]


@case("python_scalar_operands")
def _(data):
    c = data.draw(NONZERO)
    ops = [lambda x: x + c, lambda x: c + x, lambda x: x - c, lambda x: c - x,
           lambda x: x * c, lambda x: c * x, lambda x: x / c, lambda x: c / x, lambda x: -x]
    op = data.draw(st.sampled_from(ops))
    return op, op, [_array(data, elements=NONZERO)]


@case("where")
def _(data):
    shape_c, shape_a, shape_b = data.draw(broadcastable_shapes(3, max_side=MAX_SIDE))
    cond = np.array(data.draw(st.lists(st.booleans(), min_size=int(np.prod(shape_c)),
                                       max_size=int(np.prod(shape_c)))),
                    dtype=bool).reshape(shape_c)
    return ((lambda a, b: autograd.where(cond, a, b)),
            (lambda a, b: torch.where(torch.from_numpy(cond), a, b)),
            [_array(data, shape_a), _array(data, shape_b)], _requires(data, 2))


def _unary_case(name, elements, torch_fn=None):
    @case(name)
    def _(data):
        return getattr(autograd, name), torch_fn or getattr(torch, name), [
            _array(data, elements=elements)]


_unary_case("exp", ANY)
_unary_case("log", POSITIVE)
_unary_case("sqrt", POSITIVE)
_unary_case("abs", KINKY)             # abs'(0) = 0
_unary_case("tanh", ANY)
_unary_case("sigmoid", floats_away_from((), 0.0, low=-10.0, high=10.0))
_unary_case("relu", KINKY)            # relu'(0) = 0


@case("clip")
def _(data):
    lo, hi = sorted(data.draw(st.tuples(KINKY, KINKY)))
    lo, hi = data.draw(st.sampled_from([(lo, hi), (lo, None), (None, hi)]))
    return ((lambda x: x.clip(lo, hi)), (lambda t: torch.clamp(t, min=lo, max=hi)),
            [_array(data, elements=KINKY)])


@case("astype")
def _(data):
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    return ((lambda x: x.astype(dtype) * 2), (lambda t: t.to(getattr(torch, dtype)) * 2),
            [_array(data)])


# -- reductions ------------------------------------------------------------------------


def _reduction_case(name, ours, theirs, elements=ANY, ddof=None):
    @case(name)
    def _(data):
        x = _array(data, elements=elements)
        axis, keepdims = data.draw(axes_and_keepdims(x.ndim))
        if ddof is not None:
            n = x.size if axis is None else int(np.prod(np.array(x.shape)[list(_dims(
                axis, x.ndim))]))
            assume(n > ddof)
        dims = _dims(axis, x.ndim)
        return ((lambda t: ours(t, axis, keepdims)), (lambda t: theirs(t, dims, keepdims)),
                [x])


_reduction_case("sum", lambda t, a, k: t.sum(axis=a, keepdims=k),
                lambda t, d, k: torch.sum(t, dim=d, keepdim=k))
_reduction_case("mean", lambda t, a, k: t.mean(axis=a, keepdims=k),
                lambda t, d, k: torch.mean(t, dim=d, keepdim=k))
for _ddof in (0, 1):
    _reduction_case(f"var_ddof{_ddof}",
                    lambda t, a, k, dd=_ddof: t.var(axis=a, ddof=dd, keepdims=k),
                    lambda t, d, k, dd=_ddof: torch.var(t, dim=d, correction=dd, keepdim=k),
                    ddof=_ddof)
_reduction_case("max", lambda t, a, k: t.max(axis=a, keepdims=k),       # ties share equally
                lambda t, d, k: torch.amax(t, dim=d, keepdim=k), elements=KINKY)
_reduction_case("min", lambda t, a, k: t.min(axis=a, keepdims=k),
                lambda t, d, k: torch.amin(t, dim=d, keepdim=k), elements=KINKY)
_reduction_case("logsumexp", lambda t, a, k: t.logsumexp(axis=a, keepdims=k),
                lambda t, d, k: torch.logsumexp(t, dim=d, keepdim=k))


# -- shape ops -------------------------------------------------------------------------


@case("reshape")
def _(data):
    x = _array(data)
    dims = list(data.draw(st.permutations(x.shape))) if x.ndim else []
    dims.insert(data.draw(st.integers(0, len(dims))), 1)
    if data.draw(st.booleans()):
        dims[data.draw(st.integers(0, len(dims) - 1))] = -1
    return (lambda t: t.reshape(*dims)), (lambda t: t.reshape(*dims)), [x]


@case("transpose")
def _(data):
    x = _array(data, _shape(data, min_dims=1))
    d0, d1 = data.draw(st.tuples(*[st.integers(-x.ndim, x.ndim - 1)] * 2))
    return (lambda t: t.transpose(d0, d1)), (lambda t: t.transpose(d0, d1)), [x]


@case("permute")
def _(data):
    x = _array(data)
    axes = data.draw(st.permutations(range(x.ndim)))
    return (lambda t: t.permute(*axes)), (lambda t: t.permute(tuple(axes))), [x]


@case("T")
def _(data):
    x = _array(data)
    return (lambda t: t.T), (lambda t: t.permute(tuple(reversed(range(t.ndim))))), [x]


@case("flatten")
def _(data):
    x = _array(data)
    if x.ndim == 0:
        return (lambda t: t.flatten()), torch.flatten, [x]
    dims = data.draw(st.tuples(*[st.integers(-x.ndim, x.ndim - 1)] * 2))
    start, end = sorted(dims, key=lambda d: d % x.ndim)
    return (lambda t: t.flatten(start, end)), (lambda t: torch.flatten(t, start, end)), [x]


@case("squeeze")
def _(data):
    x = _array(data)
    options = [None] + (list(range(-x.ndim, x.ndim)) if x.ndim else [])
    axis = data.draw(st.sampled_from(options))
    return ((lambda t: t.squeeze(axis)),
            (lambda t: t.squeeze() if axis is None else t.squeeze(axis)), [x])


@case("unsqueeze")
def _(data):
    x = _array(data)
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    return (lambda t: t.unsqueeze(axis)), (lambda t: t.unsqueeze(axis)), [x]


@case("expand")
def _(data):
    shape_x, other = data.draw(broadcastable_shapes(2, max_side=MAX_SIDE))
    target = np.broadcast_shapes(shape_x, other)
    assume(len(target) >= len(shape_x))
    return (lambda t: t.expand(*target)), (lambda t: t.expand(tuple(target))), [
        _array(data, shape_x)]


def _torch_index(index, shape):
    """Our NumPy index for torch: arrays as tensors; negative-step slices via a gather."""
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(p, slice) and (p.step or 1) < 0 for p in parts):
        flat = np.arange(int(np.prod(shape))).reshape(shape)[index]
        return lambda t: t.reshape(-1)[torch.from_numpy(np.array(flat))]
    converted = tuple(torch.from_numpy(p) if isinstance(p, np.ndarray) else p for p in parts)
    return lambda t: t[converted if isinstance(index, tuple) else converted[0]]


def _getitem_case(name, draw_index, min_dims=0):
    @case(name)
    def _(data):
        x = _array(data, _shape(data, min_dims=min_dims), elements=KINKY)
        index = draw_index(data, x.shape)
        return (lambda t: t[index]), _torch_index(index, x.shape), [x]


def _repeated(data, shape):
    n = shape[0]
    return np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=n + 1,
                                       max_size=n + 3)))


def _mixed(data, shape):
    rows = np.array(data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=3)))
    last = np.array(data.draw(st.lists(st.integers(0, shape[-1] - 1), min_size=len(rows),
                                       max_size=len(rows))))
    options = [(rows, slice(None)), (Ellipsis, last[:, None]), (rows, Ellipsis, last)]
    if len(shape) == 3:
        options.append((rows, slice(1, None), last))
    return data.draw(st.sampled_from(options))


def _mask(data, shape):
    size = int(np.prod(shape))
    return np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)),
                    dtype=bool).reshape(shape)


_getitem_case("getitem_basic", lambda data, shape: data.draw(basic_indices(shape)))
_getitem_case("getitem_advanced", lambda data, shape: data.draw(advanced_indices(shape)), 1)
_getitem_case("getitem_repeated", _repeated, 1)
_getitem_case("getitem_mixed", _mixed, 2)
_getitem_case("getitem_boolean_mask", _mask, 1)


@case("concatenate")
def _(data):
    shape = _shape(data, min_dims=1)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[axis] = data.draw(SIDES)
        parts.append(_array(data, tuple(s)))
    return ((lambda *ts: autograd.concatenate(list(ts), axis=axis)),
            (lambda *ts: torch.cat(ts, dim=axis)), parts)


@case("stack")
def _(data):
    shape = _shape(data)
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    parts = [_array(data, shape) for _ in range(data.draw(st.integers(1, 3)))]
    return ((lambda *ts: autograd.stack(list(ts), axis=axis)),
            (lambda *ts: torch.stack(ts, dim=axis)), parts)


@case("pad")
def _(data):
    x = _array(data)
    widths = [data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2))) for _ in x.shape]
    value = data.draw(ANY)
    flat = [w for pair in reversed(widths) for w in pair]     # F.pad: last axis first
    return ((lambda t: autograd.pad(t, tuple(widths), value)),
            (lambda t: F.pad(t, flat, value=value)), [x])


# -- matmul, softmax -------------------------------------------------------------------


@case("matmul")
def _(data):
    n, k, m = data.draw(SIDES), data.draw(SIDES), data.draw(SIDES)
    batch_a, batch_b = data.draw(broadcastable_shapes(2, max_dims=2, max_side=MAX_SIDE))
    kind_a, kind_b = data.draw(st.sampled_from(["1d", "nd"])), data.draw(
        st.sampled_from(["1d", "nd"]))
    shape_a = (n,) if kind_a == "1d" else batch_a + (k, n)
    shape_b = (n,) if kind_b == "1d" else batch_b + (n, m)
    return (autograd.matmul, torch.matmul, [_array(data, shape_a), _array(data, shape_b)],
            _requires(data, 2))


def _softmax_case(name):
    @case(name)
    def _(data):
        x = _array(data)
        axis = data.draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim else 0
        ours = (lambda t: getattr(t, name)()) if x.ndim == 0 else (
            lambda t: getattr(t, name)(axis=axis))
        return ours, (lambda t: getattr(torch, name)(t, dim=axis)), [x]


_softmax_case("softmax")
_softmax_case("log_softmax")


@pytest.mark.parametrize("name", list(CASES))
@given(data=st.data())
def test_values_and_gradients_match_torch(name, data):
    drawn = CASES[name](data)
    ours, theirs, arrays = drawn[:3]
    assert_matches_torch(ours, theirs, arrays, drawn[3] if len(drawn) > 3 else None,
                         rtol=1e-6 if name == "astype" else 1e-10)


# -- random DAGs with fan-out ----------------------------------------------------------

# Every op maps (2, 3) nodes to a (2, 3) node, so any node can feed any later op; each
# entry is (ours, torch's). Unary ones ignore their second operand.
DAG_SHAPE = (2, 3)
DAG_OPS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul_tanh": (lambda a, b: a * b.tanh(), lambda a, b: a * b.tanh()),
    "div_soft": (lambda a, b: a / (1 + b * b), lambda a, b: a / (1 + b * b)),
    "maximum": (autograd.maximum, torch.maximum),
    "minimum": (autograd.minimum, torch.minimum),
    "where": (lambda a, b: autograd.where(a > 0, a, b), lambda a, b: torch.where(a > 0, a, b)),
    "matmul": (lambda a, b: (a @ b.T) @ a / 3, lambda a, b: (a @ b.T) @ a / 3),
    "cat_slice": (lambda a, b: autograd.concatenate([a, b])[1:3],
                  lambda a, b: torch.cat([a, b])[1:3]),
    "stack_max": (lambda a, b: autograd.stack([a, b]).max(axis=0),
                  lambda a, b: torch.stack([a, b]).amax(dim=0)),
    "tanh": (lambda a, b: a.tanh(), lambda a, b: a.tanh()),
    "sigmoid": (lambda a, b: a.sigmoid(), lambda a, b: a.sigmoid()),
    "relu": (lambda a, b: a.relu(), lambda a, b: a.relu()),
    "abs": (lambda a, b: a.abs(), lambda a, b: a.abs()),
    "neg_scale": (lambda a, b: -a * 0.5 + 0.25, lambda a, b: -a * 0.5 + 0.25),
    "exp_tanh": (lambda a, b: a.tanh().exp(), lambda a, b: a.tanh().exp()),
    "sqrt_log": (lambda a, b: (1 + a * a).sqrt() + (1 + a * a).log(),
                 lambda a, b: (1 + a * a).sqrt() + (1 + a * a).log()),
    "pow": (lambda a, b: (a * a + 1) ** 0.75, lambda a, b: (a * a + 1) ** 0.75),
    "clip": (lambda a, b: a.clip(-1, 1), lambda a, b: a.clamp(-1, 1)),
    "center": (lambda a, b: a - a.mean(axis=-1, keepdims=True),
               lambda a, b: a - a.mean(dim=-1, keepdim=True)),
    "standardize": (lambda a, b: a / (a.var(axis=0, keepdims=True) + 1).sqrt(),
                    lambda a, b: a / (a.var(dim=0, correction=0, keepdim=True) + 1).sqrt()),
    "softmax": (lambda a, b: a.softmax(axis=-1), lambda a, b: a.softmax(dim=-1)),
    "log_softmax": (lambda a, b: a.log_softmax(axis=0), lambda a, b: a.log_softmax(dim=0)),
    "logsumexp": (lambda a, b: a - a.logsumexp(axis=1, keepdims=True),
                  lambda a, b: a - a.logsumexp(dim=1, keepdim=True)),
    "sum_bcast": (lambda a, b: (a.sum(axis=0, keepdims=True) * b).tanh(),
                  lambda a, b: (a.sum(dim=0, keepdim=True) * b).tanh()),
    "max_bcast": (lambda a, b: a - a.max(axis=1, keepdims=True),
                  lambda a, b: a - a.amax(dim=1, keepdim=True)),
    "min_all": (lambda a, b: a + b.min(), lambda a, b: a + b.amin()),
    "reshape_T": (lambda a, b: a.reshape(3, 2).T, lambda a, b: a.reshape(3, 2).T),
    "permute_flatten": (lambda a, b: a.reshape(1, 2, 3).permute(2, 0, 1).flatten(1).T,
                        lambda a, b: a.reshape(1, 2, 3).permute(2, 0, 1).flatten(1).T),
    "repeated_index": (lambda a, b: a[:, np.array([2, 0, 0])],
                       lambda a, b: a[:, torch.tensor([2, 0, 0])]),
    "pad_crop": (lambda a, b: autograd.pad(a, ((1, 0), (0, 1)), 0.5)[:2, 1:],
                 lambda a, b: F.pad(a, (0, 1, 1, 0), value=0.5)[:2, 1:]),
    "expand_sum": (lambda a, b: a.unsqueeze(0).expand(2, 2, 3).sum(axis=0) * b,
                   lambda a, b: a.unsqueeze(0).expand(2, 2, 3).sum(dim=0) * b),
}


@st.composite
def dags(draw):
    """Inputs and a list of steps (op, operand a, operand b) over a growing pool of nodes."""
    n_inputs = draw(st.integers(1, 3))
    size = int(np.prod(DAG_SHAPE))
    inputs = [np.array(draw(st.lists(KINKY, min_size=size, max_size=size))).reshape(DAG_SHAPE)
              for _ in range(n_inputs)]
    steps = []
    for i in range(draw(st.integers(1, 12))):
        pool = n_inputs + i
        steps.append((draw(st.sampled_from(sorted(DAG_OPS))), draw(st.integers(0, pool - 1)),
                      draw(st.integers(0, pool - 1))))
    return inputs, steps


def _run_dag(inputs, steps, side):
    pool = list(inputs)
    for op, i, j in steps:
        pool.append(DAG_OPS[op][side](pool[i], pool[j]))
    # every node feeds the output too: any node an op also consumed has fan-out >= 2
    loss = sum((node * (k + 1) / len(pool)).sum() for k, node in enumerate(pool))
    return pool, loss


@settings(max_examples=4 * settings.default.max_examples)     # cheap examples, many shapes
@given(dags())
def test_random_dags_with_fan_out_match_torch(dag):
    inputs, steps = dag
    xs = [Tensor(a.copy(), requires_grad=True) for a in inputs]
    ts = [torch.tensor(a, requires_grad=True) for a in inputs]
    ours, loss = _run_dag(xs, steps, 0)
    theirs, torch_loss = _run_dag(ts, steps, 1)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"node {k}")
    loss.backward()
    torch_loss.backward()
    for k, (x, t) in enumerate(zip(xs, ts)):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-8, atol=1e-10,
                                   err_msg=f"gradient of input {k} after steps {steps}")


# -- higher order ----------------------------------------------------------------------


@given(m=SIDES.map(lambda s: s + 1), n=SIDES.map(lambda s: s + 1), data=st.data())
def test_hessian_of_sum_tanh_matmul_matches_torch(m, n, data):
    w_np, x_np = _array(data, (m, n)), _array(data, (n,))
    w, x = Tensor(w_np), Tensor(x_np.copy(), requires_grad=True)
    (g,) = autograd.grad(autograd.tanh(w @ x).sum(), x, create_graph=True)
    rows = [autograd.grad(g[i], x, retain_graph=True)[0].data for i in range(n)]
    w_t = torch.tensor(w_np)
    expected = torch.autograd.functional.hessian(lambda v: torch.tanh(w_t @ v).sum(),
                                                 torch.tensor(x_np))
    np.testing.assert_allclose(np.stack(rows), expected.numpy(), rtol=1e-9, atol=1e-12)


@given(m=SIDES, n=SIDES, data=st.data())
def test_mixed_second_derivative_wrt_weights_matches_torch(m, n, data):
    """d/dW of sum(d/dx sum(tanh(W @ x)) * u): the gradient's graph reaches W too."""
    w_np, x_np, u_np = _array(data, (m, n)), _array(data, (n,)), _array(data, (n,))
    w, x = Tensor(w_np.copy(), requires_grad=True), Tensor(x_np.copy(), requires_grad=True)
    (g,) = autograd.grad(autograd.tanh(w @ x).sum(), x, create_graph=True)
    ours = autograd.grad((g * Tensor(u_np)).sum(), [w, x])
    w_t = torch.tensor(w_np, requires_grad=True)
    x_t = torch.tensor(x_np, requires_grad=True)
    (g_t,) = torch.autograd.grad(torch.tanh(w_t @ x_t).sum(), x_t, create_graph=True)
    theirs = torch.autograd.grad((g_t * torch.tensor(u_np)).sum(), [w_t, x_t])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-9, atol=1e-12)


def _scalar_expression(x, lib):
    return x ** 3 * lib.tanh(x) + lib.sigmoid(2 * x) * lib.exp(-x * x) + (1 + x * x).log()


@given(value=ANY)
def test_third_derivative_of_a_scalar_expression_matches_torch(value):
    x = Tensor(np.array(value), requires_grad=True)
    t = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    ours, theirs = [_scalar_expression(x, autograd)], [_scalar_expression(t, torch)]
    for _ in range(3):
        ours.append(autograd.grad(ours[-1], x, create_graph=True)[0])
        theirs.append(torch.autograd.grad(theirs[-1], t, create_graph=True)[0])
    for order, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"derivative of order {order}")


@given(data=st.data())
def test_third_order_directional_derivative_of_vector_ops_matches_torch(data):
    n = data.draw(st.integers(2, 4))
    x_np, u_np, w_np = (_array(data, (n,)) for _ in range(3))

    def third(x, f, grad, const):
        (s1,) = grad(f(x), x, create_graph=True)
        (s2,) = grad((s1 * const(u_np)).sum(), x, create_graph=True)
        (s3,) = grad((s2 * const(w_np)).sum(), x)
        return s3

    ours = third(Tensor(x_np.copy(), requires_grad=True),
                 lambda x: (x * x).logsumexp() + (x.softmax() * x ** 3).sum() + x.var(),
                 autograd.grad, Tensor)
    theirs = third(torch.tensor(x_np, requires_grad=True),
                   lambda x: torch.logsumexp(x * x, 0) + (x.softmax(0) * x ** 3).sum()
                   + x.var(correction=0), torch.autograd.grad, torch.tensor)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-9, atol=1e-11)
