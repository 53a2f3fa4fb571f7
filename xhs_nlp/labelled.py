"""Data in tables: one reader for the trainers, :func:`~xhs_nlp.evaluate.evaluate` and
``xhs-nlp score``.

Corpora are JSONL, CSV or Parquet files (read through Hugging Face ``datasets``), a
``datasets.Dataset`` or a list of row dicts, with fields ``text`` and ``label`` (or
``frames``, as in the op-ed reading corpus's ``docs.jsonl``: :data:`LABEL_FIELDS`) and
optionally ``lang``, ``split``, ``domain`` and ``source_id``.

* :func:`read_rows`: the raw row dicts;
* :func:`load_labelled`: ``(texts, labels, langs)``, labels renamed by a label map;
* :func:`read_labelled`: checked :class:`LabelledRow` records (text, label, language,
  split, corpus, domain, CV group), the bad row named in the error;
* :func:`table_columns` and :func:`iter_table`: the columns and streamed rows of a
  table of texts (the inputs of ``xhs-nlp score``);
* helpers for training on them: :func:`dedupe`, :func:`drop_held_out_copies`,
  :func:`document_copies`, :func:`copied_documents`, :func:`text_groups`, :func:`source_record`;
* :func:`extend_corpus`: a corpus in the op-ed reading layout with annotations added whose
  texts are not redistributable (the annotation keeps offsets and a SHA-256; the text is read
  from its source corpus).

Example:
    >>> rows = [{"text": "Sales rose 5%.", "label": "OBJ", "lang": "en"}, {"text": "Awful!", "label": "SUBJ"}]
    >>> [(r.label, r.lang, r.split) for r in read_labelled([rows], label_map="OBJ=claim,SUBJ=rhetoric")]
    [('claim', 'en', 'train'), ('rhetoric', 'en', 'train')]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np

from .errors import DataError, missing_file
from .persist import file_sha256
from .schemes import NON_NEGATIVE

__all__ = ["LabelledRow", "read_rows", "load_labelled", "read_labelled", "parse_label_map", "table_columns",
           "iter_table", "corpus_name",
           "source_record", "norm_text", "text_groups", "dedupe", "drop_held_out_copies", "document_copies", "copied_documents", "split_held_out", "HELD_OUT_SPLITS", "row_group",
           "GROUP_FIELDS", "cv_groups", "cv_unit", "named_unit", "DROP", "TargetRow", "read_targeted", "find_target",
           "NON_NEGATIVE", "corpus_weights", "LABEL_FIELDS", "licence_terms", "extend_corpus"]

#: a label mapped to this is dropped with its row (e.g. ``other=-``)
DROP = "-"

#: the fields a row's label is read from, first present wins (``frames``, for multi-label
#: readers only: the documents of the op-ed reading corpus, ``docs.jsonl``, whose label is the
#: list of frames they use)
LABEL_FIELDS = ("label", "frames")


def _label_field(row: Mapping[str, Any], multilabel: bool) -> str | None:
    fields = LABEL_FIELDS if multilabel else LABEL_FIELDS[:1]  # frames are lists: multi-label readers only
    return next((f for f in fields if row.get(f) is not None), None)


#: splits never trained on by default
HELD_OUT_SPLITS = ("dev", "dev_test", "test", "validation")


def parse_label_map(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"OBJ=claim,SUBJ=rhetoric"`` → ``{"OBJ": "claim", "SUBJ": "rhetoric"}``.

    Raises:
        DataError: an entry is not ``FROM=TO``.
    """
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


def corpus_weights(spec: str | Mapping[str, float] | None, corpora: Sequence[str]) -> np.ndarray | None:
    """The training weight of each row from ``{corpus: weight}`` (or ``"a=3,b=0.5"``);
    unlisted corpora weigh 1. ``None`` or an empty spec: ``None`` (unweighted).

    Raises:
        DataError: a weight that is not a positive number, or a corpus no row comes from
            (the rows' corpora are listed).

    Example:
        >>> corpus_weights("op=3", ["fpb", "op", "op"]).tolist()
        [1.0, 3.0, 3.0]
    """
    given = parse_label_map(spec) if not isinstance(spec, Mapping) else {str(k): v for k, v in spec.items()}
    if not given:
        return None
    known = sorted(set(corpora))
    out = np.ones(len(corpora), dtype=np.float64)
    names = np.asarray(list(corpora), dtype=object)
    for name, w in given.items():
        try:
            value = float(w)
        except (TypeError, ValueError):
            value = float("nan")
        if not np.isfinite(value) or value <= 0:
            raise DataError(f"corpus weight of {name!r} must be a positive number, got {w!r}")
        if name not in known:
            raise DataError(f"corpus weight for {name!r}, but no training row comes from it (corpora: {known})")
        out[names == name] = value
    return out


