"""optim.fit at a NaN or Inf loss: stop (the default), raise or continue, and what is kept.

The model here has BatchNorm (a forward pass changes its running statistics), the optimizer
Adam (state per step) and a per-step scheduler, so "the state of the last good step" covers
weights, buffers, optimizer and scheduler.
"""
import copy
import math
import os
import socket
import subprocess
import sys
import warnings

import numpy as np
import pytest

import nn
import optim
from optim.training import Callback, Checkpoint, NonFiniteLossError, fit

BATCHES = 4          # per epoch
BAD_STEP = 6         # epoch 1, batch 2


class PoisonedLoader:
    """A fixed regression data set; the batch served ``at``-th (over all epochs) is poisoned:
    a NaN input (``kind="nan"``) or an infinite target (``kind="inf"``)."""

    def __init__(self, at=BAD_STEP, kind="nan"):
        rng = np.random.default_rng(0)
        self.batches = [(rng.normal(size=(8, 3)).astype(np.float32),
                         rng.normal(size=(8, 1)).astype(np.float32)) for _ in range(BATCHES)]
        self.at, self.kind, self.served = at, kind, 0

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        for x, y in self.batches:
            if self.served == self.at:
                x, y = x.copy(), y.copy()
                if self.kind == "nan":
                    x[0, 0] = np.nan
                else:
                    y[0, 0] = np.inf
            self.served += 1
            yield x, y


class SpikyLoss:
    """MSE whose gradient (not value) is NaN at call ``at``: d sqrt(u)/du is inf at u = 0."""

    def __init__(self, at):
        self.at, self.calls = at, 0

    def __call__(self, output, target):
        loss = nn.MSELoss()(output, target)
        if self.calls == self.at:
            loss = loss + (output * 0).sum().sqrt()
        self.calls += 1
        return loss


class Snapshots(Callback):
    """The complete training state after every optimizer step, and which hooks ran."""

    def __init__(self):
        self.after, self.calls = {}, []

    def on_batch_end(self, state, logs):
        self.after[state.step - 1] = training_state(state.model, state.optimizer,
                                                    state.scheduler)

    def on_epoch_end(self, state, logs):
        self.calls.append(("epoch_end", state.epoch))

    def on_fit_end(self, state):
        self.calls.append("fit_end")


def training_state(model, optimizer, scheduler):
    return copy.deepcopy({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                          "scheduler": scheduler.state_dict()})


def assert_same_state(a, b, where="state"):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same_state(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_state(x, y, f"{where}[{i}]")
    elif isinstance(a, (np.ndarray, np.generic)):
        np.testing.assert_array_equal(a, b, err_msg=where)
    else:
        assert a == b, where


def setup(seed=0):
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 1))
    opt = optim.Adam(model.parameters(), lr=0.05)
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.99)
    return model, opt, sched


def run(on_nonfinite=None, loader=None, loss_fn=None, **kwargs):
    model, opt, sched = setup()
    snaps = Snapshots()
    extra = {} if on_nonfinite is None else {"on_nonfinite": on_nonfinite}
    history = fit(model, loader if loader is not None else PoisonedLoader(),
                  loss_fn=loss_fn or nn.MSELoss(), optimizer=opt, epochs=4, scheduler=sched,
                  scheduler_interval="step", callbacks=[snaps], progress=False, **extra,
                  **kwargs)
    return model, opt, sched, snaps, history


def fit_messages(record):
    return [str(w.message) for w in record if str(w.message).startswith("fit:")]


@pytest.mark.parametrize("kind, value", [("nan", "nan"), ("inf", "inf")])
def test_stop_is_the_default_and_keeps_the_last_good_steps_state(kind, value):
    with pytest.warns(RuntimeWarning) as record:
        model, opt, sched, snaps, history = run(loader=PoisonedLoader(kind=kind))
    [message] = fit_messages(record)
    assert f"the loss is {value} at epoch 1, batch 2 (step 6" in message
    assert "autograd.detect_anomaly()" in message and "lower learning rate" in message
    assert "keep the state after step 5" in message
    assert "history['nonfinite_steps'] = [6]" in message
    assert history["nonfinite_steps"] == [BAD_STEP]
    assert history["epoch"] == [0]                          # the unfinished epoch: not recorded
    assert len(history["step_loss"]) == BAD_STEP and all(map(math.isfinite, history["step_loss"]))
    assert snaps.calls == [("epoch_end", 0), "fit_end"]
    # weights, BatchNorm's running statistics, Adam's moments and step count, the scheduler:
    # exactly as after the last good step (no update, and no half-done forward kept)
    assert max(snaps.after) == BAD_STEP - 1
    assert_same_state(training_state(model, opt, sched), snaps.after[BAD_STEP - 1])
    assert all(np.isfinite(v).all() for v in model.state_dict().values())
    assert all(p.grad is None for p in model.parameters())
    assert model.training


