"""Many documents into tidy tables: :func:`score_files` (the ``xhs-nlp score`` command)
and :func:`score_dataset` (a Hugging Face ``datasets.Dataset``).

The tables (``documents``, ``sections``, ``sentences``, ``entities``, ``errors``) and their columns
are defined in :mod:`xhs_nlp.tables`.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Revenue rose 5% in 2024. What a triumph!")
    >>> summary = score_files([d / "a.txt"], d / "out", progress=False)
    >>> summary["documents"], summary["failed"], sorted(p.name for p in (d / "out").glob("*.parquet"))
    (1, 0, ['documents.parquet', 'entities.parquet', 'errors.parquet', 'sections.parquet', 'sentences.parquet'])
"""

from __future__ import annotations

import glob as _glob
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .analysis import Failure, Source, analyze_many
from .errors import DataError, InputError, SourceNotFoundError
from .folderlock import FolderLock
from .framing import FRAMES, TECHNIQUES
from .labelled import iter_table, table_columns
from .limits import MAX_BYTES
from .tables import TABLES, analysis_rows, dataframes, entity_rows, failure_row

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["score_files", "score_dataset", "score_batch", "expand_inputs", "output_plan", "TABLES", "FORMATS",
           "DATASET_COLUMNS", "ENTITY_FIELDS"]

FORMATS = ("parquet", "csv", "jsonl")
TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
TABLE_SUFFIXES = (".jsonl", ".csv", ".parquet")


# -- inputs ---------------------------------------------------------------------------------------


def expand_inputs(inputs: Sequence[str | os.PathLike[str]]) -> list[tuple[str, Any]]:
    """Resolve files, folders (recursive), globs and tables into ``(kind, value)`` items,
    before any work: ``("file", path)``, ``("table", path)`` or ``("bad", (path, reason))``.

    Inside a folder, ``.jsonl``/``.csv``/``.parquet`` files are read as tables (as when
    given directly), names starting with ``.`` are skipped, and anything that is not a
    regular file (a FIFO, socket or device) becomes an error row instead of being read.

    Raises:
        SourceNotFoundError: a path does not exist or a glob matches nothing.
        InputError: an input given by name is not a regular file.
        DataError: a table has no ``text`` column.
    """
    items: list[tuple[str, Any]] = []
    for raw in inputs:
        s = os.fspath(raw)
        if any(ch in s for ch in "*?[") and not os.path.exists(s):
            matches = sorted(_glob.glob(s, recursive=True))
            if not matches:
                raise SourceNotFoundError(f"the pattern {s!r} matches no file")
            paths = [Path(p) for p in matches]
        else:
            paths = [Path(s)]
        for p in paths:
            if p.is_dir():
                for f in sorted(p.rglob("*")):
                    if f.name.startswith(".") or f.is_dir():
                        continue
                    items.append(_classify(f) if f.is_file() else
                                 ("bad", (f, "not a regular file (a FIFO, socket or device): not read")))
            elif p.is_file():
                items.append(_classify(p))
            elif p.exists():
                raise InputError(f"input {p} is not a regular file (a FIFO, socket or device): not read")
            else:
                raise SourceNotFoundError(f"input {p} does not exist")
    return items


def _classify(path: Path) -> tuple[str, Any]:
    if path.suffix.lower() in TABLE_SUFFIXES:
        _check_table(path)
        return ("table", path)
    return ("file", path)


def _check_table(path: Path) -> None:
    cols = table_columns(path)
    if "text" not in cols:
        raise DataError(f"{path} has no 'text' column (columns: {', '.join(cols) or 'none'})")


def _iter_items(items: list[tuple[str, Any]], max_bytes: int | None = MAX_BYTES, posts: str = "first"
                ) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """``(source name, source, metadata)`` per document, in input order."""
    for kind, p in items:
        if kind == "bad":
            path, reason = p
            yield str(path), _Bad("InputError", reason), {}
            continue
        if kind == "file":
            try:
                size = p.stat().st_size
            except OSError as err:
                yield str(p), _Bad("SourceNotFoundError", str(err)), {}
                continue
            if max_bytes is not None and size > max_bytes:
                yield str(p), _Bad("InputError", f"file is {size:,} bytes, over the {max_bytes:,}-byte limit"), {}
                continue
            if posts == "all" and p.suffix.lower() in (".html", ".htm"):
                yield from _floors(p)
                continue
            yield str(p), p, {}
            continue
        for i, row in enumerate(iter_table(p)):
            text = row.pop("text", None)
            bad_line = row.pop("_error", None)
            meta = {k: v for k, v in row.items()}
            name = f"{p}:{i}"
            if bad_line is not None:
                yield name, _Bad("DataError", bad_line), meta
            elif not isinstance(text, str) or not text.strip():
                yield name, _Bad("EmptyDocumentError", "the text field is empty or not a string"), meta
            elif max_bytes is not None and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
                yield name, _Bad("InputError", f"text is over the {max_bytes:,}-byte limit"), meta
            else:
                yield name, text, meta


