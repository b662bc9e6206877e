"""Which of PyTorch's commonly used names chainrule has, under the import mapping.

``load_names()`` reads ``pytorch_names.txt`` (one section per tutorial
source); ``exists(name)`` says whether the name is there in chainrule after
the mapping: ``torch.nn.functional.relu`` is looked up as
``nn.functional.relu``, ``Tensor.view`` on a Tensor, ``Module.to`` on a
Module, and so on (see the file's header for the spellings).

Example:
    >>> exists("torch.nn.functional.relu"), exists("Tensor.view"), exists("torch.jit.script")
    (True, True, False)
"""
import importlib
from collections import Counter
from pathlib import Path

import numpy as np

from .rewrite import _map

__all__ = ["NAMES_FILE", "load_names", "exists", "lookup"]

NAMES_FILE = Path(__file__).parent / "pytorch_names.txt"


def load_names(path=NAMES_FILE):
    """``{source: [names]}`` in file order, and a Counter of how many sources use each name.

    Example:
        >>> sources, counts = load_names()
        >>> counts["torch.no_grad"] > 10
        True
    """
    sources, current = {}, None
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sources[current] = []
        else:
            if current is None:
                raise ValueError(f"{path}: names before the first [source] header: {line!r}")
            sources[current].extend(line.split())
    counts = Counter(name for names in sources.values() for name in dict.fromkeys(names))
    return sources, counts


def _resolve(dotted):
    """The object at chainrule's dotted path, importing submodules as needed (None if absent)."""
    parts = dotted.split(".")
    try:
        obj = importlib.import_module(parts[0])
    except ImportError:
        return None
    for i, part in enumerate(parts[1:], start=1):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        try:
            obj = importlib.import_module(".".join(parts[:i + 1]))
        except ImportError:
            return None
    return obj


def _instances():
    """One live object per spelling prefix (``Tensor``, ``Module``, ...), made fresh."""
    import autograd
    import nn
    import optim
    from nn.data import DataLoader, TensorDataset

    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    param = nn.Parameter(np.zeros(2))
    opt = optim.SGD([param], lr=0.1)
    seen = {}

    class Probe(autograd.Function):
        @staticmethod
        def forward(ctx, a):
            seen["ctx"] = ctx
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    Probe.apply(x)
    return {
        "Tensor": x,
        "Module": nn.Module(),
        "Optimizer": opt,
        "LRScheduler": optim.lr_scheduler.StepLR(opt, step_size=1),
        "DataLoader": DataLoader(TensorDataset(autograd.zeros(4, 2)), batch_size=2),
        "Node": (x * 2).grad_fn,
        "ctx": seen["ctx"],
    }


def lookup(name):
    """Where ``name`` is looked for in chainrule: a dotted path or 'Prefix instance'.

    Example:
        >>> lookup("torch.utils.data.DataLoader"), lookup("Tensor.size")
        ('nn.data.DataLoader', 'Tensor.size on an instance')
    """
    prefix, _, _ = name.partition(".")
    if prefix == "torch":
        return _map(name)
    return f"{name} on an instance"


def exists(name, instances=None):
    """True if ``name`` (a spelling of pytorch_names.txt) exists in chainrule under the mapping.

    Example:
        >>> exists("torch.optim.lr_scheduler.StepLR"), exists("Optimizer.param_groups")
        (True, True)
    """
    prefix, _, attr = name.partition(".")
    if prefix == "torch":
        return _resolve(_map(name)) is not None
    instances = _instances() if instances is None else instances
    if prefix not in instances:
        raise ValueError(f"{name!r}: unknown spelling {prefix!r}; use one of "
                         f"torch., {', '.join(k + '.' for k in instances)}")
    return hasattr(instances[prefix], attr)
