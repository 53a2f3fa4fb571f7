"""Rhetorical framing: policy frames, persuasion techniques and rhetorical cues, per section.

Two multi-label heads read the shared encoder (the same mean-pooled layer features
as the sentiment and claim models):

* **frames** (:data:`FRAMES`): the 14 frames of the Policy Frames Codebook as used in
  SemEval-2023 Task 3, subtask 2. A text is scored paragraph by paragraph (a line is
  a paragraph; the encoder splits paragraphs longer than its window into windows)
  and the paragraph features are pooled, weighted by length: nothing is truncated.
* **techniques** (:data:`TECHNIQUES`): the 23 persuasion techniques of subtask 3,
  trained and scored per paragraph, pooled per section (the largest paragraph
  probability) and grouped into SemEval's six categories (:data:`CATEGORIES`).

Each label has its own decision threshold, tuned by cross-validation and stored in the
model card. The frames model also learns from the op-ed reading corpus's English opinion
articles and Chinese commentary (document frames read by its ``FRAMES_GUIDELINE.md``) and
is measured on its dev documents per language; the techniques model learns from SemEval news
alone (en, de, fr, it, pl, ru) and reads Chinese through the multilingual encoder, unmeasured
in genre and in Chinese (:func:`measured_where` says which, and the report shows it).
Evidence sentences are the section's sentences the same heads score highest.

Example:
    >>> import xhs_nlp
    >>> from xhs_nlp.framing import document_framing
    >>> doc = xhs_nlp.segment("I. Money\\nThe platform's ad revenue fell 20% as advertisers cut budgets.")
    >>> sec = document_framing(doc).sections[0]
    >>> sec.title, max(sec.frames, key=sec.frames.get)
    ('Money', 'Economic')
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np

from .labelled import (LabelledRow, copied_documents, corpus_weights, dedupe, document_copies, read_labelled,
                       source_record, split_held_out)
from .errors import DataError, InputError, ModelError
from .heads import Anything, EncoderHead, Integer, Options, Real, Strings, check_texts, in_row_batches
from .metrics import micro_f1, multilabel_report
from .ops import fit_standardiser, sigmoid, standardise
from .schemes import CATEGORIES, FRAMES, RHETORICAL_CUES, TECHNIQUES
from .thresholds import cross_fitted, tune_thresholds

if TYPE_CHECKING:  # pragma: no cover
    from .document import Document

__all__ = [
    "FRAMES",
    "TECHNIQUES",
    "CATEGORIES",
    "RHETORICAL_CUES",
    "FramingClassifier",
    "Evidence",
    "SectionFraming",
    "DocumentFraming",
    "document_framing",
    "measured_where",
    "framing",
    "train_framing",
    "read_framing_rows",
    "scheme_of",
]

_log = logging.getLogger(__name__)

Scheme = Literal["frames", "techniques"]
Head = Literal["linear", "mlp", "linear+mlp"]

_STATISTICS = ("percent", "money", "date", "number")

KINDS: dict[str, tuple[str, ...]] = {"frames": FRAMES, "techniques": TECHNIQUES}
#: the head :func:`train_framing` fits per scheme unless told otherwise (techniques: the
#: linear+MLP average beat either head alone in cross-validation, see the README; frames,
#: ~1k articles, keep the linear head)
DEFAULT_HEADS: dict[str, Head] = {"frames": "linear", "techniques": "linear+mlp"}


def scheme_of(labels: Sequence[Sequence[str]]) -> Scheme:
    """Which scheme a list of label lists belongs to.

    Raises:
        DataError: the labels belong to neither scheme (the unknown names are given).
    """
    seen = {lab for ls in labels for lab in ls}
    for name, allowed in KINDS.items():
        if seen and seen <= set(allowed):
            return name  # type: ignore[return-value]
    bad_f, bad_t = sorted(seen - set(FRAMES)), sorted(seen - set(TECHNIQUES))
    if not seen:
        raise DataError("no row carries a label: cannot tell frames from techniques")
    raise DataError(f"labels outside both schemes: not frames {bad_f[:6]}, not techniques {bad_t[:6]} "
                    "(see xhs_nlp.framing.FRAMES / TECHNIQUES)")


def _paragraphs(text: str) -> list[str]:
    parts = [p.strip() for p in text.split("\n")]
    return [p for p in parts if p]


def pooled_features(enc, parts: Sequence[Sequence[str]], layers: Sequence[int] | None, *, trained_on: str | None = None,
                    what: str = "frames model", progress: bool = False,
                    cache: str | os.PathLike[str] | None = None) -> np.ndarray:
    """One row per text: the length-weighted mean of its parts' layer features (the parts'
    features read from and kept in the :class:`~xhs_nlp.encoder.FeatureBank` ``cache``
    where one is given)."""
    from .encoder import FeatureBank, layer_features
    from .heads import PREDICT_ROWS

    flat = [p for ps in parts for p in ps]
    if not flat:
        raise InputError("no text to score")
    for i, ps in enumerate(parts):
        if not ps:
            raise InputError(f"text {i} has no paragraph to score")
    bank = None if cache is None else FeatureBank(cache)

    def feats(texts: list[str]) -> np.ndarray:
        return layer_features(enc, texts, layers, trained_on=trained_on, what=what, progress=progress, bank=bank)

    if len(flat) > PREDICT_ROWS and len(parts) == 1:
        # one long text (a whole document's paragraphs): its mean taken batch by batch, so that
        # memory holds PREDICT_ROWS paragraphs' features, not all of them (equal up to rounding)
        w = np.array([len(p) for p in flat], dtype=np.float64)
        w /= w.sum()
        acc = sum((feats(flat[a:a + PREDICT_ROWS]) * w[a:a + PREDICT_ROWS, None]).sum(0)
                  for a in range(0, len(flat), PREDICT_ROWS))
        return np.asarray(acc, dtype=np.float32)[None, :]
    F = feats(flat)
    out = np.zeros((len(parts), F.shape[1]), dtype=np.float32)
    k = 0
    for i, ps in enumerate(parts):
        w = np.array([len(p) for p in ps], dtype=np.float64)
        out[i] = (F[k : k + len(ps)] * (w / w.sum())[:, None]).sum(0)
        k += len(ps)
    return out


_LINEAR_ARRAYS = ("coef", "intercept")
_MLP_ARRAYS = ("hidden_weight", "hidden_bias", "output_weight", "output_bias")
_HEAD_ARRAYS: dict[str, tuple[str, ...]] = {"linear": _LINEAR_ARRAYS, "mlp": _MLP_ARRAYS,
                                            "linear+mlp": _LINEAR_ARRAYS + _MLP_ARRAYS}


class FramingClassifier(EncoderHead):
    """Multi-label frames or persuasion techniques over the shared encoder.

    A head on standardised encoder features (:class:`~xhs_nlp.heads.EncoderHead`), with
    one decision threshold per label (``thresholds_``; :func:`train_framing` tunes them
    by cross-validation, :meth:`fit` alone leaves them at 0.5). The head is one logistic
    regression per label (``head="linear"``, the shipped frames model), a network with
    one hidden layer shared by all labels (``head="mlp"``), or the average of the two
    heads' probabilities (``head="linear+mlp"``, the shipped techniques model; see the
    README for what each scored).

    ``y`` is one list of label names per text, or an indicator matrix with one column
    per entry of :attr:`classes_`; :meth:`predict` returns the indicator matrix (0/1)
    and :meth:`predict_labels` the label names per text.

    Args:
        scheme: ``"frames"`` (texts are articles or sections: scored per line, pooled)
            or ``"techniques"`` (texts are paragraphs).
        encoder: encoder name or folder (default: the shared multilingual-e5-small).
        layers: encoder layers to read (default: all 13).
        head: ``"linear"``, ``"mlp"`` or ``"linear+mlp"``.
        C: inverse L2 strength of every label's logistic regression (linear head).
        class_weight: ``None`` or ``"balanced"`` (linear head).
        min_positive: labels with fewer positive training texts are never predicted.
        max_iter: solver iterations (linear head).
        hidden_size: hidden units (mlp head).
        dropout: dropout rate on the input and on the hidden layer (mlp head).
        epochs: passes over the training texts (mlp head).
        learning_rate: AdamW's peak learning rate, one-cycle schedule (mlp head).
        weight_decay: AdamW's weight decay (mlp head).
        random_state: solver / initialisation seed.

    Example:
        >>> clf = FramingClassifier.load(scheme="frames")
        >>> X = ["Inflation hit 9% and wages fell behind prices."]
        >>> p = clf.predict_proba(X)[0]
        >>> clf.labels[p.argmax()], "Economic" in clf.predict_labels(X)[0]
        ('Economic', True)
    """

    kind = "frames"
    _parameter_constraints = {
        "scheme": Options(("frames", "techniques")), "encoder": Anything("an encoder name or folder"),
        "layers": Anything("layer indices"), "head": Options(tuple(_HEAD_ARRAYS)), "C": Real(0, None),
        "class_weight": Options((None, "balanced")), "min_positive": Integer(1, None), "max_iter": Integer(1, None),
        "hidden_size": Integer(1, None), "dropout": Real(0, 1), "epochs": Integer(1, None),
        "learning_rate": Real(0, None), "weight_decay": Real(0, None), "random_state": Integer(None, None),
    }
    _fitted_arrays = ("mean", "scale", "thresholds") + _HEAD_ARRAYS["linear+mlp"]
    _fitted_values = ("trained_labels",)
    _fitted_constraints = {"trained_labels": Strings(FRAMES + TECHNIQUES)}
    _fitted_marker = "thresholds_"

    def __init__(self, scheme: Scheme = "frames", *, encoder: str | None = None, layers: Sequence[int] | None = None,
                 head: Head = "linear", C: float = 0.001, class_weight: str | None = None, min_positive: int = 5,
                 max_iter: int = 2000, hidden_size: int = 512, dropout: float = 0.5, epochs: int = 20,
                 learning_rate: float = 1e-3, weight_decay: float = 0.01, random_state: int = 0) -> None:
        self.scheme = scheme
        self.encoder = encoder
        self.layers = layers
        self.head = head
        self.C = C
        self.class_weight = class_weight
        self.min_positive = min_positive
        self.max_iter = max_iter
        self.hidden_size = hidden_size
        self.dropout = dropout
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags

    @property
    def labels(self) -> tuple[str, ...]:
        """The scheme's label names, in column order."""
        if self.scheme not in KINDS:
            raise InputError(f"scheme must be 'frames' or 'techniques', got {self.scheme!r}")
        return KINDS[self.scheme]

    def _card_kind(self) -> str:
        return self.scheme

    @classmethod
    def _expected_kind(cls, scheme: Scheme = "frames") -> str:
        if scheme not in KINDS:
            raise InputError(f"scheme must be 'frames' or 'techniques', got {scheme!r}")
        return scheme

    def _what(self) -> str:
        return f"{self.scheme} model"

    def features(self, X: Sequence[str], *, progress: bool = False,
                 cache: str | os.PathLike[str] | None = None) -> np.ndarray:
        """Encoder features: per text (techniques), or for frames the length-weighted
        mean over the text's lines (a line is a paragraph; nothing is truncated).
        ``cache`` (a folder) keeps the encoder's features of each text or line between
        calls (:class:`~xhs_nlp.encoder.FeatureBank`)."""
        texts = check_texts(X)
        if self.scheme == "frames":
            return pooled_features(self.shared_encoder(), [_paragraphs(t) for t in texts], self._layer_list(),
                                   trained_on=getattr(self, "encoder_fingerprint_", None), what=self._what(),
                                   progress=progress, cache=cache)
        return self._layer_features(texts, progress=progress, cache=cache)

    def paragraph_features(self, paragraphs: Sequence[Sequence[str]]) -> np.ndarray:
        """Frames features of texts given as their paragraphs (one list per text): the
        same pooling as :meth:`features`, from paragraphs already split."""
        return pooled_features(self.shared_encoder(), paragraphs, self._layer_list(),
                               trained_on=getattr(self, "encoder_fingerprint_", None), what=self._what())

    def sentence_features(self, texts: Sequence[str]) -> np.ndarray:
        """Features of ``texts`` each read as one unit (never split into lines)."""
        return self._layer_features(texts)

    def sentence_proba(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`predict_proba` of ``texts`` each read as one unit (never split into
        lines), in batches of :data:`~xhs_nlp.heads.PREDICT_ROWS` texts so memory stays
        flat in their number."""
        return in_row_batches(lambda part: self.predict_proba(part, features=self.sentence_features(part)),
                              check_texts(texts))

    def indicator(self, y: Any, n: int | None = None) -> np.ndarray:
        """``y`` (label-name lists, or an indicator matrix) as a boolean indicator matrix.

        Raises:
            DataError: unknown label names (the row is named), a string instead of a
                list, or a row count other than ``n``.
        """
        if isinstance(y, np.ndarray) and y.ndim == 2:
            if y.shape[1] != len(self.labels):
                raise DataError(f"an indicator matrix needs {len(self.labels)} columns ({self.scheme}), got {y.shape[1]}")
            Y = y.astype(bool)
        else:
            Y = np.zeros((len(y), len(self.labels)), dtype=bool)
            index = {lab: j for j, lab in enumerate(self.labels)}
            for i, ls in enumerate(y):
                if isinstance(ls, str):
                    raise DataError(f"row {i}: labels must be a list of {self.scheme} names, got the string {ls!r}")
                for lab in ls:
                    if lab not in index:
                        raise DataError(f"row {i}: {lab!r} is not one of the {len(self.labels)} {self.scheme} "
                                        f"(see xhs_nlp.framing.{self.scheme.upper()})")
                    Y[i, index[lab]] = True
        if n is not None and len(Y) != n:
            raise DataError(f"{n} texts but {len(Y)} label lists")
        return Y

    def fit(self, X: Sequence[str], y: Any, *, features: np.ndarray | None = None,
            sample_weight: Any = None) -> FramingClassifier:
        """Fit the head: logistic regressions per label and/or the shared-hidden-layer MLP.

        Args:
            X: texts (articles or sections for frames, paragraphs for techniques).
            y: one list of label names per text (an empty list: no label), or an
                indicator matrix.
            features: ``self.features(X)`` computed earlier (optional).
            sample_weight: one positive weight per text in the loss (default: 1 each).

        Raises:
            DataError: unknown label names, mismatched lengths, empty texts, weights
                that are not one positive number per text.
        """
        return super().fit(X, y, features=features, sample_weight=sample_weight)

    def _fit(self, texts: list[str], y: Any, Z: np.ndarray | None, sample_weight: Any = None, **_: Any) -> None:
        from sklearn.linear_model import LogisticRegression

        Y = self.indicator(y, len(texts))
        w = None
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=np.float64)
            if w.shape != (len(texts),) or not (np.isfinite(w) & (w > 0)).all():
                raise DataError(f"sample_weight must be one positive number per text ({len(texts)}), "
                                f"got shape {w.shape}")
        self.mean_, self.scale_ = fit_standardiser(Z)
        Zs = standardise(Z, self.mean_, self.scale_)
        pos = Y.sum(0)
        trained = [j for j in range(len(self.labels)) if self.min_positive <= pos[j] < len(Y)]
        untrained = [j for j in range(len(self.labels)) if j not in trained]
        for name in _HEAD_ARRAYS["linear+mlp"]:
            setattr(self, name + "_", None)
        if self.head in ("linear", "linear+mlp"):
            coef = np.zeros((len(self.labels), Z.shape[1]), dtype=np.float32)
            intercept = np.full(len(self.labels), -30.0, dtype=np.float32)  # untrained labels: never predicted
            for j in trained:
                lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                                        random_state=self.random_state).fit(Zs, Y[:, j], sample_weight=w)
                coef[j], intercept[j] = lr.coef_[0], lr.intercept_[0]
            self.coef_, self.intercept_ = coef, intercept
        if self.head in ("mlp", "linear+mlp"):
            from ._mlp import fit_mlp

            w = fit_mlp(Zs, Y, hidden_size=self.hidden_size, dropout=self.dropout, epochs=self.epochs,
                        learning_rate=self.learning_rate, weight_decay=self.weight_decay, seed=self.random_state,
                        sample_weight=w)
            w["w2"][untrained], w["b2"][untrained] = 0.0, -30.0
            self.hidden_weight_, self.hidden_bias_, self.output_weight_, self.output_bias_ = (
                w["w1"], w["b1"], w["w2"], w["b2"])
        self.thresholds_ = np.full(len(self.labels), 0.5, dtype=np.float32)
        self.trained_labels_ = [self.labels[j] for j in trained]
        self.classes_ = np.array(self.labels)

    def _proba(self, texts: list[str], Z: np.ndarray | None, **_: Any) -> np.ndarray:
        Zs = standardise(Z, self.mean_, self.scale_)
        probs = []
        if self.coef_ is not None:
            probs.append(sigmoid(Zs @ self.coef_.T + self.intercept_))
        if self.hidden_weight_ is not None:
            from ._mlp import mlp_logits

            probs.append(sigmoid(mlp_logits(Zs, self.hidden_weight_, self.hidden_bias_, self.output_weight_,
                                            self.output_bias_)))
        return probs[0] if len(probs) == 1 else np.mean(probs, axis=0)

    def predict_proba(self, X: Sequence[str], *, features: np.ndarray | None = None) -> np.ndarray:
        """``(len(X), len(labels))`` probabilities, one independent column per label."""
        return super().predict_proba(X, features=features)

    def predict(self, X: Sequence[str], *, features: np.ndarray | None = None) -> np.ndarray:
        """The indicator matrix (0/1, columns :attr:`classes_`) of labels at or above
        their thresholds."""
        return (self.predict_proba(X, features=features) >= self.thresholds_).astype(np.int64)

    def predict_labels(self, X: Sequence[str], *, features: np.ndarray | None = None) -> list[list[str]]:
        """The label names at or above their thresholds, per text."""
        P = self.predict_proba(X, features=features)
        return [[self.labels[j] for j in np.flatnonzero(row >= self.thresholds_)] for row in P]

    def score(self, X: Sequence[str], y: Any, sample_weight: Any = None) -> float:
        """Micro-F1 of :meth:`predict` against ``y``."""
        return micro_f1(self.indicator(y, len(X)), self.predict(X).astype(bool))

    # -- persistence ------------------------------------------------------------------------

    def _card_extra(self) -> dict[str, Any]:
        return {"thresholds": {lab: float(t) for lab, t in zip(self.labels, self.thresholds_)},
                "trained_labels": list(self.trained_labels_)}

    def _set_arrays(self, arrays: dict[str, np.ndarray], fitted: dict[str, Any], folder: Path) -> None:
        if self.head not in _HEAD_ARRAYS:
            raise ModelError(f"{folder}: unknown head {self.head!r}")
        wanted = ("mean", "scale", "thresholds", *_HEAD_ARRAYS[self.head])
        if missing := [n for n in wanted if n not in arrays]:
            raise ModelError(f"{folder}: weights lack arrays {missing}")
        for name in self._fitted_arrays:
            setattr(self, name + "_", arrays[name] if name in wanted else None)

    def _check_loaded(self, folder: Path) -> None:
        n, d, h = len(self.labels), self.mean_.shape[0], self.hidden_size
        shapes = {"mean": (d,), "scale": (d,), "thresholds": (n,), "coef": (n, d), "intercept": (n,),
                  "hidden_weight": (h, d), "hidden_bias": (h,), "output_weight": (n, h), "output_bias": (n,)}
        for name in ("mean", "scale", "thresholds", *_HEAD_ARRAYS[self.head]):
            a = getattr(self, name + "_")
            if a.shape != shapes[name]:
                raise ModelError(f"{folder}: array {name} has shape {a.shape}, expected {shapes[name]}")
        if not ((self.thresholds_ >= 0) & (self.thresholds_ <= 1)).all():
            raise ModelError(f"{folder}: thresholds must lie in [0, 1]")
        if list(self.classes_) != list(self.labels) or not set(self.trained_labels_) <= set(self.labels):
            raise ModelError(f"{folder}: the card's labels are not the {len(self.labels)} {self.scheme} labels")
        self.trained_labels_ = [str(x) for x in self.trained_labels_]

    @classmethod
    def _legacy_card(cls, card: dict[str, Any]) -> dict[str, Any]:
        if "fitted" not in card and "trained_labels" in card:  # cards of xhs_nlp 0.1.0
            card = {**card, "fitted": {"trained_labels": card["trained_labels"]}}
        return card


# -- per-section framing ---------------------------------------------------------------------


@dataclass
class Evidence:
    """A sentence that shows a frame or technique: its offsets, text and probability."""

    label: str
    sentence: int  # index into doc.sentences
    start: int
    end: int
    text: str
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "sentence": self.sentence, "start": self.start, "end": self.end,
                "text": self.text, "probability": round(self.probability, 4)}


@dataclass
class SectionFraming:
    """Frames, techniques, categories and cues of one section (or the whole document).

    ``frames``/``techniques``/``categories`` map every label to a probability
    (techniques and categories: the largest over the section's paragraphs);
    ``*_on`` list the labels above their tuned thresholds, strongest first. An empty
    section (no sentences, or no text the encoder covers) has empty dicts and
    ``empty_reason`` set.
    """

    index: int | None
    number: str | None
    title: str | None
    start: int
    end: int
    frames: dict[str, float] = field(default_factory=dict)
    frames_on: list[str] = field(default_factory=list)
    techniques: dict[str, float] = field(default_factory=dict)
    techniques_on: list[str] = field(default_factory=list)
    categories: dict[str, float] = field(default_factory=dict)
    paragraphs: list[dict[str, Any]] = field(default_factory=list)
    cues_per_1000_tokens: dict[str, float] = field(default_factory=dict)
    cue_hits: list[dict[str, Any]] = field(default_factory=list)
    tokens: int = 0
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    empty_reason: str | None = None

    def top_frames(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable frames."""
        return sorted(self.frames.items(), key=lambda kv: -kv[1])[:k]

    def top_techniques(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable techniques."""
        return sorted(self.techniques.items(), key=lambda kv: -kv[1])[:k]

    def to_dict(self) -> dict[str, Any]:
        r4 = lambda d: {k: round(float(v), 4) for k, v in d.items()}  # noqa: E731
        return {"index": self.index, "number": self.number, "title": self.title, "start": self.start, "end": self.end,
                "frames": r4(self.frames), "frames_on": self.frames_on, "techniques": r4(self.techniques),
                "techniques_on": self.techniques_on, "categories": r4(self.categories), "paragraphs": self.paragraphs,
                "cues_per_1000_tokens": r4(self.cues_per_1000_tokens), "cue_hits": self.cue_hits, "tokens": self.tokens,
                "evidence": {k: [e.to_dict() for e in v] for k, v in self.evidence.items()},
                "empty_reason": self.empty_reason}


@dataclass
class DocumentFraming:
    """Framing of every section, and of the whole body (``document``).

    ``sentence_techniques[i]`` lists the techniques that sentence ``i`` of
    ``doc.sentences`` carries: for each technique found in a paragraph, the paragraph's
    sentence that the techniques model scores highest for it.
    """

    sections: list[SectionFraming]
    document: SectionFraming
    models: dict[str, str]
    sentence_techniques: list[list[str]] = field(default_factory=list)
    #: per scheme, where its model's accuracy was measured (:func:`measured_where`)
    measured: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"sections": [s.to_dict() for s in self.sections], "document": self.document.to_dict(),
                "sentence_techniques": self.sentence_techniques, "models": self.models, "measured": self.measured}


def measured_where(clf: FramingClassifier) -> str:
    """One line saying where a framing model's accuracy was measured, from its card:
    in genre (held-out documents of a corpus other than SemEval-2023, per corpus and
    language) and/or by cross-validation on its training data.

    Example:
        >>> "SemEval-2023" in measured_where(FramingClassifier.load(scheme="techniques"))
        True
    """
    card = getattr(clf, "card_", None) or {}
    metrics = card.get("metrics") or {}
    cv = (metrics.get("cross_validated") or {}).get("micro_f1")
    if cv is None:
        return "not measured (the model's card records no figures)"
    by_corpus = metrics.get("cross_validated_by_corpus") or {}
    sem = next((b["micro_f1"] for c, b in by_corpus.items() if c.startswith("semeval")), None)
    if sem is None and any(str(t.get("path", "")).startswith("semeval") for t in card.get("training_data") or []):
        sem = cv  # trained on SemEval alone
    trained = f"SemEval-2023 news, cross-validated micro-F1 {sem:.2f}" if sem is not None else (
        f"its training data, cross-validated micro-F1 {cv:.2f}")
    held = {c: by for c, by in (metrics.get("held_out") or {}).items() if not c.startswith("semeval")}
    if not held:
        return (f"{trained}; no op-ed or Chinese {clf.scheme} labels exist, so not measured in genre or in Chinese"
                if "zh" not in (card.get("languages") or {}) else f"{trained}; not measured on held-out documents")
    parts = [f"{lg} {b['micro_f1']:.2f} ({b['n']} documents)" for by in held.values() for lg, b in by.items()]
    names = ", ".join(held)
    return f"in genre: held-out documents of {names}, micro-F1 {', '.join(parts)}; {trained}"


def _cue_hits(doc: Document, ids: Sequence[int]) -> tuple[list[dict], int]:
    """The rhetorical cue hits of the sentences ``ids`` of ``doc.sentences`` (offsets
    into the document) and their word tokens."""
    from .cues import find_cues

    names = [c for c in RHETORICAL_CUES if c != "statistics"] + list(_STATISTICS)
    sentences = doc.sentences
    hits = []
    n_tokens = 0
    for i in ids:
        s = sentences[i]
        n_tokens += sum(1 for t in s.tokens if t.kind != "punct")
        for h in find_cues(s.text, names):
            cue = "statistics" if h.cue in _STATISTICS else h.cue
            hits.append({"cue": cue, "kind": h.cue, "start": s.start + h.start, "end": s.start + h.end, "text": h.text,
                         "sentence": i})
    return hits, n_tokens


def _cue_rates(hits: list[dict], n_tokens: int) -> dict[str, float]:
    counts = dict.fromkeys(RHETORICAL_CUES, 0)
    for h in hits:
        counts[h["cue"]] += 1
    return {k: 1000.0 * v / max(n_tokens, 1) for k, v in counts.items()}


def document_framing(doc: Document, *, frames_model: FramingClassifier | str | os.PathLike[str] | None = None,
                     techniques_model: FramingClassifier | str | os.PathLike[str] | None = None,
                     evidence: int = 2, top: int = 3) -> DocumentFraming:
    """Frames, persuasion techniques, categories, rhetorical cues and evidence per section.

    Args:
        doc: a segmented document (:func:`xhs_nlp.segment`).
        frames_model, techniques_model: loaded models or folders (default: shipped).
        evidence: evidence sentences per label.
        top: evidence is given for the ``top`` most probable frames and techniques
            (and for every label above its threshold).

    Returns:
        :class:`DocumentFraming`. A section without sentences, or whose sentences
        hold no letters (language ``und``), gets an empty result with ``empty_reason``.
        Sentences that are not part of the writing (``Sentence.not_writing``: bylines,
        widgets) give no evidence, cues or techniques, and paragraphs made of them alone
        are not read.

    Example:
        >>> import xhs_nlp
        >>> doc = xhs_nlp.segment("一、监管\\n监管部门对平台处以罚款，要求整改。")
        >>> document_framing(doc).sections[0].cues_per_1000_tokens["statistics"]
        0.0
    """
    fm = frames_model if isinstance(frames_model, FramingClassifier) else FramingClassifier.load(frames_model, scheme="frames")
    tm = (techniques_model if isinstance(techniques_model, FramingClassifier)
          else FramingClassifier.load(techniques_model, scheme="techniques"))
    if fm.scheme != "frames" or tm.scheme != "techniques":
        raise ModelError("frames_model must be a frames model and techniques_model a techniques model")
    sentences, paragraphs = doc.sentences, doc.paragraphs
    every_sent, para_sents = doc.section_sentences(), doc.paragraph_sentences()
    # sentences that are not part of the writing (bylines, widgets), and paragraphs of nothing else, are not read
    kept = [s.not_writing is None for s in sentences]
    sec_sents = [[j for j in ids if kept[j]] for ids in every_sent]
    sec_paras = [[j for j in ids if any(kept[k] for k in para_sents[j])] for ids in doc.section_paragraphs()]
    scorable = [i for i, sec in enumerate(doc.sections) if any(sentences[j].lang != "und" for j in sec_sents[i])]
    para_ids = [j for i in scorable for j in sec_paras[i]]
    sent_ids = [j for i in scorable for j in sec_sents[i]]
    # results by index into doc.paragraphs / doc.sentences; one encoder call per granularity
    p_tech = np.zeros((len(paragraphs), len(tm.labels)))
    sent_f = np.zeros((len(sentences), len(fm.labels)))
    sent_t = np.zeros((len(sentences), len(tm.labels)))
    if para_ids:
        p_tech[para_ids] = tm.predict_proba([paragraphs[j].text for j in para_ids])
        texts = [sentences[j].text for j in sent_ids]
        sent_f[sent_ids] = fm.sentence_proba(texts)
        sent_t[sent_ids] = tm.sentence_proba(texts)

    def frames_of(pids: Sequence[int]) -> np.ndarray:
        # the paragraphs' own texts, so the encoder's cache serves frames and techniques alike
        ps = [paragraphs[j].text for j in pids]
        return fm.predict_proba(["\n".join(ps)], features=fm.paragraph_features([ps]))[0]

    out: list[SectionFraming] = []
    for i, sec in enumerate(doc.sections):
        res = SectionFraming(sec.index, sec.number, sec.title, sec.start, sec.end)
        if not sec_sents[i]:
            res.empty_reason = ("the section has no sentences" if not every_sent[i]
                                else "no sentence of the section is part of the writing (bylines, widgets)")
            out.append(res)
            continue
        res.cue_hits, res.tokens = _cue_hits(doc, sec_sents[i])
        res.cues_per_1000_tokens = _cue_rates(res.cue_hits, res.tokens)
        if i not in scorable:
            res.empty_reason = "no sentence is in a language the encoder covers (no letters)"
            out.append(res)
            continue
        _fill(res, doc, fm, tm, frames_of(sec_paras[i]), p_tech, list(sec_paras[i]), sent_f, sent_t,
              list(sec_sents[i]), evidence, top)
        out.append(res)
    whole = SectionFraming(None, None, None, 0, len(doc.text))
    if scorable:
        # every body sentence belongs to one section: the document's cues are the sections' together
        whole.cue_hits = [h for sec in out for h in sec.cue_hits]
        whole.tokens = sum(sec.tokens for sec in out)
        whole.cues_per_1000_tokens = _cue_rates(whole.cue_hits, whole.tokens)
        _fill(whole, doc, fm, tm, frames_of(para_ids), p_tech, para_ids, sent_f, sent_t, sent_ids, evidence, top)
        whole.paragraphs = []  # listed per section
    else:
        whole.empty_reason = "the document has no sentence in a language the encoder covers"
    carried: list[list[str]] = [[] for _ in sentences]
    for pj in para_ids:
        rows = [r for r in para_sents[pj] if kept[r]]
        for j in np.flatnonzero(p_tech[pj] >= tm.thresholds_):
            carried[max(rows, key=lambda r: sent_t[r, j])].append(tm.labels[j])
    models = {"frames": str(getattr(fm, "path_", "in memory")), "techniques": str(getattr(tm, "path_", "in memory"))}
    return DocumentFraming(out, whole, models, carried, {"frames": measured_where(fm), "techniques": measured_where(tm)})


def framing(doc: Document, **kwargs: Any) -> DocumentFraming:
    """Deprecated alias of :func:`document_framing` (removed in the next release)."""
    import warnings

    warnings.warn("xhs_nlp.framing.framing() is renamed document_framing()", DeprecationWarning, stacklevel=2)
    return document_framing(doc, **kwargs)


def _fill(res: SectionFraming, doc: Document, fm: FramingClassifier, tm: FramingClassifier, pf: np.ndarray,
          p_tech: np.ndarray, para_ids: list[int], sent_f: np.ndarray, sent_t: np.ndarray, sent_ids: list[int],
          n_evidence: int, top: int) -> None:
    """Fill ``res`` from the span's frame probabilities ``pf`` and the per-paragraph and
    per-sentence rows (``para_ids``/``sent_ids`` index ``doc.paragraphs``/``doc.sentences``)."""
    paragraphs, sentences = doc.paragraphs, doc.sentences
    pt = p_tech[para_ids]
    res.frames = {lab: float(p) for lab, p in zip(fm.labels, pf)}
    res.frames_on = [fm.labels[j] for j in np.argsort(-pf) if pf[j] >= fm.thresholds_[j]]
    sec_t = pt.max(0)
    res.techniques = {lab: float(p) for lab, p in zip(tm.labels, sec_t)}
    on = pt >= tm.thresholds_[None, :]
    res.techniques_on = [tm.labels[j] for j in np.argsort(-sec_t) if on[:, j].any()]
    res.categories = {cat: max(res.techniques[t] for t in ts) for cat, ts in CATEGORIES.items()}
    res.paragraphs = [{"start": paragraphs[pj].start, "end": paragraphs[pj].end,
                       "techniques_on": [tm.labels[j] for j in np.argsort(-pt[k]) if on[k, j]],
                       "top_technique": tm.labels[int(np.argmax(pt[k]))],
                       "top_probability": round(float(pt[k].max()), 4)} for k, pj in enumerate(para_ids)]

    def pick(on_labels: list[str], probs: np.ndarray, S: np.ndarray, all_labels: tuple[str, ...]) -> None:
        want = list(dict.fromkeys([*on_labels, *[all_labels[j] for j in np.argsort(-probs)[:top]]]))
        for lab in want:
            j = all_labels.index(lab)
            best = np.argsort(-S[:, j])[:n_evidence]
            res.evidence[lab] = [Evidence(lab, sent_ids[b], sentences[sent_ids[b]].start, sentences[sent_ids[b]].end,
                                          sentences[sent_ids[b]].text, float(S[b, j])) for b in best]

    pick(res.frames_on, pf, sent_f[sent_ids], fm.labels)
    pick(res.techniques_on, sec_t, sent_t[sent_ids], tm.labels)


# -- training ---------------------------------------------------------------------------------


def read_framing_rows(path: Any) -> tuple[Scheme, list[LabelledRow], dict]:
    """Rows of one labelled source, the scheme its labels belong to and its card record.

    Raises:
        DataError: a missing field, an empty text, labels that are not a list, or label
            names outside the scheme (the row is named).
    """
    rows = read_labelled([path], multilabel=True)
    if not rows:
        raise DataError(f"{path}: no rows")
    scheme = scheme_of([r.label for r in rows])
    return scheme, rows, source_record(path, len(rows))


def train_framing(
    data: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    weights: str | dict[str, float] | None = None,
    cache: str | os.PathLike[str] | None = None,
    verbose: bool = True,
    **params: Any,
) -> dict[str, FramingClassifier]:
    """Train frames and/or techniques models; write ``out/frames`` and ``out/techniques``.

    Each file's scheme is read from its labels (frames or techniques; SemEval-2023's
    ``frames.jsonl`` holds articles, ``persuasion.jsonl`` paragraphs, the op-ed reading
    corpus's ``docs.jsonl`` documents with their ``frames``). Rows are deduplicated by
    normalised text (a text with differing label sets is dropped), cross-validation
    folds are grouped by article (``source_id`` up to ``:``, or ``doc_key``), each
    fold's predictions are judged with thresholds tuned on the other folds'
    predictions (so the card's CV figures are not tuned on their own rows), and the
    shipped thresholds are tuned on all out-of-fold predictions.

    Rows of a dev or test split (:data:`~xhs_nlp.labelled.HELD_OUT_SPLITS`) are never
    trained on: they are scored by the final model and reported per corpus and
    language (``metrics.held_out``), beside a model trained without their corpora
    (``metrics.held_out_without_their_corpora``: for the op-ed corpus, the zero-shot
    reading). A training row that shares most of its sentences with a held-out document
    (:func:`~xhs_nlp.labelled.document_copies`, either way round: SemEval articles are the
    source of the op-ed corpus's English documents, and two commentaries of one event can
    share most of their text) is dropped; a row of another corpus that copies a training
    document joins its fold.

    Args:
        data: JSONL/CSV/Parquet files with ``text``, ``label`` (a list; or ``frames``)
            and optionally ``lang``, ``split`` and ``source_id``.
        out: the parent folder of the model folders (nothing is written on failure).
        folds: cross-validation folds (grouped by article).
        seed: solver seed.
        weights: a corpus's weight in the loss, ``{corpus: w}`` or ``"corpus=w,..."``
            (corpus: the file's folder name; others weigh 1).
        cache: a folder that keeps the encoder's features of every paragraph between
            runs (:class:`~xhs_nlp.encoder.FeatureBank`): a second run with other weights
            or hyper-parameters encodes nothing it has met.
        **params: :class:`FramingClassifier` hyper-parameters, for every scheme trained.
            Without ``head``, frames get the linear head and techniques the linear+MLP
            average (:data:`DEFAULT_HEADS`, the heads the README's figures were measured with).

    Raises:
        DataError: bad rows (named), labels outside both schemes, too few rows, a
            weight for a corpus no training row comes from.
    """
    t0 = time.perf_counter()
    log = _log.info if verbose else (lambda *a: None)  # the command line shows INFO on stderr
    paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    if not paths:
        raise DataError("no training data given")
    by_scheme: dict[str, tuple[list, list]] = {}
    for path in paths:
        scheme, rows, src = read_framing_rows(path)
        log(f"framing: {path}: {len(rows)} {scheme} rows")
        rs, srcs = by_scheme.setdefault(scheme, ([], []))
        rs += rows
        srcs.append(src)
    models: dict[str, FramingClassifier] = {}
    for scheme, (rows, sources) in by_scheme.items():
        clf = FramingClassifier(scheme, random_state=seed,  # type: ignore[arg-type]
                                **{"head": DEFAULT_HEADS[scheme], **params})
        clf._validate_hyperparameters()
        models[scheme] = _train_scheme(clf, rows, sources, folds=folds, seed=seed, weights=weights, log=log, t0=t0,
                                       progress=verbose, cache=cache)
    if out is not None:
        for scheme, clf in models.items():
            clf.card_["training_seconds"] = round(time.perf_counter() - t0, 1)
            clf.save(Path(out) / scheme)
            clf.path_ = Path(out) / scheme
            log(f"framing: saved {Path(out) / scheme}")
    return models


def _training_rows(rows: list[LabelledRow], log: Any, scheme: str) -> tuple[list[LabelledRow], list[LabelledRow], int]:
    """``(training rows, held-out rows, copies dropped)``; training rows that copy a
    training document of a split corpus carry that document's group."""
    train, held = split_held_out(rows)
    # deduplicated within each corpus: a SemEval article and the op-ed corpus's reading of it are two annotations
    # of one text (kept both, in one fold), not a conflict that drops both
    train = [r for c in dict.fromkeys(r.corpus for r in train)
             for r in dedupe([r for r in train if r.corpus == c], label=lambda r: tuple(sorted(r.label)))]
    split_corpora = {r.corpus for r in held}
    if not split_corpora:
        return train, held, 0
    # a training row (of any corpus) that holds half of a held-out document's sentences, or whose own sentences a
    # held-out document holds, would leak it: dropped (SemEval articles behind dev op-eds; two ECOB commentaries
    # of one event that share most of their text)
    held_texts = [r.text for r in held]
    copies = document_copies([r.text for r in train], held_texts)
    drop = {i for i, c in enumerate(copies) if c is not None} | copied_documents(held_texts, [r.text for r in train])
    outside = [i for i, r in enumerate(train) if r.corpus not in split_corpora]
    inside = [r for r in train if r.corpus in split_corpora]
    joined = document_copies([train[i].text for i in outside], [r.text for r in inside])
    for i, c in zip(outside, joined):
        if c is not None and i not in drop:
            train[i] = train[i]._replace(group=inside[c].group)
    if drop:
        log(f"framing: {scheme}: {len(drop)} training rows share most of their text with a held-out document and "
            "are dropped")
    return [r for i, r in enumerate(train) if i not in drop], held, len(drop)


def _train_scheme(clf: FramingClassifier, rows: list[LabelledRow], sources: list[dict], *, folds: int, seed: int,
                  weights: Any, log: Any, t0: float, progress: bool, cache: Any = None) -> FramingClassifier:
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    scheme = clf.scheme
    train, held, dropped = _training_rows(rows, log, scheme)
    if len({r.group for r in train}) < folds:
        raise DataError(f"{scheme}: {len({r.group for r in train})} articles, fewer than {folds} folds")
    texts = [r.text for r in train]
    Y = clf.indicator([r.label for r in train], len(train))
    langs = np.array([r.lang for r in train])
    corpora = np.array([r.corpus for r in train])
    groups = np.array([r.group for r in train])
    w = corpus_weights(weights, corpora.tolist())
    fit_params = {"sample_weight": w} if w is not None else None
    log(f"framing: {scheme}: {len(rows)} rows -> {len(train)} training after dedup/conflicts, {len(set(groups))} "
        f"articles, {len(held)} held out; encoding{' paragraph by paragraph' if scheme == 'frames' else ''}")
    Z = clf.features(texts, progress=progress, cache=cache)
    splits = list(GroupKFold(n_splits=folds).split(texts, groups=groups))
    oof = clf.out_of_fold(texts, Y, splits, features=Z, fit_params=fit_params,
                          on_fold=lambda k: log(f"framing: {scheme}: fold {k + 1}/{folds} done "
                                                f"({time.perf_counter() - t0:.0f} s)"))
    crossed = cross_fitted(oof, Y, splits, min_positive=clf.min_positive)
    cv = multilabel_report(Y, crossed, clf.labels, langs)
    clf.fit(texts, Y, features=Z, **(fit_params or {}))
    clf.thresholds_ = tune_thresholds(oof, Y, min_positive=clf.min_positive)
    metrics: dict[str, Any] = {
        "cross_validated": cv, "cross_validated_micro_f1_at_0.5": micro_f1(Y, oof >= 0.5),
        "cv": f"{folds}-fold GroupKFold by article; each fold judged with per-label thresholds "
              "tuned on the other folds' out-of-fold predictions"}
    if len(set(corpora.tolist())) > 1:
        metrics["cross_validated_by_corpus"] = {c: multilabel_report(Y[corpora == c], crossed[corpora == c], clf.labels,
                                                                     langs[corpora == c])
                                                for c in sorted(set(corpora.tolist()))}
    if held:
        held_texts = [r.text for r in held]
        Yh = clf.indicator([r.label for r in held], len(held))
        Zh = clf.features(held_texts, cache=cache)
        metrics["held_out"] = _held_out_reports(clf, held, Yh, Zh)
        held_corpora = {r.corpus for r in held}
        outside = np.array([c not in held_corpora for c in corpora])
        if outside.any() and len(set(groups[outside].tolist())) >= folds:
            # the same recipe without the held-out rows' corpora: for the op-ed corpus, the zero-shot reading
            base = clone(clf)
            sub = np.flatnonzero(outside)
            sub_splits = list(GroupKFold(n_splits=folds).split(sub, groups=groups[sub]))
            sub_params = {"sample_weight": w[sub]} if w is not None else {}
            base_oof = base.out_of_fold([texts[i] for i in sub], Y[sub], sub_splits, features=Z[sub],
                                        fit_params=sub_params or None)
            base.fit([texts[i] for i in sub], Y[sub], features=Z[sub], **sub_params)
            base.thresholds_ = tune_thresholds(base_oof, Y[sub], min_positive=clf.min_positive)
            metrics["held_out_without_their_corpora"] = _held_out_reports(base, held, Yh, Zh)
        else:
            log(f"framing: {scheme}: no baseline without the held-out rows' corpora (the other corpora have "
                f"{len(set(groups[outside].tolist()))} articles, fewer than {folds} folds)")
        for c, by_lang in metrics["held_out"].items():
            log(f"framing: {scheme}: held out {c}: " + ", ".join(
                f"{lg} micro-F1 {b['micro_f1']:.3f}" + (
                    f" (without its corpus {metrics['held_out_without_their_corpora'][c][lg]['micro_f1']:.3f})"
                    if "held_out_without_their_corpora" in metrics else "")
                for lg, b in by_lang.items()))
    trained_langs = sorted(set(langs.tolist()))
    clf.card_ = {
        "name": f"xhs_nlp {scheme} classifier (SemEval-2023 Task 3 scheme)",
        "task": ("article/section: 14 policy frames, multi-label" if scheme == "frames"
                 else "paragraph: 23 persuasion techniques, multi-label"),
        "training_data": sources,
        "training_rows": len(train),
        "articles": int(len(set(groups))),
        "languages": {lg: int((langs == lg).sum()) for lg in trained_langs},
        "corpora": {c: int((corpora == c).sum()) for c in sorted(set(corpora.tolist()))},
        "weights": ({c: float(w[corpora == c][0]) for c in sorted(set(corpora.tolist()))} if w is not None else None),
        "held_out_rows": len(held),
        "dropped_copies_of_held_out": dropped,
        "cross_lingual_note": ("trained on " + ", ".join(trained_langs) + "; any other language is scored through "
                               "the multilingual encoder alone, without in-language training or evaluation"),
        "seed": seed,
        "metrics": metrics,
    }
    log(f"framing: {scheme}: cross-validated micro-F1 {cv['micro_f1']:.3f} (macro {cv['macro_f1']:.3f}; at 0.5: "
        f"{metrics['cross_validated_micro_f1_at_0.5']:.3f}); "
        + ", ".join(f"{lg} {b['micro_f1']:.3f}" for lg, b in cv["per_lang"].items()))
    return clf


def _held_out_reports(clf: FramingClassifier, held: list[LabelledRow], Yh: np.ndarray,
                      Zh: np.ndarray) -> dict[str, dict[str, dict]]:
    """``{corpus: {lang: multilabel report}}`` of the held-out rows at the model's thresholds."""
    P = clf.predict([r.text for r in held], features=Zh).astype(bool)
    corpora = np.array([r.corpus for r in held])
    langs = np.array([r.lang for r in held])
    return {c: {lg: multilabel_report(Yh[(corpora == c) & (langs == lg)], P[(corpora == c) & (langs == lg)],
                                      clf.labels)
                for lg in sorted(set(langs[corpora == c].tolist()))}
            for c in sorted(set(corpora.tolist()))}
