"""The explorer page's data, from one recorded backward: graph, values, steps, checks.

``page_data(roots, record, ...)`` returns plain JSON-ready data; viz.explore
puts it in the page and explorer.js draws it. The graph's structure (a node
per tensor and per op, name scopes, parameter names, an op's constant
arguments) comes from viz.graph's walk, the numbers from the record:

- ``forward``: the engine's forward topological order (``record.order``);
- ``backward``: each step the engine ran, in its order: the tensor, its op,
  the complete upstream gradient, and for each input the gradient sent to it
  (with, where input and output are 0-d, the op's local derivative, computed
  by viz.edgegrad on the op alone: so upstream x local = downstream can be
  shown with numbers);
- ``seeds`` and ``leaves``: where backward started, and each leaf's total in
  the order the engine accumulated them;
- ``check``: for small graphs, each leaf's numerical gradient (central
  differences over a replay of the recorded ops) beside the analytic one.
"""
import numpy as np

from autograd import Tensor
from ..colors import NONFINITE_COLOR, ColorScale, _ANCHORS
from ..edgegrad import local_gradients
from ..graph import build_graph
from ..labels import format_number, magnitude, op_name
from ..names import attribute_name, parameter_names
from .arrays import encode
from .replay import ATOL, RTOL, leaf_totals, numerical_check

__all__ = ["page_data", "initial_collapse"]


def _scopes(spec, params):
    paths = set()
    for n in spec.nodes.values():
        if n.scope:
            parts = n.scope.split("/")
            paths.update("/".join(parts[:k]) for k in range(1, len(parts) + 1))
    # a submodule called directly (pair.relu(x), not pair(x)) records scopes from its
    # attribute name ("relu/0"): match those against the module paths too ("relu.0")
    modules = dict(params.named_modules()) if hasattr(params, "named_modules") else {}
    for p in paths:
        module = modules.get(p.replace("/", "."))
        if p not in spec.scope_types and module is not None:
            spec.scope_types[p] = type(module).__name__
    return {p: {"title": spec.scope_title(p), "parent": p.rpartition("/")[0],
                "depth": p.count("/") + 1} for p in sorted(paths, key=_natural)}


def _natural(path):
    """Sort "relu/2" before "relu/10"."""
    return [(0, int(s), "") if s.isdigit() else (1, 0, s) for s in path.split("/")]


def initial_collapse(spec_nodes, scopes, max_nodes):
    """The scopes to show collapsed at first: none when the graph has at most ``max_nodes``
    nodes, else every scope at the deepest level that brings the count under it (the
    top level when none does).

    Example:
        >>> scopes = {"m": {"depth": 1}, "m/0": {"depth": 2}, "m/1": {"depth": 2}}
        >>> nodes = [""] * 3 + ["m/0"] * 10 + ["m/1"] * 10 + ["m"] * 2     # each node's scope
        >>> initial_collapse(nodes, scopes, 100), initial_collapse(nodes, scopes, 7)
        ([], ['m/0', 'm/1'])
        >>> initial_collapse(nodes, scopes, 4)                  # 3 + 1 nodes
        ['m']
    """
    if max_nodes is None or len(spec_nodes) <= max_nodes or not scopes:
        return []
    depth = max(s["depth"] for s in scopes.values())
    for level in range(depth, 0, -1):
        chosen = [p for p, s in scopes.items() if s["depth"] == level]
        inside = {n for n in spec_nodes if n and any(n == p or n.startswith(p + "/")
                                                     for p in chosen)}
        visible = sum(1 for n in spec_nodes if n not in inside) + len(chosen)
        if visible <= max_nodes:
            return chosen
    return [p for p, s in scopes.items() if s["depth"] == 1]


def _labels(spec, order):
    """A display name for every tensor: its own name, else its op and a count ("mul3"),
    counted in the engine's forward order (``order``: the recorded tensors), so numbers
    grow from the inputs to the output."""
    rank = {id(t): k for k, t in enumerate(order)}
    nodes = sorted((n for n in spec.nodes.values() if n.kind == "tensor"),
                   key=lambda n: (n.tensor.grad_fn is not None,
                                  rank.get(id(n.tensor), len(rank))))
    counts, out = {}, {}
    for node in nodes:
        if node.name:
            out[node.id] = node.name
            continue
        t = node.tensor
        base = op_name(t.grad_fn) if t.grad_fn is not None else (
            "leaf" if t.requires_grad else "input")
        counts[base] = counts.get(base, 0) + 1
        out[node.id] = f"{base}{counts[base]}"
    return out


