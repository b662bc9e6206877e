"""viz.explore's data: what the page shows comes from the recorded backward, checked in Python.

The page itself is driven in a real browser in test_explore_browser.py.
"""
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Function, Tensor
from viz.explorer.arrays import encode
from viz.explorer.data import initial_collapse
from .conftest import lecture_expression, small_model


def readme_expression():
    """The README's micrograd expression (micrograd's own test): returns (g, a, b)."""
    a = Tensor(-4.0, requires_grad=True, dtype="float64", name="a")
    b = Tensor(2.0, requires_grad=True, dtype="float64", name="b")
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    g.name = "g"
    return g, a, b


def _by_label(data, label):
    return next(n for n in data["nodes"] if n["k"] == "t" and n["label"] == label)


def _contributions(data, tid):
    return [c for step in data["backward"] for c in step["ins"] if c["to"] == tid]


def test_explore_runs_the_recorded_backward_and_shows_its_numbers(tmp_path):
    g, a, b = readme_expression()
    page = viz.explore(g, tmp_path / "g.html")
    assert page.path == tmp_path / "g.html" and page.path.read_text() == page.html
    # explore ran g.backward(): the leaves hold micrograd's numbers
    assert a.grad.item() == pytest.approx(138.83381924198252, rel=1e-12)
    assert b.grad.item() == pytest.approx(645.5772594752186, rel=1e-12)
    data = page.data
    na, nb = _by_label(data, "a"), _by_label(data, "b")
    assert na["grad"] == a.grad.item() and nb["grad"] == b.grad.item()
    assert na["value"] == -4.0 and na["leaf"] and na["rg"]
    # the backward steps are the engine's: one per recorded op, every op of the graph
    assert len(data["backward"]) == len(data["forward"]) == sum(
        1 for n in data["nodes"] if n["k"] == "o")
    assert data["backward"][0]["t"] == data["roots"][0] and data["backward"][0]["up"] == 1.0
    assert data["seeds"] == [{"t": data["roots"][0], "g": 1.0}]
    # leaves in the engine's accumulation order, with their totals
    assert {data["nodes"][leaf["t"]]["label"]: leaf["g"] for leaf in data["leaves"]} == {
        "a": a.grad.item(), "b": b.grad.item()}


def test_contributions_arrive_in_order_and_sum_to_the_gradient():
    g, a, b = readme_expression()
    data = viz.explore(g).data
    for leaf, t in (("a", a), ("b", b)):
        parts = _contributions(data, _by_label(data, leaf)["id"])
        assert len(parts) >= 4                      # a and b feed many ops
        assert sum(c["g"] for c in parts) == pytest.approx(t.grad.item(), rel=1e-12)
    # every non-leaf's upstream gradient is the sum of what its consumers sent before it ran
    sent = {}
    for step in data["backward"]:
        if step["t"] not in data["roots"]:
            assert step["up"] == pytest.approx(sum(sent[step["t"]]), rel=1e-12, abs=1e-12)
        for c in step["ins"]:
            sent.setdefault(c["to"], []).append(c["g"])


def test_upstream_times_local_is_downstream_on_a_scalar_graph():
    L, v = lecture_expression()
    data = viz.explore(L).data
    checked = 0
    for step in data["backward"]:
        for c in step["ins"]:
            assert c["local"] is not None
            assert step["up"] * c["local"] == pytest.approx(c["g"], rel=1e-12)
            checked += 1
    assert checked == 6
    # micrograd's lecture numbers: dL/dd = f = -2, dL/de = -2, dL/da = -2 * b = 6
    assert _by_label(data, "d")["grad"] == -2.0 and _by_label(data, "a")["grad"] == 6.0
    mul = next(s for s in data["backward"] if data["nodes"][s["t"]]["label"] == "e")
    assert [(data["nodes"][c["to"]]["label"], c["local"]) for c in mul["ins"]] == [
        ("a", -3.0), ("b", 2.0)]


