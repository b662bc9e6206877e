"""Speed and memory of chainrule's autograd next to a hand-written NumPy floor and PyTorch.

The four benchmarks of issue 2 ("Performance"); every time printed is a median
measured in this run (next to the fastest sample, "best"), and every ratio
compares medians of this run:

1. small-op overhead: a 100-op elementwise chain, forward + backward, us per op;
2. a GEMM-bound MLP training step built from generic ops (784-512-256-10, B=256, and B=32);
3. a deep graph: build + backward of a 100,000-node scalar chain, time and memory;
4. micrograd's demo step: as micrograd writes it (a graph of scalars) and batched.

Benchmarks 1, 2 and 4 also time the same step through ``autograd.compile`` (issue 12:
traced once, then replayed as a flat tape of NumPy calls): "chainrule, compiled" rows,
checked equal to the eager step first, with the page faults and memory of its replays.

Each benchmark checks that its contenders compute the same numbers before it
times them. PyTorch always runs in a process of its own (see _common.py for
why) and is skipped with a note when it is not installed. micrograd is not a
dependency: ``Value`` below re-implements its engine (a closure per op, a set
of children, a recursive topological sort) on Python floats.

Run:  .venv/bin/python benchmarks/bench_autograd.py [--quick] [--threads N] [--clock cpu]
      .venv/bin/python benchmarks/bench_autograd.py --profile   # where chainrule's time goes
"""
import gc
import math
import os
import resource
import tracemalloc
import warnings

from _common import (CLOCKS, announce, compare, fmt_ratio, has_module, parse_args, peak_rss_mb,
                     print_table, print_total, run_worker, set_blas_threads, threads_from_argv)

if threads_from_argv() is not None:   # BLAS and OpenMP read it once, when NumPy/torch load
    set_blas_threads(threads_from_argv())

import numpy as np  # noqa: E402

SCRIPT = os.path.abspath(__file__)
CHAIN_OPS = 100
DEEP_OPS = 100_000
MLP_SIZES, MLP_BATCH, MLP_LR = (784, 512, 256, 10), 256, 0.01
MLP_SMALL_BATCH = 32           # the overhead regime: the same step on the first 32 samples
MOONS_N, MOONS_SIZES, MOONS_ALPHA, MOONS_LR = 100, (2, 16, 16, 1), 1e-4, 0.05
# PyTorch runs the tiny-op benchmarks (1, 3, 4) on one thread: ops that small never use a
# second one, and on a busy machine its idle OpenMP team made the moons step up to 10x
# slower. The GEMM-bound step (2) keeps the default threads, as NumPy's BLAS does.
TORCH_SMALL_THREADS = 1
TORCH_NOTE = f"PyTorch: own process, torch.set_num_threads({TORCH_SMALL_THREADS})"
MICROGRAD_NOTE = ("micrograd: Value here re-implements its engine (closure per op, set of "
                  "children, recursive topological sort)")
PIP_MICROGRAD = "micrograd package (pip)"


def _pip_micrograd_value():
    """micrograd's own Value class when the package is installed (pip install micrograd:
    a benchmark reference only), else None."""
    try:
        from micrograd.engine import Value as PipValue
    except ImportError:
        return None
    return PipValue


# -- model code: the same source runs on chainrule, PyTorch and micrograd's Value -----

def chain(y, n_ops):
    """Apply ``n_ops`` elementwise ops cycling ``* 0.9``, ``+ 0.1``, ``tanh`` to y.

    Example:
        >>> chain(Value(0.5), 4).data      # tanh(0.5 * 0.9 + 0.1) * 0.9
        0.4504...
    """
    for _ in range(n_ops // 3):
        y = (y * 0.9 + 0.1).tanh()
    for k in range(n_ops % 3):
        y = y * 0.9 if k == 0 else y + 0.1
    return y


def mlp_data():
    """Inputs, labels and He-initialized float32 weights of the 784-512-256-10 MLP.

    Example:
        >>> x, y, params = mlp_data(); x.shape, params[0].dtype
        ((256, 784), dtype('float32'))
    """
    rng = np.random.default_rng(0)
    x = rng.standard_normal((MLP_BATCH, MLP_SIZES[0])).astype(np.float32)
    y = rng.integers(0, MLP_SIZES[-1], MLP_BATCH)
    params = []
    for fan_in, fan_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)) * math.sqrt(2 / fan_in))
                      .astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    return x, y, params


