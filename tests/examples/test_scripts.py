"""The example scripts as users start them: as files or modules, one claim script's command
line, the lecture entry point's options, and no environment changed by an import."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ["activations", "batch_norm", "char_lstm", "deep_xor", "lecture", "lr_schedules",
           "optimizers", "regularization", "sanity_checks", "search", "train_digits_convnet",
           "train_mnist_mlp", "weight_init"]


def _run(args, **kwargs):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, *args], cwd=kwargs.get("cwd", ROOT), env=env,
                          capture_output=True, text=True, timeout=900)


def test_importing_the_examples_sets_no_environment_variable():
    code = ("import os, importlib\n"
            "before = dict(os.environ)\n"
            f"for name in {SCRIPTS!r}:\n"
            "    importlib.import_module('examples.' + name)\n"
            "changed = {k for k in set(before) | set(os.environ) "
            "if before.get(k) != os.environ.get(k)}\n"
            "print(sorted(changed))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS", "MKL", "OMP"))}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_claim_script_runs_as_a_file_from_anywhere(tmp_path):
    proc = _run([str(ROOT / "examples" / "sanity_checks.py"), "--smoke", "--seeds", "3",
                 "--out", str(tmp_path)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["seeds"] == [0, 1, 2] and results["smoke"]
    keys = [c["key"] for c in results["claims"]]
    assert keys == ["initial-loss-ln-c", "initial-loss-reg-rise", "overfit-small-sample",
                    "mlp-784-15-10-parameters"]
    for c in results["claims"]:
        assert f"[{c['key']}]" in proc.stdout and f"=> {c['verdict']['text']}" in proc.stdout
    assert (tmp_path / "initial_loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_lecture_runs_chosen_experiments_in_process(tmp_path):
    proc = _run(["-m", "examples.lecture", "--smoke", "--only",
                 "sanity_checks.parameter_count", "--jobs", "1", "--seed", "4", "--out",
                 str(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert [c["key"] for c in results["claims"]] == ["mlp-784-15-10-parameters"]
    assert results["seeds"] == [4, 5, 6] and results["timing"]["jobs"] == 1
    assert list(results["timing"]["experiments"]) == ["sanity_checks.parameter_count"]
    page = (tmp_path / "lecture.html").read_text(encoding="utf-8")
    assert 'id="mlp-784-15-10-parameters"' in page and "1 claims; seeds [4, 5, 6]" in page
    assert oct((tmp_path / "lecture.html").stat().st_mode & 0o777) != oct(0o600)
    bad = _run(["-m", "examples.lecture", "--only", "activations.nope", "--out",
                str(tmp_path / "bad")])
    assert bad.returncode != 0 and "unknown experiments ['activations.nope']" in bad.stderr


@pytest.mark.parametrize("name", ["activations", "lecture", "train_mnist_mlp"])
def test_scripts_answer_help_as_files(name):
    proc = _run([str(ROOT / "examples" / f"{name}.py"), "--help"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage:")


def test_scripts_set_one_blas_thread_through_one_helper_before_numpy_loads():
    # the helper's module loads no NumPy, so a script can call it first thing
    code = ("import os, sys\n"
            "sys.path.insert(0, 'examples')              # as when a script runs as a file\n"
            "import _common\n"
            "assert 'numpy' not in sys.modules and 'nn' not in sys.modules\n"
            "package = _common.as_script(MPLBACKEND='Agg')\n"
            "import examples._common\n"
            "print(package, os.environ['OPENBLAS_NUM_THREADS'], os.environ['MPLBACKEND'])\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENBLAS", "MKL", "OMP", "MPLBACKEND"))}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["examples", "1", "Agg"]
    kept = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=dict(env, OPENBLAS_NUM_THREADS="3"))
    assert kept.stdout.split()[1] == "3"                  # a value already set is kept
    for name in SCRIPTS:
        text = (ROOT / "examples" / f"{name}.py").read_text(encoding="utf-8")
        head = text[:text.index("\nimport ")]            # before the script's first import
        assert ".as_script(" in head and "os.environ" not in text, name
