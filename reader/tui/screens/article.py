"""The article screen: the text with entities and annotations, tagging by keyboard.

Every tag is written through the store before the next key is read; it never writes SQL itself.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from reader.core.config import TagSpec
from reader.core.entities import LABELS
from reader.core.history import Change
from reader.core.store import Annotation, Article
from reader.tui.widgets.article_view import ArticleView, Highlight
from reader.tui.format import short_quote
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text

DEFAULT_TAG_COLOR = "#b0b0b0"



class ArticleScreen(Screen[None]):
    """One article: read, move, select, tag."""

    BINDINGS = [
        Binding("x", "delete_annotation", "Delete", id="annotation.delete",
                tooltip="Delete the annotation under the cursor (u brings it back)"),
        Binding("u", "undo", "Undo", id="history.undo", tooltip="Undo the last change to annotations"),
        Binding("ctrl+r", "redo", "Redo", id="history.redo", tooltip="Redo the last undone change"),
        Binding("q", "back", "Back", id="article.back", tooltip="Back to the article list"),
        Binding("question_mark", "app.help", "Keys", id="app.help", tooltip="Show every key"),
        Binding("e", "app.export", "Export", id="app.export", tooltip="Export all annotations to the configured file"),
    ]

    def __init__(self, workspace: Workspace, article_id: int) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.config = workspace.config
        self.article: Article = self.store.get_article(article_id)
        self.annotations: list[Annotation] = self.store.annotations_for(article_id)
        self.tag_colors = {tag.name: tag.color for tag in self.config.tags}

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="article-title")
        yield Static(id="legend")
        yield ArticleView(self.article.text, reading_width=self.config.reading_width, id="article-view")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        view = self.view
        found = []
        recogniser = self.workspace.recogniser
        if recogniser is not None and self.config.entities.show:
            found = recogniser.recognise(self.article.text)
            view.set_entities(found, self.config.entities.colors)
        self.query_one("#legend", Static).update(self._legend({span.label for span in found}))
        self._show_annotations()
        view.focus()
        self._update_status()

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    # ---- header, legend, status ---------------------------------------------------------

    def _title(self) -> Text:
        article = self.article
        title = Text(display_text(article.title), style="bold")
        details = [part for part in (article.source, (article.published or "")[:10]) if part]
        if details:
            title.append("  " + " · ".join(display_text(part) for part in details), style="dim")
        return title

    def _legend(self, present: set[str]) -> Text:
        legend = Text()
        colors = self.config.entities.colors
        for label in LABELS:
            if label in present or label in ("PERSON", "ORG", "GPE", "DATE"):
                legend.append("■ ", style=colors[label])
                legend.append(label, style=f"bold {colors[label]}")
                legend.append("  ")
        if self.config.tags:
            legend.append("│ tags:", style="dim")
        # A badge with no spaces inside keeps each key next to its tag's name when the legend wraps.
        for tag in self.config.tags:
            if tag.key:
                legend.append(" ▐", style=tag.color)
                legend.append(tag.key, style=f"bold reverse {tag.color}")
                legend.append("▌", style=tag.color)
                legend.append(display_text(tag.name) + " ")
        return legend

    def _update_status(self) -> None:
        view = self.view
        wrapped = view.wrapped
        status = Text()
        if view.text:
            line = wrapped.line_of(view.cursor)
            status.append(f"line {line + 1}/{len(wrapped)}  ", style="dim")
        selection = view.selection
        if selection is not None:
            status.append(" VISUAL ", style="bold reverse")
            status.append(f" {selection[1] - selection[0]} chars  ")
        entity = view.entity_at(view.cursor)
        if entity is not None:
            status.append(f"{entity.label} ", style=f"bold {self.config.entities.colors.get(entity.label, '')}")
            status.append(f"“{short_quote(view.text[entity.start:entity.end], 32)}”  ")
        for highlight in view.highlights_at(view.cursor):
            status.append(f" {highlight.label} ", style=f"bold reverse {highlight.color}")
            status.append(" ")
        if selection is None and not view.highlights_at(view.cursor) and self.config.tags:
            status.append("press a tag key to tag this sentence, v to select, ? for keys", style="dim")
        self.query_one("#status", Static).update(status)

    def on_article_view_cursor_moved(self, _message: ArticleView.CursorMoved) -> None:
        self._update_status()

    # ---- annotations ------------------------------------------------------------------

    def _show_annotations(self) -> None:
        self.annotations = self.store.annotations_for(self.article.id)
        self.view.set_highlights([self._highlight(annotation) for annotation in self.annotations])
        self._update_status()

    def _highlight(self, annotation: Annotation) -> Highlight:
        first = annotation.tags[0] if annotation.tags else ""
        return Highlight(
            id=annotation.id,
            start=annotation.start,
            end=annotation.end,
            color=self.tag_colors.get(first, DEFAULT_TAG_COLOR),
            label=", ".join(annotation.tags),
        )

    def on_key(self, event: events.Key) -> None:
        tag = self.config.tag_for_key(event.character or "") or self.config.tag_for_key(event.key)
        if tag is not None:
            event.stop()
            event.prevent_default()
            self.apply_tag(tag)

    def apply_tag(self, tag: TagSpec) -> Annotation | None:
        """Tag the selection, or the sentence under the cursor, and save it at once. The same
        passage tagged again gets the tag added to its annotation, never a second copy."""
        view = self.view
        span = view.target_span()
        if span is None:
            self.notify("Nothing to tag here: move to some text or select a passage.", severity="warning", markup=False)
            return None
        history = self.workspace.history
        same = next((a for a in self.annotations if (a.start, a.end) == span), None)
        if same is not None and tag.name in same.tags:
            self.notify(f"Already tagged {tag.name}.", markup=False)
            return same
        if same is not None:
            change = history.add_tag(same.id, tag.name)
        else:
            change = history.add(self.article.id, span[0], span[1], [tag.name], self.config.annotator)
        view.action_clear_selection()
        self._show_annotations()
        self.notify(f"{tag.name}: “{short_quote(change.annotation.quote)}”", title="Tagged", timeout=3, markup=False)
        return change.annotation

    def action_delete_annotation(self) -> None:
        here = self.view.highlights_at(self.view.cursor)
        if not here:
            self.notify("No annotation under the cursor.", markup=False)
            return
        innermost = min(here, key=lambda h: h.end - h.start)
        change = self.workspace.history.delete(innermost.id)
        self._show_annotations()
        self.notify(f"“{short_quote(change.annotation.quote)}” (u brings it back)", title="Deleted", markup=False)

    def action_undo(self) -> None:
        self._replay(self.workspace.history.undo(), "Undone", "Nothing to undo.")

    def action_redo(self) -> None:
        self._replay(self.workspace.history.redo(), "Redone", "Nothing to redo.")

    def _replay(self, change: Change | None, title: str, nothing: str) -> None:
        if change is None:
            self.notify(nothing, markup=False)
            return
        self._show_annotations()
        if change.annotation.article_id == self.article.id:
            self.view.move_cursor_to(change.annotation.start)
            where = ""
        else:
            where = f" in “{short_quote(self.store.get_article(change.annotation.article_id).title, 32)}”"
        self.notify(f"{change.describe()}{where}", title=title, markup=False)

    def action_back(self) -> None:
        self.dismiss(None)
