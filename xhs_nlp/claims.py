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
sentences (CheckThat!) and debate speech (ClaimBuster) draw the line between fact and
opinion in different places, so every domain other than ``domain`` gets its own copy of
the weights on top of the shared ones (Daumé's "frustratingly easy" domain adaptation);
predictions use the shared weights plus those of ``domain`` (default ``"news"``).

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

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ._corpora import corpus_name, dedupe, drop_held_out_copies, fit_idf, source_record, sublinear_tf, text_groups, tfidf
from .errors import DataError, InputError, ModelError
from .persist import load_model_folder, save_model_folder

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
    "DEFAULT_MODEL_DIR",
    "LABELS",
]

LABELS = ("claim", "rhetoric")
KIND = "claims"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "claims"
QuantityKind = Literal["percent", "money", "date", "number"]


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


def _hashed(texts: Sequence[str]):
    from sklearn.feature_extraction.text import HashingVectorizer

    hv = HashingVectorizer(analyzer=_ngram_analyzer, n_features=_HASH_FEATURES, alternate_sign=False, norm=None)
    return sublinear_tf(hv, texts)


def _labels(p_claim: np.ndarray, threshold: float) -> np.ndarray:
    """``"claim"`` where ``P(claim) > threshold``, else ``"rhetoric"``."""
    return np.where(np.asarray(p_claim) > float(threshold), "claim", "rhetoric")


def _tune_threshold(p_claim: np.ndarray, y: np.ndarray, langs: np.ndarray) -> float:
    """The threshold in 0.30…0.70 (step 0.01) that maximises the mean per-language
    macro-F1 of ``p_claim`` against ``y``; ties go to the one nearest 0.5."""
    from sklearn.metrics import f1_score

    masks = [langs == lg for lg in sorted(set(langs.tolist()))]

    def score(th: float) -> float:
        return float(np.mean([f1_score(y[m], _labels(p_claim[m], th), average="macro") for m in masks]))

    grid = np.round(np.arange(0.30, 0.705, 0.01), 2)
    return float(max(grid, key=lambda th: (score(th), -abs(th - 0.5))))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


