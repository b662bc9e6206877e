"""batch_norm / layer_norm and BatchNorm1d, BatchNorm2d, LayerNorm: gradients in train and
eval mode, running statistics, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import floats_away_from, tensors
from nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm, batch_norm, layer_norm

bn_shapes = st.sampled_from([(4, 3), (3, 2, 4), (2, 2, 3, 3), (2, 1, 2, 5)])
positive = floats_away_from((), 0.0, low=0.5, high=2.0)


@given(bn_shapes, st.booleans(), st.data())
def test_batch_norm_train_mode_gradients_wrt_input_weight_bias(shape, affine, data):
    x = data.draw(tensors(shape=shape))
    c = shape[1]
    params = [data.draw(tensors(shape=(c,))), data.draw(tensors(shape=(c,)))] if affine else []
    fn = lambda t, *wb: batch_norm(t, None, None, *wb, training=True)  # noqa: E731
    assert gradcheck(fn, [x] + params)


@given(bn_shapes, st.data())
def test_batch_norm_train_mode_second_derivatives(shape, data):
    x = data.draw(tensors(shape=shape))
    w, b = data.draw(tensors(shape=(shape[1],))), data.draw(tensors(shape=(shape[1],)))
    assert gradgradcheck(lambda t, *wb: batch_norm(t, None, None, *wb, training=True),
                         [x, w, b])


@given(bn_shapes, st.data())
def test_batch_norm_eval_mode_gradients(shape, data):
    c = shape[1]
    x, w, b = (data.draw(tensors(shape=s)) for s in (shape, (c,), (c,)))
    rm = data.draw(tensors(shape=(c,), requires_grad=False))
    rv = data.draw(tensors(shape=(c,), elements=positive, requires_grad=False))
    fn = lambda t, *wb: batch_norm(t, rm, rv, *wb, training=False)  # noqa: E731
    assert gradcheck(fn, [x, w, b])
    assert gradgradcheck(fn, [x, w, b])
    xhat = (x.data - rm.data.reshape((1, c) + (1,) * (len(shape) - 2))) / np.sqrt(
        rv.data.reshape((1, c) + (1,) * (len(shape) - 2)) + 1e-5)
    np.testing.assert_allclose(fn(x).data, xhat, rtol=1e-12, atol=1e-12)


@given(st.sampled_from([((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4))]),
       st.booleans(), st.data())
def test_layer_norm_gradients(shapes, affine, data):
    shape, normalized = shapes
    x = data.draw(tensors(shape=shape))
    params = [data.draw(tensors(shape=normalized)) for _ in range(2)] if affine else []
    fn = lambda t, *wb: layer_norm(t, normalized, *wb)  # noqa: E731
    assert gradcheck(fn, [x] + params)
    assert gradgradcheck(fn, [x] + params)


def test_normalized_output_has_zero_mean_unit_variance_and_keeps_float32():
    x = Tensor(np.random.default_rng(0).normal(3, 2, (64, 4, 5, 5)).astype(np.float32))
    y = batch_norm(x, None, None, training=True).data
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)
    z = layer_norm(x, (4, 5, 5)).data
    assert z.dtype == np.float32
    np.testing.assert_allclose(z.reshape(64, -1).mean(axis=1), 0, atol=1e-5)
    bn = BatchNorm2d(4)
    out = bn(Tensor(x.data, requires_grad=True))
    out.sum().backward()
    assert out.dtype == bn.weight.grad.dtype == bn.running_var.dtype == np.float32


def test_running_statistics_use_unbiased_variance_and_momentum():
    x = np.random.default_rng(1).standard_normal((6, 2))
    rm, rv = Tensor(np.zeros(2)), Tensor(np.ones(2))
    batch_norm(Tensor(x), rm, rv, training=True, momentum=0.25)
    np.testing.assert_allclose(rm.data, 0.25 * x.mean(axis=0))
    np.testing.assert_allclose(rv.data, 0.75 + 0.25 * x.var(axis=0, ddof=1))
    before = rm.data.copy()
    batch_norm(Tensor(x), rm, rv, training=False)
    np.testing.assert_array_equal(rm.data, before)


def test_batch_norm_modules_track_state_and_modes():
    bn = BatchNorm1d(3)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    x = Tensor(np.random.default_rng(2).standard_normal((5, 3, 4)).astype(np.float32))
    bn(x), bn(x)
    assert int(bn.num_batches_tracked.item()) == 2
    stats = bn.running_mean.data.copy()
    bn.eval()(x)
    np.testing.assert_array_equal(bn.running_mean.data, stats)
    bn.reset_running_stats()
    np.testing.assert_array_equal(bn.running_var.data, 1)
    free = BatchNorm2d(3, affine=False, track_running_stats=False).eval()
    assert list(free.parameters()) == [] and free.running_mean is None
    y = free(Tensor(np.random.default_rng(3).standard_normal((4, 3, 2, 2))))
    np.testing.assert_allclose(y.data.mean(axis=(0, 2, 3)), 0, atol=1e-6)   # batch stats


def test_normalization_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        batch_norm(Tensor(np.ones((1, 3))), None, None, training=True)
    with pytest.raises(ValueError, match=r"batch_norm: weight has shape \(2,\).*needs \(3,\)"):
        batch_norm(Tensor(np.ones((4, 3))), None, None, Tensor(np.ones(2)), training=True)
    with pytest.raises(ValueError, match="eval mode .* needs running_mean"):
        batch_norm(Tensor(np.ones((4, 3))), None, None, training=False)
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\): expected input of 4-d shape"):
        BatchNorm2d(3)(Tensor(np.ones((4, 3))))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\).*3 channels in dim 1, got \(4, 2\)"):
        BatchNorm1d(3)(Tensor(np.ones((4, 2))))
    with pytest.raises(ValueError, match=r"layer_norm: input \(4, 3\).*normalized_shape=\(4,\)"):
        layer_norm(Tensor(np.ones((4, 3))), 4)
    with pytest.raises(ValueError, match="LayerNorm: normalized_shape must be"):
        LayerNorm(0)


# -- PyTorch parity ------------------------------------------------------------------

BN_CASES = [(BatchNorm1d, "BatchNorm1d", (8, 3), {}),
            (BatchNorm1d, "BatchNorm1d", (6, 3, 5), dict(momentum=0.3)),
            (BatchNorm2d, "BatchNorm2d", (4, 3, 5, 6), {}),
            (BatchNorm2d, "BatchNorm2d", (4, 3, 2, 2), dict(momentum=None)),
            (BatchNorm2d, "BatchNorm2d", (4, 3, 3, 3), dict(affine=False))]


@pytest.mark.parametrize("cls, name, shape, kwargs", BN_CASES)
def test_batch_norm_matches_torch_over_several_steps(cls, name, shape, kwargs):
    torch = pytest.importorskip("torch")
    ref, mine = getattr(torch.nn, name)(3, **kwargs), cls(3, **kwargs)
    if mine.weight is not None:
        with torch.no_grad():
            ref.weight.uniform_(0.5, 1.5)
            ref.bias.uniform_(-0.5, 0.5)
        mine.weight.data[...] = ref.weight.detach().numpy()
        mine.bias.data[...] = ref.bias.detach().numpy()
    rng = np.random.default_rng(0)
    for step in range(4):
        x = rng.normal(step, 1 + step, shape).astype(np.float32)
        g = rng.standard_normal(shape).astype(np.float32)
        xt, xc = torch.tensor(x, requires_grad=True), Tensor(x.copy(), requires_grad=True)
        out_t, out = ref(xt), mine(xc)
        out_t.backward(torch.tensor(g))
        out.backward(g)
        np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(xc.grad.data, xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    if mine.weight is not None:
        np.testing.assert_allclose(mine.weight.grad.data, ref.weight.grad.numpy(), rtol=1e-4,
                                   atol=1e-4)
        np.testing.assert_allclose(mine.bias.grad.data, ref.bias.grad.numpy(), rtol=1e-4,
                                   atol=1e-4)
    np.testing.assert_allclose(mine.running_mean.data, ref.running_mean.numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(mine.running_var.data, ref.running_var.numpy(), rtol=1e-5,
                               atol=1e-6)
    assert int(mine.num_batches_tracked.item()) == int(ref.num_batches_tracked) == 4
    ref.eval(), mine.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    xt, xc = torch.tensor(x, requires_grad=True), Tensor(x.copy(), requires_grad=True)
    out_t, out = ref(xt), mine(xc)
    out_t.sum().backward()
    out.sum().backward()
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(xc.grad.data, xt.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape, normalized, affine", [((4, 6), 6, True),
                                                       ((2, 3, 4, 5), (4, 5), True),
                                                       ((3, 5), (5,), False)])
def test_layer_norm_matches_torch(shape, normalized, affine):
    torch = pytest.importorskip("torch")
    ref = torch.nn.LayerNorm(normalized, elementwise_affine=affine)
    mine = LayerNorm(normalized, elementwise_affine=affine)
    if affine:
        with torch.no_grad():
            ref.weight.uniform_(0.5, 1.5)
            ref.bias.uniform_(-0.5, 0.5)
        mine.weight.data[...] = ref.weight.detach().numpy()
        mine.bias.data[...] = ref.bias.detach().numpy()
    x = np.random.default_rng(0).normal(2, 3, shape).astype(np.float32)
    g = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    xt, xc = torch.tensor(x, requires_grad=True), Tensor(x.copy(), requires_grad=True)
    out_t, out = ref(xt), mine(xc)
    out_t.backward(torch.tensor(g))
    out.backward(g)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(xc.grad.data, xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    if affine:
        np.testing.assert_allclose(mine.weight.grad.data, ref.weight.grad.numpy(), rtol=1e-4,
                                   atol=1e-4)
        np.testing.assert_allclose(mine.bias.grad.data, ref.bias.grad.numpy(), rtol=1e-4,
                                   atol=1e-4)
