"""A small form correcting an article's title, date, source and attributes (ctrl+e on the list and the article).

It writes through the history, against the details it showed (a change made meanwhile elsewhere is
refused, never overwritten); it shows every stored value through the display guard, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Label, Static, TextArea

from reader.core.corrections import Correction, corrected, form_of
from reader.core.model import ArticleMeta
from reader.tui.keys import bindings_for
from reader.tui.screens.modal import BoxedModal
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text


class DetailsEditor(BoxedModal[ArticleMeta | None]):
    """Edit the details `seen` (as the screen showed them); dismisses with the corrected details,
    or None when cancelled. A value that cannot be stored is said under the form, which stays open."""

    DEFAULT_CSS = """
    #details-box { width: 84; }
    #details-heading { height: 1; text-style: bold; }
    .details-row { height: 1; margin: 0 0 1 0; }
    .details-row Label { width: 9; color: $text-muted; }
    .details-row Input { width: 1fr; border: none; height: 1; padding: 0 1; }
    #details-attributes-label { height: 1; color: $text-muted; }
    #details-attributes { height: 6; }
    #details-problem { height: auto; color: $error; }
    #details-keys { height: auto; color: $text-muted; }
    """

    KEY_CONTEXT = "details_editor"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, seen: ArticleMeta, day_first: bool = True) -> None:
        super().__init__()
        self.seen = seen
        self.day_first = day_first
        self.form = form_of(seen)

    def compose(self) -> ComposeResult:
        with Vertical(id="details-box", classes="modal-box"):
            yield Static(Content("Correct the article's details (a re-import keeps what you change)"), id="details-heading")
            for name, label, value, hint in (
                ("title", "Title", self.form.title, ""),
                ("date", "Date", self.form.date, "2025-03-02, 2 March 2025, March 2025; empty: undated"),
                ("source", "Source", self.form.source, "empty: no source"),
            ):
                with Horizontal(classes="details-row"):
                    yield Label(label)
                    yield Input(display_text(value), placeholder=hint, id=f"details-{name}")
            yield Static(Content("Attributes, one name: value a line (delete a line to remove it)"),
                         id="details-attributes-label")
            yield TextArea(display_text(self.form.attributes), soft_wrap=True, tab_behavior="focus",
                           id="details-attributes")
            yield Static("", id="details-problem", markup=False)
            yield Static(Content("ctrl+s or enter in a field saves · tab: next field · esc cancels · u undoes"),
                         id="details-keys")

    def on_mount(self) -> None:
        field = self.query_one("#details-title", Input)
        field.focus()
        field.cursor_position = len(field.value)

    def _typed(self, name: str, stored: str) -> str:
        """What a field holds: the stored value itself when the field still shows it as it was."""
        widget = self.query_one(f"#details-{name}")
        text = widget.text if isinstance(widget, TextArea) else widget.value
        return stored if text == display_text(stored) else text

    def action_save(self) -> None:
        form = Correction(
            title=self._typed("title", self.form.title),
            date=self._typed("date", self.form.date),
            source=self._typed("source", self.form.source),
            attributes=self._typed("attributes", self.form.attributes),
        )
        try:
            meta = corrected(self.seen, form, self.day_first)
        except ValueError as error:
            self.query_one("#details-problem", Static).update(display_text(str(error)))
            return
        self.dismiss(meta)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)


def edit_details(screen: Screen, workspace: Workspace, article_id: int, then: Callable[[], object]) -> None:
    """Open the form on the article's details as stored now; save what it gives through the
    history (undoable), then call `then` (the screen shows the article again). A refusal (the
    details changed meanwhile) is reported as not saved, and the screen reloads."""
    seen = workspace.store.articles.meta_of(article_id)

    def save(meta: ArticleMeta | None) -> None:
        if meta is None:
            return
        change = workspace.history.correct_article(article_id, meta, seen)
        if change is None:
            screen.notify("Nothing changed.", markup=False)
            return
        then()
        fields = sorted(meta.changed_fields(seen))
        screen.notify(display_text("Corrected: " + ", ".join(f.removeprefix("attribute:") for f in fields)
                                   + " (u undoes; a re-import keeps it)."), markup=False)

    screen.app.push_screen(DetailsEditor(seen, workspace.config.importing.day_first), screen.app.saving(save))
