"""Speed of chainrule's nn + optim next to a hand-written NumPy floor and PyTorch.

The nn/optim benchmarks of issue 3 ("Performance"); every number printed is a
median measured in this run, and every ratio compares numbers of this run:

1. an MLP training step: ``nn.Sequential`` 784-512-256-10 (Linear, ReLU,
   Linear, ReLU, Linear) + ``nn.CrossEntropyLoss`` + ``optim.Adam``, float32,
   batch 256 (GEMM-bound) and batch 32 (the overhead regime). One step is
   zero_grad, forward, loss, backward, step. Shown beside it: the pure GEMM
   time (the 8 matmuls of the step: 3 forward, 3 weight gradients, 2 input
   gradients; the network's input needs none) and the page faults per step;
2. optimizer overhead: ``optim.Adam.step()`` over 1M float32 parameters in
   20 tensors.

The floor is the same step written by hand in NumPy with every buffer
allocated once (``out=`` everywhere, in-place Adam): the best plain NumPy
does, not a strawman. Before timing, the script checks that chainrule, the
floor and PyTorch compute the same losses and the same parameters after a few
steps from the same start. PyTorch runs in a process of its own (see
_common.py: OpenBLAS's spinning threads slow it about 2x in a process that
has just used NumPy) and is skipped with a note when it is not installed.

Run:  .venv/bin/python benchmarks/bench_nn.py [--quick] [--threads N] [--clock cpu]
      .venv/bin/python benchmarks/bench_nn.py --profile     # where chainrule's step goes
On a busy machine, ``--threads 1 --clock cpu`` gives the steadiest ratios.
"""
import os
import resource
import tempfile
import time

from _common import (CLOCKS, announce, compare, fmt_ratio, has_module, parse_args, print_table,
                     print_total, run_worker, set_blas_threads, threads_from_argv)

if threads_from_argv() is not None:   # BLAS and OpenMP read it once, when NumPy/torch load
    set_blas_threads(threads_from_argv())

import numpy as np  # noqa: E402

SCRIPT = os.path.abspath(__file__)
SIZES = (784, 512, 256, 10)
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8
CHECK_STEPS = 3
OPT_TENSORS, OPT_SHAPE = 20, (250, 200)          # 20 x 50,000 = 1M parameters
FLOOR = "NumPy floor"


# -- data and the starting point, identical in every process -----------------------------

def mlp_data(batch):
    """Inputs (batch, 784) float32 and int64 class labels, fixed seed.

    Example:
        >>> x, y = mlp_data(32); x.shape, y.dtype
        ((32, 784), dtype('int64'))
    """
    rng = np.random.default_rng(batch)
    return (rng.standard_normal((batch, SIZES[0])).astype(np.float32),
            rng.integers(0, SIZES[-1], batch))


