"""Plots of a training run (matplotlib, Agg canvas, no pyplot state): each returns its Figure.

Pass ``path`` to also save it (the format follows the suffix: .png, .svg,
.pdf). Figures are made with ``matplotlib.figure.Figure`` directly (a subclass
that a notebook displays inline as a PNG), so nothing here changes pyplot's
backend or its list of open figures.
"""
import functools
import io
import math
from pathlib import Path

import numpy as np

from .stats import activation_stats, grad_flow

__all__ = ["plot_grad_flow", "plot_activations", "plot_curves", "plot_update_ratios",
           "save_figure"]


@functools.cache
def _figure_class():
    try:
        from matplotlib.figure import Figure as _Figure
    except ImportError:
        raise ImportError("viz plots need matplotlib: pip install matplotlib (or pip install "
                          "'chainrule[viz]')") from None

    class Figure(_Figure):
        """matplotlib's Figure that a notebook shows as a PNG without pyplot (``_repr_png_``)."""

        def _repr_png_(self):
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            buf = io.BytesIO()
            FigureCanvasAgg(self).print_png(buf)
            return buf.getvalue()

    return Figure


def _figure(width, height):
    return _figure_class()(figsize=(width, height), layout="constrained")


def save_figure(fig, path, dpi=100):
    """Save ``fig`` to ``path`` (format from the suffix) through the Agg canvas; returns Path.

    Example:
        >>> fig = plot_curves({"loss": [1.0, 0.5]})
        >>> save_figure(fig, "curves.png"), Path("curves.png").read_bytes()[:4]
        (PosixPath('curves.png'), b'\\x89PNG')
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    path = Path(path)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=dpi)
    return path


def _done(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_grad_flow(params, path=None):
    """Mean and max |grad| per parameter on a log scale: vanishing/exploding layers at a glance.

    ``params``: a Module or named parameters (see viz.stats.grad_flow).
    Parameters without a gradient, or with an all-zero one, are marked
    below the bars; NaN/Inf ones in red.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([[1.0, -2.0]], requires_grad=True); b = Tensor([0.5], requires_grad=True)
        >>> ((w * 3.0).sum() + b).backward()
        >>> fig = plot_grad_flow({"w": w, "b": b, "unused": Tensor([1.0], requires_grad=True)},
        ...                      "grad_flow.png")
        >>> [t.get_text() for t in fig.axes[0].get_xticklabels()], fig.axes[0].texts[0].get_text()
        (['w', 'b', 'unused'], 'no grad')
    """
    rows = grad_flow(params)
    if not rows:
        raise ValueError("plot_grad_flow: no parameters given")
    fig = _figure(max(6.0, 0.35 * len(rows) + 2), 4.0)
    ax = fig.add_subplot()
    x = np.arange(len(rows))
    means = np.array([r[1] if r[1] is not None else np.nan for r in rows])
    maxes = np.array([r[2] if r[2] is not None else np.nan for r in rows])
    good = np.isfinite(maxes) & (maxes > 0)
    ax.bar(x[good], maxes[good], color="#9ecae1", label="max |grad|")
    ax.bar(x[good], np.where(means[good] > 0, means[good], np.nan), width=0.5,
           color="#08519c", label="mean |grad|")
    ax.set_yscale("log")
    floor = np.nanmin(means[good][means[good] > 0]) if (good & (means > 0)).any() else 1e-12
    for i, (name, m, mx) in enumerate(rows):
        if m is None:
            ax.annotate("no grad", (i, floor), rotation=90, ha="center", va="bottom",
                        fontsize=7, color="gray")
        elif not math.isfinite(mx):
            ax.annotate("NaN/Inf", (i, floor), rotation=90, ha="center", va="bottom",
                        fontsize=7, color="red")
        elif mx == 0:
            ax.annotate("zero", (i, floor), rotation=90, ha="center", va="bottom",
                        fontsize=7, color="gray")
    ax.set_xticks(x, [r[0] for r in rows], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("|grad| (log scale)")
    ax.set_title("Gradient flow per parameter (input side on the left)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _done(fig, path)


def _groups(records, stats):
    """Records grouped by the module that holds them ("sigmoid.1" -> "sigmoid"), in order."""
    groups = {}
    for r, s in zip(records, stats):
        group, _, layer = r.name.rpartition(".")
        groups.setdefault(group, []).append((layer or r.name, r, s))
    return groups


def plot_activations(records, path=None, bins=None):
    """Small multiples: one histogram per activation layer, with the mean and std per layer.

    ``records``: viz.stats.record_activations(model, x). The lecture's
    weight-initialization figure (CS231n): the top row plots each layer's
    mean and standard deviation, input side on the left; below, one row of
    histograms per network (records named "net.3" are grouped by "net"), one
    panel per layer with its mean, std and % saturated / dead. With a good
    init every layer's histogram looks alike; with a bad one they collapse to
    0 or pile up at the ends.

    Example:
        >>> import nn
        >>> from autograd import Tensor
        >>> from viz.stats import record_activations
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh())
        >>> fig = plot_activations(record_activations(model, Tensor(np.ones((16, 2)))),
        ...                        "activations.png")
        >>> [ax.get_title() for ax in fig.axes]
        ['Activation mean per layer', 'Activation std per layer', '1: Tanh', '3: Tanh']
    """
    if not records:
        raise ValueError("plot_activations: no activations recorded (does the model have "
                         "activation layers? see record_activations(layer_types=...))")
    stats = activation_stats(records)
    groups = _groups(records, stats)
    cols = max(len(g) for g in groups.values())
    fig = _figure(max(7.0, 1.45 * cols + 1.0), 2.6 + 1.75 * len(groups))
    grid = fig.add_gridspec(1 + len(groups), cols, height_ratios=[1.4] + [1.0] * len(groups))
    half = max(1, cols // 2)
    mean_ax = fig.add_subplot(grid[0, :half])
    std_ax = fig.add_subplot(grid[0, half:] if cols > 1 else grid[0, :])
    for k, (group, layers) in enumerate(groups.items()):
        x = np.arange(1, len(layers) + 1)
        label = group or "model"
        mean_ax.plot(x, [s["mean"] for _, _, s in layers], marker="o", markersize=3,
                     color=f"C{k}", label=label)
        std_ax.plot(x, [s["std"] for _, _, s in layers], marker="o", markersize=3,
                    color=f"C{k}", label=label)
        row_axes = []
        finite = [v[np.isfinite(v)] for v in (np.asarray(r.values, dtype=np.float64).ravel()
                                               for _, r, _ in layers)]
        # one x range per row (compare layers at a glance), without the far 0.5% tails
        lows = [np.percentile(v, 0.5) for v in finite if v.size]
        highs = [np.percentile(v, 99.5) for v in finite if v.size]
        span = (min(lows), max(highs)) if lows and max(highs) > min(lows) else None
        for j, (layer, r, s) in enumerate(layers):
            ax = fig.add_subplot(grid[1 + k, j], sharex=row_axes[0] if row_axes else None)
            row_axes.append(ax)
            values = finite[j]
            if values.size:
                n_bins = bins or int(min(40, max(10, np.sqrt(values.size))))
                ax.hist(values, bins=n_bins, range=span, color=f"C{k}", alpha=0.85)
            text = f"mean {s['mean']:+.2f}\nstd {s['std']:.2f}"
            for key, short in (("saturated", "sat"), ("dead", "dead")):
                if s[key] is not None:
                    text += f"\n{short} {100 * s[key]:.0f}%"
            ax.text(0.97, 0.95, text, transform=ax.transAxes, ha="right", va="top",
                    fontsize=6.5, bbox={"facecolor": "white", "alpha": 0.7, "pad": 1,
                                        "edgecolor": "none"})
            ax.set_title(f"{layer}: {s['kind']}", fontsize=8)
            ax.tick_params(labelsize=6.5)
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(label, fontsize=9)
    for ax, what in ((mean_ax, "mean"), (std_ax, "std")):
        ax.set_xlabel("activation layer (input side first)", fontsize=8)
        ax.set_ylabel(f"{what} of the outputs", fontsize=8)
        ax.set_title(f"Activation {what} per layer", fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    fig.suptitle("Activation statistics per layer (histograms of each layer's outputs)",
                 fontsize=10)
    return _done(fig, path)


_SKIP = ("epoch", "lr", "step")


def _split(key):
    for prefix, which in (("val_", "validation"), ("train_", "train")):
        if key.startswith(prefix):
            return key[len(prefix):], which
    return key, "train"


def _runs(history, op="plot_curves"):
    """{run name: history}, each history's metric values checked to be lists of numbers."""
    history = getattr(history, "history", history)
    if not hasattr(history, "items"):
        raise TypeError(f"{op}: history must be a dict name -> list of numbers (e.g. "
                        f"{{'loss': [...], 'val_loss': [...]}}), or a dict run name -> such a "
                        f"dict, got {type(history).__name__}")
    values = list(history.values())
    if values and all(hasattr(getattr(v, "history", v), "items") for v in values):
        runs = {str(k): getattr(v, "history", v) for k, v in history.items()}
    else:
        runs = {"": history}
    for run, hist in runs.items():
        for key, series in hist.items():
            if key not in _SKIP and not str(key).startswith("step_"):
                _check_series(op, run, key, series)
    return runs


