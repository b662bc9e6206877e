"""Run a few lines of Python in a fresh interpreter with one BLAS thread; return what it prints.

The examples' tests measure some claims over several seeds by calling an
example's own functions (``schedule_experiment``, ``run``, ...) for each seed.
They run in a child process for the same reason the examples themselves do:
OPENBLAS_NUM_THREADS is read once, when NumPy loads, and threaded BLAS makes
these small matrices several times slower on a loaded machine.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_child(code):
    """Run ``code`` (which must ``emit(value)`` once) in a child; returns the emitted value.

    ``emit`` writes the value as one JSON line; dict keys come back as strings.

    Example:
        >>> run_child("emit({s: s * s for s in range(3)})")
        {'0': 0, '1': 1, '2': 4}
    """
    prelude = ("import json\n"
               "def emit(value):\n"
               "    print('RESULT ' + json.dumps(value))\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", prelude + code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"child failed:\n{code}\n{proc.stderr[-4000:]}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, f"the child emitted {len(lines)} results:\n{proc.stdout[-4000:]}"
    return json.loads(lines[0][len("RESULT "):])
