"""Registry: the tree of parameters, buffers and child modules that Module is built on.

Assigning a Parameter or a Module to an attribute registers it (buffers are
registered with register_buffer); the traversal methods walk that tree and
name each member by its dotted path ("encoder.0.weight"). A child remembers
the attribute name it was assigned under: Module.__call__ uses it as the
name scope of the child's ops. A Parameter remembers it too
(``Parameter._attribute``): graph pictures label it with that name.
"""
import numpy as np

from autograd import Tensor
from .parameter import Parameter

__all__ = ["Registry"]


def _check_name(where, name):
    if not isinstance(name, str):
        raise TypeError(f"{where}: the name must be a str, got {type(name).__name__}")
    if not name or "." in name or "/" in name:
        raise KeyError(f"{where}: name {name!r} must be non-empty and contain no '.' or '/'")


class Registry:
    """Attribute bookkeeping and traversal for Module (use Module, not this class).

    Example:
        >>> from nn import Linear, Sequential
        >>> [name for name, _ in Sequential(Linear(2, 2)).named_parameters()]
        ['0.weight', '0.bias']
    """

    def __init__(self):
        d = self.__dict__
        d["_parameters"], d["_buffers"], d["_modules"] = {}, {}, {}
        d["_non_persistent"] = set()
        d["_scope_name"] = None

    # -- registration -------------------------------------------------------------

    def _check_init(self, where):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{where}: {type(self).__name__}.__init__ must call "
                                 "super().__init__() before assigning parameters or modules")

    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Parameter):
            self._check_init(f"cannot assign parameter {name!r}")
            self._forget(name)
            d["_parameters"][name] = value
            value._attribute = name
        elif isinstance(value, Registry):
            self._check_init(f"cannot assign module {name!r}")
            self._forget(name)
            d["_modules"][name] = value
            value.__dict__["_scope_name"] = name
        elif "_parameters" in d and name in d["_parameters"]:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} of "
                                f"{type(self).__name__} (Parameter or None expected); wrap it: "
                                "Parameter(value)")
            d["_parameters"][name] = None
        elif "_modules" in d and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r} "
                                f"of {type(self).__name__} (Module or None expected)")
            d["_modules"][name] = None
        elif "_buffers" in d and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} of "
                                f"{type(self).__name__} (Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        d = self.__dict__
        d.pop(name, None)
        for table in (d["_parameters"], d["_buffers"], d["_modules"]):
            table.pop(name, None)
        d["_non_persistent"].discard(name)

    def __getattr__(self, name):
        # Only called when normal lookup fails: look in the registries.
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if name in d.get(table, ()):
                del d[table][name]
                d["_non_persistent"].discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter, or None for an absent one) under ``name``.

        Example:
            >>> import nn
            >>> m = nn.Linear(2, 1); m.register_parameter("scale", Parameter(np.ones(1)))
            >>> [name for name, _ in m.named_parameters()]
            ['weight', 'bias', 'scale']
        """
        self._check_init("register_parameter")
        _check_name("register_parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got "
                            f"{type(param).__name__}; wrap it: Parameter(value)")
        if name in self.__dict__ and name not in self._parameters:
            raise KeyError(f"register_parameter: attribute {name!r} already exists")
        self._forget(name)
        self._parameters[name] = param
        if param is not None:
            param._attribute = name

    def register_buffer(self, name, tensor, persistent=True):
        """Register a non-learnable Tensor (e.g. running statistics) under ``name``.

        Buffers move with the module's state: persistent ones are in
        ``state_dict()``. An ndarray is wrapped in a Tensor (keeping its dtype).

        Example:
            >>> import nn
            >>> m = nn.Linear(2, 1); m.register_buffer("count", Tensor(np.zeros(())))
            >>> m.register_buffer("scratch", Tensor(np.zeros(2)), persistent=False)
            >>> [name for name, _ in m.named_buffers()], list(m.state_dict())
            (['count', 'scratch'], ['weight', 'bias', 'count'])
        """
        self._check_init("register_buffer")
        _check_name("register_buffer", name)
        if isinstance(tensor, np.ndarray):
            tensor = Tensor(tensor)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor, an ndarray or None, "
                            f"got {type(tensor).__name__}")
        if isinstance(tensor, Parameter):
            raise TypeError(f"register_buffer: {name!r} is a Parameter; use register_parameter")
        if name in self.__dict__ and name not in self._buffers:
            raise KeyError(f"register_buffer: attribute {name!r} already exists")
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        """Register ``module`` (or None) as a child under ``name``.

        Example:
            >>> import nn
            >>> seq = nn.Sequential(nn.Linear(8, 4)); seq.add_module("head", nn.Linear(4, 2))
            >>> [name for name, _ in seq.named_children()]
            ['0', 'head']
        """
        self._check_init("add_module")
        _check_name("add_module", name)
        if module is not None and not isinstance(module, Registry):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got "
                            f"{type(module).__name__}")
        if name in self.__dict__ and name not in self._modules:
            raise KeyError(f"add_module: attribute {name!r} already exists")
        self._forget(name)
        self._modules[name] = module
        if module is not None:
            module.__dict__["_scope_name"] = name

    # -- traversal ----------------------------------------------------------------

    def named_modules(self, memo=None, prefix=""):
        """Yield (dotted name, module) for self ("") and every descendant, each once.

        Example:
            >>> from nn import Linear, ReLU, Sequential
            >>> [n for n, _ in Sequential(Linear(2, 2), ReLU()).named_modules()]
            ['', '0', '1']
        """
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """Yield self and every descendant module, each once.

        Example:
            >>> from nn import Linear, ReLU, Sequential
            >>> model = Sequential(Linear(2, 2), ReLU(), Sequential(Linear(2, 1)))
            >>> [type(m).__name__ for m in model.modules()]
            ['Sequential', 'Linear', 'ReLU', 'Sequential', 'Linear']
        """
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        """Yield (name, module) for the direct children.

        Example:
            >>> from nn import Linear, ReLU, Sequential
            >>> model = Sequential(Linear(2, 2), ReLU(), Sequential(Linear(2, 1)))
            >>> [(name, type(m).__name__) for name, m in model.named_children()]
            [('0', 'Linear'), ('1', 'ReLU'), ('2', 'Sequential')]
        """
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        """Yield the direct child modules.

        Example:
            >>> from nn import Linear, ReLU, Sequential
            >>> len(list(Sequential(Linear(2, 2), ReLU()).children()))
            2
        """
        for _, child in self.named_children():
            yield child

    def _named_members(self, table, prefix, recurse):
        seen = set()
        items = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, module in items:
            for name, t in getattr(module, table).items():
                if t is None or id(t) in seen:
                    continue
                seen.add(id(t))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), t

    def named_parameters(self, prefix="", recurse=True):
        """Yield (dotted name, Parameter), each parameter once (shared ones under their first name).

        Example:
            >>> from nn import Linear
            >>> [n for n, _ in Linear(3, 2).named_parameters()]
            ['weight', 'bias']
        """
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse=True):
        """Yield every Parameter of self and (with recurse) its descendants, each once.

        Example:
            >>> from nn import Linear
            >>> sum(p.size for p in Linear(784, 512).parameters())
            401920
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True):
        """Yield (dotted name, buffer Tensor), persistent or not.

        Example:
            >>> from nn import BatchNorm1d
            >>> [n for n, _ in BatchNorm1d(3).named_buffers()]
            ['running_mean', 'running_var', 'num_batches_tracked']
        """
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse=True):
        """Yield every buffer Tensor.

        Example:
            >>> from nn import BatchNorm1d, Linear
            >>> list(BatchNorm1d(2).buffers())
            [Tensor([0., 0.], dtype=float32), Tensor([1., 1.], dtype=float32),
             Tensor(0, dtype=int64)]
            >>> list(Linear(2, 2).buffers())
            []
        """
        for _, b in self.named_buffers(recurse=recurse):
            yield b
