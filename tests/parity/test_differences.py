"""Each entry of DIFFERENCES.md, shown by a small PyTorch snippet run on both libraries.

A snippet is written for PyTorch, mapped with ``to_chainrule`` and run on
chainrule; where torch is installed it also runs there. The tests assert the
difference as documented, and that the spelling DIFFERENCES.md recommends
gives the same numbers on both. When a difference is removed from the
library, its test fails: update DIFFERENCES.md with it.
"""
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from .harness import compare, run
from .rewrite import to_chainrule


def on_chainrule(source):
    return run(to_chainrule(textwrap.dedent(source)), "chainrule")


def on_torch(source):
    pytest.importorskip("torch")
    return run(textwrap.dedent(source), "torch")


def on_both_equal(source):
    """Run on both; the results must agree (only where torch is installed)."""
    got = on_chainrule(source)
    compare(on_torch(source), got)
    return got


def test_differences_md_has_the_numbered_entries_these_tests_cover():
    text = (Path(__file__).parent / "DIFFERENCES.md").read_text()
    numbers = [int(n) for n in re.findall(r"^(\d+)\. \*\*", text, re.M)]
    assert numbers == list(range(1, 17))


VAR = """
    import numpy as np
    import torch
    x = torch.tensor(np.arange(12.0).reshape(3, 4) ** 1.5)
    results = {"default": [x.var().item(), x.std(dim=0).tolist(), torch.std(x, 1).tolist()],
               "explicit": [x.var(unbiased=True).item(), x.std(dim=0, correction=1).tolist(),
                            x.var(1, correction=0).tolist()]}
"""


