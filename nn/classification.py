"""Classification losses: cross_entropy, nll_loss, multi_margin_loss (and their modules).

Scores are (N, C) or (N, C, d1, ...) with classes along dim 1, or (C,) for
one sample, as in PyTorch. Class-index targets are integers of shape (N,)
(or (N, d1, ...), or ()); cross_entropy also takes class probabilities of
the input's shape. ``weight`` is one rescaling factor per class.
"""
import functools

import numpy as np

from autograd import Function, Tensor
from autograd.compiled import is_tracing, replayed_check
from .arguments import number
from .loss_base import Loss, as_array, as_input, as_target, check_reduction, reduce_loss

__all__ = ["cross_entropy", "nll_loss", "multi_margin_loss", "CrossEntropyLoss", "NLLLoss",
           "MultiMarginLoss"]


def _class_weight(op, weight, x):
    """Per-class weights as an ndarray of x's dtype, shape (C,), or None."""
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(f"{op}: weight must be per-class weights, got the string {weight!r}; "
                        "pass reduction= (and the other options) as keywords")
    w = as_array(op, "weight", weight.data if isinstance(weight, Tensor) else weight, x.dtype)
    n_classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    if w.shape != (n_classes,):
        raise ValueError(f"{op}: weight must have one entry per class, shape ({n_classes},), "
                         f"got {w.shape}")
    return w


def _scores(op, input):
    """The scores as a float Tensor with a class dimension (not 0-d)."""
    x = as_input(op, input)
    if x.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    return x


def _ignore_index(op, ignore_index):
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{op}: ignore_index must be an int, got {ignore_index!r}")


def _class_targets(op, target, x, ignore_index=None):
    """Validate integer class targets; returns (targets, valid mask, targets with 0 at ignored)."""
    t = target.data if isinstance(target, Tensor) else as_array(op, "target", target, None)
    want = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got {t.dtype} of shape "
                        f"{t.shape}; for class probabilities pass a float target shaped like "
                        f"the input {x.shape}")
    if t.shape != want:
        raise ValueError(f"{op}: targets of shape {t.shape} do not fit input {x.shape} "
                         f"{x.dtype}: expected shape {want} (the input without its class "
                         "dim 1)")
    n_classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    if is_tracing():            # the general path, its range check replayed with new targets
        replayed_check(functools.partial(_check_range, op, n_classes, ignore_index), t)
        valid = t != ignore_index if ignore_index is not None else np.ones(t.shape, dtype=bool)
        return t, valid, np.where(valid, t, 0)
    if t.size:      # the common case, in two reductions: all are class indices, none ignored
        lo, hi = np.minimum.reduce(t, axis=None), np.maximum.reduce(t, axis=None)
        if 0 <= lo and hi < n_classes and (ignore_index is None
                                           or not lo <= ignore_index <= hi):
            return t, np.ones(t.shape, dtype=bool), t.copy()    # a copy, as np.where makes
    _check_range(op, n_classes, ignore_index, t)
    valid = t != ignore_index if ignore_index is not None else np.ones(t.shape, dtype=bool)
    return t, valid, np.where(valid, t, 0)


def _check_range(op, n_classes, ignore_index, t):
    valid = t != ignore_index if ignore_index is not None else np.ones(t.shape, dtype=bool)
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"{op}: target {t[bad].flat[0]} is out of range for {n_classes} "
                         f"classes (valid: 0..{n_classes - 1}"
                         + (f", or ignore_index={ignore_index})" if ignore_index is not None
                            else ")"))


def _along_classes(ts):
    """Class indices ``ts`` (N, d1, ...) as an index into dim 1 of (N, C, d1, ...) scores."""
    if ts.ndim == 1:
        return np.arange(len(ts)), ts
    grids = np.indices(ts.shape, sparse=True)
    return (grids[0], ts) + tuple(grids[1:])


def _pick(x, ts):
    """x[n, ts[n], ...]: each sample's score of its target class (a differentiable gather)."""
    return x[ts] if x.ndim == 1 else x[_along_classes(ts)]


