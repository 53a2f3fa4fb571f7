"""How each organisation is portrayed: entities of the post, in the analysis, its JSON, the
tables, the command line and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xhs_nlp import segment
from xhs_nlp.cli import main
from xhs_nlp.errors import DataError
from xhs_nlp.portrayal import portray
from xhs_nlp.tables import schema

ROOT = Path(__file__).resolve().parents[1]
POST = ROOT / "corpora" / "xhs_will_2025_forum_post.txt"


def test_a_sentence_with_two_organisations_portrays_them_apart():
    doc = segment("I. Rivals\nTencent's advertising revenue grew strongly, while Xiaohongshu lost users' trust.")
    ents = portray(doc)
    assert [(e.name, e.document.label) for e in ents] == [("Tencent", "positive"), ("Xiaohongshu", "negative")]
    assert ents.get("Xiaohongshu").most_negative.sentence == 0 and ents.get("Tencent").most_negative is None


def test_no_organisation_is_an_empty_list_and_bad_aliases_fail():
    assert portray(segment("It rained all day. Nobody came.")).entities == []
    with pytest.raises(DataError, match="cycle"):
        portray(segment("Tencent grew."), aliases={"A": ["B"], "B": ["A"]})


def test_the_post_entities(post_analysis):
    ents = post_analysis.entities
    x = ents.get("Xiaohongshu")
    assert ents.entities[0] is x and x.document.n_mentions >= 29
    assert x.document.score < 0 and x.document.label == "negative"  # the op-ed is critical of it throughout
    assert x.most_negative is not None and x.n_claims is not None
    # per section: counts add up to the document's
    assert sum(p.n_mentions for p in x.sections.values()) == x.document.n_mentions
    for e in ents:
        for m in e.mentions:
            s = post_analysis.doc.sentences[m.sentence]
            assert post_analysis.doc.text[m.mention.start:m.mention.end] == m.mention.text
            assert s.start <= m.mention.start and m.mention.end <= s.end
            assert m.section in e.sections
    # the rivals held up against it fare better than it does
    tencent = ents.get("Tencent")
    assert tencent.document.score > x.document.score


def test_entities_in_json_and_tables(post_analysis):
    d = json.loads(post_analysis.to_json())
    ent = d["entities"][0]
    assert ent["name"] == "Xiaohongshu" and set(ent) >= {"name", "aliases", "mentions", "sentiment", "evidence", "claims"}
    assert set(ent["sentiment"]) == {"document", "sections"}
    titles = {s.index: s.title for s in post_analysis.doc.sections}
    secs = ent["sentiment"]["sections"]
    assert len(secs) >= 4 and all(s["title"] == titles[s["section"]] for s in secs)
    m = ent["mentions"][0]
    assert post_analysis.doc.text[m["start"]:m["end"]] == m["text"]
    df = post_analysis.to_dataframes()["entities"]
    rows = post_analysis.rows()["entities"]
    assert [c for c, _ in schema()["entities"]] == list(rows[0])
    doc_rows = [r for r in rows if r["section"] is None]
    assert [r["entity"] for r in doc_rows] == [e.name for e in post_analysis.entities]
    assert list(df.columns)[:5] == ["doc_id", "source", "entity", "aliases", "section"]


def test_cli_entities(capsys):
    assert main(["entities", str(POST)]) == 0
    out = capsys.readouterr().out
    assert "organisation" in out and "Xiaohongshu" in out and "most negative" in out
    assert main(["entities", str(POST), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["entities"][0]["name"] == "Xiaohongshu" and len(d["sections"]) == 6


def test_cli_entities_bad_alias_file(tmp_path, capsys):
    bad = tmp_path / "aliases.txt"
    bad.write_text("A = B\nB = A\n", encoding="utf-8")
    assert main(["entities", str(POST), "--aliases", str(bad)]) == 1
    assert "cycle of names" in capsys.readouterr().err


def test_summary_and_report_show_the_organisations(post_analysis):
    from xhs_nlp.cli import _summary

    text = _summary(post_analysis)
    assert "portrayed most positively" in text and "most negatively" in text
    html = post_analysis.to_html()
    assert "Organisations × sections" in html and "Xiaohongshu" in html
