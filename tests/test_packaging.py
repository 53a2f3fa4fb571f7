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
    need |= {str(p.relative_to(ROOT)) for p in (ROOT / "xhs_nlp").rglob("data/*") if p.is_file()}
    # the bundled post and the project's own annotations of it (xhs_nlp.datasets)
    from xhs_nlp.datasets import EXAMPLES

    need |= {f"xhs_nlp/corpora/{name}" for name in EXAMPLES.values()} | {"xhs_nlp/corpora/README.md"}
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
    # the bundled files are the checkout's, byte for byte; nothing else of corpora/ ships
    z = zipfile.ZipFile(wheel)
    for name in {n for n in names if n.startswith("xhs_nlp/corpora/")}:
        assert z.read(name) == (ROOT / "corpora" / name.removeprefix("xhs_nlp/corpora/")).read_bytes(), name
    assert not [n for n in names if n.startswith("xhs_nlp/corpora/parallel")]
    # what pip reads: the pinned ranges, the supported Python, and the extras
    assert "Requires-Python: >=3.11" in meta and "Classifier: Programming Language :: Python :: 3.11" in meta
    assert "Requires-Dist: transformers<5.25,>=5.24.0" in meta or "Requires-Dist: transformers>=5.24.0,<5.25" in meta
    for extra in ("dask", "test", "plot", "bench"):
        assert f"Provides-Extra: {extra}" in meta, extra


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
    # the bundled post, by name: no checkout needed
    p = _run([str(env_dir / "bin" / "xhs-nlp"), "analyze", "example:post", "--format", "json"], cwd=elsewhere, env=env)
    import json

    out = json.loads(p.stdout)
    # the ranges pip resolved are the ones the models were measured with: no warning on a first run
    assert "ModelVersionWarning" not in p.stderr and "Warning" not in p.stderr, p.stderr[-2000:]
    where = _run([str(py), "-c", "from xhs_nlp.datasets import example_post; print(example_post())"],
                 cwd=elsewhere, env=env).stdout.strip()
    assert env_dir in Path(where).parents and Path(where).read_bytes() == POST.read_bytes()
    assert out["source"].endswith("xhs_will_2025_forum_post.txt")
    assert len(out["summary"]) == 6 and out["sentiment"]["document"]["score"] != 0
    # the models came from the installed package, not from this checkout
    frames = Path(out["framing"]["models"]["frames"])
    assert env_dir in frames.parents and frames.parts[-3:] == ("xhs_nlp", "models", "frames")


# -- what the package declares ------------------------------------------------------------------------


def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _declared(reqs: list[str]) -> set[str]:
    """Normalised distribution names of requirements, with the extras they pull in
    (``dask[distributed]`` declares ``distributed`` too)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    out = set()
    for r in map(Requirement, reqs):
        out.add(canonicalize_name(r.name))
        out |= {canonicalize_name(e) for e in r.extras if r.name == "dask"}
    return out


def _imports() -> dict[str, set[str]]:
    """Every third-party top-level module the package imports: ``{module: {"top", "function"}}``,
    where each import sits (module level, or inside a function / under TYPE_CHECKING)."""
    import ast

    found: dict[str, set[str]] = {}
    for path in (ROOT / "xhs_nlp").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("xhs_nlp", "__future__"):
                    continue
                found.setdefault(top, set()).add("top" if id(node) in top_level else "function")
    return found


def _distribution(module: str) -> str:
    from importlib.metadata import packages_distributions

    from packaging.utils import canonicalize_name

    dists = packages_distributions().get(module) or [module]
    return canonicalize_name(dists[0])


def test_every_imported_third_party_module_is_declared():
    project = _pyproject()["project"]
    core = _declared(project["dependencies"])
    extras = {name: _declared(reqs) for name, reqs in project["optional-dependencies"].items()}
    optional = set().union(*extras.values()) - core
    imports = _imports()
    assert {"numpy", "torch", "sklearn", "scipy", "filelock", "tqdm", "dask"} <= set(imports)  # the scan sees them
    undeclared = sorted(m for m in imports if _distribution(m) not in core | optional)
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    # an optional module is imported only where it is used (inside a function), so that
    # `import xhs_nlp...` and the core's work never need an extra
    at_top = sorted(m for m, where in imports.items() if _distribution(m) in optional and "top" in where)
    assert not at_top, f"optional modules imported at module level: {at_top}"


def test_the_core_analyses_the_post_without_the_extras(tmp_path):
    """The extras' modules made unimportable (as in an install without them): the post is
    analysed, and the optional parts name the extra to install."""
    code = """
import sys
for m in ("dask", "distributed", "matplotlib", "hypothesis", "pytest", "textblob", "mkdocs"):
    sys.modules[m] = None  # `import m` raises ImportError
import xhs_nlp
from xhs_nlp.datasets import example_post
a = xhs_nlp.analyze(example_post())
assert len(a.doc.sections) == 6 and a.sentiment.document.score is not None
from xhs_nlp.cli import main
sys.exit(main(["score", str(example_post()), "--out", sys.argv[1], "--engine", "dask"]))
"""
    p = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 1, p.stderr[-3000:]
    assert p.stderr.strip().splitlines()[-1] == (
        "xhs-nlp: error: --engine dask needs dask, which is not installed: pip install 'xhs-nlp[dask]'")
    assert not (tmp_path / "out").exists()  # refused before any work


def test_the_version_ranges_are_those_the_models_were_measured_with():
    """transformers and scikit-learn: every version pyproject allows has the minor version
    of the shipped models' cards (the ModelVersionWarning's test), so a fresh install's first
    run loads every model without a warning."""
    import json
    import warnings

    from packaging.requirements import Requirement
    from packaging.version import Version

    reqs = {Requirement(r).name: Requirement(r).specifier for r in _pyproject()["project"]["dependencies"]}
    for card in sorted((ROOT / "models").glob("*/card.json")):
        versions = json.loads(card.read_text())["versions"]
        for lib in ("transformers", "scikit-learn"):
            v = Version(versions[lib])
            spec = reqs[lib]
            assert spec.contains(v), f"{lib} {v} ({card.parent.name}) is outside {spec}"
            assert not spec.contains(Version(f"{v.major}.{v.minor + 1}.0")), f"{lib} {spec} allows the next minor"
            assert not spec.contains(Version(f"{v.major}.{v.minor - 1}.999")), f"{lib} {spec} allows an older minor"
    # and here (versions inside the ranges) no model warns
    from xhs_nlp.analysis import Models

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Models.load()


def test_library_code_logs_instead_of_printing():
    """Only the command line prints; the library reports through `logging` (named loggers)
    and shows progress with tqdm (xhs_nlp._progress), never with hand-written printers."""
    import ast

    prints = []
    for path in sorted((ROOT / "xhs_nlp").rglob("*.py")):
        if path.name in ("cli.py", "__main__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                prints.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not prints, f"print() in library code: {prints}"
    for name in ("claims", "sentiment", "targets", "framing"):
        src = (ROOT / "xhs_nlp" / f"{name}.py").read_text(encoding="utf-8")
        assert "logging.getLogger(__name__)" in src, name
