"""End to end: ``analyze`` on the bundled post (cold and warm), ``score`` over real op-eds
with one and two worker processes, and the naive route, in one run.

    .venv/bin/python benchmarks/end_to_end.py [--docs 200] [--skip-naive]

Op-eds: the first ``--docs`` SemEval-2023 articles labelled ``opinion`` (subtask 1), in
file order (six languages), written to a JSONL table with a ``text`` column.

* cold: a new ``python -c "import xhs_nlp; xhs_nlp.analyze(post)"`` process (models and
  the rebuilt encoder cached on disk): wall time of the whole process;
* warm: ``analyze(post)`` again in a process that has run it once: with the embedding
  cache cleared (all encoding redone) and with it (the same text again);
* ``xhs-nlp score table.jsonl --jobs 1`` and ``--jobs 2``: documents per minute and the
  peak memory of the whole process tree, sampled every 0.1 s from /proc, two ways: the
  sum of the processes' proportional set sizes (PSS: a page shared by k processes counts
  1/k in each, so the sum is the physical memory the tree holds) and the sum of their
  resident set sizes (RSS: shared pages, such as torch's libraries and the memory-mapped
  encoder weights, counted once per process: an overcount when there are workers);
* naive: what one writes first: per document, per sentence and per paragraph, the
  tokenizer and one transformers forward pass (fp32), then the same heads (the vectors are
  put in the encoder's cache, so the scores are those of the fp32 path).
The precision is ``$XHS_NLP_PRECISION`` (default ``auto``: bf16 on CPUs that have it);
the warm figures are also given at fp32. The naive route runs at fp32 (plain transformers).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import POST, SHARED, header, median_time, need


def opinion_articles(n: int) -> list[dict]:
    out = []
    with open(need(SHARED / "semeval2023_task3" / "genre.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["label"] == "opinion" and r["text"].strip():
                out.append({"text": r["text"], "lang": r["lang"], "source_id": r["source_id"]})
                if len(out) == n:
                    break
    return out


def _rollup(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes, from /proc/PID/smaps_rollup."""
    got = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                got[key] = int(rest.split()[0]) * 1024
    return got["Rss"], got["Pss"]


def _tree_memory(pid: int) -> tuple[int, int]:
    """(RSS sum, PSS sum) in bytes of ``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError, IndexError):
            continue
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            r, s = _rollup(p)
        except (OSError, KeyError, ValueError):  # exited meanwhile
            r = s = 0
        rss, pss = rss + r, pss + s
        todo += children.get(p, [])
    return rss, pss


def run_measured(cmd: list[str], env: dict | None = None) -> tuple[float, tuple[int, int], str]:
    """Wall seconds, peak (RSS sum, PSS sum) of the process tree, stdout."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = (0, 0)
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            rss, pss = _tree_memory(p.pid)
            peak = (max(peak[0], rss), max(peak[1], pss))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = p.communicate()
    stop.set()
    th.join()
    wall = time.perf_counter() - t
    if p.returncode not in (0, 3):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {err[-2000:]}")
    return wall, peak, out


