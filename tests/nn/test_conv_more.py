"""Conv2d with groups, dilation and padding modes, Conv1d, ConvTranspose2d, MaxPool2d
(ceil_mode): gradient checks (first and second order, float64), values and gradients against
PyTorch with the same weights, output sizes, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import tensors
from nn.conv import Conv1d, Conv2d, ConvTranspose2d, conv1d, conv2d, conv_transpose2d
from nn.pooling import MaxPool2d, max_pool2d


def _parity(torch, ours, theirs, shape, seed=0, **call):
    rng = np.random.default_rng(seed)
    theirs.double()
    for name, p in theirs.named_parameters():
        getattr(ours, name).data[...] = p.detach().numpy()
    x = rng.standard_normal(shape)
    tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    t, o = theirs(tx, **call), ours(ox, **call)
    assert tuple(t.shape) == o.shape
    np.testing.assert_allclose(o.data, t.detach().numpy(), atol=1e-11)
    g = rng.standard_normal(o.shape)
    t.backward(torch.tensor(g))
    o.backward(g)
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), atol=1e-11)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad.data, p.grad.numpy(), atol=1e-11)


@pytest.mark.parametrize("args,kwargs,shape", [
    ((4, 6, 3), {"groups": 2, "padding": 1}, (2, 4, 7, 7)),
    ((6, 6, 3), {"groups": 6, "stride": 2, "dilation": 2, "padding": 2}, (2, 6, 9, 8)),
    ((6, 4, (3, 1)), {"groups": 2, "stride": (2, 1), "bias": False}, (1, 6, 8, 5)),
    ((3, 4, (3, 2)), {"padding_mode": "reflect", "padding": (1, 1)}, (1, 3, 5, 6)),
    ((4, 8, 3), {"groups": 4, "padding_mode": "circular", "padding": 1}, (2, 4, 5, 5)),
    ((2, 2, 3), {"padding_mode": "replicate", "padding": 2, "dilation": 2}, (1, 2, 4, 4))])
def test_conv2d_groups_dilation_padding_modes_match_torch(args, kwargs, shape):
    torch = pytest.importorskip("torch")
    _parity(torch, Conv2d(*args, dtype=np.float64, **kwargs), torch.nn.Conv2d(*args, **kwargs),
            shape)


@pytest.mark.parametrize("args,kwargs,shape", [
    ((3, 5, 4), {"stride": 2, "padding": 1}, (2, 3, 20)),
    ((4, 4, 3), {"groups": 2, "dilation": 2, "padding": "same"}, (2, 4, 11)),
    ((4, 6, 3), {"padding_mode": "replicate", "padding": 2}, (1, 4, 9)),
    ((2, 3, 3), {}, (2, 7))])
def test_conv1d_matches_torch(args, kwargs, shape):
    torch = pytest.importorskip("torch")
    _parity(torch, Conv1d(*args, dtype=np.float64, **kwargs), torch.nn.Conv1d(*args, **kwargs),
            shape)


@pytest.mark.parametrize("args,kwargs,shape", [
    ((4, 3, 4), {"stride": 2, "padding": 1}, (2, 4, 5, 5)),
    ((4, 6, 3), {"stride": 2, "output_padding": 1, "groups": 2}, (2, 4, 4, 5)),
    ((2, 2, 3), {"stride": 3, "padding": 1, "dilation": 2, "output_padding": (2, 1)},
     (1, 2, 3, 4)),
    ((3, 2, (2, 3)), {"bias": False}, (3, 3, 3))])
def test_conv_transpose2d_matches_torch(args, kwargs, shape):
    torch = pytest.importorskip("torch")
    _parity(torch, ConvTranspose2d(*args, dtype=np.float64, **kwargs),
            torch.nn.ConvTranspose2d(*args, **kwargs), shape)


def test_conv_transpose2d_output_size_argument_matches_torch():
    torch = pytest.importorskip("torch")
    _parity(torch, ConvTranspose2d(4, 3, 3, stride=2, padding=1, dtype=np.float64),
            torch.nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1), (1, 4, 5, 5),
            output_size=(10, 10))


@settings(max_examples=6)
@given(st.sampled_from([((1, 4, 4, 4), (4, 2, 3, 3), 2, 1, 1, 1),
                        ((2, 6, 5, 4), (3, 2, 2, 2), 3, 2, 0, 1),
                        ((1, 2, 5, 5), (2, 1, 3, 3), 2, 1, 2, 2)]), st.data())
def test_grouped_conv_gradients_first_and_second_order(case, data):
    x_shape, w_shape, groups, stride, padding, dilation = case
    x, w = data.draw(tensors(shape=x_shape)), data.draw(tensors(shape=w_shape))
    b = data.draw(tensors(shape=(w_shape[0],)))
    fn = lambda *a: conv2d(*a, stride=stride, padding=padding, dilation=dilation,  # noqa: E731
                           groups=groups)
    assert gradcheck(fn, [x, w, b])
    assert gradgradcheck(fn, [x, w, b])


@settings(max_examples=6)
@given(st.sampled_from([((1, 2, 3, 3), (2, 3, 3, 3), 1, 2, 0, 1, 1),
                        ((2, 4, 2, 3), (4, 1, 2, 2), 2, 2, 1, 1, 1),
                        ((1, 2, 3, 2), (2, 2, 3, 3), 1, 2, 1, 1, 2)]), st.data())
def test_conv_transpose2d_gradients_first_and_second_order(case, data):
    x_shape, w_shape, groups, stride, out_pad, padding, dilation = case
    x, w = data.draw(tensors(shape=x_shape)), data.draw(tensors(shape=w_shape))
    b = data.draw(tensors(shape=(w_shape[1] * groups,)))
    fn = lambda *a: conv_transpose2d(*a, stride=stride, padding=padding,  # noqa: E731
                                     output_padding=out_pad, groups=groups, dilation=dilation)
    assert gradcheck(fn, [x, w, b])
    assert gradgradcheck(fn, [x, w, b])


@settings(max_examples=6)
@given(st.sampled_from([((2, 3, 7), (4, 3, 3), 1), ((1, 4, 6), (2, 2, 2), 2)]), st.data())
def test_conv1d_gradients(case, data):
    x_shape, w_shape, groups = case
    x, w = data.draw(tensors(shape=x_shape)), data.draw(tensors(shape=w_shape))
    fn = lambda *a: conv1d(*a, stride=2, padding=1, groups=groups)  # noqa: E731
    assert gradcheck(fn, [x, w])
    assert gradgradcheck(fn, [x, w])


@pytest.mark.parametrize("shape,k,s,p,d", [((2, 3, 5, 5), 2, 2, 0, 1), ((1, 2, 6, 6), 3, 2, 1, 1),
                                           ((1, 1, 7, 9), 3, 3, 1, 1), ((1, 1, 8, 7), 2, 3, 0, 2),
                                           ((3, 5, 5), 3, 2, 1, 2)])
def test_max_pool2d_ceil_mode_matches_torch(shape, k, s, p, d):
    torch = pytest.importorskip("torch")
    ours, theirs = MaxPool2d(k, s, p, d, ceil_mode=True), torch.nn.MaxPool2d(k, s, p, d,
                                                                            ceil_mode=True)
    _parity(torch, ours, theirs, shape)
    assert "ceil_mode=True" in repr(ours)


@given(tensors(shape=(1, 2, 5, 5), distinct=0.05))
def test_max_pool2d_ceil_mode_gradients(x):
    assert gradcheck(lambda t: max_pool2d(t, 2, 2, ceil_mode=True), [x])


def test_errors_name_the_shapes():
    x = Tensor(np.zeros((1, 4, 5, 5)))
    with pytest.raises(ValueError, match="in_channels=4 must be divisible by groups=3"):
        Conv2d(4, 6, 3, groups=3)
    with pytest.raises(ValueError, match=r"has 4 channels but weight .* with groups=2 expects 6"):
        conv2d(x, Tensor(np.zeros((6, 3, 3, 3))), groups=2)
    with pytest.raises(ValueError, match="output_padding .* must be smaller than stride"):
        conv_transpose2d(x, Tensor(np.zeros((4, 2, 3, 3))), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="padding_mode must be"):
        Conv2d(4, 4, 3, padding_mode="mirror")
    with pytest.raises(NotImplementedError, match="return_indices"):
        MaxPool2d(2, return_indices=True)
    with pytest.raises(ValueError, match=r"conv1d: expected input \(N, C, L\)"):
        F.conv1d(x, Tensor(np.zeros((2, 4, 3))))
