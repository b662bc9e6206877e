"""Containers: Sequential (a chain of modules), ModuleList and ModuleDict (registered
collections of modules), ParameterList and ParameterDict (registered collections of
parameters)."""
import operator
from collections import OrderedDict
from collections.abc import Mapping

from autograd import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _index(where, idx, n):
    """A non-negative position for ``idx`` in a container of ``n`` items."""
    try:
        i = operator.index(idx)
    except TypeError:
        raise TypeError(f"{where}: indices must be integers or slices, got "
                        f"{type(idx).__name__}") from None
    if not -n <= i < n:
        raise IndexError(f"{where}: index {i} is out of range for {n} modules")
    return i % n


class Sequential(Module):
    """Modules applied one after another: ``Sequential(a, b)(x) == b(a(x))``.

    Takes modules as arguments (named "0", "1", ...) or one OrderedDict of
    name -> module. Supports ``len``, iteration, indexing and slicing (a
    slice is a new Sequential sharing the same modules).

    Example:
        >>> from nn import Linear, ReLU, Tanh
        >>> model = Sequential(Linear(784, 512), ReLU(), Linear(512, 10))
        >>> len(model), type(model[1]).__name__, len(model[:2])
        (3, 'ReLU', 2)
        >>> Sequential(ReLU(), Tanh())(Tensor([-1.0, 1.0]))        # tanh(relu(x))
        Tensor([0.      , 0.761594], dtype=float32)
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                if not isinstance(module, Module):
                    raise TypeError(f"Sequential: argument {i} is a {type(module).__name__}, "
                                    "not a Module")
                self.add_module(str(i), module)

    def forward(self, x):
        """Feed ``x`` through every module in order."""
        for module in self._modules.values():
            if module is not None:
                x = module(x)
        return x

    def __getitem__(self, idx):
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return Sequential(OrderedDict(items[idx]))
        return items[_index("Sequential", idx, len(items))][1]

    def __setitem__(self, idx, module):
        name = list(self._modules)[_index("Sequential", idx, len(self._modules))]
        self.add_module(name, module)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add ``module`` at the end; returns self.

        Example:
            >>> from nn import Linear, ReLU
            >>> Sequential(Linear(2, 2)).append(ReLU())
            Sequential(
              (0): Linear(in_features=2, out_features=2, bias=True)  # 6 params
              (1): ReLU()
            )  # 6 params
        """
        self.add_module(str(len(self)), module)
        return self


class _RegistryList(Module):
    """The list protocol of ModuleList and ParameterList over one of Module's registries
    (named by ``_registry``; entries registered as "0", "1", ...). Subclasses check or wrap a
    new entry (``_entry``) and register it (``_put``)."""

    _registry = None

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def _values(self):
        return list(getattr(self, self._registry).values())

    def __getitem__(self, idx):
        values = self._values()
        if isinstance(idx, slice):
            return type(self)(values[idx])
        return values[_index(type(self).__name__, idx, len(values))]

    def __setitem__(self, idx, value):
        self._put(str(_index(type(self).__name__, idx, len(self))), self._entry(value))

    def __len__(self):
        return len(getattr(self, self._registry))

    def __iter__(self):
        return iter(getattr(self, self._registry).values())

    def append(self, value):
        """Add an entry at the end; returns self.

        Example:
            >>> from nn import Linear
            >>> ModuleList().append(Linear(2, 2))
            ModuleList(
              (0): Linear(in_features=2, out_features=2, bias=True)  # 6 params
            )  # 6 params
        """
        self._put(str(len(self)), self._entry(value))
        return self

    def extend(self, values):
        """Append each entry of an iterable; returns self.

        Example:
            >>> from nn import Linear, ReLU
            >>> ModuleList().extend([Linear(2, 2), ReLU()])
            ModuleList(
              (0): Linear(in_features=2, out_features=2, bias=True)  # 6 params
              (1): ReLU()
            )  # 6 params
        """
        for value in values:
            self.append(value)
        return self


class ModuleList(_RegistryList):
    """A list of modules whose parameters are registered (a plain list would hide them).

    Has no forward: index or iterate it in your own forward.

    Example:
        >>> from nn import Linear
        >>> layers = ModuleList([Linear(4, 4) for _ in range(3)])
        >>> len(list(layers.parameters()))
        6
    """

    _registry = "_modules"

    def __init__(self, modules=None):           # torch's argument name
        super().__init__(modules)

    def _entry(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: expected a Module, got {type(module).__name__}")
        return module

    def _put(self, key, module):
        self.add_module(key, module)

    def insert(self, index, module):
        """Insert ``module`` before position ``index`` (renumbering the ones after).

        Example:
            >>> from nn import Linear, ReLU, Tanh
            >>> layers = ModuleList([Linear(4, 4), ReLU()])
            >>> layers.insert(1, Tanh()); [type(m).__name__ for m in layers]
            ['Linear', 'Tanh', 'ReLU']
        """
        mods = list(self._modules.values())
        index = max(0, min(len(mods), index + len(mods) if index < 0 else index))
        mods.insert(index, self._entry(module))
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)


