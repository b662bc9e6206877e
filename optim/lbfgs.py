"""L-BFGS: quasi-Newton steps from a short history of gradient differences (torch's rules).

The algorithm is PyTorch's (itself after minFunc): every ``step(closure)``
runs up to ``max_iter`` iterations of the two-loop recursion over the last
``history_size`` curvature pairs, with a fixed step ``lr`` or a strong-Wolfe
line search. All parameters are handled as one flat vector.
"""
import copy
import numbers

import numpy as np

from autograd import enable_grad

from .optimizer import Optimizer

__all__ = ["LBFGS"]

_LINE_SEARCHES = (None, "strong_wolfe")


class LBFGS(Optimizer):
    """L-BFGS (Nocedal, 1980), as ``torch.optim.LBFGS``; ``step`` needs a closure.

    The closure clears the gradients, computes the loss, calls
    ``backward()`` and returns the loss; one ``step`` may call it up to
    ``max_eval`` times (default ``max_iter * 5 // 4``). An iteration stops
    early when the largest gradient entry is ``<= tolerance_grad``, or the
    step or the loss change is below ``tolerance_change``.
    ``line_search_fn='strong_wolfe'`` chooses each step length by a
    strong-Wolfe search (cubic interpolation); ``None`` steps by ``lr``
    (the first iteration by ``min(1, 1/|g|_1) * lr``). Only one parameter
    group is supported, as in PyTorch. The state (of the first parameter, as
    in PyTorch) holds ``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``,
    ``old_stps``, ``ro``, ``H_diag``, ``prev_flat_grad``, ``prev_loss`` and
    ``al``; flat vectors are 1-D arrays over all parameters in order.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = LBFGS([w], lr=1, line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - 3) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure).item(), w.data.round(4)      # the first loss, then the minimum
        (5.0, array([3., 3.], dtype=float32))
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None and _is_positive_int(max_iter):
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        self._params = self.param_groups[0]["params"]

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        for key in ("max_iter", "max_eval", "history_size"):
            if not _is_positive_int(group[key]):
                raise ValueError(f"LBFGS{where}: {key} must be a positive integer, "
                                 f"got {group[key]!r}")
        for key in ("tolerance_grad", "tolerance_change"):
            if not group[key] >= 0:
                raise ValueError(f"LBFGS{where}: invalid {key}={group[key]}; it must be >= 0")
        if group["line_search_fn"] not in _LINE_SEARCHES:
            raise ValueError(f"LBFGS{where}: line_search_fn must be None or 'strong_wolfe', "
                             f"got {group['line_search_fn']!r}")

    def add_param_group(self, param_group):
        """Add the (single) parameter group; a second one is refused as in PyTorch's step.

        Example:
            >>> from autograd import Tensor
            >>> opt = LBFGS([Tensor([1.0], requires_grad=True)])
            >>> opt.add_param_group({"params": [Tensor([2.0], requires_grad=True)]})
            Traceback (most recent call last):
            ValueError: LBFGS: supports one parameter group only (no per-parameter options, ...
        """
        if self.param_groups:
            raise ValueError("LBFGS: supports one parameter group only (no per-parameter "
                             "options, as PyTorch's); pass all the parameters in one list")
        super().add_param_group(param_group)

    # -- flat views of the parameters ----------------------------------------------

    def _gather_flat_grad(self):
        return np.concatenate([np.zeros(p.data.size, p.data.dtype) if p.grad is None
                               else p.grad.data.reshape(-1) for p in self._params])

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            n = p.data.size
            p.data += step_size * update[offset:offset + n].reshape(p.data.shape)
            p.mark_modified()
            offset += n

    def _clone_param(self):
        return [p.data.copy() for p in self._params]

    def _set_param(self, params_data):
        for p, saved in zip(self._params, params_data):
            p.data[...] = saved
            p.mark_modified()

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # -- the step -------------------------------------------------------------------

    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; returns the closure's first loss.

        Example:
            >>> from autograd import Tensor
            >>> w = Tensor([1.0, 2.0], requires_grad=True); opt = LBFGS([w], max_iter=1)
            >>> def closure():
            ...     opt.zero_grad(); loss = ((w - 3) ** 2).sum(); loss.backward(); return loss
            >>> opt.step(closure).item(), w.data.round(4)    # one step of min(1, 1/|g|_1) lr
            (5.0, array([1.6667, 2.3333], dtype=float32))
        """
        if closure is None or not callable(closure):
            raise TypeError("LBFGS.step: needs a closure that clears the gradients, computes "
                            "the loss, calls loss.backward() and returns the loss, e.g. "
                            "opt.step(closure)")
        if len(self.param_groups) != 1:
            raise ValueError(f"LBFGS.step: found {len(self.param_groups)} parameter groups; "
                             "LBFGS supports one")

        def evaluate():
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._check_flat_grad(self._gather_flat_grad())
        if np.abs(flat_grad).max(initial=0) <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # the direction: steepest descent first, then the two-loop recursion
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:          # keep only pairs with positive curvature
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q += -al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]

            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # the step length
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:      # not a descent direction
                break

            ls_func_evals, opt_cond = 0, False
            if line_search_fn is not None:
                x_init = self._clone_param()

                def obj_func(x, step, direction):
                    return self._directional_evaluate(evaluate, x, step, direction)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # re-evaluate unless this was the last iteration (the caller will)
                    loss = float(evaluate())
                    flat_grad = self._check_flat_grad(self._gather_flat_grad())
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    def _check_flat_grad(self, flat_grad):
        for p in self._params:
            if p.grad is not None and p.grad.shape != p.shape:
                raise RuntimeError(
                    f"LBFGS.step: parameter of shape {p.shape} {p.dtype} has a gradient of "
                    f"shape {p.grad.shape} {p.grad.dtype}; assign p.grad a gradient of the "
                    "parameter's shape")
        return flat_grad

    # -- checkpoints ----------------------------------------------------------------

    def state_dict(self):
        """PyTorch's layout: ``{'state': {0: {...}}, 'param_groups': [...]}``, deep-copied.

        Example:
            >>> from autograd import Tensor
            >>> w = Tensor([1.0, 2.0], requires_grad=True); opt = LBFGS([w], max_iter=1)
            >>> def closure():
            ...     opt.zero_grad(); loss = ((w - 3) ** 2).sum(); loss.backward(); return loss
            >>> loss = opt.step(closure); sd = opt.state_dict()
            >>> sd["state"][0]["n_iter"], sd["state"][0]["d"]      # d: the last direction
            (1, array([4., 2.], dtype=float32))
        """
        sd = super().state_dict()
        sd["state"] = copy.deepcopy({i: self.state[self._params[i]]
                                     for i in sd["state"]})
        return sd

    def load_state_dict(self, state_dict):
        """Restore a state saved by ``state_dict()``; checked first, all-or-nothing.

        Flat vectors must have one entry per parameter element; numbers may be
        0-d arrays and index keys strings (as read back from a file).

        Example:
            >>> from autograd import Tensor
            >>> w = Tensor([1.0, 2.0], requires_grad=True); opt = LBFGS([w], max_iter=1)
            >>> def closure():
            ...     opt.zero_grad(); loss = ((w - 3) ** 2).sum(); loss.backward(); return loss
            >>> loss = opt.step(closure)
            >>> w2 = Tensor([1.0, 2.0], requires_grad=True); opt2 = LBFGS([w2])
            >>> opt2.load_state_dict(opt.state_dict())
            >>> opt2.state[w2]["n_iter"], opt2.state[w2]["d"]
            (1, array([4., 2.], dtype=float32))
        """
        from ._state import unpack_state_dict
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError("LBFGS.load_state_dict: expected a dict with keys 'state' and "
                             "'param_groups' (from LBFGS.state_dict())")
        groups, _ = unpack_state_dict(self, {"state": {}, "param_groups":
                                             state_dict["param_groups"]})
        numel = sum(p.data.size for p in self._params)
        dtype = np.result_type(*[p.data.dtype for p in self._params])
        problems, new = [], {}
        for key, entry in dict(state_dict["state"]).items():
            try:
                index = int(key)
            except (TypeError, ValueError):
                problems.append(f"state key {key!r} is not a parameter index")
                continue
            if not 0 <= index < len(self._params):
                problems.append(f"state for parameter index {index}, which no group lists")
                continue
            new[self._params[index]] = {
                name: _state_value(value, numel, dtype, f"state[{index}][{name!r}]", problems)
                for name, value in dict(entry).items()}
        if problems:
            raise ValueError(f"LBFGS.load_state_dict: {len(problems)} problem(s), nothing was "
                             "loaded:\n  " + "\n  ".join(problems))
        self.state.clear()
        self.state.update({p: s for p, s in new.items() if s})
        group = self.param_groups[0]
        group.clear()
        group.update(groups[0])