def read_rows(data: Any) -> list[dict]:
    """Row dicts from a path, a list of paths, a ``datasets.Dataset`` or a list of dicts.

    Raises:
        SourceNotFoundError: a path does not exist.
        DataError: the file cannot be parsed, or ``data`` is of no readable type.
    """
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
    if not path.is_file() and not path.is_dir():  # a folder goes on to datasets, as before
        raise missing_file(path, "data file")
    import datasets
    from datasets import Dataset

    datasets.disable_progress_bars()
    suffix = ("".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix).lower()
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


def _detect(text: str) -> str:
    from .segment.language import detect_lang

    return detect_lang(text)


def _in_split(rows: list[dict], split: str | Iterable[str] | None) -> list[dict]:
    """The rows of ``split`` (a name or several; ``None``: all).

    Raises:
        DataError: ``split`` is given but the rows have no ``split`` field.
    """
    if split is None:
        return rows
    keep = {split} if isinstance(split, str) else set(split)
    if rows and "split" not in rows[0]:
        raise DataError("split= was given but the data has no 'split' field")
    return [r for r in rows if r.get("split") in keep]


def load_labelled(
    data: Any,
    *,
    label_map: Mapping[str, str] | str | None = None,
    split: str | Iterable[str] | None = None,
    multilabel: bool = False,
    with_groups: bool = False,
) -> tuple[list[str], list[Any], list[str]] | tuple[list[str], list[Any], list[str], list[str]]:
    """Read ``(texts, labels, langs)`` from a path, a list of paths, a ``Dataset`` or row dicts
    (and each row's unit, :func:`row_group`, fourth, with ``with_groups``).

    A row without ``lang`` gets the detected language. Multi-label labels are lists
    (or comma-separated strings). A label mapped to ``-`` drops its row.

    Raises:
        SourceNotFoundError: a path does not exist.
        DataError: the file lacks ``text``/``label``, a text is not a string, or no rows remain.
    """
    if isinstance(data, (list, tuple)) and len(data) > 1 and all(isinstance(x, (str, os.PathLike)) for x in data):
        tagged = [(k, r) for k, p in enumerate(data) for r in read_rows(p)]  # a unit of one file is not another's
    else:
        tagged = [(0, r) for r in read_rows(data)]
    keep = {id(r) for r in _in_split([r for _, r in tagged], split)}
    tagged = [(k, r) for k, r in tagged if id(r) in keep]
    rows = [r for _, r in tagged]
    lm = parse_label_map(label_map)
    texts, labels, langs, groups = [], [], [], []
    for i, r in enumerate(rows):
        field = _label_field(r, multilabel)
        if "text" not in r or field is None:
            raise DataError(f"row {i} has no 'text' or no 'label' field (fields: {sorted(r)})")
        t = r["text"]
        if not isinstance(t, str):
            raise DataError(f"row {i}: text is {type(t).__name__}, not a string")
        lab = r[field]
        if multilabel:
            if isinstance(lab, str):
                lab = [x for x in lab.split(",") if x] if lab else []
            lab = [lm.get(str(x), str(x)) for x in lab]
        else:
            lab = lm.get(str(lab), str(lab))
            if lab == DROP:
                continue
        texts.append(t)
        labels.append(lab)
        lang = r.get("lang")
        langs.append(str(lang) if lang else _detect(t))
        unit = named_unit(row_group(r, f"row{i}"))
        groups.append(f"{tagged[i][0]}:{unit}" if unit else f"row{i}")
    if not texts:
        raise DataError("no labelled rows" + (f" in split {split!r}" if split else ""))
    return (texts, labels, langs, groups) if with_groups else (texts, labels, langs)


class LabelledRow(NamedTuple):
    """One checked training or evaluation row."""

    text: str
    label: Any  # a label name, or a tuple of names (multi-label)
    lang: str
    split: str
    corpus: str
    domain: str
    group: str  # the unit the row belongs to (see :func:`row_group`): rows of one unit share CV folds


