"""optim.checks.diagnostics: what the lecture says to watch while training, measured through hooks.

``Diagnostics(model)`` puts forward hooks on the model's activation modules
and reads the parameters' gradients and updates around each optimizer step.
Use it inside ``optim.fit`` (it is a Callback) or standalone::

    diag = Diagnostics(model)                  # hooks attached
    loss_fn(model(x), y).backward()
    diag.step(optimizer)                       # grads, optimizer.step(), updates
    diag.report()                              # plain data, see below

Everything it returns is plain JSON-serialisable data (dicts, lists, floats,
None where a number does not apply), for viz plots and the HTML report:

- ``activation_stats()``: one dict per hooked layer, over the forwards since
  the last ``reset()`` (in fit: over the current epoch's training batches)::

      {"layer": "3", "type": "ReLU", "batches": 12, "count": 24576,
       "mean": 0.41, "std": 0.62,
       "saturated": None,      # sigmoid/tanh: fraction of outputs within eps of
                               # an asymptote (s < eps or s > 1-eps; |t| > 1-eps)
       "dead": 0.0,            # ReLU family: fraction of units never > 0
                               # (both: optim.checks.measures, with the thresholds
                               # of nn.activation.ACTIVATION_THRESHOLDS)
       "units": 64,            # units per sample (features, or channel x position)
       "hist": {"counts": [...], "edges": [...]}}   # len(edges) == len(counts) + 1

- ``gradient_stats()``: one dict per parameter, from the last step::

      {"param": "0.weight", "layer": "0", "shape": [64, 2],
       "grad_norm": 0.12, "grad_mean_abs": 0.004,      # None without a .grad
       "weight_norm": 5.3,                             # before the step
       "update_norm": 0.0051, "update_ratio": 9.6e-4}  # ||p_after - p_before|| / ||p_before||

- ``layer_grad_norms()``: ``[{"layer": "0", "grad_norm": ...}, ...]``, the
  norm over each module's own parameters.
- ``history``: per step ``{"step": [...], "loss": [...], "grad_norm": {param:
  [...]}, "update_ratio": {param: [...]}}`` and ``epochs``: per epoch of fit
  ``{"epoch": e, "layers": activation_stats(), "params": gradient_stats()}``.
- ``report()``: ``{"layers": ..., "params": ..., "layer_grad_norms": ...,
  "gradient_trend": ..., "warnings": [str, ...]}``; a warning names a layer
  with at least ``dead_threshold`` dead units or ``saturated_threshold``
  saturated outputs, gradients that vanish (or explode) layer by layer on
  the way back to the input, and a parameter whose update/weight ratio is
  outside ``ratio_range`` (the rule of thumb is about 1e-3: far above, the
  learning rate is too high; far below, too low, unless the gradient
  vanishes before it reaches that layer: then that is the cause, and the
  warning says so instead of blaming the learning rate).
- ``gradient_trend``: ``{"trend": "vanishing" | "exploding" | None,
  "params": [weight names, input side first], "grad_norms": [their mean
  gradient norm over the recorded steps], "ratio": first / last}``.

Loss-curve verdicts and NaN hunting are in optim.checks.loss_curve.
"""
import math

import numpy as np

import nn
from ..training.callbacks import Callback
from .activation_stats import ActivationStats
from .measures import activation_kind, gradient_trend
from .parameter_stats import ParameterStats

__all__ = ["Diagnostics"]


