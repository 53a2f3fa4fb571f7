"""Saved forum pages (HTML) and generic HTML."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.conftest import assert_offsets
from xhs_nlp import segment

DISCUZ = """<!DOCTYPE html><html><head><meta charset="gbk"><title>小红书 - 公路边</title>
<script>var x = "发表于";</script></head><body>
<div id="hd"><a href="/">首页</a> | <a>论坛</a></div>
<div class="pi"><div class="authi"><a href="space-uid-1.html" class="xw1">Larissa</a></div>
<div class="authi"><em id="authorposton101">发表于 <span title="2025-12-28 05:29">2 小时前</span></em>
 | <a>只看该作者</a></div></div>
<table><tr><td class="t_f" id="postmessage_101">
&quot;There's a saying: the flag that stands last is planted at the top.&quot;<br />
<img src="data/attachment/forum/Xiaohongshu.jpg" /><br />
As the conference ended, I saw many reposts.&nbsp;Most were positive.<br /><br />
I. Industry Shifts to Operations<br />
Tencent merged its teams in 2025. Growth was 50%.<br />
II. Xiaohongshu&#39;s Path<br />
It remains trapped.
</td></tr></table>
<td class="t_f" id="postmessage_102">A reply that is not the post.</td>
<div id="ft">Powered by <a>Discuz!</a> X3.4 | Archiver|手机版
GMT+8, 2025-12-28 07:29 , Processed in 0.164571 second(s), 31 queries .</div>
</body></html>"""


def test_discuz_page_gbk_bytes():
    doc = segment(DISCUZ.encode("gbk"))
    tz8 = timezone(timedelta(hours=8))
    assert doc.meta.format == "html" and doc.meta.encoding == "gbk"
    assert doc.meta.author == "Larissa"
    assert doc.meta.posted_at == datetime(2025, 12, 28, 5, 29, tzinfo=tz8)
    assert doc.meta.page_time == datetime(2025, 12, 28, 7, 29, tzinfo=tz8)
    assert doc.epigraph is not None and "flag that stands last" in doc.epigraph.text
    assert [i.text for i in doc.images] == ["Xiaohongshu.jpg"]
    assert [(s.number, s.title) for s in doc.sections] == [
        (None, None), ("I", "Industry Shifts to Operations"), ("II", "Xiaohongshu's Path")
    ]
    body = " ".join(s.text for s in doc.sentences)
    for chrome in ("首页", "只看该作者", "Powered by", "reply that is not", "var x"):
        assert chrome not in body
    assert "As the conference ended, I saw many reposts." in [s.text for s in doc.sentences]
    assert_offsets(doc)


def test_generic_html_page():
    html = "<html><body><h1>一、标题</h1><p>第一段。第二句！</p><p>Another <b>bold</b> paragraph.</p></body></html>"
    doc = segment(html)
    assert doc.meta.format == "html"
    assert [(s.number, s.title) for s in doc.sections] == [("一", "标题")]
    assert [s.text for s in doc.sentences] == ["第一段。", "第二句！", "Another bold paragraph."]
