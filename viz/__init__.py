"""chainrule's viz: see backpropagation: graph pictures, gradient-flow and training plots, a report.

Example:
    >>> import nn, viz
    >>> from autograd import Tensor
    >>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    >>> loss = model(Tensor([[1.0, 2.0]])).mean()
    >>> viz.retain_grads(loss); loss.backward()            # keep every node's gradient
    4
    >>> g = viz.draw_graph(loss, params=model); g.spec     # a graphviz.Digraph; shows in notebooks
    GraphSpec(13 nodes, 12 edges)
    >>> viz.render_graph(g, "graph.svg")                   # system dot, else graphviz-pure
    PosixPath('graph.svg')
    >>> fig = viz.plot_grad_flow(model, "grad_flow.png")   # a matplotlib Figure
    >>> viz.report("run.html", model=model, graph=loss, history={"train_loss": [0.9, 0.4]})
    PosixPath('run.html')
"""
from nn import _autograd_check  # noqa: F401  first: is `autograd` chainrule's? (HIPS clash)
from .graph import GraphSpec, build_graph, retain_grads
from .names import parameter_names
from .collapse import collapse
from .colors import ColorScale
from .edgegrad import local_gradients
from .render import (find_renderer, render_graph, run_renderer, RendererNotFoundError,
                     RendererNotFoundWarning, INSTALL_HINT)
from .digraph import Digraph, draw_graph, to_digraph
from .stats import (grad_flow, record_activations, activation_stats, ActivationRecord,
                    UpdateRatioTracker)
from .plots import (plot_grad_flow, plot_activations, plot_curves, plot_update_ratios,
                    save_figure)
from .report import report, SECTIONS
from .explore import explore, Explorer

__all__ = [
    # graph pictures
    "GraphSpec", "build_graph", "retain_grads", "parameter_names", "collapse", "ColorScale",
    "local_gradients", "Digraph", "draw_graph", "to_digraph", "find_renderer", "render_graph",
    "run_renderer", "RendererNotFoundError", "RendererNotFoundWarning", "INSTALL_HINT",
    # training plots and the numbers behind them
    "grad_flow", "record_activations", "activation_stats", "ActivationRecord",
    "UpdateRatioTracker", "plot_grad_flow", "plot_activations", "plot_curves",
    "plot_update_ratios", "save_figure",
    # the report and the explorer
    "report", "SECTIONS", "explore", "Explorer",
]
# Also public: viz.SummaryWriter and viz.TensorBoardCallback (below), left out of __all__ so
# that `from viz import *` works without the optional tensorboard extra.


def __getattr__(name):
    # TensorBoard is an optional extra: viz.SummaryWriter / viz.TensorBoardCallback import it
    # on first use, so `import viz` works without it (ImportError naming the extra otherwise).
    if name in ("SummaryWriter", "TensorBoardCallback"):
        from . import tensorboard
        return getattr(tensorboard, name)
    raise AttributeError(f"module 'viz' has no attribute {name!r}")
