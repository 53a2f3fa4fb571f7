"""Careless and hostile use (issue 22): concurrent runs, poison rows, threads, model cards
that point elsewhere, FIFOs, resumed failures, huge inputs, damaged cards, tables in
folders, content-free text, bad arguments. The concurrency cases run real processes and
threads; the stress test kills real ``xhs-nlp score`` runs and resumes them."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import xhs_nlp
from xhs_nlp.batch import TABLES, score_files
from xhs_nlp.cli import main
from xhs_nlp.errors import EmptyDocumentError, InputError, ModelError
from xhs_nlp.folderlock import LOCK_NAME, FolderLock

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "xhs_nlp"]


def _cli(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=ROOT, **kw)


def _read(out: Path, t: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{t}.parquet")


def _texts(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"d{i:03d}.txt").write_text(f"Revenue rose {i}% in 2024. Critics called it a disaster.",
                                              encoding="utf-8")
    return folder


# -- 1. one run per output folder ------------------------------------------------------------


def test_a_second_run_into_a_held_folder_is_refused_and_deletes_nothing(tmp_path):
    out = tmp_path / "out"
    (out / ".parts").mkdir(parents=True)
    (out / ".parts" / "errors-000001.parquet").write_bytes(b"written by the first run")
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from xhs_nlp.folderlock import FolderLock; "
                               f"FolderLock({str(out)!r}, 'xhs-nlp score').acquire(); print('held', flush=True); "
                               "time.sleep(120)"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        p = _cli(["score", _texts(tmp_path / "in", 2), "--out", out, "--quiet"])
        assert p.returncode == 1
        assert f"output folder {out} is in use" in p.stderr and f"pid {holder.pid}" in p.stderr
        assert (out / ".parts" / "errors-000001.parquet").read_bytes() == b"written by the first run"
    finally:
        holder.kill()
        holder.wait()
    # the holder died without releasing: its lock is stale, the next run takes it over
    lock = FolderLock(out, "test").acquire()
    assert lock.stale["pid"] == holder.pid
    lock.release()
    assert not (out / LOCK_NAME).exists()


def test_two_real_score_runs_into_one_folder(tmp_path):
    src = _texts(tmp_path / "in", 24)
    out = tmp_path / "out"
    first = subprocess.Popen([*CLI, "score", str(src), "--out", str(out), "--chunk-size", "4", "--quiet"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / LOCK_NAME).exists() and time.time() < deadline:
        time.sleep(0.05)
    second = _cli(["score", src, "--out", out, "--chunk-size", "4", "--quiet"])
    _, err = first.communicate(timeout=300)
    assert second.returncode == 1 and "is in use" in second.stderr and "Traceback" not in second.stderr
    assert first.returncode == 0, err
    assert len(_read(out, "documents")) == 24 and len(_read(out, "sentences")) == 48


# -- 2. poison rows ------------------------------------------------------------------------------


def test_a_lone_surrogate_is_an_error_row_and_resume_still_works(tmp_path):
    src = tmp_path / "s.jsonl"
    src.write_text('{"text":"Fine."}\n{"text":"Bad \\ud800 here."}\n', encoding="utf-8")
    out = tmp_path / "o"
    for extra in ([], ["--resume"]):
        p = _cli(["score", src, "--out", out, "--quiet", *extra])
        assert p.returncode == 3, p.stderr
        errors = _read(out, "errors")
        assert errors["source"].tolist() == [f"{src}:1"] and "lone surrogate U+D800" in errors["reason"][0]
        assert _read(out, "documents")["source"].tolist() == [f"{src}:0"]
    with pytest.raises(InputError, match="lone surrogate U\\+D800 at character 11"):
        xhs_nlp.analyze("Sales grew \ud800 in 2024.")


def test_one_document_that_breaks_the_encoder_does_not_stop_its_batch(tmp_path, monkeypatch):
    from xhs_nlp.analysis import Failure, analyze_many, default_models

    enc = default_models().encoder
    real = enc.features

    def fragile(texts, **kw):
        if any("POISON" in t for t in texts):
            raise RuntimeError("the encoder choked")
        return real(texts, **kw)

    monkeypatch.setattr(enc, "features", fragile)
    res = list(analyze_many(["Sales rose 5% in 2024.", "POISON sentence here.", "Profit fell 3%."], errors="return"))
    assert [type(r).__name__ for r in res] == ["Analysis", "Failure", "Analysis"]
    assert isinstance(res[1], Failure) and "choked" in res[1].reason


# -- 3. threads ------------------------------------------------------------------------------------


def test_first_use_from_four_threads_in_a_fresh_process():
    code = """
