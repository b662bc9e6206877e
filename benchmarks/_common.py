"""Shared helpers for the benchmark scripts: timers, subprocess workers, memory, tables.

Why subprocesses: after a NumPy call, OpenBLAS's worker threads keep spinning
for a while; on a small machine that slows PyTorch in the same process about
2x. So PyTorch is always timed in its own process (a "worker": the benchmark
script run again with ``--worker NAME``), and every deep-graph measurement
runs in a fresh process so that its peak memory is its own.
"""
import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from importlib import metadata, util

__all__ = ["CLOCKS", "Timer", "compare", "median_time", "run_worker", "worker_main", "has_module",
           "peak_rss_mb", "machine_line", "print_table", "fmt_ratio", "REPO", "set_blas_threads",
           "threads_from_argv", "parse_args", "announce", "print_total"]

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)        # the checkout's packages, also when chainrule is not installed


def set_blas_threads(n):
    """Ask BLAS and OpenMP for ``n`` threads; call it before NumPy or PyTorch is imported.

    They read these variables once, when they load (here or in a worker process,
    which inherits them).

    Example:
        >>> set_blas_threads(1); os.environ["OPENBLAS_NUM_THREADS"]
        '1'
    """
    n = str(n)
    os.environ.update(OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n)


def threads_from_argv(argv=None):
    """The ``N`` of ``--threads N`` on the command line (before argparse runs), or None.

    Example:
        >>> threads_from_argv(["bench.py", "--threads", "2"])
        '2'
    """
    argv = sys.argv if argv is None else argv
    if "--threads" in argv[:-1]:
        return argv[argv.index("--threads") + 1]
    return None


def parse_args(doc, workers=None, quick="fewer repeats", add_arguments=None):
    """A benchmark's command line: run the worker it names and exit, else parse the options.

    ``doc``'s first line describes the script; ``--quick`` (help ``quick``; None:
    no such option) is common to the benchmarks, ``add_arguments(parser)`` adds
    the script's own. Returns ``(parser, args)``.

    Example:
        >>> parser, args = parse_args(__doc__, WORKERS)       # doctest: +SKIP
    """
    if workers is not None:
        worker_main(workers, sys.argv)
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    if quick:
        parser.add_argument("--quick", action="store_true", help=quick)
    if add_arguments is not None:
        add_arguments(parser)
    return parser, parser.parse_args()


def announce(settings=None):
    """Print the machine line, the settings (if any) and the command line; return the start
    time for ``print_total``.

    Example:
        >>> start = announce("BLAS threads 1")                 # doctest: +SKIP
    """
    print(f"machine: {machine_line()}")
    if settings:
        print(f"settings: {settings}")
    print(f"command: {' '.join([os.path.relpath(sys.executable)] + sys.argv)}")
    sys.stdout.flush()
    return time.perf_counter()


def print_total(start, note=""):
    """Print the whole run's time since ``start`` (from ``announce``).

    Example:
        >>> print_total(time.perf_counter() - 2.0)             # doctest: +ELLIPSIS
        <BLANKLINE>
        total benchmark time 2 s
    """
    print(f"\ntotal benchmark time {time.perf_counter() - start:.0f} s{note}")


class Timer:
    """Collect timing samples: ``add(seconds)``; ``median`` and ``spread`` summarize them.

    Example:
        >>> t = Timer(); t.add(1.0); t.add(3.0); t.median
        2.0
    """

    def __init__(self):
        self.samples = []

    def add(self, seconds):
        """Record one sample."""
        self.samples.append(seconds)

    @property
    def median(self):
        """The median sample."""
        return statistics.median(self.samples)

    @property
    def spread(self):
        """(min, max) of the samples, to show how noisy the machine was."""
        return min(self.samples), max(self.samples)


# "wall" is what a user waits; "cpu" is the calling thread's CPU time, which a busy shared
# machine disturbs far less (valid only when all the work runs in that thread).
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def _time_once(fn, number, clock):
    start = clock()
    for _ in range(number):
        fn()
    return (clock() - start) / number


