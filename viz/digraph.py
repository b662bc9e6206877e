"""draw_graph: the picture of a backprop graph as a ``graphviz.Digraph``.

The returned object is a subclass of ``graphviz.Digraph`` whose rendering
(``pipe``, ``render``, the notebook's ``_repr_mimebundle_``/``_repr_svg_``)
goes through viz.render's lookup: system ``dot``, else ``graphviz-pure``.
It also carries ``.spec``, the GraphSpec it was drawn from.
"""
import itertools
from pathlib import Path

from .collapse import collapse_to_fit
from .colors import NONFINITE_COLOR, ColorScale
from .graph import build_graph
from .labels import format_number
from .render import RendererNotFoundError, run_renderer, warn_no_renderer

try:
    import graphviz
    _Base = graphviz.Digraph
except ImportError:          # the graph walk (viz.graph) works without it
    graphviz = None
    _Base = object

__all__ = ["Digraph", "draw_graph", "to_digraph"]

# Past this many nodes the picture caps dot's network-simplex iterations (nslimit=1). With
# clusters, dot 2.43 took 217 s to lay out a 4,200-node scalar-MLP graph uncapped; capped,
# the 5,500-node one takes 14 s (benchmarks/bench_viz.py). Small pictures never hit the cap.
LARGE = 300


class Digraph(_Base):
    """A ``graphviz.Digraph`` that renders with the system ``dot`` or with ``graphviz-pure``.

    Example:
        >>> from autograd import Tensor
        >>> g = draw_graph(Tensor(2.0, requires_grad=True, name="a") * 3)
        >>> g.spec, g.pipe(format="svg")[:5]              # or g.render("graph", format="png")
        (GraphSpec(3 nodes, 2 edges), b'<?xml')
    """

    spec = None

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False,
             *, engine=None, encoding=None):
        """The rendered graph as bytes (str when ``encoding`` is given), as graphviz's pipe.

        Example:
            >>> from autograd import Tensor
            >>> g = draw_graph(Tensor(2.0, requires_grad=True) * 3)
            >>> g.pipe(format="svg", encoding="utf-8")[:5]
            '<?xml'
        """
        flag = ":".join(f for f in (format or self.format, renderer, formatter) if f)
        if neato_no_op:
            raise ValueError("pipe: neato_no_op is not supported here; use engine='neato'")
        out = run_renderer(self, flag, engine or self.engine)
        return out.decode(encoding) if encoding else out

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None,
               renderer=None, formatter=None, neato_no_op=None, quiet=False, quiet_view=False,
               *, outfile=None, engine=None, raise_if_result_exists=False,
               overwrite_source=False):
        """Save the source to ``filename`` and render it next to it; returns the output path.

        As graphviz's render: the output is ``<filename>.<format>`` unless
        ``outfile`` is given (its suffix then sets the format). Without a
        renderer the source is still saved and RendererNotFoundError says how
        to install one.

        Example:
            >>> from autograd import Tensor
            >>> g = draw_graph(Tensor(2.0, requires_grad=True) * 3)
            >>> g.render("mul", format="svg")
            'mul.svg'
            >>> sorted(p.name for p in Path().iterdir())       # the DOT source and the picture
            ['mul', 'mul.svg']
        """
        if outfile is not None:
            format = format or Path(outfile).suffix.lstrip(".") or self.format
        format = format or self.format
        source_path = Path(self.save(filename, directory=directory))
        out = Path(outfile) if outfile is not None else source_path.with_name(
            f"{source_path.name}.{format}")
        if raise_if_result_exists and out.exists():
            raise FileExistsError(f"render: output file exists: {out}")
        try:
            data = self.pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine)
        except RendererNotFoundError as e:
            raise RendererNotFoundError(f"{e}; the graph's source is saved in {source_path}",
                                        source_path) from None
        out.write_bytes(data)
        if cleanup:
            source_path.unlink()
        if view:
            self._view(out, format=format, quiet=quiet_view)
        return str(out)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except RendererNotFoundError:
            warn_no_renderer("notebook display of the graph")
            return {"text/plain": self.source}

    def _repr_svg_(self):
        try:
            return self.pipe(format="svg", encoding="utf-8")
        except RendererNotFoundError:
            warn_no_renderer("notebook display of the graph")
            return None


