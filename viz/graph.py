"""Walk the autograd graph behind a tensor into nodes, edges and scope clusters.

No graphviz here: ``build_graph`` returns a ``GraphSpec`` (plain Python) that
viz.digraph turns into a picture, so the structure is testable on its own.

The graph lives in the tensors: ``t.grad_fn`` is the op that made ``t`` and
``t.grad_fn.inputs`` its positional arguments (tensors and constants). Both
survive a backward without ``retain_graph``, so a graph can be drawn after
``loss.backward()``; but backward frees the values of intermediate tensors it
no longer needs, leaving ReleasedTensors (shape, dtype, name, no values) in
their place unless they retain their gradient, which ``retain_grads`` asks for.
Leaves keep ``.grad``; an intermediate tensor keeps its gradient only if
``retain_grad()`` was called on it before backward, which is what
``retain_grads(root)`` does for the whole graph.

Which cluster a node is in: an op is in the name scope it was created in
(``grad_fn.scope``, e.g. "Sequential/0"), and so is the tensor it made. A
named parameter ("0.weight") joins the scope of the module that owns it
when an op of that module consumes it. Without ``params=``, a Parameter a
Module registered is named by its attribute ("weight", unless the user gave
it a ``Tensor.name``) and joins the scope its consumers share
("Sequential/0"). Other leaves (inputs, constants) are drawn outside every
cluster.
"""
import itertools

from autograd import ReleasedTensor, Tensor
from .colors import ColorScale
from .edgegrad import local_gradients
from .labels import constant_lines, magnitude, op_name, tensor_lines
from .names import (attribute_name, consumer_scope, module_types, owner_scope,
                    parameter_names, root_scope)

__all__ = ["Node", "Edge", "GraphSpec", "build_graph", "retain_grads", "walk", "as_node"]


class Node:
    """One node of a graph picture: a tensor, an op, a collapsed scope, or a "more" note.

    ``magnitude`` is the colouring value (mean |grad| by default; None when
    there is none), ``status`` one of "ok", "zero", "nonfinite", "none".

    Example:
        >>> spec = build_graph(Tensor(2.0, requires_grad=True) * 3)
        >>> [n.kind for n in spec.nodes.values()]
        ['tensor', 'op', 'tensor']
    """

    __slots__ = ("id", "kind", "label", "scope", "magnitude", "status", "tensor", "fn",
                 "members", "name")

    def __init__(self, id, kind, label, scope="", tensor=None, fn=None, name=None):
        self.id, self.kind, self.label, self.scope = id, kind, list(label), scope
        self.tensor, self.fn, self.name = tensor, fn, name
        self.magnitude, self.status, self.members = None, "none", None

    @property
    def title(self):
        """The first label line (the name or the op), for lookups and tests.

        Example:
            >>> build_graph(Tensor(2.0, requires_grad=True, name="a") * 3).find("a")[0].title
            'a'
        """
        return self.label[0] if self.label else ""

    def __repr__(self):
        return f"Node({self.id}, {self.kind}, {self.label!r}, scope={self.scope!r})"


class Edge:
    """A directed edge ``src -> dst`` (node ids), with an optional label (a local gradient).

    Example:
        >>> Edge("n0", "n1").label is None
        True
    """

    __slots__ = ("src", "dst", "label", "slot")

    def __init__(self, src, dst, label=None, slot=None):
        self.src, self.dst, self.label, self.slot = src, dst, label, slot

    def __repr__(self):
        return f"Edge({self.src} -> {self.dst}" + (f", {self.label!r})" if self.label else ")")


