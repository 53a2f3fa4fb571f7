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


# -- issue 35: conventions users expect ------------------------------------------------------------


def test_every_output_folder_has_run_json_also_in_the_parquet_metadata(corpus, tmp_path):
    import hashlib

    import pyarrow.parquet as pq

    from xhs_nlp import __version__
    from xhs_nlp.batch import RUN_METADATA_KEY
    from xhs_nlp.persist import shipped_model_dir

    out = tmp_path / "out"
    res = score_files([corpus / "a.txt"], out, progress=False)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert res["run"] == str(out / "run.json") and run["xhs_nlp"] == __version__
    weights = shipped_model_dir("claims") / "weights.safetensors"
    assert run["models_sha256"]["claims"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert set(run["models_sha256"]) == {"sentiment", "claims", "frames", "techniques", "target_sentiment"}
    # a resume also compares the cards (thresholds live there, not in the weights)
    card = shipped_model_dir("claims") / "card.json"
    assert run["scoring"]["model_cards"]["claims"] == hashlib.sha256(card.read_bytes()).hexdigest()
    assert run["encoder"]["fingerprint"].startswith("multilingual-e5-small") and run["encoder"]["precision"]
    assert isinstance(run["command"], list) and run["time"].endswith("+00:00") and run["documents"] == 1
    for t in TABLES:
        meta = pq.read_schema(out / f"{t}.parquet").metadata[RUN_METADATA_KEY]
        assert json.loads(meta)["models_sha256"] == run["models_sha256"]
    score_files([corpus / "a.txt"], tmp_path / "r.csv", progress=False)
    assert json.loads((tmp_path / "r.run.json").read_text())["tables"]["documents"] == "r.documents.csv"


def test_multi_valued_cells_are_lists_in_parquet_and_joined_in_csv(corpus, tmp_path):
    score_files([corpus / "a.txt"], tmp_path / "p", progress=False)
    score_files([corpus / "a.txt"], tmp_path / "c.csv", progress=False)
    docs, ents = read(tmp_path / "p", "documents"), read(tmp_path / "p", "entities")
    sents = read(tmp_path / "p", "sentences")
    on = docs["frames_on"][0]
    assert isinstance(on, (list, __import__("numpy").ndarray)) and len(on) >= 1 and all(isinstance(x, str) for x in on)
    q = [list(x) for x in sents["quantities"]]
    assert any(x and x[0].startswith("percent:") or any(":" in y for y in x) for x in q)
    csv = pd.read_csv(tmp_path / "c.documents.csv")
    assert csv["frames_on"][0] == "|".join(on)
    assert all(isinstance(list(a), list) for a in ents["aliases"]) or ents.empty


def test_score_frame_keeps_the_other_columns_as_columns():
    import xhs_nlp

    df = pd.DataFrame({"text": [EN, "", ZH], "outlet": ["a", "b", "c"], "year": [2024, 2025, 2026],
                       "lang": ["x", "y", "z"]}, index=[10, 11, 12])
    t = xhs_nlp.score_frame(df, text_col="text")
    docs, errs = t["documents"], t["errors"]
    assert docs["outlet"].tolist() == ["a", "c"] and docs["year"].tolist() == [2024, 2026]
    assert str(docs["year"].dtype) == "int64" and docs["input_lang"].tolist() == ["x", "z"]
    assert docs["position"].tolist() == [0, 2] and errs["outlet"].tolist() == ["b"]
    assert "metadata" not in docs.columns and isinstance(docs["frames_on"][0], list)
    assert len(t["sentences"]) > 0
    with pytest.raises(DataError, match="no 'body' column"):
        xhs_nlp.score_frame(df, text_col="body")


def _pty_run(code: str) -> tuple[int, str]:
    """Run ``code`` with its standard error on a pseudo-terminal; (status, what it showed)."""
    import os
    import pty
    import subprocess
    import sys

    from tests.conftest import ROOT

    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=slave, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return p.wait(timeout=600), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bars_on_a_terminal_and_quiet_otherwise(corpus, tmp_path, capsys):
    score_files([corpus / "a.txt"], tmp_path / "quiet", progress=True)  # stderr is not a terminal here
    assert capsys.readouterr().err == ""
    import xhs_nlp

    list(xhs_nlp.analyze_many([EN], progress=True))
    assert capsys.readouterr().err == ""
    code = (f"from xhs_nlp.batch import score_files; import xhs_nlp; "
            f"score_files([{str(corpus / 'a.txt')!r}], {str(tmp_path / 'tty')!r}, progress=True); "
            f"list(xhs_nlp.analyze_many([{EN!r}, 'Sales fell.'], progress=True))")
    status, shown = _pty_run(code)
    assert status == 0, shown[-2000:]
    assert "score:" in shown and "0/1" in shown and "analyze:" in shown and "/2 [" in shown  # tqdm's bars


def test_ctrl_c_during_score_exits_130_and_leaves_the_folder_resumable(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    src = tmp_path / "in"
    src.mkdir()
    for i in range(30):
        (src / f"d{i:02d}.txt").write_text(f"Revenue rose {i}% in 2024. Critics called it a disaster.")
    out = tmp_path / "o"
    p = subprocess.Popen([sys.executable, "-m", "xhs_nlp", "score", str(src), "--out", str(out), "--chunk-size", "2",
                          "--quiet"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while len(list((out / ".parts").glob("keys-*.parquet"))) < 2 and time.time() < deadline:
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=120) == 130
    err = p.stderr.read()
    assert "interrupted" in err and "--resume" in err and "Traceback" not in err
    res = score_files([src], out, chunk_size=2, resume=True, progress=False)
    assert res["skipped"] >= 4 and res["documents"] == 30