def mlp_model():
    """chainrule's model with its default (PyTorch) init from seed 0; and its arrays, copied.

    Example:
        >>> model, arrays = mlp_model(); [a.shape for a in arrays][:2]
        [(512, 784), (512,)]
    """
    import nn
    nn.manual_seed(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers += [nn.Linear(n_in, n_out)] + ([nn.ReLU()] if i < len(SIZES) - 2 else [])
    model = nn.Sequential(*layers)
    return model, [p.data.copy() for p in model.parameters()]


def opt_data():
    """Starting parameters and a fixed gradient per tensor for the optimizer benchmark.

    Example:
        >>> params, grads = opt_data(); sum(p.size for p in params)
        1000000
    """
    rng = np.random.default_rng(1)
    params = [rng.standard_normal(OPT_SHAPE).astype(np.float32) for _ in range(OPT_TENSORS)]
    grads = [rng.standard_normal(OPT_SHAPE).astype(np.float32) for _ in range(OPT_TENSORS)]
    return params, grads


# -- the NumPy floor ------------------------------------------------------------------------

class NumpyAdam:
    """Adam as torch.optim.Adam computes it, in place; one scratch buffer serves every parameter.

    (Measured a few % faster than one scratch array per parameter: it stays in cache.)

    Example:
        >>> p = [np.ones(3, np.float32)]; opt = NumpyAdam(p); opt.step([np.ones(3, np.float32)])
    """

    def __init__(self, params, lr=LR, betas=BETAS, eps=EPS):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        work = np.empty(max(p.size for p in params), params[0].dtype)
        self.tmp = [work[:p.size].reshape(p.shape) for p in params]

    def step(self, grads):
        """One Adam update of every parameter from ``grads`` (arrays in parameter order).

        Example:
            >>> opt = NumpyAdam([np.ones(2, np.float32)]); opt.step([np.ones(2, np.float32)])
        """
        self.t += 1
        (b1, b2), t = self.betas, self.t
        bc2_sqrt = (1 - b2 ** t) ** 0.5
        eps, scale = self.eps * bc2_sqrt, self.lr * bc2_sqrt / (1 - b1 ** t)
        for p, g, m, v, s in zip(self.params, grads, self.m, self.v, self.tmp):
            m *= b1                                   # m = b1 m + (1 - b1) g
            np.multiply(g, 1 - b1, out=s)
            m += s
            v *= b2                                   # v = b2 v + (1 - b2) g^2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)                         # p -= lr/bc1 m / (sqrt(v/bc2) + eps)
            s += eps
            np.divide(m, s, out=s)
            s *= scale
            p -= s


class NumpyMLP:
    """The MLP step by hand: forward, softmax cross-entropy, backward, Adam; no allocations.

    Weights are (out, in) as nn.Linear's; ``x @ W.T`` reads W transposed in
    place (BLAS's transpose flag), so no copy is made.

    Example:
        >>> x, y = mlp_data(32); floor = NumpyMLP(mlp_model()[1], 32); loss = floor.step(x, y)
    """

    def __init__(self, arrays, batch):
        self.params = [a.copy() for a in arrays]
        self.grads = [np.empty_like(a) for a in arrays]
        self.adam = NumpyAdam(self.params)
        widths = SIZES[1:]
        self.h = [np.empty((batch, n), np.float32) for n in widths]     # z3 is h[2]
        self.dh = [np.empty((batch, n), np.float32) for n in widths]    # d loss / d z
        self.mask = [np.empty((batch, n), bool) for n in widths[:-1]]
        self.rows = np.arange(batch)
        self.col = np.empty((batch, 1), np.float32)

    def step(self, x, y):
        """One training step; returns the loss (a float) and updates the parameters in place.

        Example:
            >>> x, y = mlp_data(32); NumpyMLP(mlp_model()[1], 32).step(x, y) > 0
            True
        """
        w1, b1, w2, b2, w3, b3 = self.params
        gw1, gb1, gw2, gb2, gw3, gb3 = self.grads
        h1, h2, z3 = self.h
        d1, d2, d3 = self.dh
        m1, m2 = self.mask
        n, rows, col = len(y), self.rows, self.col
        np.matmul(x, w1.T, out=h1)
        h1 += b1
        np.maximum(h1, 0, out=h1)
        np.matmul(h1, w2.T, out=h2)
        h2 += b2
        np.maximum(h2, 0, out=h2)
        np.matmul(h2, w3.T, out=z3)
        z3 += b3
        np.max(z3, axis=1, keepdims=True, out=col)         # softmax cross-entropy
        z3 -= col
        np.exp(z3, out=d3)
        np.sum(d3, axis=1, keepdims=True, out=col)
        loss = float(np.log(col).mean() - z3[rows, y].mean())
        d3 /= col
        d3[rows, y] -= 1
        d3 *= 1 / n
        np.matmul(d3.T, h2, out=gw3)                      # backward
        np.sum(d3, axis=0, out=gb3)
        np.matmul(d3, w3, out=d2)
        np.greater(h2, 0, out=m2)
        d2 *= m2
        np.matmul(d2.T, h1, out=gw2)
        np.sum(d2, axis=0, out=gb2)
        np.matmul(d2, w2, out=d1)
        np.greater(h1, 0, out=m1)
        d1 *= m1
        np.matmul(d1.T, x, out=gw1)
        np.sum(d1, axis=0, out=gb1)
        self.adam.step(self.grads)
        return loss

    def gemms(self, x):
        """Only the step's 8 matmuls, into the same buffers (the GEMM time, for context).

        Example:
            >>> x, _ = mlp_data(32); NumpyMLP(mlp_model()[1], 32).gemms(x)
        """
        w1, _, w2, _, w3, _ = self.params
        gw1, _, gw2, _, gw3, _ = self.grads
        h1, h2, z3 = self.h
        d1, d2, d3 = self.dh
        np.matmul(x, w1.T, out=h1)
        np.matmul(h1, w2.T, out=h2)
        np.matmul(h2, w3.T, out=z3)
        np.matmul(d3.T, h2, out=gw3)
        np.matmul(d3, w3, out=d2)
        np.matmul(d2.T, h1, out=gw2)
        np.matmul(d2, w2, out=d1)
        np.matmul(d1.T, x, out=gw1)


# -- chainrule ------------------------------------------------------------------------------

def chainrule_mlp(batch):
    """A chainrule training-step closure for the MLP, its model, and the data it trains on.

    Example:
        >>> step, model, (x, y) = chainrule_mlp(32); loss = step()
    """
    import nn
    import optim
    from autograd import Tensor
    model, _ = mlp_model()
    criterion = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    x, y = mlp_data(batch)
    xt = Tensor(x)

    def step():
        opt.zero_grad()
        loss = criterion(model(xt), y)
        loss.backward()
        opt.step()
        return loss
    return step, model, (x, y)


def minflt_per_step(fn, steps):
    """Minor page faults per call of ``fn`` (getrusage), averaged over ``steps`` calls.

    Example:
        >>> minflt_per_step(lambda: None, 10) >= 0
        True
    """
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(steps):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / steps


def fit_repeats(fns, repeats, budget=6.0):
    """``repeats``, fewer if that many rounds of calling every fn would take over ``budget`` s.

    ``fns`` is a callable or a dict of them. On a busy machine multi-threaded
    BLAS can be 10-40x slower than usual; this keeps the whole run within its
    few minutes (at least 5 samples each).

    Example:
        >>> fit_repeats(lambda: None, 50)
        50
    """
    start = time.perf_counter()
    for fn in (fns.values() if isinstance(fns, dict) else [fns]):
        fn()
    return max(5, min(repeats, int(budget / max(time.perf_counter() - start, 1e-9))))


def _check(what, got, want, rtol, atol):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    err = np.abs(got - want)
    if not np.all(err <= atol + rtol * np.abs(want)):
        i = np.unravel_index(np.argmax(err - rtol * np.abs(want)), err.shape) if err.ndim else ()
        raise AssertionError(f"{what}: mismatch, worst element {i}: {got[i]} vs {want[i]}")


def _check_params(what, got, want):
    # Adam moves a parameter by about lr per step however small its gradient is, so where
    # a gradient is mostly cancellation (a sum of terms of both signs) float32 rounding in
    # a different GEMM changes the update by a few % of lr. So: all within lr/4 (a flipped
    # step would be off by 2 lr) and all but 1 in 10,000 elements within lr/100.
    for k, (a, b) in enumerate(zip(got, want)):
        _check(f"{what}, parameter {k} {b.shape}", a, b, rtol=1e-5, atol=LR / 4)
        off = np.abs(a.astype(np.float64) - b) > LR / 100 + 1e-5 * np.abs(b)
        if off.mean() > 1e-4:
            raise AssertionError(f"{what}, parameter {k} {b.shape}: {off.sum()} of {off.size} "
                                 f"elements differ by more than lr/100")


# -- PyTorch workers (own process) ----------------------------------------------------------

def _import_torch(threads):
    import torch
    if threads:
        torch.set_num_threads(threads)
    return torch


def _w_torch_mlp(batch, repeats, fault_steps, out, threads=None, clock="wall"):
    torch = _import_torch(threads)
    _, arrays = mlp_model()
    x, y = mlp_data(batch)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers += [torch.nn.Linear(n_in, n_out)] + ([torch.nn.ReLU()] if i < len(SIZES) - 2
                                                     else [])
    model = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for p, a in zip(model.parameters(), arrays):
            p.copy_(torch.from_numpy(a))
    criterion = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = criterion(model(xt), yt)
        loss.backward()
        opt.step()
        return loss
    losses = [step().item() for _ in range(CHECK_STEPS)]
    np.savez(out, *[p.detach().numpy() for p in model.parameters()])
    timer = compare({"t": step}, fit_repeats(step, repeats), warmup=2, clock=clock)["t"]
    return {"seconds": timer.median, "best": timer.spread[0], "losses": losses,
            "threads": torch.get_num_threads(), "minflt": minflt_per_step(step, fault_steps)}


def _w_torch_adam(repeats, out, threads=None, clock="wall"):
    torch = _import_torch(threads)
    params, grads = opt_data()
    result = {}
    for foreach in (False, True):
        ps = [torch.tensor(p, requires_grad=True) for p in params]
        for p, g in zip(ps, grads):
            p.grad = torch.from_numpy(g)
        opt = torch.optim.Adam(ps, lr=LR, betas=BETAS, eps=EPS, foreach=foreach)
        for _ in range(CHECK_STEPS):
            opt.step()
        if not foreach:
            np.savez(out, *[p.detach().numpy() for p in ps])
        timer = compare({"t": opt.step}, fit_repeats(opt.step, repeats), warmup=1,
                        clock=clock)["t"]
        result[f"foreach={foreach}"] = (timer.median, timer.spread[0])
    return {"seconds": result, "threads": torch.get_num_threads()}


WORKERS = {"torch_mlp": _w_torch_mlp, "torch_adam": _w_torch_adam}


def _torch_runs(name, args, cfg):
    """Run a PyTorch worker once per thread setting; yields (label, result, saved params).

    A failed or skipped run yields (note, None, None) instead.
    """
    if not cfg["torch_ok"]:
        yield "PyTorch not installed: skipped", None, None
        return
    for threads in cfg["torch_threads"]:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "params.npz")
            res = run_worker(SCRIPT, name, {**args, "out": out, "threads": threads,
                                            "clock": cfg["clock"]})
            if "error" in res:
                yield f"PyTorch: {res['error']}", None, None
                continue
            with np.load(out) as f:
                saved = [f[k] for k in f.files]
        n = res["threads"]
        yield f"PyTorch ({n} thread{'s' * (n > 1)})", res, saved


