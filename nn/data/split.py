"""Splitting data: torch's random_split into Subsets, and train_test_split of arrays."""
import itertools
import math
import numbers
import warnings

import numpy as np

from autograd import Tensor

from ._random import as_generator, draw_from
from .dataset import Subset

__all__ = ["random_split", "train_test_split"]


def _split_lengths(lengths, n):
    """Integer lengths from counts, or from fractions summing to 1 (torch's rounding)."""
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction at index {i} is {frac}, not "
                                 "between 0 and 1")
            counts.append(math.floor(n * frac))
        for i in range(n - sum(counts)):       # the remainder, one each, round-robin
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0; this "
                              "might result in an empty dataset", stacklevel=3)
        return counts
    for i, count in enumerate(lengths):
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
            raise ValueError(f"random_split: lengths must be non-negative integers or "
                             f"fractions summing to 1; got {count!r} at index {i}")
    if total != n:
        raise ValueError(f"random_split: the lengths sum to {total} but the dataset has {n} "
                         "samples; they must be equal (or give fractions summing to 1)")
    return [int(count) for count in lengths]


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` at random into non-overlapping ``Subset``s of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing
    to 1: each split then gets ``floor(fraction * len(dataset))`` and the
    remainder is dealt out one by one from the first split on (as
    torch >= 1.13). ``generator``: None (nn's global generator), an int seed
    or a ``numpy.random.Generator``.

    Example:
        >>> train, val = random_split(range(10), [0.7, 0.3], generator=0)
        >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
        (7, 3, True)
    """
    counts = _split_lengths(list(lengths), len(dataset))
    rng = draw_from(as_generator(generator, "random_split"))
    order = rng.permutation(sum(counts)).tolist()
    return [Subset(dataset, order[end - count:end])
            for end, count in zip(itertools.accumulate(counts), counts)]


def _n_test(test_size, n):
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, float) and 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"train_test_split: test_size must be an int (a count) or a float in "
                         f"(0, 1) (a fraction), got {test_size!r}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"train_test_split: test_size={test_size!r} gives {n_test} test "
                         f"samples out of {n}; both splits need at least one sample")
    return n_test


def _stratified_test_mask(labels, n_test, rng_order):
    # Each class gets its share of the test set, rounded by largest remainder; the
    # samples of a class are taken in the shuffled order, so which ones is random.
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    share = n_test * counts / labels.size
    per_class = np.floor(share).astype(np.int64)
    extra = np.argsort(-(share - per_class), kind="stable")[:n_test - per_class.sum()]
    per_class[extra] += 1
    by_class = rng_order[np.argsort(inverse[rng_order], kind="stable")]
    group_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    cls = inverse[by_class]
    rank = np.arange(labels.size) - group_start[cls]
    return by_class, rank < per_class[cls]


def train_test_split(X, y, test_size=0.25, seed=0, stratify=False):
    """Shuffle with ``seed`` and split into ``(X_train, X_test, y_train, y_test)``.

    The order of the results is scikit-learn's. ``test_size`` is a count (int)
    or a fraction (float, rounded up). ``stratify=True`` gives each class of
    ``y`` its share of the test set (needed when rows are sorted by class, as
    in MNIST-5k, to keep every class on both sides). Both splits come out
    shuffled. Inputs are ndarrays or Tensors; outputs are of the same kind.

    Example:
        >>> X, y = np.arange(20).reshape(10, 2), np.arange(10) % 2
        >>> Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, seed=0)
        >>> Xtr.shape, Xte.shape
        ((8, 2), (2, 2))
    """
    arrays = [a.data if isinstance(a, Tensor) else np.asarray(a) for a in (X, y)]
    if arrays[0].ndim == 0 or arrays[1].ndim == 0 or arrays[0].shape[0] != arrays[1].shape[0]:
        raise ValueError(f"train_test_split: X and y need the same first dimension (the "
                         f"number of samples), got X {arrays[0].shape} {arrays[0].dtype} and "
                         f"y {arrays[1].shape} {arrays[1].dtype}")
    n = arrays[0].shape[0]
    n_test = _n_test(test_size, n)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    if stratify:
        if arrays[1].ndim != 1:
            raise ValueError(f"train_test_split: stratify=True needs class labels y of shape "
                             f"(N,), got {arrays[1].shape} {arrays[1].dtype}")
        order, is_test = _stratified_test_mask(arrays[1], n_test, order)
        test, train = rng.permutation(order[is_test]), rng.permutation(order[~is_test])
    else:
        test, train = order[:n_test], order[n_test:]
    out = []
    for original, a in zip((X, y), arrays):
        for idx in (train, test):
            out.append(Tensor(a[idx]) if isinstance(original, Tensor) else a[idx])
    return out[0], out[1], out[2], out[3]
