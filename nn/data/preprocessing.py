"""Preprocessing fitted on training data: zero-centring and standardization.

Fit on the training set, then apply the same (training) statistics to the
validation and test sets: ``pre.fit(X_train)``, ``pre.transform(X_test)``.
Transforms take ndarrays or Tensors and return the same kind; a Tensor result
is a new leaf cut from the graph (preprocessing is not differentiated).
Statistics are computed in float64; results have NumPy's promotion of the
input dtype with float32 (float32 and uint8 give float32, float64 stays).

``per="feature"`` keeps one statistic per position of a sample (for images,
the CS231n "mean image"); ``per="channel"`` keeps one per channel of images
laid out NCHW, as PyTorch does (for NHWC arrays use ``X.transpose(0, 3, 1, 2)``).
"""
import numpy as np

from autograd import Tensor

__all__ = ["ZeroCenter", "Standardize"]


class _Preprocessor:
    """Shared plumbing: input checks, fitted-state checks, Tensor in -> Tensor out."""

    def _as_array(self, X, method):
        is_tensor = isinstance(X, Tensor)
        arr = X.data if is_tensor else np.asarray(X)
        name = type(self).__name__
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name}.{method}: expected real numbers, got an array of dtype "
                            f"{arr.dtype} and shape {arr.shape}")
        if arr.ndim < self._min_ndim:
            raise ValueError(f"{name}.{method}: expected samples along the first axis "
                             f"(at least {self._min_ndim}-d, e.g. (N, D)), got shape "
                             f"{arr.shape} {arr.dtype}; for one feature use X.reshape(-1, 1)")
        return arr, is_tensor

    def _check_fitted(self, method):
        if not getattr(self, "_fitted", False):
            raise RuntimeError(f"{type(self).__name__}.{method}: not fitted yet; call "
                               "fit(X_train) (or fit_transform(X_train)) first")

    def _check_n(self, arr, minimum):
        if arr.shape[0] < minimum:
            raise ValueError(f"{type(self).__name__}.fit: needs at least {minimum} "
                             f"sample(s), got shape {arr.shape} {arr.dtype}")

    @staticmethod
    def _out_dtype(arr):
        return np.result_type(arr.dtype, np.float32)

    @staticmethod
    def _wrap(out, is_tensor):
        return Tensor(out) if is_tensor else out

    def fit_transform(self, X):
        """Fit on ``X`` and return ``X`` transformed (same as ``fit(X).transform(X)``).

        Example:
            >>> Xtr = ZeroCenter().fit_transform(np.random.rand(20, 3))
        """
        return self.fit(X).transform(X)


class _PerStatistic(_Preprocessor):
    """A transform with one statistic per feature or per channel (NCHW)."""

    _min_ndim = 2

    def __init__(self, per="feature"):
        if per not in ("feature", "channel"):
            raise ValueError(f"{type(self).__name__}: per must be 'feature' or 'channel', "
                             f"got {per!r}")
        self.per = per
        self._fitted = False

    def _axes(self, arr):
        return (0,) if self.per == "feature" else (0,) + tuple(range(2, arr.ndim))

    def _check_shape(self, arr, method):
        name = type(self).__name__
        if self.per == "feature" and arr.shape[1:] != self._sample_shape:
            raise ValueError(f"{name}.{method}: fitted on samples of shape "
                             f"{self._sample_shape} (per='feature'), got X of shape "
                             f"{arr.shape} {arr.dtype}; pass data shaped like the training data")
        channels = self._sample_shape[0]
        if self.per == "channel" and (arr.ndim != self._ndim or arr.shape[1] != channels):
            raise ValueError(f"{name}.{method}: fitted on {self._ndim}-d data with "
                             f"{channels} channels on axis 1 (per='channel', "
                             f"NCHW), got X of shape {arr.shape} {arr.dtype}")

    def _stat(self, values, arr, dtype):
        # Reshape a per-channel statistic (C,) to (1, C, 1, ...) so it broadcasts over NCHW.
        if self.per == "channel":
            values = values.reshape((1, -1) + (1,) * (arr.ndim - 2))
        return values.astype(dtype)

    def _fit_mean(self, X):
        arr, _ = self._as_array(X, "fit")
        self._check_n(arr, 1)
        return arr, arr.astype(np.float64).mean(axis=self._axes(arr))

    def _remember_shape(self, arr):
        self._sample_shape, self._ndim = arr.shape[1:], arr.ndim
        self._fitted = True

    def _prepare(self, X, method):
        self._check_fitted(method)
        arr, is_tensor = self._as_array(X, method)
        self._check_shape(arr, method)
        return arr, is_tensor, self._out_dtype(arr)

    def __repr__(self):
        return f"{type(self).__name__}(per={self.per!r})"


