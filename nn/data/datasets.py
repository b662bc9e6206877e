"""Toy 2-D classification datasets that need no network: XOR, spirals, moons, circles.

Each returns ``(X, y)``: ``X`` of shape (N, 2) in autograd's default float
dtype (float32 unless changed; pass ``dtype=`` to choose) and ``y`` int64
class indices. The same ``seed`` gives the same data; the draws come from
``np.random.default_rng(seed)``.
"""
import numbers

import numpy as np

from autograd import get_default_dtype

__all__ = ["xor", "spirals", "moons", "circles"]


def _check(name, n=None, noise=None, **positive_ints):
    if n is not None:
        positive_ints = {"n": n, **positive_ints}
    for arg, value in positive_ints.items():
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}: {arg} must be a positive int, got {value!r}")
    if noise is not None and not noise >= 0:
        raise ValueError(f"{name}: noise must be >= 0 (a standard deviation), got {noise!r}")


def _finish(X, y, dtype):
    return X.astype(get_default_dtype() if dtype is None else dtype), y.astype(np.int64)


def xor(n=200, noise=0.1, seed=0, dtype=None):
    """2-D XOR: points uniform in [-1, 1]^2, class 1 where the two coordinates differ in sign.

    Gaussian noise of std ``noise`` is added to the points after labelling,
    so points near the axes can land in the other class's quadrant.

    Example:
        >>> X, y = xor(100, seed=1)
        >>> X.shape, y.shape, sorted(set(y.tolist()))
        ((100, 2), (100,), [0, 1])
    """
    _check("xor", n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (X[:, 0] > 0) != (X[:, 1] > 0)
    return _finish(X + noise * rng.standard_normal((n, 2)), y, dtype)


def spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0, dtype=None):
    """CS231n's spiral data: ``n_classes`` arms of ``n_per_class`` points, rows sorted by class.

    Exactly the notes' recipe (cs231n.github.io/neural-networks-case-study),
    vectorized: for arm j, ``r = linspace(0, 1, N)``, ``t = linspace(4j, 4(j+1),
    N) + randn(N) * noise``, point ``(r sin t, r cos t)``.

    Example:
        >>> X, y = spirals(n_per_class=50, n_classes=3, seed=0)
        >>> X.shape, np.bincount(y).tolist()
        ((150, 2), [50, 50, 50])
    """
    _check("spirals", noise=noise, n_per_class=n_per_class, n_classes=n_classes)
    rng = np.random.default_rng(seed)
    j = np.arange(n_classes)
    r = np.linspace(0.0, 1.0, n_per_class)
    # One (K, N) draw is the notes' K sequential randn(N) draws, row by row.
    t = np.linspace(j * 4.0, (j + 1) * 4.0, n_per_class, axis=-1)
    t = t + rng.standard_normal((n_classes, n_per_class)) * noise
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=-1).reshape(-1, 2)
    return _finish(X, np.repeat(np.arange(n_classes), n_per_class), dtype)


def moons(n=200, noise=0.1, seed=0, dtype=None):
    """Two interleaving half circles (as scikit-learn's ``make_moons``), shuffled.

    The upper moon (class 0) has ``n // 2`` points, the lower one (class 1)
    the rest; Gaussian noise of std ``noise`` is added.

    Example:
        >>> X, y = moons(101, noise=0.05, seed=3)
        >>> X.shape, np.bincount(y).tolist()
        ((101, 2), [50, 51])
    """
    _check("moons", n, noise)
    rng = np.random.default_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    a_out, a_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.stack([np.cos(a_out), np.sin(a_out)], axis=1),
                        np.stack([1 - np.cos(a_in), 0.5 - np.sin(a_in)], axis=1)])
    y = np.repeat([0, 1], [n_out, n_in])
    order = rng.permutation(n)
    return _finish(X[order] + noise * rng.standard_normal((n, 2)), y[order], dtype)


def circles(n=200, noise=0.05, factor=0.5, seed=0, dtype=None):
    """A small circle (class 1, radius ``factor``) inside a unit circle (class 0), shuffled.

    As scikit-learn's ``make_circles``: ``n // 2`` points on the outer circle,
    the rest on the inner one, evenly spaced in angle, plus Gaussian noise.

    Example:
        >>> X, y = circles(100, factor=0.3, seed=0)
        >>> X.shape, np.bincount(y).tolist()
        ((100, 2), [50, 50])
    """
    _check("circles", n, noise)
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor (inner radius / outer radius) must be in (0, 1), "
                         f"got {factor!r}")
    rng = np.random.default_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    a_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    a_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.stack([np.cos(a_out), np.sin(a_out)], axis=1),
                        factor * np.stack([np.cos(a_in), np.sin(a_in)], axis=1)])
    y = np.repeat([0, 1], [n_out, n_in])
    order = rng.permutation(n)
    return _finish(X[order] + noise * rng.standard_normal((n, 2)), y[order], dtype)
