"""How reader/tui hangs together: screens never import one another (moves between screens are
app methods), only the generic dialogs, and widgets import no screen (imports inside functions
count); no screen or widget keeps a copy of the configuration, which the Tags screen replaces."""

import ast
from pathlib import Path

import reader.tui

TUI = Path(reader.tui.__file__).parent
#: The dialogs any screen may open itself: they know no other screen.
GENERIC_DIALOGS = {"modal", "pickers", "prompt", "note_editor", "orphans", "help"}


def imported_modules(source: str, package: str) -> set[str]:
    """Every module `source` (a module of `package`) imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from reader.tui.screens import x`
    return found


def screen_imports(path: Path, source: str | None = None) -> set[str]:
    """The screen modules the module at `path` imports, by name."""
    package = ".".join(["reader", *path.relative_to(TUI.parent).parts[:-1]])
    imported = imported_modules(source if source is not None else path.read_text(encoding="utf-8"), package)
    prefix = "reader.tui.screens."
    return {name[len(prefix):].split(".")[0] for name in imported if name.startswith(prefix)}


def test_no_screen_imports_another_screen():
    """(A screen split in parts imports its own parts: `article_entities` is part of `article`.)"""
    for path in sorted((TUI / "screens").glob("*.py")):
        parts = {name for name in screen_imports(path) if name.startswith(path.stem + "_")}
        others = screen_imports(path) - GENERIC_DIALOGS - parts - {path.stem}
        assert not others, f"{path.name} imports the screen module(s) {sorted(others)}: go through an app method"


def test_the_generic_dialogs_import_no_other_screen():
    for name in GENERIC_DIALOGS:
        others = screen_imports(TUI / "screens" / f"{name}.py") - {"modal", name}
        assert not others, f"{name}.py imports {sorted(others)}"


def test_widgets_and_the_registry_import_no_screen():
    for path in [*sorted((TUI / "widgets").glob("*.py")), TUI / "keys.py", TUI / "workspace.py", TUI / "messages.py"]:
        assert not screen_imports(path), path.name


def test_the_check_sees_imports_inside_functions_and_relative_ones():
    sample = TUI / "screens" / "sample.py"
    assert screen_imports(sample, "def f():\n    from reader.tui.screens.article import ArticleScreen\n") == {"article"}
    assert screen_imports(sample, "from .entity import EntityScreen\n") == {"entity"}
    assert screen_imports(sample, "from . import charts\n") == {"charts"}
    assert screen_imports(sample, "import reader.tui.screens.tags\n") == {"tags"}


def test_no_screen_or_widget_keeps_a_copy_of_the_configuration():
    """`workspace.config` is replaced when the codebook is written to config.yaml or read from
    it: a screen that kept the old one would show and apply stale settings."""
    for path in sorted([*(TUI / "screens").glob("*.py"), *(TUI / "widgets").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = ast.unparse(node.value) if node.value is not None else ""
                for target in targets:
                    kept = isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
                    assert not (kept and value.endswith("config")), f"{path.name}: {ast.unparse(node)}"
