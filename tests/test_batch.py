import json

import pandas as pd
import pytest

from xhs_nlp.batch import DATASET_COLUMNS, TABLES, score_dataset, score_files
from xhs_nlp.tables import schema
from xhs_nlp.cli import main
from xhs_nlp.errors import DataError, InputError, SourceNotFoundError

EN = "I. Growth\n\nRevenue rose 12% to 3.1 billion yuan in 2024, the company said.\n\nII. Doubt\n\nBut can it last? Nobody believes the hype."
ZH = "一、现状\n\n小红书2024年营收增长了20%。\n\n二、判断\n\n商业化进入深水区，平台必须找到新的护城河。"


@pytest.fixture()
def corpus(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text(EN, encoding="utf-8")
    (d / "sub" / "b_gb18030.txt").write_bytes(ZH.encode("gb18030"))
    (d / "c.html").write_text(f"<html><body><p>{EN.replace(chr(10) * 2, '</p><p>')}</p></body></html>", encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.bin").write_bytes(bytes(range(256)) * 4)
    return d


def read(folder, t, fmt="parquet"):
    p = folder / f"{t}.{fmt}"
    return pd.read_parquet(p) if fmt == "parquet" else (pd.read_csv(p) if fmt == "csv" else pd.read_json(p, lines=True))


def test_folder_with_good_and_broken_files(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["score", str(corpus), "--out", str(out), "--quiet"])
    assert code == 3  # some documents failed
    assert "2 document(s) failed" in capsys.readouterr().err
    docs, errs = read(out, "documents"), read(out, "errors")
    assert sorted(p.rsplit("/", 1)[-1] for p in docs["source"]) == ["a.txt", "b_gb18030.txt", "c.html"]
    assert dict(zip((p.rsplit("/", 1)[-1] for p in errs["source"]), errs["error"])) == {
        "binary.bin": "NotTextError", "empty.txt": "EmptyDocumentError"}
    assert all(errs["reason"].str.len() > 0)
    zh = docs[docs["source"].str.endswith("b_gb18030.txt")].iloc[0]
    assert zh["encoding"] == "gb18030" and zh["n_sections"] == 2 and zh["n_claims"] >= 1
    secs, sents = read(out, "sections"), read(out, "sentences")
    assert set(secs["doc_id"]) == set(docs["doc_id"]) == set(sents["doc_id"])
    assert "深水区" in "".join(sents["text"])
    assert not (out / ".parts").exists()


def test_tables_follow_their_schemas(corpus, tmp_path):
    out = tmp_path / "out"
    score_files([corpus], out, progress=False)
    for t, cols in schema().items():
        df = read(out, t)
        assert list(df.columns)[: len(cols)] == [c for c, _ in cols], t
        for c, dtype in cols:
            if dtype == "int64" and len(df):
                assert str(df[c].dtype) in ("int64", "Int64"), (t, c)
            if dtype == "float64" and len(df) and df[c].notna().any():
                assert str(df[c].dtype) == "float64", (t, c)
    docs = read(out, "documents")
    assert docs["doc_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert docs["position"].is_monotonic_increasing


def test_interrupted_run_resumed_gives_the_same_tables(tmp_path, monkeypatch):
    import xhs_nlp.batch as batch

    src = tmp_path / "in.jsonl"
    rows = [{"text": f"Report {i}: revenue rose {i}% in 2024. What a triumph!", "outlet": f"o{i}"} for i in range(7)]
    rows[3]["text"] = ""
    src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    full = tmp_path / "full"
    score_files([src], full, chunk_size=2, progress=False)

    real = batch.dataframes
    calls = {"n": 0}

    def crash_on_third_chunk(rows_):
        if len(rows_.get("documents", [])) + len(rows_.get("errors", [])) and calls["n"] == 2:
            raise KeyboardInterrupt
        calls["n"] += 1
        return real(rows_)

    part = tmp_path / "part"
    monkeypatch.setattr(batch, "dataframes", crash_on_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        score_files([src], part, chunk_size=2, progress=False)
    monkeypatch.setattr(batch, "dataframes", real)
    assert len(list((part / ".parts").glob("documents-*.parquet"))) == 2  # two chunks survived
    res = score_files([src], part, chunk_size=2, resume=True, progress=False)
    assert res["skipped"] == 4 and res["scored_now"] + res["failed_now"] == 3
    assert (res["documents"], res["failed"]) == (6, 1)  # the summary counts the whole tables
    for t in TABLES:
        pd.testing.assert_frame_equal(read(full, t), read(part, t), check_exact=False, atol=1e-6)
    docs = read(full, "documents")
    assert [json.loads(m)["outlet"] for m in docs["metadata"]] == ["o0", "o1", "o2", "o4", "o5", "o6"]
    assert read(full, "errors")["source"].tolist() == [f"{src}:3"]


def test_csv_and_jsonl_outputs_and_file_names(corpus, tmp_path):
    res = score_files([corpus / "a.txt"], tmp_path / "run.csv", progress=False)
    assert sorted(p.name for p in tmp_path.glob("run.*.csv")) == [f"run.{t}.csv" for t in sorted(TABLES)]
    assert res["tables"]["documents"].endswith("run.documents.csv")
    score_files([corpus / "a.txt"], tmp_path / "j", fmt="jsonl", progress=False)
    assert read(tmp_path / "j", "sentences", "jsonl")["claim"].isin(["claim", "rhetoric"]).all()


def test_bad_inputs_fail_before_any_work(tmp_path, corpus):
    with pytest.raises(InputError, match="unknown output extension '.xlsx'"):
        score_files([corpus], tmp_path / "out.xlsx", progress=False)
    with pytest.raises(SourceNotFoundError, match="matches no file"):
        score_files([str(tmp_path / "nothing" / "*.txt")], tmp_path / "o", progress=False)
    bad = tmp_path / "notext.jsonl"
    bad.write_text('{"body": "x"}\n', encoding="utf-8")
    with pytest.raises(DataError, match="no 'text' column"):
        score_files([bad], tmp_path / "o2", progress=False)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        import os

        if os.geteuid() != 0:  # root writes anywhere
            with pytest.raises(InputError, match="cannot write"):
                score_files([corpus], ro / "sub", progress=False)
    finally:
        ro.chmod(0o700)
    with pytest.raises(InputError, match="cannot write"):
        score_files([corpus], corpus / "a.txt" / "out", progress=False)  # a file is in the way
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
    assert main(["score", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "o3")]) == 1


def test_glob_and_table_inputs(tmp_path, corpus):
    table = tmp_path / "t.csv"
    pd.DataFrame({"text": [EN, ZH], "year": ["2024", "2025"]}).to_csv(table, index=False)
    res = score_files([str(corpus / "*.txt"), table], tmp_path / "o", progress=False)
    docs = read(tmp_path / "o", "documents")
    assert res["documents"] == 3 and res["failed"] == 1  # a.txt, two table rows; empty.txt fails
    assert [json.loads(m)["year"] for m in docs["metadata"].dropna()] == ["2024", "2025"]


def test_score_dataset_adds_columns_through_map():
    from datasets import Dataset

    ds = Dataset.from_dict({"text": [EN, "", ZH], "id": [1, 2, 3]})
    out = score_dataset(ds)
    assert set(DATASET_COLUMNS) <= set(out.column_names) and out["id"] == [1, 2, 3]
    assert out["error"][0] is None and out["error"][1].startswith("EmptyDocumentError")
    assert len(out["frames"][0]) == 14 and len(out["techniques"][2]) == 23
    assert out["n_claims"][0] >= 1
    with pytest.raises(DataError, match="no 'body' column"):
        score_dataset(ds, text_column="body")
    two = score_dataset(ds, num_proc=2, batch_size=1)
    assert two["doc_id"] == out["doc_id"] and two["top_frame"] == out["top_frame"]
    assert two["frames"][0] == pytest.approx(out["frames"][0], abs=1e-5)
