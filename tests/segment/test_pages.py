"""Real-world pages: Discuz! threads floor by floor, Chinese article pages among comments,
pages without an article, malformed HTML (issue 21). The pages are made here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import assert_offsets
from xhs_nlp import segment
from xhs_nlp.errors import EmptyDocumentError
from xhs_nlp.segment import segment_thread

TZ8 = timezone(timedelta(hours=8))


def _floor(pid: int, n: str, author: str, when: str, body: str, sign: str = "") -> str:
    return f"""<div id="post_{pid}"><table id="pid{pid}" class="plhin"><tr>
<td class="pls"><div class="authi"><a href="space-uid-{pid}.html" class="xw1">{author}</a></div></td>
<td class="plc"><div class="pi"><strong><a href="forum.php?mod=redirect&amp;ptid=12345&amp;pid={pid}" id="postnum{pid}">{n}</a></strong>
<div class="authi"><em id="authorposton{pid}">发表于 {when}</em> | <a>只看该作者</a></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table><tr><td class="t_f" id="postmessage_{pid}">
{body}
</td></tr></table></div></div></div>
{f'<div class="sign">{sign}</div>' if sign else ''}</td></tr></table></div>"""


THREAD = ("""<!DOCTYPE html><html><head><meta charset="gbk"><title>小红书的商业化 - 公路边</title>
<link rel="canonical" href="https://bbs.example.com/thread-12345-1-1.html" /></head><body>
<div id="hd"><a href="/">首页</a> | <a>论坛</a></div><div id="postlist">"""
          + _floor(501, "楼主", "Larissa", '<span title="2025-12-28 05:29">2 小时前</span>',
                   '<i class="pstatus"> 本帖最后由 Larissa 于 2025-12-28 06:00 编辑 </i><br />\n'
                   "小红书的商业化进入深水区。广告收入增长了20%。<br />\nTrust is the platform's moat.")
          + _floor(502, "<em>2</em><sup>#</sup>", "老王", "半小时前",
                   '<div class="quote"><blockquote><font color="#999">Larissa 发表于 2025-12-28 05:29</font><br />'
                   "小红书的商业化进入深水区。</blockquote></div><br />\n我不同意，社区氛围依然很好。",
                   sign="签名：热爱生活")
          + _floor(503, "<em>3</em><sup>#</sup>", "Amy", "昨天 12:30", "Advertisers are leaving in droves.")
          + _floor(504, "<em>4</em><sup>#</sup>", "Bob", "2025-12-27 20:00",
                   '<div class="quote"><blockquote>Advertisers are leaving in droves.</blockquote></div>')
          + """</div><div id="ft">Powered by <a>Discuz!</a> X3.4 | Archiver|手机版
