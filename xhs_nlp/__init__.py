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

import sys as _sys
import types as _types
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .document import Document, Paragraph, Section, Sentence, Token
from .segment import segment

if TYPE_CHECKING:  # pragma: no cover
    from .analysis import Analysis, Failure, analyze, analyze_many
    from .batch import score_dataset, score_frame
    from .claims import ClaimClassifier
    from .compare import compare
    from .evaluate import evaluate
    from .portrayal import portray

__all__ = [
    "__version__",
    "segment",
    "analyze",
    "analyze_many",
    "score_dataset",
    "score_frame",
    "compare",
    "plot",
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
    "score_dataset": "batch", "score_frame": "batch", "evaluate": "evaluate", "ClaimClassifier": "claims", "portray": "portrayal",
    "compare": "compare",
}
#: public submodules loaded on first use (``xhs_nlp.plot``; matplotlib is the ``plot`` extra)
_LAZY_MODULES = ("plot",)


def __getattr__(name: str) -> Any:
    # heavy parts load on first use, so ``import xhs_nlp`` stays fast
    if name in _LAZY_MODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'xhs_nlp' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value  # later lookups find the function, never the module of the same name
    return value


class _Package(_types.ModuleType):
    """``xhs_nlp`` itself: importing a submodule binds it as an attribute of the package,
    which would hide a public function of the same name (``xhs_nlp.evaluate``, the module
    ``xhs_nlp.evaluate``); such a binding is skipped, so a public name never resolves to a module."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, _types.ModuleType) and _LAZY.get(name) == name:
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
