"""The first screen: the corpus as a sortable, filterable, searchable list, a cursor to open one.

It reads rows from the store a page at a time; it never loads the whole corpus.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import partial

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import Input, Static

from reader.core.model import ListQuery, QueueFilter, ReadFilter
from reader.tui.colours import clashes_said, colour_clashes
from reader.services.removal import done_line
from reader.tui.format import plural, short_path
from reader.tui.keys import bindings_for
from reader.tui.messages import DatabaseChanged
from reader.tui.screens.orphans import OrphansScreen
from reader.tui.screens.pickers import PickerScreen, pick_annotator
from reader.tui.widgets.footer import KeysFooter
from reader.tui.widgets.article_list import ArticleList
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text

SORT_NAMES = {"published": "date", "relevance": "relevance", "title": "title", "source": "source",
              "annotations": "annotations", "attribute": "the first attribute column"}
READ_CYCLE: tuple[ReadFilter, ...] = ("all", "unread", "read")
#: The first choice of an attribute's values: no filter by it.
ANY_VALUE = "(any value: no filter)"
QUEUE_CYCLE: tuple[QueueFilter, ...] = ("all", "mine", "todo")


class ArticleListScreen(Screen[None]):
    KEY_CONTEXT = "list"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        #: The attributes shown as columns: config.yaml's `list.columns`, then as L changes them.
        self.columns: tuple[str, ...] = tuple(workspace.config.list_columns)
        #: `o` sorts by the first attribute column too.
        self.query_state = ListQuery(sort_attribute=self.columns[0] if self.columns else None)

    def compose(self) -> ComposeResult:
        yield Static(id="list-title")
        yield ArticleList(self._fetch, self.store.listing.count(), attributes=self.columns, id="article-list")
        yield Input(placeholder="search titles, texts and notes (enter: search, esc: cancel)", id="search")
        yield KeysFooter()

    def _fetch(self, offset: int, limit: int):
        return self.store.listing.page(offset, limit, self.query_state, attributes=self.columns)

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    def on_mount(self) -> None:
        self._seen_signature = self.store.listing.signature()
        self.query_one("#search", Input).display = False
        self._update_title()
        self.article_list.focus()
        clashes = colour_clashes(self.app, self.workspace.codebook, self.workspace.codebook.looks)
        if clashes:  # what needs attention: passages of two tags that would look the same
            self.notify(f"{clashes_said(clashes)}: T and c give one another colour.", title="Tag colours", severity="warning")

    def on_database_changed(self, message: DatabaseChanged) -> None:
        """Reload when another connection has changed what the list shows (another reader,
        `reader import`) or an undo did, not when it only cached entities (the background
        recognition)."""
        shown = self.store.listing.signature()
        if shown != self._seen_signature or message.replayed is not None:
            self._seen_signature = shown
            self._reload(keep_cursor=True)

    def on_screen_resume(self) -> None:
        if self.query_state.annotator != self.workspace.shown.annotator:  # changed in an article
            self.query_state = replace(self.query_state, annotator=self.workspace.shown.annotator)
        self._reload(keep_cursor=True)

    def _reload(self, keep_cursor: bool = False) -> None:
        query = self.query_state
        count = self.store.listing.count(query)
        self.article_list.reload(self._fetch, count, lines_per_row=2 if query.search else 1, keep_cursor=keep_cursor,
                                 attributes=self.columns)
        self._update_title()
        if not count and query.describe():
            self.notify(f"No articles match {query.describe()} (c clears).", markup=False)

    def _update_title(self) -> None:
        total = self.store.listing.count()
        shown = self.article_list.count
        title = Text("reader", style="bold")
        me = self.workspace.config.annotator
        done, assigned = self.store.assignments.progress(me)
        if assigned:  # a coder of a study: their queue's progress first
            title.append(f"  {display_text(me)}: {done}/{assigned} done ·", style="bold green")
        title.append(f"  {shown} of {plural(total, 'article')}" if shown != total else f"  {plural(total, 'article')}")
        description = self.query_state.describe()
        if description:
            title.append(f" ({display_text(description)})", style="bold")
        title.append(f"  ·  {display_text(self._order_label())}")
        whose = self.store.study.whose()
        count = self.store.annotations.count() if whose is None else self.store.assignments.annotation_count(whose)
        title.append(f"  ·  {plural(count, 'annotation')}{' (yours; blind study)' if whose is not None else ''}")
        title.append(f"  ·  {short_path(self.workspace.config.database)}", style="dim")
        self.query_one("#list-title", Static).update(title)

    def _order_label(self) -> str:
        """The order the list is really in: by date only when an article it shows has a date
        (else newest imported first, the order of articles without one); by relevance only
        while a search ranks them."""
        query = self.query_state
        order = self.store.listing.order(query)
        if order == "published" and not self.store.listing.any_dated(query):
            return "newest imported first"
        if order == "attribute":
            return f"sorted by {query.sort_attribute}"
        return f"sorted by {SORT_NAMES[order]}"

    def _set_query(self, **changes) -> None:
        self.query_state = replace(self.query_state, **changes)
        self._reload()

    # ---- actions ------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = self.query_state.search or ""
        search.display = True
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.article_list.focus()
        self._set_query(search=event.value.strip() or None)

    def on_key(self, event) -> None:
        search = self.query_one("#search", Input)
        if event.key == "escape" and search.has_focus:
            event.stop()
            search.display = False
            self.article_list.focus()

    def palette_commands(self) -> Iterator[SystemCommand]:
        """What the command palette offers here besides the keys' actions: a filter by each
        tag, each sort order, each read filter."""
        for tag in self.store.tags.filter_names():
            yield SystemCommand(f"Filter by tag {tag}", "show articles with this tag", partial(self.filter_tag, tag), False)
        for sort, name in SORT_NAMES.items():
            if (sort == "relevance" and not self.query_state.search) or (
                    sort == "attribute" and not self.query_state.sort_attribute):
                continue
            yield SystemCommand(f"Sort by {name}", "order of the article list", partial(self.sort_by, sort), False)
        for read in ("unread", "read", "all"):
            yield SystemCommand(f"Show {read} articles", "read-state filter", partial(self.show_read, read), False)

    def filter_tag(self, tag: str) -> None:
        self._set_query(tag=tag)

    def action_tags(self) -> None:
        self.app.open_tags(lambda _result: self._reload(keep_cursor=True))

    def action_entity(self) -> None:
        self.app.pick_entity()

    def action_charts(self) -> None:
        self.app.open_charts()

    def action_agreement(self) -> None:
        self.app.open_agreement()

    def action_orphans(self) -> None:
        orphans = self.store.annotations.shown_orphans()
        if not orphans:
            self.notify("No orphans: every annotation is in place.", markup=False)
            return
        titles = self.store.removal.orphan_titles()  # (by orphan: a removed article's orphans too)
        screen = OrphansScreen(f"Orphans ({len(orphans)})", orphans, titles, "opens the article")
        self.app.push_screen(screen, self._open_orphan_article)

    def _open_orphan_article(self, orphan_id: str | None) -> None:
        orphan = next((o for o in self.store.annotations.shown_orphans() if o.id == orphan_id), None)
        if orphan is None:
            return
        if not orphan.article_id:
            self.notify("Its article was removed: importing the article again puts its annotations back.")
            return
        self.app.open_article(orphan.article_id)
        self.notify("Select where it belongs, then O to put it back.", markup=False)

    def action_remove_article(self) -> None:
        row = self.article_list.current
        if row is None:
            self.notify("No article under the cursor.")
            return
        self.app.remove_articles([row.id], "Remove this article?", self._removed)

    def action_remove_shown(self) -> None:
        described = self.query_state.describe()
        ids = self.store.removal.chosen(query=self.query_state)
        heading = f"Remove every article the list shows ({described})?" if described else "Remove every article?"
        self.app.remove_articles(ids, heading, self._removed)

    def _removed(self, counts) -> None:
        self.notify(done_line(counts))  # (the list reloads as the box closes: on_screen_resume)

    def action_toggle_read(self) -> None:
        row = self.article_list.current
        if row is None:
            return
        self.store.articles.mark_read(row.id, read=not row.read)
        self._reload(keep_cursor=True)
        self.notify(f"Marked {'unread' if row.read else 'read'}.", markup=False)

    def sort_by(self, sort: str) -> None:
        self._set_query(sort=sort)

    def show_read(self, read: ReadFilter) -> None:
        self._set_query(read=read)

    def action_cycle_sort(self) -> None:
        self._set_query(sort=self.query_state.next_sort())

    def action_cycle_queue(self) -> None:
        index = QUEUE_CYCLE.index(self.query_state.queue)
        queue = QUEUE_CYCLE[(index + 1) % len(QUEUE_CYCLE)]
        if queue != "all" and not self.store.assignments.has_queue(self.workspace.config.annotator):
            self.notify("No articles are assigned to you (reader assign --coders ... assigns them).", markup=False)
            return
        self._set_query(queue=queue)

    def action_toggle_done(self) -> None:
        """Mark the article under the cursor done for the user (or not done again): undoable,
        and refused when another window changed the mark since the list showed it."""
        row = self.article_list.current
        if row is None:
            return
        me = self.workspace.config.annotator
        seen = self.store.assignments.done_at(row.id, me)
        self.workspace.history.mark_done(row.id, me, seen is None, seen)  # refused: the app says so
        self._reload(keep_cursor=True)
        self.notify(f"Marked {'done' if seen is None else 'not done'} for {me} (u undoes).", markup=False)

    def action_cycle_read(self) -> None:
        index = READ_CYCLE.index(self.query_state.read)
        self._set_query(read=READ_CYCLE[(index + 1) % len(READ_CYCLE)])

    def action_filter_tag(self) -> None:
        current = [self.query_state.tag] if self.query_state.tag else []
        picker = PickerScreen("Show articles tagged (a parent: with the tags nested in it)",
                              self.store.tags.filter_names(), current=current)
        self.app.push_screen(picker, lambda tag: tag is not None and self.filter_tag(tag))

    def action_filter_annotator(self) -> None:
        pick_annotator(self, self.store.annotations.annotators(), self.query_state.annotator, self.show_annotator)

    def show_annotator(self, annotator: str | None) -> None:
        self.workspace.shown.annotator = annotator
        self._set_query(annotator=annotator)

    def action_filter_source(self) -> None:
        current = [self.query_state.source] if self.query_state.source else []
        picker = PickerScreen("Show articles from", self.store.articles.sources(), current=current)
        self.app.push_screen(picker, lambda source: source is not None and self._set_query(source=source))

    def action_clear_filters(self) -> None:
        self.workspace.shown.annotator = None
        self._set_query(search=None, tag=None, source=None, read="all", annotator=None, where=())

    # ---- attributes and details ---------------------------------------------------------

    def action_filter_attribute(self) -> None:
        """F: an attribute's name, then one of its values (each with how many articles have it)."""
        names = self.store.articles.attribute_names()
        if not names:
            self.notify("No article has attributes (the other fields of JSON, JSONL and CSV records).", markup=False)
            return
        labels = {f"{name}  ({count})": name for name, count in names}
        filtered = [f"{name}  ({count})" for name, count in names if name in dict(self.query_state.where)]
        picker = PickerScreen("Show articles whose attribute…", list(labels), current=filtered)
        self.app.push_screen(picker, lambda label: label is not None and self._pick_value(labels[label]))

    def _pick_value(self, name: str) -> None:
        values = self.store.articles.attribute_values(name)
        labels = {ANY_VALUE: None, **{f"{value}  ({count})": value for value, count in values}}
        where = dict(self.query_state.where)
        current = [label for label, value in labels.items() if value == where.get(name)]
        picker = PickerScreen(f"… {name} is", list(labels), current=current)

        def chosen(label: str | None) -> None:
            if label is None:
                return
            where.pop(name, None)
            if labels[label] is not None:
                where[name] = labels[label]
            self._set_query(where=tuple(where.items()))

        self.app.push_screen(picker, chosen)

    def action_pick_column(self) -> None:
        """L: show an attribute as a column of the list, or hide one shown."""
        names = [name for name, _count in self.store.articles.attribute_names()]
        choices = list(dict.fromkeys([*self.columns, *names]))
        if not choices:
            self.notify("No article has attributes to show as columns.", markup=False)
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                self.columns = tuple(c for c in self.columns if c != name) if name in self.columns else (*self.columns, name)
                self._set_query(sort_attribute=self.columns[0] if self.columns else None)

        self.app.push_screen(PickerScreen("Show or hide the column", choices, current=self.columns), chosen)

    def action_edit_details(self) -> None:
        row = self.article_list.current
        if row is not None:
            self.app.edit_details(row.id, lambda: self._reload(keep_cursor=True))

    def action_open_url(self) -> None:
        row = self.article_list.current
        if row is None:
            return
        self.app.open_article_url(self.store.articles.get(row.id).url)

    def neighbour(self, article_id: int, step: int) -> int | str:
        """The article `step` rows from `article_id` (the row under the cursor) in the list as
        it is now, with the cursor moved there; or why there is none. The list is read again
        first, as going back to it would: an article that left it (read, under the unread
        filter) has the next one in its place."""
        listed = self.article_list
        current = listed.current
        if current is None or current.id != article_id:
            return "J and K go through the article list: this article is not the one under its cursor (q goes back)."
        place = listed.cursor
        self._reload(keep_cursor=True)
        here = listed.current
        target = place + step if here is not None and here.id == article_id else place + min(step, 0)
        if not 0 <= target < listed.count:
            return "That was the last article of the list." if step > 0 else "That was the first article of the list."
        listed.cursor = target
        return listed.current.id

    def on_article_list_opened(self, message: ArticleList.Opened) -> None:
        self.app.open_article(message.article_id, search=self.query_state.search)
