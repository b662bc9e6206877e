"""SearchResult: every trial of a search as plain data, ranked by the validation metric."""
import json
import math
import os

from nn.serialization import atomic_write

from .trial import _ranked

__all__ = ["SearchResult"]


def _fmt(v, column=None):
    if column == "duration" and isinstance(v, float):
        return f"{v:.2f}s"
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


class SearchResult:
    """The trials of a search: plain dicts, ready for JSON, a table, or a plot.

    ``trials`` is the list of trial records in the order they were defined (round, then
    trial index), each ``{"round", "trial", "params", "seed", "status": "ok" | "failed" |
    "crashed", "metrics", "error", "traceback", "duration"}``: ``failed`` if the objective
    raised or its metric was not a finite number, ``crashed`` if the process running it
    died. ``spaces`` holds the space searched in each round (one for grid and random
    search); ``resumed`` counts the trials read back from ``results_path`` instead of being
    run.

    Example:
        >>> from optim.search import grid_search
        >>> def objective(params, seed):      # stands in for a training run; lr 1 diverges
        ...     if params["lr"] >= 1: raise ValueError("diverged")
        ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01)}
        >>> result = grid_search(objective, {"lr": [0.001, 0.01, 0.1, 1.0]})
        >>> result
        SearchResult(4 trials, 3 ok, 1 failed, best val_accuracy=1)
        >>> print(result)             # an aligned table, best trial first, failed ones last
        trial  lr     val_accuracy  status  duration  error
        -----  -----  ------------  ------  --------  --------------------
        1      0.01   1             ok      0...s
        0      0.001  0.991         ok      0...s
        2      0.1    0.91          ok      0...s
        3      1                    failed  0...s     ValueError: diverged
    """

    def __init__(self, trials, metric="val_accuracy", mode="max", spaces=(), resumed=0):
        if mode not in ("max", "min"):
            raise ValueError(f"SearchResult: mode={mode!r} must be 'max' or 'min'")
        self.trials = list(trials)
        self.metric, self.mode = metric, mode
        self.spaces = list(spaces)
        self.resumed = resumed

    @property
    def ok(self):
        """The trials that finished, in definition order.

        Example:
            >>> from optim.search import grid_search
            >>> def objective(params, seed):      # stands in for a training run; lr 1 diverges
            ...     if params["lr"] >= 1: raise ValueError("diverged")
            ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01)}
            >>> result = grid_search(objective, {"lr": [0.001, 0.01, 0.1, 1.0]})
            >>> [t["metrics"]["val_accuracy"] for t in result.ok]
            [0.991, 1.0, 0.91]
        """
        return [t for t in self.trials if t["status"] == "ok"]

    @property
    def failed(self):
        """The trials that raised or gave a NaN / Inf metric, each with its ``error`` text.

        Example:
            >>> from optim.search import grid_search
            >>> def objective(params, seed):      # stands in for a training run; lr 1 diverges
            ...     if params["lr"] >= 1: raise ValueError("diverged")
            ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01)}
            >>> result = grid_search(objective, {"lr": [0.001, 0.01, 0.1, 1.0]})
            >>> for t in result.failed: print(t["params"], t["error"])
            {'lr': 1.0} ValueError: diverged
        """
        return [t for t in self.trials if t["status"] == "failed"]

    @property
    def crashed(self):
        """The trials whose process died (SIGKILL, out of memory); ``error`` says how.

        A rerun with the same ``results_path`` skips them unless ``retry_crashed=True``.

        Example:
            >>> died = {"round": 0, "trial": 0, "params": {"lr": 1.0}, "seed": 0, "metrics": None,
            ...         "status": "crashed", "error": "WorkerDied: killed by SIGKILL",
            ...         "traceback": None, "duration": None}     # as a search records it
            >>> for t in SearchResult([died]).crashed: print(t["params"], t["error"])
            {'lr': 1.0} WorkerDied: killed by SIGKILL
        """
        return [t for t in self.trials if t["status"] == "crashed"]

    @property
    def best(self):
        """The best finished trial by ``metric`` and ``mode``; None if no trial finished with
        a finite value of it (every trial failed, crashed or gave NaN).

        Example:
            >>> from optim.search import grid_search
            >>> def objective(params, seed):      # stands in for a training run; lr 1 diverges
            ...     if params["lr"] >= 1: raise ValueError("diverged")
            ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01)}
            >>> result = grid_search(objective, {"lr": [0.001, 0.01, 0.1, 1.0]})
            >>> result.best["params"], result.best["metrics"]
            ({'lr': 0.01}, {'val_accuracy': 1.0})
        """
        ranked = _ranked(self.trials, self.metric, self.mode)
        if ranked and ranked[0]["status"] == "ok":
            value = ranked[0]["metrics"][self.metric]
            if math.isfinite(value):
                return ranked[0]
        return None

    def table(self, sort_by=None, mode=None):
        """Flat rows (dicts), best first by ``sort_by`` (default: the searched metric).

        A row has ``round``, ``trial``, each param, ``seed``, each scalar metric, ``status``,
        ``error`` and ``duration``; a metric named like a param becomes ``metrics.<name>``.
        Failed and crashed trials come last, in definition order.

        Example:
            >>> from optim.search import grid_search
            >>> def objective(params, seed):      # stands in for a training run; lr 1 diverges
            ...     if params["lr"] >= 1: raise ValueError("diverged")
            ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01)}
            >>> result = grid_search(objective, {"lr": [0.001, 0.01, 0.1, 1.0]})
            >>> [(row["lr"], row["status"]) for row in result.table()]   # highest first
            [(0.01, 'ok'), (0.001, 'ok'), (0.1, 'ok'), (1.0, 'failed')]
            >>> [row["lr"] for row in result.table("val_accuracy", mode="min")]
            [0.1, 0.001, 0.01, 1.0]
        """
        sort_by = self.metric if sort_by is None else sort_by
        mode = self.mode if mode is None else mode
        if mode not in ("max", "min"):
            raise ValueError(f"SearchResult.table: mode={mode!r} must be 'max' or 'min'")
        ok = [t for t in self.ok if sort_by in t["metrics"]]
        if self.ok and not ok:
            raise KeyError(f"SearchResult.table: no trial has a metric {sort_by!r}; the "
                           f"metrics are {sorted(self.ok[0]['metrics'])}")
        missing = [t for t in self.ok if sort_by not in t["metrics"]]
        ranked = _ranked(ok, sort_by, mode) + missing + [t for t in self.trials
                                                         if t["status"] != "ok"]
        return [self._row(t) for t in ranked]

    @staticmethod
    def _row(t):
        row = {"round": t["round"], "trial": t["trial"], **t["params"], "seed": t["seed"]}
        for k, v in (t["metrics"] or {}).items():
            if v is None or isinstance(v, (bool, int, float, str)):
                row[f"metrics.{k}" if k in row else k] = v
        row.update(status=t["status"], error=t["error"], duration=t["duration"])
        return row

    def __str__(self):
        rows = self.table()
        if not rows:
            return "SearchResult: no trials"
        cols = [c for c in dict.fromkeys(k for r in rows for k in r)
                if c not in ("seed", "error") and not (c == "round" and len(self.spaces) < 2)]
        if any(r["error"] for r in rows):
            cols.append("error")
        cells = [[_fmt(r.get(c), c)[:60] for c in cols] for r in rows]
        widths = [max(len(c), *(len(row[j]) for row in cells)) for j, c in enumerate(cols)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
        return "\n".join(lines)

    def __repr__(self):
        best = self.best
        tail = f", best {self.metric}={_fmt(best['metrics'][self.metric])}" if best else ""
        crashed = f", {len(self.crashed)} crashed" if self.crashed else ""
        return (f"SearchResult({len(self.trials)} trials, {len(self.ok)} ok, "
                f"{len(self.failed)} failed{crashed}{tail})")

    def to_dict(self):
        """Everything as plain JSON-ready data: metric, mode, spaces (as text), trials.

        Example:
            >>> from optim.search import grid_search
            >>> def objective(params, seed):      # stands in for a training run; lr 1 diverges
            ...     if params["lr"] >= 1: raise ValueError("diverged")
            ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01)}
            >>> result = grid_search(objective, {"lr": [0.001, 0.01, 0.1, 1.0]})
            >>> d = result.to_dict(); d["spaces"], d["trials"][3]["status"]
            ([{'lr': 'Choice([0.001, 0.01, 0.1, 1.0])'}], 'failed')
        """
        return {"metric": self.metric, "mode": self.mode,
                "spaces": [{k: repr(v) for k, v in s.items()} for s in self.spaces],
                "resumed": self.resumed, "trials": self.trials}

    def to_json(self, path=None, indent=2):
        """The result as a JSON string; also written to ``path`` (atomically) when given.

        A missing folder of ``path`` is made, as for ``results_path``.

        Example:
            >>> from optim.search import grid_search
            >>> def objective(params, seed):      # stands in for a training run; lr 1 diverges
            ...     if params["lr"] >= 1: raise ValueError("diverged")
            ...     return {"val_accuracy": 1 - abs(params["lr"] - 0.01)}
            >>> result = grid_search(objective, {"lr": [0.001, 0.01, 0.1, 1.0]})
            >>> text = result.to_json("runs/search.json")
            >>> with open("runs/search.json") as f:
            ...     json.load(f)["trials"][1]["params"]
            {'lr': 0.01}
        """
        text = json.dumps(self.to_dict(), indent=indent)
        if path is not None:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            with atomic_write(path) as f:
                f.write((text + "\n").encode("utf-8"))
        return text
