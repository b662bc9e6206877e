"""Deep XOR: a 2 -> 9 hidden layers -> 1 network learns with ReLU and not with sigmoid.

The "Let's go deep" lecture's claim: with nine sigmoid hidden layers the
network does not learn XOR (the loss stays at ln 2 ~ 0.693, the accuracy at
chance), while the same network with ReLU learns it, because the sigmoid's
gradient (at most 1/4) shrinks at every layer on the way back to the input.

The data (``nn.data.xor`` without noise): 200 training and 200 test points
drawn uniformly from [-1, 1]^2, labelled 1 where the two coordinates differ
in sign. "Learns XOR" is measured three ways: the four XOR points, one in
the middle of each quadrant ((+-0.5, +-0.5): the lecture's four-point
problem), all four classified right; accuracy on the 200 training and 200
test points; and accuracy on the points at least 0.1 away from both axes
(a point next to an axis sits on the boundary between the classes, where a
smooth network is least sure).

Both networks get the same data, the same Xavier-uniform initialisation (Keras' default)
from the same seed, the same optimizer (SGD, lr 0.02, momentum 0.9) and
batches; only the activation differs. (At lr 0.05 some seeds' ReLU networks
learned and then collapsed to a constant output; at 0.02 all ten
seeds we tried learned.) Measured: final loss and accuracy, the L2 norm of each
weight's gradient at initialisation (full batch) and averaged over training,
the input-layer / output-layer gradient ratio, and optim.Diagnostics' advice.

Writes to the run directory: ``report.html`` (the findings; the graph of both
networks at initialisation as viz.explore's interactive page: the recorded
backward step by step, coloured by gradient magnitude; per-layer gradient
flow at initialisation; activation histograms per layer after training;
both networks' loss/accuracy curves on shared axes; update/weight ratios of
the first and last layers), ``graph.svg`` (a static picture of that graph)
and ``results.json`` (the measured figures).

With ``--tensorboard DIR`` both networks are also logged to TensorBoard, one
run each (``DIR/sigmoid``, ``DIR/relu``): losses, accuracy, learning rate,
weight/gradient/activation histograms, update/weight ratios, the graph with
its name scopes, the gradient flow at initialisation and the verdicts; open
them with ``tensorboard --logdir DIR``.

Run:  python examples/deep_xor.py [--smoke] [--seed 0] [--out DIR] [--tensorboard DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import math
import os

import numpy as np

import autograd
import nn
import optim
import viz
from autograd import Tensor

from ._common import cli, first_epoch, format_table, run_dir, save_json

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}
CONFIGS = {
    "full": dict(n_train=200, n_test=200, depth=9, width=10, epochs=150, batch_size=32,
                 lr=0.02, momentum=0.9),
    "smoke": dict(n_train=200, n_test=200, depth=9, width=10, epochs=60, batch_size=32,
                  lr=0.02, momentum=0.9),
}


class Pair(nn.Module):
    """The two networks side by side, so one picture and one report show both.

    Example:
        >>> pair = Pair(build_model(nn.Sigmoid, 9, 10), build_model(nn.ReLU, 9, 10))
        >>> [n for n, _ in pair.named_children()]
        ['sigmoid', 'relu']
    """

    def __init__(self, sigmoid, relu):
        super().__init__()
        self.sigmoid, self.relu = sigmoid, relu

    def forward(self, x):
        """Both networks' logits: ``(sigmoid(x), relu(x))``."""
        return self.sigmoid(x), self.relu(x)


def build_model(activation, depth, width, seed=0):
    """2 -> ``depth`` hidden layers of ``width`` units -> 1 logit: Xavier-uniform weights, 0 bias.

    Example:
        >>> build_model(nn.ReLU, 9, 10)(Tensor(np.zeros((4, 2), np.float32))).shape
        (4, 1)
    """
    gen = np.random.default_rng(seed)
    layers, fan_in = [], 2
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), activation()]
        fan_in = width
    layers.append(nn.Linear(fan_in, 1))
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight, generator=gen)
            nn.init.zeros_(m.bias)
    return model


