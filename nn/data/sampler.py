"""Samplers: the order (and grouping) in which a DataLoader visits a map-style dataset.

The names and arguments are torch.utils.data's. Random samplers draw from
their ``generator`` (None: nn's global generator, at each epoch; an int
seed; or a ``numpy.random.Generator``), so the permutations differ from
torch's for the same seed, while the rules (what is drawn, how many, with or
without replacement) are the same.
"""
import itertools
import numbers
from typing import Generic, TypeVar

import numpy as np

from ._random import as_generator, draw_from

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]

T_co = TypeVar("T_co", covariant=True)


def _positive_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


class Sampler(Generic[T_co]):
    """Base class: an iterable over dataset indices (or lists of indices, for batch samplers).

    Subclasses define ``__iter__`` and usually ``__len__``. ``data_source``
    is accepted for compatibility and not used (as in PyTorch).

    Example:
        >>> class Evens(Sampler):
        ...     def __init__(self, n): self.n = n
        ...     def __iter__(self): return iter(range(0, self.n, 2))
        ...     def __len__(self): return (self.n + 1) // 2
        >>> list(Evens(5))
        [0, 2, 4]
    """

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        message = f"{type(self).__name__} does not implement __iter__"
        raise NotImplementedError(message)  # abstract: each sampler defines __iter__


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order.

    Example:
        >>> list(SequentialSampler(range(4)))
        [0, 1, 2, 3]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in random order: a new permutation per epoch, or draws with replacement.

    Without replacement, ``num_samples`` (default ``len(data_source)``) may
    exceed the dataset: whole permutations are chained, then a partial one.
    With ``replacement=True`` each index is drawn independently. An empty
    dataset gives an empty epoch (torch refuses to build the sampler).

    Example:
        >>> sorted(RandomSampler(range(5), generator=0))
        [0, 1, 2, 3, 4]
        >>> len(list(RandomSampler(range(3), replacement=True, num_samples=10, generator=0)))
        10
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        if num_samples is not None and not _positive_int(num_samples):
            raise ValueError(f"RandomSampler: num_samples must be a positive integer, "
                             f"got {num_samples!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        self._rng = as_generator(generator, "RandomSampler")

    @property
    def num_samples(self):
        """The number of indices per epoch (the dataset's length unless given).

        Example:
            >>> RandomSampler(range(7)).num_samples
            7
        """
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, count = len(self.data_source), self.num_samples
        if n == 0:
            if self._num_samples is not None:
                raise ValueError(f"RandomSampler: cannot draw {count} samples from an empty "
                                 "dataset")
            return
        rng = draw_from(self._rng)
        if self.replacement:
            yield from rng.integers(0, n, size=count).tolist()
            return
        for _ in range(count // n):
            yield from rng.permutation(n).tolist()
        if count % n:
            yield from rng.permutation(n)[:count % n].tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a new random order each epoch (without replacement).

    Example:
        >>> sorted(SubsetRandomSampler([10, 20, 30], generator=0))
        [10, 20, 30]
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator
        self._rng = as_generator(generator, "SubsetRandomSampler")

    def __iter__(self):
        for i in draw_from(self._rng).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``.

    With ``replacement=False`` an index is drawn at most once per epoch, so
    ``num_samples`` may not exceed the number of non-zero weights.

    Example:
        >>> s = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=20, generator=0)
        >>> 0 in list(s), len(s)
        (False, 20)
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _positive_int(num_samples):
            raise ValueError(f"WeightedRandomSampler: num_samples must be a positive integer, "
                             f"got {num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement must be a bool, "
                             f"got {replacement!r}")
        data = getattr(weights, "data", weights)
        w = np.asarray(data, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-D sequence, got "
                             f"shape {w.shape}")
        if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
            raise ValueError("WeightedRandomSampler: weights must be finite, >= 0 and not all "
                             "zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples "
                             f"without replacement from {np.count_nonzero(w)} non-zero weights")
        self.weights = w
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator
        self._rng = as_generator(generator, "WeightedRandomSampler")

    def __iter__(self):
        p = self.weights / self.weights.sum()
        draws = draw_from(self._rng).choice(len(p), size=self.num_samples,
                                            replace=self.replacement, p=p)
        yield from draws.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` (any iterable) into lists of ``batch_size``.

    ``drop_last=True`` drops a last, shorter list.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6]]
        >>> list(BatchSampler(range(7), batch_size=3, drop_last=True))
        [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not _positive_int(batch_size):
            raise ValueError(f"BatchSampler: batch_size must be a positive integer, "
                             f"got {batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        while True:
            batch = list(itertools.islice(indices, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
