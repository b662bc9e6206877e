"""Helpers shared by the example scripts: where a run writes, tables, results, a training loop.

Example:
    >>> out = run_dir("deep_xor", None)              # runs/deep_xor-20240101-120000/
    >>> print(format_table(["a", "b"], [[1, 0.5]]))

Importing this module loads no NumPy (nor nn): a script calls ``as_script`` from it
before anything else.
"""
import argparse
import datetime
import json
import math
import os
import sys
from pathlib import Path

__all__ = ["ROOT", "as_script", "run_dir", "format_table", "save_json", "write_text", "first_epoch",
           "fit_and_print", "cli"]

ROOT = Path(__file__).resolve().parent.parent


def as_script(**env):
    """Prepare a process that runs an example as a script; returns its package, "examples".

    Call it first thing in ``if __name__ == "__main__":``, before NumPy loads: it sets
    OPENBLAS_NUM_THREADS=1 (threads only slow these small matrices down on a shared
    machine; OpenBLAS reads it once, when NumPy loads; a value already set is kept, as
    are those of ``env``, further variables to default) and puts the repository root on
    sys.path, so that a script run as a file (``python examples/x.py``, whose directory
    is sys.path[0]: it imports this module as ``_common``) can import the helpers as the
    package ``examples``. Importing an example as a module calls nothing and sets nothing.

    Example:
        >>> if __name__ == "__main__":    # in examples/x.py, as a file or with python -m
        ...     import importlib
        ...     __package__ = importlib.import_module(
        ...         ("examples." if __package__ else "") + "_common").as_script()
    """
    for name, value in {"OPENBLAS_NUM_THREADS": "1", **env}.items():
        os.environ.setdefault(name, value)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return "examples"


def run_dir(name, out_dir=None):
    """The directory an example writes to (created): ``out_dir``, else ``runs/<name>-<time>/``.

    ``runs/`` is under the repository root and ignored by git.

    Example:
        >>> run_dir("deep_xor", "/tmp/xor").name
        'xor'
    """
    if out_dir is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out_dir = ROOT / "runs" / f"{name}-{stamp}"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        if value != 0 and math.isfinite(value) and not 1e-3 <= abs(value) < 1e5:
            return f"{value:.2e}"
        return f"{value:.4g}"
    return str(value)


def format_table(headers, rows):
    """A plain-text table: columns padded to their widest cell, floats to 4 significant digits.

    Example:
        >>> print(format_table(["act", "acc"], [["relu", 1.0], ["sigmoid", 0.535]]))
        act     | acc
        --------+------
        relu    | 1
        sigmoid | 0.535
    """
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def save_json(obj, path):
    """Write ``obj`` as indented JSON (NaN written as null); returns the Path.

    Example:
        >>> save_json({"accuracy": 1.0}, "results.json")
        PosixPath('results.json')
    """
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v
    return write_text(path, json.dumps(clean(obj), indent=2) + "\n")


def write_text(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically (nn.serialization.atomic_write: a
    reader sees the old file or the whole new one); returns the Path.

    Example:
        >>> write_text("note.txt", "done")
        PosixPath('note.txt')
    """
    from nn.serialization import atomic_write

    path = Path(path)
    with atomic_write(path) as f:
        f.write(text.encode("utf-8"))
    return path


def first_epoch(values, threshold, above=True):
    """The first (1-based) epoch whose value reaches ``threshold`` (>=, or <= if not ``above``).

    None if no epoch does.

    Example:
        >>> first_epoch([0.5, 0.8, 0.95], 0.9)
        3
    """
    for i, v in enumerate(values):
        if (v >= threshold) if above else (v <= threshold):
            return i + 1
    return None


def fit_and_print(model, optimizer, train, test, *, epochs, batch_size, seed, scheduler=None,
                  verbose=True):
    """Train with optim.fit, printing one line per epoch; returns the per-epoch records.

    ``train`` and ``test``: ``(X, y)`` arrays; the test set is evaluated after each epoch
    (eval mode, no graph). Each record: ``epoch`` (1-based), ``loss`` and
    ``train_accuracy`` (means over the epoch's batches), ``test_accuracy``.

    Example:
        >>> records = fit_and_print(model, optim.Adam(model.parameters()), (X, y), (Xt, yt),
        ...                         epochs=2, batch_size=64, seed=0)
        epoch  1  loss 0.4121  train acc 88.10%  test acc 92.30%  (0.6 s)
    """
    import time

    import nn
    import optim

    start = time.perf_counter()
    records = []

    class Print(optim.Callback):
        def on_epoch_end(self, state, logs):
            records.append(dict(epoch=state.epoch + 1, loss=logs["train_loss"],
                                train_accuracy=logs["train_accuracy"],
                                test_accuracy=logs["val_accuracy"]))
            if verbose:
                r = records[-1]
                print(f"epoch {r['epoch']:2d}  loss {r['loss']:.4f}  "
                      f"train acc {r['train_accuracy']:6.2%}  "
                      f"test acc {r['test_accuracy']:6.2%}  "
                      f"({time.perf_counter() - start:.1f} s)")

    loader = nn.data.DataLoader(nn.data.TensorDataset(*train), batch_size=batch_size,
                                shuffle=True)
    test_loader = nn.data.DataLoader(nn.data.TensorDataset(*test), batch_size=500)
    optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=epochs,
              val_loader=test_loader, scheduler=scheduler, metrics=["accuracy"],
              callbacks=[Print()], seed=seed, progress=False)
    return records


def cli(main, doc, name, tensorboard=False):
    """Run an example's ``main`` from the command line: ``--smoke``, ``--seed N``, ``--out DIR``
    (and ``--tensorboard DIR``, passed as ``main(tensorboard=DIR)``, with ``tensorboard=True``).

    Example:
        >>> if __name__ == "__main__":
        ...     cli(main, __doc__, "deep_xor")
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the reduced size CI runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None,
                        help=f"output directory (default runs/{name}-<time>)")
    if tensorboard:
        parser.add_argument("--tensorboard", metavar="DIR", default=None,
                            help="also log the run to TensorBoard in DIR (then: tensorboard "
                                 "--logdir DIR)")
    args = parser.parse_args()
    extra = {"tensorboard": args.tensorboard} if tensorboard else {}
    return main(smoke=args.smoke, seed=args.seed, out_dir=args.out, **extra)
