"""The experiments' protocol (examples/_protocol.py): issue 14's data splits and scaling, the
"default" and "matched" initializations, and step counting at 10 % resolution."""
import math

import numpy as np
import pytest

import nn
import optim
from examples._protocol import (CHECKED, Checkpoints, digits, evaluate, geometric_steps, mlp,
                                mnist5k, steps_to, train)


@pytest.mark.parametrize("load, loader, max_value, n_train, n_test", [
    (mnist5k, nn.data.load_mnist5k, 255.0, 4000, 1000),
    (digits, nn.data.load_digits, 16.0, 1437, 360)])
def test_split_and_scaling_follow_the_protocol(load, loader, max_value, n_train, n_test):
    d = load()
    images, labels = loader()
    order = np.random.RandomState(0).permutation(len(images))
    X = images[order].reshape(len(images), -1).astype(np.float64) / max_value
    train_x = X[:n_train]
    mean = train_x.mean(axis=0)
    scale = (train_x - mean).std()                # one scalar, of the centred training pixels
    assert d.X_train.shape == (n_train, X.shape[1]) and d.X_test.shape == (n_test, X.shape[1])
    assert d.X_train.dtype == np.float32 and d.y_train.dtype == np.int64
    np.testing.assert_array_equal(d.y_train, labels[order][:n_train])
    np.testing.assert_array_equal(d.y_test, labels[order][n_train:])
    np.testing.assert_allclose(d.X_test, (X[n_train:] - mean) / scale, atol=1e-5)
    assert d.scale == pytest.approx(scale)
    # centred per pixel, unit std overall, on the training set only
    assert np.abs(d.X_train.astype(np.float64).mean(axis=0)).max() < 1e-5
    assert d.X_train.astype(np.float64).std() == pytest.approx(1.0, abs=1e-5)


def test_default_init_is_uniform_one_over_sqrt_fan_in_for_weights_and_biases():
    model = mlp(784, [100], 10, "relu", init="default", seed=0)
    first, out = model[0], model[-1]
    for layer, fan_in in ((first, 784), (out, 100)):
        bound = 1 / math.sqrt(fan_in)
        w, b = np.abs(layer.weight.data), np.abs(layer.bias.data)
        assert w.max() <= bound and w.max() > 0.99 * bound      # thousands of draws
        assert b.max() <= bound and b.min() > 0
    # U(-b, b) has std b / sqrt(3)
    assert first.weight.data.std() == pytest.approx(1 / math.sqrt(3 * 784), rel=0.02)


@pytest.mark.parametrize("activation, gain", [("relu", 2.0), ("leaky_relu", 2.0),
                                              ("tanh", 1.0), ("sigmoid", 1.0)])
def test_matched_init_is_he_for_relu_and_one_over_fan_in_otherwise_with_zero_bias(activation,
                                                                                  gain):
    model = mlp(784, [200], 10, activation, init="matched", seed=1)
    assert model[0].weight.data.std() == pytest.approx(math.sqrt(gain / 784), rel=0.02)
    assert model[-1].weight.data.std() == pytest.approx(math.sqrt(1 / 200), rel=0.1)
    assert not model[0].bias.data.any() and not model[-1].bias.data.any()


def test_the_same_seed_draws_the_same_weights_whatever_the_activation():
    a, b = mlp(64, [32], 10, "tanh", init="std=0.01", seed=3), mlp(64, [32], 10, "sigmoid",
                                                                   init="std=0.01", seed=3)
    np.testing.assert_array_equal(a[0].weight.data, b[0].weight.data)
    assert a[0].weight.data.std() == pytest.approx(0.01, rel=0.05)
    biased = mlp(64, [32, 32], 10, "relu", seed=3, bias=0.01)
    assert (biased[0].bias.data == np.float32(0.01)).all() and not biased[-1].bias.data.any()
    with pytest.raises(ValueError, match="unknown scheme"):
        mlp(64, [32], 10, "relu", init="glorot")


def test_geometric_steps_are_at_most_10_percent_apart():
    steps = geometric_steps(5000)
    assert steps[0] == 1 and steps[-1] == 5000
    assert all(b > a and b <= max(a + 1, 1.1 * a) for a, b in zip(steps, steps[1:]))
    assert len(steps) < 100


def test_checkpoints_count_steps_to_a_training_accuracy():
    d = digits()
    model = mlp(64, [32], 10, "relu", seed=0)
    cp = Checkpoints(d.X_train[:CHECKED], d.y_train[:CHECKED], 90, stop_at=0.9)
    history = train(model, d.X_train, d.y_train, optimizer=optim.SGD(model.parameters(), lr=0.1,
                                                                     momentum=0.9),
                    steps=90, batch_size=32, seed=0, checkpoints=cp)
    steps = [s for s, _, _ in cp.records]
    assert steps[0] == 0 and set(steps[1:]) <= set(geometric_steps(90))
    reached = steps_to(cp.records, 0.9)
    assert reached in steps and cp.records[steps.index(reached)][2] >= 0.9
    assert all(acc < 0.9 for s, _, acc in cp.records if s < reached)
    assert len(history["step_loss"]) <= 90
    assert steps_to(cp.records, 1.01) == math.inf
    loss, acc = evaluate(model, d.X_test, d.y_test)
    assert 0 < loss < math.log(10) and acc > 0.8
