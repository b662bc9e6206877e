"""The backward engine: one iterative walk of the graph in reverse topological order.

First pass: an iterative depth-first search lists the recorded tensors behind
the roots, each after all of its inputs. Second pass: walk that list backwards,
so a tensor's gradient is complete (every consumer has added its share) before
its op's backward runs; leaves receive theirs at the end. Every node is visited
once, there is no recursion, and nothing is recorded unless ``create_graph=True``.

An op with several outputs runs its backward once, when the last of its
outputs in the walk has its gradient; outputs that got none pass zeros.

``record_backward()`` keeps a log of what the walk did (which op ran, with
which upstream gradient, sending what to each input), for pictures of backprop.
"""
import contextlib
import gc
from dataclasses import dataclass, field

import numpy as np

from . import versions
from .ops import args
from .function import ReleasedTensor, _describe, _freed_error
from .grad_mode import state, set_grad_enabled
from ._tensor import Tensor, _leaf

__all__ = ["backward", "grad", "record_backward", "BackwardRecord", "BackwardStep", "hook_value"]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of every leaf behind them.

    ``inputs`` (Tensors) limits the accumulation to those, as PyTorch's argument does.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> backward([(x * x).sum()]); x.grad
        Tensor([2., 4.], dtype=float32)
    """
    tensors = _tensors("backward", "tensors", tensors)
    retain_graph, create_graph = _flags("backward", retain_graph, create_graph)
    seeds = _seeds("backward", tensors, _gradients("backward", grad_tensors), create_graph)
    only = None
    if inputs is not None:
        only = _tensors("backward", "inputs", inputs)
        _check_inputs("backward", only)
    _run(tensors, seeds, retain_graph, create_graph, only, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) as a tuple, one gradient per input; ``.grad`` is untouched.

    Example:
        >>> x = Tensor(3.0, requires_grad=True)
        >>> (dx,) = grad(x ** 3, x, create_graph=True)
        >>> (ddx,) = grad(dx, x)
        >>> dx.item(), ddx.item()
        (27.0, 18.0)
    """
    outputs = _tensors("grad", "outputs", outputs)
    inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    retain_graph, create_graph = _flags("grad", retain_graph, create_graph)
    allow_unused = args.flag("grad", "allow_unused", allow_unused)
    seeds = _seeds("grad", outputs, _gradients("grad", grad_outputs), create_graph)
    _check_inputs("grad", inputs)
    found = _run(outputs, seeds, retain_graph, create_graph, inputs, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = found.get(t)
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} ({_describe(t)}) was not used to compute "
                               "the outputs; pass allow_unused=True to get None for it")
        if g is not None and not isinstance(g, Tensor):
            g = _leaf(np.asarray(g))
        result.append(g)
    return tuple(result)


def _tensors(op, what, given):
    """A Tensor or a list/tuple of them, as a tuple (each item is checked later)."""
    if isinstance(given, Tensor):
        return (given,)
    if isinstance(given, (list, tuple)):
        return tuple(given)
    raise TypeError(f"{op}: {what} must be a Tensor or a list of Tensors, got "
                    f"{type(given).__name__}")


def _gradients(op, given):
    """None, one gradient (a Tensor, array or number) or a list/tuple of them, as a tuple."""
    if given is None or isinstance(given, tuple):
        return given
    if isinstance(given, list):
        return tuple(given)
    if isinstance(given, (Tensor, np.ndarray, np.generic, int, float)):
        return (given,)
    raise TypeError(f"{op}: the gradients must be a Tensor or a list of them (one per "
                    f"output), got {type(given).__name__}")


def _flags(op, retain_graph, create_graph):
    create_graph = args.flag(op, "create_graph", create_graph)
    if retain_graph is not None:
        retain_graph = args.flag(op, "retain_graph", retain_graph)
    return retain_graph, create_graph


def _check_inputs(op, inputs):
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: input {i} is a {type(t).__name__} ({t!r}), not a Tensor; "
                            "pass the Tensors (with requires_grad=True) to differentiate by")
        if not t.requires_grad:
            raise RuntimeError(f"{op}: input {i} ({_describe(t)}) does not require grad, "
                               "so it has no gradient; set requires_grad=True on it")


