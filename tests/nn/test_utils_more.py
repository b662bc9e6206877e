"""nn.utils.parameters_to_vector / vector_to_parameters and nn.utils.rnn.pad_sequence (values
and gradients against PyTorch), and that nn.utils.clip_grad_norm_ still works."""
import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from nn.utils.rnn import pad_sequence


def test_parameters_to_vector_round_trip_and_gradient():
    nn.manual_seed(0)
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    vec = nn.utils.parameters_to_vector(a.parameters())
    assert vec.shape == (8,) and vec.requires_grad
    nn.utils.vector_to_parameters(vec, b.parameters())
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    (vec * vec).sum().backward()
    np.testing.assert_allclose(a.weight.grad.data, 2 * a.weight.data)
    with pytest.raises(ValueError, match="has 3 elements but the 2 parameters hold 8"):
        nn.utils.vector_to_parameters(Tensor(np.zeros(3)), b.parameters())
    with pytest.raises(TypeError, match="got one Tensor"):
        nn.utils.parameters_to_vector(a.weight)


def test_vector_functions_match_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    np.testing.assert_array_equal(
        nn.utils.parameters_to_vector(ours.parameters()).data,
        torch.nn.utils.parameters_to_vector(theirs.parameters()).detach().numpy())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, side):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    os_ = [Tensor(a, requires_grad=True) for a in arrays]
    t = torch.nn.utils.rnn.pad_sequence(ts, batch_first=batch_first, padding_value=-1.0,
                                        padding_side=side)
    o = pad_sequence(os_, batch_first=batch_first, padding_value=-1.0, padding_side=side)
    np.testing.assert_array_equal(o.data, t.detach().numpy())
    g = rng.standard_normal(o.shape)
    t.backward(torch.tensor(g))
    o.backward(g)
    for a, b in zip(os_, ts):
        np.testing.assert_array_equal(a.grad.data, b.grad.numpy())


def test_pad_sequence_gradcheck_and_errors():
    seqs = [Tensor(np.random.randn(n, 2), requires_grad=True) for n in (2, 3)]
    assert gradcheck(lambda a, b: pad_sequence([a, b]), seqs)
    with pytest.raises(ValueError, match="same trailing dims"):
        pad_sequence([Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 4)))])
    with pytest.raises(ValueError, match="empty list"):
        pad_sequence([])


def test_clip_grad_norm_is_still_nn_utils_clip_grad_norm_():
    p = nn.Parameter(np.ones(4))
    (p * 10).sum().backward()
    total = nn.utils.clip_grad_norm_([p], max_norm=1.0)
    assert total.item() == pytest.approx(20.0)
    assert np.linalg.norm(p.grad.data) == pytest.approx(1.0, rel=1e-5)
