"""The metrics the field reports, computed one way for model cards and ``xhs-nlp evaluate``.

* :func:`classification_report`: single-label (binary or multi-class): accuracy,
  macro-F1 over the labels present in the gold data, per-label precision/recall/F1/support,
  and the same per language;
* :func:`multilabel_report`: multi-label: micro-F1, macro-F1 over labels with support,
  exact-match accuracy, per label, per language;
* :func:`reports_by`: either report for named subsets of the rows (per corpus, per
  language, per corpus and language), the blocks a model card stores;
* :func:`two_scheme_reports`: per corpus and per language when some corpora are labelled
  in a narrower scheme (binary sentiment, negative vs not);
* :func:`bootstrap_interval`: how far a macro-F1 (or micro-F1) could move on another sample
  of the same kind: a percentile bootstrap interval that resamples whole documents (or
  articles, events) where the rows name them.

Example:
    >>> rep = classification_report(["claim", "rhetoric", "claim"], ["claim", "claim", "claim"],
    ...                             ["claim", "rhetoric"], ["en", "en", "zh"])
    >>> round(rep["accuracy"], 3), round(rep["macro_f1"], 3), rep["per_lang"]["zh"]["n"]
    (0.667, 0.4, 1)
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .schemes import NON_NEGATIVE, SENTIMENT_LABELS

__all__ = ["classification_report", "multilabel_report", "reports_by", "two_scheme_reports", "micro_f1",
           "sentiment_decisions", "negativity_decisions", "confusion", "bootstrap_interval"]



def sentiment_decisions(P: np.ndarray, binary: bool = False) -> np.ndarray:
    """Labels from ``(n, 3)`` sentiment probabilities (negative, neutral, positive): the
    most probable of the three, or, for binary gold data (``binary=True``), the larger
    of negative and positive (a tie is neutral).

    Example:
        >>> P = np.array([[0.3, 0.4, 0.3], [0.2, 0.5, 0.3]])
        >>> sentiment_decisions(P).tolist(), sentiment_decisions(P, binary=True).tolist()
        (['neutral', 'neutral'], ['neutral', 'positive'])
    """
    P = np.asarray(P)
    if binary:
        return np.where(P[:, 2] > P[:, 0], "positive", np.where(P[:, 0] > P[:, 2], "negative", "neutral")).astype(object)
    return np.array(SENTIMENT_LABELS, dtype=object)[P.argmax(1)]


def negativity_decisions(P: np.ndarray) -> np.ndarray:
    """``negative`` where negative is the most probable of ``(n, 3)`` sentiment
    probabilities, else ``non-negative`` (how target-level data labelled only negative or
    not, such as FinNSP, is judged).

    Example:
        >>> negativity_decisions(np.array([[0.5, 0.3, 0.2], [0.4, 0.1, 0.5]])).tolist()
        ['negative', 'non-negative']
    """
    return np.where(np.asarray(P).argmax(1) == 0, "negative", NON_NEGATIVE).astype(object)


def confusion(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, dict[str, int]]:
    """The confusion matrix as ``{gold: {predicted: count}}`` over ``labels``."""
    t, p = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    return {a: {b: int(((t == a) & (p == b)).sum()) for b in labels} for a in labels}


def _single_block(t: np.ndarray, p: np.ndarray, labels: Sequence[str], per_label: bool) -> dict:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = list(labels)
    present = [lab for lab in labels if lab in set(t.tolist())]
    out = {"n": int(len(t)), "accuracy": float(accuracy_score(t, p)),
           "macro_f1": float(f1_score(t, p, labels=present or labels, average="macro", zero_division=0))}
    if per_label:
        pr, rc, f1, sup = precision_recall_fscore_support(t, p, labels=labels, zero_division=0)
        out["per_label"] = {lab: {"precision": float(a), "recall": float(b), "f1": float(c), "support": int(d)}
                            for lab, a, b, c, d in zip(labels, pr, rc, f1, sup)}
    return out


def classification_report(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str],
                          langs: Sequence[str] | None = None, *, per_label: bool = True,
                          with_confusion: bool = False) -> dict:
    """Accuracy, macro-F1 (labels present in ``y_true``), per-label P/R/F1/support, and
    the same per language (``per_lang``) when ``langs`` is given; ``confusion``
    (``{gold: {predicted: n}}``) with ``with_confusion``."""
    t, p = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    out = _with_langs(_single_block, t, p, labels, langs, per_label)
    if with_confusion:
        out["confusion"] = confusion(t, p, list(labels) + sorted(set(p.tolist()) - set(labels)))
    return out


def _with_langs(block, t: np.ndarray, p: np.ndarray, labels: Sequence[str], langs: Sequence[str] | None,
                per_label: bool) -> dict:
    """``block`` of all rows, plus ``per_lang``: the same block of each language's rows."""
    out = block(t, p, labels, per_label)
    if langs is not None:
        lg = np.asarray(langs, dtype=object)
        out["per_lang"] = {x: block(t[lg == x], p[lg == x], labels, per_label) for x in sorted(set(lg.tolist()))}
    return out


