"""Hard-wrapped text: does segmentation find the same paragraphs and sentences in an op-ed
wrapped at a fixed width (an editor's, an e-mail's, ``pdftotext``'s) as in the same op-ed
written one paragraph per line?

The op-ed reading corpus's documents (``../shared/corpora/opinion_reading_zh_en``, both
splits; the sentences that are part of the writing, four to a paragraph) are written three
ways: one paragraph per line with blank lines between (the reference), the same wrapped at a
width with ``textwrap`` (English: between words; Chinese: every ``width`` characters, as a
PDF's lines), with and without blank lines between paragraphs. For each:

* **sentences kept**: the reference's sentences found with the same text (whitespace
  aside) in the wrapped document;
* **paragraphs**: how many the wrapped document has against the reference's.

The corpus's texts are research-only: only counts are printed.

Run:  .venv/bin/python benchmarks/hard_wrapped.py [--out OUT.txt]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, header, need  # noqa: E402

import xhs_nlp  # noqa: E402

WIDTHS = {"en": (60, 72, 80, 100), "zh": (30, 40, 50)}


def documents() -> dict[str, dict[str, list[str]]]:
    docs: dict[str, dict[str, list[str]]] = {"en": collections.defaultdict(list), "zh": collections.defaultdict(list)}
    with need(SHARED / "opinion_reading_zh_en" / "sentences.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if not r["skip"] and r["lang"] in docs:
                docs[r["lang"]][r["doc_key"]].append(r["text"])
    return docs


def wrap(paragraph: str, lang: str, width: int) -> str:
    if lang == "en":
        return textwrap.fill(paragraph, width, break_on_hyphens=False, break_long_words=False)
    return "\n".join(paragraph[i:i + width] for i in range(0, len(paragraph), width))


def reading(text: str) -> tuple[list[str], int]:
    doc = xhs_nlp.segment(text)
    return ["".join(s.text.split()) for s in doc.sentences], len(doc.paragraphs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        header("hard-wrapped text: segmentation against one paragraph per line")
        print(f"xhs_nlp from {Path(xhs_nlp.__file__).parent}")
        print()
        print("| lang | width | blank lines between paragraphs | documents | sentences kept | paragraphs (reference) |")
        print("|---|---|---|---|---|---|")
        for lang, docs in documents().items():
            paras = {k: [("" if lang == "zh" else " ").join(s[i:i + 4]) for i in range(0, len(s), 4)]
                     for k, s in docs.items()}
            refs = {k: reading("\n\n".join(p)) for k, p in paras.items()}
            n_sent = sum(len(r[0]) for r in refs.values())
            n_para = sum(r[1] for r in refs.values())
            for width in WIDTHS[lang]:
                for sep in ("\n\n", "\n"):
                    kept = got = 0
                    for k, p in paras.items():
                        sents, n = reading(sep.join(wrap(x, lang, width) for x in p))
                        kept += len(set(refs[k][0]) & set(sents))
                        got += n
                    print(f"| {lang} | {width} | {'yes' if sep == chr(10) * 2 else 'no'} | {len(paras)} | "
                          f"{kept / n_sent:.3f} ({kept} of {n_sent}) | {got} ({n_para}) |")
    sys.stdout.write(buf.getvalue())
    if args.out:
        args.out.write_text(buf.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
