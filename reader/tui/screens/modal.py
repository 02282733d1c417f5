"""The look every reader dialog shares: a centred, bordered box over the dimmed screen.

Layout only: dialogs bring their own widgets, keys and results.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

Result = TypeVar("Result")


class BoxedModal(ModalScreen[Result]):
    """A modal screen whose content sits in a `.modal-box` container (set its width)."""

    DEFAULT_CSS = """
    BoxedModal {
        align: center middle;
    }
    BoxedModal .modal-box {
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    """