class Diagnostics(ParameterStats, Callback):
    """Activation, gradient and update statistics of a model, via hooks; an ``optim.fit`` Callback.

    The gradient and update side (``record_gradients``, ``step``,
    ``gradient_stats``, ``history``...) is inherited from ParameterStats.

    ``layers``: the modules to hook, as dotted names (``named_modules``) or
    Module objects; by default every activation module (Sigmoid, Tanh, ReLU,
    LeakyReLU, PReLU, ELU, GELU, SiLU), or every leaf module when the model
    has none. Forwards in eval mode (fit's validation pass) are not counted
    unless ``include_eval=True``. ``eps``: how close to an asymptote counts
    as saturated (None: each activation's margin in
    ``nn.activation.ACTIVATION_THRESHOLDS``, 0.01 for sigmoid and tanh).
    ``bins``/``hist_samples``: histogram size and how many
    output values per layer feed it (a uniform sample, drawn with ``seed``).
    With ``stop_on_divergence=True`` inside fit, a NaN loss or one above 3x
    the first step's loss sets ``state.stop_training``. The module docstring
    documents the data format.

    Example:
        >>> import optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)
        >>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
        >>> _ = nn.init.constant_(model[0].bias, -10.0)                 # every ReLU dies
        >>> diag = Diagnostics(model)
        >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=20)
        >>> history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=2,
        ...                     optimizer=optim.SGD(model.parameters(), lr=0.1), callbacks=[diag])
        >>> diag.report()["warnings"][0]
        "layer '1' (ReLU): 100% of units never active (dead ReLUs) over 3 batches: check ..."
        >>> len(diag.epochs), diag.epochs[-1]["layers"][0]["dead"]
        (2, 1.0)
    """

    def __init__(self, model, layers=None, eps=None, bins=50, hist_samples=10000,
                 include_eval=False, dead_threshold=0.25, saturated_threshold=0.25,
                 ratio_range=(1e-4, 1e-2), stop_on_divergence=False, seed=0):
        ParameterStats.__init__(self, model)
        if eps is not None and not 0 < eps < 0.5:
            raise ValueError(f"Diagnostics: eps must be None or in (0, 0.5), got {eps!r}")
        if len(ratio_range) != 2 or not 0 <= ratio_range[0] < ratio_range[1]:
            raise ValueError(f"Diagnostics: ratio_range must be (low, high) with 0 <= low < "
                             f"high, got {ratio_range!r}")
        self.model, self.include_eval = model, bool(include_eval)
        self.dead_threshold, self.saturated_threshold = dead_threshold, saturated_threshold
        self.ratio_range, self.stop_on_divergence = tuple(ratio_range), stop_on_divergence
        rng = np.random.default_rng(seed)
        self._layers = [(m, ActivationStats(name, m, eps, bins, hist_samples, rng))
                        for name, m in self._select(layers)]
        self._handles, self.epochs, self._first_loss = [], [], None
        self.attach()

    def _select(self, layers):
        named = [(name or type(m).__name__, m) for name, m in self.model.named_modules()]
        if layers is None:
            chosen = [(n, m) for n, m in named if activation_kind(m) is not None]
            return chosen or [(n, m) for n, m in named if not list(m.children())]
        by_name, by_id = dict(named), {id(m): n for n, m in named}
        chosen = []
        for item in layers:
            if isinstance(item, nn.Module) and id(item) in by_id:
                chosen.append((by_id[id(item)], item))
            elif isinstance(item, str) and item in by_name:
                chosen.append((item, by_name[item]))
            else:
                raise ValueError(f"Diagnostics: layer {item!r} is not a submodule of the model; "
                                 f"pass names from model.named_modules(): {list(by_name)}")
        return chosen

    # -- hooks ----------------------------------------------------------------------

    def attach(self):
        """Register the forward hooks (the constructor does); returns self.

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)
            >>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
            >>> diag = Diagnostics(model)
            >>> diag.detach(); out = model(Tensor(X)); diag.activation_stats()[0]["batches"]
            0
            >>> diag = diag.attach(); out = model(Tensor(X)); diag.activation_stats()[0]["batches"]
            1
        """
        if not self._handles:
            for module, stats in self._layers:
                self._handles.append(module.register_forward_hook(self._hook(module, stats)))
        return self

    def detach(self):
        """Remove the forward hooks; the statistics gathered so far stay readable.

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)
            >>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
            >>> diag = Diagnostics(model)
            >>> out = model(Tensor(X)); diag.detach(); out = model(Tensor(X))
            >>> diag.activation_stats()[0]["batches"]           # the stats stay, counting stops
            1
        """
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self):
        return self.attach()

    def __exit__(self, *exc):
        self.detach()

    def _hook(self, hooked, stats):
        # A plain closure, not a bound method, so a deep copy of the model does not copy self;
        # the copy keeps the hook, so outputs of modules other than `hooked` are ignored.
        def hook(module, args, out):
            if module is hooked and (module.training or self.include_eval) and hasattr(out,
                                                                                  "data"):
                stats.add(out.data)
        return hook

    def reset(self):
        """Start a new window of activation statistics (fit does at each epoch start).

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)
            >>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
            >>> diag = Diagnostics(model)
            >>> out = model(Tensor(X)); out = model(Tensor(X)); diag.reset(); out = model(Tensor(X))
            >>> diag.activation_stats()[0]["batches"]
            1
        """
        for _, stats in self._layers:
            stats.reset()

    # -- reading --------------------------------------------------------------------

    def activation_stats(self):
        """Per-layer statistics of the outputs seen since the last reset (format: module doc).

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)
            >>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
            >>> diag = Diagnostics(model)
            >>> _ = nn.init.constant_(model[0].bias, -10.0); out = model(Tensor(X))
            >>> [(s["layer"], s["type"], s["count"], s["dead"]) for s in diag.activation_stats()]
            [('1', 'ReLU', 960, 1.0)]
        """
        return [stats.stats() for _, stats in self._layers]

    def report(self):
        """Activations, gradients and the warnings they raise, as plain data.

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> _ = nn.manual_seed(0)
            >>> layers = [m for _ in range(6) for m in (nn.Linear(8, 8), nn.Sigmoid())]
            >>> model = nn.Sequential(*layers, nn.Linear(8, 2))     # 6 sigmoids deep
            >>> diag = Diagnostics(model)
            >>> x = Tensor(np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32))
            >>> loss = nn.CrossEntropyLoss()(model(x), np.arange(16) % 2); loss.backward()
            >>> diag.step(optim.SGD(model.parameters(), lr=0.1), loss.item())
            >>> report = diag.report(); sorted(report)
            ['gradient_trend', 'layer_grad_norms', 'layers', 'params', 'warnings']
            >>> report["warnings"][0][:67]
            'vanishing gradients: the weight-gradient norm falls layer by layer '
        """
        layers, params = self.activation_stats(), self.gradient_stats()
        warnings = []
        for s in layers:
            where = f"layer '{s['layer']}' ({s['type']})"
            if s["dead"] is not None and s["dead"] >= self.dead_threshold:
                warnings.append(f"{where}: {s['dead']:.0%} of units never active (dead ReLUs) "
                                f"over {s['batches']} batches: check the bias and the "
                                "initialization (He), lower the learning rate, or use Leaky ReLU")
            if s["saturated"] is not None and s["saturated"] >= self.saturated_threshold:
                warnings.append(f"{where}: {s['saturated']:.0%} of outputs saturated: their "
                                "gradients vanish; use smaller initial weights (Xavier), batch "
                                "norm, or ReLU")
        trend = self.gradient_trend()
        ratio = self.ratio_warnings(self.ratio_range)
        if trend["trend"] == "vanishing":
            names, norms = trend["params"], trend["grad_norms"]
            warnings.append(
                f"vanishing gradients: the weight-gradient norm falls layer by layer on the way "
                f"back to the input, from {norms[-1]:.2g} ({names[-1]}) to {norms[0]:.2g} "
                f"({names[0]}), a factor {trend['ratio']:.1e}: the early layers barely learn. "
                "The cause is the network, not the learning rate: use ReLU-family "
                "activations, Xavier/He initialization, batch norm or residual connections")
            slow = [w for w in ratio if w.endswith("too low")]
            ratio = [w for w in ratio if not w.endswith("too low")]
            if slow:
                who = [w.split("'")[1] for w in slow]
                warnings.append(
                    f"{len(who)} parameters ({', '.join(who[:4])}{', ...' if len(who) > 4 else ''}"
                    f") update by less than {self.ratio_range[0]:g} of their norm per step "
                    "because their gradients vanish (above), not because the learning rate is "
                    "too low: a larger learning rate would blow up the output layers first")
        elif trend["trend"] == "exploding":
            names, norms = trend["params"], trend["grad_norms"]
            warnings.append(
                f"exploding gradients: the weight-gradient norm grows layer by layer on the way "
                f"back to the input, from {norms[-1]:.2g} ({names[-1]}) to {norms[0]:.2g} "
                f"({names[0]}): clip gradients (nn.utils.clip_grad_norm_), lower the initial "
                "weights or the learning rate")
        warnings += ratio
        return {"layers": layers, "params": params, "layer_grad_norms": self.layer_grad_norms(),
                "gradient_trend": trend, "warnings": warnings}

    def gradient_trend(self):
        """Do the weights' gradient norms vanish or explode towards the input? (see the
        module docstring for the format; norms are means over the recorded steps).

        Weights are the parameters with 2 or more dimensions, in the model's order
        (input side first).

        Example:
            >>> import optim
            >>> from autograd import Tensor
            >>> _ = nn.manual_seed(0)
            >>> layers = [m for _ in range(6) for m in (nn.Linear(8, 8), nn.Sigmoid())]
            >>> model = nn.Sequential(*layers, nn.Linear(8, 2))     # 6 sigmoids deep
            >>> diag = Diagnostics(model)
            >>> x = Tensor(np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32))
            >>> loss = nn.CrossEntropyLoss()(model(x), np.arange(16) % 2); loss.backward()
            >>> diag.step(optim.SGD(model.parameters(), lr=0.1), loss.item())
            >>> trend = diag.gradient_trend(); trend["trend"], trend["params"][:3]
            ('vanishing', ['0.weight', '2.weight', '4.weight'])
            >>> [f"{v:.0e}" for v in trend["grad_norms"]]       # input side first
            ['2e-06', '5e-06', '3e-05', '2e-04', '2e-03', '9e-03', '1e-01']
        """
        names, norms = [], []
        for name, p in self._params:
            values = [v for v in self.history["grad_norm"][name] if v is not None]
            if p.ndim >= 2 and values:
                names.append(name)
                norms.append(float(np.mean(values)))
        trend = gradient_trend(norms)
        ratio = norms[0] / norms[-1] if len(norms) >= 2 and norms[-1] > 0 else None
        return {"trend": trend, "params": names, "grad_norms": norms, "ratio": ratio}

    def to_dict(self):
        """Everything gathered: ``{"report": ..., "history": ..., "epochs": ...}``.

        Example:
            >>> import json
            >>> import optim
            >>> from autograd import Tensor
            >>> _ = nn.manual_seed(0); X, y = nn.data.spirals(20)
            >>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
            >>> diag = Diagnostics(model)
            >>> out = model(Tensor(X))
            >>> with open("diagnostics.json", "w") as f:
            ...     json.dump(diag.to_dict(), f)
            >>> with open("diagnostics.json") as f:
            ...     sorted(json.load(f))
            ['epochs', 'history', 'report']
        """
        return {"report": self.report(), "history": self.history, "epochs": self.epochs}

    # -- fit callback ---------------------------------------------------------------

    def on_fit_start(self, state):
        """Attach the hooks (again, if they were detached)."""
        self.attach()

    def on_epoch_start(self, state):
        """Start the epoch's window of activation statistics."""
        self.reset()

    def on_before_optimizer_step(self, state):
        """Read the gradients and remember the weights before the step."""
        self.record_gradients()
        self.snapshot_weights()

    def on_batch_end(self, state, logs):
        """Measure the updates; with ``stop_on_divergence``, stop on a NaN or exploding loss."""
        loss = logs["loss"]
        self.record_updates(loss)
        if self._first_loss is None:
            self._first_loss = loss
        if self.stop_on_divergence and (not math.isfinite(loss) or loss > 3 * self._first_loss):
            state.stop_training = True

    def on_epoch_end(self, state, logs):
        """Keep the epoch's activation and gradient statistics in ``epochs``."""
        self.epochs.append({"epoch": state.epoch, "layers": self.activation_stats(),
                            "params": self.gradient_stats()})
