"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule (Dozat, 2016)."""
import numpy as np

from ._hyperparameters import check_betas_eps_weight_decay
from .optimizer import Optimizer, count_step, average_square_, lerp_, scalar_like

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``.

    At step ``t`` with ``g = grad + weight_decay * p`` (or, with
    ``decoupled_weight_decay=True``, ``p *= 1 - lr * weight_decay`` first and
    ``g = grad``; ``-grad`` if ``maximize``):
    ``mu_t = b1 (1 - 0.5 * 0.96^(t * momentum_decay))``,
    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
    ``denom = sqrt(v / (1 - b2^t)) + eps``, and
    ``p -= lr (1 - mu_t) / (1 - prod mu_1..t) * g / denom
    + lr mu_{t+1} / (1 - prod mu_1..t+1) * m / denom``.
    State per parameter: ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``.
    ``foreach`` is accepted and has no effect.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = NAdam([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data.round(4)
        array([0.82  , 1.8179], dtype=float32)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False):
        betas = tuple(betas) if isinstance(betas, list) else betas
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        check_betas_eps_weight_decay(f"NAdam{where}", group)
        if not group["momentum_decay"] >= 0.0:
            raise ValueError(f"NAdam{where}: invalid momentum_decay={group['momentum_decay']}; "
                             "it must be >= 0")

    def _state_keys(self, group):
        return ("step", "mu_product", "exp_avg", "exp_avg_sq")

    def _update(self, data, grad, state, group, a, b):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        decoupled, psi = group["decoupled_weight_decay"], group["momentum_decay"]
        if not state:
            state["mu_product"] = np.ones(())
            state["exp_avg"] = np.zeros_like(data)
            state["exp_avg_sq"] = np.zeros_like(data)
        t = count_step(state)
        g = self._prepare_grad(data, grad, wd, maximize, a, lr if decoupled else None)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state["mu_product"]
        if not isinstance(mu_product, np.ndarray):          # from an old state dict
            mu_product = state["mu_product"] = np.array(float(mu_product))
        mu_product *= mu                                     # in place: a replayable update
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, g, 1 - beta1, b)
        average_square_(exp_avg_sq, g, beta2, b)
        np.divide(exp_avg_sq, scalar_like(1 - beta2 ** t, b), out=b)
        np.sqrt(b, out=b)
        b += eps                                       # denom
        np.divide(g, b, out=a)                         # g (possibly in a) is used up
        a *= scalar_like(lr * (1.0 - mu) / (1.0 - mu_product), a)
        data -= a
        np.divide(exp_avg, b, out=a)
        a *= scalar_like(lr * mu_next / (1.0 - mu_product * mu_next), a)
        data -= a
