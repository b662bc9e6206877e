"""Adadelta, Adamax, NAdam, RAdam and LBFGS: parity with torch.optim and their own rules.

The parity tests run 50 steps on the problem of test_optimizers.py (a small tanh
network plus a Rosenbrock term; one parameter never gets a gradient) in float64
from the same start, chainrule's autograd on one side and torch's on the other.
LBFGS runs its closure on a separate least-squares-plus-quartic problem.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import optim
from autograd import Tensor

STEPS = 50
RTOL = 1e-6

_rng = np.random.default_rng(1234)
X = _rng.normal(size=(8, 4))
Y = _rng.normal(size=(8,))
START = {"W": _rng.normal(scale=0.7, size=(4, 3)), "b": _rng.normal(scale=0.5, size=(3,)),
         "w2": _rng.normal(size=(3,)), "unused": _rng.normal(size=(2,))}


def loss_fn(p, x, y, sign):
    """The same expression in chainrule and torch (``unused`` never gets a gradient)."""
    h = (x @ p["W"] + p["b"]).tanh()
    fit = ((h @ p["w2"] - y) ** 2).mean()
    b = p["b"]
    rosen = ((1 - b[:-1]) ** 2 + 10 * (b[1:] - b[:-1] ** 2) ** 2).sum()
    return sign * (fit + 0.05 * rosen)

NEW = ("Adadelta", "Adamax", "NAdam", "RAdam")


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def ours(cls, kwargs, groups=None, sign=1.0, steps=STEPS, start=START):
    params = {k: Tensor(v.copy(), requires_grad=True) for k, v in start.items()}
    opt = getattr(optim, cls)(groups(params) if groups else list(params.values()), **kwargs)
    x, y = Tensor(X), Tensor(Y)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params, x, y, sign).backward()
        opt.step()
        out.append({k: v.data.copy() for k, v in params.items()})
    return out, opt


def theirs(torch, cls, kwargs, groups=None, sign=1.0, steps=STEPS, start=START):
    if cls == "NAdam":
        # torch keeps NAdam's mu_product in its default dtype (float32 unless changed); here
        # it is a float64 number, so compare against torch's float64 arithmetic
        previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            return _theirs(torch, cls, kwargs, groups, sign, steps, start)
        finally:
            torch.set_default_dtype(previous)
    return _theirs(torch, cls, kwargs, groups, sign, steps, start)


def _theirs(torch, cls, kwargs, groups, sign, steps, start):
    params = {k: torch.tensor(v, requires_grad=True) for k, v in start.items()}
    opt = getattr(torch.optim, cls)(groups(params) if groups else list(params.values()),
                                    **kwargs)
    x, y = torch.tensor(X), torch.tensor(Y)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params, x, y, sign).backward()
        opt.step()
        out.append({k: v.detach().numpy().copy() for k, v in params.items()})
    return out, opt


def assert_same(a, b, rtol=RTOL, atol=1e-12):
    assert len(a) == len(b)
    for step, (pa, pb) in enumerate(zip(a, b)):
        for name in pa:
            np.testing.assert_allclose(pa[name], pb[name], rtol=rtol, atol=atol,
                                       err_msg=f"{name} after step {step + 1}")


CASES = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4)),
    ("Adadelta", dict(lr=2.0, weight_decay=0.1)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-4, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.02, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.3, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.05)),                               # rho_t > 5 from step 6 on
    ("RAdam", dict(lr=0.05, betas=(0.9, 0.9))),             # rho_inf = 19: rectified at step 3
    ("RAdam", dict(lr=0.05, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.3, decoupled_weight_decay=True, eps=1e-6)),
]


@pytest.mark.parametrize("cls,kwargs", CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_trajectory_matches_torch(torch, cls, kwargs):
    mine, opt = ours(cls, kwargs)
    ref, topt = theirs(torch, cls, kwargs)
    assert_same(mine, ref)
    assert not np.allclose(mine[-1]["W"], START["W"])                   # it really moved
    np.testing.assert_array_equal(mine[-1]["unused"], START["unused"])   # no grad, no step
    # the same state entries and step counts as torch's
    for p, tp in zip(opt.param_groups[0]["params"], topt.param_groups[0]["params"]):
        state, tstate = opt.state[p], topt.state[tp]
        assert set(state) == set(tstate)
        for key, value in tstate.items():
            np.testing.assert_allclose(np.asarray(state[key]), value.detach().numpy(),
                                       rtol=1e-5, err_msg=key)


def test_nadam_with_torchs_float32_mu_product_agrees_closely(torch):
    """With torch's float32 default dtype its mu_product is rounded to float32 each step."""
    kwargs = dict(lr=0.05, momentum_decay=0.02, weight_decay=0.1)
    ref, _ = _theirs(torch, "NAdam", kwargs, None, 1.0, STEPS, START)
    assert_same(ours("NAdam", kwargs)[0], ref, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("cls", NEW)
def test_maximize_matches_torch_and_minimizes_the_negation(torch, cls):
    kwargs = dict(lr=0.05, weight_decay=0.05, maximize=True)
    mine, _ = ours(cls, kwargs, sign=-1.0)
    assert_same(mine, theirs(torch, cls, kwargs, sign=-1.0)[0])
    plain, _ = ours(cls, dict(lr=0.05, weight_decay=0.05))
    assert_same(mine, plain, rtol=1e-12)


def two_groups(params):
    return [{"params": [params["W"], params["unused"]]},
            {"params": [params["b"], params["w2"]], "lr": 0.01, "weight_decay": 0.2}]


@pytest.mark.parametrize("cls", NEW)
def test_param_groups_match_torch(torch, cls):
    mine, _ = ours(cls, dict(lr=0.05), groups=two_groups)
    assert_same(mine, theirs(torch, cls, dict(lr=0.05), groups=two_groups)[0])
    single, _ = ours(cls, dict(lr=0.05))
    assert not np.allclose(mine[-1]["b"], single[-1]["b"])


def test_float32_parameters_stay_float32_and_track_torch(torch):
    start = {k: v.astype(np.float32) for k, v in START.items()}
    for cls in NEW:
        params = {k: Tensor(v.copy(), requires_grad=True) for k, v in start.items()}
        opt = getattr(optim, cls)(list(params.values()), lr=0.01)
        tparams = {k: torch.tensor(v, requires_grad=True) for k, v in start.items()}
        topt = getattr(torch.optim, cls)(list(tparams.values()), lr=0.01)
        x32, y32 = X.astype(np.float32), Y.astype(np.float32)
        for _ in range(10):
            opt.zero_grad()
            loss_fn(params, Tensor(x32), Tensor(y32), 1.0).backward()
            opt.step()
            topt.zero_grad()
            loss_fn(tparams, torch.tensor(x32), torch.tensor(y32), 1.0).backward()
            topt.step()
        for k in params:
            assert params[k].dtype == np.float32
            np.testing.assert_allclose(params[k].data, tparams[k].detach().numpy(), rtol=2e-5,
                                       atol=1e-6, err_msg=f"{cls} {k}")


@pytest.mark.parametrize("cls", NEW)
def test_defaults_are_torchs(torch, cls):
    p = Tensor(np.zeros(2), requires_grad=True)
    mine = getattr(optim, cls)([p]).defaults
    ref = getattr(torch.optim, cls)([torch.zeros(2, requires_grad=True)]).defaults
    for key, value in mine.items():
        assert ref[key] == value, key
    for key in ("foreach", "capturable", "differentiable"):
        ref.pop(key, None)
    assert set(ref) == set(mine)


@pytest.mark.parametrize("cls", NEW)
def test_state_dict_round_trip_continues_bit_for_bit(cls):
    params = {k: Tensor(v.copy(), requires_grad=True) for k, v in START.items()}
    opt = getattr(optim, cls)(list(params.values()), lr=0.05, weight_decay=0.01)
    x, y = Tensor(X), Tensor(Y)

    def train(opt, params, steps):
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(params, x, y, 1.0).backward()
            opt.step()
        return [p.data.copy() for p in params.values()]

    train(opt, params, 7)
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1, 2]                       # "unused" has no state
    assert sd["state"][0]["step"] == 7
    snapshot = {k: p.data.copy() for k, p in params.items()}
    expected = train(opt, params, 9)
    fresh = {k: Tensor(v, requires_grad=True) for k, v in snapshot.items()}
    opt2 = getattr(optim, cls)(list(fresh.values()), lr=123.0)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.05
    for a, b in zip(expected, train(opt2, fresh, 9)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", NEW)
def test_load_state_dict_missing_entry_changes_nothing(cls):
    params = [Tensor(np.ones(3), requires_grad=True)]
    opt = getattr(optim, cls)(params, lr=0.1)
    params[0].grad = Tensor(np.ones(3))
    opt.step()
    sd = opt.state_dict()
    key = sorted(k for k in sd["state"][0] if k != "step")[0]
    del sd["state"][0][key]
    before = opt.state_dict()
    with pytest.raises(ValueError, match=key):
        opt.load_state_dict(sd)
    after = opt.state_dict()
    for k, v in before["state"][0].items():
        np.testing.assert_array_equal(after["state"][0][k], v)


@pytest.mark.parametrize("build,match", [
    (lambda p: optim.Adadelta(p, rho=1.5), "rho"),
    (lambda p: optim.Adadelta(p, eps=-1), "eps"),
    (lambda p: optim.Adadelta(p, lr=-0.1), "learning rate"),
    (lambda p: optim.Adamax(p, betas=(1.0, 0.9)), "beta1"),
    (lambda p: optim.Adamax(p, betas=(0.9,)), "pair"),
    (lambda p: optim.NAdam(p, momentum_decay=-1e-3), "momentum_decay"),
    (lambda p: optim.NAdam(p, weight_decay=-1), "weight_decay"),
    (lambda p: optim.RAdam(p, betas=(0.9, -0.1)), "beta2"),
    (lambda p: optim.RAdam([{"params": p, "eps": -1e-8}]), r"group 0.*eps"),
    (lambda p: optim.LBFGS(p, history_size=0), "history_size"),
    (lambda p: optim.LBFGS(p, max_iter=2.5), "max_iter"),
    (lambda p: optim.LBFGS(p, line_search_fn="armijo"), "strong_wolfe"),
    (lambda p: optim.LBFGS([{"params": p[:1]}, {"params": p[1:]}]), "one parameter group"),
])
def test_bad_hyperparameters_raise_clear_errors(build, match):
    params = [Tensor(np.zeros(2), requires_grad=True), Tensor(np.zeros(1), requires_grad=True)]
    with pytest.raises(ValueError, match=match):
        build(params)


@settings(deadline=None)
@given(g=st.floats(-1e3, 1e3, allow_nan=False).filter(lambda v: abs(v) > 1e-6),
       lr=st.floats(1e-4, 1.0))
def test_first_steps_follow_the_formulas(g, lr):
    """Step 1 in closed form: Adamax moves by lr (m/u = g/(|g|+eps) * 1/(1-b1) * (1-b1));
    RAdam's first step is bias-corrected momentum SGD (rho_1 = 1 < 5): exactly lr * g;
    NAdam's first step moves against the gradient by less than 2 lr."""
    def first_step(cls, **kw):
        p = Tensor(np.array([0.0]), requires_grad=True)
        p.grad = Tensor(np.array([g]))
        getattr(optim, cls)([p], lr=lr, **kw).step()
        return p.data[0]
    np.testing.assert_allclose(first_step("Adamax"), -lr * g / (abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(first_step("RAdam"), -lr * g, rtol=1e-12)
    step = first_step("NAdam")
    assert np.sign(step) == -np.sign(g) and abs(step) < 2 * lr


# -- LBFGS ---------------------------------------------------------------------------------

rng = np.random.default_rng(7)
A = rng.normal(size=(12, 5))
B = rng.normal(size=(12,))
LSTART = {"w": rng.normal(size=(5,)), "c": np.array([0.3, -0.2])}


def lbfgs_loss(p, a, b):
    r = a @ p["w"] + p["c"][0] - b
    return (r ** 2).mean() + 0.1 * (p["w"] ** 4).sum() + (p["c"][1] - 1.0) ** 2


def run_lbfgs(lib, kwargs, outer_steps=6):
    if lib is optim:
        p = {k: Tensor(v.copy(), requires_grad=True) for k, v in LSTART.items()}
        a, b = Tensor(A), Tensor(B)
        value = lambda t: t.data.copy()          # noqa: E731
    else:
        p = {k: lib.tensor(v, requires_grad=True) for k, v in LSTART.items()}
        a, b = lib.tensor(A), lib.tensor(B)
        value = lambda t: t.detach().numpy().copy()   # noqa: E731
    opt = (optim if lib is optim else lib.optim).LBFGS(list(p.values()), **kwargs)
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        loss = lbfgs_loss(p, a, b)
        loss.backward()
        return loss

    out = []
    for _ in range(outer_steps):
        loss = opt.step(closure)
        state = opt.state[opt.param_groups[0]["params"][0]]
        out.append(dict(params={k: value(v) for k, v in p.items()}, loss=loss.item(),
                         calls=calls[0], n_iter=state["n_iter"],
                         func_evals=state["func_evals"], history=len(state["old_dirs"])))
    return out, opt


LBFGS_CASES = [
    dict(),
    dict(lr=0.5, max_iter=4, history_size=3),
    dict(lr=0.8, max_iter=7, max_eval=9, history_size=2, tolerance_change=1e-12),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", max_iter=5, history_size=2),
    dict(lr=2.0, line_search_fn="strong_wolfe", max_iter=3, max_eval=4),
]


@pytest.mark.parametrize("kwargs", LBFGS_CASES, ids=[str(k) for k in LBFGS_CASES])
def test_lbfgs_matches_torch(torch, kwargs):
    mine, opt = run_lbfgs(optim, kwargs)
    ref, topt = run_lbfgs(torch, kwargs)
    for step, (m, r) in enumerate(zip(mine, ref)):
        for k in m["params"]:
            np.testing.assert_allclose(m["params"][k], r["params"][k], rtol=1e-6, atol=1e-10,
                                       err_msg=f"{k} after step {step + 1}")
        assert m["loss"] == pytest.approx(r["loss"], rel=1e-6, abs=1e-12)
        assert (m["calls"], m["n_iter"], m["func_evals"], m["history"]) == \
            (r["calls"], r["n_iter"], r["func_evals"], r["history"])
    start_loss = lbfgs_loss({k: Tensor(v) for k, v in LSTART.items()}, Tensor(A),
                            Tensor(B)).item()
    assert mine[-1]["loss"] < 0.5 * start_loss
    assert set(opt.state_dict()["state"][0]) == set(topt.state_dict()["state"][0])


def test_lbfgs_converges_on_a_quadratic_and_stops_at_tolerance_grad():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(6, 6))
    H = M @ M.T + 6 * np.eye(6)
    b = rng.normal(size=6)
    x = Tensor(np.zeros(6), requires_grad=True)
    # tolerance_grad well above the rounding floor of H @ x (about 1e-9 here, where both this
    # LBFGS and PyTorch's stall on some BLAS builds): the stop is the tolerance, not rounding
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe", max_iter=100, tolerance_grad=1e-7,
                      tolerance_change=0)
    H_t, b_t = Tensor(H), Tensor(b)

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ (H_t @ x)) - (b_t * x).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert np.abs(x.grad.data).max() <= 1e-7
    np.testing.assert_allclose(x.data, np.linalg.solve(H, b), rtol=1e-6)
    evals = opt.state[x]["func_evals"]
    opt.step(closure)                  # already optimal: one evaluation, no move
    assert opt.state[x]["func_evals"] == evals + 1


