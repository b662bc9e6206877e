"""Unflatten: split one dimension into several, the inverse of Flatten (torch.nn.Unflatten)."""
import numpy as np

from .module import Module

__all__ = ["Unflatten"]


class Unflatten(Module):
    """Reshape dimension ``dim`` into ``unflattened_size`` (one entry may be -1).

    Example:
        >>> from autograd import Tensor
        >>> Unflatten(1, (2, -1))(Tensor(np.arange(6.0).reshape(1, 6)))
        Tensor([[[0., 1., 2.],
                 [3., 4., 5.]]], dtype=float64)
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        sizes = tuple(int(n) for n in unflattened_size)
        if not sizes or sum(n == -1 for n in sizes) > 1 or any(n < -1 or n == 0 for n in sizes):
            raise ValueError(f"Unflatten: unflattened_size must be positive sizes with at most "
                             f"one -1, got {unflattened_size!r}")
        self.dim, self.unflattened_size = int(dim), sizes

    def forward(self, input):
        shape = input.shape
        if not -len(shape) <= self.dim < len(shape):
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for input {shape}")
        d = self.dim % len(shape)
        known = int(np.prod([n for n in self.unflattened_size if n != -1]))
        if (-1 in self.unflattened_size and shape[d] % known) or \
                (-1 not in self.unflattened_size and known != shape[d]):
            raise ValueError(f"Unflatten: dimension {self.dim} of input {shape} has size "
                             f"{shape[d]}, which unflattened_size {self.unflattened_size} does "
                             "not multiply to")
        return input.reshape(shape[:d] + self.unflattened_size + shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
