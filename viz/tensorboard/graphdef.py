"""chainrule's recorded graph as a TensorBoard GraphDef: one node per op and per leaf.

The walk is viz.graph's: from the root tensor(s) through ``grad_fn.inputs``.
Each op becomes a node named ``<scope>/<op>`` (``grad_fn.scope`` is the
chainrule name scope it was created in, e.g. "Sequential/0", so the graph
dashboard groups and collapses nodes by scope and module), with its input
edges, its output shape (``_output_shapes``), ``dtype``, its constant
arguments and the module class that made it (``module``). A parameter leaf is
named by its module path and joins its module's scope ("Sequential/0/weight",
placed as viz.names.owner_scope places it in the static picture); other
leaves are inputs ("input", or their ``name``).

Only ``shape``, ``dtype``, ``name`` and ``grad_fn`` of the walked tensors are
read (and ``requires_grad`` where present), so a graph can be written after
``backward()`` has dropped its values.
"""
import copy
import re

import numpy as np
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto import types_pb2
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef
from tensorboard.compat.tensorflow_stub import dtypes

from autograd import Tensor, enable_grad
from ..graph import as_node, walk
from ..labels import constant_lines, op_name
from ..names import (attribute_name, consumer_scope, module_types, owner_scope,
                     parameter_names, root_scope)

__all__ = ["graph_def", "run_model"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-/>]")


def clean_name(name):
    """A TensorBoard-safe node name: characters outside ``[A-Za-z0-9_.-/>]`` become "_".

    Example:
        >>> clean_name("sigmoid loss/mul")
        'sigmoid_loss/mul'
    """
    parts = [_UNSAFE.sub("_", p) for p in str(name).split("/") if p]
    return "/".join(parts) or "_"


class _Namer:
    """Unique node names; every scope group is reserved so no node shadows a group."""

    def __init__(self, scopes):
        self.taken = set()
        for s in scopes:
            parts = s.split("/")
            self.taken.update("/".join(parts[:k]) for k in range(1, len(parts) + 1))

    def take(self, name):
        base = clean_name(name)
        candidate, k = base, 1
        while candidate in self.taken:
            candidate, k = f"{base}_{k}", k + 1
        self.taken.add(candidate)
        return candidate


def _shape(t):
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in t.shape])


def _dtype(t):
    try:
        return dtypes.as_dtype(np.dtype(t.dtype)).as_datatype_enum
    except (TypeError, ValueError):
        return types_pb2.DT_INVALID


def _output_index(t):
    # Which output of a multi-output op ``t`` is (PyTorch's ``output_nr``; 0 for most ops).
    return getattr(t, "output_nr", getattr(t, "_output_nr", 0)) or 0


def _constants(fn):
    """The op's non-tensor arguments as attributes, formatted as viz.labels formats them."""
    masked = copy.copy(fn)              # the graph's tensors masked, so only constants remain
    masked.inputs = tuple(None if as_node(x) is not None else x for x in fn.inputs)
    attrs = {}
    for i, line in enumerate(constant_lines(masked)):
        key, eq, value = line.partition("=")
        key, value = (key, value) if eq else (f"arg{i}", line)
        attrs[clean_name(key).replace("/", "_")] = AttrValue(s=value.encode("utf-8"))
    return attrs


def _roots(root):
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("add_graph: no root tensor given; pass the Tensor whose graph to write "
                         "(or a Module with input_to_model)")
    return roots


def _key(t):
    """One node per op (all its outputs) and one per leaf."""
    return id(t.grad_fn) if t.grad_fn is not None else id(t)


