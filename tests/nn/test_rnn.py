"""RNN, LSTM, GRU and their cells: values and gradients against PyTorch with the same weights
(multi-layer, bidirectional, batch_first, initial states, packed variable-length batches,
float64), gradient checks of the fused sequence nodes (first and second order, with and
without lengths), the fused node against its cell-op composition, parameter names and
init, dropout between layers, errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
from autograd import Tensor, grad, gradcheck, gradgradcheck
from nn.recurrence import (GRUSequence, LSTMSequence, RNNSequence, compose_gru, compose_lstm,
                           compose_rnn)
from nn.rnn import GRU, LSTM, RNN
from nn.rnn_cell import GRUCell, LSTMCell, RNNCell
from nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

MODULES = {"LSTM": LSTM, "GRU": GRU, "RNN": RNN}


def _copy_from_torch(ours, theirs):
    for name, p in theirs.named_parameters():
        getattr(ours, name).data[...] = p.detach().numpy()


def _pairs(kind, torch_out, our_out):
    if kind == "LSTM":
        (to, (th, tc)), (oo, (oh, oc)) = torch_out, our_out
        return [(to, oo), (th, oh), (tc, oc)]
    (to, th), (oo, oh) = torch_out, our_out
    return [(to, oo), (th, oh)]


def _compare_with_torch(kind, kwargs, shape, num_layers, bidirectional, batch_first, state,
                        seed=0):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    input_size, hidden = shape[-1], 5
    dirs = 2 if bidirectional else 1
    theirs = getattr(torch.nn, kind)(input_size, hidden, num_layers=num_layers,
                                     bidirectional=bidirectional, batch_first=batch_first,
                                     **kwargs).double()
    ours = MODULES[kind](input_size, hidden, num_layers=num_layers, bidirectional=bidirectional,
                         batch_first=batch_first, dtype=np.float64, **kwargs)
    _copy_from_torch(ours, theirs)
    x = rng.standard_normal(shape)
    batch = () if len(shape) == 2 else (shape[0] if batch_first else shape[1],)
    states = [rng.standard_normal((num_layers * dirs,) + batch + (hidden,))
              for _ in range(2 if kind == "LSTM" else 1)]
    tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    ts = [torch.tensor(s, requires_grad=True) for s in states]
    os_ = [Tensor(s, requires_grad=True) for s in states]
    if not state:
        targs, oargs = (tx,), (ox,)
    elif kind == "LSTM":
        targs, oargs = (tx, tuple(ts)), (ox, tuple(os_))
    else:
        targs, oargs = (tx, ts[0]), (ox, os_[0])
    pairs = _pairs(kind, theirs(*targs), ours(*oargs))
    t_loss = o_loss = 0
    for a, b in pairs:
        assert tuple(a.shape) == b.shape
        np.testing.assert_allclose(b.data, a.detach().numpy(), rtol=0, atol=1e-10)
        w = rng.standard_normal(b.shape)
        t_loss = t_loss + (a * torch.tensor(w)).sum()
        o_loss = o_loss + (b * Tensor(w)).sum()
    t_loss.backward()
    o_loss.backward()
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), rtol=0, atol=1e-10)
    if state:
        for t, o in zip(ts, os_):
            np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=0, atol=1e-10)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad.data, p.grad.numpy(), rtol=0,
                                   atol=1e-10, err_msg=name)


@pytest.mark.parametrize("kind,kwargs", [("LSTM", {}), ("GRU", {}), ("RNN", {}),
                                         ("RNN", {"nonlinearity": "relu"})])
@pytest.mark.parametrize("batch_first", [False, True])
def test_two_layer_bidirectional_with_initial_states_matches_torch(kind, kwargs, batch_first):
    shape = (3, 6, 4) if batch_first else (6, 3, 4)
    _compare_with_torch(kind, kwargs, shape, 2, True, batch_first, state=True)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (3, False), (1, True)])
def test_default_zero_states_match_torch(kind, num_layers, bidirectional):
    _compare_with_torch(kind, {}, (7, 2, 3), num_layers, bidirectional, False, state=False)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_without_bias_matches_torch(kind):
    _compare_with_torch(kind, {"bias": False}, (4, 2, 3), 2, True, False, state=True)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input_matches_torch(kind, batch_first):
    _compare_with_torch(kind, {}, (5, 3), 2, True, batch_first, state=True)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [6, 4, 4, 1]), (False, [2, 6, 1, 5])])
@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (2, True)])
def test_packed_sequences_match_torch(kind, enforce_sorted, lengths, num_layers, bidirectional):
    """PackedSequence in, PackedSequence out; h_n per sequence, in the batch's own order."""
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn as trnn
    rng = np.random.default_rng(0)
    dirs = 2 if bidirectional else 1
    theirs = getattr(torch.nn, kind)(3, 4, num_layers=num_layers, bidirectional=bidirectional,
                                     batch_first=True).double()
    ours = MODULES[kind](3, 4, num_layers=num_layers, bidirectional=bidirectional,
                         batch_first=True, dtype=np.float64)
    _copy_from_torch(ours, theirs)
    x = rng.standard_normal((4, 6, 3))
    states = [rng.standard_normal((num_layers * dirs, 4, 4)) for _ in range(2)]
    tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    ts = [torch.tensor(v, requires_grad=True) for v in states]
    os_ = [Tensor(v, requires_grad=True) for v in states]
    tp = trnn.pack_padded_sequence(tx, lengths, batch_first=True, enforce_sorted=enforce_sorted)
    op = pack_padded_sequence(ox, lengths, batch_first=True, enforce_sorted=enforce_sorted)
    hx_t, hx_o = (tuple(ts), tuple(os_)) if kind == "LSTM" else (ts[0], os_[0])
    t_out, o_out = theirs(tp, hx_t), ours(op, hx_o)
    pairs = _pairs(kind, (t_out[0].data, t_out[1]), (o_out[0].data, o_out[1]))
    t_pad, t_len = trnn.pad_packed_sequence(t_out[0], batch_first=True)
    o_pad, o_len = pad_packed_sequence(o_out[0], batch_first=True)
    np.testing.assert_array_equal(o_len.data, t_len.numpy())
    t_loss = o_loss = 0
    for a, b in pairs + [(t_pad, o_pad)]:
        np.testing.assert_allclose(b.data, a.detach().numpy(), atol=1e-10)
        w = rng.standard_normal(b.shape)
        t_loss, o_loss = t_loss + (a * torch.tensor(w)).sum(), o_loss + (b * Tensor(w)).sum()
    t_loss.backward()
    o_loss.backward()
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), atol=1e-10)
    for t, o in zip(ts[:1 + (kind == "LSTM")], os_):
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), atol=1e-10)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad.data, p.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("cls,kwargs", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                        ("LSTMCell", {}), ("GRUCell", {})])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(cls, kwargs, batched):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    theirs = getattr(torch.nn, cls)(4, 3, **kwargs).double()
    ours = {"RNNCell": RNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell}[cls](
        4, 3, dtype=np.float64, **kwargs)
    _copy_from_torch(ours, theirs)
    lead = (2,) if batched else ()
    x = rng.standard_normal(lead + (4,))
    states = [rng.standard_normal(lead + (3,)) for _ in range(2 if cls == "LSTMCell" else 1)]
    tx, ox = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    ts = [torch.tensor(s, requires_grad=True) for s in states]
    os_ = [Tensor(s, requires_grad=True) for s in states]
    hx_t, hx_o = (tuple(ts), tuple(os_)) if cls == "LSTMCell" else (ts[0], os_[0])
    t_out, o_out = theirs(tx, hx_t), ours(ox, hx_o)
    t_out = t_out if isinstance(t_out, tuple) else (t_out,)
    o_out = o_out if isinstance(o_out, tuple) else (o_out,)
    t_loss = o_loss = 0
    for a, b in zip(t_out, o_out):
        np.testing.assert_allclose(b.data, a.detach().numpy(), rtol=0, atol=1e-12)
        w = rng.standard_normal(b.shape)
        t_loss, o_loss = t_loss + (a * torch.tensor(w)).sum(), o_loss + (b * Tensor(w)).sum()
    t_loss.backward()
    o_loss.backward()
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), atol=1e-12)
    for t, o in zip(ts, os_):
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), atol=1e-12)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(ours, name).grad.data, p.grad.numpy(), atol=1e-12)


