"""optim.checks.sanity: the lecture's checks before a long run (CS231n, "Neural Networks 3").

1. ``check_initial_loss``: with small random weights a classifier's scores
   are nearly equal, so the mean cross-entropy starts at ln(C) for C classes;
   adding the regularization term must raise it.
2. ``check_overfit_small`` (in optim.checks.overfit): a working model and optimizer
   drive a small subset (64 samples) to 100% accuracy and a loss near zero.
3. ``check_gradients`` (in optim.checks.gradient_check): the whole model's analytic
   gradients against central differences, in a float64 copy of the model.

Each returns a small dataclass with the measured numbers, ``passed`` and a
one-line ``verdict``; ``result.to_dict()`` is plain, JSON-serialisable data.
What each check catches: a double softmax (a Softmax before
CrossEntropyLoss) still starts at ln(C), so check 1 passes, but the loss can
never fall below ln(1 + (C-1)/e) and check 2 fails (its verdict names the
probable cause); a wrong backward (e.g. a sign flip) fails check 3, and
training with it fails check 2; a too-high learning rate fails check 2 once
the loss rises above 3x its initial value.
"""
import math
from dataclasses import asdict, dataclass

import numpy as np

import nn
from autograd import Tensor, no_grad

__all__ = ["InitialLossResult", "check_initial_loss"]


class Result:
    """Base of the sanity checks' results: ``to_dict()`` and ``str()`` (the verdict).

    Example:
        >>> lin = nn.Linear(2, 3); _ = nn.init.zeros_(lin.weight); _ = nn.init.zeros_(lin.bias)
        >>> X, y = nn.data.spirals(4)                   # all scores equal: the loss is ln(3)
        >>> print(check_initial_loss(lin, nn.CrossEntropyLoss(), X, y, num_classes=3))
        ok: initial loss 1.099 ≈ ln(3) = 1.099 (0.0% off, tolerance 15%)
    """

    def to_dict(self):
        """The result as plain data (dicts, lists, floats), ready for ``json.dumps``.

        Example:
            >>> import json
            >>> lin = nn.Linear(2, 3); _ = nn.init.zeros_(lin.weight); _ = nn.init.zeros_(lin.bias)
            >>> X, y = nn.data.spirals(4)                   # all scores equal: the loss is ln(3)
            >>> r = check_initial_loss(lin, nn.CrossEntropyLoss(), X, y, num_classes=3)
            >>> sorted(json.loads(json.dumps(r.to_dict())))
            ['expected', 'loss', 'loss_with_reg', 'passed', 'relative_error', 'rtol', 'verdict']
        """
        return asdict(self)

    def __str__(self):
        return self.verdict


@dataclass
class InitialLossResult(Result):
    """What ``check_initial_loss`` measured: the loss, its expected value and the verdict.

    Example:
        >>> lin = nn.Linear(2, 3); _ = nn.init.zeros_(lin.weight); _ = nn.init.zeros_(lin.bias)
        >>> X, y = nn.data.spirals(4)                   # all scores equal: the loss is ln(3)
        >>> r = check_initial_loss(lin, nn.CrossEntropyLoss(), X, y, num_classes=3)
        >>> round(r.loss, 4), round(r.expected, 4), r.passed, r.loss_with_reg
        (1.0986, 1.0986, True, None)
    """
    loss: float
    expected: float
    relative_error: float
    rtol: float
    loss_with_reg: float = None
    passed: bool = False
    verdict: str = ""


def as_tensor(X, where):
    """``X`` as a Tensor (an ndarray keeps its dtype); anything else is a clear TypeError.

    Example:
        >>> as_tensor(np.zeros((2, 3)), "check_initial_loss").shape
        (2, 3)
    """
    if isinstance(X, Tensor):
        return X
    if isinstance(X, np.ndarray):
        return Tensor(X)
    raise TypeError(f"{where}: X must be a Tensor or an ndarray of inputs, got "
                    f"{type(X).__name__}")