def moons_data():
    """micrograd's demo data (100 moons, noise 0.1, labels +-1) and its MLP's weights.

    The moons follow sklearn's make_moons; weights are uniform(-1, 1) and
    biases 0, as micrograd's Neuron. Column j of a layer's weight matrix is
    neuron j's weight list, so the scalar and batched models are one model.

    Example:
        >>> x, y, params = moons_data(); x.shape, [p.shape for p in params[:2]]
        ((100, 2), [(2, 16), (16,)])
    """
    rng = np.random.default_rng(1)
    n_out = MOONS_N // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, MOONS_N - n_out)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], 1)])
    x += rng.normal(0, 0.1, x.shape)
    y = np.concatenate([-np.ones(n_out), np.ones(MOONS_N - n_out)])
    params = []
    for fan_in, fan_out in zip(MOONS_SIZES[:-1], MOONS_SIZES[1:]):
        params += [rng.uniform(-1, 1, (fan_in, fan_out)), np.zeros(fan_out)]
    return x, y, params


def mlp_step(x, y, params, arange, log_softmax, sgd):
    """One SGD step of the MLP built from generic ops; returns the loss.

    Example:
        >>> loss = mlp_step(Tensor(x), y, params, np.arange,
        ...                 lambda z: z.log_softmax(axis=1), sgd)
    """
    w1, b1, w2, b2, w3, b3 = params
    h = (x @ w1 + b1).relu()
    h = (h @ w2 + b2).relu()
    logp = log_softmax(h @ w3 + b3)
    loss = -logp[arange(len(y)), y].mean()
    loss.backward()
    sgd(params, MLP_LR)
    return loss


def moons_batched_step(x, y, params, sgd):
    """micrograd's demo step, batched: hinge loss + L2, backward, SGD; returns the loss.

    Example:
        >>> total = moons_batched_step(Tensor(x), Tensor(y[:, None]), params, sgd)
    """
    w1, b1, w2, b2, w3, b3 = params
    h = (x @ w1 + b1).relu()
    h = (h @ w2 + b2).relu()
    data_loss = (1 - y * (h @ w3 + b3)).relu().mean()
    total = data_loss + MOONS_ALPHA * sum((p * p).sum() for p in params)
    total.backward()
    sgd(params, MOONS_LR)
    return total


# -- the NumPy floor: the same maths, forward and backward written by hand -------------

