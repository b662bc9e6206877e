"""MkDocs hook: each API page documents every public name of a package face, read at build time.

A line ``<!-- public-names PACKAGE -->`` in a page becomes mkdocstrings' ``::: PACKAGE`` with an
explicit ``members`` list: the package's ``__all__``, or, for a package without one, every
public attribute that is not a module. Names are read from the imported package each time the
site is built, so a name added to a package face appears on its page without editing the docs.

Where mkdocstrings (which reads the source, not the running package) cannot see a name at the
face (a name loaded lazily by the package's ``__getattr__``, or a function sharing its name with
a submodule, such as ``autograd.gradcheck``), the object is documented under its defining path
(``autograd.gradcheck.gradcheck``), or, when a room of the package documents it, linked there.

Submodules among the names get a link when they have a page of their own (``OWN_PAGES``, and
``ROOM_PAGES`` for the rooms of ``optim``), else a section on the same page. ``SUBFACES`` adds
public submodules a face does not list (``autograd.testing`` needs hypothesis, so ``autograd``
does not import it). ``<!-- public-rooms optim -->`` documents each subpackage of ``optim``
without a page of its own (its rooms), whatever rooms exist when the site is built.
"""
import importlib
import pkgutil
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import griffe

ROOT = Path(__file__).resolve().parents[2]

# package -> the page (relative to docs/) that documents it
OWN_PAGES = {
    "autograd": "api/autograd.md",
    "nn": "api/nn.md",
    "nn.functional": "api/nn.functional.md",
    "nn.data": "api/nn.data.md",
    "optim": "api/optim.md",
    "optim.lr_scheduler": "api/optim.lr_scheduler.md",
    "viz": "api/viz.md",
}
# package -> the page documenting its rooms (subpackages without a page of their own)
ROOM_PAGES = {"optim": "api/optim.rooms.md"}
# public submodules a face does not list among its names, documented on the face's page
SUBFACES = {
    "autograd": ["testing"],
    "nn": ["functional", "init", "utils", "data"],
    "viz": ["tensorboard"],
}
MARKER = re.compile(r"^<!-- public-(names|rooms) ([\w.]+) -->$", re.M)


@dataclass
class Entry:
    """How one public name is shown: ``how`` is "member" (in the package's ``:::`` block,
    anchor ``package.name``), "object" (its own block, anchor ``target``), "link" (documented
    at anchor ``target`` on ``page``), "page" (a submodule with its own ``page``) or "section"
    (a submodule documented in a section of this page, anchor ``target``)."""
    name: str
    how: str
    target: str
    page: str = ""


_static = {}


def _griffe():
    """What mkdocstrings sees: the packages as griffe loads them from the source."""
    if not _static:
        loader = griffe.GriffeLoader(search_paths=[str(ROOT)])
        for top in sorted({p.split(".")[0] for p in OWN_PAGES}):
            loader.load(top)
        loader.resolve_aliases(implicit=False, external=False)
        _static["modules"] = loader.modules_collection
    return _static["modules"]


def _seen_by_griffe(path):
    """The kind of object griffe finds at ``path`` ("module", "class", ...), or None."""
    try:
        obj = _griffe()[path]
        return (obj.final_target if obj.is_alias else obj).kind.value
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _import(name):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(name)


def public_names(package):
    """The names ``package`` exports: its ``__all__``, else its public non-module attributes.

    Submodules listed in ``SUBFACES`` are added at the end.
    """
    module = _import(package)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if not n.startswith("_") and not isinstance(v, types.ModuleType)
                 and type(v).__name__ != "_Feature"]          # `from __future__ import ...`
    names = list(dict.fromkeys(names))
    return names + [s for s in SUBFACES.get(package, []) if s not in names]


def rooms(package):
    """The subpackages of ``package`` that have no page of their own, in name order."""
    module = _import(package)
    return [f"{package}.{m.name}" for m in pkgutil.iter_modules(module.__path__)
            if m.ispkg and not m.name.startswith("_") and f"{package}.{m.name}" not in OWN_PAGES]


