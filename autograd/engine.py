"""The backward engine: one iterative walk of the graph in reverse topological order.

First pass: an iterative depth-first search lists the recorded tensors behind
the roots, each after all of its inputs. Second pass: walk that list backwards,
so a tensor's gradient is complete (every consumer has added its share) before
its op's backward runs; leaves receive theirs at the end. Every node is visited
once, there is no recursion, and nothing is recorded unless ``create_graph=True``.
"""
import numpy as np

from .function import _describe, _freed_error
from .mode import state, set_grad_enabled
from .tensor import Tensor

__all__ = ["backward", "grad"]


def backward(roots, grad_roots=None, retain_graph=None, create_graph=False):
    """Accumulate the gradients of ``roots`` into the ``.grad`` of every leaf behind them.

    Example:
        >>> backward([loss])          # same as loss.backward()
    """
    _run(roots, grad_roots, retain_graph, create_graph, inputs=None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) as a tuple, one gradient per input; ``.grad`` is untouched.

    Example:
        >>> x = Tensor(3.0, requires_grad=True)
        >>> (dx,) = grad(x ** 3, x, create_graph=True)     # 27
        >>> (ddx,) = grad(dx, x)                           # 18
    """
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if isinstance(grad_outputs, Tensor) or isinstance(grad_outputs, np.ndarray):
        grad_outputs = (grad_outputs,)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} ({_describe(t)}) does not require grad, "
                               "so it has no gradient; set requires_grad=True on it")
    found = _run(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs)
    result = []
    for i, t in enumerate(inputs):
        g = found.get(t)
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} ({_describe(t)}) was not used to compute "
                               "the outputs; pass allow_unused=True to get None for it")
        if g is not None and not isinstance(g, Tensor):
            g = _leaf_tensor(g)
        result.append(g)
    return tuple(result)


def _run(roots, grad_roots, retain_graph, create_graph, inputs):
    if retain_graph is None:
        retain_graph = create_graph
    seeds = _seeds(roots, grad_roots, create_graph)
    order = _topological_order(roots)
    wanted = None if inputs is None else set(inputs)
    needed = None if inputs is None else _needed(order, wanted)
    grads = {}
    for r, g in zip(roots, seeds):
        grads[r] = g if r not in grads else grads[r] + g
    found = {}
    stored = set()   # ids of arrays already handed to a leaf: copy before sharing one
    fast = not create_graph and not state.anomaly
    with set_grad_enabled(create_graph):
        for t in reversed(order):      # each tensor after every tensor made from it
            g = grads.pop(t, None)
            if g is None:
                continue
            if t._hooks:
                g = _run_hooks(t, g, create_graph)
            if wanted is not None:
                if t in wanted:
                    found[t] = g
            elif t._retains_grad:
                _accumulate(t, g, create_graph, stored)
            fn = t.grad_fn
            if fast and fn.raw:    # our own ops, plain backward: the hot path, inlined
                if fn._freed:
                    raise _freed_error(fn)
                fn._graph_mode = False
                if fn.uses_output:
                    fn._output = t
                    try:
                        in_grads = fn.backward(fn, g)
                    finally:
                        fn._output = None
                else:
                    in_grads = fn.backward(fn, g)
                if type(in_grads) is not tuple:
                    in_grads = (in_grads,)
            else:
                in_grads = _call_backward(fn, t, g, create_graph)
            if not retain_graph:
                fn.release()
            for inp, gi in zip(fn.inputs, in_grads):
                if gi is None or not isinstance(inp, Tensor) or not inp.requires_grad \
                        or (needed is not None and inp not in needed):
                    continue
                d = inp.data
                if not fast or not (type(gi) is np.ndarray or isinstance(gi, np.generic)) \
                        or gi.shape != d.shape or gi.dtype != d.dtype:
                    gi = _fit(gi, inp, fn, create_graph)
                prev = grads.get(inp)
                grads[inp] = gi if prev is None else prev + gi
        for t, g in grads.items():     # what is left are the leaves
            if t._hooks:
                g = _run_hooks(t, g, create_graph)
            if wanted is not None:
                if t in wanted:
                    found[t] = g
            else:
                _accumulate(t, g, create_graph, stored)
    return found


def _seeds(roots, grad_roots, create_graph):
    seeds = []
    for i, r in enumerate(roots):
        if not isinstance(r, Tensor):
            raise TypeError(f"backward: expected Tensors as outputs, got {type(r).__name__}")
        if not r.requires_grad:
            raise RuntimeError(
                f"backward: output {i} ({_describe(r)}) does not require grad and has no "
                "grad_fn; nothing it depends on has requires_grad=True")
        g = None if grad_roots is None else grad_roots[i]
        if g is None:
            if r.data.size != 1:
                raise RuntimeError(
                    f"backward: the gradient can be implied only for a one-element output, "
                    f"but this one is {_describe(r)}; pass gradient= (an array of that shape), "
                    "or reduce it first, e.g. y.sum().backward()")
            g = np.ones_like(r.data)
        else:
            g = g.data if isinstance(g, Tensor) else g
            # a leaf root would keep the caller's array as its .grad: copy it only then
            g = np.array(g, dtype=r.dtype) if r.grad_fn is None else np.asarray(g, r.dtype)
            if g.shape != r.shape:
                raise RuntimeError(f"backward: gradient has shape {g.shape} but the output is "
                                   f"{_describe(r)}; they must match")
        seeds.append(_leaf_tensor(g) if create_graph else g)
    return seeds


def _topological_order(roots):
    """Non-leaf tensors behind the roots, each after all of its inputs (iterative DFS)."""
    order, seen = [], set()
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
    return order


def _needed(order, wanted):
    """Tensors through which some wanted input is reached (for autograd.grad)."""
    needed = set(wanted)
    for t in order:
        if any(i in needed for i in t.grad_fn.inputs if isinstance(i, Tensor)):
            needed.add(t)
    return needed


def _call_backward(fn, out, g, create_graph):
    if fn._freed:
        raise _freed_error(fn)
    if create_graph or not fn.raw:
        fn._graph_mode = True
        if not isinstance(g, Tensor):
            g = _leaf_tensor(g)
    else:
        fn._graph_mode = False
    if fn.uses_output:
        fn._output = out
        try:
            in_grads = fn.backward(fn, g)
        finally:
            fn._output = None
    else:
        in_grads = fn.backward(fn, g)
    if type(in_grads) is not tuple:
        in_grads = (in_grads,)
    if len(in_grads) != len(fn.inputs):
        raise RuntimeError(f"{fn.name}.backward returned {len(in_grads)} gradients, but forward "
                           f"took {len(fn.inputs)} inputs; return one per input (None for "
                           "inputs without a gradient)")
    if state.anomaly:
        _check_backward(fn, g, in_grads)
    return in_grads


def _fit(g, inp, fn, create_graph):
    """Bring a gradient to its input's shape (summing broadcast axes) and dtype."""
    if create_graph:
        if not isinstance(g, Tensor):
            g = _leaf_tensor(np.asarray(g))
    elif isinstance(g, Tensor):
        g = g.data
    elif type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != inp.shape:
        g = _sum_to(g, inp.shape, fn)
    if g.dtype != inp.dtype:
        g = g.astype(inp.dtype)
    return g


