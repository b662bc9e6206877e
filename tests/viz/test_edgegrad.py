"""Edge labels of scalar graphs: exact local derivatives (checked against central differences)."""
import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor
from viz.edgegrad import local_gradients
from viz.graph import build_graph
from .conftest import lecture_expression, requires_graphviz

UNARY = {"tanh": lambda x: x.tanh(), "exp": lambda x: x.exp(), "log": lambda x: x.log(),
         "sigmoid": lambda x: x.sigmoid(), "sqrt": lambda x: x.sqrt(),
         "pow": lambda x: x ** 3.0, "rdiv": lambda x: 2.0 / x}
BINARY = {"mul": lambda a, b: a * b, "div": lambda a, b: a / b, "sub": lambda a, b: a - b,
          "pow": lambda a, b: a ** b, "maximum": autograd.maximum}


def _central(f, args, i, eps=1e-6):
    up = [float(a) for a in args]
    down = list(up)
    up[i] += eps
    down[i] -= eps
    return (f(*map(_t, up)).item() - f(*map(_t, down)).item()) / (2 * eps)


def _t(v):
    return Tensor(v, dtype="float64")


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_local_gradient_matches_central_differences(name):
    f = UNARY[name]
    x = Tensor(0.7, requires_grad=True, dtype="float64")
    (local,) = [g for g in local_gradients(f(x).grad_fn) if g is not None]   # 2.0 / x: slot 1
    assert local == pytest.approx(_central(f, [0.7], 0), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_local_gradients_match_central_differences(name):
    f = BINARY[name]
    a = Tensor(1.3, requires_grad=True, dtype="float64")
    b = Tensor(0.6, requires_grad=True, dtype="float64")
    locals_ = local_gradients(f(a, b).grad_fn)
    for i in range(2):
        assert locals_[i] == pytest.approx(_central(f, [1.3, 0.6], i), rel=1e-6, abs=1e-8)


def test_local_gradients_leave_the_graph_untouched_and_work_after_backward():
    L, v = lecture_expression()
    L.backward()                                  # saved tensors freed, inputs kept
    assert v["a"].grad.item() == 6.0
    assert local_gradients(v["e"].grad_fn) == [-3.0, 2.0]
    assert v["a"].grad.item() == 6.0 and v["e"].grad is None


def test_only_scalar_edges_get_numbers():
    x = Tensor(np.ones(3), requires_grad=True)
    s = Tensor(2.0, requires_grad=True)
    assert local_gradients((x * s).grad_fn) == [None, None]      # array output: a Jacobian
    assert local_gradients((x.sum() * 3.0).grad_fn) == [3.0, None]


@requires_graphviz
def test_edge_labels_show_local_times_upstream():
    L, _ = lecture_expression()
    viz.retain_grads(L)
    L.backward()
    spec = build_graph(L, edge_grads=True)
    labels = {(spec.nodes[e.src].title, spec.nodes[e.dst].title): e.label for e in spec.edges}
    assert labels[("a", "mul")] == "-3 x -2 = 6"       # dL/da = (de/da = b) * dL/de
    assert labels[("b", "mul")] == "2 x -2 = -4"
    assert labels[("c", "add")] == "1 x -2 = -2"
    assert labels[("d", "mul")] == "-2 x 1 = -2"
    assert labels[("mul", "L")] is None                 # op -> output edges carry nothing
    for (src, _), label in labels.items():              # each product is the input's gradient
        if label:
            assert float(label.split("= ")[1]) == spec.find(src)[0].tensor.grad.item()
    assert 'label="-3 x -2 = 6"' in viz.draw_graph(L, edge_grads=True).source
    L2, _ = lecture_expression()                          # no upstream gradient kept: local only
    assert {e.label for e in build_graph(L2, edge_grads=True).edges} >= {"-3", "2", "1", "-2"}
