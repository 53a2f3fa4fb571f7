"""evaluate(): file formats, label maps, the report contract, errors; the CLI's JSON."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from xhs_nlp.cli import main
from xhs_nlp.errors import DataError, SourceNotFoundError
from xhs_nlp.evaluate import evaluate, load_labelled, parse_label_map

ROWS = [
    {"text": "A wonderful, moving, beautifully made film.", "label": "pos", "lang": "en", "split": "dev"},
    {"text": "Dull, lifeless and far too long.", "label": "neg", "lang": "en", "split": "dev"},
    {"text": "房间干净，服务热情，非常满意。", "label": "pos", "lang": "zh", "split": "dev"},
    {"text": "太失望了，房间又脏又吵。", "label": "neg", "lang": "zh", "split": "dev"},
    {"text": "An utterly delightful surprise.", "label": "pos", "lang": "en", "split": "train"},
]
MAP = "pos=positive,neg=negative"


@pytest.fixture(params=["jsonl", "csv", "parquet"])
def data_file(request, tmp_path):
    df = pd.DataFrame(ROWS)
    p = tmp_path / f"d.{request.param}"
    if request.param == "jsonl":
        df.to_json(p, orient="records", lines=True, force_ascii=False)
    elif request.param == "csv":
        df.to_csv(p, index=False)
    else:
        df.to_parquet(p)
    return p


def test_formats_and_label_map(data_file):
    texts, labels, langs = load_labelled(data_file, label_map=MAP, split="dev")
    assert labels == ["positive", "negative", "positive", "negative"]
    assert langs == ["en", "en", "zh", "zh"]


def test_report_contract(data_file):
    rep = evaluate("sentiment", data_file, model="lexicon", label_map=MAP, split="dev")
    assert {"task", "n", "accuracy", "macro_f1", "per_label", "per_lang"} <= set(rep)
    assert rep["n"] == 4
    assert set(rep["per_label"]) == {"negative", "positive"}
    assert set(rep["per_lang"]) == {"en", "zh"}
    assert rep["per_label"]["positive"]["support"] == 2


def test_shipped_model_scores_the_toy_set(data_file):
    rep = evaluate("sentiment", data_file, label_map=MAP)
    assert rep["accuracy"] == 1.0 and rep["n"] == 5


def test_unknown_labels_are_named(data_file):
    with pytest.raises(DataError, match="'neg', 'pos'"):
        evaluate("sentiment", data_file, model="lexicon")


def test_errors(tmp_path):
    with pytest.raises(SourceNotFoundError):
        evaluate("sentiment", tmp_path / "missing.jsonl")
    p = tmp_path / "nolabel.jsonl"
    p.write_text('{"text": "hello"}\n')
    with pytest.raises(DataError, match="no 'text' or no 'label'"):
        load_labelled(p)
    with pytest.raises(DataError, match="unknown task"):
        evaluate("topics", p)
    with pytest.raises(DataError, match="FROM=TO"):
        parse_label_map("pos:positive")


def test_cli_json(data_file, capsys):
    rc = main(["evaluate", "sentiment", "--data", str(data_file), "--model", "lexicon", "--label-map", MAP, "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["task"] == "sentiment" and out["n"] == 5


def test_cli_error_exit(tmp_path, capsys):
    rc = main(["evaluate", "sentiment", "--data", str(tmp_path / "x.jsonl")])
    assert rc == 1
    assert "does not exist" in capsys.readouterr().err


THREE = [
    {"text": "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn.", "label": "positive", "lang": "en"},
    {"text": "Net sales fell by 5% and the company cut 300 jobs.", "label": "negative", "lang": "en"},
    {"text": "The annual general meeting will be held in Helsinki on 15 March.", "label": "neutral", "lang": "en"},
    {"text": "公司净利润同比增长35%，业绩超出预期。", "label": "positive", "lang": "zh"},
    {"text": "公司将于下周一召开股东大会。", "label": "neutral", "lang": "zh"},
    {"text": "股价暴跌，投资者损失惨重。", "label": "negative", "lang": "zh"},
]


def test_three_class_corpora_get_three_labels_and_a_confusion_matrix(tmp_path, capsys):
    p = tmp_path / "three.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in THREE), encoding="utf-8")
    rep = evaluate("sentiment", p)
    assert rep["binary"] is False and set(rep["per_label"]) == {"negative", "neutral", "positive"}
    conf = rep["confusion"]
    assert sum(sum(row.values()) for row in conf.values()) == 6
    assert sum(conf[lab][lab] for lab in conf) == round(rep["accuracy"] * 6)
    assert rep["accuracy"] >= 5 / 6  # clear business-news sentences
    # binary data is still judged by the larger of negative/positive
    b = evaluate("sentiment", [r for r in THREE if r["label"] != "neutral"])
    assert b["binary"] is True and set(b["per_label"]) == {"negative", "positive"} and b["accuracy"] >= 0.75  # 3 of 4 since issue 32's model
    assert main(["evaluate", "sentiment", "--data", str(p)]) == 0
    out = capsys.readouterr().out
    assert "confusion (rows gold, columns predicted)" in out and "neutral" in out


def test_a_label_mapped_to_a_dash_drops_its_row(tmp_path):
    p = tmp_path / "units.jsonl"
    rows = [{"text": "Sales rose 5% in 2024.", "label": "statistics"}, {"text": "We must act now!", "label": "assumption"},
            {"text": "Read more below.", "label": "other"}]
    p.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    texts, labels, _ = load_labelled(p, label_map="statistics=claim,assumption=rhetoric,other=-")
    assert labels == ["claim", "rhetoric"] and "Read more below." not in texts


def _evaluate_cli(data, *, terminal: bool) -> tuple[str, str]:
    """``xhs-nlp evaluate sentiment`` in a fresh process, standard error a terminal (a pty
    of 100 columns) or a pipe: (stdout, stderr)."""
    import os
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "xhs_nlp", "evaluate", "sentiment", "--data", str(data), "--label-map", MAP, "--json"]
    if not terminal:
        r = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300)
        return r.stdout, r.stderr
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    err = b""
    while True:  # drain the terminal while the command runs (a full pty would block it)
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the command closed its end
            break
        if not chunk:
            break
        err += chunk
    out = p.stdout.read()
    assert p.wait(timeout=300) == 0, err.decode(errors="replace")
    os.close(master)
    return out, err.decode(errors="replace")


def test_cli_evaluate_shows_a_progress_bar_on_a_terminal_and_stays_quiet_otherwise(tmp_path):
    data = tmp_path / "d.jsonl"
    pd.DataFrame(ROWS).to_json(data, orient="records", lines=True, force_ascii=False)
    out_tty, err_tty = _evaluate_cli(data, terminal=True)
    out_pipe, err_pipe = _evaluate_cli(data, terminal=False)
    # on a terminal: tqdm's bar of the encoder's windows (5 rows, one window each), redrawn in place
    assert "encoding:" in err_tty and "/5 [" in err_tty and "window" in err_tty and "\r" in err_tty
    # in a pipe: nothing on standard error at all; the report is the same either way
    assert err_pipe == ""
    assert json.loads(out_tty) == json.loads(out_pipe) and json.loads(out_pipe)["n"] == 5


def test_an_interval_resamples_documents_where_the_rows_name_them(tmp_path, capsys):
    rows = []
    for d in range(6):
        for k, (text, label) in enumerate([("A wonderful, delightful success.", "positive"),
                                           ("A dreadful, miserable failure.", "negative"),
                                           ("Sales rose sharply and everyone is thrilled.", "negative" if d % 2 else "positive")]):
            rows.append({"text": text, "label": label, "lang": "en", "doc_key": f"d{d}"})
    p = tmp_path / "docs.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    rep = evaluate("sentiment", p, model="lexicon", interval=0.9)
    iv = rep["interval"]
    assert iv["unit"] == "document" and iv["units"] == 6 and iv["level"] == 0.9
    lo, hi = iv["macro_f1"]
    assert lo <= rep["macro_f1"] <= hi < 1 and iv["per_lang"]["en"]["macro_f1"] == [lo, hi]
    assert "interval" not in evaluate("sentiment", p, model="lexicon")
    # rows that name no document are resampled one by one
    q = tmp_path / "rows.jsonl"
    q.write_text("\n".join(json.dumps({k: v for k, v in r.items() if k != "doc_key"}) for r in rows), encoding="utf-8")
    assert evaluate("sentiment", q, model="lexicon", interval=0.9)["interval"]["unit"] == "row"
    with pytest.raises(DataError, match="confidence level"):
        evaluate("sentiment", p, model="lexicon", interval=95)
    # two files that both number their documents from d0: twelve units, not six
    assert evaluate("sentiment", [p, p], model="lexicon", interval=0.9)["interval"]["units"] == 12
    # one document: nothing to resample, and the JSON stays JSON (no NaN)
    one = tmp_path / "one.jsonl"
    one.write_text("\n".join(json.dumps(r) for r in rows[:3]), encoding="utf-8")
    rep = evaluate("sentiment", one, model="lexicon", interval=0.9)
    assert rep["interval"]["macro_f1"] is None and "NaN" not in json.dumps(rep)
    assert main(["evaluate", "sentiment", "--data", str(p), "--model", "lexicon", "--interval", "0.9"]) == 0
    assert "90% bootstrap interval (1000 resamples of 6 documents):  macro_f1" in capsys.readouterr().out
