"""Conv2d forward + backward on two shapes: chainrule next to a hand-written NumPy im2col
floor and PyTorch (issue 12: at most 1.5x PyTorch, one thread each); then a grouped Conv2d
and a ConvTranspose2d, each next to its own im2col floor (issue 10: within 1.5x).

Shapes (padding 1, bias, float32): A = 64x3x32x32 input, 16 filters 3x3; B =
64x16x32x32 input, 32 filters 3x3. One step computes the output, then the
gradients w.r.t. the input, the weight and the bias for a fixed upstream
gradient. The floor is the textbook algorithm in plain NumPy with nothing
around it: one strided-view copy (im2col), one batched GEMM for the output, two
GEMMs and a col2im for the gradients. chainrule picks its algorithm per shape
(nn/conv.py: "shifted" for both shapes here). The script checks that the floor,
chainrule and PyTorch compute the same four arrays before it reports.

One thread each by default (``--threads N`` sets NumPy's BLAS and PyTorch's
threads), timed by the calling thread's CPU time (``--clock wall`` for wall
time; CPU time is valid only with one thread, where all the work runs in the
timing thread). The machine may be shared, so the script runs ``--rounds``
rounds: each times chainrule and the floor interleaved in this process, then
PyTorch in a process of its own (_common.py: OpenBLAS's spinning threads slow
it in a process that has used NumPy, and timed side by side in one process the
two disturb each other's caches); it reports the median over rounds of each
time and of each round's ratio.

Second table (issue 10): a grouped Conv2d (64x32x16x16 input, 64 filters 3x3,
groups=4, padding 1) and a ConvTranspose2d (64x32x8x8 input -> 16 channels,
kernel 4, stride 2, padding 1: 16x16 out), forward + backward, float32. Their
floors are the same algorithms in plain NumPy: grouped im2col with one batched
GEMM over (samples, groups), and for the transposed convolution one GEMM plus
col2im forward, im2col plus two GEMMs backward. Each floor is checked against
chainrule before timing.

Run:  .venv/bin/python benchmarks/bench_conv.py [--quick] [--threads N] [--clock wall]
      [--rounds R]
"""
import os
import statistics

from _common import set_blas_threads, threads_from_argv

THREADS = int(threads_from_argv() or 1)
set_blas_threads(THREADS)            # before NumPy loads: BLAS reads it once

import numpy as np                                                      # noqa: E402
from numpy.lib.stride_tricks import as_strided                          # noqa: E402

from _common import (CLOCKS, announce, compare, fmt_ratio, has_module, parse_args,  # noqa: E402
                     print_table, print_total, run_worker)

SCRIPT = os.path.abspath(__file__)
SHAPES = {"A": dict(n=64, c=3, h=32, w=32, f=16), "B": dict(n=64, c=16, h=32, w=32, f=32)}
K, PAD = 3, 1


def data(shape):
    """Input, weight, bias and upstream gradient (float32) of a SHAPES entry, the same in
    every process."""
    s = SHAPES[shape]
    n, c, h, w, f = s["n"], s["c"], s["h"], s["w"], s["f"]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = (rng.standard_normal((f, c, K, K)) / np.sqrt(c * K * K)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32)
    g = rng.standard_normal((n, f, h, w)).astype(np.float32)
    return x, wt, b, g


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
    """A Conv2d holding w and b, and its step function returning the arrays (module_step)."""
    from nn import Conv2d
    conv = Conv2d(x.shape[1], w.shape[0], K, padding=PAD, dtype=np.float32)
    conv.weight.data[...] = w
    conv.bias.data[...] = b
    return module_step(conv, x)


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


# -- grouped and transposed convolution (issue 10) ----------------------------------------

GROUPED = dict(n=64, c=32, h=16, w=16, f=64, k=3, pad=1, groups=4)
TRANSPOSED = dict(n=64, c=32, h=8, w=8, f=16, k=4, stride=2, pad=1)


def _cols(xp, k, stride, ho, wo):
    """(N, C*k*k, Ho*Wo) columns of a padded NCHW array (one strided-view copy)."""
    n, c = xp.shape[:2]
    s_n, s_c, s_h, s_w = xp.strides
    view = as_strided(xp, (n, c, k, k, ho, wo),
                      (s_n, s_c, s_h, s_w, stride * s_h, stride * s_w))
    return view.reshape(n, c * k * k, ho * wo)


def _col2im(cols, shape, k, stride, pad, ho, wo):
    n, c, h, w = shape
    cols = cols.reshape(n, c, k, k, ho, wo)
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), cols.dtype)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride] \
                += cols[:, :, i, j]
    return np.ascontiguousarray(dxp[:, :, pad:pad + h, pad:pad + w])


def _pad(x, pad):
    xp = np.zeros(x.shape[:2] + (x.shape[2] + 2 * pad, x.shape[3] + 2 * pad), x.dtype)
    xp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]] = x
    return xp


