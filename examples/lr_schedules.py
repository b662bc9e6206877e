"""Learning-rate schedules: a constant high rate against step decay, 1/t decay and a cyclic rate.

CS231n lecture 7 ("Learning rate decay over time!"; the notes "Neural Networks 3",
annealing the learning rate): with a constant, high learning rate the loss stops
improving and bounces around at a level set by the step size; decaying the rate (step
decay, 1/t decay) lets it settle lower. (Random vs grid search, in the same part of the
lecture, is examples/search.py.)

Experiment ``decay`` (over seeds, 7 by default: a constant high rate's final loss bounces
a lot; MNIST-5k under the protocol of examples/_protocol.py): a 784-100-10 ReLU MLP
("matched" init), SGD with momentum 0.9, batches of 100, base lr 0.1, 12 epochs (480
steps; 8 at smoke size). The lecture names no lr: 0.1 is high for this net (final
training loss of a constant rate, seeds 0-2: at lr 0.05 0.002, at 0.07 0.0007, the best;
at 0.085 0.002-0.17, bouncing on some seeds; at 0.1 4-7 on every seed; at 0.2 1e13). The
same initialization and batches under each schedule, each schedule spanning the whole run:
constant; step (x 0.1 after each third); 1/t (``lr / (1 + k t)`` per epoch, ending at
lr / 16); cyclic (triangular between lr / 10 and lr, three cycles).
Measured: the loss on the whole training set with the final weights, and test accuracy.

Run:  python examples/lr_schedules.py [--smoke] [--seeds 7] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import statistics

import optim
from optim import lr_scheduler

from ._claims import Claim, claim_cli
from ._plots import COLORS, band, figure, save, strip
from ._protocol import evaluate, mlp, mnist5k, train
from ._verdict import verdict

TOPIC = "Learning-rate schedules"
CS231N_L7 = "CS231n lecture 7 (2017), Training Neural Networks II: learning rate decay"
SCHEDULES = ("constant", "step", "inverse_time", "cyclic")
MIN_SEEDS = 7
CONFIGS = {
    "full": dict(epochs=[12], lr=0.1, batch=100),
    "smoke": dict(epochs=[8], lr=0.1, batch=100),
}


def make_scheduler(name, optimizer, lr, epochs, steps_per_epoch):
    """(scheduler or None, fit's scheduler_interval) for one named schedule over ``epochs``.

    step: lr x 0.1 after each third of training; inverse_time: ``lr / (1 + k t)``
    per epoch with ``k = 15 / epochs`` (ends at lr / 16); cyclic: triangular
    between lr / 10 and lr, per batch, three whole cycles (it ends low).

    Example:
        >>> sched, interval = make_scheduler("step", opt, 0.3, epochs=30, steps_per_epoch=45)
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


def run(schedule, epochs, seed, cfg):
    """Train the 784-100-10 MLP under one schedule; returns its figures and lr per step.

    Example:
        >>> run("step", 12, 0, CONFIGS["full"])["train_loss"]
    """
    d = mnist5k()
    model = mlp(784, [100], 10, "relu", seed=seed)
    opt = optim.SGD(model.parameters(), lr=cfg["lr"], momentum=0.9)
    per_epoch = -(-len(d.X_train) // cfg["batch"])
    sched, interval = make_scheduler(schedule, opt, cfg["lr"], epochs, per_epoch)
    rec = RecordLR()
    history = train(model, d.X_train, d.y_train, optimizer=opt, steps=epochs * per_epoch,
                    batch_size=cfg["batch"], seed=seed, scheduler=sched,
                    scheduler_interval=interval, callbacks=[rec])
    loss, _ = evaluate(model, d.X_train, d.y_train)
    return {"train_loss": max(loss, 1e-12),          # floored: a log scale cannot show 0
            "test_accuracy": evaluate(model, d.X_test, d.y_test)[1],
            "final_lr": rec.lrs[-1], "lrs": rec.lrs, "step_loss": list(history["step_loss"]),
            "diverged": bool(history["nonfinite_steps"])}


def decay(seeds, smoke=False, out=None):
    """Claim: decaying a high learning rate ends at a lower training loss than keeping it.

    Example:
        >>> decay(list(range(7)))[0].verdict.status
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    seeds = list(seeds) + [max(seeds) + 1 + k for k in range(max(0, MIN_SEEDS - len(seeds)))]
    runs = {(e, n): [run(n, e, s, cfg) for s in seeds] for e in cfg["epochs"]
            for n in SCHEDULES}

    def of(e, n, key):
        return [r[key] for r in runs[(e, n)]]

    long = max(cfg["epochs"])
    fig = figure(12, 3.8)
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for i, n in enumerate(SCHEDULES):
        first = runs[(long, n)][0]
        ax1.semilogy(first["lrs"], color=COLORS[i], label=n)
        w = -(-len(mnist5k().X_train) // cfg["batch"])          # one epoch
        smooth = [[sum(r["step_loss"][k:k + w]) / w for k in range(0, len(r["step_loss"]) - w, w)]
                  for r in runs[(long, n)]]
        band(ax2, [w * (k + 1) for k in range(len(smooth[0]))], smooth, label=n, color=COLORS[i])
    ax1.set_title(f"lr per step ({long} epochs)", fontsize=9)
    ax1.legend(fontsize=7)
    ax2.set_yscale("log")
    ax2.set_title(f"training loss, mean of each epoch's {w} steps ({long} epochs)",
                  fontsize=9)
    ax2.set_xlabel("step")
    strip(ax3, {f"{n}, {e} ep": of(e, n, "train_loss") for e in cfg["epochs"]
                for n in SCHEDULES}, ylabel="final training loss", log=True)
    plot = save(fig, out, "lr_schedules.png")

    setup = (f"MNIST-5k (protocol: 4000/1000), 784-100-10 ReLU MLP (matched init), SGD "
             f"momentum 0.9, base lr {cfg['lr']}, batches of {cfg['batch']}, "
             f"{' and '.join(map(str, cfg['epochs']))} epochs; {len(seeds)} seeds; the loss "
             f"on the whole training set with the final weights")
    figures = {}
    for e in cfg["epochs"]:
        for n in SCHEDULES:
            figures[f"{n}, {e} epochs: training loss"] = of(e, n, "train_loss")
            figures[f"{n}, {e} epochs: test accuracy"] = of(e, n, "test_accuracy")
    verdicts = {(e, n): verdict(of(e, "constant", "train_loss"), of(e, n, "train_loss"),
                                log=True, labels=(f"constant ({e} epochs)", n))
                for e in cfg["epochs"] for n in ("step", "inverse_time")}
    decisive = (long, max(("step", "inverse_time"),
                          key=lambda n: statistics.median(of(long, n, "train_loss"))))
    others = "; ".join(f"{n} at {e} epochs: {v.status}" for (e, n), v in verdicts.items()
                       if (e, n) != decisive)
    return [Claim(
        "lr-decay", TOPIC, "Learning rate decay over time (step decay, 1/t decay): with a "
        "high constant rate the loss plateaus and bounces; decaying it lets the loss go "
        "lower.", CS231N_L7 + "; CS231n notes, Neural Networks 3: annealing the learning "
        "rate", "examples/lr_schedules.py: decay()", setup, figures, verdicts[decisive],
        f"final training loss, constant against the worse of step and 1/t decay at "
        f"{long} epochs (log scale; {others})", plot)]


EXPERIMENTS = [decay]

if __name__ == "__main__":
    claim_cli("lr_schedules", EXPERIMENTS, __doc__)
