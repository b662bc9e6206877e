"""Batching variable-length sequences, as torch.nn.utils.rnn: pad_sequence, PackedSequence,
pack_padded_sequence, pad_packed_sequence, pack_sequence.

A PackedSequence holds the steps of a batch of sequences without padding:
``data`` lists, for t = 0, 1, ..., the t-th element of every sequence longer
than t, longest sequences first (``batch_sizes[t]`` of them); ``sorted_indices``
maps that order to the batch's own. RNN, LSTM and GRU accept one and return
one, as in PyTorch. Packing and unpacking are single gathers, so gradients
flow through them.
"""
from typing import NamedTuple

import numpy as np

from autograd import Tensor, concatenate, pad, stack

__all__ = ["pad_sequence", "PackedSequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (L_max, B, *) (or (B, L_max, *)), padding the
    shorter ones with ``padding_value`` (differentiable).

    Example:
        >>> a, b = Tensor(np.ones((3, 2))), Tensor(np.ones((1, 2)))
        >>> pad_sequence([a, b]).shape, pad_sequence([a, b], batch_first=True).shape
        ((3, 2, 2), (2, 3, 2))
    """
    seqs = [s if isinstance(s, Tensor) else Tensor(s) for s in sequences]
    if not seqs:
        raise ValueError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'right' or 'left', got "
                         f"{padding_side!r}")
    trailing = seqs[0].shape[1:] if seqs[0].ndim else None
    for i, s in enumerate(seqs):
        if s.ndim == 0 or s.shape[1:] != trailing:
            raise ValueError(f"pad_sequence: sequence {i} has shape {s.shape}; all must be "
                             f"(length, {', '.join(map(str, trailing or ()))}) with the same "
                             "trailing dims")
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        extra = longest - s.shape[0]
        width = [(0, extra) if padding_side == "right" else (extra, 0)] + [(0, 0)] * (s.ndim - 1)
        padded.append(pad(s, width, value=padding_value) if extra else s)
    return stack(padded, axis=0 if batch_first else 1)


class PackedSequence(NamedTuple):
    """A batch of variable-length sequences without padding (see the module doc).

    Example:
        >>> packed = pack_sequence([Tensor(np.ones((3, 2))), Tensor(np.ones((1, 2)))])
        >>> packed.data.shape, packed.batch_sizes.data.tolist()
        ((4, 2), [2, 1, 1])
    """
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor = None
    unsorted_indices: Tensor = None


def _order(packed):
    """The batch position of each column of the packed order (longest first)."""
    n = int(packed.batch_sizes.data[0])
    return np.arange(n) if packed.sorted_indices is None else \
        np.asarray(packed.sorted_indices.data, dtype=np.int64)


def packed_positions(batch_sizes, order):
    """(t, b) of every packed row: time step and batch position, in ``data``'s order.

    Example:
        >>> packed_positions(np.array([2, 1]), np.array([1, 0]))
        (array([0, 0, 1]), array([1, 0, 1]))
    """
    sizes = np.asarray(batch_sizes, dtype=np.int64)
    t = np.repeat(np.arange(len(sizes)), sizes)
    b = np.concatenate([order[:k] for k in sizes]) if len(sizes) else np.zeros(0, np.int64)
    return t, b


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *)) of sequences with the given lengths.

    With ``enforce_sorted=True`` the lengths must be in decreasing order;
    otherwise the batch is sorted here and ``sorted_indices`` records how.

    Example:
        >>> x = Tensor(np.arange(6.0).reshape(3, 2, 1))       # (T=3, B=2, 1)
        >>> pack_padded_sequence(x, [3, 1]).data.data.ravel().tolist()
        [0.0, 1.0, 2.0, 4.0]
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    lens = np.asarray(lengths.data if isinstance(lengths, Tensor) else lengths)
    if lens.ndim != 1 or lens.dtype.kind not in "iu":
        raise TypeError(f"pack_padded_sequence: lengths must be a 1-d list of ints, got "
                        f"{lengths!r}")
    if x.ndim < 2:
        raise ValueError(f"pack_padded_sequence: input must be at least 2-d (T, B, *), got "
                         f"{x.shape}")
    if batch_first:
        x = x.transpose(0, 1)
    t, b = x.shape[:2]
    if len(lens) != b:
        raise ValueError(f"pack_padded_sequence: {len(lens)} lengths for a batch of {b} "
                         f"(input {x.shape} time-major)")
    if lens.size and (lens.min() < 1 or lens.max() > t):
        raise ValueError(f"pack_padded_sequence: every length must be in [1, {t}] (the padded "
                         f"length), got {lens.tolist()}")
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise ValueError("pack_padded_sequence: `lengths` must be sorted in decreasing "
                             "order when enforce_sorted=True; sort the batch or pass "
                             "enforce_sorted=False")
        order, sorted_indices, unsorted_indices = np.arange(b), None, None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = Tensor(order.astype(np.int64))
        unsorted_indices = Tensor(np.argsort(order).astype(np.int64))
    batch_sizes = (lens[order][None, :] > np.arange(int(lens.max()))[:, None]).sum(axis=1)
    rows_t, rows_b = packed_positions(batch_sizes, order)
    return PackedSequence(x[rows_t, rows_b], Tensor(batch_sizes.astype(np.int64)),
                          sorted_indices, unsorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpack to (padded (T, B, *) or (B, T, *), lengths), the batch in its original order.

    Example:
        >>> packed = pack_padded_sequence(Tensor(np.ones((3, 2, 1))), [3, 1])
        >>> padded, lengths = pad_packed_sequence(packed)
        >>> padded.shape, lengths.data.tolist()
        ((3, 2, 1), [3, 1])
    """
    data, batch_sizes = sequence.data, np.asarray(sequence.batch_sizes.data, dtype=np.int64)
    t = len(batch_sizes)
    if total_length is not None:
        if total_length < t:
            raise ValueError(f"pad_packed_sequence: total_length={total_length} is less than "
                             f"the longest sequence ({t})")
        t = int(total_length)
    order = _order(sequence)
    b = len(order)
    rows_t, rows_b = packed_positions(batch_sizes, order)
    row_of = np.full((t, b), data.shape[0], dtype=np.int64)        # default: the padding row
    row_of[rows_t, rows_b] = np.arange(data.shape[0])
    fill = Tensor(np.full((1,) + data.shape[1:], padding_value, dtype=data.dtype))
    padded = concatenate([data, fill])[row_of]
    lengths = np.zeros(b, dtype=np.int64)
    np.add.at(lengths, rows_b, 1)
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, Tensor(lengths)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_i, *): pad_sequence then pack_padded_sequence.

    Example:
        >>> pack_sequence([Tensor(np.ones((1, 2))), Tensor(np.ones((3, 2)))],
        ...               enforce_sorted=False).batch_sizes.data.tolist()
        [2, 1, 1]
    """
    lengths = [len(s) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)
