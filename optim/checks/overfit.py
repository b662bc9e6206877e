"""Sanity check 2: the model can overfit a small subset (CS231n, "Neural Networks 3").

A model and optimizer that work drive 64 training samples to 100% accuracy
and a loss near zero in a few hundred steps. What makes it fail: a wrong
gradient (training climbs instead), a too-high learning rate (the loss rises
above 3x its initial value, or becomes NaN), a too-small model or step
budget, and a double softmax (a Softmax before CrossEntropyLoss): accuracy
may reach 100%, but the loss of probabilities p cannot fall below
ln(1 + (C-1)/e), so "loss near zero" fails, and the verdict says why.
"""
import copy
import math
from dataclasses import dataclass, field

import numpy as np

import nn
from autograd import Tensor
from ..optimizer import Optimizer
from ..training.history import metric_functions
from .sanity import Result, check_args

__all__ = ["OverfitResult", "check_overfit_small"]


@dataclass
class OverfitResult(Result):
    """What ``check_overfit_small`` measured: accuracy and loss on the subset, per-step losses.

    Example:
        >>> import nn, optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)           # 60 points, 3 classes
        >>> model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
        >>> r = check_overfit_small(model, nn.CrossEntropyLoss(), lambda p: optim.Adam(p, lr=0.05),
        ...                         X, y, n=16)
        >>> r.n, r.accuracy, r.passed, len(r.losses) == r.steps + 1, round(r.initial_loss, 2)
        (16, 1.0, True, True, 1.2)
    """
    n: int
    steps: int
    initial_loss: float
    final_loss: float
    accuracy: float
    target: float
    passed: bool = False
    verdict: str = ""
    losses: list = field(default_factory=list)


def _looks_like_probabilities(out, loss_fn):
    """True when (N, C) outputs fed to CrossEntropyLoss are rows of probabilities."""
    if not isinstance(loss_fn, nn.CrossEntropyLoss) or out.ndim != 2 or out.shape[1] < 2:
        return False
    p = np.asarray(out.data, dtype=np.float64)
    return bool(p.min() >= 0 and p.max() <= 1 and np.allclose(p.sum(axis=1), 1, atol=1e-4))


def _build(model, where):
    if isinstance(model, nn.Module):
        return copy.deepcopy(model)
    if callable(model):
        built = model()
        if isinstance(built, nn.Module):
            return built
        raise TypeError(f"{where}: the model factory returned {type(built).__name__}, not an "
                        "nn.Module")
    raise TypeError(f"{where}: model must be an nn.Module or a zero-argument factory returning "
                    f"one, got {type(model).__name__}")


def check_overfit_small(model, loss_fn, optimizer_factory, X, y, n=64, steps=500, target=1.0,
                        loss_fraction=0.1, seed=0):
    """Check that the model can overfit ``n`` training samples: 100% accuracy, loss near zero.

    ``model`` is an nn.Module (a deep copy is trained, the given one is left
    unchanged) or a zero-argument factory; ``optimizer_factory(params)``
    builds the optimizer (e.g. ``lambda p: optim.Adam(p, lr=1e-2)``). A
    subset of ``n`` samples drawn with ``seed`` is trained full-batch, in
    training mode, for at most ``steps`` steps; it passes as soon as the
    training accuracy reaches ``target`` and the loss is at most
    ``loss_fraction`` times the initial loss (the lecture's "zero cost"). It
    stops and fails at once when the loss becomes NaN/Inf or rises above 3x
    the initial loss: the learning rate is too high. Turn regularization
    (dropout, weight decay) off, as the lecture does.

    Example:
        >>> import nn, optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)           # 60 points, 3 classes
        >>> model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
        >>> r = check_overfit_small(model, nn.CrossEntropyLoss(), lambda p: optim.Adam(p, lr=0.05),
        ...                         X, y, n=16, steps=300)
        >>> print(r.verdict)
        ok: 100% training accuracy and loss ... of initial) on 16 samples in ... steps
        >>> slow = check_overfit_small(model, nn.CrossEntropyLoss(),
        ...                            lambda p: optim.SGD(p, lr=1e-4), X, y, n=16, steps=20)
        >>> print(slow.verdict)
        FAIL: only ... training accuracy (loss ...) on 16 samples in 20 steps: check the gradients
        (check_gradients), raise the learning rate or the step budget
    """
    where = "check_overfit_small"
    m = _build(model, where)
    X, y = check_args(where, m, loss_fn, X, y)
    for arg, value, low in (("n", n, 1), ("steps", steps, 1)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{where}: {arg} must be an int >= {low}, got {value!r}")
    if not 0 < target <= 1 or not 0 < loss_fraction <= 1:
        raise ValueError(f"{where}: target (an accuracy) and loss_fraction must be in (0, 1], "
                         f"got target={target!r}, loss_fraction={loss_fraction!r}")
    idx = np.sort(np.random.default_rng(seed).choice(X.shape[0], min(n, X.shape[0]),
                                                      replace=False))
    Xs, ys = Tensor(X.data[idx]), y[idx]
    opt = optimizer_factory(list(m.parameters()))
    if not isinstance(opt, Optimizer):
        raise TypeError(f"{where}: optimizer_factory(params) must return an optim.Optimizer, "
                        f"got {type(opt).__name__}")
    accuracy_of = metric_functions(["accuracy"], loss_fn)["accuracy"]
    m.train()
    losses, initial, acc, probabilities, failure = [], None, 0.0, False, None
    for step in range(steps + 1):
        opt.zero_grad()
        out = m(Xs)
        loss = loss_fn(out, ys)
        value = float(loss.item())
        losses.append(value)
        if initial is None:
            initial, probabilities = value, _looks_like_probabilities(out, loss_fn)
        if not math.isfinite(value):
            failure = (f"FAIL: the loss became {value} at step {step}: stop; the learning rate "
                       "is too high or an op is unstable (find it with optim.find_nan_op)")
            break
        if value > 3 * initial:
            failure = (f"FAIL: the loss rose to {value:.4g} at step {step}, above 3x the initial "
                       f"{initial:.4g}: stop, the learning rate is too high (or the gradient has "
                       "the wrong sign: run check_gradients)")
            break
        acc = float(accuracy_of(out, Tensor(ys)))
        if (acc >= target and value <= loss_fraction * initial) or step == steps:
            break
        loss.backward()
        opt.step()
    final = losses[-1]
    passed = failure is None and acc >= target and final <= loss_fraction * initial
    steps_run = len(losses) - 1
    share = final / initial if initial else 0.0
    where_ = f"on {len(idx)} samples in {steps_run} steps"
    if passed:
        verdict = (f"ok: {acc:.0%} training accuracy and loss {final:.3g} "
                   f"({share:.1%} of initial) {where_}")
    elif failure is not None:
        verdict = failure
    elif acc >= target:
        verdict = (f"FAIL: {acc:.0%} training accuracy but the loss stalled at {final:.3g} "
                   f"({share:.0%} of initial, wanted <= {loss_fraction:.0%}) {where_}")
    else:
        verdict = (f"FAIL: only {acc:.1%} training accuracy (loss {final:.3g}, "
                   f"{share:.0%} of initial) {where_}: check the gradients "
                   "(check_gradients), raise the learning rate or the step budget")
    if not passed and probabilities:
        verdict += ("; the outputs are probabilities (rows sum to 1) fed to CrossEntropyLoss, "
                    "which applies softmax itself: remove the final Softmax (double softmax)")
    return OverfitResult(len(idx), steps_run, float(initial), float(final), acc, float(target),
                         bool(passed), verdict, losses)
