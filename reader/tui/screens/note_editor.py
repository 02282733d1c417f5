"""A modal editor for an annotation's note; esc and ctrl+s both hand the text back to be saved,
and ctrl+o hands the note to the user's $VISUAL / $EDITOR, saving what it writes when it exits.

It never loses typed text silently (only ctrl+d discards), and never shows the quote as markup.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import ComposeResult, SuspendNotSupported
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
            yield Static(Content("esc or ctrl+s saves · ctrl+d discards edits · ctrl+o: in $EDITOR · "
                                 "u in the article undoes"),
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

    def action_external_editor(self) -> None:
        """Write the note in $VISUAL or $EDITOR (the terminal handed over while it runs); what
        it leaves in the file is saved as esc saves, when it exits with success."""
        command = (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip()
        if not command:
            self.notify("No editor to open: set $VISUAL or $EDITOR (e.g. export EDITOR=vim) before starting reader.",
                        severity="warning", markup=False)
            return
        try:
            argv = shlex.split(command)
        except ValueError as error:
            self.notify(f"$EDITOR cannot be read as a command ({error}): {short_quote(command, 60)}",
                        severity="warning", markup=False)
            return
        handle, name = tempfile.mkstemp(prefix="reader-note-", suffix=".md", text=True)
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(self.editor.text)
            written = self._run_editor(argv, path)
        finally:
            path.unlink(missing_ok=True)
        if written is None:
            return
        written = written.replace("\r\n", "\n").replace("\r", "\n")
        self.editor.load_text(editable_text(written[:-1] if written.endswith("\n") else written))
        self.action_save()

    def _run_editor(self, argv: list[str], path: Path) -> str | None:
        """Run the editor on `path` and read what it left there; None (and why, said) if nothing."""
        failure: OSError | None = None
        try:
            with self.app.suspend():
                try:
                    finished = subprocess.run([*argv, str(path)], check=False)
                except OSError as error:  # caught inside: the terminal must come back to reader
                    failure = error
        except SuspendNotSupported:
            self.notify("reader cannot hand the terminal to an editor here (in a browser, or with no terminal): "
                        "type the note in the box.", severity="warning", markup=False)
            return None
        if failure is not None:
            self.notify(f"{short_quote(argv[0], 40)}: {failure.strerror or failure}; the note is as it was.",
                        severity="warning", markup=False)
            return None
        if finished.returncode != 0:
            self.notify(f"{short_quote(argv[0], 40)} exited with {finished.returncode}: the note is as it was.",
                        severity="warning", markup=False)
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.notify(f"{path}: {getattr(error, 'strerror', None) or 'not UTF-8'}; the note is as it was.",
                        severity="warning", markup=False)
            return None
