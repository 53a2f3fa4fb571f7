"""Shared helpers of the speed benchmarks: machine header, medians, timing."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POST = ROOT / "corpora" / "xhs_will_2025_forum_post.txt"
SHARED = Path(os.environ.get("XHS_NLP_SHARED", ROOT.parent / "shared" / "corpora"))


def header(title: str) -> None:
    libs = []
    for dist in ("xhs-nlp", "torch", "transformers", "jieba", "numpy", "scikit-learn"):
        try:
            libs.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            libs.append(f"{dist} absent")
    import torch

    print(f"# {title}")
    print(f"date {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}; "
          f"machine {platform.machine()}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}; "
          f"Python {platform.python_version()}")
    print("; ".join(libs))
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    print()


def median_time(fn, repeat: int = 5, warmup: int = 1) -> tuple[float, list[float]]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def need(path: Path) -> Path:
    if not path.exists():
        sys.exit(f"missing {path}: set XHS_NLP_SHARED to the folder of the shared corpora")
    return path


def shared_rows(name: str, limit: int | None = None):
    """The JSON rows of ``SHARED / name`` (a JSONL file of the shared corpora), the first
    ``limit`` of them where given; the file must exist (:func:`need`)."""
    import json

    with need(SHARED / name).open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            yield json.loads(line)
