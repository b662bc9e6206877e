"""``autograd.compile``: trace a step function once, then replay a flat tape of NumPy calls.

    step = autograd.compile(train_step)     # train_step(x, y): forward, backward, update
    for x, y in batches:
        loss = step(x, y)

How it works. The first call runs ``fn`` as it is (a warm-up: optimizers create
their state, first-call branches are taken). The second call runs it again
while every array it can reach (its inputs, and the Tensors, modules,
optimizers, lists and dicts its closure and globals hold) is a ``TracedArray``:
an ndarray subclass whose NumPy calls (ufuncs, array functions, the copying
methods) are logged on a tape as (function, arguments, output buffer). Arrays
made during the trace keep their memory for good, so replaying the tape writes
into the same buffers again: a replay creates no Tensor and no graph node, and
keeps no new array (calls with ``out=``, such as ufuncs, matmul and copies,
allocate nothing; the few without, such as fancy indexing and ``mean``, make a
temporary and copy it into their buffer). Views need no logging: they are
windows on memory that stays. A tape of scalar calls (a micrograd-style graph
of 0-d Tensors) is then batched (``autograd.vectorize``): independent calls of
one kind become one call over arrays, with the same bits. The third call
replays the tape and checks it against a plain run of ``fn`` (bit for bit);
from then on calls replay the tape. Tracing costs a few eager calls (about
eight for a scalar graph of 65,000 nodes, most of it the batching pass).

Honest limits, detected rather than guessed:

* Python control flow on values (``if loss.item() > 1``, ``float(t)``,
  ``bool(t)``) cannot be replayed: tracing stops, a one-time warning says
  where, and the function keeps running eagerly.
* Python numbers are constants of the tape (a learning rate read as a float,
  an optimizer's step count kept as a Python int). ``autograd.compile`` guards
  the inputs (shapes, dtypes, which require grad, Python number inputs) and
  the hyperparameters of the optimizers it finds, and traces again when they
  change; any other Python state the function depends on must not change
  between calls. The checking replay catches most violations (the compiled
  function then falls back to eager, with a warning saying why).
* Random numbers come from ``autograd``'s generators (``nn.Dropout`` draws
  from the default one): those draws are replayed, so every replay draws
  fresh numbers, as eager calls do. Draws from ``np.random`` directly are
  constants of the trace (the checking replay catches them).
* Outputs are returned as copies (Tensors without a graph): the buffers behind
  them are overwritten by the next call.
* When a scalar graph is batched, its 0-d float64 arrays move into one arena
  array, and the Tensors, modules and containers the trace reached are
  pointed at their new place. A 0-d ``.data`` array kept elsewhere from
  before the trace keeps its old values: hold the Tensor instead.
"""
import functools
import inspect
import operator
import types
import warnings

import numpy as np

from ._tensor import Tensor
from .function import Function, data_of
from .grad_mode import state
from .ops import args
from . import random as _random
from .vectorize import called_ufunc, rehomed, unmoved, vectorize

__all__ = ["compile", "CompiledFunction", "TracedArray", "TraceError", "Tape", "is_tracing",
           "replayed_check"]


class TraceError(RuntimeError):
    """The traced function did something a tape cannot replay (the message says what)."""


def is_tracing():
    """True while ``autograd.compile`` traces (code may then take its general path).

    Example:
        >>> is_tracing()
        False
    """
    return state.tracer is not None


def replayed_check(check, *arrays):
    """Run ``check(*arrays)`` now and, inside a trace, again on every replay.

    For input validation that raises on bad values (labels out of range, say):
    a replay then validates its new inputs too instead of skipping the check.

    Example:
        >>> def positive(a):
        ...     if (a <= 0).any():
        ...         raise ValueError("needs positive values")
        >>> replayed_check(positive, np.array([1.0, 2.0]))
    """
    tape = state.tracer
    plain = tuple(_plain(a) for a in arrays)
    check(*plain)
    if tape is not None:
        tape.log(check, plain, {})


# -- the traced array ---------------------------------------------------------------------------

