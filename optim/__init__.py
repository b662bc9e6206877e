"""chainrule's optimizers and learning-rate schedules (torch.optim's names and rules).

Example:
    >>> import optim
    >>> opt = optim.Adam(model.parameters(), lr=1e-3)
    >>> sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
    >>> loss.backward(); opt.step(); opt.zero_grad(); sched.step()
"""
from nn import _autograd_check  # noqa: F401  first: is `autograd` chainrule's? (HIPS clash)
from .optimizer import Optimizer
from .sgd import SGD
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adam import Adam, AdamW
from .adadelta import Adadelta
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .lbfgs import LBFGS
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax",
           "NAdam", "RAdam", "LBFGS", "lr_scheduler"]

from . import search
from .search import (grid_search, random_search, coarse_to_fine, Uniform, LogUniform, IntUniform,
                     Choice, SearchResult, SerialExecutor, ProcessExecutor, DaskExecutor)

__all__ += ["search", "grid_search", "random_search", "coarse_to_fine", "Uniform", "LogUniform",
            "IntUniform", "Choice", "SearchResult", "SerialExecutor", "ProcessExecutor",
            "DaskExecutor"]
from .fit import (fit, FitState, History, Callback, EarlyStopping, Checkpoint, ProgressBar,
                  NonFiniteLossError)
__all__ += ["fit", "FitState", "History", "Callback", "EarlyStopping", "Checkpoint", "ProgressBar",
            "NonFiniteLossError"]
from .sanity import check_initial_loss, InitialLossResult
from .overfit import check_overfit_small, OverfitResult
from .gradient_check import check_gradients, GradientCheckResult, ParamGradError
from .diagnostics import Diagnostics
from .parameter_stats import ParameterStats
from .loss_curve import diagnose_loss_curve, find_nan_op
__all__ += ["check_initial_loss", "InitialLossResult", "check_overfit_small", "OverfitResult",
            "check_gradients", "GradientCheckResult", "ParamGradError", "Diagnostics",
            "ParameterStats", "diagnose_loss_curve", "find_nan_op"]