def _escape(text, record=False):
    text = text.replace("\\", "\\\\")
    if record:
        for ch in "{}|<>":
            text = text.replace(ch, "\\" + ch)
        text = text or " "
    return text


def _label(lines, record):
    if record:
        return "|".join(_escape(line, True) for line in lines)
    return "\\n".join(_escape(line) for line in lines)


def _style(node, scale):
    if node.status == "nonfinite":
        return {"style": "filled,bold", "fillcolor": NONFINITE_COLOR, "color": "red",
                "penwidth": "3"}
    if scale is None or node.status not in ("ok", "zero"):
        return {}
    position = scale.position(node.magnitude)
    attrs = {"style": "filled", "fillcolor": scale.color(node.magnitude),
             "fontcolor": ColorScale.font_color(position)}
    if node.status == "zero":
        attrs["style"] = "filled,dashed"
    return attrs


def _tooltip(node, color_by):
    if node.kind == "tensor":
        t = node.tensor
        parts = [node.name or "", f"shape {tuple(t.shape)} {t.dtype}"]
        if node.magnitude is not None:
            parts.append(f"mean |{color_by}| {format_number(node.magnitude)}")
        return " ".join(p for p in parts if p)
    return node.scope or node.title


_SHAPES = {"op": "ellipse", "scope": "box3d", "more": "note"}


def _node_attrs(node, spec, rankdir):
    if node.kind == "tensor" and node.tensor.ndim == 0:
        label = _label(node.label, True)
        attrs = {"shape": "record",
                 "label": "{" + label + "}" if rankdir in ("LR", "RL") else label}
    else:
        attrs = {"shape": _SHAPES.get(node.kind, "box"), "label": _label(node.label, False)}
    if node.kind in ("tensor", "scope"):
        attrs.update(_style(node, spec.scale if spec.color_by else None))
    attrs["tooltip"] = _tooltip(node, spec.color_by or "grad")
    if node.id in spec.roots:
        attrs["penwidth"] = attrs.get("penwidth", "2")
    return {k: graphviz.nohtml(v) if k in ("label", "tooltip") else v for k, v in attrs.items()}


def _legend(spec):
    title = {"grad": "mean |grad|", "value": "mean |value|"}[spec.color_by]
    cells = []
    for m, color in spec.scale.ticks(5):
        font = ColorScale.font_color(spec.scale.position(m))
        cells.append(f'<td bgcolor="{color}"><font color="{font}">{m:.2g}</font></td>')
    cells.append(f'<td bgcolor="{NONFINITE_COLOR}">NaN/Inf</td>')
    if spec.color_by == "grad":
        cells.append('<td bgcolor="white">no grad</td>')
    return (f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="4">'
            f'<tr><td colspan="{len(cells)}">{title} (log scale)</td></tr>'
            f'<tr>{"".join(cells)}</tr></table>>')


def _emit(g, scope, tree, direct, spec, rankdir, counter):
    for nid in direct.get(scope, ()):
        g.node(nid, **_node_attrs(spec.nodes[nid], spec, rankdir))
    for child in tree.get(scope, ()):
        with g.subgraph(name=f"cluster_{next(counter)}") as c:
            c.attr(label=graphviz.nohtml(_escape(spec.scope_title(child))), style="rounded",
                   color="gray50", fontcolor="gray30", tooltip=graphviz.nohtml(child))
            _emit(c, child, tree, direct, spec, rankdir, counter)


