"""The backward engine, Tensor graph bookkeeping and the recording modes.

Per-op gradients are checked elsewhere (test_ops_*); this module checks what
the engine promises for any graph: fan-out, visiting order, memory, retain and
create graph, autograd.grad, hooks, versions, modes and dtype rules.
"""
import gc
import inspect
import os
import threading
import weakref

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def counting_square():
    """A fresh custom Function x**2 that counts its backward calls and records grad mode."""
    calls = []

    class CountingSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data ** 2

        @staticmethod
        def backward(ctx, grad):
            calls.append(autograd.is_grad_enabled())
            x, = ctx.saved_tensors
            return grad * 2 * x

    return CountingSquare, calls


# -- graph walk --------------------------------------------------------------------------------

def test_fan_out_gradients_accumulate():
    x = leaf([0.5, -1.5, 2.0])
    y = (x * x * x + x.exp() + x + x * 3.0 - x / 2.0).sum()
    y.backward()
    expected = 3 * x.data ** 2 + np.exp(x.data) + 1 + 3 - 0.5
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


def test_same_tensor_twice_in_one_op():
    x = leaf([1.5, -2.0])
    ((x * x) + (x + x)).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data + 2)


def test_each_node_backward_called_once_with_fan_out():
    Square, calls = counting_square()
    x = leaf([0.3, -0.7])
    s = Square.apply(x)                              # consumed three times below
    y = (s * 2.0 + s.exp() + (s + s)).sum()
    y.backward()
    assert len(calls) == 1
    np.testing.assert_allclose(x.grad.data, (2 + np.exp(x.data ** 2) + 2) * 2 * x.data)


def test_stacked_diamonds_visit_each_node_once():
    # 30 diamonds: a walk per path would call backward 2**30 times.
    Square, calls = counting_square()
    x = leaf(1.0)
    h = x
    for _ in range(30):
        s = Square.apply(h * 0.5)
        h = s + s
    h.backward()
    assert len(calls) == 30
    # h_{k+1} = 2 (h_k / 2)^2 = h_k^2 / 2; from h = 1 the value stays 2^(1 - 2^k)
    # and dh/dh_prev = h_prev, so the chain is a product of the values.
    value, deriv = 1.0, 1.0
    for _ in range(30):
        deriv *= value
        value = value ** 2 / 2
    np.testing.assert_allclose(h.data, value)
    np.testing.assert_allclose(x.grad.data, deriv)


def test_backward_through_a_100k_node_chain():
    x = leaf(0.25)
    y = x
    for i in range(50_000):                          # two nodes per step
        y = y * 1.0
        y = y + 1.0
    y.backward()                                     # far deeper than the recursion limit
    assert y.item() == 0.25 + 50_000
    assert x.grad.item() == 1.0
    del y                                            # freeing the chain must not overflow either


def test_plain_backward_records_nothing_and_create_graph_does():
    Square, calls = counting_square()
    x = leaf([1.0, 2.0])
    Square.apply(x).sum().backward()
    assert calls == [False]
    assert x.grad.grad_fn is None and not x.grad.requires_grad

    x.grad = None
    Square.apply(x).sum().backward(create_graph=True)
    assert calls == [False, True]
    assert x.grad.grad_fn is not None and x.grad.requires_grad


# -- memory ------------------------------------------------------------------------------------

def _build_graph():
    x = leaf([0.5, 1.5, -2.0])
    w = leaf([1.0, 2.0, 3.0])
    h = x * w
    t = h.tanh()                      # backward reads its own output
    e = (t + h).exp()
    y = (e * x).sum()
    return x, w, y, [h, t, e]


def _assert_all_dead(refs):
    alive = [r() for r in refs if r() is not None]
    assert not alive, f"still alive: {alive}"


@pytest.mark.parametrize("gc_enabled", [False, True], ids=["gc-disabled", "gc-enabled"])
def test_graph_is_garbage_after_backward_and_dropping_the_output(gc_enabled):
    was_enabled = gc.isenabled()
    gc.collect()
    if not gc_enabled:
        gc.disable()        # no cycles: reference counting alone must free the graph
    try:
        x, w, y, inner = _build_graph()
        refs = [weakref.ref(t) for t in inner] + [weakref.ref(t.grad_fn) for t in inner]
        refs.append(weakref.ref(y.grad_fn))
        y.backward()
        del y, inner
        if gc_enabled:
            gc.collect()
        _assert_all_dead(refs)
        assert x.grad is not None and w.grad is not None    # the leaves keep their grads
    finally:
        if was_enabled:
            gc.enable()


