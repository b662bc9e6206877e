"""Learning-rate schedules: sequences equal to torch's, closed forms, state, errors."""
import math

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


def run(opt, sched, steps=STEPS, metrics=None, keys=("lr",)):
    """Per step: every group's values for ``keys`` and the scheduler's get_last_lr()."""
    def snapshot():
        return ([g[k] for g in opt.param_groups for k in keys], list(sched.get_last_lr()))
    seq = [snapshot()]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append(snapshot())
    return seq


def both(torch, build, cls="SGD", opt_kwargs=None, **run_kwargs):
    out = []
    for lib, mod in ((optim, ls), (torch, torch.optim.lr_scheduler)):
        opt = make_opt(lib, cls, **(opt_kwargs or {}))
        out.append(run(opt, build(mod, opt), **run_kwargs))
    return out


SCHEDULES = {
    "step": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "multistep": lambda m, o: m.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "exponential": lambda m, o: m.ExponentialLR(o, gamma=0.93),
    "cosine": lambda m, o: m.CosineAnnealingLR(o, T_max=20, eta_min=0.001),
    "cosine-no-min": lambda m, o: m.CosineAnnealingLR(o, T_max=13),
    "linear-warmup": lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=8),
    "linear-decay": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.2,
                                            total_iters=10),
    "cyclic-triangular": lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.02],
                                                 step_size_up=5, step_size_down=3,
                                                 cycle_momentum=False),
    "cyclic-triangular2": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                                  mode="triangular2", cycle_momentum=False),
    "cyclic-exp_range": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.05],
                                                step_size_up=6, step_size_down=2,
                                                mode="exp_range", gamma=0.97,
                                                cycle_momentum=False),
    "sequential-warmup-cosine": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5),
            m.CosineAnnealingLR(o, T_max=40, eta_min=1e-3)], milestones=[5]),
    "sequential-three": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.25, total_iters=4), m.ExponentialLR(o, gamma=0.9),
            m.StepLR(o, step_size=6, gamma=0.5)], milestones=[6, 25]),
    "chained": lambda m, o: m.ChainedScheduler([m.LinearLR(o, start_factor=0.2, total_iters=6),
                                                m.ExponentialLR(o, gamma=0.95)]),
    "chained-step-cosine": lambda m, o: m.ChainedScheduler(
        [m.StepLR(o, step_size=9, gamma=0.7), m.CosineAnnealingLR(o, T_max=15, eta_min=0.0)]),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_lr_sequence_matches_torch(torch, name):
    mine, ref = both(torch, SCHEDULES[name])
    assert len(mine) == STEPS + 1
    np.testing.assert_allclose(np.array([m[0] for m in mine]), np.array([r[0] for r in ref]),
                               rtol=1e-13, atol=1e-17)
    np.testing.assert_allclose(np.array([m[1] for m in mine]), np.array([r[1] for r in ref]),
                               rtol=1e-13, atol=1e-17)
    assert len({tuple(m[0]) for m in mine}) > 3          # the schedule really moves


def test_cyclic_momentum_cycles_like_torch(torch):
    def build(m, o):
        return m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5, cycle_momentum=True,
                          base_momentum=[0.8, 0.7], max_momentum=0.95)
    mine, ref = both(torch, build, opt_kwargs=dict(momentum=0.9), keys=("lr", "momentum"))
    np.testing.assert_allclose(np.array([m[0] for m in mine]), np.array([r[0] for r in ref]),
                               rtol=1e-13)
    momenta = {m[0][1] for m in mine}
    assert min(momenta) == pytest.approx(0.8) and max(momenta) == pytest.approx(0.95)


PLATEAU_METRICS = ([10 - 0.5 * i for i in range(8)] + [6.5, 6.49, 6.6, 6.51, 6.7, 6.8]
                   + [5.0, 5.2, 5.3, 5.1, 5.4, 5.5, 5.6] + [5.7 + 0.01 * i for i in range(39)])


@pytest.mark.parametrize("kwargs", [
    dict(mode="min", factor=0.5, patience=2, cooldown=3, min_lr=[0.01, 0.0005], threshold=0.01),
    dict(mode="min", factor=0.3, patience=0, threshold_mode="abs", threshold=0.05,
         min_lr=0.004),
    dict(mode="max", factor=0.5, patience=1, cooldown=1, threshold_mode="abs", threshold=0.1),
    dict(mode="max", factor=0.7, patience=3, threshold=0.001, eps=1e-3),
])
def test_reduce_on_plateau_matches_torch(torch, kwargs):
    assert len(PLATEAU_METRICS) == STEPS
    mine, ref = both(torch, lambda m, o: m.ReduceLROnPlateau(o, **kwargs),
                     metrics=PLATEAU_METRICS)
    assert [m[0] for m in mine] == [r[0] for r in ref]
    assert [m[1] for m in mine] == [r[1] for r in ref]
    assert len({tuple(m[0]) for m in mine}) > 1


