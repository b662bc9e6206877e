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
zeros, the four weights (biases may be None), ``reverse`` (run from t = T-1
down to 0) and ``lengths`` (None, or each sequence's length, for padded
batches: steps at t >= length leave the state unchanged and output zeros, so
a reverse pass starts at each sequence's own last element). Output:
(T + 1, B, H), the output at every time step in time order, then the final
hidden state; LSTM appends the final cell state too: (T + 2, B, H).
"""
import numpy as np

from autograd import Function, Tensor, grad, is_grad_enabled, stack, where
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


def _masks(t, lengths):
    """Per step, a (B, 1) bool mask of the sequences still running, or None (all run)."""
    if lengths is None:
        return [None] * t
    lengths = np.asarray(lengths)
    return [None if (lengths > k).all() else (lengths > k)[:, None] for k in range(t)]


def _compose(x, states, step, reverse, lengths):
    """Run ``step(x_t, states) -> new states`` over time with autograd ops (masked steps
    keep the old states and output zeros); returns the stacked (outputs..., finals...)."""
    t = x.shape[0]
    outs = [None] * t
    masks = _masks(t, lengths)
    for k in _steps(t, reverse):
        new = step(x[k], states)
        m = masks[k]
        if m is None:
            states = new
            outs[k] = new[0]
        else:
            states = [where(m, a, b) for a, b in zip(new, states)]
            outs[k] = new[0] * Tensor(m.astype(x.dtype))
    return stack(outs + list(states))


def _zeros_like_state(x, w_hh, state):
    return state if state is not None else Tensor(np.zeros((x.shape[1], w_hh.shape[1]), x.dtype))


def compose_lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse, lengths=None):
    """The LSTM layer as a graph of cell ops (the reference the fused node must match)."""
    states = [_zeros_like_state(x, w_hh, h0), _zeros_like_state(x, w_hh, c0)]
    return _compose(x, states, lambda xt, s: list(lstm_cell(xt, s, w_ih, w_hh, b_ih, b_hh)),
                    reverse, lengths)


def compose_gru(x, h0, w_ih, w_hh, b_ih, b_hh, reverse, lengths=None):
    """The GRU layer as a graph of cell ops."""
    return _compose(x, [_zeros_like_state(x, w_hh, h0)],
                    lambda xt, s: [gru_cell(xt, s[0], w_ih, w_hh, b_ih, b_hh)], reverse, lengths)


def compose_rnn(x, h0, w_ih, w_hh, b_ih, b_hh, reverse, relu, lengths=None):
    """The Elman RNN layer (tanh or relu) as a graph of cell ops."""
    cell = rnn_relu_cell if relu else rnn_tanh_cell
    return _compose(x, [_zeros_like_state(x, w_hh, h0)],
                    lambda xt, s: [cell(xt, s[0], w_ih, w_hh, b_ih, b_hh)], reverse, lengths)


def _previous(states, first, reverse):
    """The state before each time step: ``states`` shifted by one step, ``first`` at the start."""
    prev = np.empty_like(states)
    if reverse:
        prev[-1], prev[:-1] = first, states[1:]
    else:
        prev[0], prev[1:] = first, states[:-1]
    return prev


def _keep(m, new, old, out):
    """Masked step: ``out`` = new where the sequence runs, old where it has ended."""
    np.copyto(out, new)
    np.copyto(out, old, where=~m)
    return out


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
    """An LSTM layer over a sequence; output (T + 2, B, H): h at each step, then h_n, c_n.

    Example:
        >>> x = Tensor([[[1.0]], [[0.0]], [[0.0]]])          # (T=3, B=1, input 1)
        >>> w = Tensor(np.zeros((4, 1), np.float32))       # gates 0: c halves, h = tanh(c) / 2
        >>> out = LSTMSequence.apply(x, None, Tensor([[4.0]]), w, w, None, None, False, None)
        >>> out.reshape(-1)                                # h1, h2, h3, h_n, c_n
        Tensor([0.482014, 0.380797, 0.231059, 0.231059, 0.5     ], dtype=float32)
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse, lengths=None):
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b_ih, b_hh)
        ctx.reverse, ctx.lengths = reverse, lengths
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
        out = np.empty((t + 2, b, n), dtype)
        cs, tanh_c = np.empty((t, b, n), dtype), np.empty((t, b, n), dtype)
        masks = _masks(t, lengths)
        hs = out[:t] if lengths is None else np.empty((t, b, n), dtype)   # states
        h, c = _zeros_or(h0, (b, n), dtype), _zeros_or(c0, (b, n), dtype)
        for k in _steps(t, reverse):
            a = acts[k]
            a += h @ w_hh_t
            np.tanh(a, out=a)
            a *= half
            a += shift                                   # i, f, o: sigmoid; g: tanh
            c_new = a[:, n:2 * n] * c
            c_new += a[:, :n] * a[:, 2 * n:3 * n]
            np.tanh(c_new, out=tanh_c[k])
            np.multiply(a[:, 3 * n:], tanh_c[k], out=out[k])
            m = masks[k]
            if m is None:
                cs[k] = c_new
                h, c = out[k], cs[k]
                if lengths is not None:
                    hs[k] = h
            else:
                c = _keep(m, c_new, c, cs[k])
                h = _keep(m, out[k], h, hs[k])
                out[k] *= m
        out[t], out[t + 1] = h, c
        ctx.acts, ctx.cs, ctx.tanh_c, ctx.hs, ctx.masks = acts, cs, tanh_c, hs, masks
        return out

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():
            return _double_backward(ctx, g, compose_lstm, ctx.reverse, ctx.lengths)
        g = g.data
        x, h0, c0, w_ih, w_hh = ctx.saved_tensors[:5]
        acts, cs, tanh_c, reverse, masks = ctx.acts, ctx.cs, ctx.tanh_c, ctx.reverse, ctx.masks
        t, b, n = cs.shape
        # every step's local derivatives at once: sigmoid' = s (1 - s), tanh' = 1 - y^2
        deriv = acts * (1 - acts)
        gg = acts[:, :, 2 * n:3 * n]
        deriv[:, :, 2 * n:3 * n] = 1 - gg * gg
        o_dtanh = acts[:, :, 3 * n:] * (1 - tanh_c * tanh_c)     # dh -> dc through h = o tanh c
        cprev = _previous(cs, _zeros_or(c0, (b, n), cs.dtype), reverse)
        d_gates = np.empty_like(acts)
        dh = g[t].copy()
        dc = g[t + 1].copy()
        w = w_hh.data
        for k in _steps(t, not reverse):
            a, d, m = acts[k], d_gates[k], masks[k]
            if m is None:
                dh += g[k]
            else:       # ended sequences pass the state's gradient through; their output is 0
                keep_h, keep_c = dh * ~m, dc * ~m
                dh = (dh + g[k]) * m
                dc = dc * m
            dc += dh * o_dtanh[k]
            np.multiply(dc, a[:, 2 * n:3 * n], out=d[:, :n])      # d i
            np.multiply(dc, cprev[k], out=d[:, n:2 * n])          # d f
            np.multiply(dc, a[:, :n], out=d[:, 2 * n:3 * n])      # d g
            np.multiply(dh, tanh_c[k], out=d[:, 3 * n:])          # d o
            d *= deriv[k]
            dc *= a[:, n:2 * n]
            dh = d @ w
            if m is not None:
                dh += keep_h
                dc += keep_c
        need = ctx.needs_input_grad
        hprev = _previous(ctx.hs, _zeros_or(h0, (b, n), cs.dtype), reverse)
        gx, gw_ih, gw_hh, gb_ih, gb_hh = _param_grads(
            need[:1] + need[3:6] + (need[6] and not need[5],), x, w_ih, d_gates, d_gates, hprev)
        if need[5] and need[6]:
            gb_hh = gb_ih.copy()                                  # the same sum: reuse it
        return (gx, dh if need[1] else None, dc if need[2] else None, gw_ih, gw_hh, gb_ih,
                gb_hh, None, None)[:len(ctx.inputs)]


