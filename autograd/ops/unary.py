"""More elementwise functions of one tensor: trigonometric and hyperbolic, log/exp variants,
square, rounding, sign, erf, and clamp.

As in PyTorch, integer inputs to a floating function (sin, log2, erf, ...)
give the default float dtype; rounding an integer tensor keeps it. At kinks
PyTorch's choices: sign, round, floor and ceil have zero gradient
everywhere; clamp passes the gradient where ``min <= x <= max`` (bounds
included) and, for tensor bounds, to a bound where the result is that bound.

Example:
    >>> x = Tensor([0.0, 0.5], requires_grad=True)
    >>> sin(x).sum().backward(); x.grad
    Tensor([1.      , 0.877583], dtype=float32)
"""
import math

import numpy as np

from ..function import Function
from ..function import data_of as _d
from .. import function as generic
from .._tensor import Tensor, tensor_arg
from ..grad_mode import get_default_dtype

__all__ = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1",
           "log2", "exp2", "square", "sign", "round", "floor", "ceil", "erf", "clamp"]

_LN2 = math.log(2.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _floating(x):
    """x's values, integers and bools as the default float dtype (PyTorch's promotion)."""
    d = x.data
    return d if d.dtype.kind in "fc" else d.astype(get_default_dtype())


def _both(op, ufunc):
    """``op`` on a Tensor (recorded under create_graph), ``ufunc`` on an ndarray."""
    return lambda v: op(v) if isinstance(v, Tensor) else ufunc(v)


class _Unary(Function):
    """y = f(x) elementwise; ``derivative(x, y)`` is dy/dx, written with operators."""
    array_backward = True
    saves_output = True
    ufunc = None

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        return cls.ufunc(_floating(x))

    @classmethod
    def backward(cls, ctx, g):
        x, = ctx.saved_tensors
        return g * cls.derivative(x, ctx.output)


class Sin(_Unary):
    ufunc = staticmethod(np.sin)
    derivative = staticmethod(lambda x, y: _cos(x))


class Cos(_Unary):
    ufunc = staticmethod(np.cos)
    derivative = staticmethod(lambda x, y: -_sin(x))


class Tan(_Unary):
    ufunc = staticmethod(np.tan)
    derivative = staticmethod(lambda x, y: 1 + y * y)


class Asin(_Unary):
    ufunc = staticmethod(np.arcsin)
    derivative = staticmethod(lambda x, y: (1 - x * x) ** -0.5)


class Acos(_Unary):
    ufunc = staticmethod(np.arccos)
    derivative = staticmethod(lambda x, y: -(1 - x * x) ** -0.5)


class Atan(_Unary):
    ufunc = staticmethod(np.arctan)
    derivative = staticmethod(lambda x, y: 1 / (1 + x * x))


class Sinh(_Unary):
    ufunc = staticmethod(np.sinh)
    derivative = staticmethod(lambda x, y: _cosh(x))


class Cosh(_Unary):
    ufunc = staticmethod(np.cosh)
    derivative = staticmethod(lambda x, y: _sinh(x))


class Log1p(_Unary):
    ufunc = staticmethod(np.log1p)
    derivative = staticmethod(lambda x, y: 1 / (1 + x))


class Expm1(_Unary):
    ufunc = staticmethod(np.expm1)
    derivative = staticmethod(lambda x, y: y + 1)


class Log2(_Unary):
    ufunc = staticmethod(np.log2)
    derivative = staticmethod(lambda x, y: 1 / (x * _LN2))


class Exp2(_Unary):
    ufunc = staticmethod(np.exp2)
    derivative = staticmethod(lambda x, y: y * _LN2)


class Square(_Unary):
    ufunc = staticmethod(np.square)
    derivative = staticmethod(lambda x, y: 2 * x)


def _erf_values(a):
    # math.erf elementwise: full double precision (NumPy has no erf)
    return np.vectorize(math.erf, otypes=[np.float64])(a).astype(a.dtype, copy=False)


class Erf(_Unary):
    ufunc = staticmethod(_erf_values)
    derivative = staticmethod(lambda x, y: _TWO_OVER_SQRT_PI * generic.exp(-(x * x)))


class _Flat(Function):
    """A piecewise-constant function: its gradient is zero wherever it is defined (PyTorch)."""
    array_backward = True
    ufunc = None

    @classmethod
    def forward(cls, ctx, x, *extra):
        if x.dtype.kind in "iub":
            return x.data.copy()          # rounding or the sign of an integer: itself
        return cls.ufunc(x.data, *extra)

    @staticmethod
    def backward(ctx, g):
        return (g * 0,) + (None,) * (len(ctx.inputs) - 1)


class Sign(_Flat):
    ufunc = staticmethod(np.sign)

    @classmethod
    def forward(cls, ctx, x):
        if x.dtype.kind == "b":
            return x.data.copy()
        return np.sign(x.data)


class Round(_Flat):
    ufunc = staticmethod(np.round)      # halves to even, as PyTorch


class Floor(_Flat):
    ufunc = staticmethod(np.floor)


class Ceil(_Flat):
    ufunc = staticmethod(np.ceil)


class Clamp(Function):
    """x limited to [lo, hi]; bounds are numbers, arrays, Tensors or None."""
    array_backward = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        xd, lo_d, hi_d = x.data, _d(lo), _d(hi)
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside = inside & (xd >= lo_d)
        if hi is not None:
            inside = inside & (xd <= hi_d)
        ctx.inside = inside
        # where the result is a tensor bound, that bound gets the gradient (PyTorch's rule)
        if isinstance(lo, Tensor):
            ctx.at_lo = (xd < lo_d) & ((lo_d < hi_d) if hi is not None else True)
        if isinstance(hi, Tensor):
            ctx.at_hi = (xd > hi_d) | ((hi_d < lo_d) if lo is not None else False)
        try:
            out = np.clip(xd, lo_d, hi_d)
        except ValueError as e:
            raise ValueError(f"clamp: bounds do not broadcast with shape {x.shape} {x.dtype}: "
                             f"min {np.shape(lo_d)}, max {np.shape(hi_d)} ({e})") from None
        return out if isinstance(lo, Tensor) or isinstance(hi, Tensor) \
            else out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        need_x, need_lo, need_hi = ctx.needs_input_grad
        return (g * ctx.inside if need_x else None,
                g * ctx.at_lo if need_lo else None,
                g * ctx.at_hi if need_hi else None)


_sin = _both(lambda v: Sin.apply(v), np.sin)
_cos = _both(lambda v: Cos.apply(v), np.cos)
_sinh = _both(lambda v: Sinh.apply(v), np.sinh)
_cosh = _both(lambda v: Cosh.apply(v), np.cosh)


def sin(x):
    """Elementwise sine.

    Example:
        >>> sin(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """
    return Sin.apply(tensor_arg(x, "sin"))


def cos(x):
    """Elementwise cosine.

    Example:
        >>> cos(Tensor([0.0]))
        Tensor([1.], dtype=float32)
    """
    return Cos.apply(tensor_arg(x, "cos"))


def tan(x):
    """Elementwise tangent.

    Example:
        >>> tan(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """
    return Tan.apply(tensor_arg(x, "tan"))


def asin(x):
    """Elementwise arcsine (NaN outside [-1, 1]).

    Example:
        >>> asin(Tensor([1.0]))
        Tensor([1.570796], dtype=float32)
    """
    return Asin.apply(tensor_arg(x, "asin"))


def acos(x):
    """Elementwise arccosine (NaN outside [-1, 1]).

    Example:
        >>> acos(Tensor([1.0]))
        Tensor([0.], dtype=float32)
    """
    return Acos.apply(tensor_arg(x, "acos"))


def atan(x):
    """Elementwise arctangent.

    Example:
        >>> atan(Tensor([1.0]))
        Tensor([0.785398], dtype=float32)
    """
    return Atan.apply(tensor_arg(x, "atan"))


def sinh(x):
    """Elementwise hyperbolic sine.

    Example:
        >>> sinh(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """
    return Sinh.apply(tensor_arg(x, "sinh"))


def cosh(x):
    """Elementwise hyperbolic cosine.

    Example:
        >>> cosh(Tensor([0.0]))
        Tensor([1.], dtype=float32)
    """
    return Cosh.apply(tensor_arg(x, "cosh"))


def log1p(x):
    """Elementwise log(1 + x), accurate for small x.

    Example:
        >>> log1p(Tensor([1e-10], dtype="float64")).item() / 1e-10
        0.99999999995
    """
    return Log1p.apply(tensor_arg(x, "log1p"))


def expm1(x):
    """Elementwise e**x - 1, accurate for small x.

    Example:
        >>> expm1(Tensor([1e-10], dtype="float64")).item()
        1.00000000005e-10
    """
    return Expm1.apply(tensor_arg(x, "expm1"))


def log2(x):
    """Elementwise base-2 logarithm.

    Example:
        >>> log2(Tensor([8.0]))
        Tensor([3.], dtype=float32)
    """
    return Log2.apply(tensor_arg(x, "log2"))


def exp2(x):
    """Elementwise 2**x.

    Example:
        >>> exp2(Tensor([3.0]))
        Tensor([8.], dtype=float32)
    """
    return Exp2.apply(tensor_arg(x, "exp2"))


def square(x):
    """Elementwise x * x.

    Example:
        >>> square(Tensor([-3.0]))
        Tensor([9.], dtype=float32)
    """
    return Square.apply(tensor_arg(x, "square"))


def erf(x):
    """Elementwise error function 2/sqrt(pi) * integral of exp(-t**2) from 0 to x.

    Example:
        >>> erf(Tensor([0.0, 1.0]))
        Tensor([0.      , 0.842701], dtype=float32)
    """
    return Erf.apply(tensor_arg(x, "erf"))


def sign(x):
    """Elementwise -1, 0 or 1; zero gradient (PyTorch's).

    Example:
        >>> sign(Tensor([-2.0, 0.0, 3.0]))
        Tensor([-1.,  0.,  1.], dtype=float32)
    """
    return Sign.apply(tensor_arg(x, "sign"))


def round(x, *, decimals=0):
    """Round to ``decimals`` places, halves to even (as PyTorch and NumPy); zero gradient.

    Example:
        >>> round(Tensor([0.5, 1.5, 2.7]))
        Tensor([0., 2., 3.], dtype=float32)
    """
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"round: decimals must be an integer, got {decimals!r}")
    return Round.apply(tensor_arg(x, "round"), int(decimals))


