"""Embedding: a lookup table of learned vectors indexed by integer ids, as torch.nn.Embedding.

The lookup is ``weight[indices]`` (autograd's advanced indexing: repeated ids
add their gradients). ``padding_idx`` rows get no gradient from the lookup,
``max_norm`` renormalizes the looked-up rows in place first, and
``scale_grad_by_freq`` divides each id's gradient by its count in the batch,
all as PyTorch does. Sparse gradients are not supported (``sparse=True``
raises).
"""
import numpy as np

from autograd import Tensor, no_grad, where
from .arguments import flag, number, tensor as as_tensor
from .init import normal_
from .module import Module
from .parameter import Parameter
from .rnn_cell import check_positive, module_dtype

__all__ = ["embedding", "one_hot", "Embedding"]


def _indices(op, input, num):
    idx = as_tensor(op, "input", input).data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be integers (int64), got {idx.dtype} with shape "
                        f"{idx.shape}; convert with .astype(np.int64)")
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError(f"{op}: index out of range: ids must be in [0, {num - 1}] for "
                         f"{num} embeddings, got min {idx.min()} and max {idx.max()}")
    return idx


def _padding_idx(op, padding_idx, num):
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)):
        raise TypeError(f"{op}: padding_idx must be an int or None, got "
                        f"{type(padding_idx).__name__} ({padding_idx!r})"[:200])
    if not -num <= padding_idx < num:
        raise ValueError(f"{op}: padding_idx must be within [-{num}, {num - 1}] for {num} "
                         f"embeddings, got {padding_idx}")
    return padding_idx % num


def _renorm_(weight, idx, max_norm, norm_type):
    """Rescale, in place, the looked-up rows whose norm exceeds max_norm (PyTorch's renorm)."""
    rows = np.unique(idx)
    w = weight.data[rows]
    norms = np.linalg.norm(w.astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(weight.dtype)
        with no_grad():
            weight.data[rows[big]] = w[big] * scale[:, None]
            weight.mark_modified()


def one_hot(tensor, num_classes=-1):
    """Class ids -> one-hot rows: shape ``tensor.shape + (num_classes,)``, int64, no gradient.

    ``num_classes=-1`` takes the largest id + 1, as PyTorch.

    Example:
        >>> one_hot(np.array([0, 2]), 3)
        Tensor([[1, 0, 0],
                [0, 0, 1]], dtype=int64)
    """
    idx = as_tensor("one_hot", "tensor", tensor).data
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an int (-1: infer it), got "
                        f"{type(num_classes).__name__} ({num_classes!r})"[:200])
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: class ids must be integers (int64), got {idx.dtype} with "
                        f"shape {idx.shape}")
    if idx.size and idx.min() < 0:
        raise ValueError(f"one_hot: class ids must be non-negative, got min {idx.min()}")
    if num_classes == -1:
        if not idx.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass it")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.max() >= num_classes:
        raise ValueError(f"one_hot: class id {idx.max()} is out of range for num_classes="
                         f"{num_classes}")
    out = np.zeros(idx.shape + (int(num_classes),), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return Tensor(out)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Look up rows of ``weight`` (num_embeddings, embedding_dim) at integer ``input`` ids.

    The output has shape ``input.shape + (embedding_dim,)``.

    Example:
        >>> w = Tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
        >>> embedding(np.array([2, 0]), w)
        Tensor([[4., 5.],
                [0., 1.]], dtype=float32)
    """
    weight = as_tensor("embedding", "weight", weight)
    for what, value in (("scale_grad_by_freq", scale_grad_by_freq), ("sparse", sparse)):
        flag("embedding", what, value)
    if max_norm is not None:
        max_norm, norm_type = (number("embedding", "max_norm", max_norm),
                               number("embedding", "norm_type", norm_type))
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported: "
                                  "chainrule has no sparse tensors; use sparse=False")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ValueError(f"embedding: weight must be a 2-d Tensor (num_embeddings, "
                         f"embedding_dim), got {getattr(weight, 'shape', type(weight).__name__)}")
    num = weight.shape[0]
    idx = _indices("embedding", input, num)
    padding_idx = _padding_idx("embedding", padding_idx, num)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    out = weight[idx]
    if scale_grad_by_freq and out.requires_grad:
        counts = np.bincount(idx.ravel(), minlength=num)[idx].astype(weight.dtype)[..., None]
        out = out * (1 / counts) + out.detach() * (1 - 1 / counts)   # same value, scaled grad
    if padding_idx is not None and out.requires_grad:
        pad = (idx == padding_idx)[..., None]
        if pad.any():
            out = where(pad, Tensor(weight.data[padding_idx].copy()), out)   # no grad there
    return out


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by id.

    weight starts as N(0, 1) (PyTorch's init), with the ``padding_idx`` row
    zeroed. ``Embedding.from_pretrained(weights, freeze=True)`` wraps given
    vectors.

    Example:
        >>> emb = Embedding(10, 3, padding_idx=0)
        >>> emb(np.array([[1, 2, 0]])).shape
        (1, 3, 3)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        check_positive("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        if sparse:
            raise NotImplementedError("Embedding: sparse=True (sparse gradients) is not "
                                      "supported: chainrule has no sparse tensors; use "
                                      "sparse=False")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = _padding_idx("Embedding", padding_idx, self.num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, False
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype=module_dtype("Embedding", dtype)),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            data = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if data.shape != shape:
                raise ValueError(f"Embedding: _weight has shape {data.shape}, expected {shape}")
            self.weight = Parameter(data, requires_grad=not _freeze)

    def reset_parameters(self):
        """Redraw weight from N(0, 1) and zero the padding row.

        Example:
            >>> Embedding(5, 2).reset_parameters()
        """
        normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight.data[self.padding_idx] = 0
                self.weight.mark_modified()

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding holding ``embeddings`` (2-d); frozen (no gradient) unless freeze=False.

        Example:
            >>> emb = Embedding.from_pretrained(Tensor(np.eye(3)))
            >>> emb.weight.requires_grad
            False
        """
        data = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-d "
                             f"(num_embeddings, embedding_dim), got shape {data.shape}")
        return cls(data.shape[0], data.shape[1], padding_idx, max_norm, norm_type,
                   scale_grad_by_freq, sparse, _weight=data, _freeze=freeze)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        return s
