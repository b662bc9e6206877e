"""Containers: Sequential (a chain of modules) and ModuleList (a registered list of them)."""
import operator
from collections import OrderedDict

from .module import Module

__all__ = ["Sequential", "ModuleList"]


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
        >>> model = Sequential(Linear(784, 512), ReLU(), Linear(512, 10))
        >>> len(model), type(model[1]).__name__, len(model[:2])
        (3, 'ReLU', 2)
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
            >>> Sequential(Linear(2, 2)).append(ReLU())
        """
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (a plain list would hide them).

    Has no forward: index or iterate it in your own forward.

    Example:
        >>> layers = ModuleList([Linear(4, 4) for _ in range(3)])
        >>> len(list(layers.parameters()))
        6
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _check(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: expected a Module, got {type(module).__name__}")
        return module

    def __getitem__(self, idx):
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            return ModuleList(mods[idx])
        return mods[_index("ModuleList", idx, len(mods))]

    def __setitem__(self, idx, module):
        self.add_module(str(_index("ModuleList", idx, len(self))), self._check(module))

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add ``module`` at the end; returns self.

        Example:
            >>> ModuleList().append(Linear(2, 2))
        """
        self.add_module(str(len(self)), self._check(module))
        return self

    def extend(self, modules):
        """Append each module of an iterable; returns self.

        Example:
            >>> ModuleList().extend([Linear(2, 2), ReLU()])
        """
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert ``module`` before position ``index`` (renumbering the ones after).

        Example:
            >>> layers.insert(0, Linear(4, 4))
        """
        mods = list(self._modules.values())
        index = max(0, min(len(mods), index + len(mods) if index < 0 else index))
        mods.insert(index, self._check(module))
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)
