"""The codebook (every tag with its key, colour, description and use) and the passages of one tag
across the corpus.

Screens only: every change goes through the history (so `u` undoes it) and the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from reader.core.codebook import CodebookEntry, TagLook, write_codebook
from reader.core.config import COLOR_NAMES, ConfigError, is_color, load_config, tag_key_problem
from reader.core.model import Passage, PassageQuery, TagInfo, tag_name_problem
from reader.tui.colours import clashes_said, colour_clashes
from reader.tui.format import plural, short_path
from reader.tui.keys import bindings_for
from reader.tui.messages import DatabaseChanged
from reader.tui.screens.pickers import PickerScreen
from reader.tui.screens.prompt import PromptScreen
from reader.tui.widgets.footer import KeysFooter
from reader.tui.widgets.article_list import fit
from reader.tui.widgets.paged_list import PagedList
from reader.tui.widgets.status_line import StatusLine
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text

_COLOR_HINT = "a colour name or #rrggbb"
_SPACES = re.compile(r"\s+")


def codebook_rows(tags: list[TagInfo]) -> tuple[list[TagInfo], set[str]]:
    """`tags` in tree order, with a row (no colour, summed counts) for each parent that is only
    implied by a nested name ("framing" for "framing/cooperation"); and the names of those."""
    names = {tag.name for tag in tags}
    rows = list(tags)
    implied: set[str] = set()
    for tag in tags:
        parent = tag.parent
        while parent and parent not in names:
            names.add(parent)
            implied.add(parent)
            nested = [other for other in tags if other.name.startswith(parent + "/")]
            rows.append(TagInfo(parent, None, None, sum(t.passages for t in nested), 0))
            parent = parent.rpartition("/")[0]
    return sorted(rows, key=lambda tag: tag.name.split("/")), implied


def _color_problem(value: str) -> str | None:
    return None if not value or is_color(value) else f"not a colour: use {_COLOR_HINT}"


class TagsScreen(Screen):
    """Every tag: key, name (nested by "/"), passages, articles, description."""

    KEY_CONTEXT = "tags"
    BINDINGS = bindings_for(KEY_CONTEXT)

    DEFAULT_CSS = """
    TagsScreen #tags-title { height: 1; background: $panel; text-style: bold; padding: 0 1; }
    TagsScreen DataTable { height: 1fr; }
    TagsScreen #tags-note, TagsScreen #tags-note.-said { max-height: 6; }
    """

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.rows: list[TagInfo] = []
        #: Rows that stand only for a group of nested tags ("framing" of "framing/economy").
        self.implied: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="tags-title", markup=False)
        yield DataTable(cursor_type="row", zebra_stripes=True, id="tags-table")
        yield StatusLine(id="tags-note")
        yield KeysFooter()

    def say(self, message: str, title: str = "") -> None:
        """A confirmation, in the line under the table until the next key (never over it)."""
        self.query_one(StatusLine).say(message, title)

    def on_key(self, _event) -> None:
        self.query_one(StatusLine).clear_said()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Tag", "Passages", "Articles", "Description")
        self.reload()
        table.focus()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    @property
    def current(self) -> TagInfo | None:
        if not self.rows:
            return None
        return self.rows[min(self.table.cursor_row, len(self.rows) - 1)]

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def config_differs(self) -> bool:
        """config.yaml names a tag the codebook no longer has, or gives one another key."""
        codebook = self.workspace.codebook
        return any(
            tag.name not in codebook.looks or (tag.key or None) != codebook.key_of(tag.name)
            for tag in self.workspace.config.tags
        )

    def reload(self, select: str | None = None) -> None:
        selected = select or (self.current.name if self.current else None)
        self.workspace.reload_codebook()
        self.rows, self.implied = codebook_rows(self.store.tags.summary())
        codebook = self.workspace.codebook
        table = self.table
        table.clear()
        # The description takes what the other columns leave (each has a cell of padding on
        # either side), cut with an ellipsis; the whole of it shows under the table.
        name_width = max([cell_len(display_text(tag.name.rpartition("/")[2])) + 2 * tag.depth + 2 for tag in self.rows] + [3])
        key_width = max([cell_len(display_text(tag.key or "")) for tag in self.rows] + [3])
        room = (self.size.width or self.app.size.width) - (key_width + name_width + 8 + 8 + 4 * 2 + 2) - 2
        for tag in self.rows:
            implied = tag.name in self.implied
            name = Text("  " * tag.depth)
            if not implied:
                name.append("■ ", style=codebook.color(tag.name))
            name.append(display_text(tag.name.rpartition("/")[2]), style="dim" if implied else "")
            table.add_row(
                Text(display_text(tag.key or ""), style="bold"),
                name,
                Text(f"{tag.passages:,}", justify="right"),
                Text(f"{tag.articles:,}" if not implied else "", justify="right"),
                Text(fit(display_text(" ".join((tag.description or "").split())), max(room, 12)).rstrip(), style="dim"),
                key=tag.name,
            )
        self.query_one("#tags-title", Static).update(f"Codebook · {plural(len(self.rows), 'tag')}")
        self._show_note()
        if selected is not None:
            for index, tag in enumerate(self.rows):
                if tag.name == selected:
                    table.move_cursor(row=index)
                    break

    def _show_note(self) -> None:
        """Under the table: tag colours that look alike, the whole description of the tag
        under the cursor, and the keys."""
        note = Text()
        clashes = self.colour_clashes()
        if clashes:
            note.append(f"▲ {clashes_said(clashes)} (c gives one another colour).\n", style="bold yellow")
        if self.config_differs:
            note.append(f"{short_path(self.workspace.config.path)} lists other names or keys: E writes this codebook there. ")
        current = self.current
        if current is not None and current.description:
            note.append(display_text(current.name) + ": ", style="bold")
            note.append(display_text(" ".join(current.description.split())) + "\n", style="italic")
        note.append("enter: passages · r rename · M merge · c colour · d describe · K key · u undo", style="dim")
        self.query_one(StatusLine).show(note)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        if self.is_mounted:
            self._show_note()

    def on_resize(self) -> None:
        if self.rows:
            self.reload()

    def colour_clashes(self) -> list[tuple[str, str, str]]:
        return colour_clashes(self.app, self.workspace.codebook, [tag.name for tag in self.rows if tag.name not in self.implied])

    # ---- actions ----------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.table.action_cursor_down() if delta > 0 else self.table.action_cursor_up()

    def action_back(self) -> None:
        self.dismiss()

    def action_passages(self) -> None:
        tag = self.current
        if tag is not None:
            self.app.open_tag_passages(tag.name)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_passages()

    def _real_tag(self) -> TagInfo | None:
        tag = self.current
        if tag is None:
            return None
        if tag.name in self.implied:
            self.say(f"{tag.name} is only a group of nested tags: change those.")
            return None
        return tag

    @staticmethod
    def _look(tag: TagInfo) -> TagLook:
        """The look of a row as the screen shows it: what a change of it was made against."""
        return TagLook(tag.color, tag.description, tag.key)

    def action_rename(self) -> None:
        tag = self._real_tag()
        if tag is None:
            return

        def check(name: str) -> str | None:
            if name != tag.name and name in self.store.tags.names():
                return f"{name} exists: M merges into it"
            if name.startswith(tag.name + "/"):
                return f"{tag.name} cannot be nested in itself"
            return tag_name_problem(name)

        def renamed(name: str | None) -> None:
            if not name or name == tag.name:
                return
            try:
                change = self.workspace.history.rename_tag(tag.name, name)
            except ValueError as error:  # a nested tag's new name is taken
                self.notify(str(error), severity="warning", markup=False)
                return
            if change is not None:
                self.say(f"{change.describe()} on {plural(tag.passages, 'passage')}.")
            self.reload(select=name)

        self.app.push_screen(PromptScreen(f"Rename tag {tag.name} (a/b nests it under a)", tag.name, check=check),
                             self.app.saving(renamed))

    def action_merge(self) -> None:
        tag = self._real_tag()
        if tag is None:
            return
        others = [name for name in self.store.tags.names() if name != tag.name]

        def merged(target: str | None) -> None:
            if target is None:
                return
            change = self.workspace.history.merge_tags(tag.name, target)
            self.say(f"{change.describe()}: {plural(tag.passages, 'passage')} moved (u undoes).")
            self.reload(select=target)

        self.app.push_screen(PickerScreen(f"Merge {tag.name} into…", others), self.app.saving(merged))

    def action_recolor(self) -> None:
        tag = self._real_tag()
        if tag is None:
            return

        def chosen(color: str | None) -> None:
            if color is None or (problem := _color_problem(color)):
                if color:
                    self.notify(problem or "", severity="warning", markup=False)
                return
            self.workspace.history.set_tag_look(tag.name, color=color or None, seen=self._look(tag))
            self.reload()

        choices = sorted(COLOR_NAMES)
        picker = PickerScreen(f"Colour of {tag.name} ({_COLOR_HINT})", choices, allow_new=True, new_label="Use")
        self.app.push_screen(picker, self.app.saving(chosen))

    def action_describe(self) -> None:
        tag = self._real_tag()
        if tag is None:
            return

        def described(text: str | None) -> None:
            if text is None or text == (tag.description or ""):
                return
            self.workspace.history.set_tag_look(tag.name, description=text or None, seen=self._look(tag))
            self.reload()

        self.app.push_screen(PromptScreen(f"Description of {tag.name}", tag.description or ""), self.app.saving(described))

    def action_set_key(self) -> None:
        tag = self._real_tag()
        if tag is None:
            return
        codebook = self.workspace.codebook

        def check(key: str) -> str | None:
            if not key:
                return None
            owner = codebook.tag_for_key(key)
            if owner is not None and owner != tag.name:
                return f"{key} is the key of {owner}"
            return tag_key_problem(key)

        def chosen(key: str | None) -> None:
            if key is None or key == (tag.key or ""):
                return
            self.workspace.history.set_tag_look(tag.name, key=key or None, seen=self._look(tag))
            self.reload()
            what = f"Key {key} tags {tag.name}" if key else f"{tag.name} has no key now"
            written = self._write_codebook()
            if written is not None:
                self.say(f"{what}; the codebook is written to {short_path(written)} (u undoes the key).")

        self.app.push_screen(PromptScreen(f"Key for {tag.name} (one character; empty for none)",
                                          tag.key or "", check=check), self.app.saving(chosen))

    def action_write_config(self) -> None:
        written = self._write_codebook()
        if written is not None:
            self.say(f"{plural(len(self.rows) - len(self.implied), 'tag')} written to {short_path(written)}.")

    def _write_codebook(self) -> Path | None:
        """The database's codebook, keys included, written into config.yaml and applied; the
        file's path, or None (and a notification) when it cannot be."""
        config = self.workspace.config
        entries = [
            CodebookEntry(tag.name, tag.key or "", tag.color, tag.description)
            for tag in self.store.tags.summary()
        ]
        try:
            path = write_codebook(config, entries)
            fresh = load_config(path)
        except (ConfigError, OSError) as error:
            self.notify(str(error), title="Codebook not written", severity="error", markup=False)
            return None
        self.store.tags.sync(fresh.tags)  # remember what config.yaml now says
        self.workspace.config = fresh
        self.reload()
        return path

    def action_load_config(self) -> None:
        config = self.workspace.config
        try:
            fresh = load_config(config.path)
        except ConfigError as error:
            self.notify(str(error), title="Codebook not loaded", severity="error", markup=False)
            return
        self.store.tags.sync(fresh.tags, force=True)
        self.workspace.config = fresh
        self.say(f"Tags of {short_path(config.path)} applied.")
        self.reload()


