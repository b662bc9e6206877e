"""A module's state as arrays: collecting it, and restoring it all-or-nothing.

``Module.state_dict`` and ``Module.load_state_dict`` call these; they live
apart because restoring validates a whole checkpoint before touching the
model, and reports every problem in one error.
"""
from collections import namedtuple
from collections.abc import Mapping

import numpy as np

from autograd import Tensor

__all__ = ["state_tensors", "load_state_dict", "IncompatibleKeys"]

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def state_tensors(module):
    """Dotted name -> Tensor for the parameters and persistent buffers, in PyTorch's order.

    Per module (depth first), parameters then buffers; a shared tensor appears
    once, under its first name.

    Example:
        >>> import nn
        >>> list(state_tensors(nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))))
        ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var',
         '1.num_batches_tracked']
    """
    out, seen = {}, set()
    for prefix, m in module.named_modules():
        buffers = [(n, b) for n, b in m._buffers.items() if n not in m._non_persistent]
        for name, t in list(m._parameters.items()) + buffers:
            if t is not None and id(t) not in seen:
                seen.add(id(t))
                out[f"{prefix}.{name}" if prefix else name] = t
    return out


def _as_array(where, key, value):
    if isinstance(value, Tensor):
        return value.data
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{where}: entry {key!r} holds {type(value).__name__} (dtype "
                        f"{arr.dtype}); expected an ndarray, a Tensor or a number")
    return arr


def load_state_dict(module, state_dict, strict=True):
    """Copy ``state_dict``'s arrays into ``module``'s tensors, or raise and change nothing.

    Checks every key, shape and dtype (``same_kind`` castability) first; one
    RuntimeError lists all problems. Missing and unexpected keys count only
    when ``strict``. Values are copied into the existing arrays, so optimizers
    holding the parameters keep working. Returns IncompatibleKeys(missing,
    unexpected).

    Example:
        >>> import nn
        >>> model = nn.Linear(2, 1)
        >>> load_state_dict(model, {"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])})
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> model.weight.data                      # copied in, keeping the model's dtype
        array([[1., 2.]], dtype=float32)
        >>> load_state_dict(model, {"weight": np.zeros((3, 3))})
        Traceback (most recent call last):
            ...
        RuntimeError: Linear.load_state_dict: 2 problem(s), nothing was changed:
          missing key 'bias' (model has shape (1,) float32)
          shape mismatch for 'weight': checkpoint (3, 3) float64, model (1, 2) float32
        (pass strict=False to ignore missing and unexpected keys)
    """
    where = f"{type(module).__name__}.load_state_dict"
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"{where}: expected a dict of name -> array, got "
                        f"{type(state_dict).__name__}")
    own = state_tensors(module)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    problems, updates = [], []
    for key, t in own.items():
        if key not in state_dict:
            continue
        value = _as_array(where, key, state_dict[key])
        if value.shape != t.shape:
            problems.append(f"shape mismatch for {key!r}: checkpoint {value.shape} "
                            f"{value.dtype}, model {t.shape} {t.dtype}")
        elif not np.can_cast(value.dtype, t.dtype, casting="same_kind"):
            problems.append(f"dtype mismatch for {key!r}: checkpoint {value.dtype} cannot "
                            f"be cast to the model's {t.dtype}")
        else:
            updates.append((t, value))
    if strict:
        problems = ([f"missing key {k!r} (model has shape {own[k].shape} {own[k].dtype})"
                     for k in missing] + [f"unexpected key {k!r}" for k in unexpected]
                    + problems)
    if problems:
        hint = ("\n(pass strict=False to ignore missing and unexpected keys)"
                if strict and (missing or unexpected) else "")
        raise RuntimeError(f"{where}: {len(problems)} problem(s), nothing was changed:\n  "
                           + "\n  ".join(problems) + hint)
    for t, value in updates:
        if t.data.flags.writeable:
            np.copyto(t.data, value, casting="same_kind")
        else:
            t.data = value.astype(t.dtype, copy=True)
        t.mark_modified()
    return IncompatibleKeys(missing, unexpected)
