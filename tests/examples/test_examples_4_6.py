"""Examples 4-6 in their smoke size: each asserts the direction of its lecture claim, and its files.

Each example's ``main(smoke=True, seed=0, out_dir=...)`` runs in a child
process with ``OPENBLAS_NUM_THREADS=1`` (set before numpy loads; inside
pytest numpy is already loaded with a thread pool, which on a busy machine
makes the MNIST matrices several times slower), and the test reads back the
``results.json`` it writes, which holds exactly what ``main`` returns.

Only what holds on every machine is asserted. A direction between two trained
figures is asserted on the seed-0 run only where it held with a clear margin
for every seed and BLAS kernel we measured (seeds 0-4, OPENBLAS_CORETYPE
Haswell / Sandybridge / Prescott, 1 and 2 threads; the figures are in the
comments); where one seed's comparison is a coin toss, the test runs the
example's own functions for more seeds and compares medians. The rest is
reported by the examples, not tested.
"""
import json
import math
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from ._child import run_child  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
OTHERS = ("Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam")


def _run(name, out, seed=0):
    code = (f"from examples import {name}\n"
            f"{name}.main(smoke=True, seed={seed}, out_dir={str(out)!r})")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, f"examples/{name}.py --smoke failed:\n{proc.stderr[-4000:]}"
    results = json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))
    return results, proc.stdout


def _check_files(results, names):
    assert set(results["files"]) == set(names)
    for name in names:
        path = Path(results["files"][name])
        assert path.is_file() and path.stat().st_size > 0, path
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG, path


# -- 4. optimizers ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def optimizers_run(tmp_path_factory):
    return _run("optimizers", tmp_path_factory.mktemp("optimizers"))


def test_momentum_and_nesterov_beat_sgd_at_the_same_lr_on_the_ill_conditioned_quadratic(
        optimizers_run):
    res, _ = optimizers_run
    q = res["surfaces"]["quadratic"]
    # the 2-D surfaces run in float64 without GEMM and do not depend on the seed: 223 steps
    # for SGD, 80 Momentum, 37 Nesterov on every kernel and thread count we tried
    assert q["common_lr"] == pytest.approx(1 / 50)       # 1/L, where plain SGD is stable
    common = q["common"]
    assert common["SGD"]["steps"] is not None
    for name in ("Momentum", "Nesterov"):
        assert common[name]["steps"] is not None
        assert common[name]["steps"] < common["SGD"]["steps"]


def test_every_optimizer_at_its_best_lr_beats_sgd_at_its_best_lr_on_the_quadratic(optimizers_run):
    res, _ = optimizers_run
    best = res["surfaces"]["quadratic"]["best"]
    assert best["SGD"]["steps"] is not None and not best["SGD"]["diverged"]
    for name in OTHERS:
        assert best[name]["steps"] is not None and best[name]["steps"] < best["SGD"]["steps"]
        assert best[name]["final_loss"] < res["config"]["threshold"]


def test_on_digits_the_other_optimizers_train_faster_than_sgd_at_the_same_lr(optimizers_run):
    res, _ = optimizers_run
    common, best = res["digits"]["common"], res["digits"]["best"]
    # Measured over seeds 0-4 (the same to 3 digits with OPENBLAS_CORETYPE Haswell,
    # Sandybridge, Prescott): final training loss at lr 0.01, SGD 2.23-2.26, Momentum
    # 1.43-1.62, Nesterov 1.41-1.60, RMSprop 0.18-0.23, Adam 0.16-0.22; at the best lr the
    # lowest validation accuracy 0.79-0.85 and test accuracy 0.83-0.84.
    for name in ("Momentum", "Nesterov", "Adam", "RMSprop"):
        assert common[name]["train_loss"] < common["SGD"]["train_loss"]
    for name, r in best.items():              # every optimizer, at its best lr, learns digits
        assert r["val_accuracy"] > 0.5 and r["test_accuracy"] > 0.5, name


def test_optimizers_verdicts_match_the_figures_and_files_exist(optimizers_run):
    res, stdout = optimizers_run
    common = res["surfaces"]["quadratic"]["common"]
    for name in OTHERS:
        line = next(v for v in res["verdicts"] if v.startswith("quadratic, common lr")
                    and f": {name} " in v)
        s, sgd = common[name]["steps"], common["SGD"]["steps"]
        faster = s is not None and s < sgd
        assert ("does NOT reach" not in line) == faster, line
        assert line in stdout
    _check_files(res, ["trajectories_common_lr", "trajectories_best_lr", "surface_losses",
                       "digits_curves"])


# -- 5. regularization ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def regularization_run(tmp_path_factory):
    return _run("regularization", tmp_path_factory.mktemp("regularization"))


def test_l1_gives_sparse_weights_and_l2_does_not(regularization_run):
    res, _ = regularization_run
    best = res["best"]
    l1, l2, none = best["l1"]["sparsity"], best["l2"]["sparsity"], best["none"]["sparsity"]
    # measured over seeds 0-4 and three BLAS kernels: L1 0.58-0.62, none 0.024-0.027,
    # L2 0.031-0.033, at initialisation 0.026-0.028
    assert l1 > 2 * max(none, l2, res["init_sparsity"])
    assert 0 < none < 0.2 and 0 < res["init_sparsity"] < 0.2