# -- recording what backward did ---------------------------------------------------------------

@dataclass
class BackwardStep:
    """One op's backward as the engine ran it: upstream gradient in, one gradient per input out.

    ``tensor`` is the output whose op ran (``.data`` is its forward value),
    ``fn`` its grad_fn, ``grad`` the complete upstream gradient (after hooks)
    and ``input_grads`` one ndarray per entry of ``fn.inputs`` (summed to that
    input's shape), or None where no gradient was sent.

    Example:
        >>> x = Tensor(2.0, requires_grad=True, dtype="float64")
        >>> with record_backward() as rec:
        ...     (x * x + x).backward()
        >>> step = rec.steps[1]; step.fn.name, step.grad, step.input_grads   # d(x*x)
        ('Mul', array(1.), (array(2.), array(2.)))
    """
    tensor: Tensor
    fn: object
    grad: np.ndarray
    input_grads: tuple


@dataclass
class BackwardRecord:
    """What ``record_backward`` saw: ``order`` (forward topological order of the recorded
    tensors), ``steps`` (BackwardSteps in the order they ran), ``leaves`` ((leaf, total
    gradient) in accumulation order) and ``roots``.

    Example:
        >>> x = Tensor(2.0, requires_grad=True, dtype="float64")
        >>> with record_backward() as rec:
        ...     (x * x + x).backward()
        >>> rec.roots, rec.leaves                  # d(x*x + x)/dx = 2x + 1 = 5
        ([Tensor(6., dtype=float64, grad_fn=Add)],
         [(Tensor(2., dtype=float64, requires_grad=True), array(5.))])
    """
    roots: list = field(default_factory=list)
    order: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    leaves: list = field(default_factory=list)


class record_backward:
    """Record every step of the backward passes run inside, keeping the graph's values.

    Example:
        >>> x = Tensor(2.0, requires_grad=True, dtype="float64")
        >>> with record_backward() as rec:
        ...     (x * x + x).backward()
        >>> [s.fn.name for s in rec.steps], float(rec.leaves[0][1])
        (['Add', 'Mul'], 5.0)
    """

    def __enter__(self):
        self.prev = state.recorder
        self.record = state.recorder = BackwardRecord()
        return self.record

    def __exit__(self, *exc):
        state.recorder = self.prev


def _arrays(gs):
    return tuple(None if g is None else np.array(g.data if isinstance(g, Tensor) else g)
                 for g in gs)


# -- the walk ----------------------------------------------------------------------------------

