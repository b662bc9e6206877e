"""No silent wrong answer: writes through aliases, hooks, .grad assignment, dtypes, arguments.

Each case here gave a wrong gradient (or a confusing crash) without a word before;
now it raises a clear error or gives PyTorch's answer.
"""
import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
from autograd import Function, Tensor


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


# -- in-place writes through an alias of a saved tensor ----------------------------------------

def test_a_write_through_detach_of_a_saved_input_is_caught():
    x = leaf([1.0, 2.0, 3.0])
    y = (x * x).sum()                        # Mul saved x
    with autograd.no_grad():
        pass
    x.detach().mul_(10)                      # the same memory, another Tensor object
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_a_write_through_a_reshape_view_of_a_saved_tensor_is_caught():
    x = leaf(np.arange(1.0, 7.0))
    h = x * 2
    y = (h * h).sum()                        # Mul saved h
    view = h.detach().reshape(2, 3)          # a view of h's memory
    view.mul_(10)
    with pytest.raises(RuntimeError, match="Mul.backward: a tensor it saved"):
        y.backward()


def test_a_write_to_a_basic_slice_under_no_grad_is_caught():
    x = leaf(np.arange(1.0, 5.0))
    h = x.tanh()                             # Tanh saves its output h
    y = h.sum()
    with autograd.no_grad():
        h[0:2].fill_(0.5)                    # GetItem output: a view of h's memory
    with pytest.raises(RuntimeError, match="Tanh.backward"):
        y.backward()


def test_a_write_through_a_transposed_view_is_caught():
    w = leaf(np.ones((2, 3)))
    x = Tensor(np.arange(6.0).reshape(3, 2))
    y = (x @ w).sum()                        # MatMul saved x (which needs no grad)
    x.T.detach().add_(1)                     # a transposed view of x
    with pytest.raises(RuntimeError, match="MatMul.backward"):
        y.backward()


def test_the_error_names_the_version_of_the_shared_memory():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    alias = x.detach()
    alias.add_(1)
    alias.add_(1)
    assert x._version == alias._version == 2           # one counter for the memory
    with pytest.raises(RuntimeError, match="version 2"):
        y.backward()


def test_writes_to_other_memory_and_after_backward_are_fine():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    Tensor(np.zeros(2)).add_(1)              # unrelated memory
    Tensor(x.data.copy()).mul_(2)            # a copy, not an alias
    y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])
    x.detach().mul_(3)                       # after backward nothing is saved any more


def test_where_snapshots_its_condition():
    a, b = leaf([1.0, 2.0, 3.0]), leaf([4.0, 5.0, 6.0])
    cond = np.array([True, False, True])
    y = (autograd.where(cond, a, b) * 2).sum()
    cond[:] = False                          # the user reuses the mask array
    y.backward()
    np.testing.assert_array_equal(a.grad.data, [2, 0, 2])
    np.testing.assert_array_equal(b.grad.data, [0, 2, 0])


def test_advanced_index_arrays_are_snapshotted():
    x = leaf([10.0, 20.0, 30.0])
    idx = np.array([0, 0, 2])
    y = x[idx].sum()
    idx[:] = 1
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2, 0, 1])


def _saving_graph(draw):
    """A random chain of ops; returns (leaf, output, tensors some op saved for backward)."""
    x = leaf(np.linspace(0.1, 0.9, 6).reshape(2, 3))
    w = Tensor(np.full((3, 3), 0.5))
    h, saved = x, []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["mul", "tanh", "exp", "sigmoid", "matmul", "div",
                                     "add", "reshape"]))
        if kind == "mul":
            saved.append(h)
            h = h * h
        elif kind == "div":
            saved.append(h)
            h = h / (h * h + 1.0)
        elif kind == "matmul":
            saved.append(h)
            h = h @ w
        elif kind == "add":
            h = h + 1.0                          # saves nothing
        elif kind == "reshape":
            h = h.reshape(3, 2).reshape(2, 3)    # views, saves nothing
        else:
            if kind == "exp":
                h = h * 0.1                      # keeps a chain of exps finite (saves 0.1)
            h = getattr(h, kind)()
            saved.append(h)                      # saves its own output
    if not saved:
        saved.append(h)
        h = h * h
    return x, h.sum(), saved


ALIASES = {
    "itself under no_grad": lambda t: t,
    "detach": lambda t: t.detach(),
    "reshape view": lambda t: t.detach().reshape(-1),
    "basic slice": lambda t: t.detach()[0:1],
    "transpose": lambda t: t.detach().T,
    "row": lambda t: t.detach()[1],
}
WRITES = {
    "mul_": lambda a: a.mul_(1.5),
    "add_": lambda a: a.add_(0.25),
    "fill_": lambda a: a.fill_(0.3),
    "copy_": lambda a: a.copy_(np.full(a.shape, 0.7)),
    "setitem": lambda a: a.__setitem__(..., 0.2),
    "zero_": lambda a: a.zero_(),
}


