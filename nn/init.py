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
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
           "orthogonal_", "trunc_normal_", "eye_"]

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
        >>> import nn
        >>> constant_(nn.Linear(2, 3).bias, 0.1)
        Parameter containing:
        Tensor([0.1, 0.1, 0.1], dtype=float32, requires_grad=True)
    """
    _check("constant_", tensor)
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill ``tensor`` with zeros in place; returns it.

    Example:
        >>> import nn
        >>> zeros_(nn.Linear(2, 3).bias)
        Parameter containing:
        Tensor([0., 0., 0.], dtype=float32, requires_grad=True)
    """
    _check("zeros_", tensor)
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill ``tensor`` with ones in place; returns it.

    Example:
        >>> ones_(Tensor(np.zeros((2, 2), np.float32)))
        Tensor([[1., 1.],
                [1., 1.]], dtype=float32)
    """
    _check("ones_", tensor)
    return _fill(tensor, 1)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill ``tensor`` in place with draws from U(a, b); returns it.

    Example:
        >>> uniform_(Tensor(np.zeros(3)), -0.1, 0.1, generator=np.random.default_rng(0))
        Tensor([ 0.027392, -0.046043, -0.091805], dtype=float64)
    """
    _check("uniform_", tensor)
    if not a <= b:
        raise ValueError(f"uniform_: expected a <= b, got a={a}, b={b}")
    return _fill(tensor, _rng(generator).uniform(a, b, size=tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill ``tensor`` in place with draws from N(mean, std**2); returns it.

    Example:
        >>> w = normal_(Tensor(np.zeros(10000)), mean=1.0, std=0.01,
        ...             generator=np.random.default_rng(0))
        >>> round(float(w.data.mean()), 3), round(float(w.data.std()), 4)
        (1.0, 0.01)
    """
    _check("normal_", tensor)
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(tensor, _rng(generator).normal(mean, std, size=tensor.shape))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)); in place.

    Example:
        >>> w = xavier_uniform_(Tensor(np.zeros((200, 100))), generator=np.random.default_rng(0))
        >>> round(float(np.abs(w.data).max()), 4), round(math.sqrt(6 / (100 + 200)), 4)
        (0.1414, 0.1414)
    """
    _check("xavier_uniform_", tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out)) if fan_in + fan_out else 0.0
    bound = math.sqrt(3.0) * std
    return _fill(tensor, _rng(generator).uniform(-bound, bound, size=tensor.shape))


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    Example:
        >>> w = xavier_normal_(Tensor(np.zeros((200, 100))), generator=np.random.default_rng(0))
        >>> round(float(w.data.std()), 4), round(math.sqrt(2 / (100 + 200)), 4)
        (0.0813, 0.0816)
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
        >>> w = kaiming_uniform_(Tensor(np.zeros((256, 512))), nonlinearity="relu",
        ...                      generator=np.random.default_rng(0))
        >>> round(float(np.abs(w.data).max()), 4), round(math.sqrt(2) * math.sqrt(3 / 512), 4)
        (0.1083, 0.1083)
    """
    std = _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return _fill(tensor, _rng(generator).uniform(-bound, bound, size=tensor.shape))


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): N(0, std**2), std = gain / sqrt(fan); in place.

    Example:
        >>> w = kaiming_normal_(Tensor(np.zeros((64, 32, 3, 3))), mode="fan_out",
        ...                     nonlinearity="relu", generator=np.random.default_rng(0))
        >>> round(float(w.data.std()), 4), round(math.sqrt(2 / (64 * 3 * 3)), 4)
        (0.0588, 0.0589)
    """
    std = _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return _fill(tensor, _rng(generator).normal(0.0, std, size=tensor.shape))


def eye_(tensor):
    """Fill a 2-d ``tensor`` with the identity matrix (ones on the diagonal), in place.

    Example:
        >>> eye_(Tensor(np.zeros((2, 3), dtype=np.float32))).data
        array([[1., 0., 0.],
               [0., 1., 0.]], dtype=float32)
    """
    _check("eye_", tensor)
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-d tensors are supported, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def orthogonal_(tensor, gain=1, generator=None):
    """Saxe et al. (2013): a (semi-)orthogonal matrix times ``gain``, in place.

    The tensor is viewed as (rows, cols) = (shape[0], prod(shape[1:])); the QR
    decomposition of a standard normal matrix, with the signs of R's diagonal
    folded into Q (so the result is uniformly distributed), as PyTorch does.
    Rows are orthonormal when rows <= cols, columns otherwise.

    Example:
        >>> w = orthogonal_(Tensor(np.zeros((3, 3))))
        >>> np.allclose(w.data @ w.data.T, np.eye(3), atol=1e-6)
        True
    """
    _check("orthogonal_", tensor)
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {tensor.shape}")
    if tensor.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.size // rows
    flat = _rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def _normal_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(mean, std**2) truncated to [a, b] (absolute bounds, as PyTorch), in place.

    Drawn by rejection: normal draws outside [a, b] are drawn again, which
    samples the truncated distribution exactly; an interval holding under
    0.1% of the probability is refused (it would take thousands of rounds).

    Example:
        >>> w = trunc_normal_(Tensor(np.zeros(1000)), std=0.02, a=-0.04, b=0.04)
        >>> bool(np.abs(w.data).max() <= 0.04)
        True
    """
    _check("trunc_normal_", tensor)
    if not std > 0 or not a < b:
        raise ValueError(f"trunc_normal_: need std > 0 and a < b, got std={std}, a={a}, b={b}")
    mass = _normal_cdf((b - mean) / std) - _normal_cdf((a - mean) / std)
    if mass < 1e-3:
        raise ValueError(f"trunc_normal_: [a, b] = [{a}, {b}] holds only {mass:.2g} of the "
                         f"probability of N({mean}, {std}**2); choose bounds nearer the mean")
    rng = _rng(generator)
    n = tensor.size
    out = np.empty(n)
    filled = 0
    while filled < n:
        want = n - filled
        draw = rng.normal(mean, std, size=int(want / mass * 1.1) + 16)
        draw = draw[(draw >= a) & (draw <= b)][:want]
        out[filled:filled + draw.size] = draw
        filled += draw.size
    return _fill(tensor, out.reshape(tensor.shape))