def _is_positive_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


def _state_value(value, numel, dtype, where, problems):
    """A private copy of an LBFGS state entry (numbers, flat vectors, lists of them)."""
    if isinstance(value, (list, tuple)):
        return [_state_value(v, numel, dtype, f"{where}[{i}]", problems)
                for i, v in enumerate(value)]
    if value is None or isinstance(value, (bool, numbers.Number)):
        return value
    if hasattr(value, "data") and isinstance(getattr(value, "data"), np.ndarray):
        value = value.data        # a Tensor
    if not isinstance(value, np.ndarray):
        problems.append(f"{where} is a {type(value).__name__}; expected a number, a flat "
                        "array or a list of them")
        return None
    if value.ndim == 0:
        return value[()]
    if value.shape != (numel,):
        problems.append(f"{where} has shape {value.shape}; the parameters have {numel} "
                        f"elements, so flat vectors have shape ({numel},)")
        return None
    return np.array(value, dtype=dtype if value.dtype.kind == "f" else value.dtype, copy=True)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer of the cubic through (x1, f1, g1), (x2, f2, g2), clipped to ``bounds``.

    Example:
        >>> float(_cubic_interpolate(0.0, 1.0, -2.0, 1.0, 0.0, 0.0))   # (x - 1)^2 fits
        1.0
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """A step length ``t`` along ``d`` meeting the strong Wolfe conditions (PyTorch's search).

    Returns ``(f_new, g_new, t, evaluations)``.

    Example:
        >>> def obj_func(x, t, d):          # f(x) = |x - 3|^2 and its gradient at x + t d
        ...     z = x + t * d; return float(((z - 3) ** 2).sum()), 2 * (z - 3)
        >>> x0 = np.zeros(2); f, g = obj_func(x0, 0.0, x0); d = -g
        >>> f_new, g_new, t, n = _strong_wolfe(obj_func, x0, 1.0, d, f, g, g.dot(d))
        >>> f_new, float(t), n              # the exact minimum along d, in 2 evaluations
        (0.0, 0.5, 2)
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    # bracket an interval containing a point satisfying the conditions
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:          # reached the budget without bracketing
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until a point satisfies the conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # stay away from the bracket's ends unless progress was poor twice
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
