"""Evaluate any model of the library on any labelled corpus.

Corpora are JSONL, CSV or Parquet files (read through Hugging Face ``datasets``)
or a ``datasets.Dataset`` with fields ``text`` and ``label`` and optionally
``lang`` and ``split``. Labels can be renamed with ``label_map`` (e.g. ClaimBuster's
``CFS=claim``). The report holds the metrics the field reports: accuracy, macro-F1,
per-label precision/recall/F1/support and the same per language.

Example:
    >>> import tempfile, json, os
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.jsonl")
    >>> rows = [{"text": "A wonderful, moving film.", "label": "positive"},
    ...         {"text": "Dull, lifeless and far too long.", "label": "negative"}]
    >>> _ = open(path, "w").write("\\n".join(json.dumps(r) for r in rows))
    >>> report = evaluate("sentiment", path, model="lexicon")
    >>> report["n"], report["accuracy"]
    (2, 1.0)
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Literal, Mapping


from ._progress import progress_scope
from .labelled import load_labelled, parse_label_map, read_targeted
from .errors import DataError
from .metrics import classification_report, multilabel_report
from .tasks import TASKS, get_task

__all__ = ["evaluate", "format_report", "load_labelled", "parse_label_map", "classification_report"]

Task = Literal["sentiment", "claims", "frames", "techniques", "target-sentiment"]


def evaluate(
    task: Task,
    data: Any,
    *,
    model: Any = None,
    label_map: Mapping[str, str] | str | None = None,
    split: str | Iterable[str] | None = None,
    domain: str | None = None,
    progress: bool = False,
) -> dict:
    """Run a model of ``task`` on labelled ``data`` and report the field's metrics.

    Args:
        task: a task of :data:`xhs_nlp.tasks.TASKS`: ``"sentiment"`` (labels
            ``negative``/``neutral``/``positive``: the most probable of the three; data
            with only ``negative``/``positive`` is binary: a text counts as the larger
            of the two probabilities), ``"claims"`` (labels ``claim``/``rhetoric``), ``"frames"``
            (texts are articles or sections, labels lists of frames) or
            ``"techniques"`` (texts are paragraphs, labels lists of techniques; ``[]``
            is none) or ``"target-sentiment"`` (rows name a target: ``target``, or
            ``target_from``/``target_to``; labels negative/neutral/positive, or
            negative/non-negative judged by whether negative is the most probable; rows in
            FinNSP's layout give one row per entity). Multi-label tasks report micro-F1 and macro-F1 (labels with
            support), exact-match accuracy, per label and per language.
        data: a JSONL/CSV/Parquet path (or several), a ``datasets.Dataset`` or row dicts.
        model: a model folder, a loaded model, ``"lexicon"`` (sentiment only) or
            ``None`` for the model shipped in ``models/``.
        label_map: rename labels first, ``{"OBJ": "claim"}`` or ``"OBJ=claim,SUBJ=rhetoric"``.
        split: keep only rows whose ``split`` field is one of these.
        domain: claims and sentiment: predict for this domain (default: the model's own;
            sentiment: a domain output layer, e.g. the name of a corpus it was trained on).
        progress: show the encoder's progress bar (tqdm, on standard error when it is a
            terminal; ``xhs-nlp evaluate`` asks for it).

    Returns:
        ``{"task", "n", "accuracy", "macro_f1", "per_label", "per_lang", "model", "data"}``
        plus ``"confusion"`` (``{gold: {predicted: n}}``) for single-label tasks,
        ``"binary"`` for sentiment and ``"micro_f1"`` for frames and techniques, computed by
        :mod:`xhs_nlp.metrics`, the code that writes the model cards' metrics.

    Raises:
        DataError: unknown task, an option the task does not take, or labels outside
            the task's label set after mapping.

    Example:
        >>> import tempfile, json, os
        >>> path = os.path.join(tempfile.mkdtemp(), "tiny.jsonl")
        >>> rows = [{"text": "What a superb, delightful result.", "label": "positive"},
        ...         {"text": "A dreadful, miserable failure.", "label": "negative"}]
        >>> _ = open(path, "w").write("\\n".join(json.dumps(r) for r in rows))
        >>> evaluate("sentiment", path, model="lexicon")["accuracy"]
        1.0
    """
    t = get_task(task)
    options = {"domain": domain}
    for name, value in options.items():
        if value is not None and name not in t.options:
            raise DataError(f"{name}= applies to the {' and '.join(k for k, v in TASKS.items() if name in v.options)} "
                            "task only")
    kw: dict[str, Any] = {}
    if t.targets:
        rows, _ = read_targeted(data, label_map=label_map, split=split)
        if not rows:
            raise DataError("no labelled rows" + (f" in split {split!r}" if split else ""))
        texts, labels, langs = [r.text for r in rows], [r.label for r in rows], [r.lang for r in rows]
        kw["targets"] = [(r.start, r.end) for r in rows]
        if set(labels) & {"neutral", "positive"} and set(labels) - set(t.report_labels):
            raise DataError("the data mixes 3-class labels with non-negative: evaluate the two kinds of rows apart")
    else:
        texts, labels, langs = load_labelled(data, label_map=label_map, split=split, multilabel=t.multilabel)
    seen = sorted({lab for ls in labels for lab in ls}) if t.multilabel else labels
    _check_labels(seen, list(t.labels), task)
    m = t.load(model)
    kw.update({k: v for k, v in options.items() if k in t.options})
    binary = bool(t.binary_labels) and set(labels) <= set(t.binary_labels)
    if t.binary_labels:
        kw["binary"] = binary
    with progress_scope(progress):
        pred = t.predict(m, texts, langs, **kw)
    if t.multilabel:
        rep = multilabel_report(m.indicator(labels, len(texts)), pred, m.labels, langs)
    else:
        rep = classification_report(labels, pred, list(t.binary_labels if binary else t.report_labels), langs,
                                    with_confusion=True)
        if t.binary_labels:
            rep = {"binary": binary, **rep}
    return {"task": task, "model": _model_name(m, task), "data": _describe(data), **rep}


def _model_name(m: Any, task: str) -> str:
    name = getattr(m, "card_", {}).get("name") if hasattr(m, "card_") else getattr(m, "name", None)
    return str(name or type(m).__name__ or task)


def _check_labels(labels: list[str], allowed: list[str], task: str) -> None:
    bad = sorted(set(labels) - set(allowed))
    if bad:
        raise DataError(
            f"labels {bad[:10]} are not {task} labels ({', '.join(allowed)}); "
            f"map them with label_map / --label-map FROM=TO,..."
        )


def _describe(data: Any) -> str:
    if isinstance(data, (str, os.PathLike)):
        return str(data)
    if isinstance(data, (list, tuple)) and data and isinstance(data[0], (str, os.PathLike)):
        return ",".join(map(str, data))
    return type(data).__name__


def format_report(rep: dict) -> str:
    """A plain-text table of a report from :func:`evaluate`."""
    lines = [f"task {rep['task']}  model {rep.get('model', '-')}  data {rep.get('data', '-')}"]
    head = "micro_f1 {micro_f1:.4f}  ".format(**rep) if "micro_f1" in rep else ""
    lines.append(f"n {rep['n']}  accuracy {rep['accuracy']:.4f}  {head}macro_f1 {rep['macro_f1']:.4f}")
    lines.append(f"{'label':<28}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for lab, m in rep["per_label"].items():
        lines.append(f"{lab:<28}{m['precision']:>10.4f}{m['recall']:>10.4f}{m['f1']:>10.4f}{m['support']:>10d}")
    if rep.get("confusion"):
        labs = list(rep["confusion"])
        lines.append("confusion (rows gold, columns predicted):")
        lines.append(f"  {'':<12}" + "".join(f"{lab[:10]:>11}" for lab in labs))
        for g in labs:
            lines.append(f"  {g[:12]:<12}" + "".join(f"{rep['confusion'][g].get(p, 0):>11d}" for p in labs))
    if rep.get("per_lang"):
        lines.append("per language:")
        for lang, b in rep["per_lang"].items():
            extra = f"  micro_f1 {b['micro_f1']:.4f}" if "micro_f1" in b else ""
            lines.append(f"  {lang:<8} n {b['n']:>6}  accuracy {b['accuracy']:.4f}{extra}  macro_f1 {b['macro_f1']:.4f}")
    return "\n".join(lines)