def test_cells_default_state_is_zeros():
    nn.manual_seed(0)
    cell = LSTMCell(3, 2, dtype=np.float64)
    x = Tensor(np.random.randn(4, 3))
    h, c = cell(x)
    zero = Tensor(np.zeros((4, 2)))
    h2, c2 = cell(x, (zero, zero))
    np.testing.assert_array_equal(h.data, h2.data)
    np.testing.assert_array_equal(c.data, c2.data)


# -- the fused nodes: gradient checks and equality with the cell-op composition ---------

small = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))


def _layer_inputs(kind, t, b, i, h, seed, bias=True, state=True):
    rng = np.random.default_rng(seed)
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[kind] * h

    def arr(*shape, scale=1.0):
        return Tensor(rng.standard_normal(shape) * scale, requires_grad=True)

    x = arr(t, b, i)
    states = [arr(b, h) if state else None for _ in range(2 if kind == "LSTM" else 1)]
    w = [arr(gates, i, scale=0.7), arr(gates, h, scale=0.7)]
    bs = [arr(gates), arr(gates)] if bias else [None, None]
    return [x] + states + w + bs


@pytest.mark.parametrize("kind,relu", [("LSTM", False), ("GRU", False), ("RNN", False),
                                       ("RNN", True)])
@settings(max_examples=8)
@given(small, st.booleans(), st.booleans(), st.booleans(), st.integers(0, 2 ** 16))
def test_fused_layer_gradients_first_and_second_order(kind, relu, sizes, reverse, state,
                                                      ragged, seed):
    t, b, i, h = sizes
    inputs = _layer_inputs(kind, t, b, i, h, seed, state=state)
    lengths = np.random.default_rng(seed).integers(1, t + 1, size=b) if ragged else None
    fn = {"LSTM": lambda *a: LSTMSequence.apply(*a, reverse, lengths),
          "GRU": lambda *a: GRUSequence.apply(*a, reverse, lengths),
          "RNN": lambda *a: RNNSequence.apply(*a, reverse, relu, lengths)}[kind]
    if relu:     # keep pre-activations away from relu's kink
        inputs[0] = Tensor(np.abs(inputs[0].data) + 0.5, requires_grad=True)
        for w in inputs[2:]:
            w.data[...] = np.abs(w.data) * 0.3 + 0.05
    used = [a for a in inputs if a is not None]
    positions = [k for k, a in enumerate(inputs) if a is not None]

    def call(*tensors):
        args = list(inputs)
        for k, tnsr in zip(positions, tensors):
            args[k] = tnsr
        return fn(*args)

    assert gradcheck(call, used)
    assert gradgradcheck(call, used)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("lengths", [None, np.array([6, 2, 4])])
