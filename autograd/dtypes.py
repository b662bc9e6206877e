"""PyTorch's dtype names (``autograd.float32``, ``autograd.long``, ...) as NumPy dtypes.

``autograd.float32`` is ``np.dtype('float32')``: tensors hold ndarrays, so a
dtype is NumPy's, and either spelling works wherever a dtype is taken.
``resolve`` turns any accepted spelling into a NumPy dtype, with an error
naming the op.

Example:
    >>> float32, long, float is float32, double is float64
    (dtype('float32'), dtype('int64'), True, True)
"""
import builtins

import numpy as np

from ._tensor import Tensor

__all__ = ["dtype", "float16", "half", "float32", "float", "float64", "double", "int8",
           "int16", "short", "int32", "int", "int64", "long", "uint8", "bool", "complex64",
           "complex128", "resolve", "is_tensor", "is_floating_point", "numel"]

dtype = np.dtype          # ``isinstance(x, autograd.dtype)`` as ``torch.dtype``

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
complex64 = np.dtype(np.complex64)
complex128 = np.dtype(np.complex128)
bool = np.dtype(np.bool_)      # noqa: A001  (PyTorch's name; builtins.bool is used below)
float = float32                # noqa: A001  (torch.float is float32)
int = int32                    # noqa: A001  (torch.int is int32)


def resolve(op, given, default=None):
    """``given`` as a NumPy dtype (``default`` when None), or a TypeError naming the op.

    Takes NumPy dtypes and their names, NumPy scalar types and Python's
    ``float``/``int``/``bool`` (float64, int64, bool, as PyTorch reads them).

    Example:
        >>> resolve("zeros", builtins.float), resolve("zeros", "int32")
        (dtype('float64'), dtype('int32'))
        >>> resolve("zeros", None, float32)
        dtype('float32')
    """
    if given is None:
        return default
    if given is builtins.float:
        return float64
    if given is builtins.int:
        return int64
    try:
        out = np.dtype(given)
    except TypeError:
        out = None
    if out is None or out.kind not in "biufc" or isinstance(given, Tensor):
        raise TypeError(f"{op}: {given!r} is not a dtype; use autograd.float32, "
                        "autograd.float64, autograd.int64, autograd.bool, ... (NumPy dtypes)")
    return out


def is_tensor(obj):
    """True if ``obj`` is a Tensor (``torch.is_tensor``).

    Example:
        >>> is_tensor(Tensor([1.0])), is_tensor(np.zeros(1))
        (True, False)
    """
    return isinstance(obj, Tensor)


def is_floating_point(x):
    """True if ``x`` holds floating-point numbers (float16/32/64).

    Example:
        >>> is_floating_point(Tensor([1.0])), is_floating_point(Tensor([1], dtype="int64"))
        (True, False)
    """
    return _tensor("is_floating_point", x).dtype.kind == "f"


def numel(x):
    """The number of elements of ``x`` (``torch.numel``).

    Example:
        >>> numel(Tensor(np.zeros((2, 3))))
        6
    """
    return _tensor("numel", x).data.size


def _tensor(op, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x
