"""Sentence boundaries for English, Chinese and mixed text, as character offsets.

Chinese: a boundary after ``。！？`` and ``…``/``……`` (closing quotes and brackets stay with
the sentence); a semicolon ``；`` joins clauses of one sentence, as the Chinese corpora the
models learn from (ECOB-ZH, the op-ed reading corpus) cut them. English: a boundary after ``.``, ``!``, ``?`` or an ellipsis followed by
space and an upper-case letter, digit, opening quote or Chinese character, except after
abbreviations (``Mr.``, ``Dr.``, ``e.g.``) and initials (``J. R. R. Tolkien``); after a dotted
abbreviation (``U.S.``, ``p.m.``) only before a word that opens sentences (``He``, ``The``, ``But``:
"the U.S. Department of Justice" is one sentence, "... in the U.S. He left." two). Decimals
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
#: words that open a new sentence after a dotted abbreviation ("... in the U.S. He left"); any
#: other capitalised word goes on with it ("the U.S. Department of Justice", "5 p.m. Monday")
_STARTERS = frozenset("""I You He She It We They This That These Those There Here The A An But And Or So Yet Then Now
In On At For If When While As After Before Since Although Though However Meanwhile Still Its His Her Their Our My
Your What Who Why How Where Which No Not Yes Many Some Most All Both Each Every Such Other Today Yesterday Tomorrow
Instead Indeed Moreover Also Even Only Just Last Next Once Under Over By With Without From To Of""".split())
_WORD_AFTER = re.compile(r"[A-Za-z]+")
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
            if word.lower() in ("no", "nos"):  # "No. 5", but "He said no. Then ..."
                return not following.isdigit()
            if word.lower() in _ABBREV:
                return False
            if len(word) == 1 and word.isupper():  # an initial
                return False
            if "." in word and following.isascii() and following.isalpha():  # U.S., p.m.: a name or a time goes on
                nxt_word = _WORD_AFTER.match(text, j, end)
                return bool(nxt_word) and nxt_word.group() in _STARTERS
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
