"""Figures about the corpus for charts and `reader stats`: totals, tags per source and per month, tag co-occurrence, entity mentions per month.

Read-only: besides store.py the one module holding SQL, and only SELECTs (one aggregate per figure, never a Python loop over the corpus); it never writes.

Every figure is a `Matrix` of counts (rows by columns) with exact totals, so the terminal
charts, the tables, JSON and CSV of `reader stats` all print the same numbers:

- `tag_counts(store, "source" | "month", unit)`: rows are sources (None: articles without
  one) or months "YYYY-MM" (None: "undated", an article whose `published` does not start
  with a year and month), columns are tags. `unit` "passages" counts tagged passages (an
  annotation with two tags counts once under each); "articles" counts articles with the tag
  on a passage or on the whole article. Row and column totals are sums ("sum": a passage
  with two tags counts under both). Optionally only one annotator's work, and only some tags.
- `tag_co_occurrence(store, level)`: tags by tags; a cell counts the passages (level
  "passage") or articles ("article") that have both tags, the diagonal those with the tag
  (and so do the column totals); a row's total counts those with its tag and another.
- `entity_months(store, entities)`: months by entities, from the entity index
  (reader/store/entity_index.py, `mentions_per_month`).
- `corpus_totals(store)`: the headline numbers.

Speed (benchmarks/insight_bench.py, 100,000 articles and 200,000 annotations: every figure
under 300 ms): each tagging keeps its article's month and source (store migration m013,
kept by triggers), so everyone's tags per month or source are grouped off one covering index of
annotation_tags in its order, with no look-up per tagging (15-40 ms); entity mentions per month
come from the entity index's counts per entity and month (m013, ~1 ms). One annotator's tags
are counted one row key at a time: the articles of a key from an index of articles
(`idx_articles_published`, `idx_articles_source_nocase`, never their rows), each article's
taggings from the index of annotation_tags led by article_id (m012); without it, all taggings
are grouped at once on one integer key (slower). Co-occurrence is counted per distinct set of
tags, the sets of articles read off annotation_tags in (article, tag) order. `READ_SUMMARIES`
False counts from the rows as before m013 (the same numbers). `prepare_reading` tunes a
connection of the caller's own for this.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from reader.core.model import Entity
    from reader.store import Store

By = Literal["source", "month", "attribute"]
Unit = Literal["passages", "articles"]
Level = Literal["passage", "article"]
EntityUnit = Literal["mentions", "articles"]

BY_CHOICES: tuple[By, ...] = ("source", "month")
UNITS: tuple[Unit, ...] = ("passages", "articles")
LEVELS: tuple[Level, ...] = ("passage", "article")

#: How a missing row key is shown: an article without a source, an undated article.
NO_SOURCE = "(no source)"
UNDATED = "undated"
#: Months between the first and last dated month are filled in (with zeros) only when there
#: are no more than this many: a stray "9999-12" must not make a chart of 95,000 empty months.
MAX_FILLED_MONTHS = 1_200

#: Whether the figures read what store migration m013 keeps (each tagging's month and source,
#: the entity index's counts per entity and month) and count co-occurring tags on articles
#: from the index in order; False counts from the rows as before m013: the same numbers, slower
#: (benchmarks/insight_bench.py times both ways; the tests compare them).
READ_SUMMARIES = True

#: What `published` starts with when an article has a month (else it is "undated").
_MONTH_GLOB = "[0-9][0-9][0-9][0-9]-[0-1][0-9]*"
#: A month "YYYY-MM" that can be counted forward (01 to 12).
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True, slots=True)
class Matrix:
    """Counts by row and column, with exact totals.

    `rows` are the row keys (None for "no source" / "undated"), `columns` the column keys;
    `counts[r][c]` the count of row r and column c. `column_totals[c]` sums column c.
    `row_totals[r]` is the row's own total (not always the sum of its cells: a passage with
    two tags is one passage), `total` the whole table's, likewise.
    """

    row_kind: str
    column_kind: str
    unit: str
    rows: tuple[str | None, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    total: int
    #: What the row total counts, in a word or two ("all tags", "sum").
    total_label: str = "all"

    def cell(self, row: str | None, column: str) -> int:
        """The count of one row and column (0 when either is absent)."""
        try:
            return self.counts[self.rows.index(row)][self.columns.index(column)]
        except ValueError:
            return 0

    def column(self, column: str) -> list[tuple[str | None, int]]:
        """(row, count) down one column, in row order."""
        index = self.columns.index(column)
        return [(row, counts[index]) for row, counts in zip(self.rows, self.counts)]

    @property
    def max_count(self) -> int:
        return max((count for counts in self.counts for count in counts), default=0)

    def row_label(self, row: str | None) -> str:
        """How a row key reads in a table ("(no source)", "undated" for None)."""
        if row is not None:
            return row
        return {"month": UNDATED, "source": NO_SOURCE}.get(self.row_kind, f"(no {self.row_kind})")

    def as_dict(self) -> dict:
        """Plain data for JSON: the same numbers, None rows as null."""
        return {
            "rows": self.row_kind,
            "columns": self.column_kind,
            "unit": self.unit,
            "column_keys": list(self.columns),
            "table": [
                {self.row_kind: row, "counts": dict(zip(self.columns, counts)), self.total_label: total}
                for row, counts, total in zip(self.rows, self.counts, self.row_totals)
            ],
            "column_totals": dict(zip(self.columns, self.column_totals)),
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class Totals:
    """The headline numbers of the corpus (with `annotator`, of that annotator's work)."""

    articles: int
    annotated_articles: int
    annotations: int
    #: Tags in the codebook, and how many of them are on at least one passage or article.
    tags: int
    tags_used: int
    annotators: int
    sources: int
    #: The first and last `published` date (ISO text as stored), and how many have none (or
    #: one that does not start with a year and month: "undated" in the figures too).
    first_published: str | None
    last_published: str | None
    undated_articles: int
    annotator: str | None = None

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


def prepare_reading(store: Store) -> None:
    """Tune `store`'s connection for these aggregates: sorts in memory, a 64 MB page cache, and
    reads through a 256 MB memory map. Connection settings only: nothing is written to the file.
    Meant for a connection of the caller's own that reads figures (the Charts screen's thread)."""
    store.db.execute("PRAGMA temp_store = MEMORY")
    store.db.execute("PRAGMA cache_size = -65536")
    store.db.execute("PRAGMA mmap_size = 268435456")


# ---- totals ---------------------------------------------------------------------------------


def corpus_totals(store: Store, annotator: str | None = None) -> Totals:
    """Articles, annotated articles, annotations, tags, annotators, sources and the date range;
    with `annotator`, annotated articles, annotations and tags in use are that person's (in a
    blind study, the viewer's own whatever was asked)."""
    annotator = store.study.whose(annotator)
    db = store.db
    mine, params = ("WHERE annotator = ?", [annotator]) if annotator is not None else ("", [])
    articles, sources, undated = db.execute(
        f"""SELECT (SELECT count(*) FROM articles),
                   (SELECT count(*) FROM (SELECT DISTINCT source FROM articles WHERE source IS NOT NULL)),
                   (SELECT count(*) FROM articles WHERE published IS NULL OR NOT published GLOB '{_MONTH_GLOB}')"""
    ).fetchone()
    # dates as the figures count them (an odd `published` is undated); digits sort before ":"
    first, last = db.execute(
        f"""SELECT (SELECT min(published) FROM articles WHERE published >= '0' AND published GLOB '{_MONTH_GLOB}'),
                   (SELECT max(published) FROM articles WHERE published < ':' AND published GLOB '{_MONTH_GLOB}')"""
    ).fetchone()
    annotations, annotated = db.execute(
        f"SELECT count(*), count(DISTINCT article_id) FROM annotations {mine}", params
    ).fetchone()
    tags = db.execute("SELECT count(*) FROM tags").fetchone()[0]
    used = db.execute(
        f"""SELECT count(*) FROM (
                SELECT DISTINCT nt.tag_id FROM annotation_tags nt
                {"JOIN annotations n ON n.id = nt.annotation_id WHERE n.annotator = ?" if annotator is not None else ""}
                UNION SELECT DISTINCT tag_id FROM article_tags {mine})""",
        params * 2,
    ).fetchone()[0]
    annotators = db.execute(f"SELECT count(DISTINCT annotator) FROM annotations {mine}", params).fetchone()[0]
    return Totals(
        articles=articles, annotated_articles=annotated, annotations=annotations, tags=tags, tags_used=used,
        annotators=annotators, sources=sources, first_published=first, last_published=last,
        undated_articles=undated, annotator=annotator,
    )


# ---- a coding study's progress -------------------------------------------------------------


def coder_progress(store: Store) -> Matrix:
    """Coders (rows) by their queue's progress (share done in %, done, assigned) and their
    passages per tag (columns); the row total counts their annotations. In a blind study a coder
    sees their own row alone (`Assignments.by_annotator` asks the study)."""
    coders = store.assignments.by_annotator()
    tags = tuple(tag_names(store))
    columns = ("done %", "done", "assigned", *tags)
    counts = tuple(
        (round(100 * coder.done / coder.assigned) if coder.assigned else 0, coder.done, coder.assigned,
         *(dict(coder.tags).get(tag, 0) for tag in tags))
        for coder in coders
    )
    column_totals = tuple(sum(row[index] for row in counts) for index in range(len(columns)))
    done, assigned = column_totals[1], column_totals[2]
    column_totals = (round(100 * done / assigned) if assigned else 0, *column_totals[1:])
    totals = tuple(coder.annotations for coder in coders)
    return Matrix("coder", "progress", "articles", tuple(coder.annotator for coder in coders), columns, counts,
                  totals, column_totals, sum(totals), total_label="annotations")


# ---- tags -----------------------------------------------------------------------------------


def tag_names(store: Store, under: str | None = None) -> list[str]:
    """Every tag by name; with `under`, that tag and the tags nested in it ("a" gives "a", "a/b")."""
    if under is None:
        return [row[0] for row in store.db.execute("SELECT name FROM tags ORDER BY name")]
    return store.tags.family(under)


def _shown_tags(store: Store, tags: Sequence[str] | None) -> tuple[dict[int, str], int]:
    """Id -> name of the tags the columns show, in tree order (all tags when `tags` is None),
    and how many tags the codebook has: read in one row."""
    rows = _fetch(store, "SELECT id, name FROM tags", [], 2)
    if tags is not None:
        wanted = set(tags)
        shown = [row for row in rows if row[1] in wanted]
    else:
        shown = rows
    return dict(sorted(((tag_id, name) for tag_id, name in shown), key=lambda row: row[1].split("/"))), len(rows)


def _tag_filter(alias: str, ids: dict[int, str], all_ids: int) -> tuple[str, list[int]]:
    """SQL (starting with AND) keeping the rows of `alias` whose tag_id is one of `ids`."""
    if len(ids) == all_ids:
        return "", []
    return f" AND {alias}.tag_id IN ({','.join('?' * len(ids)) or 'NULL'})", list(ids)


#: The columns of annotation_tags and the indexes (their columns in order) of the tables the
#: figures read, per store, with the schema version they were read at: read again only when the
#: schema changed, so a figure asks SQLite one small question about it, not a dozen (each
#: statement waits for the GIL in the Charts screen's thread while the screen is drawn).
_SCHEMAS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _schema(store: Store) -> tuple[frozenset[str], dict[str, tuple[tuple[str, ...], ...]]]:
    """(columns of annotation_tags, {table: column lists of its indexes})."""
    version = store.db.execute("PRAGMA schema_version").fetchone()[0]
    cached = _SCHEMAS.get(store)
    if cached is not None and cached[0] == version:
        return cached[1]
    rows = store.db.execute(
        """SELECT m.tbl_name, (SELECT json_group_array(coalesce(name, '')) FROM (
                                   SELECT i.name FROM pragma_index_info(m.name) i ORDER BY i.seqno))
           FROM sqlite_master m WHERE m.type = 'index' AND m.tbl_name IN ('annotation_tags', 'annotations')"""
    ).fetchall()
    indexes: dict[str, list[tuple[str, ...]]] = {}
    for table, columns in rows:
        indexes.setdefault(table, []).append(tuple(json.loads(columns)))
    columns = frozenset(row[0] for row in store.db.execute("SELECT name FROM pragma_table_info('annotation_tags')"))
    schema = (columns, {table: tuple(found) for table, found in indexes.items()})
    _SCHEMAS[store] = (version, schema)
    return schema


def _tagging_has_article(store: Store) -> bool:
    """Whether annotation_tags keeps each tagging's article (store migration m011)."""
    return "article_id" in _schema(store)[0]


def _has_index(store: Store, table: str, columns: Sequence[str]) -> bool:
    """Whether `table` (annotation_tags or annotations) has an index whose first columns are
    `columns`, in that order."""
    return any(found[: len(columns)] == tuple(columns) for found in _schema(store)[1].get(table, ()))


def _per_key(store: Store, annotator: str | None) -> bool:
    """Whether `tag_counts` can count one row key at a time: annotation_tags has an index led
    by article_id (then one article's taggings are one probe away) and, for one annotator's
    passages, annotations one led by (annotator, article_id)."""
    if not _tagging_has_article(store) or not _has_index(store, "annotation_tags", ["article_id"]):
        return False
    return annotator is None or _has_index(store, "annotations", ["annotator", "article_id"])


def _taggings(
    store: Store, annotator: str | None, ids: dict[int, str], all_ids: int, articles: str = "articles a",
    join: str = "JOIN", also: str = "",
) -> tuple[str, list, str, list]:
    """SQL selecting (article_id, tag_id), one row per tag on a passage, joined to `articles`
    (alias a: its WHERE is the caller's), only `annotator`'s passages and the tags `ids`; and
    SQL selecting the (article_id, tag_id) of whole-article tags no such passage of the article
    has (so that with the distinct pairs of the first they make a union without duplicates),
    each with its parameters (placed before the caller's). `join` "CROSS JOIN" makes SQLite
    read the articles first (their taggings are then probed by article); `also` adds columns
    of the articles to both selections (", a.k AS k")."""
    tag_sql, tag_params = _tag_filter("nt", ids, all_ids)
    whole_sql, _ = _tag_filter("g", ids, all_ids)
    who = [annotator] if annotator is not None else []
    if annotator is None and _tagging_has_article(store):
        # annotation_tags knows each tagging's article (store migration m011): no look-up per passage
        rows = f"SELECT a.id AS article_id, nt.tag_id{also} FROM {articles} {join} annotation_tags nt ON nt.article_id = a.id{tag_sql}"
        probe = "SELECT 1 FROM annotation_tags x WHERE x.article_id = g.article_id AND x.tag_id = g.tag_id"
        rows_params, probe_params = list(tag_params), []
    else:
        mine = " AND n.annotator = ?" if annotator is not None else ""
        rows = f"""SELECT a.id AS article_id, nt.tag_id{also} FROM {articles} {join} annotations n ON n.article_id = a.id{mine}
                   {join} annotation_tags nt ON nt.annotation_id = n.id{tag_sql}"""
        probe = f"""SELECT 1 FROM annotations n JOIN annotation_tags x ON x.annotation_id = n.id
                    WHERE n.article_id = g.article_id AND x.tag_id = g.tag_id{mine}"""
        rows_params, probe_params = [*who, *tag_params], who
    mine_g = " AND g.annotator = ?" if annotator is not None else ""
    extra = f"""SELECT a.id AS article_id, g.tag_id{also} FROM {articles} {join} article_tags g ON g.article_id = a.id{mine_g}{whole_sql}
                AND NOT EXISTS ({probe})"""
    return rows, rows_params, extra, [*who, *tag_params, *probe_params]


def tag_counts(
    store: Store,
    by: By,
    unit: Unit = "passages",
    annotator: str | None = None,
    tags: Sequence[str] | None = None,
    attribute: str | None = None,
    where: Sequence[tuple[str, str]] = (),
) -> Matrix:
    """Tags (columns) per source, per month or per value of the article attribute `attribute`
    (rows), counting passages or articles; a row's total is the sum of its cells (a passage with
    two tags counts under both). `where`: only articles whose attribute name is value, for every
    (name, value).

    Sources and attribute values are ordered by their total, most first (none last); months in
    time order, gaps filled with zeros, undated last. Every tag of the codebook is a column (or
    only `tags`).
    """
    annotator = store.study.whose(annotator)  # blind study: the viewer's own work alone
    if by not in (*BY_CHOICES, "attribute"):
        raise ValueError(f"by must be one of {', '.join(BY_CHOICES)} or attribute (got {by!r})")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)} (got {unit!r})")
    if (by == "attribute") != (attribute is not None):
        raise ValueError("an attribute is given with by='attribute', and only then")
    ids, all_ids = _shown_tags(store, tags)
    if by == "attribute" or where:
        cells = _counts_at_once(store, by, unit, annotator, ids, all_ids, attribute, where)
    elif annotator is None and READ_SUMMARIES and _has_tagging_keys(store):
        cells = _counts_from_keys(store, by, unit, ids, all_ids)
    elif _per_key(store, annotator):
        cells = _counts_per_key(store, by, unit, annotator, ids, all_ids)
    else:
        cells = _counts_at_once(store, by, unit, annotator, ids, all_ids)
    row_totals: dict[str | None, int] = {}
    for _tag_id, row, count in cells:
        row_totals[row] = row_totals.get(row, 0) + count
    if by == "month":
        order = _months(list(row_totals))
    else:
        order = sorted(row_totals, key=lambda key: (key is None, -row_totals[key], (key or "").casefold(), key or ""))
    return _matrix(attribute if by == "attribute" and attribute else by, "tag", unit, order, ids, cells, "sum")


