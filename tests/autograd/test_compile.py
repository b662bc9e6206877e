"""autograd.compile: a traced step replays bit for bit what eager steps do, and says when it can't."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
import nn
import optim
from autograd import Tensor, no_grad

OPS = {
    "mul": lambda h, w, b: h * b,
    "add": lambda h, w, b: h + b,
    "sub": lambda h, w, b: h - 0.5 * b,
    "tanh": lambda h, w, b: h.tanh(),
    "sigmoid": lambda h, w, b: h.sigmoid(),
    "relu": lambda h, w, b: h.relu(),
    "exp": lambda h, w, b: (h * 0.1).exp(),
    "matmul": lambda h, w, b: h @ w,
    "square": lambda h, w, b: h ** 2,
    "div": lambda h, w, b: h / (b * b + 1.0),
    "abs": lambda h, w, b: h.abs(),
    "maximum": lambda h, w, b: autograd.maximum(h, b),
    "where": lambda h, w, b: autograd.where(h.data > 0, h, b * h),
    "softmax": lambda h, w, b: h.softmax(axis=1),
    "log_softmax": lambda h, w, b: h.log_softmax(axis=1),
    "mean_keep": lambda h, w, b: h - h.mean(axis=1, keepdims=True),
    "transpose": lambda h, w, b: (h.T @ h).sum(axis=0, keepdims=True) * 0.01 + h,
    "slice": lambda h, w, b: autograd.concatenate([h[:, :2], h[:, 2:] * 2.0], axis=1),
    "index": lambda h, w, b: h[np.array([0, 2, 1]), :] + h,
    "sqrt": lambda h, w, b: (h * h + 1.0).sqrt(),
    "var": lambda h, w, b: h - h.var(axis=0, keepdims=True),
}


def program(ops, dtype):
    """A step over parameters (w, b): loss = sum(f(x)), backward, one SGD update."""
    rng = np.random.default_rng(1)
    w = Tensor(rng.standard_normal((4, 4)).astype(dtype) * 0.5, requires_grad=True)
    b = Tensor(rng.standard_normal(4).astype(dtype), requires_grad=True)

    def step(x):
        w.grad = b.grad = None
        h = Tensor(x) @ w + b                   # every program depends on the parameters
        for name in ops:
            h = OPS[name](h, w, b)
        loss = h.sum()
        loss.backward()
        with no_grad():
            for p in (w, b):
                p.data -= 0.01 * p.grad.data
        return loss
    return step, (w, b)


@settings(max_examples=25, deadline=None)
@given(ops=st.lists(st.sampled_from(sorted(OPS)), min_size=1, max_size=6),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2 ** 16))
def test_property_compiled_steps_equal_eager_steps_bit_for_bit(ops, dtype, seed):
    eager, (we, be) = program(ops, dtype)
    compiled_fn, (wc, bc) = program(ops, dtype)
    compiled = autograd.compile(compiled_fn)
    rng = np.random.default_rng(seed)
    for call in range(6):                           # warm-up, trace, checked replay, replays
        x = rng.standard_normal((3, 4)).astype(dtype)
        a, c = eager(x), compiled(x)
        assert a.data.tobytes() == c.data.tobytes(), (ops, call)
        for p, q in ((we, wc), (be, bc)):
            assert p.data.tobytes() == q.data.tobytes(), (ops, call)
            assert p.grad.data.tobytes() == q.grad.data.tobytes(), (ops, call)
    assert compiled.eager_reason is None, compiled.eager_reason
    assert compiled.traces == 1 and len(compiled.tape) > len(ops)


def mlp_training(opt_name, dropout=0.0, seed=0, sizes=(5, 16, 3)):
    nn.manual_seed(seed)
    n_in, hidden, n_out = sizes
    layers = [nn.Linear(n_in, hidden), nn.Tanh()] \
        + ([nn.Dropout(dropout)] if dropout else []) + [nn.Linear(hidden, n_out)]
    model = nn.Sequential(*layers)
    make = {"sgd": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
            "adam": lambda p: optim.Adam(p, lr=0.01), "adamw": lambda p: optim.AdamW(p, lr=0.01),
            "rmsprop": lambda p: optim.RMSprop(p, lr=0.01),
            "adagrad": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01)}
    opt = make[opt_name](model.parameters())
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(Tensor(x)), y)
        loss.backward()
        opt.step()
        return loss
    return step, model, opt


@pytest.mark.parametrize("opt_name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_a_compiled_training_loop_trains_exactly_as_the_eager_one(opt_name):
    eager, me, oe = mlp_training(opt_name)
    fn, mc, oc = mlp_training(opt_name)
    compiled = autograd.compile(fn)
    rng = np.random.default_rng(0)
    for _ in range(8):
        x, y = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
        assert eager(x, y).item() == compiled(x, y).item()
    assert compiled.eager_reason is None
    for p, q in zip(me.parameters(), mc.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    for (_, s), (_, t) in zip(oe.state.items(), oc.state.items()):
        for k in s:
            np.testing.assert_array_equal(s[k], t[k])


def test_dropout_draws_fresh_masks_on_every_replay_as_eager_does():
    eager, me, _ = mlp_training("sgd", dropout=0.5)
    fn, mc, _ = mlp_training("sgd", dropout=0.5)
    compiled = autograd.compile(fn)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(6):
        x, y = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
        autograd.manual_seed(7)
        a = eager(x, y).item()
        autograd.manual_seed(7)
        b = compiled(x, y).item()
        assert a == b
        losses.append(b)
    assert compiled.eager_reason is None
    # fresh masks: the same input twice gives two different losses
    x, y = np.ones((12, 5)), np.zeros(12, dtype=np.int64)
    assert compiled(x, y).item() != compiled(x, y).item()


def test_micrograds_update_written_straight_to_arrays_is_replayed():
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)

    @autograd.compile
    def step(x):
        w.grad = None
        loss = ((w * x).sum() - 1.0) ** 2
        loss.backward()
        w.data -= 0.1 * w.grad.data          # a plain NumPy update, outside any op
        return loss
    got = [round(step(np.array([1.0, 1.0])).item(), 6) for _ in range(5)]
    assert got == [4.0, 1.44, 0.5184, 0.186624, 0.067185]
    assert step.eager_reason is None and step.traces == 1


def test_value_dependent_control_flow_falls_back_to_eager_with_one_warning():
    w = Tensor(np.array([1.0]), requires_grad=True)

    def step(x):
        loss = (w * x).sum()
        if loss.item() > 0:                     # Python branching on a value
            loss = loss * 2
        return loss
    compiled = autograd.compile(step)
    with pytest.warns(RuntimeWarning, match="runs eagerly: item.. of a traced array"):
        values = [compiled(np.array([v])).item() for v in (1.0, 2.0, -3.0)]
    assert values == [2.0, 4.0, -3.0]             # right answers: eager
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # only one warning
        assert compiled(np.array([4.0])).item() == 8.0


def test_python_state_the_tape_cannot_see_is_caught_by_the_checking_replay():
    counter = [0]
    w = Tensor(np.array([1.0]), requires_grad=True)

    def step(x):
        counter[0] += 1                          # a Python number the tape would freeze
        return (w * x * float(counter[0])).sum()
    compiled = autograd.compile(step)
    with pytest.warns(RuntimeWarning, match="did not reproduce its return value"):
        values = [compiled(np.array([1.0])).item() for _ in range(4)]
    assert values == [1.0, 2.0, 3.0, 4.0]


def test_new_shapes_or_dtypes_trace_again():
    w = Tensor(np.ones(3), requires_grad=True)
    compiled = autograd.compile(lambda x: (Tensor(x) @ w).sum())
    for shape in [(2, 3)] * 3 + [(5, 3)] * 3 + [(2, 3)] * 3:
        x = np.arange(np.prod(shape), dtype=float).reshape(shape)
        assert compiled(x).item() == x.sum()
    assert compiled.traces == 3


def test_outputs_are_copies_and_the_tape_reads_as_numpy_calls():
    w = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    compiled = autograd.compile(lambda x: Tensor(x) * w)
    outs = [compiled(np.array([1.0, float(i)])) for i in range(4)]
    assert [o.data.tolist() for o in outs] == [[2.0, 0.0], [2.0, 3.0], [2.0, 6.0], [2.0, 9.0]]
    assert not outs[-1].requires_grad and outs[-1].grad_fn is None
    assert compiled.tape.describe() == [("multiply", ((2,), (2,)))]


def test_a_replay_allocates_no_new_arrays():
    import tracemalloc
    step, _, _ = mlp_training("adam")
    compiled = autograd.compile(step)
    x, y = np.ones((12, 5)), np.zeros(12, dtype=np.int64)
    for _ in range(4):
        compiled(x, y)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(20):
        compiled(x, y)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename") if s.size_diff > 0)
    assert grown < 20_000, grown          # no array is kept per replay (outputs are 0-d copies)


def test_a_replay_makes_no_temporary_the_size_of_a_weight():
    # the leaves' gradient copies (a traced array is always a view, so the engine copies it)
    # replay as np.copyto into their buffers, not as a fresh copy copied again
    import tracemalloc
    step, _, _ = mlp_training("sgd", sizes=(300, 200, 10))
    compiled = autograd.compile(step)
    x, y = np.ones((8, 300), dtype=np.float32), np.zeros(8, dtype=np.int64)
    for _ in range(4):
        compiled(x, y)
    tracemalloc.start()
    tracemalloc.reset_peak()
    for _ in range(5):
        compiled(x, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 300 * 200 * 4 / 5, peak      # measured: 8 kB; the weight is 240 kB


def test_a_failed_trace_leaves_the_state_as_it_was():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)

    def step(x):
        w.data *= 2.0                            # changes state, then...
        if (w * x).sum().item() > 0:             # ...cannot be traced
            w.data += 1.0
        return w.data.copy()
    eager_w = Tensor(np.array([1.0, 2.0]))
    compiled = autograd.compile(step)
    with pytest.warns(RuntimeWarning, match="runs eagerly"):
        for _ in range(3):
            got = compiled(np.ones(2))
            eager_w.data *= 2.0
            eager_w.data += 1.0
            np.testing.assert_array_equal(got, eager_w.data)


def test_gradients_flow_through_a_compiled_function_and_gradcheck_accepts_it():
    f = autograd.compile(lambda x, w: ((x * w).tanh() ** 2).sum())
    w = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    assert autograd.gradcheck(f, [Tensor(np.array([1.0, 2.0, 0.3]), requires_grad=True), w])
    assert f.traces == 1 and f.eager_reason is None
    x = Tensor(np.array([0.2, -0.4, 1.0]), requires_grad=True)
    y = f(x, w)
    assert y.grad_fn.name == "_CompiledCall"
    y.backward()
    x2 = Tensor(x.data.copy(), requires_grad=True)
    w2 = Tensor(w.data.copy(), requires_grad=True)
    ((x2 * w2).tanh() ** 2).sum().backward()
    assert x.grad.data.tobytes() == x2.grad.data.tobytes()


def test_backward_of_an_older_compiled_call_is_refused():
    f = autograd.compile(lambda x: (x * x).sum())
    xs = [Tensor(np.array([float(i), 1.0]), requires_grad=True) for i in range(5)]
    ys = [f(x) for x in xs]
    ys[-1].backward()
    np.testing.assert_array_equal(xs[-1].grad.data, [8.0, 2.0])
    with pytest.raises(RuntimeError, match="called again"):
        ys[-2].backward()


def test_the_tape_is_a_graph_viz_draws():
    viz = pytest.importorskip("viz")
    step, _, _ = mlp_training("sgd")
    compiled = autograd.compile(step)
    x, y = np.ones((12, 5)), np.zeros(12, dtype=np.int64)
    for _ in range(3):
        compiled(x, y)
    sinks = compiled.tape.graph()
    spec = viz.graph.build_graph(sinks)
    ops = [n for n in spec.nodes.values() if n.kind == "op"]
    assert len(ops) == len(compiled.tape)
    assert {"matmul", "tanh", "subtract"} <= {n.title for n in ops}
    assert "matmul" in viz.draw_graph(sinks).source
