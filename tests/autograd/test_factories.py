"""Factories, dtypes, devices, casts and inference_mode, with PyTorch's signatures and rules.

Each factory is called with the same arguments on chainrule and (when
installed) on torch: same values, shape and dtype. Devices: only the CPU
computes; CUDA is named in errors that say what to do. Casts: a float target
keeps the gradient, an integer or bool one gives a tensor without it, and a
cast that changes nothing returns the tensor itself. The docstring examples
of these modules run as doctests.
"""
import doctest
import importlib
import pickle

import numpy as np
import pytest

import autograd
from autograd import Tensor

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


def _same(ours, theirs):
    assert isinstance(ours, Tensor)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, atol=1e-7)


# Each: a call written once, run with ``lib`` = autograd or torch.
FACTORY_CALLS = {
    "zeros varargs": lambda lib: lib.zeros(2, 3),
    "zeros tuple": lambda lib: lib.zeros((2, 3)),
    "zeros 0-d": lambda lib: lib.zeros(()),
    "zeros int64": lambda lib: lib.zeros(2, dtype=lib.int64),
    "ones list": lambda lib: lib.ones([3]),
    "ones float64": lambda lib: lib.ones(2, 2, dtype=lib.float64),
    "ones bool": lambda lib: lib.ones(2, dtype=lib.bool),
    "full float": lambda lib: lib.full((2, 2), 1.5),
    "full int": lambda lib: lib.full((3,), 7),
    "full bool": lambda lib: lib.full((2,), True),
    "full with dtype": lambda lib: lib.full((2,), 7, dtype=lib.float64),
    "eye": lambda lib: lib.eye(3),
    "eye rectangular": lambda lib: lib.eye(2, 4, dtype=lib.int32),
    "arange end": lambda lib: lib.arange(5),
    "arange start end": lambda lib: lib.arange(2, 7),
    "arange step": lambda lib: lib.arange(10, 0, -3),
    "arange float": lambda lib: lib.arange(0, 1, 0.1),
    "arange float end": lambda lib: lib.arange(5.0),
    "arange dtype": lambda lib: lib.arange(4, dtype=lib.float64),
    "arange float step count": lambda lib: lib.arange(1, 2.5, 0.5),
    "linspace": lambda lib: lib.linspace(-1, 1, 7),
    "linspace one": lambda lib: lib.linspace(3, 5, 1),
    "linspace float64": lambda lib: lib.linspace(0, 1, 4, dtype=lib.float64),
    "tensor ints": lambda lib: lib.tensor([[1, 2], [3, 4]]),
    "tensor floats": lambda lib: lib.tensor([1.0, 2.5]),
    "tensor bools": lambda lib: lib.tensor([True, False]),
    "tensor scalar": lambda lib: lib.tensor(3.5),
    "tensor dtype": lambda lib: lib.tensor([1, 2], dtype=lib.float32),
    "zeros_like": lambda lib: lib.zeros_like(lib.tensor([[1, 2]])),
    "ones_like dtype": lambda lib: lib.ones_like(lib.tensor([1, 2]), dtype=lib.float64),
    "full_like": lambda lib: lib.full_like(lib.tensor([1.0, 2.0]), 3),
    "new_zeros": lambda lib: lib.tensor([1.0], dtype=lib.float64).new_zeros(2, 2),
    "new_ones tuple": lambda lib: lib.tensor([1]).new_ones((3,)),
    "new_full": lambda lib: lib.tensor([1.0]).new_full((2,), 4),
    "new_tensor": lambda lib: lib.tensor([1], dtype=lib.int32).new_tensor([5, 6]),
    "new_tensor dtype": lambda lib: lib.tensor([1]).new_tensor([5, 6], dtype=lib.float64),
}


@needs_torch
@pytest.mark.parametrize("name", list(FACTORY_CALLS))
def test_factories_match_torch(name):
    _same(FACTORY_CALLS[name](autograd), FACTORY_CALLS[name](torch))


def test_factories_without_torch_give_pytorchs_dtypes():
    assert autograd.zeros(2, 3).dtype == np.float32
    assert autograd.full((2,), 7).dtype == np.int64
    assert autograd.full((2,), True).dtype == np.bool_
    assert autograd.arange(3).tolist() == [0, 1, 2] and autograd.arange(3).dtype == np.int64
    assert autograd.arange(0, 1, 0.25).dtype == np.float32
    assert autograd.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert autograd.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert autograd.tensor([True]).dtype == np.bool_


def test_default_dtype_governs_float_factories():
    autograd.set_default_dtype(np.float64)
    try:
        assert autograd.zeros(2).dtype == np.float64
        assert autograd.full((1,), 0.5).dtype == np.float64
        assert autograd.arange(0.0, 1.0).dtype == np.float64
        assert autograd.rand(2).dtype == np.float64
        assert autograd.full((1,), 1).dtype == np.int64
    finally:
        autograd.set_default_dtype(np.float32)


def test_empty_has_the_shape_and_dtype_asked_for():
    e = autograd.empty(2, 3, dtype=autograd.int64)
    assert e.shape == (2, 3) and e.dtype == np.int64
    assert autograd.empty_like(Tensor(np.zeros((4,)))).shape == (4,)
    assert autograd.zeros(3).new_empty((2,)).dtype == np.float32