def _floors(path: Path) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """One item per floor of a forum thread page (``PATH#floorN``, the thread id and
    floor in the metadata); any other page is one item, as without ``--posts all``."""
    from .segment import segment_thread

    try:
        docs = segment_thread(path)
    except Exception as err:  # noqa: BLE001 - the page's error row, as segment would give
        yield str(path), _Bad(type(err).__name__, str(err)), {}
        return
    if len(docs) == 1 and docs[0].meta.floor is None:
        yield str(path), docs[0], {}
        return
    for d in docs:
        yield f"{path}#floor{d.meta.floor}", d, {"thread_id": d.meta.thread_id, "floor": d.meta.floor}


class _Bad:
    """A source known to fail before analysis (too large, empty field)."""

    def __init__(self, error: str, reason: str) -> None:
        self.error, self.reason = error, reason


# -- output ---------------------------------------------------------------------------------------


def output_plan(out: str | os.PathLike[str], fmt: str | None = None) -> tuple[Path, str, str]:
    """``(folder, format, file prefix)`` for ``--out``: a folder (tables ``documents.parquet``
    …), or a file name whose extension gives the format (``run.csv`` → ``run.documents.csv`` …).

    Raises:
        InputError: an unknown extension or format, or an output that cannot be written.
    """
    out = Path(out)
    suffix = out.suffix.lower().lstrip(".")
    if suffix and not out.is_dir():
        if suffix not in FORMATS:
            raise InputError(f"unknown output extension {out.suffix!r}: use a folder, or a file ending in "
                             + ", ".join(f".{f}" for f in FORMATS))
        folder, fmt, prefix = out.parent, suffix if fmt is None else fmt, out.stem + "."
    else:
        folder, prefix = out, ""
        fmt = fmt or "parquet"
    if fmt not in FORMATS:
        raise InputError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".xhs_nlp_write_test_{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise InputError(f"cannot write to {folder}: {err.strerror or err}") from None
    return folder, fmt, prefix


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    if fmt == "parquet":
        df.to_parquet(tmp, index=False)
    elif fmt == "csv":
        df.to_csv(tmp, index=False)
    else:
        df.to_json(tmp, orient="records", lines=True, force_ascii=False)
    os.replace(tmp, path)


def _read_part(path: Path) -> pd.DataFrame:
    import pandas as pd

    return pd.read_parquet(path)


