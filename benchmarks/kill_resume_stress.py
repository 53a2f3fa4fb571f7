"""Kill ``xhs-nlp score`` at random moments, resume, compare (issue 37, "Checked").

    .venv/bin/python benchmarks/kill_resume_stress.py [--kills 20] [--docs 40] [--seed 0] [--work DIR]

A folder of ``--docs`` real op-eds and commentaries (the op-ed reading corpus's documents,
``../shared/corpora/opinion_reading_zh_en/docs.jsonl``, English and Chinese) is scored once
without interruption by each engine (local ``--jobs 2`` and Dask ``--jobs 2``). Then, ``--kills``
times, a run with a chunk size drawn from 1, 3 and 8 (engines taking turns) is killed with
SIGKILL to its whole process group at a random moment of its expected duration (model loading,
scoring and final assembly alike), and resumed with ``--resume`` and the default chunk size
(so a resume also meets parts of another chunk size). The final tables must equal the
uninterrupted run's of the same engine row for row, floats included. Each trial's line says
where the kill fell (seconds, parts written) and whether the tables are equal.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from _common import SHARED, header, need

TABLES = ("documents", "sections", "sentences", "entities", "errors")
CLI = [sys.executable, "-m", "xhs_nlp"]


def corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(need(SHARED / "opinion_reading_zh_en" / "docs.jsonl"), encoding="utf-8") as f:
        docs = [r for r in map(json.loads, f)][:n]
    for i, d in enumerate(docs):
        (folder / f"d{i:03d}.txt").write_text(d["text"], encoding="utf-8")
    return folder


def run(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(p: subprocess.Popen, what: str) -> float:
    t0 = time.perf_counter()
    code = p.wait(timeout=1800)
    if code not in (0, 3):
        sys.exit(f"{what} failed ({code}): {p.stderr.read()[-2000:]}")
    return time.perf_counter() - t0


def tables(out: Path) -> dict[str, pd.DataFrame]:
    """The final tables: ``TABLE.parquet`` (local engine) or a ``TABLE/`` dataset (Dask)."""
    return {t: pd.read_parquet(out / f"{t}.parquet" if (out / f"{t}.parquet").exists() else out / t) for t in TABLES}


def equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> str:
    for t in TABLES:
        try:
            pd.testing.assert_frame_equal(a[t], b[t], check_exact=True)
        except AssertionError as err:
            return f"DIFFERENT ({t}: {str(err).splitlines()[0]})"
    return "equal"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    header("kill score at random moments, resume, compare with an uninterrupted run")
    work = Path(args.work or tempfile.mkdtemp())
    src = corpus(work / "in", args.docs)
    engines = {"local": ["--jobs", "2"], "dask": ["--engine", "dask", "--jobs", "2"]}
    base, took = {}, {}
    for name, opts in engines.items():
        out = work / f"base_{name}"
        t0 = time.perf_counter()
        finish(run(["score", str(src), "--out", str(out), *opts, "--quiet"]), f"the uninterrupted {name} run")
        took[name] = time.perf_counter() - t0
        base[name] = tables(out)
        print(f"uninterrupted {name}: {took[name]:.0f} s, {len(base[name]['documents'])} documents, "
              f"{len(base[name]['sentences'])} sentences", flush=True)
    rnd = random.Random(args.seed)
    results = []
    for k in range(args.kills):
        name = ("local", "dask")[k % 2]
        chunk = (1, 3, 8)[k % 3]
        out = work / f"trial_{k:02d}"
        delay = rnd.uniform(0.1, 1.0) * took[name]
        p = run(["score", str(src), "--out", str(out), *engines[name], "--chunk-size", str(chunk), "--quiet"])
        t0 = time.perf_counter()
        while p.poll() is None and time.perf_counter() - t0 < delay:
            time.sleep(0.02)
        killed = p.poll() is None
        if killed:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        parts = len(list((out / ".parts").glob("errors-*.parquet"))) if (out / ".parts").is_dir() else 0
        finish(run(["score", str(src), "--out", str(out), *engines[name], "--resume", "--quiet"]), f"resume {k}")
        verdict = equal(tables(out), base[name])
        results.append((killed, verdict))
        print(f"trial {k:2d}: {name:<5} --chunk-size {chunk}: {'killed' if killed else 'finished before the kill'} "
              f"at {delay:5.1f} s ({parts} parts written), resumed with the default chunk size: {verdict}", flush=True)
    n_killed = sum(k for k, _ in results)
    n_equal = sum(v == "equal" for _, v in results)
    print(f"\n{n_killed} of {len(results)} runs killed mid-way; final tables equal to the uninterrupted run's in "
          f"{n_equal} of {len(results)} trials")


if __name__ == "__main__":
    main()
