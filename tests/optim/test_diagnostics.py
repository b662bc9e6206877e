"""optim diagnostics: activation statistics through forward hooks (dead ReLUs, saturated
sigmoids, histograms), gradient norms and the update/weight ratio (hand-checked), standalone
and inside optim.fit; loss-curve verdicts and finding the op that made a NaN."""
import copy
import json
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
import optim
from autograd import Tensor
from optim import Diagnostics, diagnose_loss_curve, find_nan_op, fit


def data(n=256, d=10, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.integers(0, classes, n)


def relu_net(dead_bias=None, seed=0):
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 3))
    if dead_bias is not None:
        nn.init.constant_(model[2].bias, dead_bias)
    return model


def sigmoid_net(std=None, width=100, depth=4, seed=0):
    nn.manual_seed(seed)
    layers, d = [], 64
    for _ in range(depth):
        lin = nn.Linear(d, width)
        if std is not None:
            nn.init.normal_(lin.weight, 0.0, std)
            nn.init.normal_(lin.bias, 0.0, std)
        layers += [lin, nn.Sigmoid()]
        d = width
    return nn.Sequential(*layers)


def batches(X, y, size=64):
    return [(X[i:i + size], y[i:i + size]) for i in range(0, len(X), size)]


# -- activations ------------------------------------------------------------------------


def test_relu_layer_with_large_negative_bias_is_reported_dead():
    X, _ = data()
    model = relu_net(dead_bias=-100.0)
    diag = Diagnostics(model)
    for xb, _ in batches(X, _):
        model(Tensor(xb))
    healthy, dead = diag.activation_stats()
    assert (healthy["layer"], dead["layer"]) == ("1", "3")
    assert dead["dead"] == 1.0 and dead["units"] == 32 and dead["batches"] == 4
    assert dead["mean"] == 0.0 and dead["std"] == 0.0
    assert healthy["dead"] < 0.25
    warnings = diag.report()["warnings"]
    assert len(warnings) == 1
    assert "layer '3' (ReLU)" in warnings[0] and "100%" in warnings[0] and "dead" in warnings[0]


def test_dead_means_never_active_over_all_observed_batches():
    # unit 0 is active only in the second batch: it is not dead over the window
    diag = Diagnostics(nn.Sequential(nn.ReLU()))
    model = diag.model
    model(Tensor(np.array([[-1.0, -1.0, 2.0], [-2.0, -1.0, 1.0]])))
    assert diag.activation_stats()[0]["dead"] == pytest.approx(2 / 3)
    model(Tensor(np.array([[3.0, -1.0, -1.0]])))
    assert diag.activation_stats()[0]["dead"] == pytest.approx(1 / 3)
    diag.reset()
    model(Tensor(np.array([[3.0, -1.0, -1.0]])))
    assert diag.activation_stats()[0]["dead"] == pytest.approx(2 / 3)


def test_sigmoid_mlp_with_unit_normal_init_is_reported_saturated():
    X = np.random.default_rng(0).normal(size=(256, 64)).astype(np.float32)
    saturated = sigmoid_net(std=1.0)
    diag = Diagnostics(saturated, eps=0.01)
    saturated(Tensor(X))
    stats = diag.activation_stats()
    assert len(stats) == 4 and all(s["type"] == "Sigmoid" for s in stats)
    assert all(s["saturated"] >= 0.25 for s in stats)
    assert all(s["dead"] is None for s in stats)
    warnings = diag.report()["warnings"]
    assert len(warnings) == 4 and all("saturated" in w for w in warnings)
    # the default (small, fan-in scaled) initialization does not saturate
    healthy = sigmoid_net()
    diag2 = Diagnostics(healthy)
    healthy(Tensor(X))
    assert all(s["saturated"] < 0.05 for s in diag2.activation_stats())
    assert diag2.report()["warnings"] == []


def test_saturation_counts_exactly_the_outputs_near_the_asymptotes():
    diag = Diagnostics(nn.Sequential(nn.Sigmoid(), nn.Tanh()), eps=0.01)
    x = np.array([[-10.0, -4.0, 0.0, 4.0, 10.0]])        # sigmoid: 4.5e-5, 0.018, .5, .98, 1
    diag.model(Tensor(x))
    sig, tanh = diag.activation_stats()
    s = 1 / (1 + np.exp(-x))
    t = np.tanh(s)
    assert sig["saturated"] == pytest.approx(np.mean((s < 0.01) | (s > 0.99)))
    assert sig["saturated"] == pytest.approx(2 / 5)
    assert tanh["saturated"] == pytest.approx(np.mean(np.abs(t) > 0.99))


