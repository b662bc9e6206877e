"""micrograd's own engine tests (karpathy/micrograd, test/test_engine.py) on 0-d Tensors.

The expressions are micrograd's, line for line, with one change: micrograd's
``c += expr`` rebinds ``c`` (a Value has no ``__iadd__``), while on a Tensor
``+=`` is an in-place op that refuses to run on a recorded tensor; so it is
written ``c = c + expr`` here, which is what micrograd computes.
"""
import numpy as np
import pytest

from autograd import Tensor


def scalar(v):
    return Tensor(v, dtype=np.float64, requires_grad=True)


def sanity_check(make):
    """micrograd's test_sanity_check expression; ``make`` builds the leaf."""
    x = make(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return x, y


def more_ops(make):
    """micrograd's test_more_ops expression; ``make`` builds each leaf."""
    a = make(-4.0)
    b = make(2.0)
    c = a + b
    d = a * b + b ** 3
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).relu())
    d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e ** 2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    return a, b, g


def test_sanity_check_known_numbers():
    x, y = sanity_check(scalar)
    # By hand: z = 3x + 2 = -10 < 0, so relu(z) = 0 and y = z^2 + z x + z x^2 = -20;
    # dy/dx = 6z + (3x + z) + (3x^2 + 2 z x) = -60 - 22 + 128 = 46.
    assert y.shape == () and y.dtype == np.float64
    assert y.item() == -20.0
    assert x.grad.item() == 46.0
    assert x.grad.shape == () and x.grad.dtype == np.float64


def test_more_ops_known_numbers():
    a, b, g = more_ops(scalar)
    tol = 1e-6
    assert g.shape == () and g.dtype == np.float64
    assert abs(g.item() - 24.70408163265306) < tol
    assert abs(a.grad.item() - 138.83381924198252) < tol
    assert abs(b.grad.item() - 645.5772594752186) < tol


def test_sanity_check_matches_torch():
    torch = pytest.importorskip("torch")
    xmg, ymg = sanity_check(scalar)
    xpt, ypt = sanity_check(
        lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    assert ymg.item() == ypt.item()
    assert xmg.grad.item() == xpt.grad.item()


def test_more_ops_matches_torch():
    torch = pytest.importorskip("torch")
    amg, bmg, gmg = more_ops(scalar)
    apt, bpt, gpt = more_ops(
        lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    tol = 1e-6
    assert abs(gmg.item() - gpt.item()) < tol
    assert abs(amg.grad.item() - apt.grad.item()) < tol
    assert abs(bmg.grad.item() - bpt.grad.item()) < tol


def test_micrograd_style_augmented_assignment_is_recorded_as_pytorch_does():
    # micrograd's ``c += c + 1`` rebinds c; here it is an in-place op on c, recorded in the
    # graph as PyTorch records it, so value and gradient are the same as micrograd's
    a, b = scalar(-4.0), scalar(2.0)
    c = a + b
    c += c + 1                                     # c = 2(a + b) + 1
    d = a * b + b ** 3
    d += d * 2 + (b + a).relu()                    # d = 3(ab + b^3) + relu(a + b)
    g = c * d
    g.backward()
    assert g.item() == (2 * (-2) + 1) * (3 * (-8 + 8) + 0)
    assert a.grad.item() == 2 * d.item() + c.item() * 3 * 2      # dg/da
    assert b.grad.item() == 2 * d.item() + c.item() * (3 * (-4 + 3 * 4))
