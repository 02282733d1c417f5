"""The figures of reader/store/figures.py on hand-built data: exact counts per source, per month
(gaps and undated), per annotator and tag, co-occurrence on passages and articles, entity
months from the entity index, and the signatures the Charts screen watches."""

import pytest

from reader.store import figures as insight
from reader.core.entities import Span
from reader.core.ingest import Document
from reader.core.model import sha256_text
from reader.store import Store

TAGS = ("conflict", "cooperation", "framing/economy", "framing/security")
LAGOS = "Ana Lima in Lagos\n\nAna Lima spoke at length. Lima left early."
BUDGET = "Budget vote\n\nThe United Nations met the council."


def add_article(store, title, text, source, published):
    doc = Document(text=text, title=title, source=source, url=None, path=f"{title}.txt", published=published, locator="")
    return store.articles.add(doc).article_id


def seed(store):
    """Besides conftest's three Wirefeed articles (1: 2025-03-03, 2: 2025-02-01, 3: 2025-01-15):
    4 from the Daily Ledger, undated; 5 without a source, 2024-11-20. Six passages, two
    whole-article tags (see each test's expectations)."""
    assert add_article(store, "Ana Lima in Lagos", LAGOS, "Daily Ledger", None) == 4
    assert add_article(store, "Budget vote", BUDGET, None, "2024-11-20") == 5
    store.annotations.add(1, 0, 22, ["conflict"], "alice")
    store.annotations.add(1, 24, 30, ["conflict", "cooperation"], "bob")
    store.annotations.add(2, 0, 19, ["cooperation"], "alice")
    store.annotations.add(3, 0, 15, ["framing/economy"], "alice")
    store.annotations.add(4, 0, 8, ["conflict", "framing/security"], "bob")
    store.annotations.add(5, 0, 11, ["conflict"], "alice")
    store.articles.tag(2, "conflict", "bob")
    store.articles.tag(4, "cooperation", "alice")


@pytest.fixture(params=["grouped at once", "per row key", "taggings without their article"])
def seeded(request, store, monkeypatch):
    """The seeded store, counted each way insight can: with the schema as it is (all the
    taggings grouped at once), with an index of annotation_tags led by article_id (the
    suggested migration: one row key at a time), and as before migration m011 (no article_id
    in annotation_tags: the taggings joined to their annotations)."""
    seed(store)
    if request.param == "per row key":  # the indexes benchmarks/insight_bench.py suggests
        store.db.execute("CREATE INDEX test_annotation_tags_article ON annotation_tags (article_id, tag_id)")
        store.db.execute("CREATE INDEX test_annotations_annotator ON annotations (annotator, article_id, id)")
    elif request.param == "taggings without their article":
        monkeypatch.setattr(insight, "_tagging_has_article", lambda _store: False)
    return store


def grid(matrix):
    """{row: {column: count}} without the zero cells, for compact expectations."""
    return {
        row: {column: count for column, count in zip(matrix.columns, counts) if count}
        for row, counts in zip(matrix.rows, matrix.counts)
    }


def test_totals(seeded):
    totals = insight.corpus_totals(seeded)
    assert totals == insight.Totals(
        articles=5, annotated_articles=5, annotations=6, tags=4, tags_used=4, annotators=2, sources=2,
        first_published="2024-11-20", last_published="2025-03-03", undated_articles=1,
    )
    alice = insight.corpus_totals(seeded, "alice")
    assert (alice.annotations, alice.annotated_articles, alice.tags_used, alice.annotators) == (4, 4, 3, 1)
    assert alice.articles == 5 and alice.annotator == "alice"


def test_tags_per_source_counts_passages(seeded):
    matrix = insight.tag_counts(seeded, "source")
    assert matrix.columns == TAGS
    assert matrix.rows == ("Wirefeed", "Daily Ledger", None)  # by total, no source last
    assert grid(matrix) == {
        "Wirefeed": {"conflict": 2, "cooperation": 2, "framing/economy": 1},
        "Daily Ledger": {"conflict": 1, "framing/security": 1},
        None: {"conflict": 1},
    }
    assert matrix.row_totals == (5, 2, 1)  # sums: a passage with two tags counts under both
    assert matrix.column_totals == (4, 2, 1, 1)
    assert matrix.total == 8
    assert matrix.row_label(None) == "(no source)"


