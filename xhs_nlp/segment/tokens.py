"""Tokens with offsets: jieba (plus the shipped domain dictionary) for runs of Chinese
characters, a rule-based tokenizer for everything else.

The domain dictionary (``data/domain_dict.txt``: platforms, industry and commerce terms
such as 小红书, 巨量引擎, 种草, 本地生活) is added once to a private jieba tokenizer: the
global ``jieba`` instance a user may have configured is left alone, and words jieba already
knows keep jieba's own frequencies.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from importlib import resources
from typing import TYPE_CHECKING, Any

from .wrapping import original_span, unwrap_zh

if TYPE_CHECKING:  # pragma: no cover
    import jieba

__all__ = ["tokenize_span", "tokenize", "get_jieba", "get_pos_tagger", "domain_terms"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: a run of Chinese characters; a line break inside it (a hard-wrapped text: 小红\n书) does not end it
_HAN_RUN = re.compile(rf"[{_HAN}]+(?:[ \t\u3000]*\r?\n[ \t\u3000]*[{_HAN}]+)*")
_OTHER = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>\"'“”]+[^\s<>\"'“”.,;:!?)\]])"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<abbr>(?:[A-Za-z]\.){2,})"
    r"|(?P<number>\d+(?:[.,:]\d+)*(?![^\W\d_]))"
    r"|(?P<word>[^\W_]+(?:[-'’][^\W_]+)*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>([^\w\s])\6*)",
    re.UNICODE,
)
_CLITIC = re.compile(r"(?i)(?:n['’]t|['’](?:s|re|ve|ll|d|m))$")

_lock = threading.Lock()
_jieba: Any = None


def domain_terms() -> list[tuple[str, int | None]]:
    """The shipped domain dictionary as ``(word, frequency or None)`` pairs."""
    out: list[tuple[str, int | None]] = []
    text = resources.files("xhs_nlp.segment").joinpath("data/domain_dict.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        out.append((parts[0], int(parts[1]) if len(parts) > 1 else None))
    return out


def get_jieba() -> jieba.Tokenizer:
    """The library's private jieba tokenizer, built once, with the domain dictionary added.

    Example:
        >>> tok = get_jieba()
        >>> "巨量引擎" in tok.lcut("字节跳动的巨量引擎")
        True
    """
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                logging.getLogger("jieba").setLevel(logging.WARNING)
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                for word, freq in domain_terms():
                    if tok.FREQ.get(word):  # jieba knows it: keep its frequency
                        continue
                    tok.add_word(word, freq)
                _jieba = tok
    return _jieba


_pos: Any = None


def get_pos_tagger() -> Any:
    """jieba's part-of-speech tagger over the library's private tokenizer (built once).

    Example:
        >>> [(w, t) for w, t in get_pos_tagger().cut("腾讯公司发布了财报")][1:3]
        [('公司', 'n'), ('发布', 'v')]
    """
    global _pos
    if _pos is None:
        tok = get_jieba()
        with _lock:
            if _pos is None:
                from jieba import posseg

                _pos = posseg.POSTokenizer(tok)
    return _pos


def _kind(tok: str, group: str) -> str:
    if group in ("url", "email", "number", "word"):
        return group
    if group == "abbr":
        return "word"
    return "punct" if unicodedata.category(tok[0]).startswith("P") else "symbol"


def _tokenize_other(text: str, start: int, end: int, out: list[tuple[int, int, str]]) -> None:
    for m in _OTHER.finditer(text, start, end):
        group = m.lastgroup or "other"
        if group == "space":
            continue
        a, b = m.span()
        if group == "other" and m.group(0)[0] in "\u3000\xa0":
            continue
        if group == "word":
            c = _CLITIC.search(text, a, b)
            if c and c.start() > a:
                out.append((a, c.start(), "word"))
                out.append((c.start(), b, "word"))
                continue
        out.append((a, b, _kind(m.group(0), group)))


def tokenize_span(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Tokenize ``text[start:end]``; returns ``(start, end, kind)`` offsets into ``text``.

    Example:
        >>> t = "Xiaohongshu's GMV rose 0.5% 小红书种草"
        >>> [t[a:b] for a, b, _ in tokenize_span(t)]
        ['Xiaohongshu', "'s", 'GMV', 'rose', '0.5', '%', '小红书', '种草']
    """
    end = len(text) if end is None else end
    out: list[tuple[int, int, str]] = []
    pos = start
    for m in _HAN_RUN.finditer(text, start, end):
        if m.start() > pos:
            _tokenize_other(text, pos, m.start(), out)
        base = m.start()
        run, where = unwrap_zh(m.group(0))  # jieba reads through a line break; offsets stay the text's
        for _word, a, b in get_jieba().tokenize(run):
            a, b = original_span(where, (a, b))
            out.append((base + a, base + b, "word"))
        pos = m.end()
    if pos < end:
        _tokenize_other(text, pos, end, out)
    return out


def tokenize(text: str) -> list[str]:
    """Token strings of ``text`` (convenience wrapper of :func:`tokenize_span`).

    Example:
        >>> tokenize("本地生活和电商")
        ['本地生活', '和', '电商']
    """
    return [text[a:b] for a, b, _ in tokenize_span(text)]
