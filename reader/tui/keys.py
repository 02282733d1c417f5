"""The key registry (reader.core.keys) as Textual sees it: each class's Bindings, the help's sections, the palette's actions.

It binds and handles no key and knows no screen class: a class names its KEY_CONTEXT and takes BINDINGS from `bindings_for`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import format_key

from reader.core.codebook import Codebook
from reader.core.keys import CONTEXTS, SCREENS, ScreenKeys, split_keys
from reader.tui.wrap import display_text

_NAMES = {"space": "space", "escape": "esc", "enter": "enter", "pagedown": "pgdn", "pageup": "pgup"}

Rows = list[tuple[str, str, str]]


def bindings_for(context: str) -> list[Binding]:
    """The Bindings of the class whose keys are `context` in the registry."""
    return [
        Binding(action.keys, action.action, action.description, show=action.footer, priority=action.priority,
                tooltip=action.tooltip, id=action.id)
        for action in CONTEXTS[context].actions
    ]


def context_of(node: DOMNode) -> str | None:
    """The registry context a screen or widget takes its keys from (None: not one of reader's)."""
    return getattr(type(node), "KEY_CONTEXT", None)


def screen_keys(screen: DOMNode) -> ScreenKeys | None:
    """What the registry says about the keys of `screen` (None: a screen not of reader's)."""
    context = context_of(screen)
    return SCREENS.get(context) if context is not None else None


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
    return " ".join(key_label(key) for key in split_keys(keys))


def binding_rows(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> Rows:
    """(keys, description, binding id) for each binding."""
    return [(keys_of(b, keymap), b.tooltip or b.description, b.id or "") for b in bindings]


def help_sections(screen: DOMNode, keymap: Mapping[str, str], codebook: Codebook) -> list[tuple[str, Rows]]:
    """The help's sections for `screen` (the app adds the keys that work everywhere): its
    widgets' keys and its own under its title, then the tag keys where they tag."""
    keys = screen_keys(screen)
    if keys is None:
        return [("This screen", binding_rows(getattr(screen, "BINDINGS", []), keymap))]
    bindings = [binding for context in (*keys.widgets, keys.context) for binding in bindings_for(context)]
    sections = [(keys.title, binding_rows(bindings, keymap))]
    if keys.tag_keys:
        tags = [
            (look.key or "", display_text(f"tag as {name}: {look.description or ''}".rstrip(": ")), "")
            for name, look in codebook.keyed()
        ]
        if tags:
            sections.append(("Tags (the selection, or the sentence under the cursor)", tags))
    return sections


def palette_targets(screen: DOMNode) -> list[tuple[DOMNode, list[Binding]]]:
    """Each node whose actions the command palette offers on `screen`, with its bindings: the
    screen's palette widget (if it has one), then the screen itself."""
    keys = screen_keys(screen)
    targets: list[tuple[DOMNode, list[Binding]]] = []
    if keys is not None and keys.palette_widget is not None:
        widget = next((node for node in screen.walk_children() if context_of(node) == keys.palette_widget), None)
        if widget is not None:
            targets.append((widget, bindings_for(keys.palette_widget)))
    targets.append((screen, list(getattr(screen, "BINDINGS", []))))
    return targets
