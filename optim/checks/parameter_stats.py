"""Per-parameter gradient norms and update/weight ratios around optimizer steps.

The lecture's rule of thumb: the norm of a step's update over the norm of
the weights, ``||p_after - p_before|| / ||p_before||``, should be about 1e-3
(CS231n: far above, the learning rate is too high; far below, too low).
ParameterStats measures it per parameter, with the gradient norms, from a
snapshot taken before the step; optim.Diagnostics builds on it. The norms and
the ratio are optim.checks.measures' (``grad_summary``, ``update_norms``).
"""
import math

import numpy as np

import nn
from .measures import grad_summary, update_norms

__all__ = ["ParameterStats"]


class ParameterStats:
    """Gradient norms, weight norms and update/weight ratios of a model's parameters, per step.

    ``history`` holds per step ``{"step": [...], "loss": [...], "grad_norm":
    {param: [...]}, "update_ratio": {param: [...]}}`` (plain data; the
    format of ``gradient_stats()`` is in optim.checks.diagnostics).

    Example:
        >>> stats = ParameterStats(model)
        >>> loss.backward(); stats.step(optimizer, loss.item())
        >>> stats.gradient_stats()[0]["update_ratio"]
        0.0011
    """

    def __init__(self, model):
        if not isinstance(model, nn.Module):
            raise TypeError(f"{type(self).__name__}: model must be an nn.Module, got "
                            f"{type(model).__name__}")
        self._params = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        self._before, self._grads, self._updates, self._step = None, {}, {}, 0
        self.history = {"step": [], "loss": [], "grad_norm": {n: [] for n, _ in self._params},
                        "update_ratio": {n: [] for n, _ in self._params}}

    def record_gradients(self):
        """Read every parameter's ``.grad`` (call after backward, before the optimizer step).

        Example:
            >>> loss.backward(); stats.record_gradients(); stats.gradient_stats()[0]["grad_norm"]
        """
        self._grads = {name: (None, None) if p.grad is None else grad_summary(p.grad.data)[:2]
                       for name, p in self._params}

    def snapshot_weights(self):
        """Remember the weights before an optimizer step, for ``record_updates``.

        Example:
            >>> stats.snapshot_weights(); opt.step(); stats.record_updates()
        """
        self._before = {name: np.array(p.data, dtype=np.float64) for name, p in self._params}

    def record_updates(self, loss=None):
        """Measure each parameter's update against ``snapshot_weights()``; log this step.

        Example:
            >>> stats.snapshot_weights(); opt.step(); stats.record_updates(loss.item())
        """
        if self._before is None:
            raise RuntimeError(f"{type(self).__name__}.record_updates: call "
                               "snapshot_weights() before the optimizer step")
        self._updates = {name: update_norms(self._before[name], p.data)
                         for name, p in self._params}
        self._before = None
        h = self.history
        h["step"].append(self._step)
        h["loss"].append(None if loss is None else float(loss))
        for name, _ in self._params:
            h["grad_norm"][name].append(self._grads.get(name, (None,))[0])
            h["update_ratio"][name].append(self._updates[name][2])
        self._step += 1

    def step(self, optimizer, loss=None):
        """Step the optimizer and measure it: gradients, weights before, the step, the updates.

        Example:
            >>> loss.backward(); stats.step(opt, loss.item())
        """
        self.record_gradients()
        self.snapshot_weights()
        optimizer.step()
        self.record_updates(loss)

    def gradient_stats(self):
        """Per-parameter gradient norm, weight norm and update/weight ratio, from the last step.

        One dict per parameter; numbers not measured yet are None::

            {"param": "0.weight", "layer": "0", "shape": [64, 2],
             "grad_norm": 0.12, "grad_mean_abs": 0.004,      # None without a .grad
             "weight_norm": 5.3,                             # before the step
             "update_norm": 0.0051, "update_ratio": 9.6e-4}  # update_norm / weight_norm

        Example:
            >>> [(s["param"], s["update_ratio"]) for s in stats.gradient_stats()]
        """
        out = []
        for name, p in self._params:
            grad_norm, grad_mean = self._grads.get(name, (None, None))
            w, u, ratio = self._updates.get(name, (None, None, None))
            out.append({"param": name, "layer": name.rpartition(".")[0], "shape": list(p.shape),
                        "grad_norm": grad_norm, "grad_mean_abs": grad_mean, "weight_norm": w,
                        "update_norm": u, "update_ratio": ratio})
        return out

    def layer_grad_norms(self):
        """The gradient norm over each module's own parameters, from the last step.

        Example:
            >>> stats.layer_grad_norms()
            [{'layer': '0', 'grad_norm': 0.12}, {'layer': '2', 'grad_norm': 0.31}]
        """
        sums = {}
        for s in self.gradient_stats():
            if s["grad_norm"] is not None:
                sums[s["layer"]] = sums.get(s["layer"], 0.0) + s["grad_norm"] ** 2
        return [{"layer": k, "grad_norm": math.sqrt(v)} for k, v in sums.items()]

    def ratio_warnings(self, ratio_range=(1e-4, 1e-2)):
        """One message per parameter whose last update/weight ratio is outside ``ratio_range``.

        Example:
            >>> stats.ratio_warnings()
            ["param '0.weight': update/weight ratio 0.02 (rule of thumb ~1e-3): ... too high"]
        """
        low, high = ratio_range
        out = []
        for s in self.gradient_stats():
            r = s["update_ratio"]
            if r is not None and not low <= r <= high:
                cause = "too high" if r > high else "too low"
                out.append(f"param '{s['param']}': update/weight ratio {r:.2g} (rule of thumb "
                           f"~1e-3): the learning rate is probably {cause}")
        return out
