"""Where an eager op's time goes: benchmark 1's chain split into phases (issue 12, "Eager").

For the 100-op chain (``* 0.9``, ``+ 0.1``, ``tanh``) on a 0-d and a (4,) float64 input,
this prints microseconds per op of:

- the forward without recording (``no_grad``), and recording the graph;
- forward + backward, and forward + backward with ``retain_graph=True`` (the difference
  is what freeing the graph's saved values costs), and with the garbage collector off;
- the same phases for micrograd's engine (the ``Value`` of bench_autograd.py: Python
  floats) and for the hand-written NumPy floor;
- what NumPy itself charges per call on these operands, the floor under any engine
  that keeps ``.data`` an ndarray.

Each figure is the median of interleaved samples of the thread's CPU time; compare figures
within one run. Nothing is asserted.

Run:  .venv/bin/python benchmarks/overhead.py [--quick]
"""
import gc
import sys
import timeit

from _common import announce, compare, parse_args, print_table, print_total, set_blas_threads

set_blas_threads(1)                   # before NumPy loads

import numpy as np  # noqa: E402

from bench_autograd import CHAIN_OPS, Value, chain, numpy_chain  # noqa: E402


def phases(shape):
    """{phase: callable running it once} for chainrule, micrograd and the floor.

    Example:
        >>> list(phases(()))[:2]
        ['chainrule: forward, no_grad', 'chainrule: forward, recording']
    """
    import autograd
    from autograd import Tensor
    x0 = np.full(shape, 0.5)

    def root():
        y = chain(Tensor(x0, requires_grad=True), CHAIN_OPS)
        return y.sum() if shape else y

    def no_gc(fn):
        def run():
            gc.disable()
            try:
                fn()
            finally:
                gc.enable()
        return run

    def forward_only():
        with autograd.no_grad():
            chain(Tensor(x0), CHAIN_OPS)

    found = {
        "chainrule: forward, no_grad": forward_only,
        "chainrule: forward, recording": root,
        "chainrule: forward + backward": lambda: root().backward(),
        "chainrule: forward + backward, retain_graph": lambda: root().backward(
            retain_graph=True),
        "chainrule: forward + backward, gc off": no_gc(lambda: root().backward()),
        "NumPy floor: forward + backward": lambda: numpy_chain(x0, CHAIN_OPS),
    }
    if shape == ():
        found["micrograd: forward"] = lambda: chain(Value(0.5), CHAIN_OPS)
        found["micrograd: forward + backward"] = lambda: chain(Value(0.5), CHAIN_OPS).backward()
    return found


def numpy_calls(shape):
    """{NumPy call: seconds per call} for the calls an eager op makes on these operands.

    Example:
        >>> list(numpy_calls(()))[-1]
        'Python float: 0.5 * 0.9'
    """
    a, s = np.full(shape, 0.5), np.float64(0.5)
    calls = {
        "np.multiply(array, 0.9)": lambda: np.multiply(a, 0.9),
        "np.tanh(array)": lambda: np.tanh(a),
        "np.asanyarray(NumPy scalar)": lambda: np.asanyarray(s),
    }
    if shape == ():
        calls["NumPy scalar: s * 0.9"] = lambda: s * 0.9
        calls["Python float: 0.5 * 0.9"] = lambda: 0.5 * 0.9
    return {k: min(timeit.repeat(f, number=20000, repeat=5)) / 20000 for k, f in calls.items()}


def measure(shape, repeats, number):
    """Median µs per op of each phase (interleaved samples of the thread's CPU time).

    Example:
        >>> us = measure((), repeats=1, number=1); us["chainrule: forward, no_grad"] > 0
        True
    """
    timers = compare(phases(shape), repeats, warmup=20, number=number, clock="cpu")
    return {k: t.median / CHAIN_OPS * 1e6 for k, t in timers.items()}


def main():
    _, args = parse_args(__doc__)
    repeats, number = (15, 5) if args.quick else (40, 10)
    start = announce("BLAS threads 1; clock cpu (this thread); float64")
    for shape in ((), (4,)):
        us = measure(shape, repeats, number)
        whole = us["chainrule: forward + backward"]
        backward = whole - us["chainrule: forward, recording"]
        freeing = whole - us["chainrule: forward + backward, retain_graph"]
        notes = [f"chainrule's backward alone: {backward:.2f} µs/op, of which freeing the "
                 f"saved values {freeing:.2f}"]
        if shape == ():   # no backward-alone figure: see the note
            notes.append("micrograd's graph is a web of cycles (each Value's _backward closure "
                         "holds the Value), freed by the cyclic collector whenever it runs, so "
                         "its phases cannot be told apart by subtraction")
        print_table(f"100-op chain, shape {shape}: µs per op (median of {repeats} samples of "
                    f"{number} chains)", ["phase", "us/op", "x chainrule fwd+bwd"],
                    [[k, f"{v:.2f}", f"{v / whole:.2f}"] for k, v in us.items()], notes)
        print_table(f"NumPy's own cost per call on shape {shape} operands (best of 5)",
                    ["call", "us"], [[k, f"{v * 1e6:.3f}"] for k, v in
                                     numpy_calls(shape).items()])
    print_total(start)


if __name__ == "__main__":
    sys.exit(main())
