"""Decay schedules: step, multi-step, exponential, inverse-time, cosine, polynomial, and the
linear and constant warm-ups.

Each ``get_lr`` is PyTorch's chainable update (next lr from the current lr),
so the sequences equal torch's; ``_get_closed_form_lr`` gives the lr at
``last_epoch`` from the base lrs.
"""
import math
import numbers

from .base import LRScheduler

__all__ = ["StepLR", "MultiStepLR", "ExponentialLR", "InverseTimeDecay", "CosineAnnealingLR",
           "LinearLR", "ConstantLR", "PolynomialLR"]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _nonnegative(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return value


class StepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every ``step_size`` epochs.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = _positive_int("StepLR: step_size", step_size)
        self.gamma = _nonnegative("StepLR: gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The next lrs: the current ones, times gamma at each multiple of step_size.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = StepLR(opt, step_size=2, gamma=0.5)
            >>> opt.param_groups[0]["lr"] = 1.0     # chainable: from the current lr
            >>> sched.step(); sched.step(); sched.get_last_lr()
            [0.5]
        """
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` at each epoch listed in ``milestones``.

    A milestone listed twice multiplies by ``gamma ** 2`` (as torch).

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            if isinstance(m, bool) or not isinstance(m, numbers.Integral):
                raise ValueError(f"MultiStepLR: milestones must be integers, got {milestones!r}")
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = _nonnegative("MultiStepLR: gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The next lrs: the current ones, times gamma**n at a milestone listed n times.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = MultiStepLR(opt, milestones=[1, 1], gamma=0.5)
            >>> sched.step(); sched.get_last_lr()        # 0.1 * 0.5 ** 2
            [0.025]
        """
        n = self.milestones.count(self.last_epoch)
        if n == 0:
            return self._current_lrs()
        return [lr * self.gamma ** n for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        passed = sum(m <= self.last_epoch for m in self.milestones)
        return [base * self.gamma ** passed for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every epoch.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = ExponentialLR(opt, gamma=0.9)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.1, 0.09, 0.081, 0.0729, 0.0656, 0.059]
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = _nonnegative("ExponentialLR: gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The next lrs: the current ones times gamma (unchanged at construction).

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ExponentialLR(opt, gamma=0.9)
            >>> opt.param_groups[0]["lr"] = 1.0     # chainable: from the current lr
            >>> sched.step(); sched.get_last_lr()
            [0.9]
        """
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class InverseTimeDecay(LRScheduler):
    """``lr = base_lr / (1 + decay_rate * t / decay_steps)`` (not in torch; as Keras's).

    ``t`` is ``last_epoch``; with ``staircase=True`` it is ``t // decay_steps``.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = InverseTimeDecay(opt, decay_rate=0.5)            # lr / (1 + t / 2)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.1, 0.0667, 0.05, 0.04, 0.0333, 0.0286]
    """

    def __init__(self, optimizer, decay_rate, decay_steps=1, staircase=False, last_epoch=-1):
        self.decay_rate = _nonnegative("InverseTimeDecay: decay_rate", decay_rate)
        self.decay_steps = _positive_int("InverseTimeDecay: decay_steps", decay_steps)
        self.staircase = bool(staircase)
        super().__init__(optimizer, last_epoch)

    def _denominator(self, t):
        t = t // self.decay_steps if self.staircase else t / self.decay_steps
        return 1 + self.decay_rate * t

    def get_lr(self):
        """The next lrs: the current ones times ``(1 + d (t-1)) / (1 + d t)``.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = InverseTimeDecay(opt, decay_rate=1.0, decay_steps=2, staircase=True)
            >>> for epoch in range(4):
            ...     opt.step(); sched.step()
            >>> round(sched.get_last_lr()[0], 4)    # 0.1 / (1 + 4 // 2)
            0.0333
        """
        if self._is_initial:
            return self._current_lrs()
        t = self.last_epoch
        ratio = self._denominator(t - 1) / self._denominator(t)
        return [lr * ratio for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base / self._denominator(self.last_epoch) for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal each lr from its base to ``eta_min`` over ``T_max`` epochs along a cosine.

    ``lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``,
    computed recursively as torch does (so it follows later changes to the lr);
    past ``T_max`` it rises again (no restarts).

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = CosineAnnealingLR(opt, T_max=4, eta_min=0.01)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.1, 0.0868, 0.055, 0.0232, 0.01, 0.0232]
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = _positive_int("CosineAnnealingLR: T_max", T_max)
        self.eta_min = _nonnegative("CosineAnnealingLR: eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The next lrs along the cosine, from the current ones.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = CosineAnnealingLR(opt, T_max=2)
            >>> opt.param_groups[0]["lr"] = 0.2     # chainable: from the current lr
            >>> sched.step(); [round(lr, 4) for lr in sched.get_last_lr()]
            [0.1]
        """
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:   # the first step after resuming at last_epoch
            return self._get_closed_form_lr()
        if (t - 1 - T) % (2 * T) == 0:    # leaving the trough: the recursion would be 0/0
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base, lr in zip(self.base_lrs, self._current_lrs())]
        factor = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [factor * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale each lr by a factor going linearly from ``start_factor`` to ``end_factor``.

    The factor reaches ``end_factor`` after ``total_iters`` steps and stays; the
    usual warm-up is ``LinearLR(opt, start_factor=0.1, total_iters=5)``.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=3)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor}")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = _positive_int("LinearLR: total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The next lrs: the current ones times the ratio of successive factors.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = LinearLR(opt, start_factor=0.5, total_iters=2)
            >>> sched.step(); [round(lr, 4) for lr in sched.get_last_lr()]    # 0.05 * 1.5
            [0.075]
        """
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        span = self.end_factor - self.start_factor
        ratio = 1.0 + span / (self.total_iters * self.start_factor + (self.last_epoch - 1) * span)
        return [lr * ratio for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        factor = self.start_factor + (self.end_factor - self.start_factor) * min(
            self.total_iters, self.last_epoch) / self.total_iters
        return [base * factor for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """Scale each lr by ``factor`` for the first ``total_iters`` epochs, then restore it.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = ConstantLR(opt, factor=0.5, total_iters=3)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.05, 0.05, 0.05, 0.1, 0.1, 0.1]
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) \
                or not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR: factor must be in [0, 1], got {factor!r}")
        self.factor = factor
        self.total_iters = _positive_int("ConstantLR: total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The next lrs: times factor at epoch 0, divided by it at ``total_iters``.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ConstantLR(opt, factor=0.5, total_iters=1)
            >>> before = sched.get_last_lr(); sched.step(); before, sched.get_last_lr()
            ([0.05], [0.1])
        """
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        if self.factor == 0:     # the chainable form would divide by zero (torch raises)
            return self._get_closed_form_lr()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay each lr to 0 over ``total_iters`` epochs: ``base * (1 - t / total_iters) ** power``.

    The lr stays at 0 after ``total_iters``; ``power=1`` is a linear decay.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = PolynomialLR(opt, total_iters=4, power=2.0)
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.1, 0.0563, 0.025, 0.0062, 0.0, 0.0]
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = _positive_int("PolynomialLR: total_iters", total_iters)
        if isinstance(power, bool) or not isinstance(power, numbers.Real):
            raise ValueError(f"PolynomialLR: power must be a number, got {power!r}")
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The next lrs: the current ones times the ratio of successive decay factors.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = PolynomialLR(opt, total_iters=4)          # power=1: linear
            >>> sched.step(); [round(lr, 4) for lr in sched.get_last_lr()]
            [0.075]
        """
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        t, total = self.last_epoch, self.total_iters
        decay = ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** self.power
        return [lr * decay for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base in self.base_lrs]
