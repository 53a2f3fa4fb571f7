"""Saved web pages (HTML) to the text of their article.

* A Discuz! thread (``postmessage_*`` bodies, ``authi`` headers, ``#ft`` footer) yields
  ``author 发表于 time`` + a post's own text + the footer, so the text rules in
  :mod:`xhs_nlp.segment.chrome` read its metadata the same way as from a saved text page:
  the first post (:func:`html_to_text`), or every floor (:func:`discuz_posts`), quotes
  kept apart from the reply's own text.
* Any other page goes through trafilatura (Barbaresi 2021), the field's article
  extractor: the article's main text without navigation, banners, related links,
  comments and footers, its headings as Markdown ``#`` lines (so they become the
  document's sections) and its paragraphs as blank-line blocks; the page's title, author,
  date, site name and URL come back as metadata (:func:`extract_article`).
* :func:`visible_text` keeps the earlier rule (every visible block, one a line) for pages
  where a user wants everything.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..errors import EmptyDocumentError

__all__ = ["looks_like_html", "html_to_text", "declared_charset", "extract_article", "visible_text", "is_discuz",
           "discuz_posts", "Article", "Post"]

_BLOCK = set(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_SKIP = {"script", "style", "head", "noscript", "template", "svg", "iframe", "title"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(r"<(?:div|p|td|table|span|br|a)\b[^>]*>", re.I)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_-]+)", re.I)


def looks_like_html(text: str) -> bool:
    """True for a page (doctype/html/body tag first) or text dense with HTML tags."""
    head = text[:4096]
    return bool(_HTML_START.match(head)) or len(_HTML_TAGS.findall(head)) >= 5


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag, if any."""
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []  # (tag, channel opened by this tag)
        self.skip = 0
        self.channels: dict[str, list[str]] = {"all": [], "post": [], "author": [], "time": [], "footer": []}
        self.active: list[str] = []
        self.done: set[str] = set()
        self.time_title: str | None = None

    def _emit(self, s: str) -> None:
        self.channels["all"].append(s)
        for ch in self.active:
            self.channels[ch].append(s)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip += 1
                self.stack.append((tag, "__skip__"))
            return
        if self.skip:
            if tag not in _VOID:
                self.stack.append((tag, None))
            return
        classes = set(a.get("class", "").split())
        ident = a.get("id", "")
        channel = None
        if ident.startswith("postmessage_") and "post" not in self.done:
            channel = "post"
        elif "xw1" in classes and "author" not in self.done and not self.channels["author"]:
            channel = "author"
        elif ident.startswith("authorposton") and "time" not in self.done:
            channel = "time"
        elif ident == "ft" and "footer" not in self.done:
            channel = "footer"
        if tag == "span" and "time" in self.active and a.get("title"):
            self.time_title = a["title"]
        if tag in _BLOCK:
            self._emit("\n")
        if tag == "img":
            src = a.get("file") or a.get("src") or ""
            name = posixpath.basename(src.split("?")[0]) or a.get("alt", "")
            if name and not name.lower().startswith(("none.gif", "spacer")):
                self._emit(f"\n{name}\n")
        if tag in _VOID:
            return
        if channel:
            self.active.append(channel)
        self.stack.append((tag, channel))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        # Pop up to the matching tag (tolerates unclosed children).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for _t, ch in self.stack[i:]:
                    if ch == "__skip__":
                        self.skip -= 1
                    elif ch:
                        if ch in self.active:
                            self.active.remove(ch)
                        self.done.add(ch)
                del self.stack[i:]
                break
        if tag in _BLOCK and not self.skip:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._emit(data)


