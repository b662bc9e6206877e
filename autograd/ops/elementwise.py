"""Elementwise ops: arithmetic, unary functions, clip, maximum/minimum, where, astype.

Broadcasting is NumPy's; the engine sums each gradient back to its input's
shape. Kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0, clip passes the
gradient on its closed interval, maximum/minimum split it equally at ties.
"""
import numpy as np

from ..function import Function
from .._tensor import Tensor, tensor_arg
from .. import function as generic
from ..function import data_of as _d

__all__ = ["add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "abs", "tanh",
           "sigmoid", "relu", "clip", "maximum", "minimum", "where", "astype"]


def _desc(x):
    return f"{np.shape(_d(x))} {np.result_type(_d(x))}"


def _broadcast_error(op, a, b, err):
    return ValueError(f"{op}: shapes do not broadcast: {_desc(a)} and {_desc(b)} ({err}). "
                      "Shapes must be equal or 1 in each trailing dimension; reshape or "
                      "unsqueeze one operand.")


def _value_error(op, a, b, err):
    """The error of a binary op: a broadcasting problem, or what NumPy refused (named)."""
    try:
        np.broadcast_shapes(np.shape(_d(a)), np.shape(_d(b)))
    except ValueError:
        return _broadcast_error(op, a, b, err)
    hint = " Convert the integer operand to float first (.astype('float32'))." \
        if "negative integer powers" in str(err) else ""
    return ValueError(f"{op}: cannot compute {_desc(a)} {op} {_desc(b)}: {err}{hint}")


class _Binary(Function):
    """A broadcasting binary op computed by one ufunc; ``saves`` keeps both operands."""
    array_backward = True
    ufunc = None
    saves = False

    @classmethod
    def forward(cls, ctx, a, b):
        if cls.saves:
            # Mul, Div: a is needed only for b's gradient (PyTorch saves it only then, so
            # `d += d * 2` is no in-place error there)
            ctx.save_for_backward(a if cls.saves is True or isinstance(b, Tensor)
                                  and b.requires_grad else None, b)
        try:
            return cls.ufunc(a.data if isinstance(a, Tensor) else a,
                             b.data if isinstance(b, Tensor) else b)
        except ValueError as e:
            raise _value_error(cls.__name__.lower(), a, b, e) from None


class Add(_Binary):
    ufunc = np.add

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(_Binary):
    ufunc = np.subtract

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(_Binary):
    ufunc = np.multiply
    saves = "a for b"

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(_Binary):
    ufunc = np.divide
    saves = "a for b"

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g / b if need_a else None
        gb = -g * a / (b * b) if need_b else None
        return ga, gb


class Pow(_Binary):
    ufunc = np.power
    saves = True

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g * b * a ** (b - 1) if need_a else None
        gb = None
        if need_b:
            # d(a**b)/db = a**b * log(a), taken as 0 where a <= 0 (PyTorch's choice at a = 0)
            positive = _d(a) > 0
            safe_a = a * positive + (1 - positive)
            gb = g * a ** b * generic.log(safe_a) * positive
        return ga, gb


class Neg(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, a):
        return -a.data

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.exp(x.data)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.output


class Log(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x.data)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.sqrt(x.data)

    @staticmethod
    def backward(ctx, g):
        return g / (2 * ctx.output)


