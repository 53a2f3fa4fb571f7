"""Imported once by the fork server of ``analyze_many(n_process > 1)`` (Linux): loads the
shipped models, the encoder and jieba *before* the workers are forked from it, so the
workers share those pages copy-on-write instead of each loading its own copy.

The server runs torch with one thread and no forward pass, so no thread pool exists to
be broken by ``fork``; each worker sets its own thread count (``_worker_init``).
"""

from __future__ import annotations


def _preload() -> None:
    import gc

    import torch

    torch.set_num_threads(1)
    from .analysis import default_models
    from .segment.tokens import get_jieba

    default_models().encoder.load()
    get_jieba()
    gc.collect()
    gc.freeze()  # the collector leaves the preloaded objects alone: fewer pages copied


try:
    import os as _os

    from .analysis import exit_with as _exit_with

    _exit_with(_os.getppid())  # the server ends with the run that started it (kill -9 included)
    _preload()
except Exception:  # noqa: BLE001 - a worker then loads what it needs itself, as with spawn
    pass
