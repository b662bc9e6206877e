"""dropout / Dropout: train-mode statistics, inverted scaling, eval identity, gradients,
seeding, errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from autograd import Tensor, gradcheck
from autograd.testing import tensors
from nn.dropout import Dropout, dropout
from nn.container import Sequential
from nn.module import manual_seed


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_train_mode_statistics(p, dtype):
    manual_seed(0)
    n = 200_000
    x = Tensor(np.ones(n, dtype=dtype))
    y = dropout(x, p).data
    assert y.dtype == dtype
    zeroed = np.mean(y == 0)
    assert abs(zeroed - p) <= 5 * np.sqrt(p * (1 - p) / n)        # binomial, 5 sigma
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)   # inverted scaling
    # the mean is preserved: E[y] = 1, std of the sample mean sqrt(p / (1 - p) / n)
    assert abs(y.mean() - 1) <= 5 * np.sqrt(p / (1 - p) / n)


def test_eval_mode_and_p0_are_the_identity_and_p1_gives_zeros():
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    assert dropout(x, 0.5, training=False) is x
    assert dropout(x, 0.0) is x
    y = dropout(x, 1.0)
    np.testing.assert_array_equal(y.data, 0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 0)


def test_gradient_is_the_same_mask_scaled():
    manual_seed(1)
    x = Tensor(np.ones((50, 40)), requires_grad=True)
    y = dropout(x, 0.3)
    y.backward(np.full(y.shape, 2.0))
    np.testing.assert_allclose(x.grad.data, 2 * y.data)      # x is ones: y is the mask


@given(tensors(shape=(3, 4)), st.sampled_from([0.2, 0.5, 0.9]))
def test_gradcheck_with_a_fixed_mask(x, p):
    def fn(t):
        manual_seed(123)           # every call draws the same mask
        return dropout(t, p)
    assert gradcheck(fn, [x])


def test_seeded_masks_repeat_and_differ_between_calls():
    x = Tensor(np.ones(1000, dtype=np.float32))
    manual_seed(7)
    a, b = dropout(x).data, dropout(x).data
    manual_seed(7)
    np.testing.assert_array_equal(dropout(x).data, a)
    assert not np.array_equal(a, b)


def test_module_obeys_train_and_eval():
    manual_seed(0)
    drop = Dropout(0.5)
    model = Sequential(drop)
    x = Tensor(np.ones((100, 10), dtype=np.float32))
    assert (model(x).data == 0).any()
    model.eval()
    assert not drop.training
    np.testing.assert_array_equal(model(x).data, x.data)
    assert repr(drop) == "Dropout(p=0.5)" and list(drop.parameters()) == []


def test_bad_p_is_refused_with_a_clear_error():
    for p in (-0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match="dropout probability p must be a number in"):
            dropout(Tensor([1.0]), p)
        with pytest.raises(ValueError, match="Dropout: dropout probability"):
            Dropout(p)
    with pytest.raises(TypeError, match="dropout: expected a float tensor"):
        dropout(Tensor(np.ones(3, dtype=np.int64)), 0.5)


def test_kept_values_scale_like_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    yt = torch.nn.functional.dropout(torch.ones(10_000), 0.3).numpy()
    manual_seed(0)
    y = dropout(Tensor(np.ones(10_000, dtype=np.float32)), 0.3).data
    np.testing.assert_allclose(np.unique(y), np.unique(yt), rtol=1e-6)    # {0, 1/(1-p)}
