"""optim.training: the training loop (fit), its callbacks, checkpoints, history and progress bar.

``fit`` trains a model with any optimizer and schedule of ``optim``; it returns a
``History`` (a plain dict of lists). Callbacks hook into each epoch and step:
``EarlyStopping``, ``Checkpoint`` (a resume continues exactly where it stopped),
``ProgressBar``, and optim.checks' ``Diagnostics``.

Example:
    >>> from optim.training import fit, EarlyStopping
    >>> import nn, optim
    >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
    >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=8)
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> val = nn.data.DataLoader(nn.data.TensorDataset(*nn.data.moons(32, seed=1)), batch_size=32)
    >>> history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), epochs=30, val_loader=val,
    ...               optimizer=optim.Adam(model.parameters(), lr=0.3),
    ...               callbacks=[EarlyStopping(monitor="val_loss", patience=1)])
    >>> [round(v, 2) for v in history["val_loss"]]     # stopped at the first worse epoch
    [0.4, 0.43]
"""
from .fit import fit, FitState, NonFiniteLossError
from .history import History
from .callbacks import Callback, EarlyStopping
from .checkpoint import Checkpoint
from .progress import ProgressBar

__all__ = ["fit", "FitState", "NonFiniteLossError", "History", "Callback", "EarlyStopping",
           "Checkpoint", "ProgressBar"]
