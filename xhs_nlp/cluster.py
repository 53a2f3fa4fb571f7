"""Scoring on a Dask cluster: the tidy tables of ``xhs-nlp score`` as Dask DataFrames.

* :func:`score_dataframe`: a Dask DataFrame with a text column in, five lazy Dask
  DataFrames out (``documents``, ``sections``, ``sentences``, ``entities``, ``errors``), with the
  schema of :mod:`xhs_nlp.tables` declared as ``meta``; nothing is computed here. Other
  columns are carried through as ``metadata``, as ``score`` does for tables.
* :func:`score_to_parquet`: end to end into ``OUT/documents/part-0000000000.parquet`` …, one
  part per input partition (named by the position of its first row), each written
  atomically, its ``OUT/.keys`` part last (a part is done once its keys part exists); with
  ``resume`` the documents already written are skipped, by document (source, position and
  content), whatever the partitioning. Multi-valued cells are list columns; ``run.json``
  and every part's Parquet metadata record the run (:func:`xhs_nlp.batch.run_info`).

Each worker process loads the shipped models once (:func:`xhs_nlp.analysis.default_models`,
on its first partition; nothing heavy travels through the task graph), sets torch's
thread count to the threads the worker was given (Dask's nanny sets OMP/MKL threads to
1), and empties the encoder cache after every partition. Scores are those of a local
run, row for row: the encoder is batch-invariant (see the README).

Requires ``pip install xhs-nlp[dask]``.

Example:
    >>> import dask.dataframe as dd, pandas as pd
    >>> ddf = dd.from_pandas(pd.DataFrame({"text": ["Sales rose 5% in 2024.", ""], "outlet": ["a", "b"]}), npartitions=1)
    >>> tables = score_dataframe(ddf)
    >>> sorted(tables), list(tables["errors"].columns)
    (['documents', 'entities', 'errors', 'sections', 'sentences'], ['source', 'position', 'error', 'reason', 'metadata'])
    >>> docs = tables["documents"].compute(scheduler="sync")
    >>> docs["source"].tolist(), tables["errors"].compute(scheduler="sync")["error"].tolist()
    (['row:0'], ['EmptyDocumentError'])
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from .analysis import Failure, Source, analyze_many, default_models
from .errors import DataError, InputError
from .folderlock import FolderLock
from .tables import TABLES, analysis_rows, dataframes, failure_row, safe_text
from .outputs import run_info
from .outputs import write_json as _write_json, write_table as _write_table

__all__ = ["score_dataframe", "score_to_parquet", "score_items", "connect", "SOURCE", "POSITION", "KEYS"]

#: optional input columns: the name of each row's source and its place in the input
SOURCE, POSITION = "source", "position"
#: columns of the items frame the command line builds (not carried as metadata)
_PATH, _ERROR, _REASON, _META, _TEXTJSON, _FP = "_path", "_error", "_reason", "_metadata", "_textjson", "_fp"
_INTERNAL = {SOURCE, POSITION, _PATH, _ERROR, _REASON, _META, _TEXTJSON, _FP}
#: the folder of the keys parts (what each part holds: source, position, fingerprint)
KEYS = ".keys"
_THREADS_SET = False



def _worker_setup() -> None:
    """Once per worker process: torch threads = the threads this worker was given."""
    global _THREADS_SET
    if _THREADS_SET:
        return
    _THREADS_SET = True
    try:
        from distributed import get_worker

        n = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        return  # not on a distributed worker (the local or sync scheduler)
    import torch

    torch.set_num_threads(max(1, int(n)))


def _cell(row: dict[str, Any], col: str) -> str | None:
    """An internal column's string, or ``None`` (missing values come back as NaN)."""
    v = row.get(col)
    return v if isinstance(v, str) and v else None


def _items(pdf: Any, text_column: str) -> list[Source | Failure]:
    out: list[Source | Failure] = []
    others = [c for c in pdf.columns if c != text_column and c not in _INTERNAL]
    for k, row in enumerate(pdf.to_dict("records")):
        pos = int(row[POSITION]) if POSITION in row else k
        name = safe_text(str(row[SOURCE])) if SOURCE in row and row[SOURCE] is not None else f"row:{pos}"
        meta = json.loads(_cell(row, _META)) if _cell(row, _META) else {c: row[c] for c in others}
        if _cell(row, _ERROR):
            out.append(Failure(name, str(row[_ERROR]), str(row[_REASON]), pos, meta))
            continue
        if _cell(row, _PATH):
            src: Any = Path(os.fsdecode(bytes.fromhex(row[_PATH])))
        elif _cell(row, _TEXTJSON):
            src = json.loads(row[_TEXTJSON])
        else:
            src = row.get(text_column)
        if not isinstance(src, (str, Path)) or (isinstance(src, str) and not src.strip()):
            out.append(Failure(name, "EmptyDocumentError", "the text field is empty or not a string", pos, meta))
        else:
            out.append(Source(pos, src, name, meta))
    return out


