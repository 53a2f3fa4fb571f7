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
        "__version__", "segment", "analyze", "analyze_many", "score_dataset", "evaluate", "portray", "ClaimClassifier",
        "Analysis", "Failure", "Document", "Section", "Paragraph", "Sentence", "Token"}
    for name in xhs_nlp.__all__:
        assert getattr(xhs_nlp, name) is not None
    for name in ("analyze", "analyze_many", "score_dataset", "evaluate", "segment", "portray"):
        assert ">>>" in getattr(xhs_nlp, name).__doc__, name
    code = "import sys, xhs_nlp; print(sorted(m for m in ('torch', 'transformers', 'sklearn', 'jieba', 'pandas') if m in sys.modules))"
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


def test_to_dict_json_and_frames(post_doc, post_analysis):
    d = json.loads(post_analysis.to_json())
    assert d["id"] == post_analysis.id and len(d["sentences"]) == 88
    s0 = d["sentences"][0]
    assert post_doc.text[s0["start"] : s0["end"]] == s0["text"]
    assert {"sentiment", "claim", "p_claim", "facts", "techniques"} <= set(s0)
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
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["document"]["meta"]["author"] == "Larissa"
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
