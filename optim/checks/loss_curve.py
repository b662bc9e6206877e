"""Loss-curve diagnosis (CS231n's "babysitting the learning process") and NaN hunting.

``diagnose_loss_curve(history)`` reads a fit History (or a plain list of
losses) and returns plain data::

    {"points": 120, "initial_loss": 2.30, "final_loss": 0.41, "min_loss": 0.39,
     "nan": None,            # index of the first NaN/Inf loss
     "exploded": None,       # index of the first loss above 3x the initial one
     "flat_start": False,    # flat for the first 10%, falling afterwards
     "no_progress": False,   # not falling at all
     "overfitting": False,   # train/validation gap (per-epoch keys needed)
     "train_val_gap": 0.02,  # accuracy gap, or val_loss - train_loss; None without val
     "stop": False,          # NaN or explosion: stop training
     "vanishing": False,     # grad_norms given and vanishing towards the input
     "verdicts": ["ok: ..."]}

``find_nan_op(model, loss_fn, X, y)`` reruns a forward and backward pass
under ``autograd.detect_anomaly()`` and names the first op that made a NaN
or Inf, with the line that created it.
"""
import math
import os
import re

import numpy as np

import autograd
from autograd import detect_anomaly, grad
from .measures import gradient_trend
from .sanity import check_args

__all__ = ["diagnose_loss_curve", "find_nan_op"]


def _curve(history, where):
    if isinstance(history, dict):
        for key in ("step_loss", "train_loss"):
            if history.get(key):
                return [float(v) for v in history[key]]
        raise ValueError(f"{where}: the history has no 'step_loss' or 'train_loss' values "
                         f"(keys: {list(history)}); pass optim.fit's History or a list of losses")
    try:
        values = [float(v) for v in history]
    except (TypeError, ValueError):
        raise TypeError(f"{where}: expected a History (dict of lists) or a sequence of loss "
                        f"values, got {type(history).__name__}") from None
    if not values:
        raise ValueError(f"{where}: the loss curve is empty")
    return values


def _gap(history, gap):
    """(overfitting, gap value, verdict or None) from per-epoch train/val records."""
    if not isinstance(history, dict) or not history.get("val_loss"):
        return False, None, None
    train, val = history.get("train_loss") or [], history["val_loss"]
    ta, va = history.get("train_accuracy"), history.get("val_accuracy")
    if ta and va:
        value = float(ta[-1]) - float(va[-1])
        if value > gap:
            return True, value, (f"overfitting: train accuracy {ta[-1]:.3g} vs validation "
                                 f"{va[-1]:.3g} (gap {value:.2g} > {gap:g}): add regularization "
                                 "(L2, dropout), data, or stop earlier")
    else:
        value = float(val[-1]) - float(train[-1]) if train else None
    best = int(np.nanargmin(val)) if not np.all(np.isnan(val)) else None
    if (best is not None and best < len(val) - 1 and val[-1] > val[best] * (1 + gap)
            and len(train) == len(val) and train[-1] < train[best]):
        return True, value, (f"overfitting: validation loss rose from {val[best]:.4g} (epoch "
                             f"{best}) to {val[-1]:.4g} while the training loss kept falling: "
                             "add regularization or use early stopping")
    return False, value, None


def _trend(grad_norms, where):
    if grad_norms is None:
        return None, None
    if hasattr(grad_norms, "gradient_trend"):            # an optim.Diagnostics
        grad_norms = grad_norms.gradient_trend()["grad_norms"]
    try:
        norms = [float(v) for v in grad_norms]
    except (TypeError, ValueError):
        raise TypeError(f"{where}: grad_norms must be per-layer gradient norms (input side "
                        "first) or an optim.Diagnostics, got "
                        f"{type(grad_norms).__name__}") from None
    trend = gradient_trend(norms)
    return trend, (norms[0] / norms[-1] if trend else None)


