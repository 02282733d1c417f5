"""Short, safe renderings of paths and quotes for titles, status lines and notifications.

Display only: nothing here is ever written back to the store.
"""

from __future__ import annotations

from pathlib import Path

from reader.tui.wrap import display_text


def short_path(path: Path) -> str:
    """`path` relative to the working directory when inside it, else with ~ for home."""
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


def short_quote(text: str, limit: int = 48) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(display_text(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
