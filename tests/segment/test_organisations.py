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
        ("行吟信息科技（上海）有限公司", "行吟信息科技（上海）有限公司")]
    # a registered name takes in the verbs and unknown words inside it, and starts at its place
    assert _found("上海寻梦信息技术有限公司回应。") == [("上海寻梦信息技术有限公司", "上海寻梦信息技术有限公司")]
    assert _found("他在昆明合伙投资房企昆明贵山天阳房地产开发有限公司。") == [
        ("昆明贵山天阳房地产开发有限公司", "昆明贵山天阳房地产开发有限公司")]
    assert _found("他开发有限公司的产品。") == []
    assert _found("张伟投资设立房地产开发有限公司。") == []  # a person doing something is no name's start
    # "... of America" names an organisation, not the country
    assert _found("Gun Owners of America scored lawmakers; the United States of America did not.") == [
        ("Gun Owners of America", "Gun Owners of America")]
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


def test_a_listed_name_before_a_business_noun_is_that_organisation():
    # 商业化, 电商, 平台, App ... say which part of the business is meant: the mention is the
    # organisation, its span the name alone
    assert _found("小红书商业化面临挑战，小红书电商、小红书平台和小红书App的用户都在流失。") == [
        ("小红书", "Xiaohongshu")] * 4
    assert _found("At the Xiaohongshu Commercial Conference, the Xiaohongshu Commercial Department said "
                  "RedNote Platform users grew.") == [
        ("Xiaohongshu", "Xiaohongshu"), ("Xiaohongshu", "Xiaohongshu"), ("RedNote", "Xiaohongshu")]
    # a unit the table lists by name stays its own organisation; an unlisted one is its company
    assert _found("抖音电商和快手电商都比小红书电商大。") == [
        ("抖音电商", "Douyin E-commerce"), ("快手", "Kuaishou"), ("小红书", "Xiaohongshu")]
    # the user may still list a compound as an organisation of its own
    f = OrganisationFinder({"Xiaohongshu E-commerce": ["小红书电商"]})
    assert _found("小红书电商和小红书商业化", f) == [("小红书电商", "Xiaohongshu E-commerce"), ("小红书", "Xiaohongshu")]


def test_the_shipped_table_lists_compounds_only_for_named_units():
    names = {form: name for name, al in orgs.builtin_aliases().items() for form in (name, *al)}
    compounds = {form for form, name in names.items() for g, other in names.items()
                 if other != name and form.startswith(g) and form[len(g):] in orgs.BUSINESS_NOUNS_ZH}
    assert compounds == {"腾讯广告", "抖音电商", "腾讯视频", "腾讯音乐"}  # not 小红书商业化


def test_short_and_common_word_names_need_a_word_or_a_compound():
    assert _found("全美的支持率下降，很美的地方；格力和美的都在降价，美的集团回应。") == [
        ("格力", "Gree"), ("美的", "Midea"), ("美的集团", "Midea")]
    assert _found("对华为的限制已是板上钉钉，阿里山的游客用百度地图。") == [("华为", "Huawei"), ("百度", "Baidu")]
    assert _found("他吃了一个苹果。苹果手机降价，思科、苹果等美国公司回应。") == [
        ("苹果", "Apple"), ("思科", "Cisco"), ("苹果", "Apple")]


