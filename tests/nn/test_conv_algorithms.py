"""Convolution's two algorithms (nn.conv: "im2col" and "shifted") compute the same three
kernels: values and gradients equal a direct sum and each other on random shapes (groups,
dilation, asymmetric padding, chunks of any size), float32 stays float32, the shifted
algorithm's gradients pass gradcheck and gradgradcheck, and conv2d picks per shape."""
import contextlib

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import nn.conv as conv_module
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import tensors
from nn.conv import (Conv2dFunction, ConvInputGrad, ConvWeightGrad, conv2d,
                     conv_transpose2d)
from nn.windows import geometry

ALGORITHMS = ("im2col", "shifted")


@contextlib.contextmanager
def chunk_bytes(n):
    """Run the shifted kernels with columns of about ``n`` bytes per chunk (1: one sample)."""
    old, conv_module.CHUNK_BYTES = conv_module.CHUNK_BYTES, n
    try:
        yield
    finally:
        conv_module.CHUNK_BYTES = old


@st.composite
def stride1_cases(draw, max_side=6):
    """(x, w, bias, geometry) of a stride-1 convolution with a non-empty output."""
    n, groups = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    c, f = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = draw(st.sampled_from([1, 2, (2, 1)]))
    padding = draw(st.sampled_from([0, 1, 2, (0, 1), (2, 1), "same", "valid"]))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    try:
        geo = geometry("conv2d", (h, w), kernel, 1, padding, dilation)
    except ValueError:                          # the kernel does not fit: not a case
        assume(False)
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    x = rng.standard_normal((n, c, h, w))
    weight = rng.standard_normal((f, c // groups) + kernel)
    bias = rng.standard_normal(f) if draw(st.booleans()) else None
    return x, weight, bias, geo._replace(groups=groups)


def direct_conv(x, w, bias, geo):
    """The convolution as a sum over kernel taps of (grouped) channel contractions."""
    (pt, pb), (pl, pr) = geo.padding
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    n, g = x.shape[0], geo.groups
    f, cg, kh, kw = w.shape
    (ho, wo), (dh, dw) = geo.out_hw, geo.dilation
    out = np.zeros((n, g, f // g, ho, wo))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i * dh:i * dh + ho, j * dw:j * dw + wo].reshape(n, g, cg, ho, wo)
            out += np.einsum("gfc,ngchw->ngfhw", w[:, :, i, j].reshape(g, f // g, cg), patch)
    out = out.reshape(n, f, ho, wo)
    return out if bias is None else out + bias.reshape(-1, 1, 1)


def kernels(x, w, bias, geo, g, algorithm):
    """Forward, input gradient and weight gradient (arrays) by one algorithm."""
    geo = geo._replace(algorithm=algorithm)
    b = None if bias is None else Tensor(bias)
    return (Conv2dFunction.apply(Tensor(x), Tensor(w), b, geo).data,
            ConvInputGrad.apply(Tensor(g), Tensor(w), x.shape, geo).data,
            ConvWeightGrad.apply(Tensor(x), Tensor(g), w.shape, geo).data)


@given(stride1_cases(), st.sampled_from([1, 1 << 10, 1 << 21]))
def test_both_algorithms_equal_the_direct_sum_and_each_other(case, chunk):
    x, w, bias, geo = case
    g = np.random.default_rng(1).standard_normal((x.shape[0], w.shape[0]) + geo.out_hw)
    reference = kernels(x, w, bias, geo, g, "im2col")
    np.testing.assert_allclose(reference[0], direct_conv(x, w, bias, geo), rtol=1e-12,
                               atol=1e-12)
    with chunk_bytes(chunk):
        shifted = kernels(x, w, bias, geo, g, "shifted")
    for got, want in zip(shifted, reference):
        assert got.shape == want.shape and got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@settings(max_examples=8)
@given(stride1_cases(max_side=4), st.sampled_from([1, 1 << 21]))
def test_shifted_gradients_first_and_second_order(case, chunk):
    x, w, bias, geo = case
    assert_gradchecks(x, w, bias, geo._replace(algorithm="shifted"), chunk)


def assert_gradchecks(x, w, bias, geo, chunk):
    """Conv2dFunction of geometry ``geo`` passes gradcheck and gradgradcheck (float64) with
    columns of ``chunk`` bytes per chunk."""
    inputs = [Tensor(a, requires_grad=True) for a in (x, w) + (() if bias is None else (bias,))]

    def fn(x, w, *b):
        return Conv2dFunction.apply(x, w, b[0] if b else None, geo)
    with chunk_bytes(chunk):
        assert gradcheck(fn, inputs)
        assert gradgradcheck(fn, inputs)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_float32_stays_float32_and_mixed_dtypes_promote(algorithm):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 7, 6)).astype(np.float32)
    w = rng.standard_normal((5, 4, 3, 3)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    geo = geometry("conv2d", (7, 6), 3, 1, 1, 1)
    g = rng.standard_normal((3, 5, 7, 6)).astype(np.float32)
    out, gx, gw = kernels(x, w, b, geo, g, algorithm)
    assert out.dtype == gx.dtype == gw.dtype == np.float32
    want = kernels(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), geo,
                   g.astype(np.float64), "im2col")
    for got, ref in zip((out, gx, gw), want):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
    mixed = kernels(x, w.astype(np.float64), b, geo, g, algorithm)    # gw = g x^T: float32
    assert [a.dtype for a in mixed] == [np.float64, np.float64, np.float32]
    for got, ref in zip(mixed, want):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-4)


def test_conv2d_picks_the_algorithm_per_shape():
    choose = conv_module._choose
    assert choose(geometry("conv2d", (32, 32), 3, 1, 1, 1)) == "shifted"     # benchmark shapes
    assert choose(geometry("conv2d", (32, 32), 3, 2, 1, 1)) == "im2col"      # stride 2
    assert choose(geometry("conv2d", (8, 8), 5, 1, 0, 1)) == "im2col"        # grid 4x output
    assert choose(geometry("conv2d", (2, 2), 3, 1, 2, 1)) == "shifted"       # grid = output
    assert choose(geometry("conv2d", (32, 32), 1, 1, 0, 1)) == "im2col"      # 1x1: no copy
    x = Tensor(np.zeros((2, 16, 32, 32), np.float32), requires_grad=True)
    out = conv2d(x, Tensor(np.zeros((32, 16, 3, 3), np.float32)), padding=1)
    assert out.grad_fn.geo.algorithm == "shifted"
    out = conv2d(x, Tensor(np.zeros((32, 16, 3, 3), np.float32)), stride=2, padding=1)
    assert out.grad_fn.geo.algorithm == "im2col"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_strided_input_and_broadcast_upstream_gradient(algorithm):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((2, 3, 9, 16))
    x, w = base[:, :, ::2, ::2], rng.standard_normal((4, 3, 2, 3))    # x is not contiguous
    geo = geometry("conv2d", x.shape[2:], (2, 3), 1, "same", 1)._replace(algorithm=algorithm)
    xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    Conv2dFunction.apply(xt, wt, None, geo).sum().backward()      # a broadcast ones gradient
    xr, wr = Tensor(x.copy(), requires_grad=True), Tensor(w, requires_grad=True)
    conv2d(xr, wr, padding="same").sum().backward()
    np.testing.assert_allclose(xt.grad.data, xr.grad.data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wt.grad.data, wr.grad.data, rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_with_stride_1_matches_torch_by_the_shifted_algorithm():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((4, 6, 16, 16)), rng.standard_normal((6, 4, 3, 3)), \
        rng.standard_normal(8)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    want = torch.nn.functional.conv_transpose2d(xt, wt, bt, padding=1, groups=2)
    xc, wc, bc = (Tensor(a, requires_grad=True) for a in (x, w, b))
    out = conv_transpose2d(xc, wc, bc, padding=1, groups=2)
    assert out.grad_fn.inputs[0].grad_fn.geo.algorithm == "shifted"
    np.testing.assert_allclose(out.data, want.detach().numpy(), rtol=1e-11, atol=1e-11)
    g = rng.standard_normal(out.shape)
    want.backward(torch.tensor(g))
    out.backward(g)
    for ours, theirs in ((xc, xt), (wc, wt), (bc, bt)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("shape", [(64, 3, 32, 32, 16), (64, 16, 32, 32, 32)])
def test_the_benchmark_shapes_match_torch_in_float32(shape):
    torch = pytest.importorskip("torch")
    n, c, h, w_, f = shape
    rng = np.random.default_rng(5)
    x = rng.standard_normal((n, c, h, w_)).astype(np.float32)
    w = (rng.standard_normal((f, c, 3, 3)) / np.sqrt(9 * c)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32)
    g = rng.standard_normal((n, f, h, w_)).astype(np.float32)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    want = torch.nn.functional.conv2d(xt, wt, bt, padding=1)
    want.backward(torch.tensor(g))
    xc, wc, bc = (Tensor(a, requires_grad=True) for a in (x, w, b))
    out = conv2d(xc, wc, bc, padding=1)
    assert out.grad_fn.geo.algorithm == "shifted"
    out.backward(g)
    for ours, theirs in ((out.data, want.detach()), (xc.grad.data, xt.grad),
                         (wc.grad.data, wt.grad), (bc.grad.data, bt.grad)):
        theirs = theirs.numpy()
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4 * np.abs(theirs).max())


@given(stride1_cases(), st.sampled_from([1, 1 << 21]),
       st.sampled_from([(True, True), (True, False), (False, True)]))
def test_plain_backward_is_the_same_by_either_algorithm(case, chunk, needs):
    """Both gradients: the shifted algorithm's one pass; one of them: its own kernel."""
    x, w, bias, geo = case
    g = np.random.default_rng(6).standard_normal((x.shape[0], w.shape[0]) + geo.out_hw)
    grads = {}
    for algorithm in ALGORITHMS:
        xt, wt = (Tensor(a, requires_grad=need) for a, need in zip((x, w), needs))
        with chunk_bytes(chunk):
            Conv2dFunction.apply(xt, wt, None, geo._replace(algorithm=algorithm)).backward(g)
        grads[algorithm] = [t.grad.data if need else t.grad for t, need in zip((xt, wt), needs)]
    for got, want in zip(grads["shifted"], grads["im2col"]):
        assert (got is None) == (want is None)
        if got is not None:
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_threads_do_not_share_the_shifted_algorithms_buffers():
    """The chunk buffers are reused per thread: two threads convolving at once stay exact."""
    from concurrent.futures import ThreadPoolExecutor
    rng = np.random.default_rng(7)
    jobs = []
    for c, f, h in [(3, 8, 12), (6, 4, 9)]:
        x, w = rng.standard_normal((5, c, h, h)), rng.standard_normal((f, c, 3, 3))
        geo = geometry("conv2d", (h, h), 3, 1, 1, 1)
        g = rng.standard_normal((5, f, h, h))
        jobs.append((x, w, geo, g, kernels(x, w, None, geo, g, "im2col")))

    def run(job):
        x, w, geo, g, want = job
        for _ in range(20):
            for got, ref in zip(kernels(x, w, None, geo, g, "shifted"), want):
                np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
    with chunk_bytes(1), ThreadPoolExecutor(2) as pool:
        list(pool.map(run, jobs))
