"""PCA and ZCA whitening, fitted on training data (the CS231n recipe).

Both centre the data with the training mean and take the SVD of the training
covariance ``Xc.T @ Xc / (N - 1)`` (the sample covariance, as ``np.cov`` and
scikit-learn use), so whitened training data has ``np.cov(Z, rowvar=False)``
equal to the identity (up to ``eps``). As in the CS231n notes, ``eps`` is
added to the eigenvalues before the square root, which keeps directions of
(almost) zero variance from blowing up. Samples may be images: they are
flattened to vectors of D features for the covariance.
"""
import numbers

import numpy as np

from .preprocessing import _Preprocessor

__all__ = ["PCA", "ZCAWhiten"]


class _Covariance(_Preprocessor):
    """Shared fitting: the mean, and the eigen-decomposition of the sample covariance."""

    _min_ndim = 2

    def _fit_eig(self, X):
        arr, _ = self._as_array(X, "fit")
        self._check_n(arr, 2)
        flat = arr.reshape(arr.shape[0], -1).astype(np.float64)
        mean = flat.mean(axis=0)
        centred = flat - mean
        cov = centred.T @ centred / (flat.shape[0] - 1)
        # hermitian=True: eigh underneath, but returns the values sorted descending and >= 0.
        u, s, _ = np.linalg.svd(cov, hermitian=True)
        # Fix each eigenvector's sign (largest |entry| positive) so fits are reproducible.
        u *= np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(u.shape[1])])
        return arr, mean, s, u

    def _check_eps(self, s, k):
        # With eps == 0, a kept eigenvalue at round-off level (relative to the largest) is 0.
        tiny = s[0] * s.size * np.finfo(np.float64).eps
        if self.eps == 0 and s[:k].min() <= tiny:
            worst = int(np.argmin(s[:k]))
            raise ValueError(f"{type(self).__name__}.fit: component {worst} has variance "
                             f"{s[worst]:.3g} (the data spans fewer directions than its "
                             f"{s.size} features); whitening would divide by zero. "
                             "Pass eps > 0 (e.g. 1e-5) or keep fewer components")

    def _check_shape(self, arr, method):
        if arr.shape[1:] != self._sample_shape:
            raise ValueError(f"{type(self).__name__}.{method}: fitted on samples of shape "
                             f"{self._sample_shape} ({self._n_features} features), got X of "
                             f"shape {arr.shape} {arr.dtype}; pass data shaped like the "
                             "training data")

    def _flat(self, X, method):
        self._check_fitted(method)
        arr, is_tensor = self._as_array(X, method)
        self._check_shape(arr, method)
        dtype = self._out_dtype(arr)
        return arr.reshape(arr.shape[0], -1).astype(dtype, copy=False), arr.shape, is_tensor, dtype


class PCA(_Covariance):
    """Project onto the top ``n_components`` principal directions; optionally whiten.

    ``n_components``: an int k, a float in (0, 1) (keep the fewest components
    that explain that fraction of the variance), or None (``min(N, D)``).
    After ``fit``, with scikit-learn's names: ``components_`` (k, D) (rows are
    unit principal directions), ``explained_variance_`` (k,) (covariance
    eigenvalues), ``explained_variance_ratio_`` (k,), ``mean_`` (D,),
    ``n_components_``. ``transform`` returns (N, k), divided by
    ``sqrt(explained_variance_ + eps)`` when ``whiten=True``.

    Example:
        >>> X = np.random.default_rng(0).normal(size=(200, 5)) @ np.diag([5, 2, 1, .1, .1])
        >>> pca = PCA(n_components=2).fit(X)
        >>> pca.transform(X).shape, round(float(pca.explained_variance_ratio_.sum()), 2)
        ((200, 2), 0.96)
    """

    def __init__(self, n_components=None, whiten=False, eps=1e-5):
        ok_int = isinstance(n_components, numbers.Integral) and not isinstance(n_components, bool)
        if not (n_components is None or (ok_int and n_components >= 1) or
                (isinstance(n_components, float) and 0 < n_components < 1)):
            raise ValueError(f"PCA: n_components must be None, an int >= 1 or a float in "
                             f"(0, 1) (a fraction of variance), got {n_components!r}")
        if not eps >= 0:
            raise ValueError(f"PCA: eps must be >= 0, got {eps!r}")
        self.n_components, self.whiten, self.eps = n_components, bool(whiten), float(eps)
        self._fitted = False

    def fit(self, X):
        """Fit the mean and principal directions of ``X`` (N, ...); returns self.

        Example:
            >>> PCA(n_components=3).fit(np.random.rand(50, 8)).components_.shape
            (3, 8)
        """
        arr, mean, s, u = self._fit_eig(X)
        n, d = arr.shape[0], s.size
        total = s.sum()
        ratio = s / total if total > 0 else np.zeros_like(s)
        if self.n_components is None:
            k = min(n, d)
        elif isinstance(self.n_components, float):
            k = int(np.searchsorted(np.cumsum(ratio), self.n_components) + 1)
            k = min(k, min(n, d))
        else:
            k = int(self.n_components)
            if k > min(n, d):
                raise ValueError(f"PCA.fit: n_components={k} is more than min(n_samples, "
                                 f"n_features) = min({n}, {d}) for X of shape {arr.shape}; "
                                 "ask for fewer components or give more samples")
        if self.whiten:
            self._check_eps(s, k)
        self._n_features = d
        self.mean_, self.components_ = mean, u[:, :k].T.copy()
        self.explained_variance_, self.explained_variance_ratio_ = s[:k].copy(), ratio[:k].copy()
        self.n_components_ = k
        scale = np.sqrt(self.explained_variance_ + self.eps) if self.whiten else np.ones(k)
        self._project = self.components_.T / scale
        self._unproject = self.components_ * scale[:, None]
        self._sample_shape = arr.shape[1:]
        self._fitted = True
        return self

    def transform(self, X):
        """Return the centred ``X`` projected on ``components_`` (whitened if asked): (N, k).

        Example:
            >>> pca = PCA(n_components=2).fit(np.random.rand(40, 6))
            >>> pca.transform(np.random.rand(5, 6)).shape
            (5, 2)
        """
        flat, _, is_tensor, dtype = self._flat(X, "transform")
        return self._wrap((flat - self.mean_.astype(dtype)) @ self._project.astype(dtype),
                          is_tensor)

    def inverse_transform(self, X):
        """Map (N, k) component scores back to the input space, shaped like the samples.

        With all components kept this undoes ``transform`` exactly; with fewer it
        gives the best rank-k reconstruction.

        Example:
            >>> X = np.random.rand(40, 6)
            >>> pca = PCA().fit(X)
            >>> np.allclose(pca.inverse_transform(pca.transform(X)), X)
            True
        """
        self._check_fitted("inverse_transform")
        arr, is_tensor = self._as_array(X, "inverse_transform")
        if arr.ndim != 2 or arr.shape[1] != self.n_components_:
            raise ValueError(f"PCA.inverse_transform: expected component scores of shape "
                             f"(N, {self.n_components_}), got {arr.shape} {arr.dtype}")
        dtype = self._out_dtype(arr)
        out = arr.astype(dtype, copy=False) @ self._unproject.astype(dtype)
        out += self.mean_.astype(dtype)
        return self._wrap(out.reshape((arr.shape[0],) + self._sample_shape), is_tensor)

    def __repr__(self):
        return f"PCA(n_components={self.n_components!r}, whiten={self.whiten}, eps={self.eps})"


