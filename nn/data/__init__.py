"""nn.data: datasets, batching and preprocessing fitted on training data.

Example:
    >>> from nn.data import DataLoader, TensorDataset, Standardize, load_mnist5k
    >>> Xtr, ytr, Xte, yte = load_mnist5k(scale=True, split=True, n_test=1000, seed=0)
    >>> pre = Standardize().fit(Xtr.reshape(len(Xtr), -1))
    >>> train = DataLoader(TensorDataset(pre.transform(Xtr.reshape(len(Xtr), -1)), ytr),
    ...                    batch_size=64, shuffle=True, generator=0)
"""
from .dataset import Dataset, TensorDataset, DataLoader
from .preprocessing import ZeroCenter, Standardize
from .whitening import PCA, ZCAWhiten
from .datasets import xor, spirals, moons, circles
from .digits import load_digits, load_mnist5k
from .split import train_test_split

__all__ = ["Dataset", "TensorDataset", "DataLoader", "ZeroCenter", "Standardize", "PCA",
           "ZCAWhiten", "xor", "spirals", "moons", "circles", "load_digits", "load_mnist5k",
           "train_test_split"]
