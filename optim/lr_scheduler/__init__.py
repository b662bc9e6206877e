"""Learning-rate schedules with torch.optim.lr_scheduler's names, arguments and sequences.

Example:
    >>> from optim.lr_scheduler import StepLR
    >>> sched = StepLR(opt, step_size=30, gamma=0.1)
    >>> for epoch in range(90):
    ...     train_one_epoch(opt); sched.step()
"""
from .base import LRScheduler
from .decay import (StepLR, MultiStepLR, ExponentialLR, InverseTimeDecay, CosineAnnealingLR,
                    LinearLR)
from .cyclic import CyclicLR
from .plateau import ReduceLROnPlateau
from .compose import SequentialLR, ChainedScheduler

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "InverseTimeDecay",
           "CosineAnnealingLR", "LinearLR", "CyclicLR", "ReduceLROnPlateau", "SequentialLR",
           "ChainedScheduler"]
