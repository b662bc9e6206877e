"""Tensor: an ndarray, its gradient, and a link to the op that made it.

This file holds what a Tensor *is*: its data, gradient, graph links, hooks,
in-place updates and conversions. What a Tensor can *compute* (``x.exp()``,
``x + y``, ``x.sum(dim=1)``, ...) is one table, ``autograd/methods.py``: each
method and operator next to the op function that implements it.
"""
import numpy as np

from . import versions
from .device import CPU as _CPU
from .grad_mode import state, get_default_dtype

__all__ = ["Tensor", "Size", "tensor_arg"]


class Tensor:
    """A node of the graph: ``.data`` (ndarray), ``.grad`` (Tensor or None), ``.grad_fn``.

    ``Tensor(data, *, requires_grad=False, dtype=None, name=None)``: every
    argument after ``data`` is keyword-only. A scalar is a 0-d Tensor. Python
    scalars and lists become the default float dtype (float32); an ndarray (or
    NumPy scalar) keeps its dtype, and an ndarray is used without a copy (as
    ``torch.from_numpy``). Its methods are listed in ``autograd/methods.py``.

    Example:
        >>> a = Tensor(0.5, requires_grad=True)
        >>> b = (a * a + 1).tanh(); b
        Tensor(0.848284, dtype=float32, grad_fn=Tanh)
        >>> b.backward(); a.grad                    # 2a (1 - tanh(a*a + 1)**2)
        Tensor(0.280415, dtype=float32)
    """

    __slots__ = ("data", "_grad", "requires_grad", "grad_fn", "name", "_hooks",
                 "_retains_grad", "_output_nr", "_view", "_superseded", "__weakref__")
    # _view (set only on unrecorded views): (base, (index,) or None, op name);
    # _superseded (set only by a recorded in-place op): this node holds a tensor's old history
    __array_ufunc__ = None        # ndarray <op> Tensor defers to Tensor's reflected operator
    __hash__ = object.__hash__    # == is elementwise, identity hashing stays

    def __init__(self, data, *positional, requires_grad=False, dtype=None, name=None):
        if positional:
            raise TypeError(
                f"Tensor(data, *, requires_grad=False, dtype=None, name=None): the arguments "
                f"after data are keyword-only, but {len(positional) + 1} positional arguments "
                f"were given ({data!r}, {', '.join(map(repr, positional))}). For a tensor of "
                f"that shape use autograd.zeros(...) or autograd.empty(...); for those values "
                f"pass one list, Tensor([...]); for a flag write requires_grad=True.")
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Tensor: requires_grad must be True or False, got "
                            f"{type(requires_grad).__name__} ({requires_grad!r})")
        self._init(_to_array(data, dtype), False)
        self.name = name
        if requires_grad:
            self.requires_grad_()

    def _init(self, data, requires_grad):
        # The fast constructor used by ops: no checks, no conversions.
        self.data = data
        self.requires_grad = requires_grad
        self._grad = self.grad_fn = self.name = self._hooks = None
        self._retains_grad = False
        self._output_nr = 0

    # -- attributes -------------------------------------------------------------

    shape = property(lambda self: self.data.shape, doc="""The shape, as NumPy's.

        Example:
            >>> Tensor([[1.0, 2.0, 3.0]]).shape
            (1, 3)
        """)
    ndim = property(lambda self: self.data.ndim, doc="""The number of dimensions.

        Example:
            >>> Tensor([[1.0, 2.0, 3.0]]).ndim, Tensor(1.0).ndim
            (2, 0)
        """)
    dtype = property(lambda self: self.data.dtype, doc="""The NumPy dtype.

        Example:
            >>> Tensor([1.0]).dtype, Tensor(np.array([1, 2])).dtype
            (dtype('float32'), dtype('int64'))
        """)
    is_leaf = property(lambda self: self.grad_fn is None, doc="""True for tensors not made
        by a recorded op (inputs, parameters).

        Example:
            >>> x = Tensor([1.0], requires_grad=True)
            >>> x.is_leaf, (x * 2).is_leaf
            (True, False)
        """)
    device = property(lambda self: _CPU, doc="""Always the CPU (PyTorch's ``.device``).

        Example:
            >>> Tensor([1.0]).device
            device(type='cpu')
        """)

    @property
    def size(self):
        """The element count as a number (NumPy's ``a.size``), also callable as PyTorch's.

        ``x.size`` used as a number is NumPy's element count; ``x.size()`` is
        the shape and ``x.size(dim)`` one dimension's length, as in PyTorch.

        Example:
            >>> x = Tensor(np.zeros((2, 3)))
            >>> x.size + 0, x.size(), x.size(1)
            (6, (2, 3), 3)
        """
        return _Size(self.data.size, self.data.shape)

    @property
    def T(self):
        """The tensor with its axes reversed (differentiable).

        Example:
            >>> Tensor(np.zeros((2, 3))).T.shape
            (3, 2)
        """
        return self.permute(tuple(range(self.ndim - 1, -1, -1)))

    @property
    def grad(self):
        """The accumulated gradient (a Tensor), or None; assignable with a checked value.

        Example:
            >>> w = Tensor([1.0, 2.0], requires_grad=True)
            >>> (w * w).sum().backward(); w.grad
            Tensor([2., 4.], dtype=float32)
            >>> w.grad = None
        """
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            given = value.data if isinstance(value, Tensor) else value
            if not isinstance(given, np.ndarray) or given.shape != self.data.shape \
                    or given.dtype != self.data.dtype:
                got = (f"shape {given.shape} {given.dtype}" if isinstance(given, np.ndarray)
                       else f"a {type(value).__name__} ({value!r})")
                raise TypeError(
                    f".grad: assigned {got} to the gradient of a tensor of shape "
                    f"{self.shape} {self.dtype}; assign a Tensor or ndarray of that same "
                    f"shape and dtype, or None to reset it (micrograd's p.grad = 0 is "
                    f"p.grad = None here, or optimizer.zero_grad())")
            if not isinstance(value, Tensor):
                value = _leaf(value)
        self._grad = value

    @property
    def _version(self):
        """How many in-place writes this tensor's memory has had, through any alias.

        Example:
            >>> t = Tensor([1.0]); alias = t.detach()
            >>> t.add_(1)
            Tensor([2.], dtype=float32)
            >>> t._version, alias._version
            (1, 1)
        """
        return versions.version(self.data)

    # -- conversions ----------------------------------------------------------

    def item(self):
        """The value of a one-element tensor as a Python number.

        Example:
            >>> Tensor(3.5).item()
            3.5
        """
        if self.data.size != 1:
            raise ValueError(f"item: needs a tensor with one element, got shape {self.shape} "
                             f"{self.dtype}; index or reduce it first")
        return self.data.item()

    def tolist(self):
        """The values as (nested) Python lists, or a number for a 0-d tensor.

        Example:
            >>> Tensor([[1, 2]], dtype="int64").tolist()
            [[1, 2]]
        """
        return self.data.tolist()

    def numpy(self):
        """The underlying ndarray (shared, not copied).

        Example:
            >>> Tensor([1, 2]).numpy()
            array([1., 2.], dtype=float32)
        """
        return self.data

    def numel(self):
        """The number of elements.

        Example:
            >>> Tensor(np.zeros((2, 3))).numel()
            6
        """
        return self.data.size

    def dim(self):
        """The number of dimensions (PyTorch's name for ``ndim``).

        Example:
            >>> Tensor(np.zeros((2, 3))).dim()
            2
        """
        return self.data.ndim

    def detach(self):
        """A new leaf sharing this tensor's data (and its version counter), cut from the graph.

        Example:
            >>> x = Tensor([1.0], requires_grad=True)
            >>> (x * 2).detach().requires_grad
            False
        """
        return _leaf(self.data)

    # -- gradients ----------------------------------------------------------------

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place (leaves only, floating dtypes only); returns self.

        Example:
            >>> Tensor(np.zeros(3)).requires_grad_().requires_grad
            True
        """
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(
                f"requires_grad: only floating tensors can require gradients; this one is "
                f"shape {self.shape} {self.dtype}. Convert first, e.g. "
                f"Tensor(a.astype(np.float32), requires_grad=True)")
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False): only leaves can be changed; "
                               "use .detach() on a tensor made by an op")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it).

        It also keeps the tensor's value in the graph after backward, for pictures.

        Example:
            >>> x = Tensor([1.0, 2.0], requires_grad=True)
            >>> h = (x * 2).retain_grad()
            >>> h.sum().backward(); h.grad
            Tensor([1., 1.], dtype=float32)
        """
        if not self.requires_grad:
            raise RuntimeError(f"retain_grad: this tensor (shape {self.shape} {self.dtype}) "
                               "does not require grad, so it never gets one")
        self._retains_grad = self.grad_fn is not None
        return self

    @property
    def retains_grad(self):
        """True if this non-leaf keeps its ``.grad`` after backward (``retain_grad()``).

        Example:
            >>> x = Tensor([1.0], requires_grad=True)
            >>> (x * 2).retain_grad().retains_grad, (x * 2).retains_grad
            (True, False)
        """
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` with this tensor's gradient; a non-None result replaces it.

        The replacement must be a Tensor or ndarray of the gradient's shape and
        dtype. Returns a handle whose ``remove()`` unregisters the hook.

        Example:
            >>> x = Tensor([1.0], requires_grad=True)
            >>> h = x.register_hook(lambda g: g * 0.5)   # halve what flows into x
            >>> (x * 4).sum().backward(); x.grad
            Tensor([2.], dtype=float32)
        """
        if not self.requires_grad:
            raise RuntimeError(f"register_hook: this tensor (shape {self.shape} {self.dtype}) "
                               "does not require grad; no gradient will reach the hook")
        if not callable(hook):
            raise TypeError(f"register_hook: expected a function grad -> grad or None, got "
                            f"{type(hook).__name__}")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (chain rule, reverse order).

        ``gradient`` is needed unless self has one element. The graph's saved
        values are freed unless ``retain_graph=True``; ``create_graph=True``
        records the backward pass itself, for gradients of gradients.
        ``inputs`` limits accumulation to those tensors (PyTorch's argument).

        Example:
            >>> w = Tensor([1.0, 2.0], requires_grad=True)
            >>> (w * 3).sum().backward(); w.grad
            Tensor([3., 3.], dtype=float32)
        """
        from .engine import backward    # engine imports function, which imports this module
        backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph,
                 inputs=inputs)

    # -- in place (recorded per buffer, so ops that saved any alias notice) --------

    def _inplace(self, opname, fn, other=None, graph=None, needs_old=False):
        # fn(array, other_array) writes in place; graph(old, other) -> the new value as a
        # recorded out-of-place op, used when the change must be differentiated (PyTorch
        # gives the tensor a new history then; see autograd/inplace.py)
        if state.grad_enabled and (self.requires_grad
                                   or isinstance(other, Tensor) and other.requires_grad):
            from .inplace import rebase         # (inplace.py imports this module)
            return rebase(self, opname, graph, other, needs_old)
        other = other.data if isinstance(other, Tensor) else other
        try:
            fn(self.data, other)
        except (ValueError, TypeError) as e:    # NumPy's own subclasses take other arguments
            kind = TypeError if isinstance(e, TypeError) else ValueError
            raise kind(f"{opname}: cannot update shape {self.shape} {self.dtype} in place "
                       f"with {np.shape(other)} {np.result_type(other)}: {e}") from None
        versions.record_write(self.data)
        return self

    def mark_modified(self):
        """Record that ``.data`` was changed in place by code outside Tensor's in-place ops.

        Every alias of this memory (views, ``detach()``) sees the new version, so
        ops that saved any of them refuse to backward with the changed values.
        Optimizers and load_state_dict call it.

        Example:
            >>> w = Tensor([1.0]); w.data -= 0.5; w.mark_modified(); w._version
            1
        """
        versions.record_write(self.data)

    def add_(self, other, *, alpha=1):
        """In place ``self += alpha * other``; recorded (differentiable) as in PyTorch.

        Example:
            >>> Tensor([1.0]).add_(2, alpha=3)
            Tensor([7.], dtype=float32)
            >>> w = Tensor([1.0, 2.0], requires_grad=True)
            >>> out = w * 2; out += w; out               # ResNet's out += identity
            Tensor([3., 6.], dtype=float32, grad_fn=Add)
            >>> out.sum().backward(); w.grad
            Tensor([3., 3.], dtype=float32)
        """
        return self._inplace(
            "add_", lambda a, b: np.add(a, _scaled(b, alpha), out=a, casting="same_kind"),
            other, lambda old, o: old + (o if alpha == 1 else o * alpha))

    def sub_(self, other, *, alpha=1):
        """In place ``self -= alpha * other``.

        Example:
            >>> Tensor([1.0]).sub_(2)
            Tensor([-1.], dtype=float32)
        """
        return self._inplace(
            "sub_", lambda a, b: np.subtract(a, _scaled(b, alpha), out=a, casting="same_kind"),
            other, lambda old, o: old - (o if alpha == 1 else o * alpha))

    def mul_(self, other):
        """In place ``self *= other``.

        Example:
            >>> Tensor([3.0]).mul_(2)
            Tensor([6.], dtype=float32)
        """
        return self._inplace("mul_", lambda a, b: np.multiply(a, b, out=a, casting="same_kind"),
                             other, lambda old, o: old * o, needs_old=True)

    def div_(self, other):
        """In place ``self /= other``.

        Example:
            >>> Tensor([3.0]).div_(2)
            Tensor([1.5], dtype=float32)
        """
        return self._inplace("div_", lambda a, b: np.divide(a, b, out=a, casting="same_kind"),
                             other, lambda old, o: old / o, needs_old=True)

    def copy_(self, other):
        """Copy ``other``'s values into self (broadcasting), in place.

        Example:
            >>> Tensor([0.0, 0.0]).copy_(Tensor([1.0, 2.0]))
            Tensor([1., 2.], dtype=float32)
        """
        return self._inplace("copy_", lambda a, b: np.copyto(a, b, casting="same_kind"), other,
                             _graph("replaced"))

    def fill_(self, value):
        """Set every element to ``value``, in place.

        Example:
            >>> Tensor([1.0, 2.0]).fill_(7)
            Tensor([7., 7.], dtype=float32)
        """
        if isinstance(value, Tensor) and value.ndim:
            raise ValueError(f"fill_: the value must be a number or a 0-d tensor, got shape "
                             f"{value.shape} {value.dtype}; use copy_ to copy a tensor")
        return self._inplace("fill_", lambda a, b: a.fill(b), value, _graph("replaced"))

    def zero_(self):
        """Set every element to zero, in place.

        Example:
            >>> Tensor([1.0, 2.0]).zero_()
            Tensor([0., 0.], dtype=float32)
        """
        return self.fill_(0)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def __setitem__(self, index, value):
        index = index.data if isinstance(index, Tensor) else index
        self._inplace("__setitem__", lambda a, b: a.__setitem__(index, b), value,
                      lambda old, v: _graph("setitem")(old, v, index))

    # -- Python protocols -----------------------------------------------------------

    def __bool__(self): return bool(self.data)
    def __float__(self): return float(self.data)
    def __int__(self): return int(self.data)
    def __index__(self): return self.data.__index__()

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", precision=6, prefix="Tensor(")
        extras = [f"dtype={self.dtype}"]
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return f"Tensor({body}, {', '.join(extras)})"


def _to_array(data, dtype):
    """The ndarray a Tensor holds for ``data``, with the dtype rules of ``Tensor(...)``."""
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except (TypeError, ValueError):
            raise TypeError(f"Tensor: {dtype!r} is not a dtype; use autograd.float32, "
                            "autograd.int64, ... (NumPy dtypes)") from None
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.generic):
        data = np.asarray(data)         # a NumPy scalar keeps its dtype, as an ndarray does
    if isinstance(data, np.ndarray):
        if dtype is not None and data.dtype != dtype:
            data = data.astype(dtype)
        if data.dtype.kind not in "biufc":
            raise TypeError(f"Tensor: cannot make a tensor from an ndarray of dtype "
                            f"{data.dtype}; use a numeric dtype")
        return data
    given = type(data).__name__
    try:
        array = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as e:
        raise TypeError(f"Tensor: cannot make a tensor from this {given} ({e}); pass a number, "
                        "a rectangular (nested) list of numbers, or an ndarray") from None
    if dtype is None and array.dtype.kind in "biuf":
        return array.astype(get_default_dtype(), copy=False)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"Tensor: cannot make a tensor from {given} (numpy dtype "
                        f"{array.dtype}); pass numbers, lists or an ndarray")
    return array


def tensor_arg(x, op):
    """``x`` as a Tensor operand of ``op``: Tensors pass through, ndarrays and numbers are
    wrapped (no copy); anything else is a TypeError naming the op.

    Example:
        >>> tensor_arg(np.array([1.0, 2.0]), "exp").shape
        (2,)
    """
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray) and x.dtype.kind in "biufc":
        return _leaf(x)
    try:
        return Tensor(x)
    except TypeError as e:
        raise TypeError(f"{op}: expected a Tensor, ndarray, number or list of numbers, got "
                        f"{type(x).__name__} ({_short(x)}): {e}") from None


def _short(x):
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _scaled(b, alpha):
    return b if alpha == 1 else np.multiply(b, alpha)


def _graph(name):
    """A recorded form of an in-place op, from autograd/inplace.py (imported on first use)."""
    from . import inplace
    return getattr(inplace, name)


def _leaf(array):
    out = Tensor.__new__(Tensor)
    out._init(array, False)
    return out


class _Size(int):
    """An int (the element count) that, called, answers PyTorch's ``size()``/``size(dim)``."""

    def __new__(cls, count, shape):
        self = super().__new__(cls, count)
        self.shape = shape
        return self

    def __call__(self, dim=None):
        if dim is None:
            return Size(self.shape)
        try:
            return self.shape[dim]
        except (IndexError, TypeError):
            raise IndexError(f"size: dim {dim!r} is out of range for shape {self.shape} "
                             f"(valid: {-len(self.shape)}..{len(self.shape) - 1})") from None


class Size(tuple):
    """What ``x.size()`` returns: the shape, a tuple with PyTorch's ``torch.Size.numel()``.

    Example:
        >>> s = Tensor(np.zeros((2, 3))).size(); s, s.numel(), s == (2, 3)
        ((2, 3), 6, True)
    """

    __slots__ = ()

    def numel(self):
        """The number of elements of a tensor of this shape.

        Example:
            >>> Size((2, 3, 4)).numel()
            24
        """
        n = 1
        for d in self:
            n *= d
        return n


class _HookHandle:
    def __init__(self, hooks, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self):
        """Unregister the hook."""
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)
