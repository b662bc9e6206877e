# Sourced by demo.sh and test.sh: create the project-local .venv and install chainrule into it.
# (A project-local venv because the top-level package name `autograd` clashes with HIPS
# autograd on PyPI: never install chainrule into an environment that has that one.)
# A half-made .venv (no pip, dangling python) is made again; if that fails, it says what to
# install and exits non-zero (see _venv_lib.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv_lib.sh
ensure_venv .venv "${PYTHON:-python3}" || exit 1
stamp=".venv/.chainrule-installed-$(cat setup.cfg pyproject.toml scripts/_venv.sh scripts/_venv_lib.sh scripts/chainrule_backend.py | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
    # setuptools as pyproject.toml asks (a new venv may bring an older one): builds without
    # isolation and tests/test_install.py run chainrule's build backend with this one.
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip "setuptools>=77"
    # viz (graphviz, graphviz-pure, matplotlib): the demo's report draws graphs and plots
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev,viz]"
    touch "$stamp"
fi
