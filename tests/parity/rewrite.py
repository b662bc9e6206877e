"""The import mapping from PyTorch to chainrule, as a source rewriter (the README's table).

A PyTorch program runs on chainrule after one change: the names it imports.
``to_chainrule(source)`` applies that change and nothing else:

    torch.nn.functional  ->  nn.functional
    torch.nn             ->  nn
    torch.optim          ->  optim
    torch.utils.data     ->  nn.data
    torch.autograd       ->  autograd
    torch.save           ->  nn.save
    torch.load           ->  nn.load
    torch                ->  autograd

Rules (applied to code only; strings and comments are left alone):

1. A dotted reference ``torch.a.b...`` in code loses its longest prefix in the
   table, which is replaced by the right-hand side (``torch.nn.init.zeros_``
   becomes ``nn.init.zeros_``, ``torch.max`` becomes ``autograd.max``).
2. ``import torch.x as A`` becomes ``import <mapped> as A`` (written
   ``import nn`` when A is already the mapped name: ``import torch.nn as nn``
   becomes ``import nn``).
3. ``import torch`` (or ``import torch.x`` without ``as``) binds the name
   ``torch``, through which the code reaches every subpackage; after rule 1
   that code names the packages themselves, so the statement becomes the
   import of each package the rewritten code names: ``import autograd, nn``.
4. ``from P import n as A``: when ``P.n`` is in the table as a package
   (``from torch import nn``, ``from torch.nn import functional as F``) it
   becomes ``import <mapped> as A``; when ``P.n`` is ``torch.save`` or
   ``torch.load`` it becomes ``from nn import save``; otherwise the module is
   mapped: ``from torch.utils.data import DataLoader`` becomes
   ``from nn.data import DataLoader``.

Example:
    >>> print(to_chainrule("import torch\\nfrom torch import optim\\n"
    ...                    "x = torch.nn.functional.relu(torch.zeros(3))\\n"
    ...                    "torch.save(m.state_dict(), 'm.pt')  # torch.save\\n"))
    import autograd, nn
    import optim
    x = nn.functional.relu(autograd.zeros(3))
    nn.save(m.state_dict(), 'm.pt')  # torch.save
    <BLANKLINE>
"""
import ast
import io
import tokenize

__all__ = ["MAPPING", "PACKAGES", "to_chainrule"]

# Left: a PyTorch dotted name; right: chainrule's. Longest match wins (rule 1).
MAPPING = {
    "torch.nn.functional": "nn.functional",
    "torch.nn": "nn",
    "torch.optim": "optim",
    "torch.utils.data": "nn.data",
    "torch.autograd": "autograd",
    "torch.save": "nn.save",
    "torch.load": "nn.load",
    "torch": "autograd",
}
# The right-hand sides that are modules (the others, nn.save and nn.load, are functions).
PACKAGES = {"nn.functional", "nn", "optim", "nn.data", "autograd"}


def _map(dotted):
    """``dotted`` with its longest mapped prefix replaced, or None if no prefix maps."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        head = ".".join(parts[:n])
        if head in MAPPING:
            return ".".join([MAPPING[head]] + parts[n:])
    return None


def _references(source):
    """Rule 1: yield (start, end, replacement, root) for each ``torch...`` chain in code.

    Positions are (row, col) pairs as tokenize gives them.
    """
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.NL, tokenize.COMMENT)]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        after_dot = i > 0 and tokens[i - 1].string == "."
        if tok.type == tokenize.NAME and tok.string == "torch" and not after_dot:
            names, j = ["torch"], i
            while (j + 2 < len(tokens) and tokens[j + 1].string == "."
                   and tokens[j + 2].type == tokenize.NAME):
                names.append(tokens[j + 2].string)
                j += 2
            # the longest mapped prefix ends at token i + 2 * (len(prefix) - 1)
            for n in range(len(names), 0, -1):
                if ".".join(names[:n]) in MAPPING:
                    target = MAPPING[".".join(names[:n])]
                    end = tokens[i + 2 * (n - 1)].end
                    yield tok.start, end, target, target.split(".")[0]
                    break
            i = j + 1
        else:
            i += 1


def _alias(target, asname):
    return f"import {target}" if asname in (None, target) else f"import {target} as {asname}"


def _import_statement(node, roots):
    """Rules 2-4: the chainrule text of one Import/ImportFrom node (None: not torch's)."""
    if isinstance(node, ast.Import):
        if not any(a.name.split(".")[0] == "torch" for a in node.names):
            return None
        parts, bare = [], False
        for a in node.names:
            if a.name.split(".")[0] != "torch":
                parts.append(a.name if a.asname is None else f"{a.name} as {a.asname}")
            elif a.asname is not None:
                parts.append(_alias(_map(a.name), a.asname)[len("import "):])
            else:
                bare = True
        if bare:       # rule 3: the packages the rewritten code names
            parts = sorted(roots | {"autograd"}) + parts
        return "import " + ", ".join(dict.fromkeys(parts))
    if node.level or not node.module or node.module.split(".")[0] != "torch":
        return None
    lines, plain = [], []
    for a in node.names:
        full = f"{node.module}.{a.name}"
        if full in MAPPING and MAPPING[full] in PACKAGES:
            lines.append(_alias(MAPPING[full], a.asname or a.name))
        elif full in MAPPING:
            module, _, name = MAPPING[full].rpartition(".")
            alias = "" if (a.asname or a.name) == name else f" as {a.asname or a.name}"
            lines.append(f"from {module} import {name}{alias}")
        else:
            plain.append(a.name if a.asname is None else f"{a.name} as {a.asname}")
    if plain:
        lines.insert(0, f"from {_map(node.module)} import {', '.join(plain)}")
    return "; ".join(lines)


def to_chainrule(source):
    """``source`` (a PyTorch program) with the import mapping applied, and nothing else.

    Example:
        >>> to_chainrule("import torch.nn as nn\\nfrom torch.utils.data import DataLoader\\n")
        'import nn\\nfrom nn.data import DataLoader\\n'
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def at(row, col):        # tokenize's (1-based row, character column) -> source index
        return offsets[row - 1] + col

    def at_bytes(row, col):  # ast's columns count UTF-8 bytes
        return offsets[row - 1] + len(lines[row - 1].encode()[:col].decode())

    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    spans = [(at_bytes(n.lineno, n.col_offset), at_bytes(n.end_lineno, n.end_col_offset), n)
             for n in imports]

    def inside_import(pos):
        return any(a <= pos < b for a, b, _ in spans)

    edits, roots = [], set()
    for start, end, target, root in _references(source):
        pos = at(*start)
        if not inside_import(pos):
            edits.append((pos, at(*end), target))
            roots.add(root)
    for a, b, node in spans:
        text = _import_statement(node, roots)
        if text is not None:
            edits.append((a, b, text))
    out = source
    for a, b, text in sorted(edits, reverse=True):
        out = out[:a] + text + out[b:]
    return out
