"""The article screen: the text with entities and annotations; tagging, notes, search, undo.

Every change is written through the store (via the history) before the next key is read, with
the version of what the screen shows (the text's hash, the annotation as drawn), so the store
refuses it rather than save it shifted when another program changed the article meanwhile. It
never writes SQL itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace
from functools import partial

from rich.text import Text
from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import Input, Static

from reader.core.entities import LABELS
from reader.core.entities.packed import SpanTable
from reader.core.anchoring import Selector, reanchor, selector_for
from reader.core.model import Annotation, Article, GoldVersion, tag_name_problem
from reader.services.adjudication import Curating
from reader.store import StoreWriteError
from reader.core.textsearch import search_hits
from reader.tui.format import plural, short_quote
from reader.tui.keys import bindings_for
from reader.tui.screens.article_details import ArticleDetails
from reader.tui.screens.article_entities import ArticleEntities
from reader.tui.screens.article_notes import MEMO_COLOR, MEMO_LABEL, ArticleNotes
from reader.tui.screens.article_outward import ArticleOutward
from reader.tui.messages import DatabaseChanged
from reader.tui.screens.orphans import OrphansScreen
from reader.tui.screens.pickers import PickerScreen, pick_annotator
from reader.tui.widgets.footer import KeysFooter
from reader.tui.widgets.article_view import ArticleView, Highlight
from reader.tui.widgets.side_panel import SidePanel
from reader.tui.widgets.status_line import StatusLine
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text

#: The annotator picker's last choice: two annotators side by side.
COMPARE = "(compare two side by side…)"


def _one_line(value: str, width: int) -> str:
    """An attribute's value on one line, cut to `width` characters with an ellipsis."""
    line = " ".join(value.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"

class ArticleScreen(ArticleEntities, ArticleNotes, ArticleOutward, ArticleDetails, Screen[None]):
    """One article: read, move, select, tag, annotate."""

    KEY_CONTEXT = "article"
    BINDINGS = bindings_for(KEY_CONTEXT)

    def __init__(self, workspace: Workspace, article_id: int, search: str | None = None, at: int | None = None,
                 curating: Curating | None = None) -> None:
        super().__init__()
        #: Opened from adjudication: keys change the gold layer's annotations, not the user's own.
        self.curating = curating
        self.workspace = workspace
        self.store = workspace.store
        self.article: Article = self.store.articles.get(article_id)
        #: Every annotation of the article as last read, and those shown (one annotator's, W).
        self.all_annotations: list[Annotation] = self.store.annotations.shown_of_article(article_id)
        self.annotations: list[Annotation] = self.all_annotations
        self.entities: SpanTable = SpanTable.empty()
        self.found: SpanTable = self.entities  # before the user's confirmations and rejections
        self.search = search
        #: Where the cursor starts (a passage or mention opened from another view), if not
        #: at the first search hit or where the reader left off.
        self.at = at
        self.position = 0  # the cursor, kept for saving when the screen goes away
        self._codebook_shown = workspace.codebook

    @property
    def me(self) -> str:
        """Whose annotations keys change: the user's own; the gold layer's while curating (the
        one exception, made only by the adjudication screen)."""
        return self.curating.gold if self.curating is not None else self.config.annotator

    @property
    def config(self):
        """The configuration in force (the Tags screen may replace it)."""
        return self.workspace.config

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="article-title")
        yield Static(id="legend")
        yield SidePanel(id="side-panel")
        yield ArticleView(self.article.text, reading_width=self.config.reading_width, id="article-view")
        yield Input(placeholder="search this article (enter: search, esc: cancel)", id="article-search")
        yield StatusLine(id="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        view = self.view
        self.query_one("#article-search", Input).display = False
        self.query_one(SidePanel).display = False
        view.set_hidden_labels(self.workspace.hidden_labels)
        self._recognise()
        self._show_annotations()
        if self.search:
            view.set_search_hits(search_hits(self.article.text, self.search))
        with suppress(StoreWriteError):  # reading state is a convenience; a read-only file still reads
            self.store.articles.mark_read(self.article.id)
        # Opened at a passage; else from a search: the first hit; else where the reader left off.
        if self.at is not None:
            position = self.at
        elif view.search_hits:
            position = view.search_hits[0][0]
        else:
            position = self.store.articles.position(self.article.id)
        view.move_cursor_to(min(position, max(len(self.article.text) - 1, 0)))
        view.focus()

    def on_unmount(self) -> None:
        if self.store.articles.sha256_of(self.article.id) is None:
            return  # removed: no position to keep
        with suppress(StoreWriteError):
            self.store.articles.save_position(self.article.id, self.position)

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    # ---- changes made elsewhere ---------------------------------------------------------

    def on_database_changed(self, message: DatabaseChanged) -> None:
        self._check_database()
        replayed = message.replayed
        if replayed is not None:
            self._show_entities(self.found)  # an undone verdict on an entity
            if replayed.where == "placed" and replayed.annotation is not None and (
                replayed.annotation.article_id == self.article.id
            ):
                self.view.move_cursor_to(replayed.annotation.start)

    def on_screen_resume(self) -> None:
        self._check_database()

    def _check_database(self) -> None:
        """Show the article as the database holds it now: its new text if another program
        re-imported it, else its annotations, tags and the codebook if they changed."""
        if getattr(self, "removed", False):
            return
        sha256 = self.store.articles.sha256_of(self.article.id)
        if sha256 is None:
            self.notify("This article is not in the database any more.", severity="warning", markup=False)
            self.dismiss(None)
        elif sha256 != self.article.sha256:
            self._reload_text()
        elif self._details_changed():
            self._show_details()
        elif (
            self.store.annotations.shown_of_article(self.article.id) != self.all_annotations
            or self.store.articles.tags_of(self.article.id) != self.article.tags
            or self.workspace.codebook != self._codebook_shown
        ):
            self._show_annotations()
            self.query_one("#legend", Static).update(self._legend(self.entities.labels_present()))

    def _reload_text(self) -> None:
        """The article's text changed under the screen: show the new one, the cursor on the
        same words where they still are, with its annotations as the re-import placed them."""
        old_text, cursor = self.article.text, self.view.cursor
        self.article = self.store.articles.get(self.article.id)
        position = 0
        if old_text:
            start = min(cursor, len(old_text) - 1)
            quote, prefix, suffix = selector_for(old_text, start, min(len(old_text), start + 12))
            anchored = reanchor(self.article.text, Selector(start, start + len(quote), quote, prefix, suffix), len(old_text))
            position = anchored.start if anchored.start is not None else 0
        self.view.set_text(self.article.text, position)
        self.query_one("#article-title", Static).update(self._title())
        self._recognise()
        self._show_annotations()
        if self.search:
            self.view.set_search_hits(search_hits(self.article.text, self.search))
        self.notify(
            "Another program changed this article's text (re-imported it): the screen shows the new text.",
            title="Article changed", severity="warning", timeout=10, markup=False,
        )

    # ---- header, legend, status ---------------------------------------------------------

    def _title(self) -> Text:
        article = self.article
        title = Text(display_text(article.title), style="bold")
        if self.curating is not None:
            title = Text.assemble((f"Curating {display_text(self.curating.gold)} · ", "bold reverse"), title)
        details = [part for part in (article.source, (article.published or "")[:10]) if part]
        if details:
            title.append("  " + " · ".join(display_text(part) for part in details), style="dim")
        attributes = article.attributes
        if attributes:  # a dataset's other fields (category, section...), each value on one line
            shown = " · ".join(f"{display_text(name)}: {display_text(_one_line(value, 60))}" for name, value in attributes)
            title.append("  " + shown, style="dim italic")
        return title

    def _legend(self, present: set[str]) -> Text:
        legend = Text()
        colors = self.config.entities.colors
        hidden = self.workspace.hidden_labels
        for label in LABELS:
            if label in present or label in ("PERSON", "ORG", "GPE", "DATE"):
                style = "dim strike" if label in hidden else f"bold {colors[label]}"
                legend.append("■ ", style="dim" if label in hidden else colors[label])
                legend.append(label, style=style)
                legend.append("  ")
        keyed = self.workspace.codebook.keyed()
        if keyed:
            legend.append("│ tags:", style="dim")
        # A badge with no spaces inside keeps each key next to its tag's name when the legend wraps.
        for name, look in keyed:
            color = self.workspace.codebook.color(name)
            legend.append(" ▐", style=color)
            legend.append(display_text(look.key or ""), style=f"bold reverse {color}")
            legend.append("▌", style=color)
            legend.append(display_text(name) + " ")
        return legend

    def _update_status(self) -> None:
        view = self.view
        status = Text()
        if view.text:
            line = view.wrapped.line_of(view.cursor)
            status.append(f"line {line + 1}/{len(view.wrapped)}  ", style="dim")
        if self.workspace.shown.annotator is not None:
            status.append(f"{display_text(self.workspace.shown.annotator)}'s annotations (W)  ", style="bold")
        if self.article.tags:
            status.append("article: " + display_text(", ".join(self.article.tags)) + "  ", style="italic")
        if any(note.annotator == self.config.annotator for note in getattr(self, "article_notes", ())):
            status.append("✎ article (M)  ", style="italic")
        if view.search_hits:
            before = sum(1 for start, _ in view.search_hits if start <= view.cursor)
            count = len(view.search_hits)
            status.append(f"hit {before}/{count}  " if before else f"{plural(count, 'hit')} (n)  ", style="bold")
        selection = view.selection
        if selection is not None:
            status.append(" VISUAL ", style="bold reverse")
            status.append(f" {selection[1] - selection[0]} chars  ")
        entity = view.entity_at(view.cursor)
        if entity is not None:
            status.append(f"{entity.label} ", style=f"bold {self.config.entities.colors.get(entity.label, '')}")
            status.append(f"“{short_quote(view.text[entity.start:entity.end], 32)}”  ")
        here = view.highlights_at(view.cursor)
        for highlight in here:
            status.append(f" {display_text(highlight.label)} ", style=f"bold reverse {highlight.color}")
            status.append(" ")
        if len(here) == 1:
            note = next((a.note for a in self.annotations if a.id == here[0].id), None)
            if note:  # as much as three lines hold, the rest in the note editor (m)
                room = 3 * max(self.query_one(StatusLine).size.width - 2, 40) - status.cell_len - 2
                status.append("✎ " + short_quote(note, max(room, 20)), style="italic")
        if selection is None and not here and self.workspace.codebook.keyed():
            status.append("tag key: tag this sentence · v: select · t: any tag · ?: keys", style="dim")
        self.query_one(StatusLine).show(status)

    def say(self, message: str, title: str = "") -> None:
        """A confirmation, in the status line until the next key (never over the text)."""
        self.query_one(StatusLine).say(message, title)

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.position = message.view.cursor
        self._update_status()

    # ---- annotations ------------------------------------------------------------------

    def _show_annotations(self) -> None:
        self.all_annotations = self.store.annotations.shown_of_article(self.article.id)
        self._codebook_shown = self.workspace.codebook
        shown = self.workspace.shown.annotator
        self.annotations = self.all_annotations
        if shown is not None:
            self.annotations = [a for a in self.annotations if a.annotator == shown]
        self.article = replace(self.article, tags=self.store.articles.tags_of(self.article.id))
        self.article_notes = self.store.article_notes.of_article(self.article.id)
        self.view.set_highlights([self._highlight(annotation) for annotation in self.annotations])
        self._refresh_panel()
        self._update_status()

    def _highlight(self, annotation: Annotation) -> Highlight:
        """A tagged passage in its first tag's colour, labelled with its tags; a memo (a note
        with no tag) in the memo colour, labelled as one."""
        return Highlight(
            id=annotation.id,
            start=annotation.start,
            end=annotation.end,
            color=self.workspace.codebook.color(annotation.tags[0]) if annotation.tags else MEMO_COLOR,
            # a colleague's annotation says whose it is
            label=(", ".join(annotation.tags) or MEMO_LABEL)
            + ("" if annotation.annotator == self.me else f" · {annotation.annotator}"),
        )

    def _own_annotation_under_cursor(self, doing: str) -> Annotation | None:
        """The innermost of my annotations under the cursor; a colleague's is never changed
        (None, with a message saying whose it is)."""
        here = {h.id for h in self.view.highlights_at(self.view.cursor)}
        mine = [a for a in self.annotations if a.id in here and a.annotator == self.me]
        if mine:
            return min(mine, key=lambda a: a.end - a.start)
        others = sorted({a.annotator for a in self.annotations if a.id in here})
        if others:
            self.say(f"That is {', '.join(others)}'s annotation: {doing} only yours.")
        else:
            self.say("No annotation under the cursor.")
        return None

    def on_key(self, event: events.Key) -> None:
        self.query_one(StatusLine).clear_said()  # seen: the key may say something new
        search = self.query_one("#article-search", Input)
        if event.key == "escape" and (search.has_focus or self.query_one(SidePanel).has_focus):
            event.stop()
            search.display = False
            self.query_one(SidePanel).display = False
            self.view.focus()
            return
        if self.focused is not self.view:
            return
        codebook = self.workspace.codebook
        tag = codebook.tag_for_key(event.character or "") or codebook.tag_for_key(event.key)
        if tag is not None:
            event.stop()
            event.prevent_default()
            self.app.saving(self.apply_tag)(tag)
        elif event.character is not None and event.character.isdigit():
            event.stop()
            self.say(f"No tag has the key {event.character}: give one a key under tags: in {self.config.path}, or press t to pick any tag.")

    def _tag_target(self) -> tuple[tuple[int, int], Annotation | None] | None:
        """The passage a tag would go on and its annotation if it has one; None (and a
        message) when the cursor is on nothing taggable."""
        span = self.view.target_span()
        if span is None:
            self.notify("Nothing to tag here: move to some text or select a passage.", severity="warning", markup=False)
            return None
        # only my own annotation on that passage takes the tag: a colleague's is never changed
        me = self.me
        return span, next((a for a in self.all_annotations if (a.start, a.end) == span and a.annotator == me), None)

    def apply_tag(self, name: str) -> Annotation | None:
        """Tag the selection, or the sentence under the cursor, and save it at once. The same
        passage tagged again gets the tag added to its annotation, never a second copy."""
        target = self._tag_target()
        if target is None:
            return None
        span, same = target
        history = self.workspace.history
        if same is not None and name in same.tags:
            self.say(f"Already tagged {name} (t and {name} again takes it off).")
            return same
        if same is not None:
            change = history.add_tag(same.id, name, seen=same)
        elif self.curating is not None:
            change = self.curating.adopt(history, GoldVersion(self.article.id, span[0], span[1], (name,), ()), self.article.sha256)
        else:
            change = history.add(self.article.id, span[0], span[1], [name], self.config.annotator, self.article.sha256)
        self.view.action_clear_selection()
        self._show_annotations()
        shown = self.workspace.shown.annotator
        if shown is not None and shown != self.me:
            self.notify(f"Saved; not shown while only {shown}'s annotations are (W).", markup=False)
        assert change.annotation is not None
        self.say(f"{name}: “{short_quote(change.annotation.quote)}”", title="Tagged")
        return change.annotation

    def action_pick_tag(self) -> None:
        target = self._tag_target()
        if target is None:
            return
        same = target[1]
        picker = PickerScreen(
            "Tag the passage (a ✓ tag: take it off)", self.store.tags.names(), allow_new=True,
            current=same.tags if same else (),
        )
        self.app.push_screen(picker, self.app.saving(lambda name: name is not None and self._toggle_passage_tag(name, same)))

    def _new_name_refused(self, name: str) -> bool:
        """A name typed in the picker that cannot name a tag: said, and nothing done."""
        problem = None if name in self.workspace.codebook.looks else tag_name_problem(name)
        if problem:
            self.notify(f"Not a tag name: {name!r}: {problem}.", severity="warning")
        return problem is not None

    def _toggle_passage_tag(self, name: str, same: Annotation | None) -> None:
        if self._new_name_refused(name):
            return
        if same is None or name not in same.tags:
            self.apply_tag(name)
        elif len(same.tags) == 1 and not same.note:
            self.say(f"{name} is its only tag: x deletes the annotation.")
        else:
            self.workspace.history.remove_tag(same.id, name, seen=same)
            self._show_annotations()
            memo = " (its note stays, as a memo)" if len(same.tags) == 1 else ""
            self.say(f"Took {name} off the passage{memo}.")

    def action_tag_article(self) -> None:
        current = self.article.tags
        picker = PickerScreen("Tag the whole article (again: remove)", self.store.tags.names(), allow_new=True, current=current)
        self.app.push_screen(picker, self.app.saving(self._toggle_article_tag))

    def _toggle_article_tag(self, name: str | None) -> None:
        if name is None or self._new_name_refused(name):
            return
        history = self.workspace.history
        if name in self.article.tags:
            history.untag_article(self.article.id, name)
            self.say(f"Article no longer tagged {name}.")
        else:
            history.tag_article(self.article.id, name, self.config.annotator)
            self.say(f"Article tagged {name}.")
        self._show_annotations()

    def action_delete_annotation(self) -> None:
        annotation = self._own_annotation_under_cursor("x deletes")
        if annotation is None:
            return
        self.workspace.history.delete(annotation.id, seen=annotation)
        self._show_annotations()
        self.say(f"“{short_quote(annotation.quote)}” (u brings it back)", title="Deleted")

    # ---- search, panel, entity types ------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#article-search", Input)
        search.value = self.search or ""
        search.display = True
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = False
        self.search = event.value.strip() or None
        hits = search_hits(self.article.text, self.search) if self.search else []
        self.view.set_search_hits(hits)
        self.view.focus()
        if self.search and not hits:
            self.say(f"“{self.search}” is not in this article.")
        elif hits:
            self.view.action_next_hit(1)
        self._update_status()

    def action_toggle_panel(self) -> None:
        panel = self.query_one(SidePanel)
        panel.display = not panel.display
        if panel.display:
            self._refresh_panel()
            panel.focus()
        else:
            self.view.focus()

    def _refresh_panel(self) -> None:
        panel = self.query_one(SidePanel)
        if panel.display:
            colors = {name: self.workspace.codebook.color(name) for a in self.annotations for name in a.tags}
            visible = [span for span in self.entities if span.label not in self.workspace.hidden_labels]
            panel.show(self.annotations, visible, self.article.text, colors, self.config.entities.colors,
                       article_notes=self.article_notes)

    def on_side_panel_jump(self, message: SidePanel.Jump) -> None:
        self.view.move_cursor_to(message.offset)
        self.view.focus()

    # ---- annotators ---------------------------------------------------------------------

    def action_annotator(self) -> None:
        annotators = sorted({a.annotator for a in self.store.annotations.shown_of_article(self.article.id)})
        extra = [COMPARE] if len(annotators) >= 2 else []
        pick_annotator(self, annotators, self.workspace.shown.annotator, self._show_annotator, extra)

    def _show_annotator(self, annotator: str | None) -> None:
        if annotator == COMPARE:
            self._pick_pair()
            return
        self.workspace.shown.annotator = annotator
        self._show_annotations()
        self.say(f"Showing {'everyone' if annotator is None else annotator}'s annotations.")

    def _pick_pair(self) -> None:
        annotators = sorted({a.annotator for a in self.store.annotations.shown_of_article(self.article.id)})
        first_picker = PickerScreen("Compare: on the left", annotators)

        def first_chosen(left: str | None) -> None:
            if left is None:
                return
            rest = [name for name in annotators if name != left]
            second = PickerScreen(f"Compare {left} with", rest)
            self.app.push_screen(
                second, lambda right: right is not None and self.app.open_compare(self.article.id, left, right)
            )

        self.app.push_screen(first_picker, first_chosen)

    # ---- orphans ------------------------------------------------------------------------

    def action_orphans(self) -> None:
        orphans = self.store.annotations.shown_orphans(self.article.id)
        if not orphans:
            self.say("This article has no orphans.")
            return
        screen = OrphansScreen(
            f"Orphans of this article ({len(orphans)})", orphans, {self.article.id: self.article.title},
            "puts it on the selection (or the sentence under the cursor)",
        )
        self.app.push_screen(screen, self.app.saving(self._reattach))

    def _reattach(self, orphan_id: str | None) -> None:
        if orphan_id is None:
            return
        target = self.view.target_span()
        if target is None:
            self.notify("Nothing to put it on: select a passage first.", markup=False)
            return
        placed = self.workspace.history.reattach(orphan_id, *target, seen_sha256=self.article.sha256).after
        assert placed is not None
        self.view.anchor = None
        self._show_annotations()
        self.say(f"Put back: “{short_quote(placed.quote, 40)}”.")

    def palette_commands(self) -> Iterator[SystemCommand]:
        """What the command palette offers here besides the keys' actions: each tag, each entity type."""
        for tag in self.store.tags.names():
            yield SystemCommand(f"Tag as {tag}", "tag the selection or the sentence", partial(self.apply_tag, tag), False)
        for label in LABELS:
            yield SystemCommand(f"Show only {label}", "highlight one entity type", partial(self.show_only_label, label), False)
        yield SystemCommand("Show every entity type", "highlight all entity types", self.show_all_labels, False)

    def action_back(self) -> None:
        panel = self.query_one(SidePanel)
        if panel.has_focus:
            self.action_toggle_panel()
            return
        self.dismiss(None)
