"""Random numbers: one seeded default generator for autograd and nn, Generator objects for
explicit streams, the random factories and in-place fills, with PyTorch's signatures.

Streams are NumPy's PCG64 (``manual_seed(s)`` draws what
``np.random.default_rng(s)`` draws), so the same seed gives different
numbers than PyTorch; what must agree with PyTorch is everything else:
signatures, shapes, dtypes, ranges, the distributions (checked on large
samples with fixed seeds, so the figures are the same on every machine) and
the gradients (none through sampling: zeros, as PyTorch's).
"""
import subprocess
import sys

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn.data import DataLoader, RandomSampler, TensorDataset, random_split

try:
    import torch
except ImportError:
    torch = None


@pytest.fixture(autouse=True)
def _keep_the_default_stream():
    """Tests reseed the default generator; put its position back afterwards."""
    state = autograd.get_rng_state()
    yield
    autograd.set_rng_state(state)


DRAWS = {
    "rand": lambda g: autograd.rand(2, 3, generator=g),
    "randn": lambda g: autograd.randn((4,), generator=g),
    "randint": lambda g: autograd.randint(0, 10, (5,), generator=g),
    "randperm": lambda g: autograd.randperm(6, generator=g),
    "normal": lambda g: autograd.normal(1.0, 2.0, (3,), generator=g),
    "normal_tensors": lambda g: autograd.normal(Tensor([0.0, 5.0]), Tensor([1.0, 0.1]),
                                                generator=g),
    "bernoulli": lambda g: autograd.bernoulli(Tensor([0.3, 0.5, 0.9]), generator=g),
    "multinomial": lambda g: autograd.multinomial(Tensor([1.0, 2.0, 3.0]), 2, generator=g),
    "rand_like": lambda g: autograd.rand_like(Tensor([1.0, 2.0]), generator=g),
    "randn_like": lambda g: autograd.randn_like(Tensor([1.0, 2.0]), generator=g),
    "randint_like": lambda g: autograd.randint_like(Tensor([1.0, 2.0]), 5, generator=g),
    "normal_": lambda g: Tensor(np.zeros(3)).normal_(generator=g),
    "uniform_": lambda g: Tensor(np.zeros(3)).uniform_(-1, 1, generator=g),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_a_seed_repeats_the_draws_of_the_default_and_of_a_given_generator(name):
    draw = DRAWS[name]
    autograd.manual_seed(123)
    a, b = draw(None), draw(None)
    autograd.manual_seed(123)
    assert draw(None).tolist() == a.tolist() and draw(None).tolist() == b.tolist()
    g = autograd.Generator().manual_seed(7)
    before = autograd.get_rng_state().tolist()
    c = draw(g)
    assert autograd.get_rng_state().tolist() == before       # the default stream is untouched
    assert draw(autograd.Generator().manual_seed(7)).tolist() == c.tolist()


def test_the_stream_is_numpys_pcg64():
    autograd.manual_seed(0)
    assert autograd.rand(4, dtype=autograd.float64).tolist() == \
        np.random.default_rng(0).random(4).tolist()
    g = autograd.Generator().manual_seed(2 ** 64 - 1)
    assert autograd.randn(3, dtype=autograd.float64, generator=g).tolist() == \
        np.random.default_rng(2 ** 64 - 1).standard_normal(3).tolist()
    assert autograd.Generator().manual_seed(-1).initial_seed() == 2 ** 64 - 1   # as PyTorch


def test_nn_draws_from_autograds_default_generator():
    assert nn.get_generator() is autograd.default_generator.numpy()
    assert nn.manual_seed(5) is autograd.default_generator
    assert autograd.initial_seed() == 5
    autograd.manual_seed(11)
    w = nn.Linear(3, 2).weight.data.copy()
    nn.manual_seed(11)
    assert np.array_equal(nn.Linear(3, 2).weight.data, w)
    autograd.manual_seed(11)
    nn.init.normal_(nn.Linear(3, 2).weight)
    a = autograd.rand(3)
    nn.manual_seed(11)
    nn.init.normal_(nn.Linear(3, 2).weight)
    assert autograd.rand(3).tolist() == a.tolist()      # one stream, drawn in turn


def test_data_loading_takes_an_autograd_generator():
    data = TensorDataset(Tensor(np.arange(10.0)))

    def order(generator):
        loader = DataLoader(data, batch_size=3, shuffle=True, generator=generator)
        return [b[0].tolist() for b in loader]

    first = order(autograd.Generator().manual_seed(0))
    assert first == order(autograd.Generator().manual_seed(0))
    assert sorted(sum(first, [])) == list(range(10))
    g = autograd.Generator().manual_seed(1)
    assert order(g) != order(g)                       # the generator advances
    parts = random_split(range(10), [0.7, 0.3], generator=autograd.Generator().manual_seed(42))
    again = random_split(range(10), [0.7, 0.3], generator=autograd.Generator().manual_seed(42))
    assert [list(p) for p in parts] == [list(p) for p in again] and len(parts[0]) == 7
    assert list(RandomSampler(range(5), generator=autograd.Generator().manual_seed(3))) == \
        list(RandomSampler(range(5), generator=autograd.Generator().manual_seed(3)))
    with pytest.raises(TypeError, match="an autograd.Generator"):
        DataLoader(data, shuffle=True, generator="0")


def test_shuffling_without_a_generator_follows_autograd_manual_seed():
    data = TensorDataset(Tensor(np.arange(20.0)))
    autograd.manual_seed(9)
    a = [b[0].tolist() for b in DataLoader(data, batch_size=5, shuffle=True)]
    nn.manual_seed(9)
    assert [b[0].tolist() for b in DataLoader(data, batch_size=5, shuffle=True)] == a


def test_generator_state_and_seeds():
    g = autograd.Generator()
    assert g.initial_seed() == 67280421310721 and g.device == "cpu"   # PyTorch's new-Generator seed
    assert autograd.randn(3, generator=g).tolist() == \
        autograd.randn(3, generator=autograd.Generator()).tolist()
    state = g.get_state()
    assert state.dtype == np.uint8 and state.shape == (45,)
    a = autograd.rand(5, generator=g)
    assert g.set_state(state) is g
    assert autograd.rand(5, generator=g).tolist() == a.tolist()
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2 ** 64
    with pytest.raises(ValueError, match=r"set_state: expected the uint8 tensor of shape \(45,\)"):
        g.set_state(Tensor(np.zeros(3)))
    with pytest.raises(TypeError, match="manual_seed: seed must be an integer"):
        g.manual_seed(1.5)
    with pytest.raises(ValueError, match=r"manual_seed: the seed must be in \[-2\*\*63, 2\*\*64\)"):
        g.manual_seed(2 ** 64)
    with pytest.raises(TypeError, match="rand: generator must be an autograd.Generator"):
        autograd.rand(2, generator=np.random.default_rng(0))


def test_the_default_generator_starts_from_a_fresh_seed_in_each_process():
    code = "import autograd; print(autograd.initial_seed(), autograd.rand(2).tolist())"
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] != runs[1]                               # as PyTorch's default generator