def test_fused_layer_equals_its_cell_composition(kind, reverse, lengths):
    inputs = _layer_inputs(kind, 6, 3, 4, 5, seed=3)
    fused, composed = {
        "LSTM": (lambda *a: LSTMSequence.apply(*a, reverse, lengths),
                 lambda *a: compose_lstm(*a, reverse, lengths)),
        "GRU": (lambda *a: GRUSequence.apply(*a, reverse, lengths),
                lambda *a: compose_gru(*a, reverse, lengths)),
        "RNN": (lambda *a: RNNSequence.apply(*a, reverse, False, lengths),
                lambda *a: compose_rnn(*a, reverse, False, lengths))}[kind]
    a, b = fused(*inputs), composed(*inputs)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-13, atol=1e-13)
    w = Tensor(np.random.default_rng(0).standard_normal(a.shape))
    ga, gb = grad((a * w).sum(), inputs), grad((b * w).sum(), inputs)
    for x, y in zip(ga, gb):
        np.testing.assert_allclose(x.data, y.data, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_and_is_close_to_float64():
    nn.manual_seed(0)
    m64 = LSTM(3, 4, num_layers=2, dtype=np.float64)
    m32 = LSTM(3, 4, num_layers=2, dtype=np.float32)
    m32.load_state_dict({k: v.astype(np.float32) for k, v in m64.state_dict().items()})
    x = np.random.randn(5, 2, 3)
    out32, (h32, c32) = m32(Tensor(x.astype(np.float32)))
    out64, _ = m64(Tensor(x))
    assert out32.dtype == h32.dtype == c32.dtype == np.float32
    np.testing.assert_allclose(out32.data, out64.data, atol=1e-5)


# -- parameters, init, state dicts -------------------------------------------------------

def test_parameter_names_and_shapes_follow_torch():
    lstm = LSTM(3, 4, num_layers=2, bidirectional=True)
    shapes = {n: p.shape for n, p in lstm.named_parameters()}
    assert list(shapes)[:8] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                "weight_ih_l0_reverse", "weight_hh_l0_reverse",
                                "bias_ih_l0_reverse", "bias_hh_l0_reverse"]
    assert shapes["weight_ih_l0"] == (16, 3)
    assert shapes["weight_ih_l1"] == (16, 8)        # layer 1 reads both directions
    assert shapes["weight_hh_l1_reverse"] == (16, 4)
    assert GRU(3, 4).weight_ih_l0.shape == (12, 3)
    assert not hasattr(RNN(3, 4, bias=False), "bias_ih_l0")        # as in PyTorch
    assert [len(ws) for ws in lstm.all_weights] == [4, 4, 4, 4]


def test_state_dict_keys_equal_torch_and_load_from_torch():
    torch = pytest.importorskip("torch")
    for kind in MODULES:
        theirs = getattr(torch.nn, kind)(3, 4, num_layers=2, bidirectional=True)
        ours = MODULES[kind](3, 4, num_layers=2, bidirectional=True)
        state = {k: v.numpy() for k, v in theirs.state_dict().items()}
        assert list(ours.state_dict()) == list(state)
        ours.load_state_dict(state)
        x = np.random.randn(5, 2, 3).astype(np.float32)
        out = ours(Tensor(x))[0].data
        np.testing.assert_allclose(out, theirs(torch.tensor(x))[0].detach().numpy(), atol=1e-6)