# -- the benchmarks -------------------------------------------------------------------------

def _bench_mlp(batch, cfg):
    """Benchmark 1 at one batch size; returns the medians in ms (for the summary)."""
    _, arrays = mlp_model()
    x, y = mlp_data(batch)
    step, model, _ = chainrule_mlp(batch)
    floor = NumpyMLP(arrays, batch)
    losses = [step().item() for _ in range(CHECK_STEPS)]
    floor_losses = [floor.step(x, y) for _ in range(CHECK_STEPS)]
    checked = NumpyMLP(arrays, batch)       # the floor after CHECK_STEPS, kept for PyTorch
    for _ in range(CHECK_STEPS):
        checked.step(x, y)
    _check(f"B={batch}: losses of {CHECK_STEPS} steps (chainrule vs floor)", losses,
           floor_losses, 1e-5, 1e-6)
    _check_params(f"B={batch}: after {CHECK_STEPS} steps (chainrule vs floor)",
                  [p.data for p in model.parameters()], floor.params)
    gemms = "GEMMs only (8 matmuls)"
    fns = {"chainrule": step, FLOOR: lambda: floor.step(x, y), gemms: lambda: floor.gemms(x)}
    repeats = fit_repeats(fns, cfg["repeats"], budget=cfg["budget"] * batch / (batch + 64))
    timers = compare(fns, repeats, warmup=3, clock=cfg["clock"])
    ms = {k: t.median * 1e3 for k, t in timers.items()}
    best = {k: t.spread[0] * 1e3 for k, t in timers.items()}
    fault_steps = min(cfg["fault_steps"], repeats)
    faults = {k: minflt_per_step(fns[k], fault_steps) for k in ("chainrule", FLOOR)}
    notes = []
    for label, res, saved in _torch_runs("torch_mlp", {"batch": batch, "repeats": cfg["repeats"],
                                                       "fault_steps": fault_steps}, cfg):
        if res is None:
            notes.append(label)
            continue
        _check(f"B={batch}: losses ({label} vs floor)", res["losses"], floor_losses, 1e-5, 1e-6)
        _check_params(f"B={batch}: after {CHECK_STEPS} steps ({label} vs floor)", saved,
                      checked.params)
        ms[label], best[label], faults[label] = res["seconds"] * 1e3, res["best"] * 1e3, \
            res["minflt"]
    rows = [[name, f"{v:.3f}", f"{best[name]:.3f}", fmt_ratio(v, ms[FLOOR]),
             f"{faults[name]:.0f}" if name in faults else "-"] for name, v in ms.items()]
    target = "chainrule <= 1.10x floor" if batch == 256 else "report the ratio"
    print_table(f"1. MLP 784-512-256-10 training step, batch {batch}, float32: Sequential + "
                f"CrossEntropyLoss + Adam (zero_grad, forward, loss, backward, step). "
                f"Target: {target}",
                ["implementation", "ms/step", "best", "x floor", "page faults/step"], rows,
                notes + ["PyTorch: own process, the same modules, torch.optim.Adam defaults",
                         f"losses of {CHECK_STEPS} steps and the parameters after them checked "
                         "equal (float32 tolerance) from the same start, for every row",
                         f"{repeats} samples per row; page faults: getrusage minor faults per "
                         f"step, mean of {fault_steps} steps; GEMMs only: the floor's 8 matmuls "
                         "into its preallocated outputs"])
    return ms


