"""The README's demo, examples/deep_xor.py, as scripts/demo.sh runs it: its report, files and
figures (its claims over seeds are tested with the lecture's, in test_lecture.py).

The example runs as a script (``python examples/deep_xor.py --smoke --out DIR``), as a
user runs it: in its own process, so OPENBLAS_NUM_THREADS=1 takes effect (threaded BLAS
makes these tiny matrices several times slower on a loaded machine) and nn's global
generator is left alone. The tests read the figures back from its results.json.

Only what holds on every machine is asserted: a direction between two trained figures
only where it held with a clear margin for every seed and BLAS kernel we measured (seeds
0-4 or more, OPENBLAS_CORETYPE Haswell / Sandybridge / Prescott, 1 and 2 threads; the
figures are in the comments).
"""
import html.parser
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("graphviz")

import nn  # noqa: E402
from examples import deep_xor  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _run(name, out, *args):
    """Run examples/<name>.py with ``args`` writing to ``out``; returns (stdout, results)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), *args,
                           "--out", str(out)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads((Path(out) / "results.json").read_text())


class _Sections(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.external = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.ids.append(attrs.get("id"))
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)


def _check_report(path):
    text = Path(path).read_text(encoding="utf-8")
    parser = _Sections()
    parser.feed(text)
    assert parser.ids == ["summary", "computation-graph", "gradient-flow",
                          "activation-statistics", "training-curves", "update-weight-ratio"]
    assert parser.external == []
    assert "Not recorded" not in text                     # every section got its data
    graph = text[text.index('id="computation-graph"'):text.index('id="gradient-flow"')]
    assert "<iframe" in graph and "sigmoid" in graph and "relu" in graph   # viz.explore


# -- the demo at its smoke size -------------------------------------------------------

@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("deep_xor")
    return _run("deep_xor", out, "--smoke", "--seed", "0")[1], out


def test_deep_xor_relu_learns_and_sigmoid_stays_at_chance(xor_run):
    res, _ = xor_run
    sig, relu = res["sigmoid"], res["relu"]
    # Measured at smoke size over seeds 0-11 (0-4 also with OPENBLAS_CORETYPE Sandybridge and
    # Prescott): sigmoid |loss - ln 2| 0.0003-0.0022, training accuracy 0.485-0.555, never
    # above the majority class's fraction; ReLU training accuracy 0.71-1.0, test 0.66-0.985.
    assert abs(sig["train_loss"] - math.log(2)) < 0.01
    assert sig["train_accuracy"] <= res["majority_fraction"] + 0.05
    assert relu["train_accuracy"] >= sig["train_accuracy"] + 0.1     # measured gap >= 0.19
    assert relu["test_accuracy"] >= sig["test_accuracy"] + 0.1       # measured gap >= 0.21
    # ReLU training loss: 0.001-0.19 for every seed but seed 4 (0.53 on every kernel: a slow
    # start, 60 epochs are not enough), against the sigmoid's 0.687-0.695.
    assert relu["train_loss"] < sig["train_loss"]


def test_deep_xor_sigmoid_gradients_vanish_towards_the_input(xor_run):
    res, _ = xor_run
    sig, relu = res["sigmoid"], res["relu"]
    assert len(sig["grad_norm_init"]) == len(relu["grad_norm_init"]) == 10
    # input layer's gradient orders of magnitude below the output layer's, for sigmoid only;
    # measured over seeds 0-4: sigmoid 3.9e-8-1.4e-6 at init, 2.8e-7-3.5e-6 mean; ReLU
    # 0.72-9.2 at init, 2.8-6.4 mean
    assert sig["grad_ratio_init"] < 1e-4 and sig["grad_ratio_mean"] < 1e-4
    assert relu["grad_ratio_init"] > 1e-2 and relu["grad_ratio_mean"] > 1e-2


def test_deep_xor_writes_report_graph_and_results(xor_run):
    res, out = xor_run
    _check_report(out / "report.html")
    assert (out / "graph.svg").read_text().lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE"))
    assert res["files"] == {"graph": str(out / "graph.svg"), "report": str(out / "report.html")}
    assert len(res["verdicts"]) == 3


@pytest.mark.slow
def test_demo_runs_deep_xor_at_the_demo_size_and_writes_the_report(tmp_path):
    """scripts/demo.sh runs `python examples/deep_xor.py` (full size): run it the same way."""
    stdout, saved = _run("deep_xor", tmp_path)
    assert f"report: {tmp_path / 'report.html'}" in stdout
    assert "activation | train loss" in stdout
    _check_report(tmp_path / "report.html")
    assert saved["config"]["epochs"] == deep_xor.CONFIGS["full"]["epochs"]
    assert not saved["config"]["smoke"]
    assert saved["relu"]["train_accuracy"] >= saved["sigmoid"]["train_accuracy"] + 0.1
    assert (tmp_path / "graph.svg").exists()


def test_deep_xor_build_model_shape():
    model = deep_xor.build_model(nn.Sigmoid, depth=9, width=10)
    assert len(deep_xor.weights(model)) == 10
    assert [tuple(p.shape) for _, p in deep_xor.weights(model)][::9] == [(10, 2), (1, 10)]
