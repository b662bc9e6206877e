"""Every notebook in notebooks/ runs top to bottom in a fresh kernel and shows its pictures inline.

Each notebook is executed with nbclient in an ipykernel kernel started from this interpreter
(the project's .venv under scripts/test.sh and .ci/run), with notebooks/ as its working
directory, a time limit per cell and one per notebook, the user's IPython profile left out, and
network connections refused inside the kernel: a guard cell, run before the notebook's own cells
and never stored, lets sockets reach only loopback addresses and Unix sockets and resolve only
local names (the kernel's own channels are ZeroMQ sockets on loopback and are not affected).

The stored notebooks carry no outputs (checked below); the executed copy must hold the rich
displays: ``viz.draw_graph`` as image/svg+xml, ``viz.explore`` as text/html with its iframe,
viz's matplotlib figures as image/png.
"""
import asyncio
import base64
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed: "
                               "pip install -e '.[notebooks]'")
nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is not installed: "
                               "pip install -e '.[notebooks]'")
pytest.importorskip("ipykernel", reason="the notebooks extra is not installed: "
                    "pip install -e '.[notebooks]'")
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 180          # seconds, per cell
NOTEBOOK_TIMEOUT = 300      # seconds, per notebook (a 2-core machine shared with other tests)

# What each notebook must display, counted by output MIME type in the executed copy, and
# text its printed output must contain (a tuple: any one of its strings).
DISPLAYS = {
    "01_scalar_graph": {"image/svg+xml": 1, "text/html": 1},      # draw_graph, viz.explore
    "02_custom_op": {},
    "03_deep_xor": {"image/svg+xml": 1, "image/png": 5},          # draw_graph, five plots
    "04_tensorboard": {},
}
PRINTED = {
    "01_scalar_graph": ["g = 24.7041   dg/da = 138.8338   dg/db = 645.5773", "do/dx1 = -1.5000",
                        "all agree: 5 leaves"],
    # both wrong backwards caught: gradcheck (also under hypothesis, with its shrunk example)
    # and gradgradcheck with the reason
    "02_custom_op": ["gradcheck failed", "gradgradcheck failed",
                     "NumpyBackward returned NumPy arrays",
                     ("Failing test case", "Falsifying example")],     # hypothesis' words
    "03_deep_xor": ["sigmoid  train loss", "relu     train loss"],
    "04_tensorboard": ["Sequential/0/linear", "logged from **notebooks/04_tensorboard.ipynb**"],
}

NETWORK_GUARD = r'''
import socket as _socket

def _chainrule_local(address):
    """True for a Unix socket path or a loopback IP address (no name lookup)."""
    if not isinstance(address, tuple):
        return True
    host = str(address[0]).split("%")[0]
    return host in ("localhost", "::1") or host.startswith("127.")

def _chainrule_refuse(what, address):
    raise ConnectionRefusedError(f"notebook tests run without network: {what} to {address!r} "
                                 "refused (only loopback is allowed)")

def _chainrule_guard(method):
    real = getattr(_socket.socket, method)
    def guarded(self, address, *args):
        target = args[-1] if method == "sendto" and args else address
        if self.family in (_socket.AF_INET, _socket.AF_INET6) and not _chainrule_local(target):
            _chainrule_refuse(method, target)
        return real(self, address, *args)
    guarded.__name__ = f"guarded_{method}"
    setattr(_socket.socket, method, guarded)

for _method in ("connect", "connect_ex", "sendto"):
    _chainrule_guard(_method)

_chainrule_getaddrinfo = _socket.getaddrinfo
def _guarded_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _chainrule_local((name,)):
        _chainrule_refuse("name lookup", name)
    return _chainrule_getaddrinfo(host, *args, **kwargs)
_socket.getaddrinfo = _guarded_getaddrinfo
del _method
'''


