"""The selections exports read: the annotated articles a filter chooses, streamed, and everything a
whole move carries (orphans, article tags with who and when).

Reads only: importing writes through the other repositories.
"""

from __future__ import annotations

import json
from collections.abc import Iterator


from reader.core.model import Annotation, Article, ArticleInfo, ArticleNote, ArticleTag, ExportFilter, MovingArticle
from reader.store.common import ARTICLE_INFO_COLUMNS, Repository, orphan_from, split_names, tag_family


class Exchange(Repository):
    """What an export holds: the articles and annotations a filter selects, and everything a move carries."""

    def annotated_articles(
        self, with_text: bool = False, only: ExportFilter | None = None
    ) -> Iterator[tuple[ArticleInfo, list[Annotation]]]:
        """Every article with annotations or article tags (or, with `only`, with annotations
        it selects), in import order, with those annotations (as `Article`, text included, when
        `with_text`); two streaming queries, so memory stays flat however many there are."""
        with_clause, article_where, article_params, note_where, note_params = self.selection(only)
        articles = self.db.execute(
            f"""
            {with_clause}
            SELECT {ARTICLE_INFO_COLUMNS} {", a.text" if with_text else ""} FROM articles a
            WHERE {article_where}
            ORDER BY a.id
            """,
            article_params,
        )
        annotations = self.store.annotations.select(  # parameters in the order their places appear
            f"WHERE n.article_id IN (SELECT a.id FROM articles a WHERE {article_where}) AND {note_where}",
            [*article_params, *note_params],
            with_clause,
        )
        pending = next(annotations, None)
        for row in articles:
            if with_text:
                article: ArticleInfo = Article(*row[:9], tags=split_names(row[9]), text=row[10])
            else:
                article = ArticleInfo(*row[:9], tags=split_names(row[9]))
            mine: list[Annotation] = []
            while pending is not None and pending.article_id == article.id:
                mine.append(pending)
                pending = next(annotations, None)
            yield article, mine

    def selection(self, only: ExportFilter | None) -> tuple[str, str, list[object], str, list[object]]:
        """SQL for the articles (alias a) and the annotations (alias n) an export holds: a WITH
        clause, the articles' WHERE and parameters, the annotations' WHERE and parameters."""
        only = only or ExportFilter()
        notes, note_params = ["1"], []
        for annotator in {only.annotator, only.listed.annotator if only.listed else None} - {None}:
            notes.append("n.annotator = ?")
            note_params.append(annotator)
        family, family_params = tag_family(only.tag) if only.tag else ("", [])  # the tag and those nested in it
        if only.tag:
            notes.append(f"EXISTS (SELECT 1 FROM annotation_tags nt WHERE nt.annotation_id = n.id AND nt.tag_id IN ({family}))")
            note_params += family_params
        if only.since:
            notes.append("(n.created >= ? OR n.updated >= ?)")
            note_params += [only.since, only.since]
        note_where = " AND ".join(notes)
        with_clause, articles, article_params = "", ["1"], []
        if only.listed is not None:
            with_clause, listed_where, listed_params, _sets = self.store.listing.selection(only.listed)
            if listed_where:
                articles.append(listed_where.removeprefix("WHERE "))
                article_params += listed_params
        if only.source:
            articles.append("a.source = ?")
            article_params.append(only.source)
        if only.article:
            articles.append("a.id = ?")
            article_params.append(self.store.articles.find(only.article))
        if len(notes) > 1:
            having = f"a.id IN (SELECT n.article_id FROM annotations n WHERE {note_where})"
            if only.tag:
                having = f"({having} OR a.id IN (SELECT at.article_id FROM article_tags at WHERE at.tag_id IN ({family})))"
            articles.append(having)
            article_params += note_params + family_params
        else:
            articles.append("a.id IN (SELECT article_id FROM annotations UNION SELECT article_id FROM article_tags)")
        return with_clause, " AND ".join(articles), article_params, note_where, note_params

    def left_out_counts(self, only: ExportFilter | None = None) -> tuple[int, int]:
        """(memos, notes on whole articles) an export with `only` selects: what a format without a
        place for them leaves out, counted so its summary can say so."""
        with_clause, article_where, article_params, note_where, note_params = self.selection(only)
        memos = self.db.execute(
            f"""{with_clause} SELECT count(*) FROM annotations n
                WHERE n.article_id IN (SELECT a.id FROM articles a WHERE {article_where}) AND {note_where}
                AND NOT EXISTS (SELECT 1 FROM annotation_tags x WHERE x.annotation_id = n.id)""",
            [*article_params, *note_params],
        ).fetchone()[0]
        owners = sorted({(only or ExportFilter()).annotator, only.listed.annotator if only and only.listed else None} - {None})
        notes = self.db.execute(
            f"""{with_clause} SELECT count(*) FROM article_notes
                WHERE article_id IN (SELECT a.id FROM articles a WHERE {article_where})
                {"AND annotator IN (SELECT value FROM json_each(?))" if owners else ""}""",
            [*article_params, *([json.dumps(owners)] if owners else [])],
        ).fetchone()[0]
        return memos, notes

    def articles_to_move(self, only: ExportFilter | None = None) -> Iterator[MovingArticle]:
        """Every article the export holds, in import order, text included, with its annotations,
        its article tags (who and when) and, in a whole export (no filter), its orphans; a whole
        export also holds articles that have only orphans. Streaming, like `iter_annotated_articles`."""
        whole = only is None or only == ExportFilter()
        with_clause, article_where, article_params, note_where, note_params = self.selection(only)
        if whole:
            article_where = (
                "a.id IN (SELECT article_id FROM annotations UNION SELECT article_id FROM article_tags "
                "UNION SELECT article_id FROM orphans UNION SELECT article_id FROM article_notes)"
            )
            article_params = []
        articles = self.db.execute(
            f"{with_clause} SELECT {ARTICLE_INFO_COLUMNS}, a.text FROM articles a WHERE {article_where} ORDER BY a.id",
            article_params,
        )
        annotations = self.store.annotations.select(
            f"WHERE n.article_id IN (SELECT a.id FROM articles a WHERE {article_where}) AND {note_where}",
            [*article_params, *note_params],
            with_clause,
        )
        owners = sorted({(only or ExportFilter()).annotator, only.listed.annotator if only and only.listed else None} - {None})
        tags = self.db.execute(
            f"""{with_clause}
                SELECT at.article_id, t.name, at.annotator, at.created FROM article_tags at JOIN tags t ON t.id = at.tag_id
                WHERE at.article_id IN (SELECT a.id FROM articles a WHERE {article_where})
                {"AND at.annotator IN (SELECT value FROM json_each(?))" if owners else ""}
                ORDER BY at.article_id, t.name""",
            [*article_params, *([json.dumps(owners)] if owners else [])],
        )
        article_notes = self.db.execute(
            f"""{with_clause}
                SELECT article_id, annotator, note, created, updated FROM article_notes
                WHERE article_id IN (SELECT a.id FROM articles a WHERE {article_where})
                {"AND annotator IN (SELECT value FROM json_each(?))" if owners else ""}
                ORDER BY article_id, annotator""",
            [*article_params, *([json.dumps(owners)] if owners else [])],
        )
        orphans = self.db.execute(
            "SELECT article_id, record, orphaned FROM orphans ORDER BY article_id, orphaned, id" if whole
            else "SELECT article_id, record, orphaned FROM orphans WHERE 0"
        )
        next_note, next_tag, next_orphan = next(annotations, None), tags.fetchone(), orphans.fetchone()
        next_article_note = article_notes.fetchone()
        for row in articles:
            article = Article(*row[:9], tags=split_names(row[9]), text=row[10],
                              attributes=self.store.articles.attributes_of(row[0]))
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
                kept.append((orphan_from(next_orphan[1]), next_orphan[2]))
                next_orphan = orphans.fetchone()
            on_article: list[ArticleNote] = []
            while next_article_note is not None and next_article_note[0] == article.id:
                on_article.append(ArticleNote(*next_article_note))
                next_article_note = article_notes.fetchone()
            yield MovingArticle(article, notes, tagged, kept, on_article)