def grouped_data():
    g = GROUPED
    rng = np.random.default_rng(1)
    x = rng.standard_normal((g["n"], g["c"], g["h"], g["w"])).astype(np.float32)
    w = rng.standard_normal((g["f"], g["c"] // g["groups"], g["k"], g["k"])).astype(np.float32)
    b = rng.standard_normal(g["f"]).astype(np.float32)
    up = rng.standard_normal((g["n"], g["f"], g["h"], g["w"])).astype(np.float32)
    return x, w, b, up


def grouped_floor(x, w, b, up):
    """Grouped conv (stride 1, 'same' padding): forward, then dx, dw, db, in plain NumPy."""
    p = GROUPED
    n, c, h, wd = x.shape
    f, k, pad, groups = p["f"], p["k"], p["pad"], p["groups"]
    cols = _cols(_pad(x, pad), k, 1, h, wd)                                 # (N, C*k*k, L)
    cols_g = cols.reshape(n, groups, -1, h * wd)
    w_g = w.reshape(groups, f // groups, -1)
    out = np.matmul(w_g, cols_g).reshape(n, f, h * wd)
    out += b[:, None]
    up_g = up.reshape(n, groups, f // groups, h * wd)
    db = up.sum(axis=(0, 2, 3))
    dw = np.matmul(up_g, cols_g.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
    dcols = np.matmul(w_g.transpose(0, 2, 1), up_g).reshape(n, -1, h * wd)
    dx = _col2im(dcols, x.shape, k, 1, pad, h, wd)
    return out.reshape(n, f, h, wd), dx, dw, db


def transposed_data():
    t = TRANSPOSED
    rng = np.random.default_rng(2)
    x = rng.standard_normal((t["n"], t["c"], t["h"], t["w"])).astype(np.float32)
    w = rng.standard_normal((t["c"], t["f"], t["k"], t["k"])).astype(np.float32)
    b = rng.standard_normal(t["f"]).astype(np.float32)
    ho = (t["h"] - 1) * t["stride"] - 2 * t["pad"] + t["k"]
    up = rng.standard_normal((t["n"], t["f"], ho, ho)).astype(np.float32)
    return x, w, b, up


def transposed_floor(x, w, b, up):
    """Transposed conv: forward = col2im(W^T x); backward: dx = W im2col(g), dw = x im2col(g)^T."""
    t = TRANSPOSED
    n, c, h, wd = x.shape
    f, k, stride, pad = t["f"], t["k"], t["stride"], t["pad"]
    out_shape = (n, f) + up.shape[2:]
    x3 = x.reshape(n, c, h * wd)
    w2 = w.reshape(c, -1)                                                    # (C, F*k*k)
    out = _col2im(np.matmul(w2.T, x3), out_shape, k, stride, pad, h, wd)
    out += b[:, None, None]
    cols = _cols(_pad(up, pad), k, stride, h, wd)                            # (N, F*k*k, L)
    dx = np.matmul(w2, cols).reshape(x.shape)
    dw = np.matmul(x3, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    db = up.sum(axis=(0, 2, 3))
    return out, dx, dw, db


def module_step(layer, x):
    """A chainrule step for ``layer`` holding the given weights: returns a step(up) function."""
    from autograd import Tensor
    xt = Tensor(x, requires_grad=True)

    def step(up):
        xt.grad = None
        layer.zero_grad()
        out = layer(xt)
        out.backward(up)
        return out.data, xt.grad.data, layer.weight.grad.data, layer.bias.grad.data
    return step


def grouped_and_transposed(repeats, clock="wall"):
    """Time the grouped Conv2d and the ConvTranspose2d against their floors; table rows."""
    from nn.conv import Conv2d, ConvTranspose2d
    rows = []
    g, t = GROUPED, TRANSPOSED
    cases = [("Conv2d groups=4", grouped_data, grouped_floor,
              lambda: Conv2d(g["c"], g["f"], g["k"], padding=g["pad"], groups=g["groups"],
                             dtype=np.float32)),
             ("ConvTranspose2d stride 2", transposed_data, transposed_floor,
              lambda: ConvTranspose2d(t["c"], t["f"], t["k"], stride=t["stride"],
                                      padding=t["pad"], dtype=np.float32))]
    for name, make_data, floor, make_layer in cases:
        x, w, b, up = make_data()
        layer = make_layer()
        layer.weight.data[...] = w
        layer.bias.data[...] = b
        step = module_step(layer, x)
        check_same(name, step(up), floor(x, w, b, up))
        timers = compare({"floor": lambda: floor(x, w, b, up), "chainrule": lambda: step(up)},
                         repeats, warmup=3, clock=clock)
        fl, mine = timers["floor"].median, timers["chainrule"].median
        rows.append([name, f"{fl * 1e3:.2f}", f"{mine * 1e3:.2f}", fmt_ratio(mine, fl)])
    return rows


# -- the PyTorch worker (a fresh process) ----------------------------------------------

def torch_worker(shape, repeats, threads, clock):
    import torch
    torch.set_num_threads(threads)
    x, w, b, g = data(shape)
    conv = torch.nn.Conv2d(x.shape[1], w.shape[0], K, padding=PAD)
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

    times = compare({"torch": step}, repeats, warmup=3, clock=clock)["torch"]
    out = step().detach().numpy()
    got = (out, xt.grad.numpy(), conv.weight.grad.numpy(), conv.bias.grad.numpy())
    check_same("PyTorch", got, floor_step(x, w, b, g))      # after timing: NumPy spins now
    return {"seconds": times.median, "threads": torch.get_num_threads()}


WORKERS = {"torch": torch_worker}


def _arguments(parser):
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads for NumPy and PyTorch (default 1)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default=None,
                        help="cpu: the timing thread's CPU time (default with one thread); "
                             "wall (default otherwise)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds of chainrule + floor, then PyTorch (default 5, quick 3)")


def conv_rounds(shape, repeats, rounds, clock):
    """Per round: chainrule and the floor interleaved here, then PyTorch in its own process.
    Returns the per-round seconds of each and PyTorch's note."""
    x, w, b, g = data(shape)
    step = chainrule_setup(x, w, b)
    check_same(f"chainrule {shape}", step(g), floor_step(x, w, b, g))
    runs = {"floor": [], "chainrule": [], "torch": []}
    note = "PyTorch not installed: skipped"
    for _ in range(rounds):
        timers = compare({"floor": lambda: floor_step(x, w, b, g), "chainrule": lambda: step(g)},
                         repeats, warmup=3, clock=clock)
        runs["floor"].append(timers["floor"].median)
        runs["chainrule"].append(timers["chainrule"].median)
        if has_module("torch"):
            result = run_worker(SCRIPT, "torch", {"shape": shape, "repeats": repeats,
                                                  "threads": THREADS, "clock": clock})
            if "error" in result:
                note = result["error"]
            else:
                runs["torch"].append(result["seconds"])
                note = (f"PyTorch in its own process, {result['threads']} thread(s); outputs "
                        "and gradients checked against the floor")
    return runs, note


def _ratio(runs, a, b):
    """The median over rounds of a / b (None when b was not measured)."""
    if not runs[b]:
        return None
    return statistics.median(x / y for x, y in zip(runs[a], runs[b]))


def main():
    _, args = parse_args(__doc__, WORKERS, add_arguments=_arguments)
    clock = args.clock or ("cpu" if THREADS == 1 else "wall")
    repeats, rounds = (8, args.rounds or 3) if args.quick else (20, args.rounds or 5)
    start = announce(f"{THREADS} BLAS/OpenMP thread(s) for NumPy and PyTorch, {clock} clock, "
                     f"{rounds} rounds of {repeats} repeats")
    rows, notes = [], []
    for shape, s in SHAPES.items():
        runs, note = conv_rounds(shape, repeats, rounds, clock)
        ms = {k: statistics.median(v) * 1e3 if v else None for k, v in runs.items()}
        label = f"{shape}: {s['n']}x{s['c']}x{s['h']}x{s['w']} -> {s['f']}"
        vs_torch = _ratio(runs, "chainrule", "torch")
        rows.append([label, f"{ms['floor']:.2f}", f"{ms['chainrule']:.2f}",
                     "-" if ms["torch"] is None else f"{ms['torch']:.2f}",
                     f"{_ratio(runs, 'chainrule', 'floor'):.2f}x",
                     "-" if vs_torch is None else f"{vs_torch:.2f}x"])
        spread = [f"{min(v) * 1e3:.1f}-{max(v) * 1e3:.1f}" for v in runs.values() if v]
        notes.append(f"{shape} per-round medians (floor, chainrule, PyTorch): "
                     f"{', '.join(spread)} ms")
    print_table(f"Conv2d forward + backward, filters {K}x{K}, padding {PAD}, float32 "
                f"(ms per step: median over {rounds} rounds of the median of {repeats})",
                ["shape", "floor", "chainrule", "PyTorch", "chainrule / floor",
                 "chainrule / PyTorch"], rows,
                notes + ["floor: im2col + batched GEMMs + col2im in plain NumPy; ratios are "
                         "medians of the per-round ratios",
                         "gradients w.r.t. input, weight and bias; the same upstream gradient "
                         "for all", note,
                         "target (issue 12): chainrule at most 1.5x PyTorch on both shapes"])
    rows = grouped_and_transposed(repeats * 2, clock)
    print_table(f"grouped and transposed convolution, forward + backward, float32 (median of "
                f"{repeats * 2})", ["layer", "floor ms", "chainrule ms", "vs floor"], rows,
                [f"grouped: input {GROUPED['n']}x{GROUPED['c']}x{GROUPED['h']}x{GROUPED['w']}, "
                 f"{GROUPED['f']} filters {GROUPED['k']}x{GROUPED['k']}, groups "
                 f"{GROUPED['groups']}, padding {GROUPED['pad']}",
                 f"transposed: input {TRANSPOSED['n']}x{TRANSPOSED['c']}x{TRANSPOSED['h']}x"
                 f"{TRANSPOSED['w']} -> {TRANSPOSED['f']} channels, kernel {TRANSPOSED['k']}, "
                 f"stride {TRANSPOSED['stride']}, padding {TRANSPOSED['pad']}",
                 "floors are the same algorithms in plain NumPy, checked equal first",
                 "target (issue 10): chainrule within 1.5x of the floor"])
    print_total(start)


if __name__ == "__main__":
    main()