def micro_f1(Y: np.ndarray, P: np.ndarray) -> float:
    """Micro-averaged F1 of boolean indicator matrices."""
    Y, P = np.asarray(Y, dtype=bool), np.asarray(P, dtype=bool)
    tp = int((Y & P).sum())
    return 2 * tp / max(2 * tp + int((~Y & P).sum()) + int((Y & ~P).sum()), 1)


def _multi_block(Y: np.ndarray, P: np.ndarray, labels: Sequence[str], per_label: bool) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    pr, rc, f1, sup = precision_recall_fscore_support(Y, P, zero_division=0)
    present = sup > 0
    out = {"n": int(len(Y)), "micro_f1": micro_f1(Y, P),
           "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
           "accuracy": float((Y == P).all(1).mean()) if len(Y) else 0.0}
    if per_label:
        out["per_label"] = {lab: {"precision": float(a), "recall": float(b), "f1": float(c), "support": int(d)}
                            for lab, a, b, c, d in zip(labels, pr, rc, f1, sup)}
    return out


def multilabel_report(Y: np.ndarray, P: np.ndarray, labels: Sequence[str], langs: Sequence[str] | None = None, *,
                      per_label: bool = True) -> dict:
    """Micro-F1, macro-F1 (labels with support), exact-match accuracy and per-label
    precision/recall/F1/support of indicator matrices; the same per language
    (``per_lang``) when ``langs`` is given."""
    return _with_langs(_multi_block, np.asarray(Y, dtype=bool), np.asarray(P, dtype=bool), labels, langs, per_label)


def two_scheme_reports(y_true: np.ndarray, y_pred: np.ndarray, langs: np.ndarray, corpora: np.ndarray,
                       narrow: np.ndarray, labels: Sequence[str], narrow_labels: Sequence[str], narrow_suffix: str, *,
                       narrow_confusion: bool = True) -> dict[str, dict]:
    """Reports of rows labelled in one of two schemes: rows where ``narrow`` is true (whole
    corpora, e.g. binary ones) are scored on ``narrow_labels``, the others on ``labels``.
    One report per corpus (per label; a confusion matrix for the full scheme, and for the
    narrow one when ``narrow_confusion``; ``per_lang`` for a corpus of several languages),
    then per language and scheme (keys ``LANG`` and ``LANG`` + ``narrow_suffix``)."""
    out: dict[str, dict] = {}
    for c in sorted(set(corpora.tolist())):
        m = corpora == c
        nar = bool(narrow[m][0])
        several = len(set(langs[m].tolist())) > 1
        out[c] = classification_report(y_true[m], y_pred[m], narrow_labels if nar else labels,
                                       langs[m] if several else None, per_label=True,
                                       with_confusion=narrow_confusion or not nar)
    for lg in sorted(set(langs.tolist())):
        for mask, suffix, labs in ((~narrow, "", labels), (narrow, narrow_suffix, narrow_labels)):
            m = mask & (langs == lg)
            if m.any():
                out[lg + suffix] = classification_report(y_true[m], y_pred[m], labs, per_label=False)
    return out


def reports_by(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str], masks: Mapping[str, np.ndarray], *,
               multilabel: bool = False, per_label: bool = False) -> dict[str, dict]:
    """:func:`classification_report` (or :func:`multilabel_report`) of each named subset
    of rows (empty subsets are left out), without the per-language breakdown."""
    out = {}
    for name, m in masks.items():
        m = np.asarray(m, dtype=bool)
        if not m.any():
            continue
        out[name] = (multilabel_report(y_true[m], y_pred[m], labels, per_label=per_label) if multilabel
                     else classification_report(y_true[m], y_pred[m], labels, per_label=per_label))
    return out


