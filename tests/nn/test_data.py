"""nn.data: batching, preprocessing fitted on training data, toy datasets, real digits."""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import nn.data
from autograd import Tensor
from nn.data import (PCA, DataLoader, Dataset, Standardize, TensorDataset, ZCAWhiten,
                     ZeroCenter, circles, load_digits, load_mnist5k, moons, spirals,
                     train_test_split, xor)

# -- DataLoader and TensorDataset ---------------------------------------------------------


def _epoch_indices(loader):
    """The index field of every batch of one epoch, as a list of int arrays."""
    return [batch[-1].data for batch in loader]


@given(n=st.integers(0, 40), batch_size=st.integers(1, 12), shuffle=st.booleans(),
       seed=st.integers(0, 2 ** 32 - 1))
def test_loader_covers_the_dataset_exactly_once_per_epoch(n, batch_size, shuffle, seed):
    X = np.random.default_rng(seed).normal(size=(n, 3))
    loader = DataLoader(TensorDataset(X, np.arange(n)), batch_size=batch_size,
                        shuffle=shuffle, generator=seed)
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == len(loader) == -(-n // batch_size)
        assert all(len(b[1].data) == batch_size for b in batches[:-1])
        idx = np.concatenate([b[1].data for b in batches]) if batches else np.arange(0)
        np.testing.assert_array_equal(np.sort(idx), np.arange(n))
        for xb, ib in batches:          # each row travels with its own index
            np.testing.assert_array_equal(xb.data, X[ib.data])
        if not shuffle:
            np.testing.assert_array_equal(idx, np.arange(n))


@given(n=st.integers(0, 40), batch_size=st.integers(1, 12))
def test_drop_last_gives_only_full_batches(n, batch_size):
    loader = DataLoader(TensorDataset(np.arange(n)), batch_size=batch_size, shuffle=True,
                        drop_last=True, generator=1)
    batches = _epoch_indices(loader)
    assert len(batches) == len(loader) == n // batch_size
    assert all(len(b) == batch_size for b in batches)
    seen = np.concatenate(batches) if batches else np.arange(0)
    assert len(np.unique(seen)) == len(seen) == n - n % batch_size


def test_shuffle_is_reproducible_per_seed_and_differs_across_epochs():
    ds = TensorDataset(np.arange(50))
    a = DataLoader(ds, batch_size=8, shuffle=True, generator=7)
    b = DataLoader(ds, batch_size=8, shuffle=True, generator=7)
    epochs_a = [np.concatenate(_epoch_indices(a)) for _ in range(3)]
    epochs_b = [np.concatenate(_epoch_indices(b)) for _ in range(3)]
    for ea, eb in zip(epochs_a, epochs_b):
        np.testing.assert_array_equal(ea, eb)
    assert not np.array_equal(epochs_a[0], epochs_a[1])
    assert not np.array_equal(epochs_a[0], np.arange(50))
    other = np.concatenate(_epoch_indices(DataLoader(ds, batch_size=8, shuffle=True,
                                                     generator=8)))
    assert not np.array_equal(other, epochs_a[0])
    # A numpy Generator is used as is: the same stream as its seed.
    c = DataLoader(ds, batch_size=8, shuffle=True, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(np.concatenate(_epoch_indices(c)), epochs_a[0])


def test_batches_are_tensors_with_the_dataset_dtypes_and_shapes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 3, 4, 4)).astype(np.float32)
    y = rng.integers(0, 5, size=10)
    xb, yb = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
    assert (xb.shape, xb.dtype, yb.shape, yb.dtype) == ((4, 3, 4, 4), np.float32, (4,), np.int64)
    assert not xb.requires_grad and xb.is_leaf
    np.testing.assert_array_equal(xb.data, X[:4])
    xb.data[...] = 99.0                     # a batch is a copy, never a view of the data
    assert not np.any(X == 99.0)