def test_graph_is_garbage_without_backward_and_after_retain_graph():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _, _, y, inner = _build_graph()
        refs = [weakref.ref(t) for t in inner] + [weakref.ref(t.grad_fn) for t in inner]
        del y, inner
        _assert_all_dead(refs)

        _, _, y, inner = _build_graph()
        refs = [weakref.ref(t) for t in inner] + [weakref.ref(t.grad_fn) for t in inner]
        y.backward(retain_graph=True)
        del y, inner
        _assert_all_dead(refs)
    finally:
        if was_enabled:
            gc.enable()


def test_higher_order_graph_is_garbage_after_dropping_it():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        x = leaf([0.5, 2.0])
        h = x ** 3
        (g,) = autograd.grad(h.sum(), x, create_graph=True)
        (gg,) = autograd.grad(g.sum(), x)
        refs = [weakref.ref(h), weakref.ref(h.grad_fn), weakref.ref(g), weakref.ref(g.grad_fn)]
        del h, g
        _assert_all_dead(refs)
        np.testing.assert_allclose(gg.data, 6 * x.data)
    finally:
        if was_enabled:
            gc.enable()


# -- retain_graph and create_graph -------------------------------------------------------------

def test_retain_graph_allows_a_second_backward_and_grads_accumulate():
    x = leaf([1.0, -2.0, 3.0])
    w = leaf([0.5, 0.5, 2.0])
    y = (x * w).tanh().sum()
    y.backward(retain_graph=True)
    first_x, first_w = x.grad.data.copy(), w.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first_x)
    np.testing.assert_allclose(w.grad.data, 2 * first_w)


def test_second_backward_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data)     # the failed call added nothing


def test_second_autograd_grad_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        autograd.grad(y, x)


@pytest.mark.parametrize("x0, expected", [(1.0, (3.0, 6.0, 6.0)), (2.0, (12.0, 12.0, 6.0)),
                                          (-1.5, (6.75, -9.0, 6.0))])
def test_cube_derivatives_to_third_order(x0, expected):
    x = leaf(x0)
    y = x ** 3
    (d1,) = autograd.grad(y, x, create_graph=True)
    (d2,) = autograd.grad(d1, x, create_graph=True)
    (d3,) = autograd.grad(d2, x)
    np.testing.assert_allclose([d1.item(), d2.item(), d3.item()], expected, rtol=1e-12)
    assert d3.grad_fn is None and not d3.requires_grad


def test_tanh_derivatives_to_third_order():
    x = leaf([0.5, -1.2, 0.0])
    (d1,) = autograd.grad(x.tanh().sum(), x, create_graph=True)
    (d2,) = autograd.grad(d1.sum(), x, create_graph=True)
    (d3,) = autograd.grad(d2.sum(), x)
    t = np.tanh(x.data)
    np.testing.assert_allclose(d1.data, 1 - t ** 2, rtol=1e-12)
    np.testing.assert_allclose(d2.data, -2 * t * (1 - t ** 2), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(d3.data, (1 - t ** 2) * (6 * t ** 2 - 2), rtol=1e-12)


def test_mixed_second_derivative():
    x, y = leaf(1.5), leaf(-2.0)
    f = x * y * y
    dx, dy = autograd.grad(f, [x, y], create_graph=True)
    assert dx.item() == pytest.approx(y.item() ** 2)
    assert dy.item() == pytest.approx(2 * x.item() * y.item())
    (dxy,) = autograd.grad(dx, y)
    assert dxy.item() == pytest.approx(2 * y.item())


def test_backward_with_create_graph_gives_differentiable_grad():
    x = leaf([1.0, 2.0])
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    (h,) = autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)


def test_without_create_graph_grads_are_plain_leaves():
    x = leaf([1.0, 2.0])
    y = (x ** 3).sum()
    (g,) = autograd.grad(y, x, retain_graph=True)
    assert g.grad_fn is None and not g.requires_grad and g.is_leaf
    y.backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad


# -- autograd.grad -----------------------------------------------------------------------------

