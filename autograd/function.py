"""Function: one differentiable op, forward beside backward; its instance is the ctx.

``Op.apply(*args)`` runs ``forward(ctx, *args)`` and, when some input requires a
gradient and grad mode is on, returns a Tensor whose ``grad_fn`` is the ctx
(a tuple of Tensors when forward returns a tuple). The engine later calls
``backward(ctx, *grads)`` (one gradient per output), which returns one
gradient per positional argument of forward.

The backward protocol
---------------------
Two kinds of op, chosen by the class attribute ``array_backward``:

* ``array_backward = False`` (PyTorch's contract, the default for custom ops):
  forward runs with recording off and gets the Tensors; backward gets Tensors
  (the gradients, ``ctx.saved_tensors``, ``ctx.output``) and may return Tensors
  or ndarrays. Under ``create_graph=True`` the Tensor ops it calls are recorded.
* ``array_backward = True`` (every built-in op): backward is written only with
  operators, methods (``.sum``, ``.reshape``, ...) and ``Function.apply``,
  which mean the same on ndarrays and on Tensors. On a plain backward the
  engine hands it ndarrays, and NumPy scalars for 0-d values (fast: nothing
  is wrapped or recorded; so no item assignment, ``like=`` or ``out=`` on
  what it is handed); under ``create_graph`` it hands it Tensors, so the
  same code is recorded and can be differentiated again. Its forward reads
  ``.data`` itself and calls no recorded op, so it runs without switching
  grad mode off; an op that is also applied inside a backward reads its
  inputs with ``data_of``, which takes an ndarray or a Tensor.

``saves_output = True``: backward reads ``ctx.output`` (the op's own result,
in the same form as the gradient) instead of saving a copy of it.

``ctx.create_graph`` tells a backward whether it is being recorded. Most never
look: code written with operators is right either way. Read it only to take
a shortcut that is valid without recording, such as reusing arrays cached in
forward (a recorded backward must rebuild them from the saved Tensors).

Saved values are checked when read: an in-place write to their memory through
any alias since forward raises (see ``autograd.versions``). Every recorded op
notes the write clock when it ran (``ctx._saved_at``), so the engine also
refuses an op whose input got a new history from a recorded in-place op after
it (see ``autograd/inplace.py``): its gradient would go to the wrong history.
"""
import traceback
import weakref

import numpy as np

from . import versions
from .grad_mode import state
from ._tensor import Tensor

__all__ = ["Function", "FunctionCtx", "ReleasedTensor", "ReleasedArray", "data_of", "exp",
           "log", "permute", "expand", "reduced_shape"]