def _run(roots, seeds, retain_graph, create_graph, wanted, accumulate):
    with _collector_paused():
        return _walk(roots, seeds, retain_graph, create_graph, wanted, accumulate)


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off during a walk (as it was before, after it).

    A walk makes many small objects (gradients, ReleasedTensors) and no cycles, and each
    collection it would trigger traverses the whole graph: that doubled the time of a
    backward through 100,000 0-d nodes. Reference counting still frees as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _walk(roots, seeds, retain_graph, create_graph, wanted, accumulate):
    if retain_graph is None:
        retain_graph = create_graph
    order, multi = _topological_order(roots)
    needed = None if wanted is None else _needed(order, set(wanted))
    wanted = None if wanted is None else set(wanted)
    recorder = state.recorder
    if recorder is not None:
        recorder.roots, recorder.order = list(roots), list(order)
    grads = {}
    for r, g in zip(roots, seeds):
        grads[r] = g if r not in grads else grads[r] + g
    found = {}
    stored = set()   # ids of arrays already handed to a leaf: copy before sharing one
    plain = not create_graph      # gradients flow as ndarrays; nothing is recorded
    released = None if recorder is not None else {}    # tensor -> its ReleasedTensor
    with set_grad_enabled(create_graph):
        for t in reversed(order):      # each tensor after every tensor made from it
            fn = t.grad_fn
            g = grads.pop(t, None)
            if g is not None:
                if t._hooks:
                    g = _run_hooks(t, g, create_graph)
                if wanted is not None and t in wanted:
                    _deliver(t, g, accumulate, found, create_graph, stored)
                elif t._retains_grad and accumulate:
                    _accumulate(t, g, create_graph, stored)
            if fn._outputs == 1:
                if g is None:
                    continue
                out_grads = (g,)
            else:
                out_grads = _gather_outputs(multi, t, g)
                if out_grads is None:
                    continue
            in_grads = _call_backward(fn, t, out_grads, create_graph)
            inputs = fn.inputs
            if not retain_graph:
                fn.release(released)
            if recorder is not None:
                recorder.steps.append(BackwardStep(t, fn, _arrays(out_grads)[0]
                                                   if len(out_grads) == 1 else _arrays(out_grads),
                                                   ()))
                sent = [None] * len(inputs)
            k = -1
            for inp, gi in zip(inputs, in_grads):
                k += 1
                if gi is None or not isinstance(inp, Tensor) or not inp.requires_grad \
                        or (needed is not None and inp not in needed):
                    continue
                d = inp.data
                # the plain case needs no fitting: an array (or NumPy scalar) of the input's
                # shape and dtype (dtypes are singletons, so `is` answers first)
                if not plain or not (type(gi) is np.ndarray or isinstance(gi, np.generic)) \
                        or gi.shape != d.shape or (gi.dtype is not d.dtype
                                                   and gi.dtype != d.dtype):
                    gi = _fit(gi, inp, fn, create_graph)
                if recorder is not None:
                    sent[k] = np.array(gi.data if isinstance(gi, Tensor) else gi)
                prev = grads.get(inp)
                grads[inp] = gi if prev is None else prev + gi
            if recorder is not None:
                recorder.steps[-1].input_grads = tuple(sent)
        for t, g in grads.items():     # what is left are the leaves
            if t._hooks:
                g = _run_hooks(t, g, create_graph)
            if wanted is not None:
                if t in wanted:
                    _deliver(t, g, accumulate, found, create_graph, stored)
            else:
                _accumulate(t, g, create_graph, stored)
            if recorder is not None:
                recorder.leaves.append((t, np.array(g.data if isinstance(g, Tensor) else g)))
    return found


def _deliver(t, g, accumulate, found, create_graph, stored):
    if accumulate:
        _accumulate(t, g, create_graph, stored)
    else:
        found[t] = g


def _gather_outputs(multi, t, g):
    """Collect a multi-output op's gradients; all of them once its last output is reached."""
    fn = t.grad_fn
    slot = multi[fn]
    if g is not None:
        slot["grads"][t._output_nr] = g
    slot["left"] -= 1
    if slot["left"]:
        return None
    grads = slot["grads"]
    if all(x is None for x in grads):
        return None
    if fn.materialize_grads:
        like = next(x for x in grads if x is not None)
        for i, x in enumerate(grads):
            if x is None:
                shape, dtype = fn._output_meta[i]
                zeros = np.zeros(shape, dtype=dtype)
                grads[i] = _leaf(zeros) if isinstance(like, Tensor) else zeros
    return tuple(grads)


def _seeds(op, roots, grad_roots, create_graph):
    """The gradient each root starts with, the roots and gradients checked."""
    if grad_roots is not None and len(grad_roots) != len(roots):
        raise RuntimeError(f"{op}: {len(roots)} outputs but {len(grad_roots)} gradients; "
                           "give one gradient per output (None for one-element outputs)")
    seeds = []
    for i, r in enumerate(roots):
        if not isinstance(r, Tensor):
            raise TypeError(f"{op}: expected Tensors as outputs, got {type(r).__name__}")
        if not r.requires_grad:
            raise RuntimeError(
                f"{op}: output {i} ({_describe(r)}) does not require grad and has no "
                "grad_fn; nothing it depends on has requires_grad=True")
        g = None if grad_roots is None else grad_roots[i]
        if g is None:
            if r.data.size != 1:
                raise RuntimeError(
                    f"{op}: the gradient can be implied only for a one-element output, "
                    f"but this one is {_describe(r)}; pass gradient= (an array of that shape), "
                    "or reduce it first, e.g. y.sum().backward()")
            g = np.ones_like(r.data)
        else:
            g = g.data if isinstance(g, Tensor) else g
            if not isinstance(g, (np.ndarray, np.generic, int, float)) \
                    or np.asarray(g).dtype.kind not in "biufc":
                what = f"{type(g).__name__} {getattr(g, 'dtype', '')}".strip()
                raise TypeError(f"{op}: gradient for output {i} ({_describe(r)}) is a {what}; "
                                "pass a Tensor or ndarray of numbers of its shape")
            # a leaf root would keep the caller's array as its .grad: copy it only then
            g = np.array(g, dtype=r.dtype) if r.grad_fn is None else np.asanyarray(g, r.dtype)
            if g.shape != r.shape:
                raise RuntimeError(f"{op}: gradient has shape {g.shape} but the output is "
                                   f"{_describe(r)}; they must match")
        seeds.append(_leaf(g) if create_graph else g)
    return seeds


