"""Encodings are detected and recorded; binary and undecodable bytes are refused."""

from __future__ import annotations

import pytest

from xhs_nlp import segment
from xhs_nlp.errors import DecodeError, NotTextError
from xhs_nlp.segment.decode import decode_bytes

ZH = "一、行业转向经营\n小红书的商业化进入深水区。抖音和快手早已完成组织调整，它还能走多远？\n"
ZH_TRAD = "一、行業轉向經營\n小紅書的商業化進入深水區。抖音和快手早已完成組織調整，它還能走多遠？\n"


@pytest.mark.parametrize(
    ("data", "encoding", "how"),
    [
        (ZH.encode("utf-8"), "utf-8", "valid"),
        (ZH.encode("utf-8-sig"), "utf-8-sig", "bom"),
        (ZH.encode("gb18030"), "gb18030", "scored"),
        (ZH.encode("gbk"), "gb18030", "scored"),  # GBK is a subset of GB18030
        (ZH_TRAD.encode("big5"), "big5", "scored"),
        (ZH.encode("utf-16"), "utf-16", "bom"),
    ],
)
def test_encodings_detected_and_recorded(data, encoding, how):
    doc = segment(data)
    expected = ZH_TRAD if encoding == "big5" else ZH
    assert doc.text == expected
    assert doc.meta.encoding == encoding and doc.meta.encoding_confidence == how
    assert doc.sections[0].number == "一"
    assert doc.sentences[-1].text.endswith("？")


def test_gb18030_file(tmp_path):
    p = tmp_path / "gb.txt"
    p.write_bytes(ZH.encode("gb18030"))
    doc = segment(p)
    assert doc.meta.encoding == "gb18030" and doc.meta.source == str(p)
    assert doc.sections[0].title == "行业转向经营"


def test_cp1252_english():
    data = "The \u201cmoat\u201d is gone \u2014 trust fell to 41%.".encode("cp1252")
    text, enc, how = decode_bytes(data)
    assert (text, enc, how) == ("The \u201cmoat\u201d is gone \u2014 trust fell to 41%.", "cp1252", "scored")


def test_binary_refused():
    with pytest.raises(NotTextError, match="not text"):
        segment(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")


def test_undecodable_refused():
    # Lone continuation and invalid lead bytes: no candidate explains them.
    with pytest.raises(DecodeError, match="undecodable"):
        segment(bytes([0x80, 0xFF, 0xFE, 0x81, 0x30, 0xFF, 0x80]) * 20)


def test_forced_encoding_error_names_encoding():
    with pytest.raises(DecodeError, match="'ascii'"):
        segment("小红书".encode("utf-8"), encoding="ascii")
