"""The rooms of chat/ keep their order: prompting, llm, conversation, each importing
only rooms before it (and the top of chat/: configuration, and what every room uses);
the top never reaches into the conversation runtime but through the URL wiring; no
import circle anywhere; and nothing outside tests/ imports from tests/."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A room may import from the rooms listed before it and from the top of chat/.
ROOMS = ("prompting", "llm", "generation", "conversation")
# Wiring that names every room by design.
WIRING = {"chat.urls", "chat.apps"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The project modules a file imports at module level."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def project_graph() -> dict[str, set[str]]:
    paths = [p for p in ROOT.glob("chat/**/*.py") if "migrations" not in p.parts]
    names = {module_name(p) for p in paths}
    return {module_name(p): imports(p) & names for p in paths}


def room(module: str) -> int:
    """0 for the top of chat/, then each room's place."""
    parts = module.split(".")
    return ROOMS.index(parts[1]) + 1 if len(parts) > 1 and parts[1] in ROOMS else 0


def test_layout_has_no_import_circle():
    graph = project_graph()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module not in done:
            for imported in graph[module] - {module}:
                visit(imported, (*path, module))
            done.add(module)

    for module in graph:
        visit(module, ())


def test_layout_imports_run_only_to_earlier_rooms():
    def allowed(module: str, imported: str) -> bool:
        if room(module) == 0:  # configuration may use prompting and llm
            return imported.split(".")[:2] != ["chat", "conversation"]
        return room(imported) <= room(module)

    backwards = [
        f"{module} -> {imported}"
        for module, imported_set in project_graph().items()
        if module not in WIRING
        for imported in imported_set
        if not allowed(module, imported)
    ]
    assert backwards == []


@pytest.mark.parametrize("folder", ["chat", "personas", "demo_site", "bench"])
def test_nothing_outside_tests_imports_from_tests(folder):
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / folder).glob("**/*.py")
        if any(name.split(".")[0] == "tests" for name in imports(path))
    ]
    assert offenders == []