import json, threading, xhs_nlp
texts = ["Sales rose 5% in 2024.", "这真是一场灾难！", "The platform must win back trust.", "Profit fell 3%."]
out, errs = {}, []
def run(i):
    try:
        out[i] = xhs_nlp.analyze(texts[i]).to_json()
    except Exception as err:
        errs.append(repr(err))
threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
alone = [xhs_nlp.analyze(t).to_json() for t in texts]
print(json.dumps({"errors": errs, "same": [out.get(i) == alone[i] for i in range(4)]}))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    res = json.loads(p.stdout.strip().splitlines()[-1])
    assert res == {"errors": [], "same": [True, True, True, True]}


# -- 4, 8. model cards ---------------------------------------------------------------------------------


def _copy_model(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copytree(ROOT / "models" / name, dst)
    return dst


def _edit_card(folder: Path, edit) -> None:
    card = json.loads((folder / "card.json").read_text())
    edit(card)
    (folder / "card.json").write_text(json.dumps(card))


def test_a_card_cannot_point_the_encoder_at_a_folder(tmp_path):
    from xhs_nlp.claims import ClaimClassifier
    from xhs_nlp.sentiment import SentimentModel

    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "config.json").write_text("{}")
    m = _copy_model(tmp_path, "claims")
    _edit_card(m, lambda c: c["hyperparameters"].update(encoder=str(evil)))
    with pytest.raises(ModelError, match="cannot point at a folder"):
        ClaimClassifier.load(m)
    assert ClaimClassifier.load(m, encoder="multilingual-e5-small").encoder == "multilingual-e5-small"
    s = _copy_model(tmp_path, "sentiment")
    _edit_card(s, lambda c: c["hyperparameters"].update(encoder=str(evil)))
    with pytest.raises(ModelError, match="cannot point at a folder"):
        SentimentModel.load(s)


def test_card_values_are_checked_at_load(tmp_path):
    from safetensors.numpy import load_file, save_file

    from xhs_nlp.claims import ClaimClassifier
    from xhs_nlp.framing import FramingClassifier
    from xhs_nlp.persist import file_sha256

    m = _copy_model(tmp_path, "claims")
    _edit_card(m, lambda c: c["fitted"].update(intercept="abc"))
    with pytest.raises(ModelError, match="fitted value intercept must be a number"):
        ClaimClassifier.load(m)
    m = tmp_path / "nan"
    shutil.copytree(ROOT / "models" / "claims", m)
    arrays = load_file(str(m / "weights.safetensors"))
    arrays["coef"][3] = np.nan
    save_file(arrays, str(m / "weights.safetensors"))
    _edit_card(m, lambda c: c.update(weights_sha256=file_sha256(m / "weights.safetensors")))  # re-hashed
    with pytest.raises(ModelError, match="NaN or infinite"):
        ClaimClassifier.load(m)
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "Sales rose 5%.", "label": "claim"}\n')
    assert main(["evaluate", "claims", "--data", str(data), "--model", str(m)]) == 1
    f = _copy_model(tmp_path, "frames")
    _edit_card(f, lambda c: c["hyperparameters"].update(C=-3))
    with pytest.raises(ModelError, match="C must be a number in"):
        FramingClassifier.load(f, scheme="frames")


