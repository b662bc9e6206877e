"""Where trials run: in this process, in local worker processes, or on a Dask cluster.

An executor has one method, ``imap_unordered(fn, jobs)``, a generator of ``(i, fn(*jobs[i]))``
in the order the calls finish; it starts its resources when iterated and releases them when
exhausted or closed. When the process running job ``i`` dies (SIGKILL, the out-of-memory
killer, a crash in native code) it yields ``(i, WorkerDied(reason))`` instead and carries on
with the other jobs. The search functions take an executor or its name: ``"serial"``,
``"processes"`` or ``"dask"``.
"""
import multiprocessing
import multiprocessing.connection
import os
import signal
import time

__all__ = ["SerialExecutor", "ProcessExecutor", "DaskExecutor", "WorkerDied"]


class WorkerDied:
    """What an executor yields in place of a result when the process running a job died.

    ``reason`` says how (e.g. killed by SIGKILL, the signal of the out-of-memory killer);
    ``duration`` is the seconds from sending the job to noticing the death (None if unknown).
    A search records such a trial with status ``"crashed"``.

    Example:
        >>> WorkerDied("the worker process running this trial was killed by SIGKILL").reason
        'the worker process running this trial was killed by SIGKILL'
    """

    def __init__(self, reason, duration=None):
        self.reason, self.duration = reason, duration

    def __repr__(self):
        return f"WorkerDied({self.reason!r})"


