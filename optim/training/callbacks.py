"""Callbacks for ``optim.fit``: the hook base class and EarlyStopping (Keras-style).

Each hook gets the running ``FitState`` (model, optimizer, scheduler,
history, epoch, step; set ``state.stop_training = True`` to stop after the
current epoch) and, for the end-of-batch and end-of-epoch hooks, that
batch's or epoch's logs. A callback that must survive a resume (EarlyStopping)
implements ``state_dict()``/``load_state_dict()``; ``Checkpoint`` saves them.
ProgressBar is in optim.training.progress, Checkpoint in optim.training.checkpoint.
"""
import math
import numbers

import numpy as np

__all__ = ["Callback", "EarlyStopping"]


class Callback:
    """Base class of fit's callbacks: override only the hooks you need (all do nothing here).

    Hooks, in the order fit calls them: ``on_fit_start(state)``;
    per epoch ``on_epoch_start(state)``; per batch, after backward and
    gradient clipping, ``on_before_optimizer_step(state)`` (the gradients are
    the ones the step will use), then ``on_batch_end(state, logs)`` with
    ``logs = {"loss": float, "grad_norm": float or None}``;
    ``on_epoch_end(state, logs)`` with the epoch's record (the same keys
    as the history); finally ``on_fit_end(state)``.

    Example:
        >>> class PrintLoss(Callback):
        ...     def on_epoch_end(self, state, logs):
        ...         print(state.epoch, round(logs["train_loss"], 2))
        >>> import nn, optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
        >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=8)
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=2,
        ...                     optimizer=optim.SGD(model.parameters(), lr=0.1),
        ...                     callbacks=[PrintLoss()])
        0 0.69
        1 0.62
    """

    def on_fit_start(self, state):
        """Called once before the first epoch (after a resume has restored the state)."""

    def on_epoch_start(self, state):
        """Called at the start of every epoch, with the model in training mode."""

    def on_before_optimizer_step(self, state):
        """Called after backward (and clipping), just before ``optimizer.step()``."""

    def on_batch_end(self, state, logs):
        """Called after each optimizer step with ``{"loss": ..., "grad_norm": ...}``."""

    def on_epoch_end(self, state, logs):
        """Called after validation and the scheduler step, with the epoch's record."""

    def on_fit_end(self, state):
        """Called once when training ends (all epochs done or stopped early)."""

    def state_dict(self):
        """What a resumed run needs to continue this callback ({} for a stateless one).

        Example:
            >>> EarlyStopping().state_dict()["wait"]
            0
        """
        return {}

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` returned.

        Example:
            >>> class CountEpochs(Callback):         # a callback that survives a resume
            ...     epochs = 0
            ...     def on_epoch_end(self, state, logs): self.epochs += 1
            ...     def state_dict(self): return {"epochs": self.epochs}
            ...     def load_state_dict(self, state_dict): self.epochs = state_dict["epochs"]
            >>> counter = CountEpochs(); counter.load_state_dict({"epochs": 3}); counter.epochs
            3
        """


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; restore the best weights.

    An epoch improves on the best so far when its value is lower than
    ``best - min_delta`` (``mode='min'``) or higher than ``best + min_delta``
    (``mode='max'``); a NaN never improves. After ``patience`` epochs in a row
    without improvement training stops (``stopped_epoch`` is that epoch,
    0-based). With ``restore_best_weights=True`` the model's state dict at
    the best epoch (``best_epoch``) is kept and loaded back when fit ends,
    whether or not training stopped early.

    Example:
        >>> import nn, optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
        >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=8)
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> val = nn.data.DataLoader(nn.data.TensorDataset(*nn.data.moons(32, seed=1)),
        ...                          batch_size=32)
        >>> es = EarlyStopping(monitor="val_loss", patience=1)
        >>> history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=100,
        ...                     optimizer=optim.Adam(model.parameters(), lr=0.3),
        ...                     val_loader=val, callbacks=[es])
        >>> es.best_epoch, es.stopped_epoch, [round(v, 2) for v in history["val_loss"]]
        (0, 1, [0.4, 0.43])
    """

    def __init__(self, monitor="val_loss", mode="min", patience=5, min_delta=0.0,
                 restore_best_weights=True):
        if not isinstance(monitor, str):
            raise TypeError(f"EarlyStopping: monitor must be a history key such as 'val_loss', "
                            f"got {type(monitor).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        if not isinstance(patience, numbers.Integral) or isinstance(patience, bool) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        if not (isinstance(min_delta, numbers.Real) and min_delta >= 0):
            raise ValueError(f"EarlyStopping: min_delta must be a number >= 0, got {min_delta!r}")
        self.monitor, self.mode = monitor, mode
        self.patience, self.min_delta = int(patience), float(min_delta)
        self.restore_best_weights = bool(restore_best_weights)
        self._reset()

    def _reset(self):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None
        self.stopped_epoch = None
        self.wait = 0
        self.best_weights = None

    def _improves(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_fit_start(self, state):
        """Check that ``monitor`` will be recorded, and start from a clean slate."""
        if self.monitor not in state.epoch_keys:
            raise ValueError(f"EarlyStopping: monitor={self.monitor!r} is not recorded by this "
                             f"fit; its epoch keys are {list(state.epoch_keys)} (val_* keys "
                             "need a val_loader, metric keys need metrics=...)")
        self._reset()

    def on_epoch_end(self, state, logs):
        """Update the best value and the patience counter; ask fit to stop when it runs out."""
        value = float(logs[self.monitor])
        if self._improves(value):
            self.best, self.best_epoch, self.wait = value, state.epoch, 0
            if self.restore_best_weights:
                self.best_weights = state.model.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = state.epoch
            state.stop_training = True

    def on_fit_end(self, state):
        """Load the best epoch's weights back (with ``restore_best_weights``)."""
        if self.restore_best_weights and self.best_weights is not None:
            state.model.load_state_dict(self.best_weights)

    def state_dict(self):
        """The best value and epoch, the patience counter and the best weights.

        Example:
            >>> EarlyStopping(patience=2).state_dict()["best"]
            inf
        """
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state_dict):
        """Continue from a saved ``state_dict()``.

        Example:
            >>> other = EarlyStopping(patience=3)
            >>> other.best, other.best_epoch, other.wait = 0.4, 2, 1
            >>> es = EarlyStopping(patience=3); es.load_state_dict(other.state_dict())
            >>> es.best, es.best_epoch, es.wait
            (0.4, 2, 1)
        """
        self.best = float(state_dict["best"])
        self.best_epoch = state_dict["best_epoch"]
        self.wait = int(state_dict["wait"])
        self.stopped_epoch = state_dict["stopped_epoch"]
        weights = state_dict["best_weights"]
        self.best_weights = None if weights is None else {k: np.array(v) for k, v in
                                                          weights.items()}
