"""Every lecture claim at its smoke size, through the one entry point users run.

``python -m examples.lecture --smoke`` runs once (in its own process, as a user runs it:
OPENBLAS_NUM_THREADS=1 is set before NumPy loads, two worker processes) over seeds 0-2 (a
few cheap experiments run more); the tests read its results.json (every seed's figures)
and its page. ``CHAINRULE_LECTURE_RUN=<dir>`` reuses the run already in that directory.

Each claim's test asserts only the direction that held with a clear margin on every seed
and BLAS kernel measured: the smoke run over seeds 0-8 (three runs, ``--seed 0 / 3 / 6``)
and over seeds 0-5 with OPENBLAS_CORETYPE=Haswell, Sandybridge and Prescott (this
machine's own kernel is Haswell). The measured ranges are in the comments; where a claim's
direction is not robust at the smoke size (the verdict there is "unclear"), the test
checks what is structural (exact figures, the verdict rule) and leaves the direction to
the full-size run in examples/README.md.
"""
import html.parser
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
STATUSES = ("holds", "does not hold", "unclear")


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    """(results, run directory, stdout) of the smoke run."""
    reuse = os.environ.get("CHAINRULE_LECTURE_RUN")
    if reuse:
        out = Path(reuse)
        return json.loads((out / "results.json").read_text(encoding="utf-8")), out, None
    out = tmp_path_factory.mktemp("lecture")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "examples.lecture", "--smoke", "--out",
                           str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    assert proc.returncode == 0, f"examples.lecture --smoke failed:\n{proc.stderr[-4000:]}"
    return json.loads((out / "results.json").read_text(encoding="utf-8")), out, proc.stdout


def claim(lecture, key):
    found = [c for c in lecture[0]["claims"] if c["key"] == key]
    assert len(found) == 1, key
    return found[0]


def recomputed(c, larger, smaller, **kwargs):
    """The claim's verdict recomputed from two of its own figures (labels' starts)."""
    from examples._verdict import verdict
    return verdict(fig(c, larger), fig(c, smaller), **kwargs)


def assert_verdict_from_figures(c, larger, smaller, **kwargs):
    """The verdict compares exactly the figures the claim reports: same status, effect, noise."""
    v, r = c["verdict"], recomputed(c, larger, smaller, **kwargs)
    assert v["status"] == r.status, (c["key"], v, r)
    for mine, theirs in ((v["effect"], r.effect), (v["noise"], r.noise)):
        assert mine == pytest.approx(theirs, abs=1e-12) if mine is not None \
            else not math.isfinite(theirs), (c["key"], v, r)


def fig(c, start):
    """The per-seed values of the one figure whose label starts with ``start`` (None -> inf)."""
    found = [v for k, v in c["figures"].items() if k.startswith(start)]
    assert len(found) == 1, (start, list(c["figures"]))
    value = found[0]
    return value if isinstance(value, str) else [math.inf if v is None else v for v in value]


# -- the page -----------------------------------------------------------------------------

class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.images, self.external, self.statuses = [], 0, [], []
        self._in_status = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("id"):
            self.rows.append(attrs["id"])
        if tag == "img" and (attrs.get("src") or "").startswith("data:image/png;base64,"):
            self.images += 1
        for key in ("src", "href"):
            if (attrs.get(key) or "").startswith(("http:", "https:", "//")):
                self.external.append(attrs[key])
        self._in_status = tag == "span" and "status" in (attrs.get("class") or "")

    def handle_data(self, data):
        if self._in_status and self.rows:
            self.statuses.append(data)
        self._in_status = False


def test_one_self_contained_page_with_a_row_per_claim(lecture):
    results, out, stdout = lecture
    keys = [c["key"] for c in results["claims"]]
    assert len(keys) == len(set(keys)) >= 40
    page = _Page()
    page.feed((out / "lecture.html").read_text(encoding="utf-8"))
    assert page.rows == keys                                  # the page's order is the JSON's
    assert page.external == []
    assert all(c["plot"] for c in results["claims"]), [c["key"] for c in results["claims"]
                                                       if not c["plot"]]
    assert page.images == len(keys)                            # a plot for every claim
    assert page.statuses[-len(keys):] == [c["verdict"]["status"] for c in results["claims"]]
    assert set(page.statuses) <= set(STATUSES)
    for c in results["claims"]:
        assert c["words"] and c["source"] and c["setup"] and c["experiment"].startswith(
            "examples/"), c["key"]
        assert (out / Path(c["plot"]).name).is_file(), c["key"]
    timing = results["timing"]
    assert timing["wall"] > 0 and timing["cpu"] > 0 and timing["jobs"] == 2
    assert len(timing["experiments"]) == 15
    if stdout is not None:
        assert f"{len(keys)} claims:" in stdout and "s CPU" in stdout