def test_tensor_dataset_keeps_the_kind_of_each_input_and_batches_without_getitem():
    X = Tensor(np.arange(12.0).reshape(6, 2))
    y = np.arange(6)
    ds = TensorDataset(X, y)
    assert len(ds) == 6 and ds.tensors[0] is X
    row, label = ds[2]
    assert isinstance(row, Tensor) and not isinstance(label, Tensor)
    np.testing.assert_array_equal(row.data, [4.0, 5.0])
    scalar_rows = TensorDataset(Tensor(np.arange(3.0)), Tensor(np.arange(3)))[1]
    assert [r.dtype for r in scalar_rows] == [np.float64, np.int64]

    class Counting(TensorDataset):
        calls = 0

        def __getitem__(self, index):
            Counting.calls += 1
            return super().__getitem__(index)

    batches = list(DataLoader(Counting(X, y), batch_size=4, shuffle=True, generator=0))
    assert Counting.calls == 0          # vectorized: one fancy index per array per batch
    assert [b[0].shape for b in batches] == [(4, 2), (2, 2)]


def test_tensor_dataset_rejects_bad_inputs_clearly():
    with pytest.raises(ValueError, match=r"same first dimension.*\(5, 2\).*\(4,\)"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(np.array(3.0))
    with pytest.raises(TypeError, match="list"):
        TensorDataset([1, 2, 3])


def test_custom_dataset_is_collated_sample_by_sample():
    class Squares(Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32), i * i

    batches = list(DataLoader(Squares(), batch_size=3))
    assert [b[0].shape for b in batches] == [(3, 2), (3, 2), (1, 2)]
    np.testing.assert_array_equal(np.concatenate([b[1].data for b in batches]),
                                  np.arange(7) ** 2)
    assert batches[0][0].dtype == np.float32

    class Single(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.array([i, -i])

    only, = list(DataLoader(Single(), batch_size=3))   # one array per sample: one Tensor
    np.testing.assert_array_equal(only.data, [[0, 0], [1, -1], [2, -2]])
    with pytest.raises(NotImplementedError):             # as torch's Dataset
        Dataset()[0]


def test_loader_rejects_bad_arguments():
    ds = TensorDataset(np.arange(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, shuffle=True, generator="seed")
    with pytest.raises(TypeError, match="__getitem__"):
        DataLoader(42)


# -- preprocessing ------------------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
tables = hnp.arrays(np.float64, st.tuples(st.integers(2, 20), st.integers(1, 5)),
                    elements=finite)
images = hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 3),
                                          st.integers(1, 4), st.integers(1, 4)),
                    elements=finite)


def _atol(X):
    return 1e-10 * (1.0 + np.abs(X).max())


@given(tables)
def test_zero_center_per_feature_has_zero_mean_and_inverts(X):
    zc = ZeroCenter().fit(X)
    Z = zc.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=_atol(X))
    np.testing.assert_allclose(zc.inverse_transform(Z), X, atol=_atol(X))


@given(images)
def test_zero_center_per_channel_has_zero_mean_per_channel(X):
    zc = ZeroCenter(per="channel").fit(X)
    assert zc.mean_.shape == (X.shape[1],)
    np.testing.assert_allclose(zc.transform(X).mean(axis=(0, 2, 3)), 0.0, atol=_atol(X))


@given(tables)
def test_standardize_gives_unit_variance_where_there_is_variance(X):
    st_ = Standardize(eps=0.0).fit(X)
    Z = st_.transform(X)
    spread = X.std(axis=0) > 1e-6 * (1 + np.abs(X).max())
    np.testing.assert_allclose(Z.std(axis=0)[spread], 1.0, rtol=1e-6)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(st_.inverse_transform(Z), X, atol=1e-9 * (1 + np.abs(X).max()))


def test_standardize_maps_constant_features_to_zero():
    X = np.column_stack([np.full(30, 121.18580226), np.linspace(0, 1, 30)])
    for eps in (0.0, 1e-8):
        Z = Standardize(eps=eps).fit_transform(X)
        assert np.all(np.isfinite(Z)) and np.abs(Z[:, 0]).max() < 1e-9
        np.testing.assert_allclose(Z[:, 1].std(), 1.0, rtol=1e-6)


