"""Regularization on MNIST-5k: none vs dropout vs L1 vs L2 vs early stopping.

The lecture's claims (CS231n lecture 6/7 and the notes "Neural Networks 2"): a big network
trained on few examples overfits (a big gap between training and validation accuracy:
"increase regularization"); dropout, L2 and L1 penalties and early stopping reduce that
gap; L1 "leads the weight vectors to become sparse", where L2 gives diffuse, small weights.

Experiment ``compare`` (over seeds; MNIST-5k under the protocol of examples/_protocol.py):
a small training set (the first 1,000 of the protocol's 4,000 training images, to make
overfitting visible), the last 1,000 of them for validation, the protocol's 1,000 test
images; a 784-256-256-10 ReLU MLP ("matched" init), SGD with momentum 0.9 (lr 0.02),
batches of 50, 20 epochs. Each penalty's strength (and the dropout rate) is chosen from a
small grid by the median validation accuracy over the seeds (the lecture's
cross-validation); early stopping watches the validation accuracy (patience 5) and
restores the best epoch's weights. Measured per method: training, validation and test
accuracy (eval mode), the train - validation gap, and the fraction of weight-matrix
entries with |w| < 1e-3 (biases excluded).

Run:  python examples/regularization.py [--smoke] [--seeds 3] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import math
import statistics

import numpy as np

import nn
import optim

from ._claims import Claim, claim_cli
from ._plots import COLORS, band, figure, save, strip
from ._protocol import evaluate, mlp, mnist5k, train
from ._verdict import verdict

TOPIC = "Regularization"
CS231N_L7 = "CS231n lecture 7 (2017), Training Neural Networks II: regularization"
NOTES_NN2 = "CS231n notes, Neural Networks 2: regularization"
SPARSE = 1e-3        # |w| below this counts as a zero weight
METHODS = ("none", "dropout", "l1", "l2", "early_stopping")
CONFIGS = {
    "full": dict(n_train=1000, n_val=1000, hidden=[256, 256], epochs=20, batch=50, lr=0.02,
                 patience=5, grid={"dropout": [0.5], "l1": [1e-4, 1e-3], "l2": [1e-2, 1e-1]}),
    "smoke": dict(n_train=300, n_val=300, hidden=[64], epochs=12, batch=50, lr=0.02,
                  patience=3, grid={"dropout": [0.5], "l1": [1e-3], "l2": [1e-2]}),
}


def load(cfg):
    """(train, validation, test) pairs of the protocol's MNIST-5k (see the module docstring).

    Example:
        >>> (X, y), val, test = load(CONFIGS["full"])
        >>> X.shape
        (1000, 784)
    """
    d = mnist5k()
    return ((d.X_train[:cfg["n_train"]], d.y_train[:cfg["n_train"]]),
            (d.X_train[-cfg["n_val"]:], d.y_train[-cfg["n_val"]:]), (d.X_test, d.y_test))


def sparsity(model, threshold=SPARSE):
    """The fraction of weight-matrix entries (biases excluded) with ``|w| < threshold``.

    Example:
        >>> sparsity(mlp(784, [64], 10, "relu"))     # a few % at initialization
    """
    w = np.concatenate([p.data.ravel() for p in nn.penalties.penalized_parameters(model)])
    return float(np.mean(np.abs(w) < threshold))


def run(method, strength, seed, cfg):
    """Train one model with one regularizer; returns its figures and per-epoch accuracies.

    ``strength`` is the dropout rate or the penalty's ``reg`` (None for "none" and
    "early_stopping"). Every method starts from the same initialization and batches.

    Example:
        >>> run("l1", 1e-3, 0, CONFIGS["smoke"])["sparsity"]
    """
    (Xtr, ytr), (Xva, yva), (Xte, yte) = load(cfg)
    model = mlp(784, cfg["hidden"], 10, "relu", seed=seed)
    if method == "dropout":                  # Dropout(p) after each hidden ReLU
        layers = []
        for m in model:
            layers.append(m)
            if isinstance(m, nn.ReLU):
                layers.append(nn.Dropout(strength))
        model = nn.Sequential(*layers)
    cross_entropy = nn.CrossEntropyLoss()
    penalty = {"l1": nn.l1_penalty, "l2": nn.l2_penalty}.get(method)

    def loss_fn(output, target):            # data loss + regularization loss, as in the lecture
        loss = cross_entropy(output, target)
        return loss if penalty is None else loss + penalty(model, strength)

    callbacks = []
    if method == "early_stopping":
        callbacks.append(optim.EarlyStopping(monitor="val_accuracy", mode="max",
                                             patience=cfg["patience"]))
    steps = cfg["epochs"] * -(-len(Xtr) // cfg["batch"])
    history = train(model, Xtr, ytr, optimizer=optim.SGD(model.parameters(), lr=cfg["lr"],
                                                         momentum=0.9),
                    steps=steps, batch_size=cfg["batch"], seed=seed, loss_fn=loss_fn,
                    callbacks=callbacks, val=(Xva, yva))
    tr, va, te = (evaluate(model, X, y)[1] for X, y in ((Xtr, ytr), (Xva, yva), (Xte, yte)))
    return {"strength": strength, "train_accuracy": tr, "val_accuracy": va, "gap": tr - va,
            "test_accuracy": te, "sparsity": sparsity(model), "epochs": len(history["epoch"]),
            "val_curve": list(history["val_accuracy"]), "weights": np.concatenate(
                [p.data.ravel() for p in nn.penalties.penalized_parameters(model)])}


def compare(seeds, smoke=False, out=None):
    """Claims: overfitting without regularization; each method shrinks the gap; L1 is sparse.

    Example:
        >>> [c.verdict.status for c in compare([0, 1, 2])]
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    grid = {m: cfg["grid"].get(m, [None]) for m in METHODS}
    runs = {m: {s: [run(m, s, seed, cfg) for seed in seeds] for s in grid[m]} for m in METHODS}
    chosen = {m: max(grid[m], key=lambda s: (statistics.median(r["val_accuracy"]
                                                               for r in runs[m][s]),
                                             -(s or 0)))
              for m in METHODS}
    best = {m: runs[m][chosen[m]] for m in METHODS}

    def of(m, key):
        return [r[key] for r in best[m]]

    init_sparsity = [sparsity(mlp(784, cfg["hidden"], 10, "relu", seed=s)) for s in seeds]

    fig = figure(12, 3.8)
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for i, m in enumerate(METHODS):
        curves = of(m, "val_curve")
        band(ax1, list(range(1, max(map(len, curves)) + 1)), curves, label=m, color=COLORS[i])
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("validation accuracy")
    ax1.legend(fontsize=7)
    ax1.grid(alpha=0.3)
    strip(ax2, {m: of(m, "gap") for m in METHODS}, ylabel="train - validation accuracy")
    ax2.set_title("overfitting gap (each at its chosen strength)", fontsize=9)
    bins = np.linspace(-8, 0.5, 80)
    for i, m in enumerate(("none", "l1", "l2")):
        w = best[m][0]["weights"]
        ax3.hist(np.log10(np.abs(w) + 1e-12), bins=bins, histtype="step", color=COLORS[i],
                 label=f"{m}: {100 * np.mean(np.abs(w) < SPARSE):.0f}% below {SPARSE:g}")
    ax3.axvline(math.log10(SPARSE), color="black", linestyle="--", linewidth=1)
    ax3.set_xlabel("log10 |w| (weight matrices, first seed)")
    ax3.legend(fontsize=7)
    plot = save(fig, out, "regularization.png")

    arch = "784-" + "-".join(map(str, cfg["hidden"])) + "-10"
    setup = (f"MNIST-5k: {cfg['n_train']} training images (the first of the protocol's 4,000), "
             f"{cfg['n_val']} validation (the last), the 1,000 test images; {arch} ReLU MLP "
             f"(matched init), SGD momentum 0.9, lr {cfg['lr']}, batches of {cfg['batch']}, "
             f"{cfg['epochs']} epochs; strengths {cfg['grid']} chosen by median validation "
             f"accuracy; early stopping on validation accuracy, patience {cfg['patience']}")
    figures = {}
    for m in METHODS:
        tag = m if chosen[m] is None else f"{m} ({chosen[m]:g})"
        figures[f"{tag}: training accuracy"] = of(m, "train_accuracy")
        figures[f"{tag}: validation accuracy"] = of(m, "val_accuracy")
        figures[f"{tag}: gap"] = of(m, "gap")
        figures[f"{tag}: test accuracy"] = of(m, "test_accuracy")
    figures["early_stopping: epochs trained"] = of("early_stopping", "epochs")

    def pick(*methods):
        return {k: v for k, v in figures.items() if k.split(" ")[0].rstrip(":") in methods}

    claims = [Claim(
        "overfitting", TOPIC, "Big gap between training and validation accuracy = "
        "overfitting => increase regularization strength.", CS231N_L7.replace(
            "regularization", "babysitting learning") + "; " + NOTES_NN2,
        "examples/regularization.py: compare()", setup, pick("none"),
        verdict(of("none", "train_accuracy"), of("none", "val_accuracy"),
                labels=("training accuracy", "validation accuracy")),
        "no regularization: training against validation accuracy", plot)]
    words = {"dropout": ("reg-dropout", "Dropout: in each forward pass randomly set some "
                         "neurons to zero; it prevents co-adaptation of features and reduces "
                         "overfitting."),
             "l2": ("reg-l2", "L2 regularization (weight decay) reduces overfitting."),
             "l1": ("reg-l1", "L1 regularization reduces overfitting."),
             "early_stopping": ("reg-early-stopping", "Early stopping: stop training when the "
                                "validation accuracy stops improving.")}
    for m, (key, text) in words.items():
        test = verdict(of(m, "test_accuracy"), of("none", "test_accuracy")).status
        strongest = max(grid[m], key=lambda s: s or 0)
        strong = {f"{m} ({strongest:g}, the strongest tried): {what}": [r[k] for r in
                                                                       runs[m][strongest]]
                  for what, k in (("gap", "gap"), ("validation accuracy", "val_accuracy"))
                  } if strongest is not None and strongest != chosen[m] else {}
        at_strongest = "" if not strong else (
            f"; at the strongest {strongest:g}: "
            + verdict(of("none", "gap"), [r["gap"] for r in runs[m][strongest]]).status)
        claims.append(Claim(
            key, TOPIC, text, CS231N_L7 + "; " + NOTES_NN2, "examples/regularization.py: "
            "compare()", setup, pick("none", m) | strong,
            verdict(of("none", "gap"), of(m, "gap"), labels=("gap without", f"with {m}")),
            f"the train - validation gap without and with it at the strength chosen by "
            f"validation accuracy (test accuracy higher than without: {test}{at_strongest})",
            plot))
    claims.append(Claim(
        "l1-sparse", TOPIC, "L1 regularization leads the weight vectors to become sparse "
        "during optimization (very close to exactly zero); L2 gives diffuse, small numbers.",
        NOTES_NN2 + " (L1 regularization)", "examples/regularization.py: compare()", setup,
        {f"L1 ({chosen['l1']:g}): weights with |w| < {SPARSE:g}": of("l1", "sparsity"),
         f"L2 ({chosen['l2']:g}): same": of("l2", "sparsity"),
         "none: same": of("none", "sparsity"), "at initialization": init_sparsity},
        verdict(of("l1", "sparsity"), [max(a, b) for a, b in zip(of("l2", "sparsity"),
                                                                 of("none", "sparsity"))],
                labels=("L1", "the larger of L2 and none")),
        f"the fraction of weight-matrix entries below {SPARSE:g} in magnitude", plot))
    return claims


EXPERIMENTS = [compare]

if __name__ == "__main__":
    claim_cli("regularization", EXPERIMENTS, __doc__)
