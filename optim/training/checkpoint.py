"""Checkpoint (a fit callback) and the reading side: resuming a fit exactly where it was.

A checkpoint is one ``nn.save`` file (safe ``.npz``, no pickle) holding the
model's, optimizer's and scheduler's state dicts, the history, the number of
finished epochs, fit's seed, nn's random generator (dropout masks) and the
state of the callbacks that have one.
"""
import numbers
import os

import nn
from .callbacks import Callback

__all__ = ["Checkpoint"]

FORMAT = "chainrule.fit"


class Checkpoint(Callback):
    """Every ``every`` epochs, save everything a resume needs with ``nn.save`` (safe ``.npz``).

    A checkpoint holds the model's, optimizer's and scheduler's state dicts,
    the history, the number of finished epochs, fit's seed, nn's random
    generator and the state of stateful callbacks;
    ``fit(..., resume_from=path)`` continues from it. ``path`` is an
    existing directory or one ending in ``/`` (files ``epoch0004.npz`` there),
    or a file name, formatted with ``epoch`` = the number of finished epochs
    if it contains ``{epoch}`` (e.g. ``"ckpt/e{epoch:03d}.npz"``) and
    otherwise overwritten each time. ``saved`` lists the files written.
    ``fit`` runs Checkpoints after the other callbacks of an epoch, so what
    they record for that epoch (e.g. EarlyStopping's counter) is saved.

    Example:
        >>> import optim
        >>> _ = nn.manual_seed(0); X, y = nn.data.moons(32)
        >>> loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=8)
        >>> model = nn.Linear(2, 2); opt = optim.SGD(model.parameters(), lr=0.1)
        >>> ckpt = Checkpoint("runs/exp1/", every=1)
        >>> h = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=2,
        ...               callbacks=[ckpt])
        >>> ckpt.saved
        ['runs/exp1/epoch0001.npz', 'runs/exp1/epoch0002.npz']
        >>> h = optim.fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=3,
        ...               resume_from=ckpt.saved[0])        # epochs 1 and 2 again
        >>> h["epoch"]
        [0, 1, 2]
    """

    def __init__(self, path, every=1):
        try:
            path = os.fspath(path)
        except TypeError:
            raise TypeError(f"Checkpoint: path must be a str or os.PathLike, got "
                            f"{type(path).__name__}") from None
        if not isinstance(every, numbers.Integral) or isinstance(every, bool) or every < 1:
            raise ValueError(f"Checkpoint: every must be a positive int (epochs), got {every!r}")
        if path.endswith(("/", os.sep)) or os.path.isdir(path):
            path = os.path.join(path, "epoch{epoch:04d}.npz")
        try:
            path.format(epoch=1)
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(f"Checkpoint: path {path!r} is formatted with epoch=<int>; it "
                             f"may contain only the field {{epoch}} (e.g. {{epoch:04d}}): {e}"
                             ) from None
        self.path, self.every = path, int(every)
        self.saved = []

    def filepath(self, epochs_done):
        """The file the checkpoint after ``epochs_done`` finished epochs goes to.

        Example:
            >>> Checkpoint("ckpt/e{epoch}.npz").filepath(3)
            'ckpt/e3.npz'
        """
        return self.path.format(epoch=epochs_done)

    def on_epoch_end(self, state, logs):
        """Save when the number of finished epochs is a multiple of ``every``."""
        done = state.epoch + 1
        if done % self.every:
            return
        path = self.filepath(done)
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        nn.save(make_checkpoint(state), path)
        self.saved.append(path)


def stateful(callbacks):
    """The callbacks that define their own ``state_dict`` (saved in checkpoints).

    Example:
        >>> from optim.training import EarlyStopping, ProgressBar
        >>> [type(cb).__name__ for cb in stateful([EarlyStopping(), ProgressBar()])]
        ['EarlyStopping']
    """
    return [cb for cb in callbacks if type(cb).state_dict is not Callback.state_dict]