def _topological_order(roots):
    """Non-leaf tensors behind the roots, each after all of its inputs (iterative DFS).

    Also returns, for each op with several outputs, how many of them are in the order.
    """
    order, seen, multi = [], set(), {}
    for root in roots:
        if root.grad_fn is None or root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.grad_fn.inputs))]
        while stack:
            t, pending = stack[-1]
            for inp in pending:
                if isinstance(inp, Tensor) and inp.grad_fn is not None and inp not in seen:
                    seen.add(inp)
                    stack.append((inp, iter(inp.grad_fn.inputs)))
                    break
            else:
                stack.pop()
                order.append(t)
                fn = t.grad_fn
                if fn._outputs != 1:
                    slot = multi.setdefault(fn, {"left": 0, "grads": [None] * fn._outputs})
                    slot["left"] += 1
    return order, multi


def _needed(order, wanted):
    """Tensors through which some wanted input is reached (for autograd.grad)."""
    needed = set(wanted)
    for t in order:
        if any(i in needed for i in t.grad_fn.inputs if isinstance(i, Tensor)):
            needed.add(t)
    return needed


def _call_backward(fn, out, grads, create_graph):
    """Run ``fn.backward`` once: on ndarrays for a plain backward of an ``array_backward`` op,
    else on Tensors. Returns one gradient (or None) per input."""
    if fn._freed:
        raise _freed_error(fn)
    if versions.rebased[0] > fn._saved_at:      # an in-place op was recorded since fn was
        _check_rebased(fn)
    fn.create_graph = create_graph
    if create_graph or not fn.array_backward:
        grads = tuple(g if g is None or isinstance(g, Tensor) else _leaf(np.asarray(g))
                      for g in grads)
    if fn.saves_output:
        fn._output = out
        try:
            in_grads = fn.backward(fn, *grads)
        finally:
            fn._output = None
    else:
        in_grads = fn.backward(fn, *grads)
    if type(in_grads) is not tuple:
        in_grads = (in_grads,)
    if len(in_grads) != len(fn.inputs):
        raise RuntimeError(f"{fn.name}.backward returned {len(in_grads)} gradients, but forward "
                           f"took {len(fn.inputs)} inputs; return one per input (None for "
                           "inputs without a gradient)")
    if state.anomaly:
        _check_backward(fn, grads[0], in_grads)
    return in_grads


def _check_rebased(fn):
    """Refuse an op whose input got a new history (a recorded in-place op) after it used it:
    its gradient would flow into the new history instead of the value it read."""
    for inp in fn.inputs:
        if isinstance(inp, Tensor) and inp.requires_grad \
                and not getattr(inp, "_superseded", False) \
                and versions.rebased_since(inp.data, fn._saved_at):
            raise RuntimeError(
                f"{fn.name}.backward: its input ({_describe(inp)}) was modified by an in-place "
                f"op recorded in the graph (such as h += ..., h[i] = ..., h.mul_(...), or one "
                f"through a view of h) after {fn.name} used it, so its gradient cannot reach "
                f"the value {fn.name} read. Clone the tensor before changing it "
                f"(h = h.clone()), or make the in-place change before using the tensor.")


