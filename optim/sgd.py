"""SGD with momentum, dampening, Nesterov momentum and weight decay (PyTorch's rules)."""
import numpy as np

from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    With ``g = grad + weight_decay * p`` (negated first if ``maximize``):
    ``buf = g`` on the first step, then ``buf = momentum * buf + (1 - dampening) * g``;
    the step uses ``g + momentum * buf`` if ``nesterov`` else ``buf``, and
    ``p -= lr * step``. Without momentum, ``p -= lr * g``.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.data                  # w1 = 0.8 w0, w2 = w1 - 0.1 (0.9 * 2 w0 + 2 w1)
        array([0.46, 0.92], dtype=float32)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group, where):
        super()._check_hyperparameters(group, where)
        name = f"SGD{where}"
        if not group["momentum"] >= 0.0:
            raise ValueError(f"{name}: invalid momentum={group['momentum']}; it must be >= 0")
        if not group["weight_decay"] >= 0.0:
            raise ValueError(f"{name}: invalid weight_decay={group['weight_decay']}; "
                             "it must be >= 0")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"{name}: nesterov=True needs momentum > 0 and dampening = 0 "
                             f"(got momentum={group['momentum']}, "
                             f"dampening={group['dampening']})")

    def _state_keys(self, group):
        return ("momentum_buffer",) if group["momentum"] else ()

    def _update(self, data, grad, state, group, a, b):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        nesterov, wd, maximize = group["nesterov"], group["weight_decay"], group["maximize"]
        g = self._prepare_grad(data, grad, wd, maximize, a)
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= momentum
                if dampening:
                    np.multiply(g, 1 - dampening, out=b)
                    buf += b
                else:
                    buf += g
            if nesterov:
                np.multiply(buf, momentum, out=b)
                g = np.add(g, b, out=b)
            else:
                g = buf
        np.multiply(g, lr, out=b)
        data -= b
