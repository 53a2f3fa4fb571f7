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

from .document import Document, Paragraph, Section, Sentence, Token
from .segment import segment

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from .claims import ClaimClassifier
    from .evaluate import evaluate

__all__ = [
    "__version__",
    "segment",
    "evaluate",
    "ClaimClassifier",
    "Document",
    "Section",
    "Paragraph",
    "Sentence",
    "Token",
]


def __getattr__(name: str) -> Any:
    # heavy parts load on first use, so ``import xhs_nlp`` stays fast
    if name == "evaluate":
        from .evaluate import evaluate

        return evaluate
    if name == "ClaimClassifier":
        from .claims import ClaimClassifier

        return ClaimClassifier
    raise AttributeError(f"module 'xhs_nlp' has no attribute {name!r}")
