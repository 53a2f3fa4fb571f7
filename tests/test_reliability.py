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
    assert a.claims and "encoded" in capsys.readouterr().err
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
