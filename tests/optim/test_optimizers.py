"""Parity with torch.optim: 50-step parameter trajectories of every optimizer and option.

The loss is a small tanh network plus a Rosenbrock term on the bias, written
once with operators both libraries share; chainrule computes its gradients on
one side, torch's autograd on the other, from the same float64 start.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import optim  # noqa: E402
from autograd import Tensor  # noqa: E402

STEPS = 50
RTOL = 1e-6

rng = np.random.default_rng(1234)
X = rng.normal(size=(8, 4))
Y = rng.normal(size=(8,))
START = {"W": rng.normal(scale=0.7, size=(4, 3)), "b": rng.normal(scale=0.5, size=(3,)),
         "w2": rng.normal(size=(3,)), "unused": rng.normal(size=(2,))}


def loss_fn(p, x, y, sign):
    """The same expression in chainrule and torch (``unused`` never gets a gradient)."""
    h = (x @ p["W"] + p["b"]).tanh()
    fit = ((h @ p["w2"] - y) ** 2).mean()
    b = p["b"]
    rosen = ((1 - b[:-1]) ** 2 + 10 * (b[1:] - b[:-1] ** 2) ** 2).sum()
    return sign * (fit + 0.05 * rosen)


def ours(groups_of, cls, kwargs, sign=1.0, steps=STEPS):
    params = {k: Tensor(v.copy(), requires_grad=True) for k, v in START.items()}
    opt = getattr(optim, cls)(groups_of(params), **kwargs)
    x, y = Tensor(X), Tensor(Y)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params, x, y, sign).backward()
        opt.step()
        trajectory.append({k: v.data.copy() for k, v in params.items()})
    return trajectory


def theirs(groups_of, cls, kwargs, sign=1.0, steps=STEPS):
    params = {k: torch.tensor(v, requires_grad=True) for k, v in START.items()}
    opt = getattr(torch.optim, cls)(groups_of(params), **kwargs)
    x, y = torch.tensor(X), torch.tensor(Y)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params, x, y, sign).backward()
        opt.step()
        trajectory.append({k: v.detach().numpy().copy() for k, v in params.items()})
    return trajectory


def one_group(params):
    return list(params.values())


def assert_same_trajectory(a, b):
    assert len(a) == len(b) == STEPS
    for step, (pa, pb) in enumerate(zip(a, b)):
        for name in pa:
            np.testing.assert_allclose(pa[name], pb[name], rtol=RTOL, atol=1e-12,
                                       err_msg=f"{name} after step {step + 1}")


CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, nesterov=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.3, eps=1e-6)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.3, 0.9), eps=1e-6, weight_decay=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.0)),
]


@pytest.mark.parametrize("cls,kwargs", CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_trajectory_matches_torch(cls, kwargs):
    assert_same_trajectory(ours(one_group, cls, kwargs), theirs(one_group, cls, kwargs))


@pytest.mark.parametrize("cls,kwargs", [("SGD", dict(lr=0.05, momentum=0.9)),
                                        ("Adagrad", dict(lr=0.1)),
                                        ("RMSprop", dict(lr=0.01, centered=True)),
                                        ("Adam", dict(lr=0.05)),
                                        ("AdamW", dict(lr=0.05, amsgrad=True))])
def test_maximize_matches_torch(cls, kwargs):
    kwargs = dict(kwargs, maximize=True)
    mine = ours(one_group, cls, kwargs, sign=-1.0)
    assert_same_trajectory(mine, theirs(one_group, cls, kwargs, sign=-1.0))
    # maximizing -loss is minimizing loss
    plain = ours(one_group, cls, {k: v for k, v in kwargs.items() if k != "maximize"})
    assert_same_trajectory(mine, plain)


def two_groups(params):
    return [{"params": [params["W"], params["unused"]]},
            {"params": [params["b"], params["w2"]], "lr": 0.01, "momentum": 0.5,
             "betas": (0.5, 0.9), "weight_decay": 0.2}]


@pytest.mark.parametrize("cls,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)),
                                        ("Adam", dict(lr=0.05, betas=(0.9, 0.99))),
                                        ("RMSprop", dict(lr=0.01, momentum=0.2))])
def test_param_groups_with_different_hyperparameters_match_torch(cls, kwargs):
    def groups(params):
        gs = two_groups(params)
        keep = {"SGD": ("lr", "momentum", "weight_decay"), "Adam": ("lr", "betas"),
                "RMSprop": ("lr", "momentum", "weight_decay")}[cls]
        gs[1] = {k: v for k, v in gs[1].items() if k == "params" or k in keep}
        return gs

    mine = ours(groups, cls, kwargs)
    assert_same_trajectory(mine, theirs(groups, cls, kwargs))
    # the groups really differ: the same run with one group moves b elsewhere
    single = ours(one_group, cls, kwargs)
    assert not np.allclose(mine[-1]["b"], single[-1]["b"])


def test_loss_decreases_and_unused_parameter_is_untouched():
    trajectory = ours(one_group, "Adam", dict(lr=0.05))
    params = {k: Tensor(v) for k, v in trajectory[-1].items()}
    start = {k: Tensor(v) for k, v in START.items()}
    final_loss = loss_fn(params, Tensor(X), Tensor(Y), 1.0).item()
    assert final_loss < 0.5 * loss_fn(start, Tensor(X), Tensor(Y), 1.0).item()
    np.testing.assert_array_equal(trajectory[-1]["unused"], START["unused"])


def test_adam_with_cycled_beta1_matches_torch():
    """CyclicLR(cycle_momentum=True) changes Adam's beta1 every step, as torch does."""
    def run(lib, make):
        params = make()
        opt = lib.Adam(list(params.values()), lr=0.01)
        sched = lib.lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                          cycle_momentum=True, base_momentum=0.7,
                                          max_momentum=0.95)
        x, y = (Tensor(X), Tensor(Y)) if lib is optim else (torch.tensor(X), torch.tensor(Y))
        out = []
        for _ in range(20):
            opt.zero_grad()
            loss_fn(params, x, y, 1.0).backward()
            opt.step()
            sched.step()
            out.append({k: np.array(v.data if lib is optim else v.detach().numpy())
                        for k, v in params.items()})
            out[-1]["beta1"] = np.array(opt.param_groups[0]["betas"][0])
        return out

    mine = run(optim, lambda: {k: Tensor(v.copy(), requires_grad=True)
                               for k, v in START.items()})
    ref = run(torch.optim, lambda: {k: torch.tensor(v, requires_grad=True)
                                    for k, v in START.items()})
    for a, b in zip(mine, ref):
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=RTOL, atol=1e-12)
