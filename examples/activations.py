"""Activation functions: the lecture's claims about sigmoid, tanh, ReLU and its relatives, measured.

CS231n lecture 6 ("Training Neural Networks I", activation functions) and the notes
"Neural Networks 1" say: sigmoid outputs are not zero-centred, so all the weight
gradients of a neuron fed by them share a sign and the updates zig-zag; tanh is
zero-centred and preferred to sigmoid; ReLU "converges much faster than sigmoid/tanh in
practice (e.g. 6x)" (Krizhevsky et al. 2012) but its units can die, more so at a high
learning rate, and people initialize ReLU biases slightly positive (0.01) against it;
Leaky ReLU and ELU "will not die"; Maxout does not die but doubles the parameters.

Experiments (each over seeds; MNIST-5k under the protocol of examples/_protocol.py):

- ``zero_centred``: per-example and mini-batch weight gradients of the second layer of a
  784-100-100-10 MLP fed by sigmoid or tanh units (the library's own backward), and a
  2-input neuron trained one example at a time on sigmoid outputs vs the same outputs
  centred (2 sigmoid - 1 = tanh(z/2)): the sign pattern of the updates and the steps to
  reach the optimum, each input kind at its best lr.
- ``speed``: a 784-100-100-10 MLP with each activation ("matched" init), SGD with momentum
  0.9 (Krizhevsky's optimizer), batches of 100: optimizer steps until the training
  accuracy reaches 75 % (the paper's "25 % training error") and 97 %, at each
  activation's best lr of a grid (the paper tuned each network's lr) and at a common lr.
  The "6x" claim compares the steps to 75 %, the paper's target (the ratio at 97 % is
  reported beside it).
- ``dead_units``: the same MLP trained with plain SGD for 5 epochs over a learning-rate
  sweep, ReLU with bias 0 and 0.01, Leaky ReLU and ELU: units dead before the first step
  (never > 0 on any training image) and units that died during training, and units whose
  incoming weights get an exactly zero gradient over the whole training set; the
  parameter count of Maxout against ReLU.

Run:  python examples/activations.py [--smoke] [--seeds 3] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import math
import statistics
import warnings

import numpy as np

import nn
import optim
import viz
from autograd import Tensor
from optim.checks import active_units

from ._claims import Claim, claim_cli
from ._plots import COLORS, band, figure, save, strip
from ._protocol import CHECKED, Checkpoints, accuracy, mlp, mnist5k, steps_to, train
from ._verdict import describe, verdict, within

TOPIC = "Activation functions"
CS231N_L6 = "CS231n lecture 6 (2017), Training Neural Networks I: activation functions"
NOTES_NN1 = "CS231n notes, Neural Networks 1: commonly used activation functions"

CONFIGS = {
    "full": dict(
        sign=dict(hidden=[100, 100], examples=20, batch=100),
        zigzag=dict(n=200, tolerance=0.05, budget=4000, lrs=[0.1, 0.2, 0.5, 1.0, 2.0],
                    common_lr=0.2),
        speed=dict(hidden=[100, 100], batch=100, budget=600, targets=(0.75, 0.97),
                   lrs=[0.01, 0.03, 0.1, 0.3, 1.0], common_lr=0.1,
                   activations=("sigmoid", "tanh", "relu")),
        dead=dict(hidden=[100, 100], batch=100, steps=200, lrs=[0.1, 0.3, 0.6, 1.0])),
    "smoke": dict(
        sign=dict(hidden=[50, 50], examples=5, batch=50),
        zigzag=dict(n=100, tolerance=0.05, budget=2000, lrs=[0.2], common_lr=0.2),
        speed=dict(hidden=[50], batch=100, budget=400, targets=(0.75, 0.9),
                   lrs=[0.1], common_lr=0.1, activations=("sigmoid", "tanh", "relu")),
        dead=dict(hidden=[50, 50], batch=100, steps=80, lrs=[0.1, 1.0])),
}


def _cfg(smoke, part):
    return CONFIGS["smoke" if smoke else "full"][part]


# -- 1. sigmoid outputs are not zero-centred -----------------------------------------------

def sign_coherence(activation, seed, cfg):
    """Second-layer weight gradients of a 784-h-h-10 MLP fed by ``activation`` units.

    Returns ``(per_example, minibatch)``: the fraction of the layer's units whose
    gradient row (one component per input unit) has a single sign, averaged over
    ``cfg["examples"]`` one-example backwards, and for one backward of a mini-batch of
    ``cfg["batch"]`` training images (the batch and the weights drawn from ``seed``).

    Example:
        >>> sign_coherence("sigmoid", 0, CONFIGS["full"]["sign"])[0]
        1.0
    """
    d = mnist5k()
    model = mlp(784, cfg["hidden"], 10, activation, seed=seed)
    layer = model[2]                                   # Linear(h, h): fed by layer 1's units
    idx = np.random.default_rng(seed).choice(len(d.X_train), cfg["batch"], replace=False)
    loss_fn = nn.CrossEntropyLoss()

    def coherent(rows):
        model.zero_grad()
        loss_fn(model(Tensor(d.X_train[rows])), Tensor(d.y_train[rows])).backward()
        g = layer.weight.grad.data
        return float(np.mean((g > 0).all(axis=1) | (g < 0).all(axis=1)))

    per_example = float(np.mean([coherent(idx[i:i + 1]) for i in range(cfg["examples"])]))
    return per_example, coherent(idx)


def _neuron_data(seed, n):
    z = np.random.default_rng(seed).standard_normal((n, 2))
    positive = 1 / (1 + np.exp(-z))                   # sigmoid outputs: all in (0, 1)
    return {"sigmoid outputs": positive, "zero-centred (tanh(z/2))": 2 * positive - 1}


W_STAR = np.array([1.0, -1.0])                       # the optimum: components of both signs


def descend_neuron(x, lr, seed, tolerance, budget):
    """SGD, one example per step, on 0.5 (x.w - x.w*)^2 from w = 0 with w* = (1, -1).

    Returns ``{"steps": steps until |w - w*| < tolerance (inf if never), "same_sign":
    the fraction of updates whose two components share a sign, "zigzag": the length of
    the path over the straight distance it covered (1 for a straight path), "path": (k, 2)
    iterates, "diverged"}``.

    Example:
        >>> descend_neuron(_neuron_data(0, 200)["sigmoid outputs"], 1.0, 0, 0.05, 4000)["same_sign"]
        1.0
    """
    target = x @ W_STAR
    w = Tensor(np.zeros(2), requires_grad=True)
    opt = optim.SGD([w], lr=lr)
    rng = np.random.default_rng(seed + 1)
    path, same, steps, diverged = [w.data.copy()], [], math.inf, False
    for t in range(1, budget + 1):
        if (t - 1) % len(x) == 0:
            order = rng.permutation(len(x))
        i = order[(t - 1) % len(x)]
        loss = 0.5 * ((Tensor(x[i]) * w).sum() - float(target[i])) ** 2
        opt.zero_grad()
        loss.backward()
        before = w.data.copy()
        opt.step()
        update = w.data - before
        if np.all(update != 0):
            same.append(bool(np.sign(update[0]) == np.sign(update[1])))
        path.append(w.data.copy())
        dist = float(np.linalg.norm(w.data - W_STAR))
        if not dist < 1e6:
            diverged = True
            break
        if dist < tolerance:
            steps = t
            break
    path = np.array(path)
    length = float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())
    covered = float(np.linalg.norm(path[-1] - path[0]))
    return {"steps": steps, "same_sign": float(np.mean(same)) if same else None,
            "zigzag": length / covered if covered > 0 else math.inf, "path": path,
            "diverged": diverged}


def zero_centred(seeds, smoke=False, out=None):
    """Claims: same-sign weight gradients behind sigmoid units, and the zig-zag they cause.

    Example:
        >>> claims = zero_centred([0, 1, 2])
        >>> [c.verdict.status for c in claims]
        ['holds', 'holds']
    """
    cfg, zcfg = _cfg(smoke, "sign"), _cfg(smoke, "zigzag")
    coh = {a: [sign_coherence(a, s, cfg) for s in seeds] for a in ("sigmoid", "tanh")}
    per_ex = {a: [c[0] for c in v] for a, v in coh.items()}
    batch = {a: [c[1] for c in v] for a, v in coh.items()}
    kinds = list(_neuron_data(0, 2))
    lrs = sorted(set(zcfg["lrs"]) | {zcfg["common_lr"]})
    runs = {k: {lr: [descend_neuron(_neuron_data(s, zcfg["n"])[k], lr, s, zcfg["tolerance"],
                                    zcfg["budget"]) for s in seeds] for lr in lrs}
            for k in kinds}
    best = {k: min(zcfg["lrs"], key=lambda lr: (statistics.median(r["steps"] for r in runs[k][lr]),
                                                lr)) for k in kinds}

    def of(k, lr, key):
        return [r[key] for r in runs[k][lr]]

    common = zcfg["common_lr"]
    fig = figure(11, 3.8)
    ax1, ax2, ax3 = fig.subplots(1, 3)
    strip(ax1, {f"{a}, {w}": v for a in ("sigmoid", "tanh") for w, v in
                (("1 example", per_ex[a]), (f"batch of {cfg['batch']}", batch[a]))},
          ylabel="units whose gradient row has one sign")
    ax1.set_title("layer 2 of the MLP at initialization", fontsize=9)
    for i, k in enumerate(kinds):
        p = runs[k][common][0]["path"]
        ax2.plot(p[:400, 0], p[:400, 1], ".-", markersize=2, linewidth=0.7, color=COLORS[i],
                 label=f"{k}")
    ax2.plot(*W_STAR, "k*", markersize=10)
    ax2.set_xlabel("w1")
    ax2.set_ylabel("w2")
    ax2.set_title(f"2-input neuron, w = 0 to w* = (1, -1), lr {common:g}, seed {seeds[0]} "
                  "(first 400 steps)", fontsize=8)
    ax2.legend(fontsize=7)
    strip(ax3, {f"{k[:8]}, lr {common:g}": of(k, common, "steps") for k in kinds}
          | {f"{k[:8]}, best lr": of(k, best[k], "steps") for k in kinds},
          ylabel=f"steps to |w - w*| < {zcfg['tolerance']}", log=True, budget=zcfg["budget"])
    ax3.set_title("steps, common and best lr", fontsize=9)
    plot = save(fig, out, "zero_centred.png")

    setup = (f"MNIST-5k, 784-{'-'.join(map(str, cfg['hidden']))}-10 MLP with sigmoid or tanh "
             f"hidden units, matched init N(0, 1/fan_in); the second Linear layer's weight "
             f"gradient from the library's backward: {cfg['examples']} one-example backwards "
             f"and one mini-batch of {cfg['batch']} training images per seed")
    sig = Claim(
        "sigmoid-gradient-signs", TOPIC,
        "Sigmoid outputs are not zero-centered: if the input to a neuron is always positive, "
        "the gradients on w are always all positive or all negative.",
        CS231N_L6 + " (sigmoid, problem 2)", "examples/activations.py: zero_centred()", setup,
        {"sigmoid-fed units with one-sign gradient row, one example": per_ex["sigmoid"],
         "tanh-fed units, one example": per_ex["tanh"],
         f"sigmoid-fed units, mini-batch of {cfg['batch']}": batch["sigmoid"],
         f"tanh-fed units, mini-batch of {cfg['batch']}": batch["tanh"]},
        verdict(per_ex["sigmoid"], per_ex["tanh"], labels=("sigmoid-fed", "tanh-fed")),
        "one example per backward (the claim's case); the mini-batch figures show how much "
        "of it survives averaging", plot)
    zig = Claim(
        "sigmoid-zig-zag", TOPIC,
        "... so the updates can only move all weights up or all down: a zig-zag path to a "
        "w whose components have different signs (this is also why you want zero-mean data).",
        CS231N_L6 + " (sigmoid, problem 2)", "examples/activations.py: descend_neuron()",
        f"a 2-input linear neuron, squared error, target w* = (1, -1); inputs: "
        f"{zcfg['n']} sigmoid outputs sigma(z), z ~ N(0, 1), or the same centred "
        f"(2 sigma(z) - 1); SGD one example per step from w = 0 at lr {common:g} and at "
        f"each input kind's best lr of {zcfg['lrs']}; budget {zcfg['budget']} steps; "
        f"zig-zag = path length / distance covered",
        {**{f"{k}: updates with both components of one sign (lr {common:g})":
            of(k, common, "same_sign") for k in kinds},
         **{f"{k}: zig-zag (lr {common:g})": of(k, common, "zigzag") for k in kinds},
         **{f"{k}: steps to |w - w*| < {zcfg['tolerance']} (lr {common:g})":
            of(k, common, "steps") for k in kinds},
         **{f"{k}: best lr": f"{best[k]:g}" for k in kinds},
         **{f"{k}: steps at its best lr": of(k, best[k], "steps") for k in kinds}},
        verdict(of(kinds[0], common, "zigzag"), of(kinds[1], common, "zigzag"),
                labels=("sigmoid outputs", "zero-centred"), unit="(path / distance)"),
        f"the zig-zag index at the common lr {common:g} (stable for both; at the best lr, "
        "near the stability edge, the step counts are noisy)", plot)
    return [sig, zig]


# -- 2. convergence speed ------------------------------------------------------------------

def speed_run(activation, lr, seed, cfg):
    """One training run; returns the checkpoint records [(step, loss, accuracy)].

    Example:
        >>> records = speed_run("relu", 0.1, 0, CONFIGS["full"]["speed"])
        >>> steps_to(records, 0.97)
    """
    d = mnist5k()
    model = mlp(784, cfg["hidden"], 10, activation, seed=seed)
    cp = Checkpoints(d.X_train[:CHECKED], d.y_train[:CHECKED], cfg["budget"],
                     stop_at=max(cfg["targets"]))
    train(model, d.X_train, d.y_train, steps=cfg["budget"], batch_size=cfg["batch"], seed=seed,
          optimizer=optim.SGD(model.parameters(), lr=lr, momentum=0.9), checkpoints=cp)
    return cp.records


def speed(seeds, smoke=False, out=None):
    """Claims: sigmoid is slowest, tanh beats sigmoid, ReLU is much (~6x) faster than tanh.

    Example:
        >>> claims = speed([0, 1, 2])
    """
    cfg = _cfg(smoke, "speed")
    lrs = sorted(set(cfg["lrs"]) | {cfg["common_lr"]})
    lo, hi = cfg["targets"]
    runs = {a: {lr: [speed_run(a, lr, s, cfg) for s in seeds] for lr in lrs}
            for a in cfg["activations"]}
    steps = {a: {lr: {t: [steps_to(r, t) for r in runs[a][lr]] for t in cfg["targets"]}
                 for lr in lrs} for a in runs}
    best = {a: min(cfg["lrs"], key=lambda lr: (statistics.median(steps[a][lr][hi]),
                                               statistics.median(steps[a][lr][lo]), lr))
            for a in runs}
    tuned = {a: steps[a][best[a]] for a in runs}
    common = {a: steps[a][cfg["common_lr"]] for a in runs}
    budget = cfg["budget"]

    fig = figure(12, 3.8)
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for i, a in enumerate(runs):
        recs = runs[a][best[a]]
        x = [s for s, _, _ in max(recs, key=len)]
        band(ax1, x, [[max(1 - acc, 1e-4) for _, _, acc in r] for r in recs],
             label=f"{a} (lr {best[a]:g})", color=COLORS[i])
    ax1.set_xscale("symlog", linthresh=10)
    ax1.set_yscale("log")
    ax1.axhline(1 - hi, color="#999999", linestyle=":")
    ax1.set_xlabel("optimizer step")
    ax1.set_ylabel(f"training error (first {CHECKED:,} images)")
    ax1.set_title("each activation at its best lr: median, min-max band", fontsize=9)
    ax1.legend(fontsize=7)
    strip(ax2, {a: tuned[a][hi] for a in runs}, ylabel=f"steps to {hi:.0%} training accuracy",
          log=True, budget=budget)
    ax2.set_title("at each one's best lr", fontsize=9)
    strip(ax3, {a: common[a][hi] for a in runs}, log=True, budget=budget)
    ax3.set_title(f"at the common lr {cfg['common_lr']:g}", fontsize=9)
    plot = save(fig, out, "activation_speed.png")

    arch = "784-" + "-".join(map(str, cfg["hidden"])) + "-10"
    setup = (f"MNIST-5k, {arch} MLP, matched init (He for the ReLU family, N(0, 1/fan_in) for "
             f"sigmoid/tanh), SGD momentum 0.9, batches of {cfg['batch']}; steps counted "
             f"until the training accuracy (on the first {CHECKED:,} training images) reaches "
             f"{lo:.0%} and {hi:.0%} (checkpoints 10 % apart); lr grid {cfg['lrs']}, best "
             f"lr = fewest median steps to {hi:.0%} (to {lo:.0%} for the 6x claim); budget "
             f"{budget} steps (not reached = the budget in verdicts)")
    figures = {}
    for a in runs:
        figures[f"{a}: best lr"] = f"{best[a]:g}"
        figures[f"{a}: steps to {lo:.0%} (best lr)"] = tuned[a][lo]
        figures[f"{a}: steps to {hi:.0%} (best lr)"] = tuned[a][hi]
        figures[f"{a}: steps to {hi:.0%} (lr {cfg['common_lr']:g})"] = common[a][hi]
    others = [a for a in runs if a != "sigmoid"]
    runner_up = max(others, key=lambda a: (statistics.median(tuned[a][hi]), a))
    tuned_note = "each activation at its own best lr (as Krizhevsky et al. tuned each network)"
    claims = [
        Claim("sigmoid-slowest", TOPIC, "Don't use sigmoid: it saturates, kills gradients and "
              "is not zero-centred, so it trains slowest.", CS231N_L6 + " (TLDR in practice)",
              "examples/activations.py: speed()", setup, figures,
              verdict(tuned["sigmoid"][hi], tuned[runner_up][hi], log=True, budget=budget,
                      labels=("sigmoid", f"{runner_up} (the next slowest)"), unit="steps"),
              tuned_note, plot),
        Claim("tanh-beats-sigmoid", TOPIC, "tanh is zero-centered (nice); in practice the tanh "
              "non-linearity is always preferred to the sigmoid non-linearity.",
              NOTES_NN1 + " (tanh)", "examples/activations.py: speed()", setup,
              {k: v for k, v in figures.items() if k.startswith(("sigmoid", "tanh"))},
              verdict(tuned["sigmoid"][hi], tuned["tanh"][hi], log=True, budget=budget,
                      labels=("sigmoid", "tanh"), unit="steps"), tuned_note, plot),
    ]
    if "relu" in runs and "tanh" in runs:
        def ratio(target, lr_of):      # tanh / ReLU steps to the target, per seed
            return [t / r if math.isfinite(t) and math.isfinite(r) else math.inf
                    for t, r in zip(steps["tanh"][lr_of["tanh"]][target],
                                    steps["relu"][lr_of["relu"]][target])]
        # Krizhevsky et al.'s figure is at 25 % training error: each network at the lr
        # that reaches 75 % fastest (ties: the one best for the higher target)
        best_lo = {a: min(cfg["lrs"], key=lambda lr: (statistics.median(steps[a][lr][lo]),
                                                       statistics.median(steps[a][lr][hi]),
                                                       lr)) for a in ("tanh", "relu")}
        six, six_hi = ratio(lo, best_lo), ratio(hi, best)
        relu_figs = {k: v for k, v in figures.items() if k.startswith(("tanh", "relu"))}
        claims.append(Claim(
            "relu-faster", TOPIC, "ReLU converges much faster than sigmoid/tanh in practice.",
            CS231N_L6 + " (ReLU)", "examples/activations.py: speed()", setup, relu_figs,
            verdict(tuned["tanh"][hi], tuned["relu"][hi], log=True, budget=budget,
                    labels=("tanh", "ReLU"), unit="steps"),
            tuned_note + "; tanh is the faster of sigmoid and tanh here", plot,
            extra={"common_lr_verdict": verdict(common["tanh"][hi], common["relu"][hi],
                                                log=True, budget=budget,
                                                labels=("tanh", "ReLU")).text}))
        claims.append(Claim(
            "relu-6x", TOPIC, "ReLU converges ... e.g. 6x faster than tanh (Krizhevsky et al. "
            "2012: 25 % training error six times faster).", CS231N_L6 + " (ReLU)",
            "examples/activations.py: speed()", setup,
            {**relu_figs,
             **{f"{a}: best lr for {lo:.0%}": f"{best_lo[a]:g}" for a in ("tanh", "relu")},
             f"tanh / ReLU steps to {lo:.0%} (the claim's target), per seed": six,
             f"tanh / ReLU steps to {hi:.0%}, per seed": six_hi},
            within(six, 6.0, 1.5, log=True, label=f"tanh / ReLU steps to {lo:.0%}",
                   target_label="6"),
            f"steps to {lo:.0%} training accuracy (the paper's 25 % error), each at its own "
            f"best lr for that target; 'about 6x' read as within a factor 1.5 of 6 (4x to "
            f"9x); at {hi:.0%}: {describe(six_hi)}", plot))
    return claims


# -- 3. dead units ---------------------------------------------------------------------------

def _alive(model, X):
    """Per hidden unit: active (> 0) on at least one row of X (the library's dead rule)."""
    masks = [active_units(r.values, r.kind) for r in viz.record_activations(model, Tensor(X))]
    return np.concatenate([m for m in masks if m is not None])


def _zero_gradient(model, X, y):
    """Per hidden unit: its incoming weights and bias get an exactly zero full-batch gradient."""
    model.zero_grad()
    nn.CrossEntropyLoss()(model(Tensor(X)), Tensor(y)).backward()
    linears = [m for m in model if isinstance(m, nn.Linear)][:-1]
    return np.concatenate([(np.abs(m.weight.grad.data).sum(axis=1) == 0)
                           & (m.bias.grad.data == 0) for m in linears])


def dead_run(activation, lr, bias, seed, cfg):
    """Train one MLP with plain SGD; returns its dead-unit figures.

    ``dead_at_init``: hidden units never > 0 on any training image before the first step;
    ``dead``: the same after training; ``died``: alive at init, dead after;
    ``zero_gradient``: units whose incoming weights get an exactly zero gradient over
    the whole training set after training (for ReLU these are the dead ones; a Leaky
    ReLU or ELU unit always passes some gradient); ``diverged``: the loss became NaN/Inf
    (training stopped there, keeping the last good weights).

    Example:
        >>> dead_run("relu", 1.0, 0.0, 0, CONFIGS["full"]["dead"])["died"]
    """
    d = mnist5k()
    model = mlp(784, cfg["hidden"], 10, activation, seed=seed, bias=bias)
    alive0 = _alive(model, d.X_train)
    history = train(model, d.X_train, d.y_train, steps=cfg["steps"], batch_size=cfg["batch"],
                    seed=seed, optimizer=optim.SGD(model.parameters(), lr=lr))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        alive1 = _alive(model, d.X_train)
        zero = _zero_gradient(model, d.X_train, d.y_train)
        acc = accuracy(model, d.X_train, d.y_train)
    return {"dead_at_init": float(np.mean(~alive0)), "dead": float(np.mean(~alive1)),
            "died": float(np.mean(alive0 & ~alive1)), "revived": float(np.mean(~alive0 & alive1)),
            "zero_gradient": float(np.mean(zero)), "train_accuracy": acc,
            "diverged": bool(history["nonfinite_steps"])}


def _params(model):
    return sum(p.size for p in model.parameters())


def _per_layer(model):
    """Parameters per layer: {layer index: weights + bias}."""
    counts = {}
    for name, p in model.named_parameters():
        layer = name.split(".")[0]
        counts[layer] = counts.get(layer, 0) + p.size
    return counts


def dead_units(seeds, smoke=False, out=None):
    """Claims: more dead ReLUs at a high lr; bias 0.01 helps; Leaky ReLU/ELU do not die;
    Maxout doubles the parameters.

    Example:
        >>> claims = dead_units([0, 1, 2])
    """
    cfg = _cfg(smoke, "dead")
    lrs, high, low = cfg["lrs"], max(cfg["lrs"]), min(cfg["lrs"])
    variants = {"ReLU, bias 0": ("relu", 0.0), "ReLU, bias 0.01": ("relu", 0.01),
                "Leaky ReLU": ("leaky_relu", 0.0), "ELU": ("elu", 0.0)}
    res = {v: {lr: [dead_run(a, lr, b, s, cfg) for s in seeds] for lr in lrs}
           for v, (a, b) in variants.items()}

    def fig_of(v, lr, key):
        return [r[key] for r in res[v][lr]]

    fig = figure(12, 3.8)
    axes = fig.subplots(1, 3)
    for i, v in enumerate(variants):
        for ax, key in zip(axes, ("dead", "zero_gradient", "train_accuracy")):
            band(ax, lrs, [[r[key] for r in (res[v][lr][k] for lr in lrs)]
                           for k in range(len(seeds))], label=v, color=COLORS[i], marker="o")
        axes[0].plot(lrs, [statistics.median(fig_of(v, lr, "dead_at_init")) for lr in lrs],
                     linestyle=":", color=COLORS[i])
    titles = ("never > 0 on the training set (dotted: before training)",
              "units with an exactly zero gradient", "training accuracy")
    for ax, title in zip(axes, titles):
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (plain SGD)")
        ax.set_title(title, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    plot = save(fig, out, "dead_units.png")

    arch = "784-" + "-".join(map(str, cfg["hidden"])) + "-10"
    setup = (f"MNIST-5k, {arch} MLP, He-normal weights, biases 0 or 0.01, plain SGD "
             f"(the lecture's vanilla update), batches of {cfg['batch']}, {cfg['steps']} "
             f"steps, lr {lrs}; a unit is dead when it is never > 0 on any of the 4,000 "
             "training images (optim.checks.active_units), measured before the first step "
             "and after training")
    figures = {}
    for v in variants:
        for lr in lrs:
            figures[f"{v}, lr {lr:g}: dead before training"] = fig_of(v, lr, "dead_at_init")
            figures[f"{v}, lr {lr:g}: died during training"] = fig_of(v, lr, "died")
    relu0, relu1 = "ReLU, bias 0", "ReLU, bias 0.01"
    more = Claim(
        "dead-relu-high-lr", TOPIC, "ReLU units can die: a large gradient update can knock a "
        "unit off the data manifold for good; with a learning rate set too high, as much as "
        "40 % of the network can be dead.", NOTES_NN1 + " (ReLU cons)",
        "examples/activations.py: dead_units()", setup,
        {k: v for k, v in figures.items() if k.startswith(relu0)}
        | {f"{relu0}, lr {lr:g}: training accuracy": fig_of(relu0, lr, "train_accuracy")
           for lr in lrs},
        verdict(fig_of(relu0, high, "died"), fig_of(relu0, low, "died"),
                labels=(f"died at lr {high:g}", f"at lr {low:g}")),
        f"units that died during training, highest vs lowest lr of the sweep (units dead "
        f"before the first step are counted apart: "
        f"{describe(fig_of(relu0, high, 'dead_at_init'))})",
        plot)
    bias = Claim(
        "dead-relu-bias", TOPIC, "People like to initialize ReLU neurons with slightly "
        "positive biases (e.g. 0.01) so that the units are active at the start and do not "
        "die.", CS231N_L6 + " (ReLU)", "examples/activations.py: dead_units()", setup,
        {k: v for k, v in figures.items() if k.startswith("ReLU")},
        verdict(fig_of(relu0, high, "dead"), fig_of(relu1, high, "dead"),
                labels=(f"bias 0, lr {high:g}", "bias 0.01")),
        f"dead after training at the highest lr, bias 0 vs 0.01 (the sweep shows the other "
        f"lrs; before training: bias 0 {describe(fig_of(relu0, high, 'dead_at_init'))}, "
        f"bias 0.01 {describe(fig_of(relu1, high, 'dead_at_init'))})", plot)
    leaky_figs = {f"{v}, lr {high:g}: {what}": fig_of(v, high, key)
                  for v in (relu0, "Leaky ReLU", "ELU")
                  for what, key in (("zero-gradient units", "zero_gradient"),
                                    ("never > 0", "dead"), ("training accuracy",
                                                            "train_accuracy"))}
    leaky_figs |= {f"{v}, lr {high:g}: runs whose loss became NaN/Inf":
                   f"{sum(r['diverged'] for r in res[v][high])} of {len(seeds)}"
                   for v in (relu0, "Leaky ReLU", "ELU")}
    rival = max(("Leaky ReLU", "ELU"),
                key=lambda v: (statistics.median(fig_of(v, high, "zero_gradient")),
                               max(fig_of(v, high, "zero_gradient"))))
    leaky = Claim(
        "leaky-relu-no-death", TOPIC, "Leaky ReLU: does not saturate, computationally "
        "efficient ... will not 'die'. ELU: all benefits of ReLU.",
        CS231N_L6 + " (Leaky ReLU, ELU)", "examples/activations.py: dead_units()", setup,
        leaky_figs,
        verdict(fig_of(relu0, high, "zero_gradient"), fig_of(rival, high, "zero_gradient"),
                labels=(f"ReLU zero-gradient units, lr {high:g}", rival)),
        f"units that no longer learn (exactly zero gradient over the training set) at the "
        f"highest lr, ReLU vs the worse of Leaky ReLU and ELU; a run whose loss became "
        f"NaN/Inf keeps its last good weights", plot)

    maxout, relu = mlp(784, [100, 100], 10, "maxout"), mlp(784, [100, 100], 10, "relu")
    hidden = [_params(m) - 1010 for m in (maxout, relu)]          # without the output layer
    layers = {name: _per_layer(m) for name, m in (("Maxout", maxout), ("ReLU", relu))}
    fig = figure(5, 3.4)
    ax = fig.subplots()
    for i, (name, counts) in enumerate(layers.items()):
        x = np.arange(len(counts)) + (i - 0.5) * 0.38
        bars = ax.bar(x, list(counts.values()), width=0.38, color=COLORS[i], label=name)
        ax.bar_label(bars, fmt="{:,.0f}", fontsize=7)
    ax.set_xticks(range(3), ["hidden layer 1", "hidden layer 2", "output layer"], fontsize=8)
    ax.set_ylabel("parameters (weights + biases)")
    ax.set_title("784-100-100-10: parameters per layer, counted by the library", fontsize=9)
    ax.legend(fontsize=7)
    count_plot = save(fig, out, "maxout_params.png")
    per_unit = [h / 200 for h in hidden]
    ratio = [per_unit[0] / per_unit[1]] * len(seeds)
    params = Claim(
        "maxout-params", TOPIC, "Maxout: generalizes ReLU and Leaky ReLU, does not saturate, "
        "does not die; problem: doubles the number of parameters per neuron.",
        CS231N_L6 + " (Maxout)", "examples/activations.py: dead_units()",
        "784-100-100-10 MLP: nn.Maxout(fan_in, 100, pieces=2) in place of Linear + ReLU; "
        "parameters counted with the library (sum of p.size over model.parameters())",
        {"parameters, Maxout MLP": [_params(maxout)] * len(seeds),
         "parameters, ReLU MLP": [_params(relu)] * len(seeds),
         "hidden-layer parameters per neuron, Maxout": [per_unit[0]] * len(seeds),
         "... ReLU": [per_unit[1]] * len(seeds), "ratio": ratio},
        within(ratio, 2.0, 0.01, label="ratio per neuron", target_label="2"),
        "parameters per hidden neuron (the output layer is the same in both)", count_plot)
    return [more, bias, leaky, params]


EXPERIMENTS = [zero_centred, speed, dead_units]

if __name__ == "__main__":
    claim_cli("activations", EXPERIMENTS, __doc__)
