"""chainrule's optimizers and learning-rate schedules (torch.optim's names and rules).

Example:
    >>> import optim
    >>> opt = optim.Adam(model.parameters(), lr=1e-3)
    >>> sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
    >>> loss.backward(); opt.step(); opt.zero_grad(); sched.step()
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adam import Adam, AdamW
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "lr_scheduler"]

from . import search
from .search import (grid_search, random_search, coarse_to_fine, Uniform, LogUniform, IntUniform,
                     Choice, SearchResult, SerialExecutor, ProcessExecutor, DaskExecutor)

__all__ += ["search", "grid_search", "random_search", "coarse_to_fine", "Uniform", "LogUniform",
            "IntUniform", "Choice", "SearchResult", "SerialExecutor", "ProcessExecutor",
            "DaskExecutor"]
from .fit import fit, FitState, History, Callback, EarlyStopping, Checkpoint, ProgressBar
__all__ += ["fit", "FitState", "History", "Callback", "EarlyStopping", "Checkpoint", "ProgressBar"]
