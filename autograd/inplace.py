"""In-place ops beyond ``add_``/``mul_``/``copy_``/``fill_``/``zero_`` (in _tensor.py):
``exp_``, ``relu_``, ``clamp_``/``clip_``, ``masked_fill_``, ``normal_``, ``uniform_``; and
``rebase``, which records any of them in the graph.

Each takes the tensor first and returns it (autograd/methods.py installs
them as methods). Outside the graph (no_grad, or nothing requires grad) an
in-place op just writes the memory and bumps its version, so an op that
saved any alias of it refuses to backward with the changed values.

Recorded in-place ops (PyTorch's semantics)
-------------------------------------------
When grad mode is on and the tensor or the value written requires grad, the
change is differentiated as PyTorch does: the tensor gets a new history, a
node computing its new value from a node that keeps its old history
(``out += w`` becomes ``out = old_out + w``, ``buf[i] = v`` becomes
``buf = SetItem(old_buf, v, i)``). A write through a view made by indexing
(``buf[1].copy_(w)``, also of views made outside the graph) gives the base
tensor the new history, and the views their new one.

What is refused, with an error that says what to do: an in-place op on a
leaf that requires grad (as PyTorch: do it under ``no_grad()``); through a
view made by reshape/permute/expand/split (clone first); while a view made
outside the graph by one of those is alive; and, at backward, an op recorded
*before* the change that took the changed tensor (or a view of its memory) as
input: its gradient would reach the new history instead of the value it read
(PyTorch can route it; clone the tensor before changing it instead).

Example:
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> buf = Tensor(np.zeros((2, 2), dtype=np.float32))
    >>> buf[0] = w * 3; buf[1].copy_(w)
    Tensor([1., 2.], dtype=float32, grad_fn=GetItem)
    >>> (buf * 2).sum().backward(); w.grad
    Tensor([8., 8.], dtype=float32)
"""
import numpy as np

from ._tensor import Tensor
from . import random, versions
from .ops import shape as _shape
from .ops.elementwise import where as _where

__all__ = ["exp_", "relu_", "clamp_", "clip_", "masked_fill_", "normal_", "uniform_", "replace_",
           "rebase"]


def exp_(x):
    """Replace ``x`` by e**x, in place.

    Example:
        >>> exp_(Tensor([0.0]))
        Tensor([1.], dtype=float32)
    """
    _floating("exp_", x)
    return x._inplace("exp_", lambda a, _: np.exp(a, out=a), None, lambda old, _: old.exp(),
                      needs_old=True)


def relu_(x):
    """Replace ``x`` by max(x, 0), in place (``nn.ReLU(inplace=True)``).

    Example:
        >>> relu_(Tensor([-1.0, 2.0]))
        Tensor([0., 2.], dtype=float32)
    """
    return x._inplace("relu_", lambda a, _: np.maximum(a, 0, out=a, casting="unsafe"), None,
                      lambda old, _: old.relu(), needs_old=True)


def replace_(x, fn, op="replace_"):
    """Replace ``x`` by ``fn(x)`` in place, under the rules of the in-place ops above.

    ``fn`` maps a Tensor to a Tensor of its shape (out of place, with any ops). While
    recording, ``x`` gets the new history ``fn(old x)``; otherwise ``fn``'s result is
    written into ``x``'s memory. nn's ``inplace=True`` activations are this.

    Example:
        >>> w = Tensor([-1.0, 2.0], requires_grad=True)
        >>> h = w * 1; replace_(h, lambda t: t * t, "square_")
        Tensor([1., 4.], dtype=float32, grad_fn=Mul)
        >>> h.sum().backward(); w.grad                 # d(w * w) = 2w
        Tensor([-2.,  4.], dtype=float32)
    """
    return x._inplace(op, lambda a, _: np.copyto(a, fn(Tensor(a)).data, casting="same_kind"),
                      None, lambda old, _: fn(old), needs_old=True)


def clamp_(x, min=None, max=None):
    """Limit ``x`` to [min, max] in place (either bound may be None).

    Example:
        >>> clamp_(Tensor([-2.0, 0.5, 2.0]), -1, 1)
        Tensor([-1. ,  0.5,  1. ], dtype=float32)
    """
    return _clamp("clamp_", x, min, max)


def clip_(x, min=None, max=None):
    """``clamp_`` under its other name.

    Example:
        >>> clip_(Tensor([-2.0, 0.5]), max=0.0)
        Tensor([-2.,  0.], dtype=float32)
    """
    return _clamp("clip_", x, min, max)


