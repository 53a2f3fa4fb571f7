"""What bf16 and int8 encoding (``XHS_NLP_PRECISION=bf16|int8``) do to the shipped models' accuracy.

    .venv/bin/python benchmarks/precision_accuracy.py [--articles 150] [--precisions fp32 bf16 int8]

Each precision runs in its own process over the same data:
  * sentiment (3-class): BBT FinFE dev (Chinese stock-forum posts, held out from training) through
    its own domain layer, and the project's annotation of the bundled forum post (never trained
    on) through the default layer; binary: SST-2 dev (872 English sentences, held out) and
    ``--chinese`` ChnSentiCorp reviews, every k-th row (training data: in-sample), each through
    its own layer;
  * claims: Webis-Editorials-16 dev (editorial domain) and CheckThat! 2025 dev_test (news
    domain), both held out from training, macro-F1 per language, and the project's
    annotation of the bundled forum post (never trained on; the model's default domains);
  * frames and techniques: the first ``--articles`` SemEval-2023 articles of each language
    (frames) and their paragraphs (techniques). These were training data, so the absolute
    figures are in-sample; the difference between precisions is what this measures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from _common import ROOT, SHARED, header, need

CHILD = r"""
import json, sys, time
import xhs_nlp
from xhs_nlp.evaluate import evaluate
shared, frames, tech = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}
t = time.perf_counter()
SENT = "1=positive,0.5=neutral,0=negative,1.0=positive,0.0=negative"
r = evaluate("sentiment", shared + "/bbt_finfe_zh/data.jsonl", split="dev", label_map=SENT, domain="bbt_finfe_zh")
out["sentiment FinFE dev"] = (r["accuracy"], r["macro_f1"], r["n"])
r = evaluate("sentiment", sys.argv[6])
out["sentiment, annotated forum post"] = (r["accuracy"], r["macro_f1"], r["n"])
r = evaluate("sentiment", shared + "/sst2_sentences/data.jsonl", split="dev", label_map=SENT, domain="sst2_sentences")
out["sentiment SST-2 dev (binary)"] = (r["accuracy"], r["macro_f1"], r["n"])
r = evaluate("sentiment", sys.argv[5], label_map=SENT, domain="chnsenticorp_htl_zh")
out["sentiment ChnSentiCorp (in-sample)"] = (r["accuracy"], r["macro_f1"], r["n"])
r = evaluate("claims", shared + "/webis_editorials16_en/data.jsonl", split="dev", domain="editorial",
             label_map="anecdote=claim,statistics=claim,testimony=claim,assumption=rhetoric,common-ground=rhetoric,"
                       "other=-,no-unit=-")
out["claims Webis-Editorials-16 dev"] = (r["accuracy"], r["macro_f1"], r["n"])
r = evaluate("claims", shared + "/checkthat2025_subjectivity/data.jsonl", split="dev_test",
             label_map="OBJ=claim,SUBJ=rhetoric", domain="news")
out["claims CheckThat! 2025 dev_test"] = (r["accuracy"], r["macro_f1"], r["n"])
for lg, b in r["per_lang"].items():
    out[f"claims dev_test {lg}"] = (b["accuracy"], b["macro_f1"], b["n"])
r = evaluate("claims", sys.argv[4])
out["claims, annotated forum post"] = (r["accuracy"], r["macro_f1"], r["n"])
r = evaluate("frames", frames)
out["frames (in-sample articles)"] = (r["micro_f1"], r["macro_f1"], r["n"])
r = evaluate("techniques", tech)
out["techniques (in-sample paragraphs)"] = (r["micro_f1"], r["macro_f1"], r["n"])
out["seconds"] = time.perf_counter() - t
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=150)
    ap.add_argument("--chinese", type=int, default=1000, help="ChnSentiCorp rows (training data: in-sample)")
    ap.add_argument("--precisions", nargs="+", choices=["fp32", "bf16", "int8"], default=["fp32", "bf16", "int8"],
                    help="fp32 first (the others are compared with it); bf16 is slow on a CPU without native bfloat16")
    args = ap.parse_args()
    header("accuracy at fp32, bf16 and int8")
    sem = need(SHARED / "semeval2023_task3")
    per_lang: dict[str, int] = {}
    keep = set()
    tmp = tempfile.mkdtemp()
    with open(sem / "frames.jsonl", encoding="utf-8") as f, open(os.path.join(tmp, "frames.jsonl"), "w") as out:
        for line in f:
            r = json.loads(line)
            if per_lang.get(r["lang"], 0) < args.articles // 6:
                per_lang[r["lang"]] = per_lang.get(r["lang"], 0) + 1
                keep.add(r["source_id"].rsplit("/", 1)[-1])
                out.write(line)
    with open(need(SHARED / "chnsenticorp_htl_zh" / "data.jsonl"), encoding="utf-8") as f:
        chn = f.readlines()  # sorted by label: take every k-th row
    with open(os.path.join(tmp, "chn.jsonl"), "w", encoding="utf-8") as out:
        out.writelines(chn[:: max(1, len(chn) // args.chinese)][: args.chinese])
    n_par = 0
    with open(sem / "persuasion.jsonl", encoding="utf-8") as f, open(os.path.join(tmp, "tech.jsonl"), "w") as out:
        for line in f:
            r = json.loads(line)
            if r["source_id"].split(":")[0].rsplit("/", 1)[-1] in keep:
                out.write(line)
                n_par += 1
    print(f"frames: {sum(per_lang.values())} articles; techniques: {n_par} paragraphs of the same articles\n")
    res = {}
    precs = tuple(args.precisions)
    if precs[0] != "fp32":
        sys.exit("--precisions: fp32 comes first (the changes are measured against it)")
    for prec in precs:
        env = dict(os.environ, XHS_NLP_PRECISION=prec)
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", CHILD, str(SHARED), os.path.join(tmp, "frames.jsonl"),
                            os.path.join(tmp, "tech.jsonl"), str(ROOT / "corpora" / "xhs_will_2025_claims.jsonl"),
                            os.path.join(tmp, "chn.jsonl"), str(ROOT / "corpora" / "xhs_will_2025_sentiment.jsonl")],
                           env=env, capture_output=True, text=True)
        if p.returncode:
            sys.exit(p.stderr)
        res[prec] = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"{prec}: {time.perf_counter() - t:.0f} s")
    print("\nacc/micro: accuracy (sentiment, claims) or micro-F1 (frames, techniques); change: macro-F1 minus fp32's")
    print(f"{'data':<36}{'n':>6} " + "".join(f"{p + ' acc/micro':>16}" for p in precs)
          + "".join(f"{p + ' macro-F1':>15}" for p in precs) + "".join(f"{p + ' change':>13}" for p in precs[1:]))
    for k, (_, _, n) in ((k, v) for k, v in res["fp32"].items() if k != "seconds"):
        row = f"{k:<36}{n:>6} " + "".join(f"{res[p][k][0]:>16.4f}" for p in precs)
        row += "".join(f"{res[p][k][1]:>15.4f}" for p in precs)
        row += "".join(f"{res[p][k][1] - res['fp32'][k][1]:>+13.4f}" for p in precs[1:])
        print(row)


if __name__ == "__main__":
    main()
