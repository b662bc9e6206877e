"""Check a recorded backward numerically: rerun the recorded forward with perturbed leaves.

The record lists every op in the engine's forward order (``rec.order``), each
with its ``grad_fn`` and the positional arguments it was applied to. Running
``type(fn).apply(*args)`` for each of them again, with some leaves swapped for
new values, recomputes the roots as a function of those leaves, which is what
central differences need (``autograd.numerical_grad``, in float64). The
analytic side is what the engine itself accumulated into each leaf
(``rec.leaves``), so the page checks the very numbers it shows.

An op whose forward draws random numbers itself would give a different result
on each rerun; the check then reports a mismatch rather than hiding it.
"""
import numpy as np

import autograd
from autograd import Tensor, no_grad

__all__ = ["replay", "numerical_check", "leaf_totals", "ATOL", "RTOL", "EPS"]

ATOL, RTOL, EPS = 1e-5, 1e-3, 1e-6     # autograd.gradcheck's tolerances and step


def replay(order, roots, substitute):
    """The roots recomputed from the recorded ops, with ``substitute`` {leaf: Tensor} swapped in.

    Example:
        >>> a = Tensor(2.0, requires_grad=True, dtype="float64")
        >>> L = a * a + a                                       # 6 at a = 2
        >>> with autograd.record_backward() as rec: L.backward()
        >>> replay(rec.order, rec.roots, {a: Tensor(3.0, dtype="float64")})     # L at a = 3
        [Tensor(12., dtype=float64)]
    """
    values = {id(k): v for k, v in substitute.items()}
    with no_grad():
        for t in order:
            fn = t.grad_fn
            args = [values.get(id(a), a) if isinstance(a, Tensor) else a for a in fn.inputs]
            values[id(t)] = type(fn).apply(*args)
    return [values.get(id(r), r) for r in roots]


def leaf_totals(record):
    """{id(leaf): (leaf, total gradient)} from ``record.leaves`` (a leaf listed twice is summed).

    Example:
        >>> a = Tensor(2.0, requires_grad=True, dtype="float64")
        >>> with autograd.record_backward() as rec: (a * a + a).backward()
        >>> leaf_totals(rec)[id(a)][1]                          # 2a + 1
        array(5.)
    """
    out = {}
    for t, g in record.leaves:
        prev = out.get(id(t))
        out[id(t)] = (t, np.asarray(g) if prev is None else prev[1] + np.asarray(g))
    return out


def numerical_check(record, seeds, leaves):
    """Per leaf: ``(analytic, numerical, max relative error, ok)`` by central differences.

    The relative error ``|a - n| / max(|a|, |n|)`` is taken over the elements
    where ``max(|a|, |n|) > ATOL`` (0 when there are none).

    ``seeds``: {id(root): the gradient backward started from}; ``leaves``:
    the leaf tensors to check. The objective is ``sum(root * seed)`` over the
    roots, the function whose gradient backward computed. A leaf passes when
    every element has ``|a - n| <= ATOL + RTOL * |n|`` (autograd.gradcheck's rule).

    Example:
        >>> a = Tensor(2.0, requires_grad=True, dtype="float64")
        >>> L = a * a + a
        >>> with autograd.record_backward() as rec: L.backward()
        >>> analytic, numerical, rel, ok = numerical_check(rec, {id(L): np.ones(())}, [a])[0]
        >>> analytic, round(float(numerical), 6), rel < 1e-8, ok
        (array(5.), 5.0, True, True)
    """
    totals = leaf_totals(record)
    roots = list(record.roots)

    def objective(*xs):
        outs = replay(record.order, roots, dict(zip(leaves, xs)))
        total = sum(float(np.sum(np.asarray(o.data, dtype=np.float64) * seeds[id(r)]))
                    for o, r in zip(outs, roots))
        return Tensor(np.array(total))

    numerical = autograd.numerical_grad(objective, [np.array(t.data) for t in leaves], eps=EPS)
    out = []
    for t, n in zip(leaves, numerical):
        a = np.asarray(totals[id(t)][1], dtype=np.float64)
        scale = np.maximum(np.abs(a), np.abs(n))
        rel = np.abs(a - n) / np.maximum(scale, np.finfo(np.float64).tiny)
        # elements below ATOL are pure rounding noise: their relative error means nothing
        rel = rel[scale > ATOL]
        ok = bool(np.all(np.abs(a - n) <= ATOL + RTOL * np.abs(n)))
        out.append((a, n, float(rel.max()) if rel.size else 0.0, ok))
    return out