def page_data(roots, record, *, params=None, max_full_elements=1024, max_nodes=300,
              check=None, check_budget=5_000_000, title=""):
    """Everything the explorer page shows, as JSON-ready data (see the module docstring).

    ``check``: True always runs the numerical check of the leaves, False never,
    None when the replay costs at most ``check_budget``: 2 runs of the recorded
    ops per leaf element, each op counted as its output's size (at least 32).

    Example:
        >>> import autograd
        >>> a = Tensor(2.0, requires_grad=True, dtype="float64")
        >>> L = a * a + a
        >>> with autograd.record_backward() as rec: L.backward()
        >>> data = page_data([L], rec)
        >>> [(s["up"], [i["g"] for i in s["ins"]]) for s in data["backward"]]   # add, then mul
        [(1.0, [1.0, 1.0]), (1.0, [2.0, 2.0])]
        >>> data["leaves"]                                      # a's total: 1 + 2 + 2
        [{'t': 4, 'g': 5.0}]
    """
    spec = build_graph(roots, params=params, show_values=False, show_grads=False, color_by=None)
    index = {nid: i for i, nid in enumerate(spec.nodes)}
    tensor_id, fn_id = {}, {}
    for nid, node in spec.nodes.items():
        if node.kind == "tensor":
            tensor_id[id(node.tensor)] = index[nid]
        else:
            fn_id[id(node.fn)] = index[nid]
    names = parameter_names(params)
    labels = _labels(spec, record.order)
    enc = lambda a: encode(a, max_full_elements)          # noqa: E731

    step_of = {}
    for k, step in enumerate(record.steps):
        if id(step.tensor) in tensor_id:
            step_of[id(step.tensor)] = k
    totals = leaf_totals(record)
    arrived = {}                                       # id(tensor) -> summed contributions
    backward = []
    for step in record.steps:
        t_id = tensor_id.get(id(step.tensor))
        if t_id is None:
            continue
        fn = step.fn
        local = None
        if np.ndim(step.grad) == 0 and step.tensor.ndim == 0:
            local = local_gradients(fn)
        ins = []
        for slot, (inp, g) in enumerate(zip(fn.inputs, step.input_grads or ())):
            if g is None or not isinstance(inp, Tensor) or id(inp) not in tensor_id:
                continue
            prev = arrived.get(id(inp))
            arrived[id(inp)] = np.asarray(g) if prev is None else prev + g
            ins.append({"slot": slot, "to": tensor_id[id(inp)], "g": enc(g),
                        "local": None if local is None or local[slot] is None
                        else float(local[slot])})
        backward.append({"t": t_id, "o": fn_id[id(fn)], "up": enc(step.grad), "ins": ins})

    grads = {}                                          # id(tensor) -> the gradient shown
    for step in record.steps:
        grads[id(step.tensor)] = np.asarray(step.grad)
    for key, (t, g) in totals.items():
        grads[key] = g
    seeds = {}
    for r in record.roots:
        if id(r) in tensor_id and id(r) in grads:
            got = arrived.get(id(r))
            seeds[id(r)] = grads[id(r)] - got if got is not None else grads[id(r)]

    output_of = {e.src: e.dst for e in spec.edges if e.slot is None}     # op -> its tensor
    nodes, mags = [], []
    for nid, node in spec.nodes.items():
        i = index[nid]
        if node.kind == "op":
            fn = node.fn
            nodes.append({"id": i, "k": "o", "title": op_name(fn), "op": fn.name,
                          "scope": node.scope, "consts": node.label[1:],
                          "ins": [tensor_id.get(id(a)) if isinstance(a, Tensor) else None
                                  for a in fn.inputs],
                          "out": index[output_of[nid]]})
            continue
        t = node.tensor
        g = grads.get(id(t))
        m = None if g is None else magnitude(g)
        status = "none" if m is None else ("nonfinite" if not np.isfinite(m) else
                                           ("zero" if m == 0 else "ok"))
        mags.append(m)
        nodes.append({"id": i, "k": "t", "name": node.name, "label": labels[nid],
                      "title": labels[nid], "scope": node.scope, "dtype": str(t.dtype),
                      "value": enc(t.data), "grad": None if g is None else enc(g),
                      "mag": None if m is None else (m if np.isfinite(m) else "nan"),
                      "status": status, "rg": bool(t.requires_grad),
                      "leaf": t.grad_fn is None,
                      "param": t in names or (t.grad_fn is None and attribute_name(t) is not None),
                      "by": fn_id.get(id(t.grad_fn)) if t.grad_fn is not None else None})

    forward = [{"t": tensor_id[id(t)], "o": fn_id[id(t.grad_fn)]} for t in record.order
               if id(t) in tensor_id and id(t.grad_fn) in fn_id]
    leaves = [{"t": tensor_id[id(t)], "g": enc(g)} for t, g in record.leaves
              if id(t) in tensor_id]
    if not forward and not backward and not leaves:
        raise ValueError("explore: the record holds no step of this graph's backward; record "
                         "the backward of this root: `with autograd.record_backward() as rec: "
                         "root.backward()`, then viz.explore(root, record=rec)")
    scopes = _scopes(spec, params)
    scale = ColorScale.fit(mags)
    root_names = [labels[r] for r in spec.roots] or ["L"]
    notes = []
    if len(root_names) > 1:
        notes.append(f"backward ran from {len(root_names)} roots: L = "
                     + " + ".join(root_names) + " (each root's seed gradient times the root)")
    data = {
        "title": title, "notes": notes, "nodes": nodes,
        "edges": [[index[e.src], index[e.dst], -1 if e.slot is None else e.slot]
                  for e in spec.edges],
        "roots": [index[r] for r in spec.roots],
        "rootName": root_names[0] if len(root_names) == 1 else "L",
        "scopes": scopes,
        "collapsed": initial_collapse([n.scope for n in spec.nodes.values()], scopes,
                                      max_nodes),
        "forward": forward, "backward": backward,
        "seeds": [{"t": tensor_id[k], "g": enc(g)} for k, g in seeds.items()],
        "leaves": leaves,
        "leafCount": sum(1 for n in nodes if n["k"] == "t" and n["leaf"]),
        "scale": None if scale is None else {"lo": scale.lo, "hi": scale.hi},
        "palette": {"anchors": list(_ANCHORS), "nonfinite": NONFINITE_COLOR},
        "maxFull": max_full_elements, "inlineElements": 64,
        "check": _check(record, seeds, totals, tensor_id, check, check_budget, enc),
    }
    return data


