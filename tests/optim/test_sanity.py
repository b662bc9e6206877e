"""optim sanity checks: initial loss ≈ ln(C), overfitting a small subset, whole-model gradient
check; each on a correct model and on deliberately broken ones (double softmax, sign-flipped
gradient, too-high learning rate, too-large initialization)."""
import json
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
import nn
import optim
from autograd import Function
from optim import check_gradients, check_initial_loss, check_overfit_small

C = 3


class FlipGrad(Function):
    """Identity forward, sign-flipped backward: a deliberately wrong op."""

    @staticmethod
    def forward(ctx, x):
        return x.data.copy()

    @staticmethod
    def backward(ctx, g):
        return -g


class HalfGrad(Function):
    """Identity forward, half the gradient backward: wrong, but not by sign."""

    @staticmethod
    def forward(ctx, x):
        return x.data.copy()

    @staticmethod
    def backward(ctx, g):
        return g * 0.5


class Wrap(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn.apply(x)


class NegLog(nn.Module):
    def forward(self, x):
        return (x - 100.0).log()     # NaN for every input here


def data(n=200, d=10, seed=0):
    """Random inputs with random labels: a small subset is memorizable by an MLP."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.integers(0, C, n)


def mlp(kind="ok", seed=0, d=10, hidden=32):
    nn.manual_seed(seed)
    layers = [nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, C)]
    extra = {"softmax": [nn.Softmax(dim=1)], "flip": [Wrap(FlipGrad)], "half": [Wrap(HalfGrad)],
             "nan": [NegLog()]}
    return nn.Sequential(*layers, *extra.get(kind, []))


def adam(params):
    return optim.Adam(params, lr=1e-2)


CE = nn.CrossEntropyLoss()


# -- 1. initial loss ----------------------------------------------------------------


def test_initial_loss_correct_model_is_ln_c_and_rises_with_regularization():
    X, y = data()
    r = check_initial_loss(mlp(), CE, X, y, num_classes=C,
                           reg_fn=lambda m: nn.l2_penalty(m, 1e-1))
    assert r.passed, r.verdict
    assert r.expected == pytest.approx(math.log(C))
    assert abs(r.loss - math.log(C)) <= 0.15 * math.log(C)
    assert r.loss_with_reg > r.loss
    assert r.verdict.startswith("ok") and "rises" in r.verdict
    json.dumps(r.to_dict())


@given(st.integers(2, 20), st.integers(1, 16))
def test_initial_loss_is_exactly_ln_c_when_all_scores_are_equal(num_classes, n):
    lin = nn.Linear(4, num_classes)
    nn.init.zeros_(lin.weight)
    nn.init.zeros_(lin.bias)
    X = np.random.default_rng(n).normal(size=(n, 4)).astype(np.float32)
    y = np.arange(n) % num_classes
    r = check_initial_loss(lin, CE, X, y, num_classes=num_classes)
    assert r.passed
    assert r.relative_error < 1e-6


def test_initial_loss_fails_with_too_large_initial_weights():
    X, y = data()
    model = mlp()
    for p in model.parameters():
        nn.init.normal_(p, 0.0, 10.0)
    r = check_initial_loss(model, CE, X, y, num_classes=C)
    assert not r.passed
    assert r.loss > 1.15 * math.log(C)
    assert r.verdict.startswith("FAIL") and "initial weights too large" in r.verdict


def test_initial_loss_fails_when_regularization_adds_nothing():
    X, y = data()
    r = check_initial_loss(mlp(), CE, X, y, num_classes=C, reg_fn=lambda m: nn.l2_penalty(m, 0.0))
    assert not r.passed
    assert r.loss_with_reg == pytest.approx(r.loss)
    assert "regularization" in r.verdict and "FAIL" in r.verdict


def test_initial_loss_cannot_see_a_double_softmax():
    # Softmax outputs are ~1/C each, so the cross-entropy of them is still ~ln(C): this check
    # passes, and the overfit check is the one that catches it (next section).
    X, y = data()
    assert check_initial_loss(mlp("softmax"), CE, X, y, num_classes=C).passed


def test_initial_loss_of_the_svm_loss_is_c_minus_1_over_c():
    X, y = data()
    r = check_initial_loss(mlp(), nn.MultiMarginLoss(), X, y, num_classes=C)
    assert r.expected == pytest.approx((C - 1) / C)
    r_sum = check_initial_loss(mlp(), nn.CrossEntropyLoss(reduction="sum"), X, y, num_classes=C)
    assert r_sum.expected == pytest.approx(len(y) * math.log(C))
    assert r_sum.passed


def test_initial_loss_evaluates_in_eval_mode_and_restores_the_mode():
    X, y = data()
    model = nn.Sequential(nn.Linear(10, 32), nn.Dropout(0.9), nn.Linear(32, C))
    a = check_initial_loss(model, CE, X, y, num_classes=C)
    b = check_initial_loss(model, CE, X, y, num_classes=C)
    assert a.loss == b.loss             # no dropout noise
    assert model.training


def test_initial_loss_errors():
    X, y = data()
    with pytest.raises(ValueError, match="check_initial_loss: num_classes"):
        check_initial_loss(mlp(), CE, X, y, num_classes=1)
    with pytest.raises(ValueError, match="check_initial_loss: X .* and y"):
        check_initial_loss(mlp(), CE, X, y[:-1], num_classes=C)
    with pytest.raises(TypeError, match="check_initial_loss: model"):
        check_initial_loss(lambda x: x, CE, X, y, num_classes=C)
    with pytest.raises(TypeError, match="check_initial_loss: reg_fn"):
        check_initial_loss(mlp(), CE, X, y, num_classes=C, reg_fn=0.1)


# -- 2. overfit a small subset --------------------------------------------------------


def test_overfit_correct_model_reaches_full_accuracy_and_leaves_the_model_alone():
    X, y = data()
    model = mlp()
    before = model.state_dict()
    r = check_overfit_small(model, CE, adam, X, y, n=64, steps=300)
    # passes in 53-69 of the 300 steps for model/data seeds 0-9 (OPENBLAS_CORETYPE Haswell,
    # Sandybridge, Prescott alike)
    assert r.passed, r.verdict
    assert r.accuracy == 1.0 and r.n == 64
    assert r.final_loss <= 0.1 * r.initial_loss
    assert r.steps < 300 and len(r.losses) == r.steps + 1
    assert r.verdict.startswith("ok")
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    json.dumps(r.to_dict())


def test_overfit_accepts_a_model_factory():
    X, y = data()
    r = check_overfit_small(lambda: mlp(seed=1), CE, adam, X, y, n=32, steps=300)
    assert r.passed, r.verdict          # in 38-51 steps for seeds 0-9


def test_overfit_catches_a_double_softmax():
    # Cross-entropy of probabilities p (softmax applied twice) is -log(e^p_y / sum_j e^p_j)
    # >= ln(1 + (C - 1) / e) > 0: the loss cannot reach "near zero".
    X, y = data()
    r = check_overfit_small(mlp("softmax"), CE, adam, X, y, n=64, steps=300)
    assert not r.passed
    floor = math.log(1 + (C - 1) / math.e)
    assert min(r.losses) >= floor - 1e-6
    assert r.final_loss > 0.1 * r.initial_loss    # final / initial 0.51-0.57 for seeds 0-9
    assert "double softmax" in r.verdict


def test_overfit_catches_a_sign_flipped_gradient():
    X, y = data()
    r = check_overfit_small(mlp("flip"), CE, adam, X, y, n=64, steps=300)
    assert not r.passed
    assert r.final_loss > r.initial_loss          # gradient ascent: 3.0-3.3x for seeds 0-9
    assert "check_gradients" in r.verdict


def test_overfit_says_the_learning_rate_is_too_high():
    X, y = data()
    r = check_overfit_small(mlp(), CE, lambda p: optim.SGD(p, lr=50.0), X, y, n=64, steps=300)
    assert not r.passed
    assert r.final_loss > 3 * r.initial_loss      # 6.9-31x, after 1 step, for seeds 0-9
    assert r.steps < 300                          # stopped at once
    assert "learning rate is too high" in r.verdict


def test_overfit_stops_on_nan():
    X, y = data()
    with np.errstate(all="ignore"):
        r = check_overfit_small(mlp("nan"), CE, adam, X, y, n=16, steps=50)
    assert not r.passed and r.steps == 0
    assert math.isnan(r.final_loss)
    assert "find_nan_op" in r.verdict


def test_overfit_reports_a_too_small_budget():
    X, y = data()
    r = check_overfit_small(mlp(), CE, lambda p: optim.SGD(p, lr=1e-4), X, y, n=64, steps=5)
    assert not r.passed and r.steps == 5
    assert "training accuracy" in r.verdict and "FAIL" in r.verdict


def test_overfit_errors():
    X, y = data()
    with pytest.raises(TypeError, match="check_overfit_small: optimizer_factory"):
        check_overfit_small(mlp(), CE, lambda p: p, X, y)
    with pytest.raises(ValueError, match="check_overfit_small: n must"):
        check_overfit_small(mlp(), CE, adam, X, y, n=0)
    with pytest.raises(TypeError, match="check_overfit_small: model"):
        check_overfit_small(3, CE, adam, X, y)


# -- 3. gradient check ------------------------------------------------------------------


def test_gradient_check_passes_on_a_correct_model_in_float64():
    X, y = data()
    model = mlp()
    r = check_gradients(model, CE, X, y, n=4)
    assert r.passed, r.verdict
    assert [p.name for p in r.params] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(p.relative_error < 1e-6 and p.passed for p in r.params)
    assert r.max_relative_error == max(p.relative_error for p in r.params)
    assert r.verdict.startswith("ok")
    # the given model is untouched: float32, no gradients; the default dtype is restored
    assert all(p.dtype == np.float32 and p.grad is None for p in model.parameters())
    assert autograd.get_default_dtype() == np.float32
    json.dumps(r.to_dict())


def test_gradient_check_catches_a_sign_flipped_gradient():
    X, y = data()
    r = check_gradients(mlp("flip"), CE, X, y, n=4)
    assert not r.passed
    for p in r.params:                       # every parameter is upstream of the flip
        assert p.relative_error == pytest.approx(2.0)
        assert p.analytic == pytest.approx(-p.numerical, rel=1e-4)
        assert not p.passed
    assert "wrong sign" in r.verdict


def test_gradient_check_catches_a_scaled_gradient():
    X, y = data()
    r = check_gradients(mlp("half"), CE, X, y, n=4)
    assert not r.passed
    assert r.max_relative_error == pytest.approx(0.5, rel=1e-3)
    assert "backward in the model is wrong" in r.verdict


def test_gradient_check_samples_large_parameters():
    X, y = data()
    r = check_gradients(mlp(), CE, X, y, n=2, max_elements=5)
    checked = {p.name: p.checked for p in r.params}
    assert checked == {"0.weight": 5, "0.bias": 5, "2.weight": 5, "2.bias": 3}
    assert r.passed


def test_gradient_check_in_training_mode_covers_batch_norm():
    X, y = data()
    nn.manual_seed(0)
    # No bias before the batch norm (as usual; it would be redundant: its true gradient is
    # exactly 0, the case test_gradient_check_passes_a_zero_gradient_parameter_... covers).
    model = nn.Sequential(nn.Linear(10, 8, bias=False), nn.BatchNorm1d(8), nn.Tanh(),
                          nn.Linear(8, C))
    r = check_gradients(model, CE, X, y, n=6, training=True)
    assert r.passed, r.verdict
    assert {"1.weight", "1.bias"} <= {p.name for p in r.params}


def test_gradient_check_passes_a_zero_gradient_parameter_under_round_off():
    # A bias before batch norm has a true gradient of exactly 0. Whether its central
    # differences come out as exactly 0 or as round-off (~1e-11) depends on the BLAS kernel;
    # here every loss evaluation gets a few ulps of noise, as a different kernel gives, so
    # the numerical gradient is round-off everywhere. The check must still pass, and still
    # catch a wrong gradient.
    X, y = data()
    rng = np.random.default_rng(0)

    def noisy_ce(out, target):
        loss = CE(out, target)
        return loss + float(rng.integers(-3, 4) * np.spacing(loss.item()))

    def model(kind="ok"):
        nn.manual_seed(0)
        layers = [nn.Linear(10, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, C)]
        return nn.Sequential(*layers, *([Wrap(HalfGrad)] if kind == "half" else []))

    r = check_gradients(model(), noisy_ce, X, y, n=6, training=True)
    bias = next(p for p in r.params if p.name == "0.bias")
    assert bias.numerical != 0 and abs(bias.numerical) < 1e-9    # round-off, not a gradient
    assert bias.passed and bias.relative_error < 1e-6, r.verdict
    assert r.passed, r.verdict
    wrong = check_gradients(model("half"), noisy_ce, X, y, n=6, training=True)
    assert not wrong.passed
    assert {p.name for p in wrong.params if not p.passed} >= {"0.weight", "1.weight", "3.weight"}


def test_gradient_check_threshold_is_not_loosened_by_the_zero_floor():
    # the floor below which a gradient counts as 0 is set at the default threshold: a
    # stricter threshold than central differences can resolve fails, it does not pass
    X, y = data()
    r = check_gradients(mlp(), CE, X, y, n=4, threshold=1e-14)
    assert not r.passed and r.max_relative_error > 1e-14


def test_gradient_check_errors_restore_the_default_dtype():
    X, y = data()
    with pytest.raises(ValueError, match="check_gradients: n"):
        check_gradients(mlp(), CE, X, y, n=0)
    with pytest.raises(ValueError):
        check_gradients(mlp(), CE, X[:, :3], y)          # Linear rejects the shape
    assert autograd.get_default_dtype() == np.float32
