"""Lines that are not part of the writing: recognised, kept in the document, marked.

Every line below was written for these tests (the op-ed reading corpus is research-only).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import assert_offsets
from xhs_nlp import segment
from xhs_nlp.segment.not_writing import KINDS, classify_line, classify_sequence, not_scored_reason

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("line", "kind"), [
    ("By Jane Doe", "byline"),
    ("By Jane Doe and John Roe, Reuters", "byline"),
    ("(Reporting by Jane Doe; Editing by John Roe)", "byline"),
    ("The Associated Press contributed to this story.", "byline"),
    ("Photo: Reuters", "credit"),
    ("Photograph: Jane Doe/AP", "credit"),
    ("Image via Wikimedia Commons", "credit"),
    ("JANE DOE/AFP/Getty Images", "credit"),
    ("(AP Photo/Jane Doe)", "credit"),
    ("Getty Images", "credit"),
    ("Pictured: the company's new headquarters in Shanghai.", "caption"),
    ("take our poll - story continues below", "poll"),
    ("Completing this poll grants you access to our updates free of charge.", "poll"),
    ("Email This field is for validation purposes and should be left unchanged.", "poll"),
    ("Should the platform ban paid reviews? * Yes No Not Sure", "poll"),
    ("Sign up for our newsletter", "newsletter"),
    ("Subscribe now!", "newsletter"),
    ("Share this article", "share"),
    ("Follow us on Twitter", "share"),
    ("Follow Jane Doe on Twitter at @janedoe.", "share"),
    ("Advertisement", "advertisement"),
    ("Story continues below advertisement", "advertisement"),
    ("©2025 The Example Times. All rights reserved.", "copyright"),
    ("Copyright © 2025 Example Media", "copyright"),
    ("This article was originally published at The Example Review.", "notice"),
    ("Reprinted with permission from the author.", "notice"),
    ("(Fixes typo in headline)", "notice"),
    ("Read more: Why brands are leaving the platform", "related"),
    ("Related:", "related"),
    ("The Death of Trust in Onli...", "related"),
    ("Can't render, error", "render_error"),
    ("Home | News | Opinion | Login", "nav"),
    ("https://example.com/2025/ads", "link"),
    ("SHANGHAI, Chn.", "dateline"),
    ("The author is a senior fellow at the Example Institute.", "bio"),
    ("*****", "punctuation"),
    ("[…]", "punctuation"),
    # Chinese
    ("图片来源：视觉中国", "credit"),
    ("作者：王小明 责编：李华 审校：张三", "credit"),
    ("来源：南方日报", "credit"),
    ("文/王小明", "credit"),
    ("新华社记者 王小明 摄", "credit"),
    ("本报记者 王小明 报道", "byline"),
    ("资料图：小红书上海总部。", "caption"),
    ("▲小红书的新办公楼。", "caption"),
    ("图为小红书的新办公楼。", "caption"),
    ("（本文仅代表作者观点，不代表本平台立场。）", "notice"),
    ("本文首发于某某公众号。", "notice"),
    ("原创内容未经授权，不得转载。", "copyright"),
    ("图文来源于网络，如有侵权请联系删除！", "copyright"),
    ("欢迎关注我们的公众号！", "share"),
    ("微信公众号：example2025", "share"),
    ("觉得有用，请点赞、转发！", "share"),
    ("推荐阅读：小红书的广告困局", "related"),
    ("此前报道小红书裁员！", "related"),
    ("广告", "advertisement"),
    ("视频加载失败", "render_error"),
])
def test_lines_that_are_not_part_of_the_writing(line, kind):
    assert classify_line(line) == kind
    assert kind in KINDS


@pytest.mark.parametrize("line", [
    # sentences of op-eds that share words or shapes with page leftovers
    "By contrast, revenue at its rivals rose 12% last year.",
    "By the end of 2024, Xiaohongshu had 300 million monthly users.",
    "Follow the money and the story is simple.",
    "Like us, the advertisers were slow to notice.",
    "Photos show long queues outside the flagship store.",
    "Picture this: a feed where every second post is an advert.",
    "Read more carefully, and the report says something else.",
    "Share prices fell 5% on the news.",
    "Advertising revenue grew by 40% last year.",
    "Copyright law has not kept up with user-generated content.",
    "Users sign up for a free email account and never use it again.",
    "Those who subscribe today will pay more tomorrow.",
    "Cast your vote for change, the campaign says, but what change?",
    "More — and worse — is coming for the brands that stayed.",
    "The author is wrong about one thing: users are not loyal.",
    "The writer is a former official who should know better.",
    "Cannot display such arrogance and expect users to stay.",
    "This column appeared in the Times last week and argued the opposite.",
    "Then it failed...",
    "How can this be?",
    "— and that is the whole problem.",
    "小红书的用户信任正在快速流失，商业化试水屡屡受挫。",
    "记者了解到，小红书的广告收入下降了两成。",
    "记者从小红书方面获悉，该项目已暂停。",
    "图片来源于用户，但平台把它们据为己有。",
    "此前报道称，小红书将在年底前裁员。",
    "下图是小红书的收入结构。",
    "图为什么会被删除？",
    "用户的分享和收藏行为被算法放大了。",
    "我们欢迎社会各界关注和监督。",
    "未经授权不得转载他人作品，这是常识。",
    "如有侵权，平台应当承担责任。",
    "小红书声称对用户内容拥有版权。",
    "作者的观点值得商榷，但数据是真的。",
    "广告主正在离开。",
])
def test_sentences_of_the_writing_are_not_marked(line):
    assert classify_line(line) is None


def test_poll_question_after_its_widget_and_before_its_form():
    texts = ["The vote is next week.", "take our poll - story continues below", "Who should chair the committee?",
             "Who should chair the committee?", "Who should chair the committee? * Jane Doe John Roe",
             "Name This field is for validation purposes and should be left unchanged.",
             "Is this the end of the party?", "It may well be."]
    assert classify_sequence(texts) == [None, "poll", "poll", "poll", "poll", "poll", None, None]
    # a question of the story right before a widget is the story's
    assert classify_sequence(["Who pays for it?", "Sign up for our newsletter"]) == [None, "newsletter"]


def test_headlines_of_a_list_of_links():
    texts = ["小红书的广告收入下降了两成。", "推荐阅读", "刚刚！", "重磅发布！", "这家公司，又被罚了？",
             "平台需要重建用户的信任。", "短句！"]
    assert classify_sequence(texts) == [None, "related", "related", "related", "related", None, None]
    # after a copyright line (the article has ended), only exclaimed headlines
    texts = ["平台需要重建信任。", "原创内容未经授权，不得转载。", "突发！", "为什么用户会离开？", "用户正在离开。"]
    assert classify_sequence(texts) == [None, "copyright", "related", None, None]


def test_signature_block_at_the_end_of_a_page():
    texts = ["The platform must change course.", "— Jane Doe", "The Example Times", "———",
             "©2025 The Example Times, Distributed by Example Agency."]
    assert classify_sequence(texts) == [None, "byline", "byline", "punctuation", "copyright"]
    # a quotation's attribution with no copyright below it is the writing's
    texts = ['"Trust arrives on foot and leaves on horseback."', "— Jane Doe", "The saying fits the platform."]
    assert classify_sequence(texts) == [None, None, None]
    assert classify_sequence(["The platform must change.", "— Jane Doe"]) == [None, None]


def test_lines_run_together_are_marked_only_when_every_line_is():
    assert classify_line("Who should chair it? * Jane Doe John Roe\nEmail *") == "poll"
    assert classify_line("SIGN UP FOR OUR NEWSLETTER\nThe platform's users are leaving.") is None


def test_segment_keeps_marked_lines_in_the_document():
    text = ("Xiaohongshu has a trust problem.\nBy Jane Doe\nPhoto: Reuters\n"
            "Its advertising revenue grew by 40%, but users are leaving.\nAdvertisement\n"
            "The company should slow down.\nShare this article")
    doc = segment(text)
    assert_offsets(doc)
    assert doc.text == text
    got = [(s.text, s.not_writing) for s in doc.sentences]
    assert got == [("Xiaohongshu has a trust problem.", None), ("By Jane Doe", "byline"),
                   ("Photo: Reuters", "credit"), ("Its advertising revenue grew by 40%, but users are leaving.", None),
                   ("Advertisement", "advertisement"), ("The company should slow down.", None),
                   ("Share this article", "share")]
    assert [s.is_writing for s in doc.sentences] == [k is None for _, k in got]
    # the JSON carries the mark on marked sentences only (the others' keys are as before)
    sents = [s for sec in doc.to_dict()["sections"] for p in sec["paragraphs"] for s in p["sentences"]]
    assert [s.get("not_writing") for s in sents] == [k for _, k in got]
    assert "not_writing" not in sents[0]


def test_a_widget_line_is_a_paragraph_of_its_own():
    # a long line without final punctuation would otherwise run into the next line
    text = ("The platform's advertising revenue grew by forty percent last year while its users complained\n"
            "Advertisement\nBrands noticed.")
    doc = segment(text)
    assert [p.text for p in doc.paragraphs] == [text.split("\n")[0], "Advertisement", "Brands noticed."]
    assert [p.is_writing for p in doc.paragraphs] == [True, False, True]


def test_chinese_document():
    text = "小红书的用户信任正在快速流失。\n作者：王小明 责编：李华\n图片来源：视觉中国\n商业化试水屡屡受挫。\n（本文仅代表作者观点）"
    doc = segment(text)
    assert [s.not_writing for s in doc.sentences] == [None, "credit", "credit", None, "notice"]


def test_html_page_leftovers_are_marked():
    para = ("Xiaohongshu has spent a year telling advertisers that its users trust it more than any other "
            "platform, and that trust is now the thing it is selling. ")
    page = (f"<html><head><title>Trust for sale</title></head><body><nav>Home | News | Login</nav><article>"
            f"<h1>Trust for sale</h1><p>{para * 2}</p><p>Advertisement</p><p>{para}</p>"
            "<p>Sign up for our newsletter</p><p>Users notice when every second note is an advert.</p>"
            "<p>Can't render, error</p></article></body></html>")
    doc = segment(page)
    marked = [(s.text, s.not_writing) for s in doc.sentences if s.not_writing]
    assert marked == [("Advertisement", "advertisement"), ("Sign up for our newsletter", "newsletter"),
                      ("Can't render, error", "render_error")]
    visible = segment(page, html="visible")
    assert ("Home | News | Login", "nav") in [(s.text, s.not_writing) for s in visible.sentences]


def test_no_sentence_of_the_bundled_post_is_marked(post_doc):
    assert [s.text for s in post_doc.sentences if s.not_writing] == []
    assert post_doc.epigraph is None or all(s.not_writing is None for s in post_doc.epigraph.sentences)
    rows = [json.loads(line) for line in (ROOT / "corpora" / "xhs_will_2025_sentiment.jsonl").open(encoding="utf-8")]
    by_offsets = {(s.start, s.end): s for s in post_doc.sentences}
    assert len(rows) == 88
    for r in rows:
        a, b = map(int, r["source_id"].rsplit(":", 1)[1].split("-"))
        assert by_offsets[(a, b)].not_writing is None, r["text"]
        assert classify_line(post_doc.text[a:b]) is None, r["text"]


def test_reason_names_the_kind():
    assert not_scored_reason("poll") == "not part of the writing (poll): not scored"


@pytest.mark.parametrize(("text", "kind"), [
    ("By Marton Dunai", "byline"),
    ("— John T. Bennett", None),  # alone, a quotation's attribution: a signature only by its context
    ("By John Smith, Reuters, Dec. 28, 2025", "byline"),
    ("By John Smith and Jane Doe, staff writers for The Washington Post", "byline"),
    ("Posted on December 28, 2025.", "dateline"),
    ("Updated on May 5, 2025 at 10:31 am", "dateline"),
    ("作者：郑欣贾阶生陈若滢摄影：过东海", "credit"),
    ("文｜张三 2025-12-28", "credit"),
    ("发布于2025年12月28日", "dateline"),
    ("By Tuesday, Apple had cut prices by 5%.", None),
    ("By 2025 the market will double.", None),
    ("by contrast, Douyin grew 20%.", None),
    ("记者了解到，小红书正在调整。", None),
    ("The updated rules were posted on Monday.", None),
])
def test_bylines_and_datelines_are_not_part_of_the_writing(text, kind):
    assert classify_line(text) == kind
