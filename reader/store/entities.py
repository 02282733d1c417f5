"""Entities in the database: the cache of recognised spans per text and engine, and the user's
verdicts (accept, retype, reject).

SQL only: it recognises nothing itself.
"""

from __future__ import annotations

from collections.abc import Iterable


from reader.core.entities import Span
from reader.core.entities.packed import PackedSpansError, SpanTable
from reader.core.model import FeedbackChange, is_later, now_utc
from reader.store.common import Repository, quoted
from reader.store.errors import StaleWriteError


class Entities(Repository):
    """Entities: the cache of what recognisers found, and what the user said about them."""

    def cached(self, sha256: str, engine: str) -> SpanTable | None:
        """Spans recognised earlier in the text with this hash by this engine (None if there
        are none, or if the row cannot be read: the caller recognises again)."""
        row = self.db.execute("SELECT spans FROM entity_cache WHERE sha256 = ? AND engine = ?", [sha256, engine]).fetchone()
        if row is None:
            return None
        try:
            return SpanTable.from_bytes(bytes(row[0]))
        except (PackedSpansError, TypeError):
            return None

    def feedback(self) -> list[tuple[str, str, str]]:
        """(surface, label, verdict) of every confirmation and rejection, oldest first."""
        return self.db.execute("SELECT surface, label, verdict FROM entity_feedback ORDER BY id").fetchall()

    def accept(self, surface: str, label: str, annotator: str) -> FeedbackChange:
        """`surface` is a `label` wherever it occurs: any other label the user gave it before is
        replaced, and a rejection of it as that label is taken back. Returns the verdicts
        removed and added, for undo."""
        return self._give_verdict(
            f"accepting the entity {quoted(surface)} as {label}",
            "surface = ? AND (verdict = 'accept' OR label = ?)", (surface, label, "accept", annotator),
        )

    def reject(self, surface: str, label: str, annotator: str) -> FeedbackChange:
        """`surface` is never a `label`: found spans like it are no longer shown."""
        return self._give_verdict(
            f"rejecting the entity {quoted(surface)}", "surface = ? AND label = ?", (surface, label, "reject", annotator)
        )

    def _give_verdict(self, action: str, replaced: str, verdict: tuple[str, str, str, str]) -> FeedbackChange:
        surface, label, _kind, annotator = verdict
        added = (*verdict, now_utc())
        with self.store.writing(action):
            removed = tuple(tuple(row) for row in self.db.execute(
                f"SELECT surface, label, verdict, annotator, created FROM entity_feedback WHERE {replaced} ORDER BY id",
                [surface, label],
            ))
            self.db.execute(f"DELETE FROM entity_feedback WHERE {replaced}", [surface, label])
            self._insert_verdicts([added])
        return FeedbackChange(removed=removed, added=(added,))

    def restore_feedback(self, change: FeedbackChange, forward: bool) -> None:
        """Undo (or, `forward`, redo) a `FeedbackChange`: the verdicts it added go, those it
        removed come back as they were. Refused (StaleWriteError) when the verdicts to take
        away are not there any more (changed meanwhile elsewhere)."""
        gone, back = (change.removed, change.added) if forward else (change.added, change.removed)
        action = "the change to entity feedback"
        with self.store.writing(action):
            for surface, label, verdict, _annotator, _created in gone:
                cursor = self.db.execute(
                    "DELETE FROM entity_feedback WHERE surface = ? AND label = ? AND verdict = ?", [surface, label, verdict]
                )
                if cursor.rowcount != 1:
                    raise StaleWriteError(self.path, "the entity's feedback changed meanwhile (another window or program)", action)
            self._insert_verdicts(back)

    def _insert_verdicts(self, rows: Iterable[tuple]) -> None:
        self.db.conn.executemany(
            "INSERT INTO entity_feedback (surface, label, verdict, annotator, created) VALUES (?, ?, ?, ?, ?)", list(rows)
        )

    def uncached_texts(self, engine: str, after_id: int, limit: int) -> list[tuple[int, str, str]]:
        """(id, sha256, text) of up to `limit` articles after `after_id`, in id order, whose
        text has no cached entities for `engine`: what a cache-filling pass reads next."""
        return self.db.execute(
            """SELECT a.id, a.sha256, a.text FROM articles a
               WHERE a.id > ? AND NOT EXISTS
                     (SELECT 1 FROM entity_cache c WHERE c.sha256 = a.sha256 AND c.engine = ?)
               ORDER BY a.id LIMIT ?""",
            [after_id, engine, limit],
        ).fetchall()

    def cache(self, sha256: str, engine: str, spans: Iterable[Span]) -> SpanTable:
        """Keep these spans for the text with this hash; returns them as the cache holds them."""
        table = spans if isinstance(spans, SpanTable) else SpanTable.from_spans(spans)
        with self.store.writing("the entity cache"):
            self.db.execute(
                "INSERT OR REPLACE INTO entity_cache (sha256, engine, spans, created) VALUES (?, ?, ?, ?)",
                [sha256, engine, table.to_bytes(), now_utc()],
            )
            from reader.store.entity_index import index_text

            index_text(self.db, sha256, engine, table)  # the entity index follows the cache
        return table

    def verdicts(self) -> list[tuple[str, str, str, str | None, str | None]]:
        """(surface, label, verdict, annotator, created) of all entity feedback, oldest first."""
        return [tuple(row) for row in self.db.execute(
            "SELECT surface, label, verdict, annotator, created FROM entity_feedback ORDER BY id"
        )]

    def merge_verdict(self, surface: str, label: str, verdict: str, annotator: str | None, created: str | None) -> str:
        """Bring in one entity verdict of a file (inside a write), as `accept_entity` or
        `reject_entity` would give it, unless a verdict here that it would replace is newer. Of
        two verdicts of the same moment, the one whose (label, verdict, annotator) sorts last
        stays, so the same files give the same verdicts in any order. Returns "unchanged",
        "added", "replaced" or "kept" (this database's wins)."""
        if self.db.execute(
            "SELECT 1 FROM entity_feedback WHERE surface = ? AND label = ? AND verdict = ?", [surface, label, verdict]
        ).fetchone():
            return "unchanged"
        replaced = "surface = ? AND (verdict = 'accept' OR label = ?)" if verdict == "accept" else "surface = ? AND label = ?"
        rivals = self.db.execute(
            f"SELECT id, created, label, verdict, annotator FROM entity_feedback WHERE {replaced}", [surface, label]
        ).fetchall()
        mine = (label, verdict, annotator or "")
        if any(
            not is_later(created, their_created)
            and (is_later(their_created, created) or (their_label, their_verdict, their_annotator or "") >= mine)
            for _id, their_created, their_label, their_verdict, their_annotator in rivals
        ):
            return "kept"  # a newer verdict here, or one of the same moment that sorts after it
        self.db.conn.executemany("DELETE FROM entity_feedback WHERE id = ?", [(row[0],) for row in rivals])
        self._insert_verdicts([(surface, label, verdict, annotator, created)])
        return "replaced" if rivals else "added"
