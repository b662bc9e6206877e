"""viz.SummaryWriter and viz.TensorBoardCallback, read back the way TensorBoard reads them.

Event files are read with TensorBoard's own EventAccumulator; one test starts
the real ``tensorboard`` server on a loopback port and fetches every
dashboard's data through its HTTP data API.
"""
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="TensorBoard is not installed (pip install "
                    "'chainrule[tensorboard]'); viz.SummaryWriter needs it")

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa
from tensorboard.compat.proto import types_pb2  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
import viz  # noqa: E402
from autograd import Tensor  # noqa: E402
from viz.tensorboard import graph_def  # noqa: E402
from viz.tensorboard.summaries import tensorflow_bins  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
SIZES = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0, "compressedHistograms": 0}


def _load(path):
    acc = EventAccumulator(str(path), size_guidance=SIZES)
    acc.Reload()
    return acc


def _f32(values):
    return [float(np.float32(v)) for v in values]


def _numpy_buckets(values, bins):
    """numpy's histogram with the empty buckets at both ends dropped, as the proto stores it."""
    counts, edges = np.histogram(values, bins=bins)
    nz = np.flatnonzero(counts)
    s, e = nz[0], nz[-1] + 1
    return edges[s:e + 1].tolist(), [0.0] + counts[s:e].astype(float).tolist()


def _shapes(node):
    return [tuple(d.size for d in s.dim) for s in node.attr["_output_shapes"].list.shape]


def _two_layers():
    nn.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))


# -- scalars, text, figures ----------------------------------------------------------


def test_scalars_keep_their_values_steps_and_walltimes(tmp_path):
    values = [0.5, 1 / 3, -2.25, float("nan")]
    with viz.SummaryWriter(tmp_path) as w:
        assert w.log_dir == str(tmp_path) and w.get_logdir() == str(tmp_path)
        for step, v in enumerate(values):
            w.add_scalar("loss/train", v, global_step=10 * step, walltime=1000.0 + step)
        w.add_scalar("from_tensor", Tensor(np.float32(1.5)), 3)
        w.add_scalar("from_numpy", np.array([2.5]), np.int64(4))
    acc = _load(tmp_path)
    events = acc.Scalars("loss/train")
    assert [e.step for e in events] == [0, 10, 20, 30]
    assert [e.wall_time for e in events] == [1000.0, 1001.0, 1002.0, 1003.0]
    assert [e.value for e in events[:3]] == _f32(values[:3]) and math.isnan(events[3].value)
    assert [(e.step, e.value) for e in acc.Scalars("from_tensor")] == [(3, 1.5)]
    assert [(e.step, e.value) for e in acc.Scalars("from_numpy")] == [(4, 2.5)]


def test_add_scalars_writes_one_run_per_series_like_pytorch(tmp_path):
    with viz.SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalars("loss/all", {"train": 1.0 / (step + 1), "val": 2.0 + step}, step)
    train, val = _load(tmp_path / "loss_all_train"), _load(tmp_path / "loss_all_val")
    assert [(e.step, e.value) for e in train.Scalars("loss/all")] == \
        [(0, 1.0), (1, 0.5), (2, float(np.float32(1 / 3)))]
    assert [(e.step, e.value) for e in val.Scalars("loss/all")] == [(0, 2.0), (1, 3.0),
                                                                     (2, 4.0)]


def test_text_goes_to_the_text_plugin(tmp_path):
    with viz.SummaryWriter(tmp_path) as w:
        w.add_text("notes", "héllo **bold**", global_step=2)
    acc = _load(tmp_path)
    (event,) = acc.Tensors("notes")
    assert event.step == 2
    assert [s.decode("utf-8") for s in event.tensor_proto.string_val] == ["héllo **bold**"]
    assert acc.summary_metadata["notes"].plugin_data.plugin_name == "text"


