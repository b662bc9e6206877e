"""Everything a Tensor computes, in one table: each method and operator -> the op behind it.

``x.exp()`` is ``autograd.exp(x)``, ``x + y`` is ``autograd.add(x, y)``, and so on:
a Tensor method is the op function itself, taking the tensor first. The table is
installed on the class once, when ``autograd`` is imported; ``autograd/_tensor.py``
holds the rest of the class (data, gradient, graph links, in-place updates).
"""
from ._tensor import Tensor
from .ops import compare, elementwise, linalg, reduce, shape
from .ops import arrange, index, logical, pieces, products, scan, sorting, stats, unary, views
from .ops.softmax import softmax, log_softmax
from . import casting, factories, inplace, random

OPERATORS = {
    "__add__": elementwise._add,     "__radd__": elementwise.radd,
    "__sub__": elementwise._sub,     "__rsub__": elementwise.rsub,
    "__mul__": elementwise._mul,     "__rmul__": elementwise.rmul,
    "__truediv__": elementwise._div, "__rtruediv__": elementwise.rdiv,
    "__pow__": elementwise.pow,      "__rpow__": elementwise.rpow,
    "__matmul__": linalg.matmul,     "__rmatmul__": linalg.rmatmul,
    "__neg__": elementwise.neg,      "__pos__": elementwise.positive,
    "__abs__": elementwise.abs,
    "__getitem__": shape.getitem,
    "__eq__": compare.eq, "__ne__": compare.ne, "__lt__": compare.lt,
    "__le__": compare.le, "__gt__": compare.gt, "__ge__": compare.ge,
    "__and__": logical.bitwise_and,  "__rand__": logical.rbitwise_and,
    "__or__": logical.bitwise_or,    "__ror__": logical.rbitwise_or,
    "__xor__": logical.bitwise_xor,  "__rxor__": logical.rbitwise_xor,
    "__invert__": logical.bitwise_not,
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
    # logical and bitwise, no gradient (autograd/ops/logical.py)
    "logical_and": logical.logical_and, "logical_or": logical.logical_or,
    "logical_xor": logical.logical_xor, "logical_not": logical.logical_not,
    "bitwise_and": logical.bitwise_and, "bitwise_or": logical.bitwise_or,
    "bitwise_xor": logical.bitwise_xor, "bitwise_not": logical.bitwise_not,
    # more elementwise functions (autograd/ops/unary.py)
    "sin": unary.sin, "cos": unary.cos, "tan": unary.tan, "asin": unary.asin,
    "acos": unary.acos, "atan": unary.atan, "sinh": unary.sinh, "cosh": unary.cosh,
    "log1p": unary.log1p, "expm1": unary.expm1, "log2": unary.log2, "exp2": unary.exp2,
    "square": unary.square, "sign": unary.sign, "round": unary.round, "floor": unary.floor,
    "ceil": unary.ceil, "erf": unary.erf, "clamp": unary.clamp,
    # indexing along a dim with index tensors (autograd/ops/index.py)
    "gather": index.gather, "scatter": index.scatter, "scatter_add": index.scatter_add,
    "index_select": index.index_select, "masked_fill": index.masked_fill,
    # pieces along a dim (autograd/ops/pieces.py)
    "narrow": pieces.narrow, "split": pieces.split, "chunk": pieces.chunk,
    "unbind": pieces.unbind,
    # rearranging elements (autograd/ops/arrange.py)
    "flip": arrange.flip, "roll": arrange.roll, "tril": arrange.tril, "triu": arrange.triu,
    "diag": arrange.diag, "repeat": arrange.repeat, "tile": arrange.tile,
    # PyTorch's names for shape changes and copies (autograd/ops/views.py)
    "view": views.view, "view_as": views.view_as, "t": views.t, "expand_as": views.expand_as,
    "clone": views.clone, "contiguous": views.contiguous,
    # products, running totals, more reductions, sorting (ops/products, scan, stats, sorting)
    "mm": products.mm, "bmm": products.bmm, "dot": products.dot, "outer": products.outer,
    "cumsum": scan.cumsum, "cumprod": scan.cumprod,
    "prod": stats.prod, "std": stats.std, "norm": stats.norm,
    "sort": sorting.sort, "argsort": sorting.argsort, "topk": sorting.topk,
    "kthvalue": sorting.kthvalue, "median": sorting.median, "mode": sorting.mode,
    # casting and devices (autograd/casting.py)
    "to": casting.to, "cpu": casting.cpu, "cuda": casting.cuda, "float": casting.float,
    "double": casting.double, "half": casting.half, "long": casting.long, "int": casting.int,
    "bool": casting.bool, "byte": casting.byte, "type": casting.type,
    "type_as": casting.type_as, "is_floating_point": casting.is_floating_point,
    "element_size": casting.element_size, "is_cuda": casting.is_cuda,
    # new tensors with this one's dtype (autograd/factories.py)
    "new_tensor": factories.new_tensor, "new_zeros": factories.new_zeros,
    "new_ones": factories.new_ones, "new_full": factories.new_full,
    "new_empty": factories.new_empty,
    # random draws with this tensor's probabilities (autograd/random.py)
    "bernoulli": random.bernoulli, "multinomial": random.multinomial,
    # in place, under the in-place rules of Tensor._inplace (autograd/inplace.py)
    "exp_": inplace.exp_, "relu_": inplace.relu_, "clamp_": inplace.clamp_, "clip_": inplace.clip_,
    "masked_fill_": inplace.masked_fill_, "normal_": inplace.normal_,
    "uniform_": inplace.uniform_,
}

for _name, _op in {**OPERATORS, **METHODS}.items():
    setattr(Tensor, _name, _op)
