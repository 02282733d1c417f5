"""The Textual application: holds the config, the store and the recogniser for its screens.

It opens no database itself; the caller hands it an open `Store` and closes it afterwards.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.theme import BUILTIN_THEMES

from reader.core.config import Config
from reader.core.entities import Recogniser, build_recogniser
from reader.core.exchange.yaml_format import write_export
from reader.core.history import History
from reader.core.store import Store
from reader.tui.format import plural, short_path
from reader.tui.keys import binding_rows
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.article_list import ArticleListScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.article_view import ArticleView
from reader.tui.workspace import Workspace


def theme_problem(theme: str) -> str | None:
    """Why `theme` cannot be used, or None when it can."""
    if theme in BUILTIN_THEMES:
        return None
    return f"unknown theme {theme!r} (choose one of: {', '.join(sorted(BUILTIN_THEMES))})"


class ReaderApp(App[None]):
    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit_anywhere")]

    def __init__(self, config: Config, store: Store, recogniser: Recogniser | None = None) -> None:
        super().__init__()
        self.config = config
        self.store = store
        self.workspace = Workspace(
            config=config,
            store=store,
            recogniser=recogniser or build_recogniser(config.entities.gazetteer),
            history=History(store),
        )

    def on_mount(self) -> None:
        self.theme = self.config.theme
        self.push_screen(ArticleListScreen(self.workspace))

    def action_export(self) -> None:
        path = self.config.export_file
        try:
            count = write_export(self.store, path)
        except OSError as error:
            self.notify(f"{path}: {error.strerror or error}", title="Export failed", severity="error", markup=False)
            return
        self.notify(f"{plural(count, 'annotation')} written to {short_path(path)}", title="Exported", timeout=6, markup=False)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        screen = self.screen
        if isinstance(screen, ArticleScreen):
            sections = [
                ("Article", binding_rows(ArticleView.BINDINGS) + binding_rows(ArticleScreen.BINDINGS)),
            ]
            tags = [(tag.key, f"tag as {tag.name}: {tag.description}".rstrip(": ")) for tag in self.config.tags if tag.key]
            if tags:
                sections.append(("Tags (the selection, or the sentence under the cursor)", tags))
        else:
            sections = [("Article list", binding_rows(ArticleList.BINDINGS) + binding_rows(ArticleListScreen.BINDINGS))]
        sections.append(("Everywhere", binding_rows(self.BINDINGS)))
        return sections
