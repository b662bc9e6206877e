"""Checking the non-tensor arguments of ops: axes, dims and sizes, with errors naming the op.

Sizes, axes and dims must be integers (``operator.index``): ``reshape(1.5, 4)``
is a TypeError, never a silent truncation.
"""
import operator

import numpy as np

__all__ = ["index", "sizes", "dim", "axes", "keepdims_of", "flag", "dtype"]


def index(op, what, value):
    """``value`` as a Python int, or a TypeError naming the op and the argument.

    Example:
        >>> index("reshape", "size", np.int64(3))
        3
    """
    if isinstance(value, bool):
        raise TypeError(f"{op}: {what} must be an integer, got the bool {value!r}")
    try:
        return operator.index(value)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {what} must be an integer, got {type(value).__name__} "
                        f"({_short(value)})") from None


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def flag(op, what, value):
    """``value`` as a bool: True/False (or NumPy bools, or the ints 0 and 1), else a TypeError.

    Example:
        >>> flag("sum", "keepdims", np.True_)
        True
    """
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer))
                                               and value in (0, 1)):
        return bool(value)
    raise TypeError(f"{op}: {what} must be True or False, got {type(value).__name__} "
                    f"({_short(value)})")


def dtype(op, value):
    """``value`` as a NumPy dtype (names, NumPy types), else a TypeError naming the op.

    Example:
        >>> dtype("sum", "float32")
        dtype('float32')
    """
    try:
        return np.dtype(value)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {_short(value)} is not a dtype; use e.g. 'float32', 'int64' "
                        "or np.float64") from None


def sizes(op, given):
    """Sizes given as varargs or as one tuple/list, as PyTorch takes them; each an int.

    Example:
        >>> sizes("reshape", ((2, 3),)), sizes("reshape", (2, 3))
        ((2, 3), (2, 3))
    """
    if len(given) == 1 and isinstance(given[0], (tuple, list)):
        given = given[0]
    return tuple(index(op, "each size", s) for s in given)


def dim(op, x, d, extra=0):
    """A dim of ``x`` (negative counts from the end) as a non-negative int.

    ``extra=1`` allows one position past the end (for inserting a dim). A 0-d
    tensor accepts 0 and -1, as PyTorch's reductions do.

    Example:
        >>> dim("softmax", np.zeros((2, 3)), -1)
        1
    """
    d = index(op, "dim", d)
    n = x.ndim + extra
    lo, hi = (-n, n - 1) if n else (-1, 0)
    if not lo <= d <= hi:
        raise np.exceptions.AxisError(f"{op}: dim {d} is out of range for a tensor of shape "
                                      f"{tuple(x.shape)} {x.dtype} (valid: {lo}..{hi})")
    return d % n if n else 0


def axes(op, x, axis):
    """None, or a sorted tuple of distinct non-negative axes of ``x`` (int or sequence given).

    Example:
        >>> axes("sum", np.zeros((2, 3, 4)), (-1, 0))
        (0, 2)
    """
    if axis is None:
        return None
    given = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = [dim(op, x, a) for a in given]
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis} for shape {tuple(x.shape)}")
    return tuple(sorted(out)) if x.ndim else None


def keepdims_of(op, axis, dim, keepdims, keepdim):
    """Merge NumPy's ``axis``/``keepdims`` with PyTorch's aliases ``dim``/``keepdim``.

    Example:
        >>> keepdims_of("sum", None, 1, False, True)
        (1, True)
    """
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: give axis= or its alias dim=, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    return axis, flag(op, "keepdims", keepdims)
