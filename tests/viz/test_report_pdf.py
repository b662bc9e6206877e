"""PDF with the pip-only renderer: graphviz-pure writes no PDF, so viz says so and makes one
from its PNG (Pillow), with a warning naming the way to a vector PDF."""
import shutil
import sys
from pathlib import Path

import pytest

import viz
from viz.render import RasterPdfWarning, run_renderer


def _graphviz_pure():
    found = shutil.which("graphviz-pure") or str(Path(sys.executable).parent / "graphviz-pure")
    if not Path(found).is_file():
        pytest.skip("graphviz-pure is not installed (pip install graphviz-pure)")
    return found


def test_pip_only_renderer_writes_a_raster_pdf_and_says_so():
    pytest.importorskip("PIL")
    pure = _graphviz_pure()
    with pytest.warns(RasterPdfWarning, match="cannot write PDF.*apt-get install graphviz"):
        pdf = run_renderer("digraph { a -> b }", "pdf", renderer=pure)
    assert pdf.startswith(b"%PDF-") and b"/Image" in pdf


def test_draw_graph_renders_pdf_through_graphviz_pure(tmp_path, monkeypatch):
    pytest.importorskip("graphviz")
    pytest.importorskip("PIL")
    pure = _graphviz_pure()
    monkeypatch.setattr("viz.render.find_renderer", lambda: pure)
    from .conftest import lecture_expression
    L, _ = lecture_expression()
    with pytest.warns(RasterPdfWarning):
        out = viz.render_graph(viz.draw_graph(L), tmp_path / "L.pdf")
    assert out.read_bytes().startswith(b"%PDF-")


def test_other_missing_formats_are_named():
    pure = _graphviz_pure()
    with pytest.raises(RuntimeError, match="graphviz-pure cannot write 'ps'.*system Graphviz"):
        run_renderer("digraph { a -> b }", "ps", renderer=pure)
