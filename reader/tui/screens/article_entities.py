"""The entity half of the article screen: entities found (from the cache, at once, or in the
background), what the user says about them (accept, retype, reject, hide a type), and their legend.

A part of ArticleScreen, never a screen of its own; every verdict goes through the history (u undoes it).
"""

from __future__ import annotations

from textual import work
from textual.widgets import Static

from reader.core.entities import LABELS, Span, engine_key
from reader.core.entities.packed import SpanTable
from reader.core.entities.user import UserEntities
from reader.store import StoreWriteError
from reader.tui.format import short_quote
from reader.tui.screens.pickers import ChecklistScreen, PickerScreen

#: Texts longer than this are searched for entities in a background thread, so they open at once.
BACKGROUND_RECOGNITION_CHARS = 50_000


class ArticleEntities:
    """Entities and the user's word on them, for ArticleScreen (which provides `workspace`,
    `store`, `article`, `view`, `config`, `_legend`, `_update_status`, `_refresh_panel` and `say`)."""

    def _recognise(self) -> None:
        """Entities from the cache, else recognised now (short texts) or in the background."""
        recogniser = self.workspace.recogniser
        if recogniser is None or not self.config.entities.show:
            self._show_entities([])
            return
        self.engine = engine_key(recogniser, self.config.entities.gazetteer)
        cached = self.store.entities.cached(self.article.sha256, self.engine)
        if cached is not None:
            self._show_entities(cached)
        elif len(self.article.text) > BACKGROUND_RECOGNITION_CHARS or not getattr(recogniser, "ready", True):
            self._show_entities(SpanTable.empty())
            self._entities_in_background(self.article.text, self.article.sha256)
        else:
            self._show_recognised(recogniser.recognise(self.article.text), self.article.sha256)

    @work(thread=True, exclusive=True, group="entities")
    def _entities_in_background(self, text: str, sha256: str) -> None:
        """Entities recognised off the UI thread: a long text's, or any while the recogniser
        is still being built."""
        recogniser = self.workspace.recogniser
        assert recogniser is not None
        spans = recogniser.recognise(text)
        if self.is_attached:
            self.app.call_from_thread(self._show_recognised, spans, sha256)

    def _show_recognised(self, spans: list[Span], sha256: str) -> None:
        """Keep freshly recognised spans of the text with hash `sha256` for the next opening,
        and show them if that is still the text shown (main thread: the store's connection is
        used from this thread only)."""
        try:
            found = self.store.entities.cache(sha256, self.engine, spans)
        except StoreWriteError:  # not kept for next time; shown all the same
            found = SpanTable.from_spans(spans)
        if sha256 == self.article.sha256:
            self._show_entities(found)

    def _show_entities(self, found: SpanTable) -> None:
        """Show what the recogniser found, with what the user said about entities over it."""
        self.found = found
        spans = UserEntities(self.store.entities.feedback()).apply(self.article.text, found)
        self.entities = spans
        self.view.set_entities(spans, self.config.entities.colors)
        if self.is_mounted:
            self._update_status()
        self.query_one("#legend", Static).update(self._legend(spans.labels_present()))
        self._refresh_panel()

    def _entity_under_cursor(self) -> Span | None:
        entity = self.view.entity_at(self.view.cursor)
        if entity is None:
            self.say("No entity under the cursor.")
        return entity

    def action_entity(self) -> None:
        entity = self._entity_under_cursor()
        if entity is not None:
            surface = self.article.text[entity.start : entity.end]
            self.app.open_entity(surface, entity.label, self.article.id, entity.start)

    def action_accept_entity(self) -> None:
        entity = self._entity_under_cursor()
        if entity is not None:
            self._accept(self.article.text[entity.start : entity.end], entity.label)

    def action_reject_entity(self) -> None:
        entity = self._entity_under_cursor()
        if entity is None:
            return
        surface = self.article.text[entity.start : entity.end]
        self.workspace.history.reject_entity(surface, entity.label, self.config.annotator)
        self._show_entities(self.found)
        self.say(f"“{short_quote(surface, 40)}” is no longer highlighted as {entity.label}, in any article (u undoes).")

    def action_label_entity(self) -> None:
        view = self.view
        if view.selection is not None:
            start, end = view.target_span()  # snapped to whole words, as for a tag
        else:
            entity = view.entity_at(view.cursor)
            if entity is None:
                self.notify("Select the missed entity first (v and a movement), or put the cursor on one.", markup=False)
                return
            start, end = entity.start, entity.end
        surface = self.article.text[start:end].strip()
        if not surface:
            return
        picker = PickerScreen(f"“{short_quote(surface, 40)}” is a…", list(LABELS))
        self.app.push_screen(picker, self.app.saving(lambda label: label is not None and self._accept(surface, label)))

    def _accept(self, surface: str, label: str) -> None:
        self.workspace.history.accept_entity(surface, label, self.config.annotator)
        self.view.anchor = None  # the selection became an entity
        self.view.refresh()
        self._show_entities(self.found)
        self.say(f"“{short_quote(surface, 40)}” is {label} in every article.")

    def action_entity_types(self) -> None:
        colors = self.config.entities.colors
        checked = {label for label in LABELS if label not in self.workspace.hidden_labels}
        screen = ChecklistScreen("Highlight these entity types", [(label, label) for label in LABELS], checked, colors=colors)
        self.app.push_screen(screen, self._set_visible_labels)

    def show_only_label(self, label: str) -> None:
        self._set_visible_labels({label})

    def show_all_labels(self) -> None:
        self._set_visible_labels(set(LABELS))

    def _set_visible_labels(self, visible: set[str] | None) -> None:
        if visible is None:
            return
        self.workspace.hidden_labels.clear()
        self.workspace.hidden_labels.update(set(LABELS) - visible)
        self.view.set_hidden_labels(self.workspace.hidden_labels)
        self.query_one("#legend", Static).update(self._legend(self.entities.labels_present()))
        self._refresh_panel()
        self._update_status()
