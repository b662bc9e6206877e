"""All parameters as one flat vector and back (torch.nn.utils.parameters_to_vector and
vector_to_parameters), e.g. for second-order methods or flat-vector checks."""
import numpy as np

from autograd import Tensor, concatenate, no_grad

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _tensors(fname, parameters):
    if isinstance(parameters, Tensor):
        raise TypeError(f"{fname}: expected an iterable of Tensors (e.g. model.parameters()), "
                        "got one Tensor; wrap it in a list")
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{fname}: parameter {i} is a {type(p).__name__}, not a Tensor")
    return params


def parameters_to_vector(parameters):
    """Concatenate every parameter, flattened, into one 1-d Tensor (differentiable).

    Example:
        >>> w, b = Tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor([5.0, 6.0])
        >>> parameters_to_vector([w, b])
        Tensor([1., 2., 3., 4., 5., 6.], dtype=float32)
    """
    params = _tensors("parameters_to_vector", parameters)
    if not params:
        raise ValueError("parameters_to_vector: no parameters given")
    dtypes = {p.dtype for p in params}
    if len(dtypes) > 1:
        raise TypeError(f"parameters_to_vector: parameters have different dtypes "
                        f"{sorted(map(str, dtypes))}; convert them to one dtype first")
    return concatenate([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-d ``vec`` into the parameters, in place.

    The values are copied (PyTorch makes the parameters views of ``vec``);
    nothing is recorded, and each parameter's version is bumped.

    Example:
        >>> w, b = Tensor(np.zeros((2, 2), np.float32)), Tensor(np.zeros(1, np.float32))
        >>> vector_to_parameters(Tensor([1.0, 2.0, 3.0, 4.0, 5.0]), [w, b])
        >>> w, b
        (Tensor([[1., 2.],
                [3., 4.]], dtype=float32), Tensor([5.], dtype=float32))
    """
    params = _tensors("vector_to_parameters", parameters)
    data = vec.data if isinstance(vec, Tensor) else np.asarray(vec)
    if data.ndim != 1:
        raise TypeError(f"vector_to_parameters: expected a 1-d vector, got shape {data.shape}")
    total = sum(p.size for p in params)
    if data.size != total:
        raise ValueError(f"vector_to_parameters: the vector has {data.size} elements but the "
                         f"{len(params)} parameters hold {total}")
    offset = 0
    with no_grad():
        for p in params:
            p.copy_(data[offset:offset + p.size].reshape(p.shape))
            offset += p.size
