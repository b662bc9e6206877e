"""The shifted algorithm's forward when the output is as wide as the input (nn.conv.
_same_width_conv: stride 1, the images read in place, wrapped reads zeroed): its values
and the gradients w.r.t. input, weight and bias equal the im2col algorithm's and
PyTorch's in float64 and float32 on drawn shapes (asymmetric padding, dilation, groups,
any height), and pass gradcheck and gradgradcheck in float64."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd import Tensor
from nn.conv import Conv2dFunction, _same_width_conv
from nn.windows import geometry
from tests.nn.test_conv_algorithms import assert_gradchecks, chunk_bytes, direct_conv


@st.composite
def same_width_cases(draw, max_side=7):
    """(x, w, bias, geometry) of a stride-1 convolution whose output is as wide as its input,
    float64."""
    n, groups = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    c, f = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    (kh, kw), (dh, dw) = [(draw(st.integers(1, 3)), draw(st.integers(1, 4))),
                          (draw(st.integers(1, 2)), draw(st.integers(1, 2)))]
    span_h, span_w = dh * (kh - 1), dw * (kw - 1)
    pl = draw(st.integers(0, span_w))                       # pl + pr = span: same width
    pt, pb = draw(st.integers(0, span_h + 1)), draw(st.integers(0, span_h + 1))
    h = draw(st.integers(max(1, span_h + 1 - pt - pb), max_side))
    w = draw(st.integers(1, max_side))
    geo = geometry("conv2d", (max(h, span_h + 1), max(w, span_w + 1)), (kh, kw), 1, 0,
                   (dh, dw))
    geo = geo._replace(padding=((pt, pb), (pl, span_w - pl)), in_hw=(h, w),
                       out_hw=(h + pt + pb - span_h, w), groups=groups, algorithm="shifted")
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    x = rng.standard_normal((n, c, h, w))
    weight = rng.standard_normal((f, c // groups, kh, kw))
    bias = rng.standard_normal(f) if draw(st.booleans()) else None
    return x, weight, bias, geo


def step(x, w, bias, geo, g, algorithm):
    """Output and the gradients w.r.t. x, w (and bias) of one forward and backward."""
    inputs = [Tensor(a, requires_grad=True) for a in (x, w) + (() if bias is None else (bias,))]
    out = Conv2dFunction.apply(inputs[0], inputs[1], inputs[2] if bias is not None else None,
                               geo._replace(algorithm=algorithm))
    out.backward(g)
    return [out.data] + [t.grad.data for t in inputs]


@given(same_width_cases(), st.sampled_from([1, 1 << 21]))
def test_same_width_equals_the_direct_sum_and_im2col_in_float64_and_float32(case, chunk):
    x, w, bias, geo = case
    g = np.random.default_rng(1).standard_normal((x.shape[0], w.shape[0]) + geo.out_hw)
    with chunk_bytes(chunk):
        np.testing.assert_allclose(_same_width_conv(x, w, bias, geo),
                                   direct_conv(x, w, bias, geo), rtol=1e-12, atol=1e-12)
        for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-5)):
            args = [None if a is None else a.astype(dtype) for a in (x, w, bias)]
            got = step(*args, geo, g.astype(dtype), "shifted")
            want = step(*args, geo, g.astype(dtype), "im2col")
            for a, b in zip(got, want):
                assert a.dtype == dtype and a.shape == b.shape
                np.testing.assert_allclose(a, b, rtol=tol, atol=tol * max(1, np.abs(b).max()))


@settings(max_examples=25, deadline=None)
@given(same_width_cases())
def test_same_width_matches_torch_in_float64_and_float32(case):
    torch = pytest.importorskip("torch")
    x, w, bias, geo = case
    (pt, pb), (pl, pr) = geo.padding
    g = np.random.default_rng(2).standard_normal((x.shape[0], w.shape[0]) + geo.out_hw)
    for dtype, tol in ((np.float64, 1e-10), (np.float32, 1e-5)):
        args = [None if a is None else a.astype(dtype) for a in (x, w, bias)]
        ours = step(*args, geo, g.astype(dtype), "shifted")
        theirs = [torch.tensor(a, requires_grad=True) for a in args if a is not None]
        xt = torch.nn.functional.pad(theirs[0], (pl, pr, pt, pb))
        out = torch.nn.functional.conv2d(xt, theirs[1], theirs[2] if bias is not None else None,
                                         dilation=geo.dilation, groups=geo.groups)
        out.backward(torch.tensor(g.astype(dtype)))
        for a, b in zip(ours, [out.detach()] + [t.grad for t in theirs]):
            b = b.numpy()
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol * max(1, np.abs(b).max()))


@settings(max_examples=10)
@given(same_width_cases(max_side=4), st.sampled_from([1, 1 << 21]))
def test_same_width_gradients_first_and_second_order(case, chunk):
    assert_gradchecks(*case, chunk)
