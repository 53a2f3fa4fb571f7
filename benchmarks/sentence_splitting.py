"""The library's sentence splitter against pysbd (issue 35: a hand-written part beside the
well-kept library that does the same), on text whose sentence boundaries are known.

Gold: sentences that corpora give one per row, joined back into running text, eight at a
time (English with a space, Chinese with nothing, as they stand in an article):

* CheckThat! 2023 + 2025 subjectivity, English (news sentences);
* ClaimBuster (sentences of US presidential debates, the first 4,000 rows);
* ECOB-ZH (Chinese news commentary, each article's sentences in order).

A row that is itself more than one sentence makes a boundary no splitter should be blamed
for missing, and such rows exist in all three (quotes, debate turns); the figures are
comparable between splitters, not absolute. Reported per set: boundary precision, recall
and F1 (a boundary: the offset where a gold sentence ends, white space ignored), the share
of gold sentences returned exactly, and speed (MB/s of the joined text, median of 3).

Run (bench extra: ``pip install -e '.[bench]'``, seconds):

    .venv/bin/python benchmarks/sentence_splitting.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header, shared_rows  # noqa: E402

from xhs_nlp.segment.sentences import split_sentences  # noqa: E402

GROUP = 8


def documents(sentences: list[list[str]], joiner: str) -> list[tuple[str, set[int]]]:
    """Running texts of ``GROUP`` gold sentences (each list: one article's sentences in
    order, cut into groups) and the offsets where their sentences end."""
    out = []
    for article in sentences:
        for k in range(0, len(article), GROUP):
            part = [" ".join(s.split()) for s in article[k:k + GROUP] if s.strip()]
            if len(part) < 2:
                continue
            text, ends, pos = joiner.join(part), set(), 0
            for s in part:
                pos += len(s)
                ends.add(pos)
                pos += len(joiner)
            out.append((text, ends))
    return out


def ours(text: str) -> list[tuple[int, int]]:
    return split_sentences(text)


def pysbd_splitter(lang: str):
    import pysbd

    seg = pysbd.Segmenter(language=lang, clean=False, char_span=True)

    def split(text: str) -> list[tuple[int, int]]:
        spans = []
        for s in seg.segment(text):
            a, b = s.start, s.end
            while b > a and text[b - 1].isspace():
                b -= 1
            spans.append((a, b))
        return spans

    return split


def score(docs: list[tuple[str, set[int]]], split) -> dict[str, float]:
    tp = fp = fn = exact = gold_n = 0
    for text, ends in docs:
        spans = split(text)
        pred = {b for _, b in spans[:-1]}  # the text's own end is no boundary
        gold = ends - {len(text)}
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
        starts = [0] + sorted(e + (1 if text[e:e + 1] == " " else 0) for e in gold)
        gold_spans = set(zip(starts, sorted(gold) + [len(text)]))
        exact += len(gold_spans & {(a, b) for a, b in spans})
        gold_n += len(gold_spans)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for text, _ in docs:
            split(text)
        times.append(time.perf_counter() - t0)
    mb = sum(len(t.encode()) for t, _ in docs) / 1e6
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "exact": exact / gold_n,
            "mb_s": mb / sorted(times)[1]}


def main() -> None:
    header("sentence splitting: xhs_nlp vs pysbd")
    sets: dict[str, tuple[str, list[tuple[str, set[int]]]]] = {}
    ct = [r["text"] for name in ("checkthat2025_subjectivity", "checkthat2023_subjectivity")
          for r in shared_rows(f"{name}/data.jsonl") if r["lang"] == "en"]
    sets["CheckThat! en"] = ("en", documents([ct], " "))
    cb = [r["text"] for r in shared_rows("claimbuster/data_3class.jsonl", 4000)]
    sets["ClaimBuster en"] = ("en", documents([cb], " "))
    articles: dict[str, list[tuple[int, str]]] = {}
    for r in shared_rows("ecob_zh/data.jsonl"):
        _, art, idx = r["source_id"].split(":")
        articles.setdefault(art, []).append((int(idx), r["text"]))
    zh = [[t for _, t in sorted(v)] for v in articles.values()]
    sets["ECOB-ZH zh"] = ("zh", documents(zh, ""))
    print(f"{'set':16s} {'texts':>6s} {'splitter':9s} {'precision':>9s} {'recall':>7s} {'F1':>6s} {'exact':>6s} {'MB/s':>7s}")
    for name, (lang, docs) in sets.items():
        for label, split in (("xhs_nlp", ours), ("pysbd", pysbd_splitter(lang))):
            s = score(docs, split)
            print(f"{name:16s} {len(docs):6d} {label:9s} {s['precision']:9.3f} {s['recall']:7.3f} {s['f1']:6.3f} "
                  f"{s['exact']:6.3f} {s['mb_s']:7.2f}")


if __name__ == "__main__":
    main()
