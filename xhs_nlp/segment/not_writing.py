"""Lines that are not part of the writing: page leftovers kept in the text, marked, not scored.

A saved page, a copied article or a WeChat repost carries text its author did not write
as part of the argument: bylines and credit lines (``By Jane Doe``, ``作者：… 责编：…``),
image credits and captions (``Photo: Reuters``, ``RICARDO ARDUENGO/AFP/Getty Images``,
``资料图：…``, ``▲…``), poll and newsletter widgets, share/follow/subscribe prompts,
``Advertisement``, copyright and reprint notices, "Related:"/``推荐阅读`` link lists,
``Can't render, error``, navigation menus, bare links and lines of punctuation.
:func:`mark_not_writing` gives each such sentence of a document a kind
(:attr:`~xhs_nlp.document.Sentence.not_writing`); the sentence stays in the document (its
offsets, its place in the output) and every score leaves it out.

Two layers of rules, written for precision (a sentence of the op-ed wrongly left out is
worse than a widget scored):

* :func:`classify_line`: one sentence or line alone, by anchored patterns in English and
  Chinese, each with a length limit so that a long line of prose never matches because a
  widget word occurs in it.
* :func:`classify_sequence`: the sentences of a document in order, for what only context
  shows: the question of a poll after its ``take our poll`` line or before its form; the
  headlines of a ``推荐阅读``/``南都君特选`` list; the signature block at the end of a page
  (``— John Doe`` / ``Outlet Name`` above a copyright line).

Measured on the op-ed reading corpus's ``skip`` rows: ``benchmarks/not_writing.py``.

Example:
    >>> classify_line("Photo: Reuters"), classify_line("责任编辑：王小明"), classify_line("Revenue fell 20%.")
    ('credit', 'credit', None)
    >>> classify_sequence(["take our poll - story continues below", "Who should lead the party?", "It fell."])
    ['poll', 'poll', None]
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from ..document import NotWritingKind

if TYPE_CHECKING:  # pragma: no cover
    from ..document import Document

__all__ = ["classify_line", "classify_sequence", "mark_not_writing", "not_scored_reason", "KINDS"]

#: every kind a sentence can be marked with, and what it is
KINDS: dict[str, str] = {
    "byline": "who wrote or reported it (By Jane Doe, — Jane Doe, 记者 X 报道, (Reporting by ...))",
    "credit": "a credit line: photo/image credits, 作者/编辑/责编/审校/来源 lines",
    "caption": "an image caption marked as one (Pictured:, 资料图：, ▲, 图为)",
    "poll": "a poll widget and its form",
    "newsletter": "a newsletter, subscription or donation box",
    "share": "a share, follow, like or comment prompt (Share this article, 欢迎关注, 微信公众号：)",
    "advertisement": "an advertisement marker",
    "copyright": "a copyright or reprint line (©2018 ..., All Rights Reserved, 未经授权不得转载)",
    "notice": "an editor's or publisher's note (Originally published at ..., 本文仅代表作者观点, (Fixes dateline))",
    "related": "a link to other articles (Read more:, Related:, 推荐阅读, a truncated link title, its headlines)",
    "render_error": "a page element that failed to render (Can't render, error)",
    "nav": "a line of navigation menu words (Home | News | Login)",
    "link": "a bare URL",
    "dateline": "a dateline split off its sentence (SANTA FE, N.M.), or when it was posted (Posted on Dec. 28, 2025, "
                "发布于2025年12月28日)",
    "bio": "an author's biography (The author is a professor at ...)",
    "punctuation": "a line of punctuation alone (*****, ———, […])",
}

_WS = re.compile(r"\s+")
_I = re.IGNORECASE
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_END = re.compile(r"[.!?。！？…]['\"”’）)]*$")

# -- English ------------------------------------------------------------------------------------

_NAME_WORD = r"(?:[A-Z][A-Za-z'’\-]+|[A-Z]\.|(?:de|van|von|da|del|di|bin|al|le|la)(?=\s))"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}"
_NOT_NAMES = ("The ", "This ", "That ", "These ", "Those ", "Then ", "Now ", "Contrast", "Comparison", "Far ",
              "Law ", "Default", "Design", "Definition", "Nature", "Chance", "All ", "Any ", "Some ", "Most ",
              "Many ", "Way ", "Mid", "Late ", "Early ", "Next ", "Last ", "January", "February", "March",
              "April", "May ", "June", "July", "August", "September", "October", "November", "December",
              "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: a date with an optional time: "Dec. 28, 2025", "28 December 2025", "2025-12-28 at 10:31 am"
_DAY = (r"(?:[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4}|\d{4}-\d{2}-\d{2})"
        r"(?:,? (?:at )?\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?(?: [A-Z]{2,4})?)?")
_DATE = rf"(?:(?:[Uu]pdated|[Pp]ublished|[Pp]osted)?:?\s*{_DAY})"
_BYLINE = re.compile(rf"^(?:By|BY)\s+(?P<name>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)"
                     rf"(?:\s*[,|/]\s*(?:{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}))?(?:\s*[,|]\s*{_DATE})?$")
_DASH_NAME = re.compile(rf"^[—–-]{{1,3}}\s*{_NAME}$")
#: "By Jane Doe and John Roe, staff writers for The Post"
_BYLINE_ROLE = re.compile(rf"^(?:By|BY)\s+(?P<name>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*),?\s+"
                          r"(?:(?:staff|senior|special|contributing)\s)?(?:writer|reporter|correspondent|editor|"
                          r"columnist|contributor)s?(?:\s(?:for|at|of)\s(?:[Tt]he\s)?[A-Z][\w&.'’-]*(?:\s[A-Z][\w&.'’-]*){0,4})?\.?$")
#: "Posted on December 28, 2025." / "Updated on May 5, 2025 at 10:31 am": when, not what
_POSTED = re.compile(r"^(?:(?:[Ff]irst|[Ll]ast)\s)?(?:[Uu]pdated|[Pp]ublished|[Pp]osted)(?:\son)?:?\s*"
                     + _DAY + r"\.?$")
_AGENCY = r"(?:AFP|AP|Reuters|EPA|Getty Images|Getty|Shutterstock|Xinhua|Bloomberg|Alamy|iStock|NurPhoto|Sipa|" \
          r"Associated Press|Anadolu|SOPA Images|LightRocket|Zuma|ZUMA Press|Imago|dpa|PA Images|PA)"
#: menu words: a line made of these and separators alone is navigation
_NAV_TERMS = sorted(
    """home|news|world|business|politics|opinion|opinions|sport|sports|tech|technology|culture|lifestyle|menu|search|
    login|log in|logout|log out|sign in|sign up|sign out|register|subscribe|share|tweet|email|e-mail|print|facebook|
    twitter|linkedin|whatsapp|reddit|pinterest|instagram|youtube|telegram|weibo|wechat|comments|comment|
    skip to content|skip to main content|back to top|next|previous|prev|newsletter|newsletters|contact|contact us|
    about|about us|privacy|privacy policy|terms|terms of use|terms of service|cookie policy|cookies|advertise|careers|
    podcasts|podcast|video|videos|top stories|latest|close""".replace("\n", "").replace("    ", "").split("|"),
    key=len, reverse=True)
_NAV = re.compile(r"^(?:(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in _NAV_TERMS)
                  + r")\b|[\s|•·/>»›\-–—]|\(\d+\))+$", _I)


def _rule(kind: str, limit: int, *alternatives: str, flags: int = 0) -> tuple[str, re.Pattern[str], int]:
    """One rule: the kind it gives, a pattern (any of ``alternatives``) searched in a line of
    at most ``limit`` characters (a longer line is prose, whatever words it holds)."""
    return kind, re.compile("|".join(alternatives), flags), limit


_EN_RULES: list[tuple[str, re.Pattern[str], int]] = [
    _rule("render_error", 80,
          r"^(?:can'?t|can’t|cannot|could ?n[o']t|unable to|failed to) (?:render|load|display)"
          r"(?:[,.:]?\s*(?:error|(?:the |this )?(?:video|image|content|page|media|embed|tweet|post)))?[.!]?$",
          flags=_I),
    _rule("render_error", 160,
          r"^(?:your browser does not support|please enable javascript)",
          r"^this (?:video|content|embed) (?:is (?:not |un)available|cannot be (?:displayed|loaded))", flags=_I),
    _rule("poll", 90,
          r"^(?:take our poll|story continues below(?! advertisement))\b",
          r"^\w+ this field is for validation purposes\b",
          r"^completing this poll\b",
          r"^you may opt out at ?any ?time\b",
          r"\bpoll\b.{0,20}\bexercise your right to vote\b",
          r"^you (?:also )?agree to (?:this|our|the) site'?s? privacy policy\b", flags=_I),
    # a poll's form: its question, options and fields
    _rule("poll", 400, r"\?\s*\*\s.*\s(?:e-?mail|name)\s*\*$", r"^(?:e-?mail|name)\s*\*$", flags=_I),
    # the widget's words and the poll's question (a sentence of the story after them is not marked)
    _rule("poll", 220, r"^(?:take our poll|story continues below)\b.*\?$", flags=_I),
    # a poll's question and its options: "Who should lead? * Jane Doe John Roe"
    _rule("poll", 400, r"\?\s*\*\s+(?:[A-Z][\w.'’\-]*\s*){2,}$"),
    _rule("poll", 40, r"^(?:vote now|cast your vote|view results|see results|show results)[.!]?$", flags=_I),
    _rule("newsletter", 160,
          r"^(?:please )?sign up (?:for|to) (?:our|the|my) (?:free |daily |weekly |\w+ ){0,3}"
          r"(?:newsletter|e-?mails?|briefing|digest)\b",
          r"^(?:please )?subscribe to (?:our|the|my) (?:free |daily |weekly |\w+ ){0,3}"
          r"(?:newsletter|channel|podcast|mailing list)\b",
          r"\bby subscribing (?:now|today|here)\b",
          r"^subscrib(?:e|ing) (?:now|today|here)\b",
          r"\bsubscribe (?:now|today|here)[.!]?$",
          r"\bdelivered (?:straight |directly )?to your inbox(?: every \w+)?[.!]?$",
          r"^enter your e-?mail(?: address)?\b",
          r"^thanks? (?:you )?for (?:signing up|subscribing)\b",
          r"^get (?:our|the) (?:free |daily |weekly )?newsletter\b",
          r"^(?:subscribe|sign up)(?: now| today| here| for free)?[.!]?$",
          r"^already a subscriber\?",
          r"^you can unsubscribe at any ?time\b",
          r"\bplease sign up here\b",
          r"\bplease consider (?:a donation|donating|making a donation|supporting us|subscribing)\b", flags=_I),
    _rule("share", 140,
          r"^share (?:this|the) (?:article|story|post|page|video)\b",
          r"^share (?:on|via) (?:facebook|twitter|x|linkedin|whatsapp|reddit|email)\b",
          r"^click to (?:share|print|email)\b",
          r"^(?:follow|like) (?:us|me)(?: (?:on|at)\b|[.!]?$)",
          r"^follow (?:@\w+|(?:[\w.@]+ ){1,3}on (?:twitter|x|facebook|instagram|linkedin|threads|weibo|gab|telegram|"
          r"truth social))\b",
          r"^please (?:adhere to|read|review|follow) our comment(?:ing|s)? policy\b",
          r"^click (?:here|below) to (?:subscribe|share|follow|sign up|donate|read|download|learn|watch|listen|see|get|"
          r"join)\b",
          r"^(?:leave|post|add) a comment[.!]?$",
          r"^(?:view|show|read) (?:all )?(?:\d+ )?comments(?: \(\d+\))?$",
          r"^join the (?:conversation|discussion)\b",
          r"^(?:please )?(?:support|donate to) (?:our|independent) journalism\b", flags=_I),
    _rule("advertisement", 60,
          r"^(?:advertisements?|advertising|sponsored(?: content)?|paid (?:content|post)|story continues below "
          r"advertisement|continue reading (?:the main story|below)|article continues (?:below|after (?:this )?"
          r"advertisement))[.:]?$", flags=_I),
    _rule("copyright", 220,
          r"^(?:©|\(c\)\s*\d|copyright\s*(?:©|\(c\)|\d{4}))",
          r"\ball rights reserved\s*\.?$",
          r"\bdistributed by tribune content agency\b", flags=_I),
    _rule("notice", 200,
          r"^\((?:fixes|updates|corrects|adds|recasts|refiles|repeats)\b[^()]{0,80}\)$",
          r"^(?:this )?(?:article|post|story|column|piece|op-ed|essay|commentary) (?:was |is )?(?:originally |first )?"
          r"(?:posted|published|appeared|reprinted|republished) (?:with permission\b|(?:at|on|in|by) "
          r"(?-i:[A-Z])[^.]{0,60}\.?$)",
          r"^originally (?:published|posted|appeared)\b",
          r"^(?:reprinted|republished|re-?posted|cross-?posted) (?:with|by) permission\b",
          r"^the (?:views|opinions) expressed (?:in this|here|are)\b", flags=_I),
    _rule("byline", 260,
          r"^\((?:additional )?(?:reporting|writing|editing|compiled|translated)(?: and \w+)? by\b.{0,200}\)$",
          flags=_I),
    _rule("byline", 100,
          r"^(?:the )?[A-Z][\w.&'’\-]*(?: [A-Z][\w.&'’\-]*){0,4} contributed (?:reporting )?to this "
          r"(?:story|report|article)\.?$"),
    _rule("credit", 120,
          r"^\(?(?:(?:top|header|featured|main|lead|cover|hero) )?(?:photo(?:graph)?|image|picture|pic|illustration|"
          r"graphic|photo illustration|file photo|screenshot|screengrab)s?"
          r"(?:\s*(?:credits?|source|by|courtesy(?: of)?|via|from))?\s*[:|/]\s*\S",
          r"^\(?(?:photo(?:graph)?|image|picture|illustration)s?\s+(?:credits?|by|courtesy(?: of)?|via)\s+\S",
          flags=_I),
    _rule("credit", 80, r"^\(?(?:credit|courtesy|source|image source|photo source)s?\s*:\s*\S", flags=_I),
    _rule("credit", 90,
          rf"^\(?[\w .,'’&\-]{{0,60}}(?:/|\|)\s*{_AGENCY}(?:\s*(?:/|via)\s*{_AGENCY})*\)?$",
          rf"^\(?(?:{_AGENCY} ?(?:Photo|Images|/)[\w .,/'’\-]{{0,60}}|{_AGENCY})\)?$",
          rf"/.*\bvia {_AGENCY}\)?$",
          rf"^\(?(?:[A-Z][\w'’\-]*\s){{1,4}}via {_AGENCY}\)?$"),
    _rule("caption", 200, r"^(?:pictured|above|below|inset|main picture|file photo)\s*:\s*\S", flags=_I),
    _rule("bio", 300,
          r"^(?:the )?(?:author|writer)s? (?:is|are|was) (?:a|an|the|currently|also)\b.{0,80}\b(?:professor|fellow|"
          r"columnist|contributor|author of|editor|correspondent|journalist|director|founder|president|lecturer|"
          r"researcher|economist|analyst|scholar|student|partner|chair)",
          r"^[A-Z][\w.'’\-]*(?: [A-Z][\w.'’\-]*){0,3} \((?:e-?mail|contact) (?:him|her|them)\)", flags=_I),
    _rule("related", 110,
          r"^(?:related|read more|read also|also read|see also|more|recommended|further reading|"
          r"more on this(?: story)?|related (?:articles?|stories|coverage|content|reading|links?)|you may also like|you might also like|"
          r"trending(?: now)?|most popular|most read|editor'?s picks?|more stories|read next|up next|"
          r"read more (?:from|at|on) [^.:]{1,40})\s*(?:[:：|»>]|$)", flags=_I),
    _rule("link", 400, r"^(?:https?://|www\.|pic\.twitter\.com/)\S+$", flags=_I),
    _rule("dateline", 40, r"^[A-Z][A-Z.'\- ]{1,30},\s*(?:[A-Z][a-z]{0,4}\.\s*){1,3}$"),
]

# -- Chinese ------------------------------------------------------------------------------------

_CREDIT_LABELS = ("图片来源|图源|图片|图文|摄影|摄像|视频|编辑|责任编辑|责编|主编|审核|审校|校对|排版|美编|设计|制图|"
                  "作者|文|撰文|撰稿|记者|通讯员|实习生|出品|出品人|监制|策划|统筹|编审|终审|二审|三审|一审|初审|复审|"
                  "编译|翻译|译者|供图|配图|封面图|题图|头图|来源|本文来源|文章来源|内容来源|素材来源|数据来源|新闻来源|"
                  "信息来源|综合|整理|值班编辑|新媒体编辑|视觉|运营|制作|剪辑|配音|主播|原标题|原文标题|原题")
#: a Chinese name after 记者: 2-4 characters, not a verb (记者透露, 记者了解到, 记者从...)
_ZH_NAME = (r"(?![透表了获发注看采询说问调走从在向对跟与和也都就还已曾将会来去到得称指提介确证回致实现])"
            r"[\u4e00-\u9fff·]{2,4}")
_ZH_SHARE_VERBS = r"(?:点赞|在看|转发|分享|收藏)"
_ZH_RULES: list[tuple[str, re.Pattern[str], int]] = [
    # 作者：X 责编：Y ...: credit labels and names, no sentence punctuation inside
    _rule("credit", 100, rf"^[（(【\[]?\s*(?:{_CREDIT_LABELS})\s*[：:|丨/｜]\s*[^，。！？；,;!?]+[。）)】\]]?$"),
    _rule("caption", 120,
          r"^(?:资料图片?|上图|下图|左图|右图|图注|题图|配图|图片)\s*[：:]\s*[^，；,;]{1,60}。?$",
          r"^图为[^，；,;？?！!]{2,60}。?$",
          r"^[▲△]\s*[^，,；;。！？!?]{2,40}。?$"),
    _rule("credit", 60,
          r"^[（(]?\s*(?:\S{0,8}记者\s*[\u4e00-\u9fff·]{2,6}(?:\s+[\u4e00-\u9fff·]{2,6})*\s*[／/]?\s*摄|"
          r"图[／/：:]\s*[^\s，。！？]{2,12}|视觉中国|东方IC|IC\s*photo|新华社发(?:\s*[（(][^）)]*[）)])?)\s*[）)]?$"),
    _rule("byline", 50,
          rf"^[（(]?\s*(?:[^\s，。！？；：“”,;:!?]{{0,30}}(?:记者|通讯员|实习生)\s*{_ZH_NAME}(?:\s*[、\s]\s*{_ZH_NAME})*"
          r"\s*(?:报道|发自\S{0,6}|采写)?|\S{0,12}\d{1,2}月\d{1,2}日电\s*[（(]记者\s*[^）)]{2,20}[）)])\s*[）)]?\s*[*＊]?$"),
    # 发布于2025年12月28日 / 更新时间：2025-12-28 10:31: when, not what
    _rule("dateline", 40, r"^(?:发布于|发布时间|更新于|更新时间|发表于)\s*[:：]?\s*\d{4}\s*(?:年|[-/.])[\d\s年月日:：/.-]*$"),
    # the notice ends the line (a line that goes on into the article is not marked)
    _rule("copyright", 80,
          r"(?:^版权所有|版权所有\s*[©(（]|©.{0,40}版权所有|版权归(?:原)?作者(?:所有)?"
          r"|未经(?:许可|授权|同意|允许)[，,]?\s*(?:不得|禁止|严禁|请勿|谢绝)(?:转载|转发|使用|复制|摘编)"
          r"|转载请(?:注明|联系|与)|如需转载|如(?:有|涉及)侵权[，,]?\s*(?:请|敬请|烦请)?\s*(?:及时)?(?:联系|告知|删除)"
          r"|原创内容未经授权|(?:谢绝|禁止|严禁)(?:未经授权的)?转载)[^，,]{0,16}$"),
    _rule("notice", 80,
          r"本文(?:仅|只)?代表作者(?:个人)?(?:观点|立场)",
          r"(?:文章|内容)(?:仅|只)代表作者(?:个人)?(?:观点|立场)",
          r"不代表本(?:站|网|平台|报|刊|号|公众号|台|社)(?:观点|立场)",
          r"欢迎(?:不同观点)?来稿"),
    _rule("notice", 50, r"^[（(]?本文(?:系|首发|原载|原文|转载自|来源于|来自|转自|经授权转载|已获授权)[^。！？）)]{0,30}[。）)]?$"),
    _rule("share", 60,
          r"(?:敬请|欢迎|点击|长按|扫码|记得|一键)(?:加|添加|星标)?关注(?=我们|本号|公众号|哦|噢|[^\w]|$)",
          r"^(?:微信)?公众号\s*[：:]", r"点亮在看|点个在看|在看点这里",
          r"^(?:微信号|微博)\s*[：:]\s*\S+$",
          r"点击(?:上方|下方)?(?:蓝字|阅读原文)|^阅读原文",
          r"长按(?:识别)?(?:下方|上方|图中)?二维码|扫(?:描)?(?:下方|上方)?二维码",
          rf"(?:请|记得|欢迎|别忘了?|一键|点个|给个|求)\s*{_ZH_SHARE_VERBS}"
          rf"(?:(?:[、，,和与\s]|\s*\+\s*){{0,2}}{_ZH_SHARE_VERBS})*\s*[！!~～。]*$"),
    _rule("related", 120,
          r"^[^，。！？；,;!?]{0,40}(?:推荐阅读|相关阅读|往期回顾|往期推荐|往期精彩|精彩推荐|热文推荐|点击大图|"
          r"戳下方标题|南都君特选|猜你喜欢|你可能还喜欢|相关链接|热门推荐)"),
    _rule("related", 50,
          r"^[（(]?(?:此前|早前|先前)(?:相关)?报道(?![，,：:称中指显提说的])",
          r"^[（(]?(?:此前)?相关报道\s*[：:→]",
          r"持续关注\s*↓+", r"^.{0,8}持续关注\s*[！!]$"),
    _rule("advertisement", 8, r"^[【\[（(]?(?:广告|推广|赞助|软文)[】\]）)]?$"),
    _rule("render_error", 40, r"^(?:视频|图片|内容)?(?:加载失败|无法(?:显示|加载|播放))|^您的浏览器不支持"),
]

#: markers after (or around) which headline-like lines are a list of other articles
_LIST_MARKER = re.compile(r"推荐阅读|相关阅读|往期回顾|往期推荐|往期精彩|精彩推荐|热文推荐|点击大图|戳下方标题|"
                          r"南都君特选|猜你喜欢|热门推荐|^[（(]?(?:此前|早前|先前)(?:相关)?报道|持续关注")
_AROUND_MARKER = re.compile(r"持续关注")
_POLL_START = re.compile(r"\btake our poll\b|\bstory continues below\b", _I)
_TRUNCATED = re.compile(r"^(?P<title>\S(?:.{0,28}\S)?)\s?(?:\.{3}|…)$")
_SMALL = {"a", "an", "the", "of", "at", "in", "on", "to", "for", "and", "or", "by", "with", "from", "vs", "is"}


def _norm(text: str) -> str:
    return _WS.sub(" ", text.strip())


def _is_truncated_title(text: str) -> bool:
    """A link title cut short by a widget: ``The Tyranny of Good In...`` (Title Case words)."""
    m = _TRUNCATED.match(text)
    if not m:
        return False
    words = re.findall(r"[A-Za-z][\w'’\-]*", m["title"])
    if len(words) < 2 or _HAN.search(text):
        return False
    return all(w[0].isupper() or w.lower() in _SMALL for w in words) and any(
        len(w) >= 3 and w.lower() not in _SMALL for w in words)


def _is_nav(text: str) -> bool:
    """A line made only of menu words and separators (``Home | News | Login``)."""
    return len(text) <= 80 and bool(_NAV.match(text)) and not _END.search(text)


def classify_line(text: str) -> NotWritingKind | None:
    """The kind of non-writing ``text`` (one sentence or line) is, or ``None`` for writing.

    Only the line itself is read; rules that need the lines around it are in
    :func:`classify_sequence`.

    Example:
        >>> [classify_line(t) for t in ("By Jane Doe", "By contrast, sales rose.", "Can't render, error",
        ...                             "图片来源：视觉中国", "（本文仅代表作者观点）", "小红书的用户信任正在流失。")]
        ['byline', None, 'render_error', 'credit', 'notice', None]
    """
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) > 1:  # lines run together: marked only when every line is
        kinds = [classify_line(ln) for ln in lines]
        return kinds[0] if all(kinds) else None
    t = _norm(text)
    if not t:
        return None
    if not _LETTER_OR_DIGIT.search(t):
        return "punctuation"
    rules = _ZH_RULES if _HAN.search(t) else _EN_RULES
    for kind, rx, limit in rules:
        if len(t) <= limit and rx.search(t):
            return kind  # type: ignore[return-value]
    if not _HAN.search(t):
        return _latin_shapes(t)
    return None


def _latin_shapes(t: str) -> NotWritingKind | None:
    """Bylines, datelines, navigation lines and truncated link titles (rules that are shapes,
    not words)."""
    m = _BYLINE.match(t) or _BYLINE_ROLE.match(t)
    if m and len(t) <= 160 and not m["name"].startswith(_NOT_NAMES):
        return "byline"
    if len(t) <= 80 and _POSTED.match(t):
        return "dateline"
    if _is_nav(t):
        return "nav"
    if _is_truncated_title(t):
        return "related"
    return None


def _is_question(text: str, max_words: int = 30) -> bool:
    t = _norm(text)
    return t.endswith(("?", "？")) and len(t.split()) <= max_words


def _is_headline(text: str, exclaimed: bool = False) -> bool:
    """A Chinese headline in a list of links: short, and not ended like a sentence of prose
    (。); with ``exclaimed``, ended by ``！`` or ``↓`` (the lists after a copyright line)."""
    t = _norm(text)
    if not _HAN.search(t) or len(t) > 32:
        return False
    return t.endswith(("！", "!", "↓")) if exclaimed else not t.endswith(("。", "；", ";", "，", ","))


def _is_signature(text: str) -> bool:
    """A line of a signature block: ``— Jane Doe`` or a short Title Case name (an outlet)."""
    t = _norm(text)
    if _DASH_NAME.match(t):
        return True
    words = re.findall(r"[A-Za-z][\w'’.\-]*", t)
    return (0 < len(words) <= 6 and len(t) <= 60 and not _END.search(t) and not _HAN.search(t)
            and all(w[0].isupper() or w.lower() in _SMALL for w in words))


def _poll_questions(texts: Sequence[str], kinds: list[NotWritingKind | None]) -> None:
    """The question of a poll: after its ``take our poll`` line, or right before its form
    (a line that repeats the question and lists the options)."""
    for i, t in enumerate(texts):
        if kinds[i] == "poll" and _POLL_START.search(t):
            j = i + 1
            while j < len(texts) and kinds[j] is None and _is_question(texts[j]):
                kinds[j] = "poll"
                j += 1
    for i in range(len(texts) - 1, 0, -1):
        q = _norm(texts[i - 1])
        if kinds[i] == "poll" and kinds[i - 1] is None and _is_question(q) and _norm(texts[i]).startswith(q):
            kinds[i - 1] = "poll"


def _headline_lists(texts: Sequence[str], kinds: list[NotWritingKind | None]) -> None:
    """Headlines of a list of other articles next to its marker (``推荐阅读``, ``南都君特选``,
    ``此前报道``, and after a Chinese copyright line, which ends an article; around
    ``持续关注``, which closes one headline and opens the next)."""
    markers = [i for i, (t, k) in enumerate(zip(texts, kinds))
               if (k == "related" and _LIST_MARKER.search(_norm(t))) or (k == "copyright" and _HAN.search(t))]
    for i in markers:
        j = i + 1
        exclaimed = kinds[i] == "copyright"
        while j < len(texts) and kinds[j] in (None, "related") and _is_headline(texts[j], exclaimed):
            kinds[j] = "related"
            j += 1
        if _AROUND_MARKER.search(texts[i]):
            j = i - 1
            while j >= 0 and kinds[j] in (None, "related") and _is_headline(texts[j]):
                kinds[j] = "related"
                j -= 1


_SIGN_OFF = ("copyright", "byline")


def _signature_block(texts: Sequence[str], kinds: list[NotWritingKind | None]) -> None:
    """The block at the end of a page above a copyright or byline line: ``— Jane Doe``,
    the outlet's name, a rule of dashes."""
    j = len(texts)
    while j > 0 and (kinds[j - 1] is not None or _is_signature(texts[j - 1])):
        j -= 1
    block = range(j, len(texts))
    if not any(kinds[k] in _SIGN_OFF for k in block):
        return
    for k in block:
        if kinds[k] is None:
            kinds[k] = "byline"


