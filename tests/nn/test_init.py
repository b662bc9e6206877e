"""nn.init: PyTorch's formulas (gains, fans), the drawn statistics, and in-place semantics."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from autograd import Tensor
from nn import init
from nn.parameter import Parameter, manual_seed

SQRT3 = math.sqrt(3.0)
N_SIDE = 512          # 262,144 draws: the sample std is within ~0.3% of the true one


def _rng(seed=0):
    return np.random.default_rng(seed)


# -- gains and fans ---------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("linear", 1.0), ("conv1d", 1.0), ("conv2d", 1.0), ("conv_transpose2d", 1.0),
    ("sigmoid", 1.0), ("tanh", 5.0 / 3), ("relu", math.sqrt(2.0)), ("selu", 0.75),
    ("leaky_relu", math.sqrt(2.0 / (1 + 0.01 ** 2))),
])
def test_calculate_gain_values(name, expected):
    assert init.calculate_gain(name) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("slope", [0, 0.2, 1, math.sqrt(5)])
def test_leaky_relu_gain_uses_the_slope(slope):
    assert init.calculate_gain("leaky_relu", slope) == pytest.approx(
        math.sqrt(2.0 / (1 + slope ** 2)), rel=1e-15)


def test_calculate_gain_rejects_unknown_names_and_bad_slopes():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "0.1")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape, fans", [
    ((10, 784), (784, 10)),              # Linear(784, 10).weight is (out, in)
    ((16, 3, 5, 5), (75, 400)),          # Conv2d(3, 16, 5)
    ((8, 4, 3), (12, 24)),               # Conv1d(4, 8, 3)
    ((2, 3, 1, 2, 2), (12, 8)),
])
def test_fans_of_linear_and_conv_shaped_weights(shape, fans):
    assert init._calculate_fan_in_and_fan_out(Tensor(np.zeros(shape))) == fans


@pytest.mark.parametrize("shape", [(), (5,)])
def test_fans_need_two_dimensions(shape):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(Tensor(np.zeros(shape)))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(Tensor(np.zeros(shape)))


def test_gains_and_fans_equal_torch():
    torch = pytest.importorskip("torch")
    for name in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "sigmoid", "tanh",
                 "relu", "selu", "leaky_relu"]:
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    for slope in [0, 0.01, 0.3, 2, math.sqrt(5)]:
        assert init.calculate_gain("leaky_relu", slope) == torch.nn.init.calculate_gain(
            "leaky_relu", slope)


@given(st.lists(st.integers(1, 6), min_size=2, max_size=5))
def test_fans_equal_torch_for_any_shape(shape):
    torch = pytest.importorskip("torch")
    ours = init._calculate_fan_in_and_fan_out(Tensor(np.zeros(shape)))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))


# -- drawn statistics match the formulas ------------------------------------------------

def _scheme_stds(shape):
    """(scheme name, fill function, expected std, uniform bound or None) for each scheme."""
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(Tensor(np.zeros(shape)))
    xavier = math.sqrt(2.0 / (fan_in + fan_out))
    return [
        ("normal_", lambda t, g: init.normal_(t, 0.0, 0.05, generator=g), 0.05, None),
        ("uniform_", lambda t, g: init.uniform_(t, -0.3, 0.3, generator=g), 0.3 / SQRT3, 0.3),
        ("xavier_uniform_", lambda t, g: init.xavier_uniform_(t, generator=g),
         xavier, SQRT3 * xavier),
        ("xavier_uniform_ tanh", lambda t, g: init.xavier_uniform_(
            t, gain=init.calculate_gain("tanh"), generator=g),
         5 / 3 * xavier, SQRT3 * 5 / 3 * xavier),
        ("xavier_normal_", lambda t, g: init.xavier_normal_(t, gain=2.0, generator=g),
         2.0 * xavier, None),
        ("kaiming_uniform_", lambda t, g: init.kaiming_uniform_(t, generator=g),
         math.sqrt(2.0 / fan_in), SQRT3 * math.sqrt(2.0 / fan_in)),
        # a=sqrt(5) is Linear's default: U(+-1/sqrt(fan_in))
        ("kaiming_uniform_ a=sqrt5", lambda t, g: init.kaiming_uniform_(
            t, a=math.sqrt(5), generator=g),
         1 / math.sqrt(3 * fan_in), 1 / math.sqrt(fan_in)),
        ("kaiming_uniform_ fan_out", lambda t, g: init.kaiming_uniform_(
            t, mode="fan_out", nonlinearity="relu", generator=g),
         math.sqrt(2.0 / fan_out), SQRT3 * math.sqrt(2.0 / fan_out)),
        ("kaiming_normal_", lambda t, g: init.kaiming_normal_(
            t, nonlinearity="relu", generator=g), math.sqrt(2.0 / fan_in), None),
        ("kaiming_normal_ fan_out leaky", lambda t, g: init.kaiming_normal_(
            t, a=0.2, mode="fan_out", generator=g),
         math.sqrt(2.0 / (1 + 0.04)) / math.sqrt(fan_out), None),
        ("kaiming_normal_ tanh", lambda t, g: init.kaiming_normal_(
            t, nonlinearity="tanh", generator=g), 5 / 3 / math.sqrt(fan_in), None),
    ]


@pytest.mark.parametrize("shape", [(N_SIDE, N_SIDE), (256, 64, 4, 4)],
                         ids=["linear 512x512", "conv 256x64x4x4"])
def test_drawn_std_matches_the_formula(shape):
    for name, fill, std, bound in _scheme_stds(shape):
        t = Tensor(np.zeros(shape))
        fill(t, _rng(1))
        x = t.data
        n = x.size
        # the sample std's standard error is std / sqrt(2n) (normal) or smaller (uniform):
        # 8 of them is far outside chance and far inside any wrong formula
        assert abs(x.std() - std) < 8 * std / math.sqrt(2 * n), name
        assert abs(x.mean()) < 6 * std / math.sqrt(n), name
        if bound is None:                        # normal: the tails are there
            assert np.abs(x).max() > 3.5 * std, name
            assert abs(np.mean(np.abs(x) < std) - 0.6827) < 0.01, name
        else:                                    # uniform: fills [-bound, bound] and no further
            assert np.abs(x).max() <= bound, name
            assert np.abs(x).max() > 0.999 * bound, name
            assert abs(np.mean(np.abs(x) < bound / 2) - 0.5) < 0.01, name


def test_the_formulas_differ_enough_for_the_statistics_to_tell():
    # guards the tolerance above: a factor sqrt(2) (e.g. a lost gain) is ~200 standard
    # errors away for a 512x512 draw, 20x the 8 allowed
    t = init.kaiming_normal_(Tensor(np.zeros((N_SIDE, N_SIDE))), generator=_rng(2))
    std = math.sqrt(2.0 / N_SIDE)
    assert abs(t.data.std() - std / math.sqrt(2)) > 20 * 8 * std / math.sqrt(2 * t.size)


# -- in place, dtype, version, generator ------------------------------------------------

FILLERS = [
    ("zeros_", lambda t, g: init.zeros_(t)),
    ("ones_", lambda t, g: init.ones_(t)),
    ("constant_", lambda t, g: init.constant_(t, 0.25)),
    ("normal_", lambda t, g: init.normal_(t, 1.0, 2.0, generator=g)),
    ("uniform_", lambda t, g: init.uniform_(t, -1.0, 3.0, generator=g)),
    ("xavier_uniform_", lambda t, g: init.xavier_uniform_(t, generator=g)),
    ("xavier_normal_", lambda t, g: init.xavier_normal_(t, generator=g)),
    ("kaiming_uniform_", lambda t, g: init.kaiming_uniform_(t, generator=g)),
    ("kaiming_normal_", lambda t, g: init.kaiming_normal_(t, generator=g)),
]


@pytest.mark.parametrize("name, fill", FILLERS, ids=[f[0] for f in FILLERS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_keeps_identity_dtype_and_bumps_version(name, fill, dtype):
    p = Parameter(np.full((6, 5), 7.0, dtype=dtype))       # requires grad: no_grad inside
    data, version = p.data, p._version
    out = fill(p, _rng(3))
    assert out is p and p.data is data
    assert p.dtype == dtype and p.shape == (6, 5)
    assert p._version == version + 1
    assert p.requires_grad and p.grad_fn is None
    assert not np.any(p.data == 7.0)


def test_constant_zeros_ones_values():
    t = Tensor(np.empty((3, 2), dtype=np.float32))
    assert np.all(init.constant_(t, -1.5).data == -1.5)
    assert np.all(init.zeros_(t).data == 0)
    assert np.all(init.ones_(t).data == 1)


def test_uniform_and_normal_parameters():
    u = init.uniform_(Tensor(np.zeros((200, 200))), 2.0, 5.0, generator=_rng(4)).data
    assert u.min() >= 2.0 and u.max() <= 5.0
    assert abs(u.mean() - 3.5) < 6 * (3 / math.sqrt(12)) / 200
    n = init.normal_(Tensor(np.zeros((200, 200))), mean=-3.0, std=0.5, generator=_rng(4)).data
    assert abs(n.mean() + 3.0) < 6 * 0.5 / 200
    assert abs(n.std() - 0.5) < 8 * 0.5 / math.sqrt(2 * n.size)


def test_same_generator_seed_same_values_across_dtypes():
    a = init.kaiming_uniform_(Tensor(np.zeros((7, 3))), generator=_rng(5)).data
    b = init.kaiming_uniform_(Tensor(np.zeros((7, 3))), generator=_rng(5)).data
    c = init.kaiming_uniform_(Tensor(np.zeros((7, 3), np.float32)), generator=_rng(5)).data
    d = init.kaiming_uniform_(Tensor(np.zeros((7, 3))), generator=_rng(6)).data
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a.astype(np.float32), c)
    assert not np.array_equal(a, d)


def test_default_generator_is_seeded_by_manual_seed():
    manual_seed(123)
    a = init.normal_(Tensor(np.zeros(10))).data.copy()
    b = init.normal_(Tensor(np.zeros(10))).data.copy()
    manual_seed(123)
    np.testing.assert_array_equal(init.normal_(Tensor(np.zeros(10))).data, a)
    assert not np.array_equal(a, b)                    # the generator advances


def test_zero_element_tensor_is_a_no_op_for_kaiming():
    t = Tensor(np.zeros((0, 3)))
    assert init.kaiming_uniform_(t) is t and init.kaiming_normal_(t) is t


def test_bad_input_raises_clearly():
    with pytest.raises(TypeError, match="xavier_uniform_: expected a Tensor"):
        init.xavier_uniform_(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        init.kaiming_uniform_(Tensor(np.zeros((3, 3))), mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.kaiming_normal_(Tensor(np.zeros((3, 3))), nonlinearity="gelu")
    with pytest.raises(TypeError, match="np.random.Generator"):
        init.normal_(Tensor(np.zeros(3)), generator=np.random.RandomState(0))
    t = Tensor(np.ones((3, 3)))
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(t, 1.0, -1.0)
    np.testing.assert_array_equal(t.data, 1.0)         # nothing half-changed


def test_mode_is_case_insensitive_as_in_torch():
    a = init.kaiming_normal_(Tensor(np.zeros((4, 9))), mode="FAN_OUT", generator=_rng(7)).data
    b = init.kaiming_normal_(Tensor(np.zeros((4, 9))), mode="fan_out", generator=_rng(7)).data
    np.testing.assert_array_equal(a, b)
