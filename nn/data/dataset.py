"""Dataset, TensorDataset and DataLoader: samples in, batches of Tensors out.

A ``DataLoader`` draws a fresh permutation from its generator at the start of
every epoch, so shuffling differs between epochs and repeats exactly for the
same seed. A dataset that defines ``get_batch(indices)`` (``TensorDataset``
does) is batched with one NumPy fancy-index per array, not one Python call per
sample.
"""
from abc import ABC, abstractmethod
import math
import numbers

import numpy as np

from autograd import Tensor

__all__ = ["Dataset", "TensorDataset", "DataLoader"]


class Dataset(ABC):
    """Abstract map-style dataset: subclasses define ``__getitem__(i)`` and ``__len__()``.

    ``__getitem__`` returns one sample: a tuple of fields (arrays, Tensors or
    numbers), or a single field. Optionally define ``get_batch(indices)``
    returning a tuple of arrays whose first axis runs over ``indices``; the
    ``DataLoader`` then uses it instead of calling ``__getitem__`` per sample.

    Example:
        >>> class Squares(Dataset):
        ...     def __len__(self): return 10
        ...     def __getitem__(self, i): return np.float32(i), np.float32(i * i)
        >>> next(iter(DataLoader(Squares(), batch_size=4)))[1].data
        array([0., 1., 4., 9.], dtype=float32)
    """

    @abstractmethod
    def __getitem__(self, index):
        """The sample at ``index``."""

    @abstractmethod
    def __len__(self):
        """The number of samples."""


class TensorDataset(Dataset):
    """Samples are the rows (first-axis slices) of equally long Tensors or ndarrays.

    ``dataset[i]`` is a tuple with the i-th row of each input, of the input's
    kind (a Tensor row is a new Tensor cut from the graph).

    Example:
        >>> X, y = np.zeros((100, 2), np.float32), np.arange(100) % 2
        >>> ds = TensorDataset(X, y)
        >>> len(ds), ds[3][1]
        (100, np.int64(1))
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: needs at least one Tensor or ndarray, got none")
        arrays = []
        for k, t in enumerate(tensors):
            if isinstance(t, Tensor):
                arrays.append(t.data)
            elif isinstance(t, np.ndarray):
                arrays.append(t)
            else:
                raise TypeError(f"TensorDataset: argument {k} is a {type(t).__name__}; pass "
                                "Tensors or ndarrays (e.g. np.asarray(your_list))")
            if arrays[-1].ndim == 0:
                raise ValueError(f"TensorDataset: argument {k} is 0-d (dtype "
                                 f"{arrays[-1].dtype}); samples are indexed along the first "
                                 "axis, so each input needs at least one dimension")
        lengths = {a.shape[0] for a in arrays}
        if len(lengths) > 1:
            described = ", ".join(f"{a.shape} {a.dtype}" for a in arrays)
            raise ValueError(f"TensorDataset: all inputs need the same first dimension (the "
                             f"number of samples); got shapes {described}")
        self.tensors = tuple(tensors)
        self._arrays = tuple(arrays)
        self._is_tensor = tuple(isinstance(t, Tensor) for t in tensors)

    def __len__(self):
        return self._arrays[0].shape[0]

    def __getitem__(self, index):
        # np.asarray: a row of a 1-D array is a NumPy scalar, which Tensor() would
        # treat as Python data and cast to the default float dtype.
        return tuple(Tensor(np.asarray(a[index])) if is_t else a[index]
                     for a, is_t in zip(self._arrays, self._is_tensor))

    def get_batch(self, indices):
        """The rows at ``indices`` (an integer array) of every input, as a tuple of ndarrays.

        Example:
            >>> TensorDataset(np.arange(6).reshape(3, 2)).get_batch(np.array([2, 0]))[0]
            array([[4, 5],
                   [0, 1]])
        """
        return tuple(a[indices] for a in self._arrays)


def _rng_from(generator):
    if generator is None:
        return np.random.default_rng()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        if generator < 0:
            raise ValueError(f"DataLoader: the seed must be >= 0, got {generator}")
        return np.random.default_rng(int(generator))
    raise TypeError(f"DataLoader: generator must be None, an int seed or a "
                    f"numpy.random.Generator, got {type(generator).__name__}")


def _collate(samples, first_index):
    # Stack field by field; a sample that is not a tuple/list is a one-field sample.
    samples = [s if isinstance(s, (tuple, list)) else (s,) for s in samples]
    n_fields = len(samples[0])
    if any(len(s) != n_fields for s in samples):
        raise ValueError(f"DataLoader: samples from index {first_index} on have different "
                         f"numbers of fields ({sorted({len(s) for s in samples})}); "
                         "__getitem__ must return the same structure for every index")
    fields = []
    for k in range(n_fields):
        values = [v.data if isinstance(v, Tensor) else np.asarray(v) for v in
                  (s[k] for s in samples)]
        if values[0].dtype.kind not in "biuf":
            raise TypeError(f"DataLoader: field {k} of the samples has dtype "
                            f"{values[0].dtype}; only numbers, ndarrays and Tensors batch")
        try:
            fields.append(np.stack(values))
        except ValueError:
            shapes = sorted({v.shape for v in values})
            raise ValueError(f"DataLoader: field {k} has different shapes across the batch "
                             f"starting at sample {first_index}: {shapes}; samples must "
                             "have equal shapes to be stacked") from None
    return tuple(fields)


class DataLoader:
    """Iterate over a dataset in batches; each batch is a tuple of Tensors (one per field).

    ``shuffle=True`` draws a new permutation from ``generator`` at the start of
    each epoch (each ``iter(loader)``): an int seed makes the sequence of
    epochs reproducible; a ``numpy.random.Generator`` is used (and advanced)
    as is; None seeds from the OS. ``drop_last=True`` skips a last, smaller
    batch. ``len(loader)`` is the number of batches per epoch. Batches are
    new arrays (never views into the dataset) and do not require gradients.

    Example:
        >>> X, y = np.random.default_rng(0).normal(size=(10, 3)), np.arange(10)
        >>> loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=0)
        >>> len(loader), [xb.shape for xb, yb in loader]
        (3, [(4, 3), (4, 3), (2, 3)])
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False,
                 generator=None):
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: dataset must define __getitem__ and __len__ "
                            f"(e.g. a Dataset or TensorDataset), got {type(dataset).__name__}")
        if (not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool)
                or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive int, "
                             f"got {batch_size!r}")
        self._rng = _rng_from(generator)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        get_batch = getattr(self.dataset, "get_batch", None)
        for start in range(0, stop, self.batch_size):
            idx = order[start:start + self.batch_size]
            if get_batch is not None:
                arrays = get_batch(idx)
            else:
                arrays = _collate([self.dataset[int(i)] for i in idx], start)
            yield tuple(Tensor(a) for a in arrays)

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")
