"""Scoring on a Dask cluster (issue 20): a LocalCluster of two worker processes gives the
tables of the local ``score`` row for row, loads the models once per worker, resumes by
skipping finished parts, and says clearly when a column or the scheduler is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from xhs_nlp.batch import TABLES, score_files  # noqa: E402
from xhs_nlp.errors import DataError, InputError  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c, Client(c) as cl:
        yield c, cl


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("in")
    for i in range(5):
        (d / f"a{i}.txt").write_text(f"I. Money\nRevenue rose {i}% in 2024. Critics called it a disaster.\n\n"
                                     f"II. Trust\n小红书必须重建信任。Users are leaving.", encoding="utf-8")
    (d / "empty.txt").write_text("   ")
    (d / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (d / "rows.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"text": "Profit fell 3% in 2023.", "outlet": "x"}, {"text": "", "outlet": "y"},
        {"text": "这是一场豪赌。平台的广告收入下降了。", "outlet": "z"}]), encoding="utf-8")
    return d


def _local(inputs: Path, tmp: Path) -> dict[str, pd.DataFrame]:
    score_files([inputs], tmp / "local", progress=False)
    return {t: pd.read_parquet(tmp / "local" / f"{t}.parquet") for t in TABLES}


def _parts(out: Path) -> dict[str, pd.DataFrame]:
    return {t: pd.read_parquet(out / t).reset_index(drop=True) for t in TABLES}


def test_dask_tables_equal_local_tables_row_for_row(cluster, inputs, tmp_path):
    c, client = cluster
    local = _local(inputs, tmp_path)
    res = score_files([inputs], tmp_path / "dask", engine="dask", scheduler=c.scheduler_address, chunk_size=3,
                      progress=False)
    assert (res["documents"], res["failed"], res["partitions"]) == (7, 3, 4)
    got = _parts(tmp_path / "dask")
    for t in TABLES:
        pd.testing.assert_frame_equal(got[t], local[t], check_exact=True, check_dtype=False)
    assert set(got["errors"]["error"]) == {"EmptyDocumentError", "NotTextError"}
    # every worker loaded the models once, and runs torch with the one thread it was given
    loads = client.run(lambda: __import__("xhs_nlp.analysis").analysis.LOADS)
    assert sorted(loads.values()) == [1, 1]
    threads = client.run(lambda: __import__("torch").get_num_threads())
    assert set(threads.values()) == {1}


def test_resume_skips_finished_parts_and_gives_the_same_tables(cluster, inputs, tmp_path):
    c, _ = cluster
    out = tmp_path / "dask"
    score_files([inputs], out, engine="dask", scheduler=c.scheduler_address, chunk_size=3, progress=False)
    before = _parts(out)
    names = sorted(p.name for p in (out / "documents").glob("part-*.parquet"))
    kept = (out / "documents" / names[0]).stat().st_mtime_ns
    for t in (*TABLES, ".keys"):  # as if the run died while writing the third partition
        (out / t / names[2]).unlink(missing_ok=True)
    res = score_files([inputs], out, engine="dask", scheduler=c.scheduler_address, chunk_size=3, resume=True,
                      progress=False)
    assert res["skipped"] == 7 and (out / "documents" / names[0]).stat().st_mtime_ns == kept
    for t in TABLES:
        pd.testing.assert_frame_equal(_parts(out)[t], before[t], check_exact=True)


def test_resume_with_another_chunk_size_loses_and_duplicates_nothing(cluster, inputs, tmp_path):
    """Issue 37.1: parts of --chunk-size 3, the run killed after two of them (the third's
    keys part never written), resumed with the default chunk size: every document once."""
    c, _ = cluster
    local = _local(inputs, tmp_path)
    out = tmp_path / "dask"
    score_files([inputs], out, engine="dask", scheduler=c.scheduler_address, chunk_size=3, progress=False)
    names = sorted(p.name for p in (out / ".keys").glob("part-*.parquet"))
    for n in names[2:]:
        for t in (*TABLES, ".keys"):
            (out / t / n).unlink(missing_ok=True)
    (out / ".keys" / names[1]).unlink()  # the second part was being written: its tables, no keys
    res = score_files([inputs], out, engine="dask", scheduler=c.scheduler_address, chunk_size=16, resume=True,
                      progress=False)
    assert (res["documents"], res["failed"], res["skipped"]) == (7, 3, 3)
    got = _parts(out)
    for t in TABLES:
        pd.testing.assert_frame_equal(got[t], local[t], check_exact=True, check_dtype=False)
    # a changed input is scored again, a removed one leaves the tables
    (inputs / "a1.txt").write_text("Profit fell 9% in 2025.", encoding="utf-8")
    try:
        res = score_files([inputs], out, engine="dask", scheduler=c.scheduler_address, chunk_size=2, resume=True,
                          progress=False)
        assert res["documents"] == 7 and res["skipped"] < 10
        docs = _parts(out)["documents"]
        assert docs["source"].is_unique and docs["position"].is_monotonic_increasing
        assert docs.set_index("source").loc[str(inputs / "a1.txt"), "chars"] == len("Profit fell 9% in 2025.")
    finally:
        (inputs / "a1.txt").write_text("I. Money\nRevenue rose 1% in 2024. Critics called it a disaster.\n\n"
                                       "II. Trust\n小红书必须重建信任。Users are leaving.", encoding="utf-8")


def test_names_and_metadata_that_are_not_utf8_reach_the_workers(cluster, tmp_path):
    """Issue 37.3 on Dask: a GBK file name and lone surrogates in metadata."""
    import os

    c, _ = cluster
    src = tmp_path / "in"
    src.mkdir()
    (src / os.fsdecode("报告".encode("gbk") + b".txt")).write_text("营收增长了5%。", encoding="utf-8")
    (src / "rows.jsonl").write_text('{"text": "Sales rose.", "k\\ud800": "v\\udc00"}\n', encoding="utf-8")
    res = score_files([src], tmp_path / "o", engine="dask", scheduler=c.scheduler_address, progress=False)
    assert (res["documents"], res["failed"]) == (2, 0)
    docs = _parts(tmp_path / "o")["documents"]
    assert docs["source"].tolist()[1].endswith("\\xb1\\xa8\\xb8\\xe6.txt")
    assert json.loads(docs["metadata"][0]) == {"k\ud800": "v\udc00"}
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    assert run["documents"] == 2 and set(run["models_sha256"]) >= {"claims", "sentiment"}


def test_lazy_tables_of_a_dask_dataframe(cluster):
    import dask.dataframe as dd

    from xhs_nlp.cluster import score_dataframe

    _, client = cluster
    ddf = dd.from_pandas(pd.DataFrame({"text": ["Sales rose 5%.", "", "营收下降了。"], "outlet": ["a", "b", "c"]}),
                         npartitions=2)
    tables = score_dataframe(ddf)  # lazy: nothing runs until compute
    assert list(tables["documents"].columns)[:3] == ["doc_id", "source", "position"]
    docs, errors = client.compute([tables["documents"], tables["errors"]], sync=True)
    assert docs["source"].tolist() == ["row:0", "row:2"] and errors["position"].tolist() == [1]
    assert [json.loads(m)["outlet"] for m in docs["metadata"]] == ["a", "c"]
    with pytest.raises(DataError, match="no 'body' column"):
        score_dataframe(ddf, text_column="body")


def test_an_unreachable_scheduler_is_a_clear_error(inputs, tmp_path):
    with pytest.raises(InputError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        score_files([inputs], tmp_path / "o", engine="dask", scheduler="tcp://127.0.0.1:9", progress=False)
    with pytest.raises(InputError, match="scheduler file"):
        score_files([inputs], tmp_path / "o", engine="dask", scheduler_file=str(tmp_path / "none.json"), progress=False)
