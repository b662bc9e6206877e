"""Linear, Maxout, Identity, Flatten: gradients w.r.t. inputs and parameters, init, torch parity."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import tensors
from nn.linear import Flatten, Identity, Linear, Maxout, linear
from nn.module import manual_seed


def with_params(module, names):
    """fn(x, *params) running ``module`` with its parameters replaced by the given Tensors.

    gradcheck hands its own float64 copies to fn; swapping them into the
    module lets it check the gradients w.r.t. a module's parameters.
    """
    def fn(x, *params):
        saved = {n: module._parameters[n] for n in names}
        try:
            for n, p in zip(names, params):
                module._parameters[n] = p
            return module(x)
        finally:
            module._parameters.update(saved)
    return fn


def f64(t):
    return Tensor(np.asarray(t.data, dtype=np.float64), requires_grad=True)


# -- functional linear ----------------------------------------------------------------

@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.booleans(),
       st.sampled_from([(), (2,), (2, 3)]), st.data())
def test_linear_gradients_wrt_input_weight_bias(n_in, n_out, batch, has_bias, lead, data):
    x = data.draw(tensors(shape=lead + (batch, n_in)))
    w = data.draw(tensors(shape=(n_out, n_in)))
    b = data.draw(tensors(shape=(n_out,))) if has_bias else None
    inputs = [x, w] + ([b] if has_bias else [])
    assert gradcheck(lambda *a: linear(*a), inputs)
    assert gradgradcheck(lambda *a: linear(*a), inputs)


def test_linear_matches_matmul_and_accepts_1d_input():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((5, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4)
    np.testing.assert_allclose(linear(Tensor(x), Tensor(w), Tensor(b)).data, x @ w.T + b)
    np.testing.assert_allclose(linear(Tensor(x[0]), Tensor(w)).data, w @ x[0])
    assert gradcheck(lambda v, m: linear(v, m), [x[0], w])


def test_linear_bad_shapes_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 5\).*in_features=3"):
        linear(Tensor(np.ones((2, 5))), Tensor(np.ones((4, 3))))
    with pytest.raises(ValueError, match="bias shape"):
        linear(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 3))), Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="weight must be 2-d"):
        linear(Tensor(np.ones((2, 3))), Tensor(np.ones(3)))


# -- Linear module ----------------------------------------------------------------------

@given(st.integers(1, 5), st.integers(1, 5), st.booleans(), st.data())
def test_linear_module_gradients_wrt_parameters(n_in, n_out, bias, data):
    layer = Linear(n_in, n_out, bias=bias)
    names = ["weight", "bias"] if bias else ["weight"]
    x = data.draw(tensors(shape=(3, n_in)))
    params = [f64(getattr(layer, n)) for n in names]
    assert gradcheck(with_params(layer, names), [x] + params)


def test_linear_init_is_pytorch_default_and_seeded():
    manual_seed(123)
    a = Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = a.weight.data
    assert w.shape == (300, 400) and a.bias.shape == (300,)
    assert w.dtype == autograd.get_default_dtype()
    assert np.abs(w).max() <= bound and np.abs(a.bias.data).max() <= bound
    # U(-b, b) has std b / sqrt(3); 120,000 draws pin it to well under 1%
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    assert abs(w.mean()) < 0.01 * bound
    manual_seed(123)
    np.testing.assert_array_equal(Linear(400, 300).weight.data, w)
    assert not np.array_equal(Linear(400, 300).weight.data, w)


def test_linear_follows_default_dtype():
    prev = autograd.get_default_dtype()
    try:
        autograd.set_default_dtype(np.float64)
        layer = Linear(3, 2)
        assert layer.weight.dtype == np.float64 and layer.bias.dtype == np.float64
    finally:
        autograd.set_default_dtype(prev)
    assert Linear(3, 2).weight.dtype == prev


def test_linear_float32_stays_float32_and_trains():
    layer = Linear(3, 2)
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    y = layer(x)
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_allclose(layer.weight.grad.data, np.full((2, 3), 4.0))
    np.testing.assert_allclose(layer.bias.grad.data, np.full(2, 4.0))


def test_linear_without_bias_and_bad_sizes():
    layer = Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)  # 6 params"
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="Linear: in_features"):
            Linear(bad, 2)


# -- Maxout -----------------------------------------------------------------------------

@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.data())
def test_maxout_gradients_wrt_input_and_parameters(n_in, n_out, pieces, data):
    layer = Maxout(n_in, n_out, pieces)
    x = data.draw(tensors(shape=(2, n_in)))
    rows = n_out * pieces
    # Distinct piece values (no ties) so central differences see a smooth function.
    w = data.draw(tensors(shape=(rows, n_in), elements=st.floats(-1, 1)))
    b = Tensor(np.arange(rows, dtype=np.float64) * 7.0, requires_grad=True)
    assert gradcheck(with_params(layer, ["weight", "bias"]), [x, w, b])


def test_maxout_is_max_over_pieces_of_a_linear_map():
    manual_seed(0)
    layer = Maxout(5, 3, pieces=4)
    x = np.random.default_rng(1).standard_normal((6, 5)).astype(np.float32)
    z = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(Tensor(x)).data, z.reshape(6, 3, 4).max(-1), rtol=1e-6)
    assert layer.weight.shape == (12, 5)
    assert "pieces=4" in repr(layer) and "# 72 params" in repr(layer)


def test_maxout_ties_share_the_gradient():
    layer = Maxout(1, 1, pieces=2)
    layer.weight.data[...] = 1.0
    layer.bias.data[...] = 0.0
    layer(Tensor(np.array([[2.0]], dtype=np.float32))).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.data, [[1.0], [1.0]])   # 2 * 0.5 each
    np.testing.assert_allclose(layer.bias.grad.data, [0.5, 0.5])


# -- Identity and Flatten ---------------------------------------------------------------

def test_identity_returns_input():
    x = Tensor(np.ones(3), requires_grad=True)
    assert Identity()(x) is x


@given(st.sampled_from([(2, 3, 4, 5), (2, 3), (4, 1, 2)]),
       st.sampled_from([(1, -1), (0, -1), (1, 2), (0, 1)]), st.data())
def test_flatten_shapes_and_gradient(shape, dims, data):
    start, end = dims
    if end >= len(shape):
        end = -1
    x = data.draw(tensors(shape=shape))
    layer = Flatten(start, end)
    assert layer(x).shape == np.reshape(x.data, _flat_shape(shape, start, end)).shape
    assert gradcheck(layer, [x])


def _flat_shape(shape, start, end):
    end = end % len(shape)
    return shape[:start] + (int(np.prod(shape[start:end + 1])),) + shape[end + 1:]


# -- PyTorch parity ---------------------------------------------------------------------

def test_linear_matches_torch_outputs_and_all_gradients():
    torch = pytest.importorskip("torch")
    tl = torch.nn.Linear(7, 5).double()
    prev = autograd.get_default_dtype()
    autograd.set_default_dtype(np.float64)
    try:
        layer = Linear(7, 5)
    finally:
        autograd.set_default_dtype(prev)
    layer.load_state_dict({k: v.detach().numpy() for k, v in tl.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3, 7))
    v = np.random.default_rng(1).standard_normal((4, 3, 5))
    xt = torch.tensor(x, requires_grad=True)
    tl(xt).backward(torch.tensor(v))
    ours = Tensor(x, requires_grad=True)
    out = layer(ours)
    out.backward(v)
    np.testing.assert_allclose(out.data, tl(xt).detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad.data, tl.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad.data, tl.bias.grad.numpy(), rtol=1e-12)


def test_maxout_matches_torch_linear_plus_amax():
    torch = pytest.importorskip("torch")
    n_in, n_out, k = 6, 4, 3
    tl = torch.nn.Linear(n_in, n_out * k).double()
    layer = Maxout(n_in, n_out, k)
    layer.weight.data = tl.weight.detach().numpy().copy()
    layer.bias.data = tl.bias.detach().numpy().copy()
    x = np.random.default_rng(2).standard_normal((5, n_in))
    v = np.random.default_rng(3).standard_normal((5, n_out))
    xt = torch.tensor(x, requires_grad=True)
    yt = tl(xt).view(5, n_out, k).amax(-1)
    yt.backward(torch.tensor(v))
    ours = Tensor(x, requires_grad=True)
    y = layer(ours)
    y.backward(v)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad.data, tl.weight.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.bias.grad.data, tl.bias.grad.numpy(), atol=1e-12)


def test_flatten_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(120.0).reshape(2, 3, 4, 5)
    for start, end in [(1, -1), (0, 2), (2, 3)]:
        np.testing.assert_array_equal(Flatten(start, end)(Tensor(x)).data,
                                      torch.nn.Flatten(start, end)(torch.tensor(x)).numpy())
