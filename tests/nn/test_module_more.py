"""ModuleDict, ParameterList, ParameterDict, Unflatten, Module.get_submodule and
Module.register_full_backward_hook (grad_input/grad_output against PyTorch's, replacement,
removal, several inputs and outputs)."""
import numpy as np
import pytest

import nn
import optim
from autograd import Tensor
from nn import Parameter


def test_module_dict_registers_and_behaves_like_a_dict():
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 2)})
    heads["extra"] = nn.Linear(4, 1)
    assert list(heads) == ["cls", "box", "extra"] and len(heads) == 3 and "box" in heads
    assert [n for n, _ in heads.named_parameters()][:2] == ["cls.weight", "cls.bias"]
    assert set(heads.state_dict()) == {f"{k}.{p}" for k in heads for p in ("weight", "bias")}
    heads.update([("cls", nn.Linear(4, 5))])
    assert heads["cls"].out_features == 5
    assert isinstance(heads.pop("extra"), nn.Linear) and len(heads) == 2
    with pytest.raises(TypeError, match="must be a Module"):
        heads["bad"] = 3
    with pytest.raises(TypeError, match=r"element 0 should be a \(key, value\) pair"):
        heads.update([nn.Linear(1, 1)])


def test_parameter_list_and_dict_register_parameters_that_optimizers_see():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([Parameter(np.ones(2)) for _ in range(2)])
            self.shifts = nn.ParameterDict({"a": Parameter(np.zeros(2))})
            self.shifts["b"] = Tensor(np.zeros(2))            # wrapped as a Parameter

        def forward(self, x):
            for s in self.scales:
                x = x * s
            return x + self.shifts["a"] + self.shifts["b"]

    m = Model()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scales.0", "scales.1", "shifts.a", "shifts.b"]
    assert isinstance(m.shifts["b"], Parameter) and m.shifts["b"].requires_grad
    opt = optim.SGD(m.parameters(), lr=0.5)
    m(Tensor(np.ones(2))).sum().backward()
    opt.step()
    np.testing.assert_allclose(m.shifts["a"].data, [-0.5, -0.5])
    assert len(m.scales) == 2 and m.scales[-1] is m.scales[1] and len(m.scales[:1]) == 1
    m.scales.append(Parameter(np.ones(2)))
    assert "scales.2" in m.state_dict()
    assert "(0): Parameter containing" in repr(m.scales)
    with pytest.raises(TypeError, match="expected a Parameter or Tensor"):
        m.scales.append([1.0])


def test_unflatten_is_the_inverse_of_flatten():
    x = Tensor(np.arange(24.0).reshape(2, 12))
    assert nn.Unflatten(1, (3, 4))(x).shape == (2, 3, 4)
    assert nn.Unflatten(-1, (2, -1))(x).shape == (2, 2, 6)
    np.testing.assert_array_equal(nn.Flatten()(nn.Unflatten(1, (3, 4))(x)).data, x.data)
    with pytest.raises(ValueError, match="does not multiply to"):
        nn.Unflatten(1, (5, 2))(x)
    with pytest.raises(ValueError, match="at most one -1"):
        nn.Unflatten(1, (-1, -1))
    assert repr(nn.Unflatten(1, (3, 4))) == "Unflatten(dim=1, unflattened_size=(3, 4))"


def test_get_submodule_walks_dotted_paths():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert model.get_submodule("") is model
    assert model.get_submodule("1.1") is model[1][1]
    with pytest.raises(AttributeError, match=r"Sequential \(1\) has no submodule '5'"):
        model.get_submodule("1.5")


def _hooked_pair(torch):
    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    return ours, theirs


def test_full_backward_hook_sees_torchs_grad_input_and_grad_output():
    torch = pytest.importorskip("torch")
    ours, theirs = _hooked_pair(torch)
    seen = {}
    def record(key):
        def hook(module, grad_input, grad_output):
            seen[key] = (grad_input, grad_output)      # returns None: nothing replaced
        return hook

    ours.register_full_backward_hook(record("ours"))
    theirs.register_full_backward_hook(record("torch"))
    x = np.random.randn(4, 3).astype(np.float32)
    (ours(Tensor(x, requires_grad=True)) ** 2).sum().backward()
    (theirs(torch.tensor(x, requires_grad=True)) ** 2).sum().backward()
    (gi, go), (tgi, tgo) = seen["ours"], seen["torch"]
    assert len(gi) == len(tgi) == 1 and len(go) == len(tgo) == 1
    np.testing.assert_allclose(np.asarray(gi[0].data if isinstance(gi[0], Tensor) else gi[0]),
                               tgi[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(np.asarray(go[0].data if isinstance(go[0], Tensor) else go[0]),
                               tgo[0].numpy(), atol=1e-6)


def test_full_backward_hook_can_replace_grad_input_and_be_removed():
    lin = nn.Linear(3, 2)
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    handle = lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    lin(x).sum().backward()
    assert np.all(x.grad.data == 0)
    assert lin.weight.grad is not None and np.any(lin.weight.grad.data != 0)   # only inputs
    handle.remove()
    x.grad = None
    lin(x).sum().backward()
    assert np.any(x.grad.data != 0)


def test_full_backward_hook_with_inputs_that_need_no_grad_and_tuple_outputs():
    lstm = nn.LSTM(3, 4)
    calls = []
    lstm.register_full_backward_hook(lambda m, gi, go: calls.append((gi, go)))
    out, (h, c) = lstm(Tensor(np.random.randn(5, 2, 3).astype(np.float32)))
    out.sum().backward()
    (gi, go), = calls
    assert gi == (None,)                      # the input needs no gradient
    assert len(go) == 1 and go[0].shape == (5, 2, 4)   # the tuple's top-level tensor


def test_backward_hook_wrong_arity_is_an_error():
    lin = nn.Linear(3, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="returned 2 gradients for 1 inputs"):
        lin(Tensor(np.ones((1, 3)), requires_grad=True)).sum().backward()


@pytest.mark.parametrize("returned, got", [
    (lambda: Tensor(np.ones((1, 3), np.float32)), r"shape \(1, 3\) float32"),   # would broadcast
    (lambda: np.ones((4, 3), np.float64), r"shape \(4, 3\) float64"),
    (lambda: 2.0, "a float"),
])
def test_a_full_backward_hook_returning_a_wrong_gradient_is_named_with_the_expected_shape(
        returned, got):
    lin = nn.Linear(3, 2)

    def my_hook(module, grad_input, grad_output):
        return (returned(),)

    lin.register_full_backward_hook(my_hook)
    x = Tensor(np.ones((4, 3), np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"backward hook '.*my_hook' of Linear returned "
                       + got + r" as grad_input\[0\], but the gradient it replaces is shape "
                       r"\(4, 3\) float32"):
        lin(x).sum().backward()


def test_a_full_backward_hook_may_replace_grad_input_with_the_same_shape_and_dtype():
    lin = nn.Linear(3, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0 + 7,))
    x = Tensor(np.ones((4, 3), np.float32), requires_grad=True)
    lin(x).sum().backward()
    assert np.all(x.grad.data == 7)
