"""The one base of every trained scorer (:class:`xhs_nlp.heads.EncoderHead`): sklearn's
estimator checks that apply to text input, the same checks by hand on texts, features
given or computed, declared hyper-parameter constraints, and save/load of every head."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
)

from xhs_nlp.claims import ClaimClassifier
from xhs_nlp.errors import DataError, InputError, ModelError
from xhs_nlp.framing import TECHNIQUES, FramingClassifier
from xhs_nlp.heads import EncoderHead
from xhs_nlp.sentiment import LABELS, SentimentModel

ESTIMATORS = [SentimentModel(), ClaimClassifier(), FramingClassifier("frames"), FramingClassifier("techniques")]
API_CHECKS = [check_estimator_cloneable, check_estimator_repr, check_estimator_tags_renamed, check_valid_tag_types,
              check_no_attributes_set_in_init, check_do_not_raise_errors_in_init_or_set_params, check_mixin_order,
              check_parameters_default_constructible, check_get_params_invariance, check_set_params]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__ + getattr(e, "scheme", ""))
@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_api_checks(est, check):
    check(type(est).__name__, clone(est))


def test_every_scorer_is_one_head_on_the_encoder():
    for est in ESTIMATORS:
        assert isinstance(est, EncoderHead)
        assert est.__sklearn_tags__().input_tags.string and not est.__sklearn_tags__().input_tags.two_d_array


# -- the same checks on texts, with features given (no encoder pass) -------------------------------

POS = ["Revenue grew 12% in 2024.", "Sales rose 5% to 3 billion yuan.", "The firm hired 300 people in May.",
       "Profit climbed 8% last year.", "营收同比增长20%。", "公司去年招聘了300人。"]
NEG = ["What a disgrace this is!", "We must not give up hope.", "I think this plan is doomed.",
       "Nobody should trust them again!", "这真是一场灾难！", "我们绝不能放弃希望。"]


def _features(n: int, y: np.ndarray, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, 16)).astype(np.float32)
    Z[:, 0] += np.where(y, 3.0, -3.0)
    return Z


def _features3(n: int, seed: int = 0) -> np.ndarray:
    """Features whose first column tells the 3 classes of :func:`_cases`' 3-class labels apart."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    is_pos = np.array([i % 12 < 6 for i in idx])
    Z = rng.normal(size=(n, 16)).astype(np.float32)
    Z[:, 0] += np.where(idx % 3 == 0, 0.0, np.where(is_pos, 4.0, -4.0))
    Z[:, 1] += np.where(idx % 3 == 0, 4.0, 0.0)
    return Z


def _cases():
    X = (POS + NEG) * 20  # sentiment's per-language heads need 200 rows of a language
    is_pos = np.array([i % 12 < 6 for i in range(len(X))])
    Z = _features(len(X), is_pos)
    sent_y = np.where(is_pos, "positive", "negative")
    claim_y = np.where(is_pos, "claim", "rhetoric")
    tech_y = [["Doubt"] if p else ["Loaded_Language"] for p in is_pos]
    langs = ["zh" if any("\u4e00" <= c <= "\u9fff" for c in t) else "en" for t in X]
    return [
        (SentimentModel(head="linear", C=1.0, blend=0.3, min_language_rows=50), X, sent_y, Z, {"langs": langs}),
        (ClaimClassifier(C=1.0), X, claim_y, Z, {}),
        (FramingClassifier("techniques", min_positive=3, C=1.0), X, tech_y, Z, {}),
        # 3-class, the shipped head: a one-hidden-layer network (+ n-grams)
        (SentimentModel(hidden_size=16, epochs=40, learning_rate=0.01, blend=0.3, min_language_rows=50), X,
         np.where(np.arange(len(X)) % 3 == 0, "neutral", sent_y), _features3(len(X)), {"langs": langs}),
    ]


@pytest.mark.parametrize("case", range(4), ids=["sentiment", "claims", "techniques", "sentiment3"])
def test_fit_predict_on_given_features_behaves_like_an_estimator(case):
    est, X, y, Z, kw = _cases()[case]
    with pytest.raises(NotFittedError):
        est.predict_proba(X[:2], features=Z[:2], **kw_rows(kw, slice(0, 2)))
    params = est.get_params()
    assert est.fit(X, y, features=Z, **kw) is est  # fit returns self
    assert est.get_params() == params  # and leaves the hyper-parameters alone
    P = est.predict_proba(X, features=Z, **kw)
    assert P.shape == (len(X), len(est.classes_)) and np.all((P >= 0) & (P <= 1))
    fresh = clone(est)
    assert not hasattr(fresh, "classes_")  # a clone is unfitted
    fresh.fit(X, y, features=Z, **kw)
    np.testing.assert_allclose(fresh.predict_proba(X, features=Z, **kw), P)  # same seed, same model
    pred = est.predict(X, features=Z, **kw)
    if isinstance(est, FramingClassifier):
        assert pred.shape == (len(X), len(TECHNIQUES)) and set(np.unique(pred)) <= {0, 1}
        assert list(est.classes_) == list(TECHNIQUES)
        d = TECHNIQUES.index("Doubt")
        assert (pred[:, d] == np.array([lab == ["Doubt"] for lab in y])).mean() > 0.9
    else:
        assert (np.asarray(pred) == np.asarray(y)).mean() > 0.9  # the signal in feature 0 was learnt


def kw_rows(kw, idx):
    return {k: v[idx] for k, v in kw.items()}


