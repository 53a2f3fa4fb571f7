"""A single self-contained HTML report of an :class:`~xhs_nlp.analysis.Analysis`.

No external files, fonts or scripts: inline CSS only, so the file can be mailed or
archived. It shows the document's metadata, a sections × frames heat map, an
organisations × sections heat map (how each organisation is portrayed, with the evidence
sentences on hover and below), sentiment per section, and every section in order with its sentences: claims highlighted (their
quantities and organisations listed), persuasion techniques shown on the sentences that
carry them, and the top frames and techniques with their evidence.

Example:
    >>> import xhs_nlp
    >>> html = xhs_nlp.analyze("I. Costs\\nRevenue fell 20% in 2024.").to_html()
    >>> html.startswith("<!DOCTYPE html>") and "Costs" in html
    True
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from .analysis import Analysis
    from .portrayal import EntityPortrayal

__all__ = ["render_html", "arc_html", "techniques_html", "summary_html", "notebook_html", "describe_sentiment", "describe_claims", "describe_subject"]


def describe_sentiment(score: float | None, label: str | None, shares: Mapping[str, float] | None,
                       of: str = "the text") -> str:
    """A score and its label read together: the label is the sign of the mean
    (:func:`~xhs_nlp.sentiment.score_label`: neutral within the band), the shares say how
    much of the text (or of the mentions) each label has.

    Args:
        score: the mean sentiment (``None``: nothing was scored).
        label: the aggregate's label.
        shares: the share of each label (negative, neutral, positive).
        of: what the shares are shares of (``"the text"``: token-weighted sentences;
            ``"its mentions"``: an organisation's mentions).

    Example:
        >>> describe_sentiment(-0.35, "negative", {"negative": 0.4, "neutral": 0.52, "positive": 0.08})
        'mean -0.35, negative (neutral within ±0.10; shares of the text: neg 40% neu 52% pos 8%)'
    """
    from .sentiment import LABEL_BAND

    if score is None or label is None:
        return "not scored"
    listed = " ".join(f"{k[:3]} {v:.0%}" for k, v in dict(shares or {}).items())
    return f"mean {score:+.2f}, {label} (neutral within ±{LABEL_BAND:.2f}" + (
        f"; shares of {of}: {listed})" if listed else ")")


def describe_claims(n_claims: int, n_classified: int, n_sentences: int | None = None) -> str:
    """What a claim share counts: ``12 of 30 sentences (40%)``; sentences that got no
    label (no letters) are named apart.

    Example:
        >>> describe_claims(12, 30), describe_claims(12, 30, 32)
        ('12 of 30 sentences (40%)', '12 of 30 classified sentences (40%; 2 not classified)')
    """
    share = n_claims / n_classified if n_classified else 0.0
    if n_sentences is None or n_sentences == n_classified:
        return f"{n_claims} of {n_classified} sentences ({share:.0%})"
    return f"{n_claims} of {n_classified} classified sentences ({share:.0%}; {n_sentences - n_classified} not classified)"


def describe_subject(e: EntityPortrayal, n_organisations: int | None = None) -> str:
    """The main subject and its portrayal: ``Xiaohongshu, 40 mentions: mean -0.22,
    negative (neutral within ±0.10; shares of its mentions: ...)``."""
    d = e.document
    more = f" (the most mentioned of {n_organisations} organisations)" if n_organisations and n_organisations > 1 else ""
    return (f"{e.name}{more}, {d.n_mentions} mention{'s' if d.n_mentions != 1 else ''}: "
            + describe_sentiment(d.score, d.label, d.shares, "its mentions"))

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:2em auto;
max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #e3e3e3;padding:3px 6px;text-align:center}
th.rot{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal}
td.name{text-align:left;white-space:nowrap;max-width:260px;overflow:hidden;text-overflow:ellipsis}
.meta{color:#555}.bar{display:inline-block;height:10px;vertical-align:middle}
.claim{background:#fff3b0;border-bottom:2px solid #e0b000}.s{padding:1px 0}
.tech{font-size:11px;background:#e8e0ff;color:#40238f;border-radius:3px;padding:0 4px;margin-left:3px;white-space:nowrap}
.qty{font-size:11px;background:#dff3e4;color:#1d5f2e;border-radius:3px;padding:0 4px;margin-left:3px}
.lab{font-size:12px;color:#555}.pill{display:inline-block;margin:2px 6px 2px 0}
p.par{margin:.6em 0}.legend span{margin-right:1em}.ev{font-style:italic;color:#444}
"""


def heat(p: float) -> str:
    # white → deep blue
    a = max(0.0, min(1.0, p))
    r, g, b = int(255 - 205 * a), int(255 - 155 * a), int(255 - 55 * a)
    fg = "#fff" if a > 0.6 else "#222"
    return f"background:rgb({r},{g},{b});color:{fg}"


def diverging(score: float | None) -> str:
    # red (negative) → white → green (positive)
    if score is None:
        return ""
    a = max(-1.0, min(1.0, score))
    if a < 0:
        r, g, b = 255 - int(63 * -a), 255 - int(198 * -a), 255 - int(212 * -a)
    else:
        r, g, b = 255 - int(209 * a), 255 - int(116 * a), 255 - int(168 * a)
    fg = "#fff" if abs(a) > 0.6 else "#222"
    return f"background:rgb({r},{g},{b});color:{fg}"


def _entities_html(a: Analysis, evidence: bool = True) -> list[str]:
    """The organisations × sections heat map and (``evidence``) each organisation's evidence."""
    doc, ents = a.doc, a.entities
    if not ents.entities:
        return ['<h2 id="organisations">Organisations × sections</h2><p class=lab>No organisation is named in the '
                "document's sentences.</p>"]
    sents = doc.sentences
    out = ['<h2 id="organisations">Organisations × sections</h2><table><tr><th>organisation</th><th>document</th>']
    out += [f'<th title="{escape(_title(s))}">{escape(s.number or ("intro" if s.index == 0 else str(s.index)))}</th>'
            for s in doc.sections]
    out.append("</tr>")
    for e in ents:
        d = e.document
        cells = [f'<td class=name title="{escape(", ".join(e.aliases))}">{escape(e.name)}</td>',
                 f'<td style="{diverging(d.score)}" title="{d.n_mentions} mentions">{_num(d.score)} '
                 f"({d.n_mentions})</td>"]
        for sec in doc.sections:
            p = e.sections.get(sec.index)
            if p is None:
                cells.append("<td></td>")
                continue
            tip = " | ".join(f"{m.label} {m.score:+.2f}: {sents[m.sentence].text}"
                             for m in e.mentions if m.section == sec.index)
            cells.append(f'<td style="{diverging(p.score)}" title="{escape(tip)}">{_num(p.score)} ({p.n_mentions})</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table><p class=lab>Mean sentiment of the sentences towards the organisation (number of mentions), "
               "from the target-sentiment model; hover a cell for its sentences.</p>")
    if not evidence:
        return out
    out.append("<ul class=lab>")
    for e in ents:
        bits = []
        for tag, m in (("most negative", e.most_negative), ("most positive", e.most_positive)):
            if m is not None:
                bits.append(f"{tag} ({m.score:+.2f}): <span class=ev>{escape(sents[m.sentence].text)}</span>")
        claims = "" if e.n_claims is None else f" · {e.n_claims} of its {e.document.n_sentences} sentences are claims"
        out.append(f"<li><b>{escape(e.name)}</b> {_sent_bar(e.document.shares)}{claims}"
                   + ("<br>" + "<br>".join(bits) if bits else "") + "</li>")
    out.append("</ul>")
    return out


def _num(x: float | None, spec: str = "+.2f") -> str:
    """``x`` formatted, or ``n/a`` for a score that was not computed (no letters to score)."""
    return "n/a" if x is None else format(x, spec)


_SENT_COLOURS = {"negative": "#c0392b", "neutral": "#b8b8b8", "positive": "#2e8b57"}


def _sent_bar(shares: dict[str, float] | None) -> str:
    """A three-way bar: the shares (or probabilities) of negative, neutral and positive."""
    if not shares or not any(shares.values()):
        return ""
    parts, left = [], 0
    for lab, col in _SENT_COLOURS.items():
        w = int(round(120 * float(shares.get(lab, 0.0))))
        if w:
            parts.append(f'<span class="bar" style="position:absolute;left:{left}px;width:{w}px;background:{col}"></span>')
        left += w
    tip = " · ".join(f"{lab} {float(shares.get(lab, 0.0)):.0%}" for lab in _SENT_COLOURS)
    return (f'<span class="sbar" title="{tip}" style="display:inline-block;position:relative;width:120px;height:10px;'
            f'background:#f2f2f2">{"".join(parts)}</span>')


def _title(sec) -> str:
    if sec.number:
        return f"{sec.number}. {sec.title}"
    return sec.title or "(introduction)"


def summary_html(a: Analysis, *, links: bool = True, evidence: bool = True) -> list[str]:
    """The report's summary, as HTML pieces (escaped): the metadata line, the document's
    sentiment (bar and reading), claims and top frames, the main subject, the sections ×
    frames heat map (with each section's sentiment bar and claims) and the organisations ×
    sections heat map. ``links``: section names link to the sections below (the full
    report); ``evidence``: each organisation's most negative and positive sentences.

    Example:
        >>> import xhs_nlp
        >>> html = "".join(summary_html(xhs_nlp.analyze("I. Costs\\nRevenue fell 20% in 2024."), links=False))
        >>> "Sections × frames" in html and "<a href" not in html
        True
    """
    from .schemes import FRAMES

    doc = a.doc
    m = doc.meta
    out: list[str] = []
    head = doc.sections[1].title if len(doc.sections) > 1 and doc.sections[0].heading is None else _title(doc.sections[0])
    out.append(f"<p class=meta>source {escape(a.source)} · id {escape(a.id)} · author "
               f"{escape(m.author or '-')} · posted {escape(m.posted_at.isoformat() if m.posted_at else '-')} · "
               f"{len(doc.sections)} sections, {len(doc.sentences)} sentences · first heading: {escape(head or '-')}</p>")
    if doc.epigraph:
        out.append(f'<blockquote class="ev">{escape(doc.epigraph.text)}</blockquote>')
    d = a.sentiment.document
    out.append(f"<p>Document sentiment: {_sent_bar(d.shares)} {escape(describe_sentiment(d.score, d.label, d.shares))} · "
               f"claims: {escape(describe_claims(*a.claim_counts(), len(a.claims)))} · top frames: "
               f"{escape(', '.join(f'{k} {v:.2f}' for k, v in a.framing.document.top_frames(3)))}</p>")
    main = a.entities.main_subject()
    out.append("<p>Main subject: " + (escape(describe_subject(main, len(a.entities))) if main is not None
                                      else "none (no organisation is named)") + "</p>")
    # heat map: sections x frames, plus sentiment and claim share per section
    out.append('<h2 id="heatmap">Sections × frames</h2><table><tr><th>section</th>'
               '<th title="mean sentiment of the sentences (token-weighted); the bar shows the label shares">'
               'sentiment (mean)</th><th title="claims of the classified sentences">claims</th>')
    out += [f'<th class=rot title="{escape(f)}">{escape(f.replace("_", " "))}</th>' for f in FRAMES]
    out.append("</tr>")
    for sec, agg, fr in zip(doc.sections, a.sentiment.sections, a.framing.sections):
        n_claims, n_classified = a.claim_counts(sec.index)
        name = f'<a href="#sec{sec.index}">{escape(_title(sec))}</a>' if links else escape(_title(sec))
        out.append(f'<tr><td class=name title="{escape(_title(sec))}">{name}</td>'
                   f"<td>{_sent_bar(agg.shares)} {_num(agg.score)}</td>"
                   f'<td title="{escape(describe_claims(n_claims, n_classified))}">{n_claims}/{n_classified} '
                   f"({a.claim_share(sec.index):.0%})</td>")
        for f in FRAMES:
            p = fr.frames.get(f)
            on = f in fr.frames_on
            out.append(f'<td style="{heat(p or 0)}" title="{escape(f)}: {p if p is not None else "-"}">'
                       f'{"" if p is None else f"{p:.2f}"}{"*" if on else ""}</td>')
        out.append("</tr>")
    measured = a.framing.measured
    out.append("</table><p class=lab>* above the frame's tuned threshold. Where the models' figures were measured: "
               f"frames: {escape(measured.get('frames', 'unknown'))}; techniques: "
               f"{escape(measured.get('techniques', 'unknown'))}.</p>")
    out += _entities_html(a, evidence=evidence)
    out.append(_SENT_LEGEND)
    return out


#: the colours of the sentiment bars
_SENT_LEGEND = ('<p class="legend lab">sentiment bars: <span style="color:#c0392b">negative</span> · '
                '<span style="color:#888">neutral</span> · <span style="color:#2e8b57">positive</span> '
                '(token-weighted shares of the sentences)</p>')

#: the notebook summary's style: the report's rules, each under ``.xhs-nlp`` (a notebook's
#: own page is left alone)
_NB_CSS = """
.xhs-nlp table{border-collapse:collapse;font-size:12px}.xhs-nlp td,.xhs-nlp th{border:1px solid #e3e3e3;
padding:3px 6px;text-align:center}.xhs-nlp th.rot{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
font-weight:normal}.xhs-nlp td.name{text-align:left;white-space:nowrap;max-width:260px;overflow:hidden;
text-overflow:ellipsis}.xhs-nlp .meta{color:#555}.xhs-nlp .bar{display:inline-block;height:10px;vertical-align:middle}
.xhs-nlp .lab{font-size:12px;color:#555}.xhs-nlp .legend span{margin-right:1em}.xhs-nlp h2{font-size:1.1em;margin:1em 0 .4em}
"""


def notebook_html(a: Analysis) -> str:
    """The summary of :func:`summary_html` in one ``<div class="xhs-nlp">`` with its own
    scoped style: what a notebook shows for an :class:`~xhs_nlp.analysis.Analysis`
    (``a.to_html()`` is the full report)."""
    return ('<div class="xhs-nlp"><style>' + _NB_CSS + "</style><p><b>xhs_nlp analysis</b> "
            "<span class=lab>(the summary; <code>.to_html()</code> gives the full report with every sentence)</span></p>"
            + "\n".join(summary_html(a, links=False, evidence=False)) + "</div>")


def render_html(a: Analysis) -> str:
    """The report as one HTML string."""
    doc = a.doc
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>xhs_nlp report: {escape(a.source)}</title><style>{CSS}</style></head><body>",
           "<h1>xhs_nlp report</h1>"]
    out += summary_html(a)
    out += arc_html(a) + techniques_html(a)
    out.append('<p class="legend lab"><span class=claim>claim sentence</span><span class=qty>quantity</span>'
               '<span class=tech>technique</span></p>')
    sents, para_sents = doc.sentences, doc.paragraph_sentences()
    for sec, agg, fr, para_ids in zip(doc.sections, a.sentiment.sections, a.framing.sections, doc.section_paragraphs()):
        out.append(f'<h2 id="sec{sec.index}" class="section-title">{escape(_title(sec))}</h2>')
        if fr.empty_reason:
            out.append(f"<p class=lab>not scored: {escape(fr.empty_reason)}</p>")
        else:
            n_sec = len(doc.section_sentences()[sec.index])
            out.append(f"<p class=lab>sentiment: {_sent_bar(agg.shares)} "
                       f"{escape(describe_sentiment(agg.score, agg.label, agg.shares))} · claims: "
                       f"{escape(describe_claims(*a.claim_counts(sec.index), n_sec))} · frames: "
                       + escape(", ".join(f"{k} {v:.2f}" for k, v in fr.top_frames(3)))
                       + " · techniques: " + escape(", ".join(f"{k} {v:.2f}" for k, v in fr.top_techniques(3)))
                       + " · categories: " + escape(", ".join(f"{k} {v:.2f}" for k, v in
                                                               sorted(fr.categories.items(), key=lambda kv: -kv[1])[:2]))
                       + "</p>")
            top = fr.top_frames(1)[0][0]
            if fr.evidence.get(top):
                out.append(f'<p class="lab">evidence for {escape(top)}: <span class=ev>'
                           f"{escape(fr.evidence[top][0].text)}</span></p>")
        for pj in para_ids:
            html = []
            for i in para_sents[pj]:
                s, cl = sents[i], a.claims[i]
                sen = a.sentiment.sentences[i]
                tip = (f"{cl.label} · {cl.describe_p_claim()} · sentiment {_num(sen.score)} ({sen.label}: "
                       + ", ".join(f"{k[:3]} {v:.2f}" for k, v in (sen.probabilities or {}).items()) + ")"
                       if cl.label is not None else cl.reason or "not scored")
                cls = "s claim" if cl.label == "claim" else "s"
                extra = ""
                if cl.facts is not None:
                    extra += "".join(f"<span class=qty>{escape(q.text)}</span>" for q in cl.facts.quantities)
                extra += "".join(f"<span class=tech>{escape(t)}</span>" for t in a.framing.sentence_techniques[i])
                html.append(f'<span class="{cls}" title="{escape(tip)}">{escape(s.text)}</span>{extra}')
            out.append('<p class="par">' + " ".join(html) + "</p>")
    out.append("<p class=lab>Made by xhs_nlp. Models: " + escape(", ".join(f"{k} {v}" for k, v in a.framing.models.items()))
               + "</p></body></html>")
    return "\n".join(out)


