"""Random numbers: ``Generator``, the seeded default stream, and the random factories.

One default generator (``default_generator``) serves every random factory
(``rand``, ``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial``), the in-place ``normal_``/``uniform_``, and ``nn``'s
initialisers, dropout and data shuffling; ``manual_seed(s)`` reseeds it, so
one call makes a whole program repeatable. ``Generator().manual_seed(s)``
makes an independent stream to pass as ``generator=``.

Generators run NumPy's PCG64 (``np.random.Generator``), not PyTorch's
Mersenne Twister: a seed gives repeatable numbers here, but not the numbers
PyTorch gives for that seed. As in PyTorch, the default generator starts
from a fresh random seed in each process, and a new ``Generator()`` from the
fixed seed 67280421310721.

Example:
    >>> _ = manual_seed(0); a = rand(3)
    >>> _ = manual_seed(0); b = rand(3)
    >>> bool((a == b).all()), a.dtype
    (True, dtype('float32'))
"""
import numpy as np

from ._tensor import Tensor
from .function import Function
from .grad_mode import get_default_dtype
from .ops import args
from . import device as devices
from . import dtypes
from .factories import _new, _shape, _number, allocating

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "rand", "rand_like", "randn", "randn_like",
           "randint", "randint_like", "randperm", "normal", "bernoulli", "multinomial"]

DEFAULT_SEED = 67280421310721        # PyTorch's seed for a new Generator()
_STATE_BYTES = 8 + 16 + 16 + 1 + 4   # seed, PCG64 state and increment, cached 32-bit draw


def _seed_value(op, seed):
    """A seed as PyTorch takes it: any integer in [-2**63, 2**64), negatives wrapped."""
    seed = args.index(op, "seed", seed)
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError(f"{op}: the seed must be in [-2**63, 2**64), got {seed}")
    return seed % 2 ** 64


class Generator:
    """An independent stream of random numbers (``torch.Generator``) on NumPy's PCG64.

    ``manual_seed(s)`` reseeds it in place and returns it; ``get_state()`` and
    ``set_state()`` save and restore its position (a uint8 tensor).
    ``numpy()`` is the ``np.random.Generator`` it draws from (shared: drawing
    from either advances both).

    Example:
        >>> g = Generator().manual_seed(42); state = g.get_state()
        >>> randn(2, generator=g)
        Tensor([ 0.141907, -1.668508], dtype=float32)
        >>> _ = g.set_state(state); randn(2, generator=g)        # the same draws again
        Tensor([ 0.141907, -1.668508], dtype=float32)
    """

    def __init__(self, device="cpu"):
        self.device = devices.check("Generator", device)
        self._seed = DEFAULT_SEED
        self._rng = np.random.Generator(np.random.PCG64(DEFAULT_SEED))

    def manual_seed(self, seed):
        """Restart the stream from ``seed`` (an integer); returns the generator.

        Example:
            >>> Generator().manual_seed(3).initial_seed()
            3
        """
        seed = _seed_value("manual_seed", seed)
        self._rng.bit_generator.state = np.random.PCG64(seed).state   # in place: numpy() stays
        self._seed = seed
        return self

    def seed(self):
        """Reseed from fresh OS entropy; returns the new seed.

        Example:
            >>> g = Generator(); s = g.seed(); g.initial_seed() == s
            True
        """
        s = int(np.random.SeedSequence().entropy) % 2 ** 64
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed the stream last started from.

        Example:
            >>> Generator().initial_seed()
            67280421310721
        """
        return self._seed

    def get_state(self):
        """The stream's position as a uint8 tensor, for ``set_state``.

        Example:
            >>> Generator().get_state().dtype
            dtype('uint8')
        """
        st = self._rng.bit_generator.state
        raw = (self._seed.to_bytes(8, "little")
               + st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(1, "little")
               + int(st["uinteger"]).to_bytes(4, "little"))
        return Tensor(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Return to a position saved by ``get_state``; returns the generator.

        Example:
            >>> g = Generator(); s = g.get_state(); _ = rand(3, generator=g)
            >>> g.set_state(s).get_state().tolist() == s.tolist()
            True
        """
        return self._load(_state_bytes("set_state", new_state))

    def _load(self, raw):
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(raw[8:24], "little"),
                      "inc": int.from_bytes(raw[24:40], "little")},
            "has_uint32": raw[40], "uinteger": int.from_bytes(raw[41:45], "little")}
        self._seed = int.from_bytes(raw[:8], "little")
        return self

    def numpy(self):
        """The ``np.random.Generator`` behind this stream (shared, not a copy).

        Example:
            >>> Generator().manual_seed(0).numpy().integers(10, size=3)
            array([8, 6, 5])
        """
        return self._rng

    def __repr__(self):
        return f"<autograd.Generator seed={self._seed}>"


