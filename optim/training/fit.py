"""optim.fit: the training loop (epochs, validation, scheduler, clipping, callbacks, resume).

One function in the style of Keras' ``model.fit``, for modules, optimizers,
schedulers and loaders with PyTorch's names and semantics. It returns a
``History``, a plain dict of lists.
"""
import math
import numbers
import sys
import warnings

import numpy as np

import nn
from autograd import no_grad
from nn.data import DataLoader
from ..lr_scheduler import LRScheduler, ReduceLROnPlateau
from ..optimizer import Optimizer
from .callbacks import Callback
from .checkpoint import Checkpoint, read_checkpoint, restore, restore_callbacks
from .history import (History, Meter, batch_size, checked_loss, evaluate, metric_functions,
                      split_batch)
from .progress import ProgressBar

__all__ = ["fit", "FitState", "NonFiniteLossError"]

ON_NONFINITE = ("stop", "raise", "continue")


class NonFiniteLossError(FloatingPointError):
    """What ``fit(..., on_nonfinite="raise")`` raises at the first NaN or Inf loss.

    Raised before that batch's optimizer step, so the model and optimizer hold
    the state of the last good step. Attributes: ``epoch``, ``batch`` (within
    the epoch), ``step`` (the index the step would have had; all 0-based) and
    ``loss`` (the non-finite value; for a non-finite gradient norm, the loss).

    Example:
        >>> import nn, optim
        >>> model = nn.Linear(2, 1); batches = [(np.ones((4, 2)), np.zeros((4, 1)))]
        >>> try:
        ...     fit(model, batches, loss_fn=lambda out, y: out.sum() * np.nan, epochs=1,
        ...         optimizer=optim.SGD(model.parameters(), lr=0.1), on_nonfinite="raise")
        ... except NonFiniteLossError as e:
        ...     print(e.epoch, e.batch, e.step, e.loss)
        0 0 0 nan
    """

    def __init__(self, message, epoch, batch, step, loss):
        super().__init__(message)
        self.epoch, self.batch, self.step, self.loss = epoch, batch, step, loss


class FitState:
    """What fit's callbacks see: the objects being trained and where the loop is.

    Attributes: ``model optimizer scheduler history callbacks seed``;
    ``epoch`` (0-based, the current one), ``epochs`` (the total), ``step``
    (optimizer steps so far, over all epochs), ``batches_per_epoch`` (None if
    the loader has no ``len``), ``epoch_keys`` (the history's per-epoch
    keys), ``grad_norm`` (the last step's gradient norm before clipping, or
    None). Set ``stop_training = True`` to end after the current epoch.

    Example:
        >>> class StopAtLoss(Callback):
        ...     def on_epoch_end(self, state, logs):
        ...         state.stop_training = logs["train_loss"] < 0.5
        >>> import nn, optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
        >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=8)
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=50,
        ...               optimizer=optim.Adam(model.parameters(), lr=0.05),
        ...               callbacks=[StopAtLoss()])
        >>> [round(v, 2) for v in history["train_loss"]]
        [0.61, 0.43]
    """

    def __init__(self, model, optimizer, scheduler, history, epochs, seed, callbacks, loader):
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.history, self.epochs, self.seed = history, epochs, seed
        self.callbacks = callbacks
        self.epoch_keys = tuple(k for k in history
                                if not k.startswith("step_") and k != "nonfinite_steps")
        self.batches_per_epoch = len(loader) if hasattr(loader, "__len__") else None
        self.epoch, self.step = len(history["epoch"]), len(history["step_loss"])
        self.grad_norm, self.stop_training = None, False