def arc_html(a: Analysis, window: int = 5, width: int = 900, height: int = 180) -> list[str]:
    """The sentiment arc as inline SVG (no script, no file): the rolling mean of sentence
    sentiment (``P(positive) - P(negative)``, ``window`` sentences, centred) along the text,
    each sentence a dot, sections shaded, claim sentences ticked below the axis; hovering a
    dot shows its sentence."""
    scores = [s.score for s in a.sentiment.sentences]
    n = len(scores)
    out = ['<h2 id="arc">Sentiment along the text</h2>']
    if not any(v is not None for v in scores):
        return out + ["<p class=lab>No sentence was scored.</p>"]
    left, right, top, bottom = 40, 10, 14, 22
    w, h = width - left - right, height - top - bottom

    def x(i: float) -> float:
        return left + (i + 0.5) * w / max(n, 1)

    def y(v: float) -> float:
        return top + (1 - v) / 2 * h

    # inline SVG in HTML5 needs no xmlns (the report names no URL at all)
    svg = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           'role="img" aria-label="sentiment along the text" style="font:10px sans-serif">']
    for k, ids in enumerate(a.doc.section_sentences()):
        if ids:
            x0, x1 = x(min(ids) - 0.5), x(max(ids) + 0.5)
            fill = "#eeeeee" if k % 2 == 0 else "#fafafa"
            svg.append(f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" height="{h}" fill="{fill}">'
                       f"<title>{escape(_title(a.doc.sections[k]))}</title></rect>")
    for v in (-1, 0, 1):
        svg.append(f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#bbb" stroke-width="0.6"/>'
                   f'<text x="{left - 4}" y="{y(v) + 3:.1f}" text-anchor="end">{v:+d}</text>')
    half = window // 2
    pts = []
    for i in range(n):
        seg = [v for v in scores[max(0, i - half): i + half + 1] if v is not None]
        if seg:
            pts.append(f"{x(i):.1f},{y(sum(seg) / len(seg)):.1f}")
    svg.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="#0072B2" stroke-width="2"/>')
    sents = a.doc.sentences
    for i, v in enumerate(scores):
        if v is not None:
            svg.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="#56B4E9"><title>{i}: {v:+.2f} '
                       f"{escape(sents[i].text[:200])}</title></circle>")
        if a.claims[i].label == "claim":
            svg.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top + h + 3}" y2="{top + h + 9}" stroke="#D55E00" '
                       'stroke-width="1.5"/>')
    svg.append(f'<text x="{left + w / 2:.0f}" y="{height - 2}" text-anchor="middle">sentence (in reading order)</text>')
    svg.append("</svg>")
    out.append("".join(svg))
    out.append(f"<p class=lab>Line: the mean sentiment (P(positive) − P(negative), −1 to 1) of {window} sentences "
               "around each; dots: sentences (hover for the text); shaded bands: sections; "
               '<span style="color:#D55E00">ticks</span>: claim sentences.</p>')
    return out


