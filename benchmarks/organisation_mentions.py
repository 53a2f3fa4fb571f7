"""Organisation mentions: precision and recall of the library's finder against the
project's labelled sample, beside the named-entity tagger that installs offline.

The sample (``corpora/organisation_mentions.jsonl``, guideline beside it) is every sentence
of the bundled post plus random sentences of three op-ed / commentary corpora of
``../shared/corpora`` (Webis-Editorials-16, ECOB-ZH, BBT finne); their texts are not
redistributable, so the file holds their ``source_id`` and SHA-256 and this script reads
them from ``--corpora``. Systems:

* ``finder``: :class:`xhs_nlp.segment.organisations.OrganisationFinder` (listed names and
  aliases + patterns), the library's default;
* ``finder, names only``: the same without patterns;
* ``jieba nt``: jieba's part-of-speech tagger, words tagged ``nt`` (organisation), Chinese
  rows (jieba is the one tagger with organisation tags that installs from PyPI and runs
  offline; spaCy's models, stanza, flair and HanLP fetch weights from the web: not allowed);
* ``finder + jieba nt``: the union (the finder's mention wins where they overlap).

Exact: a predicted span equal to a gold span; overlap: a predicted span overlapping a gold
one (each gold span matched once).

Run:  .venv/bin/python benchmarks/organisation_mentions.py [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def load(corpora: Path) -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "corpora" / "organisation_mentions.jsonl").open(encoding="utf-8")]
    need = {r["corpus"] for r in rows if r["text"] is None}
    texts: dict[tuple[str, str], str] = {}
    for c in need:
        for line in (corpora / c / "data.jsonl").open(encoding="utf-8"):
            d = json.loads(line)
            texts[(c, d["source_id"])] = d["text"]
    for r in rows:
        if r["text"] is None:
            r["text"] = texts[(r["corpus"], r["source_id"])]
        if hashlib.sha256(r["text"].encode()).hexdigest() != r["text_sha256"]:
            raise SystemExit(f"{r['corpus']} {r['source_id']}: the text differs from the annotated one")
    return rows


def score(gold: list[list[tuple[int, int]]], pred: list[list[tuple[int, int]]]) -> dict:
    out = {}
    for how in ("exact", "overlap"):
        tp = n_pred = n_gold = 0
        for g, p in zip(gold, pred):
            n_pred += len(p)
            n_gold += len(g)
            free = list(g)
            for a, b in p:
                hit = next((x for x in free if (x == (a, b) if how == "exact" else x[0] < b and a < x[1])), None)
                if hit is not None:
                    free.remove(hit)
                    tp += 1
        prec, rec = tp / max(n_pred, 1), tp / max(n_gold, 1)
        out[how] = {"precision": prec, "recall": rec, "f1": 2 * prec * rec / max(prec + rec, 1e-12),
                    "tp": tp, "predicted": n_pred, "gold": n_gold}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    args = ap.parse_args()
    rows = load(Path(args.corpora))
    orgs = importlib.import_module("xhs_nlp.segment.organisations")
    tokens = importlib.import_module("xhs_nlp.segment.tokens")
    finder, names = orgs.OrganisationFinder(), orgs.OrganisationFinder(patterns=False)

    def jieba_nt(text: str) -> list[tuple[int, int]]:
        out, pos = [], 0
        for w, tag in tokens.get_pos_tagger().cut(text):
            if tag == "nt":
                out.append((pos, pos + len(w)))
            pos += len(w)
        return out

    def union(text: str) -> list[tuple[int, int]]:
        a = [(m.start, m.end) for m in finder.find(text)]
        return sorted(a + [x for x in jieba_nt(text) if not any(x[0] < e and s < x[1] for s, e in a)])

    systems = {"finder": lambda t: [(m.start, m.end) for m in finder.find(t)],
               "finder, names only": lambda t: [(m.start, m.end) for m in names.find(t)],
               "jieba nt": jieba_nt, "finder + jieba nt": union}
    header("organisation mentions vs the project's labelled sample")
    groups = {"all": rows, "en": [r for r in rows if r["lang"] == "en"], "zh": [r for r in rows if r["lang"] == "zh"]}
    for c in sorted({r["corpus"] for r in rows}):
        groups[c] = [r for r in rows if r["corpus"] == c]
    print(f"{'rows':<28}{'system':<22}{'n':>5}{'gold':>6}{'pred':>6}   exact P / R / F1      overlap P / R / F1")
    result = {}
    for g, rs in groups.items():
        gold = [[tuple(x) for x in r["mentions"]] for r in rs]
        for name, fn in systems.items():
            if name.startswith("jieba") and g in ("en", "xhs_will_2025_forum_post", "webis_editorials16_en"):
                continue
            s = score(gold, [fn(r["text"]) for r in rs])
            result[f"{g} / {name}"] = s
            e, o = s["exact"], s["overlap"]
            print(f"{g:<28}{name:<22}{len(rs):>5}{e['gold']:>6}{e['predicted']:>6}   "
                  f"{e['precision']:.3f} / {e['recall']:.3f} / {e['f1']:.3f}   "
                  f"{o['precision']:.3f} / {o['recall']:.3f} / {o['f1']:.3f}")
    (Path(__file__).with_suffix(".json")).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
