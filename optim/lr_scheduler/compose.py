"""SequentialLR and ChainedScheduler: schedules one after another, or on top of each other."""
from bisect import bisect_right

from .base import LRScheduler, _check_optimizer
from .plateau import ReduceLROnPlateau

__all__ = ["SequentialLR", "ChainedScheduler"]


def _check_schedulers(name, schedulers, optimizer):
    if len(schedulers) < 1:
        raise ValueError(f"{name}: expected at least one scheduler, got none")
    for i, s in enumerate(schedulers):
        if not isinstance(s, LRScheduler):
            raise TypeError(f"{name}: scheduler {i} is a {type(s).__name__}, not an LRScheduler")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(f"{name}: scheduler {i} is a ReduceLROnPlateau, whose step() needs "
                             "a metric; step it separately")
        if s.optimizer is not optimizer:
            raise ValueError(f"{name}: scheduler {i} ({type(s).__name__}) belongs to another "
                             "optimizer; all schedulers must drive the same one")


def _undo_initial_steps(schedulers):
    """Undo the step each scheduler took when it was built (recursing into composites)."""
    for s in schedulers:
        if hasattr(s, "_schedulers"):
            _undo_initial_steps(s._schedulers)
        else:
            s.last_epoch -= 1


class _Composite(LRScheduler):
    """Shared state handling: the sub-schedulers' states are saved with this one's."""

    def state_dict(self):
        """This scheduler's state with each sub-scheduler's under ``'_schedulers'``.

        Example:
            >>> from optim.lr_scheduler import ConstantLR, ExponentialLR
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ChainedScheduler([ConstantLR(opt), ExponentialLR(opt, gamma=0.5)])
            >>> sd = sched.state_dict(); len(sd["_schedulers"]), sd["_schedulers"][1]["gamma"]
            (2, 0.5)
        """
        state = super().state_dict()
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        """Restore this scheduler and its sub-schedulers; all-or-nothing on a count mismatch.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> from optim.lr_scheduler import ConstantLR, ExponentialLR
            >>> def chained(opt):
            ...     return ChainedScheduler([ConstantLR(opt, factor=0.5),
            ...                              ExponentialLR(opt, gamma=0.5)])
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = chained(opt); opt.step(); sched.step(); sched.step()
            >>> sched2 = chained(SGD([Tensor([1.0], requires_grad=True)], lr=0.1))
            >>> sched2.load_state_dict(sched.state_dict()); sched2.get_last_lr()
            [0.0125]
        """
        subs = state_dict.get("_schedulers", [])
        if len(subs) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state holds "
                             f"{len(subs)} schedulers, this one has {len(self._schedulers)}")
        for s, sub in zip(self._schedulers, subs):
            unknown = sorted(set(sub) - set(s.__dict__) - {"_schedulers"})
            if unknown:
                raise KeyError(f"{type(self).__name__}.load_state_dict: unknown keys {unknown} "
                               f"for {type(s).__name__}")
        super().load_state_dict(state_dict)
        for s, sub in zip(self._schedulers, subs):
            s.load_state_dict(sub)


class SequentialLR(_Composite):
    """Run ``schedulers[i]`` from ``milestones[i-1]`` on (e.g. a warm-up, then a decay).

    At each milestone the next scheduler restarts from epoch 0 of its own
    closed form, as in torch.

    Example:
        >>> from optim.lr_scheduler import LinearLR, ExponentialLR
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> warmup = LinearLR(opt, start_factor=0.1, total_iters=2)
        >>> decay = ExponentialLR(opt, gamma=0.5)
        >>> sched = SequentialLR(opt, schedulers=[warmup, decay], milestones=[2])
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.01, 0.055, 0.1, 0.05, 0.025, 0.0125]
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        _check_optimizer(optimizer, "SequentialLR")
        schedulers = list(schedulers)
        _check_schedulers("SequentialLR", schedulers, optimizer)
        milestones = list(milestones)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expected {len(schedulers) - 1} milestones for "
                             f"{len(schedulers)} schedulers, got {len(milestones)}")
        if milestones != sorted(milestones):
            raise ValueError(f"SequentialLR: milestones must be increasing, got {milestones}")
        self._schedulers, self._milestones = schedulers, milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        _undo_initial_steps(schedulers)
        first = schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self):
        """Step the scheduler for the current epoch (restarting it at its milestone).

        Example:
            >>> from optim.lr_scheduler import ConstantLR, ExponentialLR
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = SequentialLR(opt, [ConstantLR(opt, factor=0.5, total_iters=5),
            ...                            ExponentialLR(opt, gamma=0.9)], milestones=[1])
            >>> sched.get_last_lr(); opt.step(); sched.step(); sched.get_last_lr()
            [0.05]
            [0.1]
        """
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step several schedulers together, each acting on the lr the previous one left.

    Example:
        >>> from optim.lr_scheduler import ConstantLR, ExponentialLR
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = ChainedScheduler([ConstantLR(opt, factor=0.1, total_iters=2),
        ...                           ExponentialLR(opt, gamma=0.5)])
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.01, 0.005, 0.025, 0.0125, 0.0063]
    """

    def __init__(self, schedulers, optimizer=None):
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError("ChainedScheduler: expected at least one scheduler, got none")
        optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        _check_optimizer(optimizer, "ChainedScheduler")
        _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = self._current_lrs()

    def step(self):
        """Step every chained scheduler once, in order.

        Example:
            >>> from optim.lr_scheduler import StepLR, ExponentialLR
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = ChainedScheduler([StepLR(opt, step_size=1, gamma=0.5),
            ...                           ExponentialLR(opt, gamma=0.2)])
            >>> opt.step(); sched.step(); [round(lr, 4) for lr in sched.get_last_lr()]
            [0.01]
        """
        for s in self._schedulers:
            s.step()
        self._last_lr = self._current_lrs()
