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
model card. No Chinese framing data exists: Chinese text is scored through the
multilingual encoder (trained on en, de, fr, it, pl, ru), which the cards and the README
say. Evidence sentences are the section's sentences the same heads score highest.

Example:
    >>> import xhs_nlp
    >>> from xhs_nlp.framing import framing
    >>> doc = xhs_nlp.segment("I. Money\\nThe platform's ad revenue fell 20% as advertisers cut budgets.")
    >>> sec = framing(doc).sections[0]
    >>> sec.title, max(sec.frames, key=sec.frames.get)
    ('Money', 'Economic')
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .claims import _sigmoid
from .errors import DataError, InputError, ModelError
from .persist import load_model_folder, save_model_folder

if TYPE_CHECKING:  # pragma: no cover
    from .document import Document, Sentence

__all__ = [
    "FRAMES",
    "TECHNIQUES",
    "CATEGORIES",
    "RHETORICAL_CUES",
    "FramingClassifier",
    "Evidence",
    "SectionFraming",
    "DocumentFraming",
    "framing",
    "train_framing",
    "scheme_of",
]

Scheme = Literal["frames", "techniques"]
Head = Literal["linear", "mlp", "linear+mlp"]

#: The 14 frames of SemEval-2023 Task 3, subtask 2.
FRAMES: tuple[str, ...] = (
    "Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation",
    "Crime_and_punishment", "Security_and_defense", "Health_and_safety", "Quality_of_life",
    "Cultural_identity", "Public_opinion", "Political", "External_regulation_and_reputation",
)

#: SemEval-2023's six categories of persuasion techniques.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "attack_on_reputation": ("Name_Calling-Labeling", "Guilt_by_Association", "Doubt", "Appeal_to_Hypocrisy",
                             "Questioning_the_Reputation"),
    "justification": ("Flag_Waving", "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values",
                      "Appeal_to_Fear-Prejudice"),
    "distraction": ("Straw_Man", "Red_Herring", "Whataboutism"),
    "simplification": ("Causal_Oversimplification", "False_Dilemma-No_Choice", "Consequential_Oversimplification"),
    "call": ("Slogans", "Conversation_Killer", "Appeal_to_Time"),
    "manipulative_wording": ("Loaded_Language", "Obfuscation-Vagueness-Confusion", "Exaggeration-Minimisation",
                             "Repetition"),
}

#: The 23 persuasion techniques of SemEval-2023 Task 3, subtask 3 (category order).
TECHNIQUES: tuple[str, ...] = tuple(t for ts in CATEGORIES.values() for t in ts)

#: Rhetorical cues counted per section (names from :data:`xhs_nlp.cues.CUES`, plus
#: ``statistics``: percentages, money, dates and counts together).
RHETORICAL_CUES: tuple[str, ...] = (
    "question", "quotation", "attribution", "authority", "statistics", "hedge", "booster", "metaphor",
    "historical_analogy", "obligation", "contrast", "exclamation", "superlative", "first_person", "second_person",
)
_STATISTICS = ("percent", "money", "date", "number")

KINDS: dict[str, tuple[str, ...]] = {"frames": FRAMES, "techniques": TECHNIQUES}
#: the head :func:`train_framing` fits per scheme unless told otherwise (techniques: the
#: linear+MLP average beat either head alone in cross-validation, see the README; frames,
#: ~1k articles, keep the linear head)
DEFAULT_HEADS: dict[str, Head] = {"frames": "linear", "techniques": "linear+mlp"}
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
#: languages of the SemEval-2023 training articles (everything else is cross-lingual)
TRAINED_LANGS = ("en", "de", "fr", "it", "pl", "ru")


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
                    what: str = "frames model", progress: bool = False) -> np.ndarray:
    """One row per text: the length-weighted mean of its parts' layer features."""
    from .encoder import layer_features

    flat = [p for ps in parts for p in ps]
    if not flat:
        raise InputError("no text to score")
    F = layer_features(enc, flat, layers, trained_on=trained_on, what=what, progress=progress)
    out = np.zeros((len(parts), F.shape[1]), dtype=np.float32)
    k = 0
    for i, ps in enumerate(parts):
        if not ps:
            raise InputError(f"text {i} has no paragraph to score")
        w = np.array([len(p) for p in ps], dtype=np.float64)
        out[i] = (F[k : k + len(ps)] * (w / w.sum())[:, None]).sum(0)
        k += len(ps)
    return out


class FramingClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label frames or persuasion techniques over the shared encoder.

    A head on standardised encoder features, with one decision threshold per label
    (``thresholds_``; :func:`train_framing` tunes them by cross-validation, :meth:`fit`
    alone leaves them at 0.5). The head is one logistic regression per label
    (``head="linear"``, the shipped frames model), a network with one hidden layer
    shared by all labels (``head="mlp"``), or the average of the two heads'
    probabilities (``head="linear+mlp"``, the shipped techniques model; see the README
    for what each scored).

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
        >>> p = clf.predict_proba(["Inflation hit 9% and wages fell behind prices."])[0]
        >>> clf.labels[p.argmax()], "Economic" in clf.predict(["Inflation hit 9% and wages fell behind prices."])[0]
        ('Economic', True)
    """

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
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags

    @property
    def labels(self) -> tuple[str, ...]:
        """The scheme's label names, in column order."""
        if self.scheme not in KINDS:
            raise InputError(f"scheme must be 'frames' or 'techniques', got {self.scheme!r}")
        return KINDS[self.scheme]

    def _encoder(self):
        from .encoder import get_encoder

        return get_encoder(self.encoder)

    def _features(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        enc = self._encoder()
        trained_on = getattr(self, "encoder_fingerprint_", None)
        layers = list(self.layers) if self.layers is not None else None
        if self.scheme == "frames":
            return pooled_features(enc, [_paragraphs(t) for t in texts], layers, trained_on=trained_on,
                                   what=f"{self.scheme} model", progress=progress)
        from .encoder import layer_features

        return layer_features(enc, texts, layers, trained_on=trained_on, what=f"{self.scheme} model", progress=progress)

    def _indicator(self, y: Any, n: int) -> np.ndarray:
        if len(y) != n:
            raise DataError(f"{n} texts but {len(y)} label lists")
        Y = np.zeros((n, len(self.labels)), dtype=bool)
        index = {lab: j for j, lab in enumerate(self.labels)}
        for i, ls in enumerate(y):
            if isinstance(ls, str):
                raise DataError(f"row {i}: labels must be a list of {self.scheme} names, got the string {ls!r}")
            for lab in ls:
                if lab not in index:
                    raise DataError(f"row {i}: {lab!r} is not one of the {len(self.labels)} {self.scheme} "
                                    f"(see xhs_nlp.framing.{self.scheme.upper()})")
                Y[i, index[lab]] = True
        return Y

    def fit(self, X: Sequence[str], y: Sequence[Sequence[str]], *, _features: np.ndarray | None = None) -> FramingClassifier:
        """Fit the head: logistic regressions per label and/or the shared-hidden-layer MLP.

        Args:
            X: texts (articles or sections for frames, paragraphs for techniques).
            y: one list of label names per text (an empty list: no label).

        Raises:
            DataError: unknown label names, mismatched lengths, empty texts.
        """
        from sklearn.linear_model import LogisticRegression

        if self.head not in _HEAD_ARRAYS:
            raise InputError(f"head must be one of {tuple(_HEAD_ARRAYS)}, got {self.head!r}")
        texts = _check_texts(X)
        Y = self._indicator(y, len(texts))
        Z = _features if _features is not None else self._features(texts)
        mean = Z.mean(0)
        scale = Z.std(0)
        scale[scale < 1e-8] = 1.0
        Zs = (Z - mean) / scale
        pos = Y.sum(0)
        trained = [j for j in range(len(self.labels)) if self.min_positive <= pos[j] < len(Y)]
        untrained = [j for j in range(len(self.labels)) if j not in trained]
        self.mean_, self.scale_ = mean.astype(np.float32), scale.astype(np.float32)
        self.coef_ = self.intercept_ = self.hidden_weight_ = self.hidden_bias_ = None
        self.output_weight_ = self.output_bias_ = None
        if self.head in ("linear", "linear+mlp"):
            coef = np.zeros((len(self.labels), Z.shape[1]), dtype=np.float32)
            intercept = np.full(len(self.labels), -30.0, dtype=np.float32)  # untrained labels: never predicted
            for j in trained:
                lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                                        random_state=self.random_state).fit(Zs, Y[:, j])
                coef[j], intercept[j] = lr.coef_[0], lr.intercept_[0]
            self.coef_, self.intercept_ = coef, intercept
        if self.head in ("mlp", "linear+mlp"):
            from ._mlp import fit_mlp

            w = fit_mlp(Zs, Y, hidden_size=self.hidden_size, dropout=self.dropout, epochs=self.epochs,
                        learning_rate=self.learning_rate, weight_decay=self.weight_decay, seed=self.random_state)
            w["w2"][untrained], w["b2"][untrained] = 0.0, -30.0
            self.hidden_weight_, self.hidden_bias_, self.output_weight_, self.output_bias_ = (
                w["w1"], w["b1"], w["w2"], w["b2"])
        self.thresholds_ = np.full(len(self.labels), 0.5, dtype=np.float32)
        self.trained_labels_ = [self.labels[j] for j in trained]
        self.classes_ = np.array(self.labels)
        if _features is None or not hasattr(self, "encoder_fingerprint_"):
            self.encoder_fingerprint_ = self._encoder().fingerprint
        return self

    def predict_proba(self, X: Sequence[str], *, _features: np.ndarray | None = None) -> np.ndarray:
        """``(len(X), len(labels))`` probabilities, one independent column per label."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "thresholds_")
        texts = _check_texts(X)
        Z = _features if _features is not None else self._features(texts)
        return self._proba(Z)

    def _proba(self, Z: np.ndarray) -> np.ndarray:
        Zs = (Z - self.mean_) / self.scale_
        probs = []
        if self.coef_ is not None:
            probs.append(_sigmoid(Zs @ self.coef_.T + self.intercept_))
        if self.hidden_weight_ is not None:
            from ._mlp import mlp_logits

            probs.append(_sigmoid(mlp_logits(Zs, self.hidden_weight_, self.hidden_bias_, self.output_weight_,
                                             self.output_bias_)))
        return probs[0] if len(probs) == 1 else np.mean(probs, axis=0)

    def predict(self, X: Sequence[str]) -> list[list[str]]:
        """The labels above their thresholds, per text."""
        P = self.predict_proba(X)
        return [[self.labels[j] for j in np.flatnonzero(row >= self.thresholds_)] for row in P]

    def score(self, X: Sequence[str], y: Sequence[Sequence[str]], sample_weight: Any = None) -> float:
        """Micro-F1 of :meth:`predict` against ``y``."""
        Y = self._indicator(y, len(X))
        P = self.predict_proba(X) >= self.thresholds_
        return _micro_f1(Y, P)

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str], *, card: dict[str, Any] | None = None) -> Path:
        """Write a model folder (JSON card + safetensors arrays; loading runs no code)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "thresholds_")
        arrays = {"mean": self.mean_, "scale": self.scale_, "thresholds": self.thresholds_}
        for name in _HEAD_ARRAYS[self.head]:
            arrays[name] = getattr(self, name + "_")
        full = dict(card if card is not None else getattr(self, "card_", {}))
        params = self.get_params()
        if params["layers"] is not None:
            params["layers"] = [int(x) for x in params["layers"]]
        enc = self._encoder()
        full.update(kind=self.scheme, labels=list(self.labels), hyperparameters=params,
                    thresholds={lab: float(t) for lab, t in zip(self.labels, self.thresholds_)},
                    trained_labels=list(self.trained_labels_))
        full.setdefault("encoder", {"name": enc.name, "fingerprint": self.encoder_fingerprint_,
                                    "precision": enc.precision,
                                    **{k: enc.info.get(k) for k in ("source_package", "source_sha256")}})
        return save_model_folder(path, full, {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()})

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, scheme: Scheme = "frames") -> FramingClassifier:
        """Load a model folder (default: the shipped ``models/frames`` or ``models/techniques``).

        Raises:
            ModelError: missing, damaged or tampered folder, or a model of another kind.
        """
        if scheme not in KINDS:
            raise InputError(f"scheme must be 'frames' or 'techniques', got {scheme!r}")
        folder = Path(path) if path is not None else MODELS_DIR / scheme
        card, arrays = load_model_folder(folder, kind=scheme)
        try:
            clf = cls(**card["hyperparameters"])
            if clf.head not in _HEAD_ARRAYS:
                raise ModelError(f"{folder}: unknown head {clf.head!r}")
            n, d, h = len(clf.labels), arrays["mean"].shape[0], clf.hidden_size
            shapes = {"mean": (d,), "scale": (d,), "thresholds": (n,), "coef": (n, d), "intercept": (n,),
                      "hidden_weight": (h, d), "hidden_bias": (h,), "output_weight": (n, h), "output_bias": (n,)}
            for name in ("mean", "scale", "thresholds", *_HEAD_ARRAYS[clf.head]):
                if arrays[name].shape != shapes[name]:
                    raise ModelError(f"{folder}: array {name} has shape {arrays[name].shape}, expected {shapes[name]}")
            for name in ("mean", "scale", "thresholds"):
                setattr(clf, name + "_", arrays[name])
            for name in _ALL_HEAD_ARRAYS:
                setattr(clf, name + "_", arrays[name] if name in _HEAD_ARRAYS[clf.head] else None)
            clf.trained_labels_ = list(card["trained_labels"])
        except KeyError as err:
            raise ModelError(f"{folder}: the card or weights lack {err}") from None
        clf.classes_ = np.array(clf.labels)
        clf.card_ = card
        clf.encoder_fingerprint_ = card.get("encoder", {}).get("fingerprint")
        clf.path_ = folder
        return clf


