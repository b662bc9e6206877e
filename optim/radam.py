"""RAdam: Adam whose adaptive step is switched on once its variance is tractable."""
import math

import numpy as np

from ._hyperparameters import check_betas_eps_weight_decay
from .optimizer import Optimizer, count_step, average_square_, lerp_, scalar_like

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """Rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``.

    At step ``t`` with ``g = grad + weight_decay * p`` (or, with
    ``decoupled_weight_decay=True``, ``p *= 1 - lr * weight_decay`` first and
    ``g = grad``; ``-grad`` if ``maximize``): ``m = b1 m + (1 - b1) g``,
    ``v = b2 v + (1 - b2) g^2``, ``rho_inf = 2 / (1 - b2) - 1``,
    ``rho_t = rho_inf - 2 t b2^t / (1 - b2^t)``. If ``rho_t > 5``:
    ``p -= lr * m / (1 - b1^t) * r_t * sqrt(1 - b2^t) / (sqrt(v) + eps)`` with
    ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``;
    otherwise ``p -= lr * m / (1 - b1^t)`` (SGD with momentum). State per
    parameter: ``step``, ``exp_avg``, ``exp_avg_sq``. ``foreach`` is accepted
    and has no effect.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = RAdam([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data.round(4)       # SGD with momentum until rho_t > 5 (step 6 here)
        array([0.6211, 1.2421], dtype=float32)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False):
        betas = tuple(betas) if isinstance(betas, list) else betas
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        check_betas_eps_weight_decay(f"RAdam{where}", group)

    def _state_keys(self, group):
        return ("step", "exp_avg", "exp_avg_sq")

    def _update(self, data, grad, state, group, a, b):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        decoupled = group["decoupled_weight_decay"]
        rho_inf = 2 / (1 - beta2) - 1
        if not state:
            state["exp_avg"] = np.zeros_like(data)
            state["exp_avg_sq"] = np.zeros_like(data)
        t = count_step(state)
        g = self._prepare_grad(data, grad, wd, maximize, a, lr if decoupled else None)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, g, 1 - beta1, b)
        average_square_(exp_avg_sq, g, beta2, b)
        bias_correction2 = 1 - beta2 ** t
        rho_t = rho_inf - 2 * t * beta2 ** t / bias_correction2
        np.divide(exp_avg, scalar_like(1 - beta1 ** t, b), out=b)
        b *= lr
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            np.sqrt(exp_avg_sq, out=a)
            a += eps
            np.divide(scalar_like(bias_correction2 ** 0.5, a), a, out=a)
            b *= a
            b *= rect
        data -= b
