"""Activation functions, as functions (PyTorch's nn.functional names) and as modules.

All are built from autograd ops (so gradients of gradients work), except the
normal CDF inside the exact GELU, which is one small Function.

``inplace=True`` (relu, relu6, leaky_relu, elu, silu, hardtanh and their
modules, as in PyTorch) overwrites the input and returns it: while recording,
the input gets the new history, as PyTorch's in-place ops do (see
``autograd/inplace.py``: a leaf that requires grad is refused, as there).
"""
import math
from typing import NamedTuple

import numpy as np

from autograd import Function, Tensor, where, get_default_dtype
from autograd.inplace import replace_
from .arguments import choice, flag, number, tensor
from .module import Module
from .parameter import Parameter

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu", "silu", "softmax",
           "log_softmax", "relu6", "hardtanh", "softplus", "logsigmoid", "Sigmoid", "Tanh",
           "ReLU", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU", "Softmax", "LogSoftmax", "ReLU6",
           "Hardtanh", "Softplus", "LogSigmoid", "ActivationThresholds", "ACTIVATION_THRESHOLDS"]

_erfc = np.frompyfunc(math.erfc, 1, 1)      # math.erfc, elementwise: full double precision
_INV_SQRT2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _tensor(x, op, inplace=False):
    """The input of activation ``op`` as a Tensor (its ``inplace`` flag checked)."""
    flag(op, "inplace", inplace)
    return tensor(op, "input", x)


def _activate(x, compute, op, inplace):
    """``compute(x)``; with ``inplace=True``, ``x`` overwritten by it (recorded as PyTorch's
    in-place ops are) and returned."""
    x = _tensor(x, op, inplace)
    return replace_(x, compute, op + "_") if inplace else compute(x)


def _float(x, op):
    x = _tensor(x, op)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a float tensor, got shape {x.shape} {x.dtype}; "
                        "convert with .astype(np.float32)")
    return x


class NormalCDF(Function):
    """Phi(x) = P(Z <= x) for a standard normal Z, as 0.5 * erfc(-x / sqrt(2)).

    Written with erfc, not 1 + erf, so Phi keeps full relative precision in
    its far left tail (where GELU's output is tiny).

    Example:
        >>> NormalCDF.apply(Tensor([0.0]))
        Tensor([0.5], dtype=float32)
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        cdf = 0.5 * np.asarray(_erfc(x.data * -_INV_SQRT2), dtype=np.float64)
        return cdf.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors            # Tensors: recorded under create_graph
        return g * (x * x * -0.5).exp() * _INV_SQRT_2PI


def sigmoid(x):
    """Elementwise 1 / (1 + exp(-x)).

    Example:
        >>> sigmoid(Tensor([0.0]))
        Tensor([0.5], dtype=float32)
    """
    return _tensor(x, "sigmoid").sigmoid()


def tanh(x):
    """Elementwise hyperbolic tangent.

    Example:
        >>> tanh(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """
    return _tensor(x, "tanh").tanh()


def relu(x, inplace=False):
    """Elementwise max(x, 0); gradient 0 at x = 0 (as PyTorch). ``inplace``: see the module doc.

    Example:
        >>> relu(Tensor([-1.0, 2.0]))
        Tensor([0., 2.], dtype=float32)
    """
    return _activate(x, lambda t: t.relu(), "relu", inplace)


def leaky_relu(x, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x.

    Example:
        >>> leaky_relu(Tensor([-1.0, 2.0]), 0.1)
        Tensor([-0.1,  2. ], dtype=float32)
    """
    slope = number("leaky_relu", "negative_slope", negative_slope)
    return _activate(x, lambda t: where(t.data > 0, t, t * slope), "leaky_relu", inplace)


def prelu(x, weight):
    """x where x > 0, else weight * x; weight has 1 element (shared) or one per channel (dim 1).

    Example:
        >>> prelu(Tensor([[-1.0, -2.0]]), Tensor([0.25, 0.5]))
        Tensor([[-0.25, -1.  ]], dtype=float32)
    """
    x, weight = _tensor(x, "prelu"), tensor("prelu", "weight", weight)
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 1-d (num_parameters,) or one number, got "
                         f"shape {weight.shape} {weight.dtype}")
    n = weight.size
    if n == 1:
        w = weight.reshape(())
    elif x.ndim >= 2 and x.shape[1] == n:
        w = weight.reshape((n,) + (1,) * (x.ndim - 2))
    else:
        raise ValueError(f"prelu: {n} slopes need an input with {n} channels in dim 1, got "
                         f"shape {x.shape} {x.dtype}; use num_parameters=1 or "
                         f"num_parameters=<channels>")
    return where(x.data > 0, x, x * w)


