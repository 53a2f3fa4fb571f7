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
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping

import numpy as np

from .errors import DataError, SourceNotFoundError

__all__ = ["evaluate", "load_labelled", "parse_label_map", "classification_report", "format_report"]

Task = Literal["sentiment", "claims", "frames", "techniques"]
TASKS = ("sentiment", "claims", "frames", "techniques")


def parse_label_map(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"OBJ=claim,SUBJ=rhetoric"`` → ``{"OBJ": "claim", "SUBJ": "rhetoric"}``."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return {str(k): str(v) for k, v in spec.items()}
    out = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise DataError(f"bad label map entry {part!r}: write FROM=TO, e.g. OBJ=claim,SUBJ=rhetoric")
        a, b = part.split("=", 1)
        out[a.strip()] = b.strip()
    return out


def load_labelled(
    data: Any,
    *,
    label_map: Mapping[str, str] | str | None = None,
    split: str | Iterable[str] | None = None,
    multilabel: bool = False,
) -> tuple[list[str], list[Any], list[str]]:
    """Read ``(texts, labels, langs)`` from a path, a list of paths, a ``Dataset`` or row dicts.

    Raises:
        SourceNotFoundError: a path does not exist.
        DataError: the file lacks ``text``/``label``, a text is not a string, or no rows remain.
    """
    rows = _rows(data)
    lm = parse_label_map(label_map)
    if split is not None:
        keep = {split} if isinstance(split, str) else set(split)
        if rows and "split" not in rows[0]:
            raise DataError("split= was given but the data has no 'split' field")
        rows = [r for r in rows if r.get("split") in keep]
    texts, labels, langs = [], [], []
    for i, r in enumerate(rows):
        if "text" not in r or "label" not in r:
            raise DataError(f"row {i} has no 'text' or no 'label' field (fields: {sorted(r)})")
        t = r["text"]
        if not isinstance(t, str):
            raise DataError(f"row {i}: text is {type(t).__name__}, not a string")
        lab = r["label"]
        if multilabel:
            if isinstance(lab, str):
                lab = [x for x in lab.split(",") if x] if lab else []
            lab = [lm.get(str(x), str(x)) for x in lab]
        else:
            lab = lm.get(str(lab), str(lab))
        texts.append(t)
        labels.append(lab)
        lang = r.get("lang")
        langs.append(str(lang) if lang else _guess_lang(t))
    if not texts:
        raise DataError("no labelled rows" + (f" in split {split!r}" if split else ""))
    return texts, labels, langs


def _guess_lang(text: str) -> str:
    from .segment.language import detect_lang

    return detect_lang(text)


def _rows(data: Any) -> list[dict]:
    if isinstance(data, (str, os.PathLike)):
        return _read_file(Path(data))
    if isinstance(data, (list, tuple)) and data and all(isinstance(x, (str, os.PathLike)) for x in data):
        out: list[dict] = []
        for p in data:
            out.extend(_read_file(Path(p)))
        return out
    if isinstance(data, (list, tuple)):
        if not all(isinstance(x, Mapping) for x in data):
            raise DataError("data must be a path, a list of paths, a datasets.Dataset or a list of row dicts")
        return [dict(x) for x in data]
    try:  # datasets.Dataset or anything with .to_list()
        return list(data.to_list())
    except AttributeError:
        raise DataError(f"cannot read labelled data from a {type(data).__name__}") from None


def _read_file(path: Path) -> list[dict]:
    if not path.exists():
        raise SourceNotFoundError(f"data file {path} does not exist")
    import datasets
    from datasets import Dataset

    datasets.disable_progress_bars()

    suffix = "".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix
    suffix = suffix.lower()
    try:
        if suffix in (".jsonl", ".json", ".jsonl.gz", ".json.gz"):
            ds = Dataset.from_json(str(path), keep_in_memory=True)
        elif suffix in (".csv", ".tsv"):
            ds = Dataset.from_csv(str(path), keep_in_memory=True, sep="\t" if suffix == ".tsv" else ",")
        elif suffix == ".parquet":
            ds = Dataset.from_parquet(str(path), keep_in_memory=True)
        else:
            raise DataError(f"{path}: unknown data format {suffix!r} (use .jsonl, .csv or .parquet)")
    except DataError:
        raise
    except Exception as err:  # datasets wraps parser errors in several types
        raise DataError(f"{path} cannot be read as {suffix[1:]}: {err}") from err
    return ds.to_list()


def classification_report(y_true: list[str], y_pred: list[str], labels: list[str], langs: list[str]) -> dict:
    """Accuracy, macro-F1, per-label P/R/F1/support and the same per language."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    def block(t: list[str], p: list[str]) -> dict:
        present = [lab for lab in labels if lab in set(t)]
        pr, rc, f1, sup = precision_recall_fscore_support(t, p, labels=labels, zero_division=0)
        return {
            "n": len(t),
            "accuracy": float(accuracy_score(t, p)),
            "macro_f1": float(f1_score(t, p, labels=present or labels, average="macro", zero_division=0)),
            "per_label": {
                lab: {"precision": float(a), "recall": float(b), "f1": float(c), "support": int(d)}
                for lab, a, b, c, d in zip(labels, pr, rc, f1, sup)
            },
        }

    out = block(y_true, y_pred)
    out["per_lang"] = {}
    for lang in sorted(set(langs)):
        idx = [i for i, x in enumerate(langs) if x == lang]
        b = block([y_true[i] for i in idx], [y_pred[i] for i in idx])
        out["per_lang"][lang] = b
    return out


def evaluate(
    task: Task,
    data: Any,
    *,
    model: Any = None,
    label_map: Mapping[str, str] | str | None = None,
    split: str | Iterable[str] | None = None,
    domain: str | None = None,
) -> dict:
    """Run a model of ``task`` on labelled ``data`` and report the field's metrics.

    Args:
        task: ``"sentiment"`` (labels ``positive``/``negative``; a text counts as the
            larger of the two probabilities), ``"claims"`` (labels ``claim``/``rhetoric``),
            ``"frames"`` (texts are articles or sections, labels lists of frames) or
            ``"techniques"`` (texts are paragraphs, labels lists of techniques; ``[]``
            is none). Multi-label tasks report micro-F1 and macro-F1 (labels with
            support), exact-match accuracy, per label and per language.
        data: a JSONL/CSV/Parquet path (or several), a ``datasets.Dataset`` or row dicts.
        model: a model folder, a loaded model, ``"lexicon"`` (sentiment only) or
            ``None`` for the model shipped in ``models/``.
        label_map: rename labels first, ``{"OBJ": "claim"}`` or ``"OBJ=claim,SUBJ=rhetoric"``.
        split: keep only rows whose ``split`` field is one of these.
        domain: claims only: predict for this domain (default: the model's own).

    Returns:
        ``{"task", "n", "accuracy", "macro_f1", "per_label", "per_lang", "model", "data"}``
        (plus ``"micro_f1"`` for frames and techniques).

    Raises:
        DataError: unknown task, or labels outside the task's label set after mapping.
    """
    if task not in TASKS:
        raise DataError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if task in ("frames", "techniques"):
        if domain is not None:
            raise DataError("domain= applies to the claims task only")
        return _evaluate_framing(task, data, model, label_map, split)
    texts, labels, langs = load_labelled(data, label_map=label_map, split=split)
    if task == "claims":
        from .claims import LABELS, ClaimClassifier

        _check_labels(labels, list(LABELS), task)
        clf = model if isinstance(model, ClaimClassifier) else ClaimClassifier.load(model)
        pred = clf.predict(texts, domain=domain, langs=langs).tolist()
        name = str(clf.card_.get("name", "claims")) if hasattr(clf, "card_") else "ClaimClassifier"
        return {"task": task, "model": name, "data": _describe(data), **classification_report(labels, pred, list(LABELS), langs)}
    if domain is not None:
        raise DataError("domain= applies to the claims task only")
    from .sentiment import SentimentModel

    allowed = ["negative", "positive"]
    _check_labels(labels, allowed, task)
    m = model if isinstance(model, SentimentModel) else SentimentModel.load(model)
    probs = m.predict_proba(texts, langs=langs)
    neg, pos = probs[:, 0], probs[:, 2]
    pred = np.where(pos > neg, "positive", np.where(neg > pos, "negative", "neutral")).tolist()
    model_name = m.name
    rep = classification_report(labels, pred, allowed, langs)
    return {"task": task, "model": model_name, "data": _describe(data), **rep}


def _evaluate_framing(task: str, data: Any, model: Any, label_map: Any, split: Any) -> dict:
    from .framing import KINDS, FramingClassifier, multilabel_metrics

    texts, labels, langs = load_labelled(data, label_map=label_map, split=split, multilabel=True)
    _check_labels(sorted({lab for ls in labels for lab in ls}), list(KINDS[task]), task)
    clf = model if isinstance(model, FramingClassifier) else FramingClassifier.load(model, scheme=task)  # type: ignore[arg-type]
    if clf.scheme != task:
        raise DataError(f"the model is a {clf.scheme} model, not a {task} model")
    Y = clf._indicator(labels, len(texts))
    P = clf.predict_proba(texts) >= clf.thresholds_
    name = str(getattr(clf, "card_", {}).get("name", task))
    return {"task": task, "model": name, "data": _describe(data), **multilabel_metrics(Y, P, clf.labels, np.array(langs))}


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
    if rep.get("per_lang"):
        lines.append("per language:")
        for lang, b in rep["per_lang"].items():
            extra = f"  micro_f1 {b['micro_f1']:.4f}" if "micro_f1" in b else ""
            lines.append(f"  {lang:<8} n {b['n']:>6}  accuracy {b['accuracy']:.4f}{extra}  macro_f1 {b['macro_f1']:.4f}")
    return "\n".join(lines)
