"""Issue 34: choosing the frames model's recipe on the op-ed reading corpus's dev documents
and SemEval's folds.

Features: the frames model's pooled layer features (the shipped encoder; computed once and
kept in ``--cache``). Rows: SemEval-2023 frames articles (minus the 9 that are the source of
English dev documents) and the op-ed reading corpus's training documents. For each inverse L2
strength ``C`` and op-ed weight ``w`` (sample weight in each label's logistic regression):

* ``semeval_cv``: 5-fold GroupKFold micro-F1 on the SemEval rows (op-ed rows in every
  training fold), each fold judged at thresholds tuned on the other folds' SemEval rows;
* ``en``/``zh``: micro-F1 on the dev documents of the model fitted on all rows, at thresholds
  tuned on all out-of-fold predictions (``all``), on SemEval's (``sem``), on the op-ed
  rows' (``op``), or on the op-ed rows of that language (``lang``); ``oof_op``: the op-ed
  training documents' own out-of-fold micro-F1 (at the ``op`` thresholds).

The baseline line scores a model as it is: the SemEval-only model shipped before issue 34 had
the English dev articles in its training data (with SemEval's labels).

Run:  .venv/bin/python benchmarks/frames_in_genre.py --C 0.001 --w 1,2,3,10 [--cache DIR] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, header  # noqa: E402
from frames_sections import indicator  # noqa: E402  (the label lists as a boolean matrix)

from xhs_nlp.framing import FRAMES, FramingClassifier  # noqa: E402
from xhs_nlp.labelled import document_copies, read_labelled  # noqa: E402
from xhs_nlp.metrics import micro_f1  # noqa: E402
from xhs_nlp.thresholds import tune_thresholds  # noqa: E402


def fit_predict(Ztr, Ytr, w, Zte, C):
    from sklearn.linear_model import LogisticRegression

    mu, sd = Ztr.mean(0), Ztr.std(0) + 1e-6
    A, B = (Ztr - mu) / sd, (Zte - mu) / sd
    out = np.zeros((len(Zte), len(FRAMES)))
    for j in range(len(FRAMES)):
        if Ytr[:, j].sum() >= 5:
            out[:, j] = LogisticRegression(C=C, max_iter=2000).fit(A, Ytr[:, j], sample_weight=w).predict_proba(B)[:, 1]
    return out


def main() -> None:
    from sklearn.model_selection import GroupKFold

    ap = argparse.ArgumentParser()
    ap.add_argument("--C", default="0.001")
    ap.add_argument("--w", default="1,2,3")
    ap.add_argument("--cache", default=None, help="folder for the features (computed once)")
    ap.add_argument("--corpora", default=str(SHARED))
    ap.add_argument("--baseline", default=None, help="a frames model folder to score on the dev documents as it is "
                    "(e.g. the SemEval-only model shipped before issue 34; default: the shipped model)")
    args = ap.parse_args()
    corpora = Path(args.corpora)
    header("Frames in genre: recipe chosen on op-ed dev documents and SemEval folds (issue 34)")
    sem = read_labelled([corpora / "semeval2023_task3" / "frames.jsonl"], multilabel=True)
    docs = [json.loads(x) for x in (corpora / "opinion_reading_zh_en" / "docs.jsonl").open(encoding="utf-8")]
    clf = FramingClassifier.load(args.baseline, scheme="frames")
    cache = Path(args.cache) if args.cache else None
    if cache and (cache / "Zsem.npy").is_file():
        Zs, Zd = np.load(cache / "Zsem.npy"), np.load(cache / "Zdocs.npy")
    else:
        Zd, Zs = clf.features([d["text"] for d in docs]), clf.features([r.text for r in sem])
        if cache:
            cache.mkdir(parents=True, exist_ok=True)
            np.save(cache / "Zsem.npy", Zs), np.save(cache / "Zdocs.npy", Zd)
    dev = np.array([d["split"] == "dev" for d in docs])
    copies = document_copies([r.text for r in sem], [d["text"] for d in docs])
    keep = np.array([c is None or not dev[c] for c in copies])
    print(f"SemEval articles that are the source of a dev document, left out: {(~keep).sum()}")
    Ys, Yd = indicator([r.label for r in sem])[keep], indicator([d["frames"] for d in docs])
    Zs = Zs[keep]
    gs = np.array([r.group if c is None else docs[c]["doc_key"] for r, c in zip(sem, copies)])[keep]
    dl = np.array([d["lang"] for d in docs])
    P0 = clf.predict_proba([d["text"] for d in docs], features=Zd)
    for lg in ("en", "zh"):
        m = dev & (dl == lg)
        print(f"baseline {args.baseline or 'shipped model'} as it is, dev {lg}: "
              f"{micro_f1(Yd[m], P0[m] >= clf.thresholds_):.3f}")
    Z, Y = np.vstack([Zs, Zd[~dev]]), np.vstack([Ys, Yd[~dev]])
    g = np.concatenate([gs, np.array([d["doc_key"] for d in docs])[~dev]])
    isop = np.r_[np.zeros(len(Zs), bool), np.ones(int((~dev).sum()), bool)]
    lang = np.concatenate([np.array([r.lang for r in sem])[keep], dl[~dev]])
    splits = list(GroupKFold(5).split(Z, groups=g))
    for C, w in itertools.product(map(float, args.C.split(",")), map(float, args.w.split(","))):
        W = np.where(isop, w, 1.0)
        oof = np.zeros(Y.shape)
        for a, b in splits:
            oof[b] = fit_predict(Z[a], Y[a], W[a], Z[b], C)
        pred = np.zeros(Y.shape, bool)
        for a, b in splits:
            a2, b2 = a[~isop[a]], b[~isop[b]]
            pred[b2] = oof[b2] >= tune_thresholds(oof[a2], Y[a2])
        Pd = fit_predict(Z, Y, W, Zd[dev], C)
        th = {"all": tune_thresholds(oof, Y), "sem": tune_thresholds(oof[~isop], Y[~isop]),
              "op": tune_thresholds(oof[isop], Y[isop])}
        row = {"C": C, "w": w, "semeval_cv": round(micro_f1(Y[~isop], pred[~isop]), 3)}
        for lg in ("en", "zh"):
            m = dl[dev] == lg
            ths = {**th, "lang": tune_thresholds(oof[isop & (lang == lg)], Y[isop & (lang == lg)], min_positive=3)}
            row[lg] = {k: round(micro_f1(Yd[dev][m], Pd[m] >= t), 3) for k, t in ths.items()}
            mm = isop & (lang == lg)
            row[lg]["oof_op"] = round(micro_f1(Y[mm], oof[mm] >= th["op"]), 3)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
