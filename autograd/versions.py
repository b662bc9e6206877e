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

__all__ = ["clock", "buffer_of", "record_write", "version", "written_since"]

clock = [0]        # counts every recorded in-place write, in this process

# id(buffer) -> [writes, clock at the last write, weakref that drops the entry]
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
    buffer = buffer_of(array)
    clock[0] += 1
    key = id(buffer)
    entry = _buffers.get(key)
    if entry is None:
        ref = weakref.ref(buffer, lambda _, key=key: _buffers.pop(key, None))
        _buffers[key] = [1, clock[0], ref]
    else:
        entry[0] += 1
        entry[1] = clock[0]


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
