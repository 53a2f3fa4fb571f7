"""Figures of one document and of many: each function returns a matplotlib ``Figure``
(save it with ``fig.savefig("arc.png")``, ``.svg`` or ``.pdf``).

Matplotlib is an optional extra: ``pip install 'xhs-nlp[plot]'``; without it every
function raises :class:`~xhs_nlp.errors.MissingDependencyError` naming the extra.

One document (an :class:`~xhs_nlp.analysis.Analysis`):

* :func:`sentiment_arc`: the rolling mean of sentence sentiment along the text, sections
  shaded, claims and the frames' evidence sentences marked;
* :func:`heatmap`: sections × frames (or techniques), the models' probabilities;
* :func:`portrayal`: organisations × sections, the mean sentiment towards each.

Many documents (a :func:`~xhs_nlp.compare.compare` result):

* :func:`trend`: a measure over time per group, with its interval as a band;
* :func:`portrayal_matrix`: organisations × groups, the mean tone (diverging colours),
  each cell with its interval;
* :func:`frames_by_group`: the share of documents using each frame (or technique) per
  group, with intervals.

Colours are colour-blind safe: the Okabe-Ito palette for groups, ``cividis`` for
probabilities and shares, ``PuOr`` (purple negative, orange positive) for tone. Axes say
what the numbers are. Figures are drawn with matplotlib's object API (no global state,
no window: safe in scripts, servers and tests).

Example:
    >>> import xhs_nlp, xhs_nlp.plot
    >>> fig = xhs_nlp.plot.sentiment_arc(xhs_nlp.analyze("I. Costs\\nRevenue fell 20% in 2024. A disaster!"))
    >>> type(fig).__name__, fig.axes[0].get_ylabel().startswith("sentiment")
    ('Figure', True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ._optional import require
from .errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from .analysis import Analysis

__all__ = ["sentiment_arc", "heatmap", "portrayal", "trend", "portrayal_matrix", "frames_by_group", "OKABE_ITO"]

#: the Okabe-Ito palette (colour-blind safe), black last
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_SEQ, _DIV = "cividis", "PuOr_r"


#: fonts tried for Chinese labels before matplotlib's default (the first installed ones are used)
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "PingFang SC", "Microsoft YaHei", "SimHei", "Heiti SC")


def _styled(fn: Any) -> Any:
    """Run a figure function with the CJK fonts installed here first in the font list (text
    objects keep the fonts of when they were made), so Chinese names are drawn."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mpl = require("matplotlib", "plot", "xhs_nlp.plot")
        from matplotlib import font_manager

        have = {f.name for f in font_manager.fontManager.ttflist}
        fonts = [f for f in CJK_FONTS if f in have] + list(mpl.rcParams["font.sans-serif"])
        with mpl.rc_context({"font.family": "sans-serif", "font.sans-serif": fonts}):
            return fn(*args, **kwargs)

    return wrapper


def _figure(w: float, h: float) -> Figure:
    require("matplotlib", "plot", "xhs_nlp.plot")
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), layout="constrained")


