import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

import xhs_nlp
from xhs_nlp.cli import main
from xhs_nlp.errors import DataError, InputError, ModelError
from xhs_nlp.evaluate import evaluate
from xhs_nlp.framing import (
    CATEGORIES,
    FRAMES,
    RHETORICAL_CUES,
    TECHNIQUES,
    FramingClassifier,
    document_framing,
    measured_where,
    scheme_of,
    train_framing,
)
from xhs_nlp.labelled import load_labelled, read_labelled
from xhs_nlp.metrics import micro_f1
from xhs_nlp.thresholds import tune_thresholds

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def frames_model():
    return FramingClassifier.load(scheme="frames")


@pytest.fixture(scope="module")
def techniques_model():
    return FramingClassifier.load(scheme="techniques")


@pytest.fixture(scope="module")
def post_framing(post_doc, frames_model, techniques_model):
    return document_framing(post_doc, frames_model=frames_model, techniques_model=techniques_model)


# -- schemes and thresholds -------------------------------------------------------------------


def test_schemes_are_semeval_2023():
    assert len(FRAMES) == 14 and len(TECHNIQUES) == 23 and len(set(TECHNIQUES)) == 23
    assert len(CATEGORIES) == 6
    assert {t for ts in CATEGORIES.values() for t in ts} == set(TECHNIQUES)


def test_scheme_of_tells_frames_from_techniques_and_names_strangers():
    assert scheme_of([["Economic"], []]) == "frames"
    assert scheme_of([["Loaded_Language", "Doubt"], []]) == "techniques"
    with pytest.raises(DataError, match="Propaganda"):
        scheme_of([["Economic", "Propaganda"]])
    with pytest.raises(DataError, match="no row carries a label"):
        scheme_of([[], []])


def test_tuned_thresholds_beat_one_shared_threshold_onmicro_f1():
    rng = np.random.default_rng(0)
    Y = rng.random((400, 4)) < [0.4, 0.2, 0.05, 0.0]
    Y[:3, 3] = True  # three positives: too few to tune
    # label 0 well separated around 0.7, label 1 around 0.3: one threshold cannot serve both
    P = np.where(Y, [0.8, 0.35, 0.6, 0.6], [0.6, 0.2, 0.3, 0.3]) + rng.normal(0, 0.05, Y.shape)
    t = tune_thresholds(P, Y, min_positive=5)
    best_shared = max(micro_f1(Y, P >= g) for g in np.arange(0.05, 0.91, 0.025))
    assert micro_f1(Y, P >= t) > best_shared
    assert 0.6 < t[0] < 0.8 and 0.2 < t[1] < 0.35
    assert Y[:, 3].sum() < 5  # a rare label keeps the shared threshold
    shared = max(np.round(np.arange(0.05, 0.901, 0.025), 3), key=lambda g: micro_f1(Y, P >= g))
    assert t[3] == pytest.approx(shared)


# -- the shipped models ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme,n", [("frames", 14), ("techniques", 23)])
def test_shipped_models_carry_thresholds_metrics_and_the_language_note(scheme, n):
    clf = FramingClassifier.load(scheme=scheme)
    card = clf.card_
    assert card["kind"] == scheme and len(card["labels"]) == n
    assert set(card["thresholds"]) == set(card["labels"]) and clf.thresholds_.shape == (n,)
    cv = card["metrics"]["cross_validated"]
    # frames learn Chinese from the op-ed reading corpus; techniques read it through the encoder alone
    langs = {"de", "en", "fr", "it", "pl", "ru"} | ({"zh"} if scheme == "frames" else set())
    assert set(cv["per_lang"]) == langs
    assert set(cv["per_label"]) == set(card["labels"])
    assert ("zh" in card["cross_lingual_note"]) == (scheme == "frames")
    # a card without the head parameter loads as the linear head
    assert clf.head == ("linear" if scheme == "frames" else "linear+mlp") == card["hyperparameters"].get("head", "linear")
    assert all(s["sha256"] and s["rows"] > 0 for s in card["training_data"])
    assert {"xhs_nlp", "scikit-learn", "transformers", "torch"} <= set(card["versions"])


