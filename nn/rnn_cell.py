"""Recurrent cells, one time step each: RNNCell, LSTMCell, GRUCell (and their functions).

Each cell is a composition of autograd ops (``linear``, slicing, ``sigmoid``,
``tanh``, ``*``, ``+``), so it is differentiable to any order. Weights follow
PyTorch's layout: ``weight_ih`` is (gates * hidden_size, input_size) and
``weight_hh`` (gates * hidden_size, hidden_size), with the gate blocks stacked
in PyTorch's order: LSTM (i, f, g, o), GRU (r, z, n). The sequence layers in
nn.rnn use the same equations, run over a whole sequence by nn.recurrence.
"""
import math

import numpy as np

from autograd import Tensor, get_default_dtype
from .init import uniform_
from .linear import linear
from .module import Module
from .parameter import Parameter

__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell", "RNNCell", "LSTMCell",
           "GRUCell", "module_dtype", "check_positive"]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    Example:
        >>> rnn_tanh_cell(Tensor([[1.0]]), Tensor([[0.5]]), Tensor([[2.0]]), Tensor([[-2.0]]))
        Tensor([[0.761594]], dtype=float32)
    """
    return (linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh).

    Example:
        >>> eye = Tensor(np.eye(2, dtype=np.float32))
        >>> rnn_relu_cell(Tensor([[1.0, -1.0]]), Tensor([[0.0, 0.0]]), eye, eye)
        Tensor([[1., 0.]], dtype=float32)
    """
    return (linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)).relu()


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step; ``hx = (h, c)``; returns ``(h', c')``.

    gates = x W_ih^T + b_ih + h W_hh^T + b_hh, split into (i, f, g, o);
    c' = sigmoid(f) c + sigmoid(i) tanh(g); h' = sigmoid(o) tanh(c').

    Example:
        >>> w = Tensor(np.zeros((4, 1), np.float32))      # all gates 0: i = f = o = 0.5, g = 0
        >>> lstm_cell(Tensor([[1.0]]), (Tensor([[0.0]]), Tensor([[2.0]])), w, w)   # c' = c / 2
        (Tensor([[0.380797]], dtype=float32), Tensor([[1.]], dtype=float32))
    """
    h, c = hx
    n = w_hh.shape[1]
    gates = linear(input, w_ih, b_ih) + linear(h, w_hh, b_hh)
    i = gates[..., :n].sigmoid()
    f = gates[..., n:2 * n].sigmoid()
    g = gates[..., 2 * n:3 * n].tanh()
    o = gates[..., 3 * n:].sigmoid()
    c = f * c + i * g
    return o * c.tanh(), c


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step, PyTorch's equations (r, z, n):

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z = sigmoid(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.

    Example:
        >>> w = Tensor(np.zeros((3, 1), np.float32))      # r = z = 0.5, n = 0: h' = h / 2
        >>> gru_cell(Tensor([[1.0]]), Tensor([[2.0]]), w, w)
        Tensor([[1.]], dtype=float32)
    """
    n = w_hh.shape[1]
    gi = linear(input, w_ih, b_ih)
    gh = linear(hx, w_hh, b_hh)
    r = (gi[..., :n] + gh[..., :n]).sigmoid()
    z = (gi[..., n:2 * n] + gh[..., n:2 * n]).sigmoid()
    new = (gi[..., 2 * n:] + r * gh[..., 2 * n:]).tanh()
    return new + z * (hx - new)


def check_positive(layer, **sizes):
    """Raise a clear ValueError unless each given size is a positive int."""
    for name, n in sizes.items():
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ValueError(f"{layer}: {name} must be a positive int, got {n!r}")


def module_dtype(layer, dtype):
    """The float dtype a layer's parameters get: ``dtype`` or the default float dtype."""
    if dtype is None:
        return np.dtype(get_default_dtype())
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{layer}: dtype {dtype!r} is not a NumPy dtype; use e.g. "
                        "np.float32 or np.float64") from None
    if dtype.kind != "f":
        raise TypeError(f"{layer}: parameters must be floating point, got dtype {dtype}")
    return dtype


def check_input_dtype(layer, x, weight):
    """Inputs and weights must share a dtype (no silent upcasts, as PyTorch)."""
    if x.dtype != weight.dtype:
        raise TypeError(f"{layer}: input is {x.dtype} but the weights are {weight.dtype}; "
                        f"convert the input (x.astype(np.{weight.dtype})) or build the layer "
                        f"with dtype=np.{x.dtype}")


_GATES = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}


class _CellBase(Module):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        check_positive(name, input_size=input_size, hidden_size=hidden_size)
        dtype = module_dtype(name, dtype)
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bias
        rows = _GATES[name] * self.hidden_size
        self.weight_ih = Parameter(np.empty((rows, self.input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((rows, self.hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(np.empty(rows, dtype=dtype))
            self.bias_hh = Parameter(np.empty(rows, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

        Example:
            >>> LSTMCell(3, 4).reset_parameters()
        """
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            uniform_(p, -bound, bound)

    def _check(self, input, hx, state_name="hx"):
        name = type(self).__name__
        x = input if isinstance(input, Tensor) else Tensor(input)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input must be (batch, input_size={self.input_size}) or "
                             f"(input_size,), got shape {x.shape} {x.dtype}")
        check_input_dtype(name, x, self.weight_ih)
        want = x.shape[:-1] + (self.hidden_size,)
        if hx is None:
            return x, Tensor(np.zeros(want, dtype=x.dtype))
        hx = hx if isinstance(hx, Tensor) else Tensor(hx)
        if hx.shape != want:
            raise ValueError(f"{name}: {state_name} must have shape {want} for input of shape "
                             f"{x.shape}, got {hx.shape}")
        check_input_dtype(name, hx, self.weight_hh)
        return x, hx

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        return s


class RNNCell(_CellBase):
    """An Elman RNN cell, h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh), as torch.nn.RNNCell.

    ``nonlinearity`` is 'tanh' or 'relu'. Input (batch, input_size) or
    (input_size,); ``hx`` (batch, hidden_size), zeros when omitted.

    Example:
        >>> cell = RNNCell(10, 20)
        >>> cell(Tensor(np.zeros((3, 10), dtype=np.float32))).shape
        (3, 20)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got "
                             f"{nonlinearity!r}")
        self.__dict__["nonlinearity"] = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        x, h = self._check(input, hx)
        cell = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        return cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity!r}"


class LSTMCell(_CellBase):
    """A long short-term memory cell, as torch.nn.LSTMCell; returns ``(h', c')``.

    ``hx = (h, c)``, each (batch, hidden_size); zeros when omitted.

    Example:
        >>> cell = LSTMCell(10, 20)
        >>> h, c = cell(Tensor(np.zeros((3, 10), dtype=np.float32)))
        >>> h.shape, c.shape
        ((3, 20), (3, 20))
    """

    def forward(self, input, hx=None):
        if hx is None:
            x, h = self._check(input, None)
            c = h
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTMCell: hx must be a pair (h, c) of Tensors, got "
                                f"{type(hx).__name__}")
            x, h = self._check(input, hx[0], "hx[0] (h)")
            _, c = self._check(input, hx[1], "hx[1] (c)")
        return lstm_cell(x, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class GRUCell(_CellBase):
    """A gated recurrent unit cell, as torch.nn.GRUCell (gates r, z, n).

    Example:
        >>> cell = GRUCell(10, 20)
        >>> cell(Tensor(np.zeros((3, 10), dtype=np.float32))).shape
        (3, 20)
    """

    def forward(self, input, hx=None):
        x, h = self._check(input, hx)
        return gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
