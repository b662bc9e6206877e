"""The functional forms of nn's layers, activations and losses (PyTorch's ``nn.functional``).

Example:
    >>> import numpy as np, nn.functional as F
    >>> from autograd import Tensor
    >>> x, w, b = Tensor([[1.0, -2.0]]), Tensor([[1.0, 1.0], [2.0, 0.0]]), Tensor([0.5, -0.5])
    >>> F.relu(F.linear(x, w, b))                  # relu(x @ w.T + b)
    Tensor([[0. , 1.5]], dtype=float32)
    >>> F.cross_entropy(Tensor([[2.0, 0.0, 0.0]]), Tensor(np.array([0])))
    Tensor(0.239545, dtype=float32)
"""
from .linear import linear
from .conv import conv1d, conv2d, conv_transpose2d
from .pooling import max_pool2d, avg_pool2d
from .adaptive import adaptive_avg_pool2d, adaptive_max_pool2d
from .upsample import interpolate
from .padding import pad
from .dropout import dropout, dropout1d, dropout2d
from .normalization import batch_norm, layer_norm
from .group_norm import group_norm, instance_norm
from .embedding import embedding, one_hot
from .activation import (sigmoid, tanh, relu, leaky_relu, prelu, elu, gelu, silu, softmax,
                         log_softmax, relu6, hardtanh, softplus, logsigmoid)
from .distance import normalize, cosine_similarity, pairwise_distance
from .loss import (mse_loss, l1_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
                   cross_entropy, nll_loss, multi_margin_loss, smooth_l1_loss, huber_loss,
                   kl_div)

__all__ = [
    # layers
    "linear", "conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "pad", "dropout", "dropout1d",
    "dropout2d", "batch_norm", "layer_norm", "group_norm", "instance_norm", "embedding",
    "one_hot",
    # activations
    "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu", "silu", "softmax",
    "log_softmax", "relu6", "hardtanh", "softplus", "logsigmoid",
    # distances
    "normalize", "cosine_similarity", "pairwise_distance",
    # losses
    "mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "nll_loss", "multi_margin_loss", "smooth_l1_loss", "huber_loss", "kl_div",
]