def test_numerical_check_of_the_leaves_agrees_on_small_graphs():
    g, a, b = readme_expression()
    check = viz.explore(g).data["check"]
    assert check["ok"] is True and check["summary"].startswith("all agree: 2 leaves")
    for c in check["leaves"].values():
        assert c["ok"] and c["rel"] < 1e-6 and c["a"] == pytest.approx(c["n"], rel=1e-6)


class _WrongDouble(Function):
    """2x forward with a backward that returns 3x: the check must catch it."""

    @staticmethod
    def forward(ctx, x):
        return x.data * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


def test_numerical_check_catches_a_wrong_backward():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True, name="x")
    loss = (_WrongDouble.apply(x) ** 2).sum()
    data = viz.explore(loss).data
    check = data["check"]["leaves"][_by_label(data, "x")["id"]]
    assert data["check"]["ok"] is False and data["check"]["summary"].startswith("MISMATCH")
    assert check["ok"] is False and check["rel"] == pytest.approx(1 / 3, rel=1e-6)
    assert check["a"]["d"] == pytest.approx([12.0, -24.0]) and check["n"]["d"] == pytest.approx(
        [8.0, -16.0], rel=1e-6)


def test_large_graph_check_is_skipped_and_says_why():
    model, x, loss = small_model()
    data = viz.explore(loss, params=model, check_budget=10).data
    assert data["check"]["ok"] is None and "check_budget=10" in data["check"]["summary"]
    model, x, loss = small_model()
    assert viz.explore(loss, params=model, check=False).data["check"]["summary"].startswith(
        "switched off")


def test_explore_refuses_a_graph_whose_backward_already_ran():
    g, a, b = readme_expression()
    g.backward()
    with pytest.raises(ValueError, match="record_backward"):
        viz.explore(g)


def test_explore_takes_a_record_and_names_modules():
    model, x, _ = small_model()
    loss = model(x).sum()
    with autograd.record_backward() as rec:
        loss.backward()
    before = model[0].weight.grad.data.copy()
    data = viz.explore(loss, params=model, record=rec).data
    np.testing.assert_array_equal(model[0].weight.grad.data, before)   # no second backward
    titles = {p: s["title"] for p, s in data["scopes"].items()}
    assert titles == {"Sequential": "Sequential", "Sequential/0": "0: Linear",
                      "Sequential/1": "1: Tanh", "Sequential/2": "2: Linear"}
    w = _by_label(data, "0.weight")
    assert w["param"] and w["scope"] == "Sequential/0" and w["value"]["s"] == [3, 4]
    np.testing.assert_allclose(w["grad"]["d"], model[0].weight.grad.data.ravel(), rtol=1e-6)
    np.testing.assert_allclose(w["value"]["d"], model[0].weight.data.ravel(), rtol=1e-6)
    assert data["collapsed"] == []                      # small: fully open
    assert viz.explore(loss, params=model, record=rec, max_nodes=5).data["collapsed"] == [
        "Sequential"]


def test_explore_without_params_names_the_parameters_inside_their_module_boxes():
    model, x, loss = small_model()                      # the README's one-argument call
    data = viz.explore(loss).data
    leaves = [(n["label"], n["scope"], n["param"]) for n in data["nodes"]
              if n["k"] == "t" and n["leaf"]]
    assert sorted(leaves) == sorted([
        ("input1", "", False),
        ("weight", "Sequential/0", True), ("bias", "Sequential/0", True),
        ("weight", "Sequential/2", True), ("bias", "Sequential/2", True)])
    assert not any(label.startswith("leaf") for label, _, _ in leaves)
    w = next(n for n in data["nodes"] if n["k"] == "t" and n["label"] == "weight"
             and n["scope"] == "Sequential/0")
    assert w["name"] == "weight" and w["value"]["s"] == [3, 4]
    np.testing.assert_allclose(w["grad"]["d"], model[0].weight.grad.data.ravel(), rtol=1e-6)
    assert {"Sequential/0", "Sequential/2"} <= set(data["scopes"])
    # the Parameter's own name and repr are untouched: the label comes from its module
    assert model[0].weight.name is None and "name=" not in repr(model[0].weight)


