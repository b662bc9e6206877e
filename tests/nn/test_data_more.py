"""nn.data's torch.utils.data surface: default_collate/default_convert, samplers, Subset,
ConcatDataset, IterableDataset/ChainDataset, random_split and DataLoader's arguments, compared
with torch where it is installed, and their plain behaviour everywhere."""
import collections
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nn
from autograd import Tensor
from nn.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset,
                     IterableDataset, RandomSampler, Sampler, SequentialSampler, Subset,
                     SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate,
                     default_convert, get_worker_info, random_split)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


Point = collections.namedtuple("Point", ["x", "y"])


def plain(out):
    """A batch as plain Python: Tensors (chainrule's or torch's) as ('T', dtype, values)."""
    if isinstance(out, Tensor):
        return ("T", str(out.dtype), out.data.tolist())
    if type(out).__module__.startswith("torch") and hasattr(out, "detach"):
        return ("T", str(out.dtype).replace("torch.", ""), out.detach().numpy().tolist())
    if isinstance(out, dict):
        return {"dict": type(out).__name__, **{k: plain(v) for k, v in out.items()}}
    if isinstance(out, tuple) and hasattr(out, "_fields"):
        return (type(out).__name__, *[plain(v) for v in out])
    if isinstance(out, (list, tuple)):
        return (type(out).__name__, [plain(v) for v in out])
    return out


def samples(lib):
    """Batches of samples of many structures, with lib's tensors where a sample has one."""
    tensor = Tensor if lib is None else lib.tensor
    return {
        "ints": [0, 5, -2],
        "floats": [0.5, 1.25],
        "bools": [True, False, True],
        "numpy-scalars": [np.float32(1.5), np.float32(-2)],
        "numpy-int-scalars": [np.int64(3), np.int64(4)],
        "arrays": [np.arange(6, dtype=np.float32).reshape(2, 3), np.ones((2, 3), np.float32)],
        "int-arrays": [np.array([1, 2]), np.array([3, 4])],
        "tensors": [tensor(np.array([1.0, 2.0])), tensor(np.array([3.0, 4.0]))],
        "strings": ["a", "bc"],
        "tuples": [(np.zeros(2), 1, "x"), (np.ones(2), 2, "y")],
        "lists": [[1.0, np.array([1, 2])], [2.0, np.array([3, 4])]],
        "dicts": [{"img": np.zeros((2, 2)), "label": 3, "meta": {"id": "a", "w": 0.5}},
                  {"img": np.ones((2, 2)), "label": 1, "meta": {"id": "b", "w": 1.5}}],
        "namedtuples": [Point(np.array([0.0]), 1), Point(np.array([2.0]), 3)],
        "nested": [({"a": (1, 2.0)}, [np.float64(3)]), ({"a": (4, 5.0)}, [np.float64(6)])],
        "ordered-dict": [collections.OrderedDict(b=1, a=2), collections.OrderedDict(b=3, a=4)],
    }


@pytest.mark.parametrize("name", list(samples(None)))
def test_default_collate_matches_torch(torch, name):
    from torch.utils.data import default_collate as torch_collate
    assert plain(default_collate(samples(None)[name])) == \
        plain(torch_collate(samples(torch)[name]))


@pytest.mark.parametrize("name", list(samples(None)))
def test_default_convert_matches_torch(torch, name):
    from torch.utils.data import default_convert as torch_convert
    for mine, theirs in zip(samples(None)[name], samples(torch)[name]):
        assert plain(default_convert(mine)) == plain(torch_convert(theirs))


def test_default_collate_without_torch():
    out = default_collate([{"x": np.zeros(3, np.float32), "y": (1, 2.5)},
                           {"x": np.ones(3, np.float32), "y": (0, 0.5)}])
    assert out["x"].shape == (2, 3) and out["x"].dtype == np.float32
    y0, y1 = out["y"]                                     # a tuple field becomes a list
    assert isinstance(out["y"], list)
    assert (y0.dtype, y1.dtype) == (np.int64, np.float64)
    np.testing.assert_array_equal(y1.data, [2.5, 0.5])
    assert not out["x"].requires_grad
    p = default_collate([Point(1, "a"), Point(2, "b")])
    assert isinstance(p, Point) and p.y == ("a", "b")        # strings stay as zip gives them


