"""Adjudication: a curator walks two coders' disagreements and settles each into the gold layer
(A's version, B's, both, or an edit of one in the article), or takes every agreed passage at once.

It writes only the gold layer's annotations, through the undo history and against the coders'
annotations as the list showed them; it never changes a coder's annotation nor touches SQL.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from reader.core.agreement import Disagreement
from reader.core.model import Annotation
from reader.services import adjudication
from reader.services.adjudication import AdjudicationError, Curating, Sides
from reader.services.agreement import kind_label, quote_of
from reader.store import StaleWriteError, Store, StoreError
from reader.tui.keys import bindings_for
from reader.tui.messages import DatabaseChanged
from reader.tui.widgets.footer import KeysFooter
from reader.tui.widgets.paged_list import PagedList
from reader.tui.workspace import Workspace
from reader.tui.format import ArticleTexts, both_sides
from reader.tui.wrap import display_text


@dataclass(frozen=True, slots=True)
class ListedPassage:
    """A disagreement with what the list shows of it: the article's title and both quotes."""

    found: Disagreement
    title: str
    a_quote: str
    b_quote: str
    #: The coders' annotations as the list read them: what a decision is checked against.
    sides: Sides


class AdjudicateScreen(Screen[None]):
    """The disagreements of coders A and B, one passage per row (A's and B's version), marked
    once gold holds a version of it; a key adopts A's, B's or both into gold."""

    KEY_CONTEXT = "adjudicate"
    BINDINGS = bindings_for(KEY_CONTEXT)

    DEFAULT_CSS = """
    AdjudicateScreen #adjudicate-title { height: 1; background: $panel; text-style: bold; padding: 0 1; }
    AdjudicateScreen #adjudicate-status { height: auto; color: $text-muted; padding: 0 1; }
    AdjudicateScreen PagedList { height: 1fr; }
    AdjudicateScreen #adjudicate-said { height: auto; padding: 0 1; }
    """

    def __init__(self, workspace: Workspace, a: str, b: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.a, self.b = a, b
        self.found: list[Disagreement] = []
        self._articles = ArticleTexts(self.store)
        self._gold: dict[object, list[Annotation]] = {}
        self._gold_read: bool | None = None
        #: The disagreements are being read (in a thread).
        self.loading = False

    @property
    def gold(self) -> str:
        return self.workspace.config.gold

    @property
    def curator(self) -> str:
        return self.workspace.config.annotator

    def compose(self) -> ComposeResult:
        yield Static(id="adjudicate-title", markup=False)
        yield Static(id="adjudicate-status", markup=False)
        yield PagedList(self._draw, lines_per_row=2, id="adjudicate-list")
        yield Static(id="adjudicate-said", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#adjudicate-title", Static).update(Text(
            f"Adjudication · {display_text(self.a)} (A) vs {display_text(self.b)} (B) → {display_text(self.gold)}"
            f" · curator {display_text(self.curator)}"))
        self._load(keep_cursor=False)
        self.passages.focus()

    @property
    def passages(self) -> PagedList:
        return self.query_one("#adjudicate-list", PagedList)

    # ---- what the list shows --------------------------------------------------------------

    def _load(self, keep_cursor: bool = True) -> None:
        """Read the disagreements and gold again (after a change elsewhere): in a thread with a
        connection of its own, so that keys never wait on it (100,000 annotations take seconds)."""
        if self.store.path is None:  # an in-memory store: no second connection to it
            self._show_found(adjudication.walk(self.store, self.a, self.b), keep_cursor)
            return
        self.loading = True
        self.query_one("#adjudicate-status", Static).update(Text("reading the disagreements…"))
        self._walk(self.store.path, keep_cursor)

    @work(thread=True, exclusive=True, group="adjudicate", exit_on_error=False)
    def _walk(self, path, keep_cursor: bool) -> None:
        worker = get_current_worker()
        try:
            reader = Store.open(path)
            try:
                found = adjudication.walk(reader, self.a, self.b)
            finally:
                reader.close()
        except (sqlite3.Error, StoreError) as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.say, f"The disagreements could not be read: {error}")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_found, found, keep_cursor)

    def _show_found(self, found: list[Disagreement], keep_cursor: bool) -> None:
        if not self.is_attached:
            return
        self.loading = False
        self.found = found
        self._articles.clear()
        self._gold_read = None
        found = self.found
        self.passages.show(lambda offset, limit: [self._listed(f) for f in found[offset:offset + limit]], len(found),
                           keep_cursor=keep_cursor)
        self._status()

    def _status(self) -> None:
        if self.loading:
            return
        decided = sum(1 for found in self.found if self._in_gold(found))
        count = len(self.found)
        text = (f"{count:,} passage{'' if count == 1 else 's'} where they disagree · {decided:,} in {self.gold}"
                if count else f"{self.a} and {self.b} do not disagree anywhere")
        self.query_one("#adjudicate-status", Static).update(Text(display_text(text)))

    def say(self, message: str, title: str = "") -> None:
        """What a key did, or why not (one line, plain text)."""
        shown = f"{title}: {message}" if title else message
        self.query_one("#adjudicate-said", Static).update(Text(display_text(shown)))

    def _article(self, article: object) -> tuple[str, str]:
        return self._articles.get(article)

    def _in_gold(self, found: Disagreement) -> list[Annotation]:
        """Gold's annotations over the passage (all of gold read at once, again after a change)."""
        if self._gold_read is None:
            self._gold.clear()
            for annotation in self.store.annotations.of_annotators([self.gold]):
                self._gold.setdefault(annotation.article_id, []).append(annotation)
            self._gold_read = True
        return [g for g in self._gold.get(found.article, ()) if g.start < found.end and found.start < g.end]

    def _listed(self, found: Disagreement) -> ListedPassage:
        title, text = self._article(found.article)
        return ListedPassage(found, title, quote_of(text, found.a), quote_of(text, found.b),
                             adjudication.sides_of(self.store, found))

    def _draw(self, row: ListedPassage, line: int, width: int, style: Style, muted: Style) -> list[tuple[str, Style]]:
        found = row.found
        if line == 0:
            gold = self._in_gold(found)
            bold = style + Style(bold=True)
            pieces = [(" ✓ " if gold else " · ", bold), (f"{kind_label(found, 'A', 'B')} · {found.start}–{found.end} · ", muted)]
            if gold:
                tags = ", ".join(sorted({tag for g in gold for tag in g.tags}))
                pieces.append((f"{display_text(self.gold)}: {display_text(tags)} · ", bold))
            pieces.append((display_text(row.title), bold))
            return pieces
        return both_sides(row, width, style, muted, self.passages.mark_style(style))

    # ---- changes --------------------------------------------------------------------------

    def on_database_changed(self, message: DatabaseChanged) -> None:
        """An undo of a decision: the marks again; another program: the list read again."""
        replayed = message.replayed
        if replayed is not None and replayed.change.kind == "gold":
            self._marks()
        else:
            self._load()

    def on_screen_resume(self) -> None:
        """Back from the article (where gold's version may have been written): the marks again."""
        self._marks()

    def _marks(self) -> None:
        self._gold_read = None
        self._status()
        self.passages.refresh()

    @property
    def current(self) -> ListedPassage | None:
        return self.passages.current

    def action_adopt(self, choice: str) -> None:
        """a / b / +: A's version, B's, or both into gold; the cursor moves to the next passage."""
        row = self.current
        if row is None:
            self.say("No passage to decide: they do not disagree.")
            return
        sides = row.sides
        try:
            change = adjudication.adopt(self.workspace.history, sides, choice, self.gold, self.curator)  # type: ignore[arg-type]
        except AdjudicationError as error:
            self.say(str(error))
            if (row.found.a is not None and sides.a is None) or (row.found.b is not None and sides.b is None):
                self._load()  # a coder's annotation went meanwhile
            return
        except StaleWriteError as error:
            self.say(str(error), "Not adopted")
            self._load()
            return
        self._marks()
        self.say(f"{change.describe()} (u takes it back)", "Adopted")
        self.passages.action_move(1)
        self.passages.refresh()

    def action_edit(self) -> None:
        """e: the article at the passage, where a selection and a tag key write gold's version."""
        row = self.current
        if row is None:
            self.say("No passage to edit.")
            return
        curating = Curating(self.gold, self.curator, tuple(row.sides.seen))
        self.app.open_article_curating(row.found.article, row.found.start, curating)

    def action_accept_agreed(self) -> None:
        """A: every passage both tagged alike into gold, after a confirmation."""
        agreed = adjudication.agreed_versions(self.store, self.a, self.b, self.gold)
        if not agreed:
            self.say(f"No agreed passage left to take: {self.gold} holds every one {self.a} and {self.b} tagged alike.")
            return
        count = len(agreed)
        question = (f"Adopt {count:,} passage{'' if count == 1 else 's'} {self.a} and {self.b} tagged alike "
                    f"(same span, same tag) into {self.gold}?")
        self.app.ask_yes_no(question, lambda: self._accept(agreed))

    def _accept(self, agreed) -> None:
        done = 0
        try:
            for change in adjudication.accept_agreements(self.workspace.history, agreed, self.gold, self.curator):
                done += len(change.golds)
        except StaleWriteError as error:
            self.say(f"{error} ({done:,} adopted before it)", "Stopped")
        else:
            self.say(f"{done:,} agreed passage{'' if done == 1 else 's'} into {self.gold} (u takes them back)", "Adopted")
            self._marks()
            return
        self._load()

    def on_paged_list_chosen(self, event: PagedList.Chosen) -> None:
        event.stop()
        self.app.open_article(event.row.found.article, at=event.row.found.start)

    def action_back(self) -> None:
        self.dismiss()
