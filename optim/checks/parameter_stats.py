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
        >>> import optim
        >>> from autograd import Tensor
        >>> model = nn.Sequential(nn.Linear(1, 1))
        >>> model[0].weight.data[:] = 2.0; model[0].bias.data[:] = 0.5
        >>> stats = ParameterStats(model); opt = optim.SGD(model.parameters(), lr=0.01)
        >>> loss = model(Tensor([[3.0]])).sum(); loss.backward()       # grads 3 and 1
        >>> stats.step(opt, loss.item())
        >>> [(s["param"], s["grad_norm"], round(s["update_ratio"], 4))
        ...  for s in stats.gradient_stats()]
        [('0.weight', 3.0, 0.015), ('0.bias', 1.0, 0.02)]
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
            >>> import optim
            >>> from autograd import Tensor
            >>> model = nn.Sequential(nn.Linear(1, 1))
            >>> model[0].weight.data[:] = 2.0; model[0].bias.data[:] = 0.5
            >>> stats = ParameterStats(model); opt = optim.SGD(model.parameters(), lr=0.01)
            >>> loss = model(Tensor([[3.0]])).sum(); loss.backward()       # grads 3 and 1
            >>> stats.record_gradients(); [s["grad_norm"] for s in stats.gradient_stats()]
            [3.0, 1.0]
        """
        self._grads = {name: (None, None) if p.grad is None else grad_summary(p.grad.data)[:2]
                       for name, p in self._params}

    def snapshot_weights(self):
        """Remember the weights before an optimizer step, for ``record_updates``.

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> model = nn.Sequential(nn.Linear(1, 1))
            >>> model[0].weight.data[:] = 2.0; model[0].bias.data[:] = 0.5
            >>> stats = ParameterStats(model); opt = optim.SGD(model.parameters(), lr=0.01)
            >>> loss = model(Tensor([[3.0]])).sum(); loss.backward()       # grads 3 and 1
            >>> stats.snapshot_weights(); opt.step(); stats.record_updates()
            >>> [round(s["update_norm"], 4) for s in stats.gradient_stats()]     # lr * grad
            [0.03, 0.01]
        """
        self._before = {name: np.array(p.data, dtype=np.float64) for name, p in self._params}

    def record_updates(self, loss=None):
        """Measure each parameter's update against ``snapshot_weights()``; log this step.

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> model = nn.Sequential(nn.Linear(1, 1))
            >>> model[0].weight.data[:] = 2.0; model[0].bias.data[:] = 0.5
            >>> stats = ParameterStats(model); opt = optim.SGD(model.parameters(), lr=0.01)
            >>> loss = model(Tensor([[3.0]])).sum(); loss.backward()       # grads 3 and 1
            >>> stats.snapshot_weights(); opt.step(); stats.record_updates(loss.item())
            >>> stats.history["step"], stats.history["loss"]
            ([0], [6.5])
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
            >>> import optim
            >>> from autograd import Tensor
            >>> model = nn.Sequential(nn.Linear(1, 1))
            >>> model[0].weight.data[:] = 2.0; model[0].bias.data[:] = 0.5
            >>> stats = ParameterStats(model); opt = optim.SGD(model.parameters(), lr=0.01)
            >>> loss = model(Tensor([[3.0]])).sum(); loss.backward()       # grads 3 and 1
            >>> stats.step(opt, loss.item()); model[0].weight.data, model[0].bias.data
            (array([[1.97]], dtype=float32), array([0.49], dtype=float32))
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
            >>> import optim
            >>> from autograd import Tensor
            >>> model = nn.Sequential(nn.Linear(1, 1))
            >>> model[0].weight.data[:] = 2.0; model[0].bias.data[:] = 0.5
            >>> stats = ParameterStats(model); opt = optim.SGD(model.parameters(), lr=0.01)
            >>> loss = model(Tensor([[3.0]])).sum(); loss.backward()       # grads 3 and 1
            >>> stats.step(opt, loss.item()); s = stats.gradient_stats()[0]
            >>> s["param"], s["layer"], s["shape"], s["weight_norm"], round(s["update_norm"], 4)
            ('0.weight', '0', [1, 1], 2.0, 0.03)
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
            >>> import optim
            >>> from autograd import Tensor
            >>> model = nn.Sequential(nn.Linear(1, 1))
            >>> model[0].weight.data[:] = 2.0; model[0].bias.data[:] = 0.5
            >>> stats = ParameterStats(model); opt = optim.SGD(model.parameters(), lr=0.01)
            >>> loss = model(Tensor([[3.0]])).sum(); loss.backward()       # grads 3 and 1
            >>> stats.step(opt, loss.item()); stats.layer_grad_norms()   # sqrt(3 ** 2 + 1 ** 2)
            [{'layer': '0', 'grad_norm': 3.1622776601683795}]
        """
        sums = {}
        for s in self.gradient_stats():
            if s["grad_norm"] is not None:
                sums[s["layer"]] = sums.get(s["layer"], 0.0) + s["grad_norm"] ** 2
        return [{"layer": k, "grad_norm": math.sqrt(v)} for k, v in sums.items()]

    def ratio_warnings(self, ratio_range=(1e-4, 1e-2)):
        """One message per parameter whose last update/weight ratio is outside ``ratio_range``.

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> model = nn.Sequential(nn.Linear(1, 1))
            >>> model[0].weight.data[:] = 2.0; model[0].bias.data[:] = 0.5
            >>> stats = ParameterStats(model); opt = optim.SGD(model.parameters(), lr=0.01)
            >>> loss = model(Tensor([[3.0]])).sum(); loss.backward()       # grads 3 and 1
            >>> stats.step(opt, loss.item())
            >>> for warning in stats.ratio_warnings(ratio_range=(1e-4, 0.018)): print(warning)
            param '0.bias': update/weight ratio 0.02 (rule of thumb ~1e-3): the learning rate is
            probably too high
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