def bootstrap_interval(y_true: Sequence[Any] | np.ndarray, y_pred: Sequence[Any] | np.ndarray, *,
                       groups: Sequence[Any] | None = None, metric: str = "macro_f1", level: float = 0.95,
                       n_resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
    """A percentile bootstrap interval of a report's F1 (:func:`scipy.stats.bootstrap`).

    Rows of one group (a document, an article, an event: ``groups``) are drawn together,
    since sentences of one op-ed are not independent readings; without ``groups`` every row
    is its own. Each resample's figure is computed as the reports compute it: macro-F1 over
    the labels present in that resample's gold labels (single-label), or over the labels
    with support (multi-label), or micro-F1.

    Args:
        y_true, y_pred: label names (single-label), or boolean indicator matrices of one
            shape (multi-label).
        groups: the unit of each row (``None``: the rows themselves).
        metric: ``"macro_f1"``, or ``"micro_f1"`` (multi-label only).
        level: the interval's confidence level, in (0, 1).
        n_resamples: bootstrap resamples.
        seed: the resampling's seed (the same seed, the same interval).

    Returns:
        ``(low, high)``; ``(nan, nan)`` when there are fewer than two units to resample.

    Raises:
        DataError: a level outside (0, 1), an unknown metric, or inputs of different lengths.

    Example:
        >>> lo, hi = bootstrap_interval(["a", "b"] * 20, ["a", "b"] * 15 + ["b", "a"] * 5, groups=list(range(10)) * 4)
        >>> round(lo, 2) <= 0.75 <= round(hi, 2)
        True
    """
    from scipy.stats import bootstrap

    from .errors import DataError

    if not 0 < level < 1:
        raise DataError(f"level must be between 0 and 1, not {level!r}")
    multilabel = np.ndim(y_true) == 2
    if metric not in ("macro_f1", "micro_f1") or (metric == "micro_f1" and not multilabel):
        allowed = "'macro_f1' or 'micro_f1'" if multilabel else "'macro_f1' (single-label)"
        raise DataError(f"metric must be {allowed}, not {metric!r}")
    n = len(y_true)
    if len(y_pred) != n or (groups is not None and len(groups) != n):
        raise DataError(f"{n} gold rows, {len(y_pred)} predictions"
                        + (f", {len(groups)} groups" if groups is not None else ""))
    if multilabel:
        Y, P = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)

        def figure(rows: np.ndarray) -> float:
            y, p = Y[rows], P[rows]
            tp, nt, npred = (y & p).sum(0), y.sum(0), p.sum(0)
            if metric == "micro_f1":
                return 2 * tp.sum() / max(nt.sum() + npred.sum(), 1)
            has = nt > 0
            return float((2 * tp[has] / (nt[has] + npred[has])).mean()) if has.any() else 0.0
    else:
        names = {lab: k for k, lab in enumerate(dict.fromkeys([*map(str, y_true), *map(str, y_pred)]))}
        T = np.array([names[str(x)] for x in y_true], dtype=np.int64)
        Q = np.array([names[str(x)] for x in y_pred], dtype=np.int64)
        K = len(names)

        def figure(rows: np.ndarray) -> float:
            t, q = T[rows], Q[rows]
            tp, nt, npred = (np.bincount(t[t == q], minlength=K), np.bincount(t, minlength=K),
                             np.bincount(q, minlength=K))
            has = nt > 0
            return float((2 * tp[has] / (nt[has] + npred[has])).mean())

    _, unit = np.unique(np.asarray(groups if groups is not None else np.arange(n), dtype=str), return_inverse=True)
    order = np.argsort(unit, kind="stable")
    members = np.split(order, np.flatnonzero(np.diff(unit[order])) + 1)
    if len(members) < 2:
        return float("nan"), float("nan")
    res = bootstrap((np.arange(len(members)),), lambda idx: figure(np.concatenate([members[i] for i in idx])),
                    vectorized=False, n_resamples=n_resamples, confidence_level=level, method="percentile",
                    random_state=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)