GMT+8, 2025-12-28 07:29 , Processed in 0.164571 second(s), 31 queries .</div></body></html>""")


def test_every_floor_of_a_gbk_thread():
    docs = segment_thread(THREAD.encode("gbk"))
    # floor 4 only quotes: it has no text of its own and is left out
    assert [d.meta.floor for d in docs] == [1, 2, 3]
    assert [d.meta.author for d in docs] == ["Larissa", "老王", "Amy"]
    assert all(d.meta.thread_id == "12345" and d.meta.encoding == "gbk" and d.meta.format == "html" for d in docs)
    assert docs[0].meta.posted_at == datetime(2025, 12, 28, 5, 29, tzinfo=TZ8)  # absolute title of "2 小时前"
    assert docs[1].meta.posted_at == datetime(2025, 12, 28, 6, 59, tzinfo=TZ8)  # 半小时前, against the page time
    assert docs[1].meta.posted_relative == "半小时前"
    assert docs[2].meta.posted_at == datetime(2025, 12, 27, 12, 30, tzinfo=TZ8)  # 昨天 12:30
    assert [s.text for s in docs[0].sentences] == ["小红书的商业化进入深水区。", "广告收入增长了20%。",
                                                  "Trust is the platform's moat."]
    assert any(c.kind == "edit_note" for c in docs[0].chrome)  # the edit note is chrome, not body
    # the reply's own text; the quoted floor is kept apart; the signature is left out
    assert [s.text for s in docs[1].sentences] == ["我不同意，社区氛围依然很好。"]
    assert docs[1].meta.quotes == ["Larissa 发表于 2025-12-28 05:29\n小红书的商业化进入深水区。"]
    assert "签名" not in docs[1].text and "只看该作者" not in docs[1].text
    for d in docs:
        assert_offsets(d)
        assert "Powered by" not in " ".join(s.text for s in d.sentences)


def test_the_first_post_alone_as_before():
    first = segment(THREAD.encode("gbk"))
    assert first.meta.author == "Larissa" and len(first.sentences) == 3
    (only,) = segment_thread(THREAD.encode("gbk"), posts="first")
    assert [s.text for s in only.sentences] == [s.text for s in first.sentences]


def test_score_posts_all_gives_one_document_per_floor(tmp_path):
    import json

    import pandas as pd

    from xhs_nlp.batch import score_files

    page = tmp_path / "thread.html"
    page.write_bytes(THREAD.encode("gbk"))
    res = score_files([page], tmp_path / "out", posts="all", progress=False)
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert res["documents"] == 3 and docs["source"].tolist() == [f"{page}#floor{n}" for n in (1, 2, 3)]
    meta = [json.loads(m) for m in docs["metadata"]]
    assert [m["floor"] for m in meta] == [1, 2, 3] and {m["thread_id"] for m in meta} == {"12345"}
    assert docs["author"].tolist() == ["Larissa", "老王", "Amy"]


ARTICLE_ZH = ["小红书在2025年的广告收入增长了百分之二十，但社区用户对商业化内容的抱怨也明显增多。",
              "多位品牌方表示，平台的种草笔记转化率正在下降，投放预算开始流向抖音和快手。",
              "分析人士认为，小红书必须在商业化和社区氛围之间找到新的平衡，否则信任的流失难以逆转。",
              "公司在财报电话会上承认，电商闭环仍处于早期阶段，买手模式尚未形成规模效应。",
              "监管部门近期也加强了对种草营销的审查，要求平台对软广告进行明确标注。"]


def _zh_page(meta: str, comments: int = 40) -> str:
    paras = "".join(f"<p>{p}</p>" for p in ARTICLE_ZH)
    coms = "".join(f'<li class="comment"><span class="user">网友{i}</span><p>评论内容第{i}条：说得太对了，支持作者！</p></li>'
                   for i in range(comments))
    return (f"<!DOCTYPE html><html><head>{meta}</head><body>"
            '<div class="nav"><a href="/">首页</a> | <a href="/tech">科技</a> | <a href="/login">登录</a></div>'
            f'<article><h1>小红书的商业化困局</h1><div class="byline">作者：李明 2025-12-01</div>{paras}</article>'
            f'<div id="comments" class="comments"><h3>网友评论（{comments}）</h3><ul>{coms}</ul></div>'
            '<footer>Copyright © 2025 科技日报 京ICP备12345678号</footer></body></html>')


@pytest.mark.parametrize("meta, encoding", [
    ('<title>小红书的商业化困局</title><meta charset="utf-8">', "utf-8"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=gb18030"><title>小红书的商业化困局</title>', "gb18030"),
])
def test_a_chinese_article_among_a_long_comments_section(meta, encoding):
    doc = segment(_zh_page(meta).encode(encoding))
    assert doc.meta.encoding == encoding and doc.meta.format == "html"
    sents = [s.text for s in doc.sentences]
    for p in ARTICLE_ZH:
        assert p in sents
    body = " ".join(sents)
    for chrome in ("评论内容", "网友", "首页", "登录", "Copyright", "京ICP"):
        assert chrome not in body
    assert doc.meta.title == "小红书的商业化困局"
    assert_offsets(doc)


def test_a_page_without_an_article_is_an_error_not_a_menu():
    login = ("<html><head><title>登录</title></head><body><div class='nav'><a>首页</a> | <a>科技</a> | <a>财经</a></div>"
             "<form><input name='user'><input type='password'><button>登录</button></form>"
             "<footer>Copyright © 2025</footer></body></html>")
    with pytest.raises(EmptyDocumentError, match="no article"):
        segment(login)


def test_metadata_of_an_english_news_page():
    page = ("<html><head><title>Ad revenue falls - Tech Daily</title><meta name='author' content='Jane Roe'>"
            "<meta property='og:site_name' content='Tech Daily'>"
            "<meta property='article:published_time' content='2025-11-30T08:00:00+00:00'>"
            "<link rel='canonical' href='https://techdaily.example.com/ad-revenue'></head><body>"
            "<nav><a>Home</a> <a>World</a> <a>Subscribe</a></nav><article><h1>Ad revenue falls</h1>"
            + "".join(f"<p>Paragraph {i}: the platform's advertising revenue fell as brands moved their budgets "
                      f"to rival apps and creators complained about reach.</p>" for i in range(5))
            + "</article><aside><h3>Related</h3><ul><li><a>Ten apps to watch</a></li></ul></aside></body></html>")
    doc = segment(page)
    m = doc.meta
    assert (m.author, m.site, m.url, m.published) == ("Jane Roe", "Tech Daily", "https://techdaily.example.com/ad-revenue",
                                                      "2025-11-30")
    assert m.posted_at == datetime(2025, 11, 30) and m.title == "Ad revenue falls"
    body = " ".join(s.text for s in doc.sentences)
    assert "Subscribe" not in body and "Ten apps" not in body and "Paragraph 4:" in body
    assert doc.to_dict()["meta"]["site"] == "Tech Daily"


def test_malformed_html_still_gives_its_article():
    page = ("<html><body><nav><a>Home<a>News</nav><div class=article><h2>Revenue falls<p>Unclosed <b>bold <i>italic"
            + "".join(f"<p>Sentence {i} about the platform's revenue and its users' trust, which fell again." for i in range(12))
            + "</td></tr></zzz><div><span><!-- a comment that never ends")
    doc = segment(page)
    assert any("Sentence 11 about" in s.text for s in doc.sentences)
    assert not any("Home" in s.text for s in doc.sentences)
    assert_offsets(doc)


def test_deeply_nested_garbage_finishes_with_a_document_or_a_clear_error():
    page = "<html><body>" + "<div><span><b>" * 3000 + "Some words here." + "</zzz>" * 100
    try:
        doc = segment(page)
    except EmptyDocumentError as err:
        assert "no article" in str(err)
    else:
        assert doc.sentences