def test_governments_ministries_and_parties():
    assert _found("日本政府和俄罗斯外交部回应，外交部表示反对；地方政府、美国石油公司和食物银行不是名字。") == [
        ("日本政府", "日本政府"), ("俄罗斯外交部", "俄罗斯外交部"), ("外交部", "Chinese Ministry of Foreign Affairs")]
    assert _found("俄外交部和美国疾控中心，广东省律师协会会长发言。") == [
        ("俄外交部", "俄外交部"), ("美国疾控中心", "CDC"), ("广东省律师协会", "广东省律师协会")]
    # a title or role jieba glues to the institution word (大学|教授 read 大学教授), an abbreviated body
    assert _found("大阪工业大学教授川田进表示，东京奥组委高级官员和美国国会议员也回应。") == [
        ("大阪工业大学", "大阪工业大学"), ("东京奥组委", "东京奥组委"), ("美国国会", "US Congress")]
    # a minister, party members and the building are not the body
    assert _found("中国外交部长王毅说，共和党人认为白宫表示的立场不对，他在白宫发表讲话。") == [("白宫", "White House")]
    assert _found("The FBI and the Department of Justice's report, the Trump administration and the Federal Bureau "
                  "of Investigation; an ex-FBI agent. Local government spends.") == [
        ("FBI", "FBI"), ("Department of Justice", "US Department of Justice"),
        ("Trump administration", "Trump administration"), ("Federal Bureau of Investigation", "FBI"), ("FBI", "FBI")]
    # a website's name, not inside an address
    assert _found("VDARE.com, Kath.net and Hill.TV reported; Amazon.com sells. See https://Kath.net/x or "
                  "mail me@Example.com.") == [("VDARE.com", "VDARE.com"), ("Kath.net", "Kath.net"),
                                              ("Hill.TV", "Hill.TV"), ("Amazon.com", "Amazon")]
    assert _found("据VDARE.com报道。AT&T.com, Amazon.com?ref=x and Kath.net#top are addresses.") == [
        ("VDARE.com", "VDARE.com")]
    assert _found("Market Forces Pushed The Labor Force Survey") == []  # a headline's phrases
    assert _found("The Air Force and the Border Security Force; the Syrian Democratic Forces.") == [
        ("Air Force", "Air Force"), ("Border Security Force", "Border Security Force"),
        ("Syrian Democratic Forces", "Syrian Democratic Forces")]
    assert _found("PEOPLE WHO are barred from buying. Voters Turn To The Green Party.") == [
        ("Green Party", "Green Party")]
    # a Latin name right after Chinese characters
    assert _found("Naspers将Prosus在荷兰上市。") == [("Naspers", "Naspers"), ("Prosus", "Prosus")]
    # parties, agencies, outlets and companies op-eds name that no pattern finds
    assert _found("The Minnesota DFL and Fidesz; the Visegrad Four met. The U.S. Border Patrol and BLS counted; "
                  "LifeSiteNews and the Economist wrote; Defense Distributed sued.") == [
        ("Minnesota DFL", "Minnesota Democratic-Farmer-Labor Party"), ("Fidesz", "Fidesz"),
        ("Visegrad Four", "Visegrad Group"), ("U.S. Border Patrol", "US Border Patrol"),
        ("BLS", "Bureau of Labor Statistics"), ("LifeSiteNews", "LifeSiteNews"), ("the Economist", "The Economist"),
        ("Defense Distributed", "Defense Distributed")]
    # forms that name other things: a job, a version, another country's border patrol, a headline
    assert _found("Economist John Smith said Midjourney V4 is out; Canada's Border Patrol agreed. "
                  "Republicans Take The Hill.") == []
    # a capitalised run does not cross a sentence's end; abbreviations inside a name do not end it
    assert _found("He met Tencent Holdings. Police Department officers came. She joined Acme Inc. Group members "
                  "cheered. The U.S. Department of Justice and St. Jude Medical Center.") == [
        ("Tencent Holdings", "Tencent"), ("Police Department", "Police Department"), ("Acme Inc.", "Acme Inc."),
        ("U.S. Department of Justice", "US Department of Justice"), ("St. Jude Medical Center", "St. Jude Medical Center")]
    assert _found("The U.S. Justice Department and the United States State Department.") == [
        ("U.S. Justice Department", "US Department of Justice"), ("United States State Department", "US State Department")]
    assert _found("Lehman Bros. Holdings and Sony Corp. of America.") == [
        ("Lehman Bros. Holdings", "Lehman Bros. Holdings"), ("Sony Corp. of America", "Sony Corp. of America")]


def test_central_state_owned_enterprises_by_their_short_names():
    assert _found("由中国一重承制的压力容器交付，中远海运和国家电网在场；华能集团、中粮集团与中国商飞签约。") == [
        ("中国一重", "China First Heavy Industries"), ("中远海运", "COSCO Shipping"), ("国家电网", "State Grid"),
        ("华能集团", "China Huaneng"), ("中粮集团", "COFCO"), ("中国商飞", "COMAC")]
    # short forms inside other words, and the ambiguous ones the table leaves out
    assert _found("美国投资者和外国投资不少，云南白药是咱们的国药。") == []
    assert _found("朝鲜试射中远程导弹，施工中建筑工人受伤，船只向东航行。") == []
    assert _found("俄罗斯对华能源出口增加，这一汽车品牌在华销量下滑，多国投资者撤离，对华润滑油出口。") == []
    assert _found("过程中建材价格上涨，南中国海油气丰富，县招商局发布公告，中国国新办举行发布会，中国西电东送工程。") == []


