"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye``, ... (PyTorch's).

Sizes are varargs or one tuple (``zeros(2, 3)`` or ``zeros((2, 3))``); every
factory takes ``dtype=``, ``device=`` (the CPU only) and ``requires_grad=``.
Floating results default to ``get_default_dtype()`` (float32); integer data
to int64, as in PyTorch. The ``new_*`` functions take a tensor first and
default to its dtype (they are also Tensor methods: ``x.new_zeros(2)``).
Random tensors (``rand``, ``randn``, ...) are in ``autograd/random.py``.

Example:
    >>> tensor([1, 2]).dtype, tensor([1.0, 2.0]).dtype
    (dtype('int64'), dtype('float32'))
    >>> zeros(2, 3).shape, arange(4), full((2,), 7)
    ((2, 3), Tensor([0, 1, 2, 3], dtype=int64), Tensor([7, 7], dtype=int64))
"""
import contextlib
import math
import numbers
import sys
import warnings

import numpy as np

from ._tensor import Tensor
from .grad_mode import get_default_dtype
from .ops import args
from . import device as devices
from . import dtypes

__all__ = ["tensor", "zeros", "ones", "full", "empty", "eye", "arange", "linspace",
           "zeros_like", "ones_like", "full_like", "empty_like", "from_numpy",
           "new_tensor", "new_zeros", "new_ones", "new_full", "new_empty"]


def _check(op, dtype, requires_grad, device):
    """Check the device and requires_grad (floating dtypes only) before making anything."""
    devices.check(op, device)
    if args.flag(op, "requires_grad", requires_grad) and np.dtype(dtype).kind not in "fc":
        raise TypeError(f"{op}: only floating tensors can require gradients, but this one "
                        f"is {np.dtype(dtype)}; pass a floating dtype (e.g. "
                        "dtype=autograd.float32) or requires_grad=False")


def _make(op, array, requires_grad, device):
    """The finished tensor: the device checked, requires_grad set (floating dtypes only)."""
    _check(op, array.dtype, requires_grad, device)
    out = Tensor(array)
    if requires_grad:
        out.requires_grad_()
    return out


def _new(op, make, shape, dtype, requires_grad, device):
    """``make(shape, dtype)`` as a tensor, the arguments checked before it runs."""
    _check(op, dtype, requires_grad, device)
    with allocating(op, shape, dtype):
        array = make(shape, dtype)
    return _make(op, array, requires_grad, device)


def _shape(op, size):
    """Sizes as varargs or one tuple, each an integer >= 0."""
    shape = args.sizes(op, size)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: sizes must be >= 0, got {shape}")
    return shape


@contextlib.contextmanager
def allocating(op, shape, dtype):
    """Around making an array of ``shape`` and ``dtype``: out of memory is a MemoryError
    that names the op, the shape and the bytes (NumPy's names none of them).

    Example:
        >>> with allocating("zeros", (10 ** 6, 10 ** 6), dtypes.float32):  # doctest: +ELLIPSIS
        ...     np.zeros((10 ** 6, 10 ** 6), np.float32)
        Traceback (most recent call last):
        MemoryError: zeros: a tensor of shape (1000000, 1000000) float32 needs 4e+12 bytes, ...
    """
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    try:
        if nbytes > sys.maxsize:
            raise MemoryError
        yield
    except MemoryError:
        raise MemoryError(f"{op}: a tensor of shape {tuple(shape)} {np.dtype(dtype)} needs "
                          f"{nbytes:.3g} bytes, more memory than there is; ask for a smaller "
                          "size (or a smaller dtype)") from None


def _number(op, what, value):
    """A number given as a Python/NumPy number or a one-element tensor, else a TypeError."""
    if isinstance(value, Tensor):
        if value.size != 1:
            raise ValueError(f"{op}: {what} must be a number or a one-element tensor, got "
                             f"shape {value.shape} {value.dtype}")
        value = value.item()
    if not isinstance(value, (numbers.Number, np.generic)) or isinstance(value, np.flexible):
        raise TypeError(f"{op}: {what} must be a number, got {type(value).__name__} "
                        f"({args._short(value)})")
    return value


def _fill(op, value, dtype):
    """``value`` (a number or one-element tensor) as a 0-d array of ``dtype``."""
    value = _number(op, "fill_value", value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")      # NaN to int, complex to real, overflow
            return np.array(value).astype(dtype)
    except (ValueError, TypeError, OverflowError, Warning):
        raise ValueError(f"{op}: fill_value {value!r} does not fit in {dtype}; pass a value "
                         "of that dtype's range or another dtype") from None


def _fill_dtype(value):
    """PyTorch's dtype for a fill value: bool, int64, or the default float."""
    value = _number("full", "fill_value", value) if not isinstance(value, Tensor) else value
    if isinstance(value, Tensor):
        return value.dtype
    if isinstance(value, (bool, np.bool_)):
        return dtypes.bool
    if isinstance(value, numbers.Integral):
        return dtypes.int64
    if isinstance(value, numbers.Real):
        return get_default_dtype()
    return dtypes.complex64


def tensor(data, *, dtype=None, device=None, requires_grad=False, name=None,
           pin_memory=False):
    """A new tensor holding a copy of ``data``, with PyTorch's dtype inference.

    Python floats become the default float dtype, Python ints int64 and bools
    bool (as ``torch.tensor``); an ndarray or Tensor keeps its dtype. The data
    is always copied (``Tensor(array)`` and ``from_numpy`` share it instead).

    Example:
        >>> tensor([[1, 2], [3, 4]]).dtype
        dtype('int64')
        >>> tensor(2.5, requires_grad=True)
        Tensor(2.5, dtype=float32, requires_grad=True)
    """
    dtype = dtypes.resolve("tensor", dtype)
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.array(data, dtype=dtype)
    except (ValueError, TypeError, OverflowError) as e:
        raise TypeError(f"tensor: cannot make a tensor from this {type(data).__name__} ({e}); "
                        "pass a number, a rectangular (nested) list of numbers, or an "
                        "ndarray") from None
    if array.dtype.kind not in "biufc":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} (numpy "
                        f"dtype {array.dtype}); pass numbers, lists or an ndarray")
    if dtype is None and not isinstance(data, (np.ndarray, np.generic)):
        if array.dtype.kind == "f":
            array = array.astype(get_default_dtype())
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64)
    out = _make("tensor", array, requires_grad, device)
    out.name = name
    return out


