"""Retrieval from an entity: its mentions in context (or the articles that mention it), the entities
found with it, and the tags on passages that mention it; and a picker to find an entity by name.

Screens only: every number comes from `reader.store.entity_index` (SQL on the entity index); they
never write, and never put article text into markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.core.entities import LABELS
from reader.core.model import CoOccurrence, Entity, EntityArticle, Mention, Together
from reader.store.entity_index import (
    articles_mentioning,
    co_occurring,
    entities_matching,
    entity_totals,
    mentions_of,
    tags_on_mentions,
)
from reader.store import figures as insight
from reader.store import Store
from reader.tui.format import plural
from reader.tui.keys import bindings_for
from reader.tui.messages import DatabaseChanged
from reader.tui.screens.modal import BoxedModal
from reader.tui.screens.pickers import MOVE_HINT, PICKER_CSS
from reader.tui.widgets.footer import KeysFooter
from reader.tui.widgets.article_list import fit
from reader.tui.widgets.paged_list import PagedList
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text

#: How many entities the co-occurrence pane lists.
TOGETHER_ROWS = 30
#: The labels it lists: dates and sums of money are found with everything and say little.
TOGETHER_LABELS = tuple(label for label in LABELS if label not in ("DATE", "MONEY"))


def _tail_cells(text: str, cells: int) -> str:
    """The end of `text` that fits in `cells` cells, from a whole word on ("…" marks a cut)."""
    if cell_len(text) <= cells:
        return text
    if cells <= 1:
        return ""
    kept = text[-(cells - 1) :]
    while cell_len(kept) > cells - 1:
        kept = kept[1:]
    if " " in kept.rstrip():
        kept = kept[kept.index(" ") + 1 :]
    return "…" + kept


#: The width of the mentions pane below which each mention takes two lines (title, context).
WIDE_MENTIONS = 90


class EntityScreen(Screen[None]):
    """One entity: a header with its counts, a list of its mentions in context (or of the
    articles that mention it), the entities found with it, and the tags on its passages."""

    KEY_CONTEXT = "entity"
    BINDINGS = bindings_for(KEY_CONTEXT)

    DEFAULT_CSS = """
    EntityScreen #entity-header { height: auto; background: $panel; padding: 0 1; }
    EntityScreen #entity-body { height: 1fr; }
    EntityScreen #entity-main { width: 2fr; }
    EntityScreen #entity-side { width: 1fr; min-width: 32; max-width: 48; border-left: vkey $panel-lighten-2; }
    EntityScreen .entity-pane-title { height: auto; padding: 0 1; text-style: bold; color: $text-muted; }
    EntityScreen PagedList:focus { background-tint: $accent 4%; }
    EntityScreen #entity-list, EntityScreen #entity-together { height: 1fr; }
    EntityScreen #entity-tags { height: 8; }
    """

    def __init__(self, workspace: Workspace, entity: Entity) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.entity = entity
        #: What the main list shows: every mention, or the articles.
        self.listing = "mentions"
        self.mentions = 0
        self.articles = 0
        self.together: CoOccurrence | None = None
        self.tags: list[tuple[str, int]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="entity-header")
        with Horizontal(id="entity-body"):
            with Vertical(id="entity-main"):
                yield Static(id="entity-list-title", classes="entity-pane-title", markup=False)
                yield PagedList(self._draw_main, id="entity-list")
            with Vertical(id="entity-side"):
                yield Static("Found with it: loading…", id="entity-together-title", classes="entity-pane-title", markup=False)
                yield PagedList(self._draw_together, id="entity-together")
                yield Static("Tags on passages mentioning it: loading…", id="entity-tags-title",
                             classes="entity-pane-title", markup=False)
                yield PagedList(self._draw_tag, id="entity-tags")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._seen = self._signature()
        self._show_all()
        self.panes[0].focus()

    def _signature(self) -> tuple:
        """What the screen counts: the entity index and feedback, the passages and their tags."""
        return insight.entity_signature(self.store), insight.tag_signature(self.store)

    def _show_all(self) -> None:
        self.mentions, self.articles = entity_totals(self.store, self.entity)
        self.query_one("#entity-header", Static).update(self._header())
        self._show_list()
        self._load_side()

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        """Count again when another program (or an undo) changed what the screen counts."""
        seen = self._signature()
        if seen != getattr(self, "_seen", seen):
            self._seen = seen
            self._show_all()

    def on_screen_resume(self) -> None:
        self.on_database_changed(DatabaseChanged())

    @property
    def panes(self) -> list[PagedList]:
        return [self.query_one("#entity-list", PagedList), self.query_one("#entity-together", PagedList),
                self.query_one("#entity-tags", PagedList)]

    def _color(self, label: str) -> str:
        return self.workspace.config.entities.colors.get(label, "")

    def _header(self) -> Text:
        entity = self.entity
        header = Text()
        header.append(display_text(entity.name), style="bold")
        header.append("  ")
        header.append(f" {entity.label} ", style=f"bold reverse {self._color(entity.label)}")
        header.append(f"  {plural(self.mentions, 'mention')} in {plural(self.articles, 'article')}")
        if not self.mentions and entity.mentions:
            header.append("  (you rejected it: it is hidden everywhere)", style="italic")
        if entity.label == "PERSON" and " " in entity.key:
            header.append("\nthe bare surname counts as this person in articles that name them in full", style="dim")
        return header

    # ---- the main list --------------------------------------------------------------------

    def _show_list(self) -> None:
        entity, store = self.entity, self.store
        rows = self.panes[0]
        # A mention on one line where the pane is wide; else its article on one line and
        # its context on the whole next line.
        rows.lines_per_row = 2 if self.listing == "mentions" and rows.size.width and rows.size.width < WIDE_MENTIONS else 1
        if self.listing == "mentions":
            rows.show(lambda offset, limit: mentions_of(store, entity, offset, limit), self.mentions)
            title = f"{plural(self.mentions, 'mention')}, newest first · a: the articles"
        else:
            rows.show(lambda offset, limit: articles_mentioning(store, entity, offset, limit), self.articles)
            title = f"{plural(self.articles, 'article')}, newest first · a: every mention"
        self.query_one("#entity-list-title", Static).update(title)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_list)

    def _fit_list(self) -> None:
        rows = self.panes[0]
        wanted = 2 if self.listing == "mentions" and rows.size.width < WIDE_MENTIONS else 1
        if wanted != rows.lines_per_row:
            keep = rows.cursor
            self._show_list()
            rows.cursor = min(keep, max(rows.count - 1, 0))

    def action_toggle_list(self) -> None:
        self.listing = "articles" if self.listing == "mentions" else "mentions"
        self._show_list()
        self.panes[0].focus()

    def _draw_main(self, row: Mention | EntityArticle, line: int, width: int, style: Style, muted: Style) -> list[tuple[str, Style]]:
        date = fit((row.published or "")[:10], 10)
        if isinstance(row, EntityArticle):
            count = fit(f"×{row.mentions}", 5)
            title = display_text(row.title)
            source = f"  · {display_text(row.source)}" if row.source else ""
            return [(f" {date}  ", muted), (count, muted), (title, style + Style(bold=True)), (source, muted)]
        if self.panes[0].lines_per_row == 2:  # the article, then the context on a line of its own
            if line == 0:
                return [(f" {date}  " if row.published else " ", muted), (display_text(row.title), muted)]
            pieces = [("   ", muted)]
            room = width - 3
        else:
            title_cells = min(24, max(8, width // 4))
            pieces = [(f" {date}  ", muted), (fit(display_text(row.title), title_cells) + "  ", muted)]
            room = width - 14 - title_cells - 2
        if not row.current:
            return [*pieces, ("(the text changed: re-indexed when its entities are found again)", muted)]
        surface = display_text(row.surface)
        before = _tail_cells(display_text(row.before), max(0, (room - cell_len(surface)) * 2 // 5))
        mark = self.panes[0].mark_style(style)
        return [*pieces, (before, style), (surface, mark), (display_text(row.after), style)]

    # ---- the side panes --------------------------------------------------------------------

    def _load_side(self) -> None:
        """The side panes' numbers (a frequent entity's take a hundred milliseconds or more):
        each in a thread with a connection of its own for a database file, so the two run at
        once and keys work meanwhile; in this thread for a database in memory."""
        if self.store.path is None:
            self._show_together(self._together_numbers(self.store))
            self._show_tags(self._tag_numbers(self.store))
            return
        self._side_in_thread(self._together_numbers, self._show_together, "entity-together")
        self._side_in_thread(self._tag_numbers, self._show_tags, "entity-tags")

    def _together_numbers(self, store: Store) -> CoOccurrence:
        return co_occurring(store, self.entity, limit=TOGETHER_ROWS, labels=TOGETHER_LABELS)

    def _tag_numbers(self, store: Store) -> list[tuple[str, int]]:
        return tags_on_mentions(store, self.entity, self.workspace.shown.annotator)

    def _side_in_thread(self, numbers: Callable[[Store], object], show: Callable[[object], None], group: str) -> None:
        def work_out() -> None:
            store = Store.open(self.store.path, read_only=self.store.read_only)
            store.study.adopt(self.store.study)  # whose work the user may see, as on their own connection
            try:
                found = numbers(store)
            finally:
                store.close()
            if self.is_attached:
                self.app.call_from_thread(show, found)

        self.run_worker(work_out, thread=True, exclusive=True, group=group, exit_on_error=False)

    def _show_together(self, together: CoOccurrence) -> None:
        if not self.is_attached:
            return
        self.together = together
        rows = together.rows
        self.query_one("#entity-together", PagedList).show(lambda offset, limit: rows[offset : offset + limit], len(rows))
        scope = "" if together.complete else f", in its newest {together.considered:,} of {together.total:,} articles"
        title = f"Found with it (sentences, articles{scope})" if rows else "Found with it: nothing"
        self.query_one("#entity-together-title", Static).update(title)

    def _show_tags(self, tags: list[tuple[str, int]]) -> None:
        if not self.is_attached:
            return
        self.tags = tags
        self.query_one("#entity-tags", PagedList).show(lambda offset, limit: tags[offset : offset + limit], len(tags))
        whose = f" ({self.workspace.shown.annotator}'s)" if self.workspace.shown.annotator else ""
        self.query_one("#entity-tags-title", Static).update(
            f"Tags on passages mentioning it{whose}" + ("" if tags else ": none")
        )

    def _draw_together(self, row: Together, line: int, width: int, style: Style, muted: Style) -> list[tuple[str, Style]]:
        counts = f"{row.sentences:>6} {row.articles:>7}"
        label = f" {row.entity.label:<6} "
        name = fit(" " + display_text(row.entity.name), max(4, width - len(counts) - len(label)))
        return [(name, style), (label, style + Style.parse(self._color(row.entity.label) or "default")), (counts, muted)]

    def _draw_tag(self, row: tuple[str, int], line: int, width: int, style: Style, muted: Style) -> list[tuple[str, Style]]:
        name, count = row
        counts = f"{plural(count, 'passage'):>14}"
        return [(" ▌", style + Style.parse(self.workspace.codebook.color(name))),
                (fit(display_text(name), max(4, width - 2 - len(counts))), style), (counts, muted)]

    # ---- keys ---------------------------------------------------------------------------

    def on_paged_list_chosen(self, event: PagedList.Chosen) -> None:
        event.stop()
        row = event.row
        if isinstance(row, Mention):
            self.app.open_article(row.article_id, at=row.start if row.current else None)
        elif isinstance(row, EntityArticle):
            self.app.open_article(row.article_id, at=row.first)
        elif isinstance(row, Together):
            self.app.show_entity(row.entity)
        else:
            name, count = row
            self.notify(f"{plural(count, 'passage')} tagged {name} mention {self.entity.name}.", markup=False)

    def action_pane(self, step: int) -> None:
        panes = self.panes
        current = panes.index(self.focused) if self.focused in panes else -1
        panes[(current + step) % len(panes)].focus()

    def action_back(self) -> None:
        self.dismiss(None)


class EntityPicker(BoxedModal[Entity | None]):
    """Type the start of an entity's words; the matches, in most articles first, update as you
    type; enter chooses. Dismisses with the Entity or None. Entities in `chosen` (ids) carry a ✓:
    the charts' timeline uses it to say which are on it (choosing one again takes it off)."""

    DEFAULT_CSS = PICKER_CSS

    KEY_CONTEXT = "entity_picker"
    BINDINGS = bindings_for(KEY_CONTEXT)

    SHOWN = 50

    def __init__(self, workspace: Workspace, label: str | None = None, *, title: str | None = None,
                 chosen: Iterable[int] = (), does: str = "opens") -> None:
        super().__init__()
        self.workspace = workspace
        self.label = label
        self.heading = title or "Find an entity" + (f" ({label})" if label else "")
        self.chosen = set(chosen)
        self.does = does
        self.found: list[Entity] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker-box modal-box"):
            yield Static(Content(self.heading), classes="picker-title")
            yield Input(placeholder="start of its words: ana li, geneva (any case, accents)", id="entity-picker-input")
            options = OptionList(id="entity-picker-options", markup=False, compact=True)
            options.can_focus = False
            yield options
            yield Static(Content(f"{MOVE_HINT} · enter {self.does} · esc cancels"), classes="picker-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._show("")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    def _show(self, typed: str) -> None:
        self.found = entities_matching(self.workspace.store, typed.strip(), self.label, limit=self.SHOWN)
        colors = self.workspace.config.entities.colors
        options = []
        for entity in self.found:
            line = Text("✓ " if entity.id in self.chosen else "  " if self.chosen else "")
            line.append(display_text(entity.name))
            line.append(f"  {entity.label}", style=colors.get(entity.label, ""))
            line.append(f"  {plural(entity.articles, 'article')}", style="dim")
            options.append(Option(line))
        option_list = self.query_one(OptionList)
        option_list.set_options(options)
        if options:
            option_list.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_choose(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is None or highlighted >= len(self.found):
            self.app.bell()
            return
        self.dismiss(self.found[highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.found):
            self.dismiss(self.found[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
