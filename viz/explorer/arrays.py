"""Arrays as the explorer page stores them: exact numbers when small, statistics when large.

A 0-d array becomes one JSON number (``"nan"``, ``"inf"`` or ``"-inf"`` when
not finite). Any other array becomes ``{"s": shape, "n": size, "st":
statistics}`` plus ``"d"`` (every value, flat, C order) when its size is at
most ``max_full``, else ``"hd"`` (its first values); arrays of more than
``INLINE`` values also get ``"h"``, a histogram of their finite values.
float64 values are written exactly (Python's shortest repr), float32 with 9
significant digits (enough to read the float32 back exactly).
"""
import math

import numpy as np

__all__ = ["encode", "number", "INLINE"]

INLINE = 64          # up to this many values the page shows the array itself
BINS = 24
HEAD = 8


def number(v, digits=None):
    """One value as the page stores it: a float, or "nan" / "inf" / "-inf".

    Example:
        >>> number(np.float32(0.1), 9), number(float("inf"))
        (0.100000001, 'inf')
    """
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(f"{v:.{digits}g}") if digits else v


def _digits(a):
    return 9 if a.dtype == np.float32 or a.dtype == np.float16 else None


def _values(a, digits):
    if digits is None and a.dtype.kind == "f" and np.isfinite(a).all():
        return a.astype(np.float64).tolist()
    return [number(v, digits) for v in a.tolist()]


def encode(array, max_full=1024):
    """The page's form of ``array`` (see the module docstring).

    Example:
        >>> encode(np.array(2.5)), encode(np.array([1.0, 2.0]))["d"]
        (2.5, [1.0, 2.0])
    """
    a = np.asarray(array)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    elif a.dtype.kind == "c":
        a = np.abs(a)
    digits = _digits(a)
    if a.ndim == 0:
        return number(a, digits)
    flat = a.reshape(-1)
    out = {"s": list(a.shape), "n": int(a.size)}
    if a.size <= max_full:
        out["d"] = _values(flat, digits)
    else:
        out["hd"] = _values(flat[:HEAD], digits)
    finite = flat[np.isfinite(flat)].astype(np.float64)
    nan = int(np.isnan(flat).sum())
    st = {"nan": nan, "inf": int(flat.size - finite.size - nan)}
    if finite.size:
        st.update(mean=float(finite.mean()), std=float(finite.std()), min=float(finite.min()),
                  max=float(finite.max()), norm=float(np.sqrt(np.sum(finite * finite))))
    else:
        st.update(mean="nan", std="nan", min="nan", max="nan", norm="nan")
    out["st"] = {k: number(v) if isinstance(v, float) else v for k, v in st.items()}
    if a.size > INLINE and finite.size:
        counts, edges = np.histogram(finite, bins=BINS)
        out["h"] = {"c": counts.tolist(), "lo": float(edges[0]), "hi": float(edges[-1])}
    return out