def zeros(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros of the given size (default float dtype).

    Example:
        >>> zeros(2, 2)
        Tensor([[0., 0.],
                [0., 0.]], dtype=float32)
    """
    dtype = dtypes.resolve("zeros", dtype, get_default_dtype())
    return _new("zeros", np.zeros, _shape("zeros", size), dtype, requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of ones of the given size (default float dtype).

    Example:
        >>> ones((3,), dtype=dtypes.long)
        Tensor([1, 1, 1], dtype=int64)
    """
    dtype = dtypes.resolve("ones", dtype, get_default_dtype())
    return _new("ones", np.ones, _shape("ones", size), dtype, requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value by default.

    A bool fill gives bool, an int int64, a float the default float dtype
    (PyTorch's rule).

    Example:
        >>> full((2,), 0.5), full((1,), True).dtype
        (Tensor([0.5, 0.5], dtype=float32), dtype('bool'))
    """
    dtype = dtypes.resolve("full", dtype, _fill_dtype(fill_value))
    value = _fill("full", fill_value, dtype)
    return _new("full", lambda s, d: np.full(s, value, d), _shape("full", (size,)), dtype,
                requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """An uninitialised tensor of the given size: its values are whatever memory held.

    Example:
        >>> empty(2, 3).shape
        (2, 3)
    """
    dtype = dtypes.resolve("empty", dtype, get_default_dtype())
    return _new("empty", np.empty, _shape("empty", size), dtype, requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``).

    Example:
        >>> eye(2, 3)
        Tensor([[1., 0., 0.],
                [0., 1., 0.]], dtype=float32)
    """
    n = args.index("eye", "n", n)
    m = n if m is None else args.index("eye", "m", m)
    if n < 0 or m < 0:
        raise ValueError(f"eye: sizes must be >= 0, got n={n}, m={m}")
    dtype = dtypes.resolve("eye", dtype, get_default_dtype())
    return _new("eye", lambda s, d: np.eye(*s, dtype=d), (n, m), dtype, requires_grad, device)


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end`` by ``step``, as ``range``.

    ``arange(end)`` starts at 0. All-integer arguments give int64, any float
    the default float dtype. The count is ceil((end - start) / step).

    Example:
        >>> arange(1, 4), arange(0, 1, 0.25)
        (Tensor([1, 2, 3], dtype=int64), Tensor([0.  , 0.25, 0.5 , 0.75], dtype=float32))
    """
    if end is None:
        start, end = 0, start
    bounds = [_number("arange", what, b) for what, b in zip(("start", "end", "step"),
                                                             (start, end, step))]
    for what, b in zip(("start", "end", "step"), bounds):
        if not isinstance(b, numbers.Real) or isinstance(b, (bool, np.bool_)):
            raise TypeError(f"arange: {what} must be a real number, got {type(b).__name__} "
                            f"({b!r})")
        if not math.isfinite(b):
            raise ValueError(f"arange: {what} must be finite, got {b}")
    start, end, step = bounds
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    if (end - start) * step < 0:
        raise ValueError(f"arange: the step {step} goes away from end: start={start}, "
                         f"end={end}; use a step of the other sign")
    integral = all(isinstance(b, numbers.Integral) for b in bounds)
    dtype = dtypes.resolve("arange", dtype, dtypes.int64 if integral else get_default_dtype())
    count = math.ceil((end - start) / step)
    with allocating("arange", (count,), np.float64):
        values = (np.arange(count, dtype=np.int64) * step + start if integral
                  else np.arange(count, dtype=np.float64) * float(step) + float(start))
    return _make("arange", values.astype(dtype), requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    Example:
        >>> linspace(0, 1, 5)
        Tensor([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)
    """
    steps = args.index("linspace", "steps", steps)
    if steps < 0:
        raise ValueError(f"linspace: steps must be >= 0, got {steps}")
    dtype = dtypes.resolve("linspace", dtype, get_default_dtype())
    start, end = (_number("linspace", what, b) for what, b in (("start", start), ("end", end)))
    return _new("linspace", lambda s, d: np.linspace(start, end, *s).astype(d), (steps,),
                dtype, requires_grad, device)


def _like(op, x, dtype):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor to take the shape of, got "
                        f"{type(x).__name__}")
    return x.shape, dtypes.resolve(op, dtype, x.dtype)


def zeros_like(x, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Zeros of ``x``'s shape and dtype (or ``dtype``).

    Example:
        >>> zeros_like(Tensor([[1.0, 2.0]]))
        Tensor([[0., 0.]], dtype=float32)
    """
    shape, dtype = _like("zeros_like", x, dtype)
    return _make("zeros_like", np.zeros(shape, dtype), requires_grad, device)


def ones_like(x, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Ones of ``x``'s shape and dtype (or ``dtype``).

    Example:
        >>> ones_like(Tensor([1, 2], dtype="int64"))
        Tensor([1, 1], dtype=int64)
    """
    shape, dtype = _like("ones_like", x, dtype)
    return _make("ones_like", np.ones(shape, dtype), requires_grad, device)


def full_like(x, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    """``fill_value`` in ``x``'s shape and dtype (or ``dtype``).

    Example:
        >>> full_like(Tensor([1.0, 2.0]), 7)
        Tensor([7., 7.], dtype=float32)
    """
    shape, dtype = _like("full_like", x, dtype)
    value = _fill("full_like", fill_value, dtype)
    return _make("full_like", np.full(shape, value, dtype), requires_grad, device)


def empty_like(x, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """An uninitialised tensor of ``x``'s shape and dtype (or ``dtype``).

    Example:
        >>> empty_like(Tensor([1.0, 2.0])).shape
        (2,)
    """
    shape, dtype = _like("empty_like", x, dtype)
    return _make("empty_like", np.empty(shape, dtype), requires_grad, device)


def from_numpy(array):
    """A tensor sharing ``array``'s memory and dtype (``torch.from_numpy``): writes show in both.

    Example:
        >>> a = np.zeros(2); t = from_numpy(a); a[0] = 5; t
        Tensor([5., 0.], dtype=float64)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got {type(array).__name__}; "
                        "use autograd.tensor(data) for lists and numbers")
    if array.dtype.kind not in "biufc":
        raise TypeError(f"from_numpy: cannot share an array of dtype {array.dtype}; tensors "
                        "hold numbers (bool, int, float, complex)")
    return Tensor(array)


# -- new_*: a tensor first, its dtype by default (Tensor methods) -------------------------------


def new_tensor(x, data, *, dtype=None, device=None, requires_grad=False):
    """A copy of ``data`` as a tensor with ``x``'s dtype (or ``dtype``).

    Example:
        >>> new_tensor(Tensor([1.0], dtype="float64"), [2, 3])
        Tensor([2., 3.], dtype=float64)
    """
    _, dtype = _like("new_tensor", x, dtype)
    data = data.data if isinstance(data, Tensor) else data
    return _make("new_tensor", np.array(data, dtype=dtype), requires_grad, device)


def new_zeros(x, *size, dtype=None, device=None, requires_grad=False):
    """Zeros of the given size with ``x``'s dtype (or ``dtype``).

    Example:
        >>> new_zeros(Tensor([1], dtype="int64"), 2, 2)
        Tensor([[0, 0],
                [0, 0]], dtype=int64)
    """
    _, dtype = _like("new_zeros", x, dtype)
    return _new("new_zeros", np.zeros, _shape("new_zeros", size), dtype, requires_grad, device)


def new_ones(x, *size, dtype=None, device=None, requires_grad=False):
    """Ones of the given size with ``x``'s dtype (or ``dtype``).

    Example:
        >>> new_ones(Tensor([1.0]), (2,))
        Tensor([1., 1.], dtype=float32)
    """
    _, dtype = _like("new_ones", x, dtype)
    return _new("new_ones", np.ones, _shape("new_ones", size), dtype, requires_grad, device)


def new_full(x, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """``fill_value`` in the given size with ``x``'s dtype (or ``dtype``).

    Example:
        >>> new_full(Tensor([1.0]), (2,), 3)
        Tensor([3., 3.], dtype=float32)
    """
    _, dtype = _like("new_full", x, dtype)
    value = _fill("new_full", fill_value, dtype)
    return _new("new_full", lambda s, d: np.full(s, value, d), _shape("new_full", (size,)),
                dtype, requires_grad, device)


def new_empty(x, *size, dtype=None, device=None, requires_grad=False):
    """An uninitialised tensor of the given size with ``x``'s dtype (or ``dtype``).

    Example:
        >>> new_empty(Tensor([1.0]), 3).shape
        (3,)
    """
    _, dtype = _like("new_empty", x, dtype)
    return _new("new_empty", np.empty, _shape("new_empty", size), dtype, requires_grad, device)
