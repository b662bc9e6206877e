"""Sanity checks before training: the initial loss, overfitting a tiny sample, counting parameters.

CS231n lecture 6 ("Babysitting the learning process") and the notes "Neural Networks 3":
with small weights a softmax classifier's initial loss is about ln C (2.303 for 10
classes), and turning the regularization on must raise it; a network must be able to
overfit a very small portion of the training data (the first 20 examples, no
regularization, vanilla SGD: "very small loss, train accuracy 1.00"). And the network of
the lecture's MNIST example, 784-15-10, has 11,935 parameters.

Experiments (each over seeds; MNIST-5k under the protocol of examples/_protocol.py):

- ``initial_loss``: the lecture's two-layer net (784-50-10, ReLU) with weights N(0, 1e-4^2)
  ("small random numbers"), with the "matched" and with the "default" initialization:
  ``optim.check_initial_loss`` on the 4,000 training images, then the loss plus the L2
  penalty 0.5 lambda ||W||^2 for lambda from 1e-3 to 1e3.
- ``overfit_small``: the same net on the first 20 training images, full-batch vanilla SGD
  (lr 0.1), no regularization: steps until 100 % training accuracy (the verdict: every
  seed must reach it within the budget), the loss after the budget, and
  ``optim.check_overfit_small``'s verdict. The check stops at the first step with 100 %
  accuracy *and* a loss at most 10 % of the initial one, so its count ("in 3 steps") is
  the second figure, not the first ("100 % after 2 steps"); both are counted here from
  the same trajectory (the check trains a copy of the same model on the same images).
- ``parameter_count``: the 784-15-10 MLP's parameters counted by the library.

Run:  python examples/sanity_checks.py [--smoke] [--seeds 3] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import math

import numpy as np

import nn
import optim
from autograd import Tensor

from ._claims import Claim, claim_cli
from ._plots import COLORS, band, figure, save, strip
from ._protocol import mlp, mnist5k
from ._verdict import verdict, within

TOPIC = "Sanity checks"
CS231N_L6 = "CS231n lecture 6 (2017), Training Neural Networks I: babysitting the learning process"
NOTES_NN3 = "CS231n notes, Neural Networks 3: sanity checks"
LN10 = math.log(10)

CONFIGS = {
    "full": dict(hidden=50, regs=[1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0],
                 inits=("std=0.0001", "matched", "default"), n_small=20, lr=0.1, steps=200),
    "smoke": dict(hidden=50, regs=[1.0, 1000.0], inits=("std=0.0001", "matched"),
                  n_small=20, lr=0.1, steps=100),
}


def initial_loss_run(init, seed, cfg):
    """The untrained net's loss on the training set, and its loss plus each L2 penalty.

    Returns ``{"loss": ..., "with_reg": [loss + 0.5 reg ||W||^2 for each reg], "check":
    optim.check_initial_loss's verdict}``.

    Example:
        >>> initial_loss_run("std=0.0001", 0, CONFIGS["full"])["loss"]
        2.3026
    """
    d = mnist5k()
    model = mlp(784, [cfg["hidden"]], 10, "relu", init=init, seed=seed)
    loss_fn = nn.CrossEntropyLoss()
    with_reg, check = [], None
    for reg in cfg["regs"]:
        r = optim.check_initial_loss(model, loss_fn, d.X_train, d.y_train, num_classes=10,
                                     reg_fn=lambda m, reg=reg: nn.l2_penalty(m, reg))
        with_reg.append(r.loss_with_reg)
        check = check or r
    return {"loss": check.loss, "with_reg": with_reg, "check": check.verdict}


def initial_loss(seeds, smoke=False, out=None):
    """Claims: the initial loss is about ln 10; adding regularization raises it.

    Example:
        >>> [c.verdict.status for c in initial_loss([0, 1, 2])]
        ['holds', 'holds']
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    res = {i: [initial_loss_run(i, s, cfg) for s in seeds] for i in cfg["inits"]}
    small = cfg["inits"][0]
    rise = {i: [[w - r["loss"] for w in r["with_reg"]] for r in res[i]] for i in res}

    fig = figure(10, 3.8)
    ax1, ax2 = fig.subplots(1, 2)
    strip(ax1, {i: [r["loss"] for r in res[i]] for i in res}, ylabel="initial loss")
    ax1.axhline(LN10, color="black", linestyle="--", linewidth=1)
    ax1.set_title("untrained loss on the training set (dashed: ln 10)", fontsize=9)
    for k, i in enumerate(res):
        band(ax2, cfg["regs"], rise[i], label=i, color=COLORS[k], marker="o")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("regularization strength lambda (0.5 lambda ||W||^2)")
    ax2.set_ylabel("rise of the loss")
    ax2.legend(fontsize=7)
    ax2.grid(alpha=0.3)
    plot = save(fig, out, "initial_loss.png")

    setup = (f"MNIST-5k, the lecture's two-layer net 784-{cfg['hidden']}-10 (ReLU), untrained; "
             f"loss = mean cross-entropy over the 4,000 training images "
             f"(optim.check_initial_loss); weights: {', '.join(cfg['inits'])}")
    figures = {f"initial loss, {i}": [r["loss"] for r in res[i]] for i in res}
    figures[f"optim.check_initial_loss, {small}, seed {seeds[0]}"] = res[small][0]["check"]
    top = len(cfg["regs"]) - 1
    figures |= {f"rise with lambda = {reg:g}, {small}": [r[j] for r in rise[small]]
                for j, reg in enumerate(cfg["regs"])}
    figures |= {f"rise with lambda = {cfg['regs'][top]:g}, {i}": [r[top] for r in rise[i]]
                for i in res if i != small}
    ln_c = Claim(
        "initial-loss-ln-c", TOPIC, "Double check that the loss is reasonable: with small "
        "weights and regularization off, a softmax classifier starts at -ln(1/C) = ln C "
        "(2.302 for 10 classes).", CS231N_L6 + "; " + NOTES_NN3 + " (look for correct loss "
        "at chance performance)", "examples/sanity_checks.py: initial_loss()", setup,
        {k: v for k, v in figures.items() if k.startswith(("initial", "optim"))},
        within([r["loss"] for r in res[small]], LN10, 0.01 * LN10, label=f"loss ({small})",
               target_label="ln 10"),
        f"weights {small} (the lecture's small random numbers), within 1 % of ln 10; the "
        "other initializations' figures show how far usual inits start from it", plot)
    raise_ = Claim(
        "initial-loss-reg-rise", TOPIC, "Crank up regularization: the loss went up, good "
        "(sanity check).", CS231N_L6, "examples/sanity_checks.py: initial_loss()",
        setup + f"; L2 penalty 0.5 lambda ||W||^2 over the weight matrices (nn.l2_penalty), "
                f"lambda {cfg['regs']}",
        {k: v for k, v in figures.items() if k.startswith("rise")},
        verdict([r[top] for r in rise[small]], 0.0,
                labels=(f"rise at lambda {cfg['regs'][top]:g}", "no rise")),
        f"the rise at the largest lambda, {small} weights (it grows linearly with lambda: "
        "0.5 lambda ||W||^2)", plot)
    return [ln_c, raise_]


def overfit_run(seed, cfg):
    """Full-batch vanilla SGD on the first ``n_small`` training images; per-step figures.

    Returns ``{"steps_to_100": first step with 100 % training accuracy (inf if never),
    "steps_to_check": first step with 100 % and a loss <= 10 % of the initial one
    (check_overfit_small's stopping rule), "losses": per step, "accuracies": per step,
    "check": check_overfit_small's verdict, "check_steps": the steps it ran}``.

    Example:
        >>> overfit_run(0, CONFIGS["full"])["steps_to_100"]
    """
    d = mnist5k()
    X, y = d.X_train[:cfg["n_small"]], d.y_train[:cfg["n_small"]]
    model = mlp(784, [cfg["hidden"]], 10, "relu", seed=seed)
    check = optim.check_overfit_small(
        model, nn.CrossEntropyLoss(), lambda p: optim.SGD(p, lr=cfg["lr"]), X, y,
        n=cfg["n_small"], steps=cfg["steps"], seed=seed)
    opt = optim.SGD(model.parameters(), lr=cfg["lr"])
    loss_fn, xb, yb = nn.CrossEntropyLoss(), Tensor(X), Tensor(y)
    losses, accs = [], []
    for _ in range(cfg["steps"] + 1):
        out = model(xb)
        loss = loss_fn(out, yb)
        losses.append(float(loss.item()))
        accs.append(float(np.mean(out.data.argmax(axis=1) == y)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    steps = next((t for t, a in enumerate(accs) if a == 1.0), math.inf)
    both = next((t for t, (a, v) in enumerate(zip(accs, losses))
                 if a == 1.0 and v <= 0.1 * losses[0]), math.inf)
    return {"steps_to_100": steps, "steps_to_check": both, "losses": losses,
            "accuracies": accs, "check": check.verdict, "check_steps": check.steps}


def overfit_small(seeds, smoke=False, out=None):
    """Claim: the net drives a 20-image sample to 100 % training accuracy and a loss near 0.

    Example:
        >>> overfit_small([0, 1, 2])[0].verdict.status
        'holds'
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    runs = [overfit_run(s, cfg) for s in seeds]
    final = [r["losses"][-1] for r in runs]
    steps = [r["steps_to_100"] for r in runs]

    fig = figure(10, 3.8)
    ax1, ax2 = fig.subplots(1, 2)
    x = list(range(cfg["steps"] + 1))
    band(ax1, x, [r["losses"] for r in runs], label="training loss")
    ax1.set_yscale("log")
    ax1.set_xlabel("step (full batch of 20)")
    ax1.set_title("loss on the 20 images", fontsize=9)
    band(ax2, x, [r["accuracies"] for r in runs], label="training accuracy", color=COLORS[2])
    ax2.set_xlabel("step")
    ax2.set_title("accuracy on the 20 images", fontsize=9)
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    plot = save(fig, out, "overfit_small.png")

    return [Claim(
        "overfit-small-sample", TOPIC, "Make sure that you can overfit a very small portion "
        "of the training data: take the first 20 examples, turn off regularization, use "
        "simple vanilla SGD: very small loss, train accuracy 1.00, nice!",
        CS231N_L6 + "; " + NOTES_NN3 + " (overfit a tiny subset of data)",
        "examples/sanity_checks.py: overfit_small()",
        f"MNIST-5k, the first {cfg['n_small']} training images (protocol order), "
        f"784-{cfg['hidden']}-10 ReLU net (matched init), full-batch vanilla SGD, lr "
        f"{cfg['lr']} (the lecture's 1e-3 was for unnormalized CIFAR pixels; our inputs are "
        f"standardized), no regularization, {cfg['steps']} steps",
        {"steps to 100 % training accuracy": steps,
         "steps to 100 % and loss <= 10 % of the initial (check_overfit_small's rule)":
             [r["steps_to_check"] for r in runs],
         "steps check_overfit_small ran": [r["check_steps"] for r in runs],
         "initial loss": [r["losses"][0] for r in runs],
         f"loss after {cfg['steps']} steps": final,
         f"training accuracy after {cfg['steps']} steps": [r["accuracies"][-1] for r in runs],
         f"optim.check_overfit_small, seed {seeds[0]}": runs[0]["check"]},
        verdict(cfg["steps"], steps, log=True, labels=("the budget", "steps to 100 %"),
                unit="steps"),
        f"steps to 100 % training accuracy against the budget of {cfg['steps']} steps (log "
        f"scale): a seed that never reaches 100 % makes it unclear (some seeds) or 'does not "
        f"hold' (all); the loss after the budget is in the figures", plot)]


def parameter_count(seeds, smoke=False, out=None):
    """Claim: the 784-15-10 MLP has 11,935 parameters (784*15 + 15 + 15*10 + 10).

    Example:
        >>> parameter_count([0, 1, 2])[0].figures["parameters (library)"]
        [11935, 11935, 11935]
    """
    counts, per_layer = [], None
    for s in seeds:
        model = mlp(784, [15], 10, "sigmoid", init="default", seed=s)
        counts.append(sum(p.size for p in model.parameters()))
        per_layer = {n: p.size for n, p in model.named_parameters()}
    state = sum(int(np.asarray(v).size) for v in model.state_dict().values())
    fig = figure(5, 3.2)
    ax = fig.subplots()
    names = list(per_layer)
    bars = ax.barh(names, [per_layer[n] for n in names], color=COLORS[0])
    ax.bar_label(bars, fmt="{:,.0f}", fontsize=8, padding=2)
    ax.set_xscale("log")
    ax.set_xlim(1, 1e5)
    ax.invert_yaxis()
    ax.set_xlabel("parameters (log scale)")
    ax.set_title(f"784-15-10 MLP: {counts[-1]:,} parameters, per tensor", fontsize=9)
    plot = save(fig, out, "parameter_count.png")
    return [Claim(
        "mlp-784-15-10-parameters", TOPIC, "The 784-15-10 network for MNIST has 11,935 "
        "parameters (weights and biases).", "issue 14's list (the lecture's MNIST network; "
        "the same 784-15-10 architecture as Nielsen, Neural Networks and Deep Learning, ch. 1)",
        "examples/sanity_checks.py: parameter_count()",
        "nn.Sequential(Linear(784, 15), Sigmoid(), Linear(15, 10)); counted as sum(p.size for "
        "p in model.parameters()) and over state_dict()",
        {"parameters (library)": counts, "per tensor": str(per_layer),
         "state_dict entries": [state] * len(seeds)},
        within(counts, 11935, 0.5, label="count", target_label="11935"),
        "the exact count (the same for every seed)", plot)]


EXPERIMENTS = [initial_loss, overfit_small, parameter_count]

if __name__ == "__main__":
    claim_cli("sanity_checks", EXPERIMENTS, __doc__)