class CrossEntropyIndex(Function):
    """Fused log_softmax + gather + reduction for class-index targets.

    Forward keeps softmax(x); backward is softmax - one-hot, scaled by the
    class weights, label smoothing and reduction. Under create_graph the
    softmax is recomputed from x as a Tensor, so second derivatives are right.
    Use cross_entropy(), which validates the targets and builds the arguments.

    Example:
        >>> t = np.array([0]); valid = np.ones(1, bool)
        >>> CrossEntropyIndex.apply(Tensor([[2.0, 0.0]]), t, valid, None, "mean", 0.0)
        Tensor(0.126928, dtype=float32)
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, ts, valid, weight, reduction, smoothing):
        xs = x.data if x.ndim > 1 else x.data[None]
        ts2, valid2 = (ts, valid) if x.ndim > 1 else (ts[None], valid[None])
        n_classes = xs.shape[1]
        # ufunc.reduce, not the methods: forward always gets arrays, and the methods'
        # Python wrappers cost more than the reductions at (N, 10)
        shifted = xs - np.maximum.reduce(xs, axis=1, keepdims=True)
        e = np.exp(shifted)
        total = np.add.reduce(e, axis=1, keepdims=True)
        log_total = np.log(total)
        at = _along_classes(ts2)
        wt = (valid2 if weight is None else weight[ts2] * valid2).astype(xs.dtype)
        loss = (shifted[at] - log_total[:, 0]) * (-(1 - smoothing)) * wt     # -log p_y
        if smoothing:
            wc = 1 if weight is None else weight.reshape((n_classes,) + (1,) * (xs.ndim - 2))
            loss += ((shifted - log_total) * wc).sum(axis=1) * (-smoothing / n_classes) * valid2
        e /= total
        ctx.save_for_backward(x)
        ctx.p, ctx.at, ctx.wt, ctx.valid = e, at, wt, valid2
        ctx.weight, ctx.reduction, ctx.smoothing = weight, reduction, smoothing
        if reduction == "none":
            return loss if x.ndim > 1 else loss[0]
        if reduction == "sum":
            return loss.sum()
        ctx.denom = wt.sum()
        return loss.sum() / ctx.denom

    @staticmethod
    def backward(ctx, g):
        # d loss / d x = (p * (a + b sum(w)) - b w - a onehot(y)) * g, where a weighs -log p_y
        # and b (label smoothing) weighs -sum_c w_c log p_c.
        x, = ctx.saved_tensors
        ndim, n_classes = max(x.ndim, 2), (x.shape[1] if x.ndim > 1 else x.shape[0])
        wt, at, smoothing = ctx.wt, ctx.at, ctx.smoothing
        if ctx.reduction == "none":
            g = g.reshape(wt.shape)
            g = g.reshape(g.shape[:1] + (1,) + g.shape[1:])
        elif ctx.reduction == "mean":
            g = g * (1 / ctx.denom)
        a = (wt if not smoothing else wt * (1 - smoothing)).reshape(
            wt.shape[:1] + (1,) + wt.shape[1:])
        if smoothing:
            b = (ctx.valid * (smoothing / n_classes)).astype(a.dtype).reshape(a.shape)
            wc = (np.ones(n_classes, a.dtype) if ctx.weight is None else ctx.weight).reshape(
                (n_classes,) + (1,) * (ndim - 2))
        if ctx.create_graph:                            # recorded: differentiable in x
            p = (x if x.ndim > 1 else x.reshape(1, -1)).softmax(axis=1)
            const = np.zeros(p.shape, a.dtype)
            const[at] = a[:, 0]
            if smoothing:
                const += b * wc
                a = a + b * wc.sum()
            grad = (p * a - const) * g
        else:
            ag = a * g                                  # (N, 1, d1, ...): one value per sample
            if smoothing:
                bg = b * g
                grad = ctx.p * (ag + bg * wc.sum())
                grad -= bg * wc
            else:
                grad = ctx.p * ag
            grad[at] -= ag[:, 0]
        return (grad if x.ndim > 1 else grad.reshape(-1)), None, None, None, None, None


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Softmax cross entropy of scores ``input`` against class indices or class probabilities.

    Integer targets (shape (N,), or (N, d1, ...)) pick each sample's class;
    float targets with the input's shape are probabilities. With index
    targets, 'mean' divides by the total weight of the non-ignored samples
    (PyTorch's rule); ``label_smoothing`` mixes in the uniform distribution.

    Example:
        >>> cross_entropy(Tensor([[2.0, 0.0, 0.0]]), np.array([0]))
        Tensor(0.239545, dtype=float32)
    """
    op = "cross_entropy"
    check_reduction(op, reduction)
    x = _scores(op, input)
    _ignore_index(op, ignore_index)
    if not 0.0 <= number(op, "label_smoothing", label_smoothing) <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    w = _class_weight(op, weight, x)
    target = target if isinstance(target, Tensor) else as_array(op, "target", target, None)
    is_probs = target.dtype.kind == "f"
    if not is_probs:
        _, valid, ts = _class_targets(op, target, x, ignore_index)
        return CrossEntropyIndex.apply(x, ts, valid, w, reduction, float(label_smoothing))
    target_shape = np.shape(target.data if isinstance(target, Tensor) else target)
    if target_shape != tuple(x.shape):
        raise ValueError(
            f"{op}: target {target_shape} float for input {tuple(x.shape)} {x.dtype}: class "
            f"indices must be integers (convert with .astype(np.int64) or .long()); float "
            f"targets are class probabilities and must have the input's shape")
    y = as_target(op, target, x)
    axis = 1 if x.ndim > 1 else 0
    n_classes = x.shape[axis]
    if label_smoothing:
        y = y * (1 - label_smoothing) + label_smoothing / n_classes
    if w is not None:
        y = y * (w.reshape((n_classes,) + (1,) * (x.ndim - 2)) if x.ndim > 1 else w)
    return reduce_loss(-(x.log_softmax(axis=axis) * y).sum(axis=axis), reduction)


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """Negative log likelihood: -input[n, target[n]] (input holds log-probabilities).

    'mean' divides by the total class weight of the non-ignored samples.

    Example:
        >>> nll_loss(Tensor([[-0.5, -1.0]]), np.array([1]))
        Tensor(1., dtype=float32)
    """
    op = "nll_loss"
    check_reduction(op, reduction)
    x = _scores(op, input)
    _ignore_index(op, ignore_index)
    w = _class_weight(op, weight, x)
    _, valid, ts = _class_targets(op, target, x, ignore_index)
    wt = (valid if w is None else w[ts] * valid).astype(x.dtype)
    loss = _pick(x, ts) * -wt
    if reduction == "mean":
        return loss.sum() * (1 / wt.sum())
    return reduce_loss(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """Multi-class hinge loss (CS231n's SVM loss), PyTorch's definition.

    Per sample: sum over j != y of max(0, margin - x[y] + x[j])**p, divided by
    the number of classes C (times weight[y] if given). p is 1 or 2.

    Example:
        >>> multi_margin_loss(Tensor([[0.1, 0.2, 0.4]]), np.array([2]))
        Tensor(0.5, dtype=float32)
    """
    op = "multi_margin_loss"
    check_reduction(op, reduction)
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p not in (1, 2):
        raise ValueError(f"{op}: p must be 1 or 2, got {p!r}")
    margin = number(op, "margin", margin)
    x = as_input(op, input)
    if x.ndim not in (1, 2):
        raise ValueError(f"{op}: input must be (N, C) or (C,), got shape {x.shape}")
    w = _class_weight(op, weight, x)
    _, _, ts = _class_targets(op, target, x)
    n_classes = x.shape[-1]
    scores_y = _pick(x, ts)
    z = (x - (scores_y.reshape(-1, 1) if x.ndim > 1 else scores_y) + margin).relu()
    if p == 2:
        z = z * z
    others = np.ones(x.shape, dtype=x.dtype)              # the j = y term is left out
    np.put_along_axis(others, np.reshape(ts, (-1, 1)) if x.ndim > 1 else ts.reshape(1), 0,
                      axis=-1)
    if w is not None:
        others = others * (w[ts].reshape(-1, 1) if x.ndim > 1 else w[ts])
    loss = (z * (others / n_classes)).sum(axis=-1)
    return reduce_loss(loss, reduction)


class CrossEntropyLoss(Loss):
    """Module form of cross_entropy (scores in, class indices or probabilities as targets).

    Example:
        >>> CrossEntropyLoss(label_smoothing=0.1)(Tensor([[2.0, 0.0]]), np.array([0]))
        Tensor(0.226928, dtype=float32)
    """

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(Loss):
    """Module form of nll_loss (log-probabilities in, class indices as targets).

    Example:
        >>> NLLLoss()(Tensor([[-0.5, -1.0]]), np.array([0]))
        Tensor(0.5, dtype=float32)
    """

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input, target):
        return nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                        reduction=self.reduction)


class MultiMarginLoss(Loss):
    """Module form of multi_margin_loss (the multi-class SVM loss).

    Example:
        >>> MultiMarginLoss(margin=1.0)(Tensor([[0.1, 0.2, 0.4]]), np.array([2]))
        Tensor(0.5, dtype=float32)
    """

    def __init__(self, p=1, margin=1.0, weight=None, reduction="mean"):
        super().__init__(reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p!r}")
        self.p, self.margin, self.weight = p, margin, weight

    def forward(self, input, target):
        return multi_margin_loss(input, target, self.p, self.margin, self.weight,
                                 self.reduction)
