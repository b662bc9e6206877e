"""Parameter (a Tensor a Module learns) and the random generator that layers draw from."""
import numpy as np

import autograd
from autograd import Tensor, get_default_dtype

__all__ = ["Parameter", "manual_seed", "get_generator"]


def manual_seed(seed):
    """Seed the generator that nn's initialisations, dropout and data shuffling draw from.

    It is autograd's default generator: ``nn.manual_seed(s)`` is
    ``autograd.manual_seed(s)`` (returns that ``autograd.Generator``).

    Example:
        >>> import nn
        >>> manual_seed(0)
        <autograd.Generator seed=0>
        >>> w = nn.Linear(2, 1).weight; w
        Parameter containing:
        Tensor([[ 0.193693, -0.325571]], dtype=float32, requires_grad=True)
        >>> _ = manual_seed(0); np.array_equal(nn.Linear(2, 1).weight.data, w.data)  # same draw
        True
    """
    return autograd.manual_seed(seed)


def get_generator():
    """The ``np.random.Generator`` behind autograd's default generator, which nn draws from.

    The same object for the whole process (``manual_seed`` reseeds it in place).

    Example:
        >>> _ = manual_seed(0)
        >>> get_generator().uniform(-1, 1, size=3)
        array([ 0.27392337, -0.46042657, -0.91805295])
    """
    return autograd.default_generator.numpy()


class Parameter(Tensor):
    """A Tensor that a Module registers as learnable: ``requires_grad=True`` by default.

    Python data becomes the default float dtype (``autograd.get_default_dtype()``);
    an ndarray keeps its float dtype and is used without a copy; integer data
    is converted to the default float dtype.

    Example:
        >>> w = Parameter(np.zeros((3, 2)))
        >>> w.requires_grad, w.dtype
        (True, dtype('float64'))
    """

    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        if isinstance(data, Tensor):
            data = data.data
        if isinstance(data, np.ndarray):
            if data.dtype.kind not in "fc":
                data = data.astype(get_default_dtype())
        else:
            data = np.array(data, dtype=get_default_dtype())
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
