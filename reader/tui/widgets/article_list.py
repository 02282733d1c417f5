"""The article list as a Line-API view: only visible rows are rendered, fetched a page at a time.

It never holds the whole corpus: rows come from a `fetch(offset, limit)` callable on demand.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core.store import ArticleRow
from reader.tui.wrap import display_text

PAGE_SIZE = 100
CACHED_PAGES = 32

Fetch = Callable[[int, int], list[ArticleRow]]


def fit(text: str, width: int) -> str:
    """`text` padded to exactly `width` cells, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1).rstrip() + "…"
    return set_cell_size(text, width)


class Columns:
    """Column widths for a total width: the title takes what the others leave, and the
    source and tags columns appear only when the title keeps a readable width."""

    SOURCE, DATE, COUNT, TAGS = 16, 10, 5, 22

    def __init__(self, width: int):
        self.source = self.SOURCE if width >= 70 else 0
        self.tags = self.TAGS if width >= 110 else 0
        used = self.DATE + self.COUNT + 2 + (self.source + 1 if self.source else 0) + (self.tags + 1 if self.tags else 0)
        self.title = max(10, width - used)

    def cells(self, title: str, source: str, date: str, count: str, tags: str) -> list[str]:
        out = [" " + fit(title, self.title - 1)]
        if self.source:
            out.append(" " + fit(source, self.source))
        out.append(" " + fit(date, self.DATE))
        out.append(" " + fit(count.rjust(self.COUNT - 1), self.COUNT))
        if self.tags:
            out.append(" " + fit(tags, self.tags))
        return out


class ArticleList(ScrollView, can_focus=True):
    """Rows of (title, source, date, annotation count, tags) with a cursor row."""

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
    }
    ArticleList > .article-list--cursor {
        background: $accent 40%;
        text-style: bold;
    }
    ArticleList > .article-list--header {
        color: $text-muted;
        text-style: bold;
    }
    ArticleList > .article-list--muted {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES = {"article-list--cursor", "article-list--header", "article-list--muted"}

    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="list.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="list.up"),
        Binding("g,home", "jump(-1)", "First", show=False, id="list.first"),
        Binding("G,end", "jump(1)", "Last", show=False, id="list.last"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("enter", "open", "Open", id="list.open"),
    ]

    cursor: reactive[int] = reactive(0, repaint=False)

    class Opened(Message):
        def __init__(self, article_id: int) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, fetch: Fetch, count: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self._fetch = fetch
        self.count = count
        self._pages: OrderedDict[int, list[ArticleRow]] = OrderedDict()

    def on_mount(self) -> None:
        self._update_size()

    def on_resize(self) -> None:
        self._update_size()

    def _update_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.count + 1)

    def reload(self, count: int) -> None:
        """Forget cached rows (after a change) and show `count` rows."""
        self.count = count
        self._pages.clear()
        self.cursor = min(self.cursor, max(count - 1, 0))
        self._update_size()
        self.refresh()

    def row(self, index: int) -> ArticleRow | None:
        if not 0 <= index < self.count:
            return None
        page_index, position = divmod(index, PAGE_SIZE)
        page = self._pages.get(page_index)
        if page is None:
            page = self._fetch(page_index * PAGE_SIZE, PAGE_SIZE)
            self._pages[page_index] = page
            if len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_index)
        return page[position] if position < len(page) else None

    @property
    def current(self) -> ArticleRow | None:
        return self.row(self.cursor)

    # ---- movement ---------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        # Virtual line 0 is covered by the sticky header, so keep lines `new` and `new + 1` in view.
        self.scroll_to_region(Region(0, new, 1, 2), animate=False, immediate=True, force=True)
        self.refresh()

    def action_move(self, delta: int) -> None:
        if self.count:
            self.cursor = min(max(self.cursor + delta, 0), self.count - 1)

    def action_jump(self, direction: int) -> None:
        if self.count:
            self.cursor = 0 if direction < 0 else self.count - 1

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 2))

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row.id))

    def on_click(self, event) -> None:
        index = event.y + int(self.scroll_offset.y) - 1
        if 0 <= index < self.count:
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self.cursor = index

    # ---- rendering --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        columns = Columns(width)
        if y == 0:
            header = columns.cells("Title", "Source", "Date", "Ann.", "Tags")
            style = base + self.get_component_rich_style("article-list--header")
            return Strip([Segment("".join(header), style)]).extend_cell_length(width, base).crop(0, width)
        index = scroll_y + y - 1
        row = self.row(index)
        if row is None:
            return Strip.blank(width, base)
        cells = columns.cells(
            display_text(row.title),
            display_text(row.source or ""),
            (row.published or "")[:10],
            str(row.annotation_count) if row.annotation_count else "·",
            display_text(", ".join(row.tags)),
        )
        style = base + self.get_component_rich_style("article-list--cursor") if index == self.cursor else base
        muted = style + self.get_component_rich_style("article-list--muted", partial=True)
        segments = [Segment(cells[0], style)] + [Segment(cell, muted) for cell in cells[1:]]
        return Strip(segments).extend_cell_length(width, style).crop(scroll_x, scroll_x + width)