@given(st.lists(st.integers(1, 6), min_size=1, max_size=4), st.integers(0, 1000))
def test_mean_std_and_histogram_cover_every_observed_output(sizes, seed):
    rng = np.random.default_rng(seed)
    diag = Diagnostics(nn.Sequential(nn.Tanh()), bins=7)
    outs = []
    for n in sizes:
        x = rng.normal(size=(n, 3)) * 2
        outs.append(np.tanh(x))
        diag.model(Tensor(x))
    s = diag.activation_stats()[0]
    allv = np.concatenate([o.reshape(-1) for o in outs])
    assert s["count"] == allv.size and s["batches"] == len(sizes)
    assert s["mean"] == pytest.approx(allv.mean(), abs=1e-12)
    assert s["std"] == pytest.approx(allv.std(), abs=1e-7)
    counts, edges = np.histogram(allv, bins=7, range=(-1, 1))
    assert s["hist"] == {"counts": counts.tolist(), "edges": edges.tolist()}


def test_histogram_is_a_bounded_uniform_sample_of_every_batch():
    diag = Diagnostics(nn.Sequential(nn.ReLU()), hist_samples=100, bins=2)
    diag.model(Tensor(np.full((50, 10), 1.0)))      # 500 values 1.0, then 500 values 3.0
    diag.model(Tensor(np.full((50, 10), 3.0)))
    s = diag.activation_stats()[0]
    assert s["count"] == 1000
    assert s["hist"]["edges"] == [1.0, 2.0, 3.0]
    ones, threes = s["hist"]["counts"]
    assert ones + threes == 100
    assert 25 <= ones <= 75                         # both batches are represented


def test_a_deep_copy_of_a_hooked_model_does_not_feed_the_diagnostics():
    model = relu_net()
    diag = Diagnostics(model)
    copy.deepcopy(model)(Tensor(np.ones((2, 10), dtype=np.float32)))
    assert diag.activation_stats()[0]["batches"] == 0


def test_layers_selection_eval_forwards_and_detach():
    X, _ = data(n=8)
    model = relu_net()
    diag = Diagnostics(model, layers=["0", model[4]])
    assert [s["layer"] for s in diag.activation_stats()] == ["0", "4"]
    model.eval()
    model(Tensor(X))
    assert diag.activation_stats()[0]["batches"] == 0      # eval forwards are not counted
    with Diagnostics(model, include_eval=True) as d2:
        model(Tensor(X))
        assert d2.activation_stats()[0]["batches"] == 1
    model(Tensor(X))
    assert d2.activation_stats()[0]["batches"] == 1         # detached on exit
    model.train()
    diag.detach()
    model(Tensor(X))
    assert diag.activation_stats()[0]["batches"] == 0
    with pytest.raises(ValueError, match="Diagnostics: layer 'nope'"):
        Diagnostics(model, layers=["nope"])
    with pytest.raises(TypeError, match="Diagnostics: model"):
        Diagnostics("model")


def test_a_model_without_activation_modules_hooks_its_leaf_modules():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    diag = Diagnostics(model)
    model(Tensor(np.ones((2, 3), dtype=np.float32)))
    assert [(s["layer"], s["type"]) for s in diag.activation_stats()] == [("0", "Linear"),
                                                                         ("1", "Linear")]


# -- gradients and updates ------------------------------------------------------------


def hand_model(dtype=np.float32):
    lin = nn.Linear(2, 1)
    lin.weight.data = np.array([[3.0, 4.0]], dtype=dtype)     # ||W|| = 5
    lin.bias.data = np.array([2.0], dtype=dtype)              # ||b|| = 2
    return lin


def sum_loss(out, target):
    return out.sum()


