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

import os

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
    "MissingDependencyError",
    "check_texts",
    "missing_file",
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
    """Data given to a model is malformed: texts that are not a list of strings, a
    labelled data set with a missing field, an unknown label or one class."""


class ModelError(XhsNlpError, RuntimeError):
    """A model folder is missing, truncated, tampered with or incompatible."""


class MissingDependencyError(XhsNlpError, ImportError):
    """An optional part of the library needs a package that is not installed; the
    message names the extra that installs it (``pip install 'xhs-nlp[dask]'``)."""


class ModelVersionWarning(UserWarning):
    """A model folder was written by different library versions than those loaded."""


def check_texts(texts: object, noun: str = "text", *, allow_empty: bool = True) -> list[str]:
    """Return ``texts`` as a list of strings, or raise :class:`DataError` naming what is wrong.

    A single string, an empty sequence, non-string items and (unless ``allow_empty``)
    blank strings are refused, the row named. A 2-d array with one text per row is
    read as its column.

    Example:
        >>> check_texts(["a", "b"])
        ['a', 'b']
        >>> check_texts(["a", 5])
        Traceback (most recent call last):
        ...
        xhs_nlp.errors.DataError: row 1: text is int, not a string
    """
    if isinstance(texts, str):
        raise DataError(f"give a list of {noun}s, not one string")
    try:
        items = list(texts)  # type: ignore[call-overload]
    except TypeError:
        raise DataError(f"give a list of {noun}s, not a {type(texts).__name__}") from None
    if not items:
        raise DataError(f"the {noun} list is empty")
    for i, t in enumerate(items):
        if not isinstance(t, str) and getattr(t, "ndim", None) == 1 and getattr(t, "size", None) == 1:
            t = items[i] = t[0]  # a row of a 2-d array holding one text per row
        if not isinstance(t, str):
            raise DataError(f"row {i}: text is {type(t).__name__}, not a string")
        if type(t) is not str:
            t = items[i] = str(t)  # numpy.str_ and other subclasses
        if not allow_empty and not t.strip():
            raise DataError(f"row {i}: text is empty")
    return items


def missing_file(path: str | os.PathLike[str], what: str) -> XhsNlpError:
    """The error for ``path`` that should be a regular file and is not: a
    :class:`SourceNotFoundError` when nothing is there, a :class:`DataError` naming what is
    there (a folder, a named pipe, a socket, a device) otherwise.

    Example:
        >>> import tempfile
        >>> print(missing_file(tempfile.gettempdir(), "alias file"))  # doctest: +ELLIPSIS
        alias file ... is a folder, not a regular file
    """
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return SourceNotFoundError(f"{what} {path} does not exist")
    kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "not a regular file")
    return DataError(f"{what} {path} is {kind}" + ("" if kind == "not a regular file" else ", not a regular file"))
