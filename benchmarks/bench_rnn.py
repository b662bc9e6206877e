"""LSTM (and GRU) training step: chainrule next to PyTorch on CPU (issue 10, "Speed").

One step = forward of a one-layer LSTM(256, 256) over a sequence of 50 steps
at batch 64 (float32, zero initial state), then backward of a fixed upstream
gradient on the output sequence, giving the gradients of the input and of all
four parameters. Both libraries get the same weights and data, and the script
checks that they compute the same output and gradients before it reports.

Each side uses one thread: this process sets OPENBLAS_NUM_THREADS=1 before
NumPy loads, and PyTorch runs in a subprocess of its own with
``torch.set_num_threads(1)`` (see _common.py for why PyTorch never shares a
process with NumPy here). The ratio is chainrule's median over PyTorch's.

Run:  .venv/bin/python benchmarks/bench_rnn.py [--quick]
"""
import os
import tempfile

from _common import (announce, compare, fmt_ratio, has_module, parse_args, print_table,
                     print_total, run_worker, set_blas_threads)

set_blas_threads(1)                   # before NumPy loads (and inherited by the PyTorch worker)

import numpy as np  # noqa: E402

SCRIPT = os.path.abspath(__file__)
T, B, H = 50, 64, 256
KINDS = {"LSTM": 4, "GRU": 3}


def data(kind):
    """Input, upstream gradient and the weights by PyTorch's names (float32), the same
    in every process."""
    rng = np.random.default_rng(0)
    bound = 1 / np.sqrt(H)
    gates = KINDS[kind] * H
    weights = {"weight_ih_l0": (gates, H), "weight_hh_l0": (gates, H), "bias_ih_l0": (gates,),
               "bias_hh_l0": (gates,)}
    weights = {k: rng.uniform(-bound, bound, s).astype(np.float32) for k, s in weights.items()}
    x = rng.standard_normal((T, B, H)).astype(np.float32)
    g = rng.standard_normal((T, B, H)).astype(np.float32)
    return x, g, weights


def results(out, x_grad, module):
    return [out, x_grad] + [p.grad.numpy() if hasattr(p.grad, "numpy") else p.grad.data
                            for _, p in module.named_parameters()]


def chainrule_setup(kind):
    """The layer with the shared weights, and a step returning (output, grads...)."""
    import nn
    from autograd import Tensor
    x, g, weights = data(kind)
    layer = getattr(nn, kind)(H, H, dtype=np.float32)
    layer.load_state_dict(weights)
    xt = Tensor(x, requires_grad=True)

    def step():
        xt.grad = None
        layer.zero_grad()
        out, _ = layer(xt)
        out.backward(g)
        return out

    def arrays():
        out = step()
        return results(out.data, xt.grad.data, layer)
    return step, arrays


def torch_worker(kind, repeats, out_path):
    import torch
    torch.set_num_threads(1)
    x, g, weights = data(kind)
    layer = getattr(torch.nn, kind)(H, H)
    layer.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    xt, gt = torch.from_numpy(x).requires_grad_(), torch.from_numpy(g)

    def step():
        xt.grad = None
        layer.zero_grad(set_to_none=True)
        out, _ = layer(xt)
        out.backward(gt)
        return out

    times = compare({"torch": step}, repeats, warmup=2)["torch"]
    out = step().detach().numpy()
    np.savez(out_path, *results(out, xt.grad.numpy(), layer))
    return {"seconds": times.median, "spread": times.spread, "threads": torch.get_num_threads()}


WORKERS = {"torch": torch_worker}


def check_same(ours, theirs, kind):
    """Raise unless output and gradients agree to float32 accuracy (relative to the largest
    entry of each array: sums over 3,200 products differ in their last bits)."""
    labels = ["output", "grad input", "grad weight_ih", "grad weight_hh", "grad bias_ih",
              "grad bias_hh"]
    for label, a, e in zip(labels, ours, theirs):
        e = np.asarray(e, dtype=np.float32)
        err, scale = np.max(np.abs(a - e)), np.max(np.abs(e))
        if a.shape != e.shape or not err <= 1e-4 * max(scale, 1.0):
            raise AssertionError(f"{kind} {label}: chainrule and PyTorch differ (max abs diff "
                                 f"{err:.3g}, largest entry {scale:.3g})")


def main():
    _, args = parse_args(__doc__, WORKERS, "fewer repeats, LSTM only")
    repeats = 7 if args.quick else 21
    kinds = ["LSTM"] if args.quick else list(KINDS)
    start = announce()
    rows, notes = [], []
    for kind in kinds:
        step, arrays = chainrule_setup(kind)
        mine = compare({"chainrule": step}, repeats, warmup=2)["chainrule"]
        torch_s = None
        if has_module("torch"):
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "torch.npz")
                result = run_worker(SCRIPT, "torch", {"kind": kind, "repeats": repeats,
                                                      "out_path": path}, timeout=900)
                if "error" not in result:
                    with np.load(path) as f:
                        check_same(arrays(), [f[k] for k in f.files], kind)
            if "error" in result:
                notes.append(f"{kind}: {result['error']}")
            else:
                torch_s = result["seconds"]
                notes.append(f"{kind}: PyTorch {result['threads']} thread, spread "
                             f"{result['spread'][0] * 1e3:.0f}-{result['spread'][1] * 1e3:.0f} "
                             f"ms; outputs and gradients checked equal")
        else:
            notes.append("PyTorch not installed: skipped")
        lo, hi = mine.spread
        notes.append(f"{kind}: chainrule spread {lo * 1e3:.0f}-{hi * 1e3:.0f} ms")
        rows.append([kind, f"{mine.median * 1e3:.1f}",
                     "-" if torch_s is None else f"{torch_s * 1e3:.1f}",
                     fmt_ratio(mine.median, torch_s)])
    print_table(f"one-layer {'/'.join(kinds)}({H}, {H}) forward + backward, seq {T}, batch {B}, "
                f"float32, one thread each (median of {repeats})",
                ["layer", "chainrule ms", "PyTorch ms", "chainrule / PyTorch"], rows,
                notes + ["target (issue 10): LSTM within 2x of PyTorch CPU"])
    print_total(start)


if __name__ == "__main__":
    main()
