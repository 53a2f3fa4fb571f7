"""Model folders: round trip, damage detection, version warnings. No pickle anywhere."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from xhs_nlp.errors import ModelError, ModelVersionWarning
from xhs_nlp.persist import CARD, WEIGHTS, load_model_folder, save_model_folder


@pytest.fixture
def folder(tmp_path):
    arrays = {"w": np.arange(12, dtype=np.float32).reshape(3, 4), "b": np.array([0.5], dtype=np.float32)}
    save_model_folder(tmp_path / "m", {"kind": "demo", "note": "x"}, arrays)
    return tmp_path / "m"


def test_round_trip(folder):
    card, arrays = load_model_folder(folder, kind="demo")
    assert card["note"] == "x" and card["versions"]["xhs_nlp"]
    np.testing.assert_array_equal(arrays["w"], np.arange(12, dtype=np.float32).reshape(3, 4))
    assert sorted(p.name for p in folder.iterdir()) == [CARD, WEIGHTS]


def test_overwrite_is_atomic(folder):
    save_model_folder(folder, {"kind": "demo", "note": "y"}, {"w": np.zeros(2, np.float32)})
    card, arrays = load_model_folder(folder, kind="demo")
    assert card["note"] == "y" and arrays["w"].shape == (2,)
    assert [p.name for p in folder.parent.iterdir()] == ["m"]  # no temp folders left


def test_truncated_weights(folder):
    data = (folder / WEIGHTS).read_bytes()
    (folder / WEIGHTS).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="truncated or was modified"):
        load_model_folder(folder, kind="demo")


def test_tampered_weights(folder):
    data = bytearray((folder / WEIGHTS).read_bytes())
    data[-1] ^= 0xFF
    (folder / WEIGHTS).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="modified"):
        load_model_folder(folder, kind="demo")


def test_damaged_card(folder):
    (folder / CARD).write_text('{"kind": "demo", ')
    with pytest.raises(ModelError, match="not valid JSON"):
        load_model_folder(folder, kind="demo")


def test_missing_and_wrong_kind(folder, tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model_folder(tmp_path / "nowhere", kind="demo")
    with pytest.raises(ModelError, match="not a 'sentiment' model"):
        load_model_folder(folder, kind="sentiment")
    (folder / WEIGHTS).unlink()
    with pytest.raises(ModelError, match="missing"):
        load_model_folder(folder, kind="demo")


def test_version_mismatch_warns(folder):
    card = json.loads((folder / CARD).read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    (folder / CARD).write_text(json.dumps(card))
    with pytest.warns(ModelVersionWarning, match="scikit-learn 0.24.2"):
        load_model_folder(folder, kind="demo")


def test_newer_format_refused(folder):
    card = json.loads((folder / CARD).read_text())
    card["format_version"] = 99
    (folder / CARD).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="upgrade"):
        load_model_folder(folder, kind="demo")


def test_object_arrays_refused(tmp_path):
    with pytest.raises((ModelError, ValueError, TypeError)):
        save_model_folder(tmp_path / "o", {"kind": "demo"}, {"x": np.array([object()])})


def test_same_versions_do_not_warn(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model_folder(folder, kind="demo")


def test_the_install_constraints_are_the_versions_the_shipped_models_were_made_with():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pins = dict(line.split("==") for line in (root / "constraints.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    cards = sorted((root / "models").glob("*/card.json"))
    assert len(cards) >= 5
    for card in cards:
        versions = json.loads(card.read_text())["versions"]
        for lib, pinned in pins.items():
            assert versions[lib] == pinned, f"{card.parent.name} was made with {lib} {versions[lib]}, not {pinned}"