class TracedArray(np.ndarray):
    """An ndarray whose NumPy calls are logged on the active tape while tracing.

    Every TracedArray has a plain twin (``.plain``): an ordinary ndarray view of
    the same memory, which the tape calls NumPy with on replay.
    """

    @property
    def plain(self):
        """An ordinary ndarray view of the same memory (what the tape calls NumPy with)."""
        return np.ndarray.view(self, np.ndarray)

    def __array_finalize__(self, obj):
        tape = state.tracer
        if tape is not None and not tape.wrapping and self.base is None:
            raise TraceError("an ndarray method made a new array the tape cannot replay "
                             "(not a ufunc, an array function or a logged method)")

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        tape = _tape("ufunc")
        call = getattr(ufunc, method)
        args = tuple(_plain(x) for x in inputs)
        kwargs = {k: _plain(v) for k, v in kwargs.items()}
        if out is not None:
            tape.run(call, args, {**kwargs, "out": tuple(_plain(o) for o in out)})
            return out[0] if len(out) == 1 else out
        if method == "at":                               # in place on its first argument
            tape.run(call, args, kwargs)
            return None
        result = call(*args, **kwargs)
        results = result if isinstance(result, tuple) else (result,)
        buffers = tuple(np.array(r) if not isinstance(r, np.ndarray) else r for r in results)
        traced = tuple(tape.wrap(b) for b in buffers)       # the tape's from now on
        tape.log(call, args, {**kwargs, "out": buffers if len(buffers) > 1 else buffers[0]})
        return traced if isinstance(result, tuple) else traced[0]

    def __array_function__(self, func, types_, args, kwargs):
        tape = _tape(func.__name__)
        plain_args, plain_kwargs = _unwrap(args), _unwrap(kwargs)
        if func in _SHAPE_ONLY:
            return func(*plain_args, **plain_kwargs)
        if plain_kwargs.get("out") is not None:      # writes into out=: log the call itself
            tape.run(func, plain_args, plain_kwargs)
            return kwargs["out"]
        if func in _IN_PLACE:                        # np.copyto, np.put, ...: in place
            tape.run(func, plain_args, plain_kwargs)
            return None
        result = func(*plain_args, **plain_kwargs)
        if func in _SHAPE_MADE:                      # values from shapes alone: a constant
            return tape.constant(result)
        return tape.adopt_result(func, plain_args, plain_kwargs, result)

    # methods that make new arrays without going through a ufunc: logged
    def _method(self, name, *args, **kwargs):
        tape = _tape(f"ndarray.{name}")
        method = getattr(np.ndarray, name)
        plain_args, plain_kwargs = _unwrap(args), _unwrap(kwargs)
        result = method(self.plain, *plain_args, **plain_kwargs)
        return tape.adopt_result(method, (self.plain,) + plain_args, plain_kwargs, result)

    def copy(self, *a, **k): return self._method("copy", *a, **k)
    def astype(self, *a, **k): return self._method("astype", *a, **k)
    def flatten(self, *a, **k): return self._method("flatten", *a, **k)
    def ravel(self, *a, **k): return self._method("ravel", *a, **k)
    def argmax(self, *a, **k): return self._method("argmax", *a, **k)
    def argmin(self, *a, **k): return self._method("argmin", *a, **k)
    def argsort(self, *a, **k): return self._method("argsort", *a, **k)
    def dot(self, *a, **k): return self._method("dot", *a, **k)
    def take(self, *a, **k): return self._method("take", *a, **k)
    def repeat(self, *a, **k): return self._method("repeat", *a, **k)
    def round(self, *a, **k): return self._method("round", *a, **k)
    def diagonal(self, *a, **k): return self._method("diagonal", *a, **k)
    def nonzero(self, *a, **k): return self._method("nonzero", *a, **k)

    def __getitem__(self, index):
        return self._method("__getitem__", index)

    def __setitem__(self, index, value):
        tape = _tape("ndarray.__setitem__")
        tape.run(operator.setitem, (self.plain, _unwrap(index), _unwrap(value)), {})

    def fill(self, value):
        tape = _tape("ndarray.fill")
        tape.run(np.ndarray.fill, (self.plain, _unwrap(value)), {})

    def sort(self, *a, **k):
        tape = _tape("ndarray.sort")
        tape.run(np.ndarray.sort, (self.plain,) + a, k)

    # reading a value into Python: the trace cannot follow it
    def _value(self, what):
        raise TraceError(f"{what} of a traced array: Python code that depends on tensor "
                         "values (if loss.item() > 1, float(t), bool(t)) cannot be replayed")

    def item(self, *a): return self._value("item()")
    def tolist(self): return self._value("tolist()")
    def __bool__(self): return self._value("bool()")
    def __float__(self): return self._value("float()")
    def __int__(self): return self._value("int()")
    def __index__(self): return self._value("using as an index")
    def __complex__(self): return self._value("complex()")

    def __reduce__(self):
        return self.plain.__reduce__()


_IN_PLACE = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis}
_SHAPE_MADE = {np.zeros_like, np.ones_like, np.empty_like, np.zeros, np.ones, np.empty, np.eye,
               np.arange}
