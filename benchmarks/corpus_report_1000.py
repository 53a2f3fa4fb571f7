"""Issue 36: score, compare and report 1,000 real documents the models were never trained on.

The documents: SemEval-2023 Task 3's 992 genre-labelled articles (opinion, reporting, satire;
en, de, fr, it, pl, ru; ``../shared/corpora/semeval2023_task3/genre.jsonl``; the frames model
learnt from most of these articles' frame labels, the other models never saw them) and the
project's 8 parallel English/Chinese op-eds (``corpora/parallel``), with ``genre`` and ``lang``
as metadata. Steps, each timed as its command line: ``xhs-nlp score --jobs 1``, ``xhs-nlp
compare --by lang --by genre``, ``xhs-nlp report --by genre`` (figures off and on), and the
report opened by headless Chromium (``--dump-dom``: start, parse, lay out, quit).

Run:  .venv/bin/python benchmarks/corpus_report_1000.py --work DIR [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, SHARED, header  # noqa: E402


def run(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True, help="a folder outside the repository (the texts are research-only)")
    ap.add_argument("--corpora", default=str(SHARED))
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    header("Score, compare and report 1,000 documents (issue 36)")
    rows = [{"text": r["text"], "genre": r["label"], "lang": r["lang"], "id": r["source_id"]}
            for r in map(json.loads, (Path(args.corpora) / "semeval2023_task3" / "genre.jsonl").open(encoding="utf-8"))]
    for f in sorted((ROOT / "corpora" / "parallel").glob("*.txt")):
        rows.append({"text": f.read_text(encoding="utf-8"), "genre": "opinion (project)",
                     "lang": "zh" if f.name.endswith(".zh.txt") else "en", "id": f.name})
    src = work / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} documents, {sum(len(r['text']) for r in rows) / 1e6:.1f} M characters")
    x = [sys.executable, "-m", "xhs_nlp.cli"]
    results = work / "results"
    if not (results / "documents.parquet").exists():
        t = run([*x, "score", str(src), "--out", str(results), "--jobs", "1", "--format", "parquet"])
        print(f"score --jobs 1: {t:.1f} s, {len(rows) / t * 60:.1f} documents/min")
    else:
        print("score: reused the results folder of an earlier run (delete it to time scoring)")
    t = run([*x, "compare", str(results), "--by", "lang", "--by", "genre", "--out", str(work / "comparison")])
    print(f"compare --by lang --by genre (1,000 resamples): {t:.1f} s")
    for extra, name in (([], "report.html"), (["--no-figures"], "report_tables.html")):
        page = work / name
        t = run([*x, "report", str(results), "--by", "genre", "--out", str(page), *extra])
        print(f"report --by genre {' '.join(extra)}: {t:.1f} s, {page.stat().st_size / 1e6:.2f} MB")
    t = run([*x, "report", str(results), "--by", "lang", "--by", "genre", "--no-figures", "--out",
             str(work / "report_lang_genre.html")])
    print(f"report --by lang --by genre --no-figures: {t:.1f} s, "
          f"{(work / 'report_lang_genre.html').stat().st_size / 1e6:.2f} MB")
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if browser:
        for name in ("report.html", "report_lang_genre.html"):
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                                (work / name).as_uri()], check=True, capture_output=True)
                times.append(time.perf_counter() - t0)
            print(f"headless Chromium opens {name}: {min(times):.2f} s best of 3 ({', '.join(f'{t:.2f}' for t in times)})")
        blank = work / "blank.html"
        blank.write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", blank.as_uri()],
                       check=True, capture_output=True)
        print(f"headless Chromium opens an empty page: {time.perf_counter() - t0:.2f} s (the browser's own start)")


if __name__ == "__main__":
    main()