@pytest.mark.parametrize("batch,err,match", [
    ([np.zeros(2), np.zeros(3)], ValueError, r"\(2,\) at entry 0 and \(3,\) at entry 1"),
    ([Tensor(np.zeros((2, 2))), Tensor(np.zeros(2))], ValueError, "pad_sequence"),
    ([(1, 2), (1, 2, 3)], RuntimeError, "equal size"),
    ([np.array(["a"]), np.array(["b"])], TypeError, "numpy arrays"),
    ([object(), object()], TypeError, "found"),
    ([], ValueError, "empty"),
])
def test_default_collate_errors_are_clear(batch, err, match):
    with pytest.raises(err, match=match):
        default_collate(batch)


# -- samplers ------------------------------------------------------------------------------


def test_sequential_and_batch_samplers_equal_torchs(torch):
    from torch.utils import data as td
    for n in (0, 1, 7, 12):
        assert list(SequentialSampler(range(n))) == list(td.SequentialSampler(range(n)))
        for bs in (1, 3, 5, 12, 13):
            for drop in (False, True):
                mine = BatchSampler(SequentialSampler(range(n)), bs, drop)
                ref = td.BatchSampler(td.SequentialSampler(range(n)), bs, drop)
                assert list(mine) == list(ref) and len(mine) == len(ref)


@given(n=st.integers(1, 30), num_samples=st.none() | st.integers(1, 70),
       replacement=st.booleans(), seed=st.integers(0, 1000))
def test_random_sampler_draws_the_right_indices(n, num_samples, replacement, seed):
    sampler = RandomSampler(range(n), replacement=replacement, num_samples=num_samples,
                            generator=seed)
    drawn = list(sampler)
    count = n if num_samples is None else num_samples
    assert len(drawn) == len(sampler) == count
    assert all(isinstance(i, int) and 0 <= i < n for i in drawn)
    if not replacement:            # whole permutations, then a partial one without repeats
        for start in range(0, count, n):
            chunk = drawn[start:start + n]
            assert len(set(chunk)) == len(chunk)
        assert sorted(drawn[:n * (count // n)]) == sorted(list(range(n)) * (count // n))
    assert drawn == list(RandomSampler(range(n), replacement=replacement,
                                       num_samples=num_samples, generator=seed))


def test_random_samplers_follow_nn_manual_seed_and_their_generator():
    nn.manual_seed(3)
    a = [list(RandomSampler(range(20))) for _ in range(2)]
    nn.manual_seed(3)
    b = [list(RandomSampler(range(20))) for _ in range(2)]
    assert a == b and a[0] != a[1]               # reproducible, and new draws each epoch
    s = RandomSampler(range(20), generator=np.random.default_rng(5))
    assert list(s) != list(s)                    # a given Generator advances
    assert list(RandomSampler(range(20), generator=5)) == \
        list(RandomSampler(range(20), generator=np.random.default_rng(5)))


def test_subset_and_weighted_samplers():
    sub = SubsetRandomSampler([10, 20, 30, 40], generator=0)
    assert sorted(sub) == [10, 20, 30, 40] and len(sub) == 4
    w = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=4000, generator=0)
    counts = np.bincount(list(w), minlength=3)
    assert counts[0] == 0 and 2.6 < counts[2] / counts[1] < 3.4
    nr = list(WeightedRandomSampler(np.array([1.0, 0.0, 2.0, 5.0]), 3, replacement=False,
                                    generator=1))
    assert sorted(nr) == [0, 2, 3]


@pytest.mark.parametrize("build,err,match", [
    (lambda: RandomSampler(range(3), replacement=1), TypeError, "replacement"),
    (lambda: RandomSampler(range(3), num_samples=0), ValueError, "num_samples"),
    (lambda: RandomSampler(range(3), generator="7"), TypeError, "generator"),
    (lambda: WeightedRandomSampler([1.0, -1.0], 2), ValueError, ">= 0"),
    (lambda: WeightedRandomSampler([[1.0]], 2), ValueError, "1-D"),
    (lambda: WeightedRandomSampler([1.0, 0.0], 2, replacement=False), ValueError,
     "without replacement"),
    (lambda: BatchSampler(range(3), 0, False), ValueError, "batch_size"),
    (lambda: BatchSampler(range(3), 2, "no"), ValueError, "drop_last"),
])
def test_sampler_arguments_are_checked(build, err, match):
    with pytest.raises(err, match=match):
        build()


def test_sampler_base_class_and_custom_samplers_in_a_loader():
    with pytest.raises(NotImplementedError):
        iter(Sampler())

    class Reverse(Sampler):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n - 1, -1, -1))

        def __len__(self):
            return self.n

    loader = DataLoader(TensorDataset(np.arange(5)), batch_size=2, sampler=Reverse(5))
    assert [b[0].data.tolist() for b in loader] == [[4, 3], [2, 1], [0]]
    batches = DataLoader(TensorDataset(np.arange(5)), batch_sampler=[[0, 4], [2]])
    assert [b[0].data.tolist() for b in batches] == [[0, 4], [2]]


