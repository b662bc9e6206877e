"""Version counters per memory buffer, so a write through any alias is seen (PyTorch's _version).

A tensor, its views (reshape, basic slices, transpose, expand) and its
``detach()`` share memory: NumPy links each view to the array that owns the
memory through ``.base``. An in-place write through any of them is recorded
against that owning array (the *buffer*), so every alias sees it.

Ops save tensors for backward without touching this table: they note the
global write ``clock`` instead (one integer read). Backward compares: if no
write happened anywhere since the save, nothing is looked up at all.

Example:
    >>> a = np.zeros(4); view = a[1:3]
    >>> before = clock[0]; record_write(view)
    >>> written_since(a, before), version(a), version(view)
    (True, 1, 1)
"""
import weakref

import numpy as np

__all__ = ["clock", "buffer_of", "record_write", "version", "written_since", "rebased",
           "record_rebase", "rebased_since", "note_view", "live_views"]

clock = [0]        # counts every recorded in-place write, in this process
rebased = [0]      # the clock at the latest recorded in-place op (one that gave a new history)

# id(buffer) -> [writes, clock at the last write, weakref that drops the entry,
#                clock at the last recorded in-place op, weakrefs to unrecorded views]
_buffers = {}


def buffer_of(array):
    """The ndarray that owns ``array``'s memory (``array`` itself when it owns it).

    Example:
        >>> a = np.zeros(6); buffer_of(a.reshape(2, 3)[0]) is a
        True
    """
    base = array.base
    while isinstance(base, np.ndarray):
        array, base = base, base.base
    return array


def record_write(array):
    """Note an in-place write to ``array``'s buffer; every alias's version goes up by one.

    Example:
        >>> a = np.zeros(3); record_write(a); version(a)
        1
    """
    entry = _entry(array)
    clock[0] += 1
    entry[0] += 1
    entry[1] = clock[0]


def _entry(array):
    buffer = buffer_of(array)
    key = id(buffer)
    entry = _buffers.get(key)
    if entry is None:
        ref = weakref.ref(buffer, lambda _, key=key: _buffers.pop(key, None))
        entry = _buffers[key] = [0, 0, ref, 0, None]
    return entry


def version(array):
    """How many in-place writes ``array``'s buffer has had (0 if none).

    Example:
        >>> version(np.zeros(3))
        0
    """
    entry = _buffers.get(id(buffer_of(array)))
    return 0 if entry is None else entry[0]


def written_since(array, when):
    """True if ``array``'s buffer was written in place after clock value ``when``.

    Example:
        >>> a = np.zeros(3); t = clock[0]; written_since(a, t)
        False
    """
    if clock[0] == when:
        return False
    entry = _buffers.get(id(buffer_of(array)))
    return entry is not None and entry[1] > when


def record_rebase(array):
    """Note a recorded in-place op on ``array``'s buffer: a write that gave it a new history.

    Ops recorded before it that took a tensor of this memory as input would route their
    gradient into the new history; the engine refuses them (see ``rebased_since``).

    Example:
        >>> a = np.zeros(3); t = clock[0]; record_rebase(a[1:])
        >>> rebased_since(a, t), version(a)
        (True, 1)
    """
    record_write(array)
    entry = _entry(array)
    entry[3] = rebased[0] = clock[0]


def rebased_since(array, when):
    """True if a recorded in-place op wrote ``array``'s buffer after clock value ``when``.

    Example:
        >>> rebased_since(np.zeros(3), 0)
        False
    """
    if rebased[0] <= when:
        return False
    entry = _buffers.get(id(buffer_of(array)))
    return entry is not None and entry[3] > when


def note_view(tensor):
    """Remember an unrecorded view (a Tensor sharing another one's memory, outside the graph).

    A recorded in-place op on that memory refuses while such a view lives: the view's
    values change but it would carry no gradient (see ``live_views``).

    Example:
        >>> class T: data = np.zeros(4)[1:]
        >>> v = T(); note_view(v); live_views(v.data) == [v]
        True
    """
    entry = _entry(tensor.data)
    views = entry[4]
    if views is None:
        views = entry[4] = _Views()
    elif len(views) >= views.prune_at:
        # drop dead views; prune again only after as many appends as stay (amortized O(1):
        # rows = [X[i] for i in range(n)] keeps n views alive)
        views[:] = [r for r in views if r() is not None]
        views.prune_at = max(8, 2 * len(views))
    views.append(weakref.ref(tensor))


class _Views(list):
    """Weak references to a buffer's unrecorded views, and the length at which to prune."""
    prune_at = 8


def live_views(array):
    """The unrecorded views of ``array``'s buffer that are still alive (see ``note_view``).

    Example:
        >>> live_views(np.zeros(2))
        []
    """
    entry = _buffers.get(id(buffer_of(array)))
    if entry is None or not entry[4]:
        return []
    return [t for t in (r() for r in entry[4]) if t is not None]
