"""The entity index: every cached entity mention of every article in SQL, for retrieval from an entity.

It only mirrors the entity cache (it never recognises, never changes a span or a text), and a query is SQL on indexes, never a Python loop over the corpus.

Tables (created by migration m009, see `create_tables`):

- `entities`: one row per (key, label), with the surface first seen (`name`) and how many
  articles and mentions the index holds for it (kept current as articles are indexed; used to
  rank the picker). Rows are never deleted, so ids stay stable; a count can fall to 0.
- `entity_words`: the words of each entity's key without accents, for prefix search.
- `entity_mentions`: one row per mention (article, sentence number, start, end, entity) in the
  article's indexed text; `via` is set on an alias mention (see below) to the entity of its own
  surface. Primary key (article_id, sentence, start); index (entity_id, article_id, start, end, via).
- `entity_indexed`: which text (sha256), engine and date each article's rows come from;
  indexed by date, so "newest first" can walk it backwards.
- and an index on annotations (article_id, start, end), for the tags on passages that
  overlap a mention.
- `entity_months` (migration m013, see `create_month_counts`): per entity and month of its
  articles' `entity_indexed.published`, how many mentions and articles: the timeline chart reads
  a few hundred rows of it instead of joining millions of mentions to their articles. Kept by
  triggers (below), so it stays exact whoever writes the index: this module, another process,
  an older reader, a script.

Newest first: a frequent entity's early pages (and the newest articles its co-occurrence is
counted over) are found by walking `entity_indexed` newest first and probing each article for
the entity; other pages by gathering the entity's rows and sorting them; each way costs at
most about the entity's own number of rows (`_walk_newest_first`). Co-occurrence is counted
over the newest `CO_OCCURRENCE_ARTICLES` articles that mention the entity, and says so
(`CoOccurrence.considered` of `total`).

Entity key: the surface casefolded, curly apostrophes made straight, whitespace collapsed, a
leading "the " and a trailing "'s" dropped, and for PERSON a leading honorific ("Mr", "Dr.",
...) dropped: "The  United Nations" and "united nations" are one ORG, "Dr. Ana Lima" and
"Ana Lima" one PERSON. The label is part of the entity: "Lima" GPE and "Lima" PERSON differ.

Alias: in one article, a PERSON mention whose key is one word that is the last word of exactly
one longer PERSON key in the same article counts as that person ("Ana Lima ... Lima said"):
its row has the full name's entity and `via` the bare surname's. With two people of that
surname in the article the bare surname stays its own entity. Only spans the recogniser
labelled PERSON are merged: a surname it labelled otherwise (the city "Lima") is left alone.
In the same way, in one article, an acronym right after a name in brackets ("National Grain
Board (NGB)") counts as that name wherever the article uses it; and in every article a
country's other names ("U.S.", "USA", "America"; `naming.identity`) count as the country. The
picker finds an entity by any of these names.

What the index holds is the machine's cached spans. The user's word applies at query time:
an entity whose surface the user rejected with its label, or accepted with another label (the
article then shows it as that one), is left out of every result, and so is an alias mention
whose bare surname is. Entities the user added by accepting a surface the machine missed are
not in the index.

Re-caching a text replaces its article's rows. An article whose text changed keeps the rows
of its old text until the new text is cached (the background fill does it); `Mention.current`
is False for such rows. Articles cached before m009 are indexed by the background fill
(`index_cached`).
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

from reader.core.entities import LABELS, Span
from reader.core.entities.naming import display_name, entity_key, identities, identity, search_words
from reader.core.entities.packed import PackedSpansError, SpanTable
from reader.core.model import CoOccurrence, Entity, EntityArticle, Mention, Together
from reader.core.segment import sentence_spans

if TYPE_CHECKING:
    from sqlite_utils import Database

    from reader.store import Store

#: Co-occurrence is counted over at most this many articles mentioning the entity (its newest):
#: exact for all but frequent entities, and under 300 ms for an entity in 75% of 100,000 articles.
CO_OCCURRENCE_ARTICLES = 1_000
#: Characters of context shown on each side of a mention (cut back to whole words).
CONTEXT_CHARS = 60
#: Articles indexed per transaction by `index_cached`.
INDEX_BATCH = 32
#: Page sizes a caller may ask for.
MAX_PAGE = 1_000

#: Above every character a key can hold: `prefix + _TOP` bounds a prefix range.
_TOP = "\U0010ffff"


def create_tables(db: Database) -> None:
    """The index's tables (migration m009)."""
    db.execute(
        """CREATE TABLE entities (
               id INTEGER PRIMARY KEY,
               key TEXT NOT NULL,
               label TEXT NOT NULL,
               name TEXT NOT NULL,
               articles INTEGER NOT NULL DEFAULT 0,
               mentions INTEGER NOT NULL DEFAULT 0
           )"""
    )
    db.execute("CREATE UNIQUE INDEX idx_entities_key_label ON entities (key, label)")
    db.execute(
        """CREATE TABLE entity_words (
               word TEXT NOT NULL,
               entity_id INTEGER NOT NULL REFERENCES entities (id),
               PRIMARY KEY (word, entity_id)
           ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE entity_mentions (
               article_id INTEGER NOT NULL,
               sentence INTEGER NOT NULL,
               start INTEGER NOT NULL,
               "end" INTEGER NOT NULL,
               entity_id INTEGER NOT NULL,
               via INTEGER,
               PRIMARY KEY (article_id, sentence, start)
           ) WITHOUT ROWID"""
    )
    db.execute(
        'CREATE INDEX idx_entity_mentions_entity ON entity_mentions (entity_id, article_id, start, "end", via)'
    )
    db.execute(
        """CREATE TABLE entity_indexed (
               article_id INTEGER PRIMARY KEY REFERENCES articles (id),
               sha256 TEXT NOT NULL,
               engine TEXT NOT NULL,
               published TEXT,
               indexed TEXT NOT NULL
           )"""
    )
    # newest first: walked backwards (NULL, undated, sorts first, so it comes last)
    db.execute("CREATE INDEX idx_entity_indexed_published ON entity_indexed (published)")
    # the tags on passages that overlap a mention: found from the index alone, with no visit
    # to each annotation's row for its end (6x faster for a frequent entity)
    db.execute('CREATE INDEX idx_annotations_article_span ON annotations (article_id, start, "end")')