def _check_series(op, run, key, series):
    where = f"history[{run!r}][{key!r}]" if run else f"history[{key!r}]"
    if isinstance(series, (str, bytes)) or not hasattr(series, "__len__"):
        raise TypeError(f"{op}: {where} must be a list of numbers, one per epoch, got "
                        f"{type(series).__name__} ({str(series)[:40]!r})")
    for i, v in enumerate(series):
        try:
            if isinstance(v, (str, bytes)):
                raise TypeError
            float(v)
        except (TypeError, ValueError):
            raise TypeError(f"{op}: {where}[{i}] is a {type(v).__name__} "
                            f"({str(v)[:40]!r}), not a number; history values must be lists "
                            f"of numbers, one per epoch (e.g. {{'loss': [0.9, 0.5]}})") from None


def _per_epoch(hist):
    """The metric keys of a history: not epoch/lr/step_*, and (when the history has an
    ``epoch`` list) as long as it, which leaves out fit's per-step records."""
    epochs = len(hist["epoch"]) if "epoch" in hist else None
    return [k for k, v in hist.items() if k not in _SKIP and not k.startswith("step_")
            and (epochs is None or len(v) == epochs)]


def _series(history):
    """{metric: {run: {split: values}}} over the per-epoch keys of each run."""
    groups = {}
    for run, hist in _runs(history).items():
        for key in _per_epoch(hist):
            values = [float(v) for v in hist[key]]
            if not values:
                continue
            base, split = _split(key)
            groups.setdefault(base, {}).setdefault(run, {})[split] = values
    return groups