def _bench_adam(cfg):
    import optim
    from autograd import Tensor
    params, grads = opt_data()
    ps = [Tensor(p.copy(), requires_grad=True) for p in params]
    for p, g in zip(ps, grads):
        p.grad = Tensor(g)
    opt = optim.Adam(ps, lr=LR, betas=BETAS, eps=EPS)
    floor = NumpyAdam([p.copy() for p in params])
    for _ in range(CHECK_STEPS):
        opt.step()
        floor.step(grads)
    _check_params(f"Adam: after {CHECK_STEPS} steps (chainrule vs floor)",
                  [p.data for p in ps], floor.params)
    checked = [p.copy() for p in floor.params]
    fns = {"chainrule optim.Adam": opt.step, FLOOR: lambda: floor.step(grads)}
    repeats = fit_repeats(fns, cfg["adam_repeats"], budget=cfg["budget"] / 2)
    timers = compare(fns, repeats, warmup=2, clock=cfg["clock"])
    ms = {k: t.median * 1e3 for k, t in timers.items()}
    best = {k: t.spread[0] * 1e3 for k, t in timers.items()}
    notes = []
    for label, res, saved in _torch_runs("torch_adam", {"repeats": cfg["adam_repeats"]}, cfg):
        if res is None:
            notes.append(label)
            continue
        _check_params(f"Adam: after {CHECK_STEPS} steps ({label} vs floor)", saved, checked)
        for k, (median, fastest) in res["seconds"].items():
            name = f"torch.optim.Adam({k}), {label[9:-1]}"
            ms[name], best[name] = median * 1e3, fastest * 1e3
    n = sum(p.size for p in params)
    rows = [[name, f"{v:.3f}", f"{best[name]:.3f}", f"{v * 1e6 / n:.2f}",
             fmt_ratio(v, ms[FLOOR])] for name, v in ms.items()]
    print_table(f"2. Optimizer overhead: Adam step over {n / 1e6:g}M float32 parameters in "
                f"{OPT_TENSORS} tensors of {OPT_SHAPE}",
                ["implementation", "ms/step", "best", "ns/param", "x floor"], rows,
                notes + ["PyTorch: own process; foreach=False is its CPU default",
                         f"parameters after {CHECK_STEPS} steps checked equal from the same "
                         "start, for every row"])


