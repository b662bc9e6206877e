"""The README's code blocks run and print what the README says they print."""
import re
from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_readme_scalar_example_matches_micrograd(capsys):
    exec(compile(BLOCKS[0], "README-scalar", "exec"), {})
    assert "24.7041  dg/da = 138.8338  dg/db = 645.5773" in capsys.readouterr().out


def test_readme_batched_example_runs(capsys):
    exec(compile(BLOCKS[1], "README-batched", "exec"), {})
    assert "(4, 3) (3,)" in capsys.readouterr().out


def test_readme_training_example_learns(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                  # it writes moons.npz
    exec(compile(BLOCKS[2], "README-training", "exec"), {})
    accuracy = float(capsys.readouterr().out.split()[-1])
    assert accuracy >= 0.9
    assert (tmp_path / "moons.npz").exists()


def test_readme_viz_example_draws_the_graph(capsys):
    exec(compile(BLOCKS[3], "README-viz", "exec"), {})
    assert capsys.readouterr().out.split() == ["True", "-0.000545"]   # w * (1 - tanh(xw+1)**2)


def test_readme_custom_op_test_passes():
    namespace = {}
    exec(compile(BLOCKS[4], "README-custom-op", "exec"), namespace)
    namespace["test_cube_gradients"]()


def test_demo_loss_falls(capsys):
    import runpy
    module = runpy.run_path(str(Path(__file__).parent.parent / "examples" / "tiny_mlp.py"))
    final_loss, accuracy = module["main"](steps=60)
    lines = [l.split() for l in capsys.readouterr().out.splitlines()[1:]]
    losses = [float(parts[1]) for parts in lines]
    assert losses[-1] < 0.5 * losses[0]
    assert accuracy > 0.8


def test_readme_compile_example_traces_once_and_trains(capsys):
    block = next(b for b in BLOCKS if "@autograd.compile" in b)
    exec(compile(block, "README-compile", "exec"), {})
    traces, calls, loss = capsys.readouterr().out.split()
    assert traces == "1" and int(calls) > 10       # one trace, replayed 297 times
    assert float(loss) < 0.1                         # 0.011 on three OpenBLAS kernels
