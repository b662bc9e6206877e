"""Every error of the contract's conventions: it names the op, the shapes and dtypes
involved, and says what to do; and a failed call leaves nothing changed.
"""
import numpy as np
import pytest

import autograd
from autograd import Tensor


def leaf(shape, dtype=np.float64, fill=1.0):
    return Tensor(np.full(shape, fill, dtype=dtype), requires_grad=True)


def message(excinfo):
    return str(excinfo.value)


def assert_names(msg, *parts):
    for part in parts:
        assert part in msg, f"{part!r} missing from error message: {msg}"


# -- shapes that do not fit --------------------------------------------------------------------

@pytest.mark.parametrize("sa, sb", [((2, 3), (2, 3)), ((3,), (4, 2)), ((5, 2, 3), (4, 1)),
                                    ((2, 3), (4,))])
def test_mismatched_matmul(sa, sb):
    a, b = leaf(sa), leaf(sb, dtype=np.float32)
    with pytest.raises(ValueError) as err:
        a @ b
    assert_names(message(err), "matmul", str(sa), str(sb), "float64", "float32",
                 "transpose or reshape")


def test_matmul_of_a_0d_operand():
    with pytest.raises(ValueError) as err:
        autograd.matmul(leaf(()), leaf((3,)))
    assert_names(message(err), "matmul", "()", "(3,)", "float64", "use *")


@pytest.mark.parametrize("name, op", [("add", lambda a, b: a + b), ("mul", lambda a, b: a * b),
                                      ("sub", lambda a, b: a - b), ("div", lambda a, b: a / b),
                                      ("pow", lambda a, b: a ** b),
                                      ("maximum", autograd.maximum),
                                      ("minimum", autograd.minimum)])
def test_mismatched_broadcast(name, op):
    a, b = leaf((2, 3)), leaf((4,), dtype=np.float32)
    with pytest.raises(ValueError) as err:
        op(a, b)
    assert_names(message(err), name, "(2, 3)", "(4,)", "float64", "float32",
                 "reshape or unsqueeze")


@pytest.mark.parametrize("shape, new", [((2, 3), (4,)), ((6,), (4, -1)), ((), (2,))])
def test_bad_reshape(shape, new):
    x = leaf(shape, dtype=np.float32)
    with pytest.raises(ValueError) as err:
        x.reshape(new)
    assert_names(message(err), "reshape", str(shape), str(new), "float32",
                 "number of elements must match")


@pytest.mark.parametrize("name, call", [
    ("sum", lambda x: x.sum(axis=2)),
    ("sum", lambda x: x.sum(dim=(0, -3))),
    ("mean", lambda x: x.mean(axis=-3)),
    ("var", lambda x: x.var(axis=5)),
    ("max", lambda x: x.max(axis=2)),
    ("min", lambda x: x.min(dim=2)),
    ("logsumexp", lambda x: x.logsumexp(axis=2)),
    ("argmax", lambda x: x.argmax(axis=2)),
    ("softmax", lambda x: x.softmax(axis=2)),
    ("log_softmax", lambda x: x.log_softmax(dim=-3)),
    ("transpose", lambda x: x.transpose(0, 2)),
    ("unsqueeze", lambda x: x.unsqueeze(3)),
    ("squeeze", lambda x: x.squeeze(2)),
    ("flatten", lambda x: x.flatten(2)),
    ("flatten", lambda x: x.flatten(0, -3)),
])
def test_bad_axis(name, call):
    x = leaf((2, 3), dtype=np.float32)
    with pytest.raises(np.exceptions.AxisError) as err:
        call(x)
    assert_names(message(err), name, "(2, 3)", "float32", "valid")


@pytest.mark.parametrize("in_shape, call, out_shape", [
    ((), lambda x: x.squeeze(0), ()),
    ((), lambda x: x.squeeze(-1), ()),
    ((), lambda x: x.sum(axis=0), ()),
    ((2, 3), lambda x: x.flatten(-2), (6,)),
    ((1, 3), lambda x: x.squeeze(-2), (3,)),
    ((2, 3), lambda x: x.transpose(-1, -2), (3, 2)),
    ((2, 3), lambda x: x.unsqueeze(-3), (1, 2, 3)),
    ((2, 3), lambda x: x.argmax(axis=-1), (2,)),
])
def test_edge_axes_are_accepted(in_shape, call, out_shape):
    assert call(leaf(in_shape)).shape == out_shape


def test_repeated_axis():
    with pytest.raises(ValueError) as err:
        leaf((2, 3)).sum(axis=(1, -1))
    assert_names(message(err), "sum", "repeated axis", "(2, 3)")


# -- backward ----------------------------------------------------------------------------------

def test_backward_on_a_non_scalar_without_gradient():
    x = leaf((2, 3), dtype=np.float32)
    y = x * 2.0
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert_names(message(err), "backward", "(2, 3)", "float32", "gradient=", ".sum()")
    assert x.grad is None
    y.backward(gradient=np.ones((2, 3)))        # the graph was left intact
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 2.0))


@pytest.mark.parametrize("out_shape, grad_shape", [((2, 3), (3, 2)), ((2, 3), (3,)),
                                                   ((), (1,)), ((4,), ())])
def test_wrong_gradient_shape_to_backward(out_shape, grad_shape):
    x = leaf(out_shape)
    y = x * 3.0
    with pytest.raises(RuntimeError) as err:
        y.backward(gradient=np.ones(grad_shape))
    assert_names(message(err), "backward", str(grad_shape), str(out_shape), "float64",
                 "must match")
    assert x.grad is None
    y.backward(gradient=np.ones(out_shape))     # nothing was freed by the failed call
    np.testing.assert_array_equal(x.grad.data, np.full(out_shape, 3.0))