def compare(fns, repeats, warmup=1, number=1, clock="wall"):
    """Time several callables interleaved (A B C A B C ...); a Timer of seconds per call each.

    Interleaving spreads the noise of a shared machine evenly over the contenders,
    so their ratios stay meaningful even when the absolute numbers drift; the
    order rotates every round, so no contender always runs on the heap and
    caches another one just left behind. ``clock`` is "wall" or "cpu" (see CLOCKS).

    Example:
        >>> compare({"a": lambda: None, "b": lambda: None}, repeats=5)["a"].median >= 0
        True
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    timers = {name: Timer() for name in fns}
    gc.collect()
    names = list(fns)
    for i in range(repeats):
        for name in names[i % len(names):] + names[:i % len(names)]:
            timers[name].add(_time_once(fns[name], number, CLOCKS[clock]))
    return timers


def median_time(fn, repeats, warmup=1, number=1, clock="wall"):
    """Median seconds per call of ``fn`` over ``repeats`` samples of ``number`` calls each.

    Example:
        >>> median_time(lambda: None, repeats=3) >= 0
        True
    """
    return compare({"fn": fn}, repeats, warmup, number, clock)["fn"].median


def has_module(name):
    """True if ``name`` can be imported here (checked without importing it).

    Example:
        >>> has_module("json")
        True
    """
    return util.find_spec(name) is not None


def run_worker(script, name, args=None, timeout=300):
    """Run ``script --worker name 'json args'`` in a fresh Python; return its JSON result.

    The worker prints one JSON object as its last stdout line. On failure the
    result is ``{"error": "..."}`` so one broken contender never stops the run.

    Example:
        >>> run_worker(__file__, "torch_chain", {"shape": [4]})     # doctest: +SKIP
        {'seconds': 0.0005}
    """
    cmd = [sys.executable, script, "--worker", name, json.dumps(args or {})]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"worker {name} timed out after {timeout} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"worker {name} failed (exit {proc.returncode}): {tail}"}
    return json.loads(lines[-1])


def worker_main(workers, argv):
    """If argv is ``--worker NAME JSON``, run ``workers[NAME](**args)``, print JSON, exit.

    Example:
        >>> worker_main({}, ["bench.py"])      # not a worker call: returns None
    """
    if len(argv) < 3 or argv[1] != "--worker":
        return None
    args = json.loads(argv[3]) if len(argv) > 3 else {}
    print(json.dumps(workers[argv[2]](**args)))
    sys.exit(0)


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def peak_rss_mb(fn):
    """Run ``fn()``; return (its result, the peak resident memory it added, in MB).

    Linux: the high-water mark is reset first (``/proc/self/clear_refs``), so
    the figure is the peak during ``fn`` minus the resident size before it,
    counting NumPy buffers and C++ (PyTorch) allocations alike. Elsewhere it
    falls back to ``ru_maxrss`` (then earlier peaks in the process count too).

    Example:
        >>> _, mb = peak_rss_mb(lambda: bytearray(50_000_000)); mb > 40
        True
    """
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _status_kb("VmRSS")
        result = fn()
        peak = _status_kb("VmHWM")
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = fn()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result, (peak - before) / 1024


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_line():
    """One line naming the CPU, core count, OS, Python, NumPy and PyTorch versions, load.

    Example:
        >>> "numpy" in machine_line()
        True
    """
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{_cpu_model()}, {os.cpu_count()} cores, {platform.system()} "
            f"{platform.release().split('-')[0]}, Python {platform.python_version()}, "
            f"numpy {_version('numpy')}, torch {_version('torch')}, "
            f"load average {load:.2f} at start")


def fmt_ratio(a, b):
    """``a / b`` as '1.23x', or '-' when either is missing.

    Example:
        >>> fmt_ratio(3.0, 2.0)
        '1.50x'
    """
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def print_table(title, headers, rows, notes=()):
    """Print a plain-text table (also valid Markdown), then its notes.

    Example:
        >>> print_table("T", ["a", "b"], [["1", "2"]])
        <BLANKLINE>
        T
        <BLANKLINE>
        | a | b |
        |---|---|
        | 1 | 2 |
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    print(f"\n{title}\n")
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
    for note in notes:
        print(f"  * {note}")
    sys.stdout.flush()