def test_grad_returns_a_tuple_one_per_input():
    x, w = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    y = (x * w).sum()
    single = autograd.grad(y, x, retain_graph=True)
    assert isinstance(single, tuple) and len(single) == 1
    both = autograd.grad(y, [x, w])
    assert isinstance(both, tuple) and len(both) == 2
    np.testing.assert_allclose(both[0].data, w.data)
    np.testing.assert_allclose(both[1].data, x.data)


def test_grad_allow_unused():
    x, unused = leaf([1.0, 2.0]), leaf([5.0])
    y = (x * 2.0).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = autograd.grad(y, [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx.data, [2.0, 2.0])


@pytest.mark.parametrize("as_tensor", [True, False], ids=["Tensor", "ndarray"])
def test_grad_outputs_weights_a_non_scalar_output(as_tensor):
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    v = np.array([1.0, -2.0, 0.5])
    (g,) = autograd.grad(y, x, grad_outputs=Tensor(v) if as_tensor else v)
    np.testing.assert_allclose(g.data, 2 * x.data * v)


def test_grad_with_several_outputs_sums_their_contributions():
    x = leaf([1.0, 2.0])
    y1, y2 = x * 3.0, x * x
    v1, v2 = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    (g,) = autograd.grad([y1, y2], x, grad_outputs=[v1, v2])
    np.testing.assert_allclose(g.data, 3 * v1 + 2 * x.data * v2)


def test_grad_does_not_touch_dot_grad():
    x = leaf([1.0, 2.0])
    autograd.grad((x * x).sum(), x)
    assert x.grad is None
    (x * 1.0).sum().backward()
    before = x.grad
    autograd.grad((x * x).sum(), x)
    assert x.grad is before
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_grad_wrt_non_leaf_inputs():
    x = leaf([1.0, -2.0])
    h = x * 3.0
    y = (h * h).sum()
    gh, gx = autograd.grad(y, [h, x])
    np.testing.assert_allclose(gh.data, 2 * h.data)
    np.testing.assert_allclose(gx.data, 18 * x.data)
    assert x.grad is None and h.grad is None


def test_grad_of_input_that_does_not_require_grad_raises():
    x, c = leaf([1.0]), Tensor(np.array([2.0]))
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        autograd.grad((x * c).sum(), [x, c])


# -- hooks, retain_grad, .grad -----------------------------------------------------------------

def test_hook_receives_the_gradient_on_a_leaf():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.data.copy()))
    (x * x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 2 * x.data)
    np.testing.assert_allclose(x.grad.data, 2 * x.data)


def test_hook_on_a_fanned_out_tensor_sees_the_total_once():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    seen = []
    h.register_hook(lambda g: seen.append(g.data.copy()))
    (h * h + h).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 2 * h.data + 1)


def test_hook_replacement_is_used():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10.0)
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, [30.0, 30.0])

    z = leaf([1.0, 2.0])
    h = z * 2.0
    h.register_hook(lambda g: g * 0.5)          # flows on to z
    (h * 4.0).sum().backward()
    np.testing.assert_allclose(z.grad.data, [4.0, 4.0])


def test_hook_replacement_under_create_graph_stays_differentiable():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 3.0)
    (g,) = autograd.grad((x ** 2).sum(), x, create_graph=True)  # hooks run for grad() too
    np.testing.assert_allclose(g.data, 6 * x.data)


def test_hook_handle_remove():
    x = leaf([1.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(1) or g * 100.0)
    (x * 1.0).sum().backward()
    handle.remove()
    handle.remove()                               # removing twice is harmless
    x.grad = None
    (x * 1.0).sum().backward()
    assert seen == [1]
    np.testing.assert_allclose(x.grad.data, [1.0])


def test_register_hook_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_on_non_leaves():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    k = h * h
    h.retain_grad()
    k.sum().backward()
    np.testing.assert_allclose(h.grad.data, 2 * h.data)
    assert k.grad is None                          # not retained: non-leaves get no .grad
    assert x.is_leaf and not h.is_leaf


def test_retained_grad_accumulates_like_a_leaf():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    h.retain_grad()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(h.grad.data, 4 * h.data)
    np.testing.assert_allclose(x.grad.data, 16 * x.data)


def test_grad_accumulates_across_backward_calls_until_reset():
    x = leaf([1.0, -1.0])
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 3.0 + 2 * x.data)
    x.grad = None
    (x * 5.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, [5.0, 5.0])


