"""One definition of each training measure: optim.checks.measures, with the thresholds of
nn.activation.ACTIVATION_THRESHOLDS. optim's Diagnostics/ParameterStats and viz's
activation_stats/grad_flow/UpdateRatioTracker give the same figures for one model."""
import numpy as np
import pytest

import nn
import optim
import viz
from autograd import Tensor
from nn.activation import ACTIVATION_THRESHOLDS, ActivationThresholds
from optim.checks import (ACTIVATION_KINDS, ParameterStats, activation_kind, active_units,
                          dead_fraction, describe_thresholds, grad_summary, saturated_mask,
                          update_norms)


def mixed_model(seed=0):
    """Tanh and sigmoid layers that saturate in part, a ReLU layer with some dead units."""
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.Sigmoid(),
                          nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 3))
    rng = np.random.default_rng(seed)
    for i in (0, 2):
        model[i].weight.data[...] = rng.normal(0, 2.0, model[i].weight.shape)
    model[4].bias.data[:6] = -50.0                       # these six ReLU units never fire
    model[4].bias.data[6:] = 50.0                        # and these always do
    x = Tensor(rng.normal(size=(64, 6)).astype(np.float32))
    return model, x


def test_diagnostics_and_viz_report_the_same_activation_figures():
    model, x = mixed_model()
    diag = optim.Diagnostics(model)
    model(x)
    ours = diag.activation_stats()
    theirs = viz.activation_stats(viz.record_activations(model, x))
    assert [s["layer"] for s in ours] == [s["name"] for s in theirs] == ["1", "3", "5"]
    for a, b in zip(ours, theirs):
        assert a["type"] == b["kind"]
        assert a["saturated"] == b["saturated"] and a["dead"] == b["dead"]
        assert a["mean"] == pytest.approx(b["mean"], abs=1e-12)
        assert a["std"] == pytest.approx(b["std"], abs=1e-7)
    tanh, sigmoid, relu = ours
    assert 0.05 < tanh["saturated"] < 0.95 and tanh["dead"] is None
    assert 0.0 < sigmoid["saturated"] < 0.95 and sigmoid["dead"] is None
    assert relu["saturated"] is None and relu["dead"] == pytest.approx(6 / 12)
    out = np.tanh(model[0](x).data.astype(np.float64))
    assert tanh["saturated"] == pytest.approx(np.mean(np.abs(out) > 0.99))


def test_both_reports_read_the_one_table(monkeypatch):
    model, x = mixed_model()
    before = viz.activation_stats(viz.record_activations(model, x))[0]["saturated"]
    monkeypatch.setitem(ACTIVATION_THRESHOLDS, "Tanh",
                        ACTIVATION_THRESHOLDS["Tanh"]._replace(saturated_within=0.03))
    diag = optim.Diagnostics(model)
    model(x)
    ours = diag.activation_stats()[0]["saturated"]
    theirs = viz.activation_stats(viz.record_activations(model, x))[0]["saturated"]
    out = np.tanh(model[0](x).data.astype(np.float64))
    assert ours == theirs == pytest.approx(np.mean(np.abs(out) > 0.97))
    assert theirs > before
    assert "within 0.01/0.03 of an asymptote" in describe_thresholds()


def test_parameter_stats_and_viz_give_the_same_gradient_and_update_figures():
    model, x = mixed_model()
    y = np.arange(64) % 3
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    stats, tracker = ParameterStats(model), viz.UpdateRatioTracker(model)
    for _ in range(3):
        opt.zero_grad()
        nn.CrossEntropyLoss()(model(x), y).backward()
        stats.step(opt)
        tracker.update()
    flow = {name: mean for name, mean, _ in viz.grad_flow(model)}
    for s in stats.gradient_stats():
        assert s["grad_mean_abs"] == flow[s["param"]]
        if s["param"] in tracker.ratios:                     # the tracker keeps weights only
            assert stats.history["update_ratio"][s["param"]] == tracker.ratios[s["param"]]
    g = model[0].weight.grad.data.astype(np.float64)
    first = stats.gradient_stats()[0]
    assert first["grad_norm"] == pytest.approx(np.linalg.norm(g), rel=1e-12)
    assert first["grad_mean_abs"] == pytest.approx(np.abs(g).mean(), rel=1e-12)


def test_the_table_lists_documented_nn_activations():
    assert ACTIVATION_KINDS == tuple(ACTIVATION_THRESHOLDS)
    for kind, rule in ACTIVATION_THRESHOLDS.items():
        assert isinstance(rule, ActivationThresholds) and rule.source
        assert issubclass(getattr(nn, kind), nn.Module)
        assert (rule.asymptotes is None) == (rule.saturated_within is None)
    assert ACTIVATION_THRESHOLDS["Tanh"].saturated_within == 0.01
    assert ACTIVATION_THRESHOLDS["Sigmoid"].asymptotes == (0.0, 1.0)
    assert ACTIVATION_THRESHOLDS["ReLU"].active_above == 0.0


def test_saturation_is_strictly_within_the_margin_of_an_asymptote():
    s = np.array([0.0, 0.005, 0.01, 0.5, 0.99, 0.995, 1.0])
    assert saturated_mask(s, "Sigmoid").tolist() == [True, True, False, False, False, True,
                                                      True]
    t = np.array([-1.0, -0.995, -0.99, 0.0, 0.99, 0.995])
    assert saturated_mask(t, "Tanh").tolist() == [True, True, False, False, False, True]
    assert saturated_mask(t, "Tanh", eps=0.5).tolist() == [True, True, True, False, True, True]
    for kind in ("ReLU", "GELU", "Softmax"):
        assert saturated_mask(t, kind) is None


def test_a_unit_is_one_element_of_a_sample_and_dead_only_if_never_active():
    out = np.zeros((4, 2, 3, 3))                  # a conv layer's output: 2 channels, 3x3
    out[1, 0, 2, 2] = 1.0                         # one position of channel 0, one example
    active = active_units(out, "ReLU")
    assert active.shape == (18,) and active.sum() == 1
    assert dead_fraction(active) == pytest.approx(17 / 18)
    later = active_units(-out + 2.0, "LeakyReLU")
    assert dead_fraction(active | later) == 0.0
    assert active_units(out, "Tanh") is None and active_units(out, "SiLU") is None
    assert active_units(np.array([-1.0, 2.0, 0.0]), "ELU").tolist() == [False, True, False]


def test_activation_kind_follows_subclasses_and_gradient_and_update_measures():
    class MyReLU(nn.ReLU):
        pass

    assert activation_kind(MyReLU()) == "ReLU" and activation_kind(nn.Softmax(1)) is None
    norm, mean, largest = grad_summary(np.array([[3.0, -4.0], [0.0, 0.0]], dtype=np.float32))
    assert (norm, mean, largest) == (5.0, 1.75, 4.0)
    assert grad_summary(np.zeros((0, 3))) == (0.0, 0.0, 0.0)
    assert np.isnan(grad_summary(np.array([1.0, np.nan]))[0])
    assert update_norms(np.zeros(3), np.ones(3)) == (0.0, pytest.approx(3 ** 0.5), None)
    w, u, ratio = update_norms(np.array([3.0, 4.0], np.float32), np.array([3.0, 4.5]))
    assert (w, u, ratio) == (5.0, 0.5, 0.1)
