"""ReduceLROnPlateau: cut the lr when a validation metric stops improving (torch's rules)."""
import math
import warnings

from .base import EPOCH_DEPRECATION_WARNING, LRScheduler, _check_optimizer, _per_group

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lrs by ``factor`` after more than ``patience`` epochs without improvement.

    ``step(metric)`` takes the monitored value. An epoch improves on the best
    so far if ``metric < best * (1 - threshold)`` (``mode='min'``,
    ``threshold_mode='rel'``; ``'abs'`` uses ``best - threshold``, ``'max'``
    mirrors both). After a cut, ``cooldown`` epochs are not counted as bad.
    No lr goes below its ``min_lr``, and cuts smaller than ``eps`` are skipped.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1)
        >>> for val_loss in [1.0, 0.9, 0.95, 0.92, 0.91, 0.93]:
        ...     opt.step(); sched.step(val_loss)     # two epochs without a new best: halve
        ...     print(val_loss, sched.get_last_lr())
        1.0 [0.1]
        0.9 [0.1]
        0.95 [0.1]
        0.92 [0.05]
        0.91 [0.05]
        0.93 [0.025]
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        _check_optimizer(optimizer, "ReduceLROnPlateau")
        if not 0 <= factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1), got {factor}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', "
                             f"got {threshold_mode!r}")
        if patience < 0 or cooldown < 0:
            raise ValueError(f"ReduceLROnPlateau: patience and cooldown must be >= 0, got "
                             f"{patience} and {cooldown}")
        self.optimizer = optimizer
        self.factor = factor
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group("ReduceLROnPlateau: min_lr", optimizer, min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        """True while epochs after a cut are not counted as bad.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=0, cooldown=2)
            >>> sched.step(1.0); sched.step(1.0); sched.get_last_lr(), sched.in_cooldown
            ([0.05], True)
        """
        return self.cooldown_counter > 0

    def step(self, metrics, epoch=None):
        """Record one epoch's metric; cut the lrs if it has plateaued.

        ``epoch`` (deprecated, as in PyTorch) sets ``last_epoch`` instead of counting.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ReduceLROnPlateau(opt, mode="max", patience=0)   # e.g. an accuracy
            >>> sched.step(0.8); sched.step(0.7); [round(lr, 4) for lr in sched.get_last_lr()]
            [0.01]
        """
        current = float(metrics)
        if epoch is None:
            self.last_epoch += 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer now has {len(groups)} "
                                   f"param groups but min_lr lists {len(self.min_lrs)}; set "
                                   "scheduler.min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def get_lr(self):
        """The current lrs (this scheduler changes them only in ``step(metric)``).

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ReduceLROnPlateau(opt); sched.step(1.0); sched.get_lr()
            [0.1]
        """
        return self._current_lrs()
