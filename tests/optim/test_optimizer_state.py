"""Optimizer machinery: state_dict round trips, all-or-nothing loading, zero_grad, in-place
float32 updates, parameter and hyperparameter validation, and properties of the updates."""
import copy

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

import optim
from autograd import Tensor, no_grad

ALL = {
    "SGD": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "SGD-damp": dict(lr=0.05, momentum=0.9, dampening=0.3),
    "Adagrad": dict(lr=0.1, lr_decay=0.01),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adam": dict(lr=0.01, amsgrad=True, weight_decay=0.01),
    "AdamW": dict(lr=0.01),
}


def make(name, params, **extra):
    return getattr(optim, name.split("-")[0])(params, **{**ALL[name], **extra})


def make_params(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.normal(size=s).astype(dtype), requires_grad=True)
            for s in [(3, 4), (4,), (2, 2, 2)]]


def loss_of(params):
    w, b, c = params
    return ((w.tanh() @ b) ** 2).sum() + (c * c * b[:2].sum()).mean()


def train(opt, params, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()
    return [p.data.copy() for p in params]


@pytest.mark.parametrize("name", list(ALL))
def test_state_dict_round_trip_continues_bit_for_bit(name):
    params = make_params()
    opt = make(name, params)
    train(opt, params, 7)
    sd = opt.state_dict()
    snapshot = [p.data.copy() for p in params]
    expected = train(opt, params, 9)

    fresh = [Tensor(a.copy(), requires_grad=True) for a in snapshot]
    opt2 = make(name, fresh, lr=123.0)                   # hyperparameters come from sd
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == ALL[name]["lr"]
    got = train(opt2, fresh, 9)
    for a, b in zip(expected, got):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_state_dict_read_back_from_a_file_loads(name, tmp_path):
    """Index keys as strings, numbers as 0-d arrays, tuples as arrays (as np.savez gives)."""
    params = make_params()
    opt = make(name, params)
    train(opt, params, 5)
    sd = opt.state_dict()
    flat = {f"state/{i}/{k}": np.asarray(v) for i, s in sd["state"].items()
            for k, v in s.items()}
    flat.update({f"group/{k}": np.asarray(v) for k, v in sd["param_groups"][0].items()})
    np.savez(tmp_path / "opt.npz", **flat)
    with np.load(tmp_path / "opt.npz", allow_pickle=False) as f:
        loaded = {k: f[k] for k in f.files}
    state = {}
    for key, v in loaded.items():
        if key.startswith("state/"):
            _, i, k = key.split("/")
            state.setdefault(i, {})[k] = v
    group = {key.split("/")[1]: v for key, v in loaded.items() if key.startswith("group/")}
    before = [p.data.copy() for p in params]
    expected = train(opt, params, 4)

    fresh = [Tensor(a, requires_grad=True) for a in before]
    opt2 = make(name, fresh)
    opt2.load_state_dict({"state": state, "param_groups": [group]})
    assert type(opt2.param_groups[0]["lr"]) is float
    if name == "Adam":
        assert opt2.param_groups[0]["betas"] == ALL["Adam"].get("betas", (0.9, 0.999))
    for a, b in zip(expected, train(opt2, fresh, 4)):
        np.testing.assert_array_equal(a, b)


def test_state_dict_layout_follows_pytorch():
    params = make_params()
    opt = optim.Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.5}])
    train(opt, params, 2)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["lr"] == 1e-3
    assert set(sd["state"]) == {0, 1, 2}
    assert set(sd["state"][2]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][2]["step"] == 2 and sd["state"][2]["exp_avg"].shape == (2, 2, 2)
    # a snapshot: later steps do not change it
    saved = sd["state"][0]["exp_avg"].copy()
    train(opt, params, 1)
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], saved)


def _fingerprint(opt):
    return copy.deepcopy(([{k: v for k, v in g.items() if k != "params"}
                           for g in opt.param_groups],
                          {id(p): s for p, s in opt.state.items()}))


