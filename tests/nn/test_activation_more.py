"""ReLU6, Hardtanh, Softplus, LogSigmoid (functions and modules) and the inplace flag on the
activations that have it in PyTorch: gradient checks, torch parity (values and gradients,
kinks included), inplace results equal to out-of-place ones."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import floats_away_from, tensors
from nn.activation import hardtanh, logsigmoid, relu6, softplus

away = floats_away_from((-1.0, 0.0, 1.0, 6.0), margin=0.1, low=-8.0, high=8.0)


@given(tensors(elements=away))
def test_hardtanh_and_relu6_gradients(x):
    assert gradcheck(lambda t: hardtanh(t, -1.0, 1.0), [x])
    assert gradcheck(relu6, [x])


@given(tensors(), st.sampled_from([0.5, 1.0, 3.0]))
def test_softplus_and_logsigmoid_gradients_first_and_second_order(x, beta):
    assert gradcheck(lambda t: softplus(t, beta, threshold=50.0), [x])
    assert gradgradcheck(lambda t: softplus(t, beta, threshold=50.0), [x])
    assert gradcheck(logsigmoid, [x])
    assert gradgradcheck(logsigmoid, [x])


POINTS = np.array([-50.0, -7.0, -1.0, -0.5, 0.0, 0.3, 1.0, 2.5, 6.0, 7.0, 10.5, 25.0, 60.0])


@pytest.mark.parametrize("name,kwargs", [("relu6", {}), ("hardtanh", {}),
                                         ("hardtanh", {"min_val": -2.0, "max_val": 0.5}),
                                         ("softplus", {}), ("softplus", {"beta": 2.0}),
                                         ("softplus", {"beta": 0.5, "threshold": 5.0}),
                                         ("logsigmoid", {})])
def test_matches_torch_values_and_gradients_including_kinks(name, kwargs):
    torch = pytest.importorskip("torch")
    tx = torch.tensor(POINTS, requires_grad=True)
    ox = Tensor(POINTS.copy(), requires_grad=True)
    ty, oy = getattr(torch.nn.functional, name)(tx, **kwargs), getattr(F, name)(ox, **kwargs)
    np.testing.assert_allclose(oy.data, ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    ty.sum().backward()
    oy.sum().backward()
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("module,fn", [
    (lambda: nn.ReLU(inplace=True), F.relu), (lambda: nn.ReLU6(inplace=True), F.relu6),
    (lambda: nn.LeakyReLU(0.2, inplace=True), lambda t: F.leaky_relu(t, 0.2)),
    (lambda: nn.ELU(inplace=True), F.elu), (lambda: nn.SiLU(inplace=True), F.silu),
    (lambda: nn.Hardtanh(inplace=True), F.hardtanh)])
def test_inplace_flag_overwrites_the_input_with_the_out_of_place_result(module, fn):
    m = module()
    assert "inplace=True" in repr(m)
    leaf = Tensor(np.linspace(-3, 3, 13), requires_grad=True)
    x = leaf * 1.0
    expected = fn(leaf * 1.0)
    y = m(x)
    assert y is x                                          # written in place, as PyTorch
    np.testing.assert_array_equal(y.data, expected.data)
    y.sum().backward()
    got = leaf.grad.data.copy()
    leaf.grad = None
    expected.sum().backward()
    np.testing.assert_array_equal(got, leaf.grad.data)


def test_functional_inplace_keyword_is_accepted():
    x = Tensor([-1.0, 2.0])
    for f in (F.relu, F.relu6, F.elu, F.silu, F.leaky_relu, F.hardtanh):
        assert f(x, inplace=True).shape == (2,)


def test_torch_style_sequential_with_inplace_relu_runs():
    torch = pytest.importorskip("torch")
    nn.manual_seed(0)
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 2),
                         nn.Softplus(), nn.Hardtanh(0.0, 1.5))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(inplace=True),
                                 torch.nn.Linear(8, 2), torch.nn.Softplus(),
                                 torch.nn.Hardtanh(0.0, 1.5))
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    x = np.random.randn(5, 4).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-6)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="min_val .* must not exceed max_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError, match="beta must be positive"):
        nn.Softplus(beta=0)
    with pytest.raises(TypeError, match="softplus: input must be a Tensor, an ndarray"):
        F.softplus({"x": 1.0})
