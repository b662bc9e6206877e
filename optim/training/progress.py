"""ProgressBar: fit's per-epoch progress on stderr (a tqdm bar when tqdm is installed)."""
import sys

from .callbacks import Callback

__all__ = ["ProgressBar"]


def _fmt(logs):
    return {k: f"{v:.4g}" for k, v in logs.items() if k != "epoch" and isinstance(v, float)}


class ProgressBar(Callback):
    """A tqdm bar per epoch showing the running loss, then the epoch's record; tqdm optional.

    Without tqdm it prints one line per epoch instead. It writes to
    ``sys.stderr`` (tqdm's default; stdout stays free for results). ``fit``
    adds one by itself when ``progress=True``, or with ``progress=None``
    when stderr is a terminal.

    Example:
        >>> import contextlib, io
        >>> from optim import fit
        >>> import nn, optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
        >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=8)
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> with contextlib.redirect_stderr(io.StringIO()) as stderr:
        ...     history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=2,
        ...                   optimizer=optim.SGD(model.parameters(), lr=0.1),
        ...                   callbacks=[ProgressBar()])
        >>> "epoch 2/2" in stderr.getvalue()        # e.g. "epoch 2/2: 100%|####| 4/4 ..."
        True
    """

    def __init__(self):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        self._tqdm, self._bar = tqdm, None

    def on_epoch_start(self, state):
        """Open the epoch's bar."""
        self._epoch_name = f"epoch {state.epoch + 1}/{state.epochs}"
        self._losses = []
        if self._tqdm is not None:
            self._bar = self._tqdm(total=state.batches_per_epoch, desc=self._epoch_name,
                                   file=sys.stderr, leave=True, unit="batch")

    def on_batch_end(self, state, logs):
        """Advance the bar; show the mean loss of the epoch's batches so far."""
        self._losses.append(logs["loss"])
        if self._bar is not None:
            self._bar.set_postfix(loss=f"{sum(self._losses) / len(self._losses):.4g}",
                                  refresh=False)
            self._bar.update(1)

    def on_epoch_end(self, state, logs):
        """Show the epoch's record: as the bar's postfix, or as one printed line."""
        if self._bar is not None:
            self._bar.set_postfix(_fmt(logs), refresh=True)
            self.close()
        else:
            items = "  ".join(f"{k} {v}" for k, v in _fmt(logs).items())
            print(f"{self._epoch_name}  {items}", file=sys.stderr, flush=True)

    def close(self):
        """Close an open bar (fit calls this also when an epoch ends in an exception)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
