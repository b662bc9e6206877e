"""Local gradients for the edges of a scalar graph: d(op output) / d(op input), exactly.

How: each op is run again, by itself, on detached copies of its inputs (the
graph keeps ``ctx.inputs`` even after a backward without retain_graph; see
``Function.release``), and ``autograd.grad`` differentiates that one-op graph
with ``create_graph=False``. Nothing is estimated numerically and the user's
graph, its ``.grad`` fields and its saved tensors are left untouched. The
values are those the inputs hold now: change an input in place after the
forward and the edge shows the derivative at the new value.

Only edges whose input and output are both 0-d get a number (a 0-d graph's
"local gradient x upstream gradient" picture); for arrays a local derivative
is a Jacobian and no single number stands for it.
"""
import autograd
from autograd import ReleasedTensor, Tensor

__all__ = ["local_gradients"]


def local_gradients(fn):
    """One float (or None) per entry of ``fn.inputs``: d out / d input for 0-d inputs and output.

    ``fn`` is a recorded op (a tensor's ``grad_fn``). An input that is not a
    0-d tensor requiring grad, or an op whose output is not 0-d, gives None.

    Example:
        >>> a, b = Tensor(2.0, requires_grad=True), Tensor(-3.0, requires_grad=True)
        >>> local_gradients((a * b).grad_fn)        # d(ab)/da = b, d(ab)/db = a
        [-3.0, 2.0]
    """
    args, wrt, slots = [], [], []
    for i, a in enumerate(fn.inputs):
        if isinstance(a, ReleasedTensor):
            a = a.tensor()
            if a is None:                # backward freed this input's value: nothing to replay
                return [None] * len(fn.inputs)
        if isinstance(a, Tensor):
            copy = a.detach()
            if a.requires_grad and a.ndim == 0 and a.dtype.kind == "f":
                copy.requires_grad_()
                wrt.append(copy)
                slots.append(i)
            args.append(copy)
        else:
            args.append(a)
    result = [None] * len(fn.inputs)
    if not wrt:
        return result
    with autograd.enable_grad():
        out = type(fn).apply(*args)
    if out.ndim != 0 or not out.requires_grad:
        return result
    grads = autograd.grad(out, wrt, allow_unused=True)
    for i, g in zip(slots, grads):
        result[i] = 0.0 if g is None else float(g.data)
    return result
