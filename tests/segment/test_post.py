"""The bundled forum post: metadata, chrome, epigraph, sections, sentences, offsets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.conftest import assert_offsets

CHROME_BITS = ["发表于", "显示全部楼层", "阅读模式", "您需要登录后才可以回帖", "立即注册", "Archiver",
               "手机版", "Copyright", "Powered by", "GMT+8", "Processed in", "queries"]  # fmt: skip
TITLES = [
    "Industry Shifts to Operations—",
    "Xiaohongshu's Evolution Path: ",
    "Core Disconnection: ",
    "Chain Reaction: ",
    "At the Top of the Slope: ",
]


def test_metadata_from_chrome(post_doc):
    m = post_doc.meta
    tz8 = timezone(timedelta(hours=8))
    assert m.author == "Larissa"
    assert m.page_time == datetime(2025, 12, 28, 7, 29, tzinfo=tz8)
    assert m.posted_relative == "2 小时前"
    assert m.posted_at == datetime(2025, 12, 28, 5, 29, tzinfo=tz8)
    assert m.encoding == "utf-8" and m.encoding_confidence == "valid"
    assert m.source and m.source.endswith("xhs_will_2025_forum_post.txt")


def test_chrome_is_kept_but_not_in_body(post_doc):
    kinds = [c.kind for c in post_doc.chrome]
    assert kinds[0] == "header" and kinds.count("footer") == 4
    chrome_text = "\n".join(c.text for c in post_doc.chrome)
    for bit in CHROME_BITS:
        assert bit in chrome_text
        for sec in post_doc.sections:
            assert bit not in sec.text, (bit, sec.index)
    assert "0.164571" not in " ".join(s.text for s in post_doc.sentences)


def test_sections_numbers_and_titles(post_doc):
    secs = post_doc.sections
    assert [s.number for s in secs] == [None, "I", "II", "III", "IV", "V"]
    assert secs[0].kind == "introduction" and secs[0].title is None
    for sec, prefix in zip(secs[1:], TITLES):
        assert sec.title.startswith(prefix)
        assert sec.heading.text == f"{sec.number}. {sec.title}"
    assert secs[5].title.endswith("A Turning Point or the Start of a Descent?")
    assert secs[0].paragraphs[0].text.startswith("As Xiaohongshu's 2025 WILL Commercial Conference")
    assert secs[5].paragraphs[-1].text == "What was then may well be what is now."


def test_epigraph_image_and_repeat(post_doc):
    ep = post_doc.epigraph
    assert ep.text.startswith('"There\'s a saying: In many battles')
    assert ep.text.endswith('old organizational framework."')
    assert ep.repeat is not None
    assert ep.repeat.text.startswith("There's a saying:") and ep.repeat.start > post_doc.sections[5].start
    body = [p.text for p in post_doc.paragraphs]
    assert not any(t.startswith(("There's a saying", '"There')) for t in body)  # neither copy is body
    assert [i.text for i in post_doc.images] == ["Xiaohongshu.jpg"]
    assert "Xiaohongshu.jpg" not in body


def test_sentences(post_doc):
    texts = [s.text for s in post_doc.sentences]
    assert 80 <= len(texts) <= 110
    assert "This one-time marketing model was simply unsustainable." in texts
    assert "But trust is also the most fragile asset." in texts
    # em-dash does not split; quotes stay inside
    assert any(t.startswith("This adjustment directly brought performance dividends—Tencent Advertising") and
               t.endswith("surging by over 50%.") for t in texts)
    assert any(t.startswith('"Seeding finally enters the performance-driven era" and') for t in texts)
    assert all(s.lang == "en" for s in post_doc.sentences)
    assert texts[-1] == "What was then may well be what is now."


def test_offsets_invariant(post_doc):
    assert_offsets(post_doc)
    assert post_doc.text == open(post_doc.meta.source, encoding="utf-8").read()


def test_tokens_map_back(post_doc):
    sent = post_doc.sections[1].sentences[0]
    toks = sent.tokens
    assert toks and all(post_doc.text[t.start : t.end] == t.text for t in toks)
    assert [t.text for t in toks[:4]] == ["In", "recent", "years", ","]


def test_to_dict_contract(post_doc):
    d = post_doc.to_dict()
    assert set(d["meta"]) >= {"author", "posted_at", "page_time", "encoding"}
    assert d["meta"]["page_time"] == "2025-12-28T07:29:00+08:00"
    assert d["epigraph"]["repeat"] is not None
    sec = d["sections"][1]
    assert sec["number"] == "I" and sec["title"].startswith("Industry Shifts")
    s0 = sec["paragraphs"][0]["sentences"][0]
    assert set(s0) >= {"text", "start", "end", "lang"}
    assert post_doc.text[s0["start"] : s0["end"]] == s0["text"]
