"""The ``xhs-nlp`` command (also ``python -m xhs_nlp``).

Every library error is printed as ``xhs-nlp: error: <message>`` with exit status 1;
usage errors exit with status 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .document import Document
from .errors import XhsNlpError

__all__ = ["main"]


def _outline(doc: Document, width: int = 100) -> str:
    m = doc.meta
    out = []
    out.append(f"author:    {m.author or '-'}")
    posted = m.posted_at.isoformat() if m.posted_at else "-"
    out.append(f"posted_at: {posted}" + (f"  ({m.posted_relative})" if m.posted_relative else ""))
    out.append(f"page_time: {m.page_time.isoformat() if m.page_time else '-'}")
    out.append(f"encoding:  {m.encoding or '-'} ({m.encoding_confidence}), format {m.format}")
    if doc.epigraph:
        rep = " (repeated at the end)" if doc.epigraph.repeat else ""
        out.append(f"epigraph{rep}: " + textwrap.shorten(doc.epigraph.text, width - 20))
    if doc.images:
        out.append("images:    " + ", ".join(i.text for i in doc.images))
    for sec in doc.sections:
        head = f"{sec.number}. {sec.title}" if sec.heading and sec.number else (sec.title or "(introduction)")
        n_sent = len(sec.sentences)
        out.append("")
        out.append(f"[{sec.index}] {head}")
        out.append(f"    {len(sec.paragraphs)} paragraphs, {n_sent} sentences, chars {sec.start}-{sec.end}")
        for sub in sec.subheadings:
            out.append(f"    - {sub.number or ''} {sub.title}".rstrip())
        for p in sec.paragraphs:
            first = p.sentences[0] if p.sentences else None
            if first is not None:
                out.append(f"    ¶ [{first.lang}] " + textwrap.shorten(first.text, width - 12))
    if doc.chrome:
        out.append("")
        out.append(f"chrome removed: {len(doc.chrome)} lines (" + ", ".join(sorted({c.kind for c in doc.chrome})) + ")")
    return "\n".join(out)


def _cmd_segment(args: argparse.Namespace) -> int:
    from .segment import segment

    doc = segment(Path(args.path), encoding=args.encoding, format=args.input_format)
    if args.format == "json":
        print(doc.to_json(tokens=args.tokens))
    else:
        print(_outline(doc))
    return 0


def _cmd_sentiment(args: argparse.Namespace) -> int:
    import json

    from .segment import segment
    from .sentiment import score_document

    doc = segment(Path(args.path), encoding=args.encoding)
    res = score_document(doc, args.model)
    if args.format == "json":
        print(json.dumps(res.to_dict(), ensure_ascii=False, indent=2))
        return 0
    d = res.document
    print(f"document: score {d.score:+.3f}  " + "  ".join(f"{k} {v:.0%}" for k, v in d.shares.items())
          + f"  ({d.n_sentences} sentences, backend {res.backend})")
    for sec, agg in zip(doc.sections, res.sections):
        head = f"{sec.number}. {sec.title}" if sec.number else (sec.title or "(introduction)")
        print(f"  {textwrap.shorten(head, 60):<60} score {agg.score:+.3f}  "
              + "  ".join(f"{k[:3]} {v:.0%}" for k, v in agg.shares.items()))
    return 0


def _cmd_claims(args: argparse.Namespace) -> int:
    import json

    from .claims import classify_document
    from .segment import segment

    doc = segment(Path(args.path), encoding=args.encoding)
    res = classify_document(doc, args.model)
    if args.format == "json":
        print(json.dumps([r.to_dict() for r in res], ensure_ascii=False, indent=2))
        return 0
    n_claims = sum(r.label == "claim" for r in res)
    print(f"{n_claims} claims, {len(res) - n_claims} rhetoric, of {len(res)} sentences")
    by_start = {r.start: r for r in res}
    for sec in doc.sections:
        head = f"{sec.number}. {sec.title}" if sec.number else (sec.title or "(introduction)")
        print(f"\n[{sec.index}] {head}")
        for s in sec.sentences:
            r = by_start.get(s.start)
            if r is None or (args.claims_only and r.label != "claim"):
                continue
            print(f"  {r.label:<8} {r.p_claim:.2f}  " + textwrap.shorten(r.text, 96))
            if r.facts is not None:
                q = "; ".join(q.text for q in r.facts.quantities)
                o = ", ".join(dict.fromkeys(t for t, _, _ in r.facts.organisations))
                if q:
                    print(f"{'':16}quantities: {q}")
                if o:
                    print(f"{'':16}organisations: {o}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .evaluate import parse_label_map

    if args.task == "sentiment":
        from .sentiment import train_sentiment

        train_sentiment(args.data, args.out, seed=args.seed, label_map=parse_label_map(args.label_map))
        return 0
    if args.task == "claims":
        from .claims import train_claims

        train_claims(args.data, args.out, seed=args.seed, label_map=args.label_map,
                     domains=parse_label_map(args.domains), holdout_splits=tuple(args.holdout.split(",")),
                     check=args.check or (), cues=args.cues, ngrams=args.ngrams)
        return 0
    raise XhsNlpError(f"training for {args.task!r} is not available in this version")


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from .evaluate import evaluate, format_report

    data = args.data[0] if len(args.data) == 1 else args.data
    rep = evaluate(args.task, data, model=args.model, label_map=args.label_map, split=args.split, domain=args.domain)
    print(json.dumps(rep, ensure_ascii=False, indent=2) if args.json else format_report(rep))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="xhs-nlp",
        description="Segment and score opinion writing about platforms and markets (English and Chinese).",
    )
    p.add_argument("--version", action="version", version=f"xhs-nlp {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("segment", help="segment a post or op-ed into sections, paragraphs, sentences")
    s.add_argument("path", help="a text or HTML file (any common encoding)")
    s.add_argument("--format", choices=["json", "text"], default="text", help="output format (default: text)")
    s.add_argument("--tokens", action="store_true", help="include tokens in the JSON output")
    s.add_argument("--encoding", default=None, help="force an input encoding instead of detecting it")
    s.add_argument("--input-format", choices=["auto", "text", "html"], default="auto", help="input kind")
    s.set_defaults(func=_cmd_segment)

    s = sub.add_parser("sentiment", help="sentence sentiment with section and document aggregates")
    s.add_argument("path", help="a text or HTML file (any common encoding)")
    s.add_argument("--model", default=None, help="model folder, or 'lexicon' (default: models/sentiment)")
    s.add_argument("--format", choices=["json", "text"], default="text")
    s.add_argument("--encoding", default=None, help="force an input encoding")
    s.set_defaults(func=_cmd_sentiment)

    s = sub.add_parser("claims", help="label each sentence claim or rhetoric; list the facts in claims")
    s.add_argument("path", help="a text or HTML file (any common encoding)")
    s.add_argument("--model", default=None, help="model folder (default: models/claims)")
    s.add_argument("--format", choices=["json", "text"], default="text")
    s.add_argument("--claims-only", action="store_true", help="list only the claims")
    s.add_argument("--encoding", default=None, help="force an input encoding")
    s.set_defaults(func=_cmd_claims)

    s = sub.add_parser("train", help="train a model reproducibly (fixed seed)")
    s.add_argument("task", choices=["sentiment", "claims"], help="what to train")
    s.add_argument("--data", nargs="+", required=True, metavar="PATH", help="labelled JSONL/CSV/Parquet files")
    s.add_argument("--out", required=True, help="model folder to write")
    s.add_argument("--label-map", default=None, metavar="FROM=TO,...", help="rename labels first")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--domains", default=None, metavar="CORPUS=DOMAIN,...",
                   help="claims: domain of a corpus (its folder name), e.g. claimbuster=speech; others are news")
    s.add_argument("--holdout", default="dev_test,test", metavar="SPLIT,...",
                   help="claims: splits held out and reported, never trained on (default: dev_test,test)")
    s.add_argument("--check", nargs="+", default=None, metavar="PATH",
                   help="claims: labelled files never trained on, scored and recorded in the card")
    s.add_argument("--cues", action="store_true", help="claims: add cue-count features")
    s.add_argument("--ngrams", action="store_true", help="claims: blend in the n-gram model")
    s.set_defaults(func=_cmd_train)

    s = sub.add_parser("evaluate", help="evaluate a model on a labelled corpus")
    s.add_argument("task", choices=["sentiment", "claims"])
    s.add_argument("--data", nargs="+", required=True, metavar="PATH", help="JSONL/CSV/Parquet with text,label[,lang]")
    s.add_argument("--model", default=None, help="model folder ('lexicon' for sentiment); default: the shipped model")
    s.add_argument("--label-map", default=None, metavar="FROM=TO,...", help="rename labels first")
    s.add_argument("--split", default=None, help="keep only rows of this split (e.g. dev)")
    s.add_argument("--domain", default=None, help="claims: predict for this domain (default: the model's)")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(func=_cmd_evaluate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except XhsNlpError as err:
        print(f"xhs-nlp: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into `head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
