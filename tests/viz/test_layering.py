"""Dependencies point one way: autograd, nn and optim never import viz."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_core_packages_do_not_import_viz():
    code = ("import sys, autograd, nn, optim; "
            "print(sorted(m for m in sys.modules if m == 'viz' or m.startswith('viz.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
    pattern = re.compile(r"^\s*(import viz|from viz\b)", re.M)
    offenders = [str(p.relative_to(ROOT)) for pkg in ("autograd", "nn", "optim")
                 for p in (ROOT / pkg).rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
