"""default_collate and default_convert: samples to batches, with torch.utils.data's rules.

``default_collate`` stacks a list of samples along a new first axis,
recursing into their structure: arrays, Tensors and numbers become one
Tensor per field; Python floats give float64 and ints int64 (as in torch);
strings and bytes stay as they come (the list, or a tuple for a field of
tuple samples); dicts keep their keys, namedtuples their
type; tuples become lists (PyTorch's choice); other sequences keep their
type where it can be rebuilt. Batched Tensors are new arrays cut from the
graph (they never require grad).
"""
import collections.abc
import copy

import numpy as np

from autograd import Tensor

__all__ = ["default_collate", "default_convert"]

_NOT_NUMERIC = "SaUO"      # NumPy kinds of strings, bytes and objects: no Tensor for these


def _error(found):
    return TypeError(f"default_collate: batch must contain Tensors, numpy arrays, numbers, "
                     f"dicts or lists; found {found}")


def _stack(arrays, what):
    try:
        return Tensor(np.stack(arrays))
    except ValueError:
        shapes = [a.shape for a in arrays]
        first_bad = next(i for i, s in enumerate(shapes) if s != shapes[0])
        raise ValueError(f"default_collate: {what} of different shapes cannot be stacked: "
                         f"{shapes[0]} at entry 0 and {shapes[first_bad]} at entry "
                         f"{first_bad}; pad them to one shape or pass a collate_fn "
                         "(e.g. one using nn.utils.rnn.pad_sequence)") from None


def _rebuild_mapping(elem, values):
    """``values`` (a dict) in the mapping type of ``elem`` where it can be rebuilt."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem, values):
    """``values`` (a list) in the sequence type of ``elem``; tuples become lists, as torch."""
    if isinstance(elem, tuple):
        return values
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def default_collate(batch):
    """Stack a list of samples into a batch (torch.utils.data.default_collate's rules).

    Example:
        >>> default_collate([0, 1, 2]).data
        array([0, 1, 2])
        >>> [t.shape for t in default_collate([(np.zeros(3), 1), (np.ones(3), 0)])]
        [(2, 3), (2,)]
        >>> out = default_collate([{"x": 1.5, "name": "a"}, {"x": 2.0, "name": "b"}])
        >>> out["x"].data, out["name"]
        (array([1.5, 2. ]), ['a', 'b'])
    """
    if not isinstance(batch, collections.abc.Sequence) or isinstance(batch, (str, bytes)):
        batch = list(batch)
    if len(batch) == 0:
        raise ValueError("default_collate: got an empty batch; there is nothing to stack")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([b.data for b in batch], "Tensors")
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in _NOT_NUMERIC:
            raise _error(elem.dtype)
        return _stack(batch, "arrays")
    if isinstance(elem, (np.bool_, np.number)):
        return Tensor(np.asarray(batch))
    if isinstance(elem, float):
        return Tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):      # bools included: [True, False] stays bool, as torch.tensor
        return Tensor(np.asarray(batch))
    if isinstance(elem, (str, bytes)):
        return batch                # as given: a list at the top, a tuple inside a tuple
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch])
                                       for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):         # a namedtuple
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        sizes = {len(sample) for sample in batch}
        if len(sizes) > 1:
            raise RuntimeError(f"default_collate: each element in the batch should be of equal "
                               f"size; got sequences of lengths {sorted(sizes)}")
        return _rebuild_sequence(elem, [default_collate(field) for field in zip(*batch)])
    raise _error(type(elem))


def default_convert(data):
    """Turn arrays inside ``data`` into Tensors without batching (used when batch_size=None).

    NumPy arrays (of numbers) and NumPy scalars become Tensors; dicts,
    namedtuples and sequences are converted element-wise (tuples become
    lists, as in torch); anything else, Python numbers included, is returned
    unchanged.

    Example:
        >>> default_convert(np.array([0, 1])).data
        array([0, 1])
        >>> default_convert((np.float32(2), 3))[1]
        3
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in _NOT_NUMERIC else Tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return Tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data
