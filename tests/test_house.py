"""The shape of the house, held against the code: the core stays pure, SQL lives in one package,
imports run one way with no cycle (imports inside functions count), no class grows past 500 lines,
no screen touches a database connection."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "reader"
#: The layers, bottom up: a module may import from its own layer and the ones below it.
LAYERS = ["reader.core", "reader.store", "reader.services", "reader.tui", "reader.commands", "reader.cli"]


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The reader modules `name` imports when it runs, at its top or inside functions, absolute or
    relative (`from package import module` counts as the module; `if TYPE_CHECKING:` does not)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in ast.walk(tree):  # names imported for type checkers only are not imports at run time
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
            block.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("reader"):
                found.add(target)
    return found


def layer(name: str) -> int:
    for index, prefix in enumerate(LAYERS):
        if name == prefix or name.startswith(prefix + "."):
            return index
    return -1  # reader/__init__, reader/__main__: outside the layers


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def test_imports_run_down_the_layers(graph):
    upward = [f"{name} -> {target}" for name, targets in graph.items() for target in targets
              if layer(name) >= 0 and layer(target) > layer(name)]
    assert upward == []


def test_no_import_cycle(graph):
    """Tarjan's strongly connected components over every reader import: none holds two modules.
    (A package's __init__ importing its own modules is not a cycle unless they import it back.)"""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_core_imports_no_database_terminal_or_command_line_library():
    code = (
        "import importlib, pkgutil, sys, reader.core\n"
        "for m in pkgutil.walk_packages(reader.core.__path__, 'reader.core.'): importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in {'sqlite3', '_sqlite3', 'sqlite_utils', 'textual', 'click'}"
        " or n.startswith(('reader.store', 'reader.services', 'reader.tui', 'reader.commands', 'reader.cli'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def _calls(path: Path, names: set[str]) -> list[int]:
    """Lines of `path` that call a method or function named in `names`."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if called in names:
                lines.append(node.lineno)
    return lines


def test_every_sql_statement_is_in_the_store_package():
    sql = {"execute", "executemany", "executescript"}
    outside = [f"{path.relative_to(ROOT)}:{line}" for name, path in modules().items()
               if not name.startswith("reader.store") for line in _calls(path, sql)]
    assert outside == []


def test_no_screen_or_widget_touches_a_connection():
    touching = []
    for path in (PACKAGE / "tui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"db", "conn"}:
                touching.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert touching == []


def test_no_class_is_over_500_lines():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 500:
                long.append(f"{path.relative_to(ROOT)}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert long == []
