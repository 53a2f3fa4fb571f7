"""Persuasion techniques: the linear head, the MLP head and their average, over seeds.

Same rows, folds and protocol as ``xhs-nlp train framing`` (SemEval-2023 Task 3
paragraphs, deduplicated; 5-fold GroupKFold by article; each fold judged with per-label
thresholds tuned on the other folds' out-of-fold predictions). Reports micro-F1 (all
languages, and per language) and macro-F1 for

* ``linear``: one logistic regression per label (C = 0.001), the model shipped before;
* ``mlp seed k``: the shared-hidden-layer network alone, for several seeds;
* ``linear+mlp seed k``: the two heads' probabilities averaged (``head="linear+mlp"``,
  the shipped model at seed 0). The average is computed from the two heads' out-of-fold
  probabilities, which is what ``FramingClassifier(head="linear+mlp")`` predicts (a test
  checks that equality).

Encoder features are computed once at fp32 (as the shipped models were trained) and kept
in ``--cache`` for reruns. About 25 minutes on 2 cores (8 of them encoding)::

    .venv/bin/python benchmarks/techniques_heads.py [--seeds 0,1,2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("XHS_NLP_PRECISION", "fp32")

import numpy as np  # noqa: E402
from _common import ROOT, SHARED, header, need  # noqa: E402

sys.path.insert(0, str(ROOT))

from xhs_nlp.labelled import dedupe  # noqa: E402
from xhs_nlp.framing import FramingClassifier, read_framing_rows  # noqa: E402
from xhs_nlp.metrics import multilabel_report  # noqa: E402
from xhs_nlp.thresholds import cross_fitted  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(SHARED / "semeval2023_task3" / "persuasion.jsonl"))
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--cache", default="/tmp/xhs_nlp_techniques_features.npy")
    args = ap.parse_args()
    from sklearn.model_selection import GroupKFold

    header("persuasion techniques: linear, MLP and linear+MLP heads")
    _, rows, _ = read_framing_rows(need(Path(args.data)))
    train = dedupe(rows, label=lambda r: tuple(sorted(r.label)))
    texts, labels = [r.text for r in train], [r.label for r in train]
    langs, groups = np.array([r.lang for r in train]), np.array([r.group for r in train])
    base = FramingClassifier("techniques")
    Y = base.indicator(labels, len(texts))
    cache = Path(args.cache)
    if cache.exists() and np.load(cache, mmap_mode="r").shape[0] == len(texts):
        Z = np.load(cache)
    else:
        t = time.perf_counter()
        Z = base.features(texts, progress=True)
        np.save(cache, Z)
        print(f"\nencoded {len(texts)} paragraphs in {time.perf_counter() - t:.0f} s")
    print(f"{len(rows)} rows -> {len(texts)} paragraphs after dedup/conflicts, {len(set(groups))} articles, "
          f"{Z.shape[1]} features\n")
    splits = list(GroupKFold(n_splits=args.folds).split(texts, groups=groups))

    def oof(**params) -> np.ndarray:
        return FramingClassifier("techniques", **params).out_of_fold(texts, Y, splits, features=Z)

    def report(name: str, P: np.ndarray, seconds: float) -> None:
        m = multilabel_report(Y, cross_fitted(P, Y, splits, min_positive=base.min_positive), base.labels, langs)
        per = " ".join(f"{lg} {v['micro_f1']:.3f}" for lg, v in m["per_lang"].items())
        print(f"{name:<22} micro {m['micro_f1']:.4f} macro {m['macro_f1']:.4f}  {per}  ({seconds:.0f} s)", flush=True)

    t = time.perf_counter()
    lin = oof(head="linear")
    report("linear", lin, time.perf_counter() - t)
    for seed in (int(s) for s in args.seeds.split(",")):
        t = time.perf_counter()
        mlp = oof(head="mlp", random_state=seed)
        report(f"mlp seed {seed}", mlp, time.perf_counter() - t)
        report(f"linear+mlp seed {seed}", (lin + mlp) / 2, 0)


if __name__ == "__main__":
    main()
