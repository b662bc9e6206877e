"""nn.penalties: L1, L2 and elastic net over a module's weights: values, gradients, selection."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import floats_away_from, tensors
from nn.linear import Linear
from nn.container import Sequential
from nn.module import Module
from nn.parameter import Parameter, manual_seed
from nn.penalties import elastic_net, l1_penalty, l2_penalty, penalized_parameters


class Net(Module):
    """Two weight matrices, a conv-shaped kernel, biases and a norm-like 1-d "weight"."""

    def __init__(self, dtype=np.float64):
        super().__init__()
        rng = np.random.default_rng(0)
        self.fc = Linear(3, 4)
        self.conv_weight = Parameter(rng.standard_normal((2, 3, 2, 2)).astype(dtype))
        self.conv_bias = Parameter(rng.standard_normal(2).astype(dtype))
        self.norm = Module()
        self.norm.weight = Parameter(np.ones(4, dtype=dtype))       # BatchNorm's gamma
        self.norm.bias = Parameter(np.zeros(4, dtype=dtype))
        self.head = Linear(4, 2, bias=False)
        for p in (self.fc.weight, self.fc.bias, self.head.weight):
            p.data = rng.standard_normal(p.shape).astype(dtype)


def _weights(net):
    return [net.fc.weight.data, net.conv_weight.data, net.head.weight.data]


def test_a_module_penalizes_its_weights_only():
    net = Net()
    chosen = penalized_parameters(net)
    # named_parameters' order: own parameters first, then the children's
    assert [id(p) for p in chosen] == [id(net.conv_weight), id(net.fc.weight),
                                       id(net.head.weight)]
    model = Sequential(Linear(4, 8), Linear(8, 2))
    assert [p.shape for p in penalized_parameters(model)] == [(8, 4), (2, 8)]


def test_values_by_formula():
    net = Net()
    ws = _weights(net)
    l1 = sum(np.abs(w).sum() for w in ws)
    l2 = sum((w * w).sum() for w in ws)
    assert l1_penalty(net, 0.3).item() == pytest.approx(0.3 * l1, rel=1e-12)
    assert l2_penalty(net, 0.3).item() == pytest.approx(0.5 * 0.3 * l2, rel=1e-12)   # 0.5 * reg
    assert elastic_net(net, 0.25, 0.3).item() == pytest.approx(
        0.3 * (0.25 * l1 + 0.75 * 0.5 * l2), rel=1e-12)
    assert elastic_net(net, 1.0, 0.3).item() == pytest.approx(l1_penalty(net, 0.3).item())
    assert elastic_net(net, 0.0, 0.3).item() == pytest.approx(l2_penalty(net, 0.3).item())


def test_results_are_0d_graph_tensors_in_the_weights_dtype():
    manual_seed(0)
    model = Sequential(Linear(4, 3), Linear(3, 2))                 # float32 by default
    for penalty in (l1_penalty(model, 1e-3), l2_penalty(model, 1e-3), elastic_net(model)):
        assert isinstance(penalty, Tensor) and penalty.shape == ()
        assert penalty.dtype == np.float32 and penalty.grad_fn is not None


def test_gradients_are_reg_w_and_reg_sign_w_and_skip_biases():
    net = Net()
    (l2_penalty(net, 0.2) + l1_penalty(net, 0.1)).backward()
    for p in (net.fc.weight, net.conv_weight, net.head.weight):
        np.testing.assert_allclose(p.grad.data, 0.2 * p.data + 0.1 * np.sign(p.data),
                                   rtol=1e-12)
    for p in (net.fc.bias, net.conv_bias, net.norm.weight, net.norm.bias):
        assert p.grad is None


def test_explicit_parameter_lists_and_single_tensors():
    net = Net()
    bias = net.fc.bias
    assert l2_penalty([bias], 2.0).item() == pytest.approx((bias.data ** 2).sum(), rel=1e-12)
    assert l1_penalty(bias).item() == pytest.approx(np.abs(bias.data).sum(), rel=1e-12)
    assert l1_penalty(iter([bias, net.norm.weight])).item() == pytest.approx(
        np.abs(bias.data).sum() + 4, rel=1e-12)


@given(tensors(shape=(3, 2), dtype=np.float64, elements=floats_away_from((0.0,), 0.05)),
       tensors(shape=(2, 2, 2), dtype=np.float64, elements=floats_away_from((0.0,), 0.05)),
       st.floats(0.0, 1.0), st.floats(0.01, 2.0))
def test_gradcheck(w1, w2, l1_ratio, reg):
    for fn in (lambda a, b: l1_penalty([a, b], reg), lambda a, b: l2_penalty([a, b], reg),
               lambda a, b: elastic_net([a, b], l1_ratio, reg)):
        assert gradcheck(fn, [w1, w2])
    assert gradgradcheck(lambda a, b: elastic_net([a, b], l1_ratio, reg), [w1, w2])


def test_bad_input():
    with pytest.raises(ValueError, match="l1_ratio must be in"):
        elastic_net(Net(), l1_ratio=1.5)
    with pytest.raises(ValueError, match="l2_penalty: no parameters to penalize"):
        l2_penalty([])
    with pytest.raises(ValueError, match="l1_penalty: no parameters"):
        l1_penalty(Sequential())
    with pytest.raises(TypeError, match="item 1 is a ndarray"):
        l1_penalty([Tensor(np.ones(2)), np.ones(2)])
    with pytest.raises(TypeError, match="expected a Module or an iterable"):
        l2_penalty(3.0)
