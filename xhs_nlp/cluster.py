"""Scoring on a Dask cluster: the tidy tables of ``xhs-nlp score`` as Dask DataFrames.

* :func:`score_dataframe`: a Dask DataFrame with a text column in, five lazy Dask
  DataFrames out (``documents``, ``sections``, ``sentences``, ``entities``, ``errors``), with the
  schema of :mod:`xhs_nlp.tables` declared as ``meta``; nothing is computed here. Other
  columns are carried through as ``metadata``, as ``score`` does for tables.
* :func:`score_to_parquet`: end to end into ``OUT/documents/part-00000.parquet`` …, one
  part per input partition, each written atomically (``errors`` last: a partition is done
  once its errors part exists); with ``resume`` the done partitions are skipped.

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
import time
from pathlib import Path
from typing import Any, Callable

from .analysis import Failure, Source, analyze_many, default_models
from .errors import DataError, InputError
from .folderlock import FolderLock
from .tables import TABLES, analysis_rows, dataframes, failure_row

__all__ = ["score_dataframe", "score_to_parquet", "connect", "SOURCE", "POSITION"]

#: optional input columns: the name of each row's source and its place in the input
SOURCE, POSITION = "source", "position"
#: columns of the items frame the command line builds (not carried as metadata)
_PATH, _ERROR, _REASON, _META = "_path", "_error", "_reason", "_metadata"
_INTERNAL = {SOURCE, POSITION, _PATH, _ERROR, _REASON, _META}
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


def _items(pdf: Any, text_column: str) -> list[Source | Failure]:
    out: list[Source | Failure] = []
    others = [c for c in pdf.columns if c != text_column and c not in _INTERNAL]
    for k, row in enumerate(pdf.to_dict("records")):
        pos = int(row[POSITION]) if POSITION in row else k
        name = str(row[SOURCE]) if SOURCE in row and row[SOURCE] is not None else f"row:{pos}"
        meta = json.loads(row[_META]) if row.get(_META) else {c: row[c] for c in others}
        if row.get(_ERROR):
            out.append(Failure(name, str(row[_ERROR]), str(row[_REASON]), pos, meta))
            continue
        src = Path(row[_PATH]) if row.get(_PATH) else row.get(text_column)
        if not isinstance(src, (str, Path)) or (isinstance(src, str) and not src.strip()):
            out.append(Failure(name, "EmptyDocumentError", "the text field is empty or not a string", pos, meta))
        else:
            out.append(Source(pos, src, name, meta))
    return out


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


def _write_partition(pdf: Any, i: int, out: str, text_column: str, batch_size: int,
                     aliases: Any = None) -> tuple[int, int]:
    """Score and write one partition's parts (errors last); ``(documents, errors)``."""
    frames = _score_partition(pdf, text_column, batch_size, aliases)
    for t in ("sentences", "sections", "entities", "documents", "errors"):
        path = Path(out) / t / f"part-{i:05d}.parquet"
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        frames[t].to_parquet(tmp, index=False)
        os.replace(tmp, path)
    return len(frames["documents"]), len(frames["errors"])


def score_to_parquet(ddf: Any, out: str | os.PathLike[str], *, text_column: str = "text", batch_size: int = 16,
                     resume: bool = False, progress: bool = True, client: Any = None,
                     aliases: Any = None) -> dict[str, Any]:
    """Score ``ddf`` into ``OUT/{documents,sections,sentences,entities,errors}/part-NNNNN.parquet``.

    One part per partition of ``ddf``, written atomically by the worker that scored it;
    with ``resume`` the partitions whose ``errors`` part exists are skipped (give the same
    partitioning again). The folder is locked for the run (:mod:`xhs_nlp.folderlock`).

    Returns:
        ``{"documents", "failed"}``: rows in the parts (earlier runs' included),
        ``"partitions"``, ``"skipped"`` (partitions already written), ``"seconds"``.

    Raises:
        DataError: no ``text_column``.
        InputError: the folder is held by another run.
    """
    import dask

    _check_columns(ddf, text_column)
    out = Path(out)
    t0 = time.perf_counter()
    with FolderLock(out, "xhs-nlp score --engine dask"):
        for t in TABLES:
            (out / t).mkdir(parents=True, exist_ok=True)
        if not resume:
            for t in TABLES:
                for p in (out / t).glob("part-*.parquet"):
                    p.unlink()
        parts = _positions(ddf).to_delayed()
        todo = [(i, p) for i, p in enumerate(parts) if not (resume and (out / "errors" / f"part-{i:05d}.parquet").exists())]
        tasks = [dask.delayed(_write_partition)(p, i, str(out), text_column, batch_size, aliases) for i, p in todo]
        if tasks:
            if client is not None:
                futures = client.compute(tasks)
                if progress:
                    from distributed import progress as show

                    show(futures)
                client.gather(futures)
            else:
                dask.compute(*tasks)
        import pyarrow.parquet as pq

        docs = sum(pq.read_metadata(p).num_rows for p in (out / "documents").glob("part-*.parquet"))
        errs = sum(pq.read_metadata(p).num_rows for p in (out / "errors").glob("part-*.parquet"))
    return {"documents": docs, "failed": errs, "partitions": len(parts), "skipped": len(parts) - len(todo),
            "seconds": round(time.perf_counter() - t0, 2)}


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