def test_every_experiment_runs_over_at_least_three_seeds(lecture):
    results = lecture[0]
    assert len(results["seeds"]) == 3
    for c in results["claims"]:
        per_seed = [v for v in c["figures"].values() if isinstance(v, list)]
        assert per_seed, c["key"]
        assert all(len(v) >= 3 for v in per_seed), c["key"]


def test_each_verdict_follows_the_rule_from_the_numbers_it_printed(lecture):
    for c in lecture[0]["claims"]:
        v = c["verdict"]
        assert v["text"].startswith(v["status"] + ":"), c["key"]
        effect, noise = v["effect"], v["noise"]
        if effect is None or noise is None:           # an infinite figure
            continue
        expected = ("holds" if effect > noise else "does not hold" if -effect > noise
                    else "unclear")
        assert v["status"] == expected, (c["key"], v)


def test_every_claim_is_in_the_readme_with_its_experiment(lecture):
    readme = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    for c in lecture[0]["claims"]:
        row = next((line for line in readme.splitlines() if f"`{c['key']}`" in line), None)
        assert row is not None, f"{c['key']} is not in examples/README.md"
        file, _, function = c["experiment"].partition(": ")
        assert Path(file).name in row and function in row, (c["key"], row)
        assert re.search(r"\*\*(holds|does not hold|unclear)\*\*", row), row


def test_write_readme_puts_each_claim_and_the_run_time_in_the_readme(lecture, tmp_path):
    from examples.lecture import write_readme
    readme = tmp_path / "README.md"
    readme.write_text("# t\n\n<!-- runtime -->\nSTALE time.\n\n## Claims\n\n<!-- claims -->\n"
                      "STALE table\n\n## Other examples\n\nkept\n", encoding="utf-8")
    write_readme(readme, lecture[0])
    text = readme.read_text(encoding="utf-8")
    claims = lecture[0]["claims"]
    assert "STALE" not in text and text.endswith("## Other examples\n\nkept\n")
    assert f"{len(claims)} claims: " in text and "s wall-clock" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == len(claims)
    for row, c in zip(rows, claims):
        assert row.startswith(f"| `{c['key']}`: ") and f"**{c['verdict']['status']}**" in row
        assert row.count(" | ") == 3                 # every | inside a cell is escaped


# -- activation functions -------------------------------------------------------------------

def test_sigmoid_fed_units_get_one_sign_weight_gradients_per_example(lecture):
    c = claim(lecture, "sigmoid-gradient-signs")
    # exact: every component is (upstream gradient) x (a sigmoid output > 0); tanh outputs
    # have both signs. Measured on every run: 1.0 and 0.0.
    assert fig(c, "sigmoid-fed units with one-sign gradient row, one example") == [1.0] * 3
    assert all(v < 0.05 for v in fig(c, "tanh-fed units, one example"))
    # averaging a mini-batch mixes the examples' signs: sigmoid 0.18-0.62, tanh 0.0
    sig, tanh = fig(c, "sigmoid-fed units, mini-batch"), fig(c, "tanh-fed units, mini-batch")
    assert all(s > t for s, t in zip(sig, tanh)) and all(s < 1 for s in sig)
    assert c["verdict"]["status"] == "holds"


