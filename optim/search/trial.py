"""Running trials: the per-trial wrapper (runs on a worker), seeds, and the JSON Lines log.

A trial record is a plain dict, one JSON line in ``results_path``::

    {"round": 0, "trial": 3, "params": {...}, "seed": 123,
     "status": "ok" | "failed" | "crashed", "metrics": {...} | null,
     "error": "ValueError: ..." | null, "traceback": "..." | null, "duration": 0.12}

``failed``: the objective raised, or returned no number or a NaN / Inf for the searched
metric (then ``metrics`` holds what it returned). ``crashed``: the process running it died
(SIGKILL, out of memory); ``error`` says how, ``duration`` is the time until it was noticed.
"""
import contextlib
import json
import math
import os
import pickle
import time
import traceback
import warnings

import numpy as np

from .executors import _get_executor, ProcessExecutor, WorkerDied
from .space import _jsonify

__all__ = []


def _trial_streams(seed, round_, index):
    """(rng for drawing the trial's params, the seed handed to the objective).

    Both depend only on (search seed, round, trial index), so trial i is the same trial
    whatever the executor, the number of trials or the order in which they finish.
    """
    sample_ss, objective_ss = np.random.SeedSequence([seed, round_, index]).spawn(2)
    return np.random.default_rng(sample_ss), int(objective_ss.generate_state(1)[0])


def _run_trial(objective, params, seed, metric):
    """Call ``objective(params, seed)`` and return (status, metrics, error, traceback, secs).

    Runs on the worker; every Exception becomes a failed record so one bad trial never costs
    the others. KeyboardInterrupt and SystemExit propagate: they stop the search.
    """
    start = time.perf_counter()
    try:
        metrics = objective(dict(params), seed)
        if isinstance(metrics, (int, float, np.number)) and not isinstance(metrics, bool):
            metrics = {metric: metrics}
        if not isinstance(metrics, dict):
            raise TypeError(f"the objective returned {type(metrics).__name__}; return a "
                            f"dict of metrics that includes {metric!r}")
        metrics = _jsonify(metrics, "objective's metrics")
        value = metrics.get(metric)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise KeyError(f"the objective's metrics {sorted(metrics)} have no number "
                           f"{metric!r} (the metric= being searched on); got {value!r}")
        if not math.isfinite(value):
            return ("failed", metrics, f"NonFiniteMetric: the objective returned {metric}="
                    f"{value}; a NaN or Inf cannot be ranked, so the trial counts as failed "
                    "(a diverged run? try a lower learning rate)", None,
                    time.perf_counter() - start)
        return "ok", metrics, None, None, time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - recording any failure is the point
        frames = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-6)
        return ("failed", None, f"{type(exc).__name__}: {exc}", "".join(frames),
                time.perf_counter() - start)


def _key(params, seed):
    return json.dumps([params, seed], sort_keys=True)


def _load_finished(path):
    """{(params, seed) key: record} of the trials already in the JSON Lines file.

    A line cut short by a crash is skipped with a warning; the last record of a key wins.
    """
    finished = {}
    if path is None or not os.path.exists(path):
        return finished
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                finished[_key(rec["params"], rec["seed"])] = rec
            except (ValueError, KeyError, TypeError):
                warnings.warn(f"search: skipping unreadable line {lineno} of {path}",
                              stacklevel=3)
    return finished


def _append(path, record):
    """Append one record as a line, flushed and fsynced so a crash loses at most this line."""
    line = json.dumps(record) + "\n"
    with open(path, "a+b") as f:
        f.seek(0, os.SEEK_END)
        if f.tell():  # after a crash mid-line, start on a fresh line
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                line = "\n" + line
        f.write(line.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def _reusable(rec, retry_failed, retry_crashed):
    status = rec.get("status")
    return (status == "ok" or (status == "failed" and not retry_failed)
            or (status == "crashed" and not retry_crashed))


def _run_trials(objective, tasks, *, metric, executor, results_path, retry_failed,
                retry_crashed, where):
    """Run ``tasks`` [(round, trial, params, seed)] and return every record, in task order.

    Trials already in ``results_path`` (same params and seed) are reused, not rerun;
    failed ones too unless ``retry_failed``, crashed ones unless ``retry_crashed``. New
    records are appended as each finishes. Returns (records, number reused).
    """
    if not callable(objective):
        raise TypeError(f"{where}: objective must be callable as objective(params, seed) -> "
                        f"dict of metrics; got {type(objective).__name__}")
    for name, flag in (("retry_failed", retry_failed), ("retry_crashed", retry_crashed)):
        if not isinstance(flag, bool):
            raise TypeError(f"{where}: {name} must be True or False, got {flag!r}")
    executor = _get_executor(executor, where)
    if isinstance(executor, ProcessExecutor):
        try:
            pickle.dumps(objective)
        except Exception as exc:
            raise TypeError(f"{where}: executor 'processes' sends the objective to other "
                            "processes, so it must be picklable: define it as a module-level "
                            f"function (got {objective!r}: {exc})") from exc
    if results_path is not None:
        results_path = os.fspath(results_path)
        parent = os.path.dirname(os.path.abspath(results_path))
        os.makedirs(parent, exist_ok=True)
    finished = _load_finished(results_path)
    records, todo = {}, []
    for round_, index, params, seed in tasks:
        rec = finished.get(_key(params, seed))
        if rec is not None and _reusable(rec, retry_failed, retry_crashed):
            records[round_, index] = dict(rec, round=round_, trial=index)
        else:
            todo.append((round_, index, params, seed))
    reused = len(records)
    jobs = [(objective, params, seed, metric) for _, _, params, seed in todo]
    with contextlib.closing(executor.imap_unordered(_run_trial, jobs)) as results:
        for i, out in results:
            if isinstance(out, WorkerDied):
                status, metrics, error, tb, secs = ("crashed", None, f"WorkerDied: {out.reason}",
                                                    None, out.duration)
            else:
                status, metrics, error, tb, secs = out
            round_, index, params, seed = todo[i]
            rec = {"round": round_, "trial": index, "params": params, "seed": seed,
                   "status": status, "metrics": metrics, "error": error, "traceback": tb,
                   "duration": secs}
            records[round_, index] = rec
            if results_path is not None:
                _append(results_path, rec)
    return [records[r, i] for r, i, _, _ in tasks], reused


def _ranked(records, metric, mode):
    """Records best first: ok trials by ``metric`` (NaN or Inf after the numbers), then failed
    and crashed ones in definition order."""
    sign = -1.0 if mode == "max" else 1.0

    def rank(rec):
        if rec["status"] != "ok":
            return (2, 0.0, rec["round"], rec["trial"])
        v = float(rec["metrics"][metric])
        if not math.isfinite(v):
            return (1, 0.0, rec["round"], rec["trial"])
        return (0, sign * v, rec["round"], rec["trial"])
    return sorted(records, key=rank)
