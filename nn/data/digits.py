"""Real handwritten digits shipped with the package: UCI digits (8x8) and MNIST-5k (28x28).

The arrays are package data (``nn/data/*.npz``, read with ``importlib.resources``,
never from the network); provenance and licences are in ``nn/data/DATA.md``.
"""
from importlib import resources

import numpy as np

from .split import train_test_split

__all__ = ["load_digits", "load_mnist5k"]


def _load(filename, max_value, scale, split, n_test, seed):
    with resources.files(__package__).joinpath(filename).open("rb") as f:
        with np.load(f, allow_pickle=False) as npz:
            images, labels = npz["images"], npz["labels"].astype(np.int64)
    if scale:
        images = images.astype(np.float32) / np.float32(max_value)
    if not split:
        return images, labels
    Xtr, Xte, ytr, yte = train_test_split(images, labels, test_size=n_test, seed=seed,
                                          stratify=True)
    return Xtr, ytr, Xte, yte


def load_digits(scale=False, split=False, n_test=360, seed=0):
    """The 1,797 UCI handwritten digits: images (1797, 8, 8) with pixels 0..16, labels 0..9.

    Returns ``(images, labels)``: images uint8, or float32 in [0, 1] with
    ``scale=True``; labels int64 class indices (about 180 per class). With
    ``split=True`` returns ``(X_train, y_train, X_test, y_test)``: a stratified
    split (every class keeps its share) shuffled with ``seed``, ``n_test``
    samples in the test set. For an MLP flatten with ``X.reshape(len(X), -1)``;
    for a convnet add the channel axis with ``X[:, None]`` (NCHW).

    Example:
        >>> Xtr, ytr, Xte, yte = load_digits(scale=True, split=True, seed=0)
        >>> Xtr.shape, Xte.shape, Xtr.dtype
        ((1437, 8, 8), (360, 8, 8), dtype('float32'))
    """
    return _load("digits.npz", 16, scale, split, n_test, seed)


def load_mnist5k(scale=False, split=False, n_test=1000, seed=0):
    """5,000 MNIST digits, 500 per class: images (5000, 28, 28) with pixels 0..255, labels 0..9.

    The stored rows are sorted by class; ``split=True`` shuffles with ``seed``
    and returns ``(X_train, y_train, X_test, y_test)`` with ``n_test`` test
    samples, stratified (the default 1,000 test samples are 100 per class).
    Images are uint8, or float32 in [0, 1] with ``scale=True``; labels are
    int64 class indices.

    Example:
        >>> Xtr, ytr, Xte, yte = load_mnist5k(scale=True, split=True, n_test=1000, seed=0)
        >>> Xtr.reshape(len(Xtr), -1).shape, np.bincount(yte).tolist()[:3]
        ((4000, 784), [100, 100, 100])
    """
    return _load("mnist5k.npz", 255, scale, split, n_test, seed)
