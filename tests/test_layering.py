"""The package's import graph: imports only go down the pipeline, and there are no cycles,
not even through imports inside functions (imports under ``if TYPE_CHECKING:`` are for
type checkers and do not count). The registry's lazy references (``"claims:ClaimClassifier"``
in :mod:`xhs_nlp.tasks`) count as imports too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "xhs_nlp"

#: the pipeline, bottom up: a module may import its own layer and the layers below it
LAYERS: list[set[str]] = [
    {"_version", "errors", "schemes", "ops", "persist", "folderlock", "limits", "datasets", "_progress", "_optional", "segment.tokens", "segment.decode", "segment.sentences", "segment.wrapping",
     "segment.html", "segment.chrome"},                                       # foundations
    {"document"},                                                             # the Document and its spans
    {"segment.language", "segment.structure", "segment", "segment.organisations", "segment.not_writing", "cues", "_lexicon", "_mlp", "_e5build", "labelled",
     "metrics", "thresholds"},                                                # segment; data, metrics
    {"encoder"},                                                              # encode
    {"heads"},                                                                # the base of every head
    {"sentiment", "claims", "framing", "targets"},                            # score
    {"portrayal"},                                                            # aggregate: organisations
    {"tasks", "finetune"},                                                                # the registry
    {"evaluate", "tables", "report", "compare", "plot", "outputs", "corpus_report"},                                       # evaluate; tables and report
    {"analysis"},                                                             # aggregate: one call
    {"batch", "cluster", "_forkserver"},                                                 # many documents
    {"cli", "__main__", ""},                                                  # the command line, the surface
]
LAYER = {m: i for i, layer in enumerate(LAYERS) for m in layer}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _resolve(module: str, is_pkg: bool, level: int, target: str | None) -> str:
    base = module.split(".") if module else []
    if not is_pkg:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def _known(name: str, modules: set[str]) -> str | None:
    """The package module ``name`` refers to (a ``from pkg import module`` names the module)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in modules else None


def import_graph() -> dict[str, set[str]]:
    files = {(_module_name(p)): p for p in PKG.rglob("*.py")}
    modules = set(files)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in files.items():
        is_pkg = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
                for child in node.body for n in ast.walk(child)}
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = _resolve(mod, is_pkg, node.level, node.module)
                elif node.module and node.module.split(".")[0] == "xhs_nlp":
                    base = node.module.partition(".")[2]
                else:
                    continue
                targets = [f"{base}.{a.name}" if base else a.name for a in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [a.name.partition(".")[2] for a in node.names if a.name.split(".")[0] == "xhs_nlp"]
            for t in targets:
                k = _known(t, modules)
                if k is not None and k != mod:
                    graph[mod].add(k)
                    break
    # the registry's lazy references
    tasks = ast.parse(files["tasks"].read_text(encoding="utf-8"))
    for node in ast.walk(tasks):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ":" in node.value:
            ref = node.value.split(":")[0]
            if ref and ref in modules:
                graph["tasks"].add(ref)
    return graph


def test_every_module_has_a_layer():
    missing = sorted(set(import_graph()) - set(LAYER))
    assert not missing, f"place these modules in LAYERS: {missing}"


def test_imports_only_go_down_the_pipeline():
    up = [f"{a} (layer {LAYER[a]}) imports {b} (layer {LAYER[b]})"
          for a, bs in import_graph().items() for b in sorted(bs) if LAYER.get(b, -1) > LAYER.get(a, -1)]
    assert not up, "imports going up the pipeline:\n" + "\n".join(up)


def test_there_is_no_import_cycle():
    graph = import_graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                pytest.fail("import cycle: " + " -> ".join(stack[stack.index(n):] + [n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_the_check_sees_imports_inside_functions():
    # claims reads the cue counts inside a function: the graph must still have that edge
    g = import_graph()
    assert "cues" in g["claims"] and "encoder" in g["heads"] and "claims" in g["tasks"]
