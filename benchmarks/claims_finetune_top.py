"""Claim-vs-rhetoric: does fine-tuning the encoder's top layers beat the frozen features?

The frozen encoder feeds the shipped claims model; the issue names fine-tuning as the
next route. This measures the affordable version on 2 CPU cores: the encoder runs once
up to layer ``--start`` (cached), and its layers ``--start``..11 are trained, with a
mean-pooled linear head (shared weights plus a ClaimBuster "speech" copy, as the
shipped model's domain adaptation), BCE, AdamW, one-cycle learning rate, dropout 0.1.

Same rows as the shipped model (CheckThat! 2023 + 2025 train/dev, ClaimBuster,
deduplicated, copies of held-out rows dropped), except that CheckThat! 2025 ``dev`` is
kept out of training as the validation set. Reported per epoch, at threshold 0.5:
macro-F1 on CheckThat! 2025 ``dev_test`` per language (held out), English dev_test at
its best threshold (an oracle: no deployable model can choose it), the validation set
per language, and accuracy on the annotated forum post.

Run (about 7 minutes for ``--start 10`` on 2 cores, 15 for ``--start 6``)::

    .venv/bin/python benchmarks/claims_finetune_top.py --corpora ../shared/corpora --start 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._finetune import (TopLayers, add_training_args, layer_states, length_batches,  # noqa: E402
                                  pad_batch, predict_p)
from xhs_nlp.claims import read_claim_rows, split_rows  # noqa: E402
from xhs_nlp.labelled import parse_label_map  # noqa: E402
from xhs_nlp.persist import library_versions  # noqa: E402

LABEL_MAP = "OBJ=claim,SUBJ=rhetoric,CFS=claim,UFS=claim,NFS=rhetoric"


def main() -> None:
    import torch
    import torch.nn.functional as F
    from sklearn.metrics import f1_score

    from xhs_nlp.encoder import Encoder

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    add_training_args(ap, start=10)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    C = Path(args.corpora)
    rows = read_claim_rows([C / "checkthat2025_subjectivity/data.jsonl", C / "checkthat2023_subjectivity/data.jsonl",
                            C / "claimbuster/data_3class.jsonl"], parse_label_map(LABEL_MAP), {"claimbuster": "speech"})
    train, held, _ = split_rows(rows, ("dev_test",))
    post = [json.loads(x) for x in (ROOT / "corpora/xhs_will_2025_claims.jsonl").read_text("utf-8").splitlines()]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          + ", ".join(f"{k} {v}" for k, v in library_versions().items()), flush=True)

    enc = Encoder(precision="fp32")

    def states(texts: list[str]) -> list[np.ndarray]:
        return layer_states(enc, texts, args.start)

    t0 = time.perf_counter()
    S_tr = states([r[0] for r in train])
    S_he = states([r[0] for r in held])
    S_po = states([r["text"] for r in post])
    print(f"cached layer-{args.start} states of {len(S_tr) + len(S_he) + len(S_po)} sentences in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)

    y = np.array([r[1] == "claim" for r in train], dtype=np.float32)
    speech = np.array([r[5] == "speech" for r in train], dtype=np.float32)
    val = np.array([r[4] == "checkthat2025_subjectivity" and r[3] == "dev" for r in train])
    tri, vai = np.where(~val)[0], np.where(val)[0]
    print(f"training rows {len(tri)}, validation rows (CheckThat! 2025 dev) {len(vai)}", flush=True)

    net = TopLayers(enc.model, args.start, extra_heads=1)

    def predict(S, idx) -> np.ndarray:
        return predict_p(net, S, idx)

    def mf(t, p) -> float:
        return float(f1_score(t, p, labels=[True, False], average="macro"))

    hy = np.array([r[1] == "claim" for r in held])
    hl = np.array([r[2] for r in held])
    vl = np.array([train[i][2] for i in vai])
    py = np.array([r["label"] == "claim" for r in post])

    def report(tag: str) -> None:
        p = predict(S_he, np.arange(len(held)))
        dt = {lg: mf(hy[hl == lg], p[hl == lg] >= 0.5) for lg in ["en", "de", "it", "ar", "bg"]}
        en = hl == "en"
        oracle = max((mf(hy[en], p[en] >= t), t) for t in np.arange(0.2, 0.951, 0.05))
        pv = predict(S_tr, vai)
        vr = {lg: mf(y[vai][vl == lg] > 0.5, pv[vl == lg] >= 0.5) for lg in sorted(set(vl.tolist()))}
        pp = predict(S_po, np.arange(len(post)))
        print(f"{tag}: dev_test@0.5 " + " ".join(f"{k} {v:.3f}" for k, v in dt.items())
              + f" mean {np.mean(list(dt.values())):.3f} | en at its best threshold {oracle[0]:.3f} ({oracle[1]:.2f})"
              + " | dev (validation) " + " ".join(f"{k} {v:.3f}" for k, v in vr.items())
              + f" | post accuracy {np.mean((pp >= 0.5) == py):.3f}", flush=True)

    steps = (len(tri) + args.batch_size - 1) // args.batch_size * args.epochs
    opt, sched = net.optimiser(args.lr, args.head_lr, steps)
    lens = np.array([len(s) for s in S_tr])
    t0 = time.perf_counter()
    for ep in range(args.epochs):
        net.train()
        batches = length_batches(rng, tri, lens, args.batch_size)
        total = 0.0
        for b in batches:
            h, m = pad_batch(S_tr, b)
            loss = F.binary_cross_entropy_with_logits(net(h, m, torch.from_numpy(speech[b])[:, None]),
                                                      torch.from_numpy(y[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched.last_epoch < steps - 1:
                sched.step()
            total += float(loss.detach())
        print(f"epoch {ep + 1}: loss {total / len(batches):.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
        report(f"epoch {ep + 1}")


if __name__ == "__main__":
    main()