_COPIES = {np.ndarray.copy, np.ndarray.astype}
_SHAPE_ONLY = {np.shape, np.ndim, np.size, np.result_type, np.may_share_memory,
               np.shares_memory, np.iscomplexobj, np.isrealobj, np.can_cast, np.min_scalar_type}


def _tape(what):
    tape = state.tracer
    if tape is None:
        raise TraceError(f"{what} on a TracedArray outside a trace (a compiled function's "
                         "array escaped it)")
    return tape


def _plain(x):
    return x.plain if type(x) is TracedArray else x


def _unwrap(x):
    """Plain twins in place of TracedArrays, inside lists, tuples and dicts too."""
    if type(x) is TracedArray:
        return x.plain
    if type(x) in (list, tuple):
        return type(x)(_unwrap(v) for v in x)
    if type(x) is dict:
        return {k: _unwrap(v) for k, v in x.items()}
    return x


@functools.lru_cache(maxsize=None)
def _takes_out(func):
    try:
        return "out" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _written(func, args, kwargs):
    """The arrays a logged call writes only part of, or reads before writing (so their
    earlier contents matter); whole overwrites (out=, np.copyto) need no refill."""
    name = getattr(func, "__name__", "")
    partial = func in (operator.setitem, np.ndarray.sort) \
        or name in ("at", "put", "place", "putmask", "fill_diagonal") \
        or kwargs.get("where") is not None
    if partial and args and isinstance(args[0], np.ndarray):
        yield args[0]
    out = kwargs.get("out")
    if partial and out is not None:
        yield from (o for o in (out if isinstance(out, tuple) else (out,))
                    if isinstance(o, np.ndarray))


_KEYWORD_OUT = {np.maximum, np.minimum}    # NumPy 2.4 deprecates their positional out


def _positional(func, args, kwargs):
    """An entry as (callable, positional arguments) for replay: a ufunc called directly
    with its ``out=`` arrays as the last arguments (NumPy parses a ufunc's keyword
    arguments at about half a microsecond a call, more than a small ufunc's work), other
    calls with their keywords bound by functools.partial."""
    ufunc = called_ufunc(func)
    if ufunc is not None and set(kwargs) == {"out"} and len(args) == ufunc.nin \
            and ufunc not in _KEYWORD_OUT:
        out = kwargs["out"]
        out = out if isinstance(out, tuple) else (out,)
        if len(out) == ufunc.nout:
            return ufunc, tuple(args) + out
    return (functools.partial(func, **kwargs) if kwargs else func), tuple(args)


def _assign(buffer, func, args, kwargs):
    """Replay step of a call that cannot write into ``out=``: run it, copy into the buffer."""
    np.copyto(buffer, func(*args, **kwargs), casting="unsafe")


# -- the tape -----------------------------------------------------------------------------------