def _fit(g, inp, fn, create_graph):
    """Bring a gradient to its input's shape (summing broadcast axes) and dtype."""
    if create_graph:
        if not isinstance(g, Tensor):   # not recorded: its own derivative will read as 0
            if state.unrecorded is not None:
                state.unrecorded.add(fn.name)
            g = _leaf(_as_gradient_array(g, inp, fn))
    elif isinstance(g, Tensor):
        g = g.data
    elif type(g) is not np.ndarray:
        g = _as_gradient_array(g, inp, fn)
    if g.shape != inp.shape:
        g = _sum_to(g, inp.shape, fn)
    if g.dtype != inp.dtype:
        g = g.astype(inp.dtype)
    return g


def _as_gradient_array(g, inp, fn):
    if isinstance(g, (np.ndarray, np.generic, int, float)):
        return np.asanyarray(g)
    raise TypeError(f"{fn.name}.backward returned a {type(g).__name__} as the gradient of an "
                    f"input of {_describe(inp)}; return a Tensor, an ndarray or None")


def _sum_to(g, shape, fn):
    lead = g.ndim - len(shape)
    if lead < 0 or any(n != 1 and g.shape[lead + i] != n for i, n in enumerate(shape)):
        raise RuntimeError(f"{fn.name}.backward returned a gradient of shape {g.shape} for an "
                           f"input of shape {shape}; it must have the input's shape or "
                           "broadcast to it")
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if lead else g


def _accumulate(t, g, create_graph, stored):
    if create_graph:
        t._grad = g if t._grad is None else t._grad + g
        return
    if not isinstance(g, np.ndarray):
        g = np.array(g)                 # a NumPy scalar from a 0-d op
    if t._grad is None:
        if id(g) in stored or g.base is not None or not g.flags.writeable:
            g = g.copy()
        stored.add(id(g))
        t._grad = _leaf(g)
    elif t._grad.data.shape == g.shape and t._grad.data.flags.writeable \
            and t._grad.grad_fn is None:
        t._grad.data += g
    else:
        t._grad = _leaf(t._grad.data + g)


def _run_hooks(t, g, create_graph):
    g = g if isinstance(g, Tensor) else _leaf(np.asarray(g))
    for hook in list(t._hooks):
        new = hook(g)
        if new is None:
            continue
        value = hook_value(hook, new, g.data, f"registered on a tensor of {_describe(t)}")
        g = new if isinstance(new, Tensor) else _leaf(value)
    return g if create_graph else g.data


def hook_value(hook, new, like, owner, kind="hook", slot=""):
    """What a gradient hook returned, as an ndarray of exactly ``like``'s shape and dtype;
    anything else is a RuntimeError naming the hook, its ``owner`` and the ``slot`` replaced.

    Example:
        >>> def halve(g): return g[:1]
        >>> hook_value(halve, np.zeros(1), np.zeros(2), "of Net", slot=" as grad_input[0]")
        Traceback (most recent call last):
        ...
        RuntimeError: hook 'halve' of Net returned shape (1,) float64 as grad_input[0], ...
    """
    value = new.data if isinstance(new, Tensor) else new
    if isinstance(value, np.generic):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and value.shape == like.shape and value.dtype == like.dtype:
        return value
    got = (f"shape {value.shape} {value.dtype}" if isinstance(value, np.ndarray)
           else f"a {type(new).__name__}")
    name = getattr(hook, "__qualname__", None) or repr(hook)
    raise RuntimeError(
        f"{kind} {name!r} {owner} returned {got}{slot}, but the gradient it replaces is shape "
        f"{like.shape} {like.dtype}: a hook has changed the size or type of the value. Return "
        "a Tensor or ndarray of exactly that shape and dtype, or None to keep the gradient.")


def _check_backward(fn, g, in_grads):
    upstream = g.data if isinstance(g, Tensor) else g
    if upstream is None or not np.isfinite(upstream).all():
        return
    for i, gi in enumerate(in_grads):
        if gi is None:
            continue
        arr = gi.data if isinstance(gi, Tensor) else np.asarray(gi)
        if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
            where = getattr(fn, "created_at", "(created outside detect_anomaly)\n")
            raise FloatingPointError(
                f"detect_anomaly: {fn.name}.backward produced NaN or Inf in the gradient of "
                f"input {i} ({_describe(fn.inputs[i])}) from a finite upstream gradient. "
                f"The op was created at:\n{where}")
