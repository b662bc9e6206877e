"""DataLoader: batches from a dataset with torch.utils.data.DataLoader's arguments and rules.

Loading always runs in the calling process: this engine is CPU-only NumPy,
and worker processes would only copy arrays between processes. The worker
arguments are accepted and checked as PyTorch checks them, so programs run
unchanged, and the batches are those PyTorch's ``num_workers=0`` gives.
"""
import math
import numbers

import numpy as np

from autograd import Tensor

from ._random import as_generator
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]

_START_METHODS = ("fork", "spawn", "forkserver")


def get_worker_info():
    """Information about the current loader worker process: always None here.

    All loading happens in the calling process (as PyTorch's
    ``num_workers=0``), so an ``IterableDataset`` that shards its stream by
    worker reads the whole stream once.

    Example:
        >>> get_worker_info() is None
        True
    """
    return None


def _is_positive_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


class DataLoader:
    """Iterate over a dataset in batches, as ``torch.utils.data.DataLoader``.

    Map-style datasets are visited in the order of ``sampler`` (default:
    sequential, or a new random permutation every epoch with
    ``shuffle=True``, drawn from ``generator``: None is nn's global
    generator, an int seeds a generator of the loader's own, a
    ``numpy.random.Generator`` is used as is). ``batch_size`` indices are
    grouped (``drop_last=True`` drops a short last batch), or
    ``batch_sampler`` gives the index lists itself. Each list of samples goes
    through ``collate_fn`` (default ``default_collate``: a Tensor per field,
    tuples of fields as lists, dicts as dicts). ``batch_size=None`` turns
    batching off: each sample goes through ``collate_fn`` (default
    ``default_convert``). An ``IterableDataset`` is read in order, its
    consecutive samples batched.

    With the default collate, a dataset with ``get_batch(indices)`` (a
    ``TensorDataset`` or a ``Subset`` of one) is batched with one fancy-index
    per array. Batches are new arrays that do not require gradients.

    ``num_workers``, ``pin_memory``, ``timeout``, ``worker_init_fn``,
    ``multiprocessing_context``, ``prefetch_factor``, ``persistent_workers``,
    ``pin_memory_device`` and ``in_order`` are accepted and validated as
    PyTorch does, but loading always runs serially in the calling process
    (CPU-only engine): ``pin_memory`` is a no-op, ``worker_init_fn`` is never
    called (there are no workers; ``get_worker_info()`` is None), and the
    batches are exactly those of ``num_workers=0``.

    Example:
        >>> from nn.data import TensorDataset
        >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
        >>> loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=0)
        >>> len(loader), [yb for xb, yb in loader]     # one epoch: shuffled, the last one short
        (3, [Tensor([4, 6, 2, 7], dtype=int64), Tensor([3, 5, 9, 0], dtype=int64),
             Tensor([8, 1], dtype=int64)])
        >>> xb, yb = next(iter(loader))      # a new epoch, a new order; X[i, 0] is 2 * y[i]
        >>> yb, xb[:, 0]
        (Tensor([2, 9, 3, 6], dtype=int64), Tensor([ 4., 18.,  6., 12.], dtype=float64))
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers,
                       multiprocessing_context)
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value is not None and value is not False:
                    raise ValueError(f"DataLoader with an IterableDataset: expected no {name} "
                                     f"option (the stream has its own order), got "
                                     f"{name}={value!r}")
        elif not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must define __getitem__ (and usually "
                            f"__len__), e.g. a Dataset or TensorDataset, or be an "
                            f"IterableDataset; got {type(dataset).__name__}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle; "
                             "shuffle inside the sampler (e.g. RandomSampler) instead")
        if batch_size is not None and not _is_positive_int(batch_size):
            raise ValueError(f"DataLoader: batch_size must be a positive integer or None, got "
                             f"{batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"DataLoader: drop_last must be a bool, got {drop_last!r}")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and "
                             "is mutually exclusive with drop_last")
        rng = as_generator(generator, "DataLoader")
        if sampler is None and not iterable:
            if not hasattr(dataset, "__len__"):
                raise TypeError(f"DataLoader: dataset {type(dataset).__name__} has no "
                                "__len__; define it or pass a sampler")
            sampler = (RandomSampler(dataset, generator=rng) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            auto = batch_sampler is not None or (iterable and batch_size is not None)
            collate_fn = default_collate if auto else default_convert
        elif not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got "
                            f"{type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None \
            else prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order

    def __len__(self):
        """The number of batches per epoch (of samples, with ``batch_size=None``).

        Example:
            >>> from nn.data import TensorDataset
            >>> len(DataLoader(TensorDataset(np.arange(10)), batch_size=4, drop_last=True))
            2
        """
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            batches = self._iterate_stream()
        elif self.batch_sampler is None:
            batches = (self.collate_fn(self.dataset[i]) for i in self.sampler)
        else:
            batches = (self._fetch(indices) for indices in self.batch_sampler)
        return _LoaderIterator(batches, self)

    def _fetch(self, indices):
        if self.collate_fn is default_collate:
            get_batch = getattr(self.dataset, "get_batch", None)
            if get_batch is not None:
                return [Tensor(a) for a in get_batch(np.asarray(indices, dtype=np.intp))]
        get_items = getattr(self.dataset, "__getitems__", None)
        if callable(get_items):
            samples = get_items(list(indices))
        else:
            samples = [self.dataset[i] for i in indices]
        return self.collate_fn(samples)

    def _iterate_stream(self):
        stream = iter(self.dataset)
        if self.batch_size is None:
            for sample in stream:
                yield self.collate_fn(sample)
            return
        while True:
            samples = []
            for sample in stream:
                samples.append(sample)
                if len(samples) == self.batch_size:
                    break
            if not samples or (self.drop_last and len(samples) < self.batch_size):
                return
            yield self.collate_fn(samples)

    def __repr__(self):
        size = len(self.dataset) if hasattr(self.dataset, "__len__") else "?"
        return (f"DataLoader({type(self.dataset).__name__} of {size}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")


class _LoaderIterator:
    """One epoch of a DataLoader: an iterator that also knows the loader's length."""

    def __init__(self, batches, loader):
        self._batches = batches
        self._loader = loader

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self):
        return len(self._loader)


def _check_workers(num_workers, timeout, prefetch_factor, persistent_workers, context):
    """PyTorch's checks of the multiprocessing arguments (which change nothing here)."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) \
            or num_workers < 0:
        raise ValueError(f"DataLoader: num_workers option should be a non-negative integer, "
                         f"got {num_workers!r}; use num_workers=0 to disable multiprocessing")
    if not timeout >= 0:
        raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout!r}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                         "multiprocessing; let num_workers > 0 to enable multiprocessing, "
                         "otherwise set prefetch_factor to None")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError(f"DataLoader: prefetch_factor option should be non-negative, "
                         f"got {prefetch_factor!r}")
    if persistent_workers and num_workers == 0:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
    if context is not None:
        if num_workers == 0:
            raise ValueError("DataLoader: multiprocessing_context can only be used with "
                             "multi-process loading (num_workers > 0), but got num_workers=0")
        if isinstance(context, str) and context not in _START_METHODS:
            raise ValueError(f"DataLoader: multiprocessing_context should specify a valid "
                             f"start method in {list(_START_METHODS)}, got {context!r}")