def _as_list(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    try:
        return list(callbacks)
    except TypeError:
        raise TypeError(f"fit: callbacks must be a list of optim.Callback instances, got "
                        f"{type(callbacks).__name__}") from None


def _check_args(model, loss_fn, optimizer, epochs, scheduler, scheduler_interval,
                clip_grad_norm, callbacks, seed, progress, on_nonfinite):
    if not isinstance(model, nn.Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable as loss_fn(output, target) (e.g. "
                        f"nn.CrossEntropyLoss()), got {type(loss_fn).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an optim.Optimizer (e.g. optim.SGD("
                        f"model.parameters(), lr=0.1)), got {type(optimizer).__name__}")
    if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    if scheduler is not None and not isinstance(scheduler, LRScheduler):
        raise TypeError(f"fit: scheduler must be an optim.lr_scheduler scheduler or None, got "
                        f"{type(scheduler).__name__}")
    if scheduler is not None and scheduler.optimizer is not optimizer:
        raise ValueError("fit: the scheduler was built for a different optimizer than the one "
                         "passed; build it as Scheduler(optimizer, ...)")
    if scheduler_interval not in ("epoch", "step"):
        raise ValueError(f"fit: scheduler_interval must be 'epoch' or 'step', got "
                         f"{scheduler_interval!r}")
    if isinstance(scheduler, ReduceLROnPlateau) and scheduler_interval == "step":
        raise ValueError("fit: ReduceLROnPlateau steps on an epoch's metric; use "
                         "scheduler_interval='epoch'")
    if clip_grad_norm is not None and not (isinstance(clip_grad_norm, numbers.Real)
                                           and clip_grad_norm > 0):
        raise ValueError(f"fit: clip_grad_norm must be a positive number (a max L2 norm) or "
                         f"None, got {clip_grad_norm!r}")
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(f"fit: callbacks[{i}] is a {type(cb).__name__}; callbacks must be "
                            "optim.Callback instances (subclass Callback)")
    if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool)
                             or seed < 0):
        raise ValueError(f"fit: seed must be None or an int >= 0, got {seed!r}")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"fit: progress must be None (auto), True or False, got "
                        f"{type(progress).__name__}")
    if not isinstance(on_nonfinite, str) or on_nonfinite not in ON_NONFINITE:
        raise ValueError(f"fit: on_nonfinite must be one of {ON_NONFINITE}, got "
                         f"{on_nonfinite!r}")


def _epoch_loader(loader, seed, epoch):
    """``epoch``'s loader: with a seed, a shuffling DataLoader's copy seeded from (seed, epoch)."""
    if seed is not None and isinstance(loader, DataLoader) and loader.shuffle:
        return DataLoader(loader.dataset, batch_size=loader.batch_size, shuffle=True,
                          drop_last=loader.drop_last, collate_fn=loader.collate_fn,
                          generator=np.random.default_rng([seed, epoch]))
    return loader


def _new_history(metric_fns, validate, clip):
    keys = ["epoch", "lr", "train_loss", *(f"train_{m}" for m in metric_fns)]
    if validate:
        keys += ["val_loss", *(f"val_{m}" for m in metric_fns)]
    keys += ["step_loss"] + (["step_grad_norm"] if clip else []) + ["nonfinite_steps"]
    return History({k: [] for k in keys})


