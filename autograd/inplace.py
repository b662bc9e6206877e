"""In-place ops beyond ``add_``/``mul_``/``copy_``/``fill_``/``zero_`` (in _tensor.py):
``exp_``, ``clamp_``/``clip_``, ``masked_fill_``, ``normal_``, ``uniform_``.

Each takes the tensor first and returns it (autograd/methods.py installs
them as methods). They follow the in-place rules of ``Tensor._inplace``:
refused on a tensor that requires grad while recording (use ``no_grad()``,
as an initialiser does), and recorded against the tensor's memory, so an op
that saved any alias of it refuses to backward with the changed values.

Example:
    >>> w = Tensor(np.zeros(3, dtype=np.float32))
    >>> normal_(w, 0.0, 0.01, generator=random.Generator().manual_seed(0))
    Tensor([ 0.011176, -0.013871, -0.004266], dtype=float32)
"""
import numpy as np

from ._tensor import Tensor
from . import random

__all__ = ["exp_", "clamp_", "clip_", "masked_fill_", "normal_", "uniform_"]


def exp_(x):
    """Replace ``x`` by e**x, in place.

    Example:
        >>> exp_(Tensor([0.0]))
        Tensor([1.], dtype=float32)
    """
    _floating("exp_", x)
    return x._inplace("exp_", lambda a, _: np.exp(a, out=a))


def clamp_(x, min=None, max=None):
    """Limit ``x`` to [min, max] in place (either bound may be None).

    Example:
        >>> clamp_(Tensor([-2.0, 0.5, 2.0]), -1, 1)
        Tensor([-1. ,  0.5,  1. ], dtype=float32)
    """
    return _clamp("clamp_", x, min, max)


def clip_(x, min=None, max=None):
    """``clamp_`` under its other name.

    Example:
        >>> clip_(Tensor([-2.0, 0.5]), max=0.0)
        Tensor([-2.,  0.], dtype=float32)
    """
    return _clamp("clip_", x, min, max)


def _clamp(op, x, lo, hi):
    if lo is None and hi is None:
        raise ValueError(f"{op}: at least one of min and max must be given")
    lo, hi = (b.data if isinstance(b, Tensor) else b for b in (lo, hi))
    if x.dtype.kind in "iu" and any(b is not None and np.asarray(b).dtype.kind not in "biu"
                                    for b in (lo, hi)):
        raise TypeError(f"{op}: an integer tensor (shape {x.shape} {x.dtype}) cannot be "
                        f"clamped in place to non-integer bounds ({lo}, {hi}); convert it "
                        "first (.float())")
    return x._inplace(op, lambda a, _: np.clip(a, lo, hi, out=a, casting="unsafe"))


def masked_fill_(x, mask, value):
    """Set ``x`` to ``value`` where the bool ``mask`` (broadcast to x's shape) holds, in place.

    Example:
        >>> x = Tensor([1.0, 2.0, 3.0]); masked_fill_(x, x > 1.5, 0.0)
        Tensor([1., 0., 0.], dtype=float32)
    """
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill_: mask must be a bool tensor, got shape {m.shape} "
                        f"{m.dtype}; make one with a comparison (x > 0) or .bool()")
    try:
        np.broadcast_to(m, x.shape)
    except ValueError:
        raise ValueError(f"masked_fill_: mask of shape {m.shape} does not broadcast to the "
                         f"tensor's shape {x.shape} {x.dtype}") from None
    v = value.data if isinstance(value, Tensor) else value
    # the value is cast to x's dtype, as PyTorch does (2.7 into an int tensor is 2)
    return x._inplace("masked_fill_", lambda a, b: np.copyto(a, b, where=m, casting="unsafe"),
                      v)


def normal_(x, mean=0.0, std=1.0, *, generator=None):
    """Fill ``x`` with normal random numbers of ``mean`` and ``std``, in place.

    Example:
        >>> _ = random.manual_seed(0); normal_(Tensor(np.zeros((2, 2), dtype=np.float32)))
        Tensor([[ 1.117622, -1.387125],
                [-0.426572, -0.803587]], dtype=float32)
    """
    _floating("normal_", x)
    if std < 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    rng = random._rng("normal_", generator)

    def fill(a, _):          # drawn only once the write is allowed: a refusal draws nothing
        np.copyto(a, random._standard_normal(rng, a.shape, a.dtype) * std + mean,
                  casting="same_kind")
    return x._inplace("normal_", fill)


def uniform_(x, from_=0.0, to=1.0, *, generator=None, **bounds):
    """Fill ``x`` with uniform random numbers in [from, to), in place.

    The bounds are positional, or ``from``/``to`` by keyword as in PyTorch
    (``x.uniform_(**{'from': -1, 'to': 1})``), or ``from_=``.

    Example:
        >>> _ = random.manual_seed(0); uniform_(Tensor(np.zeros(4, dtype=np.float32)), -1, 1)
        Tensor([ 0.701248,  0.273923,  0.022273, -0.460427], dtype=float32)
    """
    _floating("uniform_", x)
    if bounds:
        unknown = set(bounds) - {"from"}
        if unknown:
            raise TypeError(f"uniform_: unexpected arguments {sorted(unknown)}")
        from_ = bounds["from"]
    if not from_ <= to:
        raise ValueError(f"uniform_: expects from <= to, got from={from_}, to={to}")
    rng = random._rng("uniform_", generator)

    def fill(a, _):
        np.copyto(a, random._uniform(rng, a.shape, a.dtype) * (to - from_) + from_,
                  casting="same_kind")
    return x._inplace("uniform_", fill)


def _floating(op, x):
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating tensor, got shape {x.shape} {x.dtype}; "
                        "convert it first (.float())")
