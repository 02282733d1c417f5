"""The note half of the article screen: a note on an annotation, a note alone on a passage (a
memo), and each annotator's note on the whole article; `m` and `M`.

A part of ArticleScreen, never a screen of its own; every note goes through the history (u undoes
it) with the version the screen showed, and typed text is never lost without saying so.
"""

from __future__ import annotations

from reader.core.model import Annotation, ArticleNote
from reader.store import StaleWriteError, StoreWriteError
from reader.tui.format import short_quote
from reader.tui.screens.note_editor import NoteEditor

#: The colour a memo (a note with no tag) is highlighted in.
MEMO_COLOR = "#8a94a6"
#: How a memo is labelled where a tagged passage shows its tags.
MEMO_LABEL = "✎ memo"


class ArticleNotes:
    """Notes for ArticleScreen (which provides `workspace`, `store`, `article`, `view`, `config`,
    `annotations`, `app`, `notify`, `say` (a confirmation, in the status line) and `_show_annotations`)."""

    def action_edit_note(self) -> None:
        """m: the note of my annotation under the cursor; else a memo on the selection or the
        sentence under the cursor; on nothing (a blank line) the note on the whole article."""
        view = self.view
        if view.selection is None:
            here = {h.id for h in view.highlights_at(view.cursor)}
            mine = [a for a in self.annotations if a.id in here and a.annotator == self.config.annotator]
            if mine:
                annotation = min(mine, key=lambda a: a.end - a.start)
                self._edit_note(annotation, annotation.note)
                return
        span = view.target_span()
        if span is None:
            self.action_article_note()
            return
        same = next((a for a in self.annotations if (a.start, a.end) == span and a.annotator == self.config.annotator), None)
        if same is not None:
            self._edit_note(same, same.note)
        else:
            self._new_memo(span, None)

    def _new_memo(self, span: tuple[int, int], text: str | None) -> None:
        """The note editor for a memo on `span` of the text as shown; saved as a new annotation
        without a tag, or given back in the editor when the database refuses it."""
        quote = self.article.text[span[0] : span[1]]
        sha256 = self.article.sha256

        def save(note: str | None) -> None:
            if not note:
                return
            try:
                change = self.workspace.history.add_memo(self.article.id, span[0], span[1], note, self.config.annotator,
                                                         sha256)
            except StaleWriteError as error:  # the text changed: the passage may not be there
                self.app.report_unsaved(error)
                self.notify(f"The note you typed: {short_quote(note, 200)}", title="Not saved", timeout=60, markup=False)
                return
            except StoreWriteError as error:
                self.app.report_unsaved(error)
                self._new_memo(span, note)
                return
            self.view.action_clear_selection()
            self._show_annotations()
            assert change.after is not None
            self.say(f"Memo on “{short_quote(change.after.quote)}” (a note with no tag; u undoes).")

        self.app.push_screen(NoteEditor(quote, text, title="Memo (a note with no tag)"), save)

    def _edit_note(self, annotation: Annotation, text: str | None) -> None:
        """The note editor on `annotation` (as the screen shows it), holding `text`. A note the
        database refuses comes back in the editor, on the annotation as it is now if it changed
        meanwhile; typed text is never lost without saying so. Emptying a memo's note deletes
        the memo (u brings it back)."""

        def save(note: str | None) -> None:
            if note is None or (note or None) == annotation.note:
                return
            history = self.workspace.history
            try:
                if not note and not annotation.tags:
                    history.delete(annotation.id, seen=annotation)
                    self._show_annotations()
                    self.say("Memo deleted (its note was all it had; u brings it back).")
                    return
                change = history.set_note(annotation.id, note or None, seen=annotation)
            except StaleWriteError as error:
                self.app.report_unsaved(error)
                state = self.store.annotations.state(annotation.id)
                if state is None:
                    self.notify(f"The note you typed: {short_quote(note, 200)}", title="Not saved", timeout=60, markup=False)
                else:
                    self._edit_note(state[1], note)
                return
            except StoreWriteError as error:  # give the typed note back rather than lose it
                self.app.report_unsaved(error)
                self._edit_note(annotation, note)
                return
            self._show_annotations()
            if self.store.annotations.state(annotation.id) == ("orphan", change.after):
                self.notify("Note saved on the passage, which lost its place when the article changed (O lists it).",
                            markup=False)
            else:
                self.say("Note saved." if note else "Note removed.")

        title = "Note" if annotation.tags else "Memo (a note with no tag; empty deletes it)"
        self.app.push_screen(NoteEditor(annotation.quote, text, title=title), save)

    def action_article_note(self) -> None:
        """M: my note on the whole article (written, changed or, emptied, removed)."""
        seen = self.store.article_notes.get(self.article.id, self.config.annotator)
        self._edit_article_note(seen, seen.note if seen else None)

    def _edit_article_note(self, seen: ArticleNote | None, text: str | None) -> None:
        def save(note: str | None) -> None:
            if note is None or (note or None) == (seen.note if seen else None):
                return
            try:
                self.workspace.history.set_article_note(self.article.id, self.config.annotator, note or None, seen)
            except StaleWriteError as error:  # changed elsewhere: edit it again over what is there now
                self.app.report_unsaved(error)
                self._edit_article_note(self.store.article_notes.get(self.article.id, self.config.annotator), note)
                return
            except StoreWriteError as error:
                self.app.report_unsaved(error)
                self._edit_article_note(seen, note)
                return
            self._show_annotations()
            self.say("Note on the article saved (u undoes)." if note else "Note on the article removed.")

        self.app.push_screen(NoteEditor(self.article.title, text, title="Note on the whole article"), save)
