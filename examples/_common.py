"""Helpers shared by the example scripts: where a run writes, printing tables, saving results.

Example:
    >>> out = run_dir("deep_xor", None)              # runs/deep_xor-20240101-120000/
    >>> print(format_table(["a", "b"], [[1, 0.5]]))
"""
import argparse
import datetime
import json
import math
from pathlib import Path

__all__ = ["ROOT", "run_dir", "format_table", "save_json", "first_epoch", "plot_lines"]

ROOT = Path(__file__).resolve().parent.parent


def run_dir(name, out_dir=None):
    """The directory an example writes to (created): ``out_dir``, else ``runs/<name>-<time>/``.

    ``runs/`` is under the repository root and ignored by git.

    Example:
        >>> run_dir("deep_xor", "/tmp/xor").name
        'xor'
    """
    if out_dir is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out_dir = ROOT / "runs" / f"{name}-{stamp}"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        if value != 0 and math.isfinite(value) and not 1e-3 <= abs(value) < 1e5:
            return f"{value:.2e}"
        return f"{value:.4g}"
    return str(value)


def format_table(headers, rows):
    """A plain-text table: columns padded to their widest cell, floats to 4 significant digits.

    Example:
        >>> print(format_table(["act", "acc"], [["relu", 1.0], ["sigmoid", 0.535]]))
        act     | acc
        --------+------
        relu    | 1
        sigmoid | 0.535
    """
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def save_json(obj, path):
    """Write ``obj`` as indented JSON (NaN written as null); returns the Path.

    Example:
        >>> save_json({"accuracy": 1.0}, "results.json")
        PosixPath('results.json')
    """
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v
    path = Path(path)
    path.write_text(json.dumps(clean(obj), indent=2) + "\n", encoding="utf-8")
    return path


def first_epoch(values, threshold, above=True):
    """The first (1-based) epoch whose value reaches ``threshold`` (>=, or <= if not ``above``).

    None if no epoch does.

    Example:
        >>> first_epoch([0.5, 0.8, 0.95], 0.9)
        3
    """
    for i, v in enumerate(values):
        if (v >= threshold) if above else (v <= threshold):
            return i + 1
    return None


def plot_lines(panels, path, title=None):
    """Side-by-side line plots saved with viz.save_figure; returns the matplotlib Figure.

    ``panels``: a list of dicts with ``title``, ``xlabel``, ``ylabel``,
    ``lines`` ({label: (x, y)}) and optionally ``logy`` (bool) and ``ylim`` ((low, high)).

    Example:
        >>> plot_lines([{"title": "loss", "xlabel": "epoch", "ylabel": "loss",
        ...              "lines": {"relu": ([1, 2], [0.7, 0.3])}}], "loss.png")
    """
    from matplotlib.figure import Figure
    import viz

    fig = Figure(figsize=(5.5 * len(panels), 4.0), layout="constrained")
    for ax, panel in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        for label, (x, y) in panel["lines"].items():
            ax.plot(x, y, label=label, marker="o" if len(x) <= 12 else None, markersize=3)
        if panel.get("logy"):
            ax.set_yscale("log")
        if panel.get("ylim"):
            ax.set_ylim(*panel["ylim"])
        ax.set_title(panel["title"])
        ax.set_xlabel(panel["xlabel"])
        ax.set_ylabel(panel["ylabel"])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    viz.save_figure(fig, path)
    return fig


def cli(main, doc, name, tensorboard=False):
    """Run an example's ``main`` from the command line: ``--smoke``, ``--seed N``, ``--out DIR``
    (and ``--tensorboard DIR``, passed as ``main(tensorboard=DIR)``, with ``tensorboard=True``).

    Example:
        >>> if __name__ == "__main__":
        ...     cli(main, __doc__, "deep_xor")
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the reduced size CI runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None,
                        help=f"output directory (default runs/{name}-<time>)")
    if tensorboard:
        parser.add_argument("--tensorboard", metavar="DIR", default=None,
                            help="also log the run to TensorBoard in DIR (then: tensorboard "
                                 "--logdir DIR)")
    args = parser.parse_args()
    extra = {"tensorboard": args.tensorboard} if tensorboard else {}
    return main(smoke=args.smoke, seed=args.seed, out_dir=args.out, **extra)
