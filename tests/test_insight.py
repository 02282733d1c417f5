"""The figures of reader/core/insight.py on hand-built data: exact counts per source, per month
(gaps and undated), per annotator and tag, co-occurrence on passages and articles, entity
months from the entity index, and the signatures the Charts screen watches."""

import pytest

from reader.core import insight
from reader.core.entities import Span
from reader.core.ingest import Document
from reader.core.store import Store, sha256_text

TAGS = ("conflict", "cooperation", "framing/economy", "framing/security")
LAGOS = "Ana Lima in Lagos\n\nAna Lima spoke at length. Lima left early."
BUDGET = "Budget vote\n\nThe United Nations met the council."


def add_article(store, title, text, source, published):
    doc = Document(text=text, title=title, source=source, url=None, path=f"{title}.txt", published=published, locator="")
    return store.add_document(doc).article_id


def seed(store):
    """Besides conftest's three Wirefeed articles (1: 2025-03-03, 2: 2025-02-01, 3: 2025-01-15):
    4 from the Daily Ledger, undated; 5 without a source, 2024-11-20. Six passages, two
    whole-article tags (see each test's expectations)."""
    assert add_article(store, "Ana Lima in Lagos", LAGOS, "Daily Ledger", None) == 4
    assert add_article(store, "Budget vote", BUDGET, None, "2024-11-20") == 5
    store.add_annotation(1, 0, 22, ["conflict"], "alice")
    store.add_annotation(1, 24, 30, ["conflict", "cooperation"], "bob")
    store.add_annotation(2, 0, 19, ["cooperation"], "alice")
    store.add_annotation(3, 0, 15, ["framing/economy"], "alice")
    store.add_annotation(4, 0, 8, ["conflict", "framing/security"], "bob")
    store.add_annotation(5, 0, 11, ["conflict"], "alice")
    store.add_article_tag(2, "conflict", "bob")
    store.add_article_tag(4, "cooperation", "alice")


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
    store.add_annotation(4, 0, 3, ["conflict"], "alice")
    store.add_annotation(5, 0, 3, ["conflict"], "alice")
    store.add_annotation(1, 0, 5, ["conflict"], "alice")
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
    article = seeded.get_article(1).text
    for text, items in (
        (article, [("Ana Lima", "PERSON"), ("United Nations", "ORG")]),
        (LAGOS, [("Ana Lima", "PERSON"), ("Ana Lima", "PERSON"), ("Lima", "PERSON")]),
        (BUDGET, [("United Nations", "ORG")]),
    ):
        seeded.cache_entities(sha256_text(text), "test/1", spans_in(text, items))
    return seeded


def test_entity_months_from_the_entity_index(indexed):
    from reader.core.entities.index import find_entity

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
        other.add_annotation(2, 0, 4, ["framing/security"], "carol")
    finally:
        other.close()
    assert insight.tag_signature(seeded) != before
    assert insight.entity_signature(seeded) == entities_before
    moved = insight.tag_signature(seeded)
    seeded.merge_tags("framing/security", "conflict")  # counts move between tags
    assert insight.tag_signature(seeded) != moved


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
