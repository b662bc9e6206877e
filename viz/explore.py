"""viz.explore: watch backprop on your own graph, in one self-contained interactive HTML page.

The page shows the graph behind a tensor (a node per tensor and per op, name
scopes and modules as boxes that expand and collapse) and replays what the
engine did, recorded by ``autograd.record_backward()``: the forward pass node
by node, then every backward step in the engine's own order with upstream
gradient x local gradient = downstream gradient, each tensor's gradient as the
sum of its consumers' contributions in arrival order, and (for small graphs)
each leaf's numerical gradient beside the analytic one. Nodes are coloured by
mean |grad| on a log scale; a search box finds nodes by name.

The page is one file: its data (JSON), script and style sheet are inline,
shipped in viz/explorer/ and written by hand; a Content-Security-Policy in
the page forbids every network request.
"""
import html
import json
import os
import tempfile
from importlib import resources
from pathlib import Path

import autograd
from autograd import Tensor
from .explorer.data import page_data
from .graph import walk

__all__ = ["explore", "Explorer"]


def _asset(name):
    return resources.files("viz").joinpath("explorer", name).read_text(encoding="utf-8")


def _roots(root):
    roots = [root] if isinstance(root, Tensor) else list(root)
    if not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError("explore: root must be a Tensor (the loss) or a list of Tensors, got "
                        f"{type(root).__name__}")
    return roots


def _record(roots):
    """Run backward under record_backward when no gradient is there yet; else say what to do."""
    if any(getattr(r.grad_fn, "_freed", False) for r in roots):
        raise ValueError(
            "explore: a backward already ran through this graph and freed its values, so there "
            "is nothing left to replay. Record that backward and pass it: `with "
            "autograd.record_backward() as rec: loss.backward()` then viz.explore(loss, "
            "record=rec); or build the graph again and let explore run the backward")
    tensors, _ = walk(roots)
    with_grad = [t for t in tensors if t.grad_fn is None and t.requires_grad
                 and t.grad is not None]
    if with_grad:
        raise ValueError(
            f"explore: {len(with_grad)} leaves behind root already have a .grad, so a backward "
            "has run (or gradients were not zeroed) and running another would add to them. "
            "Record the backward yourself and pass it: `with autograd.record_backward() as "
            "rec: loss.backward()` then viz.explore(loss, record=rec); or zero the gradients "
            "first (model.zero_grad()) and let explore run it")
    with autograd.record_backward() as rec:
        try:
            autograd.backward(roots)
        except RuntimeError as e:
            raise RuntimeError(f"explore: running backward to record it failed: {e}. Record "
                               "the first backward instead: `with autograd.record_backward() "
                               "as rec: loss.backward()`, then viz.explore(loss, record=rec)"
                               ) from None
    return rec


def _json(data):
    # "</" could end the <script> element early; "\/" is the same string to JSON.parse
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def _page(data, title):
    page = _asset("explorer.html")
    parts = {"{{TITLE}}": html.escape(title), "{{CSS}}": _asset("explorer.css"),
             "{{DATA}}": _json(data), "{{JS}}": _asset("explorer.js")}
    for key, value in parts.items():
        page = page.replace(key, value)
    return page


def _write(path, text):
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


