"""``inplace=True`` activations overwrite their input as PyTorch's do, and differentiate alike."""
import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

CASES = {   # name -> (functional call, module, torch spelling)
    "relu": (lambda x: F.relu(x, inplace=True), nn.ReLU(inplace=True), "relu"),
    "relu6": (lambda x: F.relu6(x, inplace=True), nn.ReLU6(inplace=True), "relu6"),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2, inplace=True), nn.LeakyReLU(0.2, True),
                   "leaky_relu"),
    "elu": (lambda x: F.elu(x, 0.7, inplace=True), nn.ELU(0.7, True), "elu"),
    "silu": (lambda x: F.silu(x, inplace=True), nn.SiLU(inplace=True), "silu"),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 2.0, inplace=True),
                 nn.Hardtanh(-0.5, 2.0, True), "hardtanh"),
}
PLAIN = {"relu": F.relu, "relu6": F.relu6, "silu": F.silu,      # the out-of-place forms
         "leaky_relu": lambda t: F.leaky_relu(t, 0.2), "elu": lambda t: F.elu(t, 0.7),
         "hardtanh": lambda t: F.hardtanh(t, -0.5, 2.0)}
X = np.array([[-3.0, -0.5, 0.0, 0.25, 1.5, 7.0]])


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("form", ["function", "module"])
def test_the_input_is_overwritten_and_returned(name, form):
    call = CASES[name][0] if form == "function" else CASES[name][1]
    expected = PLAIN[name](Tensor(X.copy()))
    x = Tensor(X.copy())
    out = call(x)
    assert out is x
    np.testing.assert_array_equal(x.data, expected.data)
    assert not np.array_equal(x.data, X)


@pytest.mark.parametrize("name", CASES)
def test_recorded_in_place_after_a_linear_layer_gives_the_out_of_place_gradient(name):
    w = Tensor(np.linspace(-1, 1, 6).reshape(1, 6), requires_grad=True)
    h = w * 3.0                                   # a non-leaf, as a layer's output
    out = CASES[name][0](h)
    assert out is h and h.grad_fn is not None
    (out * out).sum().backward()
    got = w.grad.data.copy()
    w.grad = None
    ref = PLAIN[name](w * 3.0)
    (ref * ref).sum().backward()
    np.testing.assert_allclose(got, w.grad.data, rtol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_a_leaf_that_requires_grad_is_refused_and_left_unchanged(name):
    x = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        CASES[name][0](x)
    np.testing.assert_array_equal(x.data, X)
    with autograd.no_grad():                      # as PyTorch: allowed without recording
        assert CASES[name][0](x) is x


@pytest.mark.parametrize("name", CASES)
def test_values_and_gradients_agree_with_pytorch(name):
    torch = pytest.importorskip("torch")
    tF = torch.nn.functional
    kwargs = {"leaky_relu": (0.2,), "elu": (0.7,), "hardtanh": (-0.5, 2.0)}.get(name, ())
    tw = torch.tensor(np.linspace(-1, 1, 6).reshape(1, 6), requires_grad=True)
    th = tw * 3.0
    tout = getattr(tF, CASES[name][2])(th, *kwargs, inplace=True)
    (tout * tout).sum().backward()
    w = Tensor(np.linspace(-1, 1, 6).reshape(1, 6), requires_grad=True)
    h = w * 3.0
    out = CASES[name][0](h)
    (out * out).sum().backward()
    np.testing.assert_allclose(h.data, th.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12)


def test_an_in_place_relu_in_a_sequential_trains_as_the_plain_one():
    def net(inplace):
        nn.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=inplace), nn.Linear(8, 1))
    x = Tensor(np.random.default_rng(0).standard_normal((5, 4)))
    grads = []
    for inplace in (False, True):
        m = net(inplace).double()
        m(x).sum().backward()
        grads.append([p.grad.data for p in m.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call", [lambda x: F.dropout(x, 0.5, inplace=True),
                                  lambda x: F.dropout2d(x, 0.5, inplace=True),
                                  lambda x: nn.Dropout(0.5, inplace=True)(x)],
                         ids=["dropout", "dropout2d", "Dropout"])
def test_dropout_in_place_overwrites_its_input_with_the_same_draw(call):
    w = Tensor(np.linspace(1, 2, 2 * 3 * 4 * 4).reshape(2, 3, 4, 4), requires_grad=True)
    nn.manual_seed(3)
    h = w * 1.0
    out = call(h)
    assert out is h
    kept = h.data != 0
    np.testing.assert_allclose(h.data[kept], (w.data * 2.0)[kept])   # kept values doubled
    assert 0 < kept.mean() < 1
    h.sum().backward()
    np.testing.assert_array_equal(w.grad.data, kept * 2.0)         # the same mask, scaled
    with pytest.raises(RuntimeError, match="leaf"):
        call(w)