def test_frames_model_reads_economic_and_security_texts(frames_model):
    P = frames_model.predict_proba([
        "Revenue fell 20% and the company cut prices to win back advertisers; profits and market share shrank.",
        "The army shelled the border town; troops and missiles were moved to defend the front line.",
    ])
    assert P.shape == (2, 14)
    econ, sec = FRAMES.index("Economic"), FRAMES.index("Security_and_defense")
    assert P[0, econ] > 0.5 > P[1, econ] and P[1, sec] > 0.5 > P[0, sec]
    # Chinese through the multilingual encoder alone
    zh = frames_model.predict_proba(["公司营收下降百分之二十，利润和市场份额都在缩水，广告主削减预算。"])[0]
    assert zh[econ] == zh.max()


def test_long_text_is_pooled_over_all_its_paragraphs_not_truncated(frames_model):
    econ = "Revenue fell 20% and profits shrank as advertisers cut their budgets."
    war = "Troops shelled the border town and missiles hit the front line."
    long = "\n".join([war] * 40 + [econ] * 40)
    p = frames_model.predict_proba([long])[0]
    only_war = frames_model.predict_proba(["\n".join([war] * 40)])[0]
    assert p[FRAMES.index("Economic")] > only_war[FRAMES.index("Economic")] + 0.2


def test_a_text_of_many_paragraphs_is_pooled_batch_by_batch_with_the_same_features(frames_model, monkeypatch):
    from xhs_nlp import heads

    paras = [f"Paragraph {i}: the platform's revenue fell {i}% as advertisers left." for i in range(23)]
    whole = frames_model.paragraph_features([paras])
    calls = []
    orig = frames_model.shared_encoder().features
    monkeypatch.setattr(frames_model.shared_encoder(), "features", lambda texts, **kw: calls.append(len(texts)) or
                        orig(texts, **kw))
    monkeypatch.setattr(heads, "PREDICT_ROWS", 5)  # a document's 23 paragraphs, read 5 at a time
    batched = frames_model.paragraph_features([paras])
    assert calls == [5, 5, 5, 5, 3] and np.allclose(batched, whole, atol=1e-6)


def test_framing_classifier_is_a_clonable_estimator():
    est = FramingClassifier("techniques", C=0.01)
    check_parameters_default_constructible("FramingClassifier", est)
    check_no_attributes_set_in_init("FramingClassifier", est)
    check_get_params_invariance("FramingClassifier", est)
    check_set_params("FramingClassifier", est)
    c = clone(est)
    assert c.get_params() == est.get_params() and c is not est


def test_predict_rejects_one_string_and_empty_texts(frames_model):
    with pytest.raises(DataError, match="list of texts"):
        frames_model.predict_proba("one string")
    with pytest.raises(DataError, match="row 1: text is empty"):
        frames_model.predict_proba(["fine", "  "])


def test_save_load_round_trip_and_tampering(tmp_path, techniques_model):
    out = techniques_model.save(tmp_path / "t")
    back = FramingClassifier.load(out, scheme="techniques")
    texts = ["They are traitors and liars, every one of them!", "The meeting is on Tuesday."]
    assert np.allclose(back.predict_proba(texts), techniques_model.predict_proba(texts))
    assert np.array_equal(back.predict(texts), techniques_model.predict(texts))
    assert back.predict_labels(texts) == techniques_model.predict_labels(texts)
    with pytest.raises(ModelError, match="techniques"):
        FramingClassifier.load(out, scheme="frames")
    w = out / "weights.safetensors"
    w.write_bytes(w.read_bytes()[:-10])
    with pytest.raises(ModelError, match="truncated or was modified"):
        FramingClassifier.load(out, scheme="techniques")


# -- framing of a document ----------------------------------------------------------------------


