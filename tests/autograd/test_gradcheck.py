"""gradcheck / gradgradcheck / numerical_grad, and the public testing helpers.

The checkers must pass correct Functions and catch wrong ones, pointing at the
right input and element; the hypothesis strategies must produce what they promise.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
from autograd import Function, Tensor
from autograd.gradcheck import GradcheckError, InputReport, relative_error
from autograd.testing import (advanced_indices, assert_gradients_correct, axes,
                              axes_and_keepdims, basic_indices, broadcastable_shapes,
                              float_dtypes, floats_away_from, shapes, tensors)

RNG_SEED = 1234


def rand(*shape, seed=RNG_SEED):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=shape)


# -- user-defined Functions, right and wrong ---------------------------------------------------

class Cube(Function):
    """x**3 with a backward written in Tensor ops, so it is itself differentiable."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * 3 * x * x


class SquaredDiff(Function):
    """(a - b)**2 with broadcasting; the engine sums each gradient to its input's shape."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return (a.data - b.data) ** 2

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        d = grad * 2 * (a - b)
        return d, -d


class CubeTwice(Function):
    """Wrong: the gradient is off by a factor of 2 everywhere."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * 6 * x * x


def cube_wrong_at(index, by=1.0):
    """Wrong at one element only: ``by`` is added to the gradient at ``index``."""

    class CubeWrongAtOne(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data ** 3

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            bump = np.zeros(x.shape)
            bump[index] = by
            return grad * 3 * x * x + Tensor(bump)

    return CubeWrongAtOne


class ProductWrongForSecond(Function):
    """x * y whose gradient for y is wrong (it returns y's own value instead of x)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x.data * y.data

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad * y, grad * y


class CubeFlatBackward(Function):
    """First derivative right, but computed from raw arrays: not differentiable again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * Tensor(3 * x.data ** 2)


# -- gradcheck passes and fails ----------------------------------------------------------------

def test_gradcheck_passes_on_correct_functions():
    x = Tensor(rand(3, 4), requires_grad=True)
    assert autograd.gradcheck(Cube.apply, [x]) is True
    a = Tensor(rand(2, 3), requires_grad=True)
    b = Tensor(rand(3, seed=7), requires_grad=True)
    assert autograd.gradcheck(SquaredDiff.apply, [a, b]) is True
    w = Tensor(rand(4, 2, seed=9), requires_grad=True)
    assert autograd.gradcheck(lambda s, t: (s @ t).tanh(), [x, w]) is True


def test_gradgradcheck_passes_on_correct_functions():
    x = Tensor(rand(3, 2), requires_grad=True)
    assert autograd.gradgradcheck(Cube.apply, [x]) is True
    a, b = Tensor(rand(2, 3), requires_grad=True), Tensor(rand(1, 3, seed=3), requires_grad=True)
    assert autograd.gradgradcheck(SquaredDiff.apply, [a, b]) is True
    w = Tensor(rand(2, 3, seed=5), requires_grad=True)
    assert autograd.gradgradcheck(lambda s, t: (s @ t).tanh().sum(), [x, w]) is True


def test_gradcheck_reports_a_factor_error():
    x = Tensor(rand(2, 3), requires_grad=True)
    with pytest.raises(GradcheckError) as err:
        autograd.gradcheck(CubeTwice.apply, [x])
    (report,) = err.value.reports
    assert isinstance(report, InputReport) and not report.passed
    assert report.input == 0 and report.shape == (2, 3)
    assert report.analytic == pytest.approx(2 * report.numerical, rel=1e-6)
    assert report.relative_error == pytest.approx(0.5, rel=1e-6)
    msg = str(err.value)
    for part in ("gradcheck failed", "input 0", f"worst element {report.index}", "analytic",
                 "numerical", "relative error", "MISMATCH"):
        assert part in msg, msg


@pytest.mark.parametrize("index", [(1, 2), (0, 0), (2, 1)])
def test_gradcheck_points_at_the_one_wrong_element(index):
    x = Tensor(rand(3, 3), requires_grad=True)
    with pytest.raises(GradcheckError) as err:
        autograd.gradcheck(cube_wrong_at(index).apply, [x])
    (report,) = err.value.reports
    assert report.index == index
    assert report.analytic - report.numerical == pytest.approx(1.0, abs=1e-6)
    assert report.relative_error == pytest.approx(
        float(relative_error(report.analytic, report.numerical)))
    assert f"worst element {index}" in str(err.value)


def test_gradcheck_names_the_wrong_input():
    c = Tensor(rand(3))                                   # no grad: not checked, still counted
    x, y = Tensor(rand(3, seed=2), requires_grad=True), Tensor(rand(3, seed=3),
                                                                requires_grad=True)
    with pytest.raises(GradcheckError) as err:
        autograd.gradcheck(lambda k, s, t: ProductWrongForSecond.apply(s, t) * k, [c, x, y])
    failed = [r for r in err.value.reports if not r.passed]
    assert [r.input for r in failed] == [2]
    assert [r.input for r in err.value.reports if r.passed] == [1]
    assert "input 2" in str(err.value) and "input 1" not in str(err.value)


def test_gradcheck_without_raising_returns_false():
    x = Tensor(rand(4), requires_grad=True)
    assert autograd.gradcheck(CubeTwice.apply, [x], raise_exception=False) is False
    assert autograd.gradcheck(Cube.apply, [x], raise_exception=False) is True


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)     # pytest shows it as a failed check


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = Tensor(rand(2, 2), requires_grad=True)
    assert autograd.gradcheck(CubeFlatBackward.apply, [x]) is True
    with pytest.raises(GradcheckError) as err:
        autograd.gradgradcheck(CubeFlatBackward.apply, [x])
    assert "gradgradcheck failed" in str(err.value)
    (report,) = err.value.reports
    assert report.analytic == 0.0 and report.numerical != 0.0