def test_sigmoid_outputs_make_the_updates_zig_zag(lecture):
    c = claim(lecture, "sigmoid-zig-zag")
    assert fig(c, "sigmoid outputs: updates with both components of one sign") == [1.0] * 3
    # zero-centred inputs: 0.39-0.56 of the updates have one sign
    assert all(v < 0.75 for v in fig(c, "zero-centred (tanh(z/2)): updates with both"))
    # path length / distance covered: sigmoid outputs 2.98-3.34, zero-centred 1.18-1.37;
    # steps at lr 0.2: 345-473 vs 77-113
    zig, flat = fig(c, "sigmoid outputs: zig-zag"), fig(c, "zero-centred (tanh(z/2)): zig-zag")
    assert min(zig) > 2.4 and max(flat) < 1.7
    assert all(a > 2 * b for a, b in zip(fig(c, "sigmoid outputs: steps to"),
                                         fig(c, "zero-centred (tanh(z/2)): steps to")))
    assert c["verdict"]["status"] == "holds"


def test_sigmoid_trains_slower_than_tanh_and_relu_is_not_6x_faster_than_tanh(lecture):
    slowest, tanh_claim = claim(lecture, "sigmoid-slowest"), claim(lecture, "tanh-beats-sigmoid")
    sig, tanh = fig(slowest, "sigmoid: steps to 90% (best lr)"), fig(slowest, "tanh: steps to 90%"
                                                                           " (best lr)")
    # steps to 90 % training accuracy at smoke size: sigmoid 36-46, tanh 22-28, per seed
    # sigmoid / tanh >= 1.4 on every seed and kernel
    assert all(s > 1.2 * t for s, t in zip(sig, tanh))
    assert tanh_claim["verdict"]["status"] == "holds"
    six = claim(lecture, "relu-6x")
    # the claim's target is 75 % (Krizhevsky et al.'s 25 % training error): tanh / ReLU
    # steps to 75 % per seed 0.71-1.0, nowhere near 6 (at 90 %: 0.52-1.2). (Smoke size has
    # one lr, so the best lr for 75 % is the figures' best lr.)
    t75, r75 = fig(six, "tanh: steps to 75% (best lr)"), fig(six, "relu: steps to 75% (best lr)")
    assert fig(six, "tanh / ReLU steps to 75%") == pytest.approx([t / r for t, r in zip(t75, r75)])
    assert all(r < 3 for r in fig(six, "tanh / ReLU steps to 75%"))
    assert six["verdict"]["text"].startswith("does not hold: tanh / ReLU steps to 75% ")


def test_relu_is_not_much_faster_than_tanh_at_smoke_size(lecture):
    c = claim(lecture, "relu-faster")
    # steps to 90 % at each one's best lr: tanh 22-28, ReLU 20-46; ReLU is not faster on
    # every seed (tanh / ReLU 0.52-1.2), so no direction is asserted: the verdict ("unclear"
    # on every run) must be the rule applied to these two figures
    tanh, relu = fig(c, "tanh: steps to 90% (best lr)"), fig(c, "relu: steps to 90% (best lr)")
    assert all(math.isfinite(v) for v in tanh + relu)             # all reach 90 % in budget
    assert all(t < 1.5 * r for t, r in zip(tanh, relu))           # ReLU never much faster
    assert_verdict_from_figures(c, "tanh: steps to 90% (best lr)",
                                "relu: steps to 90% (best lr)", log=True, budget=400)


def test_dead_relus_died_during_training_at_the_high_lr(lecture):
    c = claim(lecture, "dead-relu-high-lr")
    # no unit is dead before the first step on MNIST (He init, bias 0); after 80 steps of
    # plain SGD: at lr 0.1 none died, at lr 1 0.23-0.42 of the units did
    assert fig(c, "ReLU, bias 0, lr 1: dead before training") == [0.0] * 3
    assert fig(c, "ReLU, bias 0, lr 0.1: died during training") == [0.0] * 3
    assert all(v > 0.1 for v in fig(c, "ReLU, bias 0, lr 1: died during training"))
    assert c["verdict"]["status"] == "holds"
    bias = claim(lecture, "dead-relu-bias")
    # a bias of 0.01 keeps every unit active at the start, as bias 0 does here (He init on
    # standardized pixels: no unit is dead before training either way), and it does not stop
    # units dying at lr 1: 0.14-0.44 died (bias 0: 0.22-0.47); none at lr 0.1. Which dies
    # more is within the noise (the verdict: unclear on every run)
    for b in ("0", "0.01"):
        assert fig(bias, f"ReLU, bias {b}, lr 1: dead before training") == [0.0] * 3
        assert fig(bias, f"ReLU, bias {b}, lr 0.1: died during training") == [0.0] * 3
    assert all(v > 0.1 for v in fig(bias, "ReLU, bias 0.01, lr 1: died during training"))
    # the verdict compares the units dead after training, here the ones that died
    assert_verdict_from_figures(bias, "ReLU, bias 0, lr 1: died", "ReLU, bias 0.01, lr 1: died")


