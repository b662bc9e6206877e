"""Comparisons and tests: elementwise results with no gradient (bool tensors, or a bool).

Example:
    >>> eq(Tensor([1.0, 2.0]), 2.0)
    Tensor([False,  True], dtype=bool)
"""
import numpy as np

from .._tensor import Tensor, tensor_arg, _leaf
from . import args

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "all", "any",
           "allclose", "equal"]


def _compare(op, ufunc, a, b):
    a, b = _operand(op, a), _operand(op, b)
    try:
        out = ufunc(a, b)
    except ValueError as e:
        raise ValueError(f"{op}: shapes {np.shape(a)} and {np.shape(b)} do not broadcast "
                         f"({e})") from None
    return _result(out)


def _operand(op, x):
    """A comparison's operand as an ndarray or a number (named errors for anything else)."""
    if isinstance(x, (int, float, np.number, np.bool_)):
        return x
    return tensor_arg(x, op).data


def _axis(op, x, dim, keepdim, axis, keepdims):
    axis = dim if axis is None else axis
    keep = args.flag(op, "keepdim", keepdim if keepdims is None else keepdims)
    return args.axes(op, x, axis), keep


def _result(array):
    return _leaf(np.asarray(array))         # a bool or integer result: never in the graph


def eq(a, b):
    """Elementwise ``a == b`` as a bool tensor.

    Example:
        >>> eq(Tensor([1.0, 2.0]), Tensor([1.0, 3.0]))
        Tensor([ True, False], dtype=bool)
    """
    return _compare("eq", np.equal, a, b)


def ne(a, b):
    """Elementwise ``a != b``.

    Example:
        >>> ne(Tensor([1.0, 2.0]), 1.0)
        Tensor([False,  True], dtype=bool)
    """
    return _compare("ne", np.not_equal, a, b)


def lt(a, b):
    """Elementwise ``a < b``.

    Example:
        >>> lt(Tensor([1.0, 2.0]), 2.0)
        Tensor([ True, False], dtype=bool)
    """
    return _compare("lt", np.less, a, b)


def le(a, b):
    """Elementwise ``a <= b``.

    Example:
        >>> le(Tensor([1.0, 2.0]), 2.0)
        Tensor([ True,  True], dtype=bool)
    """
    return _compare("le", np.less_equal, a, b)


def gt(a, b):
    """Elementwise ``a > b``.

    Example:
        >>> gt(Tensor([1.0, 2.0]), 1.0)
        Tensor([False,  True], dtype=bool)
    """
    return _compare("gt", np.greater, a, b)


def ge(a, b):
    """Elementwise ``a >= b``.

    Example:
        >>> ge(Tensor([1.0, 2.0]), 2.0)
        Tensor([False,  True], dtype=bool)
    """
    return _compare("ge", np.greater_equal, a, b)


def isnan(x):
    """Elementwise test for NaN.

    Example:
        >>> isnan(Tensor([1.0, float("nan")]))
        Tensor([False,  True], dtype=bool)
    """
    return _result(np.isnan(tensor_arg(x, "isnan").data))


def isinf(x):
    """Elementwise test for +-inf.

    Example:
        >>> isinf(Tensor([1.0, float("inf")]))
        Tensor([False,  True], dtype=bool)
    """
    return _result(np.isinf(tensor_arg(x, "isinf").data))


def isfinite(x):
    """Elementwise test for finite values (not NaN, not +-inf).

    Example:
        >>> isfinite(Tensor([1.0, float("inf")]))
        Tensor([ True, False], dtype=bool)
    """
    return _result(np.isfinite(tensor_arg(x, "isfinite").data))


def all(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """True where every element (over ``dim``, or all) is non-zero; a bool tensor.

    Example:
        >>> all(Tensor([1.0, 0.0]))
        Tensor(False, dtype=bool)
    """
    x = tensor_arg(x, "all")
    axes, keep = _axis("all", x, dim, keepdim, axis, keepdims)
    return _result(np.all(x.data, axis=axes, keepdims=keep))


def any(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """True where some element (over ``dim``, or all) is non-zero; a bool tensor.

    Example:
        >>> any(Tensor([1.0, 0.0]))
        Tensor(True, dtype=bool)
    """
    x = tensor_arg(x, "any")
    axes, keep = _axis("any", x, dim, keepdim, axis, keepdims)
    return _result(np.any(x.data, axis=axes, keepdims=keep))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if every ``|a - b| <= atol + rtol * |b|`` (a Python bool, as torch.allclose).

    Example:
        >>> allclose(Tensor([1.0]), Tensor([1.0 + 1e-9]))
        True
    """
    a, b = _operand("allclose", a), _operand("allclose", b)
    for what, v in (("rtol", rtol), ("atol", atol)):
        if not isinstance(v, (int, float, np.number)) or isinstance(v, bool):
            raise TypeError(f"allclose: {what} must be a number, got {type(v).__name__}")
    try:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol,
                                equal_nan=args.flag("allclose", "equal_nan", equal_nan)))
    except (TypeError, ValueError) as e:
        raise type(e)(f"allclose: cannot compare {np.shape(a)} {np.result_type(a)} with "
                      f"{np.shape(b)} {np.result_type(b)}: {e}") from None


def equal(a, b):
    """True if both have the same shape and elements (a Python bool, as torch.equal).

    Example:
        >>> equal(Tensor([1.0, 2.0]), Tensor([1.0, 2.0]))
        True
    """
    return bool(np.array_equal(_operand("equal", a), _operand("equal", b)))
