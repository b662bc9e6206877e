"""Parameter.data can be assigned, and the assignment is checked at once (the contract)."""
import numpy as np
import pytest

import nn
from autograd import Tensor


@pytest.mark.parametrize("value, message", [
    (3.0, r"assigned a float \('3.0'\); assign a Tensor or an ndarray"),
    ("abc", r"assigned a str \('abc'\)"),
    ([[1.0, 2.0]], "assigned a list"),
    (None, "assigned a NoneType"),
    (np.array(["x"]), "an ndarray of dtype <U1"),
    (np.ones((2, 3), np.int64), r"shape \(2, 3\) int64 to a parameter that requires grad.*"
                                r"astype\(np.float32\)"),
    (Tensor(np.array([True])), "bool to a parameter that requires grad"),
])
def test_a_bad_assignment_is_refused_at_once_and_changes_nothing(value, message):
    lin = nn.Linear(3, 2)
    before = lin.weight.data
    with pytest.raises(TypeError, match="Parameter.data: .*" + message):
        lin.weight.data = value
    assert lin.weight.data is before


def test_a_float_array_or_tensor_of_any_shape_is_accepted_as_in_pytorch():
    lin = nn.Linear(3, 2)
    new = np.ones((4, 5), np.float64)
    lin.weight.data = new
    assert lin.weight.data is new and lin.weight.requires_grad
    lin.weight.data = Tensor(np.zeros((2, 3), np.float32))
    assert isinstance(lin.weight.data, np.ndarray) and lin.weight.shape == (2, 3)
    out = lin(Tensor(np.ones((1, 3), np.float32)))
    assert np.allclose(out.data, lin.bias.data)


def test_an_integer_array_is_fine_for_a_parameter_that_does_not_require_grad():
    p = nn.Parameter(np.zeros(2), requires_grad=False)
    p.data = np.array([1, 2])
    assert p.dtype == np.int64


def test_a_plain_tensor_keeps_its_unchecked_fast_data_slot():
    t = Tensor(np.zeros(2))
    t.data = np.ones(3, np.int64)          # Tensor's .data is a plain slot: unchanged
    assert t.dtype == np.int64


def test_a_module_records_the_attribute_it_registers_a_parameter_under_without_naming_it():
    import copy
    lin = nn.Linear(3, 2)
    assert (lin.weight._attribute, lin.bias._attribute) == ("weight", "bias")
    assert nn.Parameter(np.zeros(2))._attribute is None            # not registered yet
    lin.register_parameter("scale", nn.Parameter(np.ones(1)))
    ps = nn.ParameterList([nn.Parameter(np.zeros(2))])
    assert lin.scale._attribute == "scale" and ps[0]._attribute == "0"
    other = nn.Linear(3, 2)
    other.tied = lin.weight                                         # the last registration wins
    assert lin.weight._attribute == "tied"
    # Tensor.name stays the user's, so the repr, state_dict and saved files do not change
    assert lin.bias.name is None and "name=" not in repr(lin.bias)
    assert list(lin.state_dict()) == ["weight", "bias", "scale"]
    assert copy.deepcopy(lin).bias._attribute == "bias"