def read_labelled(
    data: Sequence[Any] | str | os.PathLike[str],
    *,
    label_map: Mapping[str, str] | str | None = None,
    labels: Sequence[str] | None = None,
    multilabel: bool = False,
    domains: Mapping[str, str] | None = None,
    default_domain: str = "news",
    label_hint: str = "",
) -> list[LabelledRow]:
    """Checked rows of one or more sources (paths, ``Dataset``\\ s or lists of dicts).

    Args:
        data: a path, or a list of sources.
        label_map: rename labels first; a label renamed to ``-`` drops its row.
        labels: the allowed label names (``None``: any).
        multilabel: labels are lists of names (or comma-separated strings).
        domains: corpus (folder) name → domain; rows with a ``domain`` field keep it.
        default_domain: the domain of every other row.
        label_hint: added to the error for a label outside ``labels``.

    Raises:
        SourceNotFoundError: a path does not exist.
        DataError: a missing ``text``/``label`` field, an empty text, a label outside
            ``labels`` (the source and row are named).
    """
    sources = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    if sources and all(isinstance(x, Mapping) for x in sources):
        sources = [sources]  # one list of row dicts
    lm = parse_label_map(label_map)
    allowed = set(labels) if labels is not None else None
    dmap = dict(domains or {})
    out: list[LabelledRow] = []
    for src in sources:
        raw = read_rows(src)
        name = _source_label(src)
        corpus = corpus_name(src) if isinstance(src, (str, os.PathLike)) else name
        for i, r in enumerate(raw):
            field = _label_field(r, multilabel)
            for key in ("text", field or "label"):
                if key not in r or r[key] is None:
                    raise DataError(f"{name}: row {i} has no {key!r} field")
            text = r["text"]
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{name}: row {i}: text is empty or not a string")
            lab = r[field]
            if multilabel:
                if isinstance(lab, str):
                    lab = [x.strip() for x in lab.split(",") if x.strip()]
                if not isinstance(lab, (list, tuple)):
                    raise DataError(f"{name}: row {i}: label must be a list of names (or a comma-separated string)")
                lab = tuple(lm.get(str(x), str(x)) for x in lab)
                bad = [x for x in lab if allowed is not None and x not in allowed]
                if bad:
                    raise DataError(f"{name}: row {i}: {bad} are not allowed labels{label_hint}")
            else:
                lab = lm.get(str(lab), str(lab))
                if lab == DROP:
                    continue
                if allowed is not None and lab not in allowed:
                    raise DataError(f"{name}: row {i}: label {r[field]!r} is not one of {sorted(allowed)} and the "
                                    f"label map does not rename it{label_hint}")
            out.append(LabelledRow(text, lab, str(r.get("lang") or _detect(text)), str(r.get("split") or "train"),
                                   corpus, str(r.get("domain") or dmap.get(corpus, default_domain)),
                                   row_group(r, f"{name}#row{i}")))
    return out


#: fields naming the unit (article, event, document) a row belongs to, first found wins
GROUP_FIELDS = ("group", "event_id", "doc_id", "article_id", "doc_key")
#: source ids that carry their article inside (NewsMTSC: ``newsmtsc:SPLIT:allsides_ARTICLE_STORY_...``)
_ARTICLE_IN_ID = re.compile(r"^newsmtsc:[^:]*:(allsides_\d+_\d+)_")


def row_group(row: Mapping[str, Any], default: str) -> str:
    """The unit a row belongs to, so that cross-validation keeps a unit's rows in one fold:
    a field of :data:`GROUP_FIELDS` (Webis editorials: ``doc_id``; ECOB: ``event_id``),
    the article inside a NewsMTSC source id, else the ``source_id`` up to its first ``:``
    (SemEval: ``ARTICLE:PARAGRAPH``), else ``default`` (the row alone).

    Example:
        >>> row_group({"source_id": "newsmtsc:train:allsides_1000_401_25_Winner_0_6"}, "x")
        'newsmtsc:allsides_1000_401'
        >>> row_group({"event_id": 590, "source_id": "ecob-zh:2100:0"}, "x")
        'event_id=590'
    """
    for f in GROUP_FIELDS:
        if row.get(f) not in (None, ""):
            return f"{f}={row[f]}"
    sid = str(row.get("source_id") or default)
    m = _ARTICLE_IN_ID.match(sid)
    return f"newsmtsc:{m.group(1)}" if m else sid.split(":")[0]


def named_unit(group: str) -> str | None:
    """A :func:`row_group` that names a unit (a field of :data:`GROUP_FIELDS` or a NewsMTSC
    article); ``None`` for a source-id prefix (often a file name, e.g. ``stsa.binary.train``:
    no unit to keep together)."""
    return group if group.startswith(tuple(f"{f}=" for f in GROUP_FIELDS)) or group.startswith("newsmtsc:") else None


def cv_unit(row: LabelledRow) -> str | None:
    """The unit of a row that names one (:func:`named_unit`), as ``CORPUS:UNIT``; ``None``
    for rows whose group is only a source-id prefix."""
    g = named_unit(row.group)
    return f"{row.corpus}:{g}" if g else None


def _source_label(src: Any) -> str:
    if isinstance(src, (str, os.PathLike)):
        return os.fspath(src)
    return type(src).__name__