#: The index of annotation_tags that each row key is counted from (store migration m013): the
#: article's month or source that each tagging keeps, then its tag and article.
_KEY_INDEXES = {"month": ("article_month", "idx_annotation_tags_month"), "source": ("article_source", "idx_annotation_tags_source")}
#: SQL: the row key "month" of article a (NULL: undated), as m013 keeps it for each tagging.
_ARTICLE_MONTH = f"CASE WHEN a.published GLOB '{_MONTH_GLOB}' THEN substr(a.published, 1, 7) END"


def _has_tagging_keys(store: Store) -> bool:
    """Whether each tagging keeps its article's month and source, indexed (store migration m013)."""
    return all(_has_index(store, "annotation_tags", [column, "tag_id", "article_id"]) for column, _ in _KEY_INDEXES.values())


def _counts_from_keys(
    store: Store, by: By, unit: Unit, ids: dict[int, str], all_ids: int
) -> list[tuple[int, str | None, int]]:
    """(tag id, row key, count) cells read off one index of annotation_tags, (month or source,
    tag, article): grouped in index order, with no look-up per tagging (about 30 ms at 270,000
    taggings; 50 ms counting articles, with the few whole-article tags their article's key looked
    up). Everyone's passages only: the index knows no annotator."""
    column, index = _KEY_INDEXES[by]
    tag_sql, tag_params = _tag_filter("nt", ids, all_ids)
    counted = "count(*)" if unit == "passages" else "count(DISTINCT nt.article_id)"
    sql = f"""SELECT nt.{column}, nt.tag_id, {counted} FROM annotation_tags nt INDEXED BY {index}
              WHERE 1{tag_sql} GROUP BY nt.{column}, nt.tag_id"""
    params = list(tag_params)
    if unit == "articles":  # and the whole-article tags no passage of their article has
        whole_sql, whole_params = _tag_filter("g", ids, all_ids)
        key = _ARTICLE_MONTH if by == "month" else "a.source"
        sql += f""" UNION ALL
                  SELECT {key}, g.tag_id, count(*) FROM article_tags g JOIN articles a ON a.id = g.article_id
                  WHERE 1{whole_sql}
                    AND NOT EXISTS (SELECT 1 FROM annotation_tags x WHERE x.article_id = g.article_id AND x.tag_id = g.tag_id)
                  GROUP BY 1, 2"""
        params += whole_params
    return [(tag_id, key, count) for key, tag_id, count in _fetch(store, sql, params, 3)]


