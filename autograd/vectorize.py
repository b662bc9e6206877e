"""Batching a tape's scalar calls: the pass that makes a compiled micrograd-style graph fast.

A tape traced from a graph of 0-d tensors is long: one NumPy call per scalar op,
each costing microseconds of NumPy overhead for one multiplication. This pass
gathers the independent calls of the same kind into one call over arrays:

1. Every 0-d float64 buffer that owns its memory moves into one array, the
   *arena*; each old buffer's place is taken by a 0-d view of its arena slot.
2. Each call gets a level: one past the last call that wrote what it reads or
   writes, and past the last call that read what it writes (a random draw
   reads and writes its generator's state). Calls of one level are
   independent of each other, so any order gives the same result.
3. In each level, calls to the same ufunc whose arrays are all arena slots
   (and whose Python constants agree) become one call: ``np.take`` the
   operands into scratch arrays, the ufunc over them, ``np.put`` the results.

Only ufuncs that round exactly (IEEE add, multiply, divide, sqrt, max, ...)
are batched, so each element's result is the same bits as the scalar call's;
the compiled function's checking replay confirms it against a plain call.

Example:
    >>> xs = [np.array(float(i)) for i in range(8)]
    >>> outs = [np.array(0.0) for _ in range(8)]
    >>> entries = [(np.multiply, (x, 3.0), {"out": o}) for x, o in zip(xs, outs)]
    >>> new, moved = vectorize(entries)
    >>> [func.__name__ for func, _, _ in new]     # one batch: gather, multiply, scatter
    ['take', 'multiply', 'put']
    >>> for func, args, kwargs in new:
    ...     _ = func(*args, **kwargs)
    >>> [float(moved.view_of(o)) for o in outs]
    [0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0]
"""
import numpy as np

__all__ = ["vectorize", "unmoved", "rehomed", "called_ufunc", "EXACT_UFUNCS", "MIN_GROUP"]

EXACT_UFUNCS = {np.add, np.subtract, np.multiply, np.divide, np.negative, np.absolute,
                np.maximum, np.minimum, np.sqrt, np.square, np.positive}
MIN_GROUP = 8          # smaller groups stay scalar calls (a batch costs three NumPy calls)
_F8 = np.dtype(np.float64)


def vectorize(entries):
    """Batch the independent scalar ufunc calls of ``entries`` (a tape's calls).

    Returns ``(new_entries, moved)``: the calls to replay instead, and what
    moved into the arena: ``moved.view_of(a)`` is the arena view that now
    stands for array ``a`` if its memory moved, else ``a`` itself (whoever held
    the old array must hold the view). ``moved`` is empty when nothing moved.
    """
    scalars = _scalars(entries)
    if len(scalars) < MIN_GROUP:
        return entries, unmoved()
    arena = np.empty(len(scalars), _F8)
    slot = {}
    for i, a in enumerate(scalars):
        arena[i] = a
        slot[id(a)] = i
    moved = _Moved(arena, slot, scalars)
    for _, args, kwargs in entries:               # views of moved buffers move along
        for a in _arrays(args, kwargs, with_out=True):
            moved.add(a)
    levels = _levels(entries, moved)
    new = []
    for level in sorted(levels):
        new += _batch(levels[level], moved, arena)
    return new, moved


def unmoved():
    """What ``vectorize`` returns as ``moved`` when nothing moved: ``view_of(a)`` is ``a``.

    Example:
        >>> a = np.array(1.0); unmoved().view_of(a) is a
        True
    """
    return _Moved(np.empty(0, _F8), {}, [])