def test_tags_per_source_counts_articles_with_whole_article_tags(seeded):
    matrix = insight.tag_counts(seeded, "source", "articles")
    assert grid(matrix) == {
        "Wirefeed": {"conflict": 2, "cooperation": 2, "framing/economy": 1},
        "Daily Ledger": {"conflict": 1, "cooperation": 1, "framing/security": 1},
        None: {"conflict": 1},
    }
    assert matrix.row_totals == (5, 3, 1)
    assert matrix.column_totals == (4, 3, 1, 1)
    assert matrix.total == 9


def test_tags_per_month_fills_gaps_and_puts_undated_last(seeded):
    matrix = insight.tag_counts(seeded, "month")
    assert matrix.rows == ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03", None)
    assert grid(matrix) == {
        "2024-11": {"conflict": 1},
        "2024-12": {},
        "2025-01": {"framing/economy": 1},
        "2025-02": {"cooperation": 1},
        "2025-03": {"conflict": 2, "cooperation": 1},
        None: {"conflict": 1, "framing/security": 1},
    }
    assert matrix.row_totals == (1, 0, 1, 1, 3, 2)
    assert matrix.row_label(None) == "undated"
    assert matrix.cell("2025-03", "conflict") == 2 and matrix.cell("1999-01", "conflict") == 0


def test_one_annotator(seeded):
    alice = insight.tag_counts(seeded, "month", annotator="alice")
    assert grid(alice) == {
        "2024-11": {"conflict": 1}, "2024-12": {}, "2025-01": {"framing/economy": 1},
        "2025-02": {"cooperation": 1}, "2025-03": {"conflict": 1},
    }
    bob = insight.tag_counts(seeded, "source", "articles", annotator="bob")
    assert grid(bob) == {  # bob's passages on 1 and 4, and his whole-article tag on 2
        "Wirefeed": {"conflict": 2, "cooperation": 1},
        "Daily Ledger": {"conflict": 1, "framing/security": 1},
    }
    assert bob.row_totals == (3, 2)
    assert insight.tag_counts(seeded, "source", annotator="nobody").total == 0


def test_only_some_tags(seeded):
    framing = insight.tag_names(seeded, "framing")
    assert framing == ["framing/economy", "framing/security"]
    matrix = insight.tag_counts(seeded, "source", tags=framing)
    assert matrix.columns == tuple(framing)
    assert grid(matrix) == {"Wirefeed": {"framing/economy": 1}, "Daily Ledger": {"framing/security": 1}}
    assert matrix.row_totals == (1, 1) and matrix.total == 2
    articles = insight.tag_counts(seeded, "month", "articles", tags=["conflict"])
    assert articles.column_totals == (4,)
    assert articles.total == 4


def test_co_occurrence_on_passages(seeded):
    matrix = insight.tag_co_occurrence(seeded, "passage")
    assert matrix.rows == TAGS and matrix.columns == TAGS
    assert matrix.counts == (
        (4, 1, 0, 1),
        (1, 2, 0, 0),
        (0, 0, 1, 0),
        (1, 0, 0, 1),
    )
    assert matrix.column_totals == (4, 2, 1, 1)  # the diagonal: passages with the tag
    assert matrix.row_totals == (2, 1, 0, 1)  # ... with the tag and another
    assert matrix.total == 6


def test_co_occurrence_on_articles(seeded):
    matrix = insight.tag_co_occurrence(seeded, "article")
    assert matrix.counts == (
        (4, 3, 0, 1),
        (3, 3, 0, 1),
        (0, 0, 1, 0),
        (1, 1, 0, 1),
    )
    assert matrix.row_totals == (3, 3, 0, 1)
    assert matrix.total == 5
    bob = insight.tag_co_occurrence(seeded, "passage", annotator="bob")
    assert bob.counts[0] == (2, 1, 0, 1) and bob.total == 2


