"""Small numeric operations every head shares: the sigmoid, standardisation, and the
hashed n-gram logistic regression.

Example:
    >>> import numpy as np
    >>> sigmoid(np.array([0.0, 100.0])).round(3).tolist()
    [0.5, 1.0]
    >>> mean, scale = fit_standardiser(np.array([[1.0, 5.0], [3.0, 5.0]]))
    >>> standardise(np.array([[3.0, 5.0]]), mean, scale).tolist()
    [[1.0, 0.0]]
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["sigmoid", "fit_standardiser", "standardise", "sublinear_tf", "fit_idf", "tfidf", "fit_ngram_logit",
           "ngram_logit", "softmax"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, clipped at ±50 so extreme logits never overflow."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def fit_standardiser(Z: np.ndarray, sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Column means and scales (float32) of ``Z``, weighted by ``sample_weight``; a
    constant column gets scale 1 (scikit-learn's ``StandardScaler`` rule)."""
    from sklearn.preprocessing import StandardScaler

    sc = StandardScaler().fit(Z, sample_weight=sample_weight)
    return sc.mean_.astype(np.float32), sc.scale_.astype(np.float32)


def standardise(Z: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``(Z - mean) / scale`` as float32."""
    return ((Z - mean) / scale).astype(np.float32)


def sublinear_tf(hasher: Any, texts: Sequence[str]):
    """Hashed term counts as ``1 + log(count)`` (CSR, float64)."""
    X = hasher.transform(texts).astype(np.float64).tocsr()
    X.data = 1.0 + np.log(X.data)
    return X


def fit_idf(X: Any, n_features: int) -> np.ndarray:
    """Smoothed IDF of the columns of ``X`` (float32)."""
    df = np.bincount(X.indices, minlength=n_features)
    return (np.log((1 + X.shape[0]) / (1 + df)) + 1).astype(np.float32)


def tfidf(X: Any, idf: np.ndarray):
    """``X`` weighted by ``idf``, rows L2-normalised."""
    from sklearn.preprocessing import normalize

    return normalize(X.multiply(idf).tocsr())


def fit_ngram_logit(hasher: Any, texts: Sequence[str], y: np.ndarray, *, C: float, seed: int | None,
                    max_iter: int = 5000, class_weight: Any = None,
                    sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, Any]:
    """Fit the hashed n-gram head: sublinear TF-IDF of ``hasher``'s counts, L2 norm, a
    logistic regression. Returns ``(idf, coef, intercept)``; stateless hashing means
    these three arrays are the whole model (no vocabulary to store).

    With two classes ``coef`` is one row (raveled) and ``intercept`` a float; with more,
    ``coef`` is ``(n_classes, n_features)`` and ``intercept`` ``(n_classes,)``
    (multinomial, classes in sorted order)."""
    from sklearn.linear_model import LogisticRegression

    H = sublinear_tf(hasher, texts)
    idf = fit_idf(H, hasher.n_features)
    lr = LogisticRegression(C=C, max_iter=max_iter, class_weight=class_weight, random_state=seed)
    lr.fit(tfidf(H, idf), y, sample_weight=sample_weight)
    if len(lr.classes_) > 2:
        return idf, lr.coef_.astype(np.float32), lr.intercept_.astype(np.float32)
    return idf, lr.coef_.ravel().astype(np.float32), float(lr.intercept_[0])


def ngram_logit(hasher: Any, texts: Sequence[str], idf: np.ndarray, coef: np.ndarray, intercept: Any) -> np.ndarray:
    """The n-gram head's logits for ``texts`` (see :func:`fit_ngram_logit`): ``(n,)`` for
    a binary head (one coefficient row), ``(n, n_classes)`` for a multinomial one."""
    X = tfidf(sublinear_tf(hasher, texts), idf)
    coef = np.asarray(coef)
    if coef.ndim == 2 and coef.shape[0] > 1:
        return np.asarray(X @ coef.T, dtype=np.float64) + np.asarray(intercept, dtype=np.float64).ravel()
    z = X @ coef.ravel() + float(np.asarray(intercept).ravel()[0])
    return np.asarray(z, dtype=np.float64).ravel()


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits ``(n, k)``."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
