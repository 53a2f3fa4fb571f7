"""A document's scores depend on the document alone (issue 20), at the default precision:
scored alone, among others, with one or two worker processes, in a run interrupted and
resumed, whatever the batch and chunk sizes, every row of every table is the same,
floats included (``check_exact``). The encoder pads each window to a length set by the
window itself, so no other text of a batch can change its numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import xhs_nlp
from xhs_nlp.analysis import analyze_many
from xhs_nlp.batch import TABLES, score_files
from xhs_nlp.encoder import Encoder
from xhs_nlp.tables import dataframes, output_frame

LONG = " ".join(f"Paragraph {i}: the platform's advertising revenue fell again as brands moved their budgets to "
                f"rival apps, creators complained about their reach, and regulators asked questions." for i in range(40))
DOCS = [
    "Revenue rose 5% in 2024. Critics called it a disaster!",
    "I. Trust\nTrust is fragile. It erodes.\n\nII. Money\n" + LONG,      # windows over 510 tokens
    "一、现状\n小红书2024年营收增长了20%。这是一条艰难的路。\n二、未来\n平台必须重建信任。",
    "Xiaohongshu（小红书）的商业化 is stuck：广告主 are leaving.",
    "What a triumph.",
    "The committee meets on Tuesday at 10am. Profit fell 3%. Users left. " * 6,
    "12345 67890\n\nSales fell 2% in the third quarter, the company said.",
    "Die Plattform verliert Nutzer. Die Werbeeinnahmen sinken seit Monaten deutlich.",
]


def _rows_alone() -> dict[str, pd.DataFrame]:
    rows: dict[str, list] = {t: [] for t in TABLES if t != "errors"}
    for pos, text in enumerate(DOCS):
        a = xhs_nlp.analyze(text)
        a.position, a.source = pos, f"in.jsonl:{pos}"
        for t, rs in a.rows().items():
            rows[t] += rs
    return dataframes(rows)


@pytest.fixture(scope="module")
def alone() -> dict[str, pd.DataFrame]:
    return _rows_alone()


def test_the_encoder_gives_a_text_the_same_vector_alone_and_in_any_batch():
    enc = Encoder(cache_size=0)
    texts = [DOCS[0], LONG, DOCS[2], "短句。", DOCS[3]]
    together = enc.features(texts)
    np.testing.assert_array_equal(np.stack([enc.features([t])[0] for t in texts]), together)
    np.testing.assert_array_equal(enc.features(texts[::-1])[::-1], together)
    # the earlier rule (each batch padded to its longest text) moves the numbers
    loose = Encoder(cache_size=0, invariant=False, precision=enc.precision)
    moved = np.abs(np.stack([loose.features([t])[0] for t in texts]) - loose.features(texts)).max()
    assert moved > 0 or enc.precision == "fp32"


@pytest.mark.parametrize("batch_size", [1, 3, 16])
def test_analyze_many_equals_analyze_alone(alone, batch_size):
    rows: dict[str, list] = {t: [] for t in TABLES if t != "errors"}
    for pos, a in enumerate(analyze_many(DOCS, batch_size=batch_size)):
        a.position, a.source = pos, f"in.jsonl:{pos}"
        for t, rs in a.rows().items():
            rows[t] += rs
    for t, df in dataframes(rows).items():
        pd.testing.assert_frame_equal(df, alone[t], check_exact=True)


def _table(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in DOCS), encoding="utf-8")
    return src


def _compare(out, alone, src):
    for t in ("documents", "sections", "sentences"):
        got = pd.read_parquet(out / f"{t}.parquet")
        got = got.apply(lambda c: c.map(lambda v: list(v) if isinstance(v, np.ndarray) else v) if c.dtype == object else c)
        want = alone[t].assign(source=alone[t]["source"].str.replace("in.jsonl", str(src), regex=False))
        want = output_frame(want, t, "parquet")  # Parquet's list columns (frames_on, techniques_on ...)
        pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)


@pytest.mark.parametrize("jobs, batch_size, chunk_size", [(1, 2, 3), (1, 16, 64), (2, 3, 2)])
def test_score_equals_analyze_alone_whatever_the_jobs_and_sizes(alone, tmp_path, jobs, batch_size, chunk_size):
    src = _table(tmp_path)
    score_files([src], tmp_path / "out", jobs=jobs, batch_size=batch_size, chunk_size=chunk_size, progress=False)
    _compare(tmp_path / "out", alone, src)


def test_an_interrupted_and_resumed_run_equals_analyze_alone(alone, tmp_path, interrupted):
    src = _table(tmp_path)
    with interrupted(3):
        score_files([src], tmp_path / "out", batch_size=2, chunk_size=2, progress=False)
    res = score_files([src], tmp_path / "out", batch_size=5, chunk_size=3, resume=True, progress=False)
    assert res["skipped"] == 4
    _compare(tmp_path / "out", alone, src)