def test_empty_database(store):
    for by in insight.BY_CHOICES:
        matrix = insight.tag_counts(store, by)
        assert matrix.rows == () and matrix.total == 0 and matrix.column_totals == (0, 0)
    assert insight.tag_co_occurrence(store).counts == ((0, 0), (0, 0))
    assert insight.corpus_totals(store).annotations == 0


@pytest.mark.parametrize("per_row_key", [False, True])
def test_odd_dates_are_undated_and_a_stray_year_does_not_fill_millennia(store, per_row_key):
    if per_row_key:
        store.db.execute("CREATE INDEX test_annotation_tags_article ON annotation_tags (article_id, tag_id)")
    add_article(store, "Odd", "Odd\n\nSome text.", "Wirefeed", "March 2025")
    add_article(store, "Far", "Far\n\nOther text.", "Wirefeed", "9999-12-31")
    store.annotations.add(4, 0, 3, ["conflict"], "alice")
    store.annotations.add(5, 0, 3, ["conflict"], "alice")
    store.annotations.add(1, 0, 5, ["conflict"], "alice")
    matrix = insight.tag_counts(store, "month")
    assert matrix.rows == ("2025-03", "9999-12", None)
    assert matrix.row_totals == (1, 1, 1)
    totals = insight.corpus_totals(store)
    assert (totals.first_published, totals.last_published, totals.undated_articles) == ("2025-01-15", "9999-12-31", 1)


def test_rejects_unknown_choices(store):
    with pytest.raises(ValueError):
        insight.tag_counts(store, "week")
    with pytest.raises(ValueError):
        insight.tag_counts(store, "source", "words")
    with pytest.raises(ValueError):
        insight.tag_co_occurrence(store, "sentence")


def spans_in(text, items):
    spans, position = [], 0
    for surface, label in items:
        start = text.index(surface, position)
        spans.append(Span(start, start + len(surface), label, "test"))
        position = start + len(surface)
    return spans


@pytest.fixture
def indexed(seeded):
    article = seeded.articles.get(1).text
    for text, items in (
        (article, [("Ana Lima", "PERSON"), ("United Nations", "ORG")]),
        (LAGOS, [("Ana Lima", "PERSON"), ("Ana Lima", "PERSON"), ("Lima", "PERSON")]),
        (BUDGET, [("United Nations", "ORG")]),
    ):
        seeded.entities.cache(sha256_text(text), "test/1", spans_in(text, items))
    return seeded


def test_entity_months_from_the_entity_index(indexed):
    from reader.store.entity_index import find_entity

    assert insight.entity_index_ready(indexed)
    lima = find_entity(indexed, "Ana Lima", "PERSON")
    un = find_entity(indexed, "United Nations", "ORG")
    matrix = insight.entity_months(indexed, [lima, un])
    assert matrix.columns == ("Ana Lima (PERSON)", "United Nations (ORG)")
    assert matrix.rows == ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03", None)
    assert grid(matrix) == {
        "2024-11": {"United Nations (ORG)": 1},
        "2024-12": {}, "2025-01": {}, "2025-02": {},
        "2025-03": {"Ana Lima (PERSON)": 1, "United Nations (ORG)": 1},
        None: {"Ana Lima (PERSON)": 3},  # "Lima" alone counts as Ana Lima in that article
    }
    assert matrix.row_totals == (1, 0, 0, 0, 2, 3)
    assert matrix.column_totals == (4, 2) and matrix.total == 6
    articles = insight.entity_months(indexed, [lima, un], "articles")
    assert articles.column_totals == (2, 2)
    assert insight.entity_months(indexed, []).rows == ()


def test_signatures_follow_changes_from_another_connection(seeded, config):
    before = insight.tag_signature(seeded)
    entities_before = insight.entity_signature(seeded)
    other = Store.open(config.database)
    try:
        other.annotations.add(2, 0, 4, ["framing/security"], "carol")
    finally:
        other.close()
    assert insight.tag_signature(seeded) != before
    assert insight.entity_signature(seeded) == entities_before
    moved = insight.tag_signature(seeded)
    seeded.tags.merge("framing/security", "conflict")  # counts move between tags
    assert insight.tag_signature(seeded) != moved
    merged = insight.tag_signature(seeded)
    other = Store.open(config.database)
    try:  # a re-import that only re-dates an article, or gives it another source
        with other.writing():
            other.db.execute("UPDATE articles SET published = '2024-12-24' WHERE id = 2")
    finally:
        other.close()
    redated = insight.tag_signature(seeded)
    assert redated != merged
    with seeded.writing():
        seeded.db.execute("UPDATE articles SET source = 'Agency' WHERE id = 2")
    assert insight.tag_signature(seeded) != redated


