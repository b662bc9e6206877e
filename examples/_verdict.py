"""The one rule every example's verdict follows: an effect counts only when it beats the noise.

A claim compares two sets of per-seed figures, ``larger`` (the side the claim says is
larger: slower, more dead units, higher accuracy...) and ``smaller``; either may be one
number (a reference such as ln 10 or a claimed factor), whose spread is 0.

- effect = median(larger) - median(smaller) (on a log scale with ``log=True``, for
  step counts and ratios, where "6x faster" is a difference of logs);
- noise = the larger of the two seed-to-seed ranges (max - min);
- **holds** when effect > noise; **does not hold** when -effect > noise (the opposite
  is true, by more than the noise); **unclear** otherwise: no verdict from a
  difference the size of the noise.

A figure that was never reached within the budget is ``math.inf`` (on its side of the
comparison it is larger than any finite figure); a side whose seeds mix reached and not
reached has an infinite range, so only a clear case on the other side decides nothing:
the verdict is then "unclear".

Example:
    >>> v = verdict([3000, 2900, 3100], [500, 520, 480], log=True)
    >>> v.status
    'holds'
    >>> describe([0.25, 0.5, 0.75])
    '0.5 [0.25-0.75]'
"""
import math
import statistics
from dataclasses import dataclass

__all__ = ["HOLDS", "DOES_NOT_HOLD", "UNCLEAR", "Verdict", "verdict", "within", "describe",
           "median_range"]

HOLDS, DOES_NOT_HOLD, UNCLEAR = "holds", "does not hold", "unclear"


def _values(x):
    if isinstance(x, (int, float)):
        return [float(x)]
    values = [math.inf if v is None else float(v) for v in x]
    if not values or any(math.isnan(v) for v in values):
        raise ValueError(f"verdict: expected one or more numbers (None or inf for 'not "
                         f"reached'), got {x!r}")
    return values


def median_range(x):
    """``(median, min, max)`` of per-seed figures (None counts as inf: not reached).

    Example:
        >>> median_range([3, 1, 2])
        (2.0, 1.0, 3.0)
    """
    v = _values(x)
    return float(statistics.median(v)), min(v), max(v)


def _spread(values):
    low, high = min(values), max(values)
    if low == high:                          # all equal, all inf included
        return 0.0
    return high - low                        # inf when reached and not reached mix


def _num(v, digits=3, inf="not reached"):
    if v is None or (isinstance(v, float) and math.isinf(v)):
        return inf if v is None or v > 0 else "-inf"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e6):
        return str(int(v))
    if v != 0 and not 1e-3 <= abs(v) < 1e5:
        return f"{v:.{digits - 1}e}"
    return f"{v:.{digits}g}"


def describe(x, digits=4):
    """Per-seed figures as "median [min-max]" (one number when they are all equal).

    Example:
        >>> describe([0.9, 0.95, 0.97])
        '0.95 [0.9-0.97]'
        >>> describe([5, 5, 5])
        '5'
        >>> describe([120, None, 300])
        '300 [120-not reached]'
    """
    med, low, high = median_range(x)
    if low == high:
        return _num(med, digits)
    sep = " to " if low < 0 or high < 0 else "-"       # "-0.5 to 0", not "-0.5-0"
    return f"{_num(med, digits)} [{_num(low, digits)}{sep}{_num(high, digits)}]"


@dataclass(frozen=True)
class Verdict:
    """A claim's verdict: ``status`` (holds / does not hold / unclear), the numbers compared.

    ``effect`` and ``noise`` are on the compared scale (logs with ``log=True``); ``text``
    says what was compared, e.g. ``holds: sigmoid 2400 [2100-2900] vs ReLU 380
    [350-420] steps (x6.3, log effect 1.84 > spread 0.32)``.

    Example:
        >>> v = verdict([0.9, 0.92], 0.5, labels=("BN", "chance"))
        >>> v.status, v.text
        ('holds', 'holds: BN 0.91 [0.9-0.92] vs chance 0.5: difference of medians 0.41, |effect| > seed-to-seed spread 0.02')
    """
    status: str
    effect: float
    noise: float
    text: str

    def to_dict(self):
        """The verdict as plain data (JSON-ready: inf and NaN become None).

        Example:
            >>> verdict([2.0], [1.0]).to_dict()["status"]
            'holds'
        """
        clean = lambda v: v if math.isfinite(v) else None      # noqa: E731
        return {"status": self.status, "effect": clean(self.effect),
                "noise": clean(self.noise), "text": self.text}


