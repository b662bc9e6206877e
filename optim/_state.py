"""Checking an optimizer state dict against an optimizer before it is loaded.

``unpack_state_dict`` validates everything first and returns the new groups and
state, so ``Optimizer.load_state_dict`` either changes nothing or all of it.
"""
import numbers

import numpy as np

__all__ = ["unpack_state_dict"]


def unpack_state_dict(opt, state_dict):
    """Return ``(groups, state)`` for ``opt`` from ``state_dict`` or raise listing every problem.

    Example:
        >>> from autograd import Tensor
        >>> from optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
        >>> groups, state = unpack_state_dict(opt, {"state": {}, "param_groups": [
        ...     {"params": [0], "lr": 0.5}]})
        >>> groups[0]["lr"], state, opt.param_groups[0]["lr"]     # opt is not changed
        (0.5, {}, 0.1)
        >>> unpack_state_dict(opt, {"state": {}, "param_groups": [{"params": [0, 1]}]})
        Traceback (most recent call last):
        ValueError: SGD.load_state_dict: group 0 has 2 parameters in the state dict but 1 here. ...
    """
    name = f"{type(opt).__name__}.load_state_dict"
    if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
        keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
        raise ValueError(f"{name}: expected a dict with keys 'state' and 'param_groups' "
                         f"(from Optimizer.state_dict()), got {keys}")
    saved_groups = list(state_dict["param_groups"])
    if len(saved_groups) != len(opt.param_groups):
        raise ValueError(f"{name}: the state dict has {len(saved_groups)} parameter groups but "
                         f"this optimizer has {len(opt.param_groups)}; build the optimizer "
                         "with the same groups as the one that was saved")
    problems, params, groups, group_of = [], {}, [], {}
    for i, (saved, group) in enumerate(zip(saved_groups, opt.param_groups)):
        indices = [int(k) for k in np.asarray(saved.get("params", [])).reshape(-1)]
        if len(indices) != len(group["params"]):
            problems.append(f"group {i} has {len(indices)} parameters in the state dict but "
                            f"{len(group['params'])} here")
            continue
        for k, p in zip(indices, group["params"]):
            if k in params:
                problems.append(f"parameter index {k} appears twice in param_groups")
            params[k] = p
            group_of[k] = i
        new = {key: _plain(value, group.get(key)) for key, value in saved.items()
               if key != "params"}
        groups.append({**{k: v for k, v in group.items() if k != "params"}, **new,
                       "params": group["params"]})
    if problems:
        raise ValueError(f"{name}: " + "; ".join(problems) + ". Nothing was loaded.")
    for i, group in enumerate(groups):
        try:
            opt._check_hyperparameters(group, f" (group {i} of the state dict)")
        except (ValueError, TypeError, KeyError) as e:
            problems.append(str(e))

    state = {}
    for key, entry in dict(state_dict["state"]).items():
        try:
            k = int(key)
        except (TypeError, ValueError):
            problems.append(f"state key {key!r} is not a parameter index")
            continue
        if k not in params:
            problems.append(f"state for parameter index {k}, which no group lists")
            continue
        p = params[k]
        entry = dict(entry)
        missing = [s for s in opt._state_keys(groups[group_of[k]]) if s not in entry]
        if missing and entry:
            problems.append(f"state of parameter {k} lacks {missing}")
        state[p] = {}
        for s, value in entry.items():
            value, problem = _state_value(value, p, f"state[{k}][{s!r}]")
            if problem:
                problems.append(problem)
            state[p][s] = value
    if problems:
        raise ValueError(f"{name}: {len(problems)} problem(s), nothing was loaded:\n  "
                         + "\n  ".join(problems))
    return groups, {p: s for p, s in state.items() if s}


def _state_value(value, p, where):
    """A private copy of one state entry, cast to the parameter's dtype, or a problem."""
    if isinstance(value, (bool, numbers.Number)) or value is None:
        return value, None
    if hasattr(value, "data") and isinstance(getattr(value, "data"), np.ndarray):
        value = value.data        # a Tensor
    if not isinstance(value, np.ndarray):
        return None, f"{where} is a {type(value).__name__}; expected an array or a number"
    if value.ndim == 0:
        return value.item(), None
    if value.shape != p.shape:
        return None, (f"{where} has shape {value.shape} but its parameter has shape "
                      f"{p.shape} {p.dtype}")
    if value.dtype.kind == "f":
        return np.array(value, dtype=p.dtype, copy=True), None
    return value.copy(), None


def _plain(value, like):
    """A hyperparameter read back from a file in the type the optimizer uses (tuple, number)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(like, tuple) and isinstance(value, (list, np.ndarray)):
        value = tuple(np.asarray(value).tolist())
    return value