def score_files(
    inputs: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    jobs: int = 1,
    batch_size: int = 16,
    chunk_size: int = 64,
    resume: bool = False,
    progress: bool = True,
    max_bytes: int | None = MAX_BYTES,
    posts: str = "first",
    engine: str = "local",
    scheduler: str | None = None,
    scheduler_file: str | None = None,
    aliases: Any = None,
) -> dict[str, Any]:
    """Score files, folders, globs and tables into the tidy tables under ``out``.

    ``aliases`` (a dict or a file) adds your own organisation names to the shipped ones
    (:mod:`xhs_nlp.segment.organisations`), for the ``entities`` table.

    Work is written in chunks of ``chunk_size`` documents, each chunk's tables to
    ``out/.parts/`` atomically, so an interruption loses at most the chunk in flight;
    the final tables are assembled (in input order) when all chunks are done. With
    ``resume=True`` documents whose source is already in a written chunk are skipped.

    The output folder is locked for the run (:class:`~xhs_nlp.folderlock.FolderLock`): a
    second run into it is refused with the holder named and nothing is deleted; a lock
    left by a run that died is taken over.

    Returns:
        ``{"documents", "failed"}``: rows of the final ``documents`` and ``errors``
        tables (with ``resume``, earlier runs' rows included), ``"scored_now"``,
        ``"failed_now"`` (this run), ``"skipped"`` (already written), ``"seconds"``,
        ``"tables"`` and ``"stale_lock"`` (what a dead earlier run left, or ``None``).

    Raises:
        SourceNotFoundError, DataError, InputError: bad arguments, inputs or output, or
            a folder another run holds, all before anything is written.
    """
    for name, value in (("jobs", jobs), ("batch_size", batch_size), ("chunk_size", chunk_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be an integer >= 1, got {value!r}")
    if posts not in ("first", "all"):
        raise InputError(f"posts must be 'first' or 'all', got {posts!r}")
    if engine not in ("local", "dask"):
        raise InputError(f"engine must be 'local' or 'dask', got {engine!r}")
    if aliases is not None:
        from .segment.organisations import OrganisationFinder

        OrganisationFinder(aliases)  # a bad table fails before anything is written
    if engine == "dask":
        if posts != "first":
            raise InputError("--posts all runs on the local engine only")
        if Path(out).suffix and not Path(out).is_dir():
            raise InputError("--engine dask writes a folder of Parquet parts: give --out a folder")
        items = expand_inputs(inputs)
        return _score_dask(items, Path(out), jobs=jobs, batch_size=batch_size, chunk_size=chunk_size, resume=resume,
                           progress=progress, max_bytes=max_bytes, scheduler=scheduler, scheduler_file=scheduler_file,
                           aliases=aliases)
    folder, fmt, prefix = output_plan(out, fmt)
    items = expand_inputs(inputs)
    with FolderLock(folder, "xhs-nlp score") as lock:
        res = _score_locked(items, folder, fmt, prefix, jobs=jobs, batch_size=batch_size, chunk_size=chunk_size,
                            resume=resume, progress=progress, max_bytes=max_bytes, posts=posts, aliases=aliases)
    return {**res, "stale_lock": lock.stale}


def _score_locked(items: list[tuple[str, Any]], folder: Path, fmt: str, prefix: str, *, jobs: int, batch_size: int,
                  chunk_size: int, resume: bool, progress: bool, max_bytes: int | None, posts: str,
                  aliases: Any = None) -> dict[str, Any]:
    import pandas as pd

    parts = folder / ".parts"
    if parts.exists() and not resume:
        import shutil

        shutil.rmtree(parts)
    parts.mkdir(exist_ok=True)
    done: set[str] = set()
    if resume:
        # a chunk is complete once its errors file (written last) exists; others are redone
        complete = {p.stem.split("-")[1] for p in parts.glob("errors-*.parquet")}
        for p in parts.glob("*.parquet"):
            if p.stem.split("-")[1] not in complete:
                p.unlink()
            elif p.name.startswith(("documents-", "errors-")):
                done.update(_read_part(p)["source"].astype(str).tolist())
    start_chunk = 1 + max([int(p.stem.split("-")[1]) for p in parts.glob("*.parquet")] or [0])
    t0 = time.perf_counter()
    todo: list[Source] = []
    pre_failed: list[Failure] = []
    skipped = 0
    for pos, (name, src, meta) in enumerate(_iter_items(items, max_bytes, posts)):
        if name in done:
            skipped += 1
            continue
        if isinstance(src, _Bad):
            pre_failed.append(Failure(name, src.error, src.reason, pos, meta))
        else:
            todo.append(Source(pos, src, name, meta))
    total = len(todo) + len(pre_failed)
    bar = _Progress(total, progress)
    n_docs = n_failed = 0
    chunk_rows: dict[str, list] = {t: [] for t in TABLES}
    chunk_no = start_chunk
    in_chunk = 0

    def flush() -> None:
        nonlocal chunk_no, in_chunk
        if not in_chunk:
            return
        frames = dataframes(chunk_rows)
        # errors last: a chunk counts as done once its errors file exists
        for t in ("sentences", "sections", "entities", "documents", "errors"):
            _write_table(frames[t], parts / f"{t}-{chunk_no:06d}.parquet", "parquet")
        for t in TABLES:
            chunk_rows[t] = []
        chunk_no += 1
        in_chunk = 0

    def add_failure(f: Failure) -> None:
        nonlocal n_failed, in_chunk
        chunk_rows["errors"].append(failure_row(f.source, f.position, f.error, f.reason, f.metadata))
        n_failed += 1
        in_chunk += 1

    for f in pre_failed:
        add_failure(f)
        bar(1)
    for res in analyze_many(todo, batch_size=batch_size, n_process=jobs, errors="return", max_bytes=max_bytes,
                            aliases=aliases):
        if isinstance(res, Failure):
            add_failure(res)
        else:
            for t, rs in res.rows().items():
                chunk_rows[t] += rs
            n_docs += 1
            in_chunk += 1
        bar(1)
        if in_chunk >= chunk_size:
            flush()
    flush()
    bar.close()
    frames = {}
    for t in TABLES:
        dfs = [_read_part(p) for p in sorted(parts.glob(f"{t}-*.parquet"))]
        frames[t] = pd.concat(dfs, ignore_index=True) if dfs else dataframes({t: []})[t]
    # input order: documents and errors by position; sections and sentences by their
    # document's position, then by their place within it
    order = dict(zip(frames["documents"]["source"], frames["documents"]["position"]))
    tables = {}
    for t, df in frames.items():
        if len(df):
            if t in ("documents", "errors"):
                df = df.sort_values(["position"], kind="stable")
            else:
                # entities keep their rows' order within a document (entity by entity)
                keys = {"sections": ["_o", "section"], "sentences": ["_o", "sentence"]}.get(t, ["_o"])
                df = df.assign(_o=df["source"].map(order)).sort_values(keys, kind="stable").drop(columns="_o")
            df = df.reset_index(drop=True)
        path = folder / f"{prefix}{t}.{fmt}"
        _write_table(df, path, fmt)
        tables[t] = str(path)
    import shutil

    shutil.rmtree(parts, ignore_errors=True)
    return {"documents": len(frames["documents"]), "failed": len(frames["errors"]), "scored_now": n_docs,
            "failed_now": n_failed, "skipped": skipped, "seconds": round(time.perf_counter() - t0, 2), "tables": tables}


def _score_dask(items: list[tuple[str, Any]], out: Path, *, jobs: int, batch_size: int, chunk_size: int, resume: bool,
                progress: bool, max_bytes: int | None, scheduler: str | None, scheduler_file: str | None,
                aliases: Any = None) -> dict[str, Any]:
    """``score`` on a Dask cluster: the inputs become a Dask DataFrame of items (one
    partition per ``chunk_size`` documents), scored into ``OUT/TABLE/part-N.parquet``."""
    import dask.dataframe as dd
    import pandas as pd

    from .cluster import POSITION, SOURCE, connect, score_to_parquet

    rows = []
    for pos, (name, src, meta) in enumerate(_iter_items(items, max_bytes)):
        row = {SOURCE: name, POSITION: pos, "text": None, "_path": None, "_error": None, "_reason": None,
               "_metadata": json.dumps(meta, ensure_ascii=False, default=str) if meta else None}
        if isinstance(src, _Bad):
            row.update(_error=src.error, _reason=src.reason)
        elif isinstance(src, Path):
            row["_path"] = str(src.resolve())
        else:
            row["text"] = src
        rows.append(row)
    if not rows:
        raise InputError("no documents to score")
    pdf = pd.DataFrame(rows).astype({"text": "object", "_path": "object", "_error": "object", "_reason": "object",
                                     "_metadata": "object"})
    ddf = dd.from_pandas(pdf, npartitions=max(1, -(-len(pdf) // chunk_size)), sort=False)
    client, close = connect(scheduler=scheduler, scheduler_file=scheduler_file, workers=jobs)
    try:
        res = score_to_parquet(ddf, out, batch_size=batch_size, resume=resume, progress=progress, client=client,
                               aliases=aliases)
    finally:
        close()
    return {**res, "scored_now": None, "failed_now": None, "skipped_partitions": res["skipped"],
            "tables": {t: str(out / t) for t in TABLES}, "stale_lock": None}


def frames_from_rows(rows: dict[str, list[dict[str, Any]]]) -> dict[str, pd.DataFrame]:
    """Deprecated alias of :func:`xhs_nlp.tables.dataframes` (removed in the next release)."""
    import warnings

    warnings.warn("xhs_nlp.batch.frames_from_rows() is xhs_nlp.tables.dataframes()", DeprecationWarning, stacklevel=2)
    return dataframes(rows)


class _Progress:
    """``12/200 documents  3.4 docs/s`` on stderr, redrawn at most twice a second."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.done = total, enabled and total > 0, 0
        self.t0 = self.last = time.perf_counter()

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if self.enabled and (now - self.last > 0.5 or self.done >= self.total):
            self.last = now
            rate = self.done / max(now - self.t0, 1e-9)
            print(f"\r  {self.done}/{self.total} documents  {rate:.2f} docs/s", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


# -- Hugging Face datasets ---------------------------------------------------------------------------

#: the columns :func:`score_dataset` adds
DATASET_COLUMNS = ("doc_id", "sentiment_score", "sentiment_label", "claim_share", "n_claims", "top_frame", "frames_on",
                   "top_technique", "techniques_on", "frames", "techniques", "entities", "error")
#: the fields of each entry of the ``entities`` column (the document-level rows of the ``entities`` table)
ENTITY_FIELDS = ("entity", "aliases", "mentions", "sentences", "score", "label", "share_negative", "share_neutral",
                 "share_positive", "n_claims")


def score_batch(batch: dict[str, list], text_column: str = "text") -> dict[str, list]:
    """The pure, picklable per-batch function of :func:`score_dataset`: a dict of
    columns in, the analysis columns out (failures give ``error`` and empty scores).
    Any engine that maps a function over batches of rows can run it."""
    out: dict[str, list] = {c: [] for c in DATASET_COLUMNS}
    for res in analyze_many(batch[text_column], errors="return"):
        if isinstance(res, Failure):
            row: dict[str, Any] = dict.fromkeys(DATASET_COLUMNS)
            row.update(frames=[None] * len(FRAMES), techniques=[None] * len(TECHNIQUES), n_claims=None, entities=[],
                       error=f"{res.error}: {res.reason}")
        else:
            d = analysis_rows(res)["documents"][0]
            row = {k: d.get(k) for k in DATASET_COLUMNS}
            row["frames"] = [res.framing.document.frames[f] for f in FRAMES]
            row["techniques"] = [res.framing.document.techniques[t] for t in TECHNIQUES]
            row["entities"] = [{k: e[k] for k in ENTITY_FIELDS} for e in entity_rows(res) if e["section"] is None]
            row["error"] = None
        for c in DATASET_COLUMNS:
            out[c].append(row[c])
    return out


def score_dataset(ds: Any, *, text_column: str = "text", num_proc: int | None = None, batch_size: int = 16) -> Any:
    """Add the analysis columns (:data:`DATASET_COLUMNS`) to a ``datasets.Dataset``.

    Runs :func:`score_batch` through ``Dataset.map(batched=True)``; ``frames`` and
    ``techniques`` are lists of probabilities in the order of
    :data:`~xhs_nlp.framing.FRAMES` and :data:`~xhs_nlp.framing.TECHNIQUES`; ``entities`` is
    a list with one entry per organisation named (:data:`ENTITY_FIELDS`: its portrayal over
    the whole document, as the ``entities`` table's document rows).

    Raises:
        DataError: the dataset has no ``text_column``.

    Example:
        >>> from datasets import Dataset
        >>> ds = score_dataset(Dataset.from_dict({"text": ["Sales rose 5% in 2023.", ""]}))
        >>> list(ds["n_claims"]), ds["error"][1]
        ([1, None], 'EmptyDocumentError: empty document: the source holds no text (only whitespace)')
    """
    if text_column not in getattr(ds, "column_names", []):
        raise DataError(f"the dataset has no {text_column!r} column (columns: {getattr(ds, 'column_names', None)})")
    from datasets import Features, Sequence, Value

    entity = {k: Value("int64") if k in ("mentions", "sentences", "n_claims") else
              Value("float64") if k == "score" or k.startswith("share_") else Value("string") for k in ENTITY_FIELDS}
    types = {"sentiment_score": Value("float64"), "claim_share": Value("float64"), "n_claims": Value("int64"),
             "frames": Sequence(Value("float64")), "techniques": Sequence(Value("float64")), "entities": [entity]}
    features = Features({**ds.features, **{c: types.get(c, Value("string")) for c in DATASET_COLUMNS}})
    # the types are given, so a batch whose values are all missing (failures) still writes
    return ds.map(score_batch, batched=True, batch_size=batch_size, num_proc=num_proc, features=features,
                  fn_kwargs={"text_column": text_column}, desc="xhs_nlp")