def test_post_framing_per_section(post_doc, post_framing):
    res = post_framing
    assert len(res.sections) == len(post_doc.sections) == 6
    sents = post_doc.sentences
    for sec, fr in zip(post_doc.sections, res.sections):
        assert fr.title == sec.title and fr.empty_reason is None
        assert set(fr.frames) == set(FRAMES) and set(fr.techniques) == set(TECHNIQUES)
        assert set(fr.categories) == set(CATEGORIES) and set(fr.cues_per_1000_tokens) == set(RHETORICAL_CUES)
        assert all(0.0 <= v <= 1.0 for v in [*fr.frames.values(), *fr.techniques.values()])
        assert len(fr.paragraphs) == len(sec.paragraphs)
        for cat, ts in CATEGORIES.items():
            assert fr.categories[cat] == max(fr.techniques[t] for t in ts)
        # evidence for the top frames and techniques: sentences of this section, true offsets
        for lab, _ in fr.top_frames(3) + fr.top_techniques(3):
            ev = fr.evidence[lab]
            assert 1 <= len(ev) <= 2
            for e in ev:
                assert post_doc.text[e.start : e.end] == e.text == sents[e.sentence].text
                assert sec.start <= e.start < e.end <= sec.end
        for h in fr.cue_hits:
            assert post_doc.text[h["start"] : h["end"]] == h["text"]
            s = sents[h["sentence"]]
            assert s.start <= h["start"] < h["end"] <= s.end
    # an op-ed on a platform's commercialisation: the economic frame leads the document
    assert res.document.top_frames(1)[0][0] == "Economic"
    assert json.loads(json.dumps(res.to_dict()))["sections"][1]["title"] == post_doc.sections[1].title


def test_rhetorical_cues_are_bilingual_and_counted_per_1000_tokens(frames_model, techniques_model):
    doc = xhs_nlp.segment("一、判断\n小红书已经进入深水区，护城河不是流量而是社区。研究表明，平台必须过冬吗？\n"
                          "二、Judgement\nThe moat is not traffic but trust. Experts say it must survive the winter?")
    res = document_framing(doc, frames_model=frames_model, techniques_model=techniques_model)
    for fr in res.sections:
        kinds = {h["cue"] for h in fr.cue_hits}
        assert {"metaphor", "contrast", "authority", "obligation", "question"} <= kinds
        assert fr.tokens > 0
        n_metaphor = sum(h["cue"] == "metaphor" for h in fr.cue_hits)
        assert fr.cues_per_1000_tokens["metaphor"] == pytest.approx(1000 * n_metaphor / fr.tokens)
    zh = {h["text"] for h in res.sections[0].cue_hits if h["cue"] == "metaphor"}
    assert {"深水区", "护城河", "过冬"} <= zh


def test_empty_and_letterless_sections_give_a_documented_empty_result(frames_model, techniques_model):
    doc = xhs_nlp.segment("I. Nothing here\n\nII. Numbers\n\n12345 67890\n\nIII. Text\n\nPrices rose 5% last year.")
    res = document_framing(doc, frames_model=frames_model, techniques_model=techniques_model)
    by_title = {s.title: s for s in res.sections}
    assert by_title["Numbers"].empty_reason and by_title["Numbers"].frames == {}
    assert by_title["Text"].empty_reason is None and by_title["Text"].frames
    if "Nothing here" in by_title:  # a heading with no body is a section without sentences
        assert by_title["Nothing here"].empty_reason == "the section has no sentences"
    only_digits = document_framing(xhs_nlp.segment("12345 67890"), frames_model=frames_model, techniques_model=techniques_model)
    assert only_digits.document.empty_reason and only_digits.sections[0].frames == {}


# -- training and evaluation ---------------------------------------------------------------------


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


ECON = ["Prices rose {}% and wages fell behind.", "The firm's revenue grew {} percent this quarter.",
        "Taxes and budgets were cut by {} billion.", "Markets fell {} points as investors sold shares."]
WAR = ["Troops attacked the border at dawn {}.", "Missiles struck {} army bases overnight.",
       "Soldiers defended the city for {} days.", "The navy sent {} warships to the strait."]


def _frames_rows():
    rows = []
    for i in range(30):
        econ = i % 2 == 0
        tmpl = (ECON if econ else WAR)[i % 4]
        rows.append({"text": tmpl.format(i + 3), "label": ["Economic"] if econ else ["Security_and_defense"],
                     "lang": "en", "split": "train", "source_id": f"en/article{i}"})
    return rows


