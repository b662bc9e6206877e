"""Adam and AdamW: bias-corrected moment estimates (AdamW decouples the weight decay)."""
import numpy as np

from ._hyperparameters import check_betas_eps_weight_decay
from .optimizer import Optimizer, average_square_, count_step, lerp_, scalar_like

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``; ``weight_decay`` adds L2 to the gradient.

    With step ``t`` and ``g = grad + weight_decay * p``: ``m = b1 m + (1 - b1) g``,
    ``v = b2 v + (1 - b2) g^2`` (``amsgrad``: the running maximum of ``v`` is used),
    ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data.round(4)       # about lr per step, whatever the gradient's size
        array([0.8004, 1.8002], dtype=float32)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        betas = tuple(betas) if isinstance(betas, list) else betas
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        check_betas_eps_weight_decay(f"{type(self).__name__}{where}", group)

    def _state_keys(self, group):
        return ("step", "exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"]
                                                   else ())

    def _update(self, data, grad, state, group, a, b):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
        decoupled = group["decoupled_weight_decay"]
        if not state:
            state["exp_avg"] = np.zeros_like(data)
            state["exp_avg_sq"] = np.zeros_like(data)
            if amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(data)
        t = count_step(state)
        g = self._prepare_grad(data, grad, wd, maximize, a, lr if decoupled else None)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, g, 1 - beta1, b)
        average_square_(exp_avg_sq, g, beta2, b)
        if amsgrad:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]
        # lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), with sqrt(bc2) folded into the
        # scalars: one pass fewer over the parameter than the textbook order.
        bc2_sqrt = np.sqrt(1 - beta2 ** t)
        np.sqrt(exp_avg_sq, out=b)
        b += scalar_like(eps * bc2_sqrt, b)
        np.divide(exp_avg, b, out=b)
        b *= scalar_like(lr * bc2_sqrt / (1 - beta1 ** t), b)
        data -= b


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``: decoupled weight decay.

    Before the Adam update, ``p *= 1 - lr * weight_decay``; the gradient itself
    is not changed.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data.round(4)       # Adam's steps, and w *= 1 - 0.01 before each
        array([0.7816, 1.7614], dtype=float32)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
