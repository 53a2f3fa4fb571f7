"""One self-contained HTML page about many scored documents (``xhs-nlp report RESULTS``).

:func:`corpus_html` reads the tidy tables of ``xhs-nlp score`` (or the dict of DataFrames
of ``score_frame``), compares the groups with :func:`~xhs_nlp.compare.compare` and
writes one HTML page that opens offline (no script, font or image from elsewhere; figures
are inline SVG):

* **the corpus at a glance**: per group its documents (small groups marked), the mean
  document sentiment, the claim share and the most common frames, each number with its
  bootstrap interval on hover;
* **over time** (with a time key): sentiment and claim share per period and group, with
  interval bands (figures need the ``plot`` extra; the table above holds the same numbers);
* **organisations × groups**: the mean tone towards each organisation (diverging colours),
  its interval, documents and mentions on hover;
* **frames and techniques by group**: the share of documents where each is on;
* **documents** of each group and the **evidence** behind each organisation cell (the most
  negative and most positive sentence about it in each document naming it, with the
  document's source): every cell links to the documents and sentences behind it.

Example:
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": list("abcd"), "source": ["a.txt", "b.txt", "c.txt", "d.txt"],
    ...                      "outlet": ["FT", "FT", "财新", "财新"], "sentiment_score": [-0.4, -0.2, 0.3, 0.1]})
    >>> html = corpus_html(docs, by="outlet", n_resamples=50)
    >>> html.startswith("<!DOCTYPE html>") and 'href="#g1"' in html and "<script" not in html
    True
"""

from __future__ import annotations

import io
import os
from html import escape
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._version import __version__
from .errors import DataError
from .compare import Comparison, cell_list, document_entities, compare, read_tables
from .report import CSS, diverging, heat

__all__ = ["corpus_html", "write_corpus_report"]

_EXTRA_CSS = """
td.l{text-align:left}.small{color:#a15c00}a{color:#1f5fa8;text-decoration:none}a:hover{text-decoration:underline}
ul.ev{margin:.2em 0 1em 1.2em;padding:0}ul.ev li{margin:.2em 0}.src{color:#777;font-size:11px}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}
"""


def _fmt(x: Any, spec: str = "+.2f") -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else format(v, spec)


def _interval(row: Any, lo: str = "ci_low", hi: str = "ci_high", spec: str = "+.2f") -> str:
    return f"[{_fmt(row[lo], spec)}, {_fmt(row[hi], spec)}]"


def _keys_of(df: Any, keys: Sequence[str]) -> list[tuple]:
    """Each row's group keys as a tuple of strings (how groups are matched across tables)."""
    if not keys:
        return [()] * len(df)
    return [tuple(str(v) for v in row) for row in df[list(keys)].itertuples(index=False)]


def _group_name(keys: Sequence[str], row: Any) -> str:
    return " · ".join(str(row[k]) for k in keys) if keys else "all documents"


def _svg(fig: Any) -> str:
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "xhs_nlp"}):  # the same page for the same data: no random ids
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})

    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prologue and doctype: the page is HTML