def techniques_html(a: Analysis) -> list[str]:
    """The sections × persuasion techniques matrix: the model's probability per section
    (the largest over its paragraphs), ``*`` above the technique's tuned threshold; only the
    techniques that reach 0.2 somewhere or are on are shown."""
    from .schemes import TECHNIQUES

    secs = list(zip(a.doc.sections, a.framing.sections))
    shown = [t for t in TECHNIQUES if any((fr.techniques.get(t) or 0) >= 0.2 or t in fr.techniques_on for _, fr in secs)]
    out = ['<h2 id="techniques">Sections × techniques</h2>']
    if not shown:
        return out + ["<p class=lab>No persuasion technique reaches a probability of 0.2 in any section.</p>"]
    out.append("<table><tr><th>section</th>"
               + "".join(f'<th class=rot title="{escape(t)}">{escape(t.replace("_", " "))}</th>' for t in shown) + "</tr>")
    for sec, fr in secs:
        cells = []
        for t in shown:
            p = fr.techniques.get(t)
            ev = fr.evidence.get(t, [])
            tip = f"{t}: {'-' if p is None else f'{p:.2f}'}" + (f" · {ev[0].text}" if ev else "")
            cells.append(f'<td style="{heat(p or 0)}" title="{escape(tip)}">{"" if p is None else f"{p:.2f}"}'
                         f'{"*" if t in fr.techniques_on else ""}</td>')
        out.append(f'<tr><td class=name title="{escape(_title(sec))}">{escape(_title(sec))}</td>{"".join(cells)}</tr>')
    out.append("</table><p class=lab>The probability that a paragraph of the section uses the technique (the largest "
               "over its paragraphs); * above the technique's tuned threshold; hover a cell for its evidence.</p>")
    return out
