"""A line break beside a Chinese character is read through (hard-wrapped text)."""

from __future__ import annotations

import pytest

from xhs_nlp.segment.wrapping import unwrap_span, unwrap_zh


@pytest.mark.parametrize(("text", "read"), [
    ("小红\n书的用户", "小红书的用户"),
    ("电商GMV突破了4000亿\n元，同比增长\n45%", "电商GMV突破了4000亿元，同比增长45%"),
    ("电商GMV\n突破", None),                           # beside a Latin letter: a space to a reader
    ("He loves the\n小红书 app", None),
    ("据报道，\n  小红书", "据报道，小红书"),             # the spaces around the break too
    ("小红书\r\n商业化", "小红书商业化"),
    ("Bureau of\nLabor Statistics", None),             # English: the break is a space
    ("没有换行。", None),
    ("小红书。\n\n第二段", "小红书。\n\n第二段"),           # a blank line is not a wrap
])  # fmt: skip
def test_unwrap_zh(text, read):
    out, where = unwrap_zh(text)
    if read is None or read == text:
        assert (out, where) == (text, None)
        return
    assert out == read and len(where) == len(out)
    assert all(text[i] == c for i, c in zip(where, out))


def test_spans_follow_the_unwrapped_text():
    text = "据报道，小红\n书的用户信任\n正在流失"
    out, where = unwrap_zh(text)
    for a, b in [(4, 8), (0, 3), (9, 13), (0, len(text))]:
        x, y = unwrap_span(where, (a, b))
        assert out[x:y] == "".join(text[a:b].split())
    assert unwrap_span(None, (2, 5)) == (2, 5)
