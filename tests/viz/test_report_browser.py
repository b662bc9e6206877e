"""The demo's report as a reader sees it: headless Chromium opens it, the explorer inside works,
and a screenshot of each section is saved under the run's directory for people to look at.

The run: ``examples/deep_xor.py --smoke`` (the demo at its reduced size), written to
``$CHAINRULE_DEMO_RUN`` or ``runs/deep_xor-browser/`` (``runs/`` is git-ignored); the
screenshots go to ``<run>/screenshots/<section>.png``.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

import viz
from .test_explore_browser import Opened, shared_browser

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def browser():
    b, why = shared_browser()
    if b is None:
        pytest.skip(why)
    return b


@pytest.fixture(scope="module")
def demo_run():
    out = Path(os.environ.get("CHAINRULE_DEMO_RUN") or ROOT / "runs" / "deep_xor-browser")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "deep_xor.py"), "--smoke",
                           "--out", str(out)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


@pytest.mark.slow
def test_demo_report_opens_with_a_working_explorer_and_screenshots_each_section(
        browser, demo_run):
    out, stdout = demo_run
    assert "Verdicts:" in stdout
    shots = out / "screenshots"
    shots.mkdir(exist_ok=True)
    with Opened(browser, out / "report.html", width=1300, height=900) as o:
        page = o.page
        frame = page.frame_locator("iframe.explorer")
        frame.locator("body[data-ready='1']").wait_for(timeout=15000)
        ids = [s.get_attribute("id") for s in page.locator("section").all()]
        assert ids == ["summary", "computation-graph", "gradient-flow", "activation-statistics",
                       "training-curves", "update-weight-ratio"]
        # the explorer starts with each layer collapsed into one box named by its kind
        layer = frame.locator("g.scope-node[data-scope='Pair/sigmoid/0']")
        assert "0: Linear" in layer.text_content()
        assert frame.locator("g.scope-node").count() >= 38         # 2 x 19 layers
        for section in ids:
            where = page.locator(f"section#{section}")
            where.scroll_into_view_if_needed()
            page.wait_for_timeout(300)                # let the iframe paint after scrolling
            where.screenshot(path=str(shots / f"{section}.png"))
        # the first backward step, then the sigmoid network's first weight, found by name:
        # search opens its layer and selects it
        frame.locator("#to-backward").click()
        frame.locator("#next").click()
        assert frame.locator("#step").get_attribute("data-phase") == "backward"
        frame.locator("#search").fill("sigmoid.0.weight")
        frame.locator("#search").press("Enter")
        assert frame.locator("g.scope-node[data-scope='Pair/sigmoid/0']").count() == 0
        frame.locator("g.node[data-name='sigmoid.0.weight']").click()
        assert frame.locator("#inspector h3").inner_text() == "sigmoid.0.weight"
        assert "(10, 2), 20 values" in frame.locator("#inspector .value").inner_text()
        page.wait_for_timeout(300)
        page.locator("section#computation-graph").screenshot(
            path=str(shots / "computation-graph-opened.png"))
        assert o.errors == [] and o.requests == [(out / "report.html").resolve().as_uri()]
    for section in ids + ["computation-graph-opened"]:
        png = (shots / f"{section}.png").read_bytes()
        assert png[:8] == PNG and len(png) > 10_000