_LINEAR_ARRAYS = ("coef", "intercept")
_MLP_ARRAYS = ("hidden_weight", "hidden_bias", "output_weight", "output_bias")
_ALL_HEAD_ARRAYS = _LINEAR_ARRAYS + _MLP_ARRAYS
_HEAD_ARRAYS: dict[str, tuple[str, ...]] = {"linear": _LINEAR_ARRAYS, "mlp": _MLP_ARRAYS, "linear+mlp": _ALL_HEAD_ARRAYS}


def _check_texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise DataError("X must be a list of texts, not one string")
    texts = list(X)
    if not texts:
        raise DataError("no texts given")
    for i, t in enumerate(texts):
        if not isinstance(t, str) or not t.strip():
            raise DataError(f"text {i} is empty or not a string")
    return texts


def _micro_f1(Y: np.ndarray, P: np.ndarray) -> float:
    tp = int((Y & P).sum())
    return 2 * tp / max(2 * tp + int((~Y & P).sum()) + int((Y & ~P).sum()), 1)


def tune_thresholds(P: np.ndarray, Y: np.ndarray, *, min_positive: int = 5, passes: int = 2) -> np.ndarray:
    """Per-label thresholds that maximise the micro-F1 of ``P >= t`` against ``Y``.

    Starts from the best single threshold for all labels (grid 0.05–0.90), then moves
    each label's threshold in turn to the value that maximises the micro-F1 of all
    labels together (``passes`` rounds). Maximising each label's own F1 instead
    over-predicts rare labels and lowers micro-F1 (measured on SemEval techniques:
    0.415 against 0.449 for one shared threshold). Labels with fewer than
    ``min_positive`` positives keep the shared threshold.
    """
    grid = np.round(np.arange(0.05, 0.901, 0.025), 3)
    Y = Y.astype(bool)
    pred = P[:, :, None] >= grid[None, None, :]  # n, L, G
    tp = (pred & Y[:, :, None]).sum(0)  # L, G
    npred = pred.sum(0)
    npos = Y.sum(0)  # L
    f1_shared = 2 * tp.sum(0) / np.maximum(npred.sum(0) + npos.sum(), 1)
    g = int(np.argmax(f1_shared))
    idx = np.full(Y.shape[1], g)
    free = np.flatnonzero(npos >= min_positive)
    for _ in range(passes):
        for j in free:
            cols = np.arange(Y.shape[1])
            t_other = tp[cols != j, idx[cols != j]].sum()
            p_other = npred[cols != j, idx[cols != j]].sum()
            f1 = 2 * (t_other + tp[j]) / np.maximum(p_other + npred[j] + npos.sum(), 1)
            idx[j] = int(np.argmax(f1))
    return grid[idx].astype(np.float32)


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

    def to_dict(self) -> dict[str, Any]:
        return {"sections": [s.to_dict() for s in self.sections], "document": self.document.to_dict(),
                "sentence_techniques": self.sentence_techniques, "models": self.models}


