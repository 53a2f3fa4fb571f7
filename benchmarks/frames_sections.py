"""Frames as a reader names them (issue 34): documents, sections and the calibration check.

Compares frames models (default: the shipped one) with a reader's labels:

* the op-ed reading corpus's dev documents (``docs.jsonl``, split ``dev``), per language;
* the bundled post's sections and the post as a whole (``corpora/xhs_will_2025_frames.jsonl``,
  scored by :func:`xhs_nlp.framing.document_framing` as ``xhs-nlp analyze`` does);
* 17 chunks of five dev documents read as sections
  (``corpora/opinion_reading_dev_section_frames.jsonl``; their texts are rebuilt from
  ``sentences.jsonl`` of the corpus, as its guideline says);
* how often each frame is "on" across all those sections: a frame on in (nearly) every section
  is a calibration error, not a finding.

micro-F1 pools every (text, frame) decision of a set. English dev documents are SemEval-2023
articles: a model trained on SemEval's frames (the model shipped before issue 34) has seen
their text, with SemEval's labels.

Run:  .venv/bin/python benchmarks/frames_sections.py [--model NAME=DIR ...] [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import POST, ROOT, SHARED, header  # noqa: E402

import xhs_nlp  # noqa: E402
from xhs_nlp.framing import FRAMES, FramingClassifier, document_framing  # noqa: E402
from xhs_nlp.metrics import micro_f1  # noqa: E402


def indicator(label_lists) -> np.ndarray:
    Y = np.zeros((len(label_lists), len(FRAMES)), dtype=bool)
    for i, ls in enumerate(label_lists):
        for lab in ls:
            Y[i, FRAMES.index(lab)] = True
    return Y


def dev_chunks(corpora: Path) -> tuple[list[dict], list[str]]:
    rows = [json.loads(x) for x in (ROOT / "corpora" / "opinion_reading_dev_section_frames.jsonl").open(encoding="utf-8")]
    sents = defaultdict(list)
    for line in (corpora / "opinion_reading_zh_en" / "sentences.jsonl").open(encoding="utf-8"):
        s = json.loads(line)
        if not s["skip"]:
            sents[s["doc_key"]].append(s["text"])
    texts = []
    for r in rows:
        a, b = r["sentences"]
        texts.append((" " if r["lang"] == "en" else "").join(sents[r["doc_key"]][a:b]))
    return rows, texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", nargs="*", default=["shipped=" + str(ROOT / "models" / "frames")], metavar="NAME=DIR")
    ap.add_argument("--corpora", default=str(SHARED))
    args = ap.parse_args()
    corpora = Path(args.corpora)
    header("Frames of documents and sections against a reader's labels (issue 34)")
    docs = [json.loads(x) for x in (corpora / "opinion_reading_zh_en" / "docs.jsonl").open(encoding="utf-8")]
    dev = [d for d in docs if d["split"] == "dev"]
    post_rows = [json.loads(x) for x in (ROOT / "corpora" / "xhs_will_2025_frames.jsonl").open(encoding="utf-8")]
    chunk_rows, chunk_texts = dev_chunks(corpora)
    doc = xhs_nlp.segment(POST.read_text(encoding="utf-8"))
    for spec in args.model:
        name, folder = spec.split("=", 1)
        fm = FramingClassifier.load(folder, scheme="frames")
        print(f"## {name}: {folder}")
        for lg in ("en", "zh"):
            ds = [d for d in dev if d["lang"] == lg]
            P = fm.predict([d["text"] for d in ds]).astype(bool)
            Y = indicator([d["frames"] for d in ds])
            print(f"dev documents {lg} ({len(ds)}): micro-F1 {micro_f1(Y, P):.3f}; frames per document "
                  f"predicted {P.sum(1).mean():.2f}, labelled {Y.sum(1).mean():.2f}")
        res = document_framing(doc, frames_model=fm)
        by_index = {s.index: s for s in res.sections}
        pred_post = [by_index[r["section"]].frames_on if r["section"] is not None else res.document.frames_on
                     for r in post_rows]
        secs = [i for i, r in enumerate(post_rows) if r["section"] is not None]
        Yp, Pp = indicator([post_rows[i]["frames"] for i in secs]), indicator([pred_post[i] for i in secs])
        print(f"post sections ({len(secs)}): micro-F1 {micro_f1(Yp, Pp):.3f}")
        for i, r in enumerate(post_rows):
            where = f"section {r['number'] or r['section']}" if r["section"] is not None else "whole post"
            print(f"  {where:<12} reader: {', '.join(r['frames'])}\n  {'':<12} model:  {', '.join(pred_post[i]) or '-'}")
        Pc = fm.predict(chunk_texts).astype(bool)
        Yc = indicator([r["frames"] for r in chunk_rows])
        for lg in ("en", "zh"):
            m = np.array([r["lang"] == lg for r in chunk_rows])
            print(f"dev chunks as sections {lg} ({m.sum()}): micro-F1 {micro_f1(Yc[m], Pc[m]):.3f}")
        on = np.vstack([Pp, Pc])
        rate = on.mean(0)
        print(f"share of the {len(on)} sections with each frame on (post sections + chunks): "
              + ", ".join(f"{FRAMES[j]} {rate[j]:.2f}" for j in np.argsort(-rate) if rate[j] > 0))
        always = [FRAMES[j] for j in range(len(FRAMES)) if rate[j] >= 0.9]
        print(f"frames on in at least 90% of sections: {', '.join(always) or 'none'}")
        print()


if __name__ == "__main__":
    main()