def _profile(batch, steps):
    """cProfile chainrule's MLP step; print the functions with the most own and total time."""
    import cProfile
    import pstats
    step, _, _ = chainrule_mlp(batch)
    for _ in range(3):
        step()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        step()
    prof.disable()
    stats = pstats.Stats(prof)
    print(f"\n== cProfile: chainrule MLP step, batch {batch}, {steps} steps, by own time ==")
    stats.sort_stats("tottime").print_stats(20)
    print("\n== the same, by cumulative time ==")
    stats.sort_stats("cumulative").print_stats(16)


def main():
    """Run the benchmarks (or a PyTorch worker, or the profile) as the command line says.

    Example:
        $ .venv/bin/python benchmarks/bench_nn.py --quick
    """
    def options(parser):
        parser.add_argument("--threads", type=int, default=None,
                            help="BLAS/OpenMP threads for NumPy and PyTorch (default: theirs; "
                                 "PyTorch is then also timed on 1 thread)")
        parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                            help="wall: elapsed time (default); cpu: the timing thread's CPU "
                                 "time, steadier on a busy machine (needs --threads 1: BLAS "
                                 "threads work outside the timing thread)")
        parser.add_argument("--profile", action="store_true",
                            help="only profile chainrule's MLP step (batch 256 and 32) with "
                                 "cProfile")

    parser, args = parse_args(__doc__, WORKERS, "fewer repeats (about 3x faster)", options)
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu needs --threads 1 (other threads' work would not count)")
    if args.profile:
        _profile(256, steps=30)
        _profile(32, steps=300)
        return
    cfg = dict(repeats=40, fault_steps=20, adam_repeats=30, budget=20.0)
    if args.quick:
        cfg = dict(repeats=12, fault_steps=8, adam_repeats=10, budget=8.0)
    cfg.update(clock=args.clock, torch_ok=has_module("torch"),
               torch_threads=[args.threads] if args.threads else [None, 1])
    start = announce(f"BLAS/OpenMP threads {args.threads or 'library default'}; clock "
                     f"{args.clock}; contenders interleaved; medians after warm-up (best: "
                     "fastest sample); ratios of medians")
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > (os.cpu_count() or 1) - 0.5 \
            and args.threads != 1:
        print("warning: the machine is busy (load average >= cores): multi-threaded BLAS and "
              "OpenMP stall when cores are oversubscribed, so wall-clock numbers swing by 10x; "
              "use --threads 1 --clock cpu for steady ratios")
    summary = {b: _bench_mlp(b, cfg) for b in (256, 32)}
    _bench_adam(cfg)
    print("\nsummary: chainrule / floor " + ", ".join(
        f"{fmt_ratio(ms['chainrule'], ms[FLOOR])} at batch {b}" for b, ms in summary.items())
        + "; floor / GEMMs " + ", ".join(
        f"{fmt_ratio(ms[FLOOR], ms['GEMMs only (8 matmuls)'])} at batch {b}"
        for b, ms in summary.items()))
    print_total(start, " (wall)")


if __name__ == "__main__":
    main()