def test_matrix_as_dict_has_the_same_numbers(seeded):
    matrix = insight.tag_counts(seeded, "source")
    data = matrix.as_dict()
    assert data["table"][0] == {
        "source": "Wirefeed",
        "counts": {"conflict": 2, "cooperation": 2, "framing/economy": 1, "framing/security": 0},
        "sum": 5,
    }
    assert data["table"][2]["source"] is None
    assert data["column_totals"] == {"conflict": 4, "cooperation": 2, "framing/economy": 1, "framing/security": 1}
    assert data["total"] == 8


def test_figures_only_read(seeded, config):
    """Every figure runs on a read-only connection."""
    reader = Store.open(config.database, read_only=True)
    try:
        insight.corpus_totals(reader, "alice")
        for by in insight.BY_CHOICES:
            for unit in insight.UNITS:
                insight.tag_counts(reader, by, unit, annotator="bob", tags=["conflict"])
        for level in insight.LEVELS:
            insight.tag_co_occurrence(reader, level, annotator="alice", tags=["conflict", "cooperation"])
        insight.tag_signature(reader)
        insight.entity_signature(reader)
    finally:
        reader.close()


# ---- the kept keys and the fast paths against straightforward SQL ---------------------------------

import random  # noqa: E402
import re  # noqa: E402

#: `published` values as they come: dated, undated, and odd ones (a month "13", a bare year, a
#: date in words, an empty text, a date far off).
DATES = [None, "", "2024-11-20", "2024-11-03T10:00:00+00:00", "2024-12", "2025-01-15", "2025-02-28",
         "2025-13-01", "2025", "March 2025", "9999-12-31", "2025-03-03", "2025-03-31"]
SOURCES = [None, "Wirefeed", "wirefeed", "Daily Ledger", "", "Ledger"]
RANDOM_TAGS = ["conflict", "cooperation", "framing", "framing/economy", "framing/security", "quote"]
ANNOTATORS = ["alice", "bob", "chen"]


def reference_month(published):
    """The row key "month" as the figures define it, in Python."""
    if published is not None and re.match(r"[0-9]{4}-[0-1][0-9]", published):
        return published[:7]
    return None


def reference_tag_counts(store, by, unit, annotator=None, tags=None):
    """{(row key, tag): count}, nonzero only, from the rows by plain joins and Python."""
    mine = "WHERE n.annotator = ?" if annotator else ""
    passages = store.db.execute(
        f"""SELECT n.id, a.id, a.published, a.source, t.name FROM annotation_tags nt
            JOIN annotations n ON n.id = nt.annotation_id JOIN articles a ON a.id = n.article_id
            JOIN tags t ON t.id = nt.tag_id {mine}""",
        [annotator] if annotator else [],
    ).fetchall()
    whole = store.db.execute(
        f"""SELECT a.id, a.published, a.source, t.name FROM article_tags g JOIN articles a ON a.id = g.article_id
            JOIN tags t ON t.id = g.tag_id {mine.replace('n.', 'g.')}""",
        [annotator] if annotator else [],
    ).fetchall()

    def key(published, source):
        return reference_month(published) if by == "month" else source

    counts = {}
    if unit == "passages":
        for _id, _article, published, source, tag in passages:
            counts[(key(published, source), tag)] = counts.get((key(published, source), tag), 0) + 1
    else:
        pairs = {(article, tag, key(published, source)) for _id, article, published, source, tag in passages}
        pairs |= {(article, tag, key(published, source)) for article, published, source, tag in whole}
        for _article, tag, row in pairs:
            counts[(row, tag)] = counts.get((row, tag), 0) + 1
    return {cell: count for cell, count in counts.items() if tags is None or cell[1] in tags}


