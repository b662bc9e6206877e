"""Casting a whole module: ``to``, ``cpu``, ``cuda``, ``float``, ``double``, ``half``, ``type``.

Module inherits these from ``Casting``. As in PyTorch, they change the
module in place and return it: each parameter keeps its identity (its
``.data`` array is replaced by a converted one), so an optimizer built
before the cast keeps working. ``.grad`` is converted alongside. Every
replaced array is marked modified, so a graph recorded before the cast
refuses to backward through the old values.

``to``, ``float``, ``double`` and ``half`` convert floating-point
parameters and buffers only (an integer buffer such as BatchNorm's
``num_batches_tracked`` keeps its dtype); ``type`` converts all of them.
chainrule computes on the CPU only: ``cpu()`` and ``to("cpu")`` change
nothing, ``cuda()`` is a clear error.

Example:
    >>> import nn
    >>> model = nn.Linear(3, 2); w = model.weight
    >>> model.double() is model, model.weight is w, w.dtype
    (True, True, dtype('float64'))
"""
import builtins

import numpy as np

from autograd import Tensor, device as Device

__all__ = ["Casting", "check_cpu"]

_TYPE_NAMES = {"FloatTensor": np.float32, "DoubleTensor": np.float64,
               "HalfTensor": np.float16, "LongTensor": np.int64, "IntTensor": np.int32,
               "ShortTensor": np.int16, "CharTensor": np.int8, "ByteTensor": np.uint8,
               "BoolTensor": np.bool_}


def _dtype(op, given):
    """``given`` (a dtype, its name, a PyTorch type name, Python float/int) as a NumPy dtype."""
    if given is builtins.float:
        return np.dtype(np.float64)
    if given is builtins.int:
        return np.dtype(np.int64)
    if isinstance(given, str) and given.rpartition(".")[2] in _TYPE_NAMES:
        return np.dtype(_TYPE_NAMES[given.rpartition(".")[2]])
    try:
        out = None if isinstance(given, (Tensor, builtins.bool)) else np.dtype(given)
    except TypeError:
        out = None
    if out is None or out.kind not in "biufc":
        raise TypeError(f"{op}: {given!r} is neither a device nor a dtype; use e.g. "
                        "to('cpu'), to(autograd.float64) or to(other_tensor)")
    return out


def check_cpu(op, where):
    """Check that ``where`` (None, a name, an index or a device) is the CPU, naming ``op``.

    Layers call it for their ``device=`` argument.

    Example:
        >>> check_cpu("Linear", "cpu")
        >>> check_cpu("Linear", "cuda")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: Linear: device 'cuda' is not available: ...
    """
    if where is None:
        return
    try:
        where = Device(where)
    except (RuntimeError, TypeError) as e:
        raise type(e)(f"{op}: {e}") from None
    if where.type != "cpu":
        raise RuntimeError(
            f"{op}: device '{where}' is not available: chainrule computes on the CPU only "
            f"(NumPy), and autograd.cuda.is_available() is False. Use 'cpu' (e.g. "
            f"device = 'cuda' if autograd.cuda.is_available() else 'cpu')")


def _is_device(a):
    if isinstance(a, Device) or (isinstance(a, int) and not isinstance(a, builtins.bool)):
        return True
    if isinstance(a, str):
        try:
            Device(a)
        except (RuntimeError, TypeError):
            return False
        return True
    return False


