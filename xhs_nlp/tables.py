"""The tidy tables: the library's output contract for many documents.

Five tables, keyed by ``doc_id`` (:func:`~xhs_nlp.analysis.document_id`, a content
hash) and ``source``, with the fixed columns and dtypes of :func:`schema`:

* ``documents``: one row per document: metadata, the encoder precision that scored it,
  sentiment, claim share, frame, technique, category and cue columns
  (``frame_Economic``, ``technique_Doubt``, ``category_call``, ``cue_metaphor`` …), plus
  every extra input column (``metadata``, JSON);
* ``sections``: one row per section, same score columns, plus title and evidence;
* ``sentences``: one row per sentence: offsets, language, sentiment, claim label and
  probability, quantities, organisations, techniques carried, and ``not_writing``: the
  kind of a line that is not part of the writing (``byline``, ``poll``, ...; its scores
  empty), empty for the writing;
* ``entities``: one row per organisation named in a document (``section`` empty: the whole
  document) and per section where it is named: mentions, sentences, mean target sentiment
  and the shares of negative/neutral/positive mentions, claims among its sentences, the most
  negative and most positive evidence sentence (:mod:`xhs_nlp.portrayal`);
* ``errors``: one row per document that failed, with the reason.

Multi-valued cells (``frames_on``, ``techniques_on``, ``quantities``, ``organisations``,
``techniques``, ``aliases``: :data:`LIST_COLUMNS`) are lists of strings in Parquet and JSONL
output and in :func:`xhs_nlp.batch.score_frame`; in CSV they are joined with ``|``
(``Economic|Morality``). Rows and :func:`dataframes` hold the joined form.

Text that cannot be written as UTF-8 (a file name in another encoding, a lone surrogate in a
metadata value) is written escaped: an undecodable byte of a name as ``\\xNN`` (Python's
``backslashreplace``), a lone surrogate as ``\\udNNN``; metadata is JSON, with ``NaN`` written as
``null`` and a value that is not UTF-8 as a JSON ``\\u`` escape (``json.loads`` gives it back).
In CSV output a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` (the OWASP advice against CSV injection): a spreadsheet shows the
text instead of running it as a formula.

:func:`analysis_rows` turns one :class:`~xhs_nlp.analysis.Analysis` into rows,
:func:`dataframes` rows into DataFrames; ``xhs-nlp score``, ``Analysis.to_dataframes``
and the ``datasets`` integration all use them.

Example:
    >>> [c for c, _ in schema()["errors"]]
    ['source', 'position', 'error', 'reason', 'metadata']
    >>> len(dataframes({"sections": []})["sections"].columns) == len(schema()["sections"])
    True
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any, Sequence

from .schemes import CATEGORIES, FRAMES, RHETORICAL_CUES, SENTIMENT_LABELS, TECHNIQUES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .analysis import Analysis

__all__ = ["TABLES", "LIST_COLUMNS", "schema", "analysis_rows", "entity_rows", "failure_row", "dataframes",
           "safe_text", "output_frame"]

TABLES = ("documents", "sections", "sentences", "entities", "errors")
#: the multi-valued columns of each table: lists in Parquet and JSONL, ``|``-joined in CSV
LIST_COLUMNS = {"documents": ("frames_on", "techniques_on"), "sections": ("frames_on", "techniques_on"),
                "sentences": ("quantities", "organisations", "techniques"), "entities": ("aliases",), "errors": ()}


def _score_columns(prefix: str, names: Sequence[str]) -> list[str]:
    return [f"{prefix}_{n}" for n in names]


def schema() -> dict[str, list[tuple[str, str]]]:
    """Column names and pandas dtypes of every table, in order."""
    scores = ([(c, "float64") for c in _score_columns("frame", FRAMES)]
              + [(c, "float64") for c in _score_columns("technique", TECHNIQUES)]
              + [(c, "float64") for c in _score_columns("category", CATEGORIES)]
              + [(c, "float64") for c in _score_columns("cue", RHETORICAL_CUES)])
    common = [("sentiment_score", "float64"), ("sentiment_label", "string"), ("share_negative", "float64"),
              ("share_neutral", "float64"), ("share_positive", "float64"), ("n_sentences", "int64"),
              ("tokens", "int64"), ("claim_share", "float64"), ("n_claims", "int64"), ("n_check_worthy", "int64"),
              ("top_frame", "string"), ("frames_on", "string"), ("top_technique", "string"),
              ("techniques_on", "string")]
    return {
        "documents": [("doc_id", "string"), ("source", "string"), ("position", "int64"), ("author", "string"),
                      ("posted_at", "string"), ("encoding", "string"), ("n_sections", "int64"), ("chars", "int64"),
                      ("lang", "string"), ("precision", "string"), *common, *scores, ("metadata", "string")],
        "sections": [("doc_id", "string"), ("source", "string"), ("section", "int64"), ("number", "string"),
                     ("title", "string"), ("kind", "string"), ("start", "int64"), ("end", "int64"), *common,
                     ("evidence", "string"), ("empty_reason", "string"), *scores],
        "sentences": [("doc_id", "string"), ("source", "string"), ("section", "int64"), ("paragraph", "int64"),
                      ("sentence", "int64"), ("start", "int64"), ("end", "int64"), ("lang", "string"),
                      ("text", "string"), ("sentiment_score", "float64"), ("sentiment_label", "string"),
                      ("p_negative", "float64"), ("p_neutral", "float64"), ("p_positive", "float64"),
                      ("claim", "string"), ("p_claim", "float64"), ("quantities", "string"),
                      ("organisations", "string"), ("techniques", "string"), ("not_writing", "string")],
        "entities": [("doc_id", "string"), ("source", "string"), ("entity", "string"), ("aliases", "string"),
                     ("section", "Int64"), ("mentions", "int64"), ("sentences", "int64"), ("score", "float64"),
                     ("label", "string"), ("share_negative", "float64"), ("share_neutral", "float64"),
                     ("share_positive", "float64"), ("n_claims", "int64"), ("most_negative", "string"),
                     ("most_positive", "string")],
        "errors": [("source", "string"), ("position", "int64"), ("error", "string"), ("reason", "string"),
                   ("metadata", "string")],
    }


def _scores(fr: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for prefix, names, d in (("frame", FRAMES, fr.frames), ("technique", TECHNIQUES, fr.techniques),
                             ("category", CATEGORIES, fr.categories), ("cue", RHETORICAL_CUES, fr.cues_per_1000_tokens)):
        for n in names:
            out[f"{prefix}_{n}"] = float(d[n]) if n in d else None
    return out


def _common(a: Analysis, agg: Any, fr: Any, section: int | None) -> dict[str, Any]:
    claims = a.claims_of(section)
    return {"sentiment_score": agg.score, "sentiment_label": agg.label,
            **{f"share_{k}": v for k, v in agg.shares.items()}, "n_sentences": agg.n_sentences, "tokens": fr.tokens,
            "claim_share": a.claim_share(section), "n_claims": sum(c.label == "claim" for c in claims),
            "n_check_worthy": len(a.check_worthy(section)),
            "top_frame": fr.top_frames(1)[0][0] if fr.frames else None, "frames_on": "|".join(fr.frames_on),
            "top_technique": fr.top_techniques(1)[0][0] if fr.techniques else None,
            "techniques_on": "|".join(fr.techniques_on)}


def _finite(x: Any) -> Any:
    """``x`` with every float NaN or infinity (at any depth) made ``None``: JSON has no NaN."""
    if isinstance(x, float):
        return x if x == x and x not in (float("inf"), float("-inf")) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def _json_default(o: Any) -> Any:
    if hasattr(o, "item") and callable(o.item):  # numpy scalars
        try:
            return _finite(o.item())
        except (TypeError, ValueError):
            pass
    if o is None or (hasattr(o, "__class__") and o.__class__.__name__ in ("NAType", "NaTType")):
        return None
    if isinstance(o, bytes):
        return o.decode("utf-8", "backslashreplace")
    return str(o)


def _metadata(meta: dict[str, Any]) -> str | None:
    """A document's extra fields as standard JSON (``NaN`` → ``null``); a key or value that is
    not valid UTF-8 (a lone surrogate) is written as a ``\\u`` escape, which reads back as it was."""
    if not meta:
        return None
    meta = _finite({str(k) if not isinstance(k, str) else k: v for k, v in meta.items()})
    s = json.dumps(meta, ensure_ascii=False, default=_json_default, allow_nan=False)
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        s = json.dumps(meta, ensure_ascii=True, default=_json_default, allow_nan=False)
    return s


def safe_text(s: Any) -> Any:
    """``s`` if it can be written as UTF-8, else escaped (undecodable bytes of a name as
    ``\\xNN``, other lone surrogates as ``\\udNNN``); anything that is not a string as it is.

    Example:
        >>> safe_text("报告.txt"), safe_text(b"\\xb1\\xa8.txt".decode("utf-8", "surrogateescape"))
        ('报告.txt', '\\\\xb1\\\\xa8.txt')
    """
    if not isinstance(s, str):
        return s
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        pass
    out = []
    for ch in s:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:  # an undecodable byte, as os.fsdecode keeps it
            out.append(f"\\x{o - 0xDC00:02x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    return "".join(out)


def analysis_rows(a: Analysis) -> dict[str, list[dict[str, Any]]]:
    """The rows of the ``documents``, ``sections`` and ``sentences`` tables for one analysis.

    Every per-sentence result is read by its index into ``a.doc.sentences``.
    """
    doc = a.doc
    langs = Counter(s.lang for s in doc.sentences)
    m = doc.meta
    d = {"doc_id": a.id, "source": a.source, "position": a.position, "author": m.author,
         "posted_at": m.posted_at.isoformat() if m.posted_at else None, "encoding": m.encoding,
         "n_sections": len(doc.sections), "chars": len(doc.text), "lang": langs.most_common(1)[0][0] if langs else None,
         "precision": a.encoder.get("precision"),
         **_common(a, a.sentiment.document, a.framing.document, None), **_scores(a.framing.document),
         "metadata": _metadata(a.metadata)}
    sections = []
    for sec, agg, fr in zip(doc.sections, a.sentiment.sections, a.framing.sections):
        top = fr.top_frames(1)[0][0] if fr.frames else None
        ev = fr.evidence.get(top, []) if top else []
        sections.append({"doc_id": a.id, "source": a.source, "section": sec.index, "number": sec.number,
                         "title": sec.title, "kind": sec.kind, "start": sec.start, "end": sec.end,
                         **_common(a, agg, fr, sec.index), "evidence": ev[0].text if ev else None,
                         "empty_reason": fr.empty_reason, **_scores(fr)})
    sentences = []
    sents, para_sents = doc.sentences, doc.paragraph_sentences()
    for sec, para_ids in zip(doc.sections, doc.section_paragraphs()):
        for pj, p in enumerate(para_ids):
            for i in para_sents[p]:
                s, sen, cl, tech = sents[i], a.sentiment.sentences[i], a.claims[i], a.framing.sentence_techniques[i]
                facts = cl.facts
                sentences.append({
                    "doc_id": a.id, "source": a.source, "section": sec.index, "paragraph": pj, "sentence": i,
                    "start": s.start, "end": s.end, "lang": s.lang, "text": s.text, "sentiment_score": sen.score,
                    "sentiment_label": sen.label, **{f"p_{k}": (sen.probabilities or {}).get(k) for k in SENTIMENT_LABELS},
                    "claim": cl.label, "p_claim": cl.p_claim,
                    "quantities": "|".join(f"{q.kind}:{q.text}" for q in facts.quantities) if facts else "",
                    "organisations": "|".join(dict.fromkeys(o[0] for o in facts.organisations)) if facts else "",
                    "techniques": "|".join(tech), "not_writing": s.not_writing})
    return {"documents": [d], "sections": sections, "sentences": sentences, "entities": entity_rows(a)}


def entity_rows(a: Analysis) -> list[dict[str, Any]]:
    """The ``entities`` table's rows of one analysis: per entity (most mentioned first) the
    whole document (``section`` ``None``), then each section where it is named, in order."""
    out = []
    sents = a.doc.sentences
    for e in a.entities:
        parts = [(None, e.document, e.mentions)]
        parts += [(k, p, [m for m in e.mentions if m.section == k]) for k, p in e.sections.items()]
        for k, p, ms in parts:
            neg = [m for m in ms if m.label == "negative"]
            pos = [m for m in ms if m.label == "positive"]
            ids = {m.sentence for m in ms}
            out.append({"doc_id": a.id, "source": a.source, "entity": e.name, "aliases": "|".join(e.aliases),
                        "section": k, "mentions": p.n_mentions, "sentences": p.n_sentences, "score": p.score,
                        "label": p.label, **{f"share_{lab}": v for lab, v in p.shares.items()},
                        "n_claims": sum(a.claims[i].label == "claim" for i in ids),
                        "most_negative": sents[min(neg, key=lambda m: m.score).sentence].text if neg else None,
                        "most_positive": sents[max(pos, key=lambda m: m.score).sentence].text if pos else None})
    return out


def failure_row(source: str, position: int, error: str, reason: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The ``errors`` table's row of a document that failed."""
    return {"source": source, "position": position, "error": error, "reason": reason, "metadata": _metadata(metadata)}


