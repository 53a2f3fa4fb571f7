"""Optional dependencies: the parts of the library that need an extra of the package.

The core (segment, analyse, score on this machine, evaluate, train) needs none; a
function that needs an optional library calls :func:`require`, which names the extra to
install when it is missing.

Example:
    >>> require("json", "none").__name__
    'json'
    >>> require("surely_not_installed_xyz", "dask", "a Dask cluster")
    Traceback (most recent call last):
    ...
    xhs_nlp.errors.MissingDependencyError: a Dask cluster needs surely_not_installed_xyz, which is not installed: pip install 'xhs-nlp[dask]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependencyError

__all__ = ["require", "EXTRAS"]

#: optional modules and the extra of the package that installs them
EXTRAS: dict[str, str] = {"dask": "dask", "distributed": "dask", "matplotlib": "plot"}


def require(module: str, extra: str | None = None, what: str | None = None) -> ModuleType:
    """``module`` imported, or :class:`~xhs_nlp.errors.MissingDependencyError` naming the
    extra that installs it (``extra``, default from :data:`EXTRAS`)."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".")[0]
        extra = extra or EXTRAS.get(top, top)
        raise MissingDependencyError(f"{what or 'this'} needs {top}, which is not installed: "
                                     f"pip install 'xhs-nlp[{extra}]'") from err
