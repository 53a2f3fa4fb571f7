"""xhs_nlp.plot: each figure renders from real analyses and comparisons, saves to PNG and
SVG, and labels its axes; the per-document report carries the arc and the techniques matrix."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("matplotlib")

import xhs_nlp  # noqa: E402
from xhs_nlp import plot  # noqa: E402
from xhs_nlp.compare import compare  # noqa: E402
from xhs_nlp.errors import DataError, MissingDependencyError  # noqa: E402

from .test_compare import score_fixture  # noqa: E402

TEXT = ("I. Costs\nXiaohongshu's revenue fell 20% in 2024. This is a disaster for everyone! Alibaba and Tencent "
        "gained users.\nII. Outlook\nRegulators will surely act. The platform must change or die.")


@pytest.fixture(scope="module")
def analysis():
    return xhs_nlp.analyze(TEXT)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    return score_fixture(tmp_path_factory.mktemp("plot"))


def _saves(fig, tmp_path, name):
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure)
    for ext in ("png", "svg"):
        p = tmp_path / f"{name}.{ext}"
        fig.savefig(p)
        assert p.stat().st_size > 1000, p


def test_document_figures(analysis, tmp_path):
    arc = plot.sentiment_arc(analysis, window=3)
    ax = arc.axes[0]
    assert "P(positive)" in ax.get_ylabel() and "sentence" in ax.get_xlabel()
    assert any(t.get_text() == "Costs" or "Costs" in t.get_text() for t in ax.texts)  # the sections are named
    _saves(arc, tmp_path, "arc")
    for kind in ("frames", "techniques"):
        fig = plot.heatmap(analysis, kind)
        assert fig.axes[0].get_ylabel() == "section" and len(fig.axes) == 2  # the map and its colour bar
        assert "P(section uses" in fig.axes[1].get_ylabel()
        _saves(fig, tmp_path, f"heat_{kind}")
    with pytest.raises(DataError):
        plot.heatmap(analysis, "topics")
    por = plot.portrayal(analysis)
    assert por.axes[0].get_ylabel() == "organisation"
    _saves(por, tmp_path, "portrayal")


def test_corpus_figures(scored, tmp_path):
    from matplotlib.collections import PolyCollection

    c = compare(scored, by=["outlet", "month"], n_resamples=100)
    fig = plot.trend(c, y="claim_share")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "month" and ax.get_ylabel() == "claim share"
    assert any(isinstance(ch, PolyCollection) for ch in ax.get_children())  # the interval bands
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"FT", "Economist", "财新"}
    _saves(fig, tmp_path, "trend")
    with pytest.raises(DataError, match="time key"):
        plot.trend(compare(scored, by="outlet", n_resamples=20))
    by_lang = compare(scored, by="lang", n_resamples=100)
    pm = plot.portrayal_matrix(by_lang)
    assert pm.axes[0].get_xlabel() == "lang" and "tone" in pm.axes[1].get_ylabel()
    _saves(pm, tmp_path, "portrayal_matrix")
    fb = plot.frames_by_group(by_lang, "frame")
    assert "share of the group's documents" in fb.axes[0].get_xlabel()
    _saves(fb, tmp_path, "frames_by_group")
    with pytest.raises(DataError, match="alone"):
        plot.frames_by_group(c)
    # the figures name the intervals' coverage the comparison used
    assert "95% bootstrap interval" in fig.axes[0].get_title()
    c80 = compare(scored, by=["outlet", "month"], n_resamples=100, level=0.8)
    assert "80% bootstrap interval" in plot.trend(c80, y="claim_share").axes[0].get_title()
    assert "80% bootstrap" in plot.frames_by_group(compare(scored, by="lang", n_resamples=50, level=0.8),
                                                   "frame").axes[0].get_xlabel()


def test_missing_matplotlib_names_the_extra(analysis, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"xhs-nlp\[plot\]"):
        plot.sentiment_arc(analysis)


def test_report_has_the_arc_and_the_techniques_matrix(analysis):
    html = analysis.to_html()
    assert 'id="arc"' in html and "<svg" in html and "<polyline" in html
    assert 'id="techniques"' in html and "<script" not in html
