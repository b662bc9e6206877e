"""History, the record optim.fit returns (a plain dict of lists); fit's metrics and evaluation.

Metrics are functions ``fn(output, target) -> float`` averaged over an
epoch's batches weighted by batch size; ``"accuracy"`` is built in.
"""
import math

import numpy as np

import nn
from autograd import Tensor, no_grad

__all__ = ["History"]


class History(dict):
    """Per-epoch and per-step records of a fit: a dict of lists of Python numbers.

    Per-epoch keys (one entry per epoch, aligned): ``epoch`` (0-based),
    ``lr`` (first param group's lr during the epoch), ``train_loss``,
    ``train_<metric>``, and with a validation set ``val_loss`` and
    ``val_<metric>``. Per-step keys: ``step_loss`` and, with gradient
    clipping, ``step_grad_norm`` (the norm before clipping), one entry per
    optimizer step. ``nonfinite_steps``: the steps (0-based) whose loss was
    NaN or Inf (see fit's ``on_nonfinite``), usually empty. Being a dict of
    lists, it goes straight to ``json.dumps`` or ``nn.save``.

    Example:
        >>> import json, nn, optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
        >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=8)
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=2,
        ...                     optimizer=optim.SGD(model.parameters(), lr=0.1))
        >>> list(history), len(history["step_loss"]), json.dumps(history)[:22]
        (['epoch', 'lr', 'train_loss', 'step_loss', 'nonfinite_steps'], 8, '{"epoch": [0, 1], "lr"')
    """

    def best(self, monitor="val_loss", mode="min"):
        """The ``(epoch, value)`` where ``monitor`` is lowest (``mode='min'``) or highest.

        NaNs are skipped; ties go to the earliest epoch.

        Example:
            >>> History(epoch=[0, 1, 2], val_loss=[0.9, 0.4, 0.5]).best()
            (1, 0.4)
        """
        if mode not in ("min", "max"):
            raise ValueError(f"History.best: mode must be 'min' or 'max', got {mode!r}")
        if monitor not in self:
            raise KeyError(f"History.best: no {monitor!r} in the history; it has {list(self)}")
        pairs = [(e, v) for e, v in zip(self["epoch"], self[monitor]) if not math.isnan(v)]
        if not pairs:
            raise ValueError(f"History.best: {monitor!r} has only NaN values, nothing to compare")
        pick = min if mode == "min" else max
        return pick(pairs, key=lambda pair: pair[1])


def _accuracy(threshold):
    def accuracy(output, target):
        out, t = np.asarray(output.data), np.asarray(target.data)
        if out.ndim >= 2 and out.shape[-1] > 1:
            pred = out.argmax(-1)
            if t.shape == out.shape:            # one-hot or probability targets
                t = t.argmax(-1)
        else:                                   # one column: a binary score
            pred, t = out.reshape(-1) > threshold, t.reshape(-1) > 0.5
        if pred.shape != t.shape:
            raise ValueError(f"fit: metric 'accuracy' cannot compare outputs of shape {out.shape} "
                             f"({out.dtype}) with targets of shape {np.shape(target.data)}; "
                             "it takes (N, C) scores with (N,) class indices or (N, C) one-hot "
                             "targets, or (N,)/(N, 1) binary scores. Pass a metric callable "
                             "fn(output, target) -> float instead.")
        return float(np.mean(pred == t))
    return accuracy


def metric_functions(metrics, loss_fn):
    """``{name: fn(output, target) -> float}`` from fit's ``metrics`` argument.

    Example:
        >>> fns = metric_functions(["accuracy"], nn.CrossEntropyLoss())
        >>> fns["accuracy"](Tensor([[0.1, 0.9], [0.8, 0.2]]), Tensor(np.array([1, 1])))
        0.5
    """
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    if isinstance(metrics, dict):
        items = list(metrics.items())
    else:
        try:
            items = [(m if isinstance(m, str) else getattr(m, "__name__", repr(m)), m)
                     for m in metrics]
        except TypeError:
            raise TypeError(f"fit: metrics must be a name, a callable, a list of them or a "
                            f"dict name -> callable, got {type(metrics).__name__}") from None
    fns = {}
    for name, m in items:
        if isinstance(m, str):
            if m != "accuracy":
                raise ValueError(f"fit: unknown metric {m!r}; the built-in one is 'accuracy', "
                                 "or pass a callable fn(output, target) -> float")
            # a single output column holds logits unless the loss takes probabilities
            m = _accuracy(0.5 if isinstance(loss_fn, nn.BCELoss) else 0.0)
        elif not callable(m):
            raise TypeError(f"fit: metric {name!r} is a {type(m).__name__}; pass 'accuracy' or "
                            "a callable fn(output, target) -> float")
        if not isinstance(name, str) or not name or name == "loss" or name in fns:
            raise ValueError(f"fit: metric name {name!r} is empty, 'loss' or repeated; give each "
                             "metric its own name (pass a dict name -> callable)")
        fns[name] = m
    return fns


