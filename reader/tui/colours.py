"""Tag colours as a terminal with fewer colours shows them: which tags' passages would look alike.

Display only: it reads the codebook and the theme, and changes neither.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App
from textual.color import Color

from reader.core.codebook import Codebook, indistinct_tags
from reader.tui.wrap import display_text


def colour_clashes(app: App, codebook: Codebook, names: Iterable[str]) -> list[tuple[str, str, str]]:
    """Tags of `names` whose passages a terminal of 256 or 16 colours would show in the same
    colour, on the page colour of `app`'s theme: (tag, tag, "256" or "16")."""
    page = Color.parse(app.theme_variables.get("surface", "#1e1e1e")).rgb
    return indistinct_tags({name: Color.parse(codebook.color(name)).rgb for name in names}, page)


def clashes_said(clashes: list[tuple[str, str, str]]) -> str:
    """The clashes in a sentence: "a and b look the same in 256 colours; ..."."""
    return "; ".join(f"{display_text(a)} and {display_text(b)} look the same in {n} colours" for a, b, n in clashes)
