"""Running statistics of a layer's outputs, for optim.Diagnostics' forward hooks.

Mean and standard deviation come from float64 sums over every output
element; the saturated fraction (sigmoid, tanh) and the dead units (the ReLU
family: never > 0 in any batch seen) are optim.checks.measures' definitions
with the thresholds of ``nn.activation.ACTIVATION_THRESHOLDS``; the histogram
is of a uniform (reservoir) sample of at most ``hist_samples`` of the values seen.
"""
import math

import numpy as np

from nn.activation import ACTIVATION_THRESHOLDS
from .measures import activation_kind, active_units, dead_fraction, saturated_mask

__all__ = ["ActivationStats"]


class ActivationStats:
    """Running statistics of one layer's outputs: moments, saturation, dead units, a sample.

    ``add(out)`` takes one forward's output array; ``stats()`` returns the
    dict documented in optim.checks.diagnostics; ``reset()`` starts over. ``eps``:
    how close to an asymptote counts as saturated (None: the table's).

    Example:
        >>> import nn
        >>> s = ActivationStats("1", nn.ReLU(), None, 10, 1000, np.random.default_rng(0))
        >>> s.add(np.array([[-1.0, 2.0], [-3.0, 4.0]])); s.stats()["dead"]   # unit 0 never > 0
        0.5
    """

    def __init__(self, name, module, eps, bins, hist_samples, rng):
        self.name, self.type, self.kind = name, type(module).__name__, activation_kind(module)
        self.eps, self.bins, self.hist_samples, self.rng = eps, bins, hist_samples, rng
        self.reset()

    def reset(self):
        """Forget everything seen so far.

        Example:
            >>> import nn
            >>> s = ActivationStats("1", nn.Tanh(), None, 10, 1000, np.random.default_rng(0))
            >>> s.add(np.ones((4, 3))); s.reset(); s.stats()["count"], s.stats()["mean"]
            (0, None)
        """
        self.batches = self.count = self.saturated = 0
        self.total = self.total_sq = 0.0
        self.ever_active, self.sample, self.seen = None, np.empty(self.hist_samples), 0

    def add(self, out):
        """Count one output array (the batch along its first axis).

        Example:
            >>> import nn
            >>> s = ActivationStats("1", nn.Tanh(), None, 10, 1000, np.random.default_rng(0))
            >>> s.add(np.array([[0.999, 0.1], [-0.2, -0.995]]))
            >>> s.stats()["batches"], s.stats()["count"], s.stats()["saturated"]
            (1, 4, 0.5)
        """
        v = np.asarray(out, dtype=np.float64)
        self.batches += 1
        self.count += v.size
        self.total += float(v.sum())
        self.total_sq += float(np.square(v).sum())
        saturated = saturated_mask(v, self.kind, self.eps)
        if saturated is not None:
            self.saturated += int(np.count_nonzero(saturated))
        active = active_units(v, self.kind)
        if active is not None:
            if self.ever_active is None or self.ever_active.shape != active.shape:
                self.ever_active = active
            else:
                self.ever_active |= active
        self._sample_values(v.reshape(-1))

    def _sample_values(self, flat):
        # Reservoir sampling (Algorithm R, vectorized): a uniform sample of every value seen.
        k, seen = self.hist_samples, self.seen
        room = max(0, min(k - seen, flat.size))
        if room:
            self.sample[seen:seen + room] = flat[:room]
        rest = flat[room:]
        if rest.size:
            slots = self.rng.integers(0, np.arange(seen + room + 1, seen + flat.size + 1))
            keep = slots < k
            slots, values = slots[keep][::-1], rest[keep][::-1]
            slots, last = np.unique(slots, return_index=True)   # the latest value wins a slot
            self.sample[slots] = values[last]
        self.seen = seen + flat.size

    def stats(self):
        """The statistics so far as a plain dict (the format is in optim.checks.diagnostics).

        Example:
            >>> import nn
            >>> s = ActivationStats("1", nn.Sigmoid(), None, 4, 1000, np.random.default_rng(0))
            >>> s.add(np.array([[0.1, 0.3], [0.6, 0.8]]))
            >>> stats = s.stats(); stats["mean"], stats["std"] > 0, stats["hist"]["counts"]
            (0.45, True, [1, 1, 1, 1])
        """
        mean = self.total / self.count if self.count else None
        std = (math.sqrt(max(self.total_sq / self.count - mean * mean, 0.0))
               if self.count else None)
        values = self.sample[:min(self.seen, self.hist_samples)]
        values = values[np.isfinite(values)]
        rule = ACTIVATION_THRESHOLDS.get(self.kind)
        span = rule.asymptotes if rule is not None else None
        if span is None:
            span = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        counts, edges = np.histogram(values, bins=self.bins, range=span)
        dead = None if self.ever_active is None else dead_fraction(self.ever_active)
        saturates = rule is not None and rule.asymptotes is not None
        return {"layer": self.name, "type": self.type, "batches": self.batches,
                "count": self.count, "mean": mean, "std": std,
                "saturated": (self.saturated / self.count if self.count else None)
                if saturates else None,
                "dead": dead,
                "units": None if self.ever_active is None else int(self.ever_active.size),
                "hist": {"counts": counts.tolist(), "edges": edges.tolist()}}
