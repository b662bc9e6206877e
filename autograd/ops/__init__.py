"""Every op, grouped by kind; each is a Function (forward beside backward) plus a function.

The functions that take a tensor first are also Tensor methods (see
``autograd/methods.py``); the combining ones (``where``, ``concatenate``,
``stack``, ``pad``) are functions only.
"""
from .elementwise import (add, sub, mul, div, pow, neg, exp, log, sqrt, abs, tanh, sigmoid,
                          relu, clip, maximum, minimum, where, astype)
from .reduce import (sum, mean, var, max, min, amax, amin, argmax, argmin, logsumexp)
from .shape import (reshape, transpose, swapaxes, permute, flatten, squeeze, unsqueeze, expand,
                    getitem, concatenate, stack, pad)
from .linalg import matmul
from .softmax import softmax, log_softmax
from .compare import (eq, ne, lt, le, gt, ge, isnan, isinf, isfinite, all, any, allclose, equal)
from .unary import (sin, cos, tan, asin, acos, atan, sinh, cosh, log1p, expm1, log2, exp2,
                    square, sign, round, floor, ceil, erf, clamp)
from .index import gather, scatter, scatter_add, index_select, masked_fill
from .pieces import narrow, split, chunk, unbind, cat, concat
from .arrange import flip, roll, tril, triu, diag, repeat, tile
from .views import view, view_as, t, expand_as, clone, contiguous, meshgrid
from .products import mm, bmm, dot, outer, einsum
from .scan import cumsum, cumprod
from .stats import prod, std, norm
from .sorting import sort, argsort, topk, kthvalue, median, mode
from .logical import (logical_and, logical_or, logical_xor, logical_not, bitwise_and,
                      bitwise_or, bitwise_xor, bitwise_not)

__all__ = ["add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "abs", "tanh",
           "sigmoid", "relu", "clip", "maximum", "minimum", "where", "astype",
           "sum", "mean", "var", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp",
           "reshape", "transpose", "swapaxes", "permute", "flatten", "squeeze", "unsqueeze",
           "expand", "getitem", "concatenate", "stack", "pad", "matmul", "softmax",
           "log_softmax", "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite",
           "all", "any", "allclose", "equal",
           "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1",
           "log2", "exp2", "square", "sign", "round", "floor", "ceil", "erf", "clamp",
           "gather", "scatter", "scatter_add", "index_select", "masked_fill",
           "narrow", "split", "chunk", "unbind", "cat", "concat",
           "flip", "roll", "tril", "triu", "diag", "repeat", "tile",
           "view", "view_as", "t", "expand_as", "clone", "contiguous", "meshgrid",
           "mm", "bmm", "dot", "outer", "einsum", "cumsum", "cumprod", "prod", "std", "norm",
           "sort", "argsort", "topk", "kthvalue", "median", "mode", "logical_and", "logical_or",
           "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]
