"""Plots of a training run (matplotlib, Agg canvas, no pyplot state): each returns its Figure.

Pass ``path`` to also save it (the format follows the suffix: .png, .svg,
.pdf). Figures are made with ``matplotlib.figure.Figure`` directly, so
nothing here changes pyplot's backend or its list of open figures.
"""
import math
from pathlib import Path

import numpy as np

from .stats import activation_stats, grad_flow

__all__ = ["plot_grad_flow", "plot_activations", "plot_curves", "plot_update_ratios",
           "save_figure"]


def _figure(width, height):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("viz plots need matplotlib: pip install matplotlib (or pip install "
                          "'chainrule[viz]')") from None
    return Figure(figsize=(width, height), layout="constrained")


def save_figure(fig, path, dpi=100):
    """Save ``fig`` to ``path`` (format from the suffix) through the Agg canvas; returns Path.

    Example:
        >>> save_figure(plot_curves(history), "curves.png")
        PosixPath('curves.png')
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
        >>> loss.backward(); fig = plot_grad_flow(model, "grad_flow.png")
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


def plot_activations(records, path=None, bins=None):
    """Histogram of each layer's outputs, with mean, std, % saturated and % dead in the legend.

    ``records``: viz.stats.record_activations(model, x). The lecture's
    weight-initialization picture: with a good init every layer's histogram
    looks alike; with a bad one they collapse to 0 or pile up at the ends.

    Example:
        >>> fig = plot_activations(record_activations(model, x), "activations.png")
    """
    if not records:
        raise ValueError("plot_activations: no activations recorded (does the model have "
                         "activation layers? see record_activations(layer_types=...))")
    stats = activation_stats(records)
    fig = _figure(9.0, 4.0)
    ax = fig.add_subplot()
    for r, s in zip(records, stats):
        values = np.asarray(r.values, dtype=np.float64).ravel()
        values = values[np.isfinite(values)]
        if not values.size:
            continue
        n_bins = bins or int(min(60, max(10, np.sqrt(values.size))))
        counts, edges = np.histogram(values, bins=n_bins, density=True)
        label = f"{s['name']} ({s['kind']}): mean {s['mean']:+.2f}, std {s['std']:.2f}"
        if s["saturated"] is not None:
            label += f", sat {100 * s['saturated']:.1f}%, dead {100 * s['dead']:.1f}%"
        ax.plot((edges[:-1] + edges[1:]) / 2, counts, label=label)
    ax.set_xlabel("activation value")
    ax.set_ylabel("density")
    ax.set_title("Activation distribution per layer")
    ax.legend(fontsize=7, loc="upper center")
    return _done(fig, path)


def _series(history):
    history = getattr(history, "history", history)
    if not hasattr(history, "items"):
        raise TypeError("plot_curves: history must be a dict name -> list of numbers (e.g. "
                        f"{{'loss': [...], 'val_loss': [...]}}), got {type(history).__name__}")
    groups = {}
    for key, values in history.items():
        values = [float(v) for v in values]
        if not values:
            continue
        base, split = key, "train"
        for prefix, which in (("val_", "validation"), ("train_", "train")):
            if key.startswith(prefix):
                base, split = key[len(prefix):], which
        groups.setdefault(base, {})[split] = values
    return groups


def plot_curves(history, path=None):
    """Loss and accuracy (and any other metric) per epoch: train vs validation, one panel each.

    ``history``: a dict of lists such as ``{"loss": [...], "val_loss": [...],
    "accuracy": [...], "val_accuracy": [...]}`` (a "val_" prefix marks
    validation), or an object with such a ``.history``.

    Example:
        >>> fig = plot_curves({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, "curves.png")
    """
    groups = _series(history)
    if not groups:
        raise ValueError("plot_curves: history has no values")
    fig = _figure(5.0 * len(groups), 3.6)
    axes = fig.subplots(1, len(groups), squeeze=False)[0]
    for ax, (base, splits) in zip(axes, sorted(groups.items(), key=lambda kv: "loss" not in kv[0])):
        for split, values in splits.items():
            ax.plot(np.arange(1, len(values) + 1), values, marker="o" if len(values) < 30 else None,
                    markersize=3, label=split)
        values = [v for s in splits.values() for v in s if math.isfinite(v)]
        if "loss" in base and values and min(values) > 0 and max(values) > 10 * min(values):
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(base)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return _done(fig, path)


def plot_update_ratios(ratios, path=None, reference=1e-3):
    """log10 of ||update|| / ||weight|| per parameter over training, with a reference line.

    ``ratios``: a viz.stats.UpdateRatioTracker or its ``.ratios`` dict.

    Example:
        >>> fig = plot_update_ratios(tracker, "update_ratios.png")
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