def test_add_figure_writes_the_png_of_a_matplotlib_figure(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    fig = Figure(figsize=(3, 2))
    fig.subplots().plot([0, 1, 2], [1, 0, 1])
    with viz.SummaryWriter(tmp_path) as w:
        w.add_figure("curve", fig, global_step=5)
    (image,) = _load(tmp_path).Images("curve")
    assert (image.step, image.width, image.height) == (5, 300, 200)
    assert image.encoded_image_string.startswith(PNG)
    with pytest.raises(TypeError, match="matplotlib Figure"):
        viz.SummaryWriter(tmp_path / "b").add_figure("x", np.zeros((2, 2)))


# -- histograms ------------------------------------------------------------------------


@pytest.mark.parametrize("bins", ["tensorflow", 7, "auto", [-3.0, -1.0, 0.0, 0.5, 4.0]])
def test_histogram_buckets_are_numpys(tmp_path, bins):
    values = np.random.default_rng(0).normal(size=(40, 5))
    with viz.SummaryWriter(tmp_path) as w:
        w.add_histogram("weights", Tensor(values), global_step=3, bins=bins)
    (event,) = _load(tmp_path).Histograms("weights")
    h = event.histogram_value
    limits, counts = _numpy_buckets(values, tensorflow_bins() if bins == "tensorflow" else bins)
    assert event.step == 3
    assert h.bucket_limit == limits and h.bucket == counts
    assert (h.min, h.max, h.num) == (values.min(), values.max(), values.size)
    assert h.sum == pytest.approx(values.sum()) and h.sum_squares == pytest.approx(
        (values ** 2).sum())


def test_tensorflow_bins_are_tensorflows_exponential_edges():
    b = np.array(tensorflow_bins())
    assert b[len(b) // 2] == 0 and np.all(np.diff(b) > 0)
    positive = b[b > 0]
    assert positive[0] == 1e-12 and positive[-1] < 1e20 <= positive[-1] * 1.1
    assert np.allclose(positive[1:] / positive[:-1], 1.1)
    assert np.array_equal(b[b < 0], -positive[::-1])


def test_histogram_raw_is_written_as_given(tmp_path):
    with viz.SummaryWriter(tmp_path) as w:
        w.add_histogram_raw("h", 0, 2, 3, 3, 5, [1, 2], [1, 2], global_step=1)
    h = _load(tmp_path).Histograms("h")[0].histogram_value
    assert (list(h.bucket_limit), list(h.bucket), h.num, h.sum) == ([1, 2], [1, 2], 3, 3)


def test_bad_values_are_refused_with_the_tag_named(tmp_path):
    with viz.SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"'w'.*1 NaN and 1 Inf"):
            w.add_histogram("w", np.array([1.0, np.nan, np.inf]))
        with pytest.raises(ValueError, match="'w' are empty"):
            w.add_histogram("w", np.array([]))
        with pytest.raises(ValueError, match=r"'loss'.*shape \(3,\)"):
            w.add_scalar("loss", np.ones(3))
        with pytest.raises(TypeError, match="global_step must be an int"):
            w.add_scalar("loss", 1.0, global_step=1.5)
        with pytest.raises(TypeError, match="tag must be a non-empty str"):
            w.add_scalar("", 1.0)
        with pytest.raises(ValueError, match="one right edge per count"):
            w.add_histogram_raw("h", 0, 1, 1, 1, 1, [1, 2], [1])
    assert _load(tmp_path).Tags()["scalars"] == []


# -- the writer's files ------------------------------------------------------------------


def test_purge_step_hides_the_steps_a_restarted_run_rewrites(tmp_path):
    with viz.SummaryWriter(tmp_path) as w:
        for step in range(10):
            w.add_scalar("x", float(step), step)
    time.sleep(1.1)      # event files are ordered by the timestamp in their names
    with viz.SummaryWriter(tmp_path, purge_step=5) as w:
        for step in range(5, 8):
            w.add_scalar("x", 100.0 + step, step)
    events = _load(tmp_path).Scalars("x")
    assert [(e.step, e.value) for e in events] == \
        [(s, float(s)) for s in range(5)] + [(s, 100.0 + s) for s in range(5, 8)]


def test_default_log_dir_suffix_and_reopening_after_close(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = viz.SummaryWriter(comment="_lr0.1", filename_suffix=".chainrule")
    run = Path(w.log_dir)
    assert run.parent.name == "runs" and run.name.endswith(socket.gethostname() + "_lr0.1")
    w.add_scalar("x", 1.0, 0)
    w.close()
    w.add_scalar("x", 2.0, 1)              # a new event file, as PyTorch's writer does
    w.close()
    files = sorted(run.iterdir())
    assert len(files) == 2 and all(f.name.endswith(".chainrule") for f in files)
    assert [(e.step, e.value) for e in _load(run).Scalars("x")] == [(0, 1.0), (1, 2.0)]


def test_import_viz_needs_no_tensorboard_and_the_error_names_the_extra():
    code = ("import sys; sys.modules['tensorboard'] = None\n"
            "import viz\n"
            "try:\n"
            "    viz.SummaryWriter\n"
            "except ImportError as e:\n"
            "    print('ImportError:', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ImportError:") and "chainrule[tensorboard]" in out.stdout
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        viz.nothing


# -- graphs ------------------------------------------------------------------------------


def test_graph_of_a_two_layer_sequential_is_grouped_by_module_path(tmp_path):
    model = _two_layers()
    x = np.linspace(-1, 1, 20, dtype=np.float32).reshape(5, 4)
    with viz.SummaryWriter(tmp_path) as w:
        w.add_graph(model, x)
    nodes = {n.name: n for n in _load(tmp_path).Graph().node}
    assert list(nodes) == ["input", "Sequential/0/weight", "Sequential/0/bias",
                           "Sequential/0/linear", "Sequential/1/tanh", "Sequential/2/weight",
                           "Sequential/2/bias", "Sequential/2/linear"]
    edges = {name: list(n.input) for name, n in nodes.items() if n.input}
    assert edges == {
        "Sequential/0/linear": ["input", "Sequential/0/weight", "Sequential/0/bias"],
        "Sequential/1/tanh": ["Sequential/0/linear"],
        "Sequential/2/linear": ["Sequential/1/tanh", "Sequential/2/weight", "Sequential/2/bias"]}
    assert {n: _shapes(nodes[n]) for n in nodes} == {
        "input": [(5, 4)], "Sequential/0/weight": [(3, 4)], "Sequential/0/bias": [(3,)],
        "Sequential/0/linear": [(5, 3)], "Sequential/1/tanh": [(5, 3)],
        "Sequential/2/weight": [(2, 3)], "Sequential/2/bias": [(2,)],
        "Sequential/2/linear": [(5, 2)]}
    assert {n.attr["dtype"].type for n in nodes.values()} == {types_pb2.DT_FLOAT}
    assert {n: nodes[n].op for n in ("input", "Sequential/0/weight", "Sequential/1/tanh")} == \
        {"input": "Input", "Sequential/0/weight": "Parameter", "Sequential/1/tanh": "Tanh"}
    assert [nodes[n].attr["module"].s for n in ("Sequential/0/linear", "Sequential/1/tanh")] \
        == [b"Linear", b"Tanh"]



def test_graph_of_a_root_without_params_names_parameters_by_their_module_attribute():
    model = _two_layers()
    loss = model(Tensor(np.ones((5, 4), np.float32))).sum()
    names = [n.name for n in graph_def(loss).node]
    assert names == [n.name for n in graph_def(loss, params=model).node]
    assert "Sequential/0/weight" in names and "Sequential/2/bias" in names
    assert {n.name: n.op for n in graph_def(loss).node}["Sequential/0/weight"] == "Parameter"


def test_graph_has_one_node_per_op_and_per_leaf_with_every_edge():
    model = _two_layers()
    loss = (model(Tensor(np.ones((2, 4), np.float32))) ** 2).mean()
    tensors, _ = viz.graph.walk(loss)
    g = graph_def(loss, params=model)
    assert len(g.node) == len(tensors)
    ops = [t for t in tensors if t.grad_fn is not None]
    assert sum(len(n.input) for n in g.node) == sum(
        sum(isinstance(x, Tensor) for x in t.grad_fn.inputs) for t in ops)
    names = [n.name for n in g.node]
    assert names[-2:] == ["pow", "mean"] and len(set(names)) == len(names)
    assert g.node[-2].attr["b"].s == b"2"            # the op's constant argument


def test_graph_is_the_same_after_backward_dropped_the_values():
    model = _two_layers()
    loss = model(Tensor(np.ones((3, 4), np.float32))).tanh().sum()
    before = graph_def(loss, params=model)
    loss.backward()
    assert graph_def(loss, params=model) == before
    pair, x = _Pair(), Tensor(np.ones((3, 2), np.float32))      # x read by two ops
    left, right = pair(x)
    loss = (left * right).sum()
    before = graph_def(loss, params=pair)
    loss.backward()
    assert graph_def(loss, params=pair) == before
    assert [n.name for n in before.node].count("input") == 1


def test_graph_names_follow_name_scopes_and_stay_unique():
    a = Tensor(2.0, requires_grad=True, name="a", dtype="float64")
    clash = Tensor(1.0, requires_grad=True, name="out", dtype="float64")
    with autograd.name_scope("layer 1"):
        c = (a * a) * 3.0
    with autograd.name_scope("out"), autograd.name_scope("inner"):
        d = (c + clash).tanh()
    nodes = {n.name: n for n in graph_def(d).node}
    assert list(nodes) == ["a", "layer_1/mul", "layer_1/mul_1", "out_1", "out/inner/add",
                           "out/inner/tanh"]
    assert list(nodes["layer_1/mul"].input) == ["a", "a"]
    assert list(nodes["out/inner/add"].input) == ["layer_1/mul_1", "out_1"]
    assert nodes["a"].op == "Variable" and nodes["a"].attr["dtype"].type == types_pb2.DT_DOUBLE
    assert nodes["out_1"].attr["tensor_name"].s == b"out"
    assert _shapes(nodes["out/inner/tanh"]) == [()]


class Split(autograd.Function):
    """Two outputs from one op: the first element and twice the rest."""

    @staticmethod
    def forward(ctx, x):
        return x.data[:1] * 1.0, x.data[1:] * 2.0

    @staticmethod
    def backward(ctx, g_first, g_rest):
        return np.concatenate([g_first, 2.0 * g_rest])


def test_an_op_with_two_outputs_is_one_node_read_as_name_and_name_1():
    x = Tensor(np.arange(3.0), requires_grad=True, name="x")
    first, rest = Split.apply(x)
    y = first.sum() * rest.sum()
    nodes = {n.name: n for n in graph_def(y).node}
    assert list(nodes) == ["x", "split", "sum", "sum_1", "mul"]
    assert _shapes(nodes["split"]) == [(1,), (2,)]
    assert [list(nodes[n].input) for n in ("sum", "sum_1")] == [["split"], ["split:1"]]
    before = graph_def(y)
    y.backward()
    assert graph_def(y) == before


class _Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.left = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid())
        self.right = nn.Sequential(nn.Linear(2, 2), nn.ReLU())

    def forward(self, x):
        return self.left(x), self.right(x)


def test_graph_of_a_module_with_two_outputs_nests_the_submodules(tmp_path):
    with viz.SummaryWriter(tmp_path) as w:
        w.add_graph(_Pair(), Tensor(np.ones((3, 2), np.float32)))
    names = [n.name for n in _load(tmp_path).Graph().node]
    assert sorted(names) == sorted(
        ["input"] + [f"_Pair/{side}/0/{leaf}" for side in ("left", "right")
                     for leaf in ("weight", "bias", "linear")]
        + ["_Pair/left/1/sigmoid", "_Pair/right/1/relu"])


def test_add_graph_argument_errors(tmp_path):
    model = _two_layers()
    with viz.SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match="needs input_to_model"):
            w.add_graph(model)
        with pytest.raises(ValueError, match="input_to_model is for a Module"):
            w.add_graph(model(Tensor(np.ones((1, 4), np.float32))), np.ones((1, 4)))
        with pytest.raises(TypeError, match="output 0 is a str"):
            w.add_graph(nn.Sequential(_Text()), np.ones(2))