def corpus_html(tables: Any, by: str | Sequence[str] = (), *, date: str | None = None, n_resamples: int = 1000,
                seed: int = 0, min_documents: int = 5, organisations: int = 15, figures: bool = True,
                title: str | None = None) -> str:
    """The corpus report of scored documents as one HTML page (a string).

    Args:
        tables: a score output folder, a dict of DataFrames or a ``documents`` DataFrame
            (:func:`~xhs_nlp.compare.read_tables`).
        by: the group keys (columns, metadata keys, one time key: see
            :func:`~xhs_nlp.compare.compare`).
        date: the date column the time key reads.
        n_resamples: bootstrap resamples per group.
        seed: the bootstrap's seed (the same seed gives the same page).
        min_documents: groups with fewer documents are marked small.
        organisations: the organisations shown (the most often named).
        figures: draw the over-time figures as inline SVG when matplotlib is installed
            (without it, or with ``False``, the page has the tables alone and says so).
        title: the page's title (default: "Corpus report").

    Raises:
        DataError: what :func:`~xhs_nlp.compare.compare` refuses (a missing group key,
            an empty documents table …).
    """
    t = read_tables(tables)
    c = compare(t, by=by, date=date, n_resamples=n_resamples, seed=seed, min_documents=min_documents,
                organisations=organisations)
    keys = list(c.by)
    groups = c["groups"].reset_index(drop=True)
    head = title or "Corpus report"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{escape(head)}</title><style>{CSS}{_EXTRA_CSS}</style></head><body>",
           f"<h1>{escape(head)}</h1>",
           f"<p class=meta>{int(groups['n'].sum())} documents in {len(groups)} group(s)"
           + (f" by {escape(', '.join(keys))}" if keys else "")
           + f" · {int(groups['small'].sum())} group(s) under {min_documents} documents (marked small) · "
           f"xhs_nlp {escape(__version__)}</p>",
           "<ul class=lab>" + "".join(f"<li>{escape(n)}</li>" for n in c.notes) + "</ul>"]
    out += _overview(c, groups, keys)
    if c.time:
        out += _over_time(c, figures)
    out += _organisations(c, groups, keys)
    for kind, label in (("frame", "Frames"), ("technique", "Persuasion techniques")):
        out += _labels_by_group(c, groups, keys, kind, label)
    out += _documents(c, t["documents"], groups, keys)
    out += _evidence(c, t, groups, keys)
    out.append("</body></html>")
    return "\n".join(out)


def _measure(c: Comparison, name: str, keys: list[str]) -> dict[tuple, Any]:
    m = c["measures"]
    part = m[m["measure"] == name]
    return {key: r for key, (_, r) in zip(_keys_of(part, keys), part.iterrows())}


def _overview(c: Comparison, groups: Any, keys: list[str]) -> list[str]:
    sent, claims = _measure(c, "sentiment", keys), _measure(c, "claim_share", keys)
    m = c["measures"]
    frames = m[m["measure"].str.startswith("frame:")]
    frame_keys = _keys_of(frames, keys)
    out = ['<h2 id="overview">The corpus at a glance</h2><table><tr>'
           + "".join(f"<th>{escape(k)}</th>" for k in keys)
           + "<th>documents</th><th>sentiment (mean)</th><th>claim share</th><th>most common frames</th></tr>"]
    for i, g in groups.iterrows():
        key = tuple(str(g[k]) for k in keys)
        s, cl = sent.get(key), claims.get(key)
        top = frames.loc[np.array([k == key for k in frame_keys], dtype=bool)]
        top = top.sort_values("estimate", ascending=False).head(3)
        tops = ", ".join(f"{r['measure'].split(':', 1)[1]} {r['estimate']:.0%}" for _, r in top.iterrows()
                         if r["estimate"] > 0)
        small = " <span class=small title='fewer documents than the threshold'>small</span>" if g["small"] else ""
        out.append("<tr>" + "".join(f"<td class=l>{escape(str(g[k]))}</td>" for k in keys)
                   + f'<td><a href="#g{i}">{int(g["n"])}</a>{small}</td>'
                   + (f'<td style="{diverging(float(s["estimate"]))}" title="{c.level:.0%} interval '
                      f'{_interval(s)}, {int(s["n"])} documents">{_fmt(s["estimate"])}</td>'
                      if s is not None and s["estimate"] == s["estimate"] else "<td>–</td>")
                   + (f'<td title="{c.level:.0%} interval {_interval(cl, spec=".0%")}">{_fmt(cl["estimate"], ".0%")}</td>'
                      if cl is not None else "<td>–</td>")
                   + f'<td class=l><a href="#g{i}">{escape(tops or "–")}</a></td></tr>')
    out.append("</table><p class=lab>Sentiment: the mean over documents of each document's token-weighted "
               "P(positive) − P(negative), −1 to 1; claim share: the mean over documents of the share of classified "
               "sentences labelled claim. Hover a number for its bootstrap interval; click a count for the "
               "documents.</p>")
    return out