# -- datasets ------------------------------------------------------------------------------


def test_subset_concat_and_chain_index_as_torch(torch):
    from torch.utils import data as td
    base = list(range(100, 110))
    mine, ref = Subset(base, [3, 1, 8]), td.Subset(base, [3, 1, 8])
    assert [mine[i] for i in range(3)] == [ref[i] for i in range(3)] and len(mine) == 3
    assert mine.__getitems__([2, 0]) == ref.__getitems__([2, 0])
    parts = [list(range(3)), list(range(10, 15)), [], list(range(20, 22))]
    cat, tcat = ConcatDataset(parts), td.ConcatDataset(parts)
    assert len(cat) == len(tcat) == 10 and cat.cumulative_sizes == tcat.cumulative_sizes
    assert [cat[i] for i in range(-10, 10)] == [tcat[i] for i in range(-10, 10)]
    with pytest.raises(ValueError):
        cat[-11]
    with pytest.raises(IndexError):
        cat[10]

    class Stream(IterableDataset):
        def __init__(self, items):
            self.items = items

        def __iter__(self):
            return iter(self.items)

        def __len__(self):
            return len(self.items)

    chain = Stream([1, 2]) + Stream([3])
    assert isinstance(chain, ChainDataset) and list(chain) == [1, 2, 3] and len(chain) == 3
    both = TensorDataset(np.arange(2)) + TensorDataset(np.arange(3))
    assert isinstance(both, ConcatDataset) and len(both) == 5
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="ChainDataset"):
        ConcatDataset([Stream([1])])
    with pytest.raises(TypeError, match="ConcatDataset"):
        list(ChainDataset([Stream([1]), [2]]))


def test_subset_of_a_tensor_dataset_batches_without_getitem():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)

    class Counting(TensorDataset):
        calls = 0

        def __getitem__(self, index):
            Counting.calls += 1
            return super().__getitem__(index)

    sub = Subset(Counting(X, y), [9, 0, 4, 5, 7])
    fast = list(DataLoader(sub, batch_size=2))
    assert Counting.calls == 0
    slow = list(DataLoader(sub, batch_size=2, collate_fn=lambda s: default_collate(s)))
    assert Counting.calls == 5
    for a, b in zip(fast, slow):
        assert isinstance(a, list) and isinstance(b, list)
        for ta, tb in zip(a, b):
            np.testing.assert_array_equal(ta.data, tb.data)
            assert ta.dtype == tb.dtype
    np.testing.assert_array_equal(np.concatenate([b[1].data for b in fast]), [9, 0, 4, 5, 7])

    class Doubled(Subset):
        def __getitem__(self, i):
            return super().__getitem__(i) * 2
    with pytest.raises(NotImplementedError, match="__getitems__"):
        Doubled(list(range(5)), [1, 2])


def test_typed_subclasses_as_in_torch():
    class Pairs(Dataset[tuple]):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.float32(i), i

    class Every(Sampler[int]):
        def __iter__(self):
            return iter([2, 0])

    class Numbers(IterableDataset[int]):
        def __iter__(self):
            return iter(range(3))

    xb, yb = next(iter(DataLoader(Pairs(), batch_size=2, sampler=Every())))
    assert xb.data.tolist() == [2.0, 0.0] and yb.data.tolist() == [2, 0]
    assert list(Numbers()) == [0, 1, 2] and isinstance(Numbers(), Dataset)


