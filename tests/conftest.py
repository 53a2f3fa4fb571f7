from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POST = ROOT / "corpora" / "xhs_will_2025_forum_post.txt"


@pytest.fixture(scope="session")
def post_path() -> Path:
    return POST


@pytest.fixture(scope="session")
def post_doc():
    from xhs_nlp import segment

    return segment(POST)


def assert_offsets(doc) -> None:
    """Every span of the document is a true view into its text."""
    n = 0
    for span in doc.iter_spans():
        assert doc.text[span.start : span.end] == span.text
        n += 1
    for sec in doc.sections:
        if sec.heading:
            h = sec.heading
            assert doc.text[h.title_start : h.title_end] == h.title
            assert h.start <= h.title_start <= h.title_end <= h.end
        for p in sec.paragraphs:
            assert sec.start <= p.start <= p.end <= sec.end
            for s in p.sentences:
                assert p.start <= s.start <= s.end <= p.end
                assert s.text == s.text.strip() and s.text
    assert n > 0


@pytest.fixture
def interrupted(monkeypatch):
    """``with interrupted(n): score_files(...)``: the run stops with ``KeyboardInterrupt`` when
    it assembles its ``n``-th chunk (as if killed there); the chunks before it are written."""
    import contextlib

    import xhs_nlp.batch as batch

    real = batch.dataframes

    @contextlib.contextmanager
    def at(n: int):
        calls = {"n": 0}

        def stop(rows):
            calls["n"] += 1
            if calls["n"] == n:
                raise KeyboardInterrupt
            return real(rows)

        monkeypatch.setattr(batch, "dataframes", stop)
        try:
            with pytest.raises(KeyboardInterrupt):
                yield
        finally:
            monkeypatch.setattr(batch, "dataframes", real)

    return at


@pytest.fixture(scope="session")
def post_analysis(post_path):
    """The analysis of the bundled post (shipped models), made once per session."""
    from xhs_nlp.analysis import analyze

    return analyze(post_path)