def _sum_to(g, shape, fn):
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    if lead < 0 or any(n != 1 and g.shape[lead + i] != n for i, n in enumerate(shape)):
        raise RuntimeError(f"{fn.name}.backward returned a gradient of shape {g.shape} for an "
                           f"input of shape {shape}; it must have the input's shape or "
                           "broadcast to it")
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if lead else g


def _accumulate(t, g, create_graph, stored):
    if create_graph:
        t.grad = g if t.grad is None else t.grad + g
        return
    if type(g) is not np.ndarray:
        g = np.array(g)                 # a NumPy scalar from a 0-d op
    if t.grad is None:
        if id(g) in stored or g.base is not None or not g.flags.writeable:
            g = g.copy()
        stored.add(id(g))
        t.grad = _leaf_tensor(g)
    elif t.grad.data.shape == g.shape and t.grad.data.flags.writeable:
        t.grad.data += g
    else:
        t.grad = _leaf_tensor(t.grad.data + g)


def _run_hooks(t, g, create_graph):
    g = g if isinstance(g, Tensor) else _leaf_tensor(g)
    for hook in list(t._hooks):
        new = hook(g)
        if new is not None:
            g = new if isinstance(new, Tensor) else _leaf_tensor(np.asarray(new))
    return g if create_graph else g.data


def _leaf_tensor(array):
    out = Tensor.__new__(Tensor)
    out._init(array, False)
    return out


def _check_backward(fn, g, in_grads):
    upstream = g.data if isinstance(g, Tensor) else g
    if not np.isfinite(upstream).all():
        return
    for i, gi in enumerate(in_grads):
        if gi is None:
            continue
        arr = gi.data if isinstance(gi, Tensor) else np.asarray(gi)
        if not np.isfinite(arr).all():
            where = getattr(fn, "created_at", "(created outside detect_anomaly)\n")
            raise FloatingPointError(
                f"detect_anomaly: {fn.name}.backward produced NaN or Inf in the gradient of "
                f"input {i} ({_describe(fn.inputs[i])}) from a finite upstream gradient. "
                f"The op was created at:\n{where}")