class Tape:
    """The flat list of NumPy calls one trace made: ``entries`` of (function, args, kwargs).

    ``len(tape)`` is the number of calls a replay makes; ``tape.describe()``
    lists them; ``tape.buffers`` are the arrays it owns.

    Example:
        >>> step = compile(lambda x: (Tensor(x) * 2).sum())
        >>> for _ in range(3):
        ...     out = step(np.arange(3.0))
        >>> out.item(), [name for name, *_ in step.tape.describe()]
        (6.0, ['multiply', 'sum'])
    """

    def __init__(self):
        self.entries = []
        self.buffers = []
        self.wrapping = False
        self.owned = set()      # ids of the memory the tape writes knowingly (see log)
        self._program = (None, [])   # (entries, the calls replay() makes of them)

    def __len__(self):
        return len(self.entries)

    def log(self, func, args, kwargs):
        """Append a call that has run (one that fills a buffer of the tape's)."""
        self.entries.append((func, args, kwargs))

    def run(self, func, args, kwargs):
        """Run a call that writes in place, and log it. A call that writes into memory the
        tape does not know (an array made during the trace by np.zeros, say, then
        filled in place) is preceded by one that restores that memory to what it held
        before, so every replay starts from the contents the trace saw."""
        for written in _written(func, args, kwargs):
            owner = _owner(written)
            if id(owner) not in self.owned:
                self.owned.add(id(owner))
                self.entries.append((np.copyto, (owner, owner.copy()), {}))
        result = func(*args, **kwargs)
        self.entries.append((func, args, kwargs))
        return result

    def own(self, array):
        """Mark ``array``'s memory as the tape's (state that persists, or a buffer)."""
        self.owned.add(id(_owner(array)))

    def wrap(self, buffer):
        """The TracedArray over ``buffer`` (a plain ndarray that now belongs to the tape)."""
        self.wrapping = True
        try:
            traced = buffer.view(TracedArray)
        finally:
            self.wrapping = False
        self.buffers.append(buffer)
        self.own(buffer)
        return traced

    def constant(self, array):
        """A TracedArray over an array whose values do not depend on the inputs."""
        self.wrapping = True
        try:
            return array.view(TracedArray)
        finally:
            self.wrapping = False

    def adopt_result(self, func, args, kwargs, result):
        """Wrap an array function's or method's result: views as they are, new arrays
        as buffers with a logged call that refills them."""
        if isinstance(result, tuple):
            return tuple(self.adopt_result(func, args, kwargs, r) if isinstance(r, np.ndarray)
                         else r for r in result)     # e.g. nonzero: one array per axis
        if not isinstance(result, np.ndarray):
            if isinstance(result, np.generic):         # a NumPy scalar: keep it in a buffer
                buffer = np.array(result)
                self.log(_assign, (buffer, func, args, kwargs), {})
                return self.wrap(buffer)
            return result
        if result.base is not None and _owner(result) in self._owned(args, kwargs):
            return self.wrap(result)                   # a view of memory the tape holds
        traced = self.wrap(result)
        if _takes_out(func):                           # refill it through out=: no temporary
            self.log(func, args, {**kwargs, "out": result})
        elif func in _COPIES and len(args) <= 2 and not kwargs:
            # x.copy() / x.astype(dtype): copyto casts as astype does, without a temporary
            self.log(np.copyto, (result, args[0]), {"casting": "unsafe"})
        else:
            self.log(_assign, (result, func, args, kwargs), {})
        return traced

    @staticmethod
    def _owned(args, kwargs):
        owners = set()
        for v in list(args) + list(kwargs.values()):
            for a in (v if isinstance(v, (list, tuple)) else (v,)):
                if isinstance(a, np.ndarray):
                    owners.add(id(_owner(a)))
        return _IdSet(owners)

    def replay(self):
        """Run every logged call again, in order."""
        made_from, program = self._program
        if made_from is not self.entries or len(program) != len(self.entries):
            program = [_positional(*entry) for entry in self.entries]
            self._program = (self.entries, program)
        for func, args in program:
            func(*args)

    def graph(self):
        """The tape as a graph of Tensors, one op node per logged call: ``viz.draw_graph``
        draws it. Returns the sinks (the last value of every memory the tape writes that
        no later call reads), each named by its shape.

        Example:
            >>> step = compile(lambda x: (Tensor(x) * 2).sum())
            >>> for _ in range(3):
            ...     _ = step(np.arange(3.0))
            >>> [(s.name, s.grad_fn.name) for s in step.tape.graph()]
            [('()', 'sum')]
        """
        latest, read = {}, set()

        def node_of(array):
            key = id(_owner(array))
            if key not in latest:
                leaf = Tensor(array)
                leaf.name = f"{array.shape}"
                latest[key] = leaf
            return latest[key]

        for (name, _), (func, args, kwargs) in zip(self.describe(), self.entries):
            if func is _assign:
                out, args, kwargs = args[0], args[2], args[3]
            else:
                out = kwargs.get("out")
                out = out[0] if isinstance(out, tuple) else out
                if out is None and args and isinstance(args[0], np.ndarray):
                    out = args[0]                          # in place on its first argument
            inputs = [node_of(a) for a in _arrays_in(args, kwargs) if a is not out]
            for t in inputs:
                read.add(id(t))
            op = _tape_op(name, func)
            op.inputs = tuple(inputs)
            if out is None:
                continue
            result = Tensor(out)
            result.name, result.requires_grad, result.grad_fn = f"{out.shape}", True, op
            latest[id(_owner(out))] = result
        return [t for t in latest.values() if t.grad_fn is not None and id(t) not in read]

    def describe(self):
        """One (name, argument shapes) pair per logged call, for reading the tape.

        Example:
            >>> Tape().describe()
            []
        """
        rows = []
        for func, args, kwargs in self.entries:
            if func is _assign:
                func, args = args[1], args[2]
            name = getattr(func, "__name__", repr(func))
            owner = getattr(func, "__self__", None)
            if isinstance(owner, np.ufunc):
                name = owner.__name__ if name == "__call__" else f"{owner.__name__}.{name}"
            shapes = tuple(a.shape for a in args if isinstance(a, np.ndarray))
            rows.append((name, shapes))
        return rows


