"""Module.register_full_backward_hook's machinery: one identity node over a module's tensor
inputs and one over its tensor outputs.

The output node's backward sees every gradient of the module's outputs at
once (``grad_output``); the input node's backward then sees every gradient of
its inputs that flows out of this module (``grad_input``, this module's share
only, as the node sits between the caller's tensors and the module's ops). It
calls ``hook(module, grad_input, grad_output)`` and passes on what the hook
returns, so a hook can replace ``grad_input``, as in PyTorch.
"""
import numpy as np

from autograd import Function, Tensor
from autograd.engine import hook_value

__all__ = ["wrap_inputs", "wrap_outputs"]


class BackwardHook(Function):
    """Identity over several tensors; backward calls ``ctx.on_grads(grads)`` and returns its
    result (one gradient per tensor).

    Example:
        >>> x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
        >>> a, b = BackwardHook.apply(lambda gs: [g * 10 for g in gs], x, y); a
        Tensor([1., 2.], dtype=float32, grad_fn=BackwardHook)
        >>> (a.sum() + b.sum()).backward(); x.grad, y.grad   # on_grads scaled them
        (Tensor([10., 10.], dtype=float32), Tensor([10.], dtype=float32))
    """

    @staticmethod
    def forward(ctx, on_grads, *tensors):
        ctx.on_grads = on_grads
        ctx.set_materialize_grads(False)
        return tuple(t.data.view() for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grads(grads))


class _Call:
    """What one forward call of a hooked module remembers until its backward."""

    def __init__(self, module, n_inputs):
        self.module, self.n_inputs = module, n_inputs
        self.grad_output = None
        self.wrapped_inputs = []          # positions (among tensor inputs) that were wrapped

    def run_hooks(self, grad_input):
        for hook in tuple(self.module._backward_hooks.values()):
            new = hook(self.module, grad_input, self.grad_output)
            if new is not None:
                new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
                if len(new) != len(grad_input):
                    raise RuntimeError(
                        f"backward hook {getattr(hook, '__name__', hook)!r} of "
                        f"{type(self.module).__name__} returned {len(new)} gradients for "
                        f"{len(grad_input)} inputs; return one per tensor input (or None)")
                grad_input = tuple(_checked(hook, self.module, k, g, old)
                                   for k, (g, old) in enumerate(zip(new, grad_input)))
        return grad_input


def _checked(hook, module, k, new, old):
    """The hook's replacement for grad_input[k]: None, or exactly the replaced one's shape
    and dtype (as Tensor.register_hook's hooks); anything else names the hook."""
    if new is None or old is None:
        return new if old is not None else old
    want = old.data if isinstance(old, Tensor) else np.asarray(old)
    hook_value(hook, new, want, f"of {type(module).__name__}", kind="backward hook",
               slot=f" as grad_input[{k}]")
    return new


def wrap_inputs(module, args):
    """Route the module's tensor arguments that require grad through one BackwardHook node.

    Returns (new args, the call's record).
    """
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    call = _Call(module, len(positions))
    wanted = [i for i in positions if args[i].requires_grad]
    if not wanted:
        return args, call
    call.wrapped_inputs = [positions.index(i) for i in wanted]

    def on_grads(grads):
        grad_input = [None] * call.n_inputs
        for k, g in zip(call.wrapped_inputs, grads):
            grad_input[k] = g
        grad_input = call.run_hooks(tuple(grad_input))
        return [grad_input[k] for k in call.wrapped_inputs]

    new = BackwardHook.apply(on_grads, *[args[i] for i in wanted])
    args = list(args)
    for i, t in zip(wanted, new):
        args[i] = t
    return tuple(args), call


def wrap_outputs(call, out):
    """Route the module's tensor outputs through one BackwardHook node that records
    grad_output (and runs the hooks when no input needs a gradient)."""
    single = isinstance(out, Tensor)
    items = [out] if single else list(out) if isinstance(out, tuple) else None
    if items is None:
        return out
    positions = [i for i, o in enumerate(items) if isinstance(o, Tensor) and o.requires_grad]
    if not positions:
        return out
    n_out = sum(isinstance(o, Tensor) for o in items)
    tensor_index = [sum(isinstance(o, Tensor) for o in items[:i]) for i in positions]

    def on_grads(grads):
        grad_output = [None] * n_out
        for k, g in zip(tensor_index, grads):
            grad_output[k] = g
        call.grad_output = tuple(grad_output)
        if not call.wrapped_inputs:
            call.run_hooks((None,) * call.n_inputs)
        return grads

    new = BackwardHook.apply(on_grads, *[items[i] for i in positions])
    for i, t in zip(positions, new):
        items[i] = t
    return items[0] if single else tuple(items)
