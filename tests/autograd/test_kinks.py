"""Gradients at kinks follow PyTorch: explicit points, checked against hard numbers always
and against torch when it is installed.

relu'(0) = 0, abs'(0) = 0, clip passes the gradient on its closed interval (as
torch.clamp), max/min reductions share it equally among tied elements (as
torch.amax/amin), maximum/minimum give half to each side at a tie (as
torch.maximum/minimum).
"""
import numpy as np
import pytest

import autograd
from autograd import Tensor

try:
    import torch
except ImportError:       # the hard-coded expectations below still run
    torch = None


def gradients(fn, arrays, upstream=None, lib="ours"):
    """Gradients of sum(fn(*inputs) * upstream) w.r.t. each input, in float64."""
    if lib == "ours":
        xs = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    else:
        xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y = fn(*xs)
    weights = np.ones(tuple(y.shape)) if upstream is None else np.asarray(upstream, float)
    (y * (Tensor(weights) if lib == "ours" else torch.from_numpy(weights))).sum().backward()
    return [np.asarray(x.grad.data if lib == "ours" else x.grad.numpy()) for x in xs]


def assert_kink_gradients(ours, theirs, arrays, expected, upstream=None):
    """Our gradients equal ``expected``; so do torch's (when installed) for ``theirs``."""
    for i, (got, want) in enumerate(zip(gradients(ours, arrays, upstream), expected)):
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0, err_msg=f"ours, input {i}")
    if torch is not None:
        for i, (got, want) in enumerate(zip(gradients(theirs, arrays, upstream, "torch"),
                                            expected)):
            np.testing.assert_allclose(got, want, rtol=1e-15, atol=0,
                                       err_msg=f"torch, input {i}")


def test_relu_gradient_at_zero_is_zero():
    assert_kink_gradients(autograd.relu, torch and torch.relu,
                          [[-1.0, 0.0, -0.0, 2.0]], [[0.0, 0.0, 0.0, 1.0]])


def test_relu_method_and_scalar_at_zero():
    x = Tensor(0.0, dtype=np.float64, requires_grad=True)
    x.relu().backward()
    assert x.grad.item() == 0.0


def test_abs_gradient_at_zero_is_zero():
    assert_kink_gradients(autograd.abs, torch and torch.abs,
                          [[-2.0, 0.0, -0.0, 3.0]], [[-1.0, 0.0, 0.0, 1.0]],
                          upstream=[1.0, 5.0, 7.0, 1.0])


@pytest.mark.parametrize("lo, hi, expected", [
    (-1.0, 1.0, [0.0, 1.0, 1.0, 1.0, 0.0]),      # both bounds pass the gradient
    (-1.0, None, [0.0, 1.0, 1.0, 1.0, 1.0]),
    (None, 1.0, [1.0, 1.0, 1.0, 1.0, 0.0]),
    (0.5, 0.5, [0.0, 0.0, 0.0, 0.0, 0.0]),       # lo == hi: only x == 0.5 would pass
    (1.0, 1.0, [0.0, 0.0, 0.0, 1.0, 0.0]),
])
def test_clip_passes_the_gradient_at_its_bounds(lo, hi, expected):
    x = [-1.5, -1.0, 0.0, 1.0, 1.5]
    assert_kink_gradients(lambda t: autograd.clip(t, lo, hi),
                          torch and (lambda t: torch.clamp(t, min=lo, max=hi)),
                          [x], [expected])


@pytest.mark.parametrize("axis, keepdims, x, expected", [
    (1, False, [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], [[0, 1 / 2, 1 / 2], [1 / 3, 1 / 3, 1 / 3]]),
    (0, True, [[1.0, 3.0, 3.0], [1.0, 2.0, 3.0]], [[1 / 2, 1, 1 / 2], [1 / 2, 0, 1 / 2]]),
    (None, False, [[3.0, 1.0], [3.0, 3.0]], [[1 / 3, 0], [1 / 3, 1 / 3]]),
    ((0, 1), True, [[0.0, -0.0], [-1.0, -2.0]], [[1 / 2, 1 / 2], [0, 0]]),   # 0.0 == -0.0
])
def test_max_reduction_shares_the_gradient_among_ties(axis, keepdims, x, expected):
    dims = axis if axis is not None else (0, 1)
    assert_kink_gradients(lambda t: t.max(axis=axis, keepdims=keepdims),
                          torch and (lambda t: torch.amax(t, dim=dims, keepdim=keepdims)),
                          [x], [expected])