def _train_test(seed=0, shape=(40, 3)):
    rng = np.random.default_rng(seed)
    scale = np.arange(1, shape[-1] + 1)
    return rng.normal(1.0, scale, size=shape), rng.normal(-2.0, 3 * scale, size=(15,) + shape[1:])


def test_test_set_is_transformed_with_the_training_statistics():
    Xtr, Xte = _train_test()
    mu, var = Xtr.mean(axis=0), Xtr.var(axis=0)
    st_ = Standardize(eps=1e-8).fit(Xtr)
    np.testing.assert_allclose(st_.transform(Xte), (Xte - mu) / np.sqrt(var + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(ZeroCenter().fit(Xtr).transform(Xte), Xte - mu, rtol=1e-12)
    # ...and not with the test set's own statistics.
    assert not np.allclose(st_.transform(Xte), (Xte - Xte.mean(0)) / Xte.std(0), atol=0.1)

    pca = PCA(n_components=2).fit(Xtr)
    np.testing.assert_allclose(pca.transform(Xte), (Xte - mu) @ pca.components_.T, rtol=1e-12)
    zca = ZCAWhiten(eps=1e-5).fit(Xtr)
    cov = np.cov(Xtr, rowvar=False)
    s, u = np.linalg.eigh(cov)
    W = u @ np.diag(1 / np.sqrt(s + 1e-5)) @ u.T
    np.testing.assert_allclose(zca.transform(Xte), (Xte - mu) @ W, rtol=1e-9, atol=1e-12)


def test_standardize_per_channel_uses_training_channel_statistics():
    Xtr, Xte = _train_test(1, shape=(6, 3, 4, 5))
    mu = Xtr.mean(axis=(0, 2, 3), keepdims=True)
    sd = np.sqrt(Xtr.var(axis=(0, 2, 3), keepdims=True) + 1e-8)
    st_ = Standardize(per="channel").fit(Xtr)
    np.testing.assert_allclose(st_.transform(Xte), (Xte - mu) / sd, rtol=1e-12)
    # Channel statistics apply to any spatial size.
    assert st_.transform(Xte[:, :, :2, :3]).shape == (15, 3, 2, 3)


@st.composite
def correlated(draw, min_d=1, max_d=5):
    """Well-conditioned correlated data: N(0, 1) samples times a random mixing matrix."""
    d = draw(st.integers(min_d, max_d))
    n = draw(st.integers(3 * d + 2, 60))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    scales = draw(hnp.arrays(np.float64, d, elements=st.floats(0.5, 5.0)))
    shift = draw(hnp.arrays(np.float64, d, elements=st.floats(-10, 10)))
    return rng.normal(size=(n, d)) @ (q * scales) + shift


@given(correlated())
def test_zca_whitened_training_data_has_identity_covariance(X):
    zca = ZCAWhiten(eps=0).fit(X)
    Z = zca.transform(X)
    np.testing.assert_allclose(np.cov(Z, rowvar=False).reshape(X.shape[1], -1),
                               np.eye(X.shape[1]), atol=1e-8)
    np.testing.assert_allclose(zca.whitening_, zca.whitening_.T, atol=1e-10)   # ZCA: symmetric
    np.testing.assert_allclose(zca.inverse_transform(Z), X, atol=1e-8 * (1 + np.abs(X).max()))


@given(correlated(), st.floats(1e-3, 1.0))
def test_zca_eps_shrinks_each_eigen_direction_to_s_over_s_plus_eps(X, eps):
    zca = ZCAWhiten(eps=eps).fit(X)
    s, u = zca.explained_variance_, zca.components_.T
    expected = u @ np.diag(s / (s + eps)) @ u.T
    np.testing.assert_allclose(np.cov(zca.transform(X), rowvar=False).reshape(expected.shape),
                               expected, atol=1e-8)


@given(correlated(min_d=2), st.data())
def test_pca_whitened_training_data_has_unit_variance_per_kept_component(X, data):
    k = data.draw(st.integers(1, X.shape[1]))
    Z = PCA(n_components=k, whiten=True, eps=0).fit_transform(X)
    assert Z.shape == (len(X), k)
    np.testing.assert_allclose(np.cov(Z, rowvar=False).reshape(k, k), np.eye(k), atol=1e-8)
    # With the default eps=1e-5 (CS231n), the variances are S / (S + eps), all ~ 1 here.
    pca = PCA(n_components=k, whiten=True).fit(X)
    s = pca.explained_variance_
    np.testing.assert_allclose(np.var(pca.transform(X), axis=0, ddof=1), s / (s + 1e-5),
                               rtol=1e-8)


@given(correlated(min_d=2), st.data())
def test_pca_matches_numpy_svd(X, data):
    n, d = X.shape
    k = data.draw(st.integers(1, d))
    pca = PCA(n_components=k).fit(X)
    centred = X - X.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(pca.explained_variance_, sv[:k] ** 2 / (n - 1), rtol=1e-9)
    np.testing.assert_allclose(pca.explained_variance_ratio_, sv[:k] ** 2 / np.sum(sv ** 2),
                               rtol=1e-9)
    # Directions agree up to sign; the rank-k reconstruction agrees exactly.
    np.testing.assert_allclose(np.abs(pca.components_ @ vt[:k].T), np.eye(k), atol=1e-7)
    reconstruction = centred @ vt[:k].T @ vt[:k] + X.mean(axis=0)
    np.testing.assert_allclose(pca.inverse_transform(pca.transform(X)), reconstruction,
                               atol=1e-8 * (1 + np.abs(X).max()))


def test_pca_fraction_of_variance_and_image_samples():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6)) * np.array([10.0, 5.0, 1.0, 0.1, 0.1, 0.1])
    pca = PCA(n_components=0.95).fit(X)
    cumulative = np.cumsum(PCA().fit(X).explained_variance_ratio_)
    assert pca.n_components_ == int(np.argmax(cumulative >= 0.95)) + 1
    assert cumulative[pca.n_components_ - 2] < 0.95 <= cumulative[pca.n_components_ - 1]
    imgs = rng.normal(size=(30, 2, 3, 3))
    p = PCA(n_components=18).fit(imgs)
    assert p.transform(imgs).shape == (30, 18)
    np.testing.assert_allclose(p.inverse_transform(p.transform(imgs)), imgs, atol=1e-10)
    zca = ZCAWhiten(eps=0).fit(imgs)                 # ZCA keeps images as images
    white = zca.transform(imgs)
    assert white.shape == imgs.shape
    np.testing.assert_allclose(np.cov(white.reshape(30, -1), rowvar=False), np.eye(18),
                               atol=1e-8)


