"""chainrule's autograd: a graph of Tensors, reverse-mode backprop, gradient checking.

Example:
    >>> from autograd import Tensor
    >>> x = Tensor(2.0, requires_grad=True)
    >>> y = x * x + x.tanh()
    >>> y.backward(); x.grad
    Tensor(4.070651, dtype=float32)
"""
__chainrule__ = "0.1.0"  # nn, optim and viz check for this name (HIPS autograd shares `autograd`)

from ._tensor import Tensor, as_tensor
from . import methods as _methods  # noqa: F401  (installs Tensor's methods and operators)
from .function import Function, FunctionCtx, ReleasedTensor
from .engine import backward, grad, record_backward, BackwardRecord, BackwardStep
from .mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, name_scope,
                   detect_anomaly, is_anomaly_enabled, set_default_dtype, get_default_dtype)
from .factories import tensor
from .ops import (add, sub, mul, div, pow, neg, exp, log, sqrt, abs, tanh, sigmoid, relu, clip,
                  maximum, minimum, where, astype, sum, mean, var, max, min, amax, amin, argmax,
                  argmin, logsumexp, reshape, transpose, swapaxes, permute, flatten, squeeze,
                  unsqueeze, expand, concatenate, stack, pad, matmul, softmax, log_softmax, eq, ne,
                  lt, le, gt, ge, isnan, isinf, isfinite, all, any, allclose, equal)
from .gradcheck import numerical_grad, gradcheck, gradgradcheck, GradcheckError

__all__ = ["Tensor", "as_tensor", "tensor", "Function", "FunctionCtx", "ReleasedTensor",
           "backward", "grad", "record_backward", "BackwardRecord", "BackwardStep",
           "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "name_scope",
           "detect_anomaly", "is_anomaly_enabled", "set_default_dtype", "get_default_dtype",
           "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "abs", "tanh",
           "sigmoid", "relu", "clip", "maximum", "minimum", "where", "astype", "sum", "mean",
           "var", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "reshape",
           "transpose", "swapaxes", "permute", "flatten", "squeeze", "unsqueeze", "expand",
           "concatenate", "stack", "pad", "matmul", "softmax", "log_softmax", "eq", "ne", "lt",
           "le", "gt", "ge", "isnan", "isinf", "isfinite", "all", "any", "allclose", "equal",
           "numerical_grad", "gradcheck", "gradgradcheck", "GradcheckError"]
