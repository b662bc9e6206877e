"""Logical and bitwise ops (``&``, ``|``, ``^``, ``~``): results with no gradient.

On bool tensors (masks) the operators are logical, on integer tensors
bitwise, as in PyTorch; floating tensors are refused. ``logical_*`` take any
dtype (non-zero is True) and give bool.

Example:
    >>> x = Tensor([-1.0, 0.5, 2.0])
    >>> (x > 0) & (x < 1), ~(x > 0)
    (Tensor([False,  True, False], dtype=bool), Tensor([ True, False, False], dtype=bool))
"""
import numpy as np

from .._tensor import Tensor, tensor_arg, _leaf

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "logical_and",
           "logical_or", "logical_xor", "logical_not"]


def _values(op, x, integral):
    v = tensor_arg(x, op).data
    if integral and v.dtype.kind not in "biu":
        raise TypeError(f"{op}: needs bool or integer tensors, got shape {v.shape} {v.dtype}; "
                        "compare first (x > 0) or use logical_and/logical_or/logical_not")
    return v


def _result(array):
    return _leaf(np.asarray(array))         # a bool or integer result: never in the graph


def _binary(op, ufunc, a, b, integral):
    a, b = _values(op, a, integral), _values(op, b, integral)
    try:
        return _result(ufunc(a, b))
    except ValueError as e:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast ({e})") from None


def bitwise_and(a, b):
    """Elementwise ``a & b``: logical for bools, bitwise for integers.

    Example:
        >>> bitwise_and(Tensor(np.array([True, True])), Tensor(np.array([True, False])))
        Tensor([ True, False], dtype=bool)
    """
    return _binary("bitwise_and", np.bitwise_and, a, b, True)


def bitwise_or(a, b):
    """Elementwise ``a | b``.

    Example:
        >>> bitwise_or(Tensor(np.array([True, False])), Tensor(np.array([False, False])))
        Tensor([ True, False], dtype=bool)
    """
    return _binary("bitwise_or", np.bitwise_or, a, b, True)


def bitwise_xor(a, b):
    """Elementwise ``a ^ b``.

    Example:
        >>> bitwise_xor(Tensor(np.array([True, False])), Tensor(np.array([True, True])))
        Tensor([False,  True], dtype=bool)
    """
    return _binary("bitwise_xor", np.bitwise_xor, a, b, True)


def bitwise_not(x):
    """Elementwise ``~x``: logical not for bools, bitwise for integers.

    Example:
        >>> bitwise_not(Tensor(np.array([True, False])))
        Tensor([False,  True], dtype=bool)
    """
    return _result(np.invert(_values("bitwise_not", x, True)))


def logical_and(a, b):
    """Elementwise ``a and b`` with non-zero as True; a bool tensor.

    Example:
        >>> logical_and(Tensor([1.0, 0.0]), Tensor([2.0, 2.0]))
        Tensor([ True, False], dtype=bool)
    """
    return _binary("logical_and", np.logical_and, a, b, False)


def logical_or(a, b):
    """Elementwise ``a or b`` with non-zero as True.

    Example:
        >>> logical_or(Tensor([1.0, 0.0]), Tensor([0.0, 0.0]))
        Tensor([ True, False], dtype=bool)
    """
    return _binary("logical_or", np.logical_or, a, b, False)


def logical_xor(a, b):
    """Elementwise exclusive or with non-zero as True.

    Example:
        >>> logical_xor(Tensor([1.0, 0.0]), Tensor([1.0, 1.0]))
        Tensor([False,  True], dtype=bool)
    """
    return _binary("logical_xor", np.logical_xor, a, b, False)


def logical_not(x):
    """Elementwise ``not x`` with non-zero as True.

    Example:
        >>> logical_not(Tensor([1.0, 0.0]))
        Tensor([False,  True], dtype=bool)
    """
    return _result(np.logical_not(_values("logical_not", x, False)))


def rbitwise_and(a, b): return bitwise_and(b, a)    # noqa: E704  (reflected operators)
def rbitwise_or(a, b): return bitwise_or(b, a)      # noqa: E704
def rbitwise_xor(a, b): return bitwise_xor(b, a)    # noqa: E704
