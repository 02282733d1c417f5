"""The one place that talks SQL: schema, migrations, and every read and write of annotations.db.

It knows nothing of widgets or files on disk; a write either commits whole or leaves nothing.
"""

from __future__ import annotations

import hashlib
import os
import json
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from reader.core.anchoring import Selector, quote_matches, reanchor_all, selector_for
from reader.core.entities import Span
from reader.core.entities.packed import PackedSpansError, SpanTable
from reader.core.codebook import Codebook, TagLook
from reader.core.config import TagSpec, tag_key_problem
from reader.core.ingest import Document
from reader.core.textsearch import fts_query, snippet_of

migrations = Migrations("reader")


@migrations()
def m001_initial_schema(db: Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "uid": str,
            "sha256": str,
            "title": str,
            "source": str,
            "url": str,
            "path": str,
            "locator": str,
            "published": str,
            "chars": int,
            "imported": str,
            "text": str,
        },
        pk="id",
        not_null={"uid", "sha256", "title", "text", "chars", "imported"},
    )
    db["articles"].create_index(["uid"], unique=True)
    db["articles"].create_index(["sha256"], unique=True)
    db["articles"].create_index(["path", "locator"])
    db["articles"].create_index(["published"])
    db["articles"].create_index(["title"])
    db["tags"].create(
        {"id": int, "name": str, "color": str, "description": str},
        pk="id",
        not_null={"name"},
    )
    db["tags"].create_index(["name"], unique=True)
    db["annotations"].create(
        {
            "id": str,
            "article_id": int,
            "start": int,
            "end": int,
            "quote": str,
            "prefix": str,
            "suffix": str,
            "note": str,
            "annotator": str,
            "created": str,
            "updated": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "start", "end", "quote", "prefix", "suffix", "annotator", "created", "updated"},
    )
    db["annotations"].create_index(["article_id", "start"])
    db["annotation_tags"].create(
        {"annotation_id": str, "tag_id": int},
        pk=("annotation_id", "tag_id"),
        foreign_keys=[("annotation_id", "annotations", "id"), ("tag_id", "tags", "id")],
    )
    db["annotation_tags"].create_index(["tag_id"])
    db["article_tags"].create(
        {"article_id": int, "tag_id": int, "annotator": str, "created": str},
        pk=("article_id", "tag_id"),
        foreign_keys=[("article_id", "articles", "id"), ("tag_id", "tags", "id")],
    )
    db["article_tags"].create_index(["tag_id"])


@migrations()
def m002_search_and_reading_state(db: Database) -> None:
    # Full-text search over titles, texts and annotation notes, kept current by triggers.
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2")
    db["annotations"].enable_fts(["note"], create_triggers=True, tokenize="unicode61 remove_diacritics 2")
    # Reading state lives apart from articles, so saving a position never re-indexes a text.
    db["reading"].create(
        {"article_id": int, "position": int, "read_at": str},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"position"},
        defaults={"position": 0},
    )
    db["reading"].create_index(["read_at"])
    db.execute("CREATE INDEX idx_articles_title_nocase ON articles (title COLLATE NOCASE)")
    db.execute("CREATE INDEX idx_articles_source_nocase ON articles (source COLLATE NOCASE, published)")


@migrations()
def m003_entity_cache(db: Database) -> None:
    # Recognised entities per text and engine, so opening an article never recognises twice.
    db["entity_cache"].create(
        {"sha256": str, "engine": str, "spans": str, "created": str},
        pk=("sha256", "engine"),
        not_null={"spans"},
    )


@migrations()
def m004_packed_entity_cache(db: Database) -> None:
    # The cache keeps spans packed (`SpanTable.to_bytes`), not as JSON: a 1 MB document's
    # 25,000 spans decode in well under a millisecond instead of 50 ms. It is only a cache, so
    # the JSON rows are dropped rather than converted.
    db["entity_cache"].drop()
    db["entity_cache"].create(
        {"sha256": str, "engine": str, "spans": bytes, "created": str},
        pk=("sha256", "engine"),
        not_null={"spans"},
    )


@migrations()
def m005_entity_feedback(db: Database) -> None:
    # What the user said about entities: "accept" a surface as a label everywhere (confirming,
    # correcting or adding one), or "reject" a surface as a label everywhere.
    db["entity_feedback"].create(
        {"id": int, "surface": str, "label": str, "verdict": str, "annotator": str, "created": str},
        pk="id",
        not_null={"surface", "label", "verdict"},
    )
    db["entity_feedback"].create_index(["surface", "label", "verdict"], unique=True)


@migrations()
def m006_pending_annotations(db: Database) -> None:
    # Annotations imported for articles the database does not have (yet): kept whole, as the
    # JSON of their YAML record, so nothing an import was given is dropped.
    db["pending_annotations"].create(
        {
            "id": int, "article_uid": str, "article_sha256": str, "article_title": str, "annotation_id": str,
            "record": str, "source_file": str, "created": str,
        },
        pk="id",
        not_null={"article_uid", "annotation_id", "record"},
    )