def _clamp(op, x, lo, hi):
    if lo is None and hi is None:
        raise ValueError(f"{op}: at least one of min and max must be given")
    lo, hi = (b.data if isinstance(b, Tensor) else b for b in (lo, hi))
    if x.dtype.kind in "iu" and any(b is not None and np.asarray(b).dtype.kind not in "biu"
                                    for b in (lo, hi)):
        raise TypeError(f"{op}: an integer tensor (shape {x.shape} {x.dtype}) cannot be "
                        f"clamped in place to non-integer bounds ({lo}, {hi}); convert it "
                        "first (.float())")
    return x._inplace(op, lambda a, _: np.clip(a, lo, hi, out=a, casting="unsafe"), None,
                      lambda old, _: old.clamp(lo, hi), needs_old=True)


def masked_fill_(x, mask, value):
    """Set ``x`` to ``value`` where the bool ``mask`` (broadcast to x's shape) holds, in place.

    Example:
        >>> x = Tensor([1.0, 2.0, 3.0]); masked_fill_(x, x > 1.5, 0.0)
        Tensor([1., 0., 0.], dtype=float32)
    """
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill_: mask must be a bool tensor, got shape {m.shape} "
                        f"{m.dtype}; make one with a comparison (x > 0) or .bool()")
    try:
        np.broadcast_to(m, x.shape)
    except ValueError:
        raise ValueError(f"masked_fill_: mask of shape {m.shape} does not broadcast to the "
                         f"tensor's shape {x.shape} {x.dtype}") from None
    # the value is cast to x's dtype, as PyTorch does (2.7 into an int tensor is 2)
    return x._inplace("masked_fill_", lambda a, b: np.copyto(a, b, where=m, casting="unsafe"),
                      value, lambda old, v: replaced(old, v, m))


def normal_(x, mean=0.0, std=1.0, *, generator=None):
    """Fill ``x`` with normal random numbers of ``mean`` and ``std``, in place.

    Example:
        >>> _ = random.manual_seed(0); normal_(Tensor(np.zeros((2, 2), dtype=np.float32)))
        Tensor([[ 1.117622, -1.387125],
                [-0.426572, -0.803587]], dtype=float32)
    """
    _floating("normal_", x)
    if std < 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    rng = random._rng("normal_", generator)

    def fill(a, _):          # drawn only once the write is allowed: a refusal draws nothing
        np.copyto(a, random._standard_normal(rng, a.shape, a.dtype) * std + mean,
                  casting="same_kind")
    return x._inplace("normal_", fill, None, lambda old, _: replaced(old, _drawn(fill, old)))


def uniform_(x, from_=0.0, to=1.0, *, generator=None, **bounds):
    """Fill ``x`` with uniform random numbers in [from, to), in place.

    The bounds are positional, or ``from``/``to`` by keyword as in PyTorch
    (``x.uniform_(**{'from': -1, 'to': 1})``), or ``from_=``.

    Example:
        >>> _ = random.manual_seed(0); uniform_(Tensor(np.zeros(4, dtype=np.float32)), -1, 1)
        Tensor([ 0.701248,  0.273923,  0.022273, -0.460427], dtype=float32)
    """
    _floating("uniform_", x)
    if bounds:
        unknown = set(bounds) - {"from"}
        if unknown:
            raise TypeError(f"uniform_: unexpected arguments {sorted(unknown)}")
        from_ = bounds["from"]
    if not from_ <= to:
        raise ValueError(f"uniform_: expects from <= to, got from={from_}, to={to}")
    rng = random._rng("uniform_", generator)

    def fill(a, _):
        np.copyto(a, random._uniform(rng, a.shape, a.dtype) * (to - from_) + from_,
                  casting="same_kind")
    return x._inplace("uniform_", fill, None, lambda old, _: replaced(old, _drawn(fill, old)))


def _floating(op, x):
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating tensor, got shape {x.shape} {x.dtype}; "
                        "convert it first (.float())")


def _drawn(fill, like):
    a = np.empty(like.shape, like.dtype)
    fill(a, None)
    return a


# -- recorded in-place ops ---------------------------------------------------------------

def replaced(old, values, mask=None):
    """``values`` (broadcast) where ``mask`` holds (everywhere if None), else ``old``: the
    recorded form of copy_, fill_ and masked_fill_ (``old`` gets a zero gradient there).

    Example:
        >>> replaced(Tensor([1.0, 2.0]), 5.0, np.array([True, False]))
        Tensor([5., 2.], dtype=float32)
    """
    if mask is None:
        mask = np.ones(old.shape, dtype=bool)
    return _where(mask, values, old)


