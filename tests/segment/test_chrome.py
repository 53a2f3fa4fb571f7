"""Discuz!-style chrome rules, beyond the bundled post."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from xhs_nlp import segment
from xhs_nlp.segment.chrome import resolve_post_time

TZ8 = timezone(timedelta(hours=8))
PAGE = datetime(2024, 3, 1, 10, 0, tzinfo=TZ8)


def _page(header: str, body: str, footer: str) -> str:
    return f"{header}\n{body}\n{footer}\n"


FOOTER = (
    "返回列表 发表回复\n您需要登录后才可以回帖 登录 | 立即注册\n本版积分规则\n"
    "小黑屋|手机版|Archiver|网站地图\nPowered by Discuz! X3.4 © 2001-2024 Comsenz Inc.\n"
    "GMT+8, 2024-3-1 10:00 , Processed in 0.051 second(s), 22 queries ."
)


@pytest.mark.parametrize(
    ("when", "expected", "relative"),
    [
        ("半小时前", datetime(2024, 3, 1, 9, 30, tzinfo=TZ8), "半小时前"),
        ("3 天前", datetime(2024, 2, 27, 10, 0, tzinfo=TZ8), "3 天前"),
        ("昨天 12:30", datetime(2024, 2, 29, 12, 30, tzinfo=TZ8), "昨天 12:30"),
        ("2024-2-27 08:15", datetime(2024, 2, 27, 8, 15, tzinfo=TZ8), None),
    ],
)
def test_post_times(when, expected, relative):
    doc = segment(_page(f"王小明 发表于 {when} | 只看该作者 |倒序浏览", "小红书的商业化还在路上。", FOOTER))
    assert doc.meta.author == "王小明"
    assert doc.meta.page_time == PAGE
    assert doc.meta.posted_at == expected
    assert doc.meta.posted_relative == relative
    assert [s.text for s in doc.sentences] == ["小红书的商业化还在路上。"]


def test_footer_lines_removed_body_words_kept():
    body = "用户回复说：返回列表太难找了。\n这不是导航，而是正文。"
    doc = segment(_page("楼主| 发表于 2024-3-1 09:00", body, FOOTER))
    texts = [s.text for s in doc.sentences]
    assert texts == ["用户回复说：返回列表太难找了。", "这不是导航，而是正文。"]
    assert doc.meta.author is None
    assert all(c.kind in ("header", "footer") for c in doc.chrome)
    assert len([c for c in doc.chrome if c.kind == "footer"]) == 6


def test_edit_note_removed_anywhere():
    text = "Alice 发表于 2024-3-1 09:00\n本帖最后由 Alice 于 2024-3-1 09:30 编辑\n\nFirst paragraph here.\n\nSecond one."
    doc = segment(text)
    assert [c.kind for c in doc.chrome] == ["header", "edit_note"]
    assert [p.text for p in doc.paragraphs] == ["First paragraph here.", "Second one."]
    assert all("编辑" not in s.text for s in doc.sentences)


def test_relative_time_without_page_time():
    assert resolve_post_time("2 小时前", None) == (None, "2 小时前")


def test_plain_text_has_no_chrome():
    doc = segment("Trust is fragile. It erodes slowly.")
    assert doc.chrome == [] and doc.meta.author is None and doc.meta.posted_at is None
