"""The rule both bad-input suites check (tests/autograd and tests/nn): a call either works or
raises one of the allowed error types with a message that names the function."""
import warnings

import numpy as np
from hypothesis import strategies as st


def check_answer(name, fn, args, kwargs, allowed, delegates=()):
    """Call ``fn(*args, **kwargs)``; fail unless it works or raises an ``allowed`` error
    whose message names ``name`` (or one of ``delegates``, functions it hands arguments to)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                fn(*args, **kwargs)
    except allowed as e:
        said = str(e).lower().replace("_", "")       # "LogSoftmax: ..." names log_softmax
        assert any(n.replace("_", "") in said for n in (name,) + tuple(delegates)), \
            f"{name}{tuple(args)} {kwargs}: {type(e).__name__} does not name it: {e}"
    except Exception as e:      # any other type is a crash from inside, not an answer
        raise AssertionError(f"{name}{tuple(args)} {kwargs}: raised {type(e).__name__}: "
                             f"{e}") from e


def draw_argument(draw, bad, tensor, array_shapes):
    """One argument for a call: often a value from ``bad``, else a tensor drawn by
    ``tensor(draw)``, a small integer, or an ndarray of ones of one of ``array_shapes``."""
    kind = draw(st.sampled_from(["bad", "bad", "tensor", "int", "ndarray"]))
    if kind == "bad":
        return draw(st.sampled_from(bad))
    if kind == "tensor":
        return tensor(draw)
    if kind == "int":
        return draw(st.integers(-5, 5))
    return np.ones(draw(st.sampled_from(array_shapes)))
