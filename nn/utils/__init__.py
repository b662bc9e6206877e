"""Utilities, as torch.nn.utils: gradient clipping, parameters as one vector, and
``nn.utils.rnn`` (padding variable-length sequences into one batch).

Example:
    >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    >>> flat = nn.utils.parameters_to_vector(model.parameters())
"""
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import rnn

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters", "rnn"]
