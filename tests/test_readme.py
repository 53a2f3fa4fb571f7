"""The README's examples run as written.

Every fenced ``python`` block of README.md runs in a fresh interpreter, and every ``xhs-nlp``
command of its ``bash`` blocks runs in an empty temporary folder (so the examples cannot lean
on the checkout's files); ``make`` and ``pip`` lines are set-up, not examples, and are left
out. A shell line that is none of these fails the test, so the README cannot gain an example
nothing runs. Also: the README stays short, its links point at files that exist, and the
model cards (models/*/README.md) are those docs/model_cards.py writes from each card.json.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
SHELL_LANGS = {"bash", "sh", "shell", "console"}
SETUP = ("make", "pip", "python -m pip")
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)


def blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block."""
    return [(m.group(1).lower(), m.group(2)) for m in FENCE.finditer(text)]


def shell_commands(body: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments and blanks dropped."""
    body = body.replace("\\\n", " ")
    out = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("$ "):
            line = line[2:]
        if line and not line.startswith("#"):
            out.append(line)
    return out


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600)


def run_command(command: str, cwd: Path) -> subprocess.CompletedProcess:
    argv = shlex.split(command, comments=True)
    argv[0] = str(BIN / argv[0])
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


TEXT = README.read_text(encoding="utf-8")
PYTHON = [body for lang, body in blocks(TEXT) if lang in {"python", "py"}]
COMMANDS = [c for lang, body in blocks(TEXT) if lang in SHELL_LANGS for c in shell_commands(body)]


def test_the_readme_is_short_and_has_examples():
    assert len(TEXT.splitlines()) <= 300
    assert PYTHON, "no python example found"
    assert any(c.startswith("xhs-nlp ") for c in COMMANDS), "no xhs-nlp example found"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_shell_line_is_an_example_or_set_up(command):
    assert command.startswith(("xhs-nlp ",) + SETUP), f"a README shell line no test runs: {command!r}"


def test_the_runner_fails_on_a_failing_example(tmp_path):
    # the harness itself: a broken example must fail, or the tests below prove nothing
    assert run_python("raise SystemExit(3)", tmp_path).returncode == 3
    assert run_command("xhs-nlp analyze no-such-file.txt", tmp_path).returncode != 0


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_example_runs(index, tmp_path):
    r = run_python(PYTHON[index], tmp_path)
    assert r.returncode == 0, f"README python block {index} failed:\n{r.stderr[-3000:]}"


def test_shell_examples_run_in_an_empty_folder(tmp_path):
    commands = [c for c in COMMANDS if c.startswith("xhs-nlp ")]
    for command in commands:  # in order: a later line may read what an earlier one wrote
        r = run_command(command, tmp_path)
        assert r.returncode == 0, f"{command!r} failed ({r.returncode}):\n{r.stderr[-3000:]}"
    if any("--out report.html" in c for c in commands):
        assert (tmp_path / "report.html").stat().st_size > 1000
    if any(c.startswith("xhs-nlp score") for c in commands):
        assert list(tmp_path.glob("results/documents.*"))


def test_the_readme_links_point_at_files():
    for target in re.findall(r"\]\(([^)\s]+)\)", TEXT):
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        path = ROOT / target.split("#", 1)[0]
        assert path.exists(), f"README links to a missing file: {target}"


def test_the_model_cards_are_written_from_the_json_cards():
    r = subprocess.run([sys.executable, str(ROOT / "docs" / "model_cards.py"), "--check"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