# ---- mentions per entity and month ---------------------------------------------------------

#: The month key `entity_months` keeps for an article without a date (`published` NULL). Nine
#: characters: never the first seven of a date, so no `published` can be taken for it.
UNDATED_KEY = "(undated)"


def _month_of(row: str) -> str:
    """SQL: the month key of an `entity_indexed` row (`NEW`, `OLD`, an alias): the first seven
    characters of its date ("2025-03"), as `mentions_per_month` has always grouped them."""
    return f"coalesce(substr({row}.published, 1, 7), '{UNDATED_KEY}')"


def _uncount(article: str) -> list[str]:
    """SQL statements taking article `article`'s mentions out of `entity_months` (from the month
    `entity_months_counted` says they are counted under; nothing when they are not counted)."""
    counted = f"(SELECT month FROM entity_months_counted WHERE article_id = {article})"
    return [
        *_add_article(article, counted, "-"),
        f"""DELETE FROM entity_months WHERE month = {counted} AND mentions <= 0
            AND entity_id IN (SELECT entity_id FROM entity_mentions WHERE article_id = {article})""",
        f"DELETE FROM entity_months_counted WHERE article_id = {article}",
    ]


def _count(article: str, month: str) -> list[str]:
    """SQL statements counting article `article`'s mentions under `month` (SQL)."""
    return [
        f"INSERT INTO entity_months_counted (article_id, month) VALUES ({article}, {month})",
        *_add_article(article, month, ""),
    ]


def _add_article(article: str, month: str, sign: str) -> list[str]:
    """SQL adding (`sign` "") or subtracting ("-") article `article`'s mentions and its one
    article per entity to the rows of `month` (SQL: nothing when it is NULL)."""
    return [
        f"""INSERT INTO entity_months (entity_id, month, mentions, articles)
            SELECT entity_id, {month}, {sign}count(*), {sign}1 FROM entity_mentions
            WHERE article_id = {article} AND {month} IS NOT NULL GROUP BY entity_id
            ON CONFLICT (month, entity_id) DO UPDATE SET mentions = mentions + excluded.mentions,
                                                         articles = articles + excluded.articles"""
    ]


def _add_mention(row: str) -> str:
    """SQL counting mention `row` (NEW) in `entity_months`, when its article is counted: one more
    mention, and one more article when no other mention of the entity is in that article."""
    return f"""INSERT INTO entity_months (entity_id, month, mentions, articles)
               SELECT {row}.entity_id, c.month, 1,
                      NOT EXISTS (SELECT 1 FROM entity_mentions o
                                  WHERE o.entity_id = {row}.entity_id AND o.article_id = {row}.article_id
                                    AND (o.sentence != {row}.sentence OR o.start != {row}.start))
               FROM entity_months_counted c WHERE c.article_id = {row}.article_id
               ON CONFLICT (month, entity_id) DO UPDATE SET mentions = mentions + 1, articles = articles + excluded.articles"""


def _remove_mention(row: str, still_there: str = "") -> list[str]:
    """SQL taking mention `row` (OLD) out of `entity_months`, when its article is counted: one
    mention less, and one article less when no other mention of the entity is left in it.
    `still_there` (SQL, starting with AND) leaves out of "other" the row itself when it is
    still in the table (an update)."""
    counted = f"(SELECT month FROM entity_months_counted WHERE article_id = {row}.article_id)"
    return [
        f"""UPDATE entity_months
            SET mentions = mentions - 1,
                articles = articles - NOT EXISTS (SELECT 1 FROM entity_mentions o
                                                  WHERE o.entity_id = {row}.entity_id AND o.article_id = {row}.article_id{still_there})
            WHERE entity_id = {row}.entity_id AND month = {counted}""",
        f"DELETE FROM entity_months WHERE entity_id = {row}.entity_id AND month = {counted} AND mentions <= 0",
    ]


#: The triggers that keep `entity_months` exact (see `create_month_counts`): name -> (when, statements).
_MONTH_TRIGGERS = {
    # an article indexed (or its row replaced: INSERT OR REPLACE, which fires no delete trigger,
    # hence the uncounting of what was counted for it before)
    "entity_months_indexed_insert": (
        "AFTER INSERT ON entity_indexed",
        [*_uncount("NEW.article_id"), *_count("NEW.article_id", _month_of("NEW"))],
    ),
    "entity_months_indexed_delete": ("AFTER DELETE ON entity_indexed", _uncount("OLD.article_id")),
    "entity_months_indexed_update": (
        f"""AFTER UPDATE OF article_id, published ON entity_indexed
            WHEN OLD.article_id IS NOT NEW.article_id OR {_month_of("OLD")} IS NOT {_month_of("NEW")}""",
        [*_uncount("OLD.article_id"), *_uncount("NEW.article_id"), *_count("NEW.article_id", _month_of("NEW"))],
    ),
    # mentions written or deleted while their article is counted (reader itself deletes an
    # article's row of entity_indexed before its mentions and writes it after them, so these
    # only look up that the article is not counted)
    "entity_months_mention_insert": (
        "AFTER INSERT ON entity_mentions WHEN EXISTS (SELECT 1 FROM entity_months_counted WHERE article_id = NEW.article_id)",
        [_add_mention("NEW")],
    ),
    "entity_months_mention_delete": (
        "AFTER DELETE ON entity_mentions WHEN EXISTS (SELECT 1 FROM entity_months_counted WHERE article_id = OLD.article_id)",
        _remove_mention("OLD"),
    ),
    "entity_months_mention_update": (
        "AFTER UPDATE OF article_id, entity_id ON entity_mentions",
        [
            *_remove_mention(
                "OLD", " AND NOT (o.article_id = NEW.article_id AND o.sentence = NEW.sentence AND o.start = NEW.start)"
            ),
            _add_mention("NEW"),
        ],
    ),
}


