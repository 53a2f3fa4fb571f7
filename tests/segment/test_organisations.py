"""Organisation mentions: names, aliases across languages and possessives, patterns, the
user's alias tables and their errors."""

from __future__ import annotations

import importlib
import json

import pytest

from xhs_nlp.errors import DataError, SourceNotFoundError

orgs = importlib.import_module("xhs_nlp.segment.organisations")
OrganisationFinder, load_aliases = orgs.OrganisationFinder, orgs.load_aliases


def _found(text, finder=None):
    f = finder or OrganisationFinder()
    ms = f.find(text)
    for m in ms:
        assert text[m.start:m.end] == m.text  # every mention points at its characters
    return [(m.text, m.name) for m in ms]


def test_one_entity_across_aliases_languages_and_possessives():
    text = "小红书 (RedNote, Little Red Book) said Xiaohongshu's users like XHS; 抖音 and Douyin; 字节跳动 is ByteDance."
    assert _found(text) == [("小红书", "Xiaohongshu"), ("RedNote", "Xiaohongshu"), ("Little Red Book", "Xiaohongshu"),
                            ("Xiaohongshu", "Xiaohongshu"), ("XHS", "Xiaohongshu"), ("抖音", "Douyin"),
                            ("Douyin", "Douyin"), ("字节跳动", "ByteDance"), ("ByteDance", "ByteDance")]


def test_corporate_suffixes_and_units_keep_their_organisation():
    assert _found("Alibaba Group and 阿里巴巴集团 and Tencent Holdings, 腾讯公司; Morgan Stanley Research wrote.") == [
        ("Alibaba Group", "Alibaba"), ("阿里巴巴集团", "Alibaba"), ("Tencent Holdings", "Tencent"),
        ("腾讯公司", "Tencent"), ("Morgan Stanley Research", "Morgan Stanley")]
    # a listed business unit is its own organisation
    assert _found("Tencent Advertising grew.") == [("Tencent Advertising", "Tencent Advertising")]


def test_unlisted_organisations_by_their_shape():
    assert _found("Since the Smart Retail Business Unit began, Harvard Business School studied it.") == [
        ("Smart Retail Business Unit", "Smart Retail Business Unit"),
        ("Harvard Business School", "Harvard Business School")]
    assert _found("北京正聚源通鼎信用管理有限公司被查，行吟信息科技（上海）有限公司回应。") == [
        ("北京正聚源通鼎信用管理有限公司", "北京正聚源通鼎信用管理有限公司"),
        ("信息科技（上海）有限公司", "信息科技（上海）有限公司")]
    # a generic "tech company" is not a name; nor is a word inside another name
    assert _found("这家科技公司和母公司都在亏损。") == []
    assert _found("The Tencents of this world; Bytedancers; sub-Tencent.") == []


def test_patterns_can_be_switched_off():
    assert _found("Harvard Business School and Shanghai Research Institute.", OrganisationFinder(patterns=False)) == [
        ("Harvard Business School", "Harvard Business School")]


def test_user_aliases_from_a_dict_and_files(tmp_path):
    user = {"Acme": ["Acme Corp", "艾克美"], "Xiaohongshu": ["Red"]}
    f = OrganisationFinder(user)
    assert _found("艾克美 sued Acme Corp over Red's 小红书 posts.", f) == [
        ("艾克美", "Acme"), ("Acme Corp", "Acme"), ("Red", "Xiaohongshu"), ("小红书", "Xiaohongshu")]
    (tmp_path / "a.json").write_text(json.dumps({"Acme": ["艾克美"]}, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "a.txt").write_text("# mine\nAcme = 艾克美 | ACME Labs\nLonely Org\n", encoding="utf-8")
    assert _found("艾克美", OrganisationFinder(tmp_path / "a.json")) == [("艾克美", "Acme")]
    assert _found("ACME Labs and Lonely Org", OrganisationFinder(tmp_path / "a.txt")) == [
        ("ACME Labs", "Acme"), ("Lonely Org", "Lonely Org")]


def test_a_user_entry_regroups_a_shipped_alias():
    # the user says Douyin is ByteDance: 抖音 and Douyin now name ByteDance
    f = OrganisationFinder({"ByteDance": ["Douyin"]})
    assert _found("抖音 and Douyin", f) == [("抖音", "ByteDance"), ("Douyin", "ByteDance")]


def test_chains_fold_and_bad_tables_are_refused(tmp_path):
    assert load_aliases({"A": ["B"], "B": ["C"]}) == {"A": ["B", "C"]}
    with pytest.raises(DataError, match="cycle of names: A -> B -> A"):
        load_aliases({"A": ["B"], "B": ["A"]})
    with pytest.raises(DataError, match="cycle"):
        load_aliases({"A": ["B"], "B": ["C"], "C": ["A"]})
    with pytest.raises(DataError, match="empty organisation name"):
        load_aliases({" ": ["x"]})
    with pytest.raises(DataError, match="empty alias"):
        load_aliases({"A": [""]})
    with pytest.raises(DataError, match="listed under both 'A' and 'B'"):
        load_aliases({"A": ["X"], "B": ["X"]})
    (tmp_path / "bad.txt").write_text("Acme = a |  | b\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.txt: line 1: an empty alias of 'Acme'"):
        OrganisationFinder(tmp_path / "bad.txt")
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(DataError, match="object"):
        OrganisationFinder(tmp_path / "bad.json")
    with pytest.raises(SourceNotFoundError):
        OrganisationFinder(tmp_path / "missing.txt")


def test_the_post_names_its_platforms():
    from pathlib import Path

    from xhs_nlp import segment
    from xhs_nlp.portrayal import find_mentions

    doc = segment(Path(__file__).resolve().parents[2] / "corpora" / "xhs_will_2025_forum_post.txt")
    found = find_mentions(doc)
    names = [m.name for _, m in found]
    for name in ("Xiaohongshu", "Tencent", "ByteDance", "Douyin", "Kuaishou", "Alibaba", "Bilibili", "Baidu", "Weibo"):
        assert name in names
    assert names.count("Xiaohongshu") >= 29
    for i, m in found:  # offsets into the document, inside their sentence
        s = doc.sentences[i]
        assert doc.text[m.start:m.end] == m.text and s.start <= m.start < m.end <= s.end