def _fetch(store: Store, sql: str, params: Sequence, width: int) -> list[list]:
    """The rows of `sql` (`width` columns: integers, text, NULL) in one row of SQLite, as a JSON
    array: the Charts screen's thread then waits for the GIL once while the screen is being
    drawn, not once per row (a few hundred rows cost it 50-100 ms so)."""
    names = ", ".join(f"c{index}" for index in range(width))
    found = store.db.execute(f"WITH r({names}) AS ({sql}) SELECT json_group_array(json_array({names})) FROM r", params)
    return json.loads(found.fetchone()[0])


#: For each part of the rows: its row keys (`name`), and the articles (alias a) of the key
#: `keys.name` (correlated), read from an index: dated months, the undated, sources, no source.
_KEY_PARTS = {
    "month": (
        (f"SELECT DISTINCT substr(published, 1, 7) AS name FROM articles WHERE published GLOB '{_MONTH_GLOB}'",
         "a.published >= keys.name AND a.published < keys.name || char(1114111)"),
        ("SELECT NULL AS name", f"(a.published IS NULL OR NOT a.published GLOB '{_MONTH_GLOB}')"),
    ),
    "source": (
        ("SELECT DISTINCT source AS name FROM articles WHERE source IS NOT NULL",
         "a.source = keys.name COLLATE NOCASE AND a.source = keys.name"),
        ("SELECT NULL AS name", "a.source IS NULL"),
    ),
}