@migrations()
def m007_orphans(db: Database) -> None:
    # Annotations whose article's text changed so much that they could not be re-attached:
    # kept whole (the JSON of their fields, tags included) until the user re-attaches or deletes them.
    db["orphans"].create(
        {"id": str, "article_id": int, "record": str, "orphaned": str},
        pk="id",
        not_null={"article_id", "record"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["orphans"].create_index(["article_id"])


@migrations()
def m008_annotator_index(db: Database) -> None:
    # The list filters by annotator and the views list who annotated.
    db["annotations"].create_index(["annotator"], index_name="idx_annotations_annotator")


@migrations()
def m009_entity_index(db: Database) -> None:
    # Every cached entity mention in SQL, for retrieval from an entity (reader/core/entities/index.py).
    # Texts cached before it are indexed by the background fill, so opening never waits for it.
    from reader.core.entities.index import create_tables

    create_tables(db)


@migrations()
def m010_codebook_from_config(db: Database) -> None:
    # Each tag's colour and description as config.yaml last gave them: the configuration is
    # applied again only where it changed since, so what the Tags screen changes is kept.
    db["codebook_from_config"].create({"name": str, "color": str, "description": str}, pk="name")


@migrations()
def m011_article_of_each_tagging(db: Database) -> None:
    # Which article each (annotation, tag) is in, kept by a trigger, so the codebook counts the
    # articles of a tag from one index instead of looking up every annotation.
    db.execute("ALTER TABLE annotation_tags ADD COLUMN article_id INTEGER")
    db.execute(
        "UPDATE annotation_tags SET article_id = (SELECT article_id FROM annotations WHERE id = annotation_id)"
    )
    db.execute(
        """CREATE TRIGGER annotation_tags_article AFTER INSERT ON annotation_tags
           BEGIN
               UPDATE annotation_tags SET article_id = (SELECT article_id FROM annotations WHERE id = NEW.annotation_id)
               WHERE rowid = NEW.rowid;
           END"""
    )
    db["annotation_tags"].create_index(["tag_id", "article_id"], index_name="idx_annotation_tags_tag_article")


@migrations()
def m012_insight_indexes(db: Database) -> None:
    # Charts and `reader stats` (reader/core/insight.py) count tags per source and month one row
    # key at a time: each article's taggings, and one annotator's passages of an article, by index.
    db["annotation_tags"].create_index(["article_id", "tag_id"], index_name="idx_annotation_tags_article_tag")
    db["annotations"].create_index(["annotator", "article_id", "id"], index_name="idx_annotations_annotator_article")


@migrations()
def m013_insight_summaries(db: Database) -> None:
    # Charts and `reader stats` (reader/core/insight.py) without a look-up per row. Each tagging
    # keeps its article's month (the first seven characters of `published` when it starts with a
    # year and month, else NULL: "undated") and source, kept by triggers as article_id is (m011),
    # and indexed so that tags are counted per month or source from one index. The entity index
    # keeps mentions and articles per entity and month (entity_months, kept by triggers: see
    # reader/core/entities/index.py). About 5 s at 270,000 taggings and 8 million mentions.
    from reader.core.entities.index import create_month_counts

    month = "CASE WHEN {0}.published GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]*' THEN substr({0}.published, 1, 7) END"
    db.execute("ALTER TABLE annotation_tags ADD COLUMN article_month TEXT")
    db.execute("ALTER TABLE annotation_tags ADD COLUMN article_source TEXT")
    db.execute(
        f"""UPDATE annotation_tags SET (article_month, article_source) =
                (SELECT {month.format("a")}, a.source FROM articles a WHERE a.id = annotation_tags.article_id)"""
    )
    db.execute("DROP TRIGGER annotation_tags_article")
    db.execute(
        f"""CREATE TRIGGER annotation_tags_article AFTER INSERT ON annotation_tags
            BEGIN
                UPDATE annotation_tags SET (article_id, article_month, article_source) =
                    (SELECT n.article_id, {month.format("a")}, a.source
                     FROM annotations n LEFT JOIN articles a ON a.id = n.article_id WHERE n.id = NEW.annotation_id)
                WHERE rowid = NEW.rowid;
            END"""
    )
    db.execute(
        f"""CREATE TRIGGER annotations_tagging_article AFTER UPDATE OF article_id ON annotations
            WHEN OLD.article_id IS NOT NEW.article_id
            BEGIN
                UPDATE annotation_tags SET article_id = NEW.article_id,
                    article_month = (SELECT {month.format("a")} FROM articles a WHERE a.id = NEW.article_id),
                    article_source = (SELECT a.source FROM articles a WHERE a.id = NEW.article_id)
                WHERE annotation_id = NEW.id;
            END"""
    )
    db.execute(
        f"""CREATE TRIGGER articles_tagging_month_source AFTER UPDATE OF published, source ON articles
            WHEN OLD.published IS NOT NEW.published OR OLD.source IS NOT NEW.source
            BEGIN
                UPDATE annotation_tags SET article_month = {month.format("NEW")}, article_source = NEW.source
                WHERE article_id = NEW.id;
            END"""
    )
    db.execute("CREATE INDEX idx_annotation_tags_month ON annotation_tags (article_month, tag_id, article_id)")
    db.execute("CREATE INDEX idx_annotation_tags_source ON annotation_tags (article_source, tag_id, article_id)")
    create_month_counts(db)


@migrations()
def m014_agreement_counts(db: Database) -> None:
    # Agreement's sums per article, kept, and a change number per article (kept by triggers)
    # that says which kept sums are out of date (reader/core/agreement_cache.py).
    from reader.core.agreement_cache import create_tables

    create_tables(db)


@migrations()
def m015_tag_keys(db: Database) -> None:
    # The key that applies each tag lives with the tag, so a rename carries it, a merge and its
    # undo put it back exactly, and every window and process sees the same keys. config.yaml
    # gives keys as it gives colours (codebook_from_config remembers what it last said).
    db.execute("ALTER TABLE tags ADD COLUMN key TEXT")
    db.execute("CREATE UNIQUE INDEX idx_tags_key ON tags (key) WHERE key IS NOT NULL")
    db.execute("ALTER TABLE codebook_from_config ADD COLUMN key TEXT")


@migrations()
def m016_article_arrival(db: Database) -> None:
    # How each article came into this database: "file" (`reader import` of a file here: a later
    # import of the same file updates it) or "exchange" (added from another database's export:
    # its path names a file on that machine, and no import here updates it). NULL: it came
    # before reader recorded this (Store._article_of_file then goes by the closest text).
    db.execute("ALTER TABLE articles ADD COLUMN arrival TEXT")


#: `articles.arrival` values (m016).
ARRIVED_FROM_FILE, ARRIVED_FROM_EXCHANGE = "file", "exchange"


def _shared_lines(text: str, other: str) -> int:
    """How many distinct non-blank lines of `text` are lines of `other` too: a cheap likeness."""
    lines = {line for line in text.split("\n") if line.strip()}
    return len(lines.intersection(other.split("\n")))


def _writable(path: Path) -> bool:
    """Whether this process may write the database file and create its journal beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _quoted(text: str, limit: int = 40) -> str:
    """`text` on one line in quotation marks, cut to about `limit` characters."""
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= limit else flat[: limit - 1] + '…'}”"


def now_utc() -> str:
    """The timestamp format of the database and the export: ISO 8601, UTC, whole seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One line of the article list: everything but the text."""

    id: int
    title: str
    source: str | None
    published: str | None
    annotation_count: int
    tags: tuple[str, ...]
    read: bool = False
    #: For a search: the best match in context, hits between U+0002 and U+0003.
    snippet: str | None = None


#: Marks around a search hit inside `ArticleRow.snippet`.
HIT_START, HIT_END = "\x02", "\x03"


@dataclass(frozen=True, slots=True)
class TagInfo:
    """A tag of the codebook with how much it is used."""

    name: str
    color: str | None
    description: str | None
    #: Passages (annotations) with this very tag.
    passages: int
    #: Articles with such a passage or tagged with it as a whole.
    articles: int
    #: The key that applies it (None: none).
    key: str | None = None

    @property
    def parent(self) -> str | None:
        """"framing" for "framing/cooperation"; None for a top-level tag."""
        return self.name.rpartition("/")[0] or None

    @property
    def depth(self) -> int:
        return self.name.count("/")


@dataclass(frozen=True, slots=True)
class PassageQuery:
    """Which tagged passages a retrieval lists: one tag (with the tags nested in it) and filters."""

    tag: str
    nested: bool = True
    source: str | None = None
    #: Articles published on or after / before this ISO date ("2025-01", "2025-03-31").
    since: str | None = None
    until: str | None = None
    annotator: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """One tagged passage with where it comes from: a row of a retrieval."""

    annotation: Annotation
    title: str
    published: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class FeedbackChange:
    """What one verdict on an entity changed: the verdicts it removed and added, each as
    (surface, label, verdict, annotator, created), kept so it can be undone exactly."""

    removed: tuple[tuple, ...]
    added: tuple[tuple, ...]


@dataclass(frozen=True, slots=True)
class TagMerge:
    """What merging tag `source` into `target` changed, kept so it can be undone exactly."""

    source: str
    target: str
    color: str | None
    description: str | None
    #: Annotations (and orphans) that had `source` and not `target` / that had both.
    moved: tuple[str, ...]
    shared: tuple[str, ...]
    #: Whole-article tags (article id, annotator, created) of `source`, likewise.
    articles_moved: tuple[tuple[int, str, str], ...]
    articles_shared: tuple[tuple[int, str, str], ...]
    #: The key `source` had (given back by the undo when no tag has taken it since).
    key: str | None = None


def tag_name_problem(name: str) -> str | None:
    """Why `name` cannot name a tag, or None when it can ("/" nests: "framing/cooperation")."""
    if not name.strip() or name != name.strip():
        return "a tag name is not empty and has no spaces at its ends"
    if not name.isprintable():
        return "a tag name holds no control characters"
    if name.startswith("/") or name.endswith("/") or "//" in name or any(part != part.strip() for part in name.split("/")):
        return "each part of a nested tag name (a/b) is a name of its own"
    return None


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """An article's identity and metadata, without its text."""

    id: int
    uid: str
    sha256: str
    title: str
    source: str | None
    url: str | None
    path: str | None
    locator: str | None
    published: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Article(ArticleInfo):
    text: str


@dataclass(frozen=True, slots=True)
class Annotation:
    id: str
    article_id: int
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    note: str | None
    annotator: str
    created: str
    updated: str
    tags: tuple[str, ...] = field(default=())


_ANNOTATION_COLUMNS = (
    "id", "article_id", "start", "end", "quote", "prefix", "suffix", "note", "annotator", "created", "updated",
)
_ANNOTATION_COLUMN_LIST = ", ".join(f'"{name}"' for name in _ANNOTATION_COLUMNS)

AddOutcome = Literal["imported", "unchanged", "duplicate", "updated"]


@dataclass(frozen=True, slots=True)
class AddResult:
    outcome: AddOutcome
    article_id: int
    detail: str = ""
    #: For an annotated article whose text changed: how its annotations were re-attached.
    reanchored: dict[str, int] = field(default_factory=dict)


class StoreError(RuntimeError):
    """A database problem worth one line to the user (the file is named)."""


class StoreWriteError(StoreError):
    """A change that could not be saved (read-only file, full disk, failing disk): nothing of it
    was written. `action` says what was not saved, `reason` why, in a few words each."""

    def __init__(self, path: Path | None, reason: str, action: str) -> None:
        where = str(path) if path is not None else "the database"
        super().__init__(f"{where}: {reason}; not saved: {action}")
        self.path = path
        self.reason = reason
        self.action = action


class StaleWriteError(StoreWriteError):
    """A change refused because what it was made against changed since the user saw it (another
    program re-imported the article, edited the passage, renamed the tag...): nothing of it was
    written, and the screen that made it should show the database as it is now."""


#: SQLite's words for a write that cannot happen, and ours for the user.
_WRITE_FAILURES = (
    ("readonly", "the database is read-only"),
    ("disk is full", "the disk is full"),
    ("disk i/o error", "the disk failed to write"),
    ("database is locked", "another program kept the database locked"),
    ("unable to open", "the database file cannot be written"),
)


def _write_failure(error: sqlite3.OperationalError) -> str | None:
    """Our one-phrase reason for `error` if it means the write cannot happen, else None."""
    message = str(error).lower()
    for words, reason in _WRITE_FAILURES:
        if words in message:
            return reason
    return None


def database_error_reason(error: sqlite3.Error) -> str:
    """What is wrong, in a few words, when SQLite fails on the database: a damaged file, a file
    that is not a database, a failing disk, a write refused; else SQLite's own words."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF  # the primary code of an extended one
    if code == sqlite3.SQLITE_CORRUPT:
        return f"the database is damaged ({error}); put a backup back, or recover what can be read with sqlite3's .recover"
    if code == sqlite3.SQLITE_NOTADB:
        return f"not an SQLite database, or damaged beyond reading ({error})"
    if code == sqlite3.SQLITE_IOERR:
        return f"the disk failed to read or write the database ({error})"
    if isinstance(error, sqlite3.OperationalError):
        reason = _write_failure(error)
        if reason is not None:
            return reason
    return f"database error ({error})"


#: `PRAGMA application_id` of a database reader made (the bytes "read"); older ones have 0 and
#: are known by their migrations.
READER_APPLICATION_ID = int.from_bytes(b"read", "big")
_SQLITE_HEADER = b"SQLite format 3\x00"
#: How long opening waits, in all, for other processes creating or upgrading the same database.
OPEN_PATIENCE_SECONDS = 60.0
_NOT_OURS = "reader writes nothing into it: set `database` in config.yaml to another file"


def identity_problem(application_id: int, tables: Iterable[str], applied: Iterable[str]) -> str | None:
    """Why a database with this application id, these tables and these applied reader migrations
    is not one this reader may write, or None: it is reader's (stamped with its application id,
    or listing reader's migrations) and no newer than this reader, or it holds nothing yet."""
    if application_id not in (0, READER_APPLICATION_ID):
        return f"another program's SQLite database (application id {application_id:#x}), not reader's; {_NOT_OURS}"
    applied = list(applied)
    known = {migration.name for migration in migrations._migrations}
    newer = [name for name in applied if name not in known]
    if newer:
        return (f"made by a newer reader (its schema has {', '.join(newer[:3])}{', ...' if len(newer) > 3 else ''}, "
                "which this reader does not know); upgrade reader to open it")
    if application_id == READER_APPLICATION_ID or applied:
        return None
    others = sorted(name for name in tables if not name.startswith("sqlite_") and name != Migrations.migrations_table)
    if not others:
        return None  # an empty database: reader may make it its own
    shown = ", ".join(others[:4]) + (f" and {len(others) - 4} more" if len(others) > 4 else "")
    return f"not a reader database (it holds tables reader did not make: {shown}); {_NOT_OURS}"


def _identity(conn: sqlite3.Connection) -> tuple[int, list[str], list[str]]:
    """The application id, the tables and the applied reader migrations of a database."""
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    applied: list[str] = []
    if Migrations.migrations_table in tables:
        try:
            applied = [row[0] for row in conn.execute(
                f"SELECT name FROM [{Migrations.migrations_table}] WHERE migration_set = ? ORDER BY rowid",
                [migrations.name],
            )]
        except sqlite3.OperationalError:  # a table of that name, but not sqlite-utils' own
            applied = []
    return application_id, tables, applied


def database_file_problem(path: Path) -> str | None:
    """Why reader must not open the file at `path` as its database, or None when it may: there
    is no file, or an empty one, or a database `identity_problem` accepts.

    It only reads: the file is opened read-only, and, for a database in WAL mode that nobody
    has open (no -wal file beside it), as immutable, so that not even a -wal or -shm file appears.
    """
    try:
        with open(path, "rb") as file:
            header = file.read(100)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "a folder, not a database file"
    except OSError as error:
        return f"cannot read it ({error.strerror or error})"
    if not header:
        return None
    if len(header) < 100 or not header.startswith(_SQLITE_HEADER):
        return "not an SQLite database (another kind of file, or its first page is damaged); reader writes nothing into it"
    in_wal_mode = header[18] == 2  # the file format's read version: 2 is WAL
    quiet = in_wal_mode and not Path(f"{path}-wal").exists()
    uri = f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if quiet else ''}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5.0)
    except sqlite3.Error as error:
        return database_error_reason(error)
    try:
        return identity_problem(*_identity(conn))
    except sqlite3.DatabaseError as error:
        return database_error_reason(error)
    finally:
        conn.close()


def _busy(error: sqlite3.Error) -> bool:
    """Whether `error` only says another connection holds the lock (worth waiting for)."""
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


SortKey = Literal["published", "title", "source", "annotations"]
SORT_KEYS: tuple[SortKey, ...] = ("published", "title", "source", "annotations")
_ORDER_BY: dict[str, str] = {
    "published": "a.published DESC, a.id DESC",
    "title": "a.title COLLATE NOCASE, a.id",
    "source": "a.source COLLATE NOCASE, a.published DESC, a.id",
    "annotations": "annotation_count DESC, a.published DESC, a.id DESC",
}
ReadFilter = Literal["all", "unread", "read"]
#: The index that gives each sort order, for walking it when a search or tag narrows the list.
_SORT_INDEX = {"published": "idx_articles_published", "title": "idx_articles_title_nocase"}
#: How much of a text the list looks through for a search hit before asking the index.
_SNIPPET_HEAD = 4000


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Which articles the list shows, and in what order."""

    sort: SortKey = "published"
    tag: str | None = None
    source: str | None = None
    read: ReadFilter = "all"
    search: str | None = None
    #: Only articles this person annotated, with only their annotations counted.
    annotator: str | None = None

    def describe(self) -> str:
        """A short human description of the filters in force ("" when none)."""
        parts = []
        if self.annotator:
            parts.append(f"annotator {self.annotator}")
        if self.search:
            parts.append(f"search “{self.search}”")
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.source:
            parts.append(f"source {self.source}")
        if self.read != "all":
            parts.append(self.read)
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which annotations an export holds (all by default)."""

    #: Annotations with this tag (and articles tagged with it as a whole).
    tag: str | None = None
    source: str | None = None
    #: Annotations created or changed on or after this ISO date or time ("2025-09-01").
    since: str | None = None
    #: One article: its id, its uid, or the start of its uid.
    article: str | None = None
    annotator: str | None = None
    #: The articles the list shows (its search, tag, source and read filters).
    listed: ListQuery | None = None