def _over_time(c: Comparison, figures: bool) -> list[str]:
    out = ['<h2 id="time">Over time</h2>']
    group = next((k for k in c.by if k != c.time), None)
    if len([k for k in c.by if k != c.time]) > 1:
        return out + ["<p class=lab>Figures over time are drawn for one group key beside the time key; "
                      "the tables above and below hold every number.</p>"]
    if not figures:
        return out + ["<p class=lab>Figures were not asked for; the tables hold the numbers.</p>"]
    try:
        from . import plot

        for y in ("sentiment", "claim_share"):
            if y in set(c["measures"]["measure"]):
                out.append(f"<figure>{_svg(plot.trend(c, y=y, by=group))}</figure>")
    except ImportError as e:  # MissingDependencyError is an ImportError: the plot extra is not installed
        out.append(f"<p class=lab>No figures: {escape(str(e))}. The tables hold the numbers.</p>")
    except (DataError, ValueError, RuntimeError) as e:  # a figure that cannot be drawn must not cost the page
        out.append(f"<p class=lab>The figures could not be drawn ({escape(type(e).__name__)}: {escape(str(e))}); "
                   "the tables hold the numbers.</p>")
    return out


def _organisations(c: Comparison, groups: Any, keys: list[str]) -> list[str]:
    o = c["organisations"]
    out = ['<h2 id="organisations">Organisations × groups</h2>']
    if not len(o):
        return out + ["<p class=lab>No organisation is named in these documents.</p>"]
    names = list(dict.fromkeys(o["entity"]))
    cells = {(str(r["entity"]), key): r for key, (_, r) in zip(_keys_of(o, keys), o.iterrows())}
    out.append("<table><tr><th>organisation</th>" + "".join(
        f'<th><a href="#g{i}">{escape(_group_name(keys, g))}</a></th>' for i, g in groups.iterrows()) + "</tr>")
    for j, name in enumerate(names):
        row = [f"<td class=name>{escape(name)}</td>"]
        for i, g in groups.iterrows():
            r = cells.get((name, tuple(str(g[k]) for k in keys)))
            if r is None or not r["documents"]:
                row.append("<td></td>")
                continue
            tone = float(r["tone"]) if r["tone"] == r["tone"] else None
            tip = (f"tone {_fmt(r['tone'])} {c.level:.0%} interval {_interval(r, 'tone_low', 'tone_high')}; "
                   f"named in {int(r['documents'])} of {int(g['n'])} documents, {int(r['mentions'])} mentions")
            row.append(f'<td style="{diverging(tone)}" title="{escape(tip)}"><a href="#o{j}-{i}" '
                       f'style="color:inherit">{_fmt(r["tone"])}</a></td>')
        out.append("<tr>" + "".join(row) + "</tr>")
    out.append("</table><p class=lab>The mean over the documents naming the organisation of its document-level "
               "tone (target sentiment, −1 to 1). Hover for the interval, documents and mentions; click for the "
               "sentences behind the number.</p>")
    return out


def _labels_by_group(c: Comparison, groups: Any, keys: list[str], kind: str, label: str) -> list[str]:
    m = c["measures"]
    part = m[m["measure"].str.startswith(kind + ":")]
    if not len(part):
        return []
    shown = [n for n in dict.fromkeys(part["measure"]) if part[part["measure"] == n]["estimate"].max() >= 0.1]
    out = [f'<h2 id="{kind}s">{label} by group</h2>']
    if not shown:
        return out + [f"<p class=lab>No {kind} is on in 10% of any group's documents.</p>"]
    by_key = {(r["measure"], key): r for key, (_, r) in zip(_keys_of(part, keys), part.iterrows())}
    out.append("<table><tr><th>group</th>" + "".join(
        f'<th class=rot title="{escape(n)}">{escape(n.split(":", 1)[1].replace("_", " "))}</th>' for n in shown) + "</tr>")
    for i, g in groups.iterrows():
        cells = []
        for n in shown:
            r = by_key.get((n, tuple(str(g[k]) for k in keys)))
            if r is None or r["estimate"] != r["estimate"]:
                cells.append("<td></td>")
                continue
            tip = f"{n}: {r['estimate']:.0%} of {int(r['n'])} documents, {c.level:.0%} interval {_interval(r, spec='.0%')}"
            cells.append(f'<td style="{heat(float(r["estimate"]))}" title="{escape(tip)}"><a href="#g{i}" '
                         f'style="color:inherit">{r["estimate"]:.0%}</a></td>')
        out.append(f'<tr><td class=name><a href="#g{i}">{escape(_group_name(keys, g))}</a></td>{"".join(cells)}</tr>')
    out.append(f"</table><p class=lab>The share of the group's documents where the {kind} is on (above its tuned "
               f"threshold); only {kind}s on in at least 10% of some group's documents are shown. Hover for the "
               f"interval; click for the group's documents and the {kind}s on in each.</p>")
    return out


