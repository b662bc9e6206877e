"""nn.functional fed arrays and bad arguments: ndarrays work as Tensors do, bad input fails clearly.

The rule (the same as tests/autograd/test_bad_input.py's for autograd.ops): a function
either works or raises ValueError, TypeError, IndexError or RuntimeError whose message
names it. Never an AttributeError from deep inside, a ZeroDivisionError, a MemoryError
or a NumPy message that does not say which function.
"""
import inspect

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
import nn.functional as F
from autograd import Tensor

from ..bad_input import check_answer, draw_argument

ALLOWED = (ValueError, TypeError, IndexError, RuntimeError)
# functions that hand their arguments to another, whose name the message then carries
DELEGATES = {"conv1d": ("conv2d",), "dropout1d": ("dropout",), "dropout2d": ("dropout",),
             "instance_norm": ("group_norm", "batch_norm"),
             "huber_loss": ("smooth_l1_loss",), "smooth_l1_loss": ("huber_loss",),
             "binary_cross_entropy_with_logits": ("bce_with_logits",)}


def _functions():
    return [(name, getattr(F, name)) for name in F.__all__]


def _tensor(draw):
    shape = draw(st.lists(st.integers(0, 3), min_size=0, max_size=4).map(tuple))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.float32, np.int64, np.bool_]))
    data = np.ones(shape, dtype=dtype)
    return data if draw(st.integers(0, 3)) == 0 else Tensor(data)


BAD = [
    "abc", None, object(), {"a": 1}, [[1, 2], [3]], 1.5, -7, 0, 10 ** 6, (1.5, 2), (0, 9),
    (10 ** 6, 10 ** 6), np.array(["x"]), np.array([object()]), [], slice(None), float("nan"),
    True, b"raw", np.zeros((2, 0)), 3 + 1j,
]


def _argument(draw):
    return draw_argument(draw, BAD, _tensor, [(), (2,), (3, 1), (2, 3), (1, 2, 3, 3)])


def _call(draw, fn):
    args, kwargs = [], {}
    for i, p in enumerate(inspect.signature(fn).parameters.values()):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is p.empty:
            # a required argument is usually a valid tensor, so later arguments get checked too
            args.append(_tensor(draw) if draw(st.integers(0, 2)) else _argument(draw))
        elif draw(st.integers(0, 3)) == 0:
            kwargs[p.name] = _argument(draw)
    return args, kwargs


@pytest.mark.parametrize("name, fn", _functions(), ids=[n for n, _ in _functions()])
@given(data=st.data())
def test_every_function_rejects_bad_arguments_with_an_error_that_names_it(name, fn, data):
    args, kwargs = _call(data.draw, fn)
    check_answer(name, fn, args, kwargs, ALLOWED, DELEGATES.get(name, ()))


# -- ndarrays work wherever Tensors do (issue 8 section 4) ---------------------------------------

def _a(*shape, dtype=np.float64):
    return np.random.default_rng(sum(shape)).standard_normal(shape).astype(dtype)


def _ids(*values):
    return np.array(values, dtype=np.int64)


