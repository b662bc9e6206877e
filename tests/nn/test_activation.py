"""Activations: gradients (first and second order) w.r.t. inputs and PReLU's slope, values,
modules, errors, and parity with torch.nn.functional."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from autograd import Tensor, gradcheck
from autograd.testing import assert_gradients_correct, floats_away_from, shapes, tensors
from nn import activation as A

AWAY_FROM_0 = floats_away_from((0.0,), margin=0.05, low=-4, high=4)

# name -> (functional, module factory); every entry is smooth away from 0
POINTWISE = {
    "sigmoid": (A.sigmoid, A.Sigmoid),
    "tanh": (A.tanh, A.Tanh),
    "relu": (A.relu, A.ReLU),
    "leaky_relu": (lambda x: A.leaky_relu(x, 0.2), lambda: A.LeakyReLU(0.2)),
    "elu": (lambda x: A.elu(x, 1.5), lambda: A.ELU(1.5)),
    "gelu": (A.gelu, A.GELU),
    "gelu_tanh": (lambda x: A.gelu(x, "tanh"), lambda: A.GELU("tanh")),
    "silu": (A.silu, A.SiLU),
}


@pytest.mark.parametrize("name", sorted(POINTWISE))
@given(data=st.data())
def test_pointwise_gradients_first_and_second_order(name, data):
    fn, module = POINTWISE[name]
    x = data.draw(tensors(shape=data.draw(shapes(max_dims=2)), elements=AWAY_FROM_0))
    assert_gradients_correct(fn, [x])
    assert gradcheck(module(), [x])


@pytest.mark.parametrize("dim", [0, 1, -1])
@given(data=st.data())
def test_softmax_and_log_softmax_gradients(dim, data):
    x = data.draw(tensors(shape=(3, 4)))
    assert_gradients_correct(lambda t: A.softmax(t, dim), [x])
    assert_gradients_correct(lambda t: A.log_softmax(t, dim=dim), [x])
    assert gradcheck(A.Softmax(dim), [x]) and gradcheck(A.LogSoftmax(dim=dim), [x])


@given(st.integers(1, 4), st.booleans(), st.data())
def test_prelu_gradients_wrt_input_and_slope(channels, shared, data):
    shape = data.draw(st.sampled_from([(2, channels), (2, channels, 3), (1, channels, 2, 2)]))
    x = data.draw(tensors(shape=shape, elements=AWAY_FROM_0))
    w = data.draw(tensors(shape=(1 if shared else channels,), elements=st.floats(-1, 1)))
    assert_gradients_correct(A.prelu, [x, w])


def test_prelu_module_slope_gradient_and_init():
    act = A.PReLU(num_parameters=3)
    np.testing.assert_array_equal(act.weight.data, np.full(3, 0.25, dtype=np.float32))
    x = np.array([[-1.0, 2.0, -3.0], [-2.0, -1.0, 4.0]], dtype=np.float32)
    y = act(Tensor(x))
    np.testing.assert_allclose(y.data, np.where(x > 0, x, 0.25 * x))
    y.sum().backward()
    np.testing.assert_allclose(act.weight.grad.data, [-3.0, -1.0, -3.0])  # sums of x <= 0
    shared = A.PReLU(init=0.1)
    assert shared.weight.shape == (1,) and repr(shared) == "PReLU(num_parameters=1)  # 1 param"
    assert shared(Tensor(np.array(-2.0))).shape == ()


def test_prelu_rejects_channel_mismatch():
    with pytest.raises(ValueError, match=r"prelu: 3 slopes need an input with 3 channels.*"
                                         r"\(2, 4\)"):
        A.prelu(Tensor(np.ones((2, 4))), Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="num_parameters"):
        A.PReLU(num_parameters=0)


def test_values_at_known_points():
    x = Tensor(np.array([-1.0, 0.0, 1.0]))
    np.testing.assert_allclose(A.leaky_relu(x).data, [-0.01, 0.0, 1.0])
    np.testing.assert_allclose(A.elu(x).data, [math.exp(-1) - 1, 0.0, 1.0])
    expected = [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in (-1.0, 0.0, 1.0)]
    np.testing.assert_allclose(A.gelu(x).data, expected, rtol=1e-15)
    np.testing.assert_allclose(A.silu(x).data, [-1 / (1 + math.e), 0.0, 1 / (1 + math.exp(-1))])


def test_gelu_exact_is_accurate_in_the_far_tail_and_keeps_dtype():
    # x * Phi(x) for x = -10: Phi(-10) = 7.6198530241605e-24 (computed with erfc, not 1 + erf)
    y = A.gelu(Tensor(np.array([-10.0])))
    np.testing.assert_allclose(y.data, [-10 * 0.5 * math.erfc(10 / math.sqrt(2))], rtol=1e-12)
    assert A.gelu(Tensor(np.ones((2, 2), dtype=np.float32))).dtype == np.float32
    assert A.gelu(Tensor(np.array(0.5))).shape == ()


def test_elu_and_leaky_relu_gradient_at_zero_and_no_overflow():
    x = Tensor(np.array([0.0, 800.0]), requires_grad=True)
    A.elu(x, alpha=2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 1.0])       # PyTorch's choice at 0
    x.grad = None
    A.leaky_relu(x, 0.3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.3, 1.0])


def test_ndarray_input_and_bad_arguments():
    assert A.relu(np.array([-1.0, 1.0])).data.tolist() == [0.0, 1.0]
    assert A.relu([-1.0, 1.0]).data.tolist() == [0.0, 1.0]      # a list, as autograd.relu
    with pytest.raises(TypeError, match="relu: input must be a Tensor, an ndarray of numbers"):
        A.relu("abc")
    with pytest.raises(ValueError, match="gelu: approximate must be"):
        A.gelu(Tensor([1.0]), approximate="fast")
    with pytest.raises(ValueError, match="GELU: approximate"):
        A.GELU("fast")
    with pytest.raises(TypeError, match="softmax: pass dim="):
        A.softmax(Tensor([1.0]), None)
    with pytest.raises(TypeError, match="Softmax: pass dim="):
        A.Softmax()


def test_module_reprs():
    assert repr(A.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(A.ELU()) == "ELU(alpha=1.0)"
    assert repr(A.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(A.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(A.ReLU()) == "ReLU()"


# -- PyTorch parity ---------------------------------------------------------------------

def _torch_pairs(torch):
    F = torch.nn.functional
    return [
        (A.sigmoid, torch.sigmoid), (A.tanh, torch.tanh), (A.relu, F.relu),
        (A.leaky_relu, F.leaky_relu),
        (lambda x: A.leaky_relu(x, 0.3), lambda x: F.leaky_relu(x, 0.3)),
        (A.elu, F.elu), (lambda x: A.elu(x, 0.7), lambda x: F.elu(x, 0.7)),
        (A.gelu, F.gelu), (lambda x: A.gelu(x, "tanh"), lambda x: F.gelu(x, approximate="tanh")),
        (A.silu, F.silu),
        (lambda x: A.softmax(x, 1), lambda x: F.softmax(x, 1)),
        (lambda x: A.softmax(x, 0), lambda x: F.softmax(x, 0)),
        (lambda x: A.log_softmax(x, -1), lambda x: F.log_softmax(x, -1)),
    ]


def test_activations_match_torch_values_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5)) * 3
    x[0, :3] = [0.0, 40.0, -40.0]                       # the kink and saturated regions
    v = rng.standard_normal((6, 5))
    for ours, theirs in _torch_pairs(torch):
        xt = torch.tensor(x, requires_grad=True)
        yt = theirs(xt)
        yt.backward(torch.tensor(v))
        xo = Tensor(x, requires_grad=True)
        y = ours(xo)
        y.backward(v)
        np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_activation_modules_match_torch_in_float32():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((4, 3, 2)).astype(np.float32)
    pairs = [(A.ReLU(), torch.nn.ReLU()), (A.GELU(), torch.nn.GELU()), (A.ELU(), torch.nn.ELU()),
             (A.SiLU(), torch.nn.SiLU()), (A.Tanh(), torch.nn.Tanh()),
             (A.Sigmoid(), torch.nn.Sigmoid()), (A.LeakyReLU(), torch.nn.LeakyReLU()),
             (A.Softmax(dim=1), torch.nn.Softmax(dim=1)),
             (A.LogSoftmax(dim=2), torch.nn.LogSoftmax(dim=2))]
    for ours, theirs in pairs:
        y = ours(Tensor(x))
        assert y.dtype == np.float32
        np.testing.assert_allclose(y.data, theirs(torch.tensor(x)).numpy(), rtol=2e-6,
                                   atol=1e-7)


@pytest.mark.parametrize("channels, shape", [(1, (4, 3, 2)), (3, (4, 3, 2)), (3, (5, 3)),
                                             (1, (7,))])
def test_prelu_matches_torch_including_slope_gradient(channels, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(channels)
    tp = torch.nn.PReLU(channels).double()
    with torch.no_grad():
        tp.weight.copy_(torch.tensor(rng.uniform(-0.5, 0.5, channels)))
    act = A.PReLU(channels)
    act.weight.data = tp.weight.detach().numpy().copy()
    x = rng.standard_normal(shape)
    v = rng.standard_normal(shape)
    xt = torch.tensor(x, requires_grad=True)
    yt = tp(xt)
    yt.backward(torch.tensor(v))
    xo = Tensor(x, requires_grad=True)
    y = act(xo)
    y.backward(v)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(act.weight.grad.data, tp.weight.grad.numpy(), rtol=1e-12)
