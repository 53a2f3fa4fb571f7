"""Transparent, bilingual textual cues, each hit pointing at its characters.

A cue is a named list of English and Chinese patterns (one script's patterns simply
never match the other's text, so every cue runs on every sentence). Cues serve two
readers: the claim classifier uses their counts as features next to the encoder
(``numbers``, ``attribution``, ``hedge`` … carry much of the difference between a
checkable statement and an opinion), and researchers read the hits as evidence.

Example:
    >>> [(h.cue, h.text) for h in find_cues("Revenue rose 12% in 2024, analysts said.")
    ...  if h.cue in ("percent", "date", "attribution")]
    [('percent', '12%'), ('date', '2024'), ('attribution', 'said')]
    >>> sorted({h.cue for h in find_cues("我们必须承认，小红书的护城河正在变浅吗？")})
    ['first_person', 'metaphor', 'obligation', 'organisation', 'question']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

__all__ = ["CueHit", "CUES", "find_cues", "cue_counts", "organisations", "CLAIM_CUES"]


@dataclass(frozen=True)
class CueHit:
    """One cue found in a text: the cue's name and the matched span ``text[start:end]``."""

    cue: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"cue": self.cue, "start": self.start, "end": self.end, "text": self.text}


_NUM = r"\d+(?:[.,]\d+)*"
_ZH_NUM = r"[零〇一二两三四五六七八九十百千万亿]+"
_SCALE_EN = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn|m|k)\b)?"
_MONTHS = (r"January|February|March|April|June|July|August|September|October|November|December"
           r"|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.")