# -- target-level rows (the sentiment towards one target in a text) ---------------------------


class TargetRow(NamedTuple):
    """One checked row of target-level data: the target is ``text[start:end]``."""

    text: str
    start: int
    end: int
    label: str
    lang: str
    split: str
    corpus: str
    group: str


def find_target(text: str, target: str, where: str) -> tuple[int, int]:
    """The span of the first occurrence of ``target`` in ``text`` (exact, else ignoring case).

    Raises:
        DataError: an empty target, or one that does not occur in the text (``where`` names the row).
    """
    if not isinstance(target, str) or not target.strip():
        raise DataError(f"{where}: the target is empty or not a string")
    i = text.find(target)
    if i < 0:
        i = text.lower().find(target.lower())
    if i < 0:
        raise DataError(f"{where}: the target {target!r} does not occur in its text")
    return i, i + len(target)


def _target_span(r: Mapping[str, Any], text: str, where: str) -> tuple[int, int]:
    a, b = r.get("target_from"), r.get("target_to")
    if a is not None or b is not None:
        ok = (isinstance(a, (int, np.integer)) and isinstance(b, (int, np.integer)) and not isinstance(a, bool)
              and not isinstance(b, bool) and 0 <= a < b <= len(text))
        if not ok:
            raise DataError(f"{where}: target_from/target_to ({a!r}, {b!r}) are not offsets inside the text of "
                            f"{len(text)} characters (0 <= target_from < target_to <= length)")
        if r.get("target") not in (None, "") and text[a:b] != r["target"]:
            raise DataError(f"{where}: text[{a}:{b}] is {text[a:b]!r}, not the target {r['target']!r}")
        return int(a), int(b)
    if r.get("target") is None:
        raise DataError(f"{where}: no 'target' (or target_from/target_to) field")
    return find_target(text, r["target"], where)


def read_targeted(
    data: Sequence[Any] | str | os.PathLike[str],
    *,
    label_map: Mapping[str, str] | str | None = None,
    labels: Sequence[str] | None = None,
    label_hint: str = "",
    split: str | Iterable[str] | None = None,
) -> tuple[list[TargetRow], dict[str, int]]:
    """Checked target-level rows of one or more sources, and counts of what was skipped.

    A row names its target by ``target_from``/``target_to`` (character offsets, checked
    against ``target`` when both are given) or by ``target`` alone (its first occurrence,
    exact, else ignoring case); with ``split``, only the rows of that split (or those
    splits) are read. Rows in FinNSP's layout (``entities`` and ``key_entities``,
    ``;``-separated, and a 0/1 ``label``: is the text negative about its key entities)
    become one row per entity: ``negative`` for a key entity of a negative text, else
    :data:`NON_NEGATIVE` (neutral or positive); an entity found in neither the text nor
    the ``title`` is skipped and counted (a list of candidates, not a given target).

    Raises:
        SourceNotFoundError: a path does not exist.
        DataError: a missing field, an empty text, a target that does not occur in its
            text, offsets outside the text, a label outside ``labels`` (the row is named);
            ``split`` given for data without a ``split`` field.
    """
    sources = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    if sources and all(isinstance(x, Mapping) for x in sources):
        sources = [sources]
    lm = parse_label_map(label_map)
    allowed = set(labels) if labels is not None else None
    out: list[TargetRow] = []
    skipped = {"entity_not_in_text": 0, "dropped_by_label_map": 0}
    for src in sources:
        raw = _in_split(read_rows(src), split)
        name = _source_label(src)
        corpus = corpus_name(src) if isinstance(src, (str, os.PathLike)) else name
        for i, r in enumerate(raw):
            where = f"{name}: row {i}"
            text = r.get("text")
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{where}: text is empty or not a string")
            if r.get("label") is None:
                raise DataError(f"{where}: no 'label' field")
            lang = str(r.get("lang") or _detect(text))
            split = str(r.get("split") or "train")
            group = row_group(r, f"{name}#row{i}")
            if r.get("entities") is not None and "target" not in r and "target_from" not in r:
                keys = {e.strip() for e in str(r.get("key_entities") or "").split(";") if e.strip()}
                negative = str(r["label"]) in ("1", "negative")
                for e in dict.fromkeys(x.strip() for x in str(r["entities"]).split(";") if x.strip()):
                    body = text if e in text else (r.get("title") or "") if e in (r.get("title") or "") else None
                    if body is None:
                        skipped["entity_not_in_text"] += 1
                        continue
                    a = body.find(e)
                    lab = "negative" if negative and e in keys else NON_NEGATIVE
                    out.append(TargetRow(body, a, a + len(e), lab, lang, split, corpus, group))
                continue
            a, b = _target_span(r, text, where)
            lab = lm.get(str(r["label"]), str(r["label"]))
            if lab == DROP:
                skipped["dropped_by_label_map"] += 1
                continue
            if allowed is not None and lab not in allowed:
                raise DataError(f"{where}: label {r['label']!r} is not one of {sorted(allowed)} and the label map "
                                f"does not rename it{label_hint}")
            out.append(TargetRow(text, a, b, lab, lang, split, corpus, group))
    return out, skipped