class GraphSpec:
    """The picture before drawing: ``nodes`` (id -> Node, in walk order), ``edges``, ``notes``.

    Example:
        >>> import nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        >>> spec = build_graph(model(Tensor([[1.0, 2.0]])).sum(), params=model); spec
        GraphSpec(9 nodes, 8 edges)
        >>> [spec.nodes[i].title for i in spec.clusters()["Sequential/0"]]
        ['(1, 2) float32', 'linear', '0.weight', '0.bias']
    """

    def __init__(self):
        self.nodes, self.edges, self.notes = {}, [], []
        self.scale = None
        self.color_by = "grad"
        self.roots = []
        self.scope_types = {}     # scope -> the class name of the module that made it

    def scope_title(self, scope):
        """The cluster title of ``scope``: its last part, with the module class if known.

        Example:
            >>> import nn
            >>> model = nn.Sequential(nn.Linear(2, 2))
            >>> spec = build_graph(model(Tensor([[1.0, 2.0]])), params=model)
            >>> spec.scope_title("Sequential/0"), spec.scope_title("Sequential")
            ('0: Linear', 'Sequential')
        """
        last = scope.rsplit("/", 1)[-1]
        kind = self.scope_types.get(scope)
        return f"{last}: {kind}" if kind and kind != last else last

    def add(self, node):
        """Add a node (its id must be new); returns it.

        Example:
            >>> spec = GraphSpec()
            >>> spec.add(Node("n0", "more", ["... 3 more nodes not drawn"]))
            Node(n0, more, ['... 3 more nodes not drawn'], scope='')
            >>> list(spec.nodes)
            ['n0']
        """
        self.nodes[node.id] = node
        return node

    def clusters(self):
        """scope -> ids of the nodes directly in it (not in its sub-scopes); every ancestor
        scope of a non-empty one is listed too (maybe with no direct nodes).

        Example:
            >>> from autograd import name_scope
            >>> x = Tensor([1.0], requires_grad=True)
            >>> with name_scope("block"), name_scope("layer1"):
            ...     h = (x * 2).relu()
            >>> build_graph(h + 1).clusters()
            {'block': [], 'block/layer1': ['n2', 'n3', 'n4', 'n5']}
        """
        out = {}
        for node in self.nodes.values():
            if node.scope:
                parts = node.scope.split("/")
                for k in range(1, len(parts)):
                    out.setdefault("/".join(parts[:k]), [])
                out.setdefault(node.scope, []).append(node.id)
        return out

    def members(self, scope):
        """Ids of every node inside ``scope``, its sub-scopes included.

        Example:
            >>> from autograd import name_scope
            >>> x = Tensor([1.0], requires_grad=True)
            >>> with name_scope("block"), name_scope("layer1"):
            ...     h = (x * 2).relu()
            >>> build_graph(h + 1).members("block")            # sub-scopes included
            ['n2', 'n3', 'n4', 'n5']
        """
        return [n.id for n in self.nodes.values()
                if n.scope == scope or n.scope.startswith(scope + "/")]

    def find(self, title, kind=None):
        """The nodes whose first label line is ``title`` (and whose kind is ``kind``, if given).

        Example:
            >>> spec = build_graph(Tensor([1.0], requires_grad=True) * 2 + 1)
            >>> spec.find("mul", kind="op")
            [Node(n3, op, ['mul', 'b=2'], scope='')]
        """
        return [n for n in self.nodes.values()
                if n.title == title and (kind is None or n.kind == kind)]

    def node_of(self, tensor):
        """The node drawn for ``tensor`` (KeyError if it is not in the picture).

        Example:
            >>> import nn
            >>> model = nn.Sequential(nn.Linear(2, 1))
            >>> spec = build_graph(model(Tensor([[1.0, 2.0]])), params=model)
            >>> spec.node_of(model[0].weight).title
            '0.weight'
        """
        for n in self.nodes.values():
            if n.tensor is tensor:
                return n
        raise KeyError(f"node_of: tensor of shape {tensor.shape} {tensor.dtype} is not in "
                       "this graph (it may have been collapsed into a scope node)")

    def __repr__(self):
        return f"GraphSpec({len(self.nodes)} nodes, {len(self.edges)} edges)"


def _roots(root):
    if isinstance(root, Tensor):
        return [root]
    if not isinstance(root, (list, tuple)):
        raise TypeError(f"draw_graph: expected a Tensor (or a list of Tensors) as root, got "
                        f"{type(root).__name__} ({root!r:.40}); pass the loss or output "
                        "tensor whose graph to draw")
    roots = list(root)
    for i, r in enumerate(roots):
        if not isinstance(r, Tensor):
            raise TypeError(f"draw_graph: expected a Tensor (or a list of Tensors) as root, "
                            f"got {type(r).__name__} at position {i}")
    return roots


def as_node(x):
    """The graph node for an op input: the Tensor, what backward left of it, or None.

    A ReleasedTensor whose Tensor is still alive (held elsewhere) is that Tensor.

    Example:
        >>> as_node(3.0) is None
        True
    """
    if isinstance(x, ReleasedTensor):
        live = x.tensor()
        return live if live is not None else x
    return x if isinstance(x, Tensor) else None


def walk(root):
    """Every tensor and op reachable from ``root`` (a Tensor or a list), each once.

    Returns ``(tensors, consumers)``: tensors in depth-first order from the
    root(s), and a dict tensor -> list of ops that take it as input.

    Example:
        >>> a = Tensor(2.0, requires_grad=True, name="a"); b = Tensor(3.0, name="b")
        >>> tensors, consumers = walk(a * b + a)
        >>> [t.name or t.grad_fn.name for t in tensors]
        ['Add', 'Mul', 'a', 'b']
        >>> consumers[a]
        [<Add backward>, <Mul backward>]
    """
    tensors, consumers, seen = [], {}, set()
    stack = list(reversed(_roots(root)))
    while stack:
        t = stack.pop()
        if t in seen:
            continue
        seen.add(t)
        tensors.append(t)
        fn = t.grad_fn
        if fn is None:
            continue
        for inp in reversed(fn.inputs):
            inp = as_node(inp)
            if inp is not None:
                consumers.setdefault(inp, []).append(fn)
                if inp not in seen:
                    stack.append(inp)
    return tensors, consumers


