"""Batch and layer normalization (one ``Normalize`` node each, see nn.standardize).

Both standardize x over some axes (batch norm: all but the channel axis;
layer norm: the trailing ``normalized_shape``) and apply a per-feature affine
map. Batch norm keeps running statistics as PyTorch does: biased variance to
normalize, unbiased variance in ``running_var``, ``running = (1 - m) * running
+ m * batch``; in eval mode the running statistics make it an affine map.
"""
import numpy as np

from autograd import Tensor, no_grad
from .arguments import flag, number, tensor
from .casting import check_cpu
from .module import Module, Parameter
from .rnn_cell import check_positive, module_dtype
from .standardize import Normalize, moments

__all__ = ["batch_norm", "layer_norm", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "NormBase"]


def _tensors(op, **given):
    """The optional tensor arguments of ``op`` (statistics, weight, bias) as Tensors or None."""
    return [tensor(op, name, t, optional=True) for name, t in given.items()]


def _check_param(op, name, t, shape):
    if t is not None and tuple(t.shape) != tuple(shape):
        raise ValueError(f"{op}: {name} has shape {tuple(t.shape)} {t.dtype} but the input "
                         f"needs {tuple(shape)}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization over (N, C), (N, C, L) or (N, C, H, W), as torch's F.batch_norm.

    In training mode the batch's statistics normalize (biased variance) and,
    if given, ``running_mean``/``running_var`` are updated in place with the
    unbiased variance: ``running = (1 - momentum) * running + momentum * batch``.
    Otherwise the running statistics normalize.

    Example:
        >>> x = Tensor(np.random.randn(8, 3, 4, 4))
        >>> rm, rv = Tensor(np.zeros(3)), Tensor(np.ones(3))
        >>> batch_norm(x, rm, rv, training=True).shape
        (8, 3, 4, 4)
    """
    x = tensor("batch_norm", "input", input)
    running_mean, running_var, weight, bias = _tensors(
        "batch_norm", running_mean=running_mean, running_var=running_var, weight=weight,
        bias=bias)
    training = flag("batch_norm", "training", training)
    momentum, eps = number("batch_norm", "momentum", momentum), number("batch_norm", "eps", eps)
    if x.ndim < 2 or x.dtype.kind != "f":
        raise ValueError(f"batch_norm: expected a float input (N, C, ...), got shape "
                         f"{tuple(x.shape)} {x.dtype}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_param("batch_norm", name, t, (c,))
    axes = (0,) + tuple(range(2, x.ndim))
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: eval mode (training=False) needs running_mean and "
                             "running_var; pass them or use training=True")
        scale = (running_var + eps) ** -0.5
        if weight is not None:
            scale = scale * weight
        shift = -running_mean * scale
        if bias is not None:
            shift = shift + bias
        shape = (1, c) + (1,) * (x.ndim - 2)
        return x * scale.reshape(shape).astype(x.dtype) + shift.reshape(shape).astype(x.dtype)
    n = x.size // c
    if n < 2:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input {tuple(x.shape)}; use a larger batch or eval mode")
    mean, centered, var = moments(x.data, axes)
    if running_mean is not None and running_var is not None:
        with no_grad():
            running_mean.copy_(momentum * mean.reshape(c) + (1 - momentum) * running_mean.data)
            running_var.copy_(momentum * var.reshape(c) * (n / (n - 1))
                              + (1 - momentum) * running_var.data)
    return Normalize.apply(x, weight, bias, axes, axes, eps, centered, var)


def _normalized_shape(op, normalized_shape):
    """An int or a sequence of positive ints, as a tuple; else a clear error naming ``op``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape) if isinstance(normalized_shape, (tuple, list)) else None
    ints = shape is not None and all(isinstance(n, (int, np.integer))
                                     and not isinstance(n, bool) for n in shape)
    if not ints or not shape or min(shape) < 1:
        raise (ValueError if ints else TypeError)(
            f"{op}: normalized_shape must be a positive int or a tuple of them (the trailing "
            f"dims to normalize, e.g. x.shape[-1:]), got {normalized_shape!r}")
    return tuple(int(n) for n in shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalization over the trailing ``normalized_shape`` dims, as torch's F.layer_norm.

    Example:
        >>> y = layer_norm(Tensor(np.random.randn(4, 10)), (10,))
        >>> np.allclose(y.data.mean(axis=-1), 0), np.allclose(y.data.var(axis=-1), 1, atol=1e-4)
        (True, True)
    """
    x = tensor("layer_norm", "input", input)
    weight, bias = _tensors("layer_norm", weight=weight, bias=bias)
    eps = number("layer_norm", "eps", eps)
    shape = _normalized_shape("layer_norm", normalized_shape)
    k = len(shape)
    if x.dtype.kind != "f" or k == 0 or tuple(x.shape[x.ndim - k:]) != shape or k > x.ndim:
        raise ValueError(f"layer_norm: input {tuple(x.shape)} {x.dtype} must be a float tensor "
                         f"whose last dims are normalized_shape={shape}")
    _check_param("layer_norm", "weight", weight, shape)
    _check_param("layer_norm", "bias", bias, shape)
    axes = tuple(range(x.ndim - k, x.ndim))
    _, centered, var = moments(x.data, axes)
    return Normalize.apply(x, weight, bias, axes, tuple(range(x.ndim - k)), eps, centered, var)


class NormBase(Module):
    """What batch and instance norm layers share: an optional per-feature affine map
    (weight 1, bias 0) and optional running statistics with their batch count.

    Example:
        >>> norm = NormBase(3, affine=True, track_running_stats=True)
        >>> sorted(norm.state_dict())
        ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        check_positive(name, num_features=num_features)
        check_cpu(name, device)
        dtype = module_dtype(name, dtype)
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            for buffer in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(buffer, None)

    def reset_running_stats(self):
        """Running mean to 0, running variance to 1, batch count to 0.

        Example:
            >>> bn = BatchNorm1d(2); _ = bn(Tensor([[1.0, 2.0], [3.0, 6.0]]))
            >>> bn.running_mean, bn.running_var
            (Tensor([0.2, 0.4], dtype=float32), Tensor([1.1, 1.7], dtype=float32))
            >>> bn.reset_running_stats(); bn.running_mean, bn.running_var
            (Tensor([0., 0.], dtype=float32), Tensor([1., 1.], dtype=float32))
        """
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class _BatchNorm(NormBase):
    _dims = ()         # the input ranks a subclass accepts

    def forward(self, input):
        input = tensor(type(self).__name__, "input", input)
        if input.ndim not in self._dims or input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected input of "
                             f"{' or '.join(f'{d}-d' for d in self._dims)} shape with "
                             f"{self.num_features} channels in dim 1, got {tuple(input.shape)}")
        use_batch_stats = self.training or self.running_mean is None
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:       # cumulative moving average, as PyTorch
                momentum = 1.0 / int(self.num_batches_tracked.item())
        return batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                          use_batch_stats, momentum, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) input, as torch.nn.BatchNorm1d.

    Example:
        >>> bn = BatchNorm1d(3)
        >>> bn(Tensor(np.random.randn(16, 3).astype(np.float32))).shape
        (16, 3)
    """
    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) input, as torch.nn.BatchNorm2d.

    Example:
        >>> bn = BatchNorm2d(16)
        >>> bn(Tensor(np.random.randn(8, 16, 5, 5).astype(np.float32))).shape
        (8, 16, 5, 5)
    """
    _dims = (4,)


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape``, as torch.nn.LayerNorm.

    Example:
        >>> LayerNorm(10)(Tensor(np.random.randn(4, 10).astype(np.float32))).shape
        (4, 10)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 dtype=None):
        super().__init__()
        dtype = module_dtype("LayerNorm", dtype)
        self.normalized_shape = _normalized_shape("LayerNorm", normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
