"""Recurrent layers over whole sequences: RNN, LSTM, GRU, as torch.nn's.

Multi-layer, bidirectional, ``batch_first``, dropout between layers, initial
states, PyTorch's parameter names (``weight_ih_l0``, ``weight_hh_l0``,
``bias_ih_l0``, ``bias_hh_l0``, ``..._reverse``), gate orders (LSTM i, f, g, o;
GRU r, z, n) and initialisation U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
Each layer and direction is one node of the graph (nn.recurrence), so a
state-dict loaded from PyTorch gives PyTorch's numbers.

A PackedSequence input (``nn.utils.rnn.pack_padded_sequence``) runs each
sequence over its own length only (the reverse direction starts at its own
last element) and gives a PackedSequence output, with ``h_n`` holding each
sequence's final state, in the batch's original order, as in PyTorch.

Not supported: ``proj_size`` (LSTM with projections).
"""
import math

import numpy as np

from autograd import Tensor, concatenate, stack
from .dropout import dropout as _dropout
from .init import uniform_
from .module import Module
from .parameter import Parameter
from .recurrence import GRUSequence, LSTMSequence, RNNSequence
from .rnn_cell import check_input_dtype, check_positive, module_dtype
from .utils.rnn import PackedSequence, _order, packed_positions, pad_packed_sequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: parameters, checks, the layer and direction loop.

    Example:
        >>> [n for n, _ in LSTM(4, 8, bidirectional=True).named_parameters()][:5]
        ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse']
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        check_positive(name, input_size=input_size, hidden_size=hidden_size,
                       num_layers=num_layers)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
                or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a number in [0, 1] (the probability of "
                             f"zeroing an element between layers), got {dropout!r}")
        if proj_size:
            raise NotImplementedError(f"{name}: proj_size={proj_size} (LSTM with projections) "
                                      "is not supported; use proj_size=0 and a Linear layer "
                                      "on the output")
        dtype = module_dtype(name, dtype)
        self.mode = mode
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = int(num_layers), bool(bias), batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        gates = _GATES[mode] * self.hidden_size
        self._flat_weights_names = []
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                width = self.input_size if layer == 0 else self.hidden_size * self.num_directions
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (gates, width), "weight_hh": (gates, self.hidden_size)}
                if self.bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, Parameter(np.empty(shape, dtype=dtype)))
                    self._flat_weights_names.append(kind + suffix)
        self.reset_parameters()

    @property
    def num_directions(self):
        """2 for a bidirectional layer, else 1."""
        return 2 if self.bidirectional else 1

    def reset_parameters(self):
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

        Example:
            >>> LSTM(3, 4).reset_parameters()
        """
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            uniform_(p, -bound, bound)

    def flatten_parameters(self):
        """Does nothing: PyTorch's cuDNN weight-packing call, accepted so ported code runs.

        Example:
            >>> LSTM(2, 3).flatten_parameters()       # returns None, changes nothing
        """

    @property
    def all_weights(self):
        """The parameters per layer and direction: ``[[w_ih, w_hh, b_ih, b_hh], ...]``.

        Example:
            >>> len(LSTM(3, 4, num_layers=2).all_weights)
            2
        """
        per = 4 if self.bias else 2
        flat = [getattr(self, n) for n in self._flat_weights_names]
        return [flat[k:k + per] for k in range(0, len(flat), per)]

    def _layer_params(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return (get("weight_ih" + suffix), get("weight_hh" + suffix), get("bias_ih" + suffix),
                get("bias_hh" + suffix))

    # -- checks --------------------------------------------------------------------

    def _check_input(self, input):
        name = type(self).__name__
        if isinstance(input, PackedSequence):
            data = input.data
            if data.ndim != 2 or data.shape[-1] != self.input_size:
                raise ValueError(f"{name}: packed input data must be (steps, input_size="
                                 f"{self.input_size}), got {data.shape}")
            check_input_dtype(name, data, self.weight_ih_l0)
            return input
        x = input if isinstance(input, Tensor) else Tensor(input)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            layout = "(batch, seq, input_size)" if self.batch_first else \
                "(seq, batch, input_size)"
            raise ValueError(f"{name}: input must be {layout} or unbatched (seq, input_size) "
                             f"with input_size={self.input_size}, got shape {x.shape} "
                             f"{x.dtype}")
        check_input_dtype(name, x, self.weight_ih_l0)
        seq = x.shape[1] if self.batch_first and x.ndim == 3 else x.shape[0]
        if seq == 0:
            raise ValueError(f"{name}: the input sequence is empty (shape {x.shape}); it needs "
                             "at least one time step")
        return x

    def _check_state(self, state, what, batch, unbatched):
        name = type(self).__name__
        want = (self.num_layers * self.num_directions,) + (() if unbatched else (batch,)) \
            + (self.hidden_size,)
        state = state if isinstance(state, Tensor) else Tensor(state)
        if state.shape != want:
            raise ValueError(f"{name}: {what} must have shape {want} (num_layers * "
                             f"num_directions, batch, hidden_size), got {state.shape}")
        check_input_dtype(name, state, self.weight_hh_l0)
        return state.unsqueeze(1) if unbatched else state

    # -- forward -------------------------------------------------------------------

    def _run(self, input, h0, c0):
        """Run all layers; returns (output, h_n, c_n or None), batch layout as given."""
        packed, lengths = None, None
        if isinstance(input, PackedSequence):
            packed = input
            x, lengths = pad_packed_sequence(packed)
            lengths = lengths.data
        else:
            x = input
        unbatched = packed is None and x.ndim == 2
        if unbatched:
            x = x.unsqueeze(1)
        elif self.batch_first and packed is None:
            x = x.transpose(0, 1)
        t, batch = x.shape[0], x.shape[1]
        if h0 is not None:
            h0 = self._check_state(h0, "h0 (hx)" if c0 is None else "h0 (hx[0])", batch,
                                   unbatched)
        if c0 is not None:
            c0 = self._check_state(c0, "c0 (hx[1])", batch, unbatched)
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                reverse = direction == 1
                params = self._layer_params(layer, direction)
                hk = None if h0 is None else h0[k]
                if self.mode == "LSTM":
                    ck = None if c0 is None else c0[k]
                    seq = LSTMSequence.apply(x, hk, ck, *params, reverse, lengths)
                    c_n.append(seq[t + 1])
                elif self.mode == "GRU":
                    seq = GRUSequence.apply(x, hk, *params, reverse, lengths)
                else:
                    seq = RNNSequence.apply(x, hk, *params, reverse, self.mode == "RNN_RELU",
                                            lengths)
                outs.append(seq[:t])
                h_n.append(seq[t])
            x = outs[0] if len(outs) == 1 else concatenate(outs, axis=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        h_n = stack(h_n)
        c_n = stack(c_n) if c_n else None
        if packed is not None:
            rows_t, rows_b = packed_positions(packed.batch_sizes.data, _order(packed))
            x = PackedSequence(x[rows_t, rows_b], packed.batch_sizes, packed.sorted_indices,
                               packed.unsorted_indices)
        elif unbatched:
            x, h_n = x.squeeze(1), h_n.squeeze(1)
            c_n = None if c_n is None else c_n.squeeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, h_n, c_n

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """A multi-layer Elman RNN, h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).

    As torch.nn.RNN: ``RNN(input_size, hidden_size, num_layers=1,
    nonlinearity='tanh', bias=True, batch_first=False, dropout=0.0,
    bidirectional=False)``. ``forward(input, hx=None)`` returns
    ``(output, h_n)``: output (seq, batch, num_directions * hidden_size)
    (batch first with ``batch_first=True``), h_n (num_layers *
    num_directions, batch, hidden_size).

    Example:
        >>> rnn = RNN(10, 20, num_layers=2)
        >>> out, h_n = rnn(Tensor(np.zeros((5, 3, 10), dtype=np.float32)))
        >>> out.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got "
                             f"{nonlinearity!r}")
        self.__dict__["nonlinearity"] = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def forward(self, input, hx=None):
        out, h_n, _ = self._run(self._check_input(input), hx, None)
        return out, h_n


