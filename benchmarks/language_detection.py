"""How often :func:`xhs_nlp.segment.language.detect_lang` gives a labelled text its own tag.

Reads the shared corpora that carry a ``lang`` field written by their publishers:
CheckThat! 2023 + 2025 subjectivity (sentences: ar bg de en it tr), SemEval-2023 Task 3
persuasion (paragraphs: de en fr it pl ru), and the first 4,000 rows each of ClaimBuster
and SST-2 (English). Prints, per set, the share tagged right and the commonest tags, for
the library's tagger and, beside it, for langid.py (Lui & Baldwin 2012, the bench extra;
issue 35: a hand-written part measured against a well-kept library), and the speed of both.

Run (a minute; no model of the library is loaded)::

    .venv/bin/python benchmarks/language_detection.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import header, shared_rows  # noqa: E402

from xhs_nlp.segment.language import detect_lang  # noqa: E402


def main() -> None:
    header("language detection on the labelled corpora")
    sets: dict[str, list[str]] = {}
    for name in ("checkthat2025_subjectivity", "checkthat2023_subjectivity"):
        for r in shared_rows(f"{name}/data.jsonl"):
            sets.setdefault(f"CheckThat! {r['lang']}", []).append(r["text"])
    for r in shared_rows("semeval2023_task3/persuasion.jsonl"):
        sets.setdefault(f"SemEval-2023 {r['lang']}", []).append(r["text"])
    sets["ClaimBuster en"] = [r["text"] for r in shared_rows("claimbuster/data_3class.jsonl", 4000)]
    sets["SST-2 en"] = [r["text"] for r in shared_rows("sst2_sentences/data.jsonl", 4000)]
    import langid

    taggers = {"xhs_nlp": detect_lang, "langid": lambda t: langid.classify(t)[0]}
    seconds = dict.fromkeys(taggers, 0.0)
    print(f"{'set':18s} {'n':>6s} {'tagger':8s} {'right':>6s}  commonest tags")
    for key in sorted(sets, key=lambda k: (k.split()[-1], k)):
        lang, texts = key.split()[-1], sets[key]
        for name, tag in taggers.items():
            t0 = time.perf_counter()
            tags = Counter(tag(t) for t in texts)
            seconds[name] += time.perf_counter() - t0
            print(f"{key:18s} {len(texts):6d} {name:8s} {tags[lang] / len(texts):6.3f}  "
                  + " ".join(f"{t}:{n}" for t, n in tags.most_common(4)))
    total = sum(len(t) for texts in sets.values() for t in texts)
    print("\nspeed (all sets, one pass): " + "; ".join(f"{k} {total / 1e6 / v:.2f} M characters/s"
                                                     for k, v in seconds.items()))


if __name__ == "__main__":
    main()
