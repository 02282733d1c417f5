"""Chart widgets drawn with Textual's own means: a heat-coloured table of counts and a horizontal bar chart in block characters.

Display only: they draw the `Matrix` they are given and never query the store; labels (tag names, sources) are plain text, never markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable

from reader.store.figures import Matrix
from reader.tui.keys import bindings_for
from reader.tui.wrap import display_text

#: Eighths of a cell, for bars with sub-cell resolution.
EIGHTHS = " ▏▎▍▌▋▊▉█"
#: Heat colours, pale to dark (ColorBrewer YlOrRd), and the text colour readable on each.
HEAT = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026")
HEAT_TEXT = ("#000000",) * 5 + ("#ffffff",) * 3
#: Rows a table shows at most; the rest are summed into one last row (a DataTable slows down
#: with every row: the charts stay quick with a corpus of thousands of sources).
MAX_TABLE_ROWS = 300
LABEL_WIDTH = 28
#: The widest a table's label column or a column of counts gets; a longer name ends in "…".
MAX_LABEL = 40


def bar(value: int, maximum: int, width: int) -> str:
    """`value` as a bar of at most `width` cells (in eighths of a cell) on a scale up to
    `maximum`; a value above 0 always shows at least an eighth."""
    if value <= 0 or maximum <= 0 or width <= 0:
        return ""
    eighths = max(1, round(min(value, maximum) / maximum * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[rest] if rest else "")


def heat_level(count: int, maximum: int) -> int | None:
    """The heat colour index of `count` (None for 0), on a square-root scale so that a few
    large cells do not wash out the rest."""
    if count <= 0 or maximum <= 0:
        return None
    share = math.sqrt(min(count, maximum) / maximum)
    return min(len(HEAT) - 1, int(share * len(HEAT)))


def heat_cell(count: int, maximum: int, bold: bool = False) -> Text:
    level = heat_level(count, maximum)
    if level is None:
        return Text(f"{count:,}", style="dim", justify="right")
    style = Style(color=HEAT_TEXT[level], bgcolor=HEAT[level], bold=bold)
    return Text(f"{count:,}", style=style, justify="right")


def label_text(label: str, style: str = "") -> Text:
    """A user-given label (tag, source, entity) as plain text, control characters neutralised."""
    return Text(display_text(label), style=style, no_wrap=True, overflow="ellipsis")


@dataclass(frozen=True, slots=True)
class ShownTable:
    """What a HeatTable shows of a Matrix: its rows (capped at MAX_TABLE_ROWS, the rest summed
    into an "other" row) with their labels, counts and totals."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    totals: tuple[int, ...]
    #: Rows summed into the last row (0 when every row is its own).
    folded: int = 0

    @classmethod
    def of(cls, matrix: Matrix, limit: int = MAX_TABLE_ROWS) -> ShownTable:
        labels = [matrix.row_label(row) for row in matrix.rows]
        counts = [list(row) for row in matrix.counts]
        totals = list(matrix.row_totals)
        folded = 0
        if len(labels) > limit:
            folded = len(labels) - (limit - 1)
            rest = counts[limit - 1 :]
            summed = [sum(row[index] for row in rest) for index in range(len(matrix.columns))]
            labels = labels[: limit - 1] + [f"({folded:,} other {matrix.row_kind}s)"]
            counts = counts[: limit - 1] + [summed]
            totals = totals[: limit - 1] + [sum(totals[limit - 1 :])]
        return cls(tuple(labels), tuple(tuple(row) for row in counts), tuple(totals), folded)


