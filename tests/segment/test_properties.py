"""Property tests: the offsets invariant holds for any text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_offsets
from xhs_nlp import segment
from xhs_nlp.errors import EmptyDocumentError, NotTextError, SourceNotFoundError

PIECES = st.sampled_from(
    ["小红书", "深水区", "Trust", "is", "fragile", " ", "\n", "\n\n", ".", "。", "？", "!", "…", "...", "—", '"',
     "“", "”", "I. ", "一、", "（一）", "# ", "1. ", "0.5%", "Mr.", "发表于", "GMT+8, 2025-12-28 07:29", "x.jpg", "\t"]
)  # fmt: skip
TEXTS = st.one_of(
    st.lists(PIECES, min_size=1, max_size=60).map("".join),
    st.text(min_size=1, max_size=300),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_offsets_invariant_on_random_text(text):
    try:
        doc = segment(text)
    except NotTextError:
        assert "\x00" in text
        return
    except SourceNotFoundError:
        assert "\n" not in text and " " not in text.strip()  # read as a file name
        return
    except EmptyDocumentError:
        return  # whitespace, or chrome lines only
    assert_offsets(doc)
    for s in doc.sentences[:5]:
        assert all(doc.text[t.start : t.end] == t.text for t in s.tokens)
    # sentences are ordered and do not overlap
    ends = [(s.start, s.end) for s in doc.sentences]
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:]))


def test_long_input_is_segmented():
    text = ("Trust is fragile. 信任是最脆弱的资产。\n\n" * 50_000)
    doc = segment(text)
    assert len(doc.sentences) == 100_000
