"""The shape of the code: imports point one way, from the front ends down to the text layer.

Every import of a project module is read from the source (ast), function-level ones included,
so a new cycle or a wrong-way import fails here instead of surfacing as a partially initialised
module at run time.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lower layers never import higher ones; a layer may import its own modules and anything below.
LAYERS = {
    "retrieval.workers": 0,
    "retrieval.text": 1,
    "retrieval.corpus": 2,
    "retrieval.question": 2,
    "retrieval.index": 3,
    "retrieval.store": 4,
    "retrieval.reconcile": 5,
    "retrieval.build": 5,
    "retrieval.semantic_index": 5,
    "retrieval.engine": 6,
    "retrieval.web": 7,
    "retrieval.backup": 7,
    "retrieval.evaluate": 8,
    "bot": 9,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for d in ("retrieval", "bot") for p in (ROOT / d).rglob("*.py")}


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # "from retrieval.index import snapshot": the module itself
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return {name for name in found if name in known and name.split(".")[0] in ("retrieval", "bot")}


def layer(name: str) -> int | None:
    matches = [prefix for prefix in LAYERS if name == prefix or name.startswith(prefix + ".")]
    return LAYERS[max(matches, key=len)] if matches else None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, known) - {name} for name, path in known.items()}


def test_every_module_has_a_layer(graph):
    assert [name for name in graph if name not in ("retrieval", "bot") and layer(name) is None] == []


def test_imports_point_down(graph):
    wrong = [
        f"{name} -> {target}"
        for name, targets in graph.items()
        for target in targets
        if name not in ("retrieval", "bot") and layer(target) > layer(name)
    ]
    assert wrong == []


def test_no_import_cycle(graph):
    """Depth-first search over every module's imports; a module met again on the current path
    closes a cycle."""
    cycles, state = [], {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_store_never_imports_the_ranker_and_front_ends_go_through_the_engine(graph):
    store = {t for n, ts in graph.items() if n.startswith("retrieval.store") for t in ts}
    assert {t for t in store if t.startswith("retrieval.index")} <= {"retrieval.index.rows"}
    bot = {t for n, ts in graph.items() if n.startswith("bot") for t in ts}
    assert not {t for t in bot if t.startswith("retrieval.store")}
    for path in (ROOT / "bot").glob("*.py"):
        assert "engine.store" not in path.read_text(encoding="utf-8"), path.name


def test_folders_by_step_and_no_file_doing_four_jobs():
    top = sorted(p.stem for p in (ROOT / "retrieval").glob("*.py") if p.stem != "__init__")
    assert len(top) <= 8, top  # the orchestration; every step has its folder
    sources = [p for d in ("retrieval", "bot", "bench") for p in (ROOT / d).rglob("*.py")]
    long = [p.name for p in sources if p.name != "bm25.py" and len(p.read_text("utf-8").splitlines()) > 650]
    assert long == []