def _empty(fig: Figure, ax: Any, message: str) -> Figure:
    """``fig`` with ``message`` in place of a plot (nothing to draw)."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return fig


def _short(s: str | None, n: int = 28) -> str:
    s = (s or "").replace("_", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def _section_names(a: Analysis) -> list[str]:
    out = []
    for sec in a.doc.sections:
        t = f"{sec.number}. {sec.title}" if sec.number and sec.title else (sec.title or ("intro" if sec.index == 0 else str(sec.index)))
        out.append(_short(t, 24))
    return out


# -- one document ---------------------------------------------------------------------------------


@_styled
def sentiment_arc(a: Analysis, window: int = 5, *, title: str | None = None) -> Figure:
    """The rolling mean of sentence sentiment (``P(positive) - P(negative)``, -1 to 1) along
    the document, sentence by sentence; sections are shaded, claim sentences marked by
    ticks at the bottom and the evidence sentences of each section's top frame by diamonds.

    Args:
        a: an analysis.
        window: sentences in the rolling mean (centred; unscored sentences left out).
    """
    if window < 1:
        raise DataError(f"window must be >= 1, got {window!r}")
    fig = _figure(9, 3.6)
    ax = fig.add_subplot()
    scores = np.array([np.nan if s.score is None else s.score for s in a.sentiment.sentences], dtype=float)
    x = np.arange(len(scores))
    ok = ~np.isnan(scores)
    roll = np.full(len(scores), np.nan)
    half = window // 2
    for i in range(len(scores)):
        seg = scores[max(0, i - half): i + half + 1]
        if np.any(~np.isnan(seg)):
            roll[i] = np.nanmean(seg)
    for k, (ids, name) in enumerate(zip(a.doc.section_sentences(), _section_names(a))):
        if not ids:
            continue
        lo, hi = min(ids) - 0.5, max(ids) + 0.5
        ax.axvspan(lo, hi, color="#eeeeee" if k % 2 == 0 else "#ffffff", zorder=0)
        ax.text((lo + hi) / 2, 1.02, name, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7,
                clip_on=False)
    ax.axhline(0, color="#888888", lw=0.8)
    ax.scatter(x[ok], scores[ok], s=10, color=OKABE_ITO[4], alpha=0.6, label="sentence", zorder=2)
    ax.plot(x, roll, color=OKABE_ITO[0], lw=2, label=f"rolling mean ({window} sentences)", zorder=3)
    claims = [i for i, c in enumerate(a.claims) if c.label == "claim"]
    if claims:
        ax.scatter(claims, np.full(len(claims), -1.08), marker="|", s=60, color=OKABE_ITO[5], label="claim sentence",
                   zorder=3)
    ev = sorted({e.sentence for fr in a.framing.sections if fr.frames and not fr.empty_reason
                 for e in fr.evidence.get(fr.top_frames(1)[0][0], [])})
    ev = [i for i in ev if i < len(scores) and ok[i]]
    if ev:
        ax.scatter(ev, scores[ev], marker="D", s=36, facecolor="none", edgecolor=OKABE_ITO[3], lw=1.5,
                   label="evidence of the section's top frame", zorder=4)
    ax.set_ylim(-1.15, 1.05)
    ax.set_xlim(-0.5, max(len(scores) - 0.5, 0.5))
    ax.set_xlabel("sentence (in reading order)")
    ax.set_ylabel("sentiment: P(positive) − P(negative)")
    ax.legend(loc="lower right", fontsize=7, ncols=2, framealpha=0.9)
    ax.set_title(title or f"Sentiment along the text: {_short(a.source, 60)}", fontsize=10, pad=18)
    return fig


@_styled
def heatmap(a: Analysis, kind: str = "frames", *, title: str | None = None) -> Figure:
    """Sections × frames (``kind="frames"``) or × persuasion techniques
    (``"techniques"``): each cell the model's probability that the section uses it, a dot
    where it is above the label's tuned threshold."""
    from .schemes import FRAMES, TECHNIQUES

    if kind not in ("frames", "techniques"):
        raise DataError(f"kind must be 'frames' or 'techniques', got {kind!r}")
    labels = list(FRAMES if kind == "frames" else TECHNIQUES)
    secs = a.framing.sections
    M = np.array([[getattr(fr, kind).get(lab, np.nan) for lab in labels] for fr in secs], dtype=float)
    fig = _figure(max(6, 0.38 * len(labels) + 3), max(2.4, 0.35 * len(secs) + 2.2))
    ax = fig.add_subplot()
    im = ax.imshow(M, cmap=_SEQ, vmin=0, vmax=1, aspect="auto")
    for i, fr in enumerate(secs):
        on = getattr(fr, f"{kind}_on")
        for j, lab in enumerate(labels):
            if lab in on:
                ax.plot(j, i, "o", ms=4, color="white", mec="black", mew=0.6)
    ax.set_xticks(range(len(labels)), [_short(x, 26) for x in labels], rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(secs)), _section_names(a), fontsize=8)
    ax.set_xlabel("frame" if kind == "frames" else "persuasion technique")
    ax.set_ylabel("section")
    fig.colorbar(im, ax=ax, label=f"P(section uses the {kind[:-1]}); dot: above threshold", shrink=0.9)
    ax.set_title(title or f"Sections × {kind}", fontsize=10)
    return fig


