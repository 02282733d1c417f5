"""A modal editor for an annotation's note; esc and ctrl+s both hand the text back to be saved.

It never loses typed text silently (only ctrl+d discards), and never shows the quote as markup.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static, TextArea

from reader.tui.format import short_quote
from reader.tui.keys import bindings_for
from reader.tui.screens.modal import BoxedModal
from reader.tui.wrap import editable_text

QUOTE_LIMIT = 400
"""Characters of the quote kept before the line is cut to the box's width."""


class NoteEditor(BoxedModal[str | None]):
    """Edit a note; dismisses with the text ("" for no note), or None to discard the edits."""

    DEFAULT_CSS = """
    #note-box {
        width: 80;
    }
    #note-title {
        height: 1;
        text-style: bold;
    }
    #note-quote {
        height: 1;
        color: $text-muted;
        text-style: italic;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #note-text {
        height: 10;
        margin: 1 0 0 0;
    }
    #note-keys {
        height: auto;
        color: $text-muted;
    }
    """

    KEY_CONTEXT = "note_editor"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, quote: str, note: str | None, title: str = "Note") -> None:
        super().__init__()
        self.title_text = title
        self.quote = quote
        self.note = note or ""
        #: What the editor shows: the note with anything that could drive the terminal made
        #: visible; handed back as the stored note itself when left unchanged.
        self.shown = editable_text(self.note)

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box", classes="modal-box"):
            yield Static(Content(self.title_text), id="note-title")
            yield Static(Content(f"“{short_quote(self.quote, QUOTE_LIMIT)}”"), id="note-quote")
            yield TextArea(self.shown, soft_wrap=True, tab_behavior="focus", id="note-text")
            yield Static(Content("esc or ctrl+s saves · ctrl+d discards edits · u in the article undoes"),
                         id="note-keys")

    def on_mount(self) -> None:
        editor = self.editor
        editor.focus()
        editor.move_cursor(editor.document.end)

    @property
    def editor(self) -> TextArea:
        return self.query_one("#note-text", TextArea)

    def action_save(self) -> None:
        text = self.editor.text
        if text == self.shown:
            text = self.note
        self.dismiss(text if text.strip() else "")

    def action_discard(self) -> None:
        self.dismiss(None)
