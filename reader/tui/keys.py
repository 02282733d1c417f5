"""Key names as people read them, and the key table the help screen shows.

Display only: it never binds or handles a key itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.keys import format_key

_NAMES = {"space": "space", "escape": "esc", "enter": "enter", "pagedown": "pgdn", "pageup": "pgup"}


def key_label(key: str) -> str:
    """How one bound key reads: `left_parenthesis` -> `(`, `ctrl+p` -> `ctrl+p`."""
    if key in _NAMES:
        return _NAMES[key]
    modifiers, _, name = key.rpartition("+")
    shown = format_key(name)
    return f"{modifiers}+{shown}" if modifiers else shown


def binding_rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """(keys, description) for each binding, the keys of one binding joined with ' '."""
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        keys = " ".join(key_label(key.strip()) for key in binding.key.split(","))
        rows.append((keys, binding.tooltip or binding.description))
    return rows
