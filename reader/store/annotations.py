"""Annotations in the database: tagged passages with notes, their orphans (kept whole when their
text changed too much) and those pending for articles the database lacks.

Every write carries the version the user saw and is refused (StaleWriteError) against another.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal


from reader.core.anchoring import Selector, quote_matches, reanchor_all, selector_for
from reader.core.model import Annotation, PendingAnnotation, is_later, now_utc, same_content
from reader.store.common import (
    ANNOTATION_COLUMN_LIST,
    ANNOTATION_COLUMNS,
    Repository,
    orphan_from,
    quoted,
    split_names,
)
from reader.store.errors import GONE, ORPHANED, PASSAGE_CHANGED, TEXT_CHANGED, StaleWriteError


#: Why a memo (an annotation with no tag) cannot be without its note.
MEMO_NEEDS_NOTE = "an annotation needs a tag or a note (a note alone is a memo); delete it instead"


def _after(stamp: str) -> str:
    """Now, or a second after `stamp` if that is not yet past (ISO 8601 times, whole seconds)."""
    now = now_utc()
    try:
        later = (datetime.fromisoformat(stamp) + timedelta(seconds=1)).isoformat(timespec="seconds")
    except ValueError:
        return now
    return later if is_later(later, now) else now


class Annotations(Repository):
    """Annotations, orphans and pending annotations: every change to one, checked against the version the user saw."""

    def retag_orphans(self, retag: Callable[[str, tuple[str, ...]], tuple[str, ...]]) -> list[str]:
        """Give each orphan the tags `retag(id, tags)` says (orphans keep tags by name, so a
        rename or merge of the codebook reaches them here); the ids of those changed."""
        changed = []
        for orphan_id, record, orphaned in self.db.execute("SELECT id, record, orphaned FROM orphans").fetchall():
            orphan = orphan_from(record)
            tags = retag(orphan_id, orphan.tags)
            if tags != orphan.tags:
                self.insert_orphan(replace(orphan, tags=tags), orphaned)
                changed.append(orphan_id)
        return changed

    def keep_orphan(self, annotation: Annotation) -> None:
        """Keep `annotation` whole as an orphan (taking it out of the annotations if it is there)."""
        with self.store.writing(f"keeping the orphan {quoted(annotation.quote)}"):
            self.insert_orphan(annotation, now_utc())
            self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [annotation.id])
            self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation.id])

    def insert_orphan(self, annotation: Annotation, orphaned: str) -> None:
        record = {name: getattr(annotation, name) for name in ANNOTATION_COLUMNS}
        record["tags"] = list(annotation.tags)
        self.db["orphans"].insert(
            {"id": annotation.id, "article_id": annotation.article_id,
             "record": json.dumps(record, ensure_ascii=False), "orphaned": orphaned},
            replace=True,
        )

    def orphans(self, article_id: int | None = None) -> list[Annotation]:
        """Annotations that lost their place, as they were (offsets into the old text)."""
        where, params = ("WHERE article_id = ?", [article_id]) if article_id is not None else ("", [])
        rows = self.db.execute(f"SELECT record FROM orphans {where} ORDER BY article_id, orphaned, id", params)
        return [orphan_from(record) for (record,) in rows]

    def shown_orphans(self, article_id: int | None = None) -> list[Annotation]:
        """The orphans (of the article) the viewer may see (in a blind study, their own)."""
        whose = self.store.study.whose()
        return [orphan for orphan in self.orphans(article_id) if whose is None or orphan.annotator == whose]

    def orphaned_at(self, orphan_id: str) -> str | None:
        """When the orphan lost its place (None: no such orphan)."""
        row = self.db.execute("SELECT orphaned FROM orphans WHERE id = ?", [orphan_id]).fetchone()
        return row[0] if row else None

    def orphan_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM orphans").fetchone()[0]

    def reattach_orphan(
        self, orphan_id: str, start: int, end: int, *, seen_sha256: str | None = None
    ) -> tuple[Annotation, str, Annotation]:
        """Put an orphan back on `[start, end)` of its article's current text (same id, tags,
        note and times; the quote and context are the text's there). `seen_sha256`: the text
        the offsets were taken from, as for `add_annotation`. Returns the orphan as it was, when
        it was orphaned, and the annotation placed (for undo)."""
        action = "putting the orphan back"
        with self.store.writing(action):
            row = self.db.execute("SELECT record, orphaned FROM orphans WHERE id = ?", [orphan_id]).fetchone()
            if row is None:
                raise StaleWriteError(self.path, "the orphan is not there any more (put back or deleted meanwhile)", action)
            orphan = orphan_from(row[0])
            if self.db.execute("SELECT 1 FROM annotations WHERE id = ?", [orphan_id]).fetchone():
                raise ValueError("an annotation with this id is in place already (merged from a file?)")
            text, sha256 = self.store.articles.text_and_hash(orphan.article_id, action)
            if seen_sha256 is not None and sha256 != seen_sha256:
                raise StaleWriteError(self.path, TEXT_CHANGED, action)
            if not 0 <= start < end <= len(text):
                raise ValueError(f"span [{start}, {end}) is outside the article (length {len(text)})")
            quote, prefix, suffix = selector_for(text, start, end)
            placed = replace(orphan, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix)
            self.insert(placed)
            self.db.execute("DELETE FROM orphans WHERE id = ?", [orphan_id])
        return orphan, row[1], placed

    def delete_orphan(self, orphan_id: str) -> None:
        with self.store.writing("deleting the orphan"):
            row = self.db.execute("SELECT record FROM orphans WHERE id = ?", [orphan_id]).fetchone()
            self.db.execute("DELETE FROM orphans WHERE id = ?", [orphan_id])
            if row is not None:
                self.bury(orphan_id, orphan_from(row[0]).annotator, now_utc())

    def add(
        self,
        article_id: int,
        start: int,
        end: int,
        tags: Sequence[str],
        annotator: str,
        note: str | None = None,
        *,
        seen_sha256: str | None = None,
    ) -> Annotation:
        """Save a tagged passage `[start, end)` of an article, with its quote and context; with
        no tag, a note alone on the passage (a memo), which then needs its note.

        `seen_sha256` is the hash of the text the offsets were taken from (the text on the
        user's screen): when the stored text is another one now (re-imported by another
        program), nothing is written and StaleWriteError says so. Never a shifted passage."""
        if not tags and not (note and note.strip()):
            raise ValueError(MEMO_NEEDS_NOTE)

        def action() -> str:
            shown = self.db.execute("SELECT substr(text, ?, ?) FROM articles WHERE id = ?", [start + 1, end - start, article_id])
            quote = quoted((shown.fetchone() or [''])[0] or '')
            return f"{quote} tagged {', '.join(sorted(set(tags)))}" if tags else f"a note on {quote}"

        with self.store.writing(action):
            text, sha256 = self.store.articles.text_and_hash(article_id, action)
            if seen_sha256 is not None and sha256 != seen_sha256:
                raise StaleWriteError(self.path, TEXT_CHANGED, action())
            if not 0 <= start < end <= len(text):
                raise ValueError(f"span [{start}, {end}) is outside the article (length {len(text)})")
            quote, prefix, suffix = selector_for(text, start, end)
            stamp = now_utc()
            annotation = Annotation(
                id=str(uuid.uuid4()),
                article_id=article_id,
                start=start,
                end=end,
                quote=quote,
                prefix=prefix,
                suffix=suffix,
                note=note,
                annotator=annotator,
                created=stamp,
                updated=stamp,
                tags=tuple(sorted(set(tags))),
            )
            self._insert_rows(annotation)
            return annotation

    def _placed(self, annotation_id: str, seen: Annotation | None, action: str) -> Annotation:
        """The annotation as stored now, inside a write: StaleWriteError when it is not in its
        article any more, or (given `seen`, what the user's screen shows) when it changed."""
        found = next(self.select("WHERE n.id = ?", [annotation_id]), None)
        if found is None:
            orphaned = self.db.execute("SELECT 1 FROM orphans WHERE id = ?", [annotation_id]).fetchone()
            raise StaleWriteError(self.path, ORPHANED if orphaned else GONE, action)
        if seen is not None and found != seen:
            raise StaleWriteError(self.path, PASSAGE_CHANGED, action)
        return found

    def tag(self, annotation_id: str, tag: str, *, seen: Annotation | None = None) -> Annotation:
        """Add `tag` to an annotation (nothing changes if it has it already); with `seen`, only
        if the annotation is still as the user saw it (StaleWriteError otherwise)."""
        action = f"tag {tag} on the passage"
        with self.store.writing(action):
            self._placed(annotation_id, seen, action)
            self.db.execute(
                "INSERT OR IGNORE INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                [annotation_id, self.store.tags.ensure(tag)],
            )
            self._touch(annotation_id)
            return self.get(annotation_id)

    def untag(self, annotation_id: str, tag: str, *, seen: Annotation | None = None) -> Annotation:
        """Take `tag` off an annotation; its last tag only when it has a note (it stays as a
        memo), else it cannot be removed (delete it instead)."""
        action = f"taking tag {tag} off the passage"
        with self.store.writing(action):
            annotation = self._placed(annotation_id, seen, action)
            if tag not in annotation.tags:
                return annotation
            if len(annotation.tags) == 1 and not annotation.note:
                raise ValueError("an annotation needs at least one tag or a note; delete it instead")
            self.db.execute(
                "DELETE FROM annotation_tags WHERE annotation_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                [annotation_id, tag],
            )
            self._touch(annotation_id)
            return self.get(annotation_id)

    def set_note(self, annotation_id: str, note: str | None, *, seen: Annotation | None = None) -> Annotation:
        """Replace an annotation's note (None or "" removes it; not a memo's: its note is all it
        is, delete it instead). With `seen`, refused when the annotation changed since; an
        annotation that lost its place meanwhile (an orphan now, otherwise as seen) keeps the
        note all the same, so a typed note is never lost."""
        action = "the note" + (f" {quoted(note)}" if note else " removal")
        with self.store.writing(action):
            state = self.state(annotation_id)
            if state is None:
                raise StaleWriteError(self.path, GONE, action)
            where, current = state
            if seen is not None and (current != seen if where == "placed" else not same_content(current, seen)):
                raise StaleWriteError(self.path, PASSAGE_CHANGED, action)
            if not current.tags and not (note and note.strip()):
                raise ValueError(MEMO_NEEDS_NOTE)
            return self._write_content(where, replace(current, note=note or None, updated=now_utc()))

    def _touch(self, annotation_id: str) -> None:
        self.db.execute("UPDATE annotations SET updated = ? WHERE id = ?", [now_utc(), annotation_id])

    def delete(self, annotation_id: str, *, seen: Annotation | None = None) -> Annotation:
        """Delete an annotation with its tags and note; returns it as it was, for undo. With
        `seen`, only if it is still as the user saw it."""
        quote = seen.quote if seen is not None else (
            self.db.execute("SELECT quote FROM annotations WHERE id = ?", [annotation_id]).fetchone() or [""])[0]
        action = f"deleting {quoted(quote)}"
        with self.store.writing(action):
            annotation = self._placed(annotation_id, seen, action)
            self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [annotation_id])
            self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])
            self.bury(annotation_id, annotation.annotator, now_utc())
        return annotation

    def insert(self, annotation: Annotation) -> Annotation:
        """Write `annotation` as it is (same id, timestamps, tags and note), in one transaction."""
        tagged = f"tagged {', '.join(annotation.tags)}" if annotation.tags else "with a note"
        with self.store.writing(f"{quoted(annotation.quote)} {tagged}"):
            self._insert_rows(annotation)
        return annotation

    def _insert_rows(self, annotation: Annotation) -> None:
        """The annotation's row and its taggings (inside a write)."""
        self.db.execute(
            f"INSERT INTO annotations ({ANNOTATION_COLUMN_LIST}) VALUES ({', '.join('?' * len(ANNOTATION_COLUMNS))})",
            [getattr(annotation, name) for name in ANNOTATION_COLUMNS],
        )
        self.db.conn.executemany(
            "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
            [(annotation.id, self.store.tags.ensure(name)) for name in annotation.tags],
        )

    def state(self, annotation_id: str) -> tuple[Literal["placed", "orphan"], Annotation] | None:
        """Where an annotation is now: in its article's text ("placed"), kept aside as an orphan
        (offsets into an older text), or nowhere (None)."""
        found = next(self.select("WHERE n.id = ?", [annotation_id]), None)
        if found is not None:
            return "placed", found
        row = self.db.execute("SELECT record FROM orphans WHERE id = ?", [annotation_id]).fetchone()
        return ("orphan", orphan_from(row[0])) if row else None

    def restore(
        self,
        expect: Annotation | None,
        want: Annotation | None,
        action: str,
        where: Literal["same", "placed", "orphan"] = "same",
        orphaned: str | None = None,
    ) -> tuple[Literal["placed", "orphan"], Annotation] | None:
        """Bring an annotation from state `expect` to state `want` (None: absent), for undo and
        redo. Refused (StaleWriteError) unless it is now as `expect` says, ignoring where it is
        (a re-import may have moved or orphaned it) and when it was last touched.

        `want` is put: where the annotation is now, with its tags and note changed ("same"); or
        on the article's current text, re-anchored from its quote and context, as an orphan if
        it cannot be placed ("placed", also what "same" does for an absent one); or aside as an
        orphan kept since `orphaned` ("orphan"). Returns where it ended up and how."""
        annotation_id = (want or expect).id  # type: ignore[union-attr]
        with self.store.writing(action):
            state = self.state(annotation_id)
            current = state[1] if state else None
            if (current is None) != (expect is None) or (
                current is not None and expect is not None and not same_content(current, expect)
            ):
                raise StaleWriteError(self.path, PASSAGE_CHANGED if current is not None else GONE, action)
            if want is None:
                self._remove(annotation_id)
                self.bury(annotation_id, expect.annotator, now_utc())  # type: ignore[union-attr]
                return None
            buried = self.tombstone(annotation_id) if expect is None else None
            if buried is not None:
                # back again: its deletion no longer travels, and it is newer than the deletion
                # another database may have taken from an export meanwhile (a second after it at
                # least: a deletion wins a tie)
                self.unbury(annotation_id)
                want = replace(want, updated=_after(buried[1]))
            if state is not None and where == "same":
                if same_content(current, want):  # type: ignore[arg-type]
                    return state
                return state[0], self._write_content(state[0], replace(
                    current, tags=want.tags, note=want.note, updated=now_utc()))  # type: ignore[type-var]
            if state is not None:
                self._remove(annotation_id)
            if where == "orphan":
                self.insert_orphan(want, orphaned or now_utc())
                return "orphan", want
            return self._place(want, action)

    def _place(self, annotation: Annotation, action: str) -> tuple[Literal["placed", "orphan"], Annotation]:
        """Insert `annotation` on its article's current text: where its quote is, re-anchored
        if the text changed since it was made, kept as an orphan if it cannot be placed."""
        text, _sha256 = self.store.articles.text_and_hash(annotation.article_id, action)
        if quote_matches(text, annotation.start, annotation.end, annotation.quote) and (
            selector_for(text, annotation.start, annotation.end)[1:] == (annotation.prefix, annotation.suffix)
        ):
            return "placed", self.insert(annotation)
        [anchored] = reanchor_all(
            text, [Selector(annotation.start, annotation.end, annotation.quote, annotation.prefix, annotation.suffix)]
        )
        if anchored.status == "orphan" or anchored.start is None or anchored.end is None:
            self.insert_orphan(annotation, now_utc())
            return "orphan", annotation
        quote, prefix, suffix = selector_for(text, anchored.start, anchored.end)
        placed = replace(annotation, start=anchored.start, end=anchored.end, quote=quote, prefix=prefix, suffix=suffix)
        return "placed", self.insert(placed)

    def _write_content(self, where: str, annotation: Annotation) -> Annotation:
        """Store `annotation`'s tags, note and time over the annotation or orphan with its id."""
        if where == "orphan":
            self.insert_orphan(annotation, self.orphaned_at(annotation.id) or now_utc())
            return annotation
        self.db.execute(
            "UPDATE annotations SET note = ?, updated = ? WHERE id = ?", [annotation.note, annotation.updated, annotation.id]
        )
        present = set(self.get(annotation.id).tags)
        for name in present - set(annotation.tags):
            self.db.execute(
                "DELETE FROM annotation_tags WHERE annotation_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                [annotation.id, name],
            )
        for name in sorted(set(annotation.tags) - present):
            self.db.execute(
                "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", [annotation.id, self.store.tags.ensure(name)]
            )
        return self.get(annotation.id)

    def _remove(self, annotation_id: str) -> None:
        """Delete the annotation or orphan with this id, tags and all."""
        self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [annotation_id])
        self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])
        self.db.execute("DELETE FROM orphans WHERE id = ?", [annotation_id])

    def remove(self, annotation_id: str) -> None:
        """Delete the annotation or orphan with this id (inside a write), as a merge does when a
        file brings its owner's later deletion."""
        self._remove(annotation_id)

    # ---- tombstones: deletions that travel in exports ---------------------------------------

    def bury(self, annotation_id: str, annotator: str, deleted: str) -> None:
        """Record (inside a write) that `annotator` deleted the annotation with this id at
        `deleted`; of two deletions of one id, the later time stays."""
        self.db.execute(
            "INSERT INTO tombstones (id, annotator, deleted) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET annotator = excluded.annotator, deleted = excluded.deleted "
            "WHERE excluded.deleted > tombstones.deleted",
            [annotation_id, annotator, deleted],
        )

    def unbury(self, annotation_id: str) -> None:
        """Forget the deletion of this id (inside a write): the annotation is back."""
        self.db.execute("DELETE FROM tombstones WHERE id = ?", [annotation_id])

    def tombstone(self, annotation_id: str) -> tuple[str, str] | None:
        """(owner, when) of the deletion of this id, or None."""
        row = self.db.execute("SELECT annotator, deleted FROM tombstones WHERE id = ?", [annotation_id]).fetchone()
        return (row[0], row[1]) if row else None

    def tombstones(self, annotator: str | None = None, since: str | None = None) -> list[tuple[str, str, str]]:
        """(id, owner, when) of every deletion recorded (of `annotator`, at or after `since`), by id."""
        return [tuple(row) for row in self.db.execute(  # type: ignore[misc]
            "SELECT id, annotator, deleted FROM tombstones WHERE (? IS NULL OR annotator = ?) "
            "AND (? IS NULL OR deleted >= ?) ORDER BY id",
            [annotator, annotator, since, since],
        )]

    def tombstone_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM tombstones")}

    def get(self, annotation_id: str) -> Annotation:
        found = list(self.select("WHERE n.id = ?", [annotation_id]))
        if not found:
            raise KeyError(f"no annotation with id {annotation_id}")
        return found[0]

    def of_article(self, article_id: int) -> list[Annotation]:
        """The article's annotations in text order, each with its tags."""
        return list(self.select("WHERE n.article_id = ?", [article_id]))

    def shown_of_article(self, article_id: int) -> list[Annotation]:
        """The article's annotations the viewer may see (blind study: their own), in text order."""
        whose = self.store.study.whose()
        if whose is None:
            return self.of_article(article_id)
        return list(self.select("WHERE n.article_id = ? AND n.annotator = ?", [article_id, whose]))

    def select(self, where: str, params: Sequence[object], with_clause: str = "") -> Iterator[Annotation]:
        """Annotations in (article, start, end) order, read as they are consumed."""
        rows = self.db.execute(
            f"""
            {with_clause}
            SELECT n.id, n.article_id, n.start, n."end", n.quote, n.prefix, n.suffix, n.note,
                   n.annotator, n.created, n.updated,
                   (SELECT group_concat(name, char(31)) FROM (
                        SELECT t.name FROM annotation_tags nt JOIN tags t ON t.id = nt.tag_id
                        WHERE nt.annotation_id = n.id ORDER BY t.name)) AS tag_names
            FROM annotations n {where}
            ORDER BY n.article_id, n.start, n."end", n.created, n.id
            """,
            params,
        )
        return (Annotation(*row[:11], tags=split_names(row[11])) for row in rows)

    def of_annotators(self, annotators: Sequence[str]) -> Iterator[Annotation]:
        """Every annotation by these annotators, in (article, start) order, read as consumed."""
        marks = ", ".join("?" * len(annotators)) or "NULL"
        return self.select(f"WHERE n.annotator IN ({marks})", list(annotators))

    def annotators(self) -> list[str]:
        """Everyone who has annotated, most annotations first (in a blind study, the viewer
        alone, if they have)."""
        whose = self.store.study.whose()
        return [row[0] for row in self.db.execute(
            "SELECT annotator FROM annotations WHERE ? IS NULL OR annotator = ? GROUP BY annotator "
            "ORDER BY count(*) DESC, annotator", [whose, whose]
        )]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM annotations").fetchone()[0]

    def pending(self) -> list[PendingAnnotation]:
        """Annotations kept aside for articles this database does not have, in the order kept."""
        return [PendingAnnotation(*row) for row in self.db.execute(
            """SELECT article_uid, article_sha256, article_title, annotation_id, record, source_file, created
               FROM pending_annotations ORDER BY id"""
        )]

    def keep_pending(self, pending: PendingAnnotation) -> bool:
        """Keep an annotation aside for an article this database lacks (inside a write); False
        when the very same one is kept already."""
        if self.db.execute(
            "SELECT 1 FROM pending_annotations WHERE article_uid = ? AND annotation_id = ? AND record = ?",
            [pending.article_uid, pending.annotation_id, pending.record],
        ).fetchone():
            return False
        self.db["pending_annotations"].insert({
            "article_uid": pending.article_uid, "article_sha256": pending.article_sha256,
            "article_title": pending.article_title, "annotation_id": pending.annotation_id, "record": pending.record,
            "source_file": pending.source_file, "created": pending.created,
        })
        return True

    def overwrite(self, annotation: Annotation) -> None:
        """Write `annotation` over the stored one with its id (inside a write): place, quote, note,
        times and tags, as a merge does when a file holds a newer version of the same owner's."""
        self.db.execute(
            'UPDATE annotations SET article_id = ?, start = ?, "end" = ?, quote = ?, prefix = ?, suffix = ?, note = ?, '
            "annotator = ?, created = ?, updated = ? WHERE id = ?",
            [annotation.article_id, annotation.start, annotation.end, annotation.quote, annotation.prefix,
             annotation.suffix, annotation.note, annotation.annotator, annotation.created, annotation.updated,
             annotation.id],
        )
        self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [annotation.id])
        self.db.conn.executemany(
            "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
            [(annotation.id, self.store.tags.ensure(name)) for name in annotation.tags],
        )

    def ids_added_since(self, table: Literal["annotations", "orphans"], rowid: int) -> tuple[list[str], int]:
        """Ids of the rows of `table` written after row `rowid` (by anyone), and the last rowid:
        how a long merge learns, between its transactions, what others added meanwhile."""
        rows = self.db.execute(f"SELECT rowid, id FROM {table} WHERE rowid > ? ORDER BY rowid", [rowid]).fetchall()
        return [row[1] for row in rows], (rows[-1][0] if rows else rowid)

    # ---- bulk writes of the importers (inside their writes) --------------------------------

    def insert_many(self, rows: Sequence[Sequence[object]], tag_rows: Sequence[tuple[str, int]]) -> None:
        """Annotation rows (in ANNOTATION_COLUMNS order) and their (annotation id, tag id) rows."""
        self.db.conn.executemany(
            f"INSERT INTO annotations ({ANNOTATION_COLUMN_LIST}) VALUES ({', '.join('?' * len(ANNOTATION_COLUMNS))})", rows
        )
        self.db.conn.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", tag_rows)

    def pending_ids(self, article_uid: str) -> set[str]:
        """Ids of the annotations kept pending for the article with this uid."""
        return {row[0] for row in self.db.execute(
            "SELECT annotation_id FROM pending_annotations WHERE article_uid = ?", [article_uid]
        )}

    def pending_from(self, source_file: str) -> set[tuple[str, str]]:
        """(article uid, record) of the annotations kept pending from this file."""
        return set(self.db.execute(
            "SELECT article_uid, record FROM pending_annotations WHERE source_file = ?", [source_file]
        ).fetchall())

    def keep_pending_rows(self, rows: Iterable[dict[str, object]]) -> None:
        """Rows of `pending_annotations` (article_uid, article_sha256, article_title,
        annotation_id, record, source_file, created), as an importer made them."""
        self.db["pending_annotations"].insert_all(rows)