def test_leaves_sharing_a_gradient_array_do_not_alias():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()                       # add's backward hands one array to both
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data[...] = 99.0
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])

    a0, b0 = leaf(1.0), leaf(2.0)
    (a0 + b0).backward()                           # 0-d: the seed itself reaches both
    a0.grad.data[...] = 7.0
    assert b0.grad.item() == 1.0


def test_retained_grad_and_leaf_grad_do_not_alias():
    a = leaf([1.0, 2.0])
    h = a + 0.0
    h.retain_grad()
    (h * 2.0).sum().backward()
    h.grad.data[...] = -1.0
    np.testing.assert_array_equal(a.grad.data, [2.0, 2.0])


def test_second_backward_accumulates_into_own_grad_only():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (a + b).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(a.grad.data, [2.0, 2.0])
    np.testing.assert_array_equal(b.grad.data, [2.0, 2.0])


# -- version counter ---------------------------------------------------------------------------

def test_in_place_change_of_a_saved_input_is_detected():
    x, w = leaf(np.ones((2, 3))), leaf(np.full((2, 3), 2.0))
    y = (x * w).sum()
    with autograd.no_grad():
        w.mul_(3.0)
    with pytest.raises(RuntimeError) as err:
        y.backward()
    msg = str(err.value)
    assert "Mul" in msg and "(2, 3)" in msg and "float64" in msg and "in place" in msg
    assert x.grad is None


def test_in_place_change_of_a_saved_output_is_detected():
    x = leaf([0.0, 1.0])
    e = x.exp()                                    # exp's backward reads its own output
    y = e.sum()
    with autograd.no_grad():
        e[0] = 5.0
    with pytest.raises(RuntimeError, match="Exp"):
        y.backward()


def test_in_place_change_of_a_tensor_saved_by_a_custom_function_is_detected():
    Square, calls = counting_square()
    x = leaf([1.0, 2.0])
    y = Square.apply(x).sum()
    with autograd.no_grad():
        x.add_(1.0)
    with pytest.raises(RuntimeError, match="CountingSquare"):
        y.backward()


def test_ops_that_saved_nothing_are_unaffected_by_in_place_changes():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x + w - x.reshape(2)).sum()               # add, sub, reshape, sum save no tensors
    with autograd.no_grad():
        w.mul_(2.0)
        x.zero_()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    np.testing.assert_array_equal(w.grad.data, [1.0, 1.0])


def test_in_place_change_after_backward_is_fine():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x * w).sum().backward()
    with autograd.no_grad():
        w.sub_(w.grad)
    np.testing.assert_array_equal(w.data, [2.0, 2.0])


# -- detach and requires_grad ------------------------------------------------------------------

def test_detach_shares_data_and_cuts_the_graph():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    d = h.detach()
    assert np.shares_memory(d.data, h.data)
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    (x * x.detach()).sum().backward()              # only the first factor carries gradient
    np.testing.assert_array_equal(x.grad.data, x.data)


def test_requires_grad_propagation():
    x = leaf([1.0, 2.0])
    c = Tensor(np.array([3.0, 4.0]))
    y = x * c
    assert y.requires_grad and y.grad_fn is not None and not y.is_leaf
    z = c * c + 1.0
    assert not z.requires_grad and z.grad_fn is None and z.is_leaf
    cmp = x > 1.5
    assert cmp.dtype == np.bool_ and not cmp.requires_grad and cmp.grad_fn is None
    with autograd.no_grad():
        n = x * c
    assert not n.requires_grad and n.grad_fn is None
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)
    assert x.requires_grad_(False) is x and not x.requires_grad


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(np.array([1.0, 2.0])).sum().backward()


# -- modes -------------------------------------------------------------------------------------

def test_no_grad_as_context_and_decorator():
    x = leaf([1.0])
    with autograd.no_grad():
        assert not autograd.is_grad_enabled()
        assert (x * 2.0).grad_fn is None
    assert autograd.is_grad_enabled()

    @autograd.no_grad()
    def double(t):
        """Double t without recording."""
        return t * 2.0

    assert double(x).grad_fn is None
    assert double.__name__ == "double"
    assert autograd.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = leaf([1.0])
    with autograd.no_grad():
        with autograd.enable_grad():
            assert (x * 2.0).grad_fn is not None
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()


