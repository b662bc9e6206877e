"""The import-mapping rewriter: its table is the README's, and each rule does what it says."""
import re
from pathlib import Path

import pytest

from .rewrite import MAPPING, PACKAGES, to_chainrule

README = (Path(__file__).parents[2] / "README.md").read_text()


def readme_table():
    section = README.split("## Coming from PyTorch", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([\w.]+)` \| `([\w.]+)` \|$", section, re.M))


def test_the_rewriter_applies_exactly_the_readme_table():
    assert readme_table() == MAPPING


def test_the_table_is_the_issue_mapping():
    assert MAPPING == {
        "torch": "autograd", "torch.autograd": "autograd", "torch.nn": "nn",
        "torch.nn.functional": "nn.functional", "torch.optim": "optim",
        "torch.utils.data": "nn.data", "torch.save": "nn.save", "torch.load": "nn.load"}
    assert PACKAGES == {v for v in MAPPING.values() if v not in ("nn.save", "nn.load")}


@pytest.mark.parametrize("source,expected", [
    # rule 1: references, longest prefix
    ("y = torch.max(x, 1)\n", "y = autograd.max(x, 1)\n"),
    ("torch.nn.init.zeros_(w)\n", "nn.init.zeros_(w)\n"),
    ("torch.nn.functional.relu(x)\n", "nn.functional.relu(x)\n"),
    ("s = torch.optim.lr_scheduler.StepLR(o, 1)\n", "s = optim.lr_scheduler.StepLR(o, 1)\n"),
    ("d = torch.utils.data.DataLoader(ds)\n", "d = nn.data.DataLoader(ds)\n"),
    ("class F(torch.autograd.Function):\n    pass\n", "class F(autograd.Function):\n    pass\n"),
    ("torch.save(sd, 'm.pt')\nsd = torch.load('m.pt')\n",
     "nn.save(sd, 'm.pt')\nsd = nn.load('m.pt')\n"),
    ("x = torch . zeros(2)\n", "x = autograd . zeros(2)\n"),
    ("lib = torch\n", "lib = autograd\n"),
    # never attributes named torch, strings or comments
    ("a.torch.nn\n", "a.torch.nn\n"),
    ("s = 'torch.nn'  # torch.save\n", "s = 'torch.nn'  # torch.save\n"),
    ('"""import torch"""\n', '"""import torch"""\n'),
    # rule 2: import ... as
    ("import torch.nn as nn\n", "import nn\n"),
    ("import torch.nn.functional as F\n", "import nn.functional as F\n"),
    ("import torch.optim as optim\n", "import optim\n"),
    ("import torch as T\n", "import autograd as T\n"),
    ("import torch.utils.data as data\n", "import nn.data as data\n"),
    # rule 3: bare imports become the packages the code names
    ("import torch\nx = torch.zeros(1)\n", "import autograd\nx = autograd.zeros(1)\n"),
    ("import torch\nm = torch.nn.Linear(1, 1)\no = torch.optim.SGD(m.parameters(), lr=1)\n",
     "import autograd, nn, optim\nm = nn.Linear(1, 1)\no = optim.SGD(m.parameters(), lr=1)\n"),
    ("import torch.utils.data\nd = torch.utils.data.DataLoader\n",
     "import autograd, nn\nd = nn.data.DataLoader\n"),
    ("import numpy as np, torch\n", "import autograd, numpy as np\n"),
    # rule 4: from ... import
    ("from torch import nn\n", "import nn\n"),
    ("from torch import nn, optim\n", "import nn; import optim\n"),
    ("from torch.nn import functional as F\n", "import nn.functional as F\n"),
    ("from torch import autograd\n", "import autograd\n"),
    ("from torch import save, load as L\n", "from nn import save; from nn import load as L\n"),
    ("from torch.utils.data import DataLoader, TensorDataset\n",
     "from nn.data import DataLoader, TensorDataset\n"),
    ("from torch.optim.lr_scheduler import StepLR\n", "from optim.lr_scheduler import StepLR\n"),
    ("from torch.autograd import Function\n", "from autograd import Function\n"),
    ("from torch import tensor, no_grad\n", "from autograd import tensor, no_grad\n"),
    ("from torch.nn.utils.rnn import pad_sequence\n", "from nn.utils.rnn import pad_sequence\n"),
    # other imports untouched, also indented ones
    ("import numpy as np\nfrom . import x\n", "import numpy as np\nfrom . import x\n"),
    ("def f():\n    import torch.nn as nn\n    return nn\n",
     "def f():\n    import nn\n    return nn\n"),
])
def test_rules(source, expected):
    assert to_chainrule(source) == expected


def test_code_without_torch_is_unchanged_and_the_rewrite_is_idempotent():
    source = "import autograd\nimport nn\nx = autograd.zeros(2)\n"
    assert to_chainrule(source) == source
    program = (Path(__file__).parent / "programs" / "p05_nn_really.py").read_text()
    once = to_chainrule(program)
    assert to_chainrule(once) == once


def test_rewritten_sources_compile_and_non_ascii_text_keeps_its_columns():
    source = "s = 'é'; import torch.nn as nn  # ü\nx = torch.zeros(1)  # ß torch\n"
    out = to_chainrule(source)
    assert out == "s = 'é'; import nn  # ü\nx = autograd.zeros(1)  # ß torch\n"
    compile(out, "<rewritten>", "exec")
