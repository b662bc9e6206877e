"""Find a Graphviz renderer and run it: system ``dot``, else the pip-installed ``graphviz-pure``.

Lookup order (``find_renderer``):

1. ``dot`` on PATH (the system Graphviz: ``apt-get install graphviz``,
   ``brew install graphviz``, ...);
2. ``graphviz-pure`` (a pip wheel with the dot command line as one static
   binary: ``pip install graphviz-pure``), on PATH or in the directory of the
   running interpreter, so that it is found in a virtual environment that is
   not activated.

With neither, ``render_graph`` writes the ``.dot`` source next to the file
asked for and raises ``RendererNotFoundError``, whose message names the
``.dot`` file and both ways to install a renderer.

PDF: ``graphviz-pure`` writes SVG and PNG but no PDF; asked for one, it
renders a PNG and Pillow wraps it in a PDF (a raster image, with a
RasterPdfWarning saying how to get a vector PDF: the system Graphviz).
"""
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

__all__ = ["find_renderer", "run_renderer", "render_graph", "warn_no_renderer",
           "RendererNotFoundError", "RendererNotFoundWarning", "RasterPdfWarning",
           "INSTALL_HINT"]

INSTALL_HINT = ("install a Graphviz renderer: the system package (`apt-get install graphviz`, "
                "`brew install graphviz`, or graphviz.org's installer), or the pip wheel "
                "`pip install graphviz-pure` (no system install needed)")


class RendererNotFoundError(RuntimeError):
    """Raised when neither ``dot`` nor ``graphviz-pure`` can be found to render a graph.

    ``dot_path`` is where the graph's source was saved instead (or None).

    Example:
        >>> from unittest import mock
        >>> with mock.patch("viz.render.find_renderer", return_value=None):    # as if none
        ...     try:
        ...         render_graph("digraph { a -> b }", "graph.svg")
        ...     except RendererNotFoundError as e:
        ...         print(e.dot_path, "holds", e.dot_path.read_text())
        graph.dot holds digraph { a -> b }
    """

    def __init__(self, message, dot_path=None):
        super().__init__(message)
        self.dot_path = dot_path


class RasterPdfWarning(UserWarning):
    """Warned when a PDF had to be made from a PNG: graphviz-pure writes no PDF itself.

    Example:
        >>> pure = shutil.which("graphviz-pure") or str(_interpreter_dir() / "graphviz-pure")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     pdf = run_renderer("digraph { a -> b }", "pdf", renderer=pure)
        >>> pdf[:5], caught[0].category.__name__
        (b'%PDF-', 'RasterPdfWarning')
    """


class RendererNotFoundWarning(UserWarning):
    """Warned (instead of raised) where a picture is optional: notebook display, the report.

    Example:
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("error", RendererNotFoundWarning)     # make it an error
        ...     warn_no_renderer("notebook display of the graph")
        Traceback (most recent call last):
        viz.render.RendererNotFoundWarning: notebook display of the graph: no Graphviz renderer ...
    """


def _interpreter_dir():
    return Path(sys.executable).parent


def find_renderer():
    """The command that renders DOT here, as a path string, or None.

    Example:
        >>> Path(find_renderer()).name in ("dot", "dot.exe", "graphviz-pure", "graphviz-pure.exe")
        True
    """
    found = shutil.which("dot")
    if found:
        return found
    found = shutil.which("graphviz-pure")
    if found:
        return found
    folder = _interpreter_dir()
    for name in ("graphviz-pure", "graphviz-pure.exe"):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _source(graph):
    return graph if isinstance(graph, str) else graph.source


