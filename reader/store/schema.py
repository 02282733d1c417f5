"""The schema of annotations.db: every migration (sqlite-utils `Migrations`), the triggers they make,
and how a database is known as reader's (or as another program's, or a newer reader's).

It is the only place that creates or alters a table; it reads no article and writes no annotation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from reader.store.errors import database_error_reason


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
    # Every cached entity mention in SQL, for retrieval from an entity (reader/store/entity_index.py).
    # Texts cached before it are indexed by the background fill, so opening never waits for it.
    from reader.store.entity_index import create_tables

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
    # Charts and `reader stats` (reader/store/figures.py) count tags per source and month one row
    # key at a time: each article's taggings, and one annotator's passages of an article, by index.
    db["annotation_tags"].create_index(["article_id", "tag_id"], index_name="idx_annotation_tags_article_tag")
    db["annotations"].create_index(["annotator", "article_id", "id"], index_name="idx_annotations_annotator_article")


@migrations()
def m013_insight_summaries(db: Database) -> None:
    # Charts and `reader stats` (reader/store/figures.py) without a look-up per row. Each tagging
    # keeps its article's month (the first seven characters of `published` when it starts with a
    # year and month, else NULL: "undated") and source, kept by triggers as article_id is (m011),
    # and indexed so that tags are counted per month or source from one index. The entity index
    # keeps mentions and articles per entity and month (entity_months, kept by triggers: see
    # reader/store/entity_index.py). About 5 s at 270,000 taggings and 8 million mentions.
    from reader.store.entity_index import create_month_counts

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
    # that says which kept sums are out of date (reader/store/agreement.py).
    from reader.store.agreement import create_tables

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


@migrations()
def m017_article_notes(db: Database) -> None:
    # A note on a whole article rather than on a passage of it, one per annotator and article
    # (each note has one owner, as each annotation does). A note on a passage with no tag (a
    # memo) needs no table: it is an annotation without annotation_tags rows.
    db["article_notes"].create(
        {"article_id": int, "annotator": str, "note": str, "created": str, "updated": str},
        pk=("article_id", "annotator"),
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "annotator", "note", "created", "updated"},
    )
    # searched with the notes on passages (the list's search looks through titles, texts and notes)
    db["article_notes"].enable_fts(["note"], create_triggers=True, tokenize="unicode61 remove_diacritics 2")


@migrations()
def m018_ingest_article_metadata(db: Database) -> None:
    # What import reads beyond title, source and date (issue 16): the date as the file wrote it
    # ("March 2", "2019-03-02 08:15"; `published` holds its ISO YYYY-MM-DD form), the author, the
    # language the page declares, and how an HTML page's main text was found ("trafilatura",
    # or "stdlib" for the fallback parser). NULL: not given, or imported before this.
    for column in ("published_written", "author", "language", "extractor"):
        db.execute(f"ALTER TABLE articles ADD COLUMN {column} TEXT")


@migrations()
def m019_agreement_sees_notes(db: Database) -> None:
    # A note given to an untagged annotation makes it a memo, which agreement leaves out: the
    # kept agreement sums learn of it (and those kept without knowing are forgotten).
    from reader.store.agreement import renew_trigger

    renew_trigger(db, "article_changes_memo")


@migrations()
def m020_article_attributes(db: Database) -> None:
    # The fields of a JSON, JSONL or CSV record that are none of the known ones (issue 16: a
    # dataset's "category", "section", "lang"), or set by `reader import --set name=value`:
    # one row per article and name, values as strings, kept in the record's order (`position`).
    db["article_attributes"].create(
        {"article_id": int, "name": str, "value": str, "position": int},
        pk=("article_id", "name"),
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "name", "value", "position"},
    )
    db.execute("CREATE INDEX article_attributes_by_name ON article_attributes (name, value)")


@migrations()
def m021_tombstones(db: Database) -> None:
    # What an annotator deleted (an annotation, a memo or an orphan), so that the deletion
    # travels in exports like an edit: one row per deleted id, with its owner and when.
    # An import applies it to a copy of the same owner no newer than `deleted`, and it keeps
    # such copies out of later imports; putting the annotation back (undo) removes the row.
    db["tombstones"].create(
        {"id": str, "annotator": str, "deleted": str},
        pk="id",
        not_null={"id", "annotator", "deleted"},
    )
    # an annotation or orphan written with a deleted id, by whatever path (undo, any importer),
    # is back: its deletion no longer holds, and an export never carries both
    for table in ("annotations", "orphans"):
        db.execute(f"""
            CREATE TRIGGER {table}_lift_tombstone AFTER INSERT ON {table}
            BEGIN DELETE FROM tombstones WHERE id = new.id; END
        """)


@migrations()
def m023_orphans_of_removed_articles(db: Database) -> None:
    # `reader remove` (issue 16) takes articles out and keeps their annotations as orphans: an
    # orphan may now outlive its article (article_id NULL, no foreign key), remembered by the
    # article's uid, text hash and title, so it is listed, and put back when the article comes
    # back (imported again). `placed`: 1 for an annotation that was in place when its article
    # was removed (it goes back where it was), NULL for one already an orphan.
    db["orphans"].transform(drop_foreign_keys=["article_id"], not_null={"article_id": False})
    for column in ("article_uid", "article_sha256", "article_title", "removed"):
        db.execute(f"ALTER TABLE orphans ADD COLUMN {column} TEXT")
    db.execute("ALTER TABLE orphans ADD COLUMN placed INTEGER")
    # (every imported article asks whether orphans wait for it: two index look-ups)
    db.execute("CREATE INDEX idx_orphans_removed_sha256 ON orphans (article_sha256) WHERE article_id IS NULL")
    db.execute("CREATE INDEX idx_orphans_removed_uid ON orphans (article_uid) WHERE article_id IS NULL")
    db.execute("CREATE INDEX IF NOT EXISTS idx_orphans_article_id ON orphans (article_id)")
    db.execute("DROP TRIGGER IF EXISTS orphans_lift_tombstone")  # (the rebuilt table lost it)
    db.execute("""
        CREATE TRIGGER orphans_lift_tombstone AFTER INSERT ON orphans
        BEGIN DELETE FROM tombstones WHERE id = new.id; END
    """)


@migrations()
def m024_coding_study(db: Database) -> None:
    # A coding study (issue 17). `study_settings`: what every coder of a shared database sees
    # alike, one row per name ("blind": "1"/"0", "lead", and who changed it when); config.yaml's
    # `study:` says the same until a lead writes it here (`reader study close|open`).
    db["study_settings"].create({"name": str, "value": str}, pk="name", not_null={"name", "value"})
    # Which coder codes which article (`reader assign`); `overlap` 1: coded by every coder of
    # the run, for agreement. Done is reading state (below): per coder, as reading is.
    db["assignments"].create(
        {"article_id": int, "annotator": str, "overlap": int, "assigned": str},
        pk=("article_id", "annotator"),
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "annotator", "overlap", "assigned"},
        defaults={"overlap": 0},
    )
    db.execute("CREATE INDEX idx_assignments_annotator ON assignments (annotator, article_id)")
    # Reading state and positions per annotator: each coder has their own read marks, places and
    # "done". Rows from before belong to nobody yet (annotator ''): the first annotator who opens
    # the database with a study configured takes them (Study.configure), so the configured
    # annotator of a one-person database keeps what they had.
    db.execute("ALTER TABLE reading RENAME TO reading_before_m024")
    db["reading"].create(
        {"article_id": int, "annotator": str, "position": int, "read_at": str, "done_at": str},
        pk=("article_id", "annotator"),
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"position", "annotator"},
        defaults={"position": 0, "annotator": ""},
    )
    db.execute("INSERT INTO reading (article_id, annotator, position, read_at) "
               "SELECT article_id, '', position, read_at FROM reading_before_m024")
    db.execute("DROP TABLE reading_before_m024")
    db.execute("CREATE INDEX idx_reading_annotator_read ON reading (annotator, read_at)")
    db.execute("CREATE INDEX idx_reading_annotator_done ON reading (annotator, done_at)")

@migrations()
def m025_gold_decisions(db: Database) -> None:
    # The gold layer's provenance: for each annotation adjudicated into gold (annotator
    # `study.gold`), who decided, when, how (a: A's version, b: B's, both, edit, agreed: the
    # coders agreed) and from which source annotations (a JSON list of ids, in A, B order).
    # A row stays while its annotation is deleted (undo may bring it back); readers join.
    db["gold_decisions"].create(
        {"annotation_id": str, "curator": str, "decided": str, "choice": str, "sources": str},
        pk="annotation_id",
        not_null={"annotation_id", "curator", "decided", "choice", "sources"},
    )


@migrations()
def m026_article_edits(db: Database) -> None:
    # What a user corrected about an article in reader (its title, date, source, an attribute:
    # `field` is "title", "date", "source" or "attribute:" + the attribute's name), and when:
    # a re-import of the article's file keeps these fields as the user left them.
    # Removing an article removes its corrections with it.
    db.execute("""
        CREATE TABLE article_edits (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            edited TEXT NOT NULL,
            PRIMARY KEY (article_id, field)
        )
    """)
    # The articles with an attribute's value, read off one index (the list's attribute filter,
    # `--where`) without a look-up of each row.
    db.execute("CREATE INDEX article_attributes_articles ON article_attributes (name, value, article_id)")


#: `PRAGMA application_id` of a database reader made (the bytes "read"); older ones have 0 and
#: are known by their migrations.
READER_APPLICATION_ID = int.from_bytes(b"read", "big")
_SQLITE_HEADER = b"SQLite format 3\x00"
NOT_OURS = "reader writes nothing into it: set `database` in config.yaml to another file"


def identity_problem(application_id: int, tables: Iterable[str], applied: Iterable[str]) -> str | None:
    """Why a database with this application id, these tables and these applied reader migrations
    is not one this reader may write, or None: it is reader's (stamped with its application id,
    or listing reader's migrations) and no newer than this reader, or it holds nothing yet."""
    if application_id not in (0, READER_APPLICATION_ID):
        return f"another program's SQLite database (application id {application_id:#x}), not reader's; {NOT_OURS}"
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
    return f"not a reader database (it holds tables reader did not make: {shown}); {NOT_OURS}"


def identity(conn: sqlite3.Connection) -> tuple[int, list[str], list[str]]:
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
        return identity_problem(*identity(conn))
    except sqlite3.DatabaseError as error:
        return database_error_reason(error)
    finally:
        conn.close()
