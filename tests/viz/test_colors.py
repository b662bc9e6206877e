"""Colouring by gradient magnitude: log scale, the vanishing-gradient fade, NaN/Inf, legend."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
import viz
from autograd import Tensor
from viz.colors import NONFINITE_COLOR, ColorScale
from viz.graph import build_graph
from .conftest import lecture_expression, requires_graphviz


def _luminance(hex_color):
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@given(st.floats(-12, 3), st.floats(0.1, 10), st.floats(0, 1), st.floats(0, 1))
def test_scale_is_monotone_in_log_magnitude(log_lo, span, u, v):
    scale = ColorScale(10 ** log_lo, 10 ** (log_lo + span))
    small, large = sorted((10 ** (log_lo + span * u), 10 ** (log_lo + span * v)))
    assert 0 <= scale.position(small) <= scale.position(large) <= 1
    assert _luminance(scale.color(small)) >= _luminance(scale.color(large)) - 1e-9
    mid = 10 ** (log_lo + span / 2)
    assert scale.position(mid) == pytest.approx(0.5)


def test_scale_edges_and_errors():
    assert ColorScale.fit([None, 0.0, math.nan]) is None
    s = ColorScale.fit([1e-3, 0.0, math.inf, 10.0])
    assert (s.lo, s.hi) == (1e-3, 10.0)
    assert s.color(math.nan) == NONFINITE_COLOR and s.position(0.0) == 0.0
    assert s.color(None) == "#ffffff"
    with pytest.raises(ValueError, match="ColorScale"):
        ColorScale(0.0, 1.0)


def _deep_sigmoid_mlp(layers=9, width=16):
    nn.manual_seed(0)
    mods = []
    for _ in range(layers):
        mods += [nn.Linear(width, width), nn.Sigmoid()]
    model = nn.Sequential(*mods, nn.Linear(width, 1))
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((32, width)).astype(np.float32))
    y = Tensor(rng.standard_normal((32, 1)).astype(np.float32))
    loss = nn.MSELoss()(model(x), y)
    viz.retain_grads(loss)
    loss.backward()
    return model, loss


@requires_graphviz
def test_deep_sigmoid_mlp_fades_from_output_to_input():
    model, loss = _deep_sigmoid_mlp()
    g = viz.draw_graph(loss, params=model, max_nodes=None)
    spec = g.spec
    weights = [spec.node_of(model[2 * i].weight) for i in range(10)]     # input side first
    mags = [w.magnitude for w in weights]
    assert all(a < b for a, b in zip(mags, mags[1:]))                    # strictly vanishing
    pos = [spec.scale.position(m) for m in mags]
    assert pos[0] < 0.25 and pos[-1] > 0.75           # the two ends of the colour scale
    lum = [_luminance(spec.scale.color(m)) for m in mags]
    assert lum[0] > lum[-1] + 100                     # input side pale, output side dark
    # the same colours are what the Digraph was given
    line = next(s for s in g.body if s.strip().startswith(weights[0].id + " "))
    assert f'fillcolor="{spec.scale.color(mags[0])}"' in line
    # the per-layer outputs fade too (retain_grads kept their gradients)
    outs = [spec.node_of(t) for t in _linear_outputs(loss)]
    assert outs[0].magnitude < outs[-1].magnitude


def _linear_outputs(loss):
    tensors, _ = viz.graph.walk(loss)
    return [t for t in reversed(tensors) if t.grad_fn is not None
            and type(t.grad_fn).__name__ == "LinearFunction"]


@requires_graphviz
def test_collapsed_deep_mlp_keeps_the_fade():
    model, loss = _deep_sigmoid_mlp()
    spec = viz.draw_graph(loss, params=model, collapse="module").spec
    linears = [n for n in spec.nodes.values() if n.kind == "scope" and n.title.endswith("Linear")]
    by_index = sorted(linears, key=lambda n: int(n.title.split(":")[0]))
    assert spec.scale.position(by_index[0].magnitude) < spec.scale.position(
        by_index[-1].magnitude)


@requires_graphviz
def test_nonfinite_gradient_stands_out():
    x = Tensor(0.0, requires_grad=True, name="x")
    y = x.sqrt() + Tensor(1.0, requires_grad=True, name="one")
    with np.errstate(divide="ignore"):
        y.backward()                               # d sqrt(x)/dx at 0 is inf
    g = viz.draw_graph(y)
    node = g.spec.node_of(x)
    assert node.status == "nonfinite" and math.isinf(node.magnitude)
    line = next(s for s in g.body if s.strip().startswith(node.id + " "))
    assert f'fillcolor="{NONFINITE_COLOR}"' in line and "color=red" in line
    assert "NaN/Inf" in g.source                   # and the legend explains it


@requires_graphviz
def test_legend_and_color_by_options():
    L, _ = lecture_expression()
    L.backward()
    assert "mean |grad| (log scale)" in viz.draw_graph(L).source
    assert "legend" not in viz.draw_graph(L, legend=False).source
    plain = viz.draw_graph(L, color_by=None)
    assert "fillcolor" not in plain.source and "legend" not in plain.source
    by_value = build_graph(L, color_by="value")
    assert by_value.node_of(L).magnitude == 8.0
