"""Checking the arguments of nn's functions, with errors that name the function.

Tensor arguments accept what autograd's ops accept: a Tensor, an ndarray of
numbers (wrapped without a copy), a number or a (nested) list of numbers.
Anything else is a TypeError that names the function and the argument.
"""
import os

import numpy as np

from autograd import Tensor
from autograd.ops.args import flag      # True/False (or 0/1), else a TypeError naming the op

__all__ = ["tensor", "positive_int", "number", "flag", "choice", "check_output_size"]


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def tensor(op, what, value, optional=False):
    """``value`` as a Tensor argument ``what`` of ``op`` (None passes when ``optional``).

    Example:
        >>> tensor("linear", "weight", np.ones((3, 2))).shape
        (3, 2)
        >>> tensor("linear", "weight", "abc")
        Traceback (most recent call last):
        ...
        TypeError: linear: weight must be a Tensor, an ndarray of numbers or ..., got str ('abc')
    """
    if isinstance(value, Tensor) or (value is None and optional):
        return value
    if isinstance(value, (np.ndarray, np.generic, int, float, complex, list)) \
            and not isinstance(value, (bool, np.bool_)):
        try:
            return Tensor(value)
        except (TypeError, ValueError):
            pass
    shown = f"an ndarray of dtype {value.dtype}" if isinstance(value, np.ndarray) else \
        f"{type(value).__name__} ({_short(value)})"
    raise TypeError(f"{op}: {what} must be a Tensor, an ndarray of numbers or a number, "
                    f"got {shown}")


def positive_int(op, what, value):
    """``value`` as a Python int >= 1, else a TypeError/ValueError naming ``op``.

    Example:
        >>> positive_int("group_norm", "num_groups", np.int64(2))
        2
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{op}: {what} must be a positive int, got {type(value).__name__} "
                        f"({_short(value)})")
    if value < 1:
        raise ValueError(f"{op}: {what} must be a positive int, got {value}")
    return int(value)


def number(op, what, value):
    """``value`` as a Python float (an int or float, not a bool), else a TypeError naming ``op``.

    Example:
        >>> number("layer_norm", "eps", 1e-5)
        1e-05
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                      np.floating)):
        raise TypeError(f"{op}: {what} must be a real number, got {type(value).__name__} "
                        f"({_short(value)})")
    return float(value)


def choice(op, what, value, options):
    """``value`` if it is one of the strings ``options``, else a ValueError listing them.

    Example:
        >>> choice("pad", "mode", "reflect", ("constant", "reflect"))
        'reflect'
    """
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{op}: {what} must be one of {', '.join(map(repr, options))}, got "
                         f"{_short(value)}")
    return value


def _memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):     # not a POSIX system: no limit known
        return float("inf")


def check_output_size(op, shape, dtype, what="output_size"):
    """Refuse, before allocating, an output larger than this machine's memory.

    Example:
        >>> check_output_size("interpolate", (1, 3, 10**6, 10**6), np.float64)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: interpolate: the output would have shape (1, 3, 1000000, 1000000) float64 ...
    """
    count = 1
    for n in shape:
        count *= int(n)
    nbytes, memory = count * np.dtype(dtype).itemsize, _memory()
    if nbytes > memory:
        raise RuntimeError(f"{op}: the output would have shape {tuple(shape)} "
                           f"{np.dtype(dtype)} ({nbytes / 2**30:,.1f} GiB), more than this "
                           f"machine's memory ({memory / 2**30:,.1f} GiB); use a smaller "
                           f"{what}")
