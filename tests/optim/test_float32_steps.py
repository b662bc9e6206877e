"""Step-count scalars (0-d float64 arrays, replayable by autograd.compile) must not turn a
float32 update into float64 arithmetic: the update is the float32 one Python numbers give
(as PyTorch computes it). The float64 one was also 1.6x slower (bench_nn, Adam over 1M)."""
import numpy as np

import optim
from autograd import Tensor


def _adam_by_hand(p, g, steps, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t in range(1, steps + 1):                   # t a Python int: weak scalars, float32
        m += (g - m) * (1 - b1)
        v *= b2
        v += g * (1 - b2) * g
        bc2 = (1 - b2 ** t) ** 0.5
        p -= (m / (np.sqrt(v) + eps * bc2)) * (lr * bc2 / (1 - b1 ** t))
    return p


def test_adam_on_float32_is_the_update_with_python_number_scalars_bit_for_bit():
    rng = np.random.default_rng(1)
    start = rng.standard_normal(64).astype(np.float32)
    g = rng.standard_normal(64).astype(np.float32)
    w = Tensor(start.copy(), requires_grad=True)
    opt = optim.Adam([w], lr=1e-3)
    for _ in range(5):
        w.grad = Tensor(g.copy())
        opt.step()
    np.testing.assert_array_equal(w.data, _adam_by_hand(start.copy(), g, 5))