def test_requires_grad_on_factories():
    w = autograd.zeros(2, 2, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    (w * 3).sum().backward()
    assert w.grad.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert autograd.ones_like(w, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match=r"arange: only floating tensors can require "
                                        r"gradients, but this one is int64"):
        autograd.arange(3, requires_grad=True)


def test_tensor_copies_and_from_numpy_shares():
    a = np.zeros(3)
    t, shared = autograd.tensor(a), autograd.from_numpy(a)
    a[0] = 5
    assert t.tolist() == [0, 0, 0] and shared.tolist() == [5, 0, 0]
    assert shared.dtype == np.float64
    with pytest.raises(TypeError, match=r"from_numpy: expected an np.ndarray, got list"):
        autograd.from_numpy([1, 2])


@pytest.mark.parametrize("call, error, words", [
    (lambda: autograd.zeros(2.5), TypeError, "zeros: each size must be an integer"),
    (lambda: autograd.ones(-1), ValueError, r"ones: sizes must be >= 0, got \(-1,\)"),
    (lambda: autograd.zeros(2, dtype="cpu"), TypeError, r"zeros: 'cpu' is not a dtype"),
    (lambda: autograd.arange(0, 5, 0), ValueError, "arange: step must be non-zero"),
    (lambda: autograd.arange(0, 5, -1), ValueError, "arange: the step -1 goes away from end"),
    (lambda: autograd.arange(0, float("inf")), ValueError, "arange: end must be finite"),
    (lambda: autograd.linspace(0, 1, -2), ValueError, "linspace: steps must be >= 0"),
    (lambda: autograd.eye(2, -1), ValueError, "eye: sizes must be >= 0"),
    (lambda: autograd.full((2,), "x"), TypeError, "full: fill_value must be a number"),
    (lambda: autograd.zeros_like(np.zeros(2)), TypeError, "zeros_like: expected a Tensor"),
    (lambda: autograd.tensor(["a"]), TypeError, "tensor: cannot make a tensor from list"),
])
def test_bad_factory_arguments_are_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


# -- devices ----------------------------------------------------------------------------------


def test_device_parses_and_compares_as_pytorchs():
    cpu = autograd.device("cpu")
    assert cpu.type == "cpu" and cpu.index is None and repr(cpu) == "device(type='cpu')"
    assert cpu == "cpu" and cpu == autograd.device(cpu) and cpu != "cuda"
    assert cpu != autograd.device("cpu:0") and str(autograd.device("cpu", 0)) == "cpu:0"
    assert autograd.device("cuda:1").index == 1 and autograd.device(0) == "cuda:0"
    assert {cpu: 1}["cpu"] == 1                                 # hashes as its name
    assert pickle.loads(pickle.dumps(autograd.device("cuda:2"))) == "cuda:2"
    with pytest.raises(RuntimeError, match="device: unknown device type 'gpu'"):
        autograd.device("gpu")
    with pytest.raises(RuntimeError, match="device: invalid device string 'cuda:x'"):
        autograd.device("cuda:x")


def test_tensors_live_on_the_cpu():
    x = Tensor([1.0])
    assert x.device == autograd.device("cpu") and x.device.type == "cpu"
    assert x.device == "cpu" and not x.is_cuda
    assert x.cpu() is x and x.to("cpu") is x and x.to(autograd.device("cpu")) is x
    assert autograd.zeros(2, device="cpu").device == "cpu"
    assert autograd.zeros(2, device=autograd.device("cpu:0")).shape == (2,)


@pytest.mark.parametrize("call", [
    lambda: Tensor([1.0]).cuda(),
    lambda: Tensor([1.0]).to("cuda"),
    lambda: Tensor([1.0]).to(autograd.device("cuda", 0)),
    lambda: Tensor([1.0]).to(device="mps"),
    lambda: autograd.zeros(2, device="cuda"),
    lambda: autograd.tensor([1.0], device="cuda:0"),
    lambda: autograd.randn(2, device="cuda"),
    lambda: autograd.Generator(device="cuda"),
])
def test_other_devices_are_a_clear_error(call):
    with pytest.raises(RuntimeError, match=r"device 'cuda(:0)?'|device 'mps'") as info:
        call()
    assert "chainrule computes on the CPU only" in str(info.value)
    assert "autograd.cuda.is_available() is False" in str(info.value)


def test_the_cuda_module_says_there_is_no_gpu():
    assert autograd.cuda.is_available() is False and autograd.cuda.device_count() == 0
    device = autograd.device("cuda" if autograd.cuda.is_available() else "cpu")
    assert autograd.zeros(2, device=device).device == "cpu"
    before = autograd.get_rng_state()
    autograd.cuda.manual_seed_all(3)                      # seeds nothing, changes nothing
    autograd.cuda.manual_seed(3)
    assert autograd.get_rng_state().tolist() == before.tolist()
    with pytest.raises(TypeError, match="cuda.manual_seed_all: the seed must be an integer"):
        autograd.cuda.manual_seed_all("3")


# -- dtypes and casts -------------------------------------------------------------------------


def test_dtype_names_are_numpy_dtypes():
    assert autograd.float32 is autograd.float and autograd.float64 is autograd.double
    assert autograd.int64 is autograd.long and autograd.int32 is autograd.int
    assert autograd.float16 is autograd.half and autograd.uint8 == np.uint8
    assert autograd.bool == np.bool_ and isinstance(autograd.float32, autograd.dtype)
    assert Tensor(np.zeros(1, autograd.long)).dtype == np.int64


@needs_torch
@pytest.mark.parametrize("name", ["float32", "float", "float64", "double", "int64", "long",
                                  "int32", "int", "bool", "uint8", "float16", "half", "int16",
                                  "int8", "short"])
def test_dtype_names_match_torch(name):
    assert getattr(autograd, name) == np.dtype(str(getattr(torch, name)).removeprefix("torch."))


CASTS = ["float", "double", "half", "long", "int", "bool"]


@needs_torch
@pytest.mark.parametrize("name", CASTS)
def test_casts_match_torch(name):
    values = np.array([-2.7, -0.5, 0.0, 0.4, 1.5, 3.9])
    _same(getattr(Tensor(values), name)(), getattr(torch.tensor(values), name)())


def test_casts_keep_the_gradient_only_for_floating_targets():
    x = Tensor(np.array([1.5, -2.5]), requires_grad=True)
    y = x.float()
    assert y.dtype == np.float32 and y.grad_fn is not None
    (y * 2).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 2.0]
    for name in ("long", "int", "bool"):
        z = getattr(x, name)()
        assert not z.requires_grad and z.grad_fn is None
    assert x.long().tolist() == [1, -2]                        # truncated toward zero
    assert x.double() is x and x.to(autograd.float64) is x and x.type(np.float64) is x
    copy = x.to(autograd.float64, copy=True)
    assert copy is not x and copy.tolist() == x.tolist()


