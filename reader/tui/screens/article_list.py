"""The first screen: every article in the corpus, a cursor to pick one, counts kept current.

It reads rows from the store a page at a time; it never loads the whole corpus.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from reader.tui.screens.article import ArticleScreen
from reader.tui.format import plural, short_path
from reader.tui.widgets.article_list import ArticleList
from reader.tui.workspace import Workspace



class ArticleListScreen(Screen[None]):
    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="app.quit"),
        Binding("question_mark", "app.help", "Keys", id="app.help", tooltip="Show every key"),
        Binding("e", "app.export", "Export", id="app.export", tooltip="Export all annotations to the configured file"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.config = workspace.config

    def compose(self) -> ComposeResult:
        yield Static(id="list-title")
        yield ArticleList(self._fetch, self.store.article_count(), id="article-list")
        yield Footer()

    def _fetch(self, offset: int, limit: int):
        return self.store.list_articles(offset, limit)

    def on_mount(self) -> None:
        self._update_title()
        self.query_one(ArticleList).focus()

    def on_screen_resume(self) -> None:
        self.query_one(ArticleList).reload(self.store.article_count())
        self._update_title()

    def _update_title(self) -> None:
        count = self.store.article_count()
        title = Text("reader", style="bold")
        annotations = self.store.annotation_count()
        title.append(f"  {plural(count, 'article')}  ·  {plural(annotations, 'annotation')}")
        title.append(f"  ·  {short_path(self.config.database)}", style="dim")
        self.query_one("#list-title", Static).update(title)

    def on_article_list_opened(self, message: ArticleList.Opened) -> None:
        self.app.push_screen(ArticleScreen(self.workspace, message.article_id))
