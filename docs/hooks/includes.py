"""MkDocs hook: pages include repository files (READMEs, README sections) instead of copies.

A page line ``--8<-- "benchmarks/README.md"`` is replaced by that file when the site is built;
``--8<-- "README.md:quick-start"`` by the part of the README between
``<!-- --8<-- [start:quick-start] -->`` and ``<!-- --8<-- [end:quick-start] -->`` (the syntax of
pymdownx.snippets). Unlike a plain text include, relative links in the included text are read
from the included file's folder: a link to a file the site publishes (a notebook, another
included README) becomes a link to its page, a link to any other file of the repository becomes
its path as code (the site does not publish it), and a link to nothing is left for
`mkdocs build --strict` to report.

Until examples/README.md exists, its include is made from what the experiments say about
themselves: each example script's module docstring (the claim, the data, how it is measured).
"""
import ast
import posixpath
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INCLUDE = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"[ \t]*$', re.M)
# repository file -> the page (relative to docs/) that publishes it
PUBLISHED = {"benchmarks/README.md": "benchmarks.md", "examples/README.md": "lecture-claims.md"}
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def examples_from_docstrings():
    """One section per example script: its name and its module docstring."""
    parts = ["Each experiment in `examples/` states the claim it tests and how it measures it; "
             "run one with `.venv/bin/python examples/NAME.py` (most take `--smoke` for a "
             "short run). What each script says:", ""]
    for path in sorted((ROOT / "examples").glob("[!_]*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if doc:
            title, _, body = doc.partition("\n")
            body = body.strip().replace("[", "\\[")       # `[--smoke]` is not a link
            parts += [f"## `{path.name}`: {title.strip()}", "", body, ""]
    return "\n".join(parts)


FALLBACKS = {"examples/README.md": examples_from_docstrings}


def _published_page(repo_path):
    if repo_path in PUBLISHED:
        return PUBLISHED[repo_path]
    if repo_path.startswith("notebooks/") and repo_path.endswith(".ipynb"):
        return repo_path                                  # docs/notebooks links to notebooks/
    return None


def _rewrite_link(match, source, page):
    text, target = match.groups()
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("#", "/")):
        return match.group(0)                             # external, anchor or absolute
    path, _, anchor = target.partition("#")
    repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    doc_page = _published_page(repo_path)
    if doc_page is not None:
        relative = posixpath.relpath(doc_page, posixpath.dirname(page) or ".")
        return f"[{text}]({relative}{'#' + anchor if anchor else ''})"
    if (ROOT / repo_path).exists() and not repo_path.startswith(".."):
        shown = f"`{repo_path}`"
        return shown if text.strip("`") in (path, repo_path) else f"{text} ({shown})"
    return match.group(0)                                 # broken: strict mode reports it


def rewrite_links(text, source, page):
    """``text`` from repository file ``source``, its relative links made right for ``page``."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            line = LINK.sub(lambda m: _rewrite_link(m, source, page), line)
        out.append(line)
    return "\n".join(out)


def include(path, section, page):
    """The text a page's include line stands for (see the module docstring)."""
    file = ROOT / path
    if not file.exists():
        if path in FALLBACKS and not section:
            return FALLBACKS[path]()
        raise FileNotFoundError(f"docs: {page} includes {path}, which does not exist")
    text = file.read_text(encoding="utf-8")
    if section:
        start, end = f"<!-- --8<-- [start:{section}] -->", f"<!-- --8<-- [end:{section}] -->"
        if text.count(start) != 1 or text.count(end) != 1:
            raise ValueError(f"docs: {page} includes section {section!r} of {path}, which "
                             f"needs exactly one {start} and one {end}")
        text = text.split(start, 1)[1].split(end, 1)[0]
    return rewrite_links(text.strip("\n"), path, page)


def on_page_markdown(markdown, page, config, files):
    return INCLUDE.sub(lambda m: include(m.group(1), m.group(2), page.file.src_uri), markdown)