def _same(a, b):
    groups_a, state_a = a
    groups_b, state_b = b
    assert groups_a == groups_b and state_a.keys() == state_b.keys()
    for k in state_a:
        assert state_a[k].keys() == state_b[k].keys()
        for name in state_a[k]:
            np.testing.assert_array_equal(state_a[k][name], state_b[k][name])


@pytest.mark.parametrize("corrupt,match", [
    (lambda sd: sd["state"][1].update(exp_avg=np.zeros(5)), r"shape \(5,\)"),
    (lambda sd: sd["param_groups"].append({"params": [], "lr": 0.1}), "2 parameter groups"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), "2 parameters in the state dict but 3 here"),
    (lambda sd: sd["state"].update({7: sd["state"][0]}), "index 7"),
    (lambda sd: sd["state"][0].pop("exp_avg_sq"), "lacks"),
    (lambda sd: sd["param_groups"][0].update(lr=-1.0), "learning rate"),
    (lambda sd: sd["state"][0].update(exp_avg="zeros"), "expected an array"),
    (lambda sd: sd.pop("state"), "'state' and 'param_groups'"),
])
def test_bad_state_dict_raises_and_changes_nothing(corrupt, match):
    params = make_params()
    opt = optim.Adam(params, lr=0.01)
    train(opt, params, 3)
    sd = opt.state_dict()
    opt2 = optim.Adam(params, lr=0.02, betas=(0.5, 0.6))
    train(opt2, params, 1)
    before = _fingerprint(opt2)
    corrupt(sd)
    with pytest.raises(ValueError, match=match):
        opt2.load_state_dict(sd)
    _same(_fingerprint(opt2), before)


def test_bad_state_dict_reports_every_mismatch():
    params = make_params()
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    train(opt, params, 1)
    sd = opt.state_dict()
    sd["state"][0]["momentum_buffer"] = np.zeros((4, 3))
    sd["state"][2]["momentum_buffer"] = np.zeros((8,))
    with pytest.raises(ValueError, match="2 problem") as info:
        opt.load_state_dict(sd)
    assert "state[0]['momentum_buffer']" in str(info.value)
    assert "state[2]['momentum_buffer']" in str(info.value)


def test_loaded_state_is_a_private_copy_in_the_param_dtype():
    params = make_params(np.float32)
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    sd = {"state": {0: {"momentum_buffer": np.ones((3, 4))}},
          "param_groups": [{**opt.state_dict()["param_groups"][0]}]}
    opt.load_state_dict(sd)
    buf = opt.state[params[0]]["momentum_buffer"]
    assert buf.dtype == np.float32 and buf is not sd["state"][0]["momentum_buffer"]
    sd["state"][0]["momentum_buffer"][:] = 7
    assert buf[0, 0] == 1


def test_zero_grad_both_modes():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    arrays_before = [p.grad.data for p in params]
    opt.zero_grad(set_to_none=False)
    for p, a in zip(params, arrays_before):
        assert p.grad.data is a and not a.any()
    loss_of(params).backward()
    assert all(p.grad.data.any() for p in params)
    opt.zero_grad()
    assert all(p.grad is None for p in params)
    opt.zero_grad()                      # no gradients: nothing to do
    readonly = np.broadcast_to(np.ones(4), (4,))
    params[1].grad = Tensor(readonly)
    opt.zero_grad(set_to_none=False)
    assert not params[1].grad.data.any() and readonly[0] == 1


