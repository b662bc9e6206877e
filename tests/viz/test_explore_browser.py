"""viz.explore's page in a real browser (headless Chromium driven by Playwright).

Needs Playwright for Python (``pip install playwright``) and a Chromium
executable (Debian's ``chromium``; never ``playwright install``): the tests
skip, saying which is missing, where either is. CI (.ci/run) installs both.
"""
import atexit
import os
import re
import shutil

import numpy as np
import pytest

import autograd
import viz
from .conftest import small_model
from .test_explore import readme_expression

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def find_chromium():
    """A Chromium/Chrome executable: $CHROMIUM, else the usual names on PATH; None if none."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser",
                      "google-chrome", "google-chrome-stable"):
        if candidate:
            found = shutil.which(candidate)
            if found:
                return found
    return None


_SHARED = {}


def shared_browser():
    """One headless Chromium for the whole test session, shared by every browser test module
    (Playwright's sync API allows one running instance per thread); None with the reason why
    it cannot start."""
    if "browser" in _SHARED:
        return _SHARED["browser"], _SHARED.get("why")
    try:
        from playwright import sync_api
    except ImportError:
        _SHARED.update(browser=None, why="Playwright for Python is not installed (pip install "
                       "playwright; CI installs it): browser tests skipped")
        return None, _SHARED["why"]
    executable = find_chromium()
    if executable is None:
        _SHARED.update(browser=None, why="no Chromium executable found (apt-get install "
                       "chromium, or set $CHROMIUM): browser tests skipped")
        return None, _SHARED["why"]
    p = sync_api.sync_playwright().start()
    _SHARED.update(playwright=p, browser=p.chromium.launch(executable_path=executable,
                                                           args=CHROMIUM_ARGS))
    atexit.register(_stop)
    return _SHARED["browser"], None


def _stop():
    _SHARED["browser"].close()
    _SHARED["playwright"].stop()


@pytest.fixture
def browser():
    """The session's headless Chromium (skips, saying what is missing, when there is none)."""
    b, why = shared_browser()
    if b is None:
        pytest.skip(why)
    return b


class Opened:
    """A page loaded from a file, with every request and every script error it made."""

    def __init__(self, browser, path, width=1400, height=850):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.set_default_timeout(5000)
        self.requests, self.errors = [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(path.resolve().as_uri())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.page.close()


def open_explorer(browser, path, whole=True):
    """Open an explorer page; ``whole``: press "fit" so the whole graph is on screen."""
    opened = Opened(browser, path)
    opened.page.wait_for_selector("body[data-ready='1']", timeout=15000)
    if whole:
        opened.page.click("#fit")
    return opened


def _numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


def test_page_loads_with_no_network_request_and_no_error(browser, tmp_path):
    g, a, b = readme_expression()
    path = viz.explore(g, tmp_path / "g.html").path
    with open_explorer(browser, path) as o:
        assert o.errors == []
        assert o.requests == [path.resolve().as_uri()]        # the file itself, nothing else
        visible = int(o.page.get_attribute("#graph", "data-visible"))
        assert visible == 52 and o.page.locator("g.node").count() == 52   # all open


def test_click_a_node_reads_its_value_and_gradient(browser, tmp_path):
    model, x, _ = small_model()
    loss = model(x).sum()
    with autograd.record_backward() as rec:
        loss.backward()
    path = viz.explore(loss, tmp_path / "m.html", params=model, record=rec).path
    with open_explorer(browser, path) as o:
        page = o.page
        page.click("g.node[data-name='0.bias']")
        value = page.locator("#inspector .value")
        grad = page.locator("#inspector .grad")
        assert "(3,), 3 values" in value.inner_text()
        shown_value = _numbers(page.locator("#inspector .value pre").inner_text())
        shown_grad = _numbers(page.locator("#inspector .grad pre").inner_text())
        np.testing.assert_allclose(shown_value, model[0].bias.data, rtol=1e-5)
        np.testing.assert_allclose(shown_grad, model[0].bias.grad.data, rtol=1e-5)
        assert "L2 norm" in grad.inner_text()
        # a scalar: the loss itself
        page.click(f"g.node[data-id='{0}']")
        assert float(page.locator("#inspector .value").get_attribute("data-value")) == \
            pytest.approx(loss.item(), rel=1e-6)
        assert o.errors == []


def test_collapse_and_expand_a_scope(browser, tmp_path):
    model, x, _ = small_model()
    loss = model(x).sum()
    with autograd.record_backward() as rec:
        loss.backward()
    path = viz.explore(loss, tmp_path / "m.html", params=model, record=rec).path
    with open_explorer(browser, path) as o:
        page = o.page
        before = int(page.get_attribute("#graph", "data-visible"))
        page.click(".cluster-head[data-scope='Sequential/0'] text")        # "- 0: Linear"
        collapsed = page.locator("g.scope-node[data-scope='Sequential/0']")
        assert collapsed.count() == 1 and "0: Linear" in collapsed.text_content()
        after = int(page.get_attribute("#graph", "data-visible"))
        assert after == before - 4 + 1          # weight, bias, the linear op and its output
        page.click("#fit")
        collapsed.click()                                                 # expand again
        assert page.locator("g.scope-node").count() == 0
        assert int(page.get_attribute("#graph", "data-visible")) == before
        page.click("#fit")
        page.click(".cluster-head[data-scope='Sequential'] text")
        assert int(page.get_attribute("#graph", "data-visible")) < before
        assert o.errors == []


def test_one_argument_explore_draws_named_parameters_inside_their_module_boxes(browser, tmp_path):
    model, x, loss = small_model()
    path = viz.explore(loss, tmp_path / "m.html").path           # no params=
    with open_explorer(browser, path) as o:
        page = o.page
        assert page.locator("g.node[data-name='weight']").count() == 2
        assert page.locator("g.node[data-name='bias']").count() == 2
        for k in ("0", "2"):
            box = page.locator(f"g.cluster[data-scope='Sequential/{k}'] > rect").bounding_box()
            inside = [n for n in page.locator("g.node[data-name='weight'], "
                                              "g.node[data-name='bias']").all()
                      if _within(n.bounding_box(), box)]
            assert len(inside) == 2, k                  # this layer's weight and bias
        before = int(page.get_attribute("#graph", "data-visible"))
        page.click(".cluster-head[data-scope='Sequential/0'] text")
        assert int(page.get_attribute("#graph", "data-visible")) == before - 4 + 1
        assert o.errors == []


def _within(inner, outer):
    return (inner["x"] >= outer["x"] - 0.5 and inner["y"] >= outer["y"] - 0.5
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5)


def test_large_graph_starts_collapsed(browser, tmp_path):
    model, x, _ = small_model()
    loss = model(x).sum()
    with autograd.record_backward() as rec:
        loss.backward()
    path = viz.explore(loss, tmp_path / "m.html", params=model, record=rec, max_nodes=5).path
    with open_explorer(browser, path) as o:
        assert o.page.locator("g.scope-node[data-scope='Sequential']").count() == 1
        assert int(o.page.get_attribute("#graph", "data-visible")) == 4   # x, model, sum, loss
        o.page.click("#expand-all")
        assert o.page.locator("g.scope-node").count() == 0


def _step_rows(page):
    """(target, upstream, local, downstream) as shown in the step panel, from the numbers'
    full-precision data attributes and from their displayed text."""
    rows = []
    for row in page.locator("#step-body .contrib").all():
        target = row.inner_text().split(":")[0].lstrip("\u2192 ").strip()
        spans = {cls: row.locator(f"span.{cls}") for cls in ("up", "local", "down")}
        values = {cls: float(s.get_attribute("data-value")) for cls, s in spans.items()}
        shown = {cls: float(s.inner_text()) for cls, s in spans.items()}
        rows.append((target, values, shown))
    return rows


def test_replay_of_the_readme_expression_shows_chainrules_gradients(browser, tmp_path):
    g, a, b = readme_expression()
    page_obj = viz.explore(g, tmp_path / "g.html")
    with open_explorer(browser, page_obj.path) as o:
        page = o.page
        page.click("#first")
        assert page.get_attribute("#step", "data-phase") == "leaves"
        forward, backward = page_obj.data["forward"], page_obj.data["backward"]
        for _ in forward:                                  # the forward pass, node by node
            page.keyboard.press("ArrowRight")
            assert page.get_attribute("#step", "data-phase") == "forward"
        page.keyboard.press("ArrowRight")
        assert page.get_attribute("#step", "data-phase") == "seed"
        assert float(page.locator("#step-body .seed").get_attribute("data-value")) == 1.0
        sums = {}
        for k in range(len(backward)):
            page.keyboard.press("ArrowRight")
            assert page.get_attribute("#step", "data-phase") == "backward"
            assert page.locator("g.node.op.current").count() == 1
            labels = [t.text_content() for t in page.locator("text.edge-label").all()]
            for target, exact, shown in _step_rows(page):
                assert f"\u2190 {shown['down']:g}" in labels or any(     # on the edge too
                    float(label[2:]) == pytest.approx(shown["down"], rel=1e-5)
                    for label in labels)
                assert exact["up"] * exact["local"] == pytest.approx(exact["down"], rel=1e-12)
                assert shown["up"] * shown["local"] == pytest.approx(shown["down"], rel=1e-4,
                                                                     abs=1e-4)
                sums.setdefault(target, []).append(exact["down"])
        assert sum(sums["a"]) == pytest.approx(a.grad.item(), rel=1e-12)
        assert sum(sums["b"]) == pytest.approx(b.grad.item(), rel=1e-12)
        page.keyboard.press("ArrowRight")
        assert page.get_attribute("#step", "data-phase") == "end"
        page.click("#fit")
        # colours: mean |grad| on a log scale, the largest gradient darkest, the smallest palest
        tensors = [n for n in page_obj.data["nodes"] if n["k"] == "t" and n["mag"]]
        largest = max(tensors, key=lambda n: n["mag"])
        smallest = min(tensors, key=lambda n: n["mag"])
        assert largest["label"] == "b"                          # |dg/db| = 645.6
        fill = lambda n: page.locator(f"g.node[data-id='{n['id']}'] rect.box").evaluate(  # noqa
            "r => getComputedStyle(r).fill")
        assert fill(largest) == "rgb(8, 48, 107)"               # the dark end of the scale
        assert fill(smallest) == "rgb(247, 251, 255)"           # the pale end
        # the inspector's explicit sum over a's consumers equals a.grad, as shown
        page.click("g.node[data-name='a']")
        total = page.locator("#inspector .sumline .total")
        assert float(total.get_attribute("data-value")) == a.grad.item()
        assert float(total.inner_text()) == pytest.approx(a.grad.item(), rel=1e-5)
        terms = [float(t.get_attribute("data-value"))
                 for t in page.locator("#inspector ol.sum .term").all()]
        assert terms == sums["a"]                              # in arrival order
        check = page.locator("#inspector .check")
        assert "relative error" in check.inner_text() and "\u2713" in check.inner_text()
        assert float(page.locator("#inspector .check .numerical").get_attribute(
            "data-value")) == pytest.approx(a.grad.item(), rel=1e-6)
        assert o.errors == [] and len(o.requests) == 1


def test_search_finds_and_selects_a_node(browser, tmp_path):
    model, x, _ = small_model()
    loss = model(x).sum()
    with autograd.record_backward() as rec:
        loss.backward()
    path = viz.explore(loss, tmp_path / "m.html", params=model, record=rec, max_nodes=8).path
    with open_explorer(browser, path) as o:
        page = o.page
        page.fill("#search", "2.weight")
        assert page.inner_text("#hits") == "1 match"
        page.press("#search", "Enter")                      # opens its scope and selects it
        assert page.locator("g.node.selected[data-name='2.weight']").count() == 1
        assert page.locator("#inspector h3").inner_text() == "2.weight"


def test_play_runs_the_replay_and_pauses(browser, tmp_path):
    g, a, b = readme_expression()
    path = viz.explore(g, tmp_path / "g.html").path
    with open_explorer(browser, path) as o:
        page = o.page
        page.click("#first")
        page.click("#play")                                    # a step every 0.7 s
        for _ in range(100):            # (wait_for_function would need eval, which the CSP bars)
            if page.evaluate("explorer.pos()") >= 2:
                break
            page.wait_for_timeout(100)
        page.click("#play")                                    # pause
        stopped = page.evaluate("explorer.pos()")
        page.wait_for_timeout(1000)
        assert page.evaluate("explorer.pos()") == stopped and 2 <= stopped < 52
        assert o.errors == []
