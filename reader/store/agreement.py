"""Agreement counts kept in the database, per article, and what it takes to know which are still right.

Every measure `reader agreement` reports is a sum over articles (reader.core.agreement's
`PairCounts` and `coder_counts`). The sums of each article are kept here, by *scope* (two
annotators, or everyone compared for alpha, and the level), so comparing the same annotators again
reads the kept sums and computes only the articles that changed since.

Which articles changed: `article_changes` holds, per article, the number of the last change to its
annotations, their tags, its text, date or source (triggers, so every writer is seen: the app, an
import, another process). Numbers only grow. The charts watch the highest number too
(reader.store.figures.tag_signature). A kept article row is right while no change of its article
has a number above the row's own `seq`; a scope's `seq` says every change up to it has been
checked against the scope's rows, so only later changes are ever looked at.

Nothing here changes an annotation. Kept sums are derived data: a database that cannot be written
(read-only, full, locked) gets its numbers computed without keeping them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlite_utils import Database

#: Kept scopes: the least recently saved beyond this many are dropped.
KEPT_SCOPES = 12

#: Up to this many articles are looked up one by one (passages_elsewhere).
LOOKUP_LIMIT = 10_000

_BUMP = """INSERT INTO article_changes (article_id, seq)
    SELECT {article}, (SELECT coalesce(max(seq), 0) + 1 FROM article_changes) WHERE {article} IS NOT NULL
    ON CONFLICT (article_id) DO UPDATE SET seq = excluded.seq;"""

_ANNOTATION_OF = "(SELECT article_id FROM annotations WHERE id = {row}.annotation_id)"

_TRIGGERS = {
    "article_changes_annotation_insert": ("AFTER INSERT ON annotations", ["NEW.article_id"]),
    "article_changes_annotation_delete": ("AFTER DELETE ON annotations", ["OLD.article_id"]),
    "article_changes_annotation_update": (
        'AFTER UPDATE OF article_id, start, "end", annotator ON annotations', ["OLD.article_id", "NEW.article_id"]
    ),
    # a note given to or taken from an untagged annotation makes it a memo (no coding) or a coding
    # again; other notes change no number (m019 added it)
    "article_changes_memo": (
        "AFTER UPDATE OF note ON annotations WHEN (OLD.note IS NULL) <> (NEW.note IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM annotation_tags WHERE annotation_id = NEW.id)",
        ["NEW.article_id"],
    ),
    "article_changes_tag_insert": ("AFTER INSERT ON annotation_tags", [_ANNOTATION_OF.format(row="NEW")]),
    "article_changes_tag_delete": ("AFTER DELETE ON annotation_tags", ["OLD.article_id"]),
    "article_changes_tag_update": (
        "AFTER UPDATE OF tag_id, annotation_id ON annotation_tags", ["OLD.article_id", _ANNOTATION_OF.format(row="NEW")]
    ),
    "article_changes_article": ("AFTER UPDATE OF chars, text, published, source ON articles", ["NEW.id"]),
    "article_changes_article_delete": ("AFTER DELETE ON articles", ["OLD.id"]),
}

#: The kept sums of each kind of scope: a pair's `PairCounts` and how many of the article's
#: disagreements involve the tag; or alpha's over everyone.
PAIR_COLUMNS = ("a_spans", "b_spans", "exact", "overlap", "both", "only_a", "only_b", "disagreeing")
ALPHA_COLUMNS = ("ones", "disagreeing")
_TABLES = {"pair": ("agreement_counts", PAIR_COLUMNS), "all": ("agreement_alpha", ALPHA_COLUMNS)}


def _create_trigger(db: Database, name: str) -> None:
    when, articles = _TRIGGERS[name]
    body = "\n".join(_BUMP.format(article=article) for article in articles)
    db.execute(f"CREATE TRIGGER {name} {when} BEGIN\n{body}\nEND")


def renew_trigger(db: Database, name: str) -> None:
    """Make trigger `name` as `_TRIGGERS` says now, and forget every kept sum (made without it)."""
    db.execute(f"DROP TRIGGER IF EXISTS {name}")
    _create_trigger(db, name)
    for table in ("agreement_scopes", "agreement_articles", "agreement_counts", "agreement_alpha"):
        db.execute(f"DELETE FROM {table}")


def create_tables(db: Database) -> None:
    """The change numbers with their triggers, and the tables of kept sums (migration m014)."""
    db.execute("CREATE TABLE article_changes (article_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)")
    db.execute("CREATE INDEX idx_article_changes_seq ON article_changes (seq)")
    for name in _TRIGGERS:
        _create_trigger(db, name)
    db.execute(
        """CREATE TABLE agreement_scopes (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,
           seq INTEGER NOT NULL DEFAULT 0, saved REAL NOT NULL DEFAULT 0)"""
    )
    db.execute(
        """CREATE TABLE agreement_articles (scope INTEGER NOT NULL, article_id INTEGER NOT NULL,
           items INTEGER NOT NULL, seq INTEGER NOT NULL, disagreements INTEGER NOT NULL DEFAULT 0,
           PRIMARY KEY (scope, article_id)) WITHOUT ROWID"""
    )
    for table, columns in _TABLES.values():
        counts = ", ".join(f"{column} INTEGER NOT NULL" for column in columns)
        db.execute(
            f"""CREATE TABLE {table} (scope INTEGER NOT NULL, article_id INTEGER NOT NULL,
                tag_id INTEGER NOT NULL, {counts}, PRIMARY KEY (scope, article_id, tag_id)) WITHOUT ROWID"""
        )


def scope_key(kind: str, level: str, annotators: Sequence[str]) -> str:
    """The name of a scope: "pair" (two annotators, in name order) or "all" (alpha over everyone)."""
    return f"{kind}:{level}:" + "\x1f".join(sorted(annotators))


@dataclass
class Scope:
    """One scope as read at the start of a comparison, and what was computed for it since."""

    key: str
    kind: str
    id: int | None = None
    #: Every change up to this number had been checked against the kept rows.
    seq: int = 0
    #: Kept articles that are still right (all in the population).
    valid: set[int] = field(default_factory=set)
    #: Kept articles that are out of date, or out of the population: their rows are not summed.
    stale: set[int] = field(default_factory=set)
    #: Population articles with no right sums: to count.
    missing: set[int] = field(default_factory=set)
    #: Positions (characters or tokens) over the valid articles.
    items: int = 0
    #: Computed in this comparison: article id -> (items, {tag id: sums}, disagreements).
    fresh: dict[int, tuple[int, dict[int, tuple[int, ...]], int]] = field(default_factory=dict)

    @property
    def table(self) -> str:
        return _TABLES[self.kind][0]

    @property
    def columns(self) -> tuple[str, ...]:
        return _TABLES[self.kind][1]


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """Reads inside see one state of the database (a read transaction), unless one is already open."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def last_change(db: Database) -> int:
    return db.execute("SELECT coalesce(max(seq), 0) FROM article_changes").fetchone()[0]


