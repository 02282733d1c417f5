"""Removing articles (`reader remove`, and from the TUI): which articles a choice names, what their
removal would take, and the removal itself, with everything derived from them kept consistent.

Annotations are never lost silently: they become orphans (kept whole, put back when the article
is imported again) unless deleting them is asked for, and then each leaves a tombstone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from reader.core.model import Annotation, ListQuery, now_utc
from reader.store.common import Repository, orphan_from
from reader.store.errors import StaleWriteError

#: Articles removed per transaction (each well under a second).
REMOVE_BATCH = 200
#: Tables keyed by article that only describe an article and go with it.
_ARTICLE_ROWS = ("reading", "article_tags", "article_notes", "article_attributes", "article_edits", "assignments")
#: Kept agreement sums per article (reader/store/agreement.py).
_AGREEMENT_TABLES = ("agreement_articles", "agreement_counts", "agreement_alpha", "article_changes")


@dataclass(frozen=True)
class RemovalPreview:
    """What removing some articles would take."""

    article_ids: tuple[int, ...]
    #: (id, title) of the first few, in id order.
    first: tuple[tuple[int, str], ...]
    annotations: int
    orphans: int
    article_tags: int
    article_notes: int
    #: How many of the articles are in the database (all, unless removed meanwhile).
    present: int = 0

    @property
    def articles(self) -> int:
        return len(self.article_ids)


@dataclass
class RemovalCounts:
    """What a removal did."""

    articles: int = 0
    #: Annotations in place that were kept as orphans (or deleted, with delete_annotations).
    annotations: int = 0
    #: Orphans the articles already had (kept, or deleted with delete_annotations).
    orphans: int = 0
    deleted: bool = False
    article_tags: int = 0
    article_notes: int = 0
    titles: list[str] = field(default_factory=list)


def _json_ids(ids: Iterable[int]) -> str:
    return "[" + ",".join(str(int(value)) for value in ids) + "]"


class Removal(Repository):
    """Choosing articles to remove, and removing them."""

    def chosen(
        self,
        *,
        keys: Sequence[str] = (),
        query: ListQuery | None = None,
        path_prefixes: Sequence[str] = (),
    ) -> list[int]:
        """Ids of the articles named: by id or uid (`keys`; KeyError for one that names none),
        selected by `query` (search, source, tag... as the list does), or imported from a path
        equal to one of `path_prefixes` or inside it (a folder). Several choices: all must hold."""
        found: set[int] | None = None
        if keys:
            found = {self.store.articles.find(key) for key in keys}
        if query is not None:
            with_clause, where, params, _sets = self.store.listing.selection(query)
            rows = self.db.execute(f"{with_clause} SELECT a.id FROM articles a {where}", params)
            matched = {row[0] for row in rows}
            found = matched if found is None else found & matched
        if path_prefixes:
            matched = set()
            for prefix in path_prefixes:
                folder = prefix.rstrip("/") + "/" if prefix not in ("", "/") else "/"
                matched.update(row[0] for row in self.db.execute(
                    "SELECT id FROM articles WHERE path = ? OR substr(path, 1, ?) = ?", [prefix, len(folder), folder]
                ))
            found = matched if found is None else found & matched
        return sorted(found or ())

    def preview(self, article_ids: Sequence[int], first: int = 5) -> RemovalPreview:
        """How many annotations, orphans, article tags and notes the articles hold, and the
        titles of the first few: what the confirmation shows."""
        ids = _json_ids(article_ids)
        count = "SELECT count(*) FROM {} WHERE article_id IN (SELECT value FROM json_each(?))"
        annotations, orphans, tags, notes = (
            self.db.execute(count.format(table), [ids]).fetchone()[0]
            for table in ("annotations", "orphans", "article_tags", "article_notes")
        )
        titles = self.db.execute(
            "SELECT id, title FROM articles WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?", [ids, first]
        ).fetchall()
        present = self.db.execute(
            "SELECT count(*) FROM articles WHERE id IN (SELECT value FROM json_each(?))", [ids]
        ).fetchone()[0]
        return RemovalPreview(tuple(article_ids), tuple(titles), annotations, orphans, tags, notes, present)

    def remove(
        self, article_ids: Sequence[int], *, delete_annotations: bool = False, seen: RemovalPreview | None = None
    ) -> RemovalCounts:
        """Remove the articles, in short transactions of REMOVE_BATCH. Their annotations become
        orphans that remember the article (uid, text hash, title), to be put back when it is
        imported again; with `delete_annotations` they and its orphans are deleted, each with a
        tombstone (owner, now) so a colleague's merge learns of it. The search index, entity
        index, agreement sums, tag summaries, article tags, notes, attributes and reading state
        follow. Articles gone meanwhile are passed over.

        `seen`: the preview the user confirmed. When the articles hold other annotations now
        (another window or program annotated them meanwhile), nothing is removed and
        StaleWriteError says so: the user is asked again about what is there."""
        done = RemovalCounts(deleted=delete_annotations)
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), REMOVE_BATCH):
            batch = ids[start : start + REMOVE_BATCH]
            saved = f"; the {start} articles before them were removed" if start else ""
            action = f"removing {len(batch)} article{'' if len(batch) == 1 else 's'}{saved}"
            with self.store.writing(action):
                if start == 0 and seen is not None:
                    now = self.preview(ids, first=0)
                    if (now.present, now.annotations, now.orphans) != (seen.present, seen.annotations, seen.orphans):
                        raise StaleWriteError(self.path, "the articles or their annotations changed since they "
                                              "were shown (in another window or program)", action)
                for article_id in batch:
                    self._remove_one(article_id, delete_annotations, done)
        return done

    def _remove_one(self, article_id: int, delete_annotations: bool, done: RemovalCounts) -> None:
        from reader.store.entity_index import _unindex

        row = self.db.execute("SELECT uid, sha256, title FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            return
        uid, sha256, title = row
        when = now_utc()
        annotations = self.store.annotations.of_article(article_id)
        orphans = self.db.execute("SELECT id, record FROM orphans WHERE article_id = ?", [article_id]).fetchall()
        for annotation in annotations:
            self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [annotation.id])
            self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation.id])
            if delete_annotations:
                self.store.annotations.bury(annotation.id, annotation.annotator, when)
            else:
                self._keep(annotation, when, placed=True, article=(uid, sha256, title))
        if delete_annotations:
            for orphan_id, record in orphans:
                self.db.execute("DELETE FROM orphans WHERE id = ?", [orphan_id])
                self.store.annotations.bury(orphan_id, orphan_from(record).annotator, when)
        else:
            self.db.execute(
                "UPDATE orphans SET article_id = NULL, article_uid = ?, article_sha256 = ?, article_title = ?, "
                "removed = ?, placed = NULL WHERE article_id = ?",
                [uid, sha256, title, when, article_id],
            )
        done.article_tags += self.db.execute("SELECT count(*) FROM article_tags WHERE article_id = ?", [article_id]).fetchone()[0]
        done.article_notes += self.db.execute("SELECT count(*) FROM article_notes WHERE article_id = ?", [article_id]).fetchone()[0]
        for table in _ARTICLE_ROWS:
            if self._has_table(table):
                self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
        _unindex(self.db.conn, article_id)  # its mentions, out of the entities' counts
        self.db.execute("DELETE FROM entity_indexed WHERE article_id = ?", [article_id])
        self.db.execute("DELETE FROM articles WHERE id = ?", [article_id])
        for table in _AGREEMENT_TABLES:
            if self._has_table(table):
                self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
        if not self.db.execute("SELECT 1 FROM articles WHERE sha256 = ?", [sha256]).fetchone():
            self.db.execute("DELETE FROM entity_cache WHERE sha256 = ?", [sha256])
        done.articles += 1
        done.annotations += len(annotations)
        done.orphans += len(orphans)
        if len(done.titles) < 5:
            done.titles.append(title)

    def _has_table(self, name: str) -> bool:
        if not hasattr(self, "_tables"):
            self._tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return name in self._tables

    def _keep(self, annotation: Annotation, when: str, *, placed: bool, article: tuple[str, str, str]) -> None:
        record = {name: getattr(annotation, name) for name in (
            "id", "article_id", "start", "end", "quote", "prefix", "suffix", "note", "annotator", "created", "updated")}
        record["tags"] = list(annotation.tags)
        self.db.execute(
            "INSERT OR REPLACE INTO orphans (id, article_id, record, orphaned, article_uid, article_sha256, "
            "article_title, removed, placed) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)",
            [annotation.id, json.dumps(record, ensure_ascii=False), when, *article, when, 1 if placed else None],
        )

    # ---- orphans of removed articles -----------------------------------------------------------

    def removed_orphan_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM orphans WHERE article_id IS NULL").fetchone()[0]

    def orphan_titles(self) -> dict[str, str]:
        """The title of each orphan's article, by orphan id; for an article that was removed,
        its title as it was, marked "(removed)"."""
        return {orphan_id: title for orphan_id, title in self.db.execute(
            """SELECT o.id, coalesce(a.title, '(removed) ' || coalesce(o.article_title, '?'))
               FROM orphans o LEFT JOIN articles a ON a.id = o.article_id"""
        )}

    def take_back(self, article_id: int) -> dict[str, int]:
        """An article came back (imported again, inside its write): the orphans its earlier
        removal kept, found by the text's hash (else its uid), are its own again; those that
        were in place go back where their quote is (re-anchored if the text changed), the rest
        stay orphans of it. Returns how many were placed and how many stay orphans."""
        row = self.db.execute("SELECT uid, sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
        counts = {"placed": 0, "orphan": 0}
        if row is None:
            return counts
        uid, sha256 = row
        kept = self.db.execute(
            "SELECT id, record, orphaned, placed FROM orphans WHERE article_id IS NULL AND article_sha256 = ? "
            "UNION SELECT id, record, orphaned, placed FROM orphans WHERE article_id IS NULL AND article_uid = ?",
            [sha256, uid],
        ).fetchall()
        for orphan_id, record, orphaned, placed in kept:
            annotation = replace(orphan_from(record), article_id=article_id)
            self.db.execute("DELETE FROM orphans WHERE id = ?", [orphan_id])
            if placed and not self.db.execute("SELECT 1 FROM annotations WHERE id = ?", [orphan_id]).fetchone():
                where, _ = self.store.annotations._place(annotation, "putting back the annotations of an article")
            else:
                self.store.annotations.insert_orphan(annotation, orphaned)
                where = "orphan"
            counts[where] += 1
        return counts
