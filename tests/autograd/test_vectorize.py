"""autograd.vectorize: batching a tape's scalar calls changes no bit of any result.

Two levels: the pass itself on random lists of NumPy calls over 0-d arrays (run as
they are and batched, from the same values, every array compared bit for bit), and
autograd.compile on random graphs of 0-d Tensors (micrograd's kind of program), whose
batched replays must equal eager steps bit for bit.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Tensor, no_grad
from autograd.vectorize import MIN_GROUP, called_ufunc, vectorize

UFUNCS = {"add": np.add, "multiply": np.multiply, "subtract": np.subtract,
          "divide": np.divide, "maximum": np.maximum, "sqrt": np.sqrt, "negative": np.negative,
          "tanh": np.tanh, "exp": np.exp}          # tanh, exp: not exact, stay scalar calls
POOL = 12


def _assign(buffer, func, args, kwargs):     # as autograd.compile logs a random draw
    np.copyto(buffer, func(*args, **kwargs))


def build(spec, values):
    """(entries, the 0-d arrays, the (3,) array) for a spec, on fresh arrays and a fresh
    random generator."""
    pool = [np.array(v) for v in values]
    vec = np.array(values[:3])
    rng = np.random.default_rng(0)
    entries = []
    for kind, name, ins, out, const in spec:
        if kind == "draw":                           # draws must keep their order
            entries.append((_assign, (pool[out], rng.random, (), {}), {}))
        elif kind == "ufunc":
            f = UFUNCS[name]
            args = tuple(pool[i] for i in ins[:f.nin])
            if const is not None and f.nin == 2:
                args = (args[0], const)
            entries.append((f.__call__, args, {"out": pool[out]}))
        elif kind == "copyto":                       # an in-place write into a slot
            entries.append((np.copyto, (pool[out], pool[ins[0]]), {}))
        elif kind == "into_vec":                     # a write through a view of another buffer
            entries.append((np.copyto, (vec[ins[0] % 3:ins[0] % 3 + 1].reshape(()),
                                        pool[out]), {}))
        else:                                        # "reduce": a slot from the vector
            entries.append((np.add.reduce, (vec,), {"out": pool[out]}))
    return entries, pool, vec


call = st.tuples(
    st.sampled_from(["ufunc"] * 6 + ["copyto", "into_vec", "reduce", "draw"]),
    st.sampled_from(sorted(UFUNCS)),
    st.tuples(st.integers(0, POOL - 1), st.integers(0, POOL - 1)),
    st.integers(0, POOL - 1),
    st.one_of(st.none(), st.sampled_from([0.5, 2.0, -1.0])))


@settings(max_examples=60, deadline=None)
@given(spec=st.lists(call, min_size=1, max_size=60),
       values=st.lists(st.floats(-3, 3, allow_nan=False), min_size=POOL, max_size=POOL),
       wide=st.integers(0, 3))
def test_batched_calls_give_the_same_bits_as_the_calls_one_by_one(spec, values, wide):
    # `wide` groups of MIN_GROUP independent multiplies: batches certainly form
    spec = list(spec) + [("ufunc", "multiply", (i % POOL, (i + 1) % POOL), i % POOL, None)
                         for i in range(wide * MIN_GROUP)]
    plain, pool, vec = build(spec, values)
    batched, pool2, vec2 = build(spec, values)
    new, moved = vectorize(batched)
    with np.errstate(all="ignore"):
        for func, args, kwargs in plain:
            func(*args, **kwargs)
        for func, args, kwargs in new:
            func(*args, **kwargs)
    for a, b in zip(pool, pool2):
        assert a.tobytes() == moved.view_of(b).tobytes()
    assert vec.tobytes() == vec2.tobytes()


def test_independent_calls_of_one_kind_become_one_batch_and_others_stay():
    xs = [np.array(float(i)) for i in range(MIN_GROUP)]
    ys = [np.array(0.0) for _ in range(MIN_GROUP)]
    entries = [(np.multiply.__call__, (x, 2.0), {"out": y}) for x, y in zip(xs, ys)]
    entries += [(np.tanh.__call__, (y,), {"out": y}) for y in ys]           # not exact
    entries += [(np.multiply.__call__, (x, 3.0), {"out": x}) for x in xs[:2]]  # too few
    new, moved = vectorize(entries)
    names = [(called_ufunc(f) or f).__name__ for f, _, _ in new]
    assert names[:3] == ["take", "multiply", "put"]
    assert names.count("tanh") == MIN_GROUP and len(new) == 3 + MIN_GROUP + 2


def test_fewer_scalars_than_a_group_are_left_alone():
    a, b = np.array(1.0), np.array(2.0)
    entries = [(np.add.__call__, (a, b), {"out": a})]
    new, moved = vectorize(entries)
    assert new is entries and len(moved) == 0 and moved.view_of(a) is a


def sgd_step(params, loss_of, lr):
    """micrograd's step over ``params``: zero the grads, loss_of(*xs).backward(), then
    p.data -= lr * p.grad.data; returns the loss."""
    def step(*xs):
        for p in params:
            p.grad = None
        loss = loss_of(*xs)
        loss.backward()
        with no_grad():
            for p in params:
                p.data -= lr * p.grad.data
        return loss
    return step


def compare_compiled(make, inputs):
    """Run ``make()``'s step eagerly and a second ``make()``'s step compiled on each tuple of
    ``inputs`` (warm-up, trace, checked replay, replays); assert the results, parameters and
    gradients are the same bits; return the compiled function."""
    (eager, pe), (fn, pc) = make(), make()
    compiled = autograd.compile(fn)
    with np.errstate(all="ignore"):
        for call, xs in enumerate(inputs):
            assert eager(*xs).data.tobytes() == compiled(*xs).data.tobytes(), call
            for p, q in zip(pe, pc):
                assert p.data.tobytes() == q.data.tobytes(), call
                assert p.grad.data.tobytes() == q.grad.data.tobytes(), call
    return compiled


def tape_names(compiled):
    return [name for name, *_ in compiled.tape.describe()]


def micrograd_step(seed, width=8):
    """micrograd's kind of program: a layer of 0-d neurons, hinge loss, p.data -= lr * grad."""
    rng = np.random.default_rng(seed)
    params = [Tensor(rng.uniform(-1, 1), requires_grad=True, dtype="float64")
              for _ in range(3 * width + width + 1)]
    w, v, c = params[:3 * width], params[3 * width:-1], params[-1]

    def loss_of(x0, x1, label):
        pre = [w[3 * j] * Tensor(x0) + w[3 * j + 1] * Tensor(x1) + w[3 * j + 2]
               for j in range(width)]
        hidden = [z.tanh() if j % 2 else z.relu() for j, z in enumerate(pre)]
        score = c
        for vj, h in zip(v, hidden):
            score = score + vj * h
        return (1.0 - Tensor(label) * score).relu() + 1e-4 * sum(p * p for p in params)
    return sgd_step(params, loss_of, 0.05), params


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_compiled_scalar_graph_is_batched_and_trains_as_the_eager_one(seed):
    rng = np.random.default_rng(seed + 10)
    inputs = [(np.array(rng.normal()), np.array(rng.normal()), np.array(rng.choice([-1.0, 1.0])))
              for _ in range(6)]
    compiled = compare_compiled(lambda: micrograd_step(seed), inputs)
    assert compiled.eager_reason is None
    names = tape_names(compiled)
    assert "take" in names and "put" in names          # batches formed
    assert len(names) < 300                            # the unbatched tape has ~600 calls


