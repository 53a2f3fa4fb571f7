"""Headings of every supported style, epigraphs, paragraphs, documents without headings."""

from __future__ import annotations

import pytest

from tests.conftest import assert_offsets
from xhs_nlp import segment
from xhs_nlp.errors import EmptyDocumentError
from xhs_nlp.segment.structure import parse_heading

ZH_DOC = """“风起于青萍之末。”
——宋玉

小红书的大会很热闹。但行业已经转向经营。

一、行业转向经营
（一）组织调整
抖音完成了组织调整。快手紧随其后。
（二）经营闭环
腾讯广告连续11个季度双位数增长。
二、小红书的路径
小红书仍在证明商业价值。
第三部分：信任资产
信任是最脆弱的资产。
"""


def test_chinese_headings_and_subheadings():
    doc = segment(ZH_DOC)
    assert_offsets(doc)
    assert doc.epigraph is not None and doc.epigraph.text.startswith("“风起于青萍之末。”")
    assert doc.epigraph.text.endswith("——宋玉")
    assert [(s.number, s.title) for s in doc.sections] == [
        (None, None),
        ("一", "行业转向经营"),
        ("二", "小红书的路径"),
        ("三", "信任资产"),
    ]
    assert [(h.number, h.title) for h in doc.sections[1].subheadings] == [("一", "组织调整"), ("二", "经营闭环")]
    assert [s.text for s in doc.sections[1].sentences] == [
        "抖音完成了组织调整。", "快手紧随其后。", "腾讯广告连续11个季度双位数增长。"
    ]
    assert all(s.lang == "zh" for s in doc.sentences)


@pytest.mark.parametrize(
    ("line", "number", "title", "style"),
    [
        ("I. Industry Shifts to Operations", "I", "Industry Shifts to Operations", "roman"),
        ("IV. Chain Reaction: Trust?", "IV", "Chain Reaction: Trust?", "roman"),
        ("一、背景", "一", "背景", "zh"),
        ("（一）组织", "一", "组织", "zh_paren"),
        ("第一部分 行业", "一", "行业", "zh_part"),
        ("1. Background", "1", "Background", "arabic"),
        ("## Why it matters", None, "Why it matters", "markdown"),
    ],
)
def test_parse_heading(line, number, title, style):
    h = parse_heading(line)
    assert h is not None and (h.number, line[h.title_start : h.title_end], h.style) == (number, title, style)


@pytest.mark.parametrize(
    "line",
    ["1. We must act now.", "I. e. something", "2025. The year it changed.", "一、这是一句话。还有一句。", "IIII. Bad numeral"],
)
def test_not_headings(line):
    assert parse_heading(line) is None


def test_markdown_headings():
    doc = segment("# Title of the op-ed\n\nIntro text.\n\n## First\n\nBody one.\n\n## Second\n\nBody two.\n")
    assert [s.title for s in doc.sections] == ["Title of the op-ed"]
    assert [h.title for h in doc.sections[0].subheadings] == ["First", "Second"]


def test_arabic_sections():
    doc = segment("Intro.\n\n1. Background\nIt began in 2019.\n\n2. Outlook\nIt may end soon.")
    assert [(s.number, s.title) for s in doc.sections] == [(None, None), ("1", "Background"), ("2", "Outlook")]


def test_no_headings_is_one_section():
    doc = segment("Trust is fragile. It erodes.\n\nSecond paragraph here.")
    assert len(doc.sections) == 1 and doc.sections[0].title is None
    assert [p.text for p in doc.paragraphs] == ["Trust is fragile. It erodes.", "Second paragraph here."]


def test_hard_wrapped_paragraph_is_joined():
    text = ("This paragraph was wrapped by an editor at a fixed width so that\n"
            "its sentences continue on the next line without a blank line.\n\nNext paragraph.")  # fmt: skip
    doc = segment(text)
    assert len(doc.paragraphs) == 2
    assert doc.sentences[0].text.endswith("without a blank line.") and "\n" in doc.sentences[0].text


def test_lone_quotation_is_body_not_epigraph():
    doc = segment('"Only a quotation."')
    assert doc.epigraph is None and [s.text for s in doc.sentences] == ['"Only a quotation."']


@pytest.mark.parametrize("text", ["", "   \n\t  ", "\u3000\n"])
def test_empty_documents(text):
    with pytest.raises(EmptyDocumentError, match="empty document"):
        segment(text)


def test_chrome_only_document():
    with pytest.raises(EmptyDocumentError):
        segment("您需要登录后才可以回帖 登录 | 立即注册\nGMT+8, 2025-12-28 07:29 , Processed in 0.1 second(s), 3 queries .")


_OPED_EN = ("Xiaohongshu built its name on trust between strangers who shared what they bought. The U.S. "
            "Department of Justice has nothing to do with it, but regulators in Beijing and the Bureau of Labor "
            "Statistics both count the jobs it made. Now the platform sells the same feeds to advertisers, and the "
            "users notice.")
