"""Factual claims versus rhetoric, sentence by sentence.

:class:`ClaimClassifier` is a scikit-learn estimator over raw sentences (``X`` is a
list of strings, ``y`` the labels ``claim``/``rhetoric``). Its features are chosen by
keyword hyper-parameters:

* ``embeddings``: the shared encoder's mean-pooled hidden states of every layer
  (multilingual-e5-small: 13 x 384), standardised; the default model reads only these;
* ``cues``: counts of the transparent cues of :mod:`xhs_nlp.cues` (numbers, dates,
  money, organisations, quotation, attribution, first person, hedges, comparatives,
  questions …);
* ``ngrams``: a hashed word (jieba words for Chinese) and character n-gram logistic
  regression, blended into the probability with weight ``ngram_weight``.

Training rows may come from several *domains* (``fit(X, y, domains=...)``): news
sentences (CheckThat!), debate speech (ClaimBuster) and editorials' argument units
(Webis-Editorials-16) draw the line between fact and opinion in different places, so
every domain other than the reference ``domain`` gets its own copy of the weights on top
of the shared ones (Daumé's "frustratingly easy" domain adaptation). A prediction for a
domain uses the shared weights plus that domain's (the reference domain has none of its
own) and that domain's threshold (``domain_thresholds``: the sentence's language's
``"DOMAIN:LANG"`` entry, else the domain's, else ``threshold``); the
domain is ``predict(..., domain=)``, else ``predict_domain``, else ``domain``. The
augmented matrix (one copy of the features per block) is never built: the weights are
fitted block by block (:func:`xhs_nlp.ops.fit_block_logit`).

With ``language_weights=True`` the rows of ``domain`` also get one copy of the weights
per language (``fit(..., langs=...)``; the same augmentation, one level down): English
news draws the line between fact and opinion differently from Italian or Arabic news,
and the shared weights alone are pulled between them. A prediction for ``domain`` uses
the shared weights plus those of the sentence's language (given as ``langs=`` or
detected with :func:`xhs_nlp.segment.language.detect_lang`); a language the model has
not seen (Chinese, for one) uses the shared weights alone.

Example:
    >>> clf = ClaimClassifier.load()
    >>> clf.predict(["Revenue grew 12% to 3.1 billion yuan in 2024.",
    ...              "This strategy is doomed and everyone knows it."]).tolist()
    ['claim', 'rhetoric']
    >>> [(q.kind, q.text) for q in extract_facts("Revenue grew 12% to 3.1 billion yuan in 2024.").quantities]
    [('percent', '12%'), ('money', '3.1 billion yuan'), ('date', '2024')]
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np

from .labelled import (LabelledRow, dedupe, drop_held_out_copies, parse_label_map, read_labelled,
                   source_record, cv_groups, cv_unit)
from .errors import DataError, InputError, ModelError
from .heads import (Anything, Boolean, EncoderHead, Integer, Real, Strings, check_predict_domain, check_texts,
                    default_domain, language_tags, parse_predict_domain, resolve_domains, take_rows,
                    untrained_predict_domains)
from .metrics import reports_by
from .ops import block_logit, fit_block_logit, fit_ngram_logit, fit_standardiser, ngram_logit, sigmoid, standardise
from .persist import shipped_model_dir
from .schemes import CLAIM_LABELS
from .thresholds import tune_threshold as tune_threshold_

if TYPE_CHECKING:  # pragma: no cover
    from .document import Document

__all__ = [
    "ClaimClassifier",
    "Quantity",
    "Facts",
    "SentenceClaim",
    "extract_facts",
    "classify_document",
    "train_claims",
    "tune_domain_thresholds",
    "read_claim_rows",
    "split_rows",
    "labels_at",
    "DEFAULT_MODEL_DIR",
    "LABELS",
]

_log = logging.getLogger(__name__)

LABELS = CLAIM_LABELS
KIND = "claims"
DEFAULT_MODEL_DIR = shipped_model_dir("claims")
QuantityKind = Literal["percent", "money", "date", "number"]
#: why a sentence without letters (language ``und``) gets no label
NOT_SCORED = "no letters (language 'und'): nothing to classify"


# -- features ---------------------------------------------------------------------------


def _ngram_analyzer(text: str) -> list[str]:
    """Word 1-2 grams (jieba words for Chinese) and character 2-4 grams inside words."""
    from .segment.tokens import tokenize

    words = [w.lower() for w in tokenize(text) if not w.isspace()]
    grams = ["w:" + w for w in words] + ["b:" + a + " " + b for a, b in zip(words, words[1:])]
    for w in words:
        padded = f" {w} "
        for n in (2, 3, 4):
            grams += ["c:" + padded[i : i + n] for i in range(max(len(padded) - n + 1, 0))]
    return grams


_HASH_FEATURES = 2**20


def _hasher():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer=_ngram_analyzer, n_features=_HASH_FEATURES, alternate_sign=False, norm=None)


#: the rows a language needs in a domain of several languages for a threshold of its own
#: (:func:`tune_domain_thresholds`)
MIN_LANGUAGE_ROWS = 200


def labels_at(p_claim: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """``"claim"`` where ``P(claim) > threshold`` (one threshold, or one per row), else
    ``"rhetoric"``."""
    return np.where(np.asarray(p_claim) > np.asarray(threshold, dtype=float), "claim", "rhetoric")


class ClaimClassifier(EncoderHead):
    """Sentence classifier: ``claim`` (checkable statement) or ``rhetoric``.

    A scikit-learn estimator (:class:`~xhs_nlp.heads.EncoderHead`): works in
    ``Pipeline``, ``GridSearchCV``, ``cross_validate`` and ``clone``. ``X`` is a
    sequence of sentences.

    Args:
        encoder: the shared encoder's name or a local model folder.
        embeddings: read the encoder's features.
        layers: encoder layers to read (``None``: all; ``-1``: the last only).
        cues: add the counts of :data:`xhs_nlp.cues.CLAIM_CUES`.
        ngrams: blend in a hashed word/character n-gram logistic regression.
        ngram_weight: its weight in the blended probability (when ``ngrams``;
            1.0 when the model has no other features).
        C: inverse regularisation of the dense logistic regression.
        ngram_C: the same for the n-gram model.
        threshold: ``P(claim)`` above which a sentence is a claim.
        domain_thresholds: a threshold per domain (``{"editorial": 0.44}``) for
            predictions made for that domain, or per domain and language
            (``{"oped": 0.65, "oped:zh": 0.52}``: Chinese sentences at 0.52, the
            domain's other languages at 0.65); other domains use ``threshold``.
        domain: the reference domain: training rows of other domains get
            domain-specific weights (see the module docstring), and only its rows
            get language weights.
        predict_domain: the domain predictions are made for when none is given: a
            name, or a dict from language tag to name (``"*"``: every other
            language); ``None``: ``domain``. The shipped model predicts Chinese for
            ``news`` (where ECOB-ZH's commentary has its language weights) and every
            other language for ``editorial``.
        language_weights: rows of ``domain`` get language-specific weights on top
            of the shared ones (see the module docstring).
        class_weight: passed to both logistic regressions.
        max_iter: solver iterations.
        random_state: seed.

    Example:
        >>> from sklearn.base import clone
        >>> clf = ClaimClassifier(embeddings=False, cues=True, ngrams=True)
        >>> _ = clf.fit(["Sales rose 5% in 2023.", "What a disgrace this is!",
        ...              "The firm hired 300 people in May.", "We must not give up hope."],
        ...             ["claim", "rhetoric", "claim", "rhetoric"])
        >>> clf.predict(["Profit fell 8% in 2022."]).tolist(), clone(clf).get_params()["ngrams"]
        (['claim'], True)
    """

    kind = KIND
    default_model = "claims"
    _parameter_constraints = {
        "encoder": Anything("an encoder name or folder"), "embeddings": Boolean(), "layers": Anything("layer indices"),
        "cues": Boolean(), "ngrams": Boolean(), "ngram_weight": Real(0, 1), "C": Real(0, None), "ngram_C": Real(0, None),
        "threshold": Real(0, 1), "domain_thresholds": Anything("a dict: domain -> threshold in [0, 1]"),
        "domain": Anything("a domain name"), "predict_domain": Anything("a domain name, a dict or None"),
        "language_weights": Boolean(),
        "class_weight": Anything("None, 'balanced' or a dict"), "max_iter": Integer(1, None),
        "random_state": Integer(None, None, none=True),
    }
    _fitted_arrays = ("mean", "scale", "coef", "ngram_idf", "ngram_coef")
    _fitted_values = ("domains", "languages", "intercept", "ngram_intercept")
    _fitted_constraints = {"domains": Strings(), "languages": Strings(), "intercept": Real(), "ngram_intercept": Real()}

    def __init__(
        self,
        *,
        encoder: str = "multilingual-e5-small",
        embeddings: bool = True,
        layers: Sequence[int] | int | None = None,
        cues: bool = False,
        ngrams: bool = False,
        ngram_weight: float = 0.3,
        C: float = 0.001,
        ngram_C: float = 10.0,
        threshold: float = 0.5,
        domain_thresholds: dict[str, float] | None = None,
        domain: str = "news",
        predict_domain: str | dict[str, str] | None = None,
        language_weights: bool = False,
        class_weight: dict | str | None = None,
        max_iter: int = 3000,
        random_state: int | None = 0,
    ) -> None:
        self.encoder = encoder
        self.embeddings = embeddings
        self.layers = layers
        self.cues = cues
        self.ngrams = ngrams
        self.ngram_weight = ngram_weight
        self.C = C
        self.ngram_C = ngram_C
        self.threshold = threshold
        self.domain_thresholds = domain_thresholds
        self.domain = domain
        self.predict_domain = predict_domain
        self.language_weights = language_weights
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _check_params(self) -> None:
        if not (self.embeddings or self.cues or self.ngrams):
            raise InputError("ClaimClassifier needs at least one of embeddings, cues, ngrams")
        dt = self.domain_thresholds
        if dt is not None and not (isinstance(dt, dict) and all(
                isinstance(k, str) and Real(0, 1).ok(v) for k, v in dt.items())):
            raise InputError(f"domain_thresholds must map domain names to thresholds in [0, 1], got {dt!r}")
        check_predict_domain(self.predict_domain, "ClaimClassifier")

    def _what(self) -> str:
        return "claim classifier"

    # -- features ------------------------------------------------------------------------

    def _needs_features(self) -> bool:
        return bool(self.embeddings or self.cues)

    def _reads_encoder(self) -> bool:
        return bool(self.embeddings)

    def features(self, X: Sequence[str], *, progress: bool = False, cache: Any = None) -> np.ndarray:
        """The dense block the head reads: the encoder's layer features (``embeddings``,
        banked in the folder ``cache`` when given) and/or cue counts (``cues``), before
        standardising."""
        texts = check_texts(X)
        parts = []
        if self.embeddings:
            parts.append(np.asarray(self._layer_features(texts, progress=progress, cache=cache), dtype=np.float32))
        if self.cues:
            from .cues import CLAIM_CUES, cue_counts

            parts.append(cue_counts(texts, CLAIM_CUES))
        if not parts:
            return np.zeros((len(texts), 0), dtype=np.float32)
        return np.hstack(parts)

    def _members(self, domains: np.ndarray, langs: np.ndarray | None) -> np.ndarray:
        """Which weight blocks each row reads, ``(n, blocks)``: the shared block, one per
        extra domain (that domain's rows) and one per language of :attr:`languages_`
        (that language's rows of ``domain``) -- the columns of the augmented matrix
        ``hstack([Z * members[:, b:b+1] ...])``, which is never built
        (:func:`~xhs_nlp.ops.block_logit`)."""
        extra, languages = list(self.domains_), list(self.languages_)
        cols = [np.ones(len(domains), dtype=bool)] + [domains == name for name in extra]
        if languages:
            own = domains == self.domain
            tags = langs if langs is not None else np.full(len(domains), None, dtype=object)
            cols += [own & (tags == lg) for lg in languages]
        return np.column_stack(cols)

    @staticmethod
    def _langs(texts: list[str], langs: str | Sequence[str | None] | None) -> np.ndarray:
        """:func:`~xhs_nlp.heads.language_tags` as an object array."""
        return np.array(language_tags(texts, langs), dtype=object)

    def _domains(self, n: int, domains: str | Sequence[str] | None) -> np.ndarray:
        if domains is None or isinstance(domains, str):
            return np.full(n, self.domain if domains is None else domains, dtype=object)
        d = np.asarray([str(x) for x in domains], dtype=object)
        if len(d) != n:
            raise DataError(f"{n} texts but {len(d)} domains")
        return d

    def _n_blocks(self) -> int:
        return 1 + len(self.domains_) + len(self.languages_)

    # -- fit / predict -----------------------------------------------------------------------

    def fit(self, X: Sequence[str], y: Sequence[str], *, domains: Sequence[str] | None = None,
            langs: str | Sequence[str | None] | None = None, sample_weight: Sequence[float] | None = None,
            features: np.ndarray | None = None) -> ClaimClassifier:
        """Fit on sentences ``X`` labelled ``claim``/``rhetoric``.

        Args:
            X: sentences.
            y: ``"claim"`` or ``"rhetoric"`` per sentence.
            domains: optional domain per sentence (default: all ``domain``).
            langs: language tag per sentence, read when ``language_weights``
                (default: detected).
            sample_weight: optional weight per sentence.
            features: ``self.features(X)`` computed earlier (optional).

        Raises:
            DataError: an empty text, a label other than claim/rhetoric (the row is
                named), only one class, or lengths that do not match.
        """
        return super().fit(X, y, features=features, domains=domains, langs=langs, sample_weight=sample_weight)

    def _fit(self, texts: list[str], y: Any, Z: np.ndarray | None, *, domains: Any = None, langs: Any = None,
             sample_weight: Any = None) -> None:
        yy = _check_y(y, len(texts))
        dom = self._domains(len(texts), domains)
        sw = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.classes_ = np.array(LABELS)
        target = (yy == "claim").astype(int)
        self.domains_ = sorted(set(dom.tolist()) - {self.domain})
        lg = self._langs(texts, langs) if self.language_weights else None
        self.languages_ = sorted(set(lg[dom == self.domain].tolist())) if lg is not None else []
        self.mean_ = self.scale_ = self.coef_ = None
        self.intercept_ = 0.0
        if Z is not None and Z.shape[1]:
            self.mean_, self.scale_ = fit_standardiser(Z, sw)
            self.coef_, self.intercept_ = fit_block_logit(
                standardise(Z, self.mean_, self.scale_), target, self._members(dom, lg), C=self.C,
                max_iter=self.max_iter, class_weight=self.class_weight, sample_weight=sw)
        self.ngram_idf_ = self.ngram_coef_ = None
        self.ngram_intercept_ = 0.0
        if self.ngrams:
            self.ngram_idf_, self.ngram_coef_, self.ngram_intercept_ = fit_ngram_logit(
                _hasher(), texts, target, C=self.ngram_C, seed=self.random_state, max_iter=self.max_iter,
                class_weight=self.class_weight, sample_weight=sw)

    def _default_domain(self, lang: str | None) -> str:
        return str(default_domain(self.predict_domain, lang, self.domain))

    def row_domains(self, X: Sequence[str], domain: str | Sequence[str] | None = None,
                    langs: str | Sequence[str | None] | None = None) -> np.ndarray:
        """The domain each prediction for ``X`` is made for: ``domain`` (one name, or one
        per sentence), else :attr:`predict_domain` (one name, or by language), else
        :attr:`domain`.

        Example:
            >>> ClaimClassifier(predict_domain={"zh": "news", "*": "editorial"}).row_domains(
            ...     ["Sales rose.", "销售额增长。"], langs=["en", "zh"]).tolist()
            ['editorial', 'news']
        """
        return self._domains_and_langs(list(X), domain, langs)[0]

    def _domains_and_langs(self, texts: list[str], domain: Any, langs: Any) -> tuple[np.ndarray, Any]:
        """:meth:`row_domains` and the language tags to predict with
        (:func:`~xhs_nlp.heads.resolve_domains`)."""
        return resolve_domains(texts, domain, langs, self.predict_domain, self.domain)

    def threshold_for(self, domain: str | None = None, lang: str | None = None) -> float:
        """The threshold of predictions for ``domain`` (default: the prediction domain of
        ``lang``, or of the languages :attr:`predict_domain` does not name) and for
        sentences in ``lang``: ``domain_thresholds["DOMAIN:LANG"]``, else
        ``domain_thresholds["DOMAIN"]``, else :attr:`threshold`. ``lang`` is read by its
        primary subtag in lower case (``zh-CN`` is ``zh``); a sentence tagged ``mixed`` or
        ``und`` reads the domain's threshold.

        Example:
            >>> clf = ClaimClassifier(domain_thresholds={"oped": 0.65, "oped:zh": 0.52})
            >>> clf.threshold_for("oped", "zh"), clf.threshold_for("oped", "en"), clf.threshold_for("news")
            (0.52, 0.65, 0.5)
        """
        d = self._default_domain(lang) if domain is None else domain
        dt = self.domain_thresholds or {}
        tag = re.split("[-_]", str(lang).lower())[0] if lang else None
        return float(dt.get(f"{d}:{tag}", dt.get(d, self.threshold)) if tag else dt.get(d, self.threshold))

    def _thresholds(self, domains: np.ndarray, texts: list[str] | None = None, langs: Any = None) -> np.ndarray:
        """Each row's threshold (:meth:`threshold_for`); the rows' languages (``langs``, else
        detected in ``texts``) are read only when a row's domain has thresholds per language."""
        by_lang = {k.split(":", 1)[0] for k in (self.domain_thresholds or {}) if ":" in k}
        tags: Any = None
        if by_lang.intersection(domains.tolist()):
            tags = self._langs(texts, langs) if texts is not None else langs
            if tags is not None and not isinstance(tags, str) and len(tags) != len(domains):
                raise DataError(f"{len(domains)} texts but {len(tags)} language tags")
        if tags is None or isinstance(tags, str):
            tags = [tags] * len(domains)
        return np.array([self.threshold_for(d, lg) for d, lg in zip(domains, tags)], dtype=float)

    def _p_claim(self, texts: list[str], Z: np.ndarray | None, domain: str | Sequence[str] | None,
                 langs: str | Sequence[str | None] | None) -> np.ndarray:
        dom, langs = self._domains_and_langs(texts, domain, langs)
        unknown = sorted(set(dom.tolist()) - {self.domain, *self.domains_})
        if unknown:
            raise InputError(f"unknown domain {unknown[0]!r}; this model knows {[self.domain, *self.domains_]}")
        p = None
        if self.coef_ is not None:
            own = dom == self.domain
            lg = None
            if self.languages_ and own.any():
                lg = np.full(len(texts), None, dtype=object)
                given = langs if langs is None or isinstance(langs, str) else list(langs)
                if given is not None and not isinstance(given, str) and len(given) != len(texts):
                    raise DataError(f"{len(texts)} texts but {len(given)} language tags")
                idx = np.flatnonzero(own)
                lg[idx] = self._langs([texts[i] for i in idx], take_rows(given, idx))
            p = sigmoid(block_logit(standardise(Z, self.mean_, self.scale_), self._members(dom, lg), self.coef_,
                                    self.intercept_))
        if self.ngram_coef_ is not None:
            q = sigmoid(ngram_logit(_hasher(), texts, self.ngram_idf_, self.ngram_coef_, self.ngram_intercept_))
            p = q if p is None else (1 - self.ngram_weight) * p + self.ngram_weight * q
        return np.asarray(p, dtype=float)

    def _proba(self, texts: list[str], Z: np.ndarray | None, *, domain: Any = None, langs: Any = None) -> np.ndarray:
        p = self._p_claim(texts, Z, domain, langs)
        return np.column_stack([p, 1 - p])

    def predict_proba(self, X: Sequence[str], *, domain: str | Sequence[str] | None = None,
                      langs: str | Sequence[str | None] | None = None,
                      features: np.ndarray | None = None) -> np.ndarray:
        """``(n, 2)`` probabilities in the order of :attr:`classes_` (``claim``, ``rhetoric``).

        ``domain`` (one name, or one per sentence) picks the domain weights; ``langs``
        (one tag, or one per sentence) picks the language weights of a model with
        ``language_weights``; by default each sentence's language is detected.
        """
        return super().predict_proba(X, features=features, domain=domain, langs=langs)

    def decision_function(self, X: Sequence[str], *, domain: str | Sequence[str] | None = None,
                          langs: str | Sequence[str | None] | None = None,
                          features: np.ndarray | None = None) -> np.ndarray:
        """``P(claim) - threshold`` (the threshold of each row's domain and language,
        :meth:`threshold_for`): positive for claims."""
        texts = check_texts(X)
        dom, langs = self._domains_and_langs(texts, domain, langs)
        return (self.predict_proba(texts, domain=dom, langs=langs, features=features)[:, 0]
                - self._thresholds(dom, texts, langs))

    def predict(self, X: Sequence[str], *, domain: str | Sequence[str] | None = None,
                langs: str | Sequence[str | None] | None = None, features: np.ndarray | None = None) -> np.ndarray:
        """``"claim"`` or ``"rhetoric"`` per sentence (at the threshold of its domain and language)."""
        texts = check_texts(X)
        dom, langs = self._domains_and_langs(texts, domain, langs)
        return labels_at(self.predict_proba(texts, domain=dom, langs=langs, features=features)[:, 0],
                         self._thresholds(dom, texts, langs))

    # -- persistence ------------------------------------------------------------------------

    def _check_loaded(self, folder: Path) -> None:
        if list(self.classes_) != list(LABELS):
            raise ModelError(f"{folder}: a claims model's labels are {list(LABELS)}, the card says {list(self.classes_)}")
        self.domains_ = [str(d) for d in self.domains_]
        self.languages_ = [str(lg) for lg in self.languages_]
        self.intercept_ = float(self.intercept_)
        self.ngram_intercept_ = float(self.ngram_intercept_)
        if self.coef_ is not None and (self.mean_ is None or self.coef_.size != self.mean_.size * self._n_blocks()):
            raise ModelError(f"{folder}: coef has {self.coef_.size} weights, the card describes "
                             f"{0 if self.mean_ is None else self.mean_.size} features x {self._n_blocks()} blocks "
                             "(shared, domains, languages)")

    @classmethod
    def _legacy_card(cls, card: dict[str, Any]) -> dict[str, Any]:
        fitted = card.get("fitted")
        if isinstance(fitted, dict):
            fitted.setdefault("languages", [])  # cards written before language weights
        return card


def _check_y(y: Any, n: int) -> np.ndarray:
    yy = np.asarray([str(v) for v in y], dtype=object)
    if len(yy) != n:
        raise DataError(f"{n} texts but {len(yy)} labels")
    for i, v in enumerate(yy):
        if v not in LABELS:
            raise DataError(f"row {i}: label {v!r} is not claim/rhetoric (map labels first, e.g. OBJ=claim,SUBJ=rhetoric)")
    if len(set(yy.tolist())) < 2:
        raise DataError(f"training data has one class only ({yy[0]!r}); both claim and rhetoric are needed")
    return yy


# -- what a fact-checker needs --------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """A quantity in a sentence: kind, the matched text and offsets, and a parsed value."""

    kind: QuantityKind
    text: str
    start: int
    end: int
    value: float | None = None
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end,
                "value": self.value, "unit": self.unit}


@dataclass(frozen=True)
class Facts:
    """The quantities and organisations named in a sentence (offsets into it)."""

    quantities: list[Quantity] = field(default_factory=list)
    organisations: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def figures(self) -> list[Quantity]:
        """The quantities a fact-checker checks: percentages, money and counts, not dates
        (a date, and the year, month or day inside it, says when, not how much)."""
        return [q for q in self.quantities if q.kind != "date"]

    def to_dict(self) -> dict[str, Any]:
        return {"quantities": [q.to_dict() for q in self.quantities],
                "organisations": [{"text": t, "start": a, "end": b} for t, a, b in self.organisations]}


_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
          "trillion": 1e12, "hundred": 1e2, "万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
_UNIT = [("US dollar", r"US\$|USD|US dollars?|美元|\$"), ("yuan", r"yuan|RMB|CNY|元|人民币|块钱|¥|￥"),
         ("euro", r"€|euros?|欧元"), ("pound", r"£|pounds|英镑"), ("HK dollar", r"HK\$|港元|港币")]
_NUM_RE = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR_RE = re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")
_SCALE_RE = re.compile(r"\b(thousand|million|billion|trillion|bn|mn|k|m)\b|([万亿])", re.IGNORECASE)


_WORDS = {w: float(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())} | {
    "twenty": 20.0, "thirty": 30.0, "forty": 40.0, "fifty": 50.0, "hundred": 100.0, "thousand": 1e3,
    "million": 1e6, "billion": 1e9}


def _value(kind: str, text: str) -> tuple[float | None, str | None]:
    if kind == "date":  # the year it names, if any: its day, month or time is no quantity
        y = _YEAR_RE.search(text)
        return (float(y.group()), "year") if y else (None, None)
    m = _NUM_RE.search(text)
    if not m:
        return _WORDS.get(text.lower()), None
    raw = m.group()
    raw = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw) else raw.replace(",", ".")
    try:
        v = float(raw)
    except ValueError:
        return None, None
    sc = _SCALE_RE.search(text[m.end():])
    if sc and kind in ("money", "number"):
        v *= _SCALE[(sc.group(1) or sc.group(2)).lower()]
    if kind == "percent":
        return v, "percent"
    if kind == "money":
        unit = next((name for name, pat in _UNIT if re.search(pat, text, re.IGNORECASE)), None)
        return v, unit
    return v, None


def extract_facts(text: str, organisations: Sequence[Any] | None = None) -> Facts:
    """Quantities (percentages, money, dates, counts) and organisations named in ``text``
    (``organisations``: the text's mentions found already, e.g. by
    :meth:`~xhs_nlp.segment.organisations.OrganisationFinder.find_all` over its document,
    objects with ``text``, ``start`` and ``end``; default: the finder reads ``text`` alone).

    A date is one quantity of kind ``date`` (its value the year it names, if any): the
    day, month, year or time inside it (``2025年12月28日``, ``December 28, 2025``,
    ``2025-12-28 10:31``, ``March 2025``) are not numbers of their own, and
    :attr:`Facts.figures` leaves dates out.

    Example:
        >>> f = extract_facts("腾讯广告连续11个季度实现两位数增长，营收超过500亿元。")
        >>> [(q.kind, q.text, q.value) for q in f.quantities]
        [('number', '11个', 11.0), ('number', '两位', None), ('money', '500亿元', 50000000000.0)]
        >>> [o[0] for o in f.organisations]
        ['腾讯广告']
        >>> [(q.kind, q.text, q.value) for q in extract_facts("Updated 2025-12-28 10:31: sales rose 45%.").quantities]
        [('date', '2025-12-28 10:31', 2025.0), ('percent', '45%', 45.0)]
    """
    from .cues import find_cues

    qs = [Quantity(h.cue, h.text, h.start, h.end, *_value(h.cue, h.text))  # type: ignore[arg-type]
          for h in find_cues(text, ("money", "percent", "date", "number"))]
    found = find_cues(text, ("organisation",)) if organisations is None else organisations
    orgs = [(h.text, h.start, h.end) for h in found]
    return Facts(qs, orgs)


# -- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceClaim:
    """A sentence's label, ``P(claim)`` and (for claims) its facts.

    ``threshold`` is the threshold its label was drawn at: ``claim`` where ``p_claim``
    is above it (it depends on the sentence's prediction domain, hence its language).
    """

    text: str
    start: int
    end: int
    label: str | None
    p_claim: float | None
    facts: Facts | None = None
    #: why the sentence has no label (no letters), else ``None``
    reason: str | None = None
    #: the ``P(claim)`` threshold the label was drawn at (``None``: not classified)
    threshold: float | None = None

    def describe_p_claim(self, digits: int = 2) -> str:
        """``P(claim)`` beside its threshold, as a reader sees it.

        Example:
            >>> SentenceClaim("Sales rose 5%.", 0, 14, "claim", 0.62, threshold=0.44).describe_p_claim()
            'P(claim) 0.62 > 0.44'
        """
        if self.p_claim is None:
            return "P(claim) n/a (not classified)"
        if self.threshold is None:
            return f"P(claim) {self.p_claim:.{digits}f}"
        return f"P(claim) {self.p_claim:.{digits}f} {'>' if self.p_claim > self.threshold else '≤'} {self.threshold:.{digits}f}"

    def to_dict(self) -> dict[str, Any]:
        out = {"text": self.text, "start": self.start, "end": self.end, "label": self.label, "p_claim": self.p_claim,
               "threshold": self.threshold}
        if self.facts is not None:
            out["facts"] = self.facts.to_dict()
        if self.reason is not None:
            out["reason"] = self.reason
        return out


def classify_document(doc: Document, model: ClaimClassifier | str | os.PathLike[str] | None = None, *,
                      mentions: Sequence[tuple[int, Any]] | None = None) -> list[SentenceClaim]:
    """Label every body sentence of ``doc``; claims carry their quantities and organisations
    (the document's sentences read together by the organisation finder, as portrayal reads them).

    The result is aligned with ``doc.sentences`` (item ``i`` is sentence ``i``); offsets
    are into ``doc.text``. A sentence without letters (language ``und``: numbers,
    punctuation) gets no label (``label``/``p_claim`` ``None``, ``reason`` set); so does a
    sentence that is not part of the writing (``Sentence.not_writing``: a byline, a
    widget), so it counts in no claim share and no check-worthy list. Each result carries
    the ``threshold`` its label was drawn at. ``mentions``: the document's organisation
    mentions where they were found already (:func:`xhs_nlp.portrayal.find_mentions`, with
    the shipped table or your own: ``(sentence index, mention)``, offsets into
    ``doc.text``), so that they are not found again and the facts name what portrayal
    names; without them the shipped table's finder reads the sentences.

    Raises:
        InputError: the document has no sentences.
    """
    from .segment.not_writing import not_scored_reason

    clf = model if isinstance(model, ClaimClassifier) else ClaimClassifier.load(model)
    sents = doc.sentences
    if not sents:
        raise InputError("the document has no sentences to classify")
    out = [SentenceClaim(s.text, s.start, s.end, None, None, None,
                         NOT_SCORED if s.lang == "und" or s.not_writing is None else not_scored_reason(s.not_writing))
           for s in sents]
    ids = [i for i, s in enumerate(sents) if s.lang != "und" and s.not_writing is None]
    if ids:
        texts, langs = [sents[i].reading_text for i in ids], [sents[i].lang for i in ids]
        dom = clf.row_domains(texts, langs=langs)
        p = clf.predict_proba(texts, domain=dom, langs=langs)[:, 0]
        thresholds = clf._thresholds(dom, texts, langs)
        if mentions is None:  # read as one document: a short name it declares counts
            from .segment.organisations import default_finder

            mentions = default_finder().find_in(doc)
        by_sentence: dict[int, list[Any]] = {}
        for j, mn in mentions:
            by_sentence.setdefault(j, []).append(mn.shifted(-sents[j].start))
        found = [by_sentence.get(i, []) for i in ids]
        for i, pc, label, th, ms in zip(ids, p, labels_at(p, thresholds), thresholds, found):
            s = sents[i]
            out[i] = SentenceClaim(s.text, s.start, s.end, str(label), float(pc),
                                   extract_facts(s.text, ms) if label == "claim" else None, threshold=float(th))
    return out


# -- training ------------------------------------------------------------------------------------


def train_claims(
    data: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    label_map: dict[str, str] | str | None = None,
    domains: dict[str, str] | str | None = None,
    holdout_splits: Sequence[str] | str = ("dev_test", "test"),
    tune_threshold: bool = True,
    folds: int = 5,
    seed: int = 0,
    check: Sequence[str | os.PathLike[str]] = (),
    cache: str | os.PathLike[str] | None = None,
    verbose: bool = True,
    **params: Any,
) -> ClaimClassifier:
    """Train a :class:`ClaimClassifier` on labelled corpora; write it to ``out`` only on success.

    Rows are deduplicated (lower-cased text without punctuation; a text with
    conflicting labels is dropped), rows of ``holdout_splits`` are held out and
    reported, training rows that copy a held-out row are dropped, and
    cross-validation is grouped by normalised text and by unit (an editorial's
    argument units, an event's sentences: :func:`~xhs_nlp.labelled.cv_unit`) so
    neither copies nor one article's sentences straddle folds. A label mapped to
    ``-`` drops the row (e.g. Webis ``other=-``).

    Args:
        data: JSONL/CSV/Parquet files with ``text``, ``label`` and optionally ``lang``,
            ``split``, ``domain``.
        out: model folder to write (nothing is written if training fails).
        label_map: e.g. ``"OBJ=claim,SUBJ=rhetoric,CFS=claim,UFS=claim,NFS=rhetoric"``.
        domains: corpus (folder) name → domain, e.g. ``{"claimbuster": "speech"}`` (or
            ``"claimbuster=speech"``); rows without a ``domain`` field and unmapped
            corpora are ``news``.
        holdout_splits: splits never trained on, reported in the card (or ``"dev_test,test"``);
            ``CORPUS:SPLIT`` holds out one corpus's split (``webis_editorials16_en:dev``).
        tune_threshold: choose the thresholds on the cross-validated predictions
            (:func:`tune_domain_thresholds`: the reference domain's by the mean
            per-language macro-F1 of its rows, every other domain's by its rows' macro-F1, and
            in a domain of several languages one per language).
        folds: cross-validation folds.
        seed: the seed of folds and solvers.
        check: labelled files never trained on, scored after training and recorded
            in the card (e.g. the annotated forum post).
        cache: a folder that keeps the encoder's features between runs
            (:class:`~xhs_nlp.encoder.FeatureBank`).
        **params: :class:`ClaimClassifier` hyper-parameters (``predict_domain`` may be
            given as ``"zh=news,*=editorial"``).

    Raises:
        DataError: missing fields, unknown labels, empty texts or one class (the row
            or field is named).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    t0 = time.perf_counter()
    log = _log.info if verbose else (lambda *a: None)  # the command line shows INFO on stderr
    paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    if not paths:
        raise DataError("no training data given")
    lm = parse_label_map(label_map)
    dmap = parse_label_map(domains)
    if isinstance(holdout_splits, str):
        holdout_splits = tuple(x.strip() for x in holdout_splits.split(",") if x.strip())
    if "predict_domain" in params:  # "zh=news,*=editorial" from the command line
        params["predict_domain"] = parse_predict_domain(params["predict_domain"])
    clf = ClaimClassifier(random_state=seed, **params)
    clf._validate_hyperparameters()
    rows, sources = [], []
    for path in paths:
        rs = read_claim_rows([path], lm, dmap)
        rows += rs
        sources.append(source_record(path, len(rs)))
    train, held, stats = split_rows(rows, holdout_splits)
    log(f"claims: {stats['rows']} training rows -> {stats['deduplicated']} after dedup/conflicts -> {len(train)} "
        f"after dropping copies of {len(held)} held-out rows")
    texts = [r.text for r in train]
    y = np.array([r.label for r in train], dtype=object)
    _check_y(y, len(y))
    langs = np.array([r.lang for r in train], dtype=object)
    corpora = np.array([r.corpus for r in train])
    dom = np.array([r.domain for r in train], dtype=object)
    missing = untrained_predict_domains(clf.predict_domain, [*dom.tolist(), clf.domain])
    if missing:
        raise DataError(f"predict_domain names {missing}, but no training row is of that domain "
                        f"(the rows' domains: {sorted(set(dom.tolist()))}; set them with --domains)")
    Z = None
    if clf._needs_features():
        if clf._reads_encoder():
            log(f"claims: encoding {len(texts)} training sentences with {clf.shared_encoder().name} "
                f"({len(held)} held-out ones after training)")
        Z = clf.features(texts, progress=verbose, cache=cache)
    strata = np.array([f"{a}-{b}" for a, b in zip(y, corpora)])
    splits = list(StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(
        texts, strata, cv_groups(texts, [cv_unit(r) for r in train])))
    oof = clf.out_of_fold(texts, y, splits, features=Z, fit_params={"domains": dom, "langs": langs},
                          predict_params={"domain": dom, "langs": langs},
                          on_fold=lambda k: log(f"claims: fold {k + 1}/{folds} done ({time.perf_counter() - t0:.0f} s)"))[:, 0]
    if tune_threshold:
        clf.threshold, clf.domain_thresholds = tune_domain_thresholds(oof, y, dom, langs, clf.domain, clf.threshold)
        log(f"claims: threshold {clf.threshold:.2f} (mean per-language macro-F1 of CV predictions on {clf.domain} "
            "rows)" + "".join(f", {d} {t:.2f}" for d, t in (clf.domain_thresholds or {}).items()))
    pred = labels_at(oof, clf._thresholds(dom, texts, langs))
    masks = {"all": np.ones(len(y), bool), **{f"lang:{lg}": langs == lg for lg in sorted(set(langs.tolist()))},
             **{f"corpus:{c}": corpora == c for c in sorted(set(corpora.tolist()))},
             **{f"{c}:{lg}": (corpora == c) & (langs == lg)
                for c in sorted(set(corpora.tolist())) for lg in sorted(set(langs.tolist()))}}
    cv_metrics = reports_by(y, pred, LABELS, masks)
    clf.fit(texts, y, domains=dom, langs=langs, features=Z)
    card: dict[str, Any] = {
        "name": "xhs_nlp claim-vs-rhetoric classifier",
        "task": "sentence: claim (checkable statement of fact) vs rhetoric (opinion, evaluation, prediction, "
                "prescription, metaphor, question)",
        "training_data": sources,
        "label_map": lm,
        "domains": {"predict": clf.domain, "extra": list(clf.domains_), "corpus_map": dmap},
        "training_rows": len(train),
        "held_out_rows": len(held),
        "seed": seed,
        "threshold_tuned": bool(tune_threshold),
        "thresholds": "news: mean per-language macro-F1 of the cross-validated predictions of its rows; every other "
                      "domain: macro-F1 of its rows' cross-validated predictions, and in a domain of several "
                      f"languages one per language of at least {MIN_LANGUAGE_ROWS} rows (DOMAIN:LANG)"
                      if tune_threshold else "given",
        "metrics": {"cross_validated": cv_metrics,
                    "cv": f"{folds}-fold StratifiedGroupKFold (groups: normalised text and unit, e.g. an editorial's "
                          "argument units or an event's sentences; strata: label x corpus); each row predicted with "
                          "the weights and threshold of its own domain",
                    "held_out_domain": "each row's own domain"},
    }
    if held:
        htexts = [r.text for r in held]
        known = {clf.domain, *clf.domains_}
        hpred = clf.predict(htexts, langs=[r.lang for r in held],
                            domain=[r.domain if r.domain in known else clf._default_domain(r.lang) for r in held],
                            features=clf.features(htexts, cache=cache) if clf._needs_features() else None)
        hy = np.array([r.label for r in held], dtype=object)
        hl = np.array([f"{r.corpus}:{r.lang}" for r in held])
        card["metrics"]["held_out"] = reports_by(hy, hpred, LABELS, {k: hl == k for k in sorted(set(hl.tolist()))})
    if check:
        crows: list[tuple[LabelledRow, str]] = []
        csources = []
        for path in check:  # reported per file name
            rs = read_claim_rows([path], lm, dmap)
            crows += [(r, Path(path).name) for r in rs]
            csources.append(source_record(path, len(rs)))
        cy = np.array([r.label for r, _ in crows], dtype=object)
        cpred = clf.predict([r.text for r, _ in crows], langs=[r.lang for r, _ in crows])
        cn = np.array([name for _, name in crows])
        card["metrics"]["check"] = reports_by(cy, cpred, LABELS, {k: cn == k for k in sorted(set(cn.tolist()))})
        for k, rep in card["metrics"]["check"].items():  # over- or under-calling, at a glance
            rep["predicted_claims"] = int((cpred[cn == k] == "claim").sum())
            rep["annotated_claims"] = int((cy[cn == k] == "claim").sum())
        card["metrics"]["check_domain"] = clf.predict_domain or clf.domain
        card["check_data"] = csources
    card["training_seconds"] = round(time.perf_counter() - t0, 1)
    clf.card_ = card
    clf.cv_predictions_ = {"text": texts, "label": y.tolist(), "lang": langs.tolist(), "corpus": corpora.tolist(),
                           "domain": dom.tolist(), "p_claim": oof}
    log("claims: cross-validated macro-F1 " + ", ".join(f"{k} {v['macro_f1']:.3f}" for k, v in cv_metrics.items()))
    for key in ("held_out", "check"):
        if key in card["metrics"]:
            log(f"claims: {key} macro-F1 " + ", ".join(f"{k} {v['macro_f1']:.3f}" for k, v in card["metrics"][key].items()))
    if out is not None:
        clf.save(out)
        clf.path_ = Path(out)
        log(f"claims: saved to {out} ({card['training_seconds']:.0f} s)")
    return clf


def tune_domain_thresholds(p_claim: np.ndarray, y: np.ndarray, domains: np.ndarray, langs: np.ndarray,
                           reference: str = "news", default: float = 0.5,
                           min_language_rows: int = MIN_LANGUAGE_ROWS) -> tuple[float, dict[str, float] | None]:
    """The thresholds :func:`train_claims` tunes on cross-validated ``P(claim)``: the
    reference domain's maximises the mean per-language macro-F1 of its rows (``default``
    when it has none), every other domain's the macro-F1 of its rows; a domain with rows
    in several languages also gets one threshold per language that has at least
    ``min_language_rows`` rows (key ``"DOMAIN:LANG"``, the macro-F1 of that language's
    rows): the op-ed reading corpus's Chinese sentences are called claims at a lower
    ``P(claim)`` than its English ones. Returns ``(threshold, domain_thresholds)``.

    Example:
        >>> p = np.array([0.9, 0.7, 0.3, 0.2, 0.8, 0.7, 0.5, 0.3, 0.5, 0.4, 0.2, 0.1])
        >>> y = np.array(["claim", "claim", "rhetoric", "rhetoric"] * 3)
        >>> dom = np.array(["news"] * 4 + ["oped"] * 8)
        >>> langs = np.array(["en"] * 8 + ["zh"] * 4)
        >>> t, dt = tune_domain_thresholds(p, y, dom, langs, min_language_rows=4)
        >>> sorted(dt)
        ['oped', 'oped:en', 'oped:zh']
        >>> dt["oped:zh"] < dt["oped:en"]
        True
    """
    y, dom, langs = np.asarray(y, dtype=object), np.asarray(domains, dtype=object), np.asarray(langs, dtype=object)
    ref = dom == reference
    per_domain: dict[str, float] = {}
    for d in sorted(set(dom.tolist()) - {reference}):
        rows = dom == d
        per_domain[d] = tune_threshold_(p_claim[rows], y[rows] == "claim")
        tags = sorted({str(lg) for lg in langs[rows].tolist() if lg})
        if len(tags) > 1:
            for lg in tags:
                own = rows & (langs == lg)
                if own.sum() >= min_language_rows and len(set(y[own].tolist())) == 2:
                    per_domain[f"{d}:{lg}"] = tune_threshold_(p_claim[own], y[own] == "claim")
    return (tune_threshold_(p_claim[ref], y[ref] == "claim", langs[ref]) if ref.any() else float(default),
            per_domain or None)


def read_claim_rows(paths: Sequence[Any], label_map: dict[str, str] | str | None = None,
                    domains: dict[str, str] | None = None) -> list[LabelledRow]:
    """Checked claim/rhetoric rows of ``paths`` (labels renamed by ``label_map``; the
    domain from the row, else ``domains[corpus]``, else ``news``)."""
    return read_labelled(paths, label_map=label_map, labels=LABELS, domains=domains, default_domain="news",
                         label_hint=" (e.g. --label-map OBJ=claim,SUBJ=rhetoric)")


def split_rows(rows: list[LabelledRow], holdout_splits: Sequence[str]) -> tuple[list[LabelledRow], list[LabelledRow],
                                                                                 dict[str, int]]:
    """Held-out rows; training rows deduplicated within each domain (conflicting labels
    dropped) and cleared of copies of held-out rows.

    Copies of one text in two domains are both kept, each with its own label: a domain
    keeps its annotators' convention (ECOB-ZH's news commentary and the op-ed reading
    corpus label some of the same Chinese sentences differently), and cross-validation
    keeps copies of a text in one fold. A holdout entry is a split name (``dev_test``:
    that split of every corpus) or ``CORPUS:SPLIT`` (``webis_editorials16_en:dev``: that
    corpus's split only)."""
    def is_held(r: LabelledRow) -> bool:
        return r.split in holdout_splits or f"{r.corpus}:{r.split}" in holdout_splits

    held = [r for r in rows if is_held(r)]
    train_all = [r for r in rows if not is_held(r)]
    kept = {id(r) for d in dict.fromkeys(r.domain for r in train_all)
            for r in dedupe([r for r in train_all if r.domain == d], label=lambda r: r.label)}
    train = [r for r in train_all if id(r) in kept]
    n_dedup = len(train)
    train = drop_held_out_copies(train, held) if held else train
    return train, held, {"rows": len(train_all), "deduplicated": n_dedup}
