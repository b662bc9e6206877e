"""Weight initialization: each layer's activations in a 10-layer tanh / ReLU net, +/- batch norm.

The lecture's experiment (CS231n lecture 6): push unit-Gaussian data through
10 layers of 500 units and look at each layer's activations.
- N(0, 0.01²) weights: the std shrinks by ~0.01·sqrt(500) per layer and
  collapses to 0 (so do the gradients of the weights);
- N(0, 1) weights: tanh saturates, almost every output is at -1 or +1
  (gradients 0); ReLU outputs explode;
- Xavier (std 1/sqrt(fan_in)) keeps tanh healthy, but with ReLU the variance
  halves at every layer; He (std sqrt(2/fan_in)) keeps ReLU healthy;
- batch norm after each linear layer (before the activation) makes every
  init healthy.

Every configuration draws its weights from the same seed, so the N(0, σ²)
inits differ only by scale: with ReLU (positively homogeneous) the fractions
of zeros are then identical, and batch norm, which removes the scale, gives
identical activations. The forward passes run in training mode (batch norm
uses the batch's statistics) without recording a graph; ``viz.record_activations`` keeps
each activation layer's output, ``viz.activation_stats`` measures it.

Writes ``std_per_layer.png`` (std of each layer's activations for every
configuration, log scale), one ``hist_<activation>_<init>[_bn].png`` per
configuration (the lecture's histograms, via ``viz.plot_activations``; in the
smoke size only a few) and ``results.json``.

Run:  python examples/weight_init.py [--smoke] [--seed 0] [--out DIR]
"""
import os

if __name__ == "__main__":   # before numpy loads: BLAS threads only slow tiny matrices down
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


import numpy as np

import nn
import viz
from autograd import Tensor

if __package__:
    from ._common import cli, format_table, plot_lines, run_dir, save_json
