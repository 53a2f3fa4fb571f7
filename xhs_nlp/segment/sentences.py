"""Sentence boundaries for English, Chinese and mixed text, as character offsets.

Chinese: a boundary after ``。！？`` and ``…``/``……`` (closing quotes and brackets stay with
the sentence); a semicolon ``；`` joins clauses of one sentence, as the Chinese corpora the
models learn from (ECOB-ZH, the op-ed reading corpus) cut them. English: a boundary after ``.``, ``!``, ``?`` or an ellipsis followed by
space and an upper-case letter, digit, opening quote or Chinese character, except after
abbreviations (``Mr.``, ``Dr.``, ``e.g.``, ``No.`` before a number) and initials (``J. R. R.
Tolkien``); a dotted abbreviation (``U.S.``, ``p.m.``) does not end a sentence before a body, an
office, a day or a time zone ("the U.S. Department of Justice", "5 p.m. Monday"). Decimals
(``0.164571``), file names and URLs have no space after the dot and never split; em-dashes
and colons never split.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_CLOSERS = "”’」』）)】》\"'\\]›»"
_TERMINATOR = re.compile(r"(?:[。！？!?]+|…+|\.{3,}|\.)[" + re.escape(_CLOSERS) + r"]*")
_CJK_STRONG = set("。！？")
# Abbreviations that are followed by a capitalised word inside a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "gen", "sen", "rep", "gov",
    "lt", "col", "capt", "sgt", "fig", "no", "nos", "vol", "pp", "ed", "eds", "approx", "cf",
    "e.g", "i.e", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip
#: capitalised words that go on after a dotted abbreviation (U.S., D.C., p.m.) inside a sentence: a
#: body, an office or a title ("the U.S. Department of Justice", "the D.C. Circuit"), a day or a
#: time zone ("5 p.m. Monday", "9 a.m. ET"); before any other capitalised word it ends one
_GOES_ON_AFTER_ABBREV = frozenset("""Department Departments Dept District Court Courts Circuit Supreme Code Constitution
Army Navy Air Marine Marines Coast Forces Force Military Armed Special Senate Senator Senators Sen House Congress
Congressman Congresswoman Congressional Capitol Treasury Attorney Attorneys Secretary President Presidents Vice
Ambassador Embassy Consulate Government Administration Agency Bureau Census Office Service Postal Customs Border
Immigration Citizenship Trade Commerce Justice Defense Defence Energy Labor Labour State Federal Central National
Nuclear Geological Food Fish Patent Copyright Marshals Marshal Steel Bank Banks Chamber Council Mayor Olympic
Representative Representatives Rep Intelligence Institute Institutes Cabinet Commission Commissioner Parliament Union
Securities Centers Environmental Secret Space Deputy Security General Prime Foreign Open GDP East West North South
Midwest Health Education Transportation Veterans Homeland Housing Agriculture Interior Fed
Monday Tuesday Wednesday Thursday Friday Saturday Sunday ET EST EDT CT CST CDT MT MST PT PST PDT GMT UTC BST CET CEST
JST KST HKT SGT AEST Eastern Pacific Mountain Jan January Feb February Mar March Apr April May Jun June Jul July Aug
August Sep Sept September Oct October Nov November Dec December""".split())
_WORD_AFTER = re.compile(r"[A-Za-z]+")
#: what makes "No." a number's abbreviation: a numeral, a code with digits, a Roman numeral
_NUMBER_AFTER_NO = re.compile(r"\d|[A-Z]{0,4}-?\d|[IVXLC]+\b")
_WORD_BEFORE = re.compile(r"([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)$")
_SPACE = " \t\r\n\u3000\xa0"


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


def _is_boundary(text: str, m: re.Match[str], end: int) -> bool:
    term = m.group(0).rstrip(_CLOSERS)
    pos = m.end()
    if pos >= end:
        return True
    nxt = text[pos]
    if any(c in _CJK_STRONG for c in term):
        return True
    if nxt not in _SPACE:
        # "它…然后" and "works.然后" split; "0.16", "a.jpg", "e.g." do not.
        return _is_han(nxt) and (term[0] in "…!?" or len(term) >= 3 or not _is_han(text[m.start() - 1 : m.start()] or "a"))
    j = pos
    while j < end and text[j] in _SPACE:
        j += 1
    if j >= end:
        return True
    following = text[j]
    if not (following.isupper() or following.isdigit() or following in "\"'“‘(「『[" or _is_han(following)):
        return False
    if term == ".":
        w = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start())
        if w:
            word = w.group(1)
            if word.lower() in ("no", "nos"):  # "No. 5", "Flight No. CA981", "No. IV"; but "He said no. Then"
                nxt = _NUMBER_AFTER_NO.match(text, j, end)
                return nxt is None
            if word.lower() in _ABBREV:
                return False
            if len(word) == 1 and word.isupper():  # an initial
                return False
            if "." in word:  # U.S., D.C., p.m.: a body, an office, a day or a time zone goes on
                nxt_word = _WORD_AFTER.match(text, j, end)
                return not (nxt_word and nxt_word.group() in _GOES_ON_AFTER_ABBREV)
    return True


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences.

    Returns:
        ``(start, end)`` offsets into ``text``, trimmed of surrounding white space.

    Example:
        >>> t = 'Dr. Li said "it works." Then it failed... 价格上涨了0.5%。真的吗？'
        >>> [t[s:e] for s, e in split_sentences(t)]
        ['Dr. Li said "it works."', 'Then it failed...', '价格上涨了0.5%。', '真的吗？']
    """
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    s = start
    for m in _TERMINATOR.finditer(text, start, end):
        if m.end() <= s:
            continue
        if _is_boundary(text, m, end):
            out.append((s, m.end()))
            s = m.end()
    out.append((s, end))
    trimmed = []
    for a, b in out:
        while a < b and text[a] in _SPACE:
            a += 1
        while b > a and text[b - 1] in _SPACE:
            b -= 1
        if a < b:
            trimmed.append((a, b))
    return trimmed