def test_leaky_relu_units_keep_a_gradient_where_relus_die(lecture):
    c = claim(lecture, "leaky-relu-no-death")
    # exact: the negative side's slope 0.01 passes a gradient; ReLU 0.23-0.42 at lr 1. (ELU's
    # gradient alpha exp(x) underflows to 0 in float32 on runs that blew up: 0-1.0.)
    assert fig(c, "Leaky ReLU, lr 1: zero-gradient units") == [0.0] * 3
    assert all(v > 0.1 for v in fig(c, "ReLU, bias 0, lr 1: zero-gradient units"))


def test_maxout_doubles_the_parameters_per_neuron(lecture):
    c = claim(lecture, "maxout-params")
    assert fig(c, "parameters, Maxout MLP") == [2 * (785 * 100 + 101 * 100) + 1010] * 3
    assert fig(c, "parameters, ReLU MLP") == [785 * 100 + 101 * 100 + 1010] * 3
    assert fig(c, "ratio") == [2.0] * 3 and c["verdict"]["status"] == "holds"


def test_nine_sigmoid_layers_do_not_learn_xor_and_their_gradient_vanishes(lecture):
    c = claim(lecture, "deep-sigmoid-xor")
    # smoke size (60 epochs): sigmoid training accuracy 0.48-0.56 with loss within 0.003 of
    # ln 2; ReLU 0.71-1.0
    assert all(abs(v - math.log(2)) < 0.01 for v in fig(c, "sigmoid: train loss"))
    sig, relu = fig(c, "sigmoid: train accuracy"), fig(c, "relu: train accuracy")
    assert max(sig) < 0.6 and all(r > s + 0.1 for r, s in zip(relu, sig))
    g = claim(lecture, "sigmoid-vanishing-gradient")
    # |grad W_in| / |grad W_out| at init: sigmoid 1.5e-7-1.4e-6, ReLU 0.72-4.4
    assert max(fig(g, "sigmoid: grad ratio")) < 1e-4 and min(fig(g, "relu: grad ratio")) > 1e-2
    assert g["verdict"]["status"] == "holds"


# -- weight initialization and batch norm ------------------------------------------------------

def test_the_lecture_inits_forward(lecture):
    # the forward statistics barely depend on the seed (10 layers of 200 units, 300 inputs)
    for key in ("init-small-collapses", "init-large-saturates", "init-xavier-tanh",
                "init-xavier-relu-breaks", "init-he-relu", "init-bn-forward"):
        assert claim(lecture, key)["verdict"]["status"] == "holds", key
    small = claim(lecture, "init-small-collapses")
    assert max(fig(small, "tanh, N(0, 0.01²): std at layer 10")) < 1e-3 * min(
        fig(small, "tanh, Xavier: std at layer 10"))
    assert min(fig(claim(lecture, "init-large-saturates"),
                   "tanh, N(0, 1): saturated at layer 10")) > 0.6
    ratio = fig(claim(lecture, "init-xavier-relu-breaks"), "relu, Xavier: std layer 10")
    assert max(ratio) < 0.2


def test_batch_norm_trains_from_a_bad_initialization(lecture):
    c = claim(lecture, "bn-bad-init")
    # 1 epoch, lr 0.1: with BN std 1 0.51-0.59, std 0.01 0.29-0.61; without 0.19-0.22 and
    # 0.10 (chance); per seed BN wins by >= 0.18
    for init in ("std 1", "std 0.01"):
        with_bn, without = fig(c, f"BN, {init}, lr 0.1"), fig(c, f"no BN, {init}, lr 0.1")
        assert all(b > w + 0.1 for b, w in zip(with_bn, without)), init


