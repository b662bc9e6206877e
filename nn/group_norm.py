"""Group and instance normalization, as PyTorch's GroupNorm, InstanceNorm1d/2d.

Both standardize each sample over some of its own elements (no batch
statistics): group norm over each group of ``C / G`` channels and all
positions, instance norm over the positions of each channel (group norm with
one channel per group), then apply a per-channel affine map. Composed from
autograd ops (mean, var with ddof=0, sqrt), so second derivatives work.
InstanceNorm with ``track_running_stats=True`` keeps running statistics as
BatchNorm does and uses them in eval mode.
"""
import numpy as np

from autograd import Tensor, no_grad
from .arguments import flag, number, positive_int, tensor
from .module import Module
from .normalization import NormBase, _tensors
from .parameter import Parameter
from .rnn_cell import check_positive, module_dtype

__all__ = ["group_norm", "instance_norm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d"]


def _affine(y, weight, bias):
    shape = (1, y.shape[1]) + (1,) * (y.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _check_channels(op, x, c, weight, bias, names=("weight", "bias")):
    for name, t in zip(names, (weight, bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"{op}: {name} has shape {tuple(t.shape)}, expected ({c},) for "
                             f"input {x.shape}")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each sample's groups of channels (input (N, C, ...)), then scale and shift.

    Example:
        >>> y = group_norm(Tensor(np.random.randn(2, 6, 4)), 3)
        >>> np.allclose(y.data.reshape(2, 3, -1).mean(-1), 0)
        True
    """
    x = tensor("group_norm", "input", input)
    weight, bias = _tensors("group_norm", weight=weight, bias=bias)
    num_groups = positive_int("group_norm", "num_groups", num_groups)
    eps = number("group_norm", "eps", eps)
    if x.ndim < 2 or x.dtype.kind != "f":
        raise ValueError(f"group_norm: expected a float input (N, C, ...), got {x.shape} "
                         f"{x.dtype}")
    n, c = x.shape[:2]
    if c % num_groups or not c:
        raise ValueError(f"group_norm: {c} channels cannot be split into num_groups="
                         f"{num_groups} equal groups (input {x.shape})")
    if not all(x.shape[2:]):
        raise ValueError(f"group_norm: input {x.shape} {x.dtype} has no elements to "
                         "normalize in each group; every dim after N must be non-empty")
    _check_channels("group_norm", x, c, weight, bias)
    g = x.reshape(n, num_groups, c // num_groups * int(np.prod(x.shape[2:])))
    mean = g.mean(axis=2, keepdims=True)
    var = g.var(axis=2, keepdims=True)
    y = ((g - mean) / (var + eps).sqrt()).reshape(x.shape)
    return _affine(y, weight, bias)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample over its positions (input (N, C, ...)).

    With ``use_input_stats`` the sample statistics normalize and, if given,
    ``running_mean``/``running_var`` are updated in place with their batch
    average (unbiased variance), PyTorch's rule; otherwise the running
    statistics normalize.

    Example:
        >>> instance_norm(Tensor(np.random.randn(2, 3, 5, 5))).shape
        (2, 3, 5, 5)
    """
    x = tensor("instance_norm", "input", input)
    running_mean, running_var, weight, bias = _tensors(
        "instance_norm", running_mean=running_mean, running_var=running_var, weight=weight,
        bias=bias)
    use_input_stats = flag("instance_norm", "use_input_stats", use_input_stats)
    momentum = number("instance_norm", "momentum", momentum)
    eps = number("instance_norm", "eps", eps)
    if x.ndim < 3 or x.dtype.kind != "f":
        raise ValueError(f"instance_norm: expected a float input (N, C, L) or (N, C, H, W), "
                         f"got {x.shape} {x.dtype}")
    n, c = x.shape[:2]
    if not all(x.shape[2:]):
        raise ValueError(f"instance_norm: input {x.shape} {x.dtype} has no positions to "
                         "normalize over; the spatial dims must be non-empty")
    _check_channels("instance_norm", x, c, weight, bias)
    _check_channels("instance_norm", x, c, running_mean, running_var,
                    names=("running_mean", "running_var"))
    axes = tuple(range(2, x.ndim))
    stats = (1, c) + (1,) * len(axes)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and "
                             "running_var")
        mean = running_mean.data.reshape(stats).astype(x.dtype)
        var = running_var.data.reshape(stats).astype(x.dtype)
        return _affine((x - Tensor(mean)) / Tensor(np.sqrt(var + eps)), weight, bias)
    count = int(np.prod(x.shape[2:]))
    if count < 2 and running_var is not None:
        raise ValueError(f"instance_norm: expected more than 1 spatial element per channel "
                         f"when tracking statistics, got input {x.shape}")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    if running_mean is not None and running_var is not None:
        with no_grad():
            batch_mean = mean.data.reshape(n, c).mean(axis=0)
            batch_var = var.data.reshape(n, c).mean(axis=0) * (count / (count - 1))
            running_mean.copy_(momentum * batch_mean + (1 - momentum) * running_mean.data)
            running_var.copy_(momentum * batch_var + (1 - momentum) * running_var.data)
    return _affine((x - mean) / (var + eps).sqrt(), weight, bias)


class GroupNorm(Module):
    """Group normalization (Wu & He, 2018), as torch.nn.GroupNorm.

    ``num_channels`` must divide into ``num_groups``; weight starts at 1 and
    bias at 0 (one per channel) when ``affine``.

    Example:
        >>> GroupNorm(2, 6)(Tensor(np.random.randn(4, 6, 5, 5).astype(np.float32))).shape
        (4, 6, 5, 5)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None,
                 dtype=None):
        super().__init__()
        check_positive("GroupNorm", num_groups=num_groups, num_channels=num_channels)
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by "
                             f"num_groups={num_groups}")
        dtype = module_dtype("GroupNorm", dtype)
        self.num_groups, self.num_channels = int(num_groups), int(num_channels)
        self.eps, self.affine = eps, affine
        if affine:
            self.weight = Parameter(np.ones(num_channels, dtype=dtype))
            self.bias = Parameter(np.zeros(num_channels, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        input = tensor("GroupNorm", "input", input)
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}): expected "
                             f"input (N, {self.num_channels}, ...), got {tuple(input.shape)}")
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class _InstanceNorm(NormBase):
    _dims = 0          # the spatial rank

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype)

    def forward(self, input):
        name = type(self).__name__
        x = tensor(name, "input", input)
        rank = self._dims + 2
        unbatched = x.ndim == rank - 1
        if x.ndim not in (rank - 1, rank) or x.shape[-self._dims - 1] != self.num_features:
            raise ValueError(f"{name}({self.num_features}): expected input of {rank}-d shape "
                             f"(N, {self.num_features}, ...) or unbatched {rank - 1}-d, got "
                             f"{x.shape}")
        if unbatched:
            x = x.unsqueeze(0)
        use_input_stats = self.training or not self.track_running_stats
        # PyTorch's InstanceNorm: momentum None means 0 (no update), and num_batches_tracked
        # is kept for state-dict compatibility but never counted
        momentum = 0.0 if self.momentum is None else self.momentum
        y = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          use_input_stats, momentum, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or unbatched (C, L) input, as torch.nn.InstanceNorm1d.

    Example:
        >>> InstanceNorm1d(3)(Tensor(np.random.randn(2, 3, 8))).shape
        (2, 3, 8)
    """
    _dims = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or (C, H, W) input, as torch.nn.InstanceNorm2d.

    ``affine=False`` and ``track_running_stats=False`` by default, as PyTorch.

    Example:
        >>> InstanceNorm2d(3, affine=True)(Tensor(np.random.randn(2, 3, 4, 4))).shape
        (2, 3, 4, 4)
    """
    _dims = 2
