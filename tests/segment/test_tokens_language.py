"""Tokens (jieba + domain dictionary, rules for English) and language tags."""

from __future__ import annotations

import jieba
import pytest

from xhs_nlp import segment
from xhs_nlp.segment.language import detect_lang
from xhs_nlp.segment.tokens import domain_terms, get_jieba, tokenize, tokenize_span


@pytest.mark.parametrize("term", ["小红书", "抖音", "快手", "巨量引擎", "种草", "本地生活", "电商"])
def test_domain_terms_are_single_tokens(term):
    assert term in tokenize(f"我们看到{term}正在加速商业化")


def test_domain_dictionary_keeps_jieba_frequencies():
    tok = get_jieba()
    plain = jieba.Tokenizer()
    plain.initialize()
    known = [w for w, _ in domain_terms() if plain.FREQ.get(w)]
    assert known, "some domain terms are already in jieba's dictionary"
    assert all(tok.FREQ[w] == plain.FREQ[w] for w in known)
    # the global jieba instance is not modified
    assert jieba.dt is not tok


def test_english_tokens():
    assert tokenize("Xiaohongshu's GMV isn't 400 billion yuan (0.5%)—e.g. U.S. data.") == [
        "Xiaohongshu", "'s", "GMV", "is", "n't", "400", "billion", "yuan", "(", "0.5", "%", ")", "—",
        "e.g.", "U.S.", "data", ".",
    ]  # fmt: skip


def test_token_offsets_map_back_in_mixed_sentence():
    doc = segment("小红书（Xiaohongshu）的月活达到2.6亿，用户信任从76%跌到41%。")
    s = doc.sentences[0]
    assert all(doc.text[t.start : t.end] == t.text for t in s.tokens)
    words = [t.text for t in s.tokens]
    assert words[:4] == ["小红书", "（", "Xiaohongshu", "）"]
    assert "76" in words and "%" in words
    kinds = {t.text: t.kind for t in s.tokens}
    assert kinds["76"] == "number" and kinds["（"] == "punct"


def test_a_line_break_inside_chinese_words_is_read_through():
    text = "小红书的用户信任正在快速流\n失，小红\n  书商业化"
    got = [(text[a:b], k) for a, b, k in tokenize_span(text)]
    assert got == [(w, "punct" if w == "，" else "word")
                   for w in ["小红书", "的", "用户", "信任", "正在", "快速", "流\n失", "，", "小红\n  书", "商业化"]]
    spaced = "商业化 试水"  # a space is no line break
    assert [spaced[a:b] for a, b, _ in tokenize_span(spaced)] == ["商业化", "试水"]


def test_tokenize_span_respects_bounds():
    text = "abc 小红书 def"
    assert [text[a:b] for a, b, _ in tokenize_span(text, 4, 7)] == ["小红书"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("小红书的商业化进入深水区。", "zh"),
        ("Trust is the most fragile asset.", "en"),
        ("小红书（Xiaohongshu）is entering the deep water zone 深水区.", "mixed"),
        ("Die Plattform ist nicht mehr das, was sie war, und das ist ein Problem.", "de"),
        # letters only one language uses count like its stop words
        ("Djokovics Familie ist enttäuscht.", "de"),
        ("La giustizia e il Recovery.", "it"),
        ("Pandemi dönemi nedeniyle tarihin en az öğretmen atamasını gördük.", "tr"),
        ("Nie wiem, czy to się uda.", "pl"),
        # the English "I" is not the Italian article
        ("I believe I made a mistake.", "en"),
        ("Платформы объединили команды и отделы.", "ru"),
        ("Он сказал, что объект закрыт до конца года.", "ru"),
        # Bulgarian: the hard sign as a vowel, and Bulgarian-only function words
        ("Той каза, че пътят към града е затворен.", "bg"),
        ("А ние, европейците, трябва да им помогнем.", "bg"),
        # nothing tells Russian from Bulgarian here: Russian
        ("Мама мила раму.", "ru"),
        ("12345 — 67%", "und"),
    ],
)
def test_language_tags(text, lang):
    assert detect_lang(text) == lang
