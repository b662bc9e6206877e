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

    A Module that registers it (``module.weight = Parameter(...)`` or
    ``register_parameter``) records the attribute name on it, the last one if
    it is registered twice; graph pictures (``viz.draw_graph``, ``viz.explore``)
    label the parameter with that name when no ``params=`` mapping is given.
    It is not ``Tensor.name`` (which stays the user's, None by default), so
    the repr, ``state_dict`` and saved files do not change.

    Example:
        >>> w = Parameter(np.zeros((3, 2)))
        >>> w.requires_grad, w.dtype
        (True, dtype('float64'))
    """

    __slots__ = ("_attribute",)    # the attribute name a Module last registered it under

    def __init__(self, data, requires_grad=True):
        if isinstance(data, Tensor):
            data = data.data
        if isinstance(data, np.ndarray):
            if data.dtype.kind not in "fc":
                data = data.astype(get_default_dtype())
        else:
            data = np.array(data, dtype=get_default_dtype())
        super().__init__(data, requires_grad=requires_grad)
        self._attribute = None

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def _set_data(self, value):
        given = value.data if isinstance(value, Tensor) else value
        if not isinstance(given, np.ndarray) or given.dtype.kind not in "biufc":
            got = (f"an ndarray of dtype {given.dtype}" if isinstance(given, np.ndarray)
                   else f"a {type(value).__name__} ({str(value)[:40]!r})")
            raise TypeError(f"Parameter.data: assigned {got}; assign a Tensor or an ndarray "
                            f"of numbers (to set the values in place: p.data[...] = value)")
        if given.dtype.kind not in "fc" and getattr(self, "requires_grad", False):
            raise TypeError(f"Parameter.data: assigned an ndarray of shape {given.shape} "
                            f"{given.dtype} to a parameter that requires grad; only floating "
                            f"point values have gradients: convert with .astype(np.float32), "
                            f"or call p.requires_grad_(False) first")
        _DATA.__set__(self, given)

    data = property(Tensor.data.__get__, _set_data, doc="""The values (an ndarray);
        assignable, and checked at once: a Tensor or an ndarray of any shape, floating
        point while the parameter requires grad (as PyTorch).

        Example:
            >>> w = Parameter(np.zeros(2))
            >>> w.data = np.ones(3); w.data
            array([1., 1., 1.])
            >>> w.data = 3.0
            Traceback (most recent call last):
            ...
            TypeError: Parameter.data: assigned a float ('3.0'); assign a Tensor or an ndarray ...
        """)


_DATA = Tensor.data      # the slot of Tensor that Parameter's checked ``data`` property wraps