def _documents(c: Comparison, docs: Any, groups: Any, keys: list[str]) -> list[str]:
    members = c.members
    out = ['<h2 id="documents">Documents by group</h2>']
    if members is None or not len(members):
        return out
    info = {r["doc_id"]: r for r in docs.to_dict("records")} if "doc_id" in docs.columns else {}
    member_keys = _keys_of(members, keys)
    for i, g in groups.iterrows():
        key = tuple(str(g[k]) for k in keys)
        rows = members.loc[np.array([k == key for k in member_keys], dtype=bool)]
        out.append(f'<h3 id="g{i}">{escape(_group_name(keys, g))} ({len(rows)} documents)</h3><table><tr>'
                   "<th>source</th><th>sentiment</th><th>claim share</th><th>frames on</th><th>techniques on</th></tr>")
        for _, r in rows.iterrows():
            d = info.get(r.get("doc_id"), {})
            score = d.get("sentiment_score")
            score = float(score) if isinstance(score, (int, float)) and score == score else None
            out.append(f"<tr><td class=l>{_source_link(r.get('source'))}</td>"
                       f'<td style="{diverging(score)}">{_fmt(score)}</td>'
                       f"<td>{_fmt(d.get('claim_share'), '.0%')}</td>"
                       f"<td class=l>{escape(', '.join(cell_list(d.get('frames_on'))))}</td>"
                       f"<td class=l>{escape(', '.join(cell_list(d.get('techniques_on'))))}</td></tr>")
        out.append("</table>")
    return out


def _source_link(source: Any) -> str:
    import pandas as pd

    s = "" if source is None or (np.ndim(source) == 0 and pd.isna(source)) else str(source)
    if not s:
        return "–"
    path = Path(s.split("#", 1)[0])
    href = path.resolve().as_uri() if path.is_absolute() or path.exists() else None
    return f'<a href="{escape(href)}">{escape(s)}</a>' if href else escape(s)


def _evidence(c: Comparison, t: dict, groups: Any, keys: list[str]) -> list[str]:
    o, ents = c["organisations"], t.get("entities")
    if not len(o) or ents is None or not len(ents) or c.members is None:
        return []
    members = c.members
    whole = document_entities(ents, members)  # the rows compare() averaged for the organisation cells
    if whole is None:
        return []
    doc_group = dict(zip(members["doc_id"], _keys_of(members, keys)))
    source = dict(zip(members["doc_id"], members["source"] if "source" in members.columns else members["doc_id"]))
    names = list(dict.fromkeys(o["entity"]))
    out = ['<h2 id="evidence">Evidence: the sentences behind each organisation cell</h2>']
    for j, name in enumerate(names):
        rows = whole[whole["entity"] == name]
        for i, g in groups.iterrows():
            key = tuple(str(g[k]) for k in keys)
            mine = rows.loc[np.array([doc_group.get(d) == key for d in rows["doc_id"]], dtype=bool)]
            if not len(mine):
                continue
            items = []
            for _, r in mine.sort_values("score", kind="stable").iterrows():
                for col, word in (("most_negative", "most negative"), ("most_positive", "most positive")):
                    text = r.get(col)
                    if isinstance(text, str) and text:
                        items.append(f"<li>{escape(text)} <span class=src>({word} · tone {_fmt(r['score'])} · "
                                     f"{escape(str(source.get(r['doc_id'], r['doc_id'])))})</span></li>")
            out.append(f'<h3 id="o{j}-{i}">{escape(name)} · {escape(_group_name(keys, g))} '
                       f"({len(mine)} documents)</h3><ul class=ev>{''.join(dict.fromkeys(items))}</ul>")
    return out


def write_corpus_report(tables: Any, out: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write :func:`corpus_html` to ``out`` and return its path (written to a temporary
    name first and moved into place: an interrupted run leaves no half page)."""
    from .outputs import tmp_name

    html = corpus_html(tables, **kwargs)
    path = Path(out)
    tmp = tmp_name(path)
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