class Abs(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.sign = np.sign(x.data)          # sign(0) = 0: abs'(0) = 0, as PyTorch
        return np.abs(x.data)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.sign


class Tanh(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x.data)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return g * (1 - y * y)


class Sigmoid(Function):
    array_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return 0.5 * np.tanh(0.5 * x.data) + 0.5    # stable for large |x|, no overflow

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        return g * y * (1 - y)


class Relu(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.mask = x.data > 0                 # relu'(0) = 0, as PyTorch
        return np.maximum(x.data, 0)          # not x * mask: that gives -0.0 for negatives

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask


class Clip(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        if lo is None and hi is None:
            raise ValueError(f"clip: give lo or hi (or both) for the tensor of shape {x.shape}")
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x.data >= lo
        if hi is not None:
            inside &= x.data <= hi
        ctx.inside = inside
        return np.clip(x.data, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inside, None, None


class _Extremum(Function):
    """maximum/minimum: the gradient goes to the larger (smaller) side, half each at ties."""
    array_backward = True
    pick = None

    @classmethod
    def forward(cls, ctx, a, b):
        a_, b_ = _d(a), _d(b)
        try:
            out = cls.pick(a_, b_)
        except ValueError as e:
            raise _broadcast_error(cls.__name__.lower(), a, b, e) from None
        dtype = out.dtype if out.dtype.kind == "f" else np.float64
        share_a = np.asanyarray(np.equal(a_, out).astype(dtype))   # 0-d: an array, not a scalar
        share_a[np.equal(a_, b_)] = 0.5
        ctx.share_a = share_a
        return out

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (g * ctx.share_a if need_a else None), (g * (1 - ctx.share_a) if need_b else None)


class Maximum(_Extremum):
    pick = staticmethod(np.maximum)


class Minimum(_Extremum):
    pick = staticmethod(np.minimum)


class Where(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = np.asanyarray(_d(cond)).astype(bool)   # a copy: later writes can't leak
        try:
            return np.where(ctx.cond, _d(a), _d(b))
        except ValueError as e:
            raise ValueError(f"where: condition {ctx.cond.shape}, x {np.shape(_d(a))} and "
                             f"y {np.shape(_d(b))} do not broadcast ({e})") from None

    @staticmethod
    def backward(ctx, g):
        _, need_a, need_b = ctx.needs_input_grad
        return None, (g * ctx.cond if need_a else None), (g * ~ctx.cond if need_b else None)


class AsType(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, x, dtype):
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None            # the engine casts the gradient back to x's dtype


def exp(x):
    """Elementwise e**x.

    Example:
        >>> exp(Tensor([0.0, 1.0]))
        Tensor([1.      , 2.718282], dtype=float32)
    """
    return Exp.apply(tensor_arg(x, "exp"))


def log(x):
    """Elementwise natural logarithm.

    Example:
        >>> log(Tensor([1.0]))
        Tensor([0.], dtype=float32)
    """
    return Log.apply(tensor_arg(x, "log"))


def sqrt(x):
    """Elementwise square root.

    Example:
        >>> sqrt(Tensor([4.0]))
        Tensor([2.], dtype=float32)
    """
    return Sqrt.apply(tensor_arg(x, "sqrt"))


def abs(x):
    """Elementwise |x|; its gradient at 0 is 0 (PyTorch's choice).

    Example:
        >>> abs(Tensor([-2.0, 3.0]))
        Tensor([2., 3.], dtype=float32)
    """
    return Abs.apply(tensor_arg(x, "abs"))


def tanh(x):
    """Elementwise hyperbolic tangent.

    Example:
        >>> tanh(Tensor([0.0]))
        Tensor([0.], dtype=float32)
    """
    return Tanh.apply(tensor_arg(x, "tanh"))


def sigmoid(x):
    """Elementwise logistic function 1 / (1 + e**-x), stable for large |x|.

    Example:
        >>> sigmoid(Tensor([0.0]))
        Tensor([0.5], dtype=float32)
    """
    return Sigmoid.apply(tensor_arg(x, "sigmoid"))


def relu(x):
    """Elementwise max(x, 0); its gradient at 0 is 0 (PyTorch's choice).

    Example:
        >>> relu(Tensor([-1.0, 0.0, 2.0]))
        Tensor([0., 0., 2.], dtype=float32)
    """
    return Relu.apply(tensor_arg(x, "relu"))


def clip(x, lo=None, hi=None):
    """Limit values to [lo, hi] (either may be None); the gradient passes where lo <= x <= hi.

    Example:
        >>> clip(Tensor([-2.0, 0.5, 2.0]), -1, 1)
        Tensor([-1. ,  0.5,  1. ], dtype=float32)
    """
    return Clip.apply(tensor_arg(x, "clip"), _bound("clip", lo), _bound("clip", hi))


def maximum(a, b):
    """Elementwise larger of a and b (broadcasting); at ties each side gets half the gradient.

    Example:
        >>> maximum(Tensor([1.0, 5.0]), Tensor([3.0, 2.0]))
        Tensor([3., 5.], dtype=float32)
    """
    return Maximum.apply(_tensor_or_number(a, "maximum"), _tensor_or_number(b, "maximum"))


def minimum(a, b):
    """Elementwise smaller of a and b (broadcasting); at ties each side gets half the gradient.

    Example:
        >>> minimum(Tensor([1.0, 5.0]), 2.0)
        Tensor([1., 2.], dtype=float32)
    """
    return Minimum.apply(_tensor_or_number(a, "minimum"), _tensor_or_number(b, "minimum"))


def where(condition, x, y):
    """Pick x where condition holds, else y (broadcasting); no gradient to the condition.

    Example:
        >>> where(Tensor([1.0, -1.0]) > 0, Tensor([1.0, 2.0]), 0.0)
        Tensor([1., 0.], dtype=float32)
    """
    return Where.apply(condition, _tensor_or_number(x, "where"), _tensor_or_number(y, "where"))


def astype(x, dtype):
    """The tensor converted to ``dtype`` (differentiable; the gradient is cast back).

    Example:
        >>> Tensor([1.0]).astype("float64").dtype
        dtype('float64')
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"astype: {dtype!r} is not a dtype; use e.g. 'float32', 'int64' or "
                        "np.float64") from None
    return AsType.apply(tensor_arg(x, "astype"), dtype)


def _tensor_or_number(x, op):
    return x if isinstance(x, (Tensor, int, float)) else tensor_arg(x, op)


def _bound(op, v):
    if v is None or isinstance(v, (int, float, np.number)):
        return v
    if isinstance(v, Tensor):
        v = v.data
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
        return v
    raise TypeError(f"{op}: bounds must be numbers, arrays or None, got {type(v).__name__}")


def operand(x, op):
    """The other side of an operator: Tensors as they are, Python numbers stay weak."""
    if isinstance(x, (Tensor, int, float)) and not isinstance(x, bool):
        return x
    if isinstance(x, np.generic) and x.dtype.kind in "biuf":
        return x.item()           # a NumPy scalar is weak too, as a Python one
    return tensor_arg(x, op)


# The arithmetic operators, as functions (autograd/methods.py installs them on Tensor).

def add(a, b, *, alpha=1):
    """``a + alpha * b`` with broadcasting (``torch.add``; ``alpha`` as PyTorch's).

    Example:
        >>> add(Tensor([1.0, 2.0]), 1)
        Tensor([2., 3.], dtype=float32)
        >>> add(Tensor([1.0, 2.0]), Tensor([1.0, 1.0]), alpha=2)
        Tensor([3., 4.], dtype=float32)
    """
    return Add.apply(_first(a, "add"), _scaled(b, alpha, "add"))


def sub(a, b, *, alpha=1):
    """``a - alpha * b`` with broadcasting (``torch.sub``; ``alpha`` as PyTorch's).

    Example:
        >>> sub(Tensor([1.0, 2.0]), 1)
        Tensor([0., 1.], dtype=float32)
        >>> sub(Tensor([1.0, 2.0]), 1, alpha=0.5)
        Tensor([0.5, 1.5], dtype=float32)
    """
    return Sub.apply(_first(a, "sub"), _scaled(b, alpha, "sub"))


def _scaled(b, alpha, op):
    b = operand(b, op)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)):
        raise TypeError(f"{op}: alpha must be a number, got {type(alpha).__name__} "
                        f"({alpha!r})")
    if alpha == 1:
        return b
    return Mul.apply(b, alpha) if isinstance(b, Tensor) else b * alpha


# the operators (a + b is on the hot path): a is the Tensor itself, no alpha to check
def _add(a, b): return Add.apply(a, operand(b, "add"))
def _sub(a, b): return Sub.apply(a, operand(b, "sub"))
def _mul(a, b): return Mul.apply(a, operand(b, "mul"))
def _div(a, b): return Div.apply(a, operand(b, "div"))


def mul(a, b):
    """``a * b`` with broadcasting (``torch.mul``).

    Example:
        >>> mul(Tensor([1.0, 2.0]), 3)
        Tensor([3., 6.], dtype=float32)
    """
    return Mul.apply(_first(a, "mul"), operand(b, "mul"))


def div(a, b):
    """``a / b`` with broadcasting (``torch.div``).

    Example:
        >>> div(Tensor([1.0, 2.0]), 2)
        Tensor([0.5, 1. ], dtype=float32)
    """
    return Div.apply(_first(a, "div"), operand(b, "div"))


def pow(a, b):
    """``a ** b`` with broadcasting (``torch.pow``).

    Example:
        >>> pow(Tensor([2.0, 3.0]), 2)
        Tensor([4., 9.], dtype=float32)
    """
    return Pow.apply(_first(a, "pow"), operand(b, "pow"))


def neg(a):
    """``-a`` (``torch.neg``).

    Example:
        >>> neg(Tensor([1.0]))
        Tensor([-1.], dtype=float32)
    """
    return Neg.apply(tensor_arg(a, "neg"))


def positive(a):
    """``+a``: the tensor itself.

    Example:
        >>> x = Tensor([1.0]); positive(x) is x
        True
    """
    return a


def radd(a, b): return Add.apply(operand(b, "add"), a)
def rsub(a, b): return Sub.apply(operand(b, "sub"), a)
def rmul(a, b): return Mul.apply(operand(b, "mul"), a)
def rdiv(a, b): return Div.apply(operand(b, "div"), a)
def rpow(a, b): return Pow.apply(operand(b, "pow"), a)


def _first(a, op):
    """The left operand of a function-style call (``autograd.add(a, b)``): a number stays
    a weak scalar only if the other side is a Tensor, so it is made a tensor here."""
    return a if isinstance(a, Tensor) else tensor_arg(a, op)
