"""Datasets with torch.utils.data's names: map-style, iterable, tensors, concatenations, subsets.

A dataset that defines ``get_batch(indices)`` (``TensorDataset`` does, and a
``Subset`` of one) is batched by the ``DataLoader`` with one NumPy
fancy-index per array, not one Python call per sample.
"""
import bisect
import itertools
from typing import Generic, TypeVar

import numpy as np

from autograd import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset",
           "Subset"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Map-style dataset: subclasses define ``__getitem__(i)`` and (usually) ``__len__()``.

    ``__getitem__`` returns one sample: an array, a Tensor, a number, or a
    tuple/list/dict of those (``default_collate`` batches each field).
    Optionally define ``__getitems__(indices)`` returning the list of samples
    (as in PyTorch), or ``get_batch(indices)`` returning a tuple of arrays,
    one per field, whose first axis runs over ``indices``: with the default
    collate the ``DataLoader`` then batches with it and skips
    ``__getitem__``. ``dataset_a + dataset_b`` is a ``ConcatDataset``.
    Typed subclasses work as in PyTorch: ``class Pairs(Dataset[tuple])``.

    Example:
        >>> class Squares(Dataset):
        ...     def __len__(self): return 10
        ...     def __getitem__(self, i): return np.float32(i), np.float32(i * i)
        >>> from nn.data import DataLoader
        >>> next(iter(DataLoader(Squares(), batch_size=4)))[1].data
        array([0., 1., 4., 9.], dtype=float32)
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__; "
                                  "subclasses of Dataset must (or use IterableDataset for a "
                                  "stream of samples)")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A stream of samples: subclasses define ``__iter__`` (and ``__len__`` if they know it).

    A ``DataLoader`` iterates it once per epoch, batching consecutive
    samples; it takes no ``sampler``/``shuffle``. Loading is in-process, so
    ``get_worker_info()`` is None inside ``__iter__`` and the whole stream is
    read once. ``stream_a + stream_b`` is a ``ChainDataset``.

    Example:
        >>> class Count(IterableDataset):
        ...     def __iter__(self): return iter(range(5))
        >>> from nn.data import DataLoader
        >>> [b.data.tolist() for b in DataLoader(Count(), batch_size=2)]
        [[0, 1], [2, 3], [4]]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} does not define __iter__; "
                                  "subclasses of IterableDataset must")

    def __add__(self, other):
        return ChainDataset([self, other])


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


class ConcatDataset(Dataset):
    """Several map-style datasets one after another; index ``i`` runs through them in order.

    ``cumulative_sizes[k]`` is the total length of the first ``k + 1``
    datasets. Negative indices count from the end.

    Example:
        >>> ds = ConcatDataset([TensorDataset(np.arange(3)), TensorDataset(np.arange(10, 12))])
        >>> len(ds), ds[3][0], ds[-1][0]
        (5, np.int64(10), np.int64(11))
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for k, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset: dataset {k} is an IterableDataset "
                                f"({type(d).__name__}); chain streams with ChainDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise ValueError(f"ConcatDataset: index {idx} is out of range for a dataset "
                                 f"of length {n}")
            idx = n + idx
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        if k >= len(self.datasets):
            raise IndexError(f"ConcatDataset: index {idx} is out of range for a dataset of "
                             f"length {n}")
        return self.datasets[k][idx - (self.cumulative_sizes[k - 1] if k else 0)]


class ChainDataset(IterableDataset):
    """Several iterable datasets read one after another.

    Example:
        >>> class Count(IterableDataset):
        ...     def __init__(self, n): self.n = n
        ...     def __iter__(self): return iter(range(self.n))
        ...     def __len__(self): return self.n
        >>> list(ChainDataset([Count(2), Count(3)])), len(Count(2) + Count(3))
        ([0, 1, 0, 1, 2], 5)
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def _checked(self):
        for k, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset: dataset {k} is a {type(d).__name__}, not an "
                                "IterableDataset; concatenate map-style datasets with "
                                "ConcatDataset")
            yield d

    def __iter__(self):
        for d in self._checked():
            yield from d

    def __len__(self):
        return sum(len(d) for d in self._checked())


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (what ``random_split`` returns).

    A Subset of a dataset with ``get_batch`` (e.g. a ``TensorDataset``) is
    batched as fast as the dataset itself. A subclass that overrides
    ``__getitem__`` must also override ``__getitems__`` (as in PyTorch), so
    that the DataLoader cannot bypass it.

    Example:
        >>> sub = Subset(TensorDataset(np.arange(10) * 10), [7, 2])
        >>> len(sub), sub[0][0]
        (2, np.int64(70))
    """

    def __init__(self, dataset, indices):
        if (type(self).__getitem__ is not Subset.__getitem__
                and type(self).__getitems__ is Subset.__getitems__):
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__; define "
                "__getitems__(self, indices) too, e.g. returning "
                "[self[i] for i in indices], so that the DataLoader uses your __getitem__")
        self.dataset = dataset
        self.indices = indices

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        """The samples at positions ``indices`` of the subset, as a list.

        Example:
            >>> Subset(TensorDataset(np.arange(5)), [4, 3]).__getitems__([1, 0])
            [(np.int64(3),), (np.int64(4),)]
        """
        picked = [self.indices[i] for i in indices]
        fetch = getattr(self.dataset, "__getitems__", None)
        if callable(fetch):
            return fetch(picked)
        return [self.dataset[i] for i in picked]

    @property
    def get_batch(self):
        """The dataset's ``get_batch`` at the subset's indices (AttributeError if it has none).

        Example:
            >>> Subset(TensorDataset(np.arange(5)), [4, 3]).get_batch(np.array([1]))
            (array([3]),)
        """
        inner = getattr(self.dataset, "get_batch", None)
        if inner is None or type(self).__getitems__ is not Subset.__getitems__:
            raise AttributeError(f"{type(self).__name__} has no get_batch: its dataset "
                                 f"({type(self.dataset).__name__}) does not define one")
        positions = np.asarray(getattr(self.indices, "data", self.indices), dtype=np.intp)

        def get_batch(indices):
            return inner(positions[np.asarray(indices, dtype=np.intp)])
        return get_batch
