"""PyTorch's keyword arguments that programs pass: Linear(device=, dtype=), load(map_location=,
weights_only=). Accepted with their meaning on a CPU-only library, or refused clearly."""
import numpy as np
import pytest

import autograd
import nn


def test_linear_takes_dtype_and_a_cpu_device():
    layer = nn.Linear(3, 2, dtype=autograd.float64, device="cpu")
    assert layer.weight.dtype == np.float64 and layer.bias.dtype == np.float64
    assert nn.Linear(3, 2, device=autograd.device("cpu")).weight.dtype == np.float32
    out = layer(autograd.tensor(np.ones((4, 3))))
    assert out.dtype == np.float64


def test_linear_with_dtype_draws_the_same_numbers_as_a_default_one_cast():
    nn.manual_seed(3)
    a = nn.Linear(4, 3, dtype=autograd.float64)
    nn.manual_seed(3)
    b = nn.Linear(4, 3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data.astype(np.float64))


def test_linear_refuses_a_gpu_and_an_integer_dtype():
    with pytest.raises(RuntimeError, match="Linear: device 'cuda' is not available"):
        nn.Linear(3, 2, device="cuda")
    with pytest.raises(TypeError, match="Linear: dtype must be floating point, got int64"):
        nn.Linear(3, 2, dtype=autograd.int64)


@pytest.fixture
def checkpoint(tmp_path):
    path = tmp_path / "model.pt"
    layer = nn.Linear(3, 2)
    nn.save(layer.state_dict(), path)
    return path, layer.state_dict()


@pytest.mark.parametrize("where", [None, "cpu", "cpu:0", autograd.device("cpu"),
                                   {"cuda:0": "cpu"}])
def test_load_takes_a_map_location_to_the_cpu(checkpoint, where):
    path, state = checkpoint
    loaded = nn.load(path, map_location=where)
    assert sorted(loaded) == sorted(state)
    np.testing.assert_array_equal(loaded["weight"], state["weight"])
    assert sorted(nn.load(path, where)) == sorted(state)        # positional, as torch.load


@pytest.mark.parametrize("flag", [None, True, False])
def test_load_takes_weights_only_and_never_unpickles(checkpoint, flag):
    path, state = checkpoint
    assert sorted(nn.load(path, weights_only=flag)) == sorted(state)


def test_load_refuses_other_map_locations_before_reading(checkpoint):
    path, _ = checkpoint
    with pytest.raises(RuntimeError, match="load: map_location: device 'cuda' is not"):
        nn.load(path, map_location="cuda")
    with pytest.raises(RuntimeError, match="device 'cuda:1' is not available"):
        nn.load(path, map_location={"cuda:0": "cuda:1"})
    with pytest.raises(TypeError, match="map_location as a function is not supported"):
        nn.load(path, map_location=lambda storage, loc: storage)
    with pytest.raises(TypeError, match="weights_only must be True, False or None"):
        nn.load(path, weights_only="yes")
