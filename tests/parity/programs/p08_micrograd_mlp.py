"""micrograd's demo notebook, in PyTorch: a scalar MLP on the moons data, SVM loss, L2, decay.

Every weight is a 0-d ``torch.tensor(..., requires_grad=True)``; a Neuron sums
``wi * xi`` with Python's ``sum`` over scalars; Layer and MLP collect parameters
in lists; the loss is the max-margin ``(1 + -yi * scorei).relu()`` averaged plus
``alpha * sum(p * p)``; accuracy compares signs; the update is
``p -= learning_rate * p.grad`` under ``torch.no_grad()`` with a decaying rate and
``p.grad = None`` to reset. (micrograd writes ``p.data -= learning_rate * p.grad``:
see DIFFERENCES.md.) The moons and the initial weights come from a NumPy
RandomState; float64.
"""
import random

import numpy as np
import torch

rs = np.random.RandomState(8)
random.seed(8)


def make_moons(n_samples, noise):
    n_out, n_in = n_samples // 2, n_samples - n_samples // 2
    outer = np.stack([np.cos(np.linspace(0, np.pi, n_out)), np.sin(np.linspace(0, np.pi, n_out))], 1)
    inner = np.stack([1 - np.cos(np.linspace(0, np.pi, n_in)),
                      1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5], 1)
    X = np.concatenate([outer, inner]) + rs.normal(0, noise, (n_samples, 2))
    y = np.concatenate([np.zeros(n_out, int), np.ones(n_in, int)])
    return X, y


X, y = make_moons(n_samples=40, noise=0.1)
y = y * 2 - 1   # make y be -1 or 1


def scalar(v):
    return torch.tensor(v, dtype=torch.float64, requires_grad=True)


class Module:

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def parameters(self):
        return []


class Neuron(Module):

    def __init__(self, nin, nonlin=True):
        self.w = [scalar(rs.uniform(-1, 1)) for _ in range(nin)]
        self.b = scalar(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer(Module):

    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):

    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


model = MLP(2, [8, 8, 1])
print("number of parameters", len(model.parameters()))


def loss(batch_size=None):
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.RandomState(len(X)).permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(lambda v: torch.tensor(v, dtype=torch.float64), xrow)) for xrow in Xb]

    scores = list(map(model, inputs))

    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss

    accuracy = [(yi > 0) == (scorei.item() > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)


total_loss, acc = loss()
results = {"n_params": len(model.parameters()), "initial": [total_loss.item(), acc],
           "loss": [], "accuracy": []}

for k in range(15):
    total_loss, acc = loss()

    model.zero_grad()
    total_loss.backward()
    if k == 0:
        results["first_grads"] = [p.grad.item() for p in model.parameters()]

    learning_rate = 1.0 - 0.9 * k / 100
    with torch.no_grad():
        for p in model.parameters():
            p -= learning_rate * p.grad

    results["loss"].append(total_loss.item())
    results["accuracy"].append(acc)
    print(f"step {k} loss {total_loss.item()}, accuracy {acc * 100}%")

h = 0.5
xx, yy = np.meshgrid(np.arange(-1.5, 2.5, h), np.arange(-1.0, 1.5, h))
Xmesh = np.c_[xx.ravel(), yy.ravel()]
inputs = [list(map(lambda v: torch.tensor(v, dtype=torch.float64), xrow)) for xrow in Xmesh]
scores = list(map(model, inputs))
results["decision"] = np.array([s.item() > 0 for s in scores])
