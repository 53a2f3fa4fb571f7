"""xhs_nlp.compare on real score output: a handful of short op-ed-like texts scored by
``score_files`` (the ``xhs-nlp score`` code), then compared by outlet, month and language."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from xhs_nlp.compare import compare, expand_metadata, load_error_rates, parse_dates, read_tables
from xhs_nlp.errors import DataError

ROWS = [
    {"text": "Xiaohongshu's revenue rose 20% in 2024. The platform is a triumph for young shoppers.",
     "outlet": "FT", "date": "2024-01-15"},
    {"text": "Regulators fined Alibaba 18 billion yuan in 2021. This was a fair and necessary decision.",
     "outlet": "FT", "date": "2024-01-28"},
    {"text": "Tencent's games lost users last year. Its strategy looks confused and weak.",
     "outlet": "FT", "date": "2024-02-03"},
    {"text": "Xiaohongshu faces a crisis of trust. Advertisers are leaving and users complain about fake reviews.",
     "outlet": "Economist", "date": "2024-02-10"},
    {"text": "小红书的用户信任正在快速流失，商业化试水屡屡受挫。平台需要认真反思。", "outlet": "财新", "date": "2024-02-20"},
    {"text": "阿里巴巴去年营收增长了8%。这是一个令人鼓舞的信号。", "outlet": "财新", "date": "2024-03-01"},
    {"text": "监管部门对平台处以罚款，要求整改。市场秩序正在恢复。", "outlet": "财新", "date": "not a date"},
    {"text": "The platform economy needs clear rules. Without them, innovation will stall and consumers will suffer.",
     "outlet": "Economist", "date": None},
]


def score_fixture(folder):
    """Score ROWS (a JSONL table with outlet and date columns) into ``folder / 'out'``."""
    from xhs_nlp.batch import score_files

    src = folder / "in.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    res = score_files([src], folder / "out", progress=False)
    assert res["documents"] == len(ROWS) and res["failed"] == 0
    return folder / "out"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    return score_fixture(tmp_path_factory.mktemp("compare"))


def test_metadata_becomes_columns_and_groups(scored):
    c = compare(scored, by=["outlet"], n_resamples=200)
    g = c["groups"].set_index("outlet")
    assert g.loc["FT", "n"] == 3 and g.loc["财新", "n"] == 3 and g.loc["Economist", "n"] == 2
    assert g["small"].all()  # every group is under the default 5 documents: marked, not hidden
    assert set(c["measures"]["outlet"]) == {"FT", "Economist", "财新"}


def test_every_interval_contains_its_estimate(scored):
    c = compare(scored, by=["lang"], n_resamples=300, correction="acc")
    m = c["measures"].dropna(subset=["estimate"])
    assert len(m) > 40
    assert (m["ci_low"] <= m["estimate"] + 1e-9).all() and (m["estimate"] <= m["ci_high"] + 1e-9).all()
    o = c["organisations"].dropna(subset=["tone"])
    assert len(o) and ((o["tone_low"] <= o["tone"] + 1e-9) & (o["tone"] <= o["tone_high"] + 1e-9)).all()
    for name in ("sentiment", "share_negative", "label_negative", "claim_share", "frame:Economic",
                 "technique:Loaded_Language", "prevalence_claim", "prevalence_negative"):
        assert name in set(m["measure"]), name
    p = m[m["measure"].str.startswith("prevalence_")]
    assert ((p["estimate"] >= 0) & (p["estimate"] <= 1)).all() and set(p["method"]) == {"acc"}


def test_the_bootstrap_is_seeded(scored):
    a = compare(scored, by="lang", n_resamples=200, seed=3)["measures"]
    b = compare(scored, by="lang", n_resamples=200, seed=3)["measures"]
    c = compare(scored, by="lang", n_resamples=200, seed=4)["measures"]
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"].fillna(0), c["ci_low"].fillna(0)) or not np.allclose(
        a["ci_high"].fillna(0), c["ci_high"].fillna(0))


def test_a_groups_interval_does_not_depend_on_the_other_groups(scored):
    t = read_tables(scored)
    alone = compare({k: v[v["doc_id"].isin(t["documents"]["doc_id"][:3])] if "doc_id" in v else v
                     for k, v in t.items()}, by="outlet", n_resamples=200)["measures"]
    full = compare(t, by="outlet", n_resamples=200)["measures"]
    ft = lambda m: m[m["outlet"] == "FT"].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(ft(alone), ft(full))


def test_grouping_by_month_with_unparseable_dates(scored):
    c = compare(scored, by=["month"], n_resamples=100, min_documents=2)
    g = c["groups"]
    assert g["month"].tolist() == ["2024-01", "2024-02", "2024-03", "(no date)"]
    assert g["n"].tolist() == [2, 3, 1, 2]
    assert g["small"].tolist() == [False, False, True, False]
    assert c.time == "month" and any("without a parseable date" in n for n in c.notes)
    assert str(g["period_start"].iloc[0]) == "2024-01-01 00:00:00"
    q = compare(scored, by=["outlet", "quarter"], n_resamples=50)["groups"]
    assert set(q["quarter"]) == {"2024-Q1", "(no date)"}


def test_inputs_folder_dict_and_documents_frame_agree(scored):
    t = read_tables(scored)
    a = compare(scored, by="outlet", n_resamples=100)
    b = compare(t, by="outlet", n_resamples=100)
    pd.testing.assert_frame_equal(a["measures"], b["measures"])
    d = compare(t["documents"], by="outlet", n_resamples=100)  # no sentences/entities: no organisations
    assert len(d["organisations"]) == 0
    pd.testing.assert_frame_equal(a["measures"], d["measures"])


def test_bad_groupings_are_clear_errors(scored):
    with pytest.raises(DataError, match="cannot group by 'publisher'"):
        compare(scored, by="publisher")
    t = read_tables(scored)
    with pytest.raises(DataError, match="date column"):
        compare(t, by="month", date="published")
    with pytest.raises(DataError, match="empty"):
        compare({"documents": t["documents"].iloc[:0]}, by="outlet")
    with pytest.raises(DataError, match="needs the sentences table"):
        compare(t["documents"], correction="pcc")


def test_missing_values_form_a_marked_group():
    docs = pd.DataFrame({"doc_id": list("abc"), "claim_share": [0.1, 0.2, 0.3],
                         "metadata": ['{"outlet": "A"}', '{"outlet": "A"}', None]})
    c = compare(docs, by="outlet", n_resamples=50)
    assert c["groups"]["outlet"].tolist() == ["(missing)", "A"]
    assert any("without a value" in n for n in c.notes)


def test_expand_metadata_keeps_existing_columns():
    d = pd.DataFrame({"lang": ["en"], "metadata": ['{"lang": "fr", "outlet": "X"}']})
    e = expand_metadata(d)
    assert e["lang"].tolist() == ["en"] and e["meta_lang"].tolist() == ["fr"] and e["outlet"].tolist() == ["X"]


def test_parse_dates_is_utc():
    s = parse_dates(["2024-01-31T23:30:00-05:00", "2024-02-01"])
    assert [str(t) for t in s] == ["2024-02-01 04:30:00+00:00", "2024-02-01 00:00:00+00:00"]


def test_intervals_cover_the_truth_at_about_their_nominal_rate():
    # 300 simulated groups of 25 documents whose claim shares come from a known distribution
    # (mean 0.4): a 95% interval should hold the true mean about 95% of the time
    rng = np.random.default_rng(7)
    n_groups, size = 300, 25
    shares = rng.beta(2, 3, size=(n_groups, size))
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n_groups * size)],
                         "g": np.repeat(np.arange(n_groups), size), "claim_share": shares.ravel()})
    m = compare(docs, by="g", n_resamples=400, seed=1).measure("claim_share")
    covered = ((m["ci_low"] <= 0.4) & (0.4 <= m["ci_high"])).mean()
    assert 0.90 <= covered <= 0.99, covered


def test_shipped_error_rates_load():
    r = load_error_rates()
    assert r["method"] in ("CC", "ACC", "PCC", "cPCC")
    for task in ("claims", "sentiment"):
        for C in r[task].values():
            assert np.allclose(C.sum(1), 1.0)
    own = load_error_rates({"claims": {"confusion": {"claim": {"claim": 8, "rhetoric": 2},
                                                     "rhetoric": {"claim": 1, "rhetoric": 9}}}})
    assert set(own["claims"]) == {"*"}


def test_cli_compare_writes_tables(scored, tmp_path):
    from xhs_nlp.cli import main

    out = tmp_path / "cmp"
    assert main(["compare", str(scored), "--by", "outlet", "--out", str(out), "--resamples", "50"]) == 0
    wide = pd.read_csv(out / "wide.csv")
    assert {"outlet", "n", "small", "claim_share", "claim_share_low", "claim_share_high"} <= set(wide.columns)
    assert (out / "notes.txt").read_text(encoding="utf-8").strip()
