"""Messages that travel between the app and its screens.

Messages only: no state, no store access.
"""

from __future__ import annotations

from textual.message import Message

from reader.services.history import Replayed


class DatabaseChanged(Message):
    """The database may hold something else than the screen shows: another program or window
    committed a change, or a change of this window was refused as made against an older view.
    The app posts it to the screen on top (a screen coming back on top checks on its own); the
    screen compares what it shows with the database and redraws what differs."""

    def __init__(self, replayed: Replayed | None = None) -> None:
        super().__init__()
        #: The undo or redo that changed the database, when that is what happened.
        self.replayed = replayed
