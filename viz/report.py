"""report: one self-contained HTML file for a training run.

Sections, always in this order and always present (a section whose data was
not given says so): Summary, Computation graph, Gradient flow, Activation
statistics, Training curves, Update/weight ratio. The graph is inline SVG,
plots are PNG data URIs, the style sheet is inline: the file makes no
network request and can be mailed or archived as it is.
"""
import base64
import datetime
import html
import io
import re
from pathlib import Path

from autograd import Tensor
from .digraph import draw_graph
from .plots import plot_activations, plot_curves, plot_grad_flow, plot_update_ratios
from .render import RendererNotFoundError, run_renderer, warn_no_renderer
from .stats import activation_stats, grad_flow

__all__ = ["report", "SECTIONS"]

SECTIONS = ("Summary", "Computation graph", "Gradient flow", "Activation statistics",
            "Training curves", "Update/weight ratio")

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .9em; }
td, th { border: 1px solid #ddd; padding: .25em .6em; text-align: left; }
th { background: #f3f3f3; } .missing { color: #888; font-style: italic; }
.graph { overflow: auto; max-height: 900px; border: 1px solid #eee; }
img { max-width: 100%; } pre { background: #f7f7f7; padding: .5em; overflow: auto; }
nav a { margin-right: 1em; }
"""


def _slug(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return ('<img alt="plot" src="data:image/png;base64,'
            + base64.b64encode(buf.getvalue()).decode("ascii") + '">')


def _table(headers, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _missing(what):
    return f'<p class="missing">Not recorded: {html.escape(what)}</p>'


def _inline_svg(svg):
    """The <svg> element alone: no XML declaration, DOCTYPE (an external DTD) or comments."""
    start = svg.find("<svg")
    return re.sub(r"<!--.*?-->", "", svg[start:], flags=re.S) if start >= 0 else ""


def _graph_section(graph, model):
    if graph is None:
        return _missing("pass graph= (the loss Tensor, or a Digraph from viz.draw_graph)")
    g = graph if hasattr(graph, "source") else draw_graph(graph, params=model)
    try:
        svg = run_renderer(g, "svg").decode("utf-8")
    except RendererNotFoundError as e:
        warn_no_renderer("report: the graph section")
        return (f'<p class="missing">{html.escape(str(e))}</p>'
                f"<p>The graph's DOT source:</p><pre>{html.escape(g.source)}</pre>")
    spec = getattr(g, "spec", None)
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in (spec.notes if spec else []))
    return notes + f'<div class="graph">{_inline_svg(svg)}</div>'


def _summary(model, history, summary):
    rows = [("created", datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))]
    if model is not None and hasattr(model, "named_parameters"):
        params = list(model.named_parameters())
        rows.append(("model", type(model).__name__))
        rows.append(("parameters", f"{sum(t.size for _, t in params):,} in {len(params)} tensors"))
    hist = getattr(history, "history", history) or {}
    for key, values in hist.items():
        values = list(values)
        if values:
            best = min(values) if "loss" in key else max(values)
            rows.append((key, f"final {values[-1]:.4g}, best {best:.4g} "
                              f"(of {len(values)} epochs)"))
    for key, value in (summary or {}).items():
        rows.append((key, value))
    out = _table(["", ""], rows)
    if model is not None and hasattr(model, "named_parameters"):
        out += "<h3>Parameters</h3>" + _table(
            ["name", "shape", "dtype", "mean |grad|"],
            [(n, tuple(t.shape), t.dtype, fl[1]) for (n, t), fl
             in zip(model.named_parameters(), grad_flow(model))])
    return out


def _figure_section(make, data, what):
    if data is None:
        return _missing(what)
    return _png(make(data))


def _activation_section(activations):
    if not activations:
        return _missing("pass activations=viz.record_activations(model, x)")
    table = _table(["layer", "kind", "mean", "std", "saturated", "dead"],
                   [(s["name"], s["kind"], s["mean"], s["std"], s["saturated"], s["dead"])
                    for s in activation_stats(activations)])
    return _png(plot_activations(activations)) + table


def report(path, *, model=None, graph=None, history=None, activations=None,
           update_ratios=None, summary=None, title="chainrule training report"):
    """Write one self-contained HTML report of a training run to ``path``; returns the Path.

    - ``model``: the nn.Module (parameter table, gradient flow, names in the graph);
    - ``graph``: the loss Tensor (drawn with ``draw_graph(graph, params=model)``;
      auto-collapsed when large) or a Digraph (``viz.draw_graph``'s, or any
      graphviz graph, e.g. torchviz's), rendered with viz's renderer lookup;
    - ``history``: dict of per-epoch lists (``loss``, ``val_loss``, ``accuracy``...);
    - ``activations``: ``viz.record_activations(model, x)``;
    - ``update_ratios``: a ``viz.UpdateRatioTracker`` (or its ``.ratios``);
    - ``summary``: extra rows for the summary table (dict).

    Every section is written; one without data says what to pass. Without a
    Graphviz renderer the graph section holds the DOT source and a warning is
    issued.

    Example:
        >>> viz.report("run.html", model=model, graph=loss, history=history,
        ...            activations=viz.record_activations(model, x), update_ratios=tracker)
    """
    if graph is not None and not isinstance(graph, (Tensor, list, tuple)) \
            and not hasattr(graph, "source"):
        raise TypeError(f"report: graph must be a Tensor (the loss) or a graphviz Digraph, "
                        f"got {type(graph).__name__}")
    has_grads = model is not None and hasattr(model, "named_parameters") and any(
        t.grad is not None for _, t in model.named_parameters())
    bodies = {
        "Summary": _summary(model, history, summary),
        "Computation graph": _graph_section(graph, model),
        "Gradient flow": _figure_section(plot_grad_flow, model if has_grads else None,
                                         "pass model= after a backward() (no gradients)"),
        "Activation statistics": _activation_section(activations),
        "Training curves": _figure_section(plot_curves, history or None,
                                           "pass history={'loss': [...], ...}"),
        "Update/weight ratio": _figure_section(plot_update_ratios, update_ratios,
                                               "pass update_ratios=viz.UpdateRatioTracker(...)"),
    }
    nav = " ".join(f'<a href="#{_slug(s)}">{html.escape(s)}</a>' for s in SECTIONS)
    sections = "\n".join(f'<section id="{_slug(s)}"><h2>{html.escape(s)}</h2>\n{bodies[s]}'
                         "</section>" for s in SECTIONS)
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n"
            f"<body><h1>{html.escape(title)}</h1><nav>{nav}</nav>\n{sections}\n</body></html>\n")
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
