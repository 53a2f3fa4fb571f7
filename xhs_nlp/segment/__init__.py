"""Segmentation: source → decoded text → forum chrome → structure → sentences (→ tokens).

The stages live in their own modules: :mod:`.decode` (encodings), :mod:`.html` (saved
pages), :mod:`.chrome` (Discuz! header/footer and metadata), :mod:`.structure` (epigraph,
headings, sections, paragraphs), :mod:`.sentences`, :mod:`.not_writing` (lines that are
not part of the writing: bylines, credits, widgets; kept and marked), :mod:`.tokens`
(jieba + rules) and :mod:`.language`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Literal, Union

from ..document import ChromeSpan, Document, Meta
from ..errors import DecodeError, EmptyDocumentError, InputError, NotTextError, SourceNotFoundError
from .chrome import find_chrome, resolve_post_time
from .decode import decode_bytes
from .html import declared_charset, discuz_posts, extract_article, html_to_text, is_discuz, looks_like_html, visible_text
from .not_writing import mark_not_writing
from .structure import build_structure

__all__ = ["segment", "segment_thread", "Source", "read_source", "check_unicode"]

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
                text = _mostly(data, hint)  # a stray byte in a script must not lose the page
                if text is not None:
                    meta.encoding, meta.encoding_confidence = hint, "declared, stray bytes replaced"
        if text is None:
            try:
                text, meta.encoding, meta.encoding_confidence = decode_bytes(data, encoding)
            except DecodeError:
                text = _mostly(data, "utf-8") if encoding is None and _looks_like_page(data) else None
                if text is None:
                    raise
                meta.encoding, meta.encoding_confidence = "utf-8", "stray bytes replaced"
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


def _looks_like_page(data: bytes) -> bool:
    return looks_like_html(data[:4096].decode("latin-1"))


def _mostly(data: bytes, encoding: str) -> str | None:
    """``data`` decoded with a few undecodable bytes replaced (at most one in a thousand),
    or ``None``: a page whose article is valid but whose scripts hold a stray byte."""
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return None
    return text if text.count("\ufffd") <= max(3, len(data) // 1000) else None


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
    html: Literal["article", "visible"] = "article",
) -> Document:
    """Segment a forum post or op-ed into a :class:`~xhs_nlp.document.Document`.

    Args:
        source: Text (``str``), raw ``bytes`` in any common encoding, or a path
            (``pathlib.Path``, or a ``str`` that is a single file name ending in
            ``.txt``/``.md``/``.html``).
        encoding: Force an encoding for bytes/paths instead of detecting it.
        format: ``"html"`` to extract a saved page (a ``str`` of HTML too), ``"text"``
            for plain text, ``"auto"`` to decide from the content.
        html: for a page that is not a forum thread: ``"article"`` (its article alone,
            through trafilatura; the page's title, author, date, site and URL into
            ``doc.meta``) or ``"visible"`` (every visible block, one a line).

    Returns:
        The document: metadata, epigraph, images, sections → paragraphs → sentences
        (tokens on access), and the forum chrome that was removed from the body.

    Raises:
        SourceNotFoundError: A path does not exist.
        NotTextError: The bytes are binary.
        DecodeError: The bytes are in no encoding that can be determined.
        EmptyDocumentError: Nothing but whitespace (or chrome) is left, or a page holds
            no article.

    Example:
        >>> from xhs_nlp import segment
        >>> doc = segment("Larissa 发表于 2 小时前 | 阅读模式\\nI. Trust\\nTrust is fragile. It erodes.")
        >>> doc.meta.author, doc.sections[0].number, doc.sections[0].title
        ('Larissa', 'I', 'Trust')
        >>> [s.text for s in doc.sentences]
        ['Trust is fragile.', 'It erodes.']
    """
    text, meta = read_source(source, encoding)
    return _segment_text(text, meta, format=format, html=html)


def _segment_text(text: str, meta: Meta, *, format: str = "auto", html: str = "article") -> Document:
    """:func:`segment` of text already read (``meta``: what reading it found)."""
    if "\x00" in text:
        raise NotTextError("not text: the document contains NUL characters")
    if format not in ("auto", "text", "html"):
        raise InputError(f"unknown format {format!r}: expected 'auto', 'text' or 'html'")
    if html not in ("article", "visible"):
        raise InputError(f"unknown html extraction {html!r}: expected 'article' or 'visible'")
    if format == "html" or (format == "auto" and looks_like_html(text)):
        meta.format = "html"
        if is_discuz(text):
            text = html_to_text(text)
        elif html == "visible":
            text = visible_text(text)
        else:
            article = extract_article(text)
            text = article.text
            _page_meta(meta, article.meta)
    if not text.strip():
        raise EmptyDocumentError("empty document: the source holds no text (only whitespace)")
    if not _has_visible(text):
        raise EmptyDocumentError("empty document: the source holds only invisible characters "
                                 "(whitespace, zero-width and control characters)")
    doc = Document(text, meta)
    chrome = find_chrome(text)
    doc.chrome = [ChromeSpan(doc, s, e, k) for s, e, k in sorted(chrome.lines)]  # type: ignore[arg-type]
    meta.author = chrome.author or meta.author
    meta.page_time = chrome.page_time or meta.page_time
    if chrome.posted_raw:
        meta.posted_at, meta.posted_relative = resolve_post_time(chrome.posted_raw, chrome.page_time)
    edit_notes = [(c.start, c.end) for c in doc.chrome if c.kind == "edit_note"]
    _build_without(doc, chrome.body_start, chrome.body_end, edit_notes)
    if not doc.sections and doc.epigraph is None:
        raise EmptyDocumentError("empty document: nothing but forum chrome was found")
    mark_not_writing(doc)
    return doc


def segment_thread(source: Source, *, encoding: str | None = None, posts: Literal["first", "all"] = "all"
                   ) -> list[Document]:
    """Segment a Discuz! thread page into one document per floor (``posts="all"``) or its
    first post alone (``"first"``, what :func:`segment` gives).

    Each floor's document holds the reply's own text (quotes of earlier floors are kept
    out of it, in ``meta.quotes``; signatures and forum buttons left out), its author and
    post time (``发表于`` absolute, or relative resolved against the page's footer time),
    ``meta.floor`` and ``meta.thread_id``. A page that is not a Discuz! thread gives one
    document, as :func:`segment` does.

    Raises:
        InputError: as :func:`segment`; a floor with no text of its own is left out (an
            empty reply), and a thread with no floor with text raises
            :class:`~xhs_nlp.errors.EmptyDocumentError`.

    Example:
        >>> page = ('<html><body><div id="post_7"><a class="xw1">A</a><em id="authorposton7">发表于 2025-1-2 10:00</em>'
        ...         '<td class="t_f" id="postmessage_7">Trust is fragile.</td></div><div id="post_8"><a class="xw1">B</a>'
        ...         '<em id="authorposton8">发表于 2025-1-2 11:00</em><td class="t_f" id="postmessage_8">'
        ...         '<div class="quote"><blockquote>Trust is fragile.</blockquote></div>It is not.</td></div></body></html>')
        >>> [(d.meta.floor, d.meta.author, d.sentences[0].text, d.meta.quotes) for d in segment_thread(page)]
        [(1, 'A', 'Trust is fragile.', []), (2, 'B', 'It is not.', ['Trust is fragile.'])]
    """
    if posts not in ("first", "all"):
        raise InputError(f"posts must be 'first' or 'all', got {posts!r}")
    text, meta = read_source(source, encoding)
    if not (looks_like_html(text) and is_discuz(text)):
        return [_segment_text(text, meta)]
    floors, page = discuz_posts(text)
    out: list[Document] = []
    for post in floors[: 1 if posts == "first" else None]:
        if not post.text.strip():
            continue
        lines = [f"{post.author or ''} 发表于 {post.time}".strip()] if (post.author or post.time) else []
        lines.append(post.text)
        if page.get("footer"):
            lines.append(page["footer"])
        floor_meta = Meta(encoding=meta.encoding, encoding_confidence=meta.encoding_confidence, format="html",
                          source=meta.source, floor=post.floor, thread_id=page.get("thread_id"), quotes=list(post.quotes))
        out.append(_segment_text("\n".join(lines), floor_meta, format="text"))
    if not out:
        raise EmptyDocumentError("the thread has no post with text")
    return out


def _page_meta(meta: Meta, page: dict) -> None:
    """A page's metadata into the fields the forum chrome fills (author, posted_at) and
    the page's own (title, published, site, url)."""
    from datetime import datetime

    meta.title, meta.author, meta.site, meta.url = page.get("title"), page.get("author"), page.get("site"), page.get("url")
    meta.published = page.get("published")
    if meta.published:
        try:
            meta.posted_at = datetime.fromisoformat(meta.published)
        except ValueError:
            meta.posted_at = None


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
