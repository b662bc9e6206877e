"""device: where a tensor lives, as ``torch.device``. chainrule computes on the CPU only.

A device can name any of PyTorch's common device types, so the usual idiom
``device("cuda" if cuda.is_available() else "cpu")`` runs unchanged; putting
a tensor on anything but the CPU is a clear error (see ``check``).

Example:
    >>> device("cpu"), device("cpu") == "cpu", str(device("cpu", 0))
    (device(type='cpu'), True, 'cpu:0')
"""
import operator

__all__ = ["device", "check"]

_TYPES = ("cpu", "cuda", "mps", "xpu", "meta")


class device:
    """A device: ``type`` ('cpu', 'cuda', ...) and an optional ``index``.

    ``device("cuda:1")``, ``device("cuda", 1)`` and ``device(1)`` (a CUDA
    index, as PyTorch reads an int) all parse. It equals another device with
    the same type and index, and the string that names it.

    Example:
        >>> d = device("cuda:1"); d.type, d.index
        ('cuda', 1)
        >>> device("cpu") == device("cpu:0")
        False
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError(f"device: give an index with a type name, not with {type!r}")
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            type, index = "cuda", type          # PyTorch reads a bare int as a CUDA index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a device name such as 'cpu' or 'cuda:0', got "
                            f"{type.__class__.__name__} ({type!r})")
        name, sep, given = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(f"device: unknown device type {name!r} in {type!r}; expected "
                               f"one of {', '.join(_TYPES)} (chainrule computes on 'cpu')")
        if sep:
            if index is not None:
                raise RuntimeError(f"device: {type!r} already has an index; do not pass "
                                   f"index={index!r} too")
            if not given.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}; write e.g. "
                                   f"'{name}' or '{name}:0'")
            index = int(given)
        if index is not None:
            try:
                index = operator.index(index)
            except TypeError:
                raise TypeError(f"device: the index must be an integer, got "
                                f"{index.__class__.__name__} ({index!r})") from None
            if index < 0:
                raise RuntimeError(f"device: the index must be >= 0, got {index}")
        self.type, self.index = name, index

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash(str(self))            # equal to its name, so hashed as that string

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __reduce__(self):
        return device, (self.type, self.index)


CPU = device("cpu")


def check(op, where):
    """``where`` (None, a name or a device) as a device, if chainrule can compute there.

    Only the CPU can: any other device is a RuntimeError naming the op.

    Example:
        >>> check("zeros", None), check("zeros", "cpu:0")
        (device(type='cpu'), device(type='cpu', index=0))
        >>> check("zeros", "cuda")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: zeros: device 'cuda' is not available: chainrule computes on the CPU ...
    """
    if where is None:
        return CPU
    if not isinstance(where, device):
        try:
            where = device(where)
        except (RuntimeError, TypeError) as e:
            raise type(e)(f"{op}: {e}") from None
    if where.type != "cpu":
        raise RuntimeError(
            f"{op}: device '{where}' is not available: chainrule computes on the CPU only "
            f"(NumPy), and autograd.cuda.is_available() is False. Use device='cpu' (the "
            f"default), e.g. device = 'cuda' if autograd.cuda.is_available() else 'cpu'")
    return where
