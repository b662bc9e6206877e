"""optim.fit: learning, validation, equivalence with a hand-written loop, clipping, schedulers,
early stopping, checkpoints and exact resume, the history as plain data, progress display,
argument errors."""
import io
import json
import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
import nn
import optim
from nn.data import DataLoader, TensorDataset
from optim.training import Callback, Checkpoint, EarlyStopping, History, ProgressBar, fit
from optim.training.history import metric_functions


def moons_loaders(n=200, batch_size=32, seed=0):
    X, y = nn.data.moons(n, noise=0.1, seed=seed)
    Xv, yv = nn.data.moons(100, noise=0.1, seed=seed + 1)
    train = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=seed)
    val = DataLoader(TensorDataset(Xv, yv), batch_size=50)
    return train, val


def mlp(seed=0, dropout=0.0, hidden=16):
    nn.manual_seed(seed)
    layers = [nn.Linear(2, hidden), nn.Tanh()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(hidden, 2))


def params_of(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def assert_same_params(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def tiny_batches(n_batches=1, seed=0):
    """A list of (x, y) batches: fit takes any iterable of batches."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(8, 2)).astype(np.float32), rng.integers(0, 2, 8))
            for _ in range(n_batches)]


class Record(Callback):
    """Records what the hooks saw: per-epoch params, grad norms before the step, modes."""

    def __init__(self):
        self.params, self.grad_norms, self.batch_logs, self.calls = [], [], [], []

    def on_fit_start(self, state):
        self.calls.append("fit_start")

    def on_epoch_start(self, state):
        self.calls.append(("epoch_start", state.epoch, state.model.training))

    def on_before_optimizer_step(self, state):
        grads = [p.grad.data for p in state.model.parameters()]
        self.grad_norms.append(float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2)
                                                 for g in grads))))

    def on_batch_end(self, state, logs):
        self.batch_logs.append(dict(logs, step=state.step))

    def on_epoch_end(self, state, logs):
        self.params.append(params_of(state.model))
        self.calls.append(("epoch_end", state.epoch))

    def on_fit_end(self, state):
        self.calls.append("fit_end")


# -- learning and validation -------------------------------------------------------------

def test_loss_decreases_and_accuracy_rises_on_moons():
    train, val = moons_loaders()
    model = mlp()
    history = fit(model, train, loss_fn=nn.CrossEntropyLoss(), epochs=15, val_loader=val,
                  optimizer=optim.Adam(model.parameters(), lr=0.02), metrics=["accuracy"],
                  seed=0, progress=False)
    assert history["epoch"] == list(range(15))
    for key in ("lr", "train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        assert len(history[key]) == 15, key
    assert len(history["step_loss"]) == 15 * len(train)
    # measured over seeds 0-9 (data and init): train ratio 0.27-0.50, val ratio 0.38-0.70,
    # final val accuracy 0.87-0.94; the bounds below hold for every one of them
    assert history["train_loss"][-1] < 0.65 * history["train_loss"][0]
    assert history["val_loss"][-1] < 0.85 * history["val_loss"][0]
    assert history["val_accuracy"][-1] > 0.8
    assert all(0.0 <= a <= 1.0 for a in history["train_accuracy"] + history["val_accuracy"])


def test_validation_runs_in_eval_mode_without_grad_and_matches_a_manual_evaluation():
    train, val = moons_loaders()
    model = mlp(dropout=0.5)
    seen = []

    def probe(output, target):
        seen.append((model.training, autograd.is_grad_enabled(), output.requires_grad))
        return 0.0

    loss_fn = nn.CrossEntropyLoss()
    history = fit(model, train, loss_fn=loss_fn, epochs=1, val_loader=val, metrics={"probe": probe},
                  optimizer=optim.SGD(model.parameters(), lr=0.1), seed=3, progress=False)
    n_train = len(train)
    assert set(seen[:n_train]) == {(True, True, True)}
    assert set(seen[n_train:]) == {(False, False, False)}
    assert len(seen) == n_train + len(val)
    model.eval()
    with autograd.no_grad():
        total = sum(loss_fn(model(x), y).item() * len(y) for x, y in val)
    assert history["val_loss"][0] == pytest.approx(total / 100, rel=1e-6)
    # dropout is on during training, so the training mode's outputs differ from eval's
    model.train()
    x, _ = next(iter(val))
    assert not np.allclose(model(x).data, model.eval()(x).data)


def test_model_mode_is_restored_and_hooks_run_in_order():
    model = mlp().eval()
    rec = Record()
    fit(model, tiny_batches(2), loss_fn=nn.CrossEntropyLoss(), epochs=2, callbacks=[rec],
        optimizer=optim.SGD(model.parameters(), lr=0.1), progress=False)
    assert model.training is False
    assert rec.calls == ["fit_start", ("epoch_start", 0, True), ("epoch_end", 0),
                         ("epoch_start", 1, True), ("epoch_end", 1), "fit_end"]
    assert [b["step"] for b in rec.batch_logs] == [1, 2, 3, 4]


@pytest.mark.parametrize("shuffle", [False, True])
def test_one_epoch_equals_a_hand_written_loop(shuffle):
    X, y = nn.data.spirals(n_per_class=30, n_classes=3, seed=1, dtype=np.float64)
    ds = TensorDataset(X, y)
    loader = DataLoader(ds, batch_size=16, shuffle=shuffle, generator=5)

    def make():
        nn.manual_seed(7)
        model = nn.Sequential(nn.Linear(2, 12), nn.ReLU(), nn.Linear(12, 3))
        for p in model.parameters():
            p.data = p.data.astype(np.float64)
        return model, optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

    model, opt = make()
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=1,
        clip_grad_norm=0.5, seed=11, progress=False)

    ref, ref_opt = make()
    # the documented per-epoch seeding: epoch 0 shuffles with np.random.default_rng([seed, 0])
    manual = (DataLoader(ds, batch_size=16, shuffle=True, generator=np.random.default_rng(
        [11, 0])) if shuffle else loader)
    loss_fn = nn.CrossEntropyLoss()
    for xb, yb in manual:
        ref_opt.zero_grad()
        loss_fn(ref(xb), yb).backward()
        nn.utils.clip_grad_norm_(ref.parameters(), 0.5)
        ref_opt.step()
    assert_same_params(params_of(model), params_of(ref))


def test_public_names():
    assert optim.fit is fit and optim.Checkpoint is Checkpoint and optim.History is History
    assert {"fit", "FitState", "History", "Callback", "EarlyStopping", "Checkpoint",
            "ProgressBar", "NonFiniteLossError"} <= set(optim.__all__)


def test_fit_takes_a_plain_list_of_ndarray_batches():
    model = mlp()
    history = fit(model, tiny_batches(3), loss_fn=nn.CrossEntropyLoss(), epochs=2,
                  optimizer=optim.SGD(model.parameters(), lr=0.1), progress=False)
    assert len(history["step_loss"]) == 6


# -- clipping and schedulers ------------------------------------------------------------

def test_clip_grad_norm_bounds_the_gradient_the_step_uses():
    train, _ = moons_loaders()
    model = mlp()
    rec = Record()
    history = fit(model, train, loss_fn=nn.CrossEntropyLoss(), epochs=2, callbacks=[rec],
                  optimizer=optim.SGD(model.parameters(), lr=50.0), clip_grad_norm=0.01,
                  seed=0, progress=False)
    before = history["step_grad_norm"]
    assert len(before) == len(rec.grad_norms) == len(history["step_loss"])
    assert max(before) > 0.01                    # the raw gradients were larger ...
    assert max(rec.grad_norms) <= 0.01 * (1 + 1e-5)   # ... and the step saw clipped ones
    assert [b["grad_norm"] for b in rec.batch_logs] == before


def test_without_clipping_no_grad_norm_is_recorded():
    model = mlp()
    history = fit(model, tiny_batches(), loss_fn=nn.CrossEntropyLoss(), epochs=1,
                  optimizer=optim.SGD(model.parameters(), lr=0.1), progress=False)
    assert "step_grad_norm" not in history


def test_scheduler_steps_per_epoch_and_lr_is_recorded():
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    history = fit(model, tiny_batches(2), loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
                  scheduler=sched, epochs=5, progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    assert sched.last_epoch == 5


def test_reduce_lr_on_plateau_gets_the_validation_loss():
    class Spy(optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics):
            self.seen = getattr(self, "seen", []) + [metrics]
            super().step(metrics)

    train, val = moons_loaders()
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = Spy(opt, patience=0)
    history = fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=3,
                  scheduler=sched, val_loader=val, seed=0, progress=False)
    assert sched.seen == history["val_loss"]


def test_reduce_lr_on_plateau_without_validation_gets_the_training_loss():
    class Spy(optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics):
            self.seen = getattr(self, "seen", []) + [metrics]
            super().step(metrics)

    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = Spy(opt)
    history = fit(model, tiny_batches(2), loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
                  scheduler=sched, epochs=3, progress=False)
    assert sched.seen == history["train_loss"]


def test_scheduler_interval_step_steps_after_every_batch():
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = optim.lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)
    history = fit(model, tiny_batches(3), loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
                  scheduler=sched, scheduler_interval="step", epochs=2, progress=False)
    assert sched.last_epoch == 6
    # the lr each epoch started with: the cycle at step 0 and at step 3
    assert history["lr"] == pytest.approx([0.01, 0.01 + 3 * (0.09 / 4)])


# -- early stopping -----------------------------------------------------------------------

def scripted_fit(script, es, epochs=None):
    """Fit on one training batch with one validation batch whose metric 'signal' follows script."""
    model = mlp()
    values = iter(script)

    def signal(output, target):
        return 0.0 if model.training else next(values)

    rec = Record()
    history = fit(model, tiny_batches(), loss_fn=nn.CrossEntropyLoss(), val_loader=tiny_batches(
        seed=1), epochs=epochs or len(script), optimizer=optim.SGD(model.parameters(), lr=0.5),
        metrics={"signal": signal}, callbacks=[rec, es], progress=False)
    return model, history, rec


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    es = EarlyStopping(monitor="val_signal", patience=3)
    model, history, rec = scripted_fit([5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 1.0, 0.5], es)
    assert history["val_signal"] == [5.0, 4.0, 3.0, 3.5, 3.2, 3.1]
    assert (es.best_epoch, es.best, es.stopped_epoch) == (2, 3.0, 5)
    assert_same_params(params_of(model), rec.params[2])
    with pytest.raises(AssertionError):       # training did move the weights after epoch 2
        assert_same_params(rec.params[2], rec.params[5])


def test_early_stopping_min_delta_and_max_mode():
    es = EarlyStopping(monitor="val_signal", patience=2, min_delta=0.1)
    _, history, _ = scripted_fit([1.0, 0.95, 0.9, 0.5, 0.4], es)
    assert (es.best_epoch, es.stopped_epoch, len(history["epoch"])) == (0, 2, 3)

    es = EarlyStopping(monitor="val_signal", mode="max", patience=1, restore_best_weights=False)
    model, history, rec = scripted_fit([0.1, 0.5, 0.4, 0.9], es)
    assert (es.best_epoch, es.stopped_epoch) == (1, 2)
    assert_same_params(params_of(model), rec.params[-1])


def test_early_stopping_restores_even_when_all_epochs_run():
    es = EarlyStopping(monitor="val_signal", patience=5)
    model, history, rec = scripted_fit([3.0, 1.0, 2.0, 2.5], es)
    assert es.stopped_epoch is None and len(history["epoch"]) == 4
    assert_same_params(params_of(model), rec.params[1])


@settings(max_examples=15)
@given(script=st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=1, max_size=12),
       patience=st.integers(0, 4))
def test_early_stopping_property_best_is_the_first_minimum_and_stop_is_patience_later(
        script, patience):
    es = EarlyStopping(monitor="val_signal", patience=patience)
    model, history, rec = scripted_fit(script, es)
    seen = history["val_signal"]
    best = int(np.argmin(seen))
    assert es.best_epoch == best
    if es.stopped_epoch is None:
        assert len(seen) == len(script) and len(seen) - 1 - best < max(patience, 1)
    else:
        assert es.stopped_epoch == len(seen) - 1 == best + max(patience, 1)
    assert_same_params(params_of(model), rec.params[best])


def test_early_stopping_never_counts_nan_as_an_improvement():
    es = EarlyStopping(monitor="val_signal", patience=2)
    _, history, _ = scripted_fit([1.0, float("nan"), float("nan"), 0.1], es)
    assert (es.best_epoch, es.stopped_epoch) == (0, 2)


def test_a_callback_can_stop_training():
    class StopAtTwo(Callback):
        def on_epoch_end(self, state, logs):
            state.stop_training = state.epoch == 1

    model = mlp()
    history = fit(model, tiny_batches(), loss_fn=nn.CrossEntropyLoss(), epochs=10,
                  optimizer=optim.SGD(model.parameters(), lr=0.1), callbacks=[StopAtTwo()],
                  progress=False)
    assert history["epoch"] == [0, 1]


# -- checkpoints and resume ---------------------------------------------------------------

def test_checkpoint_every_n_epochs_writes_files(tmp_path):
    model = mlp()
    opt = optim.Adam(model.parameters(), lr=0.01)
    (tmp_path / "d").mkdir()
    in_dir = Checkpoint(tmp_path / "d", every=2)          # an existing directory
    as_file = Checkpoint(tmp_path / "run", every=2)       # no directory: a file name
    in_dir_slash = Checkpoint(str(tmp_path / "run2") + os.sep, every=2)
    pattern = Checkpoint(tmp_path / "p" / "e{epoch:02d}.npz", every=3)
    latest = Checkpoint(tmp_path / "latest.npz")
    history = fit(model, tiny_batches(), loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=5,
                  callbacks=[in_dir, as_file, in_dir_slash, pattern, latest], progress=False)
    assert in_dir.saved == [str(tmp_path / "d" / f"epoch000{e}.npz") for e in (2, 4)]
    assert as_file.saved == [str(tmp_path / "run")] * 2
    assert sorted(os.listdir(tmp_path / "run2")) == ["epoch0002.npz", "epoch0004.npz"]
    assert pattern.saved == [str(tmp_path / "p" / "e03.npz")]
    assert len(latest.saved) == 5 and set(latest.saved) == {str(tmp_path / "latest.npz")}
    ckpt = nn.load(tmp_path / "latest.npz")
    assert ckpt["epochs_done"] == 5
    assert ckpt["history"] == dict(history)
    assert_same_params(ckpt["model"], params_of(model))
    assert ckpt["optimizer"]["state"][0]["step"] == opt.state_dict()["state"][0]["step"]
    second = nn.load(tmp_path / "run2" / "epoch0002.npz")
    assert second["epochs_done"] == 2 and second["history"]["epoch"] == [0, 1]


def resume_setup(seed=0):
    model = mlp(seed=seed, dropout=0.2)
    opt = optim.Adam(model.parameters(), lr=0.02)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    return model, opt, sched


def run(model, opt, sched, epochs, callbacks, resume_from=None):
    train, val = moons_loaders(n=96)
    return fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, scheduler=sched,
               epochs=epochs, val_loader=val, metrics=["accuracy"], clip_grad_norm=1.0,
               callbacks=callbacks, seed=4, progress=False, resume_from=resume_from)


def test_resumed_run_continues_the_same_history_exactly(tmp_path):
    model, opt, sched = resume_setup()
    es = EarlyStopping(patience=10)
    straight = run(model, opt, sched, 4, [es])

    m1, o1, s1 = resume_setup()
    first = Checkpoint(tmp_path / "ck", every=2)
    run(m1, o1, s1, 2, [EarlyStopping(patience=10), first])
    # a new process: fresh objects, even a differently initialised model
    m2, o2, s2 = resume_setup(seed=99)
    es2 = EarlyStopping(patience=10)
    resumed = run(m2, o2, s2, 4, [es2], resume_from=first.saved[-1])

    assert resumed == straight
    assert json.dumps(resumed) == json.dumps(straight)
    assert_same_params(params_of(m2), params_of(model))
    assert s2.state_dict() == sched.state_dict()
    assert (es2.best_epoch, es2.best, es2.wait) == (es.best_epoch, es.best, es.wait)
    a, b = o2.state_dict(), opt.state_dict()
    assert a["param_groups"] == b["param_groups"]
    for k in b["state"]:
        for name in b["state"][k]:
            np.testing.assert_array_equal(a["state"][k][name], b["state"][k][name])


def test_resume_at_the_end_trains_nothing_more(tmp_path):
    model, opt, sched = resume_setup()
    ck = Checkpoint(tmp_path / "last.npz")
    history = run(model, opt, sched, 2, [ck])
    m2, o2, s2 = resume_setup(seed=5)
    again = run(m2, o2, s2, 2, [], resume_from=ck.saved[-1])
    assert again == history
    assert_same_params(params_of(m2), params_of(model))


def test_resume_refuses_mismatched_setups_and_changes_nothing(tmp_path):
    model, opt, sched = resume_setup()
    ck = Checkpoint(tmp_path / "c.npz")
    run(model, opt, sched, 3, [ck])
    path = ck.saved[-1]

    m2, o2, s2 = resume_setup(seed=1)
    before = params_of(m2)
    with pytest.raises(ValueError, match="3 finished epochs but epochs=2"):
        run(m2, o2, s2, 2, [], resume_from=path)
    with pytest.raises(ValueError, match="history has keys"):
        fit(m2, tiny_batches(), loss_fn=nn.CrossEntropyLoss(), optimizer=o2, scheduler=s2,
            epochs=5, progress=False, resume_from=path)
    with pytest.raises(ValueError, match="stateful callbacks"):
        run(m2, o2, s2, 5, [EarlyStopping()], resume_from=path)
    with pytest.raises(ValueError, match="with a scheduler"):
        run(m2, o2, None, 5, [], resume_from=path)
    plain = tmp_path / "plain.npz"
    nn.save(m2.state_dict(), plain)
    with pytest.raises(ValueError, match="not a fit checkpoint"):
        run(m2, o2, s2, 5, [], resume_from=plain)
    # the model loads, then the optimizer (two groups here) does not: the model is rolled back
    w, b = list(m2.parameters())[:2]
    rest = list(m2.parameters())[2:]
    o3 = optim.Adam([{"params": [w, b]}, {"params": rest}], lr=0.02)
    with pytest.raises(ValueError, match="parameter groups"):
        run(m2, o3, optim.lr_scheduler.StepLR(o3, step_size=1, gamma=0.7), 5, [],
            resume_from=path)
    assert_same_params(params_of(m2), before)


def test_resume_without_a_seed_warns_that_shuffling_differs(tmp_path):
    train, _ = moons_loaders(n=64)
    model = mlp()
    ck = Checkpoint(tmp_path / "c.npz")
    fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optim.SGD(model.parameters(),
        lr=0.1), epochs=1, callbacks=[ck], progress=False)
    model = mlp()
    with pytest.warns(UserWarning, match="without a seed"):
        fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optim.SGD(
            model.parameters(), lr=0.1), epochs=2, progress=False, resume_from=ck.saved[-1])


# -- the history ----------------------------------------------------------------------------

def test_history_is_plain_json_serialisable_data():
    train, val = moons_loaders(n=64)
    model = mlp()
    history = fit(model, train, loss_fn=nn.CrossEntropyLoss(), epochs=2, val_loader=val,
                  optimizer=optim.SGD(model.parameters(), lr=0.1), metrics="accuracy",
                  clip_grad_norm=5.0, seed=0, progress=False)
    assert isinstance(history, dict)
    assert list(history) == ["epoch", "lr", "train_loss", "train_accuracy", "val_loss",
                             "val_accuracy", "step_loss", "step_grad_norm", "nonfinite_steps"]
    assert history["nonfinite_steps"] == []
    assert json.loads(json.dumps(history)) == history
    for key, values in history.items():
        assert isinstance(values, list)
        assert all(type(v) is (int if key == "epoch" else float) for v in values), key


def test_history_best():
    h = History(epoch=[0, 1, 2, 3], val_loss=[0.9, 0.4, float("nan"), 0.5],
                val_accuracy=[0.5, 0.8, 0.9, 0.7])
    assert h.best() == (1, 0.4)
    assert h.best("val_accuracy", mode="max") == (2, 0.9)
    with pytest.raises(KeyError, match="no 'acc'"):
        h.best("acc")
    with pytest.raises(ValueError, match="mode"):
        h.best(mode="lowest")


@pytest.mark.parametrize("loss_fn, output, target, expected", [
    (nn.CrossEntropyLoss(), [[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]], [0, 1, 1], 2 / 3),
    (nn.CrossEntropyLoss(), [[2.0, 1.0], [0.0, 3.0]], [[1.0, 0.0], [1.0, 0.0]], 1 / 2),
    (nn.BCEWithLogitsLoss(), [[0.3], [-0.2], [-1.0]], [[1.0], [1.0], [0.0]], 2 / 3),
    (nn.BCELoss(), [0.7, 0.4, 0.2, 0.6], [1.0, 1.0, 0.0, 0.0], 2 / 4),
])
def test_accuracy_metric(loss_fn, output, target, expected):
    accuracy = metric_functions(["accuracy"], loss_fn)["accuracy"]
    assert accuracy(autograd.Tensor(output), autograd.Tensor(np.array(target))) == \
        pytest.approx(expected)


def test_accuracy_metric_refuses_mismatched_shapes():
    accuracy = metric_functions("accuracy", nn.CrossEntropyLoss())["accuracy"]
    with pytest.raises(ValueError, match=r"accuracy.*\(4, 3\).*\(5,\)"):
        accuracy(autograd.Tensor(np.zeros((4, 3))), autograd.Tensor(np.zeros(5, np.int64)))


def test_binary_accuracy_through_fit():
    X, y = nn.data.xor(200, noise=0.05, seed=0)
    loader = DataLoader(TensorDataset(X, y.astype(np.float32)[:, None]), batch_size=40,
                        shuffle=True, generator=0)
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    history = fit(model, loader, loss_fn=nn.BCEWithLogitsLoss(), epochs=30, seed=0,
                  optimizer=optim.Adam(model.parameters(), lr=0.05), metrics=["accuracy"],
                  progress=False)
    # seeds 0-9: final 0.925-0.985, first epoch 0.44-0.59
    assert history["train_accuracy"][-1] > 0.85 > history["train_accuracy"][0]


# -- progress display -----------------------------------------------------------------------

class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def small_fit(**kwargs):
    model = mlp()
    return fit(model, tiny_batches(2), loss_fn=nn.CrossEntropyLoss(), epochs=2,
               optimizer=optim.SGD(model.parameters(), lr=0.1), **kwargs)


def test_progress_is_off_when_stderr_is_not_a_terminal_or_when_asked(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    small_fit()
    small_fit(progress=False)
    assert sys.stderr.getvalue() == ""
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    small_fit(progress=False)
    assert sys.stderr.getvalue() == ""


def test_progress_bar_shows_the_running_loss(monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    small_fit()                                   # auto: on, since stderr is a terminal
    auto = sys.stderr.getvalue()
    assert "epoch 1/2" in auto and "epoch 2/2" in auto and "loss=" in auto
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    small_fit(progress=True)                      # forced on, into a plain file
    out = sys.stderr.getvalue()
    assert "epoch 2/2" in out and "train_loss=" in out and "2/2" in out


def test_progress_without_tqdm_prints_one_line_per_epoch(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)   # import tqdm.auto now fails
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    history = small_fit(progress=True)
    lines = sys.stderr.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("epoch 2/2")
    assert f"train_loss {history['train_loss'][1]:.4g}" in lines[1]


def test_an_explicit_progress_bar_is_not_doubled(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    small_fit(progress=True, callbacks=[ProgressBar()])
    assert len(sys.stderr.getvalue().splitlines()) == 2


# -- bad arguments -------------------------------------------------------------------------

@pytest.mark.parametrize("change, error, match", [
    (dict(model=lambda x: x), TypeError, "model must be an nn.Module"),
    (dict(loss_fn="mse"), TypeError, "loss_fn must be callable"),
    (dict(optimizer=object()), TypeError, "optimizer must be an optim.Optimizer"),
    (dict(epochs=0), ValueError, "epochs must be a positive int"),
    (dict(epochs=2.5), ValueError, "epochs must be a positive int"),
    (dict(scheduler=object()), TypeError, "scheduler must be"),
    (dict(scheduler_interval="batch"), ValueError, "scheduler_interval"),
    (dict(clip_grad_norm=-1.0), ValueError, "clip_grad_norm must be a positive number"),
    (dict(callbacks=[print]), TypeError, r"callbacks\[0\] is a builtin_function_or_method"),
    (dict(metrics=["f1"]), ValueError, "unknown metric 'f1'"),
    (dict(metrics=[3]), TypeError, "metric"),
    (dict(metrics={"loss": lambda o, t: 0.0}), ValueError, "metric name 'loss'"),
    (dict(seed=-1), ValueError, "seed must be None or an int >= 0"),
    (dict(progress="yes"), TypeError, "progress must be None"),
    (dict(callbacks=[EarlyStopping()]), ValueError, r"monitor='val_loss' is not recorded"),
])
def test_bad_arguments_raise_clear_errors_before_training(change, error, match):
    model = mlp()
    before = params_of(model)
    kwargs = dict(model=model, loss_fn=nn.CrossEntropyLoss(), epochs=1,
                  optimizer=optim.SGD(model.parameters(), lr=0.1), progress=False)
    kwargs.update(change)
    with pytest.raises(error, match=match):
        fit(kwargs.pop("model"), tiny_batches(), **kwargs)
    assert_same_params(params_of(model), before)


def test_scheduler_mismatches_are_refused():
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    other = optim.lr_scheduler.StepLR(optim.SGD(mlp().parameters(), lr=0.1), step_size=1)
    with pytest.raises(ValueError, match="different optimizer"):
        fit(model, tiny_batches(), loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=1,
            scheduler=other, progress=False)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="scheduler_interval='epoch'"):
        fit(model, tiny_batches(), loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=1,
            scheduler=plateau, scheduler_interval="step", progress=False)


def test_bad_batches_and_losses_are_named():
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = tiny_batches()[0]
    with pytest.raises(TypeError, match="must be a tuple \\(inputs..., target\\), got a tuple "
                                        "of length 1"):
        fit(model, [(x,)], loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=1,
            progress=False)
    with pytest.raises(ValueError, match=r"loss_fn returned \(8,\)"):
        fit(model, [(x, y)], loss_fn=nn.CrossEntropyLoss(reduction="none"), optimizer=opt,
            epochs=1, progress=False)
    with pytest.raises(ValueError, match="train_loader produced no batches"):
        fit(model, [], loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=1, progress=False)
    with pytest.raises(ValueError, match="val_loader produced no batches"):
        fit(model, [(x, y)], val_loader=[], loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
            epochs=1, progress=False)


@pytest.mark.parametrize("make, match", [
    (lambda: EarlyStopping(mode="lowest"), "mode must be 'min' or 'max'"),
    (lambda: EarlyStopping(patience=-1), "patience must be an int >= 0"),
    (lambda: EarlyStopping(min_delta=-0.1), "min_delta must be a number >= 0"),
    (lambda: EarlyStopping(monitor=3), "monitor must be a history key"),
    (lambda: Checkpoint("ck.npz", every=0), "every must be a positive int"),
    (lambda: Checkpoint("ck{}.npz"), "only the field {epoch}"),
    (lambda: Checkpoint(3), "path must be a str"),
])
def test_callback_arguments_are_checked(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_checkpoint_listed_first_still_saves_this_epochs_callback_state(tmp_path):
    ck = Checkpoint(tmp_path / "e{epoch}.npz")
    es = EarlyStopping(monitor="val_signal", patience=5)
    model = mlp()
    values = iter([3.0, 2.0, 2.5])
    fit(model, tiny_batches(), loss_fn=nn.CrossEntropyLoss(), val_loader=tiny_batches(seed=1),
        epochs=3, optimizer=optim.SGD(model.parameters(), lr=0.5), progress=False,
        metrics={"signal": lambda o, t: 0.0 if model.training else next(values)},
        callbacks=[ck, es])
    saved = [dict(nn.load(p)["callbacks"])["EarlyStopping"] for p in ck.saved]
    assert [(s["best_epoch"], s["best"], s["wait"]) for s in saved] == [(0, 3.0, 0), (1, 2.0, 0),
                                                                         (1, 2.0, 1)]


def test_resume_continues_early_stopping_where_it_was(tmp_path):
    script = [3.0, 2.0, 2.5, 2.6, 2.7, 2.8]

    def scripted(values, model):
        return {"signal": lambda o, t: 0.0 if model.training else next(values)}

    def go(model, values, callbacks, resume_from=None):
        return fit(model, tiny_batches(), loss_fn=nn.CrossEntropyLoss(),
                   val_loader=tiny_batches(seed=1), epochs=len(script), progress=False,
                   optimizer=optim.SGD(model.parameters(), lr=0.5), callbacks=callbacks,
                   metrics=scripted(values, model), resume_from=resume_from)

    model, rec = mlp(), Record()
    es = EarlyStopping(monitor="val_signal", patience=3)
    straight = go(model, iter(script), [rec, es])
    assert (es.best_epoch, es.stopped_epoch) == (1, 4)

    class Interrupt(Callback):       # the first run dies after three epochs
        def on_epoch_end(self, state, logs):
            state.stop_training = state.epoch == 2

    ck = Checkpoint(tmp_path / "c.npz")
    go(mlp(), iter(script), [EarlyStopping(monitor="val_signal", patience=3), Interrupt(), ck])
    model2, es2 = mlp(seed=3), EarlyStopping(monitor="val_signal", patience=3)
    resumed = go(model2, iter(script[3:]), [es2], resume_from=ck.saved[-1])
    assert resumed == straight
    assert (es2.best_epoch, es2.stopped_epoch) == (1, 4)
    assert_same_params(params_of(model2), rec.params[1])    # best weights from the first run


def test_a_seeded_fit_keeps_the_loaders_collate_fn():
    X, y = nn.data.moons(64, noise=0.1, seed=0)
    seen = []

    def collate(samples):                        # records that it ran, then batches as usual
        seen.append(len(samples))
        return nn.data.default_collate(samples)

    train = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True, collate_fn=collate)
    model = mlp()
    fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optim.SGD(model.parameters(),
        lr=0.1), epochs=2, seed=3, progress=False)
    assert seen == [16] * 8