class _Moved:
    """Which arrays now live in the arena: their slot and their arena view, by ``id``.

    It holds every array it has an id of (``keep``), so no id is reused while it lives.
    """

    def __init__(self, arena, owners, scalars):
        self.arena, self.owners = arena, owners       # owners: id(0-d buffer) -> slot
        self.slot, self.views, self.keep = {}, {}, list(scalars)

    def add(self, a):
        if id(a) in self.slot:
            return
        i = self.owners.get(id(_owner(a)))
        if i is not None:
            self.keep.append(a)
            self.slot[id(a)] = i
            # a view of a one-element buffer (reshaped, or broadcast with 0 strides): the
            # same shape and strides over the slot address the one element as before
            self.views[id(a)] = np.lib.stride_tricks.as_strided(
                self.arena[i:i + 1], a.shape, a.strides, writeable=a.flags.writeable)

    def __len__(self):
        return len(self.owners)

    def view_of(self, a):
        """The arena view standing for ``a`` (any array over moved memory), else ``a``."""
        if not isinstance(a, np.ndarray):
            return a
        self.add(a)
        return self.views.get(id(a), a)


def _scalars(entries):
    """The 0-d float64 buffers (arrays that own their memory) the calls use, directly or
    through views, in first-use order."""
    seen, out = set(), []
    for _, args, kwargs in entries:
        for a in _arrays(args, kwargs, with_out=True):
            if a.ndim == 0:
                a = _owner(a)
                if a.ndim == 0 and a.dtype == _F8 and id(a) not in seen:
                    seen.add(id(a))
                    out.append(a)
    return out