def test_batch_norm_trains_at_the_high_lr_from_every_initialization(lecture):
    c = claim(lecture, "bn-high-lr")
    # lr 1, 1 epoch: with BN std 1 0.73-0.79, std 0.01 0.36-0.65, default 0.58-0.79;
    # without BN 0.22-0.37, 0.10 (chance), 0.44-0.74 (per seed BN wins by >= 0.37 and 0.26
    # with the bad inits). With the default init both train at smoke size (the verdict's
    # comparison: unclear or holds here, holds at full size), so the test asserts the bad
    # initializations' margin and that the verdict is the rule on its figures
    for init in ("std 1", "std 0.01", "default"):
        assert all(v > 0.3 for v in fig(c, f"BN, {init}, lr 1")), init
    for init in ("std 1", "std 0.01"):
        with_bn, without = fig(c, f"BN, {init}, lr 1"), fig(c, f"no BN, {init}, lr 1")
        assert all(b > w + 0.2 for b, w in zip(with_bn, without)), init
    assert_verdict_from_figures(c, "BN, default, lr 1", "no BN, default, lr 1")


# -- sanity checks ------------------------------------------------------------------------------

def test_the_initial_loss_is_ln_10_and_regularization_raises_it(lecture):
    c = claim(lecture, "initial-loss-ln-c")
    # weights N(0, 1e-4^2): the logits are ~1e-4, the loss ln 10 to 1e-6
    assert all(abs(v - math.log(10)) < 1e-3 for v in fig(c, "initial loss, std=0.0001"))
    assert c["verdict"]["status"] == "holds"
    rise = claim(lecture, "initial-loss-reg-rise")
    low, high = fig(rise, "rise with lambda = 1, std"), fig(rise, "rise with lambda = 1000, std")
    # the penalty 0.5 lambda ||W||^2 is linear in lambda: 1000x the rise, to float precision
    assert all(h == pytest.approx(1000 * lo, rel=1e-3) and h > 0.1 for lo, h in zip(low, high))


def test_a_small_sample_is_overfit(lecture):
    c = claim(lecture, "overfit-small-sample")
    # 20 images: 100 % after 2-3 steps on every seed; loss after 100 steps 0.0037-0.0042
    steps = fig(c, "steps to 100 % training accuracy")
    assert all(v <= 10 for v in steps) and c["verdict"]["status"] == "holds"
    assert c["verdict"]["text"].startswith("holds: the budget 100 vs steps to 100 % ")
    assert all(v < 0.05 for v in fig(c, "loss after"))
    assert fig(c, "training accuracy after") == [1.0] * 3
    # check_overfit_small also waits for a loss <= 10 % of the initial one (3-5 steps): its
    # count is that figure's, from the same trajectory (a copy of the same model)
    check_steps = fig(c, "steps check_overfit_small ran")
    assert fig(c, "steps to 100 % and loss <= 10 %") == check_steps
    assert all(b >= a for a, b in zip(steps, check_steps))
    text = fig(c, "optim.check_overfit_small")
    assert text.startswith("ok:") and text.endswith(f"in {check_steps[0]} steps")


def test_the_784_15_10_mlp_has_11935_parameters(lecture):
    c = claim(lecture, "mlp-784-15-10-parameters")
    assert fig(c, "parameters (library)") == [11935] * 3
    assert fig(c, "state_dict entries") == [11935] * 3 and c["verdict"]["status"] == "holds"


# -- optimizers, schedules, regularization, search ----------------------------------------------

def test_sgd_jitters_on_the_ill_conditioned_quadratic_and_momentum_is_faster(lecture):
    # the 2-D surfaces run in float64 on two-element arrays (no BLAS): the same everywhere
    c = claim(lecture, "sgd-jitter")
    assert fig(c, "SGD, best lr: steps where the steep") == [1.0] * 3
    assert fig(c, "... where the shallow") == [0.0] * 3
    m = claim(lecture, "momentum-quadratic")
    # best lr each: SGD 138-144 steps, Momentum 79
    assert all(s > 1.3 * v for s, v in zip(fig(m, "SGD: steps, best lr"),
                                           fig(m, "Momentum: steps, best lr")))
    assert m["verdict"]["status"] == "holds"


