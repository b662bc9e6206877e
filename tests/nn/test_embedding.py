"""Embedding and nn.functional.embedding: lookups and gradients against PyTorch (repeated
ids, padding_idx, max_norm, scale_grad_by_freq), from_pretrained, init, errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import tensors
from nn.embedding import Embedding, embedding


@given(tensors(shape=(5, 3)), st.lists(st.integers(0, 4), min_size=1, max_size=8))
def test_embedding_gradients_first_and_second_order(weight, ids):
    idx = np.array(ids).reshape(-1, 1) if len(ids) % 2 else np.array(ids).reshape(2, -1)
    assert gradcheck(lambda w: embedding(idx, w), [weight])
    assert gradgradcheck(lambda w: embedding(idx, w) * embedding(idx, w), [weight])


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 1}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True},
                                    {"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0}])
def test_embedding_matches_torch_values_and_gradients(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 4))
    idx = np.array([[1, 2, 1, 0], [5, 1, 1, 3]])
    tw, ow = torch.tensor(w, requires_grad=True), Tensor(w.copy(), requires_grad=True)
    t_out = torch.nn.functional.embedding(torch.tensor(idx), tw, **kwargs)
    o_out = embedding(idx, ow, **kwargs)
    np.testing.assert_allclose(o_out.data, t_out.detach().numpy(), atol=1e-12)
    g = rng.standard_normal(o_out.shape)
    t_out.backward(torch.tensor(g))
    o_out.backward(g)
    np.testing.assert_allclose(ow.grad.data, tw.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ow.data, tw.detach().numpy(), atol=1e-12)   # max_norm renorm


def test_module_init_padding_row_and_from_pretrained():
    nn.manual_seed(0)
    emb = Embedding(1000, 8, padding_idx=3)
    w = emb.weight.data
    assert w.shape == (1000, 8) and w.dtype == np.float32
    assert np.all(w[3] == 0)
    assert abs(w.mean()) < 0.05 and abs(w.std() - 1) < 0.05          # N(0, 1)
    frozen = Embedding.from_pretrained(Tensor(np.eye(3)))
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(np.array([2])).data, [[0, 0, 1]])
    assert Embedding.from_pretrained(np.eye(3), freeze=False).weight.requires_grad
    assert repr(emb).startswith("Embedding(1000, 8, padding_idx=3)")


def test_errors_name_the_problem():
    emb = Embedding(4, 2)
    with pytest.raises(IndexError, match=r"ids must be in \[0, 3\].*max 4"):
        emb(np.array([0, 4]))
    with pytest.raises(TypeError, match="indices must be integers"):
        emb(np.array([0.0, 1.0]))
    with pytest.raises(NotImplementedError, match="sparse"):
        Embedding(4, 2, sparse=True)
    with pytest.raises(ValueError, match="padding_idx must be within"):
        Embedding(4, 2, padding_idx=4)
    with pytest.raises(ValueError, match="from_pretrained: embeddings must be 2-d"):
        Embedding.from_pretrained(np.zeros(3))