def reference_co_occurrence(store, level, annotator=None, tags=None):
    """(counts {(tag, tag): n}, with others {tag: n}, total) from the rows, in Python."""
    mine = "WHERE n.annotator = ?" if annotator else ""
    rows = store.db.execute(
        f"""SELECT n.id, n.article_id, t.name FROM annotation_tags nt JOIN annotations n ON n.id = nt.annotation_id
            JOIN tags t ON t.id = nt.tag_id {mine}""",
        [annotator] if annotator else [],
    ).fetchall()
    sets: dict = {}
    for annotation_id, article_id, tag in rows:
        if tags is None or tag in tags:
            sets.setdefault(annotation_id if level == "passage" else article_id, set()).add(tag)
    if level == "article":
        for article_id, tag in store.db.execute(
            f"SELECT g.article_id, t.name FROM article_tags g JOIN tags t ON t.id = g.tag_id {mine.replace('n.', 'g.')}",
            [annotator] if annotator else [],
        ):
            if tags is None or tag in tags:
                sets.setdefault(article_id, set()).add(tag)
    counts, others = {}, {}
    for found in sets.values():
        for first in found:
            if len(found) > 1:
                others[first] = others.get(first, 0) + 1
            for second in found:
                counts[(first, second)] = counts.get((first, second), 0) + 1
    return counts, others, len(sets)


def cells_of(matrix):
    return {(row, column): count for row, counts in zip(matrix.rows, matrix.counts)
            for column, count in zip(matrix.columns, counts) if count}


