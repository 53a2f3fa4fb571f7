"""Evaluate any model of the library on any labelled corpus.

Corpora are JSONL, CSV or Parquet files (read through Hugging Face ``datasets``)
or a ``datasets.Dataset`` with fields ``text`` and ``label`` and optionally
``lang`` and ``split``. Labels can be renamed with ``label_map`` (e.g. ClaimBuster's
``CFS=claim``). The report holds the metrics the field reports: accuracy, macro-F1,
per-label precision/recall/F1/support and the same per language, and with ``interval``
a bootstrap interval of macro-F1 (micro-F1 too, multi-label) that resamples whole
documents where the rows name them (``doc_key``, ``doc_id``, ``article_id``, ``event_id``,
``group``: sentences of one op-ed are not independent readings), overall and per language.

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

import math
import os
from typing import Any, Iterable, Literal, Mapping

import numpy as np

from ._progress import progress_scope
from .labelled import load_labelled, named_unit, parse_label_map, read_targeted
from .errors import DataError
from .metrics import bootstrap_interval, classification_report, multilabel_report
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
    interval: float | None = None,
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
        interval: a confidence level (e.g. ``0.95``): add ``"interval"``, the percentile
            bootstrap interval (:func:`xhs_nlp.metrics.bootstrap_interval`, 1,000 resamples,
            seed 0) of macro-F1 (and micro-F1, multi-label), overall and per language,
            resampling the rows' documents where a field names them, else the rows.

    Returns:
        ``{"task", "n", "accuracy", "macro_f1", "per_label", "per_lang", "model", "data"}``
        plus ``"confusion"`` (``{gold: {predicted: n}}``) for single-label tasks,
        ``"binary"`` for sentiment and ``"micro_f1"`` for frames and techniques, computed by
        :mod:`xhs_nlp.metrics`, the code that writes the model cards' metrics; with
        ``interval``, ``"interval"``: ``{"level", "resamples", "unit", "units", "macro_f1":
        [low, high], "per_lang": {lang: {"units", "macro_f1": [low, high]}}}``.

    Raises:
        DataError: unknown task, an option the task does not take, labels outside
            the task's label set after mapping, or an interval level outside (0, 1).

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
    if interval is not None and not 0 < interval < 1:
        raise DataError(f"interval is a confidence level between 0 and 1 (e.g. 0.95), not {interval!r}")
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
        units = [f"{r.corpus}:{u}" if (u := named_unit(r.group)) else f"row{i}" for i, r in enumerate(rows)]
        kw["targets"] = [(r.start, r.end) for r in rows]
        if set(labels) & {"neutral", "positive"} and set(labels) - set(t.report_labels):
            raise DataError("the data mixes 3-class labels with non-negative: evaluate the two kinds of rows apart")
    else:
        texts, labels, langs, units = load_labelled(data, label_map=label_map, split=split, multilabel=t.multilabel,
                                                    with_groups=True)
    seen = sorted({lab for ls in labels for lab in ls}) if t.multilabel else labels
    _check_labels(seen, list(t.labels), task)
    m = t.load(model)
    kw.update({k: v for k, v in options.items() if k in t.options})
    binary = bool(t.binary_labels) and set(labels) <= set(t.binary_labels)
    if t.binary_labels:
        kw["binary"] = binary
    with progress_scope(progress):
        pred = t.predict(m, texts, langs, **kw)
    gold = m.indicator(labels, len(texts)) if t.multilabel else labels
    if t.multilabel:
        rep = multilabel_report(gold, pred, m.labels, langs)
    else:
        rep = classification_report(labels, pred, list(t.binary_labels if binary else t.report_labels), langs,
                                    with_confusion=True)
        if t.binary_labels:
            rep = {"binary": binary, **rep}
    if interval is not None:
        rep["interval"] = _interval(gold, pred, langs, units, interval, t.multilabel)
    return {"task": task, "model": _model_name(m, task), "data": _describe(data), **rep}


def _interval(gold: Any, pred: Any, langs: list[str], units: list[str], level: float, multilabel: bool) -> dict:
    """Bootstrap intervals of a report's F1, overall and per language, by the rows' units."""
    gold, pred, lg, un = np.asarray(gold, dtype=bool if multilabel else object), np.asarray(
        pred, dtype=bool if multilabel else object), np.asarray(langs, dtype=object), np.asarray(units, dtype=object)
    metrics = ("macro_f1", "micro_f1") if multilabel else ("macro_f1",)

    def block(mask: np.ndarray) -> dict:
        out: dict[str, Any] = {"units": int(len(set(un[mask].tolist())))}
        for name in metrics:
            lo, hi = bootstrap_interval(gold[mask], pred[mask], groups=un[mask], metric=name, level=level)
            out[name] = None if math.isnan(lo) else [round(lo, 4), round(hi, 4)]  # None: one unit, nothing to resample
        return out

    named = any(not u.startswith("row") for u in units)
    return {"level": level, "resamples": 1000, "unit": "document" if named else "row",
            **block(np.ones(len(un), dtype=bool)),
            "per_lang": {x: block(lg == x) for x in sorted(set(langs))}}


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
    iv = rep.get("interval")
    if iv:
        lines.append(_interval_line(iv, f"{iv['level']:.0%} bootstrap interval ({iv['resamples']} resamples of "
                                        f"{iv['units']} {iv['unit']}s):"))
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
            if iv and lang in iv["per_lang"]:
                lines.append(_interval_line(iv["per_lang"][lang], f"  {'':<8} {iv['level']:.0%} interval "
                                                                  f"({iv['per_lang'][lang]['units']} {iv['unit']}s):"))
    return "\n".join(lines)


def _interval_line(block: dict, head: str) -> str:
    return head + "".join(f"  {k} {block[k][0]:.4f} to {block[k][1]:.4f}" if block[k] else f"  {k} - (one unit)"
                          for k in ("micro_f1", "macro_f1") if k in block)
