"""Organisation finder vs the op-ed reading corpus's labelled organisations: recall and
false finds per language and split.

The corpus (``../shared/corpora/opinion_reading_zh_en``, issue 32) labels every
organisation named in a sentence (``targets.jsonl``: one row per organisation, with its
span ``target_from``/``target_to``; ``sentences.jsonl``: every sentence, with its
``targets``). The finder is :class:`xhs_nlp.segment.organisations.OrganisationFinder`
(the shipped table + patterns, the library's default).

* **recall**: a labelled organisation is found when a finder mention overlaps its span
  (a row without offsets: when a mention's text is its name);
* **false finds**: finder mentions, in the sentences that are part of the writing
  (``skip`` false), that overlap no labelled span and are not the text of a name labelled
  in the same sentence (a second occurrence). Labellers list organisations, not every
  word a finder may take for one, so a false find is not always wrong: the reviewed
  sample (``organisation_finder_opread.review.json``: source id, span, verdict; no corpus
  text) says which of them are organisations the labels did not list;
* **on a label**: the share of mentions that overlap a labelled organisation.

The corpus's texts are research-only: this script prints names and counts, never
sentences, unless ``--show`` asks for them on the terminal (never into ``--out``).

The train split was used to find and fix problems, the dev split is reported apart and
was not looked at. ``--before FILE`` prints an earlier run's figures (``--json``) beside
this one's.

Run:  .venv/bin/python benchmarks/organisation_finder_opread.py [--corpus DIR] [--before JSON]
      [--json OUT.json] [--out OUT.txt] [--show misses|false --lang zh --split train]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import io
import json
import shlex
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "opinion_reading_zh_en"
REVIEW = Path(__file__).with_name("organisation_finder_opread.review.json")
SPLITS = (("en", "train"), ("zh", "train"), ("en", "dev"), ("zh", "dev"))


def load(corpus: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    """The sentences (part of the writing or not) and, by ``source_id``, their labelled targets."""
    sentences = [json.loads(line) for line in (corpus / "sentences.jsonl").open(encoding="utf-8")]
    targets: dict[str, list[dict]] = collections.defaultdict(list)
    for line in (corpus / "targets.jsonl").open(encoding="utf-8"):
        t = json.loads(line)
        targets[t["source_id"]].append(t)
    return sentences, targets


def _overlaps(a: int, b: int, c: int, d: int) -> bool:
    return a < d and c < b


def evaluate(sentences: list[dict], targets: dict[str, list[dict]]) -> dict[str, Any]:
    """Per (lang, split): labelled targets, found, mentions, false finds, and the lists of
    missed names and false-find forms (with their source ids and spans)."""
    from xhs_nlp.segment.organisations import OrganisationFinder

    finder = OrganisationFinder()
    res: dict[str, Any] = {}
    writing = [s for s in sentences if not s["skip"]]
    by_doc: dict[str, list[dict]] = collections.defaultdict(list)
    for s in writing:
        by_doc[s["doc_key"]].append(s)
    found = {}  # each document's sentences read as one document, as analysis reads them
    for group in by_doc.values():
        for s, ms in zip(group, finder.find_all([s["text"] for s in group])):
            found[s["source_id"]] = ms
    for s in writing:
        key = f"{s['lang']}/{s['split']}"
        r = res.setdefault(key, {"sentences": 0, "targets": 0, "found": 0, "mentions": 0, "on_label": 0,
                                 "false": 0, "misses": [], "false_finds": []})
        r["sentences"] += 1
        gold = targets.get(s["source_id"], [])
        ms = found[s["source_id"]]
        names = {t["target"] for t in gold}
        r["targets"] += len(gold)
        for t in gold:
            if t["target_from"] is None:
                hit = any(m.text == t["target"] for m in ms)
            else:
                hit = any(_overlaps(m.start, m.end, t["target_from"], t["target_to"]) for m in ms)
            r["found"] += hit
            if not hit:
                r["misses"].append({"id": s["source_id"], "name": t["target"], "span": [t["target_from"],
                                                                                      t["target_to"]]})
        for m in ms:
            r["mentions"] += 1
            on = any(t["target_from"] is not None and _overlaps(m.start, m.end, t["target_from"], t["target_to"])
                     for t in gold)
            r["on_label"] += on
            if not on and m.text not in names and not any(m.text in n or n in m.text for n in names):
                r["false"] += 1
                r["false_finds"].append({"id": s["source_id"], "text": m.text, "name": m.name, "how": m.how,
                                         "span": [m.start, m.end]})
    return res


def review_summary(res: dict[str, Any]) -> dict[str, collections.Counter]:
    """Verdicts of the reviewed sample on a run's false finds, per (lang, split)."""
    if not REVIEW.exists():
        return {}
    verdicts = {(v["id"], v["text"]): v["verdict"] for v in json.loads(REVIEW.read_text(encoding="utf-8"))}
    return {key: collections.Counter(verdicts.get((f["id"], f["text"]), "not reviewed") for f in r["false_finds"])
            for key, r in res.items()}