class _Text(nn.Module):
    def forward(self, x):
        return "text"


# -- the fit callback ----------------------------------------------------------------


def _fit(tmp_path, epochs=3, shared_diagnostics=False, **tb_kwargs):
    X, y = nn.data.moons(64, noise=0.1, seed=0)
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=16, shuffle=True,
                                generator=0)
    val = nn.data.DataLoader(nn.data.TensorDataset(X[:32], y[:32]), batch_size=32)
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    diag = optim.Diagnostics(model) if shared_diagnostics else None
    tb = viz.TensorBoardCallback(tmp_path, diagnostics=diag, **tb_kwargs)
    history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=epochs,
                        optimizer=optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                        val_loader=val, metrics=["accuracy"], seed=0, progress=False,
                        callbacks=[diag, tb] if diag else [tb])
    return model, history, tb, _load(tmp_path)


def _steps_values(acc, tag):
    return [e.step for e in acc.Scalars(tag)], [e.value for e in acc.Scalars(tag)]


def test_callback_logs_each_epoch(tmp_path):
    model, history, tb, acc = _fit(tmp_path)
    for tag, key in (("loss/train", "train_loss"), ("loss/val", "val_loss"),
                     ("accuracy/train", "train_accuracy"), ("accuracy/val", "val_accuracy"),
                     ("lr", "lr")):
        assert _steps_values(acc, tag) == ([0, 1, 2], _f32(history[key])), tag
    ratios = tb.diagnostics.history["update_ratio"]["0.weight"]            # 4 steps an epoch
    assert _steps_values(acc, "update_ratio/0.weight")[1] == pytest.approx(
        [np.mean(ratios[4 * e:4 * e + 4]) for e in range(3)], rel=1e-6)
    norms = tb.diagnostics.history["grad_norm"]["2.bias"]
    assert _steps_values(acc, "grad_norm/2.bias")[1] == pytest.approx(
        [np.mean(norms[4 * e:4 * e + 4]) for e in range(3)], rel=1e-6)
    params = dict(model.named_parameters())
    for tag, values in (("weights/0.weight", params["0.weight"].data),
                        ("gradients/2.weight", params["2.weight"].grad.data)):
        events = acc.Histograms(tag)
        assert [e.step for e in events] == [0, 1, 2]
        h = events[-1].histogram_value           # the last epoch: final weights, last grads
        assert (h.bucket_limit, h.bucket) == _numpy_buckets(values.astype(np.float64), 50)
    last = tb.diagnostics.epochs[-1]["layers"][0]
    h = acc.Histograms("activations/1")[-1].histogram_value
    counts = np.array(last["hist"]["counts"], dtype=float)
    assert sum(h.bucket) == counts.sum() and h.bucket[1:] == \
        counts[np.flatnonzero(counts)[0]:np.flatnonzero(counts)[-1] + 1].tolist()
    assert _steps_values(acc, "saturated/1")[1] == _f32(
        [e["layers"][0]["saturated"] for e in tb.diagnostics.epochs])
    assert [n.name for n in acc.Graph().node] == [
        "input", "Sequential/0/weight", "Sequential/0/bias", "Sequential/0/linear",
        "Sequential/1/tanh", "Sequential/2/weight", "Sequential/2/bias", "Sequential/2/linear"]
    text = {tag: acc.Tensors(tag)[0].tensor_proto.string_val[0].decode()
            for tag in ("model", "optimizer", "diagnostics")}
    assert "Linear(" in text["model"] and "momentum: 0.9" in text["optimizer"]
    assert text["diagnostics"] == "\n".join(
        f"- {w}" for w in tb.diagnostics.report()["warnings"]) or "no warnings"
    assert not model[1]._forward_hooks and not model._forward_hooks      # hooks removed