def _pairs(where, items):
    """(key, value) pairs from a mapping or an iterable of pairs, as PyTorch's update()."""
    if isinstance(items, Mapping):
        return list(items.items())
    pairs = []
    for i, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"{where}.update: element {i} should be a (key, value) pair, got "
                            f"{type(item).__name__}")
        pairs.append(tuple(item))
    return pairs


class _RegistryDict(Module):
    """The dict protocol of ModuleDict and ParameterDict over one of Module's registries
    (``_modules`` or ``_parameters``, named by ``_registry``), keeping insertion order."""

    _registry = None

    def __init__(self, entries=None):
        super().__init__()
        if entries is not None:
            self.update(entries)

    def _store(self):
        return getattr(self, self._registry)

    def __getitem__(self, key):
        return self._store()[key]

    def __delitem__(self, key):
        del self._store()[key]

    def __len__(self):
        return len(self._store())

    def __iter__(self):
        return iter(self._store())

    def __contains__(self, key):
        return key in self._store()

    def keys(self):
        """The keys, in insertion order."""
        return self._store().keys()

    def values(self):
        """The entries (modules or parameters), in insertion order."""
        return self._store().values()

    def items(self):
        """(key, entry) pairs, in insertion order."""
        return self._store().items()

    def pop(self, key):
        """Remove ``key`` and return its entry.

        Example:
            >>> from nn import Linear
            >>> heads = ModuleDict({"cls": Linear(8, 3), "box": Linear(8, 4)})
            >>> heads.pop("box")
            Linear(in_features=8, out_features=4, bias=True)  # 36 params
            >>> list(heads)
            ['cls']
        """
        return self._store().pop(key)

    def clear(self):
        """Remove every entry."""
        self._store().clear()

    def update(self, entries):
        """Add (or replace) entries from a mapping or an iterable of (key, entry) pairs.

        Example:
            >>> from nn import Linear
            >>> heads = ModuleDict({"cls": Linear(8, 3)})
            >>> heads.update({"extra": Linear(8, 1)}); list(heads.keys())
            ['cls', 'extra']
        """
        for key, value in _pairs(type(self).__name__, entries):
            self[key] = value


class ModuleDict(_RegistryDict):
    """A dict of modules whose parameters are registered, keeping insertion order.

    Example:
        >>> from nn import Linear
        >>> heads = ModuleDict({"cls": Linear(8, 3), "box": Linear(8, 4)})
        >>> list(heads.keys()), len(list(heads.parameters()))
        (['cls', 'box'], 4)
    """

    _registry = "_modules"

    def __init__(self, modules=None):           # torch's argument name
        super().__init__(modules)

    def __setitem__(self, key, module):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict: {key!r} must be a Module, got {type(module).__name__}")
        self.add_module(key, module)


class ParameterList(_RegistryList):
    """A list of parameters registered with the module (names "0", "1", ...).

    Tensors that are not Parameters are wrapped in one, as PyTorch does.

    Example:
        >>> import numpy as np
        >>> ps = ParameterList([Parameter(np.zeros(2)) for _ in range(3)])
        >>> len(ps), [n for n, _ in ps.named_parameters()]
        (3, ['0', '1', '2'])
    """

    _registry = "_parameters"

    @staticmethod
    def _entry(value):
        if isinstance(value, Parameter) or value is None:
            return value
        if isinstance(value, Tensor):
            return Parameter(value.data)
        raise TypeError(f"ParameterList: expected a Parameter or Tensor, got "
                        f"{type(value).__name__}")

    def _put(self, key, value):
        self.register_parameter(key, value)

    def extra_repr(self):
        return "\n".join(f"({i}): Parameter containing: [{p.dtype} of size {p.shape}]"
                         for i, p in enumerate(self))


class ParameterDict(_RegistryDict):
    """A dict of parameters registered with the module, keeping insertion order.

    Example:
        >>> import numpy as np
        >>> pd = ParameterDict({"scale": Parameter(np.ones(3))})
        >>> [n for n, _ in pd.named_parameters()]
        ['scale']
    """

    _registry = "_parameters"

    def __init__(self, parameters=None):        # torch's argument name
        super().__init__(parameters)

    def __setitem__(self, key, value):
        self.register_parameter(key, ParameterList._entry(value))

    def get(self, key, default=None):
        """The parameter under ``key``, or ``default``."""
        return self._parameters.get(key, default)

    def extra_repr(self):
        return "\n".join(f"({k}): Parameter containing: [{p.dtype} of size {p.shape}]"
                         for k, p in self.items())
