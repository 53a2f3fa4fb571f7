"""Sentiment: would English class offsets help the shipped recipe? (issue 18)

The shipped model tunes class offsets (log-probability shifts of negative and neutral) for
Chinese only (``--tune-bias zh``). This measures, on the predictions of a model made by the
README's training command, what the English offsets would be and what they would do: tuned on the English
cross-validated rows (mean over the English corpora of 3-class macro-F1, binary accuracy
for SST-2 and Pang & Lee: the trainer's rule) and cross-fitted on the trainer's folds
for the CV figures; tuned on all English CV rows for the held-out dev splits and the
annotated post. Nothing is refitted: it reads the trainer's ``--predictions`` file
(English rows carry no offsets there) and recomputes the trainer's folds.

Run (the predictions of the README's training command)::

    .venv/bin/python benchmarks/sentiment_offsets.py --predictions benchmarks/_out/sentiment_predictions.jsonl \\
        | tee benchmarks/sentiment_offsets.out.txt
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import SHARED, header  # noqa: E402
from benchmarks.sentiment_seeds import CORPORA, LABEL_MAP, figure  # noqa: E402
from xhs_nlp.sentiment import LABELS, apply_class_bias, training_folds, training_rows  # noqa: E402
from xhs_nlp.thresholds import cross_fitted_bias, tune_class_bias  # noqa: E402

BINARY = ("sst2_sentences", "pang_lee_sentence_polarity_v1")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--predictions", required=True, help="the trainer's --predictions file")
    ap.add_argument("--corpora", default=str(SHARED))
    args = ap.parse_args()
    header("sentiment: English class offsets on the predictions of the training command (issue 18)")
    recs = [json.loads(line) for line in open(args.predictions, encoding="utf-8")]
    by_kind = {k: [r for r in recs if r["kind"] == k] for k in ("cv", "held_out", "check")}
    train = training_rows([Path(args.corpora) / c / "data.jsonl" for c in CORPORA], LABEL_MAP).train
    cv = by_kind["cv"]
    if [r.text for r in train] != [r["text"] for r in cv]:
        sys.exit("the predictions file's CV rows are not the training rows of the README's command")
    P = np.array([[r[f"p_{k}"] for k in LABELS] for r in cv])
    y = np.array([r["label"] for r in cv], dtype=object)
    corpora = np.array([r["corpus"] for r in cv], dtype=object)
    en = np.array([r["lang"] == "en" for r in cv])
    bias = tune_class_bias(P[en], y[en], corpora[en], binary_units=BINARY)
    P_x = cross_fitted_bias(P, y, corpora, training_folds(train), rows=en, binary_units=BINARY)
    print(f"English offsets tuned on all {int(en.sum())} English CV rows (negative, neutral, positive): {bias}\n")
    print(f"{'rows':<44}{'n':>7}{'no offsets':>12}{'offsets':>10}{'change':>9}")

    def line(name: str, Pa: np.ndarray, Pb: np.ndarray, ya: np.ndarray, binary: bool) -> None:
        a, b = figure(Pa, ya, binary), figure(Pb, ya, binary)
        print(f"{name:<44}{len(ya):>7}{a:>12.4f}{b:>10.4f}{b - a:>+9.4f}")

    for c in sorted(set(corpora[en].tolist())):
        m = en & (corpora == c)
        line(f"{c}, 5-fold CV (cross-fitted)", P[m], P_x[m], y[m], c in BINARY)
    for kind, rows in (("dev", by_kind["held_out"]), ("check", by_kind["check"])):
        for c in sorted({r["corpus"] for r in rows if r["lang"] == "en"}):
            rs = [r for r in rows if r["corpus"] == c and r["lang"] == "en"]
            Ph = np.array([[r[f"p_{k}"] for k in LABELS] for r in rs])
            yh = np.array([r["label"] for r in rs], dtype=object)
            line(f"{c}, {kind}", Ph, apply_class_bias(Ph, bias), yh, c in BINARY)
    print("\n3-class rows: macro-F1; SST-2 and Pang & Lee: accuracy of the larger of negative/positive. "
          "dev/check rows: offsets tuned on all English CV rows.")


if __name__ == "__main__":
    main()
