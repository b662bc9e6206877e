"""nn.init.orthogonal_, trunc_normal_ and eye_: the properties PyTorch documents, seeding,
dtype kept, errors."""
import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.init import eye_, orthogonal_, trunc_normal_


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3), (6, 2, 3, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    w = orthogonal_(Tensor(np.zeros(shape, np.float32)), gain=2.0,
                    generator=np.random.default_rng(0))
    assert w.dtype == np.float32
    flat = w.data.reshape(shape[0], -1).astype(np.float64) / 2.0
    small = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(small, np.eye(len(small)), atol=1e-5)


def test_orthogonal_of_an_lstm_weight_is_seeded():
    nn.manual_seed(3)
    a = orthogonal_(nn.LSTM(4, 4).weight_hh_l0).data.copy()
    nn.manual_seed(3)
    b = orthogonal_(nn.LSTM(4, 4).weight_hh_l0).data
    np.testing.assert_array_equal(a, b)


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    w = trunc_normal_(Tensor(np.zeros(200_000)), mean=1.0, std=2.0, a=-1.0, b=5.0,
                      generator=np.random.default_rng(0))
    assert w.data.min() >= -1.0 and w.data.max() <= 5.0
    # truncated normal on [-1, 5] = mean +- 1 std, +2 std: moments from the closed form
    from math import erf, exp, pi, sqrt
    alpha, beta = -1.0, 2.0
    phi = lambda z: exp(-z * z / 2) / sqrt(2 * pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + erf(z / sqrt(2)))  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    mean = 1.0 + 2.0 * (phi(alpha) - phi(beta)) / z
    var = 4.0 * (1 + (alpha * phi(alpha) - beta * phi(beta)) / z - ((phi(alpha) - phi(beta))
                                                                     / z) ** 2)
    assert w.data.mean() == pytest.approx(mean, abs=0.01)
    assert w.data.var() == pytest.approx(var, rel=0.02)


def test_trunc_normal_refuses_intervals_without_mass():
    with pytest.raises(ValueError, match="holds only"):
        trunc_normal_(Tensor(np.zeros(3)), a=10.0, b=11.0)


def test_eye_and_errors():
    np.testing.assert_array_equal(eye_(Tensor(np.ones((2, 3)))).data, np.eye(2, 3))
    with pytest.raises(ValueError, match="only 2-d tensors"):
        eye_(Tensor(np.zeros((2, 2, 2))))
    with pytest.raises(ValueError, match="2 or more dimensions"):
        orthogonal_(Tensor(np.zeros(3)))
