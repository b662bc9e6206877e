"""The house's layering: dependencies point one way, and no package imports itself in a circle.

``autograd`` imports none of ``nn``, ``optim``, ``viz``; ``nn`` imports only ``autograd``;
``optim`` imports ``nn`` and ``autograd``; nothing of ours imports ``viz``. Checked twice:
statically, from every import statement of every file (parsed with ``ast``, relative imports
resolved; an import inside a function counts too, it is a dependency all the same), and at run
time, by what ``import autograd``, ``import nn`` and ``import optim`` load in a fresh
interpreter. Inside each package the files' module-level imports (the ones that run at import
time) must form no circle. The checker is tried on small fake packages that break each rule.
"""
import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "optim", "viz")
MAY_IMPORT = {"autograd": set(), "nn": {"autograd"}, "optim": {"autograd", "nn"},
              "viz": {"autograd", "nn", "optim"}}


# -- the checker ----------------------------------------------------------------------------

def package_modules(root, package):
    """``{dotted module name: file}`` for every .py file of ``package`` under ``root``."""
    modules = {}
    for path in sorted((Path(root) / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _statements(body, module_level):
    """The import statements of ``body``; with ``module_level``, only those run at import time
    (not inside a function; class bodies and if/try/with blocks do run)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not module_level:
                yield from _statements(node.body, module_level)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _statements([child], module_level)
                elif isinstance(child, (ast.excepthandler, ast.match_case)):
                    yield from _statements(child.body, module_level)


def imports_of(module, path, known=(), module_level=False):
    """``[(imported module, line)]`` for the file ``path`` of ``module``: relative imports
    resolved; ``from X import a`` names ``X.a`` when that is a module in ``known``, else ``X``."""
    is_package = path.name == "__init__.py"
    found = []
    for node in _statements(ast.parse(path.read_text(), str(path)).body, module_level):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
            continue
        base = node.module or ""
        if node.level:
            parts = module.split(".")[:len(module.split(".")) - node.level + is_package]
            base = ".".join(parts + ([node.module] if node.module else []))
        for alias in node.names:
            full = f"{base}.{alias.name}"
            found.append((full if full in known else base, node.lineno))
    return found


def layering_violations(root, may_import=MAY_IMPORT):
    """One line per import of a package this package may not import (``may_import``)."""
    problems = []
    for package, allowed in may_import.items():
        for module, path in package_modules(root, package).items():
            for target, line in imports_of(module, path):
                top = target.split(".")[0]
                if top in may_import and top != package and top not in allowed:
                    may = ("only " + ", ".join(sorted(allowed)) if allowed
                           else "nothing of ours")
                    problems.append(f"{path.relative_to(root)}:{line}: {module} imports "
                                    f"{target}, but {package} may import {may}")
    return problems


def import_graph(root, package):
    """``{module: {modules of the same package it imports at import time}}``.

    Importing ``a.b.c`` also runs ``a`` and ``a.b``; those count too, except the
    importing module's own parent packages, which are always already being imported.
    """
    modules = package_modules(root, package)
    graph = {}
    for module, path in modules.items():
        parents = {".".join(module.split(".")[:k]) for k in range(1, module.count(".") + 1)}
        edges = set()
        for target, _ in imports_of(module, path, modules, module_level=True):
            parts = target.split(".")
            edges |= {".".join(parts[:k]) for k in range(1, len(parts) + 1)}
        graph[module] = {t for t in edges if t in modules and t not in parents and t != module}
    return graph


def import_cycles(graph):
    """Each circle of the graph as a path ``[a, b, ..., a]`` (one per strongly connected set)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):                      # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                members.add(w)
                if w == v:
                    break
            if len(members) > 1:
                cycles.append(_circle(graph, members))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def _circle(graph, members):
    """A shortest path from the first member back to itself, inside ``members``."""
    start = min(members)
    paths, seen = [[start]], set()
    while paths:
        path = paths.pop(0)
        for w in sorted(graph[path[-1]] & members):
            if w == start:
                return path + [start]
            if w not in seen:
                seen.add(w)
                paths.append(path + [w])
    raise AssertionError("a strongly connected set always has a circle")


def runtime_imports(statement):
    """The modules of ours and the heavy third-party ones a fresh interpreter has loaded
    after ``statement``."""
    code = (f"import sys, json\n{statement}\n"
            "tops = ('autograd', 'nn', 'optim', 'viz', 'dask', 'distributed', 'matplotlib')\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in tops)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True, timeout=120)
    return json.loads(out.stdout.splitlines()[-1])


# -- the house ------------------------------------------------------------------------------

def test_no_package_imports_a_package_above_it():
    assert layering_violations(ROOT) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_circle_between_the_files_of_a_package(package):
    graph = import_graph(ROOT, package)
    assert len(graph) > 3
    assert import_cycles(graph) == []


def test_importing_a_package_loads_only_what_it_may():
    loaded = runtime_imports("import autograd")
    assert loaded and all(m.split(".")[0] == "autograd" for m in loaded)
    loaded = runtime_imports("import nn")
    assert "nn.data" in loaded and {m.split(".")[0] for m in loaded} == {"autograd", "nn"}


@pytest.mark.parametrize("statement", ["import optim", "import optim.sgd",
                                       "from optim.lr_scheduler import StepLR"])
def test_optimizers_and_schedules_load_without_nn_dask_or_matplotlib(statement):
    loaded = runtime_imports(statement)
    assert "optim.optimizer" in loaded
    assert {m.split(".")[0] for m in loaded} == {"autograd", "optim"}
    assert not any(m.startswith(("optim.training", "optim.checks", "optim.search"))
                   for m in loaded)


def test_the_rooms_load_on_first_use_and_nothing_loads_viz():
    loaded = runtime_imports("import optim\noptim.fit, optim.Diagnostics, optim.random_search")
    assert {"optim.training.fit", "optim.checks.diagnostics", "optim.search.strategies",
            "nn.data"} <= set(loaded)
    assert not any(m.split(".")[0] in ("viz", "matplotlib", "dask", "distributed")
                   for m in loaded)


FACES = ("autograd", "autograd.ops", "nn", "nn.functional", "nn.data", "nn.utils", "viz", "viz.tensorboard", "optim",
         "optim.lr_scheduler", "optim.training", "optim.checks", "optim.search")


@pytest.mark.parametrize("face", FACES)
def test_each_face_lists_its_public_names_once(face):
    """One ``__all__``, assigned in one piece; every name in it is there, none twice."""
    path = ROOT.joinpath(*face.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(path.read_text())
    assigned = [node for node in ast.walk(tree)
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                and any(isinstance(t, ast.Name) and t.id == "__all__"
                        for t in (node.targets if isinstance(node, ast.Assign) else
                                  [node.target]))]
    assert len(assigned) == 1 and isinstance(assigned[0], ast.Assign), face
    if face == "viz.tensorboard":
        pytest.importorskip("tensorboard")
    module = __import__(face, fromlist=["__all__"])
    assert len(module.__all__) == len(set(module.__all__))
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


# -- the checker on small packages that break the rules ---------------------------------------

def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_the_checker_finds_a_package_importing_upwards(tmp_path):
    write(tmp_path, {
        "autograd/__init__.py": "from .tensor import Tensor\n",
        "autograd/tensor.py": "import numpy\nclass Tensor:\n    pass\n",
        "autograd/ops/__init__.py": "from ...nn import Module  # resolved: nn\n",
        "nn/__init__.py": "from autograd import Tensor\nfrom .layers import Linear\n",
        "nn/layers.py": "def fit():\n    from optim.training import fit  # lazy, still counts\n",
        "optim/__init__.py": "import nn\nimport autograd.tensor\n",
        "viz/__init__.py": "import optim\n",
    })
    problems = layering_violations(tmp_path)
    assert len(problems) == 2, problems
    assert problems == [
        "autograd/ops/__init__.py:1: autograd.ops imports nn, but autograd may import nothing "
        "of ours",
        "nn/layers.py:2: nn.layers imports optim.training, but nn may import only autograd"]


def test_the_checker_finds_an_import_circle_and_only_real_ones(tmp_path):
    write(tmp_path, {
        "nn/__init__.py": "from .module import Module\nfrom .container import Sequential\n",
        "nn/module.py": ("from autograd import Tensor\nclass Module:\n    pass\n"
                         "from .container import Sequential  # re-export: the circle\n"),
        "nn/container.py": "from .module import Module\nclass Sequential(Module):\n    pass\n",
        "nn/data/__init__.py": "from .loader import DataLoader\n",
        "nn/data/loader.py": "from ..module import Module\nfrom . import sampler\n",
        "nn/data/sampler.py": ("def make():\n    from .loader import DataLoader  # lazy: no circle\n"
                               "    return DataLoader\n"),
    })
    graph = import_graph(tmp_path, "nn")
    assert graph["nn.data.loader"] == {"nn.module", "nn.data.sampler"}   # parents left out
    assert graph["nn.data.sampler"] == set()
    assert import_cycles(graph) == [["nn.container", "nn.module", "nn.container"]]
    write(tmp_path, {"nn/module.py": "from autograd import Tensor\nclass Module:\n    pass\n"})
    assert import_cycles(import_graph(tmp_path, "nn")) == []


def test_the_checker_counts_imports_that_run_at_import_time(tmp_path):
    write(tmp_path, {
        "optim/__init__.py": "",
        "optim/a.py": """\
            try:
                from .b import x
            except ImportError:
                x = None
            class Uses:
                from .c import y
            def lazy():
                from .d import z
            """,
        "optim/b.py": "from .a import Uses\n",
        "optim/c.py": "",
        "optim/d.py": "from .a import Uses\n",
    })
    graph = import_graph(tmp_path, "optim")
    assert graph["optim.a"] == {"optim.b", "optim.c"}
    assert import_cycles(graph) == [["optim.a", "optim.b", "optim.a"]]