def test_1_var_and_std_without_an_axis_use_the_population_formula_with_a_dim_pytorchs():
    got = on_chainrule(VAR)
    x = np.arange(12.0).reshape(3, 4) ** 1.5
    assert got["default"][0] == pytest.approx(x.var(ddof=0), rel=1e-12)
    np.testing.assert_allclose(got["default"][1], x.std(axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(got["default"][2], x.std(axis=1, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(got["explicit"][1], x.std(axis=0, ddof=1), rtol=1e-12)


def test_1_torch_differs_only_without_an_axis_and_agrees_when_the_correction_is_given():
    chainrule, torch_results = on_chainrule(VAR), on_torch(VAR)
    n = 12
    assert torch_results["default"][0] == pytest.approx(chainrule["default"][0] * n / (n - 1))
    compare(torch_results["default"][1:], chainrule["default"][1:])
    compare(torch_results["explicit"], chainrule["explicit"])


INT_FLOAT = """
    import torch
    a = torch.arange(4) / 4
    b = torch.arange(4, dtype=torch.float32) / 4
    results = {"implicit_is_float64": a.dtype == torch.float64, "values": a.tolist(),
               "explicit": [b.dtype == torch.float32, b.tolist(),
                            (torch.arange(4).float() / 4).dtype == torch.float32]}
"""


def test_2_integer_tensor_and_python_float_promote_to_float64():
    got = on_chainrule(INT_FLOAT)
    assert got["implicit_is_float64"] is True
    assert got["explicit"][0] and got["explicit"][2]


def test_2_torch_gives_the_default_dtype_and_the_explicit_spelling_agrees():
    torch_results, chainrule = on_torch(INT_FLOAT), on_chainrule(INT_FLOAT)
    assert torch_results["implicit_is_float64"] is False
    compare(torch_results["values"], chainrule["values"])
    compare(torch_results["explicit"], chainrule["explicit"])


RANDOM = """
    import torch
    torch.manual_seed(0)
    a = torch.randn(5).tolist()
    torch.manual_seed(0)
    results = {"first": a, "again": torch.randn(5).tolist()}
"""


def test_3_a_seed_is_reproducible_but_the_streams_are_the_libraries_own():
    got = on_chainrule(RANDOM)
    assert got["first"] == got["again"]
    assert not np.allclose(on_torch(RANDOM)["first"], got["first"])


DATA_MAX = """
    import numpy as np
    import torch
    out = torch.tensor(np.array([[0.1, 2.0, 0.3], [5.0, 0.2, 0.4]]))
    _, pred = out.data.max(1)                     # older tutorials' spelling
    results = {"data_max": pred,
               "same": [out.max(1)[1], torch.max(out, 1)[1], out.detach().max(1)[1]]}
"""


def test_4_data_max_with_a_dim_is_numpys_and_silently_gives_values():
    got = on_chainrule(DATA_MAX)
    np.testing.assert_array_equal(got["data_max"], 5.0)      # the second row's maximum
    for pred in got["same"]:
        np.testing.assert_array_equal(pred.data, [1, 0])     # the classes


def test_4_torch_gives_indices_and_the_tensor_spellings_agree():
    theirs = on_torch(DATA_MAX)
    np.testing.assert_array_equal(theirs["data_max"], [1, 0])
    compare(theirs["same"], on_chainrule(DATA_MAX)["same"])


DATA_METHODS = {
    "normal_": "w.data.normal_(0, 0.02)", "uniform_": "w.data.uniform_(-0.1, 0.1)",
    "fill_": "w.data.fill_(0)", "zero_": "w.grad.data.zero_()",
    "clamp_": "w.grad.data.clamp_(-1, 1)",
}


@pytest.mark.parametrize("method", sorted(DATA_METHODS))
def test_5_tensor_methods_on_data_are_not_there(method):
    source = f"""
        import torch
        w = torch.nn.Parameter(torch.ones(3))
        (w * w).sum().backward()
        {DATA_METHODS[method]}
        results = {{}}
    """
    with pytest.raises(AttributeError, match=f"'numpy.ndarray' object has no attribute "
                                             f"'{method}'"):
        on_chainrule(source)


def test_5_micrograd_style_data_update_is_a_type_error():
    with pytest.raises(TypeError):
        on_chainrule("""
            import torch
            p = torch.tensor([1.0, 2.0], requires_grad=True)
            (p * p).sum().backward()
            p.data -= 0.1 * p.grad
            results = {}
        """)


def test_5_the_no_grad_spellings_run_the_same_on_both():
    got = on_both_equal("""
        import numpy as np
        import torch
        p = torch.tensor([1.0, -3.0, 2.0], dtype=torch.float64, requires_grad=True)
        (p ** 3).sum().backward()
        with torch.no_grad():
            p -= 0.01 * p.grad
            p.grad.clamp_(-1, 1)
        clamped = p.grad.clone()
        p.grad.zero_()
        w = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
        with torch.no_grad():
            w.fill_(0.5)
        torch.nn.init.zeros_(w)
        results = {"p": p.detach().numpy().copy(), "clamped": clamped.numpy(),
                   "zeroed": p.grad.numpy().copy(), "w": w.detach().numpy().copy(),
                   "data_reads": [p.data.sum().item(), float(p.data.max())]}
    """)
    np.testing.assert_array_equal(got["zeroed"], 0)


def test_6_a_whole_module_is_not_saved_and_a_map_location_function_is_refused(tmp_path):
    import nn
    with pytest.raises(TypeError, match="save: cannot store obj, a Linear"):
        nn.save(nn.Linear(2, 2), tmp_path / "model.pt")
    nn.save(nn.Linear(2, 2).state_dict(), tmp_path / "model.pt")
    with pytest.raises(TypeError, match="map_location as a function"):
        nn.load(tmp_path / "model.pt", map_location=lambda storage, loc: storage)


STATE = """
    import copy
    import torch
    layer = torch.nn.Linear(2, 2)
    with torch.no_grad():
        layer.weight.fill_(1.0)
    sd = layer.state_dict()
    kept = copy.deepcopy(sd)
    try:
        sd["weight"].copy_(torch.zeros(2, 2))
        wrote = True
    except AttributeError:
        wrote = False
    results = {"model_changed": bool(layer.weight.sum().item() != 4.0), "wrote": wrote,
               "deepcopy": kept["weight"].sum().item()}
"""


def test_7_state_dict_values_are_numpy_copies():
    assert on_chainrule(STATE) == {"model_changed": False, "wrote": False, "deepcopy": 4.0}


def test_7_torch_state_dict_shares_memory_with_the_model():
    assert on_torch(STATE) == {"model_changed": True, "wrote": True, "deepcopy": 4.0}


def test_8_sizes_as_tensor_arguments_are_refused_and_empty_or_zeros_run():
    with pytest.raises(TypeError, match="keyword-only"):
        on_chainrule("import torch\nx = torch.Tensor(2, 3)\nresults = {}")
    got = on_chainrule("import torch\nresults = {'shape': list(torch.empty(2, 3).shape),"
                       " 'data': torch.Tensor([1.0, 2.0]).tolist()}")
    assert got == {"shape": [2, 3], "data": [1.0, 2.0]}


def test_9_floor_division_is_missing_and_the_floor_spelling_agrees():
    with pytest.raises(TypeError):
        on_chainrule("import torch\nresults = {'q': (torch.tensor([5, 7]) // 2).tolist()}")
    with pytest.raises(TypeError, match="rounding_mode"):
        on_chainrule("import torch\n"
                     "results = {'q': torch.div(torch.tensor([5, 7]), 2, rounding_mode='floor')}")
    on_both_equal("import torch\n"
                  "results = {'q': (torch.tensor([5, -7]) / 2).floor().long().tolist()}")


@pytest.mark.parametrize("call, option", [
    ("torch.nn.functional.max_pool2d(torch.ones(1, 1, 4, 4), 2, return_indices=True)",
     "return_indices"),
    ("torch.nn.MaxPool2d(2, return_indices=True)", "return_indices"),
    ("torch.nn.LSTM(4, 8, proj_size=2)", "proj_size"),
    ("torch.nn.functional.interpolate(torch.ones(1, 1, 4, 4), size=2, mode='bilinear', "
     "antialias=True)", "antialias"),
    ("torch.nn.Embedding(5, 2, sparse=True)", "sparse"),
])
def test_9_the_missing_options_are_named_errors(call, option):
    with pytest.raises(NotImplementedError, match=option):
        on_chainrule(f"import torch\nresults = {{'x': str({call})}}")


def test_10_tensorboard_is_outside_the_mapping_and_lives_in_viz():
    import viz
    assert hasattr(viz, "SummaryWriter")
    mapped = to_chainrule("from torch.utils.tensorboard import SummaryWriter\n")
    assert mapped == "from autograd.utils.tensorboard import SummaryWriter\n"
    with pytest.raises(ImportError):
        exec(mapped, {})


def test_11_the_cuda_idiom_takes_the_cpu_branch_and_cuda_calls_are_clear_errors():
    got = on_chainrule("""
        import torch
        device = "cuda" if torch.cuda.is_available() else "cpu"
        model = torch.nn.Linear(2, 1).to(device)
        results = {"device": device, "out": model(torch.ones(1, 2).to(device)).shape[1]}
    """)
    assert got == {"device": "cpu", "out": 1}
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        on_chainrule("import torch\nresults = {}\ntorch.nn.Linear(2, 1).cuda()")


EARLIER_USER = """
    import torch
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    h = x * 2
    y = h + 1                                   # recorded before the in-place change
    {fix}
    h.mul_(3)
    (y + h).sum().backward()
    results = {{"grad": x.grad}}
"""


def test_12_an_op_recorded_before_an_in_place_change_of_its_input_is_refused():
    with pytest.raises(RuntimeError, match=r"Add.backward: its input .* was modified by an "
                                           r"in-place op recorded in the graph.*clone"):
        on_chainrule(EARLIER_USER.format(fix=""))
    np.testing.assert_array_equal(on_torch(EARLIER_USER.format(fix=""))["grad"], [8.0, 8.0])


def test_12_the_clone_spelling_runs_the_same_on_both():
    got = on_both_equal(EARLIER_USER.format(fix="h = h.clone()"))
    np.testing.assert_array_equal(got["grad"].data if hasattr(got["grad"], "data")
                                  else got["grad"], [8.0, 8.0])


def test_12_in_place_ops_are_differentiated_as_pytorch_does():
    got = on_both_equal("""
        import torch
        w = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
        enc = torch.zeros(3, 3, dtype=torch.float64)      # seq2seq: encoder_outputs[ei] = ...
        for i in range(3):
            enc[i] = w * (i + 1)
        out = enc @ w
        out += w                                          # ResNet: out += identity
        out.relu_()
        out.sum().backward()
        results = {"out": out.detach(), "grad": w.grad}
    """)
    assert got["grad"] is not None


def test_13_casting_after_recording_a_graph_refuses_the_stale_graph():
    with pytest.raises(RuntimeError, match="modified"):
        on_chainrule("""
            import torch
            layer = torch.nn.Linear(2, 1)
            out = layer(torch.ones(1, 2)).sum()
            layer.double()
            out.backward()
            results = {}
        """)


def test_14_dtypes_print_as_numpy_names_and_compare_equal_to_torch_names():
    got = on_chainrule("""
        import torch
        x = torch.ones(2)
        results = {"str": str(x.dtype), "eq": x.dtype == torch.float32, "type": x.type()}
    """)
    assert got == {"str": "float32", "eq": True, "type": "autograd.FloatTensor"}


def test_15_lenient_where_torch_refuses():
    got = on_chainrule("""
        import torch
        results = {"numpy": torch.ones(2, requires_grad=True).numpy().tolist(),
                   "int_mean": torch.tensor([1, 2]).mean().item()}
    """)
    assert got == {"numpy": [1.0, 1.0], "int_mean": 1.5}


def test_16_worker_arguments_are_accepted_and_batches_are_the_same():
    got = on_chainrule("""
        import torch
        from torch.utils.data import DataLoader, TensorDataset
        ds = TensorDataset(torch.arange(10.0))
        serial = [b[0].tolist() for b in DataLoader(ds, batch_size=4)]
        workers = [b[0].tolist() for b in DataLoader(ds, batch_size=4, num_workers=2,
                                                     pin_memory=True)]
        results = {"same": serial == workers, "n": len(workers)}
    """)
    assert got == {"same": True, "n": 3}
