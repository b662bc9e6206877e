"""Batching variable-length sequences, as torch.nn.utils.rnn: pad_sequence.

PackedSequence is not supported; pad the batch and, if needed, mask the
padded steps in the loss (e.g. ``cross_entropy(..., ignore_index=...)``).
"""
from autograd import Tensor, pad, stack

__all__ = ["pad_sequence"]


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
