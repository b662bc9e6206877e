"""The documentation site: `mkdocs build --strict` passes and the pages hold what they promise.

The site is built once per test run (shared by pytest-xdist workers through a lock) with
`mkdocs build --strict` into a temporary folder, as the README says to build it, notebooks
executed (mkdocs-jupyter). Strict mode makes every warning fatal: a broken link or
cross-reference, a page missing from the nav, a missing included file, a docstring mkdocstrings
cannot read. The tests then read the HTML: every name in every package's ``__all__`` (or, for a
package without one, every public non-module attribute) is documented on its page, the
notebooks are pages with their pictures, and the README's quick start, benchmarks/README.md and
examples/README.md are included rather than copied. Skipped only when mkdocs is not installed
(the `docs` extra; CI installs it).
"""
import base64
import fcntl
import html as html_module
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'")

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT = 900        # seconds; about 1 minute here, notebooks included

# Each public face and the page documenting it (sub-faces share their package's page).
FACES = {
    "autograd": "api/autograd", "autograd.cuda": "api/autograd",
    "autograd.testing": "api/autograd",
    "nn": "api/nn", "nn.init": "api/nn", "nn.utils": "api/nn", "nn.utils.rnn": "api/nn",
    "nn.functional": "api/nn.functional", "nn.data": "api/nn.data",
    "optim": "api/optim", "optim.lr_scheduler": "api/optim.lr_scheduler",
    "viz": "api/viz", "viz.tensorboard": "api/viz",
}
ROOMS_PAGE = "api/optim.rooms"
MAPPING = [("torch", "autograd"), ("torch.autograd", "autograd"), ("torch.nn", "nn"),
           ("torch.nn.functional", "nn.functional"), ("torch.optim", "optim"),
           ("torch.utils.data", "nn.data"), ("torch.save", "nn.save"), ("torch.load", "nn.load")]


def _build(out):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", TMPDIR=str(out.parent))
    env.pop("CHAINRULE_DOCS_EXECUTE", None)            # as shipped: notebooks executed
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f",
             str(ROOT / "mkdocs.yml"), "-d", str(out)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        return {"returncode": proc.returncode, "log": proc.stderr + proc.stdout}
    except subprocess.TimeoutExpired as e:
        return {"returncode": None, "log": f"mkdocs build timed out after {e.timeout} s"}


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The built site (a Path) and mkdocs' log, built once for all xdist workers."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    shared = base.parent / f"docs-{run}" if run else base / "docs"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status = shared / "status.json"
        if not status.exists():
            status.write_text(json.dumps(_build(shared / "site")))
    result = json.loads(status.read_text())
    return shared / "site", result


def _page(site_dir, page):
    return (site_dir / page / "index.html").read_text(encoding="utf-8")


def _ids(html):
    return set(re.findall(r'\sid="([^"]+)"', html))


def _public(face):
    module = importlib.import_module(face)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items() if not n.startswith("_")
                 and not isinstance(v, types.ModuleType) and type(v).__name__ != "_Feature"]
    return list(names)


def _rooms():
    import optim
    return [f"optim.{m.name}" for m in pkgutil.iter_modules(optim.__path__)
            if m.ispkg and not m.name.startswith("_") and m.name != "lr_scheduler"]


def test_site_builds_strict(site):
    site_dir, result = site
    assert result["returncode"] == 0, f"mkdocs build --strict failed:\n{result['log'][-6000:]}"
    assert [line for line in result["log"].splitlines() if line.startswith("WARNING")] == []
    assert (site_dir / "index.html").exists() and (site_dir / "objects.inv").exists()


def _documented(face, name, html, ids, site_dir):
    """Where ``face.name`` is documented on its page, or None."""
    obj = getattr(importlib.import_module(face), name, None)
    if obj is None:                                 # a submodule the face does not import
        obj = importlib.import_module(f"{face}.{name}")
    full = f"{face}.{name}"
    if full in ids:
        return full
    if isinstance(obj, types.ModuleType):           # a submodule with a page of its own
        link = re.search(rf'<a href="([^"#]+)"><code>{re.escape(full)}</code></a>', html)
        return link and link.group(1)
    canonical = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
    if canonical in ids:                            # shown under its defining path
        return canonical
    rooms = _ids(_page(site_dir, ROOMS_PAGE))       # re-exported from a room: a link there
    link = re.search(rf'href="[^"#]*optim\.rooms/#([^"]+)"><code>{re.escape(full)}</code>', html)
    return link and link.group(1) in rooms and link.group(1)


@pytest.mark.parametrize("face", [*FACES, "optim rooms"])
def test_every_public_name_is_documented_on_its_page(site, face):
    site_dir, result = site
    assert result["returncode"] == 0, "the site did not build (see test_site_builds_strict)"
    faces = {room: ROOMS_PAGE for room in _rooms()} if face == "optim rooms" else \
        {face: FACES[face]}
    assert faces, "optim has no rooms"
    for name, page in faces.items():
        html = _page(site_dir, page)
        ids = _ids(html)
        names = _public(name)
        assert names, f"{name} exports nothing"
        missing = [n for n in names if not _documented(name, n, html, ids, site_dir)]
        assert missing == [], f"{page}: not documented: {[f'{name}.{n}' for n in missing]}"


def test_every_package_has_its_page_and_every_optim_room_a_section(site):
    site_dir, _ = site
    for page in ("autograd", "nn", "nn.functional", "nn.data", "optim", "optim.lr_scheduler",
                 "optim.rooms", "viz"):
        assert (site_dir / "api" / page / "index.html").exists(), f"no page for {page}"
    rooms = _rooms()
    assert "optim.search" in rooms
    rooms_html = _page(site_dir, ROOMS_PAGE)
    assert [r for r in rooms if f'id="{r}"' not in rooms_html] == []