#: cue name → (description, patterns). Case-insensitive unless a pattern starts with (?-i).
CUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "percent": ("percentages and percentage points", (
        _NUM + r"\s?(?:%|％|percent\b|per cent\b|percentage points?\b|pp\b)",
        r"百分之" + _ZH_NUM + r"(?:点" + _ZH_NUM + r")?",
        r"(?<![\d一二三四五六七八九十])[一二三四五六七八九]成(?=[^\u4e00-\u9fff]|[的以左上])",
    )),
    "money": ("sums of money", (
        r"(?:US\$|HK\$|RMB\s?|CNY\s?|USD\s?|[$¥￥€£])\s?" + _NUM + _SCALE_EN,
        _NUM + _SCALE_EN + r"\s(?:US\s)?(?:yuan|dollars?|euros?|pounds|RMB|USD|CNY)\b",
        r"(?:" + _NUM + r"|" + _ZH_NUM + r")\s?[万亿]?\s?(?:多)?(?:元|美元|人民币|港元|港币|欧元|英镑|块钱)",
    )),
    "date": ("years, months, dates, quarters, times of day", (
        # whole dates first, so that their day, month and year are not numbers of their own
        r"(?<![\d.])(?:1[89]|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?!\d)"
        r"(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?!\d))?",
        r"(?<![\d.])(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:1[89]|20)\d{2}(?!\d|\.\d)",
        r"(?:1[89]|20)\d{2}\s?年\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?[日号])?|(?:1[89]|20)\d{2}\s年",
        r"\b\d{1,2}(?:st|nd|rd|th)?\s(?:of\s)?(?:" + _MONTHS + r"|(?-i:May))(?:,?\s(?:1[89]|20)\d{2})?\b",
        r"\b(?-i:May)\s(?:\d{1,2}(?:st|nd|rd|th)?(?:,?\s(?:1[89]|20)\d{2})?|(?:1[89]|20)\d{2})\b",
        r"(?<![\d:.])(?:(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\s?[ap]\.?m\b\.?|(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)"
        r"(?![\d:])",
        r"\d{1,2}\s月\s?\d{1,2}\s?[日号]",
        r"(?:\d{2,4}|[一二三四五六七八九十〇零]{2,4})年(?:\d{1,2}月)?(?:\d{1,2}[日号])?",
        r"\b(?:" + _MONTHS + r")(?:\s\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s(?:1[89]|20)\d{2})?\b",
        r"(?<![\d.,])(?:1[89]|20)\d{2}(?!\d|[.,]\d|\s?(?:%|percent|yuan|dollars))",
        r"\b(?:Q[1-4]|H[12]|first|second|third|fourth)\s(?:quarter|half)\b|\bQ[1-4]\b",
        r"\d{1,2}月(?:\d{1,2}[日号])?|[一二三四五六七八九十]{1,3}月(?:份)?",
        r"(?:去年|今年|明年|前年|上半年|下半年|第[一二三四]季度|[一二三四]季度|Q[1-4])",
        r"\b(?:last|this|next)\s(?:year|month|quarter|week)\b|\byesterday\b",
    )),
    "number": ("other numbers and counts", (
        r"(?<![\w.])" + _NUM + r"(?:\s(?:hundred|thousand|million|billion|trillion)\b)?(?![\w%％])",
        r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
        r"|hundred|thousand|million|billion|dozens?|double-digit)\b",
        r"(?:" + _NUM + r"|" + _ZH_NUM + r")\s?(?:多)?(?:个|家|次|名|人|位|倍|年|天|季度|款|条|项|亿|万)",
    )),
    "organisation": ("named organisations (list + name patterns)", ()),  # see organisations()
    "quotation": ("quoted words", (
        r"\"[^\"\n]{2,}\"|“[^”\n]{2,}”|‘[^’\n]{4,}’|「[^」\n]{2,}」|『[^』\n]{2,}』|«[^»\n]{2,}»|„[^“\n]{2,}“",
    )),
    "attribution": ("attributed speech and sources", (
        r"\b(?:said|says|say|told|tells|according to|reported(?:ly)?|announced|stated|claimed|argued"
        r"|wrote|noted|explained|added|confirmed|disclosed|revealed|put it|quoted)\b",
        r"表示|指出|称|透露|宣布|报道|据(?:悉|了解|报道|统计|介绍)?|坦言|直言|回应|披露|介绍说|说道",
    )),
    "authority": ("research, surveys, data and experts cited", (
        r"\b(?:research(?:ers)?|stud(?:y|ies)|survey(?:s|ed)?|report(?:s)?|data|experts?|analysts?|scientists?"
        r"|economists?|professors?|scholars?|statistics|figures)\b",
        r"研究|调查|调研|报告|数据|专家|分析师|学者|教授|统计|显示|表明",
    )),
    "first_person": ("the author speaking (I, we)", (
        r"(?-i:\bI\b)|\b(?:me|my|mine|we|us|our|ours|myself|ourselves)\b",
        r"我们|咱们|我|笔者|本人",
    )),
    "second_person": ("the reader addressed (you)", (r"\b(?:you|your|yours)\b", r"你们|你|您")),
    "hedge": ("hedges: may, perhaps, likely", (
        r"\b(?:may|might|could|perhaps|possibly|likely|unlikely|probably|seems?|seemingly|appears?"
        r"|suggests?|somewhat|relatively|arguably|apparently|presumably|maybe|tends? to|would)\b",
        r"可能|也许|或许|似乎|大概|恐怕|相对|或将|未必|不一定|看起来|某种程度",
    )),
    "booster": ("boosters: clearly, always, never", (
        r"\b(?:certainly|clearly|obviously|undoubtedly|definitely|truly|indeed|always|never|precisely"
        r"|surely|in fact|of course|inevitabl[ey]|destined|essentially|completely|absolutely|only)\b",
        r"显然|无疑|必然|一定|确实|的确|绝对|从来|始终|注定|毫无疑问|根本|彻底|只有|才能|恰恰",
    )),
    "obligation": ("obligation and prescription: must, should", (
        r"\b(?:must|should|need(?:s)? to|have to|has to|ought to|it is time|requires?|let's|let us)\b",
        r"必须|应该|应当|需要|务必|要想|不得不|亟需|亟待|让我们",
    )),
    "comparative": ("comparatives: more, less, than", (
        r"\b(?:more|less|fewer|better|worse|higher|lower|greater|smaller|larger|faster|slower|than)\b",
        r"更加|更|比|较|越来越|不如|高于|低于|超过",
    )),
    "superlative": ("superlatives: most, best, first", (
        r"\b(?:most|least|best|worst|highest|lowest|largest|biggest|greatest|smallest|fastest|top|leading)\b",
        r"最|之最|第一|首位|顶级|头部",
    )),
    "question": ("question marks", (r"[?？]",)),
    "exclamation": ("exclamation marks", (r"[!！]",)),
    "contrast": ("contrast and antithesis: not X but Y", (
        r"\bnot\b[^.;:!?]{1,60}?\bbut\b|\brather than\b|\binstead of\b|\binstead\b|\bhowever\b|\byet\b|\bwhile\b",
        r"不是[^。；！？]{1,30}?而是|而非|而不是|却|然而|但是|但|反而",
    )),
    "metaphor": ("stock metaphors and idioms of the sector", (
        r"\b(?:deep[- ]water zone|moats?|survive the winter|winter is coming|double-edged sword|tip of the iceberg"
        r"|red ocean|blue ocean|flywheel|second (?:growth )?curve|involution|lying flat|ceiling|tailwind|headwind"
        r"|golden goose|mirror of the times|at a crossroads|turning point|dead end|closed loop|soil|genes?)\b",
        r"深水区|护城河|过冬|寒冬|双刃剑|冰山一角|红海|蓝海|飞轮|第二曲线|内卷|躺平|天花板|风口|割韭菜|镜子|十字路口"
        r"|转折点|死胡同|闭环|土壤|基因|下半场|上半场|分水岭",
    )),
    "historical_analogy": ("history and analogy", (
        r"\b(?:histor(?:y|ical|ically)|back then|in the early years|just as|as in the|repeats? itself|once again"
        r"|in the past|decades? ago|years ago|reminiscent)\b",
        r"历史|当年|昔日|重蹈覆辙|前车之鉴|如同|正如|一如|曾经|早年",
    )),
}