class Function:
    """Base class for custom ops, as torch.autograd.Function.

    Example:
        >>> class Cube(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x.data ** 3
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         x, = ctx.saved_tensors
        ...         return grad * 3 * x * x
        >>> x = Tensor(2.0, requires_grad=True)
        >>> Cube.apply(x).backward(); x.grad
        Tensor(12., dtype=float32)
    """

    array_backward = False   # see "The backward protocol" above
    saves_output = False     # backward reads ctx.output
    materialize_grads = True  # multi-output ops: missing output gradients arrive as zeros
    scope = ""
    create_graph = False     # set by the engine for each backward call
    _freed = False
    _outputs = 1
    _saved_at = -1           # the write clock when apply recorded it (set per instance)
    makes_view = False       # True if the output may share input 0's memory ("index": GetItem)

    @classmethod
    def apply(cls, *args):
        ctx = cls.__new__(cls)
        ctx.inputs = args
        try:
            if cls.array_backward:
                out = cls.forward(ctx, *args)
            else:
                prev, state.grad_enabled = state.grad_enabled, False
                try:
                    out = cls.forward(ctx, *args)
                finally:
                    state.grad_enabled = prev
        except _ERROR_TYPES as e:
            named = _named(cls, args, e)
            if named is e:
                raise
            raise named from e
        if type(out) is tuple:
            return _make_outputs(cls, ctx, args, out)
        if type(out) is not np.ndarray:      # (asanyarray: a traced array stays traced)
            out = out.data if isinstance(out, Tensor) else _one_output(cls, out)
        record = False
        if state.grad_enabled:
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    record = out.dtype.kind in "fc"   # integer and bool results: no gradient
                    break
        result = Tensor.__new__(Tensor)
        result._init(out, record)
        if record:
            result.grad_fn = ctx
            ctx._saved_at = versions.clock[0]    # when it read its inputs (see the engine)
            if state.scope:
                ctx.scope = state.scope
        elif cls.makes_view:
            _note_view(ctx, args, result)
        if state.anomaly:
            _check_forward(cls, ctx, args, (out,))
        return result

    # -- ctx API --------------------------------------------------------------

    def save_for_backward(self, *tensors):
        """Keep tensors for backward; in-place writes to them (through any alias) are caught.

        Example:
            >>> x = Tensor([3.0], requires_grad=True); c = Tensor([2.0])
            >>> y = x * c                               # Mul saves x and c
            >>> c.add_(1); y.backward()
            Traceback (most recent call last):
            RuntimeError: Mul.backward: a tensor it saved (shape (1,) float32) was modified ...
        """
        self._saved = tensors
        self._saved_at = versions.clock[0]

    def mark_non_differentiable(self, *outputs):
        """Accepted for PyTorch compatibility: integer outputs never require grad here anyway.

        Example:
            >>> class ArgMax(Function):
            ...     @staticmethod
            ...     def forward(ctx, x):
            ...         i = x.data.argmax(); ctx.mark_non_differentiable(i); return i
            >>> ArgMax.apply(Tensor([1.0, 3.0], requires_grad=True))
            Tensor(1, dtype=int64)
        """

    def set_materialize_grads(self, value):
        """With False, missing output gradients of a multi-output op arrive as None, not zeros.

        Example:
            >>> class Halves(Function):
            ...     @staticmethod
            ...     def forward(ctx, x):
            ...         ctx.set_materialize_grads(False)
            ...         return x.data[:1], x.data[1:]
            ...     @staticmethod
            ...     def backward(ctx, g0, g1):
            ...         print(g0, g1)
            ...         return np.concatenate([g0.data, np.zeros(1) if g1 is None else g1.data])
            >>> first, second = Halves.apply(Tensor([1.0, 2.0], requires_grad=True))
            >>> (first * 3).sum().backward()            # second is unused: its grad is None
            Tensor([3.], dtype=float32) None
        """
        self.materialize_grads = bool(value)

    @property
    def needs_input_grad(self):
        """One bool per forward argument: does that input require a gradient?

        Example:
            >>> x = Tensor([3.0], requires_grad=True)
            >>> (x * Tensor([2.0])).grad_fn.needs_input_grad
            (True, False)
        """
        return tuple([isinstance(a, Tensor) and a.requires_grad for a in self.inputs])

    @property
    def saved_tensors(self):
        """The tensors given to save_for_backward (arrays when backward runs on arrays).

        Example:
            >>> x = Tensor([3.0], requires_grad=True); y = Tensor([2.0], requires_grad=True)
            >>> (x * y).grad_fn.saved_tensors      # a built-in op: arrays
            [array([3.], dtype=float32), array([2.], dtype=float32)]
        """
        try:
            saved = self._saved
        except AttributeError:
            if self._freed:
                raise _freed_error(self) from None
            raise RuntimeError(f"{type(self).__name__}.backward: saved_tensors read, "
                               "but forward called no save_for_backward()") from None
        if versions.clock[0] != self._saved_at:     # something was written since: what?
            for t in saved:
                if isinstance(t, Tensor) and versions.written_since(t.data, self._saved_at):
                    raise _version_error(self, t)
        if self.array_backward and not self.create_graph:
            return [_plain(t.data) if isinstance(t, Tensor) else t for t in saved]
        return saved

    @property
    def output(self):
        """The op's own result, for ops with ``saves_output = True`` (set by the engine).

        Example:
            >>> class Exp(Function):
            ...     saves_output = True
            ...     @staticmethod
            ...     def forward(ctx, x): return np.exp(x.data)
            ...     @staticmethod
            ...     def backward(ctx, grad): return grad * ctx.output     # d exp = exp
            >>> x = Tensor([0.0, 1.0], requires_grad=True)
            >>> Exp.apply(x).sum().backward(); x.grad
            Tensor([1.      , 2.718282], dtype=float32)
        """
        out = self._output
        if versions.clock[0] != self._saved_at and versions.written_since(out.data,
                                                                          self._saved_at):
            raise _version_error(self, out)
        return _plain(out.data) if self.array_backward and not self.create_graph else out

    def release(self, released=None):
        """Drop what forward saved; input tensors become ReleasedTensors unless kept.

        The engine calls this after backward unless retain_graph=True. Leaves
        that require grad (parameters) and tensors that retain their grad stay
        as they are; every other input Tensor is replaced by its ReleasedTensor
        (one per tensor, shared through the ``released`` dict), and an ndarray
        argument of more than four elements by a ReleasedArray, so the graph
        stays walkable and drawable while the values can be freed. With
        ``released=None`` the inputs are kept (the values stay).

        Example:
            >>> x = Tensor([3.0], requires_grad=True)
            >>> fn = (x * 2).exp().grad_fn; fn.inputs
            (Tensor([6.], dtype=float32, grad_fn=Mul),)
            >>> fn.release({}); fn.inputs
            (ReleasedTensor(shape=(1,), dtype=float32),)
        """
        kept = self.__dict__
        inputs = kept["inputs"]
        if released is not None:
            new = []
            for t in inputs:
                if type(t) is Tensor:
                    if (t.grad_fn is not None or not t.requires_grad) and not t._retains_grad:
                        r = released.get(t)
                        if r is None:
                            r = released[t] = _released(t)
                        t = r
                elif type(t) is np.ndarray and t.size > 4:     # a constant argument's array
                    t = tuple.__new__(ReleasedArray, (t.shape, t.dtype))
                new.append(t)
            inputs = tuple(new)
        self.__dict__ = {"inputs": inputs, "_freed": True}
        if "scope" in kept:
            self.scope = kept["scope"]

    @property
    def name(self):
        """The op's name as shown in errors and graph pictures, e.g. 'Mul'.

        Example:
            >>> (Tensor([1.0], requires_grad=True) * 2).grad_fn.name
            'Mul'
        """
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name} backward>"


