"""Two annotators' work on one article, side by side: the same text twice, each with one
person's annotations, scrolled together. Read-only; `tab` moves between the sides, `]`/`[`
go to the next/previous annotation on the focused side, `q` goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from reader.core.model import Annotation
from reader.tui.format import plural
from reader.tui.keys import bindings_for
from reader.tui.messages import DatabaseChanged
from reader.tui.widgets.footer import KeysFooter
from reader.tui.widgets.article_view import ArticleView, Highlight
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text


class CompareScreen(Screen[None]):
    DEFAULT_CSS = """
    CompareScreen #compare-title { height: 1; background: $boost; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    CompareScreen #compare-summary { height: auto; padding: 0 1; color: $text-muted; }
    CompareScreen Horizontal { height: 1fr; }
    CompareScreen ArticleView { width: 1fr; }
    CompareScreen ArticleView:focus { background: $boost; }
    """

    KEY_CONTEXT = "compare"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, workspace: Workspace, article_id: int, left: str, right: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.article = self.store.articles.get(article_id)
        every = self.store.annotations.of_article(article_id)
        self.left, self.right = left, right
        self.sides = {left: [a for a in every if a.annotator == left], right: [a for a in every if a.annotator == right]}

    def compose(self) -> ComposeResult:
        title = Text(display_text(self.article.title), style="bold")
        title.append(f"   {display_text(self.left)}  |  {display_text(self.right)}")
        yield Static(title, id="compare-title")
        yield Static(self._summary(), id="compare-summary")
        width = self.workspace.config.reading_width
        with Horizontal():
            yield ArticleView(self.article.text, reading_width=width, id="compare-left")
            yield ArticleView(self.article.text, reading_width=width, id="compare-right")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._show_sides()
        self.query_one("#compare-left", ArticleView).focus()

    def _show_sides(self) -> None:
        for side, name in (("#compare-left", self.left), ("#compare-right", self.right)):
            self.query_one(side, ArticleView).set_highlights([self._highlight(a) for a in self.sides[name]])
        self.query_one("#compare-summary", Static).update(self._summary())

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        """Another program changed the article or its annotations: compare what is saved now (a
        new text goes back to the article, which shows it)."""
        if self.store.articles.sha256_of(self.article.id) != self.article.sha256:
            self.app.pop_screen()
            return
        every = self.store.annotations.of_article(self.article.id)
        sides = {name: [a for a in every if a.annotator == name] for name in (self.left, self.right)}
        if sides != self.sides:
            self.sides = sides
            self._show_sides()

    def _highlight(self, annotation: Annotation) -> Highlight:
        first = annotation.tags[0] if annotation.tags else ""
        return Highlight(annotation.id, annotation.start, annotation.end, self.workspace.codebook.color(first), ", ".join(annotation.tags))

    def _summary(self) -> Text:
        """How far the two agree: passages both marked with the same tags, and those only one did."""
        left = {(a.start, a.end, a.tags) for a in self.sides[self.left]}
        right = {(a.start, a.end, a.tags) for a in self.sides[self.right]}
        both = len(left & right)
        first, second = display_text(self.left), display_text(self.right)
        summary = Text()
        summary.append(f"{first}: {plural(len(left), 'annotation')} · {second}: {plural(len(right), 'annotation')} · ")
        summary.append(f"same passage and tags: {both}", style="bold")
        summary.append(f" · only {first}: {len(left - right)} · only {second}: {len(right - left)}")
        return summary

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        """Keep the other side at the same place in the text."""
        other = "#compare-right" if message.view.id == "compare-left" else "#compare-left"
        view = self.query_one(other, ArticleView)
        if view.scroll_offset.y != message.view.scroll_offset.y:
            view.scroll_to(y=message.view.scroll_offset.y, animate=False)
