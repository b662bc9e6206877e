"""Where trials run: in this process, in local worker processes, or on a Dask cluster.

An executor has one method, ``imap_unordered(fn, jobs)``, a generator of ``(i, fn(*jobs[i]))``
in the order the calls finish; it starts its resources when iterated and releases them when
exhausted or closed. The search functions take an executor or its name: ``"serial"``,
``"processes"`` or ``"dask"``.
"""
import concurrent.futures as cf
import os

__all__ = ["SerialExecutor", "ProcessExecutor", "DaskExecutor"]


class SerialExecutor:
    """Run trials one after another in this process (the default; easiest to debug).

    Example:
        >>> result = grid_search(objective, space, executor=SerialExecutor())
    """

    def imap_unordered(self, fn, jobs):
        """Yield ``(i, fn(*jobs[i]))`` for each job, in order.

        Example:
            >>> list(SerialExecutor().imap_unordered(pow, [(2, 3)]))
            [(0, 8)]
        """
        for i, args in enumerate(jobs):
            yield i, fn(*args)

    def __repr__(self):
        return "SerialExecutor()"


class ProcessExecutor:
    """Run trials in ``max_workers`` local processes (``concurrent.futures``).

    The objective is pickled to the workers, so it must be a module-level function
    (not a lambda or a closure). ``max_workers=None`` uses every CPU.

    Example:
        >>> result = random_search(train_mlp, space, 20, executor=ProcessExecutor(4))
    """

    def __init__(self, max_workers=None):
        if max_workers is not None and (isinstance(max_workers, bool)
                                        or not isinstance(max_workers, int)
                                        or max_workers < 1):
            raise ValueError(f"ProcessExecutor: max_workers={max_workers!r} must be a "
                             "positive int or None (one per CPU)")
        self.max_workers = max_workers

    def imap_unordered(self, fn, jobs):
        """Yield ``(i, fn(*jobs[i]))`` as the worker processes finish them.

        Example:
            >>> dict(ProcessExecutor(2).imap_unordered(pow, [(2, 3), (3, 2)]))
            {0: 8, 1: 9}
        """
        if not jobs:
            return
        workers = min(self.max_workers or os.cpu_count() or 1, len(jobs))
        pool = cf.ProcessPoolExecutor(max_workers=workers)
        try:
            futures = {pool.submit(fn, *args): i for i, args in enumerate(jobs)}
            for fut in cf.as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def __repr__(self):
        return f"ProcessExecutor(max_workers={self.max_workers!r})"


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ImportError("DaskExecutor needs dask.distributed, which is not installed: "
                          "pip install 'chainrule[dist]' (or pip install 'dask[distributed]')"
                          ) from exc
    return distributed


class DaskExecutor:
    """Run trials on a Dask cluster: how a search goes past one machine.

    With ``address`` (e.g. ``"tcp://10.0.0.5:8786"``, a running ``dask scheduler``) it connects
    a ``dask.distributed.Client`` to that scheduler and leaves the cluster running afterwards.
    Without it, it starts a ``LocalCluster(n_workers, threads_per_worker, processes=True)`` for
    the search and closes it after. A script that starts a LocalCluster needs the
    ``if __name__ == "__main__":`` guard. Needs the ``dist`` extra (``dask[distributed]``).

    Example:
        >>> result = random_search(train_mlp, space, 50,
        ...                        executor=DaskExecutor("tcp://scheduler:8786"))
    """

    def __init__(self, address=None, n_workers=2, threads_per_worker=1):
        if address is not None and not isinstance(address, str):
            raise TypeError(f"DaskExecutor: address must be a scheduler address string such "
                            f"as 'tcp://127.0.0.1:8786' or None, got {address!r}")
        for name, v in (("n_workers", n_workers), ("threads_per_worker", threads_per_worker)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"DaskExecutor: {name}={v!r} must be a positive int")
        self.address, self.n_workers = address, n_workers
        self.threads_per_worker = threads_per_worker

    def imap_unordered(self, fn, jobs):
        """Yield ``(i, fn(*jobs[i]))`` as the Dask workers finish them.

        Example:
            >>> dict(DaskExecutor().imap_unordered(pow, [(2, 3), (3, 2)]))
            {0: 8, 1: 9}
        """
        if not jobs:
            return
        distributed = _import_distributed()
        cluster = None
        if self.address is None:
            cluster = distributed.LocalCluster(n_workers=self.n_workers,
                                               threads_per_worker=self.threads_per_worker,
                                               processes=True,
                                               # a free port: 8787 may be another cluster's
                                               dashboard_address=":0")
        try:
            with distributed.Client(cluster if cluster is not None else self.address) as client:
                # pure=False: equal arguments are still separate trials, never deduplicated
                futures = {client.submit(fn, *args, pure=False): i
                           for i, args in enumerate(jobs)}
                try:
                    for fut in distributed.as_completed(list(futures)):
                        yield futures[fut], fut.result()
                finally:
                    client.cancel(list(futures))
        finally:
            if cluster is not None:
                cluster.close()

    def __repr__(self):
        return (f"DaskExecutor(address={self.address!r}, n_workers={self.n_workers}, "
                f"threads_per_worker={self.threads_per_worker})")


_NAMES = {"serial": SerialExecutor, "processes": ProcessExecutor, "dask": DaskExecutor}


def _get_executor(executor, where):
    if isinstance(executor, str):
        if executor not in _NAMES:
            raise ValueError(f"{where}: unknown executor {executor!r}; use one of "
                             f"{sorted(_NAMES)} or an executor object such as "
                             "DaskExecutor('tcp://host:8786')")
        return _NAMES[executor]()
    if not callable(getattr(executor, "imap_unordered", None)):
        raise TypeError(f"{where}: executor must be 'serial', 'processes', 'dask' or an "
                        f"object with imap_unordered(fn, jobs); got {executor!r}")
    return executor
