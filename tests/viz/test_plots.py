"""Plots and the numbers behind them: gradient flow, activation statistics, curves, ratios."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import nn
import optim
import viz
from autograd import Tensor
from viz.stats import ActivationRecord, activation_stats
from .conftest import small_model


def _is_png(path):
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _trained(steps=5):
    nn.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(),
                          nn.Linear(8, 2))
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((16, 3)).astype(np.float32))
    y = rng.integers(0, 2, 16)
    opt = optim.SGD(model.parameters(), lr=0.1)
    tracker = viz.UpdateRatioTracker(model)
    history = {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": []}
    for _ in range(steps):
        opt.zero_grad()
        logits = model(x)
        loss = nn.CrossEntropyLoss()(logits, y)
        loss.backward()
        opt.step()
        tracker.update()
        acc = float((logits.data.argmax(axis=1) == y).mean())
        history["loss"].append(loss.item())
        history["val_loss"].append(loss.item() * 1.1)
        history["accuracy"].append(acc)
        history["val_accuracy"].append(acc * 0.9)
    return model, x, y, tracker, history


def test_grad_flow_numbers():
    model, x, loss = small_model()
    assert all(m is None for _, m, _ in viz.grad_flow(model))
    loss.backward()
    rows = viz.grad_flow(model)
    assert [r[0] for r in rows] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    g = np.abs(model[0].weight.grad.data.astype(np.float64))
    assert rows[0][1] == pytest.approx(g.mean()) and rows[0][2] == pytest.approx(g.max())
    assert viz.grad_flow([model[0].weight])[0][0] == "param0"


def test_activation_stats_saturated_and_dead():
    # thresholds of nn.activation.ACTIVATION_THRESHOLDS: tanh saturated at |a| > 0.99 (so 0.99
    # itself is not), ReLU units dead when never > 0; tanh has no dead figure, ReLU no saturated
    tanh = np.array([[0.995, 0.10], [-0.992, 0.99], [0.999, -0.996]])  # unit 0 always saturated
    relu = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])                # unit 0 always zero
    stats = activation_stats([ActivationRecord("t", "Tanh", tanh),
                              ActivationRecord("r", "ReLU", relu),
                              ActivationRecord("s", "Softmax", relu)])
    assert stats[0]["saturated"] == pytest.approx(4 / 6) and stats[0]["dead"] is None
    assert stats[1]["saturated"] is None and stats[1]["dead"] == pytest.approx(1 / 3)
    assert stats[0]["mean"] == pytest.approx(tanh.mean()) and stats[0]["std"] == pytest.approx(
        tanh.std())
    assert stats[2]["saturated"] is None and stats[2]["dead"] is None


def test_record_activations_keeps_each_activation_layer():
    model, x, y, _, _ = _trained(1)
    records = viz.record_activations(model, x)
    assert [(r.name, r.kind, r.values.shape) for r in records] == [
        ("1", "Tanh", (16, 8)), ("3", "ReLU", (16, 8))]
    np.testing.assert_allclose(records[0].values, model[1](model[0](x)).data)
    assert not model[1]._forward_hooks                       # hooks removed again
    with pytest.raises(TypeError, match="nn.Module"):
        viz.record_activations(lambda t: t, x)


def test_update_ratio_tracker_measures_the_step():
    w = nn.Parameter(np.ones((2, 2)))
    tracker = viz.UpdateRatioTracker({"w": w})
    w.data[...] = 1.1
    tracker.update()
    assert tracker.ratios["w"] == [pytest.approx(0.1)]
    w.data[...] = 1.1
    tracker.update()
    assert tracker.ratios["w"][1] == 0.0
    with pytest.raises(ValueError, match="no parameters"):
        viz.UpdateRatioTracker({"b": nn.Parameter(np.ones(3))})


def test_every_plot_returns_a_figure_and_saves_png_and_svg(tmp_path):
    model, x, y, tracker, history = _trained()
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward()
    records = viz.record_activations(model, x)
    plots = {"grad_flow": (viz.plot_grad_flow, model),
             "activations": (viz.plot_activations, records),
             "curves": (viz.plot_curves, history),
             "ratios": (viz.plot_update_ratios, tracker)}
    for name, (plot, data) in plots.items():
        fig = plot(data, tmp_path / f"{name}.png")
        assert type(fig).__name__ == "Figure" and fig.axes
        assert _is_png(tmp_path / f"{name}.png")
        viz.save_figure(fig, tmp_path / f"{name}.svg")
        assert ET.parse(tmp_path / f"{name}.svg").getroot().tag.endswith("svg")
    curves = viz.plot_curves(history)
    assert [ax.get_title() for ax in curves.axes] == ["Loss per epoch", "Accuracy per epoch"]
    assert [ax.get_ylabel() for ax in curves.axes] == ["Loss", "Accuracy"]
    assert [line.get_label() for line in curves.axes[0].lines] == ["train", "validation"]
    ratios = viz.plot_update_ratios(tracker)
    assert len(ratios.axes[0].lines) == 4                      # 3 weights + the 1e-3 line


def test_plot_input_errors():
    with pytest.raises(TypeError, match="history"):
        viz.plot_curves([1, 2, 3])
    with pytest.raises(ValueError, match="no activations"):
        viz.plot_activations([])
    with pytest.raises(ValueError, match="nothing recorded"):
        viz.plot_update_ratios({})


def test_compared_runs_share_the_axes_of_each_metric():
    a = {"epoch": [0, 1, 2], "lr": [0.1] * 3, "train_loss": [0.7, 0.5, 0.3], "skipped": [4],
         "val_loss": [0.8, 0.6, 0.4], "train_accuracy": [0.5, 0.7, 0.9], "step_loss": [1.0] * 9}
    b = {"epoch": [0, 1, 2], "lr": [0.1] * 3, "train_loss": [0.7, 0.69, 0.69],
         "val_loss": [0.7, 0.7, 0.7], "train_accuracy": [0.5, 0.5, 0.52], "step_loss": [1.0] * 9}
    fig = viz.plot_curves({"relu": a, "sigmoid": b})
    assert [ax.get_title() for ax in fig.axes] == ["Loss per epoch: relu vs sigmoid",
                                                   "Accuracy per epoch: relu vs sigmoid"]
    loss = fig.axes[0]
    assert [line.get_label() for line in loss.lines] == [
        "relu train", "relu validation", "sigmoid train", "sigmoid validation"]
    colours = [line.get_color() for line in loss.lines]
    assert colours[0] == colours[1] != colours[2] == colours[3]          # one colour per run
    assert [line.get_linestyle() for line in loss.lines] == ["-", "--", "-", "--"]
    np.testing.assert_allclose(loss.lines[2].get_ydata(), b["train_loss"])
    assert len(fig.axes) == 2                      # epoch, lr and per-step keys left out


def test_activation_small_multiples_one_panel_per_layer_and_network():
    model_a, x, _, _, _ = _trained(1)
    records = [r._replace(name=f"a.{r.name}") for r in viz.record_activations(model_a, x)]
    records += [r._replace(name=f"b.{r.name}") for r in viz.record_activations(model_a, x)]
    fig = viz.plot_activations(records)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:2] == ["Activation mean per layer", "Activation std per layer"]
    assert titles[2:] == ["1: Tanh", "3: ReLU", "1: Tanh", "3: ReLU"]      # 2 rows of 2
    assert [ax.get_ylabel() for ax in fig.axes[2:]] == ["a", "", "b", ""]
    mean_line = fig.axes[0].lines[0]
    np.testing.assert_allclose(mean_line.get_ydata(), [records[0].values.mean(),
                                                       records[1].values.mean()], rtol=1e-6)
    assert [line.get_label() for line in fig.axes[1].lines] == ["a", "b"]
    text = fig.axes[3].texts[0].get_text()
    assert text.startswith("mean ") and "dead" in text            # ReLU: dead units
