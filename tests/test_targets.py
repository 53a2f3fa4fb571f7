"""The target-sentiment head: targets as part of the input, the shipped model, training with
the partial label, save/load, target-level data and its errors, evaluation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone

from xhs_nlp.errors import DataError, InputError
from xhs_nlp.evaluate import evaluate
from xhs_nlp.labelled import read_targeted
from xhs_nlp.targets import TargetSentimentModel, context_window, resolve_targets

# the head reads which organisation each clause is about (the issue's own example, "Tencent's ad
# revenue grew for 11 quarters while Xiaohongshu's trust eroded.", it still misreads: README)
RIVALS = "Tencent's advertising revenue grew strongly, while Xiaohongshu lost users' trust."


@pytest.fixture(scope="module")
def shipped():
    return TargetSentimentModel.load()


def test_two_targets_of_one_sentence_get_two_answers(shipped):
    P = shipped.predict_proba([RIVALS, RIVALS], targets=["Tencent", "Xiaohongshu"])
    assert np.allclose(P.sum(1), 1.0)
    score = P[:, 2] - P[:, 0]  # the op-ed-trained head is more cautious: the signs, not the argmax (README)
    assert score[0] > 0.2 and score[1] < -0.2
    # issue 32's example: the sentence is critical, and so is its portrayal of 小红书 (+0.35 before)
    p = shipped.predict_proba(["小红书的用户信任正在快速流失，商业化试水屡屡受挫。"], targets=["小红书"])[0]
    assert p[2] - p[0] < -0.2
    q = shipped.predict_proba(["Tencent grew strongly while Baidu collapsed."] * 2, targets=["Tencent", "Baidu"])
    assert q[0, 2] - q[0, 0] > 0.2 and q[1, 2] - q[1, 0] < -0.2
    zh = "腾讯的广告收入连续增长，而小红书的用户信任在流失。"
    r = shipped.predict_proba([zh, zh], targets=["腾讯", "小红书"])
    assert r[0, 2] - r[0, 0] > r[1, 2] - r[1, 0] and r[1, 2] - r[1, 0] < -0.2
    # spans and strings name the same target
    a = shipped.predict_proba([RIVALS], targets=[(51, 62)])
    b = shipped.predict_proba([RIVALS], targets=["Xiaohongshu"])
    assert np.allclose(a, b)


def test_the_card_records_data_metrics_and_baselines(shipped):
    card = shipped.card_
    assert {s["path"] for s in card["training_data"]} == {
        "newsmtsc_en/data.jsonl", "sentfin_en/data.jsonl", "bbt_finnsp_zh/data.jsonl",
        "opinion_reading_zh_en/targets.jsonl"}
    assert card["corpus_weights"]["opinion_reading_zh_en"] == 3.0
    # issue 32: the op-ed reading corpus's organisation tones, dev split (before: en 0.67, zh 0.41)
    oped = card["metrics"]["held_out"]["opinion_reading_zh_en"]["per_lang"]
    assert oped["zh"]["macro_f1"] > 0.7 and oped["en"]["macro_f1"] > 0.55
    assert all(len(s["sha256"]) == 64 for s in card["training_data"])
    cv, held = card["metrics"]["cross_validated"], card["metrics"]["held_out"]
    assert {"sentfin_en", "bbt_finnsp_zh", "newsmtsc_en"} <= set(cv) and "newsmtsc_en" in held
    assert held["bbt_finnsp_zh"]["binary"] is True
    base = card["metrics"]["baselines"]["held_out_rows"]
    # the head beats the sentence-level model on the rows it was scored on (NewsMTSC dev, FinNSP dev)
    for corpus in ("newsmtsc_en", "bbt_finnsp_zh"):
        assert held[corpus]["macro_f1"] > base["sentence model"][corpus]["macro_f1"]
        assert held[corpus]["macro_f1"] > base["lexicon"][corpus]["macro_f1"]


def test_resolve_targets_names_the_bad_row():
    texts = ["Tencent grew.", "Baidu fell."]
    assert resolve_targets(texts, ["tencent", (0, 5)]) == [(0, 7), (0, 5)]
    with pytest.raises(DataError, match=r"row 1: the target 'Alibaba' does not occur"):
        resolve_targets(texts, ["Tencent", "Alibaba"])
    with pytest.raises(DataError, match=r"row 0: the span \(3, 99\) is not inside"):
        resolve_targets(texts, [(3, 99), (0, 5)])
    with pytest.raises(InputError, match="2 texts but 1 targets"):
        resolve_targets(texts, ["Tencent"])
    with pytest.raises(InputError, match="targets= is required"):
        resolve_targets(texts, None)


def test_context_window_keeps_the_target():
    long = "Intro sentence. " * 40 + "Tencent grew fast this year. " + "Outro sentence. " * 40
    a = long.index("Tencent")
    ctx, s, e = context_window(long, a, a + 7, 100)
    assert ctx[s:e] == "Tencent" and ctx.startswith("Tencent grew") and len(ctx) <= 100
    text = "x" * 1000 + "腾讯" + "y" * 1000  # no sentence boundary: a window centred on the target
    ctx, s, e = context_window(text, 1000, 1002, 50)
    assert ctx[s:e] == "腾讯" and len(ctx) == 50 and 20 <= s <= 26


def test_fit_with_partial_labels_save_and_load(tmp_path):
    X = ["Tencent grew fast while Baidu collapsed.", "Baidu soared while Tencent slumped.",
         "Alibaba reported results.", "小红书业绩大涨。", "腾讯被罚款。", "京东发布公告。"] * 3
    T = ["Tencent", "Tencent", "Alibaba", "小红书", "腾讯", "京东"] * 3
    y = ["positive", "negative", "neutral", "positive", "negative", "non-negative"] * 3
    m = TargetSentimentModel(epochs=4, hidden_size=16)
    Z = m.features(X, targets=T)
    m.fit(X, y, features=Z)
    P = m.predict_proba(X, features=Z)
    assert P.shape == (18, 3) and P[5, 0] < 0.5  # non-negative: little mass on negative
    m.save(tmp_path / "m")
    m2 = TargetSentimentModel.load(tmp_path / "m")
    assert np.array_equal(m2.predict_proba(X, targets=T), m.predict_proba(X, targets=T))
    assert clone(m).get_params() == m.get_params()
    with pytest.raises(DataError, match="target-sentiment labels"):
        TargetSentimentModel(epochs=1).fit(X, ["good"] * 18, features=Z)


def test_read_targeted_rows_and_errors(tmp_path):
    rows = [{"text": "Tencent grew.", "target": "Tencent", "label": "positive"},
            {"text": "Baidu fell; Tencent held.", "target_from": 12, "target_to": 19, "target": "Tencent",
             "label": "neutral"},
            {"text": "小资钱包涉嫌诈骗，恒丰银行回应。", "entities": "小资钱包;恒丰银行;不在文中", "key_entities": "小资钱包",
             "label": "1"}]
    got, skipped = read_targeted([rows])
    assert [(r.text[r.start:r.end], r.label) for r in got] == [
        ("Tencent", "positive"), ("Tencent", "neutral"), ("小资钱包", "negative"), ("恒丰银行", "non-negative")]
    assert skipped["entity_not_in_text"] == 1
    with pytest.raises(DataError, match=r"row 0: the target 'Alibaba' does not occur"):
        read_targeted([[{"text": "Tencent grew.", "target": "Alibaba", "label": "positive"}]])
    with pytest.raises(DataError, match=r"row 0: target_from/target_to \(5, 50\) are not offsets inside"):
        read_targeted([[{"text": "Tencent grew.", "target_from": 5, "target_to": 50, "label": "positive"}]])
    with pytest.raises(DataError, match=r"text\[0:5\] is 'Tence', not the target 'Tencent'"):
        read_targeted([[{"text": "Tencent grew.", "target_from": 0, "target_to": 5, "target": "Tencent",
                         "label": "positive"}]])


def test_evaluate_target_sentiment(tmp_path, shipped):
    path = tmp_path / "t.jsonl"
    rows = [{"text": RIVALS, "target": "Tencent", "label": "positive"},
            {"text": RIVALS, "target": "Xiaohongshu", "label": "negative"},
            {"text": "Baidu announced its quarterly results on Tuesday.", "target": "Baidu", "label": "neutral"}]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    rep = evaluate("target-sentiment", path, model=shipped)
    assert rep["n"] == 3 and rep["binary"] is False and set(rep["per_label"]) == {"negative", "neutral", "positive"}
    assert rep["confusion"]["positive"]["positive"] == 1 and rep["confusion"]["negative"]["negative"] == 1
    path.write_text(json.dumps({"text": RIVALS, "target": "Xiaohongshu", "label": "1"}), encoding="utf-8")
    rep = evaluate("target-sentiment", path, model=shipped, label_map="1=negative")
    assert rep["binary"] is True and rep["accuracy"] == 1.0
    path.write_text(json.dumps({"text": RIVALS, "target": "Alibaba", "label": "positive"}), encoding="utf-8")
    with pytest.raises(DataError, match="row 0: the target 'Alibaba' does not occur"):
        evaluate("target-sentiment", path, model=shipped)


def test_train_command_writes_a_model_card_and_predictions(tmp_path, capsys):
    from xhs_nlp.cli import main

    (tmp_path / "en").mkdir(), (tmp_path / "zh").mkdir()
    en, zh = tmp_path / "en" / "data.jsonl", tmp_path / "zh" / "data.jsonl"  # a corpus is named by its folder
    good = ["{} beat forecasts and its shares rose.", "{} won a large contract.", "{} raised its dividend."]
    bad = ["{} missed forecasts and its shares fell.", "{} was fined by the regulator.", "{} cut 500 jobs."]
    flat = ["{} will report results on Tuesday.", "{} is based in Shenzhen.", "{} named a new board member."]
    rows = [{"text": t.format(n), "target": n, "label": lab, "split": "dev" if i == 0 and n == "Baidu" else "train"}
            for n in ("Tencent", "Baidu", "Alibaba", "JD.com")
            for lab, ts in (("positive", good), ("negative", bad), ("neutral", flat)) for i, t in enumerate(ts)]
    en.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    zh_rows = [{"text": f"{a}涉嫌违规被查，{b}发布公告。", "entities": f"{a};{b}", "key_entities": a, "label": "1"}
               for a, b in (("腾讯", "百度"), ("阿里巴巴", "京东"), ("小红书", "微博"), ("美团", "拼多多"))] * 2
    zh.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in zh_rows), encoding="utf-8")
    out, preds = tmp_path / "model", tmp_path / "preds.jsonl"
    assert main(["train", "target-sentiment", "--data", str(en), str(zh), "--folds", "2", "--out", str(out),
                 "--predictions", str(preds)]) == 0
    m = TargetSentimentModel.load(out)
    card = m.card_
    assert card["rows_per_corpus"] == {"en": 33, "zh": 16} and card["training_seconds"] > 0
    assert card["metrics"]["cross_validated"]["zh"]["binary"] is True
    assert set(card["metrics"]["held_out"]) >= {"en"} and card["metrics"]["held_out"]["en"]["n"] == 3
    assert "sentence model" in card["metrics"]["baselines"]["held_out_rows"]
    recs = [json.loads(line) for line in preds.read_text(encoding="utf-8").splitlines()]
    assert sum(r["kind"] == "cv" for r in recs) == 49 and sum(r["kind"] == "held_out" for r in recs) == 3
    assert all(abs(r["p_negative"] + r["p_neutral"] + r["p_positive"] - 1) < 1e-4 for r in recs)