FunctionCtx = Function     # PyTorch's name for the type of ``ctx``


class ReleasedTensor(tuple):
    """What the graph keeps of a tensor once backward freed its values: where and what it was.

    ``grad_fn`` (the op that made it, so the graph stays walkable and
    drawable), ``shape``, ``dtype``, ``name`` and ``requires_grad``; ``data``
    and ``grad`` are None, and ``tensor()`` is the Tensor itself while
    something else still holds it (else None). A tuple underneath: backward
    makes one per freed tensor, so it must be cheap.

    Example:
        >>> x = Tensor([1.0], requires_grad=True)
        >>> y = (x * 2).exp(); y.sum().backward()
        >>> y.grad_fn.inputs[0]
        ReleasedTensor(shape=(1,), dtype=float32)
    """

    __slots__ = ()
    grad_fn = property(lambda self: self[0])
    shape = property(lambda self: self[1])
    dtype = property(lambda self: self[2])
    name = property(lambda self: self[3])
    requires_grad = property(lambda self: self[4])
    _output_nr = property(lambda self: self[5])
    ndim = property(lambda self: len(self[1]))
    is_leaf = property(lambda self: self[0] is None)
    grad = property(lambda self: None)
    data = property(lambda self: None, doc="None: the values were freed after backward.")
    _retains_grad = False
    __eq__ = object.__eq__       # one node per freed tensor: identity, not tuple equality
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def tensor(self):
        """The original Tensor if it is still alive (held elsewhere), else None.

        Example:
            >>> x = Tensor([1.0], requires_grad=True)
            >>> h = x * 2; y = h.exp(); y.sum().backward()
            >>> y.grad_fn.inputs[0].tensor() is h
            True
        """
        return self[6]()

    def __repr__(self):
        return f"ReleasedTensor(shape={self[1]}, dtype={self[2]})"


