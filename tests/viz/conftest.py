"""Shared builders for the viz tests: micrograd's lecture expression and small models."""
import numpy as np
import pytest

try:
    import graphviz  # noqa: F401  (draw_graph builds a graphviz.Digraph)
    HAS_GRAPHVIZ = True
except ImportError:
    HAS_GRAPHVIZ = False

import nn
from autograd import Tensor


requires_graphviz = pytest.mark.skipif(
    not HAS_GRAPHVIZ, reason="the graphviz Python package is not installed (pip install "
    "graphviz, or the viz extra); the graph walk is tested without it")


def lecture_expression():
    """micrograd's draw_dot example: L = (a*b + c) * f, every value named; returns (L, values)."""
    v = {k: Tensor(x, requires_grad=True, dtype="float64", name=k)
         for k, x in (("a", 2.0), ("b", -3.0), ("c", 10.0), ("f", -2.0))}
    v["e"] = v["a"] * v["b"]
    v["e"].name = "e"
    v["d"] = v["e"] + v["c"]
    v["d"].name = "d"
    v["L"] = v["d"] * v["f"]
    v["L"].name = "L"
    return v["L"], v


def small_model():
    """Sequential(Linear(4, 3), Tanh(), Linear(3, 1)) and its loss on a fixed batch."""
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
    x = Tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4))
    return model, x, model(x).sum()


@pytest.fixture
def no_renderer(monkeypatch, tmp_path):
    """Hide both renderers: an empty PATH and an interpreter directory without graphviz-pure."""
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr("viz.render._interpreter_dir", lambda: empty)
    return empty
