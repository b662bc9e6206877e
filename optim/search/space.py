"""Search spaces: the distributions a hyperparameter is drawn from, grids, and narrowing.

A space is a dict ``name -> spec``. A spec is a distribution (``Uniform``, ``LogUniform``,
``IntUniform``, ``Choice``), a list / tuple / 1-D array of values (a grid axis; random
search draws from it like ``Choice``), or any other value, which is held fixed.
"""
import itertools
import math

import numpy as np

__all__ = ["Uniform", "LogUniform", "IntUniform", "Choice"]


def _check_range(cls, low, high, positive=False):
    for name, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{cls}: {name}={v!r} must be a real number")
        if not math.isfinite(v):
            raise ValueError(f"{cls}: {name}={v!r} must be finite")
    if not low <= high:
        raise ValueError(f"{cls}: low={low!r} must be <= high={high!r}; swap them")
    if positive and not low > 0:
        raise ValueError(f"{cls}: low={low!r} must be > 0 (a log scale needs positive "
                         "values); use Uniform for ranges that include 0")


class Uniform:
    """A real number drawn uniformly from ``[low, high]``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> [round(Uniform(0.0, 0.5).sample(rng), 3) for _ in range(4)]   # e.g. {"dropout": ...}
        [0.318, 0.135, 0.02, 0.008]
    """
    log = False

    def __init__(self, low, high):
        _check_range("Uniform", low, high)
        self.low, self.high = float(low), float(high)

    def _to(self, v):      # the coordinate in which sampling is uniform
        return v

    def _from(self, u):
        return u

    def sample(self, rng):
        """Draw one value with the numpy Generator ``rng``.

        Example:
            >>> Uniform(0, 1).sample(np.random.default_rng(0))
            0.6369616873214543
        """
        lo, hi = self._to(self.low), self._to(self.high)
        return float(min(max(self._from(rng.uniform(lo, hi)), self.low), self.high))

    def _narrowed(self, lo, hi):
        return type(self)(self._from(lo), self._from(hi))

    def __eq__(self, other):
        return type(self) is type(other) and (self.low, self.high) == (other.low, other.high)

    def __repr__(self):
        return f"{type(self).__name__}({self.low!r}, {self.high!r})"


class LogUniform(Uniform):
    """A positive real whose logarithm is uniform: ``exp(U(log low, log high))``.

    The right prior for scale parameters such as learning rates and weight decay, where
    1e-4 .. 1e-3 matters as much as 1e-2 .. 1e-1.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> [f"{LogUniform(1e-5, 1e-1).sample(rng):.1g}" for _ in range(4)]   # every decade alike
        ['0.004', '0.0001', '1e-05', '1e-05']
    """
    log = True

    def __init__(self, low, high):
        _check_range("LogUniform", low, high, positive=True)
        self.low, self.high = float(low), float(high)

    def _to(self, v):
        return math.log(v)

    def _from(self, u):
        return math.exp(u)


class IntUniform(Uniform):
    """An integer drawn uniformly from ``low .. high`` inclusive.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> [IntUniform(16, 256).sample(rng) for _ in range(4)]          # e.g. {"hidden": ...}
        [221, 169, 139, 81]
    """

    def __init__(self, low, high):
        for name, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"IntUniform: {name}={v!r} must be an integer; "
                                "use Uniform for real numbers")
        _check_range("IntUniform", low, high)
        self.low, self.high = int(low), int(high)

    def sample(self, rng):
        """Draw one integer with the numpy Generator ``rng``.

        Example:
            >>> IntUniform(1, 6).sample(np.random.default_rng(0))
            6
        """
        return int(rng.integers(self.low, self.high, endpoint=True))

    def _narrowed(self, lo, hi):
        lo, hi = math.floor(lo), math.ceil(hi)
        return IntUniform(max(lo, self.low), min(hi, self.high))


