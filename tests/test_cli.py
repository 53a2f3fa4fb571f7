"""The command line: segment in JSON and text, and clear errors with non-zero status."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

import pytest

from xhs_nlp.cli import main


def test_segment_json(post_path, capsys):
    assert main(["segment", str(post_path), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["meta"]["author"] == "Larissa"
    assert d["meta"]["posted_at"] == "2025-12-28T05:29:00+08:00"
    assert d["meta"]["encoding"] == "utf-8"
    assert d["epigraph"]["text"].startswith('"There')
    assert [s["number"] for s in d["sections"]] == [None, "I", "II", "III", "IV", "V"]
    assert d["sections"][0]["title"] is None
    sent = d["sections"][3]["paragraphs"][0]["sentences"][0]
    assert set(sent) >= {"text", "start", "end", "lang"}


def test_segment_text_outline(post_path, capsys):
    assert main(["segment", str(post_path)]) == 0
    out = capsys.readouterr().out
    assert "author:    Larissa" in out
    assert "V. At the Top of the Slope" in out


def test_python_dash_m(post_path):
    r = subprocess.run([sys.executable, "-m", "xhs_nlp", "segment", str(post_path), "--format", "json"],
                       capture_output=True, text=True, check=False)  # fmt: skip
    assert r.returncode == 0 and json.loads(r.stdout)["meta"]["author"] == "Larissa"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty document"),
        (b"   \n\n  ", "empty document"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", "not text"),
        (bytes([0x80, 0xFF, 0xFE, 0x81, 0x30, 0xFF, 0x80]) * 20, "undecodable"),
    ],
)
def test_bad_files(tmp_path, capsys, content, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    assert main(["segment", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("xhs-nlp: error:") and message in err


def test_missing_path(tmp_path, capsys):
    assert main(["segment", str(tmp_path / "nope.txt")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_analyze_summary_reads_score_label_claims_and_subject_together(post_analysis, post_doc):
    from xhs_nlp.cli import _summary

    a = post_analysis
    text = _summary(a)
    lines = text.splitlines()
    # the document's mean and label are named for what they are, with the shares beside them
    d = a.sentiment.document
    assert lines[1] == (f"document: sentiment mean {d.score:+.2f}, {d.label} (neutral within ±0.10; shares of the text: "
                        + " ".join(f"{k[:3]} {v:.0%}" for k, v in d.shares.items()) + ")")
    n_claims, n_classified = a.claim_counts()
    assert f"claims {n_claims} of {n_classified} sentences ({n_claims / n_classified:.0%})" in lines[2]
    # the main subject, the most mentioned organisation, with its portrayal
    top = a.entities.entities[0]
    assert top.name == "Xiaohongshu" and top.document.n_mentions == max(e.document.n_mentions for e in a.entities)
    p = top.document
    assert lines[3] == (f"main subject: Xiaohongshu (the most mentioned of {len(a.entities)} organisations), "
                        f"{p.n_mentions} mentions: mean {p.score:+.2f}, {p.label} (neutral within ±0.10; shares of its "
                        "mentions: " + " ".join(f"{k[:3]} {v:.0%}" for k, v in p.shares.items()) + ")")
    # every section: mean and label, claims with what they count, P(claim) against its threshold
    for sec, agg in zip(post_doc.sections, a.sentiment.sections):
        assert f"    sentiment mean {agg.score:+.2f}, {agg.label} (neutral within ±0.10; shares of the text: " in text
        assert agg.label == ("negative" if agg.score < -0.1 else "positive" if agg.score > 0.1 else "neutral")
        n, m = a.claim_counts(sec.index)
        assert f"    claims {n} of {m} sentences ({n / m:.0%})" in text
    checks = [ln for ln in lines if ln.startswith("    check-worthy (P(claim) ")]
    assert len(checks) == 6 and all(re.match(r"    check-worthy \(P\(claim\) [01]\.\d\d > 0\.\d\d\): ", ln) for ln in checks)
    # no date (nor a number inside one) is listed as a quantity to check
    survey = next(ln for ln in checks if "Survey data from 2023 to 2025" in ln)
    assert survey.endswith("[76%; 41%; 28%; 23%]")


def test_describe_sentiment_says_which_is_the_mean_and_which_the_label():
    from xhs_nlp.report import describe_claims, describe_sentiment

    shares = {"negative": 0.4, "neutral": 0.52, "positive": 0.08}
    # the label is the mean's sign (neutral within the band), the shares say how much text each label has
    assert describe_sentiment(-0.35, "negative", shares) == (
        "mean -0.35, negative (neutral within ±0.10; shares of the text: neg 40% neu 52% pos 8%)")
    assert describe_sentiment(None, None, {}) == "not scored"
    assert describe_claims(12, 30) == "12 of 30 sentences (40%)"
    assert describe_claims(12, 30, 31) == "12 of 30 classified sentences (40%; 1 not classified)"


# -- conventions: standard input, bundled files, precision, Ctrl-C ---------------------------------------

_TEXT = "I. Costs\nXiaohongshu raised its fees by 20% in 2024. Merchants are furious about it.\n"


def _stdin(monkeypatch, data: bytes) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_dash_reads_the_document_from_standard_input(post_path):
    # a real pipe into the installed command: the same document as from the file
    r = subprocess.run([sys.executable, "-m", "xhs_nlp", "segment", "-", "--format", "json"],
                       input=post_path.read_bytes(), capture_output=True, check=False)
    assert r.returncode == 0, r.stderr.decode()
    from_file = subprocess.run([sys.executable, "-m", "xhs_nlp", "segment", str(post_path), "--format", "json"],
                               capture_output=True, check=True)
    a, b = json.loads(r.stdout), json.loads(from_file.stdout)
    assert a["sections"] == b["sections"] and a["meta"]["author"] == "Larissa"
    # nothing on standard input: the library's error, not "no such file: '-'"
    r = subprocess.run([sys.executable, "-m", "xhs_nlp", "segment", "-"], input=b"", capture_output=True, check=False)
    assert r.returncode == 1 and b"empty document" in r.stderr and b"no such file" not in r.stderr


@pytest.mark.parametrize("command", ["sentiment", "claims", "framing", "entities"])
def test_every_single_document_command_reads_standard_input(command, monkeypatch, capsys):
    _stdin(monkeypatch, _TEXT.encode("gbk"))  # bytes in any common encoding, as from a file
    assert main([command, "-", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    if command == "entities":
        assert [e["name"] for e in out["entities"]] == ["Xiaohongshu"]
    elif command == "framing":
        assert [s["title"] for s in out["sections"]] == ["Costs"]
    else:
        assert "Merchants are furious about it." in json.dumps(out, ensure_ascii=False)


def test_analyze_reads_standard_input_and_names_it(monkeypatch, capsys):
    _stdin(monkeypatch, _TEXT.encode("utf-8"))
    assert main(["analyze", "-", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["source"] == "<stdin>" and d["summary"][-1]["title"] == "Costs"
    _stdin(monkeypatch, b"x" * 2000)
    assert main(["analyze", "-", "--max-bytes", "1000"]) == 1
    assert "over the 1,000-byte limit" in capsys.readouterr().err


def test_the_bundled_post_is_reachable_by_name(post_path, capsys):
    assert main(["segment", "example:post", "--format", "json"]) == 0
    by_name = json.loads(capsys.readouterr().out)
    assert main(["segment", str(post_path), "--format", "json"]) == 0
    assert by_name["sections"] == json.loads(capsys.readouterr().out)["sections"]
    assert main(["segment", "example:nothing"]) == 1
    err = capsys.readouterr().err
    assert "no bundled file 'nothing'" in err and "post" in err
    # its labels are evaluation data by name too
    assert main(["evaluate", "claims", "--data", "example:claims", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["n"] == 88 and rep["data"].endswith("xhs_will_2025_claims.jsonl")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    from xhs_nlp.cli import _parser

    (sub,) = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_command_that_encodes_takes_precision():
    cmds = _subcommands()
    encodes = {"sentiment", "claims", "analyze", "score", "entities", "framing", "train", "evaluate"}
    for name in encodes & set(cmds):
        opts = {o for a in cmds[name]._actions for o in a.option_strings}
        assert "--precision" in opts, name
    assert "--precision" not in {o for a in cmds["segment"]._actions for o in a.option_strings}


def test_precision_reaches_the_encoder_and_is_not_left_behind(monkeypatch, capsys):
    import os

    monkeypatch.delenv("XHS_NLP_PRECISION", raising=False)
    used = {}
    for p in ("fp32", "bf16"):
        _stdin(monkeypatch, _TEXT.encode("utf-8"))
        assert main(["analyze", "-", "--format", "json", "--precision", p]) == 0
        used[p] = json.loads(capsys.readouterr().out)["encoder"]["precision"]
        assert "XHS_NLP_PRECISION" not in os.environ
    assert used == {"fp32": "fp32", "bf16": "bf16"}
    with pytest.raises(SystemExit) as exc:  # a usage error: argparse names the choices
        main(["analyze", "-", "--precision", "fp16"])
    assert exc.value.code == 2
    assert "invalid choice: 'fp16'" in capsys.readouterr().err


def test_ctrl_c_exits_130_with_one_line():
    import signal
    import time
    from pathlib import Path

    p = subprocess.Popen([sys.executable, "-m", "xhs_nlp", "segment", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until it blocks on standard input (its imports done)
            try:
                if "pipe_read" in Path(f"/proc/{p.pid}/wchan").read_text():
                    break
            except OSError:
                pass
            time.sleep(0.1)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        p.kill()
    assert p.returncode == 130
    assert err.decode() == "xhs-nlp: interrupted\n" and out == b""


def test_text_output_cuts_chinese_sentences_instead_of_hiding_them(monkeypatch, capsys):
    long = "小红书的用户信任正在快速流失，商业化试水屡屡受挫，品牌方对投放效果的疑虑也在不断加深，平台必须尽快作出调整。"
    _stdin(monkeypatch, (long + "\n\n" + long).encode("utf-8"))
    assert main(["segment", "-"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "¶" in ln]
    assert lines and all("小红书的用户信任正在快速流失" in ln and ln.endswith("[...]") for ln in lines)
    from xhs_nlp.cli import _shorten

    assert _shorten("Tencent's ad revenue grew for eleven quarters in a row", 30) == "Tencent's ad revenue [...]"
    assert _shorten(long, 400) == long and _shorten("短句。", 10) == "短句。"
    # mixed text is cut at a space near the cut
    assert _shorten("Xiaohongshu (小红书) said its advertising revenue grew", 40) == "Xiaohongshu (小红书) said its [...]"
