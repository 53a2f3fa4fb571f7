"""Encoder throughput: the library's path next to plain transformers, English and Chinese.

    .venv/bin/python benchmarks/encoder.py [--n 512] [--batch-size 32]

For the same sentences and batch size, sentences per second of
  * plain transformers, the way its docs show it: tokenizer(batch, padding=True) and a
    forward pass per batch of texts in input order, mean pooling of the last layer;
  * the fp32 limit: forward passes alone over pre-tokenised, length-sorted batches
    (no tokenising, no pooling): the model's own cost on this machine;
  * the library: ``Encoder.features`` (tokenise, sort by length, windows, pool all 13
    layers, no cache), at fp32, at bf16 (matrix products in bfloat16, the default on
    CPUs that have it) and at int8 (dynamic quantisation).
The overhead of the library is its time over the limit's, minus one.
English: CheckThat! 2025 English sentences (news); Chinese: ChnSentiCorp reviews cut to
their first sentence-sized 120 characters.
"""

from __future__ import annotations

import argparse
import json

from _common import SHARED, header, median_time, need


def sentences(n: int) -> dict[str, list[str]]:
    with open(need(SHARED / "checkthat2025_subjectivity" / "data.jsonl"), encoding="utf-8") as f:
        en = [r["text"] for r in map(json.loads, f) if r.get("lang") == "en" and r["text"].strip()][:n]
    with open(need(SHARED / "chnsenticorp_htl_zh" / "data.jsonl"), encoding="utf-8") as f:
        zh = [" ".join(r["text"].split())[:120] for r in map(json.loads, f) if r["text"].strip()][:n]
    return {"en": en, "zh": zh}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import torch

    from xhs_nlp.encoder import Encoder

    header("encoder throughput")
    bs = args.batch_size
    fp32 = Encoder(cache_size=0, batch_size=bs, precision="fp32")
    bf16 = Encoder(cache_size=0, batch_size=bs, precision="bf16")
    int8 = Encoder(cache_size=0, batch_size=bs, precision="int8")
    model, tok = fp32.model, fp32.tokenizer
    for lang, texts in sentences(args.n).items():
        passages = ["passage: " + t for t in texts]
        ntok = sum(len(x) for x in fp32._content_ids(passages)) + 2 * len(texts)

        def plain():
            with torch.inference_mode():
                for i in range(0, len(passages), bs):
                    b = tok(passages[i : i + bs], padding=True, truncation=True, max_length=512, return_tensors="pt")
                    h = model(**b).last_hidden_state
                    m = b["attention_mask"].unsqueeze(-1).float()
                    (h * m).sum(1) / m.sum(1)

        ids = sorted(fp32._content_ids(passages), key=len)
        batches = []
        for i in range(0, len(ids), bs):
            chunk = ids[i : i + bs]
            L = min(max(len(c) for c in chunk) + 2, 512)
            x = torch.full((len(chunk), L), tok.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(chunk), L), dtype=torch.long)
            for r, c in enumerate(chunk):
                row = [tok.cls_token_id, *c[: L - 2], tok.sep_token_id]
                x[r, : len(row)] = torch.tensor(row)
                mask[r, : len(row)] = 1
            batches.append((x, mask))

        def limit():
            with torch.inference_mode():
                for x, mask in batches:
                    model(input_ids=x, attention_mask=mask)

        t_plain, _ = median_time(plain, args.repeat)
        t_limit, _ = median_time(limit, args.repeat)
        t_lib, _ = median_time(lambda: fp32.features(texts), args.repeat)
        t_bf16, _ = median_time(lambda: bf16.features(texts), args.repeat)
        t_int8, _ = median_time(lambda: int8.features(texts), args.repeat)
        n = len(texts)
        print(f"{lang}: {n} sentences, {ntok / n:.1f} tokens each on average, batch size {bs}")
        print(f"  plain transformers (input order, tokenizer + forward + pooling): {n / t_plain:7.1f} sentences/s")
        print(f"  fp32 limit (forward only, pre-tokenised, length-sorted):         {n / t_limit:7.1f} sentences/s")
        print(f"  xhs_nlp Encoder.features, fp32:                                   {n / t_lib:7.1f} sentences/s "
              f"(overhead over the limit {100 * (t_lib / t_limit - 1):+.1f}%; {t_plain / t_lib:.2f}x plain)")
        print(f"  xhs_nlp Encoder.features, bf16 (autocast):                        {n / t_bf16:7.1f} sentences/s "
              f"({t_lib / t_bf16:.2f}x fp32)")
        print(f"  xhs_nlp Encoder.features, int8:                                   {n / t_int8:7.1f} sentences/s "
              f"({t_lib / t_int8:.2f}x fp32)")
    print(f"(medians of {args.repeat} runs after one warm-up run; torch threads {torch.get_num_threads()})")


if __name__ == "__main__":
    main()