@pytest.mark.parametrize("name", list(ALL))
def test_float32_params_stay_float32_and_are_updated_in_place(name):
    params = make_params(np.float32)
    arrays_before = [p.data for p in params]
    values_before = [a.copy() for a in arrays_before]
    opt = make(name, params)
    train(opt, params, 3)
    for p, a, v in zip(params, arrays_before, values_before):
        assert p.data is a and a.dtype == np.float32 and not np.array_equal(a, v)
        assert p.is_leaf and p.grad_fn is None and p._version == 3
    for state in opt.state.values():
        for value in state.values():
            if isinstance(value, np.ndarray) and value.ndim:   # not the 0-d step counters
                assert value.dtype == np.float32
    # the same steps in float64 agree to float32 precision
    p64 = make_params(np.float64)
    opt64 = make(name, p64)
    for a, b in zip(train(opt64, p64, 3), [p.data for p in params]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_params_without_grad_are_skipped():
    params = make_params()
    opt = optim.Adam(params, lr=0.1)
    (params[0] * params[0]).sum().backward()
    before = [p.data.copy() for p in params]
    opt.step()
    assert not np.array_equal(params[0].data, before[0])
    np.testing.assert_array_equal(params[1].data, before[1])
    assert params[1] not in opt.state and params[0] in opt.state
    assert list(opt.state_dict()["state"]) == [0]


def test_step_works_with_grad_mode_on_and_off_and_records_nothing():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    opt.step()
    with no_grad():
        opt.step()
    assert all(p.grad_fn is None for p in params)


def test_step_returns_the_closure_loss():
    params = make_params()
    opt = optim.SGD(params, lr=0.01)

    def closure():
        opt.zero_grad()
        loss = loss_of(params)
        loss.backward()
        return loss

    first = opt.step(closure).item()
    second = opt.step(closure).item()
    assert second < first


def test_grad_of_wrong_shape_raises_clearly():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    before = [p.data.copy() for p in params]
    with pytest.raises(TypeError, match=r"shape \(5,\).*shape \(2, 2, 2\)"):
        params[2].grad = Tensor(np.ones(5))             # refused at the assignment itself
    params[2]._grad = Tensor(np.ones(5))                # past the check: step still refuses
    with pytest.raises(RuntimeError, match=r"shape \(2, 2, 2\).*gradient of shape \(5,\)"):
        opt.step()
    for p, b in zip(params, before):                    # all-or-nothing: nothing moved
        np.testing.assert_array_equal(p.data, b)


def test_add_param_group_uses_defaults_and_validates():
    params = make_params()
    opt = optim.SGD(params[:2], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": params[2], "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.9
    assert len(opt.param_groups[1]["params"]) == 1 and opt.param_groups[1]["params"][0] is params[2]
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [params[0]]})
    with pytest.raises(ValueError, match="learning rate"):
        opt.add_param_group({"params": [Tensor(np.ones(2), requires_grad=True)], "lr": -1})
    with pytest.raises(ValueError, match="'params'"):
        opt.add_param_group({"lr": 0.1})
    assert len(opt.param_groups) == 2


def _bad_params():
    leaf = Tensor(np.ones(3), requires_grad=True)
    return [
        ([leaf * 2], ValueError, "not a leaf"),
        ([Tensor(np.ones(3))], ValueError, "does not require grad"),
        ([Tensor(np.arange(3))], TypeError, "dtype int64"),
        ([np.ones(3)], TypeError, "not a Tensor"),
        ([leaf, leaf], ValueError, "more than once"),
        ([{"params": [leaf]}, {"params": [leaf]}], ValueError, "more than once"),
        ([], ValueError, "empty parameter list"),
        (leaf, TypeError, "single Tensor"),
        ([{"params": {leaf}}], TypeError, "not a set"),
        ([Tensor(np.broadcast_to(np.ones(1), (3,)), requires_grad=True)], ValueError,
         "read-only"),
    ]


@pytest.mark.parametrize("i", range(len(_bad_params())))
@pytest.mark.parametrize("cls", ["SGD", "Adam"])
def test_bad_params_raise_clear_errors(cls, i):
    params, err, match = _bad_params()[i]
    with pytest.raises(err, match=match):
        getattr(optim, cls)(params)


