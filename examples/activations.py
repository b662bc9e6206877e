"""Activation functions compared: sigmoid, tanh, ReLU, Leaky ReLU, PReLU, ELU, Maxout, GELU.

The lecture's claims (CS231n lecture 6): sigmoid saturates and kills
gradients and its outputs are not zero-centred, so it trains slowly; tanh is
zero-centred and better; ReLU converges much faster than sigmoid/tanh
(Krizhevsky et al.: about 6x) but units can die (never active, so no
gradient, so never active again); Leaky ReLU, PReLU and ELU keep a gradient
for negative inputs, so their units cannot die; Maxout neither saturates nor
dies, at twice the parameters.

Each activation trains the same MLP (two hidden layers of 64 units; Maxout
layers with 2 pieces in their place) from the same seed (the same initial
weights, except Maxout's), with the same optimizer (SGD, lr 0.05, momentum
0.9, batch 32), on two datasets: CS231n's 3-arm spirals (``nn.data.spirals``,
300 training points, a fresh draw of 300 for testing) and the UCI digits
(``nn.data.load_digits``, 1437 training / 360 test images, standardized).
Measured: epochs until the training accuracy reaches a threshold (convergence
speed), the last epoch's mean training loss and accuracy, test accuracy, and from
``optim.Diagnostics`` over the last epoch the fraction of dead units (ReLU
family: never > 0 on any training batch) and of saturated outputs
(sigmoid/tanh within 0.01 of an asymptote).

Writes ``spirals_curves.png``, ``digits_curves.png`` (training loss and test
accuracy per epoch, one line per activation) and ``results.json``.

Run:  python examples/activations.py [--smoke] [--seed 0] [--out DIR]
"""
import os

if __name__ == "__main__":   # before numpy loads: BLAS threads only slow tiny matrices down
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


import numpy as np

import nn
import optim

if __package__:
    from ._common import cli, first_epoch, format_table, plot_lines, run_dir, save_json
else:
    from _common import cli, first_epoch, format_table, plot_lines, run_dir, save_json

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
               "leaky_relu": nn.LeakyReLU, "prelu": nn.PReLU, "elu": nn.ELU,
               "maxout": nn.Maxout, "gelu": nn.GELU}
TRAINING = dict(hidden=64, lr=0.05, momentum=0.9, batch_size=32)
CONFIGS = {
    "full": {"spirals": dict(epochs=100, threshold=0.9),
             "digits": dict(epochs=20, threshold=0.95)},
    "smoke": {"spirals": dict(epochs=30, threshold=0.9),
              "digits": dict(epochs=5, threshold=0.95)},
}


def load(dataset, seed=0):
    """``((X, y), (X_test, y_test))`` of "spirals" or "digits" (flattened, standardized).

    Example:
        >>> (X, y), (Xte, yte) = load("spirals")
        >>> X.shape, Xte.shape
        ((300, 2), (300, 2))
    """
    if dataset == "spirals":
        return nn.data.spirals(100, 3, seed=seed), nn.data.spirals(100, 3, seed=seed + 1000)
    if dataset == "digits":
        Xtr, ytr, Xte, yte = nn.data.load_digits(scale=True, split=True, seed=seed)
        pre = nn.data.Standardize().fit(Xtr.reshape(len(Xtr), -1))
        return ((pre.transform(Xtr.reshape(len(Xtr), -1)), ytr),
                (pre.transform(Xte.reshape(len(Xte), -1)), yte))
    raise ValueError(f"load: unknown dataset {dataset!r}; use 'spirals' or 'digits'")


def build_model(activation, n_in, n_out, hidden=64, seed=0):
    """n_in -> hidden -> hidden -> n_out with the named activation (nn's default init, seeded).

    "maxout" uses ``nn.Maxout(.., pieces=2)`` in place of each Linear + activation.

    Example:
        >>> build_model("relu", 2, 3)
    """
    nn.manual_seed(seed)
    layers, fan_in = [], n_in
    for _ in range(2):
        if activation == "maxout":
            layers.append(nn.Maxout(fan_in, hidden, pieces=2))
        else:
            layers += [nn.Linear(fan_in, hidden), ACTIVATIONS[activation]()]
        fan_in = hidden
    layers.append(nn.Linear(fan_in, n_out))
    return nn.Sequential(*layers)


def _mean(values):
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def run(activation, data, epochs, threshold, seed=0):
    """Train one model; returns its measured figures and its history.

    Example:
        >>> figures, history = run("relu", load("spirals"), epochs=30, threshold=0.9)
        >>> figures["epochs_to_threshold"]
    """
    (X, y), (Xte, yte) = data
    model = build_model(activation, X.shape[1], int(y.max()) + 1, TRAINING["hidden"], seed)
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=TRAINING["batch_size"],
                                shuffle=True, generator=seed)
    val = nn.data.DataLoader(nn.data.TensorDataset(Xte, yte), batch_size=len(Xte))
    kinds = tuple(ACTIVATIONS.values())
    diag = optim.Diagnostics(model, layers=[n for n, m in model.named_modules()
                                            if isinstance(m, kinds)])
    opt = optim.SGD(model.parameters(), lr=TRAINING["lr"], momentum=TRAINING["momentum"])
    history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
                        epochs=epochs, val_loader=val, metrics=["accuracy"], callbacks=[diag],
                        seed=seed, progress=False)
    diag.detach()
    layers = diag.activation_stats()
    figures = {
        "epochs_to_threshold": first_epoch(history["train_accuracy"], threshold),
        "train_loss": history["train_loss"][-1], "train_accuracy": history["train_accuracy"][-1],
        "test_accuracy": history["val_accuracy"][-1],
        "dead_fraction": _mean(s["dead"] for s in layers),
        "saturated_fraction": _mean(s["saturated"] for s in layers),
        "parameters": int(sum(p.size for p in model.parameters())),
    }
    return figures, history


