"""Model folders: a JSON card plus plain arrays in safetensors. No pickle, ever.

A model folder holds:

* ``card.json``: what the model is (``kind``), how it was trained (data names and
  content hashes, seed, hyper-parameters), the versions that made it (xhs_nlp,
  scikit-learn, transformers, torch, the encoder's fingerprint), its
  cross-validated metrics, and the SHA-256 of the weights file;
* ``weights.safetensors``: named numeric arrays only, so loading runs no code.

Loading checks the card, the weights' hash (a tampered or truncated file is a
:class:`~xhs_nlp.errors.ModelError`) and warns with
:class:`~xhs_nlp.errors.ModelVersionWarning` when the versions differ.

Example:
    >>> import numpy as np, tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = save_model_folder(d, {"kind": "demo"}, {"w": np.ones(3, dtype=np.float32)})
    >>> card, arrays = load_model_folder(d, kind="demo")
    >>> card["kind"], arrays["w"].tolist()
    ('demo', [1.0, 1.0, 1.0])
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError, ModelVersionWarning

__all__ = ["save_model_folder", "load_model_folder", "file_sha256", "library_versions", "shipped_model_dir", "CARD",
           "WEIGHTS"]

CARD = "card.json"
WEIGHTS = "weights.safetensors"
FORMAT_VERSION = 1


def shipped_model_dir(name: str) -> Path:
    """The folder of a model shipped with the library: ``xhs_nlp/models/NAME`` inside an
    installed package (the wheel maps the repository's ``models/`` there), else the
    repository's top-level ``models/NAME`` (a checkout or an editable install)."""
    here = Path(__file__).resolve().parent
    for base in (here / "models", here.parent / "models"):
        if (base / name).is_dir():
            return base / name
    # missing: load_model_folder names the folder where it should be
    return (here.parent if (here.parent / "pyproject.toml").is_file() else here) / "models" / name


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model's numbers depend on."""
    from importlib.metadata import PackageNotFoundError, version

    from ._version import __version__

    out = {"xhs_nlp": __version__}
    for dist in ("scikit-learn", "transformers", "torch", "numpy", "tokenizers"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "absent"
    return out


def save_model_folder(path: str | os.PathLike[str], card: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    """Write ``card`` and ``arrays`` to the folder ``path`` atomically (temp folder + rename)."""
    from safetensors.numpy import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        clean = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
        for k, v in clean.items():
            if v.dtype == object:
                raise ModelError(f"array {k!r} holds Python objects; only numeric arrays are saved")
        save_file(clean, str(tmp / WEIGHTS))
        full = dict(card)
        full["format_version"] = FORMAT_VERSION
        full.setdefault("versions", library_versions())
        full["weights_sha256"] = file_sha256(tmp / WEIGHTS)
        (tmp / CARD).write_text(json.dumps(full, indent=2, ensure_ascii=False, default=_json_default) + "\n", encoding="utf-8")
        # mkdtemp makes a private folder; a model folder reads like any other written file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        for f in (tmp / WEIGHTS, tmp / CARD):
            os.chmod(f, 0o666 & ~umask)
        if path.exists():
            backup = path.with_name(f".{path.name}.old")
            if backup.exists():
                shutil.rmtree(backup)
            os.replace(path, backup)
            os.replace(tmp, path)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _nesting(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in a JSON text (strings skipped), without parsing it."""
    depth = best = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


#: the deepest nesting a card may have (the shipped cards have 5 or fewer levels)
MAX_CARD_DEPTH = 32


def load_model_folder(
    path: str | os.PathLike[str], *, kind: str, check_versions: bool = True, float_kinds: str = "f"
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Read a model folder written by :func:`save_model_folder`.

    The card is checked against its schema (a JSON object at most :data:`MAX_CARD_DEPTH`
    levels deep, an integer ``format_version``, ``versions`` of strings, a ``weights_sha256``
    string) and every array must be floating point (``float_kinds``: the numpy dtype kinds
    allowed) and finite.

    Raises:
        ModelError: the folder or a file is missing, the card is not valid JSON or breaks
            its schema, the card is for another kind of model, the weights do not match the
            card's hash (tampered or truncated), or an array is not finite floats.

    Warns:
        ModelVersionWarning: the model was written by other library versions.
    """
    from safetensors.numpy import load_file

    path = Path(path)
    if not path.is_dir():
        raise ModelError(f"model folder {path} does not exist")
    card_path, weights_path = path / CARD, path / WEIGHTS
    if not card_path.is_file():
        raise ModelError(f"{path} is not a model folder: {CARD} is missing")
    try:
        text = card_path.read_text(encoding="utf-8")
        depth = _nesting(text)
        if depth > MAX_CARD_DEPTH:
            raise ModelError(f"{card_path} is damaged (nested {depth} levels deep; a card has at most {MAX_CARD_DEPTH})")
        card = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ModelError(f"{card_path} is damaged (not valid JSON: {err})") from err
    if not isinstance(card, dict):
        raise ModelError(f"{card_path} is damaged (not a JSON object)")
    if card.get("kind") != kind:
        raise ModelError(f"{path} holds a {card.get('kind')!r} model, not a {kind!r} model")
    fv = card.get("format_version", 0)
    if isinstance(fv, bool) or not isinstance(fv, int):
        raise ModelError(f"{card_path} is damaged: format_version must be an integer, got {fv!r}")
    versions = card.get("versions", {})
    if not isinstance(versions, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in versions.items()):
        raise ModelError(f"{card_path} is damaged: versions must map library names to version strings")
    if not isinstance(card.get("weights_sha256"), str):
        raise ModelError(f"{card_path} is damaged: weights_sha256 must be a string")
    if card.get("format_version", 0) > FORMAT_VERSION:
        raise ModelError(
            f"{path} was written in model format {card.get('format_version')}; "
            f"this xhs_nlp reads format {FORMAT_VERSION} and older: upgrade xhs_nlp"
        )
    if not weights_path.is_file():
        raise ModelError(f"{path} is incomplete: {WEIGHTS} is missing")
    digest = file_sha256(weights_path)
    if card.get("weights_sha256") != digest:
        raise ModelError(
            f"{weights_path} does not match its card (sha256 {digest[:12]}…, card says "
            f"{str(card.get('weights_sha256'))[:12]}…): the file is truncated or was modified"
        )
    try:
        arrays = load_file(str(weights_path))
    except Exception as err:  # safetensors raises its own error types
        raise ModelError(f"{weights_path} cannot be read: {err}") from err
    for name, a in arrays.items():
        if a.dtype.kind not in float_kinds:
            raise ModelError(f"{weights_path}: array {name!r} is {a.dtype}, not floating point: a model's weights "
                             "are floats")
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise ModelError(f"{weights_path}: array {name!r} holds NaN or infinite values")
    if check_versions:
        _warn_versions(path, card.get("versions", {}))
    return card, arrays


def _warn_versions(path: Path, saved: dict[str, str]) -> None:
    now = library_versions()
    diffs = []
    for lib in ("xhs_nlp", "scikit-learn", "transformers"):
        a, b = saved.get(lib), now.get(lib)
        if a and b and _minor(a) != _minor(b):
            diffs.append(f"{lib} {a} (now {b})")
    if diffs:
        warnings.warn(
            f"model {path} was made with " + ", ".join(diffs) + "; its numbers may differ slightly",
            ModelVersionWarning,
            stacklevel=3,
        )


def _minor(v: str) -> str:
    return ".".join(v.split("+")[0].split(".")[:2])