def test_adagrad_scales_the_axes_of_the_quadratic_not_a_rotated_one(lecture):
    c = claim(lecture, "adagrad-axes")
    # float64, two-element arrays (no BLAS): the same on every machine. SGD's update is
    # rotation-invariant: the same steps on both surfaces (133-146). Adagrad's per-coordinate
    # scaling fits the axes: it reaches f < 1e-3 on the axis-aligned surface (117-291 at
    # smoke size's coarse lr grid; 23-32 at full size) and never within the 300 steps on the
    # rotated one. The verdict (unclear at smoke size) is the rule on the best-lr figures
    assert fig(c, "SGD: steps, rotated, best lr") == fig(c, "SGD: steps, best lr")
    assert all(math.isfinite(v) for v in fig(c, "Adagrad: steps, best lr"))
    assert fig(c, "Adagrad: steps, rotated, best lr") == [math.inf] * 3
    assert_verdict_from_figures(c, "SGD: steps, best lr", "Adagrad: steps, best lr", log=True,
                                budget=300)


def test_momentum_nesterov_and_adam_on_mnist(lecture):
    m = claim(lecture, "momentum-mnist")
    # steps to 90 %, budget 200. At the common lr 0.01 SGD never gets there, Momentum takes
    # 50-66 steps; at each one's best lr SGD 33-55 vs Momentum 26-36 (per seed SGD is
    # never faster, but the spread is as large as the effect: the verdict is the rule on them)
    assert fig(m, "SGD: steps, lr 0.01") == [math.inf] * 3
    assert all(math.isfinite(v) for v in fig(m, "Momentum: steps, lr 0.01"))
    assert_verdict_from_figures(m, "SGD: steps, best lr", "Momentum: steps, best lr",
                                log=True, budget=200)
    n = claim(lecture, "nesterov-vs-momentum")
    # both at lr 0.03 (best) and 0.01 from the same start: Nesterov 22-33 vs Momentum
    # 26-36, and 46-60 vs 50-66; never slower on a seed, faster by less than the spread
    for lr in ("best lr", "lr 0.01"):
        assert all(a <= b for a, b in zip(fig(n, f"Nesterov: steps, {lr}"),
                                          fig(n, f"Momentum: steps, {lr}"))), lr
    assert_verdict_from_figures(n, "Momentum: steps, best lr", "Nesterov: steps, best lr",
                                log=True, budget=200)
    a = claim(lecture, "adam-default")
    # Adam at its default 1e-3 takes 3.9-5.5 x the steps of the fastest tuned optimizer
    ratio = fig(a, "Adam at 1e-3 /")
    assert all(r > 2.5 for r in ratio) and a["verdict"]["status"] == "does not hold"


def test_adagrad_step_decays_and_rmsprop_does_not(lecture):
    c = claim(lecture, "adagrad-step-decays")
    first, last = fig(c, "Adagrad: after epoch 1"), fig(c, "Adagrad: after epoch 3")
    # the effective step only shrinks (the sum of squared gradients only grows): epoch 3 /
    # epoch 1 0.72-0.75
    assert all(b < 0.9 * a for a, b in zip(first, last))
    rms = claim(lecture, "rmsprop-no-decay")
    # RMSprop's epoch-3 / epoch-1 ratio 0.9-0.95 against Adagrad's 0.72-0.75
    assert all(r > a for r, a in zip(fig(rms, "RMSprop: epoch-end ratio"),
                                     fig(c, "Adagrad: epoch-end ratio")))
    assert c["verdict"]["status"] == rms["verdict"]["status"] == "holds"


def test_decaying_a_high_lr_ends_at_a_lower_training_loss(lecture):
    c = claim(lecture, "lr-decay")
    const = fig(c, "constant, 8 epochs: training loss")
    assert len(const) == 7                          # cheap: seven seeds
    # MNIST-5k, final training loss after 8 epochs at base lr 0.1: constant 0.49-2.4, step
    # 0.026-0.040, 1/t 0.013-0.019 (within a run, the lowest constant run above the highest
    # decayed one by >= 12x)
    for name in ("step", "inverse_time"):
        assert min(const) > 5 * max(fig(c, f"{name}, 8 epochs: training loss")), name
    assert c["verdict"]["status"] == "holds"


