"""Both languages read alike (issue 32): the same op-ed in English and in Chinese.

Pairs: ``corpora/parallel/`` (the bundled post's body and its Chinese translation, and three
short op-eds written in both languages for the project; how they were made and the reader's
expected reading of each: ``corpora/parallel/README.md`` and ``expected.json``). Every
file is analysed whole (``xhs_nlp.analyze``, the shipped models, or ``--models DIR``) and
the two versions compared section by section:

* sentiment: the sign of each section's and the document's mean score, and its label;
* claims: the claim share of each section (differences over 0.15 are flagged);
* organisations: the main subject (``expected.json``) and the sign of its portrayal;
* frames: the document's top frame.

The reader's expected reading is printed beside each.

Run:  .venv/bin/python benchmarks/parallel_reading.py [--models DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header  # noqa: E402

PAIRS = Path(__file__).resolve().parents[1] / "corpora" / "parallel"


def sign(x: float | None, dead: float = 0.0) -> int:
    return 0 if x is None or abs(x) <= dead else int(np.sign(x))


def reading(a, subject: str) -> dict:
    sections = [{"score": None if s.score is None else round(s.score, 3), "label": s.label,
                 "claim_share": round(a.claim_share(k), 3) if a.claim_counts(k)[1] else None}
                for k, s in enumerate(a.sentiment.sections)]
    ent = a.entities.get(subject)
    return {"document": {"score": round(a.sentiment.document.score, 3), "label": a.sentiment.document.label,
                         "claim_share": round(a.claim_share(), 3)},
            "sections": sections,
            "subject": None if ent is None else {"name": ent.name, "score": round(ent.document.score, 3),
                                                 "mentions": ent.document.n_mentions},
            "top_frame": a.framing.document.top_frames(1)[0][0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=None, help="a folder with sentiment/, claims/, target_sentiment/")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    header("parallel reading: the same op-ed in English and in Chinese")
    import xhs_nlp
    from xhs_nlp.analysis import Models

    models = None
    if args.models:
        f = Path(args.models)
        models = Models.load(sentiment=f / "sentiment", claims=f / "claims", target_sentiment=f / "target_sentiment")
    expected = json.loads((PAIRS / "expected.json").read_text(encoding="utf-8"))
    out = {}
    totals = {"section signs equal": 0, "sections": 0, "claim share within 0.15": 0, "document sign equal": 0,
              "subject sign equal": 0, "top frame equal": 0, "pairs": 0}
    for name, exp in expected.items():
        r = {lg: reading(xhs_nlp.analyze(PAIRS / f"{name}.{lg}.txt", models=models), exp["main_subject"][lg])
             for lg in ("en", "zh")}
        en, zh = r["en"], r["zh"]
        n = min(len(en["sections"]), len(zh["sections"]))
        print(f"\n## {name} (reader: document {exp['doc_tone']}, {exp['main_subject']['en']} "
              f"{exp['main_subject_sign']:+d}, top frame {exp['top_frame']})")
        if len(en["sections"]) != len(zh["sections"]):
            print(f"  sections differ: en {len(en['sections'])}, zh {len(zh['sections'])}")
        print(f"  {'':<12}{'en score':>9} {'label':<9}{'zh score':>9} {'label':<9}{'reader':<9}"
              f"{'en claims':>10}{'zh claims':>10}")
        for k in range(n):
            a, b = en["sections"][k], zh["sections"][k]
            reader = exp["section_tones"][k] if k < len(exp["section_tones"]) else "-"
            same = sign(a["score"]) == sign(b["score"])
            close = a["claim_share"] is None or b["claim_share"] is None or abs(a["claim_share"] - b["claim_share"]) <= 0.15
            totals["sections"] += 1
            totals["section signs equal"] += same
            totals["claim share within 0.15"] += close
            print(f"  section {k:<4}{a['score']:>9} {a['label']:<9}{b['score']:>9} {b['label']:<9}{reader:<9}"
                  f"{a['claim_share']!s:>10}{b['claim_share']!s:>10}" + ("" if same else "  sign differs")
                  + ("" if close else "  claims differ"))
        d_en, d_zh = en["document"], zh["document"]
        print(f"  {'document':<12}{d_en['score']:>9} {d_en['label']:<9}{d_zh['score']:>9} {d_zh['label']:<9}"
              f"{exp['doc_tone']:<9}{d_en['claim_share']:>10}{d_zh['claim_share']:>10}")
        s_en, s_zh = en["subject"], zh["subject"]
        print(f"  main subject: en {s_en}, zh {s_zh}")
        print(f"  top frame: en {en['top_frame']}, zh {zh['top_frame']}")
        totals["pairs"] += 1
        totals["document sign equal"] += sign(d_en["score"]) == sign(d_zh["score"])
        totals["subject sign equal"] += bool(s_en and s_zh and sign(s_en["score"]) == sign(s_zh["score"]))
        totals["top frame equal"] += en["top_frame"] == zh["top_frame"]
        out[name] = r
    print("\n## totals")
    for k, v in totals.items():
        print(f"  {k:<28}{v}")
    if args.json:
        Path(args.json).write_text(json.dumps({"pairs": out, "totals": totals}, indent=1, ensure_ascii=False),
                                   encoding="utf-8")


if __name__ == "__main__":
    main()
