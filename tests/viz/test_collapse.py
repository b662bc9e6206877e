"""collapse= and max_nodes=: scopes drawn as single nodes, auto-collapse, truncation, notes."""
import pytest

import viz
from autograd import Tensor
from viz.collapse import collapse, collapse_to_fit
from viz.graph import build_graph
from .conftest import small_model, requires_graphviz


def _titles(spec):
    return sorted(n.title for n in spec.nodes.values())


def _edge_titles(spec):
    return sorted((spec.nodes[e.src].title, spec.nodes[e.dst].title) for e in spec.edges)


def test_collapse_module_draws_each_layer_as_one_node():
    model, x, loss = small_model()
    loss.backward()
    full = build_graph(loss, params=model)
    assert len(full.nodes) == 13
    spec = collapse(full, "module")
    assert len(spec.nodes) == 6 and len(spec.edges) == 5
    scopes = [n for n in spec.nodes.values() if n.kind == "scope"]
    assert [n.title for n in scopes] == ["2: Linear", "1: Tanh", "0: Linear"]
    assert all(n.scope == "Sequential" for n in scopes)          # still inside the model cluster
    assert _edge_titles(spec) == sorted([
        ("(2, 4) float32", "0: Linear"), ("0: Linear", "1: Tanh"), ("1: Tanh", "2: Linear"),
        ("2: Linear", "sum"), ("sum", "")])
    first = next(n for n in scopes if n.title == "0: Linear")
    assert first.label[1] == "1 ops, 3 tensors" and first.label[2] == "params 0.weight, 0.bias"
    members = {full.nodes[i].title for i in first.members}
    assert members == {"linear", "0.weight", "0.bias", "(2, 3) float32"}
    # a collapsed node shows the largest gradient magnitude among its members
    assert first.magnitude == max(full.nodes[i].magnitude for i in first.members
                                  if full.nodes[i].magnitude is not None)
    assert collapse(full, "scope").nodes.keys() == spec.nodes.keys()


def test_collapse_by_depth():
    model, x, loss = small_model()
    spec = collapse(build_graph(loss, params=model), 1)
    assert _titles(spec) == ["", "(2, 4) float32", "Sequential", "sum"]
    assert len(spec.edges) == 3
    with pytest.raises(ValueError, match="collapse"):
        collapse(build_graph(loss), "layers")
    with pytest.raises(ValueError, match="collapse"):
        collapse(build_graph(loss), 0)


@requires_graphviz
def test_max_nodes_collapses_automatically_and_says_so():
    model, x, loss = small_model()
    full = build_graph(loss, params=model)
    assert collapse_to_fit(full, max_nodes=13).nodes.keys() == full.nodes.keys()   # fits: as is
    spec = collapse_to_fit(full, max_nodes=8)
    assert len(spec.nodes) == 6
    assert spec.notes == ["auto-collapsed: 13 nodes > max_nodes=8; innermost scopes drawn as "
                          "single nodes (pass max_nodes=None to draw every node)"]
    spec = collapse_to_fit(full, max_nodes=5)
    assert len(spec.nodes) == 4 and "scopes at depth 1" in spec.notes[0]
    g = viz.draw_graph(loss, params=model, max_nodes=5)
    assert "auto-collapsed: 13 nodes" in g.source                 # the picture says so
    assert len(viz.draw_graph(loss, params=model, max_nodes=None).spec.nodes) == 13


def test_max_nodes_truncates_a_graph_without_scopes():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(30):
        y = y * 1.01
    full = build_graph(y)
    assert len(full.nodes) == 61
    spec = collapse_to_fit(full, max_nodes=10)
    assert len(spec.nodes) == 10
    more = spec.nodes["more"]
    assert more.title == "... 52 more nodes not drawn"
    assert spec.roots[0] in spec.nodes                     # the output side is kept
    assert "52 nodes farthest from the output not drawn" in spec.notes[0]
    assert "scopes collapsed" not in spec.notes[0]          # there were none to collapse
    assert all(e.src in spec.nodes and e.dst in spec.nodes for e in spec.edges)
    assert not any("more" in (e.src, e.dst) for e in spec.edges)    # no long edges from it
    with pytest.raises(ValueError, match="max_nodes"):
        collapse_to_fit(full, max_nodes=1)


@requires_graphviz
def test_explicit_collapse_then_max_nodes():
    model, x, loss = small_model()
    g = viz.draw_graph(loss, params=model, collapse="module")
    assert len(g.spec.nodes) == 6 and not g.spec.notes
    assert sum("cluster" in line for line in g.body) == 1            # only Sequential left
    g = viz.draw_graph(loss, params=model, collapse="module", max_nodes=4)
    assert len(g.spec.nodes) == 4 and "depth 1" in g.spec.notes[0]
