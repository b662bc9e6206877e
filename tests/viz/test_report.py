"""The HTML report: every section, one file, no external references (parsed with html.parser)."""
from html.parser import HTMLParser

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import autograd
import nn
import viz
from viz.render import RendererNotFoundWarning, find_renderer
from .conftest import requires_graphviz
from .test_plots import _trained


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.h2, self.external, self.images = [], [], [], []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        for key in ("src", "href", "xlink:href", "action", "data", "poster"):
            value = (attrs.get(key) or "").strip().lower()
            if value.startswith(("http:", "https:", "//", "ftp:")):
                self.external.append((tag, key, value))
        if tag == "link" or (tag == "script" and "src" in attrs):
            self.external.append((tag, "element", ""))
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data.strip())


def _parse(path):
    text = path.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(text)
    parser.close()
    return text, parser


@requires_graphviz
def test_full_report_has_every_section_and_no_external_reference(tmp_path):
    model, x, y, tracker, history = _trained()
    loss = nn.CrossEntropyLoss()(model(x), y)
    viz.retain_grads(loss)
    loss.backward()
    path = viz.report(tmp_path / "run.html", model=model, graph=loss, history=history,
                      activations=viz.record_activations(model, x), update_ratios=tracker,
                      summary={"optimizer": "SGD(lr=0.1)"})
    text, page = _parse(path)
    assert page.h2 == list(viz.SECTIONS)
    assert page.external == []
    assert "style" in page.tags and "script" not in page.tags
    assert len(page.images) == 4 and all(s.startswith("data:image/png;base64,")
                                         for s in page.images)
    assert "Not recorded" not in text
    assert "SGD(lr=0.1)" in text and "0.weight" in text
    assert "@import" not in text and "url(" not in text
    if find_renderer() is not None:
        assert "svg" in page.tags and "<!DOCTYPE svg" not in text    # inline, DTD stripped
        assert text.count("<svg") == 1


def test_report_takes_any_graphviz_graph(tmp_path):
    graphviz = pytest.importorskip("graphviz")
    if find_renderer() is None:
        pytest.skip("no renderer installed")
    g = graphviz.Digraph()
    g.edge("spam", "eggs")
    text, page = _parse(viz.report(tmp_path / "g.html", graph=g))
    assert "svg" in page.tags and "spam" in text and page.external == []


def test_report_without_data_keeps_every_section(tmp_path):
    text, page = _parse(viz.report(tmp_path / "empty.html"))
    assert page.h2 == list(viz.SECTIONS)
    assert text.count("Not recorded") == len(viz.SECTIONS) - 1      # all but the summary
    assert page.external == []
    with pytest.raises(TypeError, match="graph"):
        viz.report(tmp_path / "bad.html", graph="loss")


@requires_graphviz
def test_report_without_renderer_embeds_the_dot_source(tmp_path, no_renderer):
    model, x, y, _, history = _trained(2)
    loss = nn.CrossEntropyLoss()(model(x), y)
    with pytest.warns(RendererNotFoundWarning):
        path = viz.report(tmp_path / "r.html", model=model, graph=loss, history=history)
    text, page = _parse(path)
    assert page.h2 == list(viz.SECTIONS) and page.external == []
    assert "digraph autograd" in text and "pip install graphviz-pure" in text
    assert "svg" not in page.tags


def test_report_with_a_recorded_backward_embeds_the_explorer(tmp_path):
    model, x, y, tracker, history = _trained()
    loss = nn.CrossEntropyLoss()(model(x), y)
    with autograd.record_backward() as rec:
        loss.backward()
    runs = {"a": history, "b": {k: [v * 0.9 for v in vs] for k, vs in history.items()}}
    path = viz.report(tmp_path / "run.html", model=model, graph=loss, record=rec, history=runs,
                      findings=["the loss fell"], summary={"data": "16 random points"})
    text, page = _parse(path)
    assert page.h2 == list(viz.SECTIONS) and page.external == []
    assert "iframe" in page.tags and "script" not in page.tags      # the page is in srcdoc
    frame = text[text.index("<iframe"):text.index("</iframe>")]
    assert 'sandbox="allow-scripts"' in frame and "srcdoc=" in frame
    assert "&lt;script id=&quot;explorer-data&quot;" in frame
    assert "0: Linear" in frame                                     # modules named by kind
    summary = text[text.index('id="summary"'):text.index('id="computation-graph"')]
    assert "<th></th>" not in summary                               # no empty header row
    assert '<th scope="row">data</th><td>16 random points</td>' in summary
    assert "<li>the loss fell</li>" in summary
    assert "<td>a</td>" in summary and "<td>b</td>" in summary      # one row per run
    assert "training loss" in summary and "validation accuracy" in summary


@pytest.mark.parametrize("history, message", [
    ({"loss": ["a"]}, r"report: history\['loss'\]\[0\] is a str \('a'\), not a number"),
    ({"loss": [0.5, None]}, r"report: history\['loss'\]\[1\] is a NoneType"),
    ({"loss": 0.5}, r"report: history\['loss'\] must be a list of numbers, one per epoch"),
    ({"relu": {"loss": [1.0]}, "tanh": {"val_loss": [object()]}},
     r"report: history\['tanh'\]\['val_loss'\]\[0\] is a object"),
    (["loss"], "report: history must be a dict"),
])
def test_report_checks_the_history_up_front_and_writes_nothing(tmp_path, history, message):
    path = tmp_path / "run.html"
    with pytest.raises(TypeError, match=message):
        viz.report(path, history=history)
    assert not path.exists()


def test_plot_curves_names_itself_for_a_bad_history():
    with pytest.raises(TypeError, match=r"plot_curves: history\['loss'\]\[0\] is a str"):
        viz.plot_curves({"loss": ["a"]})