def floor(x):
    """Elementwise largest integer <= x; zero gradient.

    Example:
        >>> floor(Tensor([-0.5, 1.5]))
        Tensor([-1.,  1.], dtype=float32)
    """
    return Floor.apply(tensor_arg(x, "floor"))


def ceil(x):
    """Elementwise smallest integer >= x; zero gradient.

    Example:
        >>> ceil(Tensor([-0.5, 1.5]))
        Tensor([-0.,  2.], dtype=float32)
    """
    return Ceil.apply(tensor_arg(x, "ceil"))


def _bound(v):
    if v is None or isinstance(v, (Tensor, int, float, np.number)):
        return v
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
        return v
    raise TypeError(f"clamp: min and max must be numbers, tensors or None, got "
                    f"{type(v).__name__} ({v!r})")


def clamp(x, min=None, max=None):
    """Limit values to [min, max] (``torch.clamp``); either bound may be None or a tensor.

    The gradient passes where ``min <= x <= max`` (bounds included, as clip);
    a tensor bound gets the gradient where the result is that bound. If
    ``min > max`` every result is ``max``, as in PyTorch.

    Example:
        >>> clamp(Tensor([-2.0, 0.5, 2.0]), min=-1, max=1)
        Tensor([-1. ,  0.5,  1. ], dtype=float32)
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    x = tensor_arg(x, "clamp")
    return Clamp.apply(x, _bound(min), _bound(max))
