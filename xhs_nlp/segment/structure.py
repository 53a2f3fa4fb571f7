"""Body structure: units (lines/blocks) → epigraph, images, headings, sections, paragraphs.

Headings recognised: Roman ``I.``–``XX.``, Chinese ``一、``, ``（一）``, ``第一部分``/``第一章``,
Arabic ``1.``/``1、``/``1)``, and Markdown ``#``. The most prominent heading level present
starts sections; lower-level headings are kept as the section's ``subheadings``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Document, Epigraph, Heading, Paragraph, Section, Sentence, Span
from .language import detect_lang
from .not_writing import classify_line
from .sentences import split_sentences

__all__ = ["build_structure", "parse_heading"]

_TERMINAL_END = tuple(".。!！?？…\"”’」』;；:：")
_SENTENCE_END = tuple(".。")
#: how a line ends that goes on in the next one: a comma, a hyphen or dash, an article, a preposition
#: or a conjunction ("the U.S. Department of" / "Justice")
_OPEN_END = re.compile(r"(?:[,(\[-]|—|\b(?:of|the|a|an|and|or|but|nor|to|in|on|at|by|for|from|with|as|that"
                       r"|than|into|its|their|his|her|our))$")
#: a line that opens a sentence: an open end before it does not carry over ("I love that" / "You ...")
_OPENS_SENTENCE = re.compile(r"(?:I|You|He|She|It|We|They|This|That|These|Those|There|Here|The|A|An|But|And|Or|So|Yet"
                             r"|Then|Now|If|When|While|As|After|Before|Since|Although|However|What|Who|Why|How|Where"
                             r"|Which|My|Your|His|Her|Our|Their|Its|Let|Is|Are|Was|Were|Do|Does|Did|Can|Will)\b")
#: a line that begins with a lower-case word ("would recover", not "iPhone sales")
_LOWER_WORD = re.compile(r"[a-z]+\b")
#: a list item or a table row (columns apart by spaces; not two spaces after a sentence's end):
#: never a wrapped line of prose
_NOT_PROSE = re.compile(r"^(?:[-*•·◦▪–—+>]\s|\d{1,3}[.)、]\s?|[（(]\d{1,3}[)）])|\t|[^\s.!?:] {2,}\S|\|")
#: punctuation inside a Chinese sentence
_ZH_PUNCT = re.compile("[，、；：。！？]")
_IMAGE = re.compile(r"^(?:!\[[^\]]*\]\(\S+\)|\[(?:图片|圖片|image)[^\]]*\]|[^\s/\\]+\.(?:jpe?g|png|gif|webp|bmp|svg))$", re.I)
_ROMAN = re.compile(r"^(?P<num>[IVXLC]{1,7})[.．]\s+(?P<title>\S.*)$")
_ROMAN_VALID = re.compile(r"^(?=[IVXLC])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ZH_NUM = "一二三四五六七八九十百零〇两"
_PART = re.compile(rf"^第(?P<num>[{_ZH_NUM}\d]+)(?P<unit>部分|章|节|節|篇|部)\s*[:：、.．]?\s*(?P<title>.*)$")
_ZH = re.compile(rf"^(?P<num>[{_ZH_NUM}]+)[、．.]\s*(?P<title>\S.*)$")
_ZH_PAREN = re.compile(rf"^[（(](?P<num>[{_ZH_NUM}]+)[）)]\s*(?P<title>\S.*)$")
_ARABIC = re.compile(r"^(?P<num>\d{1,2})(?:[.．、]|\s*[)）])\s*(?P<title>\S.*)$")
_MARKDOWN = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>\S.*?)\s*#*$")
_INNER_STOP = re.compile(r"[.。!！?？][\s\"”’]*\S")
_OPEN_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "'": "'", "‘": "’"}
_QUOTE_CHARS = "\"'“”‘’「」『』"
_ATTRIBUTION = re.compile(r"^(?:——|—|--|－－)\s*\S")
_MAX_HEADING = 200


@dataclass
class _HeadingMatch:
    number: str | None
    title_start: int  # relative to the unit
    title_end: int
    level: int
    style: str


def parse_heading(line: str) -> _HeadingMatch | None:
    """Recognise a numbered or Markdown heading line.

    Example:
        >>> h = parse_heading("（二）组织滞后")
        >>> h.number, h.level, h.style
        ('二', 2, 'zh_paren')
        >>> parse_heading("1. We must act now.") is None
        True
    """
    if "\n" in line or len(line) > _MAX_HEADING or not line.strip():
        return None
    m = _MARKDOWN.match(line)
    if m:
        return _HeadingMatch(None, m.start("title"), m.end("title"), len(m["hashes"]), "markdown")
    for rx, level, style in (
        (_ROMAN, 1, "roman"),
        (_PART, 1, "zh_part"),
        (_ZH, 1, "zh"),
        (_ZH_PAREN, 2, "zh_paren"),
        (_ARABIC, 2, "arabic"),
    ):
        m = rx.match(line)
        if not m:
            continue
        title = m["title"].rstrip()
        if style == "roman" and not _ROMAN_VALID.match(m["num"]):
            continue
        if style in ("roman", "arabic") and title and not (title[0].isupper() or not title[0].isascii()):
            continue
        if title.endswith(_SENTENCE_END) or _INNER_STOP.search(title[:-1] if title else ""):
            continue
        if style != "zh_part" and not title:
            continue
        t_start = m.start("title")
        return _HeadingMatch(m["num"], t_start, t_start + len(title), level, style)
    return None


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraph-sized units: blank-line blocks, split where lines end a paragraph.

    In a block of one paragraph per line, a line ends its paragraph when it ends like a
    sentence or is short (a heading, a one-line paragraph). In a hard-wrapped block (an
    editor's or ``pdftotext``'s fixed width: :func:`_wrap_width`) only a line visibly shorter
    than the width does (a block of two lines: at the width of the text's other wrapped
    blocks, if its first line is that long), and there an English line that ends open (a
    comma, a hyphen, "of", "the", "and", …) goes on in the next line unless that one opens a
    sentence ("You", "The", …), as does a line that begins with a lower-case word after one
    that did not end like a sentence. A forum post or a note of short lines ("ok so i bought
    this phone", "honestly its pretty good") is not taken for wrapped text: one line, one
    paragraph.
    """
    units: list[tuple[int, int]] = []
    blocks = _blocks(text, start, end)
    widths = [_wrap_width([text[a:b] for a, b in block]) for block in blocks]
    found = sorted(w for w in widths if w)
    common = found[len(found) // 2] if found else None  # the text's width, for its blocks of two lines
    for block, width in zip(blocks, widths):
        if width is None and common and 1 < len(block) < 3 and all(
                0.75 * common <= b - a <= common for a, b in block[:-1]):
            width = common
        cur: tuple[int, int] | None = None
        closed, terminal, open_end = True, True, False  # how the line before ended
        for a, b in block:
            line = text[a:b]
            # a line that is not part of the writing (a byline, a widget) is a paragraph of its own
            standalone = bool(_IMAGE.match(line) or parse_heading(line) or classify_line(line))
            joins = cur is not None and not standalone and (
                not closed
                or bool(width) and open_end and not _OPENS_SENTENCE.match(line)
                or bool(width) and not terminal and bool(_LOWER_WORD.match(line)))
            if joins:
                cur = (cur[0], b)
            else:
                if cur:
                    units.append(cur)
                cur = (a, b)
            terminal = standalone or line.endswith(_TERMINAL_END)
            open_end = not standalone and bool(_OPEN_END.search(line))
            if standalone:
                closed = True
            elif width:
                closed = len(line) < 0.8 * width
            else:
                closed = terminal or len(line) < 60
        if cur:
            units.append(cur)
    return units


def _blocks(text: str, start: int, end: int) -> list[list[tuple[int, int]]]:
    """The non-blank lines of ``text[start:end]`` (stripped, as offsets), in blank-line blocks."""
    blocks: list[list[tuple[int, int]]] = [[]]
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        a, b = pos, line_end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a == b:
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append((a, b))
        pos = line_end + 1
    return [b for b in blocks if b]


def _wrap_width(lines: list[str]) -> int | None:
    """The width a block was hard-wrapped at, or None for one paragraph (or sentence) per line.

    Hard-wrapped: at least three lines of prose (not list items or table rows), most of them
    (60%) within a quarter of the longest, and most of those (half) breaking inside a
    sentence; the longest at least 35 characters (Chinese: 20, three in four of the lines
    broken inside a sentence within a tenth of it, and half the long lines with punctuation
    inside: a note of one thought per line is not wrapped text).

    Example:
        >>> import textwrap
        >>> _wrap_width(textwrap.wrap("Trust is fragile and hard to win back once lost. " * 6, 60)) > 50
        True
        >>> _wrap_width(["One sentence per line.", "Another one, a good deal longer than the first.", "A third."])
        >>> _wrap_width(["- Fast delivery and good packaging", "- Friendly customer service team", "- Fair prices"])
    """
    if len(lines) < 3 or sum(bool(_NOT_PROSE.search(x)) for x in lines) > 0.2 * len(lines):
        return None
    width = max(len(x) for x in lines)
    long = [x for x in lines if len(x) >= 0.75 * width]
    chinese = sum(_is_han(c) for x in lines for c in x) > 0.5 * sum(len(x) for x in lines)
    if not (20 if chinese else 35) <= width <= 200 or len(long) < 0.6 * len(lines):
        return None
    open_lines = [x for x in lines[:-1] if not x.endswith(_TERMINAL_END)]
    if chinese and sum(len(x) >= 0.9 * width for x in open_lines) < 0.75 * len(open_lines):
        return None  # a fixed width fills Chinese lines broken inside a sentence; a note's lines vary
    if chinese and sum(bool(_ZH_PUNCT.search(x[:-1])) for x in long) < 0.5 * len(long):
        return None
    inside = sum(not x.endswith((*_TERMINAL_END, ",", "，")) for x in long)  # a poem's lines end in commas
    return width if inside >= 0.5 * len(long) else None


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff"


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().strip(_QUOTE_CHARS).strip()).lower()