def annotated_articles(db: Database, annotator: str) -> set[int]:
    """Every article `annotator` annotated (any tag, or none)."""
    return set(_rows(db, "SELECT DISTINCT article_id FROM annotations WHERE annotator = ?", [annotator], "article_id"))


def read_scope(db: Database, key: str, kind: str, population: set[int]) -> Scope:
    """Which of the scope's kept rows are still right for `population`, and which population
    articles need counting.

    A kept row is out of date when its article changed after the row was counted; an article that
    left the population changed too (it lost its last passage by one annotator), so the right rows
    are all in the population. Usually every missing article changed as well, and only the changed
    ones are looked up; otherwise every kept row is read."""
    scope = Scope(key, kind)
    found = db.execute("SELECT id, seq FROM agreement_scopes WHERE key = ?", [key]).fetchone()
    if found is None:
        scope.missing = set(population)
        return scope
    scope.id, scope.seq = found
    changed = dict(db.execute("SELECT article_id, seq FROM article_changes WHERE seq > ?", [scope.seq]).fetchall())
    kept, kept_items = db.execute(
        "SELECT count(*), coalesce(sum(items), 0) FROM agreement_articles WHERE scope = ?", [scope.id]
    ).fetchone()
    rows = {article: (items, seq) for article, items, seq in db.execute(
        """SELECT article_id, items, seq FROM agreement_articles
           WHERE scope = ? AND article_id IN (SELECT value FROM json_each(?))""",
        [scope.id, _json_list(changed)],
    )} if changed else {}
    scope.stale = {article for article, (_items, seq) in rows.items() if changed[article] > seq}
    changed_missing = {article for article in changed if article in population and article not in rows}
    changed_missing |= scope.stale & population
    if kept - len(scope.stale) + len(changed_missing) == len(population):
        scope.missing = changed_missing
        scope.valid = population - changed_missing
        scope.items = kept_items - sum(rows[article][0] for article in scope.stale)
        return scope
    every = {article: (items, seq) for article, items, seq in _rows(
        db, "SELECT article_id, items, seq FROM agreement_articles WHERE scope = ?", [scope.id], "article_id, items, seq"
    )}
    scope.valid = {article for article, (_items, seq) in every.items()
                   if article in population and changed.get(article, 0) <= seq}
    scope.stale = set(every) - scope.valid
    scope.missing = population - scope.valid
    scope.items = sum(every[article][0] for article in scope.valid)
    return scope


