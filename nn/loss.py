"""Losses, as functions (PyTorch's nn.functional names and arguments) and as modules.

Every loss takes ``reduction`` = 'none' | 'mean' | 'sum'. Class-index targets
may be an integer ndarray or Tensor. This module holds the regression and
binary losses; the classification ones (cross_entropy, nll_loss,
multi_margin_loss) live in nn.classification and are re-exported here, and
the helpers every loss shares in nn.loss_base.
"""
import numpy as np

from autograd import Function, Tensor, where
from .arguments import flag, number
from .classification import (cross_entropy, nll_loss, multi_margin_loss, CrossEntropyLoss,
                             NLLLoss, MultiMarginLoss)
from .loss_base import Loss, as_array, as_input, as_target, check_reduction, reduce_loss

__all__ = ["mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "nll_loss", "multi_margin_loss", "smooth_l1_loss", "huber_loss",
           "kl_div", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss", "MultiMarginLoss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "Loss",
           "reduce_loss"]


def _weight(op, weight, like):
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(f"{op}: weight must be an array, got the string {weight!r}; pass "
                        "reduction= as a keyword")
    w = weight if isinstance(weight, Tensor) else Tensor(as_array(op, "weight", weight,
                                                                  like.dtype))
    try:
        if np.broadcast_shapes(w.shape, like.shape) != like.shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{op}: weight shape {w.shape} does not broadcast to the input shape "
                         f"{like.shape}") from None
    return w


def mse_loss(input, target, reduction="mean"):
    """Squared error (input - target)**2, reduced.

    Example:
        >>> mse_loss(Tensor([1.0, 3.0]), Tensor([0.0, 1.0]))
        Tensor(2.5, dtype=float32)
    """
    check_reduction("mse_loss", reduction)
    input = as_input("mse_loss", input)
    d = input - as_target("mse_loss", target, input)
    return reduce_loss(d * d, reduction)


def l1_loss(input, target, reduction="mean"):
    """Absolute error |input - target|, reduced.

    Example:
        >>> l1_loss(Tensor([1.0, 3.0]), Tensor([0.0, 1.0]))
        Tensor(1.5, dtype=float32)
    """
    check_reduction("l1_loss", reduction)
    input = as_input("l1_loss", input)
    return reduce_loss((input - as_target("l1_loss", target, input)).abs(), reduction)