def create_month_counts(db: Database) -> None:
    """Migration m013: `entity_months` (entity, month) -> mentions and articles, filled from the
    index, and the triggers that keep it exact.

    What it counts: the mentions of each article that has a row in `entity_indexed`, under that
    row's month (`substr(published, 1, 7)`; `UNDATED_KEY` for NULL), and in how many such
    articles each entity is mentioned: what `mentions_per_month` grouped per mention before,
    without what the user hid (subtracted when read). Rows whose counts fall to 0 are deleted.

    `entity_months_counted` keeps the month each indexed article's mentions are counted under:
    so a row of `entity_indexed` replaced by INSERT OR REPLACE (which fires no delete trigger)
    is first uncounted from where it was. The triggers keep the table exact under any INSERT,
    UPDATE, DELETE or INSERT OR REPLACE of `entity_indexed`, and any INSERT, UPDATE or DELETE of
    `entity_mentions` (reader never replaces a mention: an article's are deleted, then written).

    The back-fill counts one month at a time (its articles' mentions by primary key, grouped by
    entity in memory, appended in key order): about 4 s for 8 million mentions, where one GROUP
    BY of them all sorts for 20 s. It runs in the migration's write transaction, so no other
    connection writes the index meanwhile.

    Cost to indexing: an article indexed for the first time about 0.4 ms more (its mentions
    counted in one grouped statement; each mention's own trigger only finds its article not
    counted yet), re-indexed about 0.7 ms more (1.4-1.6 ms before)."""
    db.execute(
        """CREATE TABLE entity_months (
               entity_id INTEGER NOT NULL,
               month TEXT NOT NULL,
               mentions INTEGER NOT NULL,
               articles INTEGER NOT NULL,
               PRIMARY KEY (month, entity_id)
           ) WITHOUT ROWID"""
    )
    db.execute("CREATE TABLE entity_months_counted (article_id INTEGER PRIMARY KEY, month TEXT NOT NULL)")
    fill_month_counts(db)
    _create_month_triggers(db)


def _create_month_triggers(db: Database) -> None:
    for name, (when, statements) in _MONTH_TRIGGERS.items():
        body = "".join(f"{statement};\n" for statement in statements)
        db.execute(f"CREATE TRIGGER {name} {when} BEGIN\n{body}END")


@contextmanager
def month_counts_suspended(db: Database) -> Iterator[None]:
    """For a bulk change of the whole index by SQL (every article re-dated, the index emptied):
    the triggers of `entity_months` are dropped meanwhile (a trigger per row would cost about
    0.5 ms per article), then the whole index is counted again (`fill_month_counts`) and the
    triggers made again. Use it inside the write transaction of the change: no other connection
    can write between, and none sees the triggers missing."""
    if not db.conn.in_transaction:
        raise RuntimeError("month_counts_suspended needs the caller's write transaction")
    for name in _MONTH_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    fill_month_counts(db)
    _create_month_triggers(db)


def fill_month_counts(db: Database) -> None:
    """Count the whole index into `entity_months` and `entity_months_counted` (emptied first).
    Call it in a write transaction, with the triggers absent (or the tables consistent)."""
    conn = db.conn
    conn.execute("DELETE FROM entity_months")
    conn.execute("DELETE FROM entity_months_counted")
    conn.execute(
        f"INSERT INTO entity_months_counted (article_id, month) SELECT i.article_id, {_month_of('i')} FROM entity_indexed i"
    )
    conn.execute("CREATE TEMP TABLE entity_months_fill (month TEXT NOT NULL, article_id INTEGER NOT NULL)")
    try:
        conn.execute("INSERT INTO temp.entity_months_fill SELECT month, article_id FROM entity_months_counted ORDER BY month, article_id")
        conn.execute("CREATE INDEX temp.entity_months_fill_month ON entity_months_fill (month, article_id)")
        months = [row[0] for row in conn.execute("SELECT DISTINCT month FROM temp.entity_months_fill")]
        for month in months:  # one month's mentions (~100,000 at 8 million) sort in memory
            conn.execute(
                """INSERT INTO entity_months (entity_id, month, mentions, articles)
                   SELECT m.entity_id, ?, count(*), count(DISTINCT m.article_id)
                   FROM temp.entity_months_fill f JOIN entity_mentions m ON m.article_id = f.article_id
                   WHERE f.month = ? GROUP BY m.entity_id""",
                [month, month],
            )
    finally:
        conn.execute("DROP TABLE temp.entity_months_fill")


# ---- indexing -----------------------------------------------------------------------------


def index_text(db: Database, sha256: str, engine: str, spans: SpanTable) -> bool:
    """Index `spans` (just cached for the text with this hash) as its article's mentions,
    replacing what the article had; False when no article has this text. Call it inside the
    write transaction that caches the spans."""
    row = db.execute("SELECT id, text, published FROM articles WHERE sha256 = ?", [sha256]).fetchone()
    if row is None:
        return False
    article_id, text, published = row
    index_article(db, article_id, sha256, engine, text, published, spans)
    return True


