"""GroupNorm and InstanceNorm1d/2d (and group_norm, instance_norm): gradient checks (first and
second order), torch parity of values, gradients and running statistics, errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import tensors
from nn.group_norm import GroupNorm, InstanceNorm1d, InstanceNorm2d, group_norm, instance_norm


@given(st.sampled_from([((2, 4, 3), 2), ((1, 6, 2, 2), 3), ((3, 2, 5), 1), ((2, 4), 4)]),
       st.booleans(), st.data())
def test_group_norm_gradients(case, affine, data):
    shape, groups = case
    x = data.draw(tensors(shape=shape))
    params = [data.draw(tensors(shape=(shape[1],))) for _ in range(2)] if affine else []
    fn = lambda t, *wb: group_norm(t, groups, *wb)  # noqa: E731
    assert gradcheck(fn, [x] + params)
    assert gradgradcheck(fn, [x] + params)


@given(st.sampled_from([(2, 3, 4), (1, 2, 3, 3)]), st.data())
def test_instance_norm_gradients(shape, data):
    x = data.draw(tensors(shape=shape))
    w, b = data.draw(tensors(shape=(shape[1],))), data.draw(tensors(shape=(shape[1],)))
    assert gradcheck(lambda t, *wb: instance_norm(t, None, None, *wb), [x, w, b])
    assert gradgradcheck(lambda t, *wb: instance_norm(t, None, None, *wb), [x, w, b])


def _parity(torch, ours, theirs, shape, steps=3, train=True):
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for name, p in theirs.named_parameters():
            p.copy_(torch.tensor(rng.standard_normal(p.shape)))
            getattr(ours, name).data[...] = p.numpy()
    ours.train(train)
    theirs.train(train)
    for _ in range(steps):
        x = rng.standard_normal(shape) * 3 + 1
        tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
        ty, oy = theirs(tx), ours(ox)
        np.testing.assert_allclose(oy.data, ty.detach().numpy(), atol=1e-12)
        g = rng.standard_normal(oy.shape)
        ty.backward(torch.tensor(g))
        oy.backward(g)
        np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), atol=1e-10)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad.data, p.grad.numpy(), atol=1e-10)
    for name, b in theirs.named_buffers():
        np.testing.assert_allclose(getattr(ours, name).data, b.numpy(), atol=1e-12)


@pytest.mark.parametrize("groups,channels,affine", [(2, 6, True), (1, 4, True), (4, 4, False)])
@pytest.mark.parametrize("shape_tail", [(5,), (3, 4)])
def test_group_norm_matches_torch(groups, channels, affine, shape_tail):
    torch = pytest.importorskip("torch")
    _parity(torch, GroupNorm(groups, channels, affine=affine, dtype=np.float64),
            torch.nn.GroupNorm(groups, channels, affine=affine).double(),
            (3, channels) + shape_tail, steps=1)


@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (2, 3, 7)),
                                       ("InstanceNorm2d", (2, 3, 4, 5)),
                                       ("InstanceNorm2d", (3, 4, 5))])
@pytest.mark.parametrize("kwargs", [{}, {"affine": True},
                                    {"affine": True, "track_running_stats": True},
                                    {"track_running_stats": True, "momentum": None}])
def test_instance_norm_matches_torch_in_train_and_eval(cls, shape, kwargs):
    torch = pytest.importorskip("torch")
    ours = {"InstanceNorm1d": InstanceNorm1d, "InstanceNorm2d": InstanceNorm2d}[cls](
        3, dtype=np.float64, **kwargs)
    theirs = getattr(torch.nn, cls)(3, **kwargs).double()
    _parity(torch, ours, theirs, shape)
    _parity(torch, ours, theirs, shape, steps=1, train=False)


def test_group_norm_normalizes_each_group_and_keeps_float32():
    x = Tensor((np.random.randn(4, 6, 3, 3) * 5 + 2).astype(np.float32))
    y = GroupNorm(3, 6)(x).data
    assert y.dtype == np.float32
    g = y.reshape(4, 3, -1)
    np.testing.assert_allclose(g.mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(g.var(-1), 1, atol=1e-3)


def test_errors():
    with pytest.raises(ValueError, match="num_channels=5 must be divisible by num_groups=2"):
        GroupNorm(2, 5)
    with pytest.raises(ValueError, match=r"GroupNorm\(2, 4\): expected input \(N, 4, ...\)"):
        GroupNorm(2, 4)(Tensor(np.zeros((2, 3, 5))))
    with pytest.raises(ValueError, match=r"InstanceNorm2d\(3\): expected input of 4-d shape"):
        InstanceNorm2d(3)(Tensor(np.zeros((2, 4, 5, 5))))
    with pytest.raises(ValueError, match="cannot be split into num_groups=4"):
        group_norm(Tensor(np.zeros((2, 6, 3))), 4)
    assert repr(nn.GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True)  # 8 params"