def classify_sequence(texts: Sequence[str]) -> list[NotWritingKind | None]:
    """The kind of each of a document's sentences (in order), with the rules that need
    context: :func:`classify_line` on each, then poll questions, the headlines of link
    lists and the signature block at the end.

    Example:
        >>> classify_sequence(["Sales fell.", "— Jane Doe", "The Daily Planet", "©2024 The Daily Planet"])
        [None, 'byline', 'byline', 'copyright']
    """
    kinds = [classify_line(t) for t in texts]
    _poll_questions(texts, kinds)
    _headline_lists(texts, kinds)
    _signature_block(texts, kinds)
    return kinds


def not_scored_reason(kind: str) -> str:
    """Why a sentence marked ``kind`` has no score, as the scorers' ``reason`` says it.

    Example:
        >>> not_scored_reason("byline")
        'not part of the writing (byline): not scored'
    """
    return f"not part of the writing ({kind}): not scored"


def mark_not_writing(doc: Document) -> None:
    """Set :attr:`~xhs_nlp.document.Sentence.not_writing` on every body sentence of ``doc``
    (and the epigraph's, read alone) from :func:`classify_sequence`."""
    sents = doc.sentences
    for s, kind in zip(sents, classify_sequence([s.text for s in sents])):
        s.not_writing = kind
    if doc.epigraph is not None:
        for s in doc.epigraph.sentences:
            s.not_writing = classify_line(s.text)
