"""CyclicLR: the lr goes up and down between two bounds (Smith, 2017), as torch's."""
import math

from .base import LRScheduler, _check_optimizer, _per_group

__all__ = ["CyclicLR"]

_MODES = ("triangular", "triangular2", "exp_range")


class CyclicLR(LRScheduler):
    """Cycle each group's lr between ``base_lr`` and ``max_lr``; step it after every batch.

    A cycle is ``step_size_up`` steps up and ``step_size_down`` (default: the
    same) steps down. ``mode``: ``'triangular'`` (constant amplitude),
    ``'triangular2'`` (halved every cycle) or ``'exp_range'`` (scaled by
    ``gamma ** iteration``). With ``cycle_momentum=True`` the momentum (or
    Adam's beta1) cycles inversely between ``max_momentum`` and
    ``base_momentum``, as torch does; it is off by default here, so a plain
    SGD is not given momentum behind the user's back.

    Example:
        >>> from autograd import Tensor; from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> sched = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2)
        >>> lrs = []
        >>> for batch in range(9):
        ...     lrs.append(round(sched.get_last_lr()[0], 4)); opt.step(); sched.step()
        >>> lrs
        [0.01, 0.055, 0.1, 0.055, 0.01, 0.055, 0.1, 0.055, 0.01]
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=False, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        _check_optimizer(optimizer, "CyclicLR")
        if mode not in _MODES and scale_fn is None:
            raise ValueError(f"CyclicLR: mode must be one of {_MODES} (or pass scale_fn), "
                             f"got {mode!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: scale_mode must be 'cycle' or 'iterations', "
                             f"got {scale_mode!r}")
        step_size_down = step_size_up if step_size_down is None else step_size_down
        if not (step_size_up > 0 and step_size_down > 0):
            raise ValueError(f"CyclicLR: step_size_up and step_size_down must be > 0, got "
                             f"{step_size_up} and {step_size_down}")
        base_lrs = _per_group("CyclicLR: base_lr", optimizer, base_lr)
        self.max_lrs = _per_group("CyclicLR: max_lr", optimizer, max_lr)
        self.total_size = float(step_size_up) + float(step_size_down)
        self.step_ratio = float(step_size_up) / self.total_size
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else (
            "iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"CyclicLR: cycle_momentum=True needs an optimizer with momentum "
                                 f"or betas; {type(optimizer).__name__} has neither")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _per_group("CyclicLR: base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group("CyclicLR: max_momentum", optimizer, max_momentum)
        if last_epoch == -1:
            for i, group in enumerate(optimizer.param_groups):
                group["lr"] = base_lrs[i]
                if cycle_momentum:
                    self._set_momentum(group, self.max_momentums[i])
                    group["max_momentum"] = self.max_momentums[i]
                    group["base_momentum"] = self.base_momentums[i]
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        """The amplitude scale at cycle (or iteration) ``x`` for this mode.

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> CyclicLR(opt, 0.01, 0.1, mode="triangular2").scale_fn(3)  # halved per cycle
            0.25
        """
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def _set_momentum(self, group, momentum):
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def get_lr(self):
        """The lrs at ``last_epoch`` (closed form; also sets the cycled momentum).

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9)
            >>> sched = CyclicLR(opt, 0.01, 0.1, step_size_up=2, cycle_momentum=True)
            >>> sched.last_epoch = 2; sched.get_lr(), opt.param_groups[0]["momentum"]
            ([0.1], 0.8)
        """
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (top - base) * scale_factor * scale
               for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums,
                                        self.max_momentums):
                self._set_momentum(group, high - (high - low) * scale_factor * scale)
        return lrs

    def state_dict(self):
        """The scheduler's state; a custom ``scale_fn`` is not saved (pass it again).

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = CyclicLR(opt, 0.01, 0.1, scale_fn=lambda x: 0.5 ** x)
            >>> sd = sched.state_dict(); sd["_scale_fn_custom"], sd["max_lrs"]
            (None, [0.1])
        """
        state = super().state_dict()
        state["_scale_fn_custom"] = None
        return state

    def load_state_dict(self, state_dict):
        """Restore a state saved by ``state_dict()`` (keeping this scheduler's ``scale_fn``).

        Example:
            >>> from autograd import Tensor; from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> sched = CyclicLR(opt, 0.01, 0.1, step_size_up=2); opt.step(); sched.step()
            >>> sched2 = CyclicLR(opt, 0.01, 0.1, step_size_up=2)
            >>> sched2.load_state_dict(sched.state_dict()); sched2.last_epoch
            1
        """
        state_dict = {k: v for k, v in state_dict.items() if k != "_scale_fn_custom"}
        super().load_state_dict(state_dict)