class ReleasedArray(tuple):
    """What the graph keeps of an ndarray argument (a mask, a constant) once backward freed
    it: its ``shape`` and ``dtype``; it prints as pictures of the graph show an array.

    Example:
        >>> from autograd import where
        >>> x = Tensor(np.ones(6), requires_grad=True)
        >>> y = where(np.arange(6) > 2, x, 0.0); y.sum().backward()
        >>> y.grad_fn.inputs[0], y.grad_fn.inputs[0].shape       # the condition was freed
        (array(6,), (6,))
    """

    __slots__ = ()
    shape = property(lambda self: self[0])
    dtype = property(lambda self: self[1])
    data = property(lambda self: None, doc="None: the values were freed after backward.")
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def __repr__(self):
        return f"array{self[0]}"


def _released(t):
    data = t.data
    return tuple.__new__(ReleasedTensor, (t.grad_fn, data.shape, data.dtype, t.name,
                                          t.requires_grad, t._output_nr, weakref.ref(t)))


def _make_outputs(cls, ctx, args, outs):
    """Several outputs: one Tensor each, all with the same grad_fn (PyTorch's multi-output)."""
    arrays = []
    for i, o in enumerate(outs):
        o = o.data if isinstance(o, Tensor) else o
        if not isinstance(o, np.ndarray):
            o = np.asanyarray(o)
        arrays.append(o)
    if cls.saves_output:
        raise TypeError(f"{cls.__name__}: saves_output is for single-output ops; save the "
                        "outputs with ctx.save_for_backward instead")
    wants = state.grad_enabled and any(isinstance(a, Tensor) and a.requires_grad for a in args)
    results = []
    for i, o in enumerate(arrays):
        r = Tensor.__new__(Tensor)
        r._init(o, False)
        r._output_nr = i
        if wants and o.dtype.kind in "fc":
            r.requires_grad, r.grad_fn = True, ctx
        elif cls.makes_view:
            _note_view(ctx, args, r)
        results.append(r)
    if wants:
        ctx._saved_at = versions.clock[0]
        ctx._outputs = len(arrays)
        ctx._output_meta = [(o.shape, o.dtype) for o in arrays]
        if state.scope:
            ctx.scope = state.scope
    if state.anomaly:
        _check_forward(cls, ctx, args, arrays)
    return tuple(results)


def _note_view(ctx, args, out):
    """An unrecorded view (its input outside the graph): remember whose memory it shows, so
    a later recorded in-place op on that memory can give it a history or refuse."""
    base = args[0] if args else None
    if isinstance(base, Tensor) and versions.buffer_of(out.data) is versions.buffer_of(base.data):
        index = (ctx.index,) if ctx.makes_view == "index" else None     # (index,): a box
        out._view = (base, index, ctx.name)
        versions.note_view(out)


def _one_output(cls, out):
    if isinstance(out, list):   # PyTorch treats only a tuple as several outputs
        raise TypeError(
            f"{cls.__name__}.forward returned a list of {len(out)} items; return a tuple "
            "for several outputs (one Tensor each, as PyTorch: only a tuple means several "
            "outputs), or one array (np.stack(...) or np.array(...)) for one output")
    return np.asanyarray(out)


def _plain(array):
    """What a plain backward computes with: an ndarray, or a NumPy scalar for 0-d values
    (NumPy's arithmetic on 0-d arrays costs several times its scalar arithmetic)."""
    if array.shape or type(array) is not np.ndarray:    # (a traced array stays an array)
        return array
    return array[()]


_ERROR_TYPES = (IndexError, TypeError, ValueError, MemoryError)   # most specific first