def test_without_regularization_the_small_training_set_is_overfit(regularization_run):
    res, _ = regularization_run
    none = res["best"]["none"]
    # measured over seeds 0-4 and three BLAS kernels: training accuracy 0.997-1.0,
    # validation 0.82-0.87, test 0.85-0.87
    assert none["train_accuracy"] > none["val_accuracy"]
    assert none["gap"] == pytest.approx(none["train_accuracy"] - none["val_accuracy"])
    assert none["test_accuracy"] > 0.5          # it did learn the digits


def test_early_stopping_stops_within_the_budget_at_its_best_epoch(regularization_run):
    res, _ = regularization_run
    es, epochs = res["best"]["early_stopping"], res["config"]["epochs"]
    assert es["best_epoch"] in range(1, es["epochs"] + 1) and es["epochs"] <= epochs
    # it stops `patience` epochs after the best one, unless the budget ran out first
    assert es["epochs"] == min(epochs, es["best_epoch"] + res["config"]["patience"])


def test_regularization_reports_every_method_and_writes_its_files(regularization_run):
    res, stdout = regularization_run
    assert list(res["best"]) == ["none", "dropout", "l1", "l2", "early_stopping"]
    for line in res["verdicts"]:
        assert line in stdout
    _check_files(res, ["curves", "weights"])


# -- 6. learning-rate schedules, random vs grid search ----------------------------------------

@pytest.fixture(scope="module")
def schedules_run(tmp_path_factory):
    return _run("lr_schedules", tmp_path_factory.mktemp("lr_schedules"))


SCHEDULE_SEEDS = range(1, 7)          # with the seed-0 run: seven seeds


@pytest.fixture(scope="module")
def schedules_over_seeds():
    """The schedule part alone at smoke size (high lr 0.3, 12 epochs) for seeds 1-6.

    Only the three schedules the test compares (the cyclic one would add a quarter).
    """
    return run_child("from examples import lr_schedules as m\n"
                     "m.SCHEDULES = ('constant', 'step', 'inverse_time')\n"
                     f"emit([m.schedule_experiment(m.CONFIGS['smoke'], s)[0]['high']['12'] "
                     f"for s in {list(SCHEDULE_SEEDS)}])")


def test_decaying_a_high_lr_ends_at_a_lower_training_loss_than_keeping_it(schedules_run,
                                                                         schedules_over_seeds):
    res, _ = schedules_run
    assert res["config"]["epochs"] == [12]
    runs = [res["schedules"]["high"]["12"], *schedules_over_seeds]
    for r in runs:
        for name in ("step", "inverse_time"):
            assert r[name]["final_lr"] < r["constant"]["final_lr"]
    # At a constant high lr the final loss bounces: one run's figure changes by 2-5x with the
    # BLAS kernel (seed 0: 0.077 Haswell, 0.196 Sandybridge, 0.138 Prescott, 0.038 on issue
    # 8's machine, where it beat step decay's 0.0386), so one seed's comparison flips (seed 5
    # on Haswell: constant 0.043 < step 0.046). Medians over seeds 0-6, measured with
    # OPENBLAS_CORETYPE Haswell / Sandybridge / Prescott: constant 0.078 / 0.107 / 0.138,
    # step 0.029, inverse_time 0.027 on each (per seed: constant 0.018-0.272, step
    # 0.016-0.046, inverse_time 0.020-0.032; seeds 7-13 alike: ratio to constant 0.18-0.27).
    median = {name: statistics.median(r[name]["train_loss"] for r in runs)
              for name in ("constant", "step", "inverse_time")}
    for name in ("step", "inverse_time"):
        assert median[name] < median["constant"], median


def test_random_search_tries_more_values_of_the_important_parameter_and_finds_better_ones(
        schedules_run):
    res, _ = schedules_run
    # The cheap objective is plain Python arithmetic (no BLAS), so these figures are the same
    # on every machine; over seeds 0-4, mean regret random 0.25-0.31 vs grid 0.54-0.69, wins
    # 34-39 vs 11-16 of 50.
    for budget, c in res["cheap_search"].items():
        n = math.isqrt(int(budget))
        assert c["grid"]["distinct_lr"] == n
        assert c["random"]["distinct_lr"] == int(budget) > n
        assert c["random"]["mean_regret"] < c["grid"]["mean_regret"]
        assert c["random_wins"] > c["grid_wins"]
        assert c["random_wins"] + c["ties"] + c["grid_wins"] == c["repeats"]


def test_real_model_searches_use_the_same_budget_and_record_every_trial(schedules_run):
    res, _ = schedules_run
    budget = res["config"]["real_budget"]
    for run in res["real_search"]["runs"]:
        assert run["grid"]["distinct_lr"] == math.isqrt(budget)
        assert run["random"]["distinct_lr"] == budget
    for kind in ("search_grid", "search_random"):
        trials = json.loads(Path(res["files"][kind]).read_text(encoding="utf-8"))["trials"]
        assert len(trials) == budget
        assert all(t["status"] == "ok" for t in trials)
        lrs = [t["params"]["lr"] for t in trials]
        assert all(1e-4 <= lr <= 1.0 for lr in lrs)


def test_schedules_verdicts_are_printed_and_files_exist(schedules_run):
    res, stdout = schedules_run
    for line in res["verdicts"]:
        assert line in stdout
    assert re.search(r"high base lr 0\.3, 12 epochs: final training loss lower than constant",
                     stdout)
    _check_files(res, ["schedules", "search_real", "search_cheap", "search_grid",
                       "search_random"])