def test_views_of_moved_scalars_keep_their_shape_and_strides():
    # a scalar parameter broadcast (expand: 0 strides) and reshaped inside a compiled step
    def make():
        ps = [Tensor(i / 10, requires_grad=True, dtype="float64") for i in range(2 * MIN_GROUP)]

        def loss_of(x):
            return ((ps[0].expand((3,)) * Tensor(x)).sum() + ps[1].reshape(1, 1).sum()
                    + sum(p * p for p in ps))
        return sgd_step(ps, loss_of, 0.1), ps
    compiled = compare_compiled(make, [(np.arange(3.0) + call,) for call in range(5)])
    assert compiled.eager_reason is None
    assert "put" in tape_names(compiled)


def test_a_failing_batching_pass_leaves_the_unbatched_tape_with_a_warning(monkeypatch):
    import autograd.compiled as compiled_module

    def broken(entries):
        raise ValueError("a bug")
    monkeypatch.setattr(compiled_module, "vectorize", broken)
    xs = (np.array(0.3), np.array(-0.2), np.array(1.0))
    with pytest.warns(RuntimeWarning, match="batching the tape's scalar calls failed"):
        compiled = compare_compiled(lambda: micrograd_step(0), [xs] * 4)
    assert compiled.eager_reason is None and "put" not in tape_names(compiled)


SCALAR_OPS = {
    "mul": lambda a, b: a * b,
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - 0.5 * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "exp": lambda a, b: (a * 0.1).exp(),
    "square": lambda a, b: a ** 2,
    "abs": lambda a, b: a.abs(),
    "maximum": lambda a, b: autograd.maximum(a, b),
    "sqrt": lambda a, b: (a * a + 1.0).sqrt(),
    "expand": lambda a, b: (a.expand((3,)) * b).sum(),
    "reshape": lambda a, b: a.reshape(1, 1).sum() + b,
    "where": lambda a, b: autograd.where(a.data > 0, a, b),
}


def scalar_program(ops, picks):
    """A micrograd-style step over 12 0-d parameters: each op combines two earlier nodes."""
    params = [Tensor(0.1 * i - 0.5, requires_grad=True, dtype="float64") for i in range(12)]

    def loss_of(x):
        nodes = [p * Tensor(x) for p in params]
        for name, (i, j) in zip(ops, picks):
            nodes.append(SCALAR_OPS[name](nodes[i % len(nodes)], nodes[j % len(nodes)]))
        return sum(nodes[-4:]) + 1e-3 * sum(p * p for p in params)
    return sgd_step(params, loss_of, 0.05), params


@settings(max_examples=25, deadline=None)
@given(ops=st.lists(st.sampled_from(sorted(SCALAR_OPS)), min_size=1, max_size=12),
       picks=st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99)), min_size=12,
                      max_size=12),
       seed=st.integers(0, 2 ** 16))
def test_property_compiled_scalar_programs_equal_eager_bit_for_bit(ops, picks, seed):
    rng = np.random.default_rng(seed)
    compiled = compare_compiled(lambda: scalar_program(ops, picks),
                                [(np.array(rng.normal()),) for _ in range(5)])
    assert compiled.eager_reason is None, compiled.eager_reason
    assert "put" in tape_names(compiled)                                # batches formed