def _arrays_in(args, kwargs):
    for v in list(args) + [v for k, v in kwargs.items() if k != "out"]:
        for a in (v if isinstance(v, (list, tuple)) else (v,)):
            if isinstance(a, np.ndarray):
                yield a


class TapeOp(Function):
    """One logged NumPy call of a tape, as a graph node (see ``Tape.graph``); ``forward``
    runs that call on arrays again."""

    @staticmethod
    def forward(ctx, *arrays):
        return ctx.numpy_call(*[data_of(a) for a in arrays])


@functools.lru_cache(maxsize=None)
def _tape_op_class(name):
    return type(name, (TapeOp,), {"__doc__": f"The NumPy call {name} of a compiled tape."})


def _tape_op(name, func):
    op = _tape_op_class(name).__new__(_tape_op_class(name))
    op.numpy_call = func
    return op


class _IdSet:
    def __init__(self, ids):
        self.ids = ids

    def __contains__(self, array):
        return id(array) in self.ids


def _owner(array):
    base = array
    while isinstance(base.base, np.ndarray):
        base = base.base
    return base


# -- finding the state a function can reach ------------------------------------------------------

def _reachable(fn, inputs):
    """The Tensors, ndarrays and containers ``fn`` can reach: its closure, the globals its
    code names (recursively through functions it calls), its bound object, and the inputs."""
    roots, seen_code = [], set()

    def from_function(f, depth):
        if depth > 4 or not isinstance(f, types.FunctionType) or id(f.__code__) in seen_code:
            return
        seen_code.add(id(f.__code__))
        for cell in f.__closure__ or ():
            try:
                roots.append(cell.cell_contents)
            except ValueError:                      # an empty cell
                continue
            if isinstance(cell.cell_contents, types.FunctionType):
                from_function(cell.cell_contents, depth + 1)
        for name in _names(f.__code__):
            if name in f.__globals__:
                value = f.__globals__[name]
                roots.append(value)
                if isinstance(value, types.FunctionType):
                    from_function(value, depth + 1)

    target = fn
    if isinstance(fn, types.MethodType):
        roots.append(fn.__self__)
        target = fn.__func__
    elif not isinstance(fn, types.FunctionType) and hasattr(fn, "__call__"):
        roots.append(fn)
        target = getattr(type(fn).__call__, "__func__", type(fn).__call__)
    from_function(target, 0)
    return roots + list(inputs)


def _names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


class _Adoption:
    """Turns every reachable ndarray into a TracedArray for the trace, and back after it."""

    def __init__(self, tape):
        self.tape, self.undo, self.seen = tape, [], set()
        self.tensors = []                 # every Tensor found: guards and .grad rebinding

    def walk(self, obj, depth=0):
        """Adopt the arrays inside ``obj`` in place (Tensors, dicts, lists, objects)."""
        if depth > 8 or id(obj) in self.seen or isinstance(obj, _SKIP):
            return
        self.seen.add(id(obj))
        if isinstance(obj, Tensor):
            self.tensors.append(obj)
            obj.data = self.adopt(obj.data, lambda a, t=obj: setattr(t, "data", a))
            if obj._grad is not None:
                self.walk(obj._grad, depth + 1)
        elif isinstance(obj, dict):
            for k, v in list(obj.items()):
                obj[k] = self.value(v, functools.partial(obj.__setitem__, k), depth)
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                obj[i] = self.value(v, functools.partial(obj.__setitem__, i), depth)
        elif isinstance(obj, (set, frozenset)):
            for v in obj:
                self.walk(v, depth + 1)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            for k, v in list(vars(obj).items()):
                new = self.value(v, functools.partial(setattr, obj, k), depth)
                if new is not v:
                    setattr(obj, k, new)

    def value(self, v, put_back, depth):
        """What a container holds instead of ``v`` during the trace: an array adopted, a
        tuple holding arrays rebuilt around adopted ones, anything else walked."""
        if isinstance(v, np.ndarray):
            return self.adopt(v, put_back)
        if type(v) is tuple and any(isinstance(x, (np.ndarray, tuple)) for x in v):
            new = tuple(self.value(x, lambda _: None, depth + 1) for x in v)
            if any(a is not b for a, b in zip(new, v)):
                self.undo.append((put_back, v))
                return new
            return v
        self.walk(v, depth + 1)
        return v

    def adopt(self, array, put_back):
        if type(array) is TracedArray:
            return array
        self.undo.append((put_back, array))
        self.tape.own(array)
        self.tape.wrapping = True
        try:
            return array.view(TracedArray)
        finally:
            self.tape.wrapping = False

    def restore(self):
        """Put the original arrays back (the tape keeps plain views of the same memory)."""
        for put_back, array in reversed(self.undo):
            put_back(array)
        for t in self.tensors:
            g = t._grad
            if g is not None and type(g.data) is TracedArray:
                g.data = g.data.plain