def test_a_document_declares_and_uses_names():
    f = OrganisationFinder()
    found = f.find_all(["投资房企昆明贵山天阳房地产开发有限公司（以下简称“贵山天阳”）拍下地块。", "业主起诉贵山天阳。", "天阳很好。"])
    assert [[(m.text, m.name, m.how) for m in ms] for ms in found] == [
        [("昆明贵山天阳房地产开发有限公司", "昆明贵山天阳房地产开发有限公司", "pattern")],
        [("贵山天阳", "昆明贵山天阳房地产开发有限公司", "context")], []]
    found = f.find_all(['Northwind Holdings Ltd. ("Northwind") sued.', "Northwind lost; Northwinds did not."])
    assert [(m.text, m.name) for m in found[1]] == [("Northwind", "Northwind Holdings Ltd.")]
    # a generic short name is no name
    assert f.find_all(["北京某某科技有限公司（以下简称“公司”）成立。", "公司很好。"])[1] == []
    # a Chinese name with what a company has, twice: an organisation in every sentence
    texts = ["老干妈创始人陶华碧已经70多岁。", "2019年，老干妈销售额突破50亿元。", "老干妈做得很成功！"]
    assert [[(m.text, m.how) for m in ms] for ms in f.find_all(texts)] == [
        [("老干妈", "context")], [("老干妈", "context")], [("老干妈", "context")]]
    assert f.find_all(texts[:1] + texts[2:]) == [[], []]  # once is not enough
    assert f.find_all(texts[:1]) == [f.find(texts[0])]
    # patterns off: the listed names alone
    assert OrganisationFinder(patterns=False).find_all(texts) == [[], [], []]
    # a person's holdings (旗下) are not a company's attributes; one kind of cue is not enough
    assert f.find_all(["雷军旗下的公司很多。", "雷军旗下还有金山。", "雷军说他很累。"]) == [[], [], []]
    # "（称…）" without quotes reports what someone said; a Latin name stands alone in Chinese text
    assert f.find_all(["小红书（称不予置评）。", "多家平台均不予置评。"])[1] == []
    found = f.find_all(['Acme Holdings Ltd. ("Acme") sued.', "据悉Acme在上海设厂。"])
    assert [(m.text, m.name) for m in found[1]] == [("Acme", "Acme Holdings Ltd.")]
    found = f.find_all(["Northwind Holdings Ltd.（以下简称“北风”）成立。", "北风很好。"])
    assert [(m.text, m.name) for m in found[1]] == [("北风", "Northwind Holdings Ltd.")]
    with pytest.raises(orgs.InputError, match="not one string"):
        f.find_all("小红书")


def test_a_name_wrapped_over_two_lines_is_the_same_name():
    f = OrganisationFinder()
    text = "The U.S. Department of\nJustice and the Bureau of\nLabor Statistics met the Department of Justice."
    found = [(m.text, m.name) for m in f.find(text)]
    assert found == [("U.S. Department of\nJustice", "US Department of Justice"),
                     ("Bureau of\nLabor Statistics", "Bureau of Labor Statistics"),
                     ("Department of Justice", "US Department of Justice")]
    # Chinese: the break is read through, the offsets stay the text's
    text = "据报道，小红\n书的用户信任正在流失，阿里\n巴巴和腾讯没有回应。"
    found = f.find(text)
    assert [(m.text, m.name) for m in found] == [("小红\n书", "Xiaohongshu"), ("阿里\n巴巴", "Alibaba"), ("腾讯", "Tencent")]
    assert all(text[m.start:m.end] == m.text for m in found)
    assert [[m.name for m in ms] for ms in f.find_all([text, "小红书很好。"])] == [
        ["Xiaohongshu", "Alibaba", "Tencent"], ["Xiaohongshu"]]