def test_raise_raises_a_clear_error_with_the_state_of_the_last_good_step():
    snaps = None
    with pytest.raises(NonFiniteLossError) as info:
        model, opt, sched = setup()
        snaps = Snapshots()
        fit(model, PoisonedLoader(), loss_fn=nn.MSELoss(), optimizer=opt, epochs=4,
            scheduler=sched, scheduler_interval="step", callbacks=[snaps], progress=False,
            on_nonfinite="raise")
    err = info.value
    assert isinstance(err, FloatingPointError)
    assert (err.epoch, err.batch, err.step) == (1, 2, BAD_STEP) and math.isnan(err.loss)
    assert "the loss is nan at epoch 1, batch 2 (step 6" in str(err)
    assert "autograd.detect_anomaly()" in str(err) and "lower learning rate" in str(err)
    assert_same_state(training_state(model, opt, sched), snaps.after[BAD_STEP - 1])
    assert snaps.calls == [("epoch_end", 0)]                # no fit end: it raised


def test_continue_trains_on_as_before_and_records_where():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model, opt, sched, snaps, history = run("continue")
    assert fit_messages(record) == []
    assert history["epoch"] == [0, 1, 2, 3]
    assert len(history["step_loss"]) == 4 * BATCHES
    # the NaN step is taken: every weight turns NaN and every later loss is NaN
    assert history["nonfinite_steps"] == list(range(BAD_STEP, 4 * BATCHES))
    assert all(np.isnan(p.data).all() for p in model.parameters())


def test_what_would_be_lost_without_stopping():
    """The poisoned forward pass alone (no step) makes BatchNorm's statistics NaN: the
    stop above really restores them, it does not just skip the update."""
    model, opt, sched = setup()
    x, y = list(PoisonedLoader(at=0))[0]
    model(x)
    assert np.isnan(model[1].running_mean.data).any()


def test_a_nonfinite_gradient_norm_is_caught_when_clipping():
    with pytest.warns(RuntimeWarning) as record:
        model, opt, sched, snaps, history = run(
            loader=PoisonedLoader(at=10**9), loss_fn=SpikyLoss(at=BAD_STEP), clip_grad_norm=1.0)
    [message] = fit_messages(record)
    assert "the gradient norm is nan (the loss is" in message and "step 6" in message
    assert history["nonfinite_steps"] == [BAD_STEP]
    assert_same_state(training_state(model, opt, sched), snaps.after[BAD_STEP - 1])


def test_a_stop_in_the_first_step_keeps_the_initial_state():
    model, opt, sched = setup()
    initial = training_state(model, opt, sched)
    with pytest.warns(RuntimeWarning, match="keep their initial state"):
        history = fit(model, PoisonedLoader(at=0), loss_fn=nn.MSELoss(), optimizer=opt,
                      epochs=2, scheduler=sched, scheduler_interval="step", progress=False)
    assert history["epoch"] == [] and history["nonfinite_steps"] == [0]
    assert_same_state(training_state(model, opt, sched), initial)


def test_on_nonfinite_is_checked():
    model, opt, _ = setup()
    with pytest.raises(ValueError, match=r"on_nonfinite must be one of \('stop', 'raise', "
                                         r"'continue'\), got 'ignore'"):
        fit(model, PoisonedLoader(), loss_fn=nn.MSELoss(), optimizer=opt, epochs=1,
            on_nonfinite="ignore")


def test_resume_accepts_a_checkpoint_written_before_nonfinite_steps_existed(tmp_path):
    model, opt, _ = setup()
    ckpt = Checkpoint(tmp_path / "c.npz")
    fit(model, PoisonedLoader(at=10**9), loss_fn=nn.MSELoss(), optimizer=opt, epochs=1,
        callbacks=[ckpt], progress=False)
    old = nn.load(ckpt.saved[-1])
    del old["history"]["nonfinite_steps"]
    nn.save(old, ckpt.saved[-1])
    model, opt, _ = setup()
    history = fit(model, PoisonedLoader(at=10**9), loss_fn=nn.MSELoss(), optimizer=opt,
                  epochs=2, resume_from=ckpt.saved[-1], progress=False)
    assert history["epoch"] == [0, 1] and history["nonfinite_steps"] == []


def test_fit_checkpoints_remove_the_temp_files_of_killed_saves(tmp_path):
    """Checkpoint saves through nn.save's atomic write, which cleans its target's leftovers."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()                                       # a pid that is surely dead (and reaped)
    host = "".join(c if c.isalnum() or c == "-" else "-" for c in socket.gethostname())
    leftover = tmp_path / f".epoch0001.npz.{host}.{child.pid}.0123abcd.tmp"
    leftover.write_bytes(b"half a checkpoint")
    model, opt, _ = setup()
    fit(model, PoisonedLoader(at=10**9), loss_fn=nn.MSELoss(), optimizer=opt, epochs=1,
        callbacks=[Checkpoint(tmp_path)], progress=False)
    assert sorted(os.listdir(tmp_path)) == ["epoch0001.npz"]