@_styled
def portrayal(a: Analysis, *, top: int = 12, title: str | None = None) -> Figure:
    """Organisations × sections: the mean sentiment of the sentences towards each
    organisation (target sentiment, -1 to 1; purple negative, orange positive), the
    number of mentions in each cell; the whole document in the first column."""
    ents = list(a.entities)[:top]
    cols = ["document", *_section_names(a)]
    fig = _figure(max(5, 0.7 * len(cols) + 3), max(2.2, 0.4 * len(ents) + 1.8))
    ax = fig.add_subplot()
    if not ents:
        return _empty(fig, ax, "no organisation is named")
    M = np.full((len(ents), len(cols)), np.nan)
    N = np.zeros_like(M)
    for i, e in enumerate(ents):
        M[i, 0], N[i, 0] = (np.nan if e.document.score is None else e.document.score), e.document.n_mentions
        for k, p in e.sections.items():
            if k is not None and k + 1 < len(cols):
                M[i, k + 1], N[i, k + 1] = (np.nan if p.score is None else p.score), p.n_mentions
    im = ax.imshow(np.ma.masked_invalid(M), cmap=_DIV, vmin=-1, vmax=1, aspect="auto")
    for i in range(len(ents)):
        for j in range(len(cols)):
            if N[i, j]:
                ax.text(j, i, f"{M[i, j]:+.2f}\n({int(N[i, j])})", ha="center", va="center", fontsize=6.5,
                        color="white" if abs(M[i, j]) > 0.6 else "black")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(ents)), [_short(e.name, 24) for e in ents], fontsize=8)
    ax.set_xlabel("section")
    ax.set_ylabel("organisation")
    fig.colorbar(im, ax=ax, label="mean sentiment towards it (−1 to 1)", shrink=0.9)
    ax.set_title(title or "How each organisation is portrayed (cell: mean tone, (mentions))", fontsize=10)
    return fig


# -- many documents ---------------------------------------------------------------------------------


