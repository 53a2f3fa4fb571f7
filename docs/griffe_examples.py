"""A Griffe extension for the API pages: the package's docstrings title their doctests
``Example:`` (singular), which Griffe's Google-style parser reads as an admonition (plain
Markdown, so doctest output such as ``['claim', 'rhetoric']`` looks like a link). Renamed to
``Examples:`` at load time, they render as code. The package's files are not changed."""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.M)


class ExampleSections(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and "Example:" in obj.docstring.value:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
