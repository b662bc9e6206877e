"""Grid search, random search and coarse-to-fine search over hyperparameters.

The objective is ``objective(params, seed) -> dict of metrics``: ``params`` is one point of
the space (a dict of JSON values; tuples arrive as lists), ``seed`` an int fixed by
(search seed, round, trial index) to seed the model's initialization and data order with,
e.g. ``nn.manual_seed(seed)``. The metrics must include ``metric`` (a number; a bare number
is taken as that metric). Trials therefore give identical results on every executor.
"""
import math
import warnings

from .result import SearchResult
from .space import _grid, _narrow, _normalize, _sample
from .trial import _ranked, _run_trials, _trial_streams

__all__ = ["grid_search", "random_search", "coarse_to_fine"]


def _check(where, metric, mode, seed):
    if not isinstance(metric, str):
        raise TypeError(f"{where}: metric must be the name of a metric, got {metric!r}")
    if mode not in ("max", "min"):
        raise ValueError(f"{where}: mode={mode!r} must be 'max' (accuracy) or 'min' (loss)")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"{where}: seed={seed!r} must be a non-negative int")


def _positive_int(where, name, v):
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"{where}: {name}={v!r} must be a positive int")


def _finish(result, where):
    """Warn about what a user could miss in the result (crashes, no best); return it."""
    if result.crashed:
        first = result.crashed[0]["error"]
        warnings.warn(f"{where}: {len(result.crashed)} trial(s) crashed, their worker process "
                      f"died (first: {first}); the other trials ran. See result.crashed; with "
                      "results_path, a rerun skips them, or runs them again with "
                      "retry_crashed=True.", RuntimeWarning, stacklevel=3)
    if result.trials and result.best is None:
        errors = [t["error"] for t in result.trials if t["error"]]
        first = f"; first error: {errors[0]}" if errors else ""
        warnings.warn(f"{where}: no trial finished with a finite {result.metric!r} "
                      f"({len(result.failed)} failed, {len(result.crashed)} crashed), so "
                      f"there is no best trial: result.best is None{first}", RuntimeWarning,
                      stacklevel=3)
    return result


def _random_tasks(space, n_trials, seed, round_):
    tasks = []
    for i in range(n_trials):
        rng, trial_seed = _trial_streams(seed, round_, i)
        tasks.append((round_, i, _sample(space, rng), trial_seed))
    return tasks


def grid_search(objective, space, *, seed=0, metric="val_accuracy", mode="max",
                executor="serial", results_path=None, retry_failed=False, retry_crashed=False):
    """Run ``objective`` on every point of the Cartesian product of the space's lists.

    Each list (or ``Choice``) is an axis; other values are held fixed; ranges such as
    ``Uniform`` have no grid and are refused. ``executor`` is ``"serial"``,
    ``"processes"``, ``"dask"`` or an executor object.

    A trial fails (status ``"failed"``, with its error) when the objective raises or its
    ``metric`` is missing, NaN or Inf; it crashes (``"crashed"``) when the process running
    it dies (SIGKILL, the out-of-memory killer): the worker is replaced and the other trials
    go on. Neither is ever the best; ``result.best`` is None if no trial finished with a
    finite metric (with a RuntimeWarning, as for crashes). With ``results_path`` every
    trial is appended to that JSON Lines file as soon as it ends, and a rerun skips the
    trials already there (same params and seed): failed ones too unless
    ``retry_failed=True``, crashed ones unless ``retry_crashed=True``.

    Example:
        >>> def objective(params, seed):          # stands in for a training run
        ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01) - params["hidden"] / 1e4}
        >>> result = grid_search(objective, {"lr": [1e-3, 1e-2, 1e-1], "hidden": [32, 64]})
        >>> len(result.trials), result.best["params"], result.best["metrics"]
        (6, {'lr': 0.01, 'hidden': 32}, {'val_accuracy': 0.9968})
    """
    where = "grid_search"
    _check(where, metric, mode, seed)
    points = _grid(space, where)
    tasks = [(0, i, p, _trial_streams(seed, 0, i)[1]) for i, p in enumerate(points)]
    records, reused = _run_trials(objective, tasks, metric=metric, executor=executor,
                                  results_path=results_path, retry_failed=retry_failed,
                                  retry_crashed=retry_crashed, where=where)
    return _finish(SearchResult(records, metric, mode, [_normalize(space, where)], reused), where)