# ---- the passages of one tag ------------------------------------------------------------


class TagPassagesScreen(Screen):
    """Every passage with one tag (and its nested tags), newest first, two lines each."""

    KEY_CONTEXT = "tag_passages"
    BINDINGS = bindings_for(KEY_CONTEXT)

    DEFAULT_CSS = """
    TagPassagesScreen #passages-title { height: 1; background: $panel; text-style: bold; padding: 0 1; }
    TagPassagesScreen PagedList { height: 1fr; }
    """

    def __init__(self, workspace: Workspace, tag: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.filters = PassageQuery(tag)
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static(id="passages-title", markup=False)
        yield PagedList(self._draw, lines_per_row=2, id="passages")
        yield StatusLine(id="passages-status")
        yield KeysFooter()

    def say(self, message: str, title: str = "") -> None:
        self.query_one(StatusLine).say(message, title)

    def on_key(self, _event) -> None:
        self.query_one(StatusLine).clear_said()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(PagedList).focus()

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        self.reload(keep_cursor=True)

    def on_screen_resume(self) -> None:
        self.reload(keep_cursor=True)

    def reload(self, keep_cursor: bool = False) -> None:
        query = self.filters
        self.count = self.store.passages.count(query)
        self.query_one(PagedList).show(
            lambda offset, limit: self.store.passages.page(query, offset, limit), self.count, keep_cursor,
            after=lambda passage, limit: self.store.passages.after(query, passage, limit),
            before=lambda passage, limit: self.store.passages.before(query, passage, limit),
        )
        filters = [f"source {query.source}" if query.source is not None else "",
                   f"{query.since or '…'} to {query.until or '…'}" if query.since or query.until else "",
                   f"annotator {query.annotator}" if query.annotator else ""]
        shown = " · ".join(part for part in filters if part)
        self.query_one("#passages-title", Static).update(display_text(
            f"{query.tag} (and nested) · {plural(self.count, 'passage')}" + (f" · {shown}" if shown else "")
        ))

    def _draw(self, passage: Passage, line: int, width: int, style: Style, muted: Style) -> list[tuple[str, Style]]:
        annotation = passage.annotation
        if line == 0:
            # whose and which tags first, then the title (20 cells at least), then the source
            date = (passage.published or "")[:10].ljust(10)
            room = width - 13
            title = display_text(passage.title)
            who = f" · {fit(display_text(annotation.annotator), min(16, cell_len(display_text(annotation.annotator)))).rstrip()}"
            title_min = min(cell_len(title), 20)
            tags = display_text(", ".join(annotation.tags))
            tags = fit(tags, min(cell_len(tags), max(room - title_min - cell_len(who) - 2, 8))).rstrip()
            source = display_text(passage.source or "")
            source_room = room - title_min - cell_len(who) - cell_len(tags) - 2 - 3
            source = fit(source, min(cell_len(source), 16, source_room)).rstrip() if source_room >= 6 else ""
            who = "  " + (source + " · " if source else "") + tags + who
            title = fit(title, max(room - cell_len(who), 0)).rstrip()
            return [(" " + date + "  ", muted), (title, style + Style(bold=True)), (who, muted)]
        prefix, quote, suffix = (_SPACES.sub(" ", display_text(part)) for part in
                                 (annotation.prefix, annotation.quote, annotation.suffix))
        lead = max(0, min(len(prefix), (width - 6) // 4))
        mark = self.query_one(PagedList).mark_style(style)
        return [("    …" + prefix[len(prefix) - lead:], muted), (quote, mark), (suffix + "…", muted)]

    def on_paged_list_chosen(self, event: PagedList.Chosen) -> None:
        annotation = event.row.annotation
        self.app.open_article(annotation.article_id, at=annotation.start)

    def action_back(self) -> None:
        self.dismiss()

    def _set(self, **changes) -> None:
        self.filters = replace(self.filters, **changes)
        self.reload()

    def action_filter_source(self) -> None:
        picker = PickerScreen("Only passages from source", self.store.articles.sources())
        self.app.push_screen(picker, lambda source: source is not None and self._set(source=source))

    def action_filter_annotator(self) -> None:
        picker = PickerScreen("Only passages by", self.store.annotations.annotators())
        self.app.push_screen(picker, lambda name: name is not None and self._set(annotator=name))

    def action_filter_dates(self) -> None:
        current = f"{self.filters.since or ''}..{self.filters.until or ''}" if self.filters.since or self.filters.until else ""

        def check(value: str) -> str | None:
            return None if value == "" or parse_date_range(value) is not None else "write FROM..TO, e.g. 2025-01..2025-06 (either may be left out)"

        def chosen(value: str | None) -> None:
            if value is None:
                return
            since, until = parse_date_range(value) or (None, None)
            self._set(since=since, until=until)

        self.app.push_screen(PromptScreen("Articles published from..to (2025-01..2025-06-30)", current, check=check), chosen)

    def action_clear_filters(self) -> None:
        self._set(source=None, since=None, until=None, annotator=None)

    def action_export(self) -> None:
        from reader.core.exchange.passages_csv import write_passages_csv

        config = self.workspace.config
        safe = "".join(char if char.isalnum() or char in "-_" else "-" for char in self.filters.tag)
        path = config.export_file.with_name(f"{config.export_file.stem}-{safe}.csv")
        try:
            count = write_passages_csv(path, self._pages(self.filters))
        except OSError as error:
            self.notify(f"{path}: {error.strerror or error}", title="Export failed", severity="error", markup=False)
            return
        self.say(f"{plural(count, 'passage')} written to {short_path(path)}", title="Exported")

    def _pages(self, query: PassageQuery, size: int = 1000) -> Iterator[list[Passage]]:
        """Every passage of `query`, `size` at a time, each page sought from the last."""
        page = self.store.passages.after(query, None, size)
        while page:
            yield page
            page = self.store.passages.after(query, page[-1], size) if len(page) == size else []


def parse_date_range(value: str) -> tuple[str | None, str | None] | None:
    """("2025-01", "2025-06") for "2025-01..2025-06"; either side may be empty; None if malformed."""
    date = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
    found = re.fullmatch(rf"\s*({date})?\s*\.\.\s*({date})?\s*|\s*({date})\s*", value)
    if found is None:
        return None
    if found.group(3):
        return found.group(3), found.group(3)
    return found.group(1), found.group(2)