def check_args(where, model, loss_fn, X, y):
    """Validate the (model, loss_fn, X, y) common to the checks; return X, y as Tensor, array.

    Example:
        >>> X, y = check_args("check_gradients", nn.Linear(2, 3), nn.CrossEntropyLoss(),
        ...                   np.zeros((4, 2)), [0, 1, 2, 0])
        >>> type(X).__name__, y
        ('Tensor', array([0, 1, 2, 0]))
        >>> check_args("check_gradients", nn.Linear(2, 3), nn.CrossEntropyLoss(), X, [0, 1])
        Traceback (most recent call last):
        ValueError: check_gradients: X ((4, 2) float64) and y ((2,) int64) must have the same ...
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"{where}: model must be an nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"{where}: loss_fn must be callable as loss_fn(output, target), e.g. "
                        f"nn.CrossEntropyLoss(); got {type(loss_fn).__name__}")
    X = as_tensor(X, where)
    y = y.data if isinstance(y, Tensor) else np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"{where}: X ({X.shape} {X.dtype}) and y ({y.shape} {y.dtype}) must "
                         "have the same number of samples along their first dimension")
    return X, y


def _expected_initial_loss(loss_fn, num_classes, n):
    """ln(C) for cross-entropy-like losses; (C-1)/C * margin**p for the multi-class SVM."""
    if isinstance(loss_fn, nn.MultiMarginLoss):
        value = (num_classes - 1) / num_classes * loss_fn.margin ** loss_fn.p
    else:
        value = math.log(num_classes)
    return value * n if getattr(loss_fn, "reduction", "mean") == "sum" else value


def _evaluate(model, loss_fn, X, y):
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            return float(loss_fn(model(X), y).item())
    finally:
        model.train(was_training)


def check_initial_loss(model, loss_fn, X, y, num_classes, reg_fn=None, rtol=0.15, expected=None):
    """Check that the untrained loss is about ln(C) and that regularization raises it.

    The loss of ``model(X)`` against ``y`` is evaluated in eval mode (no
    dropout; BatchNorm uses its running statistics) without gradients. It
    passes when ``|loss - expected| <= rtol * expected``: ``expected`` is
    ln(``num_classes``) (ln 10 = 2.303 for 10 classes) or, for
    ``nn.MultiMarginLoss``, (C-1)/C * margin**p (all scores equal), times N for
    ``reduction='sum'``; pass ``expected`` for another loss. The default
    ``rtol`` of 15% admits the small score
    spread of usual initializations (a default-initialized MLP is typically
    within 5%); a larger gap means the initial weights are too large or the
    outputs are biased towards some classes. With ``reg_fn`` (``reg_fn(model)
    -> penalty Tensor``, e.g. ``lambda m: nn.l2_penalty(m, 1e-3)``) the loss
    plus the penalty must also be strictly larger than the loss alone.

    Example:
        >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)           # 60 points, 3 classes
        >>> model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
        >>> r = check_initial_loss(model, nn.CrossEntropyLoss(), X, y, num_classes=3,
        ...                        reg_fn=lambda m: nn.l2_penalty(m, 1e-2))
        >>> print(r.verdict)
        ok: initial loss 1.156 ≈ ln(3) = 1.099 (5.3% off, tolerance 15%); with regularization it
        rises to 1.193
        >>> _ = nn.init.normal_(model[2].weight, std=10.0)               # too large
        >>> print(check_initial_loss(model, nn.CrossEntropyLoss(), X, y, num_classes=3).verdict)
        FAIL: initial loss ... is ...% off ln(3) = 1.099 (tolerance 15%): initial weights too
        large, ...
    """
    where = "check_initial_loss"
    X, y = check_args(where, model, loss_fn, X, y)
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"{where}: num_classes must be an int >= 2, got {num_classes!r}")
    if not (isinstance(rtol, (int, float)) and rtol > 0):
        raise ValueError(f"{where}: rtol must be a positive number, got {rtol!r}")
    if reg_fn is not None and not callable(reg_fn):
        raise TypeError(f"{where}: reg_fn must be callable as reg_fn(model) -> penalty Tensor, "
                        f"got {type(reg_fn).__name__}")
    name = "expected" if expected is not None else (
        "the SVM value" if isinstance(loss_fn, nn.MultiMarginLoss) else f"ln({num_classes})")
    if expected is None:
        expected = _expected_initial_loss(loss_fn, num_classes, X.shape[0])
        if getattr(loss_fn, "reduction", "mean") == "sum":
            name = f"N x {name}"
    loss = _evaluate(model, loss_fn, X, y)
    rel = abs(loss - expected) / abs(expected)
    passed = bool(rel <= rtol)
    if passed:
        verdict = (f"ok: initial loss {loss:.4g} ≈ {name} = {expected:.4g} ({rel:.1%} off, "
                   f"tolerance {rtol:.0%})")
    else:
        verdict = (f"FAIL: initial loss {loss:.4g} is {rel:.0%} off {name} = {expected:.4g} "
                   f"(tolerance {rtol:.0%}): initial weights too large, or outputs not what "
                   "loss_fn expects (raw scores for CrossEntropyLoss, log-probabilities for "
                   "NLLLoss); check the initialization, turn regularization off")
    with_reg = None
    if reg_fn is not None:
        with no_grad():
            penalty = reg_fn(model)
        with_reg = loss + float(penalty.item() if isinstance(penalty, Tensor) else penalty)
        if with_reg > loss:
            verdict += f"; with regularization it rises to {with_reg:.4g}"
        else:
            passed = False
            verdict += (f"; FAIL: adding regularization gives {with_reg:.4g}, not above "
                        f"{loss:.4g}: the penalty is zero or negative (check reg_fn)")
    return InitialLossResult(float(loss), float(expected), float(rel), float(rtol), with_reg,
                             passed, verdict)