class ZeroCenter(_PerStatistic):
    """Subtract the training mean, per feature or per channel (images NCHW).

    After ``fit(X)``, ``mean_`` holds the mean: shape ``X.shape[1:]`` for
    ``per="feature"``, ``(C,)`` for ``per="channel"``.

    Example:
        >>> X = np.random.default_rng(0).normal(3.0, 1.0, size=(100, 4))
        >>> zc = ZeroCenter().fit(X)
        >>> np.allclose(zc.transform(X).mean(axis=0), 0)
        True
    """

    def fit(self, X):
        """Compute the training mean of ``X``; returns self.

        Example:
            >>> zc = ZeroCenter(per="channel").fit(np.random.rand(8, 3, 5, 5))
            >>> zc.mean_.shape
            (3,)
        """
        arr, mean = self._fit_mean(X)
        self.mean_ = mean
        self._remember_shape(arr)
        return self

    def transform(self, X):
        """Return ``X - mean_`` (the training mean).

        Example:
            >>> ZeroCenter().fit(np.array([[0.0], [2.0]])).transform(np.array([[5.0]]))
            array([[4.]])
        """
        arr, is_tensor, dtype = self._prepare(X, "transform")
        return self._wrap(arr.astype(dtype, copy=False) - self._stat(self.mean_, arr, dtype),
                          is_tensor)

    def inverse_transform(self, X):
        """Return ``X + mean_``, undoing ``transform``.

        Example:
            >>> zc = ZeroCenter().fit(np.array([[0.0], [2.0]]))
            >>> zc.inverse_transform(zc.transform(np.array([[5.0]])))
            array([[5.]])
        """
        arr, is_tensor, dtype = self._prepare(X, "inverse_transform")
        return self._wrap(arr.astype(dtype, copy=False) + self._stat(self.mean_, arr, dtype),
                          is_tensor)


class Standardize(_PerStatistic):
    """Subtract the training mean and divide by ``sqrt(var + eps)``, per feature or channel.

    The variance is the population one (ddof=0), as NumPy's ``std`` and
    scikit-learn's ``StandardScaler``; ``eps`` damps features of tiny
    variance, and constant features map to 0 (their scale is 1 when ``eps=0``,
    as in scikit-learn). After ``fit``: ``mean_``, ``var_`` and ``scale_ =
    sqrt(var_ + eps)``.

    Example:
        >>> X = np.random.default_rng(0).normal(3.0, 2.0, size=(500, 4))
        >>> Z = Standardize().fit_transform(X)
        >>> np.allclose(Z.std(axis=0), 1, atol=1e-6)
        True
    """

    def __init__(self, per="feature", eps=1e-8):
        super().__init__(per)
        if not eps >= 0:
            raise ValueError(f"Standardize: eps must be >= 0, got {eps!r}")
        self.eps = float(eps)

    def fit(self, X):
        """Compute the training mean and standard deviation of ``X``; returns self.

        Example:
            >>> st = Standardize().fit(np.random.rand(50, 3))
            >>> st.mean_.shape, st.scale_.shape
            ((3,), (3,))
        """
        arr, mean = self._fit_mean(X)
        var = arr.astype(np.float64).var(axis=self._axes(arr))
        # A constant feature's variance comes out as round-off of its mean, not 0: zero it,
        # and divide constant features by 1 (not 0) so they map to 0 even with eps=0.
        per_stat = arr.size // max(var.size, 1)
        var[var <= (per_stat * np.finfo(np.float64).eps * mean) ** 2] = 0.0
        scale = np.sqrt(var + self.eps)
        scale[scale == 0] = 1.0
        self.mean_, self.var_, self.scale_ = mean, var, scale
        self._remember_shape(arr)
        return self

    def transform(self, X):
        """Return ``(X - mean_) / scale_`` with the training statistics.

        Example:
            >>> st = Standardize().fit(np.array([[0.0], [2.0]]))
            >>> st.transform(np.array([[3.0]])).round(6)
            array([[2.]])
        """
        arr, is_tensor, dtype = self._prepare(X, "transform")
        out = (arr.astype(dtype, copy=False) - self._stat(self.mean_, arr, dtype))
        return self._wrap(out / self._stat(self.scale_, arr, dtype), is_tensor)

    def inverse_transform(self, X):
        """Return ``X * scale_ + mean_``, undoing ``transform``.

        Example:
            >>> st = Standardize().fit(np.array([[0.0], [2.0]]))
            >>> st.inverse_transform(np.array([[2.0]])).round(6)
            array([[3.]])
        """
        arr, is_tensor, dtype = self._prepare(X, "inverse_transform")
        out = arr.astype(dtype, copy=False) * self._stat(self.scale_, arr, dtype)
        return self._wrap(out + self._stat(self.mean_, arr, dtype), is_tensor)

    def __repr__(self):
        return f"Standardize(per={self.per!r}, eps={self.eps})"
