"""Regularization on MNIST-5k: none vs dropout vs L1 vs L2 vs early stopping.

The lecture's claims: a big network trained on few examples overfits (training
accuracy far above validation accuracy); dropout, L2 and L1 penalties and
early stopping reduce that gap; L1 drives many weights to (near) zero, i.e.
gives sparse weights, where L2 only shrinks them.

Setup: ``nn.data.load_mnist5k`` split into test (1,000), validation (1,000)
and a small training subset (1,000 images by default, to make overfitting
visible), a 784-256-256-10 ReLU MLP, SGD with momentum. Each penalty's
strength (and the dropout rate) is picked from a small grid by validation
accuracy, as the lecture recommends; every grid point is reported. Early
stopping monitors validation accuracy and restores the best epoch's weights.

Measured per method: final training, validation and test accuracy (eval mode,
full data), the train-validation gap, test loss (cross-entropy without the
penalty), epochs trained, and the weight sparsity: the fraction of weight
matrix entries with ``|w| < 1e-3`` (biases excluded), next to the same
fraction at initialisation.

Writes ``curves.png`` (train vs validation accuracy per method),
``weights.png`` (weight magnitude histograms) and ``results.json``.

Run:  python examples/regularization.py [--smoke] [--seed 0] [--out DIR]
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # small matrices: threads only cost time

import math

import numpy as np

import autograd
import nn
import optim
import viz
from autograd import Tensor

if __package__:
    from ._common import cli, format_table, run_dir, save_json
else:
    from _common import cli, format_table, run_dir, save_json

SPARSE = 1e-3        # |w| below this counts as a zero weight
METHODS = ("none", "dropout", "l1", "l2", "early_stopping")
CONFIGS = {
    "full": dict(n_train=1000, n_val=1000, n_test=1000, hidden=(256, 256), epochs=40,
                 batch_size=32, lr=0.02, momentum=0.9, patience=5,
                 grid={"dropout": [0.2, 0.5], "l1": [1e-5, 1e-4, 1e-3],
                       "l2": [1e-4, 1e-3, 1e-2]}),
    "smoke": dict(n_train=300, n_val=300, n_test=300, hidden=(64,), epochs=15,
                  batch_size=32, lr=0.02, momentum=0.9, patience=3,
                  grid={"dropout": [0.5], "l1": [1e-3], "l2": [1e-2]}),
}


def load(cfg, seed):
    """(train, val, test) pairs of flattened float32 images and labels from MNIST-5k.

    Example:
        >>> (X, y), val, test = load(CONFIGS["smoke"], seed=0)
        >>> X.shape
        (300, 784)
    """
    Xtr, ytr, Xte, yte = nn.data.load_mnist5k(scale=True, split=True, n_test=cfg["n_test"],
                                              seed=seed)
    Xtr, Xte = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    Xtr, Xva, ytr, yva = nn.data.train_test_split(Xtr, ytr, test_size=cfg["n_val"], seed=seed,
                                                  stratify=True)
    Xtr, _, ytr, _ = nn.data.train_test_split(Xtr, ytr, test_size=len(Xtr) - cfg["n_train"],
                                              seed=seed, stratify=True)
    return (Xtr, ytr), (Xva, yva), (Xte, yte)


def build_model(cfg, dropout=0.0):
    """784 -> hidden ReLU layers (each followed by Dropout(p) when p > 0) -> 10 logits.

    Example:
        >>> build_model(CONFIGS["smoke"], dropout=0.5)
    """
    layers, fan_in = [], 784
    for width in cfg["hidden"]:
        layers += [nn.Linear(fan_in, width), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        fan_in = width
    layers.append(nn.Linear(fan_in, 10))
    return nn.Sequential(*layers)


def sparsity(model, threshold=SPARSE):
    """The fraction of weight-matrix entries (biases excluded) with ``|w| < threshold``.

    Example:
        >>> sparsity(build_model(CONFIGS["smoke"]))     # about 0.03 at initialisation
    """
    w = np.concatenate([p.data.ravel() for p in nn.penalties.penalized_parameters(model)])
    return float(np.mean(np.abs(w) < threshold))


def evaluate(model, X, y):
    """(cross-entropy without any penalty, accuracy) over all of X in eval mode.

    Example:
        >>> loss, acc = evaluate(model, X, y)
    """
    model.eval()
    with autograd.no_grad():
        logits = model(Tensor(X))
        loss = nn.CrossEntropyLoss()(logits, Tensor(y)).item()
    return float(loss), float(np.mean(logits.data.argmax(1) == y))


def train(method, strength, data, cfg, seed):
    """Train one model with one regularizer; returns (figures, fit history, model).

    ``strength`` is the dropout rate or the penalty's ``reg`` (unused for
    "none" and "early_stopping"). Every method starts from the same
    initialisation (for the same layer shapes) and sees the same batches.

    Example:
        >>> figures, history, model = train("l1", 1e-3, load(cfg, 0), cfg, seed=0)
    """
    (Xtr, ytr), (Xva, yva), (Xte, yte) = data
    nn.manual_seed(seed)
    model = build_model(cfg, dropout=strength if method == "dropout" else 0.0)
    cross_entropy = nn.CrossEntropyLoss()
    penalty = {"l1": nn.l1_penalty, "l2": nn.l2_penalty}.get(method)
    if penalty is None:
        loss_fn = cross_entropy
    else:
        def loss_fn(output, target):     # data loss + regularization loss, as in the lecture
            return cross_entropy(output, target) + penalty(model, strength)
    callbacks = []
    if method == "early_stopping":
        callbacks.append(optim.EarlyStopping(monitor="val_accuracy", mode="max",
                                             patience=cfg["patience"]))
    loader = nn.data.DataLoader(nn.data.TensorDataset(Xtr, ytr), batch_size=cfg["batch_size"],
                                shuffle=True)
    val = nn.data.DataLoader(nn.data.TensorDataset(Xva, yva), batch_size=len(Xva))
    opt = optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg["momentum"])
    history = optim.fit(model, loader, loss_fn=loss_fn, optimizer=opt, epochs=cfg["epochs"],
                        val_loader=val, metrics=["accuracy"], callbacks=callbacks, seed=seed,
                        progress=False)
    (_, tr_acc), (_, va_acc), (te_loss, te_acc) = (evaluate(model, X, y) for X, y in
                                                   ((Xtr, ytr), (Xva, yva), (Xte, yte)))
    figures = {"strength": strength, "train_accuracy": tr_acc, "val_accuracy": va_acc,
               "gap": tr_acc - va_acc, "test_accuracy": te_acc, "test_loss": te_loss,
               "sparsity": sparsity(model), "epochs": len(history["epoch"])}
    if callbacks:
        figures["best_epoch"] = callbacks[0].best_epoch + 1
    return figures, history, model


def run_all(cfg, seed):
    """Every method (each grid point of the tuned ones); the best per method by val accuracy.

    Example:
        >>> res, histories, models = run_all(CONFIGS["smoke"], seed=0)
        >>> res["best"]["l1"]["sparsity"] > res["best"]["none"]["sparsity"]
        True
    """
    data = load(cfg, seed)
    res, histories, models = {"grid": {}, "best": {}}, {}, {}
    for method in METHODS:
        runs = [train(method, s, data, cfg, seed) for s in cfg["grid"].get(method, [None])]
        res["grid"][method] = [r[0] for r in runs]
        best = max(runs, key=lambda r: r[0]["val_accuracy"])
        res["best"][method], histories[method], models[method] = best
    nn.manual_seed(seed)
    res["init_sparsity"] = sparsity(build_model(cfg))
    return res, histories, models


def plot_weights(models, path):
    """Histograms of log10 |w| of every weight matrix, one line per method; saves ``path``.

    Example:
        >>> plot_weights({"none": m0, "l1": m1}, "weights.png")
    """
    from matplotlib.figure import Figure
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    bins = np.linspace(-8, 0.5, 80)
    for method, model in models.items():
        w = np.concatenate([p.data.ravel() for p in nn.penalties.penalized_parameters(model)])
        ax.hist(np.log10(np.abs(w) + 1e-12), bins=bins, histtype="step", linewidth=1.3,
                label=f"{method}: {100 * sparsity(model):.1f}% below {SPARSE:g}")
    ax.axvline(math.log10(SPARSE), color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("log10 |w|  (weight matrices)")
    ax.set_ylabel("count")
    ax.set_title("Weight magnitudes after training")
    ax.legend(fontsize=8)
    viz.save_figure(fig, path)
    return fig


def _verdicts(res):
    b, none = res["best"], res["best"]["none"]
    lines = [f"overfitting without regularization: train {none['train_accuracy']:.3f} vs "
             f"validation {none['val_accuracy']:.3f} (gap {none['gap']:.3f})"]
    for m in METHODS[1:]:
        r = b[m]
        smaller = round(r["gap"], 3) < round(none["gap"], 3)
        higher = r["test_accuracy"] > none["test_accuracy"]
        lines.append(f"{m}: train/validation gap {r['gap']:.3f} vs {none['gap']:.3f} "
                     f"({'smaller' if smaller else 'NOT smaller'}); "
                     f"test accuracy {r['test_accuracy']:.3f} vs {none['test_accuracy']:.3f} "
                     f"({'higher' if higher else 'NOT higher'})")
    l1, l2 = b["l1"]["sparsity"], b["l2"]["sparsity"]
    lines.append(f"L1 sparsity: {100 * l1:.1f}% of weights below {SPARSE:g} vs "
                 f"{100 * none['sparsity']:.1f}% without regularization, {100 * l2:.1f}% with "
                 f"L2, {100 * res['init_sparsity']:.1f}% at initialisation: the claim "
                 f"{'holds' if l1 > max(none['sparsity'], l2) else 'does NOT hold'}")
    es = b["early_stopping"]
    lines.append(f"early stopping: best validation epoch {es['best_epoch']}, stopped after "
                 f"{es['epochs']} of {res['epochs']} epochs")
    return lines


def main(smoke=False, seed=0, out_dir=None):
    """Run the comparison, print the tables, save the plots; returns the measured figures.

    Example:
        >>> res = main(smoke=True, out_dir="/tmp/regularization")
        >>> res["best"]["l1"]["sparsity"] > res["best"]["none"]["sparsity"]
        True
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    out = run_dir("regularization", out_dir)
    res, histories, models = run_all(cfg, seed)
    res["epochs"] = cfg["epochs"]
    results = {"config": dict(cfg, seed=seed, smoke=smoke), **res}
    results["verdicts"] = _verdicts(res)

    arch = "-".join(str(v) for v in (784, *cfg["hidden"], 10))
    print(f"Regularization on MNIST-5k{' [smoke size]' if smoke else ''}: {arch} ReLU MLP, "
          f"{cfg['n_train']} training / {cfg['n_val']} validation / {cfg['n_test']} test images, "
          f"{cfg['epochs']} epochs of SGD (lr {cfg['lr']}, momentum {cfg['momentum']}), "
          f"seed {seed}\n")
    header = ["method", "strength", "train acc", "val acc", "gap", "test acc", "test loss",
              f"sparsity (|w|<{SPARSE:g})", "epochs"]

    def row(m, r):
        return [m, r["strength"], r["train_accuracy"], r["val_accuracy"], r["gap"],
                r["test_accuracy"], r["test_loss"], r["sparsity"], r["epochs"]]
    print("Each method at its best strength (by validation accuracy):")
    print(format_table(header, [row(m, res["best"][m]) for m in METHODS]))
    if any(len(runs) > 1 for runs in res["grid"].values()):
        print("\nEvery grid point:")
        print(format_table(header, [row(m, r) for m in METHODS for r in res["grid"][m]]))
    print(f"\nsparsity at initialisation: {res['init_sparsity']:.4f}\n")
    for line in results["verdicts"]:
        print(line)

    files = {"curves": out / "curves.png", "weights": out / "weights.png"}
    viz.plot_curves({f"{split}_accuracy_{m}": histories[m][f"{split}_accuracy"]
                     for m in METHODS for split in ("train", "val")}, files["curves"])
    plot_weights(models, files["weights"])
    results["files"] = {k: str(v) for k, v in files.items()}
    save_json(results, out / "results.json")
    print(f"\nplots and results.json in {out}")
    return results


if __name__ == "__main__":
    cli(main, __doc__, "regularization")
