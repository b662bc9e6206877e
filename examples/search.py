"""Random vs grid search (Bergstra & Bengio 2012), against two kinds of grid.

CS231n lecture 6 ("Hyperparameter optimization: random search vs. grid search") and the
notes "Neural Networks 3" ("prefer random search to grid search"): when one hyperparameter
matters and another hardly does, a grid of B = n x n trials tries only n distinct values of
the important one, random search tries B, so with the same budget it tends to find a
better value. How much better depends on where the grid's n values fall. Two grids, both
made with numpy in log space, are compared: the "endpoint" grid ``geomspace(lo, hi, n)``
(its ends included: two of its n values sit on the edges of the range) and the "centred"
grid (the midpoints of n equal cells: lo (hi/lo)^((i + 1/2) / n)).

Experiment ``compare`` (budget 16 = 4 x 4 for the grids and random search alike;
``optim.search.grid_search`` and ``random_search`` with LogUniform draws; lr in [1e-4, 1]
matters, weight decay in [1e-6, 1e-3] hardly does). With 4 values per axis the two grids
share no value (endpoint lr 1e-4, 2.2e-3, 0.046, 1; centred 3.2e-4, 3.2e-3, 0.032, 0.32);
with 3 they shared the middle one (1e-2), and on the digits model used before both
grids found their best trial there on every seed: the two comparisons were one:

- a cheap objective: a bump of height 1 and width 0.3 decades at log10 lr = c, plus a
  0.02 ripple in log10 weight decay; c is swept across the range (81 positions), the
  regret (the optimum 1.02 minus the best found) recorded for each search at each c;
  a seed draws the random searches (the grids are deterministic);
- a real model: MNIST-5k under the protocol of examples/_protocol.py, the first 3,000
  training images for training and the last 1,000 of the 4,000 for validation (the test
  set stays unseen; the pixel statistics are the protocol's, from all 4,000); a
  784-100-10 ReLU MLP ("matched" init), SGD momentum 0.9 with the trial's lr and weight
  decay, batches of 100, 3 epochs (1 at smoke size); the best validation accuracy each
  search found; a seed sets the training (the same for every trial) and the random
  draws. At least 5 seeds (a trial takes ~0.15 s: 16 x 3 searches x 5 seeds ~ 45 s).

Run:  python examples/search.py [--smoke] [--seeds 3] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import functools
import math
import warnings

import numpy as np

import optim
from optim.search import LogUniform, grid_search, random_search

from ._claims import Claim, claim_cli
from ._plots import COLORS, band, figure, save, strip
from ._protocol import evaluate, mlp, mnist5k, train
from ._verdict import describe, verdict

TOPIC = "Hyperparameter search"
SOURCE = ("CS231n lecture 6 (2017), Training Neural Networks I: hyperparameter optimization "
          "(random search vs. grid search); CS231n notes, Neural Networks 3")
LR_RANGE, WD_RANGE = (1e-4, 1.0), (1e-6, 1e-3)
OPTIMUM = 1.02
MIN_SEEDS = 5                   # cheap: more seeds than the default three
CONFIGS = {
    "full": dict(budget=16, positions=81, epochs=3, batch=100, n_val=1000),
    "smoke": dict(budget=16, positions=21, epochs=1, batch=100, n_val=1000),
}


def endpoint_grid(lo, hi, n):
    """``n`` values log-spaced from ``lo`` to ``hi``, both ends included.

    Example:
        >>> endpoint_grid(1e-4, 1.0, 3)
        [0.0001, 0.01, 1.0]
    """
    return [float(v) for v in np.geomspace(lo, hi, n)]


def centred_grid(lo, hi, n):
    """The log-space midpoints of ``n`` equal cells between ``lo`` and ``hi``.

    Example:
        >>> [round(v, 6) for v in centred_grid(1e-4, 1.0, 2)]
        [0.001, 0.1]
    """
    a, b = math.log10(lo), math.log10(hi)
    return [float(10 ** (a + (b - a) * (i + 0.5) / n)) for i in range(n)]


def spaces(budget):
    """The three search spaces for a square budget: endpoint grid, centred grid, random.

    Example:
        >>> sorted(spaces(16))
        ['centred grid', 'endpoint grid', 'random']
    """
    n = math.isqrt(budget)
    if n * n != budget:
        raise ValueError(f"search: budget {budget} must be a square (an n x n grid)")
    return {"endpoint grid": {"lr": endpoint_grid(*LR_RANGE, n),
                              "weight_decay": endpoint_grid(*WD_RANGE, n)},
            "centred grid": {"lr": centred_grid(*LR_RANGE, n),
                             "weight_decay": centred_grid(*WD_RANGE, n)},
            "random": {"lr": LogUniform(*LR_RANGE), "weight_decay": LogUniform(*WD_RANGE)}}


def search(kind, space, objective, budget, seed, metric):
    """Run one search; returns its best metric and the lr values it tried.

    Example:
        >>> search("random", spaces(16)["random"], objective, 16, 0, "score")
    """
    if kind == "random":
        result = random_search(objective, space, budget, seed=seed, metric=metric)
    else:
        result = grid_search(objective, space, seed=seed, metric=metric)
    return result.best["metrics"][metric], sorted({t["params"]["lr"] for t in result.trials})


def cheap_objective(params, seed, centre):
    """A bump of height 1 at ``log10 lr = centre`` plus a 0.02 ripple in ``log10 weight_decay``.

    Its maximum over the search ranges is 1.02; ``seed`` is unused (deterministic).

    Example:
        >>> round(cheap_objective({"lr": 1e-2, "weight_decay": 1e-5}, 0, centre=-2.0)["score"], 4)
        0.9848
    """
    x, y = math.log10(params["lr"]), math.log10(params["weight_decay"])
    return {"score": math.exp(-0.5 * ((x - centre) / 0.3) ** 2) + 0.02 * math.cos(3 * y)}


def real_objective(params, trial_seed, seed, epochs, batch, n_val):
    """Validation accuracy of the MNIST-5k MLP trained with these lr and weight decay.

    The training uses the experiment's ``seed`` for every trial (not the search's
    per-trial seed), so a value of the hyperparameters scores the same in every search.

    Example:
        >>> real_objective({"lr": 0.1, "weight_decay": 1e-5}, 0, 0, 3, 100, 1000)
    """
    d = mnist5k()
    X, y = d.X_train[:-n_val], d.y_train[:-n_val]
    model = mlp(784, [100], 10, "relu", seed=seed)
    per_epoch = -(-len(X) // batch)
    opt = optim.SGD(model.parameters(), lr=params["lr"], momentum=0.9,
                    weight_decay=params["weight_decay"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        train(model, X, y, optimizer=opt, steps=epochs * per_epoch, batch_size=batch, seed=seed)
        acc = evaluate(model, d.X_train[-n_val:], d.y_train[-n_val:])[1]
    return {"val_accuracy": acc if math.isfinite(acc) else 0.0}


def compare(seeds, smoke=False, out=None):
    """Claims: random search beats an endpoint grid; against a centred grid it depends.

    Example:
        >>> [c.verdict.status for c in compare([0, 1, 2])]
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    seeds = list(seeds) + [max(seeds) + 1 + k for k in range(max(0, MIN_SEEDS - len(seeds)))]
    budget, sp = cfg["budget"], spaces(cfg["budget"])
    lo, hi = (math.log10(v) for v in LR_RANGE)
    centres = np.linspace(lo, hi, cfg["positions"])
    regret = {k: [] for k in sp}                     # per seed: regrets along the centres
    for s in seeds:
        for k in sp:
            if k != "random" and regret[k]:
                regret[k].append(regret[k][0])       # the grids do not depend on the seed
                continue
            regret[k].append([OPTIMUM - search(k, sp[k], functools.partial(
                cheap_objective, centre=float(c)), budget, s * 1000 + i, "score")[0]
                for i, c in enumerate(centres)])
    mean_regret = {k: [float(np.mean(r)) for r in regret[k]] for k in sp}
    real, tried = {k: [] for k in sp}, {}
    for s in seeds:
        objective = functools.partial(real_objective, seed=s, epochs=cfg["epochs"],
                                      batch=cfg["batch"], n_val=cfg["n_val"])
        for k in sp:
            best, lrs = search(k, sp[k], objective, budget, s, "val_accuracy")
            real[k].append(best)
            tried.setdefault(k, lrs)
    # the validation accuracy along lr (weight decay 1e-6), to show where the optimum lies
    profile_lrs = [float(v) for v in np.geomspace(*LR_RANGE, 9)]
    profile = [[real_objective({"lr": lr, "weight_decay": WD_RANGE[0]}, 0, s, cfg["epochs"],
                               cfg["batch"], cfg["n_val"])["val_accuracy"] for lr in profile_lrs]
               for s in seeds[:1]]

    fig = figure(12, 3.8)
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for i, k in enumerate(sp):
        band(ax1, centres, regret[k], label=k, color=COLORS[i])
    for i, k in enumerate(("endpoint grid", "centred grid")):
        for v in sp[k]["lr"]:
            ax1.axvline(math.log10(v), color=COLORS[i], linestyle=":", linewidth=1)
    ax1.set_xlabel("log10 lr of the bump's top (c)")
    ax1.set_ylabel("regret (1.02 - best found)")
    ax1.set_title(f"cheap objective, budget {budget}: regret by where the optimum lies",
                  fontsize=8)
    ax1.legend(fontsize=7)
    ax2.semilogx(profile_lrs, profile[0], "k.-", label=f"seed {seeds[0]}, wd 1e-6")
    for i, k in enumerate(("endpoint grid", "centred grid")):
        for v in sp[k]["lr"]:
            ax2.axvline(v, color=COLORS[i], linestyle=":", linewidth=1)
    ax2.set_xlabel("lr")
    ax2.set_ylabel("validation accuracy")
    ax2.set_title("real model: accuracy along lr (dotted: the grids' lr values)", fontsize=8)
    strip(ax3, real, ylabel="best validation accuracy found")
    ax3.set_title(f"real model, budget {budget}", fontsize=9)
    plot = save(fig, out, "search.png")

    n = math.isqrt(budget)
    lrs = {k: [f"{v:.3g}" for v in sp[k]["lr"]] for k in ("endpoint grid", "centred grid")}
    setup = (f"budget {budget} ({n} x {n} grids, {budget} random trials); lr in [1e-4, 1] "
             f"(important), weight decay in [1e-6, 1e-3]; endpoint grid lr "
             f"{lrs['endpoint grid']}, centred grid lr {lrs['centred grid']}, random: "
             f"LogUniform; cheap objective swept over {cfg['positions']} bump positions; real "
             f"model: MNIST-5k 784-100-10 ReLU MLP, SGD momentum 0.9, batches of "
             f"{cfg['batch']}, {cfg['epochs']} epochs on the first {4000 - cfg['n_val']:,} "
             f"training images, validation on the last {cfg['n_val']:,}")
    figures = {f"{k}: distinct lr values tried": str(len(tried[k])) for k in sp}
    figures |= {f"cheap objective, {k}: regret averaged over positions": mean_regret[k]
                for k in sp}
    figures |= {f"real model, {k}: best validation accuracy": real[k] for k in sp}
    claims = []
    for grid, key in (("endpoint grid", "random-vs-endpoint-grid"),
                      ("centred grid", "random-vs-centred-grid")):
        cheap = verdict(mean_regret[grid], mean_regret["random"],
                        labels=(f"{grid} regret", "random")).status
        claims.append(Claim(
            key, TOPIC, "Random search vs. grid search: with one important and one unimportant "
            "parameter, prefer random search (Bergstra and Bengio 2012): it tries more "
            f"distinct values of the important one. Here against the {grid}.", SOURCE,
            "examples/search.py: compare()", setup,
            {k: v for k, v in figures.items() if grid in k or "random" in k},
            verdict(real["random"], real[grid], labels=("random", grid)),
            f"the best validation accuracy found on the real model; on the cheap objective, "
            f"averaged over where the optimum lies, random beats the {grid}: {cheap} "
            f"(regret {describe(mean_regret['random'])} vs {describe(mean_regret[grid])}); "
            f"the plot shows the grid winning where the optimum falls on one of its values",
            plot))
    return claims


EXPERIMENTS = [compare]

if __name__ == "__main__":
    claim_cli("search", EXPERIMENTS, __doc__)
