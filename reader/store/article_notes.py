"""Notes on whole articles: one per annotator and article, written against the note the user saw.

SQL only; a write is refused (StaleWriteError) when the note changed since it was shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from reader.core.model import ArticleNote, is_later, now_utc
from reader.store.common import Repository
from reader.store.errors import NOTE_CHANGED, StaleWriteError

_COLUMNS = "article_id, annotator, note, created, updated"


class ArticleNotes(Repository):
    """Each annotator's note on an article: read, set, removed, put back (undo) and merged (import)."""

    def of_article(self, article_id: int) -> list[ArticleNote]:
        """The notes on the article the viewer may see (blind study: their own), by annotator."""
        whose = self.store.study.whose()
        return [ArticleNote(*row) for row in self.db.execute(
            f"SELECT {_COLUMNS} FROM article_notes WHERE article_id = ? AND (? IS NULL OR annotator = ?) ORDER BY annotator",
            [article_id, whose, whose])]

    def get(self, article_id: int, annotator: str) -> ArticleNote | None:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM article_notes WHERE article_id = ? AND annotator = ?", [article_id, annotator]
        ).fetchone()
        return ArticleNote(*row) if row else None

    def of_articles(self, article_ids: Iterable[int]) -> dict[int, list[ArticleNote]]:
        """The notes of these articles, by article (those with none left out)."""
        found: dict[int, list[ArticleNote]] = {}
        for row in self.db.execute(
            f"SELECT {_COLUMNS} FROM article_notes WHERE article_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY article_id, annotator", [_json(article_ids)]
        ):
            found.setdefault(row[0], []).append(ArticleNote(*row))
        return found

    def set(self, article_id: int, annotator: str, note: str | None, *, seen: ArticleNote | None) -> ArticleNote | None:
        """Make `annotator`'s note on the article `note` (None or blank: remove it), provided the
        note is still `seen` (None: there was none); returns the note now (None: none)."""
        action = "the article's note" + (" removal" if not (note and note.strip()) else "")
        with self.store.writing(action):
            current = self.get(article_id, annotator)
            if current != seen:
                raise StaleWriteError(self.path, NOTE_CHANGED, action)
            if not (note and note.strip()):
                self.db.execute("DELETE FROM article_notes WHERE article_id = ? AND annotator = ?", [article_id, annotator])
                return None
            stamp = now_utc()
            written = ArticleNote(article_id, annotator, note, current.created if current else stamp, stamp)
            self._write(written)
            return written

    def restore(self, expect: ArticleNote | None, want: ArticleNote | None, article_id: int, annotator: str,
                action: str) -> None:
        """Bring the note from `expect` to `want` exactly (None: absent), for undo and redo;
        refused (StaleWriteError) unless it is now as `expect` says."""
        with self.store.writing(action):
            if self.get(article_id, annotator) != expect:
                raise StaleWriteError(self.path, NOTE_CHANGED, action)
            self.db.execute("DELETE FROM article_notes WHERE article_id = ? AND annotator = ?", [article_id, annotator])
            if want is not None:
                self._write(want)

    def merge(self, note: ArticleNote) -> str:
        """Bring in one note of an imported file (inside a write): added when there is none of its
        annotator, replacing one only when it is newer. Returns "added", "updated" or "unchanged"."""
        current = self.get(note.article_id, note.annotator)
        if current == note or (current is not None and not is_later(note.updated, current.updated)):
            return "unchanged"
        self._write(note)
        return "added" if current is None else "updated"

    def _write(self, note: ArticleNote) -> None:
        # an upsert, not INSERT OR REPLACE: a replace deletes without the triggers that keep the search index
        self.db.execute(
            f"""INSERT INTO article_notes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (article_id, annotator) DO UPDATE
                SET note = excluded.note, created = excluded.created, updated = excluded.updated""",
            [note.article_id, note.annotator, note.note, note.created, note.updated],
        )

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM article_notes").fetchone()[0]


def _json(values: Iterable[int]) -> str:
    return "[" + ",".join(str(int(value)) for value in values) + "]"