def test_record_of_another_graph_is_refused():
    g, a, b = readme_expression()
    with autograd.record_backward() as rec:
        g.backward()
    L, _ = lecture_expression()
    with pytest.raises(ValueError, match="holds no step of this graph"):
        viz.explore(L, record=rec)


def test_initial_collapse_picks_the_deepest_level_that_fits():
    scopes = {"m": {"depth": 1}, "m/0": {"depth": 2}, "m/1": {"depth": 2}}
    nodes = [""] * 3 + ["m/0"] * 10 + ["m/1"] * 10 + ["m"] * 2
    assert initial_collapse(nodes, scopes, 100) == []
    assert initial_collapse(nodes, scopes, 7) == ["m/0", "m/1"]        # 3 + 2 + 2
    assert initial_collapse(nodes, scopes, 4) == ["m"]                 # 3 + 1
    assert initial_collapse(nodes, scopes, 2) == ["m"]                 # nothing fits: top


def test_array_encoding_exact_when_small_statistics_when_large():
    assert encode(np.array(np.nan)) == "nan" and encode(np.float32(0.1)) == 0.100000001
    assert np.float32(encode(np.float32(0.1))) == np.float32(0.1)
    a = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    small = encode(a)
    assert small["s"] == [3, 4] and small["d"] == a.ravel().tolist() and "h" not in small
    big = encode(np.linspace(-1, 1, 500), max_full=100)
    assert "d" not in big and len(big["hd"]) == 8 and sum(big["h"]["c"]) == 500
    assert big["st"]["mean"] == pytest.approx(0.0, abs=1e-12)
    assert big["st"]["norm"] == pytest.approx(np.linalg.norm(np.linspace(-1, 1, 500)))
    bad = encode(np.array([1.0, np.inf, np.nan]))
    assert bad["d"] == [1.0, "inf", "nan"] and bad["st"]["nan"] == 1 and bad["st"]["inf"] == 1


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.external, self.scripts_with_src, self.csp = [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href", "xlink:href", "action", "data"):
            if re.match(r"\s*(https?:|//|ftp:)", attrs.get(key) or ""):
                self.external.append((tag, key))
        if tag == "script" and "src" in attrs:
            self.scripts_with_src += 1
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = attrs["content"]


def test_page_is_one_self_contained_file():
    g, a, b = readme_expression()
    page = viz.explore(g)
    parser = _Links()
    parser.feed(page.html)
    assert parser.external == [] and parser.scripts_with_src == 0
    assert parser.csp.startswith("default-src 'none'")
    assert "@import" not in page.html and "url(http" not in page.html
    assert page.html.count("<script") == 2                  # the data and the explorer
    frame = page._repr_html_()
    assert frame.startswith("<iframe") and 'srcdoc="&lt;!DOCTYPE html&gt;' in frame
    assert "Explorer(" in repr(page)


def test_explore_input_errors():
    with pytest.raises(TypeError, match="root must be a Tensor"):
        viz.explore("loss")
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="explore: running backward"):
        viz.explore(x * 2)                     # not a scalar: backward needs a gradient
    nn.manual_seed(0)


def test_the_readmes_explore_example_prints_what_it_says(tmp_path, monkeypatch, capsys):
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = next(b for b in re.findall(r"```py\n(.*?)```", readme, re.S) if "viz.explore" in b)
    monkeypatch.chdir(tmp_path)                                  # it writes L.html
    exec(compile(block, "README-explore", "exec"), {})
    expected = block.strip().splitlines()[-1].lstrip("# ")
    assert capsys.readouterr().out.strip() == expected
    assert (tmp_path / "L.html").read_text().startswith("<!DOCTYPE html>")
