"""Module.to / cpu / cuda / float / double / half / type, against PyTorch's semantics.

Parameters keep their identity (an optimizer built before the cast keeps
training them), floating buffers follow, integer buffers stay unless
``type()`` asks, bad requests change nothing, and the CPU is the only device.
"""
import doctest

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor
from nn import casting

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


def _model(lib):
    return lib.Sequential(lib.Linear(3, 4), lib.BatchNorm1d(4), lib.ReLU(), lib.Linear(4, 2))


def _dtypes(model):
    named = list(model.named_parameters()) + list(model.named_buffers())
    return {name: str(t.dtype).replace("torch.", "") for name, t in named}


def test_double_keeps_parameter_identity_and_casts_floating_buffers_only():
    model = _model(nn)
    params = list(model.parameters())
    assert model.double() is model
    assert all(p is q for p, q in zip(params, model.parameters()))
    assert {p.dtype for p in params} == {np.dtype(np.float64)}
    assert model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64
    assert all(p.requires_grad and p.is_leaf for p in params)


def test_values_survive_the_round_trip_and_half_rounds_as_float16():
    model = _model(nn)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    model.double().float()
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
        assert v.dtype == before[k].dtype
    model.half()
    np.testing.assert_array_equal(model[0].weight.data,
                                  before["0.weight"].astype(np.float16))


def test_gradients_are_cast_with_their_parameters():
    layer = nn.Linear(3, 2)
    layer(Tensor(np.ones((1, 3), np.float32))).sum().backward()
    layer.double()
    assert layer.weight.grad.dtype == np.float64 and layer.bias.grad.dtype == np.float64
    np.testing.assert_array_equal(layer.weight.grad.data, np.ones((2, 3)))


def test_an_optimizer_built_before_the_cast_keeps_training_the_same_parameters():
    nn.manual_seed(0)
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.double()
    x = Tensor(np.random.RandomState(1).randn(8, 3))
    y = Tensor(np.random.RandomState(2).randn(8, 1))
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert model.weight.dtype == np.float64 and loss.dtype == np.float64
    assert losses[-1] < losses[0]


@needs_torch
def test_training_after_a_cast_follows_torch_step_by_step():
    rng = np.random.RandomState(0)
    w, b = rng.randn(1, 3), rng.randn(1)
    x, y = rng.randn(8, 3), rng.randn(8, 1)
    runs = []
    for lib, opt_lib, tensor in ((nn, optim, Tensor), (torch.nn, torch.optim, torch.tensor)):
        model = lib.Linear(3, 1)
        opt = opt_lib.SGD(model.parameters(), lr=0.1, momentum=0.9)
        model.double()
        model.weight.data[...] = tensor(w) if lib is torch.nn else w
        model.bias.data[...] = tensor(b) if lib is torch.nn else b
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = ((model(tensor(x)) - tensor(y)) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append(losses)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12, atol=1e-12)


CALLS = [
    ("double", ()), ("float", ()), ("half", ()), ("to", ("float64",)),
    ("to", ("cpu",)), ("to", ("cpu", "float64")), ("type", ("float64",)),
    ("type", ("torch.DoubleTensor",)), ("cpu", ()),
]


def _arg(lib, a):
    if lib is torch and a in ("float64", "float32"):
        return getattr(torch, a)
    if a in ("float64", "float32"):
        return getattr(autograd, a)
    return a


@needs_torch
@pytest.mark.parametrize("first,second", [(CALLS[i], CALLS[j]) for i in range(len(CALLS))
                                          for j in (0, 1, 2, 6)])
def test_dtypes_after_two_calls_match_torch(first, second):
    got = {}
    for lib, name in ((nn, "chainrule"), (torch.nn, "torch")):
        model = _model(lib)
        for method, args in (first, second):
            out = getattr(model, method)(*[_arg(torch if lib is torch.nn else None, a)
                                           for a in args])
            assert out is model
        got[name] = _dtypes(model)
    assert got["chainrule"] == got["torch"]


