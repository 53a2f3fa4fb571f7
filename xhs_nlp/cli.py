"""The ``xhs-nlp`` command (also ``python -m xhs_nlp``).

Every library error is printed as ``xhs-nlp: error: <message>`` with exit status 1;
usage errors exit with status 2 (argparse's convention); ``score`` exits with 3 when
some documents failed (they are rows of its ``errors`` table, the others are scored);
Ctrl-C exits with status 130 and one line (``xhs-nlp: interrupted``); ``score``
stopped by SIGTERM exits with 143 the same way.

A command that reads one document takes a path, ``-`` (standard input) or
``example:NAME``, a file bundled with the library (:mod:`xhs_nlp.datasets`:
``example:post``, the forum post; ``example:claims``, ``example:sentiment``, its labels).
Library messages (the trainers' steps) are logged to standard error; long work shows a
progress bar there when it is a terminal.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
import textwrap
import unicodedata
from pathlib import Path
from typing import Callable, Sequence

from ._version import __version__
from .document import Document
from .errors import XhsNlpError

__all__ = ["main"]


def _num(x: float | None, spec: str = "+.2f") -> str:
    """``x`` formatted, or ``n/a`` for a score that was not computed (no letters to score)."""
    return "n/a" if x is None else format(x, spec)


def _shorten(text: str, width: int) -> str:
    """``text`` on one line in at most ``width`` columns: cut at a space as
    :func:`textwrap.shorten` cuts it, or, in text that has no spaces to cut at (Chinese), after
    the last character that fits, a wide character taking two columns (``textwrap.shorten``
    alone turns a long Chinese sentence into its placeholder).

    Example:
        >>> _shorten("小红书的用户信任正在快速流失，商业化试水屡屡受挫。", 20)
        '小红书的用户信 [...]'
    """
    text = " ".join(text.split())
    cols = [2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text]
    if len(cols) == sum(cols):  # no wide character
        return textwrap.shorten(text, width)
    if sum(cols) <= width:
        return text
    mark = " [...]" if width > 2 * len(" [...]") else ""
    room, n = width - len(mark), 0
    while n < len(text) and room - cols[n] >= 0:
        room -= cols[n]
        n += 1
    space = text.rfind(" ", 0, n + 1)  # mixed text: a space near the cut is the better place
    if space > 0 and sum(cols[space:n]) <= 16:
        n = space
    return text[:n].rstrip() + mark


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
        out.append(f"epigraph{rep}: " + _shorten(doc.epigraph.text, width - 20))
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
                out.append(f"    ¶ [{first.lang}] " + _shorten(first.text, width - 12))
    if doc.chrome:
        out.append("")
        out.append(f"chrome removed: {len(doc.chrome)} lines (" + ", ".join(sorted({c.kind for c in doc.chrome})) + ")")
    return "\n".join(out)


#: the help of a document argument
_DOC_HELP = ("a text or HTML file (any common encoding), '-' for standard input, or example:post for the "
             "post bundled with the library")
_PRECISIONS = ("auto", "fp32", "bf16", "int8")


def _source(arg: str, max_bytes: int | None = None) -> Path | bytes:
    """The document named on the command line: ``-`` standard input (its bytes, at most
    ``max_bytes``, default :data:`~xhs_nlp.limits.MAX_BYTES`), ``example:NAME`` a bundled
    file, else a path."""
    from .datasets import resolve_example
    from .errors import InputError
    from .limits import MAX_BYTES

    if arg != "-":
        return Path(resolve_example(arg))
    limit = MAX_BYTES if max_bytes is None else max_bytes
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream without bytes underneath (an embedding host)
        data = sys.stdin.read().encode("utf-8")
    else:
        data = stream.read(limit + 1) if limit else stream.read()
    if limit and len(data) > limit:
        raise InputError(f"standard input is over the {limit:,}-byte limit")
    return data


def _add_precision(s: argparse.ArgumentParser) -> None:
    s.add_argument("--precision", choices=_PRECISIONS, default=None,
                   help="the encoder's arithmetic: auto (bf16 where the CPU has it natively, else fp32), fp32, bf16 "
                        "or int8 (default: $XHS_NLP_PRECISION, else auto)")


def _cmd_segment(args: argparse.Namespace) -> int:
    from .segment import segment

    doc = segment(_source(args.path), encoding=args.encoding, format=args.input_format)
    if args.format == "json":
        print(doc.to_json(tokens=args.tokens))
    else:
        print(_outline(doc))
    return 0


def _cmd_sentiment(args: argparse.Namespace) -> int:
    import json

    from .segment import segment
    from .sentiment import score_document

    doc = segment(_source(args.path), encoding=args.encoding)
    res = score_document(doc, args.model)
    if args.format == "json":
        print(json.dumps(res.to_dict(doc), ensure_ascii=False, indent=2))
        return 0
    d = res.document
    print(f"document: score {_num(d.score, '+.3f')}  " + "  ".join(f"{k} {v:.0%}" for k, v in d.shares.items())
          + f"  ({d.n_sentences} sentences, backend {res.backend})")
    for sec, agg in zip(doc.sections, res.sections):
        head = f"{sec.number}. {sec.title}" if sec.number else (sec.title or "(introduction)")
        print(f"  {_shorten(head, 60):<60} score {_num(agg.score, '+.3f')}  "
              + "  ".join(f"{k[:3]} {v:.0%}" for k, v in agg.shares.items()))
    return 0


def _cmd_claims(args: argparse.Namespace) -> int:
    import json

    from .claims import classify_document
    from .segment import segment

    doc = segment(_source(args.path), encoding=args.encoding)
    res = classify_document(doc, args.model)
    if args.format == "json":
        print(json.dumps([r.to_dict() for r in res], ensure_ascii=False, indent=2))
        return 0
    n_claims = sum(r.label == "claim" for r in res)
    n_rhetoric = sum(r.label == "rhetoric" for r in res)
    unscored = len(res) - n_claims - n_rhetoric
    print(f"{n_claims} claims, {n_rhetoric} rhetoric, of {len(res)} sentences"
          + (f" ({unscored} without letters, not classified)" if unscored else ""))
    print("each sentence: its label and P(claim) beside the threshold it was labelled at (a claim above it)")
    for sec, ids in zip(doc.sections, doc.section_sentences()):
        head = f"{sec.number}. {sec.title}" if sec.number else (sec.title or "(introduction)")
        print(f"\n[{sec.index}] {head}")
        for i in ids:
            r = res[i]
            if args.claims_only and r.label != "claim":
                continue
            p = r.describe_p_claim().removeprefix("P(claim) ") if r.p_claim is not None else "n/a"
            print(f"  {r.label or '-':<8} {p:<11}  " + _shorten(r.text, 90))
            if r.facts is not None:
                q = "; ".join(q.text for q in r.facts.quantities)
                o = ", ".join(dict.fromkeys(t for t, _, _ in r.facts.organisations))
                if q:
                    print(f"{'':24}quantities: {q}")
                if o:
                    print(f"{'':24}organisations: {o}")
    return 0


def _section_label(sec) -> str:
    return f"[{sec.index}] {sec.number}" if sec.number else f"[{sec.index}] intro" if sec.index == 0 else f"[{sec.index}]"


def _cmd_entities(args: argparse.Namespace) -> int:
    import json

    from .claims import classify_document
    from .portrayal import find_mentions, portray
    from .segment import segment
    from .segment.organisations import OrganisationFinder

    finder = OrganisationFinder(args.aliases) if args.aliases else None  # a bad table fails before the work
    doc = segment(_source(args.path), encoding=args.encoding)
    found = find_mentions(doc, finder)  # once, for the claims' facts and the portrayal
    claims = classify_document(doc, mentions=found)
    ents = portray(doc, args.model, finder=finder, claims=claims, mentions=found)
    if args.format == "json":
        print(json.dumps({"source": str(args.path), "model": ents.model,
                          "sections": [{"index": s.index, "number": s.number, "title": s.title} for s in doc.sections],
                          "entities": ents.to_dict(doc)}, ensure_ascii=False, indent=2))
        return 0
    if not ents.entities:
        print("no organisation is named in the document's sentences")
        return 0
    secs = doc.sections
    print(f"{len(ents.entities)} organisations, {sum(len(e.mentions) for e in ents)} mentions; cells: mean sentiment "
          "towards the organisation (mentions)")
    cols = [_section_label(s) for s in secs]
    print(f"{'organisation':<28}{'document':>14}" + "".join(f"{c:>13}" for c in cols))
    for e in ents:
        d = e.document
        row = f"{_shorten(e.name, 27):<28}{_num(d.score) + f' ({d.n_mentions})':>14}"
        for s in secs:
            p = e.sections.get(s.index)
            row += f"{(_num(p.score) + f' ({p.n_mentions})') if p else '':>13}"
        print(row)
    print()
    for e in ents:
        alias = [a for a in e.aliases if a != e.name]
        print(f"{e.name}" + (f" ({', '.join(alias)})" if alias else "") + f": {e.document.label}, "
              + " ".join(f"{k[:3]} {v:.0%}" for k, v in e.document.shares.items())
              + ("" if e.n_claims is None else f", {e.n_claims} of its {e.document.n_sentences} sentences are claims"))
        for tag, m in (("most negative", e.most_negative), ("most positive", e.most_positive)):
            if m is not None:
                print(f"    {tag} ({m.score:+.2f}, section {m.section}): "
                      + _shorten(doc.sentences[m.sentence].text, 90))
    return 0


def _cmd_framing(args: argparse.Namespace) -> int:
    import json

    from .framing import document_framing
    from .segment import segment

    doc = segment(_source(args.path), encoding=args.encoding)
    res = document_framing(doc, frames_model=args.frames_model, techniques_model=args.techniques_model)
    if args.format == "json":
        print(json.dumps(res.to_dict(), ensure_ascii=False, indent=2))
        return 0
    for sec in [*res.sections, res.document]:
        head = "(whole document)" if sec.index is None else (
            f"{sec.number}. {sec.title}" if sec.number else (sec.title or "(introduction)"))
        print(f"\n[{'doc' if sec.index is None else sec.index}] {_shorten(head, 90)}")
        if sec.empty_reason:
            print(f"  (not scored: {sec.empty_reason})")
            continue
        print("  frames:     " + ", ".join(f"{k} {v:.2f}" for k, v in sec.top_frames(3))
              + (f"   [on: {', '.join(sec.frames_on)}]" if sec.frames_on else ""))
        print("  techniques: " + ", ".join(f"{k} {v:.2f}" for k, v in sec.top_techniques(3))
              + (f"   [on: {', '.join(sec.techniques_on[:5])}]" if sec.techniques_on else ""))
        cues = sorted(((k, v) for k, v in sec.cues_per_1000_tokens.items() if v > 0), key=lambda kv: -kv[1])[:6]
        print("  cues/1000 tokens: " + ", ".join(f"{k} {v:.0f}" for k, v in cues))
        if sec.index is not None:
            lab = sec.top_frames(1)[0][0]
            ev = sec.evidence.get(lab, [])
            if ev:
                print(f"  evidence ({lab}): " + _shorten(ev[0].text, 100))
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from .analysis import analyze

    if args.format == "html" and not args.out:
        raise XhsNlpError("--format html needs --out FILE.html")
    if args.out:  # refuse an unwritable output before the work, not after it
        out = Path(args.out)
        if out.is_dir():
            raise XhsNlpError(f"--out {out} is a folder; give a file name")
        parent = out.parent if str(out.parent) else Path(".")
        probe = parent
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        if not probe.is_dir() or not os.access(probe, os.W_OK):
            raise XhsNlpError(f"cannot write {out}: {probe} is not a writable folder")
    a = analyze(_source(args.path, args.max_bytes), encoding=args.encoding, max_bytes=args.max_bytes or None,
                aliases=args.aliases)
    if args.path == "-":
        a.source = "<stdin>"
    from .tables import safe_text

    if args.format == "json":  # written piece by piece: a long document's JSON is never one string
        pieces = a.json_pieces()
    else:
        pieces = iter([a.to_html() if args.format == "html" else _summary(a)])
    # a name that is not valid UTF-8 (a GBK file name) is shown escaped
    pieces = itertools.chain((safe_text(p) for p in pieces), ["\n"])
    if args.out:
        out = Path(args.out)
        # a new or regular file is written under a temporary name and renamed into place (a
        # failed or interrupted write leaves it as it was); anything else (a link, a FIFO,
        # /dev/stdout) is written as it is
        atomic = not out.exists() or (out.is_file() and not out.is_symlink())
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp") if atomic else out
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.writelines(pieces)
            if atomic:
                os.replace(tmp, out)
        except OSError as err:
            raise XhsNlpError(f"cannot write {out}: {err.strerror or err}") from None
        finally:
            if atomic:
                tmp.unlink(missing_ok=True)
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.writelines(pieces)
    return 0


def _summary(a) -> str:
    """The text summary of an analysis: the document's sentiment (mean and label, read
    together), claims (what they count), frames, main subject, and each section."""
    from .report import describe_claims, describe_sentiment, describe_subject

    doc = a.doc
    d = a.sentiment.document
    lines = [f"{a.source}  (id {a.id}; author {doc.meta.author or '-'}; {len(doc.sections)} sections, "
             f"{len(doc.sentences)} sentences)",
             f"document: sentiment {describe_sentiment(d.score, d.label, d.shares)}",
             f"          claims {describe_claims(*a.claim_counts(), len(doc.sentences))}; frames "
             + ", ".join(f"{k} {v:.2f}" for k, v in a.framing.document.top_frames(3))]
    main = a.entities.main_subject()
    lines.append("main subject: " + (describe_subject(main, len(a.entities)) if main is not None
                                     else "none (no organisation is named)"))
    ranked = a.entities.ranked(min_mentions=2) or a.entities.ranked()
    if ranked:
        def who(e) -> str:
            return f"{e.name} {e.document.score:+.2f} ({e.document.n_mentions} mentions)"

        lines.append(f"organisations: {len(a.entities)} named; portrayed most positively: {who(ranked[0])}; most "
                     f"negatively: {who(ranked[-1])}" + ("" if len(ranked) > 1 else " (the only one)"))
    else:
        lines.append("organisations: none named")
    section_ids = doc.section_sentences()
    for row in a.sections_summary():
        head = f"{row['number']}. {row['title']}" if row["number"] else (row["title"] or "(introduction)")
        lines.append(f"\n[{row['index']}] {_shorten(head, 96)}")
        if row["empty_reason"]:
            lines.append(f"    not scored: {row['empty_reason']}")
            continue
        s = row["sentiment"]
        lines.append(f"    sentiment {describe_sentiment(s['score'], s['label'], s['shares'])}")
        lines.append(f"    claims {describe_claims(row['n_claims'], row['n_classified'], len(section_ids[row['index']]))}")
        lines.append("    frames:     " + ", ".join(f"{k} {v:.2f}" for k, v in row["top_frames"]))
        lines.append("    techniques: " + ", ".join(f"{k} {v:.2f}" for k, v in row["top_techniques"]))
        if row["evidence"]:
            lines.append(f"    evidence ({row['evidence']['label']}): " + _shorten(row["evidence"]["text"], 90))
        for c in row["check_worthy"][:1]:
            q = "; ".join(q["text"] for q in c["facts"]["quantities"] if q["kind"] != "date")
            lines.append(f"    check-worthy ({a.claims[c['sentence']].describe_p_claim()}): "
                         + _shorten(c["text"], 80) + (f"  [{q}]" if q else ""))
    return "\n".join(lines)


def _cmd_score(args: argparse.Namespace) -> int:
    from .batch import score_files

    if args.engine == "dask":  # an optional part: name its extra before any work
        from ._optional import require

        require("dask.dataframe", "dask", "--engine dask")
        require("distributed", "dask", "--engine dask")
    chunk = args.chunk_size if args.chunk_size is not None else (16 if args.engine == "dask" else 64)
    import signal

    class _Terminated(KeyboardInterrupt):
        pass

    def _on_term(signum: int, frame: object) -> None:  # SIGTERM stops the run as Ctrl-C does
        raise _Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, _on_term)
    except ValueError:  # not the main thread: SIGTERM keeps its handler
        previous = None
    try:
        res = score_files(args.inputs, args.out, fmt=args.format, jobs=args.jobs, batch_size=args.batch_size,
                          chunk_size=chunk, resume=args.resume, progress=not args.quiet,
                          max_bytes=args.max_bytes or None, posts=args.posts, engine=args.engine,
                          scheduler=args.scheduler, scheduler_file=args.scheduler_file, aliases=args.aliases)
    except KeyboardInterrupt as stop:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one message, whatever arrives while cleaning up
        print(f"\nxhs-nlp: interrupted: the work written so far is kept in {args.out}; run the same command "
              "with --resume to finish", file=sys.stderr)
        return 143 if isinstance(stop, _Terminated) else 130
    finally:
        if previous is not None and signal.getsignal(signal.SIGTERM) in (_on_term, signal.SIG_IGN):
            signal.signal(signal.SIGTERM, previous)
    if res.get("stale_lock"):
        print(f"xhs-nlp: note: took over the lock of a run that is gone (pid {res['stale_lock'].get('pid')})",
              file=sys.stderr)
    if args.engine == "dask":
        print(f"{res['documents']} documents scored, {res['failed']} failed ({res['partitions']} parts, "
              f"{res['skipped']} documents skipped as already written) in {res['seconds']:.1f} s")
    else:
        print(f"{res['documents']} documents scored, {res['failed']} failed (this run: {res['scored_now']} scored, "
              f"{res['failed_now']} failed, {res['skipped']} skipped as already written) in {res['seconds']:.1f} s")
    for t, path in res["tables"].items():
        print(f"  {t:<10} {path}")
    if res["failed"]:
        print(f"xhs-nlp: {res['failed']} document(s) failed: see the errors table", file=sys.stderr)
        return 3
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare, to_files

    by = [k for part in args.by for k in part.split(",") if k]
    c = compare(args.results, by=by, date=args.date, n_resamples=args.resamples, seed=args.seed,
                min_documents=args.min_documents, correction=args.correction)
    written = to_files(c, args.out, args.format)
    if args.figures:
        from . import plot

        figs = {}
        m = c["measures"]
        if c.time:
            for y in ("sentiment", "claim_share"):
                if y in set(m["measure"]):
                    figs[f"trend_{y}"] = plot.trend(c, y=y)
        if len(c.by) == 1:
            if len(c["organisations"]):
                figs["portrayal_matrix"] = plot.portrayal_matrix(c)
            for kind in ("frame", "technique"):
                if m["measure"].str.startswith(kind + ":").any():
                    figs[f"{kind}s_by_group"] = plot.frames_by_group(c, kind)
        for name, fig in figs.items():
            path = Path(args.out) / f"{name}.{args.figures}"
            fig.savefig(path, dpi=150, bbox_inches="tight")
            written.append(path)
    g = c["groups"]
    print(f"{len(g)} group(s) of {int(g['n'].sum())} documents ({int(g['small'].sum())} under {args.min_documents} "
          "documents, marked small)")
    for note in c.notes:
        print(f"  {note}")
    for path in written:
        print(f"  {path}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .corpus_report import write_corpus_report

    from .compare import TIME_KEYS
    from .errors import DataError

    by = [k for part in args.by for k in part.split(",") if k]
    if args.period and not args.time:
        raise DataError("--period needs --time COLUMN (the date column it is taken from)")
    if args.time:
        if clash := [k for k in by if k in TIME_KEYS]:
            raise DataError(f"give the period with --period, not --by {clash[0]}, when --time is given")
        by.append(args.period or "month")
    path = write_corpus_report(args.results, args.out, by=by, date=args.time, n_resamples=args.resamples,
                               seed=args.seed, min_documents=args.min_documents, organisations=args.organisations,
                               figures=not args.no_figures, title=args.title)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .tasks import TRAINERS

    trainer = TRAINERS[args.task]
    trainer.function()(args.data, args.out, **trainer.kwargs(vars(args)))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from .evaluate import evaluate, format_report

    from .datasets import resolve_example

    paths = [str(resolve_example(d)) for d in args.data]
    data = paths[0] if len(paths) == 1 else paths
    rep = evaluate(args.task, data, model=args.model, label_map=args.label_map, split=args.split, domain=args.domain,
                   progress=True, interval=args.interval)
    print(json.dumps(rep, ensure_ascii=False, indent=2) if args.json else format_report(rep))
    return 0


def _cmd_extend_corpus(args: argparse.Namespace) -> int:
    from .labelled import extend_corpus

    folder = extend_corpus(args.corpus, args.annotations, args.sources, args.out, apart=args.apart)
    print(f"wrote {folder} (train with --data {folder}/sentiment.jsonl, claims.jsonl, targets.jsonl or docs.jsonl)")
    return 0


def _parser() -> argparse.ArgumentParser:
    from .limits import MAX_BYTES
    from .tasks import TASKS, TRAINERS

    p = argparse.ArgumentParser(
        prog="xhs-nlp",
        description="Segment and score opinion writing about platforms and markets (English and Chinese).",
        epilog="A document argument is a file, '-' (standard input) or example:NAME, a file bundled with the "
               "library: example:post (the forum post; try `xhs-nlp analyze example:post`), and for --data of "
               "evaluate example:claims or example:sentiment (the project's labels of the post's sentences). "
               "Ctrl-C stops a command with exit status 130.",
    )
    p.add_argument("--version", action="version", version=f"xhs-nlp {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("segment", help="segment a post or op-ed into sections, paragraphs, sentences")
    s.add_argument("path", help=_DOC_HELP)
    s.add_argument("--format", choices=["json", "text"], default="text", help="output format (default: text)")
    s.add_argument("--tokens", action="store_true", help="include tokens in the JSON output")
    s.add_argument("--encoding", default=None, help="force an input encoding instead of detecting it")
    s.add_argument("--input-format", choices=["auto", "text", "html"], default="auto", help="input kind")
    s.set_defaults(func=_cmd_segment)

    s = sub.add_parser("sentiment", help="sentence sentiment with section and document aggregates")
    s.add_argument("path", help=_DOC_HELP)
    s.add_argument("--model", default=None, help="model folder, or 'lexicon' (default: models/sentiment)")
    s.add_argument("--format", choices=["json", "text"], default="text")
    s.add_argument("--encoding", default=None, help="force an input encoding")
    _add_precision(s)
    s.set_defaults(func=_cmd_sentiment)

    s = sub.add_parser("claims", help="label each sentence claim or rhetoric; list the facts in claims")
    s.add_argument("path", help=_DOC_HELP)
    s.add_argument("--model", default=None, help="model folder (default: models/claims)")
    s.add_argument("--format", choices=["json", "text"], default="text")
    s.add_argument("--claims-only", action="store_true", help="list only the claims")
    s.add_argument("--encoding", default=None, help="force an input encoding")
    _add_precision(s)
    s.set_defaults(func=_cmd_claims)

    s = sub.add_parser("analyze", help="everything about one document: a per-section summary, JSON or an HTML report")
    s.add_argument("path", help=_DOC_HELP)
    s.add_argument("--format", choices=["text", "json", "html"], default="text")
    s.add_argument("--out", default=None, metavar="FILE", help="write to FILE (required for html)")
    s.add_argument("--encoding", default=None, help="force an input encoding")
    s.add_argument("--max-bytes", type=int, default=MAX_BYTES, metavar="N",
                   help=f"refuse larger documents (default {MAX_BYTES:,}; 0: no limit)")
    s.add_argument("--aliases", default=None, metavar="FILE",
                   help="your own organisation names: JSON {name: [aliases]} or lines NAME = ALIAS | ALIAS")
    _add_precision(s)
    s.set_defaults(func=_cmd_analyze)

    s = sub.add_parser("score", help="score many documents into tidy tables (documents, sections, sentences, entities, errors)")
    s.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files, folders (recursive), globs, or JSONL/CSV/Parquet tables with a 'text' column")
    s.add_argument("--out", required=True, metavar="DIR_OR_FILE",
                   help="a folder (DIR/documents.parquet ...) or a file name giving the format (run.csv -> run.documents.csv ...)")
    s.add_argument("--format", choices=["parquet", "csv", "jsonl"], default=None, help="table format (default: parquet)")
    s.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    s.add_argument("--batch-size", type=int, default=16, help="documents per encoder batch")
    s.add_argument("--chunk-size", type=int, default=None,
                   help="documents per written chunk (default 64); with --engine dask, per partition (default 16)")
    s.add_argument("--resume", action="store_true", help="skip documents already written by an interrupted run")
    s.add_argument("--max-bytes", type=int, default=MAX_BYTES, metavar="N",
                   help=f"larger documents become error rows (default {MAX_BYTES:,}; 0: no limit)")
    s.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="local processes (--jobs), or a Dask cluster (a LocalCluster of --jobs workers unless "
                        "--scheduler/--scheduler-file names one); dask writes OUT/TABLE/part-N.parquet")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS", help="dask: connect to this scheduler")
    s.add_argument("--scheduler-file", default=None, metavar="PATH",
                   help="dask: connect to the scheduler of this file (dask-jobqueue / dask-mpi convention)")
    s.add_argument("--posts", choices=["first", "all"], default="first",
                   help="forum thread pages (.html): the first post (default), or one document per floor")
    s.add_argument("--aliases", default=None, metavar="FILE",
                   help="your own organisation names: JSON {name: [aliases]} or lines NAME = ALIAS | ALIAS")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_precision(s)
    s.set_defaults(func=_cmd_score)

    s = sub.add_parser("compare", help="compare groups of scored documents (outlets, months, languages) with "
                       "bootstrap intervals; writes tables and optionally figures")
    s.add_argument("results", help="a folder written by `xhs-nlp score` (or its --out FILE prefix)")
    s.add_argument("--by", action="append", default=[], metavar="KEY[,KEY]",
                   help="group keys: a column or metadata key (outlet, lang, ...) or a time key (day, week, month, "
                        "quarter, year); repeatable; none: the whole corpus")
    s.add_argument("--date", help="the date column time keys read (default: date, else posted_at)")
    s.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples per group (default 1000)")
    s.add_argument("--seed", type=int, default=0, help="the bootstrap's seed (default 0)")
    s.add_argument("--min-documents", type=int, default=5, help="groups with fewer documents are marked small")
    s.add_argument("--correction", choices=["auto", "none", "acc", "pcc"], default="auto",
                   help="correct shares of classifier labels for the models' errors (default auto: the measured choice)")
    s.add_argument("--out", required=True, help="the folder for the tables (groups, measures, organisations, wide)")
    s.add_argument("--format", choices=["csv", "parquet"], default="csv", help="the tables' format (default csv)")
    s.add_argument("--figures", choices=["png", "svg", "pdf"], help="also draw the figures in this format "
                   "(needs the plot extra)")
    s.set_defaults(func=_cmd_compare)

    s = sub.add_parser("report", help="one self-contained HTML page comparing groups of scored documents (sentiment, "
                       "claims, organisations, frames, techniques; intervals on hover, links to the documents)")
    s.add_argument("results", help="a folder written by `xhs-nlp score` (or its --out FILE prefix)")
    s.add_argument("--by", action="append", default=[], metavar="KEY[,KEY]",
                   help="group keys: a column or metadata key (outlet, lang, ...); repeatable; none: the whole corpus")
    s.add_argument("--time", metavar="COLUMN", help="a date column: also group by --period of it (over-time figures)")
    s.add_argument("--period", choices=["day", "week", "month", "quarter", "year"], default=None,
                   help="the period of --time (default month)")
    s.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples per group (default 1000)")
    s.add_argument("--seed", type=int, default=0, help="the bootstrap's seed (default 0)")
    s.add_argument("--min-documents", type=int, default=5, help="groups with fewer documents are marked small")
    s.add_argument("--organisations", type=int, default=15, help="the most often named organisations shown (15)")
    s.add_argument("--no-figures", action="store_true", help="tables only (figures need the plot extra)")
    s.add_argument("--title", default=None, help="the page's title")
    s.add_argument("--out", required=True, help="the HTML file to write")
    s.set_defaults(func=_cmd_report)

    s = sub.add_parser("entities", help="organisations named, and how each is portrayed per section (target sentiment)")
    s.add_argument("path", help=_DOC_HELP)
    s.add_argument("--model", default=None, help="target-sentiment model folder (default: models/target_sentiment)")
    s.add_argument("--aliases", default=None, metavar="FILE",
                   help="your own organisation names: JSON {name: [aliases]} or lines NAME = ALIAS | ALIAS")
    s.add_argument("--format", choices=["json", "text"], default="text")
    s.add_argument("--encoding", default=None, help="force an input encoding")
    _add_precision(s)
    s.set_defaults(func=_cmd_entities)

    s = sub.add_parser("framing", help="frames, persuasion techniques and rhetorical cues per section, with evidence")
    s.add_argument("path", help=_DOC_HELP)
    s.add_argument("--frames-model", default=None, help="model folder (default: models/frames)")
    s.add_argument("--techniques-model", default=None, help="model folder (default: models/techniques)")
    s.add_argument("--format", choices=["json", "text"], default="text")
    s.add_argument("--encoding", default=None, help="force an input encoding")
    _add_precision(s)
    s.set_defaults(func=_cmd_framing)

    s = sub.add_parser("train", help="train a model reproducibly (fixed seed)")
    s.add_argument("task", choices=list(TRAINERS),
                   help="what to train: " + "; ".join(f"{t.name}: {t.description}" for t in TRAINERS.values()))
    s.add_argument("--data", nargs="+", required=True, metavar="PATH", help="labelled JSONL/CSV/Parquet files")
    s.add_argument("--out", required=True, help="model folder to write (framing: DIR/frames, DIR/techniques)")
    s.add_argument("--label-map", default=None, metavar="FROM=TO,...", help="rename labels first")
    s.add_argument("--seed", type=int, default=0, help="the seed of folds and solvers (default 0)")
    s.add_argument("--domains", default=None, metavar="CORPUS=DOMAIN,...",
                   help="claims: domain of a corpus (its folder name), e.g. claimbuster=speech; others are news; "
                        "sentiment: 'corpus' (each corpus its own output layer) or CORPUS=DOMAIN,... (others: "
                        "their corpus name)")
    s.add_argument("--weights", default=None, metavar="CORPUS=W,...",
                   help="sentiment, target-sentiment, framing: weigh a corpus's rows in the loss (others 1), "
                        "e.g. opinion_reading_zh_en=3")
    s.add_argument("--holdout", default=None, metavar="SPLIT,...",
                   help="claims: splits held out and reported, never trained on (default: dev_test,test); "
                        "CORPUS:SPLIT holds out one corpus's split, e.g. webis_editorials16_en:dev")
    s.add_argument("--check", nargs="+", default=None, metavar="PATH",
                   help="claims, sentiment: labelled files never trained on, scored and recorded in the card")
    s.add_argument("--cache", default=None, metavar="DIR",
                   help="claims, sentiment, target-sentiment, framing: keep the encoder's features in DIR between runs "
                        "(re-training skips the encoder)")
    s.add_argument("--tune-bias", default=None, metavar="LANG,...",
                   help="sentiment: the languages whose class offsets are tuned by cross-validation (default: all; "
                        "'none': no offsets)")
    s.add_argument("--predictions", default=None, metavar="FILE",
                   help="sentiment, target-sentiment: write every cross-validated, held-out and check row's "
                        "probabilities (JSONL)")
    s.add_argument("--cues", action="store_true", default=None, help="claims: add cue-count features")
    s.add_argument("--ngrams", action="store_true", default=None, help="claims: blend in the n-gram model")
    s.add_argument("--language-weights", action="store_true", default=None,
                   help="claims: news rows get language-specific weights on top of the shared ones")
    s.add_argument("--predict-domain", default=None, metavar="DOMAIN|LANG=DOMAIN,...",
                   help="claims, sentiment: the domain predictions are made for, or one per language ('*': the "
                        "others), e.g. zh=news,*=editorial (default: claims news, sentiment the shared layer)")
    s.add_argument("--folds", type=int, default=None,
                   help="framing, sentiment, target-sentiment: cross-validation folds, grouped by article (5)")
    s.add_argument("--head", choices=["linear", "mlp", "linear+mlp"], default=None,
                   help="framing: the head of every scheme trained (default: linear for frames, linear+mlp for "
                        "techniques); sentiment: mlp (default) or linear")
    s.add_argument("--C", type=float, default=None, dest="C",
                   help="framing: inverse L2 strength of each label's logistic regression (default 0.001)")
    s.add_argument("--steps", type=int, default=None, help="encoder: optimiser steps (default 3000)")
    s.add_argument("--tune-layers", type=int, default=None, help="encoder: layers trained, from the top (default 4)")
    s.add_argument("--checkpoint", default=None, metavar="DIR",
                   help="encoder: checkpoint folder (default: under --cache); a run finding one resumes from it")
    s.add_argument("--max-train", type=int, default=None, help="encoder: training rows per task (default 4000)")
    _add_precision(s)
    s.set_defaults(func=_cmd_train)

    s = sub.add_parser("evaluate", help="evaluate a model on a labelled corpus")
    s.add_argument("task", choices=list(TASKS),
                   help="; ".join(f"{t.name}: {t.description}" for t in TASKS.values()))
    s.add_argument("--data", nargs="+", required=True, metavar="PATH", help="JSONL/CSV/Parquet with text,label[,lang] (example:claims, example:sentiment: the "
                   "bundled post's labels)")
    s.add_argument("--model", default=None, help="model folder ('lexicon' for sentiment); default: the shipped model")
    s.add_argument("--label-map", default=None, metavar="FROM=TO,...", help="rename labels first")
    s.add_argument("--split", default=None, help="keep only rows of this split (e.g. dev)")
    s.add_argument("--domain", default=None,
                   help="claims, sentiment: predict for this domain (default: the model's)")
    s.add_argument("--interval", type=float, default=None, metavar="LEVEL",
                   help="also a bootstrap interval of macro-F1 at this confidence level (e.g. 0.95), resampling "
                        "the rows' documents where the data names them (doc_key, doc_id, article_id, event_id, group)")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    _add_precision(s)
    s.set_defaults(func=_cmd_evaluate)

    s = sub.add_parser("extend-corpus", help="the op-ed reading corpus with the project's own annotated documents "
                       "added (their texts read from the source corpora)")
    s.add_argument("corpus", help="the corpus folder, e.g. ../shared/corpora/opinion_reading_zh_en")
    s.add_argument("--annotations", required=True, metavar="DIR",
                   help="sentences.jsonl and docs.jsonl of labels with offsets, e.g. corpora/opinion_reading_more_en")
    s.add_argument("--sources", required=True, metavar="DIR", help="the folder the annotations' source files are in, "
                   "e.g. ../shared/corpora")
    s.add_argument("--out", required=True, metavar="DIR", help="writes DIR/<corpus folder name>/")
    s.add_argument("--apart", action="store_true",
                   help="write the added documents alone, as DIR/<annotations folder name>/ (a corpus name of their "
                        "own, for --weights)")
    s.set_defaults(func=_cmd_extend_corpus)
    return p


class _StderrHandler(logging.StreamHandler):
    """Writes to the current ``sys.stderr`` (which tests and hosts may swap)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _show_library_log() -> Callable[[], None]:
    """The library's INFO messages (the trainers' steps) on standard error while a command
    runs; returns the function that puts the logger back (``main`` called in a process
    that goes on, a test or a notebook, leaves its logging as it was)."""
    log = logging.getLogger("xhs_nlp")
    if any(isinstance(h, _StderrHandler) for h in log.handlers):  # a command inside a command
        return lambda: None
    handler, level = _StderrHandler(), log.level
    log.addHandler(handler)
    if level == logging.NOTSET or level > logging.INFO:
        log.setLevel(logging.INFO)

    def restore() -> None:
        log.removeHandler(handler)
        log.setLevel(level)

    return restore


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        func: Callable[[argparse.Namespace], int] = args.func
        restore_log = _show_library_log()
        precision = getattr(args, "precision", None)
        before = os.environ.get("XHS_NLP_PRECISION")
        if precision:  # the encoder (and worker processes started from here) read it
            os.environ["XHS_NLP_PRECISION"] = precision
        try:
            return func(args)
        finally:
            restore_log()
            if precision:
                if before is None:
                    os.environ.pop("XHS_NLP_PRECISION", None)
                else:
                    os.environ["XHS_NLP_PRECISION"] = before
    except XhsNlpError as err:
        print(f"xhs-nlp: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except KeyboardInterrupt:
        print("xhs-nlp: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
