"""Writing a run's outputs: tables and JSON written atomically (a temporary name, then a
rename), the run record (``run.json`` and every Parquet table's metadata) and the digests
that identify inputs; shared by :mod:`xhs_nlp.batch` and :mod:`xhs_nlp.cluster`.

Example:
    >>> import json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.json"
    >>> write_json({"documents": 3}, path)
    >>> json.loads(path.read_text()), len(digest("a", 1))
    ({'documents': 3}, 32)
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import XhsNlpError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["digest", "WriteError", "run_info", "RUN_METADATA_KEY", "write_frame", "write_table", "write_json",
           "tmp_name"]

def digest(*parts: Any) -> str:
    """A short stable id (32 hex digits) of JSON-able ``parts``."""
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, ensure_ascii=True, default=repr, sort_keys=True).encode("ascii") + b"\x00")
    return h.hexdigest()[:32]


class WriteError(XhsNlpError, OSError):
    """Writing into the output folder failed (disk full, quota, file size limit)."""

    def __init__(self, path: Path, err: OSError) -> None:
        super().__init__(str(err))
        self.path, self.err = path, err


def run_info(*, aliases: Any = None, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``run.json`` records of a ``score`` run: the package version, the SHA-256 of every
    shipped model's weights, the encoder's fingerprint and precision, the command line and the
    time (UTC). ``"scoring"`` holds what the scores depend on (the weights' and the model
    cards' SHA-256 among them: a card carries thresholds the weights do not): a resume
    refuses parts scored under other values."""
    import datetime

    from ._version import __version__
    from .encoder import get_encoder
    from .tables import safe_text as _safe
    from .persist import CARD, shipped_model_dir

    models: dict[str, str | None] = {}
    cards: dict[str, str | None] = {}  # a model retrained to the same weights may label at other thresholds
    for name in ("sentiment", "claims", "frames", "techniques", "target_sentiment"):
        try:
            raw = (shipped_model_dir(name) / CARD).read_bytes()
            models[name] = json.loads(raw.decode("utf-8")).get("weights_sha256")
            cards[name] = hashlib.sha256(raw).hexdigest()
        except (OSError, ValueError):
            models[name], cards[name] = None, None
    enc = get_encoder()
    if aliases is None:
        alias_id = None
    elif isinstance(aliases, (str, os.PathLike)) and Path(aliases).is_file():
        from .persist import file_sha256

        alias_id = file_sha256(aliases)
    else:
        alias_id = digest(aliases)
    s = dict(settings or {})
    scoring = {"xhs_nlp": __version__, "models": models, "model_cards": cards, "encoder": enc.fingerprint,
               "precision": enc.precision,
               "aliases": alias_id, "max_bytes": s.get("max_bytes"), "posts": s.get("posts")}
    return {"xhs_nlp": __version__, "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": [_safe(a) for a in sys.argv], "models_sha256": models,
            "encoder": {"fingerprint": enc.fingerprint, "precision": enc.precision}, "settings": s,
            "scoring": scoring}


#: the key of the run record in every Parquet table's metadata
RUN_METADATA_KEY = b"xhs_nlp.run"


def write_frame(df: pd.DataFrame, path: Path, fmt: str, run: dict[str, Any] | None = None) -> None:
    """Write ``df`` to ``path`` (not atomically: callers write to a temporary name); the run
    record goes into a Parquet file's metadata. A failure removes the partial file."""
    try:
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            if run is not None:
                meta = dict(table.schema.metadata or {})
                meta[RUN_METADATA_KEY] = json.dumps(run, ensure_ascii=True).encode("ascii")
                table = table.replace_schema_metadata(meta)
            pq.write_table(table, path)
        elif fmt == "csv":
            df.to_csv(path, index=False)
        else:
            df.to_json(path, orient="records", lines=True, force_ascii=False)
    except BaseException as err:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise WriteError(path, err) from err
        raise


def tmp_name(path: Path) -> Path:
    """The temporary name ``path`` is written under before its rename (same folder, per process)."""
    return path.with_name(f".{path.name}.tmp{os.getpid()}")


def write_table(df: pd.DataFrame, path: Path, fmt: str, run: dict[str, Any] | None = None) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    tmp = tmp_name(path)
    write_frame(df, tmp, fmt, run)
    os.replace(tmp, path)


def write_json(obj: Any, path: Path) -> None:
    """Write ``obj`` as JSON atomically (a temporary file, then a rename)."""
    tmp = tmp_name(path)
    try:
        tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise WriteError(tmp, err) from err
    os.replace(tmp, path)
