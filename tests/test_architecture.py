"""The rooms of src/openbook lean one way: no import cycles, and no room imports one above it.

Imports are read with `ast`, wherever they sit in a module (a lazy import inside a function is still
a dependency), so a cycle cannot hide behind statement order.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "openbook"

# Lower rooms never import higher ones. synth builds a fictional sector from the standard alone.
ROOM_RANK = {"errors": 0, "standard": 0, "formatting": 1, "sheets": 1, "store": 1, "synth": 1, "plugins": 2,
             "ingest": 2, "notebook": 2, "analyse": 3, "conform": 3, "mail": 4, "demo": 4, "web": 5, "cli": 6,
             "__main__": 7}
ALLOWED_INTO = {"synth": {"standard", "errors", "synth"}}
# A module longer than this in analyse/ holds more than one idea.
MAX_ANALYSIS_LINES = 400


def _modules() -> dict[str, tuple[Path, bool]]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def _owner(name: str, modules) -> str:
    """The module a dotted name lives in (`openbook.web.errors.ApiError` → `openbook.web.errors`)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, (path, is_package) in modules.items():
        package = module if is_package else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                targets = [f"{origin}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] == "openbook":
                    graph[module].add(_owner(target, modules))
        graph[module].discard(module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(graph.items()):
        here = room(module)
        for target in sorted(targets):
            there = room(target)
            if here is None or there is None or here == there:
                continue
            if here in ALLOWED_INTO and there not in ALLOWED_INTO[here]:
                wrong.append(f"{module} -> {target}")
            elif ROOM_RANK.get(there, 0) > ROOM_RANK.get(here, 0):
                wrong.append(f"{module} -> {target}")
    return wrong


def test_every_room_has_a_rank():
    rooms = {room(m) for m in _modules()} - {None}
    assert rooms <= set(ROOM_RANK), f"give these rooms a rank: {sorted(rooms - set(ROOM_RANK))}"


def test_the_checker_sees_a_cycle_and_an_upward_import():
    planted = {"openbook.ingest.a": {"openbook.ingest.b"}, "openbook.ingest.b": {"openbook.ingest.c"},
               "openbook.ingest.c": {"openbook.ingest.a"}, "openbook.store.x": {"openbook.web.y"}}
    assert cycles(planted) == [["openbook.ingest.a", "openbook.ingest.b", "openbook.ingest.c"]]
    assert upward_imports(planted) == ["openbook.store.x -> openbook.web.y"]


def test_the_graph_is_read_from_the_source():
    graph = import_graph()
    assert len(graph) > 50
    assert "openbook.standard" in graph["openbook.store.book"]  # store/book.py: from openbook import standard


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_room_imports_a_room_above_it():
    wrong = upward_imports(import_graph())
    assert not wrong, "upward imports:\n" + "\n".join(wrong)


def test_no_analysis_module_outgrows_its_room():
    long = {str(p.relative_to(SRC)): n for p in (PACKAGE / "analyse").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_ANALYSIS_LINES}
    assert not long, f"split these along their seams: {long}"
