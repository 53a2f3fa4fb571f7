"""Target-dependent sentiment: how one sentence portrays one target in it (an organisation).

A sentence's overall tone does not say how it treats each organisation it names ("Tencent's
ad revenue grew for 11 quarters while Xiaohongshu's trust eroded" is good news for one and
bad news for the other). :class:`TargetSentimentModel` scores a (sentence, target span)
pair: negative / neutral / positive, three probabilities that sum to 1. The target's
position is part of the input: the features are the sentence's mean-pooled hidden states
(all 13 layers of the shared encoder) next to those of the clause that holds the target
(:func:`clause_span`: cut at punctuation and at *while*, *but*, 而, 但, ...) and of the
target's own tokens, both read in the sentence's context
(:meth:`~xhs_nlp.encoder.Encoder.span_features`), so two targets of one sentence get two
answers. A one-hidden-layer network reads them (as the sentence-sentiment head does).

Training data name a target by offsets or by its string (:func:`~xhs_nlp.labelled.read_targeted`):
NewsMTSC (political news, sentences with target offsets), SEntFiN (finance headlines, one
label per entity) and BBT FinNSP (Chinese financial news and posts: is the text negative
about each listed entity; an entity that is not one is ``non-negative``, a partial label the
network learns as "neutral or positive"). A long text is read in the sentence around the
target (at most ``max_context`` characters).

Example:
    >>> m = TargetSentimentModel.load()
    >>> s = "Tencent's advertising revenue grew strongly, while Xiaohongshu lost users' trust."
    >>> [m.predict([s], targets=[t])[0] for t in ("Tencent", "Xiaohongshu")]
    ['positive', 'negative']
"""

from __future__ import annotations

import logging
import json
import os
import re
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .errors import DataError, InputError, ModelError
from . import heads
from .heads import Anything, EncoderHead, Integer, Options, Real, check_texts, in_row_batches
from .labelled import TargetRow, corpus_weights, cv_groups, cv_unit, find_target, read_targeted, source_record, split_held_out
from .metrics import negativity_decisions, sentiment_decisions, two_scheme_reports
from .ops import fit_standardiser, softmax, standardise
from .schemes import NON_NEGATIVE, SENTIMENT_LABELS, TARGET_LABELS

__all__ = ["TargetSentimentModel", "context_window", "clause_span", "resolve_targets", "train_target_sentiment", "target_report",
           "LABELS", "TARGET_LABELS", "KIND"]

_log = logging.getLogger(__name__)

LABELS = SENTIMENT_LABELS
KIND = "target-sentiment"
#: the classes each training label allows (a partial label allows several)
_ALLOWED = {"negative": (1, 0, 0), "neutral": (0, 1, 0), "positive": (0, 0, 1), NON_NEGATIVE: (0, 1, 1)}
_BOUNDARY = re.compile(r"[。！？!?；;\n]|\.(?=\s)")
#: where a clause ends: punctuation inside a sentence and contrastive conjunctions
_CLAUSE = re.compile(r"[。！？!?；;:：,，、—–()（）\n]|\.(?=\s|$)|\s(?:while|whereas|but|although|though|yet|even as)\s"
                     r"|而|但|却|然而|不过", re.IGNORECASE)


#: how the features pool the encoder's states (the card's ``features.pooling``), with and without the clause
_POOLING = {
    True: "mean over the context's tokens, over the tokens of the clause that holds the target (read in the context) "
          "and over the target's tokens (read in the context), each layer",
    False: "mean over the context's tokens, and mean over the target's tokens, each layer",
}


