"""The task registry: one table of every task the library trains, evaluates and runs.

``xhs-nlp train``, :func:`~xhs_nlp.evaluate.evaluate`, the command line and
:class:`~xhs_nlp.analysis.Models` look tasks up here instead of branching on names. A
new scorer is a subclass of :class:`~xhs_nlp.heads.EncoderHead` plus one :class:`Task`
line in :data:`TASKS` (and a :class:`Trainer` line if it has its own training command).

The table names each model class and trainer by its place in the package
(``"claims:ClaimClassifier"``), so reading the table (the command line's help, say)
imports none of the heavy libraries; :meth:`Task.load` and :meth:`Trainer.function`
import them when a model is needed.

Example:
    >>> sorted(TASKS)
    ['claims', 'frames', 'sentiment', 'target-sentiment', 'techniques']
    >>> TASKS["techniques"].multilabel, TASKS["claims"].labels
    (True, ('claim', 'rhetoric'))
    >>> sorted(TRAINERS), type(TASKS["claims"].load(None)).__name__
    (['claims', 'encoder', 'framing', 'sentiment', 'target-sentiment'], 'ClaimClassifier')
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from .errors import DataError
from .schemes import CLAIM_LABELS, FRAMES, NON_NEGATIVE, SENTIMENT_LABELS, TARGET_LABELS, TECHNIQUES

__all__ = ["Task", "Trainer", "TASKS", "TRAINERS", "get_task"]


def _resolve(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def _predict_sentiment(model: Any, texts: Sequence[str], langs: Sequence[str], binary: bool = False,
                       domain: str | None = None) -> list[str]:
    # 3-class gold data: the most probable label; binary gold data: the larger of
    # negative and positive (a tie is neutral); a domain picks a model's output layer
    from .metrics import sentiment_decisions

    if domain is not None and not hasattr(model, "row_domains"):
        raise DataError(f"domain={domain!r}: the {type(model).__name__} has no domains")
    kw = {} if domain is None else {"domain": domain}
    return sentiment_decisions(model.predict_proba(texts, langs, **kw), binary=binary).tolist()


def _predict_targets(model: Any, texts: Sequence[str], langs: Sequence[str], targets: Any = None,
                     binary: bool = False) -> list[str]:
    # 3-class gold data: the most probable label; negative/non-negative gold data:
    # whether negative is the most probable
    from .metrics import negativity_decisions, sentiment_decisions

    P = model.predict_proba(texts, targets=targets)
    return (negativity_decisions(P) if binary else sentiment_decisions(P)).tolist()


def _predict_claims(model: Any, texts: Sequence[str], langs: Sequence[str], domain: str | None = None) -> list[str]:
    return model.predict(texts, domain=domain, langs=langs).tolist()


def _predict_indicator(model: Any, texts: Sequence[str], langs: Sequence[str]) -> Any:
    return model.predict(texts).astype(bool)


@dataclass(frozen=True)
class Task:
    """One task: its model class, the labels its data carry, how its model predicts them.

    Attributes:
        name: the task's name (``xhs-nlp evaluate NAME``).
        labels: the gold labels the task's corpora may carry (after a label map).
        multilabel: labels are lists (an indicator matrix per text).
        model: the model class, as ``"module:Class"`` inside the package.
        load_params: keywords of the class's ``load`` (e.g. the framing scheme).
        predict: ``predict(model, texts, langs, **options)``: the predicted labels
            (names, or an indicator matrix for multi-label tasks).
        options: evaluation options the task accepts (e.g. ``domain`` for claims).
        description: one line for help texts.
        binary_labels: gold data with these two labels alone is binary: ``predict`` gets
            ``binary=True`` and the report covers the two (sentiment: a binary corpus is
            judged by the larger of negative and positive; target sentiment: data labelled
            negative / non-negative, by whether negative is the most probable).
        targets: rows name a target in their text (``target``, or ``target_from`` and
            ``target_to``): ``predict`` gets ``targets=`` (spans).
        predicted: the labels the model predicts, where fewer than ``labels`` (target
            sentiment: gold data may also say ``non-negative``).
    """

    name: str
    labels: tuple[str, ...]
    multilabel: bool
    model: str
    predict: Callable[..., Any]
    load_params: Mapping[str, Any] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    description: str = ""
    binary_labels: tuple[str, ...] = ()
    targets: bool = False
    predicted: tuple[str, ...] = ()

    @property
    def report_labels(self) -> tuple[str, ...]:
        """The labels a report of (non-binary) gold data covers: what the model predicts."""
        return self.predicted or self.labels

    def model_class(self) -> type:
        """The model class (imported on first use)."""
        return _resolve(self.model)

    def load(self, spec: Any = None) -> Any:
        """The task's model: ``spec`` is a folder, ``None`` (the shipped model), a name the
        class's ``load`` knows (``"lexicon"`` for sentiment), or a loaded model.

        Raises:
            ModelError: the folder does not hold a model of this task.
            DataError: a loaded model of another scheme was given.
        """
        if spec is None or isinstance(spec, (str, os.PathLike)):
            return self.model_class().load(spec, **self.load_params)
        scheme = self.load_params.get("scheme")
        if scheme is not None and getattr(spec, "scheme", scheme) != scheme:
            raise DataError(f"the model is a {spec.scheme} model, not a {scheme} model")
        return spec


@dataclass(frozen=True)
class Trainer:
    """A training command (``xhs-nlp train NAME``): the function, as ``"module:function"``,
    and the command-line options it reads (option name -> keyword of the function)."""

    name: str
    train: str
    options: Mapping[str, str] = field(default_factory=dict)
    description: str = ""

    def function(self) -> Callable[..., Any]:
        """The training function (imported on first use)."""
        return _resolve(self.train)

    def kwargs(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The keywords of the training function from parsed options (``None`` ones left out)."""
        return {kw: given[opt] for opt, kw in self.options.items() if given.get(opt) is not None}


