"""Weight initialisation with PyTorch's names and formulas (torch.nn.init).

Every function fills a Tensor (usually a Parameter) in place, under
``no_grad()``, keeping its dtype and bumping its version counter, and returns
the same Tensor. Random draws come from ``generator=`` (a
``np.random.Generator``) or, by default, from nn's generator, which
``nn.parameter.manual_seed(seed)`` reseeds. Values are drawn in float64 and
then cast, so float32 and float64 tensors get the same numbers (rounded)
from the same seed.

Fans, for a weight of shape (out, in, *kernel) as Linear's and Conv2d's:
``fan_in = in * prod(kernel)``, ``fan_out = out * prod(kernel)``.
"""
import math

import numpy as np

from autograd import Tensor, no_grad
from .parameter import get_generator

__all__ = ["calculate_gain", "zeros_", "ones_", "constant_", "normal_", "uniform_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The recommended gain (std multiplier) for a nonlinearity, as PyTorch's.

    linear, conv and sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu:
    sqrt(2 / (1 + negative_slope**2)) with ``param`` the slope (default 0.01);
    selu: 3/4.

    Example:
        >>> calculate_gain("relu")
        1.4142135623730951
        >>> calculate_gain("leaky_relu", 0.2)
        1.3867504905630728
    """
    if nonlinearity in _LINEAR:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number; "
                             "pass an int or float such as 0.01")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; use one of "
                     f"{', '.join(_LINEAR)}, tanh, relu, leaky_relu, selu")


def _check(fname, tensor):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fname}: expected a Tensor (e.g. a Parameter), got "
                        f"{type(tensor).__name__}; wrap arrays with Tensor(...)")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel), as PyTorch computes them.

    Example:
        >>> _calculate_fan_in_and_fan_out(Tensor(np.zeros((16, 3, 5, 5))))
        (75, 400)
    """
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out can not be computed for a tensor with fewer than "
                         f"2 dimensions (got shape {shape}); weights are (out, in, *kernel)")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower() if isinstance(mode, str) else mode
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, values):
    with no_grad():
        tensor.copy_(values)
    return tensor


def _rng(generator):
    if generator is None:
        return get_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator must be a np.random.Generator (np.random.default_rng(seed)),"
                        f" got {type(generator).__name__}")
    return generator


def constant_(tensor, val):
    """Fill ``tensor`` with ``val`` in place; returns it.

    Example:
        >>> constant_(layer.bias, 0.1)
    """
    _check("constant_", tensor)
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill ``tensor`` with zeros in place; returns it.

    Example:
        >>> zeros_(layer.bias)
    """
    _check("zeros_", tensor)
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill ``tensor`` with ones in place; returns it.

    Example:
        >>> ones_(bn.weight)
    """
    _check("ones_", tensor)
    return _fill(tensor, 1)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill ``tensor`` in place with draws from U(a, b); returns it.

    Example:
        >>> uniform_(w, -0.1, 0.1, generator=np.random.default_rng(0))
    """
    _check("uniform_", tensor)
    if not a <= b:
        raise ValueError(f"uniform_: expected a <= b, got a={a}, b={b}")
    return _fill(tensor, _rng(generator).uniform(a, b, size=tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill ``tensor`` in place with draws from N(mean, std**2); returns it.

    Example:
        >>> normal_(w, std=0.01)      # CS231n's small random numbers
    """
    _check("normal_", tensor)
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(tensor, _rng(generator).normal(mean, std, size=tensor.shape))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)); in place.

    Example:
        >>> xavier_uniform_(layer.weight, gain=calculate_gain("tanh"))
    """
    _check("xavier_uniform_", tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out)) if fan_in + fan_out else 0.0
    bound = math.sqrt(3.0) * std
    return _fill(tensor, _rng(generator).uniform(-bound, bound, size=tensor.shape))


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    Example:
        >>> xavier_normal_(layer.weight)
    """
    _check("xavier_normal_", tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out)) if fan_in + fan_out else 0.0
    return _fill(tensor, _rng(generator).normal(0.0, std, size=tensor.shape))


def _kaiming_std(fname, tensor, a, mode, nonlinearity):
    _check(fname, tensor)
    if tensor.size == 0:
        return None                          # PyTorch: a no-op on zero-element tensors
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): U(-bound, bound), bound = gain * sqrt(3 / fan); in place.

    ``fan`` is fan_in (preserves the forward variance) or fan_out (the
    backward one); ``a`` is leaky_relu's negative slope (0: ReLU's gain
    sqrt(2)). Linear and Conv2d's default init is ``a=sqrt(5)``.

    Example:
        >>> kaiming_uniform_(layer.weight, nonlinearity="relu")
    """
    std = _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return _fill(tensor, _rng(generator).uniform(-bound, bound, size=tensor.shape))


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): N(0, std**2), std = gain / sqrt(fan); in place.

    Example:
        >>> kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    """
    std = _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return _fill(tensor, _rng(generator).normal(0.0, std, size=tensor.shape))