def _key_frame(pdf: Any, text_column: str) -> Any:
    """``source``, ``position``, ``fingerprint`` of each row of a partition (what a resume compares)."""
    import hashlib

    import pandas as pd

    srcs, poss, fps = [], [], []
    for it, row in zip(_items(pdf, text_column), pdf.to_dict("records")):
        srcs.append(it.source if isinstance(it, Failure) else it.name)
        poss.append(it.position)
        fp = _cell(row, _FP)
        if not fp:
            payload = [str(row.get(text_column)), _cell(row, _PATH), _cell(row, _TEXTJSON), _cell(row, _ERROR),
                       json.dumps(it.metadata, ensure_ascii=True, default=repr, sort_keys=True)]
            fp = hashlib.sha256(json.dumps(payload, ensure_ascii=True, default=repr).encode("ascii")).hexdigest()[:32]
        fps.append(fp)
    return pd.DataFrame({"source": pd.Series(srcs, dtype="string"), "position": pd.Series(poss, dtype="int64"),
                         "fingerprint": pd.Series(fps, dtype="string")})


def _score_partition(pdf: Any, text_column: str, batch_size: int, aliases: Any = None) -> dict[str, Any]:
    """The tables of one partition (a pandas DataFrame)."""
    _worker_setup()
    items = _items(pdf, text_column)
    rows: dict[str, list] = {t: [] for t in TABLES}
    todo = [it for it in items if isinstance(it, Source)]
    results = iter(analyze_many(todo, batch_size=batch_size, errors="return", aliases=aliases)) if todo else iter(())
    for it in items:
        res = it if isinstance(it, Failure) else next(results)
        if isinstance(res, Failure):
            rows["errors"].append(failure_row(res.source, res.position, res.error, res.reason, res.metadata))
        else:
            for t, rs in analysis_rows(res).items():
                rows[t] += rs
    if todo:
        default_models().encoder.clear_cache()  # a worker's partitions rarely share a text
    return dataframes(rows)


def _meta() -> dict[str, Any]:
    return dataframes({t: [] for t in TABLES})


def _check_columns(ddf: Any, text_column: str) -> None:
    cols = list(getattr(ddf, "columns", []))
    if text_column not in cols and _PATH not in cols:
        raise DataError(f"the Dask DataFrame has no {text_column!r} column (columns: {', '.join(map(str, cols)) or 'none'})")


def _positions(ddf: Any) -> Any:
    """``ddf`` with a ``position`` column (its row number in the whole frame), lazily."""
    if POSITION in ddf.columns:
        return ddf
    return ddf.assign(**{POSITION: ddf.assign(_one=1)["_one"].cumsum() - 1})


def score_dataframe(ddf: Any, *, text_column: str = "text", batch_size: int = 16, aliases: Any = None) -> dict[str, Any]:
    """Lazy Dask DataFrames of the tables (:data:`~xhs_nlp.tables.TABLES`) for a Dask DataFrame of texts.

    Args:
        ddf: a ``dask.dataframe.DataFrame`` with ``text_column``; optional ``source``
            (each row's name; default ``row:N``) and ``position`` columns (default: the
            row number); every other column is carried through as ``metadata``.
        text_column: the column holding the texts.
        batch_size: documents per encoder batch inside a partition.
        aliases: your own organisation names (a dict, or a file the workers can read).

    Raises:
        DataError: ``ddf`` has no ``text_column``.
    """
    import dask
    import dask.dataframe as dd

    _check_columns(ddf, text_column)
    parts = [dask.delayed(_score_partition)(p, text_column, batch_size, aliases) for p in _positions(ddf).to_delayed()]
    meta = _meta()
    return {t: dd.from_delayed([dask.delayed(dict.__getitem__)(p, t) for p in parts], meta=meta[t], verify_meta=False)
            for t in TABLES}


