"""Claims in Chinese commentary (issue 18): does fine-tuning the encoder's top layers
reach ECOB-ZH's target (macro-F1 >= 0.72, cross-validated, grouped by event) where the
frozen features stop short?

ECOB-ZH's rows (non-opinion -> claim, opinion -> rhetoric) on the folds of
``claims_in_genre.py`` (its 5-fold ``StratifiedGroupKFold`` over all claim rows,
restricted to ECOB's), so the figures sit beside that benchmark's ``CV ECOB``. Per fold:

* ``frozen floor``: :class:`~xhs_nlp.claims.ClaimClassifier` (logistic regression on the
  frozen encoder's 13 layers, C = 0.001) trained on ECOB's rows alone;
* ``fine-tuned``: the encoder run once up to layer ``--start`` (cached), its layers
  ``--start``..11 trained with a mean-pooled linear head (BCE, AdamW, one-cycle learning
  rate, dropout 0.1; ``benchmarks/_finetune.py``), on ECOB's rows alone.

Reported: macro-F1 at threshold 0.5, and at a threshold tuned on the other folds'
out-of-fold probabilities (cross-fitted: no fold is judged by a threshold it helped set).

Run (about 22 minutes for ``--start 8`` on 2 cores; features of the frozen floor from the
bank of ``--cache``)::

    .venv/bin/python benchmarks/claims_finetune_ecob.py --start 8 | tee benchmarks/claims_finetune_ecob.out.txt
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import SHARED, header  # noqa: E402
from benchmarks._finetune import (TopLayers, add_training_args, layer_states, length_batches,  # noqa: E402
                                  pad_batch, predict_p)
from benchmarks.claims_in_genre import ECOB, claim_folds, claim_rows, macro_f1  # noqa: E402
from xhs_nlp.claims import ClaimClassifier, labels_at  # noqa: E402
from xhs_nlp.thresholds import tune_threshold  # noqa: E402


def cross_fitted(p: np.ndarray, y: np.ndarray, folds: list[np.ndarray]) -> tuple[np.ndarray, list[float]]:
    """Labels of ``p`` with each fold's rows at the threshold tuned on the other folds."""
    out = np.empty(len(p), dtype=object)
    ths = []
    for k, te in enumerate(folds):
        rest = np.concatenate([f for j, f in enumerate(folds) if j != k])
        th = tune_threshold(p[rest], y[rest] == "claim")
        out[te] = labels_at(p[te], th)
        ths.append(th)
    return out, ths


def main() -> None:
    import torch
    import torch.nn.functional as F

    from xhs_nlp.encoder import Encoder

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", default=str(SHARED))
    ap.add_argument("--cache", default=str(ROOT / "benchmarks/_out/feats"))
    add_training_args(ap, start=8)
    args = ap.parse_args()
    header("claims: fine-tuning the encoder's top layers on ECOB-ZH (issue 18)")
    torch.set_num_threads(2)
    train, _, _ = claim_rows(Path(args.corpora))
    texts = [r.text for r in train]
    y = np.array([r.label for r in train], dtype=object)
    corpus = np.array([r.corpus for r in train])
    splits = claim_folds(train)
    ec = np.flatnonzero(corpus == ECOB)
    local = {int(g): k for k, g in enumerate(ec)}
    folds = [np.array([local[int(i)] for i in te if int(i) in local]) for _, te in splits]
    et = [texts[i] for i in ec]
    ey = y[ec]
    print(f"ECOB rows {len(ec)} ({int((ey == 'claim').sum())} claim); fold sizes {[len(f) for f in folds]}")

    t0 = time.perf_counter()
    Z = ClaimClassifier().features(et, cache=args.cache)
    oof = np.zeros(len(ec))
    for k, te in enumerate(folds):
        tr = np.setdiff1d(np.arange(len(ec)), te)
        m = ClaimClassifier().fit([et[i] for i in tr], ey[tr], features=Z[tr])
        oof[te] = m.predict_proba([et[i] for i in te], features=Z[te])[:, 0]
    lab, ths = cross_fitted(oof, ey, folds)
    print(f"frozen floor (LR on 13 layers, ECOB alone): @0.5 {macro_f1(ey, labels_at(oof, 0.5)):.3f}, "
          f"cross-fitted threshold {macro_f1(ey, lab):.3f} (thresholds {', '.join(f'{t:.2f}' for t in ths)}) "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)

    enc = Encoder(precision="fp32")
    t0 = time.perf_counter()
    S = layer_states(enc, et, args.start)
    lens = np.array([len(s) for s in S])
    print(f"cached layer-{args.start} states in {time.perf_counter() - t0:.0f} s (mean {lens.mean():.1f} tokens)",
          flush=True)
    target = (ey == "claim").astype(np.float32)
    rng = np.random.default_rng(args.seed)
    oof = np.zeros(len(ec))
    t0 = time.perf_counter()
    for k, te in enumerate(folds):
        tr = np.setdiff1d(np.arange(len(ec)), te)
        torch.manual_seed(args.seed)
        net = TopLayers(enc.model, args.start)
        steps = (len(tr) + args.batch_size - 1) // args.batch_size * args.epochs
        opt, sched = net.optimiser(args.lr, args.head_lr, steps)
        for _ in range(args.epochs):
            net.train()
            for b in length_batches(rng, tr, lens, args.batch_size):
                h, m = pad_batch(S, b)
                loss = F.binary_cross_entropy_with_logits(net(h, m), torch.from_numpy(target[b]))
                opt.zero_grad()
                loss.backward()
                opt.step()
                if sched.last_epoch < steps - 1:
                    sched.step()
        oof[te] = predict_p(net, S, te)
        print(f"fold {k + 1}: {macro_f1(ey[te], labels_at(oof[te], 0.5)):.3f} at 0.5 "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
    lab, ths = cross_fitted(oof, ey, folds)
    print(f"fine-tuned layers {args.start}-11 ({args.epochs} epochs, lr {args.lr}): "
          f"@0.5 {macro_f1(ey, labels_at(oof, 0.5)):.3f}, cross-fitted threshold {macro_f1(ey, lab):.3f} "
          f"(thresholds {', '.join(f'{t:.2f}' for t in ths)})")


if __name__ == "__main__":
    main()
