"""Module machinery: registration, dotted names, modes, state dicts, hooks, repr, containers."""
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
from autograd import Tensor
from nn.activation import ReLU
from nn.linear import Linear
from nn.container import ModuleList, Sequential
from nn.module import Module, Parameter, manual_seed


class Block(Module):
    """Linear + a persistent and a non-persistent buffer, to exercise every kind of state."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.fc = Linear(n_in, n_out)
        self.register_buffer("count", Tensor(np.zeros((), dtype=np.int64)))
        self.register_buffer("scratch", np.ones(n_out, dtype=np.float32), persistent=False)

    def forward(self, x):
        return self.fc(x).relu()


class Net(Module):
    def __init__(self):
        super().__init__()
        self.encoder = Sequential(Block(4, 3), Block(3, 3))
        self.head = Linear(3, 2)
        self.scale = Parameter(np.ones(1, dtype=np.float32))

    def forward(self, x):
        return self.head(self.encoder(x)) * self.scale


def snapshot(module):
    return {k: v.copy() for k, v in module.state_dict().items()}


# -- Parameter --------------------------------------------------------------------------

def test_parameter_dtypes_and_flags():
    p = Parameter([1, 2, 3])
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf
    assert p.dtype == autograd.get_default_dtype()
    a = np.zeros(2, dtype=np.float64)
    q = Parameter(a)
    assert q.dtype == np.float64 and q.data is a          # keeps dtype, no copy
    assert Parameter(np.arange(3)).dtype == autograd.get_default_dtype()
    assert not Parameter(np.ones(2), requires_grad=False).requires_grad
    assert repr(Parameter([1.0])).startswith("Parameter containing:\nTensor([1.]")
    assert Parameter(Tensor(a)).data is a


# -- registration and traversal ---------------------------------------------------------

def test_dotted_names_buffers_and_children():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "encoder.0.fc.weight", "encoder.0.fc.bias", "encoder.1.fc.weight",
        "encoder.1.fc.bias", "head.weight", "head.bias"]
    assert [n for n, _ in net.named_buffers()] == [
        "encoder.0.count", "encoder.0.scratch", "encoder.1.count", "encoder.1.scratch"]
    assert [n for n, _ in net.named_children()] == ["encoder", "head"]
    assert [n for n, _ in net.named_modules()] == [
        "", "encoder", "encoder.0", "encoder.0.fc", "encoder.1", "encoder.1.fc", "head"]
    assert list(net.parameters(recurse=False)) == [net.scale]
    assert len(list(net.modules())) == 7 and len(list(net.buffers())) == 4
    assert [n for n, _ in net.named_parameters(prefix="model")][0] == "model.scale"


def test_shared_parameters_and_modules_are_listed_once():
    shared = Linear(2, 2)
    seq = Sequential(shared, ReLU(), shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.children())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias"]


def test_assignment_rules_and_errors():
    m = Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'weight'"):
        m.weight = Tensor(np.zeros((2, 2)))
    m.bias = None
    assert m.bias is None and [n for n, _ in m.named_parameters()] == ["weight"]
    m.extra = Parameter(np.zeros(1))
    assert "extra" in dict(m.named_parameters())
    del m.extra
    assert "extra" not in dict(m.named_parameters())
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        m.nope

    class Forgetful(Module):
        def __init__(self):
            self.w = Parameter(np.zeros(1))
    with pytest.raises(AttributeError, match=r"must call super\(\).__init__\(\)"):
        Forgetful()


def test_register_methods_validate_names_and_types():
    m = Module()
    m.register_parameter("p", None)
    assert list(m.named_parameters()) == []
    with pytest.raises(KeyError, match="contain no '.'"):
        m.register_parameter("a.b", Parameter(np.zeros(1)))
    with pytest.raises(TypeError, match="must be a Parameter or None"):
        m.register_parameter("q", Tensor(np.zeros(1)))
    with pytest.raises(TypeError, match="must be a Tensor, an ndarray or None"):
        m.register_buffer("b", [1.0, 2.0])
    with pytest.raises(TypeError, match="must be a Module or None"):
        m.add_module("child", Linear)
    m.plain = 3
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.add_module("plain", ReLU())
    with pytest.raises(NotImplementedError, match="Module has no forward"):
        m(Tensor([1.0]))


def test_buffer_assignment_keeps_registration():
    b = Block(2, 2)
    b.count = Tensor(np.array(5))
    assert b.state_dict()["count"] == 5
    with pytest.raises(TypeError, match="buffer 'count'"):
        b.count = 5


# -- modes and bulk operations ----------------------------------------------------------

def test_train_eval_propagate_to_every_descendant():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.encoder.train()
    assert net.encoder[1].fc.training and not net.training and not net.head.training
    with pytest.raises(TypeError, match="mode must be a bool"):
        net.train("yes")


def test_zero_grad_to_none_or_zeros_and_requires_grad_():
    net = Net()
    net(Tensor(np.ones((2, 4), dtype=np.float32))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    grad = net.head.weight.grad
    net.zero_grad(set_to_none=False)
    assert net.head.weight.grad is grad and not grad.data.any()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.encoder.requires_grad_(False)
    assert [n for n, p in net.named_parameters() if p.requires_grad] == [
        "scale", "head.weight", "head.bias"]


def test_apply_visits_children_first_and_returns_self():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Block", "Linear", "Block", "Sequential", "Linear", "Net"]

    def init(m):
        if isinstance(m, Linear):
            m.weight.data[...] = 0.5
    net.apply(init)
    assert all((m.weight.data == 0.5).all() for m in net.modules() if isinstance(m, Linear))


# -- state_dict / load_state_dict -------------------------------------------------------

def test_state_dict_keys_order_and_copies():
    net = Net()
    sd = net.state_dict()
    # PyTorch's order: a module's own parameters and buffers, then its children's
    assert list(sd) == ["scale", "encoder.0.count", "encoder.0.fc.weight", "encoder.0.fc.bias",
                        "encoder.1.count", "encoder.1.fc.weight", "encoder.1.fc.bias",
                        "head.weight", "head.bias"]      # no non-persistent 'scratch'
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    sd["head.bias"][...] = 99
    assert not (net.head.bias.data == 99).any()


@given(st.lists(st.integers(1, 5), min_size=2, max_size=4), st.integers(0, 2 ** 16))
def test_state_dict_round_trip_restores_outputs(widths, seed):
    manual_seed(seed)
    layers = [Linear(a, b) for a, b in zip(widths, widths[1:])]
    src, dst = Sequential(*layers), Sequential(*[Linear(a, b) for a, b in zip(widths,
                                                                               widths[1:])])
    dst_arrays = [p.data for p in dst.parameters()]
    result = dst.load_state_dict(src.state_dict())
    assert result == ([], [])
    assert all(p.data is a for p, a in zip(dst.parameters(), dst_arrays))   # copied in place
    x = Tensor(np.random.default_rng(seed).standard_normal((3, widths[0])).astype(np.float32))
    np.testing.assert_array_equal(dst(x).data, src(x).data)


def test_load_state_dict_reports_every_mismatch_and_changes_nothing():
    net = Net()
    before = snapshot(net)
    bad = Net().state_dict()
    bad["head.weight"] = np.zeros((5, 5), dtype=np.float32)      # wrong shape
    del bad["encoder.1.fc.bias"]                                  # missing
    bad["encoder.9.fc.weight"] = np.zeros(3)                      # unexpected
    bad["encoder.0.count"] = np.array(1.5)                        # float into an int64 buffer
    with pytest.raises(RuntimeError) as err:
        net.load_state_dict(bad)
    msg = str(err.value)
    assert "4 problem(s), nothing was changed" in msg
    for piece in ["missing key 'encoder.1.fc.bias'", "unexpected key 'encoder.9.fc.weight'",
                  "shape mismatch for 'head.weight': checkpoint (5, 5)", "model (2, 3)",
                  "dtype mismatch for 'encoder.0.count'", "strict=False"]:
        assert piece in msg
    after = snapshot(net)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_load_state_dict_non_strict():
    net = Net()
    partial = {k: v for k, v in Net().state_dict().items() if k.startswith("head.")}
    partial["extra"] = np.zeros(2)
    missing, unexpected = net.load_state_dict(partial, strict=False)
    assert unexpected == ["extra"] and "scale" in missing and "head.weight" not in missing
    np.testing.assert_array_equal(net.head.weight.data, partial["head.weight"])
    before = snapshot(net)
    partial["head.bias"] = np.zeros(7)
    with pytest.raises(RuntimeError, match="shape mismatch for 'head.bias'"):
        net.load_state_dict(partial, strict=False)    # wrong shapes are errors even then
    assert all(np.array_equal(before[k], v) for k, v in snapshot(net).items())


def test_load_state_dict_casts_and_accepts_tensors():
    layer = Linear(2, 2)
    sd = {"weight": Tensor(np.ones((2, 2))), "bias": np.arange(2)}   # float64 and int64
    layer.load_state_dict(sd)
    assert layer.weight.dtype == np.float32 and (layer.weight.data == 1).all()
    np.testing.assert_array_equal(layer.bias.data, [0, 1])
    with pytest.raises(TypeError, match="expected a dict"):
        layer.load_state_dict([("weight", np.ones((2, 2)))])
    with pytest.raises(TypeError, match="entry 'bias' holds str"):
        layer.load_state_dict({"weight": np.ones((2, 2)), "bias": "zeros"})


def test_load_state_dict_invalidates_saved_tensors():
    layer = Linear(2, 1)
    x = Tensor(np.ones((1, 2), dtype=np.float32), requires_grad=True)
    y = layer(x)
    layer.load_state_dict(Linear(2, 1).state_dict())
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


# -- hooks and name scopes --------------------------------------------------------------

def test_forward_hooks_see_and_replace_values_and_can_be_removed():
    layer = Linear(3, 2)
    calls = []
    h1 = layer.register_forward_hook(lambda m, args, out: calls.append((m, args[0].shape,
                                                                         out.shape)))
    h2 = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    out = layer(Tensor(np.ones((4, 3), dtype=np.float32)))
    assert calls == [(layer, (4, 3), (4, 2))]
    np.testing.assert_allclose(out.data, np.broadcast_to(layer.bias.data, (4, 2)))
    h2.remove()
    h2.remove()                                   # removing twice is harmless
    with layer.register_forward_hook(lambda m, args, out: out * 0 + 7):
        assert (layer(Tensor(np.ones((1, 3), dtype=np.float32))).data == 7).all()
    assert not (layer(Tensor(np.ones((1, 3), dtype=np.float32))).data == 7).all()
    h1.remove()
    layer(Tensor(np.ones((1, 3), dtype=np.float32)))
    assert len(calls) == 3


def test_call_records_the_module_name_scope():
    net = Net()
    out = net(Tensor(np.ones((2, 4), dtype=np.float32), requires_grad=True))
    assert out.grad_fn.scope == "Net"                       # the * scale, at the top
    head_out = out.grad_fn.inputs[0]
    assert head_out.grad_fn.scope == "Net/head"
    relu = head_out.grad_fn.inputs[0]
    assert relu.grad_fn.scope == "Net/encoder/1"
    assert relu.grad_fn.inputs[0].grad_fn.scope == "Net/encoder/1/fc"
    assert Linear(2, 2)(Tensor(np.ones((1, 2)), requires_grad=True)).grad_fn.scope == "Linear"


# -- repr -------------------------------------------------------------------------------

def test_repr_is_nested_with_parameter_counts():
    model = Sequential(Linear(784, 512), ReLU(), Linear(512, 10))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=512, bias=True)  # 401,920 params\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=512, out_features=10, bias=True)  # 5,130 params\n"
        ")  # 407,050 params")
    text = repr(Net())
    assert text.startswith("Net(\n  (encoder): Sequential(\n    (0): Block(\n")
    assert "      (fc): Linear(in_features=4, out_features=3, bias=True)  # 15 params\n" in text
    assert text.endswith(")  # 36 params")     # 15 + 12 + 8 + 1


# -- containers -------------------------------------------------------------------------

def test_sequential_indexing_slicing_and_iteration():
    a, b, c = Linear(2, 3), ReLU(), Linear(3, 1)
    seq = Sequential(a, b, c)
    assert len(seq) == 3 and list(seq) == [a, b, c]
    assert seq[0] is a and seq[-1] is c
    head = seq[:2]
    assert isinstance(head, Sequential) and list(head) == [a, b]
    assert list(seq[::-1]) == [c, b, a]
    x = Tensor(np.ones((4, 2), dtype=np.float32))
    np.testing.assert_array_equal(seq(x).data, c(b(a(x))).data)
    np.testing.assert_array_equal(head(x).data, b(a(x)).data)
    seq[1] = Linear(3, 3)
    assert isinstance(seq[1], Linear) and "1.weight" in seq.state_dict()
    seq.append(ReLU())
    assert len(seq) == 4
    with pytest.raises(IndexError, match="index 4 is out of range for 4 modules"):
        seq[4]
    with pytest.raises(TypeError, match="indices must be integers or slices"):
        seq["0"]
    with pytest.raises(TypeError, match="argument 1 is a int"):
        Sequential(a, 3)


def test_sequential_from_ordered_dict_uses_the_names():
    seq = Sequential(OrderedDict([("fc", Linear(2, 2)), ("act", ReLU())]))
    assert [n for n, _ in seq.named_children()] == ["fc", "act"]
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert seq(Tensor(np.ones((1, 2)), requires_grad=True)).grad_fn.scope == "Sequential/act"


def test_module_list_registers_its_modules():
    layers = ModuleList([Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(ReLU()).extend([Linear(2, 2)])
    layers.insert(0, Linear(2, 2))
    assert [type(m).__name__ for m in layers] == ["Linear"] * 4 + ["ReLU", "Linear"]
    assert list(layers.state_dict())[:2] == ["0.weight", "0.bias"]
    assert isinstance(layers[1:3], ModuleList) and len(layers[1:3]) == 2
    layers[4] = Linear(2, 2)
    assert isinstance(layers[4], Linear)
    with pytest.raises(TypeError, match="ModuleList: expected a Module"):
        layers.append(lambda x: x)
    with pytest.raises(NotImplementedError):
        layers(Tensor([1.0]))


def test_state_dict_keys_and_values_match_torch_layout():
    torch = pytest.importorskip("torch")

    class TorchBlock(torch.nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.fc = torch.nn.Linear(n_in, n_out)
            self.register_buffer("count", torch.zeros((), dtype=torch.int64))
            self.register_buffer("scratch", torch.ones(n_out), persistent=False)

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Sequential(TorchBlock(4, 3), TorchBlock(3, 3))
            self.head = torch.nn.Linear(3, 2)
            self.scale = torch.nn.Parameter(torch.ones(1))

    theirs = TorchNet().state_dict()
    ours = Net()
    assert list(ours.state_dict()) == list(theirs)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.items()})
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(v, theirs[k].numpy())