class BinaryCrossEntropy(Function):
    """-(y log p + (1 - y) log(1 - p)), each log clamped at -100, as PyTorch's BCELoss.

    Example:
        >>> BinaryCrossEntropy.apply(Tensor([0.5]), Tensor([1.0]))   # elementwise loss
        Tensor([0.693147], dtype=float32)
    """

    @staticmethod
    def forward(ctx, p, y):
        ctx.save_for_backward(p, y)
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p.data), -100)
            log_q = np.maximum(np.log1p(-p.data), -100)
        return -(y.data * log_p + (1 - y.data) * log_q)

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.saved_tensors
        gp = gy = None
        if ctx.needs_input_grad[0]:
            # PyTorch's gradient: (p - y) / max(p (1 - p), 1e-12), finite at p = 0 or 1
            gp = g * (p - y) / (p * (1 - p)).clip(1e-12, None)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):            # log(0) = -inf, clamped to -100
                gy = g * ((1 - p).log().clip(-100, None) - p.log().clip(-100, None))
        return gp, gy


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Cross entropy of probabilities ``input`` in [0, 1] against targets in [0, 1].

    Each log is clamped at -100 (as PyTorch), so p = 0 or 1 gives a finite
    loss. ``weight`` rescales each element's loss (broadcast to the input).

    Example:
        >>> binary_cross_entropy(Tensor([0.5]), Tensor([1.0]))
        Tensor(0.693147, dtype=float32)
    """
    check_reduction("binary_cross_entropy", reduction)
    input = as_input("binary_cross_entropy", input)
    target = as_target("binary_cross_entropy", target, input)
    if input.size and not (np.all(input.data >= 0) and np.all(input.data <= 1)):
        raise ValueError("binary_cross_entropy: every input element must be a probability in "
                         f"[0, 1] (got min {input.data.min():g}, max {input.data.max():g}); "
                         "apply sigmoid first, or use binary_cross_entropy_with_logits")
    loss = BinaryCrossEntropy.apply(input, target)
    weight = _weight("binary_cross_entropy", weight, input)
    return reduce_loss(loss if weight is None else loss * weight, reduction)


class BCEWithLogits(Function):
    """(1 - y) x + (1 + (pw - 1) y) softplus(-x), softplus(-x) = max(-x, 0) + log1p(exp(-|x|)).

    The gradient is written in closed form (sigmoid(x) - y without pos_weight),
    so it is exact at x = 0, where a composition of relu and abs has kinks.

    Example:
        >>> BCEWithLogits.apply(Tensor([0.0]), Tensor([1.0]), None)   # elementwise loss
        Tensor([0.693147], dtype=float32)
    """

    @staticmethod
    def forward(ctx, x, y, pos_weight):
        ctx.save_for_backward(x, y, pos_weight)
        x_, y_ = x.data, y.data
        softplus_neg = np.maximum(-x_, 0) + np.log1p(np.exp(-np.abs(x_)))
        scale = 1 if pos_weight is None else 1 + (pos_weight.data - 1) * y_
        return (1 - y_) * x_ + scale * softplus_neg

    @staticmethod
    def backward(ctx, g):
        x, y, pw = ctx.saved_tensors
        need_x, need_y, need_pw = ctx.needs_input_grad
        sig_neg = (-x).sigmoid()                         # d softplus(-x) / d(-x)
        scale = 1 if pw is None else (pw - 1) * y + 1
        gx = g * ((1 - y) - scale * sig_neg) if need_x else None
        gy = gpw = None
        if need_y or need_pw:
            softplus_neg = (-x).relu() + ((-x.abs()).exp() + 1).log()
            if need_y:
                gy = g * (-x + (0 if pw is None else (pw - 1) * softplus_neg))
            if need_pw:
                gpw = g * y * softplus_neg
        return gx, gy, gpw


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Sigmoid + binary cross entropy in one stable formula (no overflow for large logits).

    ``pos_weight`` (broadcast along the last dimension, one per class)
    weights the positive term; ``weight`` rescales each element's loss.

    Example:
        >>> binary_cross_entropy_with_logits(Tensor([0.0]), Tensor([1.0]))
        Tensor(0.693147, dtype=float32)
    """
    op = "binary_cross_entropy_with_logits"
    check_reduction(op, reduction)
    input = as_input(op, input)
    target = as_target(op, target, input)
    pos_weight = _weight(op, pos_weight, input)
    loss = BCEWithLogits.apply(input, target, pos_weight)
    weight = _weight(op, weight, input)
    return reduce_loss(loss if weight is None else loss * weight, reduction)