def test_getitems_is_used_for_batches():
    class Batched(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            raise AssertionError("__getitems__ should be used")

        def __getitems__(self, indices):
            return [(np.float64(i), i % 2) for i in indices]

    xb, yb = next(iter(DataLoader(Batched(), batch_size=4)))
    np.testing.assert_array_equal(xb.data, [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(yb.data, [0, 1, 0, 1])


# -- random_split --------------------------------------------------------------------------


@given(n=st.integers(0, 60), weights=st.lists(st.integers(0, 10), min_size=1, max_size=5))
def test_random_split_fraction_lengths_equal_torchs(n, weights):
    torch = pytest.importorskip("torch")
    if sum(weights) == 0:
        weights = [1] + weights[1:]
    fractions = [w / sum(weights) for w in weights]
    with warnings.catch_warnings(record=True) as mine_w:
        warnings.simplefilter("always")
        try:
            mine = [len(s) for s in random_split(range(n), fractions, generator=0)]
        except ValueError:
            mine = "error"
    with warnings.catch_warnings(record=True) as ref_w:
        warnings.simplefilter("always")
        try:
            ref = [len(s) for s in torch.utils.data.random_split(
                range(n), fractions, generator=torch.Generator().manual_seed(0))]
        except ValueError:
            ref = "error"
    assert mine == ref
    assert len(mine_w) == len(ref_w)                     # one warning per empty split


@given(n=st.integers(0, 50), cuts=st.lists(st.integers(0, 50), max_size=4),
       seed=st.integers(0, 100))
def test_random_split_partitions_the_dataset(n, cuts, seed):
    bounds = sorted(min(c, n) for c in cuts)
    lengths = np.diff([0, *bounds, n]).tolist()
    with warnings.catch_warnings():      # counts summing to 1 are read as fractions (torch)
        warnings.simplefilter("ignore", UserWarning)
        parts = random_split(list(range(n)), lengths, generator=seed)
        again = random_split(list(range(n)), lengths, generator=seed)
    assert [len(p) for p in parts] == lengths
    assert all(isinstance(p, Subset) for p in parts)
    seen = [x for p in parts for x in p]
    assert sorted(seen) == list(range(n))
    assert [p.indices for p in parts] == [p.indices for p in again]


def test_random_split_examples_and_errors():
    train, val, test = random_split(range(10), [0.5, 0.3, 0.2], generator=1)
    assert (len(train), len(val), len(test)) == (5, 3, 2)
    a, b, c = random_split(range(10), [0.34, 0.33, 0.33], generator=1)   # 3,3,3 + 1 to the first
    assert (len(a), len(b), len(c)) == (4, 3, 3)
    nn.manual_seed(11)
    first = [s.indices for s in random_split(range(12), [6, 6])]
    nn.manual_seed(11)
    assert [s.indices for s in random_split(range(12), [6, 6])] == first
    with pytest.raises(ValueError, match="sum to 9 but the dataset has 10"):
        random_split(range(10), [4, 5])
    with pytest.raises(ValueError, match="fraction at index 0 is 1.5"):
        random_split(range(10), [1.5, -0.5])
    with pytest.warns(UserWarning, match="index 1 is 0"):
        random_split(range(2), [0.9, 0.1])            # [2, 0]
    X = TensorDataset(np.arange(8.0).reshape(4, 2))
    part, _ = random_split(X, [3, 1], generator=0)
    (xb,) = next(iter(DataLoader(part, batch_size=3)))
    np.testing.assert_array_equal(xb.data, X.get_batch(np.array(part.indices))[0])


# -- DataLoader ----------------------------------------------------------------------------


@given(n=st.integers(0, 30), batch_size=st.integers(1, 8), drop_last=st.booleans())
def test_batch_counts_and_contents_equal_torchs(n, batch_size, drop_last):
    torch = pytest.importorskip("torch")
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    mine = DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)
    ref = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
        torch.tensor(X), torch.tensor(y)), batch_size=batch_size, drop_last=drop_last)
    assert len(mine) == len(ref)
    assert [plain(b) for b in mine] == [plain(b) for b in ref]


class Stream(IterableDataset):
    def __init__(self, n, with_len=True):
        self.n, self.with_len = n, with_len

    def __iter__(self):
        assert get_worker_info() is None
        for i in range(self.n):
            yield {"x": np.full(2, float(i)), "i": i}

    def __len__(self):
        if not self.with_len:
            raise TypeError("Stream has no length")
        return self.n


class TorchStream:
    """The same stream as a torch IterableDataset (built lazily: torch is optional)."""

    def __new__(cls, torch, n):
        class _S(torch.utils.data.IterableDataset):
            def __iter__(self):
                for i in range(n):
                    yield {"x": np.full(2, float(i)), "i": i}

            def __len__(self):
                return n
        return _S()


@pytest.mark.parametrize("n,kwargs", [(7, dict(batch_size=3)),
                                      (7, dict(batch_size=3, drop_last=True)),
                                      (6, dict(batch_size=2, drop_last=True)),
                                      (4, dict(batch_size=None)),
                                      (0, dict(batch_size=2))])
