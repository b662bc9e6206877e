"""Make a big graph picture readable: draw whole scopes (modules) as single nodes.

``collapse="module"`` (or its alias ``"scope"``) draws every innermost scope
(one with no sub-scopes, e.g. each layer of a Sequential) as one node;
``collapse=k`` (an int >= 1) draws every scope at depth k as one node
("Sequential" is depth 1, "Sequential/0" depth 2). Ops directly in an outer
scope stay visible inside its cluster.

``collapse_to_fit(spec, max_nodes)`` collapses automatically when a picture has more
than ``max_nodes`` nodes: innermost scopes first, then ever shallower ones;
if even that is too many (a graph without scopes), only the ``max_nodes``
nodes nearest the root are kept and one node counts the rest. Either way a
note on the picture says what was done.
"""
import math

from .colors import ColorScale
from .graph import Edge, GraphSpec, Node
from .labels import format_number

__all__ = ["collapse", "collapse_to_fit"]


def _scopes(spec):
    return {n.scope for n in spec.nodes.values() if n.scope}


def _target(scope, level, leaves):
    """The scope a node in ``scope`` collapses into at ``level``, or None (it stays)."""
    if not scope:
        return None
    if level in ("module", "scope"):
        return scope if scope in leaves else None
    parts = scope.split("/")
    return "/".join(parts[:level]) if len(parts) >= level else None


def _leaf_scopes(scopes):
    everything = set()
    for s in scopes:
        parts = s.split("/")
        everything.update("/".join(parts[:k]) for k in range(1, len(parts) + 1))
    return {s for s in everything if not any(o.startswith(s + "/") for o in everything)}


def _scope_node(node_id, scope, members, title, color_by):
    tensors = [m for m in members if m.kind == "tensor"]
    ops = [m for m in members if m.kind == "op"]
    params = [m.name for m in tensors if m.tensor.grad_fn is None and m.name]
    label = [title, f"{len(ops)} ops, {len(tensors)} tensors"]
    if params:
        shown = ", ".join(params[:3]) + (f" +{len(params) - 3}" if len(params) > 3 else "")
        label.append(f"params {shown}")
    node = Node(node_id, "scope", label, scope=scope.rpartition("/")[0], name=scope)
    node.members = [m.id for m in members]
    measured = [m for m in tensors if m.status != "none"]
    if any(m.status == "nonfinite" for m in measured):
        node.magnitude, node.status = math.nan, "nonfinite"
    elif measured:
        node.magnitude = max(m.magnitude for m in measured)
        node.status = "zero" if node.magnitude == 0 else "ok"
        node.label.append(f"max |{color_by}| {format_number(node.magnitude)}")
    return node


def _rebuild(spec, mapping, extra_nodes, notes):
    out = GraphSpec()
    out.color_by, out.notes = spec.color_by, list(spec.notes) + list(notes)
    out.scope_types = spec.scope_types
    for node in spec.nodes.values():
        new = mapping.get(node.id, node.id)
        if new == node.id:
            out.add(node)
        elif new in extra_nodes and new not in out.nodes:
            out.add(extra_nodes[new])
    seen = set()
    for e in spec.edges:
        src, dst = mapping.get(e.src, e.src), mapping.get(e.dst, e.dst)
        if src == dst or src not in out.nodes or dst not in out.nodes:
            continue
        kept = e.label is not None and src == e.src and dst == e.dst
        key = (src, dst, e.slot if kept else None)
        if key in seen:
            continue
        seen.add(key)
        out.edges.append(e if kept else Edge(src, dst))
    out.roots = list(dict.fromkeys(mapping.get(r, r) for r in spec.roots))
    # keep the colours of the full graph (a collapsed node shows a member's magnitude)
    out.scale = spec.scale or ColorScale.fit(n.magnitude for n in out.nodes.values())
    return out