def _legacy_reduction(op, size_average, reduce, reduction):
    """PyTorch's deprecated size_average/reduce arguments, mapped to a reduction."""
    for what, value in (("size_average", size_average), ("reduce", reduce)):
        if value is not None:
            flag(op, what, value)
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target); beta=0: L1.

    Example:
        >>> smooth_l1_loss(Tensor([0.5, 3.0]), Tensor([0.0, 0.0]))
        Tensor(1.3125, dtype=float32)
    """
    reduction = _legacy_reduction("smooth_l1_loss", size_average, reduce, reduction)
    check_reduction("smooth_l1_loss", reduction)
    if number("smooth_l1_loss", "beta", beta) < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    input = as_input("smooth_l1_loss", input)
    d = input - as_target("smooth_l1_loss", target, input)
    if beta == 0:
        return reduce_loss(d.abs(), reduction)
    small = np.abs(d.data) < beta
    return reduce_loss(where(small, d * d * (0.5 / beta), d.abs() - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d**2 where |d| <= delta, else delta (|d| - 0.5 delta); optional elementwise weight.

    Equals ``delta * smooth_l1_loss(..., beta=delta)``.

    Example:
        >>> huber_loss(Tensor([0.5, 3.0]), Tensor([0.0, 0.0]), delta=2.0)
        Tensor(2.0625, dtype=float32)
    """
    check_reduction("huber_loss", reduction)
    if not number("huber_loss", "delta", delta) > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    input = as_input("huber_loss", input)
    d = input - as_target("huber_loss", target, input)
    small = np.abs(d.data) <= delta
    loss = where(small, d * d * 0.5, (d.abs() - 0.5 * delta) * delta)
    weight = _weight("huber_loss", weight, input)
    return reduce_loss(loss if weight is None else loss * weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence sum target * (log target - input), with ``input`` log-probabilities.

    ``target`` holds probabilities (0 log 0 = 0), or log-probabilities with
    ``log_target=True``. ``reduction='batchmean'`` divides the sum by the batch
    size (the KL divergence per sample); 'mean' divides by the element count,
    as PyTorch does. The gradient with respect to a zero target leaves out the
    infinite slope of t log t at t = 0 (PyTorch gives NaN there).

    Example:
        >>> p = Tensor([[0.5, 0.5]])
        >>> kl_div(Tensor([[0.25, 0.75]]).log(), p, reduction="batchmean")
        Tensor(0.143841, dtype=float32)
    """
    reduction = _legacy_reduction("kl_div", size_average, reduce, reduction)
    if not isinstance(reduction, str) or reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"kl_div: reduction must be 'none', 'mean', 'sum' or 'batchmean', got "
                         f"{reduction!r}")
    input = as_input("kl_div", input)
    target = as_target("kl_div", target, input)
    if flag("kl_div", "log_target", log_target):
        loss = target.exp() * (target - input)
    else:
        positive = target.data > 0
        safe = where(positive, target, Tensor(np.ones((), target.dtype)))
        loss = where(positive, target * safe.log(), Tensor(np.zeros((), target.dtype))) \
            - target * input
    if reduction == "batchmean":
        return loss.sum() * (1 / (input.shape[0] if input.ndim else 1))
    return reduce_loss(loss, reduction)


class MSELoss(Loss):
    """Module form of mse_loss.

    Example:
        >>> MSELoss()(Tensor([1.0]), Tensor([0.0]))
        Tensor(1., dtype=float32)
    """

    def forward(self, input, target):
        return mse_loss(input, target, self.reduction)


class L1Loss(Loss):
    """Module form of l1_loss.

    Example:
        >>> L1Loss(reduction="sum")(Tensor([1.0, -1.0]), Tensor([0.0, 0.0]))
        Tensor(2., dtype=float32)
    """

    def forward(self, input, target):
        return l1_loss(input, target, self.reduction)


class BCELoss(Loss):
    """Module form of binary_cross_entropy (inputs are probabilities).

    Example:
        >>> BCELoss()(Tensor([0.5]), Tensor([0.0]))
        Tensor(0.693147, dtype=float32)
    """

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input, target):
        return binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(Loss):
    """Module form of binary_cross_entropy_with_logits (inputs are logits).

    Example:
        >>> BCEWithLogitsLoss(pos_weight=np.array([2.0]))(Tensor([0.0]), Tensor([1.0]))
        Tensor(1.386294, dtype=float32)
    """

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                self.pos_weight)


class SmoothL1Loss(Loss):
    """Module form of smooth_l1_loss(input, target, beta=beta).

    Example:
        >>> SmoothL1Loss(beta=0.5)(Tensor([1.0]), Tensor([0.0]))
        Tensor(0.75, dtype=float32)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(_legacy_reduction("SmoothL1Loss", size_average, reduce, reduction))
        self.beta = beta

    def forward(self, input, target):
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(Loss):
    """Module form of huber_loss(input, target, delta=delta).

    Example:
        >>> HuberLoss(delta=0.5)(Tensor([1.0]), Tensor([0.0]))
        Tensor(0.375, dtype=float32)
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):
        return huber_loss(input, target, self.reduction, self.delta)


class KLDivLoss(Loss):
    """Module form of kl_div: input log-probabilities, target probabilities (or log ones).

    Example:
        >>> KLDivLoss(reduction="batchmean")(Tensor([[0.5, 0.5]]).log(), Tensor([[0.5, 0.5]]))
        Tensor(0., dtype=float32)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        reduction = _legacy_reduction("KLDivLoss", size_average, reduce, reduction)
        super().__init__("mean" if reduction == "batchmean" else reduction)
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input, target):
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
