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
    kept = (out / "documents" / "part-00000.parquet").stat().st_mtime_ns
    for t in TABLES:  # as if the run died while writing partition 2
        (out / t / "part-00002.parquet").unlink(missing_ok=True)
    res = score_files([inputs], out, engine="dask", scheduler=c.scheduler_address, chunk_size=3, resume=True,
                      progress=False)
    assert res["skipped"] == 3 and (out / "documents" / "part-00000.parquet").stat().st_mtime_ns == kept
    for t in TABLES:
        pd.testing.assert_frame_equal(_parts(out)[t], before[t], check_exact=True)


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
