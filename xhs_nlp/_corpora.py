"""Helpers shared by the trainers: text normalisation for duplicate detection, corpus
names and records, CV groups, and removal of training copies of held-out rows."""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Hashable, Sequence

import numpy as np

from .persist import file_sha256

_NORM_RE = re.compile(r"[\W_]+", re.UNICODE)


def norm_text(text: str) -> str:
    """Lower-cased text without punctuation or spaces: the key for duplicates."""
    return _NORM_RE.sub("", text.lower())


def corpus_name(path: str | os.PathLike[str]) -> str:
    """A corpus file's folder name (``…/sst2_sentences/data.jsonl`` → ``sst2_sentences``)."""
    return os.path.basename(os.path.dirname(os.fspath(path))) or os.fspath(path)


def source_record(path: str | os.PathLike[str], rows: int) -> dict:
    """What a model card records of one training file: name, SHA-256, rows."""
    return {"path": corpus_name(path) + "/" + os.path.basename(os.fspath(path)), "sha256": file_sha256(path), "rows": rows}


def text_groups(texts: Sequence[str]) -> np.ndarray:
    """One CV group id per distinct normalised text, so copies never straddle folds."""
    gid: dict[str, int] = {}
    return np.array([gid.setdefault(norm_text(t), len(gid)) for t in texts])


def dedupe(rows: list, label: Callable[[Any], Hashable]) -> list:
    """Rows (``row[0]`` is the text) with one row per normalised text, in order: the
    first copy is kept, and a text whose copies carry different ``label(row)`` is dropped."""
    labels: dict[str, set] = {}
    for r in rows:
        labels.setdefault(norm_text(r[0]), set()).add(label(r))
    seen: set[str] = set()
    out = []
    for r in rows:
        n = norm_text(r[0])
        if n in seen or len(labels[n]) > 1:
            continue
        seen.add(n)
        out.append(r)
    return out


def drop_held_out_copies(train: list, held: list) -> list:
    """Drop training rows (``row[0]`` is the text) equal to, containing or contained in a
    held-out row (normalised).

    SST-2 was built from the same Rotten Tomatoes snippets as Pang & Lee's polarity
    set: 691 of SST-2's 872 dev sentences are also in Pang & Lee, so without this the
    dev score would be measured on training data.
    """
    held_norm = {norm_text(r[0]) for r in held}
    long_held = [h for h in held_norm if len(h) > 30]
    joined = "\x00".join(long_held)  # normalised text holds no \x00, so no match spans two rows
    keep = []
    for r in train:
        n = norm_text(r[0])
        if n in held_norm:
            continue
        if len(n) > 30 and (n in joined or any(h in n for h in long_held if len(h) <= len(n))):
            continue
        keep.append(r)
    return keep


def sublinear_tf(hasher, texts: Sequence[str]):
    """Hashed term counts as ``1 + log(count)`` (CSR, float64)."""
    X = hasher.transform(texts).astype(np.float64).tocsr()
    X.data = 1.0 + np.log(X.data)
    return X


def fit_idf(X, n_features: int) -> np.ndarray:
    """Smoothed IDF of the columns of ``X`` (float32)."""
    df = np.bincount(X.indices, minlength=n_features)
    return (np.log((1 + X.shape[0]) / (1 + df)) + 1).astype(np.float32)


def tfidf(X, idf: np.ndarray):
    """``X`` weighted by ``idf``, rows L2-normalised."""
    from sklearn.preprocessing import normalize

    return normalize(X.multiply(idf).tocsr())
