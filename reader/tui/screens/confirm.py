"""A yes-or-no question in a box: y or enter answers yes, n, q or esc answers no.

It only answers; what a yes does is the caller's, and the question is shown as plain text.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from reader.tui.keys import bindings_for
from reader.tui.screens.modal import BoxedModal
from reader.tui.wrap import display_text


class ConfirmScreen(BoxedModal[bool]):
    """Ask `question`; dismisses with True (yes) or False (no)."""

    DEFAULT_CSS = """
    #confirm-box { width: 64; }
    #confirm-question { height: auto; }
    #confirm-keys { height: 1; margin: 1 0 0 0; color: $text-muted; }
    """

    KEY_CONTEXT = "confirm"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, question: str, keys: str = "y or enter: yes · n, q or esc: no") -> None:
        super().__init__()
        self.question = question
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-box"):
            yield Static(Content(display_text(self.question)), id="confirm-question")
            yield Static(Content(self.keys), id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
