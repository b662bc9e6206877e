"""Examples 1-3 in their smoke size: each asserts its lecture claim's direction and its files.

Each example runs as a script (``python examples/<name>.py --smoke --out DIR``,
which calls its ``main(smoke=True)``), as a user runs it: in its own process,
so OPENBLAS_NUM_THREADS=1 takes effect (threaded BLAS makes these tiny
matrices several times slower on a loaded machine) and nn's global generator
is left alone. The tests read the figures back from its results.json. The
demo test runs the README's demo experiment at the size scripts/demo.sh runs.

Only what holds on every machine is asserted. A direction between two trained
figures is asserted on the seed-0 run only where it held with a clear margin
for every seed and BLAS kernel we measured (seeds 0-4 or more, OPENBLAS_CORETYPE
Haswell / Sandybridge / Prescott, 1 and 2 threads; the figures are in the
comments); where one seed's comparison is close, the test runs the example's
own functions for more seeds and compares medians.
"""
import html.parser
import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("graphviz")

import nn  # noqa: E402
from examples import activations, deep_xor, weight_init  # noqa: E402

from ._child import run_child  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def _run(name, out, *args):
    """Run examples/<name>.py with ``args`` writing to ``out``; returns (stdout, results)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), *args,
                           "--out", str(out)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads((Path(out) / "results.json").read_text())


def _is_png(path):
    return Path(path).read_bytes()[:8] == PNG


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


# -- 1. deep XOR -----------------------------------------------------------------------

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


# -- 2. activation functions -----------------------------------------------------------

@pytest.fixture(scope="module")
def act_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("activations")
    return _run("activations", out, "--smoke", "--seed", "0")[1], out


@pytest.mark.parametrize("dataset", ["spirals", "digits"])
def test_activations_sigmoid_is_slowest_and_worst(act_run, dataset):
    res = act_run[0][dataset]
    assert set(res) == set(activations.ACTIVATIONS)
    others = [a for a in res if a != "sigmoid"]
    # Measured over seeds 0-4 (identical to 3 digits with OPENBLAS_CORETYPE Haswell,
    # Sandybridge, Prescott): epochs to the threshold, sigmoid never, tanh 21-22 of 30
    # (spirals) / 2 of 5 (digits), ReLU 14-21 / 3; final training loss, sigmoid 0.75-0.80
    # vs the others' <= 0.38 (spirals), 0.64-0.72 vs <= 0.20 (digits); test accuracy,
    # sigmoid 0.54-0.62 vs the others' >= 0.84 (spirals), 0.81-0.87 vs >= 0.91, each seed's
    # gap >= 0.08 (digits).
    assert res["sigmoid"]["epochs_to_threshold"] is None
    assert res["tanh"]["epochs_to_threshold"] is not None
    assert res["relu"]["epochs_to_threshold"] is not None
    assert all(res["sigmoid"]["train_loss"] > res[a]["train_loss"] for a in others)
    assert all(res["sigmoid"]["test_accuracy"] < res[a]["test_accuracy"] for a in others)


SPEED_SEEDS = range(1, 5)             # with the seed-0 run: five seeds


@pytest.fixture(scope="module")
def spirals_speed_over_seeds():
    """Epochs to the training-accuracy threshold of ReLU and tanh on spirals, seeds 1-4."""
    return run_child(
        "from examples import activations as m\n"
        "cfg = m.CONFIGS['smoke']['spirals']\n"
        f"emit([{{a: m.run(a, m.load('spirals', s), cfg['epochs'], cfg['threshold'], s)[0]"
        f"['epochs_to_threshold'] for a in ('relu', 'tanh')}} for s in {list(SPEED_SEEDS)}])")


def test_activations_relu_faster_than_tanh_and_dies_on_spirals(act_run, spirals_speed_over_seeds):
    res = act_run[0]["spirals"]
    # Epochs to 90% training accuracy, seeds 0-9 (0-4 the same with OPENBLAS_CORETYPE
    # Haswell, Sandybridge, Prescott): ReLU 15 16 14 21 19 15 18 15 17 18, tanh 21 21 21 22 22 22 22
    # 23 19 21. One seed's gap can be a single epoch (seed 3), so compare medians: seeds 0-4,
    # 16 vs 21; seeds 5-9, 17 vs 22. Not reached within the budget counts as infinitely slow.
    runs = [{a: res[a]["epochs_to_threshold"] for a in ("relu", "tanh")},
            *spirals_speed_over_seeds]
    median = {a: statistics.median(math.inf if r[a] is None else r[a] for r in runs)
              for a in ("relu", "tanh")}
    assert median["relu"] < median["tanh"], runs
    # Fraction of units never active over the last epoch, seeds 0-9: ReLU 0.117-0.188,
    # PReLU 0-0.055 (its negative side still passes a gradient).
    assert res["relu"]["dead_fraction"] > res["prelu"]["dead_fraction"]
    assert res["maxout"]["parameters"] > 1.9 * res["relu"]["parameters"]


def test_activations_writes_plots_and_results(act_run):
    res, out = act_run
    for name in ("spirals_curves.png", "digits_curves.png"):
        assert _is_png(out / name)
    assert len(res["verdicts"]) == 8
    assert res["files"]["results"] == str(out / "results.json")


# -- 3. weight initialization ----------------------------------------------------------

@pytest.fixture(scope="module")
def init_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("weight_init")
    return _run("weight_init", out, "--smoke", "--seed", "0")[1], out


def test_weight_init_tanh_small_collapses_and_large_saturates(init_run):
    c = init_run[0]["configs"]
    depth = weight_init.CONFIGS["smoke"]["depth"]
    assert all(len(c[k]["std"]) == depth for k in c)
    assert c["tanh/small"]["std"][-1] < 1e-3 * c["tanh/xavier"]["std"][-1]
    assert c["tanh/large"]["saturated"][-1] > 0.5
    assert c["tanh/xavier"]["saturated"][-1] < 0.05
    assert c["tanh/xavier"]["std"][-1] > 0.1


def test_weight_init_relu_he_keeps_the_std_and_xavier_shrinks_it(init_run):
    c = init_run[0]["configs"]
    he, xavier = c["relu/he"]["std"], c["relu/xavier"]["std"]
    assert 0.5 < he[-1] / he[0] < 2
    assert xavier[-1] < 0.2 * xavier[0]
    assert c["relu/large"]["std"][-1] > 1e3 * c["relu/large"]["std"][0]


def test_weight_init_batch_norm_keeps_every_init_healthy(init_run):
    c = init_run[0]["configs"]
    for act in weight_init.ACTIVATIONS:
        for init in weight_init.INITS:
            std = c[f"{act}/{init}/bn"]["std"]
            assert 0.3 < min(std) and max(std) < 1.0, (act, init, std)


def test_weight_init_writes_plots_and_results(init_run):
    res, out = init_run
    assert _is_png(out / "std_per_layer.png")
    hists = [f for k, f in res["files"].items() if k.startswith("hist_")]
    assert len(hists) == len(weight_init.CONFIGS["smoke"]["histograms"])
    assert all(_is_png(f) for f in hists)
    assert len(res["verdicts"]) == 8 and all("holds" in line for line in res["verdicts"])
