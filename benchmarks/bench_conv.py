"""Conv2d forward + backward: chainrule next to a hand-written NumPy im2col + GEMM floor
and PyTorch (issue 3, "Performance").

Input 64x3x32x32, 16 filters 3x3, padding 1, bias, float32. One step computes
the output, then the gradients w.r.t. the input, the weight and the bias for a
fixed upstream gradient. The floor is the same algorithm written out in plain
NumPy with nothing around it: one strided-view copy (im2col), one (batched) GEMM
for the output, two GEMMs and a col2im for the gradients. The script checks that the
floor, chainrule and PyTorch compute the same four arrays before it reports.

PyTorch runs in a subprocess of its own (see _common.py: OpenBLAS's spinning
threads slow it down about 2x in a process that has just used NumPy).

Run:  .venv/bin/python benchmarks/bench_conv.py [--quick]
"""
import argparse
import os
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

from _common import compare, fmt_ratio, has_module, machine_line, print_table, run_worker, \
    worker_main

SCRIPT = os.path.abspath(__file__)
sys.path.insert(0, os.path.dirname(os.path.dirname(SCRIPT)))   # the repo, for `import nn`
N, C, H, W, F, K, PAD = 64, 3, 32, 32, 16, 3, 1


def data():
    """Input, weight, bias and upstream gradient (float32), the same in every process."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = (rng.standard_normal((F, C, K, K)) / np.sqrt(C * K * K)).astype(np.float32)
    b = rng.standard_normal(F).astype(np.float32)
    g = rng.standard_normal((N, F, H, W)).astype(np.float32)
    return x, w, b, g


def floor_step(x, w, b, g):
    """Hand-written NumPy: forward and backward of a KxK stride-1 conv with padding PAD.

    Columns (N, C*K*K, H*W): the batched GEMMs write NCHW directly, so no
    transposes are needed (measured faster here than one big 2-d GEMM plus the
    two transposes it needs).
    """
    n, c, h, wd = x.shape
    f = w.shape[0]
    xp = np.zeros((n, c, h + 2 * PAD, wd + 2 * PAD), np.float32)
    xp[:, :, PAD:PAD + h, PAD:PAD + wd] = x
    s_n, s_c, s_h, s_w = xp.strides
    cols = as_strided(xp, (n, c, K, K, h, wd), (s_n, s_c, s_h, s_w, s_h, s_w)).reshape(
        n, c * K * K, h * wd)
    w2 = w.reshape(f, -1)
    out = np.matmul(w2, cols)
    out += b[:, None]
    g3 = g.reshape(n, f, h * wd)
    db = g.sum(axis=(0, 2, 3))
    dw = np.matmul(g3, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    dcols = np.matmul(w2.T, g3).reshape(n, c, K, K, h, wd)
    dxp = np.zeros_like(xp)
    for i in range(K):
        for j in range(K):
            dxp[:, :, i:i + h, j:j + wd] += dcols[:, :, i, j]
    dx = np.ascontiguousarray(dxp[:, :, PAD:PAD + h, PAD:PAD + wd])
    return out.reshape(n, f, h, wd), dx, dw, db


def chainrule_setup(x, w, b):
    """A Conv2d holding w and b, an input Tensor, and a step function returning the arrays."""
    from autograd import Tensor
    from nn.conv import Conv2d
    conv = Conv2d(C, F, K, padding=PAD, dtype=np.float32)
    conv.weight.data[...] = w
    conv.bias.data[...] = b
    xt = Tensor(x, requires_grad=True)

    def step(g):
        xt.grad = None
        conv.zero_grad()
        out = conv(xt)
        out.backward(g)
        return out.data, xt.grad.data, conv.weight.grad.data, conv.bias.grad.data
    return step


def check_same(name, got, want):
    """Raise unless the four arrays (out, dx, dw, db) agree with the floor's.

    float32 sums of 65,536 products differ in their last bits between
    summation orders, so the tolerance is relative to each array's largest entry.
    """
    for label, a, e in zip(("output", "grad input", "grad weight", "grad bias"), got, want):
        if a.dtype != np.float32 or a.shape != e.shape:
            raise AssertionError(f"{name} {label} is {a.shape} {a.dtype}, the floor's "
                                 f"{e.shape} {e.dtype}")
        err, scale = np.max(np.abs(a - e)), np.max(np.abs(e))
        if not err <= 1e-4 * max(scale, 1.0):
            raise AssertionError(f"{name} {label} differs from the floor's: max abs diff "
                                 f"{err:.3g}, largest entry {scale:.3g}")


# -- the PyTorch worker (a fresh process) ----------------------------------------------

def torch_worker(repeats):
    import torch
    x, w, b, g = data()
    conv = torch.nn.Conv2d(C, F, K, padding=PAD)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(w))
        conv.bias.copy_(torch.from_numpy(b))
    xt, gt = torch.from_numpy(x).requires_grad_(), torch.from_numpy(g)

    def step():
        xt.grad = None
        conv.zero_grad(set_to_none=True)
        out = conv(xt)
        out.backward(gt)
        return out

    times = compare({"torch": step}, repeats, warmup=3)["torch"]
    out = step().detach().numpy()
    got = (out, xt.grad.numpy(), conv.weight.grad.numpy(), conv.bias.grad.numpy())
    check_same("PyTorch", got, floor_step(x, w, b, g))      # after timing: NumPy spins now
    return {"seconds": times.median, "threads": torch.get_num_threads()}


WORKERS = {"torch": torch_worker}


def main():
    worker_main(WORKERS, sys.argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 15 if args.quick else 60
    print(f"machine: {machine_line()}")
    print(f"command: {' '.join([os.path.relpath(sys.executable)] + sys.argv)}")
    start = time.perf_counter()
    x, w, b, g = data()
    step = chainrule_setup(x, w, b)
    want = floor_step(x, w, b, g)
    check_same("chainrule", step(g), want)
    timers = compare({"floor": lambda: floor_step(x, w, b, g), "chainrule": lambda: step(g)},
                     repeats, warmup=3)
    floor, mine = timers["floor"].median, timers["chainrule"].median
    torch_s, note = None, "PyTorch not installed: skipped"
    if has_module("torch"):
        result = run_worker(SCRIPT, "torch", {"repeats": repeats})
        torch_s = result.get("seconds")
        note = result.get("error") or (f"PyTorch in its own process, "
                                       f"{result['threads']} threads; outputs and gradients "
                                       "checked against the floor")
    rows = [["NumPy floor (im2col + GEMM)", f"{floor * 1e3:.2f}", "1.00x"],
            ["chainrule Conv2d", f"{mine * 1e3:.2f}", fmt_ratio(mine, floor)],
            ["PyTorch Conv2d", "-" if torch_s is None else f"{torch_s * 1e3:.2f}",
             fmt_ratio(torch_s, floor)]]
    lo, hi = timers["chainrule"].spread
    print_table(f"Conv2d forward + backward, input {N}x{C}x{H}x{W}, {F} filters {K}x{K}, "
                f"pad {PAD}, float32 (median of {repeats})",
                ["implementation", "ms / step", "vs floor"], rows,
                [f"chainrule spread {lo * 1e3:.2f}-{hi * 1e3:.2f} ms; floor spread "
                 f"{timers['floor'].spread[0] * 1e3:.2f}-{timers['floor'].spread[1] * 1e3:.2f} ms",
                 "gradients w.r.t. input, weight and bias; the same upstream gradient for all",
                 note, "target: chainrule within 1.2x of the floor"])
    print(f"\ntotal benchmark time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
