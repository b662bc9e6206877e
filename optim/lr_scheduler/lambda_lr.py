"""LambdaLR and MultiplicativeLR: schedules given by the user's functions of the epoch."""
import copy
import types

from .base import LRScheduler, _check_optimizer

__all__ = ["LambdaLR", "MultiplicativeLR"]


class _FunctionSchedule(LRScheduler):
    """Holds one function per group; saves callable objects' attributes, not functions."""

    def __init__(self, optimizer, lr_lambda, last_epoch):
        name = type(self).__name__
        _check_optimizer(optimizer, name)
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"{name}: expected {n} lr_lambdas (one per param group), "
                                 f"got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for i, fn in enumerate(self.lr_lambdas):
            if not callable(fn):
                raise TypeError(f"{name}: lr_lambda {i} should be a function of the epoch, "
                                f"got a {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        """The state; each lr_lambda is None (a function) or its attributes (a callable object).

        Functions and lambdas are not saved (as in PyTorch): pass them again
        when rebuilding the scheduler.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> LambdaLR(opt, lambda e: 0.9 ** e).state_dict()["lr_lambdas"]
            [None]
        """
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType)
                               else copy.deepcopy(fn.__dict__) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        """Restore a state saved by ``state_dict()``, keeping this scheduler's functions.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> class Decay:                  # a callable object: its attributes are saved
            ...     def __init__(self, rate): self.rate = rate
            ...     def __call__(self, epoch): return self.rate ** epoch
            >>> sched2 = LambdaLR(opt, Decay(0.5))
            >>> sched2.load_state_dict(LambdaLR(opt, Decay(0.9)).state_dict())
            >>> sched2.lr_lambdas[0].rate
            0.9
        """
        saved = state_dict.get("lr_lambdas", [None] * len(self.lr_lambdas))
        if len(saved) != len(self.lr_lambdas):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state holds "
                             f"{len(saved)} lr_lambdas, this scheduler has "
                             f"{len(self.lr_lambdas)}")
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(copy.deepcopy(attrs))


class LambdaLR(_FunctionSchedule):
    """Set each group's lr to ``base_lr * lr_lambda(epoch)`` (one function, or one per group).

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = LambdaLR(opt, lr_lambda=lambda epoch: min(1.0, (epoch + 1) / 4))  # warm-up
        >>> lrs = []
        >>> for epoch in range(6):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        """``base_lr * lr_lambda(last_epoch)`` for each group.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> LambdaLR(opt, lambda epoch: 0.5).get_last_lr()       # 0.5 * base lr
            [0.05]
        """
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_FunctionSchedule):
    """Multiply each group's lr by ``lr_lambda(epoch)`` at every step after the first.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.5)
        >>> lrs = []
        >>> for epoch in range(4):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.1, 0.05, 0.025, 0.0125]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        """The current lrs times ``lr_lambda(last_epoch)`` (unchanged at construction).

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = MultiplicativeLR(opt, lambda epoch: 0.5)
            >>> before = sched.get_last_lr(); opt.step(); sched.step()
            >>> before, sched.get_last_lr()       # unchanged at construction, then halved
            ([0.1], [0.05])
        """
        if self._is_initial:
            return self._current_lrs()
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, self._current_lrs())]
