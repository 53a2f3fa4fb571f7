"""Saved forum pages (HTML) to text.

A Discuz!-style page (``postmessage_*`` body, ``authi`` header, ``#ft`` footer) yields
``author 发表于 time`` + the first post's text + the footer, so the text rules in
:mod:`xhs_nlp.segment.chrome` read the metadata the same way as from a saved text page.
Any other page yields its visible text, one block element a line.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser

__all__ = ["looks_like_html", "html_to_text", "declared_charset"]

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


def html_to_text(html: str) -> str:
    """The visible text of ``html`` (for Discuz! pages: header, first post, footer).

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