class Store:
    """annotations.db: open it once, read and write through its methods, close it."""

    def __init__(self, db: Database, path: Path | None, read_only: bool = False):
        self.db = db
        self.path = path
        #: Opened read-only (the file or its folder is not writable): every write refuses.
        self.read_only = read_only
        #: What `temp.searched` holds: (FTS query, total_changes, data_version) when filled.
        self._search_key: tuple[str, int, int] | None = None
        #: The last passage count, with the query and database state it is for.
        self._passage_count_key: tuple[tuple, int] | None = None

    @classmethod
    def open(cls, path: Path | str, read_only: bool | None = None) -> Store:
        """Open (creating if needed) the database at `path` and bring its schema up to date.

        With `read_only` None, a database this process cannot write (the file, or the folder
        SQLite keeps its journal in, is not writable) is opened read-only: reading works and
        every write raises StoreWriteError.
        """
        path = Path(path)
        problem = database_file_problem(path)  # a foreign, newer or damaged file: refused unwritten
        if problem:
            raise StoreError(f"{path}: {problem}")
        if read_only is None:
            read_only = path.exists() and not _writable(path)
        try:
            if read_only:
                return cls._open_read_only(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=5.0, check_same_thread=False)
            store = cls(Database(conn), path)
            try:
                store._prepare(wal=True)
            except sqlite3.OperationalError as error:
                store.close()
                if _write_failure(error) != "the database is read-only":
                    raise
                return cls._open_read_only(path)
            except BaseException:  # refused (a newer reader got there first) or failed: no connection left open
                store.close()
                raise
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: cannot open the database: {database_error_reason(error)}") from None
        except OSError as error:
            raise StoreError(f"{path}: cannot open the database ({error.strerror or error})") from None
        return store

    @classmethod
    def _open_read_only(cls, path: Path) -> Store:
        if not path.exists():
            raise StoreError(f"{path}: no such database")
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0, check_same_thread=False)
        store = cls(Database(conn), path, read_only=True)
        store.db.execute("PRAGMA busy_timeout = 5000")
        if migrations.pending(store.db):
            store.close()
            raise StoreError(
                f"{path}: read-only, and made by an older reader: its schema needs an upgrade that cannot be written"
            )
        return store

    @classmethod
    def memory(cls) -> Store:
        store = cls(Database(memory=True), None)
        store._prepare(wal=False)
        return store

    def _prepare(self, wal: bool) -> None:
        """Make the connection ready: WAL, and the schema brought up to date. Safe when other
        processes open the same (even brand-new) database at once: each step that writes waits
        for the others (see `_patiently`)."""
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 5000")
        if wal:
            self._patiently(self.db.enable_wal)
        self._patiently(self._migrate)

    def _patiently(self, step) -> None:
        """Run `step`, again while another process holds the lock it needs (creating or
        upgrading the database), for up to OPEN_PATIENCE_SECONDS in all."""
        deadline = time.monotonic() + OPEN_PATIENCE_SECONDS
        while True:
            try:
                return step()
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.01, 0.1))

    def _migrate(self) -> None:
        """Apply the migrations this database lacks, all in one transaction taken at once
        (BEGIN IMMEDIATE): two processes opening a new database never both create a table,
        and a process that waited sees the other's schema. Stamps reader's application id.
        Refuses (StoreError) a database that another process has meanwhile made newer."""
        application_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        if application_id == READER_APPLICATION_ID and not migrations.pending(self.db):
            return  # the usual open: nothing to write
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            problem = identity_problem(*_identity(conn))  # as it is now that no one else can write
            if problem:
                raise StoreError(f"{self.path or 'the database'}: {problem}")
            migrations.apply(self.db)  # each migration in a savepoint of this transaction
            conn.execute(f"PRAGMA application_id = {READER_APPLICATION_ID}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def data_version(self) -> int:
        """A number that changes when another connection commits (PRAGMA data_version)."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def list_signature(self) -> tuple:
        """Numbers that change when articles are added or removed, or annotations, tags or read
        state change in number: what the list shows, read from indexes only (a few ms)."""
        return self.db.execute(
            """SELECT (SELECT max(rowid) FROM articles), (SELECT count(*) FROM articles),
                      (SELECT count(*) FROM annotations), (SELECT count(*) FROM article_tags),
                      (SELECT count(*) FROM annotation_tags),
                      (SELECT count(*) FROM reading WHERE read_at IS NOT NULL)"""
        ).fetchone()

    def backup(self, target: Path) -> None:
        """A consistent copy of the whole database at `target`, taken with SQLite's backup API
        (other connections may go on writing meanwhile); written next to it first and renamed,
        so `target` is never half a database. Refuses to write over the database itself."""
        target = Path(target)
        if self.path is not None and target.resolve() == Path(self.path).resolve():
            raise ValueError(f"{target} is the database itself")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(str(partial))
        try:
            self.db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            # the backup API copies pages as they are: a damaged database would give a damaged
            # copy, in place of whatever good backup `target` holds
            damage = " ".join(copy.execute("PRAGMA quick_check(1)").fetchone()[0].replace("*** in database main ***", "").split())
        finally:
            copy.close()
        if damage != "ok":
            partial.unlink(missing_ok=True)
            raise StoreError(f"{self.path or 'the database'}: the database is damaged ({damage}); "
                             f"no backup was written to {target}")
        partial.replace(target)

    @contextmanager
    def writing(self, action: str | Callable[[], str] = "the last change") -> Iterator[Database]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so it never fails half-way
        on a lock; nested use joins the outer transaction.

        A write the database refuses (read-only, disk full, I/O error) rolls back whole and
        raises StoreWriteError naming `action`, what was not saved (a callable is asked for
        those words only then).
        """
        conn = self.db.conn
        if self.read_only:
            raise StoreWriteError(self.path, "the database is read-only", _said(action))
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                self._search_key = None  # a search set filled in the transaction is gone with it
                raise
            else:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if conn.in_transaction:  # a failed COMMIT leaves the transaction open
                conn.execute("ROLLBACK")
                self._search_key = None
            reason = _write_failure(error)
            if reason is None:
                raise
            raise StoreWriteError(self.path, reason, _said(action)) from error

    # ---- tags -------------------------------------------------------------------------

    def sync_tags(self, specs: Iterable[TagSpec], force: bool = False) -> None:
        """Bring in config.yaml's tags: a tag new to the configuration is created, and a colour,
        description or key is applied where config.yaml changed it since it was last read (so
        what the Tags screen changed stays); with `force`, every configured value is applied. A
        key config.yaml gives one tag is taken from any other that had it. A tag renamed or
        merged away in the database is not created again. Writes only what differs, so a
        read-only command leaves the file alone."""
        specs = list(specs)
        changes, records, _stored = self._tag_sync_plan(specs, force)
        if not (changes or records) or self.read_only:  # a read-only database shows the tags it has
            return
        with self.writing("the tags of config.yaml"):
            # Planned again inside the transaction: another process may have synced meanwhile.
            changes, records, stored = self._tag_sync_plan(specs, force)
            for spec in changes:
                values = {"color": spec.color, "description": spec.description, "key": spec.key or None}
                tag_id = stored[spec.name][0] if spec.name in stored else None
                if spec.key:  # config.yaml's key wins over a tag that had it
                    self.db.execute("UPDATE tags SET key = NULL WHERE key = ? AND id IS NOT ?", [spec.key, tag_id])
                if tag_id is None:
                    self.db["tags"].insert({"name": spec.name, **values})
                else:
                    self.db["tags"].update(tag_id, values)
            self.db["codebook_from_config"].upsert_all(
                ({"name": spec.name, "color": spec.color, "description": spec.description, "key": spec.key or None}
                 for spec in records),
                pk="name",
            )

    def _tag_sync_plan(self, specs: list[TagSpec], force: bool) -> tuple[list[TagSpec], list[TagSpec], dict]:
        """What `sync_tags` writes: the tags to create or update, the config values to record,
        and the stored tags (name -> id, colour, description, key)."""
        stored = {row[0]: row[1:] for row in self.db.execute("SELECT name, id, color, description, key FROM tags")}
        read = {row[0]: row[1:] for row in self.db.execute("SELECT name, color, description, key FROM codebook_from_config")}
        changes, records = [], []
        for spec in specs:
            values = (spec.color, spec.description, spec.key or None)
            if read.get(spec.name) != values:
                records.append(spec)
            if spec.name in stored:
                if stored[spec.name][1:] != values and (force or read.get(spec.name) != values):
                    changes.append(spec)
            elif spec.name not in read or force:
                changes.append(spec)
        return changes, records, stored

    def codebook(self) -> Codebook:
        """Every tag's look (colour, description, key) as the database holds it now."""
        return Codebook({
            name: TagLook(color, description, key)
            for name, color, description, key in self.db.execute("SELECT name, color, description, key FROM tags ORDER BY name")
        })

    def tag_summary(self) -> list[TagInfo]:
        """Every tag, by name, with its passage and article counts (from two indexes)."""
        passages = dict(self.db.execute("SELECT tag_id, count(*) FROM annotation_tags GROUP BY tag_id").fetchall())
        # Articles with the tag on a passage (one index, in order), then those with it only on
        # the whole article: the union of the two without sorting every pair of them.
        articles = dict(self.db.execute(
            "SELECT tag_id, count(DISTINCT article_id) FROM annotation_tags GROUP BY tag_id"
        ).fetchall())
        for tag_id, count in self.db.execute(
            """SELECT t.tag_id, count(DISTINCT t.article_id) FROM article_tags t
               WHERE NOT EXISTS (SELECT 1 FROM annotation_tags x WHERE x.tag_id = t.tag_id AND x.article_id = t.article_id)
               GROUP BY t.tag_id"""
        ):
            articles[tag_id] = articles.get(tag_id, 0) + count
        rows = self.db.execute("SELECT id, name, color, description, key FROM tags ORDER BY name").fetchall()
        return [TagInfo(name, color, description, passages.get(tag_id, 0), articles.get(tag_id, 0), key)
                for tag_id, name, color, description, key in rows]

    def _existing_tag(self, name: str, action: str) -> tuple[int, str | None, str | None, str | None]:
        """(id, colour, description, key) of the tag called `name`; a StaleWriteError naming
        `action` when there is none (renamed or merged away, by this window or another)."""
        row = self.db.execute("SELECT id, color, description, key FROM tags WHERE name = ?", [name]).fetchone()
        if row is None:
            raise StaleWriteError(self.path, f"there is no tag {name} any more (renamed or merged meanwhile)", action)
        return row

    def _touch_tagged(self, tag_id: int) -> None:
        """Mark the annotations with this tag as changed now (an export --since holds them)."""
        self.db.execute(
            "UPDATE annotations SET updated = ? WHERE id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id = ?)",
            [now_utc(), tag_id],
        )

    def rename_tag(self, old: str, new: str) -> list[tuple[str, str]]:
        """Rename tag `old` and the tags nested in it ("old/x" becomes "new/x"); every annotation
        keeps its tags under the new names, each tag its key and look. Returns the (old, new)
        names changed, for undo."""
        problem = tag_name_problem(new)
        if problem:
            raise ValueError(f"{new!r}: {problem}")
        action = f"renaming tag {old} to {new}"
        if new == old:
            return []
        if new.startswith(old + "/"):
            raise ValueError(f"{new} would be nested in itself")
        with self.writing(action):
            self._existing_tag(old, action)
            names = [old] + [row[0] for row in self.db.execute(
                "SELECT name FROM tags WHERE substr(name, 1, ?) = ? ORDER BY name", [len(old) + 1, old + "/"]
            )]
            renames = [(name, new + name[len(old):]) for name in names]
            taken = [after for _before, after in renames if self._tag_id(after) is not None]
            if taken:
                raise ValueError(f"a tag called {taken[0]} exists already: merge {old} into it instead")
            for before, after in renames:
                tag_id = self._tag_id(before)
                self.db.execute("UPDATE tags SET name = ? WHERE id = ?", [after, tag_id])
                self._touch_tagged(tag_id)
            names = dict(renames)
            self._retag_orphans(lambda _id, tags: tuple(sorted(names.get(tag, tag) for tag in tags)))
        return renames

    def _retag_orphans(self, retag: Callable[[str, tuple[str, ...]], tuple[str, ...]]) -> list[str]:
        """Give each orphan the tags `retag(id, tags)` says (orphans keep tags by name, so a
        rename or merge of the codebook reaches them here); the ids of those changed."""
        changed = []
        for orphan_id, record, orphaned in self.db.execute("SELECT id, record, orphaned FROM orphans").fetchall():
            orphan = _orphan_from(record)
            tags = retag(orphan_id, orphan.tags)
            if tags != orphan.tags:
                self._insert_orphan(replace(orphan, tags=tags), orphaned)
                changed.append(orphan_id)
        return changed

    def merge_tags(self, source: str, target: str) -> TagMerge:
        """Move every passage and article tagged `source` to `target` and delete `source`
        (its nested tags stay as they are; `target` keeps its own key). Returns what changed,
        for `unmerge_tags`."""
        if source == target:
            raise ValueError(f"{source} cannot be merged into itself")
        action = f"merging tag {source} into {target}"
        with self.writing(action):
            source_id, color, description, key = self._existing_tag(source, action)
            target_id = self._existing_tag(target, action)[0]

            def annotation_ids(where: str) -> tuple[str, ...]:
                return tuple(row[0] for row in self.db.execute(
                    f"SELECT annotation_id FROM annotation_tags s WHERE s.tag_id = ? AND {where} ORDER BY annotation_id",
                    [source_id, target_id],
                ))

            def article_rows(where: str) -> tuple[tuple[int, str, str], ...]:
                return tuple(tuple(row) for row in self.db.execute(
                    f"SELECT article_id, annotator, created FROM article_tags s WHERE s.tag_id = ? AND {where} ORDER BY article_id",
                    [source_id, target_id],
                ))

            has_target = "EXISTS (SELECT 1 FROM annotation_tags t WHERE t.annotation_id = s.annotation_id AND t.tag_id = ?)"
            article_has_target = "EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = s.article_id AND t.tag_id = ?)"
            orphans = {orphan.id: orphan.tags for orphan in self.orphans() if source in orphan.tags}
            merge = TagMerge(
                source, target, color, description,
                moved=annotation_ids("NOT " + has_target) + tuple(i for i, tags in orphans.items() if target not in tags),
                shared=annotation_ids(has_target) + tuple(i for i, tags in orphans.items() if target in tags),
                articles_moved=article_rows("NOT " + article_has_target), articles_shared=article_rows(article_has_target),
                key=key,
            )
            self._retag_orphans(lambda _id, tags: tuple(sorted({target if tag == source else tag for tag in tags})))
            self._touch_tagged(source_id)
            self.db.execute(
                "UPDATE OR IGNORE annotation_tags SET tag_id = ? WHERE tag_id = ?", [target_id, source_id]
            )
            self.db.execute("DELETE FROM annotation_tags WHERE tag_id = ?", [source_id])
            self.db.execute("UPDATE OR IGNORE article_tags SET tag_id = ? WHERE tag_id = ?", [target_id, source_id])
            self.db.execute("DELETE FROM article_tags WHERE tag_id = ?", [source_id])
            self.db.execute("DELETE FROM tags WHERE id = ?", [source_id])
        return merge

    def unmerge_tags(self, merge: TagMerge) -> None:
        """Undo `merge_tags`: `source` back with its colour, description and key, on exactly the
        passages and articles it was on."""
        action = f"undoing the merge of {merge.source} into {merge.target}"
        with self.writing(action):
            if self._tag_id(merge.source) is not None:
                raise StaleWriteError(self.path, f"a tag called {merge.source} exists again", action)
            target_id = self._existing_tag(merge.target, action)[0]
            key_free = merge.key is not None and self.db.execute(
                "SELECT 1 FROM tags WHERE key = ?", [merge.key]
            ).fetchone() is None
            source_id = self.db["tags"].insert(
                {"name": merge.source, "color": merge.color, "description": merge.description,
                 "key": merge.key if key_free else None}
            ).last_pk
            present = {row[0] for row in self.db.execute(
                "SELECT id FROM annotations WHERE id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id = ?)",
                [target_id],
            )}
            moved, shared = set(merge.moved), set(merge.shared)

            def unmerged(orphan_id: str, tags: tuple[str, ...]) -> tuple[str, ...]:
                if orphan_id in moved and merge.target in tags:
                    return tuple(sorted({merge.source if tag == merge.target else tag for tag in tags}))
                if orphan_id in shared and merge.target in tags:
                    return tuple(sorted({*tags, merge.source}))
                return tags

            self._retag_orphans(unmerged)
            self.db.conn.executemany(
                "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                [(annotation_id, source_id) for annotation_id in merge.moved + merge.shared if annotation_id in present],
            )
            self.db.conn.executemany(
                "DELETE FROM annotation_tags WHERE annotation_id = ? AND tag_id = ?",
                [(annotation_id, target_id) for annotation_id in merge.moved],
            )
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag_id, annotator, created) VALUES (?, ?, ?, ?)",
                [(article_id, source_id, annotator, created)
                 for article_id, annotator, created in merge.articles_moved + merge.articles_shared],
            )
            self.db.conn.executemany(
                "DELETE FROM article_tags WHERE article_id = ? AND tag_id = ?",
                [(article_id, target_id) for article_id, _annotator, _created in merge.articles_moved],
            )
            self._touch_tagged(source_id)

    def set_tag_look(
        self, name: str, *, color: str | None = ..., description: str | None = ..., key: str | None = ...,
        seen: TagLook | None = None,
    ) -> TagLook:
        """Change a tag's colour, description and/or key (None clears one); returns its look as
        it was. With `seen`, refused (StaleWriteError) unless the tag still looks that way."""
        values: dict[str, object] = {}
        if color is not ...:
            values["color"] = color
        if description is not ...:
            values["description"] = description
        if key is not ...:
            values["key"] = key or None
            problem = tag_key_problem(key) if key else None
            if problem:
                raise ValueError(problem)
        action = f"the {' and '.join(values) or 'look'} of tag {name}"
        with self.writing(action):
            tag_id, old_color, old_description, old_key = self._existing_tag(name, action)
            before = TagLook(old_color, old_description, old_key)
            if seen is not None and seen != before:
                raise StaleWriteError(self.path, f"tag {name} was changed meanwhile", action)
            if values.get("key"):
                holder = self.db.execute("SELECT name FROM tags WHERE key = ? AND id != ?", [values["key"], tag_id]).fetchone()
                if holder is not None:
                    raise ValueError(f"{values['key']} is the key of {holder[0]}")
            if values:
                self.db["tags"].update(tag_id, values)
        return before

    def _tag_id(self, name: str) -> int | None:
        found = self.db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()
        return found[0] if found else None

    def ensure_tag(self, name: str) -> int:
        """The id of the tag called `name`, creating it if it is new."""
        existing = self._tag_id(name)
        if existing is not None:
            return existing
        problem = tag_name_problem(name)
        if problem:  # the same rule as the Tags screen and imported files: what is stored exports and imports back
            raise ValueError(f"not a tag name: {name!r} ({problem})")
        return self.db["tags"].insert({"name": name, "color": None, "description": None}).last_pk

    def drop_unused_tags(self, names: Iterable[str]) -> None:
        """Delete the tags called `names` that nothing uses and nobody gave a look or key: what an
        undo does with the tags its change created on the fly."""
        names = list(names)
        if not names:
            return
        used_by_orphans = {tag for orphan in self.orphans() for tag in orphan.tags}
        with self.writing("taking back the new tags"):
            for name in names:
                if name in used_by_orphans:
                    continue
                self.db.execute(
                    """DELETE FROM tags WHERE name = ? AND color IS NULL AND description IS NULL AND key IS NULL
                       AND NOT EXISTS (SELECT 1 FROM annotation_tags WHERE tag_id = tags.id)
                       AND NOT EXISTS (SELECT 1 FROM article_tags WHERE tag_id = tags.id)""",
                    [name],
                )

    def tag_names(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT name FROM tags ORDER BY name")]

    # ---- articles ---------------------------------------------------------------------

    def add_document(self, doc: Document) -> AddResult:
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
            own = self._article_of_file(doc)
            if own is not None and own != article_id:
                return AddResult(
                    "duplicate", article_id,
                    "same text as an article added from another database's export; "
                    f"the article imported from this file (id {own}) keeps its earlier text",
                )
            if arrival == ARRIVED_FROM_EXCHANGE:  # a colleague's copy of this very file: now ours too
                with self.writing(f"importing {doc.path}"):
                    self.db.execute("UPDATE articles SET arrival = ? WHERE id = ?", [ARRIVED_FROM_FILE, article_id])
            return AddResult("unchanged", article_id)
        previous = self._article_of_file(doc)
        with self.writing(f"importing {doc.path}"):
            if previous is not None:
                return self._replace_text(previous, doc, digest)
            article_id = self.db["articles"].insert(
                {
                    "uid": self._free_uid(digest, doc),
                    "sha256": digest,
                    "title": doc.title,
                    "source": doc.source,
                    "url": doc.url,
                    "path": doc.path,
                    "locator": doc.locator,
                    "published": doc.published,
                    "chars": len(doc.text),
                    "imported": now_utc(),
                    "text": doc.text,
                    "arrival": ARRIVED_FROM_FILE,
                }
            ).last_pk
        return AddResult("imported", article_id)

    def _article_of_file(self, doc: Document) -> int | None:
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
        texts = self.article_texts(unknown)
        return max(unknown, key=lambda article_id: (_shared_lines(doc.text, texts[article_id]), article_id))

    def find_article(self, key: str) -> int:
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

    def import_article(
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
    ) -> int:
        """Add an article exactly as another database exported it (same uid); returns its id.
        No `reader import` here updates it (see `add_document`)."""
        with self.writing("adding an article"):
            return self.db["articles"].insert(
                {
                    "uid": uid, "sha256": sha256, "title": title, "source": source, "url": url, "path": path,
                    "locator": locator, "published": published, "chars": len(text), "imported": now_utc(),
                    "text": text, "arrival": ARRIVED_FROM_EXCHANGE,
                }
            ).last_pk

    def _free_uid(self, digest: str, doc: Document) -> str:
        """The text's sha256, unless an article whose text has since changed already holds it;
        then a hash of the text and where it came from."""
        if self.db.execute("SELECT 1 FROM articles WHERE uid = ?", [digest]).fetchone() is None:
            return digest
        return sha256_text(f"{digest}\n{doc.path}\n{doc.locator}")

    def _replace_text(self, article_id: int, doc: Document, digest: str) -> AddResult:
        """The file of an article changed: store the new text and move its annotations onto it
        (see `anchoring.reanchor`); those that cannot be placed become orphans, kept whole."""
        old_text = self._article_text(article_id)
        annotations = self.annotations_for(article_id)
        counts: dict[str, int] = {}
        if annotations:
            placed = reanchor_all(
                doc.text, [Selector(a.start, a.end, a.quote, a.prefix, a.suffix) for a in annotations], len(old_text)
            )
            for annotation, anchored in zip(annotations, placed):
                counts[anchored.status] = counts.get(anchored.status, 0) + 1
                if anchored.status == "orphan":
                    self.keep_orphan(annotation)
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
        self.db["articles"].update(
            article_id,
            {
                "sha256": digest,
                "title": doc.title,
                "source": doc.source,
                "url": doc.url,
                "published": doc.published,
                "chars": len(doc.text),
                "imported": now_utc(),
                "text": doc.text,
            },
        )
        return AddResult("updated", article_id, reanchored=counts)

    # ---- orphans ------------------------------------------------------------------------

    def keep_orphan(self, annotation: Annotation) -> None:
        """Keep `annotation` whole as an orphan (taking it out of the annotations if it is there)."""
        with self.writing(f"keeping the orphan {_quoted(annotation.quote)}"):
            self._insert_orphan(annotation, now_utc())
            self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [annotation.id])
            self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation.id])

    def _insert_orphan(self, annotation: Annotation, orphaned: str) -> None:
        record = {name: getattr(annotation, name) for name in _ANNOTATION_COLUMNS}
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
        return [_orphan_from(record) for (record,) in rows]

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
        with self.writing(action):
            row = self.db.execute("SELECT record, orphaned FROM orphans WHERE id = ?", [orphan_id]).fetchone()
            if row is None:
                raise StaleWriteError(self.path, "the orphan is not there any more (put back or deleted meanwhile)", action)
            orphan = _orphan_from(row[0])
            if self.db.execute("SELECT 1 FROM annotations WHERE id = ?", [orphan_id]).fetchone():
                raise ValueError("an annotation with this id is in place already (merged from a file?)")
            text, sha256 = self._article_text_and_hash(orphan.article_id, action)
            if seen_sha256 is not None and sha256 != seen_sha256:
                raise StaleWriteError(self.path, _TEXT_CHANGED, action)
            if not 0 <= start < end <= len(text):
                raise ValueError(f"span [{start}, {end}) is outside the article (length {len(text)})")
            quote, prefix, suffix = selector_for(text, start, end)
            placed = replace(orphan, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix)
            self.insert_annotation(placed)
            self.db.execute("DELETE FROM orphans WHERE id = ?", [orphan_id])
        return orphan, row[1], placed

    def delete_orphan(self, orphan_id: str) -> None:
        with self.writing("deleting the orphan"):
            self.db.execute("DELETE FROM orphans WHERE id = ?", [orphan_id])

    def article_count(self, query: ListQuery | None = None) -> int:
        """How many articles `query` selects (all of them by default)."""
        query = query or ListQuery()
        with_clause, where, params, sets = self._selection(query)
        if len(sets) == 1 and where == f"WHERE a.id IN (SELECT id FROM {sets[0]})":
            # Nothing but one set of ids: count the set, without visiting every article row.
            return self.db.execute(f"{with_clause} SELECT count(*) FROM {sets[0]}", params).fetchone()[0]
        return self.db.execute(f"{with_clause} SELECT count(*) FROM articles a {where}", params).fetchone()[0]

    def _selection(self, query: ListQuery) -> tuple[str, str, list[object], list[str]]:
        """SQL pieces selecting the articles of `query`: a WITH clause, a WHERE clause, their
        parameters, and the names of the id sets (search, tag) that narrow the list.

        Search and tag matches are gathered once into a set of ids, so SQLite can walk the
        list's sort index and stop after a page instead of sorting every match. A search's set
        is kept (`_searched`) for the count and every page after the first.
        """
        sets: list[str] = []
        names: list[str] = []
        params: list[object] = []
        clauses: list[str] = []
        match = fts_query(query.search) if query.search else None
        if query.search and match is None:
            clauses.append("0")  # a search with no words matches nothing
        elif match is not None:
            names.append(self._searched(match))
            clauses.append(f"a.id IN (SELECT id FROM {names[-1]})")
        if query.tag:
            sets.append(
                """tagged(id) AS MATERIALIZED (
                    SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE t.name = ?
                    UNION SELECT n.article_id FROM annotations n JOIN annotation_tags nt ON nt.annotation_id = n.id
                          JOIN tags t ON t.id = nt.tag_id WHERE t.name = ?)"""
            )
            params += [query.tag, query.tag]
            names.append("tagged")
            clauses.append("a.id IN (SELECT id FROM tagged)")
        if query.source:
            clauses.append("a.source = ?")
            params.append(query.source)
        if query.annotator:
            clauses.append("a.id IN (SELECT article_id FROM annotations WHERE annotator = ?)")
            params.append(query.annotator)
        if query.read == "read":
            clauses.append("a.id IN (SELECT article_id FROM reading WHERE read_at IS NOT NULL)")
        elif query.read == "unread":
            clauses.append("a.id NOT IN (SELECT article_id FROM reading WHERE read_at IS NOT NULL)")
        with_clause = "WITH " + ", ".join(sets) if sets else ""
        where = "WHERE " + " AND ".join(clauses) if clauses else ""
        return with_clause, where, params, names

    def _searched(self, match: str) -> str:
        """The temporary table holding the ids of the articles whose text, title or notes
        match the FTS5 query `match`, filled now unless it already holds them: the set is
        kept until this connection writes anything or another one commits."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._search_key == (match, self.db.conn.total_changes, version):
            return "temp.searched"
        with self.db.atomic():
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS searched (id INTEGER PRIMARY KEY)")
            self.db.execute("DELETE FROM temp.searched")
            self.db.execute(
                """INSERT OR IGNORE INTO temp.searched (id)
                   SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?
                   UNION SELECT n.article_id FROM annotations n
                         JOIN annotations_fts f ON f.rowid = n.rowid WHERE annotations_fts MATCH ?""",
                [match, match],
            )
        self._search_key = (match, self.db.conn.total_changes, version)
        return "temp.searched"

    def list_articles(self, offset: int, limit: int, query: ListQuery | None = None) -> list[ArticleRow]:
        """A window of the article list, in list order, without texts."""
        query = query or ListQuery()
        with_clause, where, params, sets = self._selection(query)
        index = _SORT_INDEX.get(query.sort) if sets and not query.source else None
        rows = self.db.execute(
            f"""
            {with_clause}
            SELECT a.id, a.title, a.source, a.published,
                   (SELECT count(*) FROM annotations n WHERE n.article_id = a.id) AS annotation_count,
                   (SELECT read_at IS NOT NULL FROM reading r WHERE r.article_id = a.id) AS read
            FROM articles a {f"INDEXED BY {index}" if index else ""} {where}
            ORDER BY {_ORDER_BY[query.sort]}
            LIMIT ? OFFSET ?
            """,
            [*params, limit, offset],
        ).fetchall()
        ids = [row[0] for row in rows]
        tags = self._article_tag_map(ids)
        if query.annotator and ids:
            # the count column counts only that annotator's annotations
            marks = ",".join("?" * len(ids))
            mine = dict(self.db.execute(
                f"SELECT article_id, count(*) FROM annotations WHERE annotator = ? AND article_id IN ({marks}) GROUP BY article_id",
                [query.annotator, *ids],
            ).fetchall())
            rows = [(*row[:4], mine.get(row[0], 0), *row[5:]) for row in rows]
        snippets = self._snippets(ids, query.search) if query.search and ids else {}
        return [
            ArticleRow(r[0], r[1], r[2], r[3], r[4], tags.get(r[0], ()), bool(r[5]), snippets.get(r[0]))
            for r in rows
        ]

    def _snippets(self, article_ids: Sequence[int], search: str) -> dict[int, str]:
        """The first hit of `search` in each article, in context: looked for in the start of
        the text first (cheap), then by the index over the whole text, then in its notes."""
        marks = ",".join("?" * len(article_ids))
        found: dict[int, str] = {}
        heads = self.db.execute(
            f"SELECT id, substr(text, 1, ?) FROM articles WHERE id IN ({marks})", [_SNIPPET_HEAD, *article_ids]
        )
        for article_id, head in heads:
            snippet = snippet_of(head, search)
            if snippet:
                found[article_id] = snippet
        missing = [article_id for article_id in article_ids if article_id not in found]
        match = fts_query(search)
        if missing and match:
            marks = ",".join("?" * len(missing))
            for article_id, snippet in self.db.execute(
                f"""SELECT rowid, snippet(articles_fts, -1, ?, ?, '…', 12) FROM articles_fts
                    WHERE articles_fts MATCH ? AND rowid IN ({marks})
                    UNION ALL
                    SELECT n.article_id, 'note: ' || snippet(annotations_fts, 0, ?, ?, '…', 12)
                    FROM annotations_fts f JOIN annotations n ON n.rowid = f.rowid
                    WHERE annotations_fts MATCH ? AND n.article_id IN ({marks})""",
                [HIT_START, HIT_END, match, *missing, HIT_START, HIT_END, match, *missing],
            ):
                found.setdefault(article_id, snippet)
        return found

    def sources(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL ORDER BY source COLLATE NOCASE")]

    # ---- reading state ------------------------------------------------------------------

    def mark_read(self, article_id: int, read: bool = True) -> None:
        """Mark an article read (now) or unread; its reading position is kept."""
        with self.writing("marking the article read" if read else "marking the article unread"):
            self.db.execute(
                """INSERT INTO reading (article_id, position, read_at) VALUES (?, 0, ?)
                   ON CONFLICT (article_id) DO UPDATE SET read_at = excluded.read_at""",
                [article_id, now_utc() if read else None],
            )

    def save_position(self, article_id: int, position: int) -> None:
        with self.writing("the reading position"):
            self.db.execute(
                """INSERT INTO reading (article_id, position) VALUES (?, ?)
                   ON CONFLICT (article_id) DO UPDATE SET position = excluded.position""",
                [article_id, position],
            )

    def reading_position(self, article_id: int) -> int:
        row = self.db.execute("SELECT position FROM reading WHERE article_id = ?", [article_id]).fetchone()
        return row[0] if row else 0

    def _article_tag_map(self, article_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """Tags used on each article, on the article itself or on its annotations."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        found: dict[int, set[str]] = {}
        query = f"""
            SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
            WHERE at.article_id IN ({marks})
            UNION
            SELECT n.article_id, t.name FROM annotations n
            JOIN annotation_tags nt ON nt.annotation_id = n.id JOIN tags t ON t.id = nt.tag_id
            WHERE n.article_id IN ({marks})
        """
        for article_id, name in self.db.execute(query, [*article_ids, *article_ids]):
            found.setdefault(article_id, set()).add(name)
        return {key: tuple(sorted(names)) for key, names in found.items()}

    def get_article(self, article_id: int) -> Article:
        row = self.db.execute(
            f"SELECT {_ARTICLE_INFO_COLUMNS}, a.text FROM articles a WHERE a.id = ?", [article_id]
        ).fetchone()
        if row is None:
            raise KeyError(f"no article with id {article_id}")
        return Article(*row[:9], tags=_split_names(row[9]), text=row[10])

    def article_tags(self, article_id: int) -> tuple[str, ...]:
        """The tags on the article itself (not on its passages), by name."""
        rows = self.db.execute(
            "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ? ORDER BY t.name",
            [article_id],
        )
        return tuple(row[0] for row in rows)

    # ---- entity cache -------------------------------------------------------------------

    def cached_entities(self, sha256: str, engine: str) -> SpanTable | None:
        """Spans recognised earlier in the text with this hash by this engine (None if there
        are none, or if the row cannot be read: the caller recognises again)."""
        row = self.db.execute("SELECT spans FROM entity_cache WHERE sha256 = ? AND engine = ?", [sha256, engine]).fetchone()
        if row is None:
            return None
        try:
            return SpanTable.from_bytes(bytes(row[0]))
        except (PackedSpansError, TypeError):
            return None

    # ---- what the user said about entities -------------------------------------------

    def entity_feedback(self) -> list[tuple[str, str, str]]:
        """(surface, label, verdict) of every confirmation and rejection, oldest first."""
        return self.db.execute("SELECT surface, label, verdict FROM entity_feedback ORDER BY id").fetchall()

    def accept_entity(self, surface: str, label: str, annotator: str) -> FeedbackChange:
        """`surface` is a `label` wherever it occurs: any other label the user gave it before is
        replaced, and a rejection of it as that label is taken back. Returns the verdicts
        removed and added, for undo."""
        return self._give_verdict(
            f"accepting the entity {_quoted(surface)} as {label}",
            "surface = ? AND (verdict = 'accept' OR label = ?)", (surface, label, "accept", annotator),
        )

    def reject_entity(self, surface: str, label: str, annotator: str) -> FeedbackChange:
        """`surface` is never a `label`: found spans like it are no longer shown."""
        return self._give_verdict(
            f"rejecting the entity {_quoted(surface)}", "surface = ? AND label = ?", (surface, label, "reject", annotator)
        )

    def _give_verdict(self, action: str, replaced: str, verdict: tuple[str, str, str, str]) -> FeedbackChange:
        surface, label, _kind, annotator = verdict
        added = (*verdict, now_utc())
        with self.writing(action):
            removed = tuple(tuple(row) for row in self.db.execute(
                f"SELECT surface, label, verdict, annotator, created FROM entity_feedback WHERE {replaced} ORDER BY id",
                [surface, label],
            ))
            self.db.execute(f"DELETE FROM entity_feedback WHERE {replaced}", [surface, label])
            self._insert_verdicts([added])
        return FeedbackChange(removed=removed, added=(added,))

    def restore_entity_feedback(self, change: FeedbackChange, forward: bool) -> None:
        """Undo (or, `forward`, redo) a `FeedbackChange`: the verdicts it added go, those it
        removed come back as they were. Refused (StaleWriteError) when the verdicts to take
        away are not there any more (changed meanwhile elsewhere)."""
        gone, back = (change.removed, change.added) if forward else (change.added, change.removed)
        action = "the change to entity feedback"
        with self.writing(action):
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

    def forget_entity(self, surface: str) -> None:
        with self.writing(f"forgetting feedback on {_quoted(surface)}"):
            self.db.execute("DELETE FROM entity_feedback WHERE surface = ?", [surface])

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

    def cache_entities(self, sha256: str, engine: str, spans: Iterable[Span]) -> SpanTable:
        """Keep these spans for the text with this hash; returns them as the cache holds them."""
        table = spans if isinstance(spans, SpanTable) else SpanTable.from_spans(spans)
        with self.writing("the entity cache"):
            self.db.execute(
                "INSERT OR REPLACE INTO entity_cache (sha256, engine, spans, created) VALUES (?, ?, ?, ?)",
                [sha256, engine, table.to_bytes(), now_utc()],
            )
            from reader.core.entities.index import index_text

            index_text(self.db, sha256, engine, table)  # the entity index follows the cache
        return table

    # ---- annotations ------------------------------------------------------------------

    def add_annotation(
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
        """Save a tagged passage `[start, end)` of an article, with its quote and context.

        `seen_sha256` is the hash of the text the offsets were taken from (the text on the
        user's screen): when the stored text is another one now (re-imported by another
        program), nothing is written and StaleWriteError says so. Never a shifted passage."""
        if not tags:
            raise ValueError("an annotation needs at least one tag")

        def action() -> str:
            shown = self.db.execute("SELECT substr(text, ?, ?) FROM articles WHERE id = ?", [start + 1, end - start, article_id])
            return f"{_quoted((shown.fetchone() or [''])[0] or '')} tagged {', '.join(sorted(set(tags)))}"

        with self.writing(action):
            text, sha256 = self._article_text_and_hash(article_id, action)
            if seen_sha256 is not None and sha256 != seen_sha256:
                raise StaleWriteError(self.path, _TEXT_CHANGED, action())
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
        found = next(self._annotations("WHERE n.id = ?", [annotation_id]), None)
        if found is None:
            orphaned = self.db.execute("SELECT 1 FROM orphans WHERE id = ?", [annotation_id]).fetchone()
            raise StaleWriteError(self.path, _ORPHANED if orphaned else _GONE, action)
        if seen is not None and found != seen:
            raise StaleWriteError(self.path, _PASSAGE_CHANGED, action)
        return found

    def add_tag(self, annotation_id: str, tag: str, *, seen: Annotation | None = None) -> Annotation:
        """Add `tag` to an annotation (nothing changes if it has it already); with `seen`, only
        if the annotation is still as the user saw it (StaleWriteError otherwise)."""
        action = f"tag {tag} on the passage"
        with self.writing(action):
            self._placed(annotation_id, seen, action)
            self.db.execute(
                "INSERT OR IGNORE INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                [annotation_id, self.ensure_tag(tag)],
            )
            self._touch(annotation_id)
            return self.get_annotation(annotation_id)

    def remove_tag(self, annotation_id: str, tag: str, *, seen: Annotation | None = None) -> Annotation:
        """Take `tag` off an annotation; its last tag cannot be removed (delete it instead)."""
        action = f"taking tag {tag} off the passage"
        with self.writing(action):
            annotation = self._placed(annotation_id, seen, action)
            if tag not in annotation.tags:
                return annotation
            if len(annotation.tags) == 1:
                raise ValueError("an annotation needs at least one tag; delete it instead")
            self.db.execute(
                "DELETE FROM annotation_tags WHERE annotation_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                [annotation_id, tag],
            )
            self._touch(annotation_id)
            return self.get_annotation(annotation_id)

    def set_note(self, annotation_id: str, note: str | None, *, seen: Annotation | None = None) -> Annotation:
        """Replace an annotation's note (None or "" removes it). With `seen`, refused when the
        annotation changed since; an annotation that lost its place meanwhile (an orphan now,
        otherwise as seen) keeps the note all the same, so a typed note is never lost."""
        action = "the note" + (f" {_quoted(note)}" if note else " removal")
        with self.writing(action):
            state = self.annotation_state(annotation_id)
            if state is None:
                raise StaleWriteError(self.path, _GONE, action)
            where, current = state
            if seen is not None and (current != seen if where == "placed" else not same_content(current, seen)):
                raise StaleWriteError(self.path, _PASSAGE_CHANGED, action)
            return self._write_content(where, replace(current, note=note or None, updated=now_utc()))

    def add_article_tag(self, article_id: int, tag: str, annotator: str, created: str | None = None) -> bool:
        """Tag a whole article (as `annotator`, at `created`, now by default); False when it
        already had the tag."""
        with self.writing(f"tag {tag} on the article"):
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO article_tags (article_id, tag_id, annotator, created) VALUES (?, ?, ?, ?)",
                [article_id, self.ensure_tag(tag), annotator, created or now_utc()],
            )
        return cursor.rowcount == 1

    def remove_article_tag(self, article_id: int, tag: str) -> tuple[str, str] | None:
        """Take a tag off a whole article; its (annotator, created), or None when it did not
        have it."""
        with self.writing(f"taking tag {tag} off the article"):
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

    def _touch(self, annotation_id: str) -> None:
        self.db.execute("UPDATE annotations SET updated = ? WHERE id = ?", [now_utc(), annotation_id])

    def delete_annotation(self, annotation_id: str, *, seen: Annotation | None = None) -> Annotation:
        """Delete an annotation with its tags and note; returns it as it was, for undo. With
        `seen`, only if it is still as the user saw it."""
        quote = seen.quote if seen is not None else (
            self.db.execute("SELECT quote FROM annotations WHERE id = ?", [annotation_id]).fetchone() or [""])[0]
        action = f"deleting {_quoted(quote)}"
        with self.writing(action):
            annotation = self._placed(annotation_id, seen, action)
            self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [annotation_id])
            self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])
        return annotation

    def insert_annotation(self, annotation: Annotation) -> Annotation:
        """Write `annotation` as it is (same id, timestamps, tags and note), in one transaction."""
        with self.writing(f"{_quoted(annotation.quote)} tagged {', '.join(annotation.tags)}"):
            self._insert_rows(annotation)
        return annotation

    def _insert_rows(self, annotation: Annotation) -> None:
        """The annotation's row and its taggings (inside a write)."""
        self.db.execute(
            f"INSERT INTO annotations ({_ANNOTATION_COLUMN_LIST}) VALUES ({', '.join('?' * len(_ANNOTATION_COLUMNS))})",
            [getattr(annotation, name) for name in _ANNOTATION_COLUMNS],
        )
        self.db.conn.executemany(
            "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
            [(annotation.id, self.ensure_tag(name)) for name in annotation.tags],
        )

    def annotation_state(self, annotation_id: str) -> tuple[Literal["placed", "orphan"], Annotation] | None:
        """Where an annotation is now: in its article's text ("placed"), kept aside as an orphan
        (offsets into an older text), or nowhere (None)."""
        found = next(self._annotations("WHERE n.id = ?", [annotation_id]), None)
        if found is not None:
            return "placed", found
        row = self.db.execute("SELECT record FROM orphans WHERE id = ?", [annotation_id]).fetchone()
        return ("orphan", _orphan_from(row[0])) if row else None

    def restore_annotation(
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
        with self.writing(action):
            state = self.annotation_state(annotation_id)
            current = state[1] if state else None
            if (current is None) != (expect is None) or (
                current is not None and expect is not None and not same_content(current, expect)
            ):
                raise StaleWriteError(self.path, _PASSAGE_CHANGED if current is not None else _GONE, action)
            if want is None:
                self._remove(annotation_id)
                return None
            if state is not None and where == "same":
                if same_content(current, want):  # type: ignore[arg-type]
                    return state
                return state[0], self._write_content(state[0], replace(
                    current, tags=want.tags, note=want.note, updated=now_utc()))  # type: ignore[type-var]
            if state is not None:
                self._remove(annotation_id)
            if where == "orphan":
                self._insert_orphan(want, orphaned or now_utc())
                return "orphan", want
            return self._place(want, action)

    def _place(self, annotation: Annotation, action: str) -> tuple[Literal["placed", "orphan"], Annotation]:
        """Insert `annotation` on its article's current text: where its quote is, re-anchored
        if the text changed since it was made, kept as an orphan if it cannot be placed."""
        text, _sha256 = self._article_text_and_hash(annotation.article_id, action)
        if quote_matches(text, annotation.start, annotation.end, annotation.quote) and (
            selector_for(text, annotation.start, annotation.end)[1:] == (annotation.prefix, annotation.suffix)
        ):
            return "placed", self.insert_annotation(annotation)
        [anchored] = reanchor_all(
            text, [Selector(annotation.start, annotation.end, annotation.quote, annotation.prefix, annotation.suffix)]
        )
        if anchored.status == "orphan" or anchored.start is None or anchored.end is None:
            self._insert_orphan(annotation, now_utc())
            return "orphan", annotation
        quote, prefix, suffix = selector_for(text, anchored.start, anchored.end)
        placed = replace(annotation, start=anchored.start, end=anchored.end, quote=quote, prefix=prefix, suffix=suffix)
        return "placed", self.insert_annotation(placed)

    def _write_content(self, where: str, annotation: Annotation) -> Annotation:
        """Store `annotation`'s tags, note and time over the annotation or orphan with its id."""
        if where == "orphan":
            self._insert_orphan(annotation, self.orphaned_at(annotation.id) or now_utc())
            return annotation
        self.db.execute(
            "UPDATE annotations SET note = ?, updated = ? WHERE id = ?", [annotation.note, annotation.updated, annotation.id]
        )
        present = set(self.get_annotation(annotation.id).tags)
        for name in present - set(annotation.tags):
            self.db.execute(
                "DELETE FROM annotation_tags WHERE annotation_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                [annotation.id, name],
            )
        for name in sorted(set(annotation.tags) - present):
            self.db.execute(
                "INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", [annotation.id, self.ensure_tag(name)]
            )
        return self.get_annotation(annotation.id)

    def _remove(self, annotation_id: str) -> None:
        """Delete the annotation or orphan with this id, tags and all."""
        self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [annotation_id])
        self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])
        self.db.execute("DELETE FROM orphans WHERE id = ?", [annotation_id])

    def get_annotation(self, annotation_id: str) -> Annotation:
        found = list(self._annotations("WHERE n.id = ?", [annotation_id]))
        if not found:
            raise KeyError(f"no annotation with id {annotation_id}")
        return found[0]

    def _article_text(self, article_id: int) -> str:
        row = self.db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            raise KeyError(f"no article with id {article_id}")
        return row[0]

    def _article_text_and_hash(self, article_id: int, action: str | Callable[[], str]) -> tuple[str, str]:
        row = self.db.execute("SELECT text, sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            raise StaleWriteError(self.path, "the article is not in the database any more", _said(action))
        return row[0], row[1]

    def article_sha256(self, article_id: int) -> str | None:
        """The hash of the article's stored text (None: no such article): what a screen
        compares with the text it shows."""
        row = self.db.execute("SELECT sha256 FROM articles WHERE id = ?", [article_id]).fetchone()
        return row[0] if row else None

    def annotations_for(self, article_id: int) -> list[Annotation]:
        """The article's annotations in text order, each with its tags."""
        return list(self._annotations("WHERE n.article_id = ?", [article_id]))

    def _annotations(self, where: str, params: Sequence[object], with_clause: str = "") -> Iterator[Annotation]:
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
        return (Annotation(*row[:11], tags=_split_names(row[11])) for row in rows)

    def _tag_ids(self, query: PassageQuery) -> list[int]:
        return [row[0] for row in self.db.execute(
            "SELECT id FROM tags WHERE name = ? OR (? AND substr(name, 1, ?) = ?)",
            [query.tag, query.nested, len(query.tag) + 1, query.tag + "/"],
        )]

    def _passage_filters(self, query: PassageQuery) -> tuple[list[str], list[object]]:
        """WHERE terms on `a` (articles) and `n` (annotations) for a retrieval's filters."""
        where: list[str] = []
        params: list[object] = []
        if query.source is not None:
            where.append("a.source = ?")
            params.append(query.source)
        if query.since:
            where.append("a.published >= ?")
            params.append(query.since)
        if query.until:
            where.append("a.published < ?")  # "2025-03" holds all of March: "2025-03-31" < "2025-03\uffff"
            params.append(query.until + "\uffff")
        if query.annotator is not None:
            where.append("n.annotator = ?")
            params.append(query.annotator)
        return where, params

    def passage_count(self, query: PassageQuery) -> int:
        """How many passages a retrieval lists (index only when no filter needs the articles)."""
        key = (query, self.db.conn.total_changes, self.data_version())
        if self._passage_count_key is not None and self._passage_count_key[0] == key:
            return self._passage_count_key[1]
        tag_ids = self._tag_ids(query)
        marks = ", ".join("?" * len(tag_ids)) or "NULL"
        where, params = self._passage_filters(query)
        if not where:
            count = self.db.execute(
                f"SELECT count(DISTINCT annotation_id) FROM annotation_tags WHERE tag_id IN ({marks})", tag_ids
            ).fetchone()[0]
        else:
            count = self.db.execute(
                f"""SELECT count(*) FROM annotations n JOIN articles a ON a.id = n.article_id
                    WHERE n.id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id IN ({marks}))
                    AND {" AND ".join(where)}""",
                [*tag_ids, *params],
            ).fetchone()[0]
        self._passage_count_key = (key, count)
        return count

    #: A list of more passages than this is read by walking the articles in date order (from
    #: the newest, or from the oldest for its end) and stopping when the page is full; a
    #: shorter one by sorting its passages, which is then cheap.
    _WALK_ABOVE = 3000
    #: How far from either end `passages` reads a long list by walking and skipping; deeper
    #: positions are found in the list's outline (`_passage_outline`).
    _WALK_DEPTH = 3000
    #: The outline `_passage_outline` built last, with the query and database state it is for.
    _passage_outline_key: tuple[tuple, tuple[list[str | None], list[int], list[int]]] | None = None

    _PASSAGE_COLUMNS = """n.id, n.article_id, n.start, n."end", n.quote, n.prefix, n.suffix, n.note,
                          n.annotator, n.created, n.updated,
                          (SELECT group_concat(name, char(31)) FROM (
                               SELECT t.name FROM annotation_tags nt JOIN tags t ON t.id = nt.tag_id
                               WHERE nt.annotation_id = n.id ORDER BY t.name)),
                          a.title, a.published, a.source"""

    def _passage_page(
        self, query: PassageQuery, tag_ids: list[int], terms: Sequence[tuple[str, Sequence[object]]],
        backward: bool, limit: int, offset: int = 0, walk: bool | None = None,
    ) -> list[Passage]:
        """Up to `limit` listed passages that also meet `terms`, after skipping `offset`: from the
        top of the list, or from its end when `backward` (returned in list order all the same);
        walking the articles (`walk`, or by default for a long list) or sorting the passages.

        The list's order is total: article published date, newest first and undated articles
        last (SQLite sorts NULL lowest); then article id, highest first; then start and
        annotation id, so a passage is a key to seek from (`passages_after`, `passages_before`)."""
        if limit <= 0:
            return []
        marks = ", ".join("?" * len(tag_ids)) or "NULL"
        where, params = self._passage_filters(query)
        for term, term_params in terms:
            where.append(term)
            params.extend(term_params)
        filters = "".join(f" AND {term}" for term in where)
        order = "a.published, a.id, n.start DESC, n.id DESC" if backward else "a.published DESC, a.id DESC, n.start, n.id"
        if self._walks(query) if walk is None else walk:
            # Articles in date order by idx_articles_published (its rowid is the article id),
            # each one's passages by idx_annotations_article_id_start; stops at the page.
            sql = f"""SELECT {self._PASSAGE_COLUMNS} FROM articles a CROSS JOIN annotations n ON n.article_id = a.id
                      WHERE EXISTS (SELECT 1 FROM annotation_tags x WHERE x.annotation_id = n.id AND x.tag_id IN ({marks}))
                      {filters} ORDER BY {order} LIMIT ? OFFSET ?"""
        else:
            # The few tagged passages, then sorted (CROSS JOIN: never walk every article for them).
            sql = f"""SELECT {self._PASSAGE_COLUMNS} FROM annotations n CROSS JOIN articles a ON a.id = n.article_id
                      WHERE n.id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id IN ({marks}))
                      {filters} ORDER BY {order} LIMIT ? OFFSET ?"""
        rows = self.db.execute(sql, [*tag_ids, *params, limit, offset]).fetchall()
        found = [Passage(Annotation(*row[:11], tags=_split_names(row[11])), row[12], row[13], row[14]) for row in rows]
        if backward:
            found.reverse()
        return found

    def _walks(self, query: PassageQuery) -> bool:
        return self.passage_count(query) > self._WALK_ABOVE

    def passages(self, query: PassageQuery, offset: int = 0, limit: int = 100) -> list[Passage]:
        """Passages with the tag, newest article first (then in text order), `limit` of them from
        position `offset`. The page next to one already read comes quicker from `passages_after`
        or `passages_before`, which seek from it instead of counting from the top."""
        tag_ids = self._tag_ids(query)
        count = self.passage_count(query)
        if count <= self._WALK_ABOVE or offset + limit <= self._WALK_DEPTH:
            return self._passage_page(query, tag_ids, [], False, limit, offset)
        if offset >= count:
            return []
        if count - offset <= self._WALK_DEPTH:  # near the end: walk back from the oldest
            return self._passage_page(query, tag_ids, [], True, min(limit, count - offset), max(0, count - offset - limit))
        from bisect import bisect_right

        published, article_ids, firsts = self._passage_outline(query, tag_ids)
        if not article_ids:
            return []
        index = max(0, bisect_right(firsts, offset) - 1)
        return self._passages_from(query, tag_ids, published[index], article_ids[index], None, limit, offset - firsts[index])

    def passages_after(self, query: PassageQuery, passage: Passage | None, limit: int = 100) -> list[Passage]:
        """The `limit` passages listed after `passage` (the first ones for None): the page after a
        page, sought from where that page ends, as fast deep in the list as at its top."""
        tag_ids = self._tag_ids(query)
        if passage is None:
            return self._passage_page(query, tag_ids, [], False, limit)
        note = passage.annotation
        return self._passages_from(query, tag_ids, passage.published, note.article_id, (note.start, note.id), limit)

    def _passages_from(
        self, query: PassageQuery, tag_ids: list[int], published: str | None, article_id: int,
        after: tuple[int, str] | None, limit: int, skip: int = 0,
    ) -> list[Passage]:
        """`limit` passages from article `article_id` (published `published`) on: its own after
        (start, annotation id) `after` (all of them for None, less the first `skip`), then the
        articles listed after it."""
        same: list[tuple[str, Sequence[object]]] = [("a.id = ?", [article_id])]
        if after is not None:
            same.append(("(n.start, n.id) > (?, ?)", after))
        if published is None:
            rest = [("a.published IS NULL AND a.id < ?", [article_id])]
        else:  # the row value leaves out the undated articles, listed last
            rest = [("(a.published, a.id) < (?, ?)", [published, article_id]), ("a.published IS NULL", [])]
        return self._passages_around(query, tag_ids, same, rest, False, limit, skip)

    def passages_before(self, query: PassageQuery, passage: Passage | None, limit: int = 100) -> list[Passage]:
        """The `limit` passages listed just before `passage` (the last ones for None), in list
        order: the page before a page, or the list's last page, without counting from the top."""
        tag_ids = self._tag_ids(query)
        if passage is None:
            return self._passage_page(query, tag_ids, [], True, limit)
        note = passage.annotation
        same = [("a.id = ?", [note.article_id]), ("(n.start, n.id) < (?, ?)", [note.start, note.id])]
        if passage.published is None:
            rest = [("a.published IS NULL AND a.id > ?", [note.article_id]), ("a.published IS NOT NULL", [])]
        else:
            rest = [("(a.published, a.id) > (?, ?)", [passage.published, note.article_id])]
        return self._passages_around(query, tag_ids, same, rest, True, limit)

    def _passages_around(
        self, query: PassageQuery, tag_ids: list[int], same: list[tuple[str, Sequence[object]]],
        rest: list[tuple[str, Sequence[object]]], backward: bool, limit: int, skip: int = 0,
    ) -> list[Passage]:
        """`limit` passages on from a point of the list (back from it when `backward`): those of
        its article meeting `same` (less the first `skip`), then those of the articles meeting
        one of `rest` in turn. A long list reads each part by walking from its first article
        (a seek on idx_articles_published, so as quick deep in the list as at its top); a short
        one reads the rest in one sort, as any part costs it a pass over the tagged passages."""
        walk = self._walks(query)
        if not walk and len(rest) > 1:
            rest = [("(" + " OR ".join(f"({term})" for term, _ in rest) + ")", [value for _, values in rest for value in values])]
        found = self._passage_page(query, tag_ids, same, backward, limit, skip, walk=True)  # one article, by its id
        for term in rest:
            if len(found) >= limit:
                break
            more = self._passage_page(query, tag_ids, [term], backward, limit - len(found), walk=walk)
            found = more + found if backward else found + more
        return found

    def _passage_outline(self, query: PassageQuery, tag_ids: list[int]) -> tuple[list[str | None], list[int], list[int]]:
        """Every article with listed passages, in list order, as (published dates, article ids,
        position of each one's first passage): where a position deep in a long list starts,
        read from idx_annotation_tags_tag_article without sorting every passage. Kept for the
        last query while the database is unchanged."""
        key = (query, self.db.conn.total_changes, self.data_version())
        if self._passage_outline_key is not None and self._passage_outline_key[0] == key:
            return self._passage_outline_key[1]
        marks = ", ".join("?" * len(tag_ids)) or "NULL"
        where, params = self._passage_filters(replace(query, annotator=None))
        mine = ""
        if query.annotator is not None:  # one index seek per tagging
            mine = """AND EXISTS (SELECT 1 FROM annotations n WHERE n.annotator = ? AND n.article_id = x.article_id
                                  AND n.id = x.annotation_id)"""
        # One tag: count its index entries; nested tags: an annotation may have two of them.
        counted = "count(*)" if len(tag_ids) == 1 else "count(DISTINCT x.annotation_id)"
        rows = self.db.execute(
            f"""SELECT a.published, a.id, c.passages FROM
                    (SELECT x.article_id, {counted} AS passages FROM annotation_tags x
                     WHERE x.tag_id IN ({marks}) {mine} GROUP BY x.article_id) c
                JOIN articles a ON a.id = c.article_id
                {"WHERE " + " AND ".join(where) if where else ""}
                ORDER BY a.published DESC, a.id DESC""",
            [*tag_ids, *([query.annotator] if query.annotator is not None else []), *params],
        ).fetchall()
        published: list[str | None] = []
        article_ids: list[int] = []
        firsts: list[int] = []
        position = 0
        for date, article_id, passages in rows:
            published.append(date)
            article_ids.append(article_id)
            firsts.append(position)
            position += passages
        outline = (published, article_ids, firsts)
        self._passage_outline_key = (key, outline)
        return outline

    def annotations_of(self, annotators: Sequence[str]) -> Iterator[Annotation]:
        """Every annotation by these annotators, in (article, start) order, read as consumed."""
        marks = ", ".join("?" * len(annotators)) or "NULL"
        return self._annotations(f"WHERE n.annotator IN ({marks})", list(annotators))

    def article_lengths(self, article_ids: Iterable[int]) -> dict[int, int]:
        """The length in characters of each article's text (from its stored count)."""
        return self._article_column("chars", article_ids)

    def article_texts(self, article_ids: Iterable[int]) -> dict[int, str]:
        """The text of each article, for measures that need its words."""
        return self._article_column("text", article_ids)

    def _article_column(self, column: Literal["chars", "text"], article_ids: Iterable[int]) -> dict[int, object]:
        ids = sorted(set(article_ids))
        found: dict[int, object] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(self.db.execute(
                f"SELECT id, {column} FROM articles WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall())
        return found

    def annotators(self) -> list[str]:
        """Everyone who has annotated, most annotations first."""
        return [row[0] for row in self.db.execute(
            "SELECT annotator FROM annotations GROUP BY annotator ORDER BY count(*) DESC, annotator"
        )]

    def annotation_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM annotations").fetchone()[0]

    # ---- export -----------------------------------------------------------------------

    def iter_annotated_articles(
        self, with_text: bool = False, only: ExportFilter | None = None
    ) -> Iterator[tuple[ArticleInfo, list[Annotation]]]:
        """Every article with annotations or article tags (or, with `only`, with annotations
        it selects), in import order, with those annotations (as `Article`, text included, when
        `with_text`); two streaming queries, so memory stays flat however many there are."""
        with_clause, article_where, article_params, note_where, note_params = self._export_selection(only)
        articles = self.db.execute(
            f"""
            {with_clause}
            SELECT {_ARTICLE_INFO_COLUMNS} {", a.text" if with_text else ""} FROM articles a
            WHERE {article_where}
            ORDER BY a.id
            """,
            article_params,
        )
        annotations = self._annotations(  # parameters in the order their places appear
            f"WHERE n.article_id IN (SELECT a.id FROM articles a WHERE {article_where}) AND {note_where}",
            [*article_params, *note_params],
            with_clause,
        )
        pending = next(annotations, None)
        for row in articles:
            if with_text:
                article: ArticleInfo = Article(*row[:9], tags=_split_names(row[9]), text=row[10])
            else:
                article = ArticleInfo(*row[:9], tags=_split_names(row[9]))
            mine: list[Annotation] = []
            while pending is not None and pending.article_id == article.id:
                mine.append(pending)
                pending = next(annotations, None)
            yield article, mine

    def _export_selection(self, only: ExportFilter | None) -> tuple[str, str, list[object], str, list[object]]:
        """SQL for the articles (alias a) and the annotations (alias n) an export holds: a WITH
        clause, the articles' WHERE and parameters, the annotations' WHERE and parameters."""
        only = only or ExportFilter()
        notes, note_params = ["1"], []
        for annotator in {only.annotator, only.listed.annotator if only.listed else None} - {None}:
            notes.append("n.annotator = ?")
            note_params.append(annotator)
        if only.tag:
            notes.append(
                "EXISTS (SELECT 1 FROM annotation_tags nt JOIN tags t ON t.id = nt.tag_id "
                "WHERE nt.annotation_id = n.id AND t.name = ?)"
            )
            note_params.append(only.tag)
        if only.since:
            notes.append("(n.created >= ? OR n.updated >= ?)")
            note_params += [only.since, only.since]
        note_where = " AND ".join(notes)
        with_clause, articles, article_params = "", ["1"], []
        if only.listed is not None:
            with_clause, listed_where, listed_params, _sets = self._selection(only.listed)
            if listed_where:
                articles.append(listed_where.removeprefix("WHERE "))
                article_params += listed_params
        if only.source:
            articles.append("a.source = ?")
            article_params.append(only.source)
        if only.article:
            articles.append("a.id = ?")
            article_params.append(self.find_article(only.article))
        if len(notes) > 1:
            having = f"a.id IN (SELECT n.article_id FROM annotations n WHERE {note_where})"
            if only.tag:
                having = (
                    f"({having} OR a.id IN (SELECT at.article_id FROM article_tags at JOIN tags t "
                    "ON t.id = at.tag_id WHERE t.name = ?))"
                )
            articles.append(having)
            article_params += note_params + ([only.tag] if only.tag else [])
        else:
            articles.append("a.id IN (SELECT article_id FROM annotations UNION SELECT article_id FROM article_tags)")
        return with_clause, " AND ".join(articles), article_params, note_where, note_params

    # ---- moving a database (export/import of everything) ------------------------------------
    # What the YAML export carries besides annotations (codebook, entity feedback, orphans,
    # pending annotations, who tagged an article and when), and how a file's copy of each is
    # merged in. The merge methods run inside the caller's write transaction (`writing`).

    def codebook_entries(self, names: Iterable[str] | None = None) -> list[tuple[str, str | None, str | None, str | None]]:
        """(name, key, colour, description) of every tag (or of those named), by name, used or not."""
        rows = self.db.execute("SELECT name, key, color, description FROM tags ORDER BY name").fetchall()
        if names is None:
            return [tuple(row) for row in rows]
        wanted = set(names)
        return [tuple(row) for row in rows if row[0] in wanted]

    def entity_verdicts(self) -> list[tuple[str, str, str, str | None, str | None]]:
        """(surface, label, verdict, annotator, created) of all entity feedback, oldest first."""
        return [tuple(row) for row in self.db.execute(
            "SELECT surface, label, verdict, annotator, created FROM entity_feedback ORDER BY id"
        )]

    def pending_annotations(self) -> list[PendingAnnotation]:
        """Annotations kept aside for articles this database does not have, in the order kept."""
        return [PendingAnnotation(*row) for row in self.db.execute(
            """SELECT article_uid, article_sha256, article_title, annotation_id, record, source_file, created
               FROM pending_annotations ORDER BY id"""
        )]

    def export_tag_names(self, only: ExportFilter | None) -> set[str]:
        """The tags an export with `only` uses: on its annotations and on its articles."""
        with_clause, article_where, article_params, note_where, note_params = self._export_selection(only)
        chosen = f"chosen(id) AS MATERIALIZED (SELECT a.id FROM articles a WHERE {article_where})"
        rows = self.db.execute(
            f"""{with_clause + ", " if with_clause else "WITH "}{chosen}
                SELECT t.name FROM tags t WHERE t.id IN (
                    SELECT nt.tag_id FROM annotation_tags nt JOIN annotations n ON n.id = nt.annotation_id
                    WHERE n.article_id IN (SELECT id FROM chosen) AND {note_where}
                    UNION SELECT at.tag_id FROM article_tags at WHERE at.article_id IN (SELECT id FROM chosen))""",
            [*article_params, *note_params],
        )
        return {row[0] for row in rows}

    def iter_articles_to_move(self, only: ExportFilter | None = None) -> Iterator[MovingArticle]:
        """Every article the export holds, in import order, text included, with its annotations,
        its article tags (who and when) and, in a whole export (no filter), its orphans; a whole
        export also holds articles that have only orphans. Streaming, like `iter_annotated_articles`."""
        whole = only is None or only == ExportFilter()
        with_clause, article_where, article_params, note_where, note_params = self._export_selection(only)
        if whole:
            article_where = (
                "a.id IN (SELECT article_id FROM annotations UNION SELECT article_id FROM article_tags "
                "UNION SELECT article_id FROM orphans)"
            )
            article_params = []
        articles = self.db.execute(
            f"{with_clause} SELECT {_ARTICLE_INFO_COLUMNS}, a.text FROM articles a WHERE {article_where} ORDER BY a.id",
            article_params,
        )
        annotations = self._annotations(
            f"WHERE n.article_id IN (SELECT a.id FROM articles a WHERE {article_where}) AND {note_where}",
            [*article_params, *note_params],
            with_clause,
        )
        tags = self.db.execute(
            f"""{with_clause}
                SELECT at.article_id, t.name, at.annotator, at.created FROM article_tags at JOIN tags t ON t.id = at.tag_id
                WHERE at.article_id IN (SELECT a.id FROM articles a WHERE {article_where})
                ORDER BY at.article_id, t.name""",
            article_params,
        )
        orphans = self.db.execute(
            "SELECT article_id, record, orphaned FROM orphans ORDER BY article_id, orphaned, id" if whole
            else "SELECT article_id, record, orphaned FROM orphans WHERE 0"
        )
        next_note, next_tag, next_orphan = next(annotations, None), tags.fetchone(), orphans.fetchone()
        for row in articles:
            article = Article(*row[:9], tags=_split_names(row[9]), text=row[10])
            notes: list[Annotation] = []
            while next_note is not None and next_note.article_id == article.id:
                notes.append(next_note)
                next_note = next(annotations, None)
            tagged: list[ArticleTag] = []
            while next_tag is not None and next_tag[0] == article.id:
                tagged.append(ArticleTag(*next_tag[1:]))
                next_tag = tags.fetchone()
            while next_orphan is not None and next_orphan[0] < article.id:
                next_orphan = orphans.fetchone()  # (an orphan's article is always selected: never here)
            kept: list[tuple[Annotation, str | None]] = []
            while next_orphan is not None and next_orphan[0] == article.id:
                kept.append((_orphan_from(next_orphan[1]), next_orphan[2]))
                next_orphan = orphans.fetchone()
            yield MovingArticle(article, notes, tagged, kept)

    def merge_tag_look(self, name: str, color: str | None, description: str | None, key: str | None) -> tuple[str, str | None]:
        """Bring in one codebook entry of a file (inside a write). A tag new here is created with
        its colour, description and key; a tag this database has keeps its own look and takes from
        the file only what it lacks. A key another tag has here is never taken. Returns what
        happened ("added", "completed" or "unchanged") and the tag whose key was not taken (None)."""
        holder = None
        if key is not None:
            found = self.db.execute("SELECT name FROM tags WHERE key = ? AND name != ?", [key, name]).fetchone()
            if found is not None:
                holder, key = found[0], None
        row = self.db.execute("SELECT id, color, description, key FROM tags WHERE name = ?", [name]).fetchone()
        if row is None:
            self.db["tags"].insert({"name": name, "color": color, "description": description, "key": key})
            return "added", holder
        tag_id, have_color, have_description, have_key = row
        if have_key is not None and holder is not None:
            holder = None  # it keeps its own key: nothing was refused it
        values = {
            column: value for column, have, value in (
                ("color", have_color, color), ("description", have_description, description), ("key", have_key, key)
            ) if have is None and value is not None
        }
        if values:
            self.db["tags"].update(tag_id, values)
        return ("completed" if values else "unchanged"), holder

    def merge_entity_verdict(self, surface: str, label: str, verdict: str, annotator: str | None, created: str | None) -> str:
        """Bring in one entity verdict of a file (inside a write), as `accept_entity` or
        `reject_entity` would give it, unless a verdict here that it would replace is as new or
        newer. Returns "unchanged", "added", "replaced" or "kept" (this database's is newer)."""
        if self.db.execute(
            "SELECT 1 FROM entity_feedback WHERE surface = ? AND label = ? AND verdict = ?", [surface, label, verdict]
        ).fetchone():
            return "unchanged"
        replaced = "surface = ? AND (verdict = 'accept' OR label = ?)" if verdict == "accept" else "surface = ? AND label = ?"
        rivals = self.db.execute(f"SELECT id, created FROM entity_feedback WHERE {replaced}", [surface, label]).fetchall()
        if any(not is_later(created, their_created) for _id, their_created in rivals):
            return "kept"
        self.db.conn.executemany("DELETE FROM entity_feedback WHERE id = ?", [(row[0],) for row in rivals])
        self._insert_verdicts([(surface, label, verdict, annotator, created)])
        return "replaced" if rivals else "added"

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

    def overwrite_annotation(self, annotation: Annotation) -> None:
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
            [(annotation.id, self.ensure_tag(name)) for name in annotation.tags],
        )

    def ids_added_since(self, table: Literal["annotations", "orphans"], rowid: int) -> tuple[list[str], int]:
        """Ids of the rows of `table` written after row `rowid` (by anyone), and the last rowid:
        how a long merge learns, between its transactions, what others added meanwhile."""
        rows = self.db.execute(f"SELECT rowid, id FROM {table} WHERE rowid > ? ORDER BY rowid", [rowid]).fetchall()
        return [row[1] for row in rows], (rows[-1][0] if rows else rowid)

    @staticmethod
    def entity_feedback_in(path: Path) -> list[tuple[str, str, str]]:
        """The entity feedback (as `entity_feedback`) of the database at `path`, read without
        writing anything there or creating it. StoreError when it cannot be read."""
        path = Path(path)
        problem = database_file_problem(path)  # another program's database, a newer reader's, damage
        if problem is not None:
            raise StoreError(f"{path}: {problem.replace(f'; {_NOT_OURS}', '')}")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        except sqlite3.Error as error:
            raise StoreError(f"{path}: cannot open the database ({error})") from None
        try:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entity_feedback'").fetchone() is None:
                return []
            return conn.execute("SELECT surface, label, verdict FROM entity_feedback ORDER BY id").fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"{path}: cannot read the entity feedback ({error})") from None
        finally:
            conn.close()

    @staticmethod
    def check_backup(path: Path) -> BackupCheck:
        """Whether the SQLite file at `path` (a copy nobody else uses: it may be written) is a
        whole, undamaged reader database that this reader can open: StoreError saying why not.
        Leaves it as one self-contained file (journal mode DELETE)."""
        path = Path(path)
        try:
            with open(path, "rb") as handle:
                header = handle.read(16)
        except OSError as error:
            raise StoreError(f"{path}: cannot read it ({error.strerror or error})") from None
        if header != b"SQLite format 3\x00":
            raise StoreError(f"{path}: not an SQLite database (so not a reader backup)")
        conn = sqlite3.connect(str(path), timeout=5.0)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                found = " ".join("; ".join(str(problem) for problem in problems).split())  # on one line
                raise StoreError(f"{path}: damaged: {found[:300]}")
            application_id, tables, applied = _identity(conn)
            problem = identity_problem(application_id, tables, applied)  # (what opening the database checks)
            if problem is None and not {"articles", "annotations", "tags"} <= set(tables):
                problem = "an SQLite database without reader's tables (an empty one?), not a backup"
            if problem is not None:  # (the advice to open another file does not apply here)
                raise StoreError(f"{path}: {problem.replace(f'; {_NOT_OURS}', '')}")
            counts = conn.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM annotations)").fetchone()
            conn.execute("PRAGMA journal_mode = DELETE")  # one file, whatever mode the copy was in
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: cannot be read as a database ({error})") from None
        finally:
            conn.close()
        return BackupCheck(articles=counts[0], annotations=counts[1], schema=applied[-1] if applied else None)

    @staticmethod
    def fold_journal(path: Path) -> bool:
        """Write the database's write-ahead log into the file at `path` and make it one
        self-contained file (nobody else may have it open); False when SQLite cannot (damaged)."""
        try:
            conn = sqlite3.connect(str(path), timeout=1.0)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                conn.execute("PRAGMA journal_mode = DELETE").fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            return False
        return not Path(f"{path}-wal").exists()



