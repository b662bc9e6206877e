"""Names in a graph picture: parameter names, the module that owns a parameter, scope types.

A Module's ``named_parameters()`` gives dotted names ("0.weight",
"layers.1.bias"); ops record slash-separated name scopes ("Sequential/0",
"Net/1": a ModuleList's children push only their index). These helpers
connect the two without any hook in nn: by matching a parameter's module
path against the scopes of the ops that consume it.

Without such a mapping, a Parameter still carries the attribute name its
Module registered it under ("weight"; nn.Registry records it): the picture
labels it so and draws it in the scope of the ops that consume it
("Sequential/0"), which is the box of the module that owns it.
"""
from autograd import Tensor

__all__ = ["parameter_names", "attribute_name", "consumer_scope", "root_scope", "owner_scope",
           "module_types"]


def parameter_names(params):
    """A dict tensor -> name from a Module (its named_parameters), a mapping or (name, t) pairs.

    Example:
        >>> import nn
        >>> list(parameter_names(nn.Sequential(nn.Linear(2, 1))).values())
        ['0.weight', '0.bias']
        >>> w = Tensor([1.0]); parameter_names([("w", w)])[w]
        'w'
    """
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        pairs = list(params.named_parameters())
    elif hasattr(params, "items"):
        pairs = list(params.items())
    else:
        try:
            pairs = [tuple(p) for p in params]
        except TypeError:
            pairs = None
        if pairs is None or any(len(p) != 2 for p in pairs):
            raise TypeError("draw_graph: params must be a Module, a dict name -> Tensor or an "
                            f"iterable of (name, Tensor) pairs; got {type(params).__name__}")
    out = {}
    for name, t in pairs:
        if not isinstance(t, Tensor):
            raise TypeError(f"draw_graph: params[{name!r}] is a {type(t).__name__}, not a Tensor")
        out.setdefault(t, str(name))
    return out


def attribute_name(t):
    """The attribute name a Module registered Parameter ``t`` under ("weight"), else None.

    Example:
        >>> import nn
        >>> attribute_name(nn.Linear(2, 1).bias), attribute_name(Tensor([1.0]))
        ('bias', None)
    """
    name = getattr(t, "_attribute", None)
    return name if isinstance(name, str) and name else None


def consumer_scope(scopes):
    """Where to draw a parameter known by its attribute name alone: the deepest scope
    shared by the ops that consume it (unscoped consumers, e.g. a penalty added to
    the loss outside the model, are ignored), or "" when none is scoped.

    Example:
        >>> consumer_scope(["Sequential/0", ""]), consumer_scope(["Net/enc", "Net/dec"])
        ('Sequential/0', 'Net')
        >>> consumer_scope([""])
        ''
    """
    split = [s.split("/") for s in scopes if s]
    if not split:
        return ""
    common = split[0]
    for parts in split[1:]:
        k = 0
        while k < min(len(common), len(parts)) and common[k] == parts[k]:
            k += 1
        common = common[:k]
    return "/".join(common)


def root_scope(params):
    """The scope a Module's own ops are recorded in (its attribute name, else its class name).

    Example:
        >>> import nn
        >>> root_scope(nn.Sequential()), root_scope({"w": Tensor([1.0])})
        ('Sequential', None)
    """
    if not hasattr(params, "named_modules"):
        return None
    return getattr(params, "_scope_name", None) or type(params).__name__


def owner_scope(name, scopes, root=None):
    """The consumer scope that belongs to the module owning parameter ``name``, or "".

    The module path ("a.b" for "a.b.weight", prefixed by ``root``, the
    model's own scope) is matched against the end of each consumer scope,
    then ever shorter tails of it ("b"), since a ModuleList's children push
    only their index.

    Example:
        >>> owner_scope("0.weight", ["Sequential/0"]), owner_scope("w", ["layer1"])
        ('Sequential/0', '')
    """
    path = ([root] if root else []) + name.split(".")[:-1]
    while path:
        suffix = "/".join(path)
        for s in scopes:
            parts = s.split("/")
            for k in range(len(parts), 0, -1):
                head = "/".join(parts[:k])
                if head == suffix or head.endswith("/" + suffix):
                    return head
        path = path[1:]
    return ""


def module_types(params, scopes):
    """scope -> module class name, for a Module ``params`` (matched by its named_modules' paths).

    Example:
        >>> import nn
        >>> sorted(module_types(nn.Sequential(nn.Linear(2, 2)), {"Sequential/0"}).items())
        [('Sequential', 'Sequential'), ('Sequential/0', 'Linear')]
    """
    if not hasattr(params, "named_modules"):
        return {}
    modules = {path: type(m).__name__ for path, m in params.named_modules()}
    everything = set()
    for s in scopes:
        parts = s.split("/")
        everything.update("/".join(parts[:k]) for k in range(1, len(parts) + 1))
    out = {}
    for scope in everything:
        head, _, tail = scope.partition("/")
        path = tail.replace("/", ".")
        if path in modules and (path or head == root_scope(params)):
            out[scope] = modules[path]
        elif path:
            ends = [p for p in modules if p.endswith("." + path)]
            if len(ends) == 1:       # e.g. a ModuleList's child: scope "1", path "layers.1"
                out[scope] = modules[ends[0]]
    return out