def weights(model, prefix=""):
    """The (name, weight) pairs of a model's Linear layers, input side first.

    Example:
        >>> [n for n, _ in weights(build_model(nn.ReLU, 2, 4))]
        ['0.weight', '2.weight', '4.weight']
    """
    return [(prefix + n, p) for n, p in model.named_parameters() if n.endswith("weight")]


def _targets(y):
    return y.astype(np.float32).reshape(-1, 1)


XOR_POINTS = np.array([[-0.5, -0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, 0.5]], np.float32)
XOR_LABELS = np.array([0, 1, 1, 0])
AXIS_MARGIN = 0.1


def predictions(model, X):
    """The model's class (logit > 0) for each row of ``X``, without recording a graph.

    Example:
        >>> predictions(model, XOR_POINTS)        # a network that learned XOR
        array([0, 1, 1, 0])
    """
    with autograd.no_grad():
        return (model(Tensor(np.asarray(X, np.float32))).data.reshape(-1) > 0).astype(int)


def away_from_axes(X, margin=AXIS_MARGIN):
    """Rows of ``X`` at least ``margin`` from both axes (off the class boundary).

    Example:
        >>> away_from_axes(np.array([[0.05, 0.5], [0.3, -0.4]]))
        array([False,  True])
    """
    return np.min(np.abs(X), axis=1) >= margin


def evaluate(model, X, y):
    """Full-batch (BCE-with-logits loss, accuracy) of a trained model, without recording a graph.

    Example:
        >>> loss, acc = evaluate(model, X, y)
    """
    with autograd.no_grad():
        logits = model(Tensor(X))
        loss = nn.BCEWithLogitsLoss()(logits, Tensor(_targets(y))).item()
    return float(loss), float(np.mean((logits.data.reshape(-1) > 0) == (y == 1)))


def train(model, data, cfg, seed, writer=None):
    """Train one network with optim.fit, watched by optim.Diagnostics; returns (history, diag).

    ``writer``: a viz.SummaryWriter to log the run to TensorBoard as well.

    Example:
        >>> history, diag = train(model, data, CONFIGS["smoke"], seed=0)
        >>> diag.history["grad_norm"]["0.weight"][0]       # the first step's gradient norm
    """
    (X, y), (Xte, yte) = data
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, _targets(y)),
                                batch_size=cfg["batch_size"], shuffle=True, generator=seed)
    val = nn.data.DataLoader(nn.data.TensorDataset(Xte, _targets(yte)), batch_size=len(Xte))
    diag = optim.Diagnostics(model)
    callbacks = [diag]
    if writer is not None:          # TensorBoard reads the same Diagnostics, after it
        callbacks.append(viz.TensorBoardCallback(writer=writer, diagnostics=diag))
    opt = optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg["momentum"])
    history = optim.fit(model, loader, loss_fn=nn.BCEWithLogitsLoss(), optimizer=opt,
                        epochs=cfg["epochs"], val_loader=val, metrics=["accuracy"],
                        callbacks=callbacks, seed=seed, progress=False)
    diag.detach()
    return history, diag


def initial_gradients(cfg, X, y, seed):
    """Both networks at initialisation after one full-batch backward, recorded step by step.

    Returns ``(pair, losses, record)``: the Pair, its two loss Tensors (every
    node keeps its gradient) and ``autograd.record_backward``'s record of
    the backward, ready for ``viz.explore``, ``viz.draw_graph`` and
    ``viz.plot_grad_flow``.

    Example:
        >>> pair, losses, record = initial_gradients(CONFIGS["smoke"], X, y, seed=0)
    """
    pair = Pair(*(build_model(ACTIVATIONS[a], cfg["depth"], cfg["width"], seed)
                  for a in ACTIVATIONS))
    x, t = Tensor(X, name="x"), Tensor(_targets(y), name="target")
    losses = []
    for name, logits in zip(ACTIVATIONS, pair(x)):      # scopes Pair/sigmoid/0, ...
        with autograd.name_scope(f"{name} loss"):
            loss = nn.BCEWithLogitsLoss()(logits, t)
        loss.name = f"{name} loss"
        losses.append(loss)
    for loss in losses:
        viz.retain_grads(loss)
    with autograd.record_backward() as record:
        autograd.backward(losses)
    return pair, losses, record


