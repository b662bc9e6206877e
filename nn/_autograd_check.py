"""Refuse to run on someone else's ``autograd``: nn, optim and viz need chainrule's.

chainrule's engine is the top-level package ``autograd``, the same name as HIPS autograd on
PyPI. With both in one environment (or a folder named ``autograd`` earlier on ``sys.path``),
``import autograd`` finds the other one and the first ``from autograd import Tensor`` fails
with a bare "cannot import name 'Tensor'". ``nn``, ``optim`` and ``viz`` import this module
first; it raises an ImportError that says which ``autograd`` was found and how to fix it.

It reads only the module's ``__chainrule__`` marker (and, for older checkouts without it, the
names ``Tensor`` and ``Function``), so it works whatever ``autograd`` turns out to be.

Example:
    >>> import autograd
    >>> from nn._autograd_check import check_autograd
    >>> check_autograd(autograd)                    # chainrule's: nothing to say
    >>> import types
    >>> check_autograd(types.ModuleType("autograd"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ImportError: chainrule's nn, optim and viz need chainrule's `autograd` package, ...
"""
import importlib
import importlib.metadata
import sys

FIX = """\
chainrule's packages (autograd, nn, optim, viz) share the top-level name `autograd` with HIPS
autograd, so the two cannot live in one Python environment: one shadows or overwrites the other.
Fix: give chainrule its own virtual environment, as chainrule's scripts do (scripts/_venv.sh):
    python3 -m venv .venv
    .venv/bin/python -m pip install -e .      # in the chainrule checkout
    .venv/bin/python your_script.py           # or first: source .venv/bin/activate
(`bash scripts/test.sh` and `bash scripts/demo.sh` create and use that .venv for you.)
Keep HIPS autograd in another environment. If both were installed into this one, run
`pip uninstall autograd chainrule` here and install chainrule into its own venv as above."""


def is_chainrule_autograd(module):
    """True when ``module`` is chainrule's ``autograd``.

    Example:
        >>> import autograd
        >>> is_chainrule_autograd(autograd)
        True
    """
    if getattr(module, "__chainrule__", None):
        return True
    return hasattr(module, "Tensor") and hasattr(module, "Function")


def describe(module):
    """Where ``module`` came from: its file, then the installed distribution that owns it.

    Example:
        >>> import types
        >>> print(describe(types.ModuleType("autograd")))  # doctest: +ELLIPSIS
        a module with no file
        not from any installed distribution: a folder or file named `autograd` ...
    """
    where = getattr(module, "__file__", None)
    if where is None:
        path = list(getattr(module, "__path__", []) or [])
        where = f"a folder without __init__.py: {path[0]}" if path else "a module with no file"
    owners = _owners(module.__name__.partition(".")[0])
    if not owners:
        return (f"{where}\nnot from any installed distribution: a folder or file named "
                f"`autograd` earlier on sys.path (the current directory?); rename it")
    named = ", ".join(f"'{name}' {version}" for name, version in owners)
    hips = ": HIPS autograd, https://github.com/HIPS/autograd" if any(
        name.lower() == "autograd" for name, _ in owners) else ""
    return f"{where}\ninstalled by the distribution {named}{hips}"


def check_autograd(module):
    """Raise ImportError, naming the clash and the fix, unless ``module`` is chainrule's.

    Example:
        >>> import autograd
        >>> check_autograd(autograd)
    """
    if is_chainrule_autograd(module):
        return
    found = describe(module).replace("\n", "\n    ")
    raise ImportError(
        f"chainrule's nn, optim and viz need chainrule's `autograd` package, but "
        f"`import autograd` in {sys.executable} found another one:\n    {found}\n{FIX}",
        name=module.__name__, path=getattr(module, "__file__", None))


def _owners(top_level):
    """[(distribution, version)] of the installed distributions, chainrule aside, that ship
    the top-level package ``top_level``."""
    names = importlib.metadata.packages_distributions().get(top_level, [])
    owners = []
    for name in dict.fromkeys(names):
        if name.lower() == "chainrule":
            continue
        try:
            owners.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            owners.append((name, "(version unknown)"))
    return owners


check_autograd(importlib.import_module("autograd"))