_SKIP = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type, str, bytes,
         int, float, complex, bool, type(None), np.dtype, np.random.Generator)


class _RecordingRNG:
    """Stands in for autograd's default np.random.Generator during a trace: each draw is
    logged, so every replay draws fresh numbers from the same stream."""

    def __init__(self, rng, tape):
        self.rng, self.tape = rng, tape

    def __getattr__(self, name):
        attr = getattr(self.rng, name)
        if not callable(attr) or name.startswith("_") or name in ("bit_generator", "spawn"):
            return attr

        def draw(*args, **kwargs):
            result = attr(*args, **kwargs)
            if isinstance(result, np.ndarray):
                self.tape.log(_assign, (result, attr, args, kwargs), {})
                return self.tape.wrap(result)
            raise TraceError(f"a random draw of one number (Generator.{name}) becomes a "
                             "Python value the tape cannot replay; draw an array (size=1)")
        return draw


# -- the compiled function ----------------------------------------------------------------------

class CompiledFunction:
    """``fn`` traced once and replayed: see ``autograd.compile``.

    ``tape`` is the current Tape (None before tracing); ``traces`` counts how
    many times it traced; ``eager_reason`` says why it runs eagerly, if it does.
    """

    def __init__(self, fn, *, check=True):
        self.fn, self.check = fn, check
        functools.update_wrapper(self, fn)
        self.tape = None
        self.traces = 0
        self.eager_reason = None
        self.generation = 0                  # counts replays (a differentiable call's check)
        self._backward = None
        self._key = None
        self._calls = 0

    def __call__(self, *inputs):
        if self.eager_reason is not None or state.tracer is not None:
            return self.fn(*inputs)
        key = _guard_key(inputs, self)
        if key != self._key:                             # new shapes, dtypes, flags: again
            self._key, self.tape, self._calls = key, None, 0
        self._calls += 1
        if self.tape is None:
            if self._calls == 1:
                return self.fn(*inputs)                  # warm-up: state and first branches
            return self._trace(inputs)
        if self._backward is not None:
            return self._result(inputs)      # _CompiledCall replays the forward itself
        if self._calls == 3 and self.check:
            return self._checked_replay(inputs)
        return self._replay(inputs)

    # -- tracing --
    def _trace(self, inputs):
        tape = Tape()
        adoption = _Adoption(tape)
        traced_inputs = [_traced_input(x, tape) for x in inputs]
        rng = _random.default_generator
        real_rng = rng._rng
        rng_state = real_rng.bit_generator.state
        state.tracer = tape
        try:
            for root in _reachable(self.fn, ()):
                adoption.walk(root)
            snapshot = [(a, a.copy()) for _, a in adoption.undo if isinstance(a, np.ndarray)]
            rng._rng = _RecordingRNG(real_rng, tape)
            result = self.fn(*[t for t, _ in traced_inputs])
            backward = _trace_backward(result, [t for t, _ in traced_inputs])
        except TraceError as e:
            failed = e
        else:
            failed = None
        finally:
            rng._rng = real_rng
            state.tracer = None
            adoption.restore()
        if failed is not None:               # undo what the half-run trace changed, run eagerly
            for array, copy in snapshot:
                np.copyto(array, copy)
            real_rng.bit_generator.state = rng_state
            self._fall_back(f"{failed}")
            return self.fn(*inputs)
        self.traces += 1
        self.tape = tape
        moved, backward = _batch_scalars(tape, adoption, backward)
        traced_inputs = [(t, moved.view_of(b)) for t, b in traced_inputs]
        result = _moved_result(result, moved)
        self._inputs = [buffer for _, buffer in traced_inputs]
        self._tensors = adoption.tensors
        self._arrays = [moved.view_of(a) for _, a in adoption.undo          # the state
                        if isinstance(a, np.ndarray) and a.flags.writeable]
        self._grads = [(t, t._grad) for t in adoption.tensors]
        self._output = _freeze(result)
        self._backward = backward
        self._key = _guard_key(inputs, self)
        return self._result(inputs)

    def _result(self, inputs):
        """The output: copies of its buffers, or, for a differentiable call, a Tensor whose
        backward replays the traced backward."""
        if self._backward is None:
            return _thaw(self._output)
        return _CompiledCall.apply(self, *inputs)

    def _fall_back(self, reason):
        self.eager_reason = reason
        self.tape = None
        warnings.warn(f"autograd.compile({getattr(self.fn, '__name__', 'fn')}): runs eagerly: "
                      f"{reason}", RuntimeWarning, stacklevel=4)

    # -- replaying --
    def _replay(self, inputs):
        for buffer, x in zip(self._inputs, inputs):
            if buffer is not None:
                np.copyto(buffer, x.data if isinstance(x, Tensor) else x)
        self.tape.replay()
        self.generation += 1
        for t, g in self._grads:             # what the trace left in .grad is there again
            t._grad = g
        return self._result(inputs) if self._backward is None else None

    def _checked_replay(self, inputs):
        """Replay once, then run ``fn`` itself from the same starting point and compare."""
        arrays = self._arrays
        before = [a.copy() for a in arrays]
        rng = _random.default_generator._rng.bit_generator
        rng_before = rng.state
        replayed = self._replay(inputs)
        after = [a.copy() for a in arrays]
        grads = [None if t._grad is None else t._grad.data.copy() for t in self._tensors]
        for a, b in zip(arrays, before):
            np.copyto(a, b)
        rng.state = rng_before       # the eager run draws the same numbers the replay drew
        eager = self.fn(*inputs)
        problems = []
        if not _same(_freeze(replayed), _freeze(eager)):
            problems.append("its return value")
        if not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(after, arrays)):
            problems.append("the parameters or optimizer state it updates")
        now = [None if t._grad is None else t._grad.data for t in self._tensors]
        if not all(_same_array(g, n) for g, n in zip(grads, now)):
            problems.append("the gradients it leaves in .grad")
        if problems:
            self._fall_back("replaying its tape did not reproduce " + " and ".join(problems)
                            + " of a plain call (it depends on Python state that changes "
                            "between calls, or draws from np.random directly)")
            return eager
        for t, g in self._grads:             # keep the eager values in the tape's buffers
            if g is not None and t._grad is not None and t._grad is not g:
                np.copyto(g.data, t._grad.data)
                t._grad = g
        return eager


