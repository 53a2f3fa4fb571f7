"""Prevalence across documents: which estimate of a share of classifier labels is closest
to the share a careful reader gives, on labelled documents the models were not trained on.

``xhs_nlp.compare`` reports, per group of documents, the share of claim sentences and of
negative/neutral/positive sentences. A share of a classifier's labels (classify and count,
CC) is biased: it is ``tpr * p + fpr * (1 - p)`` for a true share ``p``, so it is pulled
towards the classifier's own favourite labels and moves less than the truth between groups.
This script measures four estimators on the op-ed reading corpus's dev split (whole
documents, English and Chinese, labelled sentence by sentence; never trained on):

* ``CC``: the share of the predicted labels (what the tables give);
* ``ACC``: adjusted classify and count: the CC share corrected by the confusion matrix
  ``P(predicted | true)`` (binary: ``(q - fpr) / (tpr - fpr)``; three classes: solve
  ``C^T p = q``, projected onto the simplex), per language;
* ``PCC``: probabilistic classify and count: the mean of the model's probabilities;
* ``cPCC``: the mean of probabilities recalibrated (Platt / multinomial logistic on the
  log-probabilities), per language.
* ``ACC-card`` (sentiment only): ACC with the confusion matrix of the model card
  (cross-validated on the corpus's *train* split): what a user gets without dev data.

The correction's rates (and the recalibration) are estimated on half of the dev documents
and judged on groups of the other half (2-fold cross-fitting by document, stratified by
language, 20 random splits), so no estimate sees its own documents. Groups: single
documents, 5 random documents, the 5 documents with the highest and the 5 with the lowest
true share (groups that differ: what a comparison looks at), the whole half. A group's
share is the mean of its documents' shares (each document weighs the same: ``compare``'s
rule), its truth the same mean of the labelled shares.

It then writes the rates of the full dev split (per language) to
``xhs_nlp/data/error_rates.json`` (``--write``), which ``compare`` reads.

Run:  nice -n 19 .venv/bin/python benchmarks/prevalence.py [--write] > benchmarks/prevalence.out.txt
Cost: the 647 dev sentences encoded once (cached under ``--cache``, default /tmp).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, SHARED, header, need  # noqa: E402

CORPUS = SHARED / "opinion_reading_zh_en"
LABELS = ("negative", "neutral", "positive")
RATES = ROOT / "xhs_nlp" / "data" / "error_rates.json"


def load_dev() -> list[dict]:
    claims = {r["source_id"]: r for r in map(json.loads, open(need(CORPUS / "claims.jsonl"), encoding="utf-8"))
              if r["split"] == "dev"}
    rows = []
    for r in map(json.loads, open(need(CORPUS / "sentiment.jsonl"), encoding="utf-8")):
        if r["split"] == "dev" and r["source_id"] in claims:
            rows.append({"text": r["text"], "lang": r["lang"], "doc": r["doc_key"], "sentiment": r["label"],
                         "claim": claims[r["source_id"]]["label"]})
    return rows


def predict(rows: list[dict], cache: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Sentiment probabilities ``(n, 3)``, ``P(claim)`` and the claim threshold of each
    row, as the pipeline computes them (``classify_document`` / ``score_document``)."""
    from xhs_nlp.claims import ClaimClassifier
    from xhs_nlp.sentiment import SentimentModel

    clf, sm = ClaimClassifier.load(), SentimentModel.load()
    shas = {"claims": clf.card_.get("weights_sha256"), "sentiment": sm.card_.get("weights_sha256")}
    # the hyper-parameters too: a model retrained to the same weights may label at other
    # thresholds, offsets or domains (they are in its card, not its weights)
    key = hashlib.sha256(json.dumps([shas, clf.card_.get("hyperparameters"), sm.card_.get("hyperparameters"),
                                     [r["text"] for r in rows]], sort_keys=True, default=str).encode()).hexdigest()[:16]
    path = cache / f"xhs_nlp_prevalence_{key}.npz"
    if path.exists():
        z = np.load(path)
        return z["P"], z["pc"], z["th"], shas
    texts, langs = [r["text"] for r in rows], [r["lang"] for r in rows]
    t0 = time.perf_counter()
    dom = clf.row_domains(texts, langs=langs)
    pc = clf.predict_proba(texts, domain=dom, langs=langs)[:, 0]
    th = clf._thresholds(dom, texts, langs)
    P = sm.predict_proba(texts, langs)
    print(f"(scored {len(texts)} sentences in {time.perf_counter() - t0:.0f} s)")
    np.savez(path, P=P, pc=pc, th=th)
    return P, pc, th, shas