def _is_quotation(unit: str) -> bool:
    first = unit[0]
    if first not in _OPEN_QUOTES:
        return False
    body = unit.split("\n")[0].rstrip()
    close = _OPEN_QUOTES[first]
    return body.endswith(close) or bool(re.search(re.escape(close) + r"\s*(?:——|—|--)\s*\S+$", body))


def _sentences(doc: Document, a: int, b: int) -> list[Sentence]:
    return [Sentence(doc, s, e, detect_lang(doc.text[s:e])) for s, e in split_sentences(doc.text, a, b)]


def build_structure(doc: Document, start: int, end: int) -> None:
    """Fill ``doc.epigraph``, ``doc.images`` and ``doc.sections`` from ``doc.text[start:end]``."""
    text = doc.text
    units = _units(text, start, end)
    kinds: list[tuple[str, int, int, _HeadingMatch | None]] = []
    for a, b in units:
        unit = text[a:b]
        if _IMAGE.match(unit):
            kinds.append(("image", a, b, None))
            continue
        h = parse_heading(unit)
        kinds.append(("heading", a, b, h) if h else ("para", a, b, None))

    # Epigraph: a quotation as the first paragraph, followed by more body text.
    paras = [i for i, k in enumerate(kinds) if k[0] == "para"]
    if len(paras) >= 2 and all(k[0] != "heading" for k in kinds[: paras[0]]):
        i = paras[0]
        _, a, b, _ = kinds[i]
        if _is_quotation(text[a:b]):
            j = i
            nxt = kinds[i + 1] if i + 1 < len(kinds) else None
            if nxt and nxt[0] == "para" and _ATTRIBUTION.match(text[nxt[1] : nxt[2]]):
                j, b = i + 1, nxt[2]
            doc.epigraph = Epigraph(doc, a, b, _sentences(doc, a, b))
            key = _norm(text[a : kinds[i][2]])
            for r in range(j + 1, len(kinds)):
                kind, ra, rb, _ = kinds[r]
                if kind == "para" and _norm(text[ra:rb]) == key:
                    doc.epigraph.repeat = Span(doc, ra, rb)
                    kinds[r] = ("repeat", ra, rb, None)
                    break
            kinds = [("epigraph", *k[1:]) if n in range(i, j + 1) else k for n, k in enumerate(kinds)]

    levels = [k[3].level for k in kinds if k[0] == "heading" and k[3]]
    top = min(levels) if levels else None
    sections: list[Section] = []
    cur_heading: Heading | None = None
    cur_paras: list[Paragraph] = []
    cur_subs: list[Heading] = []
    cur_start: int | None = None
    cur_end = 0

    def flush() -> None:
        if cur_heading is None and not cur_paras and not cur_subs:
            return
        s = cur_heading.start if cur_heading else (cur_start if cur_start is not None else cur_end)
        sections.append(
            Section(doc, s, cur_end, heading=cur_heading, paragraphs=cur_paras, subheadings=cur_subs, index=len(sections))
        )

    for kind, a, b, h in kinds:
        if kind == "image":
            doc.images.append(Span(doc, a, b))
        elif kind in ("epigraph",):
            continue
        elif kind == "heading" and h is not None:
            heading = Heading(
                doc, a, b, number=h.number, title_start=a + h.title_start, title_end=a + h.title_end,
                level=h.level, style=h.style,
            )  # fmt: skip
            if h.level == top:
                flush()
                cur_heading, cur_paras, cur_subs, cur_start = heading, [], [], a
            else:
                cur_subs.append(heading)
                cur_start = a if cur_start is None else cur_start
        elif kind == "para":
            cur_paras.append(Paragraph(doc, a, b, _sentences(doc, a, b)))
            cur_start = a if cur_start is None else cur_start
        if kind != "epigraph" and (cur_heading is not None or cur_start is not None):
            cur_end = max(cur_end, b)
    flush()
    doc.sections = sections
