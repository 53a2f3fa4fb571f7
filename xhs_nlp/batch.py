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
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .analysis import Failure, Source, analyze_many
from .errors import DataError, InputError, SourceNotFoundError
from .folderlock import FolderLock
from .framing import FRAMES, TECHNIQUES
from .labelled import iter_table, table_columns
from .limits import MAX_BYTES
from .outputs import RUN_METADATA_KEY, run_info
from .outputs import WriteError as _WriteError, digest as _digest, tmp_name as _tmp_name
from .outputs import write_frame as _write_frame, write_json as _write_json, write_table as _write_table
from .tables import TABLES, analysis_rows, dataframes, entity_rows, failure_row, output_frame, safe_text, schema

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["score_files", "score_frame", "score_dataset", "score_batch", "expand_inputs", "output_plan", "run_info",
           "TABLES", "FORMATS", "DATASET_COLUMNS", "ENTITY_FIELDS", "RUN_METADATA_KEY"]

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
    if path.suffix.lower() == ".jsonl":  # the first line that is a JSON object (bad lines become error rows)
        first = next((r for r in _iter_jsonl(path) if "_error" not in r or len(r) != 2), None)
        cols = list(first) if first is not None else ["text"]
    else:
        cols = table_columns(path)
    if "text" not in cols:
        raise DataError(f"{path} has no 'text' column (columns: {', '.join(cols) or 'none'})")


