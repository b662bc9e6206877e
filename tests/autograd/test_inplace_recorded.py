"""In-place ops recorded in the graph (PyTorch's semantics), and what is refused instead.

A tensor changed in place while recording gets a new history whose input is
its old one (``out += w`` is ``out = old_out + w``); a value that requires
grad written into a tensor that does not (``buf[i] = w * 3``, ``z += w``)
makes it require grad. Each program here runs on chainrule and, where torch
is installed, on torch with the same spelling, and the gradients must agree.
Where chainrule cannot route a gradient correctly it must raise, never give
a wrong number.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import broadcastable_shapes, floats_away_from, shapes, tensors

W = np.array([0.7, -1.3, 2.1])
V = np.array([[2.0, -1.0, 0.5], [3.0, 1.5, -2.0]])


def _seq2seq(L, w, v):
    enc = L.zeros(3, 2, dtype=L.float64)          # the tutorial's encoder_outputs
    for i in range(3):
        enc[i] = w[i] * v[0, :2]
    return (enc * v[1, :2]).sum()


def _through_view_of_a_tracked_tensor(L, w, v):
    buf = L.zeros(2, 3, dtype=L.float64)
    buf[0] = w * 3
    buf[1].mul_(w)                                   # a view of a tensor with a history
    buf[1].add_(w * w)
    return (buf * v).sum()


def _nested_views(L, w, v):
    buf = L.zeros(2, 3, dtype=L.float64)
    buf[1][0:2].copy_(w[:2])
    buf[0, 1:] = w[1:] * 2
    return (buf * v).sum()


PROGRAMS = {
    "audit: setitem and copy_ into a buffer": lambda L, w, v: _audit(L, w, v),
    "audit: z += w": lambda L, w, v: _zeros_plus(L, w, v),
    "resnet: out += identity": lambda L, w, v: _resnet(L, w, v),
    "(w * 1).mul_(2)": lambda L, w, v: ((w * 1).mul_(2) ** 2).sum(),
    "add_ sub_ with alpha, div_": lambda L, w, v: _arith_full(L, w, v),
    "clamp_ exp_ relu_": lambda L, w, v: _unary(L, w, v),
    "masked_fill_ and fill_ with a 0-d value": lambda L, w, v: _fills(L, w, v),
    "copy_ broadcasting, zero_": lambda L, w, v: _copies(L, w, v),
    "setitem with an advanced index": lambda L, w, v: _advanced(L, w, v),
    "seq2seq encoder_outputs[ei] = ...": _seq2seq,
    "through a view of a tensor with a history": _through_view_of_a_tracked_tensor,
    "nested views": _nested_views,
    "x.mul_(x)": lambda L, w, v: ((w * 1).mul_(w * 1) * v[0]).sum() + _self_mul(L, w, v),
    "micrograd: c += c + 1": lambda L, w, v: _micrograd(L, w, v),
    "in place twice, then used": lambda L, w, v: _twice(L, w, v),
}


def _audit(L, w, v):
    buf = L.zeros(2, 3, dtype=L.float64)
    buf[0] = w * 3
    buf[1].copy_(w)
    return (buf * v).sum()


def _zeros_plus(L, w, v):
    z = L.zeros(3, dtype=L.float64)
    z += w
    return (z * z * v[0]).sum()


def _resnet(L, w, v):
    out = w * v - 1.0                      # as a BatchNorm's output: nothing saved it
    identity = w
    out += identity
    return out.relu().sum()


def _unary(L, w, v):
    h = w * v[0]
    h.clamp_(-1.0, 1.5)
    h.exp_()
    g = w * v[1]
    g.relu_()
    return (h * g).sum() + h.sum()


def _fills(L, w, v):
    h = w * v[1]
    h.masked_fill_(h > 0, 0.25)
    z = L.zeros(2, dtype=L.float64)
    z.fill_((w * w).sum())
    return (h * w).sum() + z.sum()


def _copies(L, w, v):
    buf = L.zeros(2, 3, dtype=L.float64)
    buf.copy_(w)                           # broadcast over the rows
    h = w * 2
    h.zero_()
    return (buf * v).sum() + (h * v[0]).sum()


def _advanced(L, w, v):
    buf = L.zeros(5, dtype=L.float64)
    buf[L.tensor([0, 3])] = w[:2] * v[0, :2]
    buf[1:3] = w[2]
    return (buf * buf).sum()


def _self_mul(L, w, v):
    h = w * v[0]
    h.mul_(h)                               # h**2
    h += h                                  # 2 h**2
    return h.sum()


def _micrograd(L, w, v):
    c = w * 1
    c += c + 1
    d = w * v[0]
    d += d * 2 + (c + w).relu()
    return (c * d).sum()


def _twice(L, w, v):
    out = w * v[0]
    out += w
    out *= v[1]
    y = out * w
    return y.sum()


def _arith_full(L, w, v):
    h = w * 1
    h.add_(v[0], alpha=2)
    h.sub_(w * 0.5, alpha=3)
    h.div_(w * w + 1)
    return (h * v[1]).sum()


def _run(L, program):
    w = L.tensor(W, requires_grad=True)
    v = L.tensor(V)
    out = program(L, w, v)
    out.backward()
    return float(out.item()), np.asarray(w.grad.detach().numpy() if hasattr(w.grad, "detach")
                                         else w.grad.data)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_recorded_in_place_programs_match_the_chain_rule(name):
    def f(w):
        return PROGRAMS[name](autograd, w, Tensor(V))
    gradcheck(f, [Tensor(W, requires_grad=True)])


TORCH_REFUSES = {"x.mul_(x)"}      # torch: "modified by an inplace operation"; ours is right


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_recorded_in_place_programs_match_torch(name):
    torch = pytest.importorskip("torch")
    if name in TORCH_REFUSES:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            _run(torch, PROGRAMS[name])
        return
    ours, ours_grad = _run(autograd, PROGRAMS[name])
    theirs, theirs_grad = _run(torch, PROGRAMS[name])
    assert ours == pytest.approx(theirs, rel=1e-12)
    np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-12, atol=1e-12)


def test_the_audited_silent_case_now_has_the_gradient():
    w = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    buf = autograd.zeros(2, 3)
    buf[0] = w * 3
    buf[1].copy_(w)
    (buf * Tensor(np.full((2, 3), 2.0, dtype=np.float32))).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [8, 8, 8])
    w.grad = None
    z = autograd.zeros(3)
    z += w
    assert z.requires_grad and not z.is_leaf and z.grad_fn.name == "Add"
    z.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [1, 1, 1])


# -- gradchecks of the new nodes over broadcasting shapes, 0-d included ----------------------

@settings(max_examples=30, deadline=None)
@given(st.data())
def test_property_recorded_arithmetic_in_place_gradchecks(data):
    shape, other_shape = data.draw(broadcastable_shapes(2, max_dims=3, max_side=3))
    shape = np.broadcast_shapes(shape, other_shape)      # in place: the result keeps x's shape
    x = data.draw(tensors(shape=shape, elements=floats_away_from((0.0,), 0.3)))
    y = data.draw(tensors(shape=other_shape, elements=floats_away_from((0.0,), 0.3)))
    op = data.draw(st.sampled_from(["add_", "sub_", "mul_", "div_", "copy_"]))

    def f(x, y):
        h = x * 1.0
        getattr(h, op)(y)
        return h * x
    gradcheck(f, [x, y])
    gradgradcheck(f, [x, y])


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_property_setitem_gradchecks_with_basic_indices(data):
    shape = data.draw(shapes(min_dims=0, max_dims=3, max_side=3))
    x = data.draw(tensors(shape=shape))
    index = data.draw(autograd.testing.basic_indices(shape))
    part_shape = np.zeros(shape)[index].shape
    v = data.draw(tensors(shape=part_shape))

    def f(x, v):
        h = x * 2.0
        h[index] = v * v
        return h * x
    gradcheck(f, [x, v])
    gradgradcheck(f, [x, v])


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_property_writes_into_a_constant_buffer_gradcheck(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
    v = data.draw(tensors(shape=shape[1:]))
    row = data.draw(st.integers(0, shape[0] - 1))
    op = data.draw(st.sampled_from(["setitem", "copy_", "add_"]))

    def f(v):
        buf = Tensor(np.ones(shape))
        if op == "setitem":
            buf[row] = v.exp()
        else:
            getattr(buf[row], op)(v.exp())
        return buf * buf
    gradcheck(f, [v])
    gradgradcheck(f, [v])


def test_the_setitem_node_gradchecks_directly_including_0d():
    from autograd.inplace import setitem
    for shape, index, vshape in [((), (), ()), ((3,), 1, ()), ((2, 3), (slice(None), 1), (2,)),
                                 ((2, 3), np.array([1, 0]), (3,)), ((4,), slice(1, 3), (1,))]:
        x = Tensor(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape), requires_grad=True)
        v = Tensor(np.full(vshape, 0.3), requires_grad=True)
        gradcheck(lambda x, v: setitem(x, v, index) * x, [x, v])
        gradgradcheck(lambda x, v: setitem(x, v, index) * x, [x, v])


# -- refused, with nothing changed -------------------------------------------------------------

def _unchanged(t, before, version):
    np.testing.assert_array_equal(t.data, before)
    assert t._version == version


def test_a_leaf_that_requires_grad_is_refused_and_a_view_of_it_too():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add_: .*leaf"):
        w += 1
    with pytest.raises(RuntimeError, match=r"mul_: .*view of a leaf"):
        w[0].mul_(2)
    _unchanged(w, [1.0, 2.0], 0)
    assert w.is_leaf and w.grad_fn is None


def test_a_view_made_by_reshape_or_permute_is_refused_while_recording():
    w = Tensor(np.ones(4), requires_grad=True)
    h = w * 2
    with pytest.raises(RuntimeError, match=r"add_: in-place change of a view made by Reshape"):
        h.reshape(2, 2).add_(w.reshape(2, 2))
    buf = autograd.zeros(2, 2)
    with pytest.raises(RuntimeError, match=r"copy_: .*view made by Permute"):
        buf.T.copy_(w.reshape(2, 2))
    _unchanged(buf, np.zeros((2, 2)), 0)
    _unchanged(h, np.full(4, 2.0), 0)


def test_a_live_view_made_outside_the_graph_by_reshape_is_refused():
    w = Tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    buf = autograd.zeros(4)
    flat = buf.reshape(2, 2)                         # would change without a gradient
    with pytest.raises(RuntimeError, match=r"__setitem__: .*made by Reshape.*shares its memory"):
        buf[0] = w[0]
    _unchanged(buf, np.zeros(4), 0)
    del flat
    buf[0] = w[0]                                    # the view is gone: fine
    assert buf.requires_grad


def test_live_views_made_by_indexing_outside_the_graph_get_the_new_history():
    w = Tensor([1.0, 2.0], requires_grad=True, dtype="float64")
    buf = autograd.zeros(2, 2, dtype=autograd.float64)
    row = buf[1]                                     # made before the write
    buf[1] = w * 3
    assert row.requires_grad
    (row * row).sum().backward()                     # d/dw (3w)^2 = 18 w
    np.testing.assert_allclose(w.grad.data, [18.0, 36.0])


def test_an_integer_tensor_cannot_take_a_value_that_requires_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    counts = Tensor(np.zeros(2, dtype=np.int64))
    with pytest.raises(TypeError, match=r"add_: .*integer"):
        counts += w
    _unchanged(counts, [0, 0], 0)


def test_an_in_place_op_cannot_change_the_shape():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    h = Tensor(np.zeros(3))
    with pytest.raises(ValueError, match=r"add_: .*cannot change the shape"):
        h += w
    _unchanged(h, np.zeros(3), 0)
    assert not h.requires_grad


def test_an_op_recorded_before_the_change_that_used_the_tensor_is_refused_at_backward():
    # PyTorch routes y's gradient to h's value before mul_; chainrule's graph edges are the
    # Tensor objects, so it cannot: it raises instead of giving a wrong gradient
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = h + 1                                         # Add saves nothing
    h.mul_(3)
    with pytest.raises(RuntimeError, match=r"Add.backward: .*modified by an in-place op "
                                           r"recorded in the graph"):
        (y + h).sum().backward()
    v = Tensor([1.0, 1.0], requires_grad=True)
    g = x * 2
    y = g * v                                         # Mul saved g: the version check
    g.mul_(3)
    with pytest.raises(RuntimeError, match=r"Mul.backward"):
        (y + g).sum().backward()


def test_an_earlier_user_of_a_constant_then_given_a_history_is_refused():
    w = Tensor([1.0, 2.0], requires_grad=True)
    z = autograd.zeros(2)
    y = z + w                                         # z did not require grad then
    z += w
    with pytest.raises(RuntimeError, match=r"Add.backward"):
        (y + z).sum().backward()


def test_the_clone_spelling_runs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = h + 1
    h = h.clone()
    h.mul_(3)
    (y + h).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [8.0, 8.0])


def test_under_no_grad_nothing_is_recorded():
    w = Tensor([1.0, 2.0], requires_grad=True)
    buf = autograd.zeros(2)
    with autograd.no_grad():
        buf += w
        w += 1
    assert not buf.requires_grad and buf.grad_fn is None
    np.testing.assert_array_equal(buf.data, [1.0, 2.0])


def test_views_made_outside_the_graph_are_remembered_by_every_view_op():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    made = {
        "getitem": x[1], "0-d getitem": x[1, 2, 3], "reshape": x.reshape(6, 4),
        "view": x.view(-1), "flatten": x.flatten(1), "permute": x.permute(2, 0, 1),
        "transpose": x.transpose(0, 1), "T": x.T, "expand": x[:, :1].expand(2, 5, 4),
        "squeeze": x[:1].squeeze(0), "unsqueeze": x.unsqueeze(0), "narrow": x.narrow(2, 1, 2),
        "split": x.split(1)[0], "chunk": x.chunk(2, dim=2)[1], "unbind": x.unbind(1)[2],
        "flip": x.flip(0), "t": x[0].t(),
    }
    for name, v in made.items():
        if np.shares_memory(v.data, x.data):
            assert getattr(v, "_view", None) is not None, name


def test_relu_inplace_method_is_there():
    x = Tensor([-1.0, 2.0])
    assert x.relu_() is x
    np.testing.assert_array_equal(x.data, [0.0, 2.0])


# -- random programs: PyTorch's gradient, the chain rule's, or a clear error; never another ------

_STEP = st.one_of(
    st.tuples(st.just("op"), st.sampled_from(["add", "mul", "tanh", "scaled"]),
              st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("inplace"), st.sampled_from(["add_", "mul_", "copy_", "sub_", "tanh"]),
              st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("setitem"), st.sampled_from([0, 2, slice(0, 2), slice(None)]),
              st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("view"), st.sampled_from([slice(None), slice(0, 3)]),
              st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.sampled_from(["detach", "no_grad"]), st.just(None), st.integers(0, 20),
              st.integers(0, 20)),
)


def _program(L, w, steps):
    pool = [w, w * 1.5, L.zeros(3, dtype=L.float64), L.tensor(np.array([0.3, -0.2, 0.9]))]
    for kind, what, i, j in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if kind == "op":
            pool.append({"add": lambda: a + b, "mul": lambda: a * b, "tanh": lambda: a.tanh(),
                         "scaled": lambda: a * 0.5 - 0.25}[what]())
        elif kind == "inplace":
            if what == "tanh":
                a.clamp_(-1.0, 1.0)
            else:
                getattr(a, what)(b)
        elif kind == "setitem":
            a[what] = b[what]
        elif kind == "detach":
            pool.append(a.detach())
        elif kind == "no_grad":
            with (L.no_grad()):
                a.mul_(1.25)
        else:
            pool.append(a[what])
    return sum(((t * (k + 1)).sum() for k, t in enumerate(pool)), L.tensor(0.0, dtype=L.float64))


@settings(max_examples=int(__import__("os").environ.get("INPLACE_EXAMPLES", 60)), deadline=None)
@given(st.lists(_STEP, min_size=1, max_size=6))
def test_property_random_in_place_programs_are_right_or_refused(steps):
    torch = pytest.importorskip("torch")
    outcomes = []
    for L in (autograd, torch):
        w = L.tensor(np.array([0.4, -0.7, 1.1]), requires_grad=True)
        try:
            _program(L, w, steps).backward()
        except RuntimeError as e:
            outcomes.append(e)
            continue
        outcomes.append(None if w.grad is None else
                        np.array(w.grad.detach().numpy() if L is torch else w.grad.data))
    ours, theirs = outcomes
    if isinstance(ours, RuntimeError):
        assert "in-place" in str(ours) or "in place" in str(ours), ours
    elif isinstance(theirs, RuntimeError):        # torch refuses: check ours numerically,
        if any(step[0] in ("detach", "no_grad") for step in steps):
            return       # unless values changed outside the graph (numbers not differentiated)
        gradcheck(lambda w: _program(autograd, w, steps), [Tensor(np.array([0.4, -0.7, 1.1]),
                                                                  requires_grad=True)])
    elif ours is None or theirs is None:
        assert ours is None and theirs is None
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_many_live_row_views_are_remembered_without_rescanning_on_every_view():
    # rows = [X[i] for i in range(n)] keeps n unrecorded views of one buffer alive; the list
    # of them is pruned of dead views only after it doubles, not on every new view
    from autograd import versions
    x = Tensor(np.zeros((1000, 2)))
    rows = [x[i] for i in range(1000)]
    assert versions.live_views(x.data) == rows
    views = versions._buffers[id(versions.buffer_of(x.data))][4]
    assert len(views) == 1000 and views.prune_at > 1000
    del rows
    assert versions.live_views(x.data) == []
