"""The whole-model gradient check (sanity check 3), in a float64 copy of the model.

``autograd.gradcheck`` checks one function of some input Tensors; a model's
parameters live inside its modules, so the checked elements of a parameter
become the input of a function that writes them into the parameter and
re-evaluates the loss, and ``autograd.numerical_grad`` takes its central
differences ``(f(p + eps) - f(p - eps)) / (2 eps)`` (CS231n's
``eval_numerical_gradient``).

The error reported per parameter is the norm-wise relative error
``||a - n|| / max(||a||, ||n||, floor)`` of the analytic gradient ``a`` and the
numerical one ``n`` over the checked elements: unlike the worst element's
``|a - n| / max(|a|, |n|)`` (also reported, with its index), it is not
dominated by elements whose gradient is numerically zero. The ``floor`` is
the gradient norm below which the differences' round-off cannot tell a
gradient from 0 at the default threshold (see ``zero_floor``), so a
parameter whose true gradient is 0 (a bias before BatchNorm) passes whether
its differences come out as exactly 0 or as round-off, which depends on the
BLAS kernel. In float64 with
``eps = 1e-5`` (CS231n's h) the truncation error is about eps² = 1e-10 and
the round-off about 1e-16 / eps = 1e-11 (relative to the loss), so a correct
model gives about 1e-8 or less (CS231n: below 1e-7 "you should be happy");
the default threshold 1e-6 leaves room for deeper models and small
gradients. A smaller eps is not better: at 1e-6 the round-off already
reaches 1e-7 for a layer whose gradients are 1e-3 of the loss. Kinks (ReLU
at 0) crossed by ``±eps`` can raise one element's error; with a few random
samples that is rare. A wrong backward gives errors near 1, and exactly 2 for
a sign flip.
"""
import copy
import math
from dataclasses import dataclass, field

import numpy as np

from autograd import Tensor, get_default_dtype, no_grad, numerical_grad, set_default_dtype
from autograd.gradcheck import relative_error
from .sanity import Result, check_args

__all__ = ["GradientCheckResult", "ParamGradError", "check_gradients"]

THRESHOLD = 1e-6      # check_gradients' default: the largest norm-wise relative error passed


def zero_floor(loss, eps, checked):
    """The smallest denominator of the norm-wise relative error: where round-off is all there is.

    A loss computed in float64 is off by about machine epsilon x ``|loss|``, so each
    central difference ``(f(p + eps) - f(p - eps)) / (2 eps)`` carries round-off of about
    ``2.2e-16 * |loss| / eps`` (1e-11 for a loss near 1 at eps=1e-5; how much of it shows
    depends on the BLAS kernel), and ``sqrt(checked)`` times that over ``checked``
    elements. Below 10 x that round-off / ``THRESHOLD`` in norm, a gradient cannot be told
    from 0 at the default threshold; errors measured against this floor keep round-off 10x
    below it, while a wrong gradient as small as ``THRESHOLD * floor`` is still caught.

    Example:
        >>> f"{zero_floor(loss=1.2, eps=1e-5, checked=8):.1e}"
        '7.5e-04'
    """
    noise = np.finfo(np.float64).eps * max(1.0, abs(loss)) / eps * math.sqrt(max(checked, 1))
    return 10 * noise / THRESHOLD


@dataclass
class ParamGradError:
    """One parameter's comparison: norm-wise relative error and the worst element.

    Example:
        >>> import nn
        >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)           # 60 points, 3 classes
        >>> model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
        >>> p = check_gradients(model, nn.CrossEntropyLoss(), X, y).params[0]
        >>> p.name, p.shape, p.checked, p.relative_error < 1e-8, p.passed
        ('0.weight', (16, 2), 32, True, True)
    """
    name: str
    shape: tuple
    checked: int               # how many elements were perturbed
    relative_error: float      # ||a - n|| / max(||a||, ||n||, zero_floor(...))
    index: tuple               # the element with the largest |a - n|
    analytic: float
    numerical: float
    element_relative_error: float
    passed: bool


@dataclass
class GradientCheckResult(Result):
    """What ``check_gradients`` measured: one ParamGradError per parameter and the verdict.

    Example:
        >>> import nn
        >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)           # 60 points, 3 classes
        >>> model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
        >>> r = check_gradients(model, nn.CrossEntropyLoss(), X, y)
        >>> r.passed, r.threshold, [p.name for p in r.params]
        (True, 1e-06, ['0.weight', '0.bias', '2.weight', '2.bias'])
    """
    max_relative_error: float
    worst: str
    threshold: float
    passed: bool = False
    verdict: str = ""
    params: list = field(default_factory=list)


def _float64_copy(model, training):
    m = copy.deepcopy(model)
    for p in m.parameters():
        p.data = np.array(p.data, dtype=np.float64)
    for b in m.buffers():
        if b.data.dtype.kind == "f":
            b.data = np.array(b.data, dtype=np.float64)
    m.zero_grad()
    return m.train(training)