def test_train_framing_writes_a_model_with_cv_metrics(tmp_path):
    data = _write(tmp_path / "frames.jsonl", _frames_rows())
    models = train_framing([data], tmp_path / "m", folds=3, verbose=False, min_positive=3, C=0.1)
    clf = FramingClassifier.load(tmp_path / "m" / "frames", scheme="frames")
    assert list(models) == ["frames"] and not (tmp_path / "m" / "techniques").exists()
    cv = clf.card_["metrics"]["cross_validated"]
    assert cv["micro_f1"] > 0.8 and cv["per_label"]["Economic"]["support"] == 15
    p = clf.predict_proba(["Inflation and unemployment rose as the economy shrank."])[0]
    assert p[FRAMES.index("Economic")] > 0.5 > p[FRAMES.index("Security_and_defense")]
    assert clf.card_["hyperparameters"]["C"] == 0.1 and clf.card_["training_rows"] == 30
    rep = evaluate("frames", str(data), model=clf)
    assert rep["micro_f1"] > 0.9 and rep["per_lang"]["en"]["n"] == 30 and len(rep["per_label"]) == 14


def test_train_framing_from_the_command_line_banks_paragraph_features_for_the_next_run(tmp_path, monkeypatch):
    from safetensors.numpy import load_file

    from xhs_nlp.encoder import get_encoder

    rows = _frames_rows()
    rows[0]["text"] += "\nA second paragraph about the budget."  # frames texts are encoded line by line
    data = _write(tmp_path / "frames.jsonl", rows)
    run = ["train", "framing", "--data", str(data), "--folds", "3", "--C", "0.1", "--cache", str(tmp_path / "bank")]
    assert main(run + ["--out", str(tmp_path / "m1")]) == 0
    assert list((tmp_path / "bank").rglob("*.npy"))  # the paragraphs' features, kept
    enc, passes = get_encoder(), []
    orig = enc._encode_uncached
    monkeypatch.setattr(enc, "_encode_uncached", lambda texts, kind, **kw: passes.append(texts) or
                        orig(texts, kind, **kw))
    enc.clear_cache()
    assert main(run + ["--out", str(tmp_path / "m2")]) == 0
    assert passes == []  # the second run encodes nothing
    first, second = (load_file(tmp_path / m / "frames" / "weights.safetensors") for m in ("m1", "m2"))
    assert all(np.array_equal(first[k], second[k]) for k in first)
    card = FramingClassifier.load(tmp_path / "m2" / "frames", scheme="frames").card_
    assert card["hyperparameters"]["C"] == 0.1


def test_train_framing_holds_out_dev_documents_drops_their_copies_and_weighs_corpora(tmp_path):
    # a second corpus in the op-ed corpus's layout: documents with `frames`, a train/dev split and a README
    news = _frames_rows()
    econ_dev = ("The central bank raised interest rates again this month. Mortgage costs for families climbed "
                "sharply after the decision.")
    news.append({"text": "Headline. " + econ_dev + " More.", "label": ["Economic"], "lang": "en", "split": "train",
                 "source_id": "en/article_copy"})  # the source article of a dev document
    oped = [{"doc_key": f"d{i}", "lang": "zh", "split": "train", "text": t.format(i),
             "frames": [f]} for i, (t, f) in enumerate([("物价上涨了{}%，工资却没有跟上。", "Economic"),
                                                        ("军队在边境发动了第{}次袭击。", "Security_and_defense")] * 6)]
    # a training document of the same corpus that shares most of a dev document's text (two commentaries of one event)
    oped.append({"doc_key": "twin", "lang": "en", "split": "train", "text": econ_dev + " Brokers expect a pause.",
                 "frames": ["Economic"]})
    oped += [{"doc_key": "dev1", "lang": "en", "split": "dev", "text": econ_dev, "frames": ["Economic"]},
             {"doc_key": "dev2", "lang": "zh", "split": "dev", "text": "导弹连夜袭击了军事基地，士兵守城三天。",
              "frames": ["Security_and_defense"]}]
    (tmp_path / "opinion_reading_zh_en").mkdir()
    (tmp_path / "opinion_reading_zh_en" / "README.txt").write_text("NAME: x\n\nLICENCE\nThe labels: CC BY 4.0.\n\nMORE\n")
    a = _write(tmp_path / "frames.jsonl", news)
    b = _write(tmp_path / "opinion_reading_zh_en" / "docs.jsonl", oped)
    models = train_framing([a, b], tmp_path / "m", folds=3, verbose=False, min_positive=3, C=0.1,
                           weights="opinion_reading_zh_en=3")
    card = FramingClassifier.load(tmp_path / "m" / "frames", scheme="frames").card_
    assert card["held_out_rows"] == 2 and card["dropped_copies_of_held_out"] == 2
    assert card["training_rows"] == 30 + 12 and card["corpora"]["opinion_reading_zh_en"] == 12
    assert card["weights"]["opinion_reading_zh_en"] == 3.0 and set(card["languages"]) == {"en", "zh"}
    held = card["metrics"]["held_out"]["opinion_reading_zh_en"]
    assert set(held) == {"en", "zh"} and held["zh"]["n"] == 1
    assert set(card["metrics"]["held_out_without_their_corpora"]["opinion_reading_zh_en"]) == {"en", "zh"}
    assert set(card["metrics"]["cross_validated_by_corpus"]) == set(card["corpora"])
    assert card["training_data"][1]["licence"] == "LICENCE The labels: CC BY 4.0."
    assert models["frames"].predict_labels(["导弹袭击了边境的军队。"]) == [["Security_and_defense"]]
    with pytest.raises(DataError, match="no training row comes from it"):
        train_framing([a], None, folds=3, verbose=False, min_positive=3, weights="opinion_reading_zh_en=3")


