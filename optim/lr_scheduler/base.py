"""LRScheduler: PyTorch's scheduler protocol (initial_lr, the first step at construction).

A scheduler computes each group's next lr from the current one ("chainable"
form, so several schedulers can act on one optimizer) and also knows the
closed form from the base lrs, which SequentialLR uses at its milestones.
"""
import copy
import warnings

from ..optimizer import Optimizer

__all__ = ["LRScheduler"]

EPOCH_DEPRECATION_WARNING = (
    "scheduler.step(epoch): the epoch argument is deprecated (as in PyTorch); call "
    "scheduler.step() once per epoch. With an epoch, the closed form is used where the "
    "schedule has one.")


class LRScheduler:
    """Base class of the learning-rate schedulers, with ``torch.optim.lr_scheduler`` semantics.

    Construction records ``group['initial_lr']`` (if not already set), stores
    ``base_lrs`` and performs the first step, so ``last_epoch`` is 0 and the
    optimizer holds the lr for epoch 0. Call ``step()`` after each
    ``optimizer.step()``. Subclasses implement ``get_lr()`` (the chainable
    form) and may implement ``_get_closed_form_lr()``.

    Example:
        >>> class Halving(LRScheduler):        # a schedule is its get_lr()
        ...     def get_lr(self):
        ...         return [g["lr"] / 2 if self.last_epoch > 0 else g["lr"]
        ...                 for g in self.optimizer.param_groups]
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = Halving(opt)
        >>> for epoch in range(3):
        ...     opt.step(); sched.step()
        >>> sched.get_last_lr(), sched.last_epoch
        ([0.0125], 3)
    """

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer, type(self).__name__)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no "
                                   "'initial_lr' but last_epoch != -1; resume only after "
                                   "loading the optimizer's state dict (it holds initial_lr)")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The next lr of each group, from the current ones (chainable form).

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> LRScheduler(opt)                 # the base class has no schedule
            Traceback (most recent call last):
            NotImplementedError: LRScheduler does not implement get_lr()
        """
        message = f"{type(self).__name__} does not implement get_lr()"
        raise NotImplementedError(message)  # abstract: each schedule defines get_lr

    def get_last_lr(self):
        """The lr of each group as last set by this scheduler.

        Example:
            >>> from optim.lr_scheduler import ExponentialLR
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ExponentialLR(opt, gamma=0.5); opt.step(); sched.step()
            >>> sched.get_last_lr()
            [0.05]
        """
        return self._last_lr

    def step(self, epoch=None):
        """Advance one epoch (or batch) and set every group's lr.

        ``epoch`` (deprecated in PyTorch, accepted with its warning) jumps to
        that epoch, using the closed form where the schedule has one.

        Example:
            >>> from optim.lr_scheduler import ExponentialLR
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ExponentialLR(opt, gamma=0.5)
            >>> opt.step(); sched.step(); opt.param_groups[0]["lr"], sched.last_epoch
            (0.05, 1)
        """
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """The scheduler's state (every attribute except the optimizer), as a copy.

        Example:
            >>> from optim.lr_scheduler import StepLR
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sd = StepLR(opt, step_size=2).state_dict()
            >>> sd["last_epoch"], sd["base_lrs"], sd["step_size"]
            (0, [0.1], 2)
        """
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                if k not in ("optimizer", "_schedulers")}

    def load_state_dict(self, state_dict):
        """Restore a state saved by ``state_dict()``; unknown keys are refused and change nothing.

        Example:
            >>> from optim.lr_scheduler import StepLR
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = StepLR(opt, step_size=2, gamma=0.5)
            >>> for epoch in range(3):
            ...     opt.step(); sched.step()
            >>> sched2 = StepLR(opt, step_size=2, gamma=0.5)
            >>> sched2.load_state_dict(sched.state_dict())
            >>> sched2.last_epoch, sched2.get_last_lr()
            (3, [0.05])
        """
        unknown = sorted(set(state_dict) - set(self.__dict__) - {"_schedulers"})
        if unknown:
            raise KeyError(f"{type(self).__name__}.load_state_dict: unknown keys {unknown}; "
                           "was the state saved by a different scheduler class?")
        self.__dict__.update({k: copy.deepcopy(v) for k, v in state_dict.items()
                              if k != "_schedulers"})

    def __repr__(self):
        epoch = getattr(self, "last_epoch", None)
        return f"{type(self).__name__}(last_epoch={epoch}, lr={self._last_lr})"


_LRScheduler = LRScheduler      # PyTorch's old name, still subclassed by older programs


def _check_optimizer(optimizer, name):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{name}: expected an optim.Optimizer, got {type(optimizer).__name__}")


def _per_group(name, optimizer, value):
    """A list with one value per param group from a scalar or a list (as torch's)."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have one value per param group: got {len(value)} "
                             f"values for {len(optimizer.param_groups)} groups")
        return list(value)
    return [value] * len(optimizer.param_groups)