@pytest.mark.parametrize("cls,kwargs,match", [
    ("SGD", dict(lr=-0.1), "learning rate"),
    ("SGD", dict(momentum=-0.5), "momentum"),
    ("SGD", dict(weight_decay=-1), "weight_decay"),
    ("SGD", dict(nesterov=True), "nesterov"),
    ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1), "dampening"),
    ("Adagrad", dict(lr_decay=-1), "lr_decay"),
    ("Adagrad", dict(eps=-1e-10), "eps"),
    ("Adagrad", dict(initial_accumulator_value=-1), "initial_accumulator_value"),
    ("RMSprop", dict(alpha=-0.1), "alpha"),
    ("RMSprop", dict(momentum=-0.1), "momentum"),
    ("Adam", dict(betas=(1.0, 0.999)), "beta1"),
    ("Adam", dict(betas=(0.9, -0.1)), "beta2"),
    ("Adam", dict(betas=(0.9,)), "pair"),
    ("Adam", dict(betas=0.9), "pair"),
    ("Adam", dict(eps=-1.0), "eps"),
    ("AdamW", dict(weight_decay=-0.01), "weight_decay"),
    ("AdamW", dict(lr=float("nan")), "learning rate"),
])
def test_bad_hyperparameters_raise_clear_errors(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(optim, cls)(make_params(), **kwargs)
    # the same value as a per-group override is refused too
    with pytest.raises(ValueError, match=match):
        getattr(optim, cls)([{"params": make_params()[:1]}, {"params": make_params()[1:],
                                                             **kwargs}])


def test_base_optimizer_step_is_abstract():
    opt = optim.Optimizer(make_params(), {"lr": 0.1})
    with pytest.raises(NotImplementedError):
        opt.step()


def test_defaults_and_repr_follow_pytorch():
    opt = optim.AdamW(make_params())
    assert opt.defaults["weight_decay"] == 1e-2 and opt.defaults["betas"] == (0.9, 0.999)
    assert optim.Adam(make_params()).defaults["weight_decay"] == 0
    assert optim.Adagrad(make_params()).defaults["lr"] == 1e-2
    assert optim.RMSprop(make_params()).defaults["alpha"] == 0.99
    assert "Parameter Group 0" in repr(opt) and "lr: 0.001" in repr(opt)


finite = st.floats(-10, 10, allow_nan=False, width=64)


@given(p=arrays(np.float64, st.integers(1, 6), elements=finite),
       g=arrays(np.float64, 6, elements=finite), lr=st.floats(1e-4, 1.0))
def test_plain_sgd_is_p_minus_lr_g(p, g, lr):
    g = g[:p.size]
    t = Tensor(p.copy(), requires_grad=True)
    t.grad = Tensor(g.copy())
    optim.SGD([t], lr=lr).step()
    np.testing.assert_array_equal(t.data, p - lr * g)


@given(p=arrays(np.float64, 5, elements=finite), g=arrays(np.float64, 5, elements=finite),
       lr=st.floats(1e-4, 1.0), cls=st.sampled_from(["Adam", "AdamW"]))
def test_first_adam_step_moves_each_coordinate_by_at_most_lr(p, g, lr, cls):
    t = Tensor(p.copy(), requires_grad=True)
    t.grad = Tensor(g.copy())
    getattr(optim, cls)([t], lr=lr, weight_decay=0).step()
    step = p - t.data
    assert np.all(np.abs(step) <= lr * (1 + 1e-12))
    big = np.abs(g) > 1e-3                              # eps is negligible: a sign step
    np.testing.assert_allclose(step[big], lr * np.sign(g[big]), rtol=1e-4)
    assert np.all(step[g == 0] == 0)


@given(g=arrays(np.float64, 4, elements=st.floats(-5, 5).filter(lambda v: abs(v) > 1e-3)),
       steps=st.integers(1, 6))
def test_adagrad_accumulates_squared_gradients(g, steps):
    t = Tensor(np.zeros(4), requires_grad=True)
    opt = optim.Adagrad([t], lr=0.5, initial_accumulator_value=0.25)
    for _ in range(steps):
        t.grad = Tensor(g.copy())
        opt.step()
    np.testing.assert_allclose(opt.state[t]["sum"], 0.25 + steps * g * g, rtol=1e-12)
    assert opt.state[t]["step"] == steps
