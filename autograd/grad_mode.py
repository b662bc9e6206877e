"""Thread-local recording modes: grad mode, name scopes, anomaly detection, backward records.

All of them live in one thread-local object so each op reads its state with a
single attribute lookup.
"""
import threading

import numpy as np

__all__ = ["no_grad", "enable_grad", "inference_mode", "set_grad_enabled", "is_grad_enabled",
           "name_scope", "detect_anomaly", "is_anomaly_enabled",
           "set_default_dtype", "get_default_dtype"]


class _State(threading.local):
    def __init__(self):
        self.grad_enabled = True
        self.scope = ""          # "outer/inner" while inside name_scope()s
        self.anomaly = False
        self.recorder = None     # a BackwardRecord while inside record_backward()
        self.unrecorded = None   # a set collecting ops whose recorded backward returned arrays
        self.tracer = None       # the Tape of autograd.compile while it traces


state = _State()
_default_dtype = [np.dtype(np.float32)]


def set_default_dtype(dtype):
    """Set the float dtype of tensors made from Python data (and of nn's parameters).

    Example:
        >>> from autograd import Tensor
        >>> set_default_dtype("float64"); Tensor(1.0).dtype
        dtype('float64')
        >>> set_default_dtype("float32"); Tensor(1.0).dtype
        dtype('float32')
    """
    try:
        new = np.dtype(dtype)
    except (TypeError, ValueError):
        new = None
    if new is None or new.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype!r}; "
                        "use autograd.float32 or autograd.float64")
    _default_dtype[0] = new


def get_default_dtype():
    """The float dtype used for Python scalars and lists (float32 unless changed).

    Example:
        >>> get_default_dtype()
        dtype('float32')
    """
    return _default_dtype[0]


def is_grad_enabled():
    """True when new ops are recorded for backward in this thread.

    Example:
        >>> with no_grad(): is_grad_enabled()
        False
    """
    return state.grad_enabled


class set_grad_enabled:
    """Turn recording on or off: as a call, or as a context manager that restores it.

    Example:
        >>> from autograd import Tensor
        >>> x = Tensor([1.0], requires_grad=True)
        >>> with set_grad_enabled(False):
        ...     (x * 2).requires_grad
        False
        >>> _ = set_grad_enabled(False); (x * 2).requires_grad   # as a plain call
        False
        >>> _ = set_grad_enabled(True); (x * 2).requires_grad
        True
    """

    def __init__(self, mode):
        mode = _flag("set_grad_enabled", mode)
        self.prev = state.grad_enabled
        state.grad_enabled = mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.grad_enabled = self.prev


class no_grad:
    """Context manager (and decorator) under which ops record nothing.

    Example:
        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> with no_grad():
        ...     w -= 0.1 * w.grad                    # an update, not recorded
        >>> w, w.is_leaf
        (Tensor([0.8, 1.6], dtype=float32, requires_grad=True), True)
    """

    def __enter__(self):
        self.prev = state.grad_enabled
        state.grad_enabled = False

    def __exit__(self, *exc):
        state.grad_enabled = self.prev

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
        return wrapper


class enable_grad(no_grad):
    """Context manager (and decorator) that records ops even inside no_grad().

    Example:
        >>> from autograd import Tensor
        >>> x = Tensor([1.0], requires_grad=True)
        >>> with no_grad():
        ...     with enable_grad():
        ...         x * 2                            # recorded
        Tensor([2.], dtype=float32, grad_fn=Mul)
    """

    def __enter__(self):
        self.prev = state.grad_enabled
        state.grad_enabled = True


class inference_mode(no_grad):
    """``no_grad`` under PyTorch's name for inference: a context manager and a decorator
    (``@inference_mode()`` or bare ``@inference_mode``); ``inference_mode(False)`` changes
    nothing. Tensors made inside are ordinary tensors (PyTorch's restrictions on
    "inference tensors" do not apply).

    Example:
        >>> with inference_mode():
        ...     is_grad_enabled()
        False
    """

    def __new__(cls, mode=True):
        if callable(mode):                      # bare @inference_mode on a function
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = _flag("inference_mode", mode)

    def __enter__(self):
        self.prev = state.grad_enabled
        if self.mode:
            state.grad_enabled = False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with inference_mode(self.mode):
                return fn(*args, **kwargs)
        wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
        return wrapper


class name_scope:
    """Group the ops created inside under a name, for the graph picture.

    Scopes nest with "/", as TensorBoard's do; every op records the scope it
    was created in as ``grad_fn.scope``.

    Example:
        >>> from autograd import Tensor
        >>> x = Tensor([[1.0, -2.0]], requires_grad=True)
        >>> with name_scope("layer1"):
        ...     h = (x @ Tensor([[1.0], [1.0]])).relu()
        ...     with name_scope("out"):
        ...         y = h * 2
        >>> h.grad_fn.scope, y.grad_fn.scope
        ('layer1', 'layer1/out')
    """

    def __init__(self, name):
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"name_scope: expected a non-empty name without '/', got {name!r}")
        self.name = name

    def __enter__(self):
        self.prev = state.scope
        state.scope = f"{self.prev}/{self.name}" if self.prev else self.name
        return state.scope

    def __exit__(self, *exc):
        state.scope = self.prev


def _flag(op, mode):
    from .ops.args import flag      # here: autograd.ops imports this module
    return flag(op, "mode", mode)


def is_anomaly_enabled():
    """True inside detect_anomaly().

    Example:
        >>> with detect_anomaly(): is_anomaly_enabled()
        True
    """
    return state.anomaly


class detect_anomaly:
    """Raise at the first op whose output or gradient holds NaN or Inf.

    Each op made inside remembers the line that created it; the error names
    the op and that line. It costs a finiteness check per op: use it to debug.

    Example:
        >>> from autograd import Tensor
        >>> with detect_anomaly():
        ...     Tensor(0.0, requires_grad=True).log()
        Traceback (most recent call last):
        FloatingPointError: detect_anomaly: Log produced NaN or Inf from finite inputs ...
    """

    def __enter__(self):
        self.prev = state.anomaly
        state.anomaly = True

    def __exit__(self, *exc):
        state.anomaly = self.prev
