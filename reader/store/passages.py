"""Retrieval of tagged passages across the corpus: counts and pages by keyset, fast deep in long lists.

Reads only.
"""

from __future__ import annotations

from collections.abc import Sequence


from reader.core.model import Annotation, Passage, PassageQuery
from reader.store.common import Repository, split_names, tag_family


class Passages(Repository):
    """The passages of a tag across the corpus, paged from either end or from a known passage."""

    def __init__(self, store) -> None:
        super().__init__(store)
        #: The last passage count, with the query and database state it is for.
        self._passage_count_key: tuple[tuple, int] | None = None

    def _tag_ids(self, query: PassageQuery) -> list[int]:
        return [row[0] for row in self.db.execute(*tag_family(query.tag, query.nested))]

    def _filters(self, query: PassageQuery, by_annotator: bool = True) -> tuple[list[str], list[object]]:
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
        annotator = self.store.study.whose(query.annotator)  # blind study: the viewer's own alone
        if annotator is not None and by_annotator:
            where.append("n.annotator = ?")
            params.append(annotator)
        return where, params

    def count(self, query: PassageQuery) -> int:
        """How many passages a retrieval lists (index only when no filter needs the articles)."""
        key = (query, self.store.study.whose(query.annotator), self.db.conn.total_changes, self.store.data_version())
        if self._passage_count_key is not None and self._passage_count_key[0] == key:
            return self._passage_count_key[1]
        tag_ids = self._tag_ids(query)
        marks = ", ".join("?" * len(tag_ids)) or "NULL"
        where, params = self._filters(query)
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
    _outline_key: tuple[tuple, tuple[list[str | None], list[int], list[int]]] | None = None

    _COLUMNS = """n.id, n.article_id, n.start, n."end", n.quote, n.prefix, n.suffix, n.note,
                          n.annotator, n.created, n.updated,
                          (SELECT group_concat(name, char(31)) FROM (
                               SELECT t.name FROM annotation_tags nt JOIN tags t ON t.id = nt.tag_id
                               WHERE nt.annotation_id = n.id ORDER BY t.name)),
                          a.title, a.published, a.source"""

    def _page(
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
        where, params = self._filters(query)
        for term, term_params in terms:
            where.append(term)
            params.extend(term_params)
        filters = "".join(f" AND {term}" for term in where)
        order = "a.published, a.id, n.start DESC, n.id DESC" if backward else "a.published DESC, a.id DESC, n.start, n.id"
        if self._walks(query) if walk is None else walk:
            # Articles in date order by idx_articles_published (its rowid is the article id),
            # each one's passages by idx_annotations_article_id_start; stops at the page.
            sql = f"""SELECT {self._COLUMNS} FROM articles a CROSS JOIN annotations n ON n.article_id = a.id
                      WHERE EXISTS (SELECT 1 FROM annotation_tags x WHERE x.annotation_id = n.id AND x.tag_id IN ({marks}))
                      {filters} ORDER BY {order} LIMIT ? OFFSET ?"""
        else:
            # The few tagged passages, then sorted (CROSS JOIN: never walk every article for them).
            sql = f"""SELECT {self._COLUMNS} FROM annotations n CROSS JOIN articles a ON a.id = n.article_id
                      WHERE n.id IN (SELECT annotation_id FROM annotation_tags WHERE tag_id IN ({marks}))
                      {filters} ORDER BY {order} LIMIT ? OFFSET ?"""
        rows = self.db.execute(sql, [*tag_ids, *params, limit, offset]).fetchall()
        found = [Passage(Annotation(*row[:11], tags=split_names(row[11])), row[12], row[13], row[14]) for row in rows]
        if backward:
            found.reverse()
        return found

    def _walks(self, query: PassageQuery) -> bool:
        return self.count(query) > self._WALK_ABOVE

    def page(self, query: PassageQuery, offset: int = 0, limit: int = 100) -> list[Passage]:
        """Passages with the tag, newest article first (then in text order), `limit` of them from
        position `offset`. The page next to one already read comes quicker from `passages_after`
        or `passages_before`, which seek from it instead of counting from the top."""
        tag_ids = self._tag_ids(query)
        count = self.count(query)
        if count <= self._WALK_ABOVE or offset + limit <= self._WALK_DEPTH:
            return self._page(query, tag_ids, [], False, limit, offset)
        if offset >= count:
            return []
        if count - offset <= self._WALK_DEPTH:  # near the end: walk back from the oldest
            return self._page(query, tag_ids, [], True, min(limit, count - offset), max(0, count - offset - limit))
        from bisect import bisect_right

        published, article_ids, firsts = self._outline(query, tag_ids)
        if not article_ids:
            return []
        index = max(0, bisect_right(firsts, offset) - 1)
        return self._from(query, tag_ids, published[index], article_ids[index], None, limit, offset - firsts[index])

    def after(self, query: PassageQuery, passage: Passage | None, limit: int = 100) -> list[Passage]:
        """The `limit` passages listed after `passage` (the first ones for None): the page after a
        page, sought from where that page ends, as fast deep in the list as at its top."""
        tag_ids = self._tag_ids(query)
        if passage is None:
            return self._page(query, tag_ids, [], False, limit)
        note = passage.annotation
        return self._from(query, tag_ids, passage.published, note.article_id, (note.start, note.id), limit)

    def _from(
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
        return self._around(query, tag_ids, same, rest, False, limit, skip)

    def before(self, query: PassageQuery, passage: Passage | None, limit: int = 100) -> list[Passage]:
        """The `limit` passages listed just before `passage` (the last ones for None), in list
        order: the page before a page, or the list's last page, without counting from the top."""
        tag_ids = self._tag_ids(query)
        if passage is None:
            return self._page(query, tag_ids, [], True, limit)
        note = passage.annotation
        same = [("a.id = ?", [note.article_id]), ("(n.start, n.id) < (?, ?)", [note.start, note.id])]
        if passage.published is None:
            rest = [("a.published IS NULL AND a.id > ?", [note.article_id]), ("a.published IS NOT NULL", [])]
        else:
            rest = [("(a.published, a.id) > (?, ?)", [passage.published, note.article_id])]
        return self._around(query, tag_ids, same, rest, True, limit)

    def _around(
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
        found = self._page(query, tag_ids, same, backward, limit, skip, walk=True)  # one article, by its id
        for term in rest:
            if len(found) >= limit:
                break
            more = self._page(query, tag_ids, [term], backward, limit - len(found), walk=walk)
            found = more + found if backward else found + more
        return found

    def _outline(self, query: PassageQuery, tag_ids: list[int]) -> tuple[list[str | None], list[int], list[int]]:
        """Every article with listed passages, in list order, as (published dates, article ids,
        position of each one's first passage): where a position deep in a long list starts,
        read from idx_annotation_tags_tag_article without sorting every passage. Kept for the
        last query while the database is unchanged."""
        annotator = self.store.study.whose(query.annotator)
        key = (query, annotator, self.db.conn.total_changes, self.store.data_version())
        if self._outline_key is not None and self._outline_key[0] == key:
            return self._outline_key[1]
        marks = ", ".join("?" * len(tag_ids)) or "NULL"
        where, params = self._filters(query, by_annotator=False)
        mine = ""
        if annotator is not None:  # one index seek per tagging
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
            [*tag_ids, *([annotator] if annotator is not None else []), *params],
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
        self._outline_key = (key, outline)
        return outline