def retain_grads(root):
    """Call ``retain_grad()`` on every intermediate tensor behind ``root``; returns how many.

    Call it before ``backward()``: then every node of the picture has a
    gradient to show and to colour by, not only the leaves.

    Example:
        >>> x = Tensor([1.0, -2.0], requires_grad=True)
        >>> h = x * 3; loss = h.relu().sum()
        >>> retain_grads(loss)                             # h, relu(h), loss
        3
        >>> loss.backward(); h.grad
        Tensor([1., 0.], dtype=float32)
    """
    count = 0
    for t in walk(root)[0]:
        if isinstance(t, Tensor) and t.grad_fn is not None and t.requires_grad:
            t.retain_grad()
            count += 1
    return count


def _edge_number(v):
    return f"{float(v):.4g}"


def _measure(node, t, color_by):
    if isinstance(t, ReleasedTensor):
        node.magnitude, node.status = None, "none"
        return
    if color_by == "grad":
        source = t.grad.data if t.grad is not None else None
    elif color_by == "value":
        source = t.data
    else:
        return
    if source is None:
        node.magnitude, node.status = None, "none"
        return
    m = magnitude(source)
    node.magnitude = m
    node.status = "nonfinite" if m != m or m in (float("inf"), float("-inf")) else (
        "zero" if m == 0 else "ok")


def build_graph(root, *, params=None, show_values=True, show_grads=True, color_by="grad",
                edge_grads=False):
    """The GraphSpec of everything behind ``root``: a node per tensor and per op, edges
    input -> op -> output, scopes, magnitudes and the colour scale.

    See ``viz.draw_graph`` for the arguments; ``collapse`` and ``max_nodes``
    are applied afterwards by viz.collapse.

    Example:
        >>> a = Tensor(2.0, requires_grad=True, name="a")
        >>> spec = build_graph(a * a)
        >>> len(spec.nodes), len(spec.edges)      # a, mul, out; a -> mul twice, mul -> out
        (3, 3)
    """
    if color_by not in ("grad", "value", None):
        raise ValueError(f"draw_graph: color_by must be 'grad', 'value' or None, got {color_by!r}")
    names = parameter_names(params)
    model_scope = root_scope(params)
    tensors, consumers = walk(root)
    spec = GraphSpec()
    spec.color_by = color_by
    ids = {}
    counter = itertools.count()
    for t in tensors:
        attribute = None if t in names or t.grad_fn is not None else attribute_name(t)
        name = names.get(t) or t.name or attribute
        node = spec.add(Node(f"n{next(counter)}", "tensor",
                             tensor_lines(t, name, show_values, show_grads), tensor=t, name=name))
        ids[t] = node.id
        _measure(node, t, color_by)
        if t.grad_fn is not None:
            fn = t.grad_fn
            node.scope = getattr(fn, "scope", "") or ""
            op = spec.add(Node(f"n{next(counter)}", "op", [op_name(fn)] + constant_lines(fn),
                               scope=node.scope, fn=fn))
            ids[fn] = op.id
        elif name is not None and t in names and t in consumers:
            node.scope = owner_scope(name, [getattr(f, "scope", "") or "" for f in consumers[t]],
                                     model_scope)
        elif attribute is not None and t in consumers:
            node.scope = consumer_scope([getattr(f, "scope", "") or "" for f in consumers[t]])
    for t in tensors:
        fn = t.grad_fn
        if fn is None:
            continue
        local = local_gradients(fn) if edge_grads else None
        up = t.grad.data if t.grad is not None and t.ndim == 0 else None
        for slot, inp in enumerate(fn.inputs):
            inp = as_node(inp)
            if inp is not None:
                label = None
                if local is not None and local[slot] is not None:
                    label = _edge_number(local[slot])
                    if up is not None:
                        label += f" x {_edge_number(up)} = {_edge_number(local[slot] * up)}"
                spec.edges.append(Edge(ids[inp], ids[fn], label, slot))
        spec.edges.append(Edge(ids[fn], ids[t]))
    spec.roots = [ids[r] for r in _roots(root)]
    spec.scope_types = module_types(params, {n.scope for n in spec.nodes.values() if n.scope})
    spec.scale = ColorScale.fit(n.magnitude for n in spec.nodes.values())
    return spec