# -- estimators ------------------------------------------------------------------------------


def simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection onto the probability simplex."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    k = np.nonzero(u * np.arange(1, len(v) + 1) > (css - 1))[0][-1]
    return np.maximum(v - (css[k] - 1) / (k + 1), 0.0)


def confusion_rates(true: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """``C[i, j] = P(pred j | true i)``, with one pseudo-count on the diagonal."""
    C = np.eye(k) * 1.0
    np.add.at(C, (true, pred), 1.0)
    return C / C.sum(1, keepdims=True)


def acc(q: np.ndarray, C: np.ndarray) -> np.ndarray:
    try:
        return simplex(np.linalg.solve(C.T, q))
    except np.linalg.LinAlgError:
        return q


def fit_calibration(logp: np.ndarray, y: np.ndarray, k: int):
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < k:
        return None
    lr = LogisticRegression(C=1.0, max_iter=2000).fit(logp, y)
    return lr


def doc_means(values: np.ndarray, doc_idx: np.ndarray, n_docs: int) -> np.ndarray:
    """Per document, the mean of ``values`` (rows: sentences; columns: classes)."""
    out = np.zeros((n_docs, values.shape[1]))
    np.add.at(out, doc_idx, values)
    return out / np.bincount(doc_idx, minlength=n_docs)[:, None]


def evaluate(Y: np.ndarray, Ypred: np.ndarray, Prob: np.ndarray, doc_idx: np.ndarray, doc_lang: np.ndarray,
             k: int, card_C: np.ndarray | None, splits: int, seed: int, focus: int) -> dict:
    """Mean absolute error and bias (estimate - truth) per estimator and kind of group,
    for the share of class ``focus`` (and, for k > 2, every class in the MAE)."""
    n_docs = int(doc_idx.max()) + 1
    onehot = np.eye(k)
    true_d = doc_means(onehot[Y], doc_idx, n_docs)
    cc_d = doc_means(onehot[Ypred], doc_idx, n_docs)
    pcc_d = doc_means(Prob, doc_idx, n_docs)
    logp = np.log(np.clip(Prob, 1e-6, 1))
    sent_lang = doc_lang[doc_idx]
    rng = np.random.default_rng(seed)
    names = ["CC", "ACC", "ACC-pooled", "PCC", "cPCC"] + (["ACC-card"] if card_C is not None else [])
    err: dict[tuple[str, str], list[np.ndarray]] = {}
    for _ in range(splits):
        fold = np.zeros(n_docs, dtype=int)
        for lg in np.unique(doc_lang):
            ids = rng.permutation(np.flatnonzero(doc_lang == lg))
            fold[ids[: len(ids) // 2]] = 1
        for cal in (0, 1):
            cal_s = fold[doc_idx] == cal
            rates, calib = {}, {}
            pooled = confusion_rates(Y[cal_s], Ypred[cal_s], k)
            for lg in np.unique(doc_lang):
                m = cal_s & (sent_lang == lg)
                rates[lg] = confusion_rates(Y[m], Ypred[m], k)
                calib[lg] = fit_calibration(logp[m], Y[m], k)
            # the calibrated probabilities of the judged half's sentences
            cp = Prob.copy()
            for lg, lr in calib.items():
                m = (~cal_s) & (sent_lang == lg)
                if lr is not None and m.any():
                    cp[m] = lr.predict_proba(logp[m])
            cpcc_d = doc_means(cp, doc_idx, n_docs)
            judged = np.flatnonzero(fold != cal)

            def ests(g, rates=rates, pooled=pooled, cpcc_d=cpcc_d):
                g = np.asarray(g)
                est = {"CC": cc_d[g].mean(0), "PCC": pcc_d[g].mean(0), "cPCC": cpcc_d[g].mean(0)}
                # ACC per language, combined by the number of documents of each language
                parts = [(np.sum(doc_lang[g] == lg), acc(cc_d[g][doc_lang[g] == lg].mean(0), rates[lg]))
                         for lg in np.unique(doc_lang[g])]
                est["ACC"] = sum(w * v for w, v in parts) / len(g)
                est["ACC-pooled"] = acc(est["CC"], pooled)
                if card_C is not None:
                    est["ACC-card"] = acc(est["CC"], card_C)
                return est, true_d[g].mean(0)

            by_true = judged[np.argsort(true_d[judged, focus])]
            groups = {"1 document": [[d] for d in judged],
                      "5 random documents": [rng.choice(judged, 5, replace=False) for _ in range(40)],
                      "5 highest / 5 lowest": [by_true[-5:], by_true[:5]],
                      "half of the dev split": [judged]}
            for gname, gs in groups.items():
                if gname == "5 highest / 5 lowest":
                    # the contrast a comparison reads: (highest group) - (lowest group)
                    hi, lo = ests(gs[0]), ests(gs[1])
                    for name in names:
                        err.setdefault((name, "highest - lowest"), []).append(
                            (hi[0][name] - lo[0][name]) - (hi[1] - lo[1]))
                for g in gs:
                    est, truth = ests(g)
                    for name in names:
                        err.setdefault((name, gname), []).append(est[name] - truth)
    out = {}
    for (name, gname), es in err.items():
        E = np.array(es)
        out[(name, gname)] = {"mae_focus": float(np.abs(E[:, focus]).mean()), "bias_focus": float(E[:, focus].mean()),
                              "mae_all": float(np.abs(E).mean()), "n": len(E)}
    return out


def table(res: dict, title: str, what: str) -> list[str]:
    groups = list(dict.fromkeys(g for _, g in res))
    names = list(dict.fromkeys(n for n, _ in res))
    lines = [f"## {title}", f"mean absolute error of {what}, in percentage points (bias: mean of estimate - truth)", ""]
    lines.append(f"{'estimator':<11}" + "".join(f"{g:>23}" for g in groups))
    for n in names:
        cells = [f"{100 * res[(n, g)]['mae_focus']:6.1f} ({100 * res[(n, g)]['bias_focus']:+5.1f})" for g in groups]
        lines.append(f"{n:<11}" + "".join(f"{c:>23}" for c in cells))
    lines.append("groups judged: " + ", ".join(f"{g} {res[(names[0], g)]['n']}" for g in groups))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp"))
    ap.add_argument("--splits", type=int, default=20)
    ap.add_argument("--write", action="store_true", help=f"write the full dev split's rates to {RATES}")
    args = ap.parse_args()
    header("Prevalence across documents: CC, ACC, PCC, calibrated PCC on the op-ed reading dev split")
    rows = load_dev()
    docs = list(dict.fromkeys(r["doc"] for r in rows))
    doc_idx = np.array([docs.index(r["doc"]) for r in rows])
    doc_lang = np.array([next(r["lang"] for r in rows if r["doc"] == d) for d in docs])
    print(f"dev split: {len(rows)} sentences, {len(docs)} documents "
          f"({sum(doc_lang == 'en')} English, {sum(doc_lang == 'zh')} Chinese)")
    P, pc, th, shas = predict(rows, args.cache)
    print(f"models: claims {shas['claims'][:12]}, sentiment {shas['sentiment'][:12]}")
    print()

    # claims: class 0 = claim, 1 = rhetoric
    Yc = np.array([0 if r["claim"] == "claim" else 1 for r in rows])
    Ypc = np.where(pc > th, 0, 1)
    Pc = np.stack([pc, 1 - pc], 1)
    res_c = evaluate(Yc, Ypc, Pc, doc_idx, doc_lang, 2, None, args.splits, 0, focus=0)
    print("\n".join(table(res_c, "Claim share", "the share of claim sentences")))
    print()
    # sentiment: classes negative, neutral, positive; the pipeline's label is the most probable
    Ys = np.array([LABELS.index(r["sentiment"]) for r in rows])
    Yps = P.argmax(1)
    card = json.loads((ROOT / "models" / "sentiment" / "card.json").read_text())
    cc = card["metrics"]["cross_validated"].get("opinion_reading_zh_en", {}).get("confusion")
    card_C = None
    if cc:
        card_C = np.array([[cc[t].get(p, 0) for p in LABELS] for t in LABELS], dtype=float)
        card_C /= card_C.sum(1, keepdims=True)
    res_s = {}
    for focus, lab in enumerate(LABELS):
        res_s[lab] = evaluate(Ys, Yps, P, doc_idx, doc_lang, 3, card_C, args.splits, 1 + focus, focus=focus)
        print("\n".join(table(res_s[lab], f"Sentiment: share of {lab} sentences", f"the share of {lab} sentences")))
        print()

    # the choice: the lowest mean absolute error over the groups a comparison reads (5 or more documents)
    big = ["5 random documents", "5 highest / 5 lowest", "highest - lowest", "half of the dev split"]
    score = {}
    for name in ("CC", "ACC", "ACC-pooled", "PCC", "cPCC"):
        vals = [res_c[(name, g)]["mae_focus"] for g in big]
        vals += [res_s[lab][(name, g)]["mae_focus"] for lab in LABELS for g in big]
        score[name] = float(np.mean(vals))
    print("## Choice")
    print("mean absolute error over claim share and the three sentiment shares, groups of 5+ documents (points):")
    print("  " + ", ".join(f"{n} {100 * v:.2f}" for n, v in score.items()))
    best = min(score, key=score.get)
    print(f"chosen: {best}")
    print()

    # the rates of the whole dev split, per language and pooled, for compare()
    rates: dict = {"source": "op-ed reading corpus (opinion_reading_zh_en), dev split, "
                             f"{len(rows)} sentences of {len(docs)} documents; benchmarks/prevalence.py",
                   "method": best, "models": shas, "claims": {}, "sentiment": {}}
    for lg in ["*", *sorted(set(doc_lang.tolist()))]:
        m = np.ones(len(rows), bool) if lg == "*" else np.array([r["lang"] == lg for r in rows])
        rates["claims"][lg] = {t: {p: int(np.sum((Yc[m] == i) & (Ypc[m] == j))) for j, p in enumerate(("claim", "rhetoric"))}
                               for i, t in enumerate(("claim", "rhetoric"))}
        rates["sentiment"][lg] = {t: {p: int(np.sum((Ys[m] == i) & (Yps[m] == j))) for j, p in enumerate(LABELS)}
                                  for i, t in enumerate(LABELS)}
    # the recalibration of the whole dev split (cPCC), per language and pooled: a logistic regression
    # on the log-probabilities; binary: the decision is the log-odds of rhetoric (class 1)
    logc, logs = np.log(np.clip(Pc, 1e-6, 1)), np.log(np.clip(P, 1e-6, 1))
    rates["calibration"] = {"features": "log of the clipped (1e-6) probabilities, in the order of the labels",
                            "claims": {}, "sentiment": {}}
    for lg in ["*", *sorted(set(doc_lang.tolist()))]:
        m = np.ones(len(rows), bool) if lg == "*" else np.array([r["lang"] == lg for r in rows])
        for task, X, y in (("claims", logc, Yc), ("sentiment", logs, Ys)):
            lr = fit_calibration(X[m], y[m], X.shape[1])
            if lr is not None:
                rates["calibration"][task][lg] = {"coef": np.round(lr.coef_, 6).tolist(),
                                                  "intercept": np.round(lr.intercept_, 6).tolist()}
    print("confusion counts of the full dev split (rows true, columns predicted), per language ('*': all):")
    print(json.dumps({k: rates[k] for k in ("claims", "sentiment")}, ensure_ascii=False))
    if args.write:
        RATES.write_text(json.dumps(rates, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"written: {RATES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
