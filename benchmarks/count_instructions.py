"""Instructions per op of benchmark 1's chain, counted by callgrind: a figure that noise cannot move.

Timings on a shared machine drift by tens of percent; an instruction count does not. The
script runs the 100-op chain (``* 0.9``, ``+ 0.1``, ``tanh``: forward and backward) under
valgrind's callgrind twice, once with 0 chains and once with N, in fresh interpreters with
``PYTHONHASHSEED=0``, and prints the difference per op. Use it to compare commits (point
``--repo`` at a checkout of each) or a change against the same tree.

    .venv/bin/python benchmarks/count_instructions.py                # (4,) and 0-d
    .venv/bin/python benchmarks/count_instructions.py --retain-graph # without freeing
    .venv/bin/python benchmarks/count_instructions.py --repo /tmp/old-checkout

Needs ``valgrind`` (``apt-get install valgrind``). About a minute per shape.
"""
import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAINS, OPS = 50, 99          # 33 rounds of (* 0.9, + 0.1, tanh) per chain


def chain_program(shape, retain_graph):
    """The Python source timed: a warm-up, then ``sys.argv[1]`` chains.

    Example:
        >>> "tanh" in chain_program((4,), False)
        True
    """
    root = "h.sum()" if shape else "h"
    return f"""
import sys
import numpy as np
from autograd import Tensor
def chain():
    x = Tensor(np.full({shape!r}, 0.5), requires_grad=True)
    h = x
    for _ in range(33):
        h = (h * 0.9 + 0.1).tanh()
    {root}.backward(retain_graph={retain_graph})
for _ in range(5):
    chain()
for _ in range(int(sys.argv[1])):
    chain()
"""


def instructions(repo, program, chains):
    """Instructions callgrind counts for one run of ``program`` with ``chains`` chains.

    Example (about 20 s under valgrind):
        >>> program = chain_program((), False)
        >>> extra = instructions(ROOT, program, 10) - instructions(ROOT, program, 0)
        >>> 10_000 < extra / (10 * OPS) < 200_000     # instructions per op
        True
    """
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(repo), OPENBLAS_NUM_THREADS="1")
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          sys.executable, "-c", program, str(chains)],
                         env=env, capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(ROOT), help="checkout whose autograd to count")
    parser.add_argument("--retain-graph", action="store_true",
                        help="backward(retain_graph=True): nothing freed after backward")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("count_instructions: valgrind is not installed (apt-get install valgrind)")
    print(f"repo: {args.repo}; retain_graph={args.retain_graph}; PYTHONHASHSEED=0")
    for shape in ((4,), ()):
        program = chain_program(shape, args.retain_graph)
        base = instructions(args.repo, program, 0)
        full = instructions(args.repo, program, CHAINS)
        print(f"shape {shape}: {(full - base) / (CHAINS * OPS):,.0f} instructions per op "
              "(forward + backward)")


if __name__ == "__main__":
    main()
