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


def both_sides(row, width: int, style, muted, mark) -> list[tuple[str, object]]:
    """The second line of a disagreement in a list (agreement, adjudication): each side's tag
    and quote, cut to share `width`; "—" for a side with nothing there."""
    from reader.services.agreement import tag_label

    pieces: list[tuple[str, object]] = [("   ", style)]
    for side, unit, quote in (("A", row.found.a, row.a_quote), ("B", row.found.b, row.b_quote)):
        pieces.append((f" {side} ", muted))
        if unit is None:
            pieces.append(("—   ", muted))
            continue
        pieces.append((display_text(tag_label(unit.tag)) + " ", style))
        room = max(12, (width - 30) // 2 - len(unit.tag))
        shown = display_text(quote if len(quote) <= room else quote[: room - 1] + "…")
        pieces += [("“", muted), (shown, mark), ("”  ", muted)]
    return pieces


class ArticleTexts:
    """(title, text) of articles by id, the most recently used few kept (a page of a list of
    passages shows at most 100 articles); "(article removed)" for one no longer there."""

    def __init__(self, store, size: int = 256) -> None:
        from collections import OrderedDict

        self.store = store
        self.size = size
        self._kept: OrderedDict[object, tuple[str, str]] = OrderedDict()

    def clear(self) -> None:
        self._kept.clear()

    def get(self, article: object) -> tuple[str, str]:
        found = self._kept.get(article)
        if found is not None:
            self._kept.move_to_end(article)
            return found
        try:
            loaded = self.store.articles.get(article)
            found = (loaded.title, loaded.text)
        except KeyError:
            found = ("(article removed)", "")
        self._kept[article] = found
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return found
