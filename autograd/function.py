"""Function: one differentiable op, forward beside backward; its instance is the ctx.

``Op.apply(*args)`` runs ``forward(ctx, *args)`` and, when some input requires a
gradient and grad mode is on, returns a Tensor whose ``grad_fn`` is the ctx.
The engine later calls ``backward(ctx, grad)``, which returns one gradient per
positional argument of forward.

Built-in ops set ``raw = True``: their forward reads ``.data`` directly, and
their backward is written with operators and ``.sum``/``.reshape``-style
methods so it runs on ndarrays (fast, records nothing) or on Tensors (when
``create_graph=True``, so it is itself differentiable).
"""
import traceback

import numpy as np

from .mode import state
from .tensor import Tensor, inplace_clock

__all__ = ["Function"]


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
        >>> Cube.apply(Tensor(2.0, requires_grad=True))
    """

    raw = False            # built-in ops: array-generic backward (see module doc)
    uses_output = False    # backward reads ctx.output (the op's own result)
    scope = ""
    _freed = False
    _graph_mode = True     # set by the engine for raw ops: Tensors (True) or arrays

    @classmethod
    def apply(cls, *args):
        ctx = cls.__new__(cls)
        ctx.inputs = args
        if cls.raw:
            out = cls.forward(ctx, *args)
        else:
            prev, state.grad_enabled = state.grad_enabled, False
            try:
                out = cls.forward(ctx, *args)
            finally:
                state.grad_enabled = prev
            if isinstance(out, Tensor):
                out = out.data
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        record = False
        if state.grad_enabled:
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    record = True
                    break
        result = Tensor.__new__(Tensor)
        result.data = out
        result.requires_grad = record
        result.grad = result.name = result._hooks = None
        result._version = result._modified_at = 0
        result._retains_grad = False
        if record:
            result.grad_fn = ctx
            if state.scope:
                ctx.scope = state.scope
        else:
            result.grad_fn = None
        if state.anomaly:
            _check_forward(cls, ctx, args, out)
        return result

    # -- ctx API --------------------------------------------------------------

    def save_for_backward(self, *tensors):
        """Keep tensors for backward; in-place changes to them are detected there.

        Example:
            >>> ctx.save_for_backward(x, w)   # inside forward
        """
        self._saved = tensors
        self._saved_at = inplace_clock[0]

    @property
    def needs_input_grad(self):
        """One bool per forward argument: does that input require a gradient?"""
        return tuple([isinstance(a, Tensor) and a.requires_grad for a in self.inputs])

    @property
    def saved_tensors(self):
        """The tensors given to save_for_backward (their arrays, for raw ops outside create_graph)."""
        try:
            saved = self._saved
        except AttributeError:
            if self._freed:
                raise _freed_error(self) from None
            raise RuntimeError(f"{type(self).__name__}.backward: saved_tensors read, "
                               "but forward called no save_for_backward()") from None
        if inplace_clock[0] != self._saved_at:     # something changed in place since: which?
            for t in saved:
                if isinstance(t, Tensor) and t._modified_at > self._saved_at:
                    raise _version_error(self, t)
        if self._graph_mode:
            return saved
        return [t.data if isinstance(t, Tensor) else t for t in saved]

    @property
    def output(self):
        """The op's own result, for ops with ``uses_output = True`` (set by the engine)."""
        out = self._output
        if out._modified_at:
            raise _version_error(self, out)
        return out if self._graph_mode else out.data

    def release(self):
        """Drop everything saved for backward (the engine calls this unless retain_graph)."""
        kept = self.__dict__
        self.__dict__ = {"inputs": kept["inputs"], "_freed": True}
        if "scope" in kept:
            self.scope = kept["scope"]

    @property
    def name(self):
        """The op's name as shown in errors and graph pictures, e.g. 'Mul'."""
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name} backward>"


def _describe(t):
    return f"shape {t.shape} {t.dtype}" if isinstance(t, Tensor) else repr(t)


def _freed_error(ctx):
    inputs = ", ".join(_describe(t) for t in getattr(ctx, "inputs", ()) if isinstance(t, Tensor))
    return RuntimeError(
        f"{ctx.name}.backward (inputs: {inputs}): trying to backward through the graph a "
        "second time, but "
        "its saved values were freed after the first backward. Pass retain_graph=True "
        "to the first backward() (or autograd.grad) if you need to backward twice.")


def _version_error(ctx, t):
    return RuntimeError(
        f"{ctx.name}.backward: a tensor it saved ({_describe(t)}) was modified in place "
        f"after the op used it (it is now at version {t._version}). Modify a copy instead "
        "(e.g. Tensor(t.data.copy())), or use an out-of-place op.")


def _check_forward(cls, ctx, args, out):
    ctx.created_at = "".join(traceback.format_list(traceback.extract_stack()[-6:-2]))
    if out.dtype.kind == "f" and not np.isfinite(out).all():
        inputs_finite = all(np.isfinite(a.data).all() for a in args
                            if isinstance(a, Tensor) and a.dtype.kind == "f")
        if inputs_finite:
            shapes = ", ".join(_describe(a) for a in args if isinstance(a, Tensor))
            raise FloatingPointError(
                f"detect_anomaly: {cls.__name__} produced NaN or Inf from finite inputs "
                f"({shapes}). Created at:\n{ctx.created_at}")
