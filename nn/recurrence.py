"""One recurrent layer in one direction over a whole sequence, as one graph node each:
LSTMSequence, GRUSequence, RNNSequence.

Why one node and not a graph of cell ops: the input projection ``x W_ih^T``
is done for all time steps at once (one GEMM), and every step then needs its
own slice of it. A slice is a graph node whose gradient is a zero array of
the whole projection with one step filled in, so T slices cost O(T^2) memory
traffic in backward. Here forward runs the Python time loop on arrays
(one ``h W_hh^T`` GEMM per step), and backward runs backpropagation through
time the same way: one ``dgates W_hh`` GEMM per step, then the weight and
input gradients of all steps as three GEMMs. The equations are those of the
cells in nn.rnn_cell (PyTorch's, gate orders LSTM i,f,g,o and GRU r,z,n).

Under ``create_graph=True`` backward recomputes the layer from the cells
(autograd ops) and differentiates that, so gradients of gradients are exact.

Inputs: ``x`` (T, B, I), ``h0`` (and for LSTM ``c0``) (B, H) or None for
zeros, the four weights (biases may be None), and ``reverse`` (run from
t = T-1 down to 0). Output: (T, B, H), the hidden state at every time step
in time order; LSTM appends the final cell state as row T: (T + 1, B, H).
"""
import numpy as np

from autograd import Function, Tensor, grad, is_grad_enabled, stack
from .rnn_cell import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell

__all__ = ["LSTMSequence", "GRUSequence", "RNNSequence"]