def test_tensor_in_tensor_out_and_dtypes():
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    for pre in (ZeroCenter(), Standardize(), PCA(2), ZCAWhiten()):
        out = pre.fit(Tensor(X)).transform(Tensor(X))
        assert isinstance(out, Tensor) and out.dtype == np.float32 and not out.requires_grad
        assert type(pre.transform(X)) is np.ndarray
        np.testing.assert_allclose(out.data, pre.transform(X))
    pixels = np.random.default_rng(1).integers(0, 256, size=(10, 4), dtype=np.uint8)
    assert ZeroCenter().fit_transform(pixels).dtype == np.float32


def test_preprocessing_errors_name_the_problem_and_keep_the_fit():
    X = np.random.default_rng(0).normal(size=(20, 3))
    for pre in (ZeroCenter(), Standardize(), PCA(2), ZCAWhiten()):
        name = type(pre).__name__
        with pytest.raises(RuntimeError, match=rf"{name}\.transform: not fitted yet"):
            pre.transform(X)
        pre.fit(X)
        before = pre.transform(X)
        with pytest.raises(ValueError, match=r"\(5, 4\)"):
            pre.transform(np.zeros((5, 4)))
        with pytest.raises(ValueError, match=rf"{name}\.fit"):
            pre.fit(np.zeros(7))                  # 1-D: not (N, D)
        np.testing.assert_array_equal(pre.transform(X), before)
    with pytest.raises(ValueError, match="channel"):
        ZeroCenter(per="channel").fit(np.zeros((4, 3, 2, 2))).transform(np.zeros((4, 2, 2, 2)))
    with pytest.raises(ValueError, match="per must be"):
        ZeroCenter(per="pixel")
    with pytest.raises(ValueError, match="n_components=5"):
        PCA(n_components=5).fit(np.zeros((4, 6)) + np.arange(6))
    with pytest.raises(ValueError, match="n_components"):
        PCA(n_components=1.5)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        PCA(2).fit(X).inverse_transform(np.zeros((3, 3)))
    singular = np.random.default_rng(1).normal(size=(10, 1)) @ np.ones((1, 3))
    zca = ZCAWhiten(eps=0).fit(X)
    before = zca.transform(X)
    with pytest.raises(ValueError, match="eps > 0"):
        zca.fit(singular)
    np.testing.assert_array_equal(zca.transform(X), before)      # the old fit still stands
    with pytest.raises(ValueError, match="eps > 0"):
        PCA(2, whiten=True, eps=0).fit(singular)
    with pytest.raises(ValueError, match="at least 2"):
        ZCAWhiten().fit(np.zeros((1, 3)))