# -- 5. FIFOs and other non-regular files --------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_are_refused_not_read(tmp_path):
    fifo = tmp_path / "f.txt"
    os.mkfifo(fifo)
    p = _cli(["analyze", fifo], timeout=60)
    assert p.returncode == 1 and "not a regular file" in p.stderr
    p = _cli(["score", fifo, "--out", tmp_path / "o1", "--quiet"], timeout=60)
    assert p.returncode == 1 and "not a regular file" in p.stderr
    folder = _texts(tmp_path / "in", 1)
    os.mkfifo(folder / "pipe.txt")
    p = _cli(["score", folder, "--out", tmp_path / "o2", "--quiet"], timeout=120)
    assert p.returncode == 3
    assert "not a regular file" in _read(tmp_path / "o2", "errors")["reason"][0]
    assert len(_read(tmp_path / "o2", "documents")) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_alias_table_or_labelled_data_is_named_for_what_it_is(tmp_path):
    from xhs_nlp.errors import DataError
    from xhs_nlp.labelled import load_labelled
    from xhs_nlp.segment.organisations import OrganisationFinder

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match=r"alias file .*pipe.jsonl is a named pipe \(FIFO\), not a regular file"):
        OrganisationFinder(fifo)
    with pytest.raises(DataError, match=r"data file .*pipe.jsonl is a named pipe \(FIFO\), not a regular file"):
        load_labelled(fifo)


# -- 6. a resumed run counts every failure --------------------------------------------------------------


def test_the_resumed_summary_and_exit_status_count_the_errors_table(tmp_path, interrupted):
    src = _texts(tmp_path / "in", 4)
    for i in range(3):
        (src / f"empty{i}.txt").write_text("   ")
    out = tmp_path / "out"
    with interrupted(3):  # two chunks written, then killed
        score_files([src], out, chunk_size=3, progress=False)
    assert main(["score", str(src), "--out", str(out), "--chunk-size", "3", "--resume", "--quiet"]) == 3
    assert len(_read(out, "errors")) == 3 and len(_read(out, "documents")) == 4


# -- 7. size limit and progress ------------------------------------------------------------------------


def test_analyze_has_the_size_limit_of_score_and_shows_progress(capsys):
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        xhs_nlp.analyze("Revenue rose. " * 100, max_bytes=1000)
    a = xhs_nlp.analyze("Revenue rose 5% in 2024. Critics were unimpressed.", progress=True)
    assert a.claims and capsys.readouterr().err == ""  # issue 35: bars on a terminal only (test_batch: a pty)
    assert main(["analyze", "--max-bytes", "10", "corpora/xhs_will_2025_forum_post.txt"]) == 1
    assert "byte limit" in capsys.readouterr().err


# -- 9. tables inside folders ---------------------------------------------------------------------------


def test_tables_in_a_folder_are_read_as_tables(tmp_path):
    src = _texts(tmp_path / "in", 1)
    (src / "more.jsonl").write_text('{"text": "Profit fell 3% in 2023.", "outlet": "x"}\n{not json\n')
    out = tmp_path / "out"
    res = score_files([src], out, progress=False)
    docs = _read(out, "documents")
    assert sorted(docs["source"]) == sorted([str(src / "d000.txt"), f"{src / 'more.jsonl'}:0"])
    assert json.loads(docs.set_index("source").loc[f"{src / 'more.jsonl'}:0", "metadata"]) == {"outlet": "x"}
    err = _read(out, "errors")
    assert err["error"].tolist() == ["DataError"] and "line 2 is not JSON" in err["reason"][0]
    assert res["failed"] == 1


# -- 10. content-free text ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["12345 67890", "... !!! ???", "2024"])
def test_text_without_letters_gets_no_scores(text):
    a = xhs_nlp.analyze(text)
    (s,) = a.to_dict()["sentences"]
    assert s["lang"] == "und" and s["claim"] is None and s["p_claim"] is None
    assert s["sentiment"]["score"] is None and "no letters" in s["sentiment"]["reason"]
    assert a.sentiment.document.score is None and a.claim_share() == 0.0
    rows = a.rows()["sentences"][0]
    assert rows["claim"] is None and rows["sentiment_score"] is None
    a.to_html()  # the report shows "n/a", it does not fail


def test_mixed_text_scores_only_the_sentences_with_letters():
    a = xhs_nlp.analyze("Revenue rose 5% in 2024.\n\n12345 67890\n\nThis strategy is doomed and everyone knows it.")
    assert [c.label for c in a.claims] == ["claim", None, "rhetoric"]
    assert a.sentiment.document.n_sentences == 2 and a.claim_share() == 0.5


def test_invisible_text_is_an_empty_document():
    with pytest.raises(EmptyDocumentError, match="invisible"):
        xhs_nlp.segment("\u200b\u200b\u200b\u2060")