def test_callback_logs_each_step(tmp_path):
    model, history, tb, acc = _fit(tmp_path, epochs=2, update_freq="step", histograms=True)
    steps = list(range(1, 9))
    assert _steps_values(acc, "step/loss") == (steps, _f32(history["step_loss"]))
    assert _steps_values(acc, "step/lr") == (steps, _f32([0.1] * 8))
    assert _steps_values(acc, "update_ratio/0.weight") == (
        steps, _f32(tb.diagnostics.history["update_ratio"]["0.weight"]))
    assert [e.step for e in acc.Histograms("weights/0.weight")] == steps
    assert [e.step for e in acc.Histograms("activations/1")] == steps
    assert all(sum(e.histogram_value.bucket) == 16 * 8                 # one batch's outputs
               for e in acc.Histograms("activations/1"))
    assert _steps_values(acc, "loss/train") == ([0, 1], _f32(history["train_loss"]))


def test_callback_can_read_a_diagnostics_already_in_fit(tmp_path):
    model, history, tb, acc = _fit(tmp_path, shared_diagnostics=True, histograms=False)
    assert len(tb.diagnostics.history["step"]) == 12      # counted once, not twice
    assert _steps_values(acc, "update_ratio/0.weight")[1] == pytest.approx(
        [np.mean(tb.diagnostics.history["update_ratio"]["0.weight"][4 * e:4 * e + 4])
         for e in range(3)], rel=1e-6)
    assert acc.Tags()["histograms"] == []
    assert model[1]._forward_hooks           # the caller's Diagnostics keeps its hooks
    diag = optim.Diagnostics(model)
    tb = viz.TensorBoardCallback(tmp_path / "bad", diagnostics=diag)
    X = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match="before this callback"):
        optim.fit(model, [(X, np.zeros(4, np.int64))], loss_fn=nn.CrossEntropyLoss(),
                  optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=1,
                  callbacks=[tb, diag], progress=False)


