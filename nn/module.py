"""Module: the base class of layers and models: forward, hooks, modes, state, repr.

The bookkeeping of parameters, buffers and children (registration on
attribute assignment, dotted-name traversal) is in nn.registry; state dicts
in nn.state. ``__call__`` runs ``forward`` inside
``autograd.name_scope(<attribute name>)`` so graph pictures cluster each
module's ops. Parameter and manual_seed (nn.parameter) are re-exported here;
the containers (Sequential, ModuleList, ...) are in nn.container.
"""
import numpy as np

from autograd import Tensor, name_scope
from .backward_hooks import wrap_inputs, wrap_outputs
from .casting import Casting
from .parameter import Parameter, manual_seed, get_generator
from .registry import Registry
from .state import load_state_dict, state_tensors

__all__ = ["Module", "Parameter", "manual_seed", "get_generator", "RemovableHandle"]


class RemovableHandle:
    """Returned by hook registration; ``remove()`` unregisters the hook.

    Example:
        >>> import nn
        >>> from autograd import Tensor
        >>> model = nn.ReLU()
        >>> h = model.register_forward_hook(lambda m, args, out: print(out))
        >>> _ = model(Tensor([-1.0, 2.0]))
        Tensor([0., 2.], dtype=float32)
        >>> h.remove(); _ = model(Tensor([-1.0, 2.0]))       # no print any more
    """

    _next_id = 0

    def __init__(self, hooks):
        self.hooks, self.id = hooks, RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        """Unregister the hook (a second call does nothing)."""
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class Module(Casting, Registry):
    """Base class for every layer and model: subclass it, assign layers in ``__init__``,
    and write ``forward``.

    Example:
        >>> from nn import Linear
        >>> class MLP(Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc1, self.fc2 = Linear(4, 8), Linear(8, 2)
        ...     def forward(self, x):
        ...         return self.fc2(self.fc1(x).relu())
        >>> [name for name, _ in MLP().named_parameters()]
        ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    def __init__(self):
        super().__init__()
        d = self.__dict__
        d["training"] = True
        d["_forward_hooks"], d["_forward_pre_hooks"] = {}, {}
        d["_backward_hooks"] = {}

    def forward(self, *args, **kwargs):
        """Compute the output; every subclass defines it."""
        message = f"{type(self).__name__} has no forward(); define forward(self, ...) in it"
        raise NotImplementedError(message)  # abstract: every Module subclass defines forward

    def __call__(self, *args, **kwargs):
        with name_scope(self._scope_name or type(self).__name__):
            for hook in tuple(self._forward_pre_hooks.values()):
                new = hook(self, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
            backward_hooks = self.__dict__.get("_backward_hooks")
            if backward_hooks:
                args, call = wrap_inputs(self, args)
            out = self.forward(*args, **kwargs)
            for hook in tuple(self._forward_hooks.values()):
                new = hook(self, args, out)
                if new is not None:
                    out = new
            if backward_hooks:
                out = wrap_outputs(call, out)
        return out

    # -- modes and bulk operations --------------------------------------------------

    def train(self, mode=True):
        """Set training mode (True) or evaluation mode (False) here and in all descendants.

        Returns self.

        Example:
            >>> import nn
            >>> model = nn.Dropout(0.5).eval()
            >>> model.train().training, model.train(False).training
            (True, False)
        """
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be a bool, got {type(mode).__name__}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self):
        """Evaluation mode (same as ``train(False)``); returns self.

        Example:
            >>> import nn
            >>> from autograd import Tensor
            >>> model = nn.Dropout(0.5)
            >>> model.eval().training, model(Tensor([1.0, 2.0]))      # dropout off: identity
            (False, Tensor([1., 2.], dtype=float32))
        """
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad on every parameter (freeze with False); returns self.

        Example:
            >>> import nn
            >>> model = nn.Linear(2, 1).requires_grad_(False)
            >>> [p.requires_grad for p in model.parameters()]
            [False, False]
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's gradient: to None (default) or to zeros.

        Example:
            >>> import nn
            >>> from autograd import Tensor
            >>> model = nn.Linear(2, 1); model(Tensor([[3.0, 4.0]])).sum().backward()
            >>> model.weight.grad
            Tensor([[3., 4.]], dtype=float32)
            >>> model.zero_grad(); model.weight.grad is None
            True
        """
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            elif p.grad.grad_fn is None and p.grad.data.flags.writeable:
                p.grad.data[...] = 0
            else:
                p.grad = Tensor(np.zeros_like(p.data))

    def apply(self, fn):
        """Call ``fn(module)`` on every descendant (children first) and on self; returns self.

        Example:
            >>> import nn
            >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
            >>> _ = model.apply(lambda m: print(type(m).__name__))
            Linear
            ReLU
            Sequential
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # -- hooks --------------------------------------------------------------------

    def register_forward_pre_hook(self, hook):
        """Call ``hook(module, args)`` before forward; a non-None result replaces args.

        Example:
            >>> import nn
            >>> from autograd import Tensor
            >>> m = nn.ReLU()
            >>> h = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
            >>> m(Tensor([-1.0, 2.0]))                            # relu(2 * x)
            Tensor([0., 4.], dtype=float32)
        """
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook):
        """Call ``hook(module, args, output)`` after forward; a non-None result replaces output.

        Example:
            >>> import nn
            >>> from autograd import Tensor
            >>> m, acts = nn.ReLU(), []
            >>> h = m.register_forward_hook(lambda mod, args, out: acts.append(out))
            >>> _ = m(Tensor([-1.0, 2.0])); acts
            [Tensor([0., 2.], dtype=float32)]
        """
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when this module's input gradients
        are computed; a non-None result replaces ``grad_input``.

        ``grad_input`` has one entry per positional Tensor argument (None for
        those that need no gradient), ``grad_output`` one per Tensor output, as
        in PyTorch. Returns a handle whose ``remove()`` unregisters the hook.

        Example:
            >>> import nn
            >>> from autograd import Tensor
            >>> layer = nn.Linear(2, 1); _ = nn.init.constant_(layer.weight, 1.0)
            >>> h = layer.register_full_backward_hook(lambda m, gin, gout: print(gout, gin))
            >>> (layer(Tensor([[3.0, 4.0]], requires_grad=True)) * 5).sum().backward()
            (Tensor([[5.]], dtype=float32),) (Tensor([[5., 5.]], dtype=float32),)
        """
        if "_backward_hooks" not in self.__dict__:
            self.__dict__["_backward_hooks"] = {}
        hooks = self._backward_hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks_in_order = {handle.id: hook, **{k: v for k, v in hooks.items()
                                                  if k != handle.id}}
            hooks.clear()
            hooks.update(hooks_in_order)
        return handle

    def get_submodule(self, target):
        """The descendant module at the dotted path ``target`` ("" is self), as PyTorch.

        Example:
            >>> from nn import Linear, ReLU, Sequential
            >>> model = Sequential(Linear(2, 3), Sequential(ReLU(), Linear(3, 1)))
            >>> type(model.get_submodule("1.1")).__name__
            'Linear'
        """
        module = self
        if target == "":
            return module
        path = []
        for item in target.split("."):
            path.append(item)
            child = module._modules.get(item) if isinstance(module, Module) else None
            if child is None:
                where = ".".join(path[:-1]) or "the model"
                raise AttributeError(f"get_submodule({target!r}): {type(module).__name__} "
                                     f"({where}) has no submodule {item!r}")
            module = child
        return module

    # -- state --------------------------------------------------------------------

    def state_dict(self):
        """A flat dict: dotted name -> ndarray copy, for parameters and persistent buffers.

        Example:
            >>> import nn
            >>> _ = nn.manual_seed(0)
            >>> nn.Linear(2, 1).state_dict()
            {'weight': array([[ 0.19369307, -0.32557076]], dtype=float32),
             'bias': array([-0.64916146], dtype=float32)}
        """
        return {k: t.data.copy() for k, t in state_tensors(self).items()}

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays from ``state_dict`` into the parameters and buffers, all or nothing.

        Every key, shape and dtype is checked before anything changes; a
        problem raises one RuntimeError listing every mismatch. Missing and
        unexpected keys are errors unless ``strict=False``; wrong shapes always
        are. Returns ``(missing_keys, unexpected_keys)``.

        Example:
            >>> import nn
            >>> model, other = nn.Linear(2, 1), nn.Linear(2, 1)
            >>> model.load_state_dict(other.state_dict())
            IncompatibleKeys(missing_keys=[], unexpected_keys=[])
            >>> np.array_equal(model.weight.data, other.weight.data)
            True
        """
        return load_state_dict(self, state_dict, strict)

    # -- repr ---------------------------------------------------------------------

    def extra_repr(self):
        """The text between the parentheses of this module's repr (subclasses override it).

        Example:
            >>> import nn
            >>> nn.Linear(2, 3).extra_repr()
            'in_features=2, out_features=3, bias=True'
        """
        return ""

    def __repr__(self):
        n = sum(p.size for p in self.parameters())   # shared parameters counted once
        count = f"  # {n:,} param{'s' if n != 1 else ''}" if n else ""
        children = [(name, m) for name, m in self._modules.items() if m is not None]
        extra = self.extra_repr()
        if not children:
            return f"{type(self).__name__}({extra}){count}"
        lines = [f"{type(self).__name__}("] + ([f"  {extra}"] if extra else [])
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)" + count