def make_checkpoint(state):
    """The dict a Checkpoint saves for a ``FitState`` at the end of its epoch.

    Example:
        >>> from optim import SGD
        >>> from optim.training import FitState, History
        >>> model = nn.Linear(2, 1); opt = SGD(model.parameters(), lr=0.1)
        >>> state = FitState(model, opt, None, History(epoch=[], step_loss=[]), 5, 0, [], [])
        >>> ckpt = make_checkpoint(state); ckpt["epochs_done"], sorted(ckpt["model"])
        (1, ['bias', 'weight'])
    """
    return {"format": FORMAT, "epochs_done": state.epoch + 1, "seed": state.seed,
            "model": state.model.state_dict(), "optimizer": state.optimizer.state_dict(),
            "scheduler": None if state.scheduler is None else state.scheduler.state_dict(),
            "history": {k: list(v) for k, v in state.history.items()},
            "nn_generator": nn.get_generator().bit_generator.state,
            "callbacks": [[type(cb).__name__, cb.state_dict()] for cb in
                          stateful(state.callbacks)]}


def read_checkpoint(path, history, epochs, scheduler, callbacks):
    """Load a Checkpoint file and check that it fits this fit's setup; change nothing.

    Example:
        >>> import numpy as np
        >>> nn.save({"weight": np.zeros(2)}, "weights.npz")
        >>> read_checkpoint("weights.npz", {}, epochs=10, scheduler=None, callbacks=[])
        Traceback (most recent call last):
        ValueError: fit: resume_from='weights.npz' is not a fit checkpoint (written by ...
    """
    ckpt = nn.load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"fit: resume_from={path!r} is not a fit checkpoint (written by "
                         "optim.Checkpoint); for a bare state dict use model.load_state_dict")
    if "nonfinite_steps" in history:          # checkpoints from before fit recorded it
        ckpt["history"].setdefault("nonfinite_steps", [])
    done = ckpt["epochs_done"]
    if done > epochs:
        raise ValueError(f"fit: the checkpoint {path!r} has {done} finished epochs but "
                         f"epochs={epochs}; epochs is the total to reach, pass epochs >= {done}")
    if set(ckpt["history"]) != set(history):
        raise ValueError(f"fit: the checkpoint's history has keys {sorted(ckpt['history'])} but "
                         f"this fit records {sorted(history)}; resume with the same metrics, "
                         "val_loader and clip_grad_norm")
    if (ckpt["scheduler"] is None) != (scheduler is None):
        raise ValueError(f"fit: the checkpoint was written {'without' if scheduler else 'with'} "
                         "a scheduler; resume with the same setup")
    names = [type(cb).__name__ for cb in stateful(callbacks)]
    saved = [name for name, _ in ckpt["callbacks"]]
    if names != saved:
        raise ValueError(f"fit: the checkpoint holds the state of callbacks {saved} but this fit "
                         f"has stateful callbacks {names}; pass the same callbacks to resume")
    return ckpt


def restore(ckpt, model, optimizer, scheduler):
    """Load model, optimizer and scheduler state: all of it or (on an error) none of it.

    Example:
        >>> from optim import SGD
        >>> from optim.training import FitState, History
        >>> model = nn.Linear(2, 1); opt = SGD(model.parameters(), lr=0.1)
        >>> state = FitState(model, opt, None, History(epoch=[], step_loss=[]), 5, 0, [], [])
        >>> ckpt = make_checkpoint(state)
        >>> model2 = nn.Linear(2, 1); restore(ckpt, model2, SGD(model2.parameters()), None)
        >>> bool((model2.weight.data == model.weight.data).all())
        True
    """
    before = (model.state_dict(), optimizer.state_dict(),
              None if scheduler is None else scheduler.state_dict())
    try:
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(ckpt["scheduler"])
    except Exception:
        model.load_state_dict(before[0])
        optimizer.load_state_dict(before[1])
        if scheduler is not None:
            scheduler.load_state_dict(before[2])
        raise
    nn.get_generator().bit_generator.state = ckpt["nn_generator"]


def restore_callbacks(ckpt, callbacks):
    """Give each stateful callback its saved state (after fit's ``on_fit_start``).

    Example:
        >>> from optim.training import EarlyStopping
        >>> saved = EarlyStopping(); saved.wait = 2
        >>> ckpt = {"callbacks": [["EarlyStopping", saved.state_dict()]]}   # as a Checkpoint saves
        >>> es = EarlyStopping(); restore_callbacks(ckpt, [es]); es.wait
        2
    """
    for cb, (_, saved) in zip(stateful(callbacks), ckpt["callbacks"]):
        cb.load_state_dict(saved)