# ---- moving a database: what travels besides annotations ------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleTag:
    """A tag on a whole article: who put it there, and when."""

    name: str
    annotator: str | None
    created: str | None


@dataclass(frozen=True, slots=True)
class PendingAnnotation:
    """An imported annotation kept aside for an article the database lacks (a row of
    `pending_annotations`; `record` is the JSON it was read as)."""

    article_uid: str
    article_sha256: str | None
    article_title: str | None
    annotation_id: str
    record: str
    source_file: str | None
    created: str | None


@dataclass(frozen=True, slots=True)
class MovingArticle:
    """One article as the YAML export carries it."""

    article: Article
    annotations: list[Annotation]
    tags: list[ArticleTag]
    #: (annotation as it was, when it was orphaned)
    orphans: list[tuple[Annotation, str | None]]


@dataclass(frozen=True, slots=True)
class BackupCheck:
    """What `Store.check_backup` found in a backup."""

    articles: int
    annotations: int
    schema: str | None


def is_later(stamp: str | None, other: str | None) -> bool:
    """Whether time `stamp` is after `other` (ISO 8601; compared as moments when both read as
    such, else as text); no time is before any time."""
    if stamp is None or other is None:
        return stamp is not None and other is None
    try:
        first, second = datetime.fromisoformat(stamp), datetime.fromisoformat(other)
        if (first.tzinfo is None) != (second.tzinfo is None):
            raise ValueError
        return first > second
    except (ValueError, TypeError):
        return stamp > other