def test_callback_with_a_writer_leaves_it_open(tmp_path):
    writer = viz.SummaryWriter(tmp_path)
    X, y = nn.data.moons(32, noise=0.1, seed=0)
    model = nn.Sequential(nn.Linear(2, 2))
    optim.fit(model, nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=32),
              loss_fn=nn.CrossEntropyLoss(), optimizer=optim.SGD(model.parameters(), lr=0.1),
              epochs=2, progress=False, callbacks=[viz.TensorBoardCallback(writer=writer,
                                                                           graph=False)])
    writer.add_scalar("after", 1.0, 0)
    writer.close()
    acc = _load(tmp_path)
    assert acc.Tags()["graph"] is False and "after" in acc.Tags()["scalars"]
    assert [e.step for e in acc.Scalars("loss/train")] == [0, 1]
    with pytest.raises(ValueError, match="not both"):
        viz.TensorBoardCallback(tmp_path, writer=writer)
    with pytest.raises(ValueError, match="'epoch' or 'step'"):
        viz.TensorBoardCallback(tmp_path, update_freq="batch")


# -- the example -------------------------------------------------------------------------


def test_deep_xor_logs_both_networks(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from examples import deep_xor
    small = dict(n_train=64, n_test=64, depth=3, width=4, epochs=2, batch_size=32, lr=0.02,
                 momentum=0.9)
    monkeypatch.setitem(deep_xor.CONFIGS, "smoke", small)
    # The HTML report (tested with the example itself) is most of main's time; skip it here.
    monkeypatch.setattr(viz, "report", lambda path, **kwargs: path)
    results = deep_xor.main(smoke=True, out_dir=tmp_path / "out",
                            tensorboard=str(tmp_path / "tb"))
    layers = [f"Sequential/{i}/{op}" for i, op in enumerate(["linear", None] * 3 + ["linear"])
              if op]
    for name, act in (("sigmoid", "sigmoid"), ("relu", "relu")):
        acc = _load(tmp_path / "tb" / name)
        assert [e.step for e in acc.Scalars("loss/train")] == [0, 1]
        nodes = [n.name for n in acc.Graph().node]
        assert set(layers) < set(nodes) and f"Sequential/1/{act}" in nodes
        assert acc.Images("gradient_flow/initialisation")[0].encoded_image_string.startswith(PNG)
        assert acc.Tensors("verdicts")[0].tensor_proto.string_val[0].decode() == "\n".join(
            f"- {v}" for v in results["verdicts"])
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "deep_xor.py"), "--help"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "--tensorboard DIR" in out.stdout


