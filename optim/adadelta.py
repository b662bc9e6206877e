"""Adadelta: steps scaled by the ratio of running RMS of updates and of gradients."""
import numpy as np

from .optimizer import Optimizer, count_step, average_square_

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    With ``g = grad + weight_decay * p`` (``-grad`` if ``maximize``):
    ``v = rho v + (1 - rho) g^2``; ``delta = sqrt(u + eps) / sqrt(v + eps) * g``;
    ``u = rho u + (1 - rho) delta^2``; ``p -= lr * delta``. State per
    parameter: ``step``, ``square_avg`` (v) and ``acc_delta`` (u). ``foreach``
    is accepted for PyTorch's argument order and has no effect (one NumPy path).

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = Adadelta([w])                    # lr=1.0, rho=0.9, eps=1e-6
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data.round(4)       # small first steps: the RMS of past updates starts at 0
        array([0.9936, 1.9936], dtype=float32)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Adadelta{where}: invalid rho={group['rho']}; it must be in "
                             "[0, 1]")
        for key in ("eps", "weight_decay"):
            if not group[key] >= 0.0:
                raise ValueError(f"Adadelta{where}: invalid {key}={group[key]}; it must be >= 0")

    def _state_keys(self, group):
        return ("step", "square_avg", "acc_delta")

    def _update(self, data, grad, state, group, a, b):
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        if not state:
            state["square_avg"] = np.zeros_like(data)
            state["acc_delta"] = np.zeros_like(data)
        count_step(state)
        g = self._prepare_grad(data, grad, wd, maximize, a)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        average_square_(square_avg, g, rho, b)
        np.add(square_avg, eps, out=b)
        np.sqrt(b, out=b)                      # std
        np.divide(g, b, out=b)                 # g / std; g is not needed after this
        np.add(acc_delta, eps, out=a)
        np.sqrt(a, out=a)
        b *= a                                 # delta
        average_square_(acc_delta, b, rho, a)
        b *= lr
        data -= b
