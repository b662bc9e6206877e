"""Dropout1d/Dropout2d (channel dropout) and the inplace flag of Dropout: whole channels are
kept or zeroed, survivors scaled by 1/(1-p), eval mode is the identity, torch's input rules."""
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.dropout import Dropout, Dropout1d, Dropout2d, dropout1d, dropout2d


@pytest.mark.parametrize("fn,shape", [(dropout2d, (8, 16, 3, 3)), (dropout2d, (16, 3, 3)),
                                      (dropout1d, (8, 16, 5)), (dropout1d, (16, 5))])
def test_whole_channels_are_kept_or_zeroed_and_rescaled(fn, shape):
    nn.manual_seed(0)
    x = Tensor(np.ones(shape), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = fn(x, 0.25)
    lead = 1 if fn is dropout1d and len(shape) == 2 else 2
    per_channel = y.data.reshape(shape[:lead] + (-1,))
    assert np.all(per_channel.min(-1) == per_channel.max(-1))      # constant per channel
    assert set(np.unique(y.data)) <= {0.0, 1 / 0.75}
    kept = (per_channel[..., 0] > 0).mean()
    assert 0.5 < kept < 0.95
    y.backward(np.ones(shape))
    np.testing.assert_array_equal(x.grad.data, y.data)               # the same mask


def test_dropout2d_reads_3d_input_as_batched_like_torch():
    with pytest.warns(UserWarning, match=r"read as \(N, C, L\)"):
        y = dropout2d(Tensor(np.ones((4, 5, 6))), 0.5)
    assert np.all(y.data.min(-1) == y.data.max(-1))


def test_eval_mode_is_identity_and_repr():
    x = Tensor(np.random.randn(2, 3, 4, 4))
    for m in (Dropout2d(0.5), Dropout1d(0.5), Dropout(0.5, inplace=True)):
        assert m.eval()(x) is x
    assert repr(Dropout2d(0.3)) == "Dropout2d(p=0.3)"
    assert repr(Dropout(0.3, inplace=True)) == "Dropout(p=0.3, inplace=True)"
    assert F.dropout(x, 0.5, training=True, inplace=True).shape == x.shape


def test_errors():
    with pytest.raises(ValueError, match="dropout probability p must be a number"):
        Dropout2d(1.5)
    with pytest.raises(ValueError, match=r"dropout1d: expected a 3-d \(N, C, ...\)"):
        dropout1d(Tensor(np.ones((2, 3, 4, 5))), 0.5)
