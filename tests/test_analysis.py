import json
import re
import shutil
import subprocess
import sys

import pytest

import xhs_nlp
from xhs_nlp.analysis import Analysis, Failure, Models, analyze, analyze_many, document_id
from xhs_nlp.cli import main
from xhs_nlp.errors import EmptyDocumentError, InputError
from xhs_nlp.framing import FRAMES, TECHNIQUES


def test_public_api_is_small_and_lazy():
    assert set(xhs_nlp.__all__) == {
        "__version__", "segment", "analyze", "analyze_many", "score_dataset", "score_frame", "compare", "plot", "evaluate",
        "portray", "ClaimClassifier", "Analysis", "Failure", "Document", "Section", "Paragraph", "Sentence", "Token"}
    for name in xhs_nlp.__all__:
        assert getattr(xhs_nlp, name) is not None
    for name in ("analyze", "analyze_many", "score_dataset", "score_frame", "compare", "evaluate", "segment", "portray"):
        assert ">>>" in getattr(xhs_nlp, name).__doc__, name
    code = ("import sys, xhs_nlp; print(sorted(m for m in ('torch', 'transformers', 'sklearn', 'jieba', 'pandas', 'matplotlib')"
            " if m in sys.modules))")
    out = subprocess.run([shutil.which("python") or "python", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_analysis_of_the_post(post_doc, post_analysis):
    a = post_analysis
    assert isinstance(a, Analysis) and a.id == document_id(post_doc.text)
    n = len(post_doc.sentences)
    assert len(a.claims) == len(a.sentiment.sentences) == len(a.framing.sentence_techniques) == n == 88
    assert [s["title"] for s in a.sections_summary()] == [s.title for s in post_doc.sections]
    for row in a.sections_summary()[1:]:
        assert row["top_frames"] and row["top_techniques"] and 0 <= row["claim_share"] <= 1
        assert row["evidence"]["text"] in post_doc.text
    worthy = a.check_worthy()
    assert worthy and all(c.label == "claim" and (c.facts.quantities or c.facts.organisations) for c in worthy)
    assert [c.p_claim for c in worthy] == sorted((c.p_claim for c in worthy), reverse=True)
    # techniques are carried by sentences of the paragraphs that use them
    carried = [t for ts in a.framing.sentence_techniques for t in ts]
    assert carried and set(carried) <= set(TECHNIQUES)


def test_a_document_over_the_prefetch_limit_is_encoded_once_on_disk_with_the_same_numbers(monkeypatch, post_path,
                                                                                           post_analysis, tmp_path):
    import tempfile

    from xhs_nlp import analysis, heads
    from xhs_nlp.analysis import default_models

    enc = default_models().encoder
    monkeypatch.setattr(analysis, "PREFETCH_TEXTS", 10)  # the post is over it: encoded into a file, not ahead
    monkeypatch.setattr(heads, "PREDICT_ROWS", 7)  # every head reads 7 texts at a time
    monkeypatch.setattr(enc, "cache_size", 16)  # and the cache keeps 16 texts' features
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    enc.clear_cache()
    misses, passes = enc.cache_misses, []
    orig = enc._encode_uncached
    monkeypatch.setattr(enc, "_encode_uncached", lambda texts, kind, **kw: passes.append(len(texts)) or
                        orig(texts, kind, **kw))
    again = analyze(post_path)
    # the same labels, texts and offsets; numbers equal up to float rounding (a head's matrix
    # product over 7 rows rounds its last bits differently from one over all of them)
    _assert_close(again.to_dict(), post_analysis.to_dict())
    assert len(enc._cache) <= 16 and not enc._on_disk and not list(tmp_path.iterdir())  # the file is gone
    texts, pairs = analysis._encoder_inputs(default_models(), [post_analysis.doc])
    assert enc.cache_misses == misses and sum(passes) == len(texts) + len(pairs)  # each encoded once
    n_texts = len(post_analysis.doc.sentences) + len(post_analysis.doc.paragraphs)
    # a batch of documents over the limit is encoded and scored one document at a time
    short = "小红书的用户信任正在快速流失，商业化试水屡屡受挫。"
    many = list(analyze_many([post_path, short], batch_size=2))
    _assert_close(many[0].to_dict(), post_analysis.to_dict())
    _assert_close(many[1].to_dict(), analyze(short).to_dict())

    # no room for the file: each head encodes what it reads, in bounded batches (the same numbers)
    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    enc.clear_cache()
    misses = enc.cache_misses
    _assert_close(analyze(post_path).to_dict(), post_analysis.to_dict())
    assert enc.cache_misses - misses > n_texts and len(enc._cache) <= 16  # sentences encoded once per head


def _assert_close(a, b, path="$"):
    """Equal structure, strings and labels; floats within one step of their rounding (to_dict rounds
    some to 4 places) of each other."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _assert_close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, abs=1.5e-4), path  # 1e-4: one step of a value rounded to 4 places
    else:
        assert a == b, path


def test_to_dict_json_and_frames(post_doc, post_analysis):
    d = json.loads(post_analysis.to_json())
    assert d["id"] == post_analysis.id and len(d["sentences"]) == 88
    s0 = d["sentences"][0]
    assert post_doc.text[s0["start"] : s0["end"]] == s0["text"]
    assert {"sentiment", "claim", "p_claim", "claim_threshold", "facts", "techniques"} <= set(s0)
    # every sentence, check-worthy claim and evidence sentence says which section it is in
    section_of = {i: k for k, ids in enumerate(post_doc.section_sentences()) for i in ids}
    assert [s["section"] for s in d["sentences"]] == [section_of[i] for i in range(88)]
    assert all((s["claim"] == "claim") == (s["p_claim"] > s["claim_threshold"]) for s in d["sentences"])
    worthy = d["check_worthy"] + [c for row in d["summary"] for c in row["check_worthy"]]
    assert worthy and all(d["sentences"][c["sentence"]]["text"] == c["text"] and c["section"] == section_of[c["sentence"]]
                          and c["threshold"] == d["sentences"][c["sentence"]]["claim_threshold"] for c in worthy)
    evidence = [e for part in [d["framing"]["document"], *d["framing"]["sections"]] for es in part["evidence"].values()
                for e in es] + [row["evidence"] for row in d["summary"] if row["evidence"]]
    assert evidence and all(e["section"] == section_of[e["sentence"]] for e in evidence)
    # claim shares come with what they count
    assert (d["n_claims"], d["n_classified"]) == (sum(s["claim"] == "claim" for s in d["sentences"]), 88)
    assert d["claim_share"] == d["n_claims"] / d["n_classified"]
    for row in d["summary"]:
        assert row["n_classified"] == len(post_doc.section_sentences()[row["index"]])
        assert row["claim_share"] == row["n_claims"] / row["n_classified"]
    # the main subject: the most mentioned organisation, with its portrayal
    top = post_analysis.entities.entities[0]
    assert d["main_subject"]["name"] == top.name == "Xiaohongshu"
    assert d["main_subject"]["mentions"] == top.document.n_mentions == max(e.document.n_mentions
                                                                          for e in post_analysis.entities)
    assert d["main_subject"]["label"] == top.document.label and d["main_subject"]["score"] == round(top.document.score, 4)
    from xhs_nlp.encoder import get_encoder

    assert d["encoder"] == {"name": "multilingual-e5-small", "fingerprint": get_encoder().fingerprint,
                            "precision": get_encoder().precision}
    frames = post_analysis.to_dataframes()
    docs, secs, sents = frames["documents"], frames["sections"], frames["sentences"]
    assert len(docs) == 1 and len(secs) == 6 and len(sents) == 88
    assert docs.loc[0, "precision"] == get_encoder().precision in ("fp32", "bf16", "int8")
    assert docs.loc[0, "doc_id"] == post_analysis.id and docs.loc[0, "author"] == "Larissa"
    assert {f"frame_{f}" for f in FRAMES} <= set(docs.columns) and {f"technique_{t}" for t in TECHNIQUES} <= set(secs.columns)
    assert sents["claim"].isin(["claim", "rhetoric"]).all()
    assert abs(docs.loc[0, "claim_share"] - (sents["claim"] == "claim").mean()) < 1e-9
    assert secs["title"].tolist()[1:] == [s.title for s in post_doc.sections][1:]


def test_check_worthy_leaves_out_bylines_and_dates():
    import dataclasses

    from xhs_nlp.claims import extract_facts

    a = analyze("I. Costs\nBy John Smith, Reuters, December 28, 2025\n\nIn March 2025 the plan changed. "
                "Revenue fell 20% in 2024. 发布于2025年12月28日\n")
    assert [s.text for s in a.doc.sentences] == ["By John Smith, Reuters, December 28, 2025",
                                                 "In March 2025 the plan changed.", "Revenue fell 20% in 2024.",
                                                 "发布于2025年12月28日"]
    # read every sentence as a claim: only the one with a figure is worth checking
    a.claims = [dataclasses.replace(c, label="claim", p_claim=0.9, facts=extract_facts(c.text), threshold=0.5)
                for c in a.claims]
    assert [c.text for c in a.check_worthy()] == ["Revenue fell 20% in 2024."]
    assert [q.text for q in a.check_worthy()[0].facts.figures] == ["20%"]
    assert [(c["sentence"], c["section"]) for c in a.to_dict()["check_worthy"]] == [(2, 0)]
    assert a.claim_counts() == (4, 4) and a.claim_counts(0) == (4, 4)


def test_analyze_refuses_empty_documents_with_a_clear_error():
    with pytest.raises(EmptyDocumentError):
        analyze("   \n ")
    with pytest.raises(InputError):
        analyze(b"\x00\x01\x02binary\x00" * 10)


def test_analyze_many_keeps_order_and_reports_failures():
    texts = ["Sales rose 5% in 2023.", "", "What a shame this is!", "营收增长了20%。"]
    out = list(analyze_many(texts, batch_size=2, errors="return"))
    assert [type(r).__name__ for r in out] == ["Analysis", "Failure", "Analysis", "Analysis"]
    assert out[0].doc.text.startswith("Sales") and out[3].doc.text.startswith("营收")
    assert isinstance(out[1], Failure) and out[1].error == "EmptyDocumentError" and out[1].position == 1
    with pytest.raises(EmptyDocumentError):
        list(analyze_many(texts, errors="raise"))
    # same numbers as one at a time (batching across documents changes nothing)
    one = analyze(texts[2])
    assert out[2].claims[0].p_claim == pytest.approx(one.claims[0].p_claim, abs=1e-5)


def test_analyze_many_with_two_processes_preserves_order():
    texts = [f"Item {i}: revenue rose {i}% in 2024." if i % 2 else f"第{i}条：这真是一场灾难！" for i in range(6)]
    out = list(analyze_many(texts, batch_size=2, n_process=2))
    assert [a.doc.text for a in out] == texts
    assert [a.position for a in out] == list(range(6))
    one = list(analyze_many(texts, batch_size=2))  # workers score like this process does
    for a, b in zip(out, one):
        assert [c.label for c in a.claims] == [c.label for c in b.claims]
        assert [c.p_claim for c in a.claims] == pytest.approx([c.p_claim for c in b.claims], abs=1e-3)
    if sys.platform.startswith("linux"):  # the fork server that loaded the models is gone afterwards
        from multiprocessing import forkserver

        assert forkserver._forkserver._forkserver_pid is None


def test_analyze_many_rejects_bad_settings():
    with pytest.raises(InputError):
        list(analyze_many(["x"], batch_size=0))
    with pytest.raises(InputError, match="models="):
        list(analyze_many(["x"], n_process=2, models=Models.load()))


def test_cli_analyze_text_json_and_html(tmp_path, capsys, post_path, post_doc):
    assert main(["analyze", str(post_path)]) == 0
    out = capsys.readouterr().out
    for sec in post_doc.sections[1:]:
        assert sec.title[:40] in out
    assert "frames:" in out and "techniques:" in out and "claims" in out and "evidence" in out
    assert main(["analyze", str(post_path), "--format", "json", "--out", str(tmp_path / "a.json")]) == 0
    written = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert json.loads(written)["document"]["meta"]["author"] == "Larissa"
    capsys.readouterr()
    assert main(["analyze", str(post_path), "--format", "json"]) == 0
    assert capsys.readouterr().out == written  # stdout and --out: the same JSON, written piece by piece
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]  # no temporary file left
    # a link given as --out stays a link: the file it points to is written
    (tmp_path / "target.json").write_text("old")
    (tmp_path / "link.json").symlink_to(tmp_path / "target.json")
    assert main(["analyze", str(post_path), "--format", "json", "--out", str(tmp_path / "link.json")]) == 0
    assert (tmp_path / "link.json").is_symlink() and (tmp_path / "target.json").read_text(encoding="utf-8") == written
    assert main(["analyze", str(post_path), "--format", "html"]) == 1
    assert "--out" in capsys.readouterr().err
    (tmp_path / "afile").write_text("x")
    assert main(["analyze", str(post_path), "--format", "html", "--out", str(tmp_path / "afile" / "r.html")]) == 1
    assert "not a writable folder" in capsys.readouterr().err
    assert main(["analyze", str(post_path), "--out", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_html_report_renders_in_headless_chromium(tmp_path, post_path, post_doc, post_analysis):
    html_path = tmp_path / "report.html"
    assert main(["analyze", str(post_path), "--format", "html", "--out", str(html_path)]) == 0
    html = html_path.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html and "https://" not in html  # self-contained
    # three-way sentiment bars: the document, each section in the heat map and above its text,
    # and each organisation beside its evidence
    assert html.count('class="sbar"') == 1 + 2 * len(post_doc.sections) + len(post_analysis.entities.entities)
    assert "Organisations × sections" in html and len(post_analysis.entities.entities) >= 8
    assert len(re.findall(r'title="negative \d+% · neutral \d+% · positive \d+%"', html)) == html.count('class="sbar"')
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium)")
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", html_path.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    titles = [s.title for s in post_doc.sections if s.title]
    assert len(titles) == 5
    import html as _html

    rendered = _html.unescape(dom)
    for t in titles:
        assert t in rendered, t
    assert rendered.count('class="section-title"') == 6 and "Sections × frames" in rendered
    assert "Organisations × sections" in rendered and "Xiaohongshu" in rendered


# -- lines that are not part of the writing -----------------------------------------------------------

# op-eds written for these tests, each line with whether it is a leftover of the page it came from
_OPED_EN = [
    ("Xiaohongshu built its business on the trust of its users.", False),
    ("By Jane Doe, Bloomberg", True),
    ("Photo: Reuters", True),
    ("Brands paid for that trust, and for a while they got what they paid for.", False),
    ("Advertisement", True),
    ("Advertising revenue grew by 40% last year, but engagement with sponsored notes fell by a third.", False),
    ("Sign up for our newsletter", True),
    ("Tencent and ByteDance are watching, and they will take every advertiser Xiaohongshu loses.", False),
    ("Share this article", True),
    ("Can't render, error", True),
    ("The company should slow down before it sells what it cannot buy back.", False),
    ("©2025 Tencent News. All rights reserved.", True),
]
_OPED_ZH = [
    ("小红书的用户信任正在快速流失。", False),
    ("作者：王小明 责编：李华", True),
    ("图片来源：视觉中国", True),
    ("商业化试水屡屡受挫，广告收入增速从去年的40%降到了15%。", False),
    ("南方都市报记者 王小明 报道", True),
    ("抖音和快手正在抢走小红书的广告主。", False),
    ("推荐阅读", True),
    ("刚刚！", True),
    ("重磅发布！", True),
    ("平台如果继续透支信任，迟早会失去它最宝贵的资产。", False),
    ("（本文仅代表作者观点）", True),
    ("原创内容未经授权，不得转载。", True),
]


def _line_marks(a: Analysis, lines: list[tuple[str, bool]]) -> list[bool]:
    """For each line, whether every sentence the segmenter made of it is marked."""
    out, pos = [], 0
    for line, _ in lines:
        start = a.doc.text.index(line, pos)
        pos = start + len(line)
        over = [s for s in a.doc.sentences if start <= s.start < pos]
        out.append(bool(over) and all(s.not_writing is not None for s in over))
    return out


def _entity_scores(a: Analysis) -> dict[str, float]:
    return {e.name: e.document.score for e in a.entities}


@pytest.mark.parametrize("lines", [_OPED_EN, _OPED_ZH], ids=["en", "zh"])
def test_scores_do_not_move_when_the_marked_lines_are_removed(lines):
    from xhs_nlp import segment

    full = analyze("\n".join(t for t, _ in lines))
    clean = analyze("\n".join(t for t, marked in lines if not marked))
    assert _line_marks(full, lines) == [marked for _, marked in lines]
    assert not any(s.not_writing for s in clean.doc.sentences)
    doc, cl = full.sentiment.document, clean.sentiment.document
    assert doc.score == pytest.approx(cl.score, abs=1e-6) and doc.shares == pytest.approx(cl.shares, abs=1e-6)
    assert doc.n_sentences == cl.n_sentences == sum(not marked for _, marked in lines)
    assert [s.score for s in full.sentiment.sections] == pytest.approx([s.score for s in clean.sentiment.sections],
                                                                       abs=1e-6)
    assert full.claim_share() == pytest.approx(clean.claim_share(), abs=1e-6)
    assert [c.text for c in full.check_worthy()] == [c.text for c in clean.check_worthy()]
    ents = _entity_scores(full)
    assert ents and list(ents) == list(_entity_scores(clean))
    assert list(ents.values()) == pytest.approx(list(_entity_scores(clean).values()), abs=1e-6)
    assert full.framing.document.frames == pytest.approx(clean.framing.document.frames, abs=1e-6)
    # the marks are what keeps them equal: the same document read with every line scored differs
    unmarked = segment("\n".join(t for t, _ in lines))
    for s in unmarked.sentences:
        s.not_writing = None
    raw = analyze(unmarked)
    assert raw.sentiment.document.n_sentences > doc.n_sentences
    assert set(_entity_scores(raw)) > set(ents)  # the outlets of the byline and the credits


def test_marked_lines_stay_in_the_output_without_scores():
    a = analyze("\n".join(t for t, _ in _OPED_EN))
    d = a.to_dict()
    by_text = {s["text"]: s for s in d["sentences"]}
    byline = by_text["By Jane Doe, Bloomberg"]
    assert byline["not_writing"] == "byline" and byline["claim"] is None and byline["p_claim"] is None
    assert byline["sentiment"]["score"] is None and byline["sentiment"]["label"] is None
    assert byline["sentiment"]["reason"] == "not part of the writing (byline): not scored"
    assert byline["techniques"] == [] and "not_writing" not in d["sentences"][0]
    assert d["sentences"][0]["claim"] in ("claim", "rhetoric")
    marked = {i for i, s in enumerate(a.doc.sentences) if s.not_writing}
    assert len(marked) == 8 and len(d["sentences"]) == len(a.doc.sentences)
    evidence = [e for part in [a.framing.document, *a.framing.sections] for es in part.evidence.values() for e in es]
    assert evidence and not {e.sentence for e in evidence} & marked
    assert not {h["sentence"] for h in a.framing.document.cue_hits} & marked
    assert not {m.sentence for e in a.entities for m in e.mentions} & marked
    rows = a.to_dataframes()["sentences"]
    assert rows["not_writing"].fillna("").tolist()[:3] == ["", "byline", "credit"]
    assert rows.loc[rows["not_writing"] == "credit", "sentiment_score"].isna().all()
    assert str(rows["not_writing"].dtype) == "string"


def test_a_section_of_page_leftovers_alone_has_no_scores():
    a = analyze("I. Costs\nAdvertising revenue fell by a fifth, and brands are leaving.\n\n"
                "II. More from us\nSign up for our newsletter\nShare this article\nAdvertisement")
    assert [s.not_writing for s in a.doc.sections[1].sentences] == ["newsletter", "share", "advertisement"]
    assert a.sentiment.sections[1].score is None and a.sentiment.sections[1].n_sentences == 0
    assert a.claim_share(1) == 0.0 and a.check_worthy(1) == []
    fr = a.framing.sections[1]
    assert fr.frames == {} and fr.evidence == {} and "part of the writing" in fr.empty_reason
    assert a.sentiment.document.n_sentences == 1 and a.sentiment.document.score == a.sentiment.sections[0].score


# -- the notebook view -------------------------------------------------------------------------------


class _Tags(__import__("html.parser").parser.HTMLParser):
    """The tags, classes and text of an HTML fragment (and whether its tags balance)."""

    VOID = {"br", "img", "meta", "hr", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: list[str] = []
        self.classes: list[str] = []
        self.text: list[str] = []
        self.unbalanced = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.classes += [v for k, v in attrs if k == "class" and v]
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.unbalanced = True

    def handle_data(self, data):
        self.text.append(data)


def test_a_notebook_shows_the_summary_of_an_analysis(post_doc, post_analysis):
    a = post_analysis
    html = a._repr_html_()
    p = _Tags()
    p.feed(html)
    assert not p.unbalanced and not p.open, "the fragment's tags do not balance"
    assert p.tags[0] == "div" and p.classes[0] == "xhs-nlp"
    assert not {"html", "body", "head", "script", "a"} & set(p.tags)  # a fragment, no scripts, no dead links
    text = "".join(p.text)
    # the sections x frames heat map: a row per section with its sentiment bar, a column per frame
    assert "Sections × frames" in text and all(f.replace("_", " ") in text for f in FRAMES)
    assert p.classes.count("sbar") == 1 + len(post_doc.sections)  # the document, then each section
    assert p.classes.count("rot") == len(FRAMES)
    for sec in post_doc.sections:
        assert (f"{sec.number}. {sec.title}" if sec.number else sec.title or "(introduction)") in text
    # the organisations, each with its score
    assert "Organisations × sections" in text
    for e in a.entities:
        assert e.name in text
    main = a.entities.main_subject()
    assert f"Main subject: {main.name}" in text
    # every style rule is scoped to the fragment: the notebook's own page is left alone
    css = html[html.index("<style>") + 7: html.index("</style>")]
    import re as _re

    selectors = [s.strip() for rule in _re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
    assert selectors and all(s.startswith(".xhs-nlp ") for s in selectors), selectors
    # the full report still has what the summary leaves out
    assert a.to_html().count('class="sbar"') > p.classes.count("sbar")


def test_the_notebook_view_escapes_everything():
    a = analyze("I. Costs\nEvil<Corp> raised prices by 20% in 2024. Evil<Corp> hurts its users badly.",
                aliases={"Evil<Corp>": ["Evil<Corp>"]})
    a.source = '<script>alert("x")</script>'
    html = a._repr_html_()
    assert "<script" not in html and "<Corp>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and "Evil&lt;Corp&gt;" in html
    p = _Tags()
    p.feed(html)
    assert not p.unbalanced and "Evil<Corp>" in "".join(p.text)


def test_a_document_is_read_for_organisations_once(monkeypatch):
    # the encoder's inputs, the claims' facts and the portrayal share one reading of the mentions
    from xhs_nlp.segment.organisations import OrganisationFinder

    calls = []
    real = OrganisationFinder.find_all

    def counting(self, texts):
        calls.append(len(texts))
        return real(self, texts)

    monkeypatch.setattr(OrganisationFinder, "find_all", counting)
    a = xhs_nlp.analyze("昆明贵山天阳房地产开发有限公司（以下简称“贵山天阳”）于2018年花4亿元拍下地块。\n\n"
                        "2021年，300多名业主起诉贵山天阳，要求退还2.1亿元购房款。")
    assert len(calls) == 1
    assert [e.name for e in a.entities] == ["昆明贵山天阳房地产开发有限公司"]
    claim = next(c for c in a.claims if "业主起诉" in c.text)
    assert [o[0] for o in claim.facts.organisations] == ["贵山天阳"]
    # batches too: the batch's encoder inputs and each document's scores share one reading
    calls.clear()
    texts = ["Acme Holdings Ltd. (\"Acme\") bought land in 2018. Acme sold 20 flats in 2021.",
             "快手的营收在2024年增长了12%。抖音回应。"]
    batch = list(xhs_nlp.analyze_many(texts, batch_size=2))
    assert len(calls) == 2
    assert [[e.name for e in b.entities] for b in batch] == [[e.name for e in xhs_nlp.analyze(t).entities] for t in texts]


def test_a_claims_facts_name_your_own_organisations():
    # the user's table names the facts' organisations as it names the portrayal's
    text = "Zorblax Widgets cut 300 jobs in 2024, the filing shows. Zorblax Widgets denied it."
    a = xhs_nlp.analyze(text, aliases={"Zorblax": ["Zorblax Widgets"]})
    assert [e.name for e in a.entities] == ["Zorblax"]
    claim = next(c for c in a.claims if "300 jobs" in c.text)
    assert [o[0] for o in claim.facts.organisations] == ["Zorblax Widgets"]
    plain = next(c for c in xhs_nlp.analyze(text).claims if "300 jobs" in c.text)
    assert plain.facts.organisations == []  # the shipped table does not know the name


def test_a_hard_wrapped_chinese_op_ed_reads_as_the_same_op_ed():
    """pdftotext's fixed width breaks Chinese sentences between characters (小红\\n书): the
    segmenter joins the lines, and the models and the finder read through the breaks."""
    text = ("小红书的用户信任正在快速流失，商业化试水屡屡受挫。这一系列合作的背后，也反映出小红书商业化面临的严峻挑战。"
            "尽管小红书2024年电商GMV突破了4000亿元，同比增长45%，但与抖音电商、快手电商相比，规模和增速都显得逊色许多。")
    wrapped = "\n".join(text[i:i + 41] for i in range(0, len(text), 41))
    assert "小红\n书" in wrapped
    a, b = analyze(text), analyze(wrapped)
    assert len(a.sentiment.sentences) == len(b.sentiment.sentences) == 3
    for x, y in zip(a.sentiment.sentences, b.sentiment.sentences):
        assert x.label == y.label and x.score == pytest.approx(y.score, abs=1e-6)
    for x, y in zip(a.claims, b.claims):
        assert x.label == y.label and x.p_claim == pytest.approx(y.p_claim, abs=1e-6)
    ea, eb = ({e.name: [(m.score, an.doc.text[m.mention.start:m.mention.end].replace("\n", "")) for m in e.mentions]
               for e in an.entities} for an in (a, b))
    assert ea.keys() == eb.keys() and "Xiaohongshu" in ea
    for name in ea:
        assert [t for _, t in ea[name]] == [t for _, t in eb[name]]
        assert [s for s, _ in ea[name]] == pytest.approx([s for s, _ in eb[name]], abs=1e-6)