def _sigmoid_(a):
    """In-place logistic sigmoid as 0.5 tanh(a / 2) + 0.5 (no overflow; autograd's form)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _zeros_or(state, shape, dtype):
    return np.zeros(shape, dtype) if state is None else state.data


def _project(x, w_ih, *biases):
    """x (T, B, I) @ W_ih^T + sum(biases), for all steps at once: (T, B, G)."""
    t, b, i = x.shape
    out = x.data.reshape(t * b, i) @ w_ih.data.T
    for bias in biases:
        if bias is not None:
            out += bias.data
    return out.reshape(t, b, -1)


def _steps(t, reverse):
    return range(t - 1, -1, -1) if reverse else range(t)


def _param_grads(need, x, w_ih, d_in, d_rec, hprev):
    """Gradients of (x, W_ih, W_hh, b_ih, b_hh) from the per-step gate gradients.

    ``need`` flags those five; ``d_in`` (T, B, G) is the gradient of the input
    projection, ``d_rec`` that of ``h W_hh^T + b_hh`` (the same array for LSTM
    and RNN). Three GEMMs over all steps at once.
    """
    t, b, i = x.shape
    g = d_in.shape[2]
    din2, drec2 = d_in.reshape(t * b, g), d_rec.reshape(t * b, g)
    return ((din2 @ w_ih.data).reshape(t, b, i) if need[0] else None,
            din2.T @ x.data.reshape(t * b, i) if need[1] else None,
            drec2.T @ hprev.reshape(t * b, -1) if need[2] else None,
            np.add.reduce(din2, axis=0) if need[3] else None,
            np.add.reduce(drec2, axis=0) if need[4] else None)


def _double_backward(ctx, g, compose, *flags):
    """Backward under create_graph: differentiate the layer rebuilt from cell ops.

    ``compose`` takes the saved tensors (forward's tensor arguments, in order)
    and then ``flags``; the gradient of sum(out * g) is recorded, so it can be
    differentiated again, with respect to the inputs and to g.
    """
    saved = list(ctx.saved_tensors)
    out = compose(*saved, *flags)
    need = ctx.needs_input_grad
    wanted = [k for k, t in enumerate(saved) if isinstance(t, Tensor) and need[k]]
    grads = grad((out * g).sum(), [saved[k] for k in wanted], create_graph=True,
                 allow_unused=True)
    result = [None] * len(ctx.inputs)
    for k, gk in zip(wanted, grads):
        result[k] = gk
    return tuple(result)


def _compose_loop(x, h0, step, reverse):
    t, b, _ = x.shape
    h = h0
    outs = [None] * t
    for k in _steps(t, reverse):
        h = step(x[k], h)
        outs[k] = h
    return outs


def compose_lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    """The LSTM layer as a graph of cell ops (the reference the fused node must match)."""
    b, n = x.shape[1], w_hh.shape[1]
    zeros = Tensor(np.zeros((b, n), dtype=x.dtype))
    state = [h0 if h0 is not None else zeros, c0 if c0 is not None else zeros]

    def step(xt, h):
        state[:] = lstm_cell(xt, (h, state[1]), w_ih, w_hh, b_ih, b_hh)
        return state[0]

    outs = _compose_loop(x, state[0], step, reverse)
    return stack(outs + [state[1]])


def compose_gru(x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
    """The GRU layer as a graph of cell ops."""
    h0 = h0 if h0 is not None else Tensor(np.zeros((x.shape[1], w_hh.shape[1]), x.dtype))
    return stack(_compose_loop(
        x, h0, lambda xt, h: gru_cell(xt, h, w_ih, w_hh, b_ih, b_hh), reverse))


def compose_rnn(x, h0, w_ih, w_hh, b_ih, b_hh, reverse, relu):
    """The Elman RNN layer (tanh or relu) as a graph of cell ops."""
    cell = rnn_relu_cell if relu else rnn_tanh_cell
    h0 = h0 if h0 is not None else Tensor(np.zeros((x.shape[1], w_hh.shape[1]), x.dtype))
    return stack(_compose_loop(
        x, h0, lambda xt, h: cell(xt, h, w_ih, w_hh, b_ih, b_hh), reverse))


def _previous(states, first, reverse):
    """The state before each time step: ``states`` shifted by one step, ``first`` at the start."""
    prev = np.empty_like(states)
    if reverse:
        prev[-1], prev[:-1] = first, states[1:]
    else:
        prev[0], prev[1:] = first, states[:-1]
    return prev


def _lstm_affine(n, dtype):
    """Per-column scale and shift turning tanh(a / 2) into sigmoid(a) for the i, f, o gates.

    The i, f, o rows of the weights and biases are halved (exactly: a power of
    two), so one tanh over all four gates gives tanh(a/2) there and tanh(a) for
    g; then sigmoid(a) = 0.5 tanh(a/2) + 0.5.
    """
    half = np.full(4 * n, 0.5, dtype)
    half[2 * n:3 * n] = 1
    shift = np.full(4 * n, 0.5, dtype)
    shift[2 * n:3 * n] = 0
    return half, shift


class LSTMSequence(Function):
    """An LSTM layer over a sequence; output (T + 1, B, H): h at each step, then the last c.

    Example:
        >>> out = LSTMSequence.apply(x, None, None, w_ih, w_hh, b_ih, b_hh, False)
        >>> h_seq, c_n = out[:-1], out[-1]
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b_ih, b_hh)
        ctx.reverse = reverse
        t, b, i = x.shape
        n = w_hh.shape[1]
        dtype = x.dtype
        half, shift = _lstm_affine(n, dtype)
        acts = x.data.reshape(t * b, i) @ (w_ih.data.T * half)   # becomes the activations
        for bias in (b_ih, b_hh):
            if bias is not None:
                acts += bias.data * half
        acts = acts.reshape(t, b, 4 * n)
        w_hh_t = w_hh.data.T * half
        out = np.empty((t + 1, b, n), dtype)
        cs, tanh_c = np.empty((t, b, n), dtype), np.empty((t, b, n), dtype)
        h, c = _zeros_or(h0, (b, n), dtype), _zeros_or(c0, (b, n), dtype)
        for k in _steps(t, reverse):
            a = acts[k]
            a += h @ w_hh_t
            np.tanh(a, out=a)
            a *= half
            a += shift                                   # i, f, o: sigmoid; g: tanh
            c = np.multiply(a[:, n:2 * n], c, out=cs[k])
            c += a[:, :n] * a[:, 2 * n:3 * n]
            np.tanh(c, out=tanh_c[k])
            h = np.multiply(a[:, 3 * n:], tanh_c[k], out=out[k])
        out[t] = c
        ctx.acts, ctx.cs, ctx.tanh_c, ctx.hs = acts, cs, tanh_c, out[:t]
        return out

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():
            return _double_backward(ctx, g, compose_lstm, ctx.reverse)
        g = g.data
        x, h0, c0, w_ih, w_hh = ctx.saved_tensors[:5]
        acts, cs, tanh_c, reverse = ctx.acts, ctx.cs, ctx.tanh_c, ctx.reverse
        t, b, n = cs.shape
        # every step's local derivatives at once: sigmoid' = s (1 - s), tanh' = 1 - y^2
        deriv = acts * (1 - acts)
        gg = acts[:, :, 2 * n:3 * n]
        deriv[:, :, 2 * n:3 * n] = 1 - gg * gg
        o_dtanh = acts[:, :, 3 * n:] * (1 - tanh_c * tanh_c)     # dh -> dc through h = o tanh c
        cprev = _previous(cs, _zeros_or(c0, (b, n), cs.dtype), reverse)
        d_gates = np.empty_like(acts)
        dh = np.zeros((b, n), g.dtype)
        dc = g[t].copy()
        w = w_hh.data
        for k in _steps(t, not reverse):
            a, d = acts[k], d_gates[k]
            dh += g[k]
            dc += dh * o_dtanh[k]
            np.multiply(dc, a[:, 2 * n:3 * n], out=d[:, :n])      # d i
            np.multiply(dc, cprev[k], out=d[:, n:2 * n])          # d f
            np.multiply(dc, a[:, :n], out=d[:, 2 * n:3 * n])      # d g
            np.multiply(dh, tanh_c[k], out=d[:, 3 * n:])          # d o
            d *= deriv[k]
            dc *= a[:, n:2 * n]
            dh = d @ w
        need = ctx.needs_input_grad
        hprev = _previous(ctx.hs, _zeros_or(h0, (b, n), cs.dtype), reverse)
        gx, gw_ih, gw_hh, gb_ih, gb_hh = _param_grads(
            need[:1] + need[3:6] + (need[6] and not need[5],), x, w_ih, d_gates, d_gates, hprev)
        if need[5] and need[6]:
            gb_hh = gb_ih.copy()                                  # the same sum: reuse it
        return (gx, dh if need[1] else None, dc if need[2] else None, gw_ih, gw_hh, gb_ih,
                gb_hh, None)


