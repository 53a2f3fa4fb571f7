"""Lines that are not part of the writing: precision and recall of
:mod:`xhs_nlp.segment.not_writing` on the op-ed reading corpus's ``skip`` rows.

``../shared/corpora/opinion_reading_zh_en/sentences.jsonl`` labels every sentence of 168
real op-eds and commentaries ``skip`` (not part of the writing: page chrome, bylines,
poll widgets, image captions, ...) by a careful reader (GUIDELINE.md beside it). Three ways
of running the detector, per language and split (the rules were written looking at the
train split only; dev is reported as it came out):

* ``line``: :func:`~xhs_nlp.segment.not_writing.classify_line` on each sentence alone;
* ``sequence``: :func:`~xhs_nlp.segment.not_writing.classify_sequence` on each document's
  sentences in order (adds the rules that need context);
* ``segmenter``: :func:`xhs_nlp.segment` on each document's sentences joined with
  newlines, a labelled sentence counted as marked when every sentence the segmenter made
  over it is marked (what :func:`xhs_nlp.analyze` leaves out of the scores).

Then the bundled post: no sentence of its body may be marked (its 88 annotated body
sentences are listed with offsets in ``corpora/xhs_will_2025_sentiment.jsonl``).

The output file holds figures only: the corpus's texts are research-only (``--show``
prints the errors on the train split to stderr, for development, and writes nothing).

Run:  .venv/bin/python benchmarks/not_writing.py [--corpus PATH] [--show]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter, defaultdict
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import POST, ROOT, SHARED, need  # noqa: E402

from xhs_nlp import segment  # noqa: E402
from xhs_nlp.segment.not_writing import classify_line, classify_sequence  # noqa: E402

CORPUS = SHARED / "opinion_reading_zh_en" / "sentences.jsonl"
OUT = Path(__file__).with_suffix(".out.txt")
MODES = ("line", "sequence", "segmenter")


def read_docs(path: Path) -> dict[str, list[dict]]:
    """The corpus's rows grouped by document, in order."""
    docs: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            docs[row["doc_key"]].append(row)
    return docs


def segmenter_marks(texts: list[str]) -> list[bool]:
    """Join the sentences with newlines, segment, and say for each whether every sentence
    the segmenter made over it is marked (a sentence it made no sentence over: not marked)."""
    joined, spans, pos = [], [], 0
    for t in texts:
        spans.append((pos, pos + len(t)))
        joined.append(t)
        pos += len(t) + 1
    doc = segment("\n".join(joined), format="text")
    out = []
    for a, b in spans:
        over = [s for s in doc.sentences if s.start < b and s.end > a]
        out.append(bool(over) and all(s.not_writing is not None for s in over))
    return out


def predictions(rows: list[dict]) -> dict[str, list[str | None]]:
    texts = [r["text"] for r in rows]
    seq = classify_sequence(texts)
    seg = segmenter_marks(texts)
    return {"line": [classify_line(t) for t in texts], "sequence": seq,
            "segmenter": [(k or "marked") if m else None for k, m in zip(seq, seg)]}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else float("nan"), tp / (tp + fn) if tp + fn else float("nan"))


def corpus_table(docs: dict[str, list[dict]], show: bool) -> None:
    counts: dict[tuple, Counter] = defaultdict(Counter)
    kinds: dict[tuple, Counter] = defaultdict(Counter)
    for key, rows in docs.items():
        preds = predictions(rows)
        for mode in MODES:
            for r, p in zip(rows, preds[mode]):
                cell = counts[(mode, r["lang"], r["split"])]
                gold, got = bool(r["skip"]), p is not None
                cell["n"] += 1
                cell["skip"] += gold
                cell["tp"] += gold and got
                cell["fp"] += got and not gold
                cell["fn"] += gold and not got
                if got and mode == "sequence":
                    kinds[(r["split"], p)]["tp" if gold else "fp"] += 1
                if show and r["split"] == "train" and mode == "sequence" and gold != got:
                    print(f"{'FP' if got else 'FN'} {p or '-':12s} {key} {r['text'][:120]!r}", file=sys.stderr)
    print("mode       lang  split  sentences  skip   TP   FP   FN  precision  recall")
    for mode in MODES:
        for lang in ("en", "zh"):
            for split in ("train", "dev"):
                c = counts[(mode, lang, split)]
                p, r = prf(c["tp"], c["fp"], c["fn"])
                print(f"{mode:10s} {lang:4s}  {split:5s}  {c['n']:9d}  {c['skip']:4d} {c['tp']:4d} {c['fp']:4d} "
                      f"{c['fn']:4d}  {p:9.3f}  {r:6.3f}")
    print()
    print("marks of the sequence rules by kind (TP / FP)")
    for split in ("train", "dev"):
        parts = [f"{k} {v['tp']}/{v['fp']}" for (s, k), v in sorted(kinds.items()) if s == split]
        print(f"  {split}: " + ", ".join(parts))


def post_check() -> None:
    doc = segment(POST)
    marked = [s for s in doc.sentences if s.not_writing is not None]
    rows = [json.loads(line) for line in (ROOT / "corpora" / "xhs_will_2025_sentiment.jsonl").open(encoding="utf-8")]
    by_offsets = {(s.start, s.end): s for s in doc.sentences}
    hit, alone = 0, 0
    for r in rows:
        a, b = map(int, r["source_id"].rsplit(":", 1)[1].split("-"))
        s = by_offsets.get((a, b))
        hit += s is not None and s.not_writing is None
        alone += classify_line(doc.text[a:b]) is None
    print()
    print(f"bundled post ({POST.name}): {len(doc.sentences)} body sentences, {len(marked)} marked "
          f"({', '.join(s.not_writing for s in marked) or 'none'})")
    print(f"  its {len(rows)} annotated body sentences (offsets in xhs_will_2025_sentiment.jsonl): "
          f"{hit} found by the segmenter and not marked, {alone} not marked read alone")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--show", action="store_true", help="print the train split's errors to stderr; write no file")
    args = ap.parse_args()
    docs = read_docs(need(args.corpus))
    buf = io.StringIO()
    with redirect_stdout(buf):
        print(" ".join([".venv/bin/python", "benchmarks/not_writing.py", *sys.argv[1:]]))
        print(f"# not part of the writing: {sum(map(len, docs.values()))} sentences of {len(docs)} documents "
              f"({args.corpus.parent.name}/{args.corpus.name})")
        corpus_table(docs, args.show)
        post_check()
    sys.stdout.write(buf.getvalue())
    if not args.show:
        OUT.write_text(buf.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
