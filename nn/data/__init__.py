"""nn.data: datasets, batching and preprocessing fitted on training data.

Example:
    >>> from nn.data import DataLoader, TensorDataset, Standardize, load_mnist5k
    >>> Xtr, ytr, Xte, yte = load_mnist5k(scale=True, split=True, n_test=1000, seed=0)
    >>> pre = Standardize().fit(Xtr.reshape(len(Xtr), -1))
    >>> train = DataLoader(TensorDataset(pre.transform(Xtr.reshape(len(Xtr), -1)), ytr),
    ...                    batch_size=64, shuffle=True, generator=0)
"""
from .dataset import (Dataset, IterableDataset, TensorDataset, ConcatDataset, ChainDataset,
                      Subset)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
                      WeightedRandomSampler, BatchSampler)
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .preprocessing import ZeroCenter, Standardize
from .whitening import PCA, ZCAWhiten
from .datasets import xor, spirals, moons, circles
from .digits import load_digits, load_mnist5k
from .split import random_split, train_test_split

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset",
           "Subset", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "default_collate", "default_convert",
           "DataLoader", "get_worker_info", "ZeroCenter", "Standardize", "PCA", "ZCAWhiten",
           "xor", "spirals", "moons", "circles", "load_digits", "load_mnist5k", "random_split",
           "train_test_split"]
