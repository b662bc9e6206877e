"""Run one parity program on a library and compare two runs' results.

A program (tests/parity/programs/) is a plain PyTorch script that leaves its
figures in a module-level dict ``results``. ``run(source, library)`` executes
it as ``__main__`` in a fresh namespace, in a scratch directory, with the
process-wide settings it may change (default dtype, random state) restored
afterwards; ``compare(expected, got)`` checks every entry.

Example:
    >>> run("results = {'x': 1 + 1}", "chainrule")["x"]
    2
"""
import contextlib
import io
import os
import tempfile

import numpy as np

import autograd

__all__ = ["run", "normalize", "compare", "worst_difference", "RTOL", "ATOL"]

RTOL, ATOL = 1e-9, 1e-10      # float64 programs; the floor is 1e-6


@contextlib.contextmanager
def _isolated(library):
    """A scratch cwd, stdout captured, and the library's global settings restored."""
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        if library == "torch":
            import torch
            saved = (torch.get_default_dtype(), torch.get_rng_state(), torch.get_num_threads())
            torch.set_num_threads(1)         # small programs; threads only contend here
        else:
            saved = (autograd.get_default_dtype(), autograd.get_rng_state())
        os.chdir(scratch)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                yield
        finally:
            os.chdir(cwd)
            if library == "torch":
                torch.set_default_dtype(saved[0])
                torch.set_rng_state(saved[1])
                torch.set_num_threads(saved[2])
            else:
                autograd.set_default_dtype(saved[0])
                autograd.set_rng_state(saved[1])


def run(source, library, filename="<parity program>"):
    """Execute ``source`` as a script with ``library`` ('torch' or 'chainrule'); its ``results``.

    Example:
        >>> run("import autograd\\nresults = {'n': autograd.ones(3).sum().item()}", "chainrule")
        {'n': 3.0}
    """
    namespace = {"__name__": "__main__", "__file__": filename}
    with _isolated(library):
        exec(compile(source, filename, "exec"), namespace)
    if not isinstance(namespace.get("results"), dict):
        raise AssertionError(f"{filename}: the program left no dict named `results`")
    return namespace["results"]


def normalize(value):
    """A result as plain data: tensors of either library become ndarrays, containers recurse.

    Example:
        >>> normalize({"a": (autograd.tensor([1.0]), 2)})
        {'a': [array([1.], dtype=float32), 2]}
    """
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if hasattr(value, "detach") and hasattr(value, "numpy"):   # a tensor, either library's
        return np.array(value.detach().numpy())
    return value


def compare(expected, got, where="results", rtol=RTOL, atol=ATOL):
    """Assert ``got`` equals ``expected`` (numbers to rtol/atol, everything else exactly).

    Example:
        >>> compare({"loss": [1.0, 0.5]}, {"loss": [1.0, 0.5 + 1e-12]})
    """
    expected, got = normalize(expected), normalize(got)
    if isinstance(expected, dict):
        assert isinstance(got, dict), f"{where}: expected a dict, got {type(got).__name__}"
        assert sorted(got) == sorted(expected), \
            f"{where}: keys differ: {sorted(expected)} vs {sorted(got)}"
        for k in expected:
            compare(expected[k], got[k], f"{where}[{k!r}]", rtol, atol)
    elif isinstance(expected, (str, bool, type(None))) or (
            isinstance(expected, list) and expected and all(isinstance(v, str)
                                                            for v in expected)):
        assert got == expected, f"{where}: {got!r} != {expected!r}"
    elif isinstance(expected, list) and any(isinstance(v, (list, dict, np.ndarray))
                                            for v in expected):
        assert isinstance(got, list) and len(got) == len(expected), \
            f"{where}: expected {len(expected)} items, got {got!r}"
        for i, (e, g) in enumerate(zip(expected, got)):
            compare(e, g, f"{where}[{i}]", rtol, atol)
    else:
        e, g = np.asarray(expected), np.asarray(got)
        assert e.shape == g.shape, f"{where}: shape {g.shape} != {e.shape}"
        if e.dtype.kind == "b" or g.dtype.kind == "b":
            np.testing.assert_array_equal(g, e, err_msg=where)
        else:
            np.testing.assert_allclose(g.astype(np.float64), e.astype(np.float64),
                                       rtol=rtol, atol=atol, err_msg=where)


def worst_difference(expected, got):
    """The largest relative difference ``|a - b| / max(|a|, |b|, 1e-8)`` over all numbers.

    (The floor keeps gradients that are zero on one side and 1e-17 on the
    other from counting as 100 % apart; ATOL covers them in ``compare``.)

    Example:
        >>> worst_difference({"x": [1.0, 2.0]}, {"x": [1.0, 2.0 * (1 + 1e-12)]}) < 2e-12
        True
    """
    expected, got = normalize(expected), normalize(got)
    if isinstance(expected, dict):
        return max([worst_difference(expected[k], got[k]) for k in expected], default=0.0)
    if isinstance(expected, list) and any(isinstance(v, (list, dict, np.ndarray))
                                          for v in expected):
        return max([worst_difference(e, g) for e, g in zip(expected, got)], default=0.0)
    if isinstance(expected, (str, type(None))) or (isinstance(expected, list) and expected
                                                   and isinstance(expected[0], str)):
        return 0.0
    e = np.asarray(expected, dtype=np.float64)
    g = np.asarray(got, dtype=np.float64)
    if e.size == 0:
        return 0.0
    scale = np.maximum(np.maximum(np.abs(e), np.abs(g)), 1e-8)
    return float(np.max(np.abs(e - g) / scale))
