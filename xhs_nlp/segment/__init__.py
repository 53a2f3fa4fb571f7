"""Segmentation: source → decoded text → forum chrome → structure → sentences (→ tokens).

The stages live in their own modules: :mod:`.decode` (encodings), :mod:`.html` (saved
pages), :mod:`.chrome` (Discuz! header/footer and metadata), :mod:`.structure` (epigraph,
headings, sections, paragraphs), :mod:`.sentences`, :mod:`.tokens` (jieba + rules) and
:mod:`.language`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Literal, Union

from ..document import ChromeSpan, Document, Meta
from ..errors import EmptyDocumentError, InputError, NotTextError, SourceNotFoundError
from .chrome import find_chrome, resolve_post_time
from .decode import decode_bytes
from .html import declared_charset, html_to_text, looks_like_html
from .structure import build_structure

__all__ = ["segment", "Source", "read_source", "check_unicode"]

#: What :func:`segment` accepts: text, raw bytes, or a path.
Source = Union[str, bytes, os.PathLike]
_PATHLIKE_STR = re.compile(r"^[^\s<>\"|?*\n]+\.(?:txt|text|md|markdown|html?|xhtml)$", re.I)
MAX_BYTES = 200 * 1024 * 1024


def read_source(source: Source, encoding: str | None = None) -> tuple[str, Meta]:
    """Read a source into text plus the decoding metadata (no segmentation).

    A ``str`` is text, except a single token ending in a text-file extension (``.txt``,
    ``.md``, ``.html``), which is read as a path; pass a :class:`pathlib.Path` to be explicit.
    """
    meta = Meta()
    if isinstance(source, str) and _PATHLIKE_STR.match(source.strip()):
        source = Path(source.strip())
    if isinstance(source, os.PathLike):
        path = Path(source)
        if not path.exists():
            raise SourceNotFoundError(f"no such file: {str(path)!r}")
        if path.is_dir():
            raise InputError(f"{str(path)!r} is a folder, not a document")
        if not path.is_file():  # reading a FIFO would block, a device would never end
            raise InputError(f"{str(path)!r} is not a regular file (a FIFO, socket or device): not read")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{str(path)!r} is too large ({size} bytes, limit {MAX_BYTES})")
        meta.source = str(path)
        source = path.read_bytes()
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        hint = declared_charset(data) if encoding is None else None
        text = None
        if hint:
            try:
                text, meta.encoding, meta.encoding_confidence = data.decode(hint), hint, "declared"
            except (UnicodeDecodeError, LookupError):
                text = None
        if text is None:
            text, meta.encoding, meta.encoding_confidence = decode_bytes(data, encoding)
    elif isinstance(source, str):
        text, meta.encoding_confidence = source, "str"
        check_unicode(text)
    else:
        raise InputError(f"cannot segment a {type(source).__name__}: expected str, bytes or a path")
    return text, meta


def _has_visible(text: str) -> bool:
    """Whether ``text`` holds a character a reader sees (not whitespace, format or control)."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc") for c in text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_unicode(text: str) -> None:
    """Refuse a ``str`` that is not valid Unicode: a lone surrogate code point (from a
    JSON ``"\\ud800"`` escape, say) cannot be encoded, tokenised or written out.

    Raises:
        InputError: the first such code point and its position are named.
    """
    m = _SURROGATE.search(text)
    if m:
        raise InputError(f"the text holds a lone surrogate U+{ord(m.group()):04X} at character {m.start()}: "
                         "not valid Unicode (repair the source, e.g. decode it with errors='replace')")


def segment(
    source: Source,
    *,
    encoding: str | None = None,
    format: Literal["auto", "text", "html"] = "auto",
) -> Document:
    """Segment a forum post or op-ed into a :class:`~xhs_nlp.document.Document`.

    Args:
        source: Text (``str``), raw ``bytes`` in any common encoding, or a path
            (``pathlib.Path``, or a ``str`` that is a single file name ending in
            ``.txt``/``.md``/``.html``).
        encoding: Force an encoding for bytes/paths instead of detecting it.
        format: ``"html"`` to extract a saved page, ``"text"`` for plain text,
            ``"auto"`` to decide from the content.

    Returns:
        The document: metadata, epigraph, images, sections → paragraphs → sentences
        (tokens on access), and the forum chrome that was removed from the body.

    Raises:
        SourceNotFoundError: A path does not exist.
        NotTextError: The bytes are binary.
        DecodeError: The bytes are in no encoding that can be determined.
        EmptyDocumentError: Nothing but whitespace (or chrome) is left.

    Example:
        >>> from xhs_nlp import segment
        >>> doc = segment("Larissa 发表于 2 小时前 | 阅读模式\\nI. Trust\\nTrust is fragile. It erodes.")
        >>> doc.meta.author, doc.sections[0].number, doc.sections[0].title
        ('Larissa', 'I', 'Trust')
        >>> [s.text for s in doc.sentences]
        ['Trust is fragile.', 'It erodes.']
    """
    text, meta = read_source(source, encoding)
    if "\x00" in text:
        raise NotTextError("not text: the document contains NUL characters")
    if format == "html" or (format == "auto" and looks_like_html(text)):
        text = html_to_text(text)
        meta.format = "html"
    elif format not in ("auto", "text", "html"):
        raise InputError(f"unknown format {format!r}: expected 'auto', 'text' or 'html'")
    if not text.strip():
        raise EmptyDocumentError("empty document: the source holds no text (only whitespace)")
    if not _has_visible(text):
        raise EmptyDocumentError("empty document: the source holds only invisible characters "
                                 "(whitespace, zero-width and control characters)")
    doc = Document(text, meta)
    chrome = find_chrome(text)
    doc.chrome = [ChromeSpan(doc, s, e, k) for s, e, k in sorted(chrome.lines)]  # type: ignore[arg-type]
    meta.author = chrome.author
    meta.page_time = chrome.page_time
    if chrome.posted_raw:
        meta.posted_at, meta.posted_relative = resolve_post_time(chrome.posted_raw, chrome.page_time)
    edit_notes = [(c.start, c.end) for c in doc.chrome if c.kind == "edit_note"]
    _build_without(doc, chrome.body_start, chrome.body_end, edit_notes)
    if not doc.sections and doc.epigraph is None:
        raise EmptyDocumentError("empty document: nothing but forum chrome was found")
    return doc


def _build_without(doc: Document, start: int, end: int, holes: list[tuple[int, int]]) -> None:
    """Build the structure over ``[start, end)``, skipping chrome lines inside it."""
    if not holes:
        build_structure(doc, start, end)
        return
    # Edit notes sit on their own lines: blank them in a working copy of the text
    # (same length, so offsets hold), build, then restore the real text.
    real = doc.text
    chars = list(real)
    for a, b in holes:
        chars[a:b] = " " * (b - a)
    doc.text = "".join(chars)
    try:
        build_structure(doc, start, end)
    finally:
        doc.text = real