def _cue_hits(sentences: Sequence[Sentence], offset_index: dict[int, int]) -> tuple[list[dict], int]:
    """The rhetorical cue hits of ``sentences`` (offsets into the document) and their word tokens."""
    from .cues import find_cues

    names = [c for c in RHETORICAL_CUES if c != "statistics"] + list(_STATISTICS)
    hits = []
    n_tokens = 0
    for s in sentences:
        n_tokens += sum(1 for t in s.tokens if t.kind != "punct")
        for h in find_cues(s.text, names):
            cue = "statistics" if h.cue in _STATISTICS else h.cue
            hits.append({"cue": cue, "kind": h.cue, "start": s.start + h.start, "end": s.start + h.end, "text": h.text,
                         "sentence": offset_index[s.start]})
    return hits, n_tokens


def _cue_rates(hits: list[dict], n_tokens: int) -> dict[str, float]:
    counts = dict.fromkeys(RHETORICAL_CUES, 0)
    for h in hits:
        counts[h["cue"]] += 1
    return {k: 1000.0 * v / max(n_tokens, 1) for k, v in counts.items()}


def framing(doc: Document, *, frames_model: FramingClassifier | str | os.PathLike[str] | None = None,
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

    Example:
        >>> import xhs_nlp
        >>> doc = xhs_nlp.segment("一、监管\\n监管部门对平台处以罚款，要求整改。")
        >>> framing(doc).sections[0].cues_per_1000_tokens["statistics"]
        0.0
    """
    fm = frames_model if isinstance(frames_model, FramingClassifier) else FramingClassifier.load(frames_model, scheme="frames")
    tm = (techniques_model if isinstance(techniques_model, FramingClassifier)
          else FramingClassifier.load(techniques_model, scheme="techniques"))
    if fm.scheme != "frames" or tm.scheme != "techniques":
        raise ModelError("frames_model must be a frames model and techniques_model a techniques model")
    sentences = doc.sentences
    sent_index = {s.start: i for i, s in enumerate(sentences)}
    scorable = [sec for sec in doc.sections if any(s.lang != "und" for s in sec.sentences)]
    # one encoder call per granularity for the whole document: paragraphs, then sentences
    para_texts = [p.text for sec in scorable for p in sec.paragraphs]
    sent_texts = [s.text for sec in scorable for s in sec.sentences]
    if para_texts:
        p_tech = tm.predict_proba(para_texts)
        sent_f = fm._proba(_layer_feats(fm, sent_texts))
        sent_t = tm._proba(_layer_feats(tm, sent_texts))
    out: list[SectionFraming] = []
    pi = si = 0
    for sec in doc.sections:
        res = SectionFraming(sec.index, sec.number, sec.title, sec.start, sec.end)
        sents = sec.sentences
        if not sents:
            res.empty_reason = "the section has no sentences"
            out.append(res)
            continue
        res.cue_hits, res.tokens = _cue_hits(sents, sent_index)
        res.cues_per_1000_tokens = _cue_rates(res.cue_hits, res.tokens)
        if sec not in scorable:
            res.empty_reason = "no sentence is in a language the encoder covers (no letters)"
            out.append(res)
            continue
        paras = sec.paragraphs
        pf = fm._proba(_section_feats(fm, [paras]))[0]
        pt = p_tech[pi : pi + len(paras)]
        sf = sent_f[si : si + len(sents)]
        st = sent_t[si : si + len(sents)]
        pi += len(paras)
        si += len(sents)
        _fill(res, fm, tm, pf, pt, paras, sf, st, sents, sent_index, evidence, top)
        out.append(res)
    whole = SectionFraming(None, None, None, 0, len(doc.text))
    if scorable:
        all_paras = [p for sec in scorable for p in sec.paragraphs]
        all_sents = [s for sec in scorable for s in sec.sentences]
        # every body sentence belongs to one section: the document's cues are the sections' together
        whole.cue_hits = [h for sec in out for h in sec.cue_hits]
        whole.tokens = sum(sec.tokens for sec in out)
        whole.cues_per_1000_tokens = _cue_rates(whole.cue_hits, whole.tokens)
        pf = fm._proba(_section_feats(fm, [all_paras]))[0]
        _fill(whole, fm, tm, pf, p_tech, all_paras, sent_f, sent_t, all_sents, sent_index, evidence, top)
        whole.paragraphs = []  # listed per section
    else:
        whole.empty_reason = "the document has no sentence in a language the encoder covers"
    carried: list[list[str]] = [[] for _ in sentences]
    if scorable:
        k = 0  # row of the scorable sentences in sent_t
        for pj, p in enumerate(q for sec in scorable for q in sec.paragraphs):
            rows = range(k, k + len(p.sentences))
            k += len(p.sentences)
            for j in np.flatnonzero(p_tech[pj] >= tm.thresholds_):
                best = max(rows, key=lambda r: sent_t[r, j])
                carried[sent_index[p.sentences[best - rows.start].start]].append(tm.labels[j])
    models = {"frames": str(getattr(fm, "path_", "in memory")), "techniques": str(getattr(tm, "path_", "in memory"))}
    return DocumentFraming(out, whole, models, carried)


def _layer_feats(model: FramingClassifier, texts: list[str]) -> np.ndarray:
    from .encoder import layer_features

    layers = list(model.layers) if model.layers is not None else None
    return layer_features(model._encoder(), texts, layers, trained_on=model.encoder_fingerprint_,
                          what=f"{model.scheme} model")


def _section_feats(model: FramingClassifier, sections: list[Sequence[Any]]) -> np.ndarray:
    # the paragraphs' own texts, so the encoder's cache serves frames and techniques alike
    layers = list(model.layers) if model.layers is not None else None
    return pooled_features(model._encoder(), [[p.text for p in paras] for paras in sections], layers,
                           trained_on=model.encoder_fingerprint_, what=f"{model.scheme} model")


def _fill(res: SectionFraming, fm: FramingClassifier, tm: FramingClassifier, pf: np.ndarray, pt: np.ndarray,
          paras: Sequence[Any], sf: np.ndarray, st: np.ndarray, sents: Sequence[Sentence], sent_index: dict[int, int],
          n_evidence: int, top: int) -> None:
    res.frames = {lab: float(p) for lab, p in zip(fm.labels, pf)}
    res.frames_on = [fm.labels[j] for j in np.argsort(-pf) if pf[j] >= fm.thresholds_[j]]
    sec_t = pt.max(0)
    res.techniques = {lab: float(p) for lab, p in zip(tm.labels, sec_t)}
    on = pt >= tm.thresholds_[None, :]
    res.techniques_on = [tm.labels[j] for j in np.argsort(-sec_t) if on[:, j].any()]
    res.categories = {cat: max(res.techniques[t] for t in ts) for cat, ts in CATEGORIES.items()}
    res.paragraphs = [{"start": p.start, "end": p.end,
                       "techniques_on": [tm.labels[j] for j in np.argsort(-pt[k]) if on[k, j]],
                       "top_technique": tm.labels[int(np.argmax(pt[k]))],
                       "top_probability": round(float(pt[k].max()), 4)} for k, p in enumerate(paras)]

    def pick(on_labels: list[str], probs: np.ndarray, S: np.ndarray, all_labels: tuple[str, ...]) -> None:
        want = list(dict.fromkeys([*on_labels, *[all_labels[j] for j in np.argsort(-probs)[:top]]]))
        for lab in want:
            j = all_labels.index(lab)
            best = np.argsort(-S[:, j])[:n_evidence]
            res.evidence[lab] = [Evidence(lab, sent_index[sents[b].start], sents[b].start, sents[b].end, sents[b].text,
                                          float(S[b, j])) for b in best]

    pick(res.frames_on, pf, sf, fm.labels)
    pick(res.techniques_on, sec_t, st, tm.labels)


# -- training ---------------------------------------------------------------------------------


def _load_multilabel(path: str | os.PathLike[str]) -> tuple[Scheme, list[tuple[str, list[str], str, str]], dict]:
    """Rows ``(text, labels, lang, group)`` of one file, its scheme and its card record.

    Raises:
        DataError: a missing field, an empty text, labels that are not a list, or label
            names outside the scheme (the row is named).
    """
    from ._corpora import source_record
    from .evaluate import _rows
    from .segment.language import detect_lang

    raw = _rows(path)
    if not raw:
        raise DataError(f"{path}: no rows")
    labels = []
    for i, r in enumerate(raw):
        for key in ("text", "label"):
            if key not in r or r[key] is None:
                raise DataError(f"{path}: row {i} has no {key!r} field")
        lab = r["label"]
        if isinstance(lab, str):
            lab = [x.strip() for x in lab.split(",") if x.strip()]
        if not isinstance(lab, (list, tuple)):
            raise DataError(f"{path}: row {i}: label must be a list of names (or a comma-separated string)")
        labels.append([str(x) for x in lab])
    scheme = scheme_of(labels)
    allowed = set(KINDS[scheme])
    rows = []
    for i, (r, lab) in enumerate(zip(raw, labels)):
        bad = [x for x in lab if x not in allowed]
        if bad:
            raise DataError(f"{path}: row {i}: {bad} are not {scheme} labels")
        text = r["text"]
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{path}: row {i}: text is empty or not a string")
        sid = str(r.get("source_id") or f"row{i}")
        group = sid.split(":")[0]  # SemEval paragraphs: "<lang>/article<ID>:line<n>" → the article
        rows.append((text, lab, str(r.get("lang") or detect_lang(text)), group))
    return scheme, rows, source_record(path, len(raw))


def multilabel_metrics(Y: np.ndarray, P: np.ndarray, labels: Sequence[str], langs: np.ndarray | None = None) -> dict:
    """Micro-F1, macro-F1 (labels with support), exact-match accuracy and per-label
    precision/recall/F1/support; the same per language when ``langs`` is given."""
    from sklearn.metrics import precision_recall_fscore_support

    def block(y: np.ndarray, p: np.ndarray) -> dict:
        pr, rc, f1, sup = precision_recall_fscore_support(y, p, zero_division=0)
        present = sup > 0
        return {"n": int(len(y)), "micro_f1": _micro_f1(y, p),
                "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
                "accuracy": float((y == p).all(1).mean()),
                "per_label": {lab: {"precision": float(a), "recall": float(b), "f1": float(c), "support": int(d)}
                              for lab, a, b, c, d in zip(labels, pr, rc, f1, sup)}}

    out = block(Y, P)
    if langs is not None:
        out["per_lang"] = {lg: block(Y[langs == lg], P[langs == lg]) for lg in sorted(set(langs.tolist()))}
    return out


def out_of_fold(clf: FramingClassifier, texts: list[str], labels: Sequence[Sequence[str]], Z: np.ndarray,
                splits: Sequence[tuple[np.ndarray, np.ndarray]], *,
                on_fold: Callable[[int], None] | None = None) -> np.ndarray:
    """Out-of-fold probabilities: a clone of ``clf`` fitted on each split's training rows
    (features ``Z``, one row per text) scores its held-out rows."""
    oof = np.zeros((len(texts), len(clf.labels)), dtype=np.float64)
    for k, (a, b) in enumerate(splits):
        m = FramingClassifier(**clf.get_params()).fit([texts[i] for i in a], [labels[i] for i in a], _features=Z[a])
        oof[b] = m._proba(Z[b])
        if on_fold is not None:
            on_fold(k)
    return oof


def cross_fitted(oof: np.ndarray, Y: np.ndarray, splits: Sequence[tuple[np.ndarray, np.ndarray]], *,
                 min_positive: int = 5) -> np.ndarray:
    """Each split's held-out predictions at thresholds tuned (:func:`tune_thresholds`) on
    the other rows' out-of-fold probabilities, so no row is judged by thresholds it set."""
    P = np.zeros_like(Y, dtype=bool)
    for a, b in splits:
        P[b] = oof[b] >= tune_thresholds(oof[a], Y[a], min_positive=min_positive)
    return P


def train_framing(
    data: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    verbose: bool = True,
    **params: Any,
) -> dict[str, FramingClassifier]:
    """Train frames and/or techniques models; write ``out/frames`` and ``out/techniques``.

    Each file's scheme is read from its labels (frames or techniques; SemEval-2023's
    ``frames.jsonl`` holds articles, ``persuasion.jsonl`` paragraphs). Rows are
    deduplicated by normalised text (a text with differing label sets is dropped),
    cross-validation folds are grouped by article (``source_id`` up to ``:``), each
    fold's predictions are judged with thresholds tuned on the other folds'
    predictions (so the card's CV figures are not tuned on their own rows), and the
    shipped thresholds are tuned on all out-of-fold predictions.

    Args:
        data: JSONL/CSV/Parquet files with ``text``, ``label`` (a list) and optionally
            ``lang`` and ``source_id``.
        out: the parent folder of the model folders (nothing is written on failure).
        folds: cross-validation folds (grouped by article).
        seed: solver seed.
        **params: :class:`FramingClassifier` hyper-parameters, for every scheme trained.
            Without ``head``, frames get the linear head and techniques the linear+MLP
            average (:data:`DEFAULT_HEADS`, the heads the README's figures were measured with).

    Raises:
        DataError: bad rows (named), labels outside both schemes, too few rows.
    """
    from sklearn.model_selection import GroupKFold

    from ._corpora import dedupe

    t0 = time.perf_counter()
    log = (lambda *a: print(*a, flush=True)) if verbose else (lambda *a: None)
    paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    if not paths:
        raise DataError("no training data given")
    by_scheme: dict[str, tuple[list, list]] = {}
    for path in paths:
        scheme, rows, src = _load_multilabel(path)
        log(f"framing: {path}: {len(rows)} {scheme} rows")
        rs, srcs = by_scheme.setdefault(scheme, ([], []))
        rs += rows
        srcs.append(src)
    models: dict[str, FramingClassifier] = {}
    for scheme, (rows, sources) in by_scheme.items():
        train = dedupe(rows, label=lambda r: tuple(sorted(r[1])))
        if len({r[3] for r in train}) < folds:
            raise DataError(f"{scheme}: {len({r[3] for r in train})} articles, fewer than {folds} folds")
        clf = FramingClassifier(scheme, random_state=seed,  # type: ignore[arg-type]
                                **{"head": DEFAULT_HEADS[scheme], **params})
        texts = [r[0] for r in train]
        Y = clf._indicator([r[1] for r in train], len(train))
        langs = np.array([r[2] for r in train])
        groups = np.array([r[3] for r in train])
        log(f"framing: {scheme}: {len(rows)} rows -> {len(train)} after dedup/conflicts, {len(set(groups))} articles; "
            f"encoding{' paragraph by paragraph' if scheme == 'frames' else ''}")
        Z = clf._features(texts, progress=verbose)
        splits = list(GroupKFold(n_splits=folds).split(texts, groups=groups))
        oof = out_of_fold(clf, texts, [r[1] for r in train], Z, splits,
                          on_fold=lambda k: log(f"framing: {scheme}: fold {k + 1}/{folds} done "
                                                f"({time.perf_counter() - t0:.0f} s)"))
        cv = multilabel_metrics(Y, cross_fitted(oof, Y, splits, min_positive=clf.min_positive), clf.labels, langs)
        clf.fit(texts, [r[1] for r in train], _features=Z)
        clf.thresholds_ = tune_thresholds(oof, Y, min_positive=clf.min_positive)
        at_half = _micro_f1(Y, oof >= 0.5)
        clf.card_ = {
            "name": f"xhs_nlp {scheme} classifier (SemEval-2023 Task 3 scheme)",
            "task": ("article/section: 14 policy frames, multi-label" if scheme == "frames"
                     else "paragraph: 23 persuasion techniques, multi-label"),
            "training_data": sources,
            "training_rows": len(train),
            "articles": int(len(set(groups))),
            "languages": {lg: int((langs == lg).sum()) for lg in sorted(set(langs.tolist()))},
            "cross_lingual_note": ("trained on " + ", ".join(sorted(set(langs.tolist()))) + "; no Chinese framing data "
                                   "exists, so Chinese (and any other language) is scored through the multilingual "
                                   "encoder alone, without in-language training or evaluation"),
            "seed": seed,
            "metrics": {"cross_validated": cv, "cross_validated_micro_f1_at_0.5": at_half,
                        "cv": f"{folds}-fold GroupKFold by article; each fold judged with per-label thresholds "
                              "tuned on the other folds' out-of-fold predictions"},
        }
        log(f"framing: {scheme}: cross-validated micro-F1 {cv['micro_f1']:.3f} (macro {cv['macro_f1']:.3f}; at 0.5: "
            f"{at_half:.3f}); " + ", ".join(f"{lg} {b['micro_f1']:.3f}" for lg, b in cv["per_lang"].items()))
        models[scheme] = clf
    if out is not None:
        for scheme, clf in models.items():
            clf.card_["training_seconds"] = round(time.perf_counter() - t0, 1)
            clf.save(Path(out) / scheme)
            clf.path_ = Path(out) / scheme
            log(f"framing: saved {Path(out) / scheme}")
    return models
