"""The article list's queries: counts, pages in each sort order, filters and full-text search.

Reads only (but for its own temporary table of search hits).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace


from reader.core.model import ArticleRow, HIT_END, HIT_START, ListQuery, SortKey
from reader.core.textsearch import fts_query, snippet_of
from reader.store.common import Repository, tag_family




def _row_columns(me: str) -> str:
    """What a row of the list is read as (articles a), read by the viewer `me` (an SQL string)."""
    return f"""a.id, a.title, a.source, a.published,
               (SELECT count(*) FROM annotations n WHERE n.article_id = a.id) AS annotation_count,
               (SELECT read_at IS NOT NULL FROM reading r WHERE r.article_id = a.id AND r.annotator = {me}) AS read"""


_ORDER_BY: dict[str, str] = {
    "published": "a.published DESC, a.id DESC",
    # FTS5's rank (bm25: lower is better) of the article's best match, in its text or its notes
    "relevance": "(SELECT s.rank FROM temp.searched s WHERE s.id = a.id), a.published DESC, a.id DESC",
    "title": "a.title COLLATE NOCASE, a.id",
    "source": "a.source COLLATE NOCASE, a.published DESC, a.id",
    "annotations": "annotation_count DESC, a.published DESC, a.id DESC",
    # articles without the attribute, after those with it (see `_page_by_attribute`)
    "attribute": "a.published DESC, a.id DESC",
}
#: The index that gives each sort order, for walking it when a search or tag narrows the list.
_SORT_INDEX = {"published": "idx_articles_published", "title": "idx_articles_title_nocase"}
#: How much of a text the list looks through for a search hit before asking the index.
_SNIPPET_HEAD = 4000


class Listing(Repository):
    """The article list: which articles a query selects, a page of them, search hits in context."""

    def __init__(self, store) -> None:
        super().__init__(store)
        #: What `temp.searched` holds: (FTS query, total_changes, data_version) when filled,
        #: and whether with each article's rank (only the relevance order pays for ranking).
        self._search_key: tuple[str, int, int] | None = None
        self._search_ranked = False
        #: The last count of a coder's queue, with the query and database state it is for.
        self._queued_key: tuple[tuple, int] | None = None

    def forget_search(self) -> None:
        """The search set may be gone (a transaction that filled it rolled back): fill it again."""
        self._search_key = None

    def signature(self) -> tuple:
        """Numbers that change when articles are added or removed, or annotations, tags or read
        state change in number: what the list shows, read from indexes only (a few ms)."""
        reader = self.store.study.reader
        return self.db.execute(
            """SELECT (SELECT max(rowid) FROM articles), (SELECT count(*) FROM articles),
                      (SELECT count(*) FROM annotations), (SELECT count(*) FROM article_tags),
                      (SELECT count(*) FROM annotation_tags),
                      (SELECT count(*) FROM reading WHERE annotator = ? AND read_at IS NOT NULL),
                      (SELECT count(*) FROM reading WHERE annotator = ? AND done_at IS NOT NULL),
                      (SELECT count(*) FROM assignments WHERE annotator = ?),
                      (SELECT group_concat(value) FROM study_settings)""",
            [reader, reader, reader],
        ).fetchone()

    def count(self, query: ListQuery | None = None) -> int:
        """How many articles `query` selects (all of them by default)."""
        query = query or ListQuery()
        with_clause, where, params, sets = self.selection(query)
        if sets and where == "WHERE " + " AND ".join(f"a.id IN (SELECT id FROM {name})" for name in sets):
            # Nothing but sets of ids (a search, a tag, attribute values): count the first set's
            # ids that are in the others, without visiting every article row.
            others = " AND ".join(f"id IN (SELECT id FROM {name})" for name in sets[1:])
            return self.db.execute(
                f"{with_clause} SELECT count(*) FROM {sets[0]}{' WHERE ' + others if others else ''}", params
            ).fetchone()[0]
        return self.db.execute(f"{with_clause} SELECT count(*) FROM articles a {where}", params).fetchone()[0]

    def ids(self, query: ListQuery) -> list[int]:
        """The ids of every article `query` selects, in import order (id)."""
        with_clause, where, params, _sets = self.selection(query)
        return [row[0] for row in self.db.execute(f"{with_clause} SELECT a.id FROM articles a {where} ORDER BY a.id", params)]

    def selection(self, query: ListQuery) -> tuple[str, str, list[object], list[str]]:
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
        whose = self.store.study.whose()  # blind study: the viewer's own tags, notes and counts
        reader = self.store.study.reader
        match = fts_query(query.search) if query.search else None
        if query.search and match is None:
            clauses.append("0")  # a search with no words matches nothing
        elif match is not None:
            names.append(self._searched(match, ranked=self.order(query) == "relevance"))
            clauses.append(f"a.id IN (SELECT id FROM {names[-1]})")
        if query.tag:  # the tag and the tags nested in it
            family, family_params = tag_family(query.tag)
            mine_at, mine_n = ("AND at.annotator = ?", "AND n.annotator = ?") if whose is not None else ("", "")
            who = [whose] if whose is not None else []
            sets.append(
                f"""tagged(id) AS MATERIALIZED (
                    SELECT at.article_id FROM article_tags at WHERE at.tag_id IN ({family}) {mine_at}
                    UNION SELECT n.article_id FROM annotations n JOIN annotation_tags nt ON nt.annotation_id = n.id
                          WHERE nt.tag_id IN ({family}) {mine_n})"""
            )
            params += [*family_params, *who, *family_params, *who]
            names.append("tagged")
            clauses.append("a.id IN (SELECT id FROM tagged)")
        for number, (name, value) in enumerate(query.where):  # read off the index of (name, value, article)
            sets.append(f"""attribute{number}(id) AS MATERIALIZED (
                SELECT article_id FROM article_attributes WHERE name = ? AND value = ?)""")
            params += [name, value]
            names.append(f"attribute{number}")
            clauses.append(f"a.id IN (SELECT id FROM attribute{number})")
        if query.source:
            clauses.append("a.source = ?")
            params.append(query.source)
        if query.annotator:
            clauses.append("a.id IN (SELECT article_id FROM annotations WHERE annotator = ?)")
            params.append(whose or query.annotator)
        if query.read == "read":
            clauses.append("a.id IN (SELECT article_id FROM reading WHERE annotator = ? AND read_at IS NOT NULL)")
            params.append(reader)
        elif query.read == "unread":
            clauses.append("a.id NOT IN (SELECT article_id FROM reading WHERE annotator = ? AND read_at IS NOT NULL)")
            params.append(reader)
        if query.queue in ("mine", "todo"):
            clauses.append("a.id IN (SELECT article_id FROM assignments WHERE annotator = ?)")
            params.append(reader)
        if query.queue == "todo":
            clauses.append("a.id NOT IN (SELECT article_id FROM reading WHERE annotator = ? AND done_at IS NOT NULL)")
            params.append(reader)
        elif query.queue == "others":  # what is not in the queue: not assigned to the viewer, or done
            clauses.append("(a.id NOT IN (SELECT article_id FROM assignments WHERE annotator = ?) "
                           "OR a.id IN (SELECT article_id FROM reading WHERE annotator = ? AND done_at IS NOT NULL))")
            params += [reader, reader]
        with_clause = "WITH " + ", ".join(sets) if sets else ""
        where = "WHERE " + " AND ".join(clauses) if clauses else ""
        return with_clause, where, params, names

    def _searched(self, match: str, ranked: bool = False) -> str:
        """The temporary table holding the ids of the articles whose text, title or notes
        match the FTS5 query `match` (`ranked`: each with the FTS5 rank of its best match, in
        its title and text or in a note), filled now unless it already holds them: the set is
        kept until this connection writes anything or another one commits."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        whose = self.store.study.whose()  # blind study: only the viewer's own notes are searched
        key = (match, self.db.conn.total_changes, version, whose)
        if self._search_key == key and (self._search_ranked or not ranked):
            return "temp.searched"
        with self.db.atomic():
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS searched (id INTEGER PRIMARY KEY, rank REAL)")
            self.db.execute("DELETE FROM temp.searched")
            if ranked:  # bm25 for every match: a third more time on a common word, so only when asked
                self.db.execute(
                    """INSERT INTO temp.searched (id, rank)
                       SELECT id, min(rank) FROM (
                           SELECT rowid AS id, rank FROM articles_fts WHERE articles_fts MATCH ?
                           UNION ALL SELECT n.article_id, f.rank FROM annotations_fts f
                                 JOIN annotations n ON n.rowid = f.rowid WHERE annotations_fts MATCH ?
                                 AND (? IS NULL OR n.annotator = ?)
                           UNION ALL SELECT n.article_id, f.rank FROM article_notes_fts f
                                 JOIN article_notes n ON n.rowid = f.rowid WHERE article_notes_fts MATCH ?
                                 AND (? IS NULL OR n.annotator = ?))
                       GROUP BY id""",
                    [match, match, whose, whose, match, whose, whose],
                )
            else:
                # the articles' own hits first, as the index gives them (in id order: appended to
                # the set without a union to sort them; half the time of one on a common word)
                self.db.execute("INSERT INTO temp.searched (id) SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [match])
                self.db.execute(
                    """INSERT OR IGNORE INTO temp.searched (id)
                       SELECT n.article_id FROM annotations n
                             JOIN annotations_fts f ON f.rowid = n.rowid WHERE annotations_fts MATCH ?
                             AND (? IS NULL OR n.annotator = ?)
                       UNION SELECT n.article_id FROM article_notes n
                             JOIN article_notes_fts f ON f.rowid = n.rowid WHERE article_notes_fts MATCH ?
                             AND (? IS NULL OR n.annotator = ?)""",
                    [match, whose, whose, match, whose, whose],
                )
        self._search_key = (match, self.db.conn.total_changes, version, whose)
        self._search_ranked = ranked
        return "temp.searched"

    def page(
        self, offset: int, limit: int, query: ListQuery | None = None, attributes: Sequence[str] = ()
    ) -> list[ArticleRow]:
        """A window of the article list, in list order, without texts; each row with the values
        of `attributes` (the list's attribute columns)."""
        query = query or ListQuery()
        reader = self.store.study.reader
        if query.queue == "all" and self.store.assignments.has_queue(reader):
            # a coder's queue (assigned to them, not done) first, then the rest, each in list
            # order: two lists read one after the other, so each walks its own index
            queued = self._queued(replace(query, queue="todo"))
            # a long queue is read by walking the sort index (stopping after a page); a short one sorted
            rows = self._rows(replace(query, queue="todo"), offset, limit, walk=queued > 2000) if offset < queued else []
            if len(rows) < limit:
                rows += self._rows(replace(query, queue="others"), max(0, offset - queued), limit - len(rows))
        else:
            rows = self._rows(query, offset, limit, walk=query.queue != "all" and self._queued(query) > 2000)
        ids = [row[0] for row in rows]
        tags = self.store.articles.tag_map(ids)
        whose = self.store.study.whose()
        if whose is not None and ids:  # blind study: the viewer's own annotations counted
            query = replace(query, annotator=whose)
        if query.annotator and ids:
            # the count column counts only that annotator's annotations
            marks = ",".join("?" * len(ids))
            mine = dict(self.db.execute(
                f"SELECT article_id, count(*) FROM annotations WHERE annotator = ? AND article_id IN ({marks}) GROUP BY article_id",
                [query.annotator, *ids],
            ).fetchall())
            rows = [(*row[:4], mine.get(row[0], 0), *row[5:]) for row in rows]
        snippets = self._snippets(ids, query.search) if query.search and ids else {}
        done = {row[0] for row in self.db.execute(
            "SELECT article_id FROM reading WHERE annotator = ? AND done_at IS NOT NULL "
            "AND article_id IN (SELECT value FROM json_each(?))", [reader, json.dumps(ids)])} if ids else set()
        values = self._attribute_values(ids, attributes) if attributes and ids else {}
        return [
            ArticleRow(r[0], r[1], r[2], r[3], r[4], tags.get(r[0], ()), bool(r[5]), snippets.get(r[0]), r[0] in done,
                       tuple(values.get((r[0], name)) for name in attributes))
            for r in rows
        ]

    def _page_by_attribute(
        self, name: str, columns: str, with_clause: str, where: str, params: list[object], offset: int, limit: int
    ) -> list[tuple]:
        """A page of the list sorted by the value of attribute `name` (then in the order the
        articles were added), the articles without it last (newest first). The ids of the
        first part are read in order off the index of (name, value, article), stopping after
        the page, and only the page's rows are read."""
        set_params, clause_params = params[: with_clause.count("?")], params[with_clause.count("?"):]
        narrowed = f"AND v.article_id IN (SELECT a.id FROM articles a {where})" if where else ""
        having = f"FROM article_attributes v INDEXED BY article_attributes_articles WHERE v.name = ? {narrowed}"
        having_params = [*set_params, name, *clause_params]
        with_it = self.db.execute(f"{with_clause} SELECT count(*) {having}", having_params).fetchone()[0]
        rows: list[tuple] = []
        if offset < with_it:
            ids = [row[0] for row in self.db.execute(
                f"{with_clause} SELECT v.article_id {having} ORDER BY v.value, v.article_id LIMIT ? OFFSET ?",
                [*having_params, limit, offset],
            )]
            found = {row[0]: row for row in self.db.execute(
                f"SELECT {columns} FROM articles a WHERE a.id IN ({','.join('?' * len(ids))})", ids
            )}
            rows = [found[article_id] for article_id in ids if article_id in found]
        if len(rows) < limit:
            without = f"{where} AND" if where else "WHERE"
            rows += self.db.execute(
                f"""{with_clause} SELECT {columns} FROM articles a
                    {without} a.id NOT IN (SELECT article_id FROM article_attributes WHERE name = ?)
                    ORDER BY a.published DESC, a.id DESC LIMIT ? OFFSET ?""",
                [*params, name, limit - len(rows), max(offset - with_it, 0)],
            ).fetchall()
        return rows

    def _attribute_values(self, article_ids: Sequence[int], names: Sequence[str]) -> dict[tuple[int, str], str]:
        """{(article id, name): value} of the attributes `names` of a page's articles (one probe
        of the primary key per article and name)."""
        rows = self.db.execute(
            f"""SELECT article_id, name, value FROM article_attributes
                WHERE article_id IN ({",".join("?" * len(article_ids))}) AND +name IN ({",".join("?" * len(names))})""",
            [*article_ids, *names],
        )
        return {(article_id, name): value for article_id, name, value in rows}

    def _queued(self, query: ListQuery) -> int:
        """`count(query)`, kept while the database is unchanged (the list asks it for every page)."""
        key = (query, self.store.study.reader, self.store.study.whose(), self.db.conn.total_changes, self.store.data_version())
        if self._queued_key is None or self._queued_key[0] != key:
            self._queued_key = (key, self.count(query))
        return self._queued_key[1]

    def _rows(self, query: ListQuery, offset: int, limit: int, walk: bool = False) -> list[tuple]:
        """(id, title, source, published, annotations, read) of a window of the list (`walk`: along
        the sort order's index, as for a search or tag)."""
        with_clause, where, params, sets = self.selection(query)
        order = self.order(query)
        index = _SORT_INDEX.get(order) if (sets or walk) and not query.source else None
        # (the viewer's name is written into the SQL as a quoted string: the WITH clause's
        # parameters come before it in the text and after it in the list)
        columns = _row_columns(_sql_string(self.store.study.reader))
        if order == "attribute" and query.sort_attribute:
            return self._page_by_attribute(query.sort_attribute, columns, with_clause, where, params, offset, limit)
        return self.db.execute(
            f"""
            {with_clause}
            SELECT {columns}
            FROM articles a {f"INDEXED BY {index}" if index else ""} {where}
            ORDER BY {_ORDER_BY[order]}
            LIMIT ? OFFSET ?
            """,
            [*params, limit, offset],
        ).fetchall()

    @staticmethod
    def order(query: ListQuery) -> SortKey:
        """The order a page of `query` is really in: by relevance only when a search ranks the
        articles (a search with no words ranks none), else by `query.order`."""
        if query.order == "relevance" and not (query.search and fts_query(query.search)):
            return "published"
        return query.order

    def any_dated(self, query: ListQuery | None = None) -> bool:
        """Whether any article `query` selects has a publication date (a list "by date" of
        articles without one is in the order they were imported, newest first)."""
        with_clause, where, params, _sets = self.selection(query or ListQuery())
        dated = f"{where} AND a.published > ''" if where else "WHERE a.published > ''"
        return bool(self.db.execute(f"{with_clause} SELECT EXISTS (SELECT 1 FROM articles a {dated})", params).fetchone()[0])

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
        whose = self.store.study.whose()  # blind study: only the viewer's own notes
        if missing and match:
            marks = ",".join("?" * len(missing))
            for article_id, snippet in self.db.execute(
                f"""SELECT rowid, snippet(articles_fts, -1, ?, ?, '…', 12) FROM articles_fts
                    WHERE articles_fts MATCH ? AND rowid IN ({marks})
                    UNION ALL
                    SELECT n.article_id, 'note: ' || snippet(annotations_fts, 0, ?, ?, '…', 12)
                    FROM annotations_fts f JOIN annotations n ON n.rowid = f.rowid
                    WHERE annotations_fts MATCH ? AND n.article_id IN ({marks}) AND (? IS NULL OR n.annotator = ?)
                    UNION ALL
                    SELECT n.article_id, 'article note: ' || snippet(article_notes_fts, 0, ?, ?, '…', 12)
                    FROM article_notes_fts f JOIN article_notes n ON n.rowid = f.rowid
                    WHERE article_notes_fts MATCH ? AND n.article_id IN ({marks}) AND (? IS NULL OR n.annotator = ?)""",
                [HIT_START, HIT_END, match, *missing, HIT_START, HIT_END, match, *missing, whose, whose,
                 HIT_START, HIT_END, match, *missing, whose, whose],
            ):
                found.setdefault(article_id, snippet)
        return found


def _sql_string(value: str) -> str:
    """`value` as an SQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"
