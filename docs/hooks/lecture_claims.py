"""MkDocs hook: the lecture's claims page is examples/README.md, included at build time.

Until examples/README.md exists, the page is made from what the experiments say about
themselves instead: each example script's module docstring (the claim, the data, how it is
measured), read from examples/*.py when the site is built.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = "lecture-claims.md"
INCLUDE = '--8<-- "examples/README.md"'


def from_docstrings():
    """One section per example script: its name, how to run it, and its module docstring."""
    parts = ["# The lecture's claims", "",
             "Each experiment in `examples/` states the claim it tests and how it measures it; "
             "run one with `.venv/bin/python examples/NAME.py` (most take `--smoke` for a "
             "short run). What each script says:", ""]
    for path in sorted((ROOT / "examples").glob("[!_]*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if doc:
            title, _, body = doc.partition("\n")
            body = body.strip().replace("[", "\\[")       # `[--smoke]` is not a link
            parts += [f"## `{path.name}`: {title.strip()}", "", body, ""]
    return "\n".join(parts)


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == PAGE and not (ROOT / "examples" / "README.md").exists():
        return markdown.replace(INCLUDE, from_docstrings())
    return markdown
