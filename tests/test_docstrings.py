"""Every docstring example runs: the `>>>` lines of every module of the four packages are
doctests, checked here, so an example cannot rot unseen.

Rules: an ``Example:`` section holds ``>>>`` lines whose printed output is exact (NumPy
repr, Tensor repr); nothing is skipped (``+SKIP`` is not allowed); each module's examples
run with that module's globals, so they use only what the module imports or defines
itself (plus what the example imports). Modules that need an optional extra (TensorBoard,
Playwright, matplotlib, Dask) are skipped with the reason when the extra is missing.
"""
import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "optim", "viz")
OPTIONAL = ("tensorboard", "playwright", "matplotlib", "dask", "distributed", "graphviz",
            "hypothesis", "PIL")


def _modules():
    names = []
    for package in PACKAGES:
        names.append(package)
        path = ROOT / package
        for info in pkgutil.walk_packages([str(path)], prefix=f"{package}."):
            names.append(info.name)
    return sorted(names)


MODULES = _modules()


def _import(name):
    try:
        return importlib.import_module(name)
    except ImportError as e:
        missing = getattr(e, "name", "") or ""
        if missing.split(".")[0] in OPTIONAL:
            pytest.skip(f"{name} needs the optional {missing!r} (install the extra)")
        raise


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    module = _import(name)
    monkeypatch.chdir(tmp_path)             # examples that write files write them here
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    state = np.random.get_state()
    try:
        for test in _tests(finder, module, name):
            runner.run(test, out=lambda text: failures.append(text))
    finally:
        np.random.set_state(state)
    assert runner.failures == 0, "\n".join(failures)


def _tests(finder, module, name):
    """The module's doctests, including those of its decorated functions (hypothesis's
    ``@st.composite``, ``@contextlib.contextmanager``): doctest skips a function whose
    globals are another module's, so each module-level decorated function of this module
    (it has ``__wrapped__`` and this ``__module__``) is searched on its own."""
    tests = [t for t in finder.find(module, name, globs=dict(vars(module)))
             if t.examples and _belongs_to(t, module)]
    seen = {t.name for t in tests}
    for attr, value in sorted(vars(module).items()):
        if callable(value) and hasattr(value, "__wrapped__") \
                and getattr(value, "__module__", None) == module.__name__:
            for t in finder.find(value, f"{name}.{attr}", module=module,
                                 globs=dict(vars(module))):
                if t.examples and t.name not in seen:
                    seen.add(t.name)
                    tests.append(t)
    return tests


failures = []


@pytest.fixture(autouse=True)
def _clear_failures():
    failures.clear()
    yield


def _belongs_to(test, module):
    """Only the module's own objects: re-exported ones are tested where they are defined."""
    return test.filename is None or Path(test.filename).resolve() == \
        Path(module.__file__).resolve()


EXAMPLE = re.compile(r"^(\s*)Example[s]?:\s*$", re.M)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_example_section_is_a_doctest_and_none_is_skipped(package):
    unrun = []
    for path in sorted((ROOT / package).rglob("*.py")):
        text = path.read_text()
        if "+SKIP" in text:
            unrun.append(f"{path.relative_to(ROOT)}: uses +SKIP")
        for m in EXAMPLE.finditer(text):
            body = text[m.end():m.end() + 400].lstrip("\n")
            first = body.splitlines()[0].strip() if body.strip() else ""
            if not first.startswith(">>>"):
                line = text[:m.start()].count("\n") + 1
                unrun.append(f"{path.relative_to(ROOT)}:{line}: an Example section without >>>")
    assert not unrun, "\n".join(unrun)


@pytest.mark.parametrize("module, function", [
    ("autograd.testing", "tensors"), ("autograd.testing", "axes"),
    ("autograd.testing", "axes_and_keepdims"), ("nn.serialization", "atomic_write"),
])
def test_decorated_functions_examples_are_collected(module, function):
    names = {t.name for t in _tests(doctest.DocTestFinder(exclude_empty=True),
                                    _import(module), module)}
    assert f"{module}.{function}" in names
