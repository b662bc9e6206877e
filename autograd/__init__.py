"""chainrule's autograd: a graph of Tensors, reverse-mode backprop, gradient checking.

Example:
    >>> from autograd import Tensor
    >>> x = Tensor(2.0, requires_grad=True)
    >>> y = x * x + x.tanh()
    >>> y.backward(); x.grad
    Tensor(4.070651, dtype=float32)
"""
__chainrule__ = "0.1.0"  # nn, optim and viz check for this name (HIPS autograd shares `autograd`)

from ._tensor import Tensor
from . import methods as _methods  # noqa: F401  (installs Tensor's methods and operators)
from .function import Function, FunctionCtx, ReleasedTensor
from .engine import backward, grad, record_backward, BackwardRecord, BackwardStep
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, name_scope,
                   detect_anomaly, is_anomaly_enabled, set_default_dtype, get_default_dtype)
from .grad_mode import inference_mode
from .factories import (tensor, zeros, ones, full, empty, eye, arange, linspace, zeros_like,
                        ones_like, full_like, empty_like, from_numpy)
from .random import (Generator, default_generator, manual_seed, seed, initial_seed,
                     get_rng_state, set_rng_state, rand, rand_like, randn, randn_like, randint,
                     randint_like, randperm, normal, bernoulli, multinomial)
from .device import device
from . import cuda
from .dtypes import (dtype, float16, half, float32, float, float64, double, int8, int16, short,
                     int32, int, int64, long, uint8, bool, complex64, complex128, is_tensor,
                     is_floating_point, numel)
from .ops import (add, sub, mul, div, pow, neg, exp, log, sqrt, abs, tanh, sigmoid, relu, clip,
                  maximum, minimum, where, astype, sum, mean, var, max, min, amax, amin, argmax,
                  argmin, logsumexp, reshape, transpose, swapaxes, permute, flatten, squeeze,
                  unsqueeze, expand, concatenate, stack, pad, matmul, softmax, log_softmax, eq, ne,
                  lt, le, gt, ge, isnan, isinf, isfinite, all, any, allclose, equal)
from .ops import (sin, cos, tan, asin, acos, atan, sinh, cosh, log1p, expm1, log2, exp2, square,
                  sign, round, floor, ceil, erf, clamp, gather, scatter, scatter_add,
                  index_select, masked_fill, narrow, split, chunk, unbind, cat, concat, flip,
                  roll, tril, triu, diag, repeat, tile, view, view_as, t, expand_as, clone,
                  contiguous, meshgrid, mm, bmm, dot, outer, einsum, cumsum, cumprod, prod, std,
                  norm, sort, argsort, topk, kthvalue, median, mode, logical_and, logical_or,
                  logical_xor, logical_not, bitwise_and, bitwise_or, bitwise_xor, bitwise_not)
from .gradcheck import numerical_grad, gradcheck, gradgradcheck, GradcheckError
from .compiled import compile, TraceError

__all__ = ["Tensor", "tensor", "Function", "FunctionCtx", "ReleasedTensor",
           "backward", "grad", "record_backward", "BackwardRecord", "BackwardStep",
           "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "name_scope",
           "detect_anomaly", "is_anomaly_enabled", "set_default_dtype", "get_default_dtype",
           "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "abs", "tanh",
           "sigmoid", "relu", "clip", "maximum", "minimum", "where", "astype", "sum", "mean",
           "var", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "reshape",
           "transpose", "swapaxes", "permute", "flatten", "squeeze", "unsqueeze", "expand",
           "concatenate", "stack", "pad", "matmul", "softmax", "log_softmax", "eq", "ne", "lt",
           "le", "gt", "ge", "isnan", "isinf", "isfinite", "all", "any", "allclose", "equal",
           "numerical_grad", "gradcheck", "gradgradcheck", "GradcheckError", "compile",
           "TraceError",
           "inference_mode", "zeros", "ones", "full", "empty", "eye", "arange", "linspace",
           "zeros_like", "ones_like", "full_like", "empty_like", "from_numpy",
           "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "rand", "rand_like", "randn", "randn_like",
           "randint", "randint_like", "randperm", "normal", "bernoulli", "multinomial",
           "device", "cuda", "dtype", "float16", "half", "float32", "float", "float64", "double",
           "int8", "int16", "short", "int32", "int", "int64", "long", "uint8", "bool",
           "complex64", "complex128", "is_tensor", "is_floating_point", "numel",
           "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1",
           "log2", "exp2", "square", "sign", "round", "floor", "ceil", "erf", "clamp",
           "gather", "scatter", "scatter_add", "index_select", "masked_fill", "narrow", "split",
           "chunk", "unbind", "cat", "concat", "flip", "roll", "tril", "triu", "diag", "repeat",
           "tile", "view", "view_as", "t", "expand_as", "clone", "contiguous", "meshgrid", "mm",
           "bmm", "dot", "outer", "einsum", "cumsum", "cumprod", "prod", "std", "norm", "sort",
           "argsort", "topk", "kthvalue", "median", "mode", "logical_and", "logical_or",
           "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]