def diagnose_loss_curve(history, explode_factor=3.0, flat_fraction=0.1, flat_tol=0.02,
                        gap=0.1, grad_norms=None):
    """Read a loss curve the way the lecture does; return flags, numbers and verdicts.

    The curve is ``history['step_loss']`` (else ``'train_loss'``), or the
    sequence itself. Checks, in order: a NaN/Inf (stop; name the op with
    ``find_nan_op``); a loss above ``explode_factor`` x the initial loss
    (stop: learning rate too high); a flat start: the mean of the first
    ``flat_fraction`` of the curve's points changes by less than
    ``flat_tol`` (relative) from its first to its last quarter while the
    curve falls by more than 20% later (suspect the initialization); no
    progress at all (learning rate too low, or a bug); and with per-epoch
    ``val_loss`` a train/validation gap (overfitting): a final accuracy gap
    above ``gap`` or a validation loss risen ``gap`` (relative) above its
    best while the training loss kept falling. The format is in the module
    docstring.

    ``grad_norms``: the weights' gradient norms per layer, input side first
    (or an ``optim.Diagnostics``, whose measured norms are used). When they
    vanish layer by layer towards the input (``optim.checks.gradient_trend``)
    a curve without progress is put down to vanishing gradients, not to the
    learning rate, and ``out["vanishing"]`` is True.

    Example:
        >>> diagnose_loss_curve([2.3, 2.5, 4.0, 9.1])["verdicts"]
        ['stop: the loss rose to 9.1 at point 3, above 3x the initial 2.3: learning rate too high']
    """
    where = "diagnose_loss_curve"
    losses = _curve(history, where)
    trend, trend_ratio = _trend(grad_norms, where)
    if not explode_factor > 1 or not 0 < flat_fraction < 1 or not flat_tol > 0 or not gap > 0:
        raise ValueError(f"{where}: need explode_factor > 1, 0 < flat_fraction < 1, flat_tol > 0 "
                         f"and gap > 0; got {explode_factor}, {flat_fraction}, {flat_tol}, {gap}")
    n, first = len(losses), losses[0]
    finite = [v for v in losses if math.isfinite(v)]
    out = {"points": n, "initial_loss": first, "final_loss": losses[-1],
           "min_loss": min(finite) if finite else None, "nan": None, "exploded": None,
           "flat_start": False, "no_progress": False, "overfitting": False,
           "train_val_gap": None, "stop": False, "vanishing": trend == "vanishing",
           "verdicts": []}
    verdicts = out["verdicts"]
    bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
    if bad is not None:
        out["nan"], out["stop"] = bad, True
        verdicts.append(f"stop: the loss became {losses[bad]} at point {bad}; name the op with "
                        "optim.find_nan_op(model, loss_fn, X, y) (anomaly mode)")
    ok = losses[:bad] if bad is not None else losses
    high = next((i for i, v in enumerate(ok) if v > explode_factor * first), None)
    if high is not None:
        out["exploded"], out["stop"] = high, True
        verdicts.append(f"stop: the loss rose to {ok[high]:.4g} at point {high}, above "
                        f"{explode_factor:g}x the initial {first:.4g}: learning rate too high")
    m = max(4, math.ceil(flat_fraction * len(ok)))
    if not out["stop"] and len(ok) >= 2 * m:
        q = max(1, m // 4)
        start = float(np.mean(ok[:q]))
        head_drop = (start - float(np.mean(ok[m - q:m]))) / abs(start)
        total_drop = (start - float(np.mean(ok[-q:]))) / abs(start)
        if total_drop < flat_tol and trend == "vanishing":
            out["no_progress"] = True
            verdicts.append(f"no progress: the loss went from {start:.4g} to {ok[-1]:.4g} "
                            f"because the gradients vanish on the way back to the input (the "
                            f"input layer's gradient is {trend_ratio:.1e} x the output "
                            "layer's), not because the learning rate is too low: use ReLU, "
                            "Xavier/He initialization, batch norm or residual connections")
        elif total_drop < flat_tol:
            out["no_progress"] = True
            verdicts.append(f"no progress: the loss went from {start:.4g} to {ok[-1]:.4g}: "
                            "learning rate too low, or a bug (run the sanity checks)")
        elif abs(head_drop) < flat_tol and total_drop > 0.2:
            out["flat_start"] = True
            verdicts.append(f"flat start: the loss stayed at {start:.4g} for the first {m} "
                            "points, then fell: suspect the initialization (too small or "
                            "saturating initial weights)")
    out["overfitting"], out["train_val_gap"], verdict = _gap(history, gap)
    if verdict:
        verdicts.append(verdict)
    if not verdicts:
        verdicts.append(f"ok: the loss fell from {first:.4g} to {losses[-1]:.4g} with no warning "
                        "sign")
    return out


_AUTOGRAD_DIR = os.path.dirname(os.path.abspath(autograd.__file__))
# A frame of a traceback, with its source line when it has one (a class made by exec, as in
# `python -c` or some notebooks, has none: the next line is then the next frame's)
_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)(?:\n(?![ \t]*File ")[ \t]*(.*))?')


def _parse(message):
    op = re.search(r"detect_anomaly: (\w+)(\.backward)? produced", message)
    text = re.split(r"[Cc]reated at:\n", message, maxsplit=1)
    frames = _FRAME.findall(text[1]) if len(text) == 2 else []
    outside = [f for f in frames if not os.path.abspath(f[0]).startswith(_AUTOGRAD_DIR)]
    frame = (outside or frames or [None])[-1]
    line = None
    if frame is not None:
        source = frame[3].strip()
        line = f"{frame[0]}:{frame[1]} in {frame[2]}" + (f": {source}" if source else "")
    return {"op": op.group(1) if op else None,
            "phase": "backward" if op and op.group(2) else "forward",
            "line": line, "message": message}


def find_nan_op(model, loss_fn, X, y):
    """Rerun a forward and backward pass under anomaly mode; name the op that made a NaN/Inf.

    Returns ``{"op": "Log", "phase": "forward" or "backward", "line":
    "model.py:12 in forward: return x.log()", "message": ...}`` (the
    innermost creating line outside autograd), ``{"op": None, "phase":
    "parameters", ...}`` when the parameters already hold NaN/Inf (an earlier
    step diverged: rerun from the last good weights), or None when nothing
    non-finite occurs. The gradients go through ``autograd.grad``, so
    ``.grad`` is left alone, and the state dict is restored afterwards
    (BatchNorm's running statistics included).

    Example:
        >>> import nn
        >>> class LogNet(nn.Module):
        ...     def forward(self, x):
        ...         return (x - 10.0).log()
        >>> r = find_nan_op(LogNet(), nn.MSELoss(), np.ones((2, 1)), np.zeros((2, 1)))
        >>> r["op"], r["phase"], r["line"].split(" in ")[-1]
        ('Log', 'forward', 'forward: return (x - 10.0).log()')
        >>> find_nan_op(nn.Identity(), nn.MSELoss(), np.ones((2, 1)), np.zeros((2, 1))) is None
        True
    """
    X, y = check_args("find_nan_op", model, loss_fn, X, y)
    bad = [name for name, p in model.named_parameters() if not np.isfinite(p.data).all()]
    if bad:
        return {"op": None, "phase": "parameters", "line": None,
                "message": f"find_nan_op: parameters {', '.join(bad)} already hold NaN/Inf: "
                           "an earlier step diverged; rerun from the last good weights with "
                           "a lower learning rate"}
    saved = model.state_dict()
    try:
        with detect_anomaly(), np.errstate(all="ignore"):   # the anomaly check reports it
            loss = loss_fn(model(X), y)
            params = [p for p in model.parameters() if p.requires_grad]
            if params and loss.requires_grad:
                grad(loss, params, allow_unused=True)
    except FloatingPointError as e:
        return _parse(str(e))
    finally:
        model.load_state_dict(saved)
    return None