def _compare(name, p, analytic, loss, loss_value, eps, max_elements, rng):
    flat = p.data.reshape(-1)                 # a view: p.data is our own contiguous copy
    idx = (np.arange(flat.size) if flat.size <= max_elements
           else np.sort(rng.choice(flat.size, max_elements, replace=False)))
    checked = flat[idx].copy()

    def loss_at(values):                      # the loss with the checked elements set to values
        flat[idx] = values.data
        return loss()

    try:
        num = numerical_grad(loss_at, [checked], eps=eps)[0]
    finally:
        flat[idx] = checked
    a = analytic.reshape(-1)[idx]
    scale = max(np.linalg.norm(a), np.linalg.norm(num), zero_floor(loss_value, eps, idx.size))
    rel = float(np.linalg.norm(a - num) / scale)
    k = int(np.argmax(np.abs(a - num))) if idx.size else 0
    index = tuple(int(j) for j in np.unravel_index(int(idx[k]), p.shape)) if idx.size else ()
    return ParamGradError(name, tuple(p.shape), int(idx.size), rel, index,
                          float(a[k]) if idx.size else 0.0, float(num[k]) if idx.size else 0.0,
                          float(relative_error(a[k], num[k])) if idx.size else 0.0, False)


def check_gradients(model, loss_fn, X, y, n=4, eps=1e-5, threshold=THRESHOLD, max_elements=200,
                    training=False, seed=0):
    """Gradient-check the whole model on ``n`` samples in float64, per parameter.

    A deep copy of ``model`` with float64 parameters and buffers runs under
    ``autograd.set_default_dtype('float64')`` (the given model is not
    touched) in eval mode, or training mode with ``training=True`` (to check
    BatchNorm's batch-statistics gradient; Dropout then makes the loss random
    and the check fail). The analytic gradient of ``loss_fn(model(X[:n]),
    y[:n])`` from ``backward()`` is compared with central differences for up
    to ``max_elements`` elements per parameter (a random subset drawn with
    ``seed`` when there are more, as CS231n's ``grad_check_sparse``). It
    passes when every parameter's norm-wise relative error is below
    ``threshold`` (see the module docstring for why 1e-6).

    Example:
        >>> import nn
        >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)           # 60 points, 3 classes
        >>> model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
        >>> print(check_gradients(model, nn.CrossEntropyLoss(), X, y, n=4).verdict)  # round-off
        ok: max relative error ... over 4 parameters, threshold 1e-06 (float64; CS231n: < 1e-7
        is good)
        >>> r = check_gradients(model, nn.CrossEntropyLoss(), X, y, max_elements=10)   # sampled
        >>> [(p.name, p.checked) for p in r.params]
        [('0.weight', 10), ('0.bias', 10), ('2.weight', 10), ('2.bias', 3)]
    """
    where = "check_gradients"
    X, y = check_args(where, model, loss_fn, X, y)
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{where}: n (the number of samples) must be an int >= 1, got {n!r}")
    if not isinstance(max_elements, (int, np.integer)) or max_elements < 1:
        raise ValueError(f"{where}: max_elements must be an int >= 1, got {max_elements!r}")
    if not (eps > 0 and threshold > 0):
        raise ValueError(f"{where}: eps and threshold must be positive, got eps={eps!r}, "
                         f"threshold={threshold!r}")
    previous = get_default_dtype()
    set_default_dtype("float64")
    try:
        m = _float64_copy(model, bool(training))
        Xs = Tensor(np.array(X.data[:n], dtype=np.float64))
        ys = y[:n]
        start = loss_fn(m(Xs), ys)
        start.backward()
        loss_value = float(start.item())
        named = [(k, p) for k, p in m.named_parameters() if p.requires_grad]
        grads = {k: (np.zeros(p.shape) if p.grad is None else np.array(p.grad.data, np.float64))
                 for k, p in named}

        def loss():
            with no_grad():
                return loss_fn(m(Xs), ys)

        rng = np.random.default_rng(seed)
        reports = [_compare(k, p, grads[k], loss, loss_value, eps, max_elements, rng)
                   for k, p in named]
    finally:
        set_default_dtype(previous)
    if not reports:
        raise ValueError(f"{where}: the model has no parameter that requires grad; nothing to "
                         "check")
    for r in reports:
        r.passed = bool(r.relative_error < threshold)
    worst = max(reports, key=lambda r: r.relative_error)
    passed = all(r.passed for r in reports)
    if passed:
        verdict = (f"ok: max relative error {worst.relative_error:.2g} ({worst.name}) over "
                   f"{len(reports)} parameters, threshold {threshold:g} (float64; CS231n: "
                   "< 1e-7 is good)")
    else:
        bad = [r.name for r in reports if not r.passed]
        verdict = (f"FAIL: relative error {worst.relative_error:.2g} in {worst.name} (worst "
                   f"element {worst.index}: analytic {worst.analytic:.4g} vs numerical "
                   f"{worst.numerical:.4g}); {len(bad)} of {len(reports)} parameters above "
                   f"{threshold:g}: {', '.join(bad)}")
        if worst.relative_error > 1.9:
            verdict += "; the analytic gradient has the wrong sign (a backward returns -grad)"
        else:
            verdict += "; a backward in the model is wrong"
    return GradientCheckResult(float(worst.relative_error), worst.name, float(threshold),
                               passed, verdict, reports)
