"""median, kthvalue and mode (PyTorch's named pairs, tie rules and gradients); PyTorch's
keywords flip(dims=), add/sub(alpha=), softmax/log_softmax(dtype=); and small fixes:
logsumexp of nothing warns nothing, a Function returning a list is refused.

Gradchecks run in float64 over shapes incl. 0-d; the torch parity tests skip cleanly
without torch.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import shapes

SETTINGS = settings(max_examples=40, deadline=None)


def _distinct(data, shape):
    """Values with no ties (PyTorch's index among equal values is its implementation's)."""
    n = int(np.prod(shape))
    values = data.draw(st.lists(st.integers(-50, 50), min_size=n, max_size=n, unique=True))
    return np.array(values, dtype=np.float64).reshape(shape) / 10


def _with_ties(data, shape):
    n = int(np.prod(shape))
    values = data.draw(st.lists(st.integers(-2, 2), min_size=n, max_size=n))
    return np.array(values, dtype=np.float64).reshape(shape)


def _dim(data, ndim):
    return data.draw(st.integers(-ndim, ndim - 1)) if ndim else data.draw(st.sampled_from([0, -1]))


# -- gradients --------------------------------------------------------------------------------

@SETTINGS
@given(st.data())
def test_property_median_kthvalue_mode_with_a_dim_gradcheck(data):
    shape = data.draw(shapes(min_dims=0, max_dims=3, max_side=4))
    a = _distinct(data, shape)
    d = _dim(data, a.ndim)
    n = a.shape[d] if a.ndim else 1
    k = data.draw(st.integers(1, n))
    keep = data.draw(st.booleans())
    ops = {"median": lambda x: x.median(d, keep).values,
           "kthvalue": lambda x: x.kthvalue(k, d, keep).values,
           "mode": lambda x: autograd.mode(x, d, keep).values}
    for name, op in ops.items():
        x = Tensor(a, requires_grad=True)
        gradcheck(lambda x: op(x) * op(x), [x])
        gradgradcheck(lambda x: op(x) * op(x), [x])


@SETTINGS
@given(st.data())
def test_property_median_of_all_elements_shares_the_gradient_among_ties(data):
    shape = data.draw(shapes(min_dims=0, max_dims=3, max_side=4))
    a = _with_ties(data, shape)
    x = Tensor(a, requires_grad=True)
    x.median().backward()
    value = np.sort(a.reshape(-1))[(a.size - 1) // 2]
    np.testing.assert_allclose(x.grad.data, (a == value) / (a == value).sum())
    b = _distinct(data, shape)
    gradcheck(lambda x: x.median() * x.sum(), [Tensor(b, requires_grad=True)])


# -- torch parity ------------------------------------------------------------------------------

@SETTINGS
@given(st.data())
def test_property_selection_matches_torch(data):
    torch = pytest.importorskip("torch")
    shape = data.draw(shapes(min_dims=0, max_dims=3, max_side=4))
    ties = data.draw(st.booleans())
    a = (_with_ties if ties else _distinct)(data, shape)
    d = _dim(data, a.ndim)
    n = a.shape[d] if a.ndim else 1
    k = data.draw(st.integers(1, n))
    keep = data.draw(st.booleans())
    cases = {
        "median()": lambda L, x: (L.median(x),),
        "median(dim)": lambda L, x: L.median(x, d, keepdim=keep),
        "x.median(dim=)": lambda L, x: x.median(dim=d),
        "kthvalue": lambda L, x: L.kthvalue(x, k, d, keep),
        "x.kthvalue": lambda L, x: x.kthvalue(k, dim=d),
        "mode": lambda L, x: L.mode(x, d, keep),
        "x.mode()": lambda L, x: x.mode(),
    }
    for name, case in cases.items():
        ours = case(autograd, Tensor(a, requires_grad=True))
        x = torch.tensor(a, requires_grad=True)
        theirs = case(torch, x)
        np.testing.assert_array_equal(ours[0].data, theirs[0].detach().numpy(), err_msg=name)
        picks_among_ties = ties and name not in ("mode", "x.mode()", "median()")
        if len(ours) == 2:
            assert type(ours).__name__ == "ValuesIndices" and ours.values is ours[0]
            assert ours[1].dtype == np.int64 and ours[1].shape == tuple(theirs[1].shape)
            if not picks_among_ties:
                np.testing.assert_array_equal(ours[1].data, theirs[1].numpy(), err_msg=name)
        if not picks_among_ties:
            ours_x = Tensor(a, requires_grad=True)
            (case(autograd, ours_x)[0] * 3).sum().backward()
            (theirs[0] * 3).sum().backward()
            np.testing.assert_allclose(ours_x.grad.data, x.grad.numpy(), err_msg=name)


def test_median_of_an_even_count_is_the_lower_middle_value_as_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[4.0, 1.0, 3.0, 2.0], [0.5, -1.0, 7.0, 6.0]])
    assert autograd.median(Tensor(a)).item() == torch.median(torch.tensor(a)).item() == 2.0
    ours, theirs = Tensor(a).median(1), torch.tensor(a).median(1)
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


def test_median_with_a_nan_is_nan_as_torch():
    a = np.array([[1.0, np.nan, 2.0], [3.0, 1.0, 2.0]])
    assert np.isnan(autograd.median(Tensor(a)).item())
    values, indices = autograd.median(Tensor(a), 1)
    assert np.isnan(values.data[0]) and indices.data.tolist() == [1, 2]


def test_selection_errors_name_the_op():
    with pytest.raises(IndexError, match=r"kthvalue: k=4 is out of range .* 1\.\.3"):
        autograd.kthvalue(Tensor([1.0, 2.0, 3.0]), 4)
    with pytest.raises(ValueError, match="median: the tensor is empty"):
        autograd.median(autograd.zeros(0))
    with pytest.raises(ValueError, match="mode: dim 0 of shape .0, 2. is empty"):
        autograd.mode(autograd.zeros(0, 2), 0)


def test_torch_mode_maps_to_a_function_not_the_grad_mode_module():
    assert callable(autograd.mode) and callable(autograd.median)
    from autograd.grad_mode import no_grad
    assert no_grad is autograd.no_grad
    values, indices = autograd.mode(Tensor([[3.0, 1.0, 3.0, 1.0]]), 1)
    assert values.tolist() == [1.0] and indices.tolist() == [3]     # smallest, last occurrence


# -- PyTorch's keywords ------------------------------------------------------------------------

KEYWORD_CASES = {
    "flip(a, dims=[0, 1])": lambda L, a, b: L.flip(a, dims=[0, 1]),
    "a.flip(dims=[1])": lambda L, a, b: a.flip(dims=[1]),
    "a.flip(dims=(0,))": lambda L, a, b: a.flip(dims=(0,)),
    "add(x, y, alpha=2)": lambda L, a, b: L.add(a, b, alpha=2),
    "sub(x, y, alpha=2)": lambda L, a, b: L.sub(a, b, alpha=2),
    "x.add(y, alpha=-0.5)": lambda L, a, b: a.add(b, alpha=-0.5),
    "x.sub(3, alpha=2)": lambda L, a, b: a.sub(3, alpha=2),
    "softmax(x, 1, dtype=float32)": lambda L, a, b: L.softmax(a, 1, dtype=L.float32),
    "log_softmax(x, dim=0, dtype=float64)":
        lambda L, a, b: L.log_softmax(a.float(), dim=0, dtype=L.float64),
    "x.softmax(-1, dtype=float64)": lambda L, a, b: a.float().softmax(-1, dtype=L.float64),
}


@pytest.mark.parametrize("name", list(KEYWORD_CASES))
def test_pytorch_keywords_match_torch(name):
    torch = pytest.importorskip("torch")
    a = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    b = np.array([1.0, -2.0, 0.5])
    results = []
    for L in (autograd, torch):
        x, y = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
        out = KEYWORD_CASES[name](L, x, y)
        (out * L.tensor(np.arange(6.0).reshape(2, 3)).to(out.dtype)).sum().backward()
        grads = [np.asarray(t.grad.detach().numpy() if L is torch else t.grad.data)
                 if t.grad is not None else None for t in (x, y)]
        results.append((np.asarray(out.detach().numpy()), str(out.dtype).split(".")[-1], grads))
    (ours, ours_dtype, ours_grads), (theirs, theirs_dtype, theirs_grads) = results
    assert ours_dtype == theirs_dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    for g, h in zip(ours_grads, theirs_grads):
        assert (g is None) == (h is None)
        if g is not None:
            np.testing.assert_allclose(g, h, rtol=1e-6, atol=1e-7)


def test_keyword_gradchecks_and_errors():
    x = Tensor(np.array([[0.5, -1.0], [2.0, 1.5]]), requires_grad=True)
    y = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    gradcheck(lambda x, y: autograd.sub(x, y, alpha=2.5), [x, y])
    gradcheck(lambda x: autograd.log_softmax(x, 1, dtype="float64"), [x])
    gradcheck(lambda x: x.flip(dims=[0, 1]) * x, [x])
    with pytest.raises(TypeError, match="add: alpha must be a number"):
        autograd.add(x, y, alpha="2")
    with pytest.raises(TypeError, match="flip: takes the dims positionally or as dims="):
        x.flip(0, dims=[1])
    with pytest.raises(TypeError, match="softmax: dtype must be a floating dtype"):
        autograd.softmax(x, 1, dtype="int64")


# -- small fixes -------------------------------------------------------------------------------

def test_logsumexp_of_an_empty_tensor_is_minus_infinity_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert autograd.logsumexp(autograd.zeros(0)).item() == -np.inf
        np.testing.assert_array_equal(autograd.logsumexp(autograd.zeros(2, 0), 1).data,
                                      [-np.inf, -np.inf])


def test_a_function_returning_a_list_is_refused_with_its_name():
    class Halves(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return [x.data[:1], x.data[1:]]

        @staticmethod
        def backward(ctx, g0, g1):
            return np.concatenate([g0.data, g1.data])

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"Halves.forward returned a list of 2 items; return "
                                        r"a tuple for several outputs"):
        Halves.apply(x)
    Halves.forward = staticmethod(lambda ctx, x: (x.data[:1], x.data[1:]))   # a tuple works
    first, second = Halves.apply(x)
    (first * 3 + second.sum()).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 1.0])
