"""What int8 encoding (``XHS_NLP_PRECISION=int8``) does to the shipped models' accuracy.

    .venv/bin/python benchmarks/precision_accuracy.py [--articles 150]

Each precision runs in its own process over the same data:
  * sentiment: SST-2 dev (872 English sentences, held out from training), accuracy / macro-F1;
  * claims: CheckThat! 2025 dev_test (held out from training), macro-F1 per language;
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

from _common import SHARED, header, need

CHILD = r"""
import json, sys, time
import xhs_nlp
from xhs_nlp.evaluate import evaluate
shared, frames, tech = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}
t = time.perf_counter()
r = evaluate("sentiment", shared + "/sst2_sentences/data.jsonl", split="dev")
out["sentiment SST-2 dev"] = (r["accuracy"], r["macro_f1"], r["n"])
r = evaluate("claims", shared + "/checkthat2025_subjectivity/data.jsonl", split="dev_test",
             label_map="OBJ=claim,SUBJ=rhetoric")
out["claims CheckThat! 2025 dev_test"] = (r["accuracy"], r["macro_f1"], r["n"])
for lg, b in r["per_lang"].items():
    out[f"claims dev_test {lg}"] = (b["accuracy"], b["macro_f1"], b["n"])
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
    args = ap.parse_args()
    header("accuracy at fp32 and int8")
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
    n_par = 0
    with open(sem / "persuasion.jsonl", encoding="utf-8") as f, open(os.path.join(tmp, "tech.jsonl"), "w") as out:
        for line in f:
            r = json.loads(line)
            if r["source_id"].split(":")[0].rsplit("/", 1)[-1] in keep:
                out.write(line)
                n_par += 1
    print(f"frames: {sum(per_lang.values())} articles; techniques: {n_par} paragraphs of the same articles\n")
    res = {}
    for prec in ("fp32", "int8"):
        env = dict(os.environ, XHS_NLP_PRECISION=prec)
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", CHILD, str(SHARED), os.path.join(tmp, "frames.jsonl"),
                            os.path.join(tmp, "tech.jsonl")], env=env, capture_output=True, text=True)
        if p.returncode:
            sys.exit(p.stderr)
        res[prec] = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"{prec}: {time.perf_counter() - t:.0f} s")
    print(f"\n{'data':<38}{'n':>6}  {'fp32 acc/micro':>14} {'int8':>7}  {'fp32 macro-F1':>13} {'int8':>7}  {'change':>7}")
    for k, (a, m, n) in ((k, v) for k, v in res["fp32"].items() if k != "seconds"):
        a8, m8, _ = res["int8"][k]
        print(f"{k:<38}{n:>6}  {a:>14.4f} {a8:>7.4f}  {m:>13.4f} {m8:>7.4f}  {m8 - m:>+7.4f}")


if __name__ == "__main__":
    main()