def dataframes(rows: dict[str, list[dict[str, Any]]]) -> dict[str, pd.DataFrame]:
    """DataFrames with the fixed column order and dtypes of each table in ``rows``
    (extra keys become extra columns after the fixed ones)."""
    import pandas as pd

    out = {}
    for name, cols in schema().items():
        if name not in rows:
            continue
        extra = [k for r in rows[name] for k in r if k not in dict(cols)]
        # every text cell can be written (a name in another encoding is escaped)
        safe = [{k: safe_text(v) for k, v in r.items()} for r in rows[name]]
        df = pd.DataFrame(safe, columns=[c for c, _ in cols] + list(dict.fromkeys(extra)))
        out[name] = df.astype({c: t for c, t in cols})
    return out


_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(v: Any) -> Any:
    return "'" + v if isinstance(v, str) and v.startswith(_CSV_TRIGGERS) else v


def _as_list(v: Any) -> Any:
    if isinstance(v, list):
        return v
    if not isinstance(v, str):  # None, NA, NaN
        return None
    return [x for x in v.split("|") if x]


def output_frame(df: pd.DataFrame, table: str, fmt: str) -> pd.DataFrame:
    """``df`` (a table as :func:`dataframes` makes it) as it is written in ``fmt``: list
    columns for ``parquet``/``jsonl``/``pandas``, joined and CSV-injection-escaped text for ``csv``.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"entity": ["=1+1"], "aliases": ["A|B"]})
        >>> output_frame(df, "entities", "parquet")["aliases"][0], output_frame(df, "entities", "csv")["entity"][0]
        (['A', 'B'], "'=1+1")
    """
    import pandas as pd

    df = df.copy()
    if fmt == "csv":
        for c in df.columns:
            if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object:
                df[c] = pd.Series([_csv_cell(v) for v in df[c].tolist()], index=df.index, dtype=df[c].dtype)
        return df
    for c in LIST_COLUMNS.get(table, ()):
        if c in df.columns:
            df[c] = pd.Series([_as_list(v) for v in df[c].tolist()], index=df.index, dtype=object)
    return df
