"""optim.checks: the lecture's checks before and while training, and the measures behind them.

Before a long run (CS231n, "Neural Networks 3"): ``check_initial_loss`` (about
ln C at the start), ``check_overfit_small`` (a small subset is learnt
perfectly), ``check_gradients`` (the whole model against central differences).
While training: ``Diagnostics`` (an ``optim.fit`` callback, or standalone)
watches activations (saturated outputs, dead units), gradient norms and
update/weight ratios through hooks; ``diagnose_loss_curve`` reads a loss curve
the way the lecture does and ``find_nan_op`` names the op that made a NaN. Every
figure is defined once, in optim.checks.measures, with the thresholds of
``nn.activation.ACTIVATION_THRESHOLDS`` (viz's plots and report use them too).

Example:
    >>> import nn, optim
    >>> from optim.checks import check_initial_loss, Diagnostics
    >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)           # 60 points, 3 classes
    >>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    >>> check_initial_loss(model, nn.CrossEntropyLoss(), X, y, num_classes=3).verdict
    'ok: initial loss 1.19 ≈ ln(3) = 1.099 (8.3% off, tolerance 15%)'
    >>> _ = nn.init.constant_(model[0].bias, -10.0)                 # every ReLU dies
    >>> diag = Diagnostics(model)
    >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=20)
    >>> history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=2,
    ...                     optimizer=optim.SGD(model.parameters(), lr=0.1), callbacks=[diag])
    >>> diag.report()["warnings"][0]
    "layer '1' (ReLU): 100% of units never active (dead ReLUs) over 3 batches: check the bias ..."
"""
from .sanity import check_initial_loss, InitialLossResult
from .overfit import check_overfit_small, OverfitResult
from .gradient_check import check_gradients, GradientCheckResult, ParamGradError
from .activation_stats import ActivationStats
from .parameter_stats import ParameterStats
from .diagnostics import Diagnostics
from .loss_curve import diagnose_loss_curve, find_nan_op
from .measures import (ACTIVATION_KINDS, activation_kind, saturated_mask, active_units,
                       dead_fraction, grad_summary, update_norms, gradient_trend,
                       describe_thresholds)

__all__ = ["check_initial_loss", "InitialLossResult", "check_overfit_small", "OverfitResult",
           "check_gradients", "GradientCheckResult", "ParamGradError", "ActivationStats",
           "ParameterStats", "Diagnostics", "diagnose_loss_curve", "find_nan_op",
           "ACTIVATION_KINDS", "activation_kind", "saturated_mask", "active_units",
           "dead_fraction", "grad_summary", "update_norms", "gradient_trend",
           "describe_thresholds"]