def _named(cls, args, e):
    """An error from inside forward, with the op's name and input shapes, if it lacks them."""
    name = cls.__name__
    text = str(e)
    if text.lower().replace("_", "").startswith(name.lower()):
        return e                     # already ours, naming the op
    inputs = ", ".join(_describe(a) for a in args if isinstance(a, Tensor))
    kind = next(t for t in _ERROR_TYPES if isinstance(e, t))
    return kind(f"{name}: {text} (inputs: {inputs or 'none'}); check the inputs' shapes, "
                "dtypes and arguments")


def _describe(t):
    if isinstance(t, (Tensor, ReleasedTensor)):
        return f"shape {t.shape} {t.dtype}"
    return repr(t)


def _freed_error(ctx):
    inputs = ", ".join(_describe(t) for t in getattr(ctx, "inputs", ())
                       if isinstance(t, (Tensor, ReleasedTensor)))
    return RuntimeError(
        f"{ctx.name}.backward (inputs: {inputs}): trying to backward through the graph a "
        "second time, but its saved values were freed after the first backward. Pass "
        "retain_graph=True to the first backward() (or autograd.grad) if you need to "
        "backward twice.")


def _version_error(ctx, t):
    return RuntimeError(
        f"{ctx.name}.backward: a tensor it saved ({_describe(t)}) was modified in place "
        f"after the op used it (its memory is now at version {t._version}; the write may "
        "have gone through a view, a slice or a detach() of it). Modify a copy instead "
        "(e.g. Tensor(t.data.copy())), or use an out-of-place op.")


def _check_forward(cls, ctx, args, outs):
    ctx.created_at = "".join(traceback.format_list(traceback.extract_stack()[-6:-2]))
    for out in outs:
        if out.dtype.kind == "f" and not np.isfinite(out).all():
            inputs_finite = all(np.isfinite(a.data).all() for a in args
                                if isinstance(a, Tensor) and a.dtype.kind == "f")
            if inputs_finite:
                shapes = ", ".join(_describe(a) for a in args if isinstance(a, Tensor))
                raise FloatingPointError(
                    f"detect_anomaly: {cls.__name__} produced NaN or Inf from finite inputs "
                    f"({shapes}). Created at:\n{ctx.created_at}")


# -- helpers for array_backward code: each means the same on an ndarray and on a Tensor ------

def data_of(x):
    """The ndarray behind ``x``: a Tensor's ``.data``, or ``x`` itself.

    Example:
        >>> data_of(Tensor([1.0])), data_of(np.zeros(1))
        (array([1.], dtype=float32), array([0.]))
    """
    return x.data if isinstance(x, Tensor) else x


def exp(v):
    """e**v for an ndarray or a (recorded) Tensor.

    Example:
        >>> exp(np.zeros(2))
        array([1., 1.])
    """
    return v.exp() if isinstance(v, Tensor) else np.exp(v)


def log(v):
    """The natural logarithm of an ndarray or a (recorded) Tensor.

    Example:
        >>> log(np.ones(2))
        array([0., 0.])
    """
    return v.log() if isinstance(v, Tensor) else np.log(v)


def permute(v, axes):
    """``v`` with its axes reordered (ndarray or Tensor).

    Example:
        >>> permute(np.zeros((2, 3)), (1, 0)).shape
        (3, 2)
    """
    return v.permute(axes) if isinstance(v, Tensor) else v.transpose(axes)


def expand(v, shape):
    """``v`` broadcast to ``shape`` (ndarray or Tensor).

    Example:
        >>> expand(np.ones((1, 2)), (3, 2)).shape
        (3, 2)
    """
    if isinstance(v, Tensor):
        return v.expand(shape)
    if isinstance(v, np.generic):        # a plain backward's 0-d value
        return np.full(shape, v, dtype=v.dtype)
    if v.size == 1:                      # np.full is much cheaper than np.broadcast_to here
        return np.full(shape, v.reshape(()), dtype=v.dtype, like=v)   # like=: v's array kind
    return np.broadcast_to(v, shape)


def reduced_shape(shape, axes):
    """``shape`` with the reduced ``axes`` kept as size 1 (for re-broadcasting a gradient).

    Example:
        >>> reduced_shape((2, 3, 4), (1,))
        (2, 1, 4)
    """
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))
