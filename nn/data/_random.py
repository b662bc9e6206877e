"""Where nn.data's randomness comes from: one place, so the source can be switched later.

A ``generator`` argument (DataLoader, samplers, random_split) is None, an int
seed, an ``autograd.Generator`` or a ``numpy.random.Generator``. None means
nn's global generator (``nn.manual_seed`` / ``nn.get_generator()``, autograd's
default generator), looked up at each draw, as
torch's samplers draw from torch's global generator.
"""
import numbers

import numpy as np

import autograd
from ..parameter import get_generator

__all__ = ["as_generator", "draw_from"]


def as_generator(generator, where):
    """Check a ``generator`` argument: None stays None, a seed becomes a new Generator.

    Example:
        >>> as_generator(0, "RandomSampler").permutation(3)
        array([2, 0, 1])
    """
    if generator is None or isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, autograd.Generator):
        return generator.numpy()       # draws advance the autograd.Generator itself
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        if generator < 0:
            raise ValueError(f"{where}: the seed must be >= 0, got {generator}")
        return np.random.default_rng(int(generator))
    raise TypeError(f"{where}: generator must be None (nn's global generator), an int seed, "
                    f"an autograd.Generator or a numpy.random.Generator, got "
                    f"{type(generator).__name__}")


def draw_from(generator):
    """The Generator to draw from now: ``generator``, or nn's global one if it is None.

    Example:
        >>> draw_from(None) is get_generator()           # nn's global generator
        True
        >>> g = np.random.default_rng(0); draw_from(g) is g
        True
    """
    return get_generator() if generator is None else generator