def kept_disagreements(db: Database, scope: Scope) -> tuple[dict[int, int], dict[int, dict[int, int]]]:
    """Over the scope's valid kept articles: the number of disagreements by article, and by tag
    id the number by article of those that involve the tag."""
    if scope.id is None or not scope.valid:
        return {}, {}
    where, params = "scope = ? AND disagreements > 0", [scope.id]
    if scope.stale:
        where += " AND article_id NOT IN (SELECT value FROM json_each(?))"
        params.append(_json_list(scope.stale))
    overall = dict(_rows(db, f"SELECT article_id, disagreements FROM agreement_articles WHERE {where}", params,
                         "article_id, disagreements"))
    by_tag: dict[int, dict[int, int]] = {}
    for article, tag_id, count in _rows(
        db, f"SELECT article_id, tag_id, disagreeing FROM {scope.table} WHERE {where.replace('disagreements', 'disagreeing')}",
        params, "article_id, tag_id, disagreeing",
    ):
        by_tag.setdefault(tag_id, {})[article] = count
    return overall, by_tag


def kept_sums(db: Database, scope: Scope) -> dict[int, list[int]]:
    """The sums by tag id over the scope's valid kept articles."""
    if scope.id is None or not scope.valid:
        return {}
    columns = ", ".join(f"sum({column})" for column in scope.columns)
    where, params = "scope = ?", [scope.id]
    if scope.stale:
        where += " AND article_id NOT IN (SELECT value FROM json_each(?))"
        params.append(_json_list(scope.stale))
    return {tag: list(sums) for tag, *sums in db.execute(
        f"SELECT tag_id, {columns} FROM {scope.table} WHERE {where} GROUP BY tag_id", params
    )}


#: On `annotations n LEFT JOIN annotation_tags x`: the row is a coding, not a memo (no tag, a note).
NOT_A_MEMO = "(x.tag_id IS NOT NULL OR n.note IS NULL)"


def tagged_spans(
    db: Database, annotators: Sequence[str], articles: Sequence[int] | None = None
) -> Iterator[tuple[int, int, int, int, str]]:
    """(article id, start, end, tag id, annotator) for each tag of each annotation by these
    annotators, optionally only on `articles`; tag id 0 for an annotation without tags (but a
    memo, a note alone, is no coding: it is left out)."""
    marks = ", ".join("?" * len(annotators)) or "NULL"
    where, params = f"n.annotator IN ({marks}) AND {NOT_A_MEMO}", list(annotators)
    if articles is not None:
        where += " AND n.article_id IN (SELECT value FROM json_each(?))"
        params.append(_json_list(articles))
    return iter(db.execute(
        f"""SELECT n.article_id, n.start, n."end", coalesce(x.tag_id, 0), n.annotator
            FROM annotations n LEFT JOIN annotation_tags x ON x.annotation_id = n.id
            WHERE {where}""",
        params,
    ))


def passages_elsewhere(db: Database, annotator: str, other: str, elsewhere: set[int], tag_ids: Iterable[int]) -> int:
    """How many (annotation, tag) pairs with one of `tag_ids` `annotator` has on `elsewhere`, the
    articles `other` did not annotate: looked up one by one when they are few, else by checking
    each of the annotator's passages."""
    if len(elsewhere) <= LOOKUP_LIMIT:
        where, params = "n.article_id IN (SELECT value FROM json_each(?))", [_json_list(elsewhere)]
    else:
        where = "NOT EXISTS (SELECT 1 FROM annotations o WHERE o.annotator = ? AND o.article_id = n.article_id)"
        params = [other]
    found = db.execute(
        f"""SELECT count(*) FROM annotations n LEFT JOIN annotation_tags x ON x.annotation_id = n.id
            WHERE n.annotator = ? AND coalesce(x.tag_id, 0) IN (SELECT value FROM json_each(?)) AND {NOT_A_MEMO}
            AND {where}""",
        [annotator, _json_list(tag_ids), *params],
    ).fetchone()
    return found[0]