# -- shapes, dtypes, ranges, distributions --------------------------------------------------


def test_uniform_draws():
    autograd.manual_seed(0)
    x = autograd.rand(100_000)
    assert x.dtype == np.float32 and x.shape == (100_000,)
    assert 0 <= x.data.min() and x.data.max() < 1
    assert abs(x.data.mean() - 0.5) < 0.005 and abs(x.data.var() - 1 / 12) < 0.002
    assert autograd.rand(2, 2, dtype=autograd.float64).dtype == np.float64
    half = autograd.rand(10_000, dtype=autograd.float16)
    assert half.dtype == np.float16 and half.data.max() < 1
    like = autograd.rand_like(Tensor(np.zeros((2, 3))))
    assert like.shape == (2, 3) and like.dtype == np.float64
    assert autograd.rand(3, requires_grad=True).requires_grad


def test_normal_draws():
    autograd.manual_seed(1)
    x = autograd.randn(200_000).data
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    y = autograd.normal(3.0, 0.5, size=(100_000,)).data
    assert y.dtype == np.float32 and abs(y.mean() - 3) < 0.01 and abs(y.std() - 0.5) < 0.01
    mean = Tensor(np.array([[-10.0], [10.0]]))
    std = Tensor(np.array([0.1, 1.0, 2.0]))
    z = autograd.normal(mean, std)                  # broadcast: (2, 3)
    assert z.shape == (2, 3) and z.dtype == np.float64
    assert np.all(np.abs(z.data - mean.data) < 10 * std.data)
    w = autograd.normal(Tensor(np.full(50_000, 2.0)), 3.0).data
    assert abs(w.mean() - 2) < 0.05 and abs(w.std() - 3) < 0.05


def test_integer_draws():
    autograd.manual_seed(2)
    x = autograd.randint(-3, 4, (10_000,))
    assert x.dtype == np.int64 and x.data.min() == -3 and x.data.max() == 3
    assert np.all(np.bincount(x.data + 3) > 1300)           # all 7 values, ~1430 each
    assert autograd.randint(5, (2, 2)).shape == (2, 2)      # randint(high, size)
    assert autograd.randint(0, 2, (3,), dtype=autograd.int32).dtype == np.int32
    assert autograd.randint_like(Tensor(np.zeros(4)), 3, 6).dtype == np.float64
    p = autograd.randperm(50)
    assert p.dtype == np.int64 and sorted(p.tolist()) == list(range(50))
    assert autograd.randperm(0).shape == (0,)


