"""The article list as a Line-API view: only visible rows are rendered, fetched a page at a time.

It never holds the whole corpus: rows come from a `fetch(offset, limit)` callable on demand.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from reader.core.model import ArticleRow, HIT_END, HIT_START
from reader.tui.keys import bindings_for
from reader.tui.widgets.paged_list import CursorRows, PageCache, fit_strip
from reader.tui.wrap import display_text

_SPACES = re.compile(r" {2,}")
PAGE_SIZE = 100
CACHED_PAGES = 32
HEADER_LINES = 1

Fetch = Callable[[int, int], list[ArticleRow]]


def fit(text: str, width: int) -> str:
    """`text` padded to exactly `width` cells, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1).rstrip() + "…"
    return set_cell_size(text, width)


class Columns:
    """Column widths for a total width, by priority: the title keeps at least MIN_TITLE cells,
    then come the date and the annotation count, then the attribute columns asked for (ATTRIBUTE
    cells each, fewer down to MIN_ATTRIBUTE, in their order), then the tags (TAGS cells, more on
    a wide screen, fewer down to MIN_TAGS), then the source; the title takes what is left. Every
    cell is cut with an ellipsis, never at the edge; a column with no room is left out whole."""

    MARK, SOURCE, DATE, COUNT, TAGS, ATTRIBUTE = 2, 16, 10, 5, 22, 14
    MIN_TITLE, MIN_TAGS, MIN_SOURCE, MIN_ATTRIBUTE = 28, 12, 10, 8

    def __init__(self, width: int, attributes: int = 0):
        rest = width - self.MARK - (self.DATE + 1) - (self.COUNT + 1)
        spare = rest - self.MIN_TITLE
        self.attributes: list[int] = []
        for _ in range(attributes):
            room = min(self.ATTRIBUTE, spare - 1) if spare - 1 >= self.MIN_ATTRIBUTE else 0
            if not room:
                break
            self.attributes.append(room)
            spare -= room + 1
        self.tags = min(max(self.TAGS, width // 5), spare - 1) if spare - 1 >= self.MIN_TAGS else 0
        spare -= self.tags + 1 if self.tags else 0
        self.source = min(self.SOURCE, spare - 1) if spare - 1 >= self.MIN_SOURCE else 0
        spare -= self.source + 1 if self.source else 0
        self.title = max(10, self.MIN_TITLE + spare)

    def cells(self, mark: str, title: str, source: str, date: str, count: str, tags: str,
              attributes: tuple[str, ...] = ()) -> list[str]:
        out = [fit(mark, self.MARK), fit(title, self.title)]
        if self.source:
            out.append(" " + fit(source, self.source))
        out += [" " + fit(value, width) for value, width in zip(attributes, self.attributes)]
        out.append(" " + fit(date, self.DATE))
        out.append(" " + fit(count.rjust(self.COUNT - 1), self.COUNT))
        if self.tags:
            out.append(" " + fit(tags, self.tags))
        return out


def snippet_segments(snippet: str, width: int, style: Style, hit: Style) -> list[Segment]:
    """A search snippet on one line with its hits in `hit` style, cut to `width` cells."""
    segments: list[Segment] = []
    used = 0
    parts = snippet.replace(HIT_END, HIT_START).split(HIT_START)
    for index, part in enumerate(parts):  # odd parts are hits
        text = _SPACES.sub(" ", display_text(part))
        if not text or used >= width:
            continue
        if used + cell_len(text) > width:
            text = set_cell_size(text, width - used)
        segments.append(Segment(text, hit if index % 2 else style))
        used += cell_len(text)
    return segments


class ArticleList(CursorRows, can_focus=True):
    """Rows of (read mark, title, source, date, annotation count, tags) with a cursor row;
    in search results each row has a second line with the best hit in context."""

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        overflow-x: hidden;
    }
    ArticleList > .article-list--cursor {
        background: $accent 40%;
    }
    ArticleList > .article-list--header {
        color: $text-muted;
        text-style: bold;
    }
    ArticleList > .article-list--muted {
        color: $text-muted;
    }
    ArticleList > .article-list--unread {
        text-style: bold;
    }
    ArticleList > .article-list--hit {
        background: $warning 40%;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--header",
        "article-list--muted",
        "article-list--unread",
        "article-list--hit",
    }

    KEY_CONTEXT = "article_list"
    BINDINGS = bindings_for(KEY_CONTEXT)

    header_lines = HEADER_LINES

    class Opened(Message):
        def __init__(self, article_id: int) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, fetch: Fetch, count: int, attributes: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        #: The attributes shown as columns (their values come with each row).
        self.attributes = attributes
        self.count = count
        self.lines_per_row = 1
        self._rows = PageCache(fetch, PAGE_SIZE, CACHED_PAGES)

    def on_mount(self) -> None:
        self._update_size()

    def on_resize(self) -> None:
        self._update_size()

    def _update_size(self) -> None:
        self.virtual_size = Size(self.size.width, self.count * self.lines_per_row + HEADER_LINES)

    def reload(self, fetch: Fetch, count: int, lines_per_row: int = 1, keep_cursor: bool = True,
               attributes: tuple[str, ...] | None = None) -> None:
        """Show other rows (a new query) or fresh ones (after a change); cached rows are dropped."""
        self._rows = PageCache(fetch, PAGE_SIZE, CACHED_PAGES)
        if attributes is not None:
            self.attributes = attributes
        self.count = count
        self.lines_per_row = lines_per_row
        self._update_size()
        self.cursor = min(self.cursor, max(count - 1, 0)) if keep_cursor else 0
        self.refresh()

    def choose(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row.id))

    def render_line(self, y: int) -> Strip:
        scroll_y = int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        base = self.rich_style
        columns = Columns(width, len(self.attributes))
        if y < HEADER_LINES:
            header = "".join(columns.cells("", "Title", "Source", "Date", "Ann.", "Tags",
                                           tuple(display_text(name) for name in self.attributes)))
            style = base + self.get_component_rich_style("article-list--header")
            return Strip([Segment(header, style)]).extend_cell_length(width, base).crop(0, width)
        line = scroll_y + y - HEADER_LINES
        index, subline = divmod(line, self.lines_per_row)
        row = self.row(index)
        if row is None:
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("article-list--cursor") if index == self.cursor else base
        muted = style + self.get_component_rich_style("article-list--muted", partial=True)
        if subline:
            hit = style + self.get_component_rich_style("article-list--hit", partial=True)
            indent = Segment(" " * (Columns.MARK + 2), style)
            # one cell more than fits, so that a cut snippet ends in an ellipsis
            segments = [indent, *snippet_segments(row.snippet or "", width - Columns.MARK - 1, muted, hit)]
            return fit_strip(Strip(segments), width, style)
        cells = columns.cells(
            " ✓" if row.done else "" if row.read else " •",
            display_text(row.title),
            display_text(row.source or ""),
            (row.published or "")[:10],
            str(row.annotation_count) if row.annotation_count else "·",
            display_text(", ".join(row.tags)),
            tuple(display_text(value or "") for value in row.attributes),
        )
        title_style = style if row.read else style + self.get_component_rich_style("article-list--unread", partial=True)
        segments = [Segment(cells[0], title_style), Segment(cells[1], title_style)]
        segments += [Segment(cell, muted) for cell in cells[2:]]
        return Strip(segments).extend_cell_length(width, style).crop(0, width)
