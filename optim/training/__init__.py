"""optim.training: the training loop (fit), its callbacks, checkpoints, history and progress bar.

``fit`` trains a model with any optimizer and schedule of ``optim``; it returns a
``History`` (a plain dict of lists). Callbacks hook into each epoch and step:
``EarlyStopping``, ``Checkpoint`` (a resume continues exactly where it stopped),
``ProgressBar``, and optim.checks' ``Diagnostics``.

Example:
    >>> from optim.training import fit, EarlyStopping
    >>> history = fit(model, train, loss_fn=nn.CrossEntropyLoss(), epochs=30, val_loader=val,
    ...               optimizer=optim.Adam(model.parameters(), lr=0.01),
    ...               callbacks=[EarlyStopping(monitor="val_loss", patience=5)])
"""
from .fit import fit, FitState, NonFiniteLossError
from .history import History
from .callbacks import Callback, EarlyStopping
from .checkpoint import Checkpoint
from .progress import ProgressBar

__all__ = ["fit", "FitState", "NonFiniteLossError", "History", "Callback", "EarlyStopping",
           "Checkpoint", "ProgressBar"]