def test_reduce_on_plateau_cooldown_and_min_lr():
    opt = make_opt(optim)
    sched = ls.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=2, min_lr=[0.03, 0.0])
    lrs = [r[0] for r in run(opt, sched, steps=11, metrics=[1.0] * 11)]
    # bad epochs 2,3 -> cut at 3; cooldown absorbs 4,5; bad 6,7 -> cut at 7; cooldown 8,9; ...
    assert lrs[2] == [0.1, 0.05]
    assert lrs[3] == lrs[6] == [0.05, 0.025]
    assert lrs[7] == lrs[10] == [0.03, 0.0125]            # group 0 stopped at its min_lr
    assert lrs[11] == [0.03, 0.00625] and sched.in_cooldown


def test_inverse_time_decay_follows_its_formula():
    for staircase, steps in ((False, 1), (True, 4)):
        opt = make_opt(optim)
        sched = ls.InverseTimeDecay(opt, decay_rate=0.3, decay_steps=steps, staircase=staircase)
        seq = run(opt, sched)
        for t, (lrs, last) in enumerate(seq):
            k = t // steps if staircase else t / steps
            want = [0.1 / (1 + 0.3 * k), 0.05 / (1 + 0.3 * k)]
            np.testing.assert_allclose(lrs, want, rtol=1e-12)
            assert last == lrs
        assert seq[-1][0][0] < 0.1 / 5


def test_inverse_time_decay_composes():
    opt = make_opt(optim)
    sched = ls.ChainedScheduler([ls.InverseTimeDecay(opt, decay_rate=0.5),
                                 ls.ExponentialLR(opt, gamma=0.9)])
    for t, (lrs, _) in enumerate(run(opt, sched, steps=20)):
        np.testing.assert_allclose(lrs[0], 0.1 * 0.9 ** t / (1 + 0.5 * t), rtol=1e-12)
    opt = make_opt(optim)
    sched = ls.SequentialLR(opt, [ls.LinearLR(opt, start_factor=0.5, total_iters=3),
                                  ls.InverseTimeDecay(opt, decay_rate=0.25)], milestones=[3])
    lrs = [r[0][0] for r in run(opt, sched, steps=10)]
    np.testing.assert_allclose(lrs[:3], [0.05, 0.1 * (0.5 + 0.5 / 3), 0.1 * (0.5 + 1 / 3)])
    np.testing.assert_allclose(lrs[3:], [0.1 / (1 + 0.25 * t) for t in range(8)], rtol=1e-12)


CLOSED_FORM = {
    "StepLR": (lambda o, n: ls.StepLR(o, step_size=n % 5 + 1, gamma=0.5)),
    "MultiStepLR": (lambda o, n: ls.MultiStepLR(o, milestones=[n % 7, n % 11 + 3], gamma=0.6)),
    "ExponentialLR": (lambda o, n: ls.ExponentialLR(o, gamma=0.9)),
    "InverseTimeDecay": (lambda o, n: ls.InverseTimeDecay(o, 0.1 * n, decay_steps=n % 3 + 1,
                                                          staircase=n % 2 == 0)),
    "CosineAnnealingLR": (lambda o, n: ls.CosineAnnealingLR(o, T_max=n + 3, eta_min=1e-3)),
    "LinearLR": (lambda o, n: ls.LinearLR(o, start_factor=1 / (n + 1), total_iters=n % 9 + 1)),
}


@given(name=st.sampled_from(sorted(CLOSED_FORM)), n=st.integers(1, 30),
       steps=st.integers(0, 40))
def test_chainable_form_equals_closed_form(name, n, steps):
    opt = make_opt(optim)
    sched = CLOSED_FORM[name](opt, n)
    for _ in range(steps):
        sched.step()
    np.testing.assert_allclose(sched.get_last_lr(), sched._get_closed_form_lr(),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["step", "cosine", "cyclic-exp_range",
                                  "sequential-warmup-cosine", "chained"])
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


