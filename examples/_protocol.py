"""The experiments' shared protocol: the lecture's data, the two initializations, MLPs, training.

Data (issue 14's protocol, so figures compare with other libraries' reference runs):

- MNIST-5k (``nn.data.load_mnist5k``): the 5,000 rows shuffled with
  ``np.random.RandomState(0).permutation``, the first 4,000 for training and the last
  1,000 for testing; pixels / 255, minus the per-pixel training mean, divided by the
  one scalar standard deviation of the centred training pixels.
- UCI digits (``nn.data.load_digits``): the same, with pixels / 16 and a 1,437 / 360 split.

The split is the same for every seed; a seed changes the initial weights and the order
of the batches (and dropout's masks).

Initializations: "default" is U(+-1/sqrt(fan_in)) for weights and biases (nn.Linear's
own, PyTorch's); "matched" is He normal (std sqrt(2 / fan_in)) for layers feeding a
ReLU-family unit (ReLU, Leaky ReLU, ELU, Maxout) and N(0, 1/fan_in) for tanh, sigmoid and
the output layer, with zero biases; ``"std=0.01"`` draws N(0, 0.01^2) weights with zero
biases.

Speed is counted in optimizer steps: ``Checkpoints`` evaluates the training accuracy at
steps 1, 2, ... growing by at most 10 % (``geometric_steps``), so "steps to a target" is
known to 10 %. The speed experiments check on the first ``CHECKED`` (1,000) training
images, the same for every run, which keeps the checkpoints cheap.

Example:
    >>> data = mnist5k()
    >>> data.X_train.shape, data.X_test.shape
    ((4000, 784), (1000, 784))
    >>> model = mlp(784, [100], 10, "relu", init="matched", seed=0)
"""
import functools
import math
import warnings
from typing import NamedTuple

import numpy as np

import autograd
import nn
import optim
from autograd import Tensor

__all__ = ["CHECKED", "Data", "mnist5k", "digits", "ACTIVATIONS", "RELU_FAMILY", "mlp",
           "init_linear", "evaluate", "accuracy", "geometric_steps", "Checkpoints", "train",
           "steps_to"]


CHECKED = 1000


class Data(NamedTuple):
    """A protocol split: float32 ``(N, D)`` inputs, int64 labels, and the statistics used.

    Example:
        >>> d = digits()
        >>> d.X_train.shape, d.scale > 0
        ((1437, 64), True)
    """
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    scale: float


def _protocol(images, labels, max_value, n_train):
    order = np.random.RandomState(0).permutation(len(images))
    X = images[order].reshape(len(images), -1).astype(np.float64) / max_value
    y = labels[order].astype(np.int64)
    mean = X[:n_train].mean(axis=0)
    scale = float((X[:n_train] - mean).std())
    X = ((X - mean) / scale).astype(np.float32)
    return Data(X[:n_train], y[:n_train], X[n_train:], y[n_train:], mean, scale)


@functools.lru_cache(maxsize=None)
def mnist5k():
    """MNIST-5k under the protocol: 4,000 training and 1,000 test images, (N, 784) float32.

    Example:
        >>> d = mnist5k(); round(float(d.X_train.mean()), 6), round(float(d.X_train.std()), 4)
        (0.0, 1.0)
    """
    images, labels = nn.data.load_mnist5k()
    return _protocol(images, labels, 255.0, 4000)


@functools.lru_cache(maxsize=None)
def digits():
    """UCI digits under the protocol: 1,437 training and 360 test images, (N, 64) float32.

    Example:
        >>> digits().X_test.shape
        (360, 64)
    """
    images, labels = nn.data.load_digits()
    return _protocol(images, labels, 16.0, 1437)


# name -> (module factory, family); "maxout" replaces Linear + activation with nn.Maxout.
ACTIVATIONS = {
    "sigmoid": (nn.Sigmoid, "sigmoid"), "tanh": (nn.Tanh, "tanh"), "relu": (nn.ReLU, "relu"),
    "leaky_relu": (nn.LeakyReLU, "relu"), "elu": (nn.ELU, "relu"), "maxout": (None, "relu"),
}
RELU_FAMILY = tuple(a for a, (_, fam) in ACTIVATIONS.items() if fam == "relu")


def init_linear(layer, scheme, family, generator, bias=None):
    """Initialize one Linear (or Maxout) layer in place under ``scheme``.

    ``family``: "relu" (He normal under "matched"), "tanh"/"sigmoid"/None (N(0, 1/fan_in)).
    ``scheme``: "default", "matched" or "std=<float>". ``bias``: a constant for the bias
    (e.g. 0.01), overriding the scheme's.

    Example:
        >>> init_linear(nn.Linear(100, 10), "matched", "relu", np.random.default_rng(0))
    """
    fan_in = layer.weight.shape[1]
    if scheme == "default":
        bound = 1 / math.sqrt(fan_in)
        nn.init.uniform_(layer.weight, -bound, bound, generator=generator)
        nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
    elif scheme == "matched":
        std = math.sqrt((2.0 if family == "relu" else 1.0) / fan_in)
        nn.init.normal_(layer.weight, 0.0, std, generator=generator)
        nn.init.zeros_(layer.bias)
    elif scheme.startswith("std="):
        nn.init.normal_(layer.weight, 0.0, float(scheme[4:]), generator=generator)
        nn.init.zeros_(layer.bias)
    else:
        raise ValueError(f"init_linear: unknown scheme {scheme!r}; use 'default', 'matched' "
                         "or 'std=<float>'")
    if bias is not None:
        nn.init.constant_(layer.bias, bias)