# -- 11. arguments are checked before anything is written ----------------------------------------------


@pytest.mark.parametrize("flag", ["--jobs", "--batch-size", "--chunk-size"])
def test_bad_numbers_are_refused_before_the_output_is_touched(tmp_path, flag, capsys):
    out = tmp_path / "out"
    (out / ".parts").mkdir(parents=True)
    (out / ".parts" / "keep").write_text("x")
    assert main(["score", str(_texts(tmp_path / "in", 1)), "--out", str(out), flag, "0"]) == 1
    assert "must be an integer >= 1" in capsys.readouterr().err
    assert (out / ".parts" / "keep").read_text() == "x"


# -- the stress test --------------------------------------------------------------------------------


def _mixed_folder(folder: Path, n: int = 300) -> Path:
    rnd = random.Random(7)
    folder.mkdir(parents=True)
    words = ["revenue", "trust", "platform", "advertisers", "users", "growth", "小红书", "电商", "监管"]
    for i in range(n):
        kind = i % 10
        p = folder / f"f{i:03d}.txt"
        if kind == 0:
            p.write_text("   \n ")                                      # empty
        elif kind == 1:
            p.write_bytes(bytes(rnd.randrange(256) for _ in range(64)) + b"\x00\x01")  # binary
        elif kind == 2:
            p.write_text("Bad \ud800 text.", encoding="utf-8", errors="surrogatepass")  # undecodable bytes
        elif kind == 3:
            p.write_text("12345 %d" % i)                                # no letters
        else:
            p.write_text(f"The {rnd.choice(words)} rose {i}% in 2024. " * rnd.randint(1, 3)
                         + rnd.choice(["What a disaster!", "这是一场豪赌。", "Critics disagree."]), encoding="utf-8")
    (folder / "huge.txt").write_bytes(b"a" * 5_100_000)
    (folder / "rows.jsonl").write_text('{"text": "Sales fell 2%."}\n{"text": "Bad \\udc00 row"}\n{oops\n')
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.txt")
    return folder


def _start(args: list, env: dict) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *map(str, args)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_stress_kill_three_times_resume_equals_an_uninterrupted_run(tmp_path):
    src = _mixed_folder(tmp_path / "in")
    env = dict(os.environ)  # the default precision: scores are batch-invariant (tests/test_invariance.py)
    common = ["--jobs", "2", "--chunk-size", "8", "--batch-size", "8", "--quiet"]
    full, part = tmp_path / "full", tmp_path / "part"
    p = _start(["score", src, "--out", full, *common], env)
    assert p.wait(timeout=900) == 3, p.stderr.read()[-3000:]
    rnd = random.Random(11)
    killed = 0
    for k in range(3):  # kill -9 the whole process tree at a random point
        p = _start(["score", src, "--out", part, *common, *(["--resume"] if k else [])], env)
        deadline = time.time() + 600
        want = rnd.randint(1, 6) + 4 * k
        while len(list((part / ".parts").glob("errors-*.parquet"))) < want and time.time() < deadline:
            if p.poll() is not None:
                break
            time.sleep(0.05)
        time.sleep(rnd.random())
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            killed += 1
        p.wait(timeout=60)
    assert killed == 3 and (part / ".parts").is_dir()  # three runs really died mid-way
    p = _start(["score", src, "--out", part, *common, "--resume"], env)
    assert p.wait(timeout=900) == 3, p.stderr.read()[-3000:]
    for t in TABLES:  # row for row, floats included
        pd.testing.assert_frame_equal(_read(full, t), _read(part, t), check_exact=True)
    errors = _read(full, "errors")
    assert len(errors) >= 60 and len(_read(full, "documents")) >= 200
    assert {"EmptyDocumentError", "NotTextError", "InputError", "DataError"} <= set(errors["error"])


# -- issue 37: the second reliability round -------------------------------------------------------------