def tag_names(db: Database) -> dict[int, str]:
    """Tag id -> name, with 0 for "no tag" (reader.core.agreement.UNTAGGED)."""
    names = dict(db.execute("SELECT id, name FROM tags").fetchall())
    names[0] = ""
    return names


def save(db: Database, scopes: Iterable[Scope], read_at: int) -> bool:
    """Keep what `scopes` computed, read when the last change was `read_at`. In one write
    transaction that first checks every change the scope has not seen against its rows (so rows
    another comparison saved meanwhile are checked too) and leaves out fresh articles changed since
    `read_at`. False (and nothing kept) when the database refuses the write."""
    conn = db.conn
    if conn.in_transaction:
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            latest = last_change(db)
            for scope in scopes:
                _save_scope(db, scope, read_at, latest)
            _prune(db)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error:
        return False
    return True


def _save_scope(db: Database, scope: Scope, read_at: int, latest: int) -> None:
    row = db.execute("SELECT id, seq FROM agreement_scopes WHERE key = ?", [scope.key]).fetchone()
    if row is None:
        scope_id = db.execute("INSERT INTO agreement_scopes (key) VALUES (?)", [scope.key]).lastrowid
        seen = 0
    else:
        scope_id, seen = row
    # Every change the scope has not seen, and every change since the fresh sums were read.
    since = min(seen, read_at)
    changed = dict(db.execute("SELECT article_id, seq FROM article_changes WHERE seq > ?", [since]).fetchall())
    kept = dict(db.execute("SELECT article_id, seq FROM agreement_articles WHERE scope = ?", [scope_id]).fetchall())
    dropped = [article for article, seq in kept.items() if changed.get(article, 0) > seq]
    dropped += [article for article in scope.fresh if article in kept and article not in dropped]
    if dropped:
        listed = _json_list(dropped)
        for table in ("agreement_articles", scope.table):
            db.execute(f"DELETE FROM {table} WHERE scope = ? AND article_id IN (SELECT value FROM json_each(?))",
                       [scope_id, listed])
    fresh = [(article, counted) for article, counted in scope.fresh.items() if changed.get(article, 0) <= read_at]
    db.conn.executemany(
        "INSERT INTO agreement_articles (scope, article_id, items, seq, disagreements) VALUES (?, ?, ?, ?, ?)",
        [(scope_id, article, items, latest, listed) for article, (items, _sums, listed) in fresh],
    )
    marks = ", ".join("?" * (3 + len(scope.columns)))
    db.conn.executemany(
        f"INSERT INTO {scope.table} (scope, article_id, tag_id, {', '.join(scope.columns)}) VALUES ({marks})",
        [(scope_id, article, tag, *sums) for article, (_items, by_tag, _listed) in fresh for tag, sums in by_tag.items()],
    )
    db.execute("UPDATE agreement_scopes SET seq = ?, saved = ? WHERE id = ?", [latest, time.time(), scope_id])


def _prune(db: Database) -> None:
    old = [row[0] for row in db.execute(
        "SELECT id FROM agreement_scopes ORDER BY saved DESC, id DESC LIMIT -1 OFFSET ?", [KEPT_SCOPES]
    )]
    for scope_id in old:
        for table in ("agreement_articles", *(table for table, _columns in _TABLES.values())):
            db.execute(f"DELETE FROM {table} WHERE scope = ?", [scope_id])
        db.execute("DELETE FROM agreement_scopes WHERE id = ?", [scope_id])


def _rows(db: Database, sql: str, params: list, columns: str) -> list:
    """The rows of `sql` (naming `columns`), read as one JSON value: many rows cost one step of
    SQLite instead of one each. A thread reading while the app draws waits for Python's lock at
    every step, so this keeps the agreement screen's numbers from waiting on the drawing."""
    names = [column.strip() for column in columns.split(",")]
    value = names[0] if len(names) == 1 else f"json_array({', '.join(names)})"
    found = db.execute(f"SELECT json_group_array({value}) FROM ({sql})", params).fetchone()[0]
    return json.loads(found) if found else []


def _json_list(numbers: Iterable[int]) -> str:
    return "[" + ",".join(str(int(number)) for number in numbers) + "]"
