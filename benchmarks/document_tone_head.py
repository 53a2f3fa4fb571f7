"""Document tone (issue 32): can a small head over a document's sentences beat the shipped rule
(the sign of the token-weighted mean sentence score, neutral within 0.10)?

Documents: the op-ed reading corpus (``../shared/corpora/opinion_reading_zh_en``, 135 training
and 33 dev documents) and, with ``--more DIR`` (``xhs-nlp extend-corpus ... --apart`` output,
``opinion_reading_more_en``), the project's 30 English op-eds as more training documents.
Each document's sentences that are part of the writing (``skip`` false) are encoded with the
shipped encoder and read by the shipped sentiment model. Heads (logistic regression,
standardised inputs, balanced class weights; tones negative / positive / other = mixed or
neutral):

* ``probs``: the mean of the sentences' three probabilities, their argmax shares and the
  mean score P(pos) - P(neg);
* ``emb``: the mean of the sentences' encoder features over the last layer, the last four, or
  all thirteen;
* ``emb+probs``: both.

Reported: 5-fold cross-validation on the training documents and a fit on all of them read on
the dev documents, agreeing documents / documents per language and tone, beside the shipped
rule on the same documents. The training documents' sentence probabilities are in-sample (the
sentiment model and the fine-tuned encoder learnt from their sentences), so their CV figures
flatter every head; the dev figures are the fair ones.

Run:  .venv/bin/python benchmarks/document_tone_head.py [--more DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import defaultdict
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header, need  # noqa: E402
from oped_reading import CORPUS  # noqa: E402

TONES = ("negative", "positive", "other")


def load(folder: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    docs = [json.loads(x) for x in open(need(folder / "docs.jsonl"), encoding="utf-8")]
    sents: dict[str, list[dict]] = defaultdict(list)
    for x in open(need(folder / "sentences.jsonl"), encoding="utf-8"):
        s = json.loads(x)
        if not s["skip"]:
            sents[s["doc_key"]].append(s)
    return docs, sents


def agree(pred: np.ndarray, gold: np.ndarray, lang: np.ndarray) -> str:
    parts = []
    for lg in ("en", "zh"):
        cells = [f"{t[:3]} {int(((gold == t) & (lang == lg) & (pred == t)).sum())}/{int(((gold == t) & (lang == lg)).sum())}"
                 for t in TONES]
        parts.append(f"{lg} " + " ".join(cells))
    return " | ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--more", default=None, help="folder of opinion_reading_more_en (extend-corpus --apart)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from xhs_nlp.encoder import get_encoder
    from xhs_nlp.segment.tokens import tokenize_span
    from xhs_nlp.sentiment import SentimentModel, aggregate, score_label

    docs, sents = load(CORPUS)
    if args.more:
        more, msents = load(Path(args.more))
        docs += more
        sents.update(msents)
    docs = [d for d in docs if sents[d["doc_key"]]]
    texts = [s["text"] for d in docs for s in sents[d["doc_key"]]]
    langs = [s["lang"] for d in docs for s in sents[d["doc_key"]]]
    F = get_encoder().features(texts)
    items = SentimentModel.load(Path(__file__).resolve().parents[1] / "models" / "sentiment").score_texts(texts, langs)
    P = np.array([[s.probabilities[k] for k in ("negative", "neutral", "positive")] for s in items])
    # the weights score_document gives a sentence: its word and number tokens
    weights = [sum(1 for _, _, kind in tokenize_span(t) if kind in ("word", "number")) for t in texts]
    idx = np.cumsum([0] + [len(sents[d["doc_key"]]) for d in docs])
    lang = np.array([d["lang"] for d in docs])
    split = np.array([d["split"] for d in docs])
    tone = np.array([d["tone"] if d["tone"] in ("negative", "positive") else "other" for d in docs])
    n = len(docs)
    stats = []
    rule = []
    for i in range(n):
        p = P[idx[i]:idx[i + 1]]
        label = score_label(aggregate(items[idx[i]:idx[i + 1]], weights[idx[i]:idx[i + 1]]).score)
        rule.append(label if label != "neutral" else "other")
        am = p.argmax(1)
        stats.append(np.r_[p.mean(0), np.bincount(am, minlength=3) / len(am), (p[:, 2] - p[:, 0]).mean()])
    stats, rule = np.array(stats), np.array(rule)
    tr, dv = split == "train", split == "dev"

    def pool(layers: list[int]) -> np.ndarray:
        return np.stack([F[idx[i]:idx[i + 1]][:, layers].mean(axis=(0, 1)) for i in range(n)])

    buf = io.StringIO()
    with redirect_stdout(buf):
        header("document tone: a head over the sentences against the shipped rule (issue 32)")
        print(f"documents: train {int(tr.sum())}, dev {int(dv.sum())}")
        print(f"{'rule (the mean as score_document)':38s}          train {agree(rule[tr], tone[tr], lang[tr])} || "
              f"dev {agree(rule[dv], tone[dv], lang[dv])}")
        variants = [("probs", stats, C) for C in (0.01, 0.1, 1.0)]
        for name, layers in (("last", [-1]), ("last 4", [-4, -3, -2, -1]), ("all 13", list(range(F.shape[1])))):
            X = pool(layers)
            for C in (0.001, 0.01):
                variants += [(f"emb {name}", X, C), (f"emb {name}+probs", np.c_[X, stats * 10], C)]
        for name, X, C in variants:
            clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000, class_weight="balanced"))
            cv = cross_val_predict(clf, X[tr], tone[tr], cv=StratifiedKFold(5, shuffle=True, random_state=0))
            clf.fit(X[tr], tone[tr])
            print(f"{name:28s} C {C:<6}   CV {agree(cv, tone[tr], lang[tr])} || "
                  f"dev {agree(clf.predict(X[dv]), tone[dv], lang[dv])}")
    print(buf.getvalue(), end="")
    if args.out:
        Path(args.out).write_text(buf.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