def _write_partition(pdf: Any, out: str, text_column: str, batch_size: int, aliases: Any = None,
                     skip: Any = (), run: dict[str, Any] | None = None) -> tuple[int, int]:
    """Score the rows of one partition whose position is not in ``skip`` and write their
    parts, ``part-P.parquet`` (P: the first position), the keys part last; ``(documents, errors)``."""
    from .tables import output_frame

    if len(skip) and POSITION in pdf.columns:
        pdf = pdf[~pdf[POSITION].isin(list(skip))]
    if not len(pdf):
        return 0, 0
    keys = _key_frame(pdf, text_column)
    frames = _score_partition(pdf, text_column, batch_size, aliases)
    name = f"part-{int(keys['position'].min()):010d}.parquet"
    for t in ("sentences", "sections", "entities", "documents", "errors"):
        _write_table(output_frame(frames[t], t, "parquet"), Path(out) / t / name, "parquet", run)
    _write_table(keys, Path(out) / KEYS / name, "parquet")  # last: the part is done once this exists
    return len(frames["documents"]), len(frames["errors"])


def _prepare(out: Path, resume: bool, wanted: Any = None) -> set[int]:
    """Make the folders; without ``resume`` remove every part. With it, remove the parts
    that are unfinished (no keys part) or hold a document that is not wanted as it is
    (``wanted``: ``source``, ``position``, ``fingerprint`` of every input row; a changed,
    moved or removed document, or one a part before holds), and return the positions done."""
    import pandas as pd

    for t in (*TABLES, KEYS):
        (out / t).mkdir(parents=True, exist_ok=True)
    names = {p.name for t in TABLES for p in (out / t).glob("part-*.parquet")}
    if not resume:
        for t in (*TABLES, KEYS):
            for p in (out / t).glob("*"):
                if p.is_file():
                    p.unlink()
        return set()
    for t in (*TABLES, KEYS):  # temporary files of interrupted writes
        for p in (out / t).glob(".*"):
            p.unlink(missing_ok=True)
    done_keys = {p.name for p in (out / KEYS).glob("part-*.parquet")}
    want = None
    if wanted is not None:
        want = {int(p): (s, f) for s, p, f in zip(wanted["source"].tolist(), wanted["position"].tolist(),
                                                  wanted["fingerprint"].tolist())}
    elif names and not done_keys:
        raise InputError(f"cannot resume in {out}: its parts were written by an older xhs_nlp (no {KEYS} folder); "
                         "run without --resume")
    done: set[int] = set()
    drop = set(names - done_keys)
    for name in sorted(done_keys):
        k = pd.read_parquet(out / KEYS / name)
        rows = list(zip(k["source"].tolist(), k["position"].tolist(), k["fingerprint"].tolist()))
        ok = all(int(p) not in done and (want is None or want.get(int(p)) == (s, f)) for s, p, f in rows)
        if ok:
            done.update(int(p) for _, p, _ in rows)
        else:
            drop.add(name)
    for name in drop:  # the keys part first: a part without one is unfinished
        for t in (KEYS, *TABLES):
            (out / t / name).unlink(missing_ok=True)
    return done


def _execute(tasks: list[Any], client: Any, progress: bool) -> None:
    import dask

    if not tasks:
        return
    if client is not None:
        futures = client.compute(tasks)
        if progress and sys.stderr.isatty():
            from distributed import progress as show

            show(futures)
        client.gather(futures)
    else:
        dask.compute(*tasks)


def _summary(out: Path, t0: float, skipped: int, run: dict[str, Any] | None) -> dict[str, Any]:
    import pyarrow.parquet as pq

    docs = sum(pq.read_metadata(p).num_rows for p in (out / "documents").glob("part-*.parquet"))
    errs = sum(pq.read_metadata(p).num_rows for p in (out / "errors").glob("part-*.parquet"))
    n = len(list((out / KEYS).glob("part-*.parquet")))
    if run is not None:
        _write_json({**run, "documents": docs, "failed": errs, "partitions": n}, out / "run.json")
    return {"documents": docs, "failed": errs, "partitions": n, "skipped": skipped,
            "seconds": round(time.perf_counter() - t0, 2)}


