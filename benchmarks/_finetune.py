"""Shared pieces of the top-layer fine-tuning benchmarks (``claims_finetune_top.py``,
``claims_finetune_ecob.py``): the encoder is run once up to layer ``start`` (its token
states cached at fp16), and layers ``start``..11 are copied and trained on top of them,
mean-pooled into linear heads."""

from __future__ import annotations

import argparse
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def add_training_args(ap: argparse.ArgumentParser, start: int) -> None:
    """The fine-tuning options every such benchmark takes (``--start`` defaults to
    ``start``)."""
    ap.add_argument("--start", type=int, default=start, help="first trained layer (0-11); lower ones stay frozen")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)


def layer_states(enc, texts: list[str], start: int, batch_size: int = 64) -> list[np.ndarray]:
    """Hidden states entering layer ``start`` of the :class:`~xhs_nlp.encoder.Encoder`
    ``enc`` (fp32 model), one ``(tokens, 384)`` fp16 array per text (passage prefix, the
    features' tokenisation, at most 512 tokens)."""
    model = enc.model  # loads the model, and with it the special token ids
    cls_id, sep_id, pad_id = enc._special
    ids = [[cls_id, *s[:510], sep_id] for s in enc._content_ids([enc.prefixes["passage"] + t for t in texts])]
    out: list[np.ndarray] = [np.empty(0)] * len(ids)
    order = np.argsort([len(s) for s in ids], kind="stable")
    with torch.inference_mode():
        for a in range(0, len(order), batch_size):
            b = order[a : a + batch_size]
            L = max(len(ids[i]) for i in b)
            x = torch.full((len(b), L), pad_id)
            m = torch.zeros((len(b), L), dtype=torch.long)
            for r, i in enumerate(b):
                x[r, : len(ids[i])] = torch.tensor(ids[i])
                m[r, : len(ids[i])] = 1
            h = model(input_ids=x, attention_mask=m, output_hidden_states=True).hidden_states[start]
            h = h.to(torch.float16).numpy()
            for r, i in enumerate(b):
                out[i] = h[r, : len(ids[i])].copy()
    return out


def pad_batch(S: list[np.ndarray], idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """States ``S[idx]`` padded into ``(b, L, 384)`` and their ``(b, L)`` mask."""
    L = max(len(S[i]) for i in idx)
    h, m = torch.zeros((len(idx), L, 384)), torch.zeros((len(idx), L))
    for r, i in enumerate(idx):
        h[r, : len(S[i])] = torch.from_numpy(S[i].astype(np.float32))
        m[r, : len(S[i])] = 1
    return h, m


class TopLayers(nn.Module):
    """Copies of the encoder's layers ``start``..11, mean pooling, dropout 0.1 and a linear
    head, plus ``extra_heads`` domain heads started at zero whose logits are added on the
    rows flagged for them (``forward(h, mask, flags)``, flags ``(b, extra_heads)``)."""

    def __init__(self, hf_model, start: int, extra_heads: int = 0) -> None:
        super().__init__()
        self.layers = nn.ModuleList(copy.deepcopy(hf_model.encoder.layer[i]) for i in range(start, 12))
        self.head = nn.Linear(384, 1)
        self.extra = nn.Linear(384, extra_heads) if extra_heads else None
        if self.extra is not None:
            nn.init.zeros_(self.extra.weight)
            nn.init.zeros_(self.extra.bias)
        self.drop = nn.Dropout(0.1)

    def layer(self, lay, h, am):  # a BERT layer (post-LN), written out so the mask is explicit
        B, L, D = h.shape
        s = lay.attention.self

        def heads(x):
            return x.view(B, L, 12, D // 12).transpose(1, 2)
        att = F.scaled_dot_product_attention(heads(s.query(h)), heads(s.key(h)), heads(s.value(h)), attn_mask=am,
                                             dropout_p=0.1 if self.training else 0.0)
        att = att.transpose(1, 2).reshape(B, L, D)
        h = lay.attention.output.LayerNorm(h + self.drop(lay.attention.output.dense(att)))
        return lay.output.LayerNorm(h + self.drop(lay.output.dense(F.gelu(lay.intermediate.dense(h)))))

    def forward(self, h, mask, flags=None):
        am = mask[:, None, None, :].bool()
        for lay in self.layers:
            h = self.layer(lay, h, am)
        m = mask.unsqueeze(-1)
        pooled = self.drop((h * m).sum(1) / m.sum(1))
        out = self.head(pooled).squeeze(-1)
        if self.extra is not None and flags is not None:
            out = out + (flags * self.extra(pooled)).sum(-1)
        return out

    def optimiser(self, lr: float, head_lr: float, steps: int) -> tuple[torch.optim.Optimizer, object]:
        """AdamW (weight decay 0.01; ``lr`` for the layers, ``head_lr`` for the heads) and
        a one-cycle schedule of ``steps`` steps, 10% warm-up, linear annealing."""
        heads = list(self.head.parameters()) + ([] if self.extra is None else list(self.extra.parameters()))
        opt = torch.optim.AdamW([{"params": self.layers.parameters(), "lr": lr}, {"params": heads, "lr": head_lr}],
                                weight_decay=0.01)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[lr, head_lr], total_steps=steps, pct_start=0.1,
                                                    anneal_strategy="linear")
        return opt, sched


def length_batches(rng: np.random.Generator, rows: np.ndarray, lens: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """One epoch's batches of ``rows``: shuffled, length-sorted within chunks of 50 batches
    (to cut padding), the batches shuffled again."""
    perm = rng.permutation(rows)
    batches = []
    for a in range(0, len(perm), batch_size * 50):
        c = perm[a : a + batch_size * 50]
        c = c[np.argsort(lens[c], kind="stable")]
        batches += [c[i : i + batch_size] for i in range(0, len(c), batch_size)]
    rng.shuffle(batches)
    return batches


def predict_p(net: TopLayers, S: list[np.ndarray], idx: np.ndarray, batch_size: int = 128) -> np.ndarray:
    """``sigmoid`` of the shared head's logit for the rows ``idx`` of ``S`` (no domain
    heads), in eval mode."""
    net.eval()
    out = np.zeros(len(idx))
    order = np.argsort([len(S[i]) for i in idx], kind="stable")
    with torch.no_grad():
        for a in range(0, len(order), batch_size):
            o = order[a : a + batch_size]
            h, m = pad_batch(S, idx[o])
            out[o] = torch.sigmoid(net(h, m)).numpy()
    return out