def test_set_grad_enabled_as_call_and_as_context_manager():
    x = leaf([1.0])
    try:
        autograd.set_grad_enabled(False)
        assert not autograd.is_grad_enabled() and (x * 2.0).grad_fn is None
        autograd.set_grad_enabled(True)
        assert autograd.is_grad_enabled() and (x * 2.0).grad_fn is not None
        with autograd.set_grad_enabled(False):
            assert (x * 2.0).grad_fn is None
            with autograd.set_grad_enabled(True):
                assert (x * 2.0).grad_fn is not None
            assert not autograd.is_grad_enabled()
        assert autograd.is_grad_enabled()
    finally:
        autograd.set_grad_enabled(True)


def test_modes_are_restored_when_the_block_raises():
    with pytest.raises(KeyError):
        with autograd.no_grad():
            raise KeyError("boom")
    assert autograd.is_grad_enabled()
    with pytest.raises(KeyError):
        with autograd.set_grad_enabled(False):
            raise KeyError("boom")
    assert autograd.is_grad_enabled()


def test_grad_mode_is_thread_local():
    x = leaf([1.0])
    worker_in_no_grad, main_checked = threading.Event(), threading.Event()
    seen = {}

    def worker():
        seen["starts_enabled"] = autograd.is_grad_enabled()     # main is in no_grad now
        seen["records"] = (x * 2.0).grad_fn is not None
        with autograd.no_grad():
            worker_in_no_grad.set()
            main_checked.wait(10)
            seen["own_no_grad"] = autograd.is_grad_enabled()
            seen["records_in_no_grad"] = (x * 2.0).grad_fn is not None

    with autograd.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        assert worker_in_no_grad.wait(10)
    # the worker is inside its no_grad; this thread's mode is its own
    main_enabled = autograd.is_grad_enabled()
    main_records = (x * 2.0).grad_fn is not None
    main_checked.set()
    t.join(10)
    assert main_enabled and main_records
    assert seen == {"starts_enabled": True, "records": True, "own_no_grad": False,
                    "records_in_no_grad": False}


def test_name_scope_nesting_is_recorded_in_grad_fn():
    x = leaf([1.0, 2.0])
    with autograd.name_scope("outer"):
        a = x * 2.0
        with autograd.name_scope("inner") as scope:
            assert scope == "outer/inner"
            b = a.tanh()
        c = b + 1.0
    d = c.sum()
    assert a.grad_fn.scope == "outer"
    assert b.grad_fn.scope == "outer/inner"
    assert c.grad_fn.scope == "outer"
    assert d.grad_fn.scope == ""
    d.backward()
    assert b.grad_fn.scope == "outer/inner"        # kept after backward frees the rest


def test_name_scope_rejects_bad_names():
    for bad in ["", "a/b", 3]:
        with pytest.raises(ValueError, match="name_scope"):
            autograd.name_scope(bad)


def _line_of(marker):
    """The line number in this file of the line that contains ``marker``."""
    lines = inspect.getsource(inspect.getmodule(_line_of)).splitlines()
    return next(i for i, text in enumerate(lines, 1) if marker in text and "_line_of" not in text)


def test_detect_anomaly_names_the_forward_op_and_its_line():
    x = leaf([-1.0, 1.0])
    with np.errstate(all="ignore"), autograd.detect_anomaly():
        assert autograd.is_anomaly_enabled()
        with pytest.raises(FloatingPointError) as err:
            x.log()  # anomaly-forward-here
    assert not autograd.is_anomaly_enabled()
    msg = str(err.value)
    assert "Log" in msg
    assert f"{os.path.basename(__file__)}\", line {_line_of('anomaly-forward-here')}" in msg


def test_detect_anomaly_names_the_backward_op_and_its_line():
    x = leaf([0.0, 1.0])
    with np.errstate(all="ignore"), autograd.detect_anomaly():
        s = x.sqrt()  # anomaly-backward-here
        y = (s * 3.0).tanh().sum()
        with pytest.raises(FloatingPointError) as err:
            y.backward()                           # sqrt'(0) = inf from finite upstream
    msg = str(err.value)
    assert "Sqrt" in msg and "Mul" not in msg.split("created")[0]
    assert f"{os.path.basename(__file__)}\", line {_line_of('anomaly-backward-here')}" in msg


