"""chainrule's optim: optimizers and learning-rate schedules (torch.optim's names and rules),
and, each in a room of its own, a training loop, the lecture's checks, and hyperparameter search.

- the optimizers (``optim.SGD``, ``optim.Adam``, ...) and ``optim.lr_scheduler``: loaded
  with ``import optim``, which needs nothing but ``autograd``;
- ``optim.training``: ``fit``, its callbacks (``EarlyStopping``, ``Checkpoint``,
  ``ProgressBar``), ``History``;
- ``optim.checks``: ``check_initial_loss``, ``check_overfit_small``, ``check_gradients``,
  ``Diagnostics``, ``diagnose_loss_curve``, ``find_nan_op`` and the measures behind them;
- ``optim.search``: ``grid_search``, ``random_search``, ``coarse_to_fine`` (serial, in
  processes, or on Dask).

The three rooms load on first use (``optim.fit``, ``from optim import Diagnostics``), so
``import optim`` does not import nn, its data loaders, Dask or matplotlib.

Example:
    >>> import optim
    >>> from autograd import Tensor
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1)
    >>> sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * w).sum().backward(); opt.step(); sched.step()
    >>> w.data, sched.get_last_lr()          # w *= 1 - 2 lr with lr = 0.1, then 0.05
    (array([0.72, 1.44], dtype=float32), [0.025])
    >>> optim.fit is optim.training.fit      # a room, loaded on first use
    True
"""
import importlib

import autograd as _autograd

if not getattr(_autograd, "__chainrule__", None):
    # Another package named `autograd` (HIPS autograd, a stray folder): nn's check raises an
    # ImportError that names it and the fix, before a bare "cannot import name 'Tensor'".
    from nn import _autograd_check  # noqa: F401

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

# The rooms loaded on first use, and the names optim itself offers from each.
_ROOMS = {
    "training": ("fit", "FitState", "History", "Callback", "EarlyStopping", "Checkpoint",
                 "ProgressBar", "NonFiniteLossError"),
    "checks": ("check_initial_loss", "InitialLossResult", "check_overfit_small",
               "OverfitResult", "check_gradients", "GradientCheckResult", "ParamGradError",
               "Diagnostics", "ParameterStats", "diagnose_loss_curve", "find_nan_op"),
    "search": ("grid_search", "random_search", "coarse_to_fine", "Uniform", "LogUniform",
               "IntUniform", "Choice", "SearchResult", "SerialExecutor", "ProcessExecutor",
               "DaskExecutor"),
}
_ROOM_OF = {name: room for room, names in _ROOMS.items() for name in names}

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax",
           "NAdam", "RAdam", "LBFGS", "lr_scheduler", *_ROOMS, *_ROOM_OF]


def __getattr__(name):
    # PEP 562: `optim.fit`, `optim.search`, `from optim import Diagnostics` import their room
    # here, once; the name is then cached in this module's namespace.
    if name in _ROOMS:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name in _ROOM_OF:
        value = getattr(importlib.import_module(f"{__name__}.{_ROOM_OF[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
