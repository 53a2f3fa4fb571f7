"""Peak memory of one large document (issue 37, item 4): flat in its length.

    .venv/bin/python benchmarks/memory_per_document.py [--mb 1 5] [--work DIR]

Each document is made of distinct short sentences (English headlines and news sentences,
Chinese forum posts and reviews from ``../shared/corpora``, in that order, five to a
paragraph), the kind of text that gave the most sentences per megabyte in the issue's probe
(1 MB: 2.5 GB, 4.9 MB: 8.4 GB before). ``xhs-nlp analyze FILE --format json`` runs in a new
process; its peak memory (sum of PSS over the process tree, sampled every 0.1 s) and wall
time are printed with the number of sentences and paragraphs. Target: under 2 GB for a 5 MB
document.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from _common import SHARED, header, need
from end_to_end import run_measured

SOURCES = ("sentfin_en", "financial_phrasebank_en", "newsmtsc_en", "checkthat2025_subjectivity", "sst2_sentences",
           "pang_lee_sentence_polarity_v1", "bbt_finfe_zh", "chnsenticorp_htl_zh", "bbt_finne_zh")


def sentences() -> list[str]:
    seen: dict[str, None] = {}
    for name in SOURCES:
        with open(need(SHARED / name / "data.jsonl"), encoding="utf-8") as f:
            for r in map(json.loads, f):
                t = " ".join(str(r.get("text", "")).split())
                if 20 <= len(t) <= 300:
                    seen.setdefault(t if t[-1] in ".!?。！？" else t + ("。" if "\u4e00" <= t[0] <= "\u9fff" else "."))
    return list(seen)


def document(pool: list[str], size: int) -> tuple[str, int]:
    paras, n, used = [], 0, 0
    while n < size and used < len(pool):
        para = " ".join(pool[used:used + 5])
        used += 5
        paras.append(para)
        n += len(para.encode("utf-8")) + 2
    if n < size:
        sys.exit(f"only {n:,} bytes of distinct sentences for a {size:,}-byte document")
    return "\n\n".join(paras) + "\n", used


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, nargs="+", default=[1.0, 5.0])
    ap.add_argument("--work", default=None, help="folder for the documents (default: a temporary one)")
    args = ap.parse_args()
    header("peak memory of one large document (xhs-nlp analyze)")
    pool = sentences()
    work = Path(args.work or tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    cli = str(Path(sys.executable).with_name("xhs-nlp"))
    for mb in args.mb:
        text, used = document(pool, int(mb * 1_000_000))
        path = work / f"doc_{mb:g}mb.txt"
        path.write_text(text, encoding="utf-8")
        wall, peak, out = run_measured([cli, "analyze", str(path), "--format", "json", "--max-bytes", "0"])
        res = json.loads(out)
        print(f"{mb:g} MB ({len(text.encode()):,} bytes, {used:,} sentences written, {len(res['sentences']):,} "
              f"sentences read): {wall:.0f} s, peak {peak[1] / 2**30:.2f} GiB PSS ({peak[1] / 1e9:.2f} GB), "
              f"{peak[0] / 2**30:.2f} GiB RSS sum", flush=True)


if __name__ == "__main__":
    main()