def _title(base):
    return base.replace("_", " ").capitalize()


def plot_curves(history, path=None):
    """Loss and accuracy (and any other metric) per epoch: one panel each, runs on shared axes.

    ``history``: a dict of per-epoch lists such as ``{"train_loss": [...],
    "val_loss": [...], "train_accuracy": [...]}`` (a "val_" prefix marks
    validation, "train_" or none training; ``epoch``, ``lr`` and per-step
    records such as ``step_loss`` are left out), an object with such a ``.history`` (fit's
    History), or a dict run name -> such a history to compare runs: every
    run is drawn on the same axes, one colour per run, training solid and
    validation dashed.

    Example:
        >>> relu, sigmoid = {"loss": [1.0, 0.4, 0.2]}, {"loss": [1.0, 0.8, 0.7]}
        >>> fig = plot_curves({"relu": relu, "sigmoid": sigmoid}, "curves.png")
        >>> fig.axes[0].get_title(), [line.get_label() for line in fig.axes[0].get_lines()]
        ('Loss per epoch: relu vs sigmoid', ['relu train', 'sigmoid train'])
        >>> history = {"train_loss": [1.0, 0.5], "val_loss": [1.1, 0.7],
        ...            "train_accuracy": [0.5, 0.8]}
        >>> [ax.get_title() for ax in plot_curves(history).axes]
        ['Loss per epoch', 'Accuracy per epoch']
    """
    groups = _series(history)
    if not groups:
        raise ValueError("plot_curves: history has no values")
    order = sorted(groups, key=lambda b: ("loss" not in b, "acc" not in b, b))
    fig = _figure(max(5.5, 5.0 * len(order)), 3.8)
    axes = fig.subplots(1, len(order), squeeze=False)[0]
    runs = list(dict.fromkeys(r for b in order for r in groups[b]))
    for ax, base in zip(axes, order):
        for run, splits in groups[base].items():
            color = f"C{runs.index(run)}"
            for split, values in splits.items():
                label = " ".join(p for p in (run, split) if p)
                ax.plot(np.arange(1, len(values) + 1), values, color=color,
                        linestyle="--" if split == "validation" else "-",
                        marker="o" if len(values) < 30 else None, markersize=3, label=label)
        values = [v for s in groups[base].values() for vs in s.values() for v in vs
                  if math.isfinite(v)]
        if "loss" in base and values and min(values) > 0 and max(values) > 10 * min(values):
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(_title(base) + (" (log scale)" if ax.get_yscale() == "log" else ""))
        ax.set_title(_title(base) + (" per epoch" if not runs[0] else
                                     " per epoch: " + " vs ".join(runs)))
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return _done(fig, path)


def plot_update_ratios(ratios, path=None, reference=1e-3):
    """log10 of ||update|| / ||weight|| per parameter over training, with a reference line.

    ``ratios``: a viz.stats.UpdateRatioTracker or its ``.ratios`` dict.

    Example:
        >>> fig = plot_update_ratios({"0.weight": [1e-3, 2e-3, 1e-2]}, "update_ratios.png")
        >>> fig.axes[0].get_lines()[0].get_ydata()            # log10 of each ratio
        array([-3.     , -2.69897, -2.     ])
    """
    ratios = getattr(ratios, "ratios", ratios)
    if not ratios:
        raise ValueError("plot_update_ratios: nothing recorded; call tracker.update() after "
                         "each optimizer step")
    fig = _figure(8.0, 3.8)
    ax = fig.add_subplot()
    for name, values in ratios.items():
        v = np.asarray(values, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            ax.plot(np.arange(1, len(v) + 1), np.log10(v), label=name)
    if reference:
        ax.axhline(math.log10(reference), color="black", linestyle="--", linewidth=1,
                   label=f"{reference:g}")
    ax.set_xlabel("step")
    ax.set_ylabel("log10(||update|| / ||weight||)")
    ax.set_title("Update / weight ratio per parameter")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return _done(fig, path)
