"""Every public op, fed wrong-typed, wrong-shaped and out-of-range arguments, fails clearly.

The rule: an op either works (some odd inputs are valid: broadcasting, negative
axes) or raises ValueError, TypeError or IndexError (RuntimeError for graph
state) whose message names the op. Never an AttributeError from deep inside,
a ZeroDivisionError, or a NumPy message that does not say which op.
"""
import inspect

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
from autograd import Tensor

from ..bad_input import check_answer
from autograd.ops import __all__ as OP_NAMES

ALLOWED = (ValueError, TypeError, IndexError, RuntimeError, MemoryError)
# ops that hand some arguments to another op, whose name the message then carries
DELEGATES = {"max": ("maximum",), "min": ("minimum",), "swapaxes": ("transpose",),
             "getitem": ("index",), "view": ("reshape",), "view_as": ("reshape",),
             "expand_as": ("expand",), "mm": ("matmul",), "bmm": ("matmul",),
             "tile": ("repeat",), "cat": ("concatenate",)}


def _ops():
    return [(name, getattr(autograd.ops, name)) for name in OP_NAMES]


def _tensor(draw):
    shape = draw(st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64, np.bool_]))
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=False)


BAD = [
    "abc", None, object(), {"a": 1}, [[1, 2], [3]], 1.5, -7, 10 ** 6, (1.5, 2), (0, 9),
    np.array(["x"]), np.array([object()]), [], slice(None), float("nan"), True, b"raw",
    np.zeros((2, 0)), 3 + 1j,
]


def _argument(draw):
    kind = draw(st.sampled_from(["bad", "bad", "tensor", "int", "ndarray"]))
    if kind == "bad":
        return draw(st.sampled_from(BAD))
    if kind == "tensor":
        return _tensor(draw)
    if kind == "int":
        return draw(st.integers(-5, 5))
    return np.ones(draw(st.sampled_from([(), (2,), (3, 1), (2, 3)])))


def _call(draw, fn):
    params = list(inspect.signature(fn).parameters.values())
    args, kwargs = [], {}
    first = True
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            args += [_argument(draw) for _ in range(draw(st.integers(0, 2)))]
        elif p.kind is p.VAR_KEYWORD:
            continue
        elif p.default is p.empty:
            # the tensor argument usually a valid tensor, so later arguments get checked too
            args.append(_tensor(draw) if first and draw(st.booleans()) else _argument(draw))
        elif draw(st.integers(0, 3)) == 0:
            kwargs[p.name] = _argument(draw)
        first = False
    return args, kwargs


@pytest.mark.parametrize("name, fn", _ops(), ids=[n for n, _ in _ops()])
@given(data=st.data())
def test_every_op_rejects_bad_arguments_with_an_error_that_names_it(name, fn, data):
    args, kwargs = _call(data.draw, fn)
    check_answer(name, fn, args, kwargs, ALLOWED, DELEGATES.get(name, ()))


# -- the cases reported on main, one by one ----------------------------------------------------

def test_mean_of_an_empty_tensor_backward_gives_an_empty_gradient():
    x = Tensor(np.zeros((0,)), requires_grad=True)
    y = x.mean()
    assert np.isnan(y.item())
    y.backward()
    assert x.grad.shape == (0,)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_axis_is_empty(op):
    x = Tensor(np.zeros((2, 0)), requires_grad=True)
    y = getattr(x, op)(axis=1)
    assert y.shape == (2, 0)
    y.sum().backward()
    assert x.grad.shape == (2, 0)


def test_logsumexp_of_an_empty_tensor_is_minus_infinity():
    assert autograd.logsumexp(Tensor(np.zeros(0))).item() == -np.inf


def test_max_over_a_non_empty_axis_of_an_empty_batch_is_empty_and_over_the_empty_one_an_error():
    x = Tensor(np.zeros((0, 3)))
    assert x.max(axis=1).shape == (0,)
    with pytest.raises(ValueError, match="max: cannot reduce"):
        x.max(axis=0)


def test_batched_matmul_with_mismatched_batch_dims_says_which():
    with pytest.raises(ValueError, match=r"batch dims .* \(\(4,\) vs \(3,\)\)"):
        Tensor(np.zeros((4, 2, 3))) @ Tensor(np.zeros((3, 3, 2)))


def test_integer_to_a_negative_power_says_so():
    with pytest.raises(ValueError, match="pow: .*negative integer powers.*float first"):
        Tensor(np.array([2, 3])) ** -1


@pytest.mark.parametrize("call, message", [
    (lambda x: x.reshape(-1, -1), "at most one -1"),
    (lambda x: x.permute(0, 5), "permute: dim 5 is out of range"),
    (lambda x: autograd.pad(x, ((1, 1), (1, 1), (1, 1))), "pad: pad_width"),
    (lambda x: x.sum(axis=1.5), "sum: dim must be an integer"),
    (lambda x: x.reshape("ab"), "reshape: each size must be an integer"),
])
def test_bad_shape_arguments_name_the_op(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(Tensor(np.zeros((2, 3))))


def test_grad_of_a_number_says_what_to_pass():
    y = Tensor(2.0, requires_grad=True) * 2
    with pytest.raises(TypeError, match="grad: input 0 is a float"):
        autograd.grad(y, 3.0)


def test_a_ragged_list_is_refused_clearly():
    with pytest.raises(TypeError, match="rectangular"):
        Tensor([[1, 2], [3]])


@pytest.mark.parametrize("op", ["max", "softmax", "reshape", "relu", "exp", "sum", "log_softmax",
                                "permute", "transpose", "flatten", "squeeze", "expand"])
def test_ops_accept_numpy_arrays(op):
    a = np.arange(6.0).reshape(2, 3)
    f = getattr(autograd, op)
    args = {"reshape": (3, 2), "permute": (1, 0), "expand": (2, 3)}.get(op, ())
    out = f(a, *args)
    assert isinstance(out, Tensor)


def test_gradcheck_accepts_a_bare_tensor():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    assert autograd.gradcheck(lambda t: (t * t).sum(), x)
    with pytest.raises(autograd.GradcheckError):
        autograd.gradcheck(lambda t: WrongSquare.apply(t).sum(), x)


class WrongSquare(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data ** 2

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x                      # missing the factor 2


def test_gradgradcheck_of_a_numpy_backward_says_it_is_not_differentiable():
    class NumpyCube(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g.data * 3 * x.data ** 2

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert autograd.gradcheck(NumpyCube.apply, [x])
    with pytest.raises(autograd.GradcheckError, match="backward of NumpyCube returned NumPy "
                                                      "arrays.*Write that backward with Tensor"):
        autograd.gradgradcheck(NumpyCube.apply, [x])


def test_narrow_takes_a_0d_integer_tensor_as_start_and_names_itself_for_others():
    x = Tensor([[1.0, 2.0, 3.0]])
    assert autograd.narrow(x, 1, Tensor(np.array(1)), 2).data.tolist() == [[2.0, 3.0]]
    with pytest.raises(TypeError, match="narrow: start must be an integer"):
        autograd.narrow(x, 1, Tensor(np.zeros(0)), 1)


def test_masked_fill_with_a_ragged_list_mask_names_itself():
    with pytest.raises(TypeError, match="masked_fill: mask must be a bool tensor"):
        autograd.masked_fill(Tensor([1.0, 2.0]), [[True, False], [True]], 0.0)


def test_pad_width_of_one_element_pads_both_sides_of_every_axis_as_numpy_does():
    x = np.arange(4.0).reshape(2, 2)
    assert np.array_equal(autograd.ops.pad(Tensor(x), np.array([1])).data, np.pad(x, [1]))
