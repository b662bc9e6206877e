"""Affine layers: Linear, Maxout (k linear pieces), and the shape helpers Identity and Flatten."""
import math

import numpy as np

from autograd import Function, Tensor, get_default_dtype
from .arguments import tensor
from .casting import check_cpu
from .module import Module
from .parameter import Parameter, get_generator

__all__ = ["linear", "Linear", "Maxout", "Identity", "Flatten"]


class LinearFunction(Function):
    """x @ weight.T + bias as one node (fewer nodes than matmul + transpose + add).

    Example:
        >>> LinearFunction.apply(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 3))), None).shape
        (2, 4)
    """
    array_backward = True

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = x.data @ weight.data.T
        if bias is not None:
            out += bias.data
        return out

    @staticmethod
    def backward(ctx, g):
        # Written with operators and methods only, so it runs on arrays and on Tensors.
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        if x.ndim == 2:                 # the usual (batch, features): no reshapes
            g2, x2 = g, x
        else:
            g2, x2 = g.reshape(-1, w.shape[0]), x.reshape(-1, w.shape[1])
        gx = None
        if need_x:
            gx = g2 @ w if x.ndim == 2 else (g2 @ w).reshape(x.shape)
        gw = g2.T @ x2 if need_w else None
        gb = None
        if need_b:   # np.add.reduce skips ndarray.sum's Python wrapper (a few us per call)
            gb = np.add.reduce(g2, axis=0) if type(g2) is np.ndarray else g2.sum(axis=0)
        return gx, gw, gb


def linear(x, weight, bias=None):
    """y = x @ weight.T + bias over the last dimension; weight is (out_features, in_features).

    Example:
        >>> linear(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 3))), Tensor(np.zeros(4))).shape
        (2, 4)
        >>> linear(np.ones((2, 3)), np.ones((4, 3))).shape          # ndarrays work as Tensors
        (2, 4)
    """
    x, weight = tensor("linear", "input", x), tensor("linear", "weight", weight)
    bias = tensor("linear", "bias", bias, optional=True)
    x_shape, w_shape = x.data.shape, weight.data.shape
    if len(w_shape) != 2:
        raise ValueError(f"linear: weight must be 2-d (out_features, in_features), got shape "
                         f"{weight.shape} {weight.dtype}")
    if not x_shape or x_shape[-1] != w_shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} {x.dtype} must end in "
                         f"in_features={weight.shape[1]} (weight {weight.shape} {weight.dtype}); "
                         "reshape the input or use Linear(in_features=...) that matches it")
    if bias is not None and bias.data.shape != w_shape[:1]:
        raise ValueError(f"linear: bias shape {bias.shape} does not match out_features="
                         f"{weight.shape[0]} (weight {weight.shape})")
    return LinearFunction.apply(x, weight, bias)


def _uniform(shape, bound):
    """U(-bound, bound) in the default float dtype, from nn's seeded generator."""
    return get_generator().uniform(-bound, bound, size=shape).astype(get_default_dtype())


def _check_features(layer, **sizes):
    for name, n in sizes.items():
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ValueError(f"{layer}: {name} must be a positive int, got {n!r}")


class Linear(Module):
    """Fully connected layer: ``y = x @ weight.T + bias``, as torch.nn.Linear.

    weight is (out_features, in_features); weight and bias start as
    U(-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's default
    (kaiming_uniform with a=sqrt(5)), drawn from ``nn.module.manual_seed``'s generator.
    ``dtype`` (default: the default float dtype) and ``device`` (the CPU only)
    as PyTorch's factory arguments.

    Example:
        >>> fc = Linear(784, 512)
        >>> fc(Tensor(np.zeros((32, 784), dtype=np.float32))).shape
        (32, 512)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        _check_features("Linear", in_features=in_features, out_features=out_features)
        check_cpu("Linear", device)
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        if dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be floating point, got {dtype}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Redraw weight and bias from U(-1/sqrt(in_features), 1/sqrt(in_features)).

        Example:
            >>> Linear(3, 2).reset_parameters()
        """
        bound = 1 / math.sqrt(self.in_features)
        self.weight.data[...] = _uniform(self.weight.shape, bound)
        if self.bias is not None:
            self.bias.data[...] = _uniform(self.bias.shape, bound)

    def forward(self, x):
        return linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Maxout(Module):
    """Maxout unit (Goodfellow et al. 2013): the max over ``pieces`` linear maps of x.

    weight is (out_features * pieces, in_features) and bias (out_features *
    pieces,): row ``o * pieces + k`` is piece k of output o. Initialised as a
    Linear(in_features, out_features * pieces). At ties the gradient is shared
    equally among the tied pieces (autograd.max).

    Example:
        >>> Maxout(10, 4, pieces=3)(Tensor(np.ones((2, 10), dtype=np.float32))).shape
        (2, 4)
    """

    def __init__(self, in_features, out_features, pieces=2):
        super().__init__()
        _check_features("Maxout", in_features=in_features, out_features=out_features,
                        pieces=pieces)
        self.in_features, self.out_features, self.pieces = (int(in_features), int(out_features),
                                                            int(pieces))
        rows = self.out_features * self.pieces
        bound = 1 / math.sqrt(self.in_features)
        self.weight = Parameter(_uniform((rows, self.in_features), bound))
        self.bias = Parameter(_uniform((rows,), bound))

    def forward(self, x):
        z = linear(x, self.weight, self.bias)
        return z.reshape(z.shape[:-1] + (self.out_features, self.pieces)).max(axis=-1)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}")


class Identity(Module):
    """Returns its input unchanged (a placeholder layer).

    Example:
        >>> x = Tensor([1.0]); Identity()(x) is x
        True
    """

    def forward(self, x):
        return x


class Flatten(Module):
    """Flatten dims ``start_dim``..``end_dim`` into one (default: all but the batch dim).

    Example:
        >>> Flatten()(Tensor(np.zeros((8, 3, 4, 4)))).shape
        (8, 48)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
