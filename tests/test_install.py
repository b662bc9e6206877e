"""Installing next to HIPS autograd, half-made venvs, the README's run command, clean metadata.

The HIPS autograd used here is a stand-in laid out as pip lays out the real one (autograd 1.9.1:
a package without `Tensor`, a dist-info whose RECORD lists its files), so the tests run offline.
"""
import configparser
import doctest
import importlib
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
TIMEOUT = 120


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)


def make_fake_hips(site):
    """Lay out HIPS autograd 1.9.1 in ``site`` as pip installs it: the package and its dist-info."""
    package = site / "autograd"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent('''\
        """HIPS autograd stand-in: function transforms, no Tensor class."""
        def grad(fun, argnum=0):
            raise NotImplementedError
        elementwise_grad = value_and_grad = grad
        '''))
    info = site / "autograd-1.9.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: autograd\nVersion: 1.9.1\n"
        "Project-URL: Source, https://github.com/HIPS/autograd\n")
    (info / "RECORD").write_text(
        "autograd/__init__.py,,\nautograd-1.9.1.dist-info/METADATA,,\n"
        "autograd-1.9.1.dist-info/RECORD,,\n")
    return site


def import_in_subprocess(statement, path_first, cwd):
    """Run ``statement`` in a fresh interpreter with ``path_first`` ahead of this checkout."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(path_first), str(REPO)]))
    return run([sys.executable, "-c", statement], cwd=cwd, env=env)


# --- nn, optim and viz check which `autograd` they got -----------------------------------------

@pytest.mark.parametrize("package", ["nn", "optim", "viz"])
def test_importing_with_hips_autograd_first_raises_an_import_error_that_names_clash_and_fix(
        package, tmp_path):
    site = make_fake_hips(tmp_path / "site")
    result = import_in_subprocess(f"import {package}", site, tmp_path)
    assert result.returncode != 0
    err = result.stderr
    assert "ImportError: chainrule's nn, optim and viz need chainrule's `autograd` package" in err
    assert str(site / "autograd" / "__init__.py") in err
    assert "installed by the distribution 'autograd' 1.9.1: HIPS autograd" in err
    assert "python3 -m venv .venv" in err and "scripts/_venv.sh" in err
    assert "cannot import name" not in err          # the check runs before any `from autograd`


def test_a_folder_named_autograd_in_the_current_directory_is_named_as_the_culprit(tmp_path):
    (tmp_path / "autograd").mkdir()
    (tmp_path / "autograd" / "__init__.py").write_text("")
    result = import_in_subprocess("import nn", tmp_path, tmp_path)
    assert result.returncode != 0
    assert "not from any installed distribution" in result.stderr
    assert "rename it" in result.stderr


def test_chainrule_autograd_passes_and_its_marker_is_the_distribution_version():
    import autograd
    import nn
    import optim
    import viz  # noqa: F401
    from nn import _autograd_check as check

    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    assert autograd.__chainrule__ == cfg["metadata"]["version"]
    assert check.is_chainrule_autograd(autograd)
    check.check_autograd(autograd)
    assert nn.Linear and optim.SGD


def test_the_check_tells_modules_apart_by_marker_or_by_tensor_and_function():
    from nn._autograd_check import check_autograd, is_chainrule_autograd

    hips_like = types.ModuleType("autograd")
    hips_like.grad = lambda f: f
    assert not is_chainrule_autograd(hips_like)
    with pytest.raises(ImportError, match="found another one"):
        check_autograd(hips_like)
    marked = types.ModuleType("autograd")
    marked.__chainrule__ = "0.1.0"
    assert is_chainrule_autograd(marked)
    unmarked = types.ModuleType("autograd")         # a checkout from before the marker
    unmarked.Tensor, unmarked.Function = type("Tensor", (), {}), type("Function", (), {})
    assert is_chainrule_autograd(unmarked)


def load_backend():
    sys.path.insert(0, str(SCRIPTS))
    try:
        return importlib.import_module("chainrule_backend")
    finally:
        sys.path.remove(str(SCRIPTS))


@pytest.mark.parametrize("module", ["nn._autograd_check", "backend"])
def test_docstring_examples_run(module):
    mod = load_backend() if module == "backend" else importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --- the build backend refuses an environment that has HIPS autograd ---------------------------

def test_backend_finds_hips_autograd_and_unowned_folders_but_not_chainrule_itself(tmp_path):
    backend = load_backend()
    site = make_fake_hips(tmp_path / "site")
    (site / "nn").mkdir()                            # chainrule's own files (a normal install)
    (site / "nn" / "__init__.py").write_text("")
    own = site / "chainrule-0.1.0.dist-info"
    own.mkdir()
    (own / "METADATA").write_text("Metadata-Version: 2.4\nName: chainrule\nVersion: 0.1.0\n")
    (own / "RECORD").write_text("nn/__init__.py,,\nchainrule-0.1.0.dist-info/RECORD,,\n")
    (site / "viz.py").write_text("")                 # a stray module no distribution owns
    (site / "numpy").mkdir()                         # not one of chainrule's names

    clashes = backend.find_clashes([site])
    assert clashes == [(str(site.resolve() / "autograd"), "autograd 1.9.1"),
                       (str(site.resolve() / "viz"), None)]
    message = backend.clash_message(clashes)
    assert "autograd 1.9.1 (HIPS autograd)" in message and "not owned by any" in message
    assert "python3 -m venv .venv" in message and backend.ALLOW_ENV in message


def test_backend_sees_no_clash_in_the_environment_the_scripts_make():
    backend = load_backend()
    assert backend.find_clashes(backend.site_dirs()) == []


def test_backend_hooks_refuse_a_clash_and_warn_instead_when_allowed(tmp_path, monkeypatch):
    backend = load_backend()
    site = make_fake_hips(tmp_path / "site")
    monkeypatch.setattr(backend, "site_dirs", lambda: [str(site)])
    monkeypatch.delenv(backend.ALLOW_ENV, raising=False)
    for hook in ("get_requires_for_build_wheel", "prepare_metadata_for_build_wheel",
                 "build_wheel", "get_requires_for_build_editable",
                 "prepare_metadata_for_build_editable", "build_editable"):
        with pytest.raises(backend.NameClashError, match="cannot be installed") as info:
            getattr(backend, hook)(str(tmp_path / "out"))
        assert info.value.code.startswith("chainrule cannot be installed")   # exit message
    monkeypatch.setenv(backend.ALLOW_ENV, "1")
    with pytest.warns(UserWarning, match="HIPS autograd"):
        backend.check_environment()


def require_build_setuptools():
    """These tests run chainrule's build backend with this environment's setuptools."""
    import setuptools
    version = tuple(int(part) for part in setuptools.__version__.split(".")[:2])
    assert version >= (77, 0), (
        f"setuptools {setuptools.__version__} is older than pyproject.toml's setuptools>=77; "
        f"scripts/_venv.sh installs it (pip install --upgrade 'setuptools>=77')")


def fake_hips_venv(tmp_path):
    """A real venv (without pip, which it borrows from this one) that has HIPS autograd."""
    venv = tmp_path / "hips-venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                        "['purelib'])"]).stdout.strip())
    make_fake_hips(site)
    here = run([sys.executable, "-c", "import pip, os; print(os.path.dirname(os.path.dirname("
                                      "pip.__file__)))"]).stdout.strip()
    (site / "zz-borrow-pip.pth").write_text(here + "\n")   # pip and setuptools from this venv
    return python, site


@pytest.mark.slow
def test_pip_install_next_to_hips_autograd_refuses_and_if_forced_the_imports_explain(tmp_path):
    require_build_setuptools()
    python, site = fake_hips_venv(tmp_path)
    install = [str(python), "-m", "pip", "install", "--no-build-isolation", "--no-deps",
               "--no-index", "--disable-pip-version-check", "-e", str(REPO)]
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_ALLOW_NAME_CLASH"}
    result = run(install, env=env)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "chainrule cannot be installed into this environment" in out
    assert "from the distribution autograd 1.9.1 (HIPS autograd)" in out
    assert "Traceback" not in out
    assert not list(site.glob("chainrule-*.dist-info"))

    result = run(install, env=dict(env, CHAINRULE_ALLOW_NAME_CLASH="1"))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "chainrule cannot be installed into this environment" in out      # as a warning
    result = run([str(python), "-c", "import optim"], cwd=tmp_path)
    assert result.returncode != 0
    assert "'autograd' 1.9.1: HIPS autograd" in result.stderr


# --- metadata: no licence-classifier warning, the backend ships in the sdist -------------------

def copy_project(dest):
    for name in ("autograd", "nn", "optim", "viz", "scripts"):
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "setup.cfg", "pyproject.toml", "MANIFEST.in"):
        shutil.copy(REPO / name, dest / name)
    return dest


BUILD = textwrap.dedent("""\
    import os, sys, tarfile, warnings
    sys.path.insert(0, "scripts")
    os.makedirs("meta")
    import chainrule_backend as backend
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        info = backend.prepare_metadata_for_build_wheel("meta")
        sdist = backend.build_sdist("dist")
    print("WARNINGS", [str(w.message).splitlines()[0] for w in caught
                       if "licen" in str(w.message).lower()])
    print(open(f"meta/{info}/METADATA").read())
    print("SDIST", *tarfile.open(f"dist/{sdist}").getnames())
    """)


def test_metadata_has_a_licence_expression_no_classifier_and_no_warning(tmp_path):
    require_build_setuptools()
    project = copy_project(tmp_path / "project")
    result = run([sys.executable, "-c", BUILD], cwd=project)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "WARNINGS []" in out
    assert "License :: " not in out + result.stderr
    assert "License-Expression: MIT" in out
    assert "chainrule-0.1.0/scripts/chainrule_backend.py" in out      # sdists can build


def test_pyproject_asks_for_the_setuptools_that_understands_license_expression():
    build = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]
    assert build["requires"] == ["setuptools>=77"]       # 77.0: PEP 639 license expressions
    assert build["build-backend"] == "chainrule_backend" and build["backend-path"] == ["scripts"]


# --- the quick-start scripts recover from a half-made .venv -------------------------------------

STUB_PYTHON_WITH_PIP = """#!/bin/bash
echo "venv-python $*" >> "$CALLS"
exit 0
"""
STUB_PYTHON_WITHOUT_PIP = """#!/bin/bash
echo "venv-python $*" >> "$CALLS"
[ "$1 $2" = "-m pip" ] && { echo "No module named pip" >&2; exit 1; }
exit 0
"""


def write_exe(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def make_venv_dir(venv, python_stub):
    """A venv folder as `python -m venv` leaves it: pyvenv.cfg and bin/python."""
    venv.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    write_exe(venv / "bin" / "python", python_stub)


def fake_system_python(tmp_path, venv_works, virtualenv=False):
    """A stand-in for the system python3. ``-m venv DIR`` makes a working venv, or (when not
    ``venv_works``, as on Debian/Ubuntu without python3-venv) prints venv's ensurepip error,
    leaves DIR without pip and exits 1. ``-m virtualenv`` exists only when ``virtualenv``."""
    system = tmp_path / "system"
    with_pip = write_exe(system / "with-pip", STUB_PYTHON_WITH_PIP)
    without_pip = write_exe(system / "without-pip", STUB_PYTHON_WITHOUT_PIP)
    venv = (f'make "$3" {with_pip}; exit 0' if venv_works else
            f'make "$3" {without_pip}; echo "The virtual environment was not created '
            f'successfully because ensurepip is not available. On Debian/Ubuntu systems, you '
            f'need to install the python3-venv package." >&2; exit 1')
    virtualenv = (f'[ "$3" = --version ] && exit 0; make "$4" {with_pip}; exit 0' if virtualenv
                  else 'echo "No module named virtualenv" >&2; exit 1')
    return write_exe(system / "python3", f"""#!/bin/bash
