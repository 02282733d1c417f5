"""The `?` screen: every key of the screen it was opened from, and the tag keys.

It only displays; closing it changes nothing.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from reader.tui.keys import bindings_for
from reader.tui.screens.modal import BoxedModal


class HelpScreen(BoxedModal[None]):
    """A scrollable table of keys, grouped in sections."""

    KEY_CONTEXT = "help"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, sections: list[tuple[str, list[tuple[str, str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="modal-box"):
            yield Static(self._table(), id="help-table")
            yield Static(
                Text("esc, q or ? closes this screen · keys can be changed in config.yaml under keymap:", style="dim"),
                id="help-hint",
            )

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column(ratio=1)
        table.add_column(style="dim", no_wrap=True)
        for title, rows in self.sections:
            table.add_row(Text(""), Text(title, style="bold underline"), Text("keymap id" if rows else ""))
            for keys, description, binding_id in rows:
                table.add_row(Text(keys), Text(description), Text(binding_id))
        return table

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_relative(y=pages * max(1, body.scrollable_content_region.height - 1), animate=False)

    def action_end(self, bottom: bool) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        (body.scroll_end if bottom else body.scroll_home)(animate=False)
