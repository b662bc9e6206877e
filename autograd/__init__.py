"""chainrule's autograd: a graph of Tensors, reverse-mode backprop, gradient checking.

Example:
    >>> from autograd import Tensor
    >>> x = Tensor(2.0, requires_grad=True)
    >>> y = x * x + x.tanh()
    >>> y.backward(); x.grad
"""
__chainrule__ = "0.1.0"  # nn, optim and viz check for this name (HIPS autograd shares `autograd`)
from .tensor import Tensor
from .function import Function
from .engine import backward, grad
from .mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, name_scope,
                   detect_anomaly, is_anomaly_enabled, set_default_dtype, get_default_dtype)
from .ops import (exp, log, sqrt, abs, tanh, sigmoid, relu, clip, maximum, minimum, where,
                  astype, sum, mean, var, max, min, argmax, logsumexp, reshape, transpose,
                  permute, swapaxes, flatten, squeeze, unsqueeze, expand, concatenate, stack, pad,
                  matmul, softmax, log_softmax)
from .gradcheck import numerical_grad, gradcheck, gradgradcheck, GradcheckError