class SerialExecutor:
    """Run trials one after another in this process (the default; easiest to debug).

    Example:
        >>> from optim.search import grid_search
        >>> def objective(params, seed):      # a closure or lambda is fine in this process
        ...     return {"val_accuracy": -abs(params["x"] - 2)}
        >>> grid_search(objective, {"x": [1, 2, 3]}, executor=SerialExecutor()).best["params"]
        {'x': 2}
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


def _worker_main(conn):
    """A worker process: run ``(fn, args)`` jobs from ``conn`` until told to stop (None)."""
    try:
        while True:
            try:
                job = conn.recv()
            except EOFError:            # the search process is gone
                return
            if job is None:
                return
            fn, args = job
            try:
                out = ("ok", fn(*args))
            except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt, SystemExit: re-raised
                out = ("raise", exc)
            try:
                conn.send(out)
            except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
                conn.send(("raise", RuntimeError(f"ProcessExecutor: the worker could not send "
                                                 f"back the result of {fn!r}: {exc}")))
    except KeyboardInterrupt:           # Ctrl-C while idle: the search process handles it
        return


def _death(process):
    """Why a worker process ended without answering, as a sentence."""
    process.join(timeout=5)
    code = process.exitcode
    if code is None:
        return "the worker process running this trial stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = (" (the signal the kernel's out-of-memory killer sends)" if name == "SIGKILL"
                else "")
        return f"the worker process running this trial was killed by {name}{hint}"
    return (f"the worker process running this trial exited with code {code} without "
            "returning a result (os._exit, sys.exit in native code, or a crash)")


class _Worker:
    """One worker process and its end of a pipe; it runs one job at a time."""

    def __init__(self, context):
        self.conn, child = context.Pipe()
        # not a daemon, so an objective may start processes of its own (as with
        # ProcessPoolExecutor); it exits when the search process closes its pipe
        self.process = context.Process(target=_worker_main, args=(child,),
                                       name="chainrule-search-worker")
        self.process.start()
        child.close()

    def stop(self, now):
        """End the process: ask it to (``now=False``, it is idle) or terminate it."""
        if not now:
            try:
                self.conn.send(None)
            except OSError:
                pass
        elif self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class ProcessExecutor:
    """Run trials in ``max_workers`` local processes, each a worker that takes one at a time.

    The objective is pickled to the workers, so it must be a module-level function
    (not a lambda or a closure). ``max_workers=None`` uses every CPU. A worker that dies
    running a trial (SIGKILL, the out-of-memory killer, a crash in native code) costs only
    that trial, which is reported as ``WorkerDied``; a new worker takes its place and the
    other trials go on (``concurrent.futures.ProcessPoolExecutor`` would instead fail every
    pending trial with BrokenProcessPool, unable to say which one killed it).

    Example:
        >>> executor = ProcessExecutor(max_workers=2)
        >>> sorted(executor.imap_unordered(pow, [(2, 3), (3, 2), (2, 10)]))   # (job, result)
        [(0, 8), (1, 9), (2, 1024)]
        >>> from optim.search import grid_search
        >>> grid_search(lambda params, seed: params["x"], {"x": [1, 2]}, executor=executor)
        Traceback (most recent call last):
        TypeError: grid_search: executor 'processes' sends the objective to other processes, ...
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

        ``(i, WorkerDied(reason))`` if the process running job ``i`` died. An exception
        that ``fn`` lets escape (KeyboardInterrupt) is raised here; the workers are stopped
        when the generator ends, is closed or raises.

        Example:
            >>> dict(ProcessExecutor(2).imap_unordered(pow, [(2, 3), (3, 2)]))
            {0: 8, 1: 9}
        """
        if not jobs:
            return
        n_workers = min(self.max_workers or os.cpu_count() or 1, len(jobs))
        context = multiprocessing.get_context()
        pending = list(range(len(jobs)))[::-1]
        idle, busy = [], {}                       # busy: worker -> (job index, start time)
        try:
            while pending or busy:
                while pending and len(busy) < n_workers:
                    reused = bool(idle)
                    worker = idle.pop() if reused else _Worker(context)
                    i = pending.pop()
                    busy[worker] = (i, time.monotonic())
                    try:
                        worker.conn.send((fn, jobs[i]))
                    except OSError:
                        if reused:                # it died while idle: not the job's fault
                            del busy[worker]
                            worker.stop(now=True)
                            pending.append(i)
                        # a new worker that cannot take a job: reported as its death below
                ready = set(multiprocessing.connection.wait(
                    [w.conn for w in busy] + [w.process.sentinel for w in busy]))
                for worker in [w for w in busy if w.conn in ready or w.process.sentinel in ready]:
                    i, start = busy.pop(worker)
                    try:
                        if not worker.conn.poll():
                            raise EOFError
                        kind, value = worker.conn.recv()
                    except (EOFError, OSError):
                        reason = _death(worker.process)
                        worker.stop(now=True)
                        yield i, WorkerDied(reason, time.monotonic() - start)
                        continue
                    idle.append(worker)
                    if kind == "raise":
                        raise value
                    yield i, value
        finally:
            for worker in idle:
                worker.stop(now=False)
            for worker in busy:
                worker.stop(now=True)

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
    A worker process that dies is restarted by its nanny and Dask reruns its task elsewhere;
    a trial whose workers died more than ``distributed.scheduler.allowed-failures`` times
    (Dask's setting, 3 by default; set it with ``dask.config.set`` before the cluster
    starts) ends in Dask's KilledWorker, and is reported as ``WorkerDied`` while the other
    trials go on. On the LocalCluster it starts, it keeps only as many trials in flight as
    there are worker threads, so none waits queued on a worker that might die: a death is
    charged to the trials that were running in that worker process only. On your own
    cluster all trials are submitted at once and Dask schedules them (adaptive scaling
    sees them all); a worker's death then counts against the trials queued on it too.

    Example:
        >>> DaskExecutor("tcp://10.0.0.5:8786")     # the scheduler a search's trials go to
        DaskExecutor(address='tcp://10.0.0.5:8786', n_workers=2, threads_per_worker=1)
        >>> DaskExecutor(n_workers=0)
        Traceback (most recent call last):
        ValueError: DaskExecutor: n_workers=0 must be a positive int
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
        """Yield ``(i, fn(*jobs[i]))`` as the Dask workers finish them (``WorkerDied``: killed).

        Example:
            >>> import distributed                   # the dist extra; a cluster in this process:
            >>> with distributed.LocalCluster(n_workers=1, processes=False,
            ...                               dashboard_address=":0") as cluster:
            ...     executor = DaskExecutor(cluster.scheduler_address)
            ...     dict(executor.imap_unordered(pow, [(2, 3), (3, 2)]))
            {0: 8, 1: 9}
        """
        if not jobs:
            return
        distributed = _import_distributed()
        cluster, window = None, len(jobs)
        if self.address is None:
            cluster = distributed.LocalCluster(n_workers=self.n_workers,
                                               threads_per_worker=self.threads_per_worker,
                                               processes=True,
                                               # a free port: 8787 may be another cluster's
                                               dashboard_address=":0")
            # no more trials in flight than threads: none waits on a worker, so a worker
            # that dies takes down only the trials it was running
            window = self.n_workers * self.threads_per_worker
        try:
            with distributed.Client(cluster if cluster is not None else self.address) as client:
                todo, running = iter(range(len(jobs))), {}
                done = distributed.as_completed()

                def submit_more():
                    for i in todo:
                        # pure=False: equal arguments are still separate trials
                        fut = client.submit(fn, *jobs[i], pure=False)
                        running[fut] = i
                        done.add(fut)
                        if len(running) >= window:
                            return
                try:
                    submit_more()
                    for fut in done:
                        i = running.pop(fut)
                        try:
                            value = fut.result()
                        except distributed.KilledWorker as exc:
                            # every worker that ran it died; the nannies restart them
                            value = WorkerDied(f"the Dask worker processes running this "
                                               f"trial died: {exc}")
                        submit_more()
                        yield i, value
                finally:
                    client.cancel(list(running))
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