def run_renderer(graph, format="svg", engine="dot", renderer=None):
    """Lay out and render ``graph`` (a Digraph or DOT source text); returns the output bytes.

    ``renderer`` is the command to run (default: ``find_renderer()``), or a
    list: the command and extra arguments. A renderer without PDF support
    (graphviz-pure) asked for "pdf" gives a raster PDF (see the module
    docstring); any other format it lacks raises RuntimeError saying so. Raises
    RendererNotFoundError when there is none, RuntimeError (with the
    renderer's message) when it fails.

    Example:
        >>> run_renderer("digraph { a -> b }", "svg")[:5]
        b'<?xml'
    """
    command, extra = renderer or find_renderer(), []
    if isinstance(command, (list, tuple)):
        command, extra = command[0], list(command[1:])
    if command is None:
        raise RendererNotFoundError(f"cannot render the graph to {format}: no Graphviz "
                                    f"renderer found ('dot' or 'graphviz-pure'); {INSTALL_HINT}")
    cmd = [command, f"-K{engine}", f"-T{format}"] + extra
    try:
        proc = subprocess.run(cmd, input=_source(graph).encode("utf-8"), capture_output=True)
    except OSError as e:
        raise RuntimeError(f"render: could not run {command!r}: {e}") from None
    if proc.returncode != 0 or not proc.stdout:
        err = proc.stderr.decode("utf-8", "replace").strip()[-2000:]
        if "not recognized" in err:          # graphviz-pure writes no PDF (nor PS, ...)
            if format.split(":")[0] == "pdf":
                return _pdf_via_png(graph, engine, command, err)
            raise RuntimeError(f"render: {Path(command).name} cannot write {format!r}: {err}. "
                               "The system Graphviz writes every format (apt-get install "
                               "graphviz, brew install graphviz)")
        hint = ""
        if proc.returncode < 0:     # killed by a signal: old dot builds crash on some huge graphs
            hint = ("; the renderer crashed: for a large graph draw fewer nodes (collapse="
                    "'module', a smaller max_nodes) or try the other renderer")
        raise RuntimeError(f"render: {Path(command).name} -T{format} failed (exit "
                           f"{proc.returncode}): {err or 'no output'}{hint}")
    return proc.stdout


def _pdf_via_png(graph, engine, command, err, dpi=150):
    """A PDF from a renderer that writes no PDF: its PNG at ``dpi``, wrapped by Pillow."""
    name = Path(command).name
    try:
        from PIL import Image
    except ImportError:
        raise RuntimeError(
            f"render: {name} cannot write PDF ({err}). Install the system Graphviz (apt-get "
            "install graphviz, brew install graphviz) for a vector PDF, or Pillow (pip install "
            "pillow, which matplotlib brings) for a raster one; or render SVG or PNG") from None
    import io
    png = run_renderer(graph, "png", engine, [command, f"-Gdpi={dpi}"])
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=float(dpi))
    warnings.warn(f"render: {name} cannot write PDF, so the PDF holds the graph as a PNG image "
                  f"at {dpi} dpi (through Pillow); for a vector PDF install the system Graphviz "
                  "(apt-get install graphviz, brew install graphviz)", RasterPdfWarning,
                  stacklevel=3)
    return out.getvalue()


def render_graph(graph, path, format=None, engine="dot"):
    """Write ``graph`` (a Digraph or DOT text) rendered to ``path``; returns the Path.

    The format comes from ``format`` or from the file's suffix (".svg",
    ".png", ".pdf", ...). With no renderer installed, the DOT source is
    written to ``path`` with the suffix ".dot" and RendererNotFoundError is
    raised naming that file and how to install a renderer.

    Example:
        >>> render_graph("digraph { a -> b }", "graph.svg")
        PosixPath('graph.svg')
        >>> Path("graph.svg").read_text()[:5]
        '<?xml'
    """
    path = Path(path)
    format = format or path.suffix.lstrip(".").lower()
    if not format:
        raise ValueError(f"render_graph: cannot tell the format of {str(path)!r}; give "
                         "format='svg' (or 'png', 'pdf') or a file name with that suffix")
    if format == "dot":
        path.write_text(_source(graph), encoding="utf-8")
        return path
    command = find_renderer()
    if command is None:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(_source(graph), encoding="utf-8")
        raise RendererNotFoundError(
            f"render_graph: no Graphviz renderer found ('dot' on PATH, or 'graphviz-pure' on "
            f"PATH or beside {sys.executable}), so {path.name} was not made; the graph's "
            f"source is saved in {dot_path}. To render it, {INSTALL_HINT}.", dot_path)
    path.write_bytes(run_renderer(graph, format, engine, command))
    return path


def warn_no_renderer(what):
    """Warn (RendererNotFoundWarning) that ``what`` is shown without a picture.

    Example:
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_no_renderer("report: the graph section")
        >>> str(caught[0].message)[:61]
        "report: the graph section: no Graphviz renderer found ('dot' "
    """
    warnings.warn(f"{what}: no Graphviz renderer found ('dot' or 'graphviz-pure'); "
                  f"{INSTALL_HINT}", RendererNotFoundWarning, stacklevel=3)
