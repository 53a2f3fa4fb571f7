"""The field's metrics: the bootstrap interval of a report's F1."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import f1_score

from xhs_nlp.errors import DataError
from xhs_nlp.metrics import bootstrap_interval, multilabel_report


def _data(seed=0, docs=30, per_doc=8):
    """Documents whose sentences are all read right or all read wrong (errors cluster by document)."""
    rng = np.random.default_rng(seed)
    gold, pred, groups = [], [], []
    for d in range(docs):
        right = rng.random() < 0.7
        for _ in range(per_doc):
            g = rng.choice(["negative", "neutral", "positive"], p=[0.5, 0.35, 0.15])
            gold.append(g)
            pred.append(g if right else {"negative": "neutral", "neutral": "positive", "positive": "negative"}[g])
            groups.append(f"doc{d}")
    return np.array(gold, dtype=object), np.array(pred, dtype=object), np.array(groups, dtype=object)


def test_the_interval_holds_the_figure_and_is_reproducible():
    gold, pred, groups = _data()
    point = f1_score(gold, pred, average="macro")
    lo, hi = bootstrap_interval(gold, pred, groups=groups)
    assert lo < point < hi and 0 <= lo and hi <= 1
    assert bootstrap_interval(gold, pred, groups=groups) == (lo, hi)  # the same seed, the same interval
    assert bootstrap_interval(gold, pred, groups=groups, seed=1) != (lo, hi)
    lo90, hi90 = bootstrap_interval(gold, pred, groups=groups, level=0.9)
    assert lo <= lo90 and hi90 <= hi


def test_resampling_documents_is_wider_when_errors_cluster_by_document():
    gold, pred, groups = _data()
    lo_doc, hi_doc = bootstrap_interval(gold, pred, groups=groups)
    lo_row, hi_row = bootstrap_interval(gold, pred)
    assert hi_doc - lo_doc > 1.5 * (hi_row - lo_row)


def test_multilabel_micro_and_macro():
    rng = np.random.default_rng(0)
    Y = rng.random((200, 5)) < 0.3
    P = Y ^ (rng.random((200, 5)) < 0.15)
    rep = multilabel_report(Y, P, list("abcde"))
    for metric in ("micro_f1", "macro_f1"):
        lo, hi = bootstrap_interval(Y, P, metric=metric)
        assert lo < rep[metric] < hi


def test_bad_input_is_named():
    with pytest.raises(DataError, match="between 0 and 1"):
        bootstrap_interval(["a"], ["a"], level=95)
    with pytest.raises(DataError, match="'macro_f1' \\(single-label\\)"):
        bootstrap_interval(["a", "b"], ["a", "b"], metric="micro_f1")
    with pytest.raises(DataError, match="2 gold rows, 1 predictions"):
        bootstrap_interval(["a", "b"], ["a"])
    assert all(math.isnan(x) for x in bootstrap_interval(["a", "b"], ["a", "a"], groups=["d", "d"]))
