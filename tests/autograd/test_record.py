"""record_backward: the log of what the engine actually did, for pictures of backprop."""
import numpy as np

import autograd
from autograd import Tensor


def scalar(v, name):
    return Tensor(v, requires_grad=True, dtype="float64", name=name)


def test_steps_follow_the_engine_and_carry_upstream_and_downstream_numbers():
    a, b = scalar(2.0, "a"), scalar(-3.0, "b")
    c = a * b                       # -6
    d = c + a                       # -4: a feeds two ops
    e = d.tanh()
    with autograd.record_backward() as rec:
        e.backward()
    assert [s.fn.name for s in rec.steps] == ["Tanh", "Add", "Mul"]
    assert rec.roots == [e] and rec.order == [c, d, e]
    tanh_step, add_step, mul_step = rec.steps
    assert tanh_step.tensor is e and float(tanh_step.grad) == 1.0
    local = 1 - np.tanh(-4.0) ** 2
    np.testing.assert_allclose(tanh_step.input_grads[0], local)
    np.testing.assert_allclose(add_step.grad, local)                 # upstream of d
    np.testing.assert_allclose(add_step.input_grads, [local, local])
    np.testing.assert_allclose(mul_step.input_grads, [local * -3.0, local * 2.0])
    # a's gradient is the sum of what its two consumers sent, in arrival order
    arrivals = [g for s in rec.steps for inp, g in zip(s.fn.inputs, s.input_grads)
                if inp is a and g is not None]
    np.testing.assert_allclose(arrivals, [local, local * -3.0])
    assert [t for t, _ in rec.leaves] == [a, b]
    np.testing.assert_allclose(rec.leaves[0][1], a.grad.data)
    np.testing.assert_allclose(sum(arrivals), a.grad.data)


def test_recording_is_off_outside_the_block_and_keeps_values():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with autograd.record_backward() as rec:
        h = x * 3
        (h * h).sum().backward()
    y = (x * 2).sum()
    y.backward()
    assert len(rec.steps) == 3                      # only the first backward
    assert all(s.tensor.data is not None for s in rec.steps)
    assert h.grad_fn.inputs[0] is x                 # nothing was released while recording


def test_the_record_of_tensors_sums_gradients_back_to_input_shapes():
    w = Tensor(np.ones((1, 3)), requires_grad=True)
    x = Tensor(np.arange(6.0).reshape(2, 3))
    with autograd.record_backward() as rec:
        (x * w).sum().backward()
    mul = rec.steps[-1]
    assert mul.fn.name == "Mul" and mul.input_grads[0] is None    # x needs no gradient
    assert mul.input_grads[1].shape == (1, 3)
    np.testing.assert_array_equal(mul.input_grads[1], w.grad.data)
