"""Everything a Tensor computes, in one table: each method and operator -> the op behind it.

``x.exp()`` is ``autograd.exp(x)``, ``x + y`` is ``autograd.add(x, y)``, and so on:
a Tensor method is the op function itself, taking the tensor first. The table is
installed on the class once, when ``autograd`` is imported; ``autograd/_tensor.py``
holds the rest of the class (data, gradient, graph links, in-place updates).
"""
from ._tensor import Tensor
from .ops import compare, elementwise, linalg, reduce, shape
from .ops.softmax import softmax, log_softmax

OPERATORS = {
    "__add__": elementwise.add,      "__radd__": elementwise.radd,
    "__sub__": elementwise.sub,      "__rsub__": elementwise.rsub,
    "__mul__": elementwise.mul,      "__rmul__": elementwise.rmul,
    "__truediv__": elementwise.div,  "__rtruediv__": elementwise.rdiv,
    "__pow__": elementwise.pow,      "__rpow__": elementwise.rpow,
    "__matmul__": linalg.matmul,     "__rmatmul__": linalg.rmatmul,
    "__neg__": elementwise.neg,      "__pos__": elementwise.positive,
    "__abs__": elementwise.abs,
    "__getitem__": shape.getitem,
    "__eq__": compare.eq, "__ne__": compare.ne, "__lt__": compare.lt,
    "__le__": compare.le, "__gt__": compare.gt, "__ge__": compare.ge,
}

METHODS = {
    # elementwise (autograd/ops/elementwise.py)
    "add": elementwise.add, "sub": elementwise.sub, "mul": elementwise.mul,
    "div": elementwise.div, "pow": elementwise.pow, "neg": elementwise.neg,
    "exp": elementwise.exp, "log": elementwise.log, "sqrt": elementwise.sqrt,
    "abs": elementwise.abs, "tanh": elementwise.tanh, "sigmoid": elementwise.sigmoid,
    "relu": elementwise.relu, "clip": elementwise.clip, "maximum": elementwise.maximum,
    "minimum": elementwise.minimum, "astype": elementwise.astype,
    # reductions (autograd/ops/reduce.py)
    "sum": reduce.sum, "mean": reduce.mean, "var": reduce.var, "max": reduce.max,
    "min": reduce.min, "amax": reduce.amax, "amin": reduce.amin, "argmax": reduce.argmax,
    "argmin": reduce.argmin, "logsumexp": reduce.logsumexp,
    # shapes and indexing (autograd/ops/shape.py)
    "reshape": shape.reshape, "transpose": shape.transpose, "swapaxes": shape.swapaxes,
    "permute": shape.permute, "flatten": shape.flatten, "squeeze": shape.squeeze,
    "unsqueeze": shape.unsqueeze, "expand": shape.expand,
    # linear algebra, softmax (autograd/ops/linalg.py, softmax.py)
    "matmul": linalg.matmul, "softmax": softmax, "log_softmax": log_softmax,
    # comparisons and tests, no gradient (autograd/ops/compare.py)
    "eq": compare.eq, "ne": compare.ne, "lt": compare.lt, "le": compare.le,
    "gt": compare.gt, "ge": compare.ge, "isnan": compare.isnan, "isinf": compare.isinf,
    "isfinite": compare.isfinite, "all": compare.all, "any": compare.any,
    "allclose": compare.allclose, "equal": compare.equal,
}

for _name, _op in {**OPERATORS, **METHODS}.items():
    setattr(Tensor, _name, _op)
