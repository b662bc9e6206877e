"""Hypothesis strategies and an assertion helper for testing ops, yours and ours.

Needs ``hypothesis`` (the ``dev`` extra). The project's own op tests are
written with exactly these, so a custom ``Function`` is tested the same way:

Example:
    >>> from hypothesis import given, settings
    >>> from autograd import Function
    >>> class Cube(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x.data ** 3
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         x, = ctx.saved_tensors
    ...         return 3 * x * x * grad
    >>> @settings(max_examples=20, database=None)
    ... @given(tensors())                          # any shape, 0-d included
    ... def test_cube(x):
    ...     assert_gradients_correct(Cube.apply, [x])
    >>> test_cube()

Below, ``hypothesis.find`` shows the simplest value a strategy draws that
meets a condition.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .gradcheck import gradcheck, gradgradcheck
from ._tensor import Tensor

__all__ = ["shapes", "broadcastable_shapes", "floats_away_from", "tensors", "axes",
           "axes_and_keepdims", "basic_indices", "advanced_indices", "float_dtypes",
           "assert_gradients_correct"]


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Array shapes, 0-d included by default.

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> find(shapes(), lambda s: True, settings=fixed)
        ()
        >>> find(shapes(max_dims=2), lambda s: len(s) == 2 and s[0] == 3, settings=fixed)
        (3, 1)
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4):
    """Tuples of ``num_shapes`` shapes that broadcast together (size-1 and missing dims).

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> pair = find(broadcastable_shapes(min_dims=2, max_dims=2), lambda p: p[0] != p[1],
        ...             settings=fixed)
        >>> pair, np.broadcast_shapes(*pair)
        (((1, 1), (2, 1)), (2, 1))
    """
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims,
                                             max_dims=max_dims, max_side=max_side).map(
        lambda r: r.input_shapes)


def floats_away_from(points=(0.0,), margin=0.1, low=-3.0, high=3.0):
    """Floats in [low, high] at least ``margin`` from each point (kinks, poles, ties).

    Central differences with a small eps are exact only where the function is
    smooth; keep elements away from relu's 0, log's pole and the like.

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> find(floats_away_from((0.0,), margin=0.2), lambda v: abs(v) < 0.3,
        ...      settings=fixed)
        0.25
    """
    return st.floats(low, high, allow_nan=False, allow_infinity=False).filter(
        lambda v: all(abs(v - p) >= margin for p in points))


def float_dtypes():
    """float32 or float64 in native byte order.

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> [find(float_dtypes(), lambda d: d.itemsize == n, settings=fixed) for n in (4, 8)]
        [dtype('float32'), dtype('float64')]
    """
    return st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)])


@st.composite
def tensors(draw, shape=None, dtype=np.float64, elements=None, requires_grad=True,
            distinct=None):
    """Tensors of a given or drawn shape; elements default to floats in [-3, 3].

    ``distinct=margin`` keeps all elements at least ``margin`` apart (no ties
    for max/min/sort-like ops).

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> find(tensors(shape=(3,), distinct=0.5), lambda t: True, settings=fixed)
        Tensor([0. , 0.5, 1. ], dtype=float64, requires_grad=True)
    """
    shape = draw(shapes()) if shape is None else shape
    dtype = draw(dtype) if isinstance(dtype, st.SearchStrategy) else np.dtype(dtype)
    elements = floats_away_from((), 0.0) if elements is None else elements
    data = draw(hnp.arrays(np.float64, shape, elements=elements)).astype(dtype)
    if distinct is not None and data.size > 1:
        ranks = np.argsort(np.argsort(data, axis=None)).reshape(data.shape)
        data = (data + ranks * distinct).astype(dtype)     # same order, gaps >= distinct
    return Tensor(data, requires_grad=requires_grad)


@st.composite
def axes(draw, ndim, allow_none=True, allow_tuple=True):
    """A valid NumPy ``axis`` for ``ndim`` dims: None, an int (maybe negative), or a tuple.

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> find(axes(3), lambda a: isinstance(a, tuple) and len(a) == 2, settings=fixed)
        (0, 1)
        >>> find(axes(3), lambda a: isinstance(a, tuple) and min(a) < 0, settings=fixed)
        (-3,)
    """
    options = ["none"] if allow_none or ndim == 0 else []
    if ndim:
        options.append("int")
        if allow_tuple:
            options.append("tuple")
    kind = draw(st.sampled_from(options))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    picked = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in picked)


@st.composite
def axes_and_keepdims(draw, ndim):
    """An (axis, keepdims) pair valid for ``ndim`` dims.

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> find(axes_and_keepdims(2), lambda p: p[0] is not None and p[1], settings=fixed)
        (0, True)
    """
    return draw(axes(ndim)), draw(st.booleans())


def basic_indices(shape):
    """Basic indices (ints, slices, None, Ellipsis) valid for ``shape``.

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> find(basic_indices((3, 4)), lambda i: isinstance(i, tuple) and len(i) == 2,
        ...      settings=fixed)
        (0, 0)
    """
    return hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True)


def advanced_indices(shape):
    """Integer-array indices (repeats included, so gradients must add up) valid for ``shape``.

    Example:
        >>> from hypothesis import Phase, find, settings
        >>> fixed = settings(database=None, derandomize=True,    # quick, the same every run
        ...                  phases=[Phase.generate, Phase.shrink])
        >>> repeats = lambda i: i[0].size > len(set(i[0].tolist()))
        >>> idx = find(advanced_indices((3, 4)), repeats, settings=fixed)
        >>> idx
        (array([0, 0]), array([0, 0]))
        >>> x = Tensor(np.zeros((3, 4)), requires_grad=True)
        >>> x[idx].sum().backward(); x.grad[0, 0]                 # the repeat adds up
        Tensor(2., dtype=float64)
    """
    return hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(max_dims=2,
                                                                          max_side=4))


def assert_gradients_correct(fn, inputs, *, second_order=True, eps=1e-6, atol=1e-5,
                             rtol=1e-3):
    """Assert fn's gradients (and, by default, second derivatives) match central differences.

    ``fn`` maps the inputs (Tensors, computed in float64) to a Tensor. Fails with
    the worst element's index, analytic and numerical values, and relative error.

    Example:
        >>> assert_gradients_correct(lambda t: (t * t).sum(), [Tensor([1.0, 2.0],
        ...                          requires_grad=True)])
    """
    gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol)
    if second_order:
        gradgradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol)
