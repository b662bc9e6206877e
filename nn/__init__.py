"""chainrule's neural-network library: modules, layers, activations, losses, init, data.

Built only on ``autograd``: every layer is a graph of Tensors and Functions.

Example:
    >>> import nn
    >>> model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    >>> loss = nn.CrossEntropyLoss()(model(x), y)
"""
from . import _autograd_check  # noqa: F401  first: is `autograd` chainrule's? (HIPS clash)
from .module import Module, Parameter, manual_seed, get_generator
from .container import Sequential, ModuleList
from .linear import Linear, Maxout, Identity, Flatten
from .conv import Conv2d
from .pooling import MaxPool2d, AvgPool2d
from .dropout import Dropout
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .rnn import RNNBase, RNN, LSTM, GRU
from .rnn_cell import RNNCell, LSTMCell, GRUCell
from .embedding import Embedding
from .activation import ReLU6, Hardtanh, Softplus, LogSigmoid
from .distance import CosineSimilarity, PairwiseDistance
from .loss import SmoothL1Loss, HuberLoss, KLDivLoss
from .group_norm import GroupNorm, InstanceNorm1d, InstanceNorm2d
from .dropout import Dropout1d, Dropout2d
from .container import ModuleDict, ParameterList, ParameterDict
from .unflatten import Unflatten
from .adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from .upsample import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d
from .conv import Conv1d, ConvTranspose2d
from .activation import (Sigmoid, Tanh, ReLU, LeakyReLU, PReLU, ELU, GELU, SiLU, Softmax,
                         LogSoftmax)
from .loss import (MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss,
                   MultiMarginLoss)
from .penalties import l1_penalty, l2_penalty, elastic_net
from .serialization import save, load, CheckpointError
from . import functional, init, utils, data