def _measures(c: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(c, dict) and "measures" in c:
        return c["measures"]
    if isinstance(c, pd.DataFrame) and "measure" in c.columns:
        return c
    raise DataError("give a compare() result or its 'measures' table")


def _keys(df: pd.DataFrame, c: Any) -> list[str]:
    by = getattr(c, "by", None) or df.attrs.get("by") or []
    return list(by)


def _one_key(keys: list[str], group: str | None) -> None:
    others = [k for k in keys if k != group]
    if others:
        raise DataError(f"this figure has one column (or bar) per value of {group!r}: compare by {group!r} alone "
                        f"(the comparison is also grouped by {', '.join(others)})")


def _pct(c: Any) -> str:
    """The intervals' coverage as a label ("95%"): the comparison's ``level``."""
    level = getattr(c, "level", None)
    if level is None and hasattr(c, "attrs"):
        level = c.attrs.get("level")
    return f"{float(level if level is not None else 0.95):.0%}"


def _what(df: pd.DataFrame, y: str) -> str:
    w = df.loc[df["measure"] == y, "what"] if "what" in df.columns else []
    return str(w.iloc[0]) if len(w) else y


@_styled
def trend(c: Any, y: str = "claim_share", by: str | None = None, *, x: str | None = None,
          title: str | None = None) -> Figure:
    """A measure of :func:`~xhs_nlp.compare.compare` over time, one line per value of
    ``by``, its confidence interval as a band; groups marked small get hollow markers.

    Args:
        c: a comparison grouped by a time key (``by=["outlet", "month"]``) or its
            ``measures`` table.
        y: the measure (``"claim_share"``, ``"sentiment"``, ``"frame:Economic"`` …).
        by: the key that makes the lines (default: the comparison's other key, if any).
        x: the time key (default: the comparison's).
    """
    df = _measures(c)
    keys = _keys(df, c)
    x = x or getattr(c, "time", None) or df.attrs.get("time")
    if not x or x not in df.columns:
        raise DataError("trend needs a comparison grouped by a time key (day, week, month, quarter, year)")
    if by is None:
        others = [k for k in keys if k != x]
        by = others[0] if others else None
    if by is not None and by not in df.columns:
        raise DataError(f"{by!r} is not a key of the comparison (keys: {', '.join(keys)})")
    d = df[df["measure"] == y]
    if not len(d):
        raise DataError(f"no measure {y!r} in the comparison")
    d = d[d["period_start"].notna()] if "period_start" in d.columns else d
    # periods in order, evenly spaced and named as the comparison names them
    periods = d[[x, "period_start"]].drop_duplicates(x).sort_values("period_start")
    pos = {p: i for i, p in enumerate(periods[x])}
    fig = _figure(max(6, 0.5 * len(pos) + 4), 4)
    ax = fig.add_subplot()
    for k, (name, part) in enumerate([(None, d)] if by is None else d.groupby(by, sort=True)):
        part = part.sort_values("period_start")
        col = OKABE_ITO[k % len(OKABE_ITO)]
        t = part[x].map(pos).to_numpy(float)
        ax.fill_between(t, part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float), color=col, alpha=0.18,
                        lw=0)
        ax.plot(t, part["estimate"].to_numpy(float), color=col, lw=1.8, label=None if name is None else str(name))
        small = part["small"].to_numpy(bool)
        ax.scatter(t[~small], part["estimate"].to_numpy(float)[~small], color=col, s=22, zorder=3)
        ax.scatter(t[small], part["estimate"].to_numpy(float)[small], facecolor="white", edgecolor=col, s=22, zorder=3)
    ax.set_xticks(range(len(pos)), list(pos), rotation=45 if len(pos) > 6 else 0, ha="right" if len(pos) > 6 else "center",
                  fontsize=8)
    ax.set_xlabel(x)
    ax.set_ylabel(_short(y, 40))
    if by is not None:
        ax.legend(title=by, fontsize=8, title_fontsize=8)
    import textwrap

    ax.set_title(title or textwrap.fill(_what(d, y), 70) + f"\nband: {_pct(c)} bootstrap interval; hollow: a group under the "
                 "minimum of documents", fontsize=8)
    return fig


@_styled
def portrayal_matrix(c: Any, group: str | None = None, *, top: int = 15, title: str | None = None) -> Figure:
    """Organisations × groups: the mean tone towards each organisation in the documents of
    each group that name it (diverging colours, purple negative, orange positive), each
    cell with its interval (the comparison's level, 95% by default) and the number of documents.

    Args:
        c: a :func:`~xhs_nlp.compare.compare` result, or its ``organisations`` table.
        group: the key whose values are the columns (default: the comparison's first key).
        top: the organisations named in most documents.
    """
    import pandas as pd

    o = c["organisations"] if isinstance(c, dict) else c
    if not isinstance(o, pd.DataFrame) or "entity" not in o.columns:
        raise DataError("give a compare() result or its 'organisations' table")
    keys = list(getattr(c, "by", None) or o.attrs.get("by") or [])
    group = group or (keys[0] if keys else None)
    if group is not None and group not in o.columns:
        raise DataError(f"{group!r} is not a key of the comparison (keys: {', '.join(keys)})")
    gcol = o[group].astype(str) if group else pd.Series(["all"] * len(o), index=o.index)
    _one_key(keys, group)
    agg = o.assign(_g=gcol)
    ents = agg.groupby("entity")["documents"].sum().sort_values(ascending=False).index[:top].tolist()
    groups = sorted(agg["_g"].unique().tolist())
    fig = _figure(max(5, 1.1 * len(groups) + 3), max(2.4, 0.45 * len(ents) + 1.8))
    ax = fig.add_subplot()
    if not ents:
        return _empty(fig, ax, "no organisation is named")
    M = np.full((len(ents), len(groups)), np.nan)
    cell = agg.set_index(["entity", "_g"])
    for i, e in enumerate(ents):
        for j, g in enumerate(groups):
            if (e, g) in cell.index:
                r = cell.loc[(e, g)]
                M[i, j] = r["tone"]
                if pd.notna(r["tone"]):
                    ax.text(j, i, f"{r['tone']:+.2f}\n[{r['tone_low']:+.2f}, {r['tone_high']:+.2f}]\nn={int(r['documents'])}",
                            ha="center", va="center", fontsize=6, color="white" if abs(r["tone"]) > 0.6 else "black")
    im = ax.imshow(np.ma.masked_invalid(M), cmap=_DIV, vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(groups)), [_short(g, 18) for g in groups], rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(ents)), [_short(e, 24) for e in ents], fontsize=8)
    ax.set_xlabel(group or "")
    ax.set_ylabel("organisation")
    fig.colorbar(im, ax=ax, label="mean tone towards it over the documents naming it (−1 to 1)", shrink=0.9)
    ax.set_title(title or f"Organisations × groups: tone [{_pct(c)} interval], n documents naming it", fontsize=10)
    return fig


