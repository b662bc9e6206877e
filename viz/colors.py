"""The colour scale of graph pictures: gradient magnitude on a log scale, pale to dark.

Position 0 is the smallest magnitude in the picture (the "small gradient"
end: a pale, fading colour) and 1 the largest (dark); NaN and Inf get a
colour off the scale so they stand out, and a tensor without a gradient is
left white.
"""
import math

__all__ = ["ColorScale", "NONFINITE_COLOR", "NO_GRAD_COLOR"]

# Small -> large: pale blue to dark blue ("Blues"), readable in print and for colour-blind eyes.
_ANCHORS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
NONFINITE_COLOR = "#ff00ff"      # magenta: NaN or Inf anywhere in the gradient
NO_GRAD_COLOR = "#ffffff"


def _rgb(hex_color):
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


def _interpolate(position):
    position = min(max(position, 0.0), 1.0) * (len(_ANCHORS) - 1)
    i = min(int(position), len(_ANCHORS) - 2)
    t = position - i
    a, b = _rgb(_ANCHORS[i]), _rgb(_ANCHORS[i + 1])
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


class ColorScale:
    """Maps magnitudes to colours on a log10 scale between ``lo`` and ``hi``.

    Example:
        >>> s = ColorScale.fit([1e-6, 1e-3, 1.0])
        >>> s.position(1e-6), s.position(1.0), s.color(1.0)
        (0.0, 1.0, '#08306b')
    """

    def __init__(self, lo, hi):
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0 or hi < lo:
            raise ValueError(f"ColorScale: need 0 < lo <= hi (finite), got lo={lo}, hi={hi}")
        self.lo, self.hi = float(lo), float(hi)

    @classmethod
    def fit(cls, magnitudes):
        """The scale spanning the finite, positive values of ``magnitudes`` (None if none).

        Example:
            >>> ColorScale.fit([0.0, float("nan")]) is None
            True
        """
        values = [m for m in magnitudes if m is not None and math.isfinite(m) and m > 0]
        if not values:
            return None
        return cls(min(values), max(values))

    def position(self, magnitude):
        """Where ``magnitude`` sits on the scale, 0 (smallest) to 1 (largest); 0 for zero.

        Example:
            >>> ColorScale(1e-4, 1.0).position(1e-2)
            0.5
        """
        if magnitude is None or not math.isfinite(magnitude):
            raise ValueError(f"ColorScale.position: expected a finite magnitude, got {magnitude}")
        if magnitude <= 0:
            return 0.0
        lo, hi = math.log10(self.lo), math.log10(self.hi)
        if hi == lo:
            return 1.0
        return min(max((math.log10(magnitude) - lo) / (hi - lo), 0.0), 1.0)

    def color(self, magnitude):
        """The fill colour for ``magnitude`` (hex "#rrggbb"); NaN/Inf give NONFINITE_COLOR.

        Example:
            >>> ColorScale(1e-4, 1.0).color(float("inf"))
            '#ff00ff'
        """
        if magnitude is None:
            return NO_GRAD_COLOR
        if not math.isfinite(magnitude):
            return NONFINITE_COLOR
        return _interpolate(self.position(magnitude))

    @staticmethod
    def font_color(position):
        """White text on the dark end, black elsewhere.

        Example:
            >>> ColorScale.font_color(0.9)
            'white'
        """
        return "white" if position > 0.6 else "black"

    def ticks(self, n=5):
        """``n`` (magnitude, colour) pairs evenly spaced in log10 from lo to hi, for a legend.

        Example:
            >>> [f"{m:.0e}" for m, _ in ColorScale(1e-4, 1.0).ticks(3)]
            ['1e-04', '1e-02', '1e+00']
        """
        lo, hi = math.log10(self.lo), math.log10(self.hi)
        if n < 2 or hi == lo:
            return [(self.hi, self.color(self.hi))]
        return [(10 ** (lo + (hi - lo) * k / (n - 1)), _interpolate(k / (n - 1)))
                for k in range(n)]

    def __repr__(self):
        return f"ColorScale(lo={self.lo:.3g}, hi={self.hi:.3g})"
