"""How far annotators agree, per tag and overall, and the list of passages where they disagree.

It never changes an annotation, and its thread never touches the app's connection: it computes with one of its own,
which keeps the sums it counted in the database (reader.store.agreement) unless it cannot write there.
"""

from __future__ import annotations

import sqlite3
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from reader.services.agreement import (
    COLUMNS,
    AgreementError,
    AgreementJob,
    AgreementReport,
    DisagreementIndex,
    coders_first,
    Level,
    kind_label,
    number,
    paused_collection,
    population_line,
    quote_of,
    resolve_annotators,
    row_cells,
    tag_label,
)
from reader.core.agreement import Disagreement
from reader.store import figures as insight
from reader.store import Store, StoreError
from reader.tui.keys import bindings_for
from reader.tui.messages import DatabaseChanged
from reader.tui.screens.pickers import ChecklistScreen
from reader.tui.widgets.footer import KeysFooter
from reader.tui.widgets.paged_list import PagedList
from reader.tui.workspace import Workspace
from reader.tui.format import ArticleTexts, both_sides
from reader.tui.wrap import display_text

#: The last reports, by (database, annotators, level): (signature of the database, report).
#: Re-opening the screen shows the report at once; when the database changed since (even only a
#: reading position), it is computed again, from the sums kept in the database for every article
#: that did not change.
_REPORTS: OrderedDict[tuple, tuple[tuple, AgreementReport]] = OrderedDict()
_KEPT_REPORTS = 4

_STAGES = ("loaded", "counted", "listed", "left_out")

#: What the status line says while the next stage runs, by the last stage done.
_NEXT = {
    None: "reading who annotated what…",
    "loaded": "counting passages…",
    "counted": "listing the disagreements…",
    "listed": "counting what each pair left out…",
    "left_out": "keeping the sums…",
}


@dataclass(frozen=True, slots=True)
class ListedDisagreement:
    """A disagreement with what the list shows of it: the article's title and both quotes."""

    found: Disagreement
    title: str
    a_quote: str
    b_quote: str


def _reports(store: Store, annotators: list[str], level: Level,
             against: str | None = None) -> Iterator[tuple[AgreementReport, bool]]:
    """(report, finished) after each stage; finished once every number and what each pair left
    out are known (the sums are saved after that, while the screen already shows them)."""
    job = AgreementJob(annotators, None, level, against=against)
    yield job.load(store), False
    for report in job.stages():
        yield report, "left_out" in report.done


class AgreementTable(DataTable):
    """The numbers: a row per pair and tag; j and k move like the arrows."""

    KEY_CONTEXT = "agreement_table"
    BINDINGS = bindings_for(KEY_CONTEXT)


