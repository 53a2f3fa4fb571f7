"""Bytes to text: BOMs, strict UTF-8, then scored GB18030 / Big5 / cp1252 candidates.

Nothing is guessed silently: the encoding used, and how it was chosen, are returned
(and recorded in ``Document.meta``); bytes no candidate explains well raise
:class:`~xhs_nlp.errors.DecodeError`, and binary data raises
:class:`~xhs_nlp.errors.NotTextError`.
"""

from __future__ import annotations

import codecs
import unicodedata

from ..errors import DecodeError, NotTextError

__all__ = ["decode_bytes"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes that never occur in text files (TAB, LF, FF, CR and ESC excepted).
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_MIN_SCORE = 0.6


def _is_common_han(ch: str) -> bool:
    """True for characters in GB2312 level 1 or Big5 level 1 (the ~3,700/5,400 most used)."""
    try:
        b = ch.encode("gb2312")
        if len(b) == 2 and 0xB0 <= b[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b = ch.encode("big5")
        return len(b) == 2 and 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E
    except UnicodeEncodeError:
        return False


_CJK_PUNCT = set("，。、；：？！“”‘’（）《》【】「」『』…—·～％")
_LATIN1_TEXT = set("“”‘’–—…•€£©®°±·×÷") | {chr(c) for c in range(0xC0, 0x100)}


def _score(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters that are plausible for this encoding."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 1.0
    if encoding == "cp1252":
        good = sum(1 for c in non_ascii if c in _LATIN1_TEXT)
    else:
        good = sum(1 for c in non_ascii if c in _CJK_PUNCT or _is_common_han(c))
    bad = sum(1 for c in non_ascii if unicodedata.category(c) in ("Co", "Cn", "Cc"))
    return (good - bad) / len(non_ascii)


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str, str]:
    """Decode ``data``, detecting its encoding.

    Args:
        data: The raw bytes.
        encoding: Force this encoding (errors are then raised, not repaired).

    Returns:
        ``(text, encoding, how)`` where ``how`` is ``"given"``, ``"bom"``, ``"valid"``
        (strict UTF-8 or pure ASCII) or ``"scored"`` (best of GB18030, Big5, cp1252).

    Raises:
        NotTextError: The bytes are binary.
        DecodeError: No encoding explains the bytes reliably.

    Example:
        >>> decode_bytes("小红书".encode("gb18030"))
        ('小红书', 'gb18030', 'scored')
    """
    if encoding is not None:
        try:
            return data.decode(encoding), codecs.lookup(encoding).name, "given"
        except (UnicodeDecodeError, LookupError) as err:
            raise DecodeError(f"cannot decode the bytes as {encoding!r}: {err}") from err
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as err:
                raise DecodeError(f"the bytes start with a {name} byte-order mark but are not {name}: {err}") from err
            return text, name, "bom"
    head = data[:65536]
    if head.count(b"\x00") or sum(head.count(bytes([b])) for b in _BINARY_BYTES) > max(2, len(head) // 1000):
        raise NotTextError(
            "not text: the bytes contain NUL or other control bytes (a binary file, or UTF-16 without a BOM)"
        )
    try:
        return data.decode("utf-8"), "utf-8", "valid"
    except UnicodeDecodeError as err:
        utf8_error = err
    candidates: list[tuple[float, str, str]] = []
    for name in ("gb18030", "big5", "cp1252"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        candidates.append((_score(text, name), name, text))
    if not candidates:
        raise DecodeError(
            f"undecodable bytes: not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}), "
            "nor GB18030, Big5 or cp1252"
        )
    candidates.sort(key=lambda c: -c[0])
    best_score, best_name, best_text = candidates[0]
    if best_score < _MIN_SCORE:
        tried = ", ".join(f"{n} {s:.2f}" for s, n, _ in candidates)
        raise DecodeError(
            f"undecodable bytes: not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and no "
            f"candidate encoding is plausible (share of plausible characters: {tried}); "
            "pass encoding=... if you know it"
        )
    return best_text, best_name, "scored"
