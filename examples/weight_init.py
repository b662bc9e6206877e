"""Weight initialization: each layer's activations in a 10-layer tanh / ReLU net, +/- batch norm.

The lecture's experiment (CS231n lecture 6, "Weight Initialization"): push unit-Gaussian
data (1,000 x 500) through 10 layers of 500 units and look at each layer's activations.

- W = 0.01 randn: "all activations become zero" (the std shrinks by about
  0.01 sqrt(500) per layer), and so do the weights' gradients;
- W = 1.0 randn (tanh): "almost all neurons completely saturated, either -1 and 1";
- Xavier (W = randn / sqrt(fan_in)): "reasonable initialization" for tanh, "but when
  using the ReLU nonlinearity it breaks" (the variance halves at every layer);
- He (W = randn / sqrt(fan_in / 2)) keeps ReLU healthy;
- batch norm after each linear layer (before the activation) makes every init healthy
  (forward; examples/batch_norm.py trains).

Experiment ``forward`` (over seeds: the weights and the input batch are drawn from the
seed): every (activation, init, batch norm) configuration; ``viz.record_activations``
keeps each activation layer's output, ``viz.activation_stats`` measures it (training mode:
batch norm uses the batch's statistics; no graph is recorded). Plots: the std of each
layer's activations (median and min-max over seeds) and the lecture's histograms for tanh
(``viz.plot_activations``, first seed).

Run:  python examples/weight_init.py [--smoke] [--seeds 3] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import numpy as np

import nn
import viz
from autograd import Tensor

from ._claims import Claim, claim_cli
from ._plots import COLORS, band, figure, save
from ._verdict import verdict, within

TOPIC = "Weight initialization"
CS231N_L6 = "CS231n lecture 6 (2017), Training Neural Networks I: weight initialization"
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}
INITS = {
    "small": ("N(0, 0.01²)", lambda w, g: nn.init.normal_(w, 0.0, 0.01, generator=g)),
    "large": ("N(0, 1)", lambda w, g: nn.init.normal_(w, 0.0, 1.0, generator=g)),
    # the lecture's Xavier, randn / sqrt(fan_in): for square layers xavier_normal_ is the same
    "xavier": ("Xavier", lambda w, g: nn.init.xavier_normal_(w, generator=g)),
    "he": ("He", lambda w, g: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g)),
}
CONFIGS = {
    "full": dict(batch=1000, width=500, depth=10),
    "smoke": dict(batch=300, width=200, depth=10),
}


def build_model(activation, init, width, depth, batch_norm=False, seed=0):
    """``depth`` x (Linear(width, width) [-> BatchNorm1d] -> activation), weights from ``init``.

    ``init`` is a key of INITS; biases are zero.

    Example:
        >>> build_model("tanh", "xavier", 500, 10)
    """
    gen = np.random.default_rng(seed)
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        INITS[init][1](linear.weight, gen)
        nn.init.zeros_(linear.bias)
        layers += [linear] + ([nn.BatchNorm1d(width)] if batch_norm else [])
        layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def label(activation, init, batch_norm):
    """A configuration's name for tables and legends.

    Example:
        >>> label("tanh", "small", True)
        'tanh, N(0, 0.01²), batch norm'
    """
    return f"{activation}, {INITS[init][0]}" + (", batch norm" if batch_norm else "")


def measure(activation, init, batch_norm, seed, cfg):
    """Forward a unit-Gaussian batch once; returns (per-layer viz.activation_stats, records).

    Example:
        >>> stats, records = measure("tanh", "xavier", False, 0, CONFIGS["smoke"])
        >>> [round(s["std"], 2) for s in stats][:3]
    """
    X = np.random.default_rng(seed + 10_000).standard_normal((cfg["batch"], cfg["width"]))
    model = build_model(activation, init, cfg["width"], cfg["depth"], batch_norm, seed)
    records = viz.record_activations(model, Tensor(X.astype(np.float32)))
    return viz.activation_stats(records), records


def forward(seeds, smoke=False, out=None):
    """The lecture's claims about each init, from the activations of the first forward pass.

    Example:
        >>> [c.verdict.status for c in forward([0, 1, 2])]
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    stats, first_records = {}, {}
    for bn in (False, True):
        for act in ACTIVATIONS:
            for init in INITS:
                runs = [measure(act, init, bn, s, cfg) for s in seeds]
                stats[(act, init, bn)] = [r[0] for r in runs]
                first_records[(act, init, bn)] = runs[0][1]

    def per_seed(act, init, bn, key, layer):
        return [s[layer][key] for s in stats[(act, init, bn)]]

    def ratio(act, init, bn):                         # last layer's std / first layer's
        return [s[-1]["std"] / s[0]["std"] for s in stats[(act, init, bn)]]

    x = list(range(1, cfg["depth"] + 1))
    fig = figure(12, 7)
    axes = fig.subplots(2, 2)
    for ax, (act, bn) in zip(axes.ravel(), [(a, b) for b in (False, True) for a in ACTIVATIONS]):
        for i, init in enumerate(INITS):
            band(ax, x, [[max(layer["std"], 1e-30) for layer in s]
                         for s in stats[(act, init, bn)]], label=INITS[init][0],
                 color=COLORS[i], marker="o")
        ax.set_yscale("log")
        ax.set_title(f"{act}{' + batch norm' if bn else ''}: std of each layer's activations",
                     fontsize=9)
        ax.set_xlabel("layer")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    plot = save(fig, out, "std_per_layer.png")
    hist = None
    if out is not None:
        hist_fig = figure(12, 3.6)
        for ax, init in zip(hist_fig.subplots(1, 3), ("small", "large", "xavier")):
            recs = first_records[("tanh", init, False)]
            for k, r in enumerate(recs):
                ax.hist(np.asarray(r.values).ravel(), bins=40, histtype="step",
                        color=COLORS[k % len(COLORS)], label=f"layer {k + 1}" if k % 3 == 0
                        else None)
            ax.set_yscale("log")
            ax.set_title(f"tanh, {INITS[init][0]}: activations per layer (seed {seeds[0]})",
                         fontsize=9)
        hist_fig.axes[0].legend(fontsize=7)
        hist = save(hist_fig, out, "hist_tanh.png")

    L = cfg["depth"] - 1
    setup = (f"{cfg['depth']} layers of {cfg['width']} units (Linear, zero biases, "
             f"[BatchNorm1d,] activation), one batch of {cfg['batch']} unit-Gaussian inputs; "
             f"weights and inputs drawn from the seed; viz.activation_stats of each layer "
             f"(saturated: tanh |a| > 0.99; the std over the whole batch)")
    figs = {f"{label(a, i, bn)}: std at layer 1 / layer {L + 1}":
            f"{stats[(a, i, bn)][0][0]['std']:.3g} / {stats[(a, i, bn)][0][L]['std']:.3g}"
            for bn in (False, True) for a in ACTIVATIONS for i in INITS}

    def claim(key, words, figures, v, comparison, chart=plot):
        return Claim(key, TOPIC, words, CS231N_L6, "examples/weight_init.py: forward()", setup,
                     figures, v, comparison, chart)

    small = per_seed("tanh", "small", False, "std", L)
    xav = per_seed("tanh", "xavier", False, "std", L)
    sat_large = per_seed("tanh", "large", False, "saturated", L)
    sat_xav = per_seed("tanh", "xavier", False, "saturated", L)
    claims = [
        claim("init-small-collapses", "W = 0.01 * randn: all activations become zero "
              "(deeper layers), and the gradients on the weights too.",
              {f"tanh, N(0, 0.01²): std at layer {L + 1}": small,
               f"tanh, Xavier: std at layer {L + 1}": xav},
              verdict(xav, small, log=True, labels=("Xavier", "N(0, 0.01²)")),
              f"std of layer {L + 1}'s activations, N(0, 0.01²) against Xavier (log scale)"),
        claim("init-large-saturates", "W = 1.0 * randn (tanh): almost all neurons completely "
              "saturated, either -1 or 1; the gradients will be all zero.",
              {f"tanh, N(0, 1): saturated at layer {L + 1}": sat_large,
               f"tanh, Xavier: saturated at layer {L + 1}": sat_xav},
              verdict(sat_large, 0.5, labels=("N(0, 1) saturated", "half the outputs")),
              f"the fraction of layer {L + 1}'s outputs with |a| > 0.99 against 1/2 ('almost "
              "all'); Xavier's figure for comparison"),
        claim("init-xavier-tanh", "Xavier initialization (randn / sqrt(fan_in)): reasonable "
              "initialization for tanh: the activations keep their scale through the layers.",
              {f"tanh, Xavier: std layer {L + 1} / layer 1": ratio("tanh", "xavier", False),
               f"tanh, Xavier: saturated at layer {L + 1}": sat_xav},
              within(ratio("tanh", "xavier", False), 1.0, 5.0, log=True,
                     label="std ratio", target_label="1"),
              f"layer {L + 1}'s std over layer 1's within a factor 5 (|log ratio| < log 5)"),
        claim("init-xavier-relu-breaks", "... but when using the ReLU nonlinearity Xavier "
              "breaks: the activations shrink layer by layer (the variance halves).",
              {f"relu, Xavier: std layer {L + 1} / layer 1": ratio("relu", "xavier", False),
               f"relu, He: std layer {L + 1} / layer 1": ratio("relu", "he", False)},
              verdict(ratio("relu", "he", False), ratio("relu", "xavier", False), log=True,
                      labels=("He", "Xavier")),
              f"layer {L + 1}'s std over layer 1's, He against Xavier with ReLU (log scale)"),
        claim("init-he-relu", "He initialization (randn / sqrt(fan_in / 2)) keeps ReLU "
              "activations healthy.",
              {f"relu, He: std layer {L + 1} / layer 1": ratio("relu", "he", False)},
              within(ratio("relu", "he", False), 1.0, 2.0, log=True, label="std ratio",
                     target_label="1"),
              f"layer {L + 1}'s std over layer 1's within a factor 2"),
    ]
    bn_spread = []
    for k in range(len(seeds)):
        last = [stats[(a, i, True)][k][L]["std"] for a in ACTIVATIONS for i in INITS]
        bn_spread.append(max(last) / min(last))
    claims.append(claim(
        "init-bn-forward", "Batch normalization after each fully connected layer makes "
        "every initialization healthy (the forward pass).",
        {f"{label(a, i, True)}: std at layer {L + 1}": per_seed(a, i, True, "std", L)
         for a in ACTIVATIONS for i in INITS}
        | {"largest / smallest of those stds, per seed": bn_spread},
        within(bn_spread, 1.0, 2.0, log=True, label="largest / smallest", target_label="1"),
        f"layer {L + 1}'s std across all 8 configurations with batch norm within a factor 2 "
        f"(without it they span {min(per_seed('tanh', 'small', False, 'std', L)):.1e} to "
        f"{max(per_seed('relu', 'large', False, 'std', L)):.1e})"))
    for c in claims[:3]:
        c.extra["histograms"] = hist
    for c in claims:
        c.extra["std per layer, first seed"] = figs
    return claims


EXPERIMENTS = [forward]

if __name__ == "__main__":
    claim_cli("weight_init", EXPERIMENTS, __doc__)