#: the cues the claim classifier reads (all of them, in this order)
CLAIM_CUES: tuple[str, ...] = tuple(CUES)

def organisations(text: str) -> list[CueHit]:
    """Organisations named in ``text``: the mentions of
    :class:`~xhs_nlp.segment.organisations.OrganisationFinder` (listed names and aliases,
    ``data/organisations.txt``, and names built like organisations, ``Harvard Business
    School``, ``浙江大学研究院``).

    Example:
        >>> [h.text for h in organisations("Tencent Advertising grew; 字节跳动也在调整。")]
        ['Tencent Advertising', '字节跳动']
    """
    from .segment.organisations import default_finder

    return [CueHit("organisation", m.start, m.end, m.text) for m in default_finder().find(text)]


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    out = {}
    for name, (_, pats) in CUES.items():
        if pats:
            out[name] = re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
    return out


#: quantity cues, most specific first: a span taken by one is not counted again by the next
_QUANTITY_ORDER = ("money", "percent", "date", "number")


def _drop_nested(hits: list[CueHit]) -> list[CueHit]:
    out: list[CueHit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def find_cues(text: str, cues: Sequence[str] | None = None) -> list[CueHit]:
    """Every cue hit in ``text``, sorted by position.

    Quantities do not double count: a span found as ``money`` is not also a
    ``number``, a ``percent`` not also a ``date``.

    Args:
        text: one sentence (or any text).
        cues: restrict to these cue names (default: all of :data:`CUES`).

    Raises:
        ValueError: an unknown cue name.
    """
    names = list(CUES) if cues is None else list(cues)
    unknown = [c for c in names if c not in CUES]
    if unknown:
        raise ValueError(f"unknown cue(s) {unknown}; known: {', '.join(CUES)}")
    pats = _compiled()
    hits: list[CueHit] = []
    taken: list[tuple[int, int]] = []
    for name in _QUANTITY_ORDER:
        for m in pats[name].finditer(text):
            if m.end() > m.start() and not any(a < m.end() and m.start() < b for a, b in taken):
                taken.append((m.start(), m.end()))
                if name in names:
                    hits.append(CueHit(name, m.start(), m.end(), m.group()))
    for name in names:
        if name in _QUANTITY_ORDER:
            continue
        if name == "organisation":
            hits += organisations(text)
            continue
        hits += [CueHit(name, m.start(), m.end(), m.group()) for m in pats[name].finditer(text) if m.end() > m.start()]
    return sorted(hits, key=lambda h: (h.start, h.end, h.cue))


def cue_counts(texts: Sequence[str], cues: Sequence[str] = CLAIM_CUES) -> np.ndarray:
    """``(len(texts), len(cues) + 1)`` float array: ``log1p`` of each cue's hit count,
    then ``log1p`` of the text's length in characters (the classifier's cue features)."""
    index = {c: j for j, c in enumerate(cues)}
    out = np.zeros((len(texts), len(cues) + 1), dtype=np.float32)
    for i, t in enumerate(texts):
        for h in find_cues(t, cues):
            out[i, index[h.cue]] += 1
        out[i, -1] = len(t)
    return np.log1p(out)