# -- tables of texts (xhs-nlp score) -------------------------------------------------------


def table_columns(path: str | os.PathLike[str]) -> list[str]:
    """The column names of a JSONL (its first row), CSV or Parquet table, read cheaply.

    Raises:
        DataError: the first JSONL row is not JSON.
    """
    path = Path(path)
    suf = path.suffix.lower()
    if suf == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    with open(path, encoding="utf-8", errors="replace") as f:
        if suf == ".csv":
            import csv

            return next(csv.reader(f), [])
        for line in f:
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    raise DataError(f"{path}: first row is not JSON ({err})") from None
                return list(row) if isinstance(row, dict) else []
    return []


def iter_table(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The rows of a JSONL, CSV (all values strings) or Parquet table, streamed in order;
    a JSONL line that is not JSON gives ``{"text": None, "_error": ...}``."""
    path = Path(path)
    suf = path.suffix.lower()
    if suf == ".jsonl":
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as err:
                        yield {"text": None, "_error": f"line {i + 1} is not JSON: {err}"}
    elif suf == ".csv":
        import pandas as pd

        yield from pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            yield from batch.to_pylist()


# -- what trainers do with rows ---------------------------------------------------------------

_NORM_RE = re.compile(r"[\W_]+", re.UNICODE)


def norm_text(text: str) -> str:
    """Lower-cased text without punctuation or spaces: the key for duplicates."""
    return _NORM_RE.sub("", text.lower())


def corpus_name(path: str | os.PathLike[str]) -> str:
    """A corpus file's folder name (``…/sst2_sentences/data.jsonl`` → ``sst2_sentences``)."""
    return os.path.basename(os.path.dirname(os.fspath(path))) or os.fspath(path)


def source_record(path: Any, rows: int) -> dict:
    """What a model card records of one training source: name, SHA-256 (files), rows, and
    the licence terms its folder's README states (:func:`licence_terms`), where it has one."""
    if not isinstance(path, (str, os.PathLike)):
        return {"path": f"<{type(path).__name__}>", "sha256": None, "rows": rows}
    rec = {"path": corpus_name(path) + "/" + os.path.basename(os.fspath(path)), "sha256": file_sha256(path),
           "rows": rows}
    if terms := licence_terms(Path(path).parent):
        rec["licence"] = terms
    return rec


_LICENCE_HEADING = re.compile(r"^[ \t]*#*[ \t]*licen[cs]e\b[^\n]*", re.IGNORECASE | re.MULTILINE)


def licence_terms(folder: str | os.PathLike[str], limit: int = 400) -> str | None:
    """The licence paragraph of a corpus folder's ``README.txt`` / ``README.md`` (the
    line that starts with "Licence" or "License", or a Markdown heading so named, and the
    lines after it up to a blank line, or the paragraph after a heading that stands alone;
    spaces collapsed, at most ``limit`` characters), or ``None``.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "README.md").write_text("# Data\\n\\n## Licence\\n\\nCC BY 4.0, cite the paper.\\n")
        >>> licence_terms(d)
        '## Licence CC BY 4.0, cite the paper.'
    """
    for name in ("README.txt", "README.md", "README"):
        f = Path(folder) / name
        if not f.is_file():
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        if not (m := _LICENCE_HEADING.search(text)):
            continue
        parts = re.split(r"\n[ \t]*\n", text[m.start():].strip("\n"))
        alone = re.fullmatch(r"[ \t]*#*[ \t]*licen[cs]e[ \t:]*", parts[0], re.IGNORECASE)  # a bare heading
        para = parts[0] + " " + parts[1] if alone and len(parts) > 1 else parts[0]
        para = " ".join(para.split())
        return para if len(para) <= limit else para[: limit - 1] + "…"
    return None


def text_groups(texts: Sequence[str]) -> np.ndarray:
    """One CV group id per distinct normalised text, so copies never straddle folds."""
    gid: dict[str, int] = {}
    return np.array([gid.setdefault(norm_text(t), len(gid)) for t in texts])


def cv_groups(texts: Sequence[str], units: Sequence[str | None] | None = None) -> np.ndarray:
    """One CV group id per row: rows with the same normalised text, or of the same unit
    (``units``, e.g. :func:`cv_unit`: one article's sentences; ``None``: no unit), share a
    group, transitively.

    Example:
        >>> cv_groups(["A b.", "a B", "c", "d"], ["u1", "u2", "u2", "u3"]).tolist()
        [0, 0, 0, 3]
    """
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[Any, int] = {}
    keys = [[("t", norm_text(t))] for t in texts]
    if units is not None:
        for k, u in zip(keys, units):
            if u is not None:
                k.append(("u", u))
    for i, ks in enumerate(keys):
        for k in ks:
            j = first.setdefault(k, i)
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return np.array([find(i) for i in range(len(texts))])


def dedupe(rows: list, label: Callable[[Any], Hashable]) -> list:
    """Rows (``row[0]`` is the text) with one row per normalised text, in order: the
    first copy is kept, and a text whose copies carry different ``label(row)`` is dropped."""
    labels: dict[str, set] = {}
    for r in rows:
        labels.setdefault(norm_text(r[0]), set()).add(label(r))
    seen: set[str] = set()
    out = []
    for r in rows:
        n = norm_text(r[0])
        if n in seen or len(labels[n]) > 1:
            continue
        seen.add(n)
        out.append(r)
    return out


def split_held_out(rows: list) -> tuple[list, list]:
    """``(training rows, held-out rows)``: a row is held out when its ``split`` is one of
    :data:`HELD_OUT_SPLITS` (the corpora's dev and test portions).

    Raises:
        DataError: no training row is left.
    """
    held = [r for r in rows if r.split in HELD_OUT_SPLITS]
    train = [r for r in rows if r.split not in HELD_OUT_SPLITS]
    if not train:
        raise DataError("no training rows left: every row is in a held-out split ("
                        + "/".join(HELD_OUT_SPLITS) + ")")
    return train, held


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def document_copies(texts: Sequence[str], documents: Sequence[str], *, min_chars: int = 40) -> list[int | None]:
    """For each of ``texts``, the index of the document of ``documents`` it copies, or ``None``.

    A text copies a document when it holds at least half (and at least two) of the
    document's long sentences (``min_chars`` normalised characters or more). The op-ed
    reading corpus's English documents are SemEval-2023 articles cut after 35-40
    sentences and re-segmented, so neither equality nor containment of the whole text
    finds them (containment found 25 of 48); their sentences do (48 of 48, no false
    match among SemEval's 986 frames articles).

    Example:
        >>> doc = ("The first sentence of this op-ed is long enough to count. "
        ...        "The second sentence of this op-ed is long enough as well.")
        >>> document_copies(["Title. " + doc + " More text.", "Something else entirely."], [doc])
        [0, None]
    """
    keys = [_sentence_keys(d, min_chars) for d in documents]
    return [next((j for j, ks in enumerate(keys) if _holds(n, ks)), None) for n in map(norm_text, texts)]


def copied_documents(texts: Sequence[str], documents: Sequence[str], *, min_chars: int = 40) -> set[int]:
    """The indices of ``documents`` that at least one of ``texts`` copies (the rule of
    :func:`document_copies`, which gives each text's first copied document instead).

    Example:
        >>> doc = ("The first sentence of this op-ed is long enough to count. "
        ...        "The second sentence of this op-ed is long enough as well.")
        >>> copied_documents(["Title. " + doc, "Nothing here."], ["Something else entirely.", doc, doc + " More."])
        {1, 2}
    """
    held = [norm_text(t) for t in texts]
    return {j for j, d in enumerate(documents) if (ks := _sentence_keys(d, min_chars)) and any(_holds(n, ks) for n in held)}


def _sentence_keys(document: str, min_chars: int) -> list[str]:
    """The document's normalised sentences of ``min_chars`` characters or more."""
    return [k for k in (norm_text(x) for x in _SENTENCE_END.split(document)) if len(k) >= min_chars]


def _holds(normalised: str, keys: list[str]) -> bool:
    """Whether a normalised text holds at least half (and at least two) of a document's keys."""
    return len(keys) >= 2 and sum(k in normalised for k in keys) >= max(2, (len(keys) + 1) // 2)


def drop_held_out_copies(train: list, held: list) -> list:
    """Drop training rows (``row[0]`` is the text) equal to, containing or contained in a
    held-out row (normalised).

    SST-2 was built from the same Rotten Tomatoes snippets as Pang & Lee's polarity
    set: 691 of SST-2's 872 dev sentences are also in Pang & Lee, so without this the
    dev score would be measured on training data.
    """
    held_norm = {norm_text(r[0]) for r in held}
    long_held = [h for h in held_norm if len(h) > 30]
    joined = "\x00".join(long_held)  # normalised text holds no \x00, so no match spans two rows
    keep = []
    for r in train:
        n = norm_text(r[0])
        if n in held_norm:
            continue
        if len(n) > 30 and (n in joined or any(h in n for h in long_held if len(h) <= len(n))):
            continue
        keep.append(r)
    return keep


#: the files of the op-ed reading layout :func:`extend_corpus` writes
_OPED_FILES = ("sentences.jsonl", "sentiment.jsonl", "claims.jsonl", "targets.jsonl", "docs.jsonl")


def extend_corpus(corpus: str | os.PathLike[str], annotations: str | os.PathLike[str],
                  sources: str | os.PathLike[str], out: str | os.PathLike[str], *, apart: bool = False) -> Path:
    """Write a corpus in the op-ed reading layout with more annotated documents added.

    ``annotations`` is a folder with ``sentences.jsonl`` (one row per sentence: ``source_id``,
    ``doc_key``, ``source`` (the source corpus's file, relative to ``sources``), ``source_doc``
    (the ``source_id`` of the document in it), ``start``/``end`` (the sentence's offsets in
    that document's text), ``text_sha256``, ``lang``, ``split``, ``skip``, ``sentiment``,
    ``claim``, ``targets``, ``annotator``) and ``docs.jsonl`` (``doc_key``, ``source``,
    ``source_doc``, ``lang``, ``split``, ``main_subject``, ``tone``, ``frames``,
    ``annotator``): labels without their texts, which stay in their source corpus. The
    texts are read back, checked against their SHA-256, and written beside ``corpus``'s own
    rows as ``out/<corpus folder name>/{sentences,sentiment,claims,targets,docs}.jsonl``
    (the same corpus name, so a training command's ``--weights`` and domains apply to
    both), with ``corpus``'s README and guidelines. With ``apart``, the added documents
    are written alone, as ``out/<annotations folder name>/`` (a corpus of their own name:
    ``--weights`` can then weigh them apart from ``corpus``'s rows). Returns that folder.

    Raises:
        SourceNotFoundError: a folder or source file does not exist.
        DataError: an annotation row lacks a field, names a document its source does not
            hold, or its text's SHA-256 differs (the source corpus changed).

    Example:
        >>> import tempfile, pathlib, json, hashlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> for sub in ("op", "ann", "src/news"):
        ...     (d / sub).mkdir(parents=True)
        >>> for f in _OPED_FILES:
        ...     _ = (d / "op" / f).write_text("")
        >>> _ = (d / "src/news/data.jsonl").write_text(json.dumps({"source_id": "a1", "text": "Acme fell. Sad."}) + "\\n")
        >>> row = {"source_id": "x-d1-s1", "doc_key": "x-d1", "source": "news/data.jsonl", "source_doc": "a1",
        ...        "start": 0, "end": 10, "text_sha256": hashlib.sha256(b"Acme fell.").hexdigest(), "lang": "en",
        ...        "split": "train", "skip": False, "sentiment": "negative", "claim": "claim",
        ...        "targets": [{"name": "Acme", "tone": "negative"}], "annotator": "me"}
        >>> _ = (d / "ann/sentences.jsonl").write_text(json.dumps(row) + "\\n")
        >>> _ = (d / "ann/docs.jsonl").write_text(json.dumps({"doc_key": "x-d1", "source": "news/data.jsonl",
        ...     "source_doc": "a1", "lang": "en", "split": "train", "main_subject": "Acme", "tone": "negative",
        ...     "frames": ["Economic"], "annotator": "me"}) + "\\n")
        >>> folder = extend_corpus(d / "op", d / "ann", d / "src", d / "out")
        >>> [json.loads(x)["target"] for x in (folder / "targets.jsonl").read_text().splitlines()]
        ['Acme']
    """
    corpus, annotations, sources = Path(corpus), Path(annotations), Path(sources)
    for folder, what in ((corpus, "corpus folder"), (annotations, "annotations folder"), (sources, "sources folder")):
        if not folder.is_dir():
            raise missing_file(folder, what)
    sent_rows = _read_file(annotations / "sentences.jsonl")
    doc_rows = _read_file(annotations / "docs.jsonl")
    texts: dict[str, dict[str, str]] = {}

    def source_text(row: Mapping[str, Any], where: str) -> str:
        src = str(row["source"])
        if src not in texts:
            path = sources / src
            if not path.is_file():
                raise missing_file(path, f"source corpus of {where}")
            texts[src] = {str(r.get("source_id")): str(r.get("text")) for r in _read_file(path)}
        if str(row["source_doc"]) not in texts[src]:
            raise DataError(f"{where}: {src} holds no document {row['source_doc']!r}")
        return texts[src][str(row["source_doc"])]

    new_sents: list[dict] = []
    need = ("source_id", "doc_key", "source", "source_doc", "start", "end", "text_sha256", "lang", "split",
            "skip", "sentiment", "claim", "targets")
    for i, r in enumerate(sent_rows, 1):
        where = f"{annotations / 'sentences.jsonl'} row {i}"
        if missing := [k for k in need if r.get(k) is None]:
            raise DataError(f"{where}: no {', '.join(missing)}")
        text = source_text(r, where)[int(r["start"]): int(r["end"])]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != r["text_sha256"]:
            raise DataError(f"{where}: the text at {r['start']}:{r['end']} of {r['source_doc']!r} is not the one "
                            "annotated (SHA-256 differs: has the source corpus changed?)")
        for t in r["targets"]:
            if t["name"] not in text:
                raise DataError(f"{where}: target {t['name']!r} is not in the sentence")
        new_sents.append({"text": text, "lang": r["lang"], "split": r["split"], "source_id": r["source_id"],
                          "doc_key": r["doc_key"], "source_doc": r["source_doc"], "skip": bool(r["skip"]),
                          "sentiment": r["sentiment"], "claim": r["claim"], "targets": list(r["targets"]),
                          "annotator": r.get("annotator")})
    by_doc: dict[str, list[dict]] = {}
    for s in new_sents:
        by_doc.setdefault(s["doc_key"], []).append(s)
    new_docs = []
    for i, d in enumerate(doc_rows, 1):
        where = f"{annotations / 'docs.jsonl'} row {i}"
        if missing := [k for k in ("doc_key", "source_doc", "lang", "split") if d.get(k) is None]:
            raise DataError(f"{where}: no {', '.join(missing)}")
        if d["doc_key"] not in by_doc:
            raise DataError(f"{where}: document {d['doc_key']!r} has no sentences")
        kept = [s["text"] for s in by_doc[d["doc_key"]] if not s["skip"]]
        new_docs.append({"doc_key": d["doc_key"], "source_doc": d["source_doc"], "lang": d["lang"],
                         "main_subject": d.get("main_subject"), "tone": d.get("tone"),
                         "text": (" " if d["lang"] == "en" else "").join(kept), "split": d["split"],
                         "frames": list(d.get("frames") or []), "annotator": d.get("annotator")})
    kept_rows = [s for s in new_sents if not s["skip"]]
    derived = {
        "sentences.jsonl": new_sents,
        "sentiment.jsonl": [{"text": s["text"], "label": s["sentiment"], "lang": s["lang"], "split": s["split"],
                             "source_id": s["source_id"], "doc_key": s["doc_key"]} for s in kept_rows],
        "claims.jsonl": [{"text": s["text"], "label": s["claim"], "lang": s["lang"], "split": s["split"],
                          "source_id": s["source_id"], "doc_key": s["doc_key"]} for s in kept_rows],
        "targets.jsonl": [{"text": s["text"], "target": t["name"], "target_from": a, "target_to": a + len(t["name"]),
                           "label": t["tone"], "lang": s["lang"], "split": s["split"], "source_id": s["source_id"],
                           "doc_key": s["doc_key"]}
                          for s in kept_rows for t in s["targets"] for a in [s["text"].find(t["name"])]],
        "docs.jsonl": new_docs,
    }
    dest = Path(out) / (annotations.name if apart else corpus.name)
    for folder, what in ((annotations, "annotations"), (corpus, "corpus")):
        if dest.resolve() == folder.resolve():
            raise DataError(f"the output folder {dest} is the {what} folder: writing there would replace its files "
                            "(give another --out)")
    dest.mkdir(parents=True, exist_ok=True)
    for name in _OPED_FILES:
        src = corpus / name
        if not src.is_file():
            raise missing_file(src, "corpus file")
        own = "" if apart else src.read_text(encoding="utf-8")
        if own and not own.endswith("\n"):
            own += "\n"
        added = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in derived[name])
        (dest / name).write_text(own + added, encoding="utf-8")
    for f in corpus.iterdir():
        if f.is_file() and f.suffix in (".md", ".txt") and f.name not in _OPED_FILES:
            (dest / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    note = (f"\nEXTENDED\n{len(new_docs)} documents ({len(kept_rows)} sentences) added from {annotations} "
            f"by xhs_nlp.labelled.extend_corpus{' (alone: the rows above are not in this folder)' if apart else ''}; "
            "who labelled them: the rows' `annotator` field.\n")
    readme = dest / "README.txt"
    readme.write_text((readme.read_text(encoding="utf-8") if readme.is_file() else "") + note, encoding="utf-8")
    return dest
