"""TensorBoard for chainrule: a SummaryWriter (torch.utils.tensorboard's names) and a fit callback.

Event files are written by TensorBoard's own event-file writer and protobuf
definitions (the ``tensorboard`` package, the ``tensorboard`` extra); this
package only turns chainrule's numbers, tensors and graphs into those protos.

- ``SummaryWriter``: scalars, histograms, text, matplotlib figures and
  chainrule's recorded graph (``add_graph``), one event file per log dir.
- ``TensorBoardCallback``: an ``optim.fit`` callback logging losses,
  metrics, learning rate, weight/gradient/activation histograms,
  update/weight ratios and the model's graph.
- ``graph_def``: the GraphDef of the graph behind a tensor (no file).

Open the logs with ``tensorboard --logdir DIR``.

Example:
    >>> import nn
    >>> from viz import SummaryWriter
    >>> with SummaryWriter("runs/exp1") as w:
    ...     w.add_scalar("loss/train", 0.25, global_step=1)
    ...     w.add_graph(nn.Linear(2, 1), [[1.0, 2.0]])        # runs the model on that input
    >>> from tensorboard.backend.event_processing import event_accumulator   # TensorBoard's
    >>> acc = event_accumulator.EventAccumulator("runs/exp1"); _ = acc.Reload()
    >>> acc.Scalars("loss/train")[0].value, [n.name for n in acc.Graph().node]
    (0.25, ['input', 'Linear/weight', 'Linear/bias', 'Linear/linear'])
"""
try:
    from tensorboard.compat.proto import event_pb2 as _event_pb2  # noqa: F401
    from tensorboard.summary.writer.event_file_writer import EventFileWriter as _Writer  # noqa
except ImportError as e:
    raise ImportError(
        "viz.SummaryWriter and viz.TensorBoardCallback need TensorBoard, which is not "
        f"installed ({e}): pip install 'chainrule[tensorboard]' (or pip install tensorboard)"
    ) from e

from .graphdef import graph_def
from .writer import SummaryWriter
from .callback import TensorBoardCallback

__all__ = ["SummaryWriter", "TensorBoardCallback", "graph_def"]
