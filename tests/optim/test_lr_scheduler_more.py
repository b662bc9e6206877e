"""LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, OneCycleLR,
and compositions with SequentialLR/ChainedScheduler: lr (and momentum) sequences equal to torch's,
get_last_lr, state_dict round trips, step(epoch), resuming with last_epoch, errors."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import optim
from autograd import Tensor
from optim import lr_scheduler as ls

STEPS = 60


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def make_opt(lib, cls="SGD", **kwargs):
    """An optimizer with two groups (lr 0.1 and 0.05) on tiny parameters."""
    if lib is optim:
        a, b = (Tensor(np.zeros(2), requires_grad=True) for _ in range(2))
    else:
        a, b = (lib.zeros(2, requires_grad=True) for _ in range(2))
    kwargs.setdefault("lr", 0.1)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    return getattr(lib if lib is optim else lib.optim, cls)(groups, **kwargs)


def run(opt, sched, steps=STEPS, keys=("lr",), epochs=None):
    """Per step: every group's values for ``keys`` and the scheduler's get_last_lr()."""
    def snapshot():
        values = []
        for g in opt.param_groups:
            for k in keys:
                values.append(g[k][0] if k == "betas" else g[k])
        return values, list(sched.get_last_lr())
    seq = [snapshot()]
    for i in range(steps):
        opt.step()
        if epochs is None:
            sched.step()
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                sched.step(epochs[i])
        seq.append(snapshot())
    return seq


def both(torch, build, cls="SGD", opt_kwargs=None, **run_kwargs):
    out = []
    for lib, mod in ((optim, ls), (torch, torch.optim.lr_scheduler)):
        opt = make_opt(lib, cls, **(opt_kwargs or {}))
        out.append(run(opt, build(mod, opt), **run_kwargs))
    return out


def assert_same(mine, ref, rtol=1e-13):
    assert len(mine) == len(ref)
    for i, (m, r) in enumerate(zip(mine, ref)):
        np.testing.assert_allclose(m[0], r[0], rtol=rtol, atol=1e-17, err_msg=f"step {i}")
        np.testing.assert_allclose(m[1], r[1], rtol=rtol, atol=1e-17, err_msg=f"step {i}")


class Warmup:
    """A callable object: its attributes are saved in state_dict (functions are not)."""

    def __init__(self, n):
        self.n = n

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.n)


SCHEDULES = {
    "lambda": lambda m, o: m.LambdaLR(o, lr_lambda=lambda e: 0.97 ** e * (1 + 0.5 * (e % 3))),
    "lambda-per-group": lambda m, o: m.LambdaLR(o, [lambda e: 1 / (1 + e), Warmup(7)]),
    "multiplicative": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9 if e % 4 else 1.05),
    "multiplicative-per-group": lambda m, o: m.MultiplicativeLR(
        o, [lambda e: 0.95, lambda e: 1.0 - 0.01 * (e % 5)]),
    "constant": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=7),
    "constant-default": lambda m, o: m.ConstantLR(o),
    "polynomial": lambda m, o: m.PolynomialLR(o, total_iters=40, power=2.0),
    "polynomial-linear": lambda m, o: m.PolynomialLR(o, total_iters=25),
    "polynomial-sqrt": lambda m, o: m.PolynomialLR(o, total_iters=33, power=0.5),
    "warm-restarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7, eta_min=0.001),
    "warm-restarts-mult": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    "one-cycle": lambda m, o: m.OneCycleLR(o, max_lr=0.5, total_steps=STEPS),
    "one-cycle-linear": lambda m, o: m.OneCycleLR(
        o, max_lr=[1.0, 0.3], epochs=6, steps_per_epoch=10, pct_start=0.25,
        anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0),
    "one-cycle-three-phase": lambda m, o: m.OneCycleLR(
        o, max_lr=0.2, total_steps=STEPS + 5, three_phase=True, cycle_momentum=False),
    "sequential-constant-poly": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.1, total_iters=5), m.PolynomialLR(o, total_iters=30)],
        milestones=[5]),
    "sequential-lambda-restarts": lambda m, o: m.SequentialLR(
        o, [m.LambdaLR(o, lambda e: (e + 1) / 8), m.CosineAnnealingWarmRestarts(o, T_0=10),
            m.MultiplicativeLR(o, lambda e: 0.9)], milestones=[8, 40]),
    "sequential-linear-exp": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.2, total_iters=10), m.ExponentialLR(o, gamma=0.95)],
        milestones=[10]),
    "chained-constant-poly": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=10), m.PolynomialLR(o, total_iters=50)]),
    "chained-multiplicative-cosine": lambda m, o: m.ChainedScheduler(
        [m.MultiplicativeLR(o, lambda e: 0.99), m.CosineAnnealingLR(o, T_max=15)], optimizer=o),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_lr_sequence_matches_torch(torch, name):
    mine, ref = both(torch, SCHEDULES[name])
    assert_same(mine, ref)
    assert len({tuple(m[0]) for m in mine}) > 1          # the schedule really moves


@pytest.mark.parametrize("cls,key,kwargs", [
    ("SGD", "momentum", dict(momentum=0.9)),
    ("SGD", "momentum", dict()),                         # torch gives plain SGD momentum too
    ("Adam", "betas", dict()),
    ("NAdam", "betas", dict(betas=(0.8, 0.99))),
])
def test_one_cycle_momentum_cycles_like_torch(torch, cls, key, kwargs):
    def build(m, o):
        return m.OneCycleLR(o, max_lr=[0.3, 0.1], total_steps=STEPS, pct_start=0.4,
                            base_momentum=[0.8, 0.7], max_momentum=0.95, three_phase=True)
    mine, ref = both(torch, build, cls=cls, opt_kwargs=kwargs, keys=("lr", key))
    assert_same(mine, ref)
    momenta = [m[0][1] for m in mine]
    assert min(momenta) == pytest.approx(0.8) and max(momenta) == pytest.approx(0.95)


def test_one_cycle_reaches_its_bounds():
    opt = make_opt(optim)
    sched = ls.OneCycleLR(opt, max_lr=1.0, total_steps=100, pct_start=0.2, div_factor=20.0,
                          final_div_factor=50.0, cycle_momentum=False)
    lrs = [r[0][0] for r in run(opt, sched, steps=99)]
    assert lrs[0] == pytest.approx(0.05) and max(lrs) == pytest.approx(1.0)
    assert int(np.argmax(lrs)) == 19                      # pct_start * total_steps - 1
    assert lrs[-1] == pytest.approx(0.05 / 50.0)          # at total_steps - 1
    sched.step()                                          # torch allows one more
    with pytest.raises(ValueError, match="total_steps is 100"):
        sched.step()


@pytest.mark.parametrize("T_0,T_mult", [(5, 1), (3, 2), (4, 3)])
def test_warm_restarts_fractional_epochs_match_torch(torch, T_0, T_mult):
    epochs = [e + i / 4 for e in range(15) for i in range(4)]
    mine, ref = both(torch, lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0, T_mult, 1e-3),
                     steps=len(epochs), epochs=epochs)
    assert_same(mine, ref)


def test_warm_restarts_restart_at_the_end_of_each_period():
    opt = make_opt(optim)
    sched = ls.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, eta_min=0.0)
    lrs = [r[0][0] for r in run(opt, sched, steps=30)]
    for restart in (0, 4, 12, 28):                          # periods of 4, 8, 16
        assert lrs[restart] == pytest.approx(0.1)
    assert lrs[2] == pytest.approx(0.05) and lrs[8] == pytest.approx(0.05)
    assert all(a > b for a, b in zip(lrs[4:11], lrs[5:12]))


@pytest.mark.parametrize("name", ["constant", "polynomial", "lambda", "multiplicative",
                                  "cosine"])
def test_step_with_an_epoch_matches_torch_and_warns(torch, name):
    build = dict(SCHEDULES, cosine=lambda m, o: m.CosineAnnealingLR(o, T_max=9))[name]
    epochs = [3, 4, 10, 2, 30, 31, 7, 8, 9, 0, 1, 45]
    mine, ref = both(torch, build, steps=len(epochs), epochs=epochs)
    assert_same(mine, ref, rtol=1e-12)
    with pytest.warns(UserWarning, match="deprecated"):
        build(ls, make_opt(optim)).step(5)


@pytest.mark.parametrize("build", [
    lambda m, o, e: m.ConstantLR(o, factor=0.5, total_iters=8, last_epoch=e),
    lambda m, o, e: m.PolynomialLR(o, total_iters=20, power=1.5, last_epoch=e),
    lambda m, o, e: m.LambdaLR(o, lambda k: 0.9 ** k, last_epoch=e),
    lambda m, o, e: m.MultiplicativeLR(o, lambda k: 0.9, last_epoch=e),
    lambda m, o, e: m.CosineAnnealingLR(o, T_max=12, eta_min=0.01, last_epoch=e),
    lambda m, o, e: m.CosineAnnealingWarmRestarts(o, T_0=6, T_mult=2, last_epoch=e),
    lambda m, o, e: m.LinearLR(o, start_factor=0.25, total_iters=10, last_epoch=e),
])
def test_resuming_with_last_epoch_matches_torch(torch, build):
    out = []
    for lib, mod in ((optim, ls), (torch, torch.optim.lr_scheduler)):
        opt = make_opt(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        out.append(run(opt, build(mod, opt, 4), steps=25))
    assert_same(*out)


@pytest.mark.parametrize("name", ["lambda-per-group", "multiplicative", "constant",
                                  "polynomial", "warm-restarts-mult", "one-cycle",
                                  "sequential-lambda-restarts", "chained-constant-poly"])
def test_state_dict_round_trip_continues_identically(name):
    opt = make_opt(optim)
    sched = SCHEDULES[name](ls, opt)
    for _ in range(13):
        opt.step()
        sched.step()
    opt_sd, sched_sd = opt.state_dict(), sched.state_dict()
    rest = run(opt, sched, steps=25)
    opt2 = make_opt(optim)
    sched2 = SCHEDULES[name](ls, opt2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    assert run(opt2, sched2, steps=25) == rest


def test_lambda_state_dict_saves_callable_objects_not_functions():
    opt = make_opt(optim)
    warm = Warmup(7)
    sched = ls.LambdaLR(opt, [lambda e: 1.0, warm])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [None, {"n": 7}]
    warm.n = 3
    sched.load_state_dict(sd)
    assert warm.n == 7                                    # the object's attributes restored
    sd["lr_lambdas"] = [None]
    with pytest.raises(ValueError, match="2"):
        sched.load_state_dict(sd)


def test_get_last_lr_is_what_the_optimizer_holds():
    opt = make_opt(optim)
    sched = ls.PolynomialLR(opt, total_iters=4, power=1.0)
    seen = []
    for _ in range(6):
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
        seen.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    np.testing.assert_allclose(seen, [0.1, 0.075, 0.05, 0.025, 0.0, 0.0], atol=1e-17)


@given(factor=st.floats(0.05, 1.0), total=st.integers(1, 20), power=st.floats(0.1, 3.0),
       steps=st.integers(0, 40))
def test_chainable_forms_equal_closed_forms(factor, total, power, steps):
    for build in (lambda o: ls.ConstantLR(o, factor=factor, total_iters=total),
                  lambda o: ls.PolynomialLR(o, total_iters=total, power=power)):
        opt = make_opt(optim)
        sched = build(opt)
        for _ in range(steps):
            sched.step()
        np.testing.assert_allclose(sched.get_last_lr(), sched._get_closed_form_lr(),
                                   rtol=1e-9, atol=1e-15)


def test_constant_lr_with_factor_zero_restores_the_lr():
    opt = make_opt(optim)
    lrs = [r[0] for r in run(opt, ls.ConstantLR(opt, factor=0.0, total_iters=3), steps=5)]
    assert lrs[:3] == [[0.0, 0.0]] * 3 and lrs[3:] == [[0.1, 0.05]] * 3


@pytest.mark.parametrize("build,err,match", [
    (lambda o: ls.LambdaLR(o, [lambda e: 1.0]), ValueError, "2 lr_lambdas"),
    (lambda o: ls.LambdaLR(o, 0.5), TypeError, "function"),
    (lambda o: ls.MultiplicativeLR(o, [lambda e: 1.0, "x"]), TypeError, "lr_lambda 1"),
    (lambda o: ls.ConstantLR(o, factor=1.5), ValueError, "factor"),
    (lambda o: ls.ConstantLR(o, total_iters=0), ValueError, "total_iters"),
    (lambda o: ls.PolynomialLR(o, total_iters=-2), ValueError, "total_iters"),
    (lambda o: ls.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
    (lambda o: ls.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=1.5), ValueError, "T_mult"),
    (lambda o: ls.CosineAnnealingWarmRestarts(o, T_0=5).step(-1), ValueError, "non-negative"),
    (lambda o: ls.OneCycleLR(o, max_lr=0.1), ValueError, "total_steps"),
    (lambda o: ls.OneCycleLR(o, max_lr=0.1, epochs=0, steps_per_epoch=3), ValueError,
     "epochs"),
    (lambda o: ls.OneCycleLR(o, 0.1, total_steps=10, pct_start=1), ValueError, "pct_start"),
    (lambda o: ls.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"), ValueError,
     "anneal_strategy"),
    (lambda o: ls.OneCycleLR(o, [0.1], total_steps=10), ValueError, "one value per param"),
    (lambda o: ls.OneCycleLR(optim.Adagrad(o.param_groups[0]["params"]), 0.1,
                             total_steps=10), ValueError, "momentum or betas"),
    (lambda o: ls.LambdaLR("sgd", lambda e: 1.0), TypeError, "Optimizer"),
])
def test_bad_arguments_raise_clear_errors(build, err, match):
    with pytest.raises(err, match=match):
        build(make_opt(optim))


def test_plateau_accepts_torchs_epoch_argument():
    opt = make_opt(optim)
    sched = ls.ReduceLROnPlateau(opt, patience=0)
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(1.0, epoch=10)
    assert sched.last_epoch == 10
    sched.step(2.0)
    assert sched.last_epoch == 11 and math.isclose(opt.param_groups[0]["lr"], 0.01)


def test_a_torch_style_custom_scheduler_runs_unchanged(torch):
    def define(base):
        class WarmupThenDecay(base):
            def __init__(self, optimizer, warmup, gamma, last_epoch=-1):
                self.warmup, self.gamma = warmup, gamma
                super().__init__(optimizer, last_epoch)

            def get_lr(self):
                if self.last_epoch < self.warmup:
                    return [b * (self.last_epoch + 1) / self.warmup for b in self.base_lrs]
                return [b * self.gamma ** (self.last_epoch - self.warmup) for b in self.base_lrs]
        return WarmupThenDecay

    out = []
    for lib, mod in ((optim, ls), (torch, torch.optim.lr_scheduler)):
        for base in (mod.LRScheduler, mod._LRScheduler):
            opt = make_opt(lib)
            out.append(run(opt, define(base)(opt, warmup=5, gamma=0.9), steps=20))
    for seq in out[1:]:
        assert_same(seq, out[0])