def test_update_weight_ratio_by_hand():
    # loss = (x @ W.T + b).sum() with x = [[1, 0]]: dL/dW = [[1, 0]], dL/db = [1].
    # SGD lr=0.1: ΔW = [[-0.1, 0]] -> ratio 0.1 / 5 = 0.02; Δb = -0.1 -> ratio 0.1 / 2 = 0.05.
    model = hand_model()
    diag = Diagnostics(model)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = sum_loss(model(Tensor(np.array([[1.0, 0.0]], dtype=np.float32))), None)
    loss.backward()
    diag.step(opt, loss.item())
    w, b = diag.gradient_stats()
    assert (w["param"], w["layer"], w["shape"]) == ("weight", "", [1, 2])
    assert w["grad_norm"] == pytest.approx(1.0) and w["grad_mean_abs"] == pytest.approx(0.5)
    assert w["weight_norm"] == pytest.approx(5.0) and w["update_norm"] == pytest.approx(0.1)
    assert w["update_ratio"] == pytest.approx(0.02)
    assert b["grad_norm"] == pytest.approx(1.0) and b["update_ratio"] == pytest.approx(0.05)
    np.testing.assert_allclose(model.weight.data, [[2.9, 4.0]], rtol=1e-6)
    assert diag.history["update_ratio"]["weight"] == [pytest.approx(0.02)]
    assert diag.history["loss"] == [pytest.approx(5.0)]      # 1*3 + 0*4 + 2
    assert diag.layer_grad_norms() == [{"layer": "", "grad_norm": pytest.approx(math.sqrt(2))}]
    # 0.02 and 0.05 are far above the ~1e-3 rule of thumb
    warnings = diag.report()["warnings"]
    assert len(warnings) == 2 and all("too high" in w for w in warnings)


def test_update_weight_ratio_inside_fit_and_a_too_low_learning_rate():
    model = hand_model(np.float64)      # float64, so a 1e-5 step is not lost to rounding
    diag = Diagnostics(model)
    x = np.array([[1.0, 0.0]])
    fit(model, [(x, np.zeros(1))], loss_fn=sum_loss, optimizer=optim.SGD(model.parameters(),
        lr=1e-5), epochs=2, callbacks=[diag], progress=False)
    ratios = diag.history["update_ratio"]["weight"]
    assert ratios[0] == pytest.approx(1e-5 / 5, rel=1e-6)
    assert ratios[1] == pytest.approx(1e-5 / math.hypot(3 - 1e-5, 4), rel=1e-6)
    assert diag.history["step"] == [0, 1]
    assert diag.history["grad_norm"]["bias"] == [pytest.approx(1.0)] * 2
    assert all("too low" in w for w in diag.report()["warnings"])


def test_diagnostics_as_a_fit_callback_records_each_epoch_of_training_batches():
    X, y = data(n=128)
    model = relu_net(dead_bias=-100.0)
    diag = Diagnostics(model)
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=32)
    val = nn.data.DataLoader(nn.data.TensorDataset(X[:64], y[:64]), batch_size=64)
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), val_loader=val, epochs=2,
        optimizer=optim.SGD(model.parameters(), lr=0.01), callbacks=[diag], progress=False)
    assert [e["epoch"] for e in diag.epochs] == [0, 1]
    for e in diag.epochs:
        assert [s["batches"] for s in e["layers"]] == [4, 4]        # not the validation pass
        assert e["layers"][1]["dead"] == 1.0
        assert [p["param"] for p in e["params"]][:2] == ["0.weight", "0.bias"]
    # the dead layer stops the gradient: nothing reaches the layers below it
    grads = {p["param"]: p["grad_norm"] for p in diag.gradient_stats()}
    assert grads["0.weight"] == 0.0 and grads["2.weight"] == 0.0 and grads["4.bias"] > 0
    assert len(diag.history["step"]) == 8
    json.loads(json.dumps(diag.to_dict()))


def test_stop_on_divergence_ends_fit_after_the_epoch():
    X, y = data(n=128)
    model = relu_net()
    diag = Diagnostics(model, stop_on_divergence=True)
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=16)
    with np.errstate(all="ignore"):
        history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=5, progress=False,
                      optimizer=optim.SGD(model.parameters(), lr=100.0), callbacks=[diag],
                      on_nonfinite="continue")      # fit itself would stop at the first NaN
    assert len(history["epoch"]) == 1
    assert diagnose_loss_curve(history)["stop"]


def test_record_updates_needs_a_snapshot():
    diag = Diagnostics(hand_model())
    with pytest.raises(RuntimeError, match="snapshot_weights"):
        diag.record_updates()


# -- loss curves ------------------------------------------------------------------------