def random_search(objective, space, n_trials, seed=0, *, metric="val_accuracy", mode="max",
                  executor="serial", results_path=None, retry_failed=False,
                  retry_crashed=False):
    """Run ``objective`` on ``n_trials`` points drawn at random from the space.

    ``Uniform``, ``LogUniform``, ``IntUniform`` and ``Choice`` (or a plain list) are drawn
    from; other values are held fixed. Trial ``i`` depends only on ``(seed, i)``: the first
    10 trials of a 50-trial search are the 10 trials of a 10-trial one, so a search can be
    extended, and resumed from ``results_path``. Failed and crashed trials, ``retry_failed``
    and ``retry_crashed``: as in ``grid_search``.

    Example:
        >>> from optim.search import LogUniform, Uniform, Choice
        >>> def objective(params, seed):          # stands in for a training run: best at lr 0.01
        ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01)}
        >>> space = {"lr": LogUniform(1e-5, 1e-1), "dropout": Uniform(0, 0.5),
        ...          "hidden": Choice([64, 128, 256])}
        >>> result = random_search(objective, space, 3, seed=0, results_path="runs/search.jsonl")
        >>> [(round(t["params"]["lr"], 5), t["params"]["hidden"]) for t in result.trials]
        [(0.05912, 256), (0.00011, 128), (0.01707, 128)]
        >>> random_search(objective, space, 4, results_path="runs/search.jsonl").resumed  # 3 kept
        3
    """
    where = "random_search"
    _check(where, metric, mode, seed)
    _positive_int(where, "n_trials", n_trials)
    space = _normalize(space, where)
    records, reused = _run_trials(objective, _random_tasks(space, n_trials, seed, 0),
                                  metric=metric, executor=executor,
                                  results_path=results_path, retry_failed=retry_failed,
                                  retry_crashed=retry_crashed, where=where)
    return _finish(SearchResult(records, metric, mode, [space], reused), where)


def coarse_to_fine(objective, space, rounds=3, n_trials=20, top_k=5, *, shrink=0.5, seed=0,
                   metric="val_accuracy", mode="max", executor="serial", results_path=None,
                   retry_failed=False, retry_crashed=False):
    """Random search in rounds, each narrowing the space around the best trials so far.

    After each round the ``top_k`` best trials (over all rounds) pick the next space: every
    numeric range keeps ``shrink`` of its width (measured in log space for ``LogUniform``),
    centred on the top trials' mean and moved just enough to contain the best trial while
    staying inside the previous range; choices and constants stay as they are. Round 0 is
    ``random_search(objective, space, n_trials, seed)``. The spaces searched are in
    ``result.spaces``. Resumable from ``results_path``, with failed and crashed trials
    handled, like the others (``grid_search``).

    Example:
        >>> from optim.search import LogUniform
        >>> def objective(params, seed):          # best at lr 0.01
        ...     return {"val_accuracy": 1 - abs(math.log10(params["lr"]) + 2) / 10}
        >>> result = coarse_to_fine(objective, {"lr": LogUniform(1e-6, 1.0)}, rounds=3,
        ...                         n_trials=4, top_k=2)
        >>> [f"{s['lr'].low:.2g}..{s['lr'].high:.2g}" for s in result.spaces]   # narrowing
        ['1e-06..1', '0.001..1', '0.0066..0.21']
        >>> len(result.trials), round(result.best["params"]["lr"], 4)
        (12, 0.0074)
    """
    where = "coarse_to_fine"
    _check(where, metric, mode, seed)
    for name, v in (("rounds", rounds), ("n_trials", n_trials), ("top_k", top_k)):
        _positive_int(where, name, v)
    if isinstance(shrink, bool) or not isinstance(shrink, (int, float)) or not 0 < shrink <= 1:
        raise ValueError(f"{where}: shrink={shrink!r} must be in (0, 1]: the fraction of each "
                         "range's width kept per round")
    space = _normalize(space, where)
    spaces, records, reused = [], [], 0
    for round_ in range(rounds):
        if round_:
            top = [t for t in _ranked(records, metric, mode)[:top_k] if t["status"] == "ok"
                   and math.isfinite(t["metrics"][metric])]
            if not top:
                warnings.warn(f"{where}: no trial of rounds 0..{round_ - 1} succeeded with a "
                              f"number for {metric!r}, so there is nothing to narrow around; "
                              f"stopping after round {round_ - 1} (see result.failed)",
                              RuntimeWarning, stacklevel=2)
                break
            space = _narrow(space, [t["params"] for t in top], shrink)
        spaces.append(space)
        new, n = _run_trials(objective, _random_tasks(space, n_trials, seed, round_),
                             metric=metric, executor=executor, results_path=results_path,
                             retry_failed=retry_failed, retry_crashed=retry_crashed,
                             where=where)
        records += new
        reused += n
    return _finish(SearchResult(records, metric, mode, spaces, reused), where)