def index_article(
    db: Database,
    article_id: int,
    sha256: str,
    engine: str,
    text: str,
    published: str | None,
    spans: Sequence[Span] | SpanTable,
) -> int:
    """Replace the index rows of one article by the mentions of `spans` in `text`; returns how
    many mentions were indexed. Runs in the caller's transaction."""
    from reader.core.model import now_utc

    conn = db.conn
    _unindex(conn, article_id)
    mentions = _mentions(text, spans)
    if mentions:
        wanted: dict[tuple[str, str], str] = {}  # (key, label) -> the surface a new entity is named by
        for _start, _end, key, label, surface, via, _sentence in mentions:
            if via is None:
                wanted.setdefault((key, label), surface)
        for _start, _end, key, label, surface, via, _sentence in mentions:
            if via is not None:
                wanted.setdefault((via, label), surface)
                known = identity(via, label)
                wanted.setdefault((key, label), known[1] if known else surface)
        ids = _entity_ids(conn, wanted)
        rows = [
            (article_id, sentence, start, end, ids[(key, label)], ids[(via, label)] if via is not None else None)
            for start, end, key, label, _name, via, sentence in mentions
        ]
        conn.executemany(
            'INSERT INTO entity_mentions (article_id, sentence, start, "end", entity_id, via) VALUES (?, ?, ?, ?, ?, ?)',
            rows,
        )
        # typing another name of an entity ("usa", "ngb") finds it in the picker
        conn.executemany(
            "INSERT OR IGNORE INTO entity_words (word, entity_id) VALUES (?, ?)",
            {(word, ids[(key, label)]) for _s, _e, key, label, _n, via, _t in mentions if via is not None
             for word in search_words(via)},
        )
        per_entity = Counter(row[4] for row in rows)
        conn.executemany(
            "UPDATE entities SET articles = articles + 1, mentions = mentions + ? WHERE id = ?",
            [(count, entity_id) for entity_id, count in per_entity.items()],
        )
    # after the mentions: its trigger counts them into entity_months, grouped by entity
    conn.execute(
        "INSERT OR REPLACE INTO entity_indexed (article_id, sha256, engine, published, indexed) VALUES (?, ?, ?, ?, ?)",
        [article_id, sha256, engine, published, now_utc()],
    )
    return len(mentions)


def _unindex(conn, article_id: int) -> None:
    """Take an article's mentions out of the index and out of its entities' counts. Its row of
    entity_indexed goes first: its trigger takes all of them out of `entity_months` at once, and
    the mentions' own triggers then find the article uncounted (no work per mention)."""
    if conn.execute("SELECT 1 FROM entity_indexed WHERE article_id = ?", [article_id]).fetchone() is None:
        return
    old = conn.execute(
        "SELECT entity_id, count(*) FROM entity_mentions WHERE article_id = ? GROUP BY entity_id", [article_id]
    ).fetchall()
    conn.executemany(
        "UPDATE entities SET articles = articles - 1, mentions = mentions - ? WHERE id = ?",
        [(count, entity_id) for entity_id, count in old],
    )
    conn.execute("DELETE FROM entity_indexed WHERE article_id = ?", [article_id])
    conn.execute("DELETE FROM entity_mentions WHERE article_id = ?", [article_id])


def _mentions(
    text: str, spans: Iterable[Span]
) -> list[tuple[int, int, str, str, str, str | None, int]]:
    """(start, end, key, label, surface, alias via-key or None, sentence number) of each span
    with a non-empty key, in text order."""
    if isinstance(spans, SpanTable):  # sorted already; read its columns without building Spans
        triples = zip(spans.starts, spans.ends, (spans.label(index) for index in range(len(spans))))
    else:
        triples = sorted((span.start, span.end, span.label) for span in spans)
    found = []
    taken = -1  # spans do not overlap; one that does (a caller's mistake) is skipped, not fatal
    for start, end, label in triples:
        if not 0 <= start < end <= len(text) or start < taken:
            continue
        surface = text[start:end]
        key = entity_key(surface, label)
        if key:
            found.append((start, end, key, label, surface))
            taken = end
    if not found:
        return []
    sentence_starts = [start for start, _end in sentence_spans(text)]
    mentions = []
    named = identities(text, [(start, end, key, label) for start, end, key, label, _surface in found])
    for (start, end, _key, label, surface), (key, via) in zip(found, named):
        sentence = max(bisect.bisect_right(sentence_starts, start) - 1, 0)
        mentions.append((start, end, key, label, surface, via, sentence))
    return mentions


def _entity_ids(conn, wanted: dict[tuple[str, str], str]) -> dict[tuple[str, str], int]:
    """The id of each (key, label), creating the entities (and their words) that are new."""
    ids: dict[tuple[str, str], int] = {}
    pairs = list(wanted)
    for first in range(0, len(pairs), 400):
        chunk = pairs[first : first + 400]
        values = ",".join("(?, ?)" for _ in chunk)
        params = [part for pair in chunk for part in pair]
        for key, label, entity_id, name in conn.execute(  # one index probe per pair
            f"""SELECT e.key, e.label, e.id, e.name FROM (VALUES {values}) v
                JOIN entities e ON e.key = v.column1 AND e.label = v.column2""",
            params,
        ):
            ids[(key, label)] = entity_id
            better = display_name(wanted[(key, label)], label)
            if name.isupper() and not better.isupper():  # named first from a dateline ("GENEVA, March 3")
                conn.execute("UPDATE entities SET name = ? WHERE id = ?", [better, entity_id])
    words = []
    for pair in pairs:
        if pair in ids:
            continue
        key, label = pair
        entity_id = conn.execute(
            "INSERT INTO entities (key, label, name) VALUES (?, ?, ?)", [key, label, display_name(wanted[pair], label)]
        ).lastrowid
        ids[pair] = entity_id
        words += [(word, entity_id) for word in set(search_words(key))]
    conn.executemany("INSERT OR IGNORE INTO entity_words (word, entity_id) VALUES (?, ?)", words)
    return ids


def unindexed_articles(store: Store, engine: str) -> list[int]:
    """Ids of the articles whose current text has cached entities for `engine` but is not what
    the index holds for them (never indexed, indexed before their text changed, or from
    another engine), in id order. Reads indexes only (about 0.1 s at 100,000 articles)."""
    rows = store.db.execute(
        """SELECT a.id FROM articles a
           WHERE NOT EXISTS (SELECT 1 FROM entity_indexed i
                             WHERE i.article_id = a.id AND i.sha256 = a.sha256 AND i.engine = ?)
             AND EXISTS (SELECT 1 FROM entity_cache c WHERE c.sha256 = a.sha256 AND c.engine = ?)""",
        [engine, engine],
    ).fetchall()
    return sorted(row[0] for row in rows)


