"""Adaptive average/max pooling and interpolate/Upsample: gradient checks (hypothesis,
float64), values, gradients and indices against PyTorch over modes, sizes, scale factors
(PyTorch's float32 index arithmetic included), align_corners; errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import tensors
from nn.adaptive import adaptive_avg_pool2d, adaptive_max_pool2d, adaptive_windows

pool_cases = st.sampled_from([((1, 2, 4, 4), 2), ((2, 1, 5, 3), (2, 2)), ((3, 5, 4), (3, None)),
                              ((1, 1, 3, 7), (1, 4))])


@given(pool_cases, st.data())
def test_adaptive_pool_gradients(case, data):
    shape, out = case
    x = data.draw(tensors(shape=shape, distinct=0.05))      # no ties for max
    assert gradcheck(lambda t: adaptive_avg_pool2d(t, out), [x])
    assert gradgradcheck(lambda t: adaptive_avg_pool2d(t, out), [x])
    assert gradcheck(lambda t: adaptive_max_pool2d(t, out), [x])


resize_cases = st.sampled_from([
    ((1, 2, 3, 4), "nearest", {"scale_factor": 2}), ((1, 1, 4, 3), "bilinear", {"size": (5, 7)}),
    ((2, 1, 5), "linear", {"scale_factor": 1.5}), ((1, 1, 4, 4), "area", {"size": (3, 2)}),
    ((1, 1, 3, 3), "bilinear", {"scale_factor": 2, "align_corners": True}),
    ((1, 2, 5), "nearest-exact", {"size": 3})])


@given(resize_cases, st.data())
def test_interpolate_gradients(case, data):
    shape, mode, kwargs = case
    x = data.draw(tensors(shape=shape))
    assert gradcheck(lambda t: F.interpolate(t, mode=mode, **kwargs), [x])
    assert gradgradcheck(lambda t: F.interpolate(t, mode=mode, **kwargs) ** 2, [x])


def _compare(torch, ours_fn, torch_fn, x, tol):
    tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    t, o = torch_fn(tx), ours_fn(ox)
    assert tuple(t.shape) == o.shape
    np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=0, atol=tol)
    g = np.random.default_rng(1).standard_normal(o.shape).astype(x.dtype)
    t.backward(torch.tensor(g))
    o.backward(g)
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), rtol=0, atol=tol)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("shape", [(2, 3, 5, 7), (1, 1, 3)])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "area", "linear-or-bilinear"])
@pytest.mark.parametrize("kwargs", [{"scale_factor": 2}, {"scale_factor": 1.7},
                                    {"scale_factor": 0.6}, {"size": 9}, {"size": 2},
                                    {"scale_factor": 2.3, "recompute_scale_factor": True}])
def test_interpolate_matches_torch(dtype, tol, shape, mode, kwargs):
    torch = pytest.importorskip("torch")
    if mode == "linear-or-bilinear":
        mode = "bilinear" if len(shape) == 4 else "linear"
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    for align in ([None, True, False] if mode in ("linear", "bilinear") else [None]):
        _compare(torch, lambda t: F.interpolate(t, mode=mode, align_corners=align, **kwargs),
                 lambda t: torch.nn.functional.interpolate(t, mode=mode, align_corners=align,
                                                           **kwargs), x, tol)


@pytest.mark.parametrize("shape,size", [((2, 3, 5, 7), (2, 3)), ((1, 2, 6, 6), 3),
                                        ((1, 2, 7, 5), (4, None)), ((3, 5, 5), 1),
                                        ((1, 1, 4, 9), (6, 11))])
def test_adaptive_pools_match_torch(shape, size):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(shape)
    for name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        _compare(torch, lambda t: getattr(nn.adaptive, name)(t, size),
                 lambda t: getattr(torch.nn.functional, name)(t, size), x, 1e-12)
    _, t_idx = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), size, return_indices=True)
    _, o_idx = nn.AdaptiveMaxPool2d(size, return_indices=True)(Tensor(x))
    np.testing.assert_array_equal(o_idx.data, t_idx.numpy())


def test_windows_follow_pytorchs_rule_and_modules_work():
    assert adaptive_windows(5, 3) == [(0, 2), (1, 4), (3, 5)]
    assert adaptive_windows(4, 4) == [(0, 1), (1, 2), (2, 3), (3, 4)]
    x = Tensor(np.random.randn(2, 3, 8, 8).astype(np.float32))
    assert nn.AdaptiveAvgPool2d((1, 1))(x).shape == (2, 3, 1, 1)
    assert nn.Upsample(scale_factor=2, mode="nearest")(x).shape == (2, 3, 16, 16)
    assert nn.UpsamplingBilinear2d(size=(5, 5))(x).dtype == np.float32
    np.testing.assert_array_equal(nn.UpsamplingNearest2d(scale_factor=2)(x).data[:, :, ::2, ::2],
                                  x.data)


def test_errors():
    x = Tensor(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="mode 'linear' needs a 3-d input"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(ValueError, match="bicubic and trilinear are not supported"):
        F.interpolate(x, scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match="align_corners applies only to linear modes"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match=r"expected a 3-d \(C, H, W\) or 4-d"):
        adaptive_avg_pool2d(Tensor(np.zeros((4, 4))), 2)