def clause_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the clause of ``text`` that holds ``text[start:end]``: from the last
    clause boundary before it (punctuation, or a contrastive conjunction such as *while*,
    *but*, 而, 但) to the first one after it.

    Example:
        >>> s = "Tencent's revenue grew while Xiaohongshu's trust eroded."
        >>> a, b = clause_span(s, 29, 40); s[a:b]
        "Xiaohongshu's trust eroded"
    """
    lo = max((m.end() for m in _CLAUSE.finditer(text, 0, start) if m.end() <= start), default=0)
    nxt = next((m for m in _CLAUSE.finditer(text, end)), None)
    hi = nxt.start() if nxt else len(text)
    while lo < start and text[lo].isspace():
        lo += 1
    while hi > end and text[hi - 1].isspace():
        hi -= 1
    return lo, max(hi, end)


def context_window(text: str, start: int, end: int, max_chars: int) -> tuple[str, int, int]:
    """``(context, start, end)``: the sentence of ``text`` around ``text[start:end]`` when
    the text is longer than ``max_chars``, cut to ``max_chars`` characters centred on the
    target when that sentence is still longer; offsets into the context.

    Example:
        >>> context_window("第一句。小红书的信任在流失。第三句。", 4, 7, 10)
        ('小红书的信任在流失。', 0, 3)
    """
    if len(text) <= max_chars:
        return text, start, end
    lo = max((m.end() for m in _BOUNDARY.finditer(text, 0, start)), default=0)
    nxt = _BOUNDARY.search(text, end)
    hi = nxt.end() if nxt else len(text)
    while lo < start and text[lo].isspace():
        lo += 1
    if hi - lo > max_chars:  # a long sentence: the part of it centred on the target
        lo = max(lo, min(start - max(0, max_chars - (end - start)) // 2, hi - max_chars))
        hi = max(lo + max_chars, end)
    return text[lo:hi], start - lo, end - lo


def resolve_targets(texts: Sequence[str], targets: Sequence[Any]) -> list[tuple[int, int]]:
    """One ``(start, end)`` span per text from ``targets``: spans (checked), or target strings
    (their first occurrence, exact, else ignoring case).

    Raises:
        InputError: a number of targets that is not the number of texts.
        DataError: a target that does not occur in its text, or a span outside it (the row is named).
    """
    if targets is None:
        raise InputError("targets= is required: one target (a string or a (start, end) span) per text")
    targets = list(targets)
    if len(targets) != len(texts):
        raise InputError(f"{len(texts)} texts but {len(targets)} targets")
    out = []
    for i, (t, tg) in enumerate(zip(texts, targets)):
        if isinstance(tg, str):
            out.append(find_target(t, tg, f"row {i}"))
            continue
        try:
            a, b = tg
        except (TypeError, ValueError):
            raise DataError(f"row {i}: a target is a string or a (start, end) span, got {tg!r}") from None
        if not (isinstance(a, (int, np.integer)) and isinstance(b, (int, np.integer)) and 0 <= a < b <= len(t)):
            raise DataError(f"row {i}: the span ({a!r}, {b!r}) is not inside the text of {len(t)} characters "
                            "(0 <= start < end <= length)")
        out.append((int(a), int(b)))
    return out


class TargetSentimentModel(EncoderHead):
    """The sentiment of a text towards one target in it: negative / neutral / positive.

    A scikit-learn estimator over texts with one target each (``targets=``, a string or a
    ``(start, end)`` span per text). Training labels are ``negative``, ``neutral``,
    ``positive`` or the partial ``non-negative``; :meth:`predict_proba` gives the three
    columns of :attr:`classes_`.

    Args:
        encoder: the encoder's name or a local model folder.
        layers: encoder layers to read (``None``: all 13).
        hidden_size, dropout, epochs, learning_rate, weight_decay: the network.
        max_context: a longer text is read in the sentence around the target (at most
            this many characters).
        clause: also read the clause that holds the target (:func:`clause_span`), pooled
            in the context: "X grew while Y fell" tells X's clause from Y's.
        random_state: seed.

    Example:
        >>> m = TargetSentimentModel.load()
        >>> P = m.predict_proba(["Kuaishou followed ByteDance's footsteps."], targets=[(0, 8)])
        >>> P.shape, round(float(P.sum()), 6)
        ((1, 3), 1.0)
    """

    kind = KIND
    default_model = "target_sentiment"
    _parameter_constraints = {
        "encoder": Anything("an encoder name or folder"), "layers": Anything("layer indices"),
        "hidden_size": Integer(1, None), "dropout": Real(0, 0.95), "epochs": Integer(1, None),
        "learning_rate": Real(0, None), "weight_decay": Real(0, None), "max_context": Integer(16, None),
        "clause": Options((True, False)), "random_state": Integer(None, None, none=True),
    }
    _fitted_arrays = ("mean", "scale", "w1", "b1", "w2", "b2")

    def __init__(self, *, encoder: str = "multilingual-e5-small", layers: Sequence[int] | None = None,
                 hidden_size: int = 256, dropout: float = 0.3, epochs: int = 10, learning_rate: float = 1e-3,
                 weight_decay: float = 0.01, max_context: int = 300, clause: bool = True,
                 random_state: int | None = 0) -> None:
        self.encoder = encoder
        self.layers = layers
        self.hidden_size = hidden_size
        self.dropout = dropout
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.max_context = max_context
        self.clause = clause
        self.random_state = random_state

    def _what(self) -> str:
        return "target-sentiment model"

    @property
    def name(self) -> str:
        return str(getattr(self, "card_", {}).get("name", KIND))

    def features(self, X: Sequence[str], *, targets: Sequence[Any] | None = None, progress: bool = False,
                 cache: str | os.PathLike[str] | None = None) -> np.ndarray:
        """``(n, k * layers * dim)``: the context's mean-pooled layers, then (with
        :attr:`clause`) the target's clause's, then the target's own tokens' (pass as
        ``features=`` to :meth:`fit` and :meth:`predict_proba`)."""
        from .encoder import FeatureBank, layer_features

        contexts, pairs = self.encoder_inputs(X, targets=targets)
        bank = None if cache is None else FeatureBank(cache)
        kw = dict(trained_on=getattr(self, "encoder_fingerprint_", None), what=self._what(), progress=progress,
                  bank=bank)
        enc, layers = self.shared_encoder(), self._layer_list()
        C = layer_features(enc, contexts, layers, **kw)
        # the clause's and the target's tokens in one call: they share their context's forward pass
        S = layer_features(enc, [t for t, _ in pairs], layers, spans=[sp for _, sp in pairs], **kw)
        n = len(contexts)
        return np.hstack([C, *(S[k * n:(k + 1) * n] for k in range(len(pairs) // n))])

    def encoder_inputs(self, X: Sequence[str], *, targets: Sequence[Any] | None = None
                       ) -> tuple[list[str], list[tuple[str, tuple[int, int]]]]:
        """What :meth:`features` asks the encoder for: the contexts (one per text, pooled
        whole) and the ``(context, span)`` pairs pooled over a span (with :attr:`clause`,
        every text's clause, then every text's target; else the targets). Give them to
        :meth:`~xhs_nlp.encoder.Encoder.prefetch` with other texts to share forward passes.

        Raises:
            DataError: a target that does not occur in its text, or a span outside it.
        """
        texts = check_texts(X)
        spans = resolve_targets(texts, targets)
        ctx = [context_window(t, a, b, self.max_context) for t, (a, b) in zip(texts, spans)]
        pairs = [(c, (a, b)) for c, a, b in ctx]
        if self.clause:
            pairs = [(c, clause_span(c, a, b)) for c, a, b in ctx] + pairs
        return [c for c, _, _ in ctx], pairs

    def fit(self, X: Sequence[str], y: Sequence[str], *, targets: Sequence[Any] | None = None,
            features: np.ndarray | None = None, sample_weight: Any = None) -> TargetSentimentModel:
        """Fit on texts ``X``, one target each, labelled negative/neutral/positive/non-negative.

        Raises:
            DataError: other labels, lengths that do not match, a target not in its text.
        """
        self._validate_hyperparameters()
        if features is None:
            features = self.features(X, targets=targets)
        return super().fit(X, y, features=features, sample_weight=sample_weight)

    def _fit(self, texts: list[str], y: Any, Z: np.ndarray | None, *, sample_weight: Any = None) -> None:
        from ._mlp import fit_mlp

        yy = [str(v) for v in y]
        if len(yy) != len(texts):
            raise DataError(f"{len(texts)} texts but {len(yy)} labels")
        bad = sorted(set(yy) - set(_ALLOWED))
        if bad:
            raise DataError(f"target-sentiment labels must be among {list(TARGET_LABELS)}; found {bad[:5]} "
                            "(use label_map)")
        if not {"negative"} <= set(yy) or not set(yy) & {"positive", NON_NEGATIVE}:
            raise DataError("target-sentiment training needs negative and positive (or non-negative) examples")
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if w is not None and (w.shape != (len(texts),) or not np.all(np.isfinite(w)) or np.any(w < 0)):
            raise DataError(f"sample_weight must be {len(texts)} finite non-negative numbers")
        Y = np.array([_ALLOWED[v] for v in yy], dtype=np.float32)
        self.mean_, self.scale_ = fit_standardiser(Z)
        weights = fit_mlp(standardise(Z, self.mean_, self.scale_), Y, hidden_size=self.hidden_size,
                          dropout=self.dropout, epochs=self.epochs, learning_rate=self.learning_rate,
                          weight_decay=self.weight_decay, seed=0 if self.random_state is None else self.random_state,
                          loss="softmax", sample_weight=w)
        for k, v in weights.items():
            setattr(self, k + "_", v)
        self.classes_ = np.array(LABELS)

    def _proba(self, texts: list[str], Z: np.ndarray | None, **_: Any) -> np.ndarray:
        from ._mlp import mlp_logits

        if Z.shape[1] != self.mean_.shape[0]:
            raise DataError(f"features have {Z.shape[1]} columns, the model reads {self.mean_.shape[0]}")
        return softmax(mlp_logits(standardise(Z, self.mean_, self.scale_), self.w1_, self.b1_, self.w2_, self.b2_))

    def predict_proba(self, X: Sequence[str], *, targets: Sequence[Any] | None = None,
                      features: np.ndarray | None = None) -> np.ndarray:
        """``(n, 3)`` probabilities of negative, neutral, positive towards each text's target
        (more than :data:`~xhs_nlp.heads.PREDICT_ROWS` texts without ``features``: in
        batches of that many, as every head)."""
        self._check_is_fitted()
        if features is None:
            texts = check_texts(X)
            if len(texts) > heads.PREDICT_ROWS:
                return in_row_batches(self.predict_proba, texts, targets=targets)
            features = self.features(texts, targets=targets)
        return super().predict_proba(X, features=features)

    def predict(self, X: Sequence[str], *, targets: Sequence[Any] | None = None,
                features: np.ndarray | None = None) -> np.ndarray:
        """The most probable label towards each text's target."""
        return sentiment_decisions(self.predict_proba(X, targets=targets, features=features))

    def score(self, X: Sequence[str], y: Sequence[str], sample_weight: Any = None, *,
              targets: Sequence[Any] | None = None) -> float:
        """Accuracy of :meth:`predict` against ``y`` (``targets=`` as for :meth:`predict`)."""
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(list(map(str, y)), self.predict(X, targets=targets).tolist(),
                                    sample_weight=sample_weight))

    @classmethod
    def _legacy_card(cls, card: dict[str, Any]) -> dict[str, Any]:
        # a card written before the clause features read the context and the target alone
        if "clause" not in card.get("hyperparameters", {"clause": None}):
            return {**card, "hyperparameters": {**card["hyperparameters"], "clause": False}}
        return card

    def _check_loaded(self, folder: Path) -> None:
        if list(self.classes_) != list(LABELS):
            raise ModelError(f"{folder}: a target-sentiment model's labels are {list(LABELS)}")
        missing = [n for n in self._fitted_arrays if getattr(self, n + "_", None) is None]
        if missing:
            raise ModelError(f"{folder}: target-sentiment weights lack {missing}")
        d = self.mean_.shape[0]
        if (self.scale_.shape != (d,) or self.w1_.shape != (self.hidden_size, d)
                or self.w2_.shape != (len(LABELS), self.hidden_size)):
            raise ModelError(f"{folder}: target-sentiment weights have shapes that do not fit together")


