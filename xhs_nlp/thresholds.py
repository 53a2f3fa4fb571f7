"""Decision thresholds, tuned on out-of-fold probabilities: one for a binary head
(:func:`tune_threshold`), one per label for a multi-label head (:func:`tune_thresholds`),
and cross-fitted predictions that never judge a row by a threshold it helped set
(:func:`cross_fitted`).

Example:
    >>> import numpy as np
    >>> p = np.array([0.2, 0.4, 0.6, 0.8]); y = np.array([False, False, True, True])
    >>> tune_threshold(p, y)
    0.5
    >>> t = tune_thresholds(np.array([[0.9, 0.1], [0.2, 0.7]]), np.array([[1, 0], [0, 1]]), min_positive=1)
    >>> [round(float(x), 3) for x in t]
    [0.225, 0.125]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["tune_threshold", "tune_thresholds", "cross_fitted", "BINARY_GRID", "MULTILABEL_GRID"]

#: thresholds a binary head may take (step 0.01)
BINARY_GRID = np.round(np.arange(0.30, 0.705, 0.01), 2)
#: thresholds each label of a multi-label head may take (step 0.025)
MULTILABEL_GRID = np.round(np.arange(0.05, 0.901, 0.025), 3)


def tune_threshold(p: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None,
                   grid: np.ndarray = BINARY_GRID) -> float:
    """The threshold of ``grid`` that maximises the macro-F1 of ``p > t`` against the
    boolean ``y``, averaged over ``groups`` (e.g. languages; default one group); ties go
    to the threshold nearest 0.5."""
    from sklearn.metrics import f1_score

    p, y = np.asarray(p), np.asarray(y, dtype=bool)
    g = np.zeros(len(p), dtype=int) if groups is None else np.asarray(groups)
    masks = [g == k for k in sorted(set(g.tolist()))]

    def score(th: float) -> float:
        return float(np.mean([f1_score(y[m], p[m] > th, average="macro", labels=[False, True], zero_division=0)
                              for m in masks]))

    return float(max(grid, key=lambda th: (score(th), -abs(th - 0.5))))


def tune_thresholds(P: np.ndarray, Y: np.ndarray, *, min_positive: int = 5, passes: int = 2,
                    grid: np.ndarray = MULTILABEL_GRID) -> np.ndarray:
    """Per-label thresholds that maximise the micro-F1 of ``P >= t`` against ``Y``.

    Starts from the best single threshold for all labels, then moves each label's
    threshold in turn to the value that maximises the micro-F1 of all labels together
    (``passes`` rounds). Maximising each label's own F1 instead over-predicts rare
    labels and lowers micro-F1 (measured on SemEval techniques: 0.415 against 0.449
    for one shared threshold). Labels with fewer than ``min_positive`` positives keep
    the shared threshold.
    """
    Y = np.asarray(Y).astype(bool)
    pred = P[:, :, None] >= grid[None, None, :]  # n, L, G
    tp = (pred & Y[:, :, None]).sum(0)  # L, G
    npred = pred.sum(0)
    npos = Y.sum(0)  # L
    f1_shared = 2 * tp.sum(0) / np.maximum(npred.sum(0) + npos.sum(), 1)
    idx = np.full(Y.shape[1], int(np.argmax(f1_shared)))
    free = np.flatnonzero(npos >= min_positive)
    cols = np.arange(Y.shape[1])
    for _ in range(passes):
        for j in free:
            t_other = tp[cols != j, idx[cols != j]].sum()
            p_other = npred[cols != j, idx[cols != j]].sum()
            f1 = 2 * (t_other + tp[j]) / np.maximum(p_other + npred[j] + npos.sum(), 1)
            idx[j] = int(np.argmax(f1))
    return grid[idx].astype(np.float32)


def cross_fitted(oof: np.ndarray, Y: np.ndarray, splits: Sequence[tuple[np.ndarray, np.ndarray]], *,
                 min_positive: int = 5) -> np.ndarray:
    """Each split's held-out predictions at thresholds tuned (:func:`tune_thresholds`) on
    the other rows' out-of-fold probabilities, so no row is judged by thresholds it set."""
    P = np.zeros_like(Y, dtype=bool)
    for a, b in splits:
        P[b] = oof[b] >= tune_thresholds(oof[a], Y[a], min_positive=min_positive)
    return P
