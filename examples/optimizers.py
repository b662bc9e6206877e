"""Optimizers: SGD's zig-zag, momentum, Nesterov, AdaGrad's decaying step, RMSprop, Adam.

CS231n lecture 7 ("Training Neural Networks II", optimization) and the notes "Neural
Networks 3": on a loss with a high condition number SGD makes "very slow progress along
the shallow dimension, jitter along the steep direction"; momentum builds up velocity and
gets there faster, Nesterov momentum "works slightly better than standard momentum";
AdaGrad damps progress along steep directions and accelerates it along flat ones, but its
step size "decays to zero over long time", which RMSprop fixes; "Adam is a good default
choice in most cases".

Experiments (over seeds):

- ``quadratic``: f(x, y) = 0.5 (x^2 + 50 y^2) (condition number 50) and the same rotated
  by 45 degrees, written as chainrule Tensor functions (autograd gives the gradient); the
  start point is drawn from the seed around (-4, 1). Each optimizer at its best lr of a
  log grid and at the common lr 1/L = 0.02 (L = 50, the largest curvature): steps until
  f < 1e-3, and how often each coordinate changes sign.
- ``mnist``: MNIST-5k (the protocol of examples/_protocol.py), a 784-100-10 ReLU MLP
  ("matched" init), batches of 100: optimizer steps until 97 % training accuracy
  (checkpoints 10 % apart) for SGD, Momentum (0.9), Nesterov, Adagrad, RMSprop and Adam,
  each at its best lr of its own grid and at the common lr 0.01; Adam also at its default
  1e-3.
- ``adagrad_step``: the same MLP trained 10 epochs with Adagrad (lr 0.01) and RMSprop
  (lr 0.001): the effective step size lr / (sqrt(state) + eps), median over all weights,
  after every step (read from the optimizer's state).

Run:  python examples/optimizers.py [--smoke] [--seeds 3] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import math
import statistics

import numpy as np

import autograd
import optim
from autograd import Tensor

from ._claims import Claim, claim_cli
from ._plots import COLORS, band, figure, save, strip
from ._protocol import CHECKED, Checkpoints, mlp, mnist5k, steps_to, train
from ._verdict import describe, verdict, within

TOPIC = "Optimizers"
CS231N_L7 = "CS231n lecture 7 (2017), Training Neural Networks II: optimization"
NOTES_NN3 = "CS231n notes, Neural Networks 3: parameter updates"

OPTIMIZERS = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "Momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
}
SURFACE_LRS = [float(v) for v in np.logspace(-3, 0, 7)]
CONFIGS = {
    "full": dict(
        quadratic=dict(budget=300, threshold=1e-3, lrs=SURFACE_LRS),
        mnist=dict(hidden=[100], batch=100, budget=300, target=0.97, common_lr=0.01,
                   grids={"SGD": [0.1, 0.3, 1.0], "Momentum": [0.01, 0.03, 0.1],
                          "Nesterov": [0.01, 0.03, 0.1], "Adagrad": [0.01, 0.03, 0.1],
                          "RMSprop": [1e-3, 3e-3, 1e-2], "Adam": [1e-3, 3e-3, 1e-2]}),
        step=dict(hidden=[100], batch=100, epochs=10, lrs={"Adagrad": 0.01, "RMSprop": 0.001})),
    "smoke": dict(
        quadratic=dict(budget=300, threshold=1e-3, lrs=[0.0316, 0.316]),
        mnist=dict(hidden=[50], batch=100, budget=200, target=0.9, common_lr=0.01,
                   grids={"SGD": [0.1], "Momentum": [0.03], "Nesterov": [0.03],
                          "Adagrad": [0.03], "RMSprop": [1e-3], "Adam": [1e-3]}),
        step=dict(hidden=[50], batch=100, epochs=3, lrs={"Adagrad": 0.01, "RMSprop": 0.001})),
}


def _cfg(smoke, part):
    return CONFIGS["smoke" if smoke else "full"][part]


# -- 1. the ill-conditioned quadratic --------------------------------------------------------

CURVATURES = np.array([1.0, 50.0])                  # condition number 50
L_MAX = 50.0
_TURN = math.sqrt(0.5) * np.array([[1.0, -1.0], [1.0, 1.0]])   # (x, y) -> (u, v): 45 degrees


def _quadratic(p):
    """0.5 (x^2 + 50 y^2) of ``p[..., :2] = (x, y)``: a Tensor of shape (2,) or (..., 2)."""
    return 0.5 * (p * p * CURVATURES).sum(axis=-1)


def _rotated(p):
    """The same quadratic in axes turned by 45 degrees: u = (x + y)/sqrt 2, v = (y - x)/sqrt 2."""
    q = p @ Tensor(_TURN)
    return 0.5 * (q * q * CURVATURES).sum(axis=-1)


SURFACES = {"quadratic": _quadratic, "rotated": _rotated}


def start_point(surface, seed):
    """The start: (-4, 1) moved by up to (1, 0.5) from ``seed`` (rotated with the surface).

    Example:
        >>> start_point("quadratic", 0)
    """
    u = np.random.default_rng(seed).uniform(-1, 1, 2)
    x, y = -4.0 + u[0], 1.0 + 0.5 * u[1]
    if surface == "rotated":          # the same point in the rotated axes: (u, v) = (x, y)
        return ((x - y) * math.sqrt(0.5), (x + y) * math.sqrt(0.5))
    return (x, y)


def descend(surface, name, lr, seed, budget, threshold):
    """Minimise a 2-D surface from its start; stop at f < threshold, divergence or budget.

    Returns ``{"steps" (inf if never), "final_loss", "diverged", "path": (n, 2) iterates}``.

    Example:
        >>> descend("quadratic", "SGD", 0.02, 0, 1000, 1e-3)["steps"]
    """
    f = SURFACES[surface]
    p = Tensor(np.array(start_point(surface, seed), dtype=np.float64), requires_grad=True)
    opt = OPTIMIZERS[name]([p], lr)
    path, steps, value = [p.data.copy()], math.inf, math.inf
    for t in range(budget + 1):
        loss = f(p)
        value = float(loss.item())
        if value < threshold:
            steps = t
            break
        if not math.isfinite(value) or value > 1e8 or t == budget:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(p.data.copy())
    diverged = not math.isfinite(value) or value > 1e8
    return {"steps": steps, "final_loss": value, "diverged": diverged, "path": np.array(path)}


def sign_flips(path, axis):
    """The fraction of steps after which coordinate ``axis`` changed sign.

    Example:
        >>> sign_flips(np.array([[1.0, 1.0], [0.5, -1.0], [0.2, 1.0]]), 1)
        1.0
    """
    s = np.sign(path[:, axis])
    return float(np.mean(s[1:] != s[:-1])) if len(s) > 1 else 0.0


def _best(runs_by_lr):
    """The lr with the fewest median steps (then the lowest median final loss)."""
    def key(lr):
        rs = runs_by_lr[lr]
        return (statistics.median(r["steps"] for r in rs),
                statistics.median(r["final_loss"] if math.isfinite(r["final_loss"])
                                  else math.inf for r in rs), lr)
    return min(runs_by_lr, key=key)


def quadratic(seeds, smoke=False, out=None):
    """Claims: SGD jitters along the steep direction; momentum is faster; AdaGrad equalizes.

    Example:
        >>> [c.verdict.status for c in quadratic([0, 1, 2])]
    """
    cfg = _cfg(smoke, "quadratic")
    common = 1.0 / L_MAX
    lrs = sorted(set(cfg["lrs"]) | {common})
    runs = {(surf, n): {lr: [descend(surf, n, lr, s, cfg["budget"], cfg["threshold"])
                             for s in seeds] for lr in lrs}
            for surf in SURFACES for n in OPTIMIZERS}
    best = {k: _best(v) for k, v in runs.items()}

    def steps(surf, n, lr=None):
        return [r["steps"] for r in runs[(surf, n)][best[(surf, n)] if lr is None else lr]]

    sgd_runs = runs[("quadratic", "SGD")][best[("quadratic", "SGD")]]
    steep = [sign_flips(r["path"], 1) for r in sgd_runs]
    shallow = [sign_flips(r["path"], 0) for r in sgd_runs]

    fig = figure(12, 3.8)
    ax1, ax2, ax3 = fig.subplots(1, 3)
    xs, ys = np.linspace(-5.5, 1, 200), np.linspace(-1.8, 1.8, 200)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)          # (200, 200, 2)
    with autograd.no_grad():
        z = _quadratic(Tensor(grid)).data
    ax1.contour(xs, ys, np.log10(z + 1e-3), levels=15, colors="#bbbbbb", linewidths=0.6)
    for i, n in enumerate(("SGD", "Momentum", "Adagrad")):
        p = runs[("quadratic", n)][best[("quadratic", n)]][0]["path"][:300]
        ax1.plot(p[:, 0], p[:, 1], ".-", markersize=2, linewidth=0.8, color=COLORS[i],
                 label=f"{n}, lr {best[('quadratic', n)]:.3g}")
    ax1.set_title(f"0.5 (x² + 50 y²), best lr each, seed {seeds[0]}", fontsize=9)
    ax1.legend(fontsize=7)
    budget = cfg["budget"]
    strip(ax2, {n: steps("quadratic", n) for n in OPTIMIZERS}, ylabel="steps to f < 1e-3",
          log=True, budget=budget)
    ax2.set_title("axis-aligned, best lr each", fontsize=9)
    strip(ax3, {n: steps("rotated", n) for n in OPTIMIZERS}, log=True, budget=budget)
    ax3.set_title("rotated by 45 degrees, best lr each", fontsize=9)
    plot = save(fig, out, "quadratic.png")

    setup = (f"f = 0.5 (x² + 50 y²) (condition number 50) and the same rotated by 45 degrees, "
             f"as Tensor functions; start (-4, 1) moved by the seed; steps until f < "
             f"{cfg['threshold']:g} (budget {budget}); lr grid {[f'{v:.3g}' for v in lrs]} "
             f"(best = fewest median steps) and the common lr 1/L = {common:g}")
    figures = {}
    for n in OPTIMIZERS:
        figures[f"{n}: best lr (axis-aligned)"] = f"{best[('quadratic', n)]:.3g}"
        figures[f"{n}: steps, best lr"] = steps("quadratic", n)
        figures[f"{n}: steps, lr 1/L"] = steps("quadratic", n, common)
        figures[f"{n}: steps, rotated, best lr"] = steps("rotated", n)
    jitter = Claim(
        "sgd-jitter", TOPIC, "What if the loss changes quickly in one direction and slowly in "
        "another? Very slow progress along the shallow dimension, jitter along the steep "
        "direction (a high condition number).", CS231N_L7 + " (problems with SGD)",
        "examples/optimizers.py: quadratic()", setup,
        {"SGD, best lr: steps where the steep coordinate y changes sign": steep,
         "... where the shallow coordinate x changes sign": shallow,
         "SGD: steps, best lr": steps("quadratic", "SGD"),
         "SGD: steps, lr 1/L (no jitter: y is solved in one step, x crawls)":
             steps("quadratic", "SGD", common)},
        verdict(steep, shallow, labels=("steep y flips", "shallow x flips")),
        "SGD at its best lr: how often each coordinate changes sign", plot)
    momentum = Claim(
        "momentum-quadratic", TOPIC, "SGD + Momentum: build up velocity as a running mean of "
        "gradients; it gets past the jitter and reaches the minimum faster than SGD.",
        CS231N_L7 + " (SGD + Momentum)", "examples/optimizers.py: quadratic()", setup,
        {k: v for k, v in figures.items() if k.startswith(("SGD", "Momentum", "Nesterov"))},
        verdict(steps("quadratic", "SGD"), steps("quadratic", "Momentum"), log=True,
                budget=budget, labels=("SGD", "Momentum"), unit="steps"),
        "each at its best lr (at the common lr 1/L: "
        + verdict(steps("quadratic", "SGD", common), steps("quadratic", "Momentum", common),
                  log=True, budget=budget, labels=("SGD", "Momentum")).status + ")",
        plot)
    adagrad = Claim(
        "adagrad-axes", TOPIC, "AdaGrad: element-wise scaling of the gradient by the history "
        "of squared gradients in each dimension: progress along steep directions is damped, "
        "along flat directions accelerated.", CS231N_L7 + " (AdaGrad)",
        "examples/optimizers.py: quadratic()", setup,
        {k: v for k, v in figures.items() if k.startswith(("SGD", "Adagrad"))},
        verdict(steps("quadratic", "SGD"), steps("quadratic", "Adagrad"), log=True,
                budget=budget, labels=("SGD", "Adagrad"), unit="steps"),
        "steps on the axis-aligned quadratic, each at its best lr (rotated by 45 degrees the "
        f"per-coordinate scaling no longer matches the axes: Adagrad "
        f"{describe(steps('rotated', 'Adagrad'))} steps vs SGD "
        f"{describe(steps('rotated', 'SGD'))})", plot)
    return [jitter, momentum, adagrad]


# -- 2. MNIST ------------------------------------------------------------------------------

def mnist_run(name, lr, seed, cfg):
    """Steps to the target training accuracy for one optimizer and lr (inf if never).

    Example:
        >>> mnist_run("Adam", 1e-3, 0, CONFIGS["full"]["mnist"])
    """
    d = mnist5k()
    model = mlp(784, cfg["hidden"], 10, "relu", seed=seed)
    cp = Checkpoints(d.X_train[:CHECKED], d.y_train[:CHECKED], cfg["budget"],
                     stop_at=cfg["target"])
    train(model, d.X_train, d.y_train, optimizer=OPTIMIZERS[name](model.parameters(), lr),
          steps=cfg["budget"], batch_size=cfg["batch"], seed=seed, checkpoints=cp)
    return steps_to(cp.records, cfg["target"])


def mnist(seeds, smoke=False, out=None):
    """Claims: momentum beats SGD, Nesterov beats momentum, Adam is a good default (MNIST).

    Example:
        >>> [c.verdict.status for c in mnist([0, 1, 2])]
    """
    cfg = _cfg(smoke, "mnist")
    common, budget, target = cfg["common_lr"], cfg["budget"], cfg["target"]
    steps = {}
    for n, grid in cfg["grids"].items():
        lrs = sorted(set(grid) | {common} | ({1e-3} if n == "Adam" else set()))
        steps[n] = {lr: [mnist_run(n, lr, s, cfg) for s in seeds] for lr in lrs}
    best = {n: min(cfg["grids"][n], key=lambda lr: (statistics.median(steps[n][lr]), lr))
            for n in steps}
    tuned = {n: steps[n][best[n]] for n in steps}
    at_common = {n: steps[n][common] for n in steps}
    fastest = min(tuned, key=lambda n: (statistics.median(tuned[n]), n))

    fig = figure(10, 3.8)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    strip(ax1, tuned, ylabel=f"steps to {target:.0%} training accuracy", log=True, budget=budget)
    ax1.set_title("each at its best lr", fontsize=9)
    strip(ax2, at_common, log=True, budget=budget)
    ax2.set_title(f"all at lr {common:g}", fontsize=9)
    plot = save(fig, out, "optimizers_mnist.png")

    arch = "784-" + "-".join(map(str, cfg["hidden"])) + "-10"
    setup = (f"MNIST-5k, {arch} ReLU MLP (matched init), batches of {cfg['batch']}, steps "
             f"until {target:.0%} training accuracy (on the first {CHECKED:,} training images; "
             f"checkpoints 10 % apart, "
             f"budget {budget}); lr grids {cfg['grids']}; common lr {common:g}")
    figures = {}
    for n in steps:
        figures[f"{n}: best lr"] = f"{best[n]:g}"
        figures[f"{n}: steps, best lr"] = tuned[n]
        figures[f"{n}: steps, lr {common:g}"] = at_common[n]
    figures["Adam: steps, its default lr 1e-3"] = steps["Adam"][1e-3]

    def common_status(a, b):
        return verdict(at_common[a], at_common[b], log=True, budget=budget).status

    momentum = Claim(
        "momentum-mnist", TOPIC, "SGD + Momentum trains faster than plain SGD.",
        CS231N_L7 + " (SGD + Momentum)", "examples/optimizers.py: mnist()", setup,
        {k: v for k, v in figures.items() if k.startswith(("SGD", "Momentum"))},
        verdict(tuned["SGD"], tuned["Momentum"], log=True, budget=budget,
                labels=("SGD", "Momentum"), unit="steps"),
        f"each at its best lr (at the common lr {common:g}: "
        f"{common_status('SGD', 'Momentum')})", plot)
    nesterov = Claim(
        "nesterov-vs-momentum", TOPIC, "Nesterov momentum ... in practice it consistently "
        "works slightly better than standard momentum.", NOTES_NN3 + " (Nesterov momentum)",
        "examples/optimizers.py: mnist()", setup,
        {k: v for k, v in figures.items() if k.startswith(("Momentum", "Nesterov"))},
        verdict(tuned["Momentum"], tuned["Nesterov"], log=True, budget=budget,
                labels=("Momentum", "Nesterov"), unit="steps"),
        f"each at its best lr (at the common lr {common:g}: "
        f"{common_status('Momentum', 'Nesterov')})", plot)
    adam_default = steps["Adam"][1e-3]
    ratio = [a / f if math.isfinite(a) and math.isfinite(f) else math.inf
             for a, f in zip(adam_default, tuned[fastest])]
    adam = Claim(
        "adam-default", TOPIC, "Adam is a good default choice in most cases (beta1 = 0.9, "
        "beta2 = 0.999, learning rate 1e-3 or 5e-4 is a great starting point).",
        CS231N_L7 + " (Adam; in practice)", "examples/optimizers.py: mnist()", setup,
        figures | {f"Adam at 1e-3 / {fastest} at its best lr, per seed": ratio},
        within(ratio, 1.0, 2.0, log=True, label=f"Adam 1e-3 / {fastest} tuned",
               target_label="1"),
        f"Adam untuned (lr 1e-3) within 2x of the fastest optimizer at its own best lr "
        f"({fastest}): 'a good default' read as needing no tuning to be near the best", plot)
    return [momentum, nesterov, adam]


# -- 3. AdaGrad's effective step ---------------------------------------------------------------

class StepSize(optim.Callback):
    """fit callback: the median effective step lr / (sqrt(state) + eps) over one weight.

    ``key``: the optimizer state holding the squared-gradient statistic ("sum" for
    Adagrad, "square_avg" for RMSprop); ``weight``: the Parameter watched (the output
    layer's weight: every element gets a gradient at every step, where a first-layer
    weight of an always-zero border pixel never does and its step stays lr / eps).
    ``values``: one per optimizer step.

    Example:
        >>> cb = StepSize("sum", model[-1].weight); optim.fit(..., callbacks=[cb])
    """

    def __init__(self, key, weight):
        self.key, self.weight, self.values = key, weight, []

    def on_batch_end(self, state, logs):
        """Read the state the step just updated."""
        opt = state.optimizer
        group = opt.param_groups[0]
        step = group["lr"] / (np.sqrt(opt.state[self.weight][self.key]) + group["eps"])
        self.values.append(float(np.median(step)))


def step_run(name, seed, cfg):
    """Effective step sizes, one per optimizer step, for Adagrad or RMSprop.

    Example:
        >>> values = step_run("Adagrad", 0, CONFIGS["full"]["step"])
    """
    d = mnist5k()
    model = mlp(784, cfg["hidden"], 10, "relu", seed=seed)
    cb = StepSize({"Adagrad": "sum", "RMSprop": "square_avg"}[name], model[-1].weight)
    per_epoch = -(-len(d.X_train) // cfg["batch"])
    train(model, d.X_train, d.y_train, optimizer=OPTIMIZERS[name](model.parameters(),
                                                                  cfg["lrs"][name]),
          steps=cfg["epochs"] * per_epoch, batch_size=cfg["batch"], seed=seed, callbacks=[cb])
    return cb.values, per_epoch


def adagrad_step(seeds, smoke=False, out=None):
    """Claims: AdaGrad's effective step decays (per step and per epoch); RMSprop's does not.

    Example:
        >>> [c.verdict.status for c in adagrad_step([0, 1, 2])]
        ['holds', 'holds']
    """
    cfg = _cfg(smoke, "step")
    runs = {n: [step_run(n, s, cfg) for s in seeds] for n in cfg["lrs"]}
    per_epoch = runs["Adagrad"][0][1]
    epochs = cfg["epochs"]

    def at(n, step):                                  # 1-based step
        return [v[step - 1] for v, _ in runs[n]]

    def epoch_end(n, e):
        return at(n, e * per_epoch)

    last = epochs * per_epoch
    ada_ratio = [a / b for a, b in zip(epoch_end("Adagrad", epochs), epoch_end("Adagrad", 1))]
    rms_ratio = [a / b for a, b in zip(epoch_end("RMSprop", epochs), epoch_end("RMSprop", 1))]
    # the exponent k of step ~ t^-k between the first epoch's end and the last step
    slope = [math.log(b / a) / math.log(last / per_epoch) for a, b in
             zip(at("Adagrad", last), at("Adagrad", per_epoch))]

    fig = figure(10, 3.8)
    ax1, ax2 = fig.subplots(1, 2)
    x = list(range(1, last + 1))
    for i, n in enumerate(runs):
        band(ax1, x, [v for v, _ in runs[n]], label=f"{n} (lr {cfg['lrs'][n]:g})",
             color=COLORS[i])
        band(ax2, list(range(1, epochs + 1)), [[v[e * per_epoch - 1] for e in range(1, epochs + 1)]
                                               for v, _ in runs[n]], label=n, color=COLORS[i],
             marker="o")
    for ax, xl in ((ax1, "optimizer step"), (ax2, "epoch (its last step)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xl)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    ax1.set_ylabel("median lr / (sqrt(state) + eps)")
    plot = save(fig, out, "adagrad_step.png")

    arch = "784-" + "-".join(map(str, cfg["hidden"])) + "-10"
    setup = (f"MNIST-5k, {arch} ReLU MLP (matched init), batches of {cfg['batch']}, "
             f"{epochs} epochs ({per_epoch} steps each) with Adagrad (lr "
             f"{cfg['lrs']['Adagrad']:g}, PyTorch's default) or RMSprop (lr "
             f"{cfg['lrs']['RMSprop']:g}); after every step the median over the output "
             f"layer's weights of lr / (sqrt(state) + eps), from the optimizer's own state "
             f"('sum' / 'square_avg')")
    figures = {f"Adagrad: effective step after step {s}": at("Adagrad", s)
               for s in sorted({1, 10, per_epoch, last})}
    figures |= {f"Adagrad: after epoch {e}": epoch_end("Adagrad", e)
                for e in sorted({1, 2, epochs // 2 or 1, epochs})}
    figures["Adagrad: epoch-end ratio last / first"] = ada_ratio
    figures[f"Adagrad: exponent k of step ~ t^-k (steps {per_epoch}-{last})"] = slope
    rms_figs = {f"RMSprop: effective step after step {s}": at("RMSprop", s)
                for s in sorted({1, 10, per_epoch, last})}
    rms_figs["RMSprop: epoch-end ratio last / first"] = rms_ratio
    decay = Claim(
        "adagrad-step-decays", TOPIC, "AdaGrad: what happens to the step size over a long "
        "time? It decays to zero (the sum of squared gradients only grows).",
        CS231N_L7 + " (AdaGrad)", "examples/optimizers.py: adagrad_step()", setup, figures,
        verdict(epoch_end("Adagrad", 1), epoch_end("Adagrad", epochs), log=True,
                labels=("after epoch 1", f"after epoch {epochs}")),
        "the effective step at the end of the first and the last epoch (per step: the "
        "figures and the plot)", plot)
    rms = Claim(
        "rmsprop-no-decay", TOPIC, "RMSProp: a leaky AdaGrad (a decaying average of squared "
        "gradients), so its step size does not decay to zero.", CS231N_L7 + " (RMSProp)",
        "examples/optimizers.py: adagrad_step()", setup, rms_figs,
        verdict([math.log(r) for r in rms_ratio], [math.log(r) for r in ada_ratio],
                labels=("log ratio, RMSprop", "Adagrad")),
        "how much the effective step shrank from the first epoch's end to the last's (log "
        "of the ratio), RMSprop against Adagrad", plot)
    return [decay, rms]


EXPERIMENTS = [quadratic, mnist, adagrad_step]

if __name__ == "__main__":
    claim_cli("optimizers", EXPERIMENTS, __doc__)