def to_digraph(spec, rankdir="LR", legend=True):
    """Lay a GraphSpec out as a Digraph: clusters for scopes, colours, legend and notes.

    Example:
        >>> from autograd import Tensor
        >>> spec = build_graph(Tensor(2.0, requires_grad=True, name="a") * 2)
        >>> print(*to_digraph(spec, rankdir="TB", legend=False).body, sep="")
            n0 [label=" |data 4.0000|grad -|float32" penwidth=2 shape=record
                tooltip="shape () float32"]
            n1 [label="mul\\nb=2" shape=ellipse tooltip=mul]
            n2 [label="a|data 2.0000|grad -|float32" shape=record tooltip="a shape () float32"]
            n2 -> n1
            n1 -> n0
    """
    if graphviz is None:
        raise ImportError("draw_graph needs the graphviz Python package: pip install graphviz "
                          "(or pip install 'chainrule[viz]', which also installs the "
                          "graphviz-pure renderer)")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "11"}
    if len(spec.nodes) > LARGE:
        graph_attr["nslimit"] = "1"
    g = Digraph(name="autograd", format="svg", graph_attr=graph_attr,
                node_attr={"fontname": "Helvetica", "fontsize": "10"},
                edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    direct = spec.clusters()
    direct[""] = [n.id for n in spec.nodes.values() if not n.scope]
    tree = {}
    for scope in direct:
        if scope:
            tree.setdefault(scope.rpartition("/")[0], []).append(scope)
    _emit(g, "", tree, direct, spec, rankdir, itertools.count())
    for e in spec.edges:
        if e.label is None:
            g.edge(e.src, e.dst)
        else:
            g.edge(e.src, e.dst, label=graphviz.nohtml(e.label))
    if legend and spec.color_by and spec.scale is not None:
        g.node("legend", label=_legend(spec), shape="plaintext")
    if spec.notes:
        g.attr(label=graphviz.nohtml("\\n".join(_escape(n) for n in spec.notes)),
               labelloc="t", labeljust="l", fontcolor="firebrick")
    g.spec = spec
    return g


def draw_graph(root, *, params=None, show_values=True, show_grads=True, color_by="grad",
               collapse=None, max_nodes=500, rankdir="LR", edge_grads=False, legend=True):
    """Draw the graph behind ``root`` (a Tensor, or a list) as a ``graphviz.Digraph``.

    - A node per tensor: its name (from ``params``: a Module, whose
      ``named_parameters()`` name the parameters, or a dict name -> Tensor;
      else ``Tensor.name``; else, for a Parameter, the attribute its Module
      registered it under, "weight", drawn in that module's cluster), then for
      a 0-d tensor its value and gradient (micrograd's draw_dot) and dtype; for
      an array its shape and dtype,
      mean/std, min/max and the gradient's L2 norm. ``show_values`` /
      ``show_grads`` switch those lines off.
    - A node per op (``mul``, ``matmul``, ``relu``, ``linear``, ...) with
      its constant arguments (``b=0.5``, ``axis=1``).
    - Name scopes and Modules as nested clusters; ``collapse="module"``
      draws each innermost scope as one node, ``collapse=k`` each scope at
      depth k. Past ``max_nodes`` nodes (None: no limit) the picture is
      collapsed automatically and a note on it says so.
    - ``color_by="grad"`` fills tensors by mean |grad| on a log scale (pale:
      smallest in the picture, dark: largest; legend included), NaN/Inf in
      magenta with a red border, no gradient in white; "value" colours by
      mean |value|, None not at all. Only leaves keep gradients: call
      ``viz.retain_grads(root)`` before ``backward()`` to colour every node.
    - ``edge_grads=True``: each edge between 0-d tensors is labelled with the
      op's local derivative, times the upstream gradient when the op's
      output kept its ``.grad`` (see viz.edgegrad for how it is computed).

    Large graphs: dot's layout time grows fast with the number of nodes and
    with long edges (a parameter used both in its layer and in a sum over
    all parameters far away, e.g. an L2 term written as a Python loop).
    Pictures of more than 300 nodes cap dot's placement passes
    (``nslimit=1``); put such sums inside ``autograd.name_scope("l2")`` so
    that collapsing draws them as one node.

    Example:
        >>> import viz
        >>> from autograd import Tensor
        >>> a = Tensor(2.0, requires_grad=True, name="a")
        >>> b = Tensor(-3.0, requires_grad=True, name="b")
        >>> L = a * b + a; _ = viz.retain_grads(L); L.backward()
        >>> g = viz.draw_graph(L, edge_grads=True)
        >>> [line.strip() for line in g.body if "-> n3" in line]   # into mul: local x upstream
        ['n4 -> n3 [label="-3 x 1 = -3"]', 'n5 -> n3 [label="2 x 1 = 2"]']
        >>> g.render("expr", format="svg")                 # or display g in a notebook
        'expr.svg'
    """
    if graphviz is None:
        to_digraph(None)      # raises the ImportError with the install hint
    spec = build_graph(root, params=params, show_values=show_values, show_grads=show_grads,
                       color_by=color_by, edge_grads=edge_grads)
    spec = collapse_to_fit(spec, max_nodes, collapse)
    return to_digraph(spec, rankdir, legend)
