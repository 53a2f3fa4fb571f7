"""Article extraction from real web pages: what the library scores against plain trafilatura.

On trafilatura's evaluation set (``../shared/pages/trafilatura_eval.tar.gz``: saved pages
with snippets that must appear in the main text and snippets that must not), each
system's text is checked the way trafilatura's own evaluation does: a ``with`` snippet
found is a true positive (else a false negative), a ``without`` snippet found a false
positive; precision, recall and F1 over all pages. Whitespace is collapsed in both the
text and the snippets.

Systems:

* ``trafilatura``: ``trafilatura.extract(html)`` with its defaults, on the page's bytes;
* ``xhs_nlp sentences``: ``segment(bytes)`` (the library's decoding, trafilatura's article,
  the library's structure), the body sentences joined: what the library scores;
* ``xhs_nlp sentences + headings``: the same plus what the library keeps beside its
  sentences (section headings, subheadings, the epigraph): the whole article it holds;
* ``xhs_nlp visible (before)``: ``segment(bytes, html="visible")``, the earlier rule
  (every visible block), the body sentences joined.

Usage::

    .venv/bin/python benchmarks/web_pages.py [--pages ../shared/pages/trafilatura_eval.tar.gz] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xhs_nlp import segment  # noqa: E402
from xhs_nlp.errors import XhsNlpError  # noqa: E402

_WS = re.compile(r"\s+")


def norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def score(text: str, item: dict, counts: dict) -> None:
    t = norm(text)
    for snip in item.get("with", []):
        counts["tp" if norm(snip) in t else "fn"] += 1
    for snip in item.get("without", []):
        counts["fp" if norm(snip) in t else "tn"] += 1


def prf(c: dict) -> tuple[float, float, float]:
    p = c["tp"] / max(c["tp"] + c["fp"], 1)
    r = c["tp"] / max(c["tp"] + c["fn"], 1)
    return p, r, 2 * p * r / max(p + r, 1e-12)


def library_text(data: bytes, mode: str, headings: bool) -> str:
    try:
        doc = segment(data, html=mode)
    except XhsNlpError:
        return ""
    parts = []
    if headings and doc.epigraph is not None:
        parts.append(doc.epigraph.text)
    for sec in doc.sections:
        if headings:
            parts += [h.text for h in [sec.heading, *sec.subheadings] if h is not None]
        parts += [s.text for s in sec.sentences]
    return " ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", default=str(ROOT.parent / "shared" / "pages" / "trafilatura_eval.tar.gz"))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args()
    import trafilatura

    work = Path(tempfile.mkdtemp(prefix="xhs_pages_"))
    with tarfile.open(args.pages) as tar:
        tar.extractall(work, filter="data")
    items = json.loads((work / "evaldata.json").read_text(encoding="utf-8"))
    pages = [(url, it) for url, it in items.items() if (work / "eval" / it["file"]).is_file()][: args.limit]
    systems = {
        "trafilatura": lambda b: trafilatura.extract(b) or "",
        "xhs_nlp sentences": lambda b: library_text(b, "article", False),
        "xhs_nlp sentences + headings": lambda b: library_text(b, "article", True),
        "xhs_nlp visible (before)": lambda b: library_text(b, "visible", False),
    }
    counts = {name: {"tp": 0, "fn": 0, "fp": 0, "tn": 0} for name in systems}
    seconds = dict.fromkeys(systems, 0.0)
    empty = dict.fromkeys(systems, 0)
    for url, it in pages:
        data = (work / "eval" / it["file"]).read_bytes()
        for name, fn in systems.items():
            t0 = time.perf_counter()
            text = fn(data)
            seconds[name] += time.perf_counter() - t0
            empty[name] += not text.strip()
            score(text, it, counts[name])
    print(f"{len(pages)} pages of {len(items)} listed in evaldata.json (the others' files are not in the archive); "
          f"trafilatura {trafilatura.__version__}")
    print(f"{'system':<32}{'precision':>10}{'recall':>8}{'F1':>8}{'no text':>9}{'s/page':>9}")
    out = {}
    for name in systems:
        p, r, f = prf(counts[name])
        out[name] = {"precision": p, "recall": r, "f1": f, "pages_without_text": empty[name],
                     "seconds_per_page": seconds[name] / len(pages), **counts[name]}
        print(f"{name:<32}{p:>10.3f}{r:>8.3f}{f:>8.3f}{empty[name]:>9d}{seconds[name] / len(pages):>9.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": len(pages), "results": out}, indent=2) + "\n")


if __name__ == "__main__":
    main()