def collapse(spec, level):
    """A new GraphSpec with the scopes chosen by ``level`` drawn as one node each.

    ``level``: "module" / "scope" (innermost scopes) or an int depth >= 1.
    A collapsed node is coloured by the largest gradient magnitude inside it
    (NaN/Inf if any member has them) and lists the parameters it holds.

    Example:
        >>> import nn
        >>> from autograd import Tensor
        >>> from viz.graph import build_graph
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
        >>> spec = collapse(build_graph(model(Tensor([[1.0, 2.0]])), params=model), "module")
        >>> [n.label[:2] for n in spec.nodes.values() if n.kind == "scope"]
        [['2: Linear', '1 ops, 3 tensors'], ['1: ReLU', '1 ops, 1 tensors'],
         ['0: Linear', '1 ops, 3 tensors']]
    """
    if not (level in ("module", "scope") or (isinstance(level, int)
                                              and not isinstance(level, bool) and level >= 1)):
        raise ValueError(f"draw_graph: collapse must be None, 'module', 'scope' or a depth "
                         f">= 1, got {level!r}")
    leaves = _leaf_scopes(_scopes(spec))
    groups = {}
    for node in spec.nodes.values():
        target = _target(node.scope, level, leaves)
        if target is not None:
            groups.setdefault(target, []).append(node)
    mapping, extra = {}, {}
    for k, (scope, members) in enumerate(groups.items()):
        node = _scope_node(f"s{k}", scope, members, spec.scope_title(scope), spec.color_by)
        extra[node.id] = node
        for m in members:
            mapping[m.id] = node.id
    return _rebuild(spec, mapping, extra, [])


def _depth(spec):
    return max((s.count("/") + 1 for s in _scopes(spec)), default=0)


def _truncate(spec, max_nodes):
    """Keep the ``max_nodes - 1`` nodes nearest the roots (against the edges) + a 'more' node."""
    into = {}
    for e in spec.edges:
        into.setdefault(e.dst, []).append(e.src)
    keep, frontier = list(dict.fromkeys(spec.roots)), list(dict.fromkeys(spec.roots))
    kept = set(keep)
    while frontier and len(keep) < max_nodes - 1:
        nxt = []
        for nid in frontier:
            for src in into.get(nid, ()):
                if src not in kept and len(keep) < max_nodes - 1:
                    kept.add(src)
                    keep.append(src)
                    nxt.append(src)
        frontier = nxt
    hidden = len(spec.nodes) - len(kept)
    more = Node("more", "more", [f"... {hidden} more nodes not drawn"])
    mapping = {nid: "more" for nid in spec.nodes if nid not in kept}
    out = _rebuild(spec, mapping, {"more": more}, [])
    # The note stands alone: edges from it to every cut-off input would span the whole
    # picture, and such long edges are what makes dot's layout slow.
    out.edges = [e for e in out.edges if e.src != "more"]
    return out, hidden


def collapse_to_fit(spec, max_nodes, collapse_level=None):
    """Apply ``collapse_level``, then collapse further (and finally truncate) past ``max_nodes``.

    Returns the GraphSpec to draw; a note in ``spec.notes`` says what was done.

    Example:
        >>> from autograd import Tensor
        >>> from viz.graph import build_graph
        >>> y = Tensor(1.0, requires_grad=True)
        >>> for _ in range(10):
        ...     y = y * 2                                      # 21 nodes, no scopes
        >>> spec = collapse_to_fit(build_graph(y), max_nodes=6)
        >>> len(spec.nodes), spec.notes
        (6, ['auto-collapsed: 21 nodes > max_nodes=6; 16 nodes farthest from the output not drawn
              (pass max_nodes=None to draw every node)'])
    """
    if max_nodes is not None and (not isinstance(max_nodes, int) or isinstance(max_nodes, bool)
                                  or max_nodes < 2):
        raise ValueError(f"draw_graph: max_nodes must be None or an int >= 2, got {max_nodes!r}")
    full = spec
    if collapse_level is not None:
        spec = collapse(full, collapse_level)
    if max_nodes is None or len(spec.nodes) <= max_nodes:
        return spec
    total = len(full.nodes)
    depth = _depth(full)
    if collapse_level is None:
        levels = ["module"] + list(range(depth - 1, 0, -1))
    elif isinstance(collapse_level, int):
        levels = list(range(min(collapse_level, depth) - 1, 0, -1))
    else:
        levels = list(range(depth - 1, 0, -1))
    hint = "pass max_nodes=None to draw every node"
    for level in levels:
        smaller = collapse(full, level)
        if len(smaller.nodes) <= max_nodes:
            what = "innermost scopes" if level == "module" else f"scopes at depth {level}"
            smaller.notes.append(f"auto-collapsed: {total} nodes > max_nodes={max_nodes}; "
                                 f"{what} drawn as single nodes ({hint})")
            return smaller
    if levels:
        spec = collapse(full, levels[-1])
    out, hidden = _truncate(spec, max_nodes)
    collapsed = any(n.kind == "scope" for n in spec.nodes.values())
    scopes = "scopes collapsed and " if collapsed else ""
    out.notes.append(f"auto-collapsed: {total} nodes > max_nodes={max_nodes}; {scopes}"
                     f"{hidden} nodes farthest from the output not drawn ({hint})")
    return out