def _state_bytes(op, new_state):
    """The bytes of a state that ``get_state`` returned, or a ValueError naming the op."""
    data = new_state.data if isinstance(new_state, Tensor) else new_state
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 \
            or data.shape != (_STATE_BYTES,):
        got = (f"shape {data.shape} {data.dtype}" if isinstance(data, np.ndarray)
               else type(new_state).__name__)
        raise ValueError(f"{op}: expected the uint8 tensor of shape ({_STATE_BYTES},) that "
                         f"get_state() returns, got {got}")
    return data.tobytes()


default_generator = Generator()
default_generator.seed()


def manual_seed(seed):
    """Reseed the default generator (and so nn's initialisers, dropout, shuffling); returns it.

    Example:
        >>> manual_seed(0) is default_generator
        True
    """
    return default_generator.manual_seed(seed)


def seed():
    """Reseed the default generator from OS entropy; returns the seed.

    Example:
        >>> seed() == initial_seed()
        True
    """
    return default_generator.seed()


def initial_seed():
    """The seed the default generator last started from.

    Example:
        >>> _ = manual_seed(7); initial_seed()
        7
    """
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's position (a uint8 tensor).

    Example:
        >>> _ = manual_seed(0); s = get_rng_state(); s.dtype, s.shape
        (dtype('uint8'), (45,))
        >>> a = rand(2); set_rng_state(s); bool((rand(2) == a).all())
        True
    """
    return default_generator.get_state()


def set_rng_state(new_state):
    """Return the default generator to a position saved by ``get_rng_state``.

    Example:
        >>> _ = manual_seed(0); saved = get_rng_state()
        >>> rand(2)
        Tensor([0.850624, 0.636962], dtype=float32)
        >>> set_rng_state(saved); rand(2)                     # the same draws again
        Tensor([0.850624, 0.636962], dtype=float32)
    """
    default_generator._load(_state_bytes("set_rng_state", new_state))


def _rng(op, generator):
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}: generator must be an autograd.Generator or None (the default "
                        f"generator), got {type(generator).__name__}")
    return generator._rng


def _float_dtype(op, dtype, default=None):
    dtype = dtypes.resolve(op, dtype, default or get_default_dtype())
    if dtype.kind != "f":
        raise TypeError(f"{op}: draws floating-point numbers; dtype {dtype} is not one. Use "
                        "a float dtype, or randint for integers")
    return dtype


def _uniform(rng, shape, dtype):
    """Uniform [0, 1) in ``dtype``; float16 drawn in float32 and kept below 1 after rounding."""
    if dtype == np.float64 or dtype == np.float32:
        return rng.random(shape, dtype=dtype)
    out = rng.random(shape, dtype=np.float32).astype(dtype)
    return np.minimum(out, np.nextafter(dtype.type(1), dtype.type(0)))


def _standard_normal(rng, shape, dtype):
    if dtype == np.float64 or dtype == np.float32:
        return rng.standard_normal(shape, dtype=dtype)
    return rng.standard_normal(shape, dtype=np.float32).astype(dtype)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform random numbers in [0, 1) of the given size (default float dtype).

    Example:
        >>> _ = manual_seed(0); rand(2, 2)
        Tensor([[0.850624, 0.636962],
                [0.511136, 0.269787]], dtype=float32)
    """
    dtype, rng = _float_dtype("rand", dtype), _rng("rand", generator)
    return _new("rand", lambda s, d: _uniform(rng, s, d), _shape("rand", size), dtype,
                requires_grad, device)