def test_loss_curve_nan_and_explosion_say_stop():
    r = diagnose_loss_curve([1.0, 0.9, float("nan"), 0.5])
    assert r["nan"] == 2 and r["stop"] and "find_nan_op" in r["verdicts"][0]
    r = diagnose_loss_curve([2.3, 2.5, 4.0, 9.1, 20.0])
    assert r["exploded"] == 3 and r["stop"] and r["nan"] is None
    assert "learning rate too high" in r["verdicts"][0]


def test_loss_curve_of_a_too_high_learning_rate_run():
    X, y = data(n=128)
    model = relu_net()
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=16)
    with np.errstate(all="ignore"):
        history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=1, progress=False,
                      optimizer=optim.SGD(model.parameters(), lr=100.0))
    r = diagnose_loss_curve(history)
    assert r["stop"] and (r["exploded"] is not None or r["nan"] is not None)


def test_loss_curve_flat_start_then_decrease_suspects_initialization():
    rng = np.random.default_rng(0)
    curve = [2.3] * 30 + list(2.3 * np.exp(-np.arange(1, 91) / 20))
    noisy = [v * (1 + 0.003 * rng.standard_normal()) for v in curve]
    r = diagnose_loss_curve({"step_loss": noisy, "train_loss": [1.0]})
    assert r["flat_start"] and not r["no_progress"] and not r["stop"]
    assert "initialization" in r["verdicts"][0]
    good = diagnose_loss_curve(list(2.3 * np.exp(-np.arange(120) / 20)))
    assert not good["flat_start"] and good["verdicts"][0].startswith("ok")
    flat = diagnose_loss_curve([2.3] * 50)
    assert flat["no_progress"] and not flat["flat_start"]


def test_loss_curve_train_validation_gap_is_overfitting():
    base = {"epoch": [0, 1, 2, 3], "train_loss": [1.0, 0.6, 0.3, 0.1]}
    gap = diagnose_loss_curve({**base, "val_loss": [1.0, 0.7, 0.6, 0.6],
                               "train_accuracy": [0.5, 0.8, 0.95, 1.0],
                               "val_accuracy": [0.5, 0.7, 0.75, 0.76]})
    assert gap["overfitting"] and gap["train_val_gap"] == pytest.approx(0.24)
    rising = diagnose_loss_curve({**base, "val_loss": [1.0, 0.7, 0.8, 0.95]})
    assert rising["overfitting"] and "validation loss rose" in rising["verdicts"][-1]
    fine = diagnose_loss_curve({**base, "val_loss": [1.0, 0.65, 0.35, 0.15]})
    assert not fine["overfitting"] and fine["train_val_gap"] == pytest.approx(0.05)


def test_loss_curve_errors():
    with pytest.raises(ValueError, match="diagnose_loss_curve: the history has no"):
        diagnose_loss_curve({"epoch": []})
    with pytest.raises(TypeError, match="diagnose_loss_curve"):
        diagnose_loss_curve(3.0)


# -- NaN hunting -------------------------------------------------------------------------


class LogOfNegative(nn.Module):
    def forward(self, x):
        return (x - 100.0).log()                      # NaN in the forward pass


class SqrtOfZero(nn.Module):
    def forward(self, x):
        return (x * 0.0).sqrt()                       # finite forward, Inf in the backward


def with_layer(layer):
    nn.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 3), layer)


def test_find_nan_op_names_a_forward_op_and_its_line():
    X, y = data(n=8)
    model = with_layer(LogOfNegative())
    before = model.state_dict()
    r = find_nan_op(model, nn.CrossEntropyLoss(), X, y)
    assert r["op"] == "Log" and r["phase"] == "forward"
    assert "test_diagnostics.py" in r["line"] and "(x - 100.0).log()" in r["line"]
    assert all(p.grad is None for p in model.parameters())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_find_nan_op_names_the_line_of_a_model_without_source():
    # a class made by exec (python -c, some notebooks) has frames without a source line;
    # the next line of the traceback is then the next frame, not this frame's source
    namespace = {"nn": nn}
    code = "class Gen(nn.Module):\n    def forward(self, x):\n        return (x - 100.0).log()\n"
    exec(compile(code, "<generated>", "exec"), namespace)
    X, y = data(n=8)
    r = find_nan_op(with_layer(namespace["Gen"]()), nn.CrossEntropyLoss(), X, y)
    assert r["op"] == "Log" and r["phase"] == "forward"
    assert r["line"] == "<generated>:3 in forward"