echo "system-python $*" >> "$CALLS"
make() {{ mkdir -p "$1/bin"; echo "home = /usr/bin" > "$1/pyvenv.cfg"; cp "$2" "$1/bin/python"; }}
case "$1 $2" in
  "-c import sys"*) echo 3.11 ;;
  "-m venv") {venv} ;;
  "-m virtualenv") {virtualenv} ;;
  *) exit 1 ;;
esac
""")


def ensure_venv(venv, python, calls):
    command = f'source "{SCRIPTS}/_venv_lib.sh"; ensure_venv "$1" "$2"'
    return run(["bash", "-c", command, "bash", str(venv), str(python)],
               env=dict(os.environ, CALLS=str(calls)))


def test_a_real_venv_without_pip_counts_as_broken_and_a_real_working_one_does_not(tmp_path):
    venv = tmp_path / "half"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    check = f'source "{SCRIPTS}/_venv_lib.sh"; venv_works "$1"'
    assert run(["bash", "-c", check, "bash", str(venv)]).returncode == 1
    assert run(["bash", "-c", check, "bash", sys.prefix]).returncode == 0


def test_a_half_made_venv_is_removed_and_made_again(tmp_path):
    venv, calls = tmp_path / ".venv", tmp_path / "calls"
    make_venv_dir(venv, STUB_PYTHON_WITHOUT_PIP)
    (venv / "stale").write_text("")
    result = ensure_venv(venv, fake_system_python(tmp_path, venv_works=True), calls)
    assert result.returncode == 0, result.stderr
    assert "is not a working virtual environment" in result.stderr
    assert not (venv / "stale").exists() and (venv / "bin" / "python").exists()
    assert f"system-python -m venv {venv}" in calls.read_text()


def test_a_dangling_venv_python_is_made_again(tmp_path):
    venv, calls = tmp_path / ".venv", tmp_path / "calls"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /gone\n")
    (venv / "bin" / "python").symlink_to(tmp_path / "gone" / "python3.9")
    result = ensure_venv(venv, fake_system_python(tmp_path, venv_works=True), calls)
    assert result.returncode == 0, result.stderr
    assert (venv / "bin" / "python").resolve().is_file()


def test_without_python3_venv_it_says_what_to_install_removes_the_half_made_venv_and_retries(
        tmp_path):
    venv, calls = tmp_path / ".venv", tmp_path / "calls"
    make_venv_dir(venv, STUB_PYTHON_WITHOUT_PIP)
    python = fake_system_python(tmp_path, venv_works=False)
    for attempt in (1, 2):                           # not "failing forever": each run tries again
        result = ensure_venv(venv, python, calls)
        assert result.returncode == 1
        err = result.stderr
        assert "could not make a working virtual environment" in err
        assert "ensurepip is not available" in err                 # what venv itself said
        assert "apt-get install python3-venv" in err and "python3.11-venv" in err
        assert "pip install --user virtualenv" in err
        assert not venv.exists()
        assert calls.read_text().count(f"system-python -m venv {venv}") == attempt


def test_virtualenv_is_the_fallback_where_venv_cannot(tmp_path):
    venv, calls = tmp_path / ".venv", tmp_path / "calls"
    python = fake_system_python(tmp_path, venv_works=False, virtualenv=True)
    result = ensure_venv(venv, python, calls)
    assert result.returncode == 0, result.stderr
    assert f"system-python -m virtualenv -q {venv}" in calls.read_text()
    assert run([str(venv / "bin" / "python"), "-m", "pip", "--version"],
               env=dict(os.environ, CALLS=str(calls))).returncode == 0


def test_a_dot_venv_that_is_not_a_venv_is_left_alone(tmp_path):
    venv, calls = tmp_path / ".venv", tmp_path / "calls"
    venv.mkdir()
    (venv / "notes.txt").write_text("mine")
    result = ensure_venv(venv, fake_system_python(tmp_path, venv_works=True), calls)
    assert result.returncode == 1
    assert "not a virtual environment" in result.stderr
    assert (venv / "notes.txt").read_text() == "mine"


def copy_scripts(dest):
    shutil.copytree(SCRIPTS, dest / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "pyproject.toml"):
        shutil.copy(REPO / name, dest / name)
    return dest


def test_demo_sh_recovers_a_half_made_venv_then_installs_and_runs(tmp_path):
    project, calls = copy_scripts(tmp_path / "project"), tmp_path / "calls"
    make_venv_dir(project / ".venv", STUB_PYTHON_WITHOUT_PIP)
    python = fake_system_python(tmp_path, venv_works=True)
    result = run(["bash", str(project / "scripts" / "demo.sh"), "--smoke"],
                 env=dict(os.environ, CALLS=str(calls), PYTHON=str(python)))
    assert result.returncode == 0, result.stderr
    log = calls.read_text()
    assert "venv-python -m pip install -q --disable-pip-version-check -e .[dev,viz]" in log
    assert log.strip().endswith("venv-python examples/deep_xor.py --smoke")


@pytest.mark.parametrize("script", ["demo.sh", "test.sh"])
def test_scripts_stop_with_the_message_when_no_venv_can_be_made(script, tmp_path):
    project, calls = copy_scripts(tmp_path / "project"), tmp_path / "calls"
    make_venv_dir(project / ".venv", STUB_PYTHON_WITHOUT_PIP)
    python = fake_system_python(tmp_path, venv_works=False)
    result = run(["bash", str(project / "scripts" / script)],
                 env=dict(os.environ, CALLS=str(calls), PYTHON=str(python)))
    assert result.returncode == 1
    assert "apt-get install python3-venv" in result.stderr
    assert f"PYTHON=/path/to/python3 bash {project / 'scripts' / script}" in result.stderr
    assert not (project / ".venv").exists()
    assert "venv-python -m pip install" not in calls.read_text()


# --- the README says how to run an example -------------------------------------------------------

def test_readme_quick_start_runs_examples_with_the_venv_python():
    readme = (REPO / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "\n.venv/bin/python examples/tiny_mlp.py" in quick_start
    assert "source .venv/bin/activate" in quick_start
    assert "`python examples/tiny_mlp.py` is" not in quick_start