def elu(x, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x) - 1).

    Example:
        >>> elu(Tensor([-1.0, 2.0]))
        Tensor([-0.632121,  2.      ], dtype=float32)
    """
    alpha = number("elu", "alpha", alpha)
    # exp of the clipped value: no overflow (and no 0 * inf in backward) for large x
    return _activate(x, lambda t: where(t.data > 0, t, (t.clip(None, 0).exp() - 1) * alpha),
                     "elu", inplace)


def gelu(x, approximate="none"):
    """x * Phi(x) with Phi the standard normal CDF (exact, via erf); or the tanh approximation.

    Example:
        >>> gelu(Tensor([1.0]))
        Tensor([0.841345], dtype=float32)
    """
    x = _tensor(x, "gelu")
    if x.dtype.kind == "c":                     # the normal CDF (erfc) is real-only
        raise TypeError(f"gelu: input must be real, got shape {x.shape} {x.dtype}")
    if choice("gelu", "approximate", approximate, ("none", "tanh")) == "none":
        return x * NormalCDF.apply(x)
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * 0.5 * (inner.tanh() + 1)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x, inplace=False):
    """x * sigmoid(x) (also called swish).

    Example:
        >>> silu(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """
    return _activate(x, lambda t: t * t.sigmoid(), "silu", inplace)


def hardtanh(x, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]; gradient 1 strictly inside, 0 elsewhere (as PyTorch).

    Example:
        >>> hardtanh(Tensor([-2.0, 0.5, 3.0]))
        Tensor([-1. ,  0.5,  1. ], dtype=float32)
    """
    min_val, max_val = number("hardtanh", "min_val", min_val), number("hardtanh", "max_val",
                                                                       max_val)
    if not min_val <= max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")

    def compute(t):
        inside = (t.data > min_val) & (t.data < max_val)
        return where(inside, t, Tensor(np.clip(t.data, min_val, max_val)))
    return _activate(x, compute, "hardtanh", inplace)


def relu6(x, inplace=False):
    """min(max(x, 0), 6): hardtanh(x, 0, 6).

    Example:
        >>> relu6(Tensor([-1.0, 3.0, 8.0]))
        Tensor([0., 3., 6.], dtype=float32)
    """
    return hardtanh(_tensor(x, "relu6", inplace), 0.0, 6.0, inplace)


def _softplus(z):
    """log(1 + exp(z)) without overflow, smooth everywhere (each branch on its own side)."""
    zp, zn = z.clip(0, None), z.clip(None, 0)
    positive = zp + ((-zp).exp() + 1).log()
    return where(z.data > 0, positive, (zn.exp() + 1).log())


def softplus(x, beta=1.0, threshold=20.0):
    """(1/beta) log(1 + exp(beta x)); x itself where beta x > threshold (as PyTorch).

    Example:
        >>> softplus(Tensor([0.0]))
        Tensor([0.693147], dtype=float32)
    """
    x = _float(x, "softplus")
    beta, threshold = number("softplus", "beta", beta), number("softplus", "threshold",
                                                               threshold)
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero (softplus divides by it)")
    z = x * beta if beta != 1 else x
    out = _softplus(z)
    if beta != 1:
        out = out * (1 / beta)
    return where(z.data > threshold, x, out)


def logsigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), without overflow.

    Example:
        >>> logsigmoid(Tensor([0.0]))
        Tensor([-0.693147], dtype=float32)
    """
    return -_softplus(-_float(x, "logsigmoid"))


def _inplace_repr(module):
    return "inplace=True" if module.inplace else ""


def _dim(op, dim):
    if dim is None:
        raise TypeError(f"{op}: pass dim=, the axis that sums to one (e.g. dim=1 for "
                        "(batch, classes) scores)")
    return dim


def softmax(x, dim):
    """exp(x) / sum(exp(x)) along ``dim``, stable for large inputs.

    Example:
        >>> softmax(Tensor([[1.0, 1.0]]), dim=1)
        Tensor([[0.5, 0.5]], dtype=float32)
    """
    return _tensor(x, "softmax").softmax(axis=_dim("softmax", dim))


def log_softmax(x, dim):
    """log(softmax(x)) along ``dim``, without overflow.

    Example:
        >>> log_softmax(Tensor([[0.0, 0.0]]), dim=1)
        Tensor([[-0.693147, -0.693147]], dtype=float32)
    """
    return _tensor(x, "log_softmax").log_softmax(axis=_dim("log_softmax", dim))


class Sigmoid(Module):
    """Module form of sigmoid.

    Example:
        >>> Sigmoid()(Tensor([0.0]))
        Tensor([0.5], dtype=float32)
    """

    def forward(self, x):
        return sigmoid(x)


class Tanh(Module):
    """Module form of tanh.

    Example:
        >>> Tanh()(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """

    def forward(self, x):
        return tanh(x)


class ReLU(Module):
    """Module form of relu (``inplace=True`` is accepted; see the module doc).

    Example:
        >>> ReLU(inplace=True)(Tensor([0.0, 1.0]))
        Tensor([0., 1.], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return relu(x, self.inplace)

    extra_repr = _inplace_repr


class LeakyReLU(Module):
    """Module form of leaky_relu(x, negative_slope).

    Example:
        >>> LeakyReLU(0.1)(Tensor([-1.0]))
        Tensor([-0.1], dtype=float32)
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return leaky_relu(x, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """leaky_relu with a learned slope: one shared (num_parameters=1) or one per channel.

    Example:
        >>> act = PReLU(num_parameters=3)
        >>> act.weight.shape, float(act.weight.data[0])
        ((3,), 0.25)
    """

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        if not isinstance(num_parameters, (int, np.integer)) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got "
                             f"{num_parameters!r}")
        self.num_parameters = int(num_parameters)
        self.weight = Parameter(np.full(self.num_parameters, init, dtype=get_default_dtype()))

    def forward(self, x):
        return prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """Module form of elu(x, alpha).

    Example:
        >>> ELU(alpha=2.0)(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x):
        return elu(x, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """Module form of gelu(x, approximate): exact erf form unless approximate='tanh'.

    Example:
        >>> GELU()(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """Module form of silu.

    Example:
        >>> SiLU()(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return silu(x, self.inplace)

    extra_repr = _inplace_repr


class Hardtanh(Module):
    """Module form of hardtanh(x, min_val, max_val).

    Example:
        >>> Hardtanh(-2.0, 2.0)(Tensor([-3.0, 1.0]))
        Tensor([-2.,  1.], dtype=float32)
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if not min_val <= max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) must not exceed max_val "
                             f"({max_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x):
        return hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class ReLU6(Module):
    """Module form of relu6: min(max(x, 0), 6).

    Example:
        >>> ReLU6()(Tensor([7.0]))
        Tensor([6.], dtype=float32)
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return relu6(x, self.inplace)

    extra_repr = _inplace_repr


class Softplus(Module):
    """Module form of softplus(x, beta, threshold).

    Example:
        >>> Softplus(beta=2.0)(Tensor([0.0]))
        Tensor([0.346574], dtype=float32)
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        if not beta > 0:
            raise ValueError(f"Softplus: beta must be positive, got {beta}")
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    """Module form of logsigmoid.

    Example:
        >>> LogSigmoid()(Tensor([0.0]))
        Tensor([-0.693147], dtype=float32)
    """

    def forward(self, x):
        return logsigmoid(x)


class Softmax(Module):
    """Module form of softmax(x, dim).

    Example:
        >>> Softmax(dim=1)(Tensor([[2.0, 2.0]]))
        Tensor([[0.5, 0.5]], dtype=float32)
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = _dim("Softmax", dim)

    def forward(self, x):
        return softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """Module form of log_softmax(x, dim).

    Example:
        >>> LogSoftmax(dim=1)(Tensor([[0.0, 0.0]]))
        Tensor([[-0.693147, -0.693147]], dtype=float32)
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = _dim("LogSoftmax", dim)

    def forward(self, x):
        return log_softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


# -- where each activation stops passing gradient: the training diagnostics' thresholds ---------

class ActivationThresholds(NamedTuple):
    """Where one activation passes (almost) no gradient back: the "saturated" and "dead" rules.

    ``asymptotes`` and ``saturated_within``: an output closer than
    ``saturated_within`` to an asymptote is saturated. ``active_above``: a unit
    (one element of a sample's output) whose output is never above it, over
    every batch seen, is dead. None: the activation has no such figure.

    Example:
        >>> ACTIVATION_THRESHOLDS["Tanh"].saturated_within
        0.01
    """
    asymptotes: tuple = None
    saturated_within: float = None
    active_above: float = None
    source: str = ""


_RECTIFIER = ("counted as ReLU's (never > 0), though the negative side still passes a small "
              "gradient: the figure says how much of the layer never reaches the linear side "
              "(CS231n, Neural Networks 1: leaky units are one attempt to fix dying ReLUs)")

# The one table behind the training diagnostics' "saturated" and "dead" figures: optim.checks
# (Diagnostics, ActivationStats) and viz (activation_stats, the report) both read it, so one
# model gets one figure. Keyed by the activation module's class name; GELU and SiLU are listed
# so that diagnostics watch them too (mean, std, histogram), though neither has a flat region.
ACTIVATION_THRESHOLDS = {
    "Sigmoid": ActivationThresholds(
        asymptotes=(0.0, 1.0), saturated_within=0.01,
        source="s < 0.01 or s > 0.99: there s' = s(1 - s) < 0.0099, under 4% of its peak 1/4; "
               "CS231n (Neural Networks 1): a sigmoid saturated at either tail has an almost "
               "zero local gradient and kills the signal; Glorot & Bengio (2010, sec. 3.1) saw "
               "the top sigmoid layer saturate at 0. The same margin as Tanh's."),
    "Tanh": ActivationThresholds(
        asymptotes=(-1.0, 1.0), saturated_within=0.01,
        source="|a| > 0.99: there tanh' = 1 - a^2 < 0.02, under 2% of its peak 1; Karpathy's "
               "makemore part 3 (Neural Networks: Zero to Hero, 2022) draws |h| > 0.99 as the "
               "flat tail where the gradient is destroyed (its printed 'saturated %' uses "
               "0.97); Glorot & Bengio (2010, sec. 3.2) saw tanh layers saturate at +-1."),
    "ReLU": ActivationThresholds(
        active_above=0.0,
        source="never > 0 on any example seen: no gradient ever flows through the unit "
               "(CS231n, Neural Networks 1: 'dead' units that never activate across the "
               "training data, as much as 40% of a network with a too-high learning rate)"),
    "LeakyReLU": ActivationThresholds(active_above=0.0, source=_RECTIFIER),
    "PReLU": ActivationThresholds(active_above=0.0, source=_RECTIFIER),
    "ELU": ActivationThresholds(active_above=0.0, source=_RECTIFIER),
    "GELU": ActivationThresholds(source="smooth, no flat region: no saturated or dead figure"),
    "SiLU": ActivationThresholds(source="smooth, no flat region: no saturated or dead figure"),
}