def test_init_is_uniform_within_one_over_sqrt_hidden_and_seeded():
    nn.manual_seed(0)
    a = LSTM(10, 16, num_layers=2)
    nn.manual_seed(0)
    b = LSTM(10, 16, num_layers=2)
    bound = 1 / math.sqrt(16)
    values = np.concatenate([p.data.ravel() for p in a.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.9 * bound and values.max() > 0.9 * bound   # fills the range
    assert abs(values.mean()) < 0.01
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert a.weight_ih_l0.dtype == np.float32


# -- dropout between layers --------------------------------------------------------------

def test_dropout_between_layers_is_active_in_training_only():
    nn.manual_seed(0)
    x = Tensor(np.random.randn(5, 2, 3).astype(np.float32))
    gru = GRU(3, 4, num_layers=2, dropout=0.5)
    no_drop = GRU(3, 4, num_layers=2)
    no_drop.load_state_dict(gru.state_dict())
    np.testing.assert_array_equal(gru.eval()(x)[0].data, no_drop(x)[0].data)
    assert not np.allclose(gru.train()(x)[0].data, no_drop(x)[0].data)


def test_dropout_between_layers_is_the_inverted_dropout_of_layer_outputs():
    """The same as running two 1-layer GRUs with nn.functional.dropout in between."""
    nn.manual_seed(1)
    gru = GRU(3, 4, num_layers=2, dropout=0.3, dtype=np.float64)
    first, second = GRU(3, 4, dtype=np.float64), GRU(4, 4, dtype=np.float64)
    state = gru.state_dict()
    first.load_state_dict({k: v for k, v in state.items() if "_l0" in k})
    second.load_state_dict({k.replace("_l1", "_l0"): v for k, v in state.items() if "_l1" in k})
    x = Tensor(np.random.randn(5, 2, 3))
    nn.manual_seed(7)
    out, h_n = gru(x)
    nn.manual_seed(7)
    mid, h0 = first(x)
    ref, h1 = second(nn.functional.dropout(mid, 0.3, training=True))
    np.testing.assert_allclose(out.data, ref.data, atol=1e-14)
    np.testing.assert_allclose(h_n.data[1], h1.data[0], atol=1e-14)


# -- errors --------------------------------------------------------------------------------

def test_wrong_input_size_names_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"LSTM: input must be .*input_size=3.*\(5, 2, 4\)"):
        LSTM(3, 4)(Tensor(np.zeros((5, 2, 4), np.float32)))
    with pytest.raises(ValueError, match=r"GRU: input must be"):
        GRU(3, 4)(Tensor(np.zeros(3, np.float32)))


def test_wrong_initial_state_shape_is_refused():
    lstm = LSTM(3, 4, num_layers=2)
    x = Tensor(np.zeros((5, 2, 3), np.float32))
    h = Tensor(np.zeros((1, 2, 4), np.float32))
    c = Tensor(np.zeros((2, 2, 4), np.float32))
    with pytest.raises(ValueError, match=r"LSTM: h0 \(hx\[0\]\) must have shape \(2, 2, 4\)"):
        lstm(x, (h, c))
    with pytest.raises(TypeError, match="LSTM: hx must be a pair"):
        lstm(x, c)
    with pytest.raises(ValueError, match=r"RNN: h0 \(hx\) must have shape \(1, 2, 4\)"):
        RNN(3, 4)(x, Tensor(np.zeros((1, 3, 4), np.float32)))


def test_dtype_mismatch_and_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="LSTM: input is float64 but the weights are float32"):
        LSTM(3, 4, dtype=np.float32)(Tensor(np.zeros((5, 2, 3))))
    with pytest.raises(TypeError, match="GRUCell: input is float64"):
        GRUCell(3, 4, dtype=np.float32)(Tensor(np.zeros((2, 3))))
    with pytest.raises(ValueError, match="dropout must be a number in"):
        LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        GRU(3, 0)
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(NotImplementedError, match="proj_size"):
        LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="sequence is empty"):
        LSTM(3, 4)(Tensor(np.zeros((0, 2, 3), np.float32)))
    with pytest.raises(ValueError, match=r"LSTMCell: hx\[1\] \(c\) must have shape \(2, 4\)"):
        LSTMCell(3, 4)(Tensor(np.zeros((2, 3), np.float32)),
                       (Tensor(np.zeros((2, 4), np.float32)), Tensor(np.zeros((3, 4), np.float32))))


def test_repr_reads_like_torch():
    assert repr(LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)).startswith(
        "LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)")
    assert repr(GRUCell(3, 4, bias=False)).startswith("GRUCell(3, 4, bias=False)")