#: The columns of an ArticleInfo, with its tags joined by U+001F (for _split_names).
_ARTICLE_INFO_COLUMNS = """
    a.id, a.uid, a.sha256, a.title, a.source, a.url, a.path, a.locator, a.published,
    (SELECT group_concat(name, char(31)) FROM (
        SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
        WHERE at.article_id = a.id ORDER BY t.name))
"""


#: Why a change made against what a screen showed was refused (StaleWriteError's reasons).
_TEXT_CHANGED = "the article's text changed since it was shown (re-imported by another program?)"
_PASSAGE_CHANGED = "the passage changed since it was shown (in another window or program)"
_ORPHANED = "the passage lost its place when its article's text changed (O lists it)"
_GONE = "the passage is not there any more (deleted in another window or program)"


def _said(action: str | Callable[[], str]) -> str:
    return action() if callable(action) else action


def same_content(a: Annotation, b: Annotation) -> bool:
    """Whether two states of an annotation say the same thing: who made it, when, its tags and
    note, whatever its place (a re-import moves it) or the time it was last touched."""
    return (a.id, a.article_id, a.annotator, a.created, a.tags, a.note) == (
        b.id, b.article_id, b.annotator, b.created, b.tags, b.note
    )


def _orphan_from(record: str) -> Annotation:
    data = json.loads(record)
    data["tags"] = tuple(data.get("tags", ()))
    return Annotation(**data)


def _split_names(joined: str | None) -> tuple[str, ...]:
    return tuple(joined.split("\x1f")) if joined else ()
