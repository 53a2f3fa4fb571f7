"""English, Chinese and mixed sentence rules."""

from __future__ import annotations

import pytest

from xhs_nlp.segment.sentences import split_sentences


def _split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Wang met Dr. Li at 5 p.m. on Monday. They talked.",
         ["Mr. Wang met Dr. Li at 5 p.m. on Monday.", "They talked."]),
        ("It took 0.164571 seconds. Growth was 50.5% in Q3.", ["It took 0.164571 seconds.", "Growth was 50.5% in Q3."]),
        ('He said, "It works." Then it failed.', ['He said, "It works."', "Then it failed."]),
        ('"Is it?" she asked. Nobody knew.', ['"Is it?" she asked.', "Nobody knew."]),
        ("Trust fell—from 76% to 41%—in two years. Why?", ["Trust fell—from 76% to 41%—in two years.", "Why?"]),
        ("We waited... Nothing came. And then... it did.", ["We waited...", "Nothing came.", "And then... it did."]),
        ("Platforms (e.g. Douyin) merged teams. J. R. R. Tolkien wrote it.",
         ["Platforms (e.g. Douyin) merged teams.", "J. R. R. Tolkien wrote it."]),
        ("See Xiaohongshu.jpg for the U.S. chart. Done!", ["See Xiaohongshu.jpg for the U.S. chart.", "Done!"]),
        # a dotted abbreviation goes on before a body, an office, a day or a time zone
        ("The U.S. Department of Justice sued Apple.", ["The U.S. Department of Justice sued Apple."]),
        ("He lives in the U.S. He likes it.", ["He lives in the U.S.", "He likes it."]),
        ("Tariffs hit U.S. Steel and the E.U. But he left at 5 p.m. Monday.",
         ["Tariffs hit U.S. Steel and the E.U.", "But he left at 5 p.m. Monday."]),
        ('We met in the U.S. "Great," he said.', ["We met in the U.S.", '"Great," he said.']),
        ("He moved to the U.S. Trump said it was fine.", ["He moved to the U.S.", "Trump said it was fine."]),
        ("They left at 5 p.m. Police came at 9 a.m. ET.", ["They left at 5 p.m.", "Police came at 9 a.m. ET."]),
        ("The D.C. Circuit ruled. Then the E.U. Commission met.", ["The D.C. Circuit ruled.", "Then the E.U. Commission met."]),
        # "No." is an abbreviation before a number only
        ("The U.K. Treasury said no. Then it ranked No. 5.", ["The U.K. Treasury said no.", "Then it ranked No. 5."]),
        ("Flight No. CA981 left. Chapter No. IV begins.", ["Flight No. CA981 left.", "Chapter No. IV begins."]),
    ],
)  # fmt: skip
def test_english(text, expected):
    assert _split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("小红书进入深水区。它还能走多远？必须转型！", ["小红书进入深水区。", "它还能走多远？", "必须转型！"]),
        ("他说：“这是最好的一届。”然后离开了。", ["他说：“这是最好的一届。”", "然后离开了。"]),
        ("一方面要增长；另一方面要信任……结果呢？", ["一方面要增长；另一方面要信任……", "结果呢？"]),
        ("增长了0.5%。利润为12.3亿元。", ["增长了0.5%。", "利润为12.3亿元。"]),
    ],
)
def test_chinese(text, expected):
    assert _split(text) == expected


def test_mixed():
    text = "The WILL conference was loud. 但是行业已经转向经营。Trust is the moat."
    assert _split(text) == ["The WILL conference was loud.", "但是行业已经转向经营。", "Trust is the moat."]


def test_offsets_are_into_the_whole_text():
    text = "xx A first. A second. yy"
    spans = split_sentences(text, 3, 22)
    assert [text[a:b] for a, b in spans] == ["A first.", "A second."]