def test_lbfgs_state_dict_round_trip_and_checks():
    kwargs = dict(max_iter=3, history_size=2, line_search_fn="strong_wolfe")
    mine, opt = run_lbfgs(optim, kwargs, outer_steps=2)
    params = opt.param_groups[0]["params"]
    sd = opt.state_dict()
    assert sd["state"][0]["old_dirs"][0] is not opt.state[params[0]]["old_dirs"][0]
    snapshot = [p.data.copy() for p in params]
    a, b = Tensor(A), Tensor(B)

    def steps(opt, ps, n):
        named = dict(zip(LSTART, ps))

        def closure():
            opt.zero_grad()
            loss = lbfgs_loss(named, a, b)
            loss.backward()
            return loss
        for _ in range(n):
            opt.step(closure)
        return [p.data.copy() for p in ps]

    expected = steps(opt, params, 3)
    fresh = [Tensor(s, requires_grad=True) for s in snapshot]
    opt2 = optim.LBFGS(fresh, max_iter=99)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["max_iter"] == 3
    for e, g in zip(expected, steps(opt2, fresh, 3)):
        np.testing.assert_array_equal(e, g)

    bad = opt.state_dict()
    bad["state"][0]["d"] = np.zeros(3)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=r"'d'.*\(7,\)"):
        opt.load_state_dict(bad)
    np.testing.assert_array_equal(opt.state_dict()["state"][0]["d"], before["state"][0]["d"])


def test_lbfgs_needs_a_closure():
    p = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(TypeError, match="closure"):
        optim.LBFGS([p]).step()