def score_to_parquet(ddf: Any, out: str | os.PathLike[str], *, text_column: str = "text", batch_size: int = 16,
                     resume: bool = False, progress: bool = True, client: Any = None,
                     aliases: Any = None) -> dict[str, Any]:
    """Score ``ddf`` into ``OUT/{documents,sections,sentences,entities,errors}/part-P.parquet``.

    One part per partition of ``ddf`` (``P``: the position of its first row), written
    atomically by the worker that scored it, its ``OUT/.keys`` part last (the names,
    positions and fingerprints of its documents). With ``resume`` work is skipped by
    document: a row whose source, position and content are in a finished part is not
    scored again, whatever the partitioning; a part holding a row that changed is removed
    and its rows scored again. ``run.json`` records the run. The folder is locked for the
    run (:mod:`xhs_nlp.folderlock`).

    Returns:
        ``{"documents", "failed"}``: rows in the parts (earlier runs' included),
        ``"partitions"`` (parts), ``"skipped"`` (documents already written), ``"seconds"``.

    Raises:
        DataError: no ``text_column``.
        InputError: the folder is held by another run.
    """
    import dask

    _check_columns(ddf, text_column)
    out = Path(out)
    t0 = time.perf_counter()
    run = run_info(aliases=aliases, settings={"engine": "dask", "batch_size": batch_size, "resume": resume})
    with FolderLock(out, "xhs-nlp score --engine dask"):
        parts = _positions(ddf).to_delayed()
        skip: list[set[int]] = [set() for _ in parts]
        skipped = 0
        if resume:
            keys = list(dask.compute(*[dask.delayed(_key_frame)(p, text_column) for p in parts]))
            import pandas as pd

            done = _prepare(out, True, pd.concat(keys, ignore_index=True) if keys else None)
            skip = [done & set(k["position"].tolist()) for k in keys]
            skipped = sum(map(len, skip))
        else:
            _prepare(out, False)
        tasks = [dask.delayed(_write_partition)(p, str(out), text_column, batch_size, aliases, s, run)
                 for p, s, k in zip(parts, skip, keys if resume else [None] * len(parts))
                 if not (resume and len(s) == len(k))]
        _execute(tasks, client, progress)
        return _summary(out, t0, skipped, run)


def score_items(pdf: Any, out: str | os.PathLike[str], *, chunk_size: int = 16, batch_size: int = 16,
                resume: bool = False, progress: bool = True, client: Any = None, aliases: Any = None,
                run: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``xhs-nlp score --engine dask`` run: ``pdf`` is the whole plan (one row per input
    document, as :func:`xhs_nlp.batch.score_files` builds it). With ``resume`` the documents
    already in finished parts are left out first, and the rest are cut into partitions of
    at most ``chunk_size`` documents that never straddle a finished one, so the parts
    read in name order are in input order."""
    import dask

    out = Path(out)
    t0 = time.perf_counter()
    with FolderLock(out, "xhs-nlp score --engine dask"):
        if resume:
            # the settings are checked before anything is touched: a refused resume deletes nothing
            if run is not None and (out / "run.json").is_file():
                try:
                    before = json.loads((out / "run.json").read_text(encoding="utf-8")).get("scoring")
                except (OSError, ValueError):
                    before = None
                if before is not None and before != run.get("scoring"):
                    changed = sorted(k for k in run["scoring"] if before.get(k) != run["scoring"][k])
                    raise InputError(f"cannot resume in {out}: its parts were scored with other settings "
                                     f"({', '.join(changed)}); run without --resume to score everything again")
            done = _prepare(out, True, _key_frame(pdf, "text"))
        else:
            done = _prepare(out, False)
        todo = pdf[~pdf[POSITION].isin(list(done))]
        pieces, start, prev = [], 0, None
        positions = todo[POSITION].tolist()
        for i, p in enumerate(positions):  # contiguous runs of positions, cut at chunk_size
            if i > start and (p != prev + 1 or i - start >= chunk_size):
                pieces.append(todo.iloc[start:i])
                start = i
            prev = p
        if positions:
            pieces.append(todo.iloc[start:])
        if run is not None:
            _write_json({**run, "documents": None, "failed": None}, out / "run.json")
        tasks = [dask.delayed(_write_partition)(piece, str(out), "text", batch_size, aliases, (), run)
                 for piece in pieces]
        _execute(tasks, client, progress)
        return _summary(out, t0, len(done), run)


def connect(*, scheduler: str | None = None, scheduler_file: str | None = None, workers: int = 1,
            memory_limit: str | None = None) -> tuple[Any, Callable[[], None]]:
    """A ``distributed.Client`` and a function that closes it (and a cluster started here).

    With neither ``scheduler`` nor ``scheduler_file``, starts a ``LocalCluster`` of
    ``workers`` processes with one thread each and no dashboard.

    Raises:
        InputError: the scheduler cannot be reached, or the scheduler file is missing.
    """
    from distributed import Client, LocalCluster

    try:
        if scheduler_file is not None:
            if not Path(scheduler_file).is_file():
                raise InputError(f"scheduler file {scheduler_file} does not exist")
            client = Client(scheduler_file=scheduler_file, timeout="20s")
            return client, client.close
        if scheduler is not None:
            client = Client(scheduler, timeout="10s")
            return client, client.close
    except (OSError, TimeoutError) as err:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler or scheduler_file}: {err}") from None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           memory_limit=memory_limit or "auto")
    client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return client, close
