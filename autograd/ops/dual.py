"""Helpers that work on ndarrays and on Tensors alike.

A built-in op's backward runs on ndarrays (plain backward: fast, records
nothing) or on Tensors (``create_graph=True``: recorded, so differentiable).
Operators and ``.sum``/``.reshape``/``.mean`` already mean the same on both;
the few functions below cover the rest, so each backward is written once.
"""
import numpy as np

from ..tensor import Tensor


def data(x):
    """The ndarray behind x (x itself when it is not a Tensor)."""
    return x.data if isinstance(x, Tensor) else x


def exp(v):
    return v.exp() if isinstance(v, Tensor) else np.exp(v)


def log(v):
    return v.log() if isinstance(v, Tensor) else np.log(v)


def permute(v, axes):
    return v.permute(axes) if isinstance(v, Tensor) else v.transpose(axes)


def expand(v, shape):
    if isinstance(v, Tensor):
        return v.expand(shape)
    if v.size == 1:                      # np.full is much cheaper than np.broadcast_to here
        return np.full(shape, v.reshape(()), dtype=v.dtype)
    return np.broadcast_to(v, shape)


def reduced_shape(shape, axes):
    """``shape`` with the reduced ``axes`` kept as size 1 (for re-broadcasting a gradient)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))
