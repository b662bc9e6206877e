"""chainrule's build backend: setuptools, refusing an environment whose `autograd` is another's.

chainrule's top-level packages are `autograd`, `nn`, `optim` and `viz`; HIPS autograd on PyPI is
also `autograd`. Installed into one environment, one shadows (editable install) or overwrites
(normal install) the other, and pip says nothing. So before pip builds chainrule to install it
(`pip install .`, `pip install -e .`), this backend looks in the target environment's
site-packages for any of those four names owned by another distribution and stops with an error
that names it and says to use a separate venv. Set CHAINRULE_ALLOW_NAME_CLASH=1 to build anyway
(a warning then), e.g. for `pip wheel .` meant for another machine. Everything else is
setuptools.build_meta unchanged. pyproject.toml points here (`backend-path = ["scripts"]`).

Example:
    >>> import sysconfig
    >>> find_clashes([sysconfig.get_paths()["purelib"]])   # chainrule's own venv: no clash
    []
"""
import importlib.metadata
import os
import site
import sys
import sysconfig
import warnings
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403  the hooks this module does not wrap

TOP_LEVEL = ("autograd", "nn", "optim", "viz")    # setup.cfg's [options.packages.find]
ALLOW_ENV = "CHAINRULE_ALLOW_NAME_CLASH"


class NameClashError(SystemExit):
    """The target environment already has another project's `autograd`, `nn`, `optim` or `viz`.

    A SystemExit: the hook's process (pip runs each hook in its own) ends with the message alone,
    status 1, and pip shows that message without a traceback above it.
    """


def site_dirs():
    """The site-packages folders of the interpreter that runs the build (pip's target).

    Example:
        >>> all(Path(d).is_dir() for d in site_dirs())
        True
    """
    paths = sysconfig.get_paths()
    found = [paths["purelib"], paths["platlib"], *site.getsitepackages()]
    return [d for d in dict.fromkeys(found) if Path(d).is_dir()]


def find_clashes(dirs):
    """[(path, owner)] for each of chainrule's top-level names present in ``dirs`` and not
    chainrule's own; ``owner`` names the distribution(s) that installed it, or is None.

    Example:
        >>> find_clashes([])
        []
    """
    dirs = list(dict.fromkeys(Path(d).resolve() for d in dirs))
    owners = {}                                     # (site dir, name) -> {"dist version", ...}
    for dist in importlib.metadata.distributions(path=[str(d) for d in dirs]):
        name = dist.metadata["Name"] or "?"
        label = "chainrule" if name.lower() == "chainrule" else f"{name} {dist.version}"
        root = Path(dist.locate_file("")).resolve()
        for top in {f.parts[0] for f in dist.files or () if f.parts}:
            top = top[:-3] if top.endswith(".py") else top
            if top in TOP_LEVEL:
                owners.setdefault((root, top), set()).add(label)
    clashes = []
    for d in dirs:
        for top in TOP_LEVEL:
            if (d / top).exists() or (d / f"{top}.py").exists():
                others = sorted(owners.get((d, top), set()) - {"chainrule"})
                if others or (d, top) not in owners:
                    clashes.append((str(d / top), ", ".join(others) or None))
    return clashes


def clash_message(clashes):
    """What is in the way and what to do instead.

    Example:
        >>> print(clash_message([("/env/site-packages/autograd", "autograd 1.9.1")]))
        ... # doctest: +ELLIPSIS
        chainrule cannot be installed into this environment (...):
          /env/site-packages/autograd, from the distribution autograd 1.9.1 (HIPS autograd)
        ...
    """
    lines = []
    for path, owner in clashes:
        hips = " (HIPS autograd)" if owner and owner.lower().startswith("autograd ") else ""
        source = f"from the distribution {owner}{hips}" if owner else "not owned by any distribution"
        lines.append(f"  {path}, {source}")
    return "\n".join([
        f"chainrule cannot be installed into this environment ({sys.prefix}):",
        *lines,
        "chainrule's top-level packages are autograd, nn, optim and viz; installed here, one",
        "project would shadow or overwrite the other (`from autograd import Tensor` would fail,",
        "or HIPS autograd would break).",
        "Install chainrule into its own virtual environment instead, as its scripts do:",
        "    python3 -m venv .venv && .venv/bin/python -m pip install -e .",
        "or run `bash scripts/test.sh` / `bash scripts/demo.sh`, which make and use that .venv.",
        f"(Only building a wheel for elsewhere? Set {ALLOW_ENV}=1 to go ahead.)",
    ])


def check_environment():
    """Raise NameClashError if pip's target environment has a clash (a warning if allowed)."""
    clashes = find_clashes(site_dirs())
    if not clashes:
        return
    message = clash_message(clashes)
    if os.environ.get(ALLOW_ENV) == "1":
        warnings.warn(message, stacklevel=2)
        return
    raise NameClashError(message)


def _checked(hook):
    def wrapped(*args, **kwargs):
        check_environment()
        return hook(*args, **kwargs)
    wrapped.__name__ = hook.__name__
    wrapped.__doc__ = f"setuptools' {hook.__name__}, after check_environment()."
    return wrapped


# The hooks pip calls to install (wheel or editable); sdist hooks stay setuptools' own.
get_requires_for_build_wheel = _checked(_setuptools.get_requires_for_build_wheel)
prepare_metadata_for_build_wheel = _checked(_setuptools.prepare_metadata_for_build_wheel)
build_wheel = _checked(_setuptools.build_wheel)
get_requires_for_build_editable = _checked(_setuptools.get_requires_for_build_editable)
prepare_metadata_for_build_editable = _checked(_setuptools.prepare_metadata_for_build_editable)
build_editable = _checked(_setuptools.build_editable)
