"""TensorBoardCallback: log an ``optim.fit`` run to TensorBoard as it trains.

The measurements are optim.Diagnostics' (activation histograms, dead and
saturated fractions, gradient norms, update/weight ratios); this module only
writes them, with the fit's losses, metrics and learning rate, the weight and
gradient histograms and the model's graph, through a SummaryWriter.

Tags (``<name>`` is a parameter's dotted name, ``<layer>`` a module path):

- every epoch, at step = epoch (0-based): ``loss/train``, ``loss/val``,
  ``<metric>/train``, ``<metric>/val`` and ``lr`` (fit's epoch record);
- at each record point (every optimizer step with ``update_freq="step"``,
  at step = the step count; else every epoch, at step = epoch):
  histograms ``weights/<name>``, ``gradients/<name>``,
  ``activations/<layer>``; scalars ``update_ratio/<name>`` and
  ``grad_norm/<name>`` (with ``update_freq="epoch"``: the means over the
  epoch's steps), ``dead/<layer>`` and ``saturated/<layer>``;
- with ``update_freq="step"`` also ``step/loss``, ``step/lr`` (``step/lr_<i>``
  per param group when there are several) and ``step/grad_norm`` (fit's
  clipping norm, when clipping);
- once: the graph of the model's first training forward, the text ``model``
  (its repr) and ``optimizer``, and at the end ``diagnostics`` (the
  warnings of Diagnostics' report).
"""
import numpy as np
from tensorboard.compat.proto.summary_pb2 import Summary

from optim import Callback, Diagnostics
from . import summaries
from .writer import SummaryWriter

__all__ = ["TensorBoardCallback"]


def _code(text):
    return "\n".join("    " + line for line in str(text).splitlines())   # a markdown code block


def _mean(values):
    measured = [v for v in values if v is not None]     # None: not measured (no .grad); NaN stays
    return sum(measured) / len(measured) if measured else None


