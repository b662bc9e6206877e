"""What a node says: op names, numbers, tensor summaries and an op's constant arguments.

Pure text, no graphviz: the graph walk (viz.graph) stores these lines on its
nodes and the drawing (viz.digraph) lays them out.
"""
import inspect

import numpy as np

from autograd import ReleasedTensor, Tensor

__all__ = ["op_name", "format_number", "tensor_lines", "constant_lines", "magnitude"]

_SUFFIXES = ("Function", "Backward")
_signatures = {}


def op_name(fn):
    """The op's name as drawn: its class name lowercased, without a 'Function' suffix.

    Example:
        >>> op_name((Tensor(2.0, requires_grad=True) * 3).grad_fn)
        'mul'
    """
    name = type(fn).__name__
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name.lower()


def format_number(v):
    """A short, fixed-width-ish text for one number: 4 decimals, or scientific when tiny/huge.

    Example:
        >>> format_number(2.0), format_number(1.5e-7), format_number(float("nan"))
        ('2.0000', '1.500e-07', 'nan')
    """
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    if v == 0 or 1e-3 <= abs(v) < 1e5:
        return f"{v:.4f}"
    return f"{v:.3e}"


def _short(v):
    return f"{float(v):.3g}"


def magnitude(array):
    """Mean absolute value of an array (a gradient's "size" for colouring); nan/inf if any.

    Example:
        >>> magnitude(np.array([1.0, -3.0]))
        2.0
    """
    a = np.asarray(array)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    if a.size == 0:
        return 0.0
    return float(np.abs(a).mean())


def _stats(a):
    if a.size == 0:
        return ["empty"]
    if a.dtype.kind not in "fc":
        return [f"min {_short(a.min())} max {_short(a.max())}"]
    finite = np.isfinite(a)
    lines = []
    if not finite.all():
        lines.append(f"{int(np.isnan(a).sum())} nan, {int(np.isinf(a).sum())} inf")
        a = a[finite]
        if a.size == 0:
            return lines
    return lines + [f"mean {_short(a.mean())} std {_short(a.std())}",
                    f"min {_short(a.min())} max {_short(a.max())}"]


def tensor_lines(tensor, name, show_values=True, show_grads=True):
    """The label lines of a tensor node: name, then shape/dtype, value and gradient.

    A 0-d tensor gets ``data <value>`` and ``grad <value>`` (micrograd's
    draw_dot); an array gets ``(shape) dtype``, mean/std and min/max lines,
    and ``grad norm <L2 norm>``. A missing gradient reads ``grad -``; a
    tensor that does not require grad has no gradient line.

    Example:
        >>> tensor_lines(Tensor(2.0, requires_grad=True), "a")
        ['a', 'data 2.0000', 'grad -', 'float32']
    """
    data = tensor.data
    if data is None:           # a ReleasedTensor: backward freed the value (see viz.retain_grads)
        if not tensor.shape:
            return [name or "", "value freed", str(tensor.dtype)]
        return ([name] if name else []) + [f"{tuple(tensor.shape)} {tensor.dtype}",
                                           "value freed"]
    grad = tensor.grad.data if tensor.grad is not None else None
    if data.ndim == 0:
        lines = [name or ""]
        if show_values:
            lines.append(f"data {format_number(data)}")
        if show_grads and (grad is not None or tensor.requires_grad):
            lines.append("grad -" if grad is None else f"grad {format_number(grad)}")
        lines.append(str(data.dtype))
        return lines
    lines = [name] if name else []
    lines.append(f"{tuple(data.shape)} {data.dtype}")
    if show_values:
        lines += _stats(data)
    if show_grads and (grad is not None or tensor.requires_grad):
        if grad is None:
            lines.append("grad -")
        else:
            g = grad.astype(np.float64) if grad.dtype.kind == "f" else grad
            lines.append(f"grad norm {format_number(np.sqrt(np.sum(np.abs(g) ** 2)))}")
    return lines


def _argument_names(fn):
    cls = type(fn)
    names = _signatures.get(cls)
    if names is None:
        try:
            params = list(inspect.signature(cls.forward).parameters.values())[1:]
        except (TypeError, ValueError):
            params = []
        names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                      p.POSITIONAL_OR_KEYWORD)]
        _signatures[cls] = names
    return names


def _show_constant(v, limit=24):
    if isinstance(v, np.ndarray):
        text = f"array{tuple(v.shape)}" if v.size > 4 else np.array2string(v, separator=",")
    elif isinstance(v, float):
        text = _short(v)
    else:
        text = repr(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def constant_lines(fn):
    """``name=value`` for each non-tensor argument of an op (None and False are left out).

    Names come from the op's ``forward`` signature; an argument past it (a
    ``*args`` op) is shown by value alone.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> constant_lines((x * 0.5).grad_fn), constant_lines(x.sum(axis=0, keepdims=True).grad_fn)
        (['b=0.5'], ['axis=(0,)', 'keepdims=True'])
    """
    names = _argument_names(fn)
    lines = []
    for i, v in enumerate(fn.inputs):
        if isinstance(v, (Tensor, ReleasedTensor)) or v is None or v is False:
            continue
        text = _show_constant(v)
        lines.append(f"{names[i]}={text}" if i < len(names) else text)
    return lines
