"""The box that asks before articles are removed: how many articles and annotations would go; yes
keeps the annotations as orphans, `d` asks to delete them (reader/tui/removing.py asks again).

It only answers; it shows titles as plain text only.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from reader.services.removal import preview_lines
from reader.store.removal import RemovalPreview
from reader.tui.keys import bindings_for
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
