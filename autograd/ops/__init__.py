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

__all__ = ["add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "abs", "tanh",
           "sigmoid", "relu", "clip", "maximum", "minimum", "where", "astype",
           "sum", "mean", "var", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp",
           "reshape", "transpose", "swapaxes", "permute", "flatten", "squeeze", "unsqueeze",
           "expand", "getitem", "concatenate", "stack", "pad", "matmul", "softmax",
           "log_softmax", "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite",
           "all", "any", "allclose", "equal"]