def _batch_scalars(tape, adoption, backward):
    """Run the scalar-batching pass (autograd.vectorize) on the tape, and move every holder
    of a moved 0-d array (Tensors, containers, .grad, the backward tape) to its arena view.
    Returns (moved, backward)."""
    try:
        entries, moved = vectorize(tape.entries)       # changes nothing until it returns
    except Exception as e:    # noqa: BLE001 - the unbatched tape is right, only slower
        failure = f"{type(e).__name__}: {e}"
        warnings.warn(f"autograd.compile: batching the tape's scalar calls failed ({failure}); "
                      "they replay one by one (correct, slower). Please report it.",
                      RuntimeWarning, stacklevel=4)
        return unmoved(), backward
    if not len(moved):
        return moved, backward
    tape.entries = entries
    for put_back, array in adoption.undo:
        if isinstance(array, np.ndarray) and moved.view_of(array) is not array:
            put_back(moved.view_of(array))
    for t in adoption.tensors:
        if t._grad is not None:
            t._grad.data = moved.view_of(t._grad.data)
    if backward is not None:
        bwd, seed, buffers = backward
        bwd.entries = [rehomed(e, moved) for e in bwd.entries]
        backward = (bwd, moved.view_of(seed), [moved.view_of(b) for b in buffers])
    return moved, backward


def _moved_result(result, moved):
    """The traced result with arrays over moved memory replaced by their arena views."""
    if isinstance(result, Tensor):
        return Tensor(moved.view_of(_plain(result.data)))
    if isinstance(result, np.ndarray):
        return moved.view_of(_plain(result))
    if isinstance(result, (list, tuple)):
        return type(result)(_moved_result(r, moved) for r in result)
    if isinstance(result, dict):
        return {k: _moved_result(v, moved) for k, v in result.items()}
    return result


def _trace_backward(result, inputs):
    """For a call with inputs that require grad, trace the backward from the result to them.

    Returns (tape, seed buffer, gradient buffers) or None when nothing is differentiable.
    """
    wanted = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not wanted or not isinstance(result, Tensor) or not result.requires_grad:
        return None
    forward, tape = state.tracer, Tape()
    tape.owned = forward.owned             # the forward's buffers stay known
    seed = np.zeros(result.shape, result.dtype)
    state.tracer = tape
    try:
        from .engine import grad
        grads = grad(result, wanted, grad_outputs=Tensor(tape.wrap(seed)), allow_unused=True)
    finally:
        state.tracer = forward
    buffers = [None if g is None else _plain(g.data) for g in grads]
    return tape, seed, buffers


