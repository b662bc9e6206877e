"""Learning-rate schedules with torch.optim.lr_scheduler's names, arguments and sequences.

Example:
    >>> from autograd import Tensor; from optim import SGD
    >>> from optim.lr_scheduler import StepLR
    >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
    >>> sched = StepLR(opt, step_size=30, gamma=0.1)
    >>> for epoch in range(90):
    ...     opt.step(); sched.step()          # an epoch's training, then the schedule
    >>> [round(lr, 6) for lr in sched.get_last_lr()]
    [0.0001]
"""
from .base import LRScheduler, _LRScheduler
from .decay import (StepLR, MultiStepLR, ExponentialLR, InverseTimeDecay, CosineAnnealingLR,
                    LinearLR, ConstantLR, PolynomialLR)
from .lambda_lr import LambdaLR, MultiplicativeLR
from .cyclic import CyclicLR
from .one_cycle import OneCycleLR
from .restarts import CosineAnnealingWarmRestarts
from .plateau import ReduceLROnPlateau
from .compose import SequentialLR, ChainedScheduler

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
           "ConstantLR", "LinearLR", "ExponentialLR", "SequentialLR", "CosineAnnealingLR",
           "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts",
           "OneCycleLR", "PolynomialLR", "InverseTimeDecay"]