def test_iterable_dataset_batches_equal_torchs(torch, n, kwargs):
    mine = DataLoader(Stream(n), **kwargs)
    ref = torch.utils.data.DataLoader(TorchStream(torch, n), **kwargs)
    assert [plain(b) for b in mine] == [plain(b) for b in ref]
    assert len(mine) == len(ref)


def test_iterable_dataset_without_len_and_bad_options():
    loader = DataLoader(Stream(5, with_len=False), batch_size=2)
    assert [b["i"].data.tolist() for b in loader] == [[0, 1], [2, 3], [4]]
    with pytest.raises(TypeError, match="no length"):
        len(loader)
    for bad in (dict(shuffle=True), dict(sampler=SequentialSampler(range(3))),
                dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError, match="IterableDataset"):
            DataLoader(Stream(3), **bad)


def test_worker_and_memory_arguments_are_accepted_and_change_nothing():
    ds = TensorDataset(np.arange(10.0), np.arange(10))
    called = []
    plain_loader = DataLoader(ds, batch_size=3, shuffle=True, generator=4)
    busy = DataLoader(ds, batch_size=3, shuffle=True, generator=4, num_workers=4,
                      pin_memory=True, timeout=5.0, worker_init_fn=called.append,
                      multiprocessing_context="spawn", prefetch_factor=4,
                      persistent_workers=True, pin_memory_device="", in_order=False)
    for _ in range(2):
        assert [plain(b) for b in busy] == [plain(b) for b in plain_loader]
    assert called == [] and busy.num_workers == 4 and busy.pin_memory
    assert DataLoader(ds, num_workers=2).prefetch_factor == 2       # torch's default
    stream = DataLoader(Stream(4), batch_size=2, num_workers=3)     # read once, not per worker
    assert [b["i"].data.tolist() for b in stream] == [[0, 1], [2, 3]]


BAD_LOADERS = [
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True),
    dict(multiprocessing_context="spawn"),
    dict(num_workers=1, multiprocessing_context="threads"),
    dict(shuffle=True, sampler=[0, 1, 2]),
    dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_sampler=[[0]], sampler=[0]),
    dict(batch_size=None, drop_last=True),
    dict(batch_size=0),
]


@pytest.mark.parametrize("kwargs", BAD_LOADERS, ids=[str(k) for k in BAD_LOADERS])
def test_bad_loader_arguments_are_refused_as_torch_refuses_them(torch, kwargs):
    with pytest.raises(ValueError):
        DataLoader(TensorDataset(np.arange(3)), **kwargs)
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(3)), **kwargs)


def test_loader_type_errors():
    with pytest.raises(TypeError, match="generator"):
        DataLoader(TensorDataset(np.arange(3)), shuffle=True, generator=1.5)
    with pytest.raises(TypeError, match="collate_fn"):
        DataLoader(TensorDataset(np.arange(3)), collate_fn="stack")
    with pytest.raises(TypeError, match="__len__"):
        DataLoader(type("NoLen", (Dataset,), {"__getitem__": lambda self, i: i})())


def test_collate_fn_batch_size_none_and_iterator_length():
    ds = TensorDataset(np.arange(6.0), np.arange(6))
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return default_collate(samples)[0].data.sum()

    assert list(DataLoader(ds, batch_size=4, collate_fn=collate)) == [6.0, 9.0]
    assert seen == [4, 2]
    singles = list(DataLoader(ds, batch_size=None))
    assert len(singles) == 6 and isinstance(singles[0], list)
    assert singles[2][1].shape == () and singles[2][1].dtype == np.int64
    it = iter(DataLoader(ds, batch_size=4))
    assert len(it) == 2 and len(list(it)) == 2


def test_shuffle_without_a_generator_follows_nn_manual_seed():
    ds = TensorDataset(np.arange(30))
    loader = DataLoader(ds, batch_size=30, shuffle=True)
    nn.manual_seed(0)
    first = [next(iter(loader))[0].data.tolist() for _ in range(2)]
    nn.manual_seed(0)
    again = [next(iter(loader))[0].data.tolist() for _ in range(2)]
    assert first == again and first[0] != first[1]
    assert sorted(first[0]) == list(range(30))


def test_dict_samples_batch_to_dicts_through_the_loader():
    class Records(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full((2, 2), i, np.float32), "label": i % 2, "name": f"r{i}"}

    batches = list(DataLoader(Records(), batch_size=2, drop_last=True))
    assert len(batches) == 2
    assert batches[1]["x"].shape == (2, 2, 2) and batches[1]["name"] == ["r2", "r3"]
    np.testing.assert_array_equal(batches[0]["label"].data, [0, 1])