class LSTM(RNNBase):
    """A multi-layer long short-term memory network, as torch.nn.LSTM.

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``. ``forward(input, hx=None)`` with
    ``hx = (h_0, c_0)`` returns ``(output, (h_n, c_n))``.

    Example:
        >>> lstm = LSTM(10, 20, batch_first=True, bidirectional=True)
        >>> out, (h_n, c_n) = lstm(Tensor(np.zeros((3, 5, 10), dtype=np.float32)))
        >>> out.shape, h_n.shape, c_n.shape
        ((3, 5, 40), (2, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x = self._check_input(input)
        if hx is None:
            h0 = c0 = None
        elif isinstance(hx, (tuple, list)) and len(hx) == 2:
            h0, c0 = hx
        else:
            raise TypeError("LSTM: hx must be a pair (h_0, c_0) of Tensors, each (num_layers * "
                            f"num_directions, batch, hidden_size); got {type(hx).__name__}")
        out, h_n, c_n = self._run(x, h0, c0)
        return out, (h_n, c_n)


class GRU(RNNBase):
    """A multi-layer gated recurrent unit network, as torch.nn.GRU (gates r, z, n).

    Same arguments as RNN (without ``nonlinearity``); returns ``(output, h_n)``.

    Example:
        >>> gru = GRU(10, 20, num_layers=2, dropout=0.1)
        >>> out, h_n = gru(Tensor(np.zeros((5, 3, 10), dtype=np.float32)))
        >>> out.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        out, h_n, _ = self._run(self._check_input(input), hx, None)
        return out, h_n