def test_the_shipped_frames_model_is_measured_in_genre_and_says_so(frames_model, techniques_model):
    held = frames_model.card_["metrics"]["held_out"]["opinion_reading_zh_en"]
    zero = frames_model.card_["metrics"]["held_out_without_their_corpora"]["opinion_reading_zh_en"]
    # issue 34: dev micro-F1 >= 0.70 in each language, both above the zero-shot reading (far above in Chinese)
    assert held["zh"]["micro_f1"] >= 0.70 > zero["zh"]["micro_f1"] and held["en"]["micro_f1"] > zero["en"]["micro_f1"]
    assert held["en"]["micro_f1"] >= 0.70
    sem = frames_model.card_["metrics"]["cross_validated_by_corpus"]["semeval2023_task3"]["micro_f1"]
    # and on SemEval's own articles not more than 0.01 below the SemEval-only model's 0.647
    assert sem >= 0.647 - 0.01
    # the project's own 30 English op-eds are a corpus of their own name, weighed apart
    assert frames_model.card_["weights"] == {"opinion_reading_more_en": 1.0, "opinion_reading_zh_en": 2.0,
                                             "semeval2023_task3": 1.0}
    assert "CC BY 4.0" in frames_model.card_["training_data"][1]["licence"]
    where = measured_where(frames_model)
    assert where.startswith("in genre: held-out documents of opinion_reading_zh_en, micro-F1 en 0.")
    assert f"zh {held['zh']['micro_f1']:.2f} ({held['zh']['n']} documents)" in where and "SemEval-2023 news" in where
    assert "not measured in genre or in Chinese" in measured_where(techniques_model)
    res = document_framing(xhs_nlp.segment("I. Money\nThe platform's ad revenue fell 20% this year."),
                           frames_model=frames_model, techniques_model=techniques_model)
    assert res.measured == {"frames": where, "techniques": measured_where(techniques_model)}
    assert res.to_dict()["measured"] == res.measured


def test_the_post_sections_read_by_a_reader_evaluate_as_a_frames_corpus(frames_model):
    from xhs_nlp.datasets import example_path

    rep = evaluate("frames", str(example_path("frames")), model=frames_model)
    assert rep["n"] == 7 and rep["per_lang"]["en"]["n"] == 7 and 0.0 < rep["micro_f1"] <= 1.0
    # every section is labelled Economic by the reader, and the model finds it in each
    assert rep["per_label"]["Economic"]["support"] == 7 and rep["per_label"]["Economic"]["f1"] == 1.0


def test_frames_are_read_from_the_frames_field_of_documents(tmp_path):
    b = _write(tmp_path / "docs.jsonl", [{"doc_key": "d1", "text": "Prices rose.", "frames": ["Economic"], "lang": "en"}])
    assert read_labelled([b], multilabel=True)[0].label == ("Economic",)
    assert load_labelled(b, multilabel=True)[1] == [["Economic"]]


DOUBT = ["Can we really believe the minister's promise number {}?", "Is this report {} anything more than spin?",
         "Nobody has checked whether claim {} is true at all.", "Why should anyone trust statistic {} from them?"]
