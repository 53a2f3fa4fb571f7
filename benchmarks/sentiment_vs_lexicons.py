"""Sentiment accuracy: xhs_nlp's model vs VADER (English) and cnsenti (Chinese), one run.

Same sentences for every system:
* SST-2 dev (872 sentences): the model is trained on SST-2 train, Pang & Lee polarity
  (minus the 767 sentences that copy SST-2 dev) and ChnSentiCorp;
* ChnSentiCorp held-out folds: 5-fold cross-validation (grouped by normalised text);
  each review is scored by a model that never saw it.
Also the floor: plain logistic regression on the frozen e5 sentence embedding.

Run:  .venv/bin/python benchmarks/sentiment_vs_lexicons.py [CORPORA_DIR]
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from xhs_nlp._lexicon import cnsenti_scores, vader_scores
from xhs_nlp.labelled import load_labelled
from xhs_nlp.sentiment import train_sentiment

root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpora")
sst2, pl, chn = (root / "sst2_sentences/data.jsonl", root / "pang_lee_sentence_polarity_v1/data.jsonl",
                 root / "chnsenticorp_htl_zh/data.jsonl")
t0 = time.perf_counter()
from xhs_nlp.encoder import get_encoder

get_encoder().cache_size = 100_000  # keep every training text: the floor below reuses them
model = train_sentiment([sst2, pl, chn], None, verbose=True)
oof = model.cv_predictions_


def acc(pred, gold):
    return float(np.mean(np.asarray(pred) == np.asarray(gold)))


def lex_label(score):
    return np.where(score > 0, "positive", np.where(score < 0, "negative", "neutral"))


rows = []
# SST-2 dev
texts, labels, langs = load_labelled(sst2, split="dev")
p = model.p_positive(texts, langs)
v = vader_scores(texts)[:, 3]
c = cnsenti_scores(texts)
from sklearn.linear_model import LogisticRegression  # the floor

enc = model.shared_encoder()
E_tr = enc.encode(oof["text"])
floor = LogisticRegression(max_iter=3000).fit(E_tr, np.array(oof["label"]) == "positive")
rows.append(("SST-2 dev (en)", len(texts), acc(np.where(p > 0.5, "positive", "negative"), labels),
             acc(np.where(floor.predict(enc.encode(texts)), "positive", "negative"), labels),
             acc(lex_label(v), labels), acc(lex_label(c[:, 1] - c[:, 0]), labels)))
# ChnSentiCorp held-out folds
idx = [i for i, s in enumerate(oof["source"]) if s == "chnsenticorp_htl_zh"]
ct = [oof["text"][i] for i in idx]
cl = [oof["label"][i] for i in idx]
cp = oof["p_positive"][idx]
from sklearn.model_selection import cross_val_predict, StratifiedKFold

Ec = enc.encode(ct)
fl = cross_val_predict(LogisticRegression(max_iter=3000), Ec, np.array(cl) == "positive", cv=StratifiedKFold(5, shuffle=True, random_state=0))
cc = cnsenti_scores(ct)
vv = vader_scores(ct)[:, 3]
rows.append(("ChnSentiCorp 5-fold held-out (zh)", len(ct), acc(np.where(cp > 0.5, "positive", "negative"), cl),
             acc(np.where(fl, "positive", "negative"), cl), acc(lex_label(vv), cl), acc(lex_label(cc[:, 1] - cc[:, 0]), cl)))

import sklearn, torch, transformers

print()
print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}, torch {torch.__version__}, "
      f"transformers {transformers.__version__}, scikit-learn {sklearn.__version__}; {time.perf_counter() - t0:.0f} s")
print("| data | n | xhs_nlp model | floor: LR on e5 embedding | VADER | cnsenti |")
print("|---|---|---|---|---|---|")
for name, n, a, f, vd, cs in rows:
    print(f"| {name} | {n} | **{a:.3f}** | {f:.3f} | {vd:.3f} | {cs:.3f} |")
print("(lexicons: score 0, i.e. no lexicon hit, counts as wrong: it is neither label)")
print(json.dumps({"cv": model.card["metrics"]}, indent=1))