def setitem(old, value, index):
    """``old`` with ``old[index] = value``, as a recorded op (the form of ``x[index] = v``).

    Example:
        >>> setitem(Tensor([1.0, 2.0, 3.0]), 0.0, 1)
        Tensor([1., 0., 3.], dtype=float32)
    """
    index = (tuple(_shape._index_part(i) for i in index) if isinstance(index, tuple)
             else _shape._index_part(index))
    return _shape.SetItem.apply(old, value, index)


def rebase(t, op, graph, other, needs_old=False):
    """Differentiate an in-place op on ``t``: ``t`` (or the tensor whose view it is) gets a
    new history, ``graph(old, other)`` computed from a node holding its old history.

    Called by ``Tensor._inplace`` when grad mode is on and ``t`` or ``other`` requires grad;
    nothing is changed unless it succeeds.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> h = x * 1; h.mul_(3)                      # rebase(h, "mul_", ...)
        Tensor([3., 6.], dtype=float32, grad_fn=Mul)
        >>> h.sum().backward(); x.grad
        Tensor([3., 3.], dtype=float32)
    """
    where = f"{op}: in-place change of a tensor of shape {t.shape} {t.dtype}"
    if graph is None:
        raise RuntimeError(f"{where} that requires grad, while recording: {op} has no "
                           "recorded form. Do it under no_grad(), or use the out-of-place op.")
    if t.grad_fn is None and t.requires_grad:
        raise RuntimeError(
            f"{op}: in-place change of a tensor that requires grad (shape {t.shape} {t.dtype}) "
            "while recording: it is a leaf (a parameter or input), and a leaf "
            "cannot be changed in place while recording (PyTorch: 'a leaf Variable that "
            "requires grad is being used in an in-place operation'). Do it under no_grad() "
            "(as an optimizer step or an initialiser does), or use the out-of-place op.")
    if t.dtype.kind not in "fc":
        raise TypeError(f"{where}: the value written requires grad, but an integer or bool "
                        "tensor cannot carry a gradient; convert the tensor first (.float())")
    root, chain = _view_chain(t, op)
    if root.grad_fn is None and root.requires_grad:
        raise RuntimeError(
            f"{where}: it is a view of a leaf that requires grad (shape {root.shape}), and a "
            "leaf cannot be changed in place while recording, not even through a view. Do it "
            "under no_grad(), or change a clone() of the leaf.")
    chain_views = [c.tensor for c in chain]
    views = [v for v in versions.live_views(root.data)
             if v is not t and all(v is not c for c in chain_views)]
    ours = []
    for v in views:
        try:
            base = _view_chain(v, op)[0]
        except RuntimeError:
            base = None
        if getattr(base, "_superseded", False):     # a view of an old history: not ours
            continue
        ours.append(v)
        if base is not root:
            raise RuntimeError(
                f"{where}: {_describe_view(v)} shares its memory but not its history (it "
                "was made outside the graph, or of a detach() of it); its values would change "
                "without a gradient. Make such views after the in-place change (or of a "
                "clone), or use out-of-place ops.")
    views = ours
    versions.clock[0] += 1             # the nodes made from here on read the old memory:
    start = versions.clock[0]          # their stamp is start; see _restamp below
    old = _superseded(root)
    other = _old_value(other, root, old, op, where)

    def change(value):                 # the new value of the written part
        return graph(value.clone() if needs_old else value, other)

    new = _through(old, [c.index for c in chain], change)
    if new.shape != root.shape:
        raise ValueError(f"{where} with a value of shape {np.shape(_data(other))}: the result "
                         f"has shape {new.shape}, but an in-place op cannot change the shape")
    if new.dtype != root.dtype:
        if not np.can_cast(new.dtype, root.dtype, "same_kind"):
            raise TypeError(f"{where}: the result has dtype {new.dtype}, which cannot be "
                            f"written into {root.dtype} in place")
        new = new.astype(root.dtype)
    try:
        np.copyto(root.data, new.data)
    except ValueError as e:                      # read-only memory (a broadcast view)
        raise ValueError(f"{where}: cannot write its memory: {e}") from None
    versions.record_rebase(root.data)
    _take_history(root, new)
    _restamp(new.grad_fn, start)
    for view in chain_views + views:             # each view: a view of the new history
        v = root
        for c in _view_chain(view, op)[1]:
            v = _shape.GetItem.apply(v, c.index)
        view._view = None
        _take_history(view, v)
    return t


