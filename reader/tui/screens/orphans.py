"""Orphans: annotations whose article's text changed so much that they could not be put back.

Listed with their article, quote and tags; from the article list, `enter` opens the article;
from an article, `enter` re-attaches the chosen orphan to the selection (or the sentence under
the cursor); `x` deletes one. Nothing else ever removes an orphan.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.core.model import Annotation
from reader.tui.format import short_quote
from reader.tui.keys import bindings_for
from reader.tui.screens.modal import BoxedModal
from reader.tui.wrap import display_text


class OrphansScreen(BoxedModal[str | None]):
    """Dismisses with the chosen orphan's id (enter), or None (escape)."""

    DEFAULT_CSS = """
    OrphansScreen .modal-box { width: 100; }
    OrphansScreen OptionList, OrphansScreen OptionList:focus { height: auto; max-height: 24; border: none; padding: 0; }
    OrphansScreen .orphans-keys { color: $text-muted; }
    """

    KEY_CONTEXT = "orphans"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, title: str, orphans: Sequence[Annotation], titles: dict, enter_does: str) -> None:
        """`titles`: the title of each orphan's article, by orphan id or by article id."""
        super().__init__()
        self.title_text = title
        self.orphans = list(orphans)
        self.titles = titles
        self.enter_does = enter_does

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(Text(self.title_text, style="bold"))
            yield OptionList(*[self._option(orphan) for orphan in self.orphans], id="orphans-list")
            yield Static(f"enter {self.enter_does} · x deletes · esc closes", classes="orphans-keys")

    def _option(self, orphan: Annotation) -> Option:
        label = Text()
        label.append(display_text(short_quote(self.titles.get(orphan.id, self.titles.get(orphan.article_id, "?")), 30)), style="dim")
        label.append("  ")
        for tag in orphan.tags:
            label.append(f" {display_text(tag)} ", style="bold reverse")
            label.append(" ")
        label.append(f"“{display_text(short_quote(orphan.quote, 60))}”")
        if orphan.note:
            label.append(" ✎", style="dim")
        return Option(label, id=orphan.id)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_delete(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        orphan_id = options.get_option_at_index(options.highlighted).id
        self.app.workspace.history.delete_orphan(orphan_id)
        options.remove_option(orphan_id)
        self.notify("Orphan deleted (u undoes it).", markup=False)
        if options.option_count == 0:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