def _verdicts(res, majority):
    """Each claim with what was measured, on which data, and whether the figures bear it out."""
    sig, relu = res["sigmoid"], res["relu"]
    ln2 = math.log(2)
    sig_holds = abs(sig["train_loss"] - ln2) < 0.01 and sig["train_accuracy"] <= majority + 0.05
    relu_holds = relu["xor_points_correct"] == 4 and relu["train_accuracy"] >= 0.9
    vanish = sig["diagnostics_trend"] == "vanishing" and relu["diagnostics_trend"] != "vanishing"
    return [
        f"The sigmoid network does not learn XOR: "
        f"{'holds' if sig_holds else 'does NOT hold'}. After training, its loss on the "
        f"200 training points is {sig['train_loss']:.4f} (ln 2 = {ln2:.4f}, the loss of "
        f"always answering 1/2) and its accuracy {sig['train_accuracy']:.3f} (the larger class "
        f"is {majority:.3f} of the points); {sig['xor_points_correct']} of the 4 XOR points right.",
        f"The ReLU network learns XOR: {'holds' if relu_holds else 'does NOT hold'}. "
        f"{relu['xor_points_correct']} of the 4 XOR points (+-0.5, +-0.5) right; accuracy "
        f"{relu['train_accuracy']:.3f} on the 200 training points and "
        f"{relu['test_accuracy']:.3f} on the 200 test points, "
        f"{relu['train_accuracy_off_axes']:.3f} on the training points at least "
        f"{AXIS_MARGIN} from both axes (the misses sit next to the axes, where the two "
        "classes meet).",
        f"Why: the gradient vanishes through the sigmoids. At initialisation the input "
        f"layer's weight gradient is {sig['grad_ratio_init']:.1e} x the output layer's with "
        f"sigmoid, {relu['grad_ratio_init']:.1e} x with ReLU; optim.Diagnostics "
        + ("calls it vanishing gradients for the sigmoid network only."
           if vanish else f"finds: sigmoid {sig['diagnostics_trend']}, relu "
                          f"{relu['diagnostics_trend']}."),
    ]