class Casting:
    """The casting methods of Module (use them on a Module).

    Example:
        >>> import autograd, nn
        >>> nn.Linear(2, 2).to(autograd.float64).weight.dtype
        dtype('float64')
    """

    def _cast_tensors(self, op, convert):
        """Replace each parameter's and buffer's array by ``convert(dtype)``'s dtype, or raise
        before changing anything."""
        plan = []
        for t in list(self.parameters()) + list(self.buffers()):
            target = convert(t.dtype)
            if target is None or target == t.dtype:
                continue
            if t.requires_grad and target.kind not in "fc":
                raise RuntimeError(
                    f"{op}: cannot cast a parameter that requires grad (shape {t.shape} "
                    f"{t.dtype}) to {target}: only floating-point tensors can require "
                    f"gradients; nothing was changed")
            plan.append((t, target))
        for t, target in plan:
            t.data = t.data.astype(target)
            t.mark_modified()
            if t.grad is not None:
                t.grad = t.grad.data.astype(target)
        return self

    def to(self, *args, device=None, dtype=None, non_blocking=False, memory_format=None):
        """Move and/or cast the parameters and buffers in place; returns the module.

        Called as PyTorch's ``Module.to``: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)``, ``to(tensor)`` (its dtype and device) or with
        keywords. A dtype must be floating point or complex, and only
        floating-point parameters and buffers are cast. The device must be the
        CPU; ``non_blocking`` and ``memory_format`` are accepted and change
        nothing.

        Example:
            >>> import autograd, nn
            >>> model = nn.Linear(2, 2)
            >>> model.to("cpu", autograd.float64).weight.dtype
            dtype('float64')
        """
        for a in args:
            if isinstance(a, Tensor):
                dtype, device = a.dtype, a.device
            elif _is_device(a):
                device = a
            elif isinstance(a, builtins.bool):
                non_blocking = a
            else:
                dtype = a
        check_cpu(f"{type(self).__name__}.to", device)
        if dtype is None:
            return self
        dtype = _dtype(f"{type(self).__name__}.to", dtype)
        if dtype.kind not in "fc":
            raise TypeError(f"{type(self).__name__}.to only accepts floating point or complex "
                            f"dtypes, but got desired dtype={dtype}; use .type({dtype}) to "
                            "cast integer buffers too")
        return self._cast_tensors(f"{type(self).__name__}.to",
                                  lambda old: dtype if old.kind in "fc" else None)

    def cpu(self):
        """The module itself: chainrule keeps everything on the CPU.

        Example:
            >>> import nn
            >>> model = nn.Linear(2, 2); model.cpu() is model
            True
        """
        return self

    def cuda(self, device=None):
        """Move the module to a GPU: a RuntimeError, as chainrule has no CUDA backend.

        Example:
            >>> import nn
            >>> nn.Linear(2, 2).cuda()
            Traceback (most recent call last):
            ...
            RuntimeError: Linear.cuda: device 'cuda' is not available: ...
        """
        op = f"{type(self).__name__}.cuda"
        where = "cuda" if device is None else device
        if isinstance(where, int) and not isinstance(where, builtins.bool):
            where = f"cuda:{where}"
        check_cpu(op, where)
        raise ValueError(f"{op}: expected a CUDA device, got {where!r}; keep the model on "
                         "the CPU (.cpu() or .to('cpu'))")

    def _floats_to(self, op, dtype):
        return self._cast_tensors(f"{type(self).__name__}.{op}",
                                  lambda old: np.dtype(dtype) if old.kind == "f" else None)

    def float(self):
        """Cast floating-point parameters and buffers to float32 in place; returns the module.

        Example:
            >>> import nn
            >>> nn.Linear(2, 2).double().float().weight.dtype
            dtype('float32')
        """
        return self._floats_to("float", np.float32)

    def double(self):
        """Cast floating-point parameters and buffers to float64 in place; returns the module.

        Example:
            >>> import nn
            >>> nn.Linear(2, 2).double().bias.dtype
            dtype('float64')
        """
        return self._floats_to("double", np.float64)

    def half(self):
        """Cast floating-point parameters and buffers to float16 in place; returns the module.

        Example:
            >>> import nn
            >>> nn.Linear(2, 2).half().weight.dtype
            dtype('float16')
        """
        return self._floats_to("half", np.float16)

    def type(self, dst_type):
        """Cast every parameter and buffer (integer ones too) to ``dst_type``; returns the module.

        ``dst_type`` is a dtype or a PyTorch type name ('torch.DoubleTensor').
        Parameters that require grad must stay floating point (a RuntimeError
        otherwise, with nothing changed).

        Example:
            >>> import nn
            >>> bn = nn.BatchNorm1d(2).type("torch.DoubleTensor")
            >>> bn.weight.dtype, bn.num_batches_tracked.dtype
            (dtype('float64'), dtype('float64'))
        """
        dtype = _dtype(f"{type(self).__name__}.type", dst_type)
        return self._cast_tensors(f"{type(self).__name__}.type", lambda old: dtype)