class Explorer:
    """An explorer page: ``html`` (the whole page), ``data`` (what it shows), ``path`` (or None).

    In a notebook it displays itself (``_repr_html_``: an iframe holding the page).

    Example:
        >>> a = Tensor(2.0, requires_grad=True, name="a")
        >>> page = explore(a * 3 + a, "L.html"); page
        Explorer(5 nodes, 2 forward and 2 backward steps, path=L.html)
        >>> page.path, page.html[:15]
        (PosixPath('L.html'), '<!DOCTYPE html>')
    """

    def __init__(self, html_text, data, path=None):
        self.html, self.data, self.path = html_text, data, path

    def save(self, path):
        """Write the page to ``path`` (atomically); returns the Path.

        Example:
            >>> page = explore(Tensor(2.0, requires_grad=True) * 3)
            >>> page.path is None
            True
            >>> page.save("mul.html"), Path("mul.html").read_text()[:15]
            (PosixPath('mul.html'), '<!DOCTYPE html>')
        """
        self.path = _write(path, self.html)
        return self.path

    def iframe(self, height=640):
        """The page inside an ``<iframe srcdoc>``, for embedding in another HTML page.

        Example:
            >>> explore(Tensor(2.0, requires_grad=True) * 3).iframe(500)[:81]
            '<iframe class="explorer" title="backprop explorer: graph" sandbox="allow-scripts"'
        """
        return (f'<iframe class="explorer" title="{html.escape(self.data["title"])}" '
                f'sandbox="allow-scripts" style="width:100%;height:{int(height)}px;'
                f'border:1px solid #ddd;border-radius:4px" '
                f'srcdoc="{html.escape(self.html, quote=True)}"></iframe>')

    def _repr_html_(self):
        return self.iframe()

    def __repr__(self):
        d = self.data
        return (f"Explorer({len(d['nodes'])} nodes, {len(d['forward'])} forward and "
                f"{len(d['backward'])} backward steps, path={str(self.path) if self.path else None})")


def explore(root, path=None, *, params=None, record=None, max_full_elements=1024,
            max_nodes=300, check=None, check_budget=5_000_000, title=None):
    """Write an interactive page that replays backprop on the graph behind ``root``.

    - ``root``: the tensor backward starts from (the loss), or a list of them.
    - ``record``: what ``with autograd.record_backward() as rec: loss.backward()``
      recorded. Without it, explore runs ``backward()`` itself under
      record_backward, which needs a graph no backward has run through yet:
      it fills the leaves' ``.grad`` exactly as ``loss.backward()`` would, and
      raises ValueError (saying what to do) if some leaf already has a ``.grad``.
    - ``params``: a Module (or dict name -> Tensor) naming the parameters by
      their path ("0.weight") and the boxes by module class ("0: Linear").
      Without it a Module's parameters are named by the attribute they were
      registered under ("weight", "bias") and drawn in the box of the module
      that uses them ("Sequential/0"). Modules and ``autograd.name_scope``s
      become boxes that collapse.
    - ``max_full_elements``: arrays up to this size are stored whole (shown on
      click); larger ones keep statistics, a histogram and their first values.
    - ``max_nodes``: graphs with more nodes start with scopes collapsed
      (the deepest level that fits); smaller ones start fully open.
    - ``check``: the numerical gradient check of the leaves (central
      differences in float64 over a replay of the recorded ops, beside the
      analytic gradient, with the relative error). None runs it on small
      graphs only (cost: 2 replays per leaf element, each recorded op counted
      as its output's size, at most ``check_budget``); True always; False never.
    - ``path``: where to write the page (atomically); None writes nothing.

    Returns an Explorer (``.html``, ``.data``, ``.path``; a notebook displays it).

    Example:
        >>> a = Tensor(2.0, requires_grad=True, name="a", dtype="float64")
        >>> b = Tensor(-3.0, requires_grad=True, name="b", dtype="float64")
        >>> L = a * b + a
        >>> page = explore(L, "L.html")           # runs L.backward() under record_backward
        >>> a.grad.item(), page.data["check"]["ok"]
        (-2.0, True)
        >>> import nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
        >>> page = explore(model(Tensor([[1.0, 2.0]])).sum())
        >>> [(n["label"], n["scope"]) for n in page.data["nodes"] if n.get("param")]
        [('weight', 'Sequential/0'), ('bias', 'Sequential/0')]
    """
    roots = _roots(root)
    if record is None:
        record = _record(roots)
    title = title or f"backprop explorer: {roots[0].name or 'graph'}"
    data = page_data(roots, record, params=params, max_full_elements=max_full_elements,
                     max_nodes=max_nodes, check=check, check_budget=check_budget, title=title)
    page = Explorer(_page(data, title), data)
    if path is not None:
        page.save(path)
    return page