#: every task, by name
TASKS: dict[str, Task] = {
    "sentiment": Task("sentiment", SENTIMENT_LABELS, False, "sentiment:SentimentModel", _predict_sentiment,
                      description="sentence sentiment (labels negative/neutral/positive, or negative/positive)",
                      options=("domain",), binary_labels=("negative", "positive")),
    "target-sentiment": Task("target-sentiment", TARGET_LABELS, False, "targets:TargetSentimentModel",
                             _predict_targets, description="sentiment towards one target (an organisation) in a text "
                             "(rows with target or target_from/target_to)", binary_labels=("negative", NON_NEGATIVE),
                             targets=True, predicted=SENTIMENT_LABELS),
    "claims": Task("claims", CLAIM_LABELS, False, "claims:ClaimClassifier", _predict_claims, options=("domain",),
                   description="claim vs rhetoric per sentence"),
    "frames": Task("frames", FRAMES, True, "framing:FramingClassifier", _predict_indicator, {"scheme": "frames"},
                   description="the 14 SemEval-2023 frames of an article or section"),
    "techniques": Task("techniques", TECHNIQUES, True, "framing:FramingClassifier", _predict_indicator,
                       {"scheme": "techniques"}, description="the 23 SemEval-2023 persuasion techniques of a paragraph"),
}

#: every training command, by name
TRAINERS: dict[str, Trainer] = {
    "sentiment": Trainer("sentiment", "sentiment:train_sentiment",
                         {"seed": "seed", "label_map": "label_map", "folds": "folds", "head": "head", "check": "check",
                          "cache": "cache", "predictions": "predictions", "tune_bias": "tune_bias",
                          "domains": "domains", "predict_domain": "predict_domain", "weights": "weights"},
                         "sentence sentiment (negative/neutral/positive and negative/positive corpora)"),
    "target-sentiment": Trainer("target-sentiment", "targets:train_target_sentiment",
                                {"seed": "seed", "label_map": "label_map", "folds": "folds", "cache": "cache",
                                 "predictions": "predictions", "weights": "weights"},
                                "sentiment towards a target in a text (NewsMTSC, SEntFiN, FinNSP layouts)"),
    "claims": Trainer("claims", "claims:train_claims",
                      {"seed": "seed", "label_map": "label_map", "domains": "domains", "holdout": "holdout_splits",
                       "check": "check", "cues": "cues", "ngrams": "ngrams", "language_weights": "language_weights",
                       "predict_domain": "predict_domain", "cache": "cache"},
                      "claim-vs-rhetoric classifier"),
    "framing": Trainer("framing", "framing:train_framing",
                       {"seed": "seed", "folds": "folds", "head": "head", "weights": "weights", "cache": "cache", "C": "C"},
                       "frames and/or techniques, told apart by the labels"),
    "encoder": Trainer("encoder", "finetune:train_encoder",
                       {"seed": "seed", "cache": "cache", "weights": "weights", "steps": "steps",
                        "tune_layers": "tune_layers", "checkpoint": "checkpoint", "max_train": "max_train"},
                       "fine-tune the encoder's upper layers on every task's corpora at once (--data: the corpora "
                       "folder)"),
}


def get_task(name: str) -> Task:
    """The task called ``name``.

    Raises:
        DataError: no such task (the known ones are listed).
    """
    try:
        return TASKS[name]
    except KeyError:
        raise DataError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}") from None
