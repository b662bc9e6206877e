# Sourced by demo.sh and test.sh: create the project-local .venv and install chainrule into it.
# (A project-local venv because the top-level package name `autograd` clashes with HIPS
# autograd on PyPI: never install chainrule into an environment that has that one.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
stamp=".venv/.chainrule-installed-$(cat setup.cfg pyproject.toml scripts/_venv.sh | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    # viz (graphviz, graphviz-pure, matplotlib): the demo's report draws graphs and plots
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev,viz]"
    touch "$stamp"
fi
