"""Batch normalization trained, not only run forward: a deep tanh MLP with and without it.

CS231n lecture 6 ("Batch Normalization"): batch norm "improves gradient flow through the
network, allows higher learning rates, reduces the strong dependence on initialization".
(examples/weight_init.py shows the forward half: the activations' statistics at
initialization. This trains.)

Experiment ``deep_tanh`` (over seeds; MNIST-5k under the protocol of
examples/_protocol.py): a 784-100x6-10 tanh MLP, with or without BatchNorm1d between each
hidden Linear and its tanh, weights N(0, 1) ("std 1": tanh saturates), N(0, 0.01^2)
("std 0.01": the signal vanishes) or the default U(+-1/sqrt(fan_in)); plain SGD with
batches of 60 (Ioffe & Szegedy's MNIST batch size) at a moderate and a 10x higher learning
rate, for 3 epochs; the figure is the accuracy on the whole training set afterwards (eval
mode: batch norm uses its running statistics).

Run:  python examples/batch_norm.py [--smoke] [--seeds 3] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import statistics

import optim

from ._claims import Claim, claim_cli
from ._plots import figure, save, strip
from ._protocol import accuracy, mlp, mnist5k, train
from ._verdict import verdict

TOPIC = "Batch normalization"
CS231N_L6 = "CS231n lecture 6 (2017), Training Neural Networks I: batch normalization"
INITS = {"std=1": "std 1", "std=0.01": "std 0.01", "default": "default"}

CONFIGS = {
    "full": dict(hidden=[100] * 6, batch=60, epochs=3, lrs=(0.1, 1.0)),
    "smoke": dict(hidden=[50] * 6, batch=60, epochs=1, lrs=(0.1, 1.0)),
}


def run(batch_norm, init, lr, seed, cfg):
    """Train one deep tanh MLP; returns its training accuracy (whole training set, eval mode).

    Example:
        >>> run(True, "std=1", 0.1, 0, CONFIGS["full"])
    """
    d = mnist5k()
    model = mlp(784, cfg["hidden"], 10, "tanh", init=init, seed=seed, batch_norm=batch_norm)
    steps = cfg["epochs"] * -(-len(d.X_train) // cfg["batch"])
    train(model, d.X_train, d.y_train, optimizer=optim.SGD(model.parameters(), lr=lr),
          steps=steps, batch_size=cfg["batch"], seed=seed)
    return accuracy(model, d.X_train, d.y_train)


def deep_tanh(seeds, smoke=False, out=None):
    """Claims: batch norm trains from a bad initialization, and at a high learning rate.

    Example:
        >>> [c.verdict.status for c in deep_tanh([0, 1, 2])]
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    low, high = cfg["lrs"]
    acc = {(bn, i, lr): [run(bn, i, lr, s, cfg) for s in seeds]
           for bn in (False, True) for i in INITS for lr in cfg["lrs"]}

    def name(bn, i, lr):
        return f"{'BN' if bn else 'no BN'}, {INITS[i]}, lr {lr:g}"

    fig = figure(12, 4)
    axes = fig.subplots(1, len(cfg["lrs"]), sharey=True)
    for ax, lr in zip(axes, cfg["lrs"]):
        strip(ax, {f"{'BN' if bn else 'no BN'}\n{INITS[i]}": acc[(bn, i, lr)]
                   for i in INITS for bn in (False, True)}, ylabel="training accuracy")
        ax.set_title(f"lr {lr:g}, {cfg['epochs']} epochs", fontsize=9)
        ax.set_ylim(0, 1.02)
    plot = save(fig, out, "batch_norm.png")

    arch = "784-" + "-".join(map(str, cfg["hidden"])) + "-10"
    setup = (f"MNIST-5k, {arch} tanh MLP with/without BatchNorm1d before each tanh; weights "
             f"N(0, 1), N(0, 0.01^2) (zero biases) or the default U(+-1/sqrt(fan_in)); plain "
             f"SGD, batches of {cfg['batch']}, lr {low:g} and {high:g}, {cfg['epochs']} "
             f"epochs; accuracy on the 4,000 training images afterwards (eval mode)")
    figures = {name(bn, i, lr): acc[(bn, i, lr)] for lr in cfg["lrs"] for i in INITS
               for bn in (False, True)}
    # the bad initialization where batch norm helps least decides the first verdict
    gains = {i: statistics.median(acc[(True, i, low)]) - statistics.median(acc[(False, i, low)])
             for i in ("std=1", "std=0.01")}
    worst = min(gains, key=gains.get)
    init_claim = Claim(
        "bn-bad-init", TOPIC, "Batch normalization reduces the strong dependence on "
        "initialization.", CS231N_L6, "examples/batch_norm.py: deep_tanh()", setup, figures,
        verdict(acc[(True, worst, low)], acc[(False, worst, low)],
                labels=(name(True, worst, low), "no BN")),
        f"training accuracy with vs without BN at lr {low:g}, for the bad initialization "
        f"(std 1 or std 0.01) where BN gains least ({INITS[worst]})", plot,
        extra={"other_init": verdict(
            acc[(True, "std=1" if worst == "std=0.01" else "std=0.01", low)],
            acc[(False, "std=1" if worst == "std=0.01" else "std=0.01", low)]).text})
    high_claim = Claim(
        "bn-high-lr", TOPIC, "Batch normalization allows higher learning rates.", CS231N_L6,
        "examples/batch_norm.py: deep_tanh()", setup, figures,
        verdict(acc[(True, "default", high)], acc[(False, "default", high)],
                labels=(name(True, "default", high), "no BN")),
        f"training accuracy with vs without BN at the high lr {high:g}, default "
        f"initialization (at lr {low:g} with the default init: BN "
        f"{statistics.median(acc[(True, 'default', low)]):.3f} vs no BN "
        f"{statistics.median(acc[(False, 'default', low)]):.3f}, medians)", plot)
    return [init_claim, high_claim]


EXPERIMENTS = [deep_tanh]

if __name__ == "__main__":
    claim_cli("batch_norm", EXPERIMENTS, __doc__)
