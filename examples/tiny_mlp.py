"""Train a tiny MLP on two moons with nothing but autograd, printing the loss as it falls.

micrograd's demo, batched: a 2-16-16-1 ReLU network, SVM (hinge) loss plus L2,
full-batch gradient descent with a decaying learning rate.

Run:  python examples/tiny_mlp.py [--steps 100] [--seed 0]
"""
import argparse

import numpy as np

import autograd
from autograd import Tensor


def make_moons(n, noise, rng):
    """Two interleaved half circles, labels in {-1, +1}."""
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0, noise, (n, 2))
    return points, np.where(upper, 1.0, -1.0)


def init_layer(fan_in, fan_out, rng):
    bound = 1 / np.sqrt(fan_in)
    w = Tensor(rng.uniform(-bound, bound, (fan_in, fan_out)), requires_grad=True)
    b = Tensor(np.zeros(fan_out), requires_grad=True)
    return w, b


def main(steps=100, seed=0):
    rng = np.random.default_rng(seed)
    X, y = make_moons(100, 0.1, rng)
    X, y = Tensor(X), Tensor(y)
    params = [*init_layer(2, 16, rng), *init_layer(16, 16, rng), *init_layer(16, 1, rng)]
    w1, b1, w2, b2, w3, b3 = params

    print(f"{'step':>5} {'loss':>8} {'accuracy':>9}")
    for step in range(steps):
        scores = ((X @ w1 + b1).relu() @ w2 + b2).relu() @ w3 + b3
        scores = scores.reshape(-1)
        data_loss = (1 - y * scores).relu().mean()           # SVM max-margin loss
        reg_loss = 1e-4 * sum((p * p).sum() for p in (w1, w2, w3))
        loss = data_loss + reg_loss
        accuracy = ((scores.data > 0) == (y.data > 0)).mean()

        for p in params:
            p.grad = None
        loss.backward()
        lr = 1.0 - 0.9 * step / steps
        with autograd.no_grad():
            for p in params:
                p -= lr * p.grad
        if step % 10 == 0 or step == steps - 1:
            print(f"{step:5d} {loss.item():8.4f} {accuracy:9.2%}")
    return loss.item(), accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.steps, args.seed)