@given(st.data())
def test_property_any_write_through_any_alias_of_a_saved_tensor_makes_backward_raise(data):
    x, out, saved = _saving_graph(data.draw)
    target = data.draw(st.sampled_from(saved))
    alias = ALIASES[data.draw(st.sampled_from(sorted(ALIASES)))](target)
    with autograd.no_grad():
        WRITES[data.draw(st.sampled_from(sorted(WRITES)))](alias)
    with pytest.raises(RuntimeError, match="modified in place"):
        out.backward()


@given(st.data())
def test_property_without_a_write_the_same_graphs_backward_fine(data):
    x, out, _ = _saving_graph(data.draw)
    out.backward()
    assert x.grad is not None and np.isfinite(x.grad.data).all()


# -- hooks -------------------------------------------------------------------------------------

def double(g):
    return g * 2


@pytest.mark.parametrize("bad, message", [
    (lambda g: np.zeros((5,)), r"shape \(5,\)"),
    (lambda g: np.zeros((1, 3)), r"shape \(1, 3\)"),           # would broadcast: still wrong
    (lambda g: g.data.astype(np.float32), "float32"),
    (lambda g: 3.0, "a float"),
    (lambda g: [1.0, 2.0, 3.0], "a list"),
])
@pytest.mark.parametrize("on", ["leaf", "intermediate"])
def test_a_hook_that_returns_a_wrong_value_is_named_in_the_error(bad, message, on):
    x = leaf([1.0, 2.0, 3.0])
    h = x * 2
    (x if on == "leaf" else h).register_hook(bad)
    with pytest.raises(RuntimeError, match=message) as err:
        (h * h).sum().backward()
    assert "hook" in str(err.value) and "(3,) float64" in str(err.value)
    assert "<lambda>" in str(err.value)


def test_a_named_hook_is_named():
    x = leaf([1.0])

    def halve_badly(g):
        return np.zeros(2)
    x.register_hook(halve_badly)
    with pytest.raises(RuntimeError, match="halve_badly"):
        (x * 2).sum().backward()


@given(shape=st.sampled_from([(), (3,), (2, 3)]), factor=st.floats(-2, 2),
       as_array=st.booleans())
def test_property_a_valid_hook_replacement_is_used_exactly(shape, factor, as_array):
    x = Tensor(np.ones(shape), requires_grad=True)
    x.register_hook(lambda g: (g.data if as_array else g) * factor)
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full(shape, 3.0 * factor))


_BAD_SHAPES = [(), (1,), (3,), (1, 3), (2, 3), (3, 2), (2, 1, 3)]


@given(shape=st.sampled_from([(), (3,), (2, 3)]), where=st.sampled_from(["leaf", "intermediate"]),
       bad=st.one_of(st.tuples(st.just("shape"), st.sampled_from(_BAD_SHAPES)),
                     st.tuples(st.just("dtype"), st.sampled_from(["float32", "int64", "bool"])),
                     st.tuples(st.just("type"), st.sampled_from([1.5, "g", [1.0]]))),
       as_array=st.booleans())
def test_property_a_wrong_hook_replacement_raises_an_error_naming_the_hook(shape, where, bad,
                                                                          as_array):
    kind, what = bad
    if kind == "shape" and what == shape:
        return                                       # that one is a valid replacement

    def replace_grad(g):
        if kind == "shape":
            value = np.ones(what)
        elif kind == "dtype":
            value = np.ones(shape, dtype=what)
        else:
            return what
        return value if as_array else Tensor(value)

    x = Tensor(np.ones(shape), requires_grad=True)
    target = x if where == "leaf" else x * 2.0
    target.register_hook(replace_grad)
    with pytest.raises(RuntimeError, match=rf"replace_grad.*{re.escape(str(shape))} float64"):
        (target * 3.0).sum().backward()
    assert x.grad is None                            # nothing accumulated from the bad value


# -- .grad assignment --------------------------------------------------------------------------

def test_micrograds_zero_grad_idiom_is_refused_at_once_with_the_fix():
    p = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="p.grad = None"):
        p.grad = 0.0
    assert p.grad is None                     # nothing half-changed


@pytest.mark.parametrize("value, message", [
    (np.zeros(3), r"shape \(3,\)"), (np.zeros(2, np.float32), "float32"),
    (Tensor(np.zeros((1, 2))), r"shape \(1, 2\)"), ("0", "a str")])