_OPED_ZH = ("小红书的用户信任正在快速流失，商业化试水屡屡受挫。这一系列合作的背后，也反映出小红书商业化面临的严峻挑战。"
            "尽管小红书2024年电商GMV突破了4000亿元，同比增长45%，但与抖音电商、快手电商相比，规模和增速都显得逊色许多。")


@pytest.mark.parametrize("width", [40, 60, 72, 100])
def test_hard_wrapped_english_reads_as_one_paragraph_per_line(width):
    import textwrap

    flat = segment(_OPED_EN + "\n\n" + _OPED_EN)
    for sep in ("\n\n", "\n"):  # paragraphs apart by a blank line, or only by their short last line
        wrapped = segment(sep.join([textwrap.fill(_OPED_EN, width)] * 2))
        assert [" ".join(s.text.split()) for s in wrapped.sentences] == [s.text for s in flat.sentences]
        assert len(wrapped.paragraphs) == 2 if sep == "\n\n" else len(wrapped.paragraphs) <= 2


def test_two_spaces_after_a_sentence_do_not_make_a_table():
    import textwrap

    text = textwrap.fill(_OPED_EN.replace(". ", ".  "), 60)  # an e-mail's typewriter spacing
    assert "  " in text and len(segment(text).paragraphs) == 1


@pytest.mark.parametrize("width", [20, 30, 45])
def test_hard_wrapped_chinese_reads_as_one_paragraph_per_line(width):
    flat = segment(_OPED_ZH)
    wrapped = segment("\n".join(_OPED_ZH[i:i + width] for i in range(0, len(_OPED_ZH), width)))
    assert ["".join(s.text.split()) for s in wrapped.sentences] == [s.text for s in flat.sentences]
    assert len(wrapped.paragraphs) == 1


def test_in_wrapped_text_a_line_that_ends_open_goes_on():
    import textwrap

    body = textwrap.fill(_OPED_EN, 60)
    # a paragraph of two lines, read at the width of the text's other wrapped paragraphs
    doc = segment(body + "\n\nThe U.S. Department of Justice sued Apple, and the court\nwould hear it.\n\n" + body)
    assert "The U.S. Department of Justice sued Apple, and the court\nwould hear it." in [s.text for s in doc.sentences]
    # not into a line that opens a sentence, nor a lower-case brand after a heading
    assert [p.text for p in segment("I love that\nYou should try it too.").paragraphs] == [
        "I love that", "You should try it too."]
    assert [p.text for p in segment("Overview\niPhone sales rose 20% in China last quarter.").paragraphs] == [
        "Overview", "iPhone sales rose 20% in China last quarter."]


@pytest.mark.parametrize("text", [
    "- Fast delivery and good packaging\n- Friendly customer service team\n- Reasonable prices for most items",
    "Alice: hi there how are you\nBob: fine thanks and you\nAlice: great to hear that",
    "今天和朋友一起去了外滩散步\n天气特别好阳光明媚心情超级棒\n拍了好多好看的照片分享给大家\n下次还要再来",
    "今天去了外滩，人超多\n晚上吃了火锅，好辣\n明天去迪士尼",
    "优点：界面好看，内容丰富\n缺点：广告多，搜索差\n总结：值得一试",
    "Name    Revenue    Growth\nAlpha   12.3       5%\nBeta    8.1        -2%",
    "ok so i bought this phone last week\nhonestly its pretty good\nbattery lasts all day\nbut the camera is meh",
    "今天终于去了那家网红店，排队排了一个多小时😭\n味道真的一般般，价格还贵，不推荐大家去了\n服务员态度也不好，点个菜等半天没人理\n"
    "总之就是踩雷了，姐妹们避雷吧！！！",
    "Hi team,\nPlease find attached the Q3 report.",
    "Best regards,\nJohn Smith",
    "Pros\ngreat battery\nnice screen\nCons\nslow charging",
])  # fmt: skip
def test_lists_notes_and_tables_keep_one_paragraph_per_line(text):
    """Lines of similar length are not wrapped text when they are list items, table rows,
    dialogue or a note's short thoughts (a Xiaohongshu note or a forum post writes one per
    line), and a short line that ends open (a salutation) or a lower-case line is no wrap."""
    assert [p.text for p in segment(text).paragraphs] == text.split("\n")


def test_one_sentence_per_line_is_not_taken_for_wrapped_text():
    lines = ["The platform grew fast in 2023 and again in 2024.", "Trust is harder to measure than growth is.",
             "Regulators are watching closely.", "Advertisers are not."]
    doc = segment("\n".join(lines))
    assert [s.text for s in doc.sentences] == lines and len(doc.paragraphs) == 4
    headed = segment("Growth\nThe platform grew fast in 2023 and again in 2024, and its users noticed it.")
    assert [p.text for p in headed.paragraphs][0] == "Growth"
