"""Numbers behind the plots: per-parameter gradient flow, activation statistics, update ratios.

No matplotlib here; viz.plots draws these and viz.report tabulates them. Every
figure is optim.checks' (``grad_summary``, ``saturated_mask``, ``active_units``,
``update_norms``), with the thresholds of ``nn.activation.ACTIVATION_THRESHOLDS``,
so viz shows the numbers optim.Diagnostics reports for the same model.
"""
from collections import namedtuple

import numpy as np

from autograd import Tensor, no_grad
from optim.checks import (ACTIVATION_KINDS, active_units, dead_fraction, grad_summary,
                          saturated_mask, update_norms)
from .names import parameter_names

__all__ = ["grad_flow", "ActivationRecord", "record_activations", "activation_stats",
           "UpdateRatioTracker", "ACTIVATION_TYPES"]

ACTIVATION_TYPES = ACTIVATION_KINDS    # the activation layers recorded by default (class names)

ActivationRecord = namedtuple("ActivationRecord", ["name", "kind", "values"])
ActivationRecord.__doc__ = """One layer's output: its module path, class name and a copy of its values.

Example:
    >>> ActivationRecord("1", "Tanh", np.zeros((4, 3))).kind
    'Tanh'
"""


def _named(params):
    if hasattr(params, "named_parameters") or hasattr(params, "items"):
        return [(name, t) for t, name in parameter_names(params).items()]
    pairs = list(params)
    if pairs and isinstance(pairs[0], Tensor):
        return [(f"param{i}", t) for i, t in enumerate(pairs)]
    return [(name, t) for t, name in parameter_names(pairs).items()]


def grad_flow(params):
    """Per parameter: ``(name, mean |grad|, max |grad|)``, None for both where there is no grad.

    ``params``: a Module, a dict name -> Tensor, (name, Tensor) pairs or a
    list of Tensors. Read after ``backward()``; NaN/Inf propagate.

    Example:
        >>> w = Tensor([[1.0, -2.0]], requires_grad=True); b = Tensor([0.5], requires_grad=True)
        >>> ((w * Tensor([[3.0, -4.0]])).sum() + b).backward()      # w.grad [[3, -4]], b.grad [1]
        >>> grad_flow({"w": w, "b": b, "unused": Tensor([1.0], requires_grad=True)})
        [('w', 3.5, 4.0), ('b', 1.0, 1.0), ('unused', None, None)]
    """
    out = []
    for name, t in _named(params):
        _, mean, largest = (None, None, None) if t.grad is None else grad_summary(t.grad.data)
        out.append((name, mean, largest))
    return out


def record_activations(model, *inputs, layer_types=ACTIVATION_TYPES):
    """Run ``model(*inputs)`` (without recording a graph) and keep the output of every layer
    whose class name is in ``layer_types``; returns a list of ActivationRecord in call order.

    Example:
        >>> import nn
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2), nn.ReLU())
        >>> records = record_activations(model, Tensor(np.ones((4, 2))))
        >>> [(r.name, r.kind, r.values.shape) for r in records]
        [('1', 'Tanh', (4, 3)), ('3', 'ReLU', (4, 2))]
    """
    if not hasattr(model, "named_modules"):
        raise TypeError(f"record_activations: expected an nn.Module, got {type(model).__name__}")
    records, handles = [], []

    def hook_for(name):
        def hook(module, args, out):
            values = out.data if isinstance(out, Tensor) else np.asarray(out)
            records.append(ActivationRecord(name, type(module).__name__, values.copy()))
        return hook

    for name, module in model.named_modules():
        if type(module).__name__ in layer_types:
            handles.append(module.register_forward_hook(hook_for(name or type(module).__name__)))
    try:
        with no_grad():
            model(*inputs)
    finally:
        for h in handles:
            h.remove()
    return records


def activation_stats(records):
    """Per record: a dict with name, kind, mean, std, ``saturated`` (the fraction of outputs
    within a saturating activation's margin of an asymptote) and ``dead`` (the fraction of a
    ReLU-family layer's units never > 0 on any example).

    The rules and thresholds are optim.Diagnostics' (``nn.activation.ACTIVATION_THRESHOLDS``:
    sigmoid < 0.01 or > 0.99, tanh |a| > 0.99); kinds without a rule get None. A unit is
    one element of an example's output (a feature, or a channel at a position).

    Example:
        >>> tanh = ActivationRecord("1", "Tanh", np.array([[0.995, -0.2], [-0.999, 0.5]]))
        >>> relu = ActivationRecord("3", "ReLU", np.array([[0.0, 1.0], [0.0, 2.0]]))
        >>> [(s["name"], s["saturated"], s["dead"]) for s in activation_stats([tanh, relu])]
        [('1', 0.5, None), ('3', None, 0.5)]
    """
    out = []
    for r in records:
        a = np.asarray(r.values, dtype=np.float64)
        row = {"name": r.name, "kind": r.kind, "mean": float(a.mean()), "std": float(a.std()),
               "saturated": None, "dead": None}
        if a.size:
            saturated, active = saturated_mask(a, r.kind), active_units(a, r.kind)
            row["saturated"] = None if saturated is None else float(saturated.mean())
            row["dead"] = None if active is None else dead_fraction(active)
        out.append(row)
    return out


class UpdateRatioTracker:
    """Record, per parameter, how much each optimizer step changes it: ||dW|| / ||W||.

    Call ``update()`` after every ``optimizer.step()``; ``ratios`` maps name
    -> list of ratios (one per update; None while the weights are all zero), measured
    as optim.ParameterStats measures them. About 1e-3 is the classic healthy
    value; far below, the layer barely learns; far above, it thrashes. By
    default only parameters with 2 or more dimensions (weights) are tracked.

    Example:
        >>> import optim
        >>> w = Tensor(np.ones((2, 2)), requires_grad=True)
        >>> tracker = UpdateRatioTracker({"w": w}); opt = optim.SGD([w], lr=0.001)
        >>> for _ in range(3):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step(); tracker.update()
        >>> [round(r, 6) for r in tracker.ratios["w"]]          # ||lr * 2w|| / ||w||
        [0.002, 0.002, 0.002]
    """

    def __init__(self, params, weights_only=True):
        self.params = [(n, t) for n, t in _named(params) if t.ndim >= 2 or not weights_only]
        if not self.params:
            raise ValueError("UpdateRatioTracker: no parameters to track (weights_only=True "
                             "keeps only those with 2 or more dimensions)")
        self.ratios = {n: [] for n, _ in self.params}
        self._last = {n: np.array(t.data, dtype=np.float64) for n, t in self.params}

    def update(self):
        """Record the change since the last call (or construction) for every parameter.

        Example:
            >>> w = Tensor(np.ones((2, 2)), requires_grad=True)
            >>> tracker = UpdateRatioTracker({"w": w})
            >>> with no_grad():
            ...     w -= 0.01                                       # any change in place
            >>> tracker.update(); round(tracker.ratios["w"][-1], 6)
            0.01
        """
        for name, t in self.params:
            self.ratios[name].append(update_norms(self._last[name], t.data)[2])
            self._last[name] = np.array(t.data, dtype=np.float64)