# -- the real server -----------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


@pytest.mark.slow
def test_tensorboard_server_serves_every_dashboard(tmp_path):
    pytest.importorskip("matplotlib")
    from google.protobuf import text_format
    from matplotlib.figure import Figure
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    model, history, _, _ = _fit(tmp_path / "logs" / "fit", epochs=2)
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1])
    with viz.SummaryWriter(tmp_path / "logs" / "fit") as w:
        w.add_figure("figure", fig, 0)
    port = _free_port()
    exe = Path(sys.executable).with_name("tensorboard")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "tensorboard.main"]
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(command + ["--logdir", str(tmp_path / "logs"), "--port",
                                         str(port), "--host", "127.0.0.1"],
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/data"
    try:
        deadline, tags = time.monotonic() + 120, {}
        while time.monotonic() < deadline and "loss/train" not in tags.get("fit", {}):
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                tags = json.loads(_get(f"{base}/plugin/scalars/tags"))
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        assert "loss/train" in tags.get("fit", {}), (tmp_path / "server.log").read_text()

        scalars = json.loads(_get(f"{base}/plugin/scalars/scalars?run=fit&tag=loss/train"))
        assert [(s[1], s[2]) for s in scalars] == list(zip([0, 1], _f32(history["train_loss"])))

        graph = text_format.Parse(_get(f"{base}/plugin/graphs/graph?run=fit").decode(),
                                  GraphDef())
        nodes = {n.name: list(n.input) for n in graph.node}
        assert nodes["Sequential/1/tanh"] == ["Sequential/0/linear"]
        assert nodes["Sequential/2/linear"] == ["Sequential/1/tanh", "Sequential/2/weight",
                                                "Sequential/2/bias"]

        hist = json.loads(_get(f"{base}/plugin/histograms/histograms?run=fit&tag="
                               "weights/0.weight"))
        assert [h[1] for h in hist] == [0, 1]
        assert sum(b[2] for b in hist[-1][2]) == model[0].weight.data.size

        text = json.loads(_get(f"{base}/plugin/text/text?run=fit&tag=model"))
        assert "Linear(" in text[0]["text"]

        (image,) = json.loads(_get(f"{base}/plugin/images/images?run=fit&tag=figure"))
        png = _get(f"{base}/plugin/images/individualImage?{image['query']}")
        assert png.startswith(PNG)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        log.close()
