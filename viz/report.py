"""report: one self-contained HTML file for a training run.

Sections, always in this order and always present (a section whose data was
not given says so): Summary, Computation graph, Gradient flow, Activation
statistics, Training curves, Update/weight ratio. The computation graph is
viz.explore's interactive page (in an iframe) when the backward was recorded,
else a static picture (inline SVG); plots are PNG data URIs and the style
sheet is inline: the file makes no network request and can be mailed or
archived as it is.
"""
import base64
import datetime
import html
import io
import math
import re
from pathlib import Path

from autograd import Tensor
from optim.checks import describe_thresholds
from .digraph import draw_graph
from .explore import _write, explore
from .plots import (_per_epoch, _runs, _split, plot_activations, plot_curves, plot_grad_flow,
                    plot_update_ratios)
from .render import RendererNotFoundError, run_renderer, warn_no_renderer
from .stats import activation_stats, grad_flow

__all__ = ["report", "SECTIONS"]

SECTIONS = ("Summary", "Computation graph", "Gradient flow", "Activation statistics",
            "Training curves", "Update/weight ratio")

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1200px;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em;
                               margin-top: 1.6em; }
table { border-collapse: collapse; font-size: .9em; margin: .5em 0; }
td, th { border: 1px solid #ddd; padding: .3em .6em; text-align: left; vertical-align: top; }
thead th { background: #f3f3f3; } tbody th { background: #fafafa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.missing { color: #888; font-style: italic; } .note { color: #555; font-size: .92em; }
.findings li { margin: .25em 0; }
.graph svg { max-width: 100%; height: auto; }
img { max-width: 100%; } pre { background: #f7f7f7; padding: .5em; overflow: auto; }
nav a { margin-right: 1em; } caption { caption-side: bottom; text-align: left; color: #555;
                                       font-size: .85em; padding-top: .3em; }
"""


def _slug(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _png(fig, alt):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return (f'<img alt="{html.escape(alt)}" src="data:image/png;base64,'
            + base64.b64encode(buf.getvalue()).decode("ascii") + '">')


def _cell(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}" if math.isfinite(v) else str(v)
    return str(v)


def _table(headers, rows, caption=None):
    """A table with a header row; numbers right-aligned."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td{" class=num" if isinstance(c, (int, float)) else ""}>{html.escape(_cell(c))}</td>'
        for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _facts(rows):
    """A two-column table of facts: the row's name as its header cell, no header row."""
    body = "".join(f'<tr><th scope="row">{html.escape(str(k))}</th>'
                   f"<td>{html.escape(_cell(v))}</td></tr>" for k, v in rows)
    return f"<table><tbody>{body}</tbody></table>"


def _missing(what):
    return f'<p class="missing">Not recorded: {html.escape(what)}</p>'


def _inline_svg(svg):
    """The <svg> element alone: no XML declaration, DOCTYPE (an external DTD) or comments."""
    start = svg.find("<svg")
    return re.sub(r"<!--.*?-->", "", svg[start:], flags=re.S) if start >= 0 else ""


_EXPLORER_HELP = ("The graph as the engine ran it. Click a box's title to collapse a module, a "
                  "collapsed one to open it, a node to see its value and gradient; step through "
                  "the forward and backward passes with the arrow buttons (or the arrow keys). "
                  "Colours: mean |gradient| on a log scale, pale = small.")


def _graph_section(graph, model, record):
    if graph is None:
        return _missing("pass graph= (the loss Tensor, with record= its recorded backward; or a "
                        "Digraph from viz.draw_graph)")
    if record is not None and not hasattr(graph, "source"):
        page = explore(graph, params=model, record=record, max_nodes=80,
                       title="computation graph: " + ", ".join(
                           t.name or "loss" for t in ([graph] if isinstance(graph, Tensor)
                                                      else graph)))
        return f'<p class="note">{html.escape(_EXPLORER_HELP)}</p>' + page.iframe(660)
    g = graph if hasattr(graph, "source") else draw_graph(graph, params=model)
    try:
        svg = run_renderer(g, "svg").decode("utf-8")
    except RendererNotFoundError as e:
        warn_no_renderer("report: the graph section")
        return (f'<p class="missing">{html.escape(str(e))}</p>'
                f"<p>The graph's DOT source:</p><pre>{html.escape(g.source)}</pre>")
    spec = getattr(g, "spec", None)
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in (spec.notes if spec else []))
    hint = ("" if hasattr(graph, "source") else '<p class="note">A static picture: record the '
            "backward (<code>with autograd.record_backward() as rec: loss.backward()</code>) "
            "and pass <code>record=rec</code> for the interactive explorer.</p>")
    return hint + notes + f'<div class="graph">{_inline_svg(svg)}</div>'


def _runs_table(history):
    runs = _runs(history)
    columns = []                                   # (key, metric, split) in a readable order
    for hist in runs.values():
        for key in _per_epoch(hist):
            metric, split = _split(key)
            if (metric, split) not in [(m, s) for _, m, s in columns]:
                columns.append((key, metric, split))
    columns.sort(key=lambda c: ("loss" not in c[1], c[1], c[2] != "train"))
    if not columns:
        return ""
    names = {"train": "training", "validation": "validation"}
    headers = ["run", "epochs"] + [f"{names[split]} {metric}" for _, metric, split in columns]
    rows = []
    for run, h in runs.items():
        keys = _per_epoch(h)
        row = [run or "-", max((len(h[k]) for k in keys), default=0)]
        for _, metric, split in columns:
            key = next((k for k in keys if _split(k) == (metric, split)), None)
            row.append(float(h[key][-1]) if key and h[key] else None)
        rows.append(row)
    return _table(headers, rows, caption="Last epoch, as optim.fit recorded it: the training "
                  "figures are averages over the epoch's batches, taken while the weights "
                  "changed; validation figures are measured after the epoch.")


def _summary(model, history, summary, findings):
    out = ""
    if findings:
        out += "<h3>Findings</h3><ul class=\"findings\">" + "".join(
            f"<li>{html.escape(str(f))}</li>" for f in findings) + "</ul>"
    rows = [("created", datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))]
    if model is not None and hasattr(model, "named_parameters"):
        params = list(model.named_parameters())
        rows.append(("model", type(model).__name__))
        rows.append(("parameters", f"{sum(t.size for _, t in params):,} in {len(params)} tensors"))
    rows += list((summary or {}).items())
    out += "<h3>Run</h3>" + _facts(rows)
    if history:
        table = _runs_table(history)
        if table:
            out += "<h3>Training (per epoch)</h3>" + table
    return out


def _grad_flow_section(model, has_grads):
    if not has_grads:
        return _missing("pass model= after a backward() (no gradients)")
    flow = grad_flow(model)
    table = _table(["parameter", "shape", "mean |grad|", "max |grad|"],
                   [(n, str(tuple(t.shape)), fl[1], fl[2]) for (n, t), fl
                    in zip(model.named_parameters(), flow)])
    return (_png(plot_grad_flow(model), "gradient flow per parameter")
            + f"<details><summary>Per parameter ({len(flow)} tensors)</summary>{table}</details>")


def _activation_section(activations):
    if not activations:
        return _missing("pass activations=viz.record_activations(model, x)")
    pct = lambda v: None if v is None else f"{100 * v:.1f}%"     # noqa: E731
    table = _table(["layer", "kind", "mean", "std", "saturated", "dead units"],
                   [(s["name"], s["kind"], s["mean"], s["std"], pct(s["saturated"]),
                     pct(s["dead"])) for s in activation_stats(activations)],
                   caption=describe_thresholds() + ".")
    return _png(plot_activations(activations), "activation histograms per layer") + table


def _figure_section(make, data, what, alt):
    if data is None:
        return _missing(what)
    return _png(make(data), alt)


def report(path, *, model=None, graph=None, record=None, history=None, activations=None,
           update_ratios=None, summary=None, findings=None, title="chainrule training report"):
    """Write one self-contained HTML report of a training run to ``path``; returns the Path.

    - ``model``: the nn.Module (parameter table, gradient flow, names in the graph);
    - ``graph``: the loss Tensor (or a list of them) with ``record``, its
      backward recorded by ``autograd.record_backward()``: the section is then
      viz.explore's interactive page. A Tensor without a record is drawn with
      ``draw_graph(graph, params=model)``, and a Digraph (``viz.draw_graph``'s,
      or any graphviz graph, e.g. torchviz's) as it is, as static SVG;
    - ``history``: per-epoch lists (``train_loss``, ``val_loss``,
      ``train_accuracy``...; optim.fit's History), or a dict run name -> such
      a history, to compare runs on shared axes;
    - ``activations``: ``viz.record_activations(model, x)``;
    - ``update_ratios``: a ``viz.UpdateRatioTracker`` (or its ``.ratios``);
    - ``summary``: extra rows for the summary's facts table (dict name -> text);
    - ``findings``: sentences shown first in the summary (e.g. an experiment's verdicts).

    Every section is written; one without data says what to pass. Without a
    Graphviz renderer a static graph section holds the DOT source and a
    warning is issued.

    Example:
        >>> import autograd, nn
        >>> model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
        >>> loss = (model(Tensor([[1.0, 2.0], [3.0, -1.0]])) ** 2).mean()
        >>> with autograd.record_backward() as rec:
        ...     loss.backward()
        >>> path = report("run.html", model=model, graph=loss, record=rec,
        ...               history={"train_loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6]})
        >>> page = path.read_text(); path, re.findall(r"<h2>(.*?)</h2>", page)
        (PosixPath('run.html'), ['Summary', 'Computation graph', 'Gradient flow',
         'Activation statistics', 'Training curves', 'Update/weight ratio'])
        >>> re.findall(r"pass (\\w+)=", page)                    # the sections given no data
        ['activations', 'update_ratios']
    """
    if graph is not None and not isinstance(graph, (Tensor, list, tuple)) \
            and not hasattr(graph, "source"):
        raise TypeError(f"report: graph must be a Tensor (the loss) or a graphviz Digraph, "
                        f"got {type(graph).__name__}")
    if history is not None:
        _runs(history, "report")             # checked before anything is drawn or written
    has_grads = model is not None and hasattr(model, "named_parameters") and any(
        t.grad is not None for _, t in model.named_parameters())
    bodies = {
        "Summary": _summary(model, history, summary, findings),
        "Computation graph": _graph_section(graph, model, record),
        "Gradient flow": _grad_flow_section(model, has_grads),
        "Activation statistics": _activation_section(activations),
        "Training curves": _figure_section(plot_curves, history or None,
                                           "pass history={'train_loss': [...], ...}",
                                           "loss and accuracy per epoch"),
        "Update/weight ratio": _figure_section(plot_update_ratios, update_ratios,
                                               "pass update_ratios=viz.UpdateRatioTracker(...)",
                                               "update/weight ratio per step"),
    }
    nav = " ".join(f'<a href="#{_slug(s)}">{html.escape(s)}</a>' for s in SECTIONS)
    sections = "\n".join(f'<section id="{_slug(s)}"><h2>{html.escape(s)}</h2>\n{bodies[s]}'
                         "</section>" for s in SECTIONS)
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n"
            f"<body><h1>{html.escape(title)}</h1><nav>{nav}</nav>\n{sections}\n</body></html>\n")
    return _write(Path(path), page)
