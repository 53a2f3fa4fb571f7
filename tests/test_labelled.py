"""xhs_nlp.labelled.extend_corpus: annotations without their texts, read back from the sources."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from xhs_nlp.cli import main
from xhs_nlp.errors import DataError, SourceNotFoundError
from xhs_nlp.labelled import extend_corpus, read_labelled, read_targeted

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "corpora"
ARTICLE = "Acme Corp. cut 300 jobs. Its rival Beta Ltd grew. What a mess."


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture()
def folders(tmp_path):
    corpus = tmp_path / "opinion_reading_zh_en"
    corpus.mkdir()
    own = {"text": "Gamma rose.", "lang": "en", "split": "dev", "source_id": "opread:d-s1", "doc_key": "d"}
    _jsonl(corpus / "sentences.jsonl", [{**own, "skip": False, "sentiment": "positive", "claim": "claim",
                                         "targets": []}])
    _jsonl(corpus / "sentiment.jsonl", [{**own, "label": "positive"}])
    _jsonl(corpus / "claims.jsonl", [{**own, "label": "claim"}])
    _jsonl(corpus / "targets.jsonl", [])
    _jsonl(corpus / "docs.jsonl", [{"doc_key": "d", "lang": "en", "split": "dev", "text": "Gamma rose.",
                                    "tone": "positive", "main_subject": "Gamma", "frames": ["Economic"]}])
    (corpus / "README.txt").write_text("NAME: test\n\nLICENCE\nlabels CC BY 4.0\n", encoding="utf-8")
    sources = tmp_path / "sources" / "news"
    sources.mkdir(parents=True)
    _jsonl(sources / "genre.jsonl", [{"source_id": "a1", "text": ARTICLE, "label": "opinion"}])
    ann = tmp_path / "ann"
    ann.mkdir()
    spans = [(0, 24, "negative", "claim", [{"name": "Acme Corp.", "tone": "negative"}], False),
             (25, 49, "positive", "claim", [{"name": "Beta Ltd", "tone": "positive"}], False),
             (50, 62, "negative", "rhetoric", [], True)]
    rows = []
    for i, (a, b, sent, claim, targets, skip) in enumerate(spans, 1):
        rows.append({"source_id": f"more:x-d1-s{i}", "doc_key": "x-d1", "source": "news/genre.jsonl",
                     "source_doc": "a1", "start": a, "end": b, "text_sha256": _sha(ARTICLE[a:b]), "lang": "en",
                     "split": "train", "skip": skip, "sentiment": sent, "claim": claim, "targets": targets,
                     "annotator": "test"})
    _jsonl(ann / "sentences.jsonl", rows)
    _jsonl(ann / "docs.jsonl", [{"doc_key": "x-d1", "source": "news/genre.jsonl", "source_doc": "a1", "lang": "en",
                                 "split": "train", "main_subject": "Acme Corp.", "tone": "negative",
                                 "frames": ["Economic"], "annotator": "test"}])
    return corpus, ann, tmp_path / "sources"


def test_annotations_join_the_corpus_under_its_own_name(folders, tmp_path):
    corpus, ann, sources = folders
    out = extend_corpus(corpus, ann, sources, tmp_path / "out")
    assert out == tmp_path / "out" / "opinion_reading_zh_en"
    rows = read_labelled([str(out / "sentiment.jsonl")])
    assert [(r.text, r.label, r.split, r.corpus) for r in rows] == [
        ("Gamma rose.", "positive", "dev", "opinion_reading_zh_en"),
        ("Acme Corp. cut 300 jobs.", "negative", "train", "opinion_reading_zh_en"),
        ("Its rival Beta Ltd grew.", "positive", "train", "opinion_reading_zh_en")]  # the skipped row is left out
    targets, _ = read_targeted([str(out / "targets.jsonl")])
    assert [(t.text[t.start:t.end], t.label) for t in targets] == [("Acme Corp.", "negative"), ("Beta Ltd", "positive")]
    docs = [json.loads(x) for x in (out / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert docs[1]["text"] == "Acme Corp. cut 300 jobs. Its rival Beta Ltd grew."
    assert docs[1]["annotator"] == "test"
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "LICENCE" in readme and "EXTENDED" in readme


def test_apart_the_annotations_are_a_corpus_of_their_own_name(folders, tmp_path):
    corpus, ann, sources = folders
    out = extend_corpus(corpus, ann, sources, tmp_path / "out", apart=True)
    assert out == tmp_path / "out" / "ann"  # the annotations folder's name: --weights ann=0.5 weighs them apart
    rows = read_labelled([str(out / "sentiment.jsonl")])
    assert [(r.text, r.corpus) for r in rows] == [("Acme Corp. cut 300 jobs.", "ann"), ("Its rival Beta Ltd grew.", "ann")]
    docs = [json.loads(x) for x in (out / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [d["doc_key"] for d in docs] == ["x-d1"]  # the corpus's own document is not copied
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "LICENCE" in readme and "not in this folder" in readme
    # the annotations' own folder as the output would replace them: refused, nothing written
    before = (ann / "sentences.jsonl").read_bytes()
    with pytest.raises(DataError, match="is the annotations folder"):
        extend_corpus(corpus, ann, sources, ann.parent, apart=True)
    with pytest.raises(DataError, match="is the corpus folder"):
        extend_corpus(corpus, ann, sources, corpus.parent)
    assert (ann / "sentences.jsonl").read_bytes() == before


def test_a_changed_source_text_is_an_error_naming_the_row(folders, tmp_path):
    corpus, ann, sources = folders
    _jsonl(sources / "news" / "genre.jsonl", [{"source_id": "a1", "text": ARTICLE.replace("300", "400")}])
    with pytest.raises(DataError, match=r"sentences.jsonl row 1: .*SHA-256 differs"):
        extend_corpus(corpus, ann, sources, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_annotation_without_a_field_is_named(folders, tmp_path):
    corpus, ann, sources = folders
    docs = [json.loads(x) for x in (ann / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    del docs[0]["lang"]
    _jsonl(ann / "docs.jsonl", docs)
    with pytest.raises(DataError, match=r"docs.jsonl row 1: no lang"):
        extend_corpus(corpus, ann, sources, tmp_path / "out")
    rows = [json.loads(x) for x in (ann / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    del rows[1]["text_sha256"]
    _jsonl(ann / "sentences.jsonl", rows)
    with pytest.raises(DataError, match=r"sentences.jsonl row 2: no text_sha256"):
        extend_corpus(corpus, ann, sources, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_missing_document_or_source_is_named(folders, tmp_path):
    corpus, ann, sources = folders
    _jsonl(sources / "news" / "genre.jsonl", [{"source_id": "a2", "text": ARTICLE}])
    with pytest.raises(DataError, match="holds no document 'a1'"):
        extend_corpus(corpus, ann, sources, tmp_path / "out")
    with pytest.raises(SourceNotFoundError):
        extend_corpus(corpus, ann, tmp_path / "nowhere", tmp_path / "out")


def test_the_command_line_writes_the_folder(folders, tmp_path, capsys):
    corpus, ann, sources = folders
    assert main(["extend-corpus", str(corpus), "--annotations", str(ann), "--sources", str(sources),
                 "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "opinion_reading_zh_en" / "claims.jsonl").is_file()
    assert "wrote" in capsys.readouterr().out


@pytest.mark.skipif(not (SHARED / "semeval2023_task3" / "genre.jsonl").is_file(), reason="needs ../shared/corpora")
def test_the_projects_own_annotations_read_back_from_the_shared_corpora(tmp_path):
    out = extend_corpus(SHARED / "opinion_reading_zh_en", REPO / "corpora" / "opinion_reading_more_en", SHARED,
                        tmp_path)
    ann = [json.loads(x) for x in (REPO / "corpora/opinion_reading_more_en/sentences.jsonl").read_text().splitlines()]
    kept = sum(not r["skip"] for r in ann)
    own = len((SHARED / "opinion_reading_zh_en" / "sentiment.jsonl").read_text(encoding="utf-8").splitlines())
    assert len((out / "sentiment.jsonl").read_text(encoding="utf-8").splitlines()) == own + kept