@pytest.mark.parametrize("axis, x, expected", [
    (1, [[1.0, -3.0, -3.0], [2.0, 2.0, 2.0]], [[0, 1 / 2, 1 / 2], [1 / 3, 1 / 3, 1 / 3]]),
    (None, [[-3.0, 1.0], [-3.0, -3.0]], [[1 / 3, 0], [1 / 3, 1 / 3]]),
])
def test_min_reduction_shares_the_gradient_among_ties(axis, x, expected):
    dims = axis if axis is not None else (0, 1)
    assert_kink_gradients(lambda t: t.min(axis=axis), torch and (lambda t: torch.amin(t, dim=dims)),
                          [x], [expected])


def test_max_reduction_ties_scale_the_upstream_gradient():
    x = [[5.0, 5.0, 1.0], [0.0, 4.0, 4.0]]
    assert_kink_gradients(lambda t: autograd.max(t, axis=1),
                          torch and (lambda t: torch.amax(t, dim=1)),
                          [x], [[[3.0, 3.0, 0.0], [0.0, -1.0, -1.0]]], upstream=[6.0, -2.0])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_and_minimum_split_the_gradient_at_ties(name):
    a, b = [1.0, 2.0, 3.0, -1.0], [1.0, 0.0, 3.0, 5.0]
    winner_a = [2.0 > 0.0, -1.0 > 5.0] if name == "maximum" else [2.0 < 0.0, -1.0 < 5.0]
    grad_a = [0.5, float(winner_a[0]), 0.5, float(winner_a[1])]
    grad_b = [0.5, 1 - grad_a[1], 0.5, 1 - grad_a[3]]
    assert_kink_gradients(getattr(autograd, name), torch and getattr(torch, name),
                          [a, b], [grad_a, grad_b])


def test_maximum_ties_under_broadcasting_sum_the_halves():
    a = [[0.0, 1.0, 2.0]]                 # (1, 3)
    b = [[1.0], [2.0]]                    # (2, 1): ties at (0, 1) and (1, 2)
    # maximum = [[1, 1, 2], [2, 2, 2]]; a wins (0, 2), b wins (0, 0) (1, 0) (1, 1)
    grad_a = [[0.0, 0.5, 1.0 + 0.5]]
    grad_b = [[1.0 + 0.5], [1.0 + 1.0 + 0.5]]
    assert_kink_gradients(autograd.maximum, torch and torch.maximum, [a, b], [grad_a, grad_b])


def test_maximum_with_a_python_scalar_at_a_tie_gives_half():
    x = Tensor(np.array([0.0, -1.0, 1.0]), requires_grad=True)
    autograd.maximum(x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.5, 0.0, 1.0])
    if torch is not None:
        t = torch.tensor([0.0, -1.0, 1.0], dtype=torch.float64, requires_grad=True)
        torch.maximum(t, torch.tensor(0.0, dtype=torch.float64)).sum().backward()
        np.testing.assert_array_equal(t.grad.numpy(), [0.5, 0.0, 1.0])


def test_pow_gradient_wrt_exponent_at_zero_base_is_zero():
    # d(a**b)/db = a**b * log(a): at a = 0 (b > 0) PyTorch takes 0, not nan
    assert_kink_gradients(lambda a, b: a ** b, torch and (lambda a, b: a ** b),
                          [[0.0, 2.0], [2.0, 3.0]], [[0.0, 12.0], [0.0, 8 * np.log(2.0)]])
