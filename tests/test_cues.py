import pytest

from xhs_nlp.cues import CLAIM_CUES, CUES, cue_counts, find_cues, organisations

# one English and one Chinese sentence per cue, each containing the cue
EXAMPLES = {
    "percent": ["Its share fell to 41 percent.", "占比从76%降到41%。"],
    "money": ["It raised $3.5 billion last year.", "年费168元。"],
    "date": ["It closed in October 2023.", "2025年9月上线。"],
    "number": ["It hired 300 engineers.", "连续11个季度增长。"],
    "organisation": ["Harvard Business School published it.", "字节跳动调整了架构。"],
    "quotation": ['He called it "the best in history".', "被称为“史上最佳”。"],
    "attribution": ["The company said profits rose.", "一位高管表示情况良好。"],
    "authority": ["A survey of merchants found this.", "研究表明用户信任下降。"],
    "first_person": ["I asked several friends.", "我问了几个朋友。"],
    "second_person": ["You will not believe it.", "你会发现问题。"],
    "hedge": ["This may well be intended for insiders.", "这可能是为了提振信心。"],
    "booster": ["This is clearly a turning point.", "这显然是一个转折点。"],
    "obligation": ["It must restructure quickly.", "它必须尽快转型。"],
    "comparative": ["The path is more difficult than theirs.", "处境比它们更难。"],
    "superlative": ["Trust is the most fragile asset.", "信任是最脆弱的资产。"],
    "question": ["Why is it going against the grain?", "为什么要逆势而行？"],
    "exclamation": ["What a show!", "太精彩了！"],
    "contrast": ["It is not a celebration but a warning.", "这不是庆祝，而是警告。"],
    "metaphor": ["Platforms entered the deep water zone.", "平台进入了深水区。"],
    "historical_analogy": ["History repeats itself.", "历史总是惊人地相似。"],
}


def test_every_cue_has_bilingual_examples():
    assert set(EXAMPLES) == set(CUES)


@pytest.mark.parametrize("cue", sorted(EXAMPLES))
@pytest.mark.parametrize("lang", [0, 1], ids=["en", "zh"])
def test_cue_fires_and_points_at_its_text(cue, lang):
    text = EXAMPLES[cue][lang]
    hits = [h for h in find_cues(text) if h.cue == cue]
    assert hits, f"{cue} not found in {text!r}"
    for h in hits:
        assert text[h.start : h.end] == h.text


def test_neutral_sentence_has_no_fact_cues():
    hits = find_cues("The weather was pleasant.")
    assert not [h for h in hits if h.cue in ("percent", "money", "date", "number", "organisation", "quotation")]


def test_quantities_do_not_double_count():
    hits = find_cues("Revenue was 50 billion US dollars in 2024, up 12%.", ("money", "percent", "date", "number"))
    assert [(h.cue, h.text) for h in hits] == [("money", "50 billion US dollars"), ("date", "2024"), ("percent", "12%")]


def test_organisations_list_and_pattern():
    text = "Tencent Advertising and the Shanghai Research Institute met 国家统计局 and 浙江正聚源科技有限公司."
    assert [h.text for h in organisations(text)] == [
        "Tencent Advertising", "Shanghai Research Institute", "国家统计局", "浙江正聚源科技有限公司"]


def test_unknown_cue_is_refused():
    with pytest.raises(ValueError, match="unknown cue"):
        find_cues("text", ["sarcasm"])


def test_cue_counts_shape_and_values():
    X = cue_counts(["Sales rose 5% in 2023?", "Nice."])
    assert X.shape == (2, len(CLAIM_CUES) + 1)
    j = list(CLAIM_CUES).index("question")
    assert X[0, j] > 0 and X[1, j] == 0
    assert X[0, -1] > X[1, -1]  # longer text
