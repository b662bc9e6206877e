"""The functional forms of nn's layers, activations and losses (PyTorch's ``nn.functional``).

Example:
    >>> import nn.functional as F
    >>> loss = F.cross_entropy(F.relu(F.linear(x, w, b)), y)
"""
from .linear import linear
from .conv import conv2d
from .pooling import max_pool2d, avg_pool2d
from .dropout import dropout
from .normalization import batch_norm, layer_norm
from .activation import (sigmoid, tanh, relu, leaky_relu, prelu, elu, gelu, silu, softmax,
                         log_softmax)
from .loss import (mse_loss, l1_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
                   cross_entropy, nll_loss, multi_margin_loss)

__all__ = ["linear", "conv2d", "max_pool2d", "avg_pool2d", "dropout", "batch_norm",
           "layer_norm", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu", "silu",
           "softmax", "log_softmax", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "multi_margin_loss"]

from .activation import relu6, hardtanh, softplus, logsigmoid  # noqa: E402
from .embedding import embedding  # noqa: E402

__all__ += ["relu6", "hardtanh", "softplus", "logsigmoid", "embedding"]

from .embedding import one_hot  # noqa: E402
from .padding import pad  # noqa: E402
from .distance import normalize, cosine_similarity, pairwise_distance  # noqa: E402
from .loss import smooth_l1_loss, huber_loss, kl_div  # noqa: E402

__all__ += ["one_hot", "pad", "normalize", "cosine_similarity", "pairwise_distance",
            "smooth_l1_loss", "huber_loss", "kl_div"]

from .group_norm import group_norm, instance_norm  # noqa: E402
from .dropout import dropout1d, dropout2d  # noqa: E402

__all__ += ["group_norm", "instance_norm", "dropout1d", "dropout2d"]

from .adaptive import adaptive_avg_pool2d, adaptive_max_pool2d  # noqa: E402
from .upsample import interpolate  # noqa: E402

__all__ += ["adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate"]

from .conv import conv1d, conv_transpose2d  # noqa: E402

__all__ += ["conv1d", "conv_transpose2d"]