class ZCAWhiten(_Covariance):
    """ZCA whitening: rotate to the eigenbasis, scale to unit variance, rotate back.

    ``W = U diag(1 / sqrt(S + eps)) U.T`` with ``U, S`` from the SVD of the
    training covariance. Unlike PCA whitening the output stays in the input
    space (same shape; images stay images, with edges enhanced) and is the
    whitening closest to the original data. After ``fit``: ``mean_`` (D,),
    ``whitening_`` (D, D), ``components_`` (D, D) (rows: eigenvectors) and
    ``explained_variance_`` (D,) (eigenvalues, to choose ``eps``).

    Example:
        >>> mix = np.array([[2, 1, 0], [0, 1, 0], [0, 0, .5]])
        >>> X = np.random.default_rng(0).normal(size=(500, 3)) @ mix
        >>> Z = ZCAWhiten(eps=0).fit_transform(X)
        >>> np.allclose(np.cov(Z, rowvar=False), np.eye(3))
        True
    """

    def __init__(self, eps=1e-5):
        if not eps >= 0:
            raise ValueError(f"ZCAWhiten: eps must be >= 0, got {eps!r}")
        self.eps = float(eps)
        self._fitted = False

    def fit(self, X):
        """Fit the mean and the whitening matrix of ``X`` (N, ...); returns self.

        Example:
            >>> ZCAWhiten().fit(np.random.rand(100, 4)).whitening_.shape
            (4, 4)
        """
        arr, mean, s, u = self._fit_eig(X)
        self._check_eps(s, s.size)
        self._n_features = s.size
        scale = np.sqrt(s + self.eps)
        self.mean_, self.components_, self.explained_variance_ = mean, u.T.copy(), s
        self.whitening_ = (u / scale) @ u.T
        self._dewhitening = (u * scale) @ u.T
        self._sample_shape = arr.shape[1:]
        self._fitted = True
        return self

    def transform(self, X):
        """Return ``(X - mean_) @ whitening_``, shaped like ``X``.

        Example:
            >>> zca = ZCAWhiten().fit(np.random.rand(100, 4))
            >>> zca.transform(np.random.rand(3, 4)).shape
            (3, 4)
        """
        flat, shape, is_tensor, dtype = self._flat(X, "transform")
        out = (flat - self.mean_.astype(dtype)) @ self.whitening_.astype(dtype)
        return self._wrap(out.reshape(shape), is_tensor)

    def inverse_transform(self, X):
        """Undo ``transform``: ``X @ inverse(whitening_) + mean_``.

        Example:
            >>> X = np.random.rand(100, 4)
            >>> zca = ZCAWhiten().fit(X)
            >>> np.allclose(zca.inverse_transform(zca.transform(X)), X)
            True
        """
        flat, shape, is_tensor, dtype = self._flat(X, "inverse_transform")
        out = flat @ self._dewhitening.astype(dtype) + self.mean_.astype(dtype)
        return self._wrap(out.reshape(shape), is_tensor)

    def __repr__(self):
        return f"ZCAWhiten(eps={self.eps})"