def _clean(parts: list[str]) -> str:
    text = "".join(parts).replace("\xa0", " ").replace("\r", "")
    lines = [re.sub(r"[ \t\u3000]+", " ", ln).strip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()


def visible_text(html: str) -> str:
    """The page's visible text, one block element a line (scripts, styles and the head left out)."""
    p = _Extractor()
    p.feed(html)
    p.close()
    return _clean(p.channels["all"])


_DISCUZ = re.compile(r"""id\s*=\s*["']postmessage_\d+""", re.I)


def is_discuz(html: str) -> bool:
    """Whether the page is a Discuz! thread (it has ``postmessage_N`` post bodies)."""
    return bool(_DISCUZ.search(html))


@dataclass
class Article:
    """The article of a page: its text (headings as ``#`` lines, paragraphs as blank-line
    blocks) and the page's metadata (``title``, ``author``, ``published``, ``site``, ``url``
    where the page has them)."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)


_HEAD_LEVEL = re.compile(r"h([1-6])")
_WS = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’）)]*$")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _is_prose(line: str) -> bool:
    """A line a reader would call text, not a menu: 8 words or 15 Chinese characters, or
    a sentence (2 words or 4 Chinese characters ending in sentence punctuation)."""
    words, han = len(_WORD.findall(line)), len(_HAN.findall(line))
    if words >= 8 or han >= 15:
        return True
    return bool(_SENTENCE_END.search(line.strip())) and (words >= 2 or han >= 4)


def _element_text(el) -> str:
    """An extracted element's text with ``<lb/>`` as line breaks, spaces collapsed per line."""
    parts: list[str] = []

    def walk(e) -> None:
        if e.text:
            parts.append(e.text)
        for c in e:
            if c.tag == "lb":
                parts.append("\n")
            elif c.tag in ("row", "item"):
                parts.append("\n")
                walk(c)
                parts.append("\n")
            elif c.tag == "cell":
                walk(c)
                parts.append(" ")
            else:
                walk(c)
            if c.tail:
                parts.append(c.tail)

    walk(el)
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", ln).strip() for ln in "".join(parts).split("\n")]
    return "\n".join(ln for ln in lines if ln)


def extract_article(html: str, *, url: str | None = None) -> Article:
    """The article of a (non-forum) page, through trafilatura.

    Raises:
        EmptyDocumentError: the page holds no article (a login wall, a list of links, an
            empty shell): the library never scores a page's menus instead.

    Example:
        >>> page = ("<html><head><title>Ad revenue</title></head><body><nav>Home | News | Login</nav>"
        ...         "<article><h1>Ad revenue falls</h1><p>" + "The platform's advertising revenue fell 20% this "
        ...         "quarter as brands cut their budgets and moved spending to rival apps. " * 3 + "</p></article>"
        ...         "<footer>Copyright 2025</footer></body></html>")
        >>> a = extract_article(page)
        >>> a.text.splitlines()[0], "Login" in a.text, a.meta["title"]
        ('# Ad revenue falls', False, 'Ad revenue falls')
    """
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(html, url=url, output_format="xml", with_metadata=True, include_comments=False,
                              include_tables=True, include_images=False, deduplicate=False)
    root = etree.fromstring(xml.encode("utf-8")) if xml else None
    main = root.find("main") if root is not None else None
    blocks: list[str] = []
    for el in main if main is not None else []:
        if el.tag in ("graphic", "image"):
            continue
        text = _element_text(el)
        if not text:
            continue
        if el.tag == "head" and not _SENTENCE_END.search(text):
            m = _HEAD_LEVEL.fullmatch(el.get("rend") or "")
            blocks.append("#" * (int(m.group(1)) if m else 2) + " " + text.replace("\n", " "))
        else:  # a "heading" that ends like a sentence (a question, a claim) is read as one
            blocks.append(text)
    text = "\n\n".join(blocks)
    if len(blocks) == 1:
        # trafilatura flattens a page it finds short into one block: the page's own blocks
        # that make up that text keep its headings and paragraphs
        flat = _WS.sub(" ", text)
        own = [ln for ln in visible_text(html).split("\n") if ln.strip() and _WS.sub(" ", ln).strip() in flat]
        if own and sum(len(ln) for ln in own) >= 0.8 * len(flat):
            text = "\n".join(own)
    if not any(_is_prose(ln) for ln in text.split("\n")):
        raise EmptyDocumentError("no article found in the page (a login wall, a list of links or an empty page?): "
                                 "nothing to score")
    a = root.attrib
    meta = {"title": a.get("title"), "author": a.get("author"), "published": a.get("date"),
            "site": a.get("sitename") or a.get("hostname"), "url": a.get("source") or a.get("url")}
    return Article(text, {k: v for k, v in meta.items() if v})


def html_to_text(html: str) -> str:
    """The text to segment of a page: for Discuz! threads the header, first post and
    footer; for any other page its article (:func:`extract_article`).

    Example:
        >>> page = ('<html><body><div class="authi"><a class="xw1">Larissa</a>'
        ...         '<em id="authorposton1">发表于 <span title="2025-12-28 05:29">2 小时前</span></em></div>'
        ...         '<td class="t_f" id="postmessage_1">First paragraph.<br/>Second.</td>'
        ...         '<div id="ft">Powered by Discuz! GMT+8, 2025-12-28 07:29</div></body></html>')
        >>> print(html_to_text(page))
        Larissa 发表于 2025-12-28 05:29
        First paragraph.
        Second.
        Powered by Discuz! GMT+8, 2025-12-28 07:29
    """
    if not is_discuz(html):
        return extract_article(html).text
    p = _Extractor()
    p.feed(html)
    p.close()
    post = _clean(p.channels["post"])
    if not post:
        return _clean(p.channels["all"])
    author = _clean(p.channels["author"]).replace("\n", " ")
    when = p.time_title or re.sub(r"^\s*(发表于|發表於)\s*", "", _clean(p.channels["time"])).replace("\n", " ")
    lines = []
    if author or when:
        lines.append(f"{author} 发表于 {when}".strip())
    lines.append(post)
    footer = _clean(p.channels["footer"])
    if footer:
        lines.append(footer)
    return "\n".join(lines)


# -- Discuz! threads: every floor ----------------------------------------------------------------


@dataclass
class Post:
    """One floor of a Discuz! thread.

    Attributes:
        floor: the floor number (1 = the first post).
        pid: the post's id in the page (``postmessage_PID``).
        author: the poster's name.
        time: the post time as the page prints it (the absolute ``title`` where the
            page gives one, else e.g. ``2 小时前``).
        text: the post's own text (quotes, signatures and the forum's buttons left out).
        quotes: the text the post quotes from earlier floors.
    """

    floor: int
    pid: str
    author: str | None
    time: str | None
    text: str
    quotes: list[str] = field(default_factory=list)


_FLOOR_NAMES = {"楼主": 1, "沙发": 2, "板凳": 3, "地板": 4}
_THREAD_ID = re.compile(r"(?:thread-(\d+)-|[?&]tid=(\d+))")


def _lxml_text(el) -> str:
    """Visible text of an lxml element, ``<br>`` and block ends as line breaks."""
    parts: list[str] = []

    def walk(e, tail: bool = True) -> None:
        tag = e.tag if isinstance(e.tag, str) else ""
        if tag not in _SKIP:
            if tag in _BLOCK:
                parts.append("\n")
            if e.text:
                parts.append(e.text)
            for c in e:
                walk(c)
            if tag in _BLOCK:
                parts.append("\n")
        if tail and e.tail:
            parts.append(e.tail)

    walk(el, tail=False)
    return _clean(parts)


def discuz_posts(html: str) -> tuple[list[Post], dict[str, Any]]:
    """Every floor of a Discuz! thread page and the page's own fields (``thread_id``,
    ``footer``: the page-time footer line the chrome rules read).

    Example:
        >>> page = ('<div id="post_1"><a class="xw1">A</a><em id="authorposton1">发表于 2025-1-2 10:00</em>'
        ...         '<td class="t_f" id="postmessage_1">First post.</td></div>'
        ...         '<div id="post_2"><a class="xw1">B</a><em id="authorposton2">发表于 2025-1-2 11:00</em>'
        ...         '<td class="t_f" id="postmessage_2"><div class="quote"><blockquote>First post.</blockquote>'
        ...         '</div>I disagree.</td></div>')
        >>> posts, page = discuz_posts(page)
        >>> [(p.floor, p.author, p.time, p.text, p.quotes) for p in posts]
        [(1, 'A', '2025-1-2 10:00', 'First post.', []), (2, 'B', '2025-1-2 11:00', 'I disagree.', ['First post.'])]
    """
    import lxml.html

    root = lxml.html.document_fromstring(html)
    bodies = root.xpath('//*[starts-with(@id, "postmessage_")]')
    posts: list[Post] = []
    for k, body in enumerate(bodies):
        pid = body.get("id").split("_", 1)[1]
        box = root.xpath(f'//*[@id="post_{pid}" or @id="pid{pid}"]')
        scope = box[0] if box else body.getparent()
        quotes = []
        quoted = body.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " quote ")]'
                            ' | .//blockquote[not(ancestor::*[contains(concat(" ", normalize-space(@class), " "), '
                            '" quote ")])]')
        for q in quoted:
            t = "\n".join(ln for ln in _lxml_text(q).split("\n") if ln)
            if t:
                quotes.append(t)
            q.drop_tree()  # keeps the tail: the reply's own text after the quote
        for junk in body.xpath('.//*[contains(@class, "attach_popup") or contains(@class, "tip") or @class="sign"]'):
            junk.drop_tree()
        author = scope.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " xw1 ")]')
        when = scope.xpath(f'.//*[@id="authorposton{pid}"]')
        time = None
        if when:
            titled = when[0].xpath(".//span[@title]")
            time = titled[0].get("title") if titled else re.sub(r"^\s*(发表于|發表於)\s*", "", when[0].text_content()).strip()
        num = scope.xpath(f'.//*[@id="postnum{pid}"]')
        floor = k + 1
        if num:
            label = num[0].text_content().strip()
            digits = re.search(r"\d+", label)
            floor = int(digits.group()) if digits else _FLOOR_NAMES.get(label.rstrip("#").strip(), floor)
        posts.append(Post(floor, pid, author[0].text_content().strip() if author else None, time or None,
                          _lxml_text(body), quotes))
    page: dict[str, Any] = {}
    for href in root.xpath('//link[@rel="canonical"]/@href | //a/@href | //form/@action'):
        m = _THREAD_ID.search(href)
        if m:
            page["thread_id"] = m.group(1) or m.group(2)
            break
    ft = root.xpath('//*[@id="ft"]')
    if ft:
        page["footer"] = _lxml_text(ft[0])
    return posts, page