@needs_torch
def test_to_a_tensor_takes_its_dtype_as_torch():
    model, reference = _model(nn).double(), _model(torch.nn).double()
    model.to(Tensor(np.zeros(1, np.float32)))
    reference.to(torch.zeros(1, dtype=torch.float32))
    assert _dtypes(model) == _dtypes(reference)


def test_to_keyword_arguments_and_non_blocking_are_accepted():
    model = nn.Linear(2, 2)
    model.to(device="cpu", dtype=autograd.float64, non_blocking=True)
    assert model.weight.dtype == np.float64
    model.to(autograd.float32, True)
    assert model.weight.dtype == np.float32
    model.to(autograd.device("cpu"), dtype=float)      # Python float is float64, as torch
    assert model.weight.dtype == np.float64


def test_to_an_integer_dtype_is_a_type_error_and_changes_nothing():
    model = _model(nn)
    before = _dtypes(model)
    with pytest.raises(TypeError, match=r"Sequential.to only accepts floating point .*dtype=int64"):
        model.to(autograd.int64)
    assert _dtypes(model) == before


def test_type_to_an_integer_dtype_refuses_parameters_that_require_grad_and_changes_nothing():
    model = _model(nn)
    before = _dtypes(model)
    with pytest.raises(RuntimeError, match=r"Sequential.type: cannot cast a parameter that "
                                           r"requires grad .* nothing was changed"):
        model.type(autograd.int64)
    assert _dtypes(model) == before


def test_type_converts_integer_buffers_too():
    bn = nn.BatchNorm1d(2).type(autograd.float64)
    assert bn.num_batches_tracked.dtype == np.float64


def test_cuda_and_non_cpu_devices_are_clear_errors():
    model = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match=r"Linear.cuda: device 'cuda' is not available"):
        model.cuda()
    with pytest.raises(RuntimeError, match=r"Linear.cuda: device 'cuda:1' is not available"):
        model.cuda(1)
    with pytest.raises(RuntimeError, match=r"Linear.to: device 'cuda:0' is not available"):
        model.to("cuda:0")
    with pytest.raises(RuntimeError, match=r"Linear.to: device 'mps' is not available"):
        model.to(autograd.device("mps"), autograd.float64)
    assert model.weight.dtype == np.float32          # nothing changed
    assert model.cpu() is model and model.to("cpu") is model and model.to(device="cpu:0")


def test_bad_arguments_name_the_method():
    with pytest.raises(TypeError, match=r"Linear.to: 'x' is neither a device nor a dtype"):
        nn.Linear(2, 2).to("x")
    with pytest.raises(TypeError, match=r"Linear.type: 'float128x' is neither"):
        nn.Linear(2, 2).type("float128x")


def test_a_graph_recorded_before_the_cast_refuses_to_backward():
    # PyTorch replaces .data silently and backpropagates the old values; chainrule marks the
    # new arrays modified, so the stale graph is an error (tests/parity/DIFFERENCES.md).
    layer = nn.Linear(2, 1)
    out = layer(Tensor(np.ones((1, 2), np.float32))).sum()
    layer.double()
    with pytest.raises(RuntimeError, match="modified"):
        out.backward()
    layer(Tensor(np.ones((1, 2)))).sum().backward()      # a fresh graph is fine
    assert layer.weight.grad.dtype == np.float64


def test_lstm_runs_in_float64_after_double():
    nn.manual_seed(0)
    model = nn.LSTM(3, 4, batch_first=True).double()
    out, (h, c) = model(Tensor(np.random.RandomState(0).randn(2, 5, 3)))
    assert out.dtype == h.dtype == c.dtype == np.float64
    out.sum().backward()
    assert all(p.grad.dtype == np.float64 for p in model.parameters())


def test_doctests():
    globs = {"Linear": nn.Linear, "autograd": autograd}
    result = doctest.testmod(casting, extraglobs=globs, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