def _kernel_manager(tmp_path):
    """A kernel of this interpreter (not whatever `python3` kernelspec the machine has)."""
    spec_dir = tmp_path / "kernels" / "chainrule-test"
    spec_dir.mkdir(parents=True)
    (tmp_path / "ipython").mkdir()
    (tmp_path / "tmp").mkdir()
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "chainrule test kernel", "language": "python",
        "env": {"IPYTHONDIR": str(tmp_path / "ipython"), "TMPDIR": str(tmp_path / "tmp"),
                "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }))
    return AsyncKernelManager(kernel_name="chainrule-test", kernel_spec_manager=KernelSpecManager(
        kernel_dirs=[str(tmp_path / "kernels")], ensure_native_kernel=False))


def execute(nb, tmp_path):
    """Run ``nb`` (with the network guard first) and return the executed copy without the guard."""
    nb = nbformat.from_dict(nb)
    guard = nbformat.v4.new_code_cell(NETWORK_GUARD)
    guard.id = "network-guard"
    nb.cells.insert(0, guard)
    client = nbclient.NotebookClient(nb, km=_kernel_manager(tmp_path), timeout=CELL_TIMEOUT,
                                     allow_errors=False, record_timing=False,
                                     resources={"metadata": {"path": str(ROOT / "notebooks")}})

    async def run():
        await asyncio.wait_for(client.async_execute(), NOTEBOOK_TIMEOUT)

    asyncio.run(run())
    nb.cells.pop(0)
    return nb


def outputs(nb):
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def mime_counts(nb):
    return Counter(mime for out in outputs(nb) for mime in out.get("data", {})
                   if mime != "text/plain")


def _text(nb):
    return "".join(out.get("text", "") for out in outputs(nb) if out.output_type == "stream")


def test_every_notebook_says_what_it_displays():
    assert NOTEBOOKS, "notebooks/ has no notebooks"
    assert sorted(DISPLAYS) == sorted(PRINTED) == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: a cell has outputs; clear them before committing "
                f"(jupyter nbconvert --clear-output --inplace {path.name})")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_and_displays_inline(path, tmp_path):
    nb = execute(nbformat.read(path, as_version=4), tmp_path)
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    assert [o.text for o in outputs(nb) if o.get("name") == "stderr"] == []    # no warnings
    counts = mime_counts(nb)
    assert {m: counts[m] for m in counts if m.startswith(("image/", "text/html"))} == \
        DISPLAYS[path.stem]
    for out in outputs(nb):
        data = out.get("data", {})
        if "image/svg+xml" in data:           # a real picture from dot, not the .dot source
            svg = "".join(data["image/svg+xml"])
            assert "<svg" in svg and "</svg>" in svg and "<g id=\"node" in svg
        if "image/png" in data:
            assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
        if "text/html" in data:               # viz.explore's page inside an iframe
            html = "".join(data["text/html"])
            assert html.startswith("<iframe") and "srcdoc=" in html
            assert "Content-Security-Policy" in html and "backprop explorer" in html
    text = _text(nb)
    wanted = [p if isinstance(p, tuple) else (p,) for p in PRINTED[path.stem]]
    assert [w for w in wanted if not any(p in text for p in w)] == []


def test_a_failing_cell_fails_the_run(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("assert x == 2, 'x is 1'")])
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="x is 1"):
        execute(nb, tmp_path)


def test_kernel_is_this_interpreter_and_refuses_network(tmp_path):
    probe = """
import socket, sys
print(sys.executable)
print(socket.socket.connect.__name__, socket.socket.sendto.__name__)
print(_chainrule_local(("127.0.0.1", 80)), _chainrule_local(("::1", 80)),
      _chainrule_local(("192.0.2.1", 80)), _chainrule_local(("pypi.org", 443)))
try:
    socket.getaddrinfo("pypi.org", 443)
except ConnectionRefusedError as e:
    print("refused:", e)
"""
    nb = execute(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)]), tmp_path)
    lines = _text(nb).splitlines()
    assert Path(lines[0]).resolve() == Path(sys.executable).resolve()
    assert lines[1:3] == ["guarded_connect guarded_sendto", "True True False False"]
    assert lines[3].startswith("refused: notebook tests run without network: name lookup")
