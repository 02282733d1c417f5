"""Every binding of every screen, for the help screen, the command palette and the keymap.

Reading only: it never binds or handles a key itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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


def keys_of(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys that trigger `binding` under `keymap`, as people read them."""
    keys = keymap.get(binding.id or "", binding.key)
    return " ".join(key_label(key.strip()) for key in keys.split(","))


def binding_rows(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) for each binding."""
    return [(keys_of(b, keymap), b.tooltip or b.description, b.id or "") for b in bindings]


def binding_ids(owners: Iterable[type]) -> set[str]:
    return {binding.id for owner in owners for binding in owner.BINDINGS if binding.id}
