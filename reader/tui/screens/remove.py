"""Removing articles from the TUI: a box that says how many articles and annotations would go, keeps
the annotations as orphans on yes, and deletes them only on a second, explicit choice.

It asks and removes through the store's removal; it shows titles as plain text only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from reader.services.removal import done_line, preview_lines
from reader.store.removal import RemovalCounts, RemovalPreview
from reader.tui.keys import bindings_for
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.modal import BoxedModal
from reader.tui.wrap import display_text

#: What the box's keys answer.
KEEP, DELETE = "orphans", "delete"


class RemoveScreen(BoxedModal[str | None]):
    """Dismisses with KEEP (y, enter: annotations kept as orphans), DELETE (d: asked again), or
    None (n, q, esc)."""

    DEFAULT_CSS = """
    #remove-box { width: 76; }
    RemoveScreen .remove-what { height: auto; }
    #remove-keys { height: auto; margin: 1 0 0 0; color: $text-muted; }
    """

    KEY_CONTEXT = "remove"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, preview: RemovalPreview, heading: str) -> None:
        super().__init__()
        self.preview = preview
        self.heading = heading

    def compose(self) -> ComposeResult:
        held = self.preview.annotations + self.preview.orphans
        keys = "y or enter: remove · n, q or esc: keep everything"
        if held:
            keys = ("y or enter: remove, annotations kept as orphans · d: remove and delete the annotations "
                    "(asked again) · n, q or esc: keep everything")
        with Vertical(id="remove-box", classes="modal-box"):
            yield Static(Content.styled(display_text(self.heading), "bold"))
            for line in preview_lines(self.preview, delete_annotations=False):  # (titles: plain text, one line each)
                yield Static(Content(display_text(line)), classes="remove-what")
            yield Static(Content(keys), id="remove-keys")

    def action_answer(self, answer: str | None) -> None:
        if answer == DELETE and not (self.preview.annotations + self.preview.orphans):
            answer = KEEP  # nothing to delete: the same as yes
        self.dismiss(answer)


def ask_and_remove(screen, article_ids: Sequence[int], heading: str, done: Callable[[RemovalCounts], None]) -> None:
    """On `screen`: show what removing `article_ids` takes, ask, remove as answered, then call
    `done` with what was removed (the caller reloads and says it). Nothing is removed on no."""
    app = screen.app
    store = screen.workspace.store
    preview = store.removal.preview(list(article_ids))
    if not preview.articles:
        app.notify("No article to remove.")
        return

    def remove(delete_annotations: bool) -> None:
        counts = store.removal.remove(preview.article_ids, delete_annotations=delete_annotations, seen=preview)
        done(counts)

    def answered(answer: str | None) -> None:
        if answer is None:
            app.notify("Nothing removed.")
        elif answer == KEEP:
            remove(False)
        else:
            held = preview.annotations + preview.orphans
            question = (f"Delete {held:,} annotation{'' if held == 1 else 's'} for good, with the "
                        f"{preview.articles:,} article{'' if preview.articles == 1 else 's'}? They are not kept as "
                        "orphans, and cannot be put back.")

            def second(yes: bool | None) -> None:
                if yes:
                    remove(True)
                else:
                    app.notify("Nothing removed.")

            app.push_screen(ConfirmScreen(question), app.saving(second))

    app.push_screen(RemoveScreen(preview, heading), app.saving(answered))


__all__ = ["RemoveScreen", "ask_and_remove", "done_line", "KEEP", "DELETE"]