def mlp(n_in, hidden, n_out, activation, init="matched", seed=0, bias=None, batch_norm=False):
    """An MLP n_in -> hidden... -> n_out with one activation, initialized from ``seed``.

    ``bias``: a constant for the hidden layers' biases (the output layer keeps its
    scheme's). ``batch_norm``: BatchNorm1d between each hidden Linear and its activation.
    The same seed gives the same draws for the same layer shapes, whatever the activation.

    Example:
        >>> mlp(784, [15], 10, "sigmoid")
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"mlp: unknown activation {activation!r}; one of {list(ACTIVATIONS)}")
    nn.manual_seed(seed)                     # dropout and anything else drawing from nn's
    gen = np.random.default_rng(seed)
    make, family = ACTIVATIONS[activation]
    layers, fan_in = [], n_in
    for width in hidden:
        if make is None:
            layer = nn.Maxout(fan_in, width, pieces=2)
            init_linear(layer, init, family, gen, bias)
            layers.append(layer)
        else:
            layer = nn.Linear(fan_in, width)
            init_linear(layer, init, family, gen, bias)
            layers += [layer] + ([nn.BatchNorm1d(width)] if batch_norm else []) + [make()]
        fan_in = width
    out = nn.Linear(fan_in, n_out)
    init_linear(out, init, None, gen)
    layers.append(out)
    return nn.Sequential(*layers)


def evaluate(model, X, y, batch_size=1000):
    """(mean cross-entropy, accuracy) of ``model`` on all of ``X`` in eval mode, no graph.

    Example:
        >>> loss, acc = evaluate(model, data.X_train, data.y_train)
    """
    was_training = model.training
    model.eval()
    total, correct = 0.0, 0
    with autograd.no_grad():
        for i in range(0, len(X), batch_size):
            out = model(Tensor(X[i:i + batch_size])).data.astype(np.float64)
            yb = y[i:i + batch_size]
            out = out - out.max(axis=1, keepdims=True)
            logp = out - np.log(np.exp(out).sum(axis=1, keepdims=True))
            total += float(-logp[np.arange(len(yb)), yb].sum())
            correct += int((out.argmax(axis=1) == yb).sum())
    model.train(was_training)
    return total / len(X), correct / len(X)


def accuracy(model, X, y):
    """The accuracy of ``model`` on ``X`` (eval mode, no graph).

    Example:
        >>> accuracy(model, data.X_test, data.y_test)
    """
    return evaluate(model, X, y)[1]


def geometric_steps(max_steps, ratio=1.1):
    """Steps 1, 2, ... max_steps, each at most ``ratio`` times the one before (10 % apart).

    Example:
        >>> geometric_steps(30)
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 24, 26, 28, 30]
    """
    steps, s = [], 1
    while s < max_steps:
        steps.append(s)
        s = max(s + 1, int(math.floor(s * ratio)))
    return steps + [max_steps]


class Checkpoints(optim.Callback):
    """fit callback: the whole training set's loss and accuracy at ``geometric_steps``.

    ``stop_at``: end training (after that epoch) once the training accuracy reaches it.
    ``records``: a list of ``(step, loss, accuracy)``; a non-finite loss is recorded as inf.

    Example:
        >>> cp = Checkpoints(X, y, max_steps=1000)
        >>> optim.fit(model, loader, ..., callbacks=[cp]); steps_to(cp.records, 0.97)
    """

    def __init__(self, X, y, max_steps, stop_at=None, ratio=1.1):
        self.X, self.y, self.stop_at = X, y, stop_at
        self.at = set(geometric_steps(max_steps, ratio))
        self.records = []

    def on_fit_start(self, state):
        """Record step 0 (the initial weights)."""
        self._record(state, 0)

    def on_batch_end(self, state, logs):
        """Record when the step count is a checkpoint."""
        if state.step in self.at:
            self._record(state, state.step)

    def _record(self, state, step):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            loss, acc = evaluate(state.model, self.X, self.y)
        self.records.append((step, loss if math.isfinite(loss) else math.inf, acc))
        if self.stop_at is not None and acc >= self.stop_at:
            state.stop_training = True


def steps_to(records, accuracy_target):
    """The first checkpoint step whose training accuracy is >= the target; inf if none.

    Example:
        >>> steps_to([(0, 2.3, 0.1), (10, 0.5, 0.9), (11, 0.4, 0.95)], 0.95)
        11
    """
    return next((s for s, _, acc in records if acc >= accuracy_target), math.inf)


def train(model, X, y, *, optimizer, steps, batch_size, seed, checkpoints=None,
          callbacks=(), loss_fn=None, scheduler=None, scheduler_interval="epoch", val=None):
    """Train with optim.fit for about ``steps`` optimizer steps (whole epochs); returns history.

    The batches are shuffled from ``seed`` (fit's per-epoch generator). A NaN or Inf
    loss stops the run (no warning): ``history["nonfinite_steps"]`` says where. ``val``:
    ``(X_val, y_val)`` evaluated after each epoch (``val_loss``, ``val_accuracy``).

    Example:
        >>> cp = Checkpoints(X, y, 400)
        >>> history = train(model, X, y, optimizer=optim.SGD(model.parameters(), lr=0.1),
        ...                 steps=400, batch_size=100, seed=0, checkpoints=cp)
    """
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=batch_size,
                                shuffle=True)
    epochs = max(1, math.ceil(steps / len(loader)))
    cbs = list(callbacks) + ([checkpoints] if checkpoints is not None else [])
    val_loader = None if val is None else nn.data.DataLoader(
        nn.data.TensorDataset(*val), batch_size=len(val[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return optim.fit(model, loader, loss_fn=loss_fn or nn.CrossEntropyLoss(),
                         optimizer=optimizer, epochs=epochs, callbacks=cbs, seed=seed,
                         scheduler=scheduler, scheduler_interval=scheduler_interval,
                         val_loader=val_loader, metrics=["accuracy"] if val else (),
                         progress=False)