def rand_like(x, *, generator=None, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    """Uniform [0, 1) numbers of ``x``'s shape and dtype (or ``dtype``).

    Example:
        >>> _ = manual_seed(0); rand_like(Tensor([1.0, 2.0]))
        Tensor([0.850624, 0.636962], dtype=float32)
    """
    dtype = _float_dtype("rand_like", dtype, _like("rand_like", x).dtype)
    rng = _rng("rand_like", generator)
    return _new("rand_like", lambda s, d: _uniform(rng, s, d), x.shape, dtype, requires_grad,
                device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal random numbers (mean 0, std 1) of the given size.

    Example:
        >>> g = Generator().manual_seed(0)
        >>> randn(3, generator=g).dtype
        dtype('float32')
    """
    dtype, rng = _float_dtype("randn", dtype), _rng("randn", generator)
    return _new("randn", lambda s, d: _standard_normal(rng, s, d), _shape("randn", size),
                dtype, requires_grad, device)


def randn_like(x, *, generator=None, dtype=None, device=None, requires_grad=False,
               memory_format=None):
    """Standard normal numbers of ``x``'s shape and dtype (or ``dtype``).

    Example:
        >>> _ = manual_seed(0); randn_like(Tensor(np.zeros((2, 3))))     # keeps float64
        Tensor([[ 0.12573 , -0.132105,  0.640423],
                [ 0.1049  , -0.535669,  0.361595]], dtype=float64)
    """
    dtype = _float_dtype("randn_like", dtype, _like("randn_like", x).dtype)
    rng = _rng("randn_like", generator)
    return _new("randn_like", lambda s, d: _standard_normal(rng, s, d), x.shape, dtype,
                requires_grad, device)


def _int_bounds(op, low, high):
    low, high = args.index(op, "low", low), args.index(op, "high", high)
    if high <= low:
        raise ValueError(f"{op}: the range [low, high) = [{low}, {high}) is empty; "
                         "high must be greater than low")
    return low, high


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Random integers in [low, high) of ``size`` (a tuple): ``randint(high, size)`` too.

    The dtype defaults to int64.

    Example:
        >>> _ = manual_seed(0); randint(3, 10, (4,))               # integers in [3, 10)
        Tensor([8, 7, 6, 4], dtype=int64)
    """
    if size is None:
        if high is None:
            raise TypeError("randint: give high and size, e.g. randint(10, (3,)) or "
                            "randint(0, 10, (3,))")
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint: give high and size, e.g. randint(10, (3,))")
    low, high = _int_bounds("randint", low, high)
    dtype, rng = dtypes.resolve("randint", dtype, dtypes.int64), _rng("randint", generator)
    return _new("randint", lambda s, d: rng.integers(low, high, s).astype(d),
                _shape("randint", (size,)), dtype, requires_grad, device)


def randint_like(x, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad=False, memory_format=None):
    """Random integers in [low, high) of ``x``'s shape and dtype: ``randint_like(x, high)`` too.

    Example:
        >>> _ = manual_seed(0); randint_like(Tensor([0, 0], dtype="int64"), 5)   # in [0, 5)
        Tensor([4, 3], dtype=int64)
    """
    if high is None:
        low, high = 0, low
    low, high = _int_bounds("randint_like", low, high)
    dtype = dtypes.resolve("randint_like", dtype, _like("randint_like", x).dtype)
    rng = _rng("randint_like", generator)
    return _new("randint_like", lambda s, d: rng.integers(low, high, s).astype(d), x.shape,
                dtype, requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1 (int64 by default).

    Example:
        >>> _ = manual_seed(0); sorted(randperm(5).tolist())
        [0, 1, 2, 3, 4]
    """
    n = args.index("randperm", "n", n)
    if n < 0:
        raise ValueError(f"randperm: n must be >= 0, got {n}")
    dtype, rng = dtypes.resolve("randperm", dtype, dtypes.int64), _rng("randperm", generator)
    return _new("randperm", lambda s, d: rng.permutation(n).astype(d), (n,), dtype,
                requires_grad, device)


def _like(op, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor to take the shape of, got "
                        f"{type(x).__name__}")
    return x


class Sample(Function):
    """A draw whose parameters are tensors: no gradient flows through sampling.

    As PyTorch's NormalBackward and BernoulliBackward: the result requires
    grad when a parameter does, and each parameter gets a zero gradient. For a
    gradient through the noise, write the reparameterised form yourself
    (``mean + std * randn_like(std)``).
    """
    array_backward = True

    @staticmethod
    def forward(ctx, draw, *params):
        return draw()

    @staticmethod
    def backward(ctx, g):
        return (None,) + (g * 0,) * (len(ctx.inputs) - 1)    # None inputs get nothing


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False):
    """Normal random numbers with ``mean`` and ``std`` (each a number or a tensor).

    With tensors, the result has their broadcast shape and dtype; with two
    numbers, give ``size``. ``std`` must be >= 0. Sampling passes no gradient
    (mean and std get zeros, as in PyTorch).

    Example:
        >>> _ = manual_seed(0); normal(2.0, 0.5, (3,)).shape
        (3,)
        >>> normal(Tensor([10.0, 100.0]), 1e-6).round()
        Tensor([ 10., 100.], dtype=float32)
    """
    rng = _rng("normal", generator)
    tensors = [p for p in (mean, std) if isinstance(p, Tensor)]
    m, s = (p.data if isinstance(p, Tensor) else _real("normal", what, p)
            for what, p in (("mean", mean), ("std", std)))
    if np.any(np.asarray(s) < 0) or np.any(np.isnan(s)):
        raise ValueError(f"normal: std must be >= 0, got {_show(std)}")
    if not tensors:
        if size is None:
            raise TypeError("normal: with a number mean and std, give size, e.g. "
                            "normal(0.0, 1.0, (3,)); or pass mean/std tensors")
        return _new("normal", lambda sh, d: (_standard_normal(rng, sh, d) * d.type(s)
                                             + d.type(m)).astype(d, copy=False),
                    _shape("normal", (size,)), _float_dtype("normal", dtype), requires_grad,
                    device)
    if size is not None:
        raise TypeError("normal: size is for number mean and std; with tensors the shape "
                        "is theirs")
    try:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    except ValueError:
        raise ValueError(f"normal: mean {_show(mean)} and std {_show(std)} do not "
                         "broadcast") from None
    dtype = _float_dtype("normal", dtype, np.result_type(*[t.dtype for t in tensors]))
    devices.check("normal", device)

    def draw():
        z = _standard_normal(rng, shape, dtype)
        return (z * np.asarray(s, dtype=dtype) + np.asarray(m, dtype=dtype)).astype(dtype)

    return Sample.apply(draw, *[p if isinstance(p, Tensor) else None for p in (mean, std)])


def bernoulli(input, p=None, *, generator=None):
    """0/1 draws: 1 with probability ``input`` (elementwise), or with ``p`` in input's shape.

    The result has ``input``'s dtype. Probabilities must be in [0, 1].
    Sampling passes no gradient (the probabilities get zeros, as in PyTorch).

    Example:
        >>> bernoulli(Tensor([0.0, 1.0, 1.0]))
        Tensor([0., 1., 1.], dtype=float32)
    """
    x = _like("bernoulli", input)
    try:
        probs = x.data if p is None else (p.data if isinstance(p, Tensor) else np.asarray(p))
        fits = probs.dtype.kind in "biuf" and np.broadcast_shapes(probs.shape, x.shape) == x.shape
    except ValueError:          # a ragged list, shapes that do not broadcast
        fits = False
    if not fits:
        raise TypeError(f"bernoulli: p must be a number or real probabilities that broadcast "
                        f"to input's shape {x.shape}, got {_show(p)}")
    if x.dtype.kind != "f":
        raise TypeError(f"bernoulli: expected floating probabilities, got shape {x.shape} "
                        f"{x.dtype}; convert with .float()")
    if np.any(~((probs >= 0) & (probs <= 1))):
        raise ValueError(f"bernoulli: probabilities must be in [0, 1]; got values in "
                         f"[{np.nanmin(probs)}, {np.nanmax(probs)}] (or NaN)")
    rng = _rng("bernoulli", generator)

    def draw():
        return (_uniform(rng, x.shape, np.dtype(np.float64)) < probs).astype(x.dtype)

    if p is None:
        return Sample.apply(draw, x)
    return Tensor(draw())


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Category indices drawn with weights ``input`` (one row, or one draw set per row).

    ``input`` holds non-negative weights (they need not sum to 1), 1-d or 2-d.
    Without replacement each category is drawn at most once, so
    ``num_samples`` may not exceed the number of non-zero weights. Returns an
    int64 tensor of shape (num_samples,) or (rows, num_samples).

    Example:
        >>> multinomial(Tensor([0.0, 1.0, 0.0]), 2, replacement=True)
        Tensor([1, 1], dtype=int64)
    """
    x = _like("multinomial", input)
    n = args.index("multinomial", "num_samples", num_samples)
    replacement = args.flag("multinomial", "replacement", replacement)
    w = x.data
    if w.ndim not in (1, 2) or w.shape[-1] == 0:
        raise ValueError(f"multinomial: expected 1-d or 2-d weights with at least one "
                         f"category, got shape {x.shape} {x.dtype}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"multinomial: weights must be finite and >= 0 (shape {x.shape})")
    rows = w.reshape(-1, w.shape[-1]).astype(np.float64)
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise ValueError(f"multinomial: every row of weights (shape {x.shape}) needs a "
                         "positive sum")
    if n <= 0:
        raise ValueError(f"multinomial: num_samples must be positive, got {n}")
    if not replacement and np.any((rows > 0).sum(axis=1) < n):
        raise ValueError(f"multinomial: cannot draw {n} samples without replacement from "
                         f"a row with only {int((rows > 0).sum(axis=1).min())} non-zero "
                         "weights; use replacement=True or fewer samples")
    rng = _rng("multinomial", generator)
    with allocating("multinomial", (len(rows), n), np.int64):
        out = np.stack([rng.choice(len(r), size=n, replace=replacement, p=r / t)
                        for r, t in zip(rows, totals)]).astype(np.int64)
    return Tensor(out.reshape(w.shape[:-1] + (n,)))


def _real(op, what, value):
    value = _number(op, what, value)
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: {what} must be a real number, got {value!r}")
    return value


def _show(v):
    return f"shape {v.shape} {v.dtype}" if isinstance(v, Tensor) else repr(v)

