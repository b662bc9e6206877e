"""Time to draw a ~5,000-node backprop graph: chainrule's viz.draw_graph next to torchviz.

The graph: one training step of micrograd's demo network, written as
micrograd writes it (every weight a scalar, every neuron a sum of w*x
products): a 2-16-16-1 tanh MLP (337 parameters) on a batch of 4 points,
with the SVM hinge loss, after backward. In chainrule each Neuron, Layer and
the MLP are nn.Modules, so the picture has their clusters and can be
collapsed. PyTorch runs the same code on 0-d tensors (in its own process).

For each contender: "build" is the time to make the graphviz Digraph from
the loss (median of a few runs), "dot" and "graphviz-pure" the time to lay
it out and render it to SVG with each renderer (one run; a run past
--timeout seconds is stopped and shown as such). chainrule is measured
uncollapsed (``max_nodes=None``), with ``collapse="module"``, and as drawn
by default (auto-collapse past 500 nodes); torchviz has no collapsing. The
last row renders torchviz's source with the graph attribute chainrule adds
to large pictures (``nslimit=1``), to separate the layout setting from the
drawing.

``--l2`` adds micrograd's regularizer, ``alpha * sum(p * p for p in
params)``: a 337-link chain whose edges from every parameter reach far
across the picture; dot's layout time explodes on such long edges.

Run:  .venv/bin/python benchmarks/bench_viz.py [--quick] [--timeout 300] [--l2]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import announce, has_module, median_time, parse_args, print_table, run_worker

SCRIPT = os.path.abspath(__file__)
SIZES, BATCH, ALPHA = (2, 16, 16, 1), 4, 1e-4


def weights():
    """Per layer, per neuron: (w list, b) as Python floats, and the batch (X, y).

    Example:
        >>> layers, X, y = weights(); len(layers), len(layers[1]), len(layers[1][0][0])
        (3, 16, 16)
    """
    rng = np.random.default_rng(0)
    layers = [[(list(rng.uniform(-1, 1, n_in)), 0.0) for _ in range(n_out)]
              for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]
    X = rng.standard_normal((BATCH, SIZES[0])).tolist()
    y = [1.0 if v else -1.0 for v in rng.random(BATCH) < 0.5]
    return layers, X, y


def step(mlp, X, y, scalar, l2):
    """The loss of one training step, for any scalar type (the same code for both libraries).

    Example:
        >>> loss = step(model, X, y, lambda v: Tensor(v, dtype="float64"), l2=False)
    """
    data_loss = None
    for xi, yi in zip(X, y):
        term = (1.0 - yi * mlp([scalar(v) for v in xi])).relu()
        data_loss = term if data_loss is None else data_loss + term
    loss = data_loss * (1.0 / len(X))
    if l2:
        loss = loss + ALPHA * sum(p * p for p in mlp.parameters())
    return loss


# -- chainrule ----------------------------------------------------------------------

def chainrule_model():
    """micrograd's MLP as chainrule nn.Modules (0-d float64 Parameters)."""
    import nn

    class Neuron(nn.Module):
        def __init__(self, w, b, act):
            super().__init__()
            for i, v in enumerate(w):
                self.register_parameter(f"w{i}", nn.Parameter(np.array(v)))
            self.b, self.n, self.act = nn.Parameter(np.array(b)), len(w), act

        def forward(self, xs):
            out = self.b
            for i, x in enumerate(xs):
                out = out + getattr(self, f"w{i}") * x
            return out.tanh() if self.act else out

    class Layer(nn.Module):
        def __init__(self, neurons, act):
            super().__init__()
            self.neurons = nn.ModuleList([Neuron(w, b, act) for w, b in neurons])

        def forward(self, xs):
            return [n(xs) for n in self.neurons]

    class MLP(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = nn.ModuleList([Layer(n, i < len(layers) - 1)
                                         for i, n in enumerate(layers)])

        def forward(self, xs):
            for layer in self.layers:
                xs = layer(xs)
            return xs[0]

    layers, X, y = weights()
    return MLP(layers), X, y


def chainrule_loss(l2):
    import viz
    from autograd import Tensor
    model, X, y = chainrule_model()
    loss = step(model, X, y, lambda v: Tensor(v, dtype="float64"), l2)
    viz.retain_grads(loss)
    loss.backward()
    return model, loss


# -- torchviz (worker process) ------------------------------------------------------

def torch_worker(l2, out_path, repeats):
    import torch
    from torchviz import make_dot

    class MLP(torch.nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.ws = torch.nn.ParameterList(
                [torch.nn.Parameter(torch.tensor(v, dtype=torch.float64))
                 for neurons in layers for w, _ in neurons for v in w])
            self.bs = torch.nn.ParameterList(
                [torch.nn.Parameter(torch.tensor(b, dtype=torch.float64))
                 for neurons in layers for _, b in neurons])
            self.shape = [[len(w) for w, _ in neurons] for neurons in layers]

        def forward(self, xs):
            wi = bi = 0
            for li, fan_ins in enumerate(self.shape):
                out = []
                for n in fan_ins:
                    act = self.bs[bi]
                    bi += 1
                    for x in xs:
                        act = act + self.ws[wi] * x
                        wi += 1
                    out.append(act.tanh() if li < len(self.shape) - 1 else act)
                xs = out
            return xs[0]

    layers, X, y = weights()
    model = MLP(layers)
    loss = step(model, X, y, lambda v: torch.tensor(v, dtype=torch.float64), l2)
    loss.backward()
    params = dict(model.named_parameters())
    seconds = median_time(lambda: make_dot(loss, params=params), repeats=repeats)
    dot = make_dot(loss, params=params)
    Path(out_path).write_text(dot.source)
    nodes = sum(1 for line in dot.body if "->" not in line and "[" in line)
    return {"build": seconds, "nodes": nodes, "torch": torch.__version__}


WORKERS = {"torchviz": torch_worker}


# -- rendering ----------------------------------------------------------------------

def renderers():
    """name -> command for the renderers installed here (system dot, graphviz-pure)."""
    found = {}
    if shutil.which("dot"):
        found["dot"] = shutil.which("dot")
    pure = shutil.which("graphviz-pure") or str(Path(sys.executable).parent / "graphviz-pure")
    if Path(pure).is_file():
        found["graphviz-pure"] = pure
    return found


def render_seconds(command, source, timeout):
    """Wall seconds to render ``source`` to SVG, or a short text for a timeout/failure."""
    start = time.perf_counter()
    try:
        proc = subprocess.run([command, "-Tsvg"], input=source.encode(), capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"> {timeout} s (stopped)"
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return f"failed (exit {proc.returncode})"
    return f"{seconds:.2f} s"


def with_nslimit(source):
    head, _, rest = source.partition("{")
    return head + "{\n\tgraph [nslimit=1]" + rest


def main():
    """Run the benchmark (or the torchviz worker) as the command line says.

    Example:
        $ .venv/bin/python benchmarks/bench_viz.py --quick
    """
    def options(parser):
        parser.add_argument("--timeout", type=float, default=300,
                            help="seconds before a render is stopped (default 300)")
        parser.add_argument("--l2", action="store_true",
                            help="add micrograd's L2 term (a 337-link sum chain)")

    _, args = parse_args(__doc__, WORKERS, "one build run instead of three", options)
    repeats = 1 if args.quick else 3
    import viz
    announce()
    found = renderers()
    for name, command in found.items():
        version = subprocess.run([command, "-V"], capture_output=True, text=True)
        print(f"renderer {name}: {(version.stderr or version.stdout).strip()}")
    model, loss = chainrule_loss(args.l2)
    rows = []
    cases = [("chainrule, uncollapsed", dict(max_nodes=None)),
             ("chainrule, collapse='module'", dict(collapse="module", max_nodes=None)),
             ("chainrule, default (auto-collapse)", {})]
    full_nodes = None
    for title, kwargs in cases:
        build = median_time(lambda: viz.draw_graph(loss, params=model, **kwargs), repeats)
        g = viz.draw_graph(loss, params=model, **kwargs)
        full_nodes = full_nodes or len(g.spec.nodes)
        rows.append([title, len(g.spec.nodes), f"{build:.2f} s"]
                    + [render_seconds(found[r], g.source, args.timeout) if r in found else "-"
                       for r in ("dot", "graphviz-pure")])
    notes = [f"graph: micrograd's 2-16-16-1 MLP, batch {BATCH}, hinge loss"
             + (" + L2 sum chain" if args.l2 else "") + f", {full_nodes} nodes uncollapsed "
             "(tensor and op nodes)"]
    if has_module("torch") and has_module("torchviz"):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "torchviz.dot"
            res = run_worker(SCRIPT, "torchviz", {"l2": args.l2, "out_path": str(out),
                                                  "repeats": repeats}, timeout=600)
            if "error" in res:
                notes.append(f"torchviz: {res['error']}")
            else:
                source = out.read_text()
                for title, src in (("torchviz make_dot", source),
                                   ("torchviz source + nslimit=1", with_nslimit(source))):
                    rows.append([title, res["nodes"], f"{res['build']:.2f} s"]
                                + [render_seconds(found[r], src, args.timeout) if r in found
                                   else "-" for r in ("dot", "graphviz-pure")])
                notes.append(f"torchviz draws grad_fn nodes (one per op), AccumulateGrad and "
                             f"parameter nodes, no tensor-value nodes; torch {res['torch']}, "
                             "in its own process")
    else:
        notes.append("torchviz: not installed here (pip install --no-deps torchviz next to "
                     "torch); no comparison")
    print_table("Build a Digraph and render it to SVG", ["contender", "nodes", "build",
                                                          "dot", "graphviz-pure"], rows, notes)


if __name__ == "__main__":
    main()