def test_plateau_state_dict_round_trip():
    opt = make_opt(optim)
    sched = ls.ReduceLROnPlateau(opt, patience=1, cooldown=2)
    for m in PLATEAU_METRICS[:20]:
        sched.step(m)
    opt_sd, sd = opt.state_dict(), sched.state_dict()
    rest = run(opt, sched, steps=40, metrics=PLATEAU_METRICS[20:])
    opt2 = make_opt(optim)
    sched2 = ls.ReduceLROnPlateau(opt2, patience=1, cooldown=2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    assert run(opt2, sched2, steps=40, metrics=PLATEAU_METRICS[20:]) == rest


def test_construction_sets_initial_lr_and_takes_the_first_step():
    opt = make_opt(optim)
    sched = ls.LinearLR(opt, start_factor=0.5, total_iters=4)
    assert sched.last_epoch == 0
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05] == sched.base_lrs
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.025] == sched.get_last_lr()
    with pytest.raises(KeyError, match="initial_lr"):
        ls.StepLR(make_opt(optim), step_size=3, last_epoch=5)
    resumed = ls.StepLR(opt, step_size=3, last_epoch=5)          # initial_lr now present
    assert resumed.last_epoch == 6


def test_load_state_dict_refuses_unknown_keys_and_changes_nothing():
    opt = make_opt(optim)
    sched = ls.StepLR(opt, step_size=3)
    before = sched.state_dict()
    with pytest.raises(KeyError, match="unknown keys"):
        sched.load_state_dict({**ls.ExponentialLR(make_opt(optim), 0.9).state_dict(),
                               "T_max": 3, "last_epoch": 99})
    assert sched.state_dict() == before


@pytest.mark.parametrize("build,err,match", [
    (lambda o: ls.StepLR(o, step_size=0), ValueError, "step_size"),
    (lambda o: ls.StepLR(o, step_size=2.5), ValueError, "step_size"),
    (lambda o: ls.MultiStepLR(o, milestones=[1.5]), ValueError, "milestones"),
    (lambda o: ls.ExponentialLR(o, gamma=-1), ValueError, "gamma"),
    (lambda o: ls.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: ls.LinearLR(o, start_factor=0), ValueError, "start_factor"),
    (lambda o: ls.LinearLR(o, end_factor=1.5), ValueError, "end_factor"),
    (lambda o: ls.InverseTimeDecay(o, decay_rate=-0.1), ValueError, "decay_rate"),
    (lambda o: ls.CyclicLR(o, 0.01, 0.1, mode="sawtooth"), ValueError, "mode"),
    (lambda o: ls.CyclicLR(o, [0.01], 0.1), ValueError, "one value per param group"),
    (lambda o: ls.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError, "step_size"),
    (lambda o: ls.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
    (lambda o: ls.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode"),
    (lambda o: ls.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "threshold_mode"),
    (lambda o: ls.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "one value per param group"),
    (lambda o: ls.StepLR("sgd", step_size=2), TypeError, "Optimizer"),
    (lambda o: ls.SequentialLR(o, [ls.StepLR(o, 2), ls.StepLR(o, 3)], milestones=[]),
     ValueError, "milestones"),
    (lambda o: ls.SequentialLR(o, [ls.ReduceLROnPlateau(o)], milestones=[]), ValueError,
     "ReduceLROnPlateau"),
    (lambda o: ls.ChainedScheduler([ls.StepLR(o, 2), ls.StepLR(make_opt(optim), 2)]),
     ValueError, "another optimizer"),
    (lambda o: ls.ChainedScheduler([]), ValueError, "at least one"),
])
def test_bad_arguments_raise_clear_errors(build, err, match):
    with pytest.raises(err, match=match):
        build(make_opt(optim))


def test_cycle_momentum_needs_momentum_or_betas():
    with pytest.raises(ValueError, match="momentum or betas"):
        ls.CyclicLR(make_opt(optim, "Adagrad"), 0.01, 0.1, cycle_momentum=True)
    opt = make_opt(optim, "Adam")
    ls.CyclicLR(opt, 0.01, 0.1, step_size_up=2, cycle_momentum=True)
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)     # max_momentum at the cycle start


def test_cosine_reaches_eta_min_at_t_max():
    opt = make_opt(optim)
    sched = ls.CosineAnnealingLR(opt, T_max=10, eta_min=0.002)
    lrs = [r[0][0] for r in run(opt, sched, steps=20)]
    assert lrs[10] == pytest.approx(0.002, abs=1e-15)
    assert lrs[20] == pytest.approx(0.1, rel=1e-12)
    assert all(a > b for a, b in zip(lrs[:10], lrs[1:11]))
    assert math.isclose(lrs[5], 0.002 + (0.1 - 0.002) / 2, rel_tol=1e-12)
