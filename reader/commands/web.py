"""The web server behind `reader serve`: textual-serve's, saying in one line where it serves
instead of its banner.

Imported only by `reader serve` (it loads aiohttp); it never starts a reader itself: each browser
page does, through textual-serve.
"""

from __future__ import annotations

from textual_serve.server import Server


class ReaderServer(Server):
    """textual-serve's server, quiet at start (`reader serve` has said where it serves)."""

    async def on_startup(self, app) -> None:
        return None
