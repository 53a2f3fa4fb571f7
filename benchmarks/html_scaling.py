"""Time to segment big and malformed HTML pages: linear in their size?

Pages of 1, 2, 5 and 10 MB (an article of many paragraphs among navigation, a long
comments section and scripts), and malformed ones (unclosed tags, 3,000 nested
elements, a comment that never ends); each segmented once with the article extractor
(trafilatura) and once with the visible-text rule. Prints seconds and seconds per MB.

Usage::

    .venv/bin/python benchmarks/html_scaling.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xhs_nlp import segment  # noqa: E402
from xhs_nlp.errors import XhsNlpError  # noqa: E402


def page(mb: float) -> str:
    para = ("<p>The platform's advertising revenue fell again this quarter as brands moved their budgets to rival "
            "apps, and creators complained that their reach had collapsed since the last algorithm change.</p>")
    head = "<html><head><title>Revenue</title><script>var x = 1;</script></head><body><nav><a>Home</a> <a>News</a></nav>"
    comment = "<li class='comment'><span class='user'>reader</span> I agree with this completely, well said.</li>"
    out, size = [head, "<article><h1>Revenue falls</h1>"], len(head)
    target = int(mb * 1_000_000)
    while size < target * 0.8:
        out.append(para)
        size += len(para)
    out.append("</article><div class='comments'><ul>")
    while size < target:
        out.append(comment)
        size += len(comment)
    out.append("</ul></div><footer>Copyright</footer></body></html>")
    return "".join(out)


def malformed(mb: float) -> str:
    body = page(mb).replace("</p>", "").replace("</li>", "")
    return body[:-len("</body></html>")] + "<div><span><b>" * 3000 + "<!-- never closed"


def main() -> None:
    print(f"{'page':<22}{'MB':>6}{'article s':>11}{'s/MB':>8}{'visible s':>11}{'s/MB':>8}")
    for kind, make in (("article + comments", page), ("malformed", malformed)):
        for mb in (1, 2, 5, 10):
            html = make(mb)
            size = len(html.encode()) / 1e6
            row = f"{kind:<22}{size:>6.1f}"
            for mode in ("article", "visible"):
                t0 = time.perf_counter()
                try:
                    segment(html, format="html", html=mode)
                except XhsNlpError:
                    pass
                dt = time.perf_counter() - t0
                row += f"{dt:>11.2f}{dt / size:>8.2f}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
