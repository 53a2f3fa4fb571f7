"""Size limits shared by ``analyze``, ``analyze_many`` and ``xhs-nlp score`` (a module of
plain constants: the command line reads them without loading the models' libraries)."""

from __future__ import annotations

__all__ = ["MAX_BYTES", "PROGRESS_CHARS", "PREFETCH_TEXTS"]

#: documents larger than this (bytes of UTF-8) are refused by analyze and become error rows
#: of analyze_many and xhs-nlp score: scoring runs at roughly a minute per MB on 2 cores
MAX_BYTES = 5_000_000
#: documents longer than this (characters) show the encoder's progress when progress=None
PROGRESS_CHARS = 200_000
#: the most distinct texts (sentences, paragraphs, organisation contexts and spans, about
#: 20 KB of features each) encoded ahead in one call and kept in the encoder's cache: a
#: batch of documents over it is encoded document by document, and a document over it is
#: left to the heads, which encode and score it in batches of heads.PREDICT_ROWS texts (the
#: same numbers up to float rounding, memory flat in its length; its sentences are then
#: encoded once per head)
PREFETCH_TEXTS = 16_384
