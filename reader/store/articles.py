"""Articles in the database: import (and re-import with re-anchoring), lookup, texts, article tags
and reading state.

SQL only: it reads no file (ingest does) and never changes an annotation's words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Literal


from reader.core.anchoring import Selector, reanchor_all, selector_for
from reader.core.ingest import Document
from reader.core.model import ATTRIBUTE_FIELD, AddResult, Article, ArticleMeta, now_utc, sha256_text
from reader.store.common import ARTICLE_INFO_COLUMNS, Repository, said, split_names
from reader.store.errors import META_CHANGED, StaleWriteError


#: New articles imported together from which the search index is filled for all of them at once.
_INDEXED_TOGETHER = 50

#: `articles.arrival` values (m016).
ARRIVED_FROM_FILE, ARRIVED_FROM_EXCHANGE = "file", "exchange"


def _shared_lines(text: str, other: str) -> int:
    """How many distinct non-blank lines of `text` are lines of `other` too: a cheap likeness."""
    lines = {line for line in text.split("\n") if line.strip()}
    return len(lines.intersection(other.split("\n")))


def _more_metadata(doc: Document) -> dict[str, str | None]:
    """The columns m018 added, from an imported document."""
    return {"published_written": doc.published_written, "author": doc.author, "language": doc.language,
            "extractor": doc.extractor}


def _imported_row(doc: Document, digest: str, uid: str, imported: str) -> dict[str, object]:
    """The `articles` row of a document imported from a file."""
    return {
        "uid": uid, "sha256": digest, "title": doc.title, "source": doc.source, "url": doc.url, "path": doc.path,
        "locator": doc.locator, "published": doc.published, "chars": len(doc.text), "imported": imported,
        "text": doc.text, "arrival": ARRIVED_FROM_FILE, **_more_metadata(doc),
    }


class Articles(Repository):
    """Articles: their texts and metadata, imports and re-imports, article tags, reading state."""

    def add(self, doc: Document) -> AddResult:
        """Store an imported document, once per distinct text. A changed file updates the
        article this database imported from it (`_article_of_file`), never one that came from
        another database's export with the same path."""
        digest = sha256_text(doc.text)
        same_text = self.db.execute(
            "SELECT id, path, locator, arrival FROM articles WHERE sha256 = ?", [digest]
        ).fetchone()
        if same_text:
            article_id, path, locator, arrival = same_text
            if (path, locator) != (doc.path, doc.locator):
                return AddResult("duplicate", article_id, f"same text as {path}{' ' + locator if locator else ''}")
            own = self._of_file(doc)
            if own is not None and own != article_id:
                return AddResult(
                    "duplicate", article_id,
                    "same text as an article added from another database's export; "
                    f"the article imported from this file (id {own}) keeps its earlier text",
                )
            if arrival == ARRIVED_FROM_EXCHANGE:  # a colleague's copy of this very file: now ours too
                with self.store.writing(f"importing {doc.path}"):
                    self.db.execute("UPDATE articles SET arrival = ? WHERE id = ?", [ARRIVED_FROM_FILE, article_id])
            return AddResult("unchanged", article_id)
        previous = self._of_file(doc)
        with self.store.writing(f"importing {doc.path}"):
            if previous is not None:
                return self._replace_text(previous, doc, digest)
            article_id = self.db["articles"].insert(_imported_row(doc, digest, self._free_uid(digest, doc), now_utc())).last_pk
            self._set_attributes(article_id, doc.attributes)
            back = self.store.removal.take_back(article_id)  # an article removed before, back again
        return AddResult("imported", article_id, reanchored={key: n for key, n in back.items() if n})

    def add_many(self, docs: Sequence[Document]) -> list[AddResult]:
        """`add` of each of `docs` in order, in one transaction, with the same results and ids:
        the documents whose text, uid and file place (path and locator) the database and the
        documents before them do not hold yet are inserted together, the others one by one."""
        digests = [sha256_text(doc.text) for doc in docs]
        held_digests, held_places = self._held(digests, [(doc.path, doc.locator) for doc in docs])
        results: list[AddResult | None] = [None] * len(docs)
        new: list[int] = []
        with self.store.writing(f"importing {docs[0].path}" if docs else "importing"):
            for index, (doc, digest) in enumerate(zip(docs, digests)):
                place = (doc.path, doc.locator)
                if digest in held_digests or place in held_places:
                    self._insert_new([(docs[i], digests[i]) for i in new], new, results)
                    new = []
                    results[index] = self.add(doc)
                else:
                    new.append(index)
                held_digests.add(digest)
                held_places.add(place)
            self._insert_new([(docs[i], digests[i]) for i in new], new, results)
        return results  # type: ignore[return-value]

    def _held(self, digests: list[str], places: list[tuple[str, str]]) -> tuple[set[str], set[tuple[str, str]]]:
        """Of `digests`, those an article's text or uid has, or a removed article's orphans wait
        for; of `places`, those an article was imported from."""
        held: set[str] = set()
        distinct = sorted(set(digests))
        for start in range(0, len(distinct), 400):
            chunk = distinct[start : start + 400]
            marks = ",".join("?" * len(chunk))
            held.update(row[0] for row in self.db.execute(
                f"""SELECT sha256 FROM articles WHERE sha256 IN ({marks}) UNION SELECT uid FROM articles WHERE uid IN ({marks})
                    UNION SELECT article_sha256 FROM orphans WHERE article_id IS NULL AND article_sha256 IN ({marks})
                    UNION SELECT article_uid FROM orphans WHERE article_id IS NULL AND article_uid IN ({marks})""",
                chunk * 4,
            ))  # (a removed article's orphans wait for its text or uid: `add` takes them back)
        held_places: set[tuple[str, str]] = set()
        unique = sorted(set(places))
        for start in range(0, len(unique), 400):
            chunk = unique[start : start + 400]
            values = ",".join("(?, ?)" for _ in chunk)
            held_places.update(self.db.execute(
                f"SELECT path, locator FROM articles WHERE (path, locator) IN (VALUES {values})",
                [value for place in chunk for value in place],
            ).fetchall())
        return held, held_places

    def _insert_new(self, docs: list[tuple[Document, str]], indexes: list[int], results: list[AddResult | None]) -> None:
        """Insert documents no article shares a text, uid or place with (inside a write), with
        the ids SQLite would give them one by one (the largest id so far plus one)."""
        if not docs:
            return
        first = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
        imported = now_utc()
        rows = [{"id": first + number, **_imported_row(doc, digest, digest, imported)} for number, (doc, digest) in enumerate(docs)]
        columns = list(rows[0])
        # The search index's trigger, row by row, costs 2.5 times what one statement indexing
        # the rows does: it is set aside for the batch (inside its transaction, so it is back
        # whatever happens) and the batch indexed as it would have indexed each row.
        trigger = self.db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai' AND tbl_name = 'articles'"
        ).fetchone() if len(rows) >= _INDEXED_TOGETHER else None
        if trigger:
            self.db.execute("DROP TRIGGER articles_ai")
        self.db.conn.executemany(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [[row[column] for column in columns] for row in rows],
        )
        if trigger:
            self.db.execute(
                "INSERT INTO articles_fts (rowid, title, text) SELECT id, title, text FROM articles WHERE id >= ?", [first]
            )
            self.db.execute(trigger[0])
        # (as `_set_attributes`: none left by a deleted article with one of these ids; the last
        # of two values of one name)
        self.db.execute("DELETE FROM article_attributes WHERE article_id >= ?", [first])
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO article_attributes (article_id, name, value, position) VALUES (?, ?, ?, ?)",
            [(first + number, name, value, position) for number, (doc, _) in enumerate(docs)
             for position, (name, value) in enumerate(doc.attributes)],
        )
        for number, index in enumerate(indexes):
            results[index] = AddResult("imported", first + number)

    def _of_file(self, doc: Document) -> int | None:
        """The article this database imported from `doc`'s file (its path and locator), which a
        new text of that file updates: the one that arrived from a file here; in a database from
        before arrivals were recorded, the one whose text shares most lines with the new text.
        Never an article added from another database's export: its path names a file there."""
        rows = self.db.execute(
            "SELECT id, arrival FROM articles WHERE path = ? AND locator = ? ORDER BY id DESC", [doc.path, doc.locator]
        ).fetchall()
        own = [article_id for article_id, arrival in rows if arrival == ARRIVED_FROM_FILE]
        if own:
            return own[0]
        unknown = [article_id for article_id, arrival in rows if arrival is None]
        if len(unknown) <= 1:
            return unknown[0] if unknown else None
        texts = self.texts(unknown)
        return max(unknown, key=lambda article_id: (_shared_lines(doc.text, texts[article_id]), article_id))

    def find(self, key: str) -> int:
        """The id of the one article `key` names: its id, its uid, or a prefix of its uid
        (at least 4 characters) that no other article's uid shares. KeyError otherwise."""
        if key.isdigit() and self.db.execute("SELECT 1 FROM articles WHERE id = ?", [int(key)]).fetchone():
            return int(key)
        row = self.db.execute("SELECT id FROM articles WHERE uid = ?", [key]).fetchone()
        if row:
            return row[0]
        if len(key) >= 4:
            rows = self.db.execute(
                "SELECT id FROM articles WHERE substr(uid, 1, ?) = ? LIMIT 2", [len(key), key]
            ).fetchall()
            if len(rows) == 1:
                return rows[0][0]
            if rows:
                raise KeyError(f"{key!r} starts the ids of several articles; give more of it")
        raise KeyError(f"no article with the id {key!r}")

    def add_exported(
        self,
        *,
        uid: str,
        sha256: str,
        title: str,
        text: str,
        source: str | None,
        url: str | None,
        path: str,
        locator: str,
        published: str | None,
        attributes: Iterable[tuple[str, str]] = (),
    ) -> int:
        """Add an article exactly as another database exported it (same uid); returns its id.
        No `reader import` here updates it (see `add_document`)."""
        with self.store.writing("adding an article"):
            article_id = self.db["articles"].insert(
                {
                    "uid": uid, "sha256": sha256, "title": title, "source": source, "url": url, "path": path,
                    "locator": locator, "published": published, "chars": len(text), "imported": now_utc(),
                    "text": text, "arrival": ARRIVED_FROM_EXCHANGE,
                }
            ).last_pk
            self._set_attributes(article_id, attributes, replace=False)
            self.store.removal.take_back(article_id)  # an article removed before, back again
            return article_id

    def _free_uid(self, digest: str, doc: Document) -> str:
        """The text's sha256, unless an article whose text has since changed already holds it;
        then a hash of the text and where it came from."""
        if self.db.execute("SELECT 1 FROM articles WHERE uid = ?", [digest]).fetchone() is None:
            return digest
        return sha256_text(f"{digest}\n{doc.path}\n{doc.locator}")

    def _replace_text(self, article_id: int, doc: Document, digest: str) -> AddResult:
        """The file of an article changed: store the new text and move its annotations onto it
        (see `anchoring.reanchor`); those that cannot be placed become orphans, kept whole."""
        old_text = self.text_of(article_id)
        annotations = self.store.annotations.of_article(article_id)
        counts: dict[str, int] = {}
        if annotations:
            placed = reanchor_all(
                doc.text, [Selector(a.start, a.end, a.quote, a.prefix, a.suffix) for a in annotations], len(old_text)
            )
            for annotation, anchored in zip(annotations, placed):
                counts[anchored.status] = counts.get(anchored.status, 0) + 1
                if anchored.status == "orphan":
                    self.store.annotations.keep_orphan(annotation)
                else:
                    quote, prefix, suffix = selector_for(doc.text, anchored.start, anchored.end)
                    if (anchored.start, anchored.end, quote, prefix, suffix) == (
                        annotation.start, annotation.end, annotation.quote, annotation.prefix, annotation.suffix
                    ):
                        continue
                    self.db.execute(
                        'UPDATE annotations SET start = ?, "end" = ?, quote = ?, prefix = ?, suffix = ? WHERE id = ?',
                        [anchored.start, anchored.end, quote, prefix, suffix, annotation.id],
                    )
        edited = self.edited_fields(article_id)
        columns = {
            "sha256": digest,
            "title": doc.title,
            "source": doc.source,
            "url": doc.url,
            "published": doc.published,
            "chars": len(doc.text),
            "imported": now_utc(),
            "text": doc.text,
            **_more_metadata(doc),
        }
        # what the user corrected stays as they left it (see `set_meta`)
        for field, names in (("title", ("title",)), ("source", ("source",)), ("date", ("published", "published_written"))):
            if field in edited:
                for name in names:
                    del columns[name]
        self.db["articles"].update(article_id, columns)
        self._set_attributes(article_id, self._kept_attributes(article_id, doc.attributes, edited))
        return AddResult("updated", article_id, reanchored=counts)

    def _kept_attributes(
        self, article_id: int, attributes: Iterable[tuple[str, str]], edited: frozenset[str]
    ) -> list[tuple[str, str]]:
        """A re-imported file's attributes, but those the user corrected (or removed) as they are now."""
        corrected = {field.removeprefix(ATTRIBUTE_FIELD) for field in edited if field.startswith(ATTRIBUTE_FIELD)}
        if not corrected:
            return list(attributes)
        current = dict(self.attributes_of(article_id))
        kept = [(name, value) for name, value in attributes if name not in corrected]
        return kept + [(name, value) for name, value in current.items() if name in corrected]

    def _set_attributes(self, article_id: int, attributes: Iterable[tuple[str, str]], replace: bool = True) -> None:
        """Store an article's attributes (inside a write), in place of those it had."""
        if replace:
            self.db.execute("DELETE FROM article_attributes WHERE article_id = ?", [article_id])
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO article_attributes (article_id, name, value, position) VALUES (?, ?, ?, ?)",
            [(article_id, name, value, position) for position, (name, value) in enumerate(attributes)],
        )

    def attributes_of(self, article_id: int) -> tuple[tuple[str, str], ...]:
        """An article's attributes, (name, value) in the order its record gave them."""
        rows = self.db.execute(
            "SELECT name, value FROM article_attributes WHERE article_id = ? ORDER BY position, name", [article_id]
        )
        return tuple((name, value) for name, value in rows)

    # ---- corrections by the user ------------------------------------------------------------

    def edited_fields(self, article_id: int) -> frozenset[str]:
        """The fields of the article a user corrected (see ArticleMeta.edited)."""
        rows = self.db.execute("SELECT field FROM article_edits WHERE article_id = ?", [article_id])
        return frozenset(row[0] for row in rows)

    def meta_of(self, article_id: int) -> ArticleMeta:
        """The article's title, date, source and attributes as stored now: what a correction is
        made against. KeyError when there is no such article."""
        row = self.db.execute(
            "SELECT title, published, published_written, source FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        if row is None:
            raise KeyError(f"no article with id {article_id}")
        return ArticleMeta(*row, attributes=self.attributes_of(article_id), edited=self.edited_fields(article_id))

    def set_meta(self, article_id: int, meta: ArticleMeta, seen: ArticleMeta, action: str = "correcting the article") -> None:
        """Store `meta` (its `edited` too) as the article's title, date, source and attributes,
        if they are still `seen` (what the user's screen showed); StaleWriteError otherwise,
        and nothing written."""
        with self.store.writing(action):
            try:
                now = self.meta_of(article_id)
            except KeyError:
                raise StaleWriteError(self.path, "the article is not in the database any more", action) from None
            if now != seen:
                raise StaleWriteError(self.path, META_CHANGED, action)
            self.db.execute(
                "UPDATE articles SET title = ?, published = ?, published_written = ?, source = ? WHERE id = ?",
                [meta.title, meta.published, meta.published_written, meta.source, article_id],
            )
            self._set_attributes(article_id, meta.attributes)
            self.db.execute("DELETE FROM article_edits WHERE article_id = ?", [article_id])
            stamp = now_utc()
            self.db.conn.executemany(
                "INSERT INTO article_edits (article_id, field, edited) VALUES (?, ?, ?)",
                [(article_id, field, stamp) for field in sorted(meta.edited)],
            )

    def attribute_names(self) -> list[tuple[str, int]]:
        """Every attribute name with how many articles have it, most first (read off the index
        of names and values)."""
        return self.db.execute(
            "SELECT name, count(*) FROM article_attributes GROUP BY name ORDER BY count(*) DESC, name"
        ).fetchall()

    def attribute_values(self, name: str, limit: int = 5000) -> list[tuple[str, int]]:
        """The values of attribute `name` with how many articles have each, most first."""
        return self.db.execute(
            "SELECT value, count(*) FROM article_attributes WHERE name = ? GROUP BY value "
            "ORDER BY count(*) DESC, value LIMIT ?",
            [name, limit],
        ).fetchall()

    def sources(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL ORDER BY source COLLATE NOCASE")]

    def mark_read(self, article_id: int, read: bool = True) -> None:
        """Mark an article read (now) or unread for the viewer; their reading position is kept."""
        with self.store.writing("marking the article read" if read else "marking the article unread"):
            self.db.execute(
                """INSERT INTO reading (article_id, annotator, position, read_at) VALUES (?, ?, 0, ?)
                   ON CONFLICT (article_id, annotator) DO UPDATE SET read_at = excluded.read_at""",
                [article_id, self.store.study.reader, now_utc() if read else None],
            )

    def save_position(self, article_id: int, position: int) -> None:
        with self.store.writing("the reading position"):
            self.db.execute(
                """INSERT INTO reading (article_id, annotator, position) VALUES (?, ?, ?)
                   ON CONFLICT (article_id, annotator) DO UPDATE SET position = excluded.position""",
                [article_id, self.store.study.reader, position],
            )

    def position(self, article_id: int) -> int:
        """The viewer's reading position in the article."""
        row = self.db.execute(
            "SELECT position FROM reading WHERE article_id = ? AND annotator = ?", [article_id, self.store.study.reader]
        ).fetchone()
        return row[0] if row else 0

    def tag_map(self, article_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """Tags used on each article, on the article itself or on its annotations."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        found: dict[int, set[str]] = {}
        whose = self.store.study.whose()  # blind: the viewer's own tags only
        mine_at, mine_n = ("AND at.annotator = ?", "AND n.annotator = ?") if whose is not None else ("", "")
        who = [whose] if whose is not None else []
        query = f"""
            SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
            WHERE at.article_id IN ({marks}) {mine_at}
            UNION
            SELECT n.article_id, t.name FROM annotations n
            JOIN annotation_tags nt ON nt.annotation_id = n.id JOIN tags t ON t.id = nt.tag_id
            WHERE n.article_id IN ({marks}) {mine_n}
        """
        for article_id, name in self.db.execute(query, [*article_ids, *who, *article_ids, *who]):
            found.setdefault(article_id, set()).add(name)
        return {key: tuple(sorted(names)) for key, names in found.items()}

    def get(self, article_id: int) -> Article:
        row = self.db.execute(
            f"SELECT {ARTICLE_INFO_COLUMNS}, a.text FROM articles a WHERE a.id = ?", [article_id]
        ).fetchone()
        if row is None:
            raise KeyError(f"no article with id {article_id}")
        tags = split_names(row[9]) if self.store.study.whose() is None else self.tags_of(article_id)
        return Article(*row[:9], tags=tags, text=row[10], attributes=self.attributes_of(article_id))

    def tags_of(self, article_id: int) -> tuple[str, ...]:
        """The tags on the article itself (not on its passages) the viewer may see, by name."""
        whose = self.store.study.whose()
        rows = self.db.execute(
            "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ? "
            "AND (? IS NULL OR at.annotator = ?) ORDER BY t.name",
            [article_id, whose, whose],
        )
        return tuple(row[0] for row in rows)

    def tag(self, article_id: int, tag: str, annotator: str, created: str | None = None) -> bool:
        """Tag a whole article (as `annotator`, at `created`, now by default); False when it
        already had the tag."""
        with self.store.writing(f"tag {tag} on the article"):
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO article_tags (article_id, tag_id, annotator, created) VALUES (?, ?, ?, ?)",
                [article_id, self.store.tags.ensure(tag), annotator, created or now_utc()],
            )
        return cursor.rowcount == 1

    def untag(self, article_id: int, tag: str) -> tuple[str, str] | None:
        """Take a tag off a whole article; its (annotator, created), or None when it did not
        have it."""
        with self.store.writing(f"taking tag {tag} off the article"):
            row = self.db.execute(
                """SELECT at.annotator, at.created FROM article_tags at JOIN tags t ON t.id = at.tag_id
                   WHERE at.article_id = ? AND t.name = ?""",
                [article_id, tag],
            ).fetchone()
            if row is None:
                return None
            self.db.execute(
                "DELETE FROM article_tags WHERE article_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                [article_id, tag],
            )
        return tuple(row)

    def text_of(self, article_id: int) -> str:
        row = self.db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            raise KeyError(f"no article with id {article_id}")
        return row[0]

    def text_and_hash(self, article_id: int, action: str | Callable[[], str]) -> tuple[str, str]:
        row = self.db.execute("SELECT text, sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            raise StaleWriteError(self.path, "the article is not in the database any more", said(action))
        return row[0], row[1]

    def sha256_of(self, article_id: int) -> str | None:
        """The hash of the article's stored text (None: no such article): what a screen
        compares with the text it shows."""
        row = self.db.execute("SELECT sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
        return row[0] if row else None

    def lengths(self, article_ids: Iterable[int]) -> dict[int, int]:
        """The length in characters of each article's text (from its stored count)."""
        return self._column("chars", article_ids)

    def texts(self, article_ids: Iterable[int]) -> dict[int, str]:
        """The text of each article, for measures that need its words."""
        return self._column("text", article_ids)

    def _column(self, column: Literal["chars", "text"], article_ids: Iterable[int]) -> dict[int, object]:
        ids = sorted(set(article_ids))
        found: dict[int, object] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(self.db.execute(
                f"SELECT id, {column} FROM articles WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall())
        return found

    # ---- matching the articles of an exchange file ---------------------------------------

    def text_by_uid_or_hash(self, uid: str, sha256: str) -> tuple[str, str] | None:
        """(text, sha256) of the article with this uid, else of one with this text hash."""
        return self.db.execute(
            "SELECT text, sha256 FROM articles WHERE uid = ? OR sha256 = ? ORDER BY uid = ? DESC LIMIT 1",
            [uid, sha256, uid],
        ).fetchone()

    def exported_match(self, uid: str, hashes: Sequence[str]) -> tuple[int, str, str] | None:
        """(id, text, sha256) of the article a reader export names: by its uid, else by the first
        of `hashes` (the file's text hash, then its normalised text's) an article here has."""
        row = self.db.execute("SELECT id, text, sha256 FROM articles WHERE uid = ?", [uid]).fetchone()
        for digest in hashes:
            if row is None:
                row = self.db.execute("SELECT id, text, sha256 FROM articles WHERE sha256 = ?", [digest]).fetchone()
        return row

    def foreign_match(self, key: str, url: str | None, sha256: str | None) -> tuple[int, str, str, str, str] | None:
        """(id, uid, sha256, title, text) of the article another tool's file names: by uid, by URL
        (several articles may share one: the one with the file's text, else the newest), by hash."""
        columns = "SELECT id, uid, sha256, title, text FROM articles"
        row = self.db.execute(f"{columns} WHERE uid = ?", [key]).fetchone()
        for link in dict.fromkeys(link for link in (key, url) if link):
            if row is not None:
                break
            row = self.db.execute(
                f"{columns} WHERE url = ? ORDER BY sha256 = ? DESC, id DESC LIMIT 1", [link, sha256 or ""]
            ).fetchone()
        if row is None and sha256 is not None:
            row = self.db.execute(f"{columns} WHERE sha256 = ? ORDER BY id LIMIT 1", [sha256]).fetchone()
        return row
