"""one_hot, pad (constant/reflect/replicate/circular, PyTorch's pad order), normalize,
cosine_similarity, pairwise_distance, smooth_l1_loss, huber_loss, kl_div and their modules:
gradient checks (hypothesis, float64, first and second order) and torch parity."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import floats_away_from, tensors

pad_cases = st.sampled_from([
    ((5,), (2, 1)), ((2, 4), (1, 3)), ((2, 3, 4), (1, 2, 2, 0)), ((1, 2, 3, 4), (3, 0, 1, 2)),
    ((2, 3), (0, 0, 1, 1))])


@given(pad_cases, st.sampled_from(["constant", "reflect", "replicate", "circular"]), st.data())
def test_pad_gradients(case, mode, data):
    shape, widths = case
    if mode == "reflect":
        widths = tuple(min(w, n - 1) for w, n in zip(widths, [s for s in shape[::-1]
                                                                for _ in (0, 1)]))
    x = data.draw(tensors(shape=shape))
    assert gradcheck(lambda t: F.pad(t, widths, mode=mode), [x])
    assert gradgradcheck(lambda t: F.pad(t, widths, mode=mode) ** 2, [x])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,widths", [((2, 5), (2, 3)), ((1, 2, 4, 5), (1, 2, 3, 1)),
                                          ((2, 3, 4), (3, 0)),
                                          ((1, 1, 3, 3, 3), (1, 1, 2, 0, 0, 2))])
def test_pad_matches_torch(mode, shape, widths):
    torch = pytest.importorskip("torch")
    if mode == "reflect":
        widths = tuple(min(w, 2) for w in widths)
    x = np.random.default_rng(0).standard_normal(shape)
    kwargs = {"value": 1.5} if mode == "constant" else {}
    tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    try:
        ty = torch.nn.functional.pad(tx, widths, mode=mode, **kwargs)
    except (RuntimeError, NotImplementedError):
        pytest.skip(f"torch has no {mode} padding for this rank")
    oy = F.pad(ox, widths, mode=mode, **kwargs)
    np.testing.assert_array_equal(oy.data, ty.detach().numpy())
    g = np.random.default_rng(1).standard_normal(oy.shape)
    ty.backward(torch.tensor(g))
    oy.backward(g)
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), atol=1e-12)


def test_negative_constant_padding_crops_like_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(20.0).reshape(4, 5)
    for widths in [(-1, 2), (-2, -1, 1, -1), (0, -5)]:
        np.testing.assert_array_equal(F.pad(Tensor(x), widths).data,
                                      torch.nn.functional.pad(torch.tensor(x), widths).numpy())


def test_pad_errors():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="even length"):
        F.pad(x, (1,))
    with pytest.raises(ValueError, match=r"reflect padding \(3, 0\) of dimension 1 \(size 3\)"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match="mode must be one of"):
        F.pad(x, (1, 1), mode="wrap")


def test_one_hot_matches_torch_and_checks_ids():
    torch = pytest.importorskip("torch")
    ids = np.array([[0, 3], [2, 2]])
    np.testing.assert_array_equal(F.one_hot(ids).data,
                                  torch.nn.functional.one_hot(torch.tensor(ids)).numpy())
    out = F.one_hot(Tensor(ids), num_classes=6)
    assert out.shape == (2, 2, 6) and out.dtype == np.int64 and not out.requires_grad
    with pytest.raises(ValueError, match="class id 3 is out of range for num_classes=3"):
        F.one_hot(ids, 3)
    with pytest.raises(TypeError, match="must be integers"):
        F.one_hot(np.array([0.0]))


vec_shapes = st.sampled_from([((3, 4), 1), ((2, 3, 2), 2), ((5,), 0), ((2, 3), 0)])


@given(vec_shapes, st.sampled_from([1.0, 2.0, 3.0]), st.data())
def test_normalize_and_cosine_similarity_gradients(case, p, data):
    shape, dim = case
    away = floats_away_from((0.0,), 0.2)
    x = data.draw(tensors(shape=shape, elements=away))
    y = data.draw(tensors(shape=shape, elements=away))
    assert gradcheck(lambda t: F.normalize(t, p=p, dim=dim), [x])
    assert gradgradcheck(lambda t: F.normalize(t, p=p, dim=dim), [x])
    assert gradcheck(lambda a, b: F.cosine_similarity(a, b, dim=dim), [x, y])
    assert gradgradcheck(lambda a, b: F.cosine_similarity(a, b, dim=dim), [x, y])
    # b + 7 keeps every difference >= 1: the p-norm of ~0 is not smooth enough for
    # central differences
    assert gradcheck(lambda a, b: F.pairwise_distance(a, b + 7.0, p=p), [x, y])


@pytest.mark.parametrize("scale", [1.0, 1e-10])      # 1e-10: below eps, clamped
def test_normalize_cosine_pairwise_match_torch(scale):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((1, 5))
    a[0] = 0
    a[1] *= scale
    for fn, args, kwargs in [("normalize", (a,), {"dim": 1}), ("normalize", (a,), {"p": 1.0}),
                             ("normalize", (a,), {"p": float("inf"), "dim": 0}),
                             ("cosine_similarity", (a, b), {"dim": 1}),
                             ("pairwise_distance", (a, b), {}),
                             ("pairwise_distance", (a, b), {"p": 1.0, "keepdim": True})]:
        targs = [torch.tensor(v, requires_grad=True) for v in args]
        oargs = [Tensor(v, requires_grad=True) for v in args]
        ty = getattr(torch.nn.functional, fn)(*targs, **kwargs)
        oy = getattr(F, fn)(*oargs, **kwargs)
        np.testing.assert_allclose(oy.data, ty.detach().numpy(), rtol=1e-12, atol=1e-14)
        w = rng.standard_normal(oy.shape)
        ty.backward(torch.tensor(w))
        oy.backward(w)
        for t, o in zip(targs, oargs):
            np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=f"{fn} {kwargs}")


def test_cosine_similarity_and_pairwise_distance_modules():
    x, y = Tensor(np.random.randn(3, 4)), Tensor(np.random.randn(3, 4))
    np.testing.assert_array_equal(nn.CosineSimilarity(dim=1)(x, y).data,
                                  F.cosine_similarity(x, y).data)
    assert nn.PairwiseDistance(keepdim=True)(x, y).shape == (3, 1)
    with pytest.raises(ValueError, match="do not broadcast"):
        F.cosine_similarity(Tensor(np.zeros((2, 3))), Tensor(np.zeros((4, 3))))


loss_inputs = st.sampled_from([(4,), (2, 3), (3, 2, 2)])


@given(loss_inputs, st.sampled_from(["mean", "sum", "none"]), st.data())
def test_smooth_l1_and_huber_gradients(shape, reduction, data):
    x = data.draw(tensors(shape=shape))
    y = Tensor(x.data + data.draw(tensors(shape=shape, elements=floats_away_from(
        (-1.0, -0.5, 0.0, 0.5, 1.0), 0.1), requires_grad=False)).data)
    for fn in (lambda a: F.smooth_l1_loss(a, y, reduction=reduction),
               lambda a: F.smooth_l1_loss(a, y, reduction=reduction, beta=0.5),
               lambda a: F.huber_loss(a, y, reduction=reduction, delta=0.5)):
        assert gradcheck(fn, [x])
        assert gradgradcheck(fn, [x])


@given(loss_inputs, st.sampled_from(["mean", "sum", "batchmean", "none"]), st.booleans(),
       st.data())
def test_kl_div_gradients_wrt_input_and_target(shape, reduction, log_target, data):
    x = data.draw(tensors(shape=shape))
    t = data.draw(tensors(shape=shape, elements=floats_away_from((), 0.0, 0.1, 2.0)))
    if log_target:
        t = Tensor(np.log(t.data), requires_grad=True)
    fn = lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target)  # noqa: E731
    assert gradcheck(fn, [x, t])
    assert gradgradcheck(fn, [x, t])


@pytest.mark.parametrize("fn,kwargs", [
    ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.3, "reduction": "sum"}),
    ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 0.7}),
    ("huber_loss", {"reduction": "none"}), ("kl_div", {"reduction": "batchmean"}),
    ("kl_div", {"reduction": "sum", "log_target": True}), ("kl_div", {"reduction": "none"})])
def test_losses_match_torch(fn, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    if fn == "kl_div":
        x = np.log(rng.dirichlet(np.ones(3), 4))
        y = np.log(rng.dirichlet(np.ones(3), 4)) if kwargs.get("log_target") else \
            rng.dirichlet(np.ones(3), 4)
        if not kwargs.get("log_target"):
            y[0, 1] = 0.0                                         # 0 log 0 = 0
    tx, ty_ = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    ox, oy_ = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    t_out = getattr(torch.nn.functional, fn)(tx, ty_, **kwargs)
    o_out = getattr(F, fn)(ox, oy_, **kwargs)
    np.testing.assert_allclose(o_out.data, t_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    (t_out * torch.tensor(np.arange(1.0, 1.0 + t_out.numel()).reshape(t_out.shape))).sum() \
        .backward()
    (o_out * Tensor(np.arange(1.0, 1.0 + o_out.size).reshape(o_out.shape))).sum().backward()
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-14)
    # d/dt t log t is -inf at a zero target: PyTorch gives NaN there, we leave that term out
    finite = np.isfinite(ty_.grad.numpy())
    assert finite.sum() == finite.size - (fn == "kl_div" and not kwargs.get("log_target"))
    np.testing.assert_allclose(oy_.grad.data[finite], ty_.grad.numpy()[finite], rtol=1e-12,
                               atol=1e-14)
    assert np.isfinite(oy_.grad.data).all()


def test_loss_modules_and_legacy_arguments():
    x, y = Tensor([0.2, 3.0]), Tensor([0.0, 0.0])
    assert nn.SmoothL1Loss(beta=0.5)(x, y).item() == pytest.approx(F.smooth_l1_loss(
        x, y, beta=0.5).item())
    assert nn.HuberLoss(reduction="sum", delta=2.0)(x, y).item() == pytest.approx(
        0.5 * 0.2 ** 2 + 2.0 * (3.0 - 0.5 * 2.0))
    assert nn.SmoothL1Loss(reduce=False)(x, y).shape == (2,)
    assert nn.SmoothL1Loss(size_average=False)(x, y).item() == pytest.approx(0.02 + 2.5)
    assert repr(nn.KLDivLoss(reduction="batchmean")) == "KLDivLoss(reduction='batchmean')"
    with pytest.raises(ValueError, match="kl_div: reduction must be"):
        F.kl_div(x, y, reduction="avg")
    with pytest.raises(ValueError, match="delta must be positive"):
        F.huber_loss(x, y, delta=0)