class ClaimClassifier(ClassifierMixin, BaseEstimator):
    """Sentence classifier: ``claim`` (checkable statement) or ``rhetoric``.

    A scikit-learn estimator: works in ``Pipeline``, ``GridSearchCV``,
    ``cross_validate`` and ``clone``. ``X`` is a sequence of sentences.

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
        domain: the domain predictions are made for; training rows of other
            domains get domain-specific weights (see the module docstring).
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
        domain: str = "news",
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
        self.domain = domain
        self.language_weights = language_weights
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    # -- sklearn plumbing -------------------------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = False
        return tags

    def _check_params(self) -> None:
        if not (self.embeddings or self.cues or self.ngrams):
            raise InputError("ClaimClassifier needs at least one of embeddings, cues, ngrams")
        if not 0.0 <= float(self.threshold) <= 1.0:
            raise InputError(f"threshold must be in [0, 1], got {self.threshold}")
        if not 0.0 <= float(self.ngram_weight) <= 1.0:
            raise InputError(f"ngram_weight must be in [0, 1], got {self.ngram_weight}")

    def _layer_list(self) -> list[int] | None:
        if self.layers is None:
            return None
        return [int(self.layers)] if isinstance(self.layers, (int, np.integer)) else [int(x) for x in self.layers]

    # -- features ------------------------------------------------------------------------

    def _encoder(self):
        from .encoder import get_encoder

        return get_encoder(self.encoder)

    def _dense(self, texts: list[str], emb: np.ndarray | None = None) -> np.ndarray | None:
        """The dense block (embeddings and/or cue counts), before standardising."""
        parts = []
        if self.embeddings:
            if emb is None:
                from .encoder import layer_features

                emb = layer_features(self._encoder(), texts, self._layer_list(),
                                     trained_on=getattr(self, "encoder_fingerprint_", None), what="claim classifier")
            parts.append(np.asarray(emb, dtype=np.float32))
        if self.cues:
            from .cues import CLAIM_CUES, cue_counts

            parts.append(cue_counts(texts, CLAIM_CUES))
        return np.hstack(parts) if parts else None

    def _augment(self, Z: np.ndarray, domains: np.ndarray | Sequence[str],
                 langs: np.ndarray | None = None) -> np.ndarray:
        """Shared block, one copy per extra domain (zero except in that domain's rows)
        and one per language of :attr:`languages_` (zero except in that language's rows
        of ``domain``)."""
        extra = list(getattr(self, "domains_", []))
        languages = list(getattr(self, "languages_", []))
        if not extra and not languages:
            return Z
        d = np.asarray(domains)
        blocks = [Z] + [Z * (d == name)[:, None] for name in extra]
        if languages:
            own = d == self.domain
            tags = np.asarray(langs, dtype=object) if langs is not None else np.full(len(d), None, dtype=object)
            blocks += [Z * (own & (tags == lg))[:, None] for lg in languages]
        return np.hstack(blocks)

    @staticmethod
    def _langs(texts: list[str], langs: str | Sequence[str | None] | None) -> np.ndarray:
        """One language tag per text: given (a string for all, or one per text; a
        missing one is detected) or detected."""
        from .segment.language import detect_lang

        if langs is None:
            return np.array([detect_lang(t) for t in texts], dtype=object)
        if isinstance(langs, str):
            return np.full(len(texts), langs, dtype=object)
        out = list(langs)
        if len(out) != len(texts):
            raise DataError(f"{len(texts)} texts but {len(out)} language tags")
        return np.array([str(lg) if lg else detect_lang(t) for t, lg in zip(texts, out)], dtype=object)

    def _n_blocks(self) -> int:
        return 1 + len(getattr(self, "domains_", [])) + len(getattr(self, "languages_", []))

    # -- fit / predict -----------------------------------------------------------------------

    def fit(self, X: Sequence[str], y: Sequence[str], *, domains: Sequence[str] | None = None,
            langs: str | Sequence[str | None] | None = None, sample_weight: Sequence[float] | None = None,
            _embeddings: np.ndarray | None = None) -> ClaimClassifier:
        """Fit on sentences ``X`` labelled ``claim``/``rhetoric``.

        Args:
            X: sentences.
            y: ``"claim"`` or ``"rhetoric"`` per sentence.
            domains: optional domain per sentence (default: all ``domain``).
            langs: language tag per sentence, read when ``language_weights``
                (default: detected).
            sample_weight: optional weight per sentence.

        Raises:
            DataError: an empty text, a label other than claim/rhetoric (the row is
                named), only one class, or lengths that do not match.
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        self._check_params()
        texts = _check_X(X)
        yy = _check_y(y, len(texts))
        if domains is None:
            dom = np.full(len(texts), self.domain, dtype=object)
        else:
            dom = np.asarray([str(d) for d in domains], dtype=object)
            if len(dom) != len(texts):
                raise DataError(f"{len(texts)} texts but {len(dom)} domains")
        sw = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.classes_ = np.array(LABELS)
        target = (yy == "claim").astype(int)
        self.domains_ = sorted(set(dom.tolist()) - {self.domain})
        lg = self._langs(texts, langs) if self.language_weights else None
        self.languages_ = sorted(set(lg[dom == self.domain].tolist())) if lg is not None else []
        Z = self._dense(texts, _embeddings)
        self.mean_ = self.scale_ = self.coef_ = self.intercept_ = None
        if Z is not None:
            sc = StandardScaler().fit(Z, sample_weight=sw)
            self.mean_ = sc.mean_.astype(np.float32)
            self.scale_ = sc.scale_.astype(np.float32)
            Za = self._augment(((Z - self.mean_) / self.scale_).astype(np.float32), dom, lg)
            lr = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight,
                                    random_state=self.random_state).fit(Za, target, sample_weight=sw)
            self.coef_ = lr.coef_.ravel().astype(np.float32)
            self.intercept_ = float(lr.intercept_[0])
        self.ngram_idf_ = self.ngram_coef_ = None
        self.ngram_intercept_ = 0.0
        if self.ngrams:
            H = _hashed(texts)
            self.ngram_idf_ = fit_idf(H, _HASH_FEATURES)
            lr = LogisticRegression(C=self.ngram_C, max_iter=self.max_iter, class_weight=self.class_weight,
                                    random_state=self.random_state).fit(tfidf(H, self.ngram_idf_), target, sample_weight=sw)
            self.ngram_coef_ = lr.coef_.ravel().astype(np.float32)
            self.ngram_intercept_ = float(lr.intercept_[0])
        return self

    def _p_claim(self, texts: list[str], domain: str | None = None, _embeddings: np.ndarray | None = None,
                 langs: str | Sequence[str | None] | None = None) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "classes_")
        dom = self.domain if domain is None else domain
        if dom != self.domain and dom not in self.domains_:
            raise InputError(f"unknown domain {dom!r}; this model knows {[self.domain, *self.domains_]}")
        p = None
        if self.coef_ is not None:
            Z = self._dense(texts, _embeddings)
            Zs = ((Z - self.mean_) / self.scale_).astype(np.float32)
            lg = self._langs(texts, langs) if getattr(self, "languages_", []) and dom == self.domain else None
            Za = self._augment(Zs, np.full(len(texts), dom, dtype=object), lg)
            p = _sigmoid(Za @ self.coef_ + self.intercept_)
        if self.ngram_coef_ is not None:
            q = _sigmoid(tfidf(_hashed(texts), self.ngram_idf_) @ self.ngram_coef_ + self.ngram_intercept_)
            q = np.asarray(q).ravel()
            p = q if p is None else (1 - self.ngram_weight) * p + self.ngram_weight * q
        return np.asarray(p, dtype=float)

    def predict_proba(self, X: Sequence[str], *, domain: str | None = None,
                      langs: str | Sequence[str | None] | None = None) -> np.ndarray:
        """``(n, 2)`` probabilities in the order of :attr:`classes_` (``claim``, ``rhetoric``).

        ``langs`` (one tag, or one per sentence) picks the language weights of a model
        with ``language_weights``; by default each sentence's language is detected.
        """
        p = self._p_claim(_check_X(X), domain, langs=langs)
        return np.column_stack([p, 1 - p])

    def decision_function(self, X: Sequence[str], *, domain: str | None = None,
                          langs: str | Sequence[str | None] | None = None) -> np.ndarray:
        """``P(claim) - threshold``: positive for claims."""
        return self._p_claim(_check_X(X), domain, langs=langs) - float(self.threshold)

    def predict(self, X: Sequence[str], *, domain: str | None = None,
                langs: str | Sequence[str | None] | None = None) -> np.ndarray:
        """``"claim"`` or ``"rhetoric"`` per sentence."""
        return _labels(self._p_claim(_check_X(X), domain, langs=langs), self.threshold)

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str], *, card: dict[str, Any] | None = None) -> Path:
        """Write a model folder: ``card.json`` (hyper-parameters, training data, metrics,
        versions) and ``weights.safetensors`` (arrays only; loading runs no code)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "classes_")
        arrays: dict[str, np.ndarray] = {}
        for name in ("mean_", "scale_", "coef_", "ngram_idf_", "ngram_coef_"):
            v = getattr(self, name)
            if v is not None:
                arrays[name.rstrip("_")] = np.asarray(v, dtype=np.float32)
        full = dict(card if card is not None else getattr(self, "card_", {}))
        params = self.get_params()
        if params["layers"] is not None:
            params["layers"] = self._layer_list()
        full.update(
            kind=KIND,
            labels=list(LABELS),
            hyperparameters=params,
            fitted={"domains": list(self.domains_), "languages": list(self.languages_), "intercept": self.intercept_,
                    "ngram_intercept": self.ngram_intercept_, "arrays": sorted(arrays)},
        )
        if self.embeddings:
            enc = self._encoder()
            full.setdefault("encoder", {"name": enc.name, "fingerprint": enc.fingerprint, "precision": enc.precision,
                                        **{k: enc.info.get(k) for k in ("source_package", "source_sha256")}})
        return save_model_folder(path, full, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> ClaimClassifier:
        """Load a model folder (default: the model shipped in ``models/claims``).

        Raises:
            ModelError: missing, damaged or tampered folder, or not a claims model.
        """
        folder = Path(path) if path is not None else DEFAULT_MODEL_DIR
        card, arrays = load_model_folder(folder, kind=KIND)
        try:
            clf = cls(**card["hyperparameters"])
            fitted = card["fitted"]
            clf.classes_ = np.array(LABELS)
            clf.domains_ = list(fitted["domains"])
            clf.languages_ = [str(lg) for lg in fitted.get("languages", [])]
            clf.intercept_ = fitted["intercept"]
            clf.ngram_intercept_ = float(fitted["ngram_intercept"])
            for name in ("mean", "scale", "coef", "ngram_idf", "ngram_coef"):
                setattr(clf, name + "_", arrays.get(name))
            if name_missing := [n for n in fitted["arrays"] if n not in arrays]:
                raise ModelError(f"{folder}: weights lack arrays {name_missing}")
            if clf.coef_ is not None and (clf.mean_ is None or clf.coef_.size != clf.mean_.size * clf._n_blocks()):
                raise ModelError(f"{folder}: coef has {clf.coef_.size} weights, the card describes "
                                 f"{0 if clf.mean_ is None else clf.mean_.size} features x {clf._n_blocks()} blocks "
                                 "(shared, domains, languages)")
        except (KeyError, TypeError) as err:
            raise ModelError(f"{folder}: the card does not describe a claim classifier ({err})") from None
        clf.card_ = card
        clf.encoder_fingerprint_ = card.get("encoder", {}).get("fingerprint")
        clf.path_ = folder
        return clf


def _check_X(X: Any) -> list[str]:
    if isinstance(X, str):
        raise DataError("X must be a list of sentences, not one string")
    try:
        texts = list(X)
    except TypeError:
        raise DataError(f"X must be a list of sentences, got {type(X).__name__}") from None
    if not texts:
        raise DataError("no sentences given")
    for i, t in enumerate(texts):
        if isinstance(t, np.ndarray) and t.ndim == 1 and t.size == 1:
            t = texts[i] = t[0]  # a column of a 2-d array of texts
        if not isinstance(t, str):
            raise DataError(f"row {i}: text is {type(t).__name__}, not a string")
        if not t.strip():
            raise DataError(f"row {i}: text is empty")
    return texts


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

    def to_dict(self) -> dict[str, Any]:
        return {"quantities": [q.to_dict() for q in self.quantities],
                "organisations": [{"text": t, "start": a, "end": b} for t, a, b in self.organisations]}


_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
          "trillion": 1e12, "hundred": 1e2, "万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
_UNIT = [("US dollar", r"US\$|USD|US dollars?|美元|\$"), ("yuan", r"yuan|RMB|CNY|元|人民币|块钱|¥|￥"),
         ("euro", r"€|euros?|欧元"), ("pound", r"£|pounds|英镑"), ("HK dollar", r"HK\$|港元|港币")]
_NUM_RE = re.compile(r"\d+(?:[.,]\d+)*")
_SCALE_RE = re.compile(r"\b(thousand|million|billion|trillion|bn|mn|k|m)\b|([万亿])", re.IGNORECASE)


_WORDS = {w: float(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())} | {
    "twenty": 20.0, "thirty": 30.0, "forty": 40.0, "fifty": 50.0, "hundred": 100.0, "thousand": 1e3,
    "million": 1e6, "billion": 1e9}


def _value(kind: str, text: str) -> tuple[float | None, str | None]:
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
    if kind == "date":
        return (v, "year") if re.fullmatch(r"(?:1[89]|20)\d{2}", raw) else (None, None)
    return v, None


def extract_facts(text: str) -> Facts:
    """Quantities (percentages, money, dates, counts) and organisations named in ``text``.

    Example:
        >>> f = extract_facts("腾讯广告连续11个季度实现两位数增长，营收超过500亿元。")
        >>> [(q.kind, q.text, q.value) for q in f.quantities]
        [('number', '11个', 11.0), ('number', '两位', None), ('money', '500亿元', 50000000000.0)]
        >>> [o[0] for o in f.organisations]
        ['腾讯广告']
    """
    from .cues import find_cues

    qs = [Quantity(h.cue, h.text, h.start, h.end, *_value(h.cue, h.text))  # type: ignore[arg-type]
          for h in find_cues(text, ("money", "percent", "date", "number"))]
    orgs = [(h.text, h.start, h.end) for h in find_cues(text, ("organisation",))]
    return Facts(qs, orgs)


# -- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceClaim:
    """A sentence's label, ``P(claim)`` and (for claims) its facts."""

    text: str
    start: int
    end: int
    label: str
    p_claim: float
    facts: Facts | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"text": self.text, "start": self.start, "end": self.end, "label": self.label, "p_claim": self.p_claim}
        if self.facts is not None:
            out["facts"] = self.facts.to_dict()
        return out


