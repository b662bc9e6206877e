"""Summary protos from plain numbers: scalars, histograms, text and PNG images.

TensorBoard's own protobuf classes and plugin metadata are used throughout;
nothing here frames records or computes checksums (the event-file writer does).

A histogram is numpy's: ``np.histogram(values, bins)``, with the empty
buckets at both ends dropped. TensorBoard's HistogramProto keeps only right
edges (bucket ``i`` covers ``(limit[i-1], limit[i]]``), so a leading empty
bucket ending at the first left edge keeps that edge.
"""
import functools
import numbers

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary
from tensorboard.plugins.text import metadata as text_metadata
from tensorboard.util import tensor_util

from autograd import Tensor

__all__ = ["scalar", "histogram", "histogram_raw", "counts_histogram", "text", "image", "as_array",
           "tensorflow_bins"]


def as_array(values, what):
    """``values`` (a Tensor, an ndarray, a number or a list) as a NumPy array.

    Example:
        >>> as_array([1, 2], "add_histogram").tolist()
        [1, 2]
    """
    try:
        return np.asarray(values.data if isinstance(values, Tensor) else values)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what}: expected a Tensor, an ndarray or numbers, got "
                        f"{type(values).__name__} ({e})") from None


def scalar(tag, value):
    """A Summary with one scalar (TensorBoard's ``simple_value``, float32).

    ``value``: a number, or a Tensor/ndarray with one element; NaN and Inf are kept.

    Example:
        >>> scalar("loss", 0.5).value[0].simple_value
        0.5
    """
    _check_tag(tag, "add_scalar")
    if isinstance(value, numbers.Real):
        v = float(value)
    else:
        a = as_array(value, "add_scalar")
        if a.size != 1 or a.dtype.kind not in "biuf":
            raise ValueError(f"add_scalar: scalar_value for tag {tag!r} must be a real number "
                             f"or a one-element tensor/array, got shape {a.shape} dtype "
                             f"{a.dtype}; log arrays with add_histogram")
        v = float(a.reshape(()))
    return Summary(value=[Summary.Value(tag=tag, simple_value=v)])


@functools.lru_cache(maxsize=1)
def tensorflow_bins():
    """TensorFlow's default histogram edges: 0 and +-1e-12 * 1.1**k up to 1e20 (as a tuple).

    Example:
        >>> b = tensorflow_bins(); b[len(b) // 2], len(b)
        (0.0, 1549)
    """
    v, positive = 1e-12, []
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    return tuple([-x for x in reversed(positive)] + [0.0] + positive)


def _proto(counts, edges, vmin, vmax, num, total, total_sq):
    counts, edges = np.asarray(counts), np.asarray(edges, dtype=np.float64)
    nonzero = np.flatnonzero(counts)
    if nonzero.size == 0:
        start, end = 0, 0
    else:
        start, end = int(nonzero[0]), int(nonzero[-1]) + 1
    return HistogramProto(min=vmin, max=vmax, num=num, sum=total, sum_squares=total_sq,
                          bucket_limit=edges[start:end + 1].tolist(),
                          bucket=[0.0] + counts[start:end].astype(np.float64).tolist())


def histogram(tag, values, bins="tensorflow"):
    """A Summary with the histogram of ``values`` (any shape), bucketed as ``np.histogram``.

    ``bins``: "tensorflow" (TensorFlow's exponential default edges), an int,
    a sequence of edges, or any of numpy's bin rules ("auto", "fd", ...).
    Every value must be finite (as TensorFlow's histogram op requires).

    Example:
        >>> h = histogram("w", np.array([0.0, 1.0, 1.0]), bins=2).value[0].histo
        >>> list(h.bucket_limit), list(h.bucket)
        ([0.0, 0.5, 1.0], [0.0, 1.0, 2.0])
    """
    _check_tag(tag, "add_histogram")
    a = as_array(values, "add_histogram")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"add_histogram: values for tag {tag!r} must be real numbers, got "
                        f"dtype {a.dtype}")
    a = a.astype(np.float64).reshape(-1)
    if a.size == 0:
        raise ValueError(f"add_histogram: values for tag {tag!r} are empty; a histogram needs "
                         "at least one value")
    finite = np.isfinite(a)
    if not finite.all():
        raise ValueError(f"add_histogram: values for tag {tag!r} contain "
                         f"{int(np.isnan(a).sum())} NaN and {int(np.isinf(a).sum())} Inf of "
                         f"{a.size}; TensorBoard histograms need finite values (pass "
                         "values[np.isfinite(values)] to log the rest)")
    if isinstance(bins, str) and bins == "tensorflow":
        bins = tensorflow_bins()
    counts, edges = np.histogram(a, bins=bins)
    return Summary(value=[Summary.Value(tag=tag, histo=_proto(
        counts, edges, float(a.min()), float(a.max()), float(a.size), float(a.sum()),
        float(a @ a)))])