def main(smoke=False, seed=0, out_dir=None, tensorboard=None):
    """Run the experiment, print its tables, write the report; returns the measured figures.

    Example:
        >>> res = main(smoke=True, out_dir="/tmp/deep_xor")
        >>> res["relu"]["train_accuracy"] > res["sigmoid"]["train_accuracy"]
        True
    """
    cfg = CONFIGS["smoke" if smoke else "full"]
    out = run_dir("deep_xor", out_dir)
    X, y = nn.data.xor(cfg["n_train"], noise=0.0, seed=seed)
    Xte, yte = nn.data.xor(cfg["n_test"], noise=0.0, seed=seed + 1)
    majority = float(max(y.mean(), 1 - y.mean()))

    pair0, losses0, record0 = initial_gradients(cfg, X, y, seed)
    results = {"config": dict(cfg, seed=seed, smoke=smoke), "majority_fraction": majority}
    trained, histories, ratios, warnings = {}, {}, {}, {}
    writers = {name: viz.SummaryWriter(os.path.join(tensorboard, name))
               for name in ACTIVATIONS} if tensorboard else {}
    for name, act in ACTIVATIONS.items():
        model = build_model(act, cfg["depth"], cfg["width"], seed)
        histories[name], diag = train(model, ((X, y), (Xte, yte)), cfg, seed,
                                      writers.get(name))
        trained[name] = model
        names = [n for n, _ in weights(model)]
        init = [float(np.linalg.norm(p.grad.data)) for _, p in weights(getattr(pair0, name))]
        mean = [float(np.mean(diag.history["grad_norm"][n])) for n in names]
        ratios.update({f"{name}.{n}": diag.history["update_ratio"][n]
                       for n in (names[0], names[-1])})
        diagnosis = diag.report()
        warnings[name] = diagnosis["warnings"]
        train_loss, train_acc = evaluate(model, X, y)
        test_loss, test_acc = evaluate(model, Xte, yte)
        off = away_from_axes(X)
        results[name] = {
            "train_loss": train_loss, "train_accuracy": train_acc,
            "test_loss": test_loss, "test_accuracy": test_acc,
            "xor_points_correct": int(np.sum(predictions(model, XOR_POINTS) == XOR_LABELS)),
            "train_accuracy_off_axes": float(np.mean(predictions(model, X[off]) == y[off])),
            "diagnostics_trend": diagnosis["gradient_trend"]["trend"],
            "loss_curve_verdicts": optim.diagnose_loss_curve(histories[name],
                                                             grad_norms=diag)["verdicts"],
            "epochs_to_train_accuracy_0.99": first_epoch(histories[name]["train_accuracy"], 0.99),
            "grad_norm_init": init, "grad_norm_mean": mean,
            "grad_ratio_init": init[0] / init[-1] if init[-1] > 0 else float("nan"),
            "grad_ratio_mean": mean[0] / mean[-1] if mean[-1] > 0 else float("nan"),
            "diagnostics_warnings": warnings[name],
        }
    results["verdicts"] = _verdicts(results, majority)
    for name, writer in writers.items():
        writer.add_figure("gradient_flow/initialisation", viz.plot_grad_flow(getattr(pair0, name)))
        writer.add_text("verdicts", "\n".join(f"- {v}" for v in results["verdicts"]))
        writer.close()

    print(f"Deep XOR: 2 -> {cfg['depth']} x {cfg['width']} -> 1, {cfg['epochs']} epochs of SGD "
          f"(lr {cfg['lr']}, momentum {cfg['momentum']}, batch {cfg['batch_size']}), "
          f"seed {seed}{' [smoke size]' if smoke else ''}")
    print(f"Data: {cfg['n_train']} training and {cfg['n_test']} test points uniform in "
          "[-1, 1]^2, class 1 where the coordinates differ in sign; the 4 XOR points are "
          "(+-0.5, +-0.5). Figures after training, over all the points:\n")
    print(format_table(
        ["activation", "train loss", "train acc", "test acc", "4 XOR points",
         f"acc off axes (>= {AXIS_MARGIN})", "epochs to 0.99",
         "|grad W_in| / |grad W_out| at init"],
        [[n, r["train_loss"], r["train_accuracy"], r["test_accuracy"],
          f"{r['xor_points_correct']}/4", r["train_accuracy_off_axes"],
          r["epochs_to_train_accuracy_0.99"], r["grad_ratio_init"]]
         for n, r in ((n, results[n]) for n in ACTIVATIONS)]))
    print("\nL2 norm of each layer's weight gradient (layer 1 = input side):")
    print(format_table(
        ["layer", "sigmoid at init", "sigmoid mean", "relu at init", "relu mean"],
        [[i + 1, results["sigmoid"]["grad_norm_init"][i], results["sigmoid"]["grad_norm_mean"][i],
          results["relu"]["grad_norm_init"][i], results["relu"]["grad_norm_mean"][i]]
         for i in range(cfg["depth"] + 1)]))
    for name in ACTIVATIONS:
        print(f"\noptim.diagnose_loss_curve on the {name} network's training loss:")
        for v in results[name]["loss_curve_verdicts"]:
            print(f"  {v}")
        shown = warnings[name][:3]
        print(f"\noptim.Diagnostics on the {name} network after training: "
              f"{len(warnings[name])} warning(s)" + (":" if shown else ""))
        for w in shown:
            print(f"  {w}")
        if len(warnings[name]) > len(shown):
            print(f"  ... {len(warnings[name]) - len(shown)} more in results.json")
    print("\nVerdicts:")
    for line in results["verdicts"]:
        print(f"- {line}")

    graph = viz.draw_graph(losses0, params=pair0, collapse="module", rankdir="TB")
    try:
        files = {"graph": viz.render_graph(graph, out / "graph.svg")}
    except viz.RendererNotFoundError as e:         # the .dot source is saved instead
        print(f"\nnote: {e}")
        files = {"graph": e.dot_path or out / "graph.dot"}
    summary = {
        "data": f"XOR: {cfg['n_train']} training and {cfg['n_test']} test points uniform in "
                "[-1, 1]^2, class 1 where the coordinates differ in sign; the 4 XOR points "
                "(+-0.5, +-0.5)",
        "networks": f"2 -> {cfg['depth']} hidden layers of {cfg['width']} -> 1 logit, "
                    "Xavier-uniform weights, zero biases; sigmoid or ReLU, nothing else differs",
        "training": f"{cfg['epochs']} epochs of SGD (lr {cfg['lr']}, momentum "
                    f"{cfg['momentum']}, batches of {cfg['batch_size']}), seed {seed}",
        **{f"{n} network after training": (
            f"loss {results[n]['train_loss']:.4f} and accuracy "
            f"{results[n]['train_accuracy']:.3f} on the training points, accuracy "
            f"{results[n]['test_accuracy']:.3f} on the test points, "
            f"{results[n]['xor_points_correct']}/4 XOR points (one pass over all the points "
            "with the final weights)") for n in ACTIVATIONS},
        **{f"{n}: loss-curve diagnosis": " ".join(results[n]["loss_curve_verdicts"])
           for n in ACTIVATIONS},
        "graph and gradient flow": "both networks at initialisation, one full-batch backward",
        "activation statistics": "both networks after training, on the training points",
    }
    files["report"] = viz.report(
        out / "report.html", model=pair0, graph=losses0, record=record0, history=histories,
        activations=viz.record_activations(Pair(trained["sigmoid"], trained["relu"]), Tensor(X)),
        update_ratios=ratios, summary=summary, findings=results["verdicts"],
        title=f"Deep XOR: sigmoid vs ReLU through {cfg['depth']} hidden layers")
    results["files"] = {k: str(v) for k, v in files.items()}
    save_json(results, out / "results.json")
    print(f"\nreport: {files['report']}")
    if tensorboard:
        print(f"TensorBoard logs: {tensorboard} (open: tensorboard --logdir {tensorboard})")
    return results


