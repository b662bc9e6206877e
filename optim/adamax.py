"""Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from ._hyperparameters import check_betas_eps_weight_decay
from .optimizer import Optimizer, count_step, lerp_, scalar_like

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7), as ``torch.optim.Adamax``.

    With step ``t`` and ``g = grad + weight_decay * p`` (``-grad`` if
    ``maximize``): ``m = b1 m + (1 - b1) g``; ``u = max(b2 u, |g| + eps)``;
    ``p -= lr / (1 - b1^t) * m / u``. State per parameter: ``step``,
    ``exp_avg`` (m) and ``exp_inf`` (u). ``foreach`` is accepted for PyTorch's
    argument order and has no effect.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = Adamax([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data.round(4)
        array([0.8052, 1.8025], dtype=float32)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False):
        betas = tuple(betas) if isinstance(betas, list) else betas
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        check_betas_eps_weight_decay(f"Adamax{where}", group)

    def _state_keys(self, group):
        return ("step", "exp_avg", "exp_inf")

    def _update(self, data, grad, state, group, a, b):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        if not state:
            state["exp_avg"] = np.zeros_like(data)
            state["exp_inf"] = np.zeros_like(data)
        t = count_step(state)
        g = self._prepare_grad(data, grad, wd, maximize, a)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        lerp_(exp_avg, g, 1 - beta1, b)
        exp_inf *= beta2
        np.abs(g, out=b)
        b += eps
        np.maximum(exp_inf, b, out=exp_inf)
        np.divide(exp_avg, exp_inf, out=b)
        b *= scalar_like(lr / (1 - beta1 ** t), b)
        data -= b