def _counts_per_key(
    store: Store, by: By, unit: Unit, annotator: str | None, ids: dict[int, str], all_ids: int
) -> list[tuple[int, str | None, int]]:
    """(tag id, row key, count) cells, one row key at a time: the articles of a key come from
    an index, their taggings from the index of annotation_tags led by article_id, and each key's
    counts are a small GROUP BY (no sort of all the taggings). About 0.1 s at 200,000 annotations."""
    statements, params = [], []
    for keys, of_key in _KEY_PARTS[by]:
        rows, rows_params, extra, extra_params = _taggings(store, annotator, ids, all_ids, join="CROSS JOIN")
        if unit == "passages":
            counted = f"SELECT t.tag_id || ':' || count(*) AS cell FROM ({rows} WHERE {of_key}) t GROUP BY t.tag_id"
            params += rows_params
        else:
            counted = f"""SELECT t.tag_id || ':' || count(*) AS cell FROM (
                              SELECT DISTINCT article_id, tag_id FROM ({rows} WHERE {of_key})
                              UNION ALL {extra} WHERE {of_key}) t
                          GROUP BY t.tag_id"""
            params += [*rows_params, *extra_params]
        statements.append(f"SELECT keys.name, (SELECT group_concat(cell) FROM ({counted})) FROM ({keys}) keys")
    cells: list[tuple[int, str | None, int]] = []
    for name, joined in store.db.execute(" UNION ALL ".join(statements), params).fetchall():
        for cell in (joined or "").split(","):
            if cell:
                tag_id, count = cell.split(":")
                cells.append((int(tag_id), name, int(count)))
    return cells


