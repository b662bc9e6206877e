"""chainrule's neural-network library: modules, layers, activations, losses, init, data.

Built only on ``autograd``: every layer is a graph of Tensors and Functions.

Example:
    >>> import numpy as np, nn
    >>> from autograd import Tensor
    >>> _ = nn.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    >>> x, y = Tensor(np.ones((2, 4), np.float32)), Tensor(np.array([0, 2]))
    >>> loss = nn.CrossEntropyLoss()(model(x), y); loss
    Tensor(1.421978, dtype=float32, grad_fn=CrossEntropyIndex)
    >>> loss.backward(); model[0].weight.grad.shape
    (8, 4)
"""
from . import _autograd_check  # noqa: F401  first: is `autograd` chainrule's? (HIPS clash)
from .module import Module, Parameter, manual_seed, get_generator
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .linear import Linear, Maxout, Identity, Flatten
from .unflatten import Unflatten
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .pooling import MaxPool2d, AvgPool2d
from .adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from .upsample import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d
from .dropout import Dropout, Dropout1d, Dropout2d
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .group_norm import GroupNorm, InstanceNorm1d, InstanceNorm2d
from .rnn import RNNBase, RNN, LSTM, GRU
from .rnn_cell import RNNCell, LSTMCell, GRUCell
from .embedding import Embedding
from .activation import (Sigmoid, Tanh, ReLU, LeakyReLU, PReLU, ELU, GELU, SiLU, Softmax,
                         LogSoftmax, ReLU6, Hardtanh, Softplus, LogSigmoid)
from .distance import CosineSimilarity, PairwiseDistance
from .loss import (MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss,
                   MultiMarginLoss, SmoothL1Loss, HuberLoss, KLDivLoss)
from .penalties import l1_penalty, l2_penalty, elastic_net
from .serialization import save, load, CheckpointError
from . import functional, init, utils, data

__all__ = [
    # modules and containers
    "Module", "Parameter", "manual_seed", "get_generator", "Sequential", "ModuleList",
    "ModuleDict", "ParameterList", "ParameterDict",
    # layers
    "Linear", "Maxout", "Identity", "Flatten", "Unflatten", "Conv1d", "Conv2d",
    "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "Dropout", "Dropout1d",
    "Dropout2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm1d",
    "InstanceNorm2d", "RNNBase", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "Embedding",
    # activations
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU", "Softmax",
    "LogSoftmax", "ReLU6", "Hardtanh", "Softplus", "LogSigmoid",
    # distances, losses, penalties
    "CosineSimilarity", "PairwiseDistance", "MSELoss", "L1Loss", "BCELoss",
    "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "MultiMarginLoss", "SmoothL1Loss",
    "HuberLoss", "KLDivLoss", "l1_penalty", "l2_penalty", "elastic_net",
    # saving and loading
    "save", "load", "CheckpointError",
    # subpackages
    "functional", "init", "utils", "data",
]
