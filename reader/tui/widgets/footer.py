"""The footer of key hints, cut to whole keys: what does not fit is left out, never cut mid-word.

Keys keep the registry's order (the most used first); `?` lists them all. It binds nothing itself.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    """Textual's Footer showing only the keys that fit whole in its width, then an ellipsis;
    laid out again when its width changes."""

    DEFAULT_CSS = """
    KeysFooter .keys-footer--more {
        width: auto;
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """

    _laid_out_for = 0

    def _width_of(self, item: Widget) -> int:
        """The cells `item` takes in the footer (its text, padding and margin), as the footer's
        CSS lays it out."""
        if isinstance(item, FooterKey):
            key, description = cell_len(item.key_display), cell_len(item.description)
            if item.has_class("-command-palette"):
                return 1 + 1 + key + 1 + description + 1 + 1  # border, key padding, description, padding
            if self.compact:
                return key + (1 + description if description else 0) + 1
            return key + 2 + (description + 1 if description else 0)
        if isinstance(item, Label):
            return cell_len(str(item.content)) + 1
        return 8  # a group of keys: a rough width

    def compose(self) -> ComposeResult:
        width = self.size.width or self.app.size.width
        self._laid_out_for = width
        items = list(super().compose())
        palette = [item for item in items if item.has_class("-command-palette")]
        room = width - sum(self._width_of(item) for item in palette) - 2  # room for the ellipsis
        used = 0
        for index, item in enumerate(items):
            if item in palette:
                continue
            used += self._width_of(item)
            if used > room:
                rest = [other for other in items[index:] if other not in palette]
                if rest:
                    yield Label("…", classes="keys-footer--more")
                break
            yield item
        yield from palette

    def on_resize(self) -> None:
        if self.size.width != self._laid_out_for and self._bindings_ready:
            self.call_after_refresh(self.recompose)
