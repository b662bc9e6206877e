"""nn.utils: clip_grad_norm_ and clip_grad_value_ against their formulas and PyTorch."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from autograd import Tensor
from nn.parameter import Parameter
from nn.utils import clip_grad_norm_, clip_grad_value_

SHAPES = [(4, 3), (3,), (2, 2, 2), ()]


def _params(seed=0, dtype=np.float64, scale=1.0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    params = []
    for shape in shapes:
        # np.asarray: for shape () NumPy returns a scalar, which Tensor would make float32
        p = Parameter(np.asarray(rng.standard_normal(shape), dtype=dtype))
        p.grad = Tensor(np.asarray(scale * rng.standard_normal(shape), dtype=dtype))
        params.append(p)
    return params


def _flat(params):
    return np.concatenate([p.grad.data.ravel() for p in params if p.grad is not None])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0, 0.5])
def test_clip_grad_norm_formula(norm_type):
    params = _params(1)
    before = _flat(params).copy()
    expected = np.linalg.norm(before, ord=norm_type)
    total = clip_grad_norm_(params, max_norm=0.5, norm_type=norm_type)
    assert isinstance(total, Tensor) and total.ndim == 0
    assert total.item() == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(_flat(params), before * 0.5 / (expected + 1e-6), rtol=1e-12)
    assert np.linalg.norm(_flat(params), ord=norm_type) <= 0.5


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_no_change_when_below_max_norm(norm_type):
    params = _params(2)
    before = [p.grad.data.copy() for p in params]
    versions = [p.grad._version for p in params]
    total = clip_grad_norm_(params, max_norm=1e3, norm_type=norm_type)
    assert total.item() == pytest.approx(np.linalg.norm(np.concatenate(
        [b.ravel() for b in before]), ord=norm_type), rel=1e-12)
    for p, b, v in zip(params, before, versions):
        np.testing.assert_array_equal(p.grad.data, b)              # bit for bit
        assert p.grad._version == v


def test_clipping_is_in_place_and_bumps_versions():
    params = _params(3, scale=10.0)
    arrays = [p.grad.data for p in params]
    versions = [p.grad._version for p in params]
    clip_grad_norm_(params, 1.0)
    assert all(p.grad.data is a for p, a in zip(params, arrays))
    assert all(p.grad._version == v + 1 for p, v in zip(params, versions))


def test_params_without_grad_are_skipped_and_a_single_tensor_works():
    params = _params(4, scale=5.0)
    params[1].grad = None
    expected = np.linalg.norm(_flat(params))
    assert clip_grad_norm_(iter(params), 1.0).item() == pytest.approx(expected, rel=1e-12)
    assert params[1].grad is None
    single = _params(5, scale=5.0, shapes=[(3, 3)])[0]
    norm0 = np.linalg.norm(single.grad.data)
    assert clip_grad_norm_(single, 1.0).item() == pytest.approx(norm0, rel=1e-12)
    assert np.linalg.norm(single.grad.data) == pytest.approx(norm0 / (norm0 + 1e-6), rel=1e-12)


def test_no_grads_gives_zero():
    p = Parameter(np.ones(3))
    assert clip_grad_norm_([p], 1.0).item() == 0.0
    assert clip_grad_norm_([], 1.0).item() == 0.0


def test_dtype_is_kept():
    params = _params(6, dtype=np.float32, scale=10.0)
    total = clip_grad_norm_(params, 1.0)
    assert total.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in params)


def test_nonfinite_norm():
    params = _params(7)
    params[2].grad.data[0, 0, 0] = np.nan
    before = [p.grad.data.copy() for p in params]
    with pytest.raises(RuntimeError, match="clip_grad_norm_: the total 2.0-norm .* is nan"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    for p, b in zip(params, before):                        # nothing changed
        np.testing.assert_array_equal(p.grad.data, b)
    total = clip_grad_norm_(params, 1.0)                    # as PyTorch: NaN spreads
    assert math.isnan(total.item()) and np.isnan(_flat(params)).all()
    inf_params = _params(8)
    inf_params[0].grad.data[0, 0] = -np.inf
    assert clip_grad_norm_(inf_params, 1.0, norm_type="inf").item() == math.inf


def test_bad_arguments():
    with pytest.raises(ValueError, match="norm_type"):
        clip_grad_norm_(_params(9), 1.0, norm_type=0)
    with pytest.raises(ValueError, match="norm_type"):
        clip_grad_norm_(_params(9), 1.0, norm_type="fro")
    with pytest.raises(TypeError, match="clip_grad_norm_: parameter 1 is a ndarray"):
        clip_grad_norm_([Parameter(np.ones(2)), np.ones(2)], 1.0)
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value_(_params(9), -1.0)


def test_clip_grad_value_formula():
    params = _params(10, scale=3.0)
    before = [p.grad.data.copy() for p in params]
    assert clip_grad_value_(params, 0.7) is None
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.grad.data, np.clip(b, -0.7, 0.7))


# -- PyTorch parity ---------------------------------------------------------------------

def _torch_params(torch, params):
    out = []
    for p in params:
        t = torch.tensor(p.data, requires_grad=True)
        t.grad = torch.tensor(p.grad.data.copy())
        out.append(t)
    return out


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("max_norm", [0.1, 1e4])
def test_clip_grad_norm_equals_torch(norm_type, dtype, rtol, max_norm):
    torch = pytest.importorskip("torch")
    params = _params(11, dtype=dtype, scale=2.0)
    tparams = _torch_params(torch, params)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type=norm_type)
    assert total.dtype == ttotal.numpy().dtype
    np.testing.assert_allclose(total.data, ttotal.numpy(), rtol=rtol)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=rtol, atol=0)


@given(shapes=st.lists(st.lists(st.integers(1, 4), max_size=3), min_size=1, max_size=4),
       seed=st.integers(0, 2 ** 16), max_norm=st.floats(1e-3, 10.0),
       norm_type=st.sampled_from([1.0, 2.0, math.inf, 1.5]))
def test_clip_grad_norm_equals_torch_property(shapes, seed, max_norm, norm_type):
    torch = pytest.importorskip("torch")
    params = _params(seed, shapes=[tuple(s) for s in shapes])
    tparams = _torch_params(torch, params)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total.data, ttotal.numpy(), rtol=1e-12)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_clip_grad_value_equals_torch():
    torch = pytest.importorskip("torch")
    params = _params(12, scale=3.0)
    tparams = _torch_params(torch, params)
    clip_grad_value_(params, 0.4)
    torch.nn.utils.clip_grad_value_(tparams, 0.4)
    for p, t in zip(params, tparams):
        np.testing.assert_array_equal(p.grad.data, t.grad.numpy())