def numpy_chain(x, n_ops):
    """``chain`` on an ndarray with its backward by hand; returns (output, d output / d x).

    Example:
        >>> numpy_chain(np.full(4, 0.5), 100)[1].shape
        (4,)
    """
    saved, y = [], x
    for _ in range(n_ops // 3):
        y = np.tanh(y * 0.9 + 0.1)
        saved.append(y)
    for k in range(n_ops % 3):
        y = y * 0.9 if k == 0 else y + 0.1
    g = np.ones_like(y) * 0.9 ** (n_ops % 3 > 0)
    for t in reversed(saved):
        g = g * (1.0 - t * t) * 0.9
    return y, g


def numpy_mlp_step(x, y, params):
    """``mlp_step`` by hand in NumPy (updates ``params`` in place); returns the loss.

    Example:
        >>> x, y, params = mlp_data(); loss = numpy_mlp_step(x, y, params)
    """
    w1, b1, w2, b2, w3, b3 = params
    n = len(y)
    z1 = x @ w1 + b1
    m1 = z1 > 0                           # keep relu's masks for backward, as chainrule does
    h1 = z1 * m1
    z2 = h1 @ w2 + b2
    m2 = z2 > 0
    h2 = z2 * m2
    z3 = h2 @ w3 + b3
    s = z3 - z3.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -logp[rows, y].mean()
    g3 = np.exp(logp)                     # d loss / d z3 = (softmax - onehot) / n
    g3[rows, y] -= 1
    g3 /= n
    g2 = (g3 @ w3.T) * m2
    g1 = (g2 @ w2.T) * m1
    grads = (x.T @ g1, g1.sum(0), h1.T @ g2, g2.sum(0), h2.T @ g3, g3.sum(0))
    for p, g in zip(params, grads):
        p -= MLP_LR * g
    return loss


def numpy_moons_step(x, y, params):
    """``moons_batched_step`` by hand in NumPy (y as a column); returns the loss.

    Example:
        >>> x, y, params = moons_data(); total = numpy_moons_step(x, y[:, None], params)
    """
    w1, b1, w2, b2, w3, b3 = params
    z1 = x @ w1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ w2 + b2
    h2 = np.maximum(z2, 0)
    margin = 1 - y * (h2 @ w3 + b3)
    total = np.maximum(margin, 0).mean() + MOONS_ALPHA * sum((p * p).sum() for p in params)
    gs = -y * (margin > 0) / len(y)
    g2 = (gs @ w3.T) * (z2 > 0)
    g1 = (g2 @ w2.T) * (z1 > 0)
    grads = (x.T @ g1, g1.sum(0), h1.T @ g2, g2.sum(0), h2.T @ gs, gs.sum(0))
    for p, g in zip(params, grads):
        p -= MOONS_LR * (g + 2 * MOONS_ALPHA * p)
    return total


# -- micrograd, as it writes it ----------------------------------------------------------

class Value:
    """micrograd's scalar (its engine.py, plus tanh): Python floats and a closure per op.

    Example:
        >>> a = Value(2.0); b = (a * a + 1).relu(); b.backward(); a.grad
        4.0
    """

    def __init__(self, data, _children=(), _op=""):
        self.data, self.grad = data, 0
        self._backward = lambda: None
        self._prev, self._op = set(_children), _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(0 if self.data < 0 else self.data, (self,), "ReLU")

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other


class Neuron:
    """micrograd's Neuron: ``sum(wi * xi) + b``, then relu unless it is an output.

    Example:
        >>> Neuron([1.0, 2.0], 0.5, True, Value)([Value(1.0), Value(1.0)]).data
        3.5
    """

    def __init__(self, weights, bias, nonlin, make):
        self.w, self.b, self.nonlin = [make(w) for w in weights], make(bias), nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class ScalarMLP:
    """micrograd's MLP (lists of Neurons) holding the weight matrices of ``moons_data``.

    Example:
        >>> model = ScalarMLP(moons_data()[2], Value); len(model.parameters())
        337
    """

    def __init__(self, params, make):
        mats = list(zip(params[::2], params[1::2]))
        self.layers = [[Neuron(w[:, j], b[j], i < len(mats) - 1, make)
                        for j in range(w.shape[1])] for i, (w, b) in enumerate(mats)]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


def scalar_moons_step(model, x_rows, y, make_input, zero_grad, update):
    """micrograd demo's loss(), zero_grad, backward and SGD, on a graph of scalars.

    Example:
        >>> total = scalar_moons_step(model, x.tolist(), y.tolist(), Value,
        ...                           lambda p: setattr(p, "grad", 0), update)
    """
    inputs = [[make_input(v) for v in row] for row in x_rows]
    scores = [model(row) for row in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    total = data_loss + MOONS_ALPHA * sum(p * p for p in model.parameters())
    params = model.parameters()
    for p in params:
        zero_grad(p)
    total.backward()
    for p in params:
        update(p, MOONS_LR)
    return total


# -- chainrule contenders (this process) ---------------------------------------------

def _chainrule_sgd(params, lr):
    for p in params:
        p.data -= lr * p.grad.data
        p.grad = None


def _chainrule_chain(shape):
    from autograd import Tensor
    x = Tensor(np.full(shape, 0.5), requires_grad=True)
    seed = np.ones(shape) if shape else None

    def step():
        x.grad = None
        chain(x, CHAIN_OPS).backward(seed)
    return step, x


def _chainrule_mlp(x, y, params):
    from autograd import Tensor, log_softmax
    xt = Tensor(x)
    ps = [Tensor(p.copy(), requires_grad=True) for p in params]

    def step():
        return mlp_step(xt, y, ps, np.arange, lambda z: log_softmax(z, axis=1), _chainrule_sgd)
    return step, ps


def _chainrule_moons(x, y, params):
    from autograd import Tensor
    xt, yt = Tensor(x), Tensor(y[:, None])
    ps = [Tensor(p.copy(), requires_grad=True) for p in params]
    return lambda: moons_batched_step(xt, yt, ps, _chainrule_sgd)


def _compiled_chain(shape):
    """``chain``'s forward + backward as one compiled step: x in as an array, d out / d x out."""
    import autograd
    from autograd import Tensor
    seed = np.ones(shape) if shape else None

    def chain_grad(x0):
        x = Tensor(x0, requires_grad=True)
        chain(x, CHAIN_OPS).backward(seed)
        return x.grad
    return autograd.compile(chain_grad)


def _compiled_mlp(params):
    """The MLP step compiled, x and y passed as arrays; returns (compiled step, its params)."""
    import autograd
    from autograd import Tensor, log_softmax
    ps = [Tensor(p.copy(), requires_grad=True) for p in params]

    def step(x, y):
        return mlp_step(Tensor(x), y, ps, np.arange, lambda z: log_softmax(z, axis=1),
                        _chainrule_sgd)
    return autograd.compile(step), ps


def _check_compiled(what, compiled, steps, calls=4):
    """Run ``steps()`` (an eager and a compiled call, returning (name, eager, compiled)
    triples) through the compiled step's warm-up, trace, checking replay and a replay:
    every pair must agree to 1e-12. Returns None, or why autograd.compile fell back to eager."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # the reason goes in the table
        for call in range(1, calls + 1):
            for name, eager, got in steps():
                _check(f"{what}, call {call}: compiled {name} vs eager", got, eager, 0)
    return compiled.eager_reason


def _replay_memory(fn, replays=20):
    """Minor page faults per call of ``fn`` and tracemalloc's peak (bytes) over ``replays``
    calls, after one call: for a compiled step, what its replays allocate."""
    fn()
    gc.collect()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(replays):
        fn()
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / replays
    tracemalloc.start()
    for _ in range(replays):
        fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return faults, peak


def _memory_note(compiled_fn, eager_fn, replays=20):
    (cf, cp), (ef, ep) = _replay_memory(compiled_fn, replays), _replay_memory(eager_fn, replays)
    return (f"allocations: compiled step, {replays} calls after its first replay: {cf:.0f} "
            f"page faults/call (ru_minflt), tracemalloc peak {cp / 1e3:,.1f} kB; eager step: "
            f"{ef:.0f} page faults/call, peak {ep / 1e3:,.1f} kB")


def _scalar_contenders(x, y, params):
    """Step functions of micrograd's Value and of 0-d chainrule Tensors, same weights;
    and the 0-d Tensor model (to read its parameters)."""
    from autograd import Tensor

    def t_param(v):
        return Tensor(np.array(v, dtype=np.float64), requires_grad=True)

    def t_input(v):
        return Tensor(np.array(v, dtype=np.float64))

    def t_zero(p):
        p.grad = None

    def t_update(p, lr):
        p.data -= lr * p.grad.data

    def v_zero(p):
        p.grad = 0

    def v_update(p, lr):
        p.data -= lr * p.grad

    rows, labels = x.tolist(), y.tolist()
    v_model, t_model = ScalarMLP(params, Value), ScalarMLP(params, t_param)
    fns = {
        "micrograd (Value, floats)":
            lambda: scalar_moons_step(v_model, rows, labels, Value, v_zero, v_update),
        "chainrule, 0-d Tensors":
            lambda: scalar_moons_step(t_model, rows, labels, t_input, t_zero, t_update),
    }
    pip_value = _pip_micrograd_value()
    if pip_value is not None:            # the same Neuron/MLP code on micrograd's own Value
        p_model = ScalarMLP(params, pip_value)
        fns[PIP_MICROGRAD] = lambda: scalar_moons_step(p_model, rows, labels, pip_value,
                                                       v_zero, v_update)
    return fns, t_model


def _count_nodes(root):
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


# -- workers: PyTorch and the deep graph, each in a fresh process -------------------------

def _torch_sgd(params, lr):
    import torch
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


def _timed(fn, repeats, warmup, number=1, clock="wall"):
    timer = compare({"fn": fn}, repeats, warmup, number, clock)["fn"]
    return {"seconds": timer.median, "best": timer.spread[0]}


def _import_torch(threads):
    import torch
    if threads:
        torch.set_num_threads(threads)
    return torch


def _w_torch_chain(shape, repeats, number, threads=None, clock="wall"):
    torch = _import_torch(threads)
    x = torch.full(shape, 0.5, dtype=torch.float64, requires_grad=True)
    seed = torch.ones(shape, dtype=torch.float64) if shape else None

    def step():
        x.grad = None
        chain(x, CHAIN_OPS).backward(seed)
    result = _timed(step, repeats, warmup=3, number=number, clock=clock)
    return {**result, "grad": x.grad.numpy().tolist()}


def _w_torch_mlp(repeats, batch=MLP_BATCH, threads=None, clock="wall"):
    torch = _import_torch(threads)
    x, y, params = mlp_data()
    x, y = x[:batch], y[:batch]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    ps = [torch.tensor(p, requires_grad=True) for p in params]

    def step():
        return mlp_step(xt, yt, ps, torch.arange, lambda z: torch.log_softmax(z, dim=1),
                        _torch_sgd)
    first = step().item()
    result = _timed(step, repeats, warmup=2, clock=clock)
    return {**result, "first_loss": first,
            "dtypes": sorted({str(p.dtype) for p in ps})}


def _w_torch_moons(repeats, number, threads=None, clock="wall"):
    torch = _import_torch(threads)
    x, y, params = moons_data()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y[:, None])
    ps = [torch.tensor(p, requires_grad=True) for p in params]
    first = moons_batched_step(xt, yt, ps, _torch_sgd).item()
    result = _timed(lambda: moons_batched_step(xt, yt, ps, _torch_sgd),
                    repeats, warmup=20, number=number, clock=clock)
    return {**result, "first_loss": first}


def _w_deep(lib, n_ops, threads=None, clock="wall"):
    """Build + backward of an ``n_ops`` 0-d chain once, in this fresh process."""
    if lib == "torch":
        torch = _import_torch(threads)

        def leaf():
            return torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    else:
        from autograd import Tensor

        def leaf():
            return Tensor(np.array(0.5), requires_grad=True)
    chain(leaf(), 3000).backward()        # warm-up: lazy imports, caches
    timer = CLOCKS[clock]

    def run():
        start = timer()
        x = leaf()
        y = chain(x, n_ops)
        y.backward()
        seconds = timer() - start
        value = float(y.item())
        start = timer()
        del y                             # the whole graph is freed here
        return seconds, timer() - start, value, float(x.grad)
    (seconds, free_seconds, value, grad), mb = peak_rss_mb(run)
    return {"seconds": seconds, "free_seconds": free_seconds, "peak_mb": mb,
            "value": value, "grad": grad}


def _w_scalar_moons(name, repeats, clock="wall"):
    """One scalar-graph contender of benchmark 4, alone in a fresh process: Python's cyclic
    garbage collector walks every live object, so graphs of 65,818 scalar nodes sharing a
    process slow each other down (and the compiled step's tape would slow them all)."""
    x, y, params = moons_data()
    fns, _ = _scalar_contenders(x, y, params)
    if name not in fns:
        return {"error": f"{name}: not available here"}
    first = fns[name]()                  # doubles as the warm-up
    result = {"first_loss": float(first.data), "nodes": _count_nodes(first)
              if name == "micrograd (Value, floats)" else None}
    del first
    return {**result, **_timed(fns[name], repeats, warmup=0, clock=clock)}


WORKERS = {"torch_chain": _w_torch_chain, "torch_mlp": _w_torch_mlp,
           "torch_moons": _w_torch_moons, "deep": _w_deep, "scalar_moons": _w_scalar_moons}


# -- the four benchmarks -----------------------------------------------------------------

def _check(what, got, expected, rtol):
    if not np.allclose(got, expected, rtol=rtol, atol=1e-12):
        raise RuntimeError(f"{what}: results differ ({got} vs {expected}); the contenders "
                           "do not compute the same thing, so their timings are not comparable")


def _torch(name, args, torch_ok):
    if not torch_ok:
        return None, "PyTorch not installed: skipped"
    result = run_worker(SCRIPT, name, args)
    if "error" in result:
        return None, f"PyTorch: {result['error']}"
    return result, None


def _bench_chain(cfg, torch_ok):
    for shape in [(4,), ()]:
        step, x = _chainrule_chain(shape)
        x0 = np.full(shape, 0.5)
        floor_name, compiled_name = "NumPy floor (hand fwd+bwd)", "chainrule, compiled"
        fns = {"chainrule": step, floor_name: lambda: numpy_chain(x0, CHAIN_OPS)}
        compiled = _compiled_chain(shape)
        ref_step, ref_x = _chainrule_chain(shape)

        def both():
            ref_step()
            return [("gradient", ref_x.grad.data, compiled(x0).data)]
        fell_back = _check_compiled(f"chain {shape}", compiled, both)
        if not fell_back:
            fns[compiled_name] = lambda: compiled(x0)
        v = Value(0.5)
        if shape == ():
            def micro():
                v.grad = 0
                chain(v, CHAIN_OPS).backward()
            fns["micrograd (Value, floats)"] = micro
        timers = compare(fns, cfg["chain_repeats"], warmup=3, number=cfg["chain_number"],
                         clock=cfg["clock"])
        floor_grad = numpy_chain(x0, CHAIN_OPS)[1]
        _check(f"chain {shape}: chainrule's gradient", x.grad.data, floor_grad, 1e-9)
        if shape == ():
            _check("chain (): micrograd's gradient", v.grad, floor_grad, 1e-9)
        us = {name: (t.median / CHAIN_OPS * 1e6, t.spread[0] / CHAIN_OPS * 1e6)
              for name, t in timers.items()}
        res, note = _torch("torch_chain", {"shape": list(shape), "number": cfg["chain_number"],
                                           "repeats": cfg["chain_repeats"],
                                           "threads": TORCH_SMALL_THREADS,
                                           "clock": cfg["clock"]}, torch_ok)
        if res:
            _check(f"chain {shape}: PyTorch's gradient", res["grad"], floor_grad, 1e-9)
            us["PyTorch"] = (res["seconds"] / CHAIN_OPS * 1e6, res["best"] / CHAIN_OPS * 1e6)
        torch_us = us.get("PyTorch", (None,))[0]
        rows = [[name, f"{u:.2f}", f"{b:.2f}", fmt_ratio(u, us[floor_name][0]),
                 fmt_ratio(u, torch_us)] for name, (u, b) in us.items()]
        if fell_back:
            rows.insert(1, [compiled_name, f"fell back: {fell_back}", "-", "-", "-"])
        target = ("<= PyTorch and <= 3x floor; compiled <= 1.3x floor" if shape
                  else "<= PyTorch; stretch: <= micrograd")
        notes = [note or TORCH_NOTE] + ([] if shape else [MICROGRAD_NOTE])
        notes.append("compiled: autograd.compile(x0 -> chain(Tensor(x0)).backward(), x.grad); "
                     "its gradient checked equal to eager's (1e-12) on 4 calls before timing")
        if not fell_back:
            notes.append(_memory_note(lambda: compiled(x0), step))
        print_table(f"1. Small-op overhead: {CHAIN_OPS}-op chain (*0.9, +0.1, tanh), shape "
                    f"{shape}, float64, forward+backward. Target: {target}",
                    ["implementation", "us/op", "best", "x floor", "x PyTorch"], rows, notes)


def _bench_mlp(cfg, torch_ok):
    x_all, y_all, params = mlp_data()
    for batch in (MLP_BATCH, MLP_SMALL_BATCH):
        x, y = x_all[:batch], y_all[:batch]
        _bench_mlp_batch(cfg, torch_ok, x, y, params)


def _bench_mlp_batch(cfg, torch_ok, x, y, params):
    batch = len(y)
    step, ps = _chainrule_mlp(x, y, params)
    floor_params = [p.copy() for p in params]
    floor_name, compiled_name = "NumPy floor (hand fwd+bwd+SGD)", "chainrule, compiled"
    first = step().item()
    _check("MLP first-step loss (chainrule vs floor)", first,
           numpy_mlp_step(x, y, floor_params), 1e-4)
    for p, q in zip(ps, floor_params):
        _check("MLP parameters after one step (chainrule vs floor)", p.data, q, 1e-3)
    compiled, cps = _compiled_mlp(params)
    ref_step, ref_ps = _chainrule_mlp(x, y, params)

    def both():
        pairs = [("loss", ref_step().item(), compiled(x, y).item())]
        return pairs + [("parameter", p.data, q.data) for p, q in zip(ref_ps, cps)]
    fell_back = _check_compiled(f"MLP batch {batch}", compiled, both)
    fns = {"chainrule": step, floor_name: lambda: numpy_mlp_step(x, y, floor_params)}
    if not fell_back:
        fns[compiled_name] = lambda: compiled(x, y)
    timers = compare(fns, cfg["mlp_repeats"], warmup=2, clock=cfg["gemm_clock"])
    bad = [(p.shape, p.dtype) for p in ps + cps if p.dtype != np.float32 or p.grad is not None]
    if bad:
        raise RuntimeError(f"MLP: parameters must stay float32 with grads reset, got {bad}")
    ms = {name: (t.median * 1e3, t.spread[0] * 1e3) for name, t in timers.items()}
    res, note = _torch("torch_mlp", {"repeats": cfg["mlp_repeats"], "batch": batch,
                                     "clock": cfg["gemm_clock"]}, torch_ok)
    if res:
        _check("MLP first-step loss (PyTorch vs chainrule)", res["first_loss"], first, 1e-4)
        if res["dtypes"] != ["torch.float32"]:
            raise RuntimeError(f"MLP: PyTorch's parameters changed dtype: {res['dtypes']}")
        ms["PyTorch"] = (res["seconds"] * 1e3, res["best"] * 1e3)
    rows = [[name, f"{v:.2f}", f"{b:.2f}", fmt_ratio(v, ms[floor_name][0]),
             fmt_ratio(v, ms["chainrule"][0])] for name, (v, b) in ms.items()]
    if fell_back:
        rows.insert(1, [compiled_name, f"fell back: {fell_back}", "-", "-", "-"])
    target = ("chainrule <= 1.15x floor; compiled <= 1.00x eager (chainrule)"
              if batch == MLP_BATCH else "compiled <= 0.67x eager (1.5x faster)")
    notes = [note or "PyTorch: own process, threads as set for NumPy's BLAS",
             "losses checked equal; parameters checked float32 after the steps",
             "compiled: autograd.compile(step)(x, y); its loss and updated parameters checked "
             "equal to eager's (1e-12) on 4 calls before timing"]
    if not fell_back:
        notes.append(_memory_note(lambda: compiled(x, y), step))
    print_table(f"2. GEMM-bound step: MLP 784-512-256-10, batch {batch}, float32, matmul/+/relu/"
                f"log_softmax/advanced index, backward, SGD. Target: {target}",
                ["implementation", "ms/step", "best", "x floor", "x eager"], rows, notes)


def _bench_deep(cfg, torch_ok):
    results, notes = {}, []
    for lib in ["chainrule"] + (["torch"] if torch_ok else []):
        runs = [run_worker(SCRIPT, "deep", {"lib": lib, "n_ops": DEEP_OPS, "clock": cfg["clock"],
                                            "threads": TORCH_SMALL_THREADS})
                for _ in range(cfg["deep_procs"])]
        errors = [r["error"] for r in runs if "error" in r]
        if errors:
            notes.append(f"{lib}: {errors[0]}")
            continue
        results[lib] = {k: float(np.median([r[k] for r in runs]))
                        for k in ("seconds", "free_seconds", "peak_mb", "value")}
    if "chainrule" in results and "torch" in results:
        _check("deep chain output (chainrule vs PyTorch)", results["chainrule"]["value"],
               results["torch"]["value"], 1e-9)
    ref = results.get("torch", {})
    rows = [[lib, f"{r['seconds']:.3f}", fmt_ratio(r["seconds"], ref.get("seconds")),
             f"{r['peak_mb']:.0f}", fmt_ratio(r["peak_mb"], ref.get("peak_mb")),
             f"{r['free_seconds']:.3f}"] for lib, r in results.items()]
    print_table(f"3. Deep graph: build + backward of a {DEEP_OPS:,}-node 0-d float64 chain, "
                f"median of {cfg['deep_procs']} fresh processes each. "
                "Target: <= 1.0 s, <= 100 MB",
                ["library", "build+backward s", "x PyTorch", "peak MB", "x PyTorch",
                 "then free graph s"], rows,
                notes + ([TORCH_NOTE] if torch_ok else ["PyTorch not installed: skipped"]) +
                ["peak MB: peak resident memory during build+backward minus the "
                 "resident memory before it (after imports and a warm-up)"])


def _bench_moons(cfg, torch_ok):
    x, y, params = moons_data()
    floor_name = "NumPy floor (hand fwd+bwd+SGD)"
    names = list(_scalar_contenders(x, y, params)[0])
    ms, firsts, n_nodes = {}, {}, None
    for name in names:                   # each in a fresh process (see _w_scalar_moons)
        res = run_worker(SCRIPT, "scalar_moons", {"name": name, "repeats":
                                                  cfg["scalar_repeats"], "clock": cfg["clock"]},
                         timeout=1800)
        if "error" in res:
            raise RuntimeError(f"benchmark 4, {name}: {res['error']}")
        ms[name] = (res["seconds"] * 1e3, res["best"] * 1e3)
        firsts[name] = res["first_loss"]
        n_nodes = res["nodes"] or n_nodes
    compiled = {}
    fell_back, compiled_name = _compiled_moons(x, y, params, compiled)
    timers = compare(compiled, cfg["scalar_repeats"], warmup=1, clock=cfg["clock"])
    batched = _chainrule_moons(x, y, params)
    floor_params, y_col = [p.copy() for p in params], y[:, None]
    firsts["chainrule, batched"] = batched().item()
    floor_first = float(numpy_moons_step(x, y_col, floor_params))
    for name, value in firsts.items():
        _check(f"moons first-step loss ({name} vs floor)", value, floor_first, 1e-9)
    timers.update(compare({"chainrule, batched": batched,
                           floor_name: lambda: numpy_moons_step(x, y_col, floor_params)},
                          cfg["moons_repeats"], warmup=20, number=cfg["moons_number"],
                          clock=cfg["clock"]))
    ms.update({name: (t.median * 1e3, t.spread[0] * 1e3) for name, t in timers.items()})
    res, note = _torch("torch_moons", {"repeats": cfg["moons_repeats"],
                                       "number": cfg["moons_number"],
                                       "threads": TORCH_SMALL_THREADS,
                                       "clock": cfg["clock"]}, torch_ok)
    if res:
        _check("moons first-step loss (PyTorch vs floor)", res["first_loss"], floor_first, 1e-9)
        ms["PyTorch, batched"] = (res["seconds"] * 1e3, res["best"] * 1e3)
    torch_ms = ms.get("PyTorch, batched", (None,))[0]
    rows = [[name, _ms(v), _ms(b), fmt_ratio(v, ms[floor_name][0]), fmt_ratio(v, torch_ms)]
            for name, (v, b) in ms.items()]
    micro_ms = ms["micrograd (Value, floats)"][0]
    if fell_back:
        rows.insert(2, [compiled_name, f"fell back: {fell_back}", "-", "-", "-"])
        speedup = f"fell back: {fell_back}"
    else:
        speedup = f"{micro_ms / ms[compiled_name][0]:.1f}x faster than micrograd"
    pip_note = ("micrograd package: not installed (pip install micrograd adds its own Value "
                "as a row)")
    if PIP_MICROGRAD in ms:
        pip_ms = ms[PIP_MICROGRAD][0]
        pip_note = (f"micrograd package (pip, micrograd.engine.Value on the same Neuron/MLP "
                    f"code): 0-d Tensors take {ms['chainrule, 0-d Tensors'][0] / pip_ms:.2f}x "
                    f"its time (issue 12 target: <= 0.5x)"
                    + ("" if fell_back else f", compiled {pip_ms / ms[compiled_name][0]:.0f}x "
                       "faster"))
    print_table("4. micrograd's demo: MLP(2, [16, 16, 1]), 100 moons, hinge loss + 1e-4 L2, "
                "float64, one step (forward, backward, SGD). Target: batched <= 0.5 ms; "
                "0-d compiled >= 50x faster than micrograd",
                ["implementation", "ms/step", "best", "x floor", "x PyTorch"], rows,
                [note or TORCH_NOTE, MICROGRAD_NOTE, pip_note,
                 f"scalar rows: median of {cfg['scalar_repeats']} steps, each eager one in "
                 "a fresh process of its own (the garbage collector walks every live "
                 "object); a step's graph has "
                 f"{n_nodes:,} scalar nodes (inputs and parameters included)",
                 f"0-d compiled: {speedup}; autograd.compile of the 0-d Tensor step (its data "
                 "are constants of the tape); its loss and updated parameters checked equal "
                 "to eager's (1e-12) on 4 calls before timing"])


def _compiled_moons(x, y, params, scalar):
    """Add the compiled 0-d Tensor step to ``scalar`` once it checks equal to the eager one.
    Returns (why it fell back or None, its row name)."""
    import autograd
    name = "chainrule 0-d Tensors, compiled"
    eager_fns, eager_model = _scalar_contenders(x, y, params)
    fns, model = _scalar_contenders(x, y, params)
    eager = eager_fns["chainrule, 0-d Tensors"]
    compiled = autograd.compile(fns["chainrule, 0-d Tensors"])

    def both():
        pairs = [("loss", eager().data, compiled().data)]
        return pairs + [("parameter", p.data, q.data)
                        for p, q in zip(eager_model.parameters(), model.parameters())]
    fell_back = _check_compiled("moons 0-d step", compiled, both)
    if not fell_back:
        scalar[name] = compiled
    return fell_back, name


def _ms(v):
    return f"{v:.3f}" if v < 10 else f"{v:.0f}"


def _profile():
    """cProfile chainrule on benchmarks 1 (shape (4,) and 0-d) and 2; print the top functions."""
    import cProfile
    import pstats
    x, y, params = mlp_data()
    cases = [("chain (4,)", _chainrule_chain((4,))[0], 300),
             ("chain ()", _chainrule_chain(())[0], 300),
             ("MLP step", _chainrule_mlp(x, y, params)[0], 10)]
    for title, fn, n in cases:
        fn()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(n):
            fn()
        prof.disable()
        print(f"\n== cProfile: chainrule {title}, {n} runs, sorted by own time ==")
        pstats.Stats(prof).sort_stats("tottime").print_stats(16)


def main():
    """Run the benchmarks (or a worker, or the profile) as the command line says.

    Example:
        $ .venv/bin/python benchmarks/bench_autograd.py --quick
    """
    def options(parser):
        parser.add_argument("--threads", type=int, default=None,
                            help="BLAS/OpenMP threads for NumPy and PyTorch (default: theirs)")
        parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                            help="wall: elapsed time (default); cpu: the timing thread's CPU "
                                 "time, steadier on a busy machine (benchmark 2 uses it only "
                                 "with --threads 1: BLAS threads work outside the timing thread)")
        parser.add_argument("--profile", action="store_true",
                            help="only profile chainrule on benchmarks 1 and 2 (cProfile)")

    _, args = parse_args(__doc__, WORKERS, "fewer repeats (about 2x faster)", options)
    if args.profile:
        _profile()
        return
    # Short samples (a few ms) and many of them: on a shared machine a good share of
    # short samples runs undisturbed, and the median lands among those.
    cfg = dict(chain_repeats=150, chain_number=2, mlp_repeats=25, deep_procs=3,
               scalar_repeats=3, moons_repeats=150, moons_number=3)
    if args.quick:
        cfg = dict(chain_repeats=40, chain_number=2, mlp_repeats=9, deep_procs=1,
                   scalar_repeats=1, moons_repeats=40, moons_number=3)
    cfg["clock"] = args.clock
    cfg["gemm_clock"] = args.clock if args.threads == 1 else "wall"
    torch_ok = has_module("torch")
    start = announce(f"BLAS/OpenMP threads {args.threads or 'library default'}; clock "
                     f"{cfg['clock']} (benchmark 2: {cfg['gemm_clock']}); times are medians "
                     "after warm-up, 'best' the fastest sample (the least disturbed on a busy "
                     "machine)")
    _bench_chain(cfg, torch_ok)
    _bench_mlp(cfg, torch_ok)
    _bench_deep(cfg, torch_ok)
    _bench_moons(cfg, torch_ok)
    print_total(start, " (wall)")


if __name__ == "__main__":
    main()