def _speed(r):
    return r["epochs_to_threshold"] if r["epochs_to_threshold"] is not None else float("inf")


def _epochs(r):
    n = r["epochs_to_threshold"]
    return "threshold not reached" if n is None else f"{n} epochs"


def verdicts(res):
    """One line per lecture claim per dataset: what was measured and whether the claim held.

    Example:
        >>> for line in verdicts(results): print(line)
    """
    lines = []
    for ds, r in res.items():
        sig, tanh, relu = r["sigmoid"], r["tanh"], r["relu"]
        slowest = max(r, key=lambda a: (_speed(r[a]), r[a]["train_loss"]))
        verdict = "holds" if slowest == "sigmoid" else "does NOT hold"
        lines.append(f"[{ds}] sigmoid trains slowest: {verdict} "
                     f"(slowest: {slowest}; sigmoid: {_epochs(sig)}, final training loss "
                     f"{sig['train_loss']:.3f})")
        lines.append(f"[{ds}] tanh converges faster than sigmoid: "
                     f"{'holds' if _speed(tanh) < _speed(sig) else 'does NOT hold'} "
                     f"(tanh: {_epochs(tanh)}, sigmoid: {_epochs(sig)})")
        if relu["epochs_to_threshold"] and tanh["epochs_to_threshold"]:
            factor = tanh["epochs_to_threshold"] / relu["epochs_to_threshold"]
            verdict = ("holds" if factor >= 4 else "partly: ReLU is faster, by less" if factor > 1
                       else "does NOT hold")
            lines.append(f"[{ds}] ReLU converges ~6x faster than tanh: {verdict} (measured "
                         f"{factor:.2f}x; ReLU: {_epochs(relu)}, tanh: {_epochs(tanh)})")
        else:
            lines.append(f"[{ds}] ReLU converges ~6x faster than tanh: not measurable "
                         f"(ReLU: {_epochs(relu)}, tanh: {_epochs(tanh)})")
        others = {a: r[a]["dead_fraction"] for a in ("leaky_relu", "prelu", "elu")}
        lines.append(f"[{ds}] ReLU units die: "
                     f"{'observed' if relu['dead_fraction'] > 0 else 'not observed'} "
                     f"({relu['dead_fraction']:.1%} of ReLU units never active over the last "
                     "epoch: zero gradient, they cannot recover; never active but still passing "
                     "a gradient: " + ", ".join(f"{a} {v:.1%}" for a, v in others.items()) + ")")
    return lines


def main(smoke=False, seed=0, out_dir=None):
    """Run every activation on both datasets, print the tables, save the plots; return the figures.

    Example:
        >>> res = main(smoke=True, out_dir="/tmp/activations")
        >>> res["spirals"]["relu"]["test_accuracy"]
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    out = run_dir("activations", out_dir)
    results, histories, files = {}, {}, {}
    for ds, dcfg in cfg.items():
        data = load(ds, seed)
        results[ds], histories[ds] = {}, {}
        for act in ACTIVATIONS:
            results[ds][act], histories[ds][act] = run(act, data, dcfg["epochs"],
                                                       dcfg["threshold"], seed)
        print(f"\n{ds}: {dcfg['epochs']} epochs of SGD (lr {TRAINING['lr']}, momentum "
              f"{TRAINING['momentum']}, batch {TRAINING['batch_size']}), seed {seed}"
              f"{' [smoke size]' if smoke else ''}")
        print(format_table(
            ["activation", f"epochs to train acc {dcfg['threshold']}", "train loss",
             "train acc", "test acc", "dead units", "saturated", "parameters"],
            [[a, r["epochs_to_threshold"], r["train_loss"], r["train_accuracy"],
              r["test_accuracy"], r["dead_fraction"], r["saturated_fraction"], r["parameters"]]
             for a, r in results[ds].items()]))
        epochs = np.arange(1, dcfg["epochs"] + 1)
        files[f"{ds}_curves"] = str(out / f"{ds}_curves.png")
        plot_lines([
            {"title": "training loss", "xlabel": "epoch", "ylabel": "cross-entropy", "logy": True,
             "lines": {a: (epochs, h["train_loss"]) for a, h in histories[ds].items()}},
            {"title": "test accuracy", "xlabel": "epoch", "ylabel": "accuracy",
             "lines": {a: (epochs, h["val_accuracy"]) for a, h in histories[ds].items()}},
        ], files[f"{ds}_curves"], title=f"Activation functions on {ds}")
    results["verdicts"] = verdicts({ds: results[ds] for ds in cfg})
    print()
    for line in results["verdicts"]:
        print(line)
    results["config"] = {"training": TRAINING, "datasets": cfg, "seed": seed, "smoke": smoke}
    files["results"] = str(out / "results.json")
    results["files"] = files
    save_json(results, out / "results.json")
    print(f"\nplots and results.json in {out}")
    return results


if __name__ == "__main__":
    cli(main, __doc__, "activations")