def index_cached(
    store: Store,
    engine: str,
    should_stop: Callable[[], bool] = lambda: False,
    pause: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index every article whose cached entities (for `engine`) the index does not hold yet:
    those cached before the index existed, or whose text changed. `INDEX_BATCH` articles per
    transaction; stops between batches when `should_stop()` turns true; sleeps `pause` seconds
    per article indexed between batches. Returns how many articles were indexed."""
    import time

    done = 0
    pending = unindexed_articles(store, engine)
    for first in range(0, len(pending), INDEX_BATCH):
        if should_stop():
            break
        batch = pending[first : first + INDEX_BATCH]
        marks = ",".join("?" * len(batch))
        rows = store.db.execute(
            f"""SELECT a.id, a.sha256, a.text, a.published, c.spans FROM articles a
                JOIN entity_cache c ON c.sha256 = a.sha256 AND c.engine = ?
                WHERE a.id IN ({marks})""",
            [engine, *batch],
        ).fetchall()
        with store.writing("the entity index"):
            for article_id, sha256, text, published, packed in rows:
                try:
                    spans = SpanTable.from_bytes(bytes(packed))
                except (PackedSpansError, TypeError):
                    continue  # an unreadable cache row: the article is recognised again when opened
                index_article(store.db, article_id, sha256, engine, text, published, spans)
                done += 1
        if progress is not None:
            progress(done)
        if pause:
            time.sleep(pause * len(rows))
    return done


# ---- what the user said ---------------------------------------------------------------------


def hidden_entities(store: Store) -> frozenset[int]:
    """Ids of the entities the user's feedback takes out of every result: a surface rejected
    as a label, and a surface accepted as one label under every other label."""
    pairs: set[tuple[str, str]] = set()
    for surface, label, verdict in store.entities.feedback():
        if verdict == "reject":
            pairs.add((entity_key(surface, label), label))
        elif verdict == "accept":
            pairs.update((entity_key(surface, other), other) for other in LABELS if other != label)
    ids = set()
    for key, label in pairs:
        row = store.db.execute("SELECT id FROM entities WHERE key = ? AND label = ?", [key, label]).fetchone()
        if row:
            ids.add(row[0])
    return frozenset(ids)


def _visible(alias: str, hidden: frozenset[int]) -> tuple[str, list[int]]:
    """SQL (starting with AND) leaving out the mentions (table alias `alias`) of hidden
    entities, and alias mentions whose bare surname is hidden; with its parameters."""
    if not hidden:
        return "", []
    marks = ",".join("?" * len(hidden))
    ids = sorted(hidden)
    return (
        f" AND {alias}.entity_id NOT IN ({marks}) AND ({alias}.via IS NULL OR {alias}.via NOT IN ({marks}))",
        ids + ids,
    )


# ---- queries --------------------------------------------------------------------------------


_ENTITY_COLUMNS = "e.id, e.key, e.label, e.name, e.articles, e.mentions"


def _page(offset: int, limit: int) -> None:
    if not isinstance(offset, int) or not isinstance(limit, int) or isinstance(offset, bool) or isinstance(limit, bool):
        raise TypeError(f"offset and limit must be whole numbers (got {offset!r}, {limit!r})")
    if offset < 0:
        raise ValueError(f"offset must be 0 or more (got {offset})")
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE} (got {limit})")


def _label(label: str | None) -> None:
    if label is not None and label not in LABELS:
        raise ValueError(f"unknown entity label {label!r} (one of: {', '.join(LABELS)})")


def get_entity(store: Store, entity_id: int) -> Entity:
    row = store.db.execute(f"SELECT {_ENTITY_COLUMNS} FROM entities e WHERE e.id = ?", [entity_id]).fetchone()
    if row is None:
        raise KeyError(f"no entity with id {entity_id} in the index")
    return Entity(*row)


def find_entity(
    store: Store, surface: str, label: str, article_id: int | None = None, start: int | None = None
) -> Entity | None:
    """The entity `surface` names as `label` (any surface of it: it is normalised), or None
    when the index has none. With `article_id` and `start`, the mention indexed there decides
    (so a bare surname finds the full name it stands for in that article)."""
    _label(label)
    if not isinstance(surface, str):
        raise TypeError(f"an entity's surface is text (got {surface!r})")
    if article_id is not None and start is not None:
        row = store.db.execute(
            f"""SELECT {_ENTITY_COLUMNS} FROM entity_mentions m JOIN entities e ON e.id = m.entity_id
                WHERE m.article_id = ? AND m.start = ? AND e.label = ?""",
            [article_id, start, label],
        ).fetchone()
        if row is not None:
            return Entity(*row)
    key = entity_key(surface, label)
    if not key:
        return None
    known = identity(key, label)  # "U.S." finds the United States
    if known is not None:
        key = known[0]
    row = store.db.execute(
        f"SELECT {_ENTITY_COLUMNS} FROM entities e WHERE e.key = ? AND e.label = ?", [key, label]
    ).fetchone()
    return Entity(*row) if row else None


def entities_matching(store: Store, typed: str, label: str | None = None, limit: int = 20) -> list[Entity]:
    """Entities with a word starting with each typed word ("lim" finds "Lima" and "Ana Lima",
    "ana li" only the latter; accents and case do not matter), most articles first; with
    nothing typed, the entities in most articles. Hidden entities are left out."""
    _label(label)
    _page(0, limit)
    if not isinstance(typed, str):
        raise TypeError(f"the typed text must be text (got {typed!r})")
    words = search_words(typed)
    hidden = hidden_entities(store)
    clauses, params = ["e.articles > 0"], []
    for position, word in enumerate(words[:8]):
        if position == 0:
            clauses.append("e.id IN (SELECT entity_id FROM entity_words WHERE word >= ? AND word < ?)")
        else:
            clauses.append(
                "EXISTS (SELECT 1 FROM entity_words w WHERE w.entity_id = e.id AND w.word >= ? AND w.word < ?)"
            )
        params += [word, word + _TOP]
    if label is not None:
        clauses.append("e.label = ?")
        params.append(label)
    if hidden:
        clauses.append(f"e.id NOT IN ({','.join('?' * len(hidden))})")
        params += sorted(hidden)
    rows = store.db.execute(
        f"""SELECT {_ENTITY_COLUMNS} FROM entities e WHERE {' AND '.join(clauses)}
            ORDER BY e.articles DESC, e.mentions DESC, e.name LIMIT ?""",
        [*params, limit],
    ).fetchall()
    return [Entity(*row) for row in rows]


def entity_totals(store: Store, entity: Entity) -> tuple[int, int]:
    """(mentions, articles) of `entity` in the index, without what the user hid."""
    hidden_sql, hidden_params = _visible("m", hidden_entities(store))
    return store.db.execute(
        f"SELECT count(*), count(DISTINCT m.article_id) FROM entity_mentions m WHERE m.entity_id = ?{hidden_sql}",
        [entity.id, *hidden_params],
    ).fetchone()


def _walk_newest_first(store: Store, depth: int, frequency: int) -> bool:
    """Whether a newest-first page reaching `depth` rows of an entity with `frequency` rows in
    all (its articles, or its mentions) is found sooner by walking every article newest first
    and probing each for the entity (a frequent entity, an early page: about depth x articles /
    frequency probes) than by gathering the entity's rows and sorting them (about frequency)."""
    indexed = store.db.execute("SELECT count(*) FROM entity_indexed").fetchone()[0]
    return depth * indexed < frequency * frequency


def articles_mentioning(store: Store, entity: Entity, offset: int = 0, limit: int = 50) -> list[EntityArticle]:
    """A page of the articles that mention `entity`, newest first (undated last), each with
    how many times and where first."""
    _page(offset, limit)
    hidden_sql, hidden_params = _visible("m", hidden_entities(store))
    if _walk_newest_first(store, offset + limit, entity.articles):
        mine = f"FROM entity_mentions m WHERE m.entity_id = ? AND m.article_id = i.article_id{hidden_sql}"
        page = f"""SELECT i.article_id, i.published, (SELECT count(*) {mine}) AS mentions, (SELECT min(m.start) {mine}) AS first
                   FROM entity_indexed i INDEXED BY idx_entity_indexed_published WHERE EXISTS (SELECT 1 {mine})
                   ORDER BY i.published DESC, i.article_id DESC LIMIT ? OFFSET ?"""
        params: list[object] = [entity.id, *hidden_params] * 3 + [limit, offset]
    else:
        page = f"""SELECT g.article_id, i.published, g.mentions, g.first FROM (
                       SELECT m.article_id, count(*) AS mentions, min(m.start) AS first FROM entity_mentions m
                       WHERE m.entity_id = ?{hidden_sql} GROUP BY m.article_id) g
                   JOIN entity_indexed i ON i.article_id = g.article_id
                   ORDER BY i.published DESC, g.article_id DESC LIMIT ? OFFSET ?"""
        params = [entity.id, *hidden_params, limit, offset]
    rows = store.db.execute(
        f"""SELECT p.article_id, a.title, a.source, p.published, p.mentions, p.first
            FROM ({page}) p JOIN articles a ON a.id = p.article_id
            ORDER BY p.published DESC, p.article_id DESC""",
        params,
    ).fetchall()
    return [EntityArticle(*row) for row in rows]


def mentions_of(
    store: Store,
    entity: Entity,
    offset: int = 0,
    limit: int = 50,
    article_id: int | None = None,
    context: int = CONTEXT_CHARS,
) -> list[Mention]:
    """A page of `entity`'s mentions with context: in one article (text order), or across the
    corpus (newest article first, then text order)."""
    _page(offset, limit)
    if not isinstance(context, int) or not 0 <= context <= 1000:
        raise ValueError(f"context must be between 0 and 1000 characters (got {context!r})")
    hidden_sql, hidden_params = _visible("m", hidden_entities(store))
    columns = 'm.article_id, m.start, m."end", m.via, i.published, i.sha256'
    if article_id is not None:
        page = f"""SELECT {columns} FROM entity_mentions m JOIN entity_indexed i ON i.article_id = m.article_id
                   WHERE m.entity_id = ? AND m.article_id = ?{hidden_sql}
                   ORDER BY m.start LIMIT ? OFFSET ?"""
        params: list[object] = [entity.id, article_id, *hidden_params, limit, offset]
    elif _walk_newest_first(store, offset + limit, entity.mentions):
        page = f"""SELECT {columns} FROM entity_indexed i INDEXED BY idx_entity_indexed_published
                   CROSS JOIN entity_mentions m ON m.entity_id = ? AND m.article_id = i.article_id{hidden_sql}
                   ORDER BY i.published DESC, i.article_id DESC, m.start LIMIT ? OFFSET ?"""
        params = [entity.id, *hidden_params, limit, offset]
    else:
        page = f"""SELECT {columns} FROM entity_mentions m JOIN entity_indexed i ON i.article_id = m.article_id
                   WHERE m.entity_id = ?{hidden_sql}
                   ORDER BY i.published DESC, m.article_id DESC, m.start LIMIT ? OFFSET ?"""
        params = [entity.id, *hidden_params, limit, offset]
    rows = store.db.execute(
        f"""SELECT p.article_id, a.title, p.published, p.start, p."end", v.key, p.sha256 = a.sha256,
                   max(p.start - ?, 0) AS cut, substr(a.text, max(p.start - ?, 0) + 1, p."end" - max(p.start - ?, 0) + ?)
            FROM ({page}) p JOIN articles a ON a.id = p.article_id LEFT JOIN entities v ON v.id = p.via
            ORDER BY p.published DESC, p.article_id DESC, p.start""",
        [context, context, context, context, *params],
    ).fetchall()
    mentions = []
    for found_in, title, published, start, end, via, current, cut, window in rows:
        before, surface, after = window[: start - cut], window[start - cut : end - cut], window[end - cut :]
        mentions.append(
            Mention(found_in, title, published, start, end, _tail(before, cut > 0), " ".join(surface.split()),
                    _head(after, len(after) >= context), via, bool(current))
        )
    return mentions


def _tail(text: str, cut: bool) -> str:
    """The end of `text` on one line, starting at a whole word when it was cut."""
    flat = " ".join(text.split()) + (" " if text[-1:].isspace() else "")
    if cut and " " in flat.strip():
        flat = "…" + flat[flat.index(" ") + 1 :]
    return flat


def _head(text: str, cut: bool) -> str:
    flat = (" " if text[:1].isspace() else "") + " ".join(text.split())
    if cut and " " in flat.strip():
        flat = flat[: flat.rindex(" ")] + "…"
    return flat


def co_occurring(
    store: Store,
    entity: Entity,
    limit: int = 20,
    order: Literal["sentence", "article"] = "sentence",
    articles: int = CO_OCCURRENCE_ARTICLES,
    labels: Iterable[str] | None = None,
) -> CoOccurrence:
    """The entities found most often with `entity` (only those with one of `labels`, when
    given): in how many sentences they share with it and in how many of its articles, over its
    newest `articles` articles (see CoOccurrence); ordered by shared sentences (or articles)
    first. Hidden entities are left out."""
    _page(0, limit)
    if order not in ("sentence", "article"):
        raise ValueError(f"order must be 'sentence' or 'article' (got {order!r})")
    if not isinstance(articles, int) or isinstance(articles, bool) or articles < 1:
        raise ValueError(f"articles must be a whole number of 1 or more (got {articles!r})")
    wanted_labels = None if labels is None else sorted(set(labels))
    for label in wanted_labels or ():
        _label(label)
    hidden = hidden_entities(store)
    mine_sql, mine_params = _visible("m", hidden)
    other_sql, other_params = _visible("o", hidden)
    # the labels are checked once per entity found, after counting (not once per mention)
    label_join = "" if wanted_labels is None else (
        f" JOIN entities e ON e.id = g.entity_id AND e.label IN ({','.join('?' * len(wanted_labels))})"
    )
    label_params = wanted_labels or []
    total = entity_totals(store, entity)[1]
    if total <= articles:
        chosen_ids = store.db.execute(
            f"SELECT DISTINCT m.article_id FROM entity_mentions m WHERE m.entity_id = ?{mine_sql}", [entity.id, *mine_params]
        ).fetchall()
    else:  # the newest: walk the articles newest first until enough of them mention it
        chosen_ids = store.db.execute(
            f"""SELECT i.article_id FROM entity_indexed i INDEXED BY idx_entity_indexed_published
                WHERE EXISTS (SELECT 1 FROM entity_mentions m WHERE m.entity_id = ? AND m.article_id = i.article_id{mine_sql})
                ORDER BY i.published DESC, i.article_id DESC LIMIT ?""",
            [entity.id, *mine_params, articles],
        ).fetchall()
    chosen = "chosen(article_id) AS MATERIALIZED (SELECT value FROM json_each(?))"
    chosen_params = [json.dumps([row[0] for row in chosen_ids])]
    by_article = dict(
        store.db.execute(
            f"""WITH {chosen}
                SELECT g.entity_id, g.articles FROM (
                    SELECT o.entity_id, count(DISTINCT o.article_id) AS articles FROM chosen c
                    JOIN entity_mentions o ON o.article_id = c.article_id
                    WHERE o.entity_id != ?{other_sql} GROUP BY o.entity_id) g{label_join}""",
            [*chosen_params, entity.id, *other_params, *label_params],
        ).fetchall()
    )
    by_sentence = dict(
        store.db.execute(
            f"""WITH {chosen},
                sentences(article_id, sentence) AS MATERIALIZED (
                    SELECT DISTINCT m.article_id, m.sentence FROM chosen c
                    JOIN entity_mentions m ON m.entity_id = ? AND m.article_id = c.article_id{mine_sql})
                SELECT g.entity_id, g.sentences FROM (
                    SELECT entity_id, count(*) AS sentences FROM (
                        SELECT DISTINCT s.article_id, s.sentence, o.entity_id FROM sentences s
                        JOIN entity_mentions o ON o.article_id = s.article_id AND o.sentence = s.sentence
                        WHERE o.entity_id != ?{other_sql})
                    GROUP BY entity_id) g{label_join}""",
            [*chosen_params, entity.id, *mine_params, entity.id, *other_params, *label_params],
        ).fetchall()
    )
    if order == "sentence":
        ranked = sorted(by_article, key=lambda other: (-by_sentence.get(other, 0), -by_article[other], other))
    else:
        ranked = sorted(by_article, key=lambda other: (-by_article[other], -by_sentence.get(other, 0), other))
    best = ranked[:limit]
    found = _entities(store, best)
    rows = [Together(found[other], by_sentence.get(other, 0), by_article[other]) for other in best if other in found]
    return CoOccurrence(rows, len(chosen_ids), total)


def _entities(store: Store, ids: Sequence[int]) -> dict[int, Entity]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = store.db.execute(f"SELECT {_ENTITY_COLUMNS} FROM entities e WHERE e.id IN ({marks})", list(ids))
    return {row[0]: Entity(*row) for row in rows}


def tags_on_mentions(store: Store, entity: Entity, annotator: str | None = None) -> list[tuple[str, int]]:
    """(tag, number of annotations) for the annotations whose passage overlaps a mention of
    `entity` (only `annotator`'s when given), most used first."""
    hidden_sql, hidden_params = _visible("m", hidden_entities(store))
    annotator = store.study.whose(annotator)  # blind study: the viewer's own tags alone
    mine, mine_params = ("", []) if annotator is None else (" AND n.annotator = ?", [annotator])
    rows = store.db.execute(
        f"""SELECT t.name, count(*) FROM (
                SELECT DISTINCT n.id FROM entity_mentions m
                JOIN annotations n ON n.article_id = m.article_id AND n.start < m."end" AND n."end" > m.start
                WHERE m.entity_id = ?{hidden_sql}{mine}) hit
            JOIN annotation_tags nt ON nt.annotation_id = hit.id JOIN tags t ON t.id = nt.tag_id
            GROUP BY t.id ORDER BY count(*) DESC, t.name""",
        [entity.id, *hidden_params, *mine_params],
    ).fetchall()
    return [(name, count) for name, count in rows]


def mentions_per_month(
    store: Store, entities: Sequence[Entity], from_rows: bool = False
) -> dict[int, list[tuple[str | None, int, int]]]:
    """For each entity (by id): (month "YYYY-MM" or None for undated articles, mentions,
    articles) in month order, undated last: the series of a timeline chart.

    Read from `entity_months` (a row per entity and month: about 1 ms for any entity), less
    what the user hid: a hidden entity has no series, and the alias mentions written as a hidden
    bare surname are subtracted (found among the entity's own rows of the index, with their
    articles' months): the same numbers as grouping the visible mentions themselves
    (`_mentions_per_month_of_rows`, with `from_rows`: the reference the kept counts must agree with)."""
    if not entities:
        return {}
    if len(entities) > 50:
        raise ValueError(f"a timeline takes at most 50 entities (got {len(entities)})")
    hidden = hidden_entities(store)
    ids = [entity.id for entity in entities]
    series: dict[int, list[tuple[str | None, int, int]]] = {entity_id: [] for entity_id in ids}
    shown = sorted({entity_id for entity_id in ids if entity_id not in hidden})
    if not shown:
        return series
    if from_rows:
        return _mentions_per_month_of_rows(store, series, hidden)
    marks = ",".join("?" * len(shown))
    if hidden:
        # the mentions an alias of a hidden bare surname hides, per (entity, month), and the
        # articles where all of the entity's mentions are such
        hidden_marks = ",".join("?" * len(hidden))
        less = f"""less(entity_id, month, mentions, articles) AS (
                       SELECT h.entity_id, {_month_of("i")}, sum(h.mentions), sum(h.gone) FROM (
                           SELECT m.entity_id, m.article_id, count(*) AS mentions,
                                  NOT EXISTS (SELECT 1 FROM entity_mentions o
                                              WHERE o.entity_id = m.entity_id AND o.article_id = m.article_id
                                                AND (o.via IS NULL OR o.via NOT IN ({hidden_marks}))) AS gone
                           FROM entity_mentions m WHERE m.entity_id IN ({marks}) AND m.via IN ({hidden_marks})
                           GROUP BY m.entity_id, m.article_id) h
                       JOIN entity_indexed i ON i.article_id = h.article_id
                       GROUP BY h.entity_id, 2)"""
        params: list[object] = [*sorted(hidden), *shown, *sorted(hidden)]
    else:
        less, params = "less(entity_id, month, mentions, articles) AS (SELECT NULL, NULL, 0, 0 WHERE 0)", []
    # the table is keyed by month first (an article's rows are then written together): its few
    # months are walked one index seek each, and each month's rows of the entities looked up;
    # read as one JSON array (one row of SQLite: the Charts screen's thread waits for the GIL
    # once, not once per row, while the screen is drawn), in month order, undated last
    found = store.db.execute(
        f"""WITH RECURSIVE {less},
            months(month) AS (
                SELECT min(month) FROM entity_months
                UNION ALL
                SELECT (SELECT min(e.month) FROM entity_months e WHERE e.month > months.month) FROM months
                WHERE months.month IS NOT NULL),
            found(entity_id, month, mentions, articles) AS (
                SELECT s.entity_id, nullif(s.month, '{UNDATED_KEY}'), s.mentions - coalesce(l.mentions, 0),
                       s.articles - coalesce(l.articles, 0)
                FROM months CROSS JOIN entity_months s ON s.month = months.month AND s.entity_id IN ({marks})
                LEFT JOIN less l ON l.entity_id = s.entity_id AND l.month = s.month
                WHERE s.mentions > coalesce(l.mentions, 0))
            SELECT json_group_array(json_array(entity_id, month, mentions, articles)) FROM found""",
        [*params, *shown],
    ).fetchone()[0]
    for entity_id, month, mentions, articles in sorted(json.loads(found), key=lambda row: (row[1] is None, row[1] or "")):
        series[entity_id].append((month, mentions, articles))
    return series


def _mentions_per_month_of_rows(
    store: Store, series: dict[int, list[tuple[str | None, int, int]]], hidden: frozenset[int]
) -> dict[int, list[tuple[str | None, int, int]]]:
    """`mentions_per_month` from the mentions themselves, each joined to its article's date
    (about 0.5 s for 500,000 mentions): the reference `entity_months` must agree with."""
    hidden_sql, hidden_params = _visible("m", hidden)
    ids = list(series)
    marks = ",".join("?" * len(ids))
    rows = store.db.execute(
        f"""SELECT m.entity_id, substr(i.published, 1, 7) AS month, count(*), count(DISTINCT m.article_id)
            FROM entity_mentions m JOIN entity_indexed i ON i.article_id = m.article_id
            WHERE m.entity_id IN ({marks}){hidden_sql}
            GROUP BY m.entity_id, month ORDER BY m.entity_id, month IS NULL, month""",
        [*ids, *hidden_params],
    )
    for entity_id, month, mentions, articles in rows:
        series[entity_id].append((month, mentions, articles))
    return series


def index_size(store: Store) -> dict[str, int]:
    """Row counts of the index's tables (for the benchmark and the curious)."""
    return {
        table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("entities", "entity_words", "entity_mentions", "entity_indexed")
    }