class SquareWrongBackward(Function):
    """x**2 whose backward says 3x: wrong, but only seen when it is differentiated."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data ** 2

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * 3 * x


class CubeViaWrongSquare(Function):
    """x**3 whose (right) first derivative 3 x**2 is built from SquareWrongBackward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * 3 * SquareWrongBackward.apply(x)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    x = Tensor(rand(3), requires_grad=True)
    assert autograd.gradcheck(CubeViaWrongSquare.apply, [x]) is True
    with pytest.raises(GradcheckError) as err:
        autograd.gradgradcheck(CubeViaWrongSquare.apply, [x])
    (report,) = err.value.reports
    # d/dx of sum(3 x^2 v) is 6 x v; the wrong inner backward makes it 9 x v
    assert report.analytic == pytest.approx(1.5 * report.numerical, rel=1e-5)


def test_gradcheck_works_on_float64_copies():
    data = rand(2, 3).astype(np.float32)
    x = Tensor(data, requires_grad=True)
    before = data.copy()
    assert autograd.gradcheck(lambda t: t.tanh() * 3.0, [x])   # float32 differences would fail
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None and x.dtype == np.float32


# -- numerical_grad ----------------------------------------------------------------------------

def test_numerical_grad_of_known_functions():
    x = rand(2, 3)
    (g,) = autograd.numerical_grad(lambda t: (t * t).sum(), [x])
    np.testing.assert_allclose(g, 2 * x, rtol=1e-7, atol=1e-8)
    (g,) = autograd.numerical_grad(lambda t: t.exp().sum(), [x])
    np.testing.assert_allclose(g, np.exp(x), rtol=1e-7)
    y = rand(2, 3, seed=5)
    gx, gy = autograd.numerical_grad(lambda s, t: (s * t).sum(), [x, y])
    np.testing.assert_allclose(gx, y, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(gy, x, rtol=1e-7, atol=1e-8)


def test_numerical_grad_with_grad_output_and_constant_inputs():
    x = Tensor(rand(3), requires_grad=True)
    c = Tensor(rand(3, seed=4))
    v = np.array([1.0, -2.0, 0.5])
    gx, gc = autograd.numerical_grad(lambda s, k: s * k, [x, c], grad_output=v)
    np.testing.assert_allclose(gx, c.data * v, rtol=1e-7, atol=1e-8)
    assert gc is None


def test_numerical_grad_is_a_central_difference():
    # ((x + h)^3 - (x - h)^3) / 2h = 3x^2 + h^2 exactly;
    # a one-sided difference would give 3x^2 + 3xh + h^2.
    (g,) = autograd.numerical_grad(lambda t: t ** 3, [np.array(2.0)], eps=1e-2)
    assert abs(float(g) - (12.0 + 1e-4)) < 1e-9


def test_numerical_grad_computes_in_float64_and_leaves_inputs_alone():
    data = np.array([0.3, -1.1, 2.0], dtype=np.float32)
    before = data.copy()
    (g,) = autograd.numerical_grad(lambda t: t.tanh().sum(), [Tensor(data, requires_grad=True)])
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 1 - np.tanh(data.astype(np.float64)) ** 2, rtol=1e-8)
    np.testing.assert_array_equal(data, before)