# -- toy datasets -------------------------------------------------------------------------

GENERATORS = {
    "xor": (lambda seed: xor(120, 0.1, seed), 120, 2),
    "spirals": (lambda seed: spirals(40, 4, 0.2, seed), 160, 4),
    "moons": (lambda seed: moons(121, 0.1, seed), 121, 2),
    "circles": (lambda seed: circles(120, 0.05, 0.4, seed), 120, 2),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_toy_datasets_have_the_stated_shapes_and_are_deterministic(name):
    make, n, n_classes = GENERATORS[name]
    X, y = make(3)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    assert sorted(np.unique(y)) == list(range(n_classes))
    X2, y2 = make(3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make(4)[0], X)
    assert xor(10, dtype=np.float64)[0].dtype == np.float64


def test_spirals_are_the_cs231n_recipe():
    N, K = 100, 3
    rng = np.random.default_rng(11)
    X_ref, y_ref = np.zeros((N * K, 2)), np.zeros(N * K, dtype=np.uint8)
    for j in range(K):           # the notes' loop, with np.random.randn -> rng.standard_normal
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + rng.standard_normal(N) * 0.2
        X_ref[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y_ref[ix] = j
    X, y = spirals(seed=11, dtype=np.float64)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_noise_free_geometry():
    X, y = moons(60, noise=0.0, seed=0, dtype=np.float64)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    X, y = circles(60, noise=0.0, factor=0.3, seed=0, dtype=np.float64)
    np.testing.assert_allclose(np.hypot(*X.T), np.where(y == 0, 1.0, 0.3))
    X, y = xor(200, noise=0.0, seed=0, dtype=np.float64)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


def test_toy_datasets_reject_bad_arguments():
    with pytest.raises(ValueError, match="xor: n"):
        xor(0)
    with pytest.raises(ValueError, match="moons: noise"):
        moons(10, noise=-1)
    with pytest.raises(ValueError, match="circles: factor"):
        circles(10, factor=1.5)
    with pytest.raises(ValueError, match="spirals: n_classes"):
        spirals(10, n_classes=0)


# -- real digits and splitting ------------------------------------------------------------

def test_digits_load_with_the_documented_shapes_and_dtypes():
    X, y = load_digits()
    assert (X.shape, X.dtype, y.shape, y.dtype) == ((1797, 8, 8), np.uint8, (1797,), np.int64)
    assert X.max() == 16 and np.array_equal(np.unique(y), np.arange(10))
    assert np.bincount(y).min() >= 170
    Xs, _ = load_digits(scale=True)
    assert Xs.dtype == np.float32 and Xs.max() == 1.0
    np.testing.assert_allclose(Xs, X / 16.0, rtol=1e-6)


def test_mnist5k_loads_and_splits_shuffled_and_stratified():
    X, y = load_mnist5k()
    assert (X.shape, X.dtype, y.dtype) == ((5000, 28, 28), np.uint8, np.int64)
    assert np.bincount(y).tolist() == [500] * 10
    Xtr, ytr, Xte, yte = load_mnist5k(scale=True, split=True, n_test=1000, seed=0)
    assert Xtr.shape == (4000, 28, 28) and Xte.shape == (1000, 28, 28)
    assert Xtr.dtype == np.float32 and 0 <= Xtr.min() and Xtr.max() <= 1
    assert np.bincount(yte).tolist() == [100] * 10 and np.bincount(ytr).tolist() == [400] * 10
    assert np.any(np.diff(ytr) < 0) and np.any(np.diff(yte) < 0)        # not class-sorted
    # Together the splits are the whole set: per-class pixel sums match exactly.
    raw_tr, again_ytr, raw_te, again_yte = load_mnist5k(split=True, n_test=1000, seed=0)
    np.testing.assert_array_equal(again_ytr, ytr)
    np.testing.assert_array_equal(raw_te / np.float32(255), Xte)
    for c in range(10):
        total = raw_tr[ytr == c].sum(dtype=np.int64) + raw_te[yte == c].sum(dtype=np.int64)
        assert total == X[y == c].sum(dtype=np.int64)
    assert not np.array_equal(load_mnist5k(split=True, seed=1)[1], ytr)
    Xtr, ytr, Xte, yte = load_digits(split=True, n_test=300, seed=0)
    assert len(Xte) == 300 and len(np.unique(yte)) == len(np.unique(ytr)) == 10


def test_data_files_ship_inside_the_package():
    here = Path(nn.data.__file__).parent
    for name in ("digits.npz", "mnist5k.npz", "DATA.md"):
        assert (here / name).is_file()
    assert "CC BY-SA 3.0" in (here / "DATA.md").read_text()


@given(n=st.integers(2, 60), frac=st.floats(0.05, 0.95), stratify=st.booleans(),
       n_classes=st.integers(1, 4), seed=st.integers(0, 1000))
def test_train_test_split_partitions_and_keeps_rows_aligned(n, frac, stratify, n_classes,
                                                             seed):
    X = np.arange(n) * 10
    y = np.arange(n) % n_classes
    n_test = min(max(int(np.ceil(frac * n)), 1), n - 1)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=n_test, seed=seed, stratify=stratify)
    assert len(Xte) == n_test and len(Xtr) == n - n_test
    np.testing.assert_array_equal(np.sort(np.concatenate([Xtr, Xte])), X)
    np.testing.assert_array_equal(ytr, (Xtr // 10) % n_classes)
    np.testing.assert_array_equal(yte, (Xte // 10) % n_classes)
    if stratify:
        share = n_test * np.bincount(y, minlength=n_classes) / n
        assert np.all(np.abs(np.bincount(yte, minlength=n_classes) - share) < 1)
    again = train_test_split(X, y, test_size=n_test, seed=seed, stratify=stratify)
    np.testing.assert_array_equal(again[1], Xte)


def test_train_test_split_fractions_tensors_and_errors():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    Xtr, Xte, ytr, yte = train_test_split(Tensor(X), y, test_size=0.25)
    assert isinstance(Xtr, Tensor) and len(Xte.data) == 3 and type(ytr) is np.ndarray
    with pytest.raises(ValueError, match="same first dimension"):
        train_test_split(X, y[:9])
    with pytest.raises(ValueError, match="both splits"):
        train_test_split(X, y, test_size=10)
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(X, y, test_size=1.5)