def test_resume_is_by_document_whatever_changed_between_runs(tmp_path, interrupted):
    """37.1 (local engine): killed after two chunks of --chunk-size 2, then a file changed,
    one removed, one added and the chunk size changed: the resume equals an uninterrupted
    run of the inputs as they are now, no document lost or twice."""
    src = _texts(tmp_path / "in", 7)
    part = tmp_path / "part"
    with interrupted(3):
        score_files([src], part, chunk_size=2, progress=False)
    (src / "d000.txt").write_text("Profit fell 9% in 2025. A fiasco.", encoding="utf-8")  # in a finished chunk
    os.utime(src / "d000.txt", ns=(1, 1))
    (src / "d003.txt").unlink()                                                          # in a finished chunk
    (src / "d001b.txt").write_text("Users fled in 2025.", encoding="utf-8")              # new
    res = score_files([src], part, chunk_size=5, resume=True, progress=False)
    assert res["skipped"] == 2  # d001 and d002 only
    full = tmp_path / "full"
    score_files([src], full, progress=False)
    for t in TABLES:
        pd.testing.assert_frame_equal(_read(full, t), _read(part, t), check_exact=True)
    assert _read(part, "documents")["source"].is_unique and len(_read(part, "documents")) == 7
    # parts scored under other settings are refused, not mixed in
    with interrupted(2):
        score_files([src], part, chunk_size=2, progress=False)
    with pytest.raises(InputError, match="other settings \\(aliases\\)"):
        score_files([src], part, chunk_size=2, resume=True, progress=False, aliases={"Acme": ["ACME Corp"]})
    # a resume that finds the finished tables of these inputs and no parts does nothing
    assert score_files([src], full, resume=True, progress=False)["scored_now"] == 0


_KILL_AT = """
import os, sys
from xhs_nlp import batch
k, calls = int(sys.argv[1]), [0]
def counting(f):
    def g(*a, **kw):
        if armed[0]:
            calls[0] += 1
            if calls[0] == k:
                os._exit(99)
        return f(*a, **kw)
    return g
armed = [False]
for name in ("unlink", "rename", "replace", "rmdir"):
    setattr(os, name, counting(getattr(os, name)))
real = batch._assemble
def assemble(*a, **kw):
    armed[0] = True  # count from the final assembly on
    return real(*a, **kw)
batch._assemble = assemble
batch.score_files([sys.argv[2]], sys.argv[3], chunk_size=1, resume=True, progress=False, fmt=sys.argv[4])
print("finished", calls[0])
"""


@pytest.mark.parametrize("fmt", ["parquet"])  # (csv: the same steps; 2 min more)
def test_a_kill_at_every_step_of_the_final_assembly_is_completed_exactly_by_a_resume(tmp_path, interrupted, fmt):
    """37.2: every unlink/rename of the assembly, one at a time, ends the process there
    (os._exit, as kill -9); a resume then gives the tables of an uninterrupted run."""
    src = tmp_path / "in"
    src.mkdir()
    for i, text in enumerate(["I. Money\nRevenue rose 5% in 2024. Critics called it a disaster.\n\nII. Trust\n"
                              "小红书必须重建信任。", "   ", "Profit fell 3% at Acme Corp. What a shame!"]):
        (src / f"d{i}.txt").write_text(text, encoding="utf-8")
    full = tmp_path / "full"
    score_files([src], full, chunk_size=1, progress=False, fmt=fmt)
    ready = tmp_path / "ready"  # every chunk written, killed before the assembly
    with interrupted(99):
        import xhs_nlp.batch as batch

        def stop(*a, **kw):
            raise KeyboardInterrupt

        real, batch._assemble = batch._assemble, stop
        try:
            score_files([src], ready, chunk_size=1, progress=False, fmt=fmt)
        finally:
            batch._assemble = real
        raise KeyboardInterrupt  # (the fixture expects one)
    assert len(list((ready / ".parts").glob("keys-*.parquet"))) == 3
    read = (lambda d, t: pd.read_parquet(d / f"{t}.parquet")) if fmt == "parquet" else \
        (lambda d, t: pd.read_csv(d / f"{t}.csv"))
    k, kills = 0, 0
    while True:
        k += 1
        work = tmp_path / f"k{k}"
        shutil.copytree(ready, work)
        p = subprocess.run([sys.executable, "-c", _KILL_AT, str(k), str(src), str(work), fmt], capture_output=True,
                           text=True, cwd=ROOT, timeout=300)
        if p.returncode == 0:
            assert "finished" in p.stdout
            break
        assert p.returncode == 99, p.stderr[-2000:]
        kills += 1
        score_files([src], work, chunk_size=4, resume=True, progress=False, fmt=fmt)
        for t in TABLES:
            pd.testing.assert_frame_equal(read(full, t), read(work, t), check_exact=True, obj=f"kill {k}: {t}")
        assert not (work / ".parts").exists() and not (work / ".parts.trash").exists()
        assert not [p for p in work.iterdir() if ".tmp" in p.name]
        shutil.rmtree(work)
    assert kills >= 15  # 7 renames of the final files, the parts' rename, their removal