x2, x3, x4 = _a(4, 3), _a(2, 3, 5), _a(2, 4, 6, 6)
# one valid call per function: (positional tensor-or-array arguments, other keywords)
VALID = {
    "linear": ((x2, _a(5, 3), _a(5)), {}),
    "conv1d": ((x3, _a(4, 3, 2), _a(4)), {}),
    "conv2d": ((x4, _a(3, 4, 3, 3), _a(3)), {"padding": 1}),
    "conv_transpose2d": ((x4, _a(4, 2, 3, 3), _a(2)), {"stride": 2}),
    "max_pool2d": ((x4,), {"kernel_size": 2}),
    "avg_pool2d": ((x4,), {"kernel_size": 2}),
    "adaptive_avg_pool2d": ((x4,), {"output_size": 3}),
    "adaptive_max_pool2d": ((x4,), {"output_size": 4}),
    "interpolate": ((x4,), {"scale_factor": 2, "mode": "bilinear"}),
    "pad": ((x4,), {"pad": (1, 2), "mode": "reflect"}),
    "dropout": ((x2,), {"training": False}),
    "dropout1d": ((x3,), {"training": False}),
    "dropout2d": ((x4,), {"training": False}),
    "batch_norm": ((x4, _a(4), np.abs(_a(4)) + 1, _a(4), _a(4)), {}),
    "layer_norm": ((x2, (3,), _a(3), _a(3)), {}),
    "group_norm": ((x4, 2, _a(4), _a(4)), {}),
    "instance_norm": ((x4, None, None, _a(4), _a(4)), {}),
    "embedding": ((_ids(0, 2, 1), _a(3, 2)), {}),
    "one_hot": ((_ids(0, 2, 1),), {"num_classes": 4}),
    "prelu": ((x4, np.abs(_a(4))), {}),
    "cosine_similarity": ((x2, _a(4, 3) + 1), {}),
    "pairwise_distance": ((x2, _a(4, 3) + 1), {}),
    "normalize": ((x2,), {}),
    "softmax": ((x2,), {"dim": 1}),
    "log_softmax": ((x2,), {"dim": 1}),
    "mse_loss": ((x2, _a(4, 3) + 1), {}),
    "l1_loss": ((x2, _a(4, 3) + 1), {}),
    "binary_cross_entropy": ((1 / (1 + np.exp(-x2)), np.ones((4, 3)) / 2, _a(4, 3)), {}),
    "binary_cross_entropy_with_logits": ((x2, np.ones((4, 3)) / 2, _a(4, 3)),
                                         {"pos_weight": _a(3)}),
    "cross_entropy": ((x2, _ids(0, 2, 1, 2), np.abs(_a(3))), {}),
    "nll_loss": ((x2, _ids(0, 2, 1, 2), np.abs(_a(3))), {}),
    "multi_margin_loss": ((x2, _ids(0, 2, 1, 2)), {}),
    "smooth_l1_loss": ((x2, _a(4, 3) + 1), {}),
    "huber_loss": ((x2, _a(4, 3) + 1), {}),
    "kl_div": ((x2, np.abs(_a(4, 3))), {}),
}
ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu", "relu6",
               "hardtanh", "softplus", "logsigmoid")


def _valid_call(name):
    return VALID.get(name, ((x2,), {}))


def test_every_function_has_a_valid_call_here():
    assert set(VALID) | set(ELEMENTWISE) == set(F.__all__)


def _values(out):
    outs = out if isinstance(out, tuple) else (out,)
    return [o.data for o in outs]