class HeatTable(DataTable):
    """A Matrix as a table: a row per source/month/tag, a column per tag/entity, cells coloured
    by count; a last column with the row totals and a last row with the column totals."""

    KEY_CONTEXT = "heat_table"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=False, fixed_columns=1, **kwargs)
        self.matrix: Matrix | None = None
        self.shown: ShownTable | None = None

    def show(self, matrix: Matrix, row_header: str, total_row_label: str, diagonal_plain: bool = False) -> None:
        """Fill the table with `matrix`, keeping the cursor where it was (same cell if present)."""
        previous = self.cursor_coordinate
        self.matrix = matrix
        shown = self.shown = ShownTable.of(matrix)
        self.clear(columns=True)
        # Widths set from every label and count, so that no name is cut while a row is drawn
        # before the next one widens its column; a label longer than MAX_LABEL ends in "…".
        label_width = min(MAX_LABEL, max(cell_len(display_text(text)) for text in (row_header, total_row_label, *shown.labels)))
        self.add_column(Text(row_header, style="bold"), key="__row__", width=label_width)
        for index, column in enumerate(matrix.columns):
            counts = [f"{row[index]:,}" for row in shown.counts] + [f"{matrix.column_totals[index]:,}"]
            width = min(MAX_LABEL, max(cell_len(display_text(column)), *(len(count) for count in counts)))
            self.add_column(label_text(column, "bold"), key=f"c{index}", width=width)
        self.add_column(Text(matrix.total_label, style="bold italic"), key="__total__")
        maximum = _heat_maximum(matrix, diagonal_plain)
        for index, (label, counts, total) in enumerate(zip(shown.labels, shown.counts, shown.totals)):
            cells = [
                heat_cell(count, maximum) if not (diagonal_plain and column == index) else
                Text(f"{count:,}", style="bold underline", justify="right")
                for column, count in enumerate(counts)
            ]
            self.add_row(label_text(label), *cells, Text(f"{total:,}", style="bold", justify="right"), key=f"r{index}")
        self.add_row(
            Text(total_row_label, style="bold italic"),
            *(Text(f"{count:,}", style="bold", justify="right") for count in matrix.column_totals),
            Text(f"{matrix.total:,}", style="bold", justify="right"),
            key="__totals__",
        )
        self.move_cursor(row=min(previous.row, self.row_count - 1), column=min(max(previous.column, 1), len(self.columns) - 1),
                         animate=False)

    @property
    def column_index(self) -> int | None:
        """The Matrix column under the cursor, or None on the label or totals column."""
        if self.matrix is None:
            return None
        column = self.cursor_coordinate.column - 1
        return column if 0 <= column < len(self.matrix.columns) else None

    @property
    def row_index(self) -> int | None:
        """The shown row under the cursor, or None on the totals row."""
        if self.shown is None:
            return None
        row = self.cursor_coordinate.row
        return row if row < len(self.shown.labels) else None


def _heat_maximum(matrix: Matrix, diagonal_plain: bool) -> int:
    if not diagonal_plain:
        return matrix.max_count
    return max(
        (count for row, counts in enumerate(matrix.counts) for column, count in enumerate(counts) if row != column),
        default=0,
    )


class BarChart(ScrollView, can_focus=False):
    """Horizontal bars, one line each: label, bar in eighths of a cell, count. One line can be
    marked (the table's cursor row). Draws only the lines on screen (Line API)."""

    DEFAULT_CSS = """
    BarChart {
        background: $surface;
        overflow-x: hidden;
    }
    BarChart > .bar-chart--mark {
        background: $accent 30%;
        text-style: bold;
    }
    BarChart > .bar-chart--muted {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES = {"bar-chart--mark", "bar-chart--muted"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: list[tuple[str, int]] = []
        self.color = "#61afef"
        self.marked: int | None = None
        self._label_width = self._number_width = self._maximum = 0

    def show(self, items: Sequence[tuple[str, int]], color: str | None = None, marked: int | None = None) -> None:
        self.items = [(display_text(label), count) for label, count in items]
        self.color = color or self.color
        self._label_width = max((cell_len(label) for label, _ in self.items), default=0)
        self._number_width = max((len(f"{count:,}") for _, count in self.items), default=0)
        self._maximum = max((count for _, count in self.items), default=0)
        self.virtual_size = Size(self.size.width, len(self.items))
        self.mark(marked)
        self.refresh()

    def mark(self, index: int | None) -> None:
        """Mark line `index` (None: none) and scroll it into view."""
        self.marked = index
        if index is not None and 0 <= index < len(self.items):
            height = self.scrollable_content_region.height
            top = int(self.scroll_offset.y)
            if index < top or index >= top + height:
                self.scroll_to(y=max(0, index - height // 2), animate=False, immediate=True)
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.items))

    def line_text(self, index: int, width: int) -> tuple[str, str, str]:
        """(label, bar, count) of line `index` laid out in `width` cells."""
        label, count = self.items[index]
        label_width = min(self._label_width, max(LABEL_WIDTH, width // 3))  # whole names where there is room
        room = max(width - label_width - self._number_width - 4, 1)
        if cell_len(label) > label_width:
            label = set_cell_size(label, label_width - 1) + "…"
        return f" {set_cell_size(label, label_width)} ", bar(count, self._maximum, room), f" {count:,}"

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = int(self.scroll_offset.y) + y
        if not 0 <= index < len(self.items):
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("bar-chart--mark") if index == self.marked else base
        muted = style + self.get_component_rich_style("bar-chart--muted", partial=True)
        label, drawn, number = self.line_text(index, width)
        segments = [Segment(label, style), Segment(drawn, style + Style(color=self.color)), Segment(number, muted)]
        return Strip(segments).extend_cell_length(width, style).crop(0, width)
