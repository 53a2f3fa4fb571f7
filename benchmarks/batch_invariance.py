"""Does a text's vector depend on the other texts of its batch? And what does it cost to
make sure it does not?

The texts: the sentences and paragraphs of the first ``--docs`` SemEval-2023 op-eds (as in
``end_to_end.py``). For each precision (fp32, bf16 where the CPU has it) and padding rule
(``invariant=False``: each batch padded to its longest window, the earlier rule;
``invariant=True``: each window padded to the next multiple of 8 tokens by itself, and
batched only with windows padded alike):

* the largest difference between a text encoded alone and the same text encoded in the
  batch of all texts (0 means the vector is a function of the text alone);
* encoding time of all texts (cache off), median of ``--repeat`` runs interleaved across
  the rules, so machine noise hits both alike; the ratio is taken in the same run.

Usage::

    .venv/bin/python benchmarks/batch_invariance.py [--docs 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from end_to_end import opinion_articles  # noqa: E402

import xhs_nlp  # noqa: E402
from xhs_nlp.encoder import Encoder, native_bf16  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sample", type=int, default=150, help="texts encoded alone for the difference")
    args = ap.parse_args()
    texts = []
    for a in opinion_articles(args.docs):
        d = xhs_nlp.segment(a["text"])
        texts += [s.text for s in d.sentences] + [p.text for p in d.paragraphs]
    texts = list(dict.fromkeys(texts))
    print(f"{len(texts)} distinct sentences and paragraphs of {args.docs} op-eds")
    precisions = ["fp32"] + (["bf16"] if native_bf16() else [])
    for prec in precisions:
        encs = {inv: Encoder(precision=prec, cache_size=0, invariant=inv) for inv in (False, True)}
        for e in encs.values():
            e.load()
        step = max(1, len(texts) // args.sample)
        sample = texts[::step][: args.sample]
        times: dict[bool, list[float]] = {False: [], True: []}
        batch: dict[bool, np.ndarray] = {}
        for _ in range(args.repeat):
            for inv, e in encs.items():
                t0 = time.perf_counter()
                batch[inv] = e.features(texts)
                times[inv].append(time.perf_counter() - t0)
        for inv, e in encs.items():
            idx = [texts.index(t) for t in sample]
            alone = np.stack([e.features([t])[0] for t in sample])
            diff = float(np.abs(alone - batch[inv][idx]).max())
            med = statistics.median(times[inv])
            print(f"{prec} invariant={inv!s:<5}  alone vs batch max |diff| {diff:.2e}   encode all: {med:.1f} s "
                  f"(runs {', '.join(f'{x:.1f}' for x in times[inv])})")
        r = statistics.median(times[True]) / statistics.median(times[False])
        print(f"{prec}: invariant padding costs {100 * (r - 1):+.1f}% encoding time (ratio {r:.3f}, same run)")


if __name__ == "__main__":
    main()
