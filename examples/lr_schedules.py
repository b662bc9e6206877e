"""Learning-rate schedules (step, 1/(1+kt), cyclic) compared, and random vs grid search.

Part 1, the lecture's claim on schedules: with a constant, high learning rate
the loss stops improving and bounces around at a level set by the step
size; decaying the rate (step decay, ``lr / (1 + k t)``) or cycling it lets
the loss settle lower. A 64-64-10 ReLU MLP on UCI digits is trained with SGD
(momentum 0.9) from the same initialisation under each schedule, at a high
and at a moderate base rate, for a short and a longer run (each schedule
spans the whole run). Measured: final training loss, the spread of the last
epoch's batch losses, validation and test accuracy. (Digits is small enough
to fit exactly: given enough epochs even a constant high rate drives the
training loss towards zero, and the measured advantage of decay can vanish.)

Part 2, Bergstra & Bengio (2012): when one hyperparameter matters and another
hardly does, a grid of ``B = n x n`` trials tries only ``n`` distinct values
of the important one, random search tries ``B``, so with the same budget it
tends to find a better value. Measured with ``optim.grid_search`` and
``optim.random_search``:

- on a cheap synthetic objective (a bump in ``log10 lr`` whose position is
  drawn anew for each of many repetitions, plus a 0.02-amplitude ripple in
  ``log10 weight_decay``): distinct values of the important parameter, the
  best value found and the regret (optimum minus best found), per budget;
- on a real model (the MLP above, a few epochs on digits; lr in [1e-4, 1]
  matters, weight decay in [1e-6, 1e-3] hardly does): best validation
  accuracy found by each search for a few search seeds.

Writes ``schedules.png``, ``search_real.png``, ``search_cheap.png``,
``search_grid.json`` / ``search_random.json`` (every trial of the real-model
searches, seed 0) and ``results.json``.

Run:  python examples/lr_schedules.py [--smoke] [--seed 0] [--out DIR]
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # small matrices: threads only cost time

import functools
import math
import warnings

import numpy as np

import autograd
import nn
import optim
import viz
from autograd import Tensor
from optim import lr_scheduler
from optim.search import LogUniform, grid_search, random_search

if __package__:
    from ._common import cli, format_table, run_dir, save_json
else:
    from _common import cli, format_table, run_dir, save_json

SCHEDULES = ("constant", "step", "inverse_time", "cyclic")
COLORS = dict(zip(SCHEDULES, ["#000000", "#1f77b4", "#2ca02c", "#d62728"]))
LR_RANGE, WD_RANGE = (1e-4, 1.0), (1e-6, 1e-3)
CONFIGS = {
    "full": dict(epochs=[12, 30], base_lrs={"high": 0.3, "moderate": 0.1}, momentum=0.9,
                 batch_size=32, cheap_budgets=[9, 16, 25], cheap_repeats=200, real_budget=9,
                 real_seeds=[0, 1, 2], real_epochs=5),
    "smoke": dict(epochs=[12], base_lrs={"high": 0.3}, momentum=0.9, batch_size=32,
                  cheap_budgets=[9], cheap_repeats=50, real_budget=4, real_seeds=[0],
                  real_epochs=2),
}


def _digits(seed):
    Xtr, ytr, Xte, yte = nn.data.load_digits(scale=True, split=True, seed=seed)
    Xtr, Xte = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    Xtr, Xva, ytr, yva = nn.data.train_test_split(Xtr, ytr, test_size=300, seed=seed,
                                                  stratify=True)
    return (Xtr, ytr), (Xva, yva), (Xte, yte)


def make_scheduler(name, optimizer, lr, epochs, steps_per_epoch):
    """(scheduler or None, fit's scheduler_interval) for one named schedule over ``epochs``.

    step: lr x 0.1 after each third of training; inverse_time: ``lr / (1 + k t)``
    per epoch with ``k = 15 / epochs`` (ends at lr / 16); cyclic: triangular
    between lr / 10 and lr, per batch, three whole cycles (it ends low).

    Example:
        >>> sched, interval = make_scheduler("step", opt, 0.3, epochs=30, steps_per_epoch=36)
    """
    if name == "constant":
        return None, "epoch"
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1), "epoch"
    if name == "inverse_time":
        return lr_scheduler.InverseTimeDecay(optimizer, decay_rate=15.0 / epochs), "epoch"
    if name == "cyclic":
        half = max(1, round(epochs * steps_per_epoch / 6))
        return lr_scheduler.CyclicLR(optimizer, base_lr=lr / 10, max_lr=lr,
                                     step_size_up=half), "step"
    raise ValueError(f"make_scheduler: unknown schedule {name!r}; one of {SCHEDULES}")


class RecordLR(optim.Callback):
    """fit callback: the learning rate each optimizer step used.

    Example:
        >>> rec = RecordLR(); optim.fit(..., callbacks=[rec]); rec.lrs[:3]
    """

    def __init__(self):
        self.lrs = []

    def on_before_optimizer_step(self, state):
        """Record the lr the coming step will use."""
        self.lrs.append(float(state.optimizer.param_groups[0]["lr"]))


def _accuracy(model, X, y):
    model.eval()
    with autograd.no_grad():
        return float(np.mean(model(Tensor(X)).data.argmax(1) == y))


def train(data, lr, epochs, seed, cfg, schedule="constant", weight_decay=0.0):
    """Train the 64-64-10 MLP with SGD + momentum under a schedule; returns (history, lrs, model).

    Example:
        >>> history, lrs, model = train(_digits(0), 0.3, 12, 0, CONFIGS["smoke"], "cyclic")
    """
    (Xtr, ytr), (Xva, yva), _ = data
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    loader = nn.data.DataLoader(nn.data.TensorDataset(Xtr, ytr), batch_size=cfg["batch_size"],
                                shuffle=True)
    val = nn.data.DataLoader(nn.data.TensorDataset(Xva, yva), batch_size=len(Xva))
    opt = optim.SGD(model.parameters(), lr=lr, momentum=cfg["momentum"],
                    weight_decay=weight_decay)
    sched, interval = make_scheduler(schedule, opt, lr, epochs, len(loader))
    rec = RecordLR()
    with warnings.catch_warnings():      # a too-high lr overflows; it is measured, not an error
        warnings.simplefilter("ignore", RuntimeWarning)
        history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
                            epochs=epochs, val_loader=val, scheduler=sched,
                            scheduler_interval=interval, metrics=["accuracy"], callbacks=[rec],
                            seed=seed, progress=False, on_nonfinite="continue")
    return history, rec.lrs, model


def schedule_experiment(cfg, seed):
    """Every schedule at every base lr and training length (each schedule spans the whole run).

    Returns ``(figures, runs)``: ``figures[base][str(epochs)][schedule]`` and
    ``runs[(base, epochs)][schedule] = (history, lrs)``.

    Example:
        >>> res, runs = schedule_experiment(CONFIGS["smoke"], seed=0)
        >>> res["high"]["12"]["step"]["train_loss"] < res["high"]["12"]["constant"]["train_loss"]
        True
    """
    data = _digits(seed)
    Xte, yte = data[2]
    res, runs = {}, {}
    for base, lr in cfg["base_lrs"].items():
        res[base] = {}
        for epochs in cfg["epochs"]:
            res[base][str(epochs)], runs[(base, epochs)] = {}, {}
            for name in SCHEDULES:
                history, lrs, model = train(data, lr, epochs, seed, cfg, name)
                per_epoch = len(history["step_loss"]) // len(history["epoch"])
                last = np.asarray(history["step_loss"][-per_epoch:])
                res[base][str(epochs)][name] = {
                    "lr": lr, "final_lr": lrs[-1], "train_loss": history["train_loss"][-1],
                    "last_epoch_loss_std": float(np.std(last)),
                    "val_accuracy": history["val_accuracy"][-1],
                    "test_accuracy": _accuracy(model, Xte, yte)}
                runs[(base, epochs)][name] = (history, lrs)
    return res, runs


# ---- part 2: random vs grid search -----------------------------------------------------------

def cheap_objective(params, seed, centre):
    """A bump of height 1 at ``log10 lr = centre`` plus a 0.02 ripple in ``log10 weight_decay``.

    Its maximum over the search ranges is 1.02. ``seed`` is unused (the
    objective is deterministic).

    Example:
        >>> params = {"lr": 1e-2, "weight_decay": 1e-5}
        >>> round(cheap_objective(params, 0, centre=-2.0)["score"], 4)
        0.9848
    """
    x, y = math.log10(params["lr"]), math.log10(params["weight_decay"])
    return {"score": math.exp(-0.5 * ((x - centre) / 0.3) ** 2) + 0.02 * math.cos(3 * y)}


def _spaces(budget):
    n = math.isqrt(budget)
    if n * n != budget:
        raise ValueError(f"random vs grid: budget {budget} must be a square (n x n grid)")
    grid = {"lr": [float(v) for v in np.geomspace(*LR_RANGE, n)],
            "weight_decay": [float(v) for v in np.geomspace(*WD_RANGE, n)]}
    rand = {"lr": LogUniform(*LR_RANGE), "weight_decay": LogUniform(*WD_RANGE)}
    return grid, rand


def _distinct(result, name):
    return len({t["params"][name] for t in result.trials})


def cheap_search(cfg, seed):
    """Grid vs random search on the cheap objective, many repetitions per budget.

    Each repetition draws a new bump position (uniform in log10 of the lr range)
    and a new random-search seed. Returns per budget the mean distinct lr values,
    mean best score, mean regret and the win/tie/loss counts of random vs grid.

    Example:
        >>> res = cheap_search(CONFIGS["smoke"], seed=0)
        >>> res["9"]["random"]["distinct_lr"] > res["9"]["grid"]["distinct_lr"]
        True
    """
    rng = np.random.default_rng(seed)
    lo, hi = (math.log10(v) for v in LR_RANGE)
    out = {}
    for budget in cfg["cheap_budgets"]:
        grid_space, rand_space = _spaces(budget)
        best = {"grid": [], "random": []}
        distinct = {"grid": [], "random": []}
        for r in range(cfg["cheap_repeats"]):
            objective = functools.partial(cheap_objective, centre=float(rng.uniform(lo, hi)))
            for kind, result in (
                    ("grid", grid_search(objective, grid_space, seed=r, metric="score")),
                    ("random", random_search(objective, rand_space, budget,
                                             seed=seed * 100003 + r, metric="score"))):
                best[kind].append(result.best["metrics"]["score"])
                distinct[kind].append(_distinct(result, "lr"))
        g, rnd = np.array(best["grid"]), np.array(best["random"])
        out[str(budget)] = {
            **{kind: {"distinct_lr": float(np.mean(distinct[kind])),
                      "mean_best": float(np.mean(best[kind])),
                      "mean_regret": float(np.mean(1.02 - np.array(best[kind])))}
               for kind in best},
            "random_wins": int(np.sum(rnd > g + 1e-12)), "grid_wins": int(np.sum(g > rnd + 1e-12)),
            "ties": int(np.sum(abs(rnd - g) <= 1e-12)), "repeats": cfg["cheap_repeats"]}
    return out


def real_objective(params, seed, data, epochs, cfg):
    """Validation accuracy of the digits MLP after ``epochs`` epochs with these lr and weight decay.

    Example:
        >>> real_objective({"lr": 0.1, "weight_decay": 1e-5}, 0, _digits(0), 2, CONFIGS["smoke"])
    """
    history, _, _ = train(data, params["lr"], epochs, seed, cfg,
                          weight_decay=params["weight_decay"])
    acc = history["val_accuracy"][-1]
    return {"val_accuracy": acc if math.isfinite(acc) else 0.0,
            "train_loss": history["train_loss"][-1]}


def real_search(cfg, seed):
    """Grid vs random search on the real model per search seed; returns (figures, searches).

    ``figures["accuracy_spread_along"]``: how much each parameter matters, from
    the first grid: the accuracy's range along one axis, averaged over the other.

    Example:
        >>> res, searches = real_search(CONFIGS["smoke"], seed=0)
    """
    data = _digits(seed)
    objective = functools.partial(real_objective, data=data, epochs=cfg["real_epochs"], cfg=cfg)
    grid_space, rand_space = _spaces(cfg["real_budget"])
    res, searches = [], []
    for s in cfg["real_seeds"]:
        g = grid_search(objective, grid_space, seed=s)
        r = random_search(objective, rand_space, cfg["real_budget"], seed=s)
        row = {"search_seed": s}
        for kind, result in (("grid", g), ("random", r)):
            row[kind] = {"best_val_accuracy": result.best["metrics"]["val_accuracy"],
                         "best_lr": result.best["params"]["lr"],
                         "best_weight_decay": result.best["params"]["weight_decay"],
                         "distinct_lr": _distinct(result, "lr")}
        res.append(row)
        searches.append((g, r))
    n = math.isqrt(cfg["real_budget"])       # grid order: lr outer, weight decay inner
    acc = np.array([t["metrics"]["val_accuracy"] for t in searches[0][0].trials]).reshape(n, n)
    spread = {"lr": float(np.ptp(acc, axis=0).mean()),
              "weight_decay": float(np.ptp(acc, axis=1).mean())}
    return {"runs": res, "accuracy_spread_along": spread}, searches


def _figure(width, height):
    from matplotlib.figure import Figure     # no pyplot: nothing global, Agg through save_figure
    return Figure(figsize=(width, height), layout="constrained")


def plot_schedules(runs, path):
    """Per base lr and length: the lr at every step and the training loss per epoch, per schedule.

    Example:
        >>> plot_schedules(runs, "schedules.png")
    """
    fig = _figure(11.0, 3.6 * len(runs))
    axes = fig.subplots(len(runs), 2, squeeze=False)
    for row, ((base, epochs), by_name) in zip(axes, runs.items()):
        for name, (history, lrs) in by_name.items():
            row[0].semilogy(lrs, color=COLORS[name], label=name)
            row[1].semilogy(np.arange(1, len(history["train_loss"]) + 1), history["train_loss"],
                            color=COLORS[name], marker="o", markersize=2, label=name)
        row[0].set_title(f"{base} base lr, {epochs} epochs: learning rate", fontsize=9)
        row[0].set_xlabel("step")
        row[1].set_title(f"{base} base lr, {epochs} epochs: training loss (epoch mean)",
                         fontsize=9)
        row[1].set_xlabel("epoch")
        for ax in row:
            ax.legend(fontsize=7)
            ax.grid(alpha=0.3)
    viz.save_figure(fig, path)
    return fig


def plot_search(searches, path):
    """Bergstra & Bengio's picture: each trial in the (lr, weight decay) plane, coloured.

    Example:
        >>> plot_search(searches[0], "search_real.png")
    """
    fig = _figure(10.0, 4.0)
    axes = fig.subplots(1, 2)
    for ax, (kind, result) in zip(axes, (("grid", searches[0]), ("random", searches[1]))):
        lr = np.array([t["params"]["lr"] for t in result.ok])
        wd = np.array([t["params"]["weight_decay"] for t in result.ok])
        acc = np.array([t["metrics"]["val_accuracy"] for t in result.ok])
        points = ax.scatter(lr, wd, c=acc, cmap="viridis", vmin=0, vmax=1, s=50,
                            edgecolors="black")
        for v in lr:      # the projection onto the important axis: the values actually tried
            ax.axvline(v, ymax=0.05, color="red", linewidth=1.5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(LR_RANGE[0] / 2, LR_RANGE[1] * 2)
        ax.set_ylim(WD_RANGE[0] / 3, WD_RANGE[1] * 2)
        ax.set_xlabel("lr (important)")
        ax.set_ylabel("weight decay (unimportant)")
        ax.set_title(f"{kind} search: {len(set(lr))} distinct lr values, best val acc "
                     f"{acc.max():.3f}", fontsize=9)
    fig.colorbar(points, ax=axes, label="validation accuracy")
    viz.save_figure(fig, path)
    return fig


def plot_cheap(cheap, path):
    """Mean regret and distinct lr values per budget, grid vs random, on the cheap objective.

    Example:
        >>> plot_cheap(cheap, "search_cheap.png")
    """
    fig = _figure(9.0, 3.5)
    axes = fig.subplots(1, 2)
    budgets = [int(b) for b in cheap]
    for kind, color in (("grid", "#1f77b4"), ("random", "#d62728")):
        axes[0].plot(budgets, [cheap[str(b)][kind]["mean_regret"] for b in budgets], "o-",
                     color=color, label=kind)
        axes[1].plot(budgets, [cheap[str(b)][kind]["distinct_lr"] for b in budgets], "o-",
                     color=color, label=kind)
    axes[0].set_title("mean regret (optimum - best found)", fontsize=9)
    axes[1].set_title("distinct values of the important parameter", fontsize=9)
    for ax in axes:
        ax.set_xlabel("budget (trials)")
        ax.set_xticks(budgets)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    viz.save_figure(fig, path)
    return fig


def _verdicts(sched, cheap, real):
    lines = []
    for base, by_length in sched.items():
        for epochs, r in by_length.items():
            const = r["constant"]["train_loss"]
            lower = [n for n in SCHEDULES[1:] if r[n]["train_loss"] < const]
            lines.append(f"{base} base lr {r['constant']['lr']:g}, {epochs} epochs: final "
                         f"training loss lower than constant ({const:.3g}): "
                         f"{', '.join(lower) or 'none'}; not lower: "
                         f"{', '.join(n for n in SCHEDULES[1:] if n not in lower) or 'none'}")
    for b, c in cheap.items():
        better = c["random"]["mean_best"] > c["grid"]["mean_best"]
        lines.append(f"cheap objective, budget {b}: random search tried "
                     f"{c['random']['distinct_lr']:.1f} distinct lr values vs "
                     f"{c['grid']['distinct_lr']:.0f} for grid; its mean "
                     f"regret {c['random']['mean_regret']:.3f} vs {c['grid']['mean_regret']:.3f} "
                     f"({'better' if better else 'NOT better'}); wins / ties / losses "
                     f"{c['random_wins']} / {c['ties']} / {c['grid_wins']} of {c['repeats']}")
    wins = sum(r["random"]["best_val_accuracy"] > r["grid"]["best_val_accuracy"]
               for r in real["runs"])
    ties = sum(r["random"]["best_val_accuracy"] == r["grid"]["best_val_accuracy"]
               for r in real["runs"])
    s = real["accuracy_spread_along"]
    lines.append(f"real model: random search found a higher validation accuracy than grid in "
                 f"{wins} of {len(real['runs'])} search seeds ({ties} ties); accuracy spread "
                 f"along lr {s['lr']:.3f} vs along weight decay {s['weight_decay']:.3f}")
    return lines


def main(smoke=False, seed=0, out_dir=None):
    """Run both parts, print the tables, save the plots; returns the measured figures.

    Example:
        >>> res = main(smoke=True, out_dir="/tmp/lr_schedules")
        >>> res["cheap_search"]["9"]["random"]["distinct_lr"]
        9.0
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    out = run_dir("lr_schedules", out_dir)
    sched, runs = schedule_experiment(cfg, seed)
    cheap = cheap_search(cfg, seed)
    real, searches = real_search(cfg, seed)
    results = {"config": dict(cfg, seed=seed, smoke=smoke), "schedules": sched,
               "cheap_search": cheap, "real_search": real}
    results["verdicts"] = _verdicts(sched, cheap, real)

    print(f"Learning-rate schedules{' [smoke size]' if smoke else ''}: 64-64-10 MLP on digits, "
          f"SGD (momentum {cfg['momentum']}) for {' and '.join(map(str, cfg['epochs']))} "
          f"epochs, seed {seed}\n")
    print(format_table(["base lr", "epochs", "schedule", "final lr", "train loss",
                        "last-epoch loss std", "val acc", "test acc"],
                       [[f"{base} {r['lr']:g}", epochs, n, r["final_lr"], r["train_loss"],
                         r["last_epoch_loss_std"], r["val_accuracy"], r["test_accuracy"]]
                        for base, by_length in sched.items()
                        for epochs, by in by_length.items() for n, r in by.items()]))
    print(f"\nRandom vs grid search, cheap objective ({cfg['cheap_repeats']} repetitions per "
          f"budget; optimum 1.02):")
    print(format_table(["budget", "search", "distinct lr", "mean best", "mean regret",
                        "wins"],
                       [[b, kind, c[kind]["distinct_lr"], c[kind]["mean_best"],
                         c[kind]["mean_regret"],
                         c["random_wins"] if kind == "random" else c["grid_wins"]]
                        for b, c in cheap.items() for kind in ("grid", "random")]))
    print(f"\nRandom vs grid search, real model (budget {cfg['real_budget']}, "
          f"{cfg['real_epochs']} epochs per trial, validation accuracy):")
    print(format_table(["search seed", "search", "distinct lr", "best val acc", "best lr",
                        "best weight decay"],
                       [[r["search_seed"], kind, r[kind]["distinct_lr"],
                         r[kind]["best_val_accuracy"], r[kind]["best_lr"],
                         r[kind]["best_weight_decay"]]
                        for r in real["runs"] for kind in ("grid", "random")]))
    print()
    for line in results["verdicts"]:
        print(line)

    files = {"schedules": out / "schedules.png", "search_real": out / "search_real.png",
             "search_cheap": out / "search_cheap.png", "search_grid": out / "search_grid.json",
             "search_random": out / "search_random.json"}
    plot_schedules(runs, files["schedules"])
    plot_search(searches[0], files["search_real"])
    plot_cheap(cheap, files["search_cheap"])
    searches[0][0].to_json(files["search_grid"])
    searches[0][1].to_json(files["search_random"])
    results["files"] = {k: str(v) for k, v in files.items()}
    save_json(results, out / "results.json")
    print(f"\nplots and results.json in {out}")
    return results


if __name__ == "__main__":
    cli(main, __doc__, "lr_schedules")