def test_bernoulli_and_multinomial_draws():
    autograd.manual_seed(3)
    probs = Tensor(np.array([0.0, 0.2, 0.7, 1.0]))
    draws = np.stack([autograd.bernoulli(probs).data for _ in range(5000)])
    assert draws.dtype == np.float64 and set(np.unique(draws)) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.mean(axis=0), [0.0, 0.2, 0.7, 1.0], atol=0.02)
    assert autograd.bernoulli(Tensor(np.zeros((2, 2))), 1.0).tolist() == [[1, 1], [1, 1]]
    w = Tensor(np.array([1.0, 0.0, 3.0]))
    counts = np.bincount(autograd.multinomial(w, 20_000, replacement=True).data, minlength=3)
    assert counts[1] == 0 and 2.8 < counts[2] / counts[0] < 3.2
    rows = autograd.multinomial(Tensor(np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 5.0, 1.0, 1.0]])),
                                3)
    assert rows.shape == (2, 3) and rows.dtype == np.int64
    for row in rows.tolist():
        assert len(set(row)) == 3                           # without replacement
    assert sorted(rows.tolist()[0]) == [0, 1, 2]


@pytest.mark.parametrize("call, error, words", [
    (lambda: autograd.rand(2, dtype=autograd.int64), TypeError,
     "rand: draws floating-point numbers; dtype int64"),
    (lambda: autograd.rand(-1), ValueError, r"rand: sizes must be >= 0"),
    (lambda: autograd.randint(3, 3, (2,)), ValueError, r"randint: the range \[low, high\) = "),
    (lambda: autograd.randint(3), TypeError, "randint: give high and size"),
    (lambda: autograd.randperm(-2), ValueError, "randperm: n must be >= 0"),
    (lambda: autograd.normal(0.0, -1.0, (2,)), ValueError, "normal: std must be >= 0"),
    (lambda: autograd.normal(0.0, 1.0), TypeError, "normal: with a number mean and std, "),
    (lambda: autograd.normal(Tensor([0.0, 1.0]), Tensor([1.0, 1.0, 1.0])), ValueError,
     r"normal: mean shape \(2,\) float32 and std shape \(3,\) float32 do not broadcast"),
    (lambda: autograd.bernoulli(Tensor([0.5, 1.5])), ValueError,
     r"bernoulli: probabilities must be in \[0, 1\]"),
    (lambda: autograd.multinomial(Tensor([1.0, -1.0]), 1), ValueError,
     "multinomial: weights must be finite and >= 0"),
    (lambda: autograd.multinomial(Tensor([1.0, 0.0, 0.0]), 2), ValueError,
     "multinomial: cannot draw 2 samples without replacement from a row with only 1"),
    (lambda: autograd.multinomial(Tensor([0.0, 0.0]), 1), ValueError,
     "multinomial: every row of weights"),
])
def test_bad_random_arguments_are_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


# -- gradients: none through sampling, as PyTorch -----------------------------------------


def test_sampling_passes_zero_gradients_as_pytorch():
    mean = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    std = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = autograd.normal(mean, std)
    assert y.requires_grad and y.grad_fn is not None
    (y * 3).sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0] and std.grad.tolist() == [0.0, 0.0]
    p = Tensor(np.array([0.5, 0.5]), requires_grad=True)
    autograd.bernoulli(p).sum().backward()
    assert p.grad.tolist() == [0.0, 0.0]
    reparameterised = mean + std * autograd.randn_like(std)   # the differentiable way
    reparameterised.sum().backward()
    assert mean.grad.tolist() == [1.0, 1.0]
    if torch is not None:
        m = torch.tensor([0.0, 1.0], requires_grad=True)
        s = torch.tensor([1.0, 2.0], requires_grad=True)
        (torch.normal(m, s) * 3).sum().backward()
        assert m.grad.tolist() == [0.0, 0.0] and s.grad.tolist() == [0.0, 0.0]


def test_multinomial_and_integer_draws_never_require_grad():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert not autograd.multinomial(w, 1).requires_grad
    assert not w.multinomial(1).requires_grad and not w.bernoulli(0.5).requires_grad


# -- in-place fills -----------------------------------------------------------------------------


def test_in_place_fills():
    autograd.manual_seed(4)
    x = Tensor(np.zeros(50_000, dtype=np.float32))
    assert x.normal_(2.0, 0.5) is x and x.dtype == np.float32
    assert abs(x.data.mean() - 2) < 0.01 and abs(x.data.std() - 0.5) < 0.01
    x.uniform_(-3, -1)
    assert -3 <= x.data.min() and x.data.max() < -1 and abs(x.data.mean() + 2) < 0.02
    x.uniform_(**{"from": 5, "to": 6})                      # PyTorch's keyword names
    assert 5 <= x.data.min() and x.data.max() < 6
    assert x._version == 3
    with pytest.raises(TypeError, match="normal_: needs a floating tensor"):
        Tensor(np.zeros(2, np.int64)).normal_()
    with pytest.raises(ValueError, match="uniform_: expects from <= to"):
        x.uniform_(1, 0)


def test_a_refused_fill_draws_nothing():
    w = Tensor(np.zeros(3), requires_grad=True)
    autograd.manual_seed(8)
    with pytest.raises(RuntimeError, match="normal_: in-place change of a tensor that requires"):
        w.normal_()
    after_refusal = autograd.rand(2).tolist()
    autograd.manual_seed(8)
    assert autograd.rand(2).tolist() == after_refusal
    with autograd.no_grad():
        w.normal_()                                         # as an initialiser does
    assert w.requires_grad and np.all(w.data != 0)