@_styled
def frames_by_group(c: Any, kind: str = "frame", *, group: str | None = None, labels: Sequence[str] | None = None,
                    top: int = 8, title: str | None = None) -> Figure:
    """The share of each group's documents that use each frame (``kind="frame"``) or
    technique (``"technique"``), as grouped bars with the comparison's intervals (95% by default).

    Args:
        c: a :func:`~xhs_nlp.compare.compare` result or its ``measures`` table.
        group: the key whose values are the bars' colours (default: the first key).
        labels: the frames or techniques shown (default: the ``top`` most used overall).
    """
    if kind not in ("frame", "technique"):
        raise DataError(f"kind must be 'frame' or 'technique', got {kind!r}")
    df = _measures(c)
    keys = _keys(df, c)
    group = group or (keys[0] if keys else None)
    _one_key(keys, group)
    d = df[df["measure"].str.startswith(kind + ":")].copy()
    if not len(d):
        raise DataError(f"the comparison has no {kind} measures (the documents table has no {kind}s_on column)")
    d["label"] = d["measure"].str.split(":", n=1).str[1]
    if labels is None:
        labels = d.groupby("label")["estimate"].mean().sort_values(ascending=False).index[:top].tolist()
    d = d[d["label"].isin(labels)]
    gvals = sorted(d[group].astype(str).unique().tolist()) if group else ["all"]
    fig = _figure(8, max(3, 0.45 * len(labels) * max(1, len(gvals)) ** 0.5 + 1.5))
    ax = fig.add_subplot()
    h = 0.8 / len(gvals)
    y0 = np.arange(len(labels))
    for k, g in enumerate(gvals):
        part = d if not group else d[d[group].astype(str) == g]
        part = part.set_index("label").reindex(labels).rename(columns={"estimate": "est", "ci_low": "lo", "ci_high": "hi"})
        est = part["est"].to_numpy(float)
        err = np.vstack([est - part["lo"].to_numpy(float), part["hi"].to_numpy(float) - est])
        ax.barh(y0 - 0.4 + h * (k + 0.5), est, height=h, color=OKABE_ITO[k % len(OKABE_ITO)], label=g,
                xerr=np.nan_to_num(err), error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#333333"})
    ax.set_yticks(y0, [_short(x, 30) for x in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of the group's documents using the {kind} ({_pct(c)} bootstrap interval)")
    ax.set_ylabel(kind)
    if group:
        ax.legend(title=group, fontsize=8, title_fontsize=8, loc="lower right")
    ax.set_title(title or f"{kind.capitalize()}s by {group or 'corpus'}", fontsize=10)
    return fig
