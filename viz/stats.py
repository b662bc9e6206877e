"""Numbers behind the plots: per-parameter gradient flow, activation statistics, update ratios.

No matplotlib here; viz.plots draws these and viz.report tabulates them.
"""
from collections import namedtuple

import numpy as np

from autograd import Tensor, no_grad
from .names import parameter_names

__all__ = ["grad_flow", "ActivationRecord", "record_activations", "activation_stats",
           "UpdateRatioTracker", "ACTIVATION_TYPES"]

ACTIVATION_TYPES = ("Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU")

# The flat region of each activation, where its gradient (nearly) vanishes: "saturated".
_FLAT = {
    "Tanh": lambda a: np.abs(a) > 0.97,
    "Sigmoid": lambda a: (a < 0.03) | (a > 0.97),
}
for _kind in ("ReLU", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU"):
    _FLAT[_kind] = lambda a: a <= 0

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
        >>> loss.backward(); grad_flow(model)[0]
        ('0.weight', 0.0123, 0.0871)
    """
    out = []
    for name, t in _named(params):
        if t.grad is None:
            out.append((name, None, None))
            continue
        g = np.abs(np.asarray(t.grad.data, dtype=np.float64))
        out.append((name, float(g.mean()), float(g.max())) if g.size else (name, 0.0, 0.0))
    return out


def record_activations(model, *inputs, layer_types=ACTIVATION_TYPES):
    """Run ``model(*inputs)`` (without recording a graph) and keep the output of every layer
    whose class name is in ``layer_types``; returns a list of ActivationRecord in call order.

    Example:
        >>> records = record_activations(model, x)
        >>> [(r.name, r.kind) for r in records]
        [('1', 'Tanh'), ('3', 'Tanh')]
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
    """Per record: a dict with name, kind, mean, std, ``saturated`` (fraction of values in
    the activation's flat region) and ``dead`` (fraction of units flat on every example).

    Flat regions: tanh |a| > 0.97, sigmoid a < 0.03 or a > 0.97, the ReLU
    family a <= 0; other kinds get None for both fractions. A unit is an
    index of axis 1 (a feature, or a channel of an image batch).

    Example:
        >>> activation_stats(record_activations(model, x))[0]["saturated"]
        0.21
    """
    out = []
    for r in records:
        a = np.asarray(r.values, dtype=np.float64)
        row = {"name": r.name, "kind": r.kind, "mean": float(a.mean()), "std": float(a.std()),
               "saturated": None, "dead": None}
        flat = _FLAT.get(r.kind)
        if flat is not None and a.size:
            mask = flat(a)
            row["saturated"] = float(mask.mean())
            units = np.moveaxis(mask, 1, 0).reshape(mask.shape[1], -1) if a.ndim >= 2 \
                else mask.reshape(-1, 1)
            row["dead"] = float(units.all(axis=1).mean())
        out.append(row)
    return out


class UpdateRatioTracker:
    """Record, per parameter, how much each optimizer step changes it: ||dW|| / ||W||.

    Call ``update()`` after every ``optimizer.step()``; ``ratios`` maps name
    -> list of ratios (one per update). About 1e-3 is the classic healthy
    value; far below, the layer barely learns; far above, it thrashes. By
    default only parameters with 2 or more dimensions (weights) are tracked.

    Example:
        >>> tracker = UpdateRatioTracker(model)
        >>> for _ in range(100):
        ...     loss = step(); opt.step(); tracker.update()
        >>> tracker.ratios["0.weight"][-1]
        0.0011
    """

    def __init__(self, params, weights_only=True):
        self.params = [(n, t) for n, t in _named(params) if t.ndim >= 2 or not weights_only]
        if not self.params:
            raise ValueError("UpdateRatioTracker: no parameters to track (weights_only=True "
                             "keeps only those with 2 or more dimensions)")
        self.ratios = {n: [] for n, _ in self.params}
        self._last = {n: t.data.copy() for n, t in self.params}

    def update(self):
        """Record the change since the last call (or construction) for every parameter.

        Example:
            >>> opt.step(); tracker.update()
        """
        for name, t in self.params:
            prev = self._last[name]
            norm = float(np.linalg.norm(prev))
            change = float(np.linalg.norm(t.data - prev))
            self.ratios[name].append(change / norm if norm > 0 else float("nan"))
            self._last[name] = t.data.copy()