def naive(texts: list[str]) -> float:
    """Seconds for the naive route over ``texts`` (documents)."""
    import numpy as np
    import torch

    import xhs_nlp
    from xhs_nlp.analysis import default_models

    models = default_models()
    enc = models.encoder
    tok, model = enc.tokenizer, enc.model
    t0 = time.perf_counter()
    for text in texts:
        doc = xhs_nlp.segment(text)
        enc.clear_cache()
        for piece in [s.text for s in doc.sentences] + [p.text for p in doc.paragraphs]:
            with torch.inference_mode():
                b = tok("passage: " + piece, truncation=True, max_length=512, return_tensors="pt")
                hs = model(**b, output_hidden_states=True).hidden_states
                feats = torch.stack([h[0].mean(0) for h in hs]).numpy().astype(np.float32)
            enc._cache[enc._key(piece, "passage")] = feats
        xhs_nlp.analyze(doc, models=models)  # every vector is cached: this runs the heads alone
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--score-only", action="store_true", help="only the score runs (local --jobs 1/2, dask --jobs 2)")
    args = ap.parse_args()
    import xhs_nlp
    from xhs_nlp.encoder import get_encoder

    default = get_encoder().precision
    asked = os.environ.get("XHS_NLP_PRECISION")
    header(f"end to end (precision {asked or 'auto'}: {default})")
    py = sys.executable
    cold = []
    for _ in range(0 if args.score_only else 3):
        wall, _, _ = run_measured([py, "-c", f"import xhs_nlp; xhs_nlp.analyze({str(POST)!r})"])
        cold.append(wall)
    if cold:
        print(f"analyze(post), cold (new process, models on disk): median {statistics.median(cold):.2f} s "
              f"(runs {', '.join(f'{c:.2f}' for c in cold)})")
    doc = xhs_nlp.segment(POST)
    texts = [s.text for s in doc.sentences] + [p.text for p in doc.paragraphs]
    # warm, at fp32 (the overhead target is stated at fp32) and at the default precision
    for prec in [] if args.score_only else dict.fromkeys(["fp32", default]):
        os.environ["XHS_NLP_PRECISION"] = prec  # every model asks get_encoder() for its encoder
        xhs_nlp.analyze(POST)
        enc = get_encoder()
        t_nocache, _ = median_time(lambda: (enc.clear_cache(), xhs_nlp.analyze(POST)), repeat=5)
        t_cached, _ = median_time(lambda: xhs_nlp.analyze(POST), repeat=5)
        t_enc, _ = median_time(lambda: (enc.clear_cache(), enc.features(texts)), repeat=5)
        print(f"[{prec}] encoder alone on the post's sentences and paragraphs: {t_enc:.2f} s; pipeline overhead "
              f"(analyze without cache over encoder alone) {100 * (t_nocache / t_enc - 1):+.1f}%")
        print(f"[{prec}] analyze(post), warm: {t_nocache:.2f} s with the embedding cache cleared "
              f"({len(doc.sentences)} sentences + {len(doc.paragraphs)} paragraphs encoded); "
              f"{t_cached:.3f} s for the same text again (cache hit); medians of 5")
    if asked is None:
        os.environ.pop("XHS_NLP_PRECISION", None)
    else:
        os.environ["XHS_NLP_PRECISION"] = asked

    arts = opinion_articles(args.docs)
    tmp = Path(tempfile.mkdtemp())
    table = tmp / "opeds.jsonl"
    table.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in arts) + "\n", encoding="utf-8")
    mb = sum(len(a["text"].encode()) for a in arts) / 1e6
    langs = {}
    for a in arts:
        langs[a["lang"]] = langs.get(a["lang"], 0) + 1
    print(f"\n{len(arts)} op-eds ({mb:.2f} MB; " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())) + ")")
    cli = str(Path(py).with_name("xhs-nlp"))
    rates = {}
    for jobs in (1, 2):
        wall, peak, out = run_measured([cli, "score", str(table), "--out", str(tmp / f"out{jobs}"), "--jobs", str(jobs),
                                        "--quiet"])
        rates[jobs] = len(arts) / wall * 60
        print(f"xhs-nlp score --jobs {jobs}: {wall:.1f} s, {rates[jobs]:.1f} documents/min, peak memory of the "
              f"process tree {peak[1] / 2**30:.2f} GiB PSS ({peak[1] / 1e9:.2f} GB), {peak[0] / 2**30:.2f} GiB RSS "
              f"sum   [{out.strip().splitlines()[0]}]")
    # the same table on a Dask LocalCluster of two worker processes (one thread each)
    wall, peak, out = run_measured([cli, "score", str(table), "--out", str(tmp / "dask"), "--engine", "dask",
                                    "--jobs", "2", "--quiet"])
    rates["dask"] = len(arts) / wall * 60
    print(f"xhs-nlp score --engine dask --jobs 2: {wall:.1f} s, {rates['dask']:.1f} documents/min, peak memory of the "
          f"process tree {peak[1] / 2**30:.2f} GiB PSS ({peak[1] / 1e9:.2f} GB), {peak[0] / 2**30:.2f} GiB RSS sum   "
          f"[{out.strip().splitlines()[0]}]")
    if not args.skip_naive and not args.score_only:
        t = naive([a["text"] for a in arts])
        rn = len(arts) / t * 60
        print(f"naive route (per sentence and paragraph forward passes, one document at a time): {t:.1f} s, "
              f"{rn:.1f} documents/min")
        print(f"default path vs naive: --jobs 1 {rates[1] / rn:.2f}x, --jobs 2 {rates[2] / rn:.2f}x")


if __name__ == "__main__":
    main()