def _log(values, name):
    if any(v <= 0 for v in values):
        raise ValueError(f"verdict: log=True needs positive figures ({name}), got {values}")
    return [math.log(v) for v in values]


def verdict(larger, smaller, *, log=False, labels=("A", "B"), unit="", budget=None):
    """The claim "``larger`` > ``smaller``" judged against the seed-to-seed noise.

    ``larger`` and ``smaller``: per-seed figures (lists; None or inf = not reached) or
    one number each. See the module docstring for the rule. ``budget``: where a figure is
    a count that stopped at a budget (steps to a target), a "not reached" on the larger
    side counts as the budget, a lower bound of the true figure (the effect can only be
    understated); on the smaller side it stays infinite.

    Example:
        >>> verdict([10, 11, 12], [10.5, 11.5, 12.5]).status     # within the noise
        'unclear'
        >>> verdict([1, 2], [5, 6], labels=("ReLU", "tanh")).status
        'does not hold'
    """
    a, b = _values(larger), _values(smaller)
    if budget is not None:
        a = [min(v, float(budget)) for v in a]
    sa, sb = (_log(a, labels[0]), _log(b, labels[1])) if log else (a, b)
    ma, mb = statistics.median(sa), statistics.median(sb)
    effect = ma - mb if not (math.isinf(ma) and math.isinf(mb) and ma == mb) else 0.0
    noise = max(_spread(sa), _spread(sb))
    if math.isnan(effect) or math.isinf(noise):
        status = UNCLEAR
    elif effect > noise:
        status = HOLDS
    elif -effect > noise:
        status = DOES_NOT_HOLD
    else:
        status = UNCLEAR
    unit = f" {unit}" if unit else ""
    compared = f"{labels[0]} {describe(a)} vs {labels[1]} {describe(b)}{unit}"
    if budget is not None and budget in a:
        compared += f" (not reached counted as the budget, {_num(budget)})"
    rel = "<=" if status == UNCLEAR else ">"
    if log:
        ratio = math.exp(effect) if math.isfinite(effect) else effect
        size = f"ratio of medians x{_num(ratio, inf='inf')}, log {_num(effect, inf='inf')}"
    else:
        size = f"difference of medians {_num(effect, inf='inf')}"
    opposite = " (the opposite way)" if status == DOES_NOT_HOLD else ""
    text = (f"{status}: {compared}: {size}{opposite}, |effect| {rel} seed-to-seed spread "
            f"{_num(noise, inf='inf')}{' (of logs)' if log else ''}")
    return Verdict(status, effect, noise, text)


def within(values, target, tolerance, *, label="measured", target_label=None, log=False):
    """The claim "``values`` are within ``tolerance`` of ``target``", by the same rule.

    It compares the tolerance (one number) with the per-seed distances |v - target|:
    holds when every distance is clearly inside it, does not hold when they are
    clearly outside, unclear when the seeds straddle the tolerance. With ``log=True``
    ``tolerance`` is a factor: the distances are |log v - log target| against
    log(tolerance) ("about 6x" as "within a factor 1.5 of 6").

    Example:
        >>> within([2.30, 2.31, 2.29], 2.3026, 0.05 * 2.3026).status
        'holds'
        >>> within([1.0, 1.1], 6.0, 1.5, log=True).status
        'does not hold'
    """
    v = _values(values)
    name = target_label or _num(target, 5)
    if log:
        distance = [abs(x) for x in _log([x / target for x in v], label)]
        res = verdict(math.log(tolerance), distance)
        text = (f"{res.status}: {label} {describe(v)} vs {name} within a factor "
                f"{_num(tolerance)}: |log(measured / {name})| {describe(distance)} against "
                f"log {_num(tolerance)} = {_num(math.log(tolerance))}, margin "
                f"{_num(res.effect, inf='inf')} {'<=' if res.status == UNCLEAR else '>'} "
                f"spread {_num(res.noise, inf='inf')}")
        return Verdict(res.status, res.effect, res.noise, text)
    distance = [abs(x - target) for x in v]
    res = verdict(tolerance, distance)
    text = (f"{res.status}: {label} {describe(v)} vs {name} +- {_num(tolerance)}: distance "
            f"{describe(distance)}, margin {_num(res.effect, inf='inf')} "
            f"{'<=' if res.status == UNCLEAR else '>'} spread {_num(res.noise, inf='inf')}")
    return Verdict(res.status, res.effect, res.noise, text)
