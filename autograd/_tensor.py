"""Tensor: an ndarray, its gradient, and a link to the op that made it.

The ops themselves live in ``autograd.ops``; every op function there that
takes a tensor first is also installed here as a method (``x.exp()`` is
``autograd.exp(x)``), and the operators below delegate to the same ops.
"""
import numpy as np

from .mode import state, get_default_dtype

__all__ = ["Tensor"]

# Counts in-place changes to any tensor; an op compares it with the value at
# save_for_backward to know, in O(1), that none of its saved tensors changed.
inplace_clock = [0]


class Tensor:
    """A node of the graph: ``.data`` (ndarray), ``.grad`` (Tensor or None), ``.grad_fn``.

    A scalar is a 0-d Tensor. Python scalars and lists become the default
    float dtype (float32); an ndarray (or NumPy scalar) keeps its dtype, and an
    ndarray is used without a copy (as ``torch.from_numpy``).

    Example:
        >>> a = Tensor(2.0, requires_grad=True)
        >>> b = (a * a + 1).tanh()
        >>> b.backward(); a.grad
        Tensor(0.070651, dtype=float32)
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "name", "_version",
                 "_modified_at", "_hooks", "_retains_grad", "__weakref__")
    __array_ufunc__ = None        # ndarray <op> Tensor defers to Tensor's reflected operator
    __hash__ = object.__hash__    # == is elementwise, identity hashing stays

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        if isinstance(data, Tensor):
            data = data.data
        if isinstance(data, np.generic):
            data = np.asarray(data)         # a NumPy scalar keeps its dtype, as an ndarray does
        if isinstance(data, np.ndarray):
            if dtype is not None and data.dtype != dtype:
                data = data.astype(dtype)
        else:
            given = type(data).__name__
            data = np.array(data, dtype=dtype)
            if dtype is None and data.dtype.kind in "biuf":
                data = data.astype(get_default_dtype(), copy=False)
            elif data.dtype.kind not in "biufc":
                raise TypeError(f"Tensor: cannot make a tensor from {given} "
                                f"(numpy dtype {data.dtype}); pass numbers, lists or an ndarray")
        self._init(data, False)
        self.name = name
        if requires_grad:
            self.requires_grad_()

    def _init(self, data, requires_grad):
        # The fast constructor used by ops: no checks, no conversions.
        self.data = data
        self.requires_grad = requires_grad
        self.grad = self.grad_fn = self.name = self._hooks = None
        self._version = self._modified_at = 0
        self._retains_grad = False

    # -- attributes -------------------------------------------------------------

    shape = property(lambda self: self.data.shape, doc="The shape, as NumPy's.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions.")
    dtype = property(lambda self: self.data.dtype, doc="The NumPy dtype.")
    size = property(lambda self: self.data.size, doc="The number of elements.")
    is_leaf = property(lambda self: self.grad_fn is None,
                       doc="True for tensors not made by a recorded op (inputs, parameters).")

    @property
    def T(self):
        """The tensor with its axes reversed (differentiable)."""
        return self.permute(tuple(range(self.ndim - 1, -1, -1)))

    def item(self):
        """The value of a one-element tensor as a Python number.

        Example:
            >>> Tensor(3.5).item()
            3.5
        """
        if self.data.size != 1:
            raise ValueError(f"item: needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def numpy(self):
        """The underlying ndarray (shared, not copied).

        Example:
            >>> Tensor([1, 2]).numpy()
            array([1., 2.], dtype=float32)
        """
        return self.data

    def detach(self):
        """A new leaf sharing this tensor's data, cut from the graph.

        Example:
            >>> y = (x * 2).detach()      # y.requires_grad is False
        """
        out = Tensor.__new__(Tensor)
        out._init(self.data, False)
        return out

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place (leaves only, floating dtypes only); returns self.

        Example:
            >>> w = Tensor(np.zeros(3)).requires_grad_()
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

        Example:
            >>> h = x * 2; h.retain_grad(); h.sum().backward(); h.grad
        """
        if not self.requires_grad:
            raise RuntimeError(f"retain_grad: this tensor (shape {self.shape} {self.dtype}) "
                               "does not require grad, so it never gets one")
        self._retains_grad = self.grad_fn is not None
        return self

    def register_hook(self, hook):
        """Call ``hook(grad)`` with this tensor's gradient; a non-None result replaces it.

        Returns a handle whose ``remove()`` unregisters the hook.

        Example:
            >>> h = x.register_hook(lambda g: g * 0.5)   # halve what flows through x
        """
        if not self.requires_grad:
            raise RuntimeError(f"register_hook: this tensor (shape {self.shape} {self.dtype}) "
                               "does not require grad; no gradient will reach the hook")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (chain rule, reverse order).

        ``gradient`` is needed unless self has one element. The graph's saved
        values are freed unless ``retain_graph=True``; ``create_graph=True``
        records the backward pass itself, for gradients of gradients.

        Example:
            >>> loss = (w * x).sum(); loss.backward(); w.grad
        """
        from .engine import backward
        backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph)

    # -- in place (bump the version so ops that saved this tensor notice) ---------

    def _inplace(self, opname, fn, other=None):
        if state.grad_enabled and self.requires_grad:
            raise RuntimeError(
                f"{opname}: in-place change of a tensor that requires grad (shape {self.shape} "
                f"{self.dtype}) while recording. Do it under no_grad() (e.g. an optimizer "
                "step), or use the out-of-place op.")
        other = other.data if isinstance(other, Tensor) else other
        try:
            fn(self.data, other)
        except (ValueError, TypeError) as e:
            raise type(e)(f"{opname}: cannot update shape {self.shape} {self.dtype} in place "
                          f"with {np.shape(other)} {np.result_type(other)}: {e}") from None
        self.mark_modified()
        return self

    def mark_modified(self):
        """Record that ``.data`` was changed in place by code outside Tensor's own in-place ops.

        Bumps the version counter, so ops that saved this tensor refuse to backward
        with the changed values. Optimizers and load_state_dict call it.

        Example:
            >>> w.data -= 0.1 * w.grad.data; w.mark_modified()
        """
        self._version += 1                 # PyTorch's per-tensor counter, for users
        inplace_clock[0] += 1
        self._modified_at = inplace_clock[0]   # what saved-tensor checks compare against

    def add_(self, other):
        """In place ``self += other`` (under no_grad for tensors that require grad)."""
        return self._inplace("add_", lambda a, b: np.add(a, b, out=a, casting="same_kind"), other)

    def sub_(self, other):
        """In place ``self -= other``."""
        return self._inplace("sub_", lambda a, b: np.subtract(a, b, out=a, casting="same_kind"),
                             other)

    def mul_(self, other):
        """In place ``self *= other``."""
        return self._inplace("mul_", lambda a, b: np.multiply(a, b, out=a, casting="same_kind"),
                             other)

    def div_(self, other):
        """In place ``self /= other``."""
        return self._inplace("div_", lambda a, b: np.divide(a, b, out=a, casting="same_kind"),
                             other)

    def copy_(self, other):
        """Copy ``other``'s values into self (broadcasting), in place."""
        return self._inplace("copy_", lambda a, b: np.copyto(a, b, casting="same_kind"), other)

    def fill_(self, value):
        """Set every element to ``value``, in place."""
        return self._inplace("fill_", lambda a, b: a.fill(b), value)

    def zero_(self):
        """Set every element to zero, in place."""
        return self.fill_(0)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def __setitem__(self, index, value):
        index = index.data if isinstance(index, Tensor) else index
        self._inplace("__setitem__", lambda a, b: a.__setitem__(index, b), value)

    # -- operators ----------------------------------------------------------------

    def __add__(self, other): return _ops.Add.apply(self, _operand(other))
    def __radd__(self, other): return _ops.Add.apply(_operand(other), self)
    def __sub__(self, other): return _ops.Sub.apply(self, _operand(other))
    def __rsub__(self, other): return _ops.Sub.apply(_operand(other), self)
    def __mul__(self, other): return _ops.Mul.apply(self, _operand(other))
    def __rmul__(self, other): return _ops.Mul.apply(_operand(other), self)
    def __truediv__(self, other): return _ops.Div.apply(self, _operand(other))
    def __rtruediv__(self, other): return _ops.Div.apply(_operand(other), self)
    def __pow__(self, other): return _ops.Pow.apply(self, _operand(other))
    def __rpow__(self, other): return _ops.Pow.apply(_operand(other), self)
    def __matmul__(self, other): return _ops.matmul(self, _operand(other))
    def __rmatmul__(self, other): return _ops.matmul(_operand(other), self)
    def __neg__(self): return _ops.Neg.apply(self)
    def __pos__(self): return self
    def __getitem__(self, index): return _ops.getitem(self, index)

    def _compare(self, other, ufunc):
        other = other.data if isinstance(other, Tensor) else other
        out = Tensor.__new__(Tensor)
        out._init(np.asarray(ufunc(self.data, other)), False)
        return out

    def __eq__(self, other): return self._compare(other, np.equal)
    def __ne__(self, other): return self._compare(other, np.not_equal)
    def __lt__(self, other): return self._compare(other, np.less)
    def __le__(self, other): return self._compare(other, np.less_equal)
    def __gt__(self, other): return self._compare(other, np.greater)
    def __ge__(self, other): return self._compare(other, np.greater_equal)

    def __bool__(self): return bool(self.data)
    def __float__(self): return float(self.data)
    def __int__(self): return int(self.data)
    def __index__(self): return self.data.__index__()

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
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


def _operand(x):
    """The other side of an operator: Tensors as they are, Python numbers stay weak."""
    if isinstance(x, (Tensor, int, float)):
        return x
    if isinstance(x, np.generic):
        return x.item()           # a NumPy scalar is weak too, as a Python one
    return Tensor(x)


class _HookHandle:
    def __init__(self, hooks, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self):
        """Unregister the hook."""
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


from . import ops as _ops  # noqa: E402  (ops import Tensor; the methods are installed there)
