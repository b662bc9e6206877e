"""SummaryWriter: torch.utils.tensorboard's writer for chainrule's numbers, figures and graphs.

The names, argument orders and defaults are PyTorch's. Events go through
TensorBoard's ``EventFileWriter`` (a queue and a background thread; ``flush``
waits until everything added so far is on disk). ``add_scalars`` writes each
series to its own sub-directory ``<log_dir>/<main_tag>_<tag>``, as PyTorch
does, so TensorBoard draws them as runs on one chart.
"""
import io
import numbers
import os
import socket
import sys
import time
from datetime import datetime

import numpy as np
from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from autograd import Tensor
from . import summaries
from .graphdef import graph_def, run_model

__all__ = ["SummaryWriter"]


def _default_log_dir(comment):
    stamp = datetime.now().strftime("%b%d_%H-%M-%S")
    return os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")


def _step(global_step, what):
    if global_step is None:
        return None
    value = global_step.data if isinstance(global_step, Tensor) else global_step
    if isinstance(value, np.ndarray | np.generic) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}: global_step must be an int (or None), got {global_step!r}")
    return int(value)


class SummaryWriter:
    """Write TensorBoard event files: scalars, histograms, text, figures and chainrule graphs.

    ``log_dir``: where (default ``runs/<date>_<host><comment>``); one new
    event file per writer. ``purge_step``: when a crashed run restarts at
    step T, events at steps >= T already in ``log_dir`` are hidden by
    TensorBoard. ``max_queue``: pending events before an add blocks on the
    writer thread; ``flush_secs``: how often it flushes by itself;
    ``filename_suffix``: appended to the event file's name. Use it as a
    context manager, or call ``close()``; an add after ``close()`` opens a
    new event file, as PyTorch's does.

    Example:
        >>> with SummaryWriter("runs/demo") as w:
        ...     for step in range(3):
        ...         w.add_scalar("loss/train", 1.0 / (step + 1), step)
        >>> from tensorboard.backend.event_processing import event_accumulator   # its reader
        >>> acc = event_accumulator.EventAccumulator("runs/demo"); _ = acc.Reload()
        >>> [(e.step, round(e.value, 3)) for e in acc.Scalars("loss/train")]
        [(0, 1.0), (1, 0.5), (2, 0.333)]
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        self.log_dir = os.fspath(log_dir) if log_dir else _default_log_dir(comment)
        self.purge_step = _step(purge_step, "SummaryWriter")
        self.max_queue, self.flush_secs = max_queue, flush_secs
        self.filename_suffix = filename_suffix
        self._writers = {}
        self._file_writer()

    def get_logdir(self):
        """The directory this writer writes to (``log_dir``).

        Example:
            >>> writer = SummaryWriter("runs/a"); writer.get_logdir()
            'runs/a'
            >>> writer.close()
        """
        return self.log_dir

    def _file_writer(self, log_dir=None):
        log_dir = log_dir or self.log_dir
        writer = self._writers.get(log_dir)
        if writer is None:
            writer = EventFileWriter(log_dir, self.max_queue, self.flush_secs,
                                     self.filename_suffix)
            self._writers[log_dir] = writer
            if log_dir == self.log_dir and self.purge_step is not None:
                # TensorBoard's readers drop the events at steps >= a restart's first step.
                writer.add_event(Event(step=self.purge_step, file_version="brain.Event:2"))
                writer.add_event(Event(step=self.purge_step,
                                       session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return writer

    def _add(self, summary, global_step, walltime, what, log_dir=None):
        step = _step(global_step, what)
        event = Event(wall_time=time.time() if walltime is None else float(walltime),
                      summary=summary)
        if step is not None:
            event.step = step
        self._file_writer(log_dir).add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        """Write a ready-made ``Summary`` proto (see viz.tensorboard.summaries) at a step.

        Example:
            >>> with SummaryWriter("runs/summary") as writer:
            ...     writer.add_summary(summaries.scalar("x", 1.0), global_step=3)
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/summary"); _ = acc.Reload()
            >>> [(e.step, e.value) for e in acc.Scalars("x")]
            [(3, 1.0)]
        """
        self._add(summary, global_step, walltime, "add_summary")

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None):
        """Log one number (a float, or a one-element Tensor/array) under ``tag`` at a step.

        Example:
            >>> with SummaryWriter("runs/scalar") as writer:
            ...     for epoch, loss in enumerate([0.9, 0.5, 0.4]):
            ...         writer.add_scalar("loss/train", loss, global_step=epoch)
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/scalar"); _ = acc.Reload()
            >>> [(e.step, round(e.value, 6)) for e in acc.Scalars("loss/train")]
            [(0, 0.9), (1, 0.5), (2, 0.4)]
        """
        self._add(summaries.scalar(tag, scalar_value), global_step, walltime, "add_scalar")

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several series on one chart: each key to ``<log_dir>/<main_tag>_<key>``.

        Example:
            >>> with SummaryWriter("runs/scalars") as writer:
            ...     writer.add_scalars("loss", {"train": 0.31, "val": 0.42}, global_step=1)
            >>> sorted(d for d in os.listdir("runs/scalars") if not d.startswith("events"))
            ['loss_train', 'loss_val']
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/scalars/loss_val"); _ = acc.Reload()
            >>> [(e.step, round(e.value, 6)) for e in acc.Scalars("loss")]
            [(1, 0.42)]
        """
        if not hasattr(tag_scalar_dict, "items"):
            raise TypeError(f"add_scalars: tag_scalar_dict must be a dict series name -> "
                            f"number, got {type(tag_scalar_dict).__name__}")
        walltime = time.time() if walltime is None else walltime
        built = [(tag, summaries.scalar(main_tag, v)) for tag, v in tag_scalar_dict.items()]
        for tag, summary in built:
            sub = os.path.join(self.log_dir, f"{main_tag.replace('/', '_')}_{tag}")
            self._add(summary, global_step, walltime, "add_scalars", sub)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None):
        """Log the histogram of ``values`` (a Tensor, an ndarray or numbers; any shape).

        ``bins``: "tensorflow" (TensorFlow's exponential default edges), an
        int, edges, or a numpy rule such as "auto"; buckets are numpy's
        ``np.histogram(values, bins)``. Values must be finite.

        Example:
            >>> with SummaryWriter("runs/histogram") as writer:
            ...     writer.add_histogram("weights/w", Tensor([[0.5, -1.0], [2.0, 0.0]]), 0)
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/histogram"); _ = acc.Reload()
            >>> h = acc.Histograms("weights/w")[0].histogram_value; h.num, h.min, h.max, h.sum
            (4.0, -1.0, 2.0, 1.5)
        """
        self._add(summaries.histogram(tag, values, bins), global_step, walltime,
                  "add_histogram")

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits,
                          bucket_counts, global_step=None, walltime=None):
        """Log an already bucketed histogram (``bucket_limits``: the right edge of each bucket).

        Example:
            >>> with SummaryWriter("runs/raw") as writer:     # 0, 1, 2 in buckets (.., 1], (1, 2]
            ...     writer.add_histogram_raw("h", 0, 2, 3, 3, 5, [1, 2], [1, 2], global_step=0)
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/raw"); _ = acc.Reload()
            >>> acc.Histograms("h")[0].histogram_value
            HistogramValue(min=0.0, max=2.0, num=3.0, sum=3.0, sum_squares=5.0,
                           bucket_limit=[1.0, 2.0], bucket=[1.0, 2.0])
        """
        self._add(summaries.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits,
                                          bucket_counts), global_step, walltime,
                  "add_histogram_raw")

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a text (markdown) for TensorBoard's text dashboard.

        Example:
            >>> with SummaryWriter("runs/text") as writer:
            ...     writer.add_text("notes", "lr 0.1, **no** warm-up")
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/text"); _ = acc.Reload()
            >>> acc.Tensors("notes")[0].tensor_proto.string_val
            [b'lr 0.1, **no** warm-up']
        """
        self._add(summaries.text(tag, text_string), global_step, walltime, "add_text")

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None, dpi=100):
        """Log a matplotlib Figure as a PNG image (the images dashboard); ``close`` it after.

        Example:
            >>> from matplotlib.figure import Figure
            >>> fig = Figure(figsize=(4, 3)); _ = fig.add_subplot().plot([1.0, 0.5, 0.2])
            >>> with SummaryWriter("runs/figure") as writer:
            ...     writer.add_figure("curve", fig, global_step=0)    # 4 x 3 inches at 100 dpi
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/figure"); _ = acc.Reload()
            >>> image = acc.Images("curve")[0]; image.width, image.height
            (400, 300)
        """
        if not hasattr(figure, "savefig"):
            raise TypeError(f"add_figure: figure must be a matplotlib Figure (e.g. from "
                            f"viz.plot_grad_flow), got {type(figure).__name__}")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        png = buffer.getvalue()
        # The PNG header's IHDR chunk: width and height, big-endian, at bytes 16-24.
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        if close and "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(figure)
        self._add(summaries.image(tag, png, height, width), global_step, walltime, "add_figure")

    def add_graph(self, model_or_root, input_to_model=None, params=None, walltime=None):
        """Write chainrule's recorded graph (the graph dashboard), grouped by name scope.

        ``model_or_root``: an ``nn.Module``, run once on ``input_to_model``
        (a Tensor/ndarray or a tuple of them) to record its graph; or a
        Tensor (or list of Tensors) whose graph is already recorded, with
        ``params`` (a Module or dict) to name its parameters. See
        ``viz.tensorboard.graph_def`` for the nodes written.

        Example:
            >>> import nn
            >>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
            >>> with SummaryWriter("runs/m") as writer:
            ...     writer.add_graph(model, np.ones((4, 2)))          # runs model on that input
            >>> loss = model(Tensor(np.ones((4, 2)))).sum()
            >>> with SummaryWriter("runs/r") as writer:
            ...     writer.add_graph(loss, params=model)              # a graph already recorded
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/r"); _ = acc.Reload()
            >>> [n.name for n in acc.Graph().node]
            ['input', 'Sequential/0/weight', 'Sequential/0/bias', 'Sequential/0/linear',
             'Sequential/1/tanh', 'sum']
        """
        if hasattr(model_or_root, "named_parameters") and callable(model_or_root):
            if params is not None and params is not model_or_root:
                raise ValueError("add_graph: params is for a root Tensor; a Module names its "
                                 "own parameters")
            roots, params = run_model(model_or_root, input_to_model), model_or_root
        else:
            if input_to_model is not None:
                raise ValueError("add_graph: input_to_model is for a Module; a Tensor root "
                                 "already carries its recorded graph")
            roots = model_or_root
        graph = graph_def(roots, params=params)
        event = Event(wall_time=time.time() if walltime is None else float(walltime),
                      graph_def=graph.SerializeToString())
        self._file_writer().add_event(event)

    def flush(self):
        """Write everything added so far to disk (every event file of this writer).

        Example:
            >>> writer = SummaryWriter("runs/flush")
            >>> writer.add_scalar("x", 1.0, global_step=0); writer.flush()
            >>> from tensorboard.backend.event_processing import event_accumulator
            >>> acc = event_accumulator.EventAccumulator("runs/flush"); _ = acc.Reload()
            >>> acc.Scalars("x")[0].value                          # on disk, the writer still open
            1.0
            >>> writer.close()
        """
        for writer in self._writers.values():
            writer.flush()

    def close(self):
        """Flush and close the event files; a later add opens a new one.

        Example:
            >>> writer = SummaryWriter("runs/close")
            >>> writer.add_scalar("x", 1.0, global_step=0); writer.close()
            >>> writer.add_scalar("x", 2.0, global_step=1); writer.close()   # a new event file
            >>> len(os.listdir("runs/close"))
            2
        """
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            writer.flush()
            writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"SummaryWriter(log_dir={self.log_dir!r})"
