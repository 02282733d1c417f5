"""The status line under a screen's main view: what the cursor is on, and the last thing done.

Confirmations (tagged, note saved, exported...) go here rather than into notifications over the
text being read; it never shows text from outside as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from reader.tui.wrap import display_text


class StatusLine(Static):
    """A line (two or three when what it says is long) holding the screen's state and, in front
    of it, the last confirmation until the screen's next key (`clear_said`) or another comes."""

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $panel;
    }
    StatusLine.-said {
        max-height: 4;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.state = Text()
        #: The last confirmation, shown until the next key.
        self.said: Text | None = None

    def show(self, state: Text) -> None:
        """Show the screen's state (behind the confirmation, if one is showing)."""
        self.state = state
        self._draw()

    def say(self, message: str, title: str = "") -> None:
        """Show `message` (plain text, from anywhere) in front of the state."""
        said = Text("✓ ", style="bold green")
        if title:
            said.append(display_text(title) + ": ", style="bold")
        said.append(display_text(message))
        self.said = said
        self._draw()

    def clear_said(self) -> None:
        """The confirmation has been seen (a key was pressed): it goes."""
        if self.said is not None:
            self.said = None
            self._draw()

    def _draw(self) -> None:
        self.set_class(self.said is not None, "-said")
        if self.said is None:
            self.update(self.state)
        else:
            self.update(Text.assemble(self.said, "  ", self.state))
