"""Norms, similarities and distances between vectors along a dimension, as PyTorch's:
normalize, cosine_similarity, pairwise_distance and the modules CosineSimilarity and
PairwiseDistance.

All are compositions of autograd ops. The p-norm is written so that its
gradient at a zero vector is 0 (PyTorch's choice) instead of 0/0.
"""
import math

import numpy as np

from autograd import Tensor, where
from .arguments import flag, number, tensor
from .module import Module

__all__ = ["vector_norm", "normalize", "cosine_similarity", "pairwise_distance",
           "CosineSimilarity", "PairwiseDistance"]


def _tensor(op, x):
    x = tensor(op, "input", x)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating Tensor, got shape {x.shape} {x.dtype}; "
                        "convert with .astype(np.float32)")
    return x


def _check_dim(op, x, dim):
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} ({dim!r})"[:200])
    if not -x.ndim <= dim < max(x.ndim, 1):
        raise ValueError(f"{op}: dim {dim} is out of range for shape {x.shape} "
                         f"(valid: {-x.ndim}..{x.ndim - 1})")
    return dim


def vector_norm(x, p=2.0, dim=-1, keepdim=False):
    """The p-norm of ``x`` along ``dim`` (p > 0 or inf), with gradient 0 at a zero vector.

    Example:
        >>> vector_norm(Tensor([[3.0, 4.0]]), dim=1)
        Tensor([5.], dtype=float32)
    """
    x = _tensor("vector_norm", x)
    p, keepdim = number("vector_norm", "p", p), flag("vector_norm", "keepdim", keepdim)
    if math.isinf(p):
        return x.abs().max(axis=dim, keepdims=keepdim)
    if not p > 0:
        raise ValueError(f"vector_norm: p must be positive or inf, got {p}")
    s = (x * x if p == 2 else x.abs() ** p).sum(axis=dim, keepdims=keepdim)
    nonzero = s.data > 0
    safe = where(nonzero, s, Tensor(np.ones((), s.dtype)))     # no 0 ** (1/p - 1) in backward
    root = safe.sqrt() if p == 2 else safe ** (1 / p)
    return where(nonzero, root, Tensor(np.zeros((), s.dtype)))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim``, as torch.nn.functional.normalize.

    Example:
        >>> normalize(Tensor([[3.0, 4.0]]))
        Tensor([[0.6, 0.8]], dtype=float32)
    """
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    x = _tensor("normalize", input)
    p, eps = _p("normalize", p), number("normalize", "eps", eps)
    norm = vector_norm(x, p, _check_dim("normalize", x, dim), keepdim=True)
    return x / norm.clip(eps, None)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """x1 . x2 / (max(||x1||, eps) max(||x2||, eps)) along ``dim`` (inputs broadcast).

    Each input is divided by its clamped norm before the dot product, as
    PyTorch does, so the result stays within [-1, 1].

    Example:
        >>> cosine_similarity(Tensor([[1.0, 0.0]]), Tensor([[1.0, 1.0]]))
        Tensor([0.707107], dtype=float32)
    """
    x1, x2 = _tensor("cosine_similarity", x1), _tensor("cosine_similarity", x2)
    eps = number("cosine_similarity", "eps", eps)
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"cosine_similarity: shapes {x1.shape} and {x2.shape} do not "
                         "broadcast") from None
    if shape != x1.shape:
        x1 = x1.expand(shape)
    if shape != x2.shape:
        x2 = x2.expand(shape)
    dim = _check_dim("cosine_similarity", x1, dim)
    n1 = _floor_keeping_grad(vector_norm(x1, 2, dim, keepdim=True), eps)
    n2 = _floor_keeping_grad(vector_norm(x2, 2, dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(axis=dim)


def _p(op, p):
    """The norm's order: a positive number or inf."""
    p = number(op, "p", p)
    if not p > 0:
        raise ValueError(f"{op}: p must be positive or inf, got {p}")
    return p


def _floor_keeping_grad(norm, eps):
    """max(norm, eps) in value, but the gradient of the norm itself (PyTorch raises a norm
    below eps in place, outside the graph, in cosine_similarity)."""
    lift = np.maximum(norm.data, eps) - norm.data
    return norm + Tensor(lift.astype(norm.dtype, copy=False))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension, as torch.nn.functional.pairwise_distance.

    Example:
        >>> pairwise_distance(Tensor([[0.0, 0.0]]), Tensor([[3.0, 4.0]]), eps=0.0)
        Tensor([5.], dtype=float32)
    """
    x1, x2 = _tensor("pairwise_distance", x1), _tensor("pairwise_distance", x2)
    p, eps = _p("pairwise_distance", p), number("pairwise_distance", "eps", eps)
    keepdim = flag("pairwise_distance", "keepdim", keepdim)
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"pairwise_distance: shapes {x1.shape} {x1.dtype} and {x2.shape} "
                         f"{x2.dtype} do not broadcast; give x1 and x2 the same shape") from None
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError(f"pairwise_distance: inputs need at least one dimension, got "
                         f"{x1.shape} and {x2.shape}")
    return vector_norm(x1 - x2 + eps, p, -1, keepdim)


class CosineSimilarity(Module):
    """Module form of cosine_similarity(x1, x2, dim, eps).

    Example:
        >>> CosineSimilarity(dim=1)(Tensor([[1.0, 0.0]]), Tensor([[0.0, 1.0]]))
        Tensor([0.], dtype=float32)
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return cosine_similarity(x1, x2, self.dim, self.eps)

    def extra_repr(self):
        return f"dim={self.dim}, eps={self.eps}"


class PairwiseDistance(Module):
    """Module form of pairwise_distance(x1, x2, p, eps, keepdim).

    Example:
        >>> PairwiseDistance()(Tensor([[0.0, 0.0]]), Tensor([[3.0, 4.0]])).shape
        (1,)
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)

    def extra_repr(self):
        return f"p={self.norm}, eps={self.eps}, keepdim={self.keepdim}"
