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
           "ngram_logit", "softmax", "block_logit", "fit_block_logit"]


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


def block_logit(Z: np.ndarray, members: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    """Logits of a block-augmented linear model without building the augmented matrix.

    ``coef`` holds ``B`` blocks of ``Z.shape[1]`` weights, block after block (the layout
    of a logistic regression on ``hstack([Z * members[:, b:b+1] for b in range(B)])``);
    row ``i`` reads the sum of the blocks it is a member of.

    Example:
        >>> Z = np.array([[1.0, 2.0], [1.0, 2.0]])
        >>> members = np.array([[True, False], [True, True]])
        >>> block_logit(Z, members, np.array([1.0, 0.0, 0.5, 0.5]), 0.0).tolist()
        [1.0, 2.5]
    """
    members = np.asarray(members, dtype=bool)
    W = np.asarray(coef, dtype=np.float32).reshape(members.shape[1], -1)
    S = np.asarray(Z, dtype=np.float32) @ W.T
    return (S * members).sum(axis=1, dtype=np.float64) + float(intercept)


def fit_block_logit(Z: np.ndarray, y: np.ndarray, members: np.ndarray, *, C: float, max_iter: int = 3000,
                    class_weight: Any = None, sample_weight: np.ndarray | None = None,
                    tol: float = 1e-4) -> tuple[np.ndarray, float]:
    """Fit the L2 logistic regression of :func:`block_logit` (binary ``y`` in {0, 1}).

    The objective is scikit-learn's ``LogisticRegression(C=C)`` on the augmented matrix
    (per-sample log-loss weighted by ``sample_weight`` x class weight, plus
    ``||w||^2 / 2C``, intercept not penalised), minimised with L-BFGS as scikit-learn
    does, but the ``n x B*d`` matrix is never built: one product with ``Z`` per
    evaluation whatever ``B``. Returns ``(coef, intercept)``, ``coef`` float32 of
    ``B * d`` weights in block order.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> Z = rng.normal(size=(200, 3)); y = (Z[:, 0] > 0).astype(int)
        >>> coef, b = fit_block_logit(Z, y, np.ones((200, 1), bool), C=1.0)
        >>> from sklearn.linear_model import LogisticRegression
        >>> ref = LogisticRegression(C=1.0).fit(Z, y)
        >>> bool(np.allclose(coef, ref.coef_.ravel(), atol=1e-3))
        True
    """
    from scipy.optimize import minimize
    from sklearn.utils.class_weight import compute_sample_weight

    Z = np.asarray(Z, dtype=np.float32)
    y = np.asarray(y, dtype=np.float64)
    M = np.asarray(members, dtype=np.float32)
    n, d = Z.shape
    B = M.shape[1]
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).copy()
    if class_weight is not None:
        sw = sw * compute_sample_weight(class_weight, y.astype(int))
    total = sw.sum()
    sw = sw / total
    alpha = 1.0 / (C * total)

    def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
        W = w[:-1].reshape(B, d)
        s = ((Z @ W.T.astype(np.float32)) * M).sum(axis=1, dtype=np.float64) + w[-1]
        # log(1 + e^s) - y s, stable for either sign of s
        loss = float(sw @ (np.logaddexp(0.0, s) - y * s)) + 0.5 * alpha * float(w[:-1] @ w[:-1])
        r = (sw * (sigmoid(s) - y)).astype(np.float32)
        grad = np.empty_like(w)
        grad[:-1] = ((M * r[:, None]).T @ Z).astype(np.float64).ravel() + alpha * w[:-1]
        grad[-1] = float(r.sum(dtype=np.float64))
        return loss, grad

    res = minimize(objective, np.zeros(B * d + 1), jac=True, method="L-BFGS-B",
                   options={"maxiter": max_iter, "maxls": 50, "gtol": tol, "ftol": 64 * np.finfo(float).eps})
    return res.x[:-1].astype(np.float32), float(res.x[-1])


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits ``(n, k)``."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