def test_a_small_training_set_is_overfit_and_l1_gives_sparse_weights(lecture):
    c = claim(lecture, "overfitting")
    # 300 training images: training accuracy 1.0, validation 0.79-0.85
    assert all(t > v + 0.08 for t, v in zip(fig(c, "none: training accuracy"),
                                            fig(c, "none: validation accuracy")))
    s = claim(lecture, "l1-sparse")
    # |w| < 1e-3: L1 0.17-0.18, L2 and none 0.017-0.019
    l1 = fig(s, "L1")
    others = [max(a, b) for a, b in zip(fig(s, "L2"), fig(s, "none"))]
    assert all(a > 3 * b for a, b in zip(l1, others)) and s["verdict"]["status"] == "holds"


def test_each_regularizer_is_judged_on_its_own_gap(lecture):
    # At smoke size (300 training images, 12 epochs) no regularizer's gap is robustly
    # smaller than none's (gaps: none 0.15-0.21, dropout 0.15-0.21, L2 0.15-0.20, L1
    # 0.15-0.20, early stopping 0.15-0.21; every verdict unclear); the direction is left to
    # the full run. What is structural: the runs fit their training set (none: 1.0; the
    # regularized ones 0.99-1.0), each gap is training - validation accuracy, and
    # each verdict is the rule on the two gaps it prints
    none = claim(lecture, "reg-dropout")
    for key in ("reg-dropout", "reg-l2", "reg-l1", "reg-early-stopping"):
        c = claim(lecture, key)
        method = next(k for k in c["figures"] if not k.startswith("none")).split(":")[0]
        for tag in ("none", method):
            train, val = fig(c, f"{tag}: training accuracy"), fig(c, f"{tag}: validation acc")
            assert all(t > 0.95 for t in train) and (tag != "none" or train == [1.0] * 3)
            assert fig(c, f"{tag}: gap") == pytest.approx([t - v for t, v in zip(train, val)])
        assert_verdict_from_figures(c, "none: gap", f"{method}: gap")
        assert fig(c, "none: gap") == fig(none, "none: gap")      # one baseline for all
    # early stopping follows the unregularized run's trajectory (same start and batches) and
    # keeps its best epoch: never a lower validation accuracy than the full run's last epoch
    es = claim(lecture, "reg-early-stopping")
    assert all(e >= n for e, n in zip(fig(es, "early_stopping: validation accuracy"),
                                       fig(es, "none: validation accuracy")))
    assert all(1 <= e <= 12 for e in fig(es, "early_stopping: epochs trained"))


def test_random_search_beats_both_grids_on_the_cheap_objective(lecture):
    endpoint, centred = (claim(lecture, k) for k in ("random-vs-endpoint-grid",
                                                      "random-vs-centred-grid"))
    for c, grid in ((endpoint, "endpoint grid"), (centred, "centred grid")):
        assert fig(c, f"{grid}: distinct lr values tried") == "4"           # 4 x 4 = 16
        assert fig(c, "random: distinct lr values tried") == "16"
        # plain Python arithmetic and random draws (no BLAS: the same on every machine):
        # regret averaged over the 21 bump positions, random 0.097-0.211 per search seed
        # over seeds 0-11, endpoint grid 0.433, centred grid 0.350
        regret = fig(c, f"cheap objective, {grid}")
        assert len(set(regret)) == 1                       # a grid does not depend on the seed
        assert max(fig(c, "cheap objective, random")) < regret[0] - 0.1
        assert_verdict_from_figures(c, "real model, random", f"real model, {grid}")
    # the grids share no lr value, so on the real model they are two comparisons, not one:
    # their best validation accuracies differ (smoke size, per seed: endpoint 0.870-0.897,
    # centred 0.877-0.898, random 0.862-0.897; the verdicts: unclear)
    setup = endpoint["setup"]
    lrs = [set(re.search(rf"{g} grid lr \[([^\]]*)\]", setup).group(1).split(", "))
           for g in ("endpoint", "centred")]
    assert len(lrs[0]) == len(lrs[1]) == 4 and not lrs[0] & lrs[1]
    assert fig(endpoint, "real model, endpoint grid") != fig(centred, "real model, centred grid")