def _forward_order(roots, tensors):
    """The walked tensors in forward order (every input before the ops that read it)."""
    by_id = {id(t): t for t in tensors}
    order, done, stack = [], set(), [(r, False) for r in reversed(roots)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in done:
            continue
        done.add(id(t))
        stack.append((t, True))
        if t.grad_fn is not None:
            inputs = [as_node(x) for x in reversed(t.grad_fn.inputs)]
            stack += [(by_id[id(x)], False) for x in inputs
                      if id(x) in by_id and id(x) not in done]
    return order


def _scope(fn):
    return getattr(fn, "scope", "") or ""


def graph_def(root, params=None):
    """The GraphDef of everything behind ``root`` (a Tensor or a list of Tensors).

    ``params``: the Module (or dict name -> Tensor) whose parameters to name
    by module path; without it a Parameter is named by the attribute its Module
    registered it under, in the scope of its consumers ("Sequential/0/weight"
    either way for a Sequential). An op with several outputs is one node; its
    k-th output is read as "name:k".

    Example:
        >>> import nn
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
        >>> g = graph_def(model(Tensor(np.ones((4, 2)))), params=model)
        >>> [n.name for n in g.node if n.name.startswith("Sequential/0")]
        ['Sequential/0/weight', 'Sequential/0/bias', 'Sequential/0/linear']
    """
    roots = _roots(root)
    tensors, consumers = walk(roots)
    known = {id(t) for t in tensors}
    param_names = {id(t): n for t, n in parameter_names(params).items()}
    model_scope = root_scope(params)
    fn_scopes = {_scope(t.grad_fn) for t in tensors if t.grad_fn is not None} - {""}
    types = module_types(params, fn_scopes)
    namer = _Namer({clean_name(s) for s in fn_scopes})
    groups = {}                                   # node key -> its tensors, in forward order
    for t in _forward_order(roots, tensors):
        groups.setdefault(_key(t), []).append(t)
    names = {}
    for key, members in groups.items():
        t = members[0]
        if t.grad_fn is not None:
            names[key] = namer.take(f"{_scope(t.grad_fn)}/{op_name(t.grad_fn)}")
        elif id(t) in param_names:
            pname = param_names[id(t)]
            owner = owner_scope(pname, [_scope(f) for f in consumers.get(t, [])], model_scope)
            names[key] = namer.take(f"{owner}/{pname.rsplit('.', 1)[-1]}" if owner else
                                    "/".join([model_scope or ""] + pname.split(".")))
        elif attribute_name(t) is not None:     # a Parameter, named by its attribute
            owner = consumer_scope([_scope(f) for f in consumers.get(t, [])])
            attr = t.name or attribute_name(t)
            names[key] = namer.take(f"{owner}/{attr}" if owner else attr)
        else:
            names[key] = namer.take(t.name or "input")
    def ref(x):
        k = _output_index(x) if x.grad_fn is not None else 0
        return names[_key(x)] + (f":{k}" if k else "")

    nodes = []
    for key, members in groups.items():
        t, fn = members[0], members[0].grad_fn
        outputs = {}
        for m in members:
            outputs.setdefault(_output_index(m) if fn is not None else 0, m)
        outputs = [outputs[k] for k in sorted(outputs)]
        attrs = {"_output_shapes": AttrValue(list=AttrValue.ListValue(
                     shape=[_shape(o) for o in outputs])),
                 "dtype": AttrValue(type=_dtype(t))}
        if t.name:
            attrs["tensor_name"] = AttrValue(s=str(t.name).encode("utf-8"))
        if fn is None:
            kind = ("Parameter" if id(t) in param_names or attribute_name(t) is not None else
                    "Variable" if getattr(t, "requires_grad", False) else "Input")
            nodes.append(NodeDef(name=names[key], op=kind, attr=attrs))
            continue
        if _scope(fn) in types:
            attrs["module"] = AttrValue(s=types[_scope(fn)].encode("utf-8"))
        attrs.update(_constants(fn))
        inputs = [ref(x) for x in map(as_node, fn.inputs) if x is not None and id(x) in known]
        nodes.append(NodeDef(name=names[key], op=type(fn).__name__, input=inputs, attr=attrs))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))


def run_model(model, input_to_model):
    """Run ``model`` on ``input_to_model`` with grad recording on; returns its output tensors.

    ``input_to_model``: a Tensor or ndarray, or a tuple/list of them (one per
    forward argument). The output may be a Tensor or a tuple/list of Tensors.

    Example:
        >>> import nn
        >>> out = run_model(nn.Linear(2, 1), np.ones((3, 2)))[0]
        >>> out.shape, out.grad_fn.name                       # recorded, ready for graph_def
        ((3, 1), 'LinearFunction')
    """
    if input_to_model is None:
        raise ValueError(f"add_graph: a Module ({type(model).__name__}) needs input_to_model, "
                         "the input to run it on (a Tensor, an ndarray or a tuple of them)")
    args = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
    args = [a if isinstance(a, Tensor) else Tensor(np.asarray(a)) for a in args]
    with enable_grad():
        out = model(*args)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"add_graph: {type(model).__name__}'s output {i} is a "
                            f"{type(o).__name__}, not a Tensor; add_graph writes the graph "
                            "behind Tensor outputs")
    return outs