def test_wrong_grad_outputs_shape_to_autograd_grad():
    x = leaf((3,))
    with pytest.raises(RuntimeError) as err:
        autograd.grad(x * 2.0, x, grad_outputs=np.ones(4))
    assert_names(message(err), "grad: ", "(4,)", "(3,)", "float64", "must match")


def test_second_backward():
    x = leaf((2, 3), dtype=np.float32)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert_names(message(err), "Sum.backward", "second time", "(2, 3)", "float32",
                 "retain_graph=True")
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 2.0))   # nothing added


def test_second_backward_through_a_shared_part_of_the_graph():
    x, w = leaf((2, 3)), leaf((2, 3), dtype=np.float32, fill=0.5)
    h = x * w
    h.sum().backward()
    y = (h * 2.0).sum()                          # new nodes on top of the freed Mul
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert_names(message(err), "Mul.backward", "(2, 3) float64", "(2, 3) float32",
                 "retain_graph=True")


def test_in_place_change_of_a_saved_tensor():
    x = leaf((2, 3), dtype=np.float32)
    w = leaf((2, 3), dtype=np.float32, fill=2.0)
    y = (x * w).sum()
    with autograd.no_grad():
        w += 1.0
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert_names(message(err), "Mul.backward", "(2, 3)", "float32", "modified in place",
                 "out-of-place")


def test_backward_on_a_tensor_without_grad():
    y = Tensor(np.ones((2, 2))).sum()
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert_names(message(err), "backward", "()", "float64", "requires_grad=True")


# -- requires_grad and in-place ops ------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_requires_grad_on_a_non_float_tensor(dtype):
    data = np.zeros((2, 2), dtype=dtype)
    with pytest.raises(TypeError) as err:
        Tensor(data, requires_grad=True)
    assert_names(message(err), "requires_grad", "(2, 2)", np.dtype(dtype).name, "astype")
    t = Tensor(data)
    with pytest.raises(TypeError) as err:
        t.requires_grad_()
    assert_names(message(err), "requires_grad", "(2, 2)", np.dtype(dtype).name)
    assert not t.requires_grad


def test_integer_python_data_becomes_float_and_can_require_grad():
    assert Tensor([1, 2], requires_grad=True).dtype == np.float32


@pytest.mark.parametrize("name, change", [
    ("add_", lambda x: x.add_(1.0)),
    ("sub_", lambda x: x.sub_(1.0)),
    ("mul_", lambda x: x.mul_(2.0)),
    ("div_", lambda x: x.div_(2.0)),
    ("copy_", lambda x: x.copy_(np.zeros((2, 3)))),
    ("fill_", lambda x: x.fill_(0.0)),
    ("fill_", lambda x: x.zero_()),
    ("add_", lambda x: x.__iadd__(1.0)),
    ("__setitem__", lambda x: x.__setitem__(0, 5.0)),
])
def test_in_place_op_on_a_leaf_requiring_grad_while_recording(name, change):
    x = leaf((2, 3), dtype=np.float32)
    y = x * x                                    # saves x: a version bump would show below
    with pytest.raises(RuntimeError) as err:
        change(x)
    assert_names(message(err), name, "(2, 3)", "float32", "no_grad()")
    np.testing.assert_array_equal(x.data, np.ones((2, 3)))
    y.sum().backward()                           # x's version did not move
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 2.0))
    with autograd.no_grad():
        change(x)                                # allowed where it belongs


@pytest.mark.parametrize("name, change, err_type", [
    ("add_", lambda x: x.add_(np.ones(4)), ValueError),
    ("mul_", lambda x: x.mul_(np.ones((3, 3))), ValueError),
    ("copy_", lambda x: x.copy_(np.ones((2, 3, 2))), ValueError),
])
def test_failed_in_place_op_changes_nothing(name, change, err_type):
    x = leaf((2, 3), dtype=np.float32)
    y = (x * x).sum()
    before = x.data.copy()
    with autograd.no_grad():
        with pytest.raises(err_type) as err:
            change(x)
    assert_names(message(err), name, "(2, 3)", "float32")
    np.testing.assert_array_equal(x.data, before)
    y.backward()                                 # the version counter did not move either
    np.testing.assert_array_equal(x.grad.data, 2 * before)


def test_failed_in_place_cast_changes_nothing():
    t = Tensor(np.arange(4))
    with pytest.raises(TypeError) as err:
        t.copy_(np.full(4, 0.5))                 # float into int64 would truncate
    assert_names(message(err), "copy_", "(4,)", "int64", "float64")
    np.testing.assert_array_equal(t.data, np.arange(4))


def test_failed_setitem_changes_nothing():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    before = x.data.copy()
    with pytest.raises(ValueError) as err:
        x[0] = np.ones(4)
    assert_names(message(err), "__setitem__", "(2, 3)", "float64")
    np.testing.assert_array_equal(x.data, before)


def test_failed_op_leaves_its_inputs_untouched():
    a, b = leaf((2, 3)), leaf((4,))
    c = a * 2.0
    with pytest.raises(ValueError):
        a @ b
    with pytest.raises(ValueError):
        c + b
    assert a.grad is None and b.grad is None
    np.testing.assert_array_equal(a.data, np.ones((2, 3)))
    c.sum().backward()                           # the graph built before is intact
    np.testing.assert_array_equal(a.grad.data, np.full((2, 3), 2.0))
    assert b.grad is None


# -- construction and conversion ---------------------------------------------------------------

def test_tensor_from_unsupported_data():
    with pytest.raises(TypeError) as err:
        Tensor("abc")
    assert_names(message(err), "Tensor", "str")


def test_item_of_a_tensor_with_several_elements():
    with pytest.raises(ValueError) as err:
        Tensor(np.ones((2, 2))).item()
    assert_names(message(err), "item", "(2, 2)")