def _page_of(module_path):
    if module_path in OWN_PAGES:
        return OWN_PAGES[module_path]
    parent = module_path.rpartition(".")[0]
    if parent in ROOM_PAGES and module_path in rooms(parent):
        return ROOM_PAGES[parent]
    return None


def plan(package, page):
    """One Entry per public name of ``package``, as documented on ``page``."""
    module = _import(package)
    entries = []
    for name in public_names(package):
        full = f"{package}.{name}"
        obj = getattr(module, name) if hasattr(module, name) else _import(full)
        if isinstance(obj, types.ModuleType):
            home = _page_of(full)
            if home is not None and home != page:
                entries.append(Entry(name, "page", full, home))
            else:
                entries.append(Entry(name, "section", full))
            continue
        if _seen_by_griffe(full) not in (None, "module"):
            entries.append(Entry(name, "member", full))
            continue
        defined = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None)
        if not defined or not qualname or _seen_by_griffe(f"{defined}.{qualname}") is None:
            raise ValueError(f"docs: cannot document {full}: mkdocstrings does not see it at "
                             f"the package face, and it has no defining module to show it "
                             f"from ({type(obj).__name__})")
        room = next((r for r in rooms(package) if defined.startswith(r + ".")
                     and name in public_names(r)), None) if package in ROOM_PAGES else None
        if room is not None:
            there = next(e for e in plan(room, ROOM_PAGES[package]) if e.name == name)
            entries.append(Entry(name, "link", there.target, ROOM_PAGES[package]))
        else:
            entries.append(Entry(name, "object", f"{defined}.{qualname}"))
    return entries


def _relative(src_page, target_page):
    return "../" * src_page.count("/") + target_page


def _block(identifier, level, members=None):
    lines = [f"::: {identifier}", "    options:", f"      heading_level: {level}"]
    if members is None:                      # one object, with its heading
        lines += ["      show_root_heading: true", "      show_root_full_path: false"]
    else:                                    # a package: its docstring, then these members
        lines += ["      show_root_heading: false", "      show_root_toc_entry: false",
                  "      members:" if members else "      members: []"]
        lines += [f"      - {m}" for m in members]
    return "\n".join(lines)


def render(package, page, level=2, depth=0):
    """The markdown documenting ``package`` on ``page`` (a path relative to docs/)."""
    entries = plan(package, page)
    out = [_block(package, level, [e.name for e in entries if e.how == "member"])]
    for e in entries:
        if e.how == "object":
            out += ["", _block(e.target, level)]
    links = [e for e in entries if e.how == "link"]
    if links:
        out += ["", f"{'#' * level} From the rooms", "",
                f"Also importable from `{package}`, documented with their room:", ""]
        out += [f"- [`{package}.{e.name}`]({_relative(page, e.page)}#{e.target}) "
                f"(`{e.target}`)" for e in links]
    for e in entries:
        if e.how == "page":
            out += ["", f"{'#' * level} `{e.target}`", "",
                    f"Documented on its own page: [`{e.target}`]({_relative(page, e.page)})."]
        elif e.how == "section" and depth < 2:
            out += ["", f"{'#' * level} `{e.target}` {{ #{e.target} }}", "",
                    render(e.target, page, level + 1, depth + 1)]
    return "\n".join(out)


def render_rooms(package, page):
    sections = []
    for room in rooms(package):
        sections += [f"## `{room}` {{ #{room} }}", "", render(room, page, 3), ""]
    return "\n".join(sections)


def on_pre_build(config):
    _static.clear()                          # `mkdocs serve`: read the source again


def on_page_markdown(markdown, page, config, files):
    def replace(match):
        kind, package = match.groups()
        if kind == "names":
            return render(package, page.file.src_uri)
        return render_rooms(package, page.file.src_uri)
    return MARKER.sub(replace, markdown)
