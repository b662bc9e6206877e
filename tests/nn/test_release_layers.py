"""After backward, a layer's graph keeps no array of the batch's size (issue 8, section 3)."""
import numpy as np
import pytest

import nn
from autograd import Tensor


def _arrays_left(root):
    found, stack, seen = [], [root.grad_fn], set()
    while stack:
        fn = stack.pop()
        for inp in fn.inputs:
            if isinstance(inp, np.ndarray) and inp.size > 4:
                found.append((fn.name, inp.shape))
            g = getattr(inp, "grad_fn", None)
            if g is not None and id(g) not in seen:
                seen.add(id(g))
                stack.append(g)
    return found


@pytest.mark.parametrize("layer", [nn.BatchNorm1d(8), nn.LayerNorm(8), nn.LeakyReLU(),
                                   nn.ELU(), nn.Softplus(), nn.Hardtanh(), nn.ReLU6(),
                                   nn.PReLU(), nn.LogSigmoid(), nn.ReLU(), nn.Dropout(0.5)],
                         ids=lambda m: type(m).__name__)
def test_a_layers_graph_keeps_no_batch_sized_array_after_backward(layer):
    x = Tensor(np.linspace(-2, 2, 32 * 8).reshape(32, 8), requires_grad=True)
    loss = layer(x * 1.0).sum()
    loss.backward()
    assert _arrays_left(loss) == []
