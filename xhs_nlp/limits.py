"""Size limits shared by ``analyze``, ``analyze_many`` and ``xhs-nlp score`` (a module of
plain constants: the command line reads them without loading the models' libraries)."""

from __future__ import annotations

__all__ = ["MAX_BYTES", "PROGRESS_CHARS"]

#: documents larger than this (bytes of UTF-8) are refused by analyze and become error rows
#: of analyze_many and xhs-nlp score: scoring runs at roughly a minute per MB on 2 cores
MAX_BYTES = 5_000_000
#: documents longer than this (characters) show the encoder's progress when progress=None
PROGRESS_CHARS = 200_000