def test_without_anomaly_mode_nan_and_inf_pass_silently():
    x = leaf([-1.0, 1.0])
    z = leaf([0.0, 1.0])
    with np.errstate(all="ignore"):
        y = x.log()
        z.sqrt().sum().backward()
    assert np.isnan(y.data[0])
    assert np.isinf(z.grad.data[0]) and z.grad.data[1] == 0.5


# -- dtypes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("op", [lambda t: t * 0.5, lambda t: t + 1, lambda t: 3 - t,
                                lambda t: t / 3.0, lambda t: 2.0 ** t, lambda t: t ** 2,
                                lambda t: -t * 1e-3])
def test_python_scalars_are_weak(op):
    x = leaf([1.0, 2.0], dtype=np.float32)
    y = op(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_weak_scalars_keep_full_precision_for_float64():
    x = Tensor(np.array([1 / 3]))
    assert (x * 0.1).data[0] == np.float64(1 / 3) * 0.1
    assert (x * 0.1).dtype == np.float64


@pytest.mark.parametrize("da, db", [(np.float32, np.float64), (np.float16, np.float32),
                                    (np.float64, np.float16), (np.float32, np.float32)])
def test_mixed_float_dtypes_promote_as_numpy(da, db):
    a, b = leaf([1.0, 2.0], dtype=da), leaf([3.0, 4.0], dtype=db)
    for y in (a + b, a * b, b - a, a / b):
        assert y.dtype == np.result_type(da, db)
    (a * b).sum().backward()
    assert a.grad.dtype == da and b.grad.dtype == db   # each gradient in its input's dtype


def test_set_default_dtype():
    assert autograd.get_default_dtype() == np.float32
    assert Tensor(1.0).dtype == np.float32 and Tensor([1, 2]).dtype == np.float32
    try:
        autograd.set_default_dtype("float64")
        assert autograd.get_default_dtype() == np.float64
        assert Tensor(1.0).dtype == np.float64 and Tensor([[1, 2]]).dtype == np.float64
        assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32   # ndarrays keep theirs
    finally:
        autograd.set_default_dtype(np.float32)
    assert Tensor(1.0).dtype == np.float32
    with pytest.raises(TypeError, match="set_default_dtype"):
        autograd.set_default_dtype(np.int32)
    assert autograd.get_default_dtype() == np.float32


def test_ndarray_is_wrapped_without_a_copy():
    a = np.ones(3, dtype=np.float64)
    t = Tensor(a)
    assert t.data is a and t.dtype == np.float64


# -- custom Function contract ------------------------------------------------------------------

def test_custom_function_needs_input_grad_and_broadcast_gradient():
    seen = {}

    class ScaleBy(Function):
        @staticmethod
        def forward(ctx, x, s):
            ctx.save_for_backward(x, s)
            return x.data * s.data

        @staticmethod
        def backward(ctx, grad):
            seen["needs"] = ctx.needs_input_grad
            x, s = ctx.saved_tensors
            return grad * s, grad * x              # grad * x has x's shape, not s's

    x = leaf(np.arange(6.0).reshape(2, 3))
    s = leaf([[2.0]])                              # broadcast: the engine sums it back
    ScaleBy.apply(x, s).sum().backward()
    assert tuple(seen["needs"]) == (True, True)
    np.testing.assert_allclose(x.grad.data, np.full((2, 3), 2.0))
    assert s.grad.shape == (1, 1) and s.grad.item() == pytest.approx(15.0)

    c = Tensor(np.ones((2, 3)))
    ScaleBy.apply(c, s).sum().backward()
    assert tuple(seen["needs"]) == (False, True)


@pytest.mark.parametrize("was_enabled", [True, False])
def test_backward_pauses_the_garbage_collector_and_restores_it_even_on_error(was_enabled):
    seen = []

    def hook(g):
        seen.append(gc.isenabled())
        return g
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * 3)
    y.register_hook(hook)
    (gc.enable if was_enabled else gc.disable)()
    try:
        y.sum().backward()
        assert seen == [False] and gc.isenabled() == was_enabled
        z = x * 2
        z.register_hook(lambda g: g[:1])              # a wrong shape: backward raises
        with pytest.raises(RuntimeError, match="hook"):
            z.sum().backward()
        assert gc.isenabled() == was_enabled
    finally:
        gc.enable()
