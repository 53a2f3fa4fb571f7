"""Hard-wrapped text: a line break inside a Chinese sentence is no break in the reading.

A text wrapped at a fixed width (``pdftotext``, an e-mail, an editor) breaks Chinese
sentences anywhere (小红\\n书, 增长\\n45%). Chinese writes no spaces between words, so such
a break is read through: :func:`unwrap_zh` gives the text the models and the organisation
finder read, and where each of its characters stands in the original (offsets stay the
document's). English needs nothing: a line break there is a space to every reader.
"""

from __future__ import annotations

import bisect
import re

__all__ = ["unwrap_zh", "unwrap_span", "original_span"]

#: Chinese characters (compatibility ideographs too) and punctuation (full-width forms included)
_CJK = "\u3001-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
#: a line break beside a Chinese character (小红\n书, 增长\n45%), with the spaces around it; not one
#: beside a Latin letter (GMV\n突破, "the\n小红书 app"), which a reader may take for a space
_BREAK = r"[ \t\u3000]*\r?\n[ \t\u3000]*"
_WRAP_ZH = re.compile(rf"(?<=[{_CJK}]){_BREAK}(?=[^\sA-Za-z])|(?<=[^\sA-Za-z]){_BREAK}(?=[{_CJK}])")


def unwrap_zh(text: str) -> tuple[str, list[int] | None]:
    """``text`` without the line breaks (and the spaces around them) that stand beside a
    Chinese character or punctuation mark, with neither a space nor a Latin letter on the
    other side, and the index in ``text`` of each of its characters (``None`` when
    there was no such break: the text is returned as it is).

    Example:
        >>> unwrap_zh("小红\\n书的用户")
        ('小红书的用户', [0, 1, 3, 4, 5, 6])
        >>> unwrap_zh("Bureau of\\nLabor Statistics")
        ('Bureau of\\nLabor Statistics', None)
    """
    if "\n" not in text:
        return text, None
    cut = [m.span() for m in _WRAP_ZH.finditer(text)]
    if not cut:
        return text, None
    where: list[int] = []
    pos = 0
    for a, b in cut:
        where.extend(range(pos, a))
        pos = b
    where.extend(range(pos, len(text)))
    return "".join(text[i] for i in where), where


def unwrap_span(where: list[int] | None, span: tuple[int, int]) -> tuple[int, int]:
    """A span ``(a, b)`` of the original text as offsets into :func:`unwrap_zh`'s text
    (``where`` is its second value).

    Example:
        >>> text, where = unwrap_zh("据报道，小红\\n书的用户")
        >>> a, b = unwrap_span(where, (4, 8))
        >>> text[a:b]
        '小红书'
    """
    if where is None:
        return span
    return bisect.bisect_left(where, span[0]), bisect.bisect_left(where, span[1])


def original_span(where: list[int] | None, span: tuple[int, int]) -> tuple[int, int]:
    """A non-empty span of :func:`unwrap_zh`'s text as offsets into the original (the
    inverse of :func:`unwrap_span`; a span across a removed break covers it).

    Example:
        >>> text, where = unwrap_zh("据报道，小红\\n书的用户")
        >>> original_span(where, (4, 7))
        (4, 8)
    """
    if where is None:
        return span
    return where[span[0]], where[span[1] - 1] + 1