FLAG = ["Our great nation will stand united, {} times over!", "True patriots defend the homeland, {} generations on.",
        "For the glory of our people and flag, year {}!", "The fatherland calls every son {} to its side."]


def _techniques_rows():
    return [{"text": (DOUBT if i % 2 else FLAG)[i % 4].format(i + 2), "label": ["Doubt"] if i % 2 else ["Flag_Waving"],
             "lang": "en", "split": "train", "source_id": f"en/a{i // 2}:{i % 2}"} for i in range(36)]


def test_train_techniques_fits_the_linear_and_mlp_heads_by_default_and_saves_them(tmp_path):
    data = _write(tmp_path / "persuasion.jsonl", _techniques_rows())
    models = train_framing([data], tmp_path / "m", folds=3, verbose=False, min_positive=3, epochs=60)
    clf = FramingClassifier.load(tmp_path / "m" / "techniques", scheme="techniques")
    assert clf.head == models["techniques"].head == "linear+mlp" and clf.card_["hyperparameters"]["hidden_size"] == 512
    d = clf.mean_.shape[0]
    assert clf.coef_.shape == (len(TECHNIQUES), d) and clf.hidden_weight_.shape == (512, d)
    assert clf.output_weight_.shape == (len(TECHNIQUES), 512)
    assert clf.card_["metrics"]["cross_validated"]["micro_f1"] > 0.8
    assert sorted(clf.trained_labels_) == ["Doubt", "Flag_Waving"]
    texts = ["Can we really trust what the spokesman says?", "Our proud nation and its flag will never kneel!"]
    P = clf.predict_proba(texts)
    assert np.allclose(P, models["techniques"].predict_proba(texts), atol=1e-6)
    d, f = TECHNIQUES.index("Doubt"), TECHNIQUES.index("Flag_Waving")
    assert P[0, d] > P[0, f] and P[1, f] > P[1, d]
    others = [j for j in range(len(TECHNIQUES)) if j not in (d, f)]
    assert P[:, others].max() < 1e-9  # labels without training data are never predicted
    only_mlp = clone(clf).set_params(head="mlp").fit(texts * 9, [["Doubt"], ["Flag_Waving"]] * 9)
    assert only_mlp.coef_ is None and only_mlp.predict_proba(texts)[0, d] > 0.5


def test_mlp_numpy_forward_matches_torch_and_the_seed_fixes_the_weights():
    import torch

    from xhs_nlp._mlp import fit_mlp, mlp_logits

    rng = np.random.default_rng(0)
    Z = rng.normal(size=(300, 16)).astype(np.float32)
    Y = np.stack([Z[:, 0] > 0, Z[:, 1] + Z[:, 2] > 0.5], axis=1)
    state = torch.random.get_rng_state()
    w = fit_mlp(Z, Y, hidden_size=8, dropout=0.1, epochs=100, learning_rate=3e-2, weight_decay=0.0, seed=3)
    assert torch.equal(state, torch.random.get_rng_state())  # the caller's random state is untouched
    w2 = fit_mlp(Z, Y, hidden_size=8, dropout=0.1, epochs=100, learning_rate=3e-2, weight_decay=0.0, seed=3)
    assert all(np.array_equal(w[k], w2[k]) for k in w)
    net = torch.nn.Sequential(torch.nn.Linear(16, 8), torch.nn.GELU(approximate="tanh"), torch.nn.Linear(8, 2))
    with torch.no_grad():
        for layer, (a, b) in zip((net[0], net[2]), (("w1", "b1"), ("w2", "b2"))):
            layer.weight.copy_(torch.from_numpy(w[a]))
            layer.bias.copy_(torch.from_numpy(w[b]))
        ref = net(torch.from_numpy(Z)).numpy()
    got = mlp_logits(Z, w["w1"], w["b1"], w["w2"], w["b2"])
    assert np.allclose(got, ref, atol=1e-5)
    assert ((got > 0) == Y).mean() > 0.9  # it learnt both labels