def _owner(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _arrays(args, kwargs, with_out):
    for v in list(args) + [v for k, v in kwargs.items() if with_out or k != "out"]:
        yield from _within(v)


def _within(v):
    if isinstance(v, np.ndarray):
        yield v
    elif isinstance(v, (list, tuple)):
        for x in v:
            yield from _within(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from _within(x)


def _keys(arrays, moved, cache):
    """What calls must agree on the order of, per array: its arena slot, or its buffer."""
    out = []
    for a in arrays:
        k = cache.get(id(a))
        if k is None:
            i = moved.slot.get(id(a))
            k = i if i is not None else ("buffer", id(_owner(a)))
            cache[id(a)] = k
        out.append(k)
    return out


_IN_PLACE_NAMES = {"copyto", "setitem", "fill", "sort", "at", "put", "place", "putmask",
                   "fill_diagonal", "put_along_axis", "_assign"}
_STATEFUL = (np.random.Generator, np.random.BitGenerator, np.random.RandomState)


def _hidden_state(func, args):
    """The key of the state a call changes besides its arrays (a random generator a draw
    advances: draws must keep their order), or None."""
    if getattr(func, "__name__", "") == "_assign" and len(args) > 1:
        func = args[1]                   # a logged draw: _assign(buffer, rng.method, ...)
    owner = getattr(func, "__self__", None)
    return ("state", id(owner)) if isinstance(owner, _STATEFUL) else None


def _writes(func, args, kwargs):
    out = kwargs.get("out")
    if out is not None:
        return [o for o in (out if isinstance(out, tuple) else (out,))
                if isinstance(o, np.ndarray)]
    if args and isinstance(args[0], np.ndarray) \
            and getattr(func, "__name__", "") in _IN_PLACE_NAMES:
        return [args[0]]
    return []


def _levels(entries, moved):
    """level -> the calls of that level, in tape order. Written arrays count as read too
    (an in-place call reads what it writes): that only adds order, never loses any."""
    last_write, last_read, levels, cache = {}, {}, {}, {}
    for entry in entries:
        func, args, kwargs = entry
        writes = _keys(_writes(func, args, kwargs), moved, cache)
        reads = _keys(list(_arrays(args, kwargs, with_out=False)), moved, cache)
        state = _hidden_state(func, args)
        if state is not None:
            writes.append(state)
        level = 0
        for m in reads:
            w = last_write.get(m, -1)
            if w >= level:
                level = w + 1
        for m in writes:
            w = last_write.get(m, -1)
            r = last_read.get(m, -1)
            if w >= level:
                level = w + 1
            if r >= level:
                level = r + 1
        for m in reads:
            if last_read.get(m, -1) < level:
                last_read[m] = level
        for m in writes:
            last_write[m] = level
            if last_read.get(m, -1) < level:
                last_read[m] = level
        levels.setdefault(level, []).append(entry)
    return levels


def called_ufunc(func):
    """The ufunc that calling ``func`` calls: ``func`` itself or a ufunc's ``__call__``
    (what a tape logs); None for anything else (a ufunc's ``reduce``, a function).

    Example:
        >>> called_ufunc(np.add.__call__) is np.add, called_ufunc(np.add.reduce)
        (True, None)
    """
    if isinstance(func, np.ufunc):
        return func
    ufunc = getattr(func, "__self__", None)
    return ufunc if isinstance(ufunc, np.ufunc) and func.__name__ == "__call__" else None


def _signature(entry, slot):
    """The batch a call can join (None: it stays a scalar call); ``slot`` maps the ids of
    arrays in the arena to their index."""
    func, args, kwargs = entry
    ufunc = called_ufunc(func)
    if ufunc not in EXACT_UFUNCS or set(kwargs) != {"out"}:
        return None
    out = kwargs["out"]
    out = out[0] if isinstance(out, tuple) and len(out) == 1 else out
    if not isinstance(out, np.ndarray) or out.ndim or id(out) not in slot:
        return None
    pattern = []
    for a in args:
        if isinstance(a, np.ndarray):
            if a.ndim or id(a) not in slot:
                return None
            pattern.append("slot")
        elif isinstance(a, (int, float)) and not isinstance(a, bool):
            pattern.append(("const", type(a), a))
        else:
            return None
    return ufunc, tuple(pattern)


def _batch(calls, moved, arena):
    """The calls of one level: batches for groups of one kind, scalar calls for the rest."""
    slot = moved.slot
    groups, order = {}, []
    for entry in calls:
        key = _signature(entry, slot)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(entry)
    out = []
    for key in order:
        members = groups[key]
        if key is None or len(members) < MIN_GROUP:
            out += [rehomed(e, moved) for e in members]
        else:
            out += _batched_call(key, members, slot, arena)
    return out


def _batched_call(key, members, slot, arena):
    ufunc, pattern = key
    n = len(members)
    operands, calls = [], []
    for k, p in enumerate(pattern):
        if p == "slot":
            index = np.array([slot[id(e[1][k])] for e in members], dtype=np.intp)
            scratch = np.empty(n, _F8)
            calls.append((np.take, (arena, index), {"out": scratch}))
            operands.append(scratch)
        else:
            operands.append(p[2])
    result = np.empty(n, _F8)
    targets = np.array([slot[id(_out(e))] for e in members], dtype=np.intp)
    calls.append((ufunc, tuple(operands), {"out": result}))
    calls.append((np.put, (arena, targets, result), {}))
    return calls


def _out(entry):
    out = entry[2]["out"]
    return out[0] if isinstance(out, tuple) else out


def rehomed(entry, moved):
    """A call that stays as it is, reading and writing the arena's views of moved arrays.

    Example:
        >>> xs = [np.array(float(i)) for i in range(8)]
        >>> _, moved = vectorize([(np.negative, (x,), {"out": x}) for x in xs])
        >>> func, args, kwargs = rehomed((np.copyto, (xs[2], 5.0), {}), moved)
        >>> np.shares_memory(args[0], moved.arena), args[0].shape
        (True, ())
    """
    func, args, kwargs = entry
    return func, _swap(args, moved), _swap(kwargs, moved)


def _swap(v, moved):
    if isinstance(v, np.ndarray):
        return moved.view_of(v)
    if isinstance(v, (list, tuple)):
        return type(v)(_swap(x, moved) for x in v)
    if isinstance(v, dict):
        return {k: _swap(x, moved) for k, x in v.items()}
    return v
