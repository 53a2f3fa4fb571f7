"""Progress bars (tqdm) for long work: shown on a terminal, silent otherwise.

A bar asked for (``enabled``) is drawn on standard error only when standard error is a
terminal (tqdm's ``disable=None``), so logs, pipes and CI output stay clean. Inside
:func:`progress_scope`, every bar of the encoder is asked for, for code (such as
:func:`xhs_nlp.evaluate`) that reaches the encoder through a model's ``predict``.

Example:
    >>> bar = progress_bar(3, desc="demo")   # on a terminal: a bar; here (no terminal): silent
    >>> for _ in range(3):
    ...     bar.update(1)
    >>> bar.close()
    >>> bar.disable   # standard error is not a terminal under the doctest
    True
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
from typing import Any, Iterator

__all__ = ["progress_bar", "progress_scope", "progress_wanted"]

_SCOPE: contextvars.ContextVar[bool] = contextvars.ContextVar("xhs_nlp_progress", default=False)


def progress_wanted(enabled: bool = False) -> bool:
    """Whether a bar is asked for: ``enabled``, or inside :func:`progress_scope`."""
    return bool(enabled) or _SCOPE.get()


@contextlib.contextmanager
def progress_scope(enabled: bool = True) -> Iterator[None]:
    """Within the block, the encoder shows its progress (on a terminal) when ``enabled``;
    ``enabled=False`` adds nothing (an enclosing scope that shows progress still does)."""
    token = _SCOPE.set(bool(enabled) or _SCOPE.get())
    try:
        yield
    finally:
        _SCOPE.reset(token)


def progress_bar(total: int | None = None, *, desc: str | None = None, unit: str = "it", enabled: bool = True,
                 file: Any = None, **kw: Any) -> Any:
    """A ``tqdm`` bar on ``file`` (standard error): drawn only when it is a terminal and
    ``enabled`` (``bar.disable`` says whether it is silent)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=file if file is not None else sys.stderr,
                disable=None if enabled else True, dynamic_ncols=True, leave=False, **kw)