class TensorBoardCallback(Callback):
    """An ``optim.fit`` callback writing losses, metrics, lr, histograms, ratios and the graph.

    ``log_dir``: where to write (a SummaryWriter is opened at fit start and
    closed at fit end), or pass an open ``writer`` (flushed, not closed).
    ``update_freq``: "epoch" or "step", how often histograms and ratios are
    recorded (the module docstring lists every tag). ``histograms=False``
    skips the weight, gradient and activation histograms; ``graph=False``
    skips the graph; ``bins``: the histograms' bins (as ``add_histogram``).
    ``layers``: the modules whose outputs are histogrammed (optim.Diagnostics'
    default: every activation module). ``diagnostics``: an optim.Diagnostics
    of the same model that is already in fit's callbacks, before this one, to
    read instead of attaching a second one (its activation window is then
    its own: per epoch, also with ``update_freq="step"``).

    Everything one record point logs goes out as one event.

    Example:
        >>> import nn, optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
        >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=8)
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
        >>> history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=2,
        ...                     optimizer=optim.SGD(model.parameters(), lr=0.1),
        ...                     callbacks=[TensorBoardCallback("runs/moons")])
        >>> from tensorboard.backend.event_processing import event_accumulator   # TensorBoard's
        >>> acc = event_accumulator.EventAccumulator("runs/moons"); _ = acc.Reload()
        >>> [(e.step, round(e.value, 2)) for e in acc.Scalars("loss/train")]   # as history's
        [(0, 0.65), (1, 0.56)]
        >>> acc.Tags()["histograms"][:3]                 # then: tensorboard --logdir runs
        ['activations/1', 'weights/0.weight', 'weights/0.bias']
    """

    def __init__(self, log_dir=None, *, writer=None, update_freq="epoch", histograms=True,
                 graph=True, layers=None, bins=50, diagnostics=None):
        if log_dir is not None and writer is not None:
            raise ValueError("TensorBoardCallback: give log_dir or writer, not both")
        if writer is not None and not isinstance(writer, SummaryWriter):
            raise TypeError(f"TensorBoardCallback: writer must be a viz.SummaryWriter, got "
                            f"{type(writer).__name__}")
        if update_freq not in ("epoch", "step"):
            raise ValueError(f"TensorBoardCallback: update_freq must be 'epoch' or 'step', got "
                             f"{update_freq!r}")
        if diagnostics is not None and not isinstance(diagnostics, Diagnostics):
            raise TypeError(f"TensorBoardCallback: diagnostics must be an optim.Diagnostics, "
                            f"got {type(diagnostics).__name__}")
        if diagnostics is not None and layers is not None:
            raise ValueError("TensorBoardCallback: layers is for the Diagnostics this callback "
                             "attaches; a given diagnostics keeps its own layers")
        self.log_dir, self.writer, self._owns_writer = log_dir, writer, writer is None
        self.update_freq, self.histograms, self.graph = update_freq, histograms, graph
        self.layers, self.bins = layers, bins
        self.diagnostics, self._shared = diagnostics, diagnostics is not None
        self._graph_hook, self._grads = None, []

    # -- fit hooks ------------------------------------------------------------------

    def _check_shared(self, state):
        diag = self.diagnostics
        order = [id(cb) for cb in state.callbacks]
        if id(diag) not in order or id(self) not in order or \
                order.index(id(diag)) > order.index(id(self)):
            raise ValueError("TensorBoardCallback: the diagnostics given must be in fit's "
                             "callbacks before this callback: callbacks=[diag, tb]")
        if diag.model is not state.model:
            raise ValueError("TensorBoardCallback: the diagnostics given watch another model "
                             "than the one fit trains")

    def on_fit_start(self, state):
        """Open the writer, attach Diagnostics, log the model and optimizer, arm the graph."""
        if self._shared:
            self._check_shared(state)
        else:
            self.diagnostics = Diagnostics(state.model, layers=self.layers)
            self.diagnostics.on_fit_start(state)
        if self.writer is None:
            self.writer = SummaryWriter(self.log_dir)
        self._recorded = len(self.diagnostics.history["step"])   # entries already summarised
        self._batch = 0
        self._emit([summaries.text("model", _code(state.model)),
                    summaries.text("optimizer", _code(state.optimizer))], state.step)
        if self.graph:
            self._graph_hook = state.model.register_forward_hook(self._write_graph)

    def _write_graph(self, module, args, out):
        if not module.training or self._graph_hook is None:
            return
        self._graph_hook.remove()
        self._graph_hook = None
        roots = list(out) if isinstance(out, (tuple, list)) else [out]
        if all(hasattr(r, "grad_fn") for r in roots):
            self.writer.add_graph(roots, params=module)

    def on_epoch_start(self, state):
        """Start the epoch's window of activation statistics."""
        self._batch = 0
        if not self._shared:
            self.diagnostics.on_epoch_start(state)

    def _due(self, state):
        """Is this batch a record point (every step, or the epoch's last batch)?"""
        if self.update_freq == "step" or state.batches_per_epoch is None:
            return True
        return self._batch == state.batches_per_epoch - 1

    def on_before_optimizer_step(self, state):
        """Read the gradients (Diagnostics), and histogram them when this step is recorded."""
        if not self._shared:
            self.diagnostics.on_before_optimizer_step(state)
        if self.histograms and self._due(state):
            self._grads = [self._histogram(f"gradients/{name}", p.grad.data)
                           for name, p in state.model.named_parameters() if p.grad is not None]

    def on_batch_end(self, state, logs):
        """Measure the step's updates; with ``update_freq="step"`` write this step's record."""
        if not self._shared:
            self.diagnostics.on_batch_end(state, logs)
        self._batch += 1
        if self.update_freq != "step":
            return
        out = [summaries.scalar("step/loss", logs["loss"])]
        groups = state.optimizer.param_groups
        out += [summaries.scalar("step/lr" if len(groups) == 1 else f"step/lr_{i}", g["lr"])
                for i, g in enumerate(groups)]
        if logs.get("grad_norm") is not None:
            out.append(summaries.scalar("step/grad_norm", logs["grad_norm"]))
        self._emit(out + self._record(state), state.step)
        if not self._shared:
            self.diagnostics.reset()    # the next step's activations start a new window

    def on_epoch_end(self, state, logs):
        """Write the epoch's losses, metrics and lr (and its record with update_freq="epoch")."""
        if not self._shared:
            self.diagnostics.on_epoch_end(state, logs)
        out = []
        for key, value in logs.items():
            if key == "epoch" or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            split, _, metric = key.partition("_")
            out.append(summaries.scalar(f"{metric}/{split}" if split in ("train", "val") and
                                        metric else key, value))
        if self.update_freq == "epoch":
            out += self._record(state)
        self._emit(out, state.epoch)
        self.writer.flush()

    def on_fit_end(self, state):
        """Write Diagnostics' warnings, detach its hooks, flush (and close an owned writer)."""
        if self._graph_hook is not None:
            self._graph_hook.remove()
            self._graph_hook = None
        warnings = self.diagnostics.report()["warnings"]
        self._emit([summaries.text("diagnostics", "\n".join(f"- {w}" for w in warnings)
                                   or "no warnings")], state.step)
        if not self._shared:
            self.diagnostics.detach()
        if self._owns_writer:
            self.writer.close()
            self.writer = None
        else:
            self.writer.flush()

    # -- one record -----------------------------------------------------------------

    def _emit(self, parts, step):
        parts = [p for p in parts if p is not None]
        if parts:
            merged = Summary()
            for p in parts:
                merged.value.extend(p.value)
            self.writer.add_summary(merged, step)

    def _histogram(self, tag, values):
        a = np.asarray(values, dtype=np.float64)
        a = a[np.isfinite(a)]                   # a NaN weight shows in the loss and grad norms
        return summaries.histogram(tag, a, self.bins) if a.size else None

    def _record(self, state):
        """The summaries of one record point: ratios, grad norms, activations, histograms."""
        diag, out = self.diagnostics, []
        history = diag.history
        for name in history["update_ratio"]:
            for key in ("update_ratio", "grad_norm"):
                value = _mean(history[key][name][self._recorded:])
                if value is not None:
                    out.append(summaries.scalar(f"{key}/{name}", value))
        self._recorded = len(history["step"])
        for s in diag.activation_stats():
            out += [summaries.scalar(f"{key}/{s['layer']}", s[key])
                    for key in ("dead", "saturated") if s[key] is not None]
            counts = s["hist"]["counts"]
            if self.histograms and s["count"] and sum(counts):
                out.append(summaries.counts_histogram(
                    f"activations/{s['layer']}", counts, s["hist"]["edges"], sum(counts),
                    s["mean"], s["std"]))
        if self.histograms:
            out += [self._histogram(f"weights/{name}", p.data)
                    for name, p in state.model.named_parameters()]
            out += self._grads
        self._grads = []
        return out