# -- metrics and training -----------------------------------------------------------------------


def target_report(P: np.ndarray, y: Sequence[str], langs: Sequence[str], corpora: Sequence[str]) -> dict[str, dict]:
    """Per corpus and per language: 3-class rows by the most probable label (macro-F1,
    confusion matrix), rows labelled only negative/non-negative by whether negative is the
    most probable (:func:`~xhs_nlp.metrics.negativity_decisions`)."""
    y, langs, corpora = (np.asarray(v, dtype=object) for v in (y, langs, corpora))
    binary = np.array([lab == NON_NEGATIVE for lab in y])
    part = {c: binary[corpora == c].any() for c in set(corpora.tolist())}
    is2 = np.array([part[c] for c in corpora])
    pred = np.where(is2, negativity_decisions(P), sentiment_decisions(P))
    out = two_scheme_reports(y, pred, langs, corpora, is2, LABELS, ("negative", NON_NEGATIVE), " (negative vs not)")
    return {k: {"binary": bool(part[k]), **rep} if k in part else rep for k, rep in out.items()}


def train_target_sentiment(
    data: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    *,
    label_map: dict[str, str] | str | None = None,
    seed: int = 0,
    folds: int = 5,
    max_context: int = 300,
    encoder: str | None = None,
    cache: str | os.PathLike[str] | None = None,
    predictions: str | os.PathLike[str] | None = None,
    weights: str | Mapping[str, float] | None = None,
    baselines: bool = True,
    verbose: bool = True,
) -> TargetSentimentModel:
    """Train the target-sentiment model on target-level corpora and (optionally) save it.

    Rows come from :func:`~xhs_nlp.labelled.read_targeted`; rows of ``dev``/``test`` splits
    are held out and reported. Cross-validation (``folds``, stratified by label x corpus)
    keeps every row of one text, and of one article (NewsMTSC), in one fold. With
    ``baselines`` the card also reports, on the same rows, the shipped sentence-sentiment
    model applied to the target's context and the lexicon backend (VADER / cnsenti).
    ``predictions`` writes every cross-validated and held-out row's probabilities (JSONL).
    ``weights`` (``{corpus: weight}`` or ``"a=3"``; others 1) weighs each corpus's rows in
    the loss, in every fold and in the final fit.

    Raises:
        DataError: no usable rows, a bad row (named).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    t0 = time.perf_counter()
    log = _log.info if verbose else (lambda *a: None)  # the command line shows INFO on stderr
    paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    model = TargetSentimentModel(max_context=max_context, random_state=seed,
                                 **({"encoder": str(encoder)} if encoder else {}))
    model._validate_hyperparameters()
    rows: list[TargetRow] = []
    sources, skipped = [], {}
    for path in paths:
        rs, sk = read_targeted([path], label_map=label_map, labels=TARGET_LABELS,
                               label_hint=" (target labels: negative/neutral/positive/non-negative; use label_map)")
        rows += rs
        sources.append({**source_record(path, len(rs)), **{k: v for k, v in sk.items() if v}})
    train, held = split_held_out(rows)
    log(f"target-sentiment: {len(train)} training rows, {len(held)} held out")
    texts = [r.text for r in train]
    spans = [(r.start, r.end) for r in train]
    y = np.array([r.label for r in train], dtype=object)
    corpora = np.array([r.corpus for r in train], dtype=object)
    langs = np.array([r.lang for r in train], dtype=object)
    Z = model.features(texts, targets=spans, progress=verbose, cache=cache)
    groups = cv_groups(texts, [cv_unit(r) for r in train])
    strata = np.array([f"{a}-{b}" for a, b in zip(y, corpora)])
    splits = list(StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(texts, strata, groups))
    sw = corpus_weights(weights, corpora.tolist())
    P = model.out_of_fold(texts, y, splits, features=Z, fit_params=None if sw is None else {"sample_weight": sw},
                          on_fold=lambda k: log(f"target-sentiment: fold {k + 1}/{folds}"))
    model.fit(texts, y, features=Z, sample_weight=sw)
    card: dict[str, Any] = {
        "name": "xhs_nlp target sentiment (one-hidden-layer head on the context's, the target clause's and the target's "
                "multilingual-e5-small layer features)" if model.clause else
                "xhs_nlp target sentiment (one-hidden-layer head on the context's and the target's multilingual-e5-small "
                "layer features)",
        "task": "the sentiment of a text towards one target in it: negative / neutral / positive",
        "training_data": sources, "training_rows": len(train),
        "rows_per_corpus": {c: int((corpora == c).sum()) for c in sorted(set(corpora.tolist()))},
        "corpus_weights": None if sw is None else {c: float(sw[corpora == c][0]) for c in sorted(set(corpora.tolist()))},
        "partial_label": f"{NON_NEGATIVE!r} = neutral or positive (FinNSP entities that are not key entities of a "
                         "negative text); learnt as the summed probability of the two",
        "seed": seed,
        "features": {"layers": list(model.shared_encoder().feature_layers),
                     "pooling": _POOLING[model.clause],
                     "max_context": max_context},
        "metrics": {"cross_validated": target_report(P, y, langs, corpora),
                    "cv": f"{folds}-fold StratifiedGroupKFold (strata: label x corpus; groups: normalised text and "
                          "NewsMTSC article); 3-class rows by argmax; negative/non-negative rows by whether negative "
                          "is the most probable"},
    }
    records: list[dict] = []

    def record(kind: str, rs: Sequence[TargetRow], probs: np.ndarray) -> None:
        for r, p in zip(rs, probs):
            records.append({"kind": kind, "text": r.text, "start": r.start, "end": r.end, "label": r.label,
                            "lang": r.lang, "corpus": r.corpus, "split": r.split,
                            **{f"p_{k}": round(float(v), 6) for k, v in zip(LABELS, p)}})

    record("cv", train, P)
    Ph = None
    if held:
        Ph = model.predict_proba([r.text for r in held], targets=[(r.start, r.end) for r in held],
                                 features=model.features([r.text for r in held], targets=[(r.start, r.end) for r in held],
                                                         cache=cache))
        card["metrics"]["held_out"] = target_report(Ph, [r.label for r in held], [r.lang for r in held],
                                                    [r.corpus for r in held])
        record("held_out", held, Ph)
    if baselines:
        card["metrics"]["baselines"] = _baselines(model, train, held, cache)
    card["training_seconds"] = round(time.perf_counter() - t0, 1)
    model.card_ = card
    for part in ("cross_validated", "held_out"):
        for c, v in card["metrics"].get(part, {}).items():
            if c in set(corpora.tolist()) | {r.corpus for r in held}:
                log(f"target-sentiment: {part} {c}: macro-F1 {v['macro_f1']:.4f}, accuracy {v['accuracy']:.4f}")
    if predictions is not None:
        Path(predictions).parent.mkdir(parents=True, exist_ok=True)
        with open(predictions, "w", encoding="utf-8") as f:
            for rec in records:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if out is not None:
        model.save(out)
        model.path_ = Path(out)
        log(f"target-sentiment: saved to {out} ({card['training_seconds']:.0f} s)")
    return model


def _baselines(model: TargetSentimentModel, train: list[TargetRow], held: list[TargetRow],
               cache: Any) -> dict[str, Any]:
    """The shipped sentence-sentiment model and the lexicon backend on the same rows (each
    reads the target's context, blind to the target)."""
    from .sentiment import SentimentModel

    out: dict[str, Any] = {"note": "sentence-level scorers read the target's context (the sentence around it), not "
                                   "the target; the shipped sentence model was trained on the SEntFiN headlines and "
                                   "the NewsMTSC training sentences, so its figures on those cross-validated rows are "
                                   "in-sample for it (not on NewsMTSC dev, nor on FinNSP)"}
    sent = SentimentModel.load()
    lex = SentimentModel.load("lexicon")
    for part, rs in (("cross_validated_rows", train), ("held_out_rows", held)):
        if not rs:
            continue
        ctx = [context_window(r.text, r.start, r.end, model.max_context)[0] for r in rs]
        lg = [r.lang for r in rs]
        y, c = [r.label for r in rs], [r.corpus for r in rs]
        feats = sent.features(ctx, cache=cache)
        out[part] = {"sentence model": target_report(sent.predict_proba(ctx, lg, features=feats), y, lg, c),
                     "lexicon": target_report(lex.predict_proba(ctx, lg), y, lg, c)}
    return out
