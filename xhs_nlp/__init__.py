"""xhs_nlp: segment, score and evaluate opinion writing about platforms and markets,
in English and Chinese.

Example:
    >>> import xhs_nlp
    >>> doc = xhs_nlp.segment("一、背景\\n小红书的商业化进入深水区。")
    >>> doc.sections[0].title
    '背景'

Heavy libraries (torch, transformers, jieba, scikit-learn) are imported only when a
function that needs them is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .document import Document, Paragraph, Section, Sentence, Token
from .segment import segment

if TYPE_CHECKING:  # pragma: no cover
    from .analysis import Analysis, Failure, analyze, analyze_many
    from .batch import score_dataset
    from .claims import ClaimClassifier
    from .evaluate import evaluate
    from .portrayal import portray

__all__ = [
    "__version__",
    "segment",
    "analyze",
    "analyze_many",
    "score_dataset",
    "evaluate",
    "portray",
    "ClaimClassifier",
    "Analysis",
    "Failure",
    "Document",
    "Section",
    "Paragraph",
    "Sentence",
    "Token",
]

_LAZY = {
    "analyze": "analysis", "analyze_many": "analysis", "Analysis": "analysis", "Failure": "analysis",
    "score_dataset": "batch", "evaluate": "evaluate", "ClaimClassifier": "claims", "portray": "portrayal",
}


def __getattr__(name: str) -> Any:
    # heavy parts load on first use, so ``import xhs_nlp`` stays fast
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'xhs_nlp' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{mod}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