class Choice:
    """One of a list of values, each equally likely (an axis of the grid in grid search).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> [Choice(["relu", "tanh"]).sample(rng) for _ in range(4)]     # e.g. {"activation": ...}
        ['tanh', 'tanh', 'tanh', 'relu']
        >>> Choice([{1, 2}])                       # values are stored as JSON
        Traceback (most recent call last):
        TypeError: Choice: {1, 2} (set) is not JSON data; use numbers, strings, bools, None, ...
    """

    def __init__(self, values):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"Choice: values must be a list of options, got {values!r}")
        self.values = [_jsonify(v, "Choice") for v in values]
        if not self.values:
            raise ValueError("Choice: values is empty; give at least one option")

    def sample(self, rng):
        """Pick one value with the numpy Generator ``rng``.

        Example:
            >>> Choice(["relu", "tanh"]).sample(np.random.default_rng(0))
            'tanh'
        """
        return self.values[int(rng.integers(len(self.values)))]

    def __eq__(self, other):
        return type(other) is Choice and self.values == other.values

    def __repr__(self):
        return f"Choice({self.values!r})"


def _jsonify(v, what):
    """``v`` as plain JSON data (numpy scalars and arrays, tuples -> lists), or TypeError.

    Params and metrics are stored as JSON Lines, so they must survive a JSON round trip;
    doing it up front means a resumed trial sees exactly what a fresh one saw.
    """
    if isinstance(v, np.generic):
        v = v.item()
    elif isinstance(v, np.ndarray):
        v = v.tolist()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [_jsonify(x, what) for x in v]
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return {k: _jsonify(x, what) for k, x in v.items()}
    raise TypeError(f"{what}: {v!r} ({type(v).__name__}) is not JSON data; use numbers, "
                    "strings, bools, None, lists and dicts with str keys (e.g. the name "
                    "'relu' instead of the class nn.ReLU, mapped inside the objective)")


def _is_axis(spec):
    return isinstance(spec, (list, tuple, range)) or (isinstance(spec, np.ndarray)
                                                      and spec.ndim == 1)


def _normalize(space, where):
    """Check ``space`` and return it with every axis as a Choice and constants as-is."""
    if not isinstance(space, dict) or not space:
        raise TypeError(f"{where}: space must be a non-empty dict name -> spec, e.g. "
                        "{'lr': LogUniform(1e-4, 1e-1), 'hidden': [32, 64]}; "
                        f"got {type(space).__name__}")
    out = {}
    for name, spec in space.items():
        if not isinstance(name, str):
            raise TypeError(f"{where}: parameter names must be strings, got {name!r}")
        if _is_axis(spec):
            spec = Choice(spec)
        elif not isinstance(spec, (Uniform, Choice)):
            spec = _jsonify(spec, f"{where}: constant {name!r}")
        out[name] = spec
    return out


def _grid(space, where):
    """Every point of the Cartesian product of the axes, in the space's order."""
    space = _normalize(space, where)
    for name, spec in space.items():
        if isinstance(spec, Uniform):
            raise ValueError(f"{where}: {name!r} is {spec!r}, which has no finite grid; "
                             "give its values as a list (e.g. [1e-3, 1e-2, 1e-1]) "
                             "or use random_search")
    names = list(space)
    axes = [spec.values if isinstance(spec, Choice) else [spec] for spec in space.values()]
    return [dict(zip(names, point)) for point in itertools.product(*axes)]


def _sample(space, rng):
    """One point drawn from a normalized space, names in the space's order."""
    return {name: spec.sample(rng) if isinstance(spec, (Uniform, Choice)) else spec
            for name, spec in space.items()}


def _narrow(space, top, shrink):
    """The space narrowed around ``top`` (param dicts, best first).

    Each numeric range keeps ``shrink`` of its width (in log space for LogUniform), centred
    on the mean of the top trials, moved as little as needed to hold the best trial and to
    stay inside the old range. Choices and constants are kept as they are: a few noisy top
    trials are weak evidence against an option.
    """
    out = {}
    for name, spec in space.items():
        if isinstance(spec, Uniform):
            lo, hi = spec._to(spec.low), spec._to(spec.high)
            values = [spec._to(p[name]) for p in top]
            width = shrink * (hi - lo)
            centre = min(max(values[0], lo), hi)
            start = float(np.mean(values)) - width / 2
            start = min(max(start, max(lo, centre - width)), min(centre, hi - width))
            new = spec._narrowed(start, start + width)
            # exp(log(x)) may miss x by an ulp: hold the best exactly, stay in the old range
            best = min(max(top[0][name], spec.low), spec.high)
            new.low = max(min(new.low, best), spec.low)
            new.high = min(max(new.high, best), spec.high)
            out[name] = new
        else:
            out[name] = spec
    return out