class _CompiledCall(Function):
    """A compiled call as one node of the graph: forward replays the traced forward,
    backward the traced backward (so gradients and gradcheck work through it)."""

    @staticmethod
    def forward(ctx, compiled, *inputs):
        compiled._replay(inputs)
        ctx.compiled, ctx.generation = compiled, compiled.generation
        ctx.wants = [isinstance(x, Tensor) and x.requires_grad for x in inputs]
        return np.array(compiled._output[1])

    @staticmethod
    def backward(ctx, g):
        compiled = ctx.compiled
        if compiled.generation != ctx.generation:
            raise RuntimeError(
                "backward of a compiled call after the function was called again: its "
                "buffers hold the newer call's values. Backward each call's result before "
                "calling the compiled function again.")
        tape, seed, buffers = compiled._backward
        np.copyto(seed, g.data)
        tape.replay()
        grads = iter(buffers)
        return (None,) + tuple(
            (None if (b := next(grads)) is None else Tensor(np.array(b))) if wants else None
            for wants in ctx.wants)


def _traced_input(x, tape):
    """(what fn receives, the buffer a replay copies the new input into)."""
    if isinstance(x, Tensor):
        buffer = np.array(x.data)
        t = Tensor(tape.wrap(buffer), requires_grad=x.requires_grad)
        return t, buffer
    if isinstance(x, np.ndarray):
        buffer = np.array(x)
        return tape.wrap(buffer), buffer
    return x, None


def _guard_key(inputs, compiled):
    key = []
    for x in inputs:
        if isinstance(x, Tensor):
            key.append(("T", x.shape, x.dtype.str, x.requires_grad))
        elif isinstance(x, np.ndarray):
            key.append(("A", x.shape, x.dtype.str))
        elif isinstance(x, (int, float, bool, str, type(None))):
            key.append(("V", type(x).__name__, x))
        else:
            key.append(("O", id(x)))
    for t in getattr(compiled, "_tensors", ()):
        key.append((id(t), t.requires_grad, id(t.data)))
    return tuple(key)


def _freeze(result):
    """The function's result with every array replaced by the buffer holding it."""
    if isinstance(result, Tensor):
        return ("T", _plain(result.data))
    if isinstance(result, np.ndarray):
        return ("A", _plain(result))
    if isinstance(result, (list, tuple)):
        return (type(result), [_freeze(r) for r in result])
    if isinstance(result, dict):
        return (dict, {k: _freeze(v) for k, v in result.items()})
    return ("V", result)


def _thaw(frozen):
    kind, value = frozen
    if kind == "T":
        return Tensor(np.array(value))
    if kind == "A":
        return np.array(value)
    if kind in (list, tuple):
        return kind(_thaw(v) for v in value)
    if kind is dict:
        return {k: _thaw(v) for k, v in value.items()}
    return value


def _same(a, b):
    ka, va = a
    kb, vb = b
    if ka != kb:
        return False
    if ka in ("T", "A"):
        return _same_array(va, vb)
    if ka in (list, tuple):
        return len(va) == len(vb) and all(_same(x, y) for x, y in zip(va, vb))
    if ka is dict:
        return va.keys() == vb.keys() and all(_same(va[k], vb[k]) for k in va)
    return va == vb


def _same_array(a, b):
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


def compile(fn=None, *, check=True):
    """Trace ``fn`` once and replay its NumPy calls on later calls (see the module doc).

    ``step = autograd.compile(fn)``; ``step(*inputs)`` returns what ``fn``
    returns (arrays and Tensors as fresh copies, without a graph). It traces
    again when the inputs' shapes, dtypes or requires_grad change, or when a
    Tensor it reaches changes its requires_grad or its ``.data``. With
    ``check=True`` the first replay is compared with a plain call bit for bit.
    Usable as a decorator.

    Example:
        >>> from autograd import no_grad
        >>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
        >>> @compile
        ... def step(x):
        ...     w.grad = None
        ...     loss = ((w * x).sum() - 1.0) ** 2
        ...     loss.backward()
        ...     with no_grad():
        ...         w.data -= 0.1 * w.grad.data
        ...     return loss
        >>> [round(step(np.array([1.0, 1.0])).item(), 4) for _ in range(4)]
        [4.0, 1.44, 0.5184, 0.1866]
        >>> len(step.tape)
        12
    """
    check = args.flag("compile", "check", check)
    if fn is None:
        return functools.partial(compile, check=check)
    if not callable(fn):
        raise TypeError(f"compile: expected a function to compile, got {type(fn).__name__}")
    return CompiledFunction(fn, check=check)
