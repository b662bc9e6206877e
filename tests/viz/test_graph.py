"""Graph structure: nodes, edges, labels, fan-out, names, clusters (no renderer needed)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
import nn
import viz
from autograd import Tensor
from viz.collapse import collapse_to_fit
from viz.graph import build_graph, walk
from .conftest import lecture_expression, small_model, requires_graphviz


def test_lecture_expression_exact_nodes_edges_and_labels():
    L, v = lecture_expression()
    viz.retain_grads(L)
    L.backward()
    spec = build_graph(L)
    tensors = {n.title: n for n in spec.nodes.values() if n.kind == "tensor"}
    ops = [n for n in spec.nodes.values() if n.kind == "op"]
    assert len(spec.nodes) == 10 and len(spec.edges) == 9
    assert sorted(tensors) == ["L", "a", "b", "c", "d", "e", "f"]
    assert sorted(n.title for n in ops) == ["add", "mul", "mul"]
    # values and gradients as micrograd's lecture shows them (dL/da = 6, dL/db = -4, ...)
    assert tensors["a"].label == ["a", "data 2.0000", "grad 6.0000", "float64"]
    assert tensors["b"].label == ["b", "data -3.0000", "grad -4.0000", "float64"]
    assert tensors["c"].label == ["c", "data 10.0000", "grad -2.0000", "float64"]
    assert tensors["e"].label == ["e", "data -6.0000", "grad -2.0000", "float64"]
    assert tensors["d"].label == ["d", "data 4.0000", "grad -2.0000", "float64"]
    assert tensors["f"].label == ["f", "data -2.0000", "grad 4.0000", "float64"]
    assert tensors["L"].label == ["L", "data -8.0000", "grad 1.0000", "float64"]
    edges = {(spec.nodes[e.src].title, spec.nodes[e.dst].title) for e in spec.edges}
    assert edges == {("a", "mul"), ("b", "mul"), ("mul", "e"), ("e", "add"), ("c", "add"),
                     ("add", "d"), ("d", "mul"), ("f", "mul"), ("mul", "L")}
    assert spec.roots == [tensors["L"].id]


@requires_graphviz
def test_lecture_expression_digraph_source():
    L, _ = lecture_expression()
    L.backward()
    g = viz.draw_graph(L, legend=False)
    body = [line.strip() for line in g.body]
    assert sum("->" in line for line in body) == 9
    assert sum("->" not in line for line in body) == 10
    assert '{a|data 2.0000|grad 6.0000|float64}' in g.source     # micrograd's record node
    assert "label=mul" in g.source and "label=add" in g.source
    assert isinstance(g, __import__("graphviz").Digraph)


def test_before_backward_gradients_read_as_missing():
    L, _ = lecture_expression()
    spec = build_graph(L)
    assert all("grad -" in n.label for n in spec.nodes.values() if n.kind == "tensor")
    assert spec.scale is None


def test_non_leaf_gradient_needs_retain_grads():
    L, v = lecture_expression()
    L.backward()          # without retain_grads: only the leaves keep .grad
    spec = build_graph(L)
    assert spec.node_of(v["a"]).magnitude == 6.0
    assert spec.node_of(v["e"]).magnitude is None and "grad -" in spec.node_of(v["e"]).label
    L2, v2 = lecture_expression()
    assert viz.retain_grads(L2) == 3          # e, d, L
    L2.backward()
    assert build_graph(L2).node_of(v2["e"]).magnitude == 2.0


def test_fan_out_tensor_drawn_once():
    a = Tensor(3.0, requires_grad=True, name="a")
    out = a * a + a
    spec = build_graph(out)
    assert len(spec.find("a")) == 1
    a_id = spec.find("a")[0].id
    into = [spec.nodes[e.dst].title for e in spec.edges if e.src == a_id]
    assert sorted(into) == ["add", "mul", "mul"]        # one edge per input slot
    assert len(spec.nodes) == 5 and len(spec.edges) == 6


def test_op_names_and_constants():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 4)), requires_grad=True)
    y = ((x @ w).relu() * 0.5).sum(axis=1)
    spec = build_graph(y)
    ops = [n.label for n in spec.nodes.values() if n.kind == "op"]
    assert ["sum", "axis=(1,)"] in ops and ["mul", "b=0.5"] in ops
    assert ["relu"] in ops and ["matmul"] in ops
    model, _, loss = small_model()
    titles = {n.title for n in build_graph(loss).nodes.values() if n.kind == "op"}
    assert titles == {"linear", "tanh", "sum"}          # LinearFunction -> linear


def test_array_tensor_label_summary():
    x = Tensor(np.array([[1.0, -1.0], [3.0, 5.0]]), requires_grad=True, name="x")
    y = (x * 2).sum()
    y.backward()
    node = build_graph(y).node_of(x)
    assert node.label == ["x", "(2, 2) float64", "mean 2 std 2.24", "min -1 max 5",
                          "grad norm 4.0000"]
    assert node.magnitude == 2.0       # mean |grad|


def test_params_names_from_model_mapping_and_pairs():
    model, x, loss = small_model()
    by_model = build_graph(loss, params=model)
    names = {n.name for n in by_model.nodes.values() if n.kind == "tensor" and n.name}
    assert names == {"0.weight", "0.bias", "2.weight", "2.bias"}
    w = model[0].weight
    assert build_graph(loss, params={"first": w}).node_of(w).title == "first"
    assert build_graph(loss, params=[("W0", w)]).node_of(w).title == "W0"
    with pytest.raises(TypeError, match="params"):
        build_graph(loss, params=42)


def test_clusters_hold_exactly_the_nodes_made_in_each_scope():
    x = Tensor(2.0, requires_grad=True, name="x")
    w = Tensor(0.5, requires_grad=True, name="w")
    v = Tensor(-1.0, requires_grad=True, name="v")
    with autograd.name_scope("layer1"):
        h = (x * w).tanh()
    with autograd.name_scope("layer2"), autograd.name_scope("inner"):
        out = h * v
    loss = out + 1.0
    spec = build_graph(loss)
    clusters = spec.clusters()
    title = {k: sorted(spec.nodes[i].title or spec.nodes[i].kind for i in ids)
             for k, ids in clusters.items()}
    assert set(clusters) == {"layer1", "layer2", "layer2/inner"}
    assert title["layer1"] == ["mul", "tanh", "tensor", "tensor"]   # 2 ops and their outputs
    assert title["layer2"] == []
    assert title["layer2/inner"] == ["mul", "tensor"]
    top = sorted(n.title for n in spec.nodes.values() if not n.scope)
    assert top == ["", "add", "v", "w", "x"]          # leaves and the last op stay outside
    assert sorted(spec.members("layer2")) == sorted(clusters["layer2/inner"])


@requires_graphviz
def test_module_clusters_contain_their_ops_and_parameters():
    model, x, loss = small_model()
    spec = build_graph(loss, params=model)
    clusters = spec.clusters()
    assert set(clusters) == {"Sequential", "Sequential/0", "Sequential/1", "Sequential/2"}
    in0 = sorted(spec.nodes[i].title for i in clusters["Sequential/0"])
    assert in0 == ["(2, 3) float32", "0.bias", "0.weight", "linear"]
    assert sorted(spec.nodes[i].title for i in clusters["Sequential/1"]) == \
        ["(2, 3) float32", "tanh"]
    assert spec.node_of(x).scope == ""            # the input is not part of any module
    g = viz.draw_graph(loss, params=model)
    assert 'label="0: Linear"' in g.source and 'label="1: Tanh"' in g.source


def test_without_params_parameters_are_named_by_attribute_inside_their_module_cluster():
    model, x, loss = small_model()
    spec = build_graph(loss)                           # no params=: the one-argument call
    clusters = spec.clusters()
    assert set(clusters) == {"Sequential", "Sequential/0", "Sequential/1", "Sequential/2"}
    for k in ("0", "2"):
        assert sorted(spec.nodes[i].title for i in clusters[f"Sequential/{k}"]) == \
            ["(2, 3) float32" if k == "0" else "(2, 1) float32", "bias", "linear", "weight"]
        layer = model[int(k)]
        assert spec.node_of(layer.weight).scope == spec.node_of(layer.bias).scope == \
            f"Sequential/{k}"
    assert spec.node_of(x).scope == "" and spec.node_of(x).name is None   # the input: unnamed
    collapsed = collapse_to_fit(spec, None, "module")
    assert ["params weight, bias"] == [line for n in collapsed.nodes.values()
                                       if n.title == "0" for line in n.label if "params" in line]


def test_a_user_given_name_wins_and_a_penalty_outside_the_model_keeps_the_parameter_inside():
    model, x, _ = small_model()
    model[0].weight.name = "W1"
    loss = model(x).sum() + (model[2].weight ** 2).sum()          # an L2 term outside any module
    spec = build_graph(loss)
    assert (spec.node_of(model[0].weight).title, spec.node_of(model[0].weight).scope) == \
        ("W1", "Sequential/0")
    assert (spec.node_of(model[2].weight).title, spec.node_of(model[2].weight).scope) == \
        ("weight", "Sequential/2")
    assert build_graph(loss, params=model).node_of(model[0].weight).title == "0.weight"


def test_a_parameter_shared_by_two_modules_is_drawn_in_the_scope_they_share():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc, self.dec = nn.Linear(2, 2, bias=False), nn.Linear(2, 2, bias=False)
            self.dec.weight = self.enc.weight

        def forward(self, x):
            return self.dec(self.enc(x))

    net = Tied()
    spec = build_graph(net(Tensor(np.ones((1, 2), np.float32))).sum())
    node = spec.node_of(net.enc.weight)
    assert (node.title, node.scope) == ("weight", "Tied")


@requires_graphviz
def test_draw_graph_without_params_draws_named_parameters_in_their_module_cluster():
    model, x, loss = small_model()
    source = viz.draw_graph(loss).source
    for k in ("0", "2"):
        block = source[source.index(f'tooltip="Sequential/{k}"'):]
        block = block[:block.index("}")]                 # the cluster's body
        assert 'label="weight\\n' in block and 'label="bias\\n' in block
    assert "leaf" not in source


def test_modulelist_parameters_join_their_layer_cluster():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    net = Net()
    out = net(Tensor(np.ones((1, 2), dtype=np.float32))).sum()
    spec = build_graph(out, params=net)
    w1 = spec.node_of(net.layers[1].weight)
    assert w1.title == "layers.1.weight" and w1.scope == "Net/1"
    assert spec.scope_types["Net/1"] == "Linear" and spec.scope_types["Net"] == "Net"


@requires_graphviz
def test_bad_arguments_are_named():
    L, _ = lecture_expression()
    with pytest.raises(TypeError, match="draw_graph: expected a Tensor"):
        build_graph("loss")
    with pytest.raises(ValueError, match="color_by"):
        build_graph(L, color_by="size")
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(L, rankdir="sideways")


def test_drawn_after_backward_without_retain_graph():
    model, x, loss = small_model()
    loss.backward()                                   # frees saved tensors, keeps the graph
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()
    spec = build_graph(loss, params=model)
    assert len(spec.nodes) == 13 and len(spec.edges) == 12


_OPS = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b,
        lambda a, b: (a * b).tanh(), lambda a, b: a * 2.0]


@given(st.lists(st.tuples(st.integers(0, len(_OPS) - 1), st.integers(0, 50),
                          st.integers(0, 50)), min_size=1, max_size=25))
def test_random_expressions_one_node_per_tensor_and_op(program):
    pool = [Tensor(float(i + 1), requires_grad=True) for i in range(3)]
    for op, i, j in program:
        pool.append(_OPS[op](pool[i % len(pool)], pool[j % len(pool)]))
    root = pool[-1]
    spec = build_graph(root)
    tensors, _ = walk(root)
    ops = {t.grad_fn for t in tensors if t.grad_fn is not None}
    assert len(spec.nodes) == len(tensors) + len(ops)
    assert len({id(n.tensor) for n in spec.nodes.values() if n.kind == "tensor"}) == len(tensors)
    out_edges, in_edges = {}, {}
    for e in spec.edges:
        out_edges[e.src] = out_edges.get(e.src, 0) + 1
        in_edges[e.dst] = in_edges.get(e.dst, 0) + 1
    for n in spec.nodes.values():
        if n.kind == "op":
            assert out_edges[n.id] == 1
            assert in_edges[n.id] == sum(isinstance(i, Tensor) for i in n.fn.inputs)
        else:
            assert in_edges.get(n.id, 0) == (0 if n.tensor.grad_fn is None else 1)
    assert out_edges.get(spec.roots[0], 0) == 0


def test_a_single_layer_model_owns_its_parameters():
    layer = nn.Linear(3, 2)
    out = layer(Tensor(np.ones((1, 3), dtype=np.float32))).sum()
    spec = build_graph(out, params=layer)
    weight = spec.node_of(layer.weight)
    assert weight.title == "weight" and weight.scope == "Linear"
    assert spec.scope_types == {"Linear": "Linear"}
    with pytest.raises(TypeError, match="params"):
        build_graph(out, params=[1, 2])
    with pytest.raises(TypeError, match="not a Tensor"):
        build_graph(out, params={"w": np.ones(3)})


@requires_graphviz
def test_large_pictures_cap_dots_placement_passes():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(160):
        y = y * 1.01
    big = viz.draw_graph(y, max_nodes=None)
    assert len(big.spec.nodes) == 321 and "nslimit=1" in big.source
    assert "nslimit" not in viz.draw_graph(x * 2.0).source


@pytest.mark.parametrize("root", [3, "loss", None, np.zeros(2)])
def test_draw_graph_of_something_that_is_not_a_tensor_says_what_to_pass(root):
    with pytest.raises(TypeError, match="draw_graph: expected a Tensor.*pass the loss"):
        viz.draw_graph(root)
