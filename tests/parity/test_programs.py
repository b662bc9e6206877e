"""The parity suite: PyTorch programs run unchanged on chainrule after the import mapping.

Each program in ``programs/`` is written once, for PyTorch. It runs as it is
with torch, and on chainrule after ``rewrite.to_chainrule`` (the README's
import table, nothing else); every value, gradient and per-step loss it
records must agree (float64, rtol 1e-9, atol 1e-10). Without torch the
comparisons skip and the chainrule runs still have to complete.
"""
import functools
import io
import tokenize
from pathlib import Path

import numpy as np
import pytest

from .harness import compare, run, worst_difference, ATOL, RTOL
from .rewrite import to_chainrule

PROGRAMS = sorted((Path(__file__).parent / "programs").glob("p*.py"))
IDS = [p.stem for p in PROGRAMS]


@functools.lru_cache(maxsize=None)
def chainrule_results(path):
    return run(to_chainrule(path.read_text()), "chainrule", f"{path.name} (chainrule)")


def test_the_suite_has_the_program_styles_the_issue_names():
    assert IDS == ["p01_polynomial_tensors", "p02_polynomial_autograd",
                   "p03_legendre_function", "p04_polynomial_nn_optim", "p05_nn_really",
                   "p06_cnn_dataloader", "p07_lstm", "p08_micrograd_mlp",
                   "p09_tensor_idioms"]


@pytest.mark.parametrize("path", PROGRAMS, ids=IDS)
def test_each_program_imports_torch_and_its_mapped_form_names_no_torch(path):
    source = path.read_text()
    assert "import torch" in source
    mapped = to_chainrule(source)
    names = {t.string for t in tokenize.generate_tokens(io.StringIO(mapped).readline)
             if t.type == tokenize.NAME}
    assert "torch" not in names


@pytest.mark.parametrize("path", PROGRAMS, ids=IDS)
def test_each_program_runs_on_chainrule_after_the_mapping(path):
    results = chainrule_results(path)
    assert results
    for key in results:       # every recorded figure is finite
        flat = [v for v in np.ravel(np.asarray(_numbers(results[key]), dtype=object))]
        assert all(np.isfinite(float(v)) for v in flat), key


def _numbers(value):
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _numbers(v)]
    if isinstance(value, (bool, str)) or value is None:
        return []
    array = np.asarray(value.detach().numpy() if hasattr(value, "detach") else value)
    return list(array.ravel().astype(np.float64)) if array.dtype.kind in "biuf" else []


@pytest.mark.parametrize("path", PROGRAMS, ids=IDS)
def test_each_program_agrees_with_torch(path):
    pytest.importorskip("torch")
    expected = run(path.read_text(), "torch", f"{path.name} (torch)")
    got = chainrule_results(path)
    compare(expected, got, rtol=RTOL, atol=ATOL)
    print(f"{path.stem}: worst relative difference {worst_difference(expected, got):.1e}")


def test_compare_catches_a_difference_anywhere():
    base = {"loss": [1.0, 0.5], "grads": {"w": np.ones((2, 2))}, "names": ["a"],
            "flag": True, "pair": [np.zeros(2), 3]}
    compare(base, base)
    for key, changed in [("loss", [1.0, 0.5 + 1e-6]), ("grads", {"w": np.eye(2)}),
                         ("names", ["b"]), ("flag", False), ("pair", [np.zeros(3), 3])]:
        with pytest.raises(AssertionError):
            compare(base, {**base, key: changed})
    with pytest.raises(AssertionError, match="keys differ"):
        compare(base, {"loss": [1.0, 0.5]})
