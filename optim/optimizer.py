"""Optimizer: parameter groups, per-parameter state, zero_grad, state_dict.

Subclasses implement ``_update`` (one parameter's step from its gradient and
state; ``step()`` calls it for every parameter that has a gradient) or, as
LBFGS, ``step()`` itself. Steps change ``p.data`` in place with NumPy ufuncs
(``out=``), so a parameter's array keeps its identity and dtype and no graph
node is recorded. Temporaries go into a per-dtype scratch workspace that
is allocated once, so a step allocates nothing after the first.
"""
from collections import defaultdict
import copy

import numpy as np

from autograd import Tensor, enable_grad

__all__ = ["Optimizer", "count_step", "scalar_like", "lerp_", "average_square_"]


class Optimizer:
    """Base class of the optimizers: ``param_groups``, ``state``, ``zero_grad``, ``step``.

    ``params`` is an iterable of leaf Tensors with ``requires_grad=True`` or of
    dicts (parameter groups) with a ``'params'`` entry and per-group overrides
    of ``defaults``. ``state`` maps each parameter to its dict of buffers.

    Example:
        >>> from autograd import Tensor
        >>> from optim import SGD
        >>> w, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0], requires_grad=True)
        >>> opt = SGD([{"params": [w]}, {"params": [b], "lr": 0.01}], lr=0.1)
        >>> (w.sum() + b.sum()).backward(); opt.step()     # every gradient is 1
        >>> w.data, b.data
        (array([0.9, 1.9], dtype=float32), array([0.99], dtype=float32))
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self._check_hyperparameters(self.defaults, "")
        self.state = defaultdict(dict)
        self.param_groups = []
        self._work, self._views = {}, {}
        if isinstance(params, (Tensor, dict)):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors or "
                            f"of dicts (parameter groups), got a single {type(params).__name__}; "
                            "wrap it in a list")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    # -- groups -------------------------------------------------------------------

    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyperparameters (unset ones take the defaults).

        Example:
            >>> from autograd import Tensor
            >>> from optim import SGD
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> opt.add_param_group({"params": [Tensor([2.0], requires_grad=True)], "lr": 1e-4})
            >>> [group["lr"] for group in opt.param_groups]
            [0.1, 0.0001]
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}.add_param_group: expected a dict with a 'params' entry, "
                            f"got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}.add_param_group: the group has no 'params' entry "
                             f"(keys: {sorted(param_group)})")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: parameters must be an ordered sequence (list, tuple, "
                            "generator), not a set, so that state_dict indices are stable")
        params = list(params)
        where = f"group {len(self.param_groups)}"
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            _check_param(p, f"{name}: parameter {i} of {where}")
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {i} of {where} (shape {p.shape} {p.dtype}) "
                                 "appears more than once; pass each parameter to one group once")
            seen.add(id(p))
        group = {**self.defaults, **{k: v for k, v in param_group.items() if k != "params"}}
        self._check_hyperparameters(group, f" ({where})")
        group["params"] = params
        self.param_groups.append(group)

    def _check_hyperparameters(self, group, where):
        """Raise ValueError for invalid hyperparameters; subclasses extend this."""
        lr = group.get("lr", 0.0)
        if not lr >= 0.0:
            raise ValueError(f"{type(self).__name__}{where}: invalid learning rate lr={lr}; "
                             "it must be >= 0")

    # -- gradients ----------------------------------------------------------------

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's gradient: to None (default) or to zeros in place.

        Example:
            >>> from autograd import Tensor
            >>> from optim import SGD
            >>> w = Tensor([1.0, 2.0], requires_grad=True); opt = SGD([w], lr=0.1)
            >>> w.sum().backward(); opt.zero_grad(); w.grad is None
            True
            >>> w.sum().backward(); opt.zero_grad(set_to_none=False); w.grad.data
            array([0., 0.], dtype=float32)
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                elif p.grad.grad_fn is None and p.grad.data.flags.writeable:
                    p.grad.data.fill(0)
                else:   # a gradient with a graph (create_graph=True) or a read-only view
                    p.grad = Tensor(np.zeros_like(p.data))

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss if given.

        Every gradient's shape is checked before any parameter changes; then each
        parameter takes one step of the optimizer's rule (``_update``).

        Example:
            >>> from autograd import Tensor
            >>> from optim import SGD
            >>> w = Tensor([1.0, 2.0], requires_grad=True); opt = SGD([w], lr=0.1)
            >>> (w * w).sum().backward(); opt.step()            # w -= 0.1 * 2w
            >>> w.data
            array([0.8, 1.6], dtype=float32)
        """
        if type(self)._update is Optimizer._update:
            self._update(None, None, None, None, None, None)        # raises: no rule
        loss = self._begin_step(closure)
        for group in self.param_groups:
            for p, data, grad, state, a, b in self._params_with_grad(group):
                self._update(data, grad, state, group, a, b)
        return loss

    def _update(self, data, grad, state, group, scratch_a, scratch_b):
        """One step of one parameter: change ``data`` in place from ``grad`` and ``state``.

        ``group`` holds the hyperparameters; ``scratch_a``/``scratch_b`` are
        scratch arrays shaped like ``data`` (see ``_params_with_grad``).
        """
        message = f"{type(self).__name__} does not implement _update() or step()"
        raise NotImplementedError(message)  # abstract: each optimizer defines its rule

    def _begin_step(self, closure):
        """Run the closure (if any), then check every gradient before any parameter changes."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and p.grad.shape != p.shape:
                    raise RuntimeError(
                        f"{type(self).__name__}.step: parameter of shape {p.shape} {p.dtype} has "
                        f"a gradient of shape {p.grad.shape} {p.grad.dtype}; assign p.grad a "
                        "gradient of the parameter's shape. No parameter was changed.")
        return loss

    def _params_with_grad(self, group):
        """Yield ``(param, data, grad, state, scratch_a, scratch_b)`` for params with a grad.

        ``scratch_a``/``scratch_b`` are views of a shared workspace shaped like the
        parameter; the parameter's version counter is bumped after its update.
        """
        for p in group["params"]:
            if p.grad is None:
                continue
            data, grad = p.data, p.grad.data
            if grad.dtype != data.dtype:
                grad = grad.astype(data.dtype)
            a, b = self._scratch(data)
            yield p, data, grad, self.state[p], a, b
            p.mark_modified()

    def _scratch(self, data):
        # Two views shaped like data into one workspace per dtype, cached per shape.
        key = (data.dtype, data.shape)
        views = self._views.get(key)
        if views is None:
            n = data.size
            work = self._work.get(data.dtype)
            if work is None or work.shape[1] < n:
                work = self._work[data.dtype] = np.empty((2, n), data.dtype)
                self._views = {k: v for k, v in self._views.items() if k[0] != data.dtype}
            views = self._views[key] = (work[0, :n].reshape(data.shape),
                                        work[1, :n].reshape(data.shape))
        return views

    @staticmethod
    def _prepare_grad(data, grad, weight_decay, maximize, out, decoupled_lr=None):
        """The gradient the update uses: ``-grad`` if maximizing, plus ``weight_decay * p``.

        With ``decoupled_lr`` (AdamW's decoupled weight decay) the decay shrinks the
        parameter in place instead, ``p *= 1 - decoupled_lr * weight_decay``, and the
        gradient is left as it is.
        """
        if decoupled_lr is not None:
            if weight_decay:
                data *= 1 - decoupled_lr * weight_decay
            weight_decay = 0
        if weight_decay:
            np.multiply(data, weight_decay, out=out)
            (np.subtract if maximize else np.add)(out, grad, out=out)
            return out
        if maximize:
            return np.negative(grad, out=out)
        return grad

    # -- checkpoints --------------------------------------------------------------

    def state_dict(self):
        """A snapshot ``{'state': {index: {name: array|number}}, 'param_groups': [...]}``.

        Parameters are numbered across the groups in order, as in PyTorch; the
        arrays are copies, so later steps do not change the snapshot.

        Example:
            >>> from autograd import Tensor
            >>> from optim import Adam
            >>> w = Tensor([1.0, 2.0], requires_grad=True); opt = Adam([w], lr=0.1)
            >>> (w * w).sum().backward(); opt.step()
            >>> sd = opt.state_dict(); sd["param_groups"][0]["params"], sd["state"][0]["exp_avg"]
            ([0], array([0.2, 0.4], dtype=float32))
        """
        index, groups = {}, []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, s in self.state.items():
            if s and id(p) in index:
                state[index[id(p)]] = {k: v.copy() if isinstance(v, np.ndarray) else v
                                       for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and state saved by ``state_dict()``; all-or-nothing.

        Group count and sizes, state indices, state keys and array shapes are all
        checked (and every mismatch reported) before anything changes. Arrays
        are copied and cast to their parameter's dtype. Index keys may be
        strings and numbers 0-d arrays (as a state dict read back from a file).

        Example:
            >>> from autograd import Tensor
            >>> from optim import Adam
            >>> w = Tensor([1.0, 2.0], requires_grad=True); opt = Adam([w], lr=0.1)
            >>> (w * w).sum().backward(); opt.step()
            >>> w2 = Tensor([1.0, 2.0], requires_grad=True); opt2 = Adam([w2], lr=0.5)
            >>> opt2.load_state_dict(opt.state_dict())
            >>> opt2.param_groups[0]["lr"], opt2.state[w2]["exp_avg"]
            (0.1, array([0.2, 0.4], dtype=float32))
        """
        from ._state import unpack_state_dict
        groups, state = unpack_state_dict(self, state_dict)
        self.state = defaultdict(dict, state)
        for group, new in zip(self.param_groups, groups):
            group.clear()
            group.update(new)

    def _state_keys(self, group):
        """The state entries each parameter of ``group`` needs once it has any state."""
        return ()


def count_step(state):
    """Advance a parameter's step count and return it: a 0-d float64 array changed in place.

    PyTorch keeps the step as a tensor too. Arithmetic on it (bias corrections)
    is then NumPy arithmetic, which ``autograd.compile`` replays, where a Python
    int would stay frozen at its traced value; and a branch on its value is seen
    by the tracer instead of being baked in. An int step from an old state dict
    is converted.

    Example:
        >>> state = {}
        >>> _ = count_step(state); count_step(state)
        array(2.)
    """
    step = state.get("step")
    if not isinstance(step, np.ndarray) or step.shape:
        step = state["step"] = np.array(0.0 if step is None else float(np.asarray(step)))
    step += 1
    return step


def scalar_like(scalar, array):
    """A step-dependent scalar (float64, computed from ``count_step``) in ``array``'s dtype.

    In-place arithmetic on a float32 parameter with a float64 NumPy scalar runs in
    float64 and is rounded back, at about twice the time; with the scalar in float32
    it runs in float32, rounded as a Python number would be (as PyTorch's optimizers
    compute). ``astype`` keeps it replayable by ``autograd.compile``.

    Example:
        >>> t = count_step({}); scalar_like(0.9 ** t, np.zeros(2, np.float32)).dtype
        dtype('float32')
    """
    return scalar.astype(array.dtype)


def lerp_(start, end, weight, tmp):
    """``start += weight * (end - start)`` in place, rounded as ``torch.lerp`` rounds.

    ``tmp`` is a scratch array shaped like ``start`` (it is overwritten).

    Example:
        >>> m = np.zeros(3); lerp_(m, np.ones(3), 0.1, np.empty(3)); m
        array([0.1, 0.1, 0.1])
    """
    np.subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1 - weight
        np.subtract(end, tmp, out=start)


def average_square_(avg, g, decay, tmp):
    """``avg = decay * avg + (1 - decay) * g * g`` in place (torch's ``mul_(decay).addcmul_``).

    The running average of squared gradients of RMSprop, Adadelta and the Adam
    family; ``tmp`` is a scratch array shaped like ``avg`` (it is overwritten).

    Example:
        >>> v = np.ones(2); average_square_(v, np.array([2.0, 0.0]), 0.5, np.empty(2)); v
        array([2.5, 0.5])
    """
    avg *= decay
    np.multiply(g, 1 - decay, out=tmp)
    tmp *= g
    avg += tmp


def _check_param(p, where):
    if not isinstance(p, Tensor):
        raise TypeError(f"{where} is a {type(p).__name__}, not a Tensor; optimizers take "
                        "Tensors (e.g. model.parameters())")
    if p.dtype.kind != "f":
        raise TypeError(f"{where} has dtype {p.dtype} (shape {p.shape}); only real floating "
                        "tensors can be optimized, e.g. Tensor(a.astype(np.float32), "
                        "requires_grad=True)")
    if not p.requires_grad:
        raise ValueError(f"{where} (shape {p.shape} {p.dtype}) does not require grad; "
                         "call p.requires_grad_() or leave it out")
    if not p.is_leaf:
        raise ValueError(f"{where} (shape {p.shape} {p.dtype}) is not a leaf: it was made by "
                         f"{p.grad_fn.name}; optimize the leaves it was computed from, or "
                         "use .detach().requires_grad_()")
    if not p.data.flags.writeable:
        raise ValueError(f"{where} (shape {p.shape} {p.dtype}) has a read-only array; "
                         "optimizers update parameters in place, give it a writeable copy")