def _iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of a JSONL table; a line that is not UTF-8, not JSON or not a JSON object
    gives ``{"text": None, "_error": ...}`` naming the line (the other lines are read)."""
    with open(path, "rb") as f:
        for i, raw in enumerate(f):
            try:
                line = raw.decode("utf-8-sig" if i == 0 else "utf-8")
            except UnicodeDecodeError as err:
                yield {"text": None, "_error": f"line {i + 1} is not valid UTF-8 (byte 0x{raw[err.start]:02x} at "
                                               f"byte {err.start + 1} of the line)"}
                continue
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                yield {"text": None, "_error": f"line {i + 1} is not JSON: {err}"}
                continue
            except RecursionError:
                yield {"text": None, "_error": f"line {i + 1} is nested too deep to read"}
                continue
            if not isinstance(row, dict):
                yield {"text": None, "_error": f"line {i + 1} is JSON but not an object ({type(row).__name__}): "
                                               "each line must be an object with a 'text' field"}
                continue
            yield row


def _iter_rows(path: Path) -> Iterator[dict[str, Any]]:
    suf = path.suffix.lower()
    if suf == ".jsonl":
        yield from _iter_jsonl(path)
    elif suf == ".csv":
        import pandas as pd

        # bytes that are not UTF-8 are kept (surrogate-escaped): the row fails, not the file
        df = pd.read_csv(path, dtype=object, keep_default_na=False, encoding_errors="surrogateescape")
        yield from df.to_dict("records")
    else:
        yield from iter_table(path)


def _iter_items(items: list[tuple[str, Any]], max_bytes: int | None = MAX_BYTES, posts: str = "first"
                ) -> Iterator[tuple[str, Any, dict[str, Any], str]]:
    """``(source name, source, metadata, fingerprint)`` per document, in input order. The
    name is shown escaped where it is not valid UTF-8 (:func:`~xhs_nlp.tables.safe_text`);
    the fingerprint changes when the document does (a file's size and modification time, a
    row's text and metadata), so a resume scores it again."""
    for kind, p in items:
        if kind == "bad":
            path, reason = p
            yield safe_text(str(path)), _Bad("InputError", reason), {}, _digest("bad", reason)
            continue
        if kind == "file":
            name = safe_text(str(p))
            try:
                st = p.stat()
            except OSError as err:
                yield name, _Bad("SourceNotFoundError", safe_text(str(err))), {}, _digest("bad", str(err))
                continue
            fp = f"file:{st.st_size}:{st.st_mtime_ns}"
            if max_bytes is not None and st.st_size > max_bytes:
                yield name, _Bad("InputError", f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit"), {}, fp
                continue
            if posts == "all" and p.suffix.lower() in (".html", ".htm"):
                for fname, src, meta in _floors(p):
                    yield fname, src, meta, _digest(fp, fname)
                continue
            yield name, p, {}, fp
            continue
        base = safe_text(str(p))
        for i, row in enumerate(_iter_rows(p)):
            text = row.pop("text", None)
            bad_line = row.pop("_error", None)
            meta = {k: v for k, v in row.items()}
            name = f"{base}:{i}"
            fp = _digest("row", text if isinstance(text, str) else repr(text), bad_line,
                         {safe_text(str(k)): repr(v) for k, v in meta.items()})
            if bad_line is not None:
                yield name, _Bad("DataError", bad_line), meta, fp
            elif not isinstance(text, str) or not text.strip():
                yield name, _Bad("EmptyDocumentError", "the text field is empty or not a string"), meta, fp
            elif max_bytes is not None and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
                yield name, _Bad("InputError", f"text is over the {max_bytes:,}-byte limit"), meta, fp
            else:
                yield name, text, meta, fp


def _floors(path: Path) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """One item per floor of a forum thread page (``PATH#floorN``, the thread id and
    floor in the metadata); any other page is one item, as without ``--posts all``."""
    from .segment import segment_thread

    name = safe_text(str(path))
    try:
        docs = segment_thread(path)
    except Exception as err:  # noqa: BLE001 - the page's error row, as segment would give
        yield name, _Bad(type(err).__name__, safe_text(str(err))), {}
        return
    if len(docs) == 1 and docs[0].meta.floor is None:
        yield name, docs[0], {}
        return
    for d in docs:
        yield f"{name}#floor{d.meta.floor}", d, {"thread_id": d.meta.thread_id, "floor": d.meta.floor}


class _Bad:
    """A source known to fail before analysis (too large, empty field)."""

    def __init__(self, error: str, reason: str) -> None:
        self.error, self.reason = error, reason


class _Item:
    """One document of a run's plan: where it is in the input, its name, which occurrence
    of that name it is (the same file given twice is scored twice) and its fingerprint."""

    __slots__ = ("pos", "name", "occ", "src", "meta", "fp")

    def __init__(self, pos: int, name: str, occ: int, src: Any, meta: dict[str, Any], fp: str) -> None:
        self.pos, self.name, self.occ, self.src, self.meta, self.fp = pos, name, occ, src, meta, fp

    @property
    def key(self) -> tuple[str, int]:
        return (self.name, self.occ)


def _plan(items: list[tuple[str, Any]], max_bytes: int | None, posts: str) -> list[_Item]:
    seen: dict[str, int] = {}
    out = []
    for pos, (name, src, meta, fp) in enumerate(_iter_items(items, max_bytes, posts)):
        occ = seen[name] = seen.get(name, -1) + 1
        out.append(_Item(pos, name, occ, src, meta, fp))
    return out


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
    ``out/.parts/`` atomically (a chunk's ``keys`` part, written last, marks it done), so an
    interruption loses at most the chunk in flight. When all chunks are done the final
    tables are assembled (in input order), written under temporary names, renamed into
    place, and only then are the parts removed: a run stopped at any moment leaves either
    complete parts or complete tables. ``run.json`` (and every Parquet table's metadata,
    key ``xhs_nlp.run``) records the package version, the models' SHA-256, the encoder's
    fingerprint and precision, the command line and the time.

    With ``resume=True`` work is skipped by document, not by chunk: a document (its
    name, which occurrence of that name, and its fingerprint: a file's size and
    modification time, a row's text and metadata) already in a finished chunk is not
    scored again; one that changed, or is new, is; one no longer among the inputs is left
    out. The chunk size may change between runs. Parts scored with other models, encoder,
    precision, aliases, size limit or ``posts`` are refused (run without ``resume``).
    A resume that finds finished tables of the same inputs and no parts does nothing.

    The output folder is locked for the run (:class:`~xhs_nlp.folderlock.FolderLock`): a
    second run into it is refused with the holder named and nothing is deleted; a lock
    left by a run that died is taken over.

    Returns:
        ``{"documents", "failed"}``: rows of the final ``documents`` and ``errors``
        tables (with ``resume``, earlier runs' rows included), ``"scored_now"``,
        ``"failed_now"`` (this run), ``"skipped"`` (documents already written), ``"seconds"``,
        ``"tables"``, ``"run"`` (the ``run.json`` path) and ``"stale_lock"`` (what a dead
        earlier run left, or ``None``).

    Raises:
        SourceNotFoundError, DataError, InputError: bad arguments, inputs or output, or
            a folder another run holds, all before anything is written; InputError also
            when the disk fills up (the message names the folder and what is kept).
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
    settings = {"engine": engine, "format": fmt, "jobs": jobs, "batch_size": batch_size, "chunk_size": chunk_size,
                "resume": resume, "max_bytes": max_bytes, "posts": posts,
                "aliases": safe_text(os.fspath(aliases)) if isinstance(aliases, (str, os.PathLike)) else
                ("<dict>" if aliases is not None else None)}
    if engine == "dask":
        if posts != "first":
            raise InputError("--posts all runs on the local engine only")
        if Path(out).suffix and not Path(out).is_dir():
            raise InputError("--engine dask writes a folder of Parquet parts: give --out a folder")
        items = expand_inputs(inputs)
        try:
            return _score_dask(items, Path(out), jobs=jobs, batch_size=batch_size, chunk_size=chunk_size,
                               resume=resume, progress=progress, max_bytes=max_bytes, scheduler=scheduler,
                               scheduler_file=scheduler_file, aliases=aliases, settings=settings)
        except _WriteError as err:
            raise _disk_error(Path(out), err, "the parts written so far are kept") from None
    folder, fmt, prefix = output_plan(out, fmt)
    settings["format"] = fmt
    items = expand_inputs(inputs)
    with FolderLock(folder, "xhs-nlp score") as lock:
        try:
            res = _score_locked(items, folder, fmt, prefix, jobs=jobs, batch_size=batch_size, chunk_size=chunk_size,
                                resume=resume, progress=progress, max_bytes=max_bytes, posts=posts, aliases=aliases,
                                settings=settings)
        except _WriteError as err:
            raise _disk_error(folder, err, f"the chunks written so far are kept in {folder / '.parts'}") from None
    return {**res, "stale_lock": lock.stale}


def _disk_error(folder: Path, err: _WriteError, kept: str) -> InputError:
    why = err.err.strerror or str(err.err) or type(err.err).__name__
    return InputError(f"cannot write to {folder}: {why} (writing {err.path.name}); {kept}: make room and run "
                      "again with --resume")


def _complete_chunks(parts: Path) -> dict[int, pd.DataFrame]:
    """The finished chunks' keys (``source``, ``occurrence``, ``fingerprint``); the files of
    chunks without a keys part (interrupted while written) and temporary files are removed."""
    keys = {int(p.stem.split("-")[1]): p for p in parts.glob("keys-*.parquet")}
    for p in parts.iterdir():
        if p.name == _SETTINGS:
            continue
        if p.name.startswith("."):  # a temporary file of a write that was interrupted
            p.unlink(missing_ok=True)
            continue
        try:
            n = int(p.stem.split("-")[1])
        except (IndexError, ValueError):
            continue
        if n not in keys:
            p.unlink(missing_ok=True)
    return {n: _read_part(p) for n, p in sorted(keys.items())}


def _winners(plan: list[_Item], chunks: dict[int, pd.DataFrame]) -> dict[tuple[str, int], int]:
    """For every document of the plan already scored (same name, occurrence and
    fingerprint), the first finished chunk that holds it."""
    want = {it.key: it.fp for it in plan}
    out: dict[tuple[str, int], int] = {}
    for n, keys in chunks.items():
        for s, o, fp in zip(keys["source"].tolist(), keys["occurrence"].tolist(), keys["fingerprint"].tolist()):
            k = (s, int(o))
            if k not in out and want.get(k) == fp:
                out[k] = n
    return out


_SETTINGS = "scoring.json"


def _keys_frame(items: list[_Item]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"source": pd.Series([it.name for it in items], dtype="string"),
                         "occurrence": pd.Series([it.occ for it in items], dtype="int64"),
                         "fingerprint": pd.Series([it.fp for it in items], dtype="string")})


def _clean_leftovers(folder: Path, prefix: str) -> None:
    """Remove what an interrupted run left beside the tables: temporary files of the
    final tables, and the parts of a run whose tables were all in place (``.parts.trash``)."""
    import shutil

    trash = folder / ".parts.trash"
    if trash.exists():
        shutil.rmtree(trash, ignore_errors=True)
    for p in folder.glob(f".{prefix}*.tmp*"):
        if p.is_file():
            p.unlink(missing_ok=True)


def _final_paths(folder: Path, prefix: str, fmt: str) -> dict[str, Path]:
    return {**{t: folder / f"{prefix}{t}.{fmt}" for t in TABLES}, "keys": folder / f".{prefix}xhs_nlp_keys",
            "run": folder / f"{prefix}run.json"}


def _published(folder: Path, prefix: str, fmt: str, plan: list[_Item], scoring: dict[str, Any]) -> dict | None:
    """The ``run.json`` of finished tables of exactly this plan and these scoring settings, or ``None``."""
    import pandas as pd

    paths = _final_paths(folder, prefix, fmt)
    if not all(p.is_file() for p in paths.values()):
        return None
    try:
        run = json.loads(paths["run"].read_text(encoding="utf-8"))
        keys = pd.read_parquet(paths["keys"])
    except (OSError, ValueError, ImportError):
        return None
    if run.get("scoring") != scoring:
        return None
    mine = _keys_frame(plan)
    if len(keys) != len(mine) or not keys.reset_index(drop=True).equals(mine):
        return None
    return run


def _score_locked(items: list[tuple[str, Any]], folder: Path, fmt: str, prefix: str, *, jobs: int, batch_size: int,
                  chunk_size: int, resume: bool, progress: bool, max_bytes: int | None, posts: str,
                  aliases: Any = None, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    import shutil

    t0 = time.perf_counter()
    parts = folder / ".parts"
    _clean_leftovers(folder, prefix)
    plan = _plan(items, max_bytes, posts)
    info = run_info(aliases=aliases, settings=settings)
    paths = _final_paths(folder, prefix, fmt)
    if resume and not parts.exists():
        run = _published(folder, prefix, fmt, plan, info["scoring"])
        if run is not None:  # the tables of these inputs are finished: nothing to do
            return {"documents": run.get("documents"), "failed": run.get("failed"), "scored_now": 0, "failed_now": 0,
                    "skipped": len(plan), "seconds": round(time.perf_counter() - t0, 2),
                    "tables": {t: str(paths[t]) for t in TABLES}, "run": str(paths["run"])}
    if parts.exists() and not resume:
        shutil.rmtree(parts)
    if parts.exists():
        try:
            before = json.loads((parts / _SETTINGS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            before = None
        if before != info["scoring"]:
            changed = sorted(k for k in info["scoring"] if (before or {}).get(k) != info["scoring"][k])
            raise InputError(f"cannot resume in {folder}: its parts were scored with other settings "
                             f"({', '.join(changed) if before else 'not recorded: an older xhs_nlp'}); "
                             "run without --resume to score everything again")
    parts.mkdir(exist_ok=True)
    if not (parts / _SETTINGS).exists():
        _write_json(info["scoring"], parts / _SETTINGS)  # a full disk here is the one-line error too
    chunks = _complete_chunks(parts)
    done = _winners(plan, chunks)
    start_chunk = 1 + max(chunks, default=0)
    todo: list[Source] = []
    pre_failed: list[Failure] = []
    occ_of: dict[int, int] = {}
    for it in plan:
        if it.key in done:
            continue
        occ_of[it.pos] = it.occ
        if isinstance(it.src, _Bad):
            pre_failed.append(Failure(it.name, it.src.error, it.src.reason, it.pos, it.meta))
        else:
            todo.append(Source(it.pos, it.src, it.name, it.meta))
    by_pos = {it.pos: it for it in plan}
    bar = _progress_bar(len(todo) + len(pre_failed), progress)
    n_docs = n_failed = 0
    chunk_rows: dict[str, list] = {t: [] for t in TABLES}
    chunk_items: list[_Item] = []
    chunk_no = start_chunk

    def flush() -> None:
        nonlocal chunk_no, chunk_items
        if not chunk_items:
            return
        frames = dataframes(chunk_rows)
        for t in ("sentences", "sections", "entities", "documents", "errors"):
            _write_table(frames[t], parts / f"{t}-{chunk_no:06d}.parquet", "parquet")
        # the keys last: a chunk counts as done once its keys part exists
        _write_table(_keys_frame(chunk_items), parts / f"keys-{chunk_no:06d}.parquet", "parquet")
        for t in TABLES:
            chunk_rows[t] = []
        chunk_no += 1
        chunk_items = []

    def add(pos: int, rows: dict[str, list[dict[str, Any]]]) -> None:
        occ = occ_of[pos]
        for t, rs in rows.items():
            for r in rs:
                r["_occ"] = occ
            chunk_rows[t] += rs
        chunk_items.append(by_pos[pos])

    try:
        for f in pre_failed:
            add(f.position, {"errors": [failure_row(f.source, f.position, f.error, f.reason, f.metadata)]})
            n_failed += 1
            bar.update(1)
            if len(chunk_items) >= chunk_size:
                flush()
        for res in analyze_many(todo, batch_size=batch_size, n_process=jobs, errors="return", max_bytes=max_bytes,
                                aliases=aliases):
            if isinstance(res, Failure):
                add(res.position, {"errors": [failure_row(res.source, res.position, res.error, res.reason,
                                                          res.metadata)]})
                n_failed += 1
            else:
                add(res.position, res.rows())
                n_docs += 1
            bar.update(1)
            if len(chunk_items) >= chunk_size:
                flush()
        flush()
    finally:
        bar.close()
    tables = _assemble(parts, plan)
    info["documents"], info["failed"] = len(tables["documents"]), len(tables["errors"])
    _publish(folder, paths, fmt, tables, _keys_frame(plan), info)
    return {"documents": info["documents"], "failed": info["failed"], "scored_now": n_docs, "failed_now": n_failed,
            "skipped": len(done), "seconds": round(time.perf_counter() - t0, 2),
            "tables": {t: str(paths[t]) for t in TABLES}, "run": str(paths["run"])}


def _assemble(parts: Path, plan: list[_Item]) -> dict[str, pd.DataFrame]:
    """The final tables from the finished chunks: each document of the plan once (from the
    first chunk that holds it as it is now), in input order, at its position in this plan.

    Raises:
        DataError: a document of the plan is in no chunk (never expected: nothing is published).
    """
    import pandas as pd

    chunks = _complete_chunks(parts)
    winner = _winners(plan, chunks)
    missing = [it.name for it in plan if it.key not in winner]
    if missing:
        raise DataError(f"{len(missing)} document(s) are in no finished chunk of {parts} (first: {missing[0]}); "
                        "nothing was published: run again with --resume")
    pos = {it.key: it.pos for it in plan}
    empty = dataframes({t: [] for t in TABLES})
    tables = {}
    for t in TABLES:
        dfs = []
        for n in chunks:
            df = _read_part(parts / f"{t}-{n:06d}.parquet")
            if len(df):
                keep = [winner.get((s, int(o))) == n for s, o in zip(df["source"].tolist(), df["_occ"].tolist())]
                dfs.append(df[keep])
        df = pd.concat(dfs, ignore_index=True) if dfs else empty[t].assign(_occ=pd.Series([], dtype="int64"))
        if len(df):
            order = [pos[(s, int(o))] for s, o in zip(df["source"].tolist(), df["_occ"].tolist())]
            if t in ("documents", "errors"):
                df = df.assign(position=pd.Series(order, dtype="int64", index=df.index)).sort_values(
                    ["position"], kind="stable")
            else:
                # entities keep their rows' order within a document (entity by entity)
                keys = {"sections": ["_o", "section"], "sentences": ["_o", "sentence"]}.get(t, ["_o"])
                df = df.assign(_o=order).sort_values(keys, kind="stable").drop(columns="_o")
        tables[t] = df.drop(columns="_occ").reset_index(drop=True).astype(dict(schema()[t]))
    n = len(tables["documents"]) + len(tables["errors"])
    if n != len(plan):
        raise DataError(f"the finished chunks of {parts} hold {n} documents for {len(plan)} inputs; "
                        "nothing was published: run again without --resume")
    return tables


def _publish(folder: Path, paths: dict[str, Path], fmt: str, tables: dict[str, pd.DataFrame], keys: pd.DataFrame,
             info: dict[str, Any]) -> None:
    """Write every final table under a temporary name, rename them all into place, then
    remove the parts (renamed to ``.parts.trash`` first, in one step): a run stopped at any
    moment leaves complete parts (a resume assembles again) or complete tables."""
    import shutil

    info = {**info, "tables": {t: paths[t].name for t in TABLES}}
    staged: list[tuple[Path, Path]] = []
    try:
        for t in TABLES:
            tmp = _tmp_name(paths[t])
            _write_frame(output_frame(tables[t], t, fmt), tmp, fmt, info)
            staged.append((tmp, paths[t]))
        tmp = _tmp_name(paths["keys"])
        _write_frame(keys, tmp, "parquet")
        staged.append((tmp, paths["keys"]))
        tmp = _tmp_name(paths["run"])
        try:
            tmp.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise _WriteError(tmp, err) from err
        staged.append((tmp, paths["run"]))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
    parts, trash = folder / ".parts", folder / ".parts.trash"
    if parts.exists():
        os.replace(parts, trash)
        shutil.rmtree(trash, ignore_errors=True)


def _score_dask(items: list[tuple[str, Any]], out: Path, *, jobs: int, batch_size: int, chunk_size: int, resume: bool,
                progress: bool, max_bytes: int | None, scheduler: str | None, scheduler_file: str | None,
                aliases: Any = None, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """``score`` on a Dask cluster: the inputs become partitions of at most ``chunk_size``
    documents, scored into ``OUT/TABLE/part-N.parquet`` (:func:`xhs_nlp.cluster.score_items`).
    Paths travel as the hex of their bytes and metadata as ASCII JSON, so names and values
    that are not valid UTF-8 reach the workers intact."""
    import pandas as pd

    from .cluster import POSITION, SOURCE, connect, score_items

    rows = []
    for it in _plan(items, max_bytes, "first"):
        row = {SOURCE: it.name, POSITION: it.pos, "text": None, "_path": None, "_error": None, "_reason": None,
               "_metadata": _ascii_json(it.meta) if it.meta else None, "_textjson": None, "_fp": it.fp}
        if isinstance(it.src, _Bad):
            row.update(_error=it.src.error, _reason=it.src.reason)
        elif isinstance(it.src, Path):
            row["_path"] = os.fsencode(it.src.resolve()).hex()
        elif _utf8(it.src):
            row["text"] = it.src
        else:  # a lone surrogate: the worker gives the error row a local run gives
            row["_textjson"] = json.dumps(it.src, ensure_ascii=True)
        rows.append(row)
    if not rows:
        raise InputError("no documents to score")
    pdf = pd.DataFrame(rows).astype({c: "object" for c in ("text", "_path", "_error", "_reason", "_metadata",
                                                           "_textjson", "_fp")})
    info = run_info(aliases=aliases, settings=settings)
    client, close = connect(scheduler=scheduler, scheduler_file=scheduler_file, workers=jobs)
    try:
        res = score_items(pdf, out, chunk_size=chunk_size, batch_size=batch_size, resume=resume, progress=progress,
                          client=client, aliases=aliases, run=info)
    finally:
        close()
    return {**res, "scored_now": None, "failed_now": None, "tables": {t: str(out / t) for t in TABLES},
            "run": str(out / "run.json"), "stale_lock": None}


def _utf8(s: str) -> bool:
    try:
        s.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _ascii_json(meta: dict[str, Any]) -> str:
    from .tables import _finite, _json_default

    return json.dumps(_finite(meta), ensure_ascii=True, default=_json_default, allow_nan=False)


def frames_from_rows(rows: dict[str, list[dict[str, Any]]]) -> dict[str, pd.DataFrame]:
    """Deprecated alias of :func:`xhs_nlp.tables.dataframes` (removed in the next release)."""
    import warnings

    warnings.warn("xhs_nlp.batch.frames_from_rows() is xhs_nlp.tables.dataframes()", DeprecationWarning, stacklevel=2)
    return dataframes(rows)


def _progress_bar(total: int, enabled: bool, unit: str = "doc") -> Any:
    """A tqdm bar on stderr when ``enabled`` and stderr is a terminal; otherwise silent."""
    from ._progress import progress_bar

    return progress_bar(total, desc="score", unit=unit, enabled=bool(enabled) and total > 0)


def score_frame(df: pd.DataFrame, text_col: str = "text", *, batch_size: int = 16, n_process: int = 1,
                max_bytes: int | None = MAX_BYTES, aliases: Any = None, progress: bool = False
                ) -> dict[str, pd.DataFrame]:
    """Score the texts of a pandas DataFrame: ``{table: DataFrame}`` (:data:`TABLES`).

    The ``documents`` and ``errors`` tables keep the input's other columns as real
    columns (with their dtypes; a name the table already has becomes ``input_NAME``), one
    row per input row at ``position`` (its row number) and ``source`` ``row:N``; the
    multi-valued cells (:data:`~xhs_nlp.tables.LIST_COLUMNS`) are lists. A row whose text
    is empty or not a string is an ``errors`` row.

    Raises:
        DataError: ``df`` has no ``text_col``.

    Example:
        >>> import pandas as pd
        >>> t = score_frame(pd.DataFrame({"text": ["Sales rose 5% in 2024.", ""], "outlet": ["a", "b"]}))
        >>> t["documents"][["source", "outlet"]].values.tolist(), t["errors"]["outlet"].tolist()
        ([['row:0', 'a']], ['b'])
    """
    import pandas as pd

    if text_col not in df.columns:
        raise DataError(f"the DataFrame has no {text_col!r} column (columns: {', '.join(map(str, df.columns))})")
    rows: dict[str, list] = {t: [] for t in TABLES}
    todo = []
    for pos, text in enumerate(df[text_col].tolist()):
        if not isinstance(text, str) or not text.strip():
            rows["errors"].append(failure_row(f"row:{pos}", pos, "EmptyDocumentError",
                                              "the text field is empty or not a string", {}))
        else:
            todo.append(Source(pos, text, f"row:{pos}", {}))
    for res in analyze_many(todo, batch_size=batch_size, n_process=n_process, errors="return", max_bytes=max_bytes,
                            aliases=aliases, **({"progress": True} if progress else {})):
        if isinstance(res, Failure):
            rows["errors"].append(failure_row(res.source, res.position, res.error, res.reason, {}))
        else:
            for t, rs in res.rows().items():
                rows[t] += rs
    frames = dataframes(rows)
    others = df.drop(columns=[text_col]).reset_index(drop=True)
    out = {}
    for t in TABLES:
        f = output_frame(frames[t], t, "pandas")
        if t in ("documents", "errors"):
            f = f.sort_values("position", kind="stable").reset_index(drop=True).drop(columns="metadata")
            extra = others.iloc[f["position"].tolist()].reset_index(drop=True)
            extra.columns = [f"input_{c}" if c in f.columns else c for c in extra.columns]
            f = pd.concat([f, extra], axis=1)
        out[t] = f
    return out


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
