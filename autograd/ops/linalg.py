"""Matrix product with NumPy's matmul semantics (1-d promotion, batch broadcasting)."""
import numpy as np

from ..function import Function
from ..function import data_of as _d
from .._tensor import tensor_arg

__all__ = ["matmul", "rmatmul"]


class MatMul(Function):
    array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a_, b_ = _d(a), _d(b)
        if a_.ndim == 0 or b_.ndim == 0:
            raise ValueError(f"matmul: operands must be at least 1-d, got shapes {a_.shape} "
                             f"{a_.dtype} and {b_.shape} {b_.dtype}; use * for scaling")
        inner_a = a_.shape[-1]
        inner_b = b_.shape[0] if b_.ndim == 1 else b_.shape[-2]
        if inner_a == inner_b and a_.ndim > 2 and b_.ndim > 2:
            try:
                np.broadcast_shapes(a_.shape[:-2], b_.shape[:-2])
            except ValueError:
                raise ValueError(
                    f"matmul: the batch dims of {a_.shape} {a_.dtype} and {b_.shape} "
                    f"{b_.dtype} do not broadcast ({a_.shape[:-2]} vs {b_.shape[:-2]}); they "
                    "must be equal or 1 in each position") from None
        try:
            return np.matmul(a_, b_)
        except ValueError:
            raise ValueError(
                f"matmul: shapes {a_.shape} {a_.dtype} and {b_.shape} {b_.dtype} do not "
                f"line up: the last dim of the first ({a_.shape[-1]}) must equal the "
                f"{'only' if b_.ndim == 1 else 'second-to-last'} dim of the second "
                f"({b_.shape[0] if b_.ndim == 1 else b_.shape[-2]}); transpose or reshape "
                "one operand") from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # Promote 1-d operands to matrices, as matmul did, so one formula covers all cases.
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = g2.reshape(g2.shape[:-1] + (1,) + g2.shape[-1:]) if b.ndim > 1 else g2.reshape(1)
        if b.ndim == 1:
            g2 = g2.reshape(g2.shape + (1,))
        ga = gb = None
        if need_a:
            ga = g2 @ b2.swapaxes(-1, -2)
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:]) if a.ndim == 1 else ga
        if need_b:
            gb = a2.swapaxes(-1, -2) @ g2
            gb = gb.reshape(gb.shape[:-1]) if b.ndim == 1 else gb
        return ga, gb


def matmul(a, b):
    """Matrix product ``a @ b`` (NumPy semantics: 1-d operands promoted, batch dims broadcast).

    Example:
        >>> from autograd import Tensor
        >>> a = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> matmul(a, Tensor([1.0, 1.0]))
        Tensor([3., 7.], dtype=float32, grad_fn=MatMul)
        >>> (Tensor(np.ones((5, 2, 3))) @ Tensor(np.ones((3, 4)))).shape    # batch dims
        (5, 2, 4)
    """
    return MatMul.apply(tensor_arg(a, "matmul"), tensor_arg(b, "matmul"))


def rmatmul(a, b):
    """``b @ a``: the reflected operator (an ndarray or list on the left of a Tensor).

    Example:
        >>> from autograd import Tensor
        >>> [[1.0, 1.0]] @ Tensor([[1.0], [2.0]])
        Tensor([[3.]], dtype=float32)
    """
    return MatMul.apply(tensor_arg(b, "rmatmul"), a)