def test_features_of_the_wrong_shape_are_refused():
    est, X, y, Z, kw = _cases()[1]
    with pytest.raises(DataError, match="one row per text"):
        est.fit(X, y, features=Z[:5])


def test_weights_of_another_width_fail_with_a_model_error_naming_both_widths(tmp_path):
    # a head fitted on 10 features (another encoder, other layers) loads, then refuses the encoder's features
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(12, 10))
    est = FramingClassifier("techniques", min_positive=2).fit(POS + NEG, [["Doubt"]] * 6 + [["Flag_Waving"]] * 6,
                                                               features=Z)
    est.save(tmp_path / "narrow")
    loaded = FramingClassifier.load(tmp_path / "narrow", scheme="techniques")
    assert loaded.predict_proba(POS[:1], features=Z[:1]).shape == (1, len(TECHNIQUES))
    with pytest.raises(ModelError, match=r"narrow: its weights read 10 features per text, but the encoder gives \d+"):
        loaded.predict_proba(POS[:1])
    with pytest.raises(DataError, match="features have 4 columns, the model's weights read 10"):
        loaded.predict(POS[:1], features=np.zeros((1, 4)))


@pytest.mark.parametrize("est, name", [(ClaimClassifier(C=-1), "C"), (ClaimClassifier(max_iter=0), "max_iter"),
                                       (FramingClassifier(dropout=1.5), "dropout"),
                                       (FramingClassifier(head="forest"), "head"),
                                       (SentimentModel(blend=2.0), "blend"), (SentimentModel(languages=("fr",)), "fr")])
def test_hyperparameters_are_checked_at_fit_and_the_bad_one_named(est, name):
    with pytest.raises(InputError, match=name):
        est.fit(POS + NEG, ["claim"] * 6 + ["rhetoric"] * 6, features=np.zeros((12, 4)))


def test_a_head_works_in_a_pipeline_and_cross_validation():
    # cue counts only: no encoder, so the pipeline's text step and the head run as sklearn runs them
    X = np.array(POS + NEG, dtype=object)
    y = np.array(["claim"] * 6 + ["rhetoric"] * 6)
    pipe = Pipeline([("strip", FunctionTransformer(lambda t: [s.strip() for s in t])),
                     ("clf", ClaimClassifier(embeddings=False, cues=True, C=1.0))])
    scores = cross_val_score(pipe, X, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.mean() > 0.6


def test_out_of_fold_scores_each_row_with_a_model_that_never_saw_it():
    est, X, y, Z, kw = _cases()[1]
    splits = list(KFold(4, shuffle=True, random_state=0).split(X))
    oof = est.out_of_fold(X, y, splits, features=Z)
    a, b = splits[0]
    fold = clone(est).fit([X[i] for i in a], y[a], features=Z[a])
    np.testing.assert_allclose(oof[b], fold.predict_proba([X[i] for i in b], features=Z[b]))


@pytest.mark.parametrize("case", range(4), ids=["sentiment", "claims", "techniques", "sentiment3"])
def test_save_load_round_trip_of_every_head(case, tmp_path):
    est, X, y, Z, kw = _cases()[case]
    est.fit(X, y, features=Z, **kw)
    back = type(est).load(est.save(tmp_path / "m"), **({"scheme": est.scheme} if hasattr(est, "scheme") else {}))
    assert back.get_params() == est.get_params()
    np.testing.assert_allclose(back.predict_proba(X, features=Z, **kw), est.predict_proba(X, features=Z, **kw),
                               atol=1e-6)
    assert list(back.classes_) == list(est.classes_)


def test_sentiment_score_is_the_estimator_score_and_the_old_call_still_works():
    est, X, y, Z, kw = _cases()[0]
    est.fit(X, y, features=Z, **kw)
    assert list(est.classes_) == list(LABELS)
    m = SentimentModel.load()
    with pytest.warns(DeprecationWarning, match="score_texts"):
        old = m.score(["Great product, I love it."], ["en"])
    assert old[0].label == "positive" == m.score_texts(["Great product, I love it."], ["en"])[0].label
    assert m.score(["Great product, I love it.", "A dreadful, boring mess."], ["positive", "negative"]) == 1.0


def test_a_heads_numbers_do_not_depend_on_the_blas_threads_around_it():
    # a worker process runs numpy's BLAS with one thread, the main process with several; on
    # some CPUs (OpenBLAS on AMD EPYC) that alone moved a probability by up to 1e-6 before heads
    # applied their weights under one thread
    from threadpoolctl import threadpool_limits

    m = SentimentModel.load()
    Z = np.random.default_rng(0).standard_normal((48, m.heads_["mlp"]["w1"].shape[1])).astype(np.float32)
    texts, langs = ["x"] * 48, ["en", "zh"] * 24
    got = {}
    for n in (1, 2, 4):
        with threadpool_limits(limits=n, user_api="blas"):
            got[n] = m.predict_proba(texts, langs, features=Z)
    np.testing.assert_array_equal(got[1], got[2])
    np.testing.assert_array_equal(got[1], got[4])


def test_heads_scoring_in_threads_leave_the_blas_thread_count_as_it_was():
    import threading

    from threadpoolctl import threadpool_info

    from xhs_nlp.heads import one_blas_thread

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    seen = []

    def work():
        for _ in range(100):
            with one_blas_thread():
                seen.append(blas_threads())
                np.ones((64, 64)) @ np.ones((64, 64))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(all(n == 1 for n in s) for s in seen)  # one thread inside, whoever else is scoring
    assert blas_threads() == before