def _check(record, seeds, totals, tensor_id, check, budget, enc):
    leaves = [t for t, _ in totals.values() if id(t) in tensor_id and t.dtype.kind == "f"]
    # two replays per leaf element; an op run costs about as much as 32 elements of work
    cost = 2 * sum(t.size for t in leaves) * sum(max(t.size, 32) for t in record.order)
    if not leaves or check is False or (check is None and cost > budget):
        why = ("no leaf gradients to check" if not leaves else "switched off (check=False)"
               if check is False else f"skipped: the graph is too large to replay cheaply "
               f"(cost {cost:,} > check_budget={budget:,}; pass check=True to force it)")
        return {"summary": why, "ok": None, "leaves": {}}
    try:
        results = numerical_check(record, seeds, leaves)
    except Exception as e:            # a replay that cannot run is reported, not hidden
        return {"summary": f"not run: replaying the recorded ops failed ({type(e).__name__}: "
                           f"{e})", "ok": None, "leaves": {}}
    out, worst, ok = {}, 0.0, True
    for t, (a, n, rel, good) in zip(leaves, results):
        out[tensor_id[id(t)]] = {"a": enc(a), "n": enc(n), "rel": rel, "ok": good}
        worst, ok = max(worst, rel), ok and good
    verdict = "all agree" if ok else "MISMATCH"
    return {"summary": f"{verdict}: {len(leaves)} leaves, central differences (eps 1e-6, "
                       f"float64) vs backward; max relative error {format_number(worst)} over the "
                       f"elements above {ATOL:g} (tolerance |a-n| <= {ATOL:g} + {RTOL:g}|n|)",
            "ok": ok, "leaves": out}