@pytest.mark.parametrize("name", F.__all__)
def test_ndarray_arguments_work_as_tensors_do(name):
    args, kwargs = _valid_call(name)
    fn = getattr(F, name)
    as_tensors = [Tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    expected = fn(*as_tensors, **kwargs)
    for k, a in enumerate(args):          # each array argument in turn given as an ndarray
        if isinstance(a, np.ndarray):
            mixed = as_tensors[:k] + [a.copy()] + as_tensors[k + 1:]
            for got, want in zip(_values(fn(*mixed, **kwargs)), _values(expected)):
                np.testing.assert_allclose(got, want, err_msg=f"{name}: argument {k}")
    np.testing.assert_allclose(_values(fn(*[a.copy() if isinstance(a, np.ndarray) else a
                                            for a in args], **kwargs))[0],
                               _values(expected)[0], err_msg=f"{name}: all as ndarrays")


@pytest.mark.parametrize("layer, x", [
    (nn.Linear(3, 2, dtype=np.float64), x2), (nn.Conv2d(4, 2, 3, dtype=np.float64), x4),
    (nn.BatchNorm2d(4, dtype=np.float64), x4), (nn.GroupNorm(2, 4, dtype=np.float64), x4),
    (nn.InstanceNorm2d(4), x4), (nn.LayerNorm(3, dtype=np.float64), x2), (nn.ReLU(), x2),
    (nn.PReLU(), x2), (nn.MaxPool2d(2), x4), (nn.AdaptiveAvgPool2d(2), x4),
    (nn.Dropout(0.5).eval(), x2), (nn.Softmax(dim=1), x2), (nn.Embedding(3, 2), _ids(0, 2)),
])
def test_layers_take_ndarray_inputs(layer, x):
    np.testing.assert_allclose(layer(x).data, layer(Tensor(x)).data)


# -- the cases the audit found, one by one -------------------------------------------------------

def test_linear_with_an_ndarray_weight_and_bias_gives_the_tensor_answer():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = F.linear(x, np.ones((5, 3)), np.arange(5.0))
    assert y.shape == (2, 5) and np.allclose(y.data, 3 + np.arange(5.0))
    y.sum().backward()
    assert np.allclose(x.grad.data, 5)


def test_embedding_with_an_ndarray_weight_looks_up_rows():
    w = np.arange(6.0).reshape(3, 2)
    assert np.array_equal(F.embedding(np.array([0, 2]), w).data, w[[0, 2]])


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.linear(Tensor(np.ones((2, 3))), 1.5), ValueError,
     r"linear: weight must be 2-d .* got shape \(\) float32"),
    (lambda: F.linear(Tensor(np.ones((2, 3))), "w"), TypeError,
     r"linear: weight must be a Tensor, an ndarray of numbers or a number, got str"),
    (lambda: F.group_norm(Tensor(np.ones((2, 4, 3, 3))), 0), ValueError,
     "group_norm: num_groups must be a positive int, got 0"),
    (lambda: F.prelu(Tensor(np.ones((2, 3))), "0.25"), TypeError, "prelu: weight must be"),
    (lambda: F.layer_norm(Tensor(np.ones((2, 3))), None), TypeError,
     "layer_norm: normalized_shape must be a positive int or a tuple of them"),
    (lambda: F.adaptive_max_pool2d(Tensor(np.ones((1, 1, 4, 4))), 10 ** 6), RuntimeError,
     r"adaptive_max_pool2d: the output would have shape \(1, 1, 1000000, 1000000\) float64 "
     r".*more than this machine's memory.*use a smaller output_size"),
    (lambda: F.interpolate(Tensor(np.ones((1, 1, 4, 4))), size=10 ** 6), RuntimeError,
     "interpolate: the output would have shape"),
    (lambda: F.dropout(Tensor(np.ones(3)), training="yes"), TypeError,
     "dropout: training must be True or False"),
    (lambda: F.mse_loss(Tensor(np.ones(2)), "ab"), TypeError,
     "mse_loss: target must be a Tensor, an array of numbers or a number, got str"),
    (lambda: F.softplus(Tensor(np.ones(2)), beta=0), ValueError, "softplus: beta must be"),
    (lambda: F.cross_entropy(Tensor(np.float64(1.0)), np.array(0)), ValueError,
     "cross_entropy: input must have a class dimension"),
    (lambda: F.pairwise_distance(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 3)))), ValueError,
     r"pairwise_distance: shapes \(2, 3\) float64 and \(3, 3\) float64 do not broadcast"),
])
def test_the_reported_bad_inputs_get_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_prelu_takes_a_number_as_one_shared_slope():
    y = F.prelu(Tensor([-2.0, 3.0]), 0.25)
    assert np.allclose(y.data, [-0.5, 3.0])


def test_adaptive_max_pool_of_an_empty_batch_to_a_huge_size_does_not_loop_forever():
    out = F.adaptive_max_pool2d(Tensor(np.ones((0, 1, 4, 4))), (10 ** 6, 10 ** 6))
    assert out.shape == (0, 1, 10 ** 6, 10 ** 6)


def test_gelu_of_a_complex_input_names_gelu():
    with pytest.raises(TypeError, match="gelu: input must be real"):
        F.gelu(Tensor(np.array([1 + 1j])))