def fit(model, train_loader, *, loss_fn, optimizer, epochs, val_loader=None, scheduler=None,
        scheduler_interval="epoch", clip_grad_norm=None, callbacks=(), metrics=(),
        progress=None, seed=None, resume_from=None, on_nonfinite="stop"):
    """Train ``model`` for ``epochs`` epochs over ``train_loader``; return the ``History``.

    Each batch is a tuple ``(inputs..., target)`` (what ``nn.data.DataLoader``
    yields); a step is ``optimizer.zero_grad()``, ``loss_fn(model(*inputs),
    target).backward()``, optional ``nn.utils.clip_grad_norm_`` of the
    optimizer's parameters to ``clip_grad_norm``, ``optimizer.step()``.
    Training runs in ``model.train()`` mode; after each epoch ``val_loader``
    (optional) is evaluated in ``model.eval()`` mode under
    ``autograd.no_grad()``. The model's mode is restored at the end.

    - ``scheduler`` steps once per epoch after validation (or after every
      batch with ``scheduler_interval='step'``, e.g. for CyclicLR);
      ``ReduceLROnPlateau`` gets ``val_loss`` (``train_loss`` without a
      validation set). ``history['lr']`` is the lr an epoch trained with.
    - ``metrics``: ``"accuracy"`` (argmax of (N, C) scores; a single column is
      a logit, > 0, or a probability, > 0.5, with ``nn.BCELoss``), callables
      ``fn(output, target) -> float``, or a dict name -> callable; recorded
      as ``train_<name>`` and ``val_<name>``, batch-size-weighted epoch means.
    - ``callbacks``: ``optim.Callback`` instances (EarlyStopping, Checkpoint,
      yours); Checkpoints run after the others at the end of an epoch.
    - ``progress``: a tqdm bar with the running loss (one line per epoch
      without tqdm), on stderr; None shows it when stderr is a terminal.
    - ``seed``: makes each epoch's shuffling reproducible on its own: in
      epoch ``e`` a shuffling ``nn.data.DataLoader`` is replaced by a copy
      whose generator is ``np.random.default_rng([seed, e])``, so a resumed
      run shuffles exactly as an uninterrupted one (the loader's own
      generator is not used). Dropout draws from nn's generator, which
      checkpoints save; seed it with ``nn.manual_seed``.
    - ``resume_from``: a file written by ``Checkpoint``; restores model,
      optimizer, scheduler, history, callback states, nn's generator (its
      state when saved) and the seed (unless ``seed`` is given), then trains the remaining epochs up
      to ``epochs`` (the total, as Keras' ``epochs`` with ``initial_epoch``).
    - ``on_nonfinite``: what a batch whose loss is NaN or Inf does (with
      ``clip_grad_norm``, also a NaN or Inf gradient norm). It is caught
      before that batch's backward pass and optimizer step, and BatchNorm's
      running statistics are put back as they were before its forward pass,
      so the model and optimizer keep the state of the last good step.
      ``"stop"`` (default): warn (RuntimeWarning naming the epoch, batch and
      step, with what to try: ``autograd.detect_anomaly()``, a lower learning
      rate), end training there (the unfinished epoch is not recorded, no
      more callbacks but ``on_fit_end`` run) and return the history.
      ``"raise"``: raise ``NonFiniteLossError`` with the same message instead.
      ``"continue"``: take the step anyway and go on (the weights usually
      become NaN). Either way ``history["nonfinite_steps"]`` lists the steps
      (0-based, as indices into ``step_loss`` would be) where it happened;
      ``step_loss`` has one entry per step taken.

    Example:
        >>> import optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
        >>> loader = DataLoader(nn.data.TensorDataset(X, y), batch_size=8, shuffle=True)
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=2, seed=0,
        ...               optimizer=optim.SGD(model.parameters(), lr=0.1), metrics=["accuracy"])
        >>> [round(v, 2) for v in history["train_loss"]], history["train_accuracy"]
        ([0.69, 0.62], [0.53125, 0.75])
    """
    callbacks = _as_list(callbacks)
    _check_args(model, loss_fn, optimizer, epochs, scheduler, scheduler_interval,
                clip_grad_norm, callbacks, seed, progress, on_nonfinite)
    metric_fns = metric_functions(metrics, loss_fn)
    history = _new_history(metric_fns, val_loader is not None, clip_grad_norm is not None)
    ckpt = None
    if resume_from is not None:
        ckpt = read_checkpoint(resume_from, history, epochs, scheduler, callbacks)
        restore(ckpt, model, optimizer, scheduler)
        history = History(ckpt["history"])
        seed = ckpt["seed"] if seed is None else seed
        if seed is None and isinstance(train_loader, DataLoader) and train_loader.shuffle:
            warnings.warn("fit: resuming without a seed, so the shuffling order differs from "
                          "an uninterrupted run's; pass seed= to both runs for an exact resume",
                          stacklevel=2)
    if progress or (progress is None and _stderr_is_terminal()):
        if not any(isinstance(cb, ProgressBar) for cb in callbacks):
            callbacks.append(ProgressBar())
    # Checkpoints last, so a checkpoint holds what the other callbacks did this epoch
    ordered = sorted(callbacks, key=lambda cb: isinstance(cb, Checkpoint))
    state = FitState(model, optimizer, scheduler, history, epochs, seed, callbacks, train_loader)
    params = [p for group in optimizer.param_groups for p in group["params"]]
    was_training = model.training
    for cb in ordered:
        cb.on_fit_start(state)
    if ckpt is not None:
        restore_callbacks(ckpt, callbacks)
    try:
        while state.epoch < epochs and not state.stop_training:
            if not _run_epoch(state, train_loader, val_loader, loss_fn, metric_fns, params,
                              clip_grad_norm, scheduler_interval, ordered, on_nonfinite):
                break                                   # stopped mid-epoch: not finished
            state.epoch += 1
        state.epoch = min(state.epoch, epochs) - 1
        for cb in ordered:
            cb.on_fit_end(state)
    finally:
        for cb in callbacks:
            if isinstance(cb, ProgressBar):
                cb.close()
        model.train(was_training)
    return history


