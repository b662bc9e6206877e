"""nn.utils.parameters_to_vector / vector_to_parameters and nn.utils.rnn (pad_sequence,
PackedSequence packing and unpacking: values and gradients against PyTorch), and that
nn.utils.clip_grad_norm_ still works."""
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


@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [5, 3, 3, 1]), (False, [2, 5, 1, 4])])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_packed_match_torch(enforce_sorted, lengths, batch_first):
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn as trnn
    from nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    x = np.random.default_rng(0).standard_normal((4, 5, 2) if batch_first else (5, 4, 2))
    tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    tp = trnn.pack_padded_sequence(tx, lengths, batch_first=batch_first,
                                   enforce_sorted=enforce_sorted)
    op = pack_padded_sequence(ox, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(op.data.data, tp.data.detach().numpy())
    np.testing.assert_array_equal(op.batch_sizes.data, tp.batch_sizes.numpy())
    if enforce_sorted:
        assert op.sorted_indices is None and tp.sorted_indices is None
    else:
        np.testing.assert_array_equal(op.sorted_indices.data, tp.sorted_indices.numpy())
        np.testing.assert_array_equal(op.unsorted_indices.data, tp.unsorted_indices.numpy())
    t_pad, t_len = trnn.pad_packed_sequence(tp, batch_first=batch_first, padding_value=-2.0,
                                            total_length=6)
    o_pad, o_len = pad_packed_sequence(op, batch_first=batch_first, padding_value=-2.0,
                                       total_length=6)
    np.testing.assert_array_equal(o_pad.data, t_pad.detach().numpy())
    np.testing.assert_array_equal(o_len.data, t_len.numpy())
    g = np.random.default_rng(1).standard_normal(o_pad.shape)
    t_pad.backward(torch.tensor(g))
    o_pad.backward(g)
    np.testing.assert_array_equal(ox.grad.data, tx.grad.numpy())


def test_pack_sequence_gradcheck_and_errors():
    from nn.utils.rnn import (pack_padded_sequence, pack_sequence, pad_packed_sequence)
    seqs = [Tensor(np.random.randn(n, 2), requires_grad=True) for n in (1, 3, 2)]
    assert gradcheck(lambda *s: pad_packed_sequence(pack_sequence(list(s), enforce_sorted=False))
                     [0], seqs)
    x = Tensor(np.zeros((4, 2, 1)))
    with pytest.raises(ValueError, match="must be sorted in decreasing order"):
        pack_padded_sequence(x, [2, 4])
    with pytest.raises(ValueError, match=r"every length must be in \[1, 4\]"):
        pack_padded_sequence(x, [5, 1])
    with pytest.raises(ValueError, match="3 lengths for a batch of 2"):
        pack_padded_sequence(x, [3, 2, 1])
