"""How long ``import xhs_nlp`` takes in a fresh interpreter (heavy libraries load lazily).

    .venv/bin/python benchmarks/import_time.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys

from _common import header

CODE = ("import time; t = time.perf_counter(); import xhs_nlp; d = time.perf_counter() - t; import sys; "
        "print(d, int(any(m in sys.modules for m in ('torch', 'transformers', 'sklearn', 'jieba', 'pandas'))))")


def main() -> None:
    header("import xhs_nlp")
    runs, heavy = [], 0
    for _ in range(7):
        out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout.split()
        runs.append(float(out[0]))
        heavy |= int(out[1])
    print(f"import xhs_nlp: median {statistics.median(runs) * 1000:.1f} ms over {len(runs)} fresh processes "
          f"(min {min(runs) * 1000:.1f}, max {max(runs) * 1000:.1f}); heavy libraries loaded: {'yes' if heavy else 'no'}")
    print("target <= 300 ms: " + ("met" if statistics.median(runs) <= 0.3 else "MISSED"))


if __name__ == "__main__":
    main()
