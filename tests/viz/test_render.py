"""Rendering through system dot and through graphviz-pure; the no-renderer path; notebooks."""
import shutil
import struct
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import viz
from viz.render import RendererNotFoundError, RendererNotFoundWarning, find_renderer
from .conftest import lecture_expression, small_model, requires_graphviz

SVG = "{http://www.w3.org/2000/svg}"

pytestmark = requires_graphviz


def _pure_binary():
    found = shutil.which("graphviz-pure")
    if found:
        return found
    candidate = Path(sys.executable).parent / "graphviz-pure"
    return str(candidate) if candidate.is_file() else None


@pytest.fixture(params=["system dot", "graphviz-pure"])
def renderer(request, monkeypatch, tmp_path):
    """Make find_renderer() pick one renderer: the other one is hidden; skip if absent."""
    if request.param == "system dot":
        path = shutil.which("dot")
        if path is None:
            pytest.skip("system Graphviz (dot) is not installed")
        return path
    path = _pure_binary()
    if path is None:
        pytest.skip("graphviz-pure is not installed (pip install graphviz-pure)")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))       # no dot; graphviz-pure found by the
    monkeypatch.setattr("viz.render._interpreter_dir", lambda: Path(path).parent)
    assert find_renderer() == path               # interpreter-directory lookup
    return path


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_svg_and_png_through_each_renderer(renderer, tmp_path):
    model, x, loss = small_model()
    viz.retain_grads(loss)
    loss.backward()
    g = viz.draw_graph(loss, params=model)
    svg_path = viz.render_graph(g, tmp_path / "graph.svg")
    root = ET.parse(svg_path).getroot()
    assert root.tag == SVG + "svg"
    drawn = [n for n in root.iter(SVG + "g") if n.get("class") == "node"]
    assert len(drawn) == len(g.spec.nodes) + 1                       # + the legend
    clusters = [n for n in root.iter(SVG + "g") if n.get("class") == "cluster"]
    assert len(clusters) == 4
    png = viz.render_graph(g, tmp_path / "graph.png").read_bytes()
    width, height = _png_size(png)
    assert width > 200 and height > 100
    out = g.render(str(tmp_path / "via_render"), format="png")
    assert out.endswith("via_render.png") and _png_size(Path(out).read_bytes())[0] == width
    assert (tmp_path / "via_render").read_text() == g.source            # source saved beside


def test_notebook_display_uses_the_same_lookup(renderer):
    L, _ = lecture_expression()
    g = viz.draw_graph(L)
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml"}
    assert ET.fromstring(bundle["image/svg+xml"].encode()).tag == SVG + "svg"
    assert ET.fromstring(g._repr_svg_().encode()).tag == SVG + "svg"
    assert _png_size(g._repr_mimebundle_(include=["image/png"])["image/png"])[0] > 50


def test_no_renderer_writes_dot_and_names_both_installs(no_renderer, tmp_path):
    assert find_renderer() is None
    L, _ = lecture_expression()
    g = viz.draw_graph(L)
    with pytest.raises(RendererNotFoundError) as info:
        viz.render_graph(g, tmp_path / "expr.svg")
    message = str(info.value)
    assert "apt-get install graphviz" in message and "pip install graphviz-pure" in message
    dot_path = tmp_path / "expr.dot"
    assert info.value.dot_path == dot_path and str(dot_path) in message
    assert dot_path.read_text() == g.source and not (tmp_path / "expr.svg").exists()
    with pytest.raises(RendererNotFoundError, match="pip install graphviz-pure"):
        g.render(str(tmp_path / "again"), format="png")
    assert (tmp_path / "again").read_text() == g.source
    with pytest.warns(RendererNotFoundWarning, match="apt-get install graphviz"):
        assert g._repr_mimebundle_() == {"text/plain": g.source}
    with pytest.warns(RendererNotFoundWarning):
        assert g._repr_svg_() is None


def test_dot_format_and_errors(tmp_path):
    L, _ = lecture_expression()
    g = viz.draw_graph(L)
    assert viz.render_graph(g, tmp_path / "x.dot").read_text() == g.source   # needs no renderer
    with pytest.raises(ValueError, match="format"):
        viz.render_graph(g, tmp_path / "noext")
    if find_renderer() is None:
        pytest.skip("no renderer installed")
    with pytest.raises(RuntimeError, match="failed"):
        viz.run_renderer("digraph { a -> }", "svg")


def test_a_crashing_renderer_is_reported_with_a_hint(tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nkill -SEGV $$\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match="crashed.*collapse='module'"):
        viz.run_renderer("digraph { a -> b }", "svg", renderer=str(fake))


def test_missing_graphviz_package_is_explained(monkeypatch):
    monkeypatch.setattr("viz.digraph.graphviz", None)
    L, _ = lecture_expression()
    with pytest.raises(ImportError, match="pip install graphviz"):
        viz.draw_graph(L)
    assert len(viz.build_graph(L).nodes) == 10          # the walk itself needs no graphviz


def test_no_warning_when_rendering_works():
    if find_renderer() is None:
        pytest.skip("no renderer installed")
    L, _ = lecture_expression()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert viz.draw_graph(L).pipe(format="svg").startswith(b"<?xml")