def random_corpus(store, rng, articles=40):
    """Random articles, passages (1-3 tags each, several annotators) and whole-article tags."""
    store.tags.sync([])
    for name in RANDOM_TAGS:
        store.tags.ensure(name)
    ids = [1, 2, 3]
    for number in range(articles):
        text = f"Article {number}\n\n" + " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(30))
        ids.append(add_article(store, f"Article {number}", text, rng.choice(SOURCES), rng.choice(DATES)))
    for _ in range(articles * 3):
        article_id = rng.choice(ids)
        length = len(store.articles.get(article_id).text)
        start = rng.randrange(0, length - 5)
        store.annotations.add(article_id, start, start + 4, rng.sample(RANDOM_TAGS, rng.choice((1, 1, 2, 3))), rng.choice(ANNOTATORS))
    for _ in range(articles // 2):
        store.articles.tag(rng.choice(ids), rng.choice(RANDOM_TAGS), rng.choice(ANNOTATORS))
    return ids


def mutate(store, rng, ids):
    """A random change of what the tag figures count: deletions, re-tagging, merges and their
    undoing, whole-article tags, an article's date or source changed (by a re-import or by SQL)."""
    choice = rng.randrange(9)
    annotations = [row[0] for row in store.db.execute("SELECT id FROM annotations")]
    if choice == 0 and annotations:
        store.annotations.delete(rng.choice(annotations))
    elif choice == 1 and annotations:
        store.annotations.tag(rng.choice(annotations), rng.choice(RANDOM_TAGS))
    elif choice == 2 and annotations:
        annotation = store.annotations.get(rng.choice(annotations))
        if len(annotation.tags) > 1:
            store.annotations.untag(annotation.id, rng.choice(annotation.tags))
    elif choice == 3:
        names = store.tags.names()
        if len(names) > 2:
            source, target = rng.sample(names, 2)
            merge = store.tags.merge(source, target)
            if rng.random() < 0.5:
                store.tags.unmerge(merge)
    elif choice == 4:
        article_id, tag = rng.choice(ids), rng.choice(store.tags.names())
        if not store.articles.tag(article_id, tag, rng.choice(ANNOTATORS)):
            store.articles.untag(article_id, tag)
    elif choice == 5:  # another program changes an article's date and source
        with store.writing():
            store.db.execute("UPDATE articles SET published = ?, source = ? WHERE id = ?",
                             [rng.choice(DATES), rng.choice(SOURCES), rng.choice(ids)])
    elif choice == 6:  # a re-import with a changed text, date and source: annotations re-attached
        article = store.articles.get(rng.choice(ids))
        doc = Document(text=article.text + " More.", title=article.title, source=rng.choice(SOURCES), url=None,
                       path=article.path, published=rng.choice(DATES), locator=article.locator)
        store.articles.add(doc)
    elif choice == 7:
        article_id = rng.choice(ids)
        length = len(store.articles.get(article_id).text)
        store.annotations.add(article_id, 0, min(length, 9), rng.sample(store.tags.names(), 1), rng.choice(ANNOTATORS))
    else:  # an annotation moved to another article (no reader command does it; the keys follow)
        if annotations:
            with store.writing():
                store.db.execute("UPDATE annotations SET article_id = ? WHERE id = ?", [rng.choice(ids), rng.choice(annotations)])


def check_figures(store):
    """Every tag figure, each way, against the reference."""
    names = store.tags.names()
    for annotator in (None, "alice"):
        for tags in (None, names[:1], [name for name in names if name.startswith("framing")]):
            for by in insight.BY_CHOICES:
                for unit in insight.UNITS:
                    matrix = insight.tag_counts(store, by, unit, annotator=annotator, tags=tags)
                    assert cells_of(matrix) == reference_tag_counts(store, by, unit, annotator, tags), (by, unit, annotator, tags)
                    insight.READ_SUMMARIES = False
                    try:
                        assert insight.tag_counts(store, by, unit, annotator=annotator, tags=tags) == matrix
                    finally:
                        insight.READ_SUMMARIES = True
            for level in insight.LEVELS:
                matrix = insight.tag_co_occurrence(store, level, annotator=annotator, tags=tags)
                counts, others, total = reference_co_occurrence(store, level, annotator, tags)
                assert {(row, column): count for (row, column), count in cells_of(matrix).items()} == counts, (level, annotator, tags)
                assert {tag: count for tag, count in zip(matrix.rows, matrix.row_totals) if count} == others
                assert matrix.total == total
                insight.READ_SUMMARIES = False
                try:
                    assert insight.tag_co_occurrence(store, level, annotator=annotator, tags=tags) == matrix
                finally:
                    insight.READ_SUMMARIES = True


def check_keys(store):
    """Each tagging keeps its article's month and source (migration m013's triggers)."""
    for article_id, month, source, published, real_source in store.db.execute(
        """SELECT nt.article_id, nt.article_month, nt.article_source, a.published, a.source FROM annotation_tags nt
           JOIN annotations n ON n.id = nt.annotation_id JOIN articles a ON a.id = n.article_id
           WHERE nt.article_id IS NOT n.article_id OR nt.article_month IS NOT
                 (CASE WHEN a.published GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]*' THEN substr(a.published, 1, 7) END)
              OR nt.article_source IS NOT a.source"""
    ):
        raise AssertionError(f"tagging of article {article_id} keeps ({month}, {source}), not ({published}, {real_source})")


@pytest.mark.parametrize("seed_number", range(4))
def test_fast_figures_match_the_rows_through_random_changes(store, seed_number):
    rng = random.Random(seed_number)
    ids = random_corpus(store, rng)
    assert insight._has_tagging_keys(store)
    check_keys(store)
    check_figures(store)
    for step in range(40):
        mutate(store, rng, ids)
        check_keys(store)
        if step % 8 == 7:
            check_figures(store)
    check_figures(store)


def test_the_fast_paths_read_one_index_each(seeded):
    """Tags per month or source come from the index of the kept keys, never probing articles."""
    plans = []
    real = seeded.db.execute

    def capture(sql, params=None):
        if "count(" in sql and "FROM tags" not in sql:
            plans.append(" ".join(row[-1] for row in real("EXPLAIN QUERY PLAN " + sql, params or []).fetchall()))
        return real(sql, params or [])

    seeded.db.execute = capture
    try:
        insight.tag_counts(seeded, "month")
        insight.tag_counts(seeded, "source", "articles")
    finally:
        seeded.db.execute = real
    assert "COVERING INDEX idx_annotation_tags_month" in plans[0] and "SEARCH" not in plans[0]
    assert "COVERING INDEX idx_annotation_tags_source" in plans[1]
