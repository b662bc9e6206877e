"""Plots that show the seed-to-seed spread: median curves with a min-max band, per-seed dots.

Figures are plain matplotlib Figures (no pyplot), saved through ``viz.save_figure`` (the
Agg canvas).

Example:
    >>> fig = figure(6, 4); ax = fig.subplots()
    >>> band(ax, [1, 2, 3], [[0.5, 0.4, 0.3], [0.6, 0.45, 0.2]], label="relu")
    >>> save(fig, out, "speed.png")
"""
import math

import numpy as np

import viz

__all__ = ["figure", "band", "strip", "save", "COLORS"]

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf",
          "#7f7f7f", "#bcbd22", "#e377c2"]


def figure(width, height):
    """A matplotlib Figure without pyplot (nothing global).

    Example:
        >>> ax = figure(5, 4).subplots()
    """
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), layout="constrained")


def band(ax, x, runs, label=None, color=None, marker=None):
    """The median over ``runs`` (one y list per seed, aligned with ``x``) and its min-max band.

    Runs may be shorter than ``x`` (a run that stopped early): each point uses the runs
    that reach it. Non-finite values are left out.

    Example:
        >>> band(ax, steps, [errors_seed0, errors_seed1, errors_seed2], label="tanh")
    """
    x = np.asarray(x, dtype=float)
    med, low, high, xs = [], [], [], []
    for i, xi in enumerate(x):
        values = [r[i] for r in runs if i < len(r) and r[i] is not None and math.isfinite(r[i])]
        if values:
            xs.append(xi)
            med.append(float(np.median(values)))
            low.append(min(values))
            high.append(max(values))
    line, = ax.plot(xs, med, label=label, color=color, marker=marker, markersize=3)
    ax.fill_between(xs, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    return line


def strip(ax, groups, ylabel=None, log=False, budget=None):
    """Per-seed dots with a median bar for each group (``{label: values}``).

    A value that is None or inf (not reached) is drawn at ``budget`` with an open marker.

    Example:
        >>> strip(ax, {"sigmoid": [900, 1000, None], "relu": [120, 130, 110]}, budget=1000)
    """
    for i, (label, values) in enumerate(groups.items()):
        vals = [math.inf if v is None else float(v) for v in values]
        finite = [v for v in vals if math.isfinite(v)]
        missing = len(vals) - len(finite)
        jitter = np.linspace(-0.12, 0.12, len(vals)) if len(vals) > 1 else [0.0]
        color = COLORS[i % len(COLORS)]
        ax.scatter([i + j for j, v in zip(jitter, vals) if math.isfinite(v)], finite,
                   color=color, s=18, zorder=3)
        if missing and budget is not None:
            ax.scatter([i] * missing, [budget] * missing, facecolors="none", edgecolors=color,
                       s=30, zorder=3)
        shown = finite + ([budget] * missing if budget is not None else [])
        if shown:
            ax.hlines(float(np.median(shown)), i - 0.25, i + 0.25, color=color, linewidth=2)
    ax.set_xticks(range(len(groups)), list(groups), rotation=20, fontsize=8)
    if log:
        ax.set_yscale("log")
    if budget is not None:
        ax.axhline(budget, color="#999999", linestyle=":", linewidth=1)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, axis="y")


def save(fig, out, name):
    """Save ``fig`` as ``out/name`` (PNG) and return the path as a string; None without ``out``.

    Example:
        >>> save(fig, "/tmp/run", "speed.png")
        '/tmp/run/speed.png'
    """
    if out is None:
        return None
    from pathlib import Path
    path = Path(out) / name
    viz.save_figure(fig, path)
    return str(path)
