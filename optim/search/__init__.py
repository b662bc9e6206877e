"""Hyperparameter search: grid, random and coarse-to-fine, serial, in processes or on Dask.

Example:
    >>> from optim.search import random_search, LogUniform, Choice
    >>> def objective(params, seed):
    ...     return {"val_accuracy": train(lr=params["lr"], hidden=params["hidden"], seed=seed)}
    >>> result = random_search(objective, {"lr": LogUniform(1e-4, 1e-1),
    ...                                    "hidden": Choice([32, 64])}, n_trials=20,
    ...                        executor="dask", results_path="runs/search.jsonl")
    >>> print(result)                                   # best trial first
"""
from .space import Uniform, LogUniform, IntUniform, Choice
from .executors import SerialExecutor, ProcessExecutor, DaskExecutor, WorkerDied
from .result import SearchResult
from .strategies import grid_search, random_search, coarse_to_fine

__all__ = ["Uniform", "LogUniform", "IntUniform", "Choice", "SerialExecutor", "ProcessExecutor",
           "DaskExecutor", "WorkerDied", "SearchResult", "grid_search", "random_search",
           "coarse_to_fine"]