def test_to_reads_its_arguments_as_pytorch_does():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32))
    assert x.to(autograd.float64).dtype == np.float64
    assert x.to("cpu", autograd.int64).dtype == np.int64
    assert x.to(device="cpu", dtype=autograd.float16).dtype == np.float16
    assert x.to(Tensor(np.array([1], dtype=np.int32))).dtype == np.int32
    assert x.to(float).dtype == np.float64 and x.to(int).dtype == np.int64
    assert x.to("cpu", non_blocking=True) is x
    with pytest.raises(TypeError, match="to: 'floaty' is not a dtype"):
        x.to("floaty")


def test_type_and_type_as():
    x = Tensor(np.array([1.7]))
    assert x.type() == "autograd.DoubleTensor" and x.float().type() == "autograd.FloatTensor"
    assert x.type("torch.LongTensor").tolist() == [1]
    assert x.type(autograd.int32).dtype == np.int32
    assert x.type_as(Tensor(np.array([True]))).dtype == np.bool_
    with pytest.raises(TypeError, match="type_as: expected a Tensor"):
        x.type_as(np.zeros(1))


def test_tensor_queries():
    x = Tensor(np.zeros((2, 3), dtype=np.float32))
    assert autograd.is_tensor(x) and not autograd.is_tensor(x.data)
    assert autograd.numel(x) == 6 == x.numel() and x.dim() == 2
    assert x.is_floating_point() and autograd.is_floating_point(x)
    assert not Tensor(np.zeros(1, np.int64)).is_floating_point()
    assert x.element_size() == 4 and x.double().element_size() == 8
    assert x.tolist() == [[0.0] * 3] * 2


# -- inference_mode -----------------------------------------------------------------------------


def test_inference_mode_records_nothing_as_context_and_decorator():
    w = Tensor(np.array([1.0]), requires_grad=True)
    with autograd.inference_mode():
        assert not autograd.is_grad_enabled()
        assert (w * 2).grad_fn is None
    assert autograd.is_grad_enabled()

    @autograd.inference_mode()
    def predict(x):
        return x * 2

    @autograd.inference_mode
    def predict_bare(x):
        return x * 3

    assert not predict(w).requires_grad and not predict_bare(w).requires_grad
    assert predict_bare.__name__ == "predict_bare"
    with autograd.inference_mode(False):
        assert (w * 2).requires_grad
    with autograd.no_grad():
        with autograd.inference_mode(False):        # False changes nothing, as in PyTorch
            assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()


# -- the docstring examples ---------------------------------------------------------------------

MODULES = ["autograd.device", "autograd.cuda", "autograd.dtypes", "autograd.casting",
           "autograd.factories", "autograd.random", "autograd.inplace", "autograd.ops.unary",
           "autograd.ops.index", "autograd.ops.pieces", "autograd.ops.arrange",
           "autograd.ops.views", "autograd.ops.products", "autograd.ops.scan",
           "autograd.ops.stats", "autograd.ops.sorting", "autograd.ops.logical"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    state = autograd.get_rng_state()
    try:
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    finally:
        autograd.set_rng_state(state)
    assert result.attempted > 0 and result.failed == 0