def table(res: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    lines = ["| lang / split | sentences | labelled | recall (found) | mentions | on a label | false finds "
             "| per 100 sentences | false finds read by hand: not an organisation / an unlisted organisation "
             "/ wrong span |", "|---|---|---|---|---|---|---|---|---|"]
    runs = [("before", before), ("after", res)] if before else [("", res)]
    reviewed = {tag: review_summary(run) for tag, run in runs}
    for lang, split in SPLITS:
        key = f"{lang}/{split}"
        for tag, run in runs:
            r = run.get(key)
            if not r:
                continue
            c = reviewed[tag].get(key, collections.Counter())
            hand = f"{c['not org']} / {c['org']} / {c['wrong span']}" + (f" ({c['not reviewed']} not read)"
                                                                        if c["not reviewed"] else "")
            lines.append(f"| {key}{' ' + tag if tag else ''} | {r['sentences']} | {r['targets']} | "
                         f"{r['found'] / max(r['targets'], 1):.3f} ({r['found']}) | {r['mentions']} | "
                         f"{r['on_label'] / max(r['mentions'], 1):.3f} | {r['false']} | "
                         f"{100 * r['false'] / max(r['sentences'], 1):.1f} | {hand} |")
    return lines


LEGEND = """recall: labelled organisations a finder mention overlaps; on a label: the share of mentions that overlap
a labelled organisation; false finds: mentions (in sentences that are part of the writing) that overlap no
labelled organisation and are not the text of one labelled in the same sentence, every one read by hand
(organisation_finder_opread.review.json): not an organisation, an organisation the labels did not list
there, or an organisation with a wrong span. The train split was read to find and fix problems; dev's false
finds were read only to classify them, and nothing was changed for them. The rules of 2026-12-07 (a
registered name's inner verbs, "... of America", names a document declares or gives a company's attributes)
were prompted by dev main subjects the finder missed, as was the table's list of China's central state-owned
enterprises of 2026-12-07 (中国一重; benchmarks/RESULTS.md). A document's sentences are read together
(OrganisationFinder.find_all), as analysis reads them."""


def report(res: dict[str, Any], before: dict[str, Any] | None, top: int) -> list[str]:
    out = table(res, before) + [""] + LEGEND.splitlines()
    if before:
        out.append("before: the finder and table as they were at the start of issue 32 (that run's --json).")
    for key in ("en/train", "zh/train"):
        r = res.get(key)
        if not r:
            continue
        miss = collections.Counter(m["name"] for m in r["misses"]).most_common(top)
        false = collections.Counter(f["text"] for f in r["false_finds"]).most_common(top)
        out += ["", f"{key}: most frequent missed names: " + ", ".join(f"{n} {k}" for n, k in miss),
                f"{key}: most frequent false-find forms: " + ", ".join(f"{n} {k}" for n, k in false)]
    return out


def show(res: dict[str, Any], sentences: list[dict], what: str, key: str) -> None:
    """Print misses or false finds with their sentences (terminal only: the texts are research-only)."""
    text = {s["source_id"]: s["text"] for s in sentences}
    items = res[key]["misses" if what == "misses" else "false_finds"]
    for x in items:
        print(json.dumps({**x, "sentence": text[x["id"]]}, ensure_ascii=False))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--before", help="an earlier run's --json, printed beside this one")
    ap.add_argument("--json", help="write this run's figures and lists here")
    ap.add_argument("--out", help="write the report here (its first line: the command)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--show", choices=("misses", "false"))
    ap.add_argument("--lang", default="zh")
    ap.add_argument("--split", default="train")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "targets.jsonl").exists():
        sys.exit(f"missing {corpus}/targets.jsonl: give --corpus")
    sentences, targets = load(corpus)
    res = evaluate(sentences, targets)
    if args.show:
        if args.split == "dev":
            sys.exit("--show reads the train split only (dev is reported, not tuned on)")
        show(res, sentences, args.show, f"{args.lang}/{args.split}")
        return
    before = json.loads(Path(args.before).read_text(encoding="utf-8")) if args.before else None
    buf = io.StringIO()
    command = " ".join([".venv/bin/python", shlex.quote(str(Path(sys.argv[0]))), *map(shlex.quote, sys.argv[1:])])
    print(command, file=buf)
    print("# organisation finder vs the op-ed reading corpus's labelled organisations (issue 32)", file=buf)
    print(f"date {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}; "
          f"corpus {corpus.name}", file=buf)
    print("", file=buf)
    for line in report(res, before, args.top):
        print(line, file=buf)
    sys.stdout.write(buf.getvalue())
    if args.out:
        Path(args.out).write_text(buf.getvalue(), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    main()
