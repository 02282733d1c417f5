"""The article text as a Line-API view that owns its cursor, selection and highlight spans.

It renders only the visible lines and never talks to the store: the screen feeds it spans.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core.codebook import tag_background, terminal_colors
from reader.core.entities import Span
from reader.core.entities.packed import SpanTable
from reader.core.segment import Segments, trimmed
from reader.tui.keys import bindings_for
from reader.tui.wrap import WrappedText, display_text, layout_text

GUTTER = 2
_SEGMENT_OF_UNIT = {"word": "bare_words", "sentence": "sentences", "paragraph": "paragraphs"}
SEARCH_HIT_COLOR = "#ffd75f"


@dataclass(frozen=True, slots=True)
class Highlight:
    """An annotation as the view shows it."""

    id: str
    start: int
    end: int
    color: str
    label: str


@dataclass(frozen=True, slots=True)
class _CellStyle:
    entity: str | None
    layer_color: str | None
    layers: int
    selected: bool
    cursor: bool
    hit: bool = False
    #: The passage is drawn underlined: it follows another one directly, so the two stay
    #: apart without colour.
    alternate: bool = False


class ArticleView(ScrollView, can_focus=True):
    """Wrapped, highlighted text with a character cursor and a keyboard selection."""

    DEFAULT_CSS = """
    ArticleView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
    }
    """

    KEY_CONTEXT = "article_view"
    BINDINGS = bindings_for(KEY_CONTEXT)

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class CursorMoved(Message):
        """The cursor or the selection changed."""

        def __init__(self, view: ArticleView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, text: str, reading_width: int = 88, **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = text
        self._display = display_text(text)
        self.segments = Segments.of(text)
        self.reading_width = reading_width
        self.entities: SpanTable = SpanTable.empty()
        self.entity_colors: dict[str, str] = {}
        self.highlights: list[Highlight] = []
        self._underlined: set[str] = set()
        self.hidden_labels: set[str] = set()
        self.search_hits: list[tuple[int, int]] = []
        self._hit_ends: list[int] = []
        self._dragging = False
        self.anchor: int | None = None  # visual-mode anchor; None when nothing is selected
        self._char_motion = False
        # Whether the selection was last moved by w, b or e (it then holds whole words without
        # punctuation at its ends), and by w forward (the word under the cursor left out).
        self._word_motion = False
        self._word_exclusive = False
        # Laid out for real on the first resize, when the widget's width is known.
        self.wrapped = WrappedText(text, 0, [0], [0])
        self._column_goal: int | None = None
        self._styles: dict[_CellStyle, Style] = {}

    # ---- data from the screen ---------------------------------------------------------

    def set_text(self, text: str, cursor: int = 0) -> None:
        """Show another text (the article changed in the database), with the cursor at
        `cursor`; the selection, entities, highlights and hits of the old text are dropped."""
        self.text = text
        self._display = display_text(text)
        self.segments = Segments.of(text)
        self.entities = SpanTable.empty()
        self.highlights = []
        self.search_hits = []
        self._hit_ends = []
        self.anchor = None
        self.wrapped = WrappedText(text, 0, [0], [0])
        self._rewrap()
        self.cursor = min(max(cursor, 0), max(len(text) - 1, 0))

    def set_entities(self, spans: Sequence[Span], colors: dict[str, str]) -> None:
        self.entities = spans if isinstance(spans, SpanTable) else SpanTable.from_spans(spans)
        self.entity_colors = colors
        self._styles.clear()
        self.refresh()

    def set_hidden_labels(self, hidden: set[str]) -> None:
        """Entity types not to highlight."""
        self.hidden_labels = set(hidden)
        self.refresh()

    def set_search_hits(self, hits: Sequence[tuple[int, int]]) -> None:
        """Search hits to show; they must not overlap (as from one regex's finditer)."""
        self.search_hits = sorted(hits)
        self._hit_ends = [end for _, end in self.search_hits]
        self.refresh()

    def set_highlights(self, highlights: Sequence[Highlight]) -> None:
        self.highlights = sorted(highlights, key=lambda h: (h.start, -h.end))
        # A passage that begins where another ends (or right after it, past spaces) is
        # underlined unless that one is: two passages side by side read as two without colour.
        self._underlined = set()
        ends: dict[int, Highlight] = {}
        for highlight in self.highlights:
            start = highlight.start
            while start > 0 and start not in ends and self.text[start - 1 : start] in (" ", "\t"):
                start -= 1
            before = ends.get(start)
            if before is not None and before.id not in self._underlined:
                self._underlined.add(highlight.id)
            ends[highlight.end] = highlight
        self.refresh()

    @property
    def terminal_colors(self) -> str:
        """The colours the terminal shows ("truecolor", "256" or "16"), as the app's console sees it."""
        try:
            return terminal_colors(self.app.console.color_system)
        except Exception:  # no app yet (a view built outside one)
            return "truecolor"

    # ---- geometry ---------------------------------------------------------------------

    def _usable(self, width: int | None = None) -> int:
        """The width lines are laid out in: the widget (or `width`) less a vertical
        scrollbar, whether or not one is showing yet, so text never hides under it."""
        return max(1, (self.size.width if width is None else width) - self.styles.scrollbar_size_vertical)

    @property
    def _usable_width(self) -> int:
        return self._usable()

    def _text_width(self, usable: int) -> int:
        return min(self.reading_width, max(10, usable - GUTTER - 1))

    @property
    def text_width(self) -> int:
        return self._text_width(self._usable_width)

    @property
    def left_margin(self) -> int:
        return max(0, (self._usable_width - self.text_width - GUTTER) // 2)

    def on_mount(self) -> None:
        # Lay out now at the screen's width (what this view gets unless a panel is open), so
        # the very first frame shows text; a resize corrects it if the guess was wrong.
        self._rewrap(self.app.size.width)

    def on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self, width: int | None = None) -> None:
        usable = self._usable(width)
        text_width = self._text_width(usable)
        if self.wrapped.width != text_width:
            self.wrapped = WrappedText.wrap(layout_text(self.text), text_width)
        self.virtual_size = Size(usable, len(self.wrapped))
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    # ---- cursor and selection ---------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected `[start, end)`, or None."""
        if self.anchor is None or not self.text:
            return None
        if self._word_motion:
            words = self.segments.word_selection(self.anchor, self.cursor, self._word_exclusive)
            if words is not None:
                return words
        start, end = sorted((self.anchor, self.cursor))
        return start, min(end + 1, len(self.text))

    def target_span(self) -> tuple[int, int] | None:
        """What a tag key applies to: the selection (trimmed, snapped to whole words unless the
        user moved by character), or else the sentence under the cursor."""
        selection = self.selection
        if selection is None:
            return self.segments.sentence_at(self.cursor)
        start, end = selection
        if not self._char_motion:
            start, end = self._snap_to_words(start, end)
        return trimmed(self.text, start, end)

    def _snap_to_words(self, start: int, end: int) -> tuple[int, int]:
        first = self.segments.containing(self.segments.words, start)
        if first and first[0] <= start < first[1]:
            start = first[0]
        last = self.segments.containing(self.segments.words, end - 1)
        if last and last[0] <= end - 1 < last[1]:
            end = last[1]
        return start, end

    def watch_cursor(self) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def _scroll_cursor_into_view(self) -> None:
        if not self.text:
            return
        line = self.wrapped.line_of(self.cursor)
        self.scroll_to_region(Region(0, line, 1, 1), animate=False, immediate=True, force=True)

    def _move_to(self, offset: int) -> None:
        self.cursor = min(max(offset, 0), max(len(self.text) - 1, 0))

    def action_move(self, unit: str, direction: int) -> None:
        if not self.text:
            return
        self._char_motion = unit in ("char", "line")
        self._word_motion = unit in ("word", "word_end")
        self._word_exclusive = unit == "word" and direction > 0
        if unit != "line" and unit != "page":
            self._column_goal = None
        target = self._target(unit, direction)
        if target is not None:
            self._move_to(target)

    def _target(self, unit: str, direction: int) -> int | None:
        # Only the segmentation this move needs is computed (each is costly on a long text).
        spans = getattr(self.segments, _SEGMENT_OF_UNIT[unit]) if unit in _SEGMENT_OF_UNIT else None
        if spans is not None:
            if direction > 0:
                found = Segments.next_start(spans, self.cursor)
                return len(self.text) - 1 if found is None else found
            found = Segments.previous_start(spans, self.cursor)
            return 0 if found is None else found
        if unit == "word_end":
            found = Segments.next_end(self.segments.bare_words, self.cursor)
            return len(self.text) - 1 if found is None else found
        if unit == "char":
            return self.cursor + direction
        if unit == "document":
            return 0 if direction < 0 else len(self.text) - 1
        rows = 1 if unit == "line" else max(1, self.scrollable_content_region.height - 1)
        line = self.wrapped.line_of(self.cursor)
        if self._column_goal is None:
            self._column_goal = self.wrapped.column_of(self.cursor)
        target_line = min(max(line + rows * direction, 0), len(self.wrapped) - 1)
        if unit == "page":
            self.scroll_relative(y=rows * direction, animate=False, immediate=True)
        return self.wrapped.offset_at(target_line, self._column_goal)

    def action_toggle_visual(self) -> None:
        self.anchor = None if self.anchor is not None else self.cursor
        self._char_motion = self._word_motion = False
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def action_select_sentence(self) -> None:
        sentence = self.segments.sentence_at(self.cursor)
        if sentence is None:
            return
        self.anchor = sentence[0]
        self._char_motion = self._word_motion = False
        self._move_to(sentence[1] - 1)

    def action_select_paragraph(self) -> None:
        paragraph = Segments.containing(self.segments.paragraphs, self.cursor)
        if paragraph is None:
            return
        self.anchor = paragraph[0]
        self._char_motion = self._word_motion = False
        self._move_to(paragraph[1] - 1)

    def action_extend(self, unit: str, direction: int) -> None:
        """Shift+movement: start a selection at the cursor if there is none, then move."""
        if self.anchor is None:
            self.anchor = self.cursor
        self.action_move(unit, direction)

    def action_next_hit(self, direction: int) -> None:
        self._jump([start for start, _ in self.search_hits], direction, "No search hits here: / searches.")

    def action_next_annotation(self, direction: int) -> None:
        self._jump(sorted({h.start for h in self.highlights}), direction, "No annotations in this article.")

    def _jump(self, starts: list[int], direction: int, nothing: str) -> None:
        if not starts:
            self.notify(nothing, markup=False)
            return
        if direction > 0:
            target = next((start for start in starts if start > self.cursor), starts[0])
        else:
            target = next((start for start in reversed(starts) if start < self.cursor), starts[-1])
        self.move_cursor_to(target)

    def action_clear_selection(self) -> None:
        if self.anchor is None and self.search_hits:
            self.set_search_hits([])  # a second esc clears the search highlights
        self.anchor = None
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def move_cursor_to(self, offset: int) -> None:
        self._column_goal = None
        self._move_to(offset)

    def offset_at_point(self, x: int, y: int) -> int | None:
        """The text offset shown at widget cell (x, y), or None outside the text."""
        line = int(self.scroll_offset.y) + y
        if not self.text or line >= len(self.wrapped):
            return None
        column = x - self.left_margin - GUTTER
        return self.wrapped.offset_at(line, max(0, column))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self.offset_at_point(event.x, event.y)
        if offset is None:
            return
        self.focus()
        self.capture_mouse()
        self._dragging = True
        self.anchor = None
        self._char_motion = self._word_motion = False
        self.move_cursor_to(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        offset = self.offset_at_point(event.x, max(0, event.y))
        if offset is not None and offset != self.cursor:
            if self.anchor is None:
                self.anchor = self.cursor
            self.move_cursor_to(offset)

    def on_mouse_up(self, _event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    # ---- what is under the cursor ------------------------------------------------------

    def entity_at(self, offset: int) -> Span | None:
        """The visible entity under `offset` (entities never overlap, so their ends are sorted)."""
        index = self.entities.first_ending_after(offset)
        if index < len(self.entities):
            span = self.entities[index]
            if span.start <= offset and span.label not in self.hidden_labels:
                return span
        return None

    def highlights_at(self, offset: int) -> list[Highlight]:
        return [h for h in self.highlights if h.start <= offset < h.end]

    # ---- rendering --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.wrapped):
            return Strip.blank(width, base)
        start, end = self.wrapped.starts[index], self.wrapped.ends[index]
        segments = [Segment(" " * self.left_margin, base), self._gutter(start, end, base)]
        segments.extend(self._text_segments(start, end, base))
        if self.text and start <= self.cursor and self.cursor == end and self.text[end : end + 1] in ("\n", ""):
            segments.append(Segment(" ", self._style_for(_CellStyle(None, None, 0, False, self.has_focus), base)))
        strip = Strip(segments).extend_cell_length(width, base)
        return strip.crop(scroll_x, scroll_x + width)

    def _gutter(self, start: int, end: int, base: Style) -> Segment:
        touching = [h for h in self.highlights if h.start < max(end, start + 1) and h.end > start]
        if not touching:
            return Segment(" " * GUTTER, base)
        mark = "┃" if len(touching) > 1 else "▎"
        innermost = min(touching, key=lambda h: h.end - h.start)
        return Segment(mark + " ", base + Style(color=_rich_color(innermost.color)))

    def _text_segments(self, start: int, end: int, base: Style) -> list[Segment]:
        """The line `[start, end)` as styled runs: the text is cut only where some span,
        the selection or the cursor begins or ends, and each run's style is looked up once."""
        if start == end:
            return []
        entities = []
        table = self.entities
        for index in range(table.first_ending_after(start), len(table)):
            if table.starts[index] >= end:
                break
            if table.label(index) not in self.hidden_labels:
                entities.append(table[index])
        hits = []
        for hit in self.search_hits[bisect.bisect_right(self._hit_ends, start) :]:
            if hit[0] >= end:
                break
            hits.append(hit)
        # Highlights are sorted outermost first, so the last one covering a run is the innermost.
        highlights = [h for h in self.highlights if h.start < end and h.end > start]
        selection = self.selection
        cursor = self.cursor if self.text and self.has_focus else -1
        cuts = {start, end, cursor, cursor + 1}
        for span in entities:
            cuts.update((span.start, span.end))
        for hit_start, hit_end in hits:
            cuts.update((hit_start, hit_end))
        for highlight in highlights:
            cuts.update((highlight.start, highlight.end))
        if selection is not None:
            cuts.update(selection)
        points = sorted(cut for cut in cuts if start <= cut <= end)
        segments: list[Segment] = []
        for run_start, run_end in zip(points, points[1:]):
            entity = next((span.label for span in entities if span.start <= run_start < span.end), None)
            covering = [h for h in highlights if h.start <= run_start < h.end]
            cell = _CellStyle(
                entity,
                covering[-1].color if covering else None,
                len(covering),
                selection is not None and selection[0] <= run_start < selection[1],
                run_start == cursor,
                any(hit_start <= run_start < hit_end for hit_start, hit_end in hits),
                len(covering) == 1 and covering[0].id in self._underlined,
            )
            segments.append(Segment(self._display[run_start:run_end], self._style_for(cell, base)))
        return segments

    def _style_for(self, cell: _CellStyle | None, base: Style) -> Style:
        if cell is None:
            return base
        cached = self._styles.get(cell)
        if cached is not None:
            return base + cached
        style = Style()
        colors = self.terminal_colors
        if cell.layer_color:
            # Passages on top of each other: underlined and in italics; one that follows
            # another: underlined; so boundaries show without colour too.
            tint = Color(*tag_background(Color.parse(cell.layer_color).rgb, _background(base).rgb, cell.layers, colors))
            style += Style(bgcolor=tint.rich_color, underline=cell.layers > 1 or cell.alternate, italic=cell.layers > 1)
        if cell.entity:
            color = self.entity_colors.get(cell.entity)
            if color:
                style += Style(color=_rich_color(color), bold=True)
        if cell.layer_color and colors == "16":  # the tag's own colour behind: dark text reads on it
            style += Style(color="black")
        if cell.hit:
            style += Style(bgcolor=_rich_color(SEARCH_HIT_COLOR), color="black")
        if cell.selected or cell.cursor:
            style += Style(reverse=True)
        if cell.cursor:
            style += Style(underline=True, bold=True)
        self._styles[cell] = style
        return base + style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _background(style: Style) -> Color:
    if style.bgcolor is not None and style.bgcolor.triplet is not None:
        return Color(*style.bgcolor.triplet)
    return Color(0, 0, 0)


@lru_cache(maxsize=256)
def _rich_color(color: str):
    return Color.parse(color).rich_color
