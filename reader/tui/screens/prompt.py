"""A one-line text prompt: enter hands the text back, escape cancels.

It shows the title and the starting text literally, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from reader.tui.keys import bindings_for
from reader.tui.screens.modal import BoxedModal
from reader.tui.wrap import display_text


class PromptScreen(BoxedModal[str | None]):
    """Ask for one line of text; dismisses with it (stripped), or None when cancelled.

    `check` returns why a value cannot be used (shown under the field), or None."""

    DEFAULT_CSS = """
    #prompt-box { width: 72; }
    #prompt-title { height: auto; text-style: bold; }
    #prompt-problem { height: auto; color: $error; }
    #prompt-keys { height: 1; color: $text-muted; }
    """

    KEY_CONTEXT = "prompt"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, title: str, value: str = "", *, check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box", classes="modal-box"):
            yield Static(Content(display_text(self.title_text)), id="prompt-title")
            yield Input(display_text(self.value), id="prompt-input")
            yield Static("", id="prompt-problem", markup=False)
            yield Static(Content("enter saves · esc cancels"), id="prompt-keys")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        field.cursor_position = len(field.value)  # typing adds to the text; backspace edits it

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        problem = self.check(value) if self.check else None
        if problem:
            self.query_one("#prompt-problem", Static).update(problem)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
