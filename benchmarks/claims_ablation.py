"""Claim-vs-rhetoric: the floor, the feature ablation and the baselines, in one run.

Every variant is trained on the same rows as the shipped model (CheckThat! 2023 + 2025
train/dev, all languages, and ClaimBuster, deduplicated, copies of held-out rows
dropped) and reported as macro-F1

* on CheckThat! 2025 ``dev_test`` per language (held out, never trained on),
* cross-validated (5 folds, grouped by normalised text) per CheckThat! language and on
  ClaimBuster (NFS vs UFS+CFS), and
* on the project's annotated forum post (``corpora/xhs_will_2025_claims.jsonl``).

Baselines: TF-IDF (word 1-2 grams) + logistic regression, and TextBlob's subjectivity
lexicon (pattern's adjective lexicon, English only; subjectivity >= 0.5 -> rhetoric).

Run (about 25 minutes on 2 cores; needs the ``bench`` extra for TextBlob)::

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python benchmarks/claims_ablation.py --corpora ../shared/corpora
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xhs_nlp._corpora import text_groups  # noqa: E402
from xhs_nlp.claims import ClaimClassifier, _labels, _load_rows, _split_rows, _tune_threshold  # noqa: E402
from xhs_nlp.evaluate import parse_label_map  # noqa: E402
from xhs_nlp.persist import library_versions  # noqa: E402

LABEL_MAP = "OBJ=claim,SUBJ=rhetoric,CFS=claim,UFS=claim,NFS=rhetoric"
CT_LANGS = ["en", "de", "it", "ar", "bg", "tr"]


def macro_f1(y, pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, labels=["claim", "rhetoric"], average="macro", zero_division=0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only", nargs="*", help="run only these variants")
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args()
    C = Path(args.corpora)
    paths = [C / "checkthat2025_subjectivity/data.jsonl", C / "checkthat2023_subjectivity/data.jsonl",
             C / "claimbuster/data_3class.jsonl"]
    rows, _ = _load_rows(paths, parse_label_map(LABEL_MAP), {"claimbuster": "speech"})
    train, held, _ = _split_rows(rows, ("dev_test",))
    post = [json.loads(x) for x in (ROOT / "corpora/xhs_will_2025_claims.jsonl").read_text("utf-8").splitlines()]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          + ", ".join(f"{k} {v}" for k, v in library_versions().items()), flush=True)
    print(f"train {len(train)} rows, held out (dev_test) {len(held)}, post {len(post)}", flush=True)

    texts = [r[0] for r in train]
    y = np.array([r[1] for r in train], dtype=object)
    dom = np.array([r[5] for r in train], dtype=object)
    key = np.array(["cb" if r[4] == "claimbuster" else r[2] for r in train])
    htexts = [r[0] for r in held]
    hy = np.array([r[1] for r in held], dtype=object)
    hl = np.array([r[2] for r in held])
    ptexts = [r["text"] for r in post]
    langs = np.array([r[2] for r in train], dtype=object)
    plangs = [r.get("lang") for r in post]
    py = np.array([r["label"] for r in post], dtype=object)

    from sklearn.model_selection import StratifiedGroupKFold

    groups = text_groups(texts)
    strata = np.array([f"{a}-{r[4]}" for a, r in zip(y, train)])  # label x corpus, as train_claims
    folds = list(StratifiedGroupKFold(args.folds, shuffle=True, random_state=0).split(texts, strata, groups))

    from xhs_nlp.encoder import get_encoder, layer_features

    enc = get_encoder()
    enc.cache_size = 0
    t0 = time.perf_counter()
    E_all = layer_features(enc, texts + htexts + ptexts, None)
    print(f"encoded {len(E_all)} sentences in {time.perf_counter() - t0:.0f} s", flush=True)
    E, HE, PE = E_all[: len(texts)], E_all[len(texts) : len(texts) + len(htexts)], E_all[len(texts) + len(htexts) :]
    last = slice(E.shape[1] - enc.dim, E.shape[1])

    def run_estimator(params: dict, use_domains: bool, emb_cols=slice(None)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        def fit(idx):
            m = ClaimClassifier(**params)
            em = E[idx][:, emb_cols] if params.get("embeddings", True) else None
            return m.fit([texts[i] for i in idx], y[idx], domains=dom[idx] if use_domains else None,
                         langs=langs[idx], _embeddings=em)

        def p(m, tx, em, d=None, lg=None):
            return m._p_claim(tx, d, em[:, emb_cols] if m.embeddings else None, langs=lg)

        oof = np.zeros(len(texts))
        for a, b in folds:
            m = fit(a)
            for d in sorted(set(dom[b].tolist())):
                idx = b[dom[b] == d]
                oof[idx] = p(m, [texts[i] for i in idx], E[idx], d if use_domains else None, langs[idx])
        m = fit(np.arange(len(texts)))
        return oof, p(m, htexts, HE, lg=list(hl)), p(m, ptexts, PE, lg=plangs)

    def run_tfidf():
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        def make():
            return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                                 LogisticRegression(C=10.0, max_iter=3000))
        X = np.array(texts, dtype=object)
        oof = np.zeros(len(texts))
        for a, b in folds:
            m = make().fit(X[a], y[a])
            oof[b] = m.predict_proba(X[b])[:, list(m.classes_).index("claim")]
        m = make().fit(X, y)
        j = list(m.classes_).index("claim")
        return oof, m.predict_proba(htexts)[:, j], m.predict_proba(ptexts)[:, j]

    def run_textblob():
        from textblob import TextBlob

        def p(tx):  # P(claim) := 1 - subjectivity
            return np.array([1.0 - TextBlob(t).sentiment.subjectivity for t in tx])
        return p(texts), p(htexts), p(ptexts)

    variants = {
        "floor: LR on last layer": lambda: run_estimator({"C": 1.0}, False, last),
        "LR on 13 layers": lambda: run_estimator({}, False),
        "13 layers + domain adaptation": lambda: run_estimator({}, True),
        "+ language weights": lambda: run_estimator({"language_weights": True}, True),
        "+ cues": lambda: run_estimator({"cues": True}, True),
        "+ n-grams (0.3)": lambda: run_estimator({"ngrams": True}, True),
        "+ cues + n-grams": lambda: run_estimator({"cues": True, "ngrams": True}, True),
        "cues + n-grams, no encoder": lambda: run_estimator({"embeddings": False, "cues": True, "ngrams": True}, True),
        "baseline: TF-IDF + LR": run_tfidf,
        "baseline: TextBlob subjectivity": run_textblob,
    }
    results = {}
    head = (f"{'variant':<34}{'thr':>5} | dev_test " + " ".join(f"{lg:>5}" for lg in ["en", "de", "it", "ar", "bg"])
            + "   avg | CV " + " ".join(f"{lg:>5}" for lg in CT_LANGS) + "   avg    cb | post acc  mF1")
    print(head, flush=True)
    for name, fn in variants.items():
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        oof, ph, pp = fn()
        for thr_name, thr in (("0.5", 0.5), ("cv", None)):
            if thr is None:  # the shipped rule: mean per-language CV macro-F1 over news rows
                if name.startswith("baseline: TextBlob"):
                    continue
                news = dom == "news"
                thr = _tune_threshold(oof[news], y[news], np.array([r[2] for r in train])[news])
            lab = lambda p: _labels(p, thr)  # noqa: E731
            dt = {lg: macro_f1(hy[hl == lg], lab(ph)[hl == lg]) for lg in ["en", "de", "it", "ar", "bg"]}
            cv = {lg: macro_f1(y[key == lg], lab(oof)[key == lg]) for lg in CT_LANGS + ["cb"]}
            post_acc = float((lab(pp) == py).mean())
            res = {"threshold": thr, "dev_test": dt, "dev_test_avg": float(np.mean(list(dt.values()))), "cv": cv,
                   "cv_ct_avg": float(np.mean([cv[lg] for lg in CT_LANGS])), "post_accuracy": post_acc,
                   "post_macro_f1": macro_f1(py, lab(pp)), "seconds": round(time.perf_counter() - t0, 1)}
            results[f"{name} [thr {thr_name}]"] = res
            print(f"{name[:34]:<34}{thr:>5.2f} | dev_test " + " ".join(f"{dt[lg]:.3f}" for lg in dt)
                  + f" {res['dev_test_avg']:.3f} | CV " + " ".join(f"{cv[lg]:.3f}" for lg in CT_LANGS)
                  + f" {res['cv_ct_avg']:.3f} {cv['cb']:.3f} | post {post_acc:.3f} {res['post_macro_f1']:.3f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
