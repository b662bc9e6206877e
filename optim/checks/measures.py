"""The training measures, defined once: saturated outputs, dead units, gradient summaries, the
update/weight ratio and the gradient trend across layers.

optim.checks (ActivationStats, ParameterStats, Diagnostics, diagnose_loss_curve) and viz
(activation_stats, grad_flow, UpdateRatioTracker, the report) compute their figures with these
functions, and the thresholds come from one table next to the activations,
``nn.activation.ACTIVATION_THRESHOLDS``: one model gets one figure wherever it is shown.
Every number is computed in float64.

Example:
    >>> "Sigmoid" in ACTIVATION_KINDS, "ReLU" in ACTIVATION_KINDS, "Linear" in ACTIVATION_KINDS
    (True, True, False)
    >>> relu_out = np.array([[0.0, 1.5, 0.0], [0.0, 2.0, 0.3]])       # 2 samples, 3 units
    >>> round(dead_fraction(active_units(relu_out, "ReLU")), 4)       # unit 0 never fires
    0.3333
"""
import math

import numpy as np

from nn.activation import ACTIVATION_THRESHOLDS

__all__ = ["ACTIVATION_KINDS", "activation_kind", "saturated_mask", "active_units",
           "dead_fraction", "grad_summary", "update_norms", "gradient_trend",
           "describe_thresholds"]

ACTIVATION_KINDS = tuple(ACTIVATION_THRESHOLDS)


def activation_kind(module):
    """The table's name for ``module``'s activation (its class or nearest base class), or None.

    Example:
        >>> import nn
        >>> activation_kind(nn.Tanh()), activation_kind(nn.Linear(2, 2))
        ('Tanh', None)
    """
    for cls in type(module).__mro__:
        if cls.__name__ in ACTIVATION_THRESHOLDS:
            return cls.__name__
    return None


def _rule(kind):
    return ACTIVATION_THRESHOLDS.get(kind)


def saturated_mask(values, kind, eps=None):
    """Which outputs of a ``kind`` activation are saturated: within ``eps`` of an asymptote.

    ``eps`` defaults to the table's ``saturated_within``; None for a kind that
    does not saturate (the ReLU family, GELU, SiLU, anything not in the table).

    Example:
        >>> saturated_mask(np.array([0.995, -0.5, -0.999]), "Tanh")
        array([ True, False,  True])
        >>> saturated_mask(np.array([0.0, 2.0]), "ReLU") is None
        True
    """
    rule = _rule(kind)
    if rule is None or rule.asymptotes is None:
        return None
    eps = rule.saturated_within if eps is None else eps
    low, high = rule.asymptotes
    v = np.asarray(values, dtype=np.float64)
    return (v < low + eps) | (v > high - eps)


def active_units(values, kind):
    """Which units of a ``kind`` activation were active in this batch, or None (no dead rule).

    A unit is one element of a sample's output (a feature, or a channel at a
    position; the batch is the first axis, a 1-d output is one sample); it is
    active when its output is above the table's ``active_above`` in at least
    one sample. OR the masks of several batches, then ``dead_fraction``.

    Example:
        >>> active_units(np.array([[-1.0, 2.0], [-3.0, 0.0]]), "ReLU")
        array([False,  True])
    """
    rule = _rule(kind)
    if rule is None or rule.active_above is None:
        return None
    v = np.asarray(values, dtype=np.float64)
    per_unit = v.reshape(v.shape[0], -1) if v.ndim >= 2 else v.reshape(1, -1)
    return (per_unit > rule.active_above).any(axis=0)


def dead_fraction(ever_active):
    """The fraction of units never active (``ever_active``: the OR of ``active_units`` masks).

    Example:
        >>> dead_fraction(np.array([False, True, True, True]))
        0.25
    """
    return float(1.0 - np.mean(ever_active))


def grad_summary(grad):
    """``(norm, mean |g|, max |g|)`` of a gradient array, in float64 (zeros for an empty one).

    NaN and Inf propagate. Example:
        >>> grad_summary(np.array([3.0, -4.0]))
        (5.0, 3.5, 4.0)
    """
    g = np.abs(np.asarray(grad, dtype=np.float64))
    if not g.size:
        return 0.0, 0.0, 0.0
    return float(np.sqrt(np.sum(np.square(g)))), float(g.mean()), float(g.max())


def update_norms(before, after):
    """``(||before||, ||after - before||, their ratio)`` of one optimizer step, in float64.

    The ratio is the lecture's update/weight ratio (CS231n: about 1e-3 is
    healthy; far above, the learning rate is too high; far below, too low);
    None when the weights before the step are all zero.

    Example:
        >>> update_norms(np.array([3.0, 4.0]), np.array([3.0, 4.5]))
        (5.0, 0.5, 0.1)
    """
    before = np.asarray(before, dtype=np.float64)
    weight = float(np.sqrt(np.sum(np.square(before))))
    update = float(np.sqrt(np.sum(np.square(np.asarray(after, dtype=np.float64) - before))))
    return weight, update, (update / weight if weight > 0 else None)


def gradient_trend(norms, factor=1e-3, steady=0.7):
    """"vanishing", "exploding" or None for per-layer gradient norms listed input side first.

    Vanishing: at least 3 layers, the input layer's norm below ``factor`` x the
    output layer's, and the norm falling from each layer to the one before it
    in at least a ``steady`` fraction of the steps back (the lecture's picture:
    each sigmoid multiplies the gradient by at most 1/4). Exploding: the same
    growing, input layer above 1/``factor`` x the output layer's.

    Example:
        >>> gradient_trend([1e-7, 1e-6, 1e-4, 1e-3, 1e-2, 0.1])
        'vanishing'
        >>> gradient_trend([0.3, 0.2, 0.25, 0.4]) is None
        True
    """
    norms = [float(v) for v in norms if v is not None]
    if len(norms) < 3 or not all(math.isfinite(v) and v > 0 for v in norms):
        return None
    ratio = norms[0] / norms[-1]
    falls = sum(a < b for a, b in zip(norms, norms[1:]))
    rises = sum(a > b for a, b in zip(norms, norms[1:]))
    if ratio < factor and falls >= steady * (len(norms) - 1):
        return "vanishing"
    if ratio > 1 / factor and rises >= steady * (len(norms) - 1):
        return "exploding"
    return None


def describe_thresholds():
    """The table's rules in one sentence, for a report's caption.

    Example:
        >>> describe_thresholds()[:48]
        'saturated: outputs within 0.01 of an asymptote ('
    """
    saturating = {k: r for k, r in ACTIVATION_THRESHOLDS.items() if r.asymptotes is not None}
    margins = sorted({r.saturated_within for r in saturating.values()})
    tails = ", ".join(f"{k} {r.asymptotes[0]:g} or {r.asymptotes[1]:g}"
                      + ("" if len(margins) == 1 else f" (within {r.saturated_within:g})")
                      for k, r in saturating.items())
    dying = [k for k, r in ACTIVATION_THRESHOLDS.items() if r.active_above is not None]
    above = sorted({ACTIVATION_THRESHOLDS[k].active_above for k in dying})
    return (f"saturated: outputs within {'/'.join(f'{m:g}' for m in margins)} of an asymptote "
            f"({tails}); dead: units of {', '.join(dying)} never above "
            f"{'/'.join(f'{a:g}' for a in above)} on any example")
