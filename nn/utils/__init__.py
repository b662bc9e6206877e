"""Utilities, as torch.nn.utils: gradient clipping, parameters as one vector, and
``nn.utils.rnn`` (padding variable-length sequences into one batch).

Example:
    >>> import nn
    >>> from autograd import Tensor
    >>> model = nn.Linear(2, 1)
    >>> model(Tensor([[3.0, 4.0]])).sum().backward()    # gradients [[3, 4]] and [1]
    >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)    # the norm before
    Tensor(5.09902, dtype=float32)
    >>> nn.utils.parameters_to_vector(p.grad for p in model.parameters())   # norm 1 now
    Tensor([0.588348, 0.784464, 0.196116], dtype=float32)
"""
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import rnn

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters", "rnn"]