class GRUSequence(Function):
    """A GRU layer over a sequence; output (T, B, H), the hidden state at each step.

    Example:
        >>> h_seq = GRUSequence.apply(x, None, w_ih, w_hh, b_ih, b_hh, False)
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
        ctx.save_for_backward(x, h0, w_ih, w_hh, b_ih, b_hh)
        ctx.reverse = reverse
        t, b, _ = x.shape
        n = w_hh.shape[1]
        dtype = x.dtype
        gi = _project(x, w_ih, b_ih)
        w_hh_t = w_hh.data.T
        bias_hh = None if b_hh is None else b_hh.data
        acts = np.empty((t, b, 3 * n), dtype)     # r, z, n
        gh_n = np.empty((t, b, n), dtype)         # W_hn h + b_hn, which r multiplies
        hprev = np.empty((t, b, n), dtype)
        out = np.empty((t, b, n), dtype)
        h = _zeros_or(h0, (b, n), dtype)
        for k in _steps(t, reverse):
            hprev[k] = h
            gh = h @ w_hh_t
            if bias_hh is not None:
                gh += bias_hh
            a = acts[k]
            np.add(gi[k, :, :2 * n], gh[:, :2 * n], out=a[:, :2 * n])
            _sigmoid_(a[:, :2 * n])
            gh_n[k] = gh[:, 2 * n:]
            np.multiply(a[:, :n], gh[:, 2 * n:], out=a[:, 2 * n:])
            a[:, 2 * n:] += gi[k, :, 2 * n:]
            np.tanh(a[:, 2 * n:], out=a[:, 2 * n:])
            new = a[:, 2 * n:]
            h = out[k]
            np.subtract(hprev[k], new, out=h)       # h' = n + z (h - n)
            h *= a[:, n:2 * n]
            h += new
        ctx.acts, ctx.gh_n, ctx.hprev = acts, gh_n, hprev
        return out

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():
            return _double_backward(ctx, g, compose_gru, ctx.reverse)
        g = g.data
        acts, gh_n, hprev = ctx.acts, ctx.gh_n, ctx.hprev
        w_hh = ctx.saved_tensors[3].data
        t, b, n = hprev.shape
        d_in = np.empty_like(acts)
        d_rec = np.empty_like(acts)
        dh = np.zeros((b, n), g.dtype)
        for k in _steps(t, not ctx.reverse):
            a = acts[k]
            r, z, new = a[:, :n], a[:, n:2 * n], a[:, 2 * n:]
            di, dr_ = d_in[k], d_rec[k]
            dh += g[k]
            dn = dh * (1 - z) * (1 - new * new)                   # through tanh
            np.multiply(dh * (hprev[k] - new), z * (1 - z), out=di[:, n:2 * n])     # d z
            np.multiply(dn * gh_n[k], r * (1 - r), out=di[:, :n])                  # d r
            di[:, 2 * n:] = dn
            dr_[:, :2 * n] = di[:, :2 * n]
            np.multiply(dn, r, out=dr_[:, 2 * n:])
            dh = dh * z
            dh += dr_ @ w_hh
        x, _, w_ih = ctx.saved_tensors[:3]
        need = ctx.needs_input_grad
        grads = _param_grads(need[:1] + need[2:6], x, w_ih, d_in, d_rec, hprev)
        return (grads[0], dh if need[1] else None) + grads[1:] + (None,)


class RNNSequence(Function):
    """An Elman RNN layer (tanh, or relu with ``relu=True``); output (T, B, H).

    Example:
        >>> h_seq = RNNSequence.apply(x, None, w_ih, w_hh, b_ih, b_hh, False, False)
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, relu):
        ctx.save_for_backward(x, h0, w_ih, w_hh, b_ih, b_hh)
        ctx.reverse, ctx.relu = reverse, relu
        t, b, _ = x.shape
        n = w_hh.shape[1]
        out = _project(x, w_ih, b_ih, b_hh)
        w_hh_t = w_hh.data.T
        h = _zeros_or(h0, (b, n), x.dtype)
        hprev = np.empty_like(out)
        for k in _steps(t, reverse):
            hprev[k] = h
            h = out[k]
            h += hprev[k] @ w_hh_t
            if relu:
                np.maximum(h, 0, out=h)
            else:
                np.tanh(h, out=h)
        ctx.hprev, ctx.hs = hprev, out     # hs: the output array itself, read in backward
        return out

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():
            return _double_backward(ctx, g, compose_rnn, ctx.reverse, ctx.relu)
        g = g.data
        out, hprev = ctx.hs, ctx.hprev
        w_hh = ctx.saved_tensors[3].data
        t, b, n = hprev.shape
        d = np.empty_like(hprev)
        dh = np.zeros((b, n), g.dtype)
        for k in _steps(t, not ctx.reverse):
            dh += g[k]
            h = out[k]
            np.multiply(dh, h > 0 if ctx.relu else 1 - h * h, out=d[k])
            dh = d[k] @ w_hh
        x, _, w_ih = ctx.saved_tensors[:3]
        need = ctx.needs_input_grad
        grads = _param_grads(need[:1] + need[2:6], x, w_ih, d, d, hprev)
        return (grads[0], dh if need[1] else None) + grads[1:] + (None, None)
