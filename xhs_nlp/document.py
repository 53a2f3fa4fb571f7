"""The document model: one :class:`Document` owns the text, everything else is a view.

Every span (section, heading, paragraph, sentence, token, epigraph, image reference,
forum chrome) stores ``start``/``end`` character offsets into ``Document.text`` and reads
its ``text`` from there, so ``doc.text[span.start:span.end] == span.text`` always holds.

Example:
    >>> from xhs_nlp import segment
    >>> doc = segment("一、背景\\n小红书的商业化进入深水区。它还能走多远？")
    >>> sec = doc.sections[0]
    >>> sec.number, sec.title
    ('一', '背景')
    >>> [s.text for s in doc.sentences]
    ['小红书的商业化进入深水区。', '它还能走多远？']
    >>> all(doc.text[s.start:s.end] == s.text for s in doc.sentences)
    True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator, Literal

__all__ = [
    "Document",
    "Meta",
    "Span",
    "Token",
    "Sentence",
    "Paragraph",
    "Heading",
    "Section",
    "Epigraph",
    "Lang",
    "ChromeKind",
    "NotWritingKind",
]

#: Language tags a sentence can carry.
Lang = Literal["en", "zh", "mixed", "de", "fr", "it", "es", "pl", "tr", "ru", "bg", "ar", "ja", "ko", "und"]
#: What a piece of forum chrome is.
ChromeKind = Literal["header", "footer", "edit_note", "nav"]
#: What a sentence that is not part of the writing is (:mod:`xhs_nlp.segment.not_writing`).
NotWritingKind = Literal["byline", "credit", "caption", "poll", "newsletter", "share", "advertisement", "copyright",
                         "notice", "related", "render_error", "nav", "link", "dateline", "bio", "punctuation"]
TokenKind = Literal["word", "number", "punct", "symbol", "url", "email"]


class Span:
    """A view ``[start, end)`` into a :class:`Document`'s text."""

    __slots__ = ("doc", "start", "end")

    def __init__(self, doc: Document, start: int, end: int) -> None:
        if not 0 <= start <= end <= len(doc.text):
            raise ValueError(f"span [{start}, {end}) outside document of length {len(doc.text)}")
        self.doc = doc
        self.start = start
        self.end = end

    @property
    def text(self) -> str:
        """The characters this span covers."""
        return self.doc.text[self.start : self.end]

    @property
    def reading_text(self) -> str:
        """The text as the models read it: :attr:`text` with a line break beside a Chinese
        character read through (a hard-wrapped text: 小红\\n书 is 小红书;
        :func:`~xhs_nlp.segment.wrapping.unwrap_zh`); else :attr:`text` itself."""
        from .segment.wrapping import unwrap_zh  # the segment package imports this module

        return unwrap_zh(self.text)[0]

    def __len__(self) -> int:
        return self.end - self.start

    def __repr__(self) -> str:
        snippet = self.text if len(self) <= 40 else self.text[:37] + "..."
        return f"{type(self).__name__}({self.start}, {self.end}, {snippet!r})"

    def _offsets(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


class Token(Span):
    """A word, number or punctuation mark (jieba for Chinese, rules for other scripts)."""

    __slots__ = ("kind",)

    def __init__(self, doc: Document, start: int, end: int, kind: TokenKind) -> None:
        super().__init__(doc, start, end)
        self.kind = kind

    def to_dict(self) -> dict[str, Any]:
        """Offsets, text and kind."""
        return {**self._offsets(), "kind": self.kind}


class Sentence(Span):
    """A sentence with its language tag; tokens are computed on first access.

    Attributes:
        lang: the sentence's language tag.
        not_writing: ``None`` for a sentence of the writing; for a line that is not part
            of it (a byline, an image credit, a poll or newsletter widget, a share prompt,
            ``Advertisement``, ...), its kind (:data:`NotWritingKind`, set by the
            segmenter: :mod:`xhs_nlp.segment.not_writing`). Such a sentence stays in the
            document and its output, and every score leaves it out.
    """

    __slots__ = ("lang", "_tokens", "not_writing")

    def __init__(self, doc: Document, start: int, end: int, lang: Lang) -> None:
        super().__init__(doc, start, end)
        self.lang: Lang = lang
        self._tokens: list[Token] | None = None
        self.not_writing: NotWritingKind | None = None

    @property
    def is_writing(self) -> bool:
        """Whether the sentence is part of the writing (it is scored)."""
        return self.not_writing is None

    @property
    def tokens(self) -> list[Token]:
        """Tokens of the sentence (jieba for Chinese runs), offsets into the document."""
        if self._tokens is None:
            from .segment.tokens import tokenize_span

            self._tokens = [
                Token(self.doc, s, e, k) for s, e, k in tokenize_span(self.doc.text, self.start, self.end)
            ]
        return self._tokens

    def to_dict(self, tokens: bool = False) -> dict[str, Any]:
        """Offsets, text, language, ``not_writing`` (only when the sentence is marked) and
        optionally tokens."""
        out = {**self._offsets(), "lang": self.lang}
        if self.not_writing is not None:
            out["not_writing"] = self.not_writing
        if tokens:
            out["tokens"] = [t.to_dict() for t in self.tokens]
        return out


class Paragraph(Span):
    """A paragraph of body text, split into sentences."""

    __slots__ = ("sentences",)

    def __init__(self, doc: Document, start: int, end: int, sentences: list[Sentence]) -> None:
        super().__init__(doc, start, end)
        self.sentences = sentences

    @property
    def is_writing(self) -> bool:
        """Whether any of the paragraph's sentences is part of the writing."""
        return any(s.not_writing is None for s in self.sentences)

    def to_dict(self, tokens: bool = False) -> dict[str, Any]:
        """Offsets, text and sentences."""
        return {**self._offsets(), "sentences": [s.to_dict(tokens) for s in self.sentences]}


class Heading(Span):
    """A heading line: its number (``"I"``, ``"一"``, ``"1"``, ...) and title are sub-spans."""

    __slots__ = ("number", "title_start", "title_end", "level", "style")

    def __init__(
        self,
        doc: Document,
        start: int,
        end: int,
        *,
        number: str | None,
        title_start: int,
        title_end: int,
        level: int,
        style: str,
    ) -> None:
        super().__init__(doc, start, end)
        self.number = number
        self.title_start = title_start
        self.title_end = title_end
        self.level = level
        self.style = style

    @property
    def title(self) -> str:
        """The heading's title, without its number."""
        return self.doc.text[self.title_start : self.title_end]

    def to_dict(self) -> dict[str, Any]:
        """Offsets, number, title, level and numbering style."""
        return {
            **self._offsets(),
            "number": self.number,
            "title": self.title,
            "title_start": self.title_start,
            "title_end": self.title_end,
            "level": self.level,
            "style": self.style,
        }


class Section(Span):
    """A top-level section: an optional heading and the paragraphs under it.

    The introduction (body text before the first heading) is a section whose
    ``heading`` is ``None``; a document with no headings is one such section.
    """

    __slots__ = ("heading", "paragraphs", "subheadings", "index")

    def __init__(
        self,
        doc: Document,
        start: int,
        end: int,
        *,
        heading: Heading | None,
        paragraphs: list[Paragraph],
        subheadings: list[Heading],
        index: int,
    ) -> None:
        super().__init__(doc, start, end)
        self.heading = heading
        self.paragraphs = paragraphs
        self.subheadings = subheadings
        self.index = index

    @property
    def title(self) -> str | None:
        """The heading's title, or ``None`` for the introduction."""
        return self.heading.title if self.heading else None

    @property
    def number(self) -> str | None:
        """The heading's number (``"I"``, ``"一"``, ...), or ``None``."""
        return self.heading.number if self.heading else None

    @property
    def kind(self) -> Literal["introduction", "section"]:
        """``"introduction"`` when the section has no heading."""
        return "introduction" if self.heading is None else "section"

    @property
    def sentences(self) -> list[Sentence]:
        """All sentences of the section's paragraphs, in order."""
        return [s for p in self.paragraphs for s in p.sentences]

    def to_dict(self, tokens: bool = False) -> dict[str, Any]:
        """Offsets, title, number, heading and paragraphs."""
        return {
            "index": self.index,
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "heading": self.heading.to_dict() if self.heading else None,
            "subheadings": [h.to_dict() for h in self.subheadings],
            "paragraphs": [p.to_dict(tokens) for p in self.paragraphs],
        }


class Epigraph(Span):
    """The opening quotation, its sentences, and where it is repeated (if it is)."""

    __slots__ = ("sentences", "repeat")

    def __init__(self, doc: Document, start: int, end: int, sentences: list[Sentence]) -> None:
        super().__init__(doc, start, end)
        self.sentences = sentences
        self.repeat: Span | None = None

    def to_dict(self, tokens: bool = False) -> dict[str, Any]:
        """Offsets, text, sentences and the repeat's offsets."""
        return {
            **self._offsets(),
            "sentences": [s.to_dict(tokens) for s in self.sentences],
            "repeat": self.repeat._offsets() if self.repeat else None,
        }


class ChromeSpan(Span):
    """A line of forum chrome removed from the body (kept here, not lost)."""

    __slots__ = ("kind",)

    def __init__(self, doc: Document, start: int, end: int, kind: ChromeKind) -> None:
        super().__init__(doc, start, end)
        self.kind: ChromeKind = kind

    def to_dict(self) -> dict[str, Any]:
        """Offsets, text and kind."""
        return {**self._offsets(), "kind": self.kind}


@dataclass
class Meta:
    """What is known about a document besides its body.

    Attributes:
        author: Poster's name from the forum header, if any.
        posted_at: Absolute post time (resolved from a relative time and the page time).
        posted_relative: The post time as printed (``"2 小时前"``), if relative.
        page_time: When the page was generated (Discuz! footer ``GMT+8, ...``).
        encoding: The encoding the bytes were decoded with (``"utf-8"``, ``"gb18030"``, ...).
        encoding_confidence: How the encoding was chosen: ``"bom"``, ``"valid"``,
            ``"scored"`` (best of several candidates), ``"given"`` or ``"str"``.
        format: ``"text"`` or ``"html"``.
        source: The path read, if any.
        title: A web page's title (HTML), if it has one.
        published: A web page's publication date as the page gives it (ISO 8601), if any;
            ``posted_at`` holds it as a datetime.
        site: A web page's site name (or host), if known.
        url: A web page's URL, if it declares one.
        floor: A forum reply's floor number (1 = the first post), for thread floors.
        thread_id: The forum thread's id, for thread floors.
        quotes: Text the post quotes from other posts (kept out of its body).
        extra: Anything else (e.g. columns carried through from a table).

    The page and thread fields appear in :meth:`to_dict` only when set.
    """

    author: str | None = None
    posted_at: datetime | None = None
    posted_relative: str | None = None
    page_time: datetime | None = None
    encoding: str | None = None
    encoding_confidence: str | None = None
    format: Literal["text", "html"] = "text"
    source: str | None = None
    title: str | None = None
    published: str | None = None
    site: str | None = None
    url: str | None = None
    floor: int | None = None
    thread_id: str | None = None
    quotes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (datetimes as ISO 8601 with offset)."""
        return {
            "author": self.author,
            "posted_at": self.posted_at.isoformat() if self.posted_at else None,
            "posted_relative": self.posted_relative,
            "page_time": self.page_time.isoformat() if self.page_time else None,
            "encoding": self.encoding,
            "encoding_confidence": self.encoding_confidence,
            "format": self.format,
            "source": self.source,
            **{k: v for k in ("title", "published", "site", "url", "floor", "thread_id", "quotes")
               if (v := getattr(self, k)) not in (None, [])},
            **({"extra": self.extra} if self.extra else {}),
        }


class Document:
    """A segmented document. It owns ``text``; every other attribute is a view into it.

    Build one with :func:`xhs_nlp.segment`.

    Attributes:
        text: The decoded source text (for HTML: the text extracted from the page).
        meta: Author, times, encoding, source.
        epigraph: The opening quotation, or ``None``.
        images: Image references (``Xiaohongshu.jpg``) found in the body.
        sections: The introduction (if any) and the numbered sections, in order.
        chrome: Forum chrome lines removed from the body.
    """

    def __init__(self, text: str, meta: Meta | None = None) -> None:
        self.text = text
        self.meta = meta or Meta()
        self.epigraph: Epigraph | None = None
        self.images: list[Span] = []
        self.sections: list[Section] = []
        self.chrome: list[ChromeSpan] = []

    def __repr__(self) -> str:
        return (
            f"Document({len(self.text)} chars, {len(self.sections)} sections, "
            f"{sum(len(s.sentences) for s in self.sections)} sentences)"
        )

    @property
    def paragraphs(self) -> list[Paragraph]:
        """Body paragraphs of all sections, in order."""
        return [p for s in self.sections for p in s.paragraphs]

    @property
    def sentences(self) -> list[Sentence]:
        """Body sentences of all sections, in order (the epigraph is not body)."""
        return [s for p in self.paragraphs for s in p.sentences]

    def section_paragraphs(self) -> list[range]:
        """For each section, the indices of its paragraphs in :attr:`paragraphs`.

        Per-paragraph and per-sentence results are lists aligned with
        :attr:`paragraphs` and :attr:`sentences`; these ranges attach them to sections.

        Example:
            >>> from xhs_nlp import segment
            >>> doc = segment("一、甲\\n第一句。第二句。\\n\\n二、乙\\n第三句。")
            >>> doc.section_paragraphs(), doc.section_sentences(), doc.paragraph_sentences()
            ([range(0, 1), range(1, 2)], [range(0, 2), range(2, 3)], [range(0, 2), range(2, 3)])
        """
        return _ranges(len(sec.paragraphs) for sec in self.sections)

    def section_sentences(self) -> list[range]:
        """For each section, the indices of its sentences in :attr:`sentences`."""
        return _ranges(sum(len(p.sentences) for p in sec.paragraphs) for sec in self.sections)

    def paragraph_sentences(self) -> list[range]:
        """For each paragraph of :attr:`paragraphs`, the indices of its sentences in :attr:`sentences`."""
        return _ranges(len(p.sentences) for p in self.paragraphs)

    def iter_spans(self) -> Iterator[Span]:
        """Every span the document holds (for checking the offsets invariant)."""
        yield from self.chrome
        yield from self.images
        if self.epigraph:
            yield self.epigraph
            yield from self.epigraph.sentences
            if self.epigraph.repeat:
                yield self.epigraph.repeat
        for sec in self.sections:
            yield sec
            if sec.heading:
                yield sec.heading
            yield from sec.subheadings
            for p in sec.paragraphs:
                yield p
                yield from p.sentences

    def to_dict(self, tokens: bool = False) -> dict[str, Any]:
        """JSON-ready dict: ``meta``, ``epigraph``, ``images``, ``sections``, ``chrome``.

        Args:
            tokens: Include every sentence's tokens (slower: runs jieba).
        """
        return {
            "meta": self.meta.to_dict(),
            "epigraph": self.epigraph.to_dict(tokens) if self.epigraph else None,
            "images": [i._offsets() for i in self.images],
            "sections": [s.to_dict(tokens) for s in self.sections],
            "chrome": [c.to_dict() for c in self.chrome],
            "length": len(self.text),
        }

    def to_json(self, tokens: bool = False, indent: int | None = 2) -> str:
        """The :meth:`to_dict` output as a JSON string (UTF-8 characters kept)."""
        return json.dumps(self.to_dict(tokens), ensure_ascii=False, indent=indent)


def _ranges(sizes: Iterator[int]) -> list[range]:
    """Consecutive index ranges of the given sizes: ``[3, 0, 2]`` → ``[0:3, 3:3, 3:5]``."""
    out, k = [], 0
    for n in sizes:
        out.append(range(k, k + n))
        k += n
    return out
