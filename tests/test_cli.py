"""The command line: segment in JSON and text, and clear errors with non-zero status."""

from __future__ import annotations

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