# -- relative_error ----------------------------------------------------------------------------

def test_relative_error_known_values():
    tiny = np.finfo(np.float64).tiny
    np.testing.assert_allclose(relative_error(1.0, 1.001), 0.001 / 1.001)
    assert relative_error(-2.0, 2.0) == 2.0
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(0.0, 1e-3) == 1.0
    assert relative_error(1e-310, 0.0) == pytest.approx(1e-310 / tiny)
    np.testing.assert_allclose(relative_error(np.array([1.0, 4.0]), np.array([2.0, 4.0])),
                               [0.5, 0.0])


finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=8))
def test_relative_error_formula(pairs):
    a, n = np.array(pairs).T
    expected = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)),
                                          np.finfo(np.float64).tiny)
    r = relative_error(a, n)
    np.testing.assert_array_equal(r, expected)
    np.testing.assert_array_equal(r, relative_error(n, a))
    assert (r >= 0).all() and (r <= 2).all()
    assert ((r == 0) == (a == n)).all()


# -- assert_gradients_correct on a user's own Function (the README's pattern) ------------------

@given(tensors(shape=shapes(max_dims=2)))
def test_user_function_gradients(x):
    assert_gradients_correct(Cube.apply, [x])


@given(broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3).flatmap(
    lambda ss: st.tuples(tensors(shape=ss[0]), tensors(shape=ss[1]))))
def test_user_function_with_broadcasting(ab):
    assert_gradients_correct(SquaredDiff.apply, list(ab))


@given(tensors(shape=(2, 3), elements=floats_away_from((0.0,), margin=0.5)))
def test_assert_gradients_correct_fails_on_a_wrong_function(x):
    with pytest.raises(AssertionError, match="worst element"):
        assert_gradients_correct(CubeTwice.apply, [x], second_order=False)


def test_assert_gradients_correct_checks_second_order_by_default():
    x = Tensor(rand(3), requires_grad=True)
    assert_gradients_correct(CubeFlatBackward.apply, [x], second_order=False)
    with pytest.raises(AssertionError, match="gradgradcheck"):
        assert_gradients_correct(CubeFlatBackward.apply, [x])


# -- the strategies do what they say -----------------------------------------------------------

@given(shapes(min_dims=1, max_dims=4, max_side=5))
def test_shapes_respect_limits(shape):
    assert len(shape) in range(1, 5) and all(n in range(1, 6) for n in shape)


@given(st.integers(2, 4).flatmap(lambda k: st.tuples(st.just(k), broadcastable_shapes(
    num_shapes=k, max_dims=3, max_side=4))))
