"""Every exception and warning the library raises on purpose.

All errors derive from :class:`XhsNlpError`, so ``except xhs_nlp.errors.XhsNlpError``
catches anything the library refuses to do. Input errors also derive from the
built-in exception a caller would expect (``ValueError``, ``FileNotFoundError``,
``UnicodeError``), so existing handlers keep working.

Example:
    >>> from xhs_nlp import segment
    >>> from xhs_nlp.errors import EmptyDocumentError
    >>> try:
    ...     segment("   ")
    ... except EmptyDocumentError as err:
    ...     print(err)
    empty document: the source holds no text (only whitespace)
"""

from __future__ import annotations

__all__ = [
    "XhsNlpError",
    "InputError",
    "EmptyDocumentError",
    "NotTextError",
    "DecodeError",
    "SourceNotFoundError",
    "ModelError",
    "ModelVersionWarning",
    "DataError",
    "check_texts",
]


class XhsNlpError(Exception):
    """Base class of every error raised by xhs_nlp."""


class InputError(XhsNlpError, ValueError):
    """The input given to a function cannot be processed."""


class EmptyDocumentError(InputError):
    """The document is empty or holds only whitespace."""


class NotTextError(InputError):
    """The bytes are not text (a binary file: NUL bytes, control characters)."""


class DecodeError(InputError, UnicodeError):
    """The bytes are text, but in no encoding that could be determined reliably."""


class SourceNotFoundError(InputError, FileNotFoundError):
    """A path given as a source does not exist."""


class DataError(InputError):
    """A labelled data set is malformed (missing field, unknown label, one class)."""


class ModelError(XhsNlpError, RuntimeError):
    """A model folder is missing, truncated, tampered with or incompatible."""


class ModelVersionWarning(UserWarning):
    """A model folder was written by different library versions than those loaded."""


def check_texts(texts: object, noun: str = "text") -> list[str]:
    """Return ``texts`` as a list, or raise :class:`InputError` naming what is wrong.

    A single string, an empty sequence and non-string items are refused.
    """
    if isinstance(texts, str):
        raise InputError(f"give a list of {noun}s, not one string")
    items = list(texts)  # type: ignore[call-overload]
    if not items:
        raise InputError(f"the {noun} list is empty")
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise InputError(f"{noun} #{i} is {type(t).__name__}, not str")
    return items