class AgreementScreen(Screen[None]):
    """Per tag and overall: span P/R/F1 (exact, overlap), kappa, alpha; below, the disagreements
    of the pair and tag under the table's cursor."""

    KEY_CONTEXT = "agreement"
    BINDINGS = bindings_for(KEY_CONTEXT)

    DEFAULT_CSS = """
    AgreementScreen #agreement-title { height: 1; background: $panel; text-style: bold; padding: 0 1; }
    AgreementScreen #agreement-status { height: auto; color: $text-muted; padding: 0 1; }
    AgreementScreen DataTable { height: auto; max-height: 14; }
    AgreementScreen #agreement-list-title { height: 1; background: $boost; padding: 0 1; margin-top: 1; }
    AgreementScreen PagedList { height: 1fr; }
    """

    def __init__(self, workspace: Workspace, annotators: list[str] | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.requested = annotators
        self.annotators: list[str] = []
        self.level: Level = "char"
        #: Each annotator against the gold layer (v), instead of every pair.
        self.against: str | None = None
        self.report: AgreementReport | None = None
        #: Which computation the screen waits for: results of an older one are dropped.
        self.generation = 0
        self.computing = False
        #: The last stage the running computation finished ("loaded", "exact", ...; None: none yet).
        self.stage: str | None = None
        #: (articles counted, articles to count) while counting.
        self.progress: tuple[int, int] | None = None
        #: The report shown is an older one (the data changed since): it stays until the new one is done.
        self.stale = False
        #: The table has shown a report: from then on its cursor stays where the user put it.
        self.shown_numbers = False
        #: Why there is nothing to compare (fewer than two annotators), or why computing failed.
        self.problem: str | None = None
        self.failure: str | None = None
        #: Came back to the screen while it computed: look at the data again when done.
        self.recheck = False
        #: Another screen is on top (an article, a dialog).
        self.away = False
        self.started = 0.0
        self.elapsed: float | None = None
        #: (pair index, tag) of each table row; pair None: alpha over everyone; tag None: overall.
        self.row_targets: list[tuple[int | None, str | None]] = []
        #: The pair and tag whose disagreements the list shows, and what the list was made from.
        self.selected: tuple[int, str | None] = (0, None)
        self.listed_from: tuple[int, str | None, int] | None = None
        self._articles = ArticleTexts(self.store)

    def compose(self) -> ComposeResult:
        yield Static(id="agreement-title", markup=False)
        yield Static(id="agreement-status", markup=False)
        yield AgreementTable(cursor_type="row", zebra_stripes=True, id="agreement-table")
        yield Static(id="agreement-list-title", markup=False)
        yield PagedList(self._draw, lines_per_row=2, id="agreement-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        try:
            known = self.store.annotations.annotators()
            self.annotators = resolve_annotators(known if self.requested else coders_first(known, self.workspace.config.gold),
                                                 self.requested)
        except AgreementError as error:
            self.problem = str(error)
        self.table.focus()
        self._start()

    @property
    def table(self) -> AgreementTable:
        return self.query_one("#agreement-table", AgreementTable)

    @property
    def disagreement_list(self) -> PagedList:
        return self.query_one("#agreement-list", PagedList)

    # ---- computing ------------------------------------------------------------------------

    def _key(self) -> tuple:
        return (str(self.store.path) if self.store.path is not None else id(self.store), tuple(self.annotators), self.level,
                self.against)

    def _signature(self) -> tuple:
        """Changes whenever what agreement counts does (passages, their tags, texts, the
        codebook's names), whoever changed it; not for entities cached or articles read."""
        return insight.tag_signature(self.store)

    def _start(self) -> None:
        """Show the last report for these annotators and level at once, if any, and compute it
        again unless the data is unchanged since."""
        self.generation += 1
        self.report, self.elapsed, self.stage, self.stale = None, None, None, False
        self.failure, self.recheck = None, False
        if self.problem is not None:
            self.computing = False
            self._show()
            return
        cached = _REPORTS.get(self._key())
        if cached is not None:
            _REPORTS.move_to_end(self._key())
            signature, self.report = cached
            if signature == self._signature():
                self.computing = False
                self._show()
                return
            self.stale = True
        self.computing = True
        self.started = time.perf_counter()
        self._show()
        if self.store.path is None:  # an in-memory store: no second connection to it, compute here
            for report, finished in _reports(self.store, self.annotators, self.level, self.against):
                self._receive(self.generation, self._signature(), report, finished)
            return
        # After the next frame: the table appears before the thread starts competing for the CPU.
        self.call_after_refresh(self._compute, self.generation, self._signature(), self.store.path,
                                list(self.annotators), self.level, self.against)

    @work(thread=True, exclusive=True, group="agreement", exit_on_error=False)
    def _compute(self, generation: int, signature: tuple, path, annotators: list[str], level: Level,
                 against: str | None = None) -> None:
        """Every stage in this thread, with a connection of its own: the report is shown after
        each chunk of articles counted, then with each pair's disagreements."""
        worker = get_current_worker()
        try:
            with paused_collection():
                reader = Store.open(path)
                try:
                    for report, finished in _reports(reader, annotators, level, against):
                        if worker.is_cancelled:
                            return
                        self.app.call_from_thread(self._receive, generation, signature, report, finished)
                finally:
                    reader.close()
        except (sqlite3.Error, StoreError, ValueError) as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, generation, str(error))

    def _receive(self, generation: int, signature: tuple, report: AgreementReport, finished: bool) -> None:
        if generation != self.generation or not self.is_attached:
            return
        self.stage = "listed" if finished else max(report.done, key=_STAGES.index)
        self.progress = report.progress
        if not self.stale or finished:  # numbers from before stay until the new ones are all there
            self.report = report
        if finished:
            self.computing = self.stale = False
            self.elapsed = time.perf_counter() - self.started
            _REPORTS[self._key()] = (signature, report)
            _REPORTS.move_to_end(self._key())
            while len(_REPORTS) > _KEPT_REPORTS:
                _REPORTS.popitem(last=False)
            if self.recheck and signature != self._signature():  # passages may have changed meanwhile
                self._start()
                return
        self._show()

    def _failed(self, generation: int, problem: str) -> None:
        if generation == self.generation and self.is_attached:
            self.computing = False
            self.failure = f"The agreement could not be computed: {problem}"
            self._show()

    def on_screen_suspend(self) -> None:
        self.away = True

    def on_screen_resume(self) -> None:
        """Back from an article (where passages may have changed): recompute if the data changed."""
        if not self.away:  # shown for the first time
            return
        self.away = False
        self._recheck()

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        """Another program (or an undo) changed the database: recompute if what it counts changed."""
        self._recheck()

    def _recheck(self) -> None:
        if self.computing:
            self.recheck = True
            return
        cached = _REPORTS.get(self._key())
        if self.problem is None and (cached is None or cached[0] != self._signature()):
            self._start()

    # ---- showing --------------------------------------------------------------------------

    def _show(self) -> None:
        names = " vs ".join(f"{name} ({'AB'[i]})" if len(self.annotators) == 2 else name
                            for i, name in enumerate(self.annotators))
        if self.against is not None:
            names = f"{', '.join(n for n in self.annotators if n != self.against)} each against {self.against}"
        level = "characters" if self.level == "char" else "tokens"
        self.query_one("#agreement-title", Static).update(
            Text(f"Agreement · {display_text(names) or 'nobody'} · kappa and alpha over {level}"))
        self.query_one("#agreement-status", Static).update(self._status())
        self._fill_table()
        self._fill_list()

    def _status(self) -> Text:
        report = self.report
        if self.problem is not None or self.failure is not None:
            return Text(display_text(self.problem or self.failure or ""), style="bold")
        parts = []
        if report is not None:
            pair_lines = [population_line(report, pair) for pair in report.pairs]
            if self.against is not None and len(pair_lines) > 1:
                parts.append(f"each against {self.against} (P: the annotator's precision, R: recall), "
                             "over the articles both annotated")
            else:
                parts.append(pair_lines[0] if len(pair_lines) == 1 else
                             f"{len(report.pairs)} pairs, each over the articles both annotated; "
                             f"alpha over {report.articles:,} article{'' if report.articles == 1 else 's'} all of them annotated")
        if self.computing:
            updating = " (the database changed since these numbers)" if self.stale else ""
            counting = ""
            if self.stage == "loaded" and self.progress is not None and self.progress[1]:
                counting = f" {self.progress[0]:,} of {self.progress[1]:,} articles (the others' sums were kept)"
            parts.append(f"computing… {_NEXT.get(self.stage, '')}{counting}{updating}")
        elif self.elapsed is not None:
            parts.append(f"computed in {self.elapsed:.1f} s")
        return Text(display_text(" · ".join(parts)))

    def _fill_table(self) -> None:
        """The rows of the report: updated in place while only numbers change (the cursor stays),
        built again when the rows themselves change."""
        table = self.table
        report = self.report
        two = len(self.annotators) == 2
        columns = ["Tag", *COLUMNS] if two else ["Pair", "Tag", *COLUMNS]
        with_alpha = two or self.against is not None
        targets: list[tuple[int | None, str | None]] = []
        rows: list[list[Text]] = []
        if report is None:
            if self.computing:
                rows.append([Text("computing…", style="italic")] + [Text("…", justify="right")] * (len(columns) - 1))
                targets.append((0, None))
        else:
            for index, pair in enumerate(report.pairs):
                for row in pair.rows:
                    label = Text(display_text(tag_label(row.tag)), style="bold" if row.tag is None else "")
                    lead = [label] if two else [Text(display_text(f"{pair.a} / {pair.b}")), label]
                    rows.append([*lead, *(Text(value, justify="right") for value in row_cells(row, with_alpha))])
                    targets.append((index, row.tag))
            if not two and self.against is None:
                alpha = report.alpha
                for tag in [*report.tags, None]:
                    value = number(alpha.get(tag)) if alpha is not None else "…"
                    label = Text(display_text(tag_label(tag)), style="bold" if tag is None else "")
                    blank = [Text("")] * (len(COLUMNS) - 1)
                    rows.append([Text(f"all {len(self.annotators)}"), label, *blank, Text(value, justify="right")])
                    targets.append((None, tag))
        if targets == self.row_targets and len(table.columns) == len(columns) and table.row_count == len(rows):
            for y, cells in enumerate(rows):
                for x, cell in enumerate(cells):
                    table.update_cell_at(Coordinate(y, x), cell, update_width=True)
            return
        cursor = table.cursor_row
        table.clear(columns=True)
        for place, label in enumerate(columns):
            shown = label.replace("kappa", "κ").replace("alpha", "α")
            table.add_column(Text(shown, justify="right" if place >= len(columns) - len(COLUMNS) else "left"))
        for cells in rows:
            table.add_row(*cells)
        self.row_targets = targets
        if report is not None and targets:
            if not self.shown_numbers and report.complete:  # the first numbers: start on the first pair's overall row
                self.shown_numbers = True
                cursor = len(report.pairs[0].rows) - 1
            table.move_cursor(row=min(max(cursor, 0), len(targets) - 1))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.row_targets):
            pair, tag = self.row_targets[event.cursor_row]
            self.selected = (self.selected[0] if pair is None else pair, tag)
            self._fill_list()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """enter on a row: to its disagreements."""
        event.stop()
        self.disagreement_list.focus()

    def _fill_list(self) -> None:
        report = self.report
        title = self.query_one("#agreement-list-title", Static)
        paged = self.disagreement_list
        if report is None or not report.pairs:
            if self.listed_from is not None or paged.count:
                paged.show(lambda offset, limit: [], 0)
            self.listed_from = None
            title.update("Disagreements")
            return
        index, tag = self.selected
        index = min(index, len(report.pairs) - 1)
        pair = report.pairs[index]
        scope = f" · {display_text(tag_label(tag))}" if tag is not None else ""
        head = f"Disagreements of {display_text(pair.a)} (A) and {display_text(pair.b)} (B){scope}"
        listing = pair.listing
        if listing is None:
            title.update(Text(f"{head} · listed when the numbers are done…"))
            if paged.count:
                paged.show(lambda offset, limit: [], 0)
            self.listed_from = None
            return
        source = (index, tag, id(listing))
        count = listing.count(tag)
        if source != self.listed_from:
            same_view = self.listed_from is not None and self.listed_from[:2] == source[:2]
            self.listed_from = source
            self._articles.clear()  # the texts may have changed with the data
            paged.show(lambda offset, limit: self._fetch(listing, tag, offset, limit), count, keep_cursor=same_view)
        title.update(Text(f"{head} · {count:,} passage{'' if count == 1 else 's'} (exact match) · enter opens · w side by side"))

    def _fetch(self, listing: DisagreementIndex, tag: str | None, offset: int, limit: int) -> list[ListedDisagreement]:
        return [self._listed(found) for found in listing.page(self.store, tag, offset, limit)]

    def _article(self, article: object) -> tuple[str, str]:
        return self._articles.get(article)

    def _listed(self, found: Disagreement) -> ListedDisagreement:
        title, text = self._article(found.article)
        return ListedDisagreement(found, title, quote_of(text, found.a), quote_of(text, found.b))

    def _draw(self, row: ListedDisagreement, line: int, width: int, style: Style, muted: Style) -> list[tuple[str, Style]]:
        found = row.found
        if line == 0:
            return [(" " + display_text(row.title), style + Style(bold=True)),
                    (f"  · {kind_label(found, 'A', 'B')} · {found.start}–{found.end}", muted)]
        return both_sides(row, width, style, muted, self.disagreement_list.mark_style(style))

    # ---- actions --------------------------------------------------------------------------

    @property
    def current(self) -> Disagreement | None:
        row = self.disagreement_list.current
        return row.found if row is not None else None

    def on_paged_list_chosen(self, event: PagedList.Chosen) -> None:
        event.stop()
        found: Disagreement = event.row.found
        self.app.open_article(found.article, at=found.start)

    def action_compare(self) -> None:
        found, report = self.current, self.report
        if found is None or report is None:
            self.notify("No disagreement to compare: choose one in the list (tab).", markup=False)
            return
        pair = report.pairs[min(self.selected[0], len(report.pairs) - 1)]
        self.app.open_compare(found.article, pair.a, pair.b)

    def action_annotators(self) -> None:
        known = self.store.annotations.annotators()
        if len(known) < 2:
            self.notify("Agreement needs two annotators: " + (f"only {known[0]} has annotated." if known else "nobody has annotated."),
                        markup=False)
            return

        def chosen(names: set[str] | None) -> None:
            if names is None:
                return
            if len(names) < 2:
                self.notify("Tick at least two annotators.", severity="warning", markup=False)
                return
            self.annotators = [name for name in known if name in names]
            self.problem = None
            self.selected = (0, None)
            self.shown_numbers = False
            self._start()

        items = [(name, name) for name in known]
        self.app.push_screen(ChecklistScreen("Compare the annotations of (two or more)", items, set(self.annotators)), chosen)

    def action_toggle_level(self) -> None:
        self.level = "token" if self.level == "char" else "char"
        self.notify(f"Kappa and alpha over {'tokens' if self.level == 'token' else 'characters'}.", markup=False)
        self._start()

    def action_switch(self) -> None:
        if self.table.has_focus:
            self.disagreement_list.focus()
        else:
            self.table.focus()

    def _pair(self) -> tuple[str, str] | None:
        report = self.report
        if report is None or not report.pairs:
            return None
        pair = report.pairs[min(self.selected[0], len(report.pairs) - 1)]
        return pair.a, pair.b

    def action_adjudicate(self) -> None:
        """d: walk the selected pair's disagreements into the gold layer."""
        pair = self._pair()
        gold = self.workspace.config.gold
        if pair is None:
            self.notify("No pair to adjudicate yet: wait for the numbers, or choose annotators (a).", markup=False)
        elif gold in pair:
            self.notify(f"That pair holds {gold}, the gold layer itself: adjudicate two coders (v shows every pair).", markup=False)
        else:
            self.app.open_adjudicate(*pair)

    def action_toggle_against_gold(self) -> None:
        """v: each annotator against the gold layer, or every pair again."""
        gold = self.workspace.config.gold
        known = self.store.annotations.annotators()
        if self.against is None and gold not in known:
            self.notify(f"Nobody has annotated as {gold} yet: adjudicate a pair first (d).", markup=False)
            return
        self.against = None if self.against is not None else gold
        if self.against is not None:
            self.annotators = [gold, *(name for name in known if name != gold)]
            self.problem = None
        else:
            try:
                self.annotators = resolve_annotators(coders_first(known, gold), None)
            except AgreementError as error:
                self.problem = str(error)
        self.selected = (0, None)
        self.shown_numbers = False
        self._start()

    def action_back(self) -> None:
        self.dismiss()