def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    """A Summary with an already bucketed histogram (PyTorch's add_histogram_raw arguments).

    ``bucket_limits`` are right edges, one per count, as in TensorBoard's proto.

    Example:
        >>> histogram_raw("a", 0, 2, 3, 3, 5, [1, 2], [1, 2]).value[0].histo.num
        3.0
    """
    _check_tag(tag, "add_histogram_raw")
    if len(bucket_limits) != len(bucket_counts):
        raise ValueError(f"add_histogram_raw: tag {tag!r} has {len(bucket_limits)} bucket "
                         f"limits but {len(bucket_counts)} bucket counts; give one right edge "
                         "per count")
    return Summary(value=[Summary.Value(tag=tag, histo=HistogramProto(
        min=float(min), max=float(max), num=float(num), sum=float(sum),
        sum_squares=float(sum_squares), bucket_limit=[float(x) for x in bucket_limits],
        bucket=[float(x) for x in bucket_counts]))])


def counts_histogram(tag, counts, edges, num, mean, std):
    """A Summary from numpy-style ``counts`` and ``edges`` (len(edges) == len(counts) + 1).

    min/max are the outer edges of the non-empty buckets; sum and sum of
    squares are ``num`` times the given mean and mean square.

    Example:
        >>> h = counts_histogram("a", [0, 2, 1], [0, 1, 2, 3], 3, 1.5, 0.5).value[0].histo
        >>> list(h.bucket_limit), list(h.bucket), h.min, h.max
        ([1.0, 2.0, 3.0], [0.0, 2.0, 1.0], 1.0, 3.0)
    """
    counts, edges = np.asarray(counts, dtype=np.float64), np.asarray(edges, dtype=np.float64)
    if edges.shape != (counts.size + 1,):
        raise ValueError(f"histogram of {tag!r}: {counts.size} counts need {counts.size + 1} "
                         f"edges, got {edges.size}")
    nonzero = np.flatnonzero(counts)
    lo, hi = (edges[nonzero[0]], edges[nonzero[-1] + 1]) if nonzero.size else (0.0, 0.0)
    total = float(counts.sum())
    return Summary(value=[Summary.Value(tag=tag, histo=_proto(
        counts, edges, float(lo), float(hi), total, float(mean) * total,
        (float(std) ** 2 + float(mean) ** 2) * total))])


def text(tag, string):
    """A Summary for TensorBoard's text dashboard (markdown), with the text plugin's metadata.

    Example:
        >>> text("notes", "**bold**").value[0].metadata.plugin_data.plugin_name
        'text'
    """
    _check_tag(tag, "add_text")
    if not isinstance(string, str):
        raise TypeError(f"add_text: text_string for tag {tag!r} must be a str, got "
                        f"{type(string).__name__}")
    meta = text_metadata.create_summary_metadata(display_name=tag, description="")
    tensor = tensor_util.make_tensor_proto([string.encode("utf-8")], shape=[1])
    return Summary(value=[Summary.Value(tag=tag, metadata=meta, tensor=tensor)])


def image(tag, png, height, width, channels=4):
    """A Summary with one PNG-encoded image (the images dashboard).

    Example:
        >>> image("fig", b"...png bytes...", 480, 640).value[0].image.width
        640
    """
    _check_tag(tag, "add_image")
    return Summary(value=[Summary.Value(tag=tag, image=Summary.Image(
        height=int(height), width=int(width), colorspace=int(channels),
        encoded_image_string=png))])


def _check_tag(tag, what):
    if not isinstance(tag, str) or not tag:
        raise TypeError(f"{what}: tag must be a non-empty str such as 'loss/train', got {tag!r}")
