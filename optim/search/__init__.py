"""Hyperparameter search: grid, random and coarse-to-fine, serial, in processes or on Dask.

Example:
    >>> import nn, optim
    >>> from optim.search import random_search, LogUniform, Choice
    >>> def objective(params, seed):                    # train, return validation metrics
    ...     _ = nn.manual_seed(seed); X, y = nn.data.moons(64)
    ...     model = nn.Sequential(nn.Linear(2, params["hidden"]), nn.ReLU(),
    ...                           nn.Linear(params["hidden"], 2))
    ...     history = optim.fit(model, [(X[:48], y[:48])], val_loader=[(X[48:], y[48:])],
    ...                         loss_fn=nn.CrossEntropyLoss(), epochs=10, metrics=["accuracy"],
    ...                         optimizer=optim.SGD(model.parameters(), lr=params["lr"]))
    ...     return {"val_accuracy": history["val_accuracy"][-1]}
    >>> result = random_search(objective, {"lr": LogUniform(1e-3, 1.0), "hidden": Choice([8, 32])},
    ...                        n_trials=3, results_path="search.jsonl")   # serial by default
    >>> [(round(t["params"]["lr"], 4), t["params"]["hidden"]) for t in result.trials]
    [(0.6742, 8), (0.0062, 8), (0.2656, 32)]
    >>> with open("search.jsonl") as f:             # a trial per line, written as it ends
    ...     result.best["params"], len(f.readlines())
    ({'lr': 0.674..., 'hidden': 8}, 3)
"""
from .space import Uniform, LogUniform, IntUniform, Choice
from .executors import SerialExecutor, ProcessExecutor, DaskExecutor, WorkerDied
from .result import SearchResult
from .strategies import grid_search, random_search, coarse_to_fine

__all__ = ["Uniform", "LogUniform", "IntUniform", "Choice", "SerialExecutor", "ProcessExecutor",
           "DaskExecutor", "WorkerDied", "SearchResult", "grid_search", "random_search",
           "coarse_to_fine"]
