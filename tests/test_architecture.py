"""The package's rooms and the one direction imports run in (AGENTS.md, "Architecture").

Every import counts, at module level or inside a function, under `if TYPE_CHECKING:` or not.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .helpers import REPO_ROOT

PACKAGE = REPO_ROOT / "tools" / "wagents" / "src" / "wagents"
#: What each room may import besides itself. `testing` (helpers for tests) may import anything.
ALLOWED = {
    "model": set(),
    "files": {"model"},
    "workspace": {"files", "model"},
    "analysis": {"model"},
    "probe": {"workspace", "files", "model"},
    "check": {"probe", "analysis", "workspace", "files", "model"},
    "deploy": {"probe", "analysis", "workspace", "files", "model"},
    "scaffold": {"analysis", "workspace", "files", "model"},
    "cli": {"check", "deploy", "scaffold", "probe", "analysis", "workspace", "files", "model"},
}
#: At most this many modules directly in the package (besides __init__ and __main__).
MAX_TOP_LEVEL = 8


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """wagents module → the wagents modules it imports (anywhere in its code)."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    targets.add(candidate if candidate in modules else base)
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_imports_run_one_way_between_rooms() -> None:
    wrong = []
    for module, targets in sorted(_imports().items()):
        room = _room(module)
        if room not in ALLOWED:
            continue  # wagents/__init__, __main__, testing
        for target in sorted(targets):
            other = _room(target)
            if target == "wagents":
                continue  # the package itself: its version
            if other != room and other not in ALLOWED[room]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_there_is_no_import_cycle() -> None:
    graph = _imports()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_each_room_says_what_it_holds_and_the_top_floor_stays_small() -> None:
    rooms = [path for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()]
    assert sorted(room.name for room in rooms) == sorted(set(ALLOWED) - {"model"})
    for room in rooms:
        doc = ast.get_docstring(ast.parse((room / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "import" in doc, f"{room.name}/__init__.py must say what it may import"
    top = [p for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert len(top) <= MAX_TOP_LEVEL, sorted(p.name for p in top)