def test_wrong_grad_assignments_are_refused(value, message):
    p = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match=message):
        p.grad = value


def test_valid_grad_assignments_work_and_accumulate():
    p = leaf([1.0, 2.0])
    p.grad = np.array([1.0, 1.0])             # an ndarray is wrapped
    assert isinstance(p.grad, Tensor)
    (p * 3).sum().backward()
    np.testing.assert_array_equal(p.grad.data, [4.0, 4.0])
    p.grad = None
    assert p.grad is None


# -- dtypes, arguments, constructor --------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", np.uint8])
def test_integer_and_bool_results_never_require_grad(dtype):
    x = leaf([1.5, -2.0])
    y = x.astype(dtype)
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_a_custom_function_returning_integers_records_no_gradient():
    class Floor(Function):
        @staticmethod
        def forward(ctx, x):
            return np.floor(x.data).astype(np.int64)

        @staticmethod
        def backward(ctx, g):
            return g

    y = Floor.apply(leaf([1.5]))
    assert y.dtype == np.int64 and not y.requires_grad


@pytest.mark.parametrize("call", [
    lambda x: x.reshape(1.5, 4), lambda x: x.reshape((2.0, 3)), lambda x: x.sum(axis=1.5),
    lambda x: x.reshape("ab"), lambda x: x.permute(0, 1.0), lambda x: x.expand(2.5, 3),
    lambda x: x.unsqueeze(0.5), lambda x: x.mean(dim="1"), lambda x: x.softmax(1.0),
    lambda x: x.var(ddof=0.5), lambda x: autograd.stack([x, x], axis=0.5)])
def test_sizes_axes_and_dims_must_be_integers(call):
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="integer"):
        call(x)


def test_tensor_arguments_after_data_are_keyword_only():
    with pytest.raises(TypeError, match="keyword-only") as err:
        Tensor(2, 3)
    assert "autograd.zeros" in str(err.value) and "Tensor([...])" in str(err.value)
    with pytest.raises(TypeError, match="keyword-only"):
        Tensor([1.0], True)
    assert Tensor(2.0, requires_grad=True).requires_grad


# -- several outputs ---------------------------------------------------------------------------

class SplitHalves(Function):
    """y1 = 2 x[:n], y2 = x[n:] ** 2: two outputs, one gradient each."""

    @staticmethod
    def forward(ctx, x):
        n = x.shape[0] // 2
        ctx.save_for_backward(x)
        ctx.n = n
        return 2 * x.data[:n], x.data[n:] ** 2

    @staticmethod
    def backward(ctx, g1, g2):
        x, = ctx.saved_tensors
        n = ctx.n
        return autograd.concatenate([g1 * 2, g2 * 2 * x[n:]])


def test_a_function_with_two_outputs_gets_one_gradient_per_output():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    a, b = SplitHalves.apply(x)
    assert isinstance(a, Tensor) and a.grad_fn is b.grad_fn and a.shape == (2,)
    (a.sum() * 3 + (b * b).sum()).backward()
    # d/dx: first half 3 * 2; second half 2 b * 2 x = 4 x^3
    np.testing.assert_allclose(x.grad.data, [6, 6, 4 * 27, 4 * 64])


def test_an_unused_output_passes_zeros_and_the_op_runs_once():
    calls = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2, x.data * 3

        @staticmethod
        def backward(ctx, g1, g2):
            calls.append((g1.data.copy(), g2.data.copy()))
            return g1 * 2 + g2 * 3

    x = leaf([1.0, 2.0])
    a, b = Two.apply(x)
    a.sum().backward()
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0][1], [0.0, 0.0])
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_two_outputs_with_gradcheck_and_second_order():
    x = leaf([0.3, -0.7, 1.1, 0.4])

    def f(t):
        a, b = SplitHalves.apply(t)
        return (a * b).sum() + (b ** 2).sum()
    assert autograd.gradcheck(f, [x])
    assert autograd.gradgradcheck(f, [x])


def test_two_outputs_feeding_one_another_branch_order():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    a, b = SplitHalves.apply(x)
    c = (a * 2).exp().sum()                  # a reaches the root through a long branch
    d = b.sum()                              # b through a short one
    (c + d).backward()
    expected = np.concatenate([np.exp(4 * x.data[:2]) * 4, 2 * x.data[2:]])
    np.testing.assert_allclose(x.grad.data, expected)


def test_a_refused_in_place_cast_names_the_op_and_changes_nothing():
    x = Tensor(np.array([1, 2]))
    with pytest.raises(TypeError, match=r"add_: cannot update shape \(2,\) int64"):
        x.add_(0.5)
    np.testing.assert_array_equal(x.data, [1, 2])