class GRUSequence(Function):
    """A GRU layer over a sequence; output (T + 1, B, H): h at each step, then h_n.

    Example:
        >>> x = Tensor([[[1.0]], [[0.0]], [[0.0]]])          # (T=3, B=1, input 1)
        >>> w = Tensor(np.zeros((3, 1), np.float32))       # r = z = 0.5, n = 0: h halves
        >>> GRUSequence.apply(x, Tensor([[8.0]]), w, w, None, None, False, None).reshape(-1)
        Tensor([4., 2., 1., 1.], dtype=float32)
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, lengths=None):
        ctx.save_for_backward(x, h0, w_ih, w_hh, b_ih, b_hh)
        ctx.reverse, ctx.lengths = reverse, lengths
        t, b, _ = x.shape
        n = w_hh.shape[1]
        dtype = x.dtype
        gi = _project(x, w_ih, b_ih)
        w_hh_t = w_hh.data.T
        bias_hh = None if b_hh is None else b_hh.data
        acts = np.empty((t, b, 3 * n), dtype)     # r, z, n
        gh_n = np.empty((t, b, n), dtype)         # W_hn h + b_hn, which r multiplies
        hprev = np.empty((t, b, n), dtype)
        out = np.empty((t + 1, b, n), dtype)
        masks = _masks(t, lengths)
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
            y = out[k]
            np.subtract(hprev[k], new, out=y)       # h' = n + z (h - n)
            y *= a[:, n:2 * n]
            y += new
            m = masks[k]
            if m is None:
                h = y
            else:
                h = np.where(m, y, h)
                y *= m
        out[t] = h
        ctx.acts, ctx.gh_n, ctx.hprev, ctx.masks = acts, gh_n, hprev, masks
        return out

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():
            return _double_backward(ctx, g, compose_gru, ctx.reverse, ctx.lengths)
        g = g.data
        acts, gh_n, hprev, masks = ctx.acts, ctx.gh_n, ctx.hprev, ctx.masks
        w_hh = ctx.saved_tensors[3].data
        t, b, n = hprev.shape
        d_in = np.empty_like(acts)
        d_rec = np.empty_like(acts)
        dh = g[t].copy()
        for k in _steps(t, not ctx.reverse):
            a, m = acts[k], masks[k]
            r, z, new = a[:, :n], a[:, n:2 * n], a[:, 2 * n:]
            di, dr_ = d_in[k], d_rec[k]
            if m is None:
                dh += g[k]
            else:
                keep = dh * ~m
                dh = (dh + g[k]) * m
            dn = dh * (1 - z) * (1 - new * new)                   # through tanh
            np.multiply(dh * (hprev[k] - new), z * (1 - z), out=di[:, n:2 * n])     # d z
            np.multiply(dn * gh_n[k], r * (1 - r), out=di[:, :n])                  # d r
            di[:, 2 * n:] = dn
            dr_[:, :2 * n] = di[:, :2 * n]
            np.multiply(dn, r, out=dr_[:, 2 * n:])
            dh = dh * z
            dh += dr_ @ w_hh
            if m is not None:
                dh += keep
        x, _, w_ih = ctx.saved_tensors[:3]
        need = ctx.needs_input_grad
        grads = _param_grads(need[:1] + need[2:6], x, w_ih, d_in, d_rec, hprev)
        return ((grads[0], dh if need[1] else None) + grads[1:] + (None, None))[:len(ctx.inputs)]


class RNNSequence(Function):
    """An Elman RNN layer (tanh, or relu with ``relu=True``); output (T + 1, B, H).

    Example:
        >>> x = Tensor([[[1.0]], [[0.0]], [[0.0]]])          # (T=3, B=1, input 1)
        >>> w_ih, w_hh = Tensor([[1.0]]), Tensor([[0.5]])  # relu: h_t = relu(x_t + h_(t-1) / 2)
        >>> out = RNNSequence.apply(x, None, w_ih, w_hh, None, None, False, True, None)
        >>> out.shape, out.reshape(-1)                     # h1, h2, h3, then h_n
        ((4, 1, 1), Tensor([1.  , 0.5 , 0.25, 0.25], dtype=float32))
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, relu, lengths=None):
        ctx.save_for_backward(x, h0, w_ih, w_hh, b_ih, b_hh)
        ctx.reverse, ctx.relu, ctx.lengths = reverse, relu, lengths
        t, b, _ = x.shape
        n = w_hh.shape[1]
        out = np.empty((t + 1, b, n), x.dtype)
        out[:t] = _project(x, w_ih, b_ih, b_hh)
        w_hh_t = w_hh.data.T
        masks = _masks(t, lengths)
        h = _zeros_or(h0, (b, n), x.dtype)
        hprev = np.empty((t, b, n), x.dtype)
        for k in _steps(t, reverse):
            hprev[k] = h
            y = out[k]
            y += h @ w_hh_t
            if relu:
                np.maximum(y, 0, out=y)
            else:
                np.tanh(y, out=y)
            m = masks[k]
            if m is None:
                h = y
            else:
                h = np.where(m, y, h)
                y *= m
        out[t] = h
        ctx.hprev, ctx.hs, ctx.masks = hprev, out, masks   # hs: the output array itself
        return out

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():
            return _double_backward(ctx, g, compose_rnn, ctx.reverse, ctx.relu, ctx.lengths)
        g = g.data
        out, hprev, masks = ctx.hs, ctx.hprev, ctx.masks
        w_hh = ctx.saved_tensors[3].data
        t, b, n = hprev.shape
        d = np.empty_like(hprev)
        dh = g[t].copy()
        for k in _steps(t, not ctx.reverse):
            m = masks[k]
            keep = None if m is None else dh * ~m        # ended: the state passes through
            dh += g[k]
            h = out[k]
            np.multiply(dh, h > 0 if ctx.relu else 1 - h * h, out=d[k])
            if m is None:
                dh = d[k] @ w_hh
            else:
                d[k] *= m
                dh = d[k] @ w_hh + keep
        x, _, w_ih = ctx.saved_tensors[:3]
        need = ctx.needs_input_grad
        grads = _param_grads(need[:1] + need[2:6], x, w_ih, d, d, hprev)
        return ((grads[0], dh if need[1] else None) + grads[1:]
                + (None, None, None))[:len(ctx.inputs)]