#: Row keys as small integers, so that SQLite sorts integers, not text, to group 200,000 rows:
#: a month is year * 100 + month (0: undated), a source its rank in `src` (0: no source).
_MONTH_KEY = (
    f"CASE WHEN a.published GLOB '{_MONTH_GLOB}' "
    "THEN CAST(substr(a.published, 1, 4) AS INTEGER) * 100 + CAST(substr(a.published, 6, 2) AS INTEGER) ELSE 0 END"
)
#: Group keys: row key * _SPAN + tag id (tag ids are below 2**31: SQLite integers are 64-bit).
_SPAN = 1 << 31


def _counts_at_once(
    store: Store, by: By, unit: Unit, annotator: str | None, ids: dict[int, str], all_ids: int,
    attribute: str | None = None, where: Sequence[tuple[str, str]] = (),
) -> list[tuple[int, str | None, int]]:
    """The cells of `_counts_per_key`, for a database without an index of annotation_tags led
    by article_id, for rows by an attribute's values, or for only the articles `where` selects:
    each article's key is read once from an index, then all the taggings are grouped at once
    (SQLite sorts them all: about twice as slow at 200,000 annotations)."""
    chosen = " AND ".join(
        ["1"] + ["a.id IN (SELECT article_id FROM article_attributes WHERE name = ? AND value = ?)"] * len(where))
    chosen_params = [part for pair in where for part in pair]
    if by == "source":
        keys = f"""src(k, source) AS MATERIALIZED (
                      SELECT row_number() OVER (), source FROM (SELECT DISTINCT source FROM articles WHERE source IS NOT NULL)),
                  art(id, k) AS MATERIALIZED (
                      SELECT a.id, coalesce(s.k, 0) FROM articles a LEFT JOIN src s ON s.source = a.source WHERE {chosen})"""
        keys_params = chosen_params
    elif by == "attribute":
        keys = f"""src(k, source) AS MATERIALIZED (
                      SELECT row_number() OVER (), value FROM (SELECT DISTINCT value FROM article_attributes WHERE name = ?)),
                  art(id, k) AS MATERIALIZED (
                      SELECT a.id, coalesce(s.k, 0) FROM articles a
                      LEFT JOIN article_attributes v ON v.article_id = a.id AND v.name = ?
                      LEFT JOIN src s ON s.source = v.value WHERE {chosen})"""
        keys_params = [attribute, attribute, *chosen_params]
    else:
        keys = (f"src(k, source) AS (SELECT 0, NULL WHERE 0), "
                f"art(id, k) AS MATERIALIZED (SELECT a.id, {_MONTH_KEY} FROM articles a WHERE {chosen})")
        keys_params = chosen_params
    rows, rows_params, extra, extra_params = _taggings(store, annotator, ids, all_ids, articles="art a", also=", a.k AS k")
    if unit == "passages":
        counted, params = f"SELECT t.k * {_SPAN} + t.tag_id AS cell, count(*) FROM ({rows}) t GROUP BY cell", rows_params
    else:
        counted = f"""SELECT t.k * {_SPAN} + t.tag_id AS cell, count(*) FROM (
                          SELECT DISTINCT article_id, tag_id, k FROM ({rows}) UNION ALL {extra}) t
                      GROUP BY cell"""
        params = [*rows_params, *extra_params]
    found = store.db.execute(f"WITH {keys} {counted} UNION ALL SELECT -1, k || ':' || source FROM src",
                             [*keys_params, *params]).fetchall()
    sources = {int(value.split(":", 1)[0]): value.split(":", 1)[1] for marker, value in found if marker == -1}

    def row_name(key: int) -> str | None:
        if key == 0:
            return None
        return f"{key // 100:04d}-{key % 100:02d}" if by == "month" else sources[key]

    return [(cell % _SPAN, row_name(cell // _SPAN), count) for cell, count in found if cell >= 0]


def _months(present: Sequence[str | None]) -> list[str | None]:
    """The months of `present` in time order with the months between them filled in (when
    there are not too many), None ("undated") last."""
    dated = sorted(month for month in present if month is not None and _MONTH.fullmatch(month))
    odd = sorted(month for month in present if month is not None and not _MONTH.fullmatch(month))
    months: list[str | None] = list(dated)
    if dated:
        first, last = dated[0], dated[-1]
        count = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
        if len(dated) < count <= MAX_FILLED_MONTHS:
            months, year, month = [], int(first[:4]), int(first[5:7])
            for _ in range(count):
                months.append(f"{year:04d}-{month:02d}")
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    months += odd  # a month such as "2025-13", or what the entity index keeps of an odd date
    if None in present:
        months.append(None)
    return months


def _matrix(
    row_kind: str,
    column_kind: str,
    unit: str,
    rows: Sequence[str | None],
    columns: dict[int, str],
    cells: Sequence[tuple[int, str | None, int]],
    total_label: str,
) -> Matrix:
    """A Matrix of `cells` (column key, row, count) whose totals are the sums of its rows and
    columns."""
    position = {key: index for index, key in enumerate(columns)}
    row_index = {row: index for index, row in enumerate(rows)}
    grid = [[0] * len(columns) for _ in rows]
    for column_key, row, count in cells:
        if column_key in position and row in row_index:
            grid[row_index[row]][position[column_key]] += count
    row_totals = tuple(sum(counts) for counts in grid)
    return Matrix(
        row_kind=row_kind,
        column_kind=column_kind,
        unit=unit,
        rows=tuple(rows),
        columns=tuple(columns.values()),
        counts=tuple(tuple(counts) for counts in grid),
        row_totals=row_totals,
        column_totals=tuple(sum(counts[index] for counts in grid) for index in range(len(columns))),
        total=sum(row_totals),
        total_label=total_label,
    )


def tag_co_occurrence(
    store: Store,
    level: Level = "passage",
    annotator: str | None = None,
    tags: Sequence[str] | None = None,
) -> Matrix:
    """Tags by tags: how many passages (or articles) have both; the diagonal, how many have the
    tag (the column totals repeat it: a column's sum means nothing here). The row total counts
    the passages (articles) with the row's tag and any other shown tag; the table's total, those
    with any shown tag.

    SQL counts the passages (articles) per tag and per distinct set of two or more tags (a few
    hundred sets, however large the corpus); the pairs are read off those sets.
    """
    annotator = store.study.whose(annotator)  # blind study: the viewer's own work alone
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)} (got {level!r})")
    db = store.db
    ids, all_ids = _shown_tags(store, tags)
    tag_sql, tag_params = _tag_filter("nt", ids, all_ids)
    mine, who = (" AND n.annotator = ?", [annotator]) if annotator is not None else ("", [])
    if level == "passage":
        if annotator is None:
            tagged = f"SELECT nt.annotation_id, nt.tag_id FROM annotation_tags nt WHERE 1{tag_sql}"
        else:
            tagged = f"""SELECT nt.annotation_id, nt.tag_id FROM annotations n
                         JOIN annotation_tags nt ON nt.annotation_id = n.id WHERE 1{mine}{tag_sql}"""
        if tag_sql:
            tagged_passages, all_params = f"SELECT count(*) FROM (SELECT 1 FROM ({tagged}) t GROUP BY t.annotation_id)", [*who, *tag_params]
        else:  # every passage has a tag
            tagged_passages, all_params = f"SELECT count(*) FROM annotations n WHERE 1{mine}", who
        if annotator is not None and READ_SUMMARIES and _has_index(store, "annotations", ["annotator", "article_id", "id"]):
            # one pass over the annotator's passages in the order of their index (grouped as they
            # come), each passage's set of tags, singles too ('each'): the tags are counted
            # off the sets, and the join to annotation_tags is made once, not twice
            rows = _fetch(
                store,
                f"""SELECT 'each', tags, count(*) FROM (
                        SELECT group_concat(nt.tag_id) AS tags
                        FROM annotations n INDEXED BY idx_annotations_annotator_article
                        JOIN annotation_tags nt ON nt.annotation_id = n.id
                        WHERE 1{mine}{tag_sql} GROUP BY n.article_id, n.id)
                    GROUP BY tags
                    UNION ALL
                    SELECT 'all', NULL, ({tagged_passages})""",
                [*who, *tag_params, *all_params],
                3,
            )
        else:
            # each part reads annotation_tags through the index that serves it (a CTE shared by
            # them would be materialised by scanning the table)
            sql = f"""SELECT 'tag', t.tag_id, count(*) FROM ({tagged}) t GROUP BY t.tag_id
                      UNION ALL
                      SELECT 'set', tags, count(*) FROM (
                          SELECT group_concat(t.tag_id) AS tags FROM ({tagged}) t
                          GROUP BY t.annotation_id HAVING count(*) > 1)
                      GROUP BY tags
                      UNION ALL
                      SELECT 'all', NULL, ({tagged_passages})"""
            params = [*who, *tag_params, *who, *tag_params, *all_params]
            rows = _fetch(store, sql, params, 3) if READ_SUMMARIES else db.execute(sql, params).fetchall()
    elif (annotator is None and READ_SUMMARIES and _tagging_has_article(store)
          and _has_index(store, "annotation_tags", ["article_id", "tag_id"])):
        rows = _fetch(store, *_articles_co_occurring(ids, all_ids), 3)
    else:
        whole_sql, _ = _tag_filter("g", ids, all_ids)
        mine_g = " AND g.annotator = ?" if annotator is not None else ""
        if annotator is None and _tagging_has_article(store):
            tagged = f"SELECT nt.article_id, nt.tag_id FROM annotation_tags nt WHERE 1{tag_sql} GROUP BY nt.article_id, nt.tag_id"
            probe = "SELECT 1 FROM annotation_tags x WHERE x.article_id = g.article_id AND x.tag_id = g.tag_id"
        else:
            tagged = f"""SELECT n.article_id, nt.tag_id FROM annotations n JOIN annotation_tags nt ON nt.annotation_id = n.id
                         WHERE 1{mine}{tag_sql} GROUP BY n.article_id, nt.tag_id"""
            probe = f"""SELECT 1 FROM annotations n JOIN annotation_tags x ON x.annotation_id = n.id
                        WHERE n.article_id = g.article_id AND x.tag_id = g.tag_id{mine}"""
        rows = db.execute(
            f"""WITH pairs(article_id, tag_id) AS MATERIALIZED (
                    {tagged}
                    UNION ALL
                    SELECT g.article_id, g.tag_id FROM article_tags g WHERE 1{mine_g}{whole_sql} AND NOT EXISTS ({probe}))
                SELECT 'tag', tag_id, count(*) FROM pairs GROUP BY tag_id
                UNION ALL
                SELECT 'set', tags, count(*) FROM (
                    SELECT group_concat(tag_id) AS tags FROM pairs GROUP BY article_id HAVING count(*) > 1)
                GROUP BY tags
                UNION ALL
                SELECT 'all', NULL, count(DISTINCT article_id) FROM pairs""",
            [*who, *tag_params, *who, *tag_params, *who],
        ).fetchall()
    position = {tag_id: index for index, tag_id in enumerate(ids)}
    size = len(ids)
    grid = [[0] * size for _ in range(size)]
    with_others = [0] * size
    total = 0
    by_text = {str(tag_id): index for tag_id, index in position.items()}
    sets: dict[tuple[int, ...], int] = {}
    for kind, value, count in rows:
        if kind == "tag":  # (a tag may come in parts: on a passage, on the article only)
            if value in position:
                grid[position[value]][position[value]] += count
        elif kind == "all":
            total = count
        else:  # 'set': two or more tags (ids joined by commas, in any order, perhaps repeated); 'each': any
            members = tuple(sorted({by_text[tag_id] for tag_id in str(value).split(",") if tag_id in by_text}))
            sets[members] = sets.get(members, 0) + count
            if kind == "each":
                for member in members:
                    grid[member][member] += count
    for members, count in sets.items():
        if len(members) < 2:
            continue
        for first_index, first in enumerate(members):
            with_others[first] += count
            for second in members[first_index + 1 :]:
                grid[first][second] += count
                grid[second][first] += count
    names = tuple(ids.values())
    return Matrix(
        row_kind="tag",
        column_kind="tag",
        unit="passages" if level == "passage" else "articles",
        rows=names,
        columns=names,
        counts=tuple(tuple(row) for row in grid),
        row_totals=tuple(with_others),
        column_totals=tuple(grid[index][index] for index in range(size)),
        total=total,
        total_label="with another tag",
    )


def _articles_co_occurring(ids: dict[int, str], all_ids: int) -> tuple[str, list]:
    """SQL and parameters of the rows `tag_co_occurrence` reads for the articles (everyone's
    tags): ('tag', tag, articles with it), ('set', tags, articles with that set of two or more
    shown tags; ids joined by commas, perhaps repeated), ('all', NULL, articles with any).

    Each part reads annotation_tags in the order of an index and groups it as it comes (no sort
    of all the (article, tag) pairs): per tag from (tag_id, article_id); the sets per article
    from (article_id, tag_id), where "two or more tags" is min < max and the tags may repeat.
    The few articles tagged as a whole are counted apart: their sets joined with their
    passages' tags, their whole-article tags that no passage has added per tag."""
    tag_sql, tag_params = _tag_filter("nt", ids, all_ids)
    whole_sql, whole_params = _tag_filter("g", ids, all_ids)
    other_whole_sql, _ = _tag_filter("o", ids, all_ids)
    other_sql, _ = _tag_filter("x", ids, all_ids)
    whole_only = "NOT EXISTS (SELECT 1 FROM annotation_tags x WHERE x.article_id = g.article_id AND x.tag_id = g.tag_id)"
    sql = f"""SELECT 'tag', nt.tag_id, count(DISTINCT nt.article_id) FROM annotation_tags nt
                  WHERE 1{tag_sql} GROUP BY nt.tag_id
              UNION ALL
              SELECT 'tag', g.tag_id, count(*) FROM article_tags g WHERE 1{whole_sql} AND {whole_only} GROUP BY g.tag_id
              UNION ALL
              SELECT 'set', tags, count(*) FROM (
                  SELECT group_concat(nt.tag_id) AS tags FROM annotation_tags nt INDEXED BY idx_annotation_tags_article_tag
                  WHERE 1{tag_sql} GROUP BY nt.article_id
                  HAVING min(nt.tag_id) < max(nt.tag_id)
                     AND NOT EXISTS (SELECT 1 FROM article_tags o WHERE o.article_id = nt.article_id{other_whole_sql})
                  UNION ALL
                  SELECT group_concat(t.tag_id) FROM (
                      SELECT x.article_id, x.tag_id FROM annotation_tags x
                      WHERE x.article_id IN (SELECT g.article_id FROM article_tags g WHERE 1{whole_sql}){other_sql}
                      UNION ALL
                      SELECT o.article_id, o.tag_id FROM article_tags o WHERE 1{other_whole_sql}) t
                  GROUP BY t.article_id HAVING min(t.tag_id) < max(t.tag_id))
              GROUP BY tags
              UNION ALL
              SELECT 'all', NULL, (SELECT count(DISTINCT nt.article_id) FROM annotation_tags nt WHERE 1{tag_sql})
                                  + (SELECT count(DISTINCT g.article_id) FROM article_tags g WHERE 1{whole_sql}
                                     AND NOT EXISTS (SELECT 1 FROM annotation_tags x WHERE x.article_id = g.article_id{other_sql}))"""
    params = [
        *tag_params, *whole_params,  # per tag
        *tag_params, *whole_params,  # passages' sets
        *whole_params, *tag_params, *whole_params,  # sets of articles tagged as a whole
        *tag_params, *whole_params, *tag_params,  # all
    ]
    return sql, params


# ---- entities ----------------------------------------------------------------------------------


def entity_label(entity: Entity) -> str:
    """How an entity heads a column: its name and type ("Ana Lima (PERSON)")."""
    return f"{entity.name} ({entity.label})"


def entity_months(store: Store, entities: Sequence[Entity], unit: EntityUnit = "mentions") -> Matrix:
    """Months (rows, time order, gaps filled, undated last) by entities (columns): mentions, or
    articles mentioning the entity, from the entity index (`mentions_per_month`). The row
    total sums the row (mentions of any of them; an article mentioning two counts twice)."""
    from reader.store.entity_index import mentions_per_month

    if unit not in ("mentions", "articles"):
        raise ValueError(f"unit must be mentions or articles (got {unit!r})")
    series = mentions_per_month(store, list(entities), from_rows=not READ_SUMMARIES)
    columns = {entity.id: entity_label(entity) for entity in entities}
    cells = [
        (entity_id, month, mentions if unit == "mentions" else articles)
        for entity_id, months in series.items()
        for month, mentions, articles in months
    ]
    row_totals: dict[str | None, int] = {}
    for _entity, month, count in cells:
        row_totals[month] = row_totals.get(month, 0) + count
    return _matrix("month", "entity", unit, _months(list(row_totals)), columns, cells, "sum")


def entity_index_ready(store: Store) -> bool:
    """Whether the entity index has any article indexed (the background fill fills it)."""
    return store.db.execute("SELECT EXISTS (SELECT 1 FROM entity_indexed)").fetchone()[0] == 1


# ---- changes ----------------------------------------------------------------------------------


def tag_signature(store: Store) -> tuple:
    """Numbers that change when what the tag figures count changes: passages and their tags
    added or removed (counts and the highest rowid), whole-article tags, the codebook's names
    (a rename, or a merge, which deletes the merged tag), articles added or removed, and the
    last change number of any article's passages, tags, date or source (article_changes, kept by
    triggers: reader.store.agreement). Read from indexes and rowids only: a few ms at
    200,000 annotations. A commit that leaves them alone (the entity cache, reading state)
    recounts nothing."""
    return store.db.execute(
        """SELECT (SELECT max(seq) FROM article_changes),
                  (SELECT count(*) FROM annotations), (SELECT max(rowid) FROM annotations),
                  (SELECT count(*) FROM annotation_tags), (SELECT max(rowid) FROM annotation_tags),
                  (SELECT count(*) FROM article_tags), (SELECT max(rowid) FROM article_tags),
                  (SELECT group_concat(id || ':' || name, char(31)) FROM tags),
                  (SELECT count(*) FROM articles), (SELECT max(rowid) FROM articles),
                  (SELECT count(*) FROM assignments), (SELECT count(done_at) FROM reading)"""
    ).fetchone() + (store.study.whose(),)


def entity_signature(store: Store) -> tuple:
    """Numbers that change when the entity index changes (articles indexed or re-indexed) or
    what the user said about entities (which hides some)."""
    return store.db.execute(
        """SELECT (SELECT count(*) FROM entity_indexed), (SELECT max(indexed) FROM entity_indexed),
                  (SELECT count(*) FROM entity_feedback), (SELECT max(id) FROM entity_feedback)"""
    ).fetchone()
