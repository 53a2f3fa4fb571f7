"""xhs_nlp.corpus_report and ``xhs-nlp report`` on real score output (the documents of
tests/test_compare.py, scored by ``score_files``): a self-contained page whose every cell
links to the documents and sentences behind it."""

from __future__ import annotations

import re
import subprocess

import pandas as pd
import pytest

from tests.test_analysis import _chromium
from tests.test_compare import ROWS, score_fixture
from xhs_nlp.cli import main
from xhs_nlp.corpus_report import corpus_html, write_corpus_report
from xhs_nlp.errors import DataError


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    return score_fixture(tmp_path_factory.mktemp("corpus_report"))


def _self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere


def _links_resolve(html: str) -> set[str]:
    targets = set(re.findall(r'href="#([^"]+)"', html))
    ids = set(re.findall(r' id="([^"]+)"', html))
    assert targets and targets <= ids, targets - ids
    return targets


def test_the_page_compares_groups_and_every_cell_links_to_what_is_behind_it(scored, tmp_path):
    html = corpus_html(scored, by="outlet", n_resamples=200)
    _self_contained(html)
    targets = _links_resolve(html)
    assert {"g0", "g1", "g2"} <= targets  # each group's documents
    assert any(t.startswith("o") for t in targets)  # organisation cells → their evidence sentences
    for outlet in ("FT", "Economist", "财新"):
        n = sum(r["outlet"] == outlet for r in ROWS)
        assert re.search(rf">{outlet} \({n} documents\)</h3>", html), outlet
    # the hover text carries the interval and the number of documents
    assert re.search(r'title="95% interval \[[+-]\d\.\d\d, [+-]\d\.\d\d\], 3 documents"', html)
    assert "Organisations × groups" in html and "Xiaohongshu" in html and "small</span>" in html
    # the evidence of an organisation cell is a sentence of a document of that group, with its source
    m = re.search(r'<h3 id="o\d+-\d+">Alibaba · 财新 \(1 documents\)</h3><ul class=ev><li>([^<]+) <span', html)
    assert m and m.group(1) in ROWS[5]["text"]


def test_time_groups_get_figures_and_bad_keys_are_named(scored):
    pytest.importorskip("matplotlib")
    html = corpus_html(scored, by=["month"], date="date", n_resamples=100)
    _self_contained(html)
    _links_resolve(html)
    assert html.count("<figure><svg") == 2 and "(no date)" in html  # sentiment and claim share over time
    assert html == corpus_html(scored, by=["month"], date="date", n_resamples=100)  # seeded: the same page
    no_fig = corpus_html(scored, by=["month"], date="date", n_resamples=100, figures=False)
    assert "<svg" not in no_fig and "Figures were not asked for" in no_fig
    with pytest.raises(DataError, match="'desk'"):
        corpus_html(scored, by="desk")
    with pytest.raises(DataError, match="empty"):
        corpus_html(pd.DataFrame({"doc_id": [], "sentiment_score": []}))


def test_the_command_writes_the_page_and_it_renders_in_headless_chromium(scored, tmp_path, capsys):
    out = tmp_path / "corpus.html"
    assert main(["report", str(scored), "--by", "outlet", "--time", "date", "--period", "month",
                 "--resamples", "100", "--no-figures", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out and not list(tmp_path.glob(".corpus.html.tmp*"))
    html = out.read_text(encoding="utf-8")
    _self_contained(html)
    _links_resolve(html)
    assert main(["report", str(scored), "--by", "desk", "--out", str(tmp_path / "x.html")]) != 0
    assert "'desk'" in capsys.readouterr().err and not (tmp_path / "x.html").exists()
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium)")
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", out.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert "The corpus at a glance" in dom and "Organisations × groups" in dom and "Documents by group" in dom


def test_write_corpus_report_returns_the_path(tmp_path):
    docs = pd.DataFrame({"doc_id": list("ab"), "source": ["a.txt", "b.txt"], "sentiment_score": [0.1, -0.3]})
    path = write_corpus_report(docs, tmp_path / "c.html", n_resamples=10)
    assert path.read_text(encoding="utf-8").count('<h3 id="g0">all documents (2 documents)</h3>') == 1


def test_hostile_names_are_escaped_and_grouping_by_source_works():
    docs = pd.DataFrame({"doc_id": list("abc"), "source": ['<img src=x onerror="alert(1)">.txt', "b.txt", "c.txt"],
                         "outlet": ['"><script>alert(2)</script>', "<b>FT</b>", "<b>FT</b>"],
                         "sentiment_score": [0.2, -0.1, 0.3]})
    ents = pd.DataFrame({"doc_id": ["a", "b"], "source": ["x", "b.txt"], "entity": ["<Evil & Co>", "<Evil & Co>"],
                         "section": [None, None], "mentions": [1, 2], "score": [0.5, -0.5],
                         "most_negative": [None, "<i>bad</i> news"], "most_positive": ["good", None]})
    html = corpus_html({"documents": docs, "entities": ents}, by="outlet", n_resamples=20)
    _self_contained(html)
    _links_resolve(html)
    assert "<img" not in html and "<b>" not in html and "<i>" not in html and "alert(2)</script>" not in html
    assert "&lt;Evil &amp; Co&gt;" in html and "&lt;i&gt;bad&lt;/i&gt; news" in html
    by_source = corpus_html(docs, by="source", n_resamples=20)
    _links_resolve(by_source)
    assert by_source.count("(1 documents)</h3>") == 3  # each source its own group, its document listed


def test_the_command_refuses_a_period_without_a_date_column(scored, tmp_path, capsys):
    assert main(["report", str(scored), "--period", "week", "--out", str(tmp_path / "a.html")]) != 0
    assert "--period needs --time" in capsys.readouterr().err
    assert main(["report", str(scored), "--by", "month", "--time", "date", "--out", str(tmp_path / "b.html")]) != 0
    assert "not --by month" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.html"))