class Meter:
    """Batch-size-weighted means of the loss and the metrics over one epoch.

    Example:
        >>> m = Meter({}); m.add(0.5, None, None, n=32); m.add(1.0, None, None, n=16)
        >>> m.means("train")                          # weighted by batch size
        {'train_loss': 0.6666666666666666}
    """

    def __init__(self, metric_fns):
        self.metric_fns = metric_fns
        self.n, self.sums = 0, {"loss": 0.0, **{k: 0.0 for k in metric_fns}}

    def add(self, loss, output, target, n):
        """Count one batch of ``n`` samples with mean ``loss`` and its metrics."""
        self.n += n
        self.sums["loss"] += loss * n
        for name, fn in self.metric_fns.items():
            self.sums[name] += float(fn(output, target)) * n

    def means(self, prefix):
        """``{prefix_loss: ..., prefix_<metric>: ...}``: the means so far."""
        return {f"{prefix}_{k}": v / self.n for k, v in self.sums.items()}


def split_batch(batch, where):
    """``(inputs, target)`` of a batch ``(inputs..., target)``; ndarrays become Tensors.

    Example:
        >>> inputs, target = split_batch((np.zeros((4, 2)), np.ones(4)), "train_loader")
        >>> len(inputs), inputs[0].shape, type(target).__name__
        (1, (4, 2), 'Tensor')
    """
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        fields = [Tensor(b) if isinstance(b, np.ndarray) else b for b in batch]
        return fields[:-1], fields[-1]
    got = (f"a {type(batch).__name__} of length {len(batch)}"
           if isinstance(batch, (tuple, list)) else f"a {type(batch).__name__}")
    raise TypeError(f"fit: each batch of {where} must be a tuple (inputs..., target), got {got}")


def checked_loss(loss_fn, output, target):
    """``loss_fn(output, target)``, checked to be a one-element Tensor.

    Example:
        >>> checked_loss(nn.MSELoss(), Tensor([1.0, 2.0]), Tensor([1.0, 4.0])).item()
        2.0
        >>> checked_loss(nn.MSELoss(reduction="none"), Tensor([1.0, 2.0]), Tensor([1.0, 4.0]))
        Traceback (most recent call last):
        ValueError: fit: loss_fn returned (2,); it must return a one-element Tensor ...
    """
    loss = loss_fn(output, target)
    if not isinstance(loss, Tensor) or loss.size != 1:
        shape = loss.shape if isinstance(loss, Tensor) else type(loss).__name__
        raise ValueError(f"fit: loss_fn returned {shape}; it must return a one-element Tensor "
                         "(a loss with reduction='mean' or 'sum')")
    return loss


def batch_size(target):
    """The number of samples in a batch (the target's first dimension).

    Example:
        >>> batch_size(Tensor(np.zeros((32, 10))))
        32
    """
    return int(target.shape[0]) if getattr(target, "ndim", 0) else 1


def evaluate(model, loader, loss_fn, metric_fns):
    """``{"val_loss": ..., "val_<metric>": ...}`` over ``loader`` in eval mode, without grad.

    Example:
        >>> batches = [(np.array([[1.0], [3.0]]), np.array([[1.0], [1.0]]))]
        >>> evaluate(nn.Identity(), batches, nn.MSELoss(), {})      # (0 + 2 ** 2) / 2
        {'val_loss': 2.0}
    """
    model.eval()
    meter = Meter(metric_fns)
    with no_grad():
        for batch in loader:
            inputs, target = split_batch(batch, "val_loader")
            output = model(*inputs)
            meter.add(checked_loss(loss_fn, output, target).item(), output, target,
                      batch_size(target))
    if meter.n == 0:
        raise ValueError("fit: val_loader produced no batches")
    return meter.means("val")