def _stderr_is_terminal():
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty is not None and isatty())


def _nonfinite(state, what, batch, lr, loss, on_nonfinite):
    """Warn (``"stop"``) or raise (``"raise"``) about a non-finite loss at this batch."""
    epoch, step = state.epoch, state.step
    kept = (f"the state after step {step - 1}, the last good one" if step else
            "their initial state")
    message = (f"fit: {what} at epoch {epoch}, batch {batch} (step {step}; all 0-based, as in "
               f"the history); stopped before that step's optimizer update, so the model and "
               f"optimizer keep {kept}. To find the op that first makes a NaN or Inf, run the "
               "step under `with autograd.detect_anomaly():`; if the weights blow up, try a "
               f"lower learning rate (lr is {lr:g}) or clip the gradients (clip_grad_norm=1.0)."
               " Pass on_nonfinite='continue' to train on regardless.")
    if on_nonfinite == "raise":
        raise NonFiniteLossError(message, epoch, batch, step, loss)
    warnings.warn(message + f" Training stopped; history['nonfinite_steps'] = "
                  f"{state.history['nonfinite_steps']}.", RuntimeWarning, stacklevel=4)
    state.stop_training = True


def _run_epoch(state, train_loader, val_loader, loss_fn, metric_fns, params, clip,
               interval, callbacks, on_nonfinite):
    """One epoch; False if it stopped at a non-finite loss (``on_nonfinite="stop"``)."""
    model, optimizer, scheduler, history = (state.model, state.optimizer, state.scheduler,
                                            state.history)
    loader = _epoch_loader(train_loader, state.seed, state.epoch)
    model.train()
    lr = float(optimizer.param_groups[0]["lr"])
    guard = on_nonfinite != "continue"
    # a forward pass updates BatchNorm's running statistics: keep them to put back
    buffers = list(model.buffers()) if guard else []
    for cb in callbacks:
        cb.on_epoch_start(state)
    meter = Meter(metric_fns)
    for index, batch in enumerate(loader):
        inputs, target = split_batch(batch, "train_loader")
        optimizer.zero_grad()
        before = [b.data.copy() for b in buffers]
        output = model(*inputs)
        loss = checked_loss(loss_fn, output, target)
        value = float(loss.item())
        bad = None if math.isfinite(value) else f"the loss is {value}"
        if bad is None or not guard:
            loss.backward()
            state.grad_norm = (None if clip is None else
                               float(nn.utils.clip_grad_norm_(params, clip).item()))
            if bad is None and clip is not None and not math.isfinite(state.grad_norm):
                bad = f"the gradient norm is {state.grad_norm} (the loss is {value})"
        if bad is not None:
            history["nonfinite_steps"].append(state.step)
            if guard:
                with no_grad():
                    for b, saved in zip(buffers, before):
                        b.copy_(saved)
                optimizer.zero_grad()
                _nonfinite(state, bad, index, lr, value, on_nonfinite)
                return False
        for cb in callbacks:
            cb.on_before_optimizer_step(state)
        optimizer.step()
        if scheduler is not None and interval == "step":
            scheduler.step()
        state.step += 1
        history["step_loss"].append(value)
        if clip is not None:
            history["step_grad_norm"].append(state.grad_norm)
        meter.add(value, output, target, batch_size(target))
        for cb in callbacks:
            cb.on_batch_end(state, {"loss": value, "grad_norm": state.grad_norm})
    if meter.n == 0:
        raise ValueError("fit: train_loader produced no batches")
    logs = {"epoch": state.epoch, "lr": lr, **meter.means("train")}
    if val_loader is not None:
        logs.update(evaluate(model, val_loader, loss_fn, metric_fns))
    if scheduler is not None and interval == "epoch":
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(logs["val_loss" if val_loader is not None else "train_loss"])
        else:
            scheduler.step()
    for key in state.epoch_keys:
        history[key].append(logs[key])
    for cb in callbacks:
        cb.on_epoch_end(state, logs)
    return True
