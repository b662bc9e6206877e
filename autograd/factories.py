"""Making tensors: ``tensor`` (as ``torch.tensor``) and the other factory functions.

Example:
    >>> tensor([1, 2]).dtype, tensor([1.0, 2.0]).dtype
    (dtype('int64'), dtype('float32'))
"""
import numpy as np

from ._tensor import Tensor
from .mode import get_default_dtype

__all__ = ["tensor"]


def tensor(data, *, dtype=None, requires_grad=False, name=None, device=None):
    """A new tensor holding a copy of ``data``, with PyTorch's dtype inference.

    Python floats become the default float dtype, Python ints int64 and bools
    bool (as ``torch.tensor``); an ndarray or Tensor keeps its dtype. The data
    is always copied (``Tensor(array)`` shares it instead).

    Example:
        >>> tensor([[1, 2], [3, 4]]).dtype
        dtype('int64')
        >>> tensor(2.5, requires_grad=True)
        Tensor(2.5, dtype=float32, requires_grad=True)
    """
    if isinstance(data, Tensor):
        data = data.data
    if dtype is None and not isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data)
        if array.dtype.kind == "f":
            array = array.astype(get_default_dtype())
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64)
        elif array.dtype.kind not in "bc":
            raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} "
                            f"(numpy dtype {array.dtype}); pass numbers, lists or an ndarray")
    else:
        array = np.array(data, dtype=dtype)
    return Tensor(array, requires_grad=requires_grad, name=name)
