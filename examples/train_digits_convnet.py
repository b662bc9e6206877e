"""Train a small convnet on the UCI handwritten digits (8x8 images, 1,437 train / 360 test).

conv 3x3 (16) - BatchNorm - ReLU - max-pool 2 - conv 3x3 (32) - BatchNorm - ReLU -
max-pool 2 - Flatten - Linear(128, 10), trained with Adam and cosine annealing by
``optim.fit`` on mini-batches from ``nn.data.DataLoader``; the digits under the lecture
protocol (examples/_protocol.py: the fixed RandomState(0) shuffle, 1,437 / 360, pixels / 16
minus the per-pixel training mean, divided by one scalar std), as NCHW images; float32
throughout. Prints the training loss and accuracy and the test accuracy per epoch;
reaches 98-99.5% test accuracy (depending on the seed) in a few seconds.

The matrices are small: run as a script it uses one BLAS thread (examples/_common.py:
as_script), several times faster on a busy machine than threaded BLAS, which then
spends its time waiting for cores.

Run:  python examples/train_digits_convnet.py [--epochs 10] [--seed 0]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import argparse

import nn
import optim

from ._common import fit_and_print
from ._protocol import digits


def build_model():
    """The convnet: two conv-BN-ReLU-pool blocks (8x8 -> 4x4 -> 2x2) and a linear classifier.

    Example:
        >>> build_model()(Tensor(np.zeros((5, 1, 8, 8), np.float32))).shape
        (5, 10)
    """
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10))


def main(seed=0, epochs=10, batch_size=32, lr=3e-3, verbose=True):
    """Train on the UCI digits; returns a dict with the final ``test_accuracy`` and ``history``.

    ``seed`` fixes the initial weights (``nn.manual_seed``) and the order of the batches;
    the split is the protocol's, the same for every seed.

    Example:
        >>> main(seed=0, epochs=3)["test_accuracy"] > 0.95
        True
    """
    d = digits()
    images = lambda X: X.reshape(len(X), 1, 8, 8)     # noqa: E731  (N, 64) -> NCHW
    nn.manual_seed(seed)
    model = build_model()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    history = fit_and_print(model, optimizer, (images(d.X_train), d.y_train),
                            (images(d.X_test), d.y_test), epochs=epochs,
                            batch_size=batch_size, seed=seed, verbose=verbose,
                            scheduler=optim.lr_scheduler.CosineAnnealingLR(optimizer,
                                                                           T_max=epochs))
    return dict(test_accuracy=history[-1]["test_accuracy"], history=history, model=model)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(seed=args.seed, epochs=args.epochs)
