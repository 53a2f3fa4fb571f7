"""What a user sees does not change by accident: ``analyze(post).to_json()`` at fp32 is
compared with a golden file written before the package was reorganised around one base
class (issue 17). Floats may differ by 1e-5 (BLAS kernels on another CPU: an AMD EPYC
without AVX-512 moves a few sentiment probabilities by up to 1.6e-6); every label,
text, offset and key must be equal. When a change is meant to move these numbers,
regenerate the file (``python tests/test_golden.py``) and say why in the commit."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
POST = ROOT / "corpora" / "xhs_will_2025_forum_post.txt"
GOLDEN = ROOT / "tests" / "data" / "golden_post_fp32.json"


def _analysis_json() -> str:
    """The analysis of the post as the README's command makes it (run from the
    repository's root), with the model folders given relative to it."""
    import xhs_nlp
    from xhs_nlp.analysis import Models

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        a = xhs_nlp.analyze(POST.relative_to(ROOT), models=Models.load())
    finally:
        os.chdir(cwd)
    a.framing.models = {k: os.path.relpath(v, ROOT) for k, v in a.framing.models.items()}
    return a.to_json()


def _diff(a, b, path="$"):
    """The first place where ``a`` and ``b`` differ, or ``None``. Floats are written rounded to
    4 decimals, so two within one unit of the last place agree: a value at a rounding boundary
    (0.91595) rounds either way with the last bit of a CPU's arithmetic (a machine of
    2026-12-07 wrote 0.9159 where the file has 0.916)."""
    if isinstance(a, float) or isinstance(b, float):
        numbers = isinstance(a, (int, float)) and isinstance(b, (int, float))
        if numbers and math.isclose(a, b, rel_tol=0, abs_tol=1.01e-4):
            return None
        return f"{path}: {a!r} != {b!r}"
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        return next((d for k in a if (d := _diff(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := _diff(x, y, f"{path}[{i}]"))), None)
    return None if a == b else f"{path}: {a!r} != {b!r}"


def test_analysis_of_the_post_matches_the_golden_file(monkeypatch):
    monkeypatch.setenv("XHS_NLP_PRECISION", "fp32")  # every model below reads the fp32 encoder
    got = json.loads(_analysis_json())
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got["encoder"]["precision"] == "fp32"
    assert _diff(got, want) is None, _diff(got, want)


def test_the_comparison_can_fail():
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = json.loads(json.dumps(want))
    changed["sentences"][3]["sentiment"]["score"] += 2e-4  # two units of the last place written
    assert _diff(changed, want).startswith("$.sentences[3].sentiment.score")
    changed = json.loads(json.dumps(want))
    changed["sentences"][3]["claim"] = "claim" if want["sentences"][3]["claim"] == "rhetoric" else "rhetoric"
    assert _diff(changed, want) == f"$.sentences[3].claim: {changed['sentences'][3]['claim']!r} != " \
                                   f"{want['sentences'][3]['claim']!r}"


if __name__ == "__main__":  # regenerate
    os.environ["XHS_NLP_PRECISION"] = "fp32"
    GOLDEN.write_text(_analysis_json(), encoding="utf-8")
    print(f"wrote {GOLDEN}", file=sys.stderr)
