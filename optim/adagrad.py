"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""
import numpy as np

from .optimizer import Optimizer, count_step, scalar_like

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    With ``g = grad + weight_decay * p`` and step count ``t``:
    ``sum += g * g``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)``.
    ``sum`` starts at ``initial_accumulator_value``.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = Adagrad([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data.round(4)       # steps of lr, then lr * g2 / sqrt(g1^2 + g2^2)
        array([0.8331, 1.8311], dtype=float32)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        for key in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            if not group[key] >= 0.0:
                raise ValueError(f"Adagrad{where}: invalid {key}={group[key]}; it must be >= 0")

    def _state_keys(self, group):
        return ("step", "sum")

    def _update(self, data, grad, state, group, a, b):
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        if not state:
            state["sum"] = np.full_like(data, group["initial_accumulator_value"])
        step = count_step(state)
        g = self._prepare_grad(data, grad, wd, maximize, a)
        clr = lr / (1 + (step - 1) * lr_decay)
        acc = state["sum"]
        np.multiply(g, g, out=b)
        acc += b
        np.sqrt(acc, out=b)
        b += eps
        np.divide(g, b, out=b)
        b *= scalar_like(clr, b)
        data -= b