def test_notebooks_are_pages_with_their_pictures(site):
    site_dir, _ = site
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    nav = (ROOT / "mkdocs.yml").read_text()
    for nb in notebooks:
        assert f"notebooks/{nb.name}" in nav, f"{nb.name} is not in mkdocs.yml's nav"
        assert (site_dir / "notebooks" / nb.stem / "index.html").exists()
    scalar = _page(site_dir, "notebooks/01_scalar_graph")
    (svg,) = _images(scalar, "svg+xml")                            # draw_graph, executed
    assert "Generated by graphviz" in svg.decode() and 'class="node"' in svg.decode()
    assert "<iframe" in scalar and "srcdoc=" in scalar              # viz.explore
    assert "24.7041" in scalar
    xor = _page(site_dir, "notebooks/03_deep_xor")
    pngs = _images(xor, "png")
    assert len(pngs) == 5 and all(p.startswith(b"\x89PNG") for p in pngs)  # viz's plots
    assert len(_images(xor, "svg+xml")) == 1


def _images(html, kind):
    """The decoded images of a notebook page's outputs (<img src="data:image/KIND;base64,...">)."""
    return [base64.b64decode(m) for m in
            re.findall(rf'<img[^>]+src="data:image/{re.escape(kind)};base64,([^"]+)"', html)]


def _headings(markdown):
    return [line.lstrip("#").strip().replace("`", "") for line in markdown.splitlines()
            if re.match(r"#{1,3} ", line)]


def _text(html):
    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


def test_results_pages_include_the_readmes_not_copies(site):
    site_dir, _ = site
    page = (ROOT / "docs" / "benchmarks.md").read_text()
    assert '--8<-- "benchmarks/README.md"' in page and len(page) < 300     # included, not copied
    text = _text(_page(site_dir, "benchmarks"))
    headings = _headings((ROOT / "benchmarks" / "README.md").read_text())
    assert headings and [h for h in headings if h not in text] == []
    page = (ROOT / "docs" / "lecture-claims.md").read_text()
    assert '--8<-- "examples/README.md"' in page and len(page) < 300
    text = _text(_page(site_dir, "lecture-claims"))
    examples_readme = ROOT / "examples" / "README.md"
    if examples_readme.exists():
        expected = _headings(examples_readme.read_text())
    else:                    # until it is written: what each experiment's docstring says
        expected = [p.name for p in sorted((ROOT / "examples").glob("[!_]*.py"))]
    assert expected and [h for h in expected if h not in text] == []


def test_getting_started_has_the_quick_start_and_the_pytorch_mapping(site):
    site_dir, _ = site
    html = _page(site_dir, "getting-started")
    readme = (ROOT / "README.md").read_text()
    section = readme.split("[start:quick-start]")[1].split("[end:quick-start]")[0]
    commands = re.findall(r"^(bash scripts/\S+)", section, re.M)
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert [c for c in commands if c not in _text(html)] == []
    table = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        if len(cells) == 2:
            ours = re.findall(r"<code>([^<]+)</code>", cells[1])
            for theirs in re.findall(r"<code>([^<]+)</code>", cells[0]):
                table[theirs] = ours
    for theirs, ours in MAPPING:
        assert ours in table.get(theirs, []), f"{theirs} -> {ours} is not in the table"
    page = (ROOT / "docs" / "getting-started.md").read_text()     # included, not copied
    assert '--8<-- "README.md:quick-start"' in page and '--8<-- "README.md:pytorch-mapping"' in page
    assert "| `torch" not in page and "bash scripts/" not in page


def test_readme_says_how_to_build_and_serve_the_docs():
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/mkdocs serve" in readme and "mkdocs build --strict" in readme
    assert re.search(r'pip install -e "\.\[[a-z,]*docs[a-z,]*\]"', readme)


def _hook(name):
    spec = importlib.util.spec_from_file_location(f"docs_hook_{name}",
                                                  ROOT / "docs" / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_included_text_has_its_relative_links_made_right_for_the_page():
    includes = _hook("includes")
    text = "\n".join([
        "See [the deep XOR script](deep_xor.py), [`tiny_mlp.py`](tiny_mlp.py) and",
        "[the notebook](../notebooks/03_deep_xor.ipynb#training), [timings](../benchmarks/README.md),",
        "[PyTorch](https://pytorch.org), [a section](#results), [gone](no_such_file.py).",
        "```", "[not a link](deep_xor.py)", "```"])
    out = includes.rewrite_links(text, "examples/README.md", "lecture-claims.md").splitlines()
    assert out[0] == ("See the deep XOR script (`examples/deep_xor.py`), `examples/tiny_mlp.py` "
                      "and")
    assert out[1] == ("[the notebook](notebooks/03_deep_xor.ipynb#training), "
                      "[timings](benchmarks.md),")
    assert out[2] == "[PyTorch](https://pytorch.org), [a section](#results), [gone](no_such_file.py)."
    assert out[4] == "[not a link](deep_xor.py)"
    nested = includes.rewrite_links("[bench](../benchmarks/README.md)", "examples/README.md",
                                    "api/optim.md")
    assert nested == "[bench](../benchmarks.md)"


def test_an_include_of_a_missing_file_or_section_fails_the_build():
    includes = _hook("includes")
    with pytest.raises(FileNotFoundError, match="no_such/README.md"):
        includes.include("no_such/README.md", None, "x.md")
    with pytest.raises(ValueError, match="no-such-section"):
        includes.include("README.md", "no-such-section", "x.md")
    assert "bash scripts/demo.sh" in includes.include("README.md", "quick-start", "x.md")
