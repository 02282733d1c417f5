"""A list of any rows as a Line-API view: rows are fetched a page at a time and drawn by a function.

It never holds more than a few pages of rows, whatever the count (100,000 passages stay instant).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.tui.keys import bindings_for

PAGE_SIZE = 100
CACHED_PAGES = 16

#: Reads `limit` rows from position `offset`.
Fetch = Callable[[int, int], list[Any]]
#: Reads the `limit` rows next to a row (None: from the list's end), in list order.
Seek = Callable[[Any | None, int], list[Any]]


class PageCache:
    """Rows read a page at a time, the last `pages` pages kept.

    A page is read by `fetch(offset, limit)`, unless the list can also seek (`after`, `before`
    and its `count` given): then a page next to one in the cache is read from that page's
    first or last row (`after(row, limit)`, `before(row, limit)`), and the last page from the
    end (`before(None, limit)`), so paging and jumping to either end cost the same at any
    depth; `fetch` is left for a jump to a page with no neighbour cached (a scrollbar drag)."""

    def __init__(
        self, fetch: Fetch, page_size: int = PAGE_SIZE, pages: int = CACHED_PAGES,
        after: Seek | None = None, before: Seek | None = None, count: int | None = None,
    ):
        self.fetch = fetch
        self.page_size = page_size
        self.pages = pages
        self.after = after
        self.before = before
        self.count = count
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()

    def row(self, index: int) -> Any | None:
        """Row `index` (None past the end of what `fetch` gives)."""
        page_index, position = divmod(index, self.page_size)
        page = self._pages.get(page_index)
        if page is None:
            page = self._read(page_index)
            self._pages[page_index] = page
            if len(self._pages) > self.pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_index)
        return page[position] if position < len(page) else None

    def _read(self, page_index: int) -> list[Any]:
        size = self.page_size
        if self.after is not None and self.before is not None and self.count is not None:
            previous, following = self._pages.get(page_index - 1), self._pages.get(page_index + 1)
            if previous and len(previous) == size:
                return self.after(previous[-1], size)
            if following:
                return self.before(following[0], size)
            if page_index > 0 and page_index == (self.count - 1) // size:  # the last page (0 is as quick by offset)
                return self.before(None, self.count - page_index * size)
        return self.fetch(page_index * size, size)


#: Draws line `line` (0-based, < lines_per_row) of a row in `width` cells, given the row
#: style (cursor or not) and the muted style: a list of (text, style) pieces.
DrawRow = Callable[[Any, int, int, Style, Style], list[tuple[str, Style]]]


def fit_strip(strip: Strip, width: int, style: Style) -> Strip:
    """`strip` padded to `width` cells in `style`, or cut to them with an ellipsis in its last cell."""
    if strip.cell_length <= width:
        return strip.extend_cell_length(width, style)
    cut = strip.crop(0, max(width - 1, 0))
    segments = list(cut)
    last = segments[-1].style if segments else style
    return Strip([*segments, Segment("…", last)]).crop(0, width)


class CursorRows(ScrollView):
    """Rows of `lines_per_row` lines read through a PageCache, under `header_lines` lines of
    header, with a cursor row: the movement PagedList and the article list share. A subclass
    sets `count`, `lines_per_row` and `_rows`, and says what choosing a row does (`choose`)."""

    header_lines = 0
    count: int
    lines_per_row: int
    _rows: PageCache

    cursor: reactive[int] = reactive(0, repaint=False)

    def row(self, index: int) -> Any | None:
        return self._rows.row(index) if 0 <= index < self.count else None

    @property
    def current(self) -> Any | None:
        return self.row(self.cursor)

    def choose(self) -> None:
        """Act on the row under the cursor (enter, or a double click)."""
        raise NotImplementedError

    def watch_cursor(self, new: int) -> None:
        # A header covers the top lines: keep its lines and the row's lines in view.
        self.scroll_to_region(
            Region(0, new * self.lines_per_row, 1, self.lines_per_row + self.header_lines),
            animate=False, immediate=True, force=True,
        )
        self.refresh()

    def action_move(self, delta: int) -> None:
        if self.count:
            self.cursor = min(max(self.cursor + delta, 0), self.count - 1)

    def action_jump(self, direction: int) -> None:
        if self.count:
            self.cursor = 0 if direction < 0 else self.count - 1

    def action_page(self, direction: int) -> None:
        rows = max(1, (self.scrollable_content_region.height - self.header_lines) // self.lines_per_row - 1)
        self.action_move(direction * rows)

    def on_click(self, event: events.Click) -> None:
        line = event.y + int(self.scroll_offset.y) - self.header_lines
        index = line // self.lines_per_row
        if line >= 0 and index < self.count:
            if index == self.cursor and event.chain >= 2:
                self.choose()
            self.cursor = index


class PagedList(CursorRows, can_focus=True):
    """Rows from `fetch(offset, limit)`, `lines_per_row` lines each, with a cursor row;
    enter posts `Chosen` with the row."""

    DEFAULT_CSS = """
    PagedList {
        background: $surface;
        overflow-x: hidden;
    }
    PagedList > .paged-list--cursor {
        background: $accent 40%;
    }
    PagedList > .paged-list--muted {
        color: $text-muted;
    }
    PagedList > .paged-list--mark {
        background: $warning 35%;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES = {"paged-list--cursor", "paged-list--muted", "paged-list--mark"}

    KEY_CONTEXT = "paged_list"
    BINDINGS = bindings_for(KEY_CONTEXT)

    class Chosen(Message):
        def __init__(self, paged_list: PagedList, row: Any) -> None:
            super().__init__()
            self.paged_list = paged_list
            self.row = row

        @property
        def control(self) -> PagedList:
            return self.paged_list

    def __init__(self, draw: DrawRow, lines_per_row: int = 1, **kwargs) -> None:
        super().__init__(**kwargs)
        self._draw = draw
        self.lines_per_row = lines_per_row
        self.count = 0
        self._rows = PageCache(lambda _offset, _limit: [])

    def show(
        self, fetch: Fetch, count: int, keep_cursor: bool = False, after: Seek | None = None, before: Seek | None = None,
    ) -> None:
        """Show the rows `fetch` gives (`count` of them); cached rows are dropped. With `after`
        and `before`, pages next to a read one and the last page are sought (see PageCache)."""
        self._rows = PageCache(fetch, after=after, before=before, count=count)
        self.count = count
        self._update_size()
        self.cursor = min(self.cursor, max(count - 1, 0)) if keep_cursor else 0
        self.refresh()

    def on_resize(self) -> None:
        self._update_size()

    def _update_size(self) -> None:
        self.virtual_size = Size(self.size.width, self.count * self.lines_per_row)

    def choose(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(self, row))

    def action_choose(self) -> None:
        self.choose()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index, line = divmod(int(self.scroll_offset.y) + y, self.lines_per_row)
        row = self.row(index)
        if row is None:
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("paged-list--cursor") if index == self.cursor else base
        muted = style + self.get_component_rich_style("paged-list--muted", partial=True)
        pieces = self._draw(row, line, width, style, muted)
        return fit_strip(Strip([Segment(text, piece_style) for text, piece_style in pieces]), width, style)

    def mark_style(self, style: Style) -> Style:
        """`style` with the highlight used for the matched words of a row."""
        return style + self.get_component_rich_style("paged-list--mark", partial=True)
