"""The command line: segment in JSON and text, and clear errors with non-zero status."""

from __future__ import annotations

import json
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