def _old_value(other, root, old, op, where):
    """``other`` as the recorded op must see it: its value before the write, with a history
    that the write does not change (``x.add_(x)``, ``buf.add_(buf[1])``, ``c += c + 1``)."""
    if not isinstance(other, (Tensor, np.ndarray)) \
            or not np.may_share_memory(_data(other), root.data):
        if isinstance(other, Tensor):
            _repoint(other, root, old)    # c += c + 1: ops behind other read c's old value
        return other
    if isinstance(other, np.ndarray):
        return other.copy()
    if other.grad_fn is None and not other.requires_grad \
            and getattr(other, "_view", None) is None:
        return other.clone()              # an alias outside the graph (detach()): its values
    base, steps = _view_chain(other, op)
    if base is not root:
        raise RuntimeError(f"{where}: the value written (shape {other.shape}) shares memory "
                           "with it in a way that cannot be differentiated; write a clone() "
                           "of the value")
    value = old
    for step in steps:                    # other is (a view of) the tensor written: its part
        value = _shape.GetItem.apply(value, step.index)     # of the old history
    return value.clone()


def _repoint(other, root, old):
    """Ops behind ``other`` that took ``root`` as input read its value before this change:
    point them at ``old`` (the node keeping that history). Only ops made since root was
    are looked at; earlier users of root elsewhere are refused by the engine at backward."""
    if root.grad_fn is None:
        return
    since = root.grad_fn._saved_at
    stack, seen = [other.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen or fn._saved_at < since or fn._freed \
                or fn.makes_view:         # a view of root shows the new values: not re-pointed
            continue
        seen.add(id(fn))
        inputs = fn.inputs
        if any(i is root for i in inputs):
            fn.inputs = tuple(old if i is root else i for i in inputs)
        stack.extend(i.grad_fn for i in inputs if isinstance(i, Tensor))


def _restamp(fn, start):
    """The nodes made by this in-place op read the memory before it was written, as they
    should: stamp them after the write, so the engine does not take them for earlier users.
    (What they saved cannot be that memory: old values are cloned first.)"""
    stack = [fn]
    while stack:
        fn = stack.pop()
        if fn is not None and fn._saved_at == start:
            fn._saved_at = versions.clock[0]
            stack.extend(i.grad_fn for i in fn.inputs if isinstance(i, Tensor))


class _Step:
    """One indexing step from a base to a view of it (and the view it gives)."""
    __slots__ = ("index", "tensor")

    def __init__(self, index, tensor):
        self.index, self.tensor = index, tensor


def _view_chain(t, op):
    """(the tensor owning t's memory, the indexing steps from it down to t)."""
    steps = []
    while True:
        fn = t.grad_fn
        if fn is not None:
            base = fn.inputs[0] if fn.inputs else None
            if hasattr(base, "tensor") and not isinstance(base, Tensor):
                base = base.tensor()        # a ReleasedTensor: the base after a backward
            if not isinstance(base, Tensor) or not fn.makes_view or \
                    versions.buffer_of(base.data) is not versions.buffer_of(t.data):
                if fn.makes_view and base is None:
                    raise RuntimeError(f"{op}: in-place change of a view (shape {t.shape}) "
                                       "whose base is gone; clone() it first")
                break
            if fn.makes_view != "index":
                raise RuntimeError(_view_error(op, t, fn.name))
            index = fn.index
        else:
            view = getattr(t, "_view", None)
            if view is None:
                break
            base, index, name = view
            if index is None:
                raise RuntimeError(_view_error(op, t, name))
            index = index[0]
        steps.append(_Step(index, t))
        t = base
    return t, steps[::-1]


def _view_error(op, t, name):
    return (f"{op}: in-place change of a view made by {name} (shape {t.shape} {t.dtype}) is "
            "not differentiable here (only views made by indexing are); apply the in-place "
            "op to a clone() of it, or use the out-of-place op")


def _describe_view(v):
    made_by = v._view[2] if getattr(v, "_view", None) else v.grad_fn.name
    return f"a view (shape {v.shape} {v.dtype}, made by {made_by})"


def _through(old, indices, change):
    """``old`` with the part at ``indices`` (nested) replaced by ``change(that part)``."""
    if not indices:
        return change(old)
    part = _shape.GetItem.apply(old, indices[0])
    part._superseded = True            # read before the write, by this op's nodes only
    return _shape.SetItem.apply(old, _through(part, indices[1:], change), indices[0])


def _superseded(t):
    """A node that takes over ``t``'s current history (its data is t's memory)."""
    old = Tensor.__new__(Tensor)
    old._init(t.data, t.requires_grad)
    old.grad_fn, old._output_nr, old.name = t.grad_fn, t._output_nr, t.name
    old._superseded = True
    return old


def _take_history(t, new):
    t.requires_grad, t.grad_fn, t._output_nr = new.requires_grad, new.grad_fn, new._output_nr


def _data(x):
    return x.data if isinstance(x, Tensor) else x
