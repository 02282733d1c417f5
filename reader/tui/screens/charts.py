"""Charts of the corpus: tags per source, tags per month, entity mentions over time, tag co-occurrence; each a heat table over a bar chart.

It never writes and never holds SQL: figures come from reader/store/figures.py, computed in a worker thread with a read-only connection of its own, and user text reaches widgets only as plain Text/Content.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from reader.store import figures as insight
from reader.store.figures import Matrix
from reader.store import Store, StoreError
from reader.tui.keys import bindings_for
from reader.tui.messages import DatabaseChanged
from reader.tui.screens.pickers import PickerScreen, pick_annotator
from reader.tui.widgets.footer import KeysFooter
from reader.tui.widgets.charts import BarChart, HeatTable
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text

VIEWS = {1: "Tags per source", 2: "Tags per month", 3: "Entities over time", 4: "Tag co-occurrence", 5: "Progress"}
SHORT_VIEWS = {1: "Per source", 2: "Per month", 3: "Entities", 4: "Co-occurrence", 5: "Progress"}
#: The views of tag counts per row key: source (or an attribute's values, `b`) and month.
TAG_VIEWS = {1: "source", 2: "month"}
#: The most entities a timeline shows at once (the entity index allows 50).
MAX_ENTITIES = 12
ALL_TAGS = "(all tags)"
#: The first row choice of b: view 1 per source.
BY_SOURCE = "source (the articles' outlets)"
ENTITY_ACCENT = "#61afef"


@dataclass
class ChartState:
    """What the charts show: the view, what is counted, and the filters."""

    view: int = 1
    #: "passages" or "articles" for views 1 and 2; "passage" or "article" for view 4;
    #: "mentions" or "articles" for view 3.
    tag_unit: str = "passages"
    level: str = "passage"
    entity_unit: str = "mentions"
    annotator: str | None = None
    tag: str | None = None
    entities: list = field(default_factory=list)
    #: The attribute whose values are the rows of view 1 (None: the sources), chosen by b.
    attribute: str | None = None

    def key(self) -> tuple:
        """What identifies the figure of the current view (the cache key)."""
        if self.view in TAG_VIEWS:
            attribute = self.attribute if self.view == 1 else None
            return ("tags", "attribute" if attribute else TAG_VIEWS[self.view], self.tag_unit, self.annotator,
                    self.tag, attribute)
        if self.view == 3:
            return ("entities", self.entity_unit, tuple(entity.id for entity in self.entities))
        if self.view == 5:
            return ("progress",)
        return ("co", self.level, self.annotator, self.tag)


def compute(store: Store, key: tuple, entities: list) -> Matrix:
    """The figure `key` names, from `store` (any thread: the store is the caller's own)."""
    family = key[0]
    if family == "tags":
        _family, by, unit, annotator, tag, attribute = key
        tags = insight.tag_names(store, tag) if tag else None
        return insight.tag_counts(store, by, unit, annotator=annotator, tags=tags, attribute=attribute)
    if family == "entities":
        return insight.entity_months(store, entities, key[1])
    if family == "progress":
        return insight.coder_progress(store)
    _family, level, annotator, tag = key
    tags = insight.tag_names(store, tag) if tag else None
    return insight.tag_co_occurrence(store, level, annotator=annotator, tags=tags)


#: Figures computed, by (database, key), with the signature of the data they count: shared by
#: every Charts screen of the process, so opening the screen again shows them at once.
FIGURES: OrderedDict[tuple[str, tuple], tuple[tuple, Matrix]] = OrderedDict()
#: How many figures FIGURES keeps (the least recently used go first).
KEPT_FIGURES = 48


def remember(path: str, key: tuple, seen: tuple, matrix: Matrix) -> None:
    """Keep a figure computed from data with signature `seen`; figures of the same data kind
    computed from other data are dropped (they are out of date)."""
    kind = data_kind(key)
    for other in [entry for entry, (signed, _) in FIGURES.items()
                  if entry[0] == path and data_kind(entry[1]) == kind and signed != seen]:
        del FIGURES[other]
    FIGURES[(path, key)] = (seen, matrix)
    FIGURES.move_to_end((path, key))
    while len(FIGURES) > KEPT_FIGURES:
        FIGURES.popitem(last=False)


def data_kind(key: tuple) -> str:
    """Which data a figure counts: "entities" (the entity index) or "tags" (the annotations)."""
    return "entities" if key[0] == "entities" else "tags"


def signature(store: Store, key: tuple) -> tuple:
    """Numbers that change when the data figure `key` counts changes."""
    return insight.entity_signature(store) if data_kind(key) == "entities" else insight.tag_signature(store)


class ChartsScreen(Screen[None]):
    """Four views switched by 1-4; the table's cursor picks the column the bars show."""

    #: A figure counted within this many ms is counted at once (see `_count_now`), the clock
    #: looked at every NOW_STEPS steps of SQLite's.
    NOW_MS = 60
    NOW_STEPS = 1_000
    #: Whether the other tag views are counted in the background once one is shown.
    PREFETCH = True

    KEY_CONTEXT = "charts"
    BINDINGS = bindings_for(KEY_CONTEXT)

    DEFAULT_CSS = """
    ChartsScreen #charts-tabs { height: 1; background: $panel; padding: 0 1; }
    ChartsScreen #charts-title { height: 1; padding: 0 1; text-style: bold; }
    ChartsScreen HeatTable { height: auto; max-height: 60%; }
    ChartsScreen #charts-bars-title { height: 1; padding: 0 1; background: $panel; }
    ChartsScreen BarChart { height: 1fr; }
    ChartsScreen #charts-note { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, workspace: Workspace, view: int = 1) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.state = ChartState(view=view, annotator=workspace.shown.annotator)
        #: The connection the counting threads read with (opened by the first), and its lock.
        self._reader: Store | None = None
        self._reading_lock = threading.Lock()
        self._closed = False
        self.shown_key: tuple | None = None
        #: When each view last showed its numbers on screen (the clock of benchmarks/insight_bench.py).
        self.painted_at: dict[int, float] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="charts-tabs")
        yield Static(id="charts-title")
        yield HeatTable(id="charts-table")
        yield Static(id="charts-bars-title")
        yield BarChart(id="charts-bars")
        yield Static(id="charts-note")
        yield KeysFooter()

    @property
    def table(self) -> HeatTable:
        return self.query_one(HeatTable)

    @property
    def bars(self) -> BarChart:
        return self.query_one(BarChart)

    def on_mount(self) -> None:
        self.table.focus()
        self._show_current()

    def on_unmount(self) -> None:
        self._closed = True
        self.workers.cancel_group(self, "charts")
        self.workers.cancel_group(self, "charts-prefetch")
        self._close_reader()  # or the thread counting now does, when it is done

    def _close_reader(self) -> None:
        """Close the reading connection once the screen is closed and no thread reads with it."""
        if self._closed and self._reading_lock.acquire(blocking=False):
            try:
                if self._reader is not None:
                    self._reader.close()
                    self._reader = None
            finally:
                self._reading_lock.release()

    # ---- computing ----------------------------------------------------------------------------

    def _cached(self, key: tuple) -> tuple[tuple, Matrix] | None:
        return FIGURES.get((self._path, key)) if self.store.path is not None else None

    @property
    def _path(self) -> str:
        return str(self.store.path)

    def _show_current(self) -> None:
        """Show the current view's figure: from the cache at once (checked against the data in
        the background), or computed in a thread."""
        state = self.state
        self._update_tabs()
        if state.view == 3 and not state.entities:
            if not insight.entity_index_ready(self.store):
                self._show_nothing("The entity index is empty: reader fills it in the background as it recognises each "
                                   "article's entities (with entities shown in config.yaml). Come back later.")
                return
            state.entities = self._default_entities()
            if not state.entities:
                self._show_nothing("No entities in the index yet.")
                return
        key = state.key()
        cached = self._cached(key)
        if cached is not None:
            self._show(key, cached[1])
            self._compute(key, list(state.entities), force=False)  # recounted only if the data changed since
            return
        counted = self._count_now(key, list(state.entities))
        if counted is not None:
            self._computed(key, *counted, True)
            return
        self.query_one("#charts-title", Static).update(Content.assemble((VIEWS[state.view], "bold"), ("  counting…", "dim")))
        self._compute(key, list(state.entities), force=True)

    def _count_now(self, key: tuple, entities: list) -> tuple[tuple, Matrix] | None:
        """(signature, figure) counted at once with the app's connection when that takes under
        NOW_MS: the figure is in the screen's first frame. A slower count is interrupted (None)
        and done in a thread, which would otherwise wait on the drawing at every SQL step."""
        if self.store.path is None or self.NOW_MS <= 0:
            return None
        try:
            with self.store.interrupted_after(self.NOW_MS / 1000, self.NOW_STEPS):
                return signature(self.store, key), compute(self.store, key, entities)
        except sqlite3.Error:  # interrupted, or a lock: the thread counts it
            return None

    def _default_entities(self) -> list:
        """The entity in most articles of each of PERSON, ORG and GPE."""
        from reader.store.entity_index import entities_matching

        chosen = []
        for label in ("PERSON", "ORG", "GPE"):
            chosen += entities_matching(self.store, "", label=label, limit=1)
        return chosen

    def _compute(self, key: tuple, entities: list, force: bool) -> None:
        if self.store.path is None:  # an in-memory store (tests): no second connection to it
            self._computed(key, signature(self.store, key), compute(self.store, key, entities), True)
            return
        self._compute_in_thread(key, entities, force)

    def _reading(self) -> Store:
        """This screen's read-only connection, tuned for aggregates (call with the lock held)."""
        if self._reader is None:
            self._reader = Store.open(self.store.path, read_only=True)
            self._reader.study.adopt(self.store.study)  # whose work the user may see (a blind study)
            insight.prepare_reading(self._reader)
        return self._reader

    def _figure(self, key: tuple, entities: list) -> tuple[tuple, Matrix, bool] | None:
        """(signature, figure, whether it was computed now) for `key`: the cached figure when
        the data it counts are unchanged; None once the screen is closed. Call from a worker thread."""
        try:
            with self._reading_lock:
                if self._closed:
                    return None
                reader = self._reading()
                seen = signature(reader, key)
                cached = self._cached(key)
                if cached is not None and cached[0] == seen:
                    return seen, cached[1], False
                return seen, compute(reader, key, entities), True
        finally:
            self._close_reader()

    @work(thread=True, exclusive=True, group="charts")
    def _compute_in_thread(self, key: tuple, entities: list, force: bool) -> None:
        """Count in this thread with the screen's own read-only connection (a figure takes up
        to a few hundred ms on a large corpus: the screen stays responsive meanwhile)."""
        worker = get_current_worker()
        try:
            figure = self._figure(key, entities)
        except (sqlite3.Error, StoreError) as error:  # e.g. another program holds a lock too long
            self.app.call_from_thread(
                self.notify, f"The charts could not be counted: {error}", severity="warning", markup=False
            )
            return
        if figure is None:
            return
        seen, matrix, fresh = figure
        if not worker.is_cancelled and (fresh or force):
            self.app.call_from_thread(self._computed, key, seen, matrix, True)

    def _computed(self, key: tuple, seen: tuple, matrix: Matrix, show: bool) -> None:
        if self.store.path is not None:
            remember(self._path, key, seen, matrix)
        if show and key == self.state.key() and self.is_attached:
            self._show(key, matrix)
            if self.PREFETCH and self.store.path is not None:  # after the frame: it would compete with drawing it
                self.call_after_refresh(self._prefetch, [other for other in self._neighbours() if self._cached(other) is None])

    def _neighbours(self) -> list[tuple]:
        """The keys of the other tag views with the same filters, most likely next first."""
        state = self.state
        views = {1: (2, 4), 2: (1, 4), 3: (1, 2, 4), 4: (1, 2), 5: (1, 2)}[state.view]
        keys = []
        for view in views:
            other = ChartState(view, state.tag_unit, state.level, state.entity_unit, state.annotator, state.tag)
            keys.append(other.key())
        return keys

    @work(thread=True, exclusive=True, group="charts-prefetch")
    def _prefetch(self, keys: list[tuple]) -> None:
        """Count the other views while the user looks at this one, so switching is instant."""
        worker = get_current_worker()
        for key in keys:
            if worker.is_cancelled:
                return
            try:
                figure = self._figure(key, [])
            except (sqlite3.Error, StoreError):
                return
            if figure is None:
                return
            seen, matrix, fresh = figure
            if fresh and not worker.is_cancelled:
                self.app.call_from_thread(remember, self._path, key, seen, matrix)

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        """Recount the current view if another connection changed what it counts."""
        if self.state.view == 3 and self.shown_key is None and not self.state.entities:
            self._show_current()  # the entity index may have begun to fill
            return
        key = self.state.key()
        if self._cached(key) is not None:
            self._compute(key, list(self.state.entities), force=False)

    # ---- showing ------------------------------------------------------------------------------

    def _show(self, key: tuple, matrix: Matrix) -> None:
        state = self.state
        self.shown_key = key
        view = state.view
        if view == 4:
            self.table.show(matrix, "tag", "(passages with the tag)" if state.level == "passage" else "(articles with the tag)",
                            diagonal_plain=True)
        elif view == 5:
            self.table.show(matrix, "coder", "all coders")
        elif view == 3:
            self.table.show(matrix, "month", "all months")
        elif view == 1 and state.attribute:
            self.table.show(matrix, display_text(matrix.row_kind), f"all {display_text(matrix.row_kind)} values")
        else:
            self.table.show(matrix, "source" if view == 1 else "month", "all sources" if view == 1 else "all months")
        self.query_one("#charts-title", Static).update(self._title(matrix))
        self.query_one("#charts-note", Static).update(self._note(matrix))
        self._update_bars()
        self.call_after_refresh(self._painted, view, key)

    def _painted(self, view: int, key: tuple) -> None:
        if self.shown_key == key:
            self.painted_at[view] = time.perf_counter()

    def _show_nothing(self, message: str) -> None:
        self.shown_key = None
        self.table.clear(columns=True)
        self.table.matrix = None
        self.bars.show([])
        self.query_one("#charts-title", Static).update(Content.assemble((VIEWS[self.state.view], "bold")))
        self.query_one("#charts-bars-title", Static).update("")
        self.query_one("#charts-note", Static).update(Content(message + "  (e chooses entities, 1 2 4 other views)"))
        self.painted_at[self.state.view] = time.perf_counter()

    def on_resize(self) -> None:
        self._update_tabs()

    def _update_tabs(self) -> None:
        parts: list[tuple[str, str] | str] = []
        names = VIEWS
        if sum(len(name) + 5 for name in VIEWS.values()) > (self.size.width or self.app.size.width) - 2:
            names = SHORT_VIEWS  # a narrow screen: every tab whole, in fewer words
        if self.state.attribute:  # view 1 counts per an attribute's values (b)
            names = {**names, 1: f"Per {display_text(self.state.attribute)[:12]}"}
        for number, name in names.items():
            style = "reverse bold" if number == self.state.view else ""
            parts.append((f" {number} {name} ", style))
            parts.append(" ")
        self.query_one("#charts-tabs", Static).update(Content.assemble(*parts))

    def _title(self, matrix: Matrix) -> Content:
        state = self.state
        view = state.view
        if view in TAG_VIEWS:
            per = display_text(state.attribute) if view == 1 and state.attribute else TAG_VIEWS[view]
            what = f"{state.tag_unit} tagged, per {per}"
        elif view == 3:
            count = len(matrix.columns)
            what = f"{state.entity_unit} per month of {count} entit{'y' if count == 1 else 'ies'}"
        elif view == 5:
            what = "each coder's queue done, and passages per tag"
            if self.store.study.whose() is not None:
                what += " (yours alone: the study is blind)"
        else:
            what = f"tags on the same {state.level}"
        filters = []
        if view not in (3, 5) and state.annotator:
            filters.append(f"annotator {display_text(state.annotator)}")
        if view not in (3, 5) and state.tag:
            filters.append(f"tag {display_text(state.tag)} (and nested)")
        return Content.assemble(
            (f"Tags per {display_text(state.attribute)}" if view == 1 and state.attribute else VIEWS[view], "bold"),
            "  ", what, ("  ·  " + " · ".join(filters) if filters else "", "bold"),
            (f"  ·  total {matrix.total:,}", "dim"),
        )

    def _note(self, matrix: Matrix) -> Content:
        view = self.state.view
        if view == 3:
            hint = "e adds or removes an entity · x clears · u mentions/articles · months from the entity index"
        elif view == 4:
            hint = "u same passage/article · the diagonal counts the tag alone · a annotator · t tag"
        elif view == 5:
            hint = "bars: the column under the cursor per coder · reader assign makes queues · D in the list marks done"
        else:
            hint = "u passages/articles · a annotator · t tag · a passage with two tags counts under both"
        if not matrix.total and view not in (3, 5):
            hint = "Nothing tagged yet" + (" by this annotator" if self.state.annotator else "") + ".  " + hint
        folded = self.table.shown.folded if self.table.shown else 0
        if folded:
            hint = f"The {folded:,} smallest {matrix.row_kind}s are summed in the last row.  " + hint
        return Content("hjkl move · " + hint)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self._update_bars()

    def _update_bars(self) -> None:
        table = self.table
        matrix, shown = table.matrix, table.shown
        if matrix is None or shown is None:
            return
        column = table.column_index
        per = f"per {matrix.row_kind}"
        if column is None:
            items = list(zip(shown.labels, shown.totals))
            name, color = matrix.total_label, None
        else:
            items = [(label, counts[column]) for label, counts in zip(shown.labels, shown.counts)]
            name = matrix.columns[column]
            color = self.workspace.codebook.color(name) if matrix.column_kind == "tag" else ENTITY_ACCENT
            if matrix.row_kind == "tag":
                per = "with each tag"
        self.query_one("#charts-bars-title", Static).update(
            Content.assemble((display_text(name), "bold"), f", {per} ({matrix.unit})", ("   h/l: another column", "dim"))
        )
        self.bars.show(items, color, table.row_index)

    # ---- actions -------------------------------------------------------------------------------

    def action_view(self, view: int) -> None:
        if view != self.state.view:
            self.state.view = view
            self._show_current()

    def action_pick_rows(self) -> None:
        """b: the rows of view 1, the sources or the values of an article attribute."""
        names = self.store.articles.attribute_names()
        if not names:
            self.notify("No article has attributes (the other fields of JSON, JSONL and CSV records): "
                        "view 1 counts per source.", markup=False)
            return
        labels = {BY_SOURCE: None, **{f"{name}  ({count})": name for name, count in names}}

        def chosen(label: str | None) -> None:
            if label is not None:
                self.state.attribute, self.state.view = labels[label], 1
                self._show_current()

        current = [label for label, name in labels.items() if name == self.state.attribute]
        self.app.push_screen(PickerScreen("Tags per source, or per value of an attribute", list(labels),
                                          current=current), chosen)

    def action_cycle_unit(self) -> None:
        state = self.state
        if state.view in TAG_VIEWS:
            state.tag_unit = "articles" if state.tag_unit == "passages" else "passages"
        elif state.view == 3:
            state.entity_unit = "articles" if state.entity_unit == "mentions" else "mentions"
        else:
            state.level = "article" if state.level == "passage" else "passage"
        self._show_current()

    def action_filter_annotator(self) -> None:
        pick_annotator(self, self.store.annotations.annotators(), self.state.annotator, self._set_annotator)

    def _set_annotator(self, annotator: str | None) -> None:
        self.state.annotator = annotator
        self._show_current()

    def action_filter_tag(self) -> None:
        current = [self.state.tag or ALL_TAGS]
        picker = PickerScreen("Count only the tag (and the tags nested in it)", [ALL_TAGS, *self.store.tags.filter_names()],
                              current=current)
        self.app.push_screen(picker, self._set_tag)

    def _set_tag(self, tag: str | None) -> None:
        if tag is None:
            return
        self.state.tag = None if tag == ALL_TAGS else tag
        self._show_current()

    def action_pick_entity(self) -> None:
        if not insight.entity_index_ready(self.store):
            self.notify("The entity index is empty: reader fills it in the background as it recognises articles.",
                        markup=False)
            return
        self.app.ask_entity(self._toggle_entity, title="Entities on the timeline",
                            chosen=[entity.id for entity in self.state.entities], does="adds or takes off")

    def _toggle_entity(self, entity) -> None:
        if entity is None:
            return
        chosen = [other for other in self.state.entities if other.id != entity.id]
        if len(chosen) == len(self.state.entities):
            if len(chosen) >= MAX_ENTITIES:
                self.notify(f"A timeline shows at most {MAX_ENTITIES} entities: take one off first.", markup=False)
                return
            chosen.append(entity)
        self.choose_entities(chosen)

    def choose_entities(self, entities: list) -> None:
        """Show these entities on the timeline (and switch to it)."""
        self.state.entities = list(entities)[:MAX_ENTITIES]
        self.state.view = 3
        if not self.state.entities:
            self._update_tabs()
            self._show_nothing("No entities chosen.")
            return
        self._show_current()

    def action_clear_entities(self) -> None:
        self.choose_entities([])

    def action_back(self) -> None:
        self.dismiss()