def classify_document(doc: Document, model: ClaimClassifier | str | os.PathLike[str] | None = None) -> list[SentenceClaim]:
    """Label every body sentence of ``doc``; claims carry their quantities and organisations.

    Offsets are into ``doc.text``.

    Raises:
        InputError: the document has no sentences.
    """
    clf = model if isinstance(model, ClaimClassifier) else ClaimClassifier.load(model)
    sents = doc.sentences
    if not sents:
        raise InputError("the document has no sentences to classify")
    p = clf._p_claim([s.text for s in sents], langs=[s.lang for s in sents])
    out = []
    for s, pc, label in zip(sents, p, _labels(p, clf.threshold)):
        out.append(SentenceClaim(s.text, s.start, s.end, str(label), float(pc), extract_facts(s.text) if label == "claim" else None))
    return out


# -- training ------------------------------------------------------------------------------------


def train_claims(
    data: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    label_map: dict[str, str] | str | None = None,
    domains: dict[str, str] | None = None,
    holdout_splits: Sequence[str] = ("dev_test", "test"),
    tune_threshold: bool = True,
    folds: int = 5,
    seed: int = 0,
    check: Sequence[str | os.PathLike[str]] = (),
    verbose: bool = True,
    **params: Any,
) -> ClaimClassifier:
    """Train a :class:`ClaimClassifier` on labelled corpora; write it to ``out`` only on success.

    Rows are deduplicated (lower-cased text without punctuation; a text with
    conflicting labels is dropped), rows of ``holdout_splits`` are held out and
    reported, training rows that copy a held-out row are dropped, and
    cross-validation is grouped by normalised text so copies never straddle folds.

    Args:
        data: JSONL/CSV/Parquet files with ``text``, ``label`` and optionally ``lang``,
            ``split``, ``domain``.
        out: model folder to write (nothing is written if training fails).
        label_map: e.g. ``"OBJ=claim,SUBJ=rhetoric,CFS=claim,UFS=claim,NFS=rhetoric"``.
        domains: corpus (folder) name → domain, e.g. ``{"claimbuster": "speech"}``;
            rows without a ``domain`` field and unmapped corpora are ``news``.
        holdout_splits: splits never trained on, reported in the card.
        tune_threshold: choose the threshold that maximises the mean per-language
            macro-F1 of the cross-validated predictions (news domain).
        folds: cross-validation folds.
        seed: the seed of folds and solvers.
        check: labelled files never trained on, scored after training and recorded
            in the card (e.g. the annotated forum post).
        **params: :class:`ClaimClassifier` hyper-parameters.

    Raises:
        DataError: missing fields, unknown labels, empty texts or one class (the row
            or field is named).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    from .evaluate import parse_label_map

    t0 = time.perf_counter()
    log = (lambda *a: print(*a, flush=True)) if verbose else (lambda *a: None)
    paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    if not paths:
        raise DataError("no training data given")
    lm = parse_label_map(label_map)
    dmap = dict(domains or {})
    clf = ClaimClassifier(random_state=seed, **params)
    clf._check_params()
    rows, sources = _load_rows(paths, lm, dmap)
    train, held, stats = _split_rows(rows, holdout_splits)
    log(f"claims: {stats['rows']} training rows -> {stats['deduplicated']} after dedup/conflicts -> {len(train)} "
        f"after dropping copies of {len(held)} held-out rows")
    texts = [r[0] for r in train]
    y = np.array([r[1] for r in train], dtype=object)
    _check_y(y, len(y))
    langs = np.array([r[2] for r in train])
    corpora = np.array([r[4] for r in train])
    dom = np.array([r[5] for r in train], dtype=object)
    emb = None
    if clf.embeddings:
        from .encoder import layer_features

        enc = clf._encoder()
        log(f"claims: encoding {len(texts)} training sentences with {enc.name} ({len(held)} held-out ones after training)")
        emb = layer_features(enc, texts, clf._layer_list(), progress=verbose)
    groups = text_groups(texts)
    strata = np.array([f"{a}-{b}" for a, b in zip(y, corpora)])
    oof = np.zeros(len(texts))
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (a, b) in enumerate(cv.split(texts, strata, groups)):
        m = ClaimClassifier(**clf.get_params()).fit([texts[i] for i in a], y[a], domains=dom[a], langs=langs[a],
                                                    _embeddings=None if emb is None else emb[a])
        for d in set(dom[b].tolist()):
            idx = b[dom[b] == d]
            oof[idx] = m._p_claim([texts[i] for i in idx], d, None if emb is None else emb[idx], langs=langs[idx])
        log(f"claims: fold {k + 1}/{folds} done ({time.perf_counter() - t0:.0f} s)")
    if tune_threshold:
        news = dom == clf.domain
        clf.threshold = _tune_threshold(oof[news], y[news], langs[news])
        log(f"claims: threshold {clf.threshold:.2f} (mean per-language macro-F1 of CV predictions)")
    pred = _labels(oof, clf.threshold)
    cv_metrics = _metrics_by(y, pred, {"all": np.ones(len(y), bool),
                                       **{f"lang:{lg}": langs == lg for lg in sorted(set(langs.tolist()))},
                                       **{f"corpus:{c}": corpora == c for c in sorted(set(corpora.tolist()))},
                                       **{f"{c}:{lg}": (corpora == c) & (langs == lg)
                                          for c in sorted(set(corpora.tolist())) for lg in sorted(set(langs.tolist()))}})
    clf.fit(texts, y, domains=dom, langs=langs, _embeddings=emb)
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
        "metrics": {"cross_validated": cv_metrics,
                    "cv": f"{folds}-fold StratifiedGroupKFold (groups: normalised text; strata: label x corpus); "
                          "each row predicted with the weights of its own domain"},
    }
    if held:
        hp = clf._p_claim([r[0] for r in held], langs=[r[2] for r in held])
        hy = np.array([r[1] for r in held], dtype=object)
        hpred = _labels(hp, clf.threshold)
        hl = np.array([f"{r[4]}:{r[2]}" for r in held])
        card["metrics"]["held_out"] = _metrics_by(hy, hpred, {k: hl == k for k in sorted(set(hl.tolist()))})
    if check:
        crows, csources = [], []
        for path in check:  # reported per file name
            rs, src = _load_rows([path], lm, dmap)
            crows += [(r, Path(path).name) for r in rs]
            csources += src
        cy = np.array([r[1] for r, _ in crows], dtype=object)
        cpred = clf.predict([r[0] for r, _ in crows], langs=[r[2] for r, _ in crows])
        cn = np.array([name for _, name in crows])
        card["metrics"]["check"] = _metrics_by(cy, cpred, {k: cn == k for k in sorted(set(cn.tolist()))})
        card["check_data"] = csources
    card["training_seconds"] = round(time.perf_counter() - t0, 1)
    clf.card_ = card
    clf.cv_predictions_ = {"text": texts, "label": y.tolist(), "lang": langs.tolist(), "corpus": corpora.tolist(),
                           "domain": dom.tolist(), "p_claim": oof}
    log("claims: cross-validated macro-F1 " + ", ".join(
        f"{k} {v['macro_f1']:.3f}" for k, v in cv_metrics.items()))
    for key in ("held_out", "check"):
        if key in card["metrics"]:
            log(f"claims: {key} macro-F1 " + ", ".join(f"{k} {v['macro_f1']:.3f}" for k, v in card["metrics"][key].items()))
    if out is not None:
        clf.save(out)
        clf.path_ = Path(out)
        log(f"claims: saved to {out} ({card['training_seconds']:.0f} s)")
    return clf


Row = tuple[str, str, str, str, str, str]  # text, label, lang, split, corpus, domain


def _load_rows(paths: Sequence[str | os.PathLike[str]], lm: dict[str, str], dmap: dict[str, str]) -> tuple[list[Row], list[dict]]:
    """Read labelled rows, map labels, check every row (the bad row is named)."""
    from .evaluate import _rows
    from .segment.language import detect_lang

    rows: list[Row] = []
    sources = []
    for path in paths:
        raw = _rows(path)
        corpus = corpus_name(path)
        for i, r in enumerate(raw):
            for key in ("text", "label"):
                if key not in r or r[key] is None:
                    raise DataError(f"{path}: row {i} has no {key!r} field")
            text = r["text"]
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{path}: row {i}: text is empty or not a string")
            label = lm.get(str(r["label"]), str(r["label"]))
            if label not in LABELS:
                raise DataError(f"{path}: row {i}: label {r['label']!r} is not claim/rhetoric and the label map "
                                f"does not rename it (e.g. --label-map OBJ=claim,SUBJ=rhetoric)")
            lang = str(r.get("lang") or detect_lang(text))
            dom = str(r.get("domain") or dmap.get(corpus, "news"))
            rows.append((text, label, lang, str(r.get("split") or "train"), corpus, dom))
        sources.append(source_record(path, len(raw)))
    return rows, sources


def _split_rows(rows: list[Row], holdout_splits: Sequence[str]) -> tuple[list[Row], list[Row], dict[str, int]]:
    """Held-out rows; training rows deduplicated (conflicting labels dropped) and
    cleared of copies of held-out rows."""
    held = [r for r in rows if r[3] in holdout_splits]
    train_all = [r for r in rows if r[3] not in holdout_splits]
    train = dedupe(train_all, label=lambda r: r[1])
    n_dedup = len(train)
    train = drop_held_out_copies(train, held) if held else train
    return train, held, {"rows": len(train_all), "deduplicated": n_dedup}


def _metrics_by(y: np.ndarray, pred: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    from sklearn.metrics import accuracy_score, f1_score

    out = {}
    for name, m in masks.items():
        if m.sum() == 0:
            continue
        out[name] = {"n": int(m.sum()), "accuracy": float(accuracy_score(y[m], pred[m])),
                     "macro_f1": float(f1_score(y[m], pred[m], labels=list(LABELS), average="macro", zero_division=0))}
    return out