def test_broadcastable_shapes_really_broadcast(k_shapes):
    k, shapes_ = k_shapes
    assert len(shapes_) == k
    out = np.broadcast_shapes(*shapes_)
    assert all(len(s) <= 3 and all(n <= 4 for n in s) for s in shapes_)
    arrays = [np.zeros(s) for s in shapes_]
    assert sum(arrays).shape == out


@given(st.integers(0, 4).flatmap(lambda nd: st.tuples(st.just(nd), axes(nd))))
def test_axes_are_valid_for_ndim(nd_axis):
    ndim, axis = nd_axis
    a = np.zeros((2,) * ndim)
    if axis is None:
        return
    assert ndim > 0
    picked = (axis,) if isinstance(axis, int) else axis
    assert all(-ndim <= p < ndim for p in picked)
    assert len({p % ndim for p in picked}) == len(picked)        # no repeats
    np.sum(a, axis=axis)                                         # NumPy accepts it


@given(st.integers(1, 3).flatmap(lambda nd: st.tuples(st.just(nd), axes(nd, allow_none=False,
                                                                        allow_tuple=False))))
def test_axes_without_none_or_tuple(nd_axis):
    ndim, axis = nd_axis
    assert isinstance(axis, int) and -ndim <= axis < ndim


@given(st.integers(0, 3).flatmap(lambda nd: st.tuples(st.just(nd), axes_and_keepdims(nd))))
def test_axes_and_keepdims_are_valid(nd_ak):
    ndim, (axis, keepdims) = nd_ak
    assert isinstance(keepdims, bool)
    out = np.sum(np.zeros((3,) * ndim), axis=axis, keepdims=keepdims)
    if keepdims:
        assert out.ndim == ndim


@given(floats_away_from(points=(0.0, 1.0, -2.0), margin=0.25, low=-3.0, high=3.0))
def test_floats_away_from_respects_the_margin(v):
    assert -3.0 <= v <= 3.0
    assert all(abs(v - p) >= 0.25 for p in (0.0, 1.0, -2.0))


@given(tensors(shape=shapes(max_dims=3), dtype=np.float64,
               elements=st.sampled_from([0.0, 1.0, -1.0]), distinct=0.1))
def test_tensors_distinct_has_no_ties(x):
    flat = np.sort(x.data, axis=None)
    assert np.unique(flat).size == flat.size
    if flat.size > 1:
        assert np.diff(flat).min() >= 0.1 * (1 - 1e-9)


@given(tensors(shape=(3, 4), dtype=float_dtypes(), distinct=0.05))
def test_tensors_distinct_in_any_float_dtype(x):
    flat = np.sort(x.data.astype(np.float64), axis=None)
    assert np.diff(flat).min() >= 0.05 - 1e-5


@given(tensors(shape=(2, 3), dtype=float_dtypes(), requires_grad=False,
               elements=floats_away_from((0.0,), margin=0.5, low=-2.0, high=2.0)))
def test_tensors_respect_shape_dtype_and_elements(x):
    assert x.shape == (2, 3) and x.dtype in (np.float32, np.float64)
    assert not x.requires_grad
    assert (np.abs(x.data) >= 0.5 - 1e-6).all() and (np.abs(x.data) <= 2.0 + 1e-6).all()


@given(tensors())
def test_tensors_default_to_float64_requiring_grad(x):
    assert x.dtype == np.float64 and x.requires_grad and x.is_leaf
    assert np.isfinite(x.data).all() and (np.abs(x.data) <= 3.0).all()


@given(shapes(max_dims=3).flatmap(lambda s: st.tuples(st.just(s), basic_indices(s))))
def test_basic_indices_are_valid(shape_index):
    shape, index = shape_index
    np.zeros(shape)[index]


@given(shapes(min_dims=1, max_dims=3).flatmap(
    lambda s: st.tuples(st.just(s), advanced_indices(s))))
def test_advanced_indices_are_valid(shape_index):
    shape, index = shape_index
    picked = np.zeros(shape)[index]
    assert picked.size >= 1