def test_names_and_metadata_that_are_not_utf8_never_stop_a_run(tmp_path):
    """37.3: a GBK file name, lone surrogates in a JSONL key and value."""
    src = tmp_path / "in"
    src.mkdir()
    gbk = os.fsdecode("报告".encode("gbk") + b".txt")
    (src / gbk).write_text("营收增长了5%。", encoding="utf-8")
    (src / "rows.jsonl").write_text('{"text": "Sales rose.", "k\\ud800": "v\\udc00"}\n', encoding="utf-8")
    out = tmp_path / "o"
    for extra in ([], ["--resume"]):
        p = _cli(["score", src, "--out", out, "--quiet", *extra], timeout=600)
        assert p.returncode == 0, p.stderr[-2000:]
    docs = _read(out, "documents")
    assert docs["source"].tolist() == [f"{src}/rows.jsonl:0", f"{src}/\\xb1\\xa8\\xb8\\xe6.txt"]
    assert json.loads(docs["metadata"][0]) == {"k\ud800": "v\udc00"}  # lossless: JSON escapes
    html = tmp_path / "r.html"
    p = _cli(["analyze", src / gbk, "--format", "html", "--out", html], timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "\\xb1\\xa8" in html.read_text(encoding="utf-8")


def test_every_bad_jsonl_row_is_an_error_row(tmp_path):
    """37.5: a JSON line that is not an object, a line with a byte that is not UTF-8."""
    src = tmp_path / "rows.jsonl"
    src.write_bytes(b'{"text": "Sales rose 5% in 2024."}\n[1,2]\n{"text": "bad \xff byte"}\n'
                    b'{"text": "Profit fell.", "n": NaN}\n')
    out = tmp_path / "o"
    res = score_files([src], out, progress=False)
    assert (res["documents"], res["failed"]) == (2, 2)
    err = _read(out, "errors")
    assert err["source"].tolist() == [f"{src}:1", f"{src}:2"]
    assert "line 2 is JSON but not an object" in err["reason"][0]
    assert "line 3 is not valid UTF-8 (byte 0xff" in err["reason"][1]
    # 37.9: NaN in metadata is written as null (standard JSON)
    assert _read(out, "documents")["metadata"].tolist()[1] == '{"n": null}'


def test_stopping_the_main_process_stops_its_workers(tmp_path):
    """37.6: SIGTERM is handled as Ctrl-C (exit 143, resumable); after kill -9 of the main
    process no worker or fork server survives 10 s."""
    src = _texts(tmp_path / "in", 40)

    def children(pid: int) -> set[int]:
        out = set()
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    stat = (d / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    out |= {int(d.name)} | children(int(d.name))
        return out

    def alive(pids: set[int]) -> set[int]:
        out = set()
        for q in pids:
            try:
                if (Path("/proc") / str(q) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    out.add(q)
            except OSError:
                pass
        return out

    for sig, code in ((signal.SIGTERM, 143), (signal.SIGKILL, -9)):
        out = tmp_path / f"o{sig}"
        p = subprocess.Popen([*CLI, "score", str(src), "--out", str(out), "--jobs", "2", "--chunk-size", "2",
                              "--batch-size", "2", "--quiet"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 300
        while len(list((out / ".parts").glob("keys-*.parquet"))) < 1 and time.time() < deadline:
            time.sleep(0.1)
        kids = children(p.pid)
        assert len(kids) >= 2, "the workers had not started"
        p.send_signal(sig)
        assert p.wait(timeout=120) == code
        if sig == signal.SIGTERM:
            assert "--resume" in p.stderr.read()
        deadline = time.time() + 10
        while alive(kids) and time.time() < deadline:
            time.sleep(0.2)
        assert not alive(kids), f"survivors after {sig!r}"
        p.stderr.close()
    assert main(["score", str(src), "--out", str(tmp_path / f"o{signal.SIGTERM}"), "--chunk-size", "2", "--resume",
                 "--quiet"]) == 0
    assert len(_read(tmp_path / f"o{signal.SIGTERM}", "documents")) == 40


def test_a_public_function_never_resolves_to_a_module():
    """37.7: xhs_nlp.evaluate is the function on every call, whatever was imported first."""
    code = """
import types, xhs_nlp.evaluate, xhs_nlp
for name in set(xhs_nlp.__all__) - set(getattr(xhs_nlp, "_LAZY_MODULES", ())):
    for _ in range(2):
        assert not isinstance(getattr(xhs_nlp, name), types.ModuleType), name
from xhs_nlp import evaluate
print(callable(xhs_nlp.evaluate) and xhs_nlp.evaluate is evaluate)
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.stdout.strip() == "True", p.stderr[-2000:]
    for _ in range(2):
        assert callable(xhs_nlp.evaluate) and not isinstance(xhs_nlp.evaluate, type(json))


@pytest.mark.parametrize("edit, match", [
    (lambda c: c.update(format_version="1"), "format_version must be an integer"),
    (lambda c: c.update(format_version=None), "format_version must be an integer"),
    (lambda c: c.update(versions=["1.0"]), "versions must map"),
    (lambda c: c.update(versions={"torch": 2}), "versions must map"),
])
def test_hostile_cards_fail_with_model_error(tmp_path, edit, match):
    from xhs_nlp.claims import ClaimClassifier

    m = _copy_model(tmp_path, "claims")
    _edit_card(m, edit)
    with pytest.raises(ModelError, match=match):
        ClaimClassifier.load(m)


def test_deep_cards_and_integer_weights_fail_with_model_error(tmp_path):
    from safetensors.numpy import load_file, save_file

    from xhs_nlp.claims import ClaimClassifier
    from xhs_nlp.persist import file_sha256

    m = _copy_model(tmp_path, "claims")
    (m / "card.json").write_text('{"kind": "claims", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ModelError, match="nested 1000\\d+ levels deep"):
        ClaimClassifier.load(m)
    m = tmp_path / "int"
    shutil.copytree(ROOT / "models" / "claims", m)
    arrays = {k: v.astype(np.int64) for k, v in load_file(str(m / "weights.safetensors")).items()}
    save_file(arrays, str(m / "weights.safetensors"))
    _edit_card(m, lambda c: c.update(weights_sha256=file_sha256(m / "weights.safetensors")))
    with pytest.raises(ModelError, match="is int64, not floating point"):
        ClaimClassifier.load(m)


def test_csv_cells_that_start_a_formula_are_escaped(tmp_path):
    """37.9 (OWASP CSV injection): a text cell beginning with = + - @ gets a leading '."""
    src = tmp_path / "t.jsonl"
    src.write_text(json.dumps({"text": "=HYPERLINK(\"http://x\") sales rose 5%.", "note": "@SUM(A1)"}) + "\n",
                   encoding="utf-8")
    score_files([src], tmp_path / "run.csv", progress=False)
    sents = pd.read_csv(tmp_path / "run.sentences.csv")
    assert sents["text"][0].startswith("'=HYPERLINK")
    docs = pd.read_csv(tmp_path / "run.documents.csv")
    assert json.loads(docs["metadata"][0]) == {"note": "@SUM(A1)"}  # JSON starts with {: untouched


def test_a_full_disk_is_a_one_line_error_and_leaves_no_temporary_file(tmp_path):
    """37.9: a write that fails for want of room (here the file-size limit, as a full disk)."""
    src = _texts(tmp_path / "in", 3)
    out = tmp_path / "o"
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (6000, 6000)); from xhs_nlp.cli import main; "
            f"sys.exit(main(['score', {str(src)!r}, '--out', {str(out)!r}, '--chunk-size', '1', '--quiet']))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert p.returncode == 1, p.stderr[-3000:]
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert p.stderr.startswith(f"xhs-nlp: error: cannot write to {out}: ") and "too large" in p.stderr
    assert "kept in" in p.stderr and "--resume" in p.stderr
    leftovers = [q for q in out.rglob("*") if ".tmp" in q.name]
    assert leftovers == []
