"""Moving and casting tensors: ``to``, ``cpu``, ``cuda``, ``float``, ``long``, ``type``, ...

Each takes the tensor first (autograd/methods.py installs them as methods).
A cast to a floating dtype is the differentiable ``astype`` (the gradient is
cast back); a cast to an integer or bool dtype gives a result that does not
require grad. As in PyTorch, a cast that changes nothing returns the tensor
itself, not a copy (``to(..., copy=True)`` forces one).

Example:
    >>> x = Tensor([1.5, -2.0], requires_grad=True)
    >>> to(x, dtypes.float64).dtype, long(x), long(x).requires_grad
    (dtype('float64'), Tensor([ 1, -2], dtype=int64), False)
"""
import builtins

from ._tensor import Tensor
from . import device as devices
from . import dtypes
from .ops.elementwise import astype

__all__ = ["to", "cpu", "cuda", "float", "double", "half", "long", "int", "bool", "byte",
           "type", "type_as", "is_floating_point", "element_size", "is_cuda"]

_TYPE_NAMES = {"FloatTensor": dtypes.float32, "DoubleTensor": dtypes.float64,
               "HalfTensor": dtypes.float16, "LongTensor": dtypes.int64,
               "IntTensor": dtypes.int32, "ShortTensor": dtypes.int16,
               "CharTensor": dtypes.int8, "ByteTensor": dtypes.uint8,
               "BoolTensor": dtypes.bool}
_NAME_OF = {v: k for k, v in _TYPE_NAMES.items()}


def _cast(x, dtype, copy=False):
    if x.dtype == dtype:
        return Tensor(x.data.copy(), requires_grad=x.requires_grad) if copy else x
    return astype(x, dtype)


def to(x, *args, dtype=None, device=None, copy=False, non_blocking=False,
       memory_format=None):
    """``x`` on ``device`` with ``dtype``: ``to(dtype)``, ``to(device)``, ``to(other)``, ...

    Positional arguments are read as PyTorch reads them: a device (or its
    name), a dtype, both, or another tensor (its dtype and device).
    ``non_blocking`` and ``memory_format`` are accepted and change nothing
    here. Only the CPU is available.

    Example:
        >>> x = Tensor([1.0, 2.0])
        >>> to(x, "cpu") is x, to(x, dtypes.float64).dtype, to(x, Tensor([1], dtype="int64")).dtype
        (True, dtype('float64'), dtype('int64'))
    """
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (devices.device, builtins.int)) and not isinstance(a, builtins.bool):
            device = a
        elif isinstance(a, str) and a.partition(":")[0] in devices._TYPES:
            device = a
        else:
            dtype = dtypes.resolve("to", a)
    devices.check("to", device)
    return _cast(x, dtypes.resolve("to", dtype, x.dtype), copy)


def cpu(x):
    """``x`` on the CPU: ``x`` itself, since chainrule computes there.

    Example:
        >>> x = Tensor([1.0]); cpu(x) is x
        True
    """
    return x


def cuda(x, device=None, non_blocking=False):
    """Move ``x`` to a CUDA device: a RuntimeError, as chainrule has no CUDA backend.

    Example:
        >>> cuda(Tensor([1.0]))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: cuda: device 'cuda' is not available: chainrule computes on the CPU ...
    """
    where = devices.check("cuda", "cuda" if device is None else device)
    raise ValueError(f"cuda: expected a CUDA device, got {where!r}; use cpu() or to('cpu')")


def float(x):
    """``x`` as float32 (differentiable); ``x`` itself if it is float32 already.

    Example:
        >>> float(Tensor([1, 2], dtype="int64"))
        Tensor([1., 2.], dtype=float32)
    """
    return _cast(x, dtypes.float32)


def double(x):
    """``x`` as float64 (differentiable).

    Example:
        >>> double(Tensor([1.0])).dtype
        dtype('float64')
    """
    return _cast(x, dtypes.float64)


def half(x):
    """``x`` as float16 (differentiable).

    Example:
        >>> half(Tensor([1.0])).dtype
        dtype('float16')
    """
    return _cast(x, dtypes.float16)


def long(x):
    """``x`` as int64 (truncated toward zero, as PyTorch); no gradient.

    Example:
        >>> long(Tensor([1.7, -1.7]))
        Tensor([ 1, -1], dtype=int64)
    """
    return _cast(x, dtypes.int64)


def int(x):
    """``x`` as int32; no gradient.

    Example:
        >>> int(Tensor([2.9])).dtype
        dtype('int32')
    """
    return _cast(x, dtypes.int32)


def bool(x):
    """``x`` as bool (non-zero is True); no gradient.

    Example:
        >>> bool(Tensor([0.0, 0.5]))
        Tensor([False,  True], dtype=bool)
    """
    return _cast(x, dtypes.bool)


def byte(x):
    """``x`` as uint8; no gradient.

    Example:
        >>> byte(Tensor([3.0])).dtype
        dtype('uint8')
    """
    return _cast(x, dtypes.uint8)


def type(x, dtype=None, non_blocking=False):
    """Without a dtype, the type's name ('autograd.FloatTensor'); with one, ``x`` cast to it.

    ``dtype`` may be a dtype or a PyTorch type name such as
    'torch.LongTensor' (any prefix; the part after the last dot counts).

    Example:
        >>> x = Tensor([1.5])
        >>> type(x), type(x, "torch.LongTensor")
        ('autograd.FloatTensor', Tensor([1], dtype=int64))
    """
    if dtype is None:
        return f"autograd.{_NAME_OF.get(x.dtype, str(x.dtype))}"
    if isinstance(dtype, str) and dtype.rpartition(".")[2] in _TYPE_NAMES:
        dtype = _TYPE_NAMES[dtype.rpartition(".")[2]]
    return _cast(x, dtypes.resolve("type", dtype))


def type_as(x, other):
    """``x`` cast to ``other``'s dtype.

    Example:
        >>> type_as(Tensor([1.0]), Tensor([1], dtype="int64")).dtype
        dtype('int64')
    """
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as: expected a Tensor to take the dtype of, got "
                        f"{other.__class__.__name__}")
    return _cast(x, other.dtype)


def is_floating_point(x):
    """True if ``x`` holds floating-point numbers.

    Example:
        >>> is_floating_point(Tensor([1.0]))
        True
    """
    return x.dtype.kind == "f"


def element_size(x):
    """Bytes per element (4 for float32).

    Example:
        >>> element_size(Tensor([1.0])), element_size(Tensor([1], dtype="int64"))
        (4, 8)
    """
    return x.data.itemsize


is_cuda = property(lambda x: False, doc="False: tensors live on the CPU.")
