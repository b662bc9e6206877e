"""conv2d / Conv2d: gradients w.r.t. input, weight and bias over strides, paddings and
dilations; im2col and col2im are adjoint; PyTorch parity; init; errors."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import tensors
from nn.conv import Conv2d, conv2d
from nn.windows import col2im, geometry, im2col
from nn.module import manual_seed

kernels = st.tuples(st.integers(1, 3), st.integers(1, 3))


@st.composite
def conv_cases(draw, max_side=5):
    """(x, weight, bias or None, stride, padding, dilation) with a non-empty output."""
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(kernels)
    stride = draw(st.sampled_from([1, 2, (1, 2), (2, 1)]))
    padding = draw(st.sampled_from([0, 1, 2, (0, 1), (2, 1)]))
    dilation = draw(st.sampled_from([1, 2, (2, 1)]))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    assume(h + 2 * ph >= dh * (kh - 1) + 1 and w + 2 * pw >= dw * (kw - 1) + 1)
    x = draw(tensors(shape=(n, c_in, h, w)))
    weight = draw(tensors(shape=(c_out, c_in, kh, kw)))
    bias = draw(tensors(shape=(c_out,))) if draw(st.booleans()) else None
    return x, weight, bias, stride, padding, dilation


def _fn(stride, padding, dilation):
    return lambda x, w, *b: conv2d(x, w, b[0] if b else None, stride, padding, dilation)


@given(conv_cases())
def test_conv2d_gradients_wrt_input_weight_and_bias(case):
    x, w, b, stride, padding, dilation = case
    inputs = [x, w] + ([b] if b is not None else [])
    assert gradcheck(_fn(stride, padding, dilation), inputs)


@given(conv_cases(max_side=4))
def test_conv2d_second_derivatives(case):
    x, w, b, stride, padding, dilation = case
    inputs = [x, w] + ([b] if b is not None else [])
    assert gradgradcheck(_fn(stride, padding, dilation), inputs)


@given(conv_cases(), st.data())
def test_im2col_and_col2im_are_adjoint(case, data):
    x, w, _, stride, padding, dilation = case
    geo = geometry("test", x.shape[2:], w.shape[2:], stride, padding, dilation)
    cols = im2col(x.data, geo)
    c = data.draw(tensors(shape=cols.shape)).data
    back = col2im(c, x.shape, geo)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x.data * back), rtol=1e-10, atol=1e-10)


def test_conv2d_matches_a_direct_sum():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2)), \
        rng.standard_normal(4)
    out = conv2d(Tensor(x), Tensor(w), Tensor(b), stride=(2, 1), padding=1, dilation=(1, 2)).data
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ho, wo = (6 + 2 - 3) // 2 + 1, (5 + 2 - 3) // 1 + 1
    want = np.zeros((2, 4, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, 2 * i:2 * i + 3, j:j + 3:2]
            want[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w) + b
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12)


def test_conv2d_is_one_node_and_keeps_float32():
    x = Tensor(np.ones((2, 3, 5, 5), np.float32), requires_grad=True)
    conv = Conv2d(3, 4, 3, dtype=np.float32)
    out = conv(x)
    assert out.grad_fn.name == "Conv2dFunction" and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == conv.weight.grad.dtype == conv.bias.grad.dtype == np.float32


def test_conv2d_unbatched_input_and_same_padding():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 5, 6)), rng.standard_normal((3, 2, 2, 3))
    out = conv2d(Tensor(x), Tensor(w), padding="same", dilation=2)
    assert out.shape == (3, 5, 6)
    batched = conv2d(Tensor(x[None]), Tensor(w), padding="same", dilation=2)
    np.testing.assert_allclose(out.data, batched.data[0])
    assert gradcheck(lambda a, k: conv2d(a, k, padding="same"), [x, w])


def test_conv2d_errors_name_the_op_and_shapes():
    x, w = Tensor(np.ones((1, 3, 4, 4))), Tensor(np.ones((2, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"conv2d: input \(1, 2, 4, 4\).*2 channels.*expects 3"):
        conv2d(Tensor(np.ones((1, 2, 4, 4))), w)
    with pytest.raises(ValueError, match=r"conv2d: the \(dilated\) kernel \(5, 5\) is larger"):
        conv2d(x, w, dilation=2)
    with pytest.raises(ValueError, match="conv2d: stride must be an int >= 1"):
        conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="conv2d: padding must be an int >= 0"):
        conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"conv2d: bias \(3,\) float64 must have shape \(2,\)"):
        conv2d(x, w, Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="conv2d: expected input"):
        conv2d(Tensor(np.ones((4, 4))), w)
    with pytest.raises(TypeError, match="conv2d: input .* int64 .* must be float"):
        conv2d(Tensor(np.ones((1, 3, 4, 4), dtype=np.int64)), w)
    with pytest.raises(ValueError, match="Conv2d: in_channels must be a positive int"):
        Conv2d(0, 2, 3)


def test_conv2d_init_is_pytorchs_uniform_and_seeded():
    manual_seed(0)
    conv = Conv2d(8, 64, (3, 5))
    bound = 1 / math.sqrt(8 * 3 * 5)
    w, b = conv.weight.data, conv.bias.data
    assert w.shape == (64, 8, 3, 5) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound / math.sqrt(3)
    manual_seed(0)
    np.testing.assert_array_equal(Conv2d(8, 64, (3, 5)).weight.data, w)
    assert Conv2d(3, 4, 3, bias=False).bias is None
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    assert repr(Conv2d(3, 4, 3, stride=2, padding=1)) == \
        "Conv2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))  # 112 params"


# -- PyTorch parity ------------------------------------------------------------------

CONFIGS = [dict(kernel_size=3, padding=1), dict(kernel_size=(3, 2), stride=2, padding=(1, 0)),
           dict(kernel_size=2, dilation=2, padding="same"), dict(kernel_size=1, bias=False),
           dict(kernel_size=(2, 3), stride=(1, 2), padding=2, dilation=(2, 1))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGS)
def test_conv2d_matches_torch(config, dtype):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ref = torch.nn.Conv2d(3, 5, **config).to(torch.float64 if dtype == np.float64 else
                                              torch.float32)
    conv = Conv2d(3, 5, **config, dtype=dtype)
    conv.weight.data[...] = ref.weight.detach().numpy()
    if ref.bias is not None:
        conv.bias.data[...] = ref.bias.detach().numpy()
    x = np.random.default_rng(0).standard_normal((4, 3, 9, 8)).astype(dtype)
    xt, xc = torch.tensor(x, requires_grad=True), Tensor(x.copy(), requires_grad=True)
    out_t, out = ref(xt), conv(xc)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    out_t.backward(torch.tensor(g))
    out.backward(g)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    assert out.dtype == dtype and xc.grad.dtype == dtype
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **tol)
    np.testing.assert_allclose(xc.grad.data, xt.grad.numpy(), **tol)
    np.testing.assert_allclose(conv.weight.grad.data, ref.weight.grad.numpy(), **tol)
    if ref.bias is not None:
        np.testing.assert_allclose(conv.bias.grad.data, ref.bias.grad.numpy(), **tol)


def test_conv2d_gradients_when_only_some_inputs_require_grad():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), \
        rng.standard_normal(3)
    g = rng.standard_normal((2, 3, 3, 3))
    full = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    conv2d(*full).backward(g)
    for frozen in range(3):
        ts = [Tensor(a, requires_grad=i != frozen) for i, a in enumerate((x, w, b))]
        conv2d(*ts).backward(g)
        for i, (t, ref) in enumerate(zip(ts, full)):
            if i == frozen:
                assert t.grad is None
            else:
                np.testing.assert_allclose(t.grad.data, ref.grad.data, rtol=1e-12)
