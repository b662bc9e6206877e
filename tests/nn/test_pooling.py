"""max_pool2d / avg_pool2d and their modules: gradients, ties, NaN, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import tensors
from nn.pooling import AvgPool2d, LinearMap, MaxPool2d, avg_pool2d, max_pool2d


@st.composite
def pool_cases(draw, dilations=(1,)):
    """(x with distinct elements, kernel, stride, padding, dilation) with a valid output."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2)]))
    dilation = draw(st.sampled_from(dilations))
    ph = draw(st.integers(0, (dilation * (kh - 1) + 1) // 2))
    pw = draw(st.integers(0, (dilation * (kw - 1) + 1) // 2))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    assume(h + 2 * ph >= dilation * (kh - 1) + 1 and w + 2 * pw >= dilation * (kw - 1) + 1)
    x = draw(tensors(shape=(draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w),
                     distinct=0.01))
    return x, (kh, kw), stride, (ph, pw), dilation


@given(pool_cases(dilations=(1, 2)))
def test_max_pool2d_gradients(case):
    x, k, s, p, d = case       # distinct elements: no ties, so the max is differentiable
    # a dilated window can fall wholly on padding: -inf there, as in PyTorch; not smooth
    assume(np.isfinite(max_pool2d(x, k, s, p, d).data).all())
    assert gradcheck(lambda t: max_pool2d(t, k, s, p, d), [x])
    assert gradgradcheck(lambda t: max_pool2d(t, k, s, p, d), [x])


@given(pool_cases(), st.booleans())
def test_avg_pool2d_gradients(case, include_pad):
    x, k, s, p, _ = case
    fn = lambda t: avg_pool2d(t, k, s, p, count_include_pad=include_pad)  # noqa: E731
    assert gradcheck(fn, [x])
    assert gradgradcheck(fn, [x])


def test_pooling_values_and_float32():
    x = Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(max_pool2d(x, 2).data[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(avg_pool2d(x, 2).data[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    assert max_pool2d(x, 2).dtype == avg_pool2d(x, 2).dtype == np.float32
    # count_include_pad: a corner window of a 3x3 kernel with padding 1 sees 4 real pixels
    ones = Tensor(np.ones((1, 1, 3, 3)))
    assert avg_pool2d(ones, 3, 1, 1).data[0, 0, 0, 0] == pytest.approx(4 / 9)
    assert avg_pool2d(ones, 3, 1, 1, count_include_pad=False).data[0, 0, 0, 0] == 1.0


def test_max_pool2d_gradient_goes_to_the_first_maximum_at_ties():
    x = Tensor(np.array([[[[1.0, 3.0], [3.0, 3.0]]]]), requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data[0, 0], [[0, 1], [0, 0]])


def test_max_pool2d_propagates_nan():
    x = Tensor(np.array([[[[1.0, np.nan], [3.0, 2.0]]]]))
    assert np.isnan(max_pool2d(x, 2).data).all()


def test_linear_map_is_differentiable_to_any_order():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    f = lambda t: LinearMap.apply(t, lambda a: 3 * a[::-1], lambda g: 3 * g[::-1])  # noqa: E731
    np.testing.assert_array_equal(f(x).data, [-6.0, 3.0])
    assert gradcheck(f, [x]) and gradgradcheck(f, [x])


def test_pooling_unbatched_input_and_modules():
    x = np.random.default_rng(0).standard_normal((2, 6, 6))
    assert max_pool2d(Tensor(x), 2).shape == (2, 3, 3)
    np.testing.assert_array_equal(MaxPool2d(3, 2, 1)(Tensor(x[None])).data[0],
                                  max_pool2d(Tensor(x), 3, 2, 1).data)
    np.testing.assert_allclose(AvgPool2d(2)(Tensor(x[None])).data[0],
                               avg_pool2d(Tensor(x), 2).data)
    assert repr(MaxPool2d(2)) == ("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                                  "ceil_mode=False)")
    assert list(AvgPool2d(2).parameters()) == []


def test_pooling_errors_name_the_op():
    x = Tensor(np.ones((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="max_pool2d: padding .* at most half"):
        max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match=r"avg_pool2d: expected a float input .* \(4, 4\)"):
        avg_pool2d(Tensor(np.ones((4, 4))), 2)
    with pytest.raises(ValueError, match="max_pool2d: the .*kernel .* is larger"):
        max_pool2d(x, 5)
    with pytest.raises(ValueError, match="avg_pool2d: padding must be an int"):
        avg_pool2d(x, 2, padding="same")
    with pytest.raises(ValueError, match="MaxPool2d: kernel_size must be an int >= 1"):
        MaxPool2d(0)


# -- PyTorch parity ------------------------------------------------------------------

CONFIGS = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
           dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1)),
           dict(kernel_size=3, stride=1, padding=1, dilation=2)]


CASES = [(kind, c) for kind in ("max", "avg", "avg_exclude_pad") for c in CONFIGS
         if kind == "max" or "dilation" not in c]       # avg pooling has no dilation


@pytest.mark.parametrize("kind, config", CASES)
def test_pooling_matches_torch(kind, config):
    torch = pytest.importorskip("torch")
    if kind == "max":
        ref, mine = torch.nn.MaxPool2d(**config), MaxPool2d(**config)
    else:
        include = kind == "avg"
        ref = torch.nn.AvgPool2d(**config, count_include_pad=include)
        mine = AvgPool2d(**config, count_include_pad=include)
    # rounded values: many ties, so the tie rule is compared too
    x = np.random.default_rng(0).standard_normal((3, 2, 7, 8)).round(1).astype(np.float32)
    xt, xc = torch.tensor(x, requires_grad=True), Tensor(x.copy(), requires_grad=True)
    out_t, out = ref(xt), mine(xc)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out_t.backward(torch.tensor(g))
    out.backward(g)
    assert out.dtype == xc.grad.dtype == np.float32
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(xc.grad.data, xt.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_max_pool2d_infinite_upstream_gradient_reaches_only_the_maximum():
    x = Tensor(np.array([[[[1.0, 4.0], [2.0, 3.0]]]]), requires_grad=True)
    max_pool2d(x, 2).backward(np.array([[[[np.inf]]]]))
    np.testing.assert_array_equal(x.grad.data[0, 0], [[0, np.inf], [0, 0]])
