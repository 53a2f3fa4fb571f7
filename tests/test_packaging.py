"""The wheel carries everything the library reads at run time, and works installed.

Builds the wheel from this checkout (``python -m pip wheel --no-deps .``), checks that
it holds every shipped model file, data file and module, then installs it
non-editable into a fresh virtual environment (CPU torch first, as the README's set-up
does) and runs ``xhs-nlp analyze`` on the bundled post from another folder, offline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POST = ROOT / "corpora" / "xhs_will_2025_forum_post.txt"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT), "-w", str(out)])
    (whl,) = out.glob("xhs_nlp-*.whl")
    return whl


def _needed_files() -> set[str]:
    """What the library reads at run time, as paths inside the wheel."""
    need = {"xhs_nlp/py.typed"}
    need |= {str(p.relative_to(ROOT)) for p in (ROOT / "xhs_nlp").rglob("*.py")}
    need |= {str(p.relative_to(ROOT)) for p in (ROOT / "xhs_nlp").rglob("data/*.txt")}
    for folder in (ROOT / "models").iterdir():
        if folder.is_dir():
            need |= {f"xhs_nlp/models/{folder.name}/card.json", f"xhs_nlp/models/{folder.name}/weights.safetensors"}
    return need


def test_the_wheel_holds_every_model_data_file_and_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_needed_files() - names)
    assert not missing, f"missing from {wheel.name}: {missing}"
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "License-Expression: MIT" in meta  # SPDX, not the deprecated table


def test_the_wheel_installed_in_a_fresh_environment_analyses_the_post(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(env_dir)])
    py = env_dir / "bin" / "python"
    pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    # CPU torch first, pinned to the version this checkout runs (never a CUDA build)
    _run(pip + [f"torch=={version('torch')}", "--extra-index-url", TORCH_CPU_INDEX, "--retries", "1",
                "--timeout", "30"])
    _run(pip + [str(wheel)])
    listed = _run([str(py), "-m", "pip", "list"]).stdout.lower()
    assert "nvidia-" not in listed, "CUDA packages were installed"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": ""}
    p = _run([str(env_dir / "bin" / "xhs-nlp"), "analyze", str(POST), "--format", "json"], cwd=elsewhere, env=env)
    import json

    out = json.loads(p.stdout)
    assert len(out["summary"]) == 6 and out["sentiment"]["document"]["score"] != 0
    # the models came from the installed package, not from this checkout
    frames = Path(out["framing"]["models"]["frames"])
    assert env_dir in frames.parents and frames.parts[-3:] == ("xhs_nlp", "models", "frames")