else:
    from _common import cli, format_table, plot_lines, run_dir, save_json

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}
INITS = {
    "small": ("N(0, 0.01²)", lambda w, g, act: nn.init.normal_(w, 0.0, 0.01, generator=g)),
    "large": ("N(0, 1)", lambda w, g, act: nn.init.normal_(w, 0.0, 1.0, generator=g)),
    "xavier": ("Xavier", lambda w, g, act: nn.init.xavier_normal_(w, generator=g)),
    "he": ("He", lambda w, g, act: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g)),
}
CONFIGS = {
    "full": dict(batch=1000, width=500, depth=10, histograms="all"),
    "smoke": dict(batch=300, width=200, depth=10,
                  histograms=[("tanh", "xavier", False), ("relu", "small", True)]),
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
        INITS[init][1](linear.weight, gen, activation)
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


def measure(activation, init, batch_norm, X, cfg, seed=0):
    """Forward ``X`` once; returns (per-layer stats from viz.activation_stats, the records).

    Example:
        >>> stats, records = measure("tanh", "xavier", False, X, CONFIGS["smoke"])
        >>> [round(s["std"], 2) for s in stats][:3]
    """
    model = build_model(activation, init, cfg["width"], cfg["depth"], batch_norm, seed)
    records = viz.record_activations(model, Tensor(X))
    return viz.activation_stats(records), records


def verdicts(res):
    """The lecture's claims checked against the measured last-layer statistics.

    Example:
        >>> for line in verdicts(results["configs"]): print(line)
    """
    def last(key):
        return res[key]["std"][-1]

    def first(key):
        return res[key]["std"][0]

    checks = [
        ("tanh, N(0, 0.01²): the std collapses to 0",
         last("tanh/small") < 1e-3 * last("tanh/xavier"),
         f"last-layer std {last('tanh/small'):.2e} vs Xavier's {last('tanh/xavier'):.3f}"),
        ("tanh, N(0, 1): the units saturate",
         res["tanh/large"]["saturated"][-1] > 0.5,
         f"{res['tanh/large']['saturated'][-1]:.0%} of last-layer outputs have |a| > 0.99"),
        ("tanh, Xavier: the std stays healthy",
         last("tanh/xavier") > 0.2 * first("tanh/xavier")
         and res["tanh/xavier"]["saturated"][-1] < 0.05,
         f"std {first('tanh/xavier'):.3f} at layer 1, {last('tanh/xavier'):.3f} at the last"),
        ("relu, N(0, 1): the std explodes",
         last("relu/large") > 1e3 * first("relu/large"),
         f"std {first('relu/large'):.3g} at layer 1, {last('relu/large'):.3g} at the last"),
        ("relu, Xavier: the std shrinks layer by layer",
         last("relu/xavier") < 0.2 * first("relu/xavier"),
         f"std {first('relu/xavier'):.3f} at layer 1, {last('relu/xavier'):.3f} at the last"),
        ("relu, He: the std stays healthy",
         0.5 < last("relu/he") / first("relu/he") < 2,
         f"std {first('relu/he'):.3f} at layer 1, {last('relu/he'):.3f} at the last"),
    ]
    for act in ACTIVATIONS:
        keys = [f"{act}/{i}/bn" for i in INITS]
        stds = [last(k) for k in keys]
        checks.append((f"{act} with batch norm: every init stays healthy",
                       min(stds) > 0.5 * max(stds) and min(stds) > 0.1,
                       "last-layer std " + ", ".join(f"{INITS[k.split('/')[1]][0]} {s:.3f}"
                                                     for k, s in zip(keys, stds))))
    return [f"{claim}: {'holds' if ok else 'does NOT hold'} ({figures})"
            for claim, ok, figures in checks]


def main(smoke=False, seed=0, out_dir=None):
    """Measure every (activation, init, batch norm) configuration; print, plot, return the figures.

    Example:
        >>> res = main(smoke=True, out_dir="/tmp/weight_init")
        >>> res["configs"]["tanh/small"]["std"][-1] < res["configs"]["tanh/xavier"]["std"][-1]
        True
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    out = run_dir("weight_init", out_dir)
    X = np.random.default_rng(seed).standard_normal((cfg["batch"], cfg["width"]))
    X = X.astype(np.float32)
    configs, files = {}, {}
    for batch_norm in (False, True):
        for act in ACTIVATIONS:
            for init in INITS:
                key = f"{act}/{init}" + ("/bn" if batch_norm else "")
                stats, records = measure(act, init, batch_norm, X, cfg, seed)
                configs[key] = {"label": label(act, init, batch_norm),
                                **{k: [s[k] for s in stats]
                                   for k in ("mean", "std", "saturated", "dead")}}
                if cfg["histograms"] == "all" or (act, init, batch_norm) in cfg["histograms"]:
                    name = f"hist_{act}_{init}{'_bn' if batch_norm else ''}"
                    fig = viz.plot_activations(records)
                    fig.axes[0].set_title(f"Activations per layer: {configs[key]['label']}")
                    viz.save_figure(fig, out / f"{name}.png")
                    files[name] = str(out / f"{name}.png")

    print(f"Weight initialization: {cfg['depth']} layers of {cfg['width']} units, a batch of "
          f"{cfg['batch']} unit-Gaussian inputs, seed {seed}{' [smoke size]' if smoke else ''}")
    layers = range(cfg["depth"])
    print("\nstd of each layer's activations (layer 1 = input side):")
    print(format_table(["configuration"] + [f"L{i + 1}" for i in layers],
                       [[c["label"]] + c["std"] for c in configs.values()]))
    print("\nlast layer: mean, std, fraction saturated (tanh |a| > 0.99), fraction of "
          "dead units (relu: never > 0 on any input):")
    print(format_table(["configuration", "mean", "std", "saturated", "dead units"],
                       [[c["label"], c["mean"][-1], c["std"][-1], c["saturated"][-1],
                         c["dead"][-1]] for c in configs.values()]))
    results = {"config": dict(cfg, seed=seed, smoke=smoke), "configs": configs,
               "verdicts": verdicts(configs)}
    print()
    for line in results["verdicts"]:
        print(line)

    x = np.arange(1, cfg["depth"] + 1)
    files["std_per_layer"] = str(out / "std_per_layer.png")
    def std(act, init, bn):                   # floored: a log axis cannot show an exact 0
        return np.maximum(configs[f"{act}/{init}" + ("/bn" if bn else "")]["std"], 1e-30)

    everything = np.concatenate([std(a, i, bn) for a in ACTIVATIONS for i in INITS
                                 for bn in (False, True)])
    ylim = (everything.min() / 3, everything.max() * 3)     # one scale: batch norm looks flat
    plot_lines([{"title": act + (" + batch norm" if bn else ""), "xlabel": "layer",
                 "ylabel": "std of activations", "logy": True, "ylim": ylim,
                 "lines": {INITS[i][0]: (x, std(act, i, bn)) for i in INITS}}
                for bn in (False, True) for act in ACTIVATIONS],
               files["std_per_layer"], title="Std of each layer's activations per initialization")
    files["results"] = str(out / "results.json")
    results["files"] = files
    save_json(results, out / "results.json")
    print(f"\nplots and results.json in {out}")
    return results


if __name__ == "__main__":
    cli(main, __doc__, "weight_init")