def _grad_ratio(model, X, y):
    """|grad W_in| / |grad W_out| after one full-batch backward at initialisation."""
    model.zero_grad()
    nn.BCEWithLogitsLoss()(model(Tensor(X)), Tensor(_targets(y))).backward()
    norms = [float(np.linalg.norm(p.grad.data)) for _, p in weights(model)]
    return norms[0] / norms[-1] if norms[-1] > 0 else float("nan")


def over_seeds(seeds, smoke=False, out=None):
    """The demo's two claims over seeds (no report): training figures and gradient ratios.

    Each seed draws its own data, initial weights and batches; both networks are trained
    as in ``main`` (optim.fit, the same config), without the diagnostics and the report.
    Returns examples._claims.Claim records (for ``python -m examples.lecture``).

    Example:
        >>> [c.verdict.status for c in over_seeds([0, 1, 2])]
        ['holds', 'holds']
    """
    from ._claims import Claim
    from ._plots import figure, save, strip
    from ._verdict import verdict

    cfg = CONFIGS["smoke" if smoke else "full"]
    res = {a: {"train_loss": [], "train_accuracy": [], "test_accuracy": [], "xor_points": [],
               "grad_ratio_init": []} for a in ACTIVATIONS}
    for seed in seeds:
        X, y = nn.data.xor(cfg["n_train"], noise=0.0, seed=seed)
        Xte, yte = nn.data.xor(cfg["n_test"], noise=0.0, seed=seed + 1)
        for name, act in ACTIVATIONS.items():
            model = build_model(act, cfg["depth"], cfg["width"], seed)
            res[name]["grad_ratio_init"].append(_grad_ratio(model, X, y))
            loader = nn.data.DataLoader(nn.data.TensorDataset(X, _targets(y)),
                                        batch_size=cfg["batch_size"], shuffle=True)
            optim.fit(model, loader, loss_fn=nn.BCEWithLogitsLoss(), epochs=cfg["epochs"],
                      optimizer=optim.SGD(model.parameters(), lr=cfg["lr"],
                                          momentum=cfg["momentum"]), seed=seed, progress=False)
            loss, acc = evaluate(model, X, y)
            res[name]["train_loss"].append(loss)
            res[name]["train_accuracy"].append(acc)
            res[name]["test_accuracy"].append(evaluate(model, Xte, yte)[1])
            res[name]["xor_points"].append(int(np.sum(predictions(model, XOR_POINTS)
                                                      == XOR_LABELS)))
    fig = figure(10, 3.8)
    ax1, ax2 = fig.subplots(1, 2)
    strip(ax1, {f"{a}, {split}": res[a][f"{split}_accuracy"] for a in ACTIVATIONS
                for split in ("train", "test")}, ylabel="accuracy")
    ax1.axhline(0.5, color="#999999", linestyle=":")
    ax1.set_title(f"XOR through {cfg['depth']} hidden layers", fontsize=9)
    strip(ax2, {a: res[a]["grad_ratio_init"] for a in ACTIVATIONS}, log=True,
          ylabel="|grad W_in| / |grad W_out| at init")
    plot = save(fig, out, "deep_xor_seeds.png")
    setup = (f"XOR: {cfg['n_train']} training / {cfg['n_test']} test points uniform in "
             f"[-1, 1]^2 (drawn from the seed); 2 -> {cfg['depth']} x {cfg['width']} -> 1, "
             "Xavier-uniform weights (Keras' default, the lecture's framework), zero biases; "
             f"SGD lr {cfg['lr']} momentum {cfg['momentum']}, batches of {cfg['batch_size']}, "
             f"{cfg['epochs']} epochs; only the activation differs")
    figures = {f"{a}: {k.replace('_', ' ')}": v for a in ACTIVATIONS for k, v in res[a].items()}
    source = ("the 'Let's go deep' lecture (deep XOR); CS231n lecture 6 (2017): sigmoid, "
              "'saturated neurons kill the gradients'")
    return [
        Claim("deep-sigmoid-xor", "Activation functions", "With nine sigmoid hidden layers "
              "the network does not learn XOR (the loss stays at ln 2, the accuracy at "
              "chance); the same network with ReLU learns it.", source,
              "examples/deep_xor.py: over_seeds()", setup,
              {k: v for k, v in figures.items() if "grad" not in k},
              verdict(res["relu"]["train_accuracy"], res["sigmoid"]["train_accuracy"],
                      labels=("ReLU training accuracy", "sigmoid")),
              f"training accuracy on the {cfg['n_train']} points, ReLU against sigmoid (the "
              f"sigmoid's loss against ln 2 = {math.log(2):.4f} is in the figures)", plot),
        Claim("sigmoid-vanishing-gradient", "Activation functions", "Sigmoids kill the "
              "gradient: at most 1/4 per layer, it vanishes on its way back to the input.",
              source, "examples/deep_xor.py: over_seeds()", setup,
              {k: v for k, v in figures.items() if "grad" in k},
              verdict(res["relu"]["grad_ratio_init"], res["sigmoid"]["grad_ratio_init"],
                      log=True, labels=("ReLU", "sigmoid")),
              "the input layer's weight-gradient norm over the output layer's at "
              "initialisation (one full-batch backward), ReLU against sigmoid, log scale",
              plot)]


EXPERIMENTS = [over_seeds]

if __name__ == "__main__":
    cli(main, __doc__, "deep_xor", tensorboard=True)
