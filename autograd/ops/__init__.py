"""Every op, grouped by kind; each is a Function (forward beside backward) plus a function.

Functions that take a tensor first are also Tensor methods (``x.exp()``); the
combining ones (``where``, ``concatenate``, ``stack``, ``pad``) are functions only.
"""
from .elementwise import (Add, Sub, Mul, Div, Pow, Neg, exp, log, sqrt, abs, tanh, sigmoid,
                          relu, clip, maximum, minimum, where, astype)
from .reduce import sum, mean, var, max, min, argmax, logsumexp
from .shape import (reshape, transpose, swapaxes, permute, flatten, squeeze, unsqueeze, expand,
                    getitem, concatenate, stack, pad)
from .linalg import matmul
from .softmax import softmax, log_softmax
from ..tensor import Tensor

METHODS = ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "clip", "maximum",
           "minimum", "astype", "sum", "mean", "var", "max", "min", "argmax", "logsumexp",
           "reshape", "transpose", "swapaxes", "permute", "flatten", "squeeze", "unsqueeze",
           "expand", "matmul", "softmax", "log_softmax"]

for _name in METHODS:
    setattr(Tensor, _name, globals()[_name])
