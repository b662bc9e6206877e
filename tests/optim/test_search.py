"""Hyperparameter search: grids, sampling, executors agreeing, failures, resume, narrowing."""
import itertools
import json
import math
import os
import signal
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
import optim
from autograd import Tensor
from optim.search import (Choice, DaskExecutor, IntUniform, LogUniform, ProcessExecutor,
                          SearchResult, Uniform, coarse_to_fine, grid_search, random_search)


# Objectives live at module level so worker processes (processes, Dask) can import them.

def noisy_bowl(params, seed):
    """A cheap deterministic objective: best at lr=1e-2.5, plus seed-driven noise."""
    noise = np.random.default_rng(seed).normal(scale=0.01)
    acc = 1.0 - (math.log10(params["lr"]) + 2.5) ** 2 / 10 + noise
    if params.get("act") == "b":
        acc += 0.05
    return {"val_accuracy": acc, "val_loss": 1.0 - acc, "noise": noise}


def train_mlp(params, seed):
    """Train a small MLP on moons with optim.SGD; fails on purpose for hidden == 3."""
    if params["hidden"] == 3:
        raise ValueError("hidden=3 is refused on purpose")
    nn.manual_seed(seed)
    X, y = nn.data.moons(64, noise=0.1, seed=0, dtype=np.float64)
    Xv, yv = nn.data.moons(64, noise=0.1, seed=1, dtype=np.float64)
    model = nn.Sequential(nn.Linear(2, params["hidden"]), nn.ReLU(),
                          nn.Linear(params["hidden"], 2))
    opt = optim.SGD(model.parameters(), lr=params["lr"], momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(15):
        loss = loss_fn(model(Tensor(X)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    acc = float((model(Tensor(Xv)).data.argmax(axis=1) == yv).mean())
    return {"val_accuracy": acc, "train_loss": loss.item()}


def counting(params, seed):
    """Log each call to a file (works across processes); interrupt at x == 3 if told to."""
    folder = params["folder"]
    fd = os.open(os.path.join(folder, "calls.txt"), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{params['x']}\n".encode())
    finally:
        os.close(fd)
    if params["x"] == 3 and os.path.exists(os.path.join(folder, "stop")):
        raise KeyboardInterrupt
    if params["x"] == 4:
        raise RuntimeError("x=4 always fails")
    return {"val_accuracy": float(params["x"]) + seed % 1000 / 1e4}


def dies_on(params, seed):
    """SIGKILL the process running the trial with x == kill (unless the folder holds "healed");
    log each call as "x pid". Never kills the test process itself: it raises there."""
    folder = params["folder"]
    fd = os.open(os.path.join(folder, "calls.txt"), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{params['x']} {os.getpid()}\n".encode())
    finally:
        os.close(fd)
    if params["x"] == params["kill"] and not os.path.exists(os.path.join(folder, "healed")):
        if os.getpid() == params["parent"]:
            raise RuntimeError("dies_on runs in worker processes only")
        os.kill(os.getpid(), signal.SIGKILL)
    return {"val_accuracy": float(params["x"])}


def calls_with_pids(folder):
    path = os.path.join(folder, "calls.txt")
    if not os.path.exists(path):
        return []
    return [tuple(int(v) for v in line.split()) for line in open(path) if line.strip()]


def calls(folder):
    path = os.path.join(folder, "calls.txt")
    return [] if not os.path.exists(path) else [int(v) for v in open(path).read().split()]


def without_duration(trials):
    return [{k: v for k, v in t.items() if k != "duration"} for t in trials]


# ---------------------------------------------------------------- grid and sampling

@given(st.lists(st.lists(st.integers(-50, 50), min_size=1, max_size=4, unique=True),
                min_size=1, max_size=3))
def test_grid_covers_exactly_the_product(axes):
    space = {f"p{j}": axis for j, axis in enumerate(axes)}
    space["fixed"] = "relu"
    seen = []

    def objective(params, seed):
        seen.append(dict(params))
        return {"val_accuracy": 0.0}

    result = grid_search(objective, space)
    expected = set(itertools.product(*axes))
    got = [tuple(t["params"][f"p{j}"] for j in range(len(axes))) for t in result.trials]
    assert len(got) == math.prod(len(a) for a in axes) == len(seen)
    assert set(got) == expected
    assert all(t["params"]["fixed"] == "relu" and t["status"] == "ok" for t in result.trials)
    assert [t["trial"] for t in result.trials] == list(range(len(got)))


def test_grid_accepts_arrays_and_choice_and_refuses_ranges():
    result = grid_search(noisy_bowl, {"lr": np.logspace(-3, -1, 3), "act": Choice(["a", "b"])})
    assert sorted((t["params"]["lr"], t["params"]["act"]) for t in result.trials) == sorted(
        itertools.product(np.logspace(-3, -1, 3).tolist(), ["a", "b"]))
    assert all(type(t["params"]["lr"]) is float for t in result.trials)
    with pytest.raises(ValueError, match="'lr' is LogUniform.*no finite grid"):
        grid_search(noisy_bowl, {"lr": LogUniform(1e-3, 1e-1)})


@given(st.integers(-8, 1), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_random_log_uniform_stays_in_range_and_is_uniform_in_log(lo_exp, decades, seed):
    low, high = 10.0 ** lo_exp, 10.0 ** (lo_exp + decades)
    space = {"lr": LogUniform(low, high), "p": Uniform(-1.0, 2.0), "k": IntUniform(3, 5),
             "act": Choice(["relu", "tanh", "elu"]), "fixed": 7}
    n = 300
    result = random_search(lambda p, s: {"val_accuracy": 0.0}, space, n, seed=seed)
    params = [t["params"] for t in result.trials]
    lr = np.array([p["lr"] for p in params])
    assert np.all((lr >= low) & (lr <= high))
    # log(lr) ~ U(log low, log high): mean and variance within ~5 standard errors
    u = (np.log(lr) - math.log(low)) / (math.log(high) - math.log(low))
    assert abs(u.mean() - 0.5) < 5 * math.sqrt(1 / 12 / n)
    assert abs(u.var() - 1 / 12) < 5 * math.sqrt(1 / 180 / n)
    assert all(-1.0 <= p["p"] <= 2.0 for p in params)
    assert {p["k"] for p in params} == {3, 4, 5}
    assert {p["act"] for p in params} == {"relu", "tanh", "elu"}
    assert all(p["fixed"] == 7 for p in params)


def test_same_seed_same_trials_and_prefix_stable():
    space = {"lr": LogUniform(1e-4, 1e-1), "act": ["a", "b"]}
    a = random_search(noisy_bowl, space, 8, seed=3)
    b = random_search(noisy_bowl, space, 8, seed=3)
    c = random_search(noisy_bowl, space, 8, seed=4)
    short = random_search(noisy_bowl, space, 3, seed=3)
    assert without_duration(a.trials) == without_duration(b.trials)
    assert [t["params"] for t in a.trials] != [t["params"] for t in c.trials]
    assert without_duration(short.trials) == without_duration(a.trials[:3])
    assert len({t["seed"] for t in a.trials}) == 8


# ---------------------------------------------------------------- executors

@pytest.fixture(scope="module")
def dask_address():
    """One 2-worker LocalCluster for the module's Dask tests."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    yield cluster.scheduler_address
    cluster.close()


MLP_SPACE = {"lr": LogUniform(1e-2, 0.5), "hidden": Choice([3, 8, 16])}


@pytest.fixture(scope="module")
def serial_mlp():
    return random_search(train_mlp, MLP_SPACE, 6, seed=1)


def test_serial_mlp_search_is_meaningful(serial_mlp):
    assert {t["status"] for t in serial_mlp.trials} == {"ok", "failed"}
    assert serial_mlp.best["metrics"]["val_accuracy"] > 0.7


@pytest.mark.parametrize("kind", ["processes", "dask"])
def test_executors_return_the_same_results(kind, serial_mlp, request):
    if kind == "dask":
        executor = DaskExecutor(request.getfixturevalue("dask_address"))
    else:
        executor = ProcessExecutor(max_workers=2)
    other = random_search(train_mlp, MLP_SPACE, 6, seed=1, executor=executor)
    assert without_duration(other.trials) == without_duration(serial_mlp.trials)


def test_dask_missing_names_the_dist_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"chainrule\[dist\]"):
        random_search(noisy_bowl, {"lr": LogUniform(1e-3, 1e-1)}, 2, executor="dask")


def test_processes_need_a_picklable_objective():
    with pytest.raises(TypeError, match="module-level function"):
        random_search(lambda p, s: 0.0, {"x": Uniform(0, 1)}, 2, executor="processes")


# ---------------------------------------------------------------- failures and resume

def test_failed_trial_is_recorded_and_the_rest_complete(tmp_path):
    path = tmp_path / "runs" / "search.jsonl"
    result = grid_search(train_mlp, {"lr": [0.05, 0.2], "hidden": [3, 8]}, results_path=path)
    failed, ok = result.failed, result.ok
    assert [t["params"]["hidden"] for t in failed] == [3, 3]
    assert len(ok) == 2 and all(t["metrics"]["val_accuracy"] >= 0 for t in ok)
    assert failed[0]["error"] == "ValueError: hidden=3 is refused on purpose"
    assert "train_mlp" in failed[0]["traceback"] and failed[0]["metrics"] is None
    assert result.best["params"]["hidden"] == 8
    lines = [json.loads(line) for line in open(path)]
    assert sorted((r["trial"], r["status"]) for r in lines) == [
        (0, "failed"), (1, "ok"), (2, "failed"), (3, "ok")]


def test_missing_metric_fails_the_trial_and_a_bare_number_is_the_metric():
    result = random_search(lambda p, s: {"loss": 1.0} if p["x"] < 0.5 else p["x"],
                           {"x": Uniform(0, 1)}, 10)
    for t in result.trials:
        if t["params"]["x"] < 0.5:
            assert t["status"] == "failed" and "'val_accuracy'" in t["error"]
        else:
            assert t["metrics"] == {"val_accuracy": t["params"]["x"]}
    assert result.failed and result.ok


@pytest.mark.parametrize("kind", ["serial", "processes"])
def test_interrupted_search_resumes_without_rerunning(tmp_path, kind):
    folder = str(tmp_path)
    space = {"x": list(range(7)), "folder": folder}
    path = tmp_path / "search.jsonl"
    open(os.path.join(folder, "stop"), "w").close()
    executor = "serial" if kind == "serial" else ProcessExecutor(2)
    with pytest.raises(KeyboardInterrupt):
        grid_search(counting, space, results_path=path, executor=executor)
    done = [json.loads(line)["params"]["x"] for line in open(path)]
    if kind == "serial":
        assert calls(folder) == [0, 1, 2, 3] and done == [0, 1, 2]
    assert 3 not in done and len(done) >= 1

    os.remove(os.path.join(folder, "stop"))
    before = len(calls(folder))
    result = grid_search(counting, space, results_path=path, executor=executor)
    rerun = calls(folder)[before:]
    assert sorted(rerun) == sorted(set(range(7)) - set(done))    # finished ones not rerun
    assert result.resumed == len(done)
    assert [t["status"] for t in result.trials] == ["ok"] * 4 + ["failed"] + ["ok"] * 2
    fresh = grid_search(counting, space)
    assert without_duration(fresh.trials) == without_duration(result.trials)

    before = len(calls(folder))
    again = grid_search(counting, space, results_path=path)      # all done: nothing runs
    assert again.resumed == 7 and len(calls(folder)) == before
    retried = grid_search(counting, space, results_path=path, retry_failed=True)
    assert calls(folder)[before:] == [4] and retried.resumed == 6
    assert retried.trials[4]["status"] == "failed"


def test_partial_random_search_extends_and_survives_a_torn_line(tmp_path):
    folder = str(tmp_path)
    space = {"x": Choice([0, 1, 2, 5, 6]), "folder": folder}
    path = tmp_path / "search.jsonl"
    random_search(counting, space, 3, seed=2, results_path=path, executor="processes")
    assert len(calls(folder)) == 3
    with open(path, "a") as f:
        f.write('{"round": 0, "trial": 9, "par')                # a crash mid-write
    with pytest.warns(UserWarning, match="unreadable line 4"):
        full = random_search(counting, space, 6, seed=2, results_path=path)
    assert len(calls(folder)) == 6 and full.resumed == 3
    assert [json.loads(line) for line in open(path).read().splitlines()[4:]] == full.trials[3:]


# ---------------------------------------------------------------- coarse to fine

def _width(spec):
    return math.log(spec.high / spec.low) if spec.log else spec.high - spec.low


def test_coarse_to_fine_narrows_around_the_best():
    space = {"lr": LogUniform(1e-6, 1.0), "act": Choice(["a", "b"]), "fixed": 1}
    result = coarse_to_fine(noisy_bowl, space, rounds=3, n_trials=12, top_k=4, shrink=0.5)
    assert len(result.spaces) == 3 and len(result.trials) == 36
    rounds = [[t for t in result.trials if t["round"] == r] for r in range(3)]
    for r in range(1, 3):
        old, new = result.spaces[r - 1]["lr"], result.spaces[r]["lr"]
        assert old.low <= new.low < new.high <= old.high
        assert _width(new) == pytest.approx(0.5 * _width(old))
        best_so_far = max((t for rd in rounds[:r] for t in rd),
                          key=lambda t: t["metrics"]["val_accuracy"])
        assert new.low <= best_so_far["params"]["lr"] <= new.high
        assert all(new.low <= t["params"]["lr"] <= new.high for t in rounds[r])
    assert all(s["act"] == Choice(["a", "b"]) and s["fixed"] == 1 for s in result.spaces)
    mean = [np.mean([t["metrics"]["val_accuracy"] for t in rd]) for rd in rounds]
    assert mean[0] < mean[1] < mean[2]


@given(st.integers(0, 10**6), st.floats(0.1, 1.0), st.integers(1, 4))
def test_coarse_to_fine_ranges_hold_the_best_and_shrink(seed, shrink, top_k):
    def objective(params, s):  # an arbitrary (seed-driven) landscape
        return np.random.default_rng(s).random()
    space = {"a": LogUniform(1e-3, 1e3), "b": Uniform(-5.0, 5.0), "n": IntUniform(0, 100)}
    result = coarse_to_fine(objective, space, rounds=3, n_trials=5, top_k=top_k,
                            shrink=shrink, seed=seed)
    for r in (1, 2):
        best = max((t for t in result.trials if t["round"] < r),
                   key=lambda t: t["metrics"]["val_accuracy"])
        for name in space:
            old, new = result.spaces[r - 1][name], result.spaces[r][name]
            assert old.low <= new.low <= best["params"][name] <= new.high <= old.high
            if name != "n":
                assert _width(new) == pytest.approx(shrink * _width(old), rel=1e-9, abs=1e-12)


def test_coarse_to_fine_stops_when_everything_fails():
    def objective(params, seed):
        raise ValueError("broken")
    with pytest.warns(RuntimeWarning) as record:
        result = coarse_to_fine(objective, {"x": Uniform(0, 1)}, rounds=3, n_trials=2)
    messages = [str(w.message) for w in record]
    assert any("nothing to narrow" in m for m in messages)
    assert any("result.best is None; first error: ValueError: broken" in m for m in messages)
    assert len(result.spaces) == 1 and len(result.failed) == 2 and result.best is None


# ---------------------------------------------------------------- crashes and non-finite results

def test_a_killed_worker_costs_only_its_trial_and_is_replaced(tmp_path):
    folder, path = str(tmp_path), tmp_path / "search.jsonl"
    space = {"x": list(range(6)), "kill": 2, "parent": os.getpid(), "folder": folder}
    with pytest.warns(RuntimeWarning, match=r"1 trial\(s\) crashed.*killed by SIGKILL"):
        result = grid_search(dies_on, space, executor=ProcessExecutor(2), results_path=path)
    assert [t["status"] for t in result.trials] == ["ok", "ok", "crashed", "ok", "ok", "ok"]
    [crashed] = result.crashed
    assert crashed["error"].startswith("WorkerDied: the worker process running this trial was "
                                       "killed by SIGKILL (the signal the kernel's "
                                       "out-of-memory killer sends)")
    assert crashed["metrics"] is None and crashed["duration"] >= 0
    assert result.best["params"]["x"] == 5
    assert repr(result) == "SearchResult(6 trials, 5 ok, 0 failed, 1 crashed, best val_accuracy=5)"
    ran = calls_with_pids(folder)
    assert sorted(x for x, _ in ran) == list(range(6))              # each trial ran once
    assert os.getpid() not in {pid for _, pid in ran}
    lines = [json.loads(line) for line in open(path)]
    assert sorted((r["trial"], r["status"]) for r in lines)[2] == (2, "crashed")
    assert "crashed" in [row["status"] for row in result.table()][-1:]

    # a rerun skips the crashed trial by default ...
    with pytest.warns(RuntimeWarning, match="crashed"):
        again = grid_search(dies_on, space, executor=ProcessExecutor(2), results_path=path)
    assert len(calls_with_pids(folder)) == 6 and again.resumed == 6
    assert without_duration(again.trials) == without_duration(result.trials)
    # ... and runs it again when asked (here it has been fixed meanwhile)
    open(os.path.join(folder, "healed"), "w").close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")                              # no crash left to warn of
        retried = grid_search(dies_on, space, executor=ProcessExecutor(2), results_path=path,
                              retry_crashed=True)
    assert [x for x, _ in calls_with_pids(folder)[6:]] == [2] and retried.resumed == 5
    assert [t["status"] for t in retried.trials] == ["ok"] * 6
    with pytest.raises(TypeError, match="retry_crashed must be True or False"):
        grid_search(dies_on, space, results_path=path, retry_crashed="yes")


def test_a_killed_worker_stops_nothing_but_its_trial_with_one_worker(tmp_path):
    folder = str(tmp_path)
    space = {"x": [0, 1, 2], "kill": 0, "parent": os.getpid(), "folder": folder}
    with pytest.warns(RuntimeWarning, match="crashed"):
        result = grid_search(dies_on, space, executor=ProcessExecutor(1))
    assert [t["status"] for t in result.trials] == ["crashed", "ok", "ok"]
    assert len({pid for _, pid in calls_with_pids(folder)}) == 2     # the worker was replaced


def test_dask_executor_on_its_own_cluster_survives_a_killed_worker(tmp_path):
    """Starts (and closes) its own LocalCluster; one trial SIGKILLs its worker process."""
    pytest.importorskip("distributed")
    import dask
    folder, path = str(tmp_path), tmp_path / "search.jsonl"
    space = {"x": [0, 1, 2, 3], "kill": 1, "parent": os.getpid(), "folder": folder}
    # Dask reruns a task whose worker died up to allowed-failures (3) times, each rerun
    # killing one more worker; 0 keeps this test short (the path taken is the same)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with pytest.warns(RuntimeWarning, match=r"1 trial\(s\) crashed"):
            result = grid_search(dies_on, space, executor=DaskExecutor(n_workers=2),
                                 results_path=path)
    assert [t["status"] for t in result.trials] == ["ok", "crashed", "ok", "ok"]
    error = result.crashed[0]["error"]
    assert error.startswith("WorkerDied: the Dask worker processes running this trial died")
    assert "_run_trial" in error and result.best["params"]["x"] == 3
    assert os.getpid() not in {pid for _, pid in calls_with_pids(folder)}
    # the finished trials are exactly what the serial executor gives
    (tmp_path / "serial").mkdir()
    serial = grid_search(dies_on, dict(space, kill=-1, folder=str(tmp_path / "serial")))
    for t, u in zip(result.trials, serial.trials):
        if t["status"] == "ok":
            assert (t["seed"], t["metrics"]) == (u["seed"], u["metrics"])
    # a rerun skips it (serially here: the skipping does not depend on the executor)
    n = len(calls_with_pids(folder))
    with pytest.warns(RuntimeWarning, match="crashed"):
        again = grid_search(dies_on, space, results_path=path)
    assert again.resumed == 4 and again.trials[1]["status"] == "crashed"
    assert len(calls_with_pids(folder)) == n


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_metrics_are_failed_trials_and_never_best(bad):
    def objective(params, seed):
        return {"val_accuracy": bad if params["x"] != 1 else 0.3, "train_loss": 1.0}
    result = grid_search(objective, {"x": [0, 1, 2]})
    assert [t["status"] for t in result.trials] == ["failed", "ok", "failed"]
    assert result.best["params"] == {"x": 1}
    failed = result.failed[0]
    assert failed["error"].startswith(f"NonFiniteMetric: the objective returned "
                                      f"val_accuracy={bad}")
    assert failed["metrics"]["train_loss"] == 1.0              # what it returned is kept
    for mode in ("max", "min"):
        assert grid_search(objective, {"x": [0, 1, 2]}, mode=mode).best["params"] == {"x": 1}


def test_a_search_whose_every_trial_is_nan_has_no_best(tmp_path):
    with pytest.warns(RuntimeWarning, match=r"no trial finished with a finite 'val_accuracy' "
                                            r"\(4 failed, 0 crashed\).*result.best is None.*"
                                            r"NonFiniteMetric"):
        result = random_search(lambda p, s: float("nan"), {"x": Uniform(0, 1)}, 4,
                               results_path=tmp_path / "s.jsonl")
    assert result.best is None and len(result.failed) == 4 and not result.ok
    assert repr(result) == "SearchResult(4 trials, 0 ok, 4 failed)"
    assert all(math.isnan(row["val_accuracy"]) for row in result.table())
    # records written as "ok" with a NaN metric (before NaN meant failed) are no best either
    old = [dict(json.loads(line), status="ok", error=None) for line in open(tmp_path / "s.jsonl")]
    assert SearchResult(old).best is None
    inf = [dict(t, metrics={"val_accuracy": math.inf}) for t in old]
    assert SearchResult(inf).best is None and SearchResult(inf, mode="min").best is None


# ---------------------------------------------------------------- the results table

def test_table_is_sorted_and_printed_best_first(tmp_path):
    def objective(params, seed):
        if params["x"] == 2:
            raise ValueError("two")
        return {"val_accuracy": float("nan") if params["x"] == 4 else -(params["x"] - 3.2) ** 2,
                "val_loss": params["x"]}
    result = grid_search(objective, {"x": [0, 1, 2, 3, 4, 5, 6]})
    # failed trials last, in definition order: x=2 raised, x=4 gave NaN
    assert [r["x"] for r in result.table()] == [3, 5, 1, 6, 0, 2, 4]
    assert [r["x"] for r in result.table("val_loss", mode="min")] == [0, 1, 3, 5, 6, 2, 4]
    assert result.best["params"] == {"x": 3}
    text = str(result).splitlines()
    header = text[0].split()
    assert header[:3] == ["trial", "x", "val_accuracy"] and header[-1] == "error"
    assert [line.split()[1] for line in text[2:]] == ["3", "5", "1", "6", "0", "2", "4"]
    assert "ValueError: two" in text[-2] and "NonFiniteMetric" in text[-1]
    col = text[0].index("val_accuracy")
    assert all(line[col - 2:col] == "  " for line in text[2:])     # columns line up
    assert repr(result) == "SearchResult(7 trials, 5 ok, 2 failed, best val_accuracy=-0.04)"
    text = result.to_json(tmp_path / "r.json")
    assert open(tmp_path / "r.json").read() == text + "\n"
    # as results_path and Checkpoint do, a missing folder is made
    assert result.to_json(tmp_path / "runs" / "r.json") == text
    assert open(tmp_path / "runs" / "r.json").read() == text + "\n"
    data = json.loads(text)
    assert data["metric"] == "val_accuracy" and len(data["trials"]) == 7
    with pytest.raises(KeyError, match="no trial has a metric 'acc'"):
        result.table("acc")


# ---------------------------------------------------------------- bad input

def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="LogUniform.*> 0"):
        LogUniform(0.0, 1.0)
    with pytest.raises(ValueError, match="Uniform.*swap"):
        Uniform(2.0, 1.0)
    with pytest.raises(TypeError, match="IntUniform.*integer"):
        IntUniform(0.5, 3)
    with pytest.raises(ValueError, match="Choice.*empty"):
        Choice([])
    with pytest.raises(TypeError, match="not JSON data"):
        random_search(noisy_bowl, {"act": Choice([nn.ReLU, nn.Tanh])}, 2)
    with pytest.raises(ValueError, match="unknown executor 'threads'"):
        random_search(noisy_bowl, {"lr": LogUniform(1e-3, 1.0)}, 2, executor="threads")
    with pytest.raises(ValueError, match="mode='best'"):
        random_search(noisy_bowl, {"lr": LogUniform(1e-3, 1.0)}, 2, mode="best")
    with pytest.raises(ValueError, match="n_trials=0"):
        random_search(noisy_bowl, {"lr": LogUniform(1e-3, 1.0)}, 0)
    with pytest.raises(ValueError, match="shrink=1.5"):
        coarse_to_fine(noisy_bowl, {"lr": LogUniform(1e-3, 1.0)}, shrink=1.5)
    with pytest.raises(TypeError, match="space must be a non-empty dict"):
        grid_search(noisy_bowl, [1, 2])
    with pytest.raises(ValueError, match="max_workers=0"):
        ProcessExecutor(0)
    assert isinstance(SearchResult([]), SearchResult) and SearchResult([]).best is None
