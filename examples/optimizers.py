"""Optimizers compared: SGD, momentum, Nesterov, Adagrad, RMSprop, Adam on 2-D surfaces and digits.

The lecture's claims: on an ill-conditioned surface plain SGD zig-zags across
the steep direction and crawls along the shallow one; momentum (and Nesterov)
build up speed along the shallow direction, and the per-parameter adaptive
methods (Adagrad, RMSprop, Adam) equalise the step sizes across directions.

Part 1, 2-D surfaces written as chainrule Tensor functions (the gradient comes
from autograd): an axis-aligned quadratic ``0.5 (x^2 + 50 y^2)`` (condition
number 50), the same quadratic and start point rotated by 45 degrees (SGD
and momentum do not depend on the axes, so they take the same steps; the
adaptive methods scale each coordinate, which no longer matches the axes)
and Rosenbrock's valley. Measured per optimizer: steps to reach
``f < threshold`` at one common learning rate (``1/L`` on the quadratics,
``L = 50`` the largest curvature, where plain SGD is stable) and at each
optimizer's best learning rate from a log grid. The surfaces and start
points are fixed; ``seed`` only affects part 2.

Part 2, UCI digits (8x8, ``nn.data.load_digits``) with a 64-64-10 ReLU MLP:
each optimizer at a common lr and at its best lr of a grid (chosen on a
validation split); measured: steps until the running mean of the training
loss falls below a threshold, final training loss, validation and test
accuracy.

Writes ``trajectories_common_lr.png``, ``trajectories_best_lr.png``,
``surface_losses.png``, ``digits_curves.png`` and ``results.json``.

Run:  python examples/optimizers.py [--smoke] [--seed 0] [--out DIR]
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # small matrices: threads only cost time

import math
import warnings

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

OPTIMIZERS = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "Momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
}
COLORS = dict(zip(OPTIMIZERS, ["#000000", "#1f77b4", "#17becf", "#2ca02c", "#ff7f0e", "#d62728"]))
CONFIGS = {
    "full": dict(surfaces=("quadratic", "rotated", "rosenbrock"), threshold=1e-3,
                 max_steps={"quadratic": 1000, "rotated": 1000, "rosenbrock": 3000},
                 surface_lrs=[float(v) for v in np.logspace(-4, 1, 11)],
                 digits_epochs=15, digits_lrs=[float(v) for v in np.logspace(-4, 0, 9)],
                 common_lr=0.01, loss_threshold=0.3, batch_size=32),
    "smoke": dict(surfaces=("quadratic",), threshold=1e-3, max_steps={"quadratic": 500},
                  surface_lrs=[0.01, 0.3, 1.0],
                  digits_epochs=3, digits_lrs=[0.01, 0.1], common_lr=0.01, loss_threshold=0.5,
                  batch_size=32),
}


def _quadratic(p):
    return 0.5 * (p[0] ** 2 + 50.0 * p[1] ** 2)


def _rotated(p):
    u, v = (p[0] + p[1]) * math.sqrt(0.5), (p[1] - p[0]) * math.sqrt(0.5)
    return 0.5 * (u ** 2 + 50.0 * v ** 2)


def _rosenbrock(p):
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


# name -> (function of a Tensor p with p[0] = x, p[1] = y, start, (xmin, xmax, ymin, ymax), L)
SURFACES = {
    "quadratic": (_quadratic, (-4.0, 1.0), (-4.5, 4.5, -1.5, 1.5), 50.0),
    # the quadratic's start point rotated with it: (u, v) = (-4, 1) in the rotated axes
    "rotated": (_rotated, (-5 * math.sqrt(0.5), -3 * math.sqrt(0.5)), (-4.0, 4.0, -3.0, 3.0), 50.0),
    "rosenbrock": (_rosenbrock, (-1.2, 1.0), (-2.0, 2.0, -1.0, 3.0), None),
}


def descend(surface, make_optimizer, lr, max_steps, threshold):
    """Minimise a 2-D surface from its start point; stop at ``f < threshold``, divergence or budget.

    Returns ``{"steps": optimizer steps taken until f < threshold (None if
    never), "final_loss", "diverged", "path": (n, 2) array of the iterates}``.

    Example:
        >>> r = descend("quadratic", OPTIMIZERS["SGD"], 0.02, 1000, 1e-3)
        >>> r["steps"] is not None and r["final_loss"] < 1e-3
        True
    """
    f, start = SURFACES[surface][:2]
    p = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    opt = make_optimizer([p], lr)
    path, steps, value = [p.data.copy()], None, math.inf
    for t in range(max_steps + 1):
        loss = f(p)
        value = float(loss.item())
        if value < threshold:
            steps = t
            break
        if not math.isfinite(value) or value > 1e8 or t == max_steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(p.data.copy())
    diverged = not math.isfinite(value) or value > 1e8
    return {"steps": steps, "final_loss": value, "diverged": diverged, "path": np.array(path)}


def _best(runs):
    """The lr whose run reached the threshold in the fewest steps (else the lowest final loss)."""
    def key(lr):
        r = runs[lr]
        finite = math.isfinite(r["final_loss"]) and not r["diverged"]
        return (r["steps"] is None, r["steps"] or 0, r["final_loss"] if finite else math.inf)
    return min(runs, key=key)


def surface_experiment(cfg):
    """Every optimizer on every surface: a run at each lr of the grid and at the common lr.

    Example:
        >>> res, paths = surface_experiment(CONFIGS["smoke"])
        >>> common = res["quadratic"]["common"]
        >>> common["Momentum"]["steps"] < common["SGD"]["steps"]
        True
    """
    results, paths = {}, {}
    for surface in cfg["surfaces"]:
        budget, L = cfg["max_steps"][surface], SURFACES[surface][3]
        res = {"max_steps": budget, "common_lr": None if L is None else 1.0 / L,
               "common": {}, "best": {}, "grid": {}}
        paths[surface] = {"common": {}, "best": {}}
        for name, make in OPTIMIZERS.items():
            lrs = sorted(set(cfg["surface_lrs"]) | ({1.0 / L} if L else set()))
            runs = {lr: descend(surface, make, lr, budget, cfg["threshold"]) for lr in lrs}
            res["grid"][name] = {f"{lr:.3g}": runs[lr]["steps"] for lr in lrs}
            best = _best(runs)
            res["best"][name] = dict(lr=best, **_summary(runs[best]))
            paths[surface]["best"][name] = runs[best]["path"]
            if L:
                res["common"][name] = _summary(runs[1.0 / L])
                paths[surface]["common"][name] = runs[1.0 / L]["path"]
        results[surface] = res
    return results, paths


def _summary(run):
    return {k: run[k] for k in ("steps", "final_loss", "diverged")}


def _digits(seed):
    Xtr, ytr, Xte, yte = nn.data.load_digits(scale=True, split=True, seed=seed)
    Xtr, Xte = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    Xtr, Xva, ytr, yva = nn.data.train_test_split(Xtr, ytr, test_size=300, seed=seed,
                                                  stratify=True)
    return (Xtr, ytr), (Xva, yva), (Xte, yte)


def _accuracy(model, X, y):
    model.eval()
    with autograd.no_grad():
        return float(np.mean(model(Tensor(X)).data.argmax(1) == y))


def steps_below(step_losses, threshold, window=20):
    """The first step (1-based) at which the mean of the last ``window`` losses is < threshold.

    Example:
        >>> steps_below([3.0] * 5 + [0.1] * 30, 0.5, window=5)
        10
    """
    losses = np.asarray(step_losses, dtype=np.float64)
    if len(losses) < window:
        return None
    means = np.convolve(losses, np.ones(window) / window, mode="valid")
    hit = np.flatnonzero(means < threshold)
    return int(hit[0]) + window if hit.size else None


def train_digits(name, lr, data, cfg, seed):
    """Train the 64-64-10 MLP with one optimizer; returns (figures, history).

    Example:
        >>> figures, history = train_digits("Adam", 0.01, _digits(0), CONFIGS["smoke"], 0)
    """
    (Xtr, ytr), (Xva, yva), (Xte, yte) = data
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    loader = nn.data.DataLoader(nn.data.TensorDataset(Xtr, ytr), batch_size=cfg["batch_size"],
                                shuffle=True)
    val = nn.data.DataLoader(nn.data.TensorDataset(Xva, yva), batch_size=len(Xva))
    with warnings.catch_warnings():      # a too-high lr overflows; it is measured, not an error
        warnings.simplefilter("ignore", RuntimeWarning)
        history = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(),
                            optimizer=OPTIMIZERS[name](model.parameters(), lr),
                            epochs=cfg["digits_epochs"], val_loader=val, metrics=["accuracy"],
                            seed=seed, progress=False, on_nonfinite="continue")
        test_accuracy = _accuracy(model, Xte, yte)
    loss = history["train_loss"][-1]
    return {"lr": lr, "steps_to_loss": steps_below(history["step_loss"], cfg["loss_threshold"]),
            "train_loss": loss if math.isfinite(loss) else math.inf,
            "val_accuracy": history["val_accuracy"][-1], "test_accuracy": test_accuracy}, history


def digits_experiment(cfg, seed):
    """Each optimizer on digits at the common lr and at its best lr (by validation accuracy).

    Example:
        >>> res, histories = digits_experiment(CONFIGS["smoke"], seed=0)
        >>> sorted(res["best"]) == sorted(OPTIMIZERS)
        True
    """
    data = _digits(seed)
    lrs = sorted(set(cfg["digits_lrs"]) | {cfg["common_lr"]})
    res, histories = {"common": {}, "best": {}, "grid": {}}, {}
    for name in OPTIMIZERS:
        runs = {lr: train_digits(name, lr, data, cfg, seed) for lr in lrs}
        res["grid"][name] = {f"{lr:.3g}": runs[lr][0]["val_accuracy"] for lr in lrs}
        best = max(lrs, key=lambda lr: (runs[lr][0]["val_accuracy"], -runs[lr][0]["train_loss"]))
        res["common"][name] = runs[cfg["common_lr"]][0]
        res["best"][name] = runs[best][0]
        histories[name] = {"common": runs[cfg["common_lr"]][1], "best": runs[best][1]}
    return res, histories


def _figure(width, height):
    from matplotlib.figure import Figure     # no pyplot: nothing global, Agg through save_figure
    return Figure(figsize=(width, height), layout="constrained")


def _contour(ax, surface):
    f, start, (x0, x1, y0, y1), _ = SURFACES[surface]
    xs, ys = np.linspace(x0, x1, 200), np.linspace(y0, y1, 200)
    grid = np.stack(np.meshgrid(xs, ys))
    with autograd.no_grad():          # the same Tensor function, evaluated on the whole grid
        z = f(Tensor(grid)).data
    ax.contour(xs, ys, np.log10(z + 1e-3), levels=20, colors="#bbbbbb", linewidths=0.6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def plot_trajectories(paths, which, results, path):
    """Trajectories of every optimizer over each surface's contour lines (log f); saves ``path``.

    Example:
        >>> plot_trajectories(paths, "best", results, "trajectories_best_lr.png")
    """
    surfaces = [s for s in paths if paths[s][which]]
    fig = _figure(5.5 * len(surfaces), 4.2)
    for ax, surface in zip(fig.subplots(1, len(surfaces), squeeze=False)[0], surfaces):
        _contour(ax, surface)
        for name, p in paths[surface][which].items():
            r = results[surface][which][name]
            lr = r.get("lr", results[surface]["common_lr"])
            steps = r["steps"] if r["steps"] is not None else (
                "diverged" if r["diverged"] else f">{results[surface]['max_steps']}")
            shown = p[:400]
            ax.plot(shown[:, 0], shown[:, 1], ".-", color=COLORS[name], markersize=2,
                    linewidth=0.9, label=f"{name} lr={lr:.3g}: {steps}")
        ax.plot(*SURFACES[surface][1], "k*", markersize=9)
        title = "each optimizer's best lr" if which == "best" else (
            f"common lr = 1/L = {results[surface]['common_lr']:.3g}")
        ax.set_title(f"{surface}: {title}", fontsize=9)
        ax.legend(fontsize=6, loc="lower right", title="steps to f < threshold",
                  title_fontsize=6)
    viz.save_figure(fig, path)
    return fig


def plot_surface_losses(paths, path):
    """f along each best-lr trajectory, per step, on a log scale; saves ``path``.

    Example:
        >>> plot_surface_losses(paths, "surface_losses.png")
    """
    fig = _figure(5.0 * len(paths), 3.6)
    for ax, (surface, p) in zip(fig.subplots(1, len(paths), squeeze=False)[0], paths.items()):
        f = SURFACES[surface][0]
        for name, traj in p["best"].items():
            with autograd.no_grad():
                values = f(Tensor(traj.T.copy())).data
            ax.semilogy(np.maximum(values, 1e-12), color=COLORS[name], label=name)
        ax.set_xlabel("step")
        ax.set_title(f"{surface}: f at each optimizer's best lr", fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    viz.save_figure(fig, path)
    return fig


def plot_digits(histories, path):
    """Training loss per step (running mean) and validation accuracy per epoch, per optimizer.

    Example:
        >>> plot_digits(histories, "digits_curves.png")
    """
    fig = _figure(15.0, 3.8)
    axes = fig.subplots(1, 3)
    for name, h in histories.items():
        for ax, which in zip(axes[:2], ("common", "best")):
            losses = np.asarray(h[which]["step_loss"], dtype=np.float64)
            w = min(20, len(losses))
            ax.semilogy(np.convolve(losses, np.ones(w) / w, mode="valid"), color=COLORS[name],
                        label=name)
        axes[2].plot(np.arange(1, len(h["best"]["val_accuracy"]) + 1), h["best"]["val_accuracy"],
                     marker="o", markersize=3, color=COLORS[name], label=name)
    axes[0].set_title("training loss (running mean), common lr", fontsize=9)
    axes[1].set_title("training loss (running mean), best lr each", fontsize=9)
    axes[2].set_title("validation accuracy, best lr each", fontsize=9)
    for ax, label in zip(axes, ("step", "step", "epoch")):
        ax.set_xlabel(label)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    viz.save_figure(fig, path)
    return fig


def _steps(r, budget=None):
    if r["steps"] is not None:
        return r["steps"]
    return "diverged" if r.get("diverged") else (f">{budget}" if budget else "-")


def _verdicts(surf, digits):
    lines = []
    q = surf.get("quadratic")
    if q:
        c = q["common"]
        sgd = c["SGD"]["steps"]
        for name in ("Momentum", "Nesterov", "Adam", "RMSprop", "Adagrad"):
            s = c[name]["steps"]
            faster = s is not None and (sgd is None or s < sgd)
            lines.append(f"quadratic, common lr {q['common_lr']:.3g}: {name} "
                         f"{'reaches' if faster else 'does NOT reach'} the threshold in fewer "
                         f"steps than SGD ({_steps(c[name], q['max_steps'])} vs "
                         f"{_steps(c['SGD'], q['max_steps'])})")
    for surface, r in surf.items():
        b, sgd = r["best"], r["best"]["SGD"]["steps"]
        beats = [n for n in OPTIMIZERS if n != "SGD" and b[n]["steps"] is not None
                 and (sgd is None or b[n]["steps"] < sgd)]
        others = [n for n in OPTIMIZERS if n not in beats and n != "SGD"]
        lines.append(f"{surface}, best lr each: faster than SGD ({_steps(b['SGD'], r['max_steps'])}"
                     f" steps): {', '.join(beats) or 'none'}; not faster: "
                     f"{', '.join(others) or 'none'}")
    if "quadratic" in surf and "rotated" in surf:
        axis, rot = surf["quadratic"]["best"], surf["rotated"]["best"]
        lines.append("rotating the quadratic and its start by 45 degrees, steps at the best lr "
                     "of each: " + ", ".join(f"{n} {_steps(axis[n])} -> {_steps(rot[n])}"
                                             for n in OPTIMIZERS)
                     + " (SGD and momentum do not depend on the axes; Adagrad, RMSprop and "
                       "Adam scale each coordinate on its own)")
    c = digits["common"]
    lower = [n for n in OPTIMIZERS if n != "SGD" and c[n]["train_loss"] < c["SGD"]["train_loss"]]
    lines.append(f"digits, common lr: lower final training loss than SGD "
                 f"({c['SGD']['train_loss']:.3g}): {', '.join(lower) or 'none'}")
    b = digits["best"]
    top = max(b, key=lambda n: b[n]["val_accuracy"])
    test = [v["test_accuracy"] for v in b.values()]
    spread = max(test) - min(test)
    lines.append(f"digits, best lr each: highest validation accuracy {top} "
                 f"({b[top]['val_accuracy']:.3f}); test accuracies span {spread:.3f}")
    return lines


def main(smoke=False, seed=0, out_dir=None):
    """Run both parts, print the tables, save the plots; returns the measured figures.

    Example:
        >>> res = main(smoke=True, out_dir="/tmp/optimizers")
        >>> c = res["surfaces"]["quadratic"]["common"]
        >>> c["Momentum"]["steps"] < c["SGD"]["steps"]
        True
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    out = run_dir("optimizers", out_dir)
    surf, paths = surface_experiment(cfg)
    digits, histories = digits_experiment(cfg, seed)
    results = {"config": dict(cfg, seed=seed, smoke=smoke), "surfaces": surf, "digits": digits}
    results["verdicts"] = _verdicts(surf, digits)

    print(f"Optimizers{' [smoke size]' if smoke else ''}: steps to f < {cfg['threshold']:g} "
          f"on 2-D surfaces (lr grid {cfg['surface_lrs'][0]:g}..{cfg['surface_lrs'][-1]:g})\n")
    for surface, r in surf.items():
        rows = [[n, _steps(r["common"][n], r["max_steps"]) if r["common"] else "-",
                 r["best"][n]["lr"], _steps(r["best"][n], r["max_steps"]),
                 r["best"][n]["final_loss"]] for n in OPTIMIZERS]
        common = f"lr {r['common_lr']:.3g}" if r["common_lr"] else "1/L (none here)"
        start = ", ".join(f"{v:.3g}" for v in SURFACES[surface][1])
        print(f"{surface} (start ({start}), budget {r['max_steps']} steps)")
        print(format_table(["optimizer", f"steps at {common}", "best lr", "steps at best lr",
                            "final f at best lr"], rows) + "\n")
    print(f"Digits, 64-64-10 ReLU MLP, {cfg['digits_epochs']} epochs, batch "
          f"{cfg['batch_size']}, seed {seed}; steps = first step where the running mean of 20 "
          f"training losses < {cfg['loss_threshold']}")
    rows = [[n, digits["common"][n]["steps_to_loss"], digits["common"][n]["train_loss"],
             digits["common"][n]["val_accuracy"], digits["best"][n]["lr"],
             digits["best"][n]["steps_to_loss"], digits["best"][n]["train_loss"],
             digits["best"][n]["val_accuracy"], digits["best"][n]["test_accuracy"]]
            for n in OPTIMIZERS]
    print(format_table(["optimizer", f"steps (lr {cfg['common_lr']:g})", "train loss",
                        "val acc", "best lr", "steps", "train loss", "val acc", "test acc"], rows))
    print()
    for line in results["verdicts"]:
        print(line)

    files = {"trajectories_common_lr": out / "trajectories_common_lr.png",
             "trajectories_best_lr": out / "trajectories_best_lr.png",
             "surface_losses": out / "surface_losses.png",
             "digits_curves": out / "digits_curves.png"}
    plot_trajectories(paths, "common", surf, files["trajectories_common_lr"])
    plot_trajectories(paths, "best", surf, files["trajectories_best_lr"])
    plot_surface_losses(paths, files["surface_losses"])
    plot_digits(histories, files["digits_curves"])
    results["files"] = {k: str(v) for k, v in files.items()}
    save_json(results, out / "results.json")
    print(f"\nplots and results.json in {out}")
    return results


if __name__ == "__main__":
    cli(main, __doc__, "optimizers")
