"""RMSprop: steps scaled by a running root-mean-square of the gradients (PyTorch's rules)."""
import numpy as np

from .optimizer import Optimizer, count_step, average_square_, lerp_

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), as ``torch.optim.RMSprop``.

    With ``g = grad + weight_decay * p``: ``v = alpha * v + (1 - alpha) * g * g``;
    if ``centered``, ``m = alpha * m + (1 - alpha) * g`` and the scale is
    ``sqrt(v - m * m) + eps``, else ``sqrt(v) + eps``. Without momentum
    ``p -= lr * g / scale``; with it ``buf = momentum * buf + g / scale`` and
    ``p -= lr * buf``.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01, centered=True)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data.round(4)
        array([0.8318, 1.8298], dtype=float32)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        for key in ("alpha", "eps", "weight_decay", "momentum"):
            if not group[key] >= 0.0:
                raise ValueError(f"RMSprop{where}: invalid {key}={group[key]}; it must be >= 0")

    def _state_keys(self, group):
        return (("step", "square_avg") + (("momentum_buffer",) if group["momentum"] > 0 else ())
                + (("grad_avg",) if group["centered"] else ()))

    def _update(self, data, grad, state, group, a, b):
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        wd, maximize, centered = group["weight_decay"], group["maximize"], group["centered"]
        if not state:
            state["square_avg"] = np.zeros_like(data)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(data)
            if centered:
                state["grad_avg"] = np.zeros_like(data)
        count_step(state)
        g = self._prepare_grad(data, grad, wd, maximize, a)
        square_avg = state["square_avg"]
        average_square_(square_avg, g, alpha, b)
        if centered:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, g, 1 - alpha, b)
            np.multiply(grad_avg, grad_avg, out=b)
            np.subtract(square_avg, b, out=b)
            np.sqrt(b, out=b)
        else:
            np.sqrt(square_avg, out=b)
        b += eps
        np.divide(g, b, out=b)
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += b
            np.multiply(buf, lr, out=b)
        else:
            b *= lr
        data -= b