def test_the_linear_plus_mlp_head_averages_the_two_heads():
    rows = _techniques_rows()
    Z = np.random.default_rng(1).normal(size=(len(rows), 12)).astype(np.float32)
    Z[:, 0] += np.array([2.0 if "Doubt" in r["label"] else -2.0 for r in rows])
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    fit = {h: FramingClassifier("techniques", head=h, C=1.0, hidden_size=16, epochs=60, min_positive=3, random_state=4)
           .fit(texts, labels, features=Z) for h in ("linear", "mlp", "linear+mlp")}
    assert fit["linear"].hidden_weight_ is None and fit["mlp"].coef_ is None
    proba = {h: m.predict_proba(texts, features=Z) for h, m in fit.items()}
    both = proba["linear+mlp"]
    assert np.allclose(both, (proba["linear"] + proba["mlp"]) / 2, atol=1e-6)
    d = TECHNIQUES.index("Doubt")
    assert ((both[:, d] > 0.5) == (Z[:, 0] > 0)).mean() > 0.9


def test_unknown_head_and_mismatched_mlp_weights_are_refused(tmp_path):
    with pytest.raises(InputError, match="head must be one of"):
        FramingClassifier("techniques", head="forest").fit(["a b c"] * 6, [["Doubt"]] * 6, features=np.ones((6, 4)))
    rows = _techniques_rows()
    Z = np.random.default_rng(0).normal(size=(len(rows), 8)).astype(np.float32)
    clf = FramingClassifier("techniques", head="mlp", hidden_size=4, epochs=2, min_positive=3)
    clf.fit([r["text"] for r in rows], [r["label"] for r in rows], features=Z)
    out = clf.save(tmp_path / "t")
    card = json.loads((out / "card.json").read_text())
    card["hyperparameters"]["hidden_size"] = 5
    (out / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="hidden_weight has shape"):
        FramingClassifier.load(out, scheme="techniques")


def test_train_framing_refuses_bad_rows_and_writes_nothing(tmp_path):
    rows = _frames_rows()
    rows[7]["label"] = ["Economic", "Propaganda"]
    data = _write(tmp_path / "bad.jsonl", rows)
    with pytest.raises(DataError, match="Propaganda"):
        train_framing([data], tmp_path / "m", verbose=False)
    rows = _frames_rows()
    rows[4]["text"] = "   "
    with pytest.raises(DataError, match="row 4: text is empty"):
        train_framing([_write(tmp_path / "bad2.jsonl", rows)], tmp_path / "m", verbose=False)
    rows = _frames_rows()
    del rows[9]["label"]
    with pytest.raises(DataError, match="row 9 has no 'label'"):
        train_framing([_write(tmp_path / "bad3.jsonl", rows)], tmp_path / "m", verbose=False)
    assert not (tmp_path / "m").exists()


def test_evaluate_techniques_reports_micro_and_macro_per_label_and_language(tmp_path, techniques_model):
    rows = [{"text": "These corrupt traitors are destroying our great nation!", "label": ["Loaded_Language", "Name_Calling-Labeling"], "lang": "en"},
            {"text": "The committee meets on Tuesday at 10am.", "label": [], "lang": "en"},
            {"text": "Diese Verräter zerstören unser großes Land!", "label": ["Loaded_Language"], "lang": "de"}]
    data = _write(tmp_path / "t.jsonl", rows)
    rep = evaluate("techniques", str(data), model=techniques_model)
    assert rep["task"] == "techniques" and rep["n"] == 3
    assert {"micro_f1", "macro_f1", "accuracy", "per_label", "per_lang"} <= set(rep)
    assert set(rep["per_lang"]) == {"de", "en"} and len(rep["per_label"]) == 23
    assert rep["per_label"]["Loaded_Language"]["support"] == 2
    bad = _write(tmp_path / "bad.jsonl", [{"text": "x y z", "label": ["Sarcasm"]}])
    with pytest.raises(DataError, match="Sarcasm"):
        evaluate("techniques", str(bad), model=techniques_model)


def test_cli_framing_and_evaluate(tmp_path, capsys, post_path):
    assert main(["framing", str(post_path)]) == 0
    out = capsys.readouterr().out
    assert "Industry Shifts to Operations" in out and "frames:" in out and "(whole document)" in out
    data = _write(tmp_path / "f.jsonl", _frames_rows()[:6])
    assert main(["evaluate", "frames", "--data", str(data), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["n"] == 6 and "micro_f1" in rep
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["evaluate", "frames", "--data", str(tmp_path / "missing.jsonl")]) == 1
    assert "does not exist" in capsys.readouterr().err