def test_find_nan_op_names_a_backward_op():
    X, y = data(n=8)
    r = find_nan_op(with_layer(SqrtOfZero()), nn.CrossEntropyLoss(), X, y)
    assert r["op"] == "Sqrt" and r["phase"] == "backward"
    assert "(x * 0.0).sqrt()" in r["line"]


def test_find_nan_op_on_healthy_and_on_already_diverged_models():
    X, y = data(n=8)
    assert find_nan_op(relu_net(), nn.CrossEntropyLoss(), X, y) is None
    model = relu_net()
    model[0].weight.data[0, 0] = np.nan
    r = find_nan_op(model, nn.CrossEntropyLoss(), X, y)
    assert r["phase"] == "parameters" and "0.weight" in r["message"]


# -- vanishing gradients ------------------------------------------------------------------

def test_gradient_trend_needs_a_steady_fall_or_rise_over_three_or_more_layers():
    from optim.checks import gradient_trend
    assert gradient_trend([1e-7, 1e-6, 1e-4, 1e-3, 1e-2, 0.1]) == "vanishing"
    assert gradient_trend([0.1, 1e-2, 1e-3, 1e-5]) == "exploding"
    assert gradient_trend([1e-5, 1.0]) is None                       # two layers: no trend
    assert gradient_trend([1e-5, 1.0, 1e-5, 1.0, 1e-5, 1.0]) is None  # not layer by layer
    assert gradient_trend([0.05, 0.1, 0.2, 0.1]) is None              # within a factor 1e3
    assert gradient_trend([0.0, 1e-3, 1.0]) is None                   # a zero norm: no ratio


def deep_xor_net(activation, seed, depth=9, width=10):
    """The demo's network: 2 -> depth x width -> 1, Xavier-uniform weights, zero biases."""
    gen = np.random.default_rng(seed)
    layers, d = [], 2
    for _ in range(depth):
        layers += [nn.Linear(d, width), activation()]
        d = width
    model = nn.Sequential(*layers, nn.Linear(d, 1))
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight, generator=gen)
            nn.init.zeros_(m.bias)
    return model


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_sigmoid_net_is_diagnosed_with_vanishing_gradients_not_a_low_learning_rate(seed):
    X, y = nn.data.xor(200, noise=0.0, seed=seed)
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, y.astype(np.float32).reshape(-1, 1)),
                                batch_size=32, shuffle=True, generator=seed)
    reports = {}
    for name, act in (("sigmoid", nn.Sigmoid), ("relu", nn.ReLU)):
        model = deep_xor_net(act, seed)
        diag = Diagnostics(model)
        fit(model, loader, loss_fn=nn.BCEWithLogitsLoss(), epochs=2, callbacks=[diag],
            optimizer=optim.SGD(model.parameters(), lr=0.02, momentum=0.9), progress=False)
        reports[name] = diag.report()
    sig, relu = reports["sigmoid"], reports["relu"]
    assert sig["gradient_trend"]["trend"] == "vanishing"
    assert sig["gradient_trend"]["ratio"] < 1e-4            # measured ~1e-6 over seeds 0-2
    assert sig["gradient_trend"]["params"][0] == "0.weight"
    assert any(w.startswith("vanishing gradients") for w in sig["warnings"])
    assert not any("learning rate is probably too low" in w for w in sig["warnings"])
    assert any("because their gradients vanish" in w for w in sig["warnings"])
    assert relu["gradient_trend"]["trend"] is None
    assert not any("vanish" in w for w in relu["warnings"])
    json.dumps(sig)                                          # still plain data


def test_loss_curve_without_progress_blames_vanishing_gradients_when_they_vanish():
    flat = [0.6931 + 1e-4 * math.sin(i) for i in range(80)]
    plain = diagnose_loss_curve(flat)
    assert plain["no_progress"] and "learning rate too low" in plain["verdicts"][0]
    assert not plain["vanishing"]
    norms = [10.0 ** k for k in range(-8, 0)]               # input side first
    r = diagnose_loss_curve(flat, grad_norms=norms)
    assert r["no_progress"] and r["vanishing"]
    assert "gradients vanish" in r["verdicts"][0] and "not because the learning rate" in \
        r["verdicts"][0]
    healthy = diagnose_loss_curve(flat, grad_norms=[0.1, 0.2, 0.15, 0.3])
    assert not healthy["vanishing"] and "learning rate too low" in healthy["verdicts"][0]
    with pytest.raises(TypeError, match="grad_norms"):
        diagnose_loss_curve(flat, grad_norms=3.0)
