"""Size and opening time of viz.explore's page for a ~5,000-node graph (target: < 5 MB, < 2 s).

The graph: one training step of micrograd's demo network as micrograd writes
it (benchmarks/bench_viz.py's: a 2-16-16-1 tanh MLP of 0-d parameters, every
neuron a sum of w*x products, each Neuron, Layer and the MLP an nn.Module, on
a batch of 4 points with the hinge loss), its backward recorded with
``autograd.record_backward``. Measured for the page as written by default
(past ``max_nodes=300`` nodes it opens with scopes collapsed) and fully open
(``max_nodes=None``: every node laid out and drawn at once):

- "write": the time viz.explore takes to build the page (median of a few runs);
- "size": the HTML file's size;
- "open": from navigation start to the page's script having laid out and
  drawn the graph (``body[data-ready-ms]``, the page's own clock), in
  headless Chromium, median over fresh pages; "nodes drawn": the SVG nodes
  then (big graphs draw only what is near the view);
- "expand all / fit all": on the default page, clicking "expand all" (lay
  out every node and draw those in view); on the fully open page, clicking
  "fit" (every node on screen, drawn as boxes without text), median.

Chromium: Debian's ``chromium`` driven by Playwright for Python (never
``playwright install``). Nothing is asserted; the targets are printed beside.

Run:  .venv/bin/python benchmarks/bench_explore.py [--repeats 5]
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import machine_line, print_table

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_viz import chainrule_model, step  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def recorded_step():
    """The loss of one micrograd-style MLP step and the record of its backward."""
    import autograd
    from autograd import Tensor
    model, X, y = chainrule_model()
    loss = step(model, X, y, lambda v: Tensor(v, dtype="float64"), l2=False)
    with autograd.record_backward() as rec:
        loss.backward()
    return model, loss, rec


def write_pages(folder, repeats):
    import viz
    model, loss, rec = recorded_step()
    pages, rows = {}, []
    for label, max_nodes in (("default (collapsed)", 300), ("fully open", None)):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            page = viz.explore(loss, params=model, record=rec, max_nodes=max_nodes)
            times.append(time.perf_counter() - t0)
        path = page.save(Path(folder) / f"explore-{max_nodes}.html")
        pages[label] = path
        rows.append((label, len(page.data["nodes"]), statistics.median(times),
                     path.stat().st_size))
    return pages, rows


def open_times(path, repeats, expand=False):
    from playwright.sync_api import sync_playwright
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise SystemExit("bench_explore: no chromium on PATH (apt-get install chromium)")
    opens, expands, drawn = [], [], None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        for _ in range(repeats + 1):                          # the first run warms up
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(path.resolve().as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=60000)
            # ms from navigation start to the first frame painted after the page's script
            page.wait_for_selector("body[data-painted-ms]", timeout=60000)
            opens.append(float(page.get_attribute("body", "data-painted-ms")))
            drawn = page.locator("g.node").count()
            button = "expand-all" if expand else "fit"
            ms = page.evaluate("""(id) => { const t = performance.now();
                document.getElementById(id).click();
                return performance.now() - t; }""", button)
            expands.append(ms / 1000)
            page.close()
        browser.close()
    return statistics.median(opens[1:]) / 1000, drawn, statistics.median(expands[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory() as folder:
        pages, written = write_pages(folder, max(1, args.repeats // 2))
        rows = []
        for label, nodes, seconds, size in written:
            opened, drawn, expanded = open_times(pages[label], args.repeats,
                                                 expand=label.startswith("default"))
            rows.append([label, f"{nodes:,}", f"{seconds:.2f} s", f"{size / 1e6:.2f} MB",
                         f"{opened:.2f} s", f"{drawn:,}", f"{expanded:.2f} s"])
    print_table("viz.explore: a 5,000-node graph (micrograd MLP step), headless Chromium",
                ["page", "graph nodes", "write", "size", "open", "nodes drawn",
                 "expand all / fit all"],
                rows, notes=["targets (issue 11): size < 5 MB, open < 2 s",
                             f"medians; open and expand over {args.repeats} fresh pages"])


if __name__ == "__main__":
    main()
